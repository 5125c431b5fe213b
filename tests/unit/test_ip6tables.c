/*
 * test_ip6tables.c - the IPv6 netfilter hooks (issue 24): each of the five
 * hooks on the IPv6 path with a "family": "ipv6" rule, the families kept
 * apart, hit counters, REJECT as ip6t_REJECT (each ICMPv6 code, tcp-reset
 * with its sequence numbers, no answer to a bad checksum), the scenario's
 * errors, and diff-kernel's nftables form of IPv6 rules.
 */
#include "nj_check.h"
#include "diffkernel.h"
#include "ipv6.h"
#include "netfilter.h"
#include "scenario.h"

#define H6 "fd00::2"
#define P6 "fd00::1"

static uint8_t fr[4096], pl[4096];
static char err[512], out[1024];

static struct in6 a6(const char *s)
{
	struct in6 a;
	ck_assert_int_eq(in6_pton(s, &a), 0);
	return a;
}

/* nj_net with fd00::2/64, fd00::1 known, and the rules (a JSON array). */
static struct net *net_rules(const char *rules)
{
	struct net *net = nj_net();
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(ipv6_add_addr(net, &net->devs[0], &h, 64), 0);
	ck_assert_int_eq(ndisc_add_static(net, &net->devs[0], &p, nj_peer_mac), 0);
	cJSON *arr = cJSON_Parse(rules);
	ck_assert_ptr_nonnull(arr);
	ck_assert_msg(scenario_netfilter(net, arr, err, sizeof(err)) == 0, "%s", err);
	cJSON_Delete(arr);
	nj_capture_tx(net);
	return net;
}

static const struct ipv6hdr *tx6(int i) { return (const struct ipv6hdr *)(nj_tx.f[i].buf + ETH_HLEN); }
static const uint8_t *tx6_l4(int i) { return nj_tx.f[i].buf + ETH_HLEN + 40; }

static size_t ping6(const char *src, const char *dst)
{
	memset(pl, 0, 16);
	pl[0] = ICMPV6_ECHO_REQUEST;
	pl[7] = 1;
	pb_csum6(src, dst, NEXTHDR_ICMP, pl, 16, 2);
	return pb_eth_ip6(fr, src, dst, NEXTHDR_ICMP, 64, pl, 16);
}

static size_t udp6(uint16_t dport, int bad_csum)
{
	memset(pl, 0, 12);
	pl[1] = 53;
	pl[2] = (uint8_t)(dport >> 8);
	pl[3] = (uint8_t)dport;
	pl[5] = 12;
	pb_csum6(P6, H6, NEXTHDR_UDP, pl, 12, 6);
	if (bad_csum)
		pl[7] ^= 0x55;
	return pb_eth_ip6(fr, P6, H6, NEXTHDR_UDP, 64, pl, 12);
}

static size_t syn6(uint16_t dport, uint32_t seq)
{
	memset(pl, 0, 20);
	pl[1] = 99;
	pl[2] = (uint8_t)(dport >> 8);
	pl[3] = (uint8_t)dport;
	pl[4] = (uint8_t)(seq >> 24);
	pl[5] = (uint8_t)(seq >> 16);
	pl[6] = (uint8_t)(seq >> 8);
	pl[7] = (uint8_t)seq;
	pl[12] = 5 << 4;
	pl[13] = TCPHDR_SYN;
	pb_csum6(P6, H6, NEXTHDR_TCP, pl, 20, 16);
	return pb_eth_ip6(fr, P6, H6, NEXTHDR_TCP, 64, pl, 20);
}

static uint64_t hits[8];
static int nhits;

static void collect(void *ctx, const struct nf_rule *r)
{
	(void)ctx;
	if (nhits < 8)
		hits[nhits++] = r->pkts;
}

static void rule_hits(struct net *net)
{
	nhits = 0;
	nf_for_each_rule(net, collect, NULL);
}

START_TEST(test_prerouting_drop_families_apart)
{
	struct net *net = net_rules("[{\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"icmp\"},\"verdict\":\"DROP\"},"
				    "{\"family\":\"ipv6\",\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"icmpv6\","
				    "\"icmp_type\":\"echo-request\",\"saddr\":\"fd00::66/128\"},\"verdict\":\"DROP\"}]");
	nj_inject(net, fr, ping6("fd00::66", H6));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_rec.n = 0;
	nj_inject(net, fr, ping6(P6, H6));				/* the IPv4 icmp rule is not ip6tables' */
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx6_l4(0)[0], ICMPV6_ECHO_REPLY);
	rule_hits(net);
	ck_assert_int_eq(nhits, 2);
	ck_assert_uint_eq(hits[0], 0);					/* IPv4 rule: never tried */
	ck_assert_uint_eq(hits[1], 1);
	ck_assert_int_eq(net->mib[MIB_IP6_INRECEIVES], 2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_local_in_reject_port_unreach_and_bad_csum)
{
	struct net *net = net_rules("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"proto\":\"udp\",\"dport\":5353},"
				    "\"verdict\":\"REJECT\"}]");
	nj_inject(net, fr, udp6(5353, 0));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx6_l4(0)[0], ICMPV6_DEST_UNREACH);
	ck_assert_int_eq(tx6_l4(0)[1], ICMPV6_PORT_UNREACH);
	struct in6 p = a6(P6);
	ck_assert(ipv6_addr_equal(&tx6(0)->daddr, &p));
	ck_assert_int_eq(net->mib[MIB_UDP6_NOPORTS], 0);		/* UDP never saw it */
	nj_rec.n = 0;
	nj_inject(net, fr, udp6(5353, 1));				/* reject6_csum_ok: no error */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_reject_tcp_reset_and_codes)
{
	struct net *net = net_rules("[{\"family\":\"ipv6\",\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"tcp\",\"dport\":23},"
				    "\"verdict\":\"REJECT\",\"reject_with\":\"tcp-reset\"},"
				    "{\"family\":\"ipv6\",\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"icmpv6\"},"
				    "\"verdict\":\"REJECT\",\"reject_with\":\"icmp6-adm-prohibited\"}]");
	nj_inject(net, fr, syn6(23, 1000));
	ck_assert_int_eq(nj_tx.n, 1);
	const uint8_t *t = tx6_l4(0);
	ck_assert_int_eq(tx6(0)->nexthdr, NEXTHDR_TCP);
	ck_assert_int_eq(t[13], TCPHDR_RST | TCPHDR_ACK);
	ck_assert_int_eq((t[8] << 24 | t[9] << 16 | t[10] << 8 | t[11]), 1001);	/* ack = seq + SYN */
	ck_assert_int_eq(t[0] << 8 | t[1], 23);
	ck_assert_int_eq(net->mib[MIB_IP6_OUTREQUESTS], 0);	/* nf_send_reset6 is no socket's */
	ck_assert_int_eq(net->mib[MIB_TCP_OUTRSTS], 0);
	nj_inject(net, fr, ping6(P6, H6));
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(tx6_l4(1)[1], ICMPV6_ADM_PROHIBITED);
	nj_net_free(net);
}
END_TEST

START_TEST(test_local_out_drop_counts_outdiscards)
{
	struct net *net = net_rules("[{\"family\":\"ipv6\",\"hook\":\"OUTPUT\",\"match\":{\"proto\":\"icmpv6\","
				    "\"icmp_type\":129},\"verdict\":\"DROP\"}]");
	nj_inject(net, fr, ping6(P6, H6));
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTECHOREPLIES], 1);	/* counted before the hook */
	ck_assert_int_eq(net->mib[MIB_IP6_OUTDISCARDS], 1);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	/* a solicitation refused at LOCAL_OUT is not counted as sent */
	nj_net_free(net);
	net = net_rules("[{\"family\":\"ipv6\",\"hook\":\"LOCAL_OUT\",\"match\":{\"proto\":\"icmpv6\","
			"\"icmp_type\":\"neighbour-solicitation\"},\"verdict\":\"DROP\"}]");
	nj_inject(net, fr, ping6("fd00::99", H6));
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTNEIGHBORSOLICITS], 0);
	ck_assert_int_eq(net->mib[MIB_IP6_OUTDISCARDS], 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forward_and_postrouting)
{
	struct net *net = net_rules("[{\"family\":\"ipv6\",\"hook\":\"FORWARD\",\"match\":{\"daddr\":\"fd01::66\"},"
				    "\"verdict\":\"DROP\"},"
				    "{\"family\":\"ipv6\",\"hook\":\"POSTROUTING\",\"match\":{\"out\":\"eth1\","
				    "\"daddr\":\"fd01::77\"},\"verdict\":\"DROP\"}]");
	struct net_device *eth1 = net_add_dev(net, "eth1", NJ_ROUTER_MAC1, 1500);
	struct in6 a = a6("fd01::1"), l66 = a6("fd01::66"), l77 = a6("fd01::77"), l88 = a6("fd01::88");
	ipv6_add_addr(net, eth1, &a, 64);
	ndisc_add_static(net, eth1, &l66, nj_lan_mac);
	ndisc_add_static(net, eth1, &l77, nj_lan_mac);
	ndisc_add_static(net, eth1, &l88, nj_lan_mac);
	net->ipv6->sysctl.forwarding = 1;
	nj_inject(net, fr, ping6(P6, "fd01::66"));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(net->mib[MIB_IP6_OUTFORWDATAGRAMS], 1);	/* counted before the hook */
	nj_rec.n = 0;
	nj_inject(net, fr, ping6(P6, "fd01::77"));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NETFILTER_DROP);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_inject(net, fr, ping6(P6, "fd01::88"));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].ifindex, 2);
	ck_assert_int_eq(tx6(0)->hop_limit, 63);
	rule_hits(net);
	ck_assert_uint_eq(hits[0] + hits[1], 2);
	nj_net_free(net);
}
END_TEST

static void bad_rule(const char *rule, const char *want)
{
	struct net *net = net_create();
	cJSON *arr = cJSON_Parse(rule);
	ck_assert_ptr_nonnull(arr);
	err[0] = 0;
	ck_assert_int_eq(scenario_netfilter(net, arr, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"", rule, err, want);
	cJSON_Delete(arr);
	net_destroy(net);
}

START_TEST(test_scenario_errors)
{
	bad_rule("[{\"family\":\"ipx\",\"hook\":\"INPUT\",\"verdict\":\"DROP\"}]", "netfilter[0].family");
	bad_rule("[{\"hook\":\"INPUT\",\"match\":{\"saddr\":\"fd00::1\"},\"verdict\":\"DROP\"}]",
		 "need \"family\": \"ipv6\"");
	bad_rule("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"saddr\":\"10.0.0.1\"},\"verdict\":\"DROP\"}]",
		 "netfilter[0].match.saddr");
	bad_rule("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"proto\":\"icmp\"},\"verdict\":\"DROP\"}]",
		 "\"icmpv6\"");
	bad_rule("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"icmp_type\":128},\"verdict\":\"DROP\"}]",
		 "icmp_type: needs \"proto\": \"icmpv6\"");
	bad_rule("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"verdict\":\"REJECT\",\"reject_with\":"
		 "\"icmp-host-unreachable\"}]", "unknown for ip6tables");
	bad_rule("[{\"hook\":\"INPUT\",\"verdict\":\"REJECT\",\"reject_with\":\"icmp6-no-route\"}]",
		 "unknown for iptables");
}
END_TEST

static void copy_rule(void *ctx, const struct nf_rule *r)
{
	*(struct nf_rule *)ctx = *r;
}

static const char *nft6(const char *rule)
{
	struct nf_rule r = { .hook = -1 };
	struct net *net = net_create();
	cJSON *arr = cJSON_Parse(rule);
	ck_assert_msg(scenario_netfilter(net, arr, err, sizeof(err)) == 0, "%s", err);
	nf_for_each_rule(net, copy_rule, &r);
	cJSON_Delete(arr);
	net_destroy(net);
	ck_assert_msg(dk_nft_rule(&r, out, sizeof(out), err, sizeof(err)) == 0, "%s", err);
	return out;
}

START_TEST(test_nft_form)
{
	ck_assert_str_eq(nft6("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"proto\":\"icmpv6\",\"icmp_type\":"
			      "\"echo-request\",\"saddr\":\"fd00::/64\"},\"verdict\":\"REJECT\"}]"),
			 "meta l4proto ipv6-icmp ip6 saddr fd00::/64 icmpv6 type 128 reject with icmpv6 type "
			 "port-unreachable");
	ck_assert_str_eq(nft6("[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"match\":{\"proto\":\"tcp\",\"dport\":23},"
			      "\"verdict\":\"REJECT\",\"reject_with\":\"tcp-reset\"}]"),
			 "meta l4proto tcp tcp dport 23 reject with tcp reset");
	char *text = NULL;
	int n = 0;
	ck_assert_msg(dk_nft_ruleset("{\"netfilter\":[{\"family\":\"ipv6\",\"hook\":\"INPUT\",\"verdict\":\"DROP\"},"
				     "{\"hook\":\"INPUT\",\"verdict\":\"DROP\"}]}", &text, &n, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(text, "table ip netjourney {\n\tchain input_p0 {\n\t\ttype filter hook input priority 0; "
			 "policy accept;\n\t\tdrop comment \"netfilter[1]\"\n\t}\n}\ntable ip6 netjourney6 {\n"
			 "\tchain input_p0 {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tdrop comment "
			 "\"netfilter[0]\"\n\t}\n}\n");
	free(text);
}
END_TEST

static Suite *ip6tables_suite(void)
{
	Suite *s = suite_create("ip6tables");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_prerouting_drop_families_apart);
	tcase_add_test(c, test_local_in_reject_port_unreach_and_bad_csum);
	tcase_add_test(c, test_reject_tcp_reset_and_codes);
	tcase_add_test(c, test_local_out_drop_counts_outdiscards);
	tcase_add_test(c, test_forward_and_postrouting);
	tcase_add_test(c, test_scenario_errors);
	tcase_add_test(c, test_nft_form);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(ip6tables_suite)
