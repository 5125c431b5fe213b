/*
 * test_ipv6_ra.c - router advertisements to a host (issue 24):
 * ndisc_router_discovery's checks, the default route with its lifetime,
 * SLAAC from the prefix and the MAC (addrconf_prefix_rcv), the MTU option,
 * accept_ra off (or forwarding on), and a router that turns host (its
 * advertisement-learnt route goes, rt6_clean_tohost).
 */
#include "nj_check.h"
#include "ipv6.h"
#include "scenario.h"

#define SEC 1000000000ULL

static uint8_t fr[4096], pl[4096];

static struct in6 a6(const char *s)
{
	struct in6 a;
	ck_assert_int_eq(in6_pton(s, &a), 0);
	return a;
}

/* A host with only its link-local address (the MAC's EUI-64). */
static struct net *host(void)
{
	struct net *net = nj_net();
	ck_assert_ptr_nonnull(ipv6_state(net));
	nj_capture_tx(net);
	return net;
}

/* An RA from src: lifetime, hop limit 64, the peer's MAC; prefix pfx/plen
 * with flags (valid/preferred as given) and an MTU option when mtu. */
static size_t ra(const char *src, unsigned lifetime, const char *pfx, int plen, uint8_t flags, uint32_t valid,
		 uint32_t pref, uint32_t mtu)
{
	size_t n = 24;
	memset(pl, 0, 80);
	pl[0] = NDISC_ROUTER_ADVERTISEMENT;
	pl[4] = 64;
	pl[6] = (uint8_t)(lifetime >> 8);
	pl[7] = (uint8_t)lifetime;
	pl[16] = 1;
	pl[17] = 1;
	memcpy(pl + 18, nj_peer_mac, 6);
	if (pfx) {
		struct in6 p = a6(pfx);
		pl[n] = 3;
		pl[n + 1] = 4;
		pl[n + 2] = (uint8_t)plen;
		pl[n + 3] = flags;
		for (int i = 0; i < 4; i++) {
			pl[n + 4 + i] = (uint8_t)(valid >> (24 - 8 * i));
			pl[n + 8 + i] = (uint8_t)(pref >> (24 - 8 * i));
		}
		memcpy(pl + n + 16, p.s6, 16);
		n += 32;
	}
	if (mtu) {
		pl[n] = 5;
		pl[n + 1] = 1;
		for (int i = 0; i < 4; i++)
			pl[n + 4 + i] = (uint8_t)(mtu >> (24 - 8 * i));
		n += 8;
	}
	pb_csum6(src, "ff02::1", NEXTHDR_ICMP, pl, n, 2);
	return pb_eth_ip6(fr, src, "ff02::1", NEXTHDR_ICMP, 255, pl, n);
}

static int has_default(struct net *net, const char *via)
{
	struct rt6_dst d;
	struct in6 far = a6("2001:db8:99::1"), gw = a6(via);
	return ip6_route_output(net, &far, 0, &d) == 0 && d.gw && ipv6_addr_equal(&d.gateway, &gw);
}

START_TEST(test_ra_default_route_slaac_mtu)
{
	struct net *net = host();
	nj_inject(net, fr, ra("fe80::1", 1800, "2001:db8:5::", 64, 0xc0, 86400, 14400, 1480));
	ck_assert_int_eq(net->mib[MIB_ICMP6_INROUTERADVERTISEMENTS], 1);
	ck_assert(has_default(net, "fe80::1"));
	struct in6 slaac = a6("2001:db8:5::ff:fe00:1");		/* prefix + EUI-64 of 02:00:00:00:00:01 */
	ck_assert_ptr_eq(ipv6_chk_addr(net, &slaac, NULL), &net->devs[0]);
	ck_assert_uint_eq(in6_dev_get(net, &net->devs[0])->mtu6, 1480);
	struct in6 r = a6("fe80::1");
	ck_assert_mem_eq(ndisc_lookup(net, &net->devs[0], &r), nj_peer_mac, 6);
	/* the same again: no second address or route */
	int naddrs = in6_dev_get(net, &net->devs[0])->naddrs, nroutes = net->ipv6->nroutes;
	nj_inject(net, fr, ra("fe80::1", 1800, "2001:db8:5::", 64, 0xc0, 86400, 14400, 1480));
	ck_assert_int_eq(in6_dev_get(net, &net->devs[0])->naddrs, naddrs);
	ck_assert_int_eq(net->ipv6->nroutes, nroutes);
	/* the lifetime runs out */
	net_set_time(net, 1801 * SEC);
	ck_assert(!has_default(net, "fe80::1"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_ra_lifetime_zero_and_prefix_rules)
{
	struct net *net = host();
	nj_inject(net, fr, ra("fe80::1", 600, NULL, 0, 0, 0, 0, 0));
	ck_assert(has_default(net, "fe80::1"));
	nj_inject(net, fr, ra("fe80::1", 0, "2001:db8:7::", 48, 0xc0, 86400, 14400, 0));	/* /48: no SLAAC */
	ck_assert(!has_default(net, "fe80::1"));
	ck_assert_int_eq(in6_dev_get(net, &net->devs[0])->naddrs, 1);			/* the link-local only */
	struct rt6_dst d;
	struct in6 onlink = a6("2001:db8:7:1::9");
	ck_assert_int_eq(ip6_route_output(net, &onlink, 0, &d), 0);			/* its on-link route */
	ck_assert(!d.gw);
	nj_inject(net, fr, ra("fe80::1", 0, "2001:db8:8::", 64, 0xc0, 100, 200, 0));	/* preferred > valid */
	struct in6 none = a6("2001:db8:8::ff:fe00:1");
	ck_assert_ptr_null(ipv6_chk_addr(net, &none, NULL));
	nj_inject(net, fr, ra("fe80::1", 0, "2001:db8:9::", 64, 0xc0, 100, 50, 1000));	/* MTU < 1280 */
	ck_assert_uint_eq(in6_dev_get(net, &net->devs[0])->mtu6, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ra_checks)
{
	struct net *net = host();
	nj_inject(net, fr, ra("2001:db8:5::1", 1800, NULL, 0, 0, 0, 0, 0));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert(!has_default(net, "2001:db8:5::1"));
	nj_rec.n = 0;
	size_t n = ra("fe80::1", 1800, NULL, 0, 0, 0, 0, 0);
	fr[54 + 17] = 0;					/* an option of length 0 */
	pb_csum6("fe80::1", "ff02::1", NEXTHDR_ICMP, fr + 54, n - 54, 2);
	nj_inject(net, fr, n);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS);
	ck_assert(!has_default(net, "fe80::1"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_ra_not_accepted)
{
	struct net *net = host();
	net->ipv6->sysctl.accept_ra = 0;
	nj_inject(net, fr, ra("fe80::1", 1800, "2001:db8:5::", 64, 0xc0, 86400, 14400, 0));
	ck_assert(!has_default(net, "fe80::1"));
	ck_assert_int_eq(in6_dev_get(net, &net->devs[0])->naddrs, 1);
	struct in6 r = a6("fe80::1");
	ck_assert_ptr_nonnull(ndisc_lookup(net, &net->devs[0], &r));	/* the neighbour all the same */
	net->ipv6->sysctl.accept_ra = 1;
	net->ipv6->sysctl.forwarding = 1;			/* a router takes none (accept_ra 1) */
	nj_inject(net, fr, ra("fe80::1", 1800, "2001:db8:5::", 64, 0xc0, 86400, 14400, 0));
	ck_assert(!has_default(net, "fe80::1"));
	net->ipv6->sysctl.accept_ra = 2;			/* … unless 2 */
	nj_inject(net, fr, ra("fe80::1", 1800, NULL, 0, 0, 0, 0, 0));
	ck_assert(has_default(net, "fe80::1"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_router_turns_host)
{
	struct net *net = host();
	nj_inject(net, fr, ra("fe80::1", 1800, NULL, 0, 0, 0, 0, 0));
	ck_assert(has_default(net, "fe80::1"));
	size_t n = pb_ndisc_na(pl, "fe80::1", "ff02::1", "fe80::1", PB_NA_OVERRIDE, nj_peer_mac);	/* R clear */
	nj_inject(net, fr, pb_eth_ip6(fr, "fe80::1", "ff02::1", NEXTHDR_ICMP, 255, pl, n));
	ck_assert(!has_default(net, "fe80::1"));
	ck_assert_int_eq(nj_count("rt6_clean_tohost", 'i'), 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_scenario_accept_ra)
{
	char err[256] = "";
	struct net *net = net_create();
	ck_assert_int_eq(scenario_load_text(net, "{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\","
					       "\"addrs\":[]}],\"ipv6\":{\"accept_ra\":2}}", "t", err, sizeof(err)), 0);
	ck_assert_int_eq(net->ipv6->sysctl.accept_ra, 2);
	net_destroy(net);
	net = net_create();
	ck_assert_int_eq(scenario_load_text(net, "{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\","
					       "\"addrs\":[]}],\"ipv6\":{\"accept_ra\":3}}", "t", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "ipv6.accept_ra"));
	net_destroy(net);
	net = host();
	ck_assert_int_eq(net->ipv6->sysctl.accept_ra, 1);	/* Linux's default */
	nj_net_free(net);
}
END_TEST

static Suite *ra_suite(void)
{
	Suite *s = suite_create("ipv6_ra");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_ra_default_route_slaac_mtu);
	tcase_add_test(c, test_ra_lifetime_zero_and_prefix_rules);
	tcase_add_test(c, test_ra_checks);
	tcase_add_test(c, test_ra_not_accepted);
	tcase_add_test(c, test_router_turns_host);
	tcase_add_test(c, test_scenario_accept_ra);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(ra_suite)
