/*
 * api_packet.c - /api/traces/ID/packets/N: one packet's journey. The
 * packet's events (flat, in order: what the UI steps through), the call
 * tree they form (B opens a node, i is a leaf, E closes the node whose B
 * seq it names as parent), the captured bytes in hex and the link type.
 * A root whose parent belongs to no packet (the softirq's net_rx_action /
 * process_backlog) carries "via": those enclosing functions, outermost first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define PKT_EV_MAX	5000		/* events of one packet sent at most */
#define TREE_DEPTH	TRACE_MAX_DEPTH

struct tree_build {
	cJSON *roots;
	cJSON *open[TREE_DEPTH];	/* the nodes of unclosed B events */
	uint64_t open_seq[TREE_DEPTH];
	int nopen;
};

static cJSON *node_new(struct nj_store *s, const struct store_ev *e)
{
	cJSON *n = cJSON_CreateObject();
	cJSON_AddNumberToObject(n, "seq", (double)e->seq);
	cJSON_AddStringToObject(n, "fn", store_name(s, e->fn));
	cJSON_AddStringToObject(n, "layer", store_name(s, e->layer));
	cJSON_AddStringToObject(n, "ph", e->ph == 'B' ? "B" : "i");
	if (e->ph == 'i' && e->verdict)
		cJSON_AddStringToObject(n, "verdict", verdict_name((enum nj_verdict)e->verdict));
	if (e->ph == 'B')
		cJSON_AddArrayToObject(n, "children");
	return n;
}

/* The open node with seq, as an index into tb->open, or -1. */
static int open_find(const struct tree_build *tb, uint64_t seq)
{
	for (int k = tb->nopen - 1; k >= 0; k--)
		if (tb->open_seq[k] == seq)
			return k;
	return -1;
}

static void tree_close(struct tree_build *tb, const struct store_ev *e)
{
	int k = open_find(tb, e->parent);
	if (k < 0)
		return;
	cJSON *n = tb->open[k];
	cJSON_AddNumberToObject(n, "end", (double)e->seq);
	cJSON_AddStringToObject(n, "verdict", e->verdict ? verdict_name((enum nj_verdict)e->verdict) : "");
	if (e->verdict == V_DROP)
		cJSON_AddStringToObject(n, "reason", drop_reason_name((enum skb_drop_reason)e->reason));
	tb->nopen = k;
}

static void tree_add(struct tree_build *tb, struct nj_store *s, const struct store_ev *e)
{
	if (e->ph == 'E') {
		tree_close(tb, e);
		return;
	}
	cJSON *n = node_new(s, e);
	int k = open_find(tb, e->parent);
	cJSON *into = k >= 0 ? cJSON_GetObjectItem(tb->open[k], "children") : tb->roots;
	cJSON_AddItemToArray(into, n);
	if (k >= 0)
		tb->nopen = k + 1;	/* anything above the parent was left open */
	if (e->ph == 'B' && tb->nopen < TREE_DEPTH) {
		tb->open[tb->nopen] = n;
		tb->open_seq[tb->nopen++] = e->seq;
	}
	if (k < 0 && e->parent)
		cJSON_AddNumberToObject(n, "parent", (double)e->parent);
}

/* Adds "via" to roots whose parent is outside the packet. Store locked. */
static void add_via(struct nj_store *s, cJSON *roots)
{
	cJSON *n;
	cJSON_ArrayForEach(n, roots) {
		cJSON *p = cJSON_GetObjectItem(n, "parent");
		if (!p)
			continue;
		const char *chain[16];
		int nc = 0;
		uint64_t seq = (uint64_t)p->valuedouble;
		while (seq && nc < 16) {
			size_t i = store_index_of_seq(s, seq);
			struct store_ev e_buf;
			const struct store_ev *e = i == SIZE_MAX ? NULL : store_ev_at(s, i, &e_buf);
			if (!e)
				break;
			chain[nc++] = store_name(s, e->fn);
			seq = e->parent;
		}
		cJSON *via = cJSON_AddArrayToObject(n, "via");
		while (nc)
			cJSON_AddItemToArray(via, cJSON_CreateString(chain[--nc]));
	}
}

/* The packet's event indices (at most PKT_EV_MAX) and its tree. Store locked. */
static size_t collect(struct nj_store *s, const struct store_pkt *p, size_t *idx, cJSON *roots)
{
	struct tree_build tb = { .roots = roots };
	size_t n = 0;
	for (uint32_t i = p->first; i != STORE_NONE && n < PKT_EV_MAX;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (!e)
			break;
		idx[n++] = i;
		tree_add(&tb, s, e);
		i = e->next_in_pkt;
	}
	add_via(s, roots);
	return n;
}

enum MHD_Result api_packet(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	size_t *idx = malloc(PKT_EV_MAX * sizeof(size_t));
	if (!idx)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	cJSON *roots = cJSON_CreateArray();
	store_lock(t->s);
	size_t ready;
	int opening = web_extent(t, NULL, &ready);
	const struct store_pkt *sp = store_pkt_find(t->s, ids[1]);
	if (opening && sp && (size_t)(sp - store_pkt_at(t->s, 0)) >= ready)
		sp = NULL;		/* its events are still coming */
	struct store_pkt p = sp ? *sp : (struct store_pkt){ 0 };
	size_t n = sp ? collect(t->s, &p, idx, roots) : 0;
	store_unlock(t->s);
	if (!sp && opening) {
		free(idx);
		cJSON_Delete(roots);
		return web_not_ready(r, t, "packet %lld is not indexed yet", (long long)ids[1]);
	}
	if (!sp) {
		free(idx);
		cJSON_Delete(roots);
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "trace %lld has no packet %lld", (long long)ids[0],
				 (long long)ids[1]);
	}
	struct web_frame f;
	web_frame_get(t->s, &p, &f);
	cJSON *o = web_pkt_json(t, &p, &f), *evs = web_raw(store_lines_json(t->s, idx, n));
	cJSON_AddNumberToObject(o, "linktype", f.linktype);
	cJSON_AddNumberToObject(o, "caplen", f.caplen);
	cJSON_AddStringToObject(o, "frame", f.hex ? f.hex : "");
	web_frame_free(&f);
	free(idx);
	cJSON_AddBoolToObject(o, "truncated", p.count > n);
	cJSON_AddItemToObject(o, "steps", evs);
	cJSON_AddItemToObject(o, "tree", roots);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
