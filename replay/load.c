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
#include "explain.h"
#include "frame.h"
#include "host_infer.h"
#include "njz.h"

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
	enum frame_file_kind fk = frame_sniff_file(b, n);
	if (fk == FRAME_FILE_GZIP || fk == FRAME_FILE_ZSTD) {
		snprintf(err, errlen, "%s: a compressed file (%s): decompress it first", path,
			 fk == FRAME_FILE_GZIP ? "gzip" : "zstd");
		return LOAD_UNKNOWN;
	}
	if (fk == FRAME_FILE_PCAP || fk == FRAME_FILE_PCAPNG)
		return LOAD_CAPTURE;
	if ((n >= 1 && b[0] == '{') || (n == 4 && !memcmp(b, NJZ_MAGIC, 4)))	/* JSONL, or compact */
		return LOAD_TRACE;
	snprintf(err, errlen, "%s: not a pcap, pcapng or netjourney trace (.jsonl, .njz) (starts with %02x %02x %02x %02x)",
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

/* What the summary shows beside the scenario (issue #19): the capture
 * host, inferred or not, the warnings and the capture-level explanation,
 * added to the trace_start line. */
static char *with_host(const char *line, const struct replay_result *res, const char *why)
{
	cJSON *o = cJSON_Parse(line);
	if (!o)
		return NULL;
	cJSON *h = cJSON_AddObjectToObject(o, "host");
	cJSON_AddBoolToObject(h, "inferred", res->host_kind == HOST_INFERRED && res->host_addr[0]);
	if (res->host_addr[0])
		cJSON_AddStringToObject(h, "addr", res->host_addr);
	else
		cJSON_AddNullToObject(h, "addr");
	if (res->host_mac[0])
		cJSON_AddStringToObject(h, "mac", res->host_mac);
	else
		cJSON_AddNullToObject(h, "mac");
	cJSON_AddStringToObject(h, "why", res->host_why[0] ? res->host_why : res->host_note[0] ? res->host_note
				: "the scenario's host (or the default one)");
	cJSON *w = cJSON_AddArrayToObject(o, "warnings");
	if (res->trailing[0])
		cJSON_AddItemToArray(w, cJSON_CreateString(res->trailing));
	if (res->host_kind == HOST_NONE && res->host_note[0])	/* no dominant host */
		cJSON_AddItemToArray(w, cJSON_CreateString(res->host_note));
	cJSON_AddStringToObject(o, "explanation", why ? why : "");
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* trace_start and trace_end: the scenario on one line (JSONL). */
static void add_meta(struct nj_store *s, const char *source, struct net *net, const struct replay_result *res,
		     const char *error, const char *why)
{
	struct jw w = { 0 };
	char *one = res->scenario_json ? strdup(res->scenario_json) : NULL;
	if (one)
		cJSON_Minify(one);
	event_meta_start_net(&w, source, one, res->kernel[0] ? res->kernel : "6.x", net);
	free(one);
	char *start = with_host(w.buf, res, why);
	store_add_meta(s, start ? start : w.buf);
	free(start);
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
	int keep = o && o->store && o->keep_store;
	if (cfg.nemit >= (int)(sizeof(cfg.emit) / sizeof(cfg.emit[0]))) {
		snprintf(err, errlen, "too many trace sinks");
		if (!keep)
			store_free(s);
		return NULL;
	}
	cfg.pcap = path;
	cfg.emit[cfg.nemit] = store_emit;
	cfg.emit_ctx[cfg.nemit++] = s;
	struct explain ex = { 0 };
	if (cfg.nemit < (int)(sizeof(cfg.emit) / sizeof(cfg.emit[0]))) {
		cfg.emit[cfg.nemit] = explain_emit;
		cfg.emit_ctx[cfg.nemit++] = &ex;
		cfg.on_frame[cfg.nframe] = explain_frame;
		cfg.on_frame_ctx[cfg.nframe++] = &ex;
	}
	struct replay_result res = { 0 };
	struct net *net = NULL;
	int r = replay_run(&cfg, &res, &net, err, errlen);
	if (r < 0)
		rename_in(err, errlen, path, source);
	if (r < 0 && !(o && o->keep_partial && store_nevents(s))) {
		if (!keep)
			store_free(s);
		s = NULL;
	} else {
		char why[640] = "";
		if (r == 0)
			explain_text(&ex, &res, path, cfg.scenario, why, sizeof(why));
		rename_in(res.trailing, sizeof(res.trailing), path, source);
		add_meta(s, source, net, &res, r < 0 ? err : NULL, why);
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
