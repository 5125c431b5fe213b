/*
 * load.c - turning files into traces: a capture is replayed through the
 * stack into an anonymous store (store_emit as a sink, trace_start with the
 * effective scenario, trace_end with the totals), a .jsonl trace is
 * indexed in place. The kind is taken from the file's first bytes, not
 * its name. A failed replay frees its store: nothing half-built escapes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
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

static void add_meta(struct nj_store *s, const char *source, const char *scenario, const char *kernel,
		     struct net *net, const struct replay_result *res)
{
	struct jw w = { 0 };
	event_meta_start(&w, source, scenario, kernel);
	store_add_meta(s, w.buf);
	jw_reset(&w);
	event_meta_end(&w, net, res->complete, res->events, res->frames, NULL);
	store_add_meta(s, w.buf);
	jw_free(&w);
}

/* err mentions path (a temporary upload file): show the user's name instead. */
static void rename_in(char *err, size_t errlen, const char *path, const char *name)
{
	char *p = strstr(err, path);
	if (!p || !name)
		return;
	char tail[512];
	snprintf(tail, sizeof(tail), "%s", p + strlen(path));
	snprintf(p, errlen - (size_t)(p - err), "%s%s", name, tail);
}

/* A sink in front of the store that stops the replay past a budget or
 * when the server stops: checked at every event (bytes every 64th). */
struct limit {
	struct nj_store *s;
	size_t max_events, n;
	uint64_t max_bytes;
	volatile int stop;
	unsigned status;		/* 507 over the budget, 503 stopping */
};

static void limited_emit(void *ctx, const struct trace_event *ev)
{
	struct limit *l = ctx;
	store_emit(l->s, ev);
	if (l->stop)
		return;
	if (++l->n > l->max_events)
		l->status = MHD_HTTP_INSUFFICIENT_STORAGE;
	else if (!(l->n & 63)) {
		store_lock(l->s);
		const struct store_ev *e = store_ev(l->s, store_nevents(l->s) - 1);
		uint64_t bytes = e ? e->off + e->len : 0;
		store_unlock(l->s);
		if (bytes > l->max_bytes)
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
	struct nj_store *s = store_create(NULL, err, errlen);
	if (!s)
		return NULL;
	struct replay_cfg cfg = { .pcap = path, .scenario = o->scenario, .auto_host = o->auto_host,
				  .no_csum = o->no_csum };
	cfg.emit[0] = lim ? limited_emit : store_emit;
	cfg.emit_ctx[0] = lim ? (void *)lim : (void *)s;
	cfg.nemit = 1;
	if (lim) {
		lim->s = s;
		cfg.stop = &lim->stop;
	}
	struct replay_result res;
	struct net *net = NULL;
	int r = replay_run(&cfg, &res, &net, err, errlen);
	if (r == 0) {
		char *sc = web_scenario_line(o, res.scenario_json);
		add_meta(s, name ? name : path, sc, res.kernel, net, &res);
		free(sc);
	} else {
		rename_in(err, errlen, path, name);
		store_free(s);
		s = NULL;
	}
	free(res.scenario_json);
	net_destroy(net);
	return s;
}

struct nj_store *web_replay_store(const char *path, const char *name, const struct web_load_opts *o,
				  char *err, size_t errlen)
{
	return replay_into(path, name, o, NULL, err, errlen);
}

struct nj_store *web_replay_limited(const char *path, const char *name, size_t max_events, uint64_t max_bytes,
				    unsigned *status, char *err, size_t errlen)
{
	struct limit lim = { .max_events = max_events, .max_bytes = max_bytes };
	struct nj_store *s = replay_into(path, name, NULL, &lim, err, errlen);
	*status = s ? 0 : lim.status ? lim.status : MHD_HTTP_BAD_REQUEST;
	if (lim.status == MHD_HTTP_INSUFFICIENT_STORAGE)
		snprintf(err, errlen, "the capture makes more than %zu events or %llu bytes of trace, over this "
			 "server's upload budget (serve --upload-events); stopped there", max_events,
			 (unsigned long long)max_bytes);
	else if (lim.status)
		snprintf(err, errlen, "the server is shutting down; the replay was stopped");
	return s;
}

struct nj_store *web_replay_scenario_limited(const char *path, const char *name, const char *scen, int no_csum,
					     size_t max_events, uint64_t max_bytes, unsigned *status, char *err,
					     size_t errlen)
{
	struct web_load_opts o = { .scenario = scen, .no_csum = no_csum };
	struct limit lim = { .max_events = max_events, .max_bytes = max_bytes };
	struct nj_store *s = replay_into(path, name, &o, &lim, err, errlen);
	*status = s ? 0 : lim.status ? lim.status : MHD_HTTP_BAD_REQUEST;
	if (lim.status == MHD_HTTP_INSUFFICIENT_STORAGE)
		snprintf(err, errlen, "the replay makes more than %zu events or %llu bytes of trace, over this "
			 "server's upload budget (serve --upload-events); stopped there", max_events,
			 (unsigned long long)max_bytes);
	else if (lim.status)
		snprintf(err, errlen, "the server is shutting down; the replay was stopped");
	return s;
}

/* "pcap", "jsonl" or NULL from the first bytes of the file. */
static const char *file_kind(const char *path, char *err, size_t errlen)
{
	unsigned char b[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (n == 4 && (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a))
		return "pcap";
	if (n >= 1 && b[0] == '{')
		return "jsonl";
	snprintf(err, errlen, "%s: not a pcap, pcapng or netjourney .jsonl trace (starts with %02x %02x %02x %02x)",
		 path, b[0], b[1], b[2], b[3]);
	return NULL;
}

int web_load_file(const char *path, const struct web_load_opts *o, char *err, size_t errlen)
{
	const char *kind = file_kind(path, err, errlen);
	if (!kind)
		return -1;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct nj_store *s = !strcmp(kind, "pcap") ? web_replay_store(path, NULL, o, err, errlen)
						   : store_open_jsonl(path, err, errlen);
	if (!s)
		return -1;
	int id = web_add_trace(base, s, 0);
	if (id < 0)
		snprintf(err, errlen, "%s: too many traces (at most %d)", path, WEB_MAX_TRACES);
	return id;
}
