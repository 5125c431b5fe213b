/*
 * api_state.c - /api/traces/ID/state?seq=S: the host as it was when event
 * S was emitted, from the one fold (trace/fold.h) that `step` prints too:
 * the answer is fold_json's object, nothing added or renamed here. The
 * trace's fold index (its snapshots) is made on first use and lives with
 * the trace.
 */
#include "fold.h"
#include "web.h"

/* The trace's fold index, made on first use (under t->mu). */
static struct fold_index *trace_fold(struct web_trace *t)
{
	pthread_mutex_lock(&t->mu);
	if (!t->fold)
		t->fold = fold_index_new(t->s);
	struct fold_index *x = t->fold;
	pthread_mutex_unlock(&t->mu);
	return x;
}

enum MHD_Result api_state(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	int64_t last = n ? (int64_t)store_ev(t->s, n - 1)->seq : 0, seq;
	store_unlock(t->s);
	if (web_qint(r, "seq", last, 1, INT64_MAX / 2, &seq) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	store_lock(t->s);
	size_t i = n ? store_index_of_seq(t->s, (uint64_t)seq) : SIZE_MAX;
	store_unlock(t->s);
	if (i == SIZE_MAX)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "trace %d has no event %lld", t->id, (long long)seq);
	struct fold_index *x = trace_fold(t);
	cJSON *o = x ? fold_json_at(x, i) : NULL;
	if (!o)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
