/*
 * test_store_index.c - the store's compact event index (trace/store_index.c)
 * gives back exactly what was put in: random events with edge values
 * (offsets past 4 GiB, len 0 and 2^32-1, ts jumping backwards, seq 2^32-1,
 * pkt and skb at both ends of int32, any ph, depth, fn and layer) read back
 * equal in order, backwards and at random, while the index grows and from
 * two indexes at once (the per-thread block cache); next_in_pkt distances
 * of every size, escapes included; the seq lower bound matches a linear
 * scan; counter deltas sum as a plain sum does from any checkpoint. On a
 * real replayed trace every event agrees with its own JSON line, packets
 * chain through next_in_pkt, and the index costs at most 12 bytes an
 * event.
 */
#include <pcap/pcap.h>
#include <unistd.h>

#include "cJSON.h"
#include "mkpcap.h"
#include "nj_check.h"
#include "replay.h"
#include "store.h"
#include "store_index.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One of a few edge values, or anything. */
static uint64_t pick(const uint64_t *edge, size_t n)
{
	return rnd() % 3 ? edge[rnd() % n] : rnd();
}

static void random_event(struct store_ev *e, const struct store_ev *prev)
{
	static const uint64_t offs[] = { 0, 1, 4294967295ull, 4294967296ull, 4294967297ull, UINT64_MAX, 1ull << 40 };
	static const uint64_t lens[] = { 0, 1, 127, 128, 65535, UINT32_MAX };
	static const uint64_t ts[] = { 0, 1, 1704067200000000000ull, UINT64_MAX, 1ull << 63 };
	static const uint64_t u32[] = { 0, 1, 2, UINT32_MAX, UINT32_MAX - 1, 1u << 31 };
	static const uint64_t i32[] = { (uint64_t)-1, 0, 1, (uint64_t)INT32_MAX, (uint64_t)INT32_MIN };
	static const char phs[] = "BEiXM\0";
	memset(e, 0, sizeof(*e));
	int regular = prev && rnd() % 2;	/* half the events follow their predecessor, as a replay's do */
	e->seq = regular ? prev->seq + 1 : (uint32_t)pick(u32, 6);
	e->off = regular ? prev->off + prev->len + 1 : pick(offs, 7);
	e->ts_ns = regular && rnd() % 2 ? prev->ts_ns : pick(ts, 5);
	e->pkt = regular && rnd() % 2 ? prev->pkt : (int32_t)pick(i32, 5);
	e->skb = regular && rnd() % 2 ? prev->skb : (int32_t)pick(i32, 5);
	e->len = (uint32_t)pick(lens, 6);
	e->parent = rnd() % 4 == 0 ? 0 : rnd() % 2 ? e->seq - (uint32_t)(rnd() % 300) : (uint32_t)pick(u32, 6);
	e->depth = regular ? (uint8_t)(prev->depth + (int)(rnd() % 3) - 1) : (uint8_t)rnd();
	e->ph = phs[rnd() % 6];
	e->fn = rnd() % 8 ? (uint16_t)(rnd() % 40) : (uint16_t)rnd();
	e->layer = rnd() % 8 ? (uint16_t)(e->fn % 7) : (uint16_t)rnd();
	if (rnd() % 4 == 0) {
		e->verdict = rnd() % 2 ? V_DROP : (uint8_t)rnd();
		e->reason = (uint8_t)rnd();
	}
	e->next_in_pkt = STORE_NONE;
}

static void assert_ev_eq(const struct store_ev *a, const struct store_ev *b, size_t i)
{
	ck_assert_msg(a->off == b->off && a->ts_ns == b->ts_ns && a->len == b->len, "ev %zu: off/ts/len", i);
	ck_assert_msg(a->seq == b->seq && a->parent == b->parent, "ev %zu: seq %u/%u parent %u/%u", i, a->seq, b->seq,
		      a->parent, b->parent);
	ck_assert_msg(a->pkt == b->pkt && a->skb == b->skb, "ev %zu: pkt/skb", i);
	ck_assert_msg(a->fn == b->fn && a->layer == b->layer, "ev %zu: fn %u/%u layer %u/%u", i, a->fn, b->fn,
		      a->layer, b->layer);
	ck_assert_msg(a->ph == b->ph && a->depth == b->depth && a->verdict == b->verdict && a->reason == b->reason,
		      "ev %zu: ph/depth/verdict/reason", i);
	ck_assert_msg(a->next_in_pkt == b->next_in_pkt, "ev %zu: next %u/%u", i, a->next_in_pkt, b->next_in_pkt);
}

#define NRAND 20000

START_TEST(test_index_random_round_trip)
{
	struct store_ev *want = malloc(NRAND * sizeof(*want)), got;
	struct store_index *x = malloc(sizeof(*x));
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(x);
	sidx_init(x);
	for (size_t i = 0; i < NRAND; i++) {
		random_event(&want[i], i ? &want[i - 1] : NULL);
		sidx_append(x, &want[i]);
		/* read while it grows: the open block is decoded again, not stale */
		ck_assert_int_eq(sidx_get(x, i, &got), 0);
		assert_ev_eq(&got, &want[i], i);
		if (i >= 3 && rnd() % 3 == 0) {
			size_t k = i - 1 - rnd() % (i < 600 ? i : 600);
			uint32_t next = rnd() % 5 ? (uint32_t)(k + 1 + rnd() % 600) : (uint32_t)rnd();
			if (rnd() % 7 == 0)
				next = STORE_NONE;
			sidx_set_next(x, k, next);
			want[k].next_in_pkt = next;
		}
	}
	ck_assert_int_eq(sidx_get(x, NRAND, &got), -1);
	for (size_t i = 0; i < NRAND; i++) {
		ck_assert_int_eq(sidx_get(x, i, &got), 0);
		assert_ev_eq(&got, &want[i], i);
	}
	for (size_t i = NRAND; i-- > 0;) {
		ck_assert_int_eq(sidx_get(x, i, &got), 0);
		assert_ev_eq(&got, &want[i], i);
	}
	for (int k = 0; k < 50000; k++) {
		size_t i = rnd() % NRAND;
		ck_assert_int_eq(sidx_get(x, i, &got), 0);
		assert_ev_eq(&got, &want[i], i);
	}
	struct store_ev run[300];
	for (int k = 0; k < 300; k++) {		/* the bulk copy, across block edges */
		size_t first = rnd() % NRAND, n = rnd() % 300;
		if (first + n > NRAND)
			n = NRAND - first;
		sidx_evs(x, first, n, run);
		for (size_t j = 0; j < n; j++)
			assert_ev_eq(&run[j], &want[first + j], first + j);
	}
	for (size_t i = 0; i < NRAND; i++) {	/* a seq alone: from the anchor when the block is regular */
		uint32_t seq;
		uint16_t layer;
		int drop;
		ck_assert_int_eq(sidx_seq(x, i, &seq), 0);
		ck_assert_uint_eq(seq, want[i].seq);
		ck_assert_int_eq(sidx_layer(x, i, &layer, &drop), 0);	/* the layer byte, or decoded past 62 */
		ck_assert_uint_eq(layer, want[i].layer);
		ck_assert_int_eq(drop, want[i].ph == 'i' && want[i].verdict == V_DROP);
	}
	uint16_t layer;
	int drop;
	ck_assert_int_eq(sidx_layer(x, NRAND, &layer, &drop), -1);
	sidx_free(x);
	free(x);
	free(want);
}
END_TEST

/* Two indexes read in turn (and one freed and another made where it was):
 * a thread's cached blocks belong to the index that decoded them. */
START_TEST(test_index_two_indexes_one_thread)
{
	struct store_index a, b;
	struct store_ev e, got;
	sidx_init(&a);
	sidx_init(&b);
	for (uint32_t i = 0; i < 1000; i++) {
		e = (struct store_ev){ .seq = i + 1, .off = i * 10, .len = 9, .pkt = (int32_t)i, .skb = -1, .ph = 'i' };
		sidx_append(&a, &e);
		e.pkt = (int32_t)(5000 + i);
		e.fn = 3;
		sidx_append(&b, &e);
	}
	for (size_t i = 0; i < 1000; i++) {
		ck_assert_int_eq(sidx_get(&a, i, &got), 0);
		ck_assert_int_eq(got.pkt, (int)i);
		ck_assert_int_eq(sidx_get(&b, i, &got), 0);
		ck_assert_int_eq(got.pkt, (int)(5000 + i));
		ck_assert_uint_eq(got.fn, 3);
	}
	sidx_free(&a);
	sidx_init(&a);		/* same address, new contents */
	e = (struct store_ev){ .seq = 7, .pkt = 77, .skb = 1, .ph = 'B' };
	sidx_append(&a, &e);
	ck_assert_int_eq(sidx_get(&a, 0, &got), 0);
	ck_assert_int_eq(got.pkt, 77);
	ck_assert_int_eq(sidx_get(&a, 1, &got), -1);
	sidx_free(&a);
	sidx_free(&b);
}
END_TEST

START_TEST(test_index_next_distances)
{
	struct store_index x;
	struct store_ev e = { .skb = -1, .ph = 'i' }, got;
	static const uint32_t dist[] = { 1, 2, 253, 254, 255, 256, 100000 };
	sidx_init(&x);
	for (uint32_t i = 0; i < 200000; i++) {
		e.seq = i + 1;
		sidx_append(&x, &e);
	}
	for (size_t k = 0; k < sizeof(dist) / sizeof(dist[0]); k++)
		sidx_set_next(&x, k * 10, (uint32_t)(k * 10 + dist[k]));
	sidx_set_next(&x, 500, 3);		/* backwards: kept exactly too */
	sidx_set_next(&x, 600, STORE_NONE);
	for (uint32_t i = 1000; i < 4000; i++)	/* many escapes: the table grows */
		sidx_set_next(&x, i, i + 1000);
	for (size_t k = 0; k < sizeof(dist) / sizeof(dist[0]); k++) {
		ck_assert_int_eq(sidx_get(&x, k * 10, &got), 0);
		ck_assert_uint_eq(got.next_in_pkt, k * 10 + dist[k]);
	}
	ck_assert_int_eq(sidx_get(&x, 500, &got), 0);
	ck_assert_uint_eq(got.next_in_pkt, 3);
	ck_assert_int_eq(sidx_get(&x, 600, &got), 0);
	ck_assert_uint_eq(got.next_in_pkt, STORE_NONE);
	ck_assert_int_eq(sidx_get(&x, 601, &got), 0);
	ck_assert_uint_eq(got.next_in_pkt, STORE_NONE);
	for (uint32_t i = 1000; i < 4000; i++) {
		ck_assert_int_eq(sidx_get(&x, i, &got), 0);
		ck_assert_uint_eq(got.next_in_pkt, i + 1000);
	}
	sidx_free(&x);
}
END_TEST

START_TEST(test_index_lower_bound)
{
	struct store_index x;
	struct store_ev e = { .skb = -1, .ph = 'i' };
	uint32_t seqs[3000];
	sidx_init(&x);
	uint32_t s = 5;
	for (size_t i = 0; i < 3000; i++) {
		s += (uint32_t)(rnd() % 4);		/* gaps and repeats */
		seqs[i] = i == 2999 ? UINT32_MAX : s;
		e.seq = seqs[i];
		sidx_append(&x, &e);
	}
	for (int k = 0; k < 3000; k++) {
		uint64_t q = k < 2990 ? rnd() % (s + 10) : (uint64_t)UINT32_MAX + (uint64_t)(k - 2995);
		size_t n = k % 5 ? 3000 : rnd() % 3001, want = 0;
		while (want < n && seqs[want] < q)
			want++;
		ck_assert_msg(sidx_lower_bound(&x, q, n) == want, "seq %llu in %zu: %zu, want %zu",
			      (unsigned long long)q, n, sidx_lower_bound(&x, q, n), want);
	}
	ck_assert_uint_eq(sidx_lower_bound(&x, 0, 3000), 0);
	sidx_free(&x);
	sidx_init(&x);				/* a replay's seqs: 1, 2, 3, ... (no decoding) */
	for (uint32_t i = 0; i < 1000; i++) {
		e.seq = i + 1;
		sidx_append(&x, &e);
	}
	for (uint64_t q = 0; q < 1005; q++) {
		uint32_t seq = 0;
		size_t want = q ? (size_t)q - 1 : 0;
		ck_assert_uint_eq(sidx_lower_bound(&x, q, 1000), want < 1000 ? want : 1000);
		ck_assert_uint_eq(sidx_lower_bound(&x, q, 500), want < 500 ? want : 500);
		ck_assert_int_eq(sidx_seq(&x, (size_t)q, &seq), q < 1000 ? 0 : -1);
		ck_assert_uint_eq(seq, q < 1000 ? q + 1 : 0);
	}
	sidx_free(&x);
}
END_TEST

/* Counter deltas: sums up to any event equal a plain sum, from any mark. */
START_TEST(test_index_mib_runs)
{
	struct sidx_mib m = { 0 };
	enum { NEV = 20000, RUN = 4096 };
	static struct { uint32_t ev, n; uint16_t id; } d[30000];
	size_t pos[NEV / RUN + 1], nd = 0;
	for (uint32_t ev = 0; ev < NEV; ev++) {
		if (ev % RUN == 0)
			pos[ev / RUN] = sidx_mib_mark(&m, ev);
		for (int k = (int)(rnd() % 4); k-- > 0 && rnd() % 3 == 0;) {
			d[nd].ev = ev;
			d[nd].id = (uint16_t)(rnd() % 9);	/* 8: past nout, ignored */
			d[nd].n = rnd() % 5 ? 1 : (uint32_t)rnd();
			if (rnd() % 50 == 0)
				d[nd].n = UINT32_MAX;
			sidx_mib_add(&m, ev, d[nd].id, d[nd].n);
			nd++;
		}
	}
	for (int q = 0; q < 300; q++) {
		uint64_t upto = rnd() % (NEV + 10), k = (upto < NEV ? upto : NEV - 1) / RUN, got[8] = { 0 }, sum[8] = { 0 };
		sidx_mib_sum(&m, pos[k], k * RUN, upto, got, 8);
		for (size_t j = 0; j < nd; j++)
			if (d[j].ev >= k * RUN && d[j].ev <= upto && d[j].id < 8)
				sum[d[j].id] += d[j].n;
		for (int i = 0; i < 8; i++)
			ck_assert_msg(got[i] == sum[i], "counter %d up to %llu", i, (unsigned long long)upto);
	}
	free(m.buf);
}
END_TEST

static int64_t jnum(const cJSON *o, const char *k, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

START_TEST(test_index_real_trace)
{
	char pcap[] = "/tmp/nj-test-index-XXXXXX", err[256];
	int fd = mkstemp(pcap);
	ck_assert_int_ge(fd, 0);
	close(fd);
	const struct mk_scenario *sc = mk_find("bench-mix");
	ck_assert_ptr_nonnull(sc);
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, pcap);
	struct mk_ctx c = { .dumper = d, .t_us = 1704067200000000ULL, .step_us = 1000, .param = 2000 };
	sc->build(&c);
	pcap_dump_close(d);
	pcap_close(dead);

	struct nj_store *s = store_create(NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	struct replay_cfg cfg = { .pcap = pcap };
	struct replay_result res;
	struct net *net = NULL;
	cfg.emit[0] = store_emit;
	cfg.emit_ctx[0] = s;
	cfg.nemit = 1;
	ck_assert_msg(replay_run(&cfg, &res, &net, err, sizeof(err)) == 0, "%s", err);
	free(res.scenario_json);
	net_destroy(net);
	unlink(pcap);

	size_t n = store_nevents(s);
	ck_assert_uint_gt(n, 50000);
	double per = (double)store_index_bytes(s) / (double)n;
	printf("store index: %zu events, %.2f bytes an event\n", n, per);
	ck_assert_msg(per <= 12, "%.2f bytes an event", per);
	int64_t *last = calloc(4096, sizeof(*last));	/* pkt → its latest event + 1 */
	ck_assert_ptr_nonnull(last);
	for (size_t i = 0; i < n; i++) {
		struct store_ev e;
		ck_assert_int_eq(store_ev_get(s, i, &e), 0);
		char *line = store_line(s, i, NULL);
		cJSON *o = cJSON_Parse(line);
		ck_assert_msg(o != NULL, "ev %zu", i);
		ck_assert_int_eq(e.seq, jnum(o, "seq", -1));
		ck_assert_int_eq(e.parent, jnum(o, "parent", 0));
		ck_assert_int_eq(e.pkt, jnum(o, "pkt", -1));
		ck_assert_int_eq(e.skb, jnum(o, "skb", -1));
		ck_assert_int_eq(e.depth, jnum(o, "depth", -1));
		ck_assert_int_eq(e.ph, cJSON_GetObjectItem(o, "ph")->valuestring[0]);
		ck_assert_str_eq(store_name(s, e.fn), cJSON_GetObjectItem(o, "fn")->valuestring);
		ck_assert_str_eq(store_name(s, e.layer), cJSON_GetObjectItem(o, "layer")->valuestring);
		ck_assert_uint_eq(e.len, strlen(line));
		ck_assert_uint_eq(store_index_of_seq(s, e.seq), i);
		if (e.pkt >= 0 && e.pkt < 4096) {
			if (last[e.pkt]) {
				struct store_ev p;
				ck_assert_int_eq(store_ev_get(s, (size_t)last[e.pkt] - 1, &p), 0);
				ck_assert_uint_eq(p.next_in_pkt, i);
			}
			last[e.pkt] = (int64_t)i + 1;
		}
		cJSON_Delete(o);
		free(line);
	}
	free(last);
	store_free(s);
}
END_TEST

static Suite *store_index_suite(void)
{
	Suite *s = suite_create("store_index");
	TCase *tc = tcase_create("index");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_index_random_round_trip);
	tcase_add_test(tc, test_index_two_indexes_one_thread);
	tcase_add_test(tc, test_index_next_distances);
	tcase_add_test(tc, test_index_lower_bound);
	tcase_add_test(tc, test_index_mib_runs);
	tcase_add_test(tc, test_index_real_trace);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(store_index_suite)
