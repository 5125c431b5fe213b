/*
 * test_step.c - the engine of `netjourney step` without a terminal:
 * command parsing, breakpoint matching, movement, and the skb, frame and
 * headers at an event, over a small hand-written trace whose every event
 * is known. The host's state at an event is the fold's: test_fold.c.
 */
#include <stdio.h>
#include <unistd.h>

#include "cJSON.h"
#include "nj_check.h"
#include "nj_trace_check.h"
#include "step.h"
#include "step_headers.h"
#include "step_state.h"

#define ICMP_FRAME "0200000000010200000000aa0800450000541c47000040014a600a0000010a0000020800f4df4a4a0001"
#define UDP_FRAME "0200000000010200000000aa0800450000271c46000040114a7e0a0000010a0000029c400007001318b2" \
		  "68656c6c6f2c206563686f"
#define ST "\"skb_state\":{\"len\":84,\"data\":78,\"nh\":78,\"th\":98,\"pkt_type\":\"HOST\",\"protocol\":\"IPv4\",\"ifindex\":1}"
#define EV(seq, par, d, ph, fn, pkt, skb) \
	"{\"v\":1,\"seq\":" #seq ",\"parent\":" #par ",\"depth\":" #d ",\"ph\":\"" ph "\",\"fn\":\"" fn \
	"\",\"layer\":\"ip\",\"pkt\":" #pkt ",\"skb\":" #skb ",\"ts_ns\":1"

/* seq n is event index n-1. */
static const char trace[] =
	"{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_start\",\"source\":\"t\"}\n"
	EV(1, 0, 0, "B", "driver_rx", 1, null) ",\"args\":{\"linktype\":1,\"caplen\":42,\"len\":98,\"frame\":\"" ICMP_FRAME "\"}}\n"
	EV(2, 1, 1, "B", "ip_rcv", 1, 1) "," ST "}\n"
	EV(3, 2, 2, "B", "ip_rcv_core", 1, 1) "," ST "}\n"
	EV(4, 3, 3, "i", "kfree_skb", 1, 1) "," ST ",\"verdict\":\"drop\",\"reason\":\"IP_CSUM\"}\n"
	EV(5, 3, 2, "E", "ip_rcv_core", 1, 1) ",\"verdict\":\"drop\",\"reason\":\"IP_CSUM\","
	"\"mib\":{\"Ip.InReceives\":1,\"Ip.InHdrErrors\":1}}\n"
	EV(6, 2, 1, "E", "ip_rcv", 1, 1) ",\"verdict\":\"drop\",\"reason\":\"IP_CSUM\"}\n"
	EV(7, 1, 0, "E", "driver_rx", 1, null) ",\"verdict\":\"pass\"}\n"
	EV(8, 0, 0, "B", "driver_rx", 2, null) ",\"args\":{\"linktype\":1,\"caplen\":53,\"len\":53,\"frame\":\"" UDP_FRAME "\"}}\n"
	EV(9, 8, 1, "B", "ip_defrag", 2, 2) "}\n"
	EV(10, 9, 2, "i", "ip_find", 2, 2) ",\"args\":{\"queue\":\"Q1\",\"found\":false}}\n"
	EV(11, 9, 1, "E", "ip_defrag", 2, 2) ",\"args\":{\"queue\":\"Q1\",\"have\":[[0,8]],\"meat\":8,\"len\":null,"
	"\"nfrags\":1},\"verdict\":\"queued\",\"mib\":{\"Ip.ReasmReqds\":1}}\n"
	EV(12, 8, 1, "i", "tcp_set_state", 2, 2) ",\"args\":{\"sk\":\"10.0.0.2:80>10.0.0.1:4000\",\"old\":\"LISTEN\","
	"\"new\":\"SYN_RECV\",\"snd_nxt\":1}}\n"
	EV(13, 8, 1, "B", "ip_frag_reasm", 2, 2) "}\n"
	EV(14, 13, 2, "i", "ip_frag_reasm", 2, 3) ",\"args\":{\"queue\":\"Q1\",\"tot_len\":40}}\n"
	EV(15, 13, 1, "E", "ip_frag_reasm", 2, 2) ",\"verdict\":\"pass\"}\n"
	EV(16, 8, 1, "B", "packet_rcv", 2, 2) "}\n"
	EV(17, 16, 1, "E", "packet_rcv", 2, 2) ",\"args\":{\"sock\":\"tcpdump\",\"qlen\":0,\"tp_drops\":0},"
	"\"verdict\":\"queued\"}\n"
	EV(18, 8, 0, "E", "driver_rx", 2, null) ",\"verdict\":\"pass\"}\n";

static struct nj_store *st;
static char path[64];

static void setup(void)
{
	st = nj_trace_store(trace, path);
	ck_assert_uint_eq(store_nevents(st), 18);
}

static void teardown(void)
{
	store_free(st);
	unlink(path);
}

static struct step_cmd parse_ok(const char *line)
{
	struct step_cmd c;
	char err[200];
	ck_assert_msg(step_parse(line, &c, err, sizeof(err)) == 0, "'%s' should parse: %s", line, err);
	return c;
}

START_TEST(test_step_parse)
{
	struct step_cmd c;
	char err[200];
	ck_assert_int_eq(parse_ok("s").kind, SC_STEP);
	c = parse_ok("  next 3 ");
	ck_assert_int_eq(c.kind, SC_NEXT);
	ck_assert(c.has_n && c.n == 3);
	ck_assert_int_eq(parse_ok("reverse-step").kind, SC_BACK);
	ck_assert_int_eq(parse_ok("info frags").what, SW_FRAGS);
	ck_assert_int_eq(parse_ok("p headers").what, SW_HEADERS);
	ck_assert_str_eq(parse_ok("break 'tcp port 80'").arg, "'tcp port 80'");
	ck_assert_int_eq(parse_ok("delete").has_n, 0);
	ck_assert_int_eq(step_parse("", &c, err, sizeof(err)), 1);
	ck_assert_int_eq(step_parse("# a comment", &c, err, sizeof(err)), 1);
	ck_assert_int_eq(step_parse("bogus", &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown command 'bogus'"));
	ck_assert_int_eq(step_parse("pkt x", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(step_parse("break", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(step_parse("info nothing", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(step_parse("quit now", &c, err, sizeof(err)), -1);
}
END_TEST

static struct step_bp bp_ok(const char *spec)
{
	struct step_bp bp;
	char err[300];
	ck_assert_msg(step_bp_parse(spec, 1, &bp, err, sizeof(err)) == 0, "'%s': %s", spec, err);
	return bp;
}

START_TEST(test_step_bp_parse)
{
	struct step_bp bp;
	char err[300];
	ck_assert_int_eq(bp_ok("drop").kind, BP_DROP);
	bp = bp_ok("reason ip_csum");
	ck_assert_int_eq(bp.reason, SKB_DROP_REASON_IP_CSUM);
	ck_assert_int_eq(bp_ok("reason SKB_DROP_REASON_NO_SOCKET").reason, SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(bp_ok("pkt 2").pkt, 2);
	ck_assert_str_eq(bp_ok("ip_rcv").fn, "ip_rcv");
	bp = bp_ok("'icmp'");
	ck_assert_int_eq(bp.kind, BP_FILTER);
	step_bp_free(&bp);
	ck_assert_int_eq(step_bp_parse("reason FOO", 1, &bp, err, sizeof(err)), -1);
	ck_assert_int_eq(step_bp_parse("'tcp and ('", 1, &bp, err, sizeof(err)), -1);
	ck_assert_int_eq(step_bp_parse("ip rcv", 1, &bp, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_step_bp_match)
{
	struct step_bp fn = bp_ok("ip_frag_reasm"), r = bp_ok("reason IP_CSUM"), d = bp_ok("drop");
	struct step_bp p = bp_ok("pkt 2"), icmp = bp_ok("'icmp'"), udp = bp_ok("'udp'");
	ck_assert(step_bp_match(st, &fn, 12));			/* seq 13: the B */
	ck_assert(!step_bp_match(st, &fn, 13));		/* its own step */
	ck_assert(!step_bp_match(st, &fn, 14));		/* its E */
	ck_assert(step_bp_match(st, &r, 3));			/* kfree_skb */
	ck_assert(!step_bp_match(st, &r, 4));			/* the same drop unwinding */
	ck_assert(step_bp_match(st, &d, 3) && !step_bp_match(st, &d, 5));
	ck_assert(step_bp_match(st, &p, 7) && !step_bp_match(st, &p, 8));
	ck_assert(step_bp_match(st, &icmp, 0) && !step_bp_match(st, &icmp, 7));
	ck_assert(step_bp_match(st, &udp, 7) && !step_bp_match(st, &udp, 0));
	step_bp_free(&icmp);
	step_bp_free(&udp);
}
END_TEST

static size_t move(struct step_session *ss, const char *line)
{
	struct step_cmd c = parse_ok(line);
	char err[200];
	int hit;
	return step_move(ss, &c, &hit, err, sizeof(err));
}

START_TEST(test_step_move)
{
	struct step_session ss;
	step_init(&ss, st);
	ck_assert_uint_eq(move(&ss, "back"), STEP_NONE);
	ss.cur = 1;						/* B ip_rcv */
	ck_assert_uint_eq(move(&ss, "next"), 5);		/* over the call: E ip_rcv */
	ck_assert_uint_eq(move(&ss, "step"), 2);
	ss.cur = 2;						/* B ip_rcv_core */
	ck_assert_uint_eq(move(&ss, "finish"), 4);
	ss.cur = 3;						/* a step inside it */
	ck_assert_uint_eq(move(&ss, "finish"), 4);
	ss.cur = 4;						/* its E: back in ip_rcv */
	ck_assert_uint_eq(move(&ss, "finish"), 5);
	ck_assert_uint_eq(move(&ss, "pkt 2"), 7);
	ck_assert_uint_eq(move(&ss, "pkt 9"), STEP_NONE);
	ck_assert_uint_eq(move(&ss, "seq 12"), 11);
	ck_assert_uint_eq(move(&ss, "run"), 0);
	ss.cur = 17;
	ck_assert_uint_eq(move(&ss, "step"), STEP_NONE);
	ss.cur = 0;
	struct step_bp bp = bp_ok("tcp_set_state");
	step_add_bp(&ss, &bp);
	ck_assert_uint_eq(move(&ss, "continue"), 11);
	ss.cur = 11;
	ck_assert_uint_eq(move(&ss, "continue"), 17);		/* the end */
	ck_assert_int_eq(step_delete_bp(&ss, 1), 0);
	ck_assert_int_eq(step_delete_bp(&ss, 1), -1);
	step_free(&ss);
}
END_TEST

START_TEST(test_step_state_skb_frame)
{
	struct step_skb k;
	struct step_frame fr;
	struct step_hdr h[STEP_MAX_HDRS];
	ck_assert_int_eq(step_skb_at(st, 0, &k), -1);		/* driver_rx: no skb */
	ck_assert_int_eq(step_skb_at(st, 4, &k), 0);		/* E without state: look back */
	ck_assert(k.have && k.from_seq == 4 && k.data == 78 && k.th == 98);
	ck_assert_int_eq(step_frame_of_pkt(st, 1, &fr), 0);
	ck_assert_int_eq(fr.dlt, 1);
	ck_assert_uint_eq(fr.caplen, 42);
	ck_assert_int_eq(fr.skb, 1);
	int n = step_decode(fr.dlt, fr.bytes, fr.caplen, h, STEP_MAX_HDRS);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(h[1].name, "IPv4");
	ck_assert_uint_eq(h[1].off, 14);
	ck_assert_ptr_nonnull(strstr(h[1].line1, "(ok)"));
	ck_assert_str_eq(h[2].name, "ICMP");
	fr.bytes[24] ^= 1;					/* break the IP checksum */
	step_decode(fr.dlt, fr.bytes, fr.caplen, h, STEP_MAX_HDRS);
	ck_assert_ptr_nonnull(strstr(h[1].line1, "(BAD)"));
	ck_assert_int_eq(step_decode(fr.dlt, fr.bytes, 20, h, STEP_MAX_HDRS), 2);	/* IPv4 cut short */
	ck_assert_ptr_nonnull(strstr(h[1].line1, "cut short"));
	free(fr.bytes);
	ck_assert_int_eq(step_frame_of_pkt(st, 7, &fr), -1);
}
END_TEST

/* A page of events, adjacent in the file or not, is one JSON array whose
 * elements are exactly the stored lines, in the order asked. */
START_TEST(test_store_lines_json_runs_and_gaps)
{
	size_t idx[] = { 1, 2, 3, 9, 11, 12, 0 };
	char *txt = store_lines_json(st, idx, 7);
	ck_assert_ptr_nonnull(txt);
	cJSON *a = cJSON_Parse(txt);
	ck_assert_msg(cJSON_IsArray(a), "not a JSON array: %.80s", txt);
	ck_assert_int_eq(cJSON_GetArraySize(a), 7);
	for (int k = 0; k < 7; k++) {
		char *line = store_line(st, idx[k], NULL);
		cJSON *want = cJSON_Parse(line);
		ck_assert(cJSON_Compare(cJSON_GetArrayItem(a, k), want, 1));
		cJSON_Delete(want);
		free(line);
	}
	cJSON_Delete(a);
	free(txt);
	txt = store_lines_json(st, idx, 0);
	ck_assert_str_eq(txt, "[]");
	free(txt);
	size_t bad[] = { 2, 99 };
	ck_assert_ptr_null(store_lines_json(st, bad, 2));	/* no such event */
}
END_TEST

static Suite *step_suite(void)
{
	Suite *s = suite_create("step");
	TCase *core = tcase_create("Core"), *state = tcase_create("State");
	tcase_add_test(core, test_step_parse);
	tcase_add_test(core, test_step_bp_parse);
	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, test_store_lines_json_runs_and_gaps);
	tcase_add_test(core, test_step_bp_match);
	tcase_add_test(core, test_step_move);
	tcase_add_checked_fixture(state, setup, teardown);
	tcase_add_test(state, test_step_state_skb_frame);
	suite_add_tcase(s, core);
	suite_add_tcase(s, state);
	return s;
}

NJ_TEST_MAIN(step_suite)
