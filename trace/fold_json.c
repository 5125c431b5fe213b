/*
 * fold_json.c - the folded state as the /state object (see fold.h and
 * docs/events.md, "State at an event"): the one form every front end
 * reads, so `step`, the server and the lessons show the same state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold_priv.h"

/* What the trace leaves out, said in every answer (never a silent cap). */
#define FOLD_HAVE_RANGES 64		/* stack/inet_fragment.c ARGS_MAX_RANGES */

static void add_num_or_null(cJSON *o, const char *k, long long v)
{
	if (v >= 0)
		cJSON_AddNumberToObject(o, k, (double)v);
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *fold_counters_json(struct nj_store *s, size_t i)
{
	uint64_t now[MIB_MAX];
	cJSON *tot = cJSON_CreateObject();
	store_mib_at(s, i, now);
	for (int m = 0; m < MIB_MAX; m++)
		if (now[m])
			cJSON_AddNumberToObject(tot, mib_name((enum nj_mib)m), (double)now[m]);
	return tot;
}

static void counters(struct fold_index *x, size_t i, cJSON *o)
{
	uint64_t now[MIB_MAX], before[MIB_MAX];
	store_mib_at(x->s, i, now);
	if (i)
		store_mib_at(x->s, i - 1, before);
	else
		memset(before, 0, sizeof(before));
	cJSON *tot = cJSON_AddObjectToObject(o, "counters"), *d = cJSON_AddObjectToObject(o, "counters_delta");
	for (int m = 0; m < MIB_MAX; m++) {
		if (now[m])
			cJSON_AddNumberToObject(tot, mib_name((enum nj_mib)m), (double)now[m]);
		if (now[m] > before[m])
			cJSON_AddNumberToObject(d, mib_name((enum nj_mib)m), (double)(now[m] - before[m]));
	}
}

static cJSON *frag_json(const struct fold_frag *q)
{
	cJSON *f = cJSON_CreateObject(), *fl;
	cJSON *have = q->have ? cJSON_Parse(q->have) : NULL;
	cJSON_AddStringToObject(f, "key", q->key);
	cJSON_AddItemToObject(f, "have", have ? have : cJSON_CreateArray());
	if (q->have_more)
		cJSON_AddNumberToObject(f, "have_more", (double)q->have_more);
	cJSON_AddNumberToObject(f, "meat", (double)q->meat);
	add_num_or_null(f, "len", q->len);
	fl = cJSON_AddArrayToObject(f, "flags");
	if (q->flags & 1)
		cJSON_AddItemToArray(fl, cJSON_CreateString("FIRST_IN"));
	if (q->flags & 2)
		cJSON_AddItemToArray(fl, cJSON_CreateString("LAST_IN"));
	cJSON_AddNumberToObject(f, "nfrags", q->nfrags);
	add_num_or_null(f, "mem", q->mem);
	cJSON_AddNumberToObject(f, "since_seq", (double)q->since_seq);
	cJSON_AddNumberToObject(f, "seq", (double)q->seq);
	cJSON *arr = cJSON_AddArrayToObject(f, "arrivals");
	for (size_t k = 0; k < q->narr; k++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "offset", q->arr[k].offset);
		cJSON_AddNumberToObject(x, "len", q->arr[k].len);
		cJSON_AddNumberToObject(x, "skb", (double)q->arr[k].skb);
		cJSON_AddNumberToObject(x, "seq", (double)q->arr[k].seq);
		cJSON_AddItemToArray(arr, x);
	}
	return f;
}

static void frags(const struct fold_state *st, uint64_t seq, cJSON *o)
{
	cJSON *a = cJSON_AddArrayToObject(o, "frags"), *e = cJSON_AddArrayToObject(o, "frags_ended");
	for (size_t k = 0; k < st->frags.n; k++) {
		const struct fold_frag *q = fold_entry(&st->frags, k);
		if (q)
			cJSON_AddItemToArray(a, frag_json(q));
	}
	for (int k = 0; k < st->nends; k++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "key", st->ends[k].key);
		cJSON_AddStringToObject(x, "why", st->ends[k].why);
		cJSON_AddNumberToObject(x, "seq", (double)seq);
		cJSON_AddItemToArray(e, x);
	}
	if (st->ends_more)
		cJSON_AddNumberToObject(o, "frags_ended_more", st->ends_more);
	cJSON_AddNumberToObject(o, "frag_events", (double)st->frag_events);
}

/* A time in ns since the epoch, exact (doubles stop at 2^53). */
static void add_ns(cJSON *o, const char *k, uint64_t ns)
{
	char b[24];
	snprintf(b, sizeof(b), "%llu", (unsigned long long)ns);
	cJSON_AddRawToObject(o, k, b);
}

/* What the socket's "sock" args said last: queues, out-of-order ranges,
 * the armed timers with their expiry and the time left at event ts_ns. */
static void sock_facts_json(cJSON *k, const struct fold_sock *p, uint64_t ts_ns)
{
	static const char *const names[] = { "mss", "snd_wscale", "rcv_wscale", "ts_recent" };
	const long long v[] = { p->mss, p->snd_wscale, p->rcv_wscale, p->ts_recent };
	for (int j = 0; j < 4; j++)
		if (v[j] >= 0)
			cJSON_AddNumberToObject(k, names[j], (double)v[j]);
	if (p->sack_ok >= 0)
		cJSON_AddBoolToObject(k, "sack_ok", (int)p->sack_ok);
	if (p->tstamp_ok >= 0)
		cJSON_AddBoolToObject(k, "tstamp_ok", (int)p->tstamp_ok);
	if (p->rcvq_bytes < 0)
		return;
	cJSON *q = cJSON_AddObjectToObject(k, "rcvq");
	cJSON_AddNumberToObject(q, "bytes", (double)p->rcvq_bytes);
	cJSON_AddNumberToObject(q, "segs", (double)p->rcvq_segs);
	q = cJSON_AddObjectToObject(k, "ofo");
	cJSON_AddNumberToObject(q, "segs", (double)p->ofoq_segs);
	cJSON *r = cJSON_AddArrayToObject(q, "ranges");
	for (int j = 0; j < p->nofo; j++) {
		double se[2] = { p->ofo[j][0], p->ofo[j][1] };
		cJSON_AddItemToArray(r, cJSON_CreateDoubleArray(se, 2));
	}
	if (p->ofo_more)
		cJSON_AddNumberToObject(q, "ranges_more", (double)p->ofo_more);
	r = cJSON_AddArrayToObject(k, "timers");
	for (int j = 0; j < p->ntimers; j++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "timer", p->timers[j].name);
		add_ns(t, "expires_ns", p->timers[j].expires_ns);
		cJSON_AddNumberToObject(t, "in_ns", (double)(int64_t)(p->timers[j].expires_ns - ts_ns));
		cJSON_AddItemToArray(r, t);
	}
	if (p->timers_more)
		cJSON_AddNumberToObject(k, "timers_more", p->timers_more);
}

static cJSON *sock_json(const struct fold_sock *p, uint64_t ts_ns)
{
	cJSON *k = cJSON_CreateObject();
	const char *sk = strchr(p->sk, ' ') ? strchr(p->sk, ' ') + 1 : p->sk;	/* listeners: "tcp *:80" */
	const char *gt = strchr(sk, '>');
	char local[FOLD_KEY];
	snprintf(local, sizeof(local), "%.*s", gt ? (int)(gt - sk) : (int)strlen(sk), sk);
	cJSON_AddStringToObject(k, "sk", sk);
	cJSON_AddStringToObject(k, "proto", p->proto);
	cJSON_AddStringToObject(k, "state", p->state);
	if (p->old[0])
		cJSON_AddStringToObject(k, gt ? "old" : "app", p->old);
	cJSON_AddStringToObject(k, "local", local);
	if (gt)
		cJSON_AddStringToObject(k, "remote", gt + 1);
	else
		cJSON_AddNullToObject(k, "remote");
	static const char *const names[] = { "snd_una", "snd_nxt", "rcv_nxt", "snd_wnd", "rcv_wnd" };
	const long long v[] = { p->snd_una, p->snd_nxt, p->rcv_nxt, p->snd_wnd, p->rcv_wnd };
	for (int j = 0; j < 5; j++)
		if (v[j] >= 0)
			cJSON_AddNumberToObject(k, names[j], (double)v[j]);
	sock_facts_json(k, p, ts_ns);
	if (p->seq)
		cJSON_AddNumberToObject(k, "seq", (double)p->seq);
	return k;
}

static void socks_neigh_taps(const struct fold_state *st, uint64_t ts_ns, cJSON *o)
{
	cJSON *a = cJSON_AddArrayToObject(o, "sockets");
	for (size_t k = 0; k < st->socks.n; k++)
		if (fold_entry(&st->socks, k))
			cJSON_AddItemToArray(a, sock_json(fold_entry(&st->socks, k), ts_ns));
	a = cJSON_AddArrayToObject(o, "neighbours");
	for (size_t k = 0; k < st->neigh.n; k++) {
		const struct fold_neigh *n = fold_entry(&st->neigh, k);
		if (!n)
			continue;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "ip", n->ip);
		if (n->mac[0])
			cJSON_AddStringToObject(e, "mac", n->mac);
		else
			cJSON_AddNullToObject(e, "mac");
		cJSON_AddStringToObject(e, "dev", n->dev);
		cJSON_AddStringToObject(e, "nud", n->nud);
		if (n->queued >= 0) {
			cJSON *ids = n->queued_skbs ? cJSON_Parse(n->queued_skbs) : NULL;
			cJSON_AddNumberToObject(e, "queued", (double)n->queued);
			cJSON_AddNumberToObject(e, "queued_bytes", (double)n->queued_bytes);
			cJSON_AddItemToObject(e, "queued_skbs", ids ? ids : cJSON_CreateArray());
		}
		cJSON_AddItemToArray(a, e);
	}
	a = cJSON_AddArrayToObject(o, "packet_sockets");
	for (size_t k = 0; k < st->taps.n; k++) {
		const struct fold_tap *t = fold_entry(&st->taps, k);
		if (!t)
			continue;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", t->name);
		cJSON_AddStringToObject(e, "filter", t->filter);
		cJSON_AddNumberToObject(e, "received", (double)t->received);
		cJSON_AddNumberToObject(e, "dropped", (double)t->dropped);
		cJSON_AddNumberToObject(e, "filtered", (double)t->filtered);
		cJSON_AddNumberToObject(e, "seen", (double)t->seen);
		add_num_or_null(e, "qlen", t->qlen);
		cJSON_AddItemToArray(a, e);
	}
}

static int str_is(const cJSON *o, const char *k, const char *v)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(s) && !strcmp(s->valuestring, v);
}

/* The current packet's last route lookup (pkt: event i's packet), or null. */
static const struct fold_route *lookup_of(const struct fold_state *st, int64_t pkt, cJSON *o)
{
	const struct fold_route *l = &st->route;
	if (!l->seq || pkt < 0 || l->pkt != pkt) {
		cJSON_AddNullToObject(o, "route_lookup");
		return NULL;
	}
	cJSON *j = cJSON_AddObjectToObject(o, "route_lookup");
	cJSON_AddNumberToObject(j, "seq", (double)l->seq);
	cJSON_AddStringToObject(j, "daddr", l->daddr);
	if (!l->dst[0]) {
		cJSON_AddNullToObject(j, "dst");
		return NULL;
	}
	cJSON_AddStringToObject(j, "table", l->table);
	cJSON_AddStringToObject(j, "dst", l->dst);
	cJSON_AddStringToObject(j, "type", l->type);
	cJSON_AddNumberToObject(j, "metric", (double)l->metric);
	return l;
}

/* Routes and rules as trace_start holds them: the route the current
 * packet's lookup matched marked "matched"; rules with their hits. */
static void routes_rules(struct fold_index *x, const struct fold_state *st, int64_t pkt, cJSON *o)
{
	const cJSON *r, *m;
	const struct fold_route *l = lookup_of(st, pkt, o);
	cJSON *a = cJSON_AddArrayToObject(o, "routes");
	cJSON_ArrayForEach(r, x->fib) {
		cJSON *c = cJSON_Duplicate(r, 1);
		m = cJSON_GetObjectItemCaseSensitive(r, "metric");
		if (l && str_is(r, "table", l->table) && str_is(r, "dst", l->dst) && str_is(r, "type", l->type) &&
		    cJSON_IsNumber(m) && (long long)m->valuedouble == l->metric) {
			cJSON_AddTrueToObject(c, "matched");
			l = NULL;		/* one route matched */
		}
		cJSON_AddItemToArray(a, c);
	}
	a = cJSON_AddArrayToObject(o, "rules");
	size_t k = 0;
	cJSON_ArrayForEach(r, x->rules) {
		cJSON *e = cJSON_Duplicate(r, 1);
		const cJSON *m = x->rule_src ? cJSON_GetObjectItemCaseSensitive(x->rule_src[k], "match") : NULL;
		if (m)
			cJSON_AddItemToObject(e, "match", cJSON_Duplicate(m, 1));
		cJSON_AddNumberToObject(e, "hits", k < st->nrules ? (double)st->rule_pkts[k] : 0);
		cJSON_AddItemToArray(a, e);
		k++;
	}
}

/* The path MTUs still in force at ts (route exceptions; `ip route get`'s
 * "cache expires 599sec mtu 1400"). */
static void pmtus(const struct fold_state *st, uint64_t ts_ns, cJSON *o)
{
	cJSON *a = cJSON_AddArrayToObject(o, "pmtu");
	for (size_t k = 0; k < st->pmtu.n; k++) {
		const struct fold_pmtu *p = fold_entry(&st->pmtu, k);
		if (!p || p->expires_ns <= ts_ns)
			continue;
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "daddr", p->key);
		cJSON_AddNumberToObject(j, "mtu", (double)p->mtu);
		cJSON_AddBoolToObject(j, "locked", p->locked);
		cJSON_AddNumberToObject(j, "expires_in_s", (double)((p->expires_ns - ts_ns + 999999999ULL) / 1000000000ULL));
		cJSON_AddItemToArray(a, j);
	}
}

/* The scenario's forwarding and rp_filter, as sysctl names them. */
static void sysctl(struct fold_index *x, cJSON *o)
{
	if (!x->scenario)
		return;
	const cJSON *fw = cJSON_GetObjectItemCaseSensitive(x->scenario, "forwarding");
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(x->scenario, "rp_filter");
	cJSON *s = cJSON_AddObjectToObject(o, "sysctl");
	cJSON_AddNumberToObject(s, "ip_forward", cJSON_IsTrue(fw));
	cJSON_AddNumberToObject(s, "rp_filter", cJSON_IsNumber(rp) ? rp->valuedouble : 0);
}

/* The skbs of the frames open at event i, innermost first, each once. */
static void skbs(struct fold_index *x, size_t i, cJSON *o)
{
	cJSON *a = cJSON_AddArrayToObject(o, "skbs");
	int64_t seen[64];
	int n = 0;
	store_lock(x->s);
	for (size_t k = i; k != SIZE_MAX && n < 64;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(x->s, k, &e_buf);
		if (!e)
			break;
		int dup = e->skb < 0;
		for (int j = 0; j < n && !dup; j++)
			dup = seen[j] == e->skb;
		if (!dup) {
			cJSON *s = cJSON_CreateObject();
			seen[n++] = e->skb;
			cJSON_AddNumberToObject(s, "skb", (double)e->skb);
			if (e->pkt >= 0)
				cJSON_AddNumberToObject(s, "pkt", (double)e->pkt);
			cJSON_AddStringToObject(s, "fn", store_name(x->s, e->fn));
			cJSON_AddItemToArray(a, s);
		}
		k = e->parent ? store_index_of_seq(x->s, e->parent) : SIZE_MAX;
	}
	store_unlock(x->s);
}

cJSON *fold_json(struct fold_index *x, const struct fold_state *st, size_t i)
{
	store_lock(x->s);
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(x->s, i, &e_buf);
	uint64_t seq = e ? e->seq : 0, ts = e ? e->ts_ns : 0;
	int64_t pkt = e ? e->pkt : -1;
	size_t np = store_npkts(x->s);
	const struct store_pkt *lp = np ? store_pkt_at(x->s, np - 1) : NULL;
	int after = lp && i > lp->last;		/* timers that fired once the capture was over */
	store_unlock(x->s);
	if (!e)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	add_ns(o, "ts_ns", ts);
	cJSON_AddBoolToObject(o, "after_capture", after);
	counters(x, i, o);
	frags(st, seq, o);
	socks_neigh_taps(st, ts, o);
	routes_rules(x, st, pkt, o);
	pmtus(st, ts, o);
	skbs(x, i, o);
	sysctl(x, o);
	cJSON *lim = cJSON_AddObjectToObject(o, "limits");
	cJSON_AddNumberToObject(lim, "have_ranges", FOLD_HAVE_RANGES);
	cJSON_AddNumberToObject(lim, "ofo_ranges", FOLD_OFO);
	cJSON_AddStringToObject(lim, "skbs", "the skbs of the frames open at this event; skbs held in a queue "
				"are counted by their queue (a fragment queue's nfrags, a packet socket's qlen)");
	if (!x->fib)
		cJSON_AddStringToObject(lim, "routes", "the trace's trace_start carries no fib");
	return o;
}

cJSON *fold_json_at(struct fold_index *x, size_t i)
{
	struct fold_state st;
	if (fold_at(x, i, &st) < 0)
		return NULL;
	cJSON *o = fold_json(x, &st, i);
	fold_state_free(&st);
	return o;
}
