/*
 * test_diffkernel_nft.c - diff-kernel's translation of the scenario's
 * netfilter rules into nftables (diffkernel/diffkernel_nft.c): every match key,
 * every verdict and reject type, a base chain per hook and priority in the
 * scenario's order, and the refusals naming the rule. tests/diffkernel
 * loads the same text into a real kernel.
 */
#include "nj_check.h"
#include "diffkernel.h"
#include "netfilter.h"
#include "scenario.h"

static char out[1024], err[512];

/* The first rule of a one-rule scenario section, parsed by the loader. */
static void copy_rule(void *ctx, const struct nf_rule *r)
{
	*(struct nf_rule *)ctx = *r;
}

static struct nf_rule parse(const char *rule_json)
{
	char buf[1024];
	struct nf_rule r = { .hook = -1 };
	struct net *net = net_create();
	snprintf(buf, sizeof(buf), "[%s]", rule_json);
	cJSON *arr = cJSON_Parse(buf);
	ck_assert_ptr_nonnull(arr);
	ck_assert_msg(scenario_netfilter(net, arr, err, sizeof(err)) == 0, "%s: %s", rule_json, err);
	nf_for_each_rule(net, copy_rule, &r);
	cJSON_Delete(arr);
	net_destroy(net);
	return r;
}

/* The nft statement for one rule given in the scenario's language. */
static const char *nft(const char *rule_json)
{
	struct nf_rule r = parse(rule_json);
	ck_assert_msg(dk_nft_rule(&r, out, sizeof(out), err, sizeof(err)) == 0, "%s: %s", rule_json, err);
	return out;
}

static void refused(const char *rule_json, const char *why)
{
	struct nf_rule r = parse(rule_json);
	err[0] = 0;
	ck_assert_int_eq(dk_nft_rule(&r, out, sizeof(out), err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, why) != NULL, "%s: err \"%s\" lacks \"%s\"", rule_json, err, why);
}

#define R(match, verdict) "{\"hook\":\"LOCAL_IN\",\"match\":{" match "},\"verdict\":\"" verdict "\"}"

START_TEST(test_nft_each_match)
{
	ck_assert_str_eq(nft(R("", "DROP")), "drop");
	ck_assert_str_eq(nft(R("\"proto\":\"tcp\"", "DROP")), "ip protocol tcp drop");
	ck_assert_str_eq(nft(R("\"proto\":\"udp\"", "DROP")), "ip protocol udp drop");
	ck_assert_str_eq(nft(R("\"proto\":\"icmp\"", "DROP")), "ip protocol icmp drop");
	ck_assert_str_eq(nft(R("\"proto\":47", "DROP")), "ip protocol 47 drop");
	ck_assert_str_eq(nft(R("\"saddr\":\"10.1.2.3/8\"", "DROP")), "ip saddr 10.0.0.0/8 drop");
	ck_assert_str_eq(nft(R("\"daddr\":\"192.0.2.7\"", "DROP")), "ip daddr 192.0.2.7 drop");
	ck_assert_str_eq(nft(R("\"daddr\":\"0.0.0.0/0\"", "DROP")), "drop");
	ck_assert_str_eq(nft(R("\"proto\":\"tcp\",\"sport\":80", "DROP")), "ip protocol tcp tcp sport 80 drop");
	ck_assert_str_eq(nft(R("\"proto\":\"udp\",\"dport\":\"1000:2000\"", "DROP")),
			 "ip protocol udp udp dport 1000-2000 drop");
	ck_assert_str_eq(nft(R("\"in\":\"eth0\"", "DROP")), "iifname \"eth0\" drop");
	ck_assert_str_eq(nft(R("\"out\":\"eth1\"", "DROP")), "oifname \"eth1\" drop");
	ck_assert_str_eq(nft(R("\"fragment\":true", "DROP")), "ip frag-off & 0x1fff != 0 drop");
	ck_assert_str_eq(nft(R("\"fragment\":false", "DROP")), "ip frag-off & 0x1fff == 0 drop");
	ck_assert_str_eq(nft(R("\"proto\":\"tcp\",\"tcp_flags\":\"SYN\"", "DROP")),
			 "ip protocol tcp tcp flags & (fin | syn | rst | ack) == syn drop");
	ck_assert_str_eq(nft(R("\"proto\":\"tcp\",\"tcp_flags\":\"SYN,ACK,PSH\"", "DROP")),
			 "ip protocol tcp tcp flags & (fin | syn | rst | psh | ack) == syn | psh | ack drop");
}
END_TEST

/* All keys in one rule: each appears once, the verdict last. */
START_TEST(test_nft_matches_combine)
{
	ck_assert_str_eq(nft(R("\"proto\":\"tcp\",\"saddr\":\"10.0.0.0/24\",\"daddr\":\"10.0.0.2\",\"sport\":\"1-1023\","
			       "\"dport\":23,\"in\":\"eth0\",\"fragment\":false,\"tcp_flags\":\"SYN\"", "ACCEPT")),
			 "ip protocol tcp ip saddr 10.0.0.0/24 ip daddr 10.0.0.2 ip frag-off & 0x1fff == 0 tcp sport "
			 "1-1023 tcp dport 23 tcp flags & (fin | syn | rst | ack) == syn iifname \"eth0\" accept");
}
END_TEST

START_TEST(test_nft_each_verdict)
{
	ck_assert_str_eq(nft(R("", "ACCEPT")), "accept");
	ck_assert_str_eq(nft(R("", "DROP")), "drop");
	ck_assert_str_eq(nft(R("", "LOG")), "log");
	ck_assert_str_eq(nft(R("", "REJECT")), "reject with icmp type port-unreachable");
	/* No queue listener in diff-kernel: what nf_queue then does. */
	ck_assert_str_eq(nft(R("", "QUEUE")), "drop");
	ck_assert_str_eq(nft("{\"hook\":\"INPUT\",\"verdict\":\"QUEUE\",\"queue_bypass\":true}"), "accept");
}
END_TEST

START_TEST(test_nft_each_reject_type)
{
	static const char *const with[][2] = {
		{ "icmp-port-unreachable", "icmp type port-unreachable" },
		{ "icmp-net-unreachable", "icmp type net-unreachable" },
		{ "icmp-host-unreachable", "icmp type host-unreachable" },
		{ "icmp-proto-unreachable", "icmp type prot-unreachable" },
		{ "icmp-net-prohibited", "icmp type net-prohibited" },
		{ "icmp-host-prohibited", "icmp type host-prohibited" },
		{ "icmp-admin-prohibited", "icmp type admin-prohibited" },
		{ "tcp-reset", "tcp reset" },
		{ "tcp-rst", "tcp reset" },
	};
	char rule[256], want[128];
	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++) {
		snprintf(rule, sizeof(rule), "{\"hook\":\"FORWARD\",\"match\":{\"proto\":\"tcp\"},\"verdict\":\"REJECT\","
			 "\"reject_with\":\"%s\"}", with[i][0]);
		snprintf(want, sizeof(want), "ip protocol tcp reject with %s", with[i][1]);
		ck_assert_str_eq(nft(rule), want);
	}
}
END_TEST

START_TEST(test_nft_refusals)
{
	refused(R("", "STOLEN"), "verdict STOLEN");
	refused(R("", "REPEAT"), "verdict REPEAT");
	/* REJECT at POST_ROUTING: the loader refuses it, as Linux does; the
	 * translation would too, were such a rule ever built */
	struct net *net = net_create();
	cJSON *arr = cJSON_Parse("[{\"hook\":\"POST_ROUTING\",\"verdict\":\"REJECT\"}]");
	ck_assert_int_eq(scenario_netfilter(net, arr, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not allowed at POST_ROUTING") != NULL, "loader: %s", err);
	cJSON_Delete(arr);
	net_destroy(net);
	struct nf_rule post = { .hook = NF_INET_POST_ROUTING, .target = NFT_REJECT };
	ck_assert_int_eq(dk_nft_rule(&post, out, sizeof(out), err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "REJECT at POST_ROUTING") != NULL, "translation: %s", err);
	refused(R("\"in\":\"a\\\"b\"", "DROP"), "cannot be written as an nft string");
	/* The same verdicts elsewhere are fine. */
	ck_assert_str_eq(nft("{\"hook\":\"PRE_ROUTING\",\"verdict\":\"REJECT\"}"), "reject with icmp type port-unreachable");
	ck_assert_str_eq(nft("{\"hook\":\"POST_ROUTING\",\"verdict\":\"DROP\"}"), "drop");
}
END_TEST

/* A base chain per hook and priority, hooks in the kernel's order, the
 * priorities ascending, the scenario's order kept inside a chain, and each
 * rule's comment naming its place in the scenario. */
START_TEST(test_nft_ruleset_chains)
{
	const char *sc = "{\"netfilter\":["
			 "{\"hook\":\"FORWARD\",\"match\":{\"proto\":\"udp\"},\"verdict\":\"ACCEPT\"},"
			 "{\"hook\":\"PRE_ROUTING\",\"verdict\":\"LOG\",\"priority\":\"mangle\"},"
			 "{\"hook\":\"FORWARD\",\"verdict\":\"DROP\"},"
			 "{\"hook\":\"PRE_ROUTING\",\"verdict\":\"ACCEPT\",\"priority\":\"raw\"},"
			 "{\"hook\":\"LOCAL_OUT\",\"verdict\":\"ACCEPT\",\"priority\":7}]}";
	const char *want = "table ip netjourney {\n"
			   "\tchain prerouting_m300 {\n"
			   "\t\ttype filter hook prerouting priority -300; policy accept;\n"
			   "\t\taccept comment \"netfilter[3]\"\n"
			   "\t}\n"
			   "\tchain prerouting_m150 {\n"
			   "\t\ttype filter hook prerouting priority -150; policy accept;\n"
			   "\t\tlog comment \"netfilter[1]\"\n"
			   "\t}\n"
			   "\tchain forward_p0 {\n"
			   "\t\ttype filter hook forward priority 0; policy accept;\n"
			   "\t\tip protocol udp accept comment \"netfilter[0]\"\n"
			   "\t\tdrop comment \"netfilter[2]\"\n"
			   "\t}\n"
			   "\tchain output_p7 {\n"
			   "\t\ttype filter hook output priority 7; policy accept;\n"
			   "\t\taccept comment \"netfilter[4]\"\n"
			   "\t}\n"
			   "}\n";
	char *text = NULL;
	int n = -1;
	ck_assert_msg(dk_nft_ruleset(sc, &text, &n, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(text, want);
	free(text);
}
END_TEST

START_TEST(test_nft_ruleset_none)
{
	char *text = (char *)1;
	int n = -1;
	ck_assert_int_eq(dk_nft_ruleset("{\"interfaces\":[]}", &text, &n, err, sizeof(err)), 0);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(dk_nft_ruleset(scenario_default_json, &text, &n, err, sizeof(err)), 0);
	ck_assert_ptr_null(text);
}
END_TEST

/* One rule without an nft form refuses the whole set, naming that rule. */
START_TEST(test_nft_ruleset_refuses_naming_the_rule)
{
	const char *sc = "{\"netfilter\":[{\"hook\":\"INPUT\",\"verdict\":\"DROP\"},"
			 "{\"hook\":\"INPUT\",\"match\":{\"proto\":\"tcp\",\"dport\":23},\"verdict\":\"STOLEN\"}]}";
	char *text = (char *)1;
	int n = -1;
	ck_assert_int_eq(dk_nft_ruleset(sc, &text, &n, err, sizeof(err)), -1);
	ck_assert_ptr_null(text);
	ck_assert_msg(strstr(err, "netfilter[1]") && strstr(err, "LOCAL_IN") && strstr(err, "dport 23") &&
			      strstr(err, "STOLEN"), "%s", err);
}
END_TEST

static Suite *diffkernel_nft_suite(void)
{
	Suite *s = suite_create("diffkernel_nft");
	TCase *t = tcase_create("rule");
	tcase_add_test(t, test_nft_each_match);
	tcase_add_test(t, test_nft_matches_combine);
	tcase_add_test(t, test_nft_each_verdict);
	tcase_add_test(t, test_nft_each_reject_type);
	tcase_add_test(t, test_nft_refusals);
	suite_add_tcase(s, t);
	TCase *rs = tcase_create("ruleset");
	tcase_add_test(rs, test_nft_ruleset_chains);
	tcase_add_test(rs, test_nft_ruleset_none);
	tcase_add_test(rs, test_nft_ruleset_refuses_naming_the_rule);
	suite_add_tcase(s, rs);
	return s;
}

NJ_TEST_MAIN(diffkernel_nft_suite)
