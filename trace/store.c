/*
 * store.c - the indexed event store (see store.h). Lines are appended to a
 * file through stdio and read back with pread; the index grows by doubling.
 * Opening a trace is an index build: store_scan.c reads each line's fields
 * without a JSON tree, cJSON only parses the lines it cannot. Counter totals
 * come from a list of every MIB delta plus a checkpoint of the running
 * totals every STORE_CKPT events, so store_mib_at reads no line.
 */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "events.h"
#include "store_scan.h"

#define STORE_MAX_NAMES 1024
#define STORE_NAME_SLOTS 2048		/* open-addressing hash of names */
#define STORE_CKPT	4096		/* events per counter checkpoint */

/* One MIB increment of one event, in event order. */
struct store_mib {
	uint32_t ev;
	uint16_t id;
	uint32_t n;
};

struct nj_store {
	pthread_mutex_t mu;
	FILE *f;
	char *path;
	uint64_t end;			/* bytes written */
	int writable;
	struct store_ev *ev;
	size_t nev, cap;
	struct store_pkt *pkts;
	size_t npkts, pcap;
	uint32_t *pkt_idx;		/* pkt number → index in pkts + 1 (0 = none) */
	size_t pkt_idx_cap;
	char *names[STORE_MAX_NAMES];
	int nnames;
	uint16_t name_slot[STORE_NAME_SLOTS];	/* name index + 1, 0 = empty */
	struct store_mib *mib;			/* every delta, by event */
	size_t nmib, mibcap;
	uint64_t run[MIB_MAX];			/* totals so far */
	uint64_t *ckpt;				/* [k][MIB_MAX]: totals before event k*STORE_CKPT */
	size_t *ckpt_mib;			/* [k]: index in mib[] of that event's first delta */
	size_t nckpt, ckptcap, ckptmibcap;
	char *meta_start, *meta_end;
	struct jw w;
	int force_cjson;			/* tests: the slow path for every line */
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	void *n = realloc(p, c * elem);
	if (!n) {
		fputs("netjourney: out of memory in the event store\n", stderr);
		abort();
	}
	*cap = c;
	return n;
}

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
	s->f = path ? fopen(path, "w+") : tmpfile();
	if (!s->f) {
		snprintf(err, errlen, "%s: cannot create: %s", path ? path : "temporary trace file", strerror(errno));
		free(s);
		return NULL;
	}
	setvbuf(s->f, NULL, _IOFBF, 1 << 20);
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
		s->pkt_idx = grow(s->pkt_idx, &s->pkt_idx_cap, (size_t)pkt + 1, sizeof(uint32_t));
		memset(s->pkt_idx + old, 0, (s->pkt_idx_cap - old) * sizeof(uint32_t));
	}
	if (s->pkt_idx[pkt])
		return &s->pkts[s->pkt_idx[pkt] - 1];
	s->pkts = grow(s->pkts, &s->pcap, s->npkts + 1, sizeof(*s->pkts));
	struct store_pkt *p = &s->pkts[s->npkts++];
	memset(p, 0, sizeof(*p));
	p->pkt = pkt;
	p->first = p->last = STORE_NONE;
	p->driver_ev = STORE_NONE;
	s->pkt_idx[pkt] = (uint32_t)s->npkts;
	return p;
}

/* Links event i into its packet and updates the packet's outcome. */
static void index_event(struct nj_store *s, size_t i, const char *fn)
{
	struct store_ev *e = &s->ev[i];
	struct store_pkt *p = pkt_slot(s, e->pkt);
	if (!p)
		return;
	if (p->last != STORE_NONE)
		s->ev[p->last].next_in_pkt = (uint32_t)i;
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
	fwrite(line, 1, len, s->f);
	fputc('\n', s->f);
	s->end += len + 1;
}

/* Counter bookkeeping for event i, before it is appended: a checkpoint at
 * every STORE_CKPT boundary, then the event's deltas (E events carry them). */
static void note_mib(struct nj_store *s, size_t i, char ph, const struct trace_mib_delta *m, int n)
{
	if (i % STORE_CKPT == 0) {
		size_t k = i / STORE_CKPT;
		s->ckpt = grow(s->ckpt, &s->ckptcap, (k + 1) * MIB_MAX, sizeof(uint64_t));
		memcpy(s->ckpt + k * MIB_MAX, s->run, sizeof(s->run));
		s->ckpt_mib = grow(s->ckpt_mib, &s->ckptmibcap, k + 1, sizeof(size_t));
		s->ckpt_mib[k] = s->nmib;
		s->nckpt = k + 1;
	}
	if (ph != 'E')
		return;
	for (int j = 0; j < n; j++) {
		if (m[j].id >= MIB_MAX)
			continue;
		s->mib = grow(s->mib, &s->mibcap, s->nmib + 1, sizeof(*s->mib));
		s->mib[s->nmib].ev = (uint32_t)i;
		s->mib[s->nmib].id = m[j].id;
		s->mib[s->nmib++].n = m[j].n;
		s->run[m[j].id] += m[j].n;
	}
}

/* Appends an index entry from the fields of one event (emitted or read). */
static void add_event(struct nj_store *s, const struct scan_ev *x, const char *fn, const char *layer,
		      uint64_t off, size_t len)
{
	s->ev = grow(s->ev, &s->cap, s->nev + 1, sizeof(*s->ev));
	struct store_ev *e = &s->ev[s->nev];
	memset(e, 0, sizeof(*e));
	e->off = off;
	e->len = (uint32_t)len;
	e->next_in_pkt = STORE_NONE;
	e->seq = x->seq;
	e->parent = x->parent;
	e->pkt = x->pkt;
	e->skb = x->skb;
	e->ts_ns = x->ts_ns;
	e->depth = (uint8_t)x->depth;
	e->ph = x->ph;
	e->verdict = (uint8_t)x->verdict;
	e->reason = (uint8_t)x->reason;
	e->fn = intern(s, fn);
	e->layer = intern(s, layer);
	note_mib(s, s->nev, x->ph, x->mib, x->n_mib);
	index_event(s, s->nev++, fn);
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
	add_event(s, &x, str_or(o, "fn", "?"), str_or(o, "layer", "?"), off, len);
	cJSON_Delete(o);
	return 0;
}

/* One line of an existing trace into the index; -1 if it is not an event. */
static int load_line(struct nj_store *s, const char *line, size_t len, uint64_t off)
{
	struct scan_ev x;
	if (!s->force_cjson && scan_event_line(line, len, &x) == 0) {
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

struct nj_store *store_open_jsonl_flags(const char *path, int flags, char *err, size_t errlen)
{
	struct nj_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	intern(s, "?");
	s->force_cjson = (flags & STORE_OPEN_CJSON) != 0;
	s->f = fopen(path, "r");
	if (!s->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		store_free(s);
		return NULL;
	}
	/* glibc ignores setvbuf's size without a buffer (4 KiB reads): the
	 * scan gets its own megabyte, given back once the index is built */
	char *iobuf = malloc(1 << 20);
	if (iobuf)
		setvbuf(s->f, iobuf, _IOFBF, 1 << 20);
	s->path = strdup(path);
	int r = load_file(s, path, err, errlen);
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
	if (s->f)
		fclose(s->f);
	for (int i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->ev);
	free(s->mib);
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

size_t store_nevents(struct nj_store *s) { return s->nev; }
const struct store_ev *store_ev(struct nj_store *s, size_t i) { return i < s->nev ? &s->ev[i] : NULL; }
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
	size_t lo = 0, hi = s->nev;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ev[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nev && s->ev[lo].seq == seq ? lo : SIZE_MAX;
}

char *store_line(struct nj_store *s, size_t i, size_t *len)
{
	pthread_mutex_lock(&s->mu);
	if (i >= s->nev) {
		pthread_mutex_unlock(&s->mu);
		return NULL;
	}
	struct store_ev e = s->ev[i];
	if (s->writable)
		fflush(s->f);
	pthread_mutex_unlock(&s->mu);
	char *buf = malloc((size_t)e.len + 1);
	if (!buf)
		return NULL;
	ssize_t n = pread(fileno(s->f), buf, e.len, (off_t)e.off);
	if (n != (ssize_t)e.len) {
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
	pthread_mutex_lock(&s->mu);
	size_t k = first < s->nev ? (s->nev - first < n ? s->nev - first : n) : 0;
	if (k)
		memcpy(out, s->ev + first, k * sizeof(*out));
	pthread_mutex_unlock(&s->mu);
	return k;
}

int store_read(struct nj_store *s, uint64_t off, size_t len, char *buf)
{
	pthread_mutex_lock(&s->mu);
	if (s->writable)
		fflush(s->f);
	pthread_mutex_unlock(&s->mu);
	return pread(fileno(s->f), buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Reads the lines e[0..n-1], adjacent in the file (each followed by its
 * newline), into out with commas between them; 0, or -1 when the bytes
 * read are not those lines. */
static int read_run(int fd, const struct store_ev *e, size_t n, char *out)
{
	uint64_t span = e[n - 1].off + e[n - 1].len - e[0].off;
	ssize_t got = pread(fd, out, span, (off_t)e[0].off);
	if (got != (ssize_t)span)
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
	pthread_mutex_lock(&s->mu);
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= s->nev) {
			pthread_mutex_unlock(&s->mu);
			free(e);
			return NULL;
		}
		e[k] = s->ev[idx[k]];
		total += e[k].len;
	}
	if (s->writable)
		fflush(s->f);
	pthread_mutex_unlock(&s->mu);

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
		if (read_run(fileno(s->f), e + k, r - k, o) < 0) {
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
	pthread_mutex_lock(&s->mu);
	if (s->nev) {
		if (i >= s->nev)
			i = s->nev - 1;
		size_t k = i / STORE_CKPT;	/* exists: event k*STORE_CKPT <= i was added */
		memcpy(out, s->ckpt + k * MIB_MAX, sizeof(uint64_t) * MIB_MAX);
		for (size_t j = s->ckpt_mib[k]; j < s->nmib && s->mib[j].ev <= i; j++)
			out[s->mib[j].id] += s->mib[j].n;
	}
	pthread_mutex_unlock(&s->mu);
}
