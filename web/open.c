/*
 * open.c - `serve CAPTURE` opens a capture at once: the trace is registered
 * as soon as its scenario is loaded, and the replay fills its store in a
 * background thread. The store takes appends while server threads read
 * (store.h), so what is indexed is served at once (web_extent); a request
 * past that answers 409 "not ready yet" with Retry-After and the progress
 * (web_not_ready), never 404. A scenario or capture that fails before the
 * first frame fails web_open_start as a synchronous load would, and a
 * small capture (whole within WEB_OPEN_WAIT_MS) is whole before serving.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "load.h"
#include "web.h"

#define WEB_OPEN_WAIT_MS 300		/* how long web_open_start waits for a small capture to be whole */
#define PCAP_REC_HDR	16		/* a pcap record header: the progress estimate's overhead */

struct web_open {
	pthread_t th;
	char *path;
	struct web_load_opts o;
	struct nj_store *s;
	volatile int stop;
	uint64_t cap_bytes;		/* the capture file's size */
	uint64_t bytes;			/* frame bytes replayed so far (atomic) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, finished;		/* the scenario is loaded / the replay returned (under mu) */
	int done;			/* the trace is whole, under the store's lock */
	int ok;				/* load_capture kept the store */
	char err[512];
};

/* A sink before the store's: counts the capture's bytes for the progress
 * and stops the replay when the server stops. */
static void open_emit(void *ctx, const struct trace_event *ev)
{
	struct web_open *op = ctx;
	if (ev->ph == 'B' && ev->args && !strcmp(ev->fn, "driver_rx")) {
		const char *c = strstr(ev->args, "\"caplen\":");	/* the frame's args (docs/events.md) */
		uint64_t n = c ? strtoull(c + 9, NULL, 10) : 0;
		__atomic_add_fetch(&op->bytes, n + PCAP_REC_HDR, __ATOMIC_RELAXED);
	}
	if (!(ev->seq & 1023) && web_stopping())
		op->stop = 1;
}

static void signal_state(struct web_open *op, int *flag)
{
	pthread_mutex_lock(&op->mu);
	*flag = 1;
	pthread_cond_broadcast(&op->cv);
	pthread_mutex_unlock(&op->mu);
}

/* replay_cfg.on_start: the scenario is loaded; the trace may be listed. */
static void open_started(void *ctx, const struct replay_result *res)
{
	(void)res;
	struct web_open *op = ctx;
	signal_state(op, &op->started);
}

static void *open_main(void *arg)
{
	struct web_open *op = arg;
	struct replay_cfg cfg = { .scenario = op->o.scenario, .auto_host = op->o.auto_host, .no_csum = op->o.no_csum,
				  .host = op->o.host, .no_infer = op->o.no_infer, .info = op->o.info,
				  .stop = &op->stop, .on_start = open_started, .on_start_ctx = op };
	cfg.emit[0] = open_emit;
	cfg.emit_ctx[0] = op;
	cfg.nemit = 1;
	struct load_opts lo = { .cfg = &cfg, .store = op->s, .keep_store = 1, .keep_partial = 1 };
	char err[sizeof(op->err)] = "";
	struct nj_store *s = load_capture(op->path, &lo, err, sizeof(err));
	store_seal(op->s);		/* whole (or cut short): readers need no mutex now */
	store_lock(op->s);
	op->ok = s != NULL;
	op->done = 1;
	if (err[0])
		snprintf(op->err, sizeof(op->err), "%s", err);
	store_unlock(op->s);
	web_live_notify();		/* an SSE or long-poll reader may wait on it */
	signal_state(op, &op->finished);
	return NULL;
}

void web_open_free(struct web_open *op)
{
	if (!op)
		return;
	op->stop = 1;
	pthread_join(op->th, NULL);
	pthread_mutex_destroy(&op->mu);
	pthread_cond_destroy(&op->cv);
	free(op->path);
	free(op);
}

int web_open_start(const char *path, const struct web_load_opts *o, char *err, size_t errlen)
{
	struct web_open *op = calloc(1, sizeof(*op));
	struct stat sb;
	if (!op || !(op->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(op);
		return -1;
	}
	if (!(op->s = store_create(NULL, err, errlen))) {
		free(op->path);
		free(op);
		return -1;
	}
	if (o)
		op->o = *o;
	op->cap_bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	pthread_mutex_init(&op->mu, NULL);
	pthread_cond_init(&op->cv, NULL);
	struct nj_store *s = op->s;
	if (pthread_create(&op->th, NULL, open_main, op)) {
		snprintf(err, errlen, "%s: cannot start the replay thread", path);
		store_free(s);
		free(op->path);
		free(op);
		return -1;
	}
	pthread_mutex_lock(&op->mu);
	while (!op->started && !op->finished)
		pthread_cond_wait(&op->cv, &op->mu);
	int failed = !op->started;
	struct timespec until;			/* a small capture is whole before serving starts */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += WEB_OPEN_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	while (!failed && !op->finished && !pthread_cond_timedwait(&op->cv, &op->mu, &until))
		;
	pthread_mutex_unlock(&op->mu);
	if (failed) {			/* nothing replayed: fail as a synchronous load does */
		snprintf(err, errlen, "%s", op->err[0] ? op->err : "the replay failed");
		web_open_free(op);
		store_free(s);
		return -1;
	}
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int id = web_add_opening(base, s, op);
	if (id < 0)
		snprintf(err, errlen, "%s: too many traces (at most %d)", path, WEB_MAX_TRACES);
	return id;
}

int web_extent(struct web_trace *t, size_t *nev, size_t *npkts)
{
	int opening = t->open && !t->open->done;
	size_t np = store_npkts(t->s);
	if (nev)
		*nev = store_nevents(t->s);
	if (npkts)
		*npkts = opening && np ? np - 1 : np;
	return opening;
}

int web_opening(struct web_trace *t, size_t *nev, size_t *npkts)
{
	store_lock(t->s);
	int r = web_extent(t, nev, npkts);
	store_unlock(t->s);
	return r;
}

cJSON *web_progress_json(struct web_trace *t)
{
	size_t ne, np;
	store_lock(t->s);
	int opening = web_extent(t, &ne, &np);
	store_unlock(t->s);
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "packets", (double)np);
	cJSON_AddNumberToObject(p, "events", (double)ne);
	if (t->open) {
		uint64_t b = __atomic_load_n(&t->open->bytes, __ATOMIC_RELAXED), c = t->open->cap_bytes;
		double f = !opening ? 1 : c ? (double)b / (double)c : 0;
		cJSON_AddNumberToObject(p, "bytes", (double)b);
		cJSON_AddNumberToObject(p, "capture_bytes", (double)c);
		/* an estimate while opening (frame bytes plus pcap's record headers), 1 once done */
		cJSON_AddNumberToObject(p, "fraction", f > 0.99 && opening ? 0.99 : f);
	} else {
		cJSON_AddNumberToObject(p, "fraction", 1);
	}
	cJSON_AddBoolToObject(p, "done", !opening);
	return p;
}

enum MHD_Result web_not_ready(struct web_req *r, struct web_trace *t, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	char text[700];
	snprintf(text, sizeof(text), "trace %d is still being opened: %s; retry later", t->id, msg);
	cJSON_AddStringToObject(o, "error", text);
	cJSON_AddNumberToObject(o, "status", MHD_HTTP_CONFLICT);
	cJSON_AddStringToObject(o, "state", "opening");
	cJSON_AddItemToObject(o, "progress", web_progress_json(t));
	return web_reply_retry(r->conn, MHD_HTTP_CONFLICT, o, WEB_RETRY_OPENING);
}

/* web_open_error - the replay's error once done, or NULL (under the store's lock). */
const char *web_open_error(struct web_trace *t)
{
	return t->open && t->open->done && t->open->err[0] ? t->open->err : NULL;
}
