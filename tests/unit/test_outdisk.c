/*
 * test_outdisk.c - the O_DIRECT stage of big output files (trace/outdisk.c):
 * the bytes on disk are the bytes given, whatever the chunk sizes, across
 * the switch from plain writes to direct blocks and back; a write that
 * fails midway (the file size limit, as a full disk) leaves exactly the
 * bytes before it, and outdisk_written says how many. Bytes written
 * straight into a block (outdisk_window/commit), running past its end,
 * land in order among the copied ones.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdisk.h"

static char path[128];

static void setup(void)
{
	snprintf(path, sizeof(path), "build/test_outdisk.%d", (int)getpid());
	unlink(path);
}

static void teardown(void) { unlink(path); }

static int direct_works(void);

/* A pseudo-random byte stream: byte i of the file is pattern(i). */
static unsigned char pattern(size_t i) { return (unsigned char)((i * 2654435761u) >> 13); }

static void fill(char *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)pattern(off + i);
}

/* Whether the file holds exactly n bytes of the pattern. */
static int file_is_pattern(size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t i = 0;
	int c, ok = 1;
	while ((c = getc(f)) != EOF && ok)
		ok = i < n && (unsigned char)c == pattern(i++);
	fclose(f);
	return ok && i == n;
}

/* Whether the filesystem under build/ takes O_DIRECT at all. */
static int direct_works(void)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd < 0)
		return 0;
	close(fd);
	unlink(path);
	return 1;
}

/* Writes total bytes in chunks of 1..max bytes; returns outdisk_put's last result. */
static int put_chunks(struct outdisk *d, size_t *off, size_t total, size_t max, unsigned seed)
{
	static char buf[1 << 20];
	int r = 0;
	srand(seed);
	while (*off < total && r == 0) {
		size_t n = 1 + (size_t)rand() % max;
		if (n > total - *off)
			n = total - *off;
		fill(buf, *off, n);
		r = outdisk_put(d, buf, n);
		*off += n;
	}
	return r;
}

START_TEST(test_direct_blocks_hold_the_bytes)
{
	if (!direct_works()) {
		printf("test_outdisk: the filesystem of build/ refuses O_DIRECT: only the plain path is checked\n");
		return;
	}
	struct outdisk d;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	outdisk_after = 5000;			/* unaligned: plain up to 8192, then blocks */
	outdisk_init(&d, fd);
	size_t off = 0, total = 3 * OUTDISK_SIZE + 12345;
	ck_assert_int_eq(put_chunks(&d, &off, 6000, 700, 1), 0);
	ck_assert_int_eq(put_chunks(&d, &off, total, 300000, 2), 0);
	ck_assert_int_eq(d.state, 1);		/* staging: blocks went direct */
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_DIRECT, 0);
	ck_assert_int_eq(outdisk_finish(&d), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_DIRECT, 0);
	ck_assert_int_eq((long long)outdisk_written(&d), (long long)total);
	/* plain again after finish, at the end of the file */
	ck_assert_int_eq(put_chunks(&d, &off, total + 777, 100, 3), 0);
	ck_assert_int_eq(outdisk_close(&d), 0);
	close(fd);
	ck_assert(file_is_pattern(total + 777));
	outdisk_after = OUTDISK_AFTER;
}
END_TEST

START_TEST(test_small_files_stay_plain)
{
	struct outdisk d;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	outdisk_init(&d, fd);
	size_t off = 0;
	ck_assert_int_eq(put_chunks(&d, &off, 3 << 20, 65536, 4), 0);
	ck_assert_int_eq(d.state, 0);		/* under OUTDISK_AFTER: plain write(2) */
	ck_assert_int_eq((long long)lseek(fd, 0, SEEK_CUR), 3 << 20);
	ck_assert_int_eq(outdisk_close(&d), 0);
	close(fd);
	ck_assert(file_is_pattern(3 << 20));
}
END_TEST

/* The size limit inside the second block: the first block and the part
 * of the second that fits are on disk, nothing after, and the error is
 * the one write(2) gives. */
START_TEST(test_failed_block_keeps_what_fitted)
{
	struct rlimit old, lim = { OUTDISK_SIZE + 100000, OUTDISK_SIZE + 100000 };
	struct outdisk d;
	signal(SIGXFSZ, SIG_IGN);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	getrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	outdisk_after = 0;
	outdisk_init(&d, fd);
	size_t off = 0;
	int r = put_chunks(&d, &off, 4 * OUTDISK_SIZE, 100000, 5);
	int f = outdisk_finish(&d);
	setrlimit(RLIMIT_FSIZE, &old);
	outdisk_after = OUTDISK_AFTER;
	ck_assert(r < 0 || f < 0);
	ck_assert_int_eq(d.err, EFBIG);
	ck_assert_int_eq((long long)outdisk_written(&d), (long long)lim.rlim_cur);
	ck_assert_int_lt(outdisk_put(&d, "x", 1), 0);	/* failed for good */
	outdisk_close(&d);
	close(fd);
	ck_assert(file_is_pattern(lim.rlim_cur));
}
END_TEST

/* Window writes of up to the whole room (past OUTDISK_SIZE: the overrun
 * starts the next block), between copied puts. */
START_TEST(test_window_writes_in_order)
{
	if (!direct_works()) {
		printf("test_outdisk: the filesystem of build/ refuses O_DIRECT: no windows to check\n");
		return;
	}
	struct outdisk d;
	size_t room, off = 0, total = 7 * OUTDISK_SIZE + 4321;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	outdisk_after = 10000;
	outdisk_init(&d, fd);
	ck_assert_ptr_null(outdisk_window(&d, &room));	/* plain: no window */
	ck_assert_int_eq(put_chunks(&d, &off, 20000, 5000, 6), 0);
	srand(7);
	for (int i = 0; off < total; i++) {
		char *w = outdisk_window(&d, &room);
		ck_assert_ptr_nonnull(w);
		ck_assert_uint_gt(room, OUTDISK_SLACK);
		ck_assert_uint_eq((uintptr_t)(w + room - OUTDISK_SIZE - OUTDISK_SLACK) % 4096, 0);	/* the block is aligned */
		size_t n = i % 3 == 2 ? room : 1 + (size_t)rand() % room;	/* every third fills it */
		if (n > total - off)
			n = total - off;
		fill(w, off, n);
		ck_assert_int_eq(outdisk_commit(&d, n), 0);
		off += n;
		if (i % 4 == 1 && off < total)
			ck_assert_int_eq(put_chunks(&d, &off, off + 70000 < total ? off + 70000 : total, 9000, 8), 0);
	}
	ck_assert_int_eq(outdisk_close(&d), 0);
	close(fd);
	outdisk_after = OUTDISK_AFTER;
	ck_assert(file_is_pattern(total));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("outdisk");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_direct_blocks_hold_the_bytes);
	tcase_add_test(tc, test_small_files_stay_plain);
	tcase_add_test(tc, test_failed_block_keeps_what_fitted);
	tcase_add_test(tc, test_window_writes_in_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
