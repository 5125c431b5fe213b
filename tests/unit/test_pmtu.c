/*
 * test_pmtu.c - path MTU discovery (route.c's nexthop exceptions,
 * tcp_sync_mss): a frag-needed about an echo reply or a UDP reply lowers
 * the path MTU to its destination, never raises it, is floored at 552 and
 * locked there (DF off), and lapses after 600 s (from an error about an
 * echo reply, a ping socket's echo request or a UDP reply); what the host builds
 * follows it, what it forwards does not; a UDP reply sets DF only when it
 * fits; the MSS follows the path MTU.
 */
#include "nj_check.h"
#include "fib.h"
#include "sock.h"
#include "tcp.h"

static uint8_t frame[4096];
static uint8_t body[3000];

static void ping(struct net *net, uint16_t seq, size_t datalen)
{
	size_t l = nj_icmp_echo(body, 0x4a4a, seq, datalen);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, l, NULL));
}

/* A frag-needed from the peer about the host's datagram to it (proto, and
 * the 8 bytes after the quoted header: q8). */
static void frag_needed(struct net *net, uint16_t mtu, uint8_t proto, const uint8_t q8[8])
{
	struct iphdr *q = (struct iphdr *)(body + 8);
	memset(body, 0, 36);
	body[0] = ICMP_DEST_UNREACH;
	body[1] = ICMP_FRAG_NEEDED;
	body[6] = (uint8_t)(mtu >> 8);
	body[7] = (uint8_t)mtu;
	q->ihl_version = 0x45;
	q->tot_len = htons(1500);
	q->ttl = 64;
	q->protocol = proto;
	q->saddr = nj_ip(NJ_HOST_IP);
	q->daddr = nj_ip(NJ_PEER_IP);
	q->check = ip_fast_csum(q, 5);
	memcpy(body + 28, q8, 8);
	uint16_t sum = htons(csum_fold(csum_partial(body, 36, 0)));
	memcpy(body + 2, &sum, 2);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, 36, NULL));
}

static void frag_needed_echo(struct net *net, uint16_t mtu, uint16_t seq)
{
	const uint8_t q8[8] = { ICMP_ECHOREPLY, 0, 0, 0, 0x4a, 0x4a, (uint8_t)(seq >> 8), (uint8_t)seq };
	frag_needed(net, mtu, IPPROTO_ICMP_, q8);
}

START_TEST(test_pmtu_echo_reply_fragments)
{
	struct net *net = nj_router();
	ping(net, 1, 1472);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->tot_len), 1500);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1500);

	nj_tx.n = 0;
	frag_needed_echo(net, 1400, 1);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1400);
	ping(net, 2, 1472);
	ck_assert_int_eq(nj_tx.n, 2);	/* 1376 + 104 bytes of ICMP */
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->tot_len), 1396);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->frag_off), IP_MF);
	ck_assert_int_eq(ntohs(nj_tx_ip(1)->tot_len), 20 + 104);
	ck_assert_int_eq(ntohs(nj_tx_ip(1)->frag_off), 1376 / 8);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGCREATES], 2);

	/* wider: ignored; narrower than 552: 552, locked */
	frag_needed_echo(net, 1450, 2);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1400);
	ck_assert(ip_dont_fragment(net, nj_ip(NJ_PEER_IP)));
	frag_needed_echo(net, 500, 2);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 552);
	ck_assert(!ip_dont_fragment(net, nj_ip(NJ_PEER_IP)));
	frag_needed_echo(net, 1000, 2);	/* locked: not even lowered further */
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 552);

	/* 600 s on, the exception has lapsed: whole again */
	net_set_time(net, net->now_ns + 601ULL * 1000000000ULL);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1500);
	nj_tx.n = 0;
	ping(net, 3, 1472);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

/* Another destination keeps the device's MTU; a forwarded datagram goes
 * by the device's MTU whatever the path MTU (ip_forward_use_pmtu 0). */
START_TEST(test_pmtu_per_destination_and_not_forwarded)
{
	struct net *net = nj_router();
	frag_needed_echo(net, 1280, 1);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1280);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip("10.0.0.9"), &net->devs[0]), 1500);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_LAN_HOST), &net->devs[1]), 1400);

	/* about an echo request: a ping socket's (ping_err); with none bound
	 * to its identifier, no change; with one, the path MTU is lowered */
	const uint8_t q8[8] = { ICMP_ECHO, 0, 0, 0, 0, 1, 0, 1 };
	frag_needed(net, 600, IPPROTO_ICMP_, q8);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1280);
	ck_assert_int_eq(sock_listen(net, IPPROTO_ICMP_, 0, 1, APP_DISCARD, 0), 0);
	frag_needed(net, 600, IPPROTO_ICMP_, q8);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 600);
	nj_net_free(net);
}
END_TEST

START_TEST(test_pmtu_udp_df_and_fragments)
{
	struct net *net = nj_router();
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 7, APP_ECHO, 0), 0);
	static char msg[1600];
	memset(msg, 'u', 1473);
	msg[1473] = 0;
	size_t n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, msg, 1473);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
	/* 1501 bytes: fragments without DF (IP_PMTUDISC_WANT), not an error */
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->frag_off), IP_MF);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGFAILS], 0);

	/* one that fits carries DF; a frag-needed about it lowers the path */
	nj_tx.n = 0;
	n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, msg, 1472);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->frag_off), IP_DF);
	const uint8_t q8[8] = { 0, 7, 0x15, 0xb3, 0x05, 0xc8, 0, 0 };	/* 7 > 5555, length 1480 */
	frag_needed(net, 1400, IPPROTO_UDP_, q8);
	ck_assert_int_eq(ip_dst_mtu(net, nj_ip(NJ_PEER_IP), &net->devs[0]), 1400);
	nj_tx.n = 0;
	n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, msg, 1472);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->tot_len), 1396);
	nj_net_free(net);
}
END_TEST

/* ip_select_ident and the control socket: a DF datagram of no connected
 * socket has id 0 (a UDP reply that fits, a SYN-ACK); the control
 * socket's RST is IP_PMTUDISC_DO, so DF even once the path is locked
 * (where the SYN-ACK and the UDP reply go without DF, with an id). */
START_TEST(test_pmtu_ctl_reply_df_and_id)
{
	struct net *net = nj_router();
	uint8_t seg[64];
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 7, APP_ECHO, 0), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	for (int locked = 0; locked < 2; locked++) {
		nj_tx.n = 0;
		size_t n = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, 5555, 7, "hello", 5);
		nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, n, NULL));
		n = pb_tcp(seg, nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), 4000 + locked, 80, 1000, 0, TCPHDR_SYN, 64240, NULL,
			   0, NULL, 0, 0);
		nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, NULL));
		n = pb_tcp(seg, nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), 4000, 81, 1000, 0, TCPHDR_SYN, 64240, NULL, 0, NULL,
			   0, 0);
		nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, NULL));
		ck_assert_int_eq(nj_tx.n, 3);	/* the echo, the SYN-ACK, the RST */
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(ntohs(nj_tx_ip(i)->frag_off), locked ? 0 : IP_DF);
			ck_assert_msg(locked ? nj_tx_ip(i)->id != 0 : nj_tx_ip(i)->id == 0, "reply %d, locked %d: id %u", i,
				      locked, ntohs(nj_tx_ip(i)->id));
		}
		ck_assert_int_eq(nj_tx_l4(2)[13] & TCPHDR_RST, TCPHDR_RST);
		ck_assert_int_eq(ntohs(nj_tx_ip(2)->frag_off), IP_DF);
		ck_assert_int_eq(nj_tx_ip(2)->id, 0);
		ck_assert_int_eq(ip_fast_csum(nj_tx_ip(2), 5), 0);
		frag_needed_echo(net, 500, 1);	/* below 552: the path is locked */
		ck_assert(!ip_dont_fragment(net, nj_ip(NJ_PEER_IP)));
	}
	nj_net_free(net);
}
END_TEST

/* tcp_sync_mss: the path MTU less 40, the timestamps' 12, never above the
 * MSS it had, never below tcp_min_snd_mss (48) less the options. */
START_TEST(test_pmtu_tcp_sync_mss)
{
	struct sock sk;
	memset(&sk, 0, sizeof(sk));
	sk.family = AF_INET;
	sk.tstamp_ok = 1;
	sk.mss_cache = 1448;
	sk.max_window = 65535;
	ck_assert_int_eq(tcp_sync_mss(&sk, 1400), 1348);
	ck_assert_int_eq(sk.pmtu_cookie, 1400);
	ck_assert_int_eq(sk.mss_cache, 1348);
	ck_assert_int_eq(tcp_sync_mss(&sk, 552), 500);
	ck_assert_int_eq(tcp_sync_mss(&sk, 68), 36);	/* 48 less the timestamps */
	sk.mss_cache = 536;		/* a peer that offered 536: the clamp */
	sk.tstamp_ok = 0;
	ck_assert_int_eq(tcp_sync_mss(&sk, 1400), 536);
	sk.family = AF_INET6;
	ck_assert_int_eq(tcp_sync_mss(&sk, 1280), 536);
	sk.mss_cache = 1440;
	ck_assert_int_eq(tcp_sync_mss(&sk, 1280), 1220);
	sk.max_window = 1000;		/* tcp_bound_to_half_wnd */
	ck_assert_int_eq(tcp_sync_mss(&sk, 1280), 500);
}
END_TEST

static Suite *pmtu_suite(void)
{
	Suite *s = suite_create("pmtu");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_pmtu_echo_reply_fragments);
	tcase_add_test(core, test_pmtu_per_destination_and_not_forwarded);
	tcase_add_test(core, test_pmtu_udp_df_and_fragments);
	tcase_add_test(core, test_pmtu_tcp_sync_mss);
	tcase_add_test(core, test_pmtu_ctl_reply_df_and_id);
	suite_add_tcase(s, core);
	return s;
}

NJ_TEST_MAIN(pmtu_suite)
