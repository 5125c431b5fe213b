/*
 * api_events.c - /api/traces/ID/events: one page of raw events from a seq,
 * filtered by function, verdict, reason, packet range or a tcpdump
 * expression on the event's packet (the histogram is histogram.c's).
 * Filtering runs on the in-memory index; only returned lines are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

struct ev_query {
	int fn, verdict, reason;
	int64_t pkt_from, pkt_to;
	const char *filter;
};

static int parse_ev_query(struct web_req *r, struct web_trace *t, struct ev_query *q)
{
	struct web_sel sel;
	/* -1 (the default) means "no bound"; a given bound must be >= 0. */
	if (web_qint(r, "pkt_from", -1, 0, INT64_MAX / 2, &q->pkt_from) < 0 ||
	    web_qint(r, "pkt_to", -1, 0, INT64_MAX / 2, &q->pkt_to) < 0 || web_qsel(r, t, -2, &sel) < 0)
		return -1;
	q->fn = sel.fn;
	q->verdict = sel.verdict;
	q->reason = sel.reason;
	q->filter = sel.filter;
	return 0;
}

/* 1 when e passes q, 0 when not (the tcpdump filter was validated before). */
#define EV_CHUNK 256

static int ev_passes(struct web_trace *t, const struct store_ev *e, const struct ev_query *q)
{
	if (q->fn == -3 || (q->fn >= 0 && e->fn != q->fn))
		return 0;
	if (q->verdict >= 0 && e->verdict != q->verdict)
		return 0;
	if (q->reason >= 0 && (e->verdict != V_DROP || e->reason != q->reason))
		return 0;
	if ((q->pkt_from >= 0 || q->pkt_to >= 0) && e->pkt < 0)
		return 0;
	if ((q->pkt_from >= 0 && e->pkt < q->pkt_from) || (q->pkt_to >= 0 && e->pkt > q->pkt_to))
		return 0;
	if (q->filter) {
		char err[8];
		return e->pkt >= 0 && web_filter_match(t, q->filter, e->pkt, err, sizeof(err)) == 1;
	}
	return 1;
}

/* The first index whose seq is >= seq (seqs grow with the index). */
static size_t lower_bound(struct nj_store *s, uint64_t seq, size_t n)
{
	return store_seq_lower_bound(s, seq, n);
}

enum MHD_Result api_events(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	int64_t from, lim;
	struct ev_query q;
	if (web_qint(r, "from", 0, 0, INT64_MAX / 2, &from) < 0 ||
	    web_qint(r, "limit", 200, 1, WEB_PAGE_MAX, &lim) < 0 || parse_ev_query(r, t, &q) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	size_t *hit = malloc((size_t)lim * sizeof(size_t)), nhit = 0;
	if (!hit)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	store_lock(t->s);
	size_t n;
	int opening = web_extent(t, &n, NULL);
	size_t i = lower_bound(t->s, (uint64_t)from, n);
	store_unlock(t->s);
	int64_t next = -1;
	/* the index is copied under the lock a chunk at a time (64 clients do
	 * not queue on it once per event); the filter runs outside it, as it
	 * takes the lock itself to read frames */
	struct store_ev *chunk = malloc(EV_CHUNK * sizeof(*chunk));
	if (!chunk) {
		free(hit);
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	}
	for (int done = 0; i < n && !done;) {
		size_t m = n - i < EV_CHUNK ? n - i : EV_CHUNK;
		store_evs(t->s, i, m, chunk);
		for (size_t k = 0; k < m && !done; k++, i++) {
			if (!ev_passes(t, &chunk[k], &q))
				continue;
			if (nhit == (size_t)lim) {
				next = (int64_t)chunk[k].seq;
				done = 1;
			} else {
				hit[nhit++] = i;
			}
		}
	}
	free(chunk);
	if (opening && next < 0) {		/* the page would end at the indexed end, not the trace's */
		free(hit);
		return web_not_ready(r, t, "events from seq %lld are not all indexed yet", (long long)from);
	}
	char *lines = store_lines_json(t->s, hit, nhit);
	free(hit);
	if (!lines)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "the trace file could not be read");
	cJSON *o = cJSON_CreateObject(), *arr = web_raw(lines);
	cJSON_AddNumberToObject(o, "total", (double)n);
	cJSON_AddNumberToObject(o, "from", (double)from);
	cJSON_AddNumberToObject(o, "limit", (double)lim);
	if (next >= 0)
		cJSON_AddNumberToObject(o, "next", (double)next);
	else
		cJSON_AddNullToObject(o, "next");
	cJSON_AddItemToObject(o, "events", arr);
	if (opening) {				/* total counts the events indexed so far */
		cJSON_AddStringToObject(o, "state", "opening");
		cJSON_AddItemToObject(o, "progress", web_progress_json(t));
	}
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
