/*
 * events.c - JSON serialisation of trace events (schema version 1).
 * Written by hand into a reusable buffer: no cJSON tree per event.
 */
#include "events.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fib.h"
#include "ip.h"
#include "ipv6.h"
#include "netfilter.h"

#define NJ_STR_(x) #x
#define NJ_STR(x) NJ_STR_(x)

/* The writer below emits the exact bytes the jw_kv_* helpers would (the
 * schema's field order, docs/events.md), but as literal key fragments and
 * hand-formatted numbers: this is the hottest loop of a traced replay. */

/* Function, layer, verdict, reason, counter and type names are static
 * strings from fixed tables: their length and whether they need escaping
 * are looked up by address instead of measured and scanned each time. */
static _Thread_local struct name_slot {
	const char *p;
	unsigned len;
	int plain;
} names[1024];

static void put_name(struct jw *w, const char *s)
{
	if (!s) {
		jw_lit(w, "null");
		return;
	}
	struct name_slot *e = &names[((uint64_t)(uintptr_t)s * 0x9e3779b97f4a7c15ull) >> 54];
	if (e->p != s) {
		size_t n = strlen(s);
		e->p = s;
		e->len = (unsigned)n;
		e->plain = n < 256;
		for (size_t i = 0; i < n && e->plain; i++)
			e->plain = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\';
	}
	if (!e->plain) {
		jw_str(w, s, strlen(s));
		return;
	}
	jw_reserve(w, e->len + 2);
	char *o = w->buf + w->len;
	o[0] = '"';
	memcpy(o + 1, s, e->len);
	o[e->len + 1] = '"';
	w->len += e->len + 2;
	w->buf[w->len] = 0;
}

static void put_state_text(struct jw *w, const struct skb_state *st)
{
	jw_lit(w, ",\"skb_state\":{\"len\":");
	jw_u64(w, st->len);
	jw_lit(w, ",\"data\":");
	jw_i64(w, st->data);
	jw_lit(w, ",\"nh\":");
	jw_i64(w, st->nh);
	jw_lit(w, ",\"th\":");
	jw_i64(w, st->th);
	jw_lit(w, ",\"pkt_type\":");
	put_name(w, pkt_type_name(st->pkt_type));
	jw_lit(w, ",\"protocol\":");
	put_name(w, eth_proto_name(st->protocol));
	jw_lit(w, ",\"ifindex\":");
	jw_i64(w, st->ifindex);
	jw_lit(w, "}");
}

static int same_state(const struct skb_state *a, const struct skb_state *b)
{
	return a->len == b->len && a->data == b->data && a->nh == b->nh && a->th == b->th &&
	       a->pkt_type == b->pkt_type && a->protocol == b->protocol && a->ifindex == b->ifindex;
}

/* Consecutive events of a journey mostly carry the same skb_state: its
 * text is kept from the previous event (per thread, as a
 * live store may serialise on another thread than a file sink). */
static _Thread_local struct {
	struct skb_state st;
	size_t n;
	char text[256];
} cache;

static void put_state(struct jw *w, const struct skb_state *st)
{
	if (cache.n && same_state(st, &cache.st)) {
		jw_raw(w, cache.text, cache.n);
		return;
	}
	size_t start = w->len;
	put_state_text(w, st);
	size_t n = w->len - start;
	cache.n = n < sizeof(cache.text) ? n : 0;
	if (cache.n) {
		memcpy(cache.text, w->buf + start, n);
		cache.st = *st;
	}
}

/*
 * A number's text kept from the event before: seq counts up by one, and
 * pkt, skb, ts_ns and an event's parent (per depth) mostly repeat, so most
 * numbers of an event are a fixed-size copy, not a conversion.
 */
struct num_text {
	uint64_t v;
	unsigned n;
	char t[24];
};

#define NUM_SLACK 24	/* put_num copies a whole num_text.t */
#define PARENT_SLOTS 32

static _Thread_local struct {
	struct num_text seq, pkt, skb, ts, after, parent[PARENT_SLOTS];
} nums;

static inline __attribute__((always_inline)) char *put_num(char *o, struct num_text *c, uint64_t v)
{
	if (c->n && c->v != v) {
		int up = v == c->v + 1 && v;	/* not wrapped past UINT64_MAX */
		unsigned i = c->n;
		while (up && i && c->t[i - 1] == '9')
			i--;
		if (up && i) {
			/* one up in place: the trailing 9s to 0, the digit
			 * before them up (all 9s need one digit more: redone) */
			c->t[i - 1]++;
			for (; i < c->n; i++)	/* mostly none: no memset call */
				c->t[i] = '0';
			c->v = v;
		} else {
			c->n = 0;
		}
	}
	if (!c->n) {
		c->n = (unsigned)(jw_txt_u64(c->t, v) - c->t);
		c->v = v;
	}
	memcpy(o, c->t, sizeof(c->t));
	return o + c->n;
}

#define PUT_LIT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* An id that is -1 when absent, as null. */
static char *put_id(char *o, struct num_text *c, int64_t v)
{
	return v >= 0 ? put_num(o, c, (uint64_t)v) : PUT_LIT(o, "null");
}

static char *put_i64(char *o, int64_t v)
{
	if (v < 0) {
		*o++ = '-';
		return jw_txt_u64(o, (uint64_t)0 - (uint64_t)v);	/* INT64_MIN safe */
	}
	return jw_txt_u64(o, (uint64_t)v);
}

/* Ends a run of direct writes at o: jw's length and NUL. */
static void jw_end_at(struct jw *w, char *o)
{
	w->len = (size_t)(o - w->buf);
	*o = 0;
}

static void put_after(struct jw *w, uint64_t ns)
{
	jw_reserve(w, 32 + NUM_SLACK);
	char *o = PUT_LIT(w->buf + w->len, ",\"after_capture_ns\":");
	jw_end_at(w, put_num(o, &nums.after, ns));
}

static void put_mib(struct jw *w, const struct trace_event *ev)
{
	jw_lit(w, ",\"mib\":{");
	for (int i = 0; i < ev->n_mib; i++) {
		if (i)
			jw_lit(w, ",");
		put_name(w, mib_name(ev->mib[i].id));
		jw_lit(w, ":");
		jw_u64(w, ev->mib[i].n);
	}
	jw_lit(w, "}");
}

static void put_verdict(struct jw *w, const struct trace_event *ev)
{
	if (ev->verdict != V_NONE) {
		jw_lit(w, ",\"verdict\":");
		put_name(w, verdict_name(ev->verdict));
	}
	if (ev->verdict == V_DROP) {
		jw_lit(w, ",\"reason\":");
		put_name(w, drop_reason_name(ev->reason));
	} else if (ev->ph == 'E') {
		jw_lit(w, ",\"reason\":null");
	}
}

/* The verdict and reason of an event that is no drop depend on its
 * verdict and on whether it is an E event only: their text is kept per
 * pair, written once the plain way. */
#define TAIL_TEXT 48

static _Thread_local struct {
	uint8_t n;			/* 0: not kept yet */
	char t[TAIL_TEXT];
} tails[V_MAX][2];

static void put_tail(struct jw *w, const struct trace_event *ev)
{
	unsigned v = (unsigned)ev->verdict;
	if (v < V_MAX && v != V_DROP) {
		int e = ev->ph == 'E';
		if (tails[v][e].n) {
			jw_reserve(w, TAIL_TEXT);
			memcpy(w->buf + w->len, tails[v][e].t, TAIL_TEXT);
			jw_end_at(w, w->buf + w->len + tails[v][e].n);
		} else {
			size_t start = w->len;
			put_verdict(w, ev);
			size_t n = w->len - start;
			if (n && n < TAIL_TEXT) {
				memcpy(tails[v][e].t, w->buf + start, n);
				tails[v][e].n = (uint8_t)n;
			}
		}
	} else {
		put_verdict(w, ev);
	}
	if (ev->n_mib)
		put_mib(w, ev);
	if (ev->n_from) {
		jw_lit(w, ",\"from\":[");
		for (int i = 0; i < ev->n_from; i++) {
			if (i)
				jw_lit(w, ",");
			jw_u64(w, ev->from[i]);
		}
		jw_lit(w, "]");
	}
}

/* Room for the head's keys and numbers: at most 20 digits each, plus the
 * slack put_num copies past them. */
#define HEAD_ROOM (160 + NUM_SLACK)

static void put_kind_text(struct jw *w, const struct trace_event *ev)
{
	jw_lit(w, ",\"ph\":");
	if (ev->ph > 0x20 && ev->ph < 0x7f && ev->ph != '"' && ev->ph != '\\') {
		jw_reserve(w, 3);
		char *o = w->buf + w->len;
		*o++ = '"';
		*o++ = ev->ph;
		*o++ = '"';
		jw_end_at(w, o);
	} else {
		char ph[2] = { ev->ph, 0 };
		jw_str(w, ph, ev->ph ? 1 : 0);
	}
	jw_lit(w, ",\"fn\":");
	put_name(w, ev->fn);
	jw_lit(w, ",\"layer\":");
	put_name(w, ev->layer);
}

/* ph, fn and layer as text (",\"ph\":…,\"layer\":…"): the three are
 * static and few, so the text is kept per triple, written once the plain
 * way and then copied (with a fixed-size move) instead of three names
 * looked up and two keys copied on every event. */
#define KIND_TEXT 96
#define KIND_SLOTS 512

static _Thread_local struct kind_slot {
	const char *fn, *layer;
	char ph;
	uint8_t n;			/* 0: not kept */
	char t[KIND_TEXT];
} kinds[KIND_SLOTS];

static void put_kind(struct jw *w, const struct trace_event *ev)
{
	uint64_t h = (uint64_t)(uintptr_t)ev->fn * 0x9e3779b97f4a7c15ull + (uint64_t)(uintptr_t)ev->layer +
		     (unsigned char)ev->ph;
	struct kind_slot *k = &kinds[(h * 0x9e3779b97f4a7c15ull) >> (64 - 9)];
	_Static_assert(KIND_SLOTS == 1 << 9, "the hash takes 9 bits");
	if (k->n && k->fn == ev->fn && k->layer == ev->layer && k->ph == ev->ph) {
		jw_reserve(w, KIND_TEXT);
		memcpy(w->buf + w->len, k->t, KIND_TEXT);
		jw_end_at(w, w->buf + w->len + k->n);
		return;
	}
	size_t start = w->len;
	put_kind_text(w, ev);
	size_t n = w->len - start;
	k->n = 0;
	if (n < KIND_TEXT && ev->fn && ev->layer) {
		memcpy(k->t, w->buf + start, n);
		k->fn = ev->fn;
		k->layer = ev->layer;
		k->ph = ev->ph;
		k->n = (uint8_t)n;
	}
}

static void put_head(struct jw *w, const struct trace_event *ev)
{
	jw_reserve(w, HEAD_ROOM);
	char *o = PUT_LIT(w->buf + w->len, "\"v\":" NJ_STR(TRACE_SCHEMA_VERSION) ",\"seq\":");
	o = put_num(o, &nums.seq, ev->seq);
	/* A B event's seq is the parent of the events one level deeper and
	 * of its own E (at its depth): slot depth + 1 holds it for both. */
	if (ev->ph == 'B')
		nums.parent[(unsigned)(ev->depth + 1) % PARENT_SLOTS] = nums.seq;
	o = PUT_LIT(o, ",\"parent\":");
	if (ev->parent)
		o = put_num(o, &nums.parent[(unsigned)(ev->depth + (ev->ph == 'E')) % PARENT_SLOTS], ev->parent);
	else
		o = PUT_LIT(o, "null");
	o = PUT_LIT(o, ",\"depth\":");
	o = put_i64(o, ev->depth);
	jw_end_at(w, o);
	put_kind(w, ev);
	jw_reserve(w, HEAD_ROOM);
	o = PUT_LIT(w->buf + w->len, ",\"pkt\":");
	o = put_id(o, &nums.pkt, ev->pkt);
	o = PUT_LIT(o, ",\"skb\":");
	o = put_id(o, &nums.skb, ev->skb);
	o = PUT_LIT(o, ",\"ts_ns\":");
	jw_end_at(w, put_num(o, &nums.ts, ev->ts_ns));
}

/* A msg the tracer left unformatted (trace.h, TRACE_SINK_RAW_MSG): its
 * text, made here on the thread that writes the JSON. */
static void put_msg_raw(struct jw *w, const struct trace_msg_raw *r)
{
	char text[TRACE_MSG_MAX];
	size_t n = trace_msg_text(r, text);
	if (!n)
		return;		/* as the tracer: an empty text is no msg */
	jw_lit(w, ",\"msg\":");
	jw_str(w, text, n);
}

void event_to_json(struct jw *w, const struct trace_event *ev)
{
	jw_obj_open(w);
	put_head(w, ev);
	if (ev->st)
		put_state(w, ev->st);
	if (ev->msg) {
		jw_lit(w, ",\"msg\":");
		jw_str(w, ev->msg, ev->msg_len ? ev->msg_len : strlen(ev->msg));
	} else if (ev->msg_raw) {
		put_msg_raw(w, ev->msg_raw);
	}
	if (ev->args) {
		jw_lit(w, ",\"args\":");
		jw_raw(w, ev->args, ev->args_len ? ev->args_len : strlen(ev->args));
	}
	if (ev->after_capture)
		put_after(w, ev->after_ns);
	put_tail(w, ev);
	jw_obj_close(w);
}

/* A number as cJSON prints it (the web's trace_start is printed by cJSON):
 * integers as integers, others with the fewest digits that read back. */
static void put_number(struct jw *w, const cJSON *j)
{
	double d = j->valuedouble;
	char buf[32];
	if (isnan(d) || isinf(d)) {
		jw_val_null(w);
		return;
	}
	if (d == (double)j->valueint) {
		jw_val_int(w, j->valueint);
		return;
	}
	snprintf(buf, sizeof(buf), "%1.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%1.17g", d);
	jw_val_raw(w, buf);
}

/* A parsed JSON value written again through jw: every string and key is
 * escaped there, so control bytes and invalid UTF-8 that cJSON's parser
 * lets through cannot break the trace's line. Depth is bounded by cJSON's
 * own nesting limit. */
static void put_json(struct jw *w, const cJSON *j)
{
	const cJSON *c;
	if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
		int obj = cJSON_IsObject(j);
		if (obj)
			jw_obj_open(w);
		else
			jw_arr_open(w);
		cJSON_ArrayForEach(c, j) {
			if (obj)
				jw_key(w, c->string ? c->string : "");
			put_json(w, c);
		}
		if (obj)
			jw_obj_close(w);
		else
			jw_arr_close(w);
	} else if (cJSON_IsString(j)) {
		jw_val_str(w, j->valuestring);
	} else if (cJSON_IsNumber(j)) {
		put_number(w, j);
	} else if (cJSON_IsBool(j)) {
		jw_val_bool(w, cJSON_IsTrue(j));
	} else {
		jw_val_null(w);
	}
}

struct meta_ctx {
	struct jw *w;
	struct net *net;
	int n;				/* rules written so far */
};

/* A route in the words of `ip route show table all`, either family. */
struct meta_rt {
	const char *family, *table, *dst, *via, *proto, *src;	/* family, via, src: NULL when absent */
	int type, oif, metric;
};

static void meta_route_put(struct meta_ctx *c, const struct meta_rt *m)
{
	struct jw *w = c->w;
	const struct net_device *dev = m->oif ? dev_get_by_index(c->net, m->oif) : NULL;
	jw_obj_open(w);
	if (m->family)
		jw_kv_str(w, "family", m->family);
	jw_kv_str(w, "table", m->table);
	jw_kv_str(w, "type", rtn_type_name(m->type));
	jw_kv_str(w, "dst", m->dst);
	jw_key(w, "via");
	if (m->via)
		jw_val_str(w, m->via);
	else
		jw_val_null(w);
	jw_key(w, "dev");
	if (dev)
		jw_val_str(w, dev->name);
	else
		jw_val_null(w);
	jw_kv_str(w, "scope", m->type == RTN_LOCAL ? "host" : m->via || !m->oif ? "universe" : "link");
	jw_kv_str(w, "proto", m->proto);
	if (m->src)
		jw_kv_str(w, "src", m->src);
	jw_kv_int(w, "metric", m->metric);
	jw_obj_close(w);
}

/* One FIB route as the stack holds it. */
static void meta_route(void *ctx, const struct fib_route *r)
{
	char dst[24], via[16], src[16];
	snprintf(dst, sizeof(dst), "%s/%u", ip_fmt(r->dst), r->plen);
	snprintf(via, sizeof(via), "%s", ip_fmt(r->gateway));
	snprintf(src, sizeof(src), "%s", ip_fmt(r->prefsrc));
	struct meta_rt m = { NULL, r->table == FIB_TABLE_LOCAL ? "local" : "main", dst, r->gateway ? via : NULL,
			     r->connected || r->table == FIB_TABLE_LOCAL ? "kernel" : "static", r->prefsrc ? src : NULL,
			     r->type, r->oif, r->metric };
	meta_route_put(ctx, &m);
}

/* One IPv6 route (rt6_for_each), with "family": "ipv6". */
static void meta_route6(void *ctx, const struct rt6_route *r)
{
	char dst[64], via[48];
	snprintf(dst, sizeof(dst), "%s/%d", in6_fmt(&r->dst), r->plen);
	snprintf(via, sizeof(via), "%s", r->gateway ? in6_fmt(r->gateway) : "");
	struct meta_rt m = { "ipv6", r->table, dst, r->gateway ? via : NULL, r->proto, NULL, r->type, r->oif, r->metric };
	meta_route_put(ctx, &m);
}

/* One netfilter rule, numbered in the order the stack walks them (the
 * "index" nf_hook's args name). */
static void meta_rule(void *ctx, const struct nf_rule *r)
{
	struct meta_ctx *c = ctx;
	char buf[160];
	jw_obj_open(c->w);
	jw_kv_int(c->w, "index", c->n++);
	jw_kv_str(c->w, "hook", nf_hook_name(r->hook));
	jw_kv_int(c->w, "priority", r->priority);
	jw_kv_str(c->w, "rule", nf_rule_fmt(r, buf, sizeof(buf)));
	jw_kv_str(c->w, "verdict", nf_target_name(r->target));
	jw_obj_close(c->w);
}

/* The host as the stack holds it when the replay starts: "fib" (local and
 * main tables, connected, local and broadcast routes included; then the
 * IPv6 ones, "family": "ipv6") and
 * "rules" (netfilter, in walk order). */
static void meta_host(struct jw *w, struct net *net)
{
	struct meta_ctx c = { w, net, 0 };
	jw_key(w, "fib");
	jw_arr_open(w);
	fib_for_each(net, meta_route, &c);
	rt6_for_each(net, meta_route6, &c);
	jw_arr_close(w);
	jw_key(w, "rules");
	jw_arr_open(w);
	nf_for_each_rule(net, meta_rule, &c);
	jw_arr_close(w);
}

void event_meta_start(struct jw *w, const char *source, const char *scenario_json, const char *kernel)
{
	event_meta_start_net(w, source, scenario_json, kernel, NULL);
}

void event_meta_start_net(struct jw *w, const char *source, const char *scenario_json, const char *kernel,
			  struct net *net)
{
	jw_obj_open(w);
	jw_kv_int(w, "v", TRACE_SCHEMA_VERSION);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "kind", "trace_start");
	jw_kv_str(w, "tool", "netjourney");
	jw_kv_str(w, "models", "Linux 6.13 receive path (IPv4 and IPv6)");
	jw_kv_str(w, "kernel", kernel);
	jw_kv_str(w, "source", source);
	cJSON *sc = scenario_json ? cJSON_Parse(scenario_json) : NULL;
	if (sc) {			/* re-written, not copied: see put_json */
		jw_key(w, "scenario");
		put_json(w, sc);
	}
	cJSON_Delete(sc);
	if (net)
		meta_host(w, net);
	jw_obj_close(w);
}

void event_meta_end(struct jw *w, const struct net *net, int complete, uint64_t events, uint64_t packets,
		    const char *error)
{
	jw_obj_open(w);
	jw_kv_int(w, "v", TRACE_SCHEMA_VERSION);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "kind", "trace_end");
	jw_kv_bool(w, "complete", complete);
	jw_kv_uint(w, "events", events);
	jw_kv_uint(w, "packets", packets);
	if (error)
		jw_kv_str(w, "error", error);
	jw_key(w, "mib");
	jw_obj_open(w);
	for (int i = 0; i < MIB_MAX; i++)
		if (net->mib[i])
			jw_kv_uint(w, mib_name(i), net->mib[i]);
	jw_obj_close(w);
	jw_obj_close(w);
}
