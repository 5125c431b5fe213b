/*
 * test_tcp_urgent.c - urgent data as Linux 6.x takes it (tcp_check_urg,
 * tcp_urg, and a reader without SO_OOBINLINE: the urgent byte leaves the
 * stream and a read stops before it), Nagle's rule (Minshall's variant:
 * a short write waits while a short segment is unacknowledged), and the
 * RTT estimator's Karn rule (an ACK of data sent again gives no sample,
 * so the backoff stays). The peer talks to echo on port 7, no options.
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"

#define MS	1000000ULL

static struct net *host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	return net;
}

/* The peer's next data with URG set and the urgent pointer ptr. */
static void tc_urg(struct tc *t, const char *data, uint16_t ptr)
{
	size_t len = strlen(data);
	size_t n = nj_tcp(tc_seg, NJ_PEER_IP, NJ_HOST_IP, t->sport, t->dport, t->pseq, t->hseq,
			  TCPHDR_URG | TCPHDR_PSH | TCPHDR_ACK, data, len);
	struct tcphdr *th = (struct tcphdr *)tc_seg;
	th->urg_ptr = htons(ptr);
	th->check = 0;
	th->check = htons(csum_tcpudp(nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), IPPROTO_TCP_, tc_seg, n));
	nj_inject(t->net, tc_frame, nj_build_ip(tc_frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, tc_seg, n, NULL));
	t->pseq += (uint32_t)len;
}

static uint32_t tx_len(int i)
{
	return ntohs(nj_tx_ip(i)->tot_len) - 20 - (uint32_t)(nj_tx_tcp(i)->doff_res >> 4) * 4;
}

static const char *tx_data(int i)
{
	return (const char *)nj_tx_tcp(i) + (nj_tx_tcp(i)->doff_res >> 4) * 4;
}

/* "abcdefg", urgent pointer 7: 'g' is urgent; echo reads and writes back
 * "abcdef", and 'g' waits for a MSG_OOB read that never comes. */
START_TEST(test_urgent_byte_leaves_the_stream)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
	int n0 = nj_tx.n;
	tc_urg(&t, "abcdefg", 7);
	struct sock *sk = tc_sk(&t);
	ck_assert_uint_eq(sk->urg_data, TCP_URG_VALID | 'g');
	ck_assert_uint_eq(sk->urg_seq, t.pseq - 1);
	int i = nj_tx.n - 1;
	ck_assert_int_gt(nj_tx.n, n0);
	ck_assert_uint_eq(tx_len(i), 6);
	ck_assert_int_eq(memcmp(tx_data(i), "abcdef", 6), 0);
	ck_assert_uint_eq(tcp_copied_seq(sk), t.pseq - 1);	/* 'g' unread */
	ck_assert_int_eq(sk->fast_path, 0);			/* no header prediction meanwhile */
	nj_net_free(net);
}
END_TEST

/* "xyz!123", pointer 4: a read stops before '!' ("xyz" goes back), the next
 * steps over it; "123" is short and "xyz" unacknowledged, so Nagle holds it
 * until the ACK. The urgent data read past, the fast path is back. */
START_TEST(test_read_stops_at_urgent_and_nagle_holds)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
	tc_urg(&t, "xyz!123", 4);
	struct sock *sk = tc_sk(&t);
	int i = nj_tx.n - 1;
	ck_assert_uint_eq(tx_len(i), 3);
	ck_assert_int_eq(memcmp(tx_data(i), "xyz", 3), 0);
	ck_assert_uint_eq(sk->nagle_len, 3);
	ck_assert_uint_eq(sk->urg_data, 0);
	int n0 = nj_tx.n;
	net_set_time(net, net->now_ns + 20 * MS);
	t.hseq += 3;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_uint_eq(tx_len(n0), 3);
	ck_assert_int_eq(memcmp(tx_data(n0), "123", 3), 0);
	ck_assert_uint_eq(sk->nagle_len, 0);
	ck_assert_int_eq(sk->fast_path, 1);
	nj_net_free(net);
}
END_TEST

/* The peer closes while Nagle holds data: the FIN goes with it. */
START_TEST(test_fin_rides_on_held_data)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
	tc_urg(&t, "xyz!123", 4);
	struct sock *sk = tc_sk(&t);
	ck_assert_uint_eq(sk->nagle_len, 3);
	int n0 = nj_tx.n;
	tc_send(&t, TCPHDR_ACK | TCPHDR_FIN, NULL);	/* xyz not yet acknowledged */
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_int_eq(nj_tx_tcp(n0)->flags & (TCPHDR_FIN | TCPHDR_PSH), TCPHDR_FIN | TCPHDR_PSH);
	ck_assert_uint_eq(tx_len(n0), 3);
	ck_assert_int_eq(sk->state, TCP_LAST_ACK);
	nj_net_free(net);
}
END_TEST

/* The RTO fires at 201 ms and the data goes again; its ACK carries no RTT
 * sample (Karn: which copy does it acknowledge?), so the backoff stays:
 * the next data's RTO is 402 ms, not 201. A later clean sample ends it. */
START_TEST(test_karn_keeps_the_backoff)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
	struct sock *sk;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "one\n");
	net_set_time(net, net->now_ns + 201 * MS);
	tcp_run_timers(net);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 1);
	net_set_time(net, net->now_ns + 300 * MS);
	t.hseq += 4;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "two\n");	/* acks "one\n" (sent twice), echo sends "two\n" */
	sk = tc_sk(&t);
	ck_assert_uint_eq(tcp_rtx_deadline(sk) - net->now_ns, 402 * MS);
	net_set_time(net, net->now_ns + 100 * MS);
	t.hseq += 4;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "six\n");	/* a clean 100 ms sample */
	uint64_t rto = tcp_rtx_deadline(sk) - net->now_ns;
	ck_assert_uint_lt(rto, 402 * MS);
	ck_assert_uint_gt(sk->srtt_us >> 3, 1000);		/* srtt moved towards 100 ms */
	nj_net_free(net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tcp_urgent");
	TCase *c = tcase_create("core");
	tcase_add_test(c, test_urgent_byte_leaves_the_stream);
	tcase_add_test(c, test_read_stops_at_urgent_and_nagle_holds);
	tcase_add_test(c, test_fin_rides_on_held_data);
	tcase_add_test(c, test_karn_keeps_the_backoff);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(suite)
