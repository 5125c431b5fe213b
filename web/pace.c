/*
 * pace.c - `serve --pace`: a capture replayed into a live trace at the
 * speed its timestamps say, in a background thread, so the browser can
 * follow events as they are appended (/api/live). The sink sleeps before
 * an event whose time is later than the previous one's (gaps capped), then
 * appends it to the store and wakes the SSE readers. This is the same path
 * the live TAP mode will use: web_live_store + store_emit + web_live_notify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "replay.h"
#include "scenario.h"
#include "web.h"

struct pace {
	char *path;
	struct web_load_opts o;
	int max_gap_ms;
	struct nj_store *s;
	uint64_t last_ts;
};

static pthread_t pace_thread;
static int pace_running;
static volatile int pace_stop;

/* Sleeps ms in short slices so web_stop() is not kept waiting. */
static void pace_sleep(long ms)
{
	while (ms > 0 && !pace_stop) {
		long step = ms < 50 ? ms : 50;
		struct timespec ts = { 0, step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static void pace_emit(void *ctx, const struct trace_event *ev)
{
	struct pace *p = ctx;
	if (p->last_ts && ev->ts_ns > p->last_ts) {
		uint64_t ms = (ev->ts_ns - p->last_ts) / 1000000ULL;
		pace_sleep(ms > (uint64_t)p->max_gap_ms ? p->max_gap_ms : (long)ms);
	}
	p->last_ts = ev->ts_ns;
	store_emit(p->s, ev);
	web_live_notify();
}

static void meta(struct pace *p, const char *scenario_text, struct net *net, const struct replay_result *res)
{
	struct jw w = { 0 };
	char *sc = web_scenario_line(&p->o, scenario_text);
	event_meta_start_net(&w, p->path, sc, res && res->kernel[0] ? res->kernel : "6.x", net);
	store_add_meta(p->s, w.buf);
	free(sc);
	if (net && res) {
		jw_reset(&w);
		event_meta_end(&w, net, res->complete, res->events, res->frames, NULL);
		store_add_meta(p->s, w.buf);
	}
	jw_free(&w);
	web_live_notify();
}

static void *pace_main(void *arg)
{
	struct pace *p = arg;
	char err[512];
	struct replay_cfg cfg = { .pcap = p->path, .scenario = p->o.scenario, .auto_host = p->o.auto_host,
				  .host = p->o.host, .no_infer = p->o.no_infer,
				  .no_csum = p->o.no_csum, .stop = &pace_stop };
	cfg.emit[0] = pace_emit;
	cfg.emit_ctx[0] = p;
	cfg.nemit = 1;
	struct replay_result res;
	struct net *net = NULL;
	meta(p, p->o.scenario || p->o.auto_host ? NULL : scenario_default_json, NULL, NULL);
	if (replay_run(&cfg, &res, &net, err, sizeof(err)) < 0 && !pace_stop)
		fprintf(stderr, "netjourney serve --pace: %s\n", err);
	if (net)
		meta(p, res.scenario_json, net, &res);
	free(res.scenario_json);
	net_destroy(net);
	free(p->path);
	free(p);
	return NULL;
}

int web_pace_start(const char *path, const struct web_load_opts *o, int max_gap_ms, char *err, size_t errlen)
{
	if (pace_running) {
		snprintf(err, errlen, "--pace replays one capture at a time");
		return -1;
	}
	struct pace *p = calloc(1, sizeof(*p));
	int id = 0;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char name[160];
	snprintf(name, sizeof(name), "%s (live)", base);
	if (!p || !(p->path = strdup(path)) || !(p->s = web_live_store(name, &id))) {
		snprintf(err, errlen, "%s: cannot create the live trace", path);
		if (p)
			free(p->path);
		free(p);
		return -1;
	}
	if (o)
		p->o = *o;
	p->max_gap_ms = max_gap_ms > 0 ? max_gap_ms : 2000;
	pace_stop = 0;
	if (pthread_create(&pace_thread, NULL, pace_main, p)) {
		snprintf(err, errlen, "cannot start the --pace thread");
		free(p->path);
		free(p);
		return -1;
	}
	pace_running = 1;
	return id;
}

void web_pace_join(void)
{
	if (!pace_running)
		return;
	pace_stop = 1;
	pthread_join(pace_thread, NULL);
	pace_running = 0;
}
