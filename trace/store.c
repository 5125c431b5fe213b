/*
 * store.c - the indexed event store (see store.h). Lines are appended to a
 * file through stdio and read back with pread; each event's index entry is
 * delta-coded by store_index.c and decoded into the reader's copy.
 * Opening a trace is an index build: store_scan.c reads each line's fields
 * without a JSON tree, cJSON only parses the lines it cannot. Counter totals
 * come from a list of every MIB delta (varints) plus a checkpoint of the
 * running totals every STORE_CKPT events, so store_mib_at reads no line.
 * The file is JSONL or its compact form (njz.h): offsets in the index are
 * JSONL offsets either way, and rd() reads them from whichever it is.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "events.h"
#include "njz.h"
#include "store_index.h"
#include "store_scan.h"

#define STORE_MAX_NAMES 1024
#define STORE_NAME_SLOTS 2048		/* open-addressing hash of names */
#define STORE_CKPT	4096		/* events per counter checkpoint */

_Static_assert(STORE_MAX_NAMES <= SIDX_NAMES, "every fn id has a default layer in the index");

struct nj_store {
	pthread_mutex_t mu;
	FILE *f;
	struct njz *z;			/* the compact form, or NULL for JSONL */
	char *path;
	uint64_t end;			/* bytes written */
	int writable;
	struct store_index idx;			/* the events, coded (store_index.h) */
	struct store_pkt *pkts;
	size_t npkts, pcap;
	uint32_t *pkt_idx;		/* pkt number → index in pkts + 1 (0 = none) */
	size_t pkt_idx_cap;
	char *names[STORE_MAX_NAMES];
	int nnames;
	uint16_t name_slot[STORE_NAME_SLOTS];	/* name index + 1, 0 = empty */
	struct sidx_mib mib;			/* every delta, by event (store_index.h) */
	uint64_t run[MIB_MAX];			/* totals so far */
	uint64_t *ckpt;				/* [k][MIB_MAX]: totals before event k*STORE_CKPT */
	size_t *ckpt_mib;			/* [k]: where that event's first delta is in mib */
	size_t nckpt, ckptcap, ckptmibcap;
	char *meta_start, *meta_end;
	struct jw w;
	int force_cjson;			/* tests: the slow path for every line */
	int sealed;				/* no more appends: readers skip the mutex (atomic) */
};

static unsigned name_hash(const char *name)
{
	unsigned h = 2166136261u;		/* FNV-1a */
	while (*name)
		h = (h ^ (unsigned char)*name++) * 16777619u;
	return h;
}

/* The slot of name in the hash: its entry, or the empty slot for it. */
static unsigned name_find(struct nj_store *s, const char *name)
{
	unsigned i = name_hash(name) & (STORE_NAME_SLOTS - 1);
	while (s->name_slot[i] && strcmp(s->names[s->name_slot[i] - 1], name))
		i = (i + 1) & (STORE_NAME_SLOTS - 1);
	return i;
}

static uint16_t intern(struct nj_store *s, const char *name)
{
	if (!name)
		name = "?";
	unsigned i = name_find(s, name);
	if (s->name_slot[i])
		return (uint16_t)(s->name_slot[i] - 1);
	if (s->nnames == STORE_MAX_NAMES)
		return 0;
	s->names[s->nnames] = strdup(name);
	s->name_slot[i] = (uint16_t)(s->nnames + 1);
	return (uint16_t)s->nnames++;
}

struct nj_store *store_create(const char *path, char *err, size_t errlen)
{
	struct nj_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	sidx_init(&s->idx);
	s->f = path ? fopen(path, "w+") : tmpfile();
	if (!s->f) {
		snprintf(err, errlen, "%s: cannot create: %s", path ? path : "temporary trace file", strerror(errno));
		free(s);
		return NULL;
	}
	if (!path || njz_is_name(path)) {	/* a temporary store is compact: ~9x less disk */
		char e[200];
		s->z = njz_create(fileno(s->f), e, sizeof(e));
		if (!s->z) {
			snprintf(err, errlen, "%s: %s", path ? path : "temporary trace file", e);
			fclose(s->f);
			free(s);
			return NULL;
		}
	} else {
		setvbuf(s->f, NULL, _IOFBF, 1 << 20);
	}
	s->path = path ? strdup(path) : NULL;
	s->writable = 1;
	intern(s, "?");
	return s;
}

static struct store_pkt *pkt_slot(struct nj_store *s, int64_t pkt)
{
	if (pkt < 0 || pkt > (int64_t)100000000)
		return NULL;
	if ((size_t)pkt >= s->pkt_idx_cap) {
		size_t old = s->pkt_idx_cap;
		s->pkt_idx = sidx_grow(s->pkt_idx, &s->pkt_idx_cap, (size_t)pkt + 1, sizeof(uint32_t));
		memset(s->pkt_idx + old, 0, (s->pkt_idx_cap - old) * sizeof(uint32_t));
	}
	if (s->pkt_idx[pkt])
		return &s->pkts[s->pkt_idx[pkt] - 1];
	s->pkts = sidx_grow(s->pkts, &s->pcap, s->npkts + 1, sizeof(*s->pkts));
	struct store_pkt *p = &s->pkts[s->npkts++];
	memset(p, 0, sizeof(*p));
	p->pkt = pkt;
	p->first = p->last = STORE_NONE;
	p->driver_ev = STORE_NONE;
	s->pkt_idx[pkt] = (uint32_t)s->npkts;
	return p;
}

/* Links event i into its packet and updates the packet's outcome. */
static void index_event(struct nj_store *s, size_t i, const struct store_ev *e, const char *fn)
{
	struct store_pkt *p = pkt_slot(s, e->pkt);
	if (!p)
		return;
	if (p->last != STORE_NONE)
		sidx_set_next(&s->idx, p->last, (uint32_t)i);
	else
		p->first = (uint32_t)i;
	p->last = (uint32_t)i;
	p->count++;
	if (e->ph == 'B' && p->driver_ev == STORE_NONE && !strcmp(fn, "driver_rx")) {
		p->driver_ev = (uint32_t)i;
		p->ts_ns = e->ts_ns;
	}
	enum nj_verdict o = trace_outcome(fn, e->ph, (enum nj_verdict)e->verdict);
	if (o != V_NONE) {
		p->verdict = (uint8_t)o;
		p->reason = e->reason;
	}
}

static void append_line(struct nj_store *s, const char *line, size_t len)
{
	if (s->z) {
		njz_append(s->z, line, len);
		njz_append(s->z, "\n", 1);
	} else {
		fwrite(line, 1, len, s->f);
		fputc('\n', s->f);
	}
	s->end += len + 1;
}

/* n bytes at JSONL offset off, from whichever form the file is; 0 or -1.
 * Without the store's mutex: the njz has its own, a JSONL file is flushed
 * before. */
static int rd(struct nj_store *s, char *buf, size_t n, uint64_t off)
{
	if (s->z)
		return njz_pread(s->z, buf, n, off);
	return pread(fileno(s->f), buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Counter bookkeeping for event i, before it is appended: a checkpoint at
 * every STORE_CKPT boundary, then the event's deltas (E events carry them). */
static void note_mib(struct nj_store *s, size_t i, char ph, const struct trace_mib_delta *m, int n)
{
	if (i % STORE_CKPT == 0) {
		size_t k = i / STORE_CKPT;
		s->ckpt = sidx_grow(s->ckpt, &s->ckptcap, (k + 1) * MIB_MAX, sizeof(uint64_t));
		memcpy(s->ckpt + k * MIB_MAX, s->run, sizeof(s->run));
		s->ckpt_mib = sidx_grow(s->ckpt_mib, &s->ckptmibcap, k + 1, sizeof(size_t));
		s->ckpt_mib[k] = sidx_mib_mark(&s->mib, i);
		s->nckpt = k + 1;
	}
	if (ph != 'E')
		return;
	for (int j = 0; j < n; j++) {
		if (m[j].id >= MIB_MAX)
			continue;
		sidx_mib_add(&s->mib, i, m[j].id, m[j].n);
		s->run[m[j].id] += m[j].n;
	}
}

/* Appends an index entry from the fields of one event (emitted or read). */
static void add_event(struct nj_store *s, const struct scan_ev *x, const char *fn, const char *layer,
		      uint64_t off, size_t len)
{
	struct store_ev e = {
		.off = off,
		.len = (uint32_t)len,
		.next_in_pkt = STORE_NONE,
		.seq = (uint32_t)x->seq,	/* fits(): checked for read lines; 4G emitted events is 24 GB of index */
		.parent = (uint32_t)x->parent,
		.pkt = (int32_t)x->pkt,
		.skb = (int32_t)x->skb,
		.ts_ns = x->ts_ns,
		.depth = (uint8_t)x->depth,
		.ph = x->ph,
		.verdict = (uint8_t)x->verdict,
		.reason = (uint8_t)x->reason,
		.fn = intern(s, fn),
		.layer = intern(s, layer),
	};
	size_t i = s->idx.n;
	sidx_append(&s->idx, &e);
	note_mib(s, i, x->ph, x->mib, x->n_mib);
	index_event(s, i, &e, fn);
}

void store_emit(void *ctx, const struct trace_event *ev)
{
	struct nj_store *s = ctx;
	struct scan_ev x;
	pthread_mutex_lock(&s->mu);
	jw_reset(&s->w);
	event_to_json(&s->w, ev);
	x.seq = ev->seq;
	x.parent = ev->parent;
	x.pkt = ev->pkt;
	x.skb = ev->skb;
	x.ts_ns = ev->ts_ns;
	x.depth = ev->depth > 255 ? 255 : ev->depth;
	x.ph = ev->ph;
	x.verdict = (int)ev->verdict;
	x.reason = (int)ev->reason;
	x.n_mib = ev->n_mib < SCAN_MIB_MAX ? ev->n_mib : SCAN_MIB_MAX;
	if (x.n_mib)			/* ev->mib is NULL when nothing was counted */
		memcpy(x.mib, ev->mib, (size_t)x.n_mib * sizeof(*x.mib));
	add_event(s, &x, ev->fn, ev->layer, s->end, s->w.len);
	append_line(s, s->w.buf, s->w.len);
	pthread_mutex_unlock(&s->mu);
}

void store_add_meta(struct nj_store *s, const char *json)
{
	pthread_mutex_lock(&s->mu);
	char **slot = strstr(json, "\"trace_end\"") ? &s->meta_end : &s->meta_start;
	free(*slot);
	*slot = strdup(json);
	if (s->writable)
		append_line(s, json, strlen(json));
	pthread_mutex_unlock(&s->mu);
}

static int64_t num_or(const cJSON *o, const char *k, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

static const char *str_or(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* The counters of a cJSON-parsed line into x (as many as fit). */
static void cjson_mib(const cJSON *o, struct scan_ev *x)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mib"), *c;
	x->n_mib = 0;
	cJSON_ArrayForEach(c, m) {
		int id = mib_lookup(c->string);
		if (id < 0 || !cJSON_IsNumber(c) || x->n_mib == SCAN_MIB_MAX)
			continue;
		x->mib[x->n_mib].id = (uint16_t)id;
		x->mib[x->n_mib++].n = (uint32_t)c->valuedouble;
	}
}

/* Whether an event's numbers fit the index's 32-bit fields (store.h). */
static int fits(const struct scan_ev *x)
{
	return x->seq <= UINT32_MAX && x->parent <= UINT32_MAX && x->pkt >= INT32_MIN && x->pkt <= INT32_MAX &&
	       x->skb >= INT32_MIN && x->skb <= INT32_MAX;
}

/* The slow path: a line the scanner refused (metadata, another writer). */
static int load_line_cjson(struct nj_store *s, const char *line, size_t len, uint64_t off)
{
	struct scan_ev x;
	cJSON *o = cJSON_ParseWithLength(line, len);
	if (!o || !cJSON_IsObject(o) || num_or(o, "v", 0) != TRACE_SCHEMA_VERSION) {
		cJSON_Delete(o);
		return -1;
	}
	const char *ph = str_or(o, "ph", "");
	if (ph[0] == 'M') {
		char **slot = !strcmp(str_or(o, "kind", ""), "trace_end") ? &s->meta_end : &s->meta_start;
		free(*slot);
		*slot = strndup(line, len);
		cJSON_Delete(o);
		return 0;
	}
	x.seq = (uint64_t)num_or(o, "seq", 0);
	x.parent = (uint64_t)num_or(o, "parent", 0);
	x.pkt = num_or(o, "pkt", -1);
	x.skb = num_or(o, "skb", -1);
	x.ts_ns = (uint64_t)num_or(o, "ts_ns", 0);
	x.depth = (int)num_or(o, "depth", 0);
	x.ph = ph[0];
	int v = verdict_lookup(str_or(o, "verdict", ""));
	int r = drop_reason_lookup(str_or(o, "reason", ""));
	x.verdict = v < 0 ? 0 : v;
	x.reason = r < 0 ? 0 : r;
	cjson_mib(o, &x);
	if (!fits(&x)) {
		cJSON_Delete(o);
		return -1;
	}
	add_event(s, &x, str_or(o, "fn", "?"), str_or(o, "layer", "?"), off, len);
	cJSON_Delete(o);
	return 0;
}

/* One line of an existing trace into the index; -1 if it is not an event. */
static int load_line(struct nj_store *s, const char *line, size_t len, uint64_t off)
{
	struct scan_ev x;
	if (!s->force_cjson && scan_event_line(line, len, &x) == 0) {
		if (!fits(&x))
			return -1;
		add_event(s, &x, x.fn, x.layer, off, len);
		return 0;
	}
	return load_line_cjson(s, line, len, off);
}

static int load_file(struct nj_store *s, const char *path, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t off = 0, lineno = 0;
	while ((n = getline(&line, &cap, s->f)) > 0) {
		lineno++;
		size_t len = (size_t)n;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len && load_line(s, line, len, off) < 0) {
			snprintf(err, errlen, "%s: line %llu is not a netjourney event (schema v%d)", path,
				 (unsigned long long)lineno, TRACE_SCHEMA_VERSION);
			free(line);
			return -1;
		}
		off += (uint64_t)n;
	}
	free(line);
	s->end = off;
	return 0;
}

/* After the scan only pread(2) reads the file: the same open file, on a
 * duplicate descriptor, without the scan's stdio buffer. */
static int reopen_unbuffered(struct nj_store *s)
{
	int fd = dup(fileno(s->f));
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fclose(s->f);
	s->f = f;
	return 0;
}

/* The njz scan's state: lines may run across a block's end. */
struct njz_load {
	struct nj_store *s;
	const char *path;
	char *carry;			/* the start of a line cut by a block end */
	size_t carry_len;
	uint64_t carry_off, lineno;
	char *err;
	size_t errlen;
};

static int njz_line(struct njz_load *l, const char *line, size_t len, uint64_t off)
{
	l->lineno++;
	while (len && line[len - 1] == '\r')
		len--;
	if (len && load_line(l->s, line, len, off) < 0) {
		snprintf(l->err, l->errlen, "%s: line %llu is not a netjourney event (schema v%d)", l->path,
			 (unsigned long long)l->lineno, TRACE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

/* njz_block_fn: the lines of one block into the index. */
static int njz_block(void *ctx, const char *b, size_t n, uint64_t off)
{
	struct njz_load *l = ctx;
	const char *p = b, *end = b + n, *nl;
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		int r;
		if (l->carry_len) {		/* the rest of a line begun in an earlier block */
			char *c = realloc(l->carry, l->carry_len + (size_t)(nl - p));
			if (!c)
				return snprintf(l->err, l->errlen, "%s: out of memory", l->path), -1;
			memcpy(c + l->carry_len, p, (size_t)(nl - p));
			l->carry = c;
			r = njz_line(l, c, l->carry_len + (size_t)(nl - p), l->carry_off);
			l->carry_len = 0;
		} else {
			r = njz_line(l, p, (size_t)(nl - p), off + (uint64_t)(p - b));
		}
		if (r < 0)
			return -1;
		p = nl + 1;
	}
	if (p < end) {
		char *c = realloc(l->carry, l->carry_len + (size_t)(end - p));
		if (!c)
			return snprintf(l->err, l->errlen, "%s: out of memory", l->path), -1;
		if (!l->carry_len)
			l->carry_off = off + (uint64_t)(p - b);
		memcpy(c + l->carry_len, p, (size_t)(end - p));
		l->carry = c;
		l->carry_len += (size_t)(end - p);
	}
	return 0;
}

static int load_njz(struct nj_store *s, const char *path, char *err, size_t errlen)
{
	struct njz_load l = { .s = s, .path = path, .err = err, .errlen = errlen };
	err[0] = 0;
	s->z = njz_open(fileno(s->f), path, njz_block, &l, err, errlen);
	int r = s->z && (!l.carry_len || njz_line(&l, l.carry, l.carry_len, l.carry_off) == 0) ? 0 : -1;
	free(l.carry);
	if (r == 0)
		s->end = njz_size(s->z);
	return r;
}

struct nj_store *store_open_jsonl_flags(const char *path, int flags, char *err, size_t errlen)
{
	struct nj_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	sidx_init(&s->idx);
	intern(s, "?");
	s->force_cjson = (flags & STORE_OPEN_CJSON) != 0;
	s->f = fopen(path, "r");
	if (!s->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		store_free(s);
		return NULL;
	}
	/* glibc ignores setvbuf's size without a buffer (4 KiB reads): the
	 * scan gets its own megabyte, given back once the index is built (a
	 * compact file is only ever read with pread) */
	int compact = njz_sniff(fileno(s->f));
	char *iobuf = compact ? NULL : malloc(1 << 20);
	if (iobuf)
		setvbuf(s->f, iobuf, _IOFBF, 1 << 20);
	s->path = strdup(path);
	int r = compact ? load_njz(s, path, err, errlen) : load_file(s, path, err, errlen);
	if (r == 0 && iobuf && reopen_unbuffered(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	if (r < 0) {
		store_free(s);
		free(iobuf);
		return NULL;
	}
	free(iobuf);
	s->sealed = 1;				/* read-only: indexed once, never appended */
	return s;
}

struct nj_store *store_open_jsonl(const char *path, char *err, size_t errlen)
{
	return store_open_jsonl_flags(path, 0, err, errlen);
}

void store_free(struct nj_store *s)
{
	if (!s)
		return;
	if (s->z && s->writable && s->path)
		njz_finish(s->z);		/* a named .njz: its last block and end record */
	njz_free(s->z);
	if (s->f)
		fclose(s->f);
	for (int i = 0; i < s->nnames; i++)
		free(s->names[i]);
	sidx_free(&s->idx);
	free(s->mib.buf);
	free(s->ckpt);
	free(s->ckpt_mib);
	free(s->pkts);
	free(s->pkt_idx);
	free(s->path);
	free(s->meta_start);
	free(s->meta_end);
	jw_free(&s->w);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void store_lock(struct nj_store *s) { pthread_mutex_lock(&s->mu); }
void store_unlock(struct nj_store *s) { pthread_mutex_unlock(&s->mu); }

void store_seal(struct nj_store *s)
{
	pthread_mutex_lock(&s->mu);
	if (s->writable && !s->z)
		fflush(s->f);			/* pread sees every line from now on */
	__atomic_store_n(&s->sealed, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->mu);
}

/* The mutex for a reader, unless the store is sealed: then nothing moves
 * and 64 server threads do not queue on it for every page. */
static int rd_lock(struct nj_store *s)
{
	if (__atomic_load_n(&s->sealed, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&s->mu);
	return 1;
}

static void rd_unlock(struct nj_store *s, int held)
{
	if (held)
		pthread_mutex_unlock(&s->mu);
}

size_t store_nevents(struct nj_store *s) { return s->idx.n; }
int store_ev_get(struct nj_store *s, size_t i, struct store_ev *out) { return sidx_get(&s->idx, i, out); }

const struct store_ev *store_ev_at(struct nj_store *s, size_t i, struct store_ev *out)
{
	return sidx_get(&s->idx, i, out) == 0 ? out : NULL;
}

int store_ev_seq(struct nj_store *s, size_t i, uint32_t *seq) { return sidx_seq(&s->idx, i, seq); }

int store_ev_layer(struct nj_store *s, size_t i, uint16_t *layer, int *drop_instant)
{
	return sidx_layer(&s->idx, i, layer, drop_instant);
}

size_t store_seq_lower_bound(struct nj_store *s, uint64_t seq, size_t n)
{
	return sidx_lower_bound(&s->idx, seq, n);
}

size_t store_index_bytes(struct nj_store *s) { return sidx_bytes(&s->idx); }
size_t store_npkts(struct nj_store *s) { return s->npkts; }
const struct store_pkt *store_pkt_at(struct nj_store *s, size_t i) { return i < s->npkts ? &s->pkts[i] : NULL; }
const char *store_meta_start(struct nj_store *s) { return s->meta_start; }
const char *store_meta_end(struct nj_store *s) { return s->meta_end; }
const char *store_path(struct nj_store *s) { return s->path; }

const struct store_pkt *store_pkt_find(struct nj_store *s, int64_t pkt)
{
	if (pkt < 0 || (size_t)pkt >= s->pkt_idx_cap || !s->pkt_idx[pkt])
		return NULL;
	return &s->pkts[s->pkt_idx[pkt] - 1];
}

const char *store_name(struct nj_store *s, uint16_t id) { return id < s->nnames ? s->names[id] : "?"; }

int store_name_id(struct nj_store *s, const char *name)
{
	unsigned i = name_find(s, name);
	return s->name_slot[i] ? s->name_slot[i] - 1 : -1;
}

size_t store_index_of_seq(struct nj_store *s, uint64_t seq)
{
	uint32_t got;
	size_t i = sidx_lower_bound(&s->idx, seq, s->idx.n);
	return sidx_seq(&s->idx, i, &got) == 0 && got == seq ? i : SIZE_MAX;
}

char *store_line(struct nj_store *s, size_t i, size_t *len)
{
	struct store_ev e;
	int held = rd_lock(s);
	if (sidx_get(&s->idx, i, &e) < 0) {
		rd_unlock(s, held);
		return NULL;
	}
	if (held && s->writable && !s->z)
		fflush(s->f);
	rd_unlock(s, held);
	char *buf = malloc((size_t)e.len + 1);
	if (!buf)
		return NULL;
	if (rd(s, buf, e.len, e.off) < 0) {
		free(buf);
		return NULL;
	}
	buf[e.len] = 0;
	if (len)
		*len = e.len;
	return buf;
}

size_t store_evs(struct nj_store *s, size_t first, size_t n, struct store_ev *out)
{
	int held = rd_lock(s);
	size_t nev = s->idx.n, k = first < nev ? (nev - first < n ? nev - first : n) : 0;
	sidx_evs(&s->idx, first, k, out);
	rd_unlock(s, held);
	return k;
}

int store_read(struct nj_store *s, uint64_t off, size_t len, char *buf)
{
	int held = rd_lock(s);
	if (held && s->writable && s->f && !s->z)
		fflush(s->f);
	rd_unlock(s, held);
	return rd(s, buf, len, off);	/* a compact store's blocks too */
}

/* Reads the lines e[0..n-1], adjacent in the file (each followed by its
 * newline), into out with commas between them; 0, or -1 when the bytes
 * read are not those lines. */
static int read_run(struct nj_store *s, const struct store_ev *e, size_t n, char *out)
{
	uint64_t span = e[n - 1].off + e[n - 1].len - e[0].off;
	if (rd(s, out, span, e[0].off) < 0)
		return -1;
	for (size_t k = 0; k + 1 < n; k++) {
		char *sep = out + (e[k].off + e[k].len - e[0].off);
		if (*sep != '\n')
			return -1;
		*sep = ',';
	}
	return 0;
}

char *store_lines_json(struct nj_store *s, const size_t *idx, size_t n)
{
	struct store_ev *e = malloc((n ? n : 1) * sizeof(*e));
	if (!e)
		return NULL;
	size_t total = 2 + n;
	int held = rd_lock(s);
	for (size_t k = 0; k < n; k++) {
		if (sidx_get(&s->idx, idx[k], &e[k]) < 0) {
			rd_unlock(s, held);
			free(e);
			return NULL;
		}
		total += e[k].len;
	}
	if (held && s->writable && !s->z)
		fflush(s->f);
	rd_unlock(s, held);

	char *out = malloc(total + 1), *o = out;
	if (!out) {
		free(e);
		return NULL;
	}
	*o++ = '[';
	for (size_t k = 0, r; k < n; k = r) {
		for (r = k + 1; r < n && e[r].off == e[r - 1].off + e[r - 1].len + 1; r++)
			;
		if (k)
			*o++ = ',';
		if (read_run(s, e + k, r - k, o) < 0) {
			free(out);
			free(e);
			return NULL;
		}
		o += e[r - 1].off + e[r - 1].len - e[k].off;
	}
	*o++ = ']';
	*o = 0;
	free(e);
	return out;
}

void store_mib_at(struct nj_store *s, size_t i, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * MIB_MAX);
	int held = rd_lock(s);
	if (s->idx.n) {
		if (i >= s->idx.n)
			i = s->idx.n - 1;
		size_t k = i / STORE_CKPT;	/* exists: event k*STORE_CKPT <= i was added */
		memcpy(out, s->ckpt + k * MIB_MAX, sizeof(uint64_t) * MIB_MAX);
		sidx_mib_sum(&s->mib, s->ckpt_mib[k], k * STORE_CKPT, i, out, MIB_MAX);
	}
	rd_unlock(s, held);
}

int store_is_compact(struct nj_store *s) { return s->z != NULL; }

uint64_t store_bytes(struct nj_store *s, uint64_t *file)
{
	pthread_mutex_lock(&s->mu);
	uint64_t n = s->end;
	if (file)
		*file = s->z ? njz_file_size(s->z) : n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Copies the JSONL bytes [0, n) to fd, as they are or through z. */
static int export_to(struct nj_store *s, int fd, struct njz *z, uint64_t n)
{
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	int r = buf ? 0 : -1;
	for (uint64_t off = 0; r == 0 && off < n; off += chunk) {
		size_t m = n - off < chunk ? (size_t)(n - off) : chunk;
		r = rd(s, buf, m, off);
		if (r == 0)
			r = z ? njz_append(z, buf, m) : (write(fd, buf, m) == (ssize_t)m ? 0 : -1);
	}
	if (r == 0 && z)
		r = njz_finish(z);
	free(buf);
	return r;
}

int store_export(struct nj_store *s, const char *path, char *err, size_t errlen)
{
	int std = !strcmp(path, "-");
	int fd = std ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	struct njz *z = NULL;
	if (!std && njz_is_name(path) && !(z = njz_create(fd, err, errlen))) {
		close(fd);
		unlink(path);
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	uint64_t n = s->end;
	if (s->writable && !s->z)
		fflush(s->f);
	pthread_mutex_unlock(&s->mu);
	int r = export_to(s, fd, z, n);
	if (r < 0)
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
	njz_free(z);
	if (!std && close(fd) != 0 && r == 0) {
		snprintf(err, errlen, "%s: close failed: %s", path, strerror(errno));
		r = -1;
	}
	if (r < 0 && !std)
		unlink(path);
	return r;
}
