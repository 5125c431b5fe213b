/*
 * route.c - input routing, after net/ipv4/route.c ip_route_input_slow and
 * ip_error (Linux 6.13, with its martian drop reasons). There is no route
 * cache: Linux removed it in 3.6 and routes each packet through the FIB.
 * FIRST VERSION: the FIB is the host's own addresses (local table) and
 * their subnets; no forwarding routes, no rp_filter yet.
 */
#include "stack.h"

#include <errno.h>

static uint32_t prefix_mask(int plen) { return plen ? htonl(0xffffffffu << (32 - plen)) : 0; }

/* fib_lookup on the local table: our address → LOCAL; a subnet's broadcast
 * address → BROADCAST; nothing else is known. */
static int fib_lookup_local(struct net *net, uint32_t daddr, struct nj_dst *dst)
{
	for (int i = 0; i < net->ndevs; i++) {
		struct net_device *d = &net->devs[i];
		for (int j = 0; j < d->naddrs; j++) {
			uint32_t a = d->addrs[j].ifa_local, m = prefix_mask(d->addrs[j].ifa_prefixlen);
			if (daddr == a) {
				dst->type = RTN_LOCAL;
				return 0;
			}
			if (d->addrs[j].ifa_prefixlen < 31 && daddr == (a | ~m)) {
				dst->type = RTN_BROADCAST;
				return 0;
			}
		}
	}
	return -ENETUNREACH;
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

enum skb_drop_reason ip_route_input_noref(struct net *net, struct sk_buff *skb, uint32_t daddr,
					  uint32_t saddr, uint8_t tos, struct net_device *dev,
					  struct nj_dst *dst)
{
	(void)tos;
	(void)dev;
	dst->type = RTN_UNSPEC;
	dst->input = DST_NONE;
	dst->error = 0;
	trace_enter(net, skb, "ip_route_input_noref", "route", "%s > %s", ip_fmt(saddr), ip_fmt(daddr));

	if (ipv4_is_multicast(daddr)) {
		/* No multicast group memberships are modelled: not ours. */
		return route_done(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "multicast group not joined");
	}
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_SOURCE, "martian source (multicast/broadcast)");
	if (ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0))
		goto brd_input;
	if (ipv4_is_zeronet(saddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_SOURCE, "martian source (0.0.0.0/8)");
	if (ipv4_is_zeronet(daddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_INVALID_DEST, "martian destination (0.0.0.0/8)");
	if (ipv4_is_loopback(daddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_LOCALNET, "martian destination (127/8, route_localnet=0)");
	if (ipv4_is_loopback(saddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_LOCALNET, "martian source (127/8, route_localnet=0)");

	if (fib_lookup_local(net, daddr, dst) < 0) {
		/* no_route: a host (forwarding off) turns this into EHOSTUNREACH. */
		dst->type = RTN_UNREACHABLE;
		dst->input = DST_ERROR;
		dst->error = EHOSTUNREACH;
		return route_done(net, skb, SKB_DROP_REASON_NOT_DROPPED_YET, "not ours and forwarding is off: ip_error");
	}
	if (dst->type == RTN_BROADCAST)
		goto brd_input;
	if (ip_dev_find(net, saddr))
		return route_done(net, skb, SKB_DROP_REASON_IP_LOCAL_SOURCE, "martian source: one of our own addresses");
	dst->input = DST_LOCAL_DELIVER;
	return route_done(net, skb, SKB_DROP_REASON_NOT_DROPPED_YET, "RTN_LOCAL: ip_local_deliver");

brd_input:
	dst->type = RTN_BROADCAST;
	dst->input = DST_LOCAL_DELIVER;
	return route_done(net, skb, SKB_DROP_REASON_NOT_DROPPED_YET, "RTN_BROADCAST: ip_local_deliver");
}

int ip_error(struct net *net, struct sk_buff *skb)
{
	const struct nj_dst *dst = &IPCB(skb)->dst;
	enum skb_drop_reason r;

	trace_enter(net, skb, "ip_error", "route", "dst.error %d", dst->error);
	/* A host (forwarding off) sends no ICMP: it only counts. */
	if (dst->error == ENETUNREACH) {
		SNMP_INC(net, MIB_IPEXT_INNOROUTES);
		r = SKB_DROP_REASON_IP_INNOROUTES;
	} else {
		SNMP_INC(net, MIB_IP_INADDRERRORS);
		r = SKB_DROP_REASON_IP_INADDRERRORS;
	}
	return skb_drop(net, skb, r);
}

uint32_t inet_select_addr(const struct net_device *dev, uint32_t daddr)
{
	for (int j = 0; j < dev->naddrs; j++) {
		uint32_t m = prefix_mask(dev->addrs[j].ifa_prefixlen);
		if ((dev->addrs[j].ifa_local & m) == (daddr & m))
			return dev->addrs[j].ifa_local;
	}
	return dev->naddrs ? dev->addrs[0].ifa_local : 0;
}

/* FIRST VERSION: connected subnets only. */
int ip_route_output(struct net *net, uint32_t daddr, uint32_t saddr, struct nj_dst *dst)
{
	(void)saddr;
	for (int i = 0; i < net->ndevs; i++) {
		struct net_device *d = &net->devs[i];
		for (int j = 0; j < d->naddrs; j++) {
			uint32_t m = prefix_mask(d->addrs[j].ifa_prefixlen);
			if ((d->addrs[j].ifa_local & m) == (daddr & m)) {
				dst->type = RTN_UNICAST;
				dst->oif = d->ifindex;
				dst->gateway = 0;
				return 0;
			}
		}
	}
	return -ENETUNREACH;
}
