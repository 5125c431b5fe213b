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

/* The reply; retry_s > 0 adds Retry-After and closes the connection. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, cJSON *doc, int retry_s)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory\",\"status\":500}";
		text = strdup(oom);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		if (!text)
			return MHD_NO;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
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

enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, cJSON *doc)
{
	return reply(c, status, doc, 0);
}

enum MHD_Result web_reply_retry(struct MHD_Connection *c, unsigned status, cJSON *doc, int retry_s)
{
	return reply(c, status, doc, retry_s);
}

enum MHD_Result web_busy(struct MHD_Connection *c, int retry_s, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddNumberToObject(o, "status", MHD_HTTP_SERVICE_UNAVAILABLE);
	cJSON_AddNumberToObject(o, "retry", retry_s);
	return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, o, retry_s);
}

enum MHD_Result web_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddNumberToObject(o, "status", status);
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

cJSON *web_raw(char *line)
{
	if (!line)
		return cJSON_CreateNull();
	cJSON *n = cJSON_CreateRaw(line);
	free(line);
	return n ? n : cJSON_CreateNull();
}

/* Room for n more bytes and a NUL; 0, or -1 (b->oom set) without memory. */
static int text_room(struct web_text *b, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = 1;
		return -1;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

void web_text_raw(struct web_text *b, const char *s, size_t n)
{
	if (text_room(b, n) < 0)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

/*
 * cJSON 1.7 prints a number with "%1.15g" (then "%1.17g" if that does not
 * read back), which writes an integer under 10^15 as its plain digits:
 * those are formatted here, without printf and sscanf; any other value is
 * printed by cJSON itself.
 */
void web_text_num(struct web_text *b, double d)
{
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
		char tmp[24];
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		size_t n = sizeof(tmp);
		do
			tmp[--n] = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			tmp[--n] = '-';
		web_text_raw(b, tmp + n, sizeof(tmp) - n);
		return;
	}
	cJSON *x = cJSON_CreateNumber(d);
	char *s = x ? cJSON_PrintUnformatted(x) : NULL;
	if (s)
		web_text_raw(b, s, strlen(s));
	else
		b->oom = 1;
	free(s);
	cJSON_Delete(x);
}

/* The letter of c's two-character JSON escape, 0 when it has none. */
static char esc_letter(unsigned char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	}
	return 0;
}

/* As cJSON escapes a string: the two-character escapes it knows, \u00xx
 * for the other control characters, every other byte as it is. */
void web_text_str(struct web_text *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	if (text_room(b, 6 * n + 2) < 0)
		return;
	char *o = b->s + b->len;
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char e = esc_letter(*p);
		if (e) {
			*o++ = '\\';
			*o++ = e;
		} else if (*p < 32) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[*p >> 4];
			o[5] = hex[*p & 15];
			o += 6;
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = 0;
	b->len = (size_t)(o - b->s);
}

cJSON *web_text_node(struct web_text *b)
{
	cJSON *n = b->oom || !b->s ? NULL : cJSON_CreateRaw(b->s);
	free(b->s);
	memset(b, 0, sizeof(*b));
	return n;
}

cJSON *web_num_array(const double *v, int n)
{
	struct web_text b = { 0 };
	web_text_lit(&b, "[");
	for (int i = 0; i < n; i++) {
		if (i)
			web_text_lit(&b, ",");
		web_text_num(&b, v[i]);
	}
	web_text_lit(&b, "]");
	return web_text_node(&b);
}
