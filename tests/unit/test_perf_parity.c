/*
 * test_perf_parity.c - the fast paths of issue 11 change no result:
 * replay --no-trace (the tracer's lite mode) and a traced replay give the
 * same per-packet verdict counts, drop reasons, counters and -w bytes on
 * the bench-mix capture; and the store's fast line scanner builds the same
 * index as the cJSON path on the trace of every pcap in pcaps/, with
 * checkpointed counter totals equal to a plain sum over the lines.
 * Not timed: bench/run.sh measures.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include "cJSON.h"
#include "mkpcap.h"
#include "nj_check.h"
#include "replay.h"
#include "sinks.h"
#include "store.h"

#define BENCH_FRAMES 3000

static char tmpdir[64];

/* The bench-mix capture, built in-process as `mkpcap bench-mix --count`. */
static void make_bench(const char *path, unsigned long count)
{
	const struct mk_scenario *sc = mk_find("bench-mix");
	ck_assert_ptr_nonnull(sc);
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	ck_assert_ptr_nonnull(d);
	struct mk_ctx c = { .dumper = d, .t_us = 1704067200000000ULL, .step_us = 1000, .param = count };
	sc->build(&c);
	pcap_dump_close(d);
	pcap_close(dead);
}

static const char *tmp(const char *name)
{
	static char buf[4][160];
	static int i;
	char *b = buf[i++ & 3];
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/nj-parity-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(b, 160, "%s/%s", tmpdir, name);
	return b;
}

/* Removes this test's scratch directory. */
static void tmp_cleanup(void)
{
	DIR *d = tmpdir[0] ? opendir(tmpdir) : NULL;
	struct dirent *de;
	char p[200];
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name) < (int)sizeof(p))
			unlink(p);
	closedir(d);
	rmdir(tmpdir);
	tmpdir[0] = 0;
}

struct run {
	struct human_sink hs;
	struct net *net;
	struct replay_result res;
	int lite;
};

static void flush_cb(void *ctx) { human_flush(&((struct run *)ctx)->hs); }

static int lite_on_net(void *ctx, struct net *net, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	trace_set_outcome_table(net, &((struct run *)ctx)->hs.ot);
	return 0;
}

/* mode 0: traced (verdict lines), 1: --no-trace (lite), 2: no sink at all. */
static void replay_mode(struct run *r, const char *pcap, const char *out, int mode)
{
	struct replay_cfg cfg = { .pcap = pcap, .write_pcap = out };
	char err[256];
	FILE *sinkf = tmpfile();
	memset(r, 0, sizeof(*r));
	human_init(&r->hs, sinkf, 0, 0, mode == 1 ? HUMAN_TOTALS : HUMAN_VERDICTS);
	if (mode == 0) {
		cfg.emit[0] = human_emit;
		cfg.emit_ctx[0] = &r->hs;
		cfg.nemit = 1;
	} else if (mode == 1) {
		cfg.on_net = lite_on_net;
		cfg.on_net_ctx = r;
	}
	cfg.after_softirq = flush_cb;
	cfg.after_ctx = r;
	ck_assert_msg(replay_run(&cfg, &r->res, &r->net, err, sizeof(err)) == 0, "%s", err);
	human_flush(&r->hs);
	fclose(sinkf);
}

static void run_free(struct run *r)
{
	human_free(&r->hs);
	free(r->res.scenario_json);
	net_destroy(r->net);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ (%zu vs %zu bytes)", a, b, la, lb);
	free(x);
	free(y);
}

START_TEST(test_perf_no_trace_same_outcomes)
{
	const char *pcap = tmp("bench.pcap");
	struct run on, lite, off;
	make_bench(pcap, BENCH_FRAMES);
	replay_mode(&on, pcap, tmp("on.pcap"), 0);
	replay_mode(&lite, pcap, tmp("lite.pcap"), 1);
	replay_mode(&off, pcap, tmp("off.pcap"), 2);
	ck_assert_uint_eq(on.res.frames, BENCH_FRAMES);
	uint64_t total = 0;
	for (int v = 0; v < V_MAX; v++) {
		total += lite.hs.verdicts[v];
		ck_assert_msg(on.hs.verdicts[v] == lite.hs.verdicts[v], "verdict %s: %llu traced, %llu no-trace",
			      verdict_name(v), (unsigned long long)on.hs.verdicts[v],
			      (unsigned long long)lite.hs.verdicts[v]);
	}
	/* A packet with events in two softirq runs (a fragment, then the
	 * datagram; an ARP-queued reply dropped later) counts in each: the sum
	 * may exceed the frames, the same way traced or not. */
	ck_assert_uint_ge(total, BENCH_FRAMES);
	ck_assert_uint_eq(lite.hs.verdicts[V_NONE], 0);
	ck_assert_uint_gt(lite.hs.verdicts[V_DROP], 0);
	for (int d = 0; d < SKB_DROP_REASON_MAX; d++)
		ck_assert_msg(on.hs.drops[d] == lite.hs.drops[d], "drop %s differs", drop_reason_name(d));
	for (int i = 0; i < MIB_MAX; i++) {
		ck_assert_msg(on.net->mib[i] == lite.net->mib[i], "%s: traced vs no-trace", mib_name(i));
		ck_assert_msg(on.net->mib[i] == off.net->mib[i], "%s: traced vs no sink", mib_name(i));
	}
	ck_assert_int_eq(lite.net->tr.depth, 0);
	assert_same_file(tmp("on.pcap"), tmp("lite.pcap"));
	assert_same_file(tmp("on.pcap"), tmp("off.pcap"));
	run_free(&on);
	run_free(&lite);
	run_free(&off);
	tmp_cleanup();
}
END_TEST

/* pcap → JSONL as `replay -o` writes it (metadata lines included). */
static void write_trace(const char *pcap, const char *scenario, const char *out)
{
	struct jsonl_sink js;
	struct replay_cfg cfg = { .pcap = pcap, .scenario = scenario };
	struct replay_result res;
	struct net *net = NULL;
	struct jw w = { 0 };
	char err[256];
	ck_assert_int_eq(jsonl_open(&js, out, err, sizeof(err)), 0);
	event_meta_start(&w, pcap, NULL, "6.x");
	jsonl_line(&js, w.buf);
	cfg.emit[0] = jsonl_emit;
	cfg.emit_ctx[0] = &js;
	cfg.nemit = 1;
	ck_assert_msg(replay_run(&cfg, &res, &net, err, sizeof(err)) == 0, "%s: %s", pcap, err);
	jw_reset(&w);
	event_meta_end(&w, net, 1, js.events, res.frames, NULL);
	jsonl_line(&js, w.buf);
	ck_assert_int_eq(jsonl_close(&js, err, sizeof(err)), 0);
	jw_free(&w);
	free(res.scenario_json);
	net_destroy(net);
}

/* cJSON keeps numbers as doubles: compare as it would have read ours. */
static uint64_t as_double(uint64_t v) { return (uint64_t)(double)v; }

static void assert_same_event(struct nj_store *a, struct nj_store *b, size_t i, const char *name)
{
	struct store_ev xb, yb;
	const struct store_ev *x = store_ev_at(a, i, &xb), *y = store_ev_at(b, i, &yb);
	ck_assert_msg(x && y, "%s ev %zu missing", name, i);
	ck_assert_msg(x->off == y->off && x->len == y->len && x->next_in_pkt == y->next_in_pkt, "%s ev %zu", name, i);
	ck_assert_msg(as_double(x->seq) == y->seq && x->parent == y->parent && x->pkt == y->pkt && x->skb == y->skb,
		      "%s ev %zu ids", name, i);
	ck_assert_msg(as_double(x->ts_ns) == y->ts_ns, "%s ev %zu ts_ns", name, i);
	ck_assert_msg(x->ph == y->ph && x->verdict == y->verdict && x->reason == y->reason && x->depth == y->depth,
		      "%s ev %zu ph/verdict/reason/depth", name, i);
	ck_assert_str_eq(store_name(a, x->fn), store_name(b, y->fn));
	ck_assert_str_eq(store_name(a, x->layer), store_name(b, y->layer));
}

/* The old store_mib_at: every E line parsed with cJSON, deltas summed. */
static void mib_by_lines(struct nj_store *s, size_t upto, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * MIB_MAX);
	for (size_t k = 0; k <= upto && k < store_nevents(s); k++) {
		struct store_ev e;
		if (store_ev_get(s, k, &e) < 0 || e.ph != 'E')
			continue;
		char *line = store_line(s, k, NULL);
		cJSON *o = cJSON_Parse(line), *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "mib")) {
			int id = mib_lookup(c->string);
			if (id >= 0)
				out[id] += (uint64_t)c->valuedouble;
		}
		cJSON_Delete(o);
		free(line);
	}
}

static void assert_same_store(const char *trace, const char *name)
{
	char err[256];
	struct nj_store *fast = store_open_jsonl(trace, err, sizeof(err));
	struct nj_store *slow = store_open_jsonl_flags(trace, STORE_OPEN_CJSON, err, sizeof(err));
	ck_assert_msg(fast && slow, "%s: %s", name, err);
	size_t n = store_nevents(fast);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(n, store_nevents(slow));
	for (size_t i = 0; i < n; i++)
		assert_same_event(fast, slow, i, name);
	ck_assert_uint_eq(store_npkts(fast), store_npkts(slow));
	for (size_t i = 0; i < store_npkts(fast); i++) {
		const struct store_pkt *p = store_pkt_at(fast, i), *q = store_pkt_at(slow, i);
		ck_assert_msg(p->pkt == q->pkt && p->first == q->first && p->last == q->last && p->count == q->count &&
			      p->driver_ev == q->driver_ev && as_double(p->ts_ns) == q->ts_ns &&
			      p->verdict == q->verdict && p->reason == q->reason, "%s pkt %zu", name, i);
	}
	ck_assert_str_eq(store_meta_end(fast), store_meta_end(slow));
	uint64_t m1[MIB_MAX], m2[MIB_MAX], m3[MIB_MAX];
	size_t pts[] = { 0, n / 3, n / 2, n - 1, n + 5 };
	for (size_t k = 0; k < sizeof(pts) / sizeof(pts[0]); k++) {
		store_mib_at(fast, pts[k], m1);
		store_mib_at(slow, pts[k], m2);
		mib_by_lines(fast, pts[k], m3);
		for (int i = 0; i < MIB_MAX; i++)
			ck_assert_msg(m1[i] == m2[i] && m1[i] == m3[i], "%s: %s at %zu", name, mib_name(i), pts[k]);
	}
	store_free(fast);
	store_free(slow);
}

static const char *pcaps_dir(void)
{
	return access("pcaps/default.pcap", R_OK) == 0 ? "pcaps" : "../../pcaps";
}

START_TEST(test_perf_store_scanner_matches_cjson)
{
	DIR *d = opendir(pcaps_dir());
	struct dirent *de;
	int n = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".pcap"))
			continue;
		char pcap[512], scen[512];
		snprintf(pcap, sizeof(pcap), "%s/%s", pcaps_dir(), de->d_name);
		snprintf(scen, sizeof(scen), "%s/%.*s.json", pcaps_dir(), (int)(l - 5), de->d_name);
		write_trace(pcap, access(scen, R_OK) == 0 ? scen : NULL, tmp("t.jsonl"));
		assert_same_store(tmp("t.jsonl"), de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_int_gt(n, 20);
	tmp_cleanup();
}
END_TEST

START_TEST(test_perf_store_scanner_bench_checkpoints)
{
	/* more than one STORE_CKPT block of events, so checkpoints are used */
	make_bench(tmp("bench2.pcap"), 600);
	write_trace(tmp("bench2.pcap"), NULL, tmp("bench2.jsonl"));
	assert_same_store(tmp("bench2.jsonl"), "bench-mix 600");
	tmp_cleanup();
}
END_TEST

static Suite *perf_parity_suite(void)
{
	Suite *s = suite_create("perf_parity");
	TCase *tc = tcase_create("Core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_perf_no_trace_same_outcomes);
	tcase_add_test(tc, test_perf_store_scanner_matches_cjson);
	tcase_add_test(tc, test_perf_store_scanner_bench_checkpoints);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(perf_parity_suite)
