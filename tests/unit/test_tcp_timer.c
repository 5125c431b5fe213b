/*
 * test_tcp_timer.c - the retransmission timer (tcp_timer.c): data the
 * peer does not acknowledge goes again after the RTO (tcp_rto_min plus the
 * handshake's RTT), which doubles each time (TcpExt.TCPTimeouts,
 * Tcp.RetransSegs, Tcp.OutSegs unchanged); an ACK stops it; data and the
 * FIN after it go again as one segment; a closed (orphaned) socket gives
 * up after tcp_orphan_retries' 102.2 s (TcpExt.TCPAbortOnTimeout). The
 * SYN-ACK's timer: 5 retransmissions, fewer for old requests while they
 * crowd more than half of the SYN queue (reqsk_timer_handler's pruning),
 * and the queue's counts held to its live request socks over random steps.
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

static void later(struct net *net, uint64_t ns)
{
	net_set_time(net, net->now_ns + ns);
	tcp_run_timers(net);
}

START_TEST(test_rto_backoff_and_ack)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
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

/* An echo of more than an MSS (536: the peer's SYN offered none) leaves
 * as one GSO skb, 536 + 64 on the wire (Ip.OutRequests 1, Tcp.OutSegs 2);
 * unacknowledged, the RTO sends only its first MSS again (Linux's
 * tcp_retransmit_skb with one segment's room cuts the head). */
START_TEST(test_gso_send_and_rto_head)
{
	static char data[601];
	struct net *net = host();
	struct tc t = tc_connect(net, 7);
	memset(data, 'x', 600);
	uint64_t req = net->mib[MIB_IP_OUTREQUESTS], segs = net->mib[MIB_TCP_OUTSEGS];
	int n0 = nj_tx.n;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, data);
	ck_assert_int_eq(nj_tx.n, n0 + 3);			/* the ACK of the data, then 536 + 64 */
	ck_assert_uint_eq(net->mib[MIB_IP_OUTREQUESTS], req + 2);	/* the ACK and one GSO skb */
	ck_assert_uint_eq(net->mib[MIB_TCP_OUTSEGS], segs + 3);
	ck_assert_int_eq(ntohs(nj_tx_ip(n0 + 1)->tot_len), 40 + 536);
	ck_assert_int_eq(ntohs(nj_tx_ip(n0 + 2)->tot_len), 40 + 64);
	ck_assert_int_eq(nj_tx_tcp(n0 + 1)->flags & TCPHDR_PSH, 0);	/* PSH on the last only */
	ck_assert_int_ne(nj_tx_tcp(n0 + 2)->flags & TCPHDR_PSH, 0);
	ck_assert_uint_eq(ntohl(nj_tx_tcp(n0 + 2)->seq), t.hseq + 536);
	later(net, 201 * MS);					/* the RTO: the head's first MSS */
	ck_assert_int_eq(nj_tx.n, n0 + 4);
	ck_assert_int_eq(ntohs(nj_tx_ip(n0 + 3)->tot_len), 40 + 536);
	ck_assert_uint_eq(ntohl(nj_tx_tcp(n0 + 3)->seq), t.hseq);
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	nj_net_free(net);
}
END_TEST

/* http answers and closes: its page and FIN go again as one segment, and
 * the orphan gives up at the ninth expiry (102.2 s of retries). */
START_TEST(test_collapse_and_orphan_gives_up)
{
	struct net *net = host();
	struct tc t = tc_connect(net, 80);
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

/* reqsk_timer_handler's rule, case by case: qlen, young, backlog -> the
 * retransmissions a request may have. */
START_TEST(test_reqsk_max_retries_rule)
{
	static const struct { int qlen, young, backlog, max; } c[] = {
		{ 8, 0, 16, 5 },	/* half full, not more: no pruning */
		{ 4, 0, 4, 5 },		/* the threshold is at least 8: 4 * 2 <= 8 */
		{ 5, 0, 4, 2 },		/* 5 * 2 > 8: nothing young, down to 2 */
		{ 9, 5, 16, 5 },	/* young * 2 = 10 > 9 */
		{ 9, 4, 16, 4 },	/* 8 <= 9, then 16 > 9 */
		{ 9, 2, 16, 3 },	/* 4, 8 <= 9, then 16 */
		{ 9, 1, 16, 2 },
		{ 4096, 2048, 4096, 4 },	/* qlen >= young * 2 counts: 4096 >= 4096 */
		{ 4096, 2049, 4096, 5 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct sock l = { .qlen = c[i].qlen, .qlen_young = c[i].young, .max_ack_backlog = c[i].backlog };
		ck_assert_msg(reqsk_max_retries(&l) == c[i].max, "case %zu: %d, expected %d", i, reqsk_max_retries(&l),
			      c[i].max);
	}
}
END_TEST

/* n SYNs from the peer to port 9 (backlog 16), unanswered; then the
 * timers run for 70 s, second by second. */
static struct net *synflood(int n, struct sock **lsk)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, 16), 0);
	*lsk = __inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9));
	ck_assert_ptr_nonnull(*lsk);
	for (int i = 0; i < n; i++) {
		struct tc t = { net, (uint16_t)(41000 + i), 9, 1000, 0 };
		tc_send(&t, TCPHDR_SYN, NULL);
	}
	ck_assert_int_eq((*lsk)->qlen, n);
	ck_assert_int_eq((*lsk)->qlen_young, n);
	return net;
}

/* Half the queue or less: each request is sent again 5 times (1, 3, 7, 15,
 * 31 s) and dies at 63 s. */
START_TEST(test_synack_retries_queue_half_full)
{
	struct sock *lsk;
	struct net *net = synflood(8, &lsk);
	later(net, 1000 * MS);
	ck_assert_int_eq(lsk->qlen_young, 0);
	for (int s = 1; s < 70; s++)
		later(net, 1000 * MS);
	ck_assert_int_eq(lsk->qlen, 0);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 8 * 5);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 8 * 6);
	nj_net_free(net);
}
END_TEST

/* A full queue of 16: at 1 s all are young, so all go again; at 3 s none
 * is young, so old ones may have 2; at 7 s the first 8 go (the 9th finds
 * the queue half full: no more pruning), the other 8 have all 5. */
START_TEST(test_synack_prune_crowded_queue)
{
	struct sock *lsk;
	struct net *net = synflood(16, &lsk);
	later(net, 1000 * MS);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 16);
	ck_assert_int_eq(lsk->qlen_young, 0);
	later(net, 2000 * MS);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 32);
	ck_assert_int_eq(lsk->qlen, 16);
	later(net, 4000 * MS);
	ck_assert_int_eq(lsk->qlen, 8);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 40);
	for (int s = 7; s < 70; s++)
		later(net, 1000 * MS);
	ck_assert_int_eq(lsk->qlen, 0);
	ck_assert_int_eq(lsk->qlen_young, 0);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 8 * 2 + 8 * 5);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 8 * 3 + 8 * 6);
	/* a new SYN finds room again */
	struct tc t = { net, 42000, 9, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	ck_assert_int_eq(lsk->qlen, 1);
	ck_assert_int_eq(lsk->qlen_young, 1);
	nj_net_free(net);
}
END_TEST

/* A request acknowledged while young leaves the young count with it. */
START_TEST(test_synack_young_count_on_accept)
{
	struct sock *lsk;
	struct net *net = synflood(3, &lsk);
	struct tc t = { net, 41001, 9, 1001, 0 };
	t.hseq = ntohl(nj_tx_tcp(1)->seq) + 1;
	tc_send(&t, TCPHDR_ACK, NULL);
	ck_assert_ptr_nonnull(tc_sk(&t));
	ck_assert_int_eq(tc_sk(&t)->state, TCP_ESTABLISHED);
	ck_assert_int_eq(lsk->qlen, 2);
	ck_assert_int_eq(lsk->qlen_young, 2);
	nj_net_free(net);
}
END_TEST

/* The listener's counts against its live request socks; pick: the
 * pick-th of them (counting from 1), or none. */
struct reqs_count { const struct sock *lsk; int reqs, young, pick; const struct sock *picked; };

static void count_req(void *ctx, const struct sock *sk)
{
	struct reqs_count *c = ctx;
	if (sk->state == TCP_NEW_SYN_RECV && sk->parent == c->lsk) {
		c->young += sk->num_timeout == 0;
		if (++c->reqs == c->pick)
			c->picked = sk;
	}
}

/* 6,000 random steps on a listener with backlog 8: SYNs from 500 ports
 * (new, or again on a request), handshake ACKs and RSTs on a live request,
 * the clock moving 0-3 s. After each, qlen is the number of live request
 * socks, qlen_young the number not yet resent, and neither passes the
 * backlog; the timer's pruning and each way out of the queue are met. */
START_TEST(test_synack_queue_counts_hold)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, 8), 0);
	struct sock *lsk = __inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9));
	uint32_t r = 12345;
	net->sysctl.tcp_syncookies = 0;	/* a full queue drops (cookies: test_syncookies) */
	for (int i = 0; i < 6000; i++) {
		r = r * 1103515245u + 12345u;
		int op = (int)((r >> 16) % 5);
		struct reqs_count c = { lsk, 0, 0, lsk->qlen ? 1 + (int)((r >> 4) % (uint32_t)lsk->qlen) : 0, NULL };
		sock_for_each(net, count_req, &c);
		struct tc t = { net, (uint16_t)(41000 + (r >> 8) % 500), 9, 1000, 0 };
		if (c.picked && (op == 2 || op == 3)) {
			t.sport = ntohs(c.picked->dport);
			t.pseq = c.picked->irs + 1;
			t.hseq = c.picked->iss + 1;
		}
		if (op <= 1)
			tc_send(&t, TCPHDR_SYN, NULL);
		else if (op == 2 && c.picked)
			tc_send(&t, TCPHDR_ACK, NULL);
		else if (op == 3 && c.picked)
			tc_raw(&t, t.pseq, 0, TCPHDR_RST, NULL);
		else if (op == 4)
			later(net, (uint64_t)((r >> 4) % 3000) * MS);
		c = (struct reqs_count){ lsk, 0, 0, 0, NULL };
		sock_for_each(net, count_req, &c);
		ck_assert_msg(lsk->qlen == c.reqs && lsk->qlen_young == c.young,
			      "step %d: qlen %d young %d, live requests %d young %d", i, lsk->qlen, lsk->qlen_young,
			      c.reqs, c.young);
		ck_assert_int_le(lsk->qlen, lsk->max_ack_backlog + 1);	/* full when it holds more */
	}
	ck_assert_uint_gt(net->mib[MIB_TCP_PASSIVEOPENS], 100);	/* ACKed requests */
	ck_assert_uint_gt(net->mib[MIB_TCPEXT_EMBRYONICRSTS], 100);	/* RSTs */
	ck_assert_uint_gt(net->mib[MIB_TCPEXT_TCPREQQFULLDROP], 0);	/* a full queue */
	ck_assert_uint_gt(net->mib[MIB_TCPEXT_TCPSYNRETRANS], 0);
	nj_net_free(net);
}
END_TEST

static Suite *tcp_timer_suite(void)
{
	Suite *s = suite_create("tcp_timer");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_rto_backoff_and_ack);
	tcase_add_test(c, test_gso_send_and_rto_head);
	tcase_add_test(c, test_collapse_and_orphan_gives_up);
	tcase_add_test(c, test_reqsk_max_retries_rule);
	tcase_add_test(c, test_synack_retries_queue_half_full);
	tcase_add_test(c, test_synack_prune_crowded_queue);
	tcase_add_test(c, test_synack_young_count_on_accept);
	tcase_add_test(c, test_synack_queue_counts_hold);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_timer_suite)
