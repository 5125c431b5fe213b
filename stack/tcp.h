/*
 * tcp.h - TCP's internal API between tcp_ipv4.c, tcp_input.c, tcp_output.c,
 * tcp_minisocks.c and the outside (replay timers, recorded SYN-ACKs), after
 * include/net/tcp.h. Sequence numbers are host order in struct sock and in
 * TCP_SKB_CB; wire headers stay network order.
 */
#ifndef NJ_STACK_TCP_H
#define NJ_STACK_TCP_H

#include "sock.h"

#define TCP_TIMEWAIT_LEN_NS	(60ULL * 1000000000ULL)	/* TIME_WAIT: 60 s */
#define TCP_FIN_TIMEOUT_NS	(60ULL * 1000000000ULL)	/* tcp_fin_timeout */
#define TCP_SYNACK_EXPIRE_NS	(63ULL * 1000000000ULL)	/* 1+2+4+8+16+32 s of SYN-ACK retries */
#define TCP_TIMEOUT_INIT_NS	(1000ULL * 1000000ULL)	/* the first SYN-ACK retransmission: 1 s */
#define TCP_SYNACK_RETRIES	5			/* net.ipv4.tcp_synack_retries */
#define TCP_ATO_MIN_NS		(40ULL * 1000000ULL)	/* delayed ACK: 40 ms min */
#define TCP_DELACK_MAX_NS	(200ULL * 1000000ULL)	/* … 200 ms max */
#define TCP_OOW_RATE_NS		(500ULL * 1000000ULL)	/* tcp_invalid_ratelimit */
#define TCP_MAX_QUICKACKS	16
#define TCP_MSS_DEFAULT		536
#define TCP_MIN_SND_MSS		48	/* net.ipv4.tcp_min_snd_mss: no smaller segments, whatever the peer offers */
#define TCP_MIN_MSS		88
#define TCP_RTO_MIN_NS		(200ULL * 1000000ULL)	/* tcp_rto_min: the RTO a LAN's RTT gives */
#define TCP_INIT_RCV_WND	64240	/* 44 * 1460: what Linux offers without wscale */

/* th_doff - the TCP header length in 32-bit words, skb at the TCP header. */
static inline uint32_t th_doff(const struct sk_buff *skb) { return (uint32_t)(skb->data[12] >> 4); }

/* RFC 1982-style comparisons of 32-bit sequence numbers (wrap-safe). */
static inline int before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int after(uint32_t a, uint32_t b) { return before(b, a); }
static inline int between(uint32_t x, uint32_t lo, uint32_t hi) { return hi - lo >= x - lo; }

/* The TCP control block over skb->cb (IPCB first, as the kernel's union). */
struct tcp_skb_cb {
	struct inet_skb_parm h4;
	uint32_t seq, end_seq, ack_seq;	/* end_seq = seq + SYN + FIN + payload */
	uint8_t tcp_flags;
	uint8_t sacked;			/* offset of a SACK option in the header, 0 none */
	uint16_t window;
	/* Receive-queue coalescing (tcp_try_coalesce): Linux would have copied
	 * this skb's bytes into the one before it in its queue (which then
	 * also ends here); lx_tailroom is what Linux's skb ending here still
	 * has free at its tail. */
	uint8_t coalesced;
	uint16_t lx_tailroom;
	uint16_t req_drop;		/* tcp_check_req returned NULL: why (0 unspecified) */
};
#define TCP_SKB_CB(skb) ((struct tcp_skb_cb *)((skb)->cb))
_Static_assert(sizeof(struct tcp_skb_cb) <= SKB_CB_SIZE, "tcp_skb_cb fits in cb");

/**
 * tcp_isn - the initial sequence number for a connection, a deterministic
 * stand-in for secure_tcp_seq (RFC 6528): a hash of the 4-tuple (network
 * order; s = the SYN's source, the peer) plus the clock in 64 ns ticks, so a
 * replay, a unit test and the pcap generator all compute the same ISN from
 * the SYN's packet time. Cannot fail.
 */
uint32_t tcp_isn(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint64_t ts_ns);

/**
 * tcp_recorded_synack - docs/design.md §4b: a replayed capture shows the
 * recorded host itself sending a SYN-ACK saddr:sport > daddr:dport (the
 * host's side first, network order) with sequence number isn. The
 * connection's request sock, if it exists, adopts isn as its ISS and sends
 * its SYN-ACK with it (again, if it had sent one with its own ISN); if the
 * SYN has not been processed yet the ISN is pinned for it (up to 64 pins).
 * Either way the connection is then in step with the capture. Returns 1 if
 * a request sock was updated, 0 if pinned, -1 if the pin table is full or
 * the connection is past its handshake (nothing kept).
 */
int tcp_recorded_synack(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
			uint32_t isn);

/**
 * tcp_recorded_send - docs/design.md §4b: the capture shows the recorded host
 * sending this TCP segment (addresses and ports network order, seq/ack host
 * order; data/len the payload as sent, len may exceed what was captured if
 * the caller pads). The stack's socket for the connection sends the same
 * segment itself, as if its application had written those bytes or closed
 * then: a SYN-ACK fixes the ISN (tcp_recorded_synack); new data and FIN
 * advance snd_nxt and the state; a seq below snd_nxt is a retransmission
 * (sent again, snd_nxt unchanged); a RST resets the socket (tcp_done). An
 * ack beyond rcv_nxt means the host received bytes the stack did not (cut
 * or damaged in the capture): they are taken as received. The socket is
 * then "recorded": it sends nothing on its own any more. Returns 1 when a
 * socket sent the segment, 0 when a SYN-ACK's ISN was pinned, -1 when the
 * stack has no socket for the connection (nothing is sent). Owns nothing.
 */
int tcp_recorded_send(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint32_t len);

/* tcp_recorded_hold - 1 when sk is in step with a capture and what it is
 * about to send (why) did not come from tcp_recorded_send: the caller must
 * not send it. Traces the held segment. 0 otherwise. */
int tcp_recorded_hold(struct net *net, const struct sock *sk, const char *why);
/* Urgent data (tcp_urg): the pointer is known, the byte not yet; the byte
 * (in the low 8 bits) has arrived. */
#define TCP_URG_VALID	0x0100
#define TCP_URG_NOTYET	0x0200
/* tcp_rcvq_bytes - the bytes in the receive queue, unread. */
uint32_t tcp_rcvq_bytes(const struct sock *sk);
/* tcp_copied_seq - the seq of the next byte the application reads. */
uint32_t tcp_copied_seq(const struct sock *sk);
/* tcp_fast_path_check - header prediction back on once nothing unusual
 * (out-of-order data, a zero window, a full buffer, urgent data) is left. */
void tcp_fast_path_check(struct sock *sk);
/* tcp_urg_skip_head - drops the first unread byte (an urgent one). */
void tcp_urg_skip_head(struct net *net, struct sock *sk);
/* tcp_req_err - an ICMP error about a request sock's SYN-ACK (seq): the
 * request is dropped when abort says so (TcpExt.ListenDrops); an error
 * quoting another seq is out of window. Closes the trace. */
void tcp_req_err(struct net *net, struct sk_buff *skb, struct sock *req, uint32_t seq, int abort);
/* The segment size data goes out in (mss_cache, else the default 536). */
static inline uint32_t tcp_send_mss(const struct sock *sk)
{
	return sk->mss_cache ? sk->mss_cache : TCP_MSS_DEFAULT;
}
/* tcp_dst_mtu - the MTU of sk's route out of dev: a path MTU learned for
 * its peer, else dev's (dst_mtu). */
uint32_t tcp_dst_mtu(struct net *net, const struct sock *sk, const struct net_device *dev);
/* tcp_sync_mss - the MSS for path MTU pmtu (options aside, as mss_cache
 * is); stores it and pmtu (the cookie). Only ever called to lower it. */
uint32_t tcp_sync_mss(struct sock *sk, uint32_t pmtu);
/* tcp_mtu_shrink - tcp_v[46]_mtu_reduced's end (fn names the step): the
 * MSS synced to the narrower path MTU pmtu (from old_pmtu), and what is in
 * flight and too long sent again (tcp_simple_retransmit). */
void tcp_mtu_shrink(struct net *net, struct sk_buff *skb, struct sock *sk, const char *fn, uint32_t old_pmtu,
		    uint32_t pmtu);
/* tcp_push_pending - sends what Nagle held once it may go (fin: with a
 * FIN, whatever Nagle says). Returns 1 when the FIN went with data. */
int tcp_push_pending(struct net *net, struct sock *sk, int fin);
/* tcp_recorded_held_ack - before TIME_WAIT: the window of the held ACK of
 * the peer's FIN, as the recorded host sent it. */
void tcp_recorded_held_ack(struct sock *sk);

/* tcp_isn_pin - the next SYN for this 4-tuple (local side first) gets ISN
 * isn; recorded marks a pin from a capture. Returns 0, or -1 when full. */
/* tcp_recorded_tsval - our TSval for sk now: the recorded segment's inside
 * tcp_recorded_send, else tcp_ts_now. */
uint32_t tcp_recorded_tsval(const struct net *net, const struct sock *sk);
int tcp_isn_pin(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		uint32_t isn, int recorded);

/* tcp_isn_pin_ahead - the replay, reading ahead, saw the recorded host's
 * SYN-ACK with ISN isn: the SYN still to come takes it and its SYN-ACK is
 * that one (sent once, at the SYN). Kept only when no pin or socket for
 * the 4-tuple has it already (a retransmitted SYN-ACK). Returns 0 if
 * pinned, 1 if already known, -1 if the pin table is full. */
int tcp_isn_pin_ahead(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		      uint32_t isn, int has_ts, uint32_t tsval);
/* The same over IPv6 (tcp_recorded_send6 as tcp_recorded_send), and
 * tcp_isn_pin_sk: a pin for sk's own 4-tuple, either family;
 * tcp_pin_matches_sk: whether pin p is for sk's 4-tuple. */
int tcp_recorded_send6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
		       uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint32_t len);
int tcp_isn_pin_ahead6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
		       uint16_t dport, uint32_t isn, int has_ts, uint32_t tsval);
int tcp_isn_pin_sk(struct net *net, const struct sock *sk, uint32_t isn, int recorded);
/* tcp_pin_find_skb - the pin of kind (0: a TIME_WAIT reuse, pinned by
 * tcp_timewait_state_process; PIN_KIND_COOKIE) for the connection of skb
 * (a segment at its TCP header): its index in net->socks->pins, or -1. */
int tcp_pin_find_skb(const struct net *net, const struct sk_buff *skb, int kind);
/* tcp_cookie_pin - the recorded host's ISN on a cookie SYN-ACK of req,
 * for cookie_v4_check to accept its ACK (with mss). -1 when pins are full. */
int tcp_cookie_pin(struct net *net, const struct sock *req, uint32_t isn, uint16_t mss);
int tcp_pin_matches_sk(const struct isn_pin *p, const struct sock *sk);
/* tcp_recorded_ts - the next tcp_recorded_send's segment carried TSval
 * tsval and TSecr tsecr (has_ts): the socket's copy carries the same
 * TSval; tsecr names the peer's TSval the host had seen. */
void tcp_recorded_ts(struct net *net, int has_ts, uint32_t tsval, uint32_t tsecr);

/**
 * tcp_run_timers - fires every TCP timer due at net->now_ns: delayed ACKs,
 * TIME_WAIT and FIN_WAIT2 expiry, unanswered request socks. The replay loop
 * calls it whenever packet time advances (cheap when nothing is due).
 */
void tcp_run_timers(struct net *net);

/* tcp_exit - frees every socket (net_destroy). */
void tcp_exit(struct net *net);

/* -- tcp_options.c -- */
#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WINDOW		3
#define TCPOPT_SACK_PERM	4
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8
#define TCPOLEN_MSS		4
#define TCPOLEN_WINDOW		3
#define TCPOLEN_SACK_PERM	2
#define TCPOLEN_TIMESTAMP	10
#define TCPOLEN_TSTAMP_ALIGNED	12
#define TCP_MAX_WSCALE		14
#define TCP_NUM_SACKS		4
#define TCP_PAWS_WINDOW		1

/* What tcp_parse_options found (struct tcp_options_received). Set
 * tstamp_ok/sack_ok first when parsing for an established socket. */
struct tcp_options_received {
	uint16_t mss_clamp;		/* the MSS option, 0 if absent */
	uint8_t saw_tstamp, tstamp_ok, sack_ok, wscale_ok, snd_wscale;
	uint8_t sack_off;		/* a SACK option's offset in the header, 0 none */
	uint8_t unknown;		/* options skipped as not modelled */
	uint8_t malformed;		/* parsing stopped at a bad length, as Linux does */
	uint32_t rcv_tsval, rcv_tsecr;
};

/**
 * tcp_parse_options - reads the options of the TCP header th (its data
 * offset bytes must be present) as Linux does: MSS, window scale and
 * SACK-permitted only on a SYN before the connection exists (estab 0),
 * and only when the sysctl allows; timestamps when agreed (estab) or
 * allowed (SYN); SACK blocks only when SACK is agreed; unknown kinds
 * skipped by their length; a length < 2 or past the header stops the
 * parse, keeping what came before. Cannot fail.
 */
void tcp_parse_options(const struct net *net, const uint8_t *th, int estab, struct tcp_options_received *opt);
/* tcp_fast_parse_options - the segment's timestamp into sk (saw_tstamp,
 * rcv_tsval, rcv_tsecr) and its SACK option's offset into TCP_SKB_CB. */
void tcp_fast_parse_options(const struct net *net, struct sock *sk, struct sk_buff *skb);
uint32_t tcp_ts_offset(uint32_t saddr, uint32_t daddr);
/* tcp_ts_now - our TSval: packet time in ms plus the connection's offset. */
uint32_t tcp_ts_now(const struct net *net, const struct sock *sk);
int tcp_paws_check(const struct sock *sk, int win);
/* tcp_paws_discard - 1 when the segment in hand fails PAWS (RFC 7323 5). */
int tcp_paws_discard(const struct sock *sk, const struct sk_buff *skb);
void tcp_replace_ts_recent(struct net *net, struct sock *sk, uint32_t seq);
/* tcp_select_initial_window - rcv_wnd and rcv_wscale for a new connection. */
void tcp_select_initial_window(const struct net *net, struct sock *sk, uint32_t mss);
void tcp_sack_new_ofo_skb(struct sock *sk, uint32_t seq, uint32_t end_seq);
/* tcp_sack_remove - drops SACK blocks rcv_nxt has passed. */
void tcp_sack_remove(struct sock *sk);
/* tcp_dsack_set - the next ACK reports [seq, end_seq) as a duplicate. */
void tcp_dsack_set(struct net *net, struct sock *sk, uint32_t seq, uint32_t end_seq);
/* tcp_sacktag_write_queue - the SACK blocks of an ACK (TCP_SKB_CB sacked,
 * skb at the TCP header) checked and set against what we sent; returns
 * the number of sent segments they cover. */
int tcp_sacktag_write_queue(struct net *net, struct sock *sk, const struct sk_buff *skb, uint32_t prior_snd_una);
/* Option blocks for our segments into buf (40 bytes); return their length. */
uint32_t tcp_synack_options(const struct net *net, const struct sock *req, uint8_t *buf);
uint32_t tcp_established_options(const struct net *net, struct sock *sk, uint8_t *buf);
/* tcp_options_str - tcpdump's "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7"
 * for the header th (avail bytes readable), in a static ring. */
const char *tcp_options_str(const uint8_t *th, uint32_t avail);
/* tcp_options_tsval - the TSval of the header th (avail bytes readable), if
 * it carries a well-formed timestamp option: 1 and *tsval, else 0. */
int tcp_options_tsval(const uint8_t *th, uint32_t avail, uint32_t *tsval);
/* tcp_options_ts - the same with the echoed TSecr. */
int tcp_options_ts(const uint8_t *th, uint32_t avail, uint32_t *tsval, uint32_t *tsecr);
/* tcp_opts_fmt - the same for a bare option block of len bytes. */
const char *tcp_opts_fmt(const uint8_t *opt, uint32_t len);
/* tcp_options_args - the agreed options into the event args a (trace_args). */
void tcp_options_args(struct jw *a, const struct sock *sk);
/* tcp_sock_args - the socket's queues and timers as args "sock" (docs/events.md):
 * receive queue bytes and segments, out-of-order ranges, ts_recent, and
 * each armed timer with the time left (now_ns: the event's clock). */
#define TCP_ARGS_OFO	32
void tcp_sock_args(struct jw *a, const struct sock *sk, uint64_t now_ns);
/* tcp_sock_trace - "sk", the sequence space (as tcp_set_state's) and
 * "sock" as the next event's args (the fold's facts at the end of a
 * segment or a timer); nothing for an unhashed sk. */
void tcp_sock_trace(struct net *net, const struct sock *sk);
/* tcp_path_arg - "path": "fast" or "slow", the way tcp_rcv_established
 * takes a segment, as the next step's args. */
static inline void tcp_path_arg(struct net *net, const char *path)
{
	if (trace_on(net))
		jw_kv_str(trace_args(net), "path", path);
}

/* -- the receive window (tcp_input.c, tcp_output.c), include/net/tcp.h --
 * Linux 6.x turns receive-buffer bytes (truesize) into window bytes with a
 * per-socket ratio, skb->len / skb->truesize in 256ths, measured on the
 * peer's full-sized segments (tcp_measure_rcv_mss), 50% until then. */
#define TCP_RMEM_TO_WIN_SCALE	8
#define TCP_DEFAULT_SCALING_RATIO	(1 << (TCP_RMEM_TO_WIN_SCALE - 1))
#define SOCK_MIN_RCVBUF		(2 * (2048 + 256))	/* 2 * TCP_SKB_MIN_TRUESIZE */

static inline int32_t tcp_win_from_space(const struct sock *sk, int32_t space)
{
	return (int32_t)(((int64_t)space * sk->scaling_ratio) >> TCP_RMEM_TO_WIN_SCALE);
}
/* tcp_space: the window the free receive buffer is worth. */
static inline int32_t tcp_space(const struct sock *sk)
{
	return tcp_win_from_space(sk, (int32_t)sk->rcvbuf - (int32_t)sk_rmem_alloc(sk));
}
static inline int32_t tcp_full_space(const struct sock *sk) { return tcp_win_from_space(sk, (int32_t)sk->rcvbuf); }
/* tcp_init_buffer_space - window_clamp and rcv_ssthresh as the connection
 * becomes ESTABLISHED (tcp_init_transfer): the full space less one segment. */
void tcp_init_buffer_space(struct sock *sk);
/* tcp_set_window_clamp (net/ipv4/tcp.c) - a new clamp; rcv_ssthresh follows. */
void tcp_set_window_clamp(struct sock *sk, uint32_t val);
/* __tcp_select_window - the window the free space allows now, before
 * "never shrink" (tcp_select_window). May end quickack mode. */
uint32_t __tcp_select_window(struct sock *sk);

/* -- tcp_ipv4.c -- */
int tcp_v4_do_rcv(struct net *net, struct sock *sk, struct sk_buff *skb);
/* tcp_v4_send_reset - answers skb (data at the TCP header) with a RST under
 * RFC 793's rules; never answers a RST. skb is not consumed. */
void tcp_v4_send_reset(struct net *net, const struct sock *sk, const struct sk_buff *skb);
/* tcp_v4_send_ack - a bare ACK outside a full socket (TIME_WAIT, request);
 * with a timestamp (TSecr = ts_recent) when ts (the TIME_WAIT or request
 * sock) agreed timestamps; ts may be NULL. */
void tcp_v4_send_ack(struct net *net, const struct sk_buff *skb, uint32_t seq, uint32_t ack,
		     uint16_t win, const struct sock *ts, const char *why);

/* -- tcp_input.c -- */
int tcp_rcv_established(struct net *net, struct sock *sk, struct sk_buff *skb);
/* Returns 0 (consumed; the frame closed), -1 (dropped inside), or a drop
 * reason > 0: the skb is still the caller's, who sends a RST and drops. */
int tcp_rcv_state_process(struct net *net, struct sock *sk, struct sk_buff *skb);
/* tcp_sequence - RFC 793 acceptability: NOT_DROPPED_YET, or the reason. */
enum skb_drop_reason tcp_sequence(const struct sock *sk, uint32_t seq, uint32_t end_seq);
uint32_t tcp_receive_window(const struct sock *sk);
void tcp_fin(struct net *net, struct sock *sk);
/* tcp_recorded_rcv_sync - rcv_nxt moves up to ack, which the recorded host
 * acknowledged: bytes the capture lost are taken as received (docs/design.md §4b). */
void tcp_recorded_rcv_sync(struct net *net, struct sock *sk, uint32_t ack);
void tcp_reset(struct net *net, struct sock *sk, const char *why);

/* tcp_do_time_wait / tcp_rcv_req - a segment for a TIME_WAIT sock or a
 * request sock, either family (tcp_v4_rcv's and tcp_v6_rcv's branches). */
int tcp_do_time_wait(struct net *net, struct sock *tw, struct sk_buff *skb);
int tcp_rcv_req(struct net *net, struct sock *req, struct sk_buff *skb);

/* -- tcp_ipv6.c -- */
int tcp_v6_do_rcv(struct net *net, struct sock *sk, struct sk_buff *skb);
/* tcp_v6_send_reset / tcp_v6_send_ack - as the IPv4 ones, for an IPv6
 * segment (tcp_v4_send_reset/ack hand those over). */
void tcp_v6_send_reset(struct net *net, const struct sock *sk, const struct sk_buff *skb);
void tcp_v6_send_ack(struct net *net, const struct sk_buff *skb, uint32_t seq, uint32_t ack, uint16_t win,
		     const struct sock *ts, const char *why);
/* tcp_v6_init_req - a request sock's addresses from an IPv6 SYN (init_req). */
void tcp_v6_init_req(struct sock *req, const struct sk_buff *skb);
/* tcp_v6_xmit - tcp_v4_xmit over IPv6 (inet6_csk_xmit): routed to daddr
 * (through oif for a link-local one). Returns 0 or -1. */
int tcp_v6_xmit(struct net *net, uint8_t tclass, const struct in6 *saddr, const struct in6 *daddr, int oif,
		uint16_t sport,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
		uint32_t optlen, const void *data, uint32_t len);

/* -- tcp_output.c -- */
void tcp_set_state(struct net *net, struct sock *sk, int state);
/**
 * tcp_v4_xmit - builds IPv4 (with ipo's options, NULL for none; TOS tos) + TCP with
 * the options opt (optlen bytes, a multiple of 4, at most 40; NULL/0 for
 * none) and sends it through
 * ip_local_out, counting Tcp.OutSegs (and Tcp.OutRsts for RST).
 * Addresses and ports network order, the rest host order. Returns 0 or -1.
 */
int tcp_v4_xmit(struct net *net, const struct ip_txopts *ipo, uint8_t tos, uint32_t saddr, uint32_t daddr,
		uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		const uint8_t *opt, uint32_t optlen, const void *data, uint32_t len);
/* tcp_flags_str - tcpdump's "[S.]" notation in a static ring. */
const char *tcp_flags_str(uint8_t flags);
/* tcp_transmit_skb - builds and sends one segment from sk at snd_nxt: flags,
 * payload; why is the trace's reason. __tcp_transmit_skb takes the seq.
 * Return 0 (also when held back: tcp_recorded_hold) or -1. */
int tcp_transmit_skb(struct net *net, struct sock *sk, uint8_t flags, const void *data, uint32_t len,
		     const char *why);
int __tcp_transmit_skb(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data,
		       uint32_t len, const char *why);
/* tcp_retransmit_skb - sends [seq, seq+len) again (Tcp.RetransSegs). */
int tcp_retransmit_skb(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data,
		       uint32_t len);
void tcp_send_ack(struct net *net, struct sock *sk, const char *why);
int tcp_send_synack(struct net *net, struct sock *req);
void tcp_send_fin(struct net *net, struct sock *sk);
void tcp_send_challenge_ack(struct net *net, struct sock *sk, const struct sk_buff *skb);
/* tcp_sendmsg - the application writes: data goes out in MSS-sized segments. */
int tcp_sendmsg(struct net *net, struct sock *sk, const void *data, uint32_t len);
/* tcp_close_state - the state change of a FIN going out (ESTABLISHED and
 * SYN_RECV → FIN_WAIT1, CLOSE_WAIT → LAST_ACK); 1 if a FIN is due. */
int tcp_close_state(struct net *net, struct sock *sk);
/* tcp_close - the application closes: FIN (ESTABLISHED/CLOSE_WAIT). */
void tcp_close(struct net *net, struct sock *sk);
void tcp_done(struct net *net, struct sock *sk);
void __tcp_ack_snd_check(struct net *net, struct sock *sk, int ofo_possible);
/* tcp_cleanup_rbuf - after the application read copied bytes: send an
 * owed ACK now if Linux would (a drained push, a doubled window). */
void tcp_cleanup_rbuf(struct net *net, struct sock *sk, uint32_t copied);
void tcp_send_delayed_ack(struct net *net, struct sock *sk);
/* tcp_timer_arm - notes a deadline so tcp_run_timers wakes for it; not
 * knowing whose, that run looks at every socket (sk_reset_timer does not). */
void tcp_timer_arm(struct net *net, uint64_t when_ns);
uint16_t tcp_select_window(struct sock *sk);

/* -- tcp_timer.c: the retransmit queue and its timer -- */
#define TCP_RTO_MAX_NS		(120ULL * 1000000000ULL)	/* TCP_RTO_MAX */
#define TCP_RETRIES2		15	/* net.ipv4.tcp_retries2 */
#define TCP_ORPHAN_RETRIES	8	/* tcp_orphan_retries 0: 8 while the RTO is below TCP_RTO_MAX */
/* tcp_rtx_queue_add - a new segment [seq, seq + len (+ FIN)) left with
 * flags: kept until acknowledged (its bytes up to 256 KiB per socket), and
 * the RTO armed if it was not (tcp_rearm_rto). */
void tcp_rtx_queue_add(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags, const void *data, uint32_t len);
/* tcp_rtx_acked - snd_una moved: what it covers is freed; the timer
 * restarts for what is left, or stops. */
void tcp_rtx_acked(struct net *net, struct sock *sk);
/* tcp_rtx_deadline - when sk's retransmission timer fires (0 not armed). */
uint64_t tcp_rtx_deadline(const struct sock *sk);
/* tcp_simple_retransmit - the MSS shrank (path MTU discovery): what is in
 * flight longer than it goes again at once, cut to fit. */
void tcp_simple_retransmit(struct net *net, struct sock *sk);
/* tcp_rtx_timer - fires the RTO if due; returns its deadline (0 none). */
uint64_t tcp_rtx_timer(struct net *net, struct sock *sk);
/* tcp_rtt_sample - an RTT sample for tcp_rtt_estimator (rtt_ns; 0: none,
 * as when Karn's rule forbids one). */
void tcp_rtt_sample(struct sock *sk, uint64_t rtt_ns);
void tcp_rtx_free(struct sock *sk);

/* -- tcp_connect.c -- */
/* The SYN a client socket sent (a capture's, before it began): its options. */
struct tcp_syn_options {
	uint16_t mss;			/* 0: none (536 assumed) */
	uint8_t sack_ok, ts, wscale_ok, wscale;
};
/**
 * tcp_v4_connect_state - a client socket as connect() leaves it
 * (tcp_v4_connect, tcp_connect_init): SYN_SENT, ISS isn, its SYN already
 * sent with the options o (NULL: MSS only). Addresses and ports network
 * order. Returns the socket, or NULL when the 4-tuple is in use, the
 * socket limit is reached or memory is exhausted.
 */
struct sock *tcp_v4_connect_state(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
				  uint32_t isn, const struct tcp_syn_options *o, int app);
/* tcp_sock_preexisting - an ESTABLISHED connection opened before the
 * capture began (preexisting): snd_una = snd_nxt, rcv_nxt, the peer's
 * window snd_wnd in bytes. NULL as above. */
struct sock *tcp_sock_preexisting(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
				  uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t snd_wnd, int app);
/* tcp_v6_connect_state / tcp_sock_preexisting6 - the same over IPv6. */
struct sock *tcp_v6_connect_state(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
				  uint16_t dport, uint32_t isn, const struct tcp_syn_options *o, int app);
struct sock *tcp_sock_preexisting6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
				   uint16_t dport, uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t snd_wnd, int app);
/* tcp_rcv_synsent_state_process - a segment for a SYN_SENT socket (RFC 793
 * p.66): returns as tcp_rcv_state_process. */
int tcp_rcv_synsent_state_process(struct net *net, struct sock *sk, struct sk_buff *skb);
/* tcp_synack_missed - the recorded host acknowledges ack (no SYN) while
 * sk waits in SYN_SENT: the peer's SYN-ACK it answered is taken as
 * received (ISN ack - 1), with a timestamp (ts: the host's segment echoes
 * tsecr) and the options sk offered. */
void tcp_synack_missed(struct net *net, struct sock *sk, uint32_t ack, int ts, uint32_t tsecr);

/* -- tcp_minisocks.c -- */
enum tcp_tw_status { TCP_TW_SUCCESS, TCP_TW_RST, TCP_TW_ACK, TCP_TW_SYN };
enum tcp_tw_status tcp_timewait_state_process(struct net *net, struct sock *tw, struct sk_buff *skb);
void tcp_time_wait(struct net *net, struct sock *sk, int state, uint64_t timeo_ns);
/* inet_twsk_schedule - sk becomes (in Linux) a timewait sock: TcpExt.TW,
 * once per connection, whether it starts in FIN_WAIT2 or TIME_WAIT. */
void inet_twsk_schedule(struct net *net, struct sock *sk, uint64_t timeo_ns);
/* tcp_check_req - the ACK of a handshake on a request sock. Returns the
 * child (to run tcp_child_process on), the listener (the caller resets), or
 * NULL (handled; skb still owned by the caller, to discard with
 * TCP_SKB_CB(skb)->req_drop if set: PAWS, out of window). */
struct sock *tcp_check_req(struct net *net, struct sock *req, struct sk_buff *skb);
int tcp_child_process(struct net *net, struct sock *parent, struct sock *child, struct sk_buff *skb);
/* tcp_v4_syn_recv_sock - the child of req (a request sock, or a cookie's,
 * not queued), in SYN_RECV; NULL when the accept queue is full. Exits the
 * caller's event. */
struct sock *tcp_v4_syn_recv_sock(struct net *net, struct sock *req, struct sk_buff *skb);
/* tcp_conn_request - a SYN on a listener: request sock + SYN-ACK. Owns nothing. */
void tcp_conn_request(struct net *net, struct sock *lsk, struct sk_buff *skb);
/* reqsk_timer_handler - an unanswered SYN-ACK is sent again at 1, 3, 7, 15
 * and 31 s (tcp_synack_retries 5); the request dies at 63 s (timeout_ns).
 * When old requests crowd the SYN queue they get fewer (reqsk_max_retries). */
void reqsk_timer_handler(struct net *net, struct sock *req);
/* reqsk_max_retries - the SYN-ACK retransmissions a request of lsk may have
 * now: tcp_synack_retries, down to 2 while more than half of the queue is
 * taken and young requests are too few to fill half of it. */
int reqsk_max_retries(const struct sock *lsk);

/* tcp_v4_save_options - the IPv4 options a request's (and its child's)
 * segments carry: those of skb, echoed; NULL when none (or unechoable). */
struct ip_txopts *tcp_v4_save_options(const struct sk_buff *skb);

/* inet_reqsk_init - a request sock's 4-tuple, family, arrival device and
 * listener from skb (a segment to lsk, at its TCP header): what
 * tcp_openreq_init and the af_ops' init_req fill, SYN or cookie ACK. */
static inline void inet_reqsk_init(struct sock *req, struct sock *lsk, const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	if (skb->protocol == ETH_P_IPV6) {
		tcp_v6_init_req(req, skb);
	} else {
		req->saddr = ip_hdr(skb)->daddr;
		req->daddr = ip_hdr(skb)->saddr;
	}
	req->sport = th->dest;
	req->dport = th->source;
	req->ifindex = skb->dev ? skb->dev->ifindex : 0;
	req->parent = lsk;
	req->ip_opt = tcp_v4_save_options(skb);
}

/* ECN (RFC 3168; include/net/tcp.h's ecn_flags): agreed in the handshake,
 * a CWR to send, an ECE to echo until the peer's CWR, ECT seen. */
#define TCP_ECN_OK		1
#define TCP_ECN_QUEUE_CWR	2
#define TCP_ECN_DEMAND_CWR	4
#define TCP_ECN_SEEN		8
#define INET_ECN_MASK		3
#define INET_ECN_ECT_0		2
#define INET_ECN_CE		3
/* ip_skb_ecn - the ECN field of skb's IP header, either family
 * (TCP_SKB_CB's ip_dsfield & INET_ECN_MASK). */
static inline unsigned ip_skb_ecn(const struct sk_buff *skb)
{
	const uint8_t *h = skb_network_header(skb);
	return (skb->protocol == ETH_P_IPV6 ? h[1] >> 4 : h[1]) & INET_ECN_MASK;
}
/* tcp_ecn_create_request - a SYN asking for ECN (ECE and CWR, itself not
 * ECT unless AccECN's bit is set) gets it when net.ipv4.tcp_ecn allows. */
void tcp_ecn_create_request(const struct net *net, struct sock *req, const struct sk_buff *skb);
/* tcp_ecn_check_ce - data arrived: CE asks for ECE on our ACKs until the
 * peer's CWR (quick ACKs meanwhile); tcp_ecn_accept_cwr - that CWR. */
void tcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb);
void tcp_ecn_accept_cwr(struct sock *sk, const struct sk_buff *skb);

/* -- syncookies.c -- */
/* __cookie_v4_init_sequence - the SYN cookie for a SYN from saddr:sport
 * to daddr:dport (network order, as in its headers) with sequence number
 * seq, at now_ns; *mssp is rounded down to the MSS it encodes. */
uint32_t __cookie_v4_init_sequence(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
				   uint16_t *mssp, uint64_t now_ns);
/* __cookie_v6_init_sequence - the same over IPv6 (its own MSS table). */
uint32_t __cookie_v6_init_sequence(const struct in6 *saddr, const struct in6 *daddr, uint16_t sport, uint16_t dport,
				   uint32_t seq, uint16_t *mssp, uint64_t now_ns);
/* cookie_init_sequence - the cookie for skb (a SYN at its TCP header,
 * either family), counted (TcpExt.SyncookiesSent) and marked on the
 * listener (tcp_synq_overflow). */
uint32_t cookie_init_sequence(struct net *net, struct sock *lsk, const struct sk_buff *skb, uint16_t *mssp);
/* cookie_init_timestamp - the ms clock at now_ns, rounded down so its low 6
 * bits hold req's window scale (0xf: none) and SACK. */
uint32_t cookie_init_timestamp(const struct sock *req, uint64_t now_ns);
/* cookie_v4_check - an ACK (not a SYN) on listener lsk: a valid cookie's
 * child in SYN_RECV (the caller runs tcp_child_process), lsk (the listener
 * answers: not a cookie, or none went out lately), or NULL (dropped:
 * TCP_SKB_CB(skb)->req_drop says why). Both families. */
struct sock *cookie_v4_check(struct net *net, struct sock *lsk, struct sk_buff *skb);

/* reqsk_queue_added / reqsk_queue_removed: a listener's SYN queue, counted
 * whole (qlen) and young (qlen_young: no SYN-ACK resent by the timer yet). */
static inline void reqsk_queue_added(struct sock *lsk)
{
	lsk->qlen++;
	lsk->qlen_young++;
}

static inline void reqsk_queue_removed(struct sock *req)
{
	if (!req->parent)
		return;
	req->parent->qlen--;
	if (req->num_timeout == 0)
		req->parent->qlen_young--;
}

/* inet_csk_reqsk_queue_is_full - more requests than the backlog: Linux
 * 6.14's test (6.13 and earlier: as many), which the 6.18 kernel
 * diff-kernel runs against agrees with (pcaps/tcp-syn-cookies.pcap). */
static inline int inet_csk_reqsk_queue_is_full(const struct sock *lsk)
{
	return lsk->qlen > lsk->max_ack_backlog;
}

/* inet_csk_reqsk_queue_drop - a request sock leaves its listener's queue
 * and the hash (freed when reaped). */
static inline void inet_csk_reqsk_queue_drop(struct net *net, struct sock *req)
{
	reqsk_queue_removed(req);
	sock_unhash(net, req);
}

/* tcp_trace_sk_gone - the event's args say sk is freed: the fold's fact
 * for a socket that leaves without a tcp_set_state. */
static inline void tcp_trace_sk_gone(struct net *net, const struct sock *sk)
{
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "sk", sk_fmt(sk));
		jw_kv_bool(a, "sk_gone", 1);
	}
}

#endif
