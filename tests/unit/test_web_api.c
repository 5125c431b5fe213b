/*
 * test_web_api.c - the web server end to end over real sockets: the server
 * runs in-process on an ephemeral port over a replay of pcaps/default.pcap
 * and a throw-away static directory (with a symlink pointing out of it);
 * a tiny HTTP/1.1 client sends raw request lines so that traversal paths
 * reach the server exactly as written. Run from the project root.
 */
#include <sys/stat.h>

#include "nj_web_check.h"

#define UPLOAD_MAX (1u << 20)

static char tmpdir[256];

static struct nj_resp post(const char *path, const void *body, size_t len)
{
	return nj_send("POST", path, "Host: localhost\r\nContent-Type: application/octet-stream\r\n", body, len);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsNumber(v), "expected a number at %s", k);
	return v->valuedouble;
}

static int arr_len(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsArray(v), "expected an array at %s", k);
	return cJSON_GetArraySize(v);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char err[512], p[300], q[400];
	nj_scratch_dir(tmpdir, sizeof(tmpdir));
	snprintf(p, sizeof(p), "%s/static", tmpdir);
	mkdir(p, 0755);
	snprintf(q, sizeof(q), "%s/static/sub", tmpdir);
	mkdir(q, 0755);
	write_file(p, "index.html", "<!doctype html><title>t</title>");
	write_file(p, "app.js", "export const x = 1;");
	write_file(p, "style.css", "body{}");
	write_file(p, "logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
	write_file(tmpdir, "secret.txt", "TOP-SECRET");
	snprintf(q, sizeof(q), "%s/secret.txt", tmpdir);
	char l[600];
	snprintf(l, sizeof(l), "%s/escape.txt", p);
	ck_assert_int_eq(symlink(q, l), 0);
	ck_assert_int_eq(web_load_file("pcaps/default.pcap", NULL, err, sizeof(err)), 1);
	struct web_cfg cfg = { .static_dir = p, .upload_max = UPLOAD_MAX };
	nj_web_start(&cfg);
}

static void teardown(void)
{
	web_stop();
	nj_scratch_rm(tmpdir);
}

/* Asserts a JSON error reply with status st. */
static void expect_error(const char *path, int st)
{
	struct nj_resp r = nj_get(path);
	ck_assert_msg(r.status == st, "%s: status %d, expected %d", path, r.status, st);
	ck_assert_msg(!strcmp(r.ctype, "application/json"), "%s: content type %s", path, r.ctype);
	ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")), "%s: no error message", path);
	ck_assert_msg(!strstr(r.body, "TOP-SECRET"), "%s: leaked the file outside the root", path);
	nj_resp_free(&r);
}

START_TEST(test_web_traces_list)
{
	struct nj_resp r = nj_get("/api/traces");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.ctype, "application/json");
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "traces"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(t, "name")->valuestring, "default.pcap");
	ck_assert_int_eq((int)num(t, "packets"), 13);
	ck_assert_int_gt((int)num(t, "events"), 100);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_web_summary)
{
	struct nj_resp r = nj_get("/api/traces/1");
	ck_assert_int_eq(r.status, 200);
	const cJSON *c = cJSON_GetObjectItem(r.json, "counters");
	ck_assert_int_eq((int)num(c, "Ip.InReceives"), 10);
	ck_assert_int_gt(arr_len(cJSON_GetObjectItem(r.json, "flows"), "list"), 3);
	ck_assert_int_gt(arr_len(r.json, "drops"), 3);
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r.json, "scenario")));
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_web_packets_pages)
{
	struct nj_resp r = nj_get("/api/traces/1/packets?limit=5");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(arr_len(r.json, "packets"), 5);
	ck_assert_int_eq((int)num(r.json, "total"), 13);
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/packets?offset=10&limit=5");
	ck_assert_int_eq(arr_len(r.json, "packets"), 3);
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/packets?offset=1000");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(arr_len(r.json, "packets"), 0);
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/packets?verdict=drop&limit=1000");
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(r.json, "packets"))
		ck_assert_str_eq(cJSON_GetObjectItem(p, "verdict")->valuestring, "drop");
	ck_assert_int_gt((int)num(r.json, "total"), 3);
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/packets?reason=IP_CSUM");
	ck_assert_int_eq((int)num(r.json, "total"), 1);
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/packets?filter=udp");
	ck_assert_int_eq((int)num(r.json, "total"), 2);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_web_packet_detail)
{
	struct nj_resp r = nj_get("/api/traces/1/packets/1");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "linktype"), 1);
	ck_assert_int_eq((int)strlen(cJSON_GetObjectItem(r.json, "frame")->valuestring), 2 * 98);
	ck_assert_int_gt(arr_len(r.json, "steps"), 10);
	const cJSON *root = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "tree"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "fn")->valuestring, "driver_rx");
	ck_assert_int_gt(arr_len(root, "children"), 0);
	nj_resp_free(&r);
	expect_error("/api/traces/1/packets/999", 404);
}
END_TEST

/* /skbs/N: the reply packet 1 made, as it left the host (web/api_skb.c). */
START_TEST(test_web_skbs)
{
	struct nj_resp p = nj_get("/api/traces/1/packets/1");
	const char *req = cJSON_GetObjectItem(p.json, "frame")->valuestring;
	const cJSON *e, *steps = cJSON_GetObjectItem(p.json, "steps");
	int rx = -1, sent = -1;
	cJSON_ArrayForEach(e, steps) {
		const cJSON *skb = cJSON_GetObjectItem(e, "skb");
		if (rx < 0 && cJSON_IsNumber(skb))
			rx = skb->valueint;
		if (!strcmp(cJSON_GetObjectItem(e, "fn")->valuestring, "dev_queue_xmit") && skb->valueint != rx)
			sent = skb->valueint;
	}
	ck_assert_msg(sent > 0, "packet 1 (an echo request) makes a reply that dev_queue_xmit sends");
	char path[128];
	snprintf(path, sizeof(path), "/api/traces/1/skbs/%d", sent);
	for (int pass = 0; pass < 2; pass++) {	/* replayed, then from the cache */
		struct nj_resp r = nj_get(path);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(cJSON_GetObjectItem(r.json, "how")->valuestring, "sent");
		const char *rep = cJSON_GetObjectItem(r.json, "frame")->valuestring;
		ck_assert_uint_ge(strlen(rep), 2 * 34);
		/* IPv4 source and destination (frame bytes 26..33) are the request's swapped */
		ck_assert_msg(!strncmp(rep + 52, req + 60, 8) && !strncmp(rep + 60, req + 52, 8), "reply goes back to the sender");
		nj_resp_free(&r);
	}
	struct nj_resp r = nj_get("/api/traces/1/skbs/999999");
	ck_assert_int_eq(r.status, 200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "frame")));
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "why")));
	nj_resp_free(&r);
	nj_resp_free(&p);
	expect_error("/api/traces/99/skbs/1", 404);
}
END_TEST

START_TEST(test_web_events_filters)
{
	struct nj_resp r = nj_get("/api/traces/1/events?limit=10");
	ck_assert_int_eq(arr_len(r.json, "events"), 10);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "next")));
	int next = (int)num(r.json, "next");
	nj_resp_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/api/traces/1/events?from=%d&limit=1", next);
	r = nj_get(path);
	ck_assert_int_eq((int)num(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "events"), 0), "seq"), next);
	nj_resp_free(&r);
	static const char *const q[][3] = {
		{ "fn=ip_rcv", "fn", "ip_rcv" }, { "verdict=drop", "verdict", "drop" },
		{ "reason=NO_SOCKET", "reason", "NO_SOCKET" },
	};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/api/traces/1/events?limit=1000&%s", q[i][0]);
		r = nj_get(path);
		ck_assert_int_gt(arr_len(r.json, "events"), 0);
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(r.json, "events"))
			ck_assert_str_eq(cJSON_GetObjectItem(e, q[i][1])->valuestring, q[i][2]);
		nj_resp_free(&r);
	}
	r = nj_get("/api/traces/1/events?limit=1000&filter=udp+port+7&pkt_from=1&pkt_to=13");
	const cJSON *e;
	ck_assert_int_gt(arr_len(r.json, "events"), 0);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(r.json, "events"))
		ck_assert_int_eq((int)num(e, "pkt"), 4);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_web_state_histogram)
{
	struct nj_resp r = nj_get("/api/traces/1/state?seq=40");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(cJSON_GetObjectItem(r.json, "counters"), "Ip.InReceives"), 1);
	ck_assert_int_gt(arr_len(r.json, "routes"), 0);		/* trace_start's fib */
	ck_assert_int_eq((int)num(r.json, "seq"), 40);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(r.json, "limits"));
	nj_resp_free(&r);
	r = nj_get("/api/traces/1/histogram?buckets=10");
	ck_assert_int_eq(arr_len(r.json, "n"), 10);
	double sum = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(r.json, "n"))
		sum += v->valuedouble;
	ck_assert_int_eq((int)sum, (int)num(r.json, "total"));
	nj_resp_free(&r);
	expect_error("/api/traces/1/state?seq=99999999", 404);
}
END_TEST

START_TEST(test_web_static_types)
{
	static const char *const f[][2] = {
		{ "/", "text/html; charset=utf-8" }, { "/app.js", "text/javascript; charset=utf-8" },
		{ "/style.css", "text/css; charset=utf-8" }, { "/logo.svg", "image/svg+xml" },
	};
	for (size_t i = 0; i < 4; i++) {
		struct nj_resp r = nj_get(f[i][0]);
		ck_assert_msg(r.status == 200, "%s: %d", f[i][0], r.status);
		ck_assert_str_eq(r.ctype, f[i][1]);
		ck_assert_msg(r.cache[0], "%s: no Cache-Control", f[i][0]);
		nj_resp_free(&r);
	}
	expect_error("/sub", 404);		/* no directory listing */
	expect_error("/sub/", 404);
	expect_error("/missing.js", 404);
}
END_TEST

START_TEST(test_web_bad_parameters)
{
	static const char *const bad[] = {
		"/api/traces/1/packets?limit=0", "/api/traces/1/packets?limit=1001",
		"/api/traces/1/packets?limit=-1", "/api/traces/1/packets?limit=abc",
		"/api/traces/1/packets?offset=-5", "/api/traces/1/packets?limit=99999999999999999999",
		"/api/traces/1/events?limit=0", "/api/traces/1/events?from=x",
		"/api/traces/1/events?verdict=maybe", "/api/traces/1/events?reason=NOPE",
		"/api/traces/1/events?filter=tcp+port+((", "/api/traces/1/packets?filter=bogus+words",
		"/api/traces/1/histogram?buckets=0", "/api/traces/1/state?seq=abc",
		"/api/traces/1/events?pkt_from=-2",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], 400);
	expect_error("/api/traces/77", 404);
	expect_error("/api/traces/77/events", 404);
	expect_error("/api/nothing", 404);
	struct nj_resp r = nj_http("DELETE /api/traces/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", NULL, 0);
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(r.ctype, "application/json");
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_web_traversal_refused)
{
	static const char *const bad[] = {
		"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/%252e%252e/secret.txt",
		"/..%5csecret.txt", "/..\\secret.txt", "//etc/passwd", "/./index.html", "/sub/../../secret.txt",
		"/escape.txt", "/.hidden",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nj_resp r = nj_get(bad[i]);
		ck_assert_msg(r.status == 403 || r.status == 404 || r.status == 400, "%s: status %d", bad[i], r.status);
		ck_assert_msg(!strstr(r.body, "TOP-SECRET"), "%s: leaked", bad[i]);
		nj_resp_free(&r);
	}
	struct nj_resp r = nj_http("GET /etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", NULL, 0);
	ck_assert_int_eq(r.status, 404);
	nj_resp_free(&r);
	expect_error("/escape.txt", 403);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static int ntraces(void)
{
	struct nj_resp r = nj_get("/api/traces");
	int n = arr_len(r.json, "traces");
	nj_resp_free(&r);
	return n;
}

START_TEST(test_web_upload)
{
	size_t len;
	char *pcap = slurp("pcaps/udp.pcap", &len);
	struct nj_resp r = post("/api/traces?name=mine.pcap", pcap, len);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq((int)num(r.json, "id"), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(r.json, "name")->valuestring, "mine.pcap");
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 2);
	r = nj_get("/api/traces/2/packets");
	ck_assert_int_gt(arr_len(r.json, "packets"), 0);
	nj_resp_free(&r);
	r = post("/api/traces", "this is not a capture at all, only text", 40);
	ck_assert_int_eq(r.status, 400);
	ck_assert(strstr(cJSON_GetObjectItem(r.json, "error")->valuestring, "not a pcap"));
	nj_resp_free(&r);
	/* A valid header, then a cut record: accepted (issue #19) with no
	 * packet and a warning naming where the cut record starts. */
	r = post("/api/traces?name=cut.pcap", pcap, 60);
	ck_assert_int_eq(r.status, 201);
	int id = (int)num(r.json, "id");
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 3);
	char url[64];
	snprintf(url, sizeof(url), "/api/traces/%d", id);
	r = nj_get(url);
	const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "warnings"), 0);
	ck_assert(cJSON_IsString(w) && strstr(w->valuestring, "cut.pcap: byte offset 24: a truncated record"));
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r.json, "host")));
	nj_resp_free(&r);
	/* ?host= names the capture host; the summary shows it, inferred. */
	r = post("/api/traces?name=h.pcap&host=10.0.0.1", pcap, len);
	ck_assert_int_eq(r.status, 201);
	snprintf(url, sizeof(url), "/api/traces/%d", (int)num(r.json, "id"));
	nj_resp_free(&r);
	r = nj_get(url);
	const cJSON *h = cJSON_GetObjectItem(r.json, "host");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(h, "inferred")));
	ck_assert_str_eq(cJSON_GetObjectItem(h, "addr")->valuestring, "10.0.0.1");
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "explanation")));
	nj_resp_free(&r);
	/* udp.pcap talks to the default host: nothing inferred */
	snprintf(url, sizeof(url), "/api/traces/%d", id - 1);
	r = nj_get(url);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "host"), "inferred")));
	nj_resp_free(&r);
	r = post("/api/traces?infer=2", pcap, len);	/* the host options are checked */
	ck_assert_int_eq(r.status, 400);
	ck_assert(strstr(cJSON_GetObjectItem(r.json, "error")->valuestring, "parameter infer"));
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 4);
	free(pcap);
}
END_TEST

START_TEST(test_web_upload_too_large)
{
	char head[512];
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Content-Length: %u\r\n\r\n", UPLOAD_MAX + 1);
	struct nj_resp r = nj_http(head, NULL, 0);	/* refused before the body is read */
	ck_assert_int_eq(r.status, 413);
	ck_assert_str_eq(r.ctype, "application/json");
	nj_resp_free(&r);
	char *big = calloc(1, UPLOAD_MAX + 100);
	memcpy(big, "\xd4\xc3\xb2\xa1", 4);
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n");
	/* chunked: no length announced, the cap applies while reading */
	size_t n = UPLOAD_MAX + 100, blen = 0;
	char *body = malloc(n + 64);
	blen += (size_t)sprintf(body, "%zx\r\n", n);
	memcpy(body + blen, big, n);
	blen += n;
	blen += (size_t)sprintf(body + blen, "\r\n0\r\n\r\n");
	r = nj_http(head, body, blen);
	ck_assert_int_eq(r.status, 413);
	nj_resp_free(&r);
	free(big);
	free(body);
	ck_assert_int_eq(ntraces(), 1);
}
END_TEST

/* serve's upload limits over HTTP: the evicted upload is named in the
 * answer and then a 404; uploads off is a 403 that registers nothing. */
START_TEST(test_web_upload_limits)
{
	size_t len;
	char *pcap = slurp("pcaps/udp.pcap", &len);
	web_set_upload_limits(1, 100000000, 0);
	struct nj_resp a = post("/api/traces?name=a.pcap", pcap, len), b = post("/api/traces?name=b.pcap", pcap, len);
	ck_assert_int_eq(a.status, 201);
	ck_assert_int_eq(b.status, 201);
	int ida = (int)num(a.json, "id"), idb = (int)num(b.json, "id");
	cJSON *ev = cJSON_GetObjectItem(b.json, "evicted");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 1);
	ck_assert_int_eq(cJSON_GetArrayItem(ev, 0)->valueint, ida);
	char path[64];
	snprintf(path, sizeof(path), "/api/traces/%d/events", ida);
	expect_error(path, 404);
	snprintf(path, sizeof(path), "/api/traces/%d/events", idb);
	struct nj_resp r = nj_get(path);
	ck_assert_int_eq(r.status, 200);
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 2);			/* default.pcap, b */
	web_set_upload_limits(0, 100000000, 0);
	r = post("/api/traces?name=c.pcap", pcap, len);
	ck_assert_int_eq(r.status, 403);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")));
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 2);
	web_set_upload_limits(WEB_UPLOADS_DEFAULT, WEB_UPLOAD_EVENTS_DEFAULT, WEB_UPLOAD_IDLE_DEFAULT);
	nj_resp_free(&a);
	nj_resp_free(&b);
	free(pcap);
}
END_TEST

static Suite *web_suite(void)
{
	Suite *s = suite_create("web_api");
	TCase *core = tcase_create("Core"), *lim = tcase_create("Limits"), *err = tcase_create("Errors");
	TCase *all[] = { core, lim, err };
	for (int i = 0; i < 3; i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(core, test_web_traces_list);
	tcase_add_test(core, test_web_summary);
	tcase_add_test(core, test_web_packet_detail);
	tcase_add_test(core, test_web_events_filters);
	tcase_add_test(core, test_web_state_histogram);
	tcase_add_test(core, test_web_skbs);
	tcase_add_test(core, test_web_static_types);
	tcase_add_test(lim, test_web_packets_pages);
	tcase_add_test(lim, test_web_bad_parameters);
	tcase_add_test(lim, test_web_upload_too_large);
	tcase_add_test(lim, test_web_upload_limits);
	tcase_add_test(err, test_web_traversal_refused);
	tcase_add_test(err, test_web_upload);
	return s;
}

NJ_TEST_MAIN(web_suite)
