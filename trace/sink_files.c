/*
 * sink_files.c - the JSONL and Chrome trace sinks (see sinks.h). Both write
 * into PATH.part and rename on close, so a reader never takes a
 * half-written file for a whole one (a device or FIFO such as /dev/null is
 * written in place). JSONL goes through outbuf's writer thread; Chrome
 * through a 1 MiB stdio buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "event_rec.h"
#include "njz.h"
#include "sinks.h"

/* Only a regular file (or a new one) is written as PATH.part and renamed:
 * renaming over /dev/null would replace the device with a file. */
static int is_regular_or_new(const char *p)
{
	struct stat st;
	return stat(p, &st) != 0 || S_ISREG(st.st_mode);
}

/* Opens p for writing, as p.part when p is a regular (or new) file. */
static int open_part(int *fd, char **path, char **tmp, const char *p, char *err, size_t errlen)
{
	*tmp = NULL;
	*path = strdup(p);
	if (!*path) {
		snprintf(err, errlen, "%s: out of memory", p);
		return -1;
	}
	if (!is_regular_or_new(p)) {	/* /dev/null, a FIFO: write in place */
		*fd = open(p, O_WRONLY | O_CLOEXEC);
		if (*fd < 0) {
			snprintf(err, errlen, "%s: cannot open: %s", p, strerror(errno));
			goto fail;
		}
		return 0;
	}
	size_t n = strlen(p) + 6;
	*tmp = malloc(n);
	if (!*tmp) {
		snprintf(err, errlen, "%s: out of memory", p);
		goto fail;
	}
	snprintf(*tmp, n, "%s.part", p);
	*fd = open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", *tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	free(*tmp);
	free(*path);
	*tmp = *path = NULL;
	return -1;
}

/* Renames p.part into place once its bytes are safely handed over; wret
 * is the flush's result (errno set when -1). */
static int close_part(int wret, int fd, char *path, char *tmp, char *err, size_t errlen)
{
	int r = 0;
	if (wret < 0) {
		snprintf(err, errlen, "%s: write failed: %s", tmp ? tmp : path, strerror(errno));
		r = -1;
	}
	if (fd >= 0 && close(fd) != 0 && !r) {
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

/* Formatted JSONL to the file, or through the compact writer. */
static void jsonl_put(struct jsonl_sink *s, const char *p, size_t n)
{
	if (!s->z)
		outbuf_put_fd(&s->ob, p, n);
	else if (njz_append(s->z, p, n) < 0 && !s->zerr)
		s->zerr = errno ? errno : EIO;
}

/* The writer thread's half: event records to JSON lines, then to the
 * file a megabyte at a time. */
static void jsonl_format(void *ctx, const char *p, size_t n)
{
	struct jsonl_sink *s = ctx;
	struct jw *w = &s->cw;
	struct trace_event ev;
	struct skb_state st;
	const char *line = NULL;
	size_t line_len = 0, k;
	int kind;

	jw_reset(w);
	for (size_t off = 0; off < n; off += k) {
		k = event_rec_get(p + off, n - off, &kind, &ev, &st, &line, &line_len);
		if (!k)
			break;		/* cannot happen: the producer wrote whole records */
		if (kind == EVENT_REC_LINE) {
			jw_raw(w, line, line_len);
		} else {
			w->need_comma = 0;
			event_to_json(w, &ev);
		}
		jw_raw(w, "\n", 1);
		if (w->len >= OUTBUF_SIZE) {
			jsonl_put(s, w->buf, w->len);
			jw_reset(w);
		}
	}
	jsonl_put(s, w->buf, w->len);
}

/* Copies ev (or a pre-built line) into the writer's queue as a record. */
static void jsonl_queue(struct jsonl_sink *s, const struct trace_event *ev, const char *line, size_t line_len)
{
	struct event_rec_len len;
	size_t n = event_rec_size(ev, line_len, &len);
	char *r = outbuf_reserve(&s->ob, n);
	if (r) {
		outbuf_commit(&s->ob, event_rec_put(r, ev, line, line_len, &len));
		return;
	}
	char *big = aligned_alloc(8, n);	/* over a buffer: args of a huge frame */
	if (!big) {
		fputs("netjourney: out of memory queueing a trace event\n", stderr);
		abort();
	}
	outbuf_write(&s->ob, big, event_rec_put(big, ev, line, line_len, &len));
	free(big);
}

int jsonl_open(struct jsonl_sink *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!strcmp(path, "-")) {
		s->f = stdout;
		s->path = strdup(path);
		s->open = 1;
		return 0;
	}
	if (open_part(&s->fd, &s->path, &s->tmp, path, err, errlen) < 0)
		return -1;
	if (njz_is_name(path) && !(s->z = njz_create(s->fd, err, errlen))) {
		close(s->fd);
		if (s->tmp)		/* never a device written in place */
			unlink(s->tmp);
		free(s->tmp);
		free(s->path);
		s->fd = -1;
		s->path = s->tmp = NULL;
		return -1;
	}
	if (outbuf_open_consumer(&s->ob, s->fd, jsonl_format, s) < 0) {
		snprintf(err, errlen, "%s: cannot start the writer: %s", path, strerror(errno));
		close_part(0, s->fd, s->path, s->tmp, err, 0);
		if (s->tmp)
			unlink(s->tmp);
		s->fd = -1;
		return -1;
	}
	s->open = 1;
	return 0;
}

/* One event: to a file, queued as a record for the writer thread to
 * format; to stdout (shared with the terminal printer), formatted here and
 * written through stdio without its per-call lock (one producer). */
void jsonl_emit(void *ctx, const struct trace_event *ev)
{
	struct jsonl_sink *s = ctx;
	s->events++;
	if (!s->f) {
		jsonl_queue(s, ev, NULL, 0);
		return;
	}
	jw_reset(&s->w);
	event_to_json(&s->w, ev);
	jw_raw(&s->w, "\n", 1);
	fwrite_unlocked(s->w.buf, 1, s->w.len, s->f);
}

void jsonl_line(struct jsonl_sink *s, const char *json)
{
	if (!s->f) {
		jsonl_queue(s, NULL, json, strlen(json));
		return;
	}
	fputs(json, s->f);
	fputc('\n', s->f);
}

int jsonl_flush(struct jsonl_sink *s)
{
	if (!s->open)
		return 0;
	if (s->f)
		return fflush(s->f) == 0 && !ferror(s->f) ? 0 : -1;
	return outbuf_flush(&s->ob);
}

int jsonl_close(struct jsonl_sink *s, char *err, size_t errlen)
{
	int r = 0;
	if (!s->open)
		return 0;
	if (s->f) {
		if (fflush(s->f) != 0 || ferror(s->f)) {
			snprintf(err, errlen, "standard output: write failed: %s", strerror(errno));
			r = -1;
		}
		free(s->path);
	} else {
		int w = outbuf_close(&s->ob);
		if (s->z && w == 0 && (s->zerr || njz_finish(s->z) < 0)) {
			errno = s->zerr ? s->zerr : errno;
			w = -1;
		}
		njz_free(s->z);
		s->z = NULL;
		r = close_part(w, s->fd, s->path, s->tmp, err, errlen);
	}
	jw_free(&s->w);
	jw_free(&s->cw);
	s->open = 0;
	s->f = NULL;
	s->fd = -1;
	s->path = s->tmp = NULL;
	return r;
}

int chrome_open(struct chrome_sink *s, const char *path, char *err, size_t errlen)
{
	int fd;
	memset(s, 0, sizeof(*s));
	if (open_part(&fd, &s->path, &s->tmp, path, err, errlen) < 0)
		return -1;
	s->f = fdopen(fd, "w");
	s->iobuf = malloc(OUTBUF_SIZE);	/* setvbuf(NULL, size) keeps glibc's 4 KiB */
	if (!s->f || !s->iobuf) {
		snprintf(err, errlen, "%s: out of memory", path);
		if (s->f)
			fclose(s->f);
		else
			close(fd);
		if (s->tmp)
			unlink(s->tmp);
		free(s->iobuf);
		free(s->tmp);
		free(s->path);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	setvbuf(s->f, s->iobuf, _IOFBF, OUTBUF_SIZE);
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
	/* fclose flushes: a failure there is the disk refusing the data */
	int w = ferror(s->f) ? -1 : 0;
	if (fclose(s->f) != 0)
		w = -1;
	int r = close_part(w, -1, s->path, s->tmp, err, errlen);
	free(s->iobuf);
	jw_free(&s->w);
	s->f = NULL;
	s->iobuf = NULL;
	return r;
}
