/*
 * netfilter.h - the five netfilter hooks of IPv4 and IPv6, NF_HOOK and the
 * rule tables registered on them, after include/linux/netfilter.h,
 * include/uapi/linux/netfilter_ipv4.h, netfilter_ipv6.h and
 * net/netfilter/core.c. A rule belongs to one family (iptables or
 * ip6tables) and only sees that family's packets.
 *
 * The scenario's rules stand in for iptables: the rules of one hook at one
 * priority form one hook function (like a table's built-in chain): they are
 * tried in order, the first terminal target decides, LOG continues, and a
 * hook function with no matching rule accepts (the chain policy). Hook
 * functions run in ascending priority; the first one that does not accept
 * ends the traversal.
 */
#ifndef NJ_STACK_NETFILTER_H
#define NJ_STACK_NETFILTER_H

#include "ipv6.h"

/* Protocol families (include/uapi/linux/netfilter.h); 0 means IPv4. */
#define NFPROTO_IPV4	2
#define NFPROTO_IPV6	10

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD,
	NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NF_INET_NUMHOOKS
};

/* Verdicts (include/uapi/linux/netfilter.h). */
#define NF_DROP		0
#define NF_ACCEPT	1
#define NF_STOLEN	2
#define NF_QUEUE	3
#define NF_REPEAT	4

/* Hook priorities (enum nf_ip_hook_priorities). */
#define NF_IP_PRI_RAW		(-300)
#define NF_IP_PRI_CONNTRACK	(-200)
#define NF_IP_PRI_MANGLE	(-150)
#define NF_IP_PRI_NAT_DST	(-100)
#define NF_IP_PRI_FILTER	0
#define NF_IP_PRI_SECURITY	50
#define NF_IP_PRI_NAT_SRC	100

/* Rule targets: the verdicts plus iptables' REJECT and LOG. */
enum nf_target { NFT_ACCEPT, NFT_DROP, NFT_STOLEN, NFT_QUEUE, NFT_REPEAT, NFT_REJECT, NFT_LOG };

/* REJECT --reject-with (net/ipv4/netfilter/ipt_REJECT.c). */
enum nf_reject_with {
	NF_REJECT_PORT_UNREACH, NF_REJECT_NET_UNREACH, NF_REJECT_HOST_UNREACH,
	NF_REJECT_PROTO_UNREACH, NF_REJECT_NET_PROHIBITED, NF_REJECT_HOST_PROHIBITED,
	NF_REJECT_ADMIN_PROHIBITED, NF_REJECT_TCP_RESET,
	/* ip6t_REJECT's (net/ipv6/netfilter/ip6t_REJECT.c); an IPv6 rule's
	 * default, NF_REJECT_PORT_UNREACH, is icmp6-port-unreachable */
	NF_REJECT6_NOROUTE, NF_REJECT6_ADM_PROHIBITED, NF_REJECT6_ADDR_UNREACH, NF_REJECT6_PORT_UNREACH,
	NF_REJECT_MAX
};

/* What a rule matches; a field at its "any" value is not tested. */
struct nf_match {
	int proto;			/* IPPROTO_*; -1 any (IPv6: the upper-layer header) */
	uint32_t saddr, smask;		/* network order; smask 0 = any */
	uint32_t daddr, dmask;
	struct in6 saddr6, daddr6;	/* an IPv6 rule's prefixes */
	uint8_t splen6, dplen6;		/* their lengths; 0 = any */
	uint8_t icmp_type_set;		/* 1: icmp_type is tested (zeroed rules stay "any") */
	uint8_t icmp_type;		/* ICMP or ICMPv6 type */
	int sport_lo, sport_hi;		/* host order; -1 any */
	int dport_lo, dport_hi;
	char in[16], out[16];		/* interface names; "" any */
	int fragment;			/* 1: only non-first fragments (-f), 0: not those, -1 any
					 * (IPv6: a fragment header with a non-zero offset) */
	uint8_t tcp_mask, tcp_cmp;	/* (flags & mask) == cmp; mask 0 = any */
};

struct nf_rule {
	int family;			/* NFPROTO_IPV6, else IPv4 */
	int hook;			/* enum nf_inet_hooks */
	int priority;			/* NF_IP_PRI_* */
	struct nf_match m;
	int target;			/* enum nf_target */
	int reject_with;		/* enum nf_reject_with */
	int queue_bypass;		/* NFQUEUE --queue-bypass: no listener → accept */
	uint64_t pkts;			/* packets that matched */
};

typedef int (*nf_okfn)(struct net *net, struct sk_buff *skb);

const char *nf_hook_name(int hook);
const char *nf_target_name(int target);

/* nf_hook_lookup / nf_target_lookup / nf_reject_lookup - parse names
 * ("FORWARD", "DROP", "tcp-reset"); -1 when unknown. */
int nf_hook_lookup(const char *s);
int nf_target_lookup(const char *s);
int nf_reject_lookup(const char *s);

/**
 * nf_register_rule - appends a rule (copied) to its hook, after the rules
 * already there at the same priority. Returns 0, or -1 when out of memory
 * or the hook is invalid.
 */
int nf_register_rule(struct net *net, const struct nf_rule *rule);

/* netfilter_exit - frees net->nf (called by net_destroy). */
void netfilter_exit(struct net *net);

/* nf_for_each_rule - every rule in hook, then priority, then insertion order. */
void nf_for_each_rule(struct net *net, void (*fn)(void *ctx, const struct nf_rule *r), void *ctx);

/* nf_rule_fmt - "prio 0: proto icmp saddr 10.0.0.0/8 -> DROP" into buf. */
const char *nf_rule_fmt(const struct nf_rule *r, char *buf, size_t len);

/**
 * NF_HOOK - runs the hook functions of hook in priority order on skb; on
 * ACCEPT calls okfn(net, skb) and returns its result. On DROP frees skb
 * with NETFILTER_DROP (QUEUE with no listener: NOT_SPECIFIED, as nf_queue's
 * plain kfree_skb) and returns NET_RX_DROP;
 * on STOLEN returns NET_RX_SUCCESS without calling okfn. Takes ownership
 * of skb. Emits one "nf_hook" step listing the rules tried and the verdict.
 */
int NF_HOOK(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	    struct net_device *out, nf_okfn okfn);
/* NF_HOOK6 - NF_HOOK(NFPROTO_IPV6, …): the same traversal over the IPv6
 * rules (ip6tables), skb's data at its IPv6 header. */
int NF_HOOK6(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	     struct net_device *out, nf_okfn okfn);

/* -- shared by netfilter.c and netfilter_ipv6.c -- */

/* What the rules test in a packet, of either family. */
struct nf_pkt {
	int family;
	const struct iphdr *iph;	/* IPv4 */
	const struct ipv6hdr *ip6h;	/* IPv6 */
	int proto;			/* IPv4 protocol / IPv6 upper-layer header */
	int nonfirst_frag;
	int have_ports;
	uint16_t sport, dport;
	int have_flags;
	uint8_t tcp_flags;
	int icmp_type;			/* -1 when absent */
	uint32_t thoff;			/* transport header, from the network header */
};

/* nf_pkt_parse6 - ip6t's view: the upper-layer header past the extension
 * headers (ipv6_find_hdr), ports, TCP flags, ICMPv6 type. */
void nf_pkt_parse6(const struct sk_buff *skb, struct nf_pkt *p);
/* nf_match_addr6 - the IPv6 rule's prefixes against the packet. */
int nf_match_addr6(const struct nf_match *m, const struct nf_pkt *p);
/* nf_reject6 - ip6t_REJECT: a TCP RST (nf_send_reset6) or an ICMPv6
 * destination unreachable (nf_send_unreach6), per with. */
void nf_reject6(struct net *net, struct sk_buff *skb, int hook, int with, const struct nf_pkt *p);
/* nf_log_packet6 - LOG's line for an IPv6 packet. */
void nf_log_packet6(struct net *net, const struct sk_buff *skb, int hook, const struct nf_pkt *p,
		    const struct net_device *in, const struct net_device *out);
/* nf_reject_name - "icmp6-port-unreachable", … for family. */
const char *nf_reject_name(int family, int with);

#endif
