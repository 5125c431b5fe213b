/*
 * fib.c - the IPv4 FIB, after net/ipv4/fib_frontend.c (how interface
 * addresses become routes: fib_add_ifaddr), fib_trie.c (fib_table_lookup,
 * here a plain longest-prefix scan) and inetpeer.c (Linux 6.13 behaviour).
 *
 * Two tables, looked up in the order of Linux's default rules: "local"
 * (each address as a /32 RTN_LOCAL, each subnet's broadcast address as a
 * /32 RTN_BROADCAST) and "main" (each connected subnet, scope link, plus
 * the scenario's routes). Entries derived from interfaces are rebuilt
 * whenever the interfaces' addresses change, so tests and the scenario may
 * add addresses at any time.
 *
 * Left out: policy routing (more tables and rules), multipath, route
 * scopes beyond "on-link or via a gateway", nexthop objects, the trie
 * itself: a sorted array is scanned longest prefix first. That is O(n) per
 * lookup, fine for the few hundred routes a scenario holds; loading is
 * O(n log n) (one stable sort after the inserts), so 100,000 routes load
 * in well under a second.
 */
#include "fib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_MAX	256
#define FIB_TRACE_TRIED	12
#define FIB_CACHE_BITS	10
#define FIB_CACHE	(1 << FIB_CACHE_BITS)

/* A lookup's result, remembered for untraced lookups (a replay asks for the
 * same few destinations again and again; Linux caches per nexthop). Valid
 * while its epoch is the table's: adding a route, and any change of the
 * devices or their addresses (dev_gen), starts a new epoch. */
struct fib_cache_ent {
	uint32_t daddr;
	int oif;
	uint64_t epoch;			/* 0: never filled */
	const struct fib_route *match;
};

struct fib_table {
	struct fib_route *routes;	/* scenario routes, sorted unless unsorted */
	int n, cap;
	int unsorted;			/* routes appended out of order since the last sort */
	struct fib_route *conn;		/* derived: local table, then connected */
	int nconn, capconn;
	uint64_t conn_gen;		/* net->dev_gen that conn was built from */
	uint64_t epoch;			/* of the cache (see fib_cache_ent) */
	struct fib_cache_ent cache[FIB_CACHE];
	struct inet_peer peers[PEER_MAX];
	int npeers;
	struct icmp_state icmp;
	struct fib_nh_exception fnhe[FNHE_HASH][FNHE_DEPTH];
	int nfnhe;			/* in use: lookups skip the table while 0 */
};

static uint32_t plen_mask(int plen) { return plen ? htonl(0xffffffffu << (32 - plen)) : 0; }

int fib_init(struct net *net)
{
	struct fib_table *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->conn_gen = UINT64_MAX;	/* never a generation: the first lookup builds */
	t->epoch = 1;
	t->icmp.ratelimit_ms = 1000;
	t->icmp.ratemask = 0x1818;
	t->icmp.msgs_per_sec = 1000;
	t->icmp.msgs_burst = 50;
	t->icmp.echo_ignore_broadcasts = 1;
	t->icmp.global_credit = 50;
	t->icmp.ip_id = 1;
	net->fib = t;
	return 0;
}

void fib_exit(struct net *net)
{
	if (!net->fib)
		return;
	free(net->fib->routes);
	free(net->fib->conn);
	free(net->fib);
	net->fib = NULL;
}

static struct fib_table *fib_get(struct net *net)
{
	if (!net->fib)
		fib_init(net);
	return net->fib;
}

/* Longest prefix first; equal prefixes by metric (lower wins), as the
 * kernel's fib_alias list is ordered. */
static int route_cmp(const struct fib_route *x, const struct fib_route *y)
{
	if (x->plen != y->plen)
		return y->plen - x->plen;
	return (x->metric > y->metric) - (x->metric < y->metric);
}

/* A stable bottom-up merge sort: equal routes keep the order they were
 * added in (as the kernel appends to a fib_alias list), which qsort does
 * not promise. O(n log n), once per batch of inserts. */
static int fib_sort(struct fib_table *t)
{
	size_t n = (size_t)t->n;
	struct fib_route *a = t->routes, *b = malloc(n * sizeof(*b));
	if (!b)
		return -1;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				b[k++] = route_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		struct fib_route *x = a;
		a = b;
		b = x;
	}
	if (a != t->routes) {		/* the sorted run ended in the scratch array */
		memcpy(t->routes, a, n * sizeof(*a));
		b = a;
	}
	free(b);
	t->unsorted = 0;
	return 0;
}

/* Readers see the routes sorted; a scenario's inserts sort once, here. */
static void fib_settle(struct fib_table *t)
{
	if (t->unsorted && fib_sort(t) < 0) {
		fputs("netjourney: out of memory sorting routes\n", stderr);
		abort();
	}
}

int fib_add_route(struct net *net, uint32_t dst, int plen, uint32_t gateway, int oif, int type, int metric)
{
	struct fib_table *t = fib_get(net);
	if (!t || plen < 0 || plen > 32 || (dst & ~plen_mask(plen)))
		return -1;
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct fib_route *r = realloc(t->routes, (size_t)cap * sizeof(*r));
		if (!r)
			return -1;
		t->routes = r;
		t->cap = cap;
	}
	t->epoch++;			/* cached results may change */
	struct fib_route *r = &t->routes[t->n++];
	memset(r, 0, sizeof(*r));
	r->dst = dst;
	r->plen = (uint8_t)plen;
	r->type = (uint8_t)type;
	r->table = FIB_TABLE_MAIN;
	r->gateway = gateway;
	r->oif = oif;
	r->metric = metric;
	/* appended in order (the usual case) it stays sorted; otherwise the
	 * next reader sorts all at once, instead of a sort per insert */
	if (t->n > 1 && route_cmp(r - 1, r) > 0)
		t->unsorted = 1;
	return 0;
}

static void conn_push(struct fib_table *t, uint32_t dst, int plen, int type, int table, int oif, uint32_t src)
{
	if (t->nconn == t->capconn) {
		int cap = t->capconn ? t->capconn * 2 : 32;
		struct fib_route *r = realloc(t->conn, (size_t)cap * sizeof(*r));
		if (!r)
			return;		/* the route is missing; lookups still work */
		t->conn = r;
		t->capconn = cap;
	}
	struct fib_route *r = &t->conn[t->nconn++];
	memset(r, 0, sizeof(*r));
	r->dst = dst;
	r->plen = (uint8_t)plen;
	r->type = (uint8_t)type;
	r->table = (uint8_t)table;
	r->connected = 1;
	r->oif = oif;
	r->prefsrc = src;
}

/* fib_add_ifaddr: what one address contributes to the two tables. */
static void fib_add_ifaddr(struct fib_table *t, const struct net_device *d, const struct in_ifaddr *ifa)
{
	uint32_t a = ifa->ifa_local, m = plen_mask(ifa->ifa_prefixlen);

	conn_push(t, a, 32, RTN_LOCAL, FIB_TABLE_LOCAL, d->ifindex, a);
	if (ifa->ifa_prefixlen < 31)	/* /31 and /32 have no broadcast (RFC 3021) */
		conn_push(t, a | ~m, 32, RTN_BROADCAST, FIB_TABLE_LOCAL, d->ifindex, a);
	if (ifa->ifa_prefixlen < 32)
		conn_push(t, a & m, ifa->ifa_prefixlen, RTN_UNICAST, FIB_TABLE_MAIN, d->ifindex, a);
}

static void fib_rebuild(struct net *net, struct fib_table *t);

static inline void fib_sync(struct net *net, struct fib_table *t)
{
	if (t->conn_gen != net->dev_gen)
		fib_rebuild(net, t);
}

static void fib_rebuild(struct net *net, struct fib_table *t)
{
	t->conn_gen = net->dev_gen;
	t->epoch++;
	t->nconn = 0;
	for (int i = 0; i < net->ndevs; i++) {
		const struct net_device *d = &net->devs[i];
		if (!d->up)
			continue;
		for (int j = 0; j < d->naddrs; j++)
			fib_add_ifaddr(t, d, &d->addrs[j]);
	}
}

const char *rtn_type_name(int type)
{
	static const char *const n[] = { "unspec", "unicast", "local", "broadcast", "anycast",
					 "multicast", "blackhole", "unreachable", "prohibit" };
	return type >= 0 && type <= RTN_PROHIBIT ? n[type] : "?";
}

/* Appends s within [o, end): route text is formatted for every lookup of
 * a traced replay, so no snprintf here. */
static char *put_s(char *o, char *end, const char *s)
{
	while (*s && o < end)
		*o++ = *s++;
	return o;
}

static char *put_u(char *o, char *end, unsigned v)
{
	char t[10];
	int k = 0;
	do
		t[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < 10);
	while (k && o < end)
		*o++ = t[--k];
	return o;
}

const char *fib_route_fmt(struct net *net, const struct fib_route *r, char *buf, size_t len)
{
	const struct net_device *d = dev_get_by_index(net, r->oif);
	char *o = buf, *end = buf + len - 1;

	if (r->type != RTN_UNICAST) {
		o = put_s(o, end, rtn_type_name(r->type));
		o = put_s(o, end, " ");
	}
	o = put_s(o, end, ip_fmt(r->dst));
	o = put_s(o, end, "/");
	o = put_u(o, end, r->plen);
	if (r->gateway) {
		o = put_s(o, end, " via ");
		o = put_s(o, end, ip_fmt(r->gateway));
	}
	if (d) {
		o = put_s(o, end, " dev ");
		o = put_s(o, end, d->name);
	}
	if (r->metric) {
		o = put_s(o, end, " metric ");
		o = put_u(o, end, (unsigned)r->metric);
	}
	*o = 0;
	return buf;
}

/* fib_props[type].error: what a reject route means to the caller. */
static int fib_type_error(int type)
{
	switch (type) {
	case RTN_BLACKHOLE: return -EINVAL;
	case RTN_UNREACHABLE: return -EHOSTUNREACH;
	case RTN_PROHIBIT: return -EACCES;
	default: return 0;
	}
}

static int is_reject(int type) { return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT; }

struct fib_scan {
	const struct fib_route *tried[FIB_TRACE_TRIED];	/* the first min(ntried, 12) */
	int ntried;
	const struct fib_route *match;
};

/* Not "= { 0 }": a lookup per packet would zero the tried array three times. */
static inline void fib_scan_init(struct fib_scan *s)
{
	s->ntried = 0;
	s->match = NULL;
}

/* One table, longest prefix first: the first route whose prefix covers
 * daddr and whose device fits oif wins. */
static void fib_table_lookup(const struct fib_route *v, int n, int table, uint32_t daddr, int oif,
			     struct fib_scan *s)
{
	for (int i = 0; i < n && !s->match; i++) {
		const struct fib_route *r = &v[i];
		if (r->table != table)
			continue;
		if ((daddr & plen_mask(r->plen)) == r->dst && (!oif || is_reject(r->type) || r->oif == oif)) {
			s->match = r;
			break;
		}
		if (s->ntried < FIB_TRACE_TRIED)
			s->tried[s->ntried] = r;
		s->ntried++;
	}
}

/* Connected and scenario routes merged by prefix length: the scenario
 * array and the connected array are each sorted, so scan both in turn
 * and keep the longer match (connected wins a tie, metric 0). */
static const struct fib_route *pick(const struct fib_route *a, const struct fib_route *b)
{
	if (!a || !b)
		return a ? a : b;
	if (a->plen != b->plen)
		return a->plen > b->plen ? a : b;
	return a->metric <= b->metric ? a : b;
}

static void fib_trace(struct net *net, const struct sk_buff *skb, uint32_t daddr, int oif,
		      const struct fib_scan *s)
{
	char buf[96];
	struct jw *a = trace_args(net);
	jw_kv_str(a, "daddr", ip_fmt(daddr));
	if (oif)
		jw_kv_str(a, "oif", dev_get_by_index(net, oif) ? dev_get_by_index(net, oif)->name : "?");
	jw_key(a, "tried");
	jw_arr_open(a);
	for (int i = 0; i < s->ntried && i < FIB_TRACE_TRIED; i++)
		jw_val_str(a, fib_route_fmt(net, s->tried[i], buf, sizeof(buf)));
	jw_arr_close(a);
	jw_kv_int(a, "tried_n", s->ntried);
	if (s->match) {
		jw_kv_str(a, "table", s->match->table == FIB_TABLE_LOCAL ? "local" : "main");
		jw_kv_str(a, "match", fib_route_fmt(net, s->match, buf, sizeof(buf)));
		jw_kv_str(a, "type", rtn_type_name(s->match->type));
		char *o = txt_str(buf, ip_fmt(s->match->dst));
		*o++ = '/';
		*txt_u64(o, s->match->plen) = 0;
		jw_kv_str(a, "dst", buf);	/* with table and metric: the route as trace_start's "fib" names it */
		jw_kv_int(a, "metric", s->match->metric);
		trace_step(net, skb, "fib_table_lookup", "%s: %s route %s/%u (%d prefixes tried)", ip_fmt(daddr),
			   rtn_type_name(s->match->type), ip_fmt(s->match->dst), s->match->plen, s->ntried);
	} else {
		trace_step(net, skb, "fib_table_lookup", "%s: no route matches (%d prefixes tried)", ip_fmt(daddr),
			   s->ntried);
	}
}

/* Adds the prefixes one table tried that a merged scan, longest prefix
 * first, would also have tried before reaching the winning match. */
static void fib_scan_merge(struct fib_scan *s, const struct fib_scan *part)
{
	for (int i = 0; i < part->ntried && i < FIB_TRACE_TRIED; i++) {
		if (s->match && part->tried[i]->plen < s->match->plen)
			continue;
		if (s->ntried < FIB_TRACE_TRIED)
			s->tried[s->ntried] = part->tried[i];
		s->ntried++;
	}
}

static void fib_scan_all(struct net *net, struct fib_table *t, uint32_t daddr, int oif, struct fib_scan *s)
{
	fib_sync(net, t);
	fib_table_lookup(t->conn, t->nconn, FIB_TABLE_LOCAL, daddr, 0, s);
	if (s->match)
		return;
	struct fib_scan c, m;
	fib_scan_init(&c);
	fib_scan_init(&m);
	fib_table_lookup(t->conn, t->nconn, FIB_TABLE_MAIN, daddr, oif, &c);
	fib_settle(t);
	fib_table_lookup(t->routes, t->n, FIB_TABLE_MAIN, daddr, oif, &m);
	s->match = pick(c.match, m.match);
	fib_scan_merge(s, &c);
	fib_scan_merge(s, &m);
}

/* The route for (daddr, oif) without the prefixes tried: the cache's
 * entry when it is of this epoch, else a scan that fills it. */
static const struct fib_route *fib_match(struct net *net, struct fib_table *t, uint32_t daddr, int oif)
{
	fib_sync(net, t);	/* a new epoch if the addresses changed */
	/* the product's high bits: its low ones see only the address's low byte */
	struct fib_cache_ent *e = &t->cache[((daddr ^ (uint32_t)oif << 24) * 2654435761u) >> (32 - FIB_CACHE_BITS)];
	if (e->epoch == t->epoch && e->daddr == daddr && e->oif == oif)
		return e->match;
	struct fib_scan s;
	fib_scan_init(&s);
	fib_scan_all(net, t, daddr, oif, &s);
	*e = (struct fib_cache_ent){ .daddr = daddr, .oif = oif, .epoch = t->epoch, .match = s.match };
	return s.match;
}

static int fib_lookup_at(struct net *net, uint32_t daddr, int oif, struct fib_result *res,
			 const struct sk_buff *skb, int cached)
{
	struct fib_table *t = fib_get(net);
	const struct fib_route *m;

	res->r = NULL;
	res->type = RTN_UNSPEC;
	if (!t)
		return -ENETUNREACH;
	if (cached && !trace_on(net)) {
		m = fib_match(net, t, daddr, oif);
	} else {		/* traced: the scan's prefixes go into the event */
		struct fib_scan s;
		fib_scan_init(&s);
		fib_scan_all(net, t, daddr, oif, &s);
		if (trace_on(net))
			fib_trace(net, skb, daddr, oif, &s);
		m = s.match;
	}
	if (!m)
		return -ENETUNREACH;
	res->r = m;
	res->type = m->type;
	return fib_type_error(m->type);
}

int fib_lookup(struct net *net, uint32_t daddr, int oif, struct fib_result *res, const struct sk_buff *skb)
{
	return fib_lookup_at(net, daddr, oif, res, skb, 1);
}

int fib_lookup_scan(struct net *net, uint32_t daddr, int oif, struct fib_result *res)
{
	return fib_lookup_at(net, daddr, oif, res, NULL, 0);
}

int inet_addr_type(struct net *net, uint32_t addr)
{
	struct fib_table *t = fib_get(net);
	if (!t)
		return RTN_UNSPEC;
	const struct fib_route *m;
	if (trace_on(net)) {	/* the cache serves untraced work only */
		struct fib_scan s;
		fib_scan_init(&s);
		fib_scan_all(net, t, addr, 0, &s);
		m = s.match;
	} else {
		m = fib_match(net, t, addr, 0);
	}
	return m ? m->type : RTN_UNSPEC;
}

void fib_for_each(struct net *net, void (*fn)(void *ctx, const struct fib_route *r), void *ctx)
{
	struct fib_table *t = fib_get(net);
	if (!t)
		return;
	fib_sync(net, t);
	for (int i = 0; i < t->nconn; i++)
		if (t->conn[i].table == FIB_TABLE_LOCAL)
			fn(ctx, &t->conn[i]);
	for (int i = 0; i < t->nconn; i++)
		if (t->conn[i].table == FIB_TABLE_MAIN)
			fn(ctx, &t->conn[i]);
	fib_settle(t);
	for (int i = 0; i < t->n; i++)
		fn(ctx, &t->routes[i]);
}

struct inet_peer *inet_getpeer_v4(struct net *net, uint32_t daddr)
{
	struct fib_table *t = fib_get(net);
	struct inet_peer *old = NULL;
	if (!t)
		return NULL;
	for (int i = 0; i < t->npeers; i++) {
		struct inet_peer *p = &t->peers[i];
		if (p->daddr == daddr) {
			p->last_used_ns = net->now_ns;
			return p;
		}
		if (!old || p->last_used_ns < old->last_used_ns)
			old = p;
	}
	struct inet_peer *p = t->npeers < PEER_MAX ? &t->peers[t->npeers++] : old;
	memset(p, 0, sizeof(*p));
	p->daddr = daddr;
	p->last_used_ns = net->now_ns;
	/* inet_getpeer: rate_last = jiffies - 60*HZ, so the first use of the
	 * bucket finds it full. ip_error and icmp_send share this one bucket
	 * (rate_tokens/rate_last) in Linux; the icmp_* fields stay unused.
	 * Unsigned arithmetic: now - rate_last is 60 s even near time 0. */
	p->rate_last_ns = net->now_ns - 60000000000ULL;
	return p;
}

static struct fib_nh_exception *fnhe_bucket(struct fib_table *t, uint32_t daddr)
{
	uint32_t h = ntohl(daddr) * 2654435761u;	/* Knuth's multiplicative hash */
	return t->fnhe[h >> 24];
}

struct fib_nh_exception *fnhe_lookup(struct net *net, uint32_t daddr)
{
	struct fib_table *t = net->fib;
	if (!t || !t->nfnhe || !daddr)
		return NULL;
	struct fib_nh_exception *b = fnhe_bucket(t, daddr);
	for (int i = 0; i < FNHE_DEPTH; i++)
		if (b[i].daddr == daddr)
			return &b[i];
	return NULL;
}

struct fib_nh_exception *fnhe_create(struct net *net, uint32_t daddr)
{
	struct fib_table *t = net->fib;
	struct fib_nh_exception *e = fnhe_lookup(net, daddr), *b;
	if (e || !t)
		return e;
	b = fnhe_bucket(t, daddr);
	e = &b[0];
	for (int i = 0; i < FNHE_DEPTH; i++) {
		if (!b[i].daddr) {
			e = &b[i];
			t->nfnhe++;
			break;
		}
		if (b[i].stamp_ns < e->stamp_ns)
			e = &b[i];	/* fnhe_oldest: recycled when the bucket is full */
	}
	memset(e, 0, sizeof(*e));
	e->daddr = daddr;
	return e;
}

void fnhe_for_each(struct net *net, void (*fn)(void *ctx, const struct fib_nh_exception *e), void *ctx)
{
	struct fib_table *t = net->fib;
	for (int h = 0; t && t->nfnhe && h < FNHE_HASH; h++)
		for (int i = 0; i < FNHE_DEPTH; i++)
			if (t->fnhe[h][i].daddr)
				fn(ctx, &t->fnhe[h][i]);
}

struct icmp_state *icmp_state(struct net *net)
{
	struct fib_table *t = fib_get(net);
	return t ? &t->icmp : NULL;
}

uint16_t ip_select_ident(struct net *net)
{
	struct icmp_state *s = icmp_state(net);
	return s ? s->ip_id++ : 0;
}
