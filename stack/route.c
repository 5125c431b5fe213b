/*
 * route.c - input and output routing, after net/ipv4/route.c
 * (ip_route_input_noref → ip_route_input_slow, ip_error,
 * ip_route_output_key) and net/ipv4/fib_frontend.c (fib_validate_source),
 * Linux 6.13 with its martian and reverse-path drop reasons.
 *
 * There is no route cache: Linux removed the global one in 3.6 and since
 * routes every packet through the FIB (caching only per next hop, which
 * changes nothing a student can observe).
 * Path MTU discovery (RFC 1191): an ICMP "fragmentation needed" lowers the
 * MTU towards its destination for 10 minutes (a nexthop exception,
 * __ip_rt_update_pmtu); a claim below min_pmtu (552) sets 552 and locks
 * it, so DF is no longer set towards that destination.
 * Left out: multicast routing (only 224.0.0.1 and the scenario's groups are
 * joined), route_localnet, accept_local, bc_forwarding, ICMP redirects,
 * source-address classids and realms, L3 master devices (VRF).
 */
#include "fib.h"

#include <errno.h>

/* IN_DEV_FORWARD: the input device's net.ipv4.conf.<dev>.forwarding. */
static int in_dev_forward(const struct net_device *dev) { return dev && dev->forwarding; }

void inet_forward_change(struct net *net, int on)
{
	net->sysctl.ip_forward = on;
	for (int i = 0; i < net->ndevs; i++)
		net->devs[i].forwarding = on;
}

static enum skb_drop_reason route_done(struct net *net, struct sk_buff *skb, enum skb_drop_reason r,
				       const char *what)
{
	if (r != SKB_DROP_REASON_NOT_DROPPED_YET)
		trace_exit(net, skb, V_DROP, r, "%s", what);
	else
		trace_exit(net, skb, V_PASS, 0, "%s", what);
	return r;
}

/* The route type the input lookup settled on, as the exit's args (a
 * lesson selects "the function that decided local" by it, not by msg). */
static void route_type_arg(struct net *net, int type)
{
	if (trace_on(net))
		jw_kv_str(trace_args(net), "type", rtn_type_name(type));
}

/* rp_filter in effect on dev: max(conf/all, conf/<dev>). */
static int rp_filter_of(const struct net *net, const struct net_device *dev)
{
	return net->sysctl.rp_filter > dev->rp_filter ? net->sysctl.rp_filter : dev->rp_filter;
}

static enum skb_drop_reason fib_validate_fail(struct net *net, const struct sk_buff *skb,
					      enum skb_drop_reason r, const char *why)
{
	trace_step(net, skb, "fib_validate_source", "source rejected: %s", why);
	return r;
}

/*
 * fib_validate_source - would we route a reply to saddr back out of dev?
 *  1. rp_filter off: only a source that is one of our own addresses fails;
 *  2. otherwise the reverse lookup: no route fails in rp_filter modes;
 *  3. the reverse route must be unicast (local: IP_LOCAL_SOURCE);
 *  4. out of dev → accept; strict mode (1) otherwise fails IP_RPFILTER;
 *     loose mode (2) accepts any unicast route.
 */
static enum skb_drop_reason fib_validate_source(struct net *net, const struct sk_buff *skb, uint32_t saddr,
						const struct net_device *dev)
{
	int rpf = rp_filter_of(net, dev);
	struct fib_result res;

	if (!rpf) {
		if (ip_dev_find(net, saddr))
			return fib_validate_fail(net, skb, SKB_DROP_REASON_IP_LOCAL_SOURCE,
						 "it is one of our own addresses");
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	int err = fib_lookup(net, saddr, 0, &res, skb);
	if (err == -ENETUNREACH)
		return fib_validate_fail(net, skb, SKB_DROP_REASON_IP_RPFILTER, "rp_filter: no route back to it");
	if (res.type == RTN_LOCAL)
		return fib_validate_fail(net, skb, SKB_DROP_REASON_IP_LOCAL_SOURCE, "it is one of our own addresses");
	if (res.type != RTN_UNICAST)
		return fib_validate_fail(net, skb, SKB_DROP_REASON_IP_INVALID_SOURCE,
					 "the route back to it is not unicast");
	if (res.r->oif == dev->ifindex || rpf == 2) {
		trace_step(net, skb, "fib_validate_source", "rp_filter=%d (%s): route back to %s is via %s: ok", rpf,
			   rpf == 1 ? "strict" : "loose", ip_fmt(saddr),
			   dev_get_by_index(net, res.r->oif) ? dev_get_by_index(net, res.r->oif)->name : "?");
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (trace_on(net))
		trace_step(net, skb, "fib_validate_source",
			   "rp_filter=1 (strict): a reply to %s would leave via %s, not %s where it arrived",
			   ip_fmt(saddr), dev_get_by_index(net, res.r->oif)->name, dev->name);
	return SKB_DROP_REASON_IP_RPFILTER;
}

static void dst_set(struct nj_dst *dst, int type, int input, int error, int oif, uint32_t gw)
{
	dst->type = (uint8_t)type;
	dst->input = (uint8_t)input;
	dst->error = (int16_t)error;
	dst->oif = oif;
	dst->gateway = gw;
}

/* brd_input: a broadcast for us; ARP never gets here in Linux. */
static enum skb_drop_reason ip_route_brd_input(struct net *net, struct sk_buff *skb, uint32_t saddr,
					       struct net_device *dev, struct nj_dst *dst)
{
	enum skb_drop_reason r;

	if (skb->protocol != ETH_P_IP)
		return route_done(net, skb, SKB_DROP_REASON_INVALID_PROTO, "broadcast route for a non-IP packet");
	if (saddr && (r = fib_validate_source(net, skb, saddr, dev)) != SKB_DROP_REASON_NOT_DROPPED_YET)
		return route_done(net, skb, r, "martian source (broadcast input)");
	dst_set(dst, RTN_BROADCAST, DST_LOCAL_DELIVER, 0, 0, 0);
	route_type_arg(net, RTN_BROADCAST);
	return route_done(net, skb, r = SKB_DROP_REASON_NOT_DROPPED_YET, "RTN_BROADCAST: ip_local_deliver");
}

/* no_route: not a drop here; the packet goes to ip_error via dst_input. */
static enum skb_drop_reason ip_route_no_route(struct net *net, struct sk_buff *skb, int err, struct nj_dst *dst,
					      const char *why)
{
	dst_set(dst, RTN_UNREACHABLE, DST_ERROR, err, 0, 0);
	return route_done(net, skb, SKB_DROP_REASON_NOT_DROPPED_YET, why);
}

/* ip_mkroute_input / __mkroute_input: a forwarding route. */
static enum skb_drop_reason ip_mkroute_input(struct net *net, struct sk_buff *skb, uint32_t saddr,
					     struct net_device *dev, const struct fib_result *res,
					     struct nj_dst *dst)
{
	enum skb_drop_reason r = fib_validate_source(net, skb, saddr, dev);
	if (r != SKB_DROP_REASON_NOT_DROPPED_YET)
		return route_done(net, skb, r, "martian source (forwarding)");
	dst_set(dst, RTN_UNICAST, DST_FORWARD, 0, res->r->oif, res->r->gateway);
	return route_done(net, skb, r, "RTN_UNICAST and forwarding on: ip_forward");
}

/* ipv4_is_zeronet: since Linux 5.3 ("ipv4: Allow 0.0.0.0/8 as a valid
 * address range") only 0.0.0.0 itself is "zeronet"; 2.4/2.6 refused the
 * whole 0.0.0.0/8 (a real 6.18 kernel answers a ping from 0.1.2.3). */
static int route_zeronet(const struct net *net, uint32_t a)
{
	return net->kernel == KERNEL_6X ? a == 0 : ipv4_is_zeronet(a);
}

/* Steps 2-6 of ip_route_input_slow: addresses no route may hold. Returns
 * NOT_DROPPED_YET, or the reason with *what set. */
static enum skb_drop_reason ip_route_martian(const struct net *net, uint32_t saddr, uint32_t daddr,
					     const char **what)
{
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		return *what = "martian source (multicast or 255.255.255.255)", SKB_DROP_REASON_IP_INVALID_SOURCE;
	if (ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0))
		return SKB_DROP_REASON_NOT_DROPPED_YET;		/* brd_input */
	if (route_zeronet(net, saddr))
		return *what = net->kernel == KERNEL_6X ? "martian source (0.0.0.0)" : "martian source (0.0.0.0/8)",
		       SKB_DROP_REASON_IP_INVALID_SOURCE;
	if (route_zeronet(net, daddr))
		return *what = net->kernel == KERNEL_6X ? "martian destination (0.0.0.0)" :
			       "martian destination (0.0.0.0/8)", SKB_DROP_REASON_IP_INVALID_DEST;
	if (ipv4_is_loopback(daddr))
		return *what = "martian destination (127/8 and route_localnet=0)", SKB_DROP_REASON_IP_LOCALNET;
	if (ipv4_is_loopback(saddr))
		return *what = "martian source (127/8 and route_localnet=0)", SKB_DROP_REASON_IP_LOCALNET;
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/*
 * ip_route_input_slow - ip-layer.md 3.2, in this order:
 *  2-6. martian source/destination addresses (ip_route_martian);
 *  3.   255.255.255.255 (or 0 → 0) → brd_input;
 *  7-8. fib_lookup; failure → no_route (EHOSTUNREACH when not forwarding);
 *  9.   RTN_BROADCAST (a subnet's broadcast address) → brd_input;
 *  10.  RTN_LOCAL → fib_validate_source → ip_local_deliver;
 *  11.  input device not forwarding → no_route EHOSTUNREACH;
 *  12.  any other non-unicast type → martian destination;
 *  13.  → ip_mkroute_input (ip_forward).
 */
static enum skb_drop_reason ip_route_input_slow(struct net *net, struct sk_buff *skb, uint32_t daddr,
						uint32_t saddr, struct net_device *dev, struct nj_dst *dst)
{
	const char *what = NULL;
	struct fib_result res;
	enum skb_drop_reason r;

	trace_enter(net, skb, "ip_route_input_slow", "route", "%s > %s on %s", ip_fmt(saddr), ip_fmt(daddr),
		    dev->name);
	if ((r = ip_route_martian(net, saddr, daddr, &what)) != SKB_DROP_REASON_NOT_DROPPED_YET)
		return route_done(net, skb, r, what);
	if (ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0))
		return ip_route_brd_input(net, skb, saddr, dev, dst);
	int err = fib_lookup(net, daddr, 0, &res, skb);
	if (err) {
		if (!in_dev_forward(dev))
			return ip_route_no_route(net, skb, EHOSTUNREACH, dst,
						 "no route and forwarding is off: ip_error (EHOSTUNREACH)");
		return ip_route_no_route(net, skb, -err, dst, res.r ? "reject route: ip_error" : "no route: ip_error");
	}
	if (res.type == RTN_BROADCAST)
		return ip_route_brd_input(net, skb, saddr, dev, dst);
	if (res.type == RTN_LOCAL) {
		if ((r = fib_validate_source(net, skb, saddr, dev)) != SKB_DROP_REASON_NOT_DROPPED_YET)
			return route_done(net, skb, r, "martian source");
		dst_set(dst, RTN_LOCAL, DST_LOCAL_DELIVER, 0, 0, 0);
		route_type_arg(net, RTN_LOCAL);
		return route_done(net, skb, r, "RTN_LOCAL: ip_local_deliver");
	}
	if (!in_dev_forward(dev))
		return ip_route_no_route(net, skb, EHOSTUNREACH, dst,
					 "not ours and forwarding is off on this device: ip_error (EHOSTUNREACH)");
	if (res.type != RTN_UNICAST)
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_DEST, "martian destination (route type)");
	return ip_mkroute_input(net, skb, saddr, dev, &res, dst);
}

/* ip_check_mc_rcu: the device joined the group (every IPv4 host is a
 * member of 224.0.0.1, RFC 1112; others through the scenario's
 * interfaces[].multicast, as an application's IP_ADD_MEMBERSHIP does). */
static int ip_check_mc(const struct net_device *dev, uint32_t group)
{
	for (int i = 0; i < dev->nmc; i++)
		if (dev->mc_groups[i] == group)
			return 1;
	return group == htonl(0xe0000001);
}

/* ip_route_input_mc: a joined group's datagrams are delivered locally
 * (no multicast routing). ip_mc_validate_source's checks. */
static enum skb_drop_reason ip_route_input_mc(struct net *net, struct sk_buff *skb, uint32_t daddr,
					      uint32_t saddr, struct net_device *dev, struct nj_dst *dst)
{
	if (!ip_check_mc(dev, daddr))
		return route_done(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "multicast group not joined");
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_SOURCE, "martian multicast source");
	if (saddr == 0 && !ipv4_is_local_multicast(daddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_SOURCE, "multicast from 0.0.0.0");
	dst_set(dst, RTN_MULTICAST, DST_LOCAL_DELIVER, 0, 0, 0);
	return route_done(net, skb, SKB_DROP_REASON_NOT_DROPPED_YET, daddr == htonl(0xe0000001) ?
			  "224.0.0.1 (all hosts): ip_local_deliver" : "a joined multicast group: ip_local_deliver");
}

enum skb_drop_reason ip_route_input_noref(struct net *net, struct sk_buff *skb, uint32_t daddr,
					  uint32_t saddr, uint8_t tos, struct net_device *dev,
					  struct nj_dst *dst)
{
	enum skb_drop_reason r;

	(void)tos;			/* no TOS-specific routes */
	dst_set(dst, RTN_UNSPEC, DST_NONE, 0, 0, 0);
	trace_enter(net, skb, "ip_route_input_noref", "route", "%s > %s", ip_fmt(saddr), ip_fmt(daddr));
	if (!dev)
		return route_done(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "no input device");
	if (ipv4_is_multicast(daddr))
		return ip_route_input_mc(net, skb, daddr, saddr, dev, dst);
	r = ip_route_input_slow(net, skb, daddr, saddr, dev, dst);
	return route_done(net, skb, r, "");
}

/* ip_error's per-source token bucket: one ICMP per ip_rt_error_cost (1 s),
 * bursts up to ip_rt_error_burst (5 s). It is the inet_peer's
 * rate_tokens/rate_last, the same bucket icmp_send's icmpv4_xrlim_allow
 * then draws from (icmp.c): each error ip_error sends costs two tokens,
 * so a fresh peer gets three, not five (checked on Linux 6.18 with
 * diff-kernel on route-no-route: the third is Icmp.OutRateLimitHost). */
static int ip_error_rate_allow(struct net *net, uint32_t saddr)
{
	const uint64_t cost = 1000000000ULL, burst = 5 * cost;
	struct inet_peer *p = inet_getpeer_v4(net, saddr);
	if (!p)
		return 1;
	p->rate_tokens_ns += net->now_ns - p->rate_last_ns;
	if (p->rate_tokens_ns > burst)
		p->rate_tokens_ns = burst;
	p->rate_last_ns = net->now_ns;
	if (p->rate_tokens_ns < cost)
		return 0;
	p->rate_tokens_ns -= cost;
	return 1;
}

/* A host only counts; no ICMP (ip-layer.md 3.4 step 3). */
static int ip_error_host(struct net *net, struct sk_buff *skb, int error)
{
	if (error == ENETUNREACH) {
		SNMP_INC(net, MIB_IPEXT_INNOROUTES);
		trace_step(net, skb, "ip_error", "forwarding off: no ICMP, count InNoRoutes");
		return skb_drop(net, skb, SKB_DROP_REASON_IP_INNOROUTES);
	}
	SNMP_INC(net, MIB_IP_INADDRERRORS);
	trace_step(net, skb, "ip_error", "forwarding off: not for this host; no ICMP, count InAddrErrors");
	return skb_drop(net, skb, SKB_DROP_REASON_IP_INADDRERRORS);
}

/*
 * ip_error - dst input of unroutable packets (ip-layer.md 3.4):
 *  1. input device not forwarding → count and drop silently;
 *  2. a router picks the ICMP code from dst.error (EINVAL, i.e. blackhole,
 *     and anything else: silent drop);
 *  3. per-source rate limit, then icmp_send Destination Unreachable.
 */
int ip_error(struct net *net, struct sk_buff *skb)
{
	const struct nj_dst *dst = &IPCB(skb)->dst;
	enum skb_drop_reason r = SKB_DROP_REASON_NOT_SPECIFIED;
	int code;

	trace_enter(net, skb, "ip_error", "route", "dst.error %d", dst->error);
	if (!in_dev_forward(skb->dev))
		return ip_error_host(net, skb, dst->error);
	switch (dst->error) {
	case EHOSTUNREACH:
		code = ICMP_HOST_UNREACH;
		break;
	case ENETUNREACH:
		code = ICMP_NET_UNREACH;
		SNMP_INC(net, MIB_IPEXT_INNOROUTES);
		r = SKB_DROP_REASON_IP_INNOROUTES;
		break;
	case EACCES:
		code = ICMP_PKT_FILTERED;
		break;
	default:
		trace_step(net, skb, "ip_error", "blackhole route: dropped without a word");
		return skb_drop(net, skb, r);
	}
	if (ip_error_rate_allow(net, ip_hdr(skb)->saddr))
		icmp_send(net, skb, ICMP_DEST_UNREACH, code, 0);
	else
		trace_step(net, skb, "ip_error", "no ICMP: %s exceeded ip_rt_error_burst (1/s, burst 5)",
			   ip_fmt(ip_hdr(skb)->saddr));
	return skb_drop(net, skb, r);
}

uint32_t inet_select_addr(const struct net_device *dev, uint32_t daddr)
{
	for (int j = 0; j < dev->naddrs; j++) {
		int plen = dev->addrs[j].ifa_prefixlen;
		uint32_t m = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
		if ((dev->addrs[j].ifa_local & m) == (daddr & m))
			return dev->addrs[j].ifa_local;
	}
	return dev->naddrs ? dev->addrs[0].ifa_local : 0;
}

/* 255.255.255.255 goes out of the device owning saddr (or the first). */
static int ip_route_output_lbcast(struct net *net, uint32_t saddr, struct nj_dst *dst)
{
	struct net_device *dev = saddr ? ip_dev_find(net, saddr) : dev_get_by_index(net, 1);
	if (!dev)
		return -ENETUNREACH;
	dst_set(dst, RTN_BROADCAST, DST_NONE, 0, dev->ifindex, 0);
	return 0;
}

int ip_route_output(struct net *net, uint32_t daddr, uint32_t saddr, struct nj_dst *dst)
{
	struct fib_result res;

	dst_set(dst, RTN_UNSPEC, DST_NONE, 0, 0, 0);
	if (ipv4_is_lbcast(daddr))
		return ip_route_output_lbcast(net, saddr, dst);
	int err = fib_lookup(net, daddr, 0, &res, NULL);
	if (err)
		return err;
	if (res.type == RTN_LOCAL) {
		/* ours: out through lo (ip_route_output_key_hash_rcu's local
		 * case) when the scenario has one; otherwise not modelled */
		const struct net_device *lo = dev_loopback(net);
		dst->type = RTN_LOCAL;
		if (!lo)
			return -EINVAL;
		dst_set(dst, RTN_LOCAL, DST_NONE, 0, lo->ifindex, 0);
		return 0;
	}
	dst_set(dst, res.type, DST_NONE, 0, res.r->oif, res.r->gateway);
	return 0;
}

/* ipv4_link_failure → ipv4_send_dest_unreach: a reasonable IPv4 header
 * only; a forwarded packet's sender gets the error on the wire, our own
 * packet's goes to ourselves (icmp_send). The route's expiry is left out. */
void ipv4_link_failure(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	if ((const unsigned char *)iph + 20 > skb_tail_pointer(skb) || (iph->ihl_version >> 4) != 4 || ip_ihl(iph) < 5)
		return;
	icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

/* -- nexthop exceptions: the path MTU -- */
#define IP_RT_MIN_PMTU		552u			/* net.ipv4.route.min_pmtu: 512 + 20 + 20 */
#define IP_RT_MTU_EXPIRES_NS	(600ULL * 1000000000ULL)	/* net.ipv4.route.mtu_expires */

/* The exception while it lasts (rt_pmtu before dst.expires), or NULL. */
static const struct fib_nh_exception *fnhe_valid(struct net *net, uint32_t daddr)
{
	const struct fib_nh_exception *e = fnhe_lookup(net, daddr);
	return e && net->now_ns < e->expires_ns ? e : NULL;
}

uint32_t ip_dst_mtu(struct net *net, uint32_t daddr, const struct net_device *dev)
{
	const struct fib_nh_exception *e = fnhe_valid(net, daddr);
	return e ? e->pmtu : dev ? dev->mtu : 1500;
}

int ip_dont_fragment(struct net *net, uint32_t daddr)
{
	const struct fib_nh_exception *e = fnhe_valid(net, daddr);
	return !(e && e->locked);
}

/* __ip_rt_update_pmtu: only ever lower, never below min_pmtu (a lower
 * claim sets it and locks it); the same value again only refreshes an
 * exception past half its life. */
static void __ip_rt_update_pmtu(struct net *net, const struct sk_buff *skb, uint32_t daddr,
				const struct net_device *dev, uint32_t mtu)
{
	const struct fib_nh_exception *v = fnhe_valid(net, daddr);
	uint32_t old_mtu = v ? v->pmtu : dev ? dev->mtu : 1500;	/* ipv4_mtu */
	int lock = 0;

	if (v && v->locked) {
		trace_step(net, skb, "__ip_rt_update_pmtu", "the path MTU to %s is locked at %u: unchanged",
			   ip_fmt(daddr), old_mtu);
		return;
	}
	if (old_mtu < mtu) {
		trace_step(net, skb, "__ip_rt_update_pmtu", "the path to %s is already %u, narrower than %u: unchanged",
			   ip_fmt(daddr), old_mtu, mtu);
		return;
	}
	if (mtu < IP_RT_MIN_PMTU) {
		lock = 1;
		mtu = old_mtu < IP_RT_MIN_PMTU ? old_mtu : IP_RT_MIN_PMTU;
	}
	if (v && v->pmtu == mtu && !lock && net->now_ns < v->expires_ns - IP_RT_MTU_EXPIRES_NS / 2) {
		trace_step(net, skb, "__ip_rt_update_pmtu", "the path MTU to %s is already %u", ip_fmt(daddr), mtu);
		return;
	}
	struct fib_nh_exception *e = fnhe_create(net, daddr);
	if (!e)
		return;
	e->pmtu = mtu;
	e->locked = (uint8_t)lock;
	e->expires_ns = e->stamp_ns = net->now_ns;
	e->expires_ns += IP_RT_MTU_EXPIRES_NS;
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "daddr", ip_fmt(daddr));
		jw_kv_uint(a, "old_mtu", old_mtu);
		jw_kv_uint(a, "pmtu", mtu);
		jw_kv_bool(a, "locked", lock);
		jw_kv_uint(a, "expires_s", (uint32_t)(IP_RT_MTU_EXPIRES_NS / 1000000000ULL));
	}
	trace_step(net, skb, "__ip_rt_update_pmtu", "path MTU to %s: %u -> %u for %llu s%s", ip_fmt(daddr), old_mtu,
		   mtu, (unsigned long long)(IP_RT_MTU_EXPIRES_NS / 1000000000ULL),
		   lock ? " (below min_pmtu: locked, DF no longer set)" : "");
}

uint32_t ipv4_update_pmtu(struct net *net, const struct sk_buff *skb, uint32_t daddr, uint32_t mtu)
{
	struct nj_dst dst;
	if (ip_route_output(net, daddr, 0, &dst) < 0) {
		trace_step(net, skb, "__ip_rt_update_pmtu", "no route to %s: nothing to update", ip_fmt(daddr));
		return 0;
	}
	const struct net_device *dev = dev_get_by_index(net, dst.oif);
	__ip_rt_update_pmtu(net, skb, daddr, dev, mtu);
	return ip_dst_mtu(net, daddr, dev);
}
