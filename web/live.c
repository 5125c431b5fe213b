/*
 * live.c - GET /api/live: Server-Sent Events of the newest live trace.
 * Each event line goes out as "id: SEQ / data: JSON"; a switch to a newer
 * live trace is announced as "event: trace". With nothing to send, the
 * content reader parks the stream (traces.c: its connection suspended, no
 * thread held) until events are appended, and sends a comment every few
 * seconds so idle proxies and the connection timeout keep the stream
 * open. ?from=SEQ (or Last-Event-ID) resumes; the default is "only what
 * comes next".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define SSE_BATCH	256		/* events per wake-up */
#define SSE_KEEPALIVE_MS 10000

struct sse {
	int id;				/* live trace followed, 0 = none yet */
	size_t next;			/* next event index to send */
	int64_t from;			/* requested start seq, -1 = from now */
	struct jw out;			/* pending bytes */
	size_t off;
	int64_t sent_ms;		/* when bytes last went (the keep-alive's clock) */
	struct web_park park;
};

static size_t nevents(struct web_trace *t)
{
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	store_unlock(t->s);
	return n;
}

/* Index of the first event with seq >= from. */
static size_t index_from(struct web_trace *t, int64_t from)
{
	size_t n = nevents(t), i = 0;
	store_lock(t->s);
	struct store_ev e;
	while (i < n && store_ev_get(t->s, i, &e) == 0 && (int64_t)e.seq < from)
		i++;
	store_unlock(t->s);
	return i;
}

static void follow(struct sse *x, int id)
{
	struct web_trace *t = web_trace_get(id);
	x->id = id;
	x->next = !t ? 0 : x->from >= 0 ? index_from(t, x->from) : x->next == SIZE_MAX ? nevents(t) : 0;
	if (t)
		jw_printf(&x->out, "event: trace\ndata: {\"id\":%d,\"events\":%zu}\n\n", id, nevents(t));
	web_trace_put(t);
	x->from = -1;
}

/* Fills x->out with new events or a trace switch, or with a keep-alive
 * comment when one is due and there is nothing else; never waits. */
static void refill(struct sse *x, int64_t now)
{
	jw_reset(&x->out);
	x->off = 0;
	int cur = web_live_id();
	if (cur != x->id)
		follow(x, cur);
	struct web_trace *t = cur ? web_trace_get(cur) : NULL;
	size_t n = t ? nevents(t) : 0;
	for (int k = 0; t && x->next < n && k < SSE_BATCH; k++, x->next++) {
		char *line = store_line(t->s, x->next, NULL);
		store_lock(t->s);
		struct store_ev e;
		uint64_t seq = store_ev_get(t->s, x->next, &e) == 0 ? e.seq : 0;
		store_unlock(t->s);
		if (line)
			jw_printf(&x->out, "id: %llu\ndata: %s\n\n", (unsigned long long)seq, line);
		free(line);
	}
	web_trace_put(t);
	if (!x->out.len && now - x->sent_ms >= SSE_KEEPALIVE_MS)
		jw_puts(&x->out, ": keep-alive\n\n");
	if (x->out.len)
		x->sent_ms = now;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct sse *x = cls;
	while (x->off >= x->out.len) {
		if (web_stopping())
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (web_guard_shut(x->park.c))	/* cut by the watchdog while parked: its socket is shut */
			return MHD_CONTENT_READER_END_OF_STREAM;
		uint64_t gen = web_live_gen();	/* before looking: a change after it is not missed */
		int64_t now = web_clock_ms();
		refill(x, now);
		if (!x->out.len && web_live_park(&x->park, gen, (int)(x->sent_ms + SSE_KEEPALIVE_MS - now)) == 0)
			return 0;		/* parked: called again once resumed */
	}
	size_t n = x->out.len - x->off;
	if (n > max)
		n = max;
	memcpy(buf, x->out.buf + x->off, n);
	x->off += n;
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	struct sse *x = cls;
	jw_free(&x->out);
	free(x);
}

enum MHD_Result api_live(struct web_req *r, const int64_t *ids)
{
	(void)ids;
	int64_t from;
	if (web_qint(r, "from", -1, 0, INT64_MAX / 2, &from) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
	if (last && from < 0)
		from = strtoll(last, NULL, 10) + 1;
	struct sse *x = calloc(1, sizeof(*x));
	if (!x)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	x->from = from;
	x->next = SIZE_MAX;		/* the first trace followed: start at its end */
	x->id = -1;
	x->park.c = r->conn;
	x->sent_ms = web_clock_ms();
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, sse_read, x, sse_free);
	if (!resp) {
		sse_free(x);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	enum MHD_Result res = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->stream = 1;			/* guard.c: a long answer, cut only if unread */
	return res;
}
