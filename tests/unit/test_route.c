/*
 * test_route.c - the FIB's longest-prefix match (/0, /32, overlaps, reject
 * types, local table first), every martian rule of ip_route_input_slow,
 * rp_filter 0/1/2 (and max(all, dev)), "no route" as a host and as a
 * router (ICMP codes and ip_error's per-source rate limit).
 */
#include "nj_check.h"
#include "fib.h"

#include <errno.h>

static uint8_t frame[2048];
static uint8_t body[1500];

/* An echo request src > dst arriving on device i (0 eth0, 1 eth1). */
static void ping_on(struct net *net, int i, const char *src, const char *dst)
{
	struct nj_ip_opts o = { .dst_mac = i ? NJ_ROUTER_MAC1 : NULL };
	size_t l = nj_icmp_echo(body, 7, 1, 16);
	l = nj_build_ip(frame, src, dst, IPPROTO_ICMP_, body, l, &o);
	nj_inject_on(net, i, frame, l);
}

static int lookup(struct net *net, const char *d, struct fib_result *res)
{
	return fib_lookup(net, nj_ip(d), 0, res, NULL);
}

START_TEST(test_fib_lpm_default_specific_host)
{
	struct net *net = nj_net();
	struct fib_result res;
	fib_add_route(net, 0, 0, nj_ip("10.0.0.1"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.0.0"), 12, nj_ip("10.0.0.3"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.5.0"), 24, nj_ip("10.0.0.4"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.5.9"), 32, nj_ip("10.0.0.5"), 1, RTN_UNICAST, 0);
	ck_assert_int_eq(lookup(net, "8.8.8.8", &res), 0);
	ck_assert_int_eq(res.r->plen, 0);
	ck_assert_int_eq(res.r->gateway, nj_ip("10.0.0.1"));
	ck_assert_int_eq(lookup(net, "172.20.1.1", &res), 0);
	ck_assert_int_eq(res.r->plen, 12);
	ck_assert_int_eq(lookup(net, "172.16.5.1", &res), 0);
	ck_assert_int_eq(res.r->plen, 24);
	ck_assert_int_eq(lookup(net, "172.16.5.9", &res), 0);
	ck_assert_int_eq(res.r->plen, 32);
	ck_assert_int_eq(res.r->gateway, nj_ip("10.0.0.5"));
	/* the connected /24 beats the default route */
	ck_assert_int_eq(lookup(net, "10.0.0.77", &res), 0);
	ck_assert_int_eq(res.r->plen, 24);
	ck_assert_int_eq(res.r->gateway, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_fib_local_table_first_and_broadcast)
{
	struct net *net = nj_net();
	struct fib_result res;
	fib_add_route(net, nj_ip("10.0.0.2"), 32, nj_ip("10.0.0.1"), 1, RTN_UNICAST, 0);
	ck_assert_int_eq(lookup(net, NJ_HOST_IP, &res), 0);
	ck_assert_int_eq(res.type, RTN_LOCAL);		/* local table before main */
	ck_assert_int_eq(lookup(net, "10.0.0.255", &res), 0);
	ck_assert_int_eq(res.type, RTN_BROADCAST);
	ck_assert_int_eq(lookup(net, "9.9.9.9", &res), -ENETUNREACH);
	ck_assert_ptr_null(res.r);
	nj_net_free(net);
}
END_TEST

START_TEST(test_fib_reject_types_and_metric)
{
	struct net *net = nj_net();
	struct fib_result res;
	fib_add_route(net, nj_ip("203.0.113.0"), 24, 0, 0, RTN_BLACKHOLE, 0);
	fib_add_route(net, nj_ip("198.51.100.0"), 24, 0, 0, RTN_UNREACHABLE, 0);
	fib_add_route(net, nj_ip("192.0.2.0"), 24, 0, 0, RTN_PROHIBIT, 0);
	fib_add_route(net, nj_ip("100.64.0.0"), 10, nj_ip("10.0.0.9"), 1, RTN_UNICAST, 20);
	fib_add_route(net, nj_ip("100.64.0.0"), 10, nj_ip("10.0.0.8"), 1, RTN_UNICAST, 10);
	ck_assert_int_eq(lookup(net, "203.0.113.1", &res), -EINVAL);
	ck_assert_int_eq(lookup(net, "198.51.100.1", &res), -EHOSTUNREACH);
	ck_assert_int_eq(lookup(net, "192.0.2.1", &res), -EACCES);
	ck_assert_int_eq(lookup(net, "100.64.1.1", &res), 0);
	ck_assert_int_eq(res.r->gateway, nj_ip("10.0.0.8"));	/* lower metric wins */
	ck_assert_int_eq(fib_add_route(net, nj_ip("10.1.2.3"), 16, 0, 1, RTN_UNICAST, 0), -1);	/* host bits */
	nj_net_free(net);
}
END_TEST

START_TEST(test_fib_lookup_traced_with_tried_prefixes)
{
	struct net *net = nj_net();
	struct fib_result res;
	fib_add_route(net, 0, 0, nj_ip("10.0.0.1"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.0.0"), 12, nj_ip("10.0.0.3"), 1, RTN_UNICAST, 0);
	lookup(net, "8.8.8.8", &res);
	const struct nj_rec *e = nj_find("fib_table_lookup", 'i');
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->args, "172.16.0.0/12"));
	ck_assert_ptr_nonnull(strstr(e->args, "\"type\":\"unicast\""));
	ck_assert_ptr_nonnull(strstr(e->args, "\"table\":\"main\""));
	nj_net_free(net);
}
END_TEST

/* Every (daddr, oif) of a list: the untraced lookup (twice: a cache miss,
 * then a hit) and inet_addr_type give what the full scan gives. */
static int cache_agrees(struct net *net)
{
	static const char *const fixed[] = { "8.8.8.8", "10.0.0.2", "10.0.0.255", "10.0.0.1", "10.0.0.77",
		"172.16.5.9", "172.16.5.1", "172.20.1.1", "192.168.1.1", "192.168.1.10", "192.168.1.255",
		"192.168.7.1", "203.0.113.1", "198.51.100.1", "192.0.2.1", "100.64.0.1", "127.0.0.1",
		"0.0.0.0", "255.255.255.255", "224.0.0.1" };
	int n = 0;
	for (int i = 0; i < 2000; i++) {
		/* the fixed ones, then addresses near them (many share a cache slot) */
		uint32_t d = i < 20 ? nj_ip(fixed[i]) : htonl(ntohl(nj_ip(fixed[i % 20])) ^ (uint32_t)(i * 2654435761u >> (i % 24 + 8)));
		for (int oif = 0; oif <= 3; oif++) {
			struct fib_result a, b, c;
			int ra = fib_lookup(net, d, oif, &a, NULL);
			int rb = fib_lookup(net, d, oif, &b, NULL);
			int rc = fib_lookup_scan(net, d, oif, &c);
			ck_assert_int_eq(ra, rc);
			ck_assert_int_eq(rb, rc);
			ck_assert_ptr_eq(a.r, c.r);
			ck_assert_ptr_eq(b.r, c.r);
			ck_assert_int_eq(b.type, c.type);
			if (!oif)
				ck_assert_int_eq(inet_addr_type(net, d), c.r ? c.r->type : RTN_UNSPEC);
			n++;
		}
	}
	return n;
}

/* The untraced lookups' cache of results (fib_match) answers as the scan
 * does, and still does after routes, addresses and devices are added. */
START_TEST(test_fib_cache_same_as_scan)
{
	struct net *net = nj_router();
	trace_clear_sinks(net);		/* untraced: the cache serves */
	ck_assert_int_eq(trace_on(net), 0);
	fib_add_route(net, 0, 0, nj_ip("10.0.0.1"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.0.0"), 12, nj_ip("10.0.0.3"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("203.0.113.0"), 24, 0, 0, RTN_BLACKHOLE, 0);
	fib_add_route(net, nj_ip("198.51.100.0"), 24, 0, 0, RTN_UNREACHABLE, 0);
	fib_add_route(net, nj_ip("192.0.2.0"), 24, 0, 0, RTN_PROHIBIT, 0);
	fib_add_route(net, nj_ip("100.64.0.0"), 10, nj_ip("10.0.0.9"), 1, RTN_UNICAST, 20);
	fib_add_route(net, nj_ip("100.64.0.0"), 10, nj_ip("192.168.1.10"), 2, RTN_UNICAST, 10);
	ck_assert_int_gt(cache_agrees(net), 1000);

	/* a longer prefix for addresses already cached, out of order */
	struct fib_result r;
	fib_lookup(net, nj_ip("172.16.5.9"), 0, &r, NULL);
	ck_assert_int_eq(r.r->plen, 12);
	fib_add_route(net, nj_ip("172.16.5.0"), 24, nj_ip("10.0.0.4"), 1, RTN_UNICAST, 0);
	fib_add_route(net, nj_ip("172.16.5.9"), 32, nj_ip("192.168.1.10"), 2, RTN_UNICAST, 0);
	ck_assert_int_eq(fib_lookup(net, nj_ip("172.16.5.9"), 0, &r, NULL), 0);
	ck_assert_int_eq(r.r->plen, 32);
	cache_agrees(net);

	/* an address: 192.168.7.1 becomes local, its subnet connected */
	ck_assert_int_eq(inet_addr_type(net, nj_ip("192.168.7.1")), RTN_UNICAST);
	dev_add_addr(&net->devs[1], nj_ip("192.168.7.1"), 24);
	ck_assert_int_eq(inet_addr_type(net, nj_ip("192.168.7.1")), RTN_LOCAL);
	cache_agrees(net);

	/* a device with an address: its routes too */
	static const uint8_t mac[6] = { 2, 0, 0, 0, 2, 1 };
	struct net_device *eth2 = net_add_dev(net, "eth2", mac, 1500);
	ck_assert_int_eq(fib_lookup(net, nj_ip("100.64.0.1"), 3, &r, NULL), -ENETUNREACH);
	dev_add_addr(eth2, nj_ip("100.64.0.7"), 16);
	ck_assert_int_eq(fib_lookup(net, nj_ip("100.64.0.1"), 3, &r, NULL), 0);
	ck_assert_int_eq(r.r->oif, 3);
	cache_agrees(net);
	nj_net_free(net);
}
END_TEST

/* Each martian rule, in ip_route_input_slow's order. */
static void martian(const char *src, const char *dst, enum skb_drop_reason want)
{
	struct net *net = nj_net();
	ping_on(net, 0, src, dst);
	ck_assert_msg(nj_drop_reason() == (int)want, "%s > %s: reason %s, want %s", src, dst,
		      drop_reason_name(nj_drop_reason()), drop_reason_name(want));
	ck_assert_int_eq(net->mib[MIB_IP_INDELIVERS], 0);
	nj_net_free(net);
}

START_TEST(test_martians)
{
	martian("224.1.2.3", NJ_HOST_IP, SKB_DROP_REASON_IP_INVALID_SOURCE);
	martian("255.255.255.255", NJ_HOST_IP, SKB_DROP_REASON_IP_INVALID_SOURCE);
	/* Linux >= 5.3: only 0.0.0.0 itself, not 0.0.0.0/8 (diff-kernel). */
	martian("0.0.0.0", NJ_HOST_IP, SKB_DROP_REASON_IP_INVALID_SOURCE);
	martian(NJ_PEER_IP, "0.0.0.0", SKB_DROP_REASON_IP_INVALID_DEST);
	martian(NJ_PEER_IP, "127.0.0.1", SKB_DROP_REASON_IP_LOCALNET);
	martian("127.0.0.1", NJ_HOST_IP, SKB_DROP_REASON_IP_LOCALNET);
	martian(NJ_HOST_IP, NJ_HOST_IP, SKB_DROP_REASON_IP_LOCAL_SOURCE);
}
END_TEST

START_TEST(test_broadcasts_delivered)
{
	struct net *net = nj_net();
	ping_on(net, 0, NJ_PEER_IP, "255.255.255.255");
	ck_assert_int_eq(net->mib[MIB_IPEXT_INBCASTPKTS], 1);
	ping_on(net, 0, NJ_PEER_IP, "10.0.0.255");
	ck_assert_int_eq(net->mib[MIB_IPEXT_INBCASTPKTS], 2);
	ck_assert_int_eq(net->mib[MIB_IP_INDELIVERS], 2);
	nj_net_free(net);
}
END_TEST

/* From 192.168.1.50 (eth1's subnet) arriving on eth0. */
static int rpf_case(int all, int dev, const char *src)
{
	struct net *net = nj_router();
	net->sysctl.rp_filter = all;
	net->devs[0].rp_filter = dev;
	ping_on(net, 0, src, NJ_HOST_IP);
	int r = nj_drop_reason();
	if (r == SKB_DROP_REASON_IP_RPFILTER)
		ck_assert_int_eq(net->mib[MIB_TCPEXT_IPREVERSEPATHFILTER], 1);
	nj_net_free(net);
	return r;
}

START_TEST(test_rp_filter_modes)
{
	ck_assert_int_eq(rpf_case(0, 0, "192.168.1.50"), -1);
	ck_assert_int_eq(rpf_case(1, 0, "192.168.1.50"), SKB_DROP_REASON_IP_RPFILTER);
	ck_assert_int_eq(rpf_case(0, 1, "192.168.1.50"), SKB_DROP_REASON_IP_RPFILTER);	/* max(all, dev) */
	ck_assert_int_eq(rpf_case(2, 0, "192.168.1.50"), -1);				/* loose */
	ck_assert_int_eq(rpf_case(1, 0, NJ_PEER_IP), -1);				/* right interface */
	/* no route back at all: loose fails too; off does not care */
	ck_assert_int_eq(rpf_case(2, 0, "8.8.8.8"), SKB_DROP_REASON_IP_RPFILTER);
	ck_assert_int_eq(rpf_case(0, 0, "8.8.8.8"), -1);
}
END_TEST

START_TEST(test_no_route_host_silent)
{
	struct net *net = nj_net();
	nj_capture_tx(net);
	ping_on(net, 0, NJ_PEER_IP, "8.8.8.8");
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INADDRERRORS);	/* ENETUNREACH forced to EHOSTUNREACH */
	ck_assert_int_eq(net->mib[MIB_IP_INADDRERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INNOROUTES], 0);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

/* The ICMP code a router answers with for dst. */
static int router_unreach_code(const char *dst, int *sent)
{
	struct net *net = nj_router();
	fib_add_route(net, nj_ip("198.51.100.0"), 24, 0, 0, RTN_UNREACHABLE, 0);
	fib_add_route(net, nj_ip("192.0.2.0"), 24, 0, 0, RTN_PROHIBIT, 0);
	fib_add_route(net, nj_ip("203.0.113.0"), 24, 0, 0, RTN_BLACKHOLE, 0);
	ping_on(net, 0, NJ_PEER_IP, dst);
	*sent = nj_tx.n;
	int code = nj_tx.n ? nj_tx_l4(0)[1] : -1;
	if (nj_tx.n) {
		ck_assert_int_eq(nj_tx_l4(0)[0], ICMP_DEST_UNREACH);
		ck_assert_int_eq(nj_tx_ip(0)->daddr, nj_ip(NJ_PEER_IP));
		ck_assert_int_eq(nj_tx_ip(0)->saddr, nj_ip(NJ_HOST_IP));
	}
	nj_net_free(net);
	return code;
}

START_TEST(test_no_route_router_icmp_codes)
{
	int sent;
	ck_assert_int_eq(router_unreach_code("8.8.8.8", &sent), ICMP_NET_UNREACH);
	ck_assert_int_eq(router_unreach_code("198.51.100.7", &sent), ICMP_HOST_UNREACH);
	ck_assert_int_eq(router_unreach_code("192.0.2.7", &sent), ICMP_PKT_FILTERED);
	ck_assert_int_eq(router_unreach_code("203.0.113.7", &sent), -1);
	ck_assert_int_eq(sent, 0);
}
END_TEST

START_TEST(test_no_route_router_counts_innoroutes)
{
	struct net *net = nj_router();
	ping_on(net, 0, NJ_PEER_IP, "8.8.8.8");
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INNOROUTES);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INNOROUTES], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTDESTUNREACHS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_forwarding_off_on_input_device)
{
	struct net *net = nj_router();
	net->devs[0].forwarding = 0;		/* conf/eth0/forwarding=0 */
	ping_on(net, 0, NJ_PEER_IP, NJ_LAN_HOST);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_IP_INADDRERRORS);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ip_error_rate_limit)
{
	/* ip_error (cost 1 s, burst 5 s) and icmp_send (1 s, burst 6 s) draw
	 * from the same inet_peer bucket: each error costs 2 s of tokens, so a
	 * fresh peer gets 2 at once (Linux 6.18, seen with diff-kernel), then
	 * one per 2 s. */
	struct net *net = nj_router();
	net_set_time(net, 1000000000ULL);
	for (int i = 0; i < 7; i++)
		ping_on(net, 0, NJ_PEER_IP, "8.8.8.8");
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INNOROUTES], 7);
	net_set_time(net, 3000000000ULL);
	ping_on(net, 0, NJ_PEER_IP, "8.8.8.8");
	ping_on(net, 0, NJ_PEER_IP, "8.8.8.8");
	ck_assert_int_eq(nj_tx.n, 3);
	nj_net_free(net);
}
END_TEST

START_TEST(test_fib_route_fmt_as_ip_route_prints)
{
	struct net *net = nj_net();
	char buf[96];
	struct fib_route r = { .dst = nj_ip("172.16.0.0"), .plen = 12, .type = RTN_UNICAST,
			       .gateway = nj_ip("10.0.0.3"), .oif = 1, .metric = 100 };
	ck_assert_str_eq(fib_route_fmt(net, &r, buf, sizeof(buf)), "172.16.0.0/12 via 10.0.0.3 dev eth0 metric 100");
	struct fib_route c = { .dst = nj_ip("10.0.0.0"), .plen = 24, .type = RTN_UNICAST, .oif = 1 };
	ck_assert_str_eq(fib_route_fmt(net, &c, buf, sizeof(buf)), "10.0.0.0/24 dev eth0");
	struct fib_route b = { .dst = nj_ip("192.0.2.0"), .plen = 24, .type = RTN_BLACKHOLE };
	ck_assert_str_eq(fib_route_fmt(net, &b, buf, sizeof(buf)), "blackhole 192.0.2.0/24");
	/* a short buffer truncates, still terminated */
	char tiny[8];
	ck_assert_str_eq(fib_route_fmt(net, &r, tiny, sizeof(tiny)), "172.16.");
	net_destroy(net);
}
END_TEST

static Suite *route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_fib_lpm_default_specific_host);
	tcase_add_test(core, test_fib_route_fmt_as_ip_route_prints);
	tcase_add_test(core, test_fib_local_table_first_and_broadcast);
	tcase_add_test(core, test_fib_reject_types_and_metric);
	tcase_add_test(core, test_fib_lookup_traced_with_tried_prefixes);
	tcase_add_test(core, test_fib_cache_same_as_scan);
	tcase_add_test(core, test_broadcasts_delivered);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_martians);
	tcase_add_test(err, test_rp_filter_modes);
	tcase_add_test(err, test_no_route_host_silent);
	tcase_add_test(err, test_no_route_router_icmp_codes);
	tcase_add_test(err, test_no_route_router_counts_innoroutes);
	tcase_add_test(err, test_forwarding_off_on_input_device);
	suite_add_tcase(s, err);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_ip_error_rate_limit);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(route_suite)
