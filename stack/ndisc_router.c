/*
 * ndisc_router.c - router messages, after net/ipv6/ndisc.c (Linux 6.13):
 * a host's ndisc_router_discovery (the router's neighbour entry with its
 * router flag; with accept_ra — 1 and forwarding off, or 2 — a default
 * route via the router for its lifetime, the current hop limit, prefix
 * information through addrconf_prefix_rcv (addrconf.c: on-link routes and
 * a SLAAC address from the MAC's EUI-64), the MTU option), router
 * solicitations (for routers only), redirects received (noted), and the
 * redirects a router sends (ndisc_send_redirect).
 * Left out: the RA's reachable time and retrans timer (the NUD timers keep
 * Linux's defaults), route information and RDNSS options, router
 * preference, DAD of the SLAAC address (usable at once), temporary
 * addresses (use_tempaddr 0, as the kernel's default).
 */
#include "ipv6.h"

#include <stdio.h>
#include <string.h>

#define ND_OPT_SOURCE_LL_ADDR	1
#define ND_OPT_TARGET_LL_ADDR	2
#define ND_OPT_PREFIX_INFO	3
#define ND_OPT_MTU		5
#define RA_MSG_LEN		16	/* struct ra_msg: icmp6hdr, reachable, retrans */


/* The RA's options (ndisc_parse_options): 0, or -1 for a zero length or an
 * overrun; the source link-layer address must be 8 bytes on Ethernet. */
struct ra_opts {
	const uint8_t *sll;
	int sll_bad;
	const uint8_t *pi[8];		/* prefix information options */
	int npi;
	const uint8_t *mtu;
};

static int ra_parse_options(const uint8_t *o, int len, struct ra_opts *r)
{
	memset(r, 0, sizeof(*r));
	while (len > 0) {
		if (len < 2 || o[1] == 0 || o[1] * 8 > len)
			return -1;
		if (o[0] == ND_OPT_SOURCE_LL_ADDR && !r->sll && !r->sll_bad)
			o[1] == 1 ? (void)(r->sll = o + 2) : (void)(r->sll_bad = 1);
		else if (o[0] == ND_OPT_PREFIX_INFO && o[1] == 4 && r->npi < 8)
			r->pi[r->npi++] = o;
		else if (o[0] == ND_OPT_MTU && o[1] == 1 && !r->mtu)
			r->mtu = o;
		len -= o[1] * 8;
		o += o[1] * 8;
	}
	return 0;
}

static int ipv6_accept_ra(struct net *net)
{
	const struct ipv6_sysctl *c = &ipv6_state(net)->sysctl;
	return c->accept_ra == 2 || (c->accept_ra == 1 && !c->forwarding);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The default router: a route ::/0 via the router, expiring with its
 * lifetime (rt6_add_dflt_router); lifetime 0 removes it. */
static void ra_default_router(struct net *net, struct sk_buff *skb, const uint8_t *ra)
{
	const struct in6 *saddr = &ipv6_hdr(skb)->saddr;
	struct ipv6_state *s = ipv6_state(net);
	unsigned lifetime = (unsigned)(ra[6] << 8 | ra[7]);
	struct rt6_info *rt = NULL;
	for (int i = 0; i < s->nroutes; i++)
		if (s->routes[i].ra && !s->routes[i].plen && ipv6_addr_equal(&s->routes[i].gateway, saddr) &&
		    s->routes[i].oif == skb->dev->ifindex)
			rt = &s->routes[i];
	if (rt && !lifetime) {
		*rt = s->routes[--s->nroutes];
		trace_step(net, skb, "ndisc_router_discovery", "router lifetime 0: the default route via %s goes",
			   in6_fmt(saddr));
		return;
	}
	if (!rt && lifetime) {
		static const struct in6 any;
		if (ip6_route_add(net, &any, 0, saddr, skb->dev->ifindex, RTN_UNICAST, 1024) < 0)
			return;
		rt = &s->routes[s->nroutes - 1];
		rt->ra = 1;
		trace_step(net, skb, "rt6_add_dflt_router", "default route via %s dev %s, for %u s", in6_fmt(saddr),
			   skb->dev->name, lifetime);
	}
	if (rt)
		rt->expires_ns = net->now_ns + (uint64_t)lifetime * 1000000000ULL;
	if (ra[4] && ra[4] != s->sysctl.hop_limit) {	/* accept_ra_min_hop_limit 1 */
		trace_step(net, skb, "ndisc_router_discovery", "current hop limit %u (was %d)", ra[4], s->sysctl.hop_limit);
		s->sysctl.hop_limit = ra[4];
	}
}

/* The MTU option: taken when between 1280 and the device's MTU. */
static void ra_mtu(struct net *net, struct sk_buff *skb, const uint8_t *o)
{
	struct inet6_dev *idev = in6_dev_get(net, skb->dev);
	uint32_t mtu = rd32(o + 4);
	if (mtu < IPV6_MIN_MTU || mtu > skb->dev->mtu) {
		trace_step(net, skb, "ndisc_router_discovery", "invalid MTU option %u: ignored", mtu);
		return;
	}
	trace_step(net, skb, "ndisc_router_discovery", "MTU %u for IPv6 on %s", mtu, skb->dev->name);
	if (idev)
		idev->mtu6 = mtu;
}

static void ra_trace(struct net *net, const struct sk_buff *skb, const uint8_t *ra, const struct ra_opts *o)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	jw_kv_str(a, "router", in6_fmt(&ipv6_hdr(skb)->saddr));
	jw_kv_int(a, "lifetime", ra[6] << 8 | ra[7]);
	jw_kv_int(a, "hop_limit", ra[4]);
	jw_kv_int(a, "prefixes", o->npi);
	if (o->mtu)
		jw_kv_uint(a, "mtu", rd32(o->mtu + 4));
	jw_kv_bool(a, "accept_ra", ipv6_accept_ra(net));
}

/*
 * ndisc_router_discovery - a router advertisement, to a host:
 *  1. from a link-local address; a whole ra_msg; valid options;
 *  2. accept_ra: the default router (rt6_add_dflt_router, with its
 *     lifetime) and the current hop limit;
 *  3. the router's neighbour entry: STALE at its link-layer address, a router;
 *  4. accept_ra: each prefix (addrconf_prefix_rcv), then the MTU option.
 */
static int ndisc_router_discovery(struct net *net, struct sk_buff *skb)
{
	const char *fn = "ndisc_router_discovery";
	struct ra_opts o;
	if (!ipv6_addr_linklocal(&ipv6_hdr(skb)->saddr))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, fn, "1. source address is not link-local");
	if (skb->len < RA_MSG_LEN)
		return ndisc_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, fn, "1. shorter than an RA");
	if (ra_parse_options(skb->data + RA_MSG_LEN, (int)skb->len - RA_MSG_LEN, &o) < 0)
		return ndisc_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS, fn,
			       "1. an option of length 0 or past the message");
	const uint8_t *ra = skb->data;
	ra_trace(net, skb, ra, &o);
	trace_step(net, skb, fn, "router %s: lifetime %u s, %d prefix option(s)%s", in6_fmt(&ipv6_hdr(skb)->saddr),
		   ra[6] << 8 | ra[7], o.npi, ipv6_accept_ra(net) ? "" : "; accept_ra off (or forwarding on): only "
		   "its neighbour entry is learnt");
	if (ipv6_accept_ra(net))
		ra_default_router(net, skb, ra);
	if (o.sll_bad)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, fn, "3. invalid link-layer address length");
	struct in6 saddr = ipv6_hdr(skb)->saddr;
	ndisc_router_neigh(net, skb->dev, &saddr, o.sll);
	if (!ipv6_accept_ra(net))
		return ndisc_consumed(net, skb, "router advertisement taken (neighbour only)");
	for (int i = 0; i < o.npi; i++)
		addrconf_prefix_rcv(net, skb->dev, o.pi[i]);
	if (o.mtu)
		ra_mtu(net, skb, o.mtu);
	return ndisc_consumed(net, skb, "router advertisement taken");
}

int ndisc_router_rcv(struct net *net, struct sk_buff *skb, int type)
{
	if (type == NDISC_ROUTER_SOLICITATION) {
		if (skb->len < 8)
			return ndisc_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "ndisc_recv_rs", "shorter than an RS");
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_rs",
			       "not a router (forwarding = 0): solicitations are not for us");
	}
	if (type == NDISC_ROUTER_ADVERTISEMENT)
		return ndisc_router_discovery(net, skb);
	const char *fn = "ndisc_redirect_rcv";
	if (!ipv6_addr_linklocal(&ipv6_hdr(skb)->saddr))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, fn, "source address is not link-local");
	if (skb->len < 40u)
		return ndisc_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, fn, "message too short");
	trace_step(net, skb, fn, "redirect: not modelled");
	return ndisc_consumed(net, skb, "router message noted");
}

/* The redirect's options: the target's link-layer address when known,
 * then as much of the redirected packet as fits in 1280 bytes (rd_len). */
static uint32_t ndisc_redirect_opts(struct net *net, const struct sk_buff *skb, struct net_device *dev,
				    const struct in6 *target, uint8_t *o)
{
	const uint8_t *ha = ndisc_lookup(net, dev, target);
	uint32_t optlen = ha ? 8 : 0, have = (uint32_t)(skb_tail_pointer(skb) - skb_network_header(skb));
	uint32_t rd_len = IPV6_MIN_MTU - 40 - 40 - optlen;
	if (have + 8 < rd_len)
		rd_len = have + 8;
	rd_len &= ~7u;
	if (ha) {
		o[0] = ND_OPT_TARGET_LL_ADDR;
		o[1] = 1;
		memcpy(o + 2, ha, ETH_ALEN);
		o += 8;
	}
	memset(o, 0, 8);
	o[0] = 4;				/* ND_OPT_REDIRECT_HDR */
	o[1] = (uint8_t)(rd_len >> 3);
	memcpy(o + 8, skb_network_header(skb), rd_len - 8);
	return optlen + rd_len;
}

static void redirect_skip(struct net *net, const char *why)
{
	trace_exit(net, NULL, V_PASS, 0, "no redirect: %s", why);
}

void ndisc_send_redirect(struct net *net, const struct sk_buff *skb, const struct in6 *target)
{
	static const struct in6 ll = IN6_INIT(0xfe, 0x80);
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct net_device *dev = skb->dev;
	struct in6 saddr, src = hdr->saddr;
	struct rt6_dst dst;
	uint8_t opts[IPV6_MIN_MTU], *p;

	trace_enter(net, skb, "ndisc_send_redirect", "icmp", "%s should go straight to %s", in6_fmt(&hdr->daddr),
		    in6_fmt(target));
	if (ipv6_dev_get_saddr(net, dev, &ll, &saddr) < 0 || !ipv6_addr_linklocal(&saddr))
		return redirect_skip(net, "no link-local address on the device");
	if (!ipv6_addr_equal(&hdr->daddr, target) && !ipv6_addr_linklocal(target))
		return redirect_skip(net, "target is not link-local unicast");
	if (ip6_route_output(net, &src, dev->ifindex, &dst) < 0 || dst.gw)
		return redirect_skip(net, "the sender is not a neighbour");
	if (!inet_peer_xrlim_allow_v6(net, &src, 1000000000ULL))
		return redirect_skip(net, "rate limited (one per second per sender)");
	uint32_t optlen = ndisc_redirect_opts(net, skb, dev, target, opts);
	struct sk_buff *nskb = ip6_build(net, &saddr, &src, NEXTHDR_ICMP, 255, 40 + optlen, &p);
	if (!nskb)
		return redirect_skip(net, "out of memory");
	memset(p, 0, 40);
	p[0] = NDISC_REDIRECT;
	memcpy(p + 8, target->s6, 16);
	memcpy(p + 24, hdr->daddr.s6, 16);
	memcpy(p + 40, opts, optlen);
	nskb->pkt = skb->pkt;
	dst.oif = dev->ifindex;
	icmpv6_push(net, nskb, &dst, 1);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

