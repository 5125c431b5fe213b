/*
 * ping.c - ICMP echo replies to a ping socket, after net/ipv4/ping.c
 * (ping_rcv, ping_lookup), Linux 6.13. A ping socket (socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP)) is bound to an echo identifier, its "port";
 * the scenario makes one with {"proto":"icmp","port":ID}. An echo reply
 * with no socket for its identifier is dropped NO_SOCKET, with no ICMP
 * error (an error about an error message is never sent). Left out: ping
 * socket errors (ping_err), IPv6, the ping_group_range permission.
 */
#include "sock.h"
#include "stack.h"

/* ping_lookup: the socket bound to ident (and to daddr, or to any address). */
static struct sock *ping_lookup(struct net *net, uint32_t daddr, uint16_t ident)
{
	struct sock_table *t = net->socks;
	for (struct sock *sk = t ? t->all : NULL; sk; sk = sk->anext)
		if (sk->protocol == IPPROTO_ICMP_ && sk->sport == ident && (!sk->saddr || sk->saddr == daddr))
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
