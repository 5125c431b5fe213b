/*
 * test_tcp_timer.c - the retransmission timer (tcp_timer.c): data the
 * peer does not acknowledge goes again after the RTO (tcp_rto_min plus the
 * handshake's RTT), which doubles each time (TcpExt.TCPTimeouts,
 * Tcp.RetransSegs, Tcp.OutSegs unchanged); an ACK stops it; data and the
 * FIN after it go again as one segment; a closed (orphaned) socket gives
 * up after tcp_orphan_retries' 102.2 s (TcpExt.TCPAbortOnTimeout).
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"

#define MS	1000000ULL

static struct net *host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	return net;
}

/* The handshake's ACK 1 ms after the SYN-ACK: RTO 201 ms. */
static struct tc tc_open(struct net *net, uint16_t dport)
{
	struct tc t = { net, 40000, dport, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	t.hseq = ntohl(nj_tx_tcp(nj_tx.n - 1)->seq) + 1;
	net_set_time(net, net->now_ns + 1 * MS);
	tc_send(&t, TCPHDR_ACK, NULL);
	return t;
}

static void later(struct net *net, uint64_t ns)
{
	net_set_time(net, net->now_ns + ns);
	tcp_run_timers(net);
}

START_TEST(test_rto_backoff_and_ack)
{
	struct net *net = host();
	struct tc t = tc_open(net, 7);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "hello\n");	/* echoed: 6 bytes unacknowledged */
	int n0 = nj_tx.n;
	uint64_t out = net->mib[MIB_TCP_OUTSEGS];
	later(net, 200 * MS);
	ck_assert_int_eq(nj_tx.n, n0);			/* not yet: 201 ms */
	later(net, 1 * MS);
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_uint_eq(ntohl(nj_tx_tcp(nj_tx.n - 1)->seq), t.hseq);	/* the same bytes again */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 1);
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	ck_assert_uint_eq(net->mib[MIB_TCP_OUTSEGS], out);
	later(net, 401 * MS);
	ck_assert_int_eq(nj_tx.n, n0 + 1);			/* doubled: 402 ms */
	later(net, 1 * MS);
	ck_assert_int_eq(nj_tx.n, n0 + 2);
	t.hseq += 6;
	tc_send(&t, TCPHDR_ACK, NULL);				/* acknowledged: the timer stops */
	n0 = nj_tx.n;
	later(net, 10000 * MS);
	ck_assert_int_eq(nj_tx.n, n0);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 2);
	nj_net_free(net);
}
END_TEST

/* http answers and closes: its page and FIN go again as one segment, and
 * the orphan gives up at the ninth expiry (102.2 s of retries). */
START_TEST(test_collapse_and_orphan_gives_up)
{
	struct net *net = host();
	struct tc t = tc_open(net, 80);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	struct sock *sk = tc_sk(&t);
	ck_assert_int_eq(sk->state, TCP_FIN_WAIT1);
	later(net, 201 * MS);
	const struct tcphdr *th = nj_tx_tcp(nj_tx.n - 1);
	ck_assert_uint_eq(th->flags, TCPHDR_FIN | TCPHDR_PSH | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(th->seq), t.hseq);
	for (int i = 0; i < 1018 && tc_sk(&t); i++)	/* to 102.0 s: still trying */
		later(net, 100 * MS);
	ck_assert_ptr_nonnull(tc_sk(&t));
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPABORTONTIMEOUT], 0);
	for (int i = 0; i < 20 && tc_sk(&t); i++)
		later(net, 100 * MS);
	ck_assert_ptr_null(tc_sk(&t));
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 9);	/* Linux 6.18 counts the last expiry too */
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 8);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPABORTONTIMEOUT], 1);
	nj_net_free(net);
}
END_TEST

static Suite *tcp_timer_suite(void)
{
	Suite *s = suite_create("tcp_timer");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_rto_backoff_and_ack);
	tcase_add_test(c, test_collapse_and_orphan_gives_up);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_timer_suite)
