/*
 * tcp_ipv6.c - TCP over IPv6, after net/ipv6/tcp_ipv6.c (Linux 6.13):
 * tcp_v6_rcv's header and checksum checks (over the IPv6 pseudo-header),
 * counted in the Tcp group as Linux does for both families, the lookup on
 * the shared tables (__inet6_lookup_skb), then the same socket code as
 * IPv4: TIME_WAIT and request socks, tcp_v6_do_rcv → tcp_rcv_state_process.
 * Replies leave through tcp_v6_send_reset / tcp_v6_send_ack (RFC 793 reset
 * generation) and a socket's segments through tcp_v6_xmit
 * (inet6_csk_xmit), all over ip6_local_out and neighbour discovery.
 * The IPv4-specific parts of the shared code ask skb->protocol or
 * sk->family, where Linux calls through icsk_af_ops and rsk_ops.
 * tcp_v6_err tells a socket of an ICMPv6 error about its segments.
 * Left out: the flow label (auto_flowlabels hashes one; ours is 0), path
 * MTU from Packet Too Big, redirects to a socket, IPv4-mapped addresses on
 * IPv6 sockets (a dual-stack listener's IPv4 children are IPv4 sockets,
 * as tcp_v6_syn_recv_sock's mapped children behave), MD5/AO, SYN cookies.
 */
#include "ipv6.h"
#include "sock.h"
#include "tcp.h"

#include <errno.h>
#include <string.h>

/* The TCP header of an outgoing segment at th (tcplen bytes in all). */
static void tcp_v6_fill_th(struct tcphdr *th, const struct in6 *saddr, const struct in6 *daddr, uint16_t sport,
			   uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			   const uint8_t *opt, uint32_t optlen, uint32_t tcplen)
{
	memset(th, 0, 20);
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(flags & TCPHDR_ACK ? ack : 0);
	th->doff_res = (uint8_t)(((20 + optlen) / 4) << 4);
	th->flags = flags;
	th->window = htons(win);
	if (optlen)
		memcpy((uint8_t *)th + 20, opt, optlen);
	th->check = htons(csum_ipv6_magic(saddr, daddr, tcplen, NEXTHDR_TCP, th));
}

int tcp_v6_xmit(struct net *net, uint8_t tclass, const struct in6 *saddr, const struct in6 *daddr, int oif,
		uint16_t sport,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
		uint32_t optlen, const void *data, uint32_t len)
{
	uint32_t tcplen = 20 + optlen + len;
	struct rt6_dst dst;
	uint8_t *p;

	if (optlen > 40 || (optlen & 3) || !sock_table(net))
		return -1;
	if (ip6_route_output(net, daddr, ipv6_addr_linklocal(daddr) ? oif : 0, &dst)) {
		SNMP_INC(net, MIB_IP6_OUTNOROUTES);
		net->last_drop = SKB_DROP_REASON_IP_OUTNOROUTES;
		return -1;
	}
	struct sk_buff *skb = ip6_build(net, saddr, daddr, NEXTHDR_TCP, (uint8_t)ipv6_state(net)->sysctl.hop_limit,
					tcplen, &p);
	if (!skb)
		return -1;
	if (len)
		memcpy(p + 20 + optlen, data, len);
	tcp_v6_fill_th((struct tcphdr *)p, saddr, daddr, sport, dport, seq, ack, flags, win, opt, optlen, tcplen);
	skb->data[0] = (uint8_t)(0x60 | tclass >> 4);		/* the traffic class's ECN bits */
	skb->data[1] = (uint8_t)((skb->data[1] & 0x0f) | tclass << 4);
	memset(IP6CB(skb), 0, sizeof(struct inet6_skb_parm));
	IP6CB(skb)->dst = dst;
	skb->pkt = net->cur_pkt;
	if (net->socks && net->socks->tx_gso_size && len > net->socks->tx_gso_size)
		skb->gso_size = net->socks->tx_gso_size;
	SNMP_ADD(net, MIB_TCP_OUTSEGS, skb->gso_size ? (len + skb->gso_size - 1) / skb->gso_size : 1);	/* tcp_skb_pcount */
	if (flags & TCPHDR_RST)
		SNMP_INC(net, MIB_TCP_OUTRSTS);
	return ip6_local_out(net, skb) == 0 ? 0 : -1;
}

/* The interface a link-local peer is reached through: the one it came in on. */
static int tcp_v6_iif(const struct sk_buff *skb)
{
	return IP6CB(skb)->iif;	/* TCP_SKB_CB keeps the IP6CB's first field */
}

/* tcp_v6_send_reset: RST from the segment's destination back to its
 * source under RFC 793's rules (as tcp_v4_send_reset). */
void tcp_v6_send_reset(struct net *net, const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCPHDR_RST;

	if (th->flags & TCPHDR_RST || tcp_recorded_hold(net, sk, "a RST"))
		return;
	if (!sk && ipv6_addr_is_multicast(&hdr->daddr))
		return;
	if (th->flags & TCPHDR_ACK) {
		seq = cb->ack_seq;
	} else {
		flags |= TCPHDR_ACK;
		ack = cb->end_seq;
	}
	trace_enter(net, NULL, "tcp_v6_send_reset", "tcp", "RST [%s]:%u > [%s]:%u Flags %s seq %u ack %u (%s)",
		    in6_fmt(&hdr->daddr), ntohs(th->dest), in6_fmt(&hdr->saddr), ntohs(th->source), tcp_flags_str(flags),
		    seq, ack, th->flags & TCPHDR_ACK ? "seq = the segment's ack" : "seq 0, ack = seq + its length");
	int r = tcp_v6_xmit(net, 0, &hdr->daddr, &hdr->saddr, tcp_v6_iif(skb), th->dest, th->source, seq, ack, flags, 0,
			    NULL, 0, NULL, 0);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

void tcp_v6_send_ack(struct net *net, const struct sk_buff *skb, uint32_t seq, uint32_t ack, uint16_t win,
		     const struct sock *ts, const char *why)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint8_t opt[40];
	uint32_t optlen = 0;

	if (ts && ts->tstamp_ok) {
		struct sock t = *ts;
		t.num_sacks = t.dsack = 0;
		optlen = tcp_established_options(net, &t, opt);
	}
	if (trace_on(net) && optlen)
		jw_kv_str(trace_args(net), "options", tcp_opts_fmt(opt, optlen));
	trace_enter(net, NULL, "tcp_v6_send_ack", "tcp", "ACK seq %u ack %u win %u%s%s%s (%s)", seq, ack, win,
		    optlen ? ", options [" : "", optlen ? tcp_opts_fmt(opt, optlen) : "", optlen ? "]" : "", why);
	int r = tcp_v6_xmit(net, 0, &hdr->daddr, &hdr->saddr, tcp_v6_iif(skb), th->dest, th->source, seq, ack,
			    TCPHDR_ACK, win, opt, optlen, NULL, 0);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

void tcp_v6_init_req(struct sock *req, const struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);

	req->family = AF_INET6;
	req->v6_saddr = hdr->daddr;
	req->v6_daddr = hdr->saddr;
	req->saddr = ipv6_addr_hash(&hdr->daddr);
	req->daddr = ipv6_addr_hash(&hdr->saddr);
}

int tcp_v6_do_rcv(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return tcp_v4_do_rcv(net, sk, skb);	/* names itself after the skb's family */
}

/* tcp_v6_fill_cb: seq/end_seq/ack/flags into TCP_SKB_CB (host order). */
static void tcp_v6_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t hl = (uint32_t)(th->doff_res >> 4) * 4;
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->tcp_flags = th->flags;
	cb->window = ntohs(th->window);
	cb->end_seq = cb->seq + !!(th->flags & TCPHDR_SYN) + !!(th->flags & TCPHDR_FIN) + (skb->len - hl);
}

/* __inet6_lookup_skb: the established hash (TIME_WAIT and request socks
 * too), then the listeners. */
static struct sock *__inet6_lookup_skb(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct sock *sk = __inet6_lookup_established(net, &hdr->saddr, th->source, &hdr->daddr, th->dest);
	const char *table = "established";

	if (!sk) {
		sk = inet6_lookup_listener(net, &hdr->daddr, th->dest);
		table = "listening";
	}
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		if (th->doff_res >> 4 > 5)
			jw_kv_str(a, "options", tcp_options_str(skb->data, skb->len));
		jw_kv_str(a, "table", sk ? table : "none");
		jw_kv_str(a, "state", sk ? tcp_state_name(sk->state) : "none");
		if (sk)
			jw_kv_str(a, "sk", sk_fmt(sk));
	}
	trace_step(net, skb, "__inet6_lookup_skb", "4. [%s]:%u > [%s]:%u: %s%s%s", in6_fmt(&hdr->saddr),
		   ntohs(th->source), in6_fmt(&hdr->daddr), ntohs(th->dest), sk ? tcp_state_name(sk->state) : "no socket",
		   sk ? " socket in the " : "", sk ? table : "");
	return sk;
}

static int tcp_v6_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r, const char *why)
{
	trace_step(net, skb, "tcp_v6_rcv", "%s", why);
	skb_drop(net, skb, r);
	return 0;
}

/* The socket's part of tcp_v6_rcv: nobody (RST), TIME_WAIT, a request
 * sock (the handshake's ACK), or a listener or full socket. */
static int tcp_v6_rcv_sk(struct net *net, struct sk_buff *skb)
{
	sock_reap(net);
	tcp_v6_fill_cb(skb, (const struct tcphdr *)skb->data);
	struct sock *sk = __inet6_lookup_skb(net, skb);
	if (!sk) {
		tcp_v6_send_reset(net, NULL, skb);
		return skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
	}
	if (sk->state == TCP_TIME_WAIT)
		return tcp_do_time_wait(net, sk, skb);
	if (sk->state == TCP_NEW_SYN_RECV)
		return tcp_rcv_req(net, sk, skb);
	return tcp_v6_do_rcv(net, sk, skb);
}

/*
 * tcp_v6_rcv - in the kernel's order:
 *  1. unicast frames only; then Tcp.InSegs;
 *  2. a 20-byte header, data offset >= 5 (Tcp.InErrs), all of it present;
 *  3. the checksum over the IPv6 pseudo-header (Tcp.InCsumErrors);
 *  4. the socket (__inet6_lookup_skb): none → tcp_v6_send_reset,
 *     NO_SOCKET; else the socket code IPv4 uses.
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
	/* The shared socket code closes tcp_v6_rcv's frame when it drops the
	 * segment (skb_drop) and leaves it open otherwise; IPv6's deliver loop
	 * wants it closed and 0 back either way. */
	int depth = net->tr.depth;
	int r = tcp_v6_rcv_sk(net, skb);
	if (net->tr.depth == depth)
		trace_ret(net, r);
	return 0;
}

/* icmpv6_err_convert: the errno an ICMPv6 error stands for, and whether it
 * is fatal (a hard error ends a request sock). */
static int icmpv6_err_convert(int type, int code, int *fatal)
{
	static const struct { int err, fatal; } unreach[] = {
		{ ENETUNREACH, 0 }, { EACCES, 1 }, { EHOSTUNREACH, 0 }, { EHOSTUNREACH, 0 },
		{ ECONNREFUSED, 1 }, { EACCES, 1 }, { EACCES, 1 },
	};
	*fatal = type == ICMPV6_PARAMPROB;
	if (type == ICMPV6_DEST_UNREACH && code >= 0 && code <= 6) {
		*fatal = unreach[code].fatal;
		return unreach[code].err;
	}
	return type == ICMPV6_PKT_TOOBIG ? EMSGSIZE : type == ICMPV6_PARAMPROB ? EPROTO : EHOSTUNREACH;
}

/* tcp_mtu_to_mss: what an MTU leaves a segment's data, options aside, no
 * more than the MSS the connection had synced to its wider path. */
static uint32_t tcp_v6_mtu_to_mss(const struct sock *sk, uint32_t mtu)
{
	uint32_t opts = sk->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0, clamp = tcp_send_mss(sk) + opts;
	int32_t mss = (int32_t)mtu - 60;
	if (mss > (int32_t)clamp)
		mss = (int32_t)clamp;
	return (uint32_t)((mss < TCP_MIN_SND_MSS ? TCP_MIN_SND_MSS : mss) - (int32_t)opts);
}

/*
 * tcp_v6_mtu_reduced (RFC 8201): a Packet Too Big that would not lower the
 * MSS is dropped first; otherwise the route to the peer takes the new
 * path MTU and, if the MSS was synced to a wider one, it shrinks and what
 * is in flight too long goes again (tcp_simple_retransmit).
 */
static void tcp_v6_mtu_reduced(struct net *net, struct sk_buff *skb, struct sock *sk, uint32_t mtu)
{
	if (sk->state == TCP_LISTEN || sk->state == TCP_CLOSE)
		return;
	if (tcp_v6_mtu_to_mss(sk, mtu) >= tcp_send_mss(sk)) {
		trace_step(net, skb, "tcp_v6_mtu_reduced", "%s: MTU %u would not lower the MSS (%u): ignored",
			   sk_fmt(sk), mtu, tcp_send_mss(sk));
		return;
	}
	struct rt6_dst dst;
	uint32_t cookie = sk->pmtu_cookie;
	if (!cookie && ip6_route_output(net, &sk->v6_daddr, sk->ifindex, &dst) == 0) {
		/* the route's device's MTU (or the router advertisement's) */
		const struct net_device *dev = dev_get_by_index(net, dst.oif);
		const struct inet6_dev *idev = in6_dev_get(net, dev);
		cookie = idev && idev->mtu6 ? idev->mtu6 : dev ? dev->mtu : 1500;
	}
	uint32_t dmtu = ip6_update_pmtu(net, skb, &sk->v6_daddr, mtu);
	if (!dmtu || cookie <= dmtu)
		return;
	tcp_mtu_shrink(net, skb, sk, "tcp_v6_mtu_reduced", cookie, dmtu);
}

void tcp_v6_err(struct net *net, struct sk_buff *skb, const struct ipv6hdr *q, const uint8_t *thp, int type, int code,
		uint32_t info)
{
	const struct tcphdr *th = (const struct tcphdr *)thp;	/* ports and seq: 8 bytes */
	struct sock *sk = __inet6_lookup_established(net, &q->daddr, th->dest, &q->saddr, th->source);
	uint32_t seq = ntohl(th->seq);
	int fatal, err = icmpv6_err_convert(type, code, &fatal);

	trace_enter(net, skb, "tcp_v6_err", "tcp", "ICMPv6 type %d code %d about [%s]:%u > [%s]:%u seq %u", type, code,
		    in6_fmt(&q->saddr), ntohs(th->source), in6_fmt(&q->daddr), ntohs(th->dest), seq);
	if (!sk) {
		SNMP_INC(net, MIB_ICMP6_INERRORS);
		trace_exit(net, skb, V_CONSUMED, 0, "no matching socket (Icmp6.InErrors)");
		return;
	}
	if (sk->state == TCP_TIME_WAIT) {
		trace_exit(net, skb, V_CONSUMED, 0, "TIME_WAIT socket: ignored");
		return;
	}
	if (sk->state == TCP_NEW_SYN_RECV) {
		tcp_req_err(net, skb, sk, seq, fatal);
		return;
	}
	if (!between(seq, sk->snd_una, sk->snd_nxt)) {
		SNMP_INC(net, MIB_TCPEXT_OUTOFWINDOWICMPS);
		trace_exit(net, skb, V_CONSUMED, 0, "quoted seq is outside [snd_una, snd_nxt]: ignored");
		return;
	}
	if (type == NDISC_REDIRECT) {
		trace_exit(net, skb, V_CONSUMED, 0, "%s", "a redirect: the socket's route would change (not modelled)");
		return;
	}
	if (type == ICMPV6_PKT_TOOBIG) {
		if (info < IPV6_MIN_MTU)
			trace_step(net, skb, "tcp_v6_err", "MTU %u is below IPv6's minimum 1280: ignored", info);
		else
			tcp_v6_mtu_reduced(net, skb, sk, info);
		trace_exit(net, skb, V_CONSUMED, 0, "%s", "path MTU discovery");
		return;
	}
	sk->err_soft = err;
	if (sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV) {	/* any error ends a handshake */
		tcp_done(net, sk);
		tcp_trace_sk_gone(net, sk);
		trace_exit(net, skb, V_CONSUMED, 0, "hard error %d during the handshake: connection aborted", err);
		return;
	}
	trace_exit(net, skb, V_CONSUMED, 0, "%s: recorded as a soft error (errno %d)", sk_fmt(sk), err);
}
