/*
 * test_pcap_blocks.c - the block reader of plain pcap files
 * (replay/source_pcap_blocks.c) gives what libpcap gives: the same
 * headers and bytes frame by frame, and at the end the same result (the
 * end, a truncated record, an invalid length) and error text, on every
 * capture in pcaps/ and ../shared/pcaps and on damaged copies of one:
 * cut short, trailing garbage, a record over the snapshot length, a
 * small snapshot length, another byte order.
 */
#include <dirent.h>
#include <unistd.h>

#include "nj_check.h"
#include "source_pcap.h"

static char dir[] = "/tmp/nj-pcap-blocks-XXXXXX";

/* A digest of every frame libpcap reads, and how it ended. */
struct digest {
	uint64_t h;
	long frames;
	int end;	/* 0 the end, -1 an error, -2 the tail (source_pcap's codes) */
	char err[512];
};

static void mix(uint64_t *h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ ((const uint8_t *)p)[i]) * 1099511628211ull;
}

static void frame_mix(struct digest *d, const struct pcap_pkthdr *h, const uint8_t *data)
{
	int64_t t[2] = { (int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec };
	mix(&d->h, t, sizeof(t));
	mix(&d->h, &h->caplen, 4);
	mix(&d->h, &h->len, 4);
	mix(&d->h, data, h->caplen);
	d->frames++;
}

/* libpcap alone, as source_pcap read before the block reader. */
static struct digest by_libpcap(const char *path)
{
	struct digest d = { .h = 1469598103934665603ull };
	char e[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	int r;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, e);
	ck_assert_msg(p != NULL, "%s: %s", path, e);
	while ((r = pcap_next_ex(p, &h, &data)) == 1)
		frame_mix(&d, h, data);
	d.end = r == PCAP_ERROR_BREAK ? 0 : -1;
	if (r != PCAP_ERROR_BREAK)
		snprintf(d.err, sizeof(d.err), "%s", pcap_geterr(p));
	pcap_close(p);
	return d;
}

/* source_pcap, blocks first; *used says whether it read in blocks;
 * nocopy: the bytes handed out in place (the read-ahead's mode). */
static struct digest by_source(const char *path, int *used, int nocopy)
{
	struct digest d = { .h = 1469598103934665603ull };
	struct pcap_source s;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	char e[512];
	int r;
	ck_assert_msg(source_pcap_open(&s, path, e, sizeof(e)) == 0, "%s", e);
	*used = s.blk != NULL;
	if (s.blk)
		s.blk->nocopy = nocopy;
	while ((r = source_pcap_next(&s, &h, &data, e, sizeof(e))) == 1)
		frame_mix(&d, h, data);
	d.end = r == 0 ? 0 : -1;
	if (r != 0 && s.p)
		snprintf(d.err, sizeof(d.err), "%s", pcap_geterr(s.p));
	source_pcap_close(&s);
	return d;
}

static int same(const char *path)
{
	int used;
	struct digest a = by_libpcap(path);
	for (int nocopy = 0; nocopy <= 1; nocopy++) {
		struct digest b = by_source(path, &used, nocopy);
		ck_assert_msg(a.frames == b.frames, "%s: %ld frames by libpcap, %ld by source_pcap (nocopy %d)", path,
			      a.frames, b.frames, nocopy);
		ck_assert_msg(a.h == b.h, "%s: frames differ (nocopy %d)", path, nocopy);
		ck_assert_msg(a.end == b.end && !strcmp(a.err, b.err),
			      "%s: libpcap ended %d \"%s\", source_pcap %d \"%s\" (nocopy %d)", path, a.end, a.err,
			      b.end, b.err, nocopy);
	}
	return used;
}

static int is_pcap(const char *path)
{
	uint8_t m[4] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(m, 1, 4, f) : 0;
	if (f)
		fclose(f);
	return n == 4 && ((m[0] == 0xd4 && m[1] == 0xc3) || (m[0] == 0x4d && m[1] == 0x3c) ||
			  (m[0] == 0xa1 && m[1] == 0xb2));
}

START_TEST(every_capture_reads_the_same)
{
	const char *dirs[] = { "pcaps", "../../pcaps", "../shared/pcaps", "/work/shared/pcaps" };
	int files = 0, blocks = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		char path[512];
		while (d && (de = readdir(d))) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], de->d_name);
			if (de->d_name[0] == '.' || !is_pcap(path))
				continue;
			blocks += same(path);
			files++;
		}
		if (d)
			closedir(d);
	}
	ck_assert_int_gt(files, 10);
	ck_assert_int_gt(blocks, 5);	/* the block reader was used, not only libpcap */
}
END_TEST

/* A 3-record capture, its bytes written as given. */
static void put(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

static size_t sample(uint8_t *b, uint32_t magic, uint32_t snaplen, int swap)
{
	uint32_t fh[6] = { magic, 2 | 4u << 16, 0, 0, snaplen, 1 };
	size_t n = 0;
	uint32_t sw[6];
	for (int i = 0; i < 6; i++)
		sw[i] = swap ? __builtin_bswap32(fh[i]) : fh[i];
	if (swap)	/* the version's two 16-bit halves swap in place */
		sw[1] = (uint32_t)__builtin_bswap16(2) | (uint32_t)__builtin_bswap16(4) << 16;
	memcpy(b, sw, 24);
	n = 24;
	for (uint32_t r = 0; r < 3; r++) {
		uint32_t caplen = 60 + 7 * r, rh[4] = { 1700000000u + r, 999999u - r, caplen, caplen + r };
		for (int i = 0; i < 4; i++)
			rh[i] = swap ? __builtin_bswap32(rh[i]) : rh[i];
		memcpy(b + n, rh, 16);
		n += 16;
		for (uint32_t i = 0; i < caplen; i++)
			b[n++] = (uint8_t)(i * 31 + r);
	}
	return n;
}

START_TEST(damaged_and_unusual_files_read_the_same)
{
	static uint8_t b[4096];
	char path[128];
	size_t n;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.pcap", dir);

	n = sample(b, 0xa1b2c3d4u, 65535, 0);
	put(path, b, n);
	ck_assert_int_eq(same(path), 1);	/* plain: blocks */
	for (size_t cut = n - 1; cut > 24; cut -= 13) {	/* cut anywhere: a record's header or data */
		put(path, b, cut);
		same(path);
	}
	memcpy(b + n, "trailing garbage", 16);	/* a record header of nonsense */
	put(path, b, n + 16);
	same(path);
	put(path, b, n + 5);
	same(path);

	n = sample(b, 0xa1b23c4du, 65535, 0);	/* nanoseconds */
	put(path, b, n);
	ck_assert_int_eq(same(path), 1);
	n = sample(b, 0xa1b2c3d4u, 64, 0);	/* records over the snapshot length: libpcap cuts them */
	put(path, b, n);
	same(path);
	n = sample(b, 0xa1b2c3d4u, 65535, 0);
	uint32_t huge = 300000;			/* over libpcap's maximum */
	memcpy(b + 24 + 16 + 60 + 8, &huge, 4);
	put(path, b, n);
	same(path);
	n = sample(b, 0xa1b2c3d4u, 65535, 1);	/* the other byte order: libpcap's */
	put(path, b, n);
	ck_assert_int_eq(same(path), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* n records of sizes that vary (60 to 1559 bytes), so that some cross
 * the edges of the reader's 8 MiB windows. Returns the file's size. */
static long many(const char *path, int n)
{
	FILE *f = fopen(path, "wb");
	static uint8_t rec[16 + 1600];
	uint32_t fh[6] = { 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, 65535, 1 };
	ck_assert_ptr_nonnull(f);
	fwrite(fh, 4, 6, f);
	for (int r = 0; r < n; r++) {
		uint32_t caplen = 60 + (uint32_t)(r * 977) % 1500, rh[4] = { 1700000000u + (uint32_t)r, 5, caplen, caplen };
		memcpy(rec, rh, 16);
		for (uint32_t i = 0; i < caplen; i++)
			rec[16 + i] = (uint8_t)(i + (uint32_t)r);
		ck_assert_uint_eq(fwrite(rec, 1, 16 + caplen, f), 16 + caplen);
	}
	long size = ftell(f);
	fclose(f);
	return size;
}

START_TEST(a_file_larger_than_a_window_reads_the_same)
{
	char path[128], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/big.pcap", d);
	ck_assert_int_gt(many(path, 22000), 2 * (8 << 20));	/* three windows */
	ck_assert_int_eq(same(path), 1);
	unlink(path);
	rmdir(d);
}
END_TEST

/* Two readers of one file, one ahead of the other (the replay and its
 * read-ahead), share its windows: each reads what libpcap reads. */
START_TEST(two_readers_of_one_file_read_the_same)
{
	char path[128], e[512], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	struct pcap_source s[2];
	struct digest g[2] = { { .h = 1469598103934665603ull }, { .h = 1469598103934665603ull } };
	struct pcap_pkthdr *h;
	const uint8_t *data;
	int more[2] = { 1, 1 };
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/two.pcap", d);
	many(path, 22000);
	struct digest want = by_libpcap(path);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(source_pcap_open(&s[i], path, e, sizeof(e)) == 0, "%s", e);
		ck_assert_ptr_nonnull(s[i].blk);
	}
	s[1].blk->nocopy = 1;
	for (int k = 0; k < 3000 && source_pcap_next(&s[1], &h, &data, e, sizeof(e)) == 1; k++)
		frame_mix(&g[1], h, data);	/* the read-ahead goes first */
	while (more[0] || more[1])
		for (int i = 0; i < 2; i++)
			if (more[i] && (more[i] = source_pcap_next(&s[i], &h, &data, e, sizeof(e)) == 1))
				frame_mix(&g[i], h, data);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(g[i].frames, want.frames);
		ck_assert_msg(g[i].h == want.h, "reader %d: frames differ", i);
		source_pcap_close(&s[i]);
	}
	unlink(path);
	rmdir(d);
}
END_TEST

/* A keeping reader (the read-ahead) leaves its windows mapped, within
 * 32 MiB, and the reader behind takes them instead of mapping them again;
 * what it does not take goes when it closes. Each reads what libpcap
 * reads. records: 22000 (17 MiB, all kept) or 50000 (39 MiB, not). */
static void keep_for_behind(int records, int behind_reads_all)
{
	char path[128], e[512], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	struct pcap_source a, b;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	struct digest ga = { .h = 1469598103934665603ull }, gb = { .h = 1469598103934665603ull };
	size_t kept;
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/keep.pcap", d);
	long size = many(path, records);
	struct digest want = by_libpcap(path);
	ck_assert_msg(source_pcap_open(&a, path, e, sizeof(e)) == 0, "%s", e);
	ck_assert_msg(source_pcap_open(&b, path, e, sizeof(e)) == 0, "%s", e);
	a.blk->nocopy = a.blk->keep = 1;
	while (source_pcap_next(&a, &h, &data, e, sizeof(e)) == 1)
		frame_mix(&ga, h, data);
	source_pcap_close(&a);
	unsigned long before = pcap_blocks_windows(&kept);
	ck_assert_uint_le(kept, 32u << 20);
	ck_assert_uint_ge(kept, size < (32L << 20) ? (size_t)size : (size_t)28 << 20);
	while ((behind_reads_all || gb.frames < 1000) && source_pcap_next(&b, &h, &data, e, sizeof(e)) == 1)
		frame_mix(&gb, h, data);
	unsigned long mapped = pcap_blocks_windows(&kept) - before;
	if (size < (32L << 20))	/* every window was there to take */
		ck_assert_uint_eq(mapped, 0);
	else			/* the rest (7 MiB and a little: 2 or 3 windows) */
		ck_assert_uint_le(mapped, 3);
	source_pcap_close(&b);
	pcap_blocks_windows(&kept);
	ck_assert_uint_eq(kept, 0);
	ck_assert_int_eq(ga.frames, want.frames);
	ck_assert(ga.h == want.h);
	if (behind_reads_all) {
		ck_assert_int_eq(gb.frames, want.frames);
		ck_assert(gb.h == want.h);
	}
	unlink(path);
	rmdir(d);
}

START_TEST(a_reader_ahead_keeps_its_windows_for_the_one_behind)
{
	keep_for_behind(22000, 1);
	keep_for_behind(50000, 1);
	keep_for_behind(22000, 0);	/* the one behind stops early: nothing stays kept */
}
END_TEST

/* The file cut short while its pages are mapped (they would raise SIGBUS):
 * the reader says so and stops, in both modes. */
START_TEST(a_file_that_shrinks_while_read_is_an_error)
{
	char path[128], e[512], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/shrink.pcap", d);
	for (int nocopy = 0; nocopy <= 1; nocopy++) {
		struct pcap_source s;
		struct pcap_pkthdr *h;
		const uint8_t *data;
		int r, n = 0;
		many(path, 400);	/* about 300 KiB */
		ck_assert_msg(source_pcap_open(&s, path, e, sizeof(e)) == 0, "%s", e);
		ck_assert_ptr_nonnull(s.blk);
		s.blk->nocopy = nocopy;
		while (n < 10 && source_pcap_next(&s, &h, &data, e, sizeof(e)) == 1)
			n++;
		ck_assert_int_eq(truncate(path, 100000), 0);	/* mid-page, mid-record */
		while ((r = source_pcap_next(&s, &h, &data, e, sizeof(e))) == 1)
			n++;
		ck_assert_int_eq(r, -1);
		ck_assert_msg(strstr(e, "shrank") != NULL, "%s", e);
		ck_assert_int_lt(n, 400);
		ck_assert_int_eq(s.blk->shrunk, 1);
		source_pcap_close(&s);
	}
	unlink(path);
	rmdir(d);
}
END_TEST

/* The same when the file is cut short past the window the reader is in,
 * within or before the one its helper maps ahead: the reader reads up to
 * the cut, says so and stops; closing it mid-window waits for the helper. */
START_TEST(a_file_that_shrinks_ahead_of_the_reader_is_an_error)
{
	char path[128], e[512], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	const long cuts[] = { 12L << 20, 2L << 20, 1L << 20 };
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/shrink2.pcap", d);
	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct pcap_source s;
		struct pcap_pkthdr *h;
		const uint8_t *data;
		int r, n = 0;
		ck_assert_int_gt(many(path, 22000), 2 * (8 << 20));
		ck_assert_msg(source_pcap_open(&s, path, e, sizeof(e)) == 0, "%s", e);
		ck_assert_ptr_nonnull(s.blk);
		while (!(s.blk->maps >= 2 && s.blk->helping) && source_pcap_next(&s, &h, &data, e, sizeof(e)) == 1)
			n++;
		ck_assert_int_eq(s.blk->maps, 2);	/* in the second window; the third is being mapped */
		ck_assert_int_eq(truncate(path, cuts[c]), 0);
		while ((r = source_pcap_next(&s, &h, &data, e, sizeof(e))) == 1)
			n++;
		ck_assert_int_eq(r, -1);
		ck_assert_msg(strstr(e, "shrank") != NULL, "%s", e);
		ck_assert_int_lt(n, 22000);
		source_pcap_close(&s);
	}
	/* closed while its helper may still be mapping */
	for (int k = 0; k < 20; k++) {
		struct pcap_source s;
		struct pcap_pkthdr *h;
		const uint8_t *data;
		many(path, 22000);
		ck_assert_msg(source_pcap_open(&s, path, e, sizeof(e)) == 0, "%s", e);
		while (!s.blk->helping && source_pcap_next(&s, &h, &data, e, sizeof(e)) == 1)
			;
		ck_assert_int_eq(s.blk->helping, 1);
		source_pcap_close(&s);
	}
	unlink(path);
	rmdir(d);
}
END_TEST

/* Records added after open are read too (by libpcap, past the size the
 * reader mapped). */
START_TEST(a_file_that_grows_while_read_is_read_to_its_end)
{
	char path[128], e[512], d[] = "/tmp/nj-pcap-blocks-XXXXXX";
	struct pcap_source s;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	static uint8_t b[4096];
	int n = 0;
	ck_assert_ptr_nonnull(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/grow.pcap", d);
	size_t len = sample(b, 0xa1b2c3d4u, 65535, 0);
	put(path, b, len);
	ck_assert_msg(source_pcap_open(&s, path, e, sizeof(e)) == 0, "%s", e);
	ck_assert_int_eq(source_pcap_next(&s, &h, &data, e, sizeof(e)), 1);
	FILE *f = fopen(path, "ab");
	ck_assert_ptr_nonnull(f);
	fwrite(b + 24, 1, len - 24, f);	/* the three records again */
	fclose(f);
	while (source_pcap_next(&s, &h, &data, e, sizeof(e)) == 1)
		n++;
	ck_assert_int_eq(n, 5);
	source_pcap_close(&s);
	unlink(path);
	rmdir(d);
}
END_TEST

static Suite *blocks_suite(void)
{
	Suite *s = suite_create("pcap_blocks");
	TCase *tc = tcase_create("pcap_blocks");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_capture_reads_the_same);
	tcase_add_test(tc, damaged_and_unusual_files_read_the_same);
	tcase_add_test(tc, a_file_larger_than_a_window_reads_the_same);
	tcase_add_test(tc, two_readers_of_one_file_read_the_same);
	tcase_add_test(tc, a_reader_ahead_keeps_its_windows_for_the_one_behind);
	tcase_add_test(tc, a_file_that_shrinks_while_read_is_an_error);
	tcase_add_test(tc, a_file_that_shrinks_ahead_of_the_reader_is_an_error);
	tcase_add_test(tc, a_file_that_grows_while_read_is_read_to_its_end);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(blocks_suite)
