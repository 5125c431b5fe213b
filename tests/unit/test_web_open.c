/*
 * test_web_open.c - a capture opened in the background (web/open.c), in
 * process over real sockets: a 20,000-frame bench-mix capture is
 * registered by web_open_start and served while it replays. Whatever the
 * machine's speed, every answer is a 200 or a 409 (never a 404) until the
 * trace is whole; a 409 carries Retry-After and {"error", "state":
 * "opening", "progress"}; the progress only grows and ends done with every
 * packet; then every page answers 200 and a packet past the end is a 404.
 * A capture that cannot be replayed fails web_open_start and registers
 * nothing. Run from the project root.
 */
#include <arpa/inet.h>
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cJSON.h"
#include "mkpcap.h"
#include "server.h"

#define FRAMES 20000

struct resp {
	int status;
	int retry;			/* Retry-After, -1 none */
	cJSON *json;
};

static char tmp[64];

static struct resp get(const char *path)
{
	struct resp r = { .retry = -1 };
	char head[512], *buf = malloc(1 << 20);
	size_t len = 0, cap = 1 << 20;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)web_port()) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
	ck_assert_int_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	ssize_t n;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	buf[len] = 0;
	sscanf(buf, "HTTP/1.%*d %d", &r.status);
	const char *ra = strcasestr(buf, "\r\nRetry-After: "), *sep = strstr(buf, "\r\n\r\n");
	if (ra)
		r.retry = atoi(ra + 15);
	r.json = sep ? cJSON_Parse(sep + 4) : NULL;
	free(buf);
	return r;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsNumber(v), "no number %s", k);
	return v->valuedouble;
}

/* A 409 as promised: Retry-After, error, state opening, progress not done. */
static void check_409(const struct resp *r, const char *path)
{
	ck_assert_msg(r->retry >= 1, "%s: 409 without Retry-After", path);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r->json, "state");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(r->json, "progress");
	ck_assert_msg(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->json, "error")), "%s: no error", path);
	ck_assert_msg(cJSON_IsString(st) && !strcmp(st->valuestring, "opening"), "%s: state", path);
	ck_assert_msg(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(p, "done")), "%s: progress says done", path);
	ck_assert_int_eq((int)num(r->json, "status"), 409);
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmp, sizeof(tmp), "/tmp/nj-web-open-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	char cap[128], err[512];
	snprintf(cap, sizeof(cap), "%s/big.pcap", tmp);
	ck_assert_int_eq(mk_write(mk_find("bench-mix"), cap, FRAMES), 0);
	struct web_cfg cfg = { .port = 0 };
	ck_assert_msg(web_start(&cfg, err, sizeof(err)) == 0, "web_start: %s", err);
}

static void teardown(void)
{
	web_stop();
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_open_serves_while_replaying)
{
	char cap[128], err[512], late[4][96];
	snprintf(cap, sizeof(cap), "%s/big.pcap", tmp);
	ck_assert_msg(web_open_start(cap, NULL, err, sizeof(err)) == 1, "web_open_start: %s", err);
	snprintf(late[0], sizeof(late[0]), "/api/traces/1/packets?offset=%d&limit=100", FRAMES - 100);
	snprintf(late[1], sizeof(late[1]), "/api/traces/1/events?from=%d&limit=100", FRAMES * 30);
	snprintf(late[2], sizeof(late[2]), "/api/traces/1/packets/%d", FRAMES - 1);
	snprintf(late[3], sizeof(late[3]), "/api/traces/1/state?seq=5");
	double last_ev = 0, last_pk = 0;
	int opening_seen = 0, n409 = 0;
	time_t t0 = time(NULL);
	for (;;) {
		struct resp s = get("/api/traces/1");
		ck_assert_int_eq(s.status, 200);
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(s.json, "progress");
		int done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "done"));
		ck_assert_msg(num(p, "events") >= last_ev && num(p, "packets") >= last_pk, "the progress went back");
		last_ev = num(p, "events");
		last_pk = num(p, "packets");
		opening_seen |= !done;
		cJSON_Delete(s.json);
		for (int k = 0; k < 4; k++) {
			struct resp r = get(late[k]);
			ck_assert_msg(r.status == 200 || (r.status == 409 && !done), "%s answered %d (done %d)", late[k],
				      r.status, done);
			if (r.status == 409) {
				check_409(&r, late[k]);
				n409++;
			}
			cJSON_Delete(r.json);
		}
		if (done)
			break;
		ck_assert_msg(time(NULL) - t0 < 120, "not whole after 120 s");
		usleep(50000);
	}
	ck_assert_int_eq((int)last_pk, FRAMES);
	struct resp r = get("/api/traces/1/packets/999999");
	ck_assert_int_eq(r.status, 404);
	cJSON_Delete(r.json);
	if (opening_seen)
		ck_assert_int_gt(n409, 0);	/* the last packet cannot be whole before the end */
	printf("test_web_open: %s; %d answers were 409\n", opening_seen ? "served while opening" : "whole at once (a fast machine)",
	       n409);
}
END_TEST

START_TEST(test_open_failure_registers_nothing)
{
	char bad[128], err[512];
	snprintf(bad, sizeof(bad), "%s/missing.pcap", tmp);
	ck_assert_int_eq(web_open_start(bad, NULL, err, sizeof(err)), -1);
	ck_assert_msg(err[0], "no error text");
	struct web_load_opts o = { .scenario = "/nonexistent/scenario.json" };
	snprintf(bad, sizeof(bad), "%s/big.pcap", tmp);
	ck_assert_int_eq(web_open_start(bad, &o, err, sizeof(err)), -1);
	struct resp r = get("/api/traces");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "traces")), 0);
	cJSON_Delete(r.json);
}
END_TEST

static Suite *web_open_suite(void)
{
	Suite *s = suite_create("web_open");
	TCase *tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_open_serves_while_replaying);
	tcase_add_test(tc, test_open_failure_registers_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(web_open_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
