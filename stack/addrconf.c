/*
 * addrconf.c - a host's IPv6 addresses and groups, after net/ipv6/addrconf.c
 * and net/ipv6/mcast.c (Linux 6.13): the EUI-64 link-local address a device
 * gets when it comes up (RFC 4291 2.5.1, addr_gen_mode eui64), scenario
 * addresses, the groups a host joins (all-nodes ff02::1 and the
 * solicited-node group of each address; all-routers when forwarding),
 * source address selection, and net->ipv6 itself.
 * SLAAC from a router advertisement's prefixes (addrconf_prefix_rcv: the
 * prefix + the MAC's EUI-64, addr_gen_mode eui64 as the kernel's default).
 * Left out: DAD (addresses are valid at once; Linux sends a DAD NS and MLD
 * reports on NETDEV_UP, which a replay does not show), privacy addresses,
 * address lifetimes (a SLAAC address stays), RFC 6724's full rule set
 * (scope only), joining groups by sockets.
 */
#include "ipv6.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct ipv6_state *ipv6_state(struct net *net)
{
	if (net->ipv6)
		return net->ipv6;
	struct ipv6_state *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sysctl.hop_limit = 64;
	s->sysctl.max_hbh_opts_cnt = 8;
	s->sysctl.max_dst_opts_cnt = 8;
	s->sysctl.icmp_ratelimit_ms = -1;	/* the kernel's default: icmpv6_ratelimit_ms */
	s->sysctl.accept_ra = 1;
	s->sysctl.ip6frag_high_thresh = 4 * 1024 * 1024;
	s->sysctl.ip6frag_low_thresh = 3 * 1024 * 1024;
	s->sysctl.ip6frag_time_ns = 60ULL * 1000000000ULL;
	net->ipv6 = s;
	return s;
}

void ipv6_exit(struct net *net)
{
	if (!net->ipv6)
		return;
	ipv6_frag_exit(net);
	ndisc_exit(net);
	free(net->ipv6);
	net->ipv6 = NULL;
}

int ipv6_prefix_equal(const struct in6 *a, const struct in6 *b, int plen)
{
	int bytes = plen / 8, bits = plen % 8;
	if (memcmp(a->s6, b->s6, (size_t)bytes))
		return 0;
	if (!bits)
		return 1;
	uint8_t m = (uint8_t)(0xff << (8 - bits));
	return (a->s6[bytes] & m) == (b->s6[bytes] & m);
}

void addrconf_addr_solict_mult(const struct in6 *addr, struct in6 *sol)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	memcpy(sol->s6, pfx, 13);
	memcpy(sol->s6 + 13, addr->s6 + 13, 3);
}

const char *in6_fmt(const struct in6 *a)
{
	static _Thread_local char ring[8][INET6_ADDRSTRLEN];
	static _Thread_local unsigned next;
	char *b = ring[next++ % 8];
	if (!inet_ntop(AF_INET6, a->s6, b, INET6_ADDRSTRLEN))
		strcpy(b, "?");
	return b;
}

int in6_pton(const char *s, struct in6 *a)
{
	return s && inet_pton(AF_INET6, s, a->s6) == 1 ? 0 : -1;
}

int ipv6_add_addr(struct net *net, struct net_device *dev, const struct in6 *addr, int plen)
{
	struct inet6_dev *idev = in6_dev_get(net, dev);
	if (!idev || plen < 0 || plen > 128 || idev->naddrs >= NJ_MAX_ADDRS6)
		return -1;
	for (int i = 0; i < idev->naddrs; i++)
		if (ipv6_addr_equal(&idev->addrs[i].addr, addr))
			return 0;
	idev->addrs[idev->naddrs].addr = *addr;
	idev->addrs[idev->naddrs].prefix_len = (uint8_t)plen;
	idev->naddrs++;
	return 0;
}

/* addrconf_addr_eui64: the interface identifier is the MAC with ff:fe in
 * the middle and the universal/local bit inverted (RFC 4291 appendix A). */
void addrconf_dev_config(struct net *net, struct net_device *dev)
{
	struct in6 ll = IN6_INIT(0xfe, 0x80);
	memcpy(ll.s6 + 8, dev->dev_addr, 3);
	ll.s6[8] ^= 0x02;
	ll.s6[11] = 0xff;
	ll.s6[12] = 0xfe;
	memcpy(ll.s6 + 13, dev->dev_addr + 3, 3);
	ipv6_add_addr(net, dev, &ll, 64);
}

struct net_device *ipv6_chk_addr(struct net *net, const struct in6 *addr, const struct net_device *dev)
{
	struct ipv6_state *s = ipv6_state(net);
	if (!s)
		return NULL;
	for (int d = 0; d < net->ndevs; d++) {
		const struct inet6_dev *idev = &s->idev[d];
		if (ipv6_devconf_disabled(net, &net->devs[d]))
			continue;
		for (int i = 0; i < idev->naddrs; i++) {
			if (!ipv6_addr_equal(&idev->addrs[i].addr, addr))
				continue;
			/* a link-local address belongs to its link only */
			if (dev && ipv6_addr_linklocal(addr) && dev->ifindex != d + 1)
				continue;
			return &net->devs[d];
		}
	}
	return NULL;
}

/* addrconf_join_anycast: a router (forwarding on) owns the subnet-router
 * anycast address of each of its prefixes (RFC 4291 2.6.1). */
int ipv6_chk_acast_addr(struct net *net, const struct net_device *dev, const struct in6 *addr)
{
	struct ipv6_state *s = ipv6_state(net);
	if (!s || !s->sysctl.forwarding)
		return 0;
	for (int d = 0; d < net->ndevs; d++) {
		if ((dev && dev->ifindex != d + 1 && ipv6_addr_linklocal(addr)) || ipv6_devconf_disabled(net, &net->devs[d]))
			continue;
		for (int i = 0; i < s->idev[d].naddrs; i++) {
			const struct inet6_ifaddr *a = &s->idev[d].addrs[i];
			struct in6 any = a->addr;
			if (a->prefix_len >= 127)
				continue;
			for (int b = a->prefix_len; b < 128; b++)
				any.s6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
			if (ipv6_addr_equal(&any, addr))
				return 1;
		}
	}
	return 0;
}

int ipv6_chk_mcast_addr(struct net *net, const struct net_device *dev, const struct in6 *group)
{
	static const struct in6 all_nodes = IN6_INIT(0xff, 0x02, [15] = 1);
	static const struct in6 all_routers = IN6_INIT(0xff, 0x02, [15] = 2);
	struct inet6_dev *idev = in6_dev_get(net, dev);
	if (!idev || ipv6_devconf_disabled(net, dev))
		return 0;
	if (ipv6_addr_equal(group, &all_nodes))
		return 1;
	if (net->ipv6->sysctl.forwarding && ipv6_addr_equal(group, &all_routers))
		return 1;
	/* addrconf_join_solict: a NOARP device (tun, ppp) joins no
	 * solicited-node group, as it resolves no neighbours */
	for (int i = 0; i < idev->naddrs && dev_has_header(dev); i++) {
		struct in6 sol;
		addrconf_addr_solict_mult(&idev->addrs[i].addr, &sol);
		if (ipv6_addr_equal(group, &sol))
			return 1;
	}
	return 0;
}

/* A link-scope destination gets the link-local source; anything else the
 * first address of wider scope, falling back to the link-local one. */
int ipv6_dev_get_saddr(struct net *net, const struct net_device *dev, const struct in6 *daddr,
		       struct in6 *saddr)
{
	struct inet6_dev *idev = in6_dev_get(net, dev);
	int link = ipv6_addr_linklocal(daddr) || (ipv6_addr_is_multicast(daddr) && ipv6_addr_mc_scope(daddr) <= 2);
	int best = -1;
	if (!idev)
		return -1;
	for (int i = 0; i < idev->naddrs; i++) {
		int ll = ipv6_addr_linklocal(&idev->addrs[i].addr);
		if (ll == link) {
			best = i;
			break;
		}
		if (best < 0)
			best = i;
	}
	if (best < 0)
		return -1;
	*saddr = idev->addrs[best].addr;
	return 0;
}

int ipv6_devconf_disabled(struct net *net, const struct net_device *dev)
{
	struct inet6_dev *idev = in6_dev_get(net, dev);
	return !idev || net->ipv6->sysctl.disable_ipv6 || idev->disable_ipv6;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An on-link prefix that no address of ours covers gets its own route,
 * expiring with the valid lifetime (0xffffffff: never); 0 removes it. */
static void addrconf_prefix_route(struct net *net, struct net_device *dev, const struct in6 *pfx, int plen,
				  uint32_t valid)
{
	struct ipv6_state *s = ipv6_state(net);
	struct rt6_info *rt = NULL;
	for (int i = 0; i < s->nroutes; i++)
		if (s->routes[i].ra && !s->routes[i].gw && s->routes[i].plen == plen &&
		    ipv6_prefix_equal(&s->routes[i].dst, pfx, plen) && s->routes[i].oif == dev->ifindex)
			rt = &s->routes[i];
	if (rt && !valid) {
		*rt = s->routes[--s->nroutes];
		trace_step(net, NULL, "addrconf_prefix_rcv", "%s/%d: valid lifetime 0, its route goes", in6_fmt(pfx), plen);
		return;
	}
	if (!rt && valid) {
		if (ip6_route_add(net, pfx, plen, NULL, dev->ifindex, RTN_UNICAST, 256) < 0)
			return;
		rt = &s->routes[s->nroutes - 1];
		rt->ra = 1;
		trace_step(net, NULL, "addrconf_prefix_route", "%s/%d dev %s (on-link)", in6_fmt(pfx), plen, dev->name);
	}
	if (rt)
		rt->expires_ns = valid == 0xffffffffu ? 0 : net->now_ns + (uint64_t)valid * 1000000000ULL;
}

/*
 * addrconf_prefix_rcv, in the kernel's order:
 *  1. not a link-local or multicast prefix; preferred <= valid lifetime;
 *  2. on-link (L): a prefix route (unless the address below covers it);
 *  3. autonomous (A), a /64 and a valid lifetime: prefix + EUI-64.
 */
void addrconf_prefix_rcv(struct net *net, struct net_device *dev, const uint8_t *opt)
{
	struct in6 pfx;
	int plen = opt[2], onlink = opt[3] & 0x80, autoconf = opt[3] & 0x40;
	uint32_t valid = rd32(opt + 4), preferred = rd32(opt + 8);
	memcpy(pfx.s6, opt + 16, 16);
	if (ipv6_addr_linklocal(&pfx) || ipv6_addr_is_multicast(&pfx)) {
		trace_step(net, NULL, "addrconf_prefix_rcv", "%s: a link-local or multicast prefix: ignored", in6_fmt(&pfx));
		return;
	}
	if (preferred > valid || plen > 128) {
		trace_step(net, NULL, "addrconf_prefix_rcv", "%s/%d: preferred lifetime past the valid one: ignored",
			   in6_fmt(&pfx), plen);
		return;
	}
	struct in6 addr = pfx;
	struct in6 ll = IN6_INIT(0xfe, 0x80);
	int slaac = autoconf && plen == 64 && valid;
	if (autoconf && plen != 64)
		trace_step(net, NULL, "addrconf_prefix_rcv", "%s/%d: prefix with wrong length for SLAAC", in6_fmt(&pfx),
			   plen);
	if (onlink && !slaac)
		addrconf_prefix_route(net, dev, &pfx, plen, valid);
	if (!slaac)
		return;
	memcpy(ll.s6 + 8, dev->dev_addr, 3);	/* the EUI-64, as addrconf_dev_config makes it */
	ll.s6[8] ^= 0x02;
	ll.s6[11] = 0xff;
	ll.s6[12] = 0xfe;
	memcpy(ll.s6 + 13, dev->dev_addr + 3, 3);
	memcpy(addr.s6 + 8, ll.s6 + 8, 8);
	if (ipv6_chk_addr(net, &addr, dev))
		return;			/* already ours: Linux renews its lifetimes */
	if (ipv6_add_addr(net, dev, &addr, 64) < 0)
		return;
	trace_step(net, NULL, "addrconf_prefix_rcv", "SLAAC: %s/64 on %s (prefix + EUI-64 of %s)", in6_fmt(&addr),
		   dev->name, mac_fmt(dev->dev_addr));
}
