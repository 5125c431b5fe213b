/*
 * jsonw.c - append-only JSON writer (see jsonw.h). Not a kernel file: the
 * tracer's serialisation helper. Escapes per RFC 8259; invalid UTF-8 is
 * replaced by U+FFFD so hostile payload bytes cannot break a trace line.
 */
#include "jsonw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jw_grow(struct jw *w, size_t extra)
{
	size_t need = w->len + extra + 1;
	if (need <= w->cap)
		return;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap *= 2;
	char *nb = realloc(w->buf, cap);
	if (!nb) {
		fputs("netjourney: out of memory in JSON writer\n", stderr);
		abort();
	}
	w->buf = nb;
	w->cap = cap;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	w->need_comma = 0;
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	jw_grow(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

void jw_puts(struct jw *w, const char *s) { jw_raw(w, s, strlen(s)); }

void jw_printf(struct jw *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf ? w->buf + w->len : NULL, w->buf ? w->cap - w->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!w->buf || (size_t)n >= w->cap - w->len) {
		jw_grow(w, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
		va_end(ap);
	}
	w->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
	else return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void jw_str(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	jw_grow(w, n + 2);
	w->buf[w->len++] = '"';
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		jw_grow(w, 8);
		char *o = w->buf + w->len;
		if (c == '"' || c == '\\') {
			o[0] = '\\'; o[1] = (char)c; w->len += 2; i++;
		} else if (c == '\n') {
			o[0] = '\\'; o[1] = 'n'; w->len += 2; i++;
		} else if (c == '\t') {
			o[0] = '\\'; o[1] = 't'; w->len += 2; i++;
		} else if (c == '\r') {
			o[0] = '\\'; o[1] = 'r'; w->len += 2; i++;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o, "\\u00", 4); o[4] = hex[c >> 4]; o[5] = hex[c & 15];
			w->len += 6; i++;
		} else if (c < 0x80) {
			o[0] = (char)c; w->len++; i++;
		} else {
			size_t l = utf8_seq(p + i, n - i);
			if (l == 0) {
				memcpy(o, "\\ufffd", 6); w->len += 6; i++;
			} else {
				memcpy(o, p + i, l); w->len += l; i += l;
			}
		}
	}
	jw_grow(w, 1);
	w->buf[w->len++] = '"';
	w->buf[w->len] = 0;
}

static void jw_sep(struct jw *w)
{
	if (w->need_comma)
		jw_raw(w, ",", 1);
	w->need_comma = 1;
}

void jw_obj_open(struct jw *w) { jw_sep(w); jw_raw(w, "{", 1); w->need_comma = 0; }
void jw_arr_open(struct jw *w) { jw_sep(w); jw_raw(w, "[", 1); w->need_comma = 0; }
void jw_obj_close(struct jw *w) { jw_raw(w, "}", 1); w->need_comma = 1; }
void jw_arr_close(struct jw *w) { jw_raw(w, "]", 1); w->need_comma = 1; }

void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	jw_str(w, key, strlen(key));
	jw_raw(w, ":", 1);
	w->need_comma = 0;
}

void jw_val_str(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s)
		jw_str(w, s, strlen(s));
	else
		jw_raw(w, "null", 4);
}

void jw_val_int(struct jw *w, int64_t v) { jw_sep(w); jw_printf(w, "%lld", (long long)v); }
void jw_val_uint(struct jw *w, uint64_t v) { jw_sep(w); jw_printf(w, "%llu", (unsigned long long)v); }
void jw_val_bool(struct jw *w, int v) { jw_sep(w); jw_puts(w, v ? "true" : "false"); }
void jw_val_null(struct jw *w) { jw_sep(w); jw_raw(w, "null", 4); }
void jw_val_raw(struct jw *w, const char *json) { jw_sep(w); jw_puts(w, json); }
