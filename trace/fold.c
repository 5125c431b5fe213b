/*
 * fold.c - events into state (see fold.h): one function per kind of
 * state-changing event (the tables they fill: fold_table.c). Only the events of the
 * functions in enum fold_fn (and their IPv6 counterparts, fold_v6) are
 * parsed, found by their interned name ids in the store's index, so a fold
 * reads few lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold_priv.h"

/* -- reading args -- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long jnum(const cJSON *o, const char *k, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

static void put(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

/* -- fragment queues -- */

static void frag_end(struct fold_state *st, const char *key, const char *why)
{
	struct fold_frag *q = fold_get(&st->frags, key);
	if (q) {
		fold_frag_free(q);
		fold_del(&st->frags, q);
	}
	if (st->nends == FOLD_ENDS) {
		st->ends_more++;
		return;
	}
	put(st->ends[st->nends].key, FOLD_KEY, key);
	put(st->ends[st->nends++].why, sizeof(st->ends[0].why), why);
}

static int frag_contents(struct fold_frag *q, const cJSON *a)
{
	const cJSON *f, *have = cJSON_GetObjectItemCaseSensitive(a, "have");
	char *txt = cJSON_PrintUnformatted(have);
	if (!txt)
		return -1;
	free(q->have);
	q->have = txt;
	q->have_more = jnum(a, "have_more", 0);
	q->meat = jnum(a, "meat", 0);
	q->len = jnum(a, "len", -1);
	q->nfrags = (int)jnum(a, "nfrags", 0);
	q->mem = jnum(a, "truesize", -1);
	q->flags = 0;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a, "flags")) {
		if (cJSON_IsString(f) && !strcmp(f->valuestring, "FIRST_IN"))
			q->flags |= 1;
		if (cJSON_IsString(f) && !strcmp(f->valuestring, "LAST_IN"))
			q->flags |= 2;
	}
	return 0;
}

/* A fragment held (ip_frag_queue's "arrival"): appended in arrival order;
 * the queue's only fragment (a new or restarted queue) starts the list. */
static int frag_arrival(struct fold_frag *q, const cJSON *arr, uint64_t seq)
{
	if (!cJSON_IsObject(arr))
		return 0;
	if (q->nfrags <= 1)
		q->narr = 0;
	if (q->narr == q->caparr) {
		size_t cap = q->caparr ? 2 * q->caparr : 4;
		struct fold_arrival *n = realloc(q->arr, cap * sizeof(*n));
		if (!n)
			return -1;
		q->arr = n;
		q->caparr = cap;
	}
	q->arr[q->narr++] = (struct fold_arrival){ (uint32_t)jnum(arr, "offset", 0), (uint32_t)jnum(arr, "len", 0),
						   jnum(arr, "skb", -1), seq };
	return 0;
}

/* ip_find names (and creates) a queue unless refused; a queue's contents
 * come with every event that carries "have"; "end" says it is gone. */
static int frag_event(struct fold_state *st, enum fold_fn role, const cJSON *a, uint64_t seq)
{
	const char *key = jstr(a, "queue"), *end = jstr(a, "end");
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(a, "have");
	st->frag_events++;
	if (!key)
		return 0;
	if (end) {
		frag_end(st, key, end);
		return 0;
	}
	if (role == FF_IP_FIND && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "refused")))
		return 0;
	if (role != FF_IP_FIND && !cJSON_IsArray(have))
		return 0;
	struct fold_frag *q = fold_get(&st->frags, key);
	if (!q) {
		if (!(q = fold_add(&st->frags, key)))
			return -1;
		q->len = q->mem = -1;
		q->since_seq = seq;
	}
	q->seq = seq;
	if (cJSON_IsArray(have) && frag_contents(q, a) < 0)
		return -1;
	return frag_arrival(q, cJSON_GetObjectItemCaseSensitive(a, "arrival"), seq);
}

/* -- sockets: tcp_set_state makes and moves them, tcp_ack moves snd_una;
 * "sock" (queues, out-of-order ranges, ts_recent, timers) comes with
 * tcp_set_state and the end of each segment and timer -- */

void fold_sock_init(struct fold_sock *p)
{
	p->snd_una = p->snd_nxt = p->rcv_nxt = p->snd_wnd = p->rcv_wnd = -1;
	p->mss = p->snd_wscale = p->rcv_wscale = p->sack_ok = p->tstamp_ok = p->ts_recent = -1;
	p->rcvq_bytes = p->rcvq_segs = p->ofoq_segs = -1;
	p->ofo_more = p->nofo = p->ntimers = p->timers_more = 0;
}

static long long jbool(const cJSON *o, const char *k, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

/* The sequence space args a carry (absent ones stay as they were). */
static void sock_seq(struct fold_sock *p, const cJSON *a)
{
	static const char *const k[] = { "snd_una", "snd_nxt", "rcv_nxt", "snd_wnd", "rcv_wnd" };
	long long *v[] = { &p->snd_una, &p->snd_nxt, &p->rcv_nxt, &p->snd_wnd, &p->rcv_wnd };
	for (int j = 0; j < 5; j++)
		*v[j] = jnum(a, k[j], *v[j]);
}

/* The "sock" object of args a, if any, into p; ts_ns: the event's clock. */
static void sock_facts(struct fold_sock *p, const cJSON *a, uint64_t ts_ns)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "sock"), *r;
	if (!cJSON_IsObject(s))
		return;
	p->rcvq_bytes = jnum(s, "rcvq_bytes", -1);
	p->rcvq_segs = jnum(s, "rcvq_segs", -1);
	p->ofoq_segs = jnum(s, "ofoq_segs", -1);
	p->ofo_more = jnum(s, "ofo_more", 0);
	p->ts_recent = jnum(s, "ts_recent", p->ts_recent);
	p->nofo = p->ntimers = p->timers_more = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s, "ofo")) {
		if (p->nofo == FOLD_OFO) {
			p->ofo_more++;		/* more than the stack lists: counted, not lost */
			continue;
		}
		p->ofo[p->nofo][0] = (uint32_t)(cJSON_GetArrayItem(r, 0) ? cJSON_GetArrayItem(r, 0)->valuedouble : 0);
		p->ofo[p->nofo++][1] = (uint32_t)(cJSON_GetArrayItem(r, 1) ? cJSON_GetArrayItem(r, 1)->valuedouble : 0);
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s, "timers")) {
		long long in = jnum(r, "in_ns", -1);
		if (!jstr(r, "timer") || in < 0)
			continue;
		if (p->ntimers == FOLD_TIMERS) {
			p->timers_more++;
			continue;
		}
		put(p->timers[p->ntimers].name, sizeof(p->timers[0].name), jstr(r, "timer"));
		p->timers[p->ntimers++].expires_ns = ts_ns + (uint64_t)in;
	}
}


static int sock_state(struct fold_state *st, const cJSON *a, uint64_t seq, uint64_t ts_ns)
{
	const char *sk = jstr(a, "sk"), *nw = jstr(a, "new");
	if (!sk || !nw)
		return 0;
	struct fold_sock *p = fold_get(&st->socks, sk);
	if (!strcmp(nw, "CLOSE")) {		/* unhashed and destroyed: gone */
		if (p)
			fold_del(&st->socks, p);
		return 0;
	}
	if (!p) {
		if (!(p = fold_add(&st->socks, sk)))
			return -1;
		fold_sock_init(p);
	}
	put(p->proto, sizeof(p->proto), "tcp");
	put(p->state, sizeof(p->state), nw);
	put(p->old, sizeof(p->old), jstr(a, "old"));
	sock_seq(p, a);
	p->mss = jnum(a, "mss", p->mss);
	p->snd_wscale = jnum(a, "snd_wscale", p->snd_wscale);
	p->rcv_wscale = jnum(a, "rcv_wscale", p->rcv_wscale);
	p->sack_ok = jbool(a, "sack_ok", p->sack_ok);
	p->tstamp_ok = jbool(a, "tstamp_ok", p->tstamp_ok);
	p->ts_recent = jnum(a, "ts_recent", p->ts_recent);
	sock_facts(p, a, ts_ns);
	p->seq = seq;
	return 0;
}

/* The end of a segment or a timer: the socket's queues and timers. */
static void sock_update(struct fold_state *st, const cJSON *a, uint64_t ts_ns)
{
	const char *sk = jstr(a, "sk");
	struct fold_sock *p = sk ? fold_get(&st->socks, sk) : NULL;
	if (!p)
		return;
	sock_seq(p, a);
	sock_facts(p, a, ts_ns);
}

static void sock_ack(struct fold_state *st, const cJSON *a, uint64_t seq)
{
	const char *sk = jstr(a, "sk");
	struct fold_sock *p = sk ? fold_get(&st->socks, sk) : NULL;
	if (!p)
		return;
	p->snd_una = jnum(a, "snd_una", p->snd_una);
	p->snd_wnd = jnum(a, "snd_wnd", p->snd_wnd);
	(void)seq;			/* seq stays the state change's */
}

/* A socket freed without a tcp_set_state (a request sock dropped). */
static void sock_gone(struct fold_state *st, const cJSON *a)
{
	const char *sk = jstr(a, "sk");
	struct fold_sock *p = sk && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "sk_gone")) ? fold_get(&st->socks, sk)
												    : NULL;
	if (p)
		fold_del(&st->socks, p);
}

/* -- packet sockets: packet_rcv's E event, with the socket's counters -- */

static int tap_event(struct fold_state *st, const cJSON *a, const struct store_ev *e)
{
	const char *name = jstr(a, "sock");
	if (!name || e->ph != 'E')
		return 0;
	struct fold_tap *t = fold_get(&st->taps, name);
	if (!t && !(t = fold_add(&st->taps, name)))
		return -1;
	t->seen++;
	t->received += e->verdict == V_QUEUED;
	t->filtered += e->verdict == V_CONSUMED;
	t->dropped += e->verdict == V_DROP;
	t->qlen = jnum(a, "qlen", -1) + (e->verdict == V_QUEUED);
	return 0;
}

/* -- netfilter: each rule nf_hook tried carries its packet counter -- */

static void rule_event(struct fold_state *st, const cJSON *a)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
		long long i = jnum(r, "index", -1), pkts = jnum(r, "pkts", -1);
		if (i >= 0 && (size_t)i < st->nrules && pkts >= 0)
			st->rule_pkts[i] = (uint64_t)pkts;
	}
}

/* -- neighbours: the entry that changed, as "neigh" -- */

static int neigh_event(struct fold_state *st, const cJSON *a, uint64_t seq)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "neigh");
	const char *ip = jstr(n, "ip"), *dev = jstr(n, "dev"), *mac = jstr(n, "mac"), *nud = jstr(n, "state");
	char key[FOLD_KEY];
	if (!ip || !dev)
		return 0;
	snprintf(key, sizeof(key), "%s %s", dev, ip);
	struct fold_neigh *p = fold_get(&st->neigh, key);
	if (nud && !strcmp(nud, "removed")) {	/* neigh_forced_gc took it out of the table */
		if (p) {
			free(p->queued_skbs);
			p->queued_skbs = NULL;
			fold_del(&st->neigh, p);
		}
		return 0;
	}
	if (!p && !(p = fold_add(&st->neigh, key)))
		return -1;
	put(p->ip, sizeof(p->ip), ip);
	put(p->dev, sizeof(p->dev), dev);
	put(p->mac, sizeof(p->mac), mac && mac[0] != '(' ? mac : "");
	put(p->nud, sizeof(p->nud), nud);
	p->seq = seq;
	p->queued = jnum(n, "queued", -1);
	p->queued_bytes = jnum(n, "queued_bytes", -1);
	free(p->queued_skbs);
	p->queued_skbs = NULL;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(n, "queued_skbs");
	if (cJSON_IsArray(ids) && !(p->queued_skbs = cJSON_PrintUnformatted(ids)))
		return -1;
	return 0;
}

/* -- routes: the last lookup (fib_table_lookup, fib6_table_lookup), its
 * packet, the route it matched -- */

static void route_event(struct fold_state *st, const cJSON *a, const struct store_ev *e)
{
	struct fold_route *r = &st->route;
	r->seq = e->seq;
	r->pkt = e->pkt;
	put(r->daddr, sizeof(r->daddr), jstr(a, "daddr"));
	put(r->table, sizeof(r->table), jstr(a, "table"));
	put(r->dst, sizeof(r->dst), jstr(a, "dst"));	/* only when a route matched */
	put(r->type, sizeof(r->type), jstr(a, "type"));
	r->metric = jnum(a, "metric", 0);
}

/* -- path MTUs: an exception made or changed, as "pmtu" with "daddr" -- */

static int pmtu_event(struct fold_state *st, const cJSON *a, const struct store_ev *e)
{
	const char *d = jstr(a, "daddr");
	long long mtu = jnum(a, "pmtu", -1), life = jnum(a, "expires_s", -1);
	if (!d || mtu < 0 || life < 0)
		return 0;		/* a claim that changed nothing */
	struct fold_pmtu *p = fold_get(&st->pmtu, d);
	if (!p && !(p = fold_add(&st->pmtu, d)))
		return -1;
	p->mtu = mtu;
	p->locked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "locked"));
	p->expires_ns = e->ts_ns + (uint64_t)life * 1000000000ULL;
	p->seq = e->seq;
	return 0;
}

/* -- one event -- */

/* The IPv6 path's functions whose args have the shape of their IPv4
 * counterpart's, folded in the same role when of phase ph: the route
 * lookup, the end of a segment, an ICMPv6 error freeing a request sock,
 * and the neighbour discovery events that say the entry they changed
 * ("neigh", as neigh_update's); and the neighbour table's forced GC. */
static const struct {
	const char *name;
	enum fold_fn role;
	char ph;
} fold_v6[] = {
	{ "fib6_table_lookup", FF_FIB_LOOKUP, 'i' }, { "tcp_v6_do_rcv", FF_DO_RCV, 'E' },
	{ "tcp_v6_err", FF_V4_ERR, 'E' }, { "ndisc_recv_ns", FF_NEIGH_UPDATE, 'i' },
	{ "ndisc_recv_na", FF_NEIGH_UPDATE, 'i' }, { "ndisc_learn", FF_NEIGH_UPDATE, 'i' },
	{ "ndisc_router_discovery", FF_NEIGH_UPDATE, 'i' }, { "neigh_probe", FF_NEIGH_UPDATE, 'i' },
	{ "neigh_invalidate", FF_NEIGH_UPDATE, 'i' }, { "neigh_timer_handler", FF_NEIGH_UPDATE, 'E' },
	{ "ip6_frag_queue", FF_FRAG_QUEUE, 'E' }, { "ip6_frag_queue", FF_FRAG_QUEUE, 'i' },
	{ "ip6_frag_reasm", FF_FRAG_REASM, 'i' }, { "ip6_frag_expire", FF_EXPIRE, 'B' },
	{ "__ip6_rt_update_pmtu", FF_PMTU, 'i' },
	{ "neigh_forced_gc", FF_NEIGH_UPDATE, 'i' },	/* either family: an entry "removed" */
};
#define FOLD_V6 (sizeof(fold_v6) / sizeof(fold_v6[0]))

/* The store's name id of every role's function(s) (-1: never seen). */
struct fold_roles {
	int ids[FF_MAX];
	int v6[FOLD_V6];
};

static void fold_roles(struct fold_index *x, struct fold_roles *r)
{
	fold_ids(x, r->ids);
	store_lock(x->s);
	for (size_t k = 0; k < FOLD_V6; k++)
		r->v6[k] = store_name_id(x->s, fold_v6[k].name);
	store_unlock(x->s);
}

/* The role of event e, or FF_MAX when it changes nothing the fold keeps:
 * B events carry no state but ip_expire's; E events only ip_frag_queue's
 * (queued), packet_rcv's, those that may free a socket and those that end
 * a segment or a timer ("sock"). */
static enum fold_fn role_of(const struct fold_roles *ro, const struct store_ev *e)
{
	int r = 0;
	while (r < FF_MAX && (ro->ids[r] < 0 || e->fn != ro->ids[r]))
		r++;
	if (r == FF_MAX) {	/* a name may have a role at more than one phase */
		for (size_t k = 0; k < FOLD_V6; k++)
			if (ro->v6[k] >= 0 && e->fn == ro->v6[k] && e->ph == fold_v6[k].ph)
				return fold_v6[k].role;
		return FF_MAX;
	}
	if (e->ph == 'B')
		return r == FF_EXPIRE ? FF_EXPIRE : FF_MAX;
	if (e->ph == 'E')
		return r == FF_FRAG_QUEUE || r == FF_PACKET_RCV || r >= FF_CHECK_REQ ? (enum fold_fn)r : FF_MAX;
	return r == FF_PACKET_RCV || r >= FF_CHECK_REQ ? FF_MAX : (enum fold_fn)r;	/* 'i' steps */
}

static int apply(struct fold_state *st, enum fold_fn role, const cJSON *a, const struct store_ev *e)
{
	switch (role) {
	case FF_IP_FIND: case FF_FRAG_QUEUE: case FF_FRAG_INSERT: case FF_FRAG_REASM: case FF_EXPIRE: case FF_EVICTOR:
		return frag_event(st, role, a, e->seq);
	case FF_SET_STATE:
		return sock_state(st, a, e->seq, e->ts_ns);
	case FF_TIME_WAIT: case FF_REQSK_ALLOC: case FF_DO_RCV: case FF_DELACK: case FF_TW_PROCESS:
		sock_update(st, a, e->ts_ns);
		return 0;
	case FF_REQSK_TIMER:		/* a retransmission, or the request dropped (sk_gone) */
		sock_update(st, a, e->ts_ns);
		sock_gone(st, a);
		return 0;
	case FF_FIB_LOOKUP:
		route_event(st, a, e);
		return 0;
	case FF_PMTU:
		return pmtu_event(st, a, e);
	case FF_TCP_ACK:
		sock_ack(st, a, e->seq);
		return 0;
	case FF_PACKET_RCV:
		return tap_event(st, a, e);
	case FF_NF_HOOK:
		rule_event(st, a);
		return 0;
	case FF_CHECK_REQ: case FF_V4_ERR: case FF_KEEPALIVE: case FF_TW_TIMER:
		sock_gone(st, a);
		return 0;
	default:
		return neigh_event(st, a, e->seq);
	}
}

#define FOLD_CHUNK	512		/* index entries copied per hold of the store's lock */

/* Event e (its line is line[0..len), not NUL-terminated) into st. */
static int fold_line(struct fold_state *st, enum fold_fn role, const struct store_ev *e, const char *line, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(line, len);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
	int r = cJSON_IsObject(a) ? apply(st, role, a, e) : 0;
	cJSON_Delete(o);
	return r;
}

/* Events ev[0..n) (index first..): the lines of those that matter are read
 * with one pread, from the first such line to the last. */
static int fold_chunk(struct nj_store *s, const struct fold_roles *ids, struct fold_state *st,
		      const struct store_ev *ev, size_t n, size_t first)
{
	size_t a = n, b = 0;
	for (size_t k = 0; k < n; k++)
		if (role_of(ids, &ev[k]) != FF_MAX) {
			a = a == n ? k : a;
			b = k;
		}
	char *buf = NULL;
	uint64_t base = a < n ? ev[a].off : 0;
	if (a < n && (ev[b].off < base || !(buf = malloc(ev[b].off + ev[b].len - base)) ||
		      store_read(s, base, ev[b].off + ev[b].len - base, buf) < 0)) {
		free(buf);
		return -1;
	}
	int r = 0;
	for (size_t k = 0; k < n && r == 0; k++) {
		enum fold_fn role = role_of(ids, &ev[k]);
		st->nends = st->ends_more = 0;
		st->next = first + k + 1;
		if (role != FF_MAX && ev[k].off >= base && ev[k].off + ev[k].len <= ev[b].off + ev[b].len)
			r = fold_line(st, role, &ev[k], buf + (ev[k].off - base), ev[k].len);
	}
	free(buf);
	return r;
}

int fold_forward(struct fold_index *x, struct fold_state *st, size_t i)
{
	struct fold_roles ids;
	struct store_ev *ev = malloc(FOLD_CHUNK * sizeof(*ev));
	fold_roles(x, &ids);
	while (ev && st->next <= i) {
		size_t want = i + 1 - st->next < FOLD_CHUNK ? i + 1 - st->next : FOLD_CHUNK;
		size_t n = store_evs(x->s, st->next, want, ev);
		if (n != want || fold_chunk(x->s, &ids, st, ev, n, st->next) < 0)
			break;
	}
	free(ev);
	if (st->next <= i) {
		fold_state_free(st);
		return -1;
	}
	return 0;
}
