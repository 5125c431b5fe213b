/*
 * server.c - the libmicrohttpd daemon: a thread per connection (handlers
 * may block: an upload replays, /api/live waits for events; the store has
 * its own mutex), connection, per-IP, memory and idle-time limits, and the
 * access handler in libmicrohttpd's three phases (STYLE.md §4): the first
 * call sets up the request context, later calls accumulate the body under
 * a size cap, the last one answers; the completion callback frees it.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define CONN_LIMIT	128
#define PER_IP_LIMIT	64
#define CONN_TIMEOUT_S	30
#define CONN_MEMORY	(128 * 1024)

static struct MHD_Daemon *daemon_;
static char static_root[PATH_MAX];
static int have_static, log_requests;
static size_t upload_max;

/* The first call: per-request state; an announced oversized body is
 * refused before it is read. */
static enum MHD_Result first_call(struct MHD_Connection *c, const char *url, const char *method, void **req_cls)
{
	struct web_req *r = calloc(1, sizeof(*r));
	if (!r)
		return MHD_NO;
	r->conn = c;
	r->url = url;
	r->method = method;
	r->max = upload_max;
	r->accept_body = api_wants_body(method, url);
	if (r->accept_body == 2)	/* lesson answers, not an upload */
		r->max = 65536;
	*req_cls = r;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > (r->accept_body ? r->max : 65536)) {
		r->too_big = 2;		/* answered now; the body is never read */
		return web_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body of %s bytes is over the limit of %zu",
				 cl, r->accept_body ? r->max : (size_t)65536);
	}
	return MHD_YES;
}

/* A chunk of body: kept for the upload route, counted and dropped otherwise. */
static enum MHD_Result body_chunk(struct web_req *r, const char *data, size_t n)
{
	size_t cap = r->accept_body ? r->max : 65536;
	if (r->too_big || r->len + n > cap) {
		r->too_big = r->too_big ? r->too_big : 1;
		return MHD_YES;
	}
	if (r->accept_body) {
		if (r->len + n > r->cap) {
			size_t nc = r->cap ? r->cap : 65536;
			while (nc < r->len + n)
				nc *= 2;
			char *b = realloc(r->body, nc);
			if (!b)
				return MHD_NO;
			r->body = b;
			r->cap = nc;
		}
		memcpy(r->body + r->len, data, n);
	}
	r->len += n;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	(void)cls;
	(void)version;
	struct web_req *r = *req_cls;
	if (!r)
		return first_call(c, url, method, req_cls);
	if (*upload_data_size) {
		enum MHD_Result res = body_chunk(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return res;
	}
	if (r->too_big == 2)
		return MHD_YES;
	if (r->too_big)
		return web_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body is over the limit of %zu bytes",
				 r->accept_body ? r->max : (size_t)65536);
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		return api_dispatch(r);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not allowed on static files", method);
	return static_serve(c, have_static ? static_root : NULL, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	struct web_req *r = *req_cls;
	if (!r)
		return;
	if (log_requests)
		fprintf(stderr, "%s %s%s\n", r->method, r->url, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	web_trace_put(r->held);
	free(r->body);
	free(r);
	*req_cls = NULL;
}

static int set_static(const char *dir, char *err, size_t errlen)
{
	have_static = 0;
	if (!dir)
		return 0;
	if (!realpath(dir, static_root)) {
		snprintf(err, errlen, "static directory %s: not found", dir);
		return -1;
	}
	have_static = 1;
	return 0;
}

int web_start(const struct web_cfg *cfg, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port) };
	const char *bind = cfg->bind ? cfg->bind : "127.0.0.1";
	if (inet_pton(AF_INET, bind, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "--bind %s: expected an IPv4 address such as 127.0.0.1", bind);
		return -1;
	}
	if (set_static(cfg->static_dir, err, errlen) < 0)
		return -1;
	upload_max = cfg->upload_max ? cfg->upload_max : WEB_UPLOAD_MAX;
	log_requests = cfg->log;
	web_set_stopping(0);
	daemon_ = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
					   MHD_USE_ERROR_LOG,
				   (uint16_t)cfg->port, NULL, NULL, &on_request, NULL,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
				   MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				   MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL,
				   MHD_OPTION_END);
	if (!daemon_) {
		snprintf(err, errlen, "cannot listen on %s:%d (port in use, or no permission)", bind, cfg->port);
		return -1;
	}
	return 0;
}

int web_port(void)
{
	if (!daemon_)
		return 0;
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

void web_stop(void)
{
	web_set_stopping(1);
	web_pace_join();
	if (daemon_)
		MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	web_traces_free();
}
