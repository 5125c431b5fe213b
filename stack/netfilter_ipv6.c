/*
 * netfilter_ipv6.c - ip6tables' side of the hooks, after
 * net/ipv6/netfilter/ip6_tables.c (ip6_packet_match: the upper-layer
 * header found past the extension headers, as ipv6_find_hdr does),
 * ip6t_REJECT.c and nf_reject_ipv6.c (nf_send_reset6, nf_send_unreach6,
 * with reject6_csum_ok's rule: no error about a packet whose checksum is
 * wrong), and nf_log_syslog.c's IPv6 line. The traversal is netfilter.c's.
 * Left out: the ipv6header/frag/hbh/rt matches, conntrack, a REJECT at
 * LOCAL_OUT that Linux sends to itself over loopback.
 */
#include "netfilter.h"

#include <string.h>

void nf_pkt_parse6(const struct sk_buff *skb, struct nf_pkt *p)
{
	const uint8_t *nh = skb_network_header(skb);
	uint8_t proto;
	uint16_t frag_off;

	memset(p, 0, sizeof(*p));
	p->family = NFPROTO_IPV6;
	p->icmp_type = -1;
	p->ip6h = (const struct ipv6hdr *)nh;
	proto = p->ip6h->nexthdr;
	int off = ipv6_skip_exthdr(skb, (int)sizeof(struct ipv6hdr), &proto, &frag_off);
	p->proto = off < 0 ? -1 : proto;	/* a truncated chain matches no protocol */
	p->nonfirst_frag = (frag_off & IP6_OFFSET) != 0;
	if (off < 0 || p->nonfirst_frag)
		return;			/* no upper-layer header here: port and type matches fail */
	p->thoff = (uint32_t)off;
	const uint8_t *th = nh + off;
	long avail = (long)(skb_tail_pointer(skb) - th);
	if ((proto == NEXTHDR_TCP || proto == NEXTHDR_UDP) && avail >= 4) {
		p->have_ports = 1;
		p->sport = (uint16_t)(th[0] << 8 | th[1]);
		p->dport = (uint16_t)(th[2] << 8 | th[3]);
	}
	if (proto == NEXTHDR_TCP && avail >= 14) {
		p->have_flags = 1;
		p->tcp_flags = th[13];
	}
	if (proto == NEXTHDR_ICMP && avail >= 1)
		p->icmp_type = th[0];
}

int nf_match_addr6(const struct nf_match *m, const struct nf_pkt *p)
{
	return (!m->splen6 || ipv6_prefix_equal(&p->ip6h->saddr, &m->saddr6, m->splen6)) &&
	       (!m->dplen6 || ipv6_prefix_equal(&p->ip6h->daddr, &m->daddr6, m->dplen6));
}

void nf_log_packet6(struct net *net, const struct sk_buff *skb, int hook, const struct nf_pkt *p,
		    const struct net_device *in, const struct net_device *out)
{
	trace_step(net, skb, "nf_log_packet", "%s: IN=%s OUT=%s SRC=%s DST=%s LEN=%u HOPLIMIT=%u PROTO=%d%s",
		   nf_hook_name(hook), in ? in->name : "", out ? out->name : "", in6_fmt(&p->ip6h->saddr),
		   in6_fmt(&p->ip6h->daddr), ntohs(p->ip6h->payload_len) + 40u, p->ip6h->hop_limit, p->proto,
		   p->nonfirst_frag ? " (fragment)" : "");
}

/* The upper-layer checksum of the offending packet verifies (nf_ip6_checksum);
 * UDP without one is not checked (nf_reject_verify_csum). */
static int nf_ip6_csum_ok(const struct sk_buff *skb, const struct nf_pkt *p)
{
	const uint8_t *th = skb_network_header(skb) + p->thoff;
	long len = (long)(skb_tail_pointer(skb) - th);
	if (len < 0)
		return 0;
	if (p->proto == NEXTHDR_UDP && len >= 8 && th[6] == 0 && th[7] == 0)
		return 1;
	return csum_ipv6_magic(&p->ip6h->saddr, &p->ip6h->daddr, (uint32_t)len, (uint8_t)p->proto, th) == 0;
}

/* nf_reject_ip6_tcphdr_put: RST answering the segment (RFC 793). */
static void nf_reset6_fill(struct tcphdr *t, const struct tcphdr *o, uint32_t otcplen)
{
	memset(t, 0, sizeof(*t));
	t->source = o->dest;
	t->dest = o->source;
	t->doff_res = 5 << 4;
	if (o->flags & TCPHDR_ACK) {
		t->seq = o->ack_seq;
		t->flags = TCPHDR_RST;
	} else {
		uint32_t occ = otcplen - (uint32_t)(o->doff_res >> 4) * 4 + !!(o->flags & TCPHDR_SYN) +
			       !!(o->flags & TCPHDR_FIN);
		t->ack_seq = htonl(ntohl(o->seq) + occ);
		t->flags = TCPHDR_RST | TCPHDR_ACK;
	}
}

/* nf_send_reset6: a TCP segment with a good checksum, not a RST, between
 * unicast addresses gets a RST from the address it was sent to. */
static void nf_send_reset6(struct net *net, struct sk_buff *old, const struct nf_pkt *p)
{
	const struct ipv6hdr *h = p->ip6h;
	uint32_t otcplen = p->thoff ? (uint32_t)(skb_tail_pointer(old) - skb_network_header(old)) - p->thoff : 0;
	struct rt6_dst dst;
	uint8_t *pl;
	const char *why = p->proto != NEXTHDR_TCP || !p->thoff || otcplen < 20 ? "not a whole TCP header" :
		(p->tcp_flags & TCPHDR_RST) ? "no RST for a RST" : !nf_ip6_csum_ok(old, p) ? "its TCP checksum is wrong" :
		ipv6_addr_is_multicast(&h->saddr) || ipv6_addr_is_multicast(&h->daddr) ? "not between unicast addresses" :
		ip6_route_output(net, &h->saddr, ipv6_addr_linklocal(&h->saddr) ? IP6CB(old)->iif : 0, &dst) < 0 ?
		"no route back" : NULL;
	if (why) {
		trace_step(net, old, "nf_send_reset6", "REJECT --reject-with tcp-reset: no RST, %s", why);
		return;
	}
	struct sk_buff *nskb = ip6_build(net, &h->daddr, &h->saddr, NEXTHDR_TCP,
					 (uint8_t)ipv6_state(net)->sysctl.hop_limit, 20, &pl);
	if (!nskb)
		return;
	struct tcphdr *t = (struct tcphdr *)pl;
	nf_reset6_fill(t, (const struct tcphdr *)(skb_network_header(old) + p->thoff), otcplen);
	t->check = htons(csum_ipv6_magic(&h->daddr, &h->saddr, 20, NEXTHDR_TCP, t));
	memset(IP6CB(nskb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(nskb)->dst = dst;
	nskb->pkt = old->pkt;
	trace_step(net, old, "nf_send_reset6", "REJECT --reject-with tcp-reset: RST to [%s]:%u", in6_fmt(&h->saddr),
		   p->sport);
	ip6_local_out_uncounted(net, nskb);	/* no Ip6.OutRequests: no socket layer sent it */
}

/* nf_send_unreach6: reject6_csum_ok first, then icmpv6_send (which finds
 * the route back itself, as nf_reject6_fill_skb_dst does at PRE_ROUTING). */
static void nf_send_unreach6(struct net *net, struct sk_buff *skb, int hook, int with, const struct nf_pkt *p)
{
	static const uint8_t code[] = { [NF_REJECT6_NOROUTE] = ICMPV6_NOROUTE,
					[NF_REJECT6_ADM_PROHIBITED] = ICMPV6_ADM_PROHIBITED,
					[NF_REJECT6_ADDR_UNREACH] = ICMPV6_ADDR_UNREACH,
					[NF_REJECT6_PORT_UNREACH] = ICMPV6_PORT_UNREACH };
	const char *name = nf_reject_name(NFPROTO_IPV6, with);
	if (trace_on(net))
		jw_kv_str(trace_args(net), "reject_with", name);
	if (with == NF_REJECT_PORT_UNREACH || with < NF_REJECT6_NOROUTE || with >= NF_REJECT_MAX)
		with = NF_REJECT6_PORT_UNREACH;
	if (p->proto < 0 || p->nonfirst_frag || (p->thoff && !nf_ip6_csum_ok(skb, p))) {
		trace_step(net, skb, "nf_send_unreach6", "REJECT --reject-with %s: no error, the packet's checksum "
			   "does not verify (reject6_csum_ok)", name);
		return;
	}
	if (hook == NF_INET_LOCAL_OUT) {
		trace_step(net, skb, "nf_send_unreach6", "REJECT --reject-with %s: our own packet, the error goes to "
			   "us over loopback (not modelled)", name);
		return;
	}
	trace_step(net, skb, "nf_send_unreach6", "REJECT --reject-with %s", name);
	icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, code[with], 0);
}

void nf_reject6(struct net *net, struct sk_buff *skb, int hook, int with, const struct nf_pkt *p)
{
	if (with == NF_REJECT_TCP_RESET)
		nf_send_reset6(net, skb, p);
	else
		nf_send_unreach6(net, skb, hook, with, p);
}
