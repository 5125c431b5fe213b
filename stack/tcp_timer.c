/*
 * tcp_timer.c - the retransmission timer, after net/ipv4/tcp_timer.c
 * (tcp_retransmit_timer, tcp_write_timeout) with the retransmit queue it
 * works on (tcp_output.c's tcp_event_new_data_sent and tcp_rearm_rto,
 * tcp_input.c's tcp_clean_rtx_queue) (Linux 6.13 behaviour). When the
 * peer does not acknowledge what was sent, the first unacknowledged
 * segment goes again after the RTO (TcpExt.TCPTimeouts, Tcp.RetransSegs),
 * and the RTO doubles each time, up to 120 s. The connection is given up
 * (TcpExt.TCPAbortOnTimeout) once the head segment has waited as long as
 * tcp_retries2 (15) retransmissions would take at tcp_rto_min, 924.6 s,
 * or tcp_orphan_retries' 8, 102.2 s, when the application has closed.
 * The RTO is srtt + rttvar as tcp_rtt_estimator keeps them from every
 * valid RTT sample (the handshake's first: rtt + max(2 rtt,
 * tcp_rto_min)), 1 s without one; a sample from an ACK of data sent again
 * is not valid (Karn) unless timestamps give it, and only a valid one ends
 * the backoff (RFC 6298).
 * Small segments after the head join it when they fit one MSS and the
 * peer's window (tcp_retrans_try_collapse: data and the FIN after it go
 * again as one segment).
 * A SACK connection first sends a tail loss probe (tcp_send_loss_probe,
 * TcpExt.TCPLossProbes): its last segment again, 2 RTTs after it was sent
 * (+ tcp_rto_min with one segment out) or at the RTO if sooner; the RTO
 * then starts over from the probe. Only after the capture's last frame:
 * a probe due between two captured frames is not sent (the RTO stays as
 * armed), since with several segments out it comes 2 RTTs + 2 ms after
 * them, which the capture's timing, not the model, decides (diff-kernel's
 * pacing gives Linux a longer RTT than the capture shows).
 * Left out: congestion
 * control (no cwnd: only the head segment goes again), the zero-window
 * probe and keepalive timers, the orphan limits (tcp_max_orphans). A socket in step
 * with a capture retransmits on its own only after the capture's last
 * frame: before it, the capture shows what the recorded host did.
 */
#include "tcp.h"

#include <stdlib.h>
#include <string.h>

#define TCP_RTX_SEGS	32
#define TCP_RTX_BYTES	(64u * 1024u)	/* kept per socket at most; grown as needed */

struct tcp_rtx {
	uint64_t timeout_ns;		/* when the RTO fires; 0: not armed */
	uint8_t backoff;		/* timeouts since the last new ACK (icsk_backoff) */
	uint32_t una;			/* the seq of buf[off] */
	uint32_t off, len, cap;		/* bytes kept from una: buf[off, off + len) */
	uint8_t lost;			/* bytes were not kept (the cap): nothing is resent */
	uint64_t retrans_stamp_ns;	/* the head's first transmission, once resent */
	uint8_t probe;			/* the armed timer is the loss probe's */
	uint32_t tlp_high_seq;		/* snd_nxt when a probe went out, 0 none */
	uint32_t nseg;
	struct {
		uint32_t end_seq;
		uint8_t flags, retrans;
		uint8_t mtu_lost;	/* longer than the MSS path MTU discovery left (TCPCB_LOST) */
		uint64_t tx_ns;
	} seg[TCP_RTX_SEGS];
	uint8_t *buf;
};

/* Room for len more bytes: the acknowledged front is dropped, then the
 * buffer doubles, up to TCP_RTX_BYTES. Returns 0, or -1 (not kept). */
static int tcp_rtx_room(struct tcp_rtx *r, uint32_t len)
{
	if (r->len + len > TCP_RTX_BYTES)
		return -1;
	if (r->off + r->len + len <= r->cap)
		return 0;
	if (r->off && r->len)
		memmove(r->buf, r->buf + r->off, r->len);
	r->off = 0;
	if (r->len + len <= r->cap)
		return 0;
	uint32_t cap = r->cap ? r->cap : 2048;
	while (cap < r->len + len)
		cap *= 2;
	uint8_t *b = realloc(r->buf, cap);
	if (!b)
		return -1;
	r->buf = b;
	r->cap = cap;
	return 0;
}

/* tcp_rtt_estimator: srtt moves 1/8 of the way to each sample, the mean
 * deviation 1/4; rttvar is the largest deviation seen in an RTT (at
 * least tcp_rto_min), and decays by 1/4 per RTT towards the latest. */
static void tcp_rtt_estimator(struct sock *sk, uint32_t m)
{
	const uint32_t rto_min_us = (uint32_t)(TCP_RTO_MIN_NS / 1000);
	int64_t d = m;

	if (!sk->srtt_us) {
		sk->srtt_us = m << 3;
		sk->mdev_us = m << 1;
		sk->rttvar_us = sk->mdev_us > rto_min_us ? sk->mdev_us : rto_min_us;
		sk->mdev_max_us = sk->rttvar_us;
		sk->rtt_seq = sk->snd_nxt;
		if (!sk->srtt_us)
			sk->srtt_us = 1;
		return;
	}
	d -= sk->srtt_us >> 3;
	int64_t srtt = (int64_t)sk->srtt_us + d;
	if (d < 0) {
		d = -d - (sk->mdev_us >> 2);
		if (d > 0)
			d >>= 3;
	} else {
		d -= sk->mdev_us >> 2;
	}
	sk->mdev_us = (uint32_t)((int64_t)sk->mdev_us + d);
	if (sk->mdev_us > sk->mdev_max_us) {
		sk->mdev_max_us = sk->mdev_us;
		if (sk->mdev_max_us > sk->rttvar_us)
			sk->rttvar_us = sk->mdev_max_us;
	}
	if (after(sk->snd_una, sk->rtt_seq)) {
		if (sk->mdev_max_us < sk->rttvar_us)
			sk->rttvar_us -= (sk->rttvar_us - sk->mdev_max_us) >> 2;
		sk->rtt_seq = sk->snd_nxt;
		sk->mdev_max_us = rto_min_us;
	}
	sk->srtt_us = srtt > 1 ? (uint32_t)srtt : 1;
}

void tcp_rtt_sample(struct sock *sk, uint64_t rtt_ns)
{
	uint64_t us = rtt_ns / 1000;
	if (rtt_ns)
		tcp_rtt_estimator(sk, (uint32_t)(us ? (us > 60000000 ? 60000000 : us) : 1));
}

/* __tcp_set_rto: srtt + rttvar (at first rtt + max(2 rtt, tcp_rto_min));
 * TCP_TIMEOUT_INIT without a sample. */
static uint64_t tcp_rto_ns(const struct sock *sk)
{
	if (!sk->srtt_us)
		return TCP_TIMEOUT_INIT_NS;
	uint64_t rto = ((uint64_t)(sk->srtt_us >> 3) + sk->rttvar_us) * 1000;
	return rto < TCP_RTO_MAX_NS ? rto : TCP_RTO_MAX_NS;
}

static uint64_t tcp_rto_backed_off(const struct sock *sk)
{
	uint64_t rto = tcp_rto_ns(sk);
	for (unsigned i = 0; i < sk->rtx->backoff && rto < TCP_RTO_MAX_NS; i++)
		rto <<= 1;
	return rto < TCP_RTO_MAX_NS ? rto : TCP_RTO_MAX_NS;
}

static void tcp_rearm_rto(struct net *net, struct sock *sk)
{
	sk->rtx->probe = 0;
	sk->rtx->timeout_ns = net->now_ns + tcp_rto_backed_off(sk);
	sk_reset_timer(net, sk, sk->rtx->timeout_ns);
}

/* tcp_schedule_loss_probe: SACK connections not recovering from a timeout
 * probe the tail 2 RTTs on (with one segment out, + tcp_rto_min for the
 * peer's delayed ACK), unless the RTO comes first (advancing: a new ACK
 * restarts it; else it runs from the head's sending). Returns 1 if armed. */
static int tcp_schedule_loss_probe(struct net *net, struct sock *sk, int advancing)
{
	struct tcp_rtx *r = sk->rtx;
	uint64_t srtt = (uint64_t)(sk->srtt_us >> 3) * 1000, pto, rto = tcp_rto_ns(sk);
	int64_t delta;

	if (!sk->sack_ok || !r->nseg || r->backoff)
		return 0;
	pto = srtt ? 2 * srtt + (r->nseg == 1 ? TCP_RTO_MIN_NS : 2000000ULL) : TCP_TIMEOUT_INIT_NS;
	delta = advancing ? (int64_t)rto : (int64_t)(r->seg[0].tx_ns + rto - net->now_ns);
	if (delta > 0 && (uint64_t)delta < pto)
		pto = (uint64_t)delta;
	r->probe = 1;
	r->timeout_ns = net->now_ns + pto;
	sk_reset_timer(net, sk, r->timeout_ns);
	return 1;
}

void tcp_rtx_queue_add(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data, uint32_t len)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t end = seq + len + !!(flags & TCPHDR_FIN);

	if (!r) {
		if (!(r = sk->rtx = calloc(1, sizeof(*r))))
			return;	/* no memory: the segment is simply not resent */
		r->una = seq;
	}
	if (!r->nseg && !r->len)
		r->una = seq;
	if (seq != r->una + r->len || (len && tcp_rtx_room(r, len) < 0))
		r->lost = 1;
	else if (len)
		memcpy(r->buf + r->off + r->len, data, len), r->len += len;
	if (r->nseg == TCP_RTX_SEGS) {
		r->seg[TCP_RTX_SEGS - 1].end_seq = end;	/* full: the last one grows */
		r->seg[TCP_RTX_SEGS - 1].flags |= flags;
	} else {
		r->seg[r->nseg].end_seq = end;
		r->seg[r->nseg].tx_ns = net->now_ns;
		r->seg[r->nseg].retrans = 0;
		r->seg[r->nseg].mtu_lost = 0;
		r->seg[r->nseg++].flags = flags;
	}
	if (!r->timeout_ns || r->probe)	/* tcp_event_new_data_sent */
		tcp_rearm_rto(net, sk);
	tcp_schedule_loss_probe(net, sk, 0);	/* tcp_write_xmit */
}

/* tcp_ack_update_rtt: an RTT sample from the oldest segment this ACK
 * covers, unless it covers one sent again (Karn); then, with timestamps,
 * from the echoed TSval. Only a valid sample ends the backoff (RFC 6298). */
static void tcp_ack_update_rtt(struct net *net, struct sock *sk, uint32_t k)
{
	struct tcp_rtx *r = sk->rtx;
	uint64_t rtt_ns;
	int retrans = 0;

	for (uint32_t i = 0; i < k; i++)
		retrans |= r->seg[i].retrans;
	if (k && !retrans)
		rtt_ns = net->now_ns - r->seg[0].tx_ns;
	else if (sk->saw_tstamp && sk->rcv_tsecr)
		rtt_ns = (uint64_t)(uint32_t)(tcp_ts_now(net, sk) - sk->rcv_tsecr) * 1000000ULL;	/* 1 ms ticks */
	else
		return;
	tcp_rtt_sample(sk, rtt_ns ? rtt_ns : 1);
	r->backoff = 0;
}

void tcp_rtx_acked(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t k = 0, n;

	if (!r)
		return;
	while (k < r->nseg && !after(r->seg[k].end_seq, sk->snd_una))
		k++;
	tcp_ack_update_rtt(net, sk, k);
	memmove(r->seg, r->seg + k, (r->nseg - k) * sizeof(r->seg[0]));
	r->nseg -= k;
	n = after(sk->snd_una, r->una) ? sk->snd_una - r->una : 0;	/* the SYN's ack holds no byte */
	if (n > r->len)
		n = r->len;
	r->off += n;
	r->len -= n;
	r->una += n;
	r->retrans_stamp_ns = 0;
	r->timeout_ns = 0;
	r->probe = 0;
	if (r->tlp_high_seq && !before(sk->snd_una, r->tlp_high_seq))
		r->tlp_high_seq = 0;	/* the probe's episode is over */
	if (!r->nseg) {
		r->lost = 0;
		return;
	}
	if (!tcp_schedule_loss_probe(net, sk, 1))	/* tcp_set_xmit_timer */
		tcp_rearm_rto(net, sk);
}

/* tcp_model_timeout: how long n retransmissions take from tcp_rto_min,
 * doubling up to TCP_RTO_MAX (ilog2(120 s / 200 ms) = 9 doublings). */
static uint64_t tcp_model_timeout(unsigned n)
{
	if (n <= 9)
		return ((2ULL << n) - 1) * TCP_RTO_MIN_NS;
	return ((2ULL << 9) - 1) * TCP_RTO_MIN_NS + (n - 9) * TCP_RTO_MAX_NS;
}

/* tcp_write_timeout (retransmits_timed_out): the head segment has waited
 * longer than its retries allow: the connection is lost (tcp_write_err). */
static int tcp_write_timeout(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	unsigned n = sk->app_closed ? TCP_ORPHAN_RETRIES : TCP_RETRIES2;

	if (!r->backoff || net->now_ns - r->retrans_stamp_ns < tcp_model_timeout(n))
		return 0;
	if (sk->recorded && !net->tr.after_capture)
		return 0;	/* the capture shows whether its host gave up */
	trace_step(net, NULL, "tcp_write_timeout", "%s: unanswered for %llu ms, longer than %u retransmissions take "
		   "(%s): the connection is given up", sk_fmt(sk),
		   (unsigned long long)((net->now_ns - r->retrans_stamp_ns) / 1000000ULL), n,
		   sk->app_closed ? "tcp_orphan_retries" : "tcp_retries2");
	SNMP_INC(net, MIB_TCPEXT_TCPABORTONTIMEOUT);
	sk->err_soft = 110;	/* ETIMEDOUT */
	tcp_done(net, sk);
	return 1;
}

/* The segment goes again; after the capture, a socket in step with it
 * sends as its recorded host would have (recorded_tx lets it out). */
static void tcp_rtx_send(struct net *net, struct sock *sk, uint32_t seq, uint8_t fl, const uint8_t *data, uint32_t len)
{
	struct sock_table *t = net->socks;
	uint8_t tx = t->recorded_tx, ts = t->rec_ts;

	t->recorded_tx = 1;
	t->rec_ts = 0;
	tcp_retransmit_skb(net, sk, seq, fl, data, len);
	t->recorded_tx = tx;
	t->rec_ts = ts;
}

/* tcp_fragment: segment i, starting at start, becomes its first len bytes
 * and the rest (which keeps the FIN, PSH and the marks). -1 when the
 * queue has no room for one more. */
static int tcp_rtx_fragment(struct tcp_rtx *r, uint32_t i, uint32_t start, uint32_t len)
{
	if (r->nseg == TCP_RTX_SEGS)
		return -1;
	memmove(r->seg + i + 1, r->seg + i, (r->nseg - i) * sizeof(r->seg[0]));
	r->nseg++;
	r->seg[i].end_seq = start + len;
	r->seg[i].flags &= (uint8_t)~(TCPHDR_FIN | TCPHDR_PSH);
	return 0;
}

/* Where segment i begins: where the one before it ends; the head at
 * snd_una, or where the kept bytes begin when they begin after it (data
 * the recorded host sent before its SYN was acked: the SYN's sequence
 * number holds no byte). */
static uint32_t tcp_rtx_start(const struct sock *sk, const struct tcp_rtx *r, uint32_t i)
{
	uint32_t s = i ? r->seg[i - 1].end_seq : sk->snd_una;
	return before(s, r->una) ? r->una : s;
}

/* The len bytes from seq are in the buffer, to be sent again. */
static int tcp_rtx_kept(const struct tcp_rtx *r, uint32_t seq, uint32_t len)
{
	uint32_t at = seq - r->una;
	return !r->lost && !before(seq, r->una) && at <= r->len && len <= r->len - at;
}

/* tcp_retrans_try_collapse: the segments after the head join it while
 * their bytes fit min(MSS, the peer's window) and the window. */
static void tcp_retrans_try_collapse(struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t mss = tcp_send_mss(sk), wnd_end = sk->snd_una + sk->snd_wnd;
	int32_t space = (int32_t)(sk->snd_wnd < mss ? sk->snd_wnd : mss);

	space -= (int32_t)(r->seg[0].end_seq - tcp_rtx_start(sk, r, 0) - !!(r->seg[0].flags & TCPHDR_FIN));
	while (r->nseg > 1 && !(r->seg[0].flags & TCPHDR_FIN)) {
		space -= (int32_t)(r->seg[1].end_seq - r->seg[0].end_seq - !!(r->seg[1].flags & TCPHDR_FIN));
		if (space < 0 || after(r->seg[1].end_seq, wnd_end))
			break;
		r->seg[0].end_seq = r->seg[1].end_seq;
		r->seg[0].flags |= r->seg[1].flags;
		r->seg[0].retrans |= r->seg[1].retrans;
		memmove(r->seg + 1, r->seg + 2, (r->nseg - 2) * sizeof(r->seg[0]));
		r->nseg--;
	}
}

/* tcp_retransmit_timer: the head segment again, the RTO doubled. */
static void tcp_retransmit_timer(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t seq = tcp_rtx_start(sk, r, 0), end, len;
	uint8_t fl;

	/* __tcp_retransmit_skb with one segment's room: a head of several
	 * (one GSO skb) is cut to the MSS first; a short one takes the small
	 * segments after it */
	if (r->seg[0].end_seq - seq - !!(r->seg[0].flags & TCPHDR_FIN) > tcp_send_mss(sk))
		tcp_rtx_fragment(r, 0, seq, tcp_send_mss(sk));
	else
		tcp_retrans_try_collapse(sk);
	end = r->seg[0].end_seq;
	len = end - seq;
	fl = r->seg[0].flags;
	r->timeout_ns = 0;
	if (!r->retrans_stamp_ns)
		r->retrans_stamp_ns = r->seg[0].tx_ns;
	trace_enter(net, NULL, "tcp_retransmit_timer", "tcp", "%s: no ACK for %u:%u within the RTO (%llu ms): "
		    "timeout %u", sk_fmt(sk), seq - sk->iss, end - sk->iss,
		    (unsigned long long)(tcp_rto_backed_off(sk) / 1000000ULL), r->backoff + 1);
	SNMP_INC(net, MIB_TCPEXT_TCPTIMEOUTS);	/* every expiry, the last one too */
	if (tcp_write_timeout(net, sk)) {
		trace_exit(net, NULL, V_CONSUMED, 0, "%s", "connection given up");
		return;
	}
	if (fl & TCPHDR_FIN)
		len--;
	if (!tcp_rtx_kept(r, seq, len))
		trace_step(net, NULL, "tcp_retransmit_timer", "the segment's bytes were not kept: not resent");
	else if (!sk->recorded || net->tr.after_capture || !tcp_recorded_hold(net, sk, "a retransmission"))
		tcp_rtx_send(net, sk, seq, fl, len ? r->buf + r->off + (seq - r->una) : NULL, len);
	r->seg[0].retrans = 1;
	if (r->backoff < 255)
		r->backoff++;
	tcp_rearm_rto(net, sk);
	trace_exit(net, NULL, V_SENT, 0, "next timeout in %llu ms",
		   (unsigned long long)(tcp_rto_backed_off(sk) / 1000000ULL));
}

/* tcp_send_loss_probe: the last segment again (one probe per episode),
 * then the RTO from now. */
static void tcp_send_loss_probe(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t seq = tcp_rtx_start(sk, r, r->nseg - 1), end = r->seg[r->nseg - 1].end_seq;
	uint8_t fl = r->seg[r->nseg - 1].flags;
	uint32_t len = end - seq - !!(fl & TCPHDR_FIN);

	r->timeout_ns = 0;
	if (!net->tr.after_capture) {
		r->probe = 0;	/* during the capture: the RTO as it was armed */
		r->timeout_ns = r->seg[0].tx_ns + tcp_rto_ns(sk);
		if (r->timeout_ns <= net->now_ns)
			r->timeout_ns = net->now_ns + 1;
		sk_reset_timer(net, sk, r->timeout_ns);
		return;
	}
	if (!r->tlp_high_seq) {
		uint32_t mss = tcp_send_mss(sk);
		if (len > mss && tcp_rtx_fragment(r, r->nseg - 1, seq, (len - 1) / mss * mss) == 0) {
			seq = r->seg[r->nseg - 2].end_seq;	/* of a GSO skb, only its last segment */
			len = end - seq - !!(fl & TCPHDR_FIN);
		}
		trace_enter(net, NULL, "tcp_send_loss_probe", "tcp", "%s: no ACK for the tail %u:%u: a loss probe",
			    sk_fmt(sk), seq - sk->iss, end - sk->iss);
		if (!tcp_rtx_kept(r, seq, len))
			trace_step(net, NULL, "tcp_send_loss_probe", "the segment's bytes were not kept: not resent");
		else if (!sk->recorded || net->tr.after_capture || !tcp_recorded_hold(net, sk, "a loss probe"))
			tcp_rtx_send(net, sk, seq, fl, len ? r->buf + r->off + (seq - r->una) : NULL, len);
		SNMP_INC(net, MIB_TCPEXT_TCPLOSSPROBES);
		r->seg[r->nseg - 1].retrans = 1;
		r->tlp_high_seq = sk->snd_nxt;
		trace_exit(net, NULL, V_SENT, 0, "the RTO (%llu ms) runs from now",
			   (unsigned long long)(tcp_rto_backed_off(sk) / 1000000ULL));
	}
	tcp_rearm_rto(net, sk);
}

/* tcp_xmit_retransmit_queue: each segment marked lost goes again, in
 * MSS-sized pieces; the head's going again restarts the RTO. Congestion
 * control is not modelled: the window lets all of them go (a reply in
 * flight is far below the initial 10 segments). */
static void tcp_xmit_retransmit_queue(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t mss = tcp_send_mss(sk);
	int head = 0;

	for (uint32_t i = 0; i < r->nseg; i++) {
		if (!r->seg[i].mtu_lost)
			continue;
		uint32_t start = tcp_rtx_start(sk, r, i);
		uint32_t len = r->seg[i].end_seq - start - !!(r->seg[i].flags & TCPHDR_FIN);
		r->seg[i].mtu_lost = 0;
		if (!tcp_rtx_kept(r, start, len)) {
			trace_step(net, NULL, "tcp_xmit_retransmit_queue", "the segment's bytes were not kept: not resent");
			continue;
		}
		if (sk->recorded && !net->tr.after_capture && tcp_recorded_hold(net, sk, "a retransmission"))
			continue;
		/* one GSO skb of MSS-sized segments (tcp_tso_segs allows two at
		 * least, the window the initial ten): counted once by IP, cut
		 * before the wire (skb_gso_segment) */
		net->socks->tx_gso_size = (uint16_t)mss;
		tcp_rtx_send(net, sk, start, r->seg[i].flags, len ? r->buf + r->off + (start - r->una) : NULL, len);
		net->socks->tx_gso_size = 0;
		uint32_t pcount = (len + mss - 1) / mss;	/* tcp_skb_pcount */
		if (pcount > 1)
			SNMP_ADD(net, MIB_TCP_RETRANSSEGS, pcount - 1);	/* one was counted sending it */
		SNMP_ADD(net, MIB_TCPEXT_TCPSLOWSTARTRETRANS, pcount);	/* in CA_Loss */
		if (!r->retrans_stamp_ns)
			r->retrans_stamp_ns = r->seg[i].tx_ns;
		r->seg[i].retrans = 1;
		r->seg[i].tx_ns = net->now_ns;
		head |= i == 0;
	}
	if (head)
		tcp_rearm_rto(net, sk);
}

void tcp_simple_retransmit(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;
	uint32_t mss = tcp_send_mss(sk), n = 0;

	for (uint32_t i = 0; r && i < r->nseg; i++)
		if (r->seg[i].end_seq - tcp_rtx_start(sk, r, i) - !!(r->seg[i].flags & TCPHDR_FIN) > mss)
			r->seg[i].mtu_lost = 1, n++;
	if (!n) {
		trace_step(net, NULL, "tcp_simple_retransmit", "nothing in flight is longer than %u bytes", mss);
		return;
	}
	trace_step(net, NULL, "tcp_simple_retransmit", "%u segment%s in flight longer than %u bytes: lost, sent "
		   "again cut to fit", n, n == 1 ? "" : "s", mss);
	tcp_xmit_retransmit_queue(net, sk);
}

uint64_t tcp_rtx_deadline(const struct sock *sk)
{
	return sk->rtx ? sk->rtx->timeout_ns : 0;
}

uint64_t tcp_rtx_timer(struct net *net, struct sock *sk)
{
	struct tcp_rtx *r = sk->rtx;

	if (!r || !r->timeout_ns)
		return 0;
	if (!r->nseg || sk->state == TCP_TIME_WAIT || sk->state == TCP_CLOSE || sk->snd_una == sk->snd_nxt) {
		r->timeout_ns = 0;
		return 0;
	}
	if (r->timeout_ns <= net->now_ns && sk->hashed) {
		if (r->probe)
			tcp_send_loss_probe(net, sk);
		else
			tcp_retransmit_timer(net, sk);
	}
	return sk->hashed && sk->rtx ? sk->rtx->timeout_ns : 0;
}

void tcp_rtx_free(struct sock *sk)
{
	if (sk->rtx)
		free(sk->rtx->buf);
	free(sk->rtx);
	sk->rtx = NULL;
}
