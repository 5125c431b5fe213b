/*
 * tcp_minisocks.c - request socks and TIME_WAIT, after
 * net/ipv4/tcp_minisocks.c (tcp_timewait_state_process, tcp_time_wait,
 * tcp_check_req, tcp_child_process) plus tcp_conn_request from
 * net/ipv4/tcp_input.c, kept here next to the request sock it creates
 * (Linux 6.13 behaviour).
 * Simplified: a request sock becomes the child in place (Linux allocates a
 * new sock and frees the request); TIME_WAIT is the full sock with its
 * queues purged (Linux swaps in an inet_timewait_sock); FIN_WAIT2 stays a
 * full socket with tcp_fin_timeout instead of a TIME_WAIT substate.
 * Options are negotiated here from the SYN (tcp_options.c parses and
 * writes them); a full SYN queue answers with SYN cookies (syncookies.c).
 * Left out: PAWS and the TSecr check on request socks, Fast Open,
 * tcp_abort_on_overflow.
 */
#include "ipv6.h"
#include "tcp.h"


uint32_t tcp_dst_mtu(struct net *net, const struct sock *sk, const struct net_device *dev)
{
	if (sk->family == AF_INET6)
		return ip6_dst_mtu(net, &sk->v6_daddr, dev);
	return ip_dst_mtu(net, sk->daddr, dev);
}

/* tcp_openreq_init's options: what the SYN offered and the sysctls allow
 * (tcp_parse_options did the sysctl checks). The MSS defaults to 536. */
static void tcp_openreq_options(struct net *net, struct sock *req, const struct sk_buff *skb)
{
	struct tcp_options_received opt = { 0 };

	tcp_parse_options(net, skb->data, 0, &opt);
	req->mss_cache = opt.mss_clamp ? opt.mss_clamp : TCP_MSS_DEFAULT;
	req->tstamp_ok = opt.saw_tstamp;
	req->ts_recent = opt.saw_tstamp ? opt.rcv_tsval : 0;
	req->ts_recent_stamp_ns = net->now_ns;
	req->sack_ok = opt.sack_ok;
	req->wscale_ok = opt.wscale_ok;
	req->snd_wscale = opt.wscale_ok ? opt.snd_wscale : 0;
	req->ts_offset = tcp_ts_offset(req->saddr, req->daddr);
}

enum { PIN_NONE, PIN_REUSE, PIN_RECORDED, PIN_AHEAD };

/* An ISN pinned by tcp_recorded_synack (PIN_RECORDED) or a TIME_WAIT
 * reuse (PIN_REUSE), if any; the pin is used up. */
static int tcp_take_pin(struct net *net, struct sock *req, uint32_t *isn)
{
	struct sock_table *t = net->socks;
	for (int i = 0; i < t->npins; i++) {
		struct isn_pin *p = &t->pins[i];
		if (p->recorded != PIN_KIND_COOKIE && tcp_pin_matches_sk(p, req)) {
			int kind = p->recorded == 2 ? PIN_AHEAD : p->recorded ? PIN_RECORDED : PIN_REUSE;
			*isn = p->isn;
			if (p->has_ts && req->tstamp_ok)	/* our clock reads what the host's read */
				req->ts_offset = p->tsval - (uint32_t)(net->now_ns / 1000000ULL);
			t->pins[i] = t->pins[--t->npins];
			return kind;
		}
	}
	return PIN_NONE;
}

void tcp_ecn_create_request(const struct net *net, struct sock *req, const struct sk_buff *skb)
{
	const uint8_t *th = skb->data;
	unsigned ect = ip_skb_ecn(skb);
	if ((th[13] & (TCPHDR_ECE | TCPHDR_CWR)) != (TCPHDR_ECE | TCPHDR_CWR))
		return;
	if ((!ect || (th[12] & 0x0f)) && net->sysctl.tcp_ecn)	/* AccECN's bit lets an ECT SYN in */
		req->ecn_flags = TCP_ECN_OK;
}

/* Fills a request sock from the SYN: inet_reqsk_alloc + tcp_openreq_init.
 * Returns the kind of ISN pin used (PIN_*). */
static int tcp_openreq_init(struct net *net, struct sock *req, struct sock *lsk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct net_device *dev = skb->dev;
	uint32_t isn;
	int pin;

	inet_reqsk_init(req, lsk, skb);
	req->irs = cb->seq;
	req->rcv_nxt = req->rcv_wup = cb->seq + 1;
	req->snd_wnd = req->max_window = cb->window;	/* never scaled on a SYN */
	req->snd_wl1 = cb->seq;
	if (th_doff(skb) > 5)
		tcp_openreq_options(net, req, skb);
	else
		req->mss_cache = TCP_MSS_DEFAULT;
	/* ipv4_default_advmss / ip6_default_advmss: the route's MTU (a path
	 * MTU learned for the peer, else the device's) less the headers */
	req->pmtu_cookie = (uint16_t)tcp_dst_mtu(net, req, dev);
	req->advmss = (uint16_t)(req->pmtu_cookie - (req->family == AF_INET6 ? 60 : 40));
	req->rcv_mss = TCP_MSS_DEFAULT;
	if (req->mss_cache > req->advmss)
		req->mss_cache = req->advmss;
	if (req->mss_cache < TCP_MIN_SND_MSS)
		req->mss_cache = TCP_MIN_SND_MSS;	/* __tcp_mtu_to_mss: net.ipv4.tcp_min_snd_mss */
	if (req->tstamp_ok)
		req->mss_cache -= TCPOLEN_TSTAMP_ALIGNED;	/* tcp_sync_mss: room for the TS option */
	tcp_select_initial_window(net, req, (uint32_t)req->advmss - (req->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));
	tcp_ecn_create_request(net, req, skb);
	pin = tcp_take_pin(net, req, &isn);
	if (pin == PIN_NONE)
		isn = tcp_isn(req->daddr, req->saddr, req->dport, req->sport, net->now_ns);
	req->iss = req->snd_una = isn;
	req->snd_nxt = isn + 1;
	req->app = lsk->app;
	/* docs/design.md §4b: in step with a capture, the SYN-ACK waits for the
	 * recorded host's unless the capture showed it already. */
	req->synack_ahead = pin == PIN_AHEAD;
	if (pin == PIN_AHEAD)
		pin = PIN_RECORDED;	/* the capture's SYN-ACK, read ahead: sent now, once */
	req->recorded = lsk->app == APP_RECORDED || pin == PIN_RECORDED;
	req->synack_held = req->recorded && pin != PIN_RECORDED;
	req->state = TCP_LISTEN;	/* RFC 793: the request starts from LISTEN */
	return pin;
}

/* tcp_syn_flood_action: a SYN that finds the queue full (or any SYN, with
 * tcp_syncookies 2) gets a cookie, or with tcp_syncookies 0 is dropped.
 * The kernel logs "Possible SYN flooding" once per listener. */
static int tcp_syn_flood_action(struct net *net, struct sock *lsk, struct sk_buff *skb)
{
	int cookies = net->sysctl.tcp_syncookies;

	SNMP_INC(net, cookies ? MIB_TCPEXT_TCPREQQFULLDOCOOKIES : MIB_TCPEXT_TCPREQQFULLDROP);
	if (cookies != 2 && !lsk->synflood_warned) {
		lsk->synflood_warned = 1;
		trace_step(net, skb, "tcp_syn_flood_action", "kernel log: \"TCP: request_sock_TCP%s: Possible SYN "
			   "flooding on port %s. %s.\"", skb->protocol == ETH_P_IPV6 ? "v6" : "", sk_fmt(lsk),
			   cookies ? "Sending cookies" : "Dropping request");
	}
	if (cookies == 2 && !inet_csk_reqsk_queue_is_full(lsk))
		trace_step(net, skb, "tcp_syn_flood_action", "tcp_syncookies=2: every SYN is answered with a cookie");
	else
		trace_step(net, skb, "tcp_syn_flood_action", "SYN queue full (%d requests, backlog %d): %s", lsk->qlen,
			   lsk->max_ack_backlog, cookies ? "answer with a SYN cookie, keeping no request sock "
			   "(net.ipv4.tcp_syncookies=1)" : "net.ipv4.tcp_syncookies=0, so the SYN is dropped");
	return cookies != 0;
}

/* The listener's limits: SYN queue (or a cookie: *want_cookie), accept
 * queue, socket count. */
static int tcp_conn_request_full(struct net *net, struct sock *lsk, struct sk_buff *skb, int *want_cookie)
{
	if (skb->protocol == ETH_P_IPV6 ? ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr)
					: IPCB(skb)->dst.type != RTN_LOCAL) {
		trace_step(net, skb, "tcp_v4_conn_request", "SYN to a broadcast/multicast address: ignored");
		return 1;
	}
	/* A SYN reopening a TIME_WAIT connection is let through a full queue:
	 * its peer has shown it is real, and the timewait sock it replaces
	 * frees as much as the request takes. */
	if ((net->sysctl.tcp_syncookies == 2 || inet_csk_reqsk_queue_is_full(lsk)) && tcp_pin_find_skb(net, skb, 0) < 0 &&
	    !(*want_cookie = tcp_syn_flood_action(net, lsk, skb)))
		return 1;
	if (lsk->ack_backlog > lsk->max_ack_backlog) {
		SNMP_INC(net, MIB_TCPEXT_LISTENOVERFLOWS);
		trace_step(net, skb, "sk_acceptq_is_full", "accept queue full (%d > backlog %d)", lsk->ack_backlog,
			   lsk->max_ack_backlog);
		return 1;
	}
	return 0;
}

/* The request's first SYN-ACK: now, or (in step with a capture) when the
 * capture shows the recorded host's. */
static void tcp_conn_send_synack(struct net *net, struct sock *req, int pin)
{
	if (req->synack_held) {
		trace_step(net, NULL, "tcp_conn_request", "in step with a capture: the SYN-ACK goes out when the "
			   "capture shows the recorded host's, with its ISN");
		return;
	}
	if (pin == PIN_RECORDED)
		net->socks->recorded_tx = 1;	/* the capture showed this SYN-ACK already */
	tcp_send_synack(net, req);
	net->socks->recorded_tx = 0;
}

/* The SYN's MSS as tcp_parse_options leaves mss_clamp: the option, or
 * the family's default (TCP_MSS_DEFAULT; IPv6: its minimum MTU less 60). */
static uint16_t tcp_syn_mss(const struct net *net, const struct sk_buff *skb)
{
	struct tcp_options_received opt = { 0 };
	if (th_doff(skb) > 5)
		tcp_parse_options(net, skb->data, 0, &opt);
	return opt.mss_clamp ? opt.mss_clamp : skb->protocol == ETH_P_IPV6 ? 1220 : TCP_MSS_DEFAULT;
}

/* The cookie SYN-ACK (tcp_conn_request with want_cookie): the ISN is the
 * cookie, or the recorded host's, pinned for the ACK; without timestamps
 * there is nowhere to keep the options, so only the MSS goes; with them,
 * the TSval's low bits carry them (cookie_init_timestamp). The request is
 * freed at once. */
static void tcp_cookie_synack(struct net *net, struct sock *lsk, struct sock *req, struct sk_buff *skb, int pin)
{
	uint16_t mss = tcp_syn_mss(net, skb);
	uint32_t isn = cookie_init_sequence(net, lsk, skb, &mss);

	if (!req->tstamp_ok)	/* nowhere to keep options, ECN either */
		req->sack_ok = req->wscale_ok = req->snd_wscale = req->ecn_flags = 0;
	if (pin == PIN_RECORDED)
		tcp_cookie_pin(net, req, req->iss, mss);	/* full: its ACK will fail the check */
	else
		req->iss = req->snd_una = isn;
	req->snd_nxt = req->iss + 1;
	if (req->tstamp_ok && pin == PIN_NONE)	/* our clock, read so that TSval ends in the options */
		req->ts_offset += cookie_init_timestamp(req, net->now_ns) - (uint32_t)(net->now_ns / 1000000ULL);
	trace_step(net, skb, "cookie_init_sequence", "SYN cookie %u: the peer's MSS %u, the minute and a hash of the "
		   "4-tuple; %s", req->iss, mss, req->tstamp_ok ? "TSval's low 6 bits hold window scale and SACK"
		   : "no timestamps, so no options but the MSS");
	if (req->synack_held)
		trace_step(net, NULL, "tcp_conn_request", "in step with a capture: the recorded host's cookie "
			   "SYN-ACK is not in the capture, so none is sent");
	else
		tcp_conn_send_synack(net, req, pin);
	sock_unhash(net, req);		/* reqsk_free: it was never in the state's sockets */
	trace_exit(net, skb, V_CONSUMED, 0, "SYN cookie sent: no request sock kept (the ACK will rebuild it)");
}

void tcp_conn_request(struct net *net, struct sock *lsk, struct sk_buff *skb)
{
	struct sock *req;
	int pin, want_cookie = 0;

	trace_enter(net, skb, "tcp_conn_request", "tcp", "SYN for %s listener (%s), backlog %d",
		    sock_app_name(lsk->app), sk_fmt(lsk), lsk->max_ack_backlog);
	if (tcp_conn_request_full(net, lsk, skb, &want_cookie) || !(req = sock_alloc(net, IPPROTO_TCP_))) {
		if (net->socks && net->socks->count >= net->socks->max)
			trace_step(net, skb, "inet_reqsk_alloc", "socket limit (%d) reached", net->socks->max);
		SNMP_INC(net, MIB_TCPEXT_LISTENDROPS);	/* tcp_listendrop */
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_NOT_SPECIFIED, "SYN not answered");
		return;
	}
	pin = tcp_openreq_init(net, req, lsk, skb);
	if (want_cookie) {
		tcp_cookie_synack(net, lsk, req, skb, pin);
		return;
	}
	tcp_set_state(net, req, TCP_NEW_SYN_RECV);
	sock_hash(net, req);
	reqsk_queue_added(lsk);
	req->timeout_ns = net->now_ns + TCP_SYNACK_EXPIRE_NS;
	sk_reset_timer(net, req, req->timeout_ns);
	req->rtx_timeout_ns = net->now_ns + TCP_TIMEOUT_INIT_NS;
	sk_reset_timer(net, req, req->rtx_timeout_ns);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_uint(a, "irs", req->irs);
		jw_kv_uint(a, "iss", req->iss);
		jw_kv_uint(a, "peer_mss", req->mss_cache);
		jw_kv_uint(a, "snd_wnd", req->snd_wnd);
		jw_kv_uint(a, "rcv_wnd", req->rcv_wnd);
		jw_kv_str(a, "syn_options", tcp_options_str(skb->data, skb->len));
		tcp_options_args(a, req);
		jw_kv_str(a, "sk", sk_fmt(req));
		tcp_sock_args(a, req, net->now_ns);
	}
	trace_step(net, skb, "inet_reqsk_alloc", "request sock %s: IRS %u, ISS %u (%s), peer MSS %u; agreed:%s%s%s%s",
		   sk_fmt(req), req->irs, req->iss, pin == PIN_RECORDED ? (req->synack_ahead ?
		   "the recorded host's SYN-ACK, read ahead in the capture" : "the recorded host's SYN-ACK, earlier in the capture")
		   : pin == PIN_REUSE ? "above the old TIME_WAIT connection's" : "tcp_isn of the 4-tuple and time",
		   req->mss_cache, req->sack_ok ? " SACK" : "", req->tstamp_ok ? " timestamps" : "",
		   req->wscale_ok ? " window scale" : "", req->sack_ok || req->tstamp_ok || req->wscale_ok ? "" : " MSS only");
	tcp_conn_send_synack(net, req, pin);
	trace_exit(net, skb, V_CONSUMED, 0, "SYN_RECV: waiting for the handshake's ACK");
}

/* tcp_in_window: some of [seq, end_seq) falls in [s_win, e_win]. */
static int tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win)
{
	if (seq == s_win)
		return 1;
	if (after(end_seq, s_win) && before(seq, e_win))
		return 1;
	return seq == e_win && seq == end_seq;
}

/* embryonic_reset: RST or SYN on a request sock kills it. */
static struct sock *tcp_embryonic_reset(struct net *net, struct sock *req, struct sk_buff *skb)
{
	uint8_t fl = TCP_SKB_CB(skb)->tcp_flags;

	SNMP_INC(net, MIB_TCP_ATTEMPTFAILS);
	if (!(fl & TCPHDR_RST))
		tcp_v4_send_reset(net, req, skb);
	SNMP_INC(net, MIB_TCPEXT_EMBRYONICRSTS);
	tcp_trace_sk_gone(net, req);
	trace_exit(net, skb, V_PASS, 0, "%s on a request sock: it is dropped (embryonic reset)",
		   fl & TCPHDR_RST ? "RST" : "SYN in window");
	inet_csk_reqsk_queue_drop(net, req);
	return NULL;
}

struct sock *tcp_v4_syn_recv_sock(struct net *net, struct sock *req, struct sk_buff *skb)
{
	struct sock *lsk = req->parent;

	if (lsk->ack_backlog > lsk->max_ack_backlog) {
		SNMP_INC(net, MIB_TCPEXT_LISTENOVERFLOWS);
		SNMP_INC(net, MIB_TCPEXT_LISTENDROPS);
		trace_exit(net, skb, V_PASS, 0, "accept queue full (%d > %d): ACK ignored, the request is kept",
			   lsk->ack_backlog, lsk->max_ack_backlog);
		return NULL;
	}
	SNMP_INC(net, MIB_TCP_PASSIVEOPENS);
	/* tcp_synack_rtt_meas: the handshake's RTT, unless the SYN-ACK went twice */
	tcp_rtt_sample(req, req->synack_sent_ns && req->synack_sent_ns != UINT64_MAX &&
				    net->now_ns >= req->synack_sent_ns ? net->now_ns - req->synack_sent_ns + 1 : 0);
	req->timeout_ns = 0;		/* the request's timers stop before the child is traced */
	req->rtx_timeout_ns = 0;
	tcp_set_state(net, req, TCP_SYN_RECV);
	if (req->hashed)
		reqsk_queue_removed(req);
	else
		sock_hash(net, req);	/* a cookie's: never in the SYN queue */
	lsk->ack_backlog++;
	trace_exit(net, skb, V_PASS, 0, "child socket %s created in SYN_RECV", sk_fmt(req));
	return req;
}

/* inet_rtx_syn_ack → tcp_rtx_synack: the SYN-ACK again, a retransmission
 * (Tcp.RetransSegs, TcpExt.TCPSynRetrans) once it has left. A recorded
 * socket's copy is held: the capture's own, if any, is counted instead. */
static void inet_rtx_syn_ack(struct net *net, struct sock *req)
{
	int held = req->recorded && !(net->socks && net->socks->recorded_tx);
	req->synack_sent_ns = UINT64_MAX;	/* Karn: no RTT sample from a resent SYN-ACK */
	if (tcp_send_synack(net, req) == 0 && !held && !req->synack_held) {
		SNMP_INC(net, MIB_TCP_RETRANSSEGS);
		SNMP_INC(net, MIB_TCPEXT_TCPSYNRETRANS);
	}
}

int reqsk_max_retries(const struct sock *lsk)
{
	int max = TCP_SYNACK_RETRIES, young = lsk->qlen_young * 2;

	if (lsk->qlen * 2 <= (lsk->max_ack_backlog > 8 ? lsk->max_ack_backlog : 8))
		return max;
	while (max > 2 && lsk->qlen >= young) {
		max--;
		young *= 2;
	}
	return max;
}

/* The timer found a request with all the retransmissions reqsk_max_retries
 * allows now, fewer than tcp_synack_retries: it goes at once (the usual end,
 * at 63 s, is tcp_expire's). */
static void reqsk_timer_prune(struct net *net, struct sock *req, int max)
{
	const struct sock *lsk = req->parent;

	trace_enter(net, NULL, "reqsk_timer_handler", "tcp", "%s: SYN-ACK sent again %u times, unanswered, and old "
		    "requests crowd the SYN queue (%d of %d, %d young): %d retransmissions at most, the request "
		    "is dropped", sk_fmt(req), req->num_timeout, lsk->qlen, lsk->max_ack_backlog, lsk->qlen_young, max);
	req->timeout_ns = 0;
	inet_csk_reqsk_queue_drop(net, req);
	tcp_trace_sk_gone(net, req);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "socket freed");
}

void reqsk_timer_handler(struct net *net, struct sock *req)
{
	int max = req->parent ? reqsk_max_retries(req->parent) : TCP_SYNACK_RETRIES;

	SNMP_INC(net, MIB_TCPEXT_TCPTIMEOUTS);	/* tcp_syn_ack_timeout, each time the timer fires */
	req->rtx_timeout_ns = 0;
	if (req->num_timeout >= max) {
		reqsk_timer_prune(net, req, max);
		return;
	}
	if (req->num_timeout++ == 0 && req->parent)
		req->parent->qlen_young--;
	trace_enter(net, NULL, "reqsk_timer_handler", "tcp", "%s: no ACK for our SYN-ACK: retransmission %u of %u",
		    sk_fmt(req), req->num_timeout, max);
	inet_rtx_syn_ack(net, req);
	if (req->num_timeout < TCP_SYNACK_RETRIES) {
		req->rtx_timeout_ns = net->now_ns + (TCP_TIMEOUT_INIT_NS << req->num_timeout);
		sk_reset_timer(net, req, req->rtx_timeout_ns);
	}
	tcp_sock_trace(net, req);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

/* RFC 793 p.36: a retransmitted SYN (exactly SYN, at the request's IRS)
 * means our SYN-ACK was lost; answered at most every 500 ms per request
 * (tcp_oow_rate_limited), as it could be one end of a loop. */
static void tcp_req_syn_again(struct net *net, struct sock *req, const struct sk_buff *skb)
{
	if (req->last_oow_ack_ns && (int64_t)(net->now_ns - req->last_oow_ack_ns) < (int64_t)TCP_OOW_RATE_NS) {
		SNMP_INC(net, MIB_TCPEXT_TCPACKSKIPPEDSYNRECV);
		trace_exit(net, skb, V_PASS, 0, "retransmitted SYN within 500 ms of the last answer: not answered "
			   "(rate limited)");
		return;
	}
	req->last_oow_ack_ns = net->now_ns ? net->now_ns : 1;
	trace_step(net, skb, "tcp_check_req", "retransmitted SYN: send the SYN-ACK again");
	inet_rtx_syn_ack(net, req);
	/* the retransmission timer starts over (mod_timer_pending) */
	req->rtx_timeout_ns = net->now_ns + (TCP_TIMEOUT_INIT_NS << req->num_timeout);
	sk_reset_timer(net, req, req->rtx_timeout_ns);
	trace_exit(net, skb, V_PASS, 0, "%s", "");
}

/* tcp_check_req's PAWS (RFC 7323 5): a timestamp older than the SYN's
 * (the request's ts_recent) is from an old duplicate. The request keeps no
 * stamp; Linux takes its age as its retransmission timeout (under 60 s), so
 * a RST with an old timestamp is refused too (tcp_paws_reject). */
static int tcp_req_paws_reject(const struct net *net, const struct sock *req, const struct sk_buff *skb,
			       uint32_t *tsval)
{
	struct tcp_options_received opt = { 0 };

	if (th_doff(skb) <= 5)
		return 0;
	tcp_parse_options(net, skb->data, 0, &opt);
	*tsval = opt.rcv_tsval;
	return opt.saw_tstamp && req->ts_recent && (int32_t)(req->ts_recent - opt.rcv_tsval) > 0;
}

/* An unacceptable segment on a request: an ACK that says where we are
 * (pure ACKs and SYNs at most every 500 ms: tcp_oow_rate_limited), then
 * the drop, PAWSEstab counted for a PAWS failure. */
static void tcp_req_oow(struct net *net, struct sock *req, struct sk_buff *skb, int paws, uint32_t tsval)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	int loop = cb->seq == cb->end_seq || (cb->tcp_flags & TCPHDR_SYN);	/* could be an ACK loop */

	int limited = 0;

	if (!(cb->tcp_flags & TCPHDR_RST) && loop) {
		limited = req->last_oow_ack_ns && (int64_t)(net->now_ns - req->last_oow_ack_ns) < (int64_t)TCP_OOW_RATE_NS;
		if (limited)
			SNMP_INC(net, MIB_TCPEXT_TCPACKSKIPPEDSYNRECV);
		else
			req->last_oow_ack_ns = net->now_ns ? net->now_ns : 1;
	}
	if (!(cb->tcp_flags & TCPHDR_RST) && !limited && !tcp_recorded_hold(net, req, "an ACK: unacceptable segment"))
		tcp_v4_send_ack(net, skb, req->iss + 1, req->rcv_nxt, (uint16_t)(req->rcv_wnd >> req->rcv_wscale), req,
				paws ? "PAWS" : "out of window");
	TCP_SKB_CB(skb)->req_drop = paws ? SKB_DROP_REASON_TCP_RFC7323_PAWS : SKB_DROP_REASON_TCP_OVERWINDOW;
	if (paws) {
		SNMP_INC(net, MIB_TCPEXT_PAWSESTABREJECTED);
		trace_exit(net, skb, V_PASS, 0, "TSval %u is older than the SYN's %u: an old duplicate (PAWS, "
			   "RFC 7323 5)", tsval, req->ts_recent);
	} else {
		trace_exit(net, skb, V_PASS, 0, "segment outside the window");
	}
}

struct sock *tcp_check_req(struct net *net, struct sock *req, struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t fl = cb->tcp_flags;
	uint32_t tsval = 0;
	int paws;

	trace_enter(net, skb, "tcp_check_req", "tcp", "%s: seq %u ack %u Flags %s", sk_fmt(req), cb->seq - req->irs,
		    cb->ack_seq - req->iss, tcp_flags_str(fl));
	cb->req_drop = 0;
	paws = tcp_req_paws_reject(net, req, skb, &tsval);
	if (cb->seq == req->irs && (fl & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) == TCPHDR_SYN && !paws) {
		tcp_req_syn_again(net, req, skb);
		return NULL;
	}
	if ((fl & TCPHDR_ACK) && cb->ack_seq != req->iss + 1) {
		trace_exit(net, skb, V_PASS, 0, "ACK %u is not our ISN+1: answer with a RST", cb->ack_seq);
		return req->parent;
	}
	if (paws || !tcp_in_window(cb->seq, cb->end_seq, req->rcv_nxt, req->rcv_nxt + req->rcv_wnd)) {
		tcp_req_oow(net, req, skb, paws, tsval);
		return NULL;
	}
	if (fl & (TCPHDR_RST | TCPHDR_SYN))
		return tcp_embryonic_reset(net, req, skb);
	if (!(fl & TCPHDR_ACK)) {
		trace_exit(net, skb, V_PASS, 0, "no ACK: ignored");
		return NULL;
	}
	/* The handshake's ACK brings the peer's latest TSval (RFC 7323 4.3). */
	if (req->tstamp_ok) {
		tcp_fast_parse_options(net, req, skb);
		if (req->saw_tstamp && !after(cb->seq, req->rcv_nxt)) {
			req->ts_recent = req->rcv_tsval;
			req->ts_recent_stamp_ns = net->now_ns;
		}
	}
	return tcp_v4_syn_recv_sock(net, req, skb);
}

/* inet_csk_accept: the application takes the child off the accept queue
 * at once (it is always waiting in accept()). */
static void inet_csk_accept(struct net *net, struct sock *lsk, struct sock *child)
{
	lsk->ack_backlog--;
	trace_step(net, NULL, "inet_csk_accept", "%s application accepts %s", sock_app_name(lsk->app), sk_fmt(child));
}

int tcp_child_process(struct net *net, struct sock *parent, struct sock *child, struct sk_buff *skb)
{
	int r;

	trace_enter(net, skb, "tcp_child_process", "tcp", "%s", sk_fmt(child));
	r = tcp_rcv_state_process(net, child, skb);
	if (child->state != TCP_SYN_RECV && child->parent) {
		child->parent = NULL;
		inet_csk_accept(net, parent, child);
	}
	if (r > 0) {
		tcp_v4_send_reset(net, child, skb);
		return skb_drop(net, skb, (enum skb_drop_reason)r);
	}
	return trace_ret(net, r < 0 ? NET_RX_DROP : NET_RX_SUCCESS);
}

void inet_twsk_schedule(struct net *net, struct sock *sk, uint64_t timeo_ns)
{
	/* __inet_twsk_schedule counts the timewait sock once, when it is
	 * created; later re-arming (FIN_WAIT2 → TIME_WAIT, a duplicate ACK)
	 * does not. Every timeo here is >= 60 s, never TWKilled's <= 4 s. */
	if (sk->tw_scheduled)
		return;
	sk->tw_scheduled = 1;
	(void)timeo_ns;
	/* The timewait sock keeps the window offered so far (tw_rcv_wnd) and
	 * answers with it from now on (tcp_select_window). */
	sk->rcv_wnd = tcp_receive_window(sk);
	sk->rcv_wup = sk->rcv_nxt;
	SNMP_INC(net, MIB_TCPEXT_TCPTIMEWAITED);
}

void tcp_time_wait(struct net *net, struct sock *sk, int state, uint64_t timeo_ns)
{
	tcp_recorded_held_ack(sk);	/* the ACK of the peer's FIN, before the window freezes */
	inet_twsk_schedule(net, sk, timeo_ns);
	tcp_set_state(net, sk, state);
	skb_queue_purge(net, &sk->receive_queue);
	skb_queue_purge(net, &sk->ofo_queue);
	sk->rmem = 0;
	sk->ack_timeout_ns = 0;
	sk->ack_pending = 0;
	sk->timeout_ns = net->now_ns + timeo_ns;
	sk_reset_timer(net, sk, sk->timeout_ns);
	tcp_sock_trace(net, sk);
	trace_step(net, NULL, "tcp_time_wait", "%s: TIME_WAIT for %llu s (2*MSL as Linux counts it)", sk_fmt(sk),
		   (unsigned long long)(timeo_ns / 1000000000ULL));
}

/* tcp_timewait_check_oow_rate_limit: pure ACKs get an answer at most
 * every 500 ms (they could be one end of an ACK loop). */
static enum tcp_tw_status tcp_tw_oow(struct net *net, struct sock *tw, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	if (cb->seq == cb->end_seq || (cb->tcp_flags & TCPHDR_SYN)) {
		if (tw->last_oow_ack_ns && (int64_t)(net->now_ns - tw->last_oow_ack_ns) < (int64_t)TCP_OOW_RATE_NS) {
			SNMP_INC(net, MIB_TCPEXT_TCPACKSKIPPEDTIMEWAIT);
			return TCP_TW_SUCCESS;
		}
		tw->last_oow_ack_ns = net->now_ns ? net->now_ns : 1;
	}
	return TCP_TW_ACK;
}

enum tcp_tw_status tcp_timewait_state_process(struct net *net, struct sock *tw, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t fl = cb->tcp_flags;
	enum tcp_tw_status st;
	const char *why;

	trace_enter(net, skb, "tcp_timewait_state_process", "tcp", "%s TIME_WAIT: seq %u Flags %s", sk_fmt(tw),
		    cb->seq - tw->irs, tcp_flags_str(fl));
	if (cb->seq == tw->rcv_nxt && (cb->seq == cb->end_seq || (fl & TCPHDR_RST))) {
		/* In window: a RST ends TIME_WAIT (no RFC 1337 protection by
		 * default); a bare ACK restarts the 60 s. */
		if (fl & TCPHDR_RST) {
			tcp_done(net, tw);
			why = "in-window RST: TIME_WAIT ends now";
		} else {
			tw->timeout_ns = net->now_ns + TCP_TIMEWAIT_LEN_NS;
			sk_reset_timer(net, tw, tw->timeout_ns);
			why = "duplicate ACK: TIME_WAIT restarted";
		}
		st = TCP_TW_SUCCESS;
	} else if ((fl & TCPHDR_SYN) && !(fl & (TCPHDR_RST | TCPHDR_ACK)) && after(cb->seq, tw->rcv_nxt)) {
		/* RFC 1122 4.2.2.13: a new incarnation may start; its ISN must
		 * be above the old connection's, so pin snd_nxt + 65537. */
		tcp_isn_pin_sk(net, tw, tw->snd_nxt + 65537, 0);
		why = "new SYN with a higher sequence number: a new connection may reuse the 4-tuple";
		st = TCP_TW_SYN;
	} else if (!(fl & TCPHDR_RST)) {
		if (fl & TCPHDR_ACK) {
			tw->timeout_ns = net->now_ns + TCP_TIMEWAIT_LEN_NS;
			sk_reset_timer(net, tw, tw->timeout_ns);
		}
		st = tcp_tw_oow(net, tw, skb);
		why = st == TCP_TW_ACK ? "out of window: answer with an ACK" : "ACK rate limited";
	} else {
		st = TCP_TW_SUCCESS;
		why = "out-of-window RST: ignored";
	}
	tcp_sock_trace(net, tw);
	trace_exit(net, skb, V_PASS, 0, "%s", why);
	return st;
}
