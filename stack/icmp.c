/*
 * icmp.c - ICMP, after net/ipv4/icmp.c (Linux 6.13): icmp_rcv (checks,
 * echo replies, errors handed to the transport's err_handler) and
 * icmp_send / __icmp_send, the error generator with RFC 1122 3.2.2's
 * rules, the global icmp_msgs_per_sec limiter and the per-destination
 * icmp_ratelimit token bucket.
 *
 * Left out: timestamp and address-mask replies, redirects (received ones
 * are ignored: no route cache to update), raw sockets,
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
	case ICMP_ADDRESS: return "address mask request";
	case ICMP_ADDRESSREPLY: return "address mask reply";
	case ICMP_EXT_ECHO: return "extended echo request";
	case ICMP_EXT_ECHOREPLY: return "extended echo reply";
	default: return "other";
	}
}

/* icmp_pointers[type].error */
static int icmp_is_error(int t)
{
	return t == ICMP_DEST_UNREACH || t == ICMP_SOURCE_QUENCH || t == ICMP_REDIRECT ||
	       t == ICMP_TIME_EXCEEDED || t == ICMP_PARAMETERPROB;
}

/* The Icmp In counter of a type (a /proc/net/snmp column, kept from the
 * per-type IcmpMsg counters); 0 where it has none. */
static const int16_t icmp_mib_in[NR_ICMP_TYPES + 1] = {
	[ICMP_ECHOREPLY] = MIB_ICMP_INECHOREPS, [ICMP_DEST_UNREACH] = MIB_ICMP_INDESTUNREACHS,
	[ICMP_SOURCE_QUENCH] = MIB_ICMP_INSRCQUENCHS, [ICMP_REDIRECT] = MIB_ICMP_INREDIRECTS,
	[ICMP_ECHO] = MIB_ICMP_INECHOS, [ICMP_TIME_EXCEEDED] = MIB_ICMP_INTIMEEXCDS,
	[ICMP_PARAMETERPROB] = MIB_ICMP_INPARMPROBS, [ICMP_TIMESTAMP] = MIB_ICMP_INTIMESTAMPS,
	[ICMP_TIMESTAMPREPLY] = MIB_ICMP_INTIMESTAMPREPS, [ICMP_ADDRESS] = MIB_ICMP_INADDRMASKS,
	[ICMP_ADDRESSREPLY] = MIB_ICMP_INADDRMASKREPS,
};

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
	else if (type == ICMP_PARAMETERPROB)
		SNMP_INC(net, MIB_ICMP_OUTPARMPROBS);
	else if (type == ICMP_REDIRECT)
		SNMP_INC(net, MIB_ICMP_OUTREDIRECTS);
	else if (type == ICMP_TIMESTAMPREPLY)
		SNMP_INC(net, MIB_ICMP_OUTTIMESTAMPREPS);
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

/* The global limiter is one per host, shared by ICMPv6 (icmp6.c calls
 * these as Linux's icmpv6_global_allow calls icmp_global_allow). */
int icmp_global_allow_shared(struct net *net)
{
	return icmp_global_allow(net, icmp_state(net));
}

void icmp_global_consume(struct net *net)
{
	struct icmp_state *s = icmp_state(net);
	if (s->global_credit > 0)
		s->global_credit--;
}

/* inet_peer_xrlim_allow: a per-destination bucket of at most 6 tokens
 * (XRLIM_BURST_FACTOR), one refilled per icmp_ratelimit ms. The bucket is
 * the inet_peer's rate_tokens/rate_last, shared with ip_error's own limit
 * (route.c), as in Linux. */
static int icmp_peer_allow(struct net *net, struct icmp_state *s, uint32_t daddr)
{
	uint64_t timeout = (uint64_t)s->ratelimit_ms * 1000000ULL;
	struct inet_peer *p = inet_getpeer_v4(net, daddr);
	if (!p)
		return 1;
	p->rate_tokens_ns += net->now_ns - p->rate_last_ns;
	p->rate_last_ns = net->now_ns;
	if (p->rate_tokens_ns > 6 * timeout)
		p->rate_tokens_ns = 6 * timeout;
	if (p->rate_tokens_ns < timeout)
		return 0;
	p->rate_tokens_ns -= timeout;
	return 1;
}

/* The per-CPU ICMP socket's send buffer (ICMP_SNDBUF): every message it
 * sends is charged to it until freed, so replies held on an unresolved
 * neighbour's queue fill it; then sock_alloc_send_skb fails (MSG_DONTWAIT)
 * and __ip_append_data counts the message discarded. */

/* ip_append_data for the ICMP socket: the skb, charged to it, or NULL
 * with Icmp.OutErrors and Ip.OutDiscards counted. */
static struct sk_buff *icmp_alloc_send_skb(struct net *net, uint32_t size)
{
	struct sk_buff *skb = NULL;
	if (net->icmp_wmem_alloc >= ICMP_SNDBUF)
		trace_step(net, NULL, "sock_alloc_send_skb", "the ICMP socket's send buffer is full: %u bytes held by "
			   "messages not yet sent (waiting on a neighbour, say), sk_sndbuf %u: not sent",
			   net->icmp_wmem_alloc, ICMP_SNDBUF);
	else if ((skb = alloc_skb(net, size))) {
		skb->icmp_owned = 1;
		net->icmp_wmem_alloc += skb->truesize;
		return skb;
	}
	SNMP_INC(net, MIB_IP_OUTDISCARDS);
	SNMP_INC(net, MIB_ICMP_OUTERRORS);
	return NULL;
}

/* The IPv4 + ICMP headers of a message this host builds. */
static struct sk_buff *icmp_build(struct net *net, uint32_t saddr, uint32_t daddr, uint8_t tos,
				  const struct icmphdr *h, const void *data, uint32_t dlen,
				  const struct ip_txopts *ro)
{
	uint32_t hl = 20 + (uint32_t)ro->len;
	struct sk_buff *skb = icmp_alloc_send_skb(net, hl + 8 + dlen);
	if (!skb)
		return NULL;
	struct iphdr *iph = (struct iphdr *)skb_put(skb, hl + 8 + dlen);
	struct icmphdr *icmph = (struct icmphdr *)((uint8_t *)iph + hl);
	memset(iph, 0, sizeof(*iph));
	iph->ihl_version = (uint8_t)(0x40 | hl / 4);
	iph->tos = tos;
	iph->tot_len = htons((uint16_t)(hl + 8 + dlen));
	iph->id = htons(ip_select_ident(net));
	iph->ttl = 64;			/* net.ipv4.ip_default_ttl */
	iph->protocol = IPPROTO_ICMP_;
	iph->saddr = saddr;
	iph->daddr = daddr;
	ip_options_build(net, iph, ro);
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

/* icmp_push_reply: route to daddr, then ip_local_out with that route.
 * Returns 0, or -1 (nothing sent) with the reason traced. */
static int icmp_route(struct net *net, uint32_t daddr, uint32_t *saddr, struct nj_dst *dst)
{
	if (ip_route_output(net, daddr, *saddr, dst) < 0)
		return -1;
	if (!*saddr && dst->type == RTN_LOCAL)
		*saddr = daddr;		/* to ourselves: from the address it goes to */
	if (!*saddr) {
		struct net_device *out = dev_get_by_index(net, dst->oif);
		*saddr = out ? inet_select_addr(out, daddr) : 0;
	}
	return 0;
}

static void icmp_push_reply_as(struct net *net, struct sk_buff *nskb, const struct nj_dst *dst, int64_t pkt,
			       int counted)
{
	nskb->pkt = pkt;
	skb_reset_network_header(nskb);
	memset(IPCB(nskb), 0, sizeof(struct inet_skb_parm));
	IPCB(nskb)->dst = *dst;
	icmp_out_count(net, counted);
	__ip_local_out(net, nskb);
}

static void icmp_push_reply(struct net *net, struct sk_buff *nskb, const struct nj_dst *dst, int64_t pkt)
{
	const struct icmphdr *h = (const struct icmphdr *)(nskb->data + ip_ihl((const struct iphdr *)nskb->data) * 4);
	icmp_push_reply_as(net, nskb, dst, pkt, h->type);
}

/* How much of the offending datagram fits: 576 bytes in all (RFC 1812
 * 4.3.2.3), less our IP and ICMP headers. 0 means too little room. */
static uint32_t icmp_room(struct net *net, const struct sk_buff *skb_in, const struct nj_dst *dst, int optlen)
{
	struct net_device *out = dev_get_by_index(net, dst->oif);
	int room = out && out->mtu < 576 ? (int)out->mtu : 576;
	room -= 20 + optlen + 8;
	if (room <= 20)
		return 0;
	uint32_t have = (uint32_t)(skb_tail_pointer(skb_in) - skb_network_header(skb_in));
	return have < (uint32_t)room ? have : (uint32_t)room;
}

static void icmp_send_trace(struct net *net, const struct sk_buff *skb_in, int type, int code, uint32_t len,
			    uint32_t saddr)
{
	const struct iphdr *iph = ip_hdr(skb_in);
	struct jw *a = trace_args(net);
	jw_kv_int(a, "type", type);
	jw_kv_int(a, "code", code);
	jw_kv_str(a, "saddr", ip_fmt(saddr));
	jw_kv_str(a, "daddr", ip_fmt(iph->saddr));
	jw_kv_uint(a, "quoted", len);
	trace_step(net, skb_in, "icmp_push_reply", "%s type %d code %d from %s to %s quoting %u bytes of the original",
		   icmp_type_name(type), type, code, ip_fmt(saddr), ip_fmt(iph->saddr), len);
}

/* An error about our own packet goes to ourselves over lo. A scenario
 * without lo cannot carry it: what Linux counts on the way out and in
 * again (icmp_rcv of an error about a datagram no socket wants to hear
 * of) is counted, as ndisc does for IPv6. */
static void icmp_to_self_counted(struct net *net, const struct sk_buff *skb_in, int type, uint32_t quoted)
{
	uint32_t len = 20 + 8 + quoted;
	trace_step(net, skb_in, "icmp_push_reply", "%s to ourselves (%s) over lo, %u bytes, received there: lo is not "
		   "in the scenario, so it is counted, not carried", icmp_type_name(type),
		   ip_fmt(ip_hdr(skb_in)->saddr), len);
	icmp_out_count(net, type);
	SNMP_INC(net, MIB_IP_OUTREQUESTS);
	SNMP_INC(net, MIB_IP_OUTTRANSMITS);
	SNMP_ADD(net, MIB_IPEXT_OUTOCTETS, len);
	SNMP_INC(net, MIB_IP_INRECEIVES);
	SNMP_ADD(net, MIB_IPEXT_INOCTETS, len);
	SNMP_INC(net, MIB_IPEXT_INNOECTPKTS);
	SNMP_INC(net, MIB_IP_INDELIVERS);
	SNMP_INC(net, MIB_ICMP_INMSGS);
	if (type <= NR_ICMP_TYPES && icmp_mib_in[type])
		SNMP_INC(net, icmp_mib_in[type]);
}

/*
 * icmp_send - __icmp_send, in the kernel's order:
 *  1. the suppression rules (icmp_send_forbidden);
 *  2. the global limiter (types in icmp_ratemask) → Icmp.OutRateLimitGlobal;
 *  3. the source address, then the route back to the sender;
 *  4. the per-destination limiter → Icmp.OutRateLimitHost;
 *  5. quote as much as fits in 576 bytes, build and send.
 */
void icmp_send(struct net *net, struct sk_buff *skb_in, int type, int code, uint32_t info)
{
	struct icmp_state *s = icmp_state(net);
	const char *why = icmp_send_forbidden(skb_in, type);
	struct nj_dst dst;

	trace_enter(net, skb_in, "icmp_send", "icmp", "%s (type %d code %d) about %s > %s", icmp_type_name(type), type,
		    code, ip_fmt(ip_hdr(skb_in)->saddr), ip_fmt(ip_hdr(skb_in)->daddr));
	if (why)
		return icmp_not_sent(net, why);
	int limited = !icmpv4_mask_allow(s, type, code);
	if (limited && !icmp_global_allow(net, s)) {
		SNMP_INC(net, MIB_ICMP_OUTRATELIMITGLOBAL);
		return icmp_not_sent(net, "icmp_msgs_per_sec/icmp_msgs_burst exhausted");
	}
	const struct iphdr *iph = ip_hdr(skb_in);
	uint32_t saddr = icmp_send_saddr(net, skb_in, s);
	if (icmp_route(net, iph->saddr, &saddr, &dst) < 0) {
		if (dst.type != RTN_LOCAL)
			return icmp_not_sent(net, "no route back to the sender");
		if (limited && s->global_credit > 0)
			s->global_credit--;
		uint32_t have = (uint32_t)(skb_tail_pointer(skb_in) - skb_network_header(skb_in));
		icmp_to_self_counted(net, skb_in, type, have < 576 - 28 ? have : 576 - 28);
		trace_exit(net, NULL, V_SENT, 0, "%s", "");
		return;
	}
	/* icmpv4_xrlim_allow: none to lo (ourselves) is limited */
	if (limited && dst.type != RTN_LOCAL && !icmp_peer_allow(net, s, iph->saddr)) {
		SNMP_INC(net, MIB_ICMP_OUTRATELIMITHOST);
		return icmp_not_sent(net, "icmp_ratelimit: this destination had its share (1 per second, burst 6)");
	}
	if (limited && s->global_credit > 0)
		s->global_credit--;		/* icmp_global_consume */
	struct ip_txopts ro;
	if (ip_options_echo(skb_in, &ro) < 0)
		return icmp_not_sent(net, "its IP options cannot be echoed");
	uint32_t len = icmp_room(net, skb_in, &dst, ro.len);
	if (!len)
		return icmp_not_sent(net, "the route's MTU leaves no room to quote a header");
	struct icmphdr h = { .type = (uint8_t)type, .code = (uint8_t)code };
	memcpy(&h.id, &info, 4);	/* un.gateway: unused, or the next-hop MTU */
	/* Errors go out as "internetwork control" precedence (RFC 1812 4.3.2.5). */
	uint8_t tos = (uint8_t)((iph->tos & 0x1e) | 0xc0);
	struct sk_buff *nskb = icmp_build(net, saddr, iph->saddr, tos, &h, iph, len, &ro);
	if (!nskb)
		return icmp_not_sent(net, "no buffer for it (ip_append_data failed)");
	if (trace_on(net))
		icmp_send_trace(net, skb_in, type, code, len, saddr);
	icmp_push_reply(net, nskb, &dst, skb_in->pkt);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

/* icmp_reply: h and len bytes of data back to the sender of skb, from the
 * address it was sent to (fib_compute_spec_dst); counted as type counted. */
static void icmp_reply(struct net *net, struct sk_buff *skb, const struct icmphdr *h, const void *data,
		       uint32_t len, int counted)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct ip_txopts ro;
	struct nj_dst dst;
	if (ip_options_echo(skb, &ro) < 0) {
		trace_step(net, skb, "icmp_reply", "its IP options cannot be echoed: no reply");
		return;
	}
	uint32_t saddr = IPCB(skb)->dst.type == RTN_LOCAL ? iph->daddr : 0;
	if (icmp_route(net, iph->saddr, &saddr, &dst) < 0) {
		trace_step(net, skb, "icmp_reply", "no route back to %s: no reply", ip_fmt(iph->saddr));
		return;
	}
	struct sk_buff *nskb = icmp_build(net, saddr, iph->saddr, iph->tos, h, data, len, &ro);
	if (!nskb)
		return;
	trace_step(net, skb, "icmp_reply", "%s id %u seq %u, %u data bytes, %s > %s%s", icmp_type_name(h->type),
		   ntohs(h->id), ntohs(h->sequence), len, ip_fmt(saddr), ip_fmt(iph->saddr),
		   ro.len ? "; the request's record route/timestamp options echoed" : "");
	icmp_push_reply_as(net, nskb, &dst, skb->pkt, counted);
}

/* icmp_echo: the same identifier, sequence and data back. An extended
 * echo (RFC 8335 PROBE) is answered only with icmp_echo_enable_probe,
 * off by default (and not modelled). */
static void icmp_echo(struct net *net, struct sk_buff *skb)
{
	const struct icmphdr *req = (const struct icmphdr *)skb->data;

	if (icmp_state(net)->echo_ignore_all) {
		trace_step(net, skb, "icmp_echo", "net.ipv4.icmp_echo_ignore_all=1: no reply");
		return;
	}
	if (req->type == ICMP_EXT_ECHO) {
		trace_step(net, skb, "icmp_echo", "extended echo (PROBE, RFC 8335): net.ipv4.icmp_echo_enable_probe=0, "
			   "no reply");
		return;
	}
	struct icmphdr h = *req;
	h.type = ICMP_ECHOREPLY;
	icmp_reply(net, skb, &h, req + 1, skb->len - 8, ICMP_ECHOREPLY);
}

/* icmp_timestamp (RFC 792): the originate timestamp back, with the time
 * of receipt and of sending, ms since midnight UT (the replay's clock).
 * Counted as an echo reply (OutEchoReps, IcmpMsg OutType0), not
 * OutTimestampReps: what Linux 6.18 shows (diff-kernel, pcaps/icmp-types). */
static enum skb_drop_reason icmp_timestamp(struct net *net, struct sk_buff *skb)
{
	const struct icmphdr *req = (const struct icmphdr *)skb->data;
	uint32_t times[3];

	if (skb->len < 8 + 4) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		trace_step(net, skb, "icmp_timestamp", "%u bytes after the header: no originate timestamp", skb->len - 8);
		return SKB_DROP_REASON_PKT_TOO_SMALL;
	}
	memcpy(&times[0], req + 1, 4);
	times[1] = times[2] = inet_current_timestamp(net);
	struct icmphdr h = *req;
	h.type = ICMP_TIMESTAMPREPLY;
	h.code = 0;
	icmp_reply(net, skb, &h, times, sizeof(times), ICMP_ECHOREPLY);
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

static void icmp_err_trace(struct net *net, const struct sk_buff *skb, int type, int code, const struct iphdr *q)
{
	const uint8_t *th = (const uint8_t *)q + ip_ihl(q) * 4;
	struct jw *a = trace_args(net);
	jw_kv_int(a, "type", type);
	jw_kv_int(a, "code", code);
	jw_kv_str(a, "quoted_saddr", ip_fmt(q->saddr));
	jw_kv_str(a, "quoted_daddr", ip_fmt(q->daddr));
	jw_kv_int(a, "quoted_proto", q->protocol);
	if (q->protocol == IPPROTO_TCP_ || q->protocol == IPPROTO_UDP_) {
		jw_kv_int(a, "quoted_sport", th[0] << 8 | th[1]);
		jw_kv_int(a, "quoted_dport", th[2] << 8 | th[3]);
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		jw_kv_int(a, "mtu", ntohs(((const struct icmphdr *)skb->data)->sequence));
	trace_step(net, skb, "icmp_socket_deliver", "%s code %d about our %s > %s proto %u", icmp_type_name(type), code,
		   ip_fmt(q->saddr), ip_fmt(q->daddr), q->protocol);
}

static enum skb_drop_reason icmp_socket_deliver(struct net *net, struct sk_buff *skb, int type, int code);

/*
 * icmp_unreach - errors (unreachable, time exceeded, parameter problem,
 * source quench) quote a datagram we sent; hand it to its protocol:
 *  1. the quoted IP header must be there, ihl >= 5 (else InErrors);
 *  2. fragment-reassembly time exceeded and unknown unreachable codes stop;
 *  3. icmp_socket_deliver: the quoted header + 8 bytes must be there.
 */
static enum skb_drop_reason icmp_unreach(struct net *net, struct sk_buff *skb, int type, int code)
{
	const struct iphdr *q = (const struct iphdr *)(skb->data + 8);
	uint32_t plen = skb->len - 8;

	if (plen < sizeof(*q)) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		trace_step(net, skb, "icmp_unreach", "only %u bytes quoted: no IP header to match", plen);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (ip_ihl(q) < 5) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		return SKB_DROP_REASON_IP_INHDR;
	}
	if ((type == ICMP_TIME_EXCEEDED && code == ICMP_EXC_FRAGTIME) || (type == ICMP_DEST_UNREACH && code > 15)) {
		trace_step(net, skb, "icmp_unreach", "type %d code %d: nothing for the transport to do", type, code);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	return icmp_socket_deliver(net, skb, type, code);
}

/* icmp_redirect: no route cache or nexthop exceptions here, but the
 * quoted datagram still goes to its protocol's error handler (which would
 * update the socket's route). */
static enum skb_drop_reason icmp_redirect(struct net *net, struct sk_buff *skb, int code)
{
	if (skb->len - 8 < sizeof(struct iphdr)) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		trace_step(net, skb, "icmp_redirect", "only %u bytes quoted: no IP header", skb->len - 8);
		return SKB_DROP_REASON_PKT_TOO_SMALL;
	}
	trace_step(net, skb, "icmp_redirect", "redirect: no route cache or nexthop exceptions to update here");
	return icmp_socket_deliver(net, skb, ICMP_REDIRECT, code);
}

/* icmp_socket_deliver: the quoted header + 8 bytes must be there (else
 * InErrors); then the quoted protocol's error handler. */
/* icmp_err: an error about an ICMP message we sent. About an echo reply
 * (from the kernel's own ICMP socket), a frag-needed lowers the path MTU
 * (ipv4_update_pmtu); anything else is a ping socket's (ping_err). */
static void icmp_err(struct net *net, struct sk_buff *skb, const struct iphdr *q, int type, int code, uint32_t info)
{
	const uint8_t *qi = (const uint8_t *)q + ip_ihl(q) * 4;
	if (qi[0] != ICMP_ECHOREPLY) {
		ping_err(net, skb, q, type, code, info);
		return;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(net, skb, q->daddr, info);
	else
		trace_step(net, skb, "icmp_err", "about an echo reply we sent: nothing to do");
}

static enum skb_drop_reason icmp_socket_deliver(struct net *net, struct sk_buff *skb, int type, int code)
{
	const struct iphdr *q = (const struct iphdr *)(skb->data + 8);
	uint32_t plen = skb->len - 8;
	/* a frag-needed's next-hop MTU (icmph->un.frag.mtu) */
	uint32_t info = type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED
				? ntohs(((const struct icmphdr *)skb->data)->sequence) : 0;

	if (plen < (uint32_t)ip_ihl(q) * 4 + 8) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		trace_step(net, skb, "icmp_socket_deliver", "quoted header + 8 bytes not all there (%u bytes)", plen);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (trace_on(net))
		icmp_err_trace(net, skb, type, code, q);
	if (q->protocol == IPPROTO_UDP_)
		udp_err(net, skb, q, type, code, info);
	else if (q->protocol == IPPROTO_TCP_)
		tcp_v4_err(net, skb, q, type, code, info);
	else if (q->protocol == IPPROTO_ICMP_)
		icmp_err(net, skb, q, type, code, info);
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

static void icmp_in_count(struct net *net, int type)
{
	if (type <= NR_ICMP_TYPES && icmp_mib_in[type] > 0)
		SNMP_INC(net, (enum nj_mib)icmp_mib_in[type]);
}

static int icmp_rcv_error(struct net *net, struct sk_buff *skb, enum skb_drop_reason r)
{
	SNMP_INC(net, MIB_ICMP_INERRORS);
	return skb_drop(net, skb, r);
}

/* RFC 1122 3.2.2.6 / 3.2.2.8: to a broadcast or multicast address, only
 * echo and timestamp (and address-mask) requests are acceptable, and
 * Linux ignores even those with icmp_echo_ignore_broadcasts=1. */
static int icmp_bcast_refused(struct net *net, const struct sk_buff *skb, int type)
{
	uint8_t t = IPCB(skb)->dst.type;
	if (t != RTN_BROADCAST && t != RTN_MULTICAST)
		return 0;
	if (type == ICMP_ECHO || type == ICMP_TIMESTAMP) {
		if (!icmp_state(net)->echo_ignore_broadcasts)
			return 0;
		trace_step(net, skb, "icmp_rcv", "%s to a broadcast/multicast address: ignored "
			   "(net.ipv4.icmp_echo_ignore_broadcasts=1, against smurf attacks)", icmp_type_name(type));
		return 1;
	}
	if (type == ICMP_ADDRESS || type == ICMP_ADDRESSREPLY)
		return 0;
	trace_step(net, skb, "icmp_rcv", "%s to a broadcast/multicast address is not acceptable",
		   icmp_type_name(type));
	return 1;
}

static enum skb_drop_reason icmp_dispatch(struct net *net, struct sk_buff *skb, int type, int code)
{
	switch (type) {
	case ICMP_ECHO:
	case ICMP_EXT_ECHO:
		icmp_echo(net, skb);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	case ICMP_TIMESTAMP:
		return icmp_timestamp(net, skb);
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return icmp_unreach(net, skb, type, code);
	case ICMP_REDIRECT:
		return icmp_redirect(net, skb, code);
	case ICMP_ECHOREPLY:
	case ICMP_EXT_ECHOREPLY:
		return ping_rcv(net, skb);	/* ping.c */
	default:
		trace_step(net, skb, "icmp_discard", "%s: nothing to do (no ping socket)", icmp_type_name(type));
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
}

/*
 * icmp_rcv - in the kernel's order:
 *  1. Icmp.InMsgs; the checksum over the whole message (InCsumErrors);
 *  2. an 8-byte header must be there;
 *  3. the per-type In counter; the extended echo and its reply (RFC 8335)
 *     go straight to their handlers;
 *  4. types above NR_ICMP_TYPES are refused (InErrors);
 *  5. broadcast/multicast destinations (icmp_bcast_refused);
 *  6. the type's handler; a handled message is consumed.
 */
int icmp_rcv(struct net *net, struct sk_buff *skb)
{
	const struct icmphdr *icmph;
	enum skb_drop_reason r;

	trace_enter(net, skb, "icmp_rcv", "icmp", "%u bytes", skb->len);
	SNMP_INC(net, MIB_ICMP_INMSGS);
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_fold(csum_partial(skb->data, skb->len, 0)) != 0) {
		trace_step(net, skb, "icmp_rcv", "checksum over the %u-byte message is wrong", skb->len);
		SNMP_INC(net, MIB_ICMP_INCSUMERRORS);
		return icmp_rcv_error(net, skb, SKB_DROP_REASON_ICMP_CSUM);
	}
	if (!pskb_may_pull(skb, sizeof(*icmph))) {
		trace_step(net, skb, "icmp_rcv", "%u bytes: shorter than an ICMP header", skb->len);
		return icmp_rcv_error(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	icmph = (const struct icmphdr *)skb->data;
	int type = icmph->type, code = icmph->code;
	icmp_in_count(net, type);
	if (type != ICMP_EXT_ECHO && type != ICMP_EXT_ECHOREPLY) {
		if (type > NR_ICMP_TYPES)
			return icmp_rcv_error(net, skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		if (icmp_bcast_refused(net, skb, type))
			return icmp_rcv_error(net, skb, SKB_DROP_REASON_INVALID_PROTO);
	}
	r = icmp_dispatch(net, skb, type, code);
	if (r != SKB_DROP_REASON_NOT_DROPPED_YET)
		return skb_drop(net, skb, r);
	trace_exit(net, skb, V_CONSUMED, 0, "type %d (%s) code %d", type, icmp_type_name(type), code);
	kfree_skb(net, skb);
	return NET_RX_SUCCESS;
}
