/*
 * icmp.c - ICMP, after net/ipv4/icmp.c (Linux 6.13): icmp_rcv (checks,
 * echo replies, errors handed to the transport's err_handler) and
 * icmp_send / __icmp_send, the error generator with RFC 1122 3.2.2's
 * rules, the global icmp_msgs_per_sec limiter and the per-destination
 * icmp_ratelimit token bucket.
 *
 * Left out: timestamp and address-mask replies, redirects (received ones
 * are ignored: no route cache to update), ping sockets and raw sockets,
 * IP options echoed back, icmp_errors_extension (RFC 4884), the
 * random 0-2 credit the global limiter consumes per message (1 here, so
 * replays are deterministic), IcmpMsg per-type counters.
 */
#include "fib.h"

#include <string.h>

static const char *icmp_type_name(int t)
{
	switch (t) {
	case ICMP_ECHOREPLY: return "echo reply";
	case ICMP_DEST_UNREACH: return "destination unreachable";
	case ICMP_SOURCE_QUENCH: return "source quench";
	case ICMP_REDIRECT: return "redirect";
	case ICMP_ECHO: return "echo request";
	case ICMP_TIME_EXCEEDED: return "time exceeded";
	case ICMP_PARAMETERPROB: return "parameter problem";
	case ICMP_TIMESTAMP: return "timestamp";
	case ICMP_TIMESTAMPREPLY: return "timestamp reply";
	default: return "other";
	}
}

/* icmp_pointers[type].error */
static int icmp_is_error(int t)
{
	return t == ICMP_DEST_UNREACH || t == ICMP_SOURCE_QUENCH || t == ICMP_REDIRECT ||
	       t == ICMP_TIME_EXCEEDED || t == ICMP_PARAMETERPROB;
}

/* icmp_out_count: Icmp.OutMsgs and the per-type counter. */
static void icmp_out_count(struct net *net, int type)
{
	SNMP_INC(net, MIB_ICMP_OUTMSGS);
	if (type == ICMP_DEST_UNREACH)
		SNMP_INC(net, MIB_ICMP_OUTDESTUNREACHS);
	else if (type == ICMP_TIME_EXCEEDED)
		SNMP_INC(net, MIB_ICMP_OUTTIMEEXCDS);
	else if (type == ICMP_ECHOREPLY)
		SNMP_INC(net, MIB_ICMP_OUTECHOREPS);
}

/* icmpv4_mask_allow: types outside icmp_ratemask, and "fragmentation
 * needed" (path MTU discovery depends on it), are never limited. */
static int icmpv4_mask_allow(const struct icmp_state *s, int type, int code)
{
	if (type > NR_ICMP_TYPES)
		return 1;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return 1;
	return !(s->ratemask & (1 << type));
}

/* icmp_global_allow: a credit of icmp_msgs_burst, refilled at
 * icmp_msgs_per_sec, at most once per 20 ms (HZ/50) and never for more
 * than a second's worth at once. */
static int icmp_global_allow(struct net *net, struct icmp_state *s)
{
	const uint64_t sec = 1000000000ULL;
	if (s->global_credit > 0)
		return 1;
	uint64_t delta = net->now_ns - s->global_stamp_ns;
	if (delta > sec)
		delta = sec;
	if (delta < sec / 50)
		return 0;
	int incr = (int)((uint64_t)s->msgs_per_sec * delta / sec);
	if (!incr)
		return 0;
	s->global_stamp_ns = net->now_ns;
	s->global_credit = s->global_credit + incr < s->msgs_burst ? s->global_credit + incr : s->msgs_burst;
	return 1;
}

/* inet_peer_xrlim_allow: a per-destination bucket of at most 6 tokens
 * (XRLIM_BURST_FACTOR), one refilled per icmp_ratelimit ms. */
static int icmp_peer_allow(struct net *net, struct icmp_state *s, uint32_t daddr)
{
	uint64_t timeout = (uint64_t)s->ratelimit_ms * 1000000ULL;
	struct inet_peer *p = inet_getpeer_v4(net, daddr);
	if (!p)
		return 1;
	if (p->fresh_icmp) {
		p->icmp_tokens_ns = 6 * timeout;	/* a new peer starts long idle */
		p->fresh_icmp = 0;
	} else {
		p->icmp_tokens_ns += net->now_ns - p->icmp_last_ns;
	}
	p->icmp_last_ns = net->now_ns;
	if (p->icmp_tokens_ns > 6 * timeout)
		p->icmp_tokens_ns = 6 * timeout;
	if (p->icmp_tokens_ns < timeout)
		return 0;
	p->icmp_tokens_ns -= timeout;
	return 1;
}

/* The IPv4 + ICMP headers of a message this host builds. */
static struct sk_buff *icmp_build(struct net *net, uint32_t saddr, uint32_t daddr, uint8_t tos,
				  const struct icmphdr *h, const void *data, uint32_t dlen)
{
	struct sk_buff *skb = alloc_skb(net, 28 + dlen);
	if (!skb)
		return NULL;
	struct iphdr *iph = (struct iphdr *)skb_put(skb, 28 + dlen);
	struct icmphdr *icmph = (struct icmphdr *)(iph + 1);
	memset(iph, 0, sizeof(*iph));
	iph->ihl_version = 0x45;
	iph->tos = tos;
	iph->tot_len = htons((uint16_t)(28 + dlen));
	iph->id = htons(ip_select_ident(net));
	iph->ttl = 64;			/* net.ipv4.ip_default_ttl */
	iph->protocol = IPPROTO_ICMP_;
	iph->saddr = saddr;
	iph->daddr = daddr;
	*icmph = *h;
	icmph->checksum = 0;
	memcpy(icmph + 1, data, dlen);
	icmph->checksum = htons(csum_fold(csum_partial(icmph, 8 + dlen, 0)));
	return skb;
}

static void icmp_not_sent(struct net *net, const char *why)
{
	trace_exit(net, NULL, V_PASS, 0, "no ICMP sent: %s", why);
}

/* __icmp_send's suppression rules (RFC 1122 3.2.2), in the kernel's order.
 * Returns NULL when an error may be sent, else why not. */
static const char *icmp_send_forbidden(const struct sk_buff *skb, int type)
{
	const struct iphdr *iph = ip_hdr(skb);
	if (IPCB(skb)->dst.type == RTN_UNSPEC)
		return "the packet has no route";
	if ((const unsigned char *)iph < skb->head || (const unsigned char *)iph + 20 > skb_tail_pointer(skb))
		return "its IP header is not in the buffer";
	if (skb->pkt_type != PACKET_HOST)
		return "it was a link-layer broadcast/multicast (never answer those)";
	if (IPCB(skb)->dst.type == RTN_BROADCAST || IPCB(skb)->dst.type == RTN_MULTICAST)
		return "it was sent to a broadcast/multicast address";
	if (iph->frag_off & htons(IP_OFFSET))
		return "it is not the first fragment (only fragment 0 gets errors)";
	if (icmp_is_error(type) && iph->protocol == IPPROTO_ICMP_) {
		const uint8_t *itp = (const uint8_t *)iph + ip_ihl(iph) * 4;
		if (itp + 1 > skb_tail_pointer(skb))
			return "the ICMP header it carries is missing";
		if (*itp > NR_ICMP_TYPES || icmp_is_error(*itp))
			return "it is itself an ICMP error (errors about errors could loop)";
	}
	return NULL;
}

/* The reply's source: the address the packet was sent to when it was
 * ours; else left to routing (icmp_errors_use_inbound_ifaddr=0). */
static uint32_t icmp_send_saddr(struct net *net, const struct sk_buff *skb, const struct icmp_state *s)
{
	if (IPCB(skb)->dst.type == RTN_LOCAL)
		return ip_hdr(skb)->daddr;
	if (s->errors_use_inbound_ifaddr && IPCB(skb)->iif) {
		struct net_device *in = dev_get_by_index(net, IPCB(skb)->iif);
		if (in)
			return inet_select_addr(in, ip_hdr(skb)->saddr);
	}
	return 0;
}
