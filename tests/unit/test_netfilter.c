/*
 * test_netfilter.c - hook functions in priority order, every verdict
 * (ACCEPT, DROP, STOLEN, QUEUE with and without bypass, REPEAT, LOG),
 * every match, the five hook points, and REJECT sending its ICMP error
 * or TCP reset.
 */
#include "nj_check.h"
#include "netfilter.h"

static uint8_t frame[2048];
static uint8_t body[1500];

static struct nf_rule rule(int hook, int prio, int target)
{
	struct nf_rule r = { .hook = hook, .priority = prio, .target = target };
	r.m = (struct nf_match){ .proto = -1, .sport_lo = -1, .sport_hi = -1, .dport_lo = -1, .dport_hi = -1,
				 .fragment = -1 };
	return r;
}

static size_t ping(const char *dst)
{
	size_t l = nj_icmp_echo(body, 9, 1, 16);
	return nj_build_ip(frame, NJ_PEER_IP, dst, IPPROTO_ICMP_, body, l, NULL);
}

static size_t udp(uint16_t sport, uint16_t dport, uint16_t frag)
{
	uint8_t d[16] = { 1 };
	size_t l = nj_udp(body, NJ_PEER_IP, NJ_HOST_IP, sport, dport, d, sizeof(d));
	struct nj_ip_opts o = { .frag_off = frag };
	return nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, body, l, &o);
}

static size_t tcp(uint8_t flags, uint32_t seq, uint32_t ack)
{
	size_t l = nj_tcp(body, NJ_PEER_IP, NJ_HOST_IP, 40000, 80, seq, ack, flags, "abc", 3);
	return nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, body, l, NULL);
}

START_TEST(test_nf_priority_order)
{
	struct net *net = nj_router();
	struct nf_rule d = rule(NF_INET_LOCAL_IN, 10, NFT_DROP), a = rule(NF_INET_LOCAL_IN, -10, NFT_ACCEPT);
	nf_register_rule(net, &d);
	nf_register_rule(net, &a);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	/* ACCEPT ends only its own hook function: the later one still drops. */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	const struct nj_rec *e = NULL;
	for (int i = 0; i < nj_rec.n; i++)
		if (!strcmp(nj_rec.ev[i].fn, "nf_hook") && strstr(nj_rec.ev[i].args, "LOCAL_IN"))
			e = &nj_rec.ev[i];
	ck_assert_ptr_nonnull(e);
	char *p1 = strstr(e->args, "prio -10"), *p2 = strstr(e->args, "prio 10");
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_nonnull(p2);
	ck_assert(p1 < p2);
	ck_assert_ptr_nonnull(strstr(e->args, "\"verdict\":\"DROP\""));
	nj_net_free(net);
}
END_TEST

START_TEST(test_nf_first_match_in_table_wins)
{
	struct net *net = nj_router();
	struct nf_rule a = rule(NF_INET_PRE_ROUTING, 0, NFT_ACCEPT), d = rule(NF_INET_PRE_ROUTING, 0, NFT_DROP);
	nf_register_rule(net, &a);
	nf_register_rule(net, &d);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	nj_net_free(net);
}
END_TEST

/* The drop reason (-1 none) and whether the echo was delivered with one rule at LOCAL_IN. */
static int verdict_case(int target, int bypass, int *delivered)
{
	struct net *net = nj_router();
	struct nf_rule r = rule(NF_INET_LOCAL_IN, 0, target);
	r.queue_bypass = bypass;
	nf_register_rule(net, &r);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	*delivered = (int)net->mib[MIB_ICMP_INECHOS];
	int dr = nj_drop_reason();
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
	return dr;
}

START_TEST(test_nf_each_verdict)
{
	int dl;
	ck_assert_int_eq(verdict_case(NFT_ACCEPT, 0, &dl), -1);
	ck_assert_int_eq(dl, 1);
	ck_assert_int_eq(verdict_case(NFT_DROP, 0, &dl), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(dl, 0);
	ck_assert_int_eq(verdict_case(NFT_STOLEN, 0, &dl), -1);
	ck_assert_int_eq(dl, 0);
	ck_assert_int_eq(verdict_case(NFT_QUEUE, 0, &dl), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(dl, 0);
	ck_assert_ptr_nonnull(nj_find("nf_queue", 'i'));
	ck_assert_int_eq(verdict_case(NFT_QUEUE, 1, &dl), -1);
	ck_assert_int_eq(dl, 1);
	ck_assert_int_eq(verdict_case(NFT_REPEAT, 0, &dl), -1);	/* loop cut short, accepted */
	ck_assert_int_eq(dl, 1);
	ck_assert_int_eq(verdict_case(NFT_LOG, 0, &dl), -1);
	ck_assert_int_eq(dl, 1);
	ck_assert_ptr_nonnull(nj_find("nf_log_packet", 'i'));
}
END_TEST

/* Whether a DROP rule with match m at hook applies to the frame. */
static int matches(int hook, const struct nf_match *m, size_t len, int on)
{
	struct net *net = nj_router();
	struct nf_rule r = rule(hook, 0, NFT_DROP);
	r.m = *m;
	nf_register_rule(net, &r);
	nj_inject_on(net, on, frame, len);
	int hit = nj_drop_reason() == SKB_DROP_REASON_NETFILTER_DROP;
	nj_net_free(net);
	return hit;
}

START_TEST(test_nf_each_match)
{
	struct nf_match m = rule(0, 0, 0).m, any = m;
	m.proto = IPPROTO_ICMP_;
	ck_assert(matches(NF_INET_PRE_ROUTING, &m, ping(NJ_HOST_IP), 0));
	ck_assert(!matches(NF_INET_PRE_ROUTING, &m, udp(1, 53, 0), 0));
	m = any; m.saddr = nj_ip("10.0.0.0"); m.smask = nj_ip("255.0.0.0");
	ck_assert(matches(NF_INET_PRE_ROUTING, &m, ping(NJ_HOST_IP), 0));
	m.saddr = nj_ip("172.16.0.0"); m.smask = nj_ip("255.240.0.0");
	ck_assert(!matches(NF_INET_PRE_ROUTING, &m, ping(NJ_HOST_IP), 0));
	m = any; m.daddr = nj_ip(NJ_HOST_IP); m.dmask = 0xffffffff;
	ck_assert(matches(NF_INET_LOCAL_IN, &m, ping(NJ_HOST_IP), 0));
	m = any; m.proto = IPPROTO_UDP_; m.dport_lo = m.dport_hi = 53;
	ck_assert(matches(NF_INET_LOCAL_IN, &m, udp(1000, 53, 0), 0));
	ck_assert(!matches(NF_INET_LOCAL_IN, &m, udp(1000, 54, 0), 0));
	m = any; m.proto = IPPROTO_UDP_; m.sport_lo = 1000; m.sport_hi = 2000;
	ck_assert(matches(NF_INET_PRE_ROUTING, &m, udp(1500, 53, 0), 0));
	ck_assert(!matches(NF_INET_PRE_ROUTING, &m, udp(999, 53, 0), 0));
	m = any; snprintf(m.in, sizeof(m.in), "eth0");
	ck_assert(matches(NF_INET_PRE_ROUTING, &m, ping(NJ_HOST_IP), 0));
	snprintf(m.in, sizeof(m.in), "eth1");
	ck_assert(!matches(NF_INET_PRE_ROUTING, &m, ping(NJ_HOST_IP), 0));
	m = any; snprintf(m.out, sizeof(m.out), "eth1");
	ck_assert(matches(NF_INET_FORWARD, &m, ping(NJ_LAN_HOST), 0));
	m = any; m.fragment = 1;
	ck_assert(matches(NF_INET_PRE_ROUTING, &m, udp(1, 2, 100), 0));	/* offset 800 */
	ck_assert(!matches(NF_INET_PRE_ROUTING, &m, udp(1, 2, IP_MF), 0));	/* first fragment */
	m = any; m.proto = IPPROTO_TCP_; m.tcp_mask = TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN;
	m.tcp_cmp = TCPHDR_SYN;
	ck_assert(matches(NF_INET_LOCAL_IN, &m, tcp(TCPHDR_SYN, 1, 0), 0));
	ck_assert(!matches(NF_INET_LOCAL_IN, &m, tcp(TCPHDR_SYN | TCPHDR_ACK, 1, 1), 0));
}
END_TEST

START_TEST(test_nf_forward_and_post_routing_hooks)
{
	struct nf_match any = rule(0, 0, 0).m;
	ck_assert(matches(NF_INET_FORWARD, &any, ping(NJ_LAN_HOST), 0));
	ck_assert(matches(NF_INET_POST_ROUTING, &any, ping(NJ_LAN_HOST), 0));
	ck_assert(!matches(NF_INET_FORWARD, &any, ping(NJ_HOST_IP), 0));
}
END_TEST

START_TEST(test_nf_local_out_drops_reply)
{
	struct net *net = nj_router();
	struct nf_rule r = rule(NF_INET_LOCAL_OUT, 0, NFT_DROP);
	nf_register_rule(net, &r);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	nj_net_free(net);
}
END_TEST

START_TEST(test_nf_reject_icmp)
{
	struct net *net = nj_router();
	struct nf_rule r = rule(NF_INET_LOCAL_IN, 0, NFT_REJECT);
	r.m.proto = IPPROTO_UDP_;
	nf_register_rule(net, &r);
	nj_inject(net, frame, udp(1000, 53, 0));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx_l4(0)[0], ICMP_DEST_UNREACH);
	ck_assert_int_eq(nj_tx_l4(0)[1], ICMP_PORT_UNREACH);
	ck_assert_int_eq(net->mib[MIB_UDP_NOPORTS], 0);		/* never reached UDP */
	nj_net_free(net);
	/* at PRE_ROUTING, with another code */
	net = nj_router();
	r = rule(NF_INET_PRE_ROUTING, 0, NFT_REJECT);
	r.reject_with = NF_REJECT_HOST_PROHIBITED;
	nf_register_rule(net, &r);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx_l4(0)[1], 10);
	nj_net_free(net);
}
END_TEST

START_TEST(test_nf_reject_tcp_reset)
{
	struct net *net = nj_router();
	struct nf_rule r = rule(NF_INET_LOCAL_IN, 0, NFT_REJECT);
	r.m.proto = IPPROTO_TCP_;
	r.reject_with = NF_REJECT_TCP_RESET;
	nf_register_rule(net, &r);
	nj_inject(net, frame, tcp(TCPHDR_SYN, 1000, 0));
	ck_assert_int_eq(nj_tx.n, 1);
	const struct tcphdr *th = (const struct tcphdr *)nj_tx_l4(0);
	ck_assert_int_eq(th->flags, TCPHDR_RST | TCPHDR_ACK);
	ck_assert_int_eq(ntohl(th->ack_seq), 1000 + 3 + 1);	/* data + SYN */
	ck_assert_int_eq(ntohs(th->dest), 40000);
	ck_assert_int_eq(csum_tcpudp(nj_tx_ip(0)->saddr, nj_tx_ip(0)->daddr, IPPROTO_TCP_, th, 20), 0);
	nj_tx.n = 0;
	nj_inject(net, frame, tcp(TCPHDR_ACK, 5, 777));
	th = (const struct tcphdr *)nj_tx_l4(0);
	ck_assert_int_eq(th->flags, TCPHDR_RST);
	ck_assert_int_eq(ntohl(th->seq), 777);
	nj_net_free(net);
}
END_TEST

/* QUEUE with --queue-bypass and no listener moves on to the next hook
 * function (nf_hook_slow), which may still drop: it is not an ACCEPT of
 * the whole hook. */
START_TEST(test_nf_queue_bypass_then_later_drop)
{
	struct net *net = nj_router();
	struct nf_rule q = rule(NF_INET_LOCAL_IN, -10, NFT_QUEUE), d = rule(NF_INET_LOCAL_IN, 10, NFT_DROP);
	q.queue_bypass = 1;
	nf_register_rule(net, &q);
	nf_register_rule(net, &d);
	nj_inject(net, frame, ping(NJ_HOST_IP));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 0);
	ck_assert_ptr_nonnull(nj_find("nf_queue", 'i'));
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

static Suite *netfilter_suite(void)
{
	Suite *s = suite_create("netfilter");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_nf_priority_order);
	tcase_add_test(core, test_nf_queue_bypass_then_later_drop);
	tcase_add_test(core, test_nf_first_match_in_table_wins);
	tcase_add_test(core, test_nf_each_verdict);
	tcase_add_test(core, test_nf_each_match);
	tcase_add_test(core, test_nf_forward_and_post_routing_hooks);
	tcase_add_test(core, test_nf_local_out_drops_reply);
	suite_add_tcase(s, core);
	TCase *rej = tcase_create("Reject");
	tcase_add_test(rej, test_nf_reject_icmp);
	tcase_add_test(rej, test_nf_reject_tcp_reset);
	suite_add_tcase(s, rej);
	return s;
}

NJ_TEST_MAIN(netfilter_suite)
