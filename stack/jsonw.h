/*
 * jsonw.h - an append-only JSON writer into a growable byte buffer.
 *
 * Used for event args and for serialising events: no allocation per value,
 * the buffer is reused between events. Strings are escaped; bytes that are
 * not valid UTF-8 become U+FFFD, so any packet payload yields valid JSON.
 */
#ifndef NJ_STACK_JSONW_H
#define NJ_STACK_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	int need_comma;		/* a value was written at this nesting level */
	int fixed;		/* buf is not ours: the caller made room enough */
};

/* jw_grow - makes room for extra more bytes plus the NUL. Aborts the
 * process on out-of-memory. Callers go through jw_reserve. */
void jw_grow(struct jw *w, size_t extra);

/* jw_reserve - the inline fast path of jw_grow: one compare when the
 * buffer already has room, which is nearly always (it is reused). */
static inline void jw_reserve(struct jw *w, size_t extra)
{
	if (w->len + extra + 1 > w->cap)
		jw_grow(w, extra);
}

/* jw_reset - empties the buffer, keeps its memory. Cannot fail. */
static inline void jw_reset(struct jw *w) { w->len = 0; w->need_comma = 0; if (w->buf) w->buf[0] = 0; }

/* jw_free - releases the buffer; the writer is empty and reusable after. */
void jw_free(struct jw *w);

/* Raw bytes, no escaping. Aborts the process on out-of-memory (as malloc
 * failure here leaves nothing sensible to report). */
static inline void jw_raw(struct jw *w, const char *s, size_t n)
{
	jw_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}
void jw_puts(struct jw *w, const char *s);
void jw_printf(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON string literal (with quotes) from n bytes, escaped. */
void jw_str(struct jw *w, const char *s, size_t n);

/* jw_u64 / jw_i64 - a decimal number, no separator (hand-written: the
 * event writer formats millions of them, vsnprintf was its top cost). */
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
/* jw_txt_u64 - v's digits at o (room for 20), no NUL; returns their end. */
char *jw_txt_u64(char *o, uint64_t v);

/* jw_lit - raw bytes of a string literal (length known at compile time). */
#define jw_lit(w, lit) jw_raw(w, lit, sizeof(lit) - 1)

/* Structure helpers: they insert commas between members automatically. */
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key_n(struct jw *w, const char *key, size_t n);	/* "key": */

/* A byte a JSON string holds as it is. */
static inline int jw_plain(unsigned char c) { return (unsigned)(c - 0x20) < 0x5f && c != '"' && c != '\\'; }

/* jw_key - "key": after a comma when one is due. A literal key is checked
 * while compiling (its length and bytes are constants, so the loop folds
 * away) and copied with fixed-size moves; any other goes to jw_key_n. A
 * macro: only there does __builtin_constant_p see the literal. */
#define jw_key(w, key) jw_key_lit((w), (key), __builtin_constant_p(key))
static inline __attribute__((always_inline)) void jw_key_lit(struct jw *w, const char *key, int literal)
{
	size_t n = strlen(key);
	/* written out: a loop over a literal's bytes is not folded */
#define JW_P(i) ((i) >= n || jw_plain((unsigned char)key[i]))
#define JW_P4(i) (JW_P(i) && JW_P(i + 1) && JW_P(i + 2) && JW_P(i + 3))
	int plain = literal && n <= 24 && JW_P4(0) && JW_P4(4) && JW_P4(8) && JW_P4(12) && JW_P4(16) && JW_P4(20);
#undef JW_P4
#undef JW_P
	if (!plain) {
		jw_key_n(w, key, n);
		return;
	}
	jw_reserve(w, n + 4);
	char *o = w->buf + w->len;
	*o = ',';
	o += w->need_comma;
	*o++ = '"';
	memcpy(o, key, n);
	o[n] = '"';
	o[n + 1] = ':';
	o[n + 2] = 0;
	w->len = (size_t)(o + n + 2 - w->buf);
	w->need_comma = 0;
}
void jw_val_str(struct jw *w, const char *s);		/* array element / after key */
void jw_val_int(struct jw *w, int64_t v);
void jw_val_uint(struct jw *w, uint64_t v);
void jw_val_bool(struct jw *w, int v);
void jw_val_null(struct jw *w);
void jw_val_raw(struct jw *w, const char *json);	/* pre-built JSON value */
void jw_val_double(struct jw *w, double d);		/* as cJSON prints a number */

/* Key and value, each argument evaluated once as in a call; macros so
 * that jw_key_lit learns whether the key is a literal. */
#define JW_KV(name, type, val_fn) \
	static inline __attribute__((always_inline)) void name##_lit(struct jw *w, const char *k, type v, int lit) \
	{ jw_key_lit(w, k, lit); val_fn(w, v); }
JW_KV(jw_kv_str, const char *, jw_val_str)
JW_KV(jw_kv_int, int64_t, jw_val_int)
JW_KV(jw_kv_uint, uint64_t, jw_val_uint)
JW_KV(jw_kv_bool, int, jw_val_bool)
JW_KV(jw_kv_double, double, jw_val_double)
#undef JW_KV
#define jw_kv_str(w, k, v) jw_kv_str_lit((w), (k), (v), __builtin_constant_p(k))
#define jw_kv_int(w, k, v) jw_kv_int_lit((w), (k), (v), __builtin_constant_p(k))
#define jw_kv_uint(w, k, v) jw_kv_uint_lit((w), (k), (v), __builtin_constant_p(k))
#define jw_kv_bool(w, k, v) jw_kv_bool_lit((w), (k), (v), __builtin_constant_p(k))
#define jw_kv_double(w, k, v) jw_kv_double_lit((w), (k), (v), __builtin_constant_p(k))

#endif
