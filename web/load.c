/*
 * load.c - turning files into traces for the server, through the one
 * loader (replay/load.c): a capture is replayed into an anonymous store, a
 * .jsonl trace is indexed in place. An upload's replay runs under a budget
 * of events and bytes and stops as soon as it passes it, or when the
 * server stops. A failed replay frees its store: nothing half-built escapes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "replay.h"
#include "web.h"

/* Reads a whole (small) file; NULL on error. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && len < (1u << 24)) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *b = realloc(buf, cap);
			if (!b)
				break;
			buf = b;
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

char *web_scenario_line(const struct web_load_opts *o, const char *replayed)
{
	char *text = replayed ? strdup(replayed) : o->scenario ? slurp(o->scenario) : NULL;
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	char *line = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	return line;
}

/* A sink beside the store's that stops the replay past a budget or when
 * the server stops: checked at every event (bytes every 64th). */
struct limit {
	struct nj_store *s;
	size_t max_events, n;
	uint64_t max_bytes;
	uint64_t disk;			/* its bytes counted in the disk budget (upload.c) */
	volatile int stop;
	unsigned status;		/* 507 over the budget, 503 stopping */
	int over_disk;			/* the 507 is the disk budget's */
};

static void limited_emit(void *ctx, const struct trace_event *ev)
{
	struct limit *l = ctx;
	(void)ev;
	if (l->stop)
		return;
	if (++l->n > l->max_events)
		l->status = MHD_HTTP_INSUFFICIENT_STORAGE;
	else if (!(l->n & 63)) {
		store_lock(l->s);
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(l->s, store_nevents(l->s) - 1, &e_buf);
		uint64_t bytes = e ? e->off + e->len : 0;
		store_unlock(l->s);
		uint64_t file;
		store_bytes(l->s, &file);	/* on disk: the compact form's size */
		if (bytes > l->max_bytes)
			l->status = MHD_HTTP_INSUFFICIENT_STORAGE;
		else if ((l->over_disk = web_disk_grow(&l->disk, file) < 0))
			l->status = MHD_HTTP_INSUFFICIENT_STORAGE;
		else if (web_stopping())
			l->status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	l->stop = l->status != 0;
}

/* The replay itself; lim is NULL (no budget) or set up but for its store. */
static struct nj_store *replay_into(const char *path, const char *name, const struct web_load_opts *o,
				    struct limit *lim, char *err, size_t errlen)
{
	static const struct web_load_opts none = { 0 };
	if (!o)
		o = &none;
	struct replay_cfg cfg = { .scenario = o->scenario, .auto_host = o->auto_host, .no_csum = o->no_csum,
				  .host = o->host, .no_infer = o->no_infer, .info = o->info };
	struct load_opts lo = { .cfg = &cfg, .source = name };
	if (lim) {
		if (!(lim->s = store_create(NULL, err, errlen)))
			return NULL;
		lo.store = lim->s;
		cfg.emit[0] = limited_emit;
		cfg.emit_ctx[0] = lim;
		cfg.nemit = 1;
		cfg.stop = &lim->stop;
	}
	struct nj_store *s = load_capture(path, &lo, err, errlen);
	if (s)
		store_seal(s);		/* whole: readers need no mutex now */
	return s;
}

struct nj_store *web_replay_store(const char *path, const char *name, const struct web_load_opts *o,
				  char *err, size_t errlen)
{
	return replay_into(path, name, o, NULL, err, errlen);
}

struct nj_store *web_replay_limited(const char *path, const char *name, const struct web_load_opts *o,
				    size_t max_events, uint64_t max_bytes,
				    unsigned *status, char *err, size_t errlen)
{
	struct limit lim = { .max_events = max_events, .max_bytes = max_bytes };
	struct nj_store *s = replay_into(path, name, o, &lim, err, errlen);
	web_disk_grow(&lim.disk, 0);	/* a trace kept counts in the upload budget from here */
	*status = s ? 0 : lim.status ? lim.status : MHD_HTTP_BAD_REQUEST;
	if (lim.over_disk)
		snprintf(err, errlen, "the uploads in flight would pass this server's disk budget of %llu bytes "
			 "(serve --disk-budget); the replay was stopped there", (unsigned long long)web_disk_budget());
	else if (lim.status == MHD_HTTP_INSUFFICIENT_STORAGE)
		snprintf(err, errlen, "the capture makes more than %zu events or %llu bytes of trace, over this "
			 "server's upload budget (serve --upload-events); stopped there", max_events,
			 (unsigned long long)max_bytes);
	else if (lim.status)
		snprintf(err, errlen, "the server is shutting down; the replay was stopped");
	return s;
}

int web_load_file(const char *path, const struct web_load_opts *o, char *err, size_t errlen)
{
	enum load_kind kind = load_sniff(path, err, errlen);
	if (kind == LOAD_UNKNOWN)
		return -1;
	if (kind == LOAD_CAPTURE)
		return web_open_start(path, o, err, errlen);	/* open.c: served while it replays */
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct nj_store *s = store_open_jsonl(path, err, errlen);
	if (!s)
		return -1;
	int id = web_add_trace(base, s, 0);
	if (id < 0)
		snprintf(err, errlen, "%s: too many traces (at most %d)", path, WEB_MAX_TRACES);
	return id;
}
