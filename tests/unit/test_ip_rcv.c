/*
 * test_ip_rcv.c - ip_rcv_core's checks, one test per check and drop reason,
 * with the counters Linux bumps; eth_type_trans classification; VLAN;
 * backlog overflow.
 */
#include "nj_check.h"

static uint8_t frame[2048];
static uint8_t body[1500];

static size_t ping(const struct nj_ip_opts *o)
{
	size_t l = nj_icmp_echo(body, 1, 1, 56);
	return nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, l, o);
}

START_TEST(test_ip_rcv_valid_echo_delivered)
{
	struct net *net = nj_net();
	nj_inject(net, frame, ping(NULL));
	ck_assert_int_eq(net->mib[MIB_IP_INRECEIVES], 1);
	ck_assert_int_eq(net->mib[MIB_IP_INDELIVERS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	ck_assert_ptr_nonnull(nj_find("icmp_rcv", 'B'));
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_otherhost)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct nj_ip_opts o = { .dst_mac = other };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_OTHERHOST);
	ck_assert_int_eq(net->mib[MIB_IP_INRECEIVES], 0);	/* before InReceives */
	ck_assert_int_eq(net->devs[0].rx_otherhost_dropped, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_too_short_for_header)
{
	struct net *net = nj_net();
	size_t l = ping(NULL);
	(void)l;
	nj_inject(net, frame, ETH_HLEN + 12);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_INRECEIVES], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_bad_version)
{
	struct nj_ip_opts o = { .version = 6 };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_ihl_below_5)
{
	struct nj_ip_opts o = { .ihl = 4 };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_options_missing)
{
	/* ihl 15 claims 60 header bytes; only 20 + 8 arrive. */
	struct net *net = nj_net();
	uint8_t b[8] = { 0 };
	struct nj_ip_opts o = { .ihl = 5 };
	size_t l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, b, 8, &o);
	frame[ETH_HLEN] = 0x4f;
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_bad_checksum)
{
	struct nj_ip_opts o = { .bad_csum = 1 };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_CSUM);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INCSUMERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_bad_checksum_ignored_with_no_csum)
{
	struct nj_ip_opts o = { .bad_csum = 1 };
	struct net *net = nj_net();
	net->sysctl.verify_checksums = 0;
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_int_eq(net->mib[MIB_IP_INDELIVERS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_tot_len_too_big)
{
	struct nj_ip_opts o = { .tot_len_delta = 10 };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_SMALL);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INTRUNCATEDPKTS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_tot_len_below_header)
{
	struct net *net = nj_net();
	size_t l = ping(NULL);
	struct iphdr *iph = (struct iphdr *)(frame + ETH_HLEN);
	iph->tot_len = htons(19);
	ip_send_check(iph);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INHDR);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_trims_padding)
{
	struct nj_ip_opts o = { .pad = 18 };
	struct net *net = nj_net();
	nj_inject(net, frame, ping(&o));
	const struct nj_rec *e = nj_find("ip_rcv_core", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->args, "\"trimmed\":18"));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);	/* ICMP csum still good after trim */
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_not_ours_inaddrerrors)
{
	struct net *net = nj_net();
	size_t l = nj_icmp_echo(body, 1, 1, 8);
	l = nj_build_ip(frame, NJ_PEER_IP, "192.0.2.9", IPPROTO_ICMP_, body, l, NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INADDRERRORS);
	ck_assert_int_eq(net->mib[MIB_IP_INADDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_unknown_protocol)
{
	struct net *net = nj_net();
	uint8_t b[8] = { 0 };
	size_t l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, 99, b, 8, NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_NOPROTO);
	ck_assert_int_eq(net->mib[MIB_IP_INUNKNOWNPROTOS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_rcv_counters_on_exit_event)
{
	struct net *net = nj_net();
	nj_inject(net, frame, ping(NULL));
	const struct nj_rec *e = nj_find("ip_rcv_core", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->mib[MIB_IP_INRECEIVES], 1);
	ck_assert_int_eq(e->verdict, V_PASS);
	nj_net_free(net);
}
END_TEST

/* eth_type_trans */
static int classify(const uint8_t *dmac, uint16_t proto, uint16_t *outp)
{
	struct net *net = nj_net();
	uint8_t f[64] = { 0 };
	memcpy(f, dmac, 6);
	memcpy(f + 6, nj_peer_mac, 6);
	f[12] = (uint8_t)(proto >> 8);
	f[13] = (uint8_t)proto;
	struct sk_buff *skb = alloc_skb(net, 64);
	memcpy(skb_put(skb, 60), f, 60);
	*outp = eth_type_trans(net, skb, &net->devs[0]);
	int t = skb->pkt_type;
	ck_assert_int_eq(skb->len, 46);
	kfree_skb(net, skb);
	nj_net_free(net);
	return t;
}

START_TEST(test_eth_type_trans_classes)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint16_t p;
	ck_assert_int_eq(classify(nj_host_mac, ETH_P_IP, &p), PACKET_HOST);
	ck_assert_int_eq(p, ETH_P_IP);
	ck_assert_int_eq(classify(bcast, ETH_P_ARP, &p), PACKET_BROADCAST);
	ck_assert_int_eq(classify(mcast, ETH_P_IP, &p), PACKET_MULTICAST);
	ck_assert_int_eq(classify(other, ETH_P_IP, &p), PACKET_OTHERHOST);
	classify(nj_host_mac, 0x0040, &p);	/* an 802.3 length; payload 00 → LLC */
	ck_assert_int_eq(p, ETH_P_802_2);
}
END_TEST

static size_t vlan_ping(uint16_t vid)
{
	size_t l = ping(NULL);
	memmove(frame + 16, frame + 12, l - 12);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = (uint8_t)(0xa0 | (vid >> 8));
	frame[15] = (uint8_t)vid;
	return l + 4;
}

START_TEST(test_vlan_zero_is_untagged_and_delivered)
{
	struct net *net = nj_net();
	nj_inject(net, frame, vlan_ping(0));
	ck_assert_ptr_nonnull(nj_find("skb_vlan_untag", 'i'));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_vlan_unknown_id_is_otherhost)
{
	struct net *net = nj_net();
	nj_inject(net, frame, vlan_ping(11));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_OTHERHOST);
	nj_net_free(net);
}
END_TEST

START_TEST(test_vlan_configured_id_delivered)
{
	struct net *net = nj_net();
	net->devs[0].vlans[0] = 11;
	net->devs[0].nvlans = 1;
	nj_inject(net, frame, vlan_ping(11));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_unknown_ethertype_unhandled)
{
	struct net *net = nj_net();
	size_t l = ping(NULL);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_UNHANDLED_PROTO);
	ck_assert_int_eq(net->devs[0].rx_nohandler, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_backlog_overflow_cpu_backlog)
{
	struct net *net = nj_net();
	trace_clear_sinks(net);		/* 1000s of events: count only */
	size_t l = ping(NULL);
	int drops = 0;
	for (int i = 0; i < 1005; i++)
		drops += nj_inject_nosoftirq(net, frame, l, i + 1) == NET_RX_DROP;
	/* qlen <= 1000 is accepted, so 1001 fit and 4 are dropped. */
	ck_assert_int_eq(drops, 4);
	ck_assert_int_eq(net->sd.dropped, 4);
	ck_assert_int_eq(net->mib[MIB_SOFTNET_DROPPED], 4);
	ck_assert_int_eq(net_rx_action(net), 1001);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1001);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_backlog_drop_reason_traced)
{
	struct net *net = nj_net();
	net->sysctl.netdev_max_backlog = 1;
	size_t l = ping(NULL);
	nj_inject_nosoftirq(net, frame, l, 1);
	nj_inject_nosoftirq(net, frame, l, 2);
	nj_rec.n = 0;
	ck_assert_int_eq(nj_inject_nosoftirq(net, frame, l, 3), NET_RX_DROP);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_CPU_BACKLOG);
	net_rx_action(net);
	nj_net_free(net);
}
END_TEST

static Suite *ip_rcv_suite(void)
{
	Suite *s = suite_create("ip_rcv");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_ip_rcv_valid_echo_delivered);
	tcase_add_test(core, test_ip_rcv_trims_padding);
	tcase_add_test(core, test_ip_rcv_counters_on_exit_event);
	tcase_add_test(core, test_eth_type_trans_classes);
	tcase_add_test(core, test_vlan_zero_is_untagged_and_delivered);
	tcase_add_test(core, test_vlan_configured_id_delivered);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_ip_rcv_otherhost);
	tcase_add_test(err, test_ip_rcv_too_short_for_header);
	tcase_add_test(err, test_ip_rcv_bad_version);
	tcase_add_test(err, test_ip_rcv_ihl_below_5);
	tcase_add_test(err, test_ip_rcv_options_missing);
	tcase_add_test(err, test_ip_rcv_bad_checksum);
	tcase_add_test(err, test_ip_rcv_bad_checksum_ignored_with_no_csum);
	tcase_add_test(err, test_ip_rcv_tot_len_too_big);
	tcase_add_test(err, test_ip_rcv_tot_len_below_header);
	tcase_add_test(err, test_ip_rcv_not_ours_inaddrerrors);
	tcase_add_test(err, test_ip_rcv_unknown_protocol);
	tcase_add_test(err, test_vlan_unknown_id_is_otherhost);
	tcase_add_test(err, test_unknown_ethertype_unhandled);
	suite_add_tcase(s, err);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_backlog_overflow_cpu_backlog);
	tcase_add_test(lim, test_backlog_drop_reason_traced);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(ip_rcv_suite)
