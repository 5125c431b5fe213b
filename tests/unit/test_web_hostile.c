/*
 * test_web_hostile.c - the server against hostile clients (issue #26),
 * in-process on an ephemeral port with raw HTTP/1.1 requests:
 *  - frames of 0 bytes and undecodable frames through every endpoint that
 *    decodes frames, filters included (under `make unit-san` LeakSanitizer
 *    fails the run on the leak filter.c had);
 *  - Host and Origin: foreign Host 421, cross-origin POST 403 (text/plain
 *    too) and nothing registered, --allow-host names accepted;
 *  - upload slots (a third upload in flight is a 503 with Retry-After),
 *    the event budget enforced during the replay (507, no spool file left),
 *    stale spool files of dead servers removed, 503 while stopping (also
 *    to a body still arriving), the disk budget counted across uploads
 *    (507 while the body arrives);
 *  - a FIFO in the static folder answered at once, not served;
 *  - connections trickling their headers cut by the watchdog.
 * Run from the project root.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "nj_web_check.h"
#include "web.h"

static char tmpdir[256], spooldir[300];

/* A POST with the header lines extra (each ending in \r\n). */
static struct nj_resp post_h(const char *path, const char *extra, const void *body, size_t len)
{
	return nj_send("POST", path, extra, body, len);
}

static int ntraces(void)
{
	struct nj_resp r = nj_get("/api/traces");
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "traces"));
	nj_resp_free(&r);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A little-endian Ethernet pcap: n records of caplen[i % 3] bytes each
 * (0, 3 and 60: empty, undecodable, a zero-filled frame), len 60. */
static uint8_t *weird_pcap(int n, size_t *len)
{
	static const uint32_t caplen[3] = { 0, 3, 60 };
	uint8_t *b = calloc(1, 24 + (size_t)n * (16 + 60)), *p = b + 24;
	put32(b, 0xa1b2c3d4);
	b[4] = 2, b[6] = 4;			/* version 2.4 */
	put32(b + 16, 65535);
	put32(b + 20, 1);			/* DLT_EN10MB */
	for (int i = 0; i < n; i++) {
		put32(p, 1700000000u + (uint32_t)i);
		put32(p + 8, caplen[i % 3]);
		put32(p + 12, 60);
		memset(p + 16, i % 3 == 1 ? 0xff : 0, caplen[i % 3]);
		p += 16 + caplen[i % 3];
	}
	*len = (size_t)(p - b);
	return b;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint8_t *b = malloc(1 << 22);
	*len = fread(b, 1, 1 << 22, f);
	fclose(f);
	return b;
}

static int spool_files(void)
{
	DIR *d = opendir(spooldir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += !strncmp(e->d_name, "netjourney-upload-", 18);
	if (d)
		closedir(d);
	return n;
}

static void setup(void)
{
	char p[300];
	static const char *const hosts[] = { "classroom.example" };
	nj_scratch_dir(tmpdir, sizeof(tmpdir));
	snprintf(p, sizeof(p), "%s/static", tmpdir);
	mkdir(p, 0755);
	snprintf(spooldir, sizeof(spooldir), "%s/spool", tmpdir);
	mkdir(spooldir, 0755);
	setenv("TMPDIR", spooldir, 1);
	FILE *f = fopen(strcat(p, "/index.html"), "w");
	fputs("<!doctype html><title>t</title>", f);
	fclose(f);
	p[strlen(p) - strlen("/index.html")] = 0;
	struct web_cfg cfg = { .static_dir = p, .allow_hosts = hosts, .nallow_hosts = 1 };
	nj_web_start(&cfg);
}

static void teardown(void)
{
	web_stop();
	web_set_upload_limits(WEB_UPLOADS_DEFAULT, WEB_UPLOAD_EVENTS_DEFAULT, WEB_UPLOAD_IDLE_DEFAULT);
	nj_scratch_rm(tmpdir);
}

/* Every endpoint that decodes frames, on frames of 0 and 3 bytes. */
START_TEST(test_web_empty_frames)
{
	size_t len;
	uint8_t *pcap = weird_pcap(90, &len);
	struct nj_resp r = post_h("/api/traces?name=weird.pcap", "Host: localhost\r\n", pcap, len);
	ck_assert_msg(r.status == 201, "upload: %d %s", r.status, r.body);
	int id = (int)cJSON_GetObjectItem(r.json, "id")->valuedouble;
	ck_assert_int_eq((int)cJSON_GetObjectItem(r.json, "packets")->valuedouble, 90);
	nj_resp_free(&r);
	static const char *const filters[] = { "tcp", "udp+port+53", "ether+broadcast", "len+>+10", "ip[0]+%3D+0x45",
					       "arp+or+icmp" };
	char path[256];
	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++) {
		snprintf(path, sizeof(path), "/api/traces/%d/packets?limit=1000&filter=%s", id, filters[k]);
		r = nj_get(path);
		ck_assert_msg(r.status == 200, "%s: %d %.300s", path, r.status, r.body);
		/* zero-filled frames are no IP, ARP or broadcast; only "len > 10" matches, not the empty ones */
		ck_assert_msg((int)cJSON_GetObjectItem(r.json, "total")->valuedouble == (k == 3 ? 60 : 0), "%s: %.300s",
			      path, r.body);
		nj_resp_free(&r);
	}
	for (int n = 1; n <= 3; n++) {
		snprintf(path, sizeof(path), "/api/traces/%d/packets/%d", id, n);
		r = nj_get(path);
		ck_assert_msg(r.status == 200, "%s: %d", path, r.status);
		nj_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/api/traces/%d", id);
	r = nj_get(path);
	ck_assert_msg(r.status == 200, "%s: %d", path, r.status);
	nj_resp_free(&r);
	free(pcap);
}
END_TEST

START_TEST(test_web_host_checked)
{
	char head[512];
	static const struct {
		const char *host;
		int ok;
	} cases[] = {
		{ "localhost", 1 }, { "LOCALHOST:%d", 1 }, { "127.0.0.1:%d", 1 }, { "[::1]:%d", 1 },
		{ "classroom.example:%d", 1 }, { "evil.example", 0 }, { "evil.example:%d", 0 },
		{ "127.0.0.1:1", 0 }, { "localhost.evil.example", 0 }, { "127.0.0.1:%dx", 0 }, { "[::1", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char host[128];
		snprintf(host, sizeof(host), cases[i].host, web_port());
		snprintf(head, sizeof(head), "GET /api/traces HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
		struct nj_resp r = nj_http(head, NULL, 0);
		ck_assert_msg(r.status == (cases[i].ok ? 200 : 421), "Host %s: %d", host, r.status);
		nj_resp_free(&r);
		snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
		r = nj_http(head, NULL, 0);
		ck_assert_msg(r.status == (cases[i].ok ? 200 : 421), "static, Host %s: %d", host, r.status);
		nj_resp_free(&r);
	}
}
END_TEST

START_TEST(test_web_cross_origin_post)
{
	size_t len;
	uint8_t *pcap = slurp("pcaps/udp.pcap", &len);
	char own[256], same[512];
	snprintf(own, sizeof(own), "Host: 127.0.0.1:%d\r\n", web_port());
	static const char *const foreign[] = {
		"Origin: http://evil.example\r\nContent-Type: text/plain\r\n",
		"Origin: null\r\nContent-Type: text/plain\r\n",
		"Origin: http://127.0.0.1:1\r\n",
		"Origin: https://127.0.0.1:%d\r\n",
		"Sec-Fetch-Site: cross-site\r\n",
	};
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		char hdr[512], extra[256];
		snprintf(extra, sizeof(extra), foreign[i], web_port());
		snprintf(hdr, sizeof(hdr), "%s%s", own, extra);
		struct nj_resp r = post_h("/api/traces", hdr, pcap, len);
		ck_assert_msg(r.status == 403, "%s: %d %s", extra, r.status, r.body);
		ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")));
		nj_resp_free(&r);
		r = post_h("/api/lessons/1/open", hdr, NULL, 0);
		ck_assert_msg(r.status == 403, "lesson open, %s: %d", extra, r.status);
		nj_resp_free(&r);
	}
	ck_assert_int_eq(ntraces(), 0);
	snprintf(same, sizeof(same), "%sOrigin: http://127.0.0.1:%d\r\nSec-Fetch-Site: same-origin\r\n", own, web_port());
	struct nj_resp r = post_h("/api/traces", same, pcap, len);
	ck_assert_msg(r.status == 201, "same origin: %d %s", r.status, r.body);
	nj_resp_free(&r);
	r = post_h("/api/traces", own, pcap, len);	/* no Origin: not a browser */
	ck_assert_msg(r.status == 201, "no Origin: %d %s", r.status, r.body);
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 2);
	free(pcap);
}
END_TEST

/* Two uploads whose bodies are on their way hold both slots: a third
 * waits WEB_UPLOAD_QUEUE_MS and is answered 503 with Retry-After; a fourth
 * that is waiting when a slot frees goes on; nothing is left behind. */
START_TEST(test_web_upload_slots)
{
	size_t len;
	uint8_t *pcap = slurp("pcaps/udp.pcap", &len);
	char head[512];
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Content-Length: %zu\r\n\r\n", len);
	int fd[WEB_UPLOADS_ACTIVE];
	for (int i = 0; i < WEB_UPLOADS_ACTIVE; i++) {
		fd[i] = nj_web_connect();
		nj_web_send(fd[i], head, strlen(head));
		nj_web_send(fd[i], pcap, 30);
	}
	for (int i = 0; i < 50 && spool_files() < WEB_UPLOADS_ACTIVE; i++)
		usleep(20000);
	ck_assert_int_eq(spool_files(), WEB_UPLOADS_ACTIVE);
	time_t t0 = time(NULL);
	struct nj_resp r = post_h("/api/traces", "Host: localhost\r\n", pcap, len);
	ck_assert_msg(r.status == 503, "third upload: %d %s", r.status, r.body);
	ck_assert_int_ge(time(NULL) - t0, WEB_UPLOAD_QUEUE_MS / 1000 - 1);
	ck_assert_str_eq(r.retry, "2");
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "retry")));
	nj_resp_free(&r);
	int fourth = nj_web_connect();
	nj_web_send(fourth, head, strlen(head));
	nj_web_send(fourth, pcap, len);
	usleep(200000);
	for (int i = 0; i < WEB_UPLOADS_ACTIVE; i++) {
		nj_web_send(fd[i], pcap + 30, len - 30);
		r = nj_web_read(fd[i]);
		ck_assert_msg(r.status == 201, "upload %d: %d %s", i, r.status, r.body);
		nj_resp_free(&r);
	}
	r = nj_web_read(fourth);
	ck_assert_msg(r.status == 201, "the upload that waited: %d %s", r.status, r.body);
	nj_resp_free(&r);
	ck_assert_int_eq(spool_files(), 0);
	free(pcap);
}
END_TEST

/* A capture over the event budget is stopped there: 507 without the
 * events of the rest, and no trace, no spool file. */
START_TEST(test_web_budget_during_replay)
{
	size_t len;
	uint8_t *pcap = slurp("pcaps/frag-flood.pcap", &len);
	web_set_upload_limits(4, 200, 0);
	struct nj_resp r = post_h("/api/traces?name=flood.pcap", "Host: localhost\r\n", pcap, len);
	ck_assert_msg(r.status == 507, "%d %s", r.status, r.body);
	ck_assert_msg(strstr(r.body, "more than 200 events"), "%s", r.body);
	nj_resp_free(&r);
	ck_assert_int_eq(ntraces(), 0);
	ck_assert_int_eq(spool_files(), 0);
	free(pcap);
}
END_TEST

/* The disk budget is one count for all uploads in flight: a growth that
 * would pass it is refused and changes nothing; what is given back is
 * free again. */
START_TEST(test_web_disk_budget_counts)
{
	uint64_t a = 0, b = 0;
	web_set_disk_budget(1000);
	ck_assert_uint_eq(web_disk_budget(), 1000);
	ck_assert_int_eq(web_disk_grow(&a, 600), 0);
	ck_assert_int_eq(web_disk_grow(&b, 500), -1);
	ck_assert_uint_eq(b, 0);
	ck_assert_int_eq(web_disk_grow(&b, 400), 0);
	ck_assert_int_eq(web_disk_grow(&a, 601), -1);
	ck_assert_uint_eq(a, 600);
	ck_assert_int_eq(web_disk_grow(&a, 0), 0);
	ck_assert_int_eq(web_disk_grow(&b, 1000), 0);
	ck_assert_int_eq(web_disk_grow(&b, 0), 0);
	web_set_disk_budget(0);
	ck_assert_uint_eq(web_disk_budget(), WEB_DISK_BUDGET_DEFAULT);
}
END_TEST

/* A body that passes the disk budget is answered 507 while it still
 * arrives (its Content-Length is never reached), its spool file gone. */
START_TEST(test_web_disk_budget_mid_body)
{
	size_t len = 256 << 10;
	uint8_t *body = calloc(1, len);
	put32(body, 0xa1b2c3d4);
	web_set_disk_budget(64 << 10);
	char head[256];
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n",
		 len * 4);
	int fd = nj_web_connect();
	nj_web_send(fd, head, strlen(head));
	nj_web_send(fd, body, len);
	struct nj_resp r = nj_web_read(fd);
	ck_assert_msg(r.status == 507 && strstr(r.body, "disk budget"), "%d %s", r.status, r.body);
	ck_assert_int_eq(spool_files(), 0);
	nj_resp_free(&r);
	free(body);
	web_set_disk_budget(0);
}
END_TEST

static void *stop_server(void *arg)
{
	(void)arg;
	web_stop();
	return NULL;
}

/* The server stopping answers an upload whose body is still arriving:
 * a 503 with Retry-After at once, not a connection cut later. */
START_TEST(test_web_stop_answers_bodies)
{
	size_t len;
	uint8_t *pcap = slurp("pcaps/udp.pcap", &len);
	char head[256];
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n",
		 len);
	int fd = nj_web_connect();
	nj_web_send(fd, head, strlen(head));
	nj_web_send(fd, pcap, 30);
	for (int i = 0; i < 50 && spool_files() < 1; i++)
		usleep(20000);
	ck_assert_int_eq(spool_files(), 1);
	struct timespec t0, t1;
	pthread_t th;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pthread_create(&th, NULL, stop_server, NULL), 0);
	struct nj_resp r = nj_web_read(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(r.status == 503 && dt < 1.0, "%d after %.2f s: %s", r.status, dt, r.body);
	ck_assert_str_eq(r.retry, "1");
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(r.json, "error")));
	ck_assert_int_eq(spool_files(), 0);
	nj_resp_free(&r);
	free(pcap);
}
END_TEST

START_TEST(test_web_spool_sweep)
{
	pid_t dead = fork();
	if (!dead)
		_exit(0);
	waitpid(dead, NULL, 0);
	char a[512], b[512], c[512];
	snprintf(a, sizeof(a), "%s/netjourney-upload-%d-AAAAAA", spooldir, (int)dead);
	snprintf(b, sizeof(b), "%s/netjourney-upload-%d-BBBBBB", spooldir, (int)getppid());
	snprintf(c, sizeof(c), "%s/netjourney-upload-notapid", spooldir);
	fclose(fopen(a, "w"));
	fclose(fopen(b, "w"));
	fclose(fopen(c, "w"));
	ck_assert_int_eq(web_spool_sweep(), 1);
	ck_assert_int_ne(access(a, F_OK), 0);		/* its server is gone */
	ck_assert_int_eq(access(b, F_OK), 0);		/* its server runs */
	ck_assert_int_eq(access(c, F_OK), 0);		/* not ours to judge */
}
END_TEST

START_TEST(test_web_fifo_not_served)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/static/pipe.js", tmpdir);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	time_t t0 = time(NULL);
	struct nj_resp r = nj_get("/pipe.js");
	ck_assert_int_eq(r.status, 404);
	nj_resp_free(&r);
	ck_assert_int_le(time(NULL) - t0, 2);
	r = nj_get("/index.html");
	ck_assert_int_eq(r.status, 200);
	nj_resp_free(&r);
}
END_TEST

/* 1 when the server closed fd (EOF or reset), draining what it sent. */
static int closed_by_server(int fd)
{
	char b[4096];
	ssize_t n;
	while ((n = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0)
		;
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Connections that trickle their headers are cut: with WEB_PRESSURE of
 * them open, after 2 s; a normal request is answered meanwhile. */
START_TEST(test_web_slowloris_cut)
{
	enum { N = WEB_PRESSURE + 2 };
	int fd[N];
	for (int i = 0; i < N; i++) {
		fd[i] = nj_web_connect();
		static const char part[] = "GET /api/traces HTTP/1.1\r\nHost: localhost\r\n";
		nj_web_send(fd[i], part, sizeof(part) - 1);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct nj_resp r = nj_get("/api/traces");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	nj_resp_free(&r);
	for (int k = 0; k < 8; k++) {		/* a byte every 0.5 s: never idle */
		for (int i = 0; i < N; i++)
			(void)!send(fd[i], "X", 1, MSG_NOSIGNAL);
		usleep(500000);
	}
	int cut = 0;
	for (int i = 0; i < N; i++) {
		cut += closed_by_server(fd[i]);
		close(fd[i]);
	}
	ck_assert_int_eq(cut, N);
	ck_assert_uint_ge(web_guard_cuts(), N);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("web_hostile");
	TCase *tc = tcase_create("Hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_web_empty_frames);
	tcase_add_test(tc, test_web_host_checked);
	tcase_add_test(tc, test_web_cross_origin_post);
	tcase_add_test(tc, test_web_upload_slots);
	tcase_add_test(tc, test_web_budget_during_replay);
	tcase_add_test(tc, test_web_disk_budget_counts);
	tcase_add_test(tc, test_web_disk_budget_mid_body);
	tcase_add_test(tc, test_web_stop_answers_bodies);
	tcase_add_test(tc, test_web_spool_sweep);
	tcase_add_test(tc, test_web_fifo_not_served);
	tcase_add_test(tc, test_web_slowloris_cut);
	return s;
}

NJ_TEST_MAIN(hostile_suite)
