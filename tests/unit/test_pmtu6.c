/*
 * test_pmtu6.c - IPv6 path MTU discovery (route6.c's exceptions): a Packet
 * Too Big about an echo reply lowers the path MTU to the pinger, the next
 * reply is fragmented to fit; one below 1280 or not below the path's MTU
 * changes nothing; it lapses after 600 s; a new TCP connection's MSS
 * follows it.
 */
#include "nj_ipv6_check.h"
#include "sock.h"
#include "tcp.h"

static void ping6(struct net *net, uint16_t seq, size_t datalen)
{
	memset(pl, 0, 8 + datalen);
	pl[0] = ICMPV6_ECHO_REQUEST;
	pl[5] = 7;
	pl[7] = (uint8_t)seq;
	pb_csum6(P6, H6, NEXTHDR_ICMP, pl, 8 + datalen, 2);
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_ICMP, 64, pl, 8 + datalen));
}

/* A Packet Too Big from the peer about the echo reply to seq. */
static void ptb_echo(struct net *net, uint32_t mtu, uint16_t seq, size_t datalen)
{
	struct in6 h = a6(H6), p = a6(P6);
	memset(pl, 0, 56);
	pl[0] = ICMPV6_PKT_TOOBIG;
	for (int i = 0; i < 4; i++)
		pl[4 + i] = (uint8_t)(mtu >> (24 - 8 * i));
	pl[8] = 0x60;
	pl[12] = (uint8_t)((8 + datalen) >> 8);
	pl[13] = (uint8_t)(8 + datalen);
	pl[14] = NEXTHDR_ICMP;
	pl[15] = 64;
	memcpy(pl + 16, h.s6, 16);
	memcpy(pl + 32, p.s6, 16);
	pl[48] = ICMPV6_ECHO_REPLY;
	pl[53] = 7;
	pl[55] = (uint8_t)seq;
	pb_csum6(P6, H6, NEXTHDR_ICMP, pl, 56, 2);
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_ICMP, 64, pl, 56));
}

static const struct ipv6hdr *tx6(int i) { return (const struct ipv6hdr *)(nj_tx.f[i].buf + ETH_HLEN); }

START_TEST(test_pmtu6_echo_reply_fragments)
{
	struct net *net = nj_net6();
	struct in6 p = a6(P6);
	ping6(net, 1, 1452);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(ntohs(tx6(0)->payload_len), 1460);

	ptb_echo(net, 1200, 1, 1452);	/* below 1280: nothing */
	ck_assert_int_eq(ip6_dst_mtu(net, &p, &net->devs[0]), 1500);
	ptb_echo(net, 1400, 1, 1452);
	ck_assert_int_eq(ip6_dst_mtu(net, &p, &net->devs[0]), 1400);
	ptb_echo(net, 1450, 1, 1452);	/* not below the path's: nothing */
	ck_assert_int_eq(ip6_dst_mtu(net, &p, &net->devs[0]), 1400);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INPKTTOOBIGS], 3);

	nj_tx.n = 0;
	ping6(net, 2, 1452);
	ck_assert_int_eq(nj_tx.n, 2);	/* 1352 + 108 bytes of ICMPv6, each with a fragment header */
	ck_assert_int_eq(ntohs(tx6(0)->payload_len), 8 + 1352);
	ck_assert_int_eq(tx6(0)->nexthdr, NEXTHDR_FRAGMENT);
	ck_assert_int_eq(ntohs(tx6(1)->payload_len), 8 + 108);

	net_set_time(net, net->now_ns + 601ULL * 1000000000ULL);	/* lapsed */
	ck_assert_int_eq(ip6_dst_mtu(net, &p, &net->devs[0]), 1500);
	nj_tx.n = 0;
	ping6(net, 3, 1452);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

/* A request sock towards a peer with a learned path MTU offers the MSS
 * that path leaves (ip6_default_advmss over the route's MTU). */
START_TEST(test_pmtu6_new_connection_mss)
{
	struct net *net = nj_net6();
	struct in6 p = a6(P6);
	ptb_echo(net, 1280, 1, 1452);
	ck_assert_int_eq(ip6_dst_mtu(net, &p, &net->devs[0]), 1280);
	struct sock req;
	memset(&req, 0, sizeof(req));
	req.family = AF_INET6;
	req.v6_daddr = p;
	ck_assert_int_eq(tcp_dst_mtu(net, &req, &net->devs[0]), 1280);
	req.v6_daddr = a6("fd00::9");
	ck_assert_int_eq(tcp_dst_mtu(net, &req, &net->devs[0]), 1500);
	nj_net_free(net);
}
END_TEST

static Suite *pmtu6_suite(void)
{
	Suite *s = suite_create("pmtu6");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_pmtu6_echo_reply_fragments);
	tcase_add_test(core, test_pmtu6_new_connection_mss);
	suite_add_tcase(s, core);
	return s;
}

NJ_TEST_MAIN(pmtu6_suite)
