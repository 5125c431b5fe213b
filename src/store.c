/*
 * store.c - the indexed event store (see store.h). Lines are appended to a
 * file through stdio and read back with pread; the index grows by doubling.
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

#define STORE_MAX_NAMES 1024

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
	char *meta_start, *meta_end;
	struct jw w;
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

static uint16_t intern(struct nj_store *s, const char *name)
{
	for (int i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], name))
			return (uint16_t)i;
	if (s->nnames == STORE_MAX_NAMES)
		return 0;
	s->names[s->nnames] = strdup(name ? name : "?");
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
	enum nj_verdict o = event_outcome(fn, e->ph, (enum nj_verdict)e->verdict);
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

void store_emit(void *ctx, const struct trace_event *ev)
{
	struct nj_store *s = ctx;
	pthread_mutex_lock(&s->mu);
	jw_reset(&s->w);
	event_to_json(&s->w, ev);
	s->ev = grow(s->ev, &s->cap, s->nev + 1, sizeof(*s->ev));
	struct store_ev *e = &s->ev[s->nev];
	e->off = s->end;
	e->len = (uint32_t)s->w.len;
	e->next_in_pkt = STORE_NONE;
	e->seq = ev->seq;
	e->parent = ev->parent;
	e->pkt = ev->pkt;
	e->skb = ev->skb;
	e->ts_ns = ev->ts_ns;
	e->fn = intern(s, ev->fn);
	e->layer = intern(s, ev->layer);
	e->ph = ev->ph;
	e->verdict = (uint8_t)ev->verdict;
	e->reason = (uint8_t)ev->reason;
	e->depth = (uint8_t)(ev->depth > 255 ? 255 : ev->depth);
	append_line(s, s->w.buf, s->w.len);
	index_event(s, s->nev++, ev->fn);
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

/* One line of an existing trace into the index; -1 if it is not an event. */
static int load_line(struct nj_store *s, const char *line, size_t len, uint64_t off)
{
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
	s->ev = grow(s->ev, &s->cap, s->nev + 1, sizeof(*s->ev));
	struct store_ev *e = &s->ev[s->nev];
	e->off = off;
	e->len = (uint32_t)len;
	e->next_in_pkt = STORE_NONE;
	e->seq = (uint64_t)num_or(o, "seq", 0);
	e->parent = (uint64_t)num_or(o, "parent", 0);
	e->pkt = num_or(o, "pkt", -1);
	e->skb = num_or(o, "skb", -1);
	e->ts_ns = (uint64_t)num_or(o, "ts_ns", 0);
	e->depth = (uint8_t)num_or(o, "depth", 0);
	e->ph = ph[0];
	int v = verdict_lookup(str_or(o, "verdict", ""));
	int r = drop_reason_lookup(str_or(o, "reason", ""));
	e->verdict = (uint8_t)(v < 0 ? 0 : v);
	e->reason = (uint8_t)(r < 0 ? 0 : r);
	const char *fn = str_or(o, "fn", "?");
	e->fn = intern(s, fn);
	e->layer = intern(s, str_or(o, "layer", "?"));
	index_event(s, s->nev++, fn);
	cJSON_Delete(o);
	return 0;
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

struct nj_store *store_open_jsonl(const char *path, char *err, size_t errlen)
{
	struct nj_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	intern(s, "?");
	s->f = fopen(path, "r");
	if (!s->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		store_free(s);
		return NULL;
	}
	s->path = strdup(path);
	if (load_file(s, path, err, errlen) < 0) {
		store_free(s);
		return NULL;
	}
	return s;
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
	for (int i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], name))
			return i;
	return -1;
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

void store_mib_at(struct nj_store *s, size_t i, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * MIB_MAX);
	for (size_t k = 0; k <= i && k < s->nev; k++) {
		if (s->ev[k].ph != 'E')
			continue;
		char *line = store_line(s, k, NULL);
		cJSON *o = line ? cJSON_Parse(line) : NULL;
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mib"), *c;
		cJSON_ArrayForEach(c, m) {
			int id = mib_lookup(c->string);
			if (id >= 0 && cJSON_IsNumber(c))
				out[id] += (uint64_t)c->valuedouble;
		}
		cJSON_Delete(o);
		free(line);
	}
}
