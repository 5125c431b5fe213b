/*
 * api_state.c - /api/traces/ID/state?seq=S: the host as it was when event
 * S was emitted, from the one fold (trace/fold.h) that `step` prints too:
 * the answer is fold_json's object, nothing added or renamed here. The
 * trace's fold index (its snapshots) is made on first use, as a job
 * (defer.c: a 1M-event trace takes half a second), and lives with the
 * trace. The last few answers are kept as text: the state at an event
 * never changes once the event exists (a live trace only appends), and a
 * class stepping through one lab asks for the same events again and again.
 */
#include <stdlib.h>
#include <string.h>

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

/* 1 once the trace's fold index is made. */
static int fold_made(struct web_trace *t)
{
	pthread_mutex_lock(&t->mu);
	int made = t->fold != NULL;
	pthread_mutex_unlock(&t->mu);
	return made;
}

/* A copy of the cached answer for event i (*len its length), or NULL. */
static char *cached(struct web_trace *t, size_t i, size_t *len)
{
	char *text = NULL;
	pthread_mutex_lock(&t->mu);
	for (int k = 0; k < WEB_STATE_CACHE; k++)
		if (t->state_cache[k].i == i + 1) {
			t->state_cache[k].used = ++t->clock;
			*len = strlen(t->state_cache[k].text);
			if ((text = malloc(*len + 1)))
				memcpy(text, t->state_cache[k].text, *len + 1);
			break;
		}
	pthread_mutex_unlock(&t->mu);
	return text;
}

/* A copy of the answer text (len bytes) kept in the least recently used
 * slot; without memory for the copy nothing is kept. */
static void keep(struct web_trace *t, size_t i, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, text, len + 1);
	pthread_mutex_lock(&t->mu);
	int lru = 0;
	for (int k = 1; k < WEB_STATE_CACHE; k++)
		if (t->state_cache[k].used < t->state_cache[lru].used)
			lru = k;
	char *old = t->state_cache[lru].text;
	t->state_cache[lru].text = copy;
	t->state_cache[lru].i = i + 1;
	t->state_cache[lru].used = ++t->clock;
	pthread_mutex_unlock(&t->mu);
	free(old);
}

enum MHD_Result api_state(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	if (web_opening(t, NULL, NULL))		/* the fold starts from trace_start, written last */
		return web_not_ready(r, t, "the host's state is known once the whole capture is replayed");
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	struct store_ev le;
	int64_t last = n && store_ev_get(t->s, n - 1, &le) == 0 ? (int64_t)le.seq : 0, seq;
	store_unlock(t->s);
	if (web_qint(r, "seq", last, 1, INT64_MAX / 2, &seq) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	store_lock(t->s);
	size_t i = n ? store_index_of_seq(t->s, (uint64_t)seq) : SIZE_MAX;
	store_unlock(t->s);
	if (i == SIZE_MAX)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "trace %d has no event %lld", t->id, (long long)seq);
	size_t len = 0;
	char *text = cached(t, i, &len);
	if (text)
		return web_reply_text(r->conn, MHD_HTTP_OK, text, len);
	if (!r->in_job && !fold_made(t))	/* a pass over the whole trace: not on a daemon thread */
		return api_later(r);
	struct fold_index *x = trace_fold(t);
	cJSON *o = x ? fold_json_at(x, i) : NULL;
	text = o ? web_json_text(o, &len) : NULL;
	cJSON_Delete(o);
	if (!text)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	keep(t, i, text, len);
	return web_reply_text(r->conn, MHD_HTTP_OK, text, len);
}
