/*
 * load.c - turning files into traces for the server, through the replay
 * layer's one loader (replay/load.h: trace_start and trace_end always
 * written). A failed replay frees its store: nothing half-built escapes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
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

struct nj_store *web_replay_store(const char *path, const char *name, const struct web_load_opts *o,
				  char *err, size_t errlen)
{
	static const struct web_load_opts none = { 0 };
	if (!o)
		o = &none;
	struct replay_cfg cfg = { .scenario = o->scenario, .auto_host = o->auto_host, .no_csum = o->no_csum };
	struct load_opts lo = { .cfg = &cfg, .source = name };
	return load_capture(path, &lo, err, errlen);
}

int web_load_file(const char *path, const struct web_load_opts *o, char *err, size_t errlen)
{
	enum load_kind kind = load_sniff(path, err, errlen);
	if (kind == LOAD_UNKNOWN)
		return -1;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct nj_store *s = kind == LOAD_CAPTURE ? web_replay_store(path, NULL, o, err, errlen)
						  : store_open_jsonl(path, err, errlen);
	if (!s)
		return -1;
	int id = web_add_trace(base, s, 0);
	if (id < 0)
		snprintf(err, errlen, "%s: too many traces (at most %d)", path, WEB_MAX_TRACES);
	return id;
}
