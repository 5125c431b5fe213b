/*
 * test_web_histogram.c - /api/traces/ID/histogram with the packet list's
 * filters (web/histogram_filter.c): each bucket's "kept" and "kept_drops"
 * against counts made here from the trace's own events (read back as the
 * raw lines of /events), with the packets kept decided independently:
 * the tcpdump expression by libpcap over the capture's frames, fn from
 * the events' function names, verdict from the packet list. The captures
 * have timers firing between and after packets (tcp-ooo, frag-timeout),
 * whose events belong to no packet. A bad filter answers 400 with the
 * packet list's own error body.
 */
#include <pcap/pcap.h>

#include "nj_web_check.h"

#define EV_MAX 20000
#define PKT_MAX 512

/* One served trace as the test sees it. */
struct tr {
	int id;
	const char *pcap;
	int n;				/* events */
	int pkt[EV_MAX];		/* the event's packet, -1 none */
	int drop[EV_MAX];		/* a drop instant */
	char fn[EV_MAX][40];
};

static struct tr trs[3] = { { .pcap = "pcaps/tcp-ooo.pcap" }, { .pcap = "pcaps/frag-timeout.pcap" },
			    { .pcap = "pcaps/default.pcap" } };

static cJSON *get_json(const char *path, int want)
{
	struct nj_resp r = nj_get(path);
	ck_assert_msg(r.status == want && r.json, "%s: %d %s", path, r.status, r.body);
	cJSON *o = r.json;
	r.json = NULL;
	nj_resp_free(&r);
	return o;
}

/* Waits until trace id is whole (a capture is opened in the background). */
static void wait_open(int id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/traces/%d", id);
	for (int i = 0; i < 400; i++) {
		cJSON *o = get_json(path, 200);
		const cJSON *st = cJSON_GetObjectItem(o, "state");
		int open = !cJSON_IsString(st) || !strcmp(st->valuestring, "open");
		cJSON_Delete(o);
		if (open)
			return;
		usleep(25000);
	}
	ck_abort_msg("trace %d did not open", id);
}

/* Every event of the trace, in index order, from /events pages. */
static void read_events(struct tr *t)
{
	char path[128];
	t->n = 0;
	for (double from = 0; from >= 0;) {
		snprintf(path, sizeof(path), "/api/traces/%d/events?from=%.0f&limit=1000", t->id, from);
		cJSON *o = get_json(path, 200), *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "events")) {
			ck_assert_int_lt(t->n, EV_MAX);
			const cJSON *p = cJSON_GetObjectItem(e, "pkt"), *v = cJSON_GetObjectItem(e, "verdict");
			t->pkt[t->n] = cJSON_IsNumber(p) ? p->valueint : -1;
			t->drop[t->n] = cJSON_IsString(v) && !strcmp(v->valuestring, "drop") &&
					!strcmp(cJSON_GetObjectItem(e, "ph")->valuestring, "i");
			snprintf(t->fn[t->n], sizeof(t->fn[0]), "%s", cJSON_GetObjectItem(e, "fn")->valuestring);
			t->n++;
		}
		const cJSON *next = cJSON_GetObjectItem(o, "next");
		from = cJSON_IsNumber(next) ? next->valuedouble : -1;
		cJSON_Delete(o);
	}
	ck_assert_int_gt(t->n, 50);
}

static void setup(void)
{
	char err[512];
	struct web_cfg cfg = { .static_dir = "static" };
	for (int i = 0; i < 3; i++)
		ck_assert_int_gt(trs[i].id = web_load_file(trs[i].pcap, NULL, err, sizeof(err)), 0);
	nj_web_start(&cfg);
	for (int i = 0; i < 3; i++) {
		wait_open(trs[i].id);
		read_events(&trs[i]);
	}
}

static void teardown(void)
{
	web_stop();
}

/* keep[p] &= the frame matches the expression (libpcap
 * itself, over the file: the server's filter is not asked). */
static void pcap_keep(const char *file, const char *expr, int *keep)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, eb);
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *d;
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	for (int n = 1; pcap_next_ex(p, &h, &d) == 1 && n < PKT_MAX; n++)
		keep[n] &= pcap_offline_filter(&prog, h, d) != 0;
	pcap_freecode(&prog);
	pcap_close(p);
}

/* keep[p] &= the packet has an event of one of the functions. */
static void fn_keep(const struct tr *t, const char *const *fns, int nfn, int *keep)
{
	int has[PKT_MAX] = { 0 };
	for (int i = 0; i < t->n; i++)
		for (int j = 0; j < nfn; j++)
			if (t->pkt[i] > 0 && t->pkt[i] < PKT_MAX && !strcmp(t->fn[i], fns[j]))
				has[t->pkt[i]] = 1;
	for (int p = 0; p < PKT_MAX; p++)
		keep[p] &= has[p];
}

/* keep[p] &= the packet list shows it with this verdict. */
static void verdict_keep(const struct tr *t, const char *verdict, int *keep)
{
	char path[128];
	int in[PKT_MAX] = { 0 };
	const cJSON *r;
	snprintf(path, sizeof(path), "/api/traces/%d/packets?limit=1000&verdict=%s", t->id, verdict);
	cJSON *o = get_json(path, 200);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(o, "packets"))
		in[cJSON_GetObjectItem(r, "n")->valueint] = 1;
	cJSON_Delete(o);
	for (int p = 0; p < PKT_MAX; p++)
		keep[p] &= in[p];
}

static double item(const cJSON *o, const char *k, int i)
{
	const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, k), i);
	ck_assert_msg(cJSON_IsNumber(v), "no %s[%d]", k, i);
	return v->valuedouble;
}

/*
 * The histogram of t over [from, to) in nb buckets with query q against
 * the events of the packets keep[] holds; returns the kept events counted.
 */
static int check_kept(const struct tr *t, const char *q, int from, int to, int nb, const int *keep)
{
	char path[512];
	snprintf(path, sizeof(path), "/api/traces/%d/histogram?buckets=%d&from=%d&to=%d&%s", t->id, nb, from, to, q);
	cJSON *o = get_json(path, 200);
	int span = to - from, b = nb > span ? span : nb, total = 0, seen[PKT_MAX] = { 0 }, npk = 0;
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "kept")), b);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "kept_drops")), b);
	for (int i = 0; i < b; i++) {
		int lo = from + span * i / b, hi = from + span * (i + 1) / b, n = 0, d = 0;
		for (int k = lo; k < hi; k++) {
			int p = t->pkt[k];
			if (p <= 0 || p >= PKT_MAX || !keep[p])
				continue;
			n++;
			d += t->drop[k];
			npk += !seen[p]++;
		}
		ck_assert_msg(item(o, "kept", i) == n && item(o, "kept_drops", i) == d,
			      "%s: bucket %d [%d, %d): kept %g drops %g, expected %d and %d", path, i, lo, hi,
			      item(o, "kept", i), item(o, "kept_drops", i), n, d);
		ck_assert_msg(item(o, "n", i) == hi - lo, "%s: bucket %d holds %d events", path, i, hi - lo);
		total += n;
	}
	ck_assert_int_eq((int)cJSON_GetObjectItem(o, "kept_packets")->valuedouble, npk);
	cJSON_Delete(o);
	return total;
}

static void all(int *keep)
{
	for (int p = 0; p < PKT_MAX; p++)
		keep[p] = 1;
}

START_TEST(test_hist_filter_expr)
{
	for (int i = 0; i < 3; i++) {
		const struct tr *t = &trs[i];
		int keep[PKT_MAX];
		all(keep);
		pcap_keep(t->pcap, "tcp or (ip[6:2] & 0x1fff) != 0", keep);	/* TCP, and fragments past the first */
		int whole = check_kept(t, "filter=tcp+or+(ip[6:2]+%26+0x1fff)+!%3D+0", 0, t->n, 200, keep);
		int k = check_kept(t, "filter=tcp+or+(ip[6:2]+%26+0x1fff)+!%3D+0", 0, t->n, 7, keep);
		ck_assert_int_eq(k, whole);
		check_kept(t, "filter=tcp+or+(ip[6:2]+%26+0x1fff)+!%3D+0", t->n / 3, t->n - 5, 13, keep);
		ck_assert_int_gt(k, 0);
		ck_assert_int_lt(k, t->n);
	}
}
END_TEST

/* The timers of tcp-ooo run after its packets: a share from each
 * packet's first event and event count would colour their buckets too. */
START_TEST(test_hist_filter_timers)
{
	const struct tr *t = &trs[0];
	int none = 0;
	for (int i = 0; i < t->n; i++)
		none += t->pkt[i] < 0;
	ck_assert_int_gt(none, 10);
	int keep[PKT_MAX];
	all(keep);
	ck_assert_int_eq(check_kept(t, "filter=tcp", 0, t->n, 40, keep), t->n - none);
}
END_TEST

START_TEST(test_hist_filter_fn_verdict)
{
	static const char *const one[] = { "tcp_data_queue" }, *const two[] = { "udp_rcv", "icmp_rcv" };
	int keep[PKT_MAX];
	all(keep);
	fn_keep(&trs[0], one, 1, keep);
	ck_assert_int_gt(check_kept(&trs[0], "fn=tcp_data_queue", 0, trs[0].n, 50, keep), 0);
	all(keep);
	fn_keep(&trs[2], two, 2, keep);
	ck_assert_int_gt(check_kept(&trs[2], "fn=udp_rcv,icmp_rcv", 0, trs[2].n, 31, keep), 0);
	all(keep);
	verdict_keep(&trs[2], "drop", keep);
	ck_assert_int_gt(check_kept(&trs[2], "verdict=drop", 0, trs[2].n, 64, keep), 0);
	all(keep);					/* all of them: drops and an expression */
	verdict_keep(&trs[2], "drop", keep);
	pcap_keep(trs[2].pcap, "udp", keep);
	check_kept(&trs[2], "verdict=drop&filter=udp", 3, trs[2].n, 9, keep);
	memset(keep, 0, sizeof(keep));			/* a name the trace never used keeps nothing */
	ck_assert_int_eq(check_kept(&trs[2], "fn=no_such_function", 0, trs[2].n, 10, keep), 0);
}
END_TEST

/* Unfiltered, the reply is as before; a bad selector is the lists' 400. */
START_TEST(test_hist_filter_errors)
{
	char a[160], b[160];
	cJSON *o = get_json("/api/traces/1/histogram?buckets=5", 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "kept"));
	ck_assert_ptr_null(cJSON_GetObjectItem(o, "kept_packets"));
	cJSON_Delete(o);
	static const char *const bad[] = { "filter=tcp+port+((", "verdict=maybe", "reason=NOPE" };
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "/api/traces/1/histogram?%s", bad[i]);
		snprintf(b, sizeof(b), "/api/traces/1/packets?%s", bad[i]);
		struct nj_resp h = nj_get(a), p = nj_get(b);
		ck_assert_int_eq(h.status, 400);
		ck_assert_str_eq(h.ctype, "application/json");
		ck_assert_str_eq(h.body, p.body);
		ck_assert_int_eq(p.status, 400);
		nj_resp_free(&h);
		nj_resp_free(&p);
	}
	struct nj_resp r = nj_get("/api/traces/1/histogram?fn=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
	ck_assert_int_eq(r.status, 400);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")));
	nj_resp_free(&r);
}
END_TEST

static Suite *hist_suite(void)
{
	Suite *s = suite_create("web_histogram");
	TCase *tc = tcase_create("Filtered");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hist_filter_expr);
	tcase_add_test(tc, test_hist_filter_timers);
	tcase_add_test(tc, test_hist_filter_fn_verdict);
	tcase_add_test(tc, test_hist_filter_errors);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(hist_suite)
