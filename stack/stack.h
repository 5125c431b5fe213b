/*
 * stack.h - the entry points the outside (replay, live, tests) uses to drive
 * the stack, and the handlers one kernel file calls in another. Each is
 * named after, and behaves like, the kernel function of the same name.
 */
#ifndef NJ_STACK_STACK_H
#define NJ_STACK_STACK_H

#include "ip.h"
#include "netns.h"

#define NET_RX_SUCCESS	0
#define NET_RX_DROP	1

/* -- net/core/dev.c -- */

/**
 * netif_rx - queues a received skb on the backlog (enqueue_to_backlog).
 * Takes ownership of skb in every case. Returns NET_RX_SUCCESS, or
 * NET_RX_DROP when the device is down or the backlog holds more than
 * netdev_max_backlog packets (reason CPU_BACKLOG).
 */
int netif_rx(struct net *net, struct sk_buff *skb);

/**
 * net_rx_action - the NET_RX softirq: polls the backlog (process_backlog,
 * dev_weight per poll, netdev_budget per round) until it is empty.
 * Returns the number of packets processed.
 */
int net_rx_action(struct net *net);

/* __netif_receive_skb - taps, VLAN, then the protocol handler. Owns skb. */
int __netif_receive_skb(struct net *net, struct sk_buff *skb);
/* netif_receive_skb - __netif_receive_skb at once, from a driver that does
 * not queue (tun). Owns skb. */
int netif_receive_skb(struct net *net, struct sk_buff *skb);

/* -- drivers/net/tun.c -- */
/* tun_get_user - a packet written to the tun device dev (data at its IP
 * header): received at once, or refused when it is not IPv4 or IPv6. Owns
 * skb. Returns -EINVAL when refused, else netif_receive_skb's result. */
int tun_get_user(struct net *net, struct sk_buff *skb, struct net_device *dev);

/**
 * dev_queue_xmit - hands a frame (data at the Ethernet header) to the
 * device: the net's xmit callback sees it, then it is freed.
 * Returns 0. Takes ownership.
 */
int dev_queue_xmit(struct net *net, struct sk_buff *skb);

/* -- net/ethernet/eth.c -- */

/**
 * eth_type_trans - classifies pkt_type from the destination MAC, pulls the
 * Ethernet header and returns the protocol (host order). The caller must
 * have checked that ETH_HLEN bytes are present.
 */
uint16_t eth_type_trans(struct net *net, struct sk_buff *skb, struct net_device *dev);

/* skb_vlan_untag - strips an in-band 802.1Q/802.1ad tag into vlan_tci.
 * Returns 0, or -1 (skb untouched) when the tag is truncated. */
int skb_vlan_untag(struct net *net, struct sk_buff *skb);

/* -- net/ipv4/ip_input.c -- */
int ip_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev);
int ip_rcv_finish(struct net *net, struct sk_buff *skb);
int ip_local_deliver(struct net *net, struct sk_buff *skb);
int ip_local_deliver_finish(struct net *net, struct sk_buff *skb);

/* -- net/ipv4/route.c -- */

/* Route types (include/uapi/linux/rtnetlink.h). */
enum rtn_type { RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST,
		RTN_MULTICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };

/* What ip_route_input decided, kept in skb->cb by the IP layer. */
struct nj_dst {
	uint8_t type;			/* enum rtn_type */
	uint8_t input;			/* enum nj_dst_input */
	int16_t error;			/* positive errno for ip_error */
	int oif;			/* output ifindex for forwarding */
	uint32_t gateway;		/* next hop, network order, 0 = on-link */
};
enum nj_dst_input { DST_NONE, DST_LOCAL_DELIVER, DST_FORWARD, DST_ERROR };

/**
 * ip_route_input_noref - routes an incoming packet (the slow path: no route
 * cache, as since Linux 3.6). Fills *dst. Returns SKB_DROP_REASON_NOT_DROPPED_YET
 * on success, or the drop reason (martians, rp_filter).
 */
enum skb_drop_reason ip_route_input_noref(struct net *net, struct sk_buff *skb, uint32_t daddr,
					  uint32_t saddr, uint8_t tos, struct net_device *dev,
					  struct nj_dst *dst);
/* ip_error - the dst input for unroutable packets: counts and drops. */
int ip_error(struct net *net, struct sk_buff *skb);

/* -- transport entry points (net/ipv4/{icmp,udp,tcp_ipv4}.c) -- */
int icmp_rcv(struct net *net, struct sk_buff *skb);
/* ping_rcv - an echo reply to its ping socket (ping.c): NOT_DROPPED_YET when
 * a socket took it, else NO_SOCKET. */
enum skb_drop_reason ping_rcv(struct net *net, struct sk_buff *skb);
/* ping_err - an ICMP error quoting an echo request (q its IP header) to the
 * ping socket that sent it; info: a frag-needed's MTU. */
void ping_err(struct net *net, struct sk_buff *skb, const struct iphdr *q, int type, int code, uint32_t info);
int udp_rcv(struct net *net, struct sk_buff *skb);
int tcp_v4_rcv(struct net *net, struct sk_buff *skb);

/* -- net/ipv4/icmp.c -- */
#define ICMP_NET_UNREACH	0
#define ICMP_HOST_UNREACH	1
#define ICMP_PROT_UNREACH	2
#define ICMP_PORT_UNREACH	3
#define ICMP_FRAG_NEEDED	4
#define ICMP_PKT_FILTERED	13
#define ICMP_EXC_TTL		0
#define ICMP_EXC_FRAGTIME	1

/**
 * icmp_send - sends an ICMP error about skb_in (data anywhere; the IP header
 * is found through the network header) under Linux's rules: never about an
 * ICMP error, a non-first fragment, or a broadcast/multicast; rate limited.
 * skb_in is not consumed.
 */
void icmp_send(struct net *net, struct sk_buff *skb_in, int type, int code, uint32_t info);

/* -- net/ipv4/ip_forward.c -- */
int ip_forward(struct net *net, struct sk_buff *skb);

/* -- net/ipv4/arp.c -- */
int arp_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev);
/**
 * arp_solicit - neigh_probe's request: asks who has nexthop on dev (an
 * ARP broadcast), from skb's source address if it is ours (arp_announce
 * 0). skb is the packet waiting for the answer (NULL: none); it is not consumed.
 * Returns 0, or -1 if no request could be built.
 */
int arp_solicit(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb);

/* -- net/core/neighbour.c -- */
enum nud_state { NUD_NONE = 0, NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_PERMANENT,
		 NUD_DELAY, NUD_PROBE, NUD_FAILED };

/* neigh_nud_name - "REACHABLE", … as ip neigh shows a state. */
const char *neigh_nud_name(int state);

/*
 * The NUD state machine of net/core/neighbour.c, family-neutral (the
 * IPv6 table, ndisc.c, runs on it; ARP's table does not yet: it has no
 * timers). Times in ns; a timer of 0 is not armed.
 */
struct neigh_nud {
	uint8_t state;			/* enum nud_state */
	uint8_t probes;			/* solicitations sent in this round */
	uint8_t router;			/* NTF_ROUTER: it said it is a router */
	uint64_t timer_ns, confirmed_ns, used_ns, updated_ns;
};

#define NEIGH_RETRANS_TIME_NS	1000000000ULL	/* retrans_time: 1 s */
#define NEIGH_REACHABLE_TIME_NS	30000000000ULL	/* base_reachable_time (Linux draws 15-45 s) */
#define NEIGH_DELAY_PROBE_NS	5000000000ULL	/* delay_first_probe_time */
#define NEIGH_UCAST_PROBES	3
#define NEIGH_MCAST_PROBES	3		/* mcast_solicit */

/* neigh_nud_valid - NUD_VALID: the link-layer address may be used. */
int neigh_nud_valid(int state);

/* __neigh_event_send's state change for an entry about to be used: NONE
 * or FAILED starts resolution (INCOMPLETE, probes at ucast_probes, the
 * timer at retrans_time: returns 1, probe now); STALE becomes DELAY. */
int neigh_nud_event_send(struct neigh_nud *n, uint64_t now);

enum neigh_timer_act { NEIGH_TIMER_NONE, NEIGH_TIMER_PROBE, NEIGH_TIMER_FAILED };
/* neigh_timer_handler's state change when n's timer fired at now:
 * REACHABLE → DELAY/STALE, DELAY → REACHABLE/PROBE; then an INCOMPLETE or
 * PROBE entry fails once its probes are spent, else is probed again (the
 * caller sends; probes counts it). The timer is re-armed as Linux does. */
enum neigh_timer_act neigh_nud_timer(struct neigh_nud *n, uint64_t now);

#define NEIGH_UPDATE_F_OVERRIDE		1
#define NEIGH_UPDATE_F_WEAK_OVERRIDE	2
#define NEIGH_UPDATE_F_OVERRIDE_ISROUTER 4
#define NEIGH_UPDATE_F_ISROUTER		8
#define NEIGH_UPDATE_LLADDR		1	/* neigh_nud_update: take lladdr */
#define NEIGH_UPDATE_VALID		2	/* … the entry just became valid: flush */
/* __neigh_update's decision: ha is the entry's address, lladdr the new one
 * (NULL: none given). Returns -1 when the update is ignored (*why says
 * why), else NEIGH_UPDATE_* bits; n's state, timer and router flag move. */
int neigh_nud_update(struct neigh_nud *n, const uint8_t *ha, const uint8_t *lladdr, int new_state, int flags,
		     uint64_t now, const char **why);

/* neigh_add_static - a PERMANENT entry (scenario "neighbours"); -1 if full. */
int neigh_add_static(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN]);
/* neigh_update - learns or refreshes ip → mac (from ARP); never downgrades
 * a PERMANENT entry. The table is bounded as Linux's (gc_thresh2 512,
 * gc_thresh3 1024 learned entries, neigh_forced_gc): a new entry that
 * would overflow it is not made. An entry that becomes valid sends the
 * packets held in its arp_queue. */
void neigh_update(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN],
		  enum nud_state state);
/* neigh_lookup - the MAC for ip on dev, or NULL if unresolved. */
const uint8_t *neigh_lookup(struct net *net, const struct net_device *dev, uint32_t ip);
/* __neigh_lookup - 1 if the table has an entry for ip on dev, resolved or
 * not (INCOMPLETE): ARP updates only such entries (arp_accept 0). */
int __neigh_lookup(struct net *net, const struct net_device *dev, uint32_t ip);
/* __neigh_update - neigh_update without its last step; returns 1 when the
 * entry just became valid (then neigh_flush sends what it held). */
int __neigh_update(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN],
		   enum nud_state state);
/* neigh_flush - sends the packets held in a valid entry's arp_queue. */
void neigh_flush(struct net *net, struct net_device *dev, uint32_t ip);
/* neigh_trace_entry - the entry for ip and the table size as the next
 * trace event's args (the state panels' view of the table). */
void neigh_trace_entry(struct net *net, const struct net_device *dev, uint32_t ip);
/* neigh_table_exit - frees the table and the packets still held. */
void neigh_table_exit(struct net *net);
/* neigh_run_timers - fires the ARP and ND neighbour timers due at
 * net->now_ns: solicitations, FAILED (and IPv6's ageing). */
void neigh_run_timers(struct net *net);
/* neigh_next_timer - the earliest armed neighbour timer of either family,
 * 0 when none. */
uint64_t neigh_next_timer(const struct net *net);
/**
 * neigh_output - frames an IP packet (data at the IP header) for nexthop on
 * dev: resolved → Ethernet header pushed and dev_queue_xmit; unresolved →
 * neigh_resolve_output: held in the entry's arp_queue (unres_qlen_bytes)
 * and an ARP request. Owns skb. Returns 0 or NET_RX_DROP.
 */
int neigh_output(struct net *net, struct sk_buff *skb, struct net_device *dev, uint32_t nexthop);
/* neigh_direct_output - the output of a device without a link-layer header
 * (tun): skb leaves as it is, no neighbour resolved; nexthop is for the
 * trace. Closes neigh_output's trace_enter. Returns 0. */
int neigh_direct_output(struct net *net, struct sk_buff *skb, struct net_device *dev, const char *nexthop);
/* neigh_dump - calls fn for each entry (state panels, CLI "info neigh"). */
void neigh_for_each(struct net *net, void (*fn)(void *ctx, const struct net_device *dev, uint32_t ip,
						const uint8_t *mac, enum nud_state st), void *ctx);

/* -- net/ipv4/ip_output.c -- */
/**
 * ip_local_out - sends a locally built datagram (data at a complete IP
 * header, checksum not yet filled): routes it (ip_route_output), fills
 * the checksum, NF_INET_LOCAL_OUT, then ip_output. Owns skb.
 * Returns 0 or NET_RX_DROP.
 */
int ip_local_out(struct net *net, struct sk_buff *skb);
/* ip_output - POST_ROUTING, then ip_finish_output (fragment if needed),
 * then the neighbour layer. IPCB(skb)->dst says where. Owns skb. */
int ip_output(struct net *net, struct sk_buff *skb);

/**
 * ip_route_output - the output route for daddr (from saddr, 0 = choose):
 * fills dst->oif, dst->gateway, dst->type. Returns 0, or -ENETUNREACH.
 */
int ip_route_output(struct net *net, uint32_t daddr, uint32_t saddr, struct nj_dst *dst);
/* ipv4_link_failure - dst_link_failure for a packet whose next hop never
 * answered: its sender hears ICMP host unreachable (ipv4_send_dest_unreach). */
void ipv4_link_failure(struct net *net, struct sk_buff *skb);
/* inet_select_addr - the source address to use on dev towards daddr. */
uint32_t inet_select_addr(const struct net_device *dev, uint32_t daddr);

/* Path MTU discovery (route.c's nexthop exceptions, RFC 1191). */
/* ip_dst_mtu - the MTU towards daddr out of dev (ipv4_mtu): the learned
 * path MTU while it lasts, else dev's. */
uint32_t ip_dst_mtu(struct net *net, uint32_t daddr, const struct net_device *dev);
/* ip_dont_fragment - DF on what a PMTU-discovering socket sends to daddr:
 * unless that path's MTU is locked (it was claimed below min_pmtu). */
int ip_dont_fragment(struct net *net, uint32_t daddr);
/* ipv4_update_pmtu - an ICMP frag-needed said the path to daddr takes at
 * most mtu bytes: route to daddr, lower its path MTU (__ip_rt_update_pmtu,
 * traced as a step). Returns the MTU towards daddr after it, 0 with no route. */
uint32_t ipv4_update_pmtu(struct net *net, const struct sk_buff *skb, uint32_t daddr, uint32_t mtu);

/* IP control block (IPCB) stored in skb->cb. */
struct inet_skb_parm {
	int iif;
	struct nj_dst dst;
	uint16_t frag_max_size;
	uint8_t flags;
	uint8_t opt_flags;		/* IPOPT_F_*: what ip_options_compile found */
};

/* -- ip_options.c: IPv4 header options (struct ip_options' flags; the
 * options themselves are found in the header again when needed) -- */
#define IPOPT_F_COMPILED	0x01	/* checked by ip_options_compile */
#define IPOPT_F_RR		0x02	/* record route present */
#define IPOPT_F_RR_NEEDADDR	0x04	/* … with room: an address to add on the way out */
#define IPOPT_F_TS		0x08	/* timestamp present */
#define IPOPT_F_TS_NEEDTIME	0x10
#define IPOPT_F_TS_NEEDADDR	0x20
#define IPOPT_F_SRR		0x40	/* loose or strict source route */
#define IPOPT_F_RA		0x80	/* router alert */
/* inet_current_timestamp - ms since midnight UT at the replay's clock,
 * network order (the ICMP and IP timestamp options' unit). */
uint32_t inet_current_timestamp(const struct net *net);
/* ip_options_compile - checks skb's IP options (receive form: records our
 * address and the time in place) and sets IPCB(skb)->opt_flags. Returns 0,
 * or -1 with *pp the offset in the header of the bad byte. */
int ip_options_compile(struct net *net, struct sk_buff *skb, int *pp);
/* ip_rcv_options - ip_rcv_finish's step for a header with options:
 * compiled, a bad one answered with a parameter problem (InHdrErrors), a
 * source route refused. Returns the drop reason or NOT_DROPPED_YET. */
enum skb_drop_reason ip_rcv_options(struct net *net, struct sk_buff *skb);
/* ip_forward_options - a forwarded header's record route slot takes the
 * output device's address; the checksum is redone. */
void ip_forward_options(struct net *net, struct sk_buff *skb);
/* ip_options_fragment - after the first fragment: the options without the
 * copied bit (record route, timestamp) become NOPs for the rest. */
void ip_options_fragment(struct iphdr *iph);
/* The options an outgoing IPv4 header carries (struct ip_options_rcu). */
struct ip_txopts {
	uint8_t data[40];
	int len;			/* a multiple of 4 */
	uint8_t flags;			/* IPOPT_F_*, for ip_options_build */
};
/* ip_options_echo - the options a reply to skb carries (__ip_options_echo:
 * record route and timestamp, room kept for ours), padded to 4. Returns
 * o->len, or -1 when they cannot be echoed (o->len 0). */
int ip_options_echo(const struct sk_buff *skb, struct ip_txopts *o);
/* ip_options_build - the options of o into the header iph (its ihl and
 * room already set), with the kept room filled: our address, the time. */
void ip_options_build(const struct net *net, struct iphdr *iph, const struct ip_txopts *o);
#define IPCB(skb) ((struct inet_skb_parm *)((skb)->cb))

/**
 * skb_drop - the common exit of a traced function that drops: frees skb
 * with reason (a kfree_skb step event), closes the frame with the drop
 * verdict, and returns NET_RX_DROP. skb is invalid afterwards.
 */
static inline int skb_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r)
{
	kfree_skb_reason(net, skb, r);
	trace_exit(net, NULL, V_DROP, r, "%s", "");
	return NET_RX_DROP;
}

/* Closes a caller's frame after a callee returned: a drop is reported with
 * the reason the callee freed the skb for. */
static inline int trace_ret(struct net *net, int ret)
{
	if (ret == NET_RX_DROP)
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	else
		trace_exit(net, NULL, V_PASS, 0, "%s", "");
	return ret;
}

/* -- net/packet/af_packet.c -- */

/* packet_taps_deliver - gives each ptype_all packet socket its copy (a
 * clone in Linux) before protocol dispatch. skb is not consumed. */
void packet_taps_deliver(struct net *net, struct sk_buff *skb);


/* -- routing, forwarding, ICMP errors (issue 4: route.c, ip_forward.c,
 *    ip_output.c, icmp.c) -- */

/* IPCB(skb)->flags (include/net/ip.h). */
#ifndef IPSKB_FORWARDED
#define IPSKB_FORWARDED		0x01
#endif
#ifndef IPSKB_REROUTED
#define IPSKB_REROUTED		0x10
#endif
#define ICMP_SR_FAILED		5
#define ICMP_NET_ANO		9
#define ICMP_HOST_ANO		10

/* inet_forward_change - net.ipv4.ip_forward = on: like Linux, writing the
 * global switch sets every device's conf.<dev>.forwarding, which is what
 * routing consults (a device may be turned off again afterwards). */
void inet_forward_change(struct net *net, int on);

/**
 * udp_err / tcp_v4_err - an ICMP error arrived quoting a datagram/segment
 * this host sent: quoted points at its IP header, followed by at least 8
 * bytes of the transport header (icmp_rcv checked). The handler matches a
 * socket and records or reports the error. skb (the ICMP message, data at
 * the ICMP payload) is not consumed. info is a frag-needed's next-hop MTU
 * (0 otherwise). Return 0.
 */
int udp_err(struct net *net, struct sk_buff *skb, const struct iphdr *quoted, int type, int code, uint32_t info);
int tcp_v4_err(struct net *net, struct sk_buff *skb, const struct iphdr *quoted, int type, int code,
	       uint32_t info);

/* __ip_local_out - ip_local_out for a datagram whose route the caller
 * already chose (IPCB(skb)->dst filled, as icmp_send does). Owns skb. */
int __ip_local_out(struct net *net, struct sk_buff *skb);

/* ip_forward_finish - after NF_INET_FORWARD: on to ip_output. Owns skb. */
int ip_forward_finish(struct net *net, struct sk_buff *skb);

#endif
