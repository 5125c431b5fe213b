/*
 * test_udp.c - udp_rcv: socket lookup (exact before wildcard), echo reply
 * built and checksummed, discard, NoPorts + ICMP for a closed port, no
 * ICMP for broadcast, checksum and length errors, RcvbufErrors; the echo
 * socket's send buffer: replies held for ARP stay charged to it, full it
 * puts the application to sleep in sendto (the rest queue unread), and it
 * wakes once half is free (a neighbour resolved, or failed).
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

/* A datagram of len bytes to echo from 10.0.0.(3 + i % 4), peers the host
 * has no neighbour entry for. */
static void echo_from_peer(struct net *net, int i, size_t len)
{
	static char msg[1400];
	char src[16];
	memset(msg, 'e', sizeof(msg));
	snprintf(src, sizeof(src), "10.0.0.%d", 3 + i % 4);
	size_t n = nj_udp(body, src, NJ_HOST_IP, (uint16_t)(6000 + i), 7, msg, len);
	nj_inject(net, frame, nj_build_ip(frame, src, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
}

static void arp_reply_from(struct net *net, int peer)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 1, (uint8_t)peer }, f[60] = { 0 };
	char ip[16];
	snprintf(ip, sizeof(ip), "10.0.0.%d", peer);
	memcpy(f, nj_host_mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 2 };
	memcpy(f + 14, hdr, 8);
	memcpy(f + 22, mac, 6);
	uint32_t sip = nj_ip(ip), tip = nj_ip(NJ_HOST_IP);
	memcpy(f + 28, &sip, 4);
	memcpy(f + 32, nj_host_mac, 6);
	memcpy(f + 38, &tip, 4);
	nj_inject(net, f, sizeof(f));
}

START_TEST(test_udp_sndbuf_sleeps_and_wakes)
{
	struct net *net = udp_host();
	struct sock *sk = __udp4_lib_lookup(net, nj_ip("10.0.0.3"), htons(6000), nj_ip(NJ_HOST_IP), htons(7));
	int i = 0;
	while (!sk->send_blocked && i < 400)
		echo_from_peer(net, i++, 1400);
	ck_assert(sk->send_blocked);
	int sent = (int)net->mib[MIB_UDP_OUTDATAGRAMS];
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], sent + 1);	/* the last one read waits */
	ck_assert_uint_ge(sk->wmem_alloc, sk->sndbuf);
	ck_assert_int_eq(sent, 93);		/* 212992 bytes of 2304-byte truesize, over 4 neighbours */
	for (int k = 0; k < 5; k++)
		echo_from_peer(net, i++, 1400);
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], sent + 1);	/* asleep: nothing read */
	ck_assert_int_eq(skb_queue_len(&sk->receive_queue), 5);
	/* One neighbour answering frees a quarter: not enough to wake it. */
	arp_reply_from(net, 3);
	ck_assert(sk->send_blocked);
	/* Two more: under half, it wakes, echoes what it held and reads on. */
	arp_reply_from(net, 4);
	arp_reply_from(net, 5);
	ck_assert(!sk->send_blocked);
	ck_assert_int_eq(skb_queue_len(&sk->receive_queue), 0);
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], sent + 6);
	ck_assert_int_eq(net->mib[MIB_UDP_OUTDATAGRAMS], sent + 6);
	ck_assert_int_eq(net->mib[MIB_UDP_RCVBUFERRORS], 0);
	nj_net_free(net);
}
END_TEST

/* Asleep, it wakes when the neighbours fail (3 s) and free what they held. */
START_TEST(test_udp_sndbuf_wakes_on_neighbour_failure)
{
	struct net *net = udp_host();
	struct sock *sk = __udp4_lib_lookup(net, nj_ip("10.0.0.3"), htons(6000), nj_ip(NJ_HOST_IP), htons(7));
	net_set_time(net, 1000000000ULL);
	int i = 0;
	while (!sk->send_blocked && i < 400)
		echo_from_peer(net, i++, 1400);
	ck_assert(sk->send_blocked);
	echo_from_peer(net, i++, 1400);
	uint64_t in = net->mib[MIB_UDP_INDATAGRAMS];
	for (uint64_t t = 2; t <= 4; t++) {
		net_set_time(net, t * 1000000000ULL);
		neigh_run_timers(net);
	}
	ck_assert_int_eq(net->mib[MIB_UDP_INDATAGRAMS], in + 1);	/* the queued one read */
	ck_assert_int_eq(skb_queue_len(&sk->receive_queue), 0);
	ck_assert_uint_lt(sk->wmem_alloc, sk->sndbuf / 2);
	nj_net_free(net);
}
END_TEST

/* An echo longer than the MTU leaves in fragments, and while they wait for
 * ARP each is charged to the socket (ip_frag_next), though the datagram
 * they were cut from is freed. */
START_TEST(test_udp_echo_fragments_stay_charged)
{
	struct net *net = udp_host();
	struct sock *sk = __udp4_lib_lookup(net, nj_ip("10.0.0.3"), htons(6000), nj_ip(NJ_HOST_IP), htons(7));
	static char big[3000];
	static uint8_t b[3100], f[3200];
	memset(big, 'f', sizeof(big));
	size_t n = nj_udp(b, "10.0.0.3", NJ_HOST_IP, 6000, 7, big, sizeof(big));
	nj_inject(net, f, nj_build_ip(f, "10.0.0.3", NJ_HOST_IP, IPPROTO_UDP_, b, n, NULL));
	ck_assert_int_eq(net->mib[MIB_UDP_OUTDATAGRAMS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGCREATES], 3);
	/* three fragments held: 1500, 1500 and 68 bytes, each its truesize */
	ck_assert_uint_eq(sk->wmem_alloc, 2 * alloc_skb_truesize(1500 + NET_SKB_PAD) + alloc_skb_truesize(68 + NET_SKB_PAD));
	for (uint64_t t = 1; t <= 3; t++) {
		net_set_time(net, t * 1000000000ULL);
		neigh_run_timers(net);	/* ARP fails: the fragments are freed */
	}
	ck_assert_uint_eq(sk->wmem_alloc, 0);
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
	tcase_add_test(lim, test_udp_sndbuf_sleeps_and_wakes);
	tcase_add_test(lim, test_udp_sndbuf_wakes_on_neighbour_failure);
	tcase_add_test(lim, test_udp_echo_fragments_stay_charged);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(udp_suite)
