/*
 * netns.h - struct net: one simulated host (a network namespace in Linux's
 * terms, include/net/net_namespace.h): its devices and addresses, sysctls,
 * SNMP counters, the per-CPU backlog (one CPU), the clock and the tracer.
 * Subsystems keep their state behind the pointers below and are set up by
 * net_create() and torn down by net_destroy().
 */
#ifndef NJ_STACK_NETNS_H
#define NJ_STACK_NETNS_H

#include <stdint.h>
#include <string.h>

#include "skbuff.h"
#include "snmp.h"
#include "trace.h"

#define NJ_MAX_DEVS	8
#define NJ_MAX_ADDRS	8
#define IFNAMSIZ	16

/* Which kernel's behaviour to model where it differs (scenario "kernel"). */
enum nj_kernel { KERNEL_6X = 0, KERNEL_2_6, KERNEL_2_4 };

struct in_ifaddr {
	uint32_t ifa_local;		/* network byte order */
	uint8_t ifa_prefixlen;
};

/* dev->type: ARPHRD_ETHER, or a device whose IP packets have no link-layer
 * header and which resolves no neighbours: ARPHRD_NONE for a tun (a VPN's
 * tun0, WireGuard's wg0), ARPHRD_PPP for ppp0 (the PPP framing is the
 * driver's own, below the stack). */
#define NJ_ARPHRD_ETHER	1
#define NJ_ARPHRD_PPP	512
#define NJ_ARPHRD_LOOPBACK 772		/* lo, as a cooked capture names it */
#define NJ_ARPHRD_NONE	0xFFFE

struct net_device {
	struct net *nd_net;		/* its host (dev_net) */
	int ifindex;			/* 1-based */
	char name[IFNAMSIZ];
	uint16_t type;			/* NJ_ARPHRD_ETHER, _PPP or _NONE */
	uint8_t dev_addr[ETH_ALEN];
	uint8_t broadcast[ETH_ALEN];
	uint32_t mtu;
	int up;
	int promisc;			/* accept OTHERHOST frames into the stack */
	int forwarding;			/* net.ipv4.conf.<dev>.forwarding */
	int rp_filter;			/* net.ipv4.conf.<dev>.rp_filter */
	struct in_ifaddr addrs[NJ_MAX_ADDRS];
	int naddrs;
	uint16_t vlans[8];		/* VLAN ids with a VLAN device on top */
	int nvlans;
	uint32_t mc_groups[16];		/* multicast groups joined (ip_mc_join_group), network order */
	int nmc;
	uint64_t rx_packets, rx_dropped, rx_otherhost_dropped, rx_nohandler;
	uint64_t tx_packets;
};

struct softnet_data {
	struct sk_buff_head input_pkt_queue;
	uint64_t processed, dropped, time_squeeze;
};

struct nj_sysctl {
	int netdev_max_backlog;		/* net.core.netdev_max_backlog, 1000 */
	int netdev_budget;		/* net.core.netdev_budget, 300 */
	int dev_weight;			/* net.core.dev_weight, 64 */
	int ip_forward;			/* net.ipv4.ip_forward */
	int rp_filter;			/* net.ipv4.conf.all.rp_filter */
	int verify_checksums;		/* 0: trust checksums (offloaded capture) */
	int csum_partial_trusted;	/* 1: a pseudo-header-only sum is CHECKSUM_PARTIAL (replay --csum: 0) */
	uint64_t ipfrag_high_thresh;	/* 4 MiB */
	uint64_t ipfrag_low_thresh;	/* 3 MiB */
	uint64_t ipfrag_time_ns;	/* 30 s */
	int ipfrag_max_dist;		/* 64 */
	int tcp_sack;			/* net.ipv4.tcp_sack, 1 */
	int tcp_timestamps;		/* net.ipv4.tcp_timestamps, 1 */
	int tcp_window_scaling;		/* net.ipv4.tcp_window_scaling, 1 */
	int tcp_dsack;			/* net.ipv4.tcp_dsack, 1 */
	int tcp_syncookies;		/* net.ipv4.tcp_syncookies, 1: cookies when the SYN queue is full */
	int tcp_ecn;			/* net.ipv4.tcp_ecn, 2: ECN when the peer asks for it */
	uint32_t tcp_rmem[3];		/* net.ipv4.tcp_rmem: 4096 131072 6291456 */
	uint32_t rmem_max;		/* net.core.rmem_max, 212992 (global in Linux) */
};

/* Called for every frame the host transmits (dev_queue_xmit). */
typedef void (*nj_xmit_fn)(void *ctx, const struct sk_buff *skb, const struct net_device *dev);

struct net {
	enum nj_kernel kernel;
	struct net_device devs[NJ_MAX_DEVS];
	int ndevs;
	uint64_t dev_gen;		/* bumped when a device or address is added (fib.c) */
	struct nj_sysctl sysctl;
	uint64_t mib[MIB_MAX];
	uint64_t now_ns;		/* packet time in replay, wall clock live */
	struct softnet_data sd;
	struct tracer tr;
	uint64_t next_skb_id;
	enum skb_drop_reason last_drop;	/* reason of the latest kfree_skb_reason */
	int64_t cur_pkt;		/* capture packet being handled, -1 none */
	struct skb_cache *skb_cache;	/* skbuff.c: slabs and free lists */
	uint64_t skbs_live;		/* allocated and not yet freed */
	uint32_t icmp_wmem_alloc;	/* truesize of live skbs of the ICMP socket (icmp.c) */
	uint32_t icmp6_wmem_alloc;	/* ... of the ICMPv6 socket (icmp6.c) */
	nj_xmit_fn xmit;
	void *xmit_ctx;

	/* Subsystem state, owned by the named file. */
	struct ipq_table *ipfrags;	/* ip_fragment.c */
	struct fib_table *fib;		/* fib.c */
	struct nf_hooks *nf;		/* netfilter.c */
	struct packet_sock *packet_socks; /* af_packet.c (ptype_all taps) */
	struct sock_table *socks;	/* tcp_ipv4.c / udp.c */
	struct neigh_table *arp_tbl;	/* neighbour.c */
	struct ipv6_state *ipv6;	/* ipv6.h: addrconf.c and the IPv6 files */
};

/**
 * net_create - a host with no devices and Linux's default sysctls.
 * Returns NULL when out of memory. Free with net_destroy().
 */
struct net *net_create(void);

/* net_purge - releases every skb the host holds (fragment queues, sockets
 * and their queues, packet sockets, packets waiting for ARP, the backlog):
 * afterwards skbs_live is 0 unless something leaked. The host stays usable
 * (an empty state); net_destroy purges too. */
void net_purge(struct net *net);
/* net_destroy - frees every queue and subsystem; any skb still held by the
 * stack is released. net is invalid afterwards. */
void net_destroy(struct net *net);

/**
 * net_add_dev - adds an up Ethernet device.
 * Returns it, or NULL when NJ_MAX_DEVS are in use.
 */
struct net_device *net_add_dev(struct net *net, const char *name, const uint8_t mac[ETH_ALEN], uint32_t mtu);
/* net_add_noarp_dev - adds an up device of type NJ_ARPHRD_NONE (tun) or
 * NJ_ARPHRD_PPP: no MAC, no link-local address (Linux draws a random one
 * for a tun, and PPP's IPV6CP negotiates one). */
struct net_device *net_add_noarp_dev(struct net *net, const char *name, uint16_t type, uint32_t mtu);
/* dev_has_header - dev_has_header(): frames on dev carry a link-layer
 * header (Ethernet); a tun's or ppp's do not, and it resolves no neighbours. */
static inline int dev_has_header(const struct net_device *dev) { return dev->type == NJ_ARPHRD_ETHER; }
/* dev_is_loopback - lo (lo0 on a BSD capture), IFF_LOOPBACK: what it
 * receives still holds the sender's dst, and ::1 and 127/8 are no martians
 * there. A scenario names it; it has no type of its own. */
static inline int dev_is_loopback(const struct net_device *dev)
{
	return dev && dev->name[0] == 'l' && (!strcmp(dev->name, "lo") || !strcmp(dev->name, "lo0"));
}

/* dev_loopback - the scenario's loopback device, or NULL. */
static inline struct net_device *dev_loopback(struct net *net)
{
	for (int i = 0; i < net->ndevs; i++)
		if (dev_is_loopback(&net->devs[i]))
			return &net->devs[i];
	return NULL;
}
/* csum_partial_trusted - whether a checksum holding only the pseudo-header
 * sum may be a CHECKSUM_PARTIAL skb's (a local sender on veth): not on a
 * tun or ppp, whose packets (no vnet header) come up CHECKSUM_NONE and are
 * verified, so such a sum is a checksum error there. */
static inline int csum_partial_trusted(const struct net *net, const struct sk_buff *skb)
{
	return net->sysctl.csum_partial_trusted && (!skb->dev || dev_has_header(skb->dev));
}

/* dev_add_addr - adds addr/prefixlen (network order); -1 if the table is full. */
int dev_add_addr(struct net_device *dev, uint32_t addr, int prefixlen);

struct net_device *dev_get_by_index(struct net *net, int ifindex);
struct net_device *dev_get_by_name(struct net *net, const char *name);

/* inet_addr_type_local - whether addr (network order) is one of the host's
 * addresses, and on which device (NULL otherwise). */
struct net_device *ip_dev_find(struct net *net, uint32_t addr);

static inline int trace_on(const struct net *net) { return trace_unlikely(net->tr.on); }

/* SNMP_INC / SNMP_ADD - bump a counter; also noted on the current trace frame. */
static inline void SNMP_ADD(struct net *net, enum nj_mib m, uint32_t n)
{
	net->mib[m] += n;
	if (trace_unlikely(net->tr.on))
		__trace_mib(net, m, n);
}
static inline void SNMP_INC(struct net *net, enum nj_mib m) { SNMP_ADD(net, m, 1); }

/* net_set_time - advances the clock (never backwards). */
void net_set_time(struct net *net, uint64_t now_ns);

/* trace_exit_no_outcome - trace_outcome(fn, 'E', v) == V_NONE, inline:
 * pass, a reply's "sent", netif_rx's "queued". */
static inline int trace_exit_no_outcome(const char *fn, enum nj_verdict v)
{
	return v == V_PASS || v == V_NONE || (v == V_QUEUED && trace_fn_is(fn, "netif_rx")) ||
	       (v == V_SENT && !trace_fn_is(fn, "driver_rx"));
}

/*
 * The lite mode's common steps, inline (trace.h's macros call them). A
 * frame's entry and exit change the outcome table only by opening an
 * entry for its packet (or timer work) when there is none, and by an
 * exit's verdict (outcome_key, track). Below depth 0, a frame of the same
 * packet as its parent finds the parent's entry there, and an exit with
 * no outcome finds its own, both opened when those frames began - unless
 * the table was flushed since the depth-0 frame began (lite_flushed: a
 * full table). Everything else goes to trace_outcome.c.
 */
static inline void trace_lite_enter(struct net *net, const struct sk_buff *skb, const char *fn, const char *layer)
{
	struct tracer *tr = &net->tr;
	int d = tr->depth;
	int64_t pkt = skb ? skb->pkt : net->cur_pkt;
	/* 0 < d < TRACE_MAX_DEPTH in one test; lite_flushed is also 1
	 * whenever the lite mode is off (trace.h) */
	if ((unsigned)d - 1 >= TRACE_MAX_DEPTH - 1 || tr->lite_flushed || pkt != tr->lite_pk[d - 1]) {
		__trace_lite_enter(net, skb, fn, layer);
		return;
	}
	tr->lite_fn[d] = fn;
	tr->lite_pk[d] = pkt;
	tr->next_seq++;
	tr->depth = d + 1;
}

static inline void trace_lite_exit(struct net *net, enum nj_verdict v, enum skb_drop_reason reason)
{
	struct tracer *tr = &net->tr;
	int d = tr->depth - 1;
	/* an exit whose verdict is no outcome (trace_outcome: a reply's
	 * "sent", netif_rx's "queued"); at depth 0 only a packet's (a timer
	 * root's exit sets its outcome, the softirq's ends the timer work).
	 * netif_rx's "queued", once a packet: its name compared once per
	 * pointer. */
	if ((unsigned)d < TRACE_MAX_DEPTH && !tr->lite_flushed && (d > 0 || tr->lite_pk[0] >= 0) &&
	    ((v == V_QUEUED && tr->lite_fn[d] == tr->lite_rx_fn) || trace_exit_no_outcome(tr->lite_fn[d], v))) {
		if (v == V_QUEUED)
			tr->lite_rx_fn = tr->lite_fn[d];	/* it was "netif_rx" */
		tr->depth = d;
		tr->next_seq++;
		return;
	}
	__trace_lite_exit(net, v, reason);
}

#endif
