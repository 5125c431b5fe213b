/*
 * test_outputs.c - issue 26, items 6 and 7: output files are never lost
 * (trace/outfile.c and the sinks: PATH replaced only on success, a failure
 * keeps PATH and writes PATH.partial with whole lines and an incomplete
 * trace_end, also on a full disk, simulated with RLIMIT_FSIZE; a second
 * writer is refused); any bytes from a scenario make valid JSON; routes
 * load in O(n log n) and keep the kernel's order; filters compile under
 * limits (replay/bpf_compile.c); a scenario load stops when asked and
 * refuses more packet sockets than its bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nj_check.h"
#include "bpf_compile.h"
#include "cJSON.h"
#include "events.h"
#include "fib.h"
#include "outdisk.h"
#include "outfile.h"
#include "scenario.h"
#include "sinks.h"

static char dir[64], path[128], part[140], partial[140];

static void setup_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nj_outputs_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.jsonl", dir);
	snprintf(part, sizeof(part), "%s.part", path);
	snprintf(partial, sizeof(partial), "%s.partial", path);
}

static void cleanup_dir(void)
{
	unlink(path);
	unlink(part);
	unlink(partial);
	rmdir(dir);
}

static void put_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The file's bytes (NUL-terminated), or NULL when it does not exist. */
static char *get_file(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	rewind(f);
	char *b = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	b[sz] = 0;
	if (n)
		*n = (size_t)sz;
	return b;
}

static void assert_file(const char *p, const char *want)
{
	char *got = get_file(p, NULL);
	ck_assert_msg(got != NULL, "%s missing", p);
	ck_assert_str_eq(got, want);
	free(got);
}

static void write_fd(int fd, const char *s) { ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s)); }

START_TEST(test_outfile_replaces_only_on_success)
{
	char err[512] = "";
	struct outfile o;
	setup_dir();
	put_file(path, "old\n");
	ck_assert_int_eq(outfile_open(&o, path, err, sizeof(err)), 0);
	assert_file(path, "old\n");			/* untouched while written */
	write_fd(o.fd, "new\n");
	ck_assert_int_eq(outfile_commit(&o, 0, err, sizeof(err)), 0);
	assert_file(path, "old\n");			/* a failed run keeps PATH */
	assert_file(partial, "new\n");
	ck_assert_int_ne(access(part, F_OK), 0);

	ck_assert_int_eq(outfile_open(&o, path, err, sizeof(err)), 0);
	write_fd(o.fd, "newer\n");
	ck_assert_int_eq(outfile_commit(&o, 1, err, sizeof(err)), 0);
	assert_file(path, "newer\n");
	ck_assert_int_ne(access(part, F_OK), 0);

	ck_assert_int_eq(outfile_open(&o, path, err, sizeof(err)), 0);
	write_fd(o.fd, "never\n");
	outfile_discard(&o);				/* failed before it began */
	assert_file(path, "newer\n");
	ck_assert_int_ne(access(part, F_OK), 0);
	cleanup_dir();
}
END_TEST

START_TEST(test_outfile_second_writer_refused)
{
	char err[512] = "";
	struct outfile a, b;
	setup_dir();
	ck_assert_int_eq(outfile_open(&a, path, err, sizeof(err)), 0);
	write_fd(a.fd, "first writer\n");
	ck_assert_int_eq(outfile_open(&b, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "another process is writing it") != NULL, "err: %s", err);
	assert_file(part, "first writer\n");		/* not truncated by the refused one */
	ck_assert_int_eq(outfile_commit(&a, 1, err, sizeof(err)), 0);
	assert_file(path, "first writer\n");
	ck_assert_int_eq(outfile_open(&b, path, err, sizeof(err)), 0);	/* free again */
	outfile_discard(&b);
	cleanup_dir();
}
END_TEST

START_TEST(test_outfile_device_in_place_and_prev_line)
{
	char err[512] = "";
	struct outfile o;
	ck_assert_int_eq(outfile_open(&o, "/dev/null", err, sizeof(err)), 0);
	ck_assert_ptr_null(o.tmp);
	ck_assert_int_eq(outfile_commit(&o, 1, err, sizeof(err)), 0);
	struct stat st;
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));			/* not replaced by a file */

	setup_dir();
	ck_assert_int_eq(outfile_open(&o, path, err, sizeof(err)), 0);
	write_fd(o.fd, "A\nBB\nCCC\n");
	ck_assert_int_eq(outfile_prev_line(o.fd, 9), 5);	/* "CCC\n" starts at 5 */
	ck_assert_int_eq(outfile_prev_line(o.fd, 5), 2);
	ck_assert_int_eq(outfile_prev_line(o.fd, 2), 0);	/* one line left */
	outfile_discard(&o);
	cleanup_dir();
}
END_TEST

/* jsonl_end_fn for the tests: the fields a reader checks. */
static void end_fn(void *ctx, struct jw *w, int complete, uint64_t events, const char *error)
{
	(void)ctx;
	jw_obj_open(w);
	jw_kv_str(w, "kind", "trace_end");
	jw_kv_bool(w, "complete", complete);
	jw_kv_uint(w, "events", events);
	if (error)
		jw_kv_str(w, "error", error);
	jw_obj_close(w);
}

/* Every line of p parses; returns the lines, the last one in *last. */
static int check_lines(const char *p, cJSON **last)
{
	char *b = get_file(p, NULL);
	ck_assert_ptr_nonnull(b);
	int n = 0;
	*last = NULL;
	for (char *line = b, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "%s: line %d is not whole", p, n + 1);
		*nl = 0;
		cJSON *j = cJSON_Parse(line);
		ck_assert_msg(j != NULL, "%s: line %d is not JSON: %.80s", p, n + 1, line);
		if (n == 0)
			ck_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, "trace_start");
		cJSON_Delete(*last);
		*last = j;
		n++;
	}
	free(b);
	return n;
}

/* Every way opening an output can fail says which file and why, creates
 * nothing, and leaves the struct empty (item 4 of issue 26's leftovers:
 * the messages were once built from a name already freed). */
static void assert_open_fails(const char *p, const char *why)
{
	char err[512] = "", cerr[512] = "";
	struct outfile o;
	struct jsonl_sink js;
	struct chrome_sink cs;
	ck_assert_int_eq(outfile_open(&o, p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, p) && strstr(err, why), "outfile_open(%s): %s", p, err);
	ck_assert_int_eq(o.fd, -1);
	ck_assert_ptr_null(o.path);
	ck_assert_ptr_null(o.tmp);
	outfile_discard(&o);				/* safe on the empty struct */
	ck_assert_int_eq(jsonl_open(&js, p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, p) && strstr(err, why), "jsonl_open(%s): %s", p, err);
	ck_assert_int_eq(js.open, 0);
	ck_assert_int_eq(chrome_open(&cs, p, cerr, sizeof(cerr)), -1);
	ck_assert_msg(strstr(cerr, p) && strstr(cerr, why), "chrome_open(%s): %s", p, cerr);
}

START_TEST(test_outfile_open_failures_name_the_file)
{
	char p[200], sub[160];
	setup_dir();
	snprintf(p, sizeof(p), "%s/no-such-dir/t.jsonl", dir);	/* a directory that does not exist */
	assert_open_fails(p, "No such file or directory");
	snprintf(p, sizeof(p), "%s/no-such-dir/t.jsonl.part", dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	assert_open_fails(dir, "Is a directory");		/* a path that is a directory */
	snprintf(sub, sizeof(sub), "%s/sub", dir);		/* PATH.part a directory */
	snprintf(p, sizeof(p), "%s/sub.part", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	assert_open_fails(sub, "Is a directory");
	ck_assert_int_ne(access(sub, F_OK), 0);
	rmdir(p);
	snprintf(sub, sizeof(sub), "%s/ro", dir);		/* a read-only directory */
	ck_assert_int_eq(mkdir(sub, 0555), 0);
	snprintf(p, sizeof(p), "%s/ro/t.jsonl", dir);
	if (geteuid() != 0)			/* root writes there anyway */
		assert_open_fails(p, "Permission denied");
	rmdir(sub);
	cleanup_dir();
}
END_TEST

/* A commit whose rename fails (PATH.part taken away meanwhile) names the
 * file and leaves PATH as it was and the struct empty. */
START_TEST(test_outfile_commit_failure_names_the_file)
{
	char err[512] = "";
	struct outfile o;
	setup_dir();
	put_file(path, "old\n");
	ck_assert_int_eq(outfile_open(&o, path, err, sizeof(err)), 0);
	write_fd(o.fd, "new\n");
	ck_assert_int_eq(unlink(part), 0);
	ck_assert_int_eq(outfile_commit(&o, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, part) && strstr(err, "rename failed"), "err: %s", err);
	ck_assert_ptr_null(o.path);
	ck_assert_ptr_null(o.tmp);
	ck_assert_int_eq(o.fd, -1);
	assert_file(path, "old\n");
	cleanup_dir();
}
END_TEST

START_TEST(test_jsonl_failed_run_goes_to_partial)
{
	char err[512] = "";
	struct jsonl_sink s;
	cJSON *last;
	setup_dir();
	put_file(path, "{\"kind\":\"trace_start\"}\n");
	ck_assert_int_eq(jsonl_open(&s, path, err, sizeof(err)), 0);
	jsonl_line(&s, "{\"kind\":\"trace_start\"}");
	for (int i = 0; i < 5; i++)
		jsonl_line(&s, "{\"e\":1}");
	ck_assert_int_eq(jsonl_finish(&s, end_fn, NULL, "cut.pcap: truncated", err, sizeof(err)), -1);
	assert_file(path, "{\"kind\":\"trace_start\"}\n");
	ck_assert_int_eq(check_lines(partial, &last), 7);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(last, "complete")));
	ck_assert_str_eq(cJSON_GetObjectItem(last, "error")->valuestring, "cut.pcap: truncated");
	cJSON_Delete(last);
	ck_assert_int_ne(access(part, F_OK), 0);
	cleanup_dir();
}
END_TEST

/* A full disk without root: the file size limit makes write(2) fail with
 * EFBIG, as ENOSPC would, at a byte count that cuts a line. */
START_TEST(test_jsonl_full_disk_keeps_whole_lines)
{
	char err[512] = "", line[120];
	struct jsonl_sink s;
	cJSON *last;
	struct rlimit old, lim = { 65536 + 37, 65536 + 37 };
	setup_dir();
	put_file(path, "{\"kind\":\"trace_start\",\"old\":true}\n");
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_int_eq(jsonl_open(&s, path, err, sizeof(err)), 0);
	jsonl_line(&s, "{\"kind\":\"trace_start\"}");
	for (int i = 0; i < 20000; i++) {		/* about 2 MB: two buffers */
		snprintf(line, sizeof(line), "{\"seq\":%d,\"pad\":\"%080d\"}", i, i);
		jsonl_line(&s, line);
	}
	s.events = 20000;
	ck_assert_int_eq(jsonl_finish(&s, end_fn, NULL, NULL, err, sizeof(err)), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	ck_assert_msg(strstr(err, "write failed") && strstr(err, ".partial"), "err: %s", err);
	assert_file(path, "{\"kind\":\"trace_start\",\"old\":true}\n");
	size_t n;
	free(get_file(partial, &n));
	ck_assert_uint_le(n, 65536 + 37);
	int lines = check_lines(partial, &last);
	ck_assert_int_gt(lines, 400);			/* most of what fitted is kept */
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(last, "complete")));
	ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(last, "error")->valuestring, "write failed"));
	/* events counts the lines kept between trace_start and trace_end */
	ck_assert_int_eq((int)cJSON_GetObjectItem(last, "events")->valuedouble, lines - 2);
	cJSON_Delete(last);
	cleanup_dir();
}
END_TEST

/* The same past the start of the direct blocks (trace/outdisk.h): lines
 * counted as written while their block was still queued are counted again
 * from what reached the disk, so the partial trace ends on a whole line
 * and its events count is right. */
START_TEST(test_jsonl_full_disk_direct_keeps_whole_lines)
{
	char err[512] = "", line[120];
	struct jsonl_sink s;
	cJSON *last;
	struct rlimit old, lim = { OUTDISK_SIZE + 100037, OUTDISK_SIZE + 100037 };
	setup_dir();
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	outdisk_after = 0;
	ck_assert_int_eq(jsonl_open(&s, path, err, sizeof(err)), 0);
	jsonl_line(&s, "{\"kind\":\"trace_start\"}");
	for (int i = 0; i < 60000; i++) {		/* about 6 MB: three blocks */
		snprintf(line, sizeof(line), "{\"seq\":%d,\"pad\":\"%080d\"}", i, i);
		jsonl_line(&s, line);
	}
	s.events = 60000;
	ck_assert_int_eq(jsonl_finish(&s, end_fn, NULL, NULL, err, sizeof(err)), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	outdisk_after = OUTDISK_AFTER;
	ck_assert_msg(strstr(err, "write failed") && strstr(err, ".partial"), "err: %s", err);
	size_t n;
	free(get_file(partial, &n));
	ck_assert_uint_le(n, lim.rlim_cur);
	int lines = check_lines(partial, &last);
	ck_assert_int_gt(lines, 20000);			/* the first block and what fitted of the second */
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(last, "complete")));
	ck_assert_int_eq((int)cJSON_GetObjectItem(last, "events")->valuedouble, lines - 2);
	cJSON_Delete(last);
	cleanup_dir();
}
END_TEST

START_TEST(test_chrome_failed_run_closes_the_array)
{
	char err[512] = "", cpath[160], cpartial[170];
	struct chrome_sink cs;
	setup_dir();
	snprintf(cpath, sizeof(cpath), "%s/c.json", dir);
	snprintf(cpartial, sizeof(cpartial), "%s.partial", cpath);
	ck_assert_int_eq(chrome_open(&cs, cpath, err, sizeof(err)), 0);
	for (int i = 1; i <= 3; i++) {
		struct trace_event ev = { .seq = (uint64_t)i, .ph = 'i', .fn = "ip_rcv", .layer = "ip", .pkt = 1,
					  .skb = 1, .msg = "m\x01\xff" };
		chrome_emit(&cs, &ev);
	}
	ck_assert_int_eq(chrome_finish(&cs, "interrupted", err, sizeof(err)), -1);
	ck_assert_int_ne(access(cpath, F_OK), 0);
	char *b = get_file(cpartial, NULL);
	ck_assert_ptr_nonnull(b);
	cJSON *j = cJSON_Parse(b);
	ck_assert_msg(j != NULL, "not JSON: %s", b);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "traceEvents")), 3);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "complete")));
	cJSON_Delete(j);
	free(b);
	unlink(cpartial);
	cleanup_dir();
}
END_TEST

/* Valid UTF-8 with no raw control byte: what RFC 8259 asks of a string. */
static int valid_json_text(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		if (c < 0x20)
			return 0;
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

START_TEST(test_jw_str_any_bytes_is_valid_json)
{
	struct jw w = { 0 };
	unsigned char in[64];
	srand(26);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand() % 63) + 1;
		for (size_t i = 0; i < n; i++)
			in[i] = round < 255 ? (unsigned char)(round + 1) : (unsigned char)(rand() % 255 + 1);
		if (round < 255)
			n = 1;				/* first every single byte */
		in[n] = 0;
		jw_reset(&w);
		jw_str(&w, (const char *)in, n);
		ck_assert_msg(valid_json_text((unsigned char *)w.buf, w.len), "round %d", round);
		cJSON *j = cJSON_Parse(w.buf);
		ck_assert_msg(cJSON_IsString(j), "round %d: %s", round, w.buf);
		cJSON_Delete(j);
	}
	jw_free(&w);
}
END_TEST

START_TEST(test_meta_start_hostile_scenario)
{
	/* raw control bytes, invalid UTF-8 and a truncated sequence inside the
	 * strings and a key: cJSON's parser lets them all through */
	const char *sc = "{\"interfaces\":[{\"name\":\"e\xff\x01h\x7f\xc3\",\"mac\":\"02:00:00:00:00:01\"}],"
			 "\"k\x02\xfe\":\"tab\there\",\"n\":1.5,\"big\":4294967296,\"neg\":-3}";
	struct jw w = { 0 };
	event_meta_start(&w, "cap\xff\x1b.pcap", sc, "6.x");
	ck_assert_msg(valid_json_text((unsigned char *)w.buf, w.len), "%s", w.buf);
	cJSON *j = cJSON_Parse(w.buf);
	ck_assert_ptr_nonnull(j);
	const cJSON *s = cJSON_GetObjectItem(j, "scenario");
	const cJSON *ifs = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "interfaces"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(ifs, "name")->valuestring, "e\xef\xbf\xbd\x01h\x7f\xef\xbf\xbd");
	ck_assert_str_eq(cJSON_GetObjectItem(s, "k\x02\xef\xbf\xbd")->valuestring, "tab\there");
	ck_assert(cJSON_GetObjectItem(s, "n")->valuedouble == 1.5);
	ck_assert(cJSON_GetObjectItem(s, "big")->valuedouble == 4294967296.0);
	ck_assert_int_eq(cJSON_GetObjectItem(s, "neg")->valueint, -3);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "source")->valuestring, "cap\xef\xbf\xbd\x1b.pcap");
	cJSON_Delete(j);
	jw_free(&w);
}
END_TEST

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The route a reference scan picks: longest prefix, then lowest metric,
 * then the first added (the kernel's fib_alias order). */
struct ref_route { uint32_t dst; int plen, metric; uint32_t gw; };

static const struct ref_route *ref_lookup(const struct ref_route *v, int n, uint32_t daddr)
{
	const struct ref_route *best = NULL;
	for (int i = 0; i < n; i++) {
		uint32_t m = v[i].plen ? htonl(0xffffffffu << (32 - v[i].plen)) : 0;
		if ((daddr & m) != v[i].dst)
			continue;
		if (!best || v[i].plen > best->plen || (v[i].plen == best->plen && v[i].metric < best->metric))
			best = &v[i];
	}
	return best;
}

START_TEST(test_fib_100k_routes_load_fast_and_in_order)
{
	enum { N = 100000 };
	struct ref_route *v = malloc(N * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	srand(7);
	for (int i = 0; i < N; i++) {			/* random order, overlapping prefixes */
		int plen = 8 + rand() % 25;
		uint32_t a = (uint32_t)(100 + rand() % 50) << 24 | (uint32_t)rand() % 0xffffff;
		v[i].plen = plen;
		v[i].dst = htonl(a & (plen ? 0xffffffffu << (32 - plen) : 0));
		v[i].metric = rand() % 4;
		v[i].gw = nj_ip(i % 2 ? "10.0.0.1" : "10.0.0.3");
	}
	struct net *net = nj_net();
	double t0 = now_s();
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(fib_add_route(net, v[i].dst, v[i].plen, v[i].gw, 1, RTN_UNICAST, v[i].metric), 0);
	struct fib_result res;
	fib_lookup(net, nj_ip("8.8.8.8"), 0, &res, NULL);	/* the sort happens here */
	double dt = now_s() - t0;
	fprintf(stderr, "test_outputs: %d routes added and sorted in %.3f s\n", N, dt);
	ck_assert_msg(dt < 10.0, "%d routes took %.1f s", N, dt);
	for (int k = 0; k < 300; k++) {
		uint32_t d = v[rand() % N].dst | htonl((uint32_t)rand() & 0xff);
		const struct ref_route *want = ref_lookup(v, N, d);
		ck_assert_int_eq(fib_lookup(net, d, 0, &res, NULL), 0);
		ck_assert_int_eq(res.r->plen, want->plen);
		ck_assert_int_eq(res.r->metric, want->metric);
		ck_assert_int_eq(res.r->gateway, want->gw);	/* equal routes: the first added */
	}
	nj_net_free(net);
	free(v);
}
END_TEST

START_TEST(test_bpf_compile_bounded)
{
	char err[512] = "", big[BPF_COMPILE_MAX_EXPR + 64];
	struct bpf_prog *a, *b;
	ck_assert_int_eq(bpf_compile_bounded("tcp port 80 or arp", 1, &a, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(bpf_compile_filter("tcp port 80 or arp", 1, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(a->len, b->len);		/* the same program as in-process */
	ck_assert(memcmp(a->insns, b->insns, a->len * sizeof(a->insns[0])) == 0);
	ck_assert_str_eq(a->expr, "tcp port 80 or arp");
	bpf_prog_destroy(a);
	bpf_prog_destroy(b);
	ck_assert_int_eq(bpf_compile_bounded("tcp port", 1, &a, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "syntax error") != NULL, "err: %s", err);	/* libpcap's message */

	size_t k = 0;
	while (k < BPF_COMPILE_MAX_EXPR)
		k += (size_t)snprintf(big + k, sizeof(big) - k, "port %zu or ", k % 60000 + 1);
	snprintf(big + k, sizeof(big) - k, "arp");
	double t0 = now_s();
	ck_assert_int_eq(bpf_compile_bounded(big, 1, &a, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "at most 4096") != NULL, "err: %s", err);
	ck_assert(now_s() - t0 < 1.0);			/* refused before compiling */

	volatile int stop = 1;
	ck_assert_int_eq(bpf_compile_bounded("udp", 1, &a, &stop, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "interrupted while compiling");
}
END_TEST

START_TEST(test_scenario_load_interrupted_and_bounded)
{
	char err[512] = "";
	volatile int stop = 1;
	struct net *net = net_create();
	scenario_set_stop(&stop);			/* as SIGTERM sets replay_cfg.stop */
	ck_assert_int_eq(scenario_load_text(net, scenario_default_json, "s.json", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "s.json: interrupted while loading");
	scenario_set_stop(NULL);
	net_destroy(net);

	/* one socket over the bound: refused before any filter is compiled */
	size_t cap = 64 + (SCENARIO_MAX_PACKET_SOCKS + 1) * 48;
	char *sc = malloc(cap);
	ck_assert_ptr_nonnull(sc);
	size_t k = (size_t)snprintf(sc, cap, "{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\"}],"
				    "\"packet_sockets\":[");
	for (int i = 0; i <= SCENARIO_MAX_PACKET_SOCKS; i++)
		k += (size_t)snprintf(sc + k, cap - k, "%s{\"name\":\"s%d\",\"filter\":\"udp\"}", i ? "," : "", i);
	snprintf(sc + k, cap - k, "]}");
	net = net_create();
	ck_assert_int_eq(scenario_load_text(net, sc, "s.json", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "packet_sockets: 1025 sockets; at most 1024") != NULL, "err: %s", err);
	net_destroy(net);
	free(sc);
}
END_TEST

static Suite *outputs_suite(void)
{
	Suite *s = suite_create("outputs");
	TCase *tc = tcase_create("Core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_outfile_replaces_only_on_success);
	tcase_add_test(tc, test_outfile_second_writer_refused);
	tcase_add_test(tc, test_outfile_device_in_place_and_prev_line);
	tcase_add_test(tc, test_outfile_open_failures_name_the_file);
	tcase_add_test(tc, test_outfile_commit_failure_names_the_file);
	tcase_add_test(tc, test_jsonl_failed_run_goes_to_partial);
	tcase_add_test(tc, test_jsonl_full_disk_keeps_whole_lines);
	tcase_add_test(tc, test_jsonl_full_disk_direct_keeps_whole_lines);
	tcase_add_test(tc, test_chrome_failed_run_closes_the_array);
	tcase_add_test(tc, test_jw_str_any_bytes_is_valid_json);
	tcase_add_test(tc, test_meta_start_hostile_scenario);
	tcase_add_test(tc, test_fib_100k_routes_load_fast_and_in_order);
	tcase_add_test(tc, test_bpf_compile_bounded);
	tcase_add_test(tc, test_scenario_load_interrupted_and_bounded);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(outputs_suite)
