/*
 * test_udp.c - udp_rcv: socket lookup (exact before wildcard), echo reply
 * built and checksummed, discard, NoPorts + ICMP for a closed port, no
 * ICMP for broadcast, checksum and length errors, RcvbufErrors.
 */
#include "nj_check.h"
#include "sock.h"

static uint8_t frame[2048], body[1600];

static void send_udp(struct net *net, const char *dst, uint16_t dport, const char *msg, const uint8_t *dmac)
{
	struct nj_ip_opts o = { .dst_mac = dmac };
	size_t n = nj_udp(body, NJ_PEER_IP, dst, 5555, dport, msg, strlen(msg));
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, dst, IPPROTO_UDP_, body, n, &o));
}

static struct net *udp_host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 7, APP_ECHO, 0), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 9, APP_DISCARD, 0), 0);
	return net;
}

START_TEST(test_udp_echo_reply)
{
	struct net *net = udp_host();
	send_udp(net, NJ_HOST_IP, 7, "hello", NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert(nj_tx_csum_ok(0));
	const struct udphdr *uh = (const struct udphdr *)nj_tx_l4(0);
	ck_assert_int_eq(ntohs(uh->source), 7);
	ck_assert_int_eq(ntohs(uh->dest), 5555);
	ck_assert_int_eq(ntohs(uh->len), 13);
	ck_assert(memcmp(uh + 1, "hello", 5) == 0);
	ck_assert_uint_eq(nj_tx_ip(0)->saddr, nj_ip(NJ_HOST_IP));
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], 1);
	ck_assert_int_eq(net->mib[MIB_UDP_OUTDATAGRAMS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_discard)
{
	struct net *net = udp_host();
	send_udp(net, NJ_HOST_IP, 9, "x", NULL);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], 1);
	ck_assert_int_eq(nj_drop_reason(), -1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_exact_bind_beats_wildcard)
{
	struct net *net = nj_host();
	sock_listen(net, IPPROTO_UDP_, 0, 7, APP_DISCARD, 0);
	sock_listen(net, IPPROTO_UDP_, nj_ip(NJ_HOST_IP), 7, APP_ECHO, 0);	/* taken: wildcard holds it */
	struct sock *sk = __udp4_lib_lookup(net, nj_ip(NJ_PEER_IP), htons(1), nj_ip(NJ_HOST_IP), htons(7));
	ck_assert_int_eq(sk->app, APP_DISCARD);
	struct net *n2 = nj_host();
	sock_listen(n2, IPPROTO_UDP_, nj_ip(NJ_HOST_IP), 7, APP_ECHO, 0);
	sk = __udp4_lib_lookup(n2, nj_ip(NJ_PEER_IP), htons(1), nj_ip(NJ_HOST_IP), htons(7));
	ck_assert_int_eq(sk->app, APP_ECHO);
	ck_assert_ptr_null(__udp4_lib_lookup(n2, nj_ip(NJ_PEER_IP), htons(1), nj_ip("10.0.0.9"), htons(7)));
	nj_net_free(n2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_no_socket_noports)
{
	struct net *net = udp_host();
	send_udp(net, NJ_HOST_IP, 9999, "x", NULL);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(net->mib[MIB_UDP_NOPORTS], 1);
	ck_assert_ptr_nonnull(nj_find("icmp_send", 'B') ? nj_find("icmp_send", 'B') : nj_find("icmp_send", 'i'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_broadcast_no_icmp)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net *net = udp_host();
	send_udp(net, "10.0.0.255", 9999, "x", bcast);
	ck_assert_int_eq(net->mib[MIB_UDP_NOPORTS], 0);
	ck_assert_int_eq(net->mib[MIB_UDP_IGNOREDMULTI], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_bad_checksum)
{
	struct net *net = udp_host();
	size_t n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, "abc", 3);
	body[6] ^= 0x11;
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_UDP_CSUM);
	ck_assert_int_eq(net->mib[MIB_UDP_INCSUMERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_UDP_INERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_short_length)
{
	struct net *net = udp_host();
	size_t n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, "abc", 3);
	body[4] = 0;
	body[5] = 40;	/* claims more than arrived */
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_SMALL);
	ck_assert_int_eq(net->mib[MIB_UDP_INERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp_rcvbuf_full)
{
	struct net *net = udp_host();
	struct sock *sk = __udp4_lib_lookup(net, nj_ip(NJ_PEER_IP), htons(5555), nj_ip(NJ_HOST_IP), htons(9));
	sk->rcvbuf = 10;
	/* Nothing queued: Linux takes one datagram even past a tiny buffer. */
	send_udp(net, NJ_HOST_IP, 9, "x", NULL);
	ck_assert_int_eq(net->mib[MIB_UDP_RCVBUFERRORS], 0);
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], 1);
	/* Unread data already past rcvbuf: the next one is dropped. */
	sk->rmem = 11;
	send_udp(net, NJ_HOST_IP, 9, "x", NULL);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_SOCKET_RCVBUFF);
	ck_assert_int_eq(net->mib[MIB_UDP_RCVBUFERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_UDP_INERRORS], 1);
	sk->rmem = 0;
	nj_net_free(net);
}
END_TEST

static Suite *udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_udp_echo_reply);
	tcase_add_test(core, test_udp_discard);
	tcase_add_test(core, test_udp_exact_bind_beats_wildcard);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_udp_no_socket_noports);
	tcase_add_test(err, test_udp_broadcast_no_icmp);
	tcase_add_test(err, test_udp_bad_checksum);
	tcase_add_test(err, test_udp_short_length);
	suite_add_tcase(s, err);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_udp_rcvbuf_full);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(udp_suite)
