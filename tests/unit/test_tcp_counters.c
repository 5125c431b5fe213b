/*
 * test_tcp_counters.c - TCP counters where Linux counts them: TcpExt.TW
 * once, when the timewait sock would be created (an orphan's FIN_WAIT2 or
 * TIME_WAIT); Tcp.RetransSegs/TCPSynRetrans for a SYN-ACK sent again to a
 * retransmitted SYN (rate limited: TCPACKSkippedSynRecv); immediate ACKs
 * for pushed segments an application reads (tcp_cleanup_rbuf), so no
 * DelayedACKs; header prediction for data only into memory already
 * reserved (sk_forward_alloc): not for a reader that keeps up, but for
 * an echo whose unacknowledged reply holds a page.
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"



static struct tc tc_open(struct net *net, uint16_t dport)
{
	struct tc t = { net, 40000, dport, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	t.hseq = ntohl(nj_tx_tcp(nj_tx.n - 1)->seq) + 1;
	tc_send(&t, TCPHDR_ACK, NULL);
	return t;
}

static struct net *host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	return net;
}

static void later(struct net *net, uint64_t ns)
{
	net_set_time(net, net->now_ns + ns);
	tcp_run_timers(net);
}

/* http answers and closes: FIN_WAIT1; the ACK of its FIN orphans it into
 * FIN_WAIT2, where Linux creates the timewait sock: TW counts then, and
 * not again when the peer's FIN makes it TIME_WAIT. */
START_TEST(test_tw_counted_when_orphan_reaches_fin_wait2)
{
	struct net *net = host();
	struct tc t = tc_open(net, 80);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(tc_sk(&t)->state, TCP_FIN_WAIT1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPTIMEWAITED], 0);
	t.hseq = tc_sk(&t)->snd_nxt;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_int_eq(tc_sk(&t)->state, TCP_FIN_WAIT2);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPTIMEWAITED], 1);
	tc_send(&t, TCPHDR_ACK | TCPHDR_FIN, NULL);
	ck_assert_int_eq(tc_sk(&t)->state, TCP_TIME_WAIT);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPTIMEWAITED], 1);
	later(net, TCP_TIMEWAIT_LEN_NS + 1);			/* TIME_WAIT ends: nothing more */
	ck_assert_ptr_null(tc_sk(&t));
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPTIMEWAITED], 1);
	nj_net_free(net);
}
END_TEST

/* The ACK of our FIN carrying the peer's FIN: straight to TIME_WAIT,
 * counted once there. */
START_TEST(test_tw_counted_once_fin_with_ack)
{
	struct net *net = host();
	struct tc t = tc_open(net, 80);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	t.hseq = tc_sk(&t)->snd_nxt;
	tc_send(&t, TCPHDR_ACK | TCPHDR_FIN, NULL);
	ck_assert_int_eq(tc_sk(&t)->state, TCP_TIME_WAIT);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPTIMEWAITED], 1);
	nj_net_free(net);
}
END_TEST

/* A retransmitted SYN gets the SYN-ACK again, a retransmission; within
 * 500 ms of that answer the next one is not answered. */
START_TEST(test_synack_retransmit_counted)
{
	struct net *net = host();
	struct tc t = { net, 40000, 9, 1000, 0 };
	tc_raw(&t, 1000, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 0);
	later(net, 900000000ULL);	/* before the SYN-ACK timer (1 s), which this answer re-arms */
	tc_raw(&t, 1000, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(nj_tx_tcp(1)->flags, TCPHDR_SYN | TCPHDR_ACK);
	ck_assert_uint_eq(nj_tx_tcp(1)->seq, nj_tx_tcp(0)->seq);
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 1);
	later(net, 100000000ULL);
	tc_raw(&t, 1000, 0, TCPHDR_SYN, NULL);			/* 100 ms later: rate limited */
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPACKSKIPPEDSYNRECV], 1);
	later(net, 500000000ULL);
	tc_raw(&t, 1000, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 3);
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 2);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTSEGS], 3);
	nj_net_free(net);
}
END_TEST

/* tcp-delack's pattern: small pushed segments 100 ms apart to a discard
 * server. The first 16 are ACKed in quickack mode; the rest once the
 * application has read them (a drained push): every one at once. */
START_TEST(test_pushed_segments_acked_when_read)
{
	struct net *net = host();
	struct tc t = tc_open(net, 9);
	const int segs = 20;
	int n0 = nj_tx.n;
	for (int i = 0; i < segs; i++) {
		later(net, 100000000ULL);
		tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "0123456789012345678901234567890123456789012345678901234567890123456789");
		ck_assert_int_eq(nj_tx.n, n0 + i + 1);
		ck_assert_uint_eq(ntohl(nj_tx_tcp(nj_tx.n - 1)->ack_seq), t.pseq);
	}
	ck_assert_int_eq(tc_sk(&t)->ack_quick, 0);		/* quickack used up on the way */
	later(net, TCP_DELACK_MAX_NS * 2);
	ck_assert_int_eq(nj_tx.n, n0 + segs);			/* no timer ACK on top */
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPDELAYEDACKS], 0);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPHITS], 0);	/* the reader keeps up: slow path */
	nj_net_free(net);
}
END_TEST

/* tcp-echo's packet 4: the echoed reply, not yet acknowledged, keeps a
 * page reserved; the next data fits in what is left and takes the fast
 * path, its ACK of the reply counted as a fast-path ACK. */
START_TEST(test_hp_hit_into_send_memory)
{
	struct net *net = host();
	struct tc t = tc_open(net, 7);
	struct sock *sk = tc_sk(&t);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "ping!");
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPHITS], 0);	/* nothing was reserved yet */
	ck_assert_uint_eq(sk->snd_nxt - t.hseq, 5);		/* echoed */
	int32_t fwd = sk_forward_alloc(sk);
	ck_assert_int_gt(fwd, 0);
	ck_assert_int_lt(fwd, SK_MEM_QUANTUM);
	t.hseq = sk->snd_nxt;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "pong!");
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPHITS], 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPHPACKS], 1);
	ck_assert_uint_eq(sk->wmem_queued, TCP_SKB_HEAD_TRUESIZE + 5);	/* the second echo, unacked */
	nj_net_free(net);
}
END_TEST

/* reqsk_timer_handler: an unanswered SYN-ACK goes again at 1, 3, 7, 15 and
 * 31 s (Tcp.RetransSegs, TCPSynRetrans), and the request dies at 63 s. */
START_TEST(test_synack_timer)
{
	struct net *net = host();
	struct tc t = { net, 40000, 9, 1000, 0 };
	static const uint64_t at[] = { 1, 3, 7, 15, 31 };
	uint64_t t0 = net->now_ns;
	tc_raw(&t, 1000, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	for (int i = 0; i < 5; i++) {
		net_set_time(net, t0 + at[i] * 1000000000ULL - 1);
		tcp_run_timers(net);
		ck_assert_int_eq(nj_tx.n, 1 + i);	/* not a nanosecond early */
		later(net, 1);
		ck_assert_int_eq(nj_tx.n, 2 + i);
		ck_assert_int_eq(nj_tx_tcp(1 + i)->flags, TCPHDR_SYN | TCPHDR_ACK);
	}
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 5);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 5);
	ck_assert_ptr_nonnull(tc_sk(&t));
	net_set_time(net, t0 + 63 * 1000000000ULL);
	tcp_run_timers(net);
	ck_assert_ptr_null(tc_sk(&t));	/* dropped, no sixth SYN-ACK */
	ck_assert_int_eq(nj_tx.n, 6);
	nj_net_free(net);
}
END_TEST

static Suite *tcp_counters_suite(void)
{
	Suite *s = suite_create("tcp_counters");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_tw_counted_when_orphan_reaches_fin_wait2);
	tcase_add_test(c, test_tw_counted_once_fin_with_ack);
	tcase_add_test(c, test_synack_retransmit_counted);
	tcase_add_test(c, test_synack_timer);
	tcase_add_test(c, test_pushed_segments_acked_when_read);
	tcase_add_test(c, test_hp_hit_into_send_memory);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_counters_suite)
