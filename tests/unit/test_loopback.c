/*
 * test_loopback.c - the loopback device (an interface named lo): what
 * arrives on it keeps the sender's dst (127/8 and ::1 are no martians
 * there), and what the host sends to one of its own addresses leaves
 * through it with no neighbour resolution (NUD_NOARP, all-zero MACs), as
 * drivers/net/loopback.c and arp_constructor make it. Without a lo, a
 * packet to itself is still not routed.
 */
#include <arpa/inet.h>
#include <string.h>

#include "ipv6.h"
#include "nj_check.h"
#include "pktbuild.h"

static const uint8_t zero_mac[6];

/* nj_net plus lo (127.0.0.1/8, ::1/128), capturing what leaves. */
static struct net *lo_host(void)
{
	struct net *net = nj_net();
	struct net_device *lo = net_add_dev(net, "lo", zero_mac, 65535);
	ck_assert_ptr_nonnull(lo);
	dev_add_addr(lo, nj_ip("127.0.0.1"), 8);
	struct in6 one;
	ck_assert_int_eq(inet_pton(AF_INET6, "::1", one.s6), 1);
	ck_assert_int_eq(ipv6_add_addr(net, lo, &one, 128), 0);
	nj_capture_tx(net);
	return net;
}

static size_t echo_frame(uint8_t *f, const char *src, const char *dst)
{
	uint8_t l4[64];
	struct pb_ipopt o = { .saddr = nj_ip(src), .daddr = nj_ip(dst), .proto = 1, .dmac = zero_mac, .smac = zero_mac };
	return pb_eth_ip(f, &o, l4, pb_icmp_echo(l4, 8, 7, 1, 16));
}

/* A ping to the host's own 10.0.0.2 arrives on lo and is answered back out
 * of lo: one frame, all-zero MACs, no ARP request; Ip.InReceives counts
 * it, no martian drop. */
START_TEST(test_loopback_ping_self)
{
	struct net *net = lo_host();
	uint8_t f[128];
	size_t n = echo_frame(f, NJ_HOST_IP, NJ_HOST_IP);
	nj_inject_on(net, 1, f, n);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].ifindex, net->devs[1].ifindex);
	ck_assert_mem_eq(nj_tx.f[0].buf, zero_mac, 6);
	ck_assert_mem_eq(nj_tx.f[0].buf + 6, zero_mac, 6);
	ck_assert_uint_eq(nj_tx_ip(0)->daddr, nj_ip(NJ_HOST_IP));
	ck_assert_uint_eq(nj_tx_l4(0)[0], 0);	/* echo reply */
	ck_assert_int_eq(nj_count("loopback_xmit", 'i'), 1);
	ck_assert_int_eq(net->mib[MIB_ARP_OUTREQUESTS], 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTECHOREPS], 1);
	nj_net_free(net);
}
END_TEST

/* 127.0.0.1 > 127.0.0.53 on lo is delivered; the same on eth0 is the
 * martian destination IP_LOCALNET. */
START_TEST(test_loopback_127_only_on_lo)
{
	struct net *net = lo_host();
	uint8_t f[128];
	size_t n = echo_frame(f, "127.0.0.1", "127.0.0.53");
	nj_inject_on(net, 1, f, n);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_uint_eq(nj_tx_ip(0)->saddr, nj_ip("127.0.0.53"));	/* the address it was sent to */
	nj_rec.n = 0;
	memcpy(f, nj_host_mac, 6);	/* to eth0's MAC */
	nj_inject_on(net, 0, f, n);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_LOCALNET);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

/* ::1 > ::1 is taken on lo and is an address error on eth0 (RFC 4291
 * 2.5.3: Ip6.InHdrErrors). */
START_TEST(test_loopback_ipv6_one)
{
	struct net *net = lo_host();
	uint8_t f[128], m[24] = { 128, 0, 0, 0, 0, 7, 0, 1 };
	pb_csum6("::1", "::1", 58, m, sizeof(m), 2);
	size_t n = pb_eth_ip6(f, "::1", "::1", 58, 64, m, sizeof(m));
	memset(f, 0, 12);
	nj_inject_on(net, 1, f, n);
	ck_assert_int_eq(net->mib[MIB_IP6_INHDRERRORS], 0);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INECHOS], 1);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].ifindex, net->devs[1].ifindex);
	memcpy(f, nj_host_mac, 6);	/* to eth0's MAC */
	nj_inject_on(net, 0, f, n);
	ck_assert_int_eq(net->mib[MIB_IP6_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

/* Without a lo the route to an own address is still refused. */
START_TEST(test_loopback_absent)
{
	struct net *net = nj_net();
	struct nj_dst dst;
	ck_assert_int_lt(ip_route_output(net, nj_ip(NJ_HOST_IP), 0, &dst), 0);
	ck_assert_int_eq(dst.type, RTN_LOCAL);
	nj_net_free(net);
	net = lo_host();
	ck_assert_int_eq(ip_route_output(net, nj_ip(NJ_HOST_IP), 0, &dst), 0);
	ck_assert_int_eq(dst.oif, net->devs[1].ifindex);
	nj_net_free(net);
	/* a BSD capture's lo0 is the loopback device too */
	static const uint8_t zero[6];
	net = nj_net();
	struct net_device *lo0 = net_add_dev(net, "lo0", zero, 16384);
	dev_add_addr(lo0, nj_ip("127.0.0.1"), 8);
	ck_assert_int_eq(ip_route_output(net, nj_ip(NJ_HOST_IP), 0, &dst), 0);
	ck_assert_int_eq(dst.oif, lo0->ifindex);
	nj_net_free(net);
}
END_TEST

static Suite *loopback_suite(void)
{
	Suite *s = suite_create("loopback");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_loopback_ping_self);
	tcase_add_test(tc, test_loopback_127_only_on_lo);
	tcase_add_test(tc, test_loopback_ipv6_one);
	tcase_add_test(tc, test_loopback_absent);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(loopback_suite)
