/*
 * test_ip_options.c - IPv4 options (stack/ip_options.c): record route and
 * timestamps written on receive and echoed in replies as Linux fills them
 * (`ping -R` shows the host twice), a full timestamp's overflow count, the
 * parameter problem's pointer for a bad option, a refused source route,
 * and a RST echoing the options of the segment it answers.
 */
#include "nj_check.h"
#include "pktbuild.h"
#include "tcp.h"

static uint8_t frame[2048], l4[256];

/* A ping (or, with proto TCP, a SYN to port 81) from the peer carrying
 * the IP options o (n bytes). */
static void send_opts(struct net *net, uint8_t proto, const uint8_t *o, int n)
{
	struct pb_ipopt ip = { .saddr = nj_ip(NJ_PEER_IP), .daddr = nj_ip(NJ_HOST_IP), .proto = proto, .id = 1,
			       .opts = o, .optlen = n };
	size_t len = proto == IPPROTO_TCP_ ? pb_tcp(l4, ip.saddr, ip.daddr, 40000, 81, 1000, 0, TCPHDR_SYN, 64240,
						    NULL, 0, NULL, 0, 0)
					   : pb_icmp_echo(l4, ICMP_ECHO, 0x77, 1, 16);
	nj_inject(net, frame, pb_eth_ip(frame, &ip, l4, len));
}

/* The options of the frame the host sent last (its IP header past 20). */
static const uint8_t *tx_opts(int *n)
{
	const struct iphdr *ip = nj_tx_ip(nj_tx.n - 1);
	*n = ip_ihl(ip) * 4 - 20;
	ck_assert_int_eq(ip_fast_csum(ip, ip_ihl(ip)), 0);
	return (const uint8_t *)(ip + 1);
}

static uint32_t addr_at(const uint8_t *p)
{
	uint32_t a;
	memcpy(&a, p, 4);
	return a;
}

START_TEST(test_ipopt_record_route_echo)
{
	struct net *net = nj_host();
	uint8_t rr[40] = { 7, 39, 8 };		/* ping -R: the peer recorded itself */
	uint32_t peer = nj_ip(NJ_PEER_IP), host = nj_ip(NJ_HOST_IP);
	memcpy(rr + 3, &peer, 4);
	send_opts(net, IPPROTO_ICMP_, rr, 40);
	ck_assert_int_eq(nj_tx.n, 1);
	int n;
	const uint8_t *o = tx_opts(&n);
	ck_assert_int_eq(n, 40);
	ck_assert_int_eq(o[0], 7);
	ck_assert_int_eq(o[2], 16);			/* three addresses */
	ck_assert_uint_eq(addr_at(o + 3), peer);
	ck_assert_uint_eq(addr_at(o + 7), host);	/* recorded on receive */
	ck_assert_uint_eq(addr_at(o + 11), host);	/* and on the way out */
	ck_assert_int_eq(((const struct icmphdr *)(o + 40))->type, ICMP_ECHOREPLY);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ipopt_timestamps)
{
	struct net *net = nj_host();
	net_set_time(net, 3723456ULL * 1000000ULL);	/* 01:02:03.456 */
	static const uint8_t ts[12] = { 68, 12, 5, 0 };
	send_opts(net, IPPROTO_ICMP_, ts, 12);
	int n;
	const uint8_t *o = tx_opts(&n);
	ck_assert_int_eq(o[0], 68);
	ck_assert_int_eq(o[2], 13);
	ck_assert_uint_eq(ntohl(addr_at(o + 4)), 3723456);
	ck_assert_uint_eq(ntohl(addr_at(o + 8)), 3723456);
	/* full: the overflow count goes up, and at 15 it is an error */
	static const uint8_t full[8] = { 68, 8, 9, 0x20, 0, 0, 0, 1 };
	send_opts(net, IPPROTO_ICMP_, full, 8);
	o = tx_opts(&n);
	ck_assert_int_eq(o[3], 0x30);
	static const uint8_t over[8] = { 68, 8, 9, 0xf0, 0, 0, 0, 1 };
	send_opts(net, IPPROTO_ICMP_, over, 8);
	const struct icmphdr *h = (const struct icmphdr *)nj_tx_l4(nj_tx.n - 1);
	ck_assert_int_eq(h->type, ICMP_PARAMETERPROB);
	ck_assert_int_eq(((const uint8_t *)h)[4], 20 + 3);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 1);
	nj_net_free(net);
}
END_TEST

/* A bad option: parameter problem pointing at it, no reply; a second
 * record route too; a source route is refused silently. */
START_TEST(test_ipopt_errors)
{
	struct net *net = nj_host();
	static const uint8_t longer[4] = { 1, 7, 40, 4 };	/* NOP, then RR longer than the header */
	send_opts(net, IPPROTO_ICMP_, longer, 4);
	ck_assert_int_eq(nj_tx.n, 1);
	const struct icmphdr *h = (const struct icmphdr *)nj_tx_l4(0);
	ck_assert_int_eq(h->type, ICMP_PARAMETERPROB);
	ck_assert_int_eq(((const uint8_t *)h)[4], 21);
	static const uint8_t two[16] = { 7, 7, 4, 0, 0, 0, 0, 7, 7, 4 };
	send_opts(net, IPPROTO_ICMP_, two, 16);
	h = (const struct icmphdr *)nj_tx_l4(1);
	ck_assert_int_eq(((const uint8_t *)h)[4], 27);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 2);
	static const uint8_t lsrr[8] = { 131, 7, 4, 10, 0, 0, 9 };
	send_opts(net, IPPROTO_ICMP_, lsrr, 8);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(net->mib[MIB_IP_INHDRERRORS], 2);
	ck_assert_int_eq(net->mib[MIB_ICMP_INMSGS], 0);
	nj_net_free(net);
}
END_TEST

/* The RST to a SYN with record route carries it back (ip_send_unicast_reply). */
START_TEST(test_ipopt_rst_echo)
{
	struct net *net = nj_host();
	static const uint8_t rr[12] = { 7, 11, 4 };
	send_opts(net, IPPROTO_TCP_, rr, 12);
	int n;
	const uint8_t *o = tx_opts(&n);
	ck_assert_int_eq(n, 12);
	ck_assert_int_eq(o[2], 12);
	ck_assert_uint_eq(addr_at(o + 7), nj_ip(NJ_HOST_IP));
	const struct tcphdr *th = (const struct tcphdr *)(o + 12);
	ck_assert_int_eq(th->flags, TCPHDR_RST | TCPHDR_ACK);
	nj_net_free(net);
}
END_TEST

/* After the first fragment only options with the copied bit stay. */
START_TEST(test_ipopt_fragment)
{
	uint8_t h[40] = { 0x4a };
	static const uint8_t o[20] = { 7, 7, 8, 10, 0, 0, 1, 131, 7, 4, 10, 0, 0, 9, 1, 68, 4, 5, 0, 0 };
	memcpy(h + 20, o, 20);
	ip_options_fragment((struct iphdr *)h);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(h[20 + i], 1);			/* record route: NOPs */
	ck_assert_int_eq(memcmp(h + 27, o + 7, 8), 0);		/* loose source route: copied */
	for (int i = 15; i < 19; i++)
		ck_assert_int_eq(h[20 + i], 1);			/* timestamp: NOPs */
}
END_TEST

static Suite *ip_options_suite(void)
{
	Suite *s = suite_create("ip_options");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_ipopt_record_route_echo);
	tcase_add_test(tc, test_ipopt_timestamps);
	tcase_add_test(tc, test_ipopt_errors);
	tcase_add_test(tc, test_ipopt_rst_echo);
	tcase_add_test(tc, test_ipopt_fragment);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(ip_options_suite)
