/*
 * huge_memory.c - 2 MiB-aligned anonymous mappings advised for
 * transparent huge pages (see huge_memory.h). Not a kernel file: its
 * name is that of the kernel's THP code, which backs what it maps.
 */
#include "huge_memory.h"

#include <stdint.h>
#include <sys/mman.h>

static size_t huge_round(size_t len) { return (len + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1); }

/* mmap gives 4 KiB alignment: map one huge page more and trim both ends. */
void *huge_map(size_t len)
{
	size_t n = huge_round(len), over = n + HUGE_PAGE_BYTES;
	unsigned char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	unsigned char *a = (unsigned char *)(((uintptr_t)p + HUGE_PAGE_BYTES - 1) & ~(uintptr_t)(HUGE_PAGE_BYTES - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + over > a + n)
		munmap(a + n, (size_t)(p + over - (a + n)));
#ifdef MADV_HUGEPAGE
	madvise(a, n, MADV_HUGEPAGE);
#endif
	return a;
}

void huge_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, huge_round(len));
}

int mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + n) & ~(uintptr_t)4095;
	return e <= a || madvise((void *)a, e - a, MADV_POPULATE_WRITE) == 0 ? 0 : -1;
#else
	(void)p;
	(void)n;
	return -1;
#endif
}
