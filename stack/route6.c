/*
 * route6.c - IPv6 routing, after net/ipv6/route.c and ip6_fib.c (Linux
 * 6.13): ip6_route_input and ip6_route_output over a FIB6 made of the local
 * table (each address as a /128 local route, ff00::/8 multicast on each
 * device) and the main table (each address's prefix and fe80::/64 on each
 * device, metric 256, and the scenario's routes, metric 1024 by default),
 * longest prefix first, then the lowest metric. A unicast route on input
 * means ip6_forward (which refuses unless forwarding is on); no route
 * means the null entry's ip6_pkt_discard. Routes learnt from router
 * advertisements are here too: the default router (ndisc_router.c) and
 * the prefix of each address SLAAC made (addrconf.c).
 * Path MTU discovery (RFC 8201): a Packet Too Big lowers the MTU towards
 * its destination for 10 minutes (a route exception); one below 1280 or
 * not below the path's MTU changes nothing.
 * Left out: the fib6 radix tree and route cache (a scan of a bounded list
 * gives the same answers), policy routing, source-specific routes, ECMP.
 */
#include "fib.h"
#include "ipv6.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One candidate during a lookup. */
struct rt6_pick {
	struct rt6_dst dst;
	int metric;
	int found;
	char what[96];
};

static void rt6_consider(struct rt6_pick *p, int plen, int metric, int type, int oif, const struct in6 *gw,
			 const char *what)
{
	if (p->found && (plen < p->dst.plen || (plen == p->dst.plen && metric >= p->metric)))
		return;
	memset(&p->dst, 0, sizeof(p->dst));
	p->found = 1;
	p->metric = metric;
	p->dst.plen = (uint8_t)plen;
	p->dst.type = (uint8_t)type;
	p->dst.oif = oif;
	if (gw) {
		p->dst.gw = 1;
		p->dst.gateway = *gw;
	}
	snprintf(p->what, sizeof(p->what), "%s", what);
}

/* The main table: connected prefixes, fe80::/64, the scenario's routes.
 * oif > 0 keeps only routes out of that device. */
static void fib6_lookup_main(struct net *net, const struct in6 *daddr, int oif, struct rt6_pick *p)
{
	static const struct in6 ll = IN6_INIT(0xfe, 0x80);
	struct ipv6_state *s = ipv6_state(net);
	char buf[96];

	for (int d = 0; d < net->ndevs; d++) {
		if ((oif && oif != d + 1) || ipv6_devconf_disabled(net, &net->devs[d]))
			continue;
		if (ipv6_prefix_equal(daddr, &ll, 64)) {
			snprintf(buf, sizeof(buf), "fe80::/64 dev %s", net->devs[d].name);
			rt6_consider(p, 64, 256, RTN_UNICAST, d + 1, NULL, buf);
		}
		for (int i = 0; i < s->idev[d].naddrs; i++) {
			const struct inet6_ifaddr *a = &s->idev[d].addrs[i];
			if (ipv6_addr_linklocal(&a->addr) || !ipv6_prefix_equal(daddr, &a->addr, a->prefix_len))
				continue;
			snprintf(buf, sizeof(buf), "%s/%u dev %s (connected)", in6_fmt(&a->addr), a->prefix_len,
				 net->devs[d].name);
			rt6_consider(p, a->prefix_len, 256, RTN_UNICAST, d + 1, NULL, buf);
		}
	}
	for (int i = 0; i < s->nroutes; i++) {
		const struct rt6_info *r = &s->routes[i];
		if ((oif && r->oif && oif != r->oif) || !ipv6_prefix_equal(daddr, &r->dst, r->plen) ||
		    (r->expires_ns && r->expires_ns <= net->now_ns))
			continue;
		snprintf(buf, sizeof(buf), "%s/%u%s%s", in6_fmt(&r->dst), r->plen, r->gw ? " via " : "",
			 r->gw ? in6_fmt(&r->gateway) : "");
		rt6_consider(p, r->plen, r->metric, r->type, r->oif, r->gw ? &r->gateway : NULL, buf);
	}
}

/* ipv6_addr_prefix's work in place: a's bits past plen cleared. */
static void ipv6_addr_prefix_clear(struct in6 *a, int plen)
{
	for (int b = plen; b < 128; b++)
		a->s6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

/* The route a lookup matched as the fold names a route (IPv4's
 * fib_table_lookup does the same): its table (local, multicast and anycast
 * routes sit in the local table here, as in Linux), its prefix (daddr cut
 * to the route's length: the route covers daddr) and its metric. */
static void rt6_trace_match(struct jw *a, const struct in6 *daddr, const struct rt6_pick *p)
{
	struct in6 pfx = *daddr;
	char dst[64];
	int local = p->dst.type == RTN_LOCAL || p->dst.type == RTN_ANYCAST || p->dst.type == RTN_MULTICAST;
	ipv6_addr_prefix_clear(&pfx, p->dst.plen);
	snprintf(dst, sizeof(dst), "%s/%u", in6_fmt(&pfx), p->dst.plen);
	jw_kv_str(a, "table", local ? "local" : "main");
	jw_kv_str(a, "dst", dst);
	jw_kv_int(a, "metric", p->metric);
}

static void rt6_trace(struct net *net, const struct sk_buff *skb, const struct in6 *daddr,
		      const struct rt6_pick *p)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	struct net_device *dev = dev_get_by_index(net, p->dst.oif);
	jw_kv_str(a, "daddr", in6_fmt(daddr));
	jw_kv_str(a, "route", p->found ? p->what : "(null entry)");
	jw_kv_str(a, "type", rtn_type_name(p->found ? p->dst.type : RTN_UNREACHABLE));
	jw_kv_str(a, "dev", dev ? dev->name : "");
	if (p->dst.gw)
		jw_kv_str(a, "gateway", in6_fmt(&p->dst.gateway));
	if (p->found)
		rt6_trace_match(a, daddr, p);
	trace_step(net, skb, "fib6_table_lookup", "%s: %s", in6_fmt(daddr),
		   p->found ? p->what : "no route matches: the null entry (unreachable)");
}

/* rt6 input for a unicast route type (ip6_rt_copy_init's dst.input). */
static uint8_t rt6_input_of(int type)
{
	return type == RTN_UNICAST ? RT6_FORWARD : RT6_DISCARD;
}

void ip6_route_input(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct rt6_dst *dst = &IP6CB(skb)->dst;
	struct net_device *dev = skb->dev;
	struct rt6_pick p = { 0 };
	char what[96];

	trace_enter(net, skb, "ip6_route_input", "route", "%s on %s", in6_fmt(&hdr->daddr), dev->name);
	if (ipv6_addr_is_multicast(&hdr->daddr)) {
		snprintf(what, sizeof(what), "multicast ff00::/8 dev %s table local", dev->name);
		rt6_consider(&p, 8, 256, RTN_MULTICAST, dev->ifindex, NULL, what);
		p.dst.input = RT6_MC_INPUT;
	} else if (ipv6_chk_addr(net, &hdr->daddr, dev)) {
		snprintf(what, sizeof(what), "local %s table local", in6_fmt(&hdr->daddr));
		rt6_consider(&p, 128, 0, RTN_LOCAL, dev->ifindex, NULL, what);
		p.dst.input = RT6_INPUT;
	} else if (ipv6_chk_acast_addr(net, dev, &hdr->daddr)) {
		snprintf(what, sizeof(what), "anycast %s table local", in6_fmt(&hdr->daddr));
		rt6_consider(&p, 128, 0, RTN_ANYCAST, dev->ifindex, NULL, what);
		p.dst.input = RT6_INPUT;
	} else {
		/* a link-local destination is looked up on the arrival link only */
		fib6_lookup_main(net, &hdr->daddr, ipv6_addr_linklocal(&hdr->daddr) ? dev->ifindex : 0, &p);
		p.dst.input = p.found ? rt6_input_of(p.dst.type) : RT6_DISCARD;
		if (!p.found)
			p.dst.type = RTN_UNREACHABLE;
	}
	rt6_trace(net, skb, &hdr->daddr, &p);
	*dst = p.dst;
	trace_exit(net, skb, V_PASS, 0, "%s", rtn_type_name(dst->type));
}

/* ip6_route_output - the route for a packet the host sends: its lookup
 * is fib6_table_lookup's as on input (the kernel's tracepoint fires for
 * both), so the trace and the fold see the route an answer took. */
int ip6_route_output(struct net *net, const struct in6 *daddr, int oif, struct rt6_dst *dst)
{
	struct rt6_pick p = { 0 };
	char what[96];

	memset(dst, 0, sizeof(*dst));
	if (ipv6_addr_is_multicast(daddr)) {
		int dev = oif ? oif : (net->ndevs ? 1 : 0);
		struct net_device *d = dev_get_by_index(net, dev);
		snprintf(what, sizeof(what), "multicast ff00::/8 dev %s table local", d ? d->name : "?");
		rt6_consider(&p, 8, 256, RTN_MULTICAST, dev, NULL, what);
		rt6_trace(net, NULL, daddr, &p);
		dst->type = RTN_MULTICAST;
		dst->oif = dev;
		return dst->oif ? 0 : -ENETUNREACH;
	}
	if (ipv6_chk_addr(net, daddr, NULL)) {
		snprintf(what, sizeof(what), "local %s table local", in6_fmt(daddr));
		rt6_consider(&p, 128, 0, RTN_LOCAL, 0, NULL, what);
		rt6_trace(net, NULL, daddr, &p);
		/* ours: out through lo when the scenario has one (else not modelled) */
		const struct net_device *lo = dev_loopback(net);
		dst->type = RTN_LOCAL;
		if (!lo)
			return -ENETUNREACH;
		dst->oif = lo->ifindex;
		return 0;
	}
	fib6_lookup_main(net, daddr, oif, &p);
	rt6_trace(net, NULL, daddr, &p);
	if (!p.found || p.dst.type != RTN_UNICAST) {
		dst->type = p.found ? p.dst.type : RTN_UNREACHABLE;
		return -ENETUNREACH;
	}
	*dst = p.dst;
	return 0;
}

int ip6_route_add(struct net *net, const struct in6 *dst, int plen, const struct in6 *gw, int oif,
		  int type, int metric)
{
	struct ipv6_state *s = ipv6_state(net);
	if (!s || s->nroutes >= RT6_MAX || plen < 0 || plen > 128)
		return -1;
	struct rt6_info *r = &s->routes[s->nroutes++];
	memset(r, 0, sizeof(*r));
	r->dst = *dst;
	r->plen = (uint8_t)plen;
	for (int b = plen; b < 128; b++)	/* host bits cleared */
		r->dst.s6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	r->type = (uint8_t)type;
	if (gw && !ipv6_addr_any(gw)) {
		r->gw = 1;
		r->gateway = *gw;
	}
	r->oif = oif;
	r->metric = metric;
	return 0;
}

void rt6_clean_tohost(struct net *net, const struct in6 *gateway)
{
	struct ipv6_state *s = ipv6_state(net);
	for (int i = 0; s && i < s->nroutes; i++) {
		if (!s->routes[i].ra || !s->routes[i].gw || !ipv6_addr_equal(&s->routes[i].gateway, gateway))
			continue;
		trace_step(net, NULL, "rt6_clean_tohost", "%s is no longer a router: its default route goes",
			   in6_fmt(gateway));
		s->routes[i--] = s->routes[--s->nroutes];
	}
}

/*
 * ip6_pkt_discard - ip6_pkt_drop for the null entry and reject routes:
 * to the unspecified address Ip6.InAddrErrors, otherwise Ip6.InNoRoutes;
 * destination unreachable (no route, or administratively prohibited for a
 * prohibit route); a blackhole route discards silently (dst_discard).
 */
int ip6_pkt_discard(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint8_t type = IP6CB(skb)->dst.type;
	enum skb_drop_reason r = SKB_DROP_REASON_IP_INNOROUTES;

	trace_enter(net, skb, type == RTN_PROHIBIT ? "ip6_pkt_prohibit" : "ip6_pkt_discard", "route", "%s route to %s",
		    rtn_type_name(type), in6_fmt(&hdr->daddr));
	if (type == RTN_BLACKHOLE) {
		trace_step(net, skb, "dst_discard", "blackhole route: discard silently");
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (ipv6_addr_any(&hdr->daddr)) {
		SNMP_INC(net, MIB_IP6_INADDRERRORS);
		r = SKB_DROP_REASON_IP_INADDRERRORS;
		trace_step(net, skb, "ip6_pkt_drop", "destination :: (unspecified): an address error");
	} else {
		SNMP_INC(net, MIB_IP6_INNOROUTES);
		trace_step(net, skb, "ip6_pkt_drop", "no route to %s", in6_fmt(&hdr->daddr));
	}
	icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, type == RTN_PROHIBIT ? ICMPV6_ADM_PROHIBITED : ICMPV6_NOROUTE, 0);
	return skb_drop(net, skb, r);
}

/* The local table: each address (and, when forwarding, each prefix's
 * subnet-router anycast address) as a /128, ff00::/8 multicast on each
 * device, as ip6_route_input finds them. */
static void rt6_for_each_local(struct net *net, struct ipv6_state *s, void (*fn)(void *, const struct rt6_route *),
			       void *ctx)
{
	static const struct in6 mc = IN6_INIT(0xff, 0x00);
	struct rt6_route r = { .table = "local", .proto = "kernel" };
	for (int d = 0; d < net->ndevs; d++) {
		if (ipv6_devconf_disabled(net, &net->devs[d]))
			continue;
		r.oif = d + 1;
		for (int i = 0; i < s->idev[d].naddrs; i++) {
			const struct inet6_ifaddr *a = &s->idev[d].addrs[i];
			r.dst = a->addr;
			r.plen = 128, r.type = RTN_LOCAL, r.metric = 0;
			fn(ctx, &r);
			if (!s->sysctl.forwarding || a->prefix_len >= 127)
				continue;
			ipv6_addr_prefix_clear(&r.dst, a->prefix_len);
			r.type = RTN_ANYCAST;
			fn(ctx, &r);
		}
		r.dst = mc;
		r.plen = 8, r.type = RTN_MULTICAST, r.metric = 256;
		fn(ctx, &r);
	}
}

void rt6_for_each(struct net *net, void (*fn)(void *ctx, const struct rt6_route *r), void *ctx)
{
	static const struct in6 ll = IN6_INIT(0xfe, 0x80);
	struct ipv6_state *s = ipv6_state(net);
	struct rt6_route r = { .table = "main", .proto = "kernel", .type = RTN_UNICAST, .metric = 256 };
	if (!s)
		return;
	rt6_for_each_local(net, s, fn, ctx);
	for (int d = 0; d < net->ndevs; d++) {
		if (ipv6_devconf_disabled(net, &net->devs[d]))
			continue;
		r.oif = d + 1;
		for (int i = 0; i < s->idev[d].naddrs; i++) {
			const struct inet6_ifaddr *a = &s->idev[d].addrs[i];
			if (ipv6_addr_linklocal(&a->addr))
				continue;
			r.dst = a->addr;
			r.plen = a->prefix_len;
			ipv6_addr_prefix_clear(&r.dst, a->prefix_len);
			fn(ctx, &r);
		}
		r.dst = ll;
		r.plen = 64;
		fn(ctx, &r);
	}
	for (int i = 0; i < s->nroutes; i++) {
		const struct rt6_info *x = &s->routes[i];
		if (x->expires_ns && x->expires_ns <= net->now_ns)
			continue;
		r = (struct rt6_route){ .table = "main", .proto = x->ra ? "ra" : "static", .dst = x->dst, .plen = x->plen,
					.type = x->type, .oif = x->oif, .metric = x->metric,
					.gateway = x->gw ? &x->gateway : NULL };
		fn(ctx, &r);
	}
}

/* -- route exceptions: the path MTU -- */
#define IP6_RT_MTU_EXPIRES_NS	(600ULL * 1000000000ULL)	/* net.ipv6.route.mtu_expires */

static struct rt6_exception *rt6_exc_bucket(struct ipv6_state *s, const struct in6 *daddr)
{
	uint32_t h = 0;
	for (int i = 0; i < 16; i++)
		h = h * 31 + daddr->s6[i];
	return s->exc[(h * 2654435761u) >> 24];
}

/* rt6_find_cached_rt: daddr's exception while it lasts, or NULL. */
static struct rt6_exception *rt6_find_exception(struct net *net, const struct in6 *daddr)
{
	struct ipv6_state *s = net->ipv6;
	if (!s || !s->nexc)
		return NULL;
	struct rt6_exception *b = rt6_exc_bucket(s, daddr);
	for (int i = 0; i < RT6_EXC_DEPTH; i++)
		if (b[i].pmtu && !memcmp(&b[i].daddr, daddr, sizeof(*daddr)))
			return net->now_ns < b[i].expires_ns ? &b[i] : NULL;
	return NULL;
}

static struct rt6_exception *rt6_insert_exception(struct net *net, const struct in6 *daddr)
{
	struct ipv6_state *s = ipv6_state(net);
	if (!s)
		return NULL;
	struct rt6_exception *b = rt6_exc_bucket(s, daddr), *e = &b[0];
	for (int i = 0; i < RT6_EXC_DEPTH; i++) {
		if (b[i].pmtu && !memcmp(&b[i].daddr, daddr, sizeof(*daddr)))
			return &b[i];
		if (!b[i].pmtu) {
			e = &b[i];
			s->nexc++;
			break;
		}
		if (b[i].stamp_ns < e->stamp_ns)
			e = &b[i];	/* rt6_exception_remove_oldest */
	}
	memset(e, 0, sizeof(*e));
	e->daddr = *daddr;
	return e;
}

uint32_t ip6_dst_mtu(struct net *net, const struct in6 *daddr, const struct net_device *dev)
{
	const struct rt6_exception *e = rt6_find_exception(net, daddr);
	struct inet6_dev *idev = in6_dev_get(net, dev);
	if (e)
		return e->pmtu;
	return idev && idev->mtu6 ? idev->mtu6 : dev ? dev->mtu : 1500;
}

uint32_t ip6_update_pmtu(struct net *net, const struct sk_buff *skb, const struct in6 *daddr, uint32_t mtu)
{
	struct rt6_dst dst;
	if (ip6_route_output(net, daddr, 0, &dst) < 0) {
		trace_step(net, skb, "__ip6_rt_update_pmtu", "no route to %s: nothing to update", in6_fmt(daddr));
		return 0;
	}
	const struct net_device *dev = dev_get_by_index(net, dst.oif);
	uint32_t old = ip6_dst_mtu(net, daddr, dev);
	if (mtu < IPV6_MIN_MTU || mtu >= old) {
		trace_step(net, skb, "__ip6_rt_update_pmtu", "%u %s: the path MTU to %s stays %u", mtu,
			   mtu < IPV6_MIN_MTU ? "is below IPv6's minimum 1280" : "is not below it", in6_fmt(daddr), old);
		return old;
	}
	struct rt6_exception *e = rt6_insert_exception(net, daddr);
	if (!e)
		return old;
	e->pmtu = mtu;
	e->stamp_ns = net->now_ns;
	e->expires_ns = net->now_ns + IP6_RT_MTU_EXPIRES_NS;
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "daddr", in6_fmt(daddr));
		jw_kv_uint(a, "old_mtu", old);
		jw_kv_uint(a, "pmtu", mtu);
		jw_kv_uint(a, "expires_s", (uint32_t)(IP6_RT_MTU_EXPIRES_NS / 1000000000ULL));
	}
	trace_step(net, skb, "__ip6_rt_update_pmtu", "path MTU to %s: %u -> %u for %llu s (a route exception)",
		   in6_fmt(daddr), old, mtu, (unsigned long long)(IP6_RT_MTU_EXPIRES_NS / 1000000000ULL));
	return mtu;
}

void rt6_exception_for_each(struct net *net, void (*fn)(void *ctx, const struct rt6_exception *e), void *ctx)
{
	struct ipv6_state *s = net->ipv6;
	for (int h = 0; s && s->nexc && h < RT6_EXC_HASH; h++)
		for (int i = 0; i < RT6_EXC_DEPTH; i++)
			if (s->exc[h][i].pmtu)
				fn(ctx, &s->exc[h][i]);
}
