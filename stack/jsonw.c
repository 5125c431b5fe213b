/*
 * jsonw.c - append-only JSON writer (see jsonw.h). Not a kernel file: the
 * tracer's serialisation helper. Escapes per RFC 8259; invalid UTF-8 is
 * replaced by U+FFFD so hostile payload bytes cannot break a trace line.
 */
#include "jsonw.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_grow(struct jw *w, size_t extra)
{
	size_t need = w->len + extra + 1;
	if (need <= w->cap)
		return;
	if (w->fixed) {		/* a caller's sizing bug, never input */
		fputs("netjourney: JSON writer: a borrowed buffer is too small\n", stderr);
		abort();
	}
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

/* Bytes that go out as they are: printable ASCII except '"' and '\\'. */
static inline int plain(unsigned char c) { return jw_plain(c); }

/* One byte (or UTF-8 sequence) that needs care, at p; returns the bytes
 * consumed. Room for 6 output bytes is reserved by the caller. */
static size_t str_special(struct jw *w, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o = w->buf + w->len;
	unsigned char c = p[0];
	size_t l;

	switch (c) {
	case '"': case '\\': o[0] = '\\'; o[1] = (char)c; w->len += 2; return 1;
	case '\n': memcpy(o, "\\n", 2); w->len += 2; return 1;
	case '\t': memcpy(o, "\\t", 2); w->len += 2; return 1;
	case '\r': memcpy(o, "\\r", 2); w->len += 2; return 1;
	case '\b': memcpy(o, "\\b", 2); w->len += 2; return 1;	/* as cJSON: the server's rows match its trees */
	case '\f': memcpy(o, "\\f", 2); w->len += 2; return 1;
	}
	if (c < 0x80) {			/* other control bytes and DEL */
		memcpy(o, "\\u00", 4);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		w->len += 6;
		return 1;
	}
	l = utf8_seq(p, n);
	if (l == 0) {
		memcpy(o, "\\ufffd", 6);
		w->len += 6;
		return 1;
	}
	memcpy(o, p, l);
	w->len += l;
	return l;
}

/* Whether all 8 bytes of v are plain (SWAR: no byte below 0x20, none with
 * the top bit, none equal to '"', '\\' or DEL). */
static inline int plain8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
#define HAS_ZERO(x) (((x) - ones) & ~(x) & high)
	uint64_t bad = ((v - ones * 0x20) & ~v & high) | (v & high) | HAS_ZERO(v ^ (ones * '"')) |
		       HAS_ZERO(v ^ (ones * '\\')) | HAS_ZERO(v ^ (ones * 0x7f));
#undef HAS_ZERO
	return bad == 0;
}

/* Whether all 16 bytes at p are plain, with the compiler's vectors (one
 * SSE2 register on x86-64): as signed bytes, plain is >= 0x20 (so no
 * top bit) and none of DEL, '"', '\\'. */
typedef signed char jw_v16 __attribute__((vector_size(16)));
typedef uint64_t jw_v2u __attribute__((vector_size(16)));

static inline int plain16(const unsigned char *p)
{
	jw_v16 v;
	memcpy(&v, p, 16);
	jw_v16 bad = (v < 0x20) | (v == 0x7f) | (v == '"') | (v == '\\');
	jw_v2u b = (jw_v2u)bad;
	return (b[0] | b[1]) == 0;
}

/* Runs of plain bytes are copied with one memcpy, found 16 and 8 bytes at a time;
 * room for the worst case (6 output bytes per input byte) is reserved
 * once, not per byte. */
void jw_str(struct jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	jw_reserve(w, 6 * n + 2);
	w->buf[w->len++] = '"';
	while (i < n) {
		size_t j = i;
		uint64_t v;
		while (j + 16 <= n && plain16(p + j))
			j += 16;
		while (j + 8 <= n && (memcpy(&v, p + j, 8), plain8(v)))
			j += 8;
		while (j < n && plain(p[j]))
			j++;
		memcpy(w->buf + w->len, p + i, j - i);
		w->len += j - i;
		if (j < n)
			j += str_special(w, p + j, n - j);
		i = j;
	}
	w->buf[w->len++] = '"';
	w->buf[w->len] = 0;
}

/* Two digits per division: a ts_ns has 19 of them. */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline int ndigits(uint64_t v)
{
	int n = 1;
	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Digits are written in place, right to left: no temporary. */
char *jw_txt_u64(char *o, uint64_t v)
{
	if (v < 10) {			/* depth, offsets, counts: mostly one digit */
		*o = (char)('0' + v);
		return o + 1;
	}
	int n = ndigits(v);
	char *end = o + n, *p = end;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = digits2[d + 1];
		*--p = digits2[d];
	}
	if (v >= 10) {
		*--p = digits2[v * 2 + 1];
		*--p = digits2[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

void jw_u64(struct jw *w, uint64_t v)
{
	jw_reserve(w, 20);
	char *end = jw_txt_u64(w->buf + w->len, v);
	w->len = (size_t)(end - w->buf);
	*end = 0;
}

void jw_i64(struct jw *w, int64_t v)
{
	if (v < 0) {
		jw_raw(w, "-", 1);
		jw_u64(w, (uint64_t)0 - (uint64_t)v);	/* INT64_MIN safe */
		return;
	}
	jw_u64(w, (uint64_t)v);
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

/* Keys are short names of plain bytes: copied as they are checked, with
 * one reserve; anything else is escaped by jw_str. */
void jw_key_n(struct jw *w, const char *key, size_t n)
{
	size_t i = 0;

	jw_sep(w);
	jw_reserve(w, n + 3);
	char *o = w->buf + w->len;
	uint64_t v;
	o[0] = '"';
	memcpy(o + 1, key, n);		/* then checked: nearly always plain */
	while (i + 8 <= n && (memcpy(&v, key + i, 8), plain8(v)))
		i += 8;
	while (i < n && plain((unsigned char)key[i]))
		i++;
	if (i == n) {
		o[n + 1] = '"';
		o[n + 2] = ':';
		w->len += n + 3;
		w->buf[w->len] = 0;
	} else {
		jw_str(w, key, n);
		jw_raw(w, ":", 1);
	}
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

void jw_val_int(struct jw *w, int64_t v) { jw_sep(w); jw_i64(w, v); }
void jw_val_uint(struct jw *w, uint64_t v) { jw_sep(w); jw_u64(w, v); }
void jw_val_bool(struct jw *w, int v) { jw_sep(w); jw_puts(w, v ? "true" : "false"); }
void jw_val_null(struct jw *w) { jw_sep(w); jw_raw(w, "null", 4); }
void jw_val_raw(struct jw *w, const char *json) { jw_sep(w); jw_puts(w, json); }

/* As cJSON 1.7 prints a number, so a reply written here reads as one
 * cJSON wrote: integers as digits, NaN and infinities as null, anything
 * else "%1.15g", or "%1.17g" when that does not read back. */
void jw_val_double(struct jw *w, double d)
{
	char b[32];
	double back;

	jw_sep(w);
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
		jw_i64(w, (long long)d);
		return;
	}
	if (isnan(d) || isinf(d)) {
		jw_raw(w, "null", 4);
		return;
	}
	snprintf(b, sizeof(b), "%1.15g", d);
	back = strtod(b, NULL);
	double diff = back > d ? back - d : d - back, ab = back < 0 ? -back : back, ad = d < 0 ? -d : d;
	if (diff > (ab > ad ? ab : ad) * DBL_EPSILON)
		snprintf(b, sizeof(b), "%1.17g", d);
	jw_puts(w, b);
}
