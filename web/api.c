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
};

static const struct route routes[] = {
	{ "GET", "/api/traces", api_traces_list },
	{ "POST", "/api/traces", api_upload },
	{ "GET", "/api/traces/#", api_trace_summary },
	{ "GET", "/api/traces/#/packets", api_packets },
	{ "GET", "/api/traces/#/packets/#", api_packet },
	{ "GET", "/api/traces/#/events", api_events },
	{ "GET", "/api/traces/#/histogram", api_histogram },
	{ "GET", "/api/traces/#/state", api_state },
	{ "GET", "/api/traces/#/skbs/#", api_skb },
	{ "POST", "/api/traces/#/whatif", api_whatif },
	{ "GET", "/api/live", api_live },
	{ "GET", "/api/lessons", api_lessons_list },
	{ "GET", "/api/lessons/#", api_lesson_get },
	{ "POST", "/api/lessons/#/open", api_lesson_open },
	{ "POST", "/api/lessons/#/check", api_lesson_check },
	{ NULL, NULL, NULL },
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
