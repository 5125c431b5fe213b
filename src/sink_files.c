/*
 * sink_files.c - the JSONL and Chrome trace sinks (see sinks.h). Both write
 * through a 1 MiB stdio buffer into PATH.part and rename on close, so a
 * reader never takes a half-written file for a whole one (a device or FIFO
 * such as /dev/null is written in place).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sinks.h"

/* Only a regular file (or a new one) is written as PATH.part and renamed:
 * renaming over /dev/null would replace the device with a file. */
static int is_regular_or_new(const char *p)
{
	struct stat st;
	return stat(p, &st) != 0 || S_ISREG(st.st_mode);
}

static int open_part(FILE **f, char **path, char **tmp, const char *p, char *err, size_t errlen)
{
	*tmp = NULL;
	*path = strdup(p);
	if (!strcmp(p, "-")) {
		*f = stdout;
		return 0;
	}
	if (!is_regular_or_new(p)) {	/* /dev/null, a FIFO: write in place */
		*f = *path ? fopen(p, "w") : NULL;
		if (!*f) {
			snprintf(err, errlen, "%s: cannot open: %s", p, strerror(errno));
			free(*path);
			*path = NULL;
			return -1;
		}
		setvbuf(*f, NULL, _IOFBF, 1 << 20);
		return 0;
	}
	size_t n = strlen(p) + 6;
	*tmp = malloc(n);
	if (!*path || !*tmp) {
		snprintf(err, errlen, "%s: out of memory", p);
		return -1;
	}
	snprintf(*tmp, n, "%s.part", p);
	*f = fopen(*tmp, "w");
	if (!*f) {
		snprintf(err, errlen, "%s: cannot create: %s", *tmp, strerror(errno));
		free(*tmp);
		free(*path);
		*tmp = *path = NULL;
		return -1;
	}
	setvbuf(*f, NULL, _IOFBF, 1 << 20);
	return 0;
}

static int close_part(FILE *f, char *path, char *tmp, char *err, size_t errlen)
{
	int r = 0;
	if (!f)
		return 0;
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "%s: write failed: %s", tmp ? tmp : path, strerror(errno));
		r = -1;
	}
	if (f != stdout && fclose(f) != 0 && !r) {
		snprintf(err, errlen, "%s: close failed: %s", tmp ? tmp : path, strerror(errno));
		r = -1;
	}
	if (tmp && rename(tmp, path) != 0 && !r) {
		snprintf(err, errlen, "%s: rename failed: %s", path, strerror(errno));
		r = -1;
	}
	free(tmp);
	free(path);
	return r;
}

int jsonl_open(struct jsonl_sink *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	return open_part(&s->f, &s->path, &s->tmp, path, err, errlen);
}

/* One event: serialised into the reused buffer, then handed to the 1 MiB
 * stdio buffer without stdio's per-call lock (the sink has one writer).
 * A caller that wants the bytes on disk now (live mode) fflushes s->f. */
void jsonl_emit(void *ctx, const struct trace_event *ev)
{
	struct jsonl_sink *s = ctx;
	jw_reset(&s->w);
	event_to_json(&s->w, ev);
	jw_raw(&s->w, "\n", 1);
	fwrite_unlocked(s->w.buf, 1, s->w.len, s->f);
	s->events++;
}

void jsonl_line(struct jsonl_sink *s, const char *json)
{
	fputs(json, s->f);
	fputc('\n', s->f);
}

int jsonl_close(struct jsonl_sink *s, char *err, size_t errlen)
{
	int r = close_part(s->f, s->path, s->tmp, err, errlen);
	jw_free(&s->w);
	s->f = NULL;
	return r;
}

int chrome_open(struct chrome_sink *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (open_part(&s->f, &s->path, &s->tmp, path, err, errlen) < 0)
		return -1;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"netjourney\",\"clock\":"
	      "\"ts is the event sequence number in microseconds; packet time is args.ts_ns\"},"
	      "\"traceEvents\":[\n", s->f);
	return 0;
}

/* Perfetto needs increasing timestamps and proper nesting; packet time is
 * shared by a whole journey, so ts is the sequence number instead. */
void chrome_emit(void *ctx, const struct trace_event *ev)
{
	struct chrome_sink *s = ctx;
	struct jw *w = &s->w;
	char ph[2] = { ev->ph == 'i' ? 'i' : ev->ph, 0 };

	jw_reset(w);
	if (s->events)
		jw_raw(w, ",\n", 2);
	jw_obj_open(w);
	jw_kv_str(w, "name", ev->fn);
	jw_kv_str(w, "cat", ev->layer);
	jw_kv_str(w, "ph", ph);
	jw_kv_uint(w, "ts", ev->seq);
	jw_kv_int(w, "pid", 1);
	jw_kv_int(w, "tid", 1);
	if (ev->ph == 'i')
		jw_kv_str(w, "s", "t");
	jw_key(w, "args");
	event_to_json(w, ev);
	jw_obj_close(w);
	fwrite_unlocked(w->buf, 1, w->len, s->f);
	s->events++;
}

int chrome_close(struct chrome_sink *s, char *err, size_t errlen)
{
	if (!s->f)
		return 0;
	fputs("\n]}\n", s->f);
	int r = close_part(s->f, s->path, s->tmp, err, errlen);
	jw_free(&s->w);
	s->f = NULL;
	return r;
}
