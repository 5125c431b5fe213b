/*
 * test_web_pool.c - no connection holds one of the server's threads
 * (server.c's pool, defer.c's jobs, traces.c's parked streams), in-process
 * on an ephemeral port with raw HTTP/1.1 requests:
 *  - 40 idle connections and 8 /api/live streams with nothing to send add
 *    no thread each (a thread per connection would add 48);
 *  - a parked stream is woken by each event a paced replay appends, and
 *    gets every event before its first keep-alive would be due;
 *  - an upload waiting for a slot does not stall the other requests: a
 *    run of them is answered while it still waits;
 *  - the server stops with streams parked (libmicrohttpd aborts if a
 *    connection is still suspended) and their readers see the end;
 *  - a parked stream is woken for its keep-alive (the watchdog's tick),
 *    and one past WEB_STREAMS_MAX ends the oldest, parked as it is.
 * Run from the project root.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>

#include "nj_web_check.h"
#include "web.h"

static char tmpdir[256], spooldir[300];

static void setup(void)
{
	nj_scratch_dir(tmpdir, sizeof(tmpdir));
	snprintf(spooldir, sizeof(spooldir), "%s/spool", tmpdir);
	mkdir(spooldir, 0755);
	setenv("TMPDIR", spooldir, 1);
	struct web_cfg cfg = { 0 };
	nj_web_start(&cfg);
}

static void teardown(void)
{
	web_stop();
	nj_scratch_rm(tmpdir);
}

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Waits (at most 5 s) until the server counts n connections. */
static void wait_conns(int n)
{
	for (int i = 0; i < 250 && web_guard_count() < n; i++)
		usleep(20000);
	ck_assert_int_eq(web_guard_count(), n);
}

/* An /api/live stream from seq from (-1: what comes next); its answer's
 * headers are read. */
static int live_open(int from)
{
	char head[256], b[1024];
	int fd = nj_web_connect();
	snprintf(head, sizeof(head), "GET /api/live%s HTTP/1.1\r\nHost: localhost\r\n\r\n", from >= 0 ? "?from=0" : "");
	nj_web_send(fd, head, strlen(head));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ssize_t n = recv(fd, b, sizeof(b) - 1, 0);
	ck_assert_int_gt(n, 0);
	b[n] = 0;
	ck_assert_msg(strstr(b, "200 OK") && strstr(b, "text/event-stream"), "%s", b);
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

START_TEST(test_web_conns_hold_no_thread)
{
	enum { IDLE = 40, STREAMS = 8 };
	int fd[IDLE + STREAMS];
	int before = threads();
	for (int i = 0; i < IDLE; i++)
		fd[i] = nj_web_connect();
	for (int i = 0; i < STREAMS; i++)
		fd[IDLE + i] = live_open(-1);
	wait_conns(IDLE + STREAMS);
	usleep(100000);		/* the streams have parked */
	int during = threads();
	ck_assert_msg(during - before < 8, "%d threads before, %d with %d connections open", before, during,
		      IDLE + STREAMS);
	struct nj_resp r = nj_get("/api/traces");	/* and the server still answers */
	ck_assert_int_eq(r.status, 200);
	nj_resp_free(&r);
	for (int i = 0; i < IDLE + STREAMS; i++)
		close(fd[i]);
}
END_TEST

/* The "id: SEQ" lines read from fd until n of them or deadline (ms). */
static int read_ids(int fd, int n, int64_t deadline)
{
	char b[65536], carry[8] = "";
	int got = 0;
	while (got < n && now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) != 1)
			continue;
		size_t cl = strlen(carry);
		memcpy(b, carry, cl);
		ssize_t k = recv(fd, b + cl, sizeof(b) - cl - 1, 0);
		if (k <= 0)
			break;
		b[cl + (size_t)k] = 0;
		for (const char *s = b; (s = strstr(s, "\nid: ")); s++)
			got++;
		size_t tl = cl + (size_t)k;	/* a "\nid: " cut at the buffer's end */
		size_t keep = tl < 4 ? tl : 4;
		memcpy(carry, b + tl - keep, keep);
		carry[keep] = 0;
	}
	return got;
}

START_TEST(test_web_parked_stream_woken)
{
	char err[256];
	int fd = live_open(-1);
	usleep(100000);		/* parked, with no live trace yet */
	int id = web_pace_start("pcaps/udp.pcap", NULL, 20, err, sizeof(err));
	ck_assert_msg(id > 0, "%s", err);
	struct web_trace *t = web_trace_get(id);
	ck_assert_ptr_nonnull(t);
	size_t n = 0, last = SIZE_MAX;
	int still = 0;
	for (int i = 0; i < 500 && still < 15; i++) {	/* done: no event for 300 ms (gaps are at most 20) */
		usleep(20000);
		store_lock(t->s);
		n = store_nevents(t->s);
		store_unlock(t->s);
		still = n == last ? still + 1 : 0;
		last = n;
	}
	web_trace_put(t);
	ck_assert_int_eq(still, 15);
	ck_assert_uint_gt(n, 20);
	/* the keep-alive is due 10 s after the stream opened: every event
	 * must come well before, or a wake-up was lost */
	int got = read_ids(fd, (int)n, now_ms() + 5000);
	ck_assert_msg(got == (int)n, "%d of %zu events streamed", got, n);
	close(fd);
}
END_TEST

/* One keep-alive GET on fd; its status, -1 when no whole answer comes
 * within ms. */
static int get_on(int fd, const char *path, int ms)
{
	char b[65536];
	size_t len = 0;
	int64_t deadline = now_ms() + ms;
	snprintf(b, sizeof(b), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
	nj_web_send(fd, b, strlen(b));
	while (now_ms() < deadline && len < sizeof(b) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 50) != 1)
			continue;
		ssize_t k = recv(fd, b + len, sizeof(b) - 1 - len, 0);
		if (k <= 0)
			return -1;
		b[len += (size_t)k] = 0;
		const char *end = strstr(b, "\r\n\r\n"), *cl = strcasestr(b, "\r\nContent-Length: ");
		if (end && cl && len >= (size_t)(end + 4 - b) + strtoul(cl + 18, NULL, 10)) {
			int st = 0;
			sscanf(b, "HTTP/1.%*d %d", &st);
			return st;
		}
	}
	return -1;
}

START_TEST(test_web_waiting_upload_stalls_nothing)
{
	enum { KEPT = 16 };
	char head[512], body[1000] = { 0 };
	int kept[KEPT];
	/* connections the pool's threads already serve (each thread takes
	 * its share): a thread that waited would leave its share unanswered */
	for (int i = 0; i < KEPT; i++) {
		kept[i] = nj_web_connect();
		ck_assert_int_eq(get_on(kept[i], "/api/traces", 5000), 200);
	}
	memcpy(body, "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8);
	snprintf(head, sizeof(head), "POST /api/traces HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Content-Length: %zu\r\n\r\n", sizeof(body));
	int fd[WEB_UPLOADS_ACTIVE + 1];
	for (int i = 0; i <= WEB_UPLOADS_ACTIVE; i++) {	/* two hold the slots, their bodies unfinished */
		fd[i] = nj_web_connect();
		nj_web_send(fd[i], head, strlen(head));
		nj_web_send(fd[i], body, i < WEB_UPLOADS_ACTIVE ? 8 : sizeof(body));
		usleep(100000);		/* the slots are taken in order */
	}
	int64_t t0 = now_ms();
	for (int i = 0; i < KEPT; i++)
		ck_assert_msg(get_on(kept[i], "/api/traces", 2000) == 200,
			      "kept connection %d unanswered while an upload waits for its slot", i);
	struct pollfd p = { .fd = fd[WEB_UPLOADS_ACTIVE], .events = POLLIN };
	ck_assert_msg(poll(&p, 1, 0) == 0 && now_ms() - t0 < WEB_UPLOAD_QUEUE_MS,
		      "the waiting upload was answered before the other requests (%lld ms)",
		      (long long)(now_ms() - t0));
	struct nj_resp r = nj_web_read(fd[WEB_UPLOADS_ACTIVE]);	/* then its 503, once the wait is over */
	ck_assert_int_eq(r.status, 503);
	nj_resp_free(&r);
	for (int i = 0; i < WEB_UPLOADS_ACTIVE; i++)
		close(fd[i]);
	for (int i = 0; i < KEPT; i++)
		close(kept[i]);
}
END_TEST

START_TEST(test_web_stop_with_parked_streams)
{
	enum { N = 4 };
	int fd[N];
	for (int i = 0; i < N; i++)
		fd[i] = live_open(-1);
	usleep(100000);
	web_stop();		/* aborts if a connection is left suspended */
	for (int i = 0; i < N; i++) {
		char b[4096];
		ssize_t k;
		struct pollfd p = { .fd = fd[i], .events = POLLIN };
		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		while ((k = recv(fd[i], b, sizeof(b), MSG_DONTWAIT)) > 0)
			;
		ck_assert_msg(k == 0 || (k < 0 && errno != EAGAIN), "stream %d still open after web_stop", i);
		close(fd[i]);
	}
}
END_TEST

/* 1 when the server closed fd (EOF or reset), reading what is left. */
static int ended(int fd, int ms)
{
	char b[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t deadline = now_ms() + ms;
	while (now_ms() < deadline) {
		if (poll(&p, 1, 50) != 1)
			continue;
		ssize_t k = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return 1;
	}
	return 0;
}

START_TEST(test_web_parked_stream_keepalive)
{
	char b[4096];
	int fd = live_open(-1);		/* no live trace: nothing to send, ever */
	int64_t t0 = now_ms();
	size_t len = 0;
	b[0] = 0;
	while (!strstr(b, ": keep-alive") && now_ms() - t0 < 13000 && len < sizeof(b) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) != 1)
			continue;
		ssize_t k = recv(fd, b + len, sizeof(b) - 1 - len, 0);
		ck_assert_int_gt(k, 0);
		b[len += (size_t)k] = 0;
	}
	ck_assert_msg(strstr(b, ": keep-alive"), "no keep-alive in %lld ms: \"%s\"", (long long)(now_ms() - t0), b);
	ck_assert_int_ge(now_ms() - t0, 9000);	/* due 10 s after the stream opened, not at once */
	ck_assert(!ended(fd, 200));		/* and the stream goes on */
	close(fd);
}
END_TEST

START_TEST(test_web_stream_limit_ends_oldest)
{
	int fd[WEB_STREAMS_MAX + 1];
	for (int i = 0; i < WEB_STREAMS_MAX; i++)
		fd[i] = live_open(-1);
	usleep(100000);			/* all parked */
	fd[WEB_STREAMS_MAX] = live_open(-1);
	ck_assert_msg(ended(fd[0], 2000), "the oldest stream, parked, was not ended by the newest");
	for (int i = 0; i < 50 && web_guard_count() > WEB_STREAMS_MAX; i++)
		usleep(20000);		/* resumed, it is closed here too: its slot is free */
	ck_assert_int_eq(web_guard_count(), WEB_STREAMS_MAX);
	for (int i = 1; i <= WEB_STREAMS_MAX; i++)
		ck_assert_msg(!ended(fd[i], i == 1 ? 300 : 0), "stream %d ended too", i);
	for (int i = 0; i <= WEB_STREAMS_MAX; i++)
		close(fd[i]);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("web_pool");
	TCase *tc = tcase_create("Pool");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_web_conns_hold_no_thread);
	tcase_add_test(tc, test_web_parked_stream_woken);
	tcase_add_test(tc, test_web_waiting_upload_stalls_nothing);
	tcase_add_test(tc, test_web_stop_with_parked_streams);
	tcase_add_test(tc, test_web_parked_stream_keepalive);
	tcase_add_test(tc, test_web_stream_limit_ends_oldest);
	return s;
}

NJ_TEST_MAIN(pool_suite)
