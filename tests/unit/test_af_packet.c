/*
 * test_af_packet.c - PF_PACKET sockets (stack/af_packet.c): taps see every
 * frame, OTHERHOST included, without disturbing the stack; filters decide
 * and truncate (snaplen); a full receive queue counts tp_drops; SOCK_DGRAM
 * starts at the network header; the scenario section's validation.
 */
#include "nj_check.h"
#include "af_packet.h"
#include "scenario.h"

static uint8_t frame[2048];
static uint8_t body[1500];

static size_t ping_to(const uint8_t *dst_mac)
{
	struct nj_ip_opts o = { .dst_mac = dst_mac };
	size_t l = nj_icmp_echo(body, 1, 1, 56);
	return nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, l, &o);
}

static struct packet_sock *tap(struct net *net, const char *name, int type, uint16_t proto, const char *filter)
{
	char err[256];
	struct packet_sock *po = packet_create(net, name, type, proto, err, sizeof(err));
	ck_assert_msg(po != NULL, "%s", err);
	if (filter) {
		struct bpf_prog *prog;
		ck_assert_msg(bpf_compile_filter(filter, packet_sock_linktype(po), &prog, err, sizeof(err)) == 0, "%s", err);
		sk_attach_filter(po, prog);
	}
	return po;
}

START_TEST(test_packet_tap_sees_otherhost)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "tcpdump", NJ_SOCK_RAW, ETH_P_ALL, NULL);
	size_t l = ping_to(other);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_OTHERHOST);	/* ip_rcv still drops it */
	struct packet_frame *f = packet_recvmsg(po);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->sll.sll_pkttype, PACKET_OTHERHOST);
	ck_assert_int_eq(f->sll.sll_ifindex, 1);
	ck_assert_int_eq(f->sll.sll_protocol, ETH_P_IP);
	ck_assert_mem_eq(f->sll.sll_addr, nj_peer_mac, 6);
	ck_assert_uint_eq(f->caplen, l);
	ck_assert_mem_eq(f->data, frame, l);			/* from the MAC header */
	free(f);
	ck_assert_ptr_null(packet_recvmsg(po));
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_skb_reaches_ip_rcv_unchanged)
{
	/* The same ping into a host without and with taps: same outcome. */
	struct net *ref = nj_net();
	nj_inject(ref, frame, ping_to(nj_host_mac));
	uint64_t live = ref->skbs_live;
	nj_net_free(ref);

	struct net *net = nj_net();
	tap(net, "a", NJ_SOCK_RAW, ETH_P_ALL, "icmp");
	tap(net, "b", NJ_SOCK_DGRAM, ETH_P_ALL, NULL);
	nj_inject(net, frame, ping_to(nj_host_mac));
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_int_eq(net->mib[MIB_IP_INRECEIVES], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);	/* checksums still good */
	ck_assert_uint_eq(net->skbs_live, live);		/* the copies are not skbs */
	/* The taps ran inside __netif_receive_skb, before ip_rcv. */
	int tap_at = -1, ip_at = -1;
	for (int i = 0; i < nj_rec.n; i++) {
		if (tap_at < 0 && !strcmp(nj_rec.ev[i].fn, "packet_rcv"))
			tap_at = i;
		if (ip_at < 0 && !strcmp(nj_rec.ev[i].fn, "ip_rcv"))
			ip_at = i;
	}
	ck_assert_int_ge(tap_at, 0);
	ck_assert_int_gt(ip_at, tap_at);
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_filter_truncates_to_snaplen)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "snap", NJ_SOCK_RAW, ETH_P_ALL, NULL);
	struct sock_filter ret20[] = { { BPF_RET | BPF_K, 0, 0, 20 } };
	struct bpf_prog *prog;
	ck_assert_int_eq(bpf_prog_create(&prog, ret20, 1, NULL, 0), 0);
	sk_attach_filter(po, prog);
	size_t l = ping_to(nj_host_mac);
	nj_inject(net, frame, l);
	struct packet_frame *f = packet_recvmsg(po);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->caplen, 20);
	ck_assert_uint_eq(f->origlen, l);
	ck_assert_mem_eq(f->data, frame, 20);
	free(f);
	const struct nj_rec *e = nj_find("packet_rcv", 'E');
	ck_assert_int_eq(e->verdict, V_QUEUED);
	ck_assert_ptr_nonnull(strstr(e->args, "\"snaplen\":20"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_filter_zero_rejects_uncounted)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "web", NJ_SOCK_RAW, ETH_P_ALL, "tcp port 80");
	nj_inject(net, frame, ping_to(nj_host_mac));
	ck_assert_uint_eq(po->qlen, 0);
	/* the request and the host's echo reply (taps see transmits too) */
	ck_assert_uint_eq(po->filtered, 2);
	ck_assert_uint_eq(po->tp_drops, 0);			/* a filter miss is no drop */
	const struct nj_rec *e = nj_find("run_filter", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->args, "\"res\":0"));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_queue_full_counts_tp_drops)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "small", NJ_SOCK_RAW, ETH_P_ALL, NULL);
	po->rcvbuf = 2;
	size_t l = ping_to(nj_host_mac);
	for (int i = 0; i < 5; i++)
		nj_inject(net, frame, l);
	ck_assert_uint_eq(po->qlen, 2);
	ck_assert_uint_eq(po->tp_drops, 8);	/* 5 requests + 5 replies, 2 fit */
	const struct nj_rec *e = NULL;
	for (int i = 0; i < nj_rec.n; i++)
		if (!strcmp(nj_rec.ev[i].fn, "packet_rcv") && nj_rec.ev[i].verdict == V_DROP)
			e = &nj_rec.ev[i];
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->reason, SKB_DROP_REASON_SOCKET_RCVBUFF);
	struct tpacket_stats st = packet_get_stats(po);
	ck_assert_uint_eq(st.tp_packets, 10);	/* requests and replies */		/* received + dropped, as Linux reports */
	ck_assert_uint_eq(st.tp_drops, 8);
	st = packet_get_stats(po);			/* clear on read */
	ck_assert_uint_eq(st.tp_packets, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 5);	/* the stack is not affected */
	nj_net_free(net);				/* frees the queued copies */
}
END_TEST

START_TEST(test_packet_dgram_starts_at_network_header)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "cooked", NJ_SOCK_DGRAM, ETH_P_ALL, "icmp");
	size_t l = ping_to(nj_host_mac);
	nj_inject(net, frame, l);
	struct packet_frame *f = packet_recvmsg(po);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->caplen, l - ETH_HLEN);
	ck_assert_uint_eq(f->data[0], 0x45);
	ck_assert_int_eq(f->sll.sll_protocol, ETH_P_IP);
	free(f);
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_protocol_sockets_match_ethertype)
{
	struct net *net = nj_net();
	struct packet_sock *arp = tap(net, "arp", NJ_SOCK_RAW, ETH_P_ARP, NULL);
	struct packet_sock *ip = tap(net, "ip", NJ_SOCK_RAW, ETH_P_IP, NULL);
	struct packet_sock *none = tap(net, "none", NJ_SOCK_RAW, 0, NULL);
	nj_inject(net, frame, ping_to(nj_host_mac));
	ck_assert_uint_eq(arp->qlen, 0);
	ck_assert_uint_eq(ip->qlen, 1);
	ck_assert_uint_eq(none->qlen, 0);			/* protocol 0: not registered */
	packet_bind(none, ETH_P_ALL, 2);			/* bound to a device we lack */
	nj_inject(net, frame, ping_to(nj_host_mac));
	ck_assert_uint_eq(none->qlen, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_vlan_frame_offered_with_tag)
{
	struct net *net = nj_net();
	net->devs[0].vlans[0] = 11;
	net->devs[0].nvlans = 1;
	struct packet_sock *po = tap(net, "vlan", NJ_SOCK_RAW, ETH_P_ALL, "vlan 11 and icmp");
	size_t l = ping_to(nj_host_mac);
	memmove(frame + 16, frame + 12, l - 12);
	frame[12] = 0x81, frame[13] = 0x00, frame[14] = 0x00, frame[15] = 11;
	nj_inject(net, frame, l + 4);
	struct packet_frame *f = packet_recvmsg(po);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->caplen, l + 4);
	ck_assert_mem_eq(f->data, frame, l + 4);
	free(f);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_trace_bpf_per_instruction)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "t", NJ_SOCK_RAW, ETH_P_ALL, "icmp");
	po->trace_bpf = 1;
	nj_inject(net, frame, ping_to(nj_host_mac));
	int steps = 0;
	for (int i = 0; i < nj_rec.n; i++)
		steps += nj_rec.ev[i].ph == 'i' && !strcmp(nj_rec.ev[i].fn, "bpf_prog_run");
	ck_assert_int_eq(steps, 10);		/* 5 instructions for the request, 5 for the reply */
	po->trace_bpf = 0;
	nj_rec.n = 0;
	nj_inject(net, frame, ping_to(nj_host_mac));
	ck_assert_ptr_null(nj_find("bpf_prog_run", 'i'));
	ck_assert_ptr_nonnull(nj_find("run_filter", 'E'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_xmit_nit_outgoing)
{
	struct net *net = nj_net();
	struct packet_sock *po = tap(net, "out", NJ_SOCK_RAW, ETH_P_ALL, NULL);
	struct packet_sock *ip = tap(net, "ip", NJ_SOCK_RAW, ETH_P_IP, NULL);
	size_t l = ping_to(nj_peer_mac);
	struct sk_buff *skb = alloc_skb(net, (uint32_t)l);
	memcpy(skb_put(skb, (uint32_t)l), frame, l);
	skb->dev = &net->devs[0];
	dev_queue_xmit_nit(net, skb);
	kfree_skb(net, skb);
	struct packet_frame *f = packet_recvmsg(po);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->sll.sll_pkttype, PACKET_OUTGOING);
	ck_assert_uint_eq(f->caplen, l);
	free(f);
	ck_assert_uint_eq(ip->qlen, 0);		/* only ptype_all taps see transmits */
	nj_net_free(net);
}
END_TEST

START_TEST(test_packet_create_bad_type)
{
	struct net *net = nj_net();
	char err[128];
	ck_assert_ptr_null(packet_create(net, "x", NJ_SOCK_STREAM, ETH_P_ALL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "ESOCKTNOSUPPORT"));
	nj_net_free(net);
}
END_TEST

/* ---- scenario "packet_sockets" ---- */

static int scen(struct net *net, const char *json, char *err, size_t n)
{
	cJSON *arr = cJSON_Parse(json);
	ck_assert_ptr_nonnull(arr);
	int r = scenario_packet_sockets(net, arr, err, n);
	cJSON_Delete(arr);
	return r;
}

START_TEST(test_scenario_packet_sockets_valid)
{
	struct net *net = nj_net();
	char err[256] = "";
	ck_assert_int_eq(scen(net, "[{\"name\":\"tcpdump\",\"filter\":\"tcp port 80\",\"type\":\"raw\","
			      "\"protocol\":\"all\",\"trace_bpf\":true},"
			      "{\"name\":\"arpwatch\",\"type\":\"dgram\",\"protocol\":\"0x0806\",\"rcvbuf\":8,\"dev\":\"eth0\"},"
			      "{\"filter\":\"icmp\",\"protocol\":\"ip\"}]", err, sizeof(err)), 0);
	struct packet_sock *t = packet_sock_lookup(net, "tcpdump");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->trace_bpf, 1);
	ck_assert_str_eq(t->filter->expr, "tcp port 80");
	struct packet_sock *a = packet_sock_lookup(net, "arpwatch");
	ck_assert_int_eq(a->type, NJ_SOCK_DGRAM);
	ck_assert_int_eq(a->num, ETH_P_ARP);
	ck_assert_uint_eq(a->rcvbuf, 8);
	ck_assert_int_eq(a->ifindex, 1);
	ck_assert_ptr_nonnull(packet_sock_lookup(net, "packet2"));
	ck_assert_int_eq(packet_sock_lookup(net, "packet2")->num, ETH_P_IP);
	ck_assert_int_eq(scen(net, "null", err, sizeof(err)), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_scenario_packet_sockets_errors_name_field)
{
	static const struct { const char *json, *want; } t[] = {
		{ "[{\"filter\":\"tcp port\"}]", "packet_sockets[0].filter: can't parse filter expression: syntax error" },
		{ "[{},{\"type\":\"stream\"}]", "packet_sockets[1].type:" },
		{ "[{\"protocol\":\"bogus\"}]", "packet_sockets[0].protocol:" },
		{ "[{\"protocol\":\"0x10000\"}]", "packet_sockets[0].protocol:" },
		{ "[{\"fitler\":\"tcp\"}]", "packet_sockets[0].fitler: unknown field" },
		{ "[{\"name\":\"a\"},{\"name\":\"a\"}]", "packet_sockets[1].name: \"a\" is already used" },
		{ "[{\"filter\":42}]", "packet_sockets[0].filter:" },
		{ "[{\"trace_bpf\":\"yes\"}]", "packet_sockets[0].trace_bpf:" },
		{ "[{\"rcvbuf\":0}]", "packet_sockets[0].rcvbuf:" },
		{ "[{\"dev\":\"eth9\"}]", "packet_sockets[0].dev:" },
		{ "[{\"type\":\"dgram\",\"filter\":\"ether host 1:2:3:4:5:6\"}]", "packet_sockets[0].filter:" },
		{ "[3]", "packet_sockets[0]: expected an object" },
		{ "{}", "packet_sockets: expected an array" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct net *net = nj_net();
		char err[256] = "";
		ck_assert_msg(scen(net, t[i].json, err, sizeof(err)) == -1, "%s accepted", t[i].json);
		ck_assert_msg(!strncmp(err, t[i].want, strlen(t[i].want)), "%s: got '%s'", t[i].json, err);
		nj_net_free(net);
	}
}
END_TEST

static Suite *af_packet_suite(void)
{
	Suite *s = suite_create("af_packet");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_packet_tap_sees_otherhost);
	tcase_add_test(core, test_packet_skb_reaches_ip_rcv_unchanged);
	tcase_add_test(core, test_packet_filter_truncates_to_snaplen);
	tcase_add_test(core, test_packet_filter_zero_rejects_uncounted);
	tcase_add_test(core, test_packet_dgram_starts_at_network_header);
	tcase_add_test(core, test_packet_protocol_sockets_match_ethertype);
	tcase_add_test(core, test_packet_vlan_frame_offered_with_tag);
	tcase_add_test(core, test_packet_trace_bpf_per_instruction);
	tcase_add_test(core, test_packet_xmit_nit_outgoing);
	tcase_add_test(core, test_scenario_packet_sockets_valid);
	suite_add_tcase(s, core);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_packet_queue_full_counts_tp_drops);
	suite_add_tcase(s, lim);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_packet_create_bad_type);
	tcase_add_test(err, test_scenario_packet_sockets_errors_name_field);
	suite_add_tcase(s, err);
	return s;
}

NJ_TEST_MAIN(af_packet_suite)
