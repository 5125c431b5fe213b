/*
 * test_forward.c - ip_forward's checks in order (L2 type, TTL, MTU with
 * DF), the TTL decrement and its incremental checksum, fragmentation on
 * output, the 2.4 order, and ICMP errors quoting the original header as
 * Linux does (up to 576 bytes). Transmitted frames are captured through
 * net->xmit and parsed back.
 */
#include "nj_check.h"
#include "fib.h"

static uint8_t frame[4096];
static uint8_t body[3000];

/* A UDP datagram 10.0.0.1 → dst of len data bytes arriving on eth0. */
static size_t udp_to(const char *dst, size_t len, uint16_t frag, uint8_t ttl)
{
	static uint8_t data[3000];
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 7);
	size_t l = nj_udp(body, NJ_PEER_IP, dst, 4000, 5000, data, len);
	struct nj_ip_opts o = { .frag_off = frag, .ttl = ttl, .id = 0x1234 };
	return nj_build_ip(frame, NJ_PEER_IP, dst, IPPROTO_UDP_, body, l, &o);
}

START_TEST(test_forward_ok_ttl_and_checksum)
{
	struct net *net = nj_router();
	nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 100, 0, 64));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].ifindex, 2);
	ck_assert_int_eq(memcmp(nj_tx.f[0].buf, nj_lan_mac, 6), 0);
	ck_assert_int_eq(memcmp(nj_tx.f[0].buf + 6, NJ_ROUTER_MAC1, 6), 0);
	ck_assert_int_eq(nj_tx_ip(0)->ttl, 63);
	ck_assert_int_eq(ip_fast_csum(nj_tx_ip(0), 5), 0);
	ck_assert_int_eq(net->mib[MIB_IP_FORWDATAGRAMS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_OUTTRANSMITS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_OUTREQUESTS], 0);	/* forwarded, not originated */
	const struct nj_rec *e = nj_find("ip_forward", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->verdict, V_FORWARDED);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_incremental_checksum_all_ttls)
{
	/* RFC 1624: the patched checksum equals a full recomputation. */
	for (int ttl = 2; ttl <= 255; ttl += 17) {
		struct net *net = nj_router();
		nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 10 + (size_t)ttl, 0, (uint8_t)ttl));
		ck_assert_int_eq(nj_tx.n, 1);
		ck_assert_int_eq(nj_tx_ip(0)->ttl, ttl - 1);
		ck_assert_int_eq(ip_fast_csum(nj_tx_ip(0), 5), 0);
		nj_net_free(net);
	}
}
END_TEST

START_TEST(test_forward_l2_broadcast_not_forwarded)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net *net = nj_router();
	size_t l = udp_to(NJ_LAN_HOST, 20, 0, 64);
	memcpy(frame, bcast, 6);
	nj_inject_on(net, 0, frame, l);
	ck_assert_ptr_nonnull(nj_find("ip_forward", 'B'));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_ttl_expired_quotes_original)
{
	struct net *net = nj_router();
	size_t l = udp_to(NJ_LAN_HOST, 40, 0, 1);
	uint8_t orig[28];
	memcpy(orig, frame + ETH_HLEN, 28);
	nj_inject_on(net, 0, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_FORWDATAGRAMS], 0);
	ck_assert_int_eq(nj_tx.n, 1);
	const struct iphdr *ip = nj_tx_ip(0);
	const uint8_t *icmp = nj_tx_l4(0);
	ck_assert_int_eq(ip->daddr, nj_ip(NJ_PEER_IP));
	ck_assert_int_eq(ip->saddr, nj_ip(NJ_HOST_IP));		/* the address facing the sender */
	ck_assert_int_eq(icmp[0], ICMP_TIME_EXCEEDED);
	ck_assert_int_eq(icmp[1], ICMP_EXC_TTL);
	ck_assert_int_eq(memcmp(icmp + 8, orig, 28), 0);		/* header as received, TTL 1 */
	ck_assert_int_eq(ntohs(ip->tot_len), 20 + 8 + 20 + 8 + 40);	/* whole datagram fits */
	ck_assert_int_eq(csum_fold(csum_partial(icmp, ntohs(ip->tot_len) - 20u, 0)), 0);
	ck_assert_int_eq(ip_fast_csum(ip, 5), 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTTIMEEXCDS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTMSGS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_df_over_mtu_frag_needed)
{
	struct net *net = nj_router();		/* eth1 MTU 1400 */
	nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 1472, IP_DF, 64));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_BIG);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGFAILS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_FORWDATAGRAMS], 1);	/* modern: counted before the MTU test */
	ck_assert_int_eq(nj_tx.n, 1);
	const uint8_t *icmp = nj_tx_l4(0);
	ck_assert_int_eq(icmp[0], ICMP_DEST_UNREACH);
	ck_assert_int_eq(icmp[1], ICMP_FRAG_NEEDED);
	ck_assert_int_eq(icmp[6] << 8 | icmp[7], 1400);		/* next-hop MTU */
	ck_assert_int_eq(((const struct iphdr *)(icmp + 8))->ttl, 64);	/* not yet decremented */
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->tot_len), 576);	/* quote capped at 576 bytes */
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_24_order)
{
	struct net *net = nj_router();
	net->kernel = KERNEL_2_4;
	nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 1472, IP_DF, 64));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_BIG);
	ck_assert_int_eq(net->mib[MIB_IP_FORWDATAGRAMS], 0);	/* 2.4 counts in ip_forward_finish */
	ck_assert_int_eq(((const struct iphdr *)(nj_tx_l4(0) + 8))->ttl, 63);	/* decremented first */
	nj_tx.n = 0;
	nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 20, 0, 1));
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 0);	/* 2.4 did not count TTL expiry */
	ck_assert_int_eq(nj_tx.n, 1);
	nj_tx.n = 0;
	nj_inject_on(net, 0, frame, udp_to(NJ_LAN_HOST, 20, 0, 64));
	ck_assert_int_eq(net->mib[MIB_IP_FORWDATAGRAMS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_fragments_on_output)
{
	struct net *net = nj_router();
	size_t l = udp_to(NJ_LAN_HOST, 2000, 0, 64);
	uint8_t orig[2100];
	size_t dlen = l - ETH_HLEN - 20;
	memcpy(orig, frame + ETH_HLEN + 20, dlen);
	nj_inject_on(net, 0, frame, l);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGOKS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_FRAGCREATES], 2);
	uint8_t got[2100];
	size_t have = 0;
	for (int i = 0; i < 2; i++) {
		const struct iphdr *ip = nj_tx_ip(i);
		uint16_t fo = ntohs(ip->frag_off);
		ck_assert_int_le(ntohs(ip->tot_len), 1400);
		ck_assert_int_eq(ip_fast_csum(ip, 5), 0);
		ck_assert_int_eq(ntohs(ip->id), 0x1234);
		ck_assert_int_eq(!!(fo & IP_MF), i == 0);
		ck_assert_int_eq((fo & IP_OFFSET) * 8, (int)have);
		if (i == 0)
			ck_assert_int_eq((ntohs(ip->tot_len) - 20) % 8, 0);
		memcpy(got + have, nj_tx_l4(i), ntohs(ip->tot_len) - 20u);
		have += ntohs(ip->tot_len) - 20u;
	}
	ck_assert_int_eq(have, dlen);
	ck_assert_int_eq(memcmp(got, orig, dlen), 0);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_via_gateway_uses_gateway_mac)
{
	static const uint8_t gw_mac[6] = { 0x02, 0, 0, 0, 0x01, 0xfe };
	struct net *net = nj_router();
	fib_add_route(net, nj_ip("172.16.0.0"), 16, nj_ip("192.168.1.254"), 2, RTN_UNICAST, 0);
	neigh_add_static(net, &net->devs[1], nj_ip("192.168.1.254"), gw_mac);
	nj_inject_on(net, 0, frame, udp_to("172.16.3.4", 10, 0, 64));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(memcmp(nj_tx.f[0].buf, gw_mac, 6), 0);
	ck_assert_int_eq(nj_tx_ip(0)->daddr, nj_ip("172.16.3.4"));
	nj_net_free(net);
}
END_TEST

static Suite *forward_suite(void)
{
	Suite *s = suite_create("forward");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_forward_ok_ttl_and_checksum);
	tcase_add_test(core, test_forward_incremental_checksum_all_ttls);
	tcase_add_test(core, test_forward_fragments_on_output);
	tcase_add_test(core, test_forward_via_gateway_uses_gateway_mac);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_forward_l2_broadcast_not_forwarded);
	tcase_add_test(err, test_forward_ttl_expired_quotes_original);
	tcase_add_test(err, test_forward_df_over_mtu_frag_needed);
	tcase_add_test(err, test_forward_24_order);
	suite_add_tcase(s, err);
	return s;
}

NJ_TEST_MAIN(forward_suite)
