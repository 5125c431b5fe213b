/*
 * tcp_output.c - building and sending segments, ACK policy and timers,
 * after net/ipv4/tcp_output.c, tcp_timer.c and tcp.c (tcp_set_state,
 * tcp_sendmsg, tcp_close, tcp_done) (Linux 6.13 behaviour).
 * Nagle (Minshall's variant) holds a short write behind a short segment
 * in flight; nothing else is queued for sending (a recorded host's
 * segments are sent as captured).
 * Left out: congestion control and cwnd (only the peer's window limits),
 * TSO/autocork, the keepalive timer. Options come from tcp_options.c.
 * Retransmissions are the SYN-ACK's (reqsk_timer_handler,
 * tcp_minisocks.c), the RTO's (tcp_timer.c) and those a replayed capture
 * shows the recorded host making (tcp_recorded.c).
 */
#include "tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tcp_flags_str(uint8_t f)
{
	static _Thread_local char ring[4][12];
	static _Thread_local int i;
	char *b = ring[i++ & 3], *p = b;
	*p++ = '[';
	if (f & TCPHDR_SYN) *p++ = 'S';
	if (f & TCPHDR_FIN) *p++ = 'F';
	if (f & TCPHDR_RST) *p++ = 'R';
	if (f & TCPHDR_PSH) *p++ = 'P';
	if (f & TCPHDR_URG) *p++ = 'U';
	if (f & TCPHDR_ACK) *p++ = '.';
	*p++ = ']';
	*p = 0;
	return b;
}

uint32_t tcp_isn(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint64_t ts_ns)
{
	/* An FNV-1a hash stands in for siphash with a boot-time secret. */
	uint32_t h = 2166136261u, w[3] = { saddr, daddr, (uint32_t)sport << 16 | dport };
	for (int i = 0; i < 12; i++) {
		h ^= ((const uint8_t *)w)[i];
		h *= 16777619u;
	}
	return h + (uint32_t)(ts_ns >> 6);
}

/* The sequence space (absolute) as args: tcp_set_state's and tcp_sock_trace's. */
static void tcp_seq_args(struct jw *a, const struct sock *sk)
{
	jw_kv_uint(a, "snd_una", sk->snd_una);
	jw_kv_uint(a, "snd_nxt", sk->snd_nxt);
	jw_kv_uint(a, "rcv_nxt", sk->rcv_nxt);
	jw_kv_uint(a, "rcv_wnd", sk->rcv_wnd);
	jw_kv_uint(a, "snd_wnd", sk->snd_wnd);
}

void tcp_set_state(struct net *net, struct sock *sk, int state)
{
	int old = sk->state;

	if (old == state)
		return;
	if (state == TCP_CLOSE && (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT))
		SNMP_INC(net, MIB_TCP_ESTABRESETS);
	sk->state = (uint8_t)state;
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	jw_kv_str(a, "sk", sk_fmt(sk));
	jw_kv_str(a, "old", tcp_state_name(old));
	jw_kv_str(a, "new", tcp_state_name(state));
	tcp_seq_args(a, sk);
	if (sk->preexisting)
		jw_kv_bool(a, "preexisting", 1);
	tcp_options_args(a, sk);
	tcp_sock_args(a, sk, net->now_ns);
	trace_step(net, NULL, "tcp_set_state", "%s → %s  snd_una %u snd_nxt %u rcv_nxt %u (relative to ISS/IRS)",
		   tcp_state_name(old), tcp_state_name(state), sk->snd_una - sk->iss, sk->snd_nxt - sk->iss,
		   sk->rcv_nxt - sk->irs);
}

/* The out-of-order queue (sorted by seq) as ranges of sequence space,
 * touching segments merged: at most TCP_ARGS_OFO, "ofo_more" the rest. */
static void tcp_ofo_args(struct jw *a, const struct sock *sk)
{
	const struct sk_buff *head = (const struct sk_buff *)&sk->ofo_queue;
	uint32_t s = 0, e = 0, n = 0;

	jw_key(a, "ofo");
	jw_arr_open(a);
	for (const struct sk_buff *skb = sk->ofo_queue.next; ; skb = skb->next) {
		const struct tcp_skb_cb *cb = skb != head ? TCP_SKB_CB(skb) : NULL;
		if (n && cb && !after(cb->seq, e)) {
			e = after(cb->end_seq, e) ? cb->end_seq : e;
			continue;
		}
		if (n && n <= TCP_ARGS_OFO) {
			jw_arr_open(a);
			jw_val_uint(a, s);
			jw_val_uint(a, e);
			jw_arr_close(a);
		}
		if (!cb)
			break;
		s = cb->seq;
		e = cb->end_seq;
		n++;
	}
	jw_arr_close(a);
	if (n > TCP_ARGS_OFO)
		jw_kv_uint(a, "ofo_more", n - TCP_ARGS_OFO);
}

/* One armed timer: its name and how long until it fires. */
static void tcp_timer_args(struct jw *a, const char *name, uint64_t when_ns, uint64_t now_ns)
{
	jw_obj_open(a);
	jw_kv_str(a, "timer", name);
	jw_kv_uint(a, "in_ns", when_ns > now_ns ? when_ns - now_ns : 0);
	jw_obj_close(a);
}

void tcp_sock_trace(struct net *net, const struct sock *sk)
{
	if (!trace_on(net) || !sk->hashed)
		return;
	struct jw *a = trace_args(net);
	jw_kv_str(a, "sk", sk_fmt(sk));
	tcp_seq_args(a, sk);
	tcp_sock_args(a, sk, net->now_ns);
}

void tcp_sock_args(struct jw *a, const struct sock *sk, uint64_t now_ns)
{
	uint32_t bytes = 0;
	const struct sk_buff *head = (const struct sk_buff *)&sk->receive_queue;

	for (const struct sk_buff *skb = sk->receive_queue.next; skb != head; skb = skb->next)
		bytes += skb->len;
	jw_key(a, "sock");
	jw_obj_open(a);
	jw_kv_uint(a, "rcvq_bytes", bytes);
	jw_kv_uint(a, "rcvq_segs", skb_queue_len(&sk->receive_queue));
	jw_kv_uint(a, "ofoq_segs", skb_queue_len(&sk->ofo_queue));
	tcp_ofo_args(a, sk);
	jw_kv_uint(a, "ts_recent", sk->ts_recent);
	jw_key(a, "timers");
	jw_arr_open(a);
	if (sk->ack_timeout_ns)
		tcp_timer_args(a, "delack", sk->ack_timeout_ns, now_ns);
	if (sk->rtx_timeout_ns && sk->state == TCP_NEW_SYN_RECV)
		tcp_timer_args(a, "retransmit", sk->rtx_timeout_ns, now_ns);
	if (tcp_rtx_deadline(sk))
		tcp_timer_args(a, "rto", tcp_rtx_deadline(sk), now_ns);
	if (sk->timeout_ns)
		tcp_timer_args(a, sk->state == TCP_TIME_WAIT ? "time_wait" : sk->state == TCP_NEW_SYN_RECV ? "request"
			       : sk->state == TCP_FIN_WAIT2 ? "fin_wait2" : "timeout", sk->timeout_ns, now_ns);
	jw_arr_close(a);
	jw_obj_close(a);
}

/* Fills the IP (with ipo's options) and TCP headers of a segment in skb
 * (data at the IP header). */
static void tcp_build_headers(struct net *net, struct sk_buff *skb, const struct ip_txopts *ipo, uint32_t saddr,
			      uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
			      uint16_t win, const uint8_t *opt, uint32_t optlen, uint32_t tcplen)
{
	uint32_t iphl = 20 + (uint32_t)(ipo ? ipo->len : 0);
	struct iphdr *iph = (struct iphdr *)skb->data;
	struct tcphdr *th = (struct tcphdr *)(skb->data + iphl);
	uint32_t hl = 20 + optlen;

	memset(iph, 0, 20);
	iph->ihl_version = (uint8_t)(0x40 | iphl / 4);
	iph->tot_len = htons((uint16_t)(iphl + tcplen));
	/* Path MTU discovery is on for TCP; the control socket's replies are
	 * IP_PMTUDISC_DO, so DF even on a locked path. ip_select_ident: with
	 * DF and no connected socket (the control socket's, or
	 * ip_build_and_send_pkt's SYN-ACK) the id is 0. */
	int ctl = net->socks->tx_ctl, synack = (flags & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK);
	int df = ctl || ip_dont_fragment(net, daddr);
	iph->id = df && (ctl || synack) ? 0 : htons(net->socks->ip_id++);
	if (df)
		iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP_;
	iph->saddr = saddr;
	iph->daddr = daddr;
	ip_options_build(net, iph, ipo);
	memset(th, 0, 20);
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(flags & TCPHDR_ACK ? ack : 0);
	th->doff_res = (uint8_t)((hl / 4) << 4);
	th->flags = flags;
	th->window = htons(win);
	if (optlen)
		memcpy((uint8_t *)th + 20, opt, optlen);
	th->check = htons(csum_tcpudp(saddr, daddr, IPPROTO_TCP_, th, tcplen));
}

int tcp_v4_xmit(struct net *net, const struct ip_txopts *ipo, uint8_t tos, uint32_t saddr, uint32_t daddr,
		uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		const uint8_t *opt, uint32_t optlen, const void *data, uint32_t len)
{
	uint32_t tcplen = 20 + optlen + len, iphl = 20 + (uint32_t)(ipo ? ipo->len : 0);
	struct sk_buff *skb;

	if (optlen > 40 || (optlen & 3) || !sock_table(net) || !(skb = alloc_skb(net, iphl + tcplen)))
		return -1;
	skb_put(skb, iphl + tcplen);
	if (len)
		memcpy(skb->data + iphl + 20 + optlen, data, len);
	tcp_build_headers(net, skb, ipo, saddr, daddr, sport, dport, seq, ack, flags, win, opt, optlen, tcplen);
	((struct iphdr *)skb->data)->tos = tos;	/* ECT(0) on new data when ECN is agreed */
	skb->protocol = ETH_P_IP;
	if (net->socks->tx_gso_size && len > net->socks->tx_gso_size)
		skb->gso_size = net->socks->tx_gso_size;
	SNMP_ADD(net, MIB_TCP_OUTSEGS, skb->gso_size ? (len + skb->gso_size - 1) / skb->gso_size : 1);	/* tcp_skb_pcount */
	if (flags & TCPHDR_RST)
		SNMP_INC(net, MIB_TCP_OUTRSTS);
	return ip_local_out(net, skb) == 0 ? 0 : -1;
}

/* __tcp_select_window - what the free receive buffer (tcp_space, in
 * window bytes) lets us offer, at most rcv_ssthresh. Half-full buffers
 * offer only what is free, nothing below a segment or 1/16 of the whole
 * (silly window avoidance). Scaled windows are rounded up to the shift's
 * unit; unscaled ones keep the current offer while it is within a
 * segment of the free space, else a whole number of segments. */
uint32_t __tcp_select_window(struct sock *sk)
{
	int32_t mss = sk->rcv_mss, free_space = tcp_space(sk), allowed = tcp_full_space(sk);
	int32_t full = (int32_t)sk->window_clamp < allowed ? (int32_t)sk->window_clamp : allowed;
	int32_t unit = 1 << sk->rcv_wscale, window;

	if (mss > full) {
		mss = full;
		if (mss <= 0)
			return 0;
	}
	if (free_space < (full >> 1)) {
		sk->ack_quick = 0;
		free_space &= ~(unit - 1);	/* round_down: the shift must not grow it */
		if (free_space < (allowed >> 4) || free_space < mss)
			return 0;
	}
	if (free_space > (int32_t)sk->rcv_ssthresh)
		free_space = (int32_t)sk->rcv_ssthresh;
	if (sk->rcv_wscale)
		return (uint32_t)((free_space + unit - 1) & ~(unit - 1));	/* ALIGN */
	window = (int32_t)sk->rcv_wnd;
	if (window <= free_space - mss || window > free_space)
		window = free_space / mss * mss;
	else if (mss == full && free_space > window + (full >> 1))
		window = free_space;
	return (uint32_t)window;
}

/* tcp_select_window - the window field of a segment from sk: a window
 * once offered is never taken back (tcp_shrink_window 0), so a smaller
 * choice offers what is left of the old one; advertising moves rcv_wup to
 * rcv_nxt. Scaled by rcv_wscale except on a SYN (RFC 7323 2.2). */
uint16_t tcp_select_window(struct sock *sk)
{
	uint32_t cur = tcp_receive_window(sk), win, unit = 1u << sk->rcv_wscale;

	if (sk->tw_scheduled)	/* a timewait sock in Linux: tw_rcv_wnd, as frozen */
		return (uint16_t)((sk->rcv_wnd > 65535u << sk->rcv_wscale ? 65535u << sk->rcv_wscale : sk->rcv_wnd) >>
				  sk->rcv_wscale);
	win = __tcp_select_window(sk);
	if (win < cur)
		win = (cur + unit - 1) & ~(unit - 1);
	sk->rcv_wnd = win;
	sk->rcv_wup = sk->rcv_nxt;
	if (win > 65535u << sk->rcv_wscale)
		win = 65535u << sk->rcv_wscale;
	win >>= sk->rcv_wscale;
	if (!win)
		sk->fast_path = 0;	/* a zero window turns header prediction off */
	return (uint16_t)win;
}

/* tcp_event_ack_sent: an ACK went out, so no delayed one is owed. Only
 * one that acknowledged new data uses up a quickack credit
 * (tcp_dec_quickack_mode); leaving quickack mode deflates ato. */
static void tcp_event_ack_sent(struct sock *sk)
{
	if (sk->ack_quick && (sk->ack_pending & ICSK_ACK_SCHED) && !--sk->ack_quick)
		sk->ato_ns = TCP_ATO_MIN_NS;
	sk->ack_pending = 0;
	sk->ack_timeout_ns = 0;
}

/* __tcp_transmit_skb - one segment from sk at seq (snd_nxt for new data,
 * lower for a retransmission). A socket in step with a capture sends only
 * inside tcp_recorded_send; anything else it would send is held back. */
/* The window and options of a segment from sk: a SYN-ACK's window is
 * never scaled and carries the handshake's options. */
static uint16_t tcp_tx_options(struct net *net, struct sock *sk, uint8_t flags, uint8_t *opt, uint32_t *optlen)
{
	if (flags & TCPHDR_SYN) {
		/* The initial window as chosen (tcp_select_initial_window), unscaled. */
		sk->rcv_wup = sk->rcv_nxt;
		*optlen = tcp_synack_options(net, sk, opt);
		return (uint16_t)(sk->rcv_wnd > 65535 ? 65535 : sk->rcv_wnd);
	}
	*optlen = tcp_established_options(net, sk, opt);
	return tcp_select_window(sk);
}

/* tcp_ecn_make_synack / tcp_ecn_send: with ECN agreed, a SYN-ACK says so
 * (ECE); new data goes out ECT(0), with CWR when one is queued; ACKs,
 * retransmissions and FINs not ECT; ECE while the peer's CWR is due.
 * Returns the IP ECN field. */
static uint8_t tcp_ecn_send(struct sock *sk, uint32_t seq, uint32_t len, uint8_t *flags)
{
	if (!(sk->ecn_flags & TCP_ECN_OK))
		return 0;
	if (*flags & TCPHDR_SYN) {
		*flags |= TCPHDR_ECE;
		return 0;
	}
	uint8_t ect = 0;
	if (len && !before(seq, sk->snd_nxt)) {
		ect = INET_ECN_ECT_0;
		if (sk->ecn_flags & TCP_ECN_QUEUE_CWR) {
			sk->ecn_flags &= (uint8_t)~TCP_ECN_QUEUE_CWR;
			*flags |= TCPHDR_CWR;
		}
	}
	if (sk->ecn_flags & TCP_ECN_DEMAND_CWR)
		*flags |= TCPHDR_ECE;
	return ect;
}

int __tcp_transmit_skb(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data,
		       uint32_t len, const char *why)
{
	uint8_t opt[40], tos;
	uint32_t optlen;
	uint16_t win;
	int ret;

	if (tcp_recorded_hold(net, sk, why))
		return 0;
	tos = tcp_ecn_send(sk, seq, len, &flags);
	win = tcp_tx_options(net, sk, flags, opt, &optlen);
	/* the options as text only for the trace: --no-trace formats nothing */
	const char *os = optlen && trace_on(net) ? tcp_opts_fmt(opt, optlen) : "";
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "flags", tcp_flags_str(flags));
		jw_kv_uint(a, "seq", seq);
		jw_kv_uint(a, "ack", sk->rcv_nxt);
		jw_kv_uint(a, "win", win);
		jw_kv_uint(a, "len", len);
		if (optlen)
			jw_kv_str(a, "options", os);
	}
	if (len)
		trace_enter(net, NULL, "tcp_transmit_skb", "tcp", "%s Flags %s, seq %u:%u, ack %u, win %u,%s%s%s length %u (%s)",
			    sk_fmt(sk), tcp_flags_str(flags), seq - sk->iss, seq - sk->iss + len, sk->rcv_nxt - sk->irs,
			    win, optlen ? " options [" : "", os, optlen ? "]," : "", len, why);
	else
		trace_enter(net, NULL, "tcp_transmit_skb", "tcp", "%s Flags %s, seq %u, ack %u, win %u,%s%s%s length 0 (%s)",
			    sk_fmt(sk), tcp_flags_str(flags), seq - sk->iss, sk->rcv_nxt - sk->irs, win,
			    optlen ? " options [" : "", os, optlen ? "]," : "", why);
	if (sk->family == AF_INET6)	/* icsk_af_ops->queue_xmit: inet6_csk_xmit */
		ret = tcp_v6_xmit(net, tos, &sk->v6_saddr, &sk->v6_daddr, sk->ifindex, sk->sport, sk->dport, seq,
				  sk->rcv_nxt, flags, win, opt, optlen, data, len);
	else
		ret = tcp_v4_xmit(net, sk->ip_opt, tos, sk->saddr, sk->daddr, sk->sport, sk->dport, seq, sk->rcv_nxt,
				  flags, win, opt, optlen, data, len);
	if (flags & TCPHDR_ACK)
		tcp_event_ack_sent(sk);
	trace_exit(net, NULL, ret == 0 ? V_SENT : V_DROP, ret == 0 ? 0 : net->last_drop, "%s", "");
	return ret;
}

int tcp_transmit_skb(struct net *net, struct sock *sk, uint8_t flags, const void *data, uint32_t len,
		     const char *why)
{
	return __tcp_transmit_skb(net, sk, sk->snd_nxt, flags, data, len, why);
}

int tcp_retransmit_skb(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data,
		       uint32_t len)
{
	uint64_t out = net->mib[MIB_TCP_OUTSEGS];
	int r;

	SNMP_INC(net, MIB_TCP_RETRANSSEGS);
	r = __tcp_transmit_skb(net, sk, seq, flags, data, len, "retransmission");
	/* Tcp.OutSegs counts new data and bare segments only: not data or a
	 * FIN sent again (a SYN-ACK's own path counts it). */
	if (net->mib[MIB_TCP_OUTSEGS] > out && !(flags & TCPHDR_SYN) && (len || (flags & TCPHDR_FIN)))
		net->mib[MIB_TCP_OUTSEGS] = out;
	return r;
}

void tcp_send_ack(struct net *net, struct sock *sk, const char *why)
{
	tcp_transmit_skb(net, sk, TCPHDR_ACK, NULL, 0, why);
}

int tcp_send_synack(struct net *net, struct sock *req)
{
	uint32_t seq = req->snd_nxt;
	if (!req->synack_sent_ns)
		req->synack_sent_ns = net->now_ns ? net->now_ns : 1;	/* the RTT sample's start */
	req->snd_nxt = req->iss;	/* the SYN occupies iss */
	int r = tcp_transmit_skb(net, req, TCPHDR_SYN | TCPHDR_ACK, NULL, 0, "SYN-ACK");
	req->snd_nxt = seq;
	return r;
}

void tcp_send_fin(struct net *net, struct sock *sk)
{
	if (tcp_push_pending(net, sk, 1)) {	/* the FIN rides on the held data */
		sk->fin_sent = 1;
		return;
	}
	tcp_transmit_skb(net, sk, TCPHDR_FIN | TCPHDR_ACK, NULL, 0, "FIN: the application closed");
	tcp_rtx_queue_add(net, sk, sk->snd_nxt, TCPHDR_FIN | TCPHDR_ACK, NULL, 0);
	sk->snd_nxt++;
	sk->fin_sent = 1;
	sk_wmem_queue(sk, sk->snd_nxt, 0);	/* the FIN's skb, too (sk_forced_mem_schedule) */
}

/* RFC 5961 §3.2/§4.2, §5.2: an ACK that tells the sender where we really
 * are; at most one per tcp_invalid_ratelimit (500 ms) per socket. */
void tcp_send_challenge_ack(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	(void)skb;
	if (sk->last_oow_ack_ns && (int64_t)(net->now_ns - sk->last_oow_ack_ns) < (int64_t)TCP_OOW_RATE_NS) {
		SNMP_INC(net, MIB_TCPEXT_TCPACKSKIPPEDCHALLENGE);
		if (trace_on(net))
			jw_kv_bool(trace_args(net), "rate_limited", 1);
		trace_step(net, NULL, "tcp_send_challenge_ack", "rate limited: one per 500 ms (tcp_invalid_ratelimit)");
		return;
	}
	sk->last_oow_ack_ns = net->now_ns ? net->now_ns : 1;
	SNMP_INC(net, MIB_TCPEXT_TCPCHALLENGEACK);
	tcp_send_ack(net, sk, "challenge ACK (RFC 5961)");
}

/* tcp_event_data_sent: replying soon after data arrived means the
 * connection is interactive (pingpong): ACKs will ride on replies. */
static void tcp_event_data_sent(struct net *net, struct sock *sk)
{
	if (sk->lrcvtime_ns && net->now_ns - sk->lrcvtime_ns < sk->ato_ns)
		sk->pingpong = 1;
}

#define TCP_WMEM_MAX	(4u << 20)	/* net.ipv4.tcp_wmem[2], 4 MiB */

/* tcp_sync_mss after __tcp_mtu_to_mss: the path MTU less the IP and TCP
 * headers, no more than the peer's MSS (what mss_cache was synced to
 * before, as the MTU only falls), at least tcp_min_snd_mss (48), less the
 * options every segment carries; then no more than half the largest
 * window the peer offered (tcp_bound_to_half_wnd). */
uint32_t tcp_sync_mss(struct sock *sk, uint32_t pmtu)
{
	uint32_t opts = sk->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0, clamp = tcp_send_mss(sk) + opts;
	int32_t mss = (int32_t)pmtu - (sk->family == AF_INET6 ? 40 : 20) - 20, cut;

	if (mss > (int32_t)clamp)
		mss = (int32_t)clamp;
	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	mss -= (int32_t)opts;
	cut = sk->max_window > TCP_MSS_DEFAULT ? (int32_t)(sk->max_window / 2) : (int32_t)sk->max_window;
	if (cut && mss > cut)
		mss = cut;
	if (mss < 68 - 20 - (int32_t)opts)
		mss = 68 - 20 - (int32_t)opts;
	sk->pmtu_cookie = (uint16_t)pmtu;
	sk->mss_cache = (uint16_t)mss;
	return (uint32_t)mss;
}

void tcp_mtu_shrink(struct net *net, struct sk_buff *skb, struct sock *sk, const char *fn, uint32_t old_pmtu,
		    uint32_t pmtu)
{
	uint32_t old = tcp_send_mss(sk), mss = tcp_sync_mss(sk, pmtu);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "sk", sk_fmt(sk));
		jw_kv_uint(a, "old_pmtu", old_pmtu);
		jw_kv_uint(a, "pmtu", pmtu);
		jw_kv_uint(a, "old_mss", old);
		jw_kv_uint(a, "mss", mss);
	}
	trace_step(net, skb, fn, "%s: path MTU %u -> %u, MSS %u -> %u", sk_fmt(sk), old_pmtu, pmtu, old, mss);
	tcp_simple_retransmit(net, sk);
}

/* What the peer's window still takes past snd_nxt (0 when it shrank). */
static uint32_t tcp_wnd_room(const struct sock *sk)
{
	int32_t room = (int32_t)(sk->snd_una + sk->snd_wnd - sk->snd_nxt);
	return room > 0 ? (uint32_t)room : 0;
}

/* New data at snd_nxt (flags: ACK, PSH, FIN): one skb, several segments
 * of an MSS when longer (GSO: IP counts it once, skb_gso_segment cuts it
 * before it leaves; PSH and FIN stay on the last). */
static void tcp_send_data(struct net *net, struct sock *sk, const uint8_t *p, uint32_t n, uint8_t fl)
{
	uint32_t mss = tcp_send_mss(sk);
	tcp_event_data_sent(net, sk);
	net->socks->tx_gso_size = n > mss ? (uint16_t)mss : 0;
	tcp_transmit_skb(net, sk, fl, p, n, fl & TCPHDR_FIN ? "application data and FIN" : "application data");
	net->socks->tx_gso_size = 0;
	tcp_rtx_queue_add(net, sk, sk->snd_nxt, fl, p, n);
	sk->snd_nxt += n + !!(fl & TCPHDR_FIN);
	sk_wmem_queue(sk, sk->snd_nxt, n);	/* kept until acknowledged */
	if (n % mss)
		sk->snd_sml = sk->snd_nxt;	/* tcp_minshall_update: it ends in a short segment */
}

static int tcp_nagle_holds(const struct sock *sk, uint32_t n);

/* tcp_xmit_size_goal: an skb takes at most what GSO can carry (64 KiB)
 * and half the peer's largest window, in whole segments; and
 * tcp_write_xmit sends at most half the congestion window as one skb
 * (tcp_cwnd_test: 5 of the initial 10, the only window modelled). */
static uint32_t tcp_size_goal(const struct sock *sk, uint32_t mss)
{
	uint32_t goal = 65536 - 1 - 320, half = sk->max_window / 2;	/* gso_max_size - 1 - MAX_TCP_HEADER */
	if (half > TCP_MSS_DEFAULT && half < goal)
		goal = half;
	if (goal > 5 * mss)
		goal = 5 * mss;
	goal -= goal % mss;
	return goal ? goal : mss;
}

/* The next skb of left bytes: as many as the size goal takes; a short
 * last segment only when Nagle lets it go (tcp_mss_split_point). 0: hold. */
static uint32_t tcp_next_skb_len(const struct sock *sk, uint32_t left, int nagle_off)
{
	uint32_t mss = tcp_send_mss(sk), goal = tcp_size_goal(sk, mss), n = left < goal ? left : goal;
	if (n == left && n % mss && !nagle_off && tcp_nagle_holds(sk, n % mss))
		n -= n % mss;
	return n;
}

/* tcp_nagle_test: a segment shorter than the MSS waits while a short one
 * sent before is unacknowledged (Minshall's variant, tcp_minshall_check). */
static int tcp_nagle_holds(const struct sock *sk, uint32_t n)
{
	return n < tcp_send_mss(sk) && sk->snd_nxt != sk->snd_una && after(sk->snd_sml, sk->snd_una) &&
	       !after(sk->snd_sml, sk->snd_nxt);
}

/* tcp_push_pending_frames: what Nagle held, once it may go (an ACK came)
 * or must (fin: the application closed, TCP_NAGLE_OFF). Returns 1 when a
 * FIN went with the data. */
int tcp_push_pending(struct net *net, struct sock *sk, int fin)
{
	uint32_t sent = 0, len = sk->nagle_len, room = tcp_wnd_room(sk);
	int fin_sent = 0;

	if (!len)
		return 0;
	if (len > room)
		len = room;
	while (sent < len) {
		uint32_t n = tcp_next_skb_len(sk, len - sent, fin);
		if (!n)
			break;
		int last = sent + n == sk->nagle_len;
		fin_sent = last && fin;
		tcp_send_data(net, sk, sk->nagle_data + sent, n,
			      TCPHDR_ACK | (last ? TCPHDR_PSH : 0) | (fin_sent ? TCPHDR_FIN : 0));
		sent += n;
	}
	if (fin && sent < sk->nagle_len) {	/* the FIN goes after what the window took */
		trace_step(net, NULL, "tcp_sendmsg", "%u held bytes do not fit the peer's window: not sent (no send "
			   "queue in this model)", sk->nagle_len - sent);
		sent = sk->nagle_len;
	}
	memmove(sk->nagle_data, sk->nagle_data + sent, sk->nagle_len - sent);
	sk->nagle_len -= sent;
	return fin_sent;
}

int tcp_sendmsg(struct net *net, struct sock *sk, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t sent = 0, room = tcp_wnd_room(sk);

	/* what Nagle holds counts; it is bounded as a send buffer is (tcp_wmem[2]) */
	room = room > sk->nagle_len ? room - sk->nagle_len : 0;
	if (room > TCP_WMEM_MAX - sk->nagle_len)
		room = TCP_WMEM_MAX - sk->nagle_len;

	if (sk->state != TCP_ESTABLISHED && sk->state != TCP_CLOSE_WAIT)
		return -1;
	if (len > room) {
		trace_step(net, NULL, "tcp_sendmsg", "peer window has room for %u of %u bytes; the rest is not sent "
			   "(no send queue in this model)", room, len);
		len = room;
	}
	while (sent < len && !sk->nagle_len) {
		uint32_t n = tcp_next_skb_len(sk, len - sent, 0);
		if (!n)
			break;
		tcp_send_data(net, sk, p + sent, n, TCPHDR_ACK | (sent + n == len ? TCPHDR_PSH : 0));
		sent += n;
	}
	if (sent < len) {	/* behind a short segment in flight: held (Nagle) */
		uint8_t *q = realloc(sk->nagle_data, sk->nagle_len + len - sent);
		if (!q)
			return (int)sent;
		memcpy(q + sk->nagle_len, p + sent, len - sent);
		sk->nagle_data = q;
		sk->nagle_len += len - sent;
		trace_step(net, NULL, "tcp_sendmsg", "%u bytes wait (Nagle): a short segment is not yet acknowledged",
			   sk->nagle_len);
	}
	return (int)len;
}

int tcp_close_state(struct net *net, struct sock *sk)
{
	switch (sk->state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		tcp_set_state(net, sk, TCP_FIN_WAIT1);
		return 1;
	case TCP_CLOSE_WAIT:
		tcp_set_state(net, sk, TCP_LAST_ACK);
		return 1;
	}
	return 0;	/* a FIN is already out, or the connection is gone */
}

void tcp_close(struct net *net, struct sock *sk)
{
	sk->app_closed = 1;
	sk->shutdown |= SEND_SHUTDOWN;
	if (sk->state != TCP_SYN_RECV && tcp_close_state(net, sk))
		tcp_send_fin(net, sk);
}

void tcp_done(struct net *net, struct sock *sk)
{
	if (sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV)
		SNMP_INC(net, MIB_TCP_ATTEMPTFAILS);
	tcp_set_state(net, sk, TCP_CLOSE);
	sk->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
	if (sk->hashed)
		sock_unhash(net, sk);
}

void tcp_timer_arm(struct net *net, uint64_t when_ns)
{
	struct sock_table *t = net->socks;
	if (!t->next_timer_ns || when_ns < t->next_timer_ns)
		t->next_timer_ns = when_ns;
	t->timers_walk = 1;	/* whose timer it is is not known: look at every socket */
}

void tcp_send_delayed_ack(struct net *net, struct sock *sk)
{
	uint64_t ato = sk->ato_ns;
	if (ato < TCP_ATO_MIN_NS)
		ato = TCP_ATO_MIN_NS;
	if (ato > TCP_DELACK_MAX_NS)
		ato = TCP_DELACK_MAX_NS;
	sk->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
	if (!sk->ack_timeout_ns || net->now_ns + ato < sk->ack_timeout_ns)
		sk->ack_timeout_ns = net->now_ns + ato;
	sk_reset_timer(net, sk, sk->ack_timeout_ns);
	trace_step(net, NULL, "tcp_send_delayed_ack", "ACK delayed: the timer fires in %llu ms unless data "
		   "or a second segment comes first", (unsigned long long)((sk->ack_timeout_ns - net->now_ns) / 1000000));
}

/* __tcp_ack_snd_check: ACK now, or schedule a delayed ACK. */
void __tcp_ack_snd_check(struct net *net, struct sock *sk, int ofo_possible)
{
	const char *why = NULL;

	if (!(sk->ack_pending & ICSK_ACK_SCHED))
		return;
	if (sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss)
		why = "more than one full segment unacknowledged";
	else if (sk->ack_quick && !sk->pingpong)
		why = "quickack mode";
	else if (sk->ack_pending & ICSK_ACK_NOW)
		why = "ACK requested now";
	else if (ofo_possible && skb_queue_len(&sk->ofo_queue))
		why = "out-of-order data held (no SACK: a duplicate ACK at once)";
	if (tcp_recorded_hold(net, sk, why ? why : "a delayed ACK, once the timer fires"))
		return;
	if (!why) {
		tcp_send_delayed_ack(net, sk);
		return;
	}
	tcp_send_ack(net, sk, why);
}

/* tcp_cleanup_rbuf (net/ipv4/tcp.c): the application has read copied
 * bytes. An owed ACK goes now if more than a segment is unacknowledged,
 * or if the read emptied the buffer of a push (a short segment) and the
 * connection is not interactive (no reply will carry the ACK); or if
 * the read at least doubled the window we can offer. */
void tcp_cleanup_rbuf(struct net *net, struct sock *sk, uint32_t copied)
{
	const char *why = NULL;

	if (sk->ack_pending & ICSK_ACK_SCHED) {
		if (sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss)
			why = "read: more than one segment unacknowledged";
		else if (copied && !sk->rmem && ((sk->ack_pending & ICSK_ACK_PUSHED2) ||
						 ((sk->ack_pending & ICSK_ACK_PUSHED) && !sk->pingpong)))
			why = "read: a pushed segment, buffer now empty";
	}
	if (copied && !why && !(sk->shutdown & RCV_SHUTDOWN)) {
		uint32_t now = tcp_receive_window(sk);
		if (2 * now <= sk->window_clamp) {
			uint32_t win = __tcp_select_window(sk);
			if (win && win >= 2 * now)
				why = "read: the window can open to twice its size";
		}
	}
	if (why && sk->hashed)
		tcp_send_ack(net, sk, why);
}

/* tcp_delack_timer_handler: the delayed ACK is due. */
static void tcp_delack_timer(struct net *net, struct sock *sk)
{
	trace_enter(net, NULL, "tcp_delack_timer", "tcp", "%s: delayed-ACK timer expired", sk_fmt(sk));
	if (sk->pingpong) {
		/* A reply did not come in time: leave interactive mode. */
		sk->pingpong = 0;
		sk->ato_ns = TCP_ATO_MIN_NS;
	} else {
		sk->ato_ns = sk->ato_ns * 2 > TCP_DELACK_MAX_NS ? TCP_DELACK_MAX_NS : sk->ato_ns * 2;
	}
	SNMP_INC(net, MIB_TCPEXT_TCPDELAYEDACKS);
	tcp_send_ack(net, sk, "delayed ACK");
	tcp_sock_trace(net, sk);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

static void tcp_expire(struct net *net, struct sock *sk)
{
	trace_enter(net, NULL, sk->state == TCP_TIME_WAIT ? "tcp_tw_timer" : sk->state == TCP_NEW_SYN_RECV ?
		    "reqsk_timer_handler" : "tcp_keepalive_timer", "tcp", "%s: %s timeout%s", sk_fmt(sk),
		    tcp_state_name(sk->state), sk->state == TCP_NEW_SYN_RECV ? ": no ACK after 5 SYN-ACK retransmissions, "
		    "the request is dropped" : "");
	if (sk->state == TCP_NEW_SYN_RECV) {
		SNMP_INC(net, MIB_TCPEXT_TCPTIMEOUTS);	/* the request timer's last expiry */
		inet_csk_reqsk_queue_drop(net, sk);
	} else {
		tcp_done(net, sk);
	}
	tcp_trace_sk_gone(net, sk);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "socket freed");
}

/* The earliest deadline of sk's armed timers (0 none). */
static uint64_t tcp_next_timer(const struct sock *sk)
{
	uint64_t next = 0;

	if (!sk->hashed)
		return 0;
	next = tcp_rtx_deadline(sk);
	if (sk->ack_timeout_ns && (!next || sk->ack_timeout_ns < next))
		next = sk->ack_timeout_ns;
	if (sk->timeout_ns && (!next || sk->timeout_ns < next))
		next = sk->timeout_ns;
	if (sk->rtx_timeout_ns && sk->state == TCP_NEW_SYN_RECV && (!next || sk->rtx_timeout_ns < next))
		next = sk->rtx_timeout_ns;
	return next;
}

/* Fires what is due on one socket; returns its next deadline (0 none). */
static uint64_t tcp_sock_timers(struct net *net, struct sock *sk)
{
	uint64_t now = net->now_ns;

	if (sk->ack_timeout_ns && sk->ack_timeout_ns <= now && sk->hashed)
		tcp_delack_timer(net, sk);
	if (sk->rtx_timeout_ns && sk->rtx_timeout_ns <= now && sk->hashed && sk->state == TCP_NEW_SYN_RECV)
		reqsk_timer_handler(net, sk);
	if (sk->timeout_ns && sk->timeout_ns <= now && sk->hashed) {
		sk->timeout_ns = 0;
		tcp_expire(net, sk);
	}
	if (sk->hashed)
		tcp_rtx_timer(net, sk);
	return tcp_next_timer(sk);
}

void tcp_run_timers(struct net *net)
{
	struct sock_table *t = net->socks;
	struct sock **due;
	int n;

	if (!t || !t->next_timer_ns || net->now_ns < t->next_timer_ns)
		return;
	n = sk_timers_due(net, &due);	/* the heap's candidates, in the order of t->all */
	for (int i = 0; i < n; i++) {
		uint64_t d = tcp_sock_timers(net, due[i]);
		if (d)
			sk_timer_set(t, due[i], d);
	}
	for (struct sock *sk = n < 0 ? t->all : NULL, *nx; sk; sk = nx) {
		nx = sk->anext;	/* sk may move to the graveyard */
		if (sk->protocol != IPPROTO_TCP_)
			continue;
		uint64_t d = tcp_sock_timers(net, sk);
		if (d)
			sk_timer_set(t, sk, d);
	}
	t->next_timer_ns = sk_timers_next(net, tcp_next_timer);
	sock_reap(net);
}
