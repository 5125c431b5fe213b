/*
 * test_outbuf.c - the JSONL writer thread (trace/outbuf.c): every byte
 * arrives in order across buffer hand-overs and oversized lines; a flush
 * puts everything given so far in the file; a full disk is reported, not
 * ignored; the JSONL sink renames PATH.part only on close; an event that
 * crosses to the writer thread as a record (trace/event_rec.c) comes out as
 * the very JSON the event itself gives, in order with metadata lines, also
 * when it is bigger than a whole buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nj_check.h"
#include "event_rec.h"
#include "events.h"
#include "outbuf.h"
#include "sinks.h"

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	rewind(f);
	char *b = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return b;
}

/* A deterministic byte for position i of the stream. */
static char byte_at(size_t i) { return (char)('a' + (i * 7 + i / 977) % 26); }

START_TEST(test_outbuf_order_across_buffers)
{
	char path[] = "/tmp/nj_outbuf_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct outbuf o;
	ck_assert_int_eq(outbuf_open(&o, fd), 0);

	/* chunks from 1 byte to 1.5 buffers, 9 MiB in all: every hand-over
	 * and the oversized path are crossed */
	size_t total = 0, sizes[] = { 1, 100, 4096, 250000, OUTBUF_SIZE - 3, OUTBUF_SIZE + OUTBUF_SIZE / 2, 17 };
	char *chunk = malloc(2 * OUTBUF_SIZE);
	ck_assert_ptr_nonnull(chunk);
	while (total < 9u * OUTBUF_SIZE) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			for (size_t j = 0; j < sizes[k]; j++)
				chunk[j] = byte_at(total + j);
			outbuf_write(&o, chunk, sizes[k]);
			total += sizes[k];
		}
	}
	ck_assert_int_eq(outbuf_close(&o), 0);
	close(fd);
	free(chunk);

	size_t n;
	char *got = read_all(path, &n);
	ck_assert_uint_eq(n, total);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += got[i] != byte_at(i);
	ck_assert_uint_eq(bad, 0);
	free(got);
	unlink(path);
}
END_TEST

START_TEST(test_outbuf_flush_makes_bytes_visible)
{
	char path[] = "/tmp/nj_outbuf_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct outbuf o;
	ck_assert_int_eq(outbuf_open(&o, fd), 0);
	outbuf_write(&o, "one\n", 4);
	outbuf_write(&o, "two\n", 4);
	ck_assert_int_eq(outbuf_flush(&o), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 8);	/* before close: live mode depends on it */
	outbuf_write(&o, "three\n", 6);
	ck_assert_int_eq(outbuf_close(&o), 0);
	close(fd);
	size_t n;
	char *got = read_all(path, &n);
	ck_assert_uint_eq(n, 14);
	ck_assert(memcmp(got, "one\ntwo\nthree\n", 14) == 0);
	free(got);
	unlink(path);
}
END_TEST

START_TEST(test_outbuf_full_disk_reported)
{
	int fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		return;		/* no /dev/full in this sandbox: nothing to check */
	struct outbuf o;
	ck_assert_int_eq(outbuf_open(&o, fd), 0);
	char line[300];
	memset(line, 'x', sizeof(line));
	for (int i = 0; i < 20000; i++)		/* more than all the buffers */
		outbuf_write(&o, line, sizeof(line));
	ck_assert_int_eq(outbuf_close(&o), -1);
	ck_assert_int_eq(o.err, ENOSPC);
	close(fd);
}
END_TEST

START_TEST(test_jsonl_sink_part_then_rename)
{
	char dir[] = "/tmp/nj_jsonl_XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128], part[140], err[256];
	snprintf(path, sizeof(path), "%s/t.jsonl", dir);
	snprintf(part, sizeof(part), "%s.part", path);
	struct jsonl_sink s;
	ck_assert_int_eq(jsonl_open(&s, path, err, sizeof(err)), 0);
	jsonl_line(&s, "{\"a\":1}");
	ck_assert_int_eq(jsonl_flush(&s), 0);
	ck_assert_int_eq(access(part, F_OK), 0);
	ck_assert_int_ne(access(path, F_OK), 0);	/* not under its name yet */
	jsonl_line(&s, "{\"b\":2}");
	ck_assert_int_eq(jsonl_close(&s, err, sizeof(err)), 0);
	ck_assert_int_ne(access(part, F_OK), 0);
	size_t n;
	char *got = read_all(path, &n);
	ck_assert_uint_eq(n, 16);
	ck_assert(memcmp(got, "{\"a\":1}\n{\"b\":2}\n", 16) == 0);
	free(got);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_jsonl_sink_unwritable_dir)
{
	char err[256] = "";
	struct jsonl_sink s;
	ck_assert_int_eq(jsonl_open(&s, "/nonexistent-dir/t.jsonl", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
}
END_TEST

/* Events with every optional part present or absent, hostile bytes in
 * the message, and (big != 0) args larger than a whole buffer. */
static char *big_args;

static struct trace_event sample(int i, struct skb_state *st, struct trace_mib_delta *mib, uint64_t *from)
{
	static const char *const msgs[] = { "plain", "quote \" back \\ ctl \x01 bad \xff\xfe utf8 \xc3\xa9", NULL, "" };
	struct trace_event ev = { .seq = (uint64_t)i + 1, .parent = (uint64_t)i / 2, .depth = i % 7,
				  .ph = "BEi"[i % 3], .fn = i % 2 ? "ip_rcv" : "tcp_v4_rcv", .layer = "ip",
				  .pkt = i % 5 ? i : -1, .skb = i % 4 ? i * 3 : -1, .ts_ns = 1700000000000000000ull + i };
	*st = (struct skb_state){ .len = 60 + i, .data = 14, .nh = i % 3 ? 14 : -1, .th = -1, .pkt_type = 0,
				  .protocol = 0x0800, .ifindex = 1 };
	ev.st = i % 6 ? st : NULL;
	ev.msg = msgs[i % 4];
	ev.args = i % 3 == 1 ? "{\"a\":[1,2,{\"b\":\"x\"}]}" : NULL;
	if (i == 7)
		ev.args = big_args;
	if (ev.ph == 'E') {
		ev.verdict = i % 2 ? V_DROP : V_PASS;
		ev.reason = SKB_DROP_REASON_IP_CSUM;
		mib[0] = (struct trace_mib_delta){ .id = 1, .n = 5 };
		mib[1] = (struct trace_mib_delta){ .id = 3, .n = 1 };
		ev.mib = mib;
		ev.n_mib = 2;
	}
	if (i % 5 == 3) {
		from[0] = 11;
		from[1] = 12;
		from[2] = 13;
		ev.from = from;
		ev.n_from = 3;
	}
	return ev;
}

static void make_big_args(void)
{
	size_t n = OUTBUF_SIZE * 2 + 100;
	big_args = malloc(n + 20);
	ck_assert_ptr_nonnull(big_args);
	strcpy(big_args, "{\"frame\":\"");
	memset(big_args + 10, 'a', n);
	strcpy(big_args + 10 + n, "\"}");
}

START_TEST(test_event_rec_round_trip)
{
	make_big_args();
	for (int i = 0; i < 40; i++) {
		struct skb_state st, st2;
		struct trace_mib_delta mib[2];
		uint64_t from[3];
		struct trace_event ev = sample(i, &st, mib, from), back;
		struct event_rec_len len;
		size_t n = event_rec_size(&ev, 0, &len);
		ck_assert_uint_eq(n % 8, 0);
		char *rec = aligned_alloc(8, n);
		ck_assert_uint_eq(event_rec_put(rec, &ev, NULL, 0, &len), n);
		int kind = -1;
		const char *line;
		size_t ll;
		ck_assert_uint_eq(event_rec_get(rec, n, &kind, &back, &st2, &line, &ll), n);
		ck_assert_int_eq(kind, EVENT_REC_EVENT);
		ck_assert_uint_eq(event_rec_get(rec, n - 8, &kind, &back, &st2, &line, &ll), 0);	/* cut short */
		struct jw a = { 0 }, b = { 0 }, c = { 0 };
		event_to_json(&a, &ev);
		event_to_json(&b, &back);
		ck_assert_str_eq(a.buf, b.buf);
		size_t sz = 1;		/* read in place, as the writer thread does */
		ck_assert_ptr_null(event_rec_view(rec, n - 8, &kind, &line, &ll, &sz));
		ck_assert_uint_eq(sz, 0);
		const struct trace_event *v = event_rec_view(rec, n, &kind, &line, &ll, &sz);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(sz, n);
		event_to_json(&c, v);
		ck_assert_str_eq(a.buf, c.buf);
		jw_free(&a);
		jw_free(&b);
		jw_free(&c);
		free(rec);
	}
	free(big_args);
}
END_TEST

START_TEST(test_jsonl_sink_file_equals_direct_json)
{
	char dir[] = "/tmp/nj_jsonl_XXXXXX", path[128], err[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.jsonl", dir);
	make_big_args();
	struct jsonl_sink s;
	struct jw want = { 0 };
	ck_assert_int_eq(jsonl_open(&s, path, err, sizeof(err)), 0);
	jsonl_line(&s, "{\"meta\":\"start\"}");
	jw_lit(&want, "{\"meta\":\"start\"}\n");
	for (int i = 0; i < 30000; i++) {	/* several buffers of records */
		struct skb_state st;
		struct trace_mib_delta mib[2];
		uint64_t from[3];
		struct trace_event ev = sample(i, &st, mib, from);
		jsonl_emit(&s, &ev);
		struct jw one = { 0 };
		event_to_json(&one, &ev);
		jw_raw(&want, one.buf, one.len);
		jw_lit(&want, "\n");
		jw_free(&one);
	}
	jsonl_line(&s, "{\"meta\":\"end\"}");
	jw_lit(&want, "{\"meta\":\"end\"}\n");
	ck_assert_uint_eq(s.events, 30000);
	ck_assert_int_eq(jsonl_close(&s, err, sizeof(err)), 0);
	size_t n;
	char *got = read_all(path, &n);
	ck_assert_uint_eq(n, want.len);
	ck_assert(memcmp(got, want.buf, n) == 0);
	free(got);
	jw_free(&want);
	free(big_args);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *outbuf_suite(void)
{
	Suite *s = suite_create("outbuf");
	TCase *tc = tcase_create("Core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_outbuf_order_across_buffers);
	tcase_add_test(tc, test_outbuf_flush_makes_bytes_visible);
	tcase_add_test(tc, test_outbuf_full_disk_reported);
	tcase_add_test(tc, test_jsonl_sink_part_then_rename);
	tcase_add_test(tc, test_jsonl_sink_unwritable_dir);
	tcase_add_test(tc, test_event_rec_round_trip);
	tcase_add_test(tc, test_jsonl_sink_file_equals_direct_json);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(outbuf_suite)
