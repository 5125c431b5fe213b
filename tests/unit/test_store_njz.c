/*
 * test_store_njz.c - the compact trace form (trace/njz.c) through the
 * store: a JSONL trace exported to .njz and back is the same bytes; every
 * line of every block reads back (in a shuffled order, so the block LRU
 * misses and hits) equal to the JSONL store's; a line longer than the
 * biggest block spans blocks; a live (anonymous) store is compact and
 * reads its open block; a cut or damaged file is refused with a message
 * (or, for a bit zstd does not use, opens with the very same bytes), never
 * a crash and never other data. Eight threads reading random lines of one
 * compact store at once (each decompressing outside the file's mutex) read
 * exactly the JSONL store's lines.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nj_check.h"
#include "njz.h"
#include "store.h"

static char dir[] = "/tmp/nj-test-njz-XXXXXX";
static char jsonl[300], njzf[300], back[300], bad[300];

/* A trace of n events in k packets with args of varying length, so blocks
 * hold different numbers of lines; long_line adds one of that many bytes. */
static void write_trace(const char *path, int n, size_t long_line)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_start\",\"source\":\"test\"}\n", f);
	unsigned rnd = 12345;
	for (int i = 1; i <= n; i++) {
		rnd = rnd * 1103515245u + 12345u;
		int pad = (int)(rnd >> 16) % 300;
		fprintf(f, "{\"v\":1,\"seq\":%d,\"parent\":%d,\"depth\":%d,\"ph\":\"i\",\"fn\":\"ip_rcv\",\"layer\":\"ip\","
			   "\"pkt\":%d,\"skb\":%d,\"ts_ns\":%d,\"args\":{\"i\":%d,\"pad\":\"%0*d\"}}\n",
			i, i > 1 ? i - 1 : 0, i % 5, i / 40 + 1, i / 40 + 1, i * 1000, i, pad, i);
		if (long_line && i == n / 2) {
			i++;
			fprintf(f, "{\"v\":1,\"seq\":%d,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"big\",\"layer\":\"ip\","
				   "\"pkt\":%d,\"skb\":1,\"ts_ns\":1,\"args\":{\"x\":\"", i, i / 40 + 1);
			for (size_t k = 0; k < long_line; k++)
				fputc('a' + (int)(k * 7 % 26), f);
			fputs("\"}}\n", f);
		}
	}
	fputs("{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_end\"}\n", f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	char *b = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void spit(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(jsonl, sizeof(jsonl), "%s/t.jsonl", dir);
	snprintf(njzf, sizeof(njzf), "%s/t.njz", dir);
	snprintf(back, sizeof(back), "%s/back.jsonl", dir);
	snprintf(bad, sizeof(bad), "%s/bad.njz", dir);
}

static void teardown(void)
{
	unlink(jsonl);
	unlink(njzf);
	unlink(back);
	unlink(bad);
	rmdir(dir);
	strcpy(dir, "/tmp/nj-test-njz-XXXXXX");
}

/* Exports jsonl to njzf and back, checks the bytes, returns both stores. */
static void round_trip(struct nj_store **a, struct nj_store **b)
{
	char err[512];
	*a = store_open_jsonl(jsonl, err, sizeof(err));
	ck_assert_msg(*a != NULL, "%s", err);
	ck_assert_int_eq(store_is_compact(*a), 0);
	ck_assert_msg(store_export(*a, njzf, err, sizeof(err)) == 0, "%s", err);
	*b = store_open_jsonl(njzf, err, sizeof(err));
	ck_assert_msg(*b != NULL, "%s", err);
	ck_assert_int_eq(store_is_compact(*b), 1);
	ck_assert_msg(store_export(*b, back, err, sizeof(err)) == 0, "%s", err);
	size_t n1, n2;
	char *x = slurp(jsonl, &n1), *y = slurp(back, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_msg(memcmp(x, y, n1) == 0, "jsonl -> njz -> jsonl changed the bytes");
	free(x);
	free(y);
}

START_TEST(test_njz_round_trip_and_random_access)
{
	struct nj_store *a, *b;
	write_trace(jsonl, 20000, 0);
	round_trip(&a, &b);
	uint64_t file, bytes = store_bytes(b, &file);
	ck_assert_uint_eq(bytes, store_bytes(a, NULL));
	ck_assert_msg(file * 5 < bytes, "compact %llu bytes for %llu of JSONL", (unsigned long long)file,
		      (unsigned long long)bytes);
	ck_assert_msg(bytes > 40 * NJZ_BLOCK, "only %llu bytes: too few blocks to test", (unsigned long long)bytes);
	size_t n = store_nevents(a);
	ck_assert_uint_eq(n, store_nevents(b));
	ck_assert_uint_eq(store_npkts(a), store_npkts(b));
	ck_assert_str_eq(store_meta_end(a), store_meta_end(b));
	/* every line, in a shuffled order: blocks come and go from the LRU */
	size_t *order = malloc(n * sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	unsigned rnd = 99;
	for (size_t i = n - 1; i > 0; i--) {
		rnd = rnd * 1103515245u + 12345u;
		size_t j = (rnd >> 8) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k], la, lb;
		char *x = store_line(a, i, &la), *y = store_line(b, i, &lb);
		ck_assert_ptr_nonnull(x);
		ck_assert_ptr_nonnull(y);
		ck_assert_uint_eq(la, lb);
		ck_assert_msg(!strcmp(x, y), "line %zu differs", i);
		struct store_ev ea, eb;
		ck_assert_int_eq(store_ev_get(a, i, &ea), 0);
		ck_assert_int_eq(store_ev_get(b, i, &eb), 0);
		ck_assert_uint_eq(ea.off, eb.off);
		free(x);
		free(y);
	}
	/* a page of lines next to each other, across block ends */
	char *pa = store_lines_json(a, order, 300), *pb = store_lines_json(b, order, 300);
	size_t run[2000];
	for (size_t i = 0; i < 2000; i++)
		run[i] = 5000 + i;
	char *ra = store_lines_json(a, run, 2000), *rb = store_lines_json(b, run, 2000);
	ck_assert_ptr_nonnull(pb);
	ck_assert_ptr_nonnull(rb);
	ck_assert_str_eq(pa, pb);
	ck_assert_str_eq(ra, rb);
	free(pa);
	free(pb);
	free(ra);
	free(rb);
	free(order);
	store_free(a);
	store_free(b);
}
END_TEST

struct reader {
	struct nj_store *a, *b;
	unsigned seed;
	int bad;
};

/* Random lines of b (compact) against a (JSONL), on a thread of its own. */
static void *read_random(void *arg)
{
	struct reader *r = arg;
	size_t n = store_nevents(r->a);
	for (int k = 0; k < 3000 && !r->bad; k++) {
		r->seed = r->seed * 1103515245u + 12345u;
		size_t i = (r->seed >> 4) % n, la, lb;
		char *x = store_line(r->a, i, &la), *y = store_line(r->b, i, &lb);
		r->bad = !x || !y || la != lb || strcmp(x, y);
		free(x);
		free(y);
	}
	return NULL;
}

START_TEST(test_njz_concurrent_readers)
{
	struct nj_store *a, *b;
	write_trace(jsonl, 20000, 0);
	round_trip(&a, &b);
	pthread_t th[8];
	struct reader r[8];
	for (int k = 0; k < 8; k++) {
		r[k] = (struct reader){ .a = a, .b = b, .seed = 7u + (unsigned)k * 101u };
		ck_assert_int_eq(pthread_create(&th[k], NULL, read_random, &r[k]), 0);
	}
	for (int k = 0; k < 8; k++) {
		pthread_join(th[k], NULL);
		ck_assert_msg(!r[k].bad, "reader %d read a line that differs", k);
	}
	store_free(a);
	store_free(b);
}
END_TEST

/* A line longer than the largest block is cut across blocks and still
 * reads back whole. */
START_TEST(test_njz_line_longer_than_a_block)
{
	struct nj_store *a, *b;
	write_trace(jsonl, 200, (16u << 20) + 1000);
	round_trip(&a, &b);
	size_t n = store_nevents(a);
	for (size_t i = 0; i < n; i++) {
		size_t la, lb;
		char *x = store_line(a, i, &la), *y = store_line(b, i, &lb);
		ck_assert_ptr_nonnull(y);
		ck_assert_uint_eq(la, lb);
		ck_assert_msg(!memcmp(x, y, la), "line %zu differs", i);
		free(x);
		free(y);
	}
	store_free(a);
	store_free(b);
}
END_TEST

/* A store being written (serve, step, lessons) is compact and reads both
 * its finished blocks and the open one. */
START_TEST(test_njz_live_store)
{
	char err[256], line[400];
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_is_compact(s), 1);
	for (int i = 0; i < 3000; i++) {
		snprintf(line, sizeof(line), "{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_start\",\"n\":%d,\"pad\":\"%0*d\"}", i,
			 i % 200, 0);
		store_add_meta(s, line);
		if (i % 500 == 0)
			ck_assert_str_eq(store_meta_start(s), line);
	}
	uint64_t file, bytes = store_bytes(s, &file);
	ck_assert_uint_gt(bytes, 4 * NJZ_BLOCK);
	ck_assert_uint_lt(file, bytes / 4);
	/* the whole stream comes back: finished blocks plus the open one */
	ck_assert_int_eq(store_export(s, back, err, sizeof(err)), 0);
	size_t n;
	char *b = slurp(back, &n);
	ck_assert_uint_eq(n, bytes);
	ck_assert_ptr_nonnull(strstr(b + n - 300, line));
	free(b);
	store_free(s);
}
END_TEST

/* Opening b: refused with a message naming the file, or (same_ok, a bit
 * the compressed form does not use) opened with exactly the original
 * bytes; never different data. */
static int refused_or_same(const char *b, size_t n, const char *what, int same_ok)
{
	char err[512] = "";
	spit(bad, b, n);
	struct nj_store *s = store_open_jsonl(bad, err, sizeof(err));
	if (s && same_ok) {
		size_t n1, n2;
		ck_assert_int_eq(store_export(s, back, err, sizeof(err)), 0);
		store_free(s);
		char *x = slurp(jsonl, &n1), *y = slurp(back, &n2);
		ck_assert_msg(n1 == n2 && !memcmp(x, y, n1), "%s: opened with other data", what);
		free(x);
		free(y);
		return 0;
	}
	ck_assert_msg(s == NULL, "%s: opened", what);
	ck_assert_msg(strstr(err, bad) != NULL, "%s: message does not name the file: \"%s\"", what, err);
	return 1;
}

static void refused(const char *b, size_t n, const char *what)
{
	refused_or_same(b, n, what, 0);
}

/* Cut anywhere, or a byte changed anywhere: refused, with the file named. */
START_TEST(test_njz_damaged_refused)
{
	struct nj_store *a, *b;
	write_trace(jsonl, 3000, 0);
	round_trip(&a, &b);
	store_free(a);
	store_free(b);
	size_t n;
	char *z = slurp(njzf, &n);
	for (size_t cut = 8; cut < n; cut += cut < 64 || cut > n - 64 ? 1 : 997)
		refused(z, cut, "cut short");
	char *c = malloc(n + 10);
	unsigned rnd = 5;
	int nref = 0;
	for (int k = 0; k < 300; k++) {
		memcpy(c, z, n);
		rnd = rnd * 1103515245u + 12345u;
		size_t at = k < 40 ? (size_t)k : k < 64 ? n - 1 - (size_t)(k - 40) : (rnd >> 4) % n;
		c[at] ^= (char)(1 + (rnd >> 24) % 255);
		char what[64];
		snprintf(what, sizeof(what), "byte %zu of %zu changed", at, n);
		nref += refused_or_same(c, n, what, 1);
	}
	ck_assert_msg(nref > 280, "only %d of 300 damaged files refused", nref);
	memcpy(c, z, n);
	memcpy(c + n, "junkjunk\n", 9);
	refused(c, n + 9, "bytes after the end");
	free(c);
	free(z);
}
END_TEST

/* The index keeps seq, parent, pkt and skb in 32 bits (48 bytes an event):
 * a line whose numbers do not fit is refused, not wrapped. */
START_TEST(test_store_ev_32bit_fields)
{
	static const char *const lines[] = {
		"{\"v\":1,\"seq\":4294967296,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"f\",\"layer\":\"ip\",\"pkt\":1,\"skb\":1,\"ts_ns\":1}\n",
		"{\"v\":1,\"seq\":1,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"f\",\"layer\":\"ip\",\"pkt\":2147483648,\"skb\":1,\"ts_ns\":1}\n",
		"{\"v\":1,\"seq\":1,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"f\",\"layer\":\"ip\",\"pkt\":1,\"skb\":9999999999,\"ts_ns\":1}\n",
	};
	char err[512];
	ck_assert_uint_eq(sizeof(struct store_ev), 48);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		spit(jsonl, lines[i], strlen(lines[i]));
		struct nj_store *s = store_open_jsonl(jsonl, err, sizeof(err));
		ck_assert_msg(s == NULL, "line %zu opened", i);
		ck_assert_ptr_nonnull(strstr(err, "line 1"));
	}
	const char ok[] = "{\"v\":1,\"seq\":4294967295,\"parent\":4294967294,\"depth\":0,\"ph\":\"i\",\"fn\":\"f\","
			  "\"layer\":\"ip\",\"pkt\":2147483647,\"skb\":-1,\"ts_ns\":1}\n";
	spit(jsonl, ok, strlen(ok));
	struct nj_store *s = store_open_jsonl(jsonl, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	struct store_ev e;
	ck_assert_int_eq(store_ev_get(s, 0, &e), 0);
	ck_assert_uint_eq(e.seq, 4294967295u);
	ck_assert_uint_eq(e.parent, 4294967294u);
	ck_assert_int_eq(e.pkt, 2147483647);
	ck_assert_int_eq(e.skb, -1);
	store_free(s);
}
END_TEST

static Suite *store_njz_suite(void)
{
	Suite *s = suite_create("store_njz");
	TCase *tc = tcase_create("njz");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_njz_round_trip_and_random_access);
	tcase_add_test(tc, test_njz_line_longer_than_a_block);
	tcase_add_test(tc, test_njz_concurrent_readers);
	tcase_add_test(tc, test_njz_live_store);
	tcase_add_test(tc, test_njz_damaged_refused);
	tcase_add_test(tc, test_store_ev_32bit_fields);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(store_njz_suite)
