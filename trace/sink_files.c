/*
 * sink_files.c - the JSONL and Chrome trace sinks (see sinks.h). Both write
 * into PATH.part and rename on success (outfile.h), so a reader never
 * takes a half-written file for a whole one and a failed run never harms
 * an earlier PATH. JSONL goes through outbuf's writer thread; Chrome
 * through a 1 MiB stdio buffer. A JSONL PATH ending in ".njz" gets the
 * compact form (njz.h): the same lines, compressed by the writer thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "event_rec.h"
#include "njz.h"
#include "sinks.h"

/* Hands w's whole lines to the file; counts what got there in one piece. */
static void jsonl_put(struct jsonl_sink *s, struct jw *w)
{
	if (s->z) {			/* the compact form: njz writes whole blocks */
		if (!s->ob.err && njz_append(s->z, w->buf, w->len) < 0)
			s->ob.err = errno ? errno : EIO;
		if (!s->ob.err)
			s->good_events += s->cw_events;
		s->cw_events = 0;
		jw_reset(w);
		return;
	}
	outbuf_put_fd(&s->ob, w->buf, w->len);
	if (!s->ob.err) {
		s->good += (off_t)w->len;
		s->good_events += s->cw_events;
	}
	/* start the disk writing every 8 MiB, off this thread's path: the
	 * fsync before the rename then waits for the tail only */
	if (s->of.tmp && s->good - s->synced >= (8 << 20)) {
		sync_file_range(s->of.fd, s->synced, s->good - s->synced, SYNC_FILE_RANGE_WRITE);
		s->synced = s->good;
	}
	s->cw_events = 0;
	jw_reset(w);
}

/* The writer thread's half: event records to JSON lines, then to the
 * file JSONL_CHUNK bytes at a time (128 KiB chunks cost more in write(2)
 * than they saved in cache misses: measured 2026-12-05). */
#define JSONL_CHUNK (1u << 20)

/* Room a record of k bytes may need as JSON: its msg escaped (6 bytes for
 * one at worst), its args and line as they are, the keys and numbers. A
 * msg left raw (trace.h) becomes at most TRACE_MSG_MAX - 1 bytes, 6 times
 * that escaped: inside the constant. */
#define JSONL_ROOM(k) (6 * (size_t)(k) + 65536)

static size_t jsonl_format_one(struct jsonl_sink *s, struct jw *w, const char *p, size_t n)
{
	const char *line = NULL;
	size_t line_len = 0, k;
	int kind;
	const struct trace_event *ev = event_rec_view(p, n, &kind, &line, &line_len, &k);

	if (!k)
		return 0;	/* cannot happen: the producer wrote whole records */
	if (kind == EVENT_REC_LINE) {
		jw_raw(w, line, line_len);
	} else {
		w->need_comma = 0;
		event_to_json(w, ev);
		s->cw_events++;
	}
	jw_raw(w, "\n", 1);
	return k;
}

/* Lines written straight into the disk's block (outdisk_window) are
 * handed over: whole lines, counted like jsonl_put's. */
static int jsonl_direct_put(struct jsonl_sink *s, struct jw *d)
{
	if (outdisk_commit(&s->ob.disk, d->len) < 0) {
		__atomic_store_n(&s->ob.err, s->ob.disk.err, __ATOMIC_RELAXED);
		return -1;
	}
	s->good += (off_t)d->len;
	s->good_events += s->cw_events;
	s->cw_events = 0;
	size_t room;
	d->buf = outdisk_window(&s->ob.disk, &room);
	d->len = 0;
	d->cap = room;
	return d->buf ? 0 : -1;
}

/* Past the plain start of a big file: no copy, the JSON is formatted in
 * the block the disk thread will write. Returns the bytes of p done. */
static size_t jsonl_format_direct(struct jsonl_sink *s, const char *p, size_t n)
{
	size_t room, off = 0;
	struct jw d = { .fixed = 1 };

	if (s->z || s->ob.err || !(d.buf = outdisk_window(&s->ob.disk, &room)))
		return 0;
	d.cap = room;
	while (off < n) {
		size_t k = event_rec_size_at(p + off, n - off);
		/* handed over once the block is full: what ran past its end is
		 * copied to the next one, so it should be one line, not most of
		 * the slack (0.9 MiB a block when this waited for the slack) */
		if (d.len + JSONL_ROOM(k) + 1 > d.cap || d.len + OUTDISK_SLACK >= d.cap) {
			if (jsonl_direct_put(s, &d) < 0)
				return off;
			if (JSONL_ROOM(k) + 1 > d.cap)
				break;	/* a huge record: the copying path */
		}
		size_t done = jsonl_format_one(s, &d, p + off, n - off);
		if (!done)
			break;
		off += done;
	}
	if (d.len && jsonl_direct_put(s, &d) < 0)
		return n;	/* the error is kept: the rest would be lost too */
	return off;
}

static void jsonl_format(void *ctx, const char *p, size_t n)
{
	struct jsonl_sink *s = ctx;
	struct jw *w = &s->cw;
	size_t off = jsonl_format_direct(s, p, n), k;

	jw_reset(w);
	for (; off < n; off += k) {
		k = jsonl_format_one(s, w, p + off, n - off);
		if (!k)
			break;
		if (w->len >= JSONL_CHUNK) {
			jsonl_put(s, w);
			k += jsonl_format_direct(s, p + off + k, n - off - k);
		}
	}
	jsonl_put(s, w);
}

/* A record over a buffer (args of a huge frame): built apart, then written. */
static __attribute__((noinline)) void jsonl_queue_big(struct jsonl_sink *s, const struct trace_event *ev,
						      const char *line, size_t line_len, const struct event_rec_len *len)
{
	size_t n = len->size;
	char *big = aligned_alloc(8, n);
	if (!big) {
		fputs("netjourney: out of memory queueing a trace event\n", stderr);
		abort();
	}
	outbuf_write(&s->ob, big, event_rec_put(big, ev, line, line_len, len));
	free(big);
}

/* Copies ev (or a pre-built line) into the writer's queue as a record. */
static inline void jsonl_queue(struct jsonl_sink *s, const struct trace_event *ev, const char *line,
			       size_t line_len)
{
	struct event_rec_len len;
	size_t n = event_rec_size(ev, line_len, &len);
	char *r = outbuf_reserve(&s->ob, n);
	if (r)
		outbuf_commit(&s->ob, event_rec_put(r, ev, line, line_len, &len));
	else
		jsonl_queue_big(s, ev, line, line_len, &len);
}

int jsonl_open(struct jsonl_sink *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->of.fd = -1;
	if (!strcmp(path, "-")) {
		s->f = stdout;
		s->open = 1;
		return 0;
	}
	if (outfile_open(&s->of, path, err, errlen) < 0)
		return -1;
	char e[200];
	if (njz_is_name(path) && !(s->z = njz_create(s->of.fd, e, sizeof(e)))) {
		snprintf(err, errlen, "%s: %s", path, e);
		outfile_discard(&s->of);
		return -1;
	}
	if (outbuf_open_consumer(&s->ob, s->of.fd, jsonl_format, s) < 0) {
		snprintf(err, errlen, "%s: cannot start the writer: %s", path, strerror(errno));
		njz_free(s->z);
		s->z = NULL;
		outfile_discard(&s->of);
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

static void jsonl_release(struct jsonl_sink *s)
{
	njz_free(s->z);
	s->z = NULL;
	jw_free(&s->w);
	jw_free(&s->cw);
	s->open = 0;
	s->f = NULL;
}

/* Writes the end line at cut (whole lines before it) and drops what
 * follows; on a full disk drops one more line at a time, never the first
 * (trace_start). Returns 0, or -1 when not even that fits. */
static int write_incomplete_end(struct jsonl_sink *s, off_t cut, uint64_t events, jsonl_end_fn end, void *ctx,
				const char *error)
{
	struct jw w = { 0 };
	int fd = s->of.fd, r = -1;
	for (;;) {
		jw_reset(&w);
		end(ctx, &w, 0, events, error);
		jw_raw(&w, "\n", 1);
		if (ftruncate(fd, cut) == 0 && pwrite(fd, w.buf, w.len, cut) == (ssize_t)w.len) {
			r = 0;
			break;
		}
		if (errno != ENOSPC && errno != EDQUOT && errno != EFBIG)
			break;
		off_t p = outfile_prev_line(fd, cut);
		if (p <= 0)
			break;
		cut = p;
		events -= events > 0;
	}
	if (r < 0 && ftruncate(fd, cut) != 0)
		r = -1;
	jw_free(&w);
	return r;
}

/* A write that failed midway may have left whole lines after s->good:
 * the end of the last one, with events counting them. */
static off_t whole_lines_after(struct jsonl_sink *s, uint64_t *events)
{
	char buf[4096];
	off_t end = lseek(s->of.fd, 0, SEEK_END), cut = s->good, off = s->good;
	while (off < end) {
		ssize_t k = pread(s->of.fd, buf, sizeof(buf), off);
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++) {
			if (buf[i] != '\n')
				continue;
			*events += cut > 0;	/* the first line is trace_start */
			cut = off + i + 1;
		}
		off += k;
	}
	return cut;
}

/* After a failed write past the direct blocks' start (outdisk.h), lines
 * counted as written may not be: good and good_events are counted again
 * from the first limit bytes, the ones known to be on disk. */
static void recount_good(struct jsonl_sink *s, off_t limit)
{
	enum { CHUNK = 1 << 16 };
	char *buf = malloc(CHUNK);
	uint64_t lines = 0;
	off_t off = 0, cut = 0;
	while (buf && off < limit) {
		size_t n = limit - off < (off_t)CHUNK ? (size_t)(limit - off) : CHUNK;
		ssize_t k = pread(s->of.fd, buf, n, off);
		if (k <= 0)
			break;
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + k - p))); p++) {
			lines++;
			cut = off + (p - buf) + 1;
		}
		off += k;
	}
	free(buf);
	s->good = cut;
	s->good_events = lines ? lines - 1 : 0;	/* the first line is trace_start */
}

/* The failure path: whole lines and the incomplete marker to PATH.partial. */
static int jsonl_keep_partial(struct jsonl_sink *s, off_t cut, uint64_t events, jsonl_end_fn end, void *ctx,
			      const char *error, char *err, size_t errlen)
{
	char partial[PATH_MAX + 16], e2[256] = "";
	if (cut <= 0) {			/* not even trace_start reached the disk */
		outfile_discard(&s->of);
		size_t k = strlen(err);
		snprintf(err + k, errlen - k, "%snot a line of it could be kept", k ? "; " : "");
		return -1;
	}
	if (end && write_incomplete_end(s, cut, events, end, ctx, error) < 0)
		snprintf(e2, sizeof(e2), " (no room left for its trace_end line)");
	outfile_partial_name(&s->of, partial, sizeof(partial));
	size_t k = strlen(err);		/* set: our own write failed; else the caller says why */
	if (outfile_commit(&s->of, 0, err, errlen) < 0)
		return -1;
	if (k)
		snprintf(err + k, errlen - k, "; what was written is in %s%s", partial, e2);
	return -1;
}

/* The compact form's end: every queued line compressed, then trace_end
 * (complete, or not with the error), the last block and the end record;
 * renamed to PATH, or to PATH.partial after an error. A failed write
 * keeps nothing: a compact file cut inside a block is no trace at all. */
static int jsonl_finish_njz(struct jsonl_sink *s, jsonl_end_fn end, void *ctx, const char *error, char *err,
			    size_t errlen)
{
	struct jw w = { 0 };
	outbuf_close(&s->ob);
	int werr = s->ob.err;
	if (!werr && end) {
		end(ctx, &w, !error, s->events, error);
		jw_raw(&w, "\n", 1);
		if (njz_append(s->z, w.buf, w.len) < 0)
			werr = errno ? errno : EIO;
	}
	jw_free(&w);
	if (!werr && njz_finish(s->z) < 0)
		werr = errno ? errno : EIO;
	if (!werr && s->of.tmp && fsync(s->of.fd) != 0)
		werr = errno;
	int r;
	if (werr) {
		snprintf(err, errlen, "%s: write failed: %s (a compact trace cut short is not kept)", s->of.path,
			 strerror(werr));
		outfile_discard(&s->of);
		r = -1;
	} else {
		err[0] = 0;
		r = outfile_commit(&s->of, !error, err, errlen) < 0 || error ? -1 : 0;
	}
	jsonl_release(s);
	return r;
}

int jsonl_finish(struct jsonl_sink *s, jsonl_end_fn end, void *ctx, const char *error, char *err, size_t errlen)
{
	struct jw w = { 0 };
	int r = 0;
	if (!s->open)
		return 0;
	if (s->z)
		return jsonl_finish_njz(s, end, ctx, error, err, errlen);
	if (s->f) {			/* stdout: in order, nothing to rename */
		if (end) {
			end(ctx, &w, !error, s->events, error);
			jsonl_line(s, w.buf);
		}
		if (fflush(s->f) != 0 || ferror(s->f)) {
			snprintf(err, errlen, "standard output: write failed: %s", strerror(errno));
			r = -1;
		}
		jw_free(&w);
		jsonl_release(s);
		return r;
	}
	off_t before_end = -1;
	uint64_t events_before_end = 0;
	if (!s->of.tmp && end) {		/* a device or FIFO: nothing to cut or rename */
		end(ctx, &w, !error, s->events, error);
		jsonl_line(s, w.buf);
	} else if (!error && end && outbuf_flush(&s->ob) == 0) {
		before_end = s->good;	/* where a failed trace_end would be cut */
		events_before_end = s->good_events;
		end(ctx, &w, 1, s->events, NULL);
		jsonl_line(s, w.buf);
	}
	jw_free(&w);
	int werr = outbuf_close(&s->ob) < 0 ? s->ob.err : 0;
	if (!werr && !error && s->of.tmp && fsync(s->of.fd) != 0)
		werr = errno;
	if (!werr && !error) {
		r = outfile_commit(&s->of, 1, err, errlen);
		jsonl_release(s);
		return r;
	}
	char what[512];
	if (werr)
		snprintf(what, sizeof(what), "%s: write failed: %s", s->of.path, strerror(werr));
	snprintf(err, errlen, "%s", werr ? what : "");
	if (!s->of.tmp) {
		outfile_commit(&s->of, 0, err, errlen);
		jsonl_release(s);
		return -1;
	}
	off_t cut = s->good;
	uint64_t events = s->good_events;
	if (before_end >= 0 && before_end < cut) {
		cut = before_end;
		events = events_before_end;
	} else if (werr) {
		if (s->good > outbuf_written(&s->ob)) {
			recount_good(s, outbuf_written(&s->ob));
			events = s->good_events;
		}
		cut = whole_lines_after(s, &events);
	}
	/* the marker names the root cause: a write failure stops a replay early */
	r = jsonl_keep_partial(s, cut, events, end, ctx, werr ? what : error, err, errlen);
	jsonl_release(s);
	return r;
}

int jsonl_close(struct jsonl_sink *s, char *err, size_t errlen)
{
	return jsonl_finish(s, NULL, NULL, NULL, err, errlen);
}

void jsonl_discard(struct jsonl_sink *s)
{
	if (!s->open)
		return;
	if (!s->f) {
		outbuf_close(&s->ob);
		outfile_discard(&s->of);
	}
	jsonl_release(s);	/* and the compact writer, if any */
}

int chrome_open(struct chrome_sink *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (outfile_open(&s->of, path, err, errlen) < 0)
		return -1;
	int fd = dup(s->of.fd);		/* stdio's own: the outfile keeps the lock */
	s->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	s->iobuf = malloc(OUTBUF_SIZE);	/* setvbuf(NULL, size) keeps glibc's 4 KiB */
	if (!s->f || !s->iobuf) {
		snprintf(err, errlen, "%s: out of memory", path);
		if (s->f)
			fclose(s->f);
		else if (fd >= 0)
			close(fd);
		outfile_discard(&s->of);
		free(s->iobuf);
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

/* Where the last whole event of a cut Chrome file ends: events are one
 * per line, each but the first preceded by ",\n". -1: none left. */
static off_t chrome_cut(int fd, off_t end, int whole)
{
	off_t p = whole ? end : outfile_prev_line(fd, end + 1);	/* just after the last '\n' */
	if (!whole) {
		if (p < 2)
			return -1;
		char c;
		if (pread(fd, &c, 1, p - 2) != 1)
			return -1;
		return c == ',' ? p - 2 : p - 1;	/* drop ",\n" (or keep the header's "[") */
	}
	return p;
}

/* The failure path: the array closed after the last whole event, then
 * "complete":false and the error; on a full disk, fewer events. */
static int chrome_keep_partial(struct chrome_sink *s, int whole, const char *error, char *err, size_t errlen)
{
	struct jw w = { 0 };
	char partial[PATH_MAX + 16];
	int fd = s->of.fd;
	off_t cut = chrome_cut(fd, lseek(fd, 0, SEEK_END), whole);
	jw_lit(&w, "\n],\"complete\":false,\"error\":");
	jw_str(&w, error, strlen(error));
	jw_lit(&w, "}\n");
	while (cut > 0 && (ftruncate(fd, cut) != 0 || pwrite(fd, w.buf, w.len, cut) != (ssize_t)w.len) &&
	       (errno == ENOSPC || errno == EDQUOT))
		cut = chrome_cut(fd, cut, 0);
	jw_free(&w);
	if (cut <= 0) {
		outfile_discard(&s->of);
		return -1;
	}
	outfile_partial_name(&s->of, partial, sizeof(partial));
	size_t k = strlen(err);
	if (outfile_commit(&s->of, 0, err, errlen) < 0)
		return -1;
	if (k)
		snprintf(err + k, errlen - k, "; what was written is in %s", partial);
	return -1;
}

int chrome_finish(struct chrome_sink *s, const char *error, char *err, size_t errlen)
{
	if (!s->f)
		return 0;
	if (!error)
		fputs("\n]}\n", s->f);
	/* fclose flushes: a failure there is the disk refusing the data */
	int werr = ferror(s->f) ? (errno ? errno : EIO) : 0;
	if (fclose(s->f) != 0 && !werr)
		werr = errno;
	s->f = NULL;
	free(s->iobuf);
	jw_free(&s->w);
	s->iobuf = NULL;
	int whole = !werr;		/* the file ends with a whole event */
	if (!werr && !error) {
		if (!s->of.tmp || fsync(s->of.fd) == 0)
			return outfile_commit(&s->of, 1, err, errlen);
		werr = errno;
		off_t n = lseek(s->of.fd, 0, SEEK_END);	/* "\n]}\n" goes again */
		whole = n >= 4 && ftruncate(s->of.fd, n - 4) == 0;
	}
	char what[512];
	snprintf(what, sizeof(what), "%s: write failed: %s", s->of.path, strerror(werr));
	snprintf(err, errlen, "%s", werr ? what : "");
	if (!s->of.tmp) {
		outfile_commit(&s->of, 0, err, errlen);
		return -1;
	}
	return chrome_keep_partial(s, whole, werr ? what : error, err, errlen);
}

int chrome_close(struct chrome_sink *s, char *err, size_t errlen)
{
	return chrome_finish(s, NULL, err, errlen);
}

void chrome_discard(struct chrome_sink *s)
{
	if (!s->f)
		return;
	fclose(s->f);
	s->f = NULL;
	free(s->iobuf);
	jw_free(&s->w);
	s->iobuf = NULL;
	outfile_discard(&s->of);
}
