/*
 * json_text.c - a cJSON tree as the exact text cJSON_PrintUnformatted
 * gives, only faster: that printer formats every number with sprintf and
 * reads it back with sscanf, and grows its buffer from 256 bytes. Here an
 * integral number below 1e15 is written digit by digit (what "%1.15g"
 * prints for it), the rest go through cJSON itself, and anything unusual
 * (an invalid node, a raw node without text) lets cJSON print the whole
 * tree, so the bytes are cJSON's in every case. The server's one JSON
 * form stays cJSON's; test_web_json_text compares the two on every state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

struct jt {
	char *b;
	size_t n, cap;
	int fail;		/* out of memory, or a node only cJSON prints */
};

static char *jt_room(struct jt *w, size_t k)
{
	if (w->fail)
		return NULL;
	if (w->n + k + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap < w->n + k + 1)
			cap *= 2;
		char *b = realloc(w->b, cap);
		if (!b) {
			w->fail = 1;
			return NULL;
		}
		w->b = b;
		w->cap = cap;
	}
	return w->b + w->n;
}

static void jt_put(struct jt *w, const char *s, size_t k)
{
	char *p = jt_room(w, k);
	if (p) {
		memcpy(p, s, k);
		w->n += k;
	}
}

/* cJSON's print_string_ptr: the two-character escapes, \u00xx below 32,
 * every other byte as it is; NULL prints "". */
static void jt_str(struct jt *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = s ? strlen(s) : 0;
	char *p = jt_room(w, 6 * k + 2);
	if (!p)
		return;
	*p++ = '"';
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f" :
				c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		if (e) {
			*p++ = e[0];
			*p++ = e[1];
		} else if (c < 32) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	w->n = (size_t)(p - w->b);
}

static void jt_num(struct jt *w, const cJSON *o)
{
	double d = o->valuedouble;
	if (isfinite(d) && fabs(d) < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
		char t[24], *p = t + sizeof(t);
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			*--p = '-';
		jt_put(w, p, (size_t)(t + sizeof(t) - p));
		return;
	}
	char *s = cJSON_PrintUnformatted(o);	/* a number prints alone as in a tree */
	if (!s) {
		w->fail = 1;
		return;
	}
	jt_put(w, s, strlen(s));
	free(s);
}

static void jt_value(struct jt *w, const cJSON *o, int depth)
{
	const cJSON *c;
	switch (o->type & 0xFF) {
	case cJSON_NULL: jt_put(w, "null", 4); return;
	case cJSON_False: jt_put(w, "false", 5); return;
	case cJSON_True: jt_put(w, "true", 4); return;
	case cJSON_Number: jt_num(w, o); return;
	case cJSON_String: jt_str(w, o->valuestring); return;
	case cJSON_Raw:
		if (o->valuestring)
			jt_put(w, o->valuestring, strlen(o->valuestring));
		else
			w->fail = 1;
		return;
	case cJSON_Array: case cJSON_Object:
		if (depth > CJSON_NESTING_LIMIT) {	/* cJSON's own recursion, then */
			w->fail = 1;
			return;
		}
		jt_put(w, (o->type & 0xFF) == cJSON_Array ? "[" : "{", 1);
		for (c = o->child; c && !w->fail; c = c->next) {
			if ((o->type & 0xFF) == cJSON_Object) {
				jt_str(w, c->string);
				jt_put(w, ":", 1);
			}
			jt_value(w, c, depth + 1);
			if (c->next)
				jt_put(w, ",", 1);
		}
		jt_put(w, (o->type & 0xFF) == cJSON_Array ? "]" : "}", 1);
		return;
	default:
		w->fail = 1;
	}
}

char *web_json_text(const cJSON *o, size_t *len)
{
	struct jt w = { 0 };
	if (o)
		jt_value(&w, o, 0);
	if (!o || w.fail) {
		free(w.b);
		char *s = o ? cJSON_PrintUnformatted(o) : NULL;
		*len = s ? strlen(s) : 0;
		return s;
	}
	w.b[w.n] = 0;
	*len = w.n;
	return w.b;
}
