/*
 * http.c - the one way the API answers (web_reply / web_error: JSON with
 * the right status and content type, never cached) and strict query
 * parameter parsing: a parameter that is present must parse completely and
 * lie in range, or the request is a 400, never silently clamped.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "web.h"

/* The reply of text (len bytes, taken over; NULL: out of memory);
 * retry_s > 0 adds Retry-After and closes the connection. */
static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, char *text, size_t len, int retry_s)
{
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";
		text = strdup(oom);
		len = sizeof(oom) - 1;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		if (!text)
			return MHD_NO;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, POST");
	if (retry_s > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", retry_s);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
		if (status == MHD_HTTP_SERVICE_UNAVAILABLE)	/* a 409 "not yet" keeps its connection */
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	}
	enum MHD_Result r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The reply of doc (freed here), printed as cJSON prints it (json_text.c). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, cJSON *doc, int retry_s)
{
	size_t len = 0;
	char *text = doc ? web_json_text(doc, &len) : NULL;
	cJSON_Delete(doc);
	return reply_text(c, status, text, len, retry_s);
}

enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, cJSON *doc)
{
	return reply(c, status, doc, 0);
}

enum MHD_Result web_reply_text(struct MHD_Connection *c, unsigned status, char *text, size_t len)
{
	return reply_text(c, status, text, len, 0);
}

enum MHD_Result web_reply_retry(struct MHD_Connection *c, unsigned status, cJSON *doc, int retry_s)
{
	return reply(c, status, doc, retry_s);
}

/* {"error": the message, "status": status}, the body of every error. */
static cJSON *error_doc(unsigned status, const char *fmt, va_list ap)
{
	char msg[768];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddNumberToObject(o, "status", status);
	return o;
}

enum MHD_Result web_busy(struct MHD_Connection *c, int retry_s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cJSON *o = error_doc(MHD_HTTP_SERVICE_UNAVAILABLE, fmt, ap);
	va_end(ap);
	cJSON_AddNumberToObject(o, "retry", retry_s);
	return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, o, retry_s);
}

enum MHD_Result web_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cJSON *o = error_doc(status, fmt, ap);
	va_end(ap);
	return web_reply(c, status, o);
}

/* A query parameter, else the same field of a form upload (the file's
 * own name standing in for name=). */
static const char *arg(struct web_req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
	if (v || !r->mp)
		return v;
	v = multipart_field(r->mp, key);
	return v || strcmp(key, "name") ? v : multipart_field(r->mp, "filename");
}

const char *web_qstr(struct web_req *r, const char *key)
{
	const char *v = arg(r, key);
	return v && *v ? v : NULL;
}

int web_qint(struct web_req *r, const char *key, int64_t dflt, int64_t min, int64_t max, int64_t *out)
{
	const char *v = arg(r, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (!*v || *end || errno) {
		snprintf(r->err, sizeof(r->err), "parameter %s: expected an integer, got \"%.40s\"", key, v);
		return -1;
	}
	if (n < min || n > max) {
		snprintf(r->err, sizeof(r->err), "parameter %s: %lld is out of range [%lld, %lld]", key, n,
			 (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

int web_qsel(struct web_req *r, struct web_trace *t, int fn_absent, struct web_sel *q)
{
	const char *fn = web_qstr(r, "fn"), *v = web_qstr(r, "verdict"), *rs = web_qstr(r, "reason");
	store_lock(t->s);
	q->fn = fn ? store_name_id(t->s, fn) : fn_absent;
	store_unlock(t->s);
	if (fn && q->fn < 0)
		q->fn = -3;
	q->verdict = v ? verdict_lookup(v) : -1;
	q->reason = rs ? drop_reason_lookup(rs) : -1;
	q->filter = web_qstr(r, "filter");
	if (v && q->verdict < 0)
		snprintf(r->err, sizeof(r->err), "parameter verdict: unknown verdict \"%.40s\"", v);
	else if (rs && q->reason < 0)
		snprintf(r->err, sizeof(r->err), "parameter reason: unknown drop reason \"%.40s\"", rs);
	else if (q->filter && web_filter_match(t, q->filter, -1, r->err, sizeof(r->err)) < 0)
		return -1;
	else
		return 0;
	return -1;
}

cJSON *web_raw(char *line)
{
	if (!line)
		return cJSON_CreateNull();
	cJSON *n = cJSON_CreateRaw(line);
	free(line);
	return n ? n : cJSON_CreateNull();
}

cJSON *web_jw_node(struct jw *w)
{
	cJSON *n = w->buf ? cJSON_CreateRaw(w->buf) : NULL;
	jw_free(w);
	return n;
}

cJSON *web_num_array(const double *v, int n)
{
	struct jw w = { 0 };
	jw_arr_open(&w);
	for (int i = 0; i < n; i++)
		jw_val_double(&w, v[i]);
	jw_arr_close(&w);
	return web_jw_node(&w);
}
