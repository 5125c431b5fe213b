/*
 * tcp_recorded.c - docs/design.md §4b: keeping the stack's TCP sockets in step
 * with a capture taken on the host the stack plays. Not a kernel file:
 * Linux has no such input. What the socket sends still takes the ordinary
 * traced path (tcp_transmit_skb, tcp_retransmit_skb → ip_local_out → -w).
 *
 * Each TCP segment the recorded host sent on a connection the stack holds
 * (a "recorded transmit") makes the stack's socket send that segment
 * itself, as if its application had written those bytes, or closed, at
 * that moment: a SYN-ACK brings the host's ISN, data and FIN advance
 * snd_nxt and the state, a seq below snd_nxt is a retransmission (sent
 * again, snd_nxt unchanged), a RST resets. Such a socket is "recorded":
 * whatever else the stack would send from it (its own ACKs, SYN-ACKs,
 * RSTs) is traced and held back (tcp_recorded_hold), so -w out.pcap can be
 * set against what the host sent.
 * A held segment never reaches IP, so it is in no counter: a capture
 * whose host never answered a SYN (zeek's syn-then-rst) leaves
 * Tcp.OutSegs and Ip.OutRequests at 0, where a kernel with a real
 * listener (diff-kernel --auto-host) sends a SYN-ACK (and the ARP request
 * its next hop needs). That difference is the capture's truth, kept.
 * Left out: the peer's window (the capture is the truth about what was
 * sent), segments of connections the stack has no socket for.
 */
#include "tcp.h"

int tcp_recorded_hold(struct net *net, const struct sock *sk, const char *why)
{
	if (!sk || !sk->recorded || (net->socks && net->socks->recorded_tx))
		return 0;
	trace_step(net, NULL, "tcp_recorded_hold", "%s: the stack would send a segment here (%s); in step with a "
		   "capture it sends only what the recorded host sent", sk_fmt(sk), why);
	return 1;
}

/* Linux has acknowledged the peer's FIN before tcp_time_wait freezes the
 * window (tw_rcv_wnd); in step with a capture that ACK was held, and the
 * recorded host's comes later, from the timewait sock. The window that
 * ACK carried is chosen here, as the host chose it. */
void tcp_recorded_held_ack(struct sock *sk)
{
	if (sk->recorded && !sk->tw_scheduled && sk->rcv_wup != sk->rcv_nxt)
		(void)tcp_select_window(sk);
}

/* A connection's 4-tuple, the recorded host's side first, either family
 * (v6: s6/d6, saddr/daddr their ipv6_addr_hash as in struct sock). */
struct rec_key {
	int v6;
	uint32_t saddr, daddr;
	struct in6 s6, d6;
	uint16_t sport, dport;
};

static struct rec_key key4(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	return (struct rec_key){ .saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport };
}

static struct rec_key key6(const struct in6 *saddr, uint16_t sport, const struct in6 *daddr, uint16_t dport)
{
	return (struct rec_key){ .v6 = 1, .saddr = ipv6_addr_hash(saddr), .daddr = ipv6_addr_hash(daddr),
				 .s6 = *saddr, .d6 = *daddr, .sport = sport, .dport = dport };
}

static struct sock *rec_lookup(struct net *net, const struct rec_key *k)
{
	return k->v6 ? __inet6_lookup_established(net, &k->d6, k->dport, &k->s6, k->sport)
		     : __inet_lookup_established(net, k->daddr, k->dport, k->saddr, k->sport);
}

static int pin_match(const struct isn_pin *p, const struct rec_key *k)
{
	if (p->sport != k->sport || p->dport != k->dport || p->v6 != k->v6)
		return 0;
	return k->v6 ? ipv6_addr_equal(&p->s6, &k->s6) && ipv6_addr_equal(&p->d6, &k->d6)
		     : p->saddr == k->saddr && p->daddr == k->daddr;
}

int tcp_pin_matches_sk(const struct isn_pin *p, const struct sock *sk)
{
	struct rec_key k = sk->family == AF_INET6 ? key6(&sk->v6_saddr, sk->sport, &sk->v6_daddr, sk->dport)
						  : key4(sk->saddr, sk->sport, sk->daddr, sk->dport);
	return pin_match(p, &k);
}

static int key_pin(struct net *net, const struct rec_key *k, uint32_t isn, int recorded)
{
	struct sock_table *t = sock_table(net);

	if (!t)
		return -1;
	for (int i = 0; i < t->npins; i++) {
		struct isn_pin *p = &t->pins[i];
		if (pin_match(p, k)) {
			p->isn = isn;	/* a later SYN-ACK for the same 4-tuple wins */
			p->recorded = (uint8_t)recorded;
			p->has_ts = 0;
			return 0;
		}
	}
	if (t->npins >= SOCK_ISN_PINS)
		return -1;
	t->pins[t->npins++] = (struct isn_pin){ k->saddr, k->daddr, isn, k->sport, k->dport, (uint8_t)recorded, 0, 0,
						(uint8_t)k->v6, k->s6, k->d6, 0 };
	return 0;
}

int tcp_isn_pin(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		uint32_t isn, int recorded)
{
	struct rec_key k = key4(saddr, sport, daddr, dport);
	return key_pin(net, &k, isn, recorded);
}

int tcp_isn_pin_sk(struct net *net, const struct sock *sk, uint32_t isn, int recorded)
{
	struct rec_key k = sk->family == AF_INET6 ? key6(&sk->v6_saddr, sk->sport, &sk->v6_daddr, sk->dport)
						  : key4(sk->saddr, sk->sport, sk->daddr, sk->dport);
	return key_pin(net, &k, isn, recorded);
}

int tcp_pin_find_skb(const struct net *net, const struct sk_buff *skb, int kind)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct rec_key k = skb->protocol == ETH_P_IPV6 ? key6(&ipv6_hdr(skb)->daddr, th->dest, &ipv6_hdr(skb)->saddr,
							       th->source)
						       : key4(ip_hdr(skb)->daddr, th->dest, ip_hdr(skb)->saddr, th->source);
	for (int i = 0; net->socks && i < net->socks->npins; i++)
		if (net->socks->pins[i].recorded == kind && pin_match(&net->socks->pins[i], &k))
			return i;
	return -1;
}

int tcp_cookie_pin(struct net *net, const struct sock *req, uint32_t isn, uint16_t mss)
{
	struct rec_key k = req->family == AF_INET6 ? key6(&req->v6_saddr, req->sport, &req->v6_daddr, req->dport)
						   : key4(req->saddr, req->sport, req->daddr, req->dport);
	if (key_pin(net, &k, isn, PIN_KIND_COOKIE) < 0)
		return -1;
	for (int i = 0; i < net->socks->npins; i++)
		if (pin_match(&net->socks->pins[i], &k))
			net->socks->pins[i].mss = mss;
	return 0;
}

static int key_pin_ahead(struct net *net, const struct rec_key *k, uint32_t isn, int has_ts, uint32_t tsval)
{
	struct sock_table *t = sock_table(net);
	struct sock *sk = rec_lookup(net, k);

	if (!t)
		return -1;
	if (sk && sk->iss == isn)
		return 1;	/* its SYN came already: this SYN-ACK is a retransmission */
	for (int i = 0; i < t->npins; i++)
		if (pin_match(&t->pins[i], k))
			return 1;	/* the first SYN-ACK of the 4-tuple wins */
	if (key_pin(net, k, isn, 2) < 0)
		return -1;
	t->pins[t->npins - 1].has_ts = (uint8_t)!!has_ts;
	t->pins[t->npins - 1].tsval = tsval;
	return 0;
}

int tcp_isn_pin_ahead(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		      uint32_t isn, int has_ts, uint32_t tsval)
{
	struct rec_key k = key4(saddr, sport, daddr, dport);
	return key_pin_ahead(net, &k, isn, has_ts, tsval);
}

int tcp_isn_pin_ahead6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
		       uint16_t dport, uint32_t isn, int has_ts, uint32_t tsval)
{
	struct rec_key k = key6(saddr, sport, daddr, dport);
	return key_pin_ahead(net, &k, isn, has_ts, tsval);
}

void tcp_recorded_ts(struct net *net, int has_ts, uint32_t tsval, uint32_t tsecr)
{
	struct sock_table *t = sock_table(net);
	if (!t)
		return;
	t->rec_ts = (uint8_t)!!has_ts;
	t->rec_tsval = tsval;
	t->rec_tsecr = tsecr;
}

uint32_t tcp_recorded_tsval(const struct net *net, const struct sock *sk)
{
	const struct sock_table *t = net->socks;
	if (t && t->recorded_tx && t->rec_ts)
		return t->rec_tsval;
	return tcp_ts_now(net, sk);
}

/* The request sock takes the host's ISN and sends its SYN-ACK with it. */
static void tcp_recorded_req_synack(struct net *net, struct sock *req, uint32_t isn)
{
	struct sock_table *t = net->socks;
	uint8_t saved = t->recorded_tx;

	if (req->synack_ahead && isn == req->iss) {
		/* Sent at the SYN already: the replay had read this one ahead. */
		req->synack_ahead = 0;
		trace_step(net, NULL, "tcp_recorded_synack", "%s: this SYN-ACK (ISN %u) went out when the SYN came: "
			   "the replay read it ahead", sk_fmt(req), isn);
		return;
	}
	req->synack_ahead = 0;

	if (isn != req->iss)
		trace_step(net, NULL, "tcp_recorded_synack", "%s: the recorded host chose ISN %u; the request sock takes "
			   "it instead of %u%s", sk_fmt(req), isn, req->iss,
			   req->synack_held ? "" : " (its own SYN-ACK, with the old one, is already out)");
	else if (!req->synack_held) {
		SNMP_INC(net, MIB_TCP_RETRANSSEGS);	/* the host sent its SYN-ACK again */
		SNMP_INC(net, MIB_TCPEXT_TCPSYNRETRANS);
	}
	req->iss = req->snd_una = isn;
	req->snd_nxt = isn + 1;
	req->recorded = 1;
	req->synack_held = 0;
	t->recorded_tx = 1;
	tcp_send_synack(net, req);
	t->recorded_tx = saved;
}

int tcp_recorded_synack(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
			uint32_t isn)
{
	struct sock *sk = __inet_lookup_established(net, daddr, dport, saddr, sport);

	if (!sock_table(net))
		return -1;
	if (sk && (sk->state == TCP_NEW_SYN_RECV || (sk->state == TCP_SYN_RECV && sk->snd_una == sk->iss))) {
		tcp_recorded_req_synack(net, sk, isn);
		return 1;
	}
	if (sk)
		return -1;	/* past the handshake: nothing to pin */
	return tcp_isn_pin(net, saddr, sport, daddr, dport, isn, 1);
}

/* The host reset a connection request: a request sock has no window or
 * options of its own to send, so its RST is tcp_v4_send_reset's (or
 * tcp_v6_send_reset's): window 0, no options, seq and ack as recorded. */
static void tcp_recorded_req_reset(struct net *net, struct sock *req, uint32_t seq, uint8_t flags)
{
	int v6 = req->family == AF_INET6, r;
	uint32_t ack = flags & TCPHDR_ACK ? req->rcv_nxt : 0;
	trace_enter(net, NULL, v6 ? "tcp_v6_send_reset" : "tcp_v4_send_reset", "tcp",
		    "%s: RST Flags %s seq %u ack %u (the recorded host resets the connection request)", sk_fmt(req),
		    tcp_flags_str(flags), seq, ack);
	if (v6)
		r = tcp_v6_xmit(net, 0, &req->v6_saddr, &req->v6_daddr, req->ifindex, req->sport, req->dport, seq,
				ack, flags, 0, NULL, 0, NULL, 0);
	else
		r = tcp_v4_xmit(net, req->ip_opt, 0, req->saddr, req->daddr, req->sport, req->dport, seq, ack,
				flags, 0, NULL, 0, NULL, 0);
	trace_exit(net, NULL, r ? V_DROP : V_SENT, r ? net->last_drop : 0, "%s", "");
}

/* A recorded segment on a request sock (NEW_SYN_RECV). */
static void tcp_recorded_req(struct net *net, struct sock *req, uint32_t seq, uint8_t flags)
{
	if (flags & TCPHDR_RST) {
		tcp_recorded_req_reset(net, req, seq, flags);
		tcp_set_state(net, req, TCP_CLOSE);
		inet_csk_reqsk_queue_drop(net, req);
		return;
	}
	if ((flags & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK)) {
		tcp_recorded_req_synack(net, req, seq);
		return;
	}
	__tcp_transmit_skb(net, req, seq, flags, NULL, 0, "a segment before the host's SYN-ACK, as recorded");
}

/* The host's ACK field: what it had received. More than the stack has
 * means the capture lost or damaged bytes the host got. */
static void tcp_recorded_ack(struct net *net, struct sock *sk, uint32_t ack)
{
	if (before(ack, sk->rcv_nxt))
		trace_step(net, NULL, "tcp_recorded_send", "the recorded host acknowledges only %u; the stack has "
			   "received up to %u", ack - sk->irs, sk->rcv_nxt - sk->irs);
	if (!after(ack, sk->rcv_nxt))
		return;
	switch (sk->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		if (!(sk->shutdown & RCV_SHUTDOWN)) {
			struct sock_table *t = net->socks;
			/* the segments taken as received carried the TSval
			 * the host echoes: tcp_store_ts_recent's */
			if (t->rec_ts && sk->tstamp_ok && after(t->rec_tsecr, sk->ts_recent)) {
				sk->ts_recent = t->rec_tsecr;
				sk->ts_recent_stamp_ns = net->now_ns;
			}
			t->recorded_tx = 0;	/* an ACK this would prompt is the stack's own */
			tcp_recorded_rcv_sync(net, sk, ack);
			t->recorded_tx = 1;
			return;
		}
	}
	trace_step(net, NULL, "tcp_recorded_send", "the recorded host acknowledges %u, beyond the peer's FIN at %u",
		   ack - sk->irs, sk->rcv_nxt - sk->irs);
}

/* New bytes out, in segments of at most the MSS: a capture taken before
 * segmentation offload (TSO/GSO) shows larger ones than the wire carried. */
static void tcp_recorded_push(struct net *net, struct sock *sk, uint8_t flags, const uint8_t *data, uint32_t len)
{
	uint32_t mss = tcp_send_mss(sk), sent = 0;
	uint8_t mid = flags & (uint8_t)~(TCPHDR_FIN | TCPHDR_PSH);
	const char *why = flags & TCPHDR_FIN ? (len ? "the recorded host's data and FIN" : "the recorded host's FIN")
					     : "the recorded host's data";

	if (len > mss)
		trace_step(net, NULL, "tcp_sendmsg", "%u bytes in one segment, more than the MSS %u: the capture saw it "
			   "before segmentation offload; sent in MSS-sized segments", len, mss);
	do {
		uint32_t n = len - sent < mss ? len - sent : mss;
		uint8_t fl = sent + n == len ? flags : mid;
		__tcp_transmit_skb(net, sk, sk->snd_nxt, fl, n ? data + sent : NULL, n, why);
		if (n || (fl & TCPHDR_FIN))
			tcp_rtx_queue_add(net, sk, sk->snd_nxt, fl, n ? data + sent : NULL, n);
		sk->snd_nxt += n;
		sent += n;
	} while (sent < len);
	if (flags & TCPHDR_FIN) {
		sk->snd_nxt++;
		sk->fin_sent = 1;
	}
}

/* The FIN's state change: shutdown(SHUT_WR) or close(), the capture cannot
 * tell which; the socket keeps reading, as after shutdown. */
static void tcp_recorded_fin(struct net *net, struct sock *sk)
{
	trace_step(net, NULL, "tcp_shutdown", "%s: the recorded application closes its sending side: FIN", sk_fmt(sk));
	sk->shutdown |= SEND_SHUTDOWN;
	tcp_close_state(net, sk);
}

/* seq == snd_nxt: new data, a FIN, or a pure ACK. */
static void tcp_recorded_write(struct net *net, struct sock *sk, uint8_t flags, const uint8_t *data, uint32_t len)
{
	if (!len && !(flags & TCPHDR_FIN)) {
		__tcp_transmit_skb(net, sk, sk->snd_nxt, flags, NULL, 0, "the recorded host's ACK");
		return;
	}
	if (len)
		trace_step(net, NULL, "tcp_sendmsg", "%s: the recorded application writes %u bytes", sk_fmt(sk), len);
	if ((flags & TCPHDR_FIN) && !sk->fin_sent)
		tcp_recorded_fin(net, sk);
	tcp_recorded_push(net, sk, flags, data, len);
}

/* seq < snd_nxt: sent before, so a retransmission (or a keepalive-like
 * probe when it carries nothing); snd_nxt moves only past new bytes. */
static void tcp_recorded_retransmit(struct net *net, struct sock *sk, uint32_t seq, uint8_t flags,
				    const uint8_t *data, uint32_t len)
{
	int fin = !!(flags & TCPHDR_FIN);
	uint32_t end = seq + len + (uint32_t)fin;

	if (!len && !fin) {
		__tcp_transmit_skb(net, sk, seq, flags, NULL, 0, "the recorded host's ACK, with an old seq (a probe)");
		return;
	}
	trace_step(net, NULL, "tcp_retransmit_skb", "%s: seq %u:%u is below snd_nxt %u: the recorded host sent it "
		   "again (a retransmission); snd_nxt does not move", sk_fmt(sk), seq - sk->iss, end - sk->iss,
		   sk->snd_nxt - sk->iss);
	if (fin && !sk->fin_sent)
		tcp_recorded_fin(net, sk);
	tcp_retransmit_skb(net, sk, seq, flags, data, len);
	if (after(end, sk->snd_nxt))
		sk->snd_nxt = end;
	if (fin)
		sk->fin_sent = 1;
}

/* A recorded segment on a client socket (SYN_SENT) or a synchronized one
 * (SYN_RECV onwards). */
static void tcp_recorded_conn(struct net *net, struct sock *sk, uint32_t seq, uint32_t ack, uint8_t flags,
			      const uint8_t *data, uint32_t len)
{
	if (sk->state == TCP_SYN_SENT && (flags & (TCPHDR_ACK | TCPHDR_SYN | TCPHDR_RST)) == TCPHDR_ACK &&
	    seq == sk->iss + 1) {
		net->socks->recorded_tx = 0;
		tcp_synack_missed(net, sk, ack, net->socks->rec_ts, net->socks->rec_tsecr);
		net->socks->recorded_tx = 1;
	}
	if (flags & TCPHDR_ACK)
		tcp_recorded_ack(net, sk, ack);
	if (flags & TCPHDR_RST) {
		__tcp_transmit_skb(net, sk, seq, flags, NULL, 0, "the recorded host resets the connection");
		trace_step(net, NULL, "tcp_done", "%s: the recorded host aborted the connection", sk_fmt(sk));
		tcp_done(net, sk);
		return;
	}
	if (flags & TCPHDR_SYN) {
		/* a client's first SYN in the capture is the one connect()
		 * sent (the socket waits for it in SYN_SENT); any other is
		 * sent again (a SYN or SYN-ACK retransmitted) */
		if (sk->state == TCP_SYN_SENT && !sk->syn_recorded && seq == sk->iss)
			__tcp_transmit_skb(net, sk, seq, flags, NULL, 0, "the recorded host's SYN");
		else
			tcp_retransmit_skb(net, sk, seq, flags, NULL, 0);
		if (sk->state == TCP_SYN_SENT)
			sk->syn_recorded = 1;
		return;
	}
	if (after(seq, sk->snd_nxt)) {
		trace_step(net, NULL, "tcp_recorded_send", "bytes %u:%u are not in the capture (it missed them): taken "
			   "as sent", sk->snd_nxt - sk->iss, seq - sk->iss);
		sk->snd_nxt = seq;
	}
	if (before(seq, sk->snd_nxt))
		tcp_recorded_retransmit(net, sk, seq, flags, data, len);
	else
		tcp_recorded_write(net, sk, flags, data, len);
}

/* No socket for the segment's connection: a SYN-ACK may precede its SYN. */
static int tcp_recorded_nosock(struct net *net, const struct rec_key *k, uint32_t seq, uint8_t flags)
{
	if ((flags & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK)) {
		if (key_pin(net, k, seq, 1) == 0) {
			trace_exit(net, NULL, V_PASS, 0, "no request sock yet (its SYN comes later in the capture): "
				   "ISN %u pinned for it", seq);
			return 0;
		}
		trace_exit(net, NULL, V_PASS, 0, "ISN %u not kept: the pin table is full", seq);
		return -1;
	}
	trace_exit(net, NULL, V_PASS, 0, "the stack has no socket for this connection: nothing to keep in step");
	return -1;
}

static int key_send(struct net *net, const struct rec_key *k, uint32_t seq, uint32_t ack, uint8_t flags,
		    const void *data, uint32_t len)
{
	struct sock *sk = rec_lookup(net, k);
	struct sock_table *t = sock_table(net);

	flags &= TCPHDR_FIN | TCPHDR_SYN | TCPHDR_RST | TCPHDR_PSH | TCPHDR_ACK;	/* no URG, no ECN here */
	if (k->v6)
		trace_enter(net, NULL, "tcp_recorded_send", "tcp", "[%s]:%u > [%s]:%u Flags %s, seq %u, length %u: a "
			    "segment the recorded host sent", in6_fmt(&k->s6), ntohs(k->sport), in6_fmt(&k->d6),
			    ntohs(k->dport), tcp_flags_str(flags), seq, len);
	else
		trace_enter(net, NULL, "tcp_recorded_send", "tcp", "%s:%u > %s:%u Flags %s, seq %u, length %u: a segment "
			    "the recorded host sent", ip_fmt(k->saddr), ntohs(k->sport), ip_fmt(k->daddr), ntohs(k->dport),
			    tcp_flags_str(flags), seq, len);
	if (!t || !sk) {
		if (t)
			t->rec_ts = 0;
		return tcp_recorded_nosock(net, k, seq, flags);
	}
	sk->recorded = 1;
	t->recorded_tx = 1;
	if (sk->state == TCP_NEW_SYN_RECV)
		tcp_recorded_req(net, sk, seq, flags);
	else
		tcp_recorded_conn(net, sk, seq, ack, flags, data, len);
	t->recorded_tx = 0;
	t->rec_ts = 0;
	if (sk->hashed && sk->data_ready)
		sock_app_wakeup(net, sk);	/* bytes taken as received may be readable now */
	trace_exit(net, NULL, V_SENT, 0, "%s: sent by the stack's socket, in step with the capture", sk_fmt(sk));
	return 1;
}

int tcp_recorded_send(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint32_t len)
{
	struct rec_key k = key4(saddr, sport, daddr, dport);
	return key_send(net, &k, seq, ack, flags, data, len);
}

int tcp_recorded_send6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
		       uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *data, uint32_t len)
{
	struct rec_key k = key6(saddr, sport, daddr, dport);
	return key_send(net, &k, seq, ack, flags, data, len);
}
