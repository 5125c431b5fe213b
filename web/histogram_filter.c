/*
 * histogram_filter.c - the filtered share of /api/traces/ID/histogram.
 * With the packet list's selectors (filter, fn, verdict, reason: a packet
 * is kept as the list would show it), each bucket also counts the events
 * of the kept packets and their drop instants, so the timeline colours
 * exactly their events, even where they interleave with timers or other
 * packets. fn may name several functions, comma-separated (a packet with
 * an event of any of them), as the browser's function prefix expands.
 *
 * Each packet is tested once per request, at its first event in the range
 * (the tcpdump filter keeps its own answers across requests); the range
 * is read a chunk of the index at a time, and tested outside the store
 * lock, which the filter takes itself to read frames.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define KEPT_FNS	16		/* names in one fn list */
#define KEPT_CHUNK	256		/* index entries copied per hold of the lock */
#define KEPT_MEMO_MAX	(64u << 20)	/* packet numbers remembered, at most */

struct web_hist_sel {
	struct web_sel sel;
	int fns[KEPT_FNS], nfn;		/* nfn 0: any function; fns[i] -3 names none */
	uint8_t *memo;			/* by packet number: 0 untested, 1 kept, 2 not */
	size_t nmemo;
};

/* fn as a comma-separated list of names into k->fns; names the trace
 * never used match nothing (as the lists' fn does). -1: too many names. */
static int kept_fns(struct web_req *r, struct web_trace *t, struct web_hist_sel *k)
{
	const char *fn = web_qstr(r, "fn");
	k->nfn = 0;
	while (fn && *fn) {
		const char *c = strchr(fn, ',');
		size_t len = c ? (size_t)(c - fn) : strlen(fn);
		char name[128];
		if (k->nfn == KEPT_FNS) {
			snprintf(r->err, sizeof(r->err), "parameter fn: more than %d names", KEPT_FNS);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), fn);
		store_lock(t->s);
		int id = len < sizeof(name) ? store_name_id(t->s, name) : -1;
		store_unlock(t->s);
		k->fns[k->nfn++] = id < 0 ? -3 : id;
		fn = c ? c + 1 : NULL;
	}
	return 0;
}

int web_hist_sel(struct web_req *r, struct web_trace *t, struct web_hist_sel **out)
{
	struct web_hist_sel k = { 0 };
	*out = NULL;
	if (web_qsel(r, t, -1, &k.sel) < 0 || kept_fns(r, t, &k) < 0)
		return -1;
	if (!k.sel.filter && k.sel.verdict < 0 && k.sel.reason < 0 && !k.nfn)
		return 0;
	store_lock(t->s);
	size_t np = store_npkts(t->s);
	const struct store_pkt *last = np ? store_pkt_at(t->s, np - 1) : NULL;
	k.nmemo = last && last->pkt >= 0 && (uint64_t)last->pkt < KEPT_MEMO_MAX ? (size_t)last->pkt + 1 : 0;
	store_unlock(t->s);
	*out = malloc(sizeof(k));
	k.memo = k.nmemo ? calloc(k.nmemo, 1) : NULL;
	if (!*out || (k.nmemo && !k.memo)) {
		free(*out);
		free(k.memo);
		*out = NULL;
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -2;
	}
	**out = k;
	return 1;
}

void web_hist_sel_free(struct web_hist_sel *k)
{
	if (k)
		free(k->memo);
	free(k);
}

/* 1 when one of the packet's events (from index first) is a function of
 * the list (store lock held). */
static int has_fn(struct nj_store *s, uint32_t first, const struct web_hist_sel *k)
{
	for (uint32_t i = first; i != STORE_NONE;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (!e)
			return 0;
		for (int j = 0; j < k->nfn; j++)
			if (k->fns[j] == e->fn)
				return 1;
		i = e->next_in_pkt;
	}
	return 0;
}

/* 1 when packet pkt passes the selectors, in the packet list's order. */
static int pkt_kept(struct web_trace *t, const struct web_hist_sel *k, int64_t pkt)
{
	store_lock(t->s);
	const struct store_pkt *p = store_pkt_find(t->s, pkt);
	int ok = p != NULL;
	if (ok && k->sel.verdict >= 0 && p->verdict != k->sel.verdict)
		ok = 0;
	if (ok && k->sel.reason >= 0 && (p->verdict != V_DROP || p->reason != k->sel.reason))
		ok = 0;
	if (ok && k->nfn && !has_fn(t->s, p->first, k))
		ok = 0;
	store_unlock(t->s);
	if (ok && k->sel.filter) {
		char err[8];
		ok = web_filter_match(t, k->sel.filter, pkt, err, sizeof(err)) == 1;
	}
	return ok;
}

static int kept_memo(struct web_trace *t, struct web_hist_sel *k, int64_t pkt, size_t *npk)
{
	if (pkt < 0)
		return 0;				/* a timer's or the stack's own event */
	if ((uint64_t)pkt >= k->nmemo)
		return pkt_kept(t, k, pkt);		/* a packet newer than the request */
	if (!k->memo[pkt]) {
		k->memo[pkt] = pkt_kept(t, k, pkt) ? 1 : 2;
		*npk += k->memo[pkt] == 1;
	}
	return k->memo[pkt] == 1;
}

int web_hist_kept(struct web_trace *t, struct web_hist_sel *k, size_t from, size_t span, size_t nb, double *kept,
		  double *drops, size_t *npk)
{
	struct store_ev *c = malloc(KEPT_CHUNK * sizeof(*c));
	if (!c)
		return -1;
	size_t b = 0, hi = nb ? from + span / nb : from;
	*npk = 0;
	for (size_t i = from; i < from + span;) {
		size_t m = store_evs(t->s, i, from + span - i < KEPT_CHUNK ? from + span - i : KEPT_CHUNK, c);
		if (!m)
			break;
		for (size_t j = 0; j < m; j++, i++) {
			while (i >= hi && b + 1 < nb)		/* bucket b is [from + span*b/nb, from + span*(b+1)/nb) */
				hi = from + span * (++b + 1) / nb;
			if (!kept_memo(t, k, c[j].pkt, npk))
				continue;
			kept[b]++;
			if (c[j].verdict == V_DROP && c[j].ph == 'i')
				drops[b]++;
		}
	}
	free(c);
	return 0;
}
