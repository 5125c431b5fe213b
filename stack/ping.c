/*
 * ping.c - ICMP echo replies to a ping socket, after net/ipv4/ping.c
 * (ping_rcv, ping_lookup), Linux 6.13. A ping socket (socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP)) is bound to an echo identifier, its "port";
 * the scenario makes one with {"proto":"icmp","port":ID}. An echo reply
 * with no socket for its identifier is dropped NO_SOCKET, with no ICMP
 * error (an error about an error message is never sent). IPv6 ping
 * sockets (net/ipv6/ping.c: socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6))
 * take ICMPv6 echo replies the same way (ping_v6_rcv). An ICMP error about
 * an IPv4 echo request reaches its socket (ping_err: a frag-needed lowers
 * the path MTU). Left out: IPv6 ping sockets' errors, the ping_group_range
 * permission.
 */
#include "ipv6.h"
#include "sock.h"
#include "stack.h"

#include <string.h>

/* ping_lookup: the socket bound to ident (and to daddr, or to any address). */
static struct sock *ping_lookup(struct net *net, uint32_t daddr, uint16_t ident)
{
	struct sock_table *t = net->socks;
	for (struct sock *sk = t ? t->all : NULL; sk; sk = sk->anext)
		if (sk->protocol == IPPROTO_ICMP_ && sk->family == AF_INET && sk->sport == ident &&
		    (!sk->saddr || sk->saddr == daddr))
			return sk;
	return NULL;
}

enum skb_drop_reason ping_rcv(struct net *net, struct sk_buff *skb)
{
	const struct icmphdr *icmph = (const struct icmphdr *)skb->data;
	uint16_t ident = icmph->id;
	struct sock *sk = ping_lookup(net, ip_hdr(skb)->daddr, ident);

	if (!sk) {
		trace_step(net, skb, "ping_rcv", "echo reply id %u: no ping socket bound to it", ntohs(ident));
		return SKB_DROP_REASON_NO_SOCKET;
	}
	trace_step(net, skb, "ping_rcv", "echo reply id %u seq %u: queued to the %s ping socket, which reads it",
		   ntohs(ident), ntohs(icmph->sequence), sock_app_name(sk->app));
	sk->app_bytes += skb->len;
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

void ping_err(struct net *net, struct sk_buff *skb, const struct iphdr *q, int type, int code, uint32_t info)
{
	const struct icmphdr *qi = (const struct icmphdr *)((const uint8_t *)q + ip_ihl(q) * 4);
	struct sock *sk = ping_lookup(net, q->saddr, qi->id);

	if (!sk) {
		trace_step(net, skb, "ping_err", "about an echo request id %u: no ping socket bound to it", ntohs(qi->id));
		return;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(net, skb, q->daddr, info);	/* ipv4_sk_update_pmtu */
	sk->err_soft = type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED ? 90 /* EMSGSIZE */ : 113;
	trace_step(net, skb, "ping_err", "about echo request id %u: the %s ping socket's error (errno %d)", ntohs(qi->id),
		   sock_app_name(sk->app), sk->err_soft);
}

/* ping_lookup for IPv6: the socket bound to ident (and to daddr, or to ::). */
static struct sock *ping_v6_lookup(struct net *net, const struct in6 *daddr, uint16_t ident)
{
	struct sock_table *t = net->socks;
	for (struct sock *sk = t ? t->all : NULL; sk; sk = sk->anext)
		if (sk->protocol == NEXTHDR_ICMP && sk->sport == ident &&
		    (ipv6_addr_any(&sk->v6_saddr) || ipv6_addr_equal(&sk->v6_saddr, daddr)))
			return sk;
	return NULL;
}

enum skb_drop_reason ping_v6_rcv(struct net *net, struct sk_buff *skb)
{
	const uint8_t *h = skb->data;	/* the ICMPv6 header: type, code, csum, id, seq */
	uint16_t ident;
	memcpy(&ident, h + 4, 2);	/* network order, as sk->sport */
	struct sock *sk = ping_v6_lookup(net, &ipv6_hdr(skb)->daddr, ident);

	if (!sk) {
		trace_step(net, skb, "ping_rcv", "echo reply id %u: no ping socket bound to it", ntohs(ident));
		return SKB_DROP_REASON_NO_SOCKET;
	}
	trace_step(net, skb, "ping_rcv", "echo reply id %u seq %u: queued to the %s IPv6 ping socket, which reads it",
		   ntohs(ident), h[6] << 8 | h[7], sock_app_name(sk->app));
	sk->app_bytes += skb->len;
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}
