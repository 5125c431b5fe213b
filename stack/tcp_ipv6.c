/*
 * tcp_ipv6.c - TCP over IPv6, after net/ipv6/tcp_ipv6.c (Linux 6.13):
 * tcp_v6_rcv's header and checksum checks (over the IPv6 pseudo-header),
 * counted in the Tcp group as Linux does for both families, the lookup on
 * the shared tables, and tcp_v6_send_reset for a segment nobody listens
 * for (RFC 793 reset generation).
 * Not done yet: connections over IPv6. The socket code keeps IPv4
 * addresses, so a segment for a dual-stack listener is shown reaching it
 * and dropped, instead of getting a SYN-ACK (issue 24, item 6).
 */
#include "ipv6.h"
#include "sock.h"
#include "tcp.h"

#include <string.h>

/* tcp_v6_send_reset: RST from the segment's destination back to its source. */
static void tcp_v6_send_reset(struct net *net, const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint32_t hl = (uint32_t)(th->doff_res >> 4) * 4, seq = 0, ack = 0;
	uint8_t flags = TCPHDR_RST;
	struct rt6_dst dst;
	uint8_t *p;

	if (th->flags & TCPHDR_RST || ipv6_addr_is_multicast(&hdr->daddr))
		return;
	if (th->flags & TCPHDR_ACK) {
		seq = ntohl(th->ack_seq);
	} else {
		flags |= TCPHDR_ACK;
		ack = ntohl(th->seq) + !!(th->flags & TCPHDR_SYN) + !!(th->flags & TCPHDR_FIN) + (skb->len - hl);
	}
	trace_enter(net, NULL, "tcp_v6_send_reset", "tcp", "RST [%s]:%u > [%s]:%u Flags %s seq %u ack %u",
		    in6_fmt(&hdr->daddr), ntohs(th->dest), in6_fmt(&hdr->saddr), ntohs(th->source), tcp_flags_str(flags),
		    seq, ack);
	int oif = ipv6_addr_linklocal(&hdr->saddr) ? IP6CB(skb)->iif : 0;
	struct sk_buff *nskb = ip6_route_output(net, &hdr->saddr, oif, &dst) ? NULL :
		ip6_build(net, &hdr->daddr, &hdr->saddr, NEXTHDR_TCP, (uint8_t)ipv6_state(net)->sysctl.hop_limit, 20, &p);
	if (!nskb) {
		trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_IP_OUTNOROUTES, "no route back");
		return;
	}
	struct tcphdr *t = (struct tcphdr *)p;
	memset(t, 0, sizeof(*t));
	t->source = th->dest;
	t->dest = th->source;
	t->seq = htonl(seq);
	t->ack_seq = htonl(ack);
	t->doff_res = 5 << 4;
	t->flags = flags;
	t->check = htons(csum_ipv6_magic(&hdr->daddr, &hdr->saddr, 20, NEXTHDR_TCP, t));
	memset(IP6CB(nskb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(nskb)->dst = dst;
	nskb->pkt = skb->pkt;
	SNMP_INC(net, MIB_TCP_OUTSEGS);
	SNMP_INC(net, MIB_TCP_OUTRSTS);
	int r = ip6_local_out(net, nskb);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

static int tcp_v6_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r, const char *why)
{
	trace_step(net, skb, "tcp_v6_rcv", "%s", why);
	skb_drop(net, skb, r);
	return 0;
}

/*
 * tcp_v6_rcv - in the kernel's order:
 *  1. unicast frames only; then Tcp.InSegs;
 *  2. a 20-byte header, data offset >= 5 (Tcp.InErrs), all of it present;
 *  3. the checksum over the IPv6 pseudo-header (Tcp.InCsumErrors);
 *  4. the socket: none → tcp_v6_send_reset, NO_SOCKET.
 * Always returns 0.
 */
int tcp_v6_rcv(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;

	trace_enter(net, skb, "tcp_v6_rcv", "tcp", "%u bytes", skb->len);
	if (skb->pkt_type != PACKET_HOST)
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "1. TCP takes only unicast frames");
	SNMP_INC(net, MIB_TCP_INSEGS);
	if (!pskb_may_pull(skb, sizeof(*th)))
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "2. no room for a 20-byte header");
	uint32_t doff = (uint32_t)(th->doff_res >> 4);
	if (doff < 5) {
		SNMP_INC(net, MIB_TCP_INERRS);
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "2. data offset below 5");
	}
	if (!pskb_may_pull(skb, doff * 4))
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "2. header longer than the segment");
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_ipv6_magic(&hdr->saddr, &hdr->daddr, skb->len, NEXTHDR_TCP, skb->data) != 0) {
		SNMP_INC(net, MIB_TCP_INCSUMERRORS);
		SNMP_INC(net, MIB_TCP_INERRS);
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_TCP_CSUM, "3. checksum over the pseudo-header is wrong");
	}
	struct sock *sk = __inet_lookup_listener(net, 0, th->dest);
	trace_step(net, skb, "__inet6_lookup_skb", "4. [%s]:%u > [%s]:%u: %s", in6_fmt(&hdr->saddr), ntohs(th->source),
		   in6_fmt(&hdr->daddr), ntohs(th->dest), sk ? "a dual-stack listener" : "no socket");
	if (sk)
		return tcp_v6_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED,
				   "TCP connections over IPv6 are not modelled yet: the listener cannot take it");
	tcp_v6_send_reset(net, skb);
	skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}
