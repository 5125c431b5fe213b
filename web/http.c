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

#include "web.h"

enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, cJSON *doc)
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
	enum MHD_Result r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
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

const char *web_qstr(struct web_req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
	return v && *v ? v : NULL;
}

int web_qint(struct web_req *r, const char *key, int64_t dflt, int64_t min, int64_t max, int64_t *out)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
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

/* One number as cJSON prints it, written at out; returns its length, 0
 * when out of memory.
 * cJSON 1.7 tries "%1.15g" first, which writes an integer under 10^15 as
 * its plain digits: those are formatted here (no printf, no sscanf back);
 * any other value is left to cJSON itself. */
static size_t num_text(double d, char *out)
{
	if (d == (double)(long long)d && d > -1e15 && d < 1e15 && !(d == 0 && signbit(d))) {
		char tmp[24];
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		size_t n = 0, len = 0;
		do
			tmp[n++] = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			out[len++] = '-';
		while (n)
			out[len++] = tmp[--n];
		return len;
	}
	cJSON *x = cJSON_CreateNumber(d);
	char *s = x ? cJSON_PrintUnformatted(x) : NULL;
	size_t len = s && strlen(s) < WEB_NUM_TEXT ? strlen(s) : 0;
	if (len)
		memcpy(out, s, len);
	free(s);
	cJSON_Delete(x);
	return len;
}

cJSON *web_num_array(const double *v, int n)
{
	char *text = malloc((size_t)n * WEB_NUM_TEXT + 3);
	if (!text)
		return NULL;
	size_t len = 0;
	text[len++] = '[';
	for (int i = 0; i < n; i++) {
		size_t k = num_text(v[i], text + len + (i > 0));
		if (!k) {
			free(text);
			return NULL;
		}
		if (i)
			text[len++] = ',';
		len += k;
	}
	text[len++] = ']';
	text[len] = 0;
	return web_raw(text);
}
