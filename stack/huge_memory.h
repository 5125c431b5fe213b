/*
 * huge_memory.h - anonymous memory in whole 2 MiB pieces, so transparent
 * huge pages (mm/huge_memory.c, enabled "madvise" on Debian) can back it.
 *
 * Two users: the skb slabs, where a huge page saves the replay's thread a
 * TLB miss per skb, and the trace's O_DIRECT blocks, where one physically
 * contiguous 2 MiB page lets the block layer send a block as a few large
 * requests instead of 512 page-sized segments (a 1.28 GB trace reached
 * the disk in 0.40 s instead of 0.70 s on this project's VM).
 */
#ifndef NJ_STACK_HUGE_MEMORY_H
#define NJ_STACK_HUGE_MEMORY_H

#include <stddef.h>

#define HUGE_PAGE_BYTES	((size_t)2 << 20)

/* huge_map - len bytes (rounded up to 2 MiB), 2 MiB aligned, zeroed,
 * advised for huge pages (advice only: 4 KiB pages work too); NULL when
 * there is no memory. */
void *huge_map(size_t len);
/* huge_unmap - gives back what huge_map(len) returned (NULL is fine). */
void huge_unmap(void *p, size_t len);
/* mem_prefault - faults in the whole pages inside p[0..n) on the calling
 * thread (MADV_POPULATE_WRITE), so the first writes to fresh memory do not
 * stop the thread that makes them: on this project's VM a page's first
 * touch costs microseconds, a huge page's up to milliseconds. Changes no
 * byte, so it is safe while another thread writes there. Returns 0, or -1
 * where the kernel lacks the advice (then nothing was done). */
int mem_prefault(void *p, size_t n);

#endif
