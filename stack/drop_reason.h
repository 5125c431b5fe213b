/*
 * drop_reason.h - the kernel's enum skb_drop_reason (include/net/dropreason-core.h),
 * the subset this stack can reach, with the names as the kernel prints them
 * (without the SKB_DROP_REASON_ prefix). Modelled on Linux 6.13.
 */
#ifndef NJ_STACK_DROP_REASON_H
#define NJ_STACK_DROP_REASON_H

#define NJ_DROP_REASONS(X)			\
	X(NOT_DROPPED_YET)			\
	X(CONSUMED)				\
	X(NOT_SPECIFIED)			\
	X(NO_SOCKET)				\
	X(PKT_TOO_SMALL)			\
	X(TCP_CSUM)				\
	X(SOCKET_FILTER)			\
	X(UDP_CSUM)				\
	X(NETFILTER_DROP)			\
	X(OTHERHOST)				\
	X(IP_CSUM)				\
	X(IP_INHDR)				\
	X(IP_RPFILTER)				\
	X(UNICAST_IN_L2_MULTICAST)		\
	X(IP_NOPROTO)				\
	X(SOCKET_RCVBUFF)			\
	X(PROTO_MEM)				\
	X(TCP_FLAGS)				\
	X(TCP_ZEROWINDOW)			\
	X(TCP_OLD_DATA)				\
	X(TCP_OVERWINDOW)			\
	X(TCP_OFOMERGE)				\
	X(TCP_RFC7323_PAWS)			\
	X(TCP_OLD_SEQUENCE)			\
	X(TCP_INVALID_SEQUENCE)			\
	X(TCP_RESET)				\
	X(TCP_INVALID_SYN)			\
	X(TCP_CLOSE)				\
	X(TCP_FASTOPEN)				\
	X(TCP_OLD_ACK)				\
	X(TCP_TOO_OLD_ACK)			\
	X(TCP_ACK_UNSENT_DATA)			\
	X(TCP_OFO_QUEUE_PRUNE)			\
	X(TCP_OFO_DROP)				\
	X(IP_OUTNOROUTES)			\
	X(BPF_CGROUP_EGRESS)			\
	X(IPV6DISABLED)				\
	X(NEIGH_CREATEFAIL)			\
	X(NEIGH_FAILED)				\
	X(NEIGH_QUEUEFULL)			\
	X(NEIGH_DEAD)				\
	X(TC_EGRESS)				\
	X(QDISC_DROP)				\
	X(CPU_BACKLOG)				\
	X(XDP)					\
	X(TC_INGRESS)				\
	X(UNHANDLED_PROTO)			\
	X(SKB_CSUM)				\
	X(SKB_GSO_SEG)				\
	X(SKB_UCOPY_FAULT)			\
	X(DEV_HDR)				\
	X(DEV_READY)				\
	X(FULL_RING)				\
	X(NOMEM)				\
	X(HDR_TRUNC)				\
	X(TAP_FILTER)				\
	X(TAP_TXFILTER)				\
	X(ICMP_CSUM)				\
	X(INVALID_PROTO)			\
	X(IP_INADDRERRORS)			\
	X(IP_INNOROUTES)			\
	X(IP_LOCAL_SOURCE)			\
	X(IP_INVALID_SOURCE)			\
	X(IP_LOCALNET)				\
	X(IP_INVALID_DEST)			\
	X(PKT_TOO_BIG)				\
	X(DUP_FRAG)				\
	X(FRAG_REASM_TIMEOUT)			\
	X(FRAG_TOO_FAR)				\
	X(TCP_MINTTL)				\
	X(IPV6_BAD_EXTHDR)			\
	X(VLAN_FILTER)				\
	X(ARP_PVLAN_DISABLE)			\
	X(MAC_IS_HOST)				\
	X(TCP_INVALID_ACK_SEQUENCE)		\
	X(IPV6_NDISC_FRAG)			\
	X(IPV6_NDISC_HOP_LIMIT)			\
	X(IPV6_NDISC_BAD_CODE)			\
	X(IPV6_NDISC_BAD_OPTIONS)		\
	X(IPV6_NDISC_NS_OTHERHOST)

enum skb_drop_reason {
#define NJ_DR_ENUM(n) SKB_DROP_REASON_##n,
	NJ_DROP_REASONS(NJ_DR_ENUM)
#undef NJ_DR_ENUM
	SKB_DROP_REASON_MAX
};

/* drop_reason_name - the kernel's name without prefix, e.g. "IP_CSUM".
 * Returns "NOT_SPECIFIED" for out-of-range values; cannot fail. */
const char *drop_reason_name(enum skb_drop_reason r);

/* drop_reason_lookup - the reason named s, or -1 if there is none. */
int drop_reason_lookup(const char *s);

#endif
