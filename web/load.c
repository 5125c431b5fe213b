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
#include "explain.h"
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

static void rename_in(char *err, size_t errlen, const char *path, const char *name);

/* The trace_start line, with what the summary shows beside the scenario:
 * the capture host (inferred or not), warnings, the explanation. */
static void add_start(struct nj_store *s, const char *line, const struct replay_result *res, const char *why)
{
	cJSON *o = cJSON_Parse(line);
	char *text = NULL;
	if (o) {
		cJSON *h = cJSON_AddObjectToObject(o, "host");
		cJSON_AddBoolToObject(h, "inferred", res->host_kind == 1 && res->host_addr[0]);
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
		if (res->host_kind == 2 && res->host_note[0])	/* HOST_NONE: no dominant host */
			cJSON_AddItemToArray(w, cJSON_CreateString(res->host_note));
		cJSON_AddStringToObject(o, "explanation", why);
		text = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	}
	store_add_meta(s, text ? text : line);
	free(text);
}

static void add_meta(struct nj_store *s, const char *source, const char *scenario, const char *kernel,
		     struct net *net, const struct replay_result *res, const char *why)
{
	struct jw w = { 0 };
	event_meta_start(&w, source, scenario, kernel);
	add_start(s, w.buf, res, why);
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

struct nj_store *web_replay_store(const char *path, const char *name, const struct web_load_opts *o,
				  char *err, size_t errlen)
{
	static const struct web_load_opts none = { 0 };
	if (!o)
		o = &none;
	struct nj_store *s = store_create(NULL, err, errlen);
	if (!s)
		return NULL;
	struct replay_cfg cfg = { .pcap = path, .scenario = o->scenario, .auto_host = o->auto_host,
				  .no_csum = o->no_csum, .host = o->host, .no_infer = o->no_infer, .info = o->info };
	struct explain ex = { 0 };
	cfg.emit[0] = store_emit;
	cfg.emit_ctx[0] = s;
	cfg.emit[1] = explain_emit;
	cfg.emit_ctx[1] = &ex;
	cfg.nemit = 2;
	struct replay_result res;
	struct net *net = NULL;
	int r = replay_run(&cfg, &res, &net, err, errlen);
	if (r == 0) {
		char *sc = web_scenario_line(o, res.scenario_json), why[640];
		explain_text(&ex, &res, path, o->scenario, why, sizeof(why));
		rename_in(res.trailing, sizeof(res.trailing), path, name);
		add_meta(s, name ? name : path, sc, res.kernel, net, &res, why);
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
