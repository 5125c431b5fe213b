/*
 * test_tcp.c - TCP: the state machine (a table of scripted transitions),
 * sequence arithmetic with 32-bit wrap, tcp_sequence edge cases, RST
 * generation rules, RFC 5961 challenge ACKs, header prediction, the
 * out-of-order queue, duplicates, the delayed-ACK timer, listener limits,
 * the recorded SYN-ACK ISN. Replies are captured through net->xmit and
 * parsed back (checksums, seq/ack).
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"

static uint8_t frame[2048], seg[1600];


static int tc_state(struct tc *t)
{
	struct sock *sk = tc_sk(t);
	return sk ? sk->state : TCP_CLOSE;
}

/* The peer acknowledges everything the host sent so far. */
static void tc_sync(struct tc *t)
{
	struct sock *sk = tc_sk(t);
	if (sk)
		t->hseq = sk->snd_nxt;
}

static struct tc tc_open(struct net *net, uint16_t dport, int complete)
{
	struct tc t = { net, 40000, dport, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	const struct tcphdr *th = nj_tx_tcp(nj_tx.n - 1);
	ck_assert_int_eq(th->flags, TCPHDR_SYN | TCPHDR_ACK);
	t.hseq = ntohl(th->seq) + 1;
	if (complete)
		tc_send(&t, TCPHDR_ACK, NULL);
	return t;
}

static struct net *host_listening(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, 4), 0);
	return net;
}

static const struct tcphdr *last_tx(void) { return nj_tx_tcp(nj_tx.n - 1); }

/* ---- sequence arithmetic ---- */

START_TEST(test_tcp_before_after_wrap)
{
	ck_assert(before(1, 2));
	ck_assert(after(2, 1));
	ck_assert(before(0xfffffff0u, 0x10));	/* across the wrap */
	ck_assert(after(0x10, 0xfffffff0u));
	ck_assert(!before(5, 5) && !after(5, 5));
	ck_assert(between(0x5, 0xfffffff0u, 0x10));
	ck_assert(!between(0x20, 0xfffffff0u, 0x10));
}
END_TEST

START_TEST(test_tcp_sequence_edges)
{
	struct sock sk = { 0 };
	sk.rcv_wup = sk.rcv_nxt = 0xffffff00u;	/* window wraps past 0 */
	sk.rcv_wnd = 1000;
	ck_assert_int_eq(tcp_sequence(&sk, 0xffffff00u, 0xffffff10u), SKB_DROP_REASON_NOT_DROPPED_YET);
	ck_assert_int_eq(tcp_sequence(&sk, 0x100, 0x110), SKB_DROP_REASON_NOT_DROPPED_YET);	/* after wrap, in */
	ck_assert_int_eq(tcp_sequence(&sk, 0x2e8, 0x2f0), SKB_DROP_REASON_NOT_DROPPED_YET);	/* right edge */
	ck_assert_int_eq(tcp_sequence(&sk, 0x2e9, 0x2f0), SKB_DROP_REASON_TCP_INVALID_SEQUENCE);
	ck_assert_int_eq(tcp_sequence(&sk, 0xfffffe00u, 0xfffffeffu), SKB_DROP_REASON_TCP_OLD_SEQUENCE);
	/* ends exactly at rcv_wup: still acceptable (a keepalive-like probe) */
	ck_assert_int_eq(tcp_sequence(&sk, 0xfffffe00u, 0xffffff00u), SKB_DROP_REASON_NOT_DROPPED_YET);
	/* delayed-ACKed data: rcv_nxt moved on, rcv_wup did not */
	sk.rcv_nxt = 0xffffff80u;
	ck_assert_int_eq(tcp_sequence(&sk, 0xffffff00u, 0xffffff40u), SKB_DROP_REASON_NOT_DROPPED_YET);
	sk.rcv_wnd = 0;	/* closed window: only rcv_nxt itself */
	ck_assert_int_eq(tcp_sequence(&sk, 0xffffff80u, 0xffffff80u), SKB_DROP_REASON_NOT_DROPPED_YET);
	ck_assert_int_eq(tcp_sequence(&sk, 0xffffff81u, 0xffffff90u), SKB_DROP_REASON_TCP_INVALID_SEQUENCE);
}
END_TEST

/* ---- RST rules ---- */

START_TEST(test_tcp_rst_for_syn_to_closed_port)
{
	struct net *net = nj_host();
	struct tc t = { net, 40000, 81, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	const struct tcphdr *th = last_tx();
	ck_assert_int_eq(th->flags, TCPHDR_RST | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(th->seq), 0);
	ck_assert_uint_eq(ntohl(th->ack_seq), 1001);	/* seq + SYN */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTRSTS], 1);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTSEGS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_rst_seq_from_ack_and_len)
{
	struct net *net = nj_host();
	struct tc t = { net, 40000, 81, 500, 77777 };
	tc_raw(&t, 500, 77777, TCPHDR_ACK, "data");
	const struct tcphdr *th = last_tx();
	ck_assert_int_eq(th->flags, TCPHDR_RST);		/* no ACK bit */
	ck_assert_uint_eq(ntohl(th->seq), 77777);
	tc_raw(&t, 200, 0, TCPHDR_SYN | TCPHDR_FIN, "xy");
	th = last_tx();
	ck_assert_uint_eq(ntohl(th->ack_seq), 200 + 1 + 2 + 1);	/* SYN, 2 bytes, FIN */
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_no_rst_for_rst)
{
	struct net *net = nj_host();
	struct tc t = { net, 40000, 81, 500, 0 };
	tc_raw(&t, 500, 0, TCPHDR_RST, NULL);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTRSTS], 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_ack_to_listener_gets_rst)
{
	struct net *net = host_listening();
	struct tc t = { net, 40000, 80, 500, 4242 };
	tc_raw(&t, 500, 4242, TCPHDR_ACK, NULL);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(ntohl(last_tx()->seq), 4242);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_FLAGS);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_bad_checksum_no_rst)
{
	struct net *net = host_listening();
	size_t n = nj_tcp(seg, NJ_PEER_IP, NJ_HOST_IP, 40000, 80, 1, 0, TCPHDR_SYN, NULL, 0);
	seg[16] ^= 0x55;
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, NULL));
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_CSUM);
	ck_assert_int_eq(net->mib[MIB_TCP_INCSUMERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_TCP_INERRS], 1);
	nj_net_free(net);
}
END_TEST

/* ---- handshake ---- */

START_TEST(test_tcp_handshake_synack)
{
	struct net *net = host_listening();
	net_set_time(net, 1700000000123456789ULL);
	struct tc t = tc_open(net, 80, 0);
	const struct tcphdr *th = nj_tx_tcp(0);
	uint32_t isn = tcp_isn(nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), htons(40000), htons(80), net->now_ns);
	ck_assert_uint_eq(ntohl(th->seq), isn);
	ck_assert_uint_eq(ntohl(th->ack_seq), 1001);
	ck_assert_int_eq(th->doff_res >> 4, 6);		/* MSS option */
	const uint8_t *o = (const uint8_t *)th + 20;
	ck_assert_int_eq(o[0], 2);
	ck_assert_int_eq(o[2] << 8 | o[3], 1460);
	ck_assert_int_eq(tc_state(&t), TCP_NEW_SYN_RECV);
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);
	ck_assert_int_eq(net->mib[MIB_TCP_PASSIVEOPENS], 1);
	ck_assert_ptr_nonnull(strstr(nj_find("tcp_set_state", 'i')->args, "\"new\":\"NEW_SYN_RECV\""));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_synack_isn)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 80, 0);
	ck_assert_int_eq(tcp_recorded_synack(net, nj_ip(NJ_HOST_IP), htons(80), nj_ip(NJ_PEER_IP), htons(40000),
					     0xdeadbeef), 1);
	t.hseq = 0xdeadbef0;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);
	/* pinned before the SYN */
	ck_assert_int_eq(tcp_recorded_synack(net, nj_ip(NJ_HOST_IP), htons(80), nj_ip(NJ_PEER_IP), htons(40001),
					     12345), 0);
	struct tc u = { net, 40001, 80, 1, 0 };
	tc_send(&u, TCPHDR_SYN, NULL);
	ck_assert_uint_eq(ntohl(last_tx()->seq), 12345);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_handshake_bad_ack_rst)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 80, 0);
	t.hseq += 5;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(ntohl(last_tx()->seq), t.hseq);
	ck_assert_int_eq(tc_state(&t), TCP_NEW_SYN_RECV);	/* the request survives */
	nj_net_free(net);
}
END_TEST

/* ---- the state machine, as a table ---- */

enum { OP_SYN, OP_ACK, OP_DATA, OP_FIN, OP_RST, OP_CLOSE, OP_WAIT, OP_END };
struct step {
	int op;
	int expect;			/* state afterwards (TCP_CLOSE: no socket) */
};
struct transition {
	const char *name;
	uint16_t port;
	struct step s[8];
};

static const struct transition transitions[] = {
	{ "LISTEN -SYN-> NEW_SYN_RECV -ACK-> ESTABLISHED", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_END, 0 } } },
	{ "ESTABLISHED -FIN-> CLOSE_WAIT -close-> LAST_ACK -ACK-> CLOSE", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_FIN, TCP_LAST_ACK },
	    { OP_ACK, TCP_CLOSE }, { OP_END, 0 } } },
	{ "ESTABLISHED -close-> FIN_WAIT1 -ACK-> FIN_WAIT2 -FIN-> TIME_WAIT -60s-> gone", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_CLOSE, TCP_FIN_WAIT1 },
	    { OP_ACK, TCP_FIN_WAIT2 }, { OP_FIN, TCP_TIME_WAIT }, { OP_WAIT, TCP_CLOSE }, { OP_END, 0 } } },
	{ "FIN_WAIT1 -FIN (ours not acked)-> CLOSING -ACK-> TIME_WAIT", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_CLOSE, TCP_FIN_WAIT1 },
	    { OP_FIN, TCP_CLOSING }, { OP_ACK, TCP_TIME_WAIT }, { OP_END, 0 } } },
	{ "TIME_WAIT -RST-> gone", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_CLOSE, TCP_FIN_WAIT1 },
	    { OP_ACK, TCP_FIN_WAIT2 }, { OP_FIN, TCP_TIME_WAIT }, { OP_RST, TCP_CLOSE }, { OP_END, 0 } } },
	{ "ESTABLISHED -RST-> CLOSE", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_RST, TCP_CLOSE }, { OP_END, 0 } } },
	{ "NEW_SYN_RECV -RST-> gone (embryonic reset)", 9,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_RST, TCP_CLOSE }, { OP_END, 0 } } },
	{ "http: data -> reply and close: FIN_WAIT1", 80,
	  { { OP_SYN, TCP_NEW_SYN_RECV }, { OP_ACK, TCP_ESTABLISHED }, { OP_DATA, TCP_FIN_WAIT1 },
	    { OP_ACK, TCP_FIN_WAIT2 }, { OP_FIN, TCP_TIME_WAIT }, { OP_END, 0 } } },
};

static void run_op(struct tc *t, int op)
{
	struct sock *sk;
	switch (op) {
	case OP_SYN:
		*t = tc_open(t->net, t->dport, 0);
		break;
	case OP_ACK:
		tc_sync(t);
		tc_send(t, TCPHDR_ACK, NULL);
		break;
	case OP_DATA:
		tc_send(t, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
		break;
	case OP_FIN:
		tc_send(t, TCPHDR_ACK | TCPHDR_FIN, NULL);
		break;
	case OP_RST:
		tc_raw(t, t->pseq, 0, TCPHDR_RST, NULL);
		break;
	case OP_CLOSE:
		sk = tc_sk(t);
		tcp_close(t->net, sk);
		break;
	case OP_WAIT:
		net_set_time(t->net, t->net->now_ns + TCP_TIMEWAIT_LEN_NS + 1);
		tcp_run_timers(t->net);
		break;
	}
}

START_TEST(test_tcp_state_table)
{
	const struct transition *tr = &transitions[_i];
	struct net *net = host_listening();
	struct tc t = { net, 40000, tr->port, 1000, 0 };
	for (int k = 0; tr->s[k].op != OP_END; k++) {
		run_op(&t, tr->s[k].op);
		ck_assert_msg(tc_state(&t) == tr->s[k].expect, "%s: step %d: state %s, expected %s", tr->name, k,
			      tcp_state_name(tc_state(&t)), tcp_state_name(tr->s[k].expect));
	}
	for (int i = 0; i < nj_tx.n; i++)
		ck_assert_msg(nj_tx_csum_ok(i), "%s: frame %d checksum", tr->name, i);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_time_wait_syn_reopens)
{
	struct net *net = host_listening();
	struct tc t = { net, 40000, 9, 1000, 0 };
	run_op(&t, OP_SYN);
	run_op(&t, OP_ACK);
	run_op(&t, OP_CLOSE);
	run_op(&t, OP_ACK);
	run_op(&t, OP_FIN);
	ck_assert_int_eq(tc_state(&t), TCP_TIME_WAIT);
	uint32_t old_nxt = tc_sk(&t)->snd_nxt;
	/* the SYN queue full (backlog 4: 5 requests): the reopening SYN still
	 * gets a request sock, not a cookie (tcp_conn_request's !isn) */
	for (int i = 0; i < 5; i++) {
		struct tc o = { net, (uint16_t)(41000 + i), 9, 1, 0 };
		tc_send(&o, TCPHDR_SYN, NULL);
	}
	tc_raw(&t, t.pseq + 100000, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(tc_state(&t), TCP_NEW_SYN_RECV);
	ck_assert_uint_eq(ntohl(last_tx()->seq), old_nxt + 65537);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESSENT], 0);
	ck_assert_int_eq(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9))->qlen, 6);
	nj_net_free(net);
}
END_TEST

/* ---- RFC 5961 ---- */

/* An ACK of data never sent gets a challenge ACK (Linux 6.18); so does one
 * older than all the peer has acknowledged (here only the SYN: 1 byte,
 * less than the window), at most one per 500 ms. */
START_TEST(test_tcp_ack_unsent_and_too_old)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	int n = nj_tx.n;
	tc_raw(&t, t.pseq, t.hseq + 5000, TCPHDR_ACK, NULL);
	ck_assert_int_eq(nj_tx.n, n + 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPCHALLENGEACK], 1);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), t.pseq);
	net_set_time(net, net->now_ns + 600000000ULL);
	tc_raw(&t, t.pseq, t.hseq - 2, TCPHDR_ACK, NULL);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPCHALLENGEACK], 2);
	tc_raw(&t, t.pseq, t.hseq - 2, TCPHDR_ACK, NULL);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPACKSKIPPEDCHALLENGE], 1);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_challenge_ack_rst_in_window)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	int before_tx = nj_tx.n;
	nj_rec.n = 0;
	tc_raw(&t, t.pseq + 100, 0, TCPHDR_RST, NULL);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);
	ck_assert_int_eq(nj_tx.n, before_tx + 1);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), t.pseq);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_RESET);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPCHALLENGEACK], 1);
	/* a second within 500 ms is not answered */
	tc_raw(&t, t.pseq + 200, 0, TCPHDR_RST, NULL);
	ck_assert_int_eq(nj_tx.n, before_tx + 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPACKSKIPPEDCHALLENGE], 1);
	/* the exact one resets */
	tc_raw(&t, t.pseq, 0, TCPHDR_RST, NULL);
	ck_assert_int_eq(tc_state(&t), TCP_CLOSE);
	ck_assert_int_eq(net->mib[MIB_TCP_ESTABRESETS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_challenge_ack_syn_established)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	nj_rec.n = 0;
	tc_raw(&t, t.pseq + 5, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_INVALID_SYN);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPSYNCHALLENGE], 1);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_ACK);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_out_of_window_dupack)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	int n0 = nj_tx.n;
	nj_rec.n = 0;
	tc_raw(&t, t.pseq + 1000000, t.hseq, TCPHDR_ACK, "far");
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_INVALID_SEQUENCE);
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), t.pseq);
	nj_net_free(net);
}
END_TEST

/* ---- fast path, OOO, duplicates, delayed ACK ---- */

START_TEST(test_tcp_fast_path_vs_slow_path)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	nj_rec.n = 0;
	/* Nothing reserved (the application read everything): slow path. */
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "hello");
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPHITS], 0);
	ck_assert_ptr_nonnull(strstr(nj_find("tcp_rcv_established", 'i')->msg, "sk_forward_alloc 0"));
	ck_assert_int_eq(sk_forward_alloc(tc_sk(&t)), 0);	/* the page went back with the read */
	/* Memory still reserved behind an unread skb: the next segment fits
	 * in sk_forward_alloc and takes the fast path. */
	struct sock *sk = tc_sk(&t);
	struct sk_buff *unread = alloc_skb(net, 0);
	skb_queue_tail(&sk->receive_queue, unread);
	sk->mem_reserved = unread->truesize + SK_MEM_QUANTUM - 1;
	nj_rec.n = 0;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "hello");
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPHITS], 1);
	ck_assert_ptr_nonnull(strstr(nj_find("tcp_rcv_established", 'i')->msg, "fast path"));
	ck_assert_int_eq(sk->app_bytes, 10);
	/* a FIN is not a plain ACK: slow path */
	nj_rec.n = 0;
	tc_send(&t, TCPHDR_ACK | TCPHDR_FIN, NULL);
	ck_assert_ptr_nonnull(strstr(nj_find("tcp_rcv_established", 'i')->msg, "slow path"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_ofo_fill)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	uint32_t s0 = t.pseq;
	int n0 = nj_tx.n;
	tc_raw(&t, s0 + 5, t.hseq, TCPHDR_ACK, "world");		/* hole at s0 */
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPOFOQUEUE], 1);
	ck_assert_int_eq(nj_tx.n, n0 + 1);			/* a duplicate ACK at once */
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), s0);
	ck_assert_int_eq(skb_queue_len(&tc_sk(&t)->ofo_queue), 1);
	tc_raw(&t, s0, t.hseq, TCPHDR_ACK, "hello");		/* fills */
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), s0 + 10);
	ck_assert_int_eq(skb_queue_len(&tc_sk(&t)->ofo_queue), 0);
	ck_assert_uint_eq(tc_sk(&t)->app_bytes, 10);
	/* the same again: duplicate */
	nj_rec.n = 0;
	tc_raw(&t, s0, t.hseq, TCPHDR_ACK, "hello");
	/* it ends before rcv_wup (we acked it): tcp_sequence, not tcp_data_queue */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_OLD_SEQUENCE);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_DELAYEDACKLOST], 1);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), s0 + 10);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_delayed_ack_timer)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	int n0 = nj_tx.n;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "one");		/* quickack: at once */
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	tc_sk(&t)->ack_quick = 0;
	/* 100 bytes without PSH, twice: the first is still a push (no size
	 * learned yet), ACKed once read (tcp_cleanup_rbuf); the second, the
	 * same size, sets rcv_mss and waits for the delayed-ACK timer */
	static char two[101];
	memset(two, 't', 100);
	tc_send(&t, TCPHDR_ACK, two);
	ck_assert_int_eq(nj_tx.n, n0 + 2);
	tc_send(&t, TCPHDR_ACK, two);
	ck_assert_int_eq(tc_sk(&t)->rcv_mss, 100);
	n0++;
	ck_assert_int_eq(nj_tx.n, n0 + 1);			/* delayed */
	net_set_time(net, net->now_ns + 39000000);
	tcp_run_timers(net);
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	net_set_time(net, net->now_ns + 2000000);
	tcp_run_timers(net);
	ck_assert_int_eq(nj_tx.n, n0 + 2);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), t.pseq);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPDELAYEDACKS], 1);
	/* data not yet acked, sent again: tcp_data_queue's duplicate */
	tc_sk(&t)->ack_quick = 0;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "three");
	nj_rec.n = 0;
	tc_raw(&t, t.pseq - 5, t.hseq, TCPHDR_ACK | TCPHDR_PSH, "three");
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_TCP_OLD_DATA);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_DELAYEDACKLOST], 1);
	ck_assert_uint_eq(ntohl(last_tx()->ack_seq), t.pseq);	/* ACKed at once */
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_echo_and_http_replies)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 7, 1);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "ping!");
	const struct tcphdr *th = last_tx();
	ck_assert_int_eq(ntohs(nj_tx_ip(nj_tx.n - 1)->tot_len), 20 + 20 + 5);
	ck_assert(memcmp((const uint8_t *)th + 20, "ping!", 5) == 0);
	ck_assert_uint_eq(ntohl(th->seq), t.hseq);
	struct tc h = tc_open(net, 80, 1);
	h.sport = 40000;
	tc_send(&h, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(last_tx()->flags, TCPHDR_FIN | TCPHDR_ACK);
	ck_assert_int_eq(tc_state(&h), TCP_FIN_WAIT1);
	nj_net_free(net);
}
END_TEST

/* ECN (tcp_ecn 2): a SYN with ECE and CWR gets a SYN-ACK with ECE; echo's
 * data goes out ECT(0); CE-marked data asks for ECE on our ACKs until the
 * peer's CWR; a SYN with ECE alone gets no ECN. */
START_TEST(test_tcp_ecn)
{
	struct net *net = host_listening();
	struct tc t = { net, 40000, 7, 1000, 0 };
	tc_send(&t, TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, NULL);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_SYN | TCPHDR_ACK | TCPHDR_ECE);
	t.hseq = ntohl(last_tx()->seq) + 1;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert(tc_sk(&t)->ecn_flags & TCP_ECN_OK);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "hi");
	ck_assert_int_eq(nj_tx_ip(nj_tx.n - 1)->tos, INET_ECN_ECT_0);	/* the echo, new data */
	tc_sync(&t);
	size_t n = nj_tcp(seg, NJ_PEER_IP, NJ_HOST_IP, t.sport, t.dport, t.pseq, t.hseq, TCPHDR_ACK | TCPHDR_PSH, "x", 1);
	struct nj_ip_opts o = { .tos = INET_ECN_CE };
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, &o));
	t.pseq++;
	ck_assert(tc_sk(&t)->ecn_flags & TCP_ECN_DEMAND_CWR);
	ck_assert(last_tx()->flags & TCPHDR_ECE);
	tc_sync(&t);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH | TCPHDR_CWR, "y");
	ck_assert(!(tc_sk(&t)->ecn_flags & TCP_ECN_DEMAND_CWR));
	struct tc u = { net, 40001, 9, 5000, 0 };
	tc_send(&u, TCPHDR_SYN | TCPHDR_ECE, NULL);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_SYN | TCPHDR_ACK);
	nj_net_free(net);
}
END_TEST

/* Backlog 4: the queue is full when it holds more (5, as in Linux 6.14
 * on). With tcp_syncookies 0 the next SYNs are dropped; with 1 (the
 * default) they are answered with cookies and no request sock. */
START_TEST(test_tcp_syn_queue_full)
{
	for (int cookies = 0; cookies <= 1; cookies++) {
		struct net *net = host_listening();	/* port 9: backlog 4 */
		net->sysctl.tcp_syncookies = cookies;
		for (int i = 0; i < 7; i++) {
			struct tc t = { net, (uint16_t)(41000 + i), 9, 1, 0 };
			tc_send(&t, TCPHDR_SYN, NULL);
		}
		struct sock *lsk = __inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9));
		ck_assert_int_eq(lsk->qlen, 5);
		ck_assert_int_eq(nj_tx.n, cookies ? 7 : 5);
		ck_assert_int_eq(net->mib[MIB_TCPEXT_LISTENDROPS], cookies ? 0 : 2);
		ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDROP], cookies ? 0 : 2);
		ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDOCOOKIES], cookies ? 2 : 0);
		ck_assert_int_eq(net->mib[MIB_TCPEXT_SYNCOOKIESSENT], cookies ? 2 : 0);
		nj_net_free(net);
	}
}
END_TEST

START_TEST(test_tcp_socket_limit)
{
	struct net *net = host_listening();
	net->socks->max = net->socks->count + 1;
	struct tc a = { net, 41000, 80, 1, 0 }, b = { net, 41001, 80, 1, 0 };
	tc_send(&a, TCPHDR_SYN, NULL);
	tc_send(&b, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_LISTENDROPS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_err_out_of_window_icmp)
{
	struct net *net = host_listening();
	struct tc t = tc_open(net, 9, 1);
	struct sock *sk = tc_sk(&t);
	uint8_t q[40] = { 0 };
	struct iphdr *iph = (struct iphdr *)q;
	struct tcphdr *th = (struct tcphdr *)(q + 20);
	iph->ihl_version = 0x45;
	iph->saddr = nj_ip(NJ_HOST_IP);
	iph->daddr = nj_ip(NJ_PEER_IP);
	th->source = htons(9);
	th->dest = htons(40000);
	th->seq = htonl(sk->snd_una - 1000);
	tcp_v4_err(net, NULL, iph, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_OUTOFWINDOWICMPS], 1);
	th->seq = htonl(sk->snd_una);
	tcp_v4_err(net, NULL, iph, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	ck_assert_int_eq(tc_state(&t), TCP_ESTABLISHED);	/* soft error only */
	ck_assert_int_ne(sk->err_soft, 0);
	nj_net_free(net);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_tcp_before_after_wrap);
	tcase_add_test(core, test_tcp_handshake_synack);
	tcase_add_test(core, test_tcp_recorded_synack_isn);
	tcase_add_loop_test(core, test_tcp_state_table, 0, (int)(sizeof(transitions) / sizeof(transitions[0])));
	tcase_add_test(core, test_tcp_time_wait_syn_reopens);
	tcase_add_test(core, test_tcp_fast_path_vs_slow_path);
	tcase_add_test(core, test_tcp_ofo_fill);
	tcase_add_test(core, test_tcp_delayed_ack_timer);
	tcase_add_test(core, test_tcp_echo_and_http_replies);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_tcp_sequence_edges);
	tcase_add_test(err, test_tcp_rst_for_syn_to_closed_port);
	tcase_add_test(err, test_tcp_rst_seq_from_ack_and_len);
	tcase_add_test(err, test_tcp_no_rst_for_rst);
	tcase_add_test(err, test_tcp_ack_to_listener_gets_rst);
	tcase_add_test(err, test_tcp_bad_checksum_no_rst);
	tcase_add_test(err, test_tcp_handshake_bad_ack_rst);
	tcase_add_test(err, test_tcp_challenge_ack_rst_in_window);
	tcase_add_test(err, test_tcp_challenge_ack_syn_established);
	tcase_add_test(err, test_tcp_out_of_window_dupack);
	tcase_add_test(err, test_tcp_err_out_of_window_icmp);
	suite_add_tcase(s, err);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_tcp_syn_queue_full);
	tcase_add_test(lim, test_tcp_ecn);
	tcase_add_test(lim, test_tcp_ack_unsent_and_too_old);
	tcase_add_test(lim, test_tcp_socket_limit);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(tcp_suite)
