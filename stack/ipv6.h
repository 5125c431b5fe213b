/*
 * ipv6.h - IPv6 wire headers (network order, never converted in place), the
 * per-host IPv6 state and the entry points of the IPv6 files, after
 * include/uapi/linux/{ipv6,icmpv6,in6}.h, include/net/ipv6.h,
 * include/net/addrconf.h and include/net/ndisc.h (Linux 6.13).
 *
 * The IPv6 files: addrconf.c (addresses, groups), ip6_input.c, exthdrs.c,
 * route6.c (FIB6), ip6_output.c (output, ip6_forward), icmp6.c (the
 * kernel's net/ipv6/icmp.c: icmp.c is IPv4's here), ndisc.c, udp_ipv6.c,
 * tcp_ipv6.c.
 */
#ifndef NJ_STACK_IPV6_H
#define NJ_STACK_IPV6_H

#include "stack.h"

/* Next header values (include/net/ipv6.h). */
#define NEXTHDR_HOP		0
#define NEXTHDR_TCP		6
#define NEXTHDR_UDP		17
#define NEXTHDR_IPV6		41
#define NEXTHDR_ROUTING		43
#define NEXTHDR_FRAGMENT	44
#define NEXTHDR_ESP		50
#define NEXTHDR_AUTH		51
#define NEXTHDR_ICMP		58
#define NEXTHDR_NONE		59
#define NEXTHDR_DEST		60

#define IPV6_MIN_MTU		1280
#define IPV6_MAXPLEN		65535

/* An IPv6 address as the wire carries it: the kernel's struct in6_addr,
 * named in6 here because the C library's in6_addr (netinet/in.h, which
 * ip.h brings in) is 4-byte aligned and would be misaligned inside a
 * received frame. IN6_INIT builds a constant from its leading bytes. */
struct in6 {
	uint8_t s6[16];
};
#define IN6_INIT(...) { { __VA_ARGS__ } }

struct ipv6hdr {
	uint32_t vtc_flow;		/* version 4 bits, traffic class 8, flow label 20 */
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	struct in6 saddr;
	struct in6 daddr;
} __attribute__((packed));

static inline int ipv6_version(const struct ipv6hdr *h) { return ((const uint8_t *)h)[0] >> 4; }
static inline uint8_t ipv6_get_dsfield(const struct ipv6hdr *h)
{
	const uint8_t *p = (const uint8_t *)h;
	return (uint8_t)((p[0] << 4) | (p[1] >> 4));
}

/* Hop-by-hop and destination options, routing header: next header and
 * length in 8-octet units not counting the first 8. */
struct ipv6_opt_hdr {
	uint8_t nexthdr;
	uint8_t hdrlen;
} __attribute__((packed));

struct ipv6_rt_hdr {
	uint8_t nexthdr;
	uint8_t hdrlen;
	uint8_t type;
	uint8_t segments_left;
} __attribute__((packed));

#define IPV6_SRCRT_TYPE_0	0	/* deprecated by RFC 5095 */
#define IPV6_SRCRT_TYPE_2	2	/* mobile IPv6 */
#define IPV6_SRCRT_TYPE_3	3	/* RPL */
#define IPV6_SRCRT_TYPE_4	4	/* segment routing */

struct frag_hdr {
	uint8_t nexthdr;
	uint8_t reserved;
	uint16_t frag_off;		/* offset << 3 | MF */
	uint32_t identification;
} __attribute__((packed));

#define IP6_MF		0x0001
#define IP6_OFFSET	0xFFF8

/* TLV option types (include/uapi/linux/in6.h). */
#define IPV6_TLV_PAD1		0
#define IPV6_TLV_PADN		1
#define IPV6_TLV_ROUTERALERT	5
#define IPV6_TLV_JUMBO		194
#define IPV6_TLV_HAO		201

struct icmp6hdr {
	uint8_t icmp6_type;
	uint8_t icmp6_code;
	uint16_t icmp6_cksum;
	union {
		uint32_t un_data32[1];
		uint16_t un_data16[2];
		uint8_t un_data8[4];
	} icmp6_dataun;
} __attribute__((packed));

#define icmp6_identifier	icmp6_dataun.un_data16[0]
#define icmp6_sequence		icmp6_dataun.un_data16[1]
#define icmp6_pointer		icmp6_dataun.un_data32[0]
#define icmp6_mtu		icmp6_dataun.un_data32[0]

#define ICMPV6_DEST_UNREACH		1
#define ICMPV6_PKT_TOOBIG		2
#define ICMPV6_TIME_EXCEED		3
#define ICMPV6_PARAMPROB		4
#define ICMPV6_ECHO_REQUEST		128
#define ICMPV6_ECHO_REPLY		129
#define ICMPV6_MGM_QUERY		130
#define ICMPV6_MGM_REPORT		131
#define ICMPV6_MGM_REDUCTION		132
#define NDISC_ROUTER_SOLICITATION	133
#define NDISC_ROUTER_ADVERTISEMENT	134
#define NDISC_NEIGHBOUR_SOLICITATION	135
#define NDISC_NEIGHBOUR_ADVERTISEMENT	136
#define NDISC_REDIRECT			137
#define ICMPV6_MLD2_REPORT		143

#define ICMPV6_NOROUTE		0
#define ICMPV6_ADM_PROHIBITED	1
#define ICMPV6_NOT_NEIGHBOUR	2
#define ICMPV6_ADDR_UNREACH	3
#define ICMPV6_PORT_UNREACH	4
#define ICMPV6_EXC_HOPLIMIT	0
#define ICMPV6_EXC_FRAGTIME	1
#define ICMPV6_HDR_FIELD	0
#define ICMPV6_UNK_NEXTHDR	1
#define ICMPV6_UNK_OPTION	2
#define ICMPV6_HDR_INCOMP	3

/* Address helpers (include/net/ipv6.h, addrconf.h). */
static inline int ipv6_addr_equal(const struct in6 *a, const struct in6 *b)
{
	for (int i = 0; i < 16; i++)
		if (a->s6[i] != b->s6[i])
			return 0;
	return 1;
}
static inline int ipv6_addr_any(const struct in6 *a)
{
	for (int i = 0; i < 16; i++)
		if (a->s6[i])
			return 0;
	return 1;
}
static inline int ipv6_addr_loopback(const struct in6 *a)
{
	for (int i = 0; i < 15; i++)
		if (a->s6[i])
			return 0;
	return a->s6[15] == 1;
}
static inline int ipv6_addr_is_multicast(const struct in6 *a) { return a->s6[0] == 0xff; }
static inline int ipv6_addr_mc_scope(const struct in6 *a) { return a->s6[1] & 0x0f; }
static inline int ipv6_addr_linklocal(const struct in6 *a)
{
	return a->s6[0] == 0xfe && (a->s6[1] & 0xc0) == 0x80;
}
static inline int ipv6_addr_v4mapped(const struct in6 *a)
{
	for (int i = 0; i < 10; i++)
		if (a->s6[i])
			return 0;
	return a->s6[10] == 0xff && a->s6[11] == 0xff;
}
/* ipv6_addr_prefix_eq - whether a and b share their first plen bits. */
int ipv6_prefix_equal(const struct in6 *a, const struct in6 *b, int plen);
/* addrconf_addr_solict_mult - ff02::1:ffXX:XXXX of addr (RFC 4291 2.7.1). */
void addrconf_addr_solict_mult(const struct in6 *addr, struct in6 *solicited);
/* in6_fmt - RFC 5952 text of a into a static ring of 8 buffers. */
const char *in6_fmt(const struct in6 *a);
/* in6_pton - parses s; 0 or -1. */
int in6_pton(const char *s, struct in6 *a);

/* Control block of an IPv6 skb (struct inet6_skb_parm) with its route. */
struct rt6_dst {
	uint8_t type;			/* enum rtn_type */
	uint8_t input;			/* enum rt6_input */
	uint8_t plen;			/* prefix length of the route (icmpv6 rate limit) */
	uint8_t gw;			/* gateway below is valid */
	int oif;
	struct in6 gateway;
};
enum rt6_input { RT6_NONE, RT6_INPUT, RT6_MC_INPUT, RT6_FORWARD, RT6_DISCARD };

struct inet6_skb_parm {
	int iif;
	uint16_t ra;			/* router alert value offset + 1, 0 none */
	uint16_t dst0, srcrt, dst1, lastopt;	/* offsets of the headers seen */
	uint16_t nhoff;			/* offset of the next-header byte to follow */
	uint16_t flags;			/* IP6SKB_* */
	uint16_t frag_max_size;
	struct rt6_dst dst;
};
#define IP6CB(skb) ((struct inet6_skb_parm *)((skb)->cb))
_Static_assert(sizeof(struct inet6_skb_parm) <= SKB_CB_SIZE, "IP6CB must fit in skb->cb");

#define IP6SKB_FORWARDED	2
#define IP6SKB_ROUTERALERT	8
#define IP6SKB_FRAGMENTED	16
#define IP6SKB_HOPBYHOP		32

static inline struct ipv6hdr *ipv6_hdr(const struct sk_buff *skb) { return (struct ipv6hdr *)skb_network_header(skb); }
static inline uint32_t skb_network_header_len(const struct sk_buff *s) { return (uint32_t)(s->transport_header - s->network_header); }

/* -- per-host IPv6 state (net->ipv6) -- */
#define NJ_MAX_ADDRS6	8

struct inet6_ifaddr {
	struct in6 addr;
	uint8_t prefix_len;
};

/* struct inet6_dev: a device's IPv6 side and its conf. */
struct inet6_dev {
	struct inet6_ifaddr addrs[NJ_MAX_ADDRS6];
	int naddrs;
	int disable_ipv6;		/* net.ipv6.conf.<dev>.disable_ipv6 */
	uint32_t mtu6;			/* a router advertisement's MTU; 0: the device's */
};

/* A scenario route (main table); connected and local ones are derived. */
struct rt6_info {
	struct in6 dst;
	uint8_t plen;
	uint8_t type;			/* RTN_UNICAST, RTN_UNREACHABLE, RTN_BLACKHOLE, RTN_PROHIBIT */
	uint8_t gw;			/* gateway set */
	struct in6 gateway;
	int oif;
	int metric;
	uint8_t ra;			/* RTF_RA_ROUTER: learnt from a router advertisement */
	uint64_t expires_ns;		/* 0: never */
};

#define RT6_MAX		64
#define ICMP6_PEERS	256

struct icmp6_peer {
	struct in6 daddr;
	uint64_t rate_last_ns, rate_tokens_ns, last_used_ns;
	int used;
};

struct ipv6_sysctl {
	int forwarding;			/* net.ipv6.conf.all.forwarding, 0 */
	int hop_limit;			/* net.ipv6.conf.all.hop_limit, 64 */
	int disable_ipv6;		/* net.ipv6.conf.all.disable_ipv6, 0 */
	int max_hbh_opts_cnt;		/* net.ipv6.max_hbh_opts_number, 8 */
	int max_dst_opts_cnt;		/* net.ipv6.max_dst_opts_number, 8 */
	int icmp_ratelimit_ms;		/* net.ipv6.icmp.ratelimit; -1: the kernel's default */
	int echo_ignore_all;		/* net.ipv6.icmp.echo_ignore_all, 0 */
	int echo_ignore_multicast;	/* net.ipv6.icmp.echo_ignore_multicast, 0 */
	int accept_ra;			/* net.ipv6.conf.all.accept_ra, 1 (taken when forwarding is off) */
	uint64_t ip6frag_high_thresh;	/* 4 MiB */
	uint64_t ip6frag_low_thresh;	/* 3 MiB */
	uint64_t ip6frag_time_ns;	/* 60 s */
};

struct nd_table;
struct frag6_table;

/* A route exception's path MTU (rt6_insert_exception, rt6_do_update_pmtu):
 * RT6_EXC_HASH buckets of RT6_EXC_DEPTH, the oldest of a full bucket
 * recycled (Linux: 1024 buckets, FIB6_MAX_DEPTH 5). */
#define RT6_EXC_HASH	256
#define RT6_EXC_DEPTH	5
struct rt6_exception {
	struct in6 daddr;
	uint32_t pmtu;			/* 0: free */
	uint64_t expires_ns, stamp_ns;
};

struct ipv6_state {
	struct ipv6_sysctl sysctl;
	struct rt6_exception exc[RT6_EXC_HASH][RT6_EXC_DEPTH];
	int nexc;			/* in use: lookups skip the table while 0 */
	struct inet6_dev idev[NJ_MAX_DEVS];	/* by ifindex - 1 */
	struct rt6_info routes[RT6_MAX];
	int nroutes;
	struct icmp6_peer peers[ICMP6_PEERS];
	struct nd_table *nd;		/* ndisc.c */
	struct frag6_table *frags;	/* reassembly.c */
	uint32_t frag_ident;		/* ipv6_select_ident */
};

/* ipv6_state - net->ipv6, created on first use; NULL when out of memory. */
struct ipv6_state *ipv6_state(struct net *net);
/* ipv6_exit - frees net->ipv6 and what it holds (net_destroy). */
void ipv6_exit(struct net *net);
static inline struct inet6_dev *in6_dev_get(struct net *net, const struct net_device *dev)
{
	struct ipv6_state *s = ipv6_state(net);
	return s && dev && dev->ifindex >= 1 && dev->ifindex <= NJ_MAX_DEVS ? &s->idev[dev->ifindex - 1] : NULL;
}

/* -- addrconf.c -- */
/* addrconf_dev_config - the EUI-64 link-local address (RFC 4291 2.5.1,
 * fe80::/64) Linux gives a device coming up. */
void addrconf_dev_config(struct net *net, struct net_device *dev);
/* ipv6_add_addr - adds addr/plen to dev; 0, or -1 if full or bad plen. */
int ipv6_add_addr(struct net *net, struct net_device *dev, const struct in6 *addr, int plen);
/* ipv6_chk_addr - the device holding addr (a link-local one only on dev
 * when dev is given), or NULL. */
struct net_device *ipv6_chk_addr(struct net *net, const struct in6 *addr, const struct net_device *dev);
/* ipv6_chk_acast_addr - whether addr is a subnet-router anycast address
 * of ours (only when forwarding; a link-local one only on dev). */
int ipv6_chk_acast_addr(struct net *net, const struct net_device *dev, const struct in6 *addr);
/* ipv6_chk_mcast_addr - whether dev is in group: all-nodes, the
 * solicited-node groups of its addresses, all-routers when forwarding. */
int ipv6_chk_mcast_addr(struct net *net, const struct net_device *dev, const struct in6 *group);
/* ipv6_dev_get_saddr - the source address towards daddr out of dev
 * (RFC 6724 reduced to scope: link-local for link-scope destinations,
 * else a global one). Returns 0, or -1 when dev has none. */
int ipv6_dev_get_saddr(struct net *net, const struct net_device *dev, const struct in6 *daddr,
		       struct in6 *saddr);
/* addrconf_prefix_rcv - one prefix information option (32 bytes at opt)
 * of a router advertisement taken: an on-link prefix route, and with the
 * autonomous flag a /64 gets the address prefix + the MAC's EUI-64. */
void addrconf_prefix_rcv(struct net *net, struct net_device *dev, const uint8_t *opt);
/* ipv6_devconf_disabled - disable_ipv6 for dev (all or dev). */
int ipv6_devconf_disabled(struct net *net, const struct net_device *dev);

/* -- ip6_input.c -- */
int ipv6_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev);
int ip6_rcv_finish(struct net *net, struct sk_buff *skb);
int ip6_input(struct net *net, struct sk_buff *skb);
int ip6_mc_input(struct net *net, struct sk_buff *skb);

/* -- exthdrs.c: return 1 (go on with IP6CB(skb)->nhoff), -1 (skb freed) -- */
int ipv6_parse_hopopts(struct net *net, struct sk_buff *skb);
int ipv6_destopt_rcv(struct net *net, struct sk_buff *skb);
int ipv6_rthdr_rcv(struct net *net, struct sk_buff *skb);
/* ipv6_skip_exthdr - offset of the upper-layer header after start, its
 * protocol in *nexthdr and the fragment offset field (host order) in
 * *frag_off; -1 if
 * the chain is truncated. */
int ipv6_skip_exthdr(const struct sk_buff *skb, int start, uint8_t *nexthdr, uint16_t *frag_off);

/* -- reassembly.c -- */
/* ipv6_frag_rcv - the fragment header's handler: 1 with a reassembled
 * skb in *pskb to continue with, 0 (held or freed). */
int ipv6_frag_rcv(struct net *net, struct sk_buff **pskb);
void ipv6_frag_exit(struct net *net);
/* ip6_frag_timers - expires every queue whose ip6frag_time has passed,
 * soonest first (ip6_frag_expire). */
void ip6_frag_timers(struct net *net);
/* ip6_frag_next_timer - the earliest queue's expiry, 0 when none is held. */
uint64_t ip6_frag_next_timer(const struct net *net);

/* -- route6.c -- */
/* ip6_route_input - fills IP6CB(skb)->dst for the packet's destination. */
void ip6_route_input(struct net *net, struct sk_buff *skb);
/* ip6_route_output - the route to daddr (oif: required device, 0 any).
 * Returns 0, or -ENETUNREACH (dst->type says what matched). */
int ip6_route_output(struct net *net, const struct in6 *daddr, int oif, struct rt6_dst *dst);
/* ip6_dst_mtu - the MTU towards daddr out of dev: a path MTU learned
 * from a Packet Too Big while it lasts, else the device's (or the one a
 * router advertisement gave, mtu6). */
uint32_t ip6_dst_mtu(struct net *net, const struct in6 *daddr, const struct net_device *dev);
/* ip6_update_pmtu - a Packet Too Big said the path to daddr takes mtu:
 * lowers it for 600 s, never below 1280 (__ip6_rt_update_pmtu, traced as
 * a step). Returns the MTU towards daddr after it, 0 with no route. */
uint32_t ip6_update_pmtu(struct net *net, const struct sk_buff *skb, const struct in6 *daddr, uint32_t mtu);
/* rt6_exception_for_each - every path MTU exception in use. */
void rt6_exception_for_each(struct net *net, void (*fn)(void *ctx, const struct rt6_exception *e), void *ctx);
/* ip6_route_add - a scenario route; 0 or -1 (full). */
int ip6_route_add(struct net *net, const struct in6 *dst, int plen, const struct in6 *gw, int oif,
		  int type, int metric);
/* rt6_clean_tohost - a router turned host: the routes learnt from its
 * advertisements via gateway go (fib6_clean_tohost). */
void rt6_clean_tohost(struct net *net, const struct in6 *gateway);
/* ip6_pkt_discard - the input of a packet without a route. Owns skb. */
int ip6_pkt_discard(struct net *net, struct sk_buff *skb);
/* One route of the IPv6 FIB, as rt6_for_each gives it. */
struct rt6_route {
	const char *table;		/* "local" (local, anycast, multicast) or "main" */
	const char *proto;		/* "kernel", "static", "ra" (learnt from an RA) */
	struct in6 dst;			/* the prefix, host bits clear */
	int plen, type, oif, metric;	/* type: enum rtn_type */
	const struct in6 *gateway;	/* NULL: on-link */
};
/* rt6_for_each - every route ip6_route_input can match, as "ip -6 route
 * show table all" lists them, local table first (trace_start's "fib"). */
void rt6_for_each(struct net *net, void (*fn)(void *ctx, const struct rt6_route *r), void *ctx);

/* -- ip6_output.c -- */
/* ip6_local_out - a locally built packet (data at the IPv6 header,
 * payload_len filled), routed already in IP6CB(skb)->dst. Owns skb. */
int ip6_local_out(struct net *net, struct sk_buff *skb);
/* ip6_local_out_uncounted - ip6_local_out without Ip6.OutRequests, for a
 * packet no sender counted (nf_send_reset6 calls ip6_local_out itself). */
int ip6_local_out_uncounted(struct net *net, struct sk_buff *skb);
/* ip6_forward - forwarding a packet not for us (or drop). Owns skb. */
int ip6_forward(struct net *net, struct sk_buff *skb);
/* ip6_build - a new skb with an IPv6 header from saddr to daddr, next
 * header proto, hop limit hlim and room for plen payload bytes (returned
 * in *payload). NULL when out of memory. */
struct sk_buff *ip6_build(struct net *net, const struct in6 *saddr, const struct in6 *daddr,
			  uint8_t proto, uint8_t hlim, uint32_t plen, uint8_t **payload);
/* csum_ipv6_magic - the pseudo-header sum (RFC 8200 8.1) plus len bytes
 * at buf, folded: 0 when buf's checksum is right. */
uint16_t csum_ipv6_magic(const struct in6 *saddr, const struct in6 *daddr, uint32_t len,
			 uint8_t proto, const void *buf);

/* ping_v6_rcv - an ICMPv6 echo reply (skb at its header) to the IPv6 ping
 * socket bound to its identifier (ping.c): NOT_DROPPED_YET, or NO_SOCKET. */
enum skb_drop_reason ping_v6_rcv(struct net *net, struct sk_buff *skb);

/* -- icmp6.c -- */
int icmpv6_rcv(struct net *net, struct sk_buff *skb);
/* icmpv6_ratelimit_ms - net.ipv6.icmp.ratelimit: the scenario's, else the
 * kernel's default (100 ms in 6.18; 1000 before, and in the 2.4/2.6 models). */
int icmpv6_ratelimit_ms(struct net *net);
/* icmp6_send - an ICMPv6 error about skb (data anywhere) under RFC 4443
 * 2.4(e)'s rules and Linux's rate limits. skb is not consumed. */
void icmpv6_send(struct net *net, struct sk_buff *skb, uint8_t type, uint8_t code, uint32_t info);
/* icmpv6_is_ineligible - skb is an ICMPv6 error (or a fragment too short
 * to tell): no error may be sent about it (RFC 4443 2.4(e.1)). */
int icmpv6_is_ineligible(const struct sk_buff *skb);
/* icmpv6_param_prob_reason - parameter problem pointing at pos, then
 * frees skb with reason. */
void icmpv6_param_prob_reason(struct net *net, struct sk_buff *skb, uint8_t code, uint32_t pos,
			      enum skb_drop_reason reason);
/* icmpv6_push - sends a built ICMPv6 message (data at its IPv6 header,
 * checksum filled here) out of the route in dst. Counts Icmp6.Out*: before
 * the hooks (and Ip6.OutDiscards if netfilter refuses it), or for a
 * neighbour discovery message (ndisc) only once it got through. */
void icmpv6_push(struct net *net, struct sk_buff *skb, const struct rt6_dst *dst, int ndisc);

/* inet_peer_xrlim_allow_v6 - the per-address token bucket (6 tokens, one
 * per tmo ns) ICMPv6 errors and redirects share, as Linux's inet_peer. */
int inet_peer_xrlim_allow_v6(struct net *net, const struct in6 *addr, uint64_t tmo);

/* -- net/ipv4/icmp.c's global limiter, shared with ICMPv6 -- */
/* icmp_global_allow_shared - 1 when icmp_msgs_per_sec has credit left. */
int icmp_global_allow_shared(struct net *net);
/* icmp_global_consume - one credit used by a message that was sent. */
void icmp_global_consume(struct net *net);

/* -- ndisc.c -- */
/* ndisc_rcv - a router/neighbour message (data at its ICMPv6 header).
 * Owns skb: NET_RX_SUCCESS consumed, NET_RX_DROP freed with a reason. */
int ndisc_rcv(struct net *net, struct sk_buff *skb);
/* ndisc_drop / ndisc_consumed - a neighbour-discovery message's end: dropped
 * after the step that says why, or consumed (ndisc.c, ndisc_router.c). */
int ndisc_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r, const char *fn, const char *why);
int ndisc_consumed(struct net *net, struct sk_buff *skb, const char *what);
/* ndisc_neigh_output - frames skb (data at the IPv6 header) for nexthop
 * on dev: multicast mapped to 33:33:…, resolved neighbours directly, else
 * held and a solicitation sent. Owns skb. */
int ndisc_neigh_output(struct net *net, struct sk_buff *skb, struct net_device *dev, const struct in6 *nexthop);
/* ndisc_add_static - a PERMANENT entry (scenario neighbours); 0 or -1. */
int ndisc_add_static(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN]);
/* ndisc_send_redirect - a router forwarding skb (data at its IPv6 header)
 * back out of the link it came in on tells the sender the better first hop
 * target (RFC 4861 8.2). skb is not consumed. */
void ndisc_send_redirect(struct net *net, const struct sk_buff *skb, const struct in6 *target);
/* ndisc_learn - ip is at mac (STALE), unless already known: replay
 * --auto-host learns its peers from their frames, as ARP's entries; a
 * known one at that mac is confirmed (the NUD timers keep it REACHABLE). */
void ndisc_learn(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN]);
/* ndisc_learn_sent - the same from a frame the recorded host sent to ip:
 * its own neighbour table, so a different mac overrides the entry (a
 * permanent one excepted). */
void ndisc_learn_sent(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN]);
/* ndisc_lookup - the resolved MAC of ip on dev, or NULL. */
const uint8_t *ndisc_lookup(struct net *net, const struct net_device *dev, const struct in6 *ip);
void ndisc_exit(struct net *net);
/* ndisc_router_neigh - a router advertised from ip (at lladdr when its
 * option gave one): its entry STALE, a router (neigh_update's flags). */
void ndisc_router_neigh(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t *lladdr);
/* ndisc_router_rcv - RS, RA, redirect (ndisc_router.c); owns skb. */
int ndisc_router_rcv(struct net *net, struct sk_buff *skb, int type);
/* ndisc_run_timers - fires the neighbour timers due at net->now_ns
 * (neigh_timer_handler): solicitations again, FAILED, ageing. The replay
 * calls it whenever packet time advances (cheap when nothing is due). */
void ndisc_run_timers(struct net *net);
/* ndisc_next_timer - the earliest armed neighbour timer, 0 when none. */
uint64_t ndisc_next_timer(const struct net *net);
/* ndisc_for_each - each entry as a formatted line (CLI, panels). */
void ndisc_for_each(struct net *net, void (*fn)(void *ctx, const char *line), void *ctx);

/* -- udp_ipv6.c, tcp_ipv6.c -- */
int udpv6_rcv(struct net *net, struct sk_buff *skb);
/* udpv6_err - an ICMPv6 error quoting a datagram we sent (q its IPv6
 * header, uhp its UDP header): the socket's soft error, or, with no
 * socket, Icmp6.InErrors (__udp6_lib_err). skb is not consumed. */
void udpv6_err(struct net *net, struct sk_buff *skb, const struct ipv6hdr *q, const uint8_t *uhp, int type, int code,
	       uint32_t info);
int tcp_v6_rcv(struct net *net, struct sk_buff *skb);
/* tcp_v6_err - an ICMPv6 error (type, code) quoting q, a segment we sent
 * whose TCP header is th (its first 8 bytes present): the socket is told,
 * as tcp_v6_err does; a Packet Too Big's MTU (info) goes to path MTU
 * discovery (tcp_v6_mtu_reduced). skb is not consumed. */
void tcp_v6_err(struct net *net, struct sk_buff *skb, const struct ipv6hdr *q, const uint8_t *th, int type,
		int code, uint32_t info);

#endif
