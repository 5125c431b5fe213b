/*
 * outdisk.h - the last stage of a big output file: its bytes go to the
 * disk with O_DIRECT, from aligned buffers, on a thread of their own.
 *
 * A traced replay writes a gigabyte of JSON lines. Through the page cache
 * the kernel allocates, zeroes and copies every page of it: about a third
 * of the writer thread's CPU, and on a VM whose host reclaims free memory
 * a cost that varied fivefold from run to run. O_DIRECT skips the page
 * cache: the disk reads our own buffers, which stay the same memory.
 *
 * The first OUTDISK_AFTER bytes are written as before (plain write(2)),
 * so small files behave exactly as they always did. Past that, the bytes
 * are copied into aligned blocks, and a thread writes each whole block,
 * in order. outdisk_finish writes the last partial block without
 * O_DIRECT, and the descriptor is plain again afterwards. A filesystem that
 * refuses O_DIRECT keeps the plain path. A failed direct write is retried
 * once without O_DIRECT at the same offset, so a full disk fails as a
 * plain write fails; outdisk_written then says how many bytes from the
 * start are on disk.
 */
#ifndef NJ_TRACE_OUTDISK_H
#define NJ_TRACE_OUTDISK_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "kthread.h"

#define OUTDISK_NBUF	4
#define OUTDISK_SIZE	(2u << 20)	/* a block, a multiple of any O_DIRECT alignment */
#define OUTDISK_SLACK	(1u << 20)	/* a block's room past OUTDISK_SIZE (outdisk_window) */
#define OUTDISK_AFTER	((off_t)64 << 20)

struct outdisk {
	int fd;
	int err;			/* errno of the first failed write, or 0 */
	int state;			/* OUTDISK_PLAIN, _STAGING (direct) or _DONE */
	off_t pos;			/* file offset of the next byte given */
	off_t written;			/* bytes from the start known to be on disk */
	char *buf[OUTDISK_NBUF];
	off_t at[OUTDISK_NBUF];		/* each queued block's file offset */
	size_t fill;			/* bytes in buf[tail % N] */
	unsigned head, tail;		/* head..tail-1 queued for the thread */
	struct kthread k;		/* the disk thread; k.wake: a block queued */
	pthread_cond_t freed;		/* a block written */
};

/* Where the direct blocks start: OUTDISK_AFTER; tests lower it. */
extern off_t outdisk_after;

/* outdisk_init - fd, plain for now; never fails (without memory or a
 * thread it simply stays plain). */
void outdisk_init(struct outdisk *d, int fd);
/* outdisk_put - appends n bytes: 0, or -1 once a write failed (d->err). */
int outdisk_put(struct outdisk *d, const char *p, size_t n);
/* outdisk_window / outdisk_commit - zero copy: while the blocks are in
 * use, the caller may write its next bytes straight into the current
 * block: outdisk_window gives where, and room for more than OUTDISK_SLACK
 * bytes (NULL when the file is plain: use outdisk_put); outdisk_commit
 * then says how many were written. The block goes to the disk once it
 * holds OUTDISK_SIZE bytes; what ran past that moves to the next one. */
char *outdisk_window(struct outdisk *d, size_t *room);
int outdisk_commit(struct outdisk *d, size_t n);
/* outdisk_finish - every byte given is on disk (or d->err says why not),
 * the descriptor is plain and its offset at the end; later puts are plain
 * writes. Returns 0 or -1. */
int outdisk_finish(struct outdisk *d);
/* outdisk_written - bytes from the start of the file known to be written
 * (after outdisk_finish: all that were, up to a failed write). */
static inline off_t outdisk_written(const struct outdisk *d) { return d->written; }
/* outdisk_close - finishes, stops the thread, frees the blocks. */
int outdisk_close(struct outdisk *d);

#endif
