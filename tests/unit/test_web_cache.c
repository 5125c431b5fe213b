/*
 * test_web_cache.c - what the server derives and keeps must not change a
 * reply: the histogram (web/histogram.c's block totals) against a direct
 * walk of the events, ties of the top layer included, on a live trace
 * that grows between requests and on one with too many layers for the
 * totals; packet-list pages (cached summaries, rows written as text)
 * cold, warm and after eviction, each row against the cJSON-printed
 * detail reply; and numbers and strings written without cJSON nodes
 * against cJSON's own printing.
 */
#include <math.h>

#include "nj_web_check.h"
#include "web.h"

/* GET path from the server; the body (malloc'd) and *status. */
static char *get(const char *path, int *status)
{
	struct nj_resp r = nj_get(path);
	char *body = r.body;
	*status = r.status;
	r.body = NULL;
	nj_resp_free(&r);
	return body;
}

/* The synthetic trace: what the test emitted, to fold by hand. */
#define SYN_MAX 6000
static struct {
	int n;
	int layer[SYN_MAX];		/* index into the names L0, L1, … */
	int drop[SYN_MAX];		/* counts as a histogram drop */
	uint64_t seq[SYN_MAX];
} syn;

/* Appends count events to store s: runs of one layer of random length,
 * so that buckets often tie for the top layer, and now and then a drop
 * instant (or a drop exit, which the histogram does not count). */
static void syn_emit(struct nj_store *s, int count, int nlayers, unsigned *rnd)
{
	char name[16];
	int run = 0, layer = 0;
	for (int i = 0; i < count && syn.n < SYN_MAX; i++) {
		if (!run) {
			run = 1 + (int)(rand_r(rnd) % (rand_r(rnd) % 4 ? 12 : 150));
			layer = (int)(rand_r(rnd) % (unsigned)nlayers);
		}
		run--;
		snprintf(name, sizeof(name), "L%d", layer);
		int k = (int)(rand_r(rnd) % 16);
		struct trace_event ev = {
			.seq = (uint64_t)syn.n * 3 + 1, .ph = k == 0 || k == 1 ? 'i' : k == 2 ? 'E' : 'B',
			.fn = "f", .layer = name, .pkt = -1, .skb = -1,
			.verdict = k <= 2 ? V_DROP : V_NONE, .reason = k <= 2 ? SKB_DROP_REASON_NO_SOCKET : 0,
		};
		store_emit(s, &ev);
		syn.layer[syn.n] = layer;
		syn.drop[syn.n] = k <= 1;
		syn.seq[syn.n++] = ev.seq;
	}
}

/* Bucket [lo, hi) as a walk of its events folds it: the top layer is
 * the one whose running count first passes the leader's, so a tie goes
 * to the layer that reached the top count first. */
static void fold(int lo, int hi, double *n, double *drops, double *seq, int *layer)
{
	int cnt[128] = { 0 }, best = 0;
	*drops = 0;
	for (int i = lo; i < hi; i++) {
		if (++cnt[syn.layer[i]] > cnt[best])
			best = syn.layer[i];
		*drops += syn.drop[i];
	}
	*n = hi - lo;
	*seq = lo < hi ? (double)syn.seq[lo] : 0;
	*layer = lo < hi ? best : -1;
}

static double item(const cJSON *o, const char *k, int i)
{
	const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, k), i);
	ck_assert_msg(cJSON_IsNumber(v), "no %s[%d]", k, i);
	return v->valuedouble;
}

/* The histogram of trace id over [from, to) in nb buckets against fold();
 * returns the buckets whose top layer was a tie. */
static int check_hist(int id, int from, int to, int nb)
{
	char path[160];
	int st, ties = 0;
	snprintf(path, sizeof(path), "/api/traces/%d/histogram?buckets=%d&from=%d&to=%d", id, nb, from, to);
	char *body = get(path, &st);
	cJSON *o = cJSON_Parse(body);
	ck_assert_msg(st == 200 && o, "%s: %d %s", path, st, body);
	int n = syn.n, t = to < n ? to : n, f = from < t ? from : t, span = t - f;
	int b = nb > span ? (span ? span : 1) : nb;
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "total")->valuedouble, n);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "from")->valuedouble, f);
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "to")->valuedouble, t);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "n")), b);
	const cJSON *names = cJSON_GetObjectItem(o, "names");
	for (int i = 0; i < b; i++) {
		int lo = f + (int)((long)span * i / b), hi = f + (int)((long)span * (i + 1) / b), layer;
		double en, ed, es;
		fold(lo, hi, &en, &ed, &es, &layer);
		ck_assert_msg(item(o, "n", i) == en && item(o, "drops", i) == ed && item(o, "seq", i) == es,
			      "%s: bucket %d [%d, %d) counts differ", path, i, lo, hi);
		int got = (int)item(o, "layer", i);
		char want[16] = "";
		if (layer >= 0)
			snprintf(want, sizeof(want), "L%d", layer);
		const cJSON *nm = got >= 0 ? cJSON_GetArrayItem(names, got) : NULL;
		ck_assert_msg(layer < 0 ? got == -1 : nm && !strcmp(nm->valuestring, want),
			      "%s: bucket %d [%d, %d): layer %s, expected %s", path, i, lo, hi,
			      nm ? nm->valuestring : "-1", layer < 0 ? "-1" : want);
		int cnt[128] = { 0 }, top = 0, ntop = 0;
		for (int k = lo; k < hi; k++)
			top = ++cnt[syn.layer[k]] > top ? cnt[syn.layer[k]] : top;
		for (int k = 0; k < 128; k++)
			ntop += top && cnt[k] == top;
		ties += ntop > 1;
	}
	cJSON_Delete(o);
	free(body);
	return ties;
}

/* Bucket counts, ranges on and off the 64-event blocks, empty and tiny
 * ranges, ranges past the end and random ones; returns the ties seen. */
static int check_ranges(int id, unsigned *rnd)
{
	static const int nbs[] = { 1, 2, 3, 7, 13, 64, 400, 2000 };
	int n = syn.n, ties = 0;
	const int fixed[][2] = { { 0, n }, { 1, n - 1 }, { 5, 5 }, { 0, 1 }, { n - 1, n + 9 }, { n, n + 3 },
				 { 63, 65 }, { 64, 128 }, { 65, 4097 }, { 31, 33 }, { 100, 90 }, { n / 3, n / 2 } };
	for (size_t k = 0; k < sizeof(nbs) / sizeof(nbs[0]); k++) {
		for (size_t j = 0; j < sizeof(fixed) / sizeof(fixed[0]); j++)
			ties += check_hist(id, fixed[j][0], fixed[j][1], nbs[k]);
		for (int j = 0; j < 6; j++) {
			int from = (int)(rand_r(rnd) % (unsigned)(n + 2));
			ties += check_hist(id, from, from + (int)(rand_r(rnd) % (unsigned)(n + 1)), nbs[k]);
		}
	}
	return ties;
}

static void setup(void)
{
	struct web_cfg cfg = { 0 };
	nj_web_start(&cfg);
	memset(&syn, 0, sizeof(syn));
}

static void teardown(void)
{
	web_stop();
}

/* A live trace checked as it grows: the totals cover its complete blocks
 * only, the rest is scanned, and layers first seen late get their slot. */
START_TEST(test_web_hist_matches_walk)
{
	char err[256];
	unsigned rnd = 7;
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	int id = web_add_trace("synthetic", s, 1), ties = 0;
	ck_assert_int_gt(id, 0);
	static const int grow[][2] = { { 1, 2 }, { 40, 2 }, { 700, 3 }, { 1300, 4 }, { 2500, 6 } };
	for (size_t g = 0; g < sizeof(grow) / sizeof(grow[0]); g++) {
		syn_emit(s, grow[g][0], grow[g][1], &rnd);
		ties += check_ranges(id, &rnd);
	}
	ck_assert_msg(ties > 100, "only %d buckets tied: the tie rule went untested", ties);
}
END_TEST

/* More layers than the totals track: the histogram walks the events, with
 * the same result. */
START_TEST(test_web_hist_many_layers)
{
	char err[256];
	unsigned rnd = 11;
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	int id = web_add_trace("many layers", s, 1);
	syn_emit(s, 3000, 100, &rnd);
	check_ranges(id, &rnd);
}
END_TEST

/* Packet k of a synthetic trace: a driver_rx event whose message makes
 * the summary (quotes, control bytes, UTF-8, one over 255 bytes, none),
 * sometimes a drop, sometimes no driver_rx at all (an empty summary). */
static void pkt_emit(struct nj_store *s, uint64_t *seq, int64_t k)
{
	static const char *const msg[] = {
		"#%lld plain summary", "#%lld quote\" back\\slash\ttab\nnewline\r\b\f",
		"#%lld ctrl\x01\x1f del\x7f utf8 \xc3\xa9 /", NULL, "no number %lld", "#%lld", "",
	};
	char m[400], args[160];
	const char *fmt = msg[k % 7];
	if (fmt)
		snprintf(m, sizeof(m), fmt, (long long)k);
	if (k % 11 == 3)
		snprintf(m, sizeof(m), "#%lld %0300d", (long long)k, 7);
	snprintf(args, sizeof(args), "{\"linktype\":1,\"caplen\":14,\"len\":%lld,"
		 "\"frame\":\"0200000000010200000000aa0800\"}", (long long)(60 + k % 9));
	int driver = k % 13 != 5;
	struct trace_event ev = {
		.seq = ++*seq, .ph = 'B', .fn = driver ? "driver_rx" : "netif_rx", .layer = "driver",
		.pkt = k, .skb = -1, .ts_ns = (uint64_t)k * 1000000007ULL, .msg = fmt || k % 11 == 3 ? m : NULL,
		.args = args,
	};
	store_emit(s, &ev);
	if (k % 3 == 0) {
		struct trace_event d = { .seq = ++*seq, .ph = 'i', .fn = "kfree_skb", .layer = "core", .pkt = k,
					 .skb = -1, .verdict = V_DROP, .reason = SKB_DROP_REASON_OTHERHOST };
		store_emit(s, &d);
	}
	ev.seq = ++*seq;
	ev.ph = 'E';
	ev.msg = NULL;
	ev.args = NULL;
	ev.verdict = V_PASS;
	store_emit(s, &ev);
}

/* The row text of a one-packet page: between "packets":[ and ]}. */
static char *page_row(const char *body)
{
	const char *a = strstr(body, "\"packets\":[");
	ck_assert_ptr_nonnull(a);
	a += strlen("\"packets\":[");
	size_t n = strlen(a);
	ck_assert_msg(n >= 2 && !strcmp(a + n - 2, "]}"), "page ends in %s", a);
	return strndup(a, n - 2);
}

/* Whether every member of row is the detail's member of that name, in
 * the same order at its start. */
static int same_start(const cJSON *row, const cJSON *detail)
{
	const cJSON *a = row ? row->child : NULL, *b = detail ? detail->child : NULL;
	for (; a; a = a->next, b = b->next)
		if (!b || strcmp(a->string, b->string) || !cJSON_Compare(a, b, 1))
			return 0;
	return 1;
}

/* Each row of the list is the start of the packet's detail reply, which
 * cJSON prints from the same fields (web_pkt_json) and more after: byte
 * for byte, but for DEL, which the trace's writer escapes (\u007f, as
 * tests/outputs asserts of traces) and cJSON does not; that row reads the
 * same. */
static void check_rows(int id, int64_t from, int64_t to)
{
	char path[128];
	int st;
	for (int64_t i = from; i < to; i++) {
		snprintf(path, sizeof(path), "/api/traces/%d/packets?offset=%lld&limit=1", id, (long long)i);
		char *body = get(path, &st), *row = page_row(body);
		cJSON *r = cJSON_Parse(row);
		ck_assert_msg(r != NULL, "%s: row %s", path, row);
		snprintf(path, sizeof(path), "/api/traces/%d/packets/%d", id, (int)cJSON_GetObjectItem(r, "n")->valuedouble);
		char *detail = get(path, &st);
		size_t n = strlen(row);
		cJSON *d = cJSON_Parse(detail);
		if (strstr(row, "\\u007f"))
			ck_assert_msg(st == 200 && same_start(r, d), "%s: row %s, detail %.400s", path, row, detail);
		else
			ck_assert_msg(st == 200 && !strncmp(detail, row, n - 1) && detail[n - 1] == ',',
				      "%s: row %s, detail %.400s", path, row, detail);
		cJSON_Delete(d);
		cJSON_Delete(r);
		free(detail);
		free(row);
		free(body);
	}
}

/* Pages read cold, warm and after other pages took their cache slots. */
static void check_pages(int id, int np)
{
	char path[128], *first[8] = { 0 };
	int st, pages = (np + 999) / 1000;
	ck_assert_int_le(pages, 8);
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < pages; k++) {
			snprintf(path, sizeof(path), "/api/traces/%d/packets?offset=%d&limit=1000", id, k * 1000);
			char *body = get(path, &st);
			ck_assert_int_eq(st, 200);
			if (!first[k])
				first[k] = body;
			else
				ck_assert_msg(!strcmp(first[k], body), "%s changed on round %d", path, round);
			if (first[k] != body)
				free(body);
		}
	for (int k = 0; k < pages; k++)
		free(first[k]);
}

START_TEST(test_web_packet_rows)
{
	char err[256];
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	int id = web_add_trace("rows", s, 1);
	uint64_t seq = 0;
	int64_t k = 1;
	for (; k <= 200; k++)
		pkt_emit(s, &seq, k);
	check_rows(id, 0, 200);
	check_rows(id, 0, 200);
	check_pages(id, 200);
	for (; k <= 5000; k++)		/* past WEB_SUMS_MAX: slots are shared */
		pkt_emit(s, &seq, k);
	check_pages(id, 5000);
	check_rows(id, 4090, 4110);
	check_rows(id, 0, 10);
}
END_TEST

/* The server's one writer (the trace's, stack/jsonw.h) writes every
 * string a packet row carries as cJSON does: ASCII and valid UTF-8 byte
 * for byte but DEL, which both write validly (jw as \u007f) and which
 * reads back the same. */
START_TEST(test_web_jw_str_as_cjson)
{
	char s[300];
	for (int i = 1; i < 128; i++)
		s[i - 1] = (char)i;
	s[127] = 0;
	for (size_t from = 0; from < 127; from += 13) {
		struct jw w = { 0 };
		jw_val_str(&w, s + from);
		cJSON *ref = cJSON_CreateString(s + from), *back = cJSON_Parse(w.buf);
		ck_assert_ptr_nonnull(back);
		ck_assert_str_eq(cJSON_GetStringValue(back), s + from);
		cJSON_Delete(back);
		cJSON_Delete(ref);
		jw_free(&w);
	}
	const char *same[] = { "10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64",
			       "a \"quoted\" back\\slash\n\t\r", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x93\xa6" };
	for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
		struct jw w = { 0 };
		cJSON *ref = cJSON_CreateString(same[k]);
		char *want = cJSON_PrintUnformatted(ref);
		jw_val_str(&w, same[k]);
		ck_assert_str_eq(w.buf, want);
		free(want);
		cJSON_Delete(ref);
		jw_free(&w);
	}
}
END_TEST

/* web_num_array prints what cJSON_CreateDoubleArray prints. */
START_TEST(test_web_num_array_as_cjson)
{
	const double v[] = { 0, -0.0, 1, -1, 7, 999999999999999, -999999999999999, 1e15, -1e15,
			     9007199254740993.0, 4294967296.0, -2147483649.0, 2147483647, 0.5, 0.1, -2.75,
			     1e300, 1e-300, 123456.789, NAN, INFINITY, -INFINITY };
	int n = (int)(sizeof(v) / sizeof(v[0]));
	for (int len = 0; len <= n; len++) {
		cJSON *mine = web_num_array(v, len), *ref = cJSON_CreateDoubleArray(v, len);
		char *a = cJSON_PrintUnformatted(mine), *b = cJSON_PrintUnformatted(ref);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
		cJSON_Delete(mine);
		cJSON_Delete(ref);
	}
}
END_TEST

static Suite *cache_suite(void)
{
	Suite *s = suite_create("web_cache");
	TCase *core = tcase_create("Core"), *lim = tcase_create("Limits");
	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(lim, setup, teardown);
	tcase_set_timeout(core, 60);
	tcase_set_timeout(lim, 60);
	tcase_add_test(core, test_web_hist_matches_walk);
	tcase_add_test(core, test_web_num_array_as_cjson);
	tcase_add_test(core, test_web_jw_str_as_cjson);
	tcase_add_test(core, test_web_packet_rows);
	tcase_add_test(lim, test_web_hist_many_layers);
	suite_add_tcase(s, core);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(cache_suite)
