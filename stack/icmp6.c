/*
 * icmp6.c - ICMPv6, after net/ipv6/icmp.c (Linux 6.13; named icmp6.c here
 * because icmp.c is IPv4's): icmpv6_rcv (checksum over the pseudo-header,
 * per-type counters, echo replies, errors handed on, neighbour discovery
 * and MLD), and icmp6_send, the error generator with RFC 4443 2.4(e)'s
 * rules, the global limiter shared with IPv4 and the per-destination
 * token bucket whose timeout grows with the route's prefix length.
 * Echo replies go to IPv6 ping sockets (ping.c). Left out: extended echo
 * (RFC 8335), node information queries, mobile
 * IPv6 address swapping, anycast addresses, flow label reflection.
 */
#include "ipv6.h"

#include <string.h>

/* Icmp6.In* / Icmp6.Out* by type (icmp6type2name); MIB_MAX if none. */
static enum nj_mib icmp6_in_mib(int type)
{
	switch (type) {
	case ICMPV6_DEST_UNREACH: return MIB_ICMP6_INDESTUNREACHS;
	case ICMPV6_PKT_TOOBIG: return MIB_ICMP6_INPKTTOOBIGS;
	case ICMPV6_TIME_EXCEED: return MIB_ICMP6_INTIMEEXCDS;
	case ICMPV6_PARAMPROB: return MIB_ICMP6_INPARMPROBLEMS;
	case ICMPV6_ECHO_REQUEST: return MIB_ICMP6_INECHOS;
	case ICMPV6_ECHO_REPLY: return MIB_ICMP6_INECHOREPLIES;
	case ICMPV6_MGM_QUERY: return MIB_ICMP6_INGROUPMEMBQUERIES;
	case ICMPV6_MGM_REPORT: return MIB_ICMP6_INGROUPMEMBRESPONSES;
	case ICMPV6_MGM_REDUCTION: return MIB_ICMP6_INGROUPMEMBREDUCTIONS;
	case NDISC_ROUTER_SOLICITATION: return MIB_ICMP6_INROUTERSOLICITS;
	case NDISC_ROUTER_ADVERTISEMENT: return MIB_ICMP6_INROUTERADVERTISEMENTS;
	case NDISC_NEIGHBOUR_SOLICITATION: return MIB_ICMP6_INNEIGHBORSOLICITS;
	case NDISC_NEIGHBOUR_ADVERTISEMENT: return MIB_ICMP6_INNEIGHBORADVERTISEMENTS;
	case NDISC_REDIRECT: return MIB_ICMP6_INREDIRECTS;
	case ICMPV6_MLD2_REPORT: return MIB_ICMP6_INMLDV2REPORTS;
	default: return MIB_MAX;
	}
}

static enum nj_mib icmp6_out_mib(int type)
{
	switch (type) {
	case ICMPV6_DEST_UNREACH: return MIB_ICMP6_OUTDESTUNREACHS;
	case ICMPV6_PKT_TOOBIG: return MIB_ICMP6_OUTPKTTOOBIGS;
	case ICMPV6_TIME_EXCEED: return MIB_ICMP6_OUTTIMEEXCDS;
	case ICMPV6_PARAMPROB: return MIB_ICMP6_OUTPARMPROBLEMS;
	case ICMPV6_ECHO_REPLY: return MIB_ICMP6_OUTECHOREPLIES;
	case NDISC_NEIGHBOUR_SOLICITATION: return MIB_ICMP6_OUTNEIGHBORSOLICITS;
	case NDISC_NEIGHBOUR_ADVERTISEMENT: return MIB_ICMP6_OUTNEIGHBORADVERTISEMENTS;
	case NDISC_REDIRECT: return MIB_ICMP6_OUTREDIRECTS;
	default: return MIB_MAX;
	}
}

static const char *icmp6_type_name(int t)
{
	switch (t) {
	case ICMPV6_DEST_UNREACH: return "destination unreachable";
	case ICMPV6_PKT_TOOBIG: return "packet too big";
	case ICMPV6_TIME_EXCEED: return "time exceeded";
	case ICMPV6_PARAMPROB: return "parameter problem";
	case ICMPV6_ECHO_REQUEST: return "echo request";
	case ICMPV6_ECHO_REPLY: return "echo reply";
	case ICMPV6_MGM_QUERY: return "MLD query";
	case ICMPV6_MGM_REPORT: return "MLD report";
	case ICMPV6_MGM_REDUCTION: return "MLD done";
	case NDISC_ROUTER_SOLICITATION: return "router solicitation";
	case NDISC_ROUTER_ADVERTISEMENT: return "router advertisement";
	case NDISC_NEIGHBOUR_SOLICITATION: return "neighbour solicitation";
	case NDISC_NEIGHBOUR_ADVERTISEMENT: return "neighbour advertisement";
	case NDISC_REDIRECT: return "redirect";
	case ICMPV6_MLD2_REPORT: return "MLDv2 report";
	default: return t & 0x80 ? "informational" : "error";
	}
}

void icmpv6_push(struct net *net, struct sk_buff *skb, const struct rt6_dst *dst, int ndisc)
{
	struct ipv6hdr *h = (struct ipv6hdr *)skb->data;
	struct icmp6hdr *ih = (struct icmp6hdr *)(h + 1);
	uint32_t len = skb->len - (uint32_t)sizeof(*h);
	enum nj_mib m = icmp6_out_mib(ih->icmp6_type);

	ih->icmp6_cksum = 0;
	ih->icmp6_cksum = htons(csum_ipv6_magic(&h->saddr, &h->daddr, len, NEXTHDR_ICMP, ih));
	memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(skb)->dst = *dst;
	if (ndisc) {		/* ndisc_send_skb: counted once LOCAL_OUT let it through */
		if (ip6_local_out(net, skb) == 0) {
			SNMP_INC(net, MIB_ICMP6_OUTMSGS);
			if (m != MIB_MAX)
				SNMP_INC(net, m);
		}
		return;
	}
	SNMP_INC(net, MIB_ICMP6_OUTMSGS);	/* __ip6_make_skb counts before the hooks */
	if (m != MIB_MAX)
		SNMP_INC(net, m);
	if (ip6_local_out(net, skb) == NET_RX_DROP && net->last_drop == SKB_DROP_REASON_NETFILTER_DROP)
		SNMP_INC(net, MIB_IP6_OUTDISCARDS);	/* ip6_send_skb: the hook refused it */
}

/* icmpv6_mask_allow: only types in net.ipv6.icmp.ratemask (0-1,3-127 by
 * default) are limited; Packet Too Big never (path MTU discovery). */
static int icmpv6_mask_allow(int type)
{
	return type > 127 || type == 2;
}

static struct icmp6_peer *inet_getpeer_v6(struct net *net, const struct in6 *daddr)
{
	struct ipv6_state *s = ipv6_state(net);
	struct icmp6_peer *p = NULL;
	for (int i = 0; i < ICMP6_PEERS; i++) {
		struct icmp6_peer *c = &s->peers[i];
		if (c->used && ipv6_addr_equal(&c->daddr, daddr)) {
			c->last_used_ns = net->now_ns;
			return c;
		}
		if (!p || !c->used || (p->used && c->last_used_ns < p->last_used_ns))
			p = c;
	}
	memset(p, 0, sizeof(*p));
	p->used = 1;
	p->daddr = *daddr;
	p->last_used_ns = net->now_ns;
	/* a new peer's bucket is full: rate_last 60 s back */
	p->rate_last_ns = net->now_ns - 60ULL * 1000000000ULL;
	return p;
}

int inet_peer_xrlim_allow_v6(struct net *net, const struct in6 *addr, uint64_t tmo)
{
	struct icmp6_peer *p = inet_getpeer_v6(net, addr);
	p->rate_tokens_ns += net->now_ns - p->rate_last_ns;
	p->rate_last_ns = net->now_ns;
	if (p->rate_tokens_ns > 6 * tmo)
		p->rate_tokens_ns = 6 * tmo;
	if (p->rate_tokens_ns < tmo)
		return 0;
	p->rate_tokens_ns -= tmo;
	return 1;
}

/* The kernel counts these timeouts in jiffies: HZ 250 (Debian's and the
 * reference kernel's), so a /64's 1 s >> 2 is 62 jiffies, 248 ms. */
#define NJ_HZ		250
#define NJ_JIFFY_NS	(1000000000ULL / NJ_HZ)

int icmpv6_ratelimit_ms(struct net *net)
{
	int ms = ipv6_state(net)->sysctl.icmp_ratelimit_ms;
	return ms >= 0 ? ms : net->kernel == KERNEL_6X ? 100 : 1000;
}

/* icmpv6_xrlim_allow: a bucket of 6 tokens per destination, one per
 * net.ipv6.icmp.ratelimit. Linux 6.18.44 (upstream 0201eedb69b2, 2026,
 * in the 6.18 stable updates) takes it as it is: 100 ms by default. 6.13
 * and older kernels shortened it for wider routes (>> (128 - prefix
 * length) / 32, 248 ms for a /64 at 1 s), which let a /64's sender have 4
 * times the rate the sysctl says; the 2.4/2.6 models keep that. */
static int icmpv6_xrlim_allow(struct net *net, const struct in6 *daddr, const struct rt6_dst *dst)
{
	uint64_t tmo = (uint64_t)icmpv6_ratelimit_ms(net) * NJ_HZ / 1000;	/* jiffies */
	if (net->kernel != KERNEL_6X && dst->plen < 128)
		tmo >>= (128 - dst->plen) >> 5;
	tmo *= NJ_JIFFY_NS;
	if (!inet_peer_xrlim_allow_v6(net, daddr, tmo)) {
		SNMP_INC(net, MIB_ICMP6_OUTRATELIMITHOST);
		return 0;
	}
	icmp_global_consume(net);
	return 1;
}

/* is_ineligible: never an error about an ICMPv6 error (RFC 4443 2.4(e.1)). */
int icmpv6_is_ineligible(const struct sk_buff *skb)
{
	uint8_t nexthdr = ipv6_hdr(skb)->nexthdr;
	uint16_t frag_off;
	int ptr = ipv6_skip_exthdr(skb, (int)sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (ptr < 0 || nexthdr != NEXTHDR_ICMP)
		return 0;
	const uint8_t *tp = skb_network_header(skb) + ptr;
	if (tp + 1 > skb_tail_pointer(skb))
		return frag_off == 0;
	return !(*tp & 0x80);
}

/* icmp6_send's rules before any limiter, in the kernel's order; NULL if
 * an error may be sent. *saddr is set when the packet was sent to us. */
static const char *icmp6_send_forbidden(struct net *net, const struct sk_buff *skb, uint8_t type, uint8_t code,
					uint32_t info, const struct in6 **saddr)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	if ((const uint8_t *)hdr < skb->head || (const uint8_t *)(hdr + 1) > skb_tail_pointer(skb) || !skb->dev)
		return "its IPv6 header is not in the buffer";
	*saddr = ipv6_chk_addr(net, &hdr->daddr, skb->dev) || ipv6_chk_acast_addr(net, skb->dev, &hdr->daddr) ?
		 &hdr->daddr : NULL;
	if (ipv6_addr_is_multicast(&hdr->daddr) || skb->pkt_type != PACKET_HOST) {
		const uint8_t *op = skb_network_header(skb) + info;
		int unrec = op >= skb_tail_pointer(skb) || (*op & 0xc0) == 0x80;
		if (type != ICMPV6_PKT_TOOBIG && !(type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_OPTION && unrec))
			return "it was sent to a multicast address or another link-layer address (RFC 4443 2.4(e.3))";
		*saddr = NULL;
	}
	if (ipv6_addr_any(&hdr->saddr) || ipv6_addr_is_multicast(&hdr->saddr))
		return "its source :: or multicast does not name one node (RFC 4443 2.4(e.5))";
	if (icmpv6_is_ineligible(skb))
		return "it is itself an ICMPv6 error (errors about errors could loop)";
	return NULL;
}

static void icmp6_not_sent(struct net *net, const char *why)
{
	trace_exit(net, NULL, V_PASS, 0, "no ICMPv6 sent: %s", why);
}

/* The ICMPv6 socket's send buffer, as the ICMP one's (icmp.c): full of
 * messages held on unresolved neighbours, ip6_append_data fails. */
static int icmp6_sndbuf_full(struct net *net)
{
	if (net->icmp6_wmem_alloc < ICMP_SNDBUF)
		return 0;
	trace_step(net, NULL, "sock_alloc_send_skb", "the ICMPv6 socket's send buffer is full: %u bytes held by "
		   "messages not yet sent (waiting on a neighbour, say), sk_sndbuf %u: not sent",
		   net->icmp6_wmem_alloc, ICMP_SNDBUF);
	return 1;
}

/* skb charged to the ICMPv6 socket; NULL counted as ip6_append_data's
 * failure (Icmp6.OutErrors, Ip6.OutDiscards). Returns skb. */
static struct sk_buff *icmp6_charge(struct net *net, struct sk_buff *skb)
{
	if (!skb) {
		SNMP_INC(net, MIB_IP6_OUTDISCARDS);
		SNMP_INC(net, MIB_ICMP6_OUTERRORS);
		return NULL;
	}
	skb->icmp_owned = 2;
	net->icmp6_wmem_alloc += skb->truesize;
	return skb;
}

/* The message: our header, then as much of the offending packet as keeps
 * the whole within the minimum MTU of 1280 (RFC 4443 2.4(c)). */
static struct sk_buff *icmp6_build_error(struct net *net, const struct sk_buff *skb, const struct in6 *saddr,
					 uint8_t type, uint8_t code, uint32_t info, uint32_t *quoted)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint32_t len = (uint32_t)(skb_tail_pointer(skb) - skb_network_header(skb));
	uint32_t room = IPV6_MIN_MTU - (uint32_t)sizeof(struct ipv6hdr) - 8;
	uint8_t *p;
	if (len > room)
		len = room;
	struct sk_buff *nskb = icmp6_sndbuf_full(net) ? NULL : ip6_build(net, saddr, &hdr->saddr, NEXTHDR_ICMP,
									(uint8_t)ipv6_state(net)->sysctl.hop_limit, 8 + len, &p);
	if (!icmp6_charge(net, nskb))
		return NULL;
	struct icmp6hdr *ih = (struct icmp6hdr *)p;
	memset(ih, 0, sizeof(*ih));
	ih->icmp6_type = type;
	ih->icmp6_code = code;
	ih->icmp6_pointer = htonl(info);
	memcpy(p + 8, hdr, len);
	*quoted = len;
	return nskb;
}

/* The source (when the packet was not for one of our addresses: from the
 * arrival device) and the route back. 0, or -1 with nothing to send. */
static int icmp6_route(struct net *net, const struct sk_buff *skb, const struct in6 *daddr,
		       struct in6 *saddr, int have_saddr, struct rt6_dst *dst)
{
	int oif = ipv6_addr_linklocal(daddr) ? IP6CB(skb)->iif : 0;
	if (ip6_route_output(net, daddr, oif, dst) < 0) {
		SNMP_INC(net, MIB_IP6_OUTNOROUTES);
		return -1;
	}
	if (have_saddr)
		return 0;
	struct net_device *in = dev_get_by_index(net, IP6CB(skb)->iif);
	if (!in)
		in = dev_get_by_index(net, dst->oif);
	return in ? ipv6_dev_get_saddr(net, in, daddr, saddr) : -1;
}

/*
 * icmpv6_send - icmp6_send, in the kernel's order:
 *  1. the rules (icmp6_send_forbidden);
 *  2. the global limiter for rate-limited types → Icmp.OutRateLimitGlobal;
 *  3. the source address and the route back;
 *  4. the per-destination limiter → Icmp6.OutRateLimitHost;
 *  5. quote up to 1232 bytes, build and send.
 */
void icmpv6_send(struct net *net, struct sk_buff *skb, uint8_t type, uint8_t code, uint32_t info)
{
	const struct in6 *ours = NULL;
	struct in6 saddr, daddr;
	struct rt6_dst dst;
	uint32_t quoted;

	trace_enter(net, skb, "icmp6_send", "icmp", "%s (type %u code %u)", icmp6_type_name(type), type, code);
	const char *why = icmp6_send_forbidden(net, skb, type, code, info, &ours);
	if (why)
		return icmp6_not_sent(net, why);
	int limited = !icmpv6_mask_allow(type);
	if (limited && !icmp_global_allow_shared(net)) {
		SNMP_INC(net, MIB_ICMP_OUTRATELIMITGLOBAL);
		return icmp6_not_sent(net, "icmp_msgs_per_sec/icmp_msgs_burst exhausted (shared with IPv4)");
	}
	daddr = ipv6_hdr(skb)->saddr;
	if (ours)
		saddr = *ours;
	if (icmp6_route(net, skb, &daddr, &saddr, ours != NULL, &dst) < 0)
		return icmp6_not_sent(net, "no route or source address back to the sender");
	if (limited && !icmpv6_xrlim_allow(net, &daddr, &dst))
		return icmp6_not_sent(net, "net.ipv6.icmp.ratelimit: this destination had its share");
	struct sk_buff *nskb = icmp6_build_error(net, skb, &saddr, type, code, info, &quoted);
	if (!nskb)
		return icmp6_not_sent(net, "no buffer for it (ip6_append_data failed)");
	nskb->pkt = skb->pkt;
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_int(a, "type", type);
		jw_kv_int(a, "code", code);
		jw_kv_uint(a, "info", info);
		jw_kv_str(a, "saddr", in6_fmt(&saddr));
		jw_kv_str(a, "daddr", in6_fmt(&daddr));
		jw_kv_uint(a, "quoted", quoted);
	}
	trace_step(net, skb, "icmpv6_push_pending_frames", "%s type %u code %u (info %u) from %s to %s quoting %u bytes",
		   icmp6_type_name(type), type, code, info, in6_fmt(&saddr), in6_fmt(&daddr), quoted);
	icmpv6_push(net, nskb, &dst, 0);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

void icmpv6_param_prob_reason(struct net *net, struct sk_buff *skb, uint8_t code, uint32_t pos,
			      enum skb_drop_reason reason)
{
	icmpv6_send(net, skb, ICMPV6_PARAMPROB, code, pos);
	kfree_skb_reason(net, skb, reason);
}

/* icmpv6_echo_reply - identifier, sequence and data back, from the
 * address pinged when it was a unicast one of ours, traffic class kept;
 * echo replies are not rate limited (type 129 is outside the ratemask). */
static enum skb_drop_reason icmpv6_echo_reply(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct ipv6_state *s = ipv6_state(net);
	struct in6 saddr, daddr = hdr->saddr;
	struct rt6_dst dst;
	uint8_t *p;

	if (ipv6_addr_is_multicast(&hdr->daddr) && s->sysctl.echo_ignore_multicast)
		return SKB_DROP_REASON_NOT_SPECIFIED;
	/* an anycast destination is not the source either (anycast_src_echo_reply 0) */
	int unicast = !ipv6_addr_is_multicast(&hdr->daddr) && IP6CB(skb)->dst.type != RTN_ANYCAST;
	if (unicast)
		saddr = hdr->daddr;
	if (icmp6_route(net, skb, &daddr, &saddr, unicast, &dst) < 0) {
		trace_step(net, skb, "icmpv6_echo_reply", "no route back to %s: no reply", in6_fmt(&daddr));
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	dst.oif = IP6CB(skb)->iif;		/* fl6.flowi6_oif = icmp6_iif(skb) */
	struct sk_buff *nskb = icmp6_sndbuf_full(net) ? NULL : ip6_build(net, &saddr, &daddr, NEXTHDR_ICMP,
									(uint8_t)s->sysctl.hop_limit, skb->len, &p);
	if (!icmp6_charge(net, nskb))
		return SKB_DROP_REASON_NOT_SPECIFIED;	/* ip6_append_data failed */
	uint8_t tc = ipv6_get_dsfield(hdr);
	nskb->data[0] = (uint8_t)(0x60 | tc >> 4);
	nskb->data[1] = (uint8_t)(tc << 4);
	memcpy(p, skb->data, skb->len);
	p[0] = ICMPV6_ECHO_REPLY;
	nskb->pkt = skb->pkt;
	const struct icmp6hdr *req = (const struct icmp6hdr *)skb->data;
	trace_step(net, skb, "icmpv6_echo_reply", "echo reply id %u seq %u, %u data bytes, %s > %s",
		   ntohs(req->icmp6_identifier), ntohs(req->icmp6_sequence), skb->len - 8, in6_fmt(&saddr),
		   in6_fmt(&daddr));
	icmpv6_push(net, nskb, &dst, 0);
	return SKB_DROP_REASON_NOT_DROPPED_YET;	/* consumed */
}

/*
 * icmpv6_notify - an error about a packet we sent: the quoted IPv6
 * header and, past its extension headers, 8 bytes of the upper-layer
 * header must be there (else Icmp6.InErrors); then the protocol's
 * err_handler: TCP's (tcp_v6_err) or UDP's (udpv6_err); ICMPv6's own
 * (icmpv6_err) takes a Packet Too Big's path MTU; others are shown and
 * consumed.
 */
static enum skb_drop_reason icmpv6_notify(struct net *net, struct sk_buff *skb, int type, int code)
{
	if (!pskb_may_pull(skb, 8 + sizeof(struct ipv6hdr))) {
		SNMP_INC(net, MIB_ICMP6_INERRORS);
		trace_step(net, skb, "icmpv6_notify", "quoted IPv6 header not all there");
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	/* the Packet Too Big's MTU (icmp6_mtu), read once the header is there */
	uint32_t info = (uint32_t)skb->data[4] << 24 | (uint32_t)skb->data[5] << 16 | (uint32_t)skb->data[6] << 8 |
			skb->data[7];
	const struct ipv6hdr *q = (const struct ipv6hdr *)(skb->data + 8);
	uint8_t nexthdr = q->nexthdr;
	int inner = (int)sizeof(struct ipv6hdr);
	const uint8_t *qp = (const uint8_t *)q;
	while (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_DEST) {
		if (8 + (uint32_t)inner + 8 > skb->len) {
			SNMP_INC(net, MIB_ICMP6_INERRORS);
			return SKB_DROP_REASON_IPV6_BAD_EXTHDR;
		}
		nexthdr = qp[inner];
		inner += (qp[inner + 1] + 1) << 3;
	}
	if (8 + (uint32_t)inner + 8 > skb->len) {
		SNMP_INC(net, MIB_ICMP6_INERRORS);
		trace_step(net, skb, "icmpv6_notify", "quoted header + 8 bytes not all there (%u bytes)", skb->len - 8);
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_int(a, "type", type);
		jw_kv_int(a, "code", code);
		jw_kv_str(a, "quoted_saddr", in6_fmt(&q->saddr));
		jw_kv_str(a, "quoted_daddr", in6_fmt(&q->daddr));
		jw_kv_int(a, "quoted_proto", nexthdr);
	}
	if (nexthdr == NEXTHDR_TCP) {	/* inet6_protos[]'s err_handler */
		trace_step(net, skb, "icmpv6_notify", "%s code %d about our %s > %s: for TCP", icmp6_type_name(type), code,
			   in6_fmt(&q->saddr), in6_fmt(&q->daddr));
		tcp_v6_err(net, skb, q, qp + inner, type, code, type == ICMPV6_PKT_TOOBIG ? info : 0);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (nexthdr == NEXTHDR_UDP) {
		trace_step(net, skb, "icmpv6_notify", "%s code %d about our %s > %s: for UDP", icmp6_type_name(type), code,
			   in6_fmt(&q->saddr), in6_fmt(&q->daddr));
		udpv6_err(net, skb, q, qp + inner, type, code, type == ICMPV6_PKT_TOOBIG ? info : 0);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (nexthdr == NEXTHDR_ICMP && type == ICMPV6_PKT_TOOBIG) {
		/* icmpv6_err: whatever ICMPv6 message it quotes, the path MTU */
		ip6_update_pmtu(net, skb, &q->daddr, info);
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	trace_step(net, skb, "icmpv6_notify", "%s code %d about our %s > %s next header %u: no IPv6 socket to tell",
		   icmp6_type_name(type), code, in6_fmt(&q->saddr), in6_fmt(&q->daddr), nexthdr);
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/* MLD as a host (net/ipv6/mcast.c): a query (from a link-local source,
 * RFC 3810 6.2) would schedule our reports; a report from another member
 * (link-local or :: source) cancels our own pending one for that group. */
static enum skb_drop_reason igmp6_event(struct net *net, struct sk_buff *skb, int type)
{
	const struct in6 *src = &ipv6_hdr(skb)->saddr;
	if (type == ICMPV6_MGM_REPORT && skb->pkt_type != PACKET_MULTICAST && skb->pkt_type != PACKET_BROADCAST) {
		trace_step(net, skb, "igmp6_event_report", "a report not sent to a link-layer group: ignored");
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	if (skb->len < 24) {
		trace_step(net, skb, "igmp6_event", "%u bytes: shorter than an MLD message", skb->len);
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	if (!ipv6_addr_linklocal(src) && (type == ICMPV6_MGM_QUERY || !ipv6_addr_any(src))) {
		trace_step(net, skb, type == ICMPV6_MGM_QUERY ? "igmp6_event_query" : "igmp6_event_report",
			   "source %s is not link-local: dropped (RFC 3810 6.2)", in6_fmt(src));
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	struct in6 group;
	memcpy(&group, skb->data + 8, 16);
	if (type == ICMPV6_MGM_QUERY)
		trace_step(net, skb, "igmp6_event_query", "query for %s: our reports would follow after a random delay "
			   "(not modelled)", ipv6_addr_any(&group) ? "all groups" : in6_fmt(&group));
	else
		trace_step(net, skb, "igmp6_event_report", "another member reported %s: our pending report for it is "
			   "cancelled", in6_fmt(&group));
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

static enum skb_drop_reason icmpv6_dispatch(struct net *net, struct sk_buff *skb, int type, int code)
{
	switch (type) {
	case ICMPV6_ECHO_REQUEST:
		if (ipv6_state(net)->sysctl.echo_ignore_all) {
			trace_step(net, skb, "icmpv6_rcv", "net.ipv6.icmp.echo_ignore_all = 1: no reply");
			return SKB_DROP_REASON_NOT_SPECIFIED;
		}
		return icmpv6_echo_reply(net, skb);
	case ICMPV6_ECHO_REPLY:
		return ping_v6_rcv(net, skb);	/* ping.c */
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		return icmpv6_notify(net, skb, type, code);
	case ICMPV6_MGM_QUERY:
	case ICMPV6_MGM_REPORT:
		return igmp6_event(net, skb, type);
	case ICMPV6_MGM_REDUCTION:
	case ICMPV6_MLD2_REPORT:
		trace_step(net, skb, "icmpv6_rcv", "%s: routers care, a host does nothing", icmp6_type_name(type));
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	default:
		if (type & 0x80) {
			trace_step(net, skb, "icmpv6_rcv", "informational type %d: nothing to do", type);
			return SKB_DROP_REASON_NOT_DROPPED_YET;
		}
		return icmpv6_notify(net, skb, type, code);	/* an error of unknown type */
	}
}

/*
 * icmpv6_rcv - in the kernel's order:
 *  1. Icmp6.InMsgs; the checksum over the pseudo-header and the whole
 *     message (Icmp6.InCsumErrors and Icmp6.InErrors);
 *  2. a 4-byte header must be there (Icmp6.InErrors);
 *  3. the per-type In counter;
 *  4. the type's handler (neighbour discovery in ndisc.c); what it did
 *     not drop is consumed.
 * Always returns 0 (Ip6.InDelivers is counted whatever happened).
 */
int icmpv6_rcv(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	enum skb_drop_reason r;

	trace_enter(net, skb, "icmpv6_rcv", "icmp", "%u bytes %s > %s", skb->len, in6_fmt(&hdr->saddr),
		    in6_fmt(&hdr->daddr));
	SNMP_INC(net, MIB_ICMP6_INMSGS);
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_ipv6_magic(&hdr->saddr, &hdr->daddr, skb->len, NEXTHDR_ICMP, skb->data) != 0) {
		trace_step(net, skb, "icmpv6_rcv", "checksum over the pseudo-header and %u bytes is wrong", skb->len);
		SNMP_INC(net, MIB_ICMP6_INCSUMERRORS);
		SNMP_INC(net, MIB_ICMP6_INERRORS);
		skb_drop(net, skb, SKB_DROP_REASON_ICMP_CSUM);
		return 0;
	}
	if (!pskb_may_pull(skb, 4)) {
		SNMP_INC(net, MIB_ICMP6_INERRORS);
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	}
	int type = skb->data[0], code = skb->data[1];
	enum nj_mib m = icmp6_in_mib(type);
	if (m != MIB_MAX)
		SNMP_INC(net, m);
	if (type >= NDISC_ROUTER_SOLICITATION && type <= NDISC_REDIRECT) {
		trace_ret(net, ndisc_rcv(net, skb));	/* it owns skb */
		return 0;
	}
	r = icmpv6_dispatch(net, skb, type, code);
	if (r != SKB_DROP_REASON_NOT_DROPPED_YET) {
		skb_drop(net, skb, r);
		return 0;
	}
	trace_exit(net, skb, V_CONSUMED, 0, "type %d (%s) code %d", type, icmp6_type_name(type), code);
	kfree_skb(net, skb);
	return 0;
}
