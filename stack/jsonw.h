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

/* jw_lit - raw bytes of a string literal (length known at compile time). */
#define jw_lit(w, lit) jw_raw(w, lit, sizeof(lit) - 1)

/* Structure helpers: they insert commas between members automatically. */
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key_n(struct jw *w, const char *key, size_t n);	/* "key": */
/* Inline, so a literal key's length is known when compiling. */
static inline void jw_key(struct jw *w, const char *key) { jw_key_n(w, key, strlen(key)); }
void jw_val_str(struct jw *w, const char *s);		/* array element / after key */
void jw_val_int(struct jw *w, int64_t v);
void jw_val_uint(struct jw *w, uint64_t v);
void jw_val_bool(struct jw *w, int v);
void jw_val_null(struct jw *w);
void jw_val_raw(struct jw *w, const char *json);	/* pre-built JSON value */
void jw_val_double(struct jw *w, double d);		/* as cJSON prints a number */

static inline void jw_kv_str(struct jw *w, const char *k, const char *v) { jw_key(w, k); jw_val_str(w, v); }
static inline void jw_kv_int(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_val_int(w, v); }
static inline void jw_kv_uint(struct jw *w, const char *k, uint64_t v) { jw_key(w, k); jw_val_uint(w, v); }
static inline void jw_kv_bool(struct jw *w, const char *k, int v) { jw_key(w, k); jw_val_bool(w, v); }
static inline void jw_kv_double(struct jw *w, const char *k, double v) { jw_key(w, k); jw_val_double(w, v); }

#endif
