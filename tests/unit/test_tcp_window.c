/*
 * test_tcp_window.c - the receive side as Linux 6.x sizes and fills it:
 * the initial window and clamp from tcp_rmem (tcp_select_initial_window,
 * tcp_init_buffer_space), the scaling ratio a full-sized segment sets and
 * the window growth it brings (tcp_grow_window), never shrinking an offered
 * window (tcp_select_window), and receive-queue coalescing (tcp_try_coalesce:
 * only what fits the tailroom of Linux's skb, in the out-of-order queue and
 * when a hole is filled). The peer sends no options (no window scale).
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"

static char payload[1461];

static struct net *host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, -1), 0);
	return net;
}

static struct tc tc_open(struct net *net)
{
	struct tc t = { net, 40000, 9, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	t.hseq = ntohl(nj_tx_tcp(nj_tx.n - 1)->seq) + 1;
	tc_send(&t, TCPHDR_ACK, NULL);
	return t;
}

/* n bytes of payload at the peer's seq + off (a hole before it if off > 0). */
static void tc_bytes(struct tc *t, uint32_t off, size_t n)
{
	memset(payload, 'p', n);
	payload[n] = 0;
	tc_raw(t, t->pseq + off, t->hseq, TCPHDR_ACK, payload);
}

static uint16_t last_win(void) { return ntohs(nj_tx_tcp(nj_tx.n - 1)->window); }

/* tcp_rmem[1] 131072 is worth 64 KiB of window at the default 50% ratio:
 * the SYN-ACK offers 44 segments of 1460 (64240); once ESTABLISHED the
 * clamp keeps one segment in reserve (65536 - 1460) and rcv_ssthresh
 * starts there. */
START_TEST(test_initial_window_and_clamp)
{
	struct net *net = host();
	struct tc t = tc_open(net);
	struct sock *sk = tc_sk(&t);
	ck_assert_ptr_nonnull(sk);
	ck_assert_uint_eq(ntohs(nj_tx_tcp(0)->window), 64240);
	ck_assert_uint_eq(sk->rcvbuf, 131072);
	ck_assert_uint_eq(sk->scaling_ratio, TCP_DEFAULT_SCALING_RATIO);
	ck_assert_uint_eq(sk->window_clamp, 65536 - 1460);
	ck_assert_uint_eq(sk->rcv_ssthresh, 65536 - 1460);
	nj_net_free(net);
}
END_TEST

/* A 1460-byte segment (truesize 2304) sets the ratio to 1460*256/2304 =
 * 162: the clamp grows to 131072*162/256 = 82944, rcv_ssthresh to the
 * window offered (64240) and then by two segments (2920). Unscaled, the
 * field says 65535. */
START_TEST(test_full_segment_grows_window)
{
	struct net *net = host();
	struct tc t = tc_open(net);
	struct sock *sk = tc_sk(&t);
	tc_bytes(&t, 0, 1460);
	ck_assert_uint_eq(sk->scaling_ratio, 162);
	ck_assert_uint_eq(sk->window_clamp, 82944);
	ck_assert_uint_eq(sk->rcv_ssthresh, 64240 + 2920);
	ck_assert_uint_eq(last_win(), 65535);
	nj_net_free(net);
}
END_TEST

/* Small segments (< 128 bytes, below rcv_mss 536) change neither the
 * ratio nor rcv_ssthresh; the offer is what is left of the first one
 * (never shrink): 64240 - 6, then - 12. */
START_TEST(test_small_segments_never_shrink)
{
	struct net *net = host();
	struct tc t = tc_open(net);
	struct sock *sk = tc_sk(&t);
	int n0 = nj_tx.n;
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "hello\n");
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_uint_eq(last_win(), 64234);
	tc_send(&t, TCPHDR_ACK | TCPHDR_PSH, "again\n");
	ck_assert_uint_eq(last_win(), 64228);
	ck_assert_uint_eq(sk->scaling_ratio, TCP_DEFAULT_SCALING_RATIO);
	ck_assert_uint_eq(sk->rcv_ssthresh, 65536 - 1460);
	nj_net_free(net);
}
END_TEST

/* A frame longer than a segment (TSO on the sender, GRO here) is measured
 * by its gso_size, as Linux's tcp_measure_rcv_mss does: the ratio the
 * full-sized segment set stays, where the big frame's len/truesize
 * (4380 bytes in an 8 KiB buffer) would have lowered it and the clamp. */
START_TEST(test_offloaded_frame_keeps_ratio)
{
	static uint8_t big_seg[4500], big_frame[4600];
	static char big[4381];
	struct net *net = host();
	struct tc t = tc_open(net);
	struct sock *sk = tc_sk(&t);
	sk->mss_cache = 1460;		/* the connection's segment size */
	tc_bytes(&t, 0, 1460);
	t.pseq += 1460;
	ck_assert_uint_eq(sk->scaling_ratio, 162);
	memset(big, 'b', 4380);
	size_t n = nj_tcp(big_seg, NJ_PEER_IP, NJ_HOST_IP, t.sport, t.dport, t.pseq, t.hseq, TCPHDR_ACK, big, 4380);
	nj_inject(net, big_frame, nj_build_ip(big_frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, big_seg, n, NULL));
	ck_assert_uint_eq(sk->rcv_nxt, t.pseq + 4380);
	ck_assert_uint_eq(sk->scaling_ratio, 162);
	ck_assert_uint_eq(sk->window_clamp, 82944);
	nj_net_free(net);
}
END_TEST

/* An active open sizes its first window on the whole MSS (tcp_connect_init:
 * no room kept for timestamps, unlike a SYN-ACK): 44 x 1460 = 64240 with
 * timestamps on, where 1448-byte segments would give 45 x 1448 = 65160. */
START_TEST(test_active_open_window)
{
	struct net *net = nj_host();
	struct tcp_syn_options o = { .mss = 1460, .sack_ok = 1, .ts = 1, .wscale_ok = 1, .wscale = 7 };
	struct sock *sk = tcp_v4_connect_state(net, nj_ip(NJ_HOST_IP), htons(40000), nj_ip(NJ_PEER_IP), htons(80),
					       1000, &o, APP_DISCARD);
	ck_assert_ptr_nonnull(sk);
	ck_assert_uint_eq(sk->rcv_wnd, 64240);
	nj_net_free(net);
}
END_TEST

/* tcp_rmem from the scenario: a 32 KiB buffer offers 16 KiB (11 segments). */
START_TEST(test_tcp_rmem_sysctl)
{
	struct net *net = nj_host();
	net->sysctl.tcp_rmem[1] = 32768;
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, -1), 0);
	struct tc t = tc_open(net);
	ck_assert_uint_eq(ntohs(nj_tx_tcp(0)->window), 11 * 1460);
	ck_assert_uint_eq(tc_sk(&t)->window_clamp, 16384 - 1460);
	nj_net_free(net);
}
END_TEST

/* Out of order: a 50-byte frame's skb (104 bytes at offset 2 of a 256-byte
 * head) has 150 bytes of tailroom: the next 50 bytes are copied into it
 * (TCPRcvCoalesce) and charge nothing; 100 more do not fit the 100 left +
 * 1. Filling the hole with 100 bytes (tailroom 100) takes the 100-byte run
 * in, not the 101-byte skb after it. */
START_TEST(test_coalesce_tailroom)
{
	struct net *net = host();
	struct tc t = tc_open(net);
	struct sock *sk = tc_sk(&t);
	tc_bytes(&t, 100, 50);
	uint32_t one = sk_rmem_alloc(sk);
	ck_assert_uint_eq(one, 832);
	tc_bytes(&t, 150, 50);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPRCVCOALESCE], 1);
	ck_assert_uint_eq(sk_rmem_alloc(sk), one);	/* the second skb charges nothing */
	tc_bytes(&t, 200, 101);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPRCVCOALESCE], 1);	/* 101 > 100 */
	ck_assert_uint_eq(sk_rmem_alloc(sk), 2 * one);
	tc_bytes(&t, 0, 100);	/* fills: the 100-byte run joins it, the 101 bytes do not */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPRCVCOALESCE], 2);
	ck_assert_uint_eq(sk->rcv_nxt, t.pseq + 301);
	ck_assert_uint_eq(sk->app_bytes, 301);
	ck_assert_uint_eq(sk_rmem_alloc(sk), 0);	/* read */
	nj_net_free(net);
}
END_TEST

static Suite *tcp_window_suite(void)
{
	Suite *s = suite_create("tcp_window");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_initial_window_and_clamp);
	tcase_add_test(c, test_full_segment_grows_window);
	tcase_add_test(c, test_small_segments_never_shrink);
	tcase_add_test(c, test_tcp_rmem_sysctl);
	tcase_add_test(c, test_offloaded_frame_keeps_ratio);
	tcase_add_test(c, test_active_open_window);
	tcase_add_test(c, test_coalesce_tailroom);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_window_suite)
