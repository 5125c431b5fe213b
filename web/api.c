/*
 * api.c - the JSON API's one route table (STYLE.md §4: url pattern, method,
 * handler; a linear search). In a pattern "#" matches one decimal segment
 * (a trace id or packet number), handed to the handler in ids[]. A path
 * that matches with another method is a 405; no match is a 404.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* api_lessons.c (declared here: web.h belongs to the server's core). */
enum MHD_Result api_lessons_list(struct web_req *r, const int64_t *ids);
enum MHD_Result api_lesson_get(struct web_req *r, const int64_t *ids);
enum MHD_Result api_lesson_open(struct web_req *r, const int64_t *ids);
enum MHD_Result api_skb(struct web_req *r, const int64_t *ids);	/* api_skb.c */
enum MHD_Result api_lesson_check(struct web_req *r, const int64_t *ids);
enum MHD_Result api_whatif(struct web_req *r, const int64_t *ids);	/* api_whatif.c */

struct route {
	const char *method;
	const char *pattern;
	web_handler fn;
	int slow;		/* replays or waits: always a job (defer.c) */
};

static const struct route routes[] = {
	{ "GET", "/api/traces", api_traces_list, 0 },
	{ "POST", "/api/traces", api_upload, 1 },
	{ "GET", "/api/traces/#", api_trace_summary, 0 },
	{ "GET", "/api/traces/#/packets", api_packets, 0 },
	{ "GET", "/api/traces/#/packets/#", api_packet, 0 },
	{ "GET", "/api/traces/#/events", api_events, 0 },
	{ "GET", "/api/traces/#/histogram", api_histogram, 0 },
	{ "GET", "/api/traces/#/state", api_state, 0 },
	{ "GET", "/api/traces/#/skbs/#", api_skb, 1 },
	{ "POST", "/api/traces/#/whatif", api_whatif, 1 },
	{ "GET", "/api/live", api_live, 0 },
	{ "GET", "/api/lessons", api_lessons_list, 0 },
	{ "GET", "/api/lessons/#", api_lesson_get, 0 },
	{ "POST", "/api/lessons/#/open", api_lesson_open, 1 },
	{ "POST", "/api/lessons/#/check", api_lesson_check, 1 },
	{ NULL, NULL, NULL, 0 },
};

/* One path segment against one pattern segment; "#" takes a number. */
static int seg_match(const char *p, size_t pl, const char *u, size_t ul, int64_t *id)
{
	if (pl == 1 && p[0] == '#') {
		if (!ul || ul > 12)
			return 0;
		int64_t n = 0;
		for (size_t i = 0; i < ul; i++) {
			if (u[i] < '0' || u[i] > '9')
				return 0;
			n = n * 10 + (u[i] - '0');
		}
		*id = n;
		return 1;
	}
	return pl == ul && !memcmp(p, u, ul);
}

/* 1 when url matches pattern; ids receives the "#" segments. */
static int path_match(const char *pattern, const char *url, int64_t *ids)
{
	int nid = 0;
	while (*pattern && *url) {
		if (*pattern != '/' || *url != '/')
			return 0;
		pattern++, url++;
		size_t pl = strcspn(pattern, "/"), ul = strcspn(url, "/");
		int64_t id = 0;
		if (!seg_match(pattern, pl, url, ul, &id))
			return 0;
		if (pl == 1 && pattern[0] == '#' && nid < 4)
			ids[nid++] = id;
		pattern += pl, url += ul;
	}
	return !*pattern && (!*url || !strcmp(url, "/"));
}

int api_wants_body(const char *method, const char *url)
{
	int64_t ids[4];
	if (strcmp(method, "POST"))
		return 0;
	if (path_match("/api/lessons/#/check", url, ids))
		return 2;	/* a student's answers: a small body (server.c) */
	return path_match("/api/traces", url, ids);
}

/* A job (defer.c): the route's handler, its answer queued from here; the
 * guard then watches the answer go, as on_request does for the others. */
static void dispatch_job(struct web_req *r)
{
	r->job_res = api_dispatch(r);
	web_guard_phase(r->conn, r->stream ? WEB_STREAM : WEB_SEND);
}

enum MHD_Result api_later(struct web_req *r)
{
	web_trace_put(r->held);		/* the job takes its own */
	r->held = NULL;
	r->deferred = web_defer(r, dispatch_job);
	return r->deferred ? MHD_YES : r->job_res;
}

enum MHD_Result api_dispatch(struct web_req *r)
{
	int64_t ids[4] = { 0 };
	int path_known = 0;
	const char *method = !strcmp(r->method, "HEAD") ? "GET" : r->method;
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!path_match(rt->pattern, r->url, ids))
			continue;
		path_known = 1;
		if (strcmp(rt->method, method))
			continue;
		if (rt->slow && !r->in_job)
			return api_later(r);
		enum MHD_Result res = rt->fn(r, ids);
		/* The reply is built (a copy): the trace may be evicted from now. */
		web_trace_put(r->held);
		r->held = NULL;
		return res;
	}
	if (path_known)
		return web_error(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not allowed on %s", r->method, r->url);
	return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no API endpoint %s", r->url);
}
