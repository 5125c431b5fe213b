/*
 * test_tcp_options.c - tcp_parse_options on well-formed and malformed
 * option lists (what Linux keeps, where it stops), the sysctls that gate
 * each option, and the writers: a SYN-ACK's layout for each combination
 * the peer offers, SACK and D-SACK blocks on ACKs (tcp_sack_new_ofo_skb,
 * tcp_dsack_set), PAWS (tcp_paws_check).
 */
#include "nj_check.h"
#include "tcp.h"

static uint8_t th[60];

/* A TCP header with flags and the option bytes o (padded to 4 with EOL). */
static const uint8_t *hdr(uint8_t flags, const uint8_t *o, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	memset(th, 0, sizeof(th));
	th[12] = (uint8_t)(((20 + padded) / 4) << 4);
	th[13] = flags;
	memcpy(th + 20, o, n);
	return th;
}

static struct tcp_options_received parse(struct net *net, uint8_t flags, const uint8_t *o, size_t n, int estab)
{
	struct tcp_options_received opt = { .tstamp_ok = 1, .sack_ok = 1 };
	if (!estab)
		opt.tstamp_ok = opt.sack_ok = 0;
	tcp_parse_options(net, hdr(flags, o, n), estab, &opt);
	return opt;
}

START_TEST(test_parse_linux_syn)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct tcp_options_received r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 1460);
	ck_assert(r.sack_ok && r.wscale_ok && r.saw_tstamp);
	ck_assert_uint_eq(r.snd_wscale, 7);
	ck_assert_uint_eq(r.rcv_tsval, 7);
	ck_assert_uint_eq(r.rcv_tsecr, 0);
	ck_assert(!r.malformed);
	nj_net_free(net);
}
END_TEST

/* A length below 2 ends the parse; what came before is kept. */
START_TEST(test_parse_silly_length_stops)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 2, 4, 0x05, 0x00, 4, 1, 1, 3, 3, 7 };
	struct tcp_options_received r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 1280);
	ck_assert(r.malformed);
	ck_assert(!r.sack_ok && !r.wscale_ok);	/* never reached */
	nj_net_free(net);
}
END_TEST

/* An option running past the header end is not parsed (partial). */
START_TEST(test_parse_past_end)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 1, 1, 1, 3, 8 };	/* wscale claims 8 bytes; 3 are left after padding */
	struct tcp_options_received r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert(r.malformed);
	ck_assert(!r.wscale_ok);
	/* A kind in the last byte, with no room for its length. */
	static const uint8_t o2[] = { 1, 1, 1, 2 };
	r = parse(net, TCPHDR_SYN, o2, sizeof(o2), 0);
	ck_assert(r.malformed);
	ck_assert_uint_eq(r.mss_clamp, 0);
	nj_net_free(net);
}
END_TEST

/* Wrong sizes for known kinds are skipped by their length, not used;
 * unknown kinds are skipped; EOL ends the list. */
START_TEST(test_parse_wrong_sizes_and_unknown)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 2, 3, 5, 3, 4, 7, 4, 254, 4, 0xf9, 0x89, 4, 2, 0, 2, 4, 5, 0xb4 };
	struct tcp_options_received r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 0);	/* mss of size 3 ignored; the one after EOL never read */
	ck_assert(!r.wscale_ok);		/* wscale of size 4 ignored */
	ck_assert(r.sack_ok);
	ck_assert_uint_eq(r.unknown, 1);	/* kind 254 (experimental) */
	ck_assert(!r.malformed);
	nj_net_free(net);
}
END_TEST

/* MSS 0 is ignored; wscale above 14 is clamped (RFC 7323 2.3). */
START_TEST(test_parse_mss0_and_wscale_clamp)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 2, 4, 0, 0, 1, 3, 3, 15 };
	struct tcp_options_received r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 0);
	ck_assert(r.wscale_ok);
	ck_assert_uint_eq(r.snd_wscale, TCP_MAX_WSCALE);
	nj_net_free(net);
}
END_TEST

/* SYN-only options are not taken from a non-SYN, nor once established;
 * the sysctls switch each one off. */
START_TEST(test_parse_gates)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct tcp_options_received r = parse(net, TCPHDR_ACK, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 0);
	ck_assert(!r.sack_ok && !r.wscale_ok);
	ck_assert(r.saw_tstamp);
	net->sysctl.tcp_sack = net->sysctl.tcp_timestamps = net->sysctl.tcp_window_scaling = 0;
	r = parse(net, TCPHDR_SYN, o, sizeof(o), 0);
	ck_assert_uint_eq(r.mss_clamp, 1460);
	ck_assert(!r.sack_ok && !r.wscale_ok && !r.saw_tstamp);
	/* established without agreed timestamps: a TS option is not read */
	struct tcp_options_received e = { 0 };
	tcp_parse_options(net, hdr(TCPHDR_ACK, o, sizeof(o)), 1, &e);
	ck_assert(!e.saw_tstamp);
	nj_net_free(net);
}
END_TEST

/* A SACK option is noted only when SACK was agreed and its size is 2 + 8n. */
START_TEST(test_parse_sack_blocks)
{
	struct net *net = nj_host();
	static const uint8_t o[] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct tcp_options_received r = parse(net, TCPHDR_ACK, o, sizeof(o), 1);
	ck_assert_uint_eq(r.sack_off, 22);
	static const uint8_t bad[] = { 1, 1, 5, 9, 0, 0, 0, 1, 0, 0, 0, 2 };
	r = parse(net, TCPHDR_ACK, bad, sizeof(bad), 1);
	ck_assert_uint_eq(r.sack_off, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_synack_layouts)
{
	struct net *net = nj_host();
	struct sock req = { .advmss = 1460, .rcv_wscale = 7 };
	uint8_t b[40];
	req.tstamp_ok = req.sack_ok = req.wscale_ok = 1;
	ck_assert_uint_eq(tcp_synack_options(net, &req, b), 20);
	ck_assert_str_eq(tcp_opts_fmt(b, 20), "mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 7");
	req.tstamp_ok = 0;
	ck_assert_uint_eq(tcp_synack_options(net, &req, b), 12);
	ck_assert_str_eq(tcp_opts_fmt(b, 12), "mss 1460,nop,nop,sackOK,nop,wscale 7");
	req.sack_ok = req.wscale_ok = 0;
	ck_assert_uint_eq(tcp_synack_options(net, &req, b), 4);
	nj_net_free(net);
}
END_TEST

START_TEST(test_sack_blocks_and_dsack)
{
	struct net *net = nj_host();
	static struct sock sk;
	uint8_t b[40];
	memset(&sk, 0, sizeof(sk));
	skb_queue_head_init(&sk.ofo_queue);
	sk.sack_ok = 1;
	sk.rcv_nxt = 101;
	tcp_sack_new_ofo_skb(&sk, 201, 301);
	tcp_sack_new_ofo_skb(&sk, 401, 501);
	tcp_sack_new_ofo_skb(&sk, 301, 401);	/* joins both into one, first */
	ck_assert_uint_eq(sk.num_sacks, 1);
	ck_assert_uint_eq(sk.selective_acks[0].start_seq, 201);
	ck_assert_uint_eq(sk.selective_acks[0].end_seq, 501);
	for (uint32_t s = 1001; s < 6001; s += 1000)
		tcp_sack_new_ofo_skb(&sk, s, s + 10);
	ck_assert_uint_eq(sk.num_sacks, TCP_NUM_SACKS);	/* the oldest fell off */
	ck_assert_uint_eq(sk.selective_acks[0].start_seq, 5001);
	tcp_dsack_set(net, &sk, 1, 101);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPDSACKOLDSENT], 1);
	/* no timestamps: 4 blocks fit, the D-SACK first, then the newest */
	ck_assert_uint_eq(tcp_established_options(net, &sk, b), 4 + 4 * 8);
	ck_assert_str_eq(tcp_opts_fmt(b, 36), "nop,nop,sack 1:101 5001:5011 4001:4011 3001:3011");
	ck_assert_uint_eq(sk.dsack, 0);	/* reported once */
	nj_net_free(net);
}
END_TEST

START_TEST(test_paws_check)
{
	struct sock sk = { .ts_recent = 1000 };
	sk.rcv_tsval = 1000;
	ck_assert(tcp_paws_check(&sk, TCP_PAWS_WINDOW));
	sk.rcv_tsval = 999;
	ck_assert(tcp_paws_check(&sk, TCP_PAWS_WINDOW));	/* within the one-tick window */
	sk.rcv_tsval = 998;
	ck_assert(!tcp_paws_check(&sk, TCP_PAWS_WINDOW));
	sk.rcv_tsval = 0xfffffff0u;	/* before 1000 across the wrap */
	ck_assert(!tcp_paws_check(&sk, TCP_PAWS_WINDOW));
	sk.ts_recent = 0;
	ck_assert(tcp_paws_check(&sk, TCP_PAWS_WINDOW));	/* nothing stored yet */
}
END_TEST

static Suite *tcp_options_suite(void)
{
	Suite *s = suite_create("tcp_options");
	TCase *c = tcase_create("Parse");
	tcase_add_test(c, test_parse_linux_syn);
	tcase_add_test(c, test_parse_silly_length_stops);
	tcase_add_test(c, test_parse_past_end);
	tcase_add_test(c, test_parse_wrong_sizes_and_unknown);
	tcase_add_test(c, test_parse_mss0_and_wscale_clamp);
	tcase_add_test(c, test_parse_gates);
	tcase_add_test(c, test_parse_sack_blocks);
	suite_add_tcase(s, c);
	c = tcase_create("Write");
	tcase_add_test(c, test_synack_layouts);
	tcase_add_test(c, test_sack_blocks_and_dsack);
	tcase_add_test(c, test_paws_check);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_options_suite)
