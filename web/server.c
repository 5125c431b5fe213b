/*
 * server.c - the libmicrohttpd daemon: a pool of threads, one per CPU,
 * each serving many connections (epoll); slow work (an upload replaying,
 * a what-if, waiting for an upload slot) runs as a job with its
 * connection suspended (defer.c), and /api/live streams are suspended
 * while they wait for events (live.c), so no connection holds a thread.
 * Connection, per-IP, memory and idle-time limits with the watchdog of
 * guard.c, and the access handler in libmicrohttpd's three phases
 * (STYLE.md §4): the first call checks Host and Origin (origin.c) and the
 * server's load and sets up the request context, later calls take the
 * body under a size cap (an upload's straight to its spool file), the
 * last one answers; the completion callback frees it.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"

#define CONN_TIMEOUT_S	30
#define CONN_MEMORY	(128 * 1024)
#define SMALL_BODY	65536		/* a body that is not an upload */

static struct MHD_Daemon *daemon_;
static char static_root[PATH_MAX];
static int have_static, log_requests;
static size_t upload_max;
static const char stop_msg[] = "the server is shutting down; the request was not handled";

/* Refusals decided before any body is read: Host/Origin, load, size,
 * upload slots. *refused is 0 when the request goes on. */
static enum MHD_Result refuse_early(struct web_req *r, int *refused)
{
	struct MHD_Connection *c = r->conn;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	size_t cap = r->accept_body ? r->max : SMALL_BODY;
	unsigned st = (unsigned)web_check_origin(c, r->method, r->err, sizeof(r->err));
	*refused = 1;
	if (st)
		return web_error(c, st, "%s", r->err);
	if (web_stopping())
		return web_busy(c, 1, "the server is shutting down");
	if (web_guard_count() > WEB_SOFT_LIMIT)
		return web_busy(c, 1, "the server has %d connections open; try again", web_guard_count());
	if (cl && strtoull(cl, NULL, 10) > cap)
		return web_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body of %s bytes is over the limit of %zu",
				 cl, cap);
	if (r->accept_body == 1 && (st = web_upload_begin(r, r->in_job)) == WEB_WOULD_WAIT) {
		r->slot_wait = 1;	/* first_call makes the wait a job */
		*refused = 0;
		return MHD_YES;
	}
	if (r->accept_body == 1 && st && st != MHD_HTTP_SERVICE_UNAVAILABLE)
		return web_error(c, st, "%s", r->err);
	/* All upload slots busy: the body is read and dropped, then a 503. An
	 * answer sent before the body would be lost to most clients: closing
	 * a socket with unread data resets it. */
	r->busy = st == MHD_HTTP_SERVICE_UNAVAILABLE;
	*refused = 0;
	return MHD_YES;
}

/* The first call's checks, as a job when an upload waits for its slot:
 * its answer, if any, is queued from the job (a connection suspended
 * in its first call takes one), and the first call is repeated after. */
static void first_job(struct web_req *r)
{
	r->job_res = refuse_early(r, &r->answered);
	if (r->answered)		/* a body, if any, is dropped: not one the guard answers */
		web_guard_phase(r->conn, WEB_SEND);
}

/* The first call: per-request state; a refused request is answered at
 * once and its body is never read. */
static enum MHD_Result first_call(struct MHD_Connection *c, const char *url, const char *method, void **req_cls)
{
	struct web_req *r = calloc(1, sizeof(*r));
	if (!r)
		return MHD_NO;
	r->conn = c;
	r->url = url;
	r->method = method;
	r->max = upload_max;
	r->spool_fd = -1;
	r->accept_body = api_wants_body(method, url);
	if (r->accept_body == 2)	/* lesson answers, not an upload */
		r->max = 65536;
	*req_cls = r;
	web_guard_phase(c, WEB_BODY);
	first_job(r);
	if (r->slot_wait) {		/* all upload slots busy: wait off the daemon's thread */
		r->slot_wait = 0;
		r->first_deferred = web_defer(r, first_job);
	}
	return r->first_deferred ? MHD_YES : r->job_res;
}

/* A small body (a what-if's edits) kept in memory, NUL-terminated; the
 * caller has checked it stays under SMALL_BODY. */
static int web_body_keep(struct web_req *r, const char *data, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *b = realloc(r->body, cap);
		if (!b)
			return -1;
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->body[r->len + n] = 0;
	return 0;
}

/* A chunk of body: an upload's goes to its spool file; another POST's
 * is kept in memory (at most SMALL_BODY); any other is counted and dropped. */
static enum MHD_Result body_chunk(struct web_req *r, const char *data, size_t n)
{
	size_t cap = r->accept_body ? r->max : SMALL_BODY;
	if (web_guard_progress(r->conn))	/* answered already (guard.c): dropped */
		return MHD_YES;
	if (web_stopping() && web_guard_answer(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE, 1, stop_msg) == 0)
		return MHD_YES;		/* one that was queued for a slot when the server began to stop */
	if (r->too_big || r->len + n > cap) {
		r->too_big = 1;
		return MHD_YES;
	}
	if (r->accept_body == 2) {	/* a small body, kept in memory (lesson answers) */
		char *b = realloc(r->body, r->len + n + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + r->len, data, n);
		r->body = b;
	} else if (r->accept_body && !r->busy) {
		for (size_t k = 0; r->len + k < sizeof(r->head) && k < n; k++)
			r->head[r->len + k] = (unsigned char)data[k];
		if (web_upload_chunk(r, data, n) < 0)
			return MHD_NO;
	} else if (!r->accept_body && !strcmp(r->method, "POST") && web_body_keep(r, data, n) < 0)
		return MHD_NO;
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
	if (r->first_deferred) {	/* the first call again, after its job */
		r->first_deferred = 0;
		return r->job_res;
	}
	if (r->deferred)		/* a job answered nothing: close */
		return MHD_NO;
	if (*upload_data_size) {
		enum MHD_Result res = r->answered ? MHD_YES : body_chunk(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return res;
	}
	if (r->answered)
		return MHD_YES;
	if (web_guard_phase(c, WEB_WORK))	/* the guard answered while the body arrived */
		return MHD_NO;
	enum MHD_Result res;
	if (r->too_big)
		res = web_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body is over the limit of %zu bytes",
				r->accept_body ? r->max : (size_t)SMALL_BODY);
	else if (r->busy)
		res = web_busy(c, 2, "%s", r->err);
	else if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		res = api_dispatch(r);
	else if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		res = web_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "%s is not allowed on static files", method);
	else
		res = static_serve(c, have_static ? static_root : NULL, url);
	if (!r->deferred)		/* a job's answer: the job says when it is sent */
		web_guard_phase(c, r->stream ? WEB_STREAM : WEB_SEND);
	return res;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	struct web_req *r = *req_cls;
	if (!r)
		return;
	if (log_requests)
		fprintf(stderr, "%s %s%s\n", r->method, r->url, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	web_trace_put(r->held);
	web_upload_end(r);
	free(r->body);
	free(r);
	*req_cls = NULL;
	web_guard_phase(c, WEB_HEAD);	/* the next request's headers, on a kept-alive connection */
}

/* libmicrohttpd's messages on stderr, but not one line per connection a
 * client dropped or the watchdog cut: under attack that is a flood. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a socket the watchdog shut (a parked stream finds it so when resumed) */
	if (strstr(msg, "closed") || strstr(msg, "Connection reset") || strstr(msg, "no longer available"))
		return;
	fputs(msg, stderr);
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

/* The daemon's threads: one per CPU. More only share the same CPUs, and
 * under 64 busy connections on two CPUs four had a worse p99 than two. */
static unsigned web_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
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
	web_origin_config(bind, cfg->allow_hosts, cfg->nallow_hosts);
	web_set_stopping(0);
	web_spool_sweep();
	if (web_guard_start() < 0) {
		snprintf(err, errlen, "cannot start the connection watchdog");
		return -1;
	}
	web_defer_open();
	daemon_ = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
					   MHD_USE_ERROR_LOG,
				   (uint16_t)cfg->port, NULL, NULL, &on_request, NULL,
				   MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, NULL,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				   MHD_OPTION_THREAD_POOL_SIZE, web_threads(),
				   MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_LIMIT,
				   MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_PER_IP_LIMIT,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
				   MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL,
				   MHD_OPTION_NOTIFY_CONNECTION, &web_guard_notify, NULL,
				   MHD_OPTION_END);
	if (!daemon_) {
		web_guard_stop();
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
	/* requests still sending their bodies hear it now, not when cut */
	web_guard_answer_bodies(MHD_HTTP_SERVICE_UNAVAILABLE, 1, stop_msg);
	web_pace_join();
	/* the daemon aborts if it stops with a connection suspended: every job
	 * ends first (uploads stop replaying and answer 503; streams ended at
	 * web_set_stopping) */
	web_defer_drain();
	if (daemon_)
		web_uploads_drain(1500);
	if (daemon_)
		MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	web_guard_stop();
	web_traces_free();
}
