/*
 * tcp_input.c - TCP segment processing, after net/ipv4/tcp_input.c
 * (Linux 6.13): tcp_rcv_established (header prediction fast path, slow
 * path), tcp_rcv_state_process (every other state, written as RFC 793
 * "SEGMENT ARRIVES": first check the sequence number, second the RST bit,
 * fourth the SYN bit, fifth the ACK field, seventh the text, eighth the
 * FIN bit), tcp_validate_incoming (RFC 5961 challenge ACKs), tcp_ack,
 * tcp_data_queue with the out-of-order queue and receive-queue coalescing
 * (tcp_try_coalesce), tcp_fin, the inputs to the ACK policy (quickack,
 * delayed-ACK ato) and to the receive window (the scaling ratio,
 * tcp_grow_window, tcp_init_buffer_space, tcp_set_window_clamp).
 * Options (timestamps and PAWS, window scale, SACK and D-SACK) are read
 * and written in tcp_options.c; this file calls them where Linux does.
 * Left out: ECN, congestion control, receive-buffer
 * autotuning (tcp_rcv_space_adjust: the buffer stays tcp_rmem[1]), queue
 * collapsing and pruning under memory pressure, SACK-based recovery. The
 * RTO lives in tcp_timer.c.
 */
#include "tcp.h"

#include <string.h>

#define FLAG_DATA		0x01
#define TCP_REMNANT		(TCPHDR_FIN | TCPHDR_URG | TCPHDR_SYN | TCPHDR_PSH)
#define FLAG_SLOWPATH		0x100
#define FLAG_UPDATE_TS_RECENT	0x4000
#define FLAG_NO_CHALLENGE_ACK	0x8000

static uint32_t th_len(const struct sk_buff *skb) { return (uint32_t)(skb->data[12] >> 4) * 4; }

/* tp->tcp_header_len: what header prediction expects, 32 with timestamps. */
static uint32_t tcp_header_len(const struct sock *sk) { return 20 + (sk->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0); }

/* The fast path's ts_recent update: the segment is in order, so it covers
 * the left edge when nothing is unacknowledged (rcv_nxt == rcv_wup). */
static void tcp_fast_store_ts(struct net *net, struct sock *sk)
{
	if (sk->saw_tstamp && sk->rcv_nxt == sk->rcv_wup) {
		sk->ts_recent = sk->rcv_tsval;
		sk->ts_recent_stamp_ns = net->now_ns;
	}
}

uint32_t tcp_receive_window(const struct sock *sk)
{
	int32_t win = (int32_t)(sk->rcv_wup + sk->rcv_wnd - sk->rcv_nxt);
	return win < 0 ? 0 : (uint32_t)win;
}

/* tcp_sequence - RFC 793 p.69's acceptability test, as Linux simplifies
 * it: the segment must end at or after rcv_wup (the left edge we last
 * advertised, so delayed-acked data still fits) and start no later than
 * the right edge rcv_nxt + window. Wrap-safe through before()/after(). */
enum skb_drop_reason tcp_sequence(const struct sock *sk, uint32_t seq, uint32_t end_seq)
{
	if (before(end_seq, sk->rcv_wup))
		return SKB_DROP_REASON_TCP_OLD_SEQUENCE;
	if (after(seq, sk->rcv_nxt + tcp_receive_window(sk)))
		return SKB_DROP_REASON_TCP_INVALID_SEQUENCE;
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/* tcp_incr_quickack / tcp_enter_quickack_mode: ACK the next segments at once. */
static void tcp_incr_quickack(struct sock *sk, unsigned max)
{
	unsigned q = sk->rcv_wnd / (2u * sk->rcv_mss);
	if (!q)
		q = 2;
	if (q > max)
		q = max;
	if (q > sk->ack_quick)
		sk->ack_quick = (uint8_t)q;
}

static void tcp_enter_quickack_mode_max(struct sock *sk, unsigned max)
{
	tcp_incr_quickack(sk, max);
	sk->pingpong = 0;
	sk->ato_ns = TCP_ATO_MIN_NS;
}

static void tcp_enter_quickack_mode(struct sock *sk)
{
	tcp_enter_quickack_mode_max(sk, TCP_MAX_QUICKACKS);
}

void tcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb)
{
	if (!(sk->ecn_flags & TCP_ECN_OK))
		return;
	switch (ip_skb_ecn(skb)) {
	case 0:		/* not ECT after ECT: likely a retransmission */
		if (sk->ecn_flags & TCP_ECN_SEEN)
			tcp_enter_quickack_mode_max(sk, 2);
		break;
	case INET_ECN_CE:
		if (!(sk->ecn_flags & TCP_ECN_DEMAND_CWR)) {
			tcp_enter_quickack_mode_max(sk, 2);	/* the sender may have a tiny window */
			sk->ecn_flags |= TCP_ECN_DEMAND_CWR;
		}
		sk->ecn_flags |= TCP_ECN_SEEN;
		break;
	default:
		sk->ecn_flags |= TCP_ECN_SEEN;
	}
}

void tcp_ecn_accept_cwr(struct sock *sk, const struct sk_buff *skb)
{
	if (!(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_CWR))
		return;
	sk->ecn_flags &= (uint8_t)~TCP_ECN_DEMAND_CWR;
	if (TCP_SKB_CB(skb)->seq != TCP_SKB_CB(skb)->end_seq)
		sk->ack_pending |= ICSK_ACK_NOW;	/* its window may be one segment */
}

/* tcp_set_window_clamp (net/ipv4/tcp.c): a smaller clamp pulls
 * rcv_ssthresh down with it; a larger one lets it up to the current offer. */
void tcp_set_window_clamp(struct sock *sk, uint32_t val)
{
	uint32_t old = sk->window_clamp, clamp = val < SOCK_MIN_RCVBUF / 2 ? SOCK_MIN_RCVBUF / 2 : val;

	if (clamp == old)
		return;
	sk->window_clamp = clamp;
	if (clamp < old) {
		if (sk->rcv_ssthresh > clamp)
			sk->rcv_ssthresh = clamp;	/* __tcp_adjust_rcv_ssthresh, no reserved memory */
	} else {
		uint32_t t = sk->rcv_wnd < clamp ? sk->rcv_wnd : clamp;
		if (t > sk->rcv_ssthresh)
			sk->rcv_ssthresh = t;
	}
}

/* tcp_init_buffer_space - the clamp is the whole buffer's worth, less one
 * segment kept in reserve (tcp_app_win 31); rcv_ssthresh starts under it. */
void tcp_init_buffer_space(struct sock *sk)
{
	int32_t maxwin = tcp_full_space(sk);
	uint32_t adv = sk->advmss;

	if (maxwin < 0)
		maxwin = 0;
	if (!sk->window_clamp || sk->window_clamp >= (uint32_t)maxwin)
		sk->window_clamp = (uint32_t)maxwin > 4 * adv ? (uint32_t)maxwin : 4 * adv;
	if (sk->window_clamp > 2 * adv && sk->window_clamp + adv > (uint32_t)maxwin)
		sk->window_clamp = (uint32_t)maxwin - adv > 2 * adv && (uint32_t)maxwin > adv ? (uint32_t)maxwin - adv
											: 2 * adv;
	if (sk->rcv_ssthresh > sk->window_clamp)
		sk->rcv_ssthresh = sk->window_clamp;
}

/* __tcp_grow_window: would a buffer full of skbs like this one hold the
 * window rcv_ssthresh is heading for? Halve both until it fits. */
static uint32_t __tcp_grow_window(const struct net *net, const struct sock *sk, const struct sk_buff *skb)
{
	int32_t truesize = tcp_win_from_space(sk, (int32_t)skb->truesize) >> 1;
	int32_t window = tcp_win_from_space(sk, (int32_t)net->sysctl.tcp_rmem[2]) >> 1;

	while (window >= 0 && sk->rcv_ssthresh <= (uint32_t)window) {
		if (truesize <= (int32_t)skb->len)
			return 2u * sk->rcv_mss;
		truesize >>= 1;
		window >>= 1;
	}
	return 0;
}

/* tcp_grow_window - data with a good len/truesize ratio raises
 * rcv_ssthresh, the window we may offer, toward window_clamp and the free
 * space (by two segments, or twice this one); an ACK then goes at once
 * (quick). Left out: frag-only skbs' truesize_adjust (jumbo frames) and
 * memory pressure. */
static void tcp_grow_window(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	int32_t space = tcp_space(sk), room, incr;

	room = ((int32_t)sk->window_clamp < space ? (int32_t)sk->window_clamp : space) - (int32_t)sk->rcv_ssthresh;
	if (room <= 0)
		return;
	if (tcp_win_from_space(sk, (int32_t)skb->truesize) <= (int32_t)skb->len)
		incr = 2 * sk->advmss;
	else
		incr = (int32_t)__tcp_grow_window(net, sk, skb);
	if (!incr)
		return;
	if (incr < 2 * (int32_t)skb->len)
		incr = 2 * (int32_t)skb->len;
	sk->rcv_ssthresh += (uint32_t)(room < incr ? room : incr);
	sk->ack_quick |= 1;
}

/* tcp_measure_rcv_mss: the peer's segment size, from full-sized segments,
 * whose len/truesize also sets the scaling ratio (and so window_clamp).
 * A shorter one (or one with PSH) is a push: the ACK is marked PUSHED and
 * tcp_cleanup_rbuf sends it as soon as the application has read it. */
static void tcp_measure_rcv_mss(struct sock *sk, const struct sk_buff *skb)
{
	uint32_t lss = sk->last_seg_size, len = skb->len;

	sk->last_seg_size = 0;
	/* A frame longer than a segment (offloaded: TSO on the sender, GRO
	 * here) is measured by its gso_size; the capture does not keep it,
	 * so the segment size this connection uses stands in. */
	if (len > sk->advmss && sk->mss_cache)
		len = sk->mss_cache;
	if (len >= sk->rcv_mss) {
		if (len != sk->rcv_mss && skb->truesize) {
			uint64_t r = ((uint64_t)skb->len << TCP_RMEM_TO_WIN_SCALE) / skb->truesize;
			uint8_t old = sk->scaling_ratio;
			sk->scaling_ratio = (uint8_t)(r ? (r > 255 ? 255 : r) : 1);
			if (old != sk->scaling_ratio)
				tcp_set_window_clamp(sk, (uint32_t)tcp_win_from_space(sk, (int32_t)sk->rcvbuf));
		}
		sk->rcv_mss = (uint16_t)(len < sk->advmss ? len : sk->advmss);
		return;
	}
	len += (uint32_t)(skb->data - skb_transport_header(skb));	/* with the TCP header */
	if (len >= TCP_MSS_DEFAULT + 20 ||
	    (len >= TCP_MIN_MSS + 20 && !(TCP_SKB_CB(skb)->tcp_flags & TCP_REMNANT))) {
		len -= sk->tstamp_ok ? 20 + TCPOLEN_TSTAMP_ALIGNED : 20;	/* tcp_header_len */
		sk->last_seg_size = (uint16_t)len;
		if (len == lss) {
			sk->rcv_mss = (uint16_t)len;
			return;
		}
	}
	if (sk->ack_pending & ICSK_ACK_PUSHED)
		sk->ack_pending |= ICSK_ACK_PUSHED2;
	sk->ack_pending |= ICSK_ACK_PUSHED;
}

/* tcp_event_data_recv: data arrived (skb at its payload); learn the
 * peer's segment size and how fast data comes (ato: the delayed-ACK
 * timeout tracks the gap). The RTO is tcp_rto_min: no RTT estimation. */
static void tcp_event_data_recv(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	uint64_t now = net->now_ns, m = now - sk->lrcvtime_ns;

	sk->ack_pending |= ICSK_ACK_SCHED;
	tcp_measure_rcv_mss(sk, skb);
	if (!sk->ato_ns) {
		/* The first data: start in quickack mode (slow start at the peer). */
		tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
		sk->ato_ns = TCP_ATO_MIN_NS;
	} else if (m <= TCP_ATO_MIN_NS / 2) {
		sk->ato_ns = sk->ato_ns / 2 + TCP_ATO_MIN_NS / 2;
	} else if (m < sk->ato_ns) {
		sk->ato_ns = (uint32_t)(sk->ato_ns / 2 + m);
		if (sk->ato_ns > TCP_DELACK_MAX_NS)
			sk->ato_ns = TCP_DELACK_MAX_NS;
	} else if (m > TCP_RTO_MIN_NS) {
		/* A long gap: the sender restarts slowly, ACK it quickly. */
		tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
	}
	sk->lrcvtime_ns = now;
	tcp_ecn_check_ce(sk, skb);
	if (skb->len >= 128)
		tcp_grow_window(net, sk, skb);
}

/* tcp_fast_path_check: header prediction only when nothing unusual is pending. */
void tcp_fast_path_check(struct sock *sk)
{
	sk->fast_path = !skb_queue_len(&sk->ofo_queue) && sk->rcv_wnd && sk->rmem < sk->rcvbuf && !sk->urg_data;
}

/* tcp_ack_update_window: a newer segment (tcp_may_update_window) moves
 * the peer's window, scaled by its shift (RFC 7323 2.3). */
static void tcp_ack_update_window(struct sock *sk, const struct sk_buff *skb, uint32_t ack, uint32_t prior)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t nwin = (uint32_t)cb->window << sk->snd_wscale;

	if (after(ack, prior) || after(cb->seq, sk->snd_wl1) || (cb->seq == sk->snd_wl1 && nwin > sk->snd_wnd)) {
		sk->snd_wl1 = cb->seq;
		sk->snd_wnd = nwin;
		if (nwin > sk->max_window)
			sk->max_window = nwin;
	}
}

/* tcp_ack - fifth, check the ACK field. Returns 1 when acceptable, 0 for
 * an old (duplicate) ACK, or -reason to drop. */
static int tcp_ack(struct net *net, struct sock *sk, const struct sk_buff *skb, int flag)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t ack = cb->ack_seq, prior = sk->snd_una;

	if (before(ack, prior)) {
		/* RFC 5961 5.2: older than the peer could have seen us send
		 * (the window, or all it has acked so far if less) */
		uint64_t maxw = sk->max_window < sk->bytes_acked ? sk->max_window : sk->bytes_acked;
		if (before(ack, prior - (uint32_t)maxw)) {
			if (!(flag & FLAG_NO_CHALLENGE_ACK))
				tcp_send_challenge_ack(net, sk, skb);
			trace_step(net, skb, "tcp_ack", "ACK %u is older than the window: too old", ack - sk->iss);
			return -SKB_DROP_REASON_TCP_TOO_OLD_ACK;
		}
		trace_step(net, skb, "tcp_ack", "old ACK %u (snd_una %u): nothing new", ack - sk->iss, prior - sk->iss);
		return 0;
	}
	if (after(ack, sk->snd_nxt)) {
		/* Linux 6.18 answers it with a challenge ACK too (RFC 9293) */
		if (!(flag & FLAG_NO_CHALLENGE_ACK))
			tcp_send_challenge_ack(net, sk, skb);
		trace_step(net, skb, "tcp_ack", "ACK %u acknowledges data never sent (snd_nxt %u)", ack - sk->iss,
			   sk->snd_nxt - sk->iss);
		return -SKB_DROP_REASON_TCP_ACK_UNSENT_DATA;
	}
	if (flag & FLAG_UPDATE_TS_RECENT)
		tcp_replace_ts_recent(net, sk, cb->seq);
	if (cb->sacked)
		tcp_sacktag_write_queue(net, sk, skb, prior);
	if (!(flag & FLAG_SLOWPATH) && after(ack, prior)) {
		sk->snd_wl1 = cb->seq;	/* the window was predicted unchanged */
		SNMP_INC(net, MIB_TCPEXT_TCPHPACKS);
	} else {
		if (cb->seq == cb->end_seq && !(flag & FLAG_DATA) && th_len(skb) == skb->len)
			SNMP_INC(net, MIB_TCPEXT_TCPPUREACKS);
		tcp_ack_update_window(sk, skb, ack, prior);
	}
	sk->bytes_acked += ack - prior;		/* tcp_snd_una_update */
	sk->snd_una = ack;
	sk_wmem_free_acked(sk, ack);
	if (after(ack, prior))
		tcp_rtx_acked(net, sk);	/* tcp_clean_rtx_queue, tcp_rearm_rto */
	if (trace_on(net) && after(ack, prior)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "sk", sk_fmt(sk));
		jw_kv_uint(a, "snd_una", ack);
		jw_kv_uint(a, "snd_wnd", sk->snd_wnd);
		trace_step(net, skb, "tcp_ack", "acknowledges up to %u (%u new bytes); peer window %u",
			   ack - sk->iss, ack - prior, sk->snd_wnd);
	}
	return 1;
}

/* tcp_send_dupack: a duplicate or unacceptable segment: tell the peer
 * where we are, at once. */
static void tcp_send_dupack(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	if (cb->end_seq != cb->seq && before(cb->seq, sk->rcv_nxt)) {
		SNMP_INC(net, MIB_TCPEXT_DELAYEDACKLOST);
		tcp_enter_quickack_mode(sk);
		tcp_dsack_set(net, sk, cb->seq, after(cb->end_seq, sk->rcv_nxt) ? sk->rcv_nxt : cb->end_seq);
	}
	tcp_send_ack(net, sk, "duplicate ACK");
}

/* tcp_oow_rate_limited: pure ACKs out of window are answered at most
 * every 500 ms; data segments always (they cannot be an ACK loop). */
static int tcp_oow_rate_limited(struct net *net, struct sock *sk, const struct sk_buff *skb, enum nj_mib mib)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	if (cb->seq != cb->end_seq && !(cb->tcp_flags & TCPHDR_SYN))
		return 0;
	if (sk->last_oow_ack_ns && (int64_t)(net->now_ns - sk->last_oow_ack_ns) < (int64_t)TCP_OOW_RATE_NS) {
		SNMP_INC(net, mib);
		return 1;
	}
	sk->last_oow_ack_ns = net->now_ns ? net->now_ns : 1;
	return 0;
}

void tcp_reset(struct net *net, struct sock *sk, const char *why)
{
	trace_step(net, NULL, "tcp_reset", "%s: connection reset (%s)", sk_fmt(sk), why);
	sk->err_soft = sk->state == TCP_CLOSE_WAIT ? 32 /* EPIPE */ : 104 /* ECONNRESET */;
	tcp_done(net, sk);
}

/* tcp_reset_check: in CLOSE_WAIT/LAST_ACK/CLOSING a RST at rcv_nxt - 1
 * (just before the peer's FIN) is accepted too. */
static int tcp_reset_check(const struct sock *sk, uint32_t seq)
{
	return seq == sk->rcv_nxt - 1 &&
	       (sk->state == TCP_CLOSE_WAIT || sk->state == TCP_LAST_ACK || sk->state == TCP_CLOSING);
}

static int tcp_syn_challenge(struct net *net, struct sock *sk, struct sk_buff *skb, int syn_inerr)
{
	if (syn_inerr)
		SNMP_INC(net, MIB_TCP_INERRS);
	SNMP_INC(net, MIB_TCPEXT_TCPSYNCHALLENGE);
	trace_step(net, skb, "tcp_validate_incoming", "fourth, SYN in a synchronized state (RFC 5961 4.2): "
		   "challenge ACK");
	tcp_send_challenge_ack(net, sk, skb);
	skb_drop(net, skb, SKB_DROP_REASON_TCP_INVALID_SYN);
	return 0;
}

/* A segment PAWS refuses: a duplicate ACK (rate limited), then the drop.
 * Returns 0 (dropped), as tcp_validate_incoming. */
static int tcp_paws_drop(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_uint(a, "tsval", sk->rcv_tsval);
		jw_kv_uint(a, "ts_recent", sk->ts_recent);
	}
	trace_step(net, skb, "tcp_paws_discard", "TSval %u is older than ts_recent %u: a segment from an earlier "
		   "wrap of the sequence space (PAWS, RFC 7323 5)", sk->rcv_tsval, sk->ts_recent);
	SNMP_INC(net, MIB_TCPEXT_PAWSESTABREJECTED);
	if (!tcp_oow_rate_limited(net, sk, skb, MIB_TCPEXT_TCPACKSKIPPEDPAWS))
		tcp_send_dupack(net, sk, skb);
	skb_drop(net, skb, SKB_DROP_REASON_TCP_RFC7323_PAWS);
	return 0;
}

/* tcp_validate_incoming - RFC 793 steps one to four. Returns 1 to go on,
 * 0 when the segment was dropped or consumed (its frame closed). */
static int tcp_validate_incoming(struct net *net, struct sock *sk, struct sk_buff *skb, int syn_inerr)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t fl = cb->tcp_flags;
	enum skb_drop_reason r;

	trace_enter(net, skb, "tcp_validate_incoming", "tcp", "seq %u:%u, window [%u, %u]", cb->seq - sk->irs,
		    cb->end_seq - sk->irs, sk->rcv_wup - sk->irs, sk->rcv_nxt + tcp_receive_window(sk) - sk->irs);
	/* RFC 7323 5.3 H1: PAWS comes first; a RST is let through. */
	tcp_fast_parse_options(net, sk, skb);
	if (sk->saw_tstamp && tcp_paws_discard(sk, skb) && !(fl & TCPHDR_RST))
		return fl & TCPHDR_SYN ? tcp_syn_challenge(net, sk, skb, syn_inerr) : tcp_paws_drop(net, sk, skb);
	/* first, check sequence number */
	r = tcp_sequence(sk, cb->seq, cb->end_seq);
	if (r) {
		trace_step(net, skb, "tcp_sequence", "first, unacceptable: %s", r == SKB_DROP_REASON_TCP_OLD_SEQUENCE ?
			   "ends before the window (old duplicate)" : "starts beyond the window");
		if (!(fl & TCPHDR_RST)) {
			if (fl & TCPHDR_SYN)
				return tcp_syn_challenge(net, sk, skb, syn_inerr);
			if (!tcp_oow_rate_limited(net, sk, skb, MIB_TCPEXT_TCPACKSKIPPEDSEQ))
				tcp_send_dupack(net, sk, skb);
		} else if (tcp_reset_check(sk, cb->seq)) {
			goto reset;
		}
		skb_drop(net, skb, r);
		return 0;
	}
	/* second, check the RST bit (RFC 5961 3.2: only an exact hit resets) */
	if (fl & TCPHDR_RST) {
		if (cb->seq == sk->rcv_nxt || tcp_reset_check(sk, cb->seq))
			goto reset;
		trace_step(net, skb, "tcp_validate_incoming", "second, RST in window but seq %u != rcv_nxt %u: "
			   "challenge ACK (RFC 5961 3.2)", cb->seq - sk->irs, sk->rcv_nxt - sk->irs);
		tcp_send_challenge_ack(net, sk, skb);
		skb_drop(net, skb, SKB_DROP_REASON_TCP_RESET);
		return 0;
	}
	/* third, security and precedence: not checked (as in Linux) */
	/* fourth, check the SYN bit */
	if (fl & TCPHDR_SYN)
		return tcp_syn_challenge(net, sk, skb, syn_inerr);
	trace_exit(net, skb, V_PASS, 0, "acceptable");
	return 1;
reset:
	tcp_reset(net, sk, "RST at rcv_nxt");
	trace_exit(net, skb, V_CONSUMED, 0, "RST accepted");
	kfree_skb(net, skb);
	return 0;
}

/* Queue helpers: skb_insert before pos (pos may be the list head). */
static void skb_insert_before(struct sk_buff_head *list, struct sk_buff *pos, struct sk_buff *skb)
{
	skb->next = pos;
	skb->prev = pos->prev;
	pos->prev->next = skb;
	pos->prev = skb;
	list->qlen++;
}

static void skb_unlink(struct sk_buff_head *list, struct sk_buff *skb)
{
	skb->prev->next = skb->next;
	skb->next->prev = skb->prev;
	skb->next = skb->prev = NULL;
	list->qlen--;
}

static uint32_t tcp_payload(const struct sk_buff *skb) { return skb->len; }

/* The room Linux's skb for this frame has after its tail: packet_snd
 * (AF_PACKET on veth, as diff-kernel feeds Linux) asks for one kmalloc'd
 * head of LL_RESERVED_SPACE (16) + the frame, whose size the truesize gives
 * away (the head plus struct sk_buff), and puts the frame hard_header_len
 * (14) back from that reserve, at offset 2. A frame that does not fit a
 * page has its bytes in page frags: no tailroom is modelled then. */
static uint16_t tcp_lx_tailroom(const struct sk_buff *skb)
{
	uint32_t over = SKB_DATA_ALIGN(232u) + SKB_SHINFO_SIZE, used = 2 + (skb->tail - skb->mac_header);

	if (used >= SK_PAGE_SIZE || skb->truesize < over + used)
		return 0;
	return (uint16_t)(skb->truesize - over - used > 65535 ? 65535 : skb->truesize - over - used);
}

/* tcp_try_coalesce - Linux copies from's len bytes into to, the skb before
 * it in its queue, when they continue it and fit its tailroom
 * (skb_try_coalesce; heads that were kmalloc'd cannot be stolen, so no
 * other way applies): one skb less to charge (TcpExt.TCPRcvCoalesce). Here
 * both skbs stay queued; from is marked coalesced and charges nothing. A
 * segment that began before rcv_nxt keeps its old bytes in Linux (the
 * reader skips them), so it does not continue the tail: TCP_NO_COALESCE. */
#define TCP_NO_COALESCE	UINT32_MAX
static int tcp_try_coalesce(struct net *net, struct sock *sk, struct sk_buff *to, struct sk_buff *from, uint32_t len)
{
	struct tcp_skb_cb *tc = TCP_SKB_CB(to), *fc = TCP_SKB_CB(from);

	if (fc->seq != tc->end_seq || len > tc->lx_tailroom)
		return 0;
	fc->coalesced = 1;
	fc->lx_tailroom = (uint16_t)(tc->lx_tailroom - len);
	SNMP_INC(net, MIB_TCPEXT_TCPRCVCOALESCE);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_uint(a, "len", len);
		jw_kv_uint(a, "tailroom", fc->lx_tailroom);
	}
	trace_step(net, from, "tcp_try_coalesce", "%s: %u bytes copied into the tail skb (%u:%u), %u bytes of its tailroom "
		   "left: one skb less to charge", sk_fmt(sk), len, tc->seq - sk->irs, tc->end_seq - sk->irs,
		   fc->lx_tailroom);
	return 1;
}

/* tcp_queue_rcv - appends in-order bytes (data at the payload), coalesced
 * into the queue's tail when Linux would, and advances rcv_nxt. len and
 * room are what Linux's skb holds and has left (a merged out-of-order run:
 * all of it; room < 0: this skb's own). Returns 1 when coalesced ("eaten"). */
static int tcp_queue_rcv(struct net *net, struct sock *sk, struct sk_buff *skb, uint32_t len, int room)
{
	struct sk_buff_head *q = &sk->receive_queue;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	int eaten = skb_queue_len(q) && tcp_try_coalesce(net, sk, q->prev, skb, len);

	if (!eaten) {
		cb->coalesced = 0;
		cb->lx_tailroom = room < 0 ? tcp_lx_tailroom(skb) : (uint16_t)room;
	}
	sk->rmem += tcp_payload(skb);
	sk->rcv_nxt = cb->end_seq;
	skb_queue_tail(q, skb);
	return eaten;
}

void tcp_fin(struct net *net, struct sock *sk)
{
	sk->ack_pending |= ICSK_ACK_SCHED;
	sk->shutdown |= RCV_SHUTDOWN;
	sk->data_ready = 1;
	trace_step(net, NULL, "tcp_fin", "eighth, FIN: the peer has no more data");
	switch (sk->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(net, sk, TCP_CLOSE_WAIT);
		sk->pingpong = 1;	/* our FIN will carry the ACK if the app closes soon */
		break;
	case TCP_FIN_WAIT1:
		tcp_send_ack(net, sk, "ACK of the peer's FIN (simultaneous close)");
		tcp_set_state(net, sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(net, sk, "ACK of the peer's FIN");
		tcp_time_wait(net, sk, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN_NS);
		break;
	default:
		break;
	}
	skb_queue_purge(net, &sk->ofo_queue);
}

/* An out-of-order skb (just dequeued) and the ones coalesced behind it,
 * still first in q, are one skb in Linux: their length, and the tailroom
 * the last one left (*room). */
static uint32_t tcp_ofo_run_len(const struct sk_buff_head *q, const struct sk_buff *skb, uint16_t *room)
{
	uint32_t len = skb->len;

	*room = TCP_SKB_CB(skb)->lx_tailroom;
	for (skb = q->next; skb != (const struct sk_buff *)q && TCP_SKB_CB(skb)->coalesced; skb = skb->next) {
		len += skb->len;
		*room = TCP_SKB_CB(skb)->lx_tailroom;
	}
	return len;
}

/* Moves one out-of-order skb (a run's head, or a follower: run 1) to the
 * receive queue: a run's head decides for the whole run whether it is
 * coalesced into the receive queue's tail; its followers go with it. */
static void tcp_ofo_move(struct net *net, struct sock *sk, struct sk_buff *skb, int run, int trimmed)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct sk_buff_head *rq = &sk->receive_queue;
	uint16_t room;

	if (run) {
		cb->coalesced = 1;	/* it was copied along with its run */
		cb->lx_tailroom = TCP_SKB_CB(rq->prev)->lx_tailroom;
		sk->rmem += tcp_payload(skb);
		sk->rcv_nxt = cb->end_seq;
		skb_queue_tail(rq, skb);
		return;
	}
	uint32_t len = tcp_ofo_run_len(&sk->ofo_queue, skb, &room);
	tcp_queue_rcv(net, sk, skb, trimmed ? TCP_NO_COALESCE : len, room);
}

/* tcp_ofo_queue: move segments the hole-filler made contiguous. */
static void tcp_ofo_queue(struct net *net, struct sock *sk)
{
	struct sk_buff_head *q = &sk->ofo_queue;
	int run = 0;	/* the skb before was moved, and a coalesced one follows it */

	while (skb_queue_len(q) && !after(TCP_SKB_CB(q->next)->seq, sk->rcv_nxt)) {
		struct sk_buff *skb = skb_dequeue(q);
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
		skb->pkt = net->cur_pkt;	/* its story continues with the packet that filled the hole */
		sk->rmem -= tcp_payload(skb);
		run = run && cb->coalesced;
		if (!after(cb->end_seq, sk->rcv_nxt)) {
			run = 0;
			trace_step(net, skb, "tcp_ofo_queue", "%u:%u already received", cb->seq - sk->irs,
				   cb->end_seq - sk->irs);
			kfree_skb_reason(net, skb, SKB_DROP_REASON_TCP_OFO_DROP);
			continue;
		}
		int trimmed = before(cb->seq, sk->rcv_nxt);
		if (trimmed) {
			skb_pull(skb, sk->rcv_nxt - cb->seq);
			cb->seq = sk->rcv_nxt;
		}
		trace_step(net, skb, "tcp_ofo_queue", "%u:%u now in order: moved to the receive queue",
			   cb->seq - sk->irs, cb->end_seq - sk->irs);
		int fin = cb->tcp_flags & TCPHDR_FIN;
		tcp_ofo_move(net, sk, skb, run, trimmed);
		run = 1;
		if (fin)
			tcp_fin(net, sk);
	}
}

void tcp_recorded_rcv_sync(struct net *net, struct sock *sk, uint32_t ack)
{
	trace_step(net, NULL, "tcp_recorded_rcv_sync", "the recorded host acknowledges %u but the stack has only "
		   "up to %u: bytes %u:%u reached the host, not the stack (cut or damaged in the capture); taken as "
		   "received to stay in step", ack - sk->irs, sk->rcv_nxt - sk->irs, sk->rcv_nxt - sk->irs,
		   ack - sk->irs);
	sk->rcv_nxt = ack;
	if (skb_queue_len(&sk->ofo_queue))
		tcp_ofo_queue(net, sk);	/* what waited beyond the hole may now be in order */
	if (sk->num_sacks)
		tcp_sack_remove(sk);
	tcp_fast_path_check(sk);
}

/* The out-of-order skb goes in before pos (the queue head: last). With
 * SACK the window may grow (not without: the sender needs duplicate ACKs
 * to retransmit), measured before the skb is charged. */
static enum skb_drop_reason tcp_ofo_add(struct net *net, struct sock *sk, struct sk_buff *pos, struct sk_buff *skb)
{
	struct sk_buff_head *q = &sk->ofo_queue;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (sk->sack_ok)
		tcp_grow_window(net, sk, skb);
	skb_insert_before(q, pos, skb);
	sk->rmem += skb->len;
	if (sk->sack_ok)
		tcp_sack_new_ofo_skb(sk, cb->seq, cb->end_seq);
	trace_exit(net, NULL, V_QUEUED, 0, "out of order: bytes %u:%u held, hole at %u; %u segment(s) waiting",
		   cb->seq - sk->irs, cb->end_seq - sk->irs, sk->rcv_nxt - sk->irs, skb_queue_len(q));
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/* tcp_data_queue_ofo: a segment beyond a hole waits, sorted by seq. */
static enum skb_drop_reason tcp_data_queue_ofo(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff_head *q = &sk->ofo_queue;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct sk_buff *pos = q->next, *n;

	tcp_ecn_check_ce(sk, skb);
	sk->fast_path = 0;
	sk->ack_pending |= ICSK_ACK_SCHED;
	SNMP_INC(net, MIB_TCPEXT_TCPOFOQUEUE);
	if (sk->rmem + skb->len > sk->rcvbuf) {
		SNMP_INC(net, MIB_TCPEXT_TCPOFODROP);
		return skb_drop(net, skb, SKB_DROP_REASON_PROTO_MEM), SKB_DROP_REASON_PROTO_MEM;
	}
	sk_rmem_schedule(sk, skb->truesize);	/* tcp_try_rmem_schedule */
	/* The usual case, the next segment after the last one held: Linux
	 * tries to coalesce it there first (tcp_ooo_try_coalesce). */
	if (skb_queue_len(q) && tcp_try_coalesce(net, sk, q->prev, skb, skb->len))
		return tcp_ofo_add(net, sk, (struct sk_buff *)q, skb);
	cb->coalesced = 0;
	cb->lx_tailroom = tcp_lx_tailroom(skb);
	for (; pos != (struct sk_buff *)q; pos = n) {
		struct tcp_skb_cb *pc = TCP_SKB_CB(pos);
		n = pos->next;
		if (!after(pc->seq, cb->seq) && !before(pc->end_seq, cb->end_seq)) {
			SNMP_INC(net, MIB_TCPEXT_TCPOFOMERGE);
			tcp_dsack_set(net, sk, cb->seq, cb->end_seq);
			if (sk->sack_ok)
				tcp_sack_new_ofo_skb(sk, cb->seq, cb->end_seq);
			trace_step(net, skb, "tcp_data_queue_ofo", "already held in the out-of-order queue");
			return skb_drop(net, skb, SKB_DROP_REASON_TCP_OFOMERGE), SKB_DROP_REASON_TCP_OFOMERGE;
		}
		if (!before(pc->seq, cb->seq) && !after(pc->end_seq, cb->end_seq)) {
			skb_unlink(q, pos);	/* the new segment covers it */
			sk->rmem -= pos->len;
			kfree_skb_reason(net, pos, SKB_DROP_REASON_TCP_OFOMERGE);
			continue;
		}
		if (after(pc->seq, cb->seq))
			break;
	}
	return tcp_ofo_add(net, sk, pos, skb);
}

/* Data at rcv_nxt: to the receive queue, then fill from the OFO queue. */
static enum skb_drop_reason tcp_data_queue_inorder(struct net *net, struct sock *sk, struct sk_buff *skb, int trimmed)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t len = skb->len;
	int fin = cb->tcp_flags & TCPHDR_FIN;

	if (tcp_receive_window(sk) == 0 && !(len == 0 && fin)) {
		SNMP_INC(net, MIB_TCPEXT_TCPZEROWINDOWDROP);
		tcp_enter_quickack_mode(sk);
		sk->ack_pending |= ICSK_ACK_SCHED;
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_ZEROWINDOW), SKB_DROP_REASON_TCP_ZEROWINDOW;
	}
	if (sk->rmem + len > sk->rcvbuf && skb_queue_len(&sk->receive_queue)) {
		SNMP_INC(net, MIB_TCPEXT_TCPRCVQDROP);
		return skb_drop(net, skb, SKB_DROP_REASON_PROTO_MEM), SKB_DROP_REASON_PROTO_MEM;
	}
	sk_rmem_schedule(sk, skb->truesize);	/* tcp_try_rmem_schedule */
	tcp_queue_rcv(net, sk, skb, trimmed ? TCP_NO_COALESCE : len, -1);
	if (len)
		tcp_event_data_recv(net, sk, skb);
	trace_exit(net, NULL, V_QUEUED, 0, "in order: %u bytes queued, rcv_nxt now %u", len, sk->rcv_nxt - sk->irs);
	if (len)
		sk->data_ready = 1;
	if (fin)
		tcp_fin(net, sk);
	if (skb_queue_len(&sk->ofo_queue)) {
		tcp_ofo_queue(net, sk);
		if (!skb_queue_len(&sk->ofo_queue))
			sk->ack_pending |= ICSK_ACK_NOW;	/* the hole is filled: say so at once */
	}
	if (sk->num_sacks)
		tcp_sack_remove(sk);
	tcp_fast_path_check(sk);
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/* tcp_data_queue - seventh, process the segment text. Returns the drop
 * reason, or NOT_DROPPED_YET when the data was queued. */
static enum skb_drop_reason tcp_data_queue(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (cb->seq == cb->end_seq) {
		kfree_skb(net, skb);	/* a bare ACK: done */
		return SKB_DROP_REASON_NOT_DROPPED_YET;
	}
	trace_enter(net, skb, "tcp_data_queue", "tcp", "seq %u:%u, rcv_nxt %u", cb->seq - sk->irs,
		    cb->end_seq - sk->irs, sk->rcv_nxt - sk->irs);
	skb_pull(skb, th_len(skb));
	tcp_ecn_accept_cwr(sk, skb);
	if (cb->seq == sk->rcv_nxt)
		return tcp_data_queue_inorder(net, sk, skb, 0);
	if (!after(cb->end_seq, sk->rcv_nxt)) {
		/* A retransmission of what we have: our ACK was probably lost. */
		SNMP_INC(net, MIB_TCPEXT_DELAYEDACKLOST);
		tcp_dsack_set(net, sk, cb->seq, cb->end_seq);
		tcp_enter_quickack_mode(sk);
		sk->ack_pending |= ICSK_ACK_SCHED;
		trace_step(net, skb, "tcp_data_queue", "duplicate: everything up to %u was already received",
			   sk->rcv_nxt - sk->irs);
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_OLD_DATA), SKB_DROP_REASON_TCP_OLD_DATA;
	}
	if (!before(cb->seq, sk->rcv_nxt + tcp_receive_window(sk))) {
		tcp_enter_quickack_mode(sk);
		sk->ack_pending |= ICSK_ACK_SCHED;
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_OVERWINDOW), SKB_DROP_REASON_TCP_OVERWINDOW;
	}
	if (before(cb->seq, sk->rcv_nxt)) {
		/* Partial overlap: keep only the new bytes. */
		trace_step(net, skb, "tcp_data_queue", "partly old: bytes %u:%u were already received",
			   cb->seq - sk->irs, sk->rcv_nxt - sk->irs);
		tcp_dsack_set(net, sk, cb->seq, sk->rcv_nxt);
		skb_pull(skb, sk->rcv_nxt - cb->seq);
		cb->seq = sk->rcv_nxt;
		return tcp_data_queue_inorder(net, sk, skb, 1);
	}
	return tcp_data_queue_ofo(net, sk, skb);
}

/* After a segment: send what is owed (tcp_data_snd_check has nothing to
 * send: the apps write synchronously) and the ACK decision. */
static void tcp_ack_snd_check(struct net *net, struct sock *sk)
{
	tcp_push_pending(net, sk, 0);	/* tcp_data_snd_check */
	__tcp_ack_snd_check(net, sk, 1);
}

/* Header prediction (tcp_rcv_established's first test): a bare ACK,
 * possibly with data, exactly at rcv_nxt, same window, no options. */
static const char *tcp_predict(const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	if (!sk->fast_path)
		return skb_queue_len(&sk->ofo_queue) ? "fast path off: out-of-order data pending"
		       : sk->urg_data		     ? "fast path off: urgent data pending"
						     : "fast path off";
	if ((cb->tcp_flags & ~TCPHDR_PSH) != TCPHDR_ACK)
		return "flags are not a plain ACK";
	if (th_len(skb) != tcp_header_len(sk))
		return sk->tstamp_ok ? "header length is not that of a timestamp-only header" : "header carries options";
	if (sk->tstamp_ok) {
		static const uint8_t ts_aligned[4] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP };
		if (memcmp(skb->data + 20, ts_aligned, 4))
			return "options other than the aligned timestamp";
		if ((int32_t)(sk->rcv_tsval - sk->ts_recent) < 0)
			return "TSval older than ts_recent (PAWS is checked on the slow path)";
	}
	if ((uint32_t)cb->window << sk->snd_wscale != sk->snd_wnd)
		return "window changed";
	if (cb->seq != sk->rcv_nxt)
		return "seq is not rcv_nxt";
	if (after(cb->ack_seq, sk->snd_nxt))
		return "acks data not sent";
	return NULL;
}

static int tcp_fast_path_data(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t hl = tcp_header_len(sk), len = skb->len - hl;

	SNMP_INC(net, MIB_TCPEXT_TCPHPHITS);
	tcp_path_arg(net, "fast");
	trace_step(net, skb, "tcp_rcv_established", "fast path: %u bytes in order (header prediction hit)", len);
	tcp_fast_store_ts(net, sk);
	skb_pull(skb, hl);
	tcp_queue_rcv(net, sk, skb, skb->len, -1);
	tcp_event_data_recv(net, sk, skb);
	if (cb->ack_seq != sk->snd_una)
		tcp_ack(net, sk, skb, FLAG_DATA);
	sk->data_ready = 1;
	tcp_push_pending(net, sk, 0);	/* tcp_data_snd_check */
	__tcp_ack_snd_check(net, sk, 0);
	trace_exit(net, NULL, V_QUEUED, 0, "queued; rcv_nxt now %u", sk->rcv_nxt - sk->irs);
	return NET_RX_SUCCESS;
}

static int tcp_rcv_fast(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	uint32_t len = skb->len;

	if (len == tcp_header_len(sk)) {
		tcp_path_arg(net, "fast");
		trace_step(net, skb, "tcp_rcv_established", "fast path: pure ACK (header prediction hit)");
		tcp_fast_store_ts(net, sk);
		tcp_ack(net, sk, skb, 0);
		tcp_push_pending(net, sk, 0);	/* tcp_data_snd_check */
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_CONSUMED, 0, "ACK processed");
		return NET_RX_SUCCESS;
	}
	/* Linux 6.x: data takes the fast path only into memory already
	 * reserved. A socket whose application keeps up has given back what
	 * reading freed; what it holds is for its own unacknowledged data
	 * (an echo's reply), so a receiver alone takes the slow way. */
	sk_mem_reclaim(sk);
	if ((int32_t)skb->truesize > sk_forward_alloc(sk))
		return -1;	/* the slow path (step 5) reserves it */
	return tcp_fast_path_data(net, sk, skb);
}

uint32_t tcp_rcvq_bytes(const struct sock *sk)
{
	uint32_t queued = 0;
	for (const struct sk_buff *b = skb_peek(&sk->receive_queue); b && b != (const struct sk_buff *)&sk->receive_queue;
	     b = b->next)
		queued += b->len;
	return queued;
}

uint32_t tcp_copied_seq(const struct sock *sk)
{
	return sk->rcv_nxt - tcp_rcvq_bytes(sk) - !!(sk->shutdown & RCV_SHUTDOWN);	/* the FIN takes a seq, no byte */
}

void tcp_urg_skip_head(struct net *net, struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->receive_queue);
	if (!skb)
		return;
	skb_pull(skb, 1);
	sk->rmem -= 1;
	if (!skb->len)
		kfree_skb(net, skb_dequeue(&sk->receive_queue));
}

/* tcp_check_urg - a new urgent pointer (RFC 6093: Linux takes the byte
 * before it, tcp_stdurg 0). The application reads urgent data only with
 * MSG_OOB: the byte leaves the stream, and a read stops before it. */
static void tcp_check_urg(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	uint16_t raw = (uint16_t)(skb->data[18] << 8 | skb->data[19]);
	uint32_t ptr = TCP_SKB_CB(skb)->seq + (raw ? raw - 1u : 0u), copied = tcp_copied_seq(sk);

	if (after(copied, ptr) || before(ptr, sk->rcv_nxt))
		return;	/* read already, or not a new one (no replays) */
	if (sk->urg_data && !after(ptr, sk->urg_seq))
		return;
	/* An old urgent byte, unread, at the head: it leaves the stream now. */
	if (sk->urg_seq == copied && sk->urg_data && copied != sk->rcv_nxt)
		tcp_urg_skip_head(net, sk);
	sk->urg_data = TCP_URG_NOTYET;
	sk->urg_seq = ptr;
	sk->fast_path = 0;
	trace_step(net, skb, "tcp_check_urg", "urgent pointer %u: the byte at %u is urgent (out of band: the "
		   "application reads around it)", raw, ptr - sk->irs);
}

/* tcp_urg - step six: the URG bit, and the urgent byte once it is here. */
static void tcp_urg(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	if (cb->tcp_flags & TCPHDR_URG)
		tcp_check_urg(net, sk, skb);
	if (sk->urg_data != TCP_URG_NOTYET)
		return;
	uint32_t off = sk->urg_seq - cb->seq + th_len(skb) - !!(cb->tcp_flags & TCPHDR_SYN);
	if (off < skb->len)
		sk->urg_data = (uint16_t)(TCP_URG_VALID | skb->data[off]);
}

int tcp_rcv_established(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	const char *why;
	enum skb_drop_reason r;
	int ret;

	trace_enter(net, skb, "tcp_rcv_established", "tcp", "seq %u:%u ack %u Flags %s win %u", cb->seq - sk->irs,
		    cb->end_seq - sk->irs, cb->ack_seq - sk->iss, tcp_flags_str(cb->tcp_flags), cb->window);
	tcp_fast_parse_options(net, sk, skb);
	why = tcp_predict(sk, skb);
	if (!why && (ret = tcp_rcv_fast(net, sk, skb)) >= 0)
		return ret;
	tcp_path_arg(net, "slow");
	if (why)
		trace_step(net, skb, "tcp_rcv_established", "slow path: %s", why);
	else
		trace_step(net, skb, "tcp_rcv_established", "slow path: skb truesize %u > sk_forward_alloc %d (no "
			   "receive memory reserved)", skb->truesize, sk_forward_alloc(sk));
	if (!(cb->tcp_flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN)))
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_FLAGS);
	if (!tcp_validate_incoming(net, sk, skb, 1))
		return trace_ret(net, sk->hashed ? NET_RX_DROP : NET_RX_SUCCESS);
	/* step 5: the ACK field */
	int a = tcp_ack(net, sk, skb, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT);
	if (a < 0)
		return skb_drop(net, skb, (enum skb_drop_reason)-a);
	int bare = cb->seq == cb->end_seq;
	tcp_urg(net, sk, skb);
	r = tcp_data_queue(net, sk, skb);
	tcp_ack_snd_check(net, sk);
	if (r) {
		trace_exit(net, NULL, V_DROP, r, "%s", "");
		return NET_RX_DROP;
	}
	trace_exit(net, NULL, bare ? V_CONSUMED : V_PASS, 0, "%s", bare ? "ACK processed" : "");
	return NET_RX_SUCCESS;
}

/* tcp_rcv_state_process's LISTEN case: only a SYN opens a connection. */
static int tcp_rcv_listen(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	uint8_t fl = TCP_SKB_CB(skb)->tcp_flags;

	if (fl & TCPHDR_ACK) {
		trace_exit(net, skb, V_PASS, 0, "ACK on a listener: nothing to acknowledge, answer with RST");
		return SKB_DROP_REASON_TCP_FLAGS;
	}
	if (fl & TCPHDR_RST)
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_RESET), -1;
	if (!(fl & TCPHDR_SYN) || (fl & TCPHDR_FIN))
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_FLAGS), -1;
	tcp_conn_request(net, sk, skb);
	kfree_skb(net, skb);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
	return 0;
}

/* Step five's state changes on an acceptable ACK. Returns 1 when the
 * segment was consumed by the change (CLOSING, LAST_ACK). */
static int tcp_ack_state(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	int fin_acked = sk->fin_sent && sk->snd_una == sk->snd_nxt;

	switch (sk->state) {
	case TCP_SYN_RECV:
		sk->snd_wnd = (uint32_t)cb->window << sk->snd_wscale;
		sk->snd_wl1 = cb->seq;
		tcp_set_state(net, sk, TCP_ESTABLISHED);
		tcp_init_buffer_space(sk);	/* tcp_init_transfer */
		if (sk->tstamp_ok)
			sk->advmss -= TCPOLEN_TSTAMP_ALIGNED;	/* room for the option in every segment */
		sk->fast_path = 1;	/* tcp_fast_path_on */
		return 0;
	case TCP_FIN_WAIT1:
		if (!fin_acked)
			return 0;
		tcp_set_state(net, sk, TCP_FIN_WAIT2);
		if (!sk->app_closed)
			return 0;	/* shutdown(SHUT_WR): FIN_WAIT2 lasts as long as the peer sends */
		sk->timeout_ns = net->now_ns + TCP_FIN_TIMEOUT_NS;	/* orphaned: tcp_fin_timeout */
		sk_reset_timer(net, sk, sk->timeout_ns);
		/* Linux hands an orphan to a timewait sock in its FIN_WAIT2
		 * substate now, unless this segment's FIN makes it TIME_WAIT. */
		if (!(cb->tcp_flags & TCPHDR_FIN))
			inet_twsk_schedule(net, sk, TCP_FIN_TIMEOUT_NS);
		return 0;
	case TCP_CLOSING:
		if (!fin_acked)
			return 0;
		tcp_time_wait(net, sk, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN_NS);
		return 1;
	case TCP_LAST_ACK:
		if (!fin_acked)
			return 0;
		tcp_done(net, sk);
		return 1;
	}
	return 0;
}

/* Step seven by state. Returns the drop reason, 0 if queued, or -1 when
 * the connection must be reset (data after close). */
static int tcp_rcv_text(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	switch (sk->state) {
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (!before(cb->seq, sk->rcv_nxt)) {
			trace_step(net, skb, "tcp_rcv_state_process", "seventh: the peer already sent FIN; "
				   "nothing more to queue");
			kfree_skb_reason(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
			return SKB_DROP_REASON_NOT_SPECIFIED;
		}
		break;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/* RFC 1122 4.2.2.13: new data after close() → reset. */
		if ((sk->shutdown & RCV_SHUTDOWN) && sk->app_closed && cb->end_seq != cb->seq &&
		    after(cb->end_seq - !!(cb->tcp_flags & TCPHDR_FIN), sk->rcv_nxt)) {
			SNMP_INC(net, MIB_TCPEXT_TCPABORTONDATA);
			tcp_reset(net, sk, "data after close");
			return -1;
		}
		break;
	}
	return tcp_data_queue(net, sk, skb);
}

/* RFC 793 SEGMENT ARRIVES for SYN_RECV and the closing states (and the
 * ESTABLISHED slow path's twin). */
static int tcp_rcv_synchronized(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	int a, r;

	if (!(TCP_SKB_CB(skb)->tcp_flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN)))
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_FLAGS), -1;
	/* first to fourth: sequence number, RST, security, SYN */
	if (!tcp_validate_incoming(net, sk, skb, 0)) {
		trace_ret(net, sk->hashed ? NET_RX_DROP : NET_RX_SUCCESS);
		return sk->hashed ? -1 : 0;
	}
	/* fifth, check the ACK field */
	a = tcp_ack(net, sk, skb, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK);
	if (a <= 0) {
		if (sk->state == TCP_SYN_RECV) {
			trace_exit(net, skb, V_PASS, 0, "unacceptable ACK in SYN_RECV: answer with RST");
			return a < 0 ? -a : SKB_DROP_REASON_TCP_OLD_ACK;
		}
		if (a < 0) {
			tcp_send_challenge_ack(net, sk, skb);
			return skb_drop(net, skb, (enum skb_drop_reason)-a), -1;
		}
	}
	if (tcp_ack_state(net, sk, skb)) {
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
		return 0;
	}
	tcp_urg(net, sk, skb);	/* sixth, the URG bit */
	/* seventh, the segment text; eighth, the FIN bit (in tcp_data_queue) */
	int bare = TCP_SKB_CB(skb)->seq == TCP_SKB_CB(skb)->end_seq;
	r = tcp_rcv_text(net, sk, skb);
	if (r < 0) {
		trace_exit(net, skb, V_PASS, 0, "reset: data arrived after the application closed");
		return SKB_DROP_REASON_NOT_SPECIFIED;	/* TCP_ABORT_ON_DATA in Linux 6.13 */
	}
	if (sk->state != TCP_CLOSE)
		tcp_ack_snd_check(net, sk);
	trace_exit(net, NULL, r ? V_DROP : bare ? V_CONSUMED : V_PASS, (enum skb_drop_reason)r, "%s",
		   !r && bare ? "ACK processed" : "");
	return r ? -1 : 0;
}

int tcp_rcv_state_process(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	trace_enter(net, skb, "tcp_rcv_state_process", "tcp", "%s in %s: seq %u ack %u Flags %s", sk_fmt(sk),
		    tcp_state_name(sk->state), cb->seq - sk->irs, cb->ack_seq - sk->iss, tcp_flags_str(cb->tcp_flags));
	switch (sk->state) {
	case TCP_CLOSE:
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_CLOSE), -1;
	case TCP_LISTEN:
		return tcp_rcv_listen(net, sk, skb);
	case TCP_SYN_SENT:
		return tcp_rcv_synsent_state_process(net, sk, skb);
	}
	return tcp_rcv_synchronized(net, sk, skb);
}
