/*
 * traces.c - the registry of traces the server shows. Traces given on the
 * command line, lessons and live traces stay until web_stop; uploads are
 * bounded (web_set_upload_limits): at most N kept and E events in all,
 * least recently used evicted first, idle ones expired. A reader holds a
 * reference (web_trace_get/put), and a referenced trace is never evicted,
 * so a request's pointer stays valid however long it takes. /api/live
 * streams with nothing to send are parked here, their connections
 * suspended (no thread waits), and resumed when the newest live trace
 * gains events or changes, when the server stops, or when their time is
 * up (a keep-alive is due; the watchdog looks every tick).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct web_trace *traces[WEB_MAX_TRACES];
static int ntraces, next_id = 1, live_id;
static uint64_t live_gen;		/* bumped by every notify */
static struct web_park *parked;		/* streams waiting (under reg_mu) */
static uint64_t lru_clock;		/* orders uses exactly, even two in one ms */
static int stopping;
static int max_uploads = WEB_UPLOADS_DEFAULT;
static int64_t idle_ms = WEB_UPLOAD_IDLE_DEFAULT * 1000;
static size_t max_events = WEB_UPLOAD_EVENTS_DEFAULT;
static uint64_t max_bytes = (uint64_t)WEB_UPLOAD_EVENTS_DEFAULT * WEB_UPLOAD_EVENT_BYTES;

int64_t web_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void web_set_upload_limits(int uploads, size_t events, int idle_s)
{
	pthread_mutex_lock(&reg_mu);
	max_uploads = uploads < 0 ? 0 : uploads;
	max_events = events;
	max_bytes = (uint64_t)events * WEB_UPLOAD_EVENT_BYTES;
	idle_ms = idle_s < 0 ? 0 : (int64_t)idle_s * 1000;
	pthread_mutex_unlock(&reg_mu);
}

void web_upload_budget(size_t *events, uint64_t *bytes)
{
	pthread_mutex_lock(&reg_mu);
	*events = max_events;
	*bytes = max_bytes;
	pthread_mutex_unlock(&reg_mu);
}

int web_uploads_allowed(void)
{
	pthread_mutex_lock(&reg_mu);
	int on = max_uploads > 0;
	pthread_mutex_unlock(&reg_mu);
	return on;
}

static void trace_free(struct web_trace *t)
{
	web_open_free(t->open);		/* its replay stops before the store goes */
	web_filters_free(t);
	pthread_mutex_destroy(&t->mu);
	web_hist_free(t->hist);
	fold_index_free(t->fold);
	for (int k = 0; k < WEB_STATE_CACHE; k++)
		free(t->state_cache[k].text);
	web_sums_free(t);
	store_free(t->s);
	free(t);
}

/* Resumes the parked streams (reg_mu held): all, or those whose time is
 * up. Resumed, a stream's content reader runs again on its own thread. */
static void wake_parked(int all)
{
	int64_t now = all ? 0 : web_clock_ms();
	for (struct web_park *p = parked, *next; p; p = next) {
		next = p->next;
		if (!all && p->until_ms > now)
			continue;
		if (p->prev)
			p->prev->next = p->next;
		else
			parked = p->next;
		if (p->next)
			p->next->prev = p->prev;
		MHD_resume_connection(p->c);
	}
}

/* Registers t (reg_mu held): an id, a slot, a first use. */
static int insert(struct web_trace *t)
{
	t->id = next_id++;
	t->lru = ++lru_clock;
	t->used_ms = web_clock_ms();
	traces[ntraces++] = t;
	if (t->live)
		live_id = t->id;
	live_gen++;
	wake_parked(1);
	return t->id;
}

static struct web_trace *trace_new(const char *name, struct nj_store *store, int live)
{
	struct web_trace *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "trace");
	t->s = store;
	t->live = live;
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

int web_add_trace(const char *name, struct nj_store *store, int live)
{
	struct web_trace *t = trace_new(name, store, live);
	pthread_mutex_lock(&reg_mu);
	if (!t || ntraces == WEB_MAX_TRACES) {
		pthread_mutex_unlock(&reg_mu);
		free(t);
		store_free(store);
		return -1;
	}
	int id = insert(t);
	pthread_mutex_unlock(&reg_mu);
	return id;
}

int web_add_opening(const char *name, struct nj_store *store, struct web_open *op)
{
	struct web_trace *t = trace_new(name, store, 0);
	pthread_mutex_lock(&reg_mu);
	if (!t || ntraces == WEB_MAX_TRACES) {
		pthread_mutex_unlock(&reg_mu);
		free(t);
		web_open_free(op);
		store_free(store);
		return -1;
	}
	t->open = op;
	int id = insert(t);
	pthread_mutex_unlock(&reg_mu);
	return id;
}

/* Takes slot i out of the list (reg_mu held); the caller frees it. */
static struct web_trace *unlist(int i)
{
	struct web_trace *t = traces[i];
	memmove(&traces[i], &traces[i + 1], (size_t)(ntraces - i - 1) * sizeof(traces[0]));
	ntraces--;
	return t;
}

/* The least recently used upload nobody reads, or -1 (reg_mu held). */
static int lru_victim(void)
{
	int v = -1;
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->upload && !traces[i]->refs && (v < 0 || traces[i]->lru < traces[v]->lru))
			v = i;
	return v;
}

static void upload_totals(int *n, size_t *events, uint64_t *bytes)
{
	*n = 0;
	*events = 0;
	*bytes = 0;
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->upload) {
			(*n)++;
			*events += traces[i]->nev;
			*bytes += traces[i]->nbytes;
		}
}

/* Frees evicted traces outside reg_mu, and gives their memory back to the
 * OS: glibc keeps freed heap otherwise, and RSS would never come down. */
static void free_victims(struct web_trace **v, int n)
{
	for (int i = 0; i < n; i++)
		trace_free(v[i]);
	if (n)
		malloc_trim(0);
}

/* The least recently used upload if nobody reads it, else -1: a reader
 * letting go must not evict newer uploads ahead of the one it held. */
static int lru_if_idle(void)
{
	int v = -1;
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->upload && (v < 0 || traces[i]->lru < traces[v]->lru))
			v = i;
	return v >= 0 && !traces[v]->refs ? v : -1;
}

static int over_limits(size_t extra_events, uint64_t extra_bytes, int extra)
{
	int n;
	size_t events;
	uint64_t bytes;
	upload_totals(&n, &events, &bytes);
	return n + extra > max_uploads || events + extra_events > max_events || bytes + extra_bytes > max_bytes;
}

/* Evicts LRU uploads while the uploads (plus extra to come) are over the
 * limits (reg_mu held). Ones being read are skipped, or with strict they
 * stop it: the registry may then stay over the limits until their readers
 * let go (web_trace_put trims again), for the time of a request. */
static void trim(size_t extra_events, uint64_t extra_bytes, int extra, int strict, struct web_trace **v, int *nv)
{
	int i;
	while (over_limits(extra_events, extra_bytes, extra) && (i = strict ? lru_if_idle() : lru_victim()) >= 0)
		v[(*nv)++] = unlist(i);
}

/* Makes room for an upload of nev events (reg_mu held). Returns 0, or the
 * HTTP status that refuses it with err set. */
static unsigned make_room(size_t nev, uint64_t nbytes, struct web_trace **v, int *nv, char *err, size_t errlen)
{
	if (!max_uploads) {
		snprintf(err, errlen, "uploads are disabled on this server (serve --max-uploads 0)");
		return MHD_HTTP_FORBIDDEN;
	}
	if (nev > max_events || nbytes > max_bytes) {
		snprintf(err, errlen, "the capture makes %zu events (%llu bytes of trace), over this server's upload "
			 "budget of %zu (%llu bytes; serve --upload-events)", nev, (unsigned long long)nbytes, max_events,
			 (unsigned long long)max_bytes);
		return MHD_HTTP_INSUFFICIENT_STORAGE;
	}
	trim(nev, nbytes, 1, 0, v, nv);
	if (ntraces == WEB_MAX_TRACES) {
		snprintf(err, errlen, "too many traces (at most %d)", WEB_MAX_TRACES);
		return MHD_HTTP_INSUFFICIENT_STORAGE;
	}
	return 0;
}

int web_add_upload(const char *name, struct nj_store *store, struct web_trace **out, int *evicted, int *nevicted,
		   char *err, size_t errlen)
{
	struct web_trace *t = trace_new(name, store, 0), *v[WEB_MAX_TRACES];
	int nv = 0, cap = nevicted ? *nevicted : 0;
	*out = NULL;
	if (!t) {
		store_free(store);
		snprintf(err, errlen, "out of memory");
		return -MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	t->upload = 1;
	store_lock(store);
	t->nev = store_nevents(store);
	struct store_ev last_buf;
	const struct store_ev *last = t->nev ? store_ev_at(store, t->nev - 1, &last_buf) : NULL;
	t->nbytes = last ? last->off + last->len : 0;
	store_unlock(store);
	pthread_mutex_lock(&reg_mu);
	unsigned st = make_room(t->nev, t->nbytes, v, &nv, err, errlen);
	int id = st ? -(int)st : insert(t);
	if (!st)
		t->refs = 1;		/* the caller's: not evictable before it replies */
	pthread_mutex_unlock(&reg_mu);
	for (int i = 0; i < nv && i < cap; i++)
		evicted[i] = v[i]->id;
	if (nevicted)
		*nevicted = nv < cap ? nv : cap;
	free_victims(v, nv);
	if (st)
		trace_free(t);
	else
		*out = t;
	return id;
}

int web_traces_expire(int64_t now_ms)
{
	struct web_trace *v[WEB_MAX_TRACES];
	int nv = 0;
	pthread_mutex_lock(&reg_mu);
	for (int i = ntraces - 1; idle_ms && i >= 0; i--)
		if (traces[i]->upload && !traces[i]->refs && now_ms - traces[i]->used_ms >= idle_ms)
			v[nv++] = unlist(i);
	pthread_mutex_unlock(&reg_mu);
	free_victims(v, nv);
	return nv;
}

/* A reference to trace id; touch: it counts as a use (LRU, idle). */
static struct web_trace *ref(int64_t id, int touch)
{
	struct web_trace *t = NULL;
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->id == id)
			t = traces[i];
	if (t)
		t->refs++;
	if (t && touch) {
		t->lru = ++lru_clock;
		t->used_ms = web_clock_ms();
	}
	pthread_mutex_unlock(&reg_mu);
	return t;
}

struct web_trace *web_trace_get(int64_t id)
{
	return ref(id, 1);
}

struct web_trace *web_trace_hold(int64_t id)
{
	return ref(id, 0);
}

void web_trace_put(struct web_trace *t)
{
	struct web_trace *v[WEB_MAX_TRACES];
	int nv = 0;
	if (!t)
		return;
	pthread_mutex_lock(&reg_mu);
	if (!--t->refs && t->upload)
		trim(0, 0, 0, 1, v, &nv);	/* the eviction its reader held back */
	pthread_mutex_unlock(&reg_mu);
	free_victims(v, nv);
}

struct web_trace *web_req_trace(struct web_req *r, int64_t id)
{
	if (r->held && r->held->id == id)
		return r->held;
	web_trace_put(r->held);
	r->held = web_trace_get(id);
	return r->held;
}

int web_trace_ids(int *ids, int max)
{
	pthread_mutex_lock(&reg_mu);
	int n = ntraces < max ? ntraces : max;
	for (int i = 0; i < n; i++)
		ids[i] = traces[i]->id;
	pthread_mutex_unlock(&reg_mu);
	return n;
}

int web_live_id(void)
{
	pthread_mutex_lock(&reg_mu);
	int id = live_id;
	pthread_mutex_unlock(&reg_mu);
	return id;
}

struct nj_store *web_live_store(const char *name, int *id)
{
	char err[256];
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	if (!s)
		return NULL;
	int r = web_add_trace(name, s, 1);
	if (r < 0)
		return NULL;
	if (id)
		*id = r;
	return s;
}

void web_live_notify(void)
{
	pthread_mutex_lock(&reg_mu);
	live_gen++;
	wake_parked(1);
	pthread_mutex_unlock(&reg_mu);
}

uint64_t web_live_gen(void)
{
	pthread_mutex_lock(&reg_mu);
	uint64_t g = live_gen;
	pthread_mutex_unlock(&reg_mu);
	return g;
}

int web_live_park(struct web_park *p, uint64_t gen, int ms)
{
	pthread_mutex_lock(&reg_mu);
	int now = stopping || live_gen != gen;
	if (!now) {
		p->until_ms = web_clock_ms() + ms;
		p->prev = NULL;
		p->next = parked;
		if (parked)
			parked->prev = p;
		parked = p;
		/* under reg_mu: a notify cannot come between the test and this */
		MHD_suspend_connection(p->c);
	}
	pthread_mutex_unlock(&reg_mu);
	return now ? -1 : 0;
}

void web_live_wake(int all)
{
	pthread_mutex_lock(&reg_mu);
	wake_parked(all);
	pthread_mutex_unlock(&reg_mu);
}

int web_stopping(void)
{
	pthread_mutex_lock(&reg_mu);
	int s = stopping;
	pthread_mutex_unlock(&reg_mu);
	return s;
}

void web_set_stopping(int on)
{
	pthread_mutex_lock(&reg_mu);
	stopping = on;
	wake_parked(1);
	pthread_mutex_unlock(&reg_mu);
}

void web_traces_free(void)
{
	struct web_trace *v[WEB_MAX_TRACES];
	pthread_mutex_lock(&reg_mu);
	int n = ntraces;
	memcpy(v, traces, (size_t)n * sizeof(v[0]));
	ntraces = 0;
	live_id = 0;
	next_id = 1;
	pthread_mutex_unlock(&reg_mu);
	/* outside reg_mu: a capture still opening is stopped and joined, and
	 * its thread takes reg_mu on the way out (web_stopping, notify) */
	for (int i = 0; i < n; i++)
		trace_free(v[i]);
}
