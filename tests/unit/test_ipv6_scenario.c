/*
 * test_ipv6_scenario.c - the scenario's IPv6 parts (scenario_ipv6.c): the
 * default host's addresses, routes and neighbours, "addrs"/"routes"/
 * "neighbours" entries with IPv6 addresses, the "ipv6" sysctls, and the
 * errors that name the field.
 */
#include "nj_check.h"
#include "ipv6.h"
#include "scenario.h"

static char err[512];

static struct net *load(const char *json)
{
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	err[0] = 0;
	if (scenario_load_text(net, json, "t", err, sizeof(err)) < 0) {
		net_destroy(net);
		return NULL;
	}
	return net;
}

static struct in6 a6(const char *s)
{
	struct in6 a;
	ck_assert_int_eq(in6_pton(s, &a), 0);
	return a;
}

START_TEST(test_default_host_has_ipv6)
{
	struct net *net = load(scenario_default_json);
	ck_assert_ptr_nonnull(net);
	struct in6 g = a6("fd00::2"), ll = a6("fe80::ff:fe00:1"), peer = a6("fd00::1"), far = a6("2001:db8::1");
	ck_assert_ptr_eq(ipv6_chk_addr(net, &g, NULL), &net->devs[0]);
	ck_assert_ptr_eq(ipv6_chk_addr(net, &ll, &net->devs[0]), &net->devs[0]);
	ck_assert_ptr_nonnull(ndisc_lookup(net, &net->devs[0], &peer));
	struct rt6_dst dst;
	ck_assert_int_eq(ip6_route_output(net, &far, 0, &dst), 0);		/* the default route */
	ck_assert(dst.gw && ipv6_addr_equal(&dst.gateway, &peer));
	ck_assert_int_eq(net->ipv6->sysctl.forwarding, 0);
	ck_assert_int_eq(net->ipv6->sysctl.hop_limit, 64);
	ck_assert(net->ipv6->sysctl.ip6frag_time_ns == 60ULL * 1000000000ULL);
	net_destroy(net);
}
END_TEST

START_TEST(test_ipv6_sysctls)
{
	struct net *net = load("{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"2001:db8::2/64\"]}],"
			       "\"ipv6\":{\"forwarding\":true,\"hop_limit\":10,\"ip6frag_time\":1,\"disable_ipv6\":false}}");
	ck_assert_msg(net != NULL, "%s", err);
	ck_assert_int_eq(net->ipv6->sysctl.forwarding, 1);
	ck_assert_int_eq(net->ipv6->sysctl.hop_limit, 10);
	ck_assert(net->ipv6->sysctl.ip6frag_time_ns == 1000000000ULL);
	net_destroy(net);
}
END_TEST

START_TEST(test_route6_and_neigh6)
{
	struct net *net = load("{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
			       "\"routes\":[{\"dst\":\"2001:db8::/32\",\"via\":\"fd00::1\"},"
			       "{\"dst\":\"2001:db8:1::/48\",\"type\":\"prohibit\"},"
			       "{\"dst\":\"::/0\",\"via\":\"fe80::1\",\"dev\":\"eth0\"}],"
			       "\"neighbours\":[{\"ip\":\"fe80::1\",\"mac\":\"02:00:00:00:00:fe\"}]}");
	ck_assert_msg(net != NULL, "%s", err);
	struct in6 a = a6("2001:db8:5::1"), b = a6("2001:db8:1::1"), c = a6("2a00::1"), gw = a6("fe80::1");
	struct rt6_dst dst;
	ck_assert_int_eq(ip6_route_output(net, &a, 0, &dst), 0);
	ck_assert_int_eq(dst.plen, 32);
	ck_assert_int_lt(ip6_route_output(net, &b, 0, &dst), 0);
	ck_assert_int_eq(dst.type, RTN_PROHIBIT);
	ck_assert_int_eq(ip6_route_output(net, &c, 0, &dst), 0);
	ck_assert(ipv6_addr_equal(&dst.gateway, &gw));
	ck_assert_ptr_nonnull(ndisc_lookup(net, &net->devs[0], &gw));
	net_destroy(net);
}
END_TEST

START_TEST(test_errors_name_the_field)
{
	static const struct { const char *json, *want; } bad[] = {
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::zz/64\"]}]}",
		  "interfaces[0].addrs[1]" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"ff02::1/64\"]}]}", "cannot be an interface address" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/129\"]}]}", "interfaces[0].addrs[0]" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		  "\"routes\":[{\"dst\":\"2001:db8::1/32\",\"dev\":\"eth0\"}]}", "host bits" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		  "\"routes\":[{\"dst\":\"::/0\",\"via\":\"fd09::1\"}]}", "routes[0].via" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		  "\"routes\":[{\"dst\":\"::/0\",\"via\":\"fe80::1\"}]}", "link-local gateway needs \"dev\"" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\"}],\"neighbours\":[{\"ip\":\"ff02::1\",\"mac\":\"02:00:00:00:00:02\"}]}",
		  "neighbours[0].ip" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\"}],\"ipv6\":{\"hop_limit\":300}}", "ipv6.hop_limit" },
		{ "{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\"}],\"ipv6\":{\"forwarding\":1}}", "ipv6.forwarding" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net *net = load(bad[i].json);
		ck_assert_msg(net == NULL, "case %zu accepted", i);
		ck_assert_msg(strstr(err, bad[i].want) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].want);
	}
}
END_TEST

START_TEST(test_disable_ipv6_drops)
{
	struct net *net = load("{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
			       "\"ipv6\":{\"disable_ipv6\":true}}");
	ck_assert_msg(net != NULL, "%s", err);
	struct in6 g = a6("fd00::2");
	ck_assert_ptr_null(ipv6_chk_addr(net, &g, NULL));
	net_destroy(net);
}
END_TEST

static Suite *ipv6_scenario_suite(void)
{
	Suite *s = suite_create("ipv6_scenario");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_default_host_has_ipv6);
	tcase_add_test(tc, test_ipv6_sysctls);
	tcase_add_test(tc, test_route6_and_neigh6);
	tcase_add_test(tc, test_errors_name_the_field);
	tcase_add_test(tc, test_disable_ipv6_drops);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(ipv6_scenario_suite)
