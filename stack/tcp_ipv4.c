/*
 * tcp_ipv4.c - TCP receive entry and the IPv4 glue, after
 * net/ipv4/tcp_ipv4.c (Linux 6.13): tcp_v4_rcv (checks in Linux's order,
 * __inet_lookup_skb, TIME_WAIT and request-sock dispatch), tcp_v4_do_rcv,
 * tcp_v4_send_reset (RFC 793 reset generation), tcp_v4_send_ack and
 * tcp_v4_err (ICMP errors for TCP sockets, tcp_v4_mtu_reduced for path
 * MTU discovery).
 * Left out: the socket backlog (the socket is never owned by a user), early
 * demux, MD5/AO signatures, IPsec policy, socket filters, SYN cookies,
 * reuseport, deferred checksum completion (the full checksum is verified
 * up front, which Linux does before any reply is sent anyway).
 */
#include "tcp.h"

#include <errno.h>
#include <stdlib.h>

/* tcp_v4_fill_cb: seq/end_seq/ack/flags into TCP_SKB_CB (host order). */
static void tcp_v4_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t hl = (uint32_t)(th->doff_res >> 4) * 4;
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->tcp_flags = th->flags;
	cb->window = ntohs(th->window);
	cb->end_seq = cb->seq + !!(th->flags & TCPHDR_SYN) + !!(th->flags & TCPHDR_FIN) + (skb->len - hl);
}

struct ip_txopts *tcp_v4_save_options(const struct sk_buff *skb)
{
	struct ip_txopts o, *d;
	if (skb->protocol == ETH_P_IPV6 || ip_ihl(ip_hdr(skb)) <= 5 || ip_options_echo(skb, &o) <= 0 ||
	    !(d = malloc(sizeof(*d))))
		return NULL;
	*d = o;
	return d;
}

/* ip_send_unicast_reply: the answer to skb's segment goes from the
 * per-CPU control socket (net->ipv4.tcp_sk), whichever socket it was for. */
static int tcp_v4_ctl_xmit(struct net *net, const struct ip_txopts *ro, const struct sk_buff *skb, uint32_t seq,
			   uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt, uint32_t optlen)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct sock_table *st = sock_table(net);
	if (!st)
		return -1;
	st->tx_ctl = 1;
	int r = tcp_v4_xmit(net, ro, 0, iph->daddr, iph->saddr, th->dest, th->source, seq, ack, flags, win, opt, optlen,
			    NULL, 0);
	st->tx_ctl = 0;
	return r;
}

void tcp_v4_send_reset(struct net *net, const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t seq = 0, ack = 0;
	uint8_t flags = TCPHDR_RST;

	if (skb->protocol == ETH_P_IPV6) {	/* the family's own (icsk_af_ops) */
		tcp_v6_send_reset(net, sk, skb);
		return;
	}
	/* RFC 793: never answer a RST; never answer a non-unicast destination. */
	if (th->flags & TCPHDR_RST)
		return;
	if (tcp_recorded_hold(net, sk, "a RST"))
		return;
	if (!sk && IPCB(skb)->dst.type != RTN_LOCAL)
		return;
	/* RFC 793 "Reset Generation": if the segment has an ACK, the RST takes
	 * its sequence number from it; otherwise seq 0 and ACK everything the
	 * segment occupied (SYN and FIN count one each). */
	if (th->flags & TCPHDR_ACK) {
		seq = cb->ack_seq;
	} else {
		flags |= TCPHDR_ACK;
		ack = cb->end_seq;
	}
	trace_enter(net, NULL, "tcp_v4_send_reset", "tcp", "RST %s:%u > %s:%u Flags %s seq %u ack %u (%s)",
		    ip_fmt(iph->daddr), ntohs(th->dest), ip_fmt(iph->saddr), ntohs(th->source), tcp_flags_str(flags),
		    seq, ack, th->flags & TCPHDR_ACK ? "seq = the segment's ack" : "seq 0, ack = seq + its length");
	struct ip_txopts ro;
	if (ip_options_echo(skb, &ro) < 0) {	/* ip_send_unicast_reply */
		trace_exit(net, NULL, V_PASS, 0, "the segment's IP options cannot be echoed: no RST");
		return;
	}
	int r = tcp_v4_ctl_xmit(net, &ro, skb, seq, ack, flags, 0, NULL, 0);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

void tcp_v4_send_ack(struct net *net, const struct sk_buff *skb, uint32_t seq, uint32_t ack, uint16_t win,
		     const struct sock *ts, const char *why)
{
	uint8_t opt[40];
	uint32_t optlen = 0;

	if (skb->protocol == ETH_P_IPV6) {
		tcp_v6_send_ack(net, skb, seq, ack, win, ts, why);
		return;
	}
	if (ts && ts->tstamp_ok) {
		/* tcp_v4_send_ack's timestamp: NOP, NOP, TS (TSecr = ts_recent). */
		struct sock t = *ts;
		t.num_sacks = t.dsack = 0;
		optlen = tcp_established_options(net, &t, opt);
	}
	if (trace_on(net) && optlen)
		jw_kv_str(trace_args(net), "options", tcp_opts_fmt(opt, optlen));
	trace_enter(net, NULL, "tcp_v4_send_ack", "tcp", "ACK seq %u ack %u win %u%s%s%s (%s)", seq, ack, win,
		    optlen ? ", options [" : "", optlen ? tcp_opts_fmt(opt, optlen) : "", optlen ? "]" : "", why);
	struct ip_txopts ro;
	if (ip_options_echo(skb, &ro) < 0) {
		trace_exit(net, NULL, V_PASS, 0, "the segment's IP options cannot be echoed: no ACK");
		return;
	}
	int r = tcp_v4_ctl_xmit(net, &ro, skb, seq, ack, TCPHDR_ACK, win, opt, optlen);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

/* __inet_lookup_skb: the established hash (which also holds TIME_WAIT and
 * request socks), then the listeners. */
static struct sock *__inet_lookup_skb(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct sock *sk = __inet_lookup_established(net, iph->saddr, th->source, iph->daddr, th->dest);
	const char *table = "established";

	if (!sk) {
		sk = __inet_lookup_listener(net, iph->daddr, th->dest);
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
	trace_step(net, skb, "__inet_lookup_skb", "%s:%u > %s:%u: %s%s%s", ip_fmt(iph->saddr), ntohs(th->source),
		   ip_fmt(iph->daddr), ntohs(th->dest), sk ? tcp_state_name(sk->state) : "no socket",
		   sk ? " socket in the " : "", sk ? table : "");
	return sk;
}

/* no_tcp_socket: nobody listens: answer with a RST (RFC 793). */
static int tcp_no_socket(struct net *net, struct sk_buff *skb)
{
	tcp_v4_send_reset(net, NULL, skb);
	return skb_drop(net, skb, SKB_DROP_REASON_NO_SOCKET);
}

/* tcp_v4_timewait_ack: TIME_WAIT answers with where it is. */
static void tcp_v4_timewait_ack(struct net *net, struct sock *tw, const struct sk_buff *skb)
{
	if (!tcp_recorded_hold(net, tw, "a TIME_WAIT ACK"))
		tcp_v4_send_ack(net, skb, tw->snd_nxt, tw->rcv_nxt, (uint16_t)(tw->rcv_wnd >> tw->rcv_wscale), tw,
				"TIME_WAIT ACK");
}

/* do_time_wait (both families): the mini-socket decides; a new SYN may reopen. */
int tcp_do_time_wait(struct net *net, struct sock *tw, struct sk_buff *skb)
{
	uint16_t dport = ((struct tcphdr *)skb->data)->dest;
	struct sock *lsk;

	switch (tcp_timewait_state_process(net, tw, skb)) {
	case TCP_TW_SYN:
		lsk = skb->protocol == ETH_P_IPV6 ? inet6_lookup_listener(net, &ipv6_hdr(skb)->daddr, dport)
						  : __inet_lookup_listener(net, ip_hdr(skb)->daddr, dport);
		if (lsk) {
			trace_step(net, skb, "inet_twsk_deschedule_put", "new SYN: TIME_WAIT %s killed, SYN goes to "
				   "the listener", sk_fmt(tw));
			tcp_done(net, tw);
			return tcp_v4_do_rcv(net, lsk, skb);
		}
		tcp_v4_timewait_ack(net, tw, skb);	/* no listener: treat as a duplicate */
		break;
	case TCP_TW_ACK:
		tcp_v4_timewait_ack(net, tw, skb);
		break;
	case TCP_TW_RST:
		tcp_v4_send_reset(net, tw, skb);
		tcp_done(net, tw);
		break;
	case TCP_TW_SUCCESS:
		break;
	}
	return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* The NEW_SYN_RECV branch (both families): the third packet of a handshake. */
int tcp_rcv_req(struct net *net, struct sock *req, struct sk_buff *skb)
{
	struct sock *lsk = req->parent;
	struct sock *nsk = tcp_check_req(net, req, skb);
	int r;

	if (!nsk)
		return skb_drop(net, skb, TCP_SKB_CB(skb)->req_drop ? (enum skb_drop_reason)TCP_SKB_CB(skb)->req_drop
								    : SKB_DROP_REASON_NOT_SPECIFIED);
	if (nsk == lsk)		/* refused: on to the listener (a cookie check, else its RST) */
		return tcp_v4_do_rcv(net, lsk, skb);
	r = tcp_child_process(net, lsk, nsk, skb);
	if (nsk->data_ready && nsk->hashed)
		sock_app_wakeup(net, nsk);
	return r;
}

/* skb_checksum_init: a checksum that holds only the pseudo-header sum is
 * a CHECKSUM_PARTIAL skb's, which Linux does not verify (the sender is
 * local, on veth or loopback, and the device was to complete it). */
static int tcp_checksum_partial(struct net *net, struct sk_buff *skb, const struct iphdr *iph, uint16_t check)
{
	if (!csum_partial_trusted(net, skb) ||
	    !skb_csum_is_partial(skb, iph->saddr, iph->daddr, IPPROTO_TCP_, skb->len, check))
		return 0;
	trace_step(net, skb, "skb_csum_unnecessary", "checksum 0x%04x is the pseudo-header sum only: CHECKSUM_PARTIAL "
		   "(a local Linux sender left it for the device to complete); trusted, as Linux trusts it",
		   ntohs(check));
	return 1;
}

int tcp_v4_rcv(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th;
	struct sock *sk;
	uint32_t doff;

	trace_enter(net, skb, "tcp_v4_rcv", "tcp", "%u bytes", skb->len);
	if (skb->pkt_type != PACKET_HOST) {
		trace_step(net, skb, "tcp_v4_rcv", "pkt_type %s: TCP takes only unicast", pkt_type_name(skb->pkt_type));
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	SNMP_INC(net, MIB_TCP_INSEGS);
	if (!pskb_may_pull(skb, sizeof(*th))) {
		trace_step(net, skb, "tcp_v4_rcv", "%u bytes: no room for a 20-byte header", skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	th = (const struct tcphdr *)skb->data;
	doff = (uint32_t)(th->doff_res >> 4);
	if (doff < 5) {
		trace_step(net, skb, "tcp_v4_rcv", "data offset %u < 5", doff);
		SNMP_INC(net, MIB_TCP_INERRS);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	if (!pskb_may_pull(skb, doff * 4)) {
		trace_step(net, skb, "tcp_v4_rcv", "data offset says %u header bytes, %u present", doff * 4, skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_TCP_, skb->data, skb->len) != 0 &&
	    !tcp_checksum_partial(net, skb, iph, th->check)) {
		trace_step(net, skb, "tcp_v4_rcv", "checksum 0x%04x is wrong", ntohs(th->check));
		SNMP_INC(net, MIB_TCP_INCSUMERRORS);
		SNMP_INC(net, MIB_TCP_INERRS);
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_CSUM);
	}
	sock_reap(net);
	tcp_v4_fill_cb(skb, th);
	sk = __inet_lookup_skb(net, skb);
	if (!sk)
		return trace_ret(net, tcp_no_socket(net, skb));
	if (sk->state == TCP_TIME_WAIT)
		return trace_ret(net, tcp_do_time_wait(net, sk, skb));
	if (sk->state == TCP_NEW_SYN_RECV)
		return trace_ret(net, tcp_rcv_req(net, sk, skb));
	return trace_ret(net, tcp_v4_do_rcv(net, sk, skb));
}

/* tcp_v4_cookie_check's child: the ACK goes on to it, as to a request
 * sock's (tcp_rcv_req). */
static int tcp_cookie_child(struct net *net, struct sock *lsk, struct sock *nsk, struct sk_buff *skb)
{
	if (!nsk)
		return skb_drop(net, skb, (enum skb_drop_reason)TCP_SKB_CB(skb)->req_drop);
	int r = tcp_child_process(net, lsk, nsk, skb);
	if (nsk->data_ready && nsk->hashed)
		sock_app_wakeup(net, nsk);
	return r;
}

/* One body for both families, named after the segment's (sk_backlog_rcv:
 * tcp_v6_do_rcv hands an IPv4 segment of a dual-stack socket to this). */
int tcp_v4_do_rcv(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	int r, ret = NET_RX_SUCCESS;

	trace_enter(net, skb, skb->protocol == ETH_P_IPV6 ? "tcp_v6_do_rcv" : "tcp_v4_do_rcv", "tcp", "%s %s",
		    sk_fmt(sk), tcp_state_name(sk->state));
	if (sk->state == TCP_LISTEN && !(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN)) {
		struct sock *nsk = cookie_v4_check(net, sk, skb);	/* tcp_v4_cookie_check */
		if (nsk != sk)
			return trace_ret(net, tcp_cookie_child(net, sk, nsk, skb));
	}
	if (sk->state == TCP_ESTABLISHED) {
		ret = tcp_rcv_established(net, sk, skb);
	} else {
		r = tcp_rcv_state_process(net, sk, skb);
		if (r > 0) {
			tcp_v4_send_reset(net, sk, skb);
			return skb_drop(net, skb, (enum skb_drop_reason)r);
		}
		ret = r < 0 ? NET_RX_DROP : NET_RX_SUCCESS;
	}
	if (sk->data_ready && sk->hashed)
		sock_app_wakeup(net, sk);
	tcp_sock_trace(net, sk);
	return trace_ret(net, ret);
}

/* The request sock's part (tcp_req_err): only an error about our SYN-ACK
 * counts; a hard one ends the request. */
void tcp_req_err(struct net *net, struct sk_buff *skb, struct sock *req, uint32_t seq, int abort)
{
	if (seq != req->iss) {
		SNMP_INC(net, MIB_TCPEXT_OUTOFWINDOWICMPS);
		trace_exit(net, skb, V_CONSUMED, 0, "quoted seq is not our SYN-ACK's: ignored");
		return;
	}
	if (!abort) {
		trace_exit(net, skb, V_CONSUMED, 0, "a soft error during the handshake: the request stays");
		return;
	}
	SNMP_INC(net, MIB_TCPEXT_LISTENDROPS);	/* tcp_listendrop */
	inet_csk_reqsk_queue_drop(net, req);
	tcp_trace_sk_gone(net, req);
	trace_exit(net, skb, V_CONSUMED, 0, "hard error: the request sock is dropped");
}

/* The errno of a destination unreachable code (icmp_err_convert[] in
 * net/ipv4/icmp.c; TCP uses only the errno, whatever "fatal" says). */
static int tcp_unreach_errno(int code)
{
	static const uint8_t e[16] = { ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP,
				       ENETUNREACH, EHOSTDOWN, ENONET, ENETUNREACH, EHOSTUNREACH, ENETUNREACH,
				       EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH };
	return e[code & 15];
}

/* The errno the error stands for on a connection, 0 when TCP ignores it
 * (a redirect, a source quench, a code past 15, a frag-needed: path MTU
 * discovery's, tcp_v4_err's own case). */
static int tcp_v4_err_errno(int type, int code)
{
	switch (type) {
	case ICMP_PARAMETERPROB:
		return EPROTO;
	case ICMP_TIME_EXCEEDED:
		return EHOSTUNREACH;
	case ICMP_DEST_UNREACH:
		if (code > 15 || code == ICMP_FRAG_NEEDED)
			break;
		return tcp_unreach_errno(code);
	}
	return 0;
}

/* The MTU the socket's MSS was last synced to: its route's device's
 * until path MTU discovery lowered it. */
static uint32_t tcp_pmtu_cookie(struct net *net, const struct sock *sk)
{
	struct nj_dst dst = { 0 };
	if (sk->pmtu_cookie)
		return sk->pmtu_cookie;
	if (ip_route_output(net, sk->daddr, sk->saddr, &dst) < 0 || !dev_get_by_index(net, dst.oif))
		return 1500;
	return dev_get_by_index(net, dst.oif)->mtu;
}

/*
 * tcp_v4_mtu_reduced (RFC 1191): the route to the peer takes the new path
 * MTU; if the socket's MSS was synced to a wider one, the MSS shrinks
 * (tcp_sync_mss) and what is in flight longer than it goes again in
 * pieces that fit (tcp_simple_retransmit). Otherwise the retransmission
 * timer is left to deal with it.
 */
static void tcp_v4_mtu_reduced(struct net *net, struct sk_buff *skb, struct sock *sk, uint32_t mtu)
{
	uint32_t dmtu, cookie;

	if (sk->state == TCP_LISTEN || sk->state == TCP_CLOSE)
		return;
	if (!(dmtu = ipv4_update_pmtu(net, skb, sk->daddr, mtu)))
		return;
	if (mtu < dmtu && ip_dont_fragment(net, sk->daddr))
		sk->err_soft = EMSGSIZE;	/* the path stays narrower than what we send */
	cookie = tcp_pmtu_cookie(net, sk);
	if (cookie <= dmtu) {
		trace_step(net, skb, "tcp_v4_mtu_reduced", "%s: the MSS (%u) already fits the path MTU %u",
			   sk_fmt(sk), tcp_send_mss(sk), dmtu);
		return;
	}
	tcp_mtu_shrink(net, skb, sk, "tcp_v4_mtu_reduced", cookie, dmtu);
}

/*
 * tcp_v4_err - an ICMP error quoting a segment we sent (quoted: its IP
 * header, followed by at least 8 bytes: the ports and the sequence
 * number), as Linux 6.x takes it. A request sock is dropped only for a
 * parameter problem, a time exceeded, or a network or host unreachable,
 * and only about its SYN-ACK (tcp_req_err); otherwise an error whose
 * quoted seq is not in [snd_una, snd_nxt] is ignored (TcpExt.OutOfWindowIcmps,
 * RFC 5927); a frag-needed is path MTU discovery's (tcp_v4_mtu_reduced),
 * never an error; in SYN_SENT or SYN_RECV any other error TCP takes ends
 * the handshake; an established connection keeps it as a soft error.
 * Returns 0; skb is not consumed.
 */
int tcp_v4_err(struct net *net, struct sk_buff *skb, const struct iphdr *quoted, int type, int code,
	       uint32_t info)
{
	const struct tcphdr *th = (const struct tcphdr *)((const uint8_t *)quoted + ip_ihl(quoted) * 4);
	struct sock *sk = __inet_lookup_established(net, quoted->daddr, th->dest, quoted->saddr, th->source);
	uint32_t seq = ntohl(th->seq);
	int err;

	trace_enter(net, skb, "tcp_v4_err", "tcp", "ICMP type %d code %d about %s:%u > %s:%u seq %u", type, code,
		    ip_fmt(quoted->saddr), ntohs(th->source), ip_fmt(quoted->daddr), ntohs(th->dest), seq);
	if (!sk) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		trace_exit(net, skb, V_CONSUMED, 0, "no matching socket (Icmp.InErrors)");
		return 0;
	}
	if (sk->state == TCP_TIME_WAIT) {
		trace_exit(net, skb, V_CONSUMED, 0, "TIME_WAIT socket: ignored");
		return 0;
	}
	if (sk->state == TCP_NEW_SYN_RECV) {
		tcp_req_err(net, skb, sk, seq, type == ICMP_PARAMETERPROB || type == ICMP_TIME_EXCEEDED ||
			    (type == ICMP_DEST_UNREACH && (code == ICMP_NET_UNREACH || code == ICMP_HOST_UNREACH)));
		return 0;
	}
	if (!between(seq, sk->snd_una, sk->snd_nxt)) {
		SNMP_INC(net, MIB_TCPEXT_OUTOFWINDOWICMPS);
		trace_exit(net, skb, V_CONSUMED, 0, "quoted seq is outside [snd_una, snd_nxt]: ignored");
		return 0;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED && sk->state != TCP_LISTEN) {
		tcp_v4_mtu_reduced(net, skb, sk, info);
		trace_exit(net, skb, V_CONSUMED, 0, "%s", "path MTU discovery");
		return 0;
	}
	if (!(err = tcp_v4_err_errno(type, code))) {
		trace_exit(net, skb, V_CONSUMED, 0, "%s", "ignored by TCP");
		return 0;
	}
	if (sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV) {	/* any error ends a handshake */
		sk->err_soft = err;
		tcp_done(net, sk);
		tcp_trace_sk_gone(net, sk);
		trace_exit(net, skb, V_CONSUMED, 0, "error %d during the handshake: connection aborted", err);
		return 0;
	}
	sk->err_soft = err;
	trace_exit(net, skb, V_CONSUMED, 0, "%s: recorded as a soft error (errno %d)", sk_fmt(sk), err);
	return 0;
}
