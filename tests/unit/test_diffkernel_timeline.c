/*
 * test_diffkernel_timeline.c - diff-kernel's one timeline for both halves
 * (dk_play_times): each frame keeps its capture gap, a gap past --max-gap
 * is shortened (and noted), and netjourney's replay runs its clock on those
 * times (replay_cfg.retime_ns), so a 31 s gap shortened to 1.5 s expires no
 * fragment queue there, as in the kernel half.
 */
#include "nj_check.h"
#include "diffkernel.h"
#include "replay.h"

/* the cli defines it (the signal handler sets it); diffkernel_nj.c reads it */
volatile sig_atomic_t dk_stop;

#define MS 1000000ULL
#define SEC 1000000000ULL

static struct dk_frame fr[4];

static struct dk_list list_at(const uint64_t *ts, size_t n)
{
	memset(fr, 0, sizeof(fr));
	for (size_t i = 0; i < n; i++)
		fr[i].ts_ns = ts[i];
	return (struct dk_list){ .v = fr, .n = n, .cap = n };
}

START_TEST(test_play_times_keep_gaps_shorten_long_ones)
{
	const uint64_t ts[4] = { 100 * SEC, 100 * SEC + 1 * MS, 131 * SEC + 2 * MS, 131 * SEC + 2 * MS };
	struct dk_list in = list_at(ts, 4);
	struct dk_opts o = { .settle_ms = 30, .max_gap_ms = 1500 };
	char notes[512] = "";
	dk_play_times(&in, &o, notes, sizeof(notes));
	ck_assert_uint_eq(fr[0].play_ns, 100 * SEC);
	ck_assert_uint_eq(fr[1].play_ns, 100 * SEC + 1 * MS);	/* dense: kept (settle is the kernel's own) */
	ck_assert_uint_eq(fr[2].play_ns, 100 * SEC + 1 * MS + 1500 * MS);
	ck_assert_uint_eq(fr[3].play_ns, fr[2].play_ns);		/* the same instant stays one */
	ck_assert_ptr_nonnull(strstr(notes, "before frame 3 replayed as 1.500 s on both sides"));
}
END_TEST

START_TEST(test_play_times_never_go_back)
{
	const uint64_t ts[3] = { 5 * SEC, 4 * SEC, 6 * SEC };	/* a capture out of order */
	struct dk_list in = list_at(ts, 3);
	struct dk_opts o = { .settle_ms = 30, .max_gap_ms = 1500 };
	char notes[64] = "";
	dk_play_times(&in, &o, notes, sizeof(notes));
	ck_assert_uint_eq(fr[1].play_ns, 5 * SEC);
	ck_assert_uint_eq(fr[2].play_ns, 5 * SEC + 1500 * MS);
}
END_TEST

static const char *pcap_path(void)
{
	return access("pcaps/frag-timeout.pcap", R_OK) == 0 ? "pcaps/frag-timeout.pcap"
							     : "../../pcaps/frag-timeout.pcap";
}

/* frag-timeout: two fragments, then a ping 31 s later. On the capture's
 * clock the queue expires (ReasmTimeout); on a timeline with the gap at
 * 1.5 s it is still waiting when the capture ends. */
static uint64_t reasm_timeouts(const uint64_t *retime, uint64_t n)
{
	struct replay_cfg cfg = { .pcap = pcap_path(), .stop_at_end = 1, .retime_ns = retime, .nretime = n };
	struct replay_result res;
	struct net *net = NULL;
	char err[256];
	ck_assert_msg(replay_run(&cfg, &res, &net, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.frames, 3);
	uint64_t v = net->mib[MIB_IP_REASMTIMEOUT];
	free(res.scenario_json);
	net_destroy(net);
	return v;
}

START_TEST(test_replay_runs_on_the_timeline)
{
	ck_assert_uint_eq(reasm_timeouts(NULL, 0), 1);
	const uint64_t play[3] = { 1704067200ULL * SEC, 1704067200ULL * SEC + 1 * MS,
				   1704067200ULL * SEC + 1 * MS + 1500 * MS };
	ck_assert_uint_eq(reasm_timeouts(play, 3), 0);
	ck_assert_uint_eq(reasm_timeouts(play, 2), 1);	/* frame 3 past the table: its own time */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diffkernel_timeline");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_play_times_keep_gaps_shorten_long_ones);
	tcase_add_test(c, test_play_times_never_go_back);
	tcase_add_test(c, test_replay_runs_on_the_timeline);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(suite)
