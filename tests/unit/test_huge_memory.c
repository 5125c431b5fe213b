/*
 * test_huge_memory.c - stack/huge_memory.c: mappings start on a 2 MiB
 * boundary, are zeroed and writable to their last byte, whatever length
 * is asked; mem_prefault changes no byte (of a buffer another thread could
 * be writing) and takes any pointer and length, page-aligned or not.
 */
#include <stdint.h>

#include "huge_memory.h"
#include "nj_check.h"

START_TEST(test_huge_map_aligned_zeroed)
{
	const size_t lens[] = { 1, 4096, HUGE_PAGE_BYTES - 1, HUGE_PAGE_BYTES, HUGE_PAGE_BYTES + 1, 3 * HUGE_PAGE_BYTES / 2 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n = lens[k];
		unsigned char *p = huge_map(n);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % HUGE_PAGE_BYTES, 0);
		for (size_t i = 0; i < n; i += 4093)
			ck_assert_uint_eq(p[i], 0);
		ck_assert_uint_eq(p[n - 1], 0);
		memset(p, 0xa5, n);	/* every byte asked for is writable */
		ck_assert_uint_eq(p[n - 1], 0xa5);
		huge_unmap(p, n);
	}
	huge_unmap(NULL, 1);	/* as free(NULL) */
}
END_TEST

START_TEST(test_mem_prefault_keeps_bytes)
{
	size_t n = HUGE_PAGE_BYTES + 12345;
	unsigned char *p = huge_map(n);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	/* unaligned starts and ends, a span inside one page, an empty one */
	mem_prefault(p + 1, n - 2);
	mem_prefault(p + 100, 200);
	mem_prefault(p, 0);
	ck_assert_int_eq(mem_prefault(p, n), mem_prefault(p + 4096, 4096));	/* one answer per kernel */
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + 3))
			ck_abort_msg("byte %zu changed", i);
	huge_unmap(p, n);

	unsigned char *q = huge_map(HUGE_PAGE_BYTES);	/* fresh memory reads zero after it */
	ck_assert_ptr_nonnull(q);
	mem_prefault(q, HUGE_PAGE_BYTES);
	for (size_t i = 0; i < HUGE_PAGE_BYTES; i += 512)
		ck_assert_uint_eq(q[i], 0);
	huge_unmap(q, HUGE_PAGE_BYTES);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("huge_memory");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_huge_map_aligned_zeroed);
	tcase_add_test(tc, test_mem_prefault_keeps_bytes);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(suite)
