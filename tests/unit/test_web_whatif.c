/*
 * test_web_whatif.c - POST /api/traces/ID/whatif over a real socket: the
 * server runs in-process on an ephemeral port over pcaps/route-whatif.pcap
 * (its scenario) and over a copy of it that is then removed (a trace whose
 * capture is gone). A good edit answers what `netjourney diff --json`
 * prints for the same capture and edit ($NJ, else build/netjourney), and
 * B's trace is listed; a bad edit is a 400, a missing capture a 409; with
 * both upload slots held by uploads still arriving, a 503. Run from the
 * project root.
 */
#include "nj_web_check.h"

static char tmpdir[256];

/* method path with a JSON body (or none). */
static struct nj_resp http(const char *method, const char *path, const char *body)
{
	return nj_send(method, path, "Host: localhost\r\nContent-Type: application/json\r\n", body,
		       body ? strlen(body) : 0);
}

static void setup(void)
{
	char err[512], copy[300], cmd[700];
	nj_scratch_dir(tmpdir, sizeof(tmpdir));
	struct web_load_opts o = { .scenario = "pcaps/route-whatif.json" };
	ck_assert_int_eq(web_load_file("pcaps/route-whatif.pcap", &o, err, sizeof(err)), 1);
	snprintf(copy, sizeof(copy), "%s/gone.pcap", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp pcaps/route-whatif.pcap '%s'", copy);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(web_load_file(copy, &o, err, sizeof(err)), 2);
	ck_assert_int_eq(unlink(copy), 0);
	struct web_cfg cfg = { .upload_max = 1u << 20 };
	nj_web_start(&cfg);
}

static void teardown(void)
{
	web_stop();
	nj_scratch_rm(tmpdir);
}

/* `netjourney diff --json` on the same capture and edit. */
static cJSON *cli_diff(const char *set)
{
	const char *nj = getenv("NJ") ? getenv("NJ") : "build/netjourney";
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s diff pcaps/route-whatif.pcap -c pcaps/route-whatif.json --set '%s' --json", nj,
		 set);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t cap = 1 << 20, len = 0, n;
	char *buf = malloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0)
		len += n;
	buf[len] = 0;
	pclose(p);
	cJSON *j = cJSON_Parse(buf);
	ck_assert_msg(j != NULL, "%s printed no JSON", cmd);
	free(buf);
	return j;
}

static void expect_same(const cJSON *server, const cJSON *cli, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(server, key), *b = cJSON_GetObjectItemCaseSensitive(cli, key);
	ck_assert_msg(a && b && cJSON_Compare(a, b, 1), "%s differs between the server and netjourney diff", key);
}

START_TEST(test_whatif_matches_cli)
{
	struct nj_resp r = http("POST", "/api/traces/1/whatif", "{\"sets\":[\"rp_filter=1\"]}");
	ck_assert_msg(r.status == 200, "status %d: %s", r.status, r.body);
	cJSON *cli = cli_diff("rp_filter=1");
	expect_same(r.json, cli, "packets");
	expect_same(r.json, cli, "differ");
	expect_same(r.json, cli, "diffs");
	expect_same(r.json, cli, "counters");
	const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "diffs"), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(d, "pkt")->valueint, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(d, "diverges_at")->valuestring, "ip_route_input_slow");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "counters"), "Ip.ForwDatagrams"));
	/* B's text carries the edit; B's trace is listed and has B's outcome. */
	cJSON *bs = cJSON_Parse(cJSON_GetObjectItem(r.json, "b_scenario_json")->valuestring);
	ck_assert_int_eq(cJSON_GetObjectItem(bs, "rp_filter")->valueint, 1);
	cJSON_Delete(bs);
	int b = cJSON_GetObjectItem(r.json, "b_trace")->valueint;
	ck_assert_int_eq(b, 3);
	char path[64];
	snprintf(path, sizeof(path), "/api/traces/%d/packets/1", b);
	struct nj_resp p = http("GET", path, NULL);
	ck_assert_int_eq(p.status, 200);
	ck_assert_msg(strstr(p.body, "IP_RPFILTER") != NULL, "B's packet 1 is not the rp_filter drop");
	nj_resp_free(&p);
	cJSON_Delete(cli);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_whatif_whole_scenario)
{
	/* The same B given whole: the same packets differ. */
	char *text = NULL;
	FILE *f = fopen("pcaps/route-whatif.json", "r");
	ck_assert_ptr_nonnull(f);
	size_t n = 0;
	ck_assert_int_ne(getdelim(&text, &n, 0, f), -1);
	fclose(f);
	cJSON *sc = cJSON_Parse(text), *body = cJSON_CreateObject();
	free(text);
	cJSON_DeleteItemFromObject(sc, "rp_filter");
	cJSON_AddNumberToObject(sc, "rp_filter", 1);
	cJSON_AddItemToObject(body, "scenario", sc);
	char *b = cJSON_PrintUnformatted(body);
	struct nj_resp r = http("POST", "/api/traces/1/whatif", b);
	ck_assert_msg(r.status == 200, "status %d: %s", r.status, r.body);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "differ")->valueint, 1);
	free(b);
	nj_resp_free(&r);
	/* The scenario and edits together: the edits apply to the scenario given
	 * (rp_filter back to 0: nothing differs any more). */
	cJSON_AddItemToObject(body, "sets", cJSON_CreateStringArray((const char *[]){ "rp_filter=0" }, 1));
	b = cJSON_PrintUnformatted(body);
	r = http("POST", "/api/traces/1/whatif", b);
	ck_assert_msg(r.status == 200, "status %d: %s", r.status, r.body);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "differ")->valueint, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(r.json, "b_scenario")->valuestring, "route-whatif.pcap with rp_filter=0");
	free(b);
	cJSON_Delete(body);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_whatif_bad_edit)
{
	static const char *bad[] = { "{\"sets\":[\"interfaces[0].mtu=5\"]}", "{\"sets\":[\"rp_filter[=1\"]}",
				     "{\"sets\":[7]}", "{\"nothing\":1}", "not json", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nj_resp r = http("POST", "/api/traces/1/whatif", bad[i]);
		ck_assert_msg(r.status == 400, "%s: status %d", bad[i], r.status);
		ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")), "%s: no error message", bad[i]);
		ck_assert_msg(!strstr(r.body, "netjourney-whatif-"), "%s: names a temporary file: %s", bad[i], r.body);
		nj_resp_free(&r);
	}
	struct nj_resp r = http("POST", "/api/traces/1/whatif", "{\"sets\":[\"interfaces[0].mtu=5\"]}");
	ck_assert_msg(strstr(r.body, "interfaces[0].mtu") != NULL, "the message does not name the edit: %s", r.body);
	nj_resp_free(&r);
	/* Nothing was registered for a refused edit. */
	r = http("GET", "/api/traces/3", NULL);
	ck_assert_int_eq(r.status, 404);
	nj_resp_free(&r);
}
END_TEST

START_TEST(test_whatif_no_capture)
{
	struct nj_resp r = http("POST", "/api/traces/2/whatif", "{\"sets\":[\"rp_filter=1\"]}");
	ck_assert_msg(r.status == 409, "status %d: %s", r.status, r.body);
	ck_assert_msg(strstr(r.body, "capture") != NULL, "no sentence about the capture: %s", r.body);
	nj_resp_free(&r);
	r = http("POST", "/api/traces/99/whatif", "{\"sets\":[\"rp_filter=1\"]}");
	ck_assert_int_eq(r.status, 404);
	nj_resp_free(&r);
	r = http("GET", "/api/traces/1/whatif", NULL);
	ck_assert_int_eq(r.status, 405);
	nj_resp_free(&r);
}
END_TEST

/* An upload whose body has only begun: it holds an upload slot. */
static int upload_begun(void)
{
	const char head[] = "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n\xd4\xc3";
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)web_port()) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(write(fd, head, sizeof(head) - 1), (ssize_t)sizeof(head) - 1);
	return fd;
}

START_TEST(test_whatif_upload_slots)
{
	/* Both upload slots taken by uploads still arriving: a what-if waits
	 * for one as an upload would, then is told to come back. */
	int u1 = upload_begun(), u2 = upload_begun();
	usleep(300000);
	struct nj_resp r = http("POST", "/api/traces/1/whatif", "{\"sets\":[\"rp_filter=1\"]}");
	ck_assert_msg(r.status == 503, "status %d: %s", r.status, r.body);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "retry")));
	nj_resp_free(&r);
	close(u1);
	close(u2);
	usleep(300000);
	r = http("POST", "/api/traces/1/whatif", "{\"sets\":[\"rp_filter=1\"]}");
	ck_assert_msg(r.status == 200, "once the uploads are gone: status %d: %s", r.status, r.body);
	nj_resp_free(&r);
}
END_TEST

static Suite *whatif_suite(void)
{
	Suite *s = suite_create("web_whatif");
	TCase *tc = tcase_create("whatif");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_whatif_matches_cli);
	tcase_add_test(tc, test_whatif_whole_scenario);
	tcase_add_test(tc, test_whatif_bad_edit);
	tcase_add_test(tc, test_whatif_no_capture);
	tcase_add_test(tc, test_whatif_upload_slots);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(whatif_suite)
