/*
 * store_scan.c - the store's fast line scanner (see store_scan.h). Not a
 * kernel file. A 1,000,000-event trace is indexed in well under a second
 * because nothing is allocated per line: the head of the line is matched
 * literally in the writer's order, the values the index does not keep
 * (skb_state, msg, args, from) are skipped as JSON values, and verdict,
 * reason and mib are read from the tail. Anything unexpected fails and the
 * caller falls back to cJSON, so the scanner may be strict.
 */
#include "store_scan.h"

#include <stddef.h>
#include <string.h>

struct cur {
	const char *p, *end;
};

static int lit(struct cur *c, const char *s, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return -1;
	c->p += n;
	return 0;
}
#define LIT(c, s) lit(c, s, sizeof(s) - 1)

static int u64(struct cur *c, uint64_t *v)
{
	const char *s = c->p;
	uint64_t x = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*c->p++ - '0');
	}
	*v = x;
	return c->p > s ? 0 : -1;
}

/* A non-negative integer or null (-1). */
static int id_or_null(struct cur *c, int64_t *v)
{
	uint64_t x;
	if (!LIT(c, "null")) {
		*v = -1;
		return 0;
	}
	if (u64(c, &x) < 0 || x > INT64_MAX)
		return -1;
	*v = (int64_t)x;
	return 0;
}

/* A string without escapes into buf (NUL-terminated). */
static int name(struct cur *c, char *buf, size_t cap)
{
	if (LIT(c, "\"") < 0)
		return -1;
	const char *s = c->p;
	while (c->p < c->end && *c->p != '"' && *c->p != '\\')
		c->p++;
	size_t n = (size_t)(c->p - s);
	if (c->p >= c->end || *c->p != '"' || n >= cap)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	c->p++;
	return 0;
}

/* Skips a string: memchr to each '"', which ends the string unless an odd
 * run of backslashes precedes it (hex frames and msgs make strings long). */
static int skip_str(struct cur *c)
{
	const char *start = ++c->p;		/* after the opening quote */
	for (;;) {
		const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
		if (!q)
			return -1;
		const char *b = q;
		while (b > start && b[-1] == '\\')
			b--;
		c->p = q + 1;
		if ((q - b) % 2 == 0)
			return 0;
	}
}

/* Skips one JSON value: a string, a scalar up to its delimiter, or an
 * object/array by bracket depth (strings inside skipped whole). */
static int skip_value(struct cur *c)
{
	int depth = 0;
	if (c->p >= c->end)
		return -1;
	if (*c->p == '"')
		return skip_str(c);
	if (*c->p != '{' && *c->p != '[') {
		const char *s = c->p;
		while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']')
			c->p++;
		return c->p > s ? 0 : -1;
	}
	while (c->p < c->end) {
		char ch = *c->p;
		if (ch == '"') {
			if (skip_str(c) < 0)
				return -1;
			continue;
		}
		c->p++;
		if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth == 0)
			return 0;
	}
	return -1;
}

/* {"v":1,"seq":N,"parent":N|null,"depth":N,"ph":"X","fn":"…","layer":"…",
 * "pkt":N|null,"skb":N|null,"ts_ns":N */
static int scan_head(struct cur *c, struct scan_ev *ev)
{
	uint64_t depth;
	char ph[4];
	int64_t parent;
	if (LIT(c, "{\"v\":1,\"seq\":") || u64(c, &ev->seq) || LIT(c, ",\"parent\":") ||
	    id_or_null(c, &parent) || LIT(c, ",\"depth\":") || u64(c, &depth) || depth > 1u << 20 ||
	    LIT(c, ",\"ph\":") || name(c, ph, sizeof(ph)) || strlen(ph) != 1 || LIT(c, ",\"fn\":") ||
	    name(c, ev->fn, sizeof(ev->fn)) || LIT(c, ",\"layer\":") || name(c, ev->layer, sizeof(ev->layer)) ||
	    LIT(c, ",\"pkt\":") || id_or_null(c, &ev->pkt) || LIT(c, ",\"skb\":") || id_or_null(c, &ev->skb) ||
	    LIT(c, ",\"ts_ns\":") || u64(c, &ev->ts_ns))
		return -1;
	ev->parent = parent < 0 ? 0 : (uint64_t)parent;
	ev->depth = (int)depth;
	ev->ph = ph[0];
	return 0;
}

/* "mib":{"Group.Name":N,…} */
static int scan_mib(struct cur *c, struct scan_ev *ev)
{
	char key[SCAN_NAME_MAX];
	uint64_t n;
	if (LIT(c, "{"))
		return -1;
	if (!LIT(c, "}"))
		return 0;
	do {
		int id;
		if (name(c, key, sizeof(key)) || LIT(c, ":") || u64(c, &n) || n > UINT32_MAX ||
		    (id = mib_lookup(key)) < 0 || ev->n_mib == SCAN_MIB_MAX)
			return -1;
		ev->mib[ev->n_mib].id = (uint16_t)id;
		ev->mib[ev->n_mib++].n = (uint32_t)n;
	} while (!LIT(c, ","));
	return LIT(c, "}");
}

static int scan_member(struct cur *c, struct scan_ev *ev)
{
	char key[16], val[SCAN_NAME_MAX];
	if (name(c, key, sizeof(key)) || LIT(c, ":"))
		return -1;
	if (!strcmp(key, "verdict")) {
		if (name(c, val, sizeof(val)) || (ev->verdict = verdict_lookup(val)) < 0)
			return -1;
		return 0;
	}
	if (!strcmp(key, "reason")) {
		if (!LIT(c, "null"))
			return 0;
		if (name(c, val, sizeof(val)) || (ev->reason = drop_reason_lookup(val)) < 0)
			return -1;
		return 0;
	}
	if (!strcmp(key, "mib"))
		return scan_mib(c, ev);
	return skip_value(c);		/* skb_state, msg, args, from, or newer */
}

int scan_event_line(const char *line, size_t len, struct scan_ev *ev)
{
	struct cur c = { line, line + len };
	memset(ev, 0, offsetof(struct scan_ev, fn));
	ev->n_mib = ev->verdict = ev->reason = 0;
	if (scan_head(&c, ev) < 0)
		return -1;
	while (!LIT(&c, ","))
		if (scan_member(&c, ev) < 0)
			return -1;
	return LIT(&c, "}") || c.p != c.end ? -1 : 0;
}
