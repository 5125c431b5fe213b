/*
 * test_web_evict.c - the trace registry's upload limits (web/traces.c)
 * without sockets: least recently used uploads evicted to make room, a
 * trace being read never evicted (it goes once its reader lets go), the
 * event budget, idle expiry, uploads disabled, and the traces given on the
 * command line never touched. Run from the project root.
 */
#include "nj_web_check.h"
#include "web.h"

/* A fresh replay of pcaps/default.pcap: what an upload registers. */
static struct nj_store *replay(void)
{
	char err[512];
	struct nj_store *s = web_replay_store("pcaps/default.pcap", "up.pcap", NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "replay: %s", err);
	return s;
}

/* Registers an upload and drops the caller's reference; returns its id. */
static int upload(void)
{
	struct web_trace *t;
	char err[512];
	int id = web_add_upload("up.pcap", replay(), &t, NULL, NULL, err, sizeof(err));
	ck_assert_msg(id > 0, "upload refused: %s", err);
	web_trace_put(t);
	return id;
}

/* Listed now (read from the id list: a put could trim, see web_trace_put). */
static int present(int id)
{
	int ids[WEB_MAX_TRACES], n = web_trace_ids(ids, WEB_MAX_TRACES);
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static int count(void)
{
	int ids[WEB_MAX_TRACES];
	return web_trace_ids(ids, WEB_MAX_TRACES);
}

static void teardown(void)
{
	web_traces_free();
	web_set_upload_limits(WEB_UPLOADS_DEFAULT, WEB_UPLOAD_EVENTS_DEFAULT, WEB_UPLOAD_IDLE_DEFAULT);
}

START_TEST(test_lru_evicted_pinned_kept)
{
	web_set_upload_limits(2, 100000000, 0);
	int pinned = web_add_trace("cli.pcap", replay(), 0);
	int a = upload(), b = upload();
	web_trace_put(web_trace_get(a));	/* a read: b is now the least recent */
	struct web_trace *t;
	int ev[4], nev = 4;
	char err[256];
	int c = web_add_upload("c.pcap", replay(), &t, ev, &nev, err, sizeof(err));
	ck_assert_int_gt(c, 0);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(ev[0], b);
	web_trace_put(t);
	ck_assert(!present(b));
	ck_assert(present(a) && present(c) && present(pinned));
	for (int i = 0; i < 5; i++)
		upload();
	ck_assert(present(pinned));
	ck_assert_int_eq(count(), 3);		/* the pinned trace and 2 uploads */
}
END_TEST

START_TEST(test_read_trace_not_evicted)
{
	web_set_upload_limits(1, 100000000, 0);
	int a = upload();
	struct web_trace *reading = web_trace_get(a);
	int b = upload();
	ck_assert(present(a) && present(b));	/* over the limit while a is read */
	ck_assert_ptr_eq(reading->s, web_trace_hold(a)->s);
	web_trace_put(reading);			/* the hold above */
	web_trace_put(reading);			/* the reader lets go: a goes */
	ck_assert(!present(a));
	ck_assert(present(b));
	ck_assert_int_eq(count(), 1);
}
END_TEST

START_TEST(test_event_budget)
{
	struct nj_store *s = replay();
	size_t n = store_nevents(s);
	store_free(s);
	ck_assert_uint_gt(n, 10);
	web_set_upload_limits(10, n + n / 2, 0);	/* room for one */
	int a = upload(), b = upload();
	ck_assert(!present(a) && present(b));
	web_set_upload_limits(10, n - 1, 0);		/* one alone is over it */
	struct web_trace *t = (struct web_trace *)1;
	char err[256] = "";
	int r = web_add_upload("big.pcap", replay(), &t, NULL, NULL, err, sizeof(err));
	ck_assert_int_eq(r, -MHD_HTTP_INSUFFICIENT_STORAGE);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, "upload budget") != NULL, "%s", err);
	ck_assert(present(b));				/* a refusal evicts nothing */
	ck_assert_int_eq(count(), 1);
	web_trace_put(web_trace_get(b));		/* lowered limits apply at a release */
	ck_assert(!present(b));
}
END_TEST

START_TEST(test_idle_expiry)
{
	web_set_upload_limits(10, 100000000, 5);
	int pinned = web_add_trace("cli.pcap", replay(), 0);
	int a = upload(), b = upload();
	struct web_trace *reading = web_trace_get(b);
	int64_t now = web_clock_ms();
	ck_assert_int_eq(web_traces_expire(now), 0);
	ck_assert_int_eq(web_traces_expire(now + 6000), 1);	/* a; b is being read */
	ck_assert(!present(a) && present(b) && present(pinned));
	web_trace_put(reading);
	ck_assert_int_eq(web_traces_expire(now + 6000), 1);
	ck_assert_int_eq(count(), 1);
	web_set_upload_limits(10, 100000000, 0);	/* 0: never */
	upload();
	ck_assert_int_eq(web_traces_expire(now + 1000000000), 0);
}
END_TEST

START_TEST(test_uploads_disabled)
{
	web_set_upload_limits(0, 100000000, 0);
	ck_assert(!web_uploads_allowed());
	struct web_trace *t;
	char err[256] = "";
	ck_assert_int_eq(web_add_upload("x.pcap", replay(), &t, NULL, NULL, err, sizeof(err)), -MHD_HTTP_FORBIDDEN);
	ck_assert_int_eq(count(), 0);
	web_set_upload_limits(1, 100000000, 0);
	ck_assert(web_uploads_allowed());
}
END_TEST

static Suite *evict_suite(void)
{
	Suite *s = suite_create("web_evict");
	TCase *tc = tcase_create("Uploads");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lru_evicted_pinned_kept);
	tcase_add_test(tc, test_read_trace_not_evicted);
	tcase_add_test(tc, test_event_budget);
	tcase_add_test(tc, test_idle_expiry);
	tcase_add_test(tc, test_uploads_disabled);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(evict_suite)
