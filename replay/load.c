/*
 * load.c - the one capture → store loader (see load.h). The trace_start
 * line is written once the replay has run, from the net it ran on: the
 * FIB and the rules do not change during a replay, and the store keeps
 * metadata lines apart from the events, so where they land in the file
 * does not matter.
 */
#include "load.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "events.h"

enum load_kind load_sniff(const char *path, char *err, size_t errlen)
{
	unsigned char b[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return LOAD_UNKNOWN;
	}
	size_t n = fread(b, 1, sizeof(b), f);
	fclose(f);
	uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (n == 4 && (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a))
		return LOAD_CAPTURE;
	if (n >= 1 && b[0] == '{')
		return LOAD_TRACE;
	snprintf(err, errlen, "%s: not a pcap, pcapng or netjourney .jsonl trace (starts with %02x %02x %02x %02x)",
		 path, b[0], b[1], b[2], b[3]);
	return LOAD_UNKNOWN;
}

/* err mentions path (a temporary upload file): show the user's name instead. */
static void rename_in(char *err, size_t errlen, const char *path, const char *name)
{
	char *p = strstr(err, path);
	if (!p || !name || !strcmp(path, name))
		return;
	char tail[512];
	snprintf(tail, sizeof(tail), "%s", p + strlen(path));
	snprintf(p, errlen - (size_t)(p - err), "%s%s", name, tail);
}

/* trace_start and trace_end: the scenario on one line (JSONL). */
static void add_meta(struct nj_store *s, const char *source, struct net *net, const struct replay_result *res,
		     const char *error)
{
	struct jw w = { 0 };
	char *one = res->scenario_json ? strdup(res->scenario_json) : NULL;
	if (one)
		cJSON_Minify(one);
	event_meta_start_net(&w, source, one, res->kernel[0] ? res->kernel : "6.x", net);
	free(one);
	store_add_meta(s, w.buf);
	if (net) {
		jw_reset(&w);
		event_meta_end(&w, net, res->complete && !error, res->events, res->frames, error);
		store_add_meta(s, w.buf);
	}
	jw_free(&w);
}

struct nj_store *load_capture(const char *path, const struct load_opts *o, char *err, size_t errlen)
{
	static const struct replay_cfg none = { 0 };
	struct replay_cfg cfg = o && o->cfg ? *o->cfg : none;
	const char *source = o && o->source ? o->source : path;
	struct nj_store *s = o && o->store ? o->store : store_create(NULL, err, errlen);
	if (!s)
		return NULL;
	if (cfg.nemit >= (int)(sizeof(cfg.emit) / sizeof(cfg.emit[0]))) {
		snprintf(err, errlen, "too many trace sinks");
		store_free(s);
		return NULL;
	}
	cfg.pcap = path;
	cfg.emit[cfg.nemit] = store_emit;
	cfg.emit_ctx[cfg.nemit++] = s;
	struct replay_result res = { 0 };
	struct net *net = NULL;
	int r = replay_run(&cfg, &res, &net, err, errlen);
	if (r < 0)
		rename_in(err, errlen, path, source);
	if (r < 0 && !(o && o->keep_partial && store_nevents(s))) {
		store_free(s);
		s = NULL;
	} else {
		add_meta(s, source, net, &res, r < 0 ? err : NULL);
	}
	if (s && o && o->scenario)
		*o->scenario = res.scenario_json;
	else
		free(res.scenario_json);
	net_destroy(net);
	return s;
}

struct nj_store *load_file(const char *path, const struct load_opts *o, char *err, size_t errlen)
{
	switch (load_sniff(path, err, errlen)) {
	case LOAD_CAPTURE:
		return load_capture(path, o, err, errlen);
	case LOAD_TRACE:
		return store_open_jsonl(path, err, errlen);
	default:
		return NULL;
	}
}
