/*
 * test_replay_time.c - the time a frame plays at (replay_frame_time) and
 * the clock after the capture: a capture's seconds are signed (libpcap's
 * struct pcap_timeval), so a record can claim a time before 1970; read as
 * unsigned it was 2^64 - 1 s of nanoseconds, every timeout armed after it
 * wrapped around to the past, and the time after the capture never ended.
 */
#include "nj_check.h"
#include "replay.h"
#include "replay_ahead.h"

#define SEC 1000000000ULL

static uint64_t at(long sec, long nsec)
{
	struct pcap_pkthdr h = { 0 };
	h.ts.tv_sec = sec;
	h.ts.tv_usec = nsec;	/* nanoseconds: the readers' nano mode */
	return replay_frame_time(&h, 1, NULL, 0);
}

START_TEST(frame_times_stay_in_range)
{
	ck_assert_uint_eq(at(1704067200, 5), 1704067200 * SEC + 5);
	ck_assert_uint_eq(at(0, 0), 0);
	ck_assert_uint_eq(at(-1, 720895), 0);		/* before 1970: the clock stays */
	ck_assert_uint_eq(at(5, -1), 0);
	ck_assert_uint_eq(at(0x7fffffffL, 999999999), 0x7fffffffULL * SEC + 999999999);	/* 2038 */
	/* a pcapng timestamp can reach 2^64 ns: the clock stops at the bound */
	ck_assert_uint_eq(at(18446744073L, 709551615), REPLAY_TIME_MAX_NS);
	ck_assert_uint_eq(at(4611686018L, 427387904), REPLAY_TIME_MAX_NS);
	ck_assert_uint_eq(at(4611686017L, 999999999), 4611686017ULL * SEC + 999999999);
	/* room for the longest timeouts the stack arms, many times over */
	ck_assert(REPLAY_TIME_MAX_NS + 1000ULL * 365 * 86400 * SEC > REPLAY_TIME_MAX_NS);
	uint64_t retime[2] = { 7, UINT64_MAX };
	struct pcap_pkthdr h = { 0 };
	ck_assert_uint_eq(replay_frame_time(&h, 1, retime, 2), 7);
	ck_assert_uint_eq(replay_frame_time(&h, 2, retime, 2), REPLAY_TIME_MAX_NS);
}
END_TEST

/* The fuzzer's capture: the host's connections with data never acked,
 * one record at -1 s. Its retransmissions now back off up to the bound of
 * the time after the capture, and the replay ends (it used to spin there,
 * writing events until the disk was full). */
START_TEST(a_record_before_1970_does_not_stall_the_time_after)
{
	struct replay_cfg cfg = { 0 };
	struct replay_result res;
	struct net *net = NULL;
	char err[512];
	cfg.pcap = "tests/fuzz/regressions/pcap/after-capture-clock-wrap";
	cfg.auto_host = 1;
	cfg.no_csum = 1;
	ck_assert_msg(replay_run(&cfg, &res, &net, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.frames, 8);
	ck_assert(res.trailing[0] != 0);		/* the damaged tail is reported */
	ck_assert_uint_ge(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 4);
	ck_assert_uint_le(net->mib[MIB_TCPEXT_TCPTIMEOUTS], 40);
	ck_assert_uint_le(net->now_ns, 1704067200 * SEC + REPLAY_AFTER_MAX_NS + SEC);
	free(res.scenario_json);
	net_destroy(net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("replay_time");
	TCase *tc = tcase_create("clock");
	tcase_add_test(tc, frame_times_stay_in_range);
	tcase_add_test(tc, a_record_before_1970_does_not_stall_the_time_after);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(suite)
