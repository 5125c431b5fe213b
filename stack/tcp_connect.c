/*
 * tcp_connect.c - the active open, after Linux 6.13's tcp_v4_connect
 * (net/ipv4/tcp_ipv4.c), tcp_connect_init (net/ipv4/tcp_output.c),
 * tcp_rcv_synsent_state_process and tcp_finish_connect
 * (net/ipv4/tcp_input.c), kept apart because those files are long here.
 * The stack's applications never connect: a client socket exists when
 * a scenario says a capture's host had one ("connections": in SYN_SENT,
 * its SYN already sent, or ESTABLISHED before the capture began).
 * Left out: SYN retransmission (the SYN is the capture's), simultaneous
 * open (a SYN without ACK in SYN_SENT is dropped), Fast Open, ECN, the
 * TSecr check against our SYN's time (PAWSActive needs its TSval).
 */
#include "tcp.h"

/* What both kinds of client socket share: the 4-tuple (IPv6 when s6/d6
 * are given), buffers, MSS. */
static struct sock *tcp_client_alloc(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr,
				     uint16_t dport, int app, const struct in6 *s6, const struct in6 *d6)
{
	struct sock *sk;

	if (s6 && d6) {
		saddr = ipv6_addr_hash(s6);
		daddr = ipv6_addr_hash(d6);
	}
	if ((s6 && d6 ? __inet6_lookup_established(net, d6, dport, s6, sport)
		      : __inet_lookup_established(net, daddr, dport, saddr, sport)) ||
	    !(sk = sock_alloc(net, IPPROTO_TCP_)))
		return NULL;
	if (s6 && d6) {
		sk->family = AF_INET6;
		sk->v6_saddr = *s6;
		sk->v6_daddr = *d6;
	}
	sk->saddr = saddr;
	sk->daddr = daddr;
	sk->sport = sport;
	sk->dport = dport;
	sk->app = (uint8_t)app;
	sk->recorded = app == APP_RECORDED;	/* sends only what the capture shows */
	sk->advmss = s6 && d6 ? 1440 : 1460;	/* a 1500-byte MTU less the headers */
	sk->mss_cache = TCP_MSS_DEFAULT;
	sk->rcv_mss = TCP_MSS_DEFAULT;
	sk->ts_offset = tcp_ts_offset(saddr, daddr);
	return sk;
}

static struct sock *tcp_connect_state(struct net *net, struct sock *sk, uint32_t isn, const struct tcp_syn_options *o)
{
	if (!sk)
		return NULL;
	if (o && o->mss)
		sk->advmss = o->mss;
	/* What our SYN offered: the SYN-ACK may agree to no more. */
	sk->tstamp_ok = o && o->ts;
	sk->sack_ok = o && o->sack_ok;
	sk->wscale_ok = o && o->wscale_ok;
	/* tcp_connect_init: the whole advmss (less the timestamp option
	 * only for a peer whose timestamp a TIME_WAIT left, never here),
	 * unlike a SYN-ACK's (tcp_openreq_init_rwin): 64240 for 1460. */
	tcp_select_initial_window(net, sk, (uint32_t)sk->advmss);
	if (o && o->wscale_ok)
		sk->rcv_wscale = o->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : o->wscale;
	sk->iss = sk->snd_una = isn;
	sk->snd_nxt = isn + 1;
	sk->state = TCP_SYN_SENT;
	sock_hash(net, sk);
	SNMP_INC(net, MIB_TCP_ACTIVEOPENS);	/* tcp_connect counts the SYN it sends */
	return sk;
}

struct sock *tcp_v4_connect_state(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
				  uint32_t isn, const struct tcp_syn_options *o, int app)
{
	return tcp_connect_state(net, tcp_client_alloc(net, saddr, sport, daddr, dport, app, NULL, NULL), isn, o);
}

struct sock *tcp_v6_connect_state(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
				  uint16_t dport, uint32_t isn, const struct tcp_syn_options *o, int app)
{
	return tcp_connect_state(net, tcp_client_alloc(net, 0, sport, 0, dport, app, saddr, daddr), isn, o);
}

static struct sock *tcp_preexisting(struct net *net, struct sock *sk, uint32_t snd_nxt, uint32_t rcv_nxt,
				    uint32_t snd_wnd)
{
	if (!sk)
		return NULL;
	sk->iss = snd_nxt - 1;	/* unknown: relative numbers count from here */
	sk->snd_una = sk->snd_nxt = snd_nxt;
	sk->snd_wnd = sk->max_window = snd_wnd;
	sk->bytes_acked = UINT32_MAX;	/* open before the capture: whatever it acked, more than a window */
	sk->irs = rcv_nxt - 1;
	sk->rcv_nxt = sk->rcv_wup = rcv_nxt;
	tcp_select_initial_window(net, sk, sk->advmss);
	tcp_init_buffer_space(sk);
	sk->preexisting = 1;
	sk->fast_path = 1;
	sk->state = TCP_ESTABLISHED;
	sock_hash(net, sk);
	return sk;
}

struct sock *tcp_sock_preexisting(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
				  uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t snd_wnd, int app)
{
	return tcp_preexisting(net, tcp_client_alloc(net, saddr, sport, daddr, dport, app, NULL, NULL), snd_nxt,
			       rcv_nxt, snd_wnd);
}

struct sock *tcp_sock_preexisting6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
				   uint16_t dport, uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t snd_wnd, int app)
{
	return tcp_preexisting(net, tcp_client_alloc(net, 0, sport, 0, dport, app, saddr, daddr), snd_nxt, rcv_nxt,
			       snd_wnd);
}

/* The SYN-ACK's options against what our SYN offered (tcp_rcv_synsent's
 * half of the negotiation). */
static void tcp_synsent_agree(struct net *net, struct sock *sk, const struct tcp_options_received *o)
{
	const struct tcp_options_received opt = *o;

	if (opt.mss_clamp)
		sk->mss_cache = opt.mss_clamp < sk->advmss ? opt.mss_clamp : sk->advmss;
	if (sk->mss_cache < TCP_MIN_SND_MSS)
		sk->mss_cache = TCP_MIN_SND_MSS;	/* __tcp_mtu_to_mss: net.ipv4.tcp_min_snd_mss */
	sk->wscale_ok = sk->wscale_ok && opt.wscale_ok;
	sk->snd_wscale = sk->wscale_ok ? opt.snd_wscale : 0;
	if (!sk->wscale_ok)
		sk->rcv_wscale = 0;
	sk->sack_ok = sk->sack_ok && opt.sack_ok;
	sk->tstamp_ok = sk->tstamp_ok && opt.saw_tstamp;
	if (sk->tstamp_ok) {
		sk->ts_recent = opt.rcv_tsval;
		sk->ts_recent_stamp_ns = net->now_ns;
		sk->mss_cache -= TCPOLEN_TSTAMP_ALIGNED;
		sk->advmss -= TCPOLEN_TSTAMP_ALIGNED;	/* as tcp_rcv_synsent_state_process */
	}
}

/* The SYN-ACK's effect: our SYN acknowledged (ack_seq), the peer's ISN
 * isn and window, the options agreed, ESTABLISHED. */
static void tcp_synsent_established(struct net *net, struct sock *sk, uint32_t ack_seq, uint32_t isn,
				    uint32_t window, const struct tcp_options_received *opt)
{
	sk->bytes_acked = ack_seq - sk->snd_una;	/* the SYN */
	sk->snd_una = ack_seq;
	sk->snd_wnd = sk->max_window = window;	/* a SYN's window is never scaled */
	sk->snd_wl1 = isn;
	sk->irs = isn;
	sk->rcv_nxt = sk->rcv_wup = isn + 1;
	tcp_synsent_agree(net, sk, opt);
	tcp_set_state(net, sk, TCP_ESTABLISHED);
	tcp_init_buffer_space(sk);	/* tcp_init_transfer */
	sk->fast_path = 1;
}

/* tcp_finish_connect: ESTABLISHED, then the handshake's third segment. */
static void tcp_finish_connect(struct net *net, struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcp_options_received opt = { 0 };

	tcp_parse_options(net, skb->data, 0, &opt);
	tcp_synsent_established(net, sk, cb->ack_seq, cb->seq, cb->window, &opt);
	tcp_send_ack(net, sk, "the handshake's third segment");
}

void tcp_synack_missed(struct net *net, struct sock *sk, uint32_t ack, int ts, uint32_t tsecr)
{
	/* what our SYN offered, agreed to; the peer's MSS, window scale and
	 * window unknown: its MSS as ours, no scale, 65535 bytes */
	struct tcp_options_received opt = { .saw_tstamp = (uint8_t)!!ts, .rcv_tsval = tsecr, .sack_ok = 1,
					    .wscale_ok = 1, .snd_wscale = 0 };

	trace_step(net, NULL, "tcp_rcv_synsent_state_process", "%s: the recorded host acknowledges %u while its "
		   "socket waits in SYN_SENT: the peer's SYN-ACK reached the host, not the capture; taken as "
		   "received (peer ISN %u%s)", sk_fmt(sk), ack, ack - 1, ts ? ", its TSval as the host echoes it" : "");
	tcp_synsent_established(net, sk, sk->iss + 1, ack - 1, 65535, &opt);
}

int tcp_rcv_synsent_state_process(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t fl = cb->tcp_flags;

	/* RFC 793 p.66: first the ACK, which must cover our SYN and no more. */
	if ((fl & TCPHDR_ACK) && (!after(cb->ack_seq, sk->iss) || after(cb->ack_seq, sk->snd_nxt))) {
		trace_exit(net, skb, V_PASS, 0, "ACK %u does not acknowledge our SYN (ISS %u): answer with RST",
			   cb->ack_seq, sk->iss);
		return SKB_DROP_REASON_TCP_INVALID_ACK_SEQUENCE;
	}
	if (fl & TCPHDR_RST) {
		if (fl & TCPHDR_ACK) {
			tcp_reset(net, sk, "connection refused");
			kfree_skb(net, skb);
			trace_exit(net, NULL, V_CONSUMED, 0, "RST to our SYN: ECONNREFUSED");
			return 0;
		}
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_RESET), -1;	/* no ACK: not ours to believe */
	}
	if (!(fl & TCPHDR_SYN) || !(fl & TCPHDR_ACK)) {
		trace_step(net, skb, "tcp_rcv_synsent_state_process", "%s in SYN_SENT: dropped (simultaneous open is "
			   "not modelled)", fl & TCPHDR_SYN ? "a SYN without ACK" : "no SYN");
		return skb_drop(net, skb, SKB_DROP_REASON_TCP_FLAGS), -1;
	}
	trace_step(net, skb, "tcp_rcv_synsent_state_process", "SYN-ACK for our SYN: peer ISN %u, options [%s]",
		   cb->seq, tcp_options_str(skb->data, skb->len));
	tcp_finish_connect(net, sk, skb);
	kfree_skb(net, skb);
	trace_exit(net, NULL, V_CONSUMED, 0, "connected");
	return 0;
}
