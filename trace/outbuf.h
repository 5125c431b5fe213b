/*
 * outbuf.h - a buffered file writer whose write(2) calls run on their own
 * thread, so a traced replay formats the next events while the kernel
 * copies the previous megabytes into the page cache (issue 11: on two
 * cores the disk copy was a third of a traced replay).
 *
 * One producer thread calls outbuf_write/outbuf_flush/outbuf_close; the
 * bytes reach the descriptor in the order they were given. A write error
 * is remembered (later bytes are discarded) and reported by flush/close.
 */
#ifndef NJ_TRACE_OUTBUF_H
#define NJ_TRACE_OUTBUF_H

#include <pthread.h>
#include <stddef.h>

#include "kthread.h"
#include "outdisk.h"

#define OUTBUF_NBUF 4
#define OUTBUF_SIZE (1u << 20)

/* What the writer thread does with a filled buffer: by default write it
 * to fd; a consumer may instead turn it into other bytes (the JSONL sink
 * formats event records there) and hand those to outbuf_put_fd. */
typedef void (*outbuf_consume_fn)(void *ctx, const char *p, size_t n);

struct outbuf {
	int fd;
	outbuf_consume_fn consume;	/* NULL: write the bytes as they are */
	void *ctx;
	int err;			/* errno of the first failed write, or 0 */
	char *buf[OUTBUF_NBUF];
	size_t len[OUTBUF_NBUF];
	unsigned head;			/* next buffer the writer thread takes */
	unsigned tail;			/* the buffer the producer fills */
	struct kthread k;		/* the writer thread; k.wake: a buffer queued */
	pthread_cond_t freed;		/* a buffer written */
	struct outdisk disk;		/* where the bytes go: fd, O_DIRECT past a size */
};

/* outbuf_open - starts the writer thread on fd (not owned: the caller
 * closes it). Returns 0, or -1 with errno set. */
int outbuf_open(struct outbuf *o, int fd);
/* outbuf_open_consumer - as outbuf_open, with fn called on every filled
 * buffer (on the writer thread, or on the caller's once the queue is
 * empty). A record given in one outbuf_write/commit is never split. */
int outbuf_open_consumer(struct outbuf *o, int fd, outbuf_consume_fn fn, void *ctx);
/* outbuf_put_fd - for a consumer: writes n bytes to the fd now,
 * remembering the first error. */
void outbuf_put_fd(struct outbuf *o, const char *p, size_t n);

/* outbuf_reserve / outbuf_commit - room for n bytes in the current buffer
 * (NULL when n is over OUTBUF_SIZE: use outbuf_write), then how many of
 * them were filled. No copy through a temporary. */
char *outbuf_reserve_slow(struct outbuf *o, size_t n);
/* inline: called once per event of a traced replay; a full buffer (or
 * n over OUTBUF_SIZE) takes the call */
static inline char *outbuf_reserve(struct outbuf *o, size_t n)
{
	unsigned i = o->tail % OUTBUF_NBUF;
	if (o->len[i] + n > OUTBUF_SIZE)
		return outbuf_reserve_slow(o, n);
	return o->buf[i] + o->len[i];
}
static inline void outbuf_commit(struct outbuf *o, size_t n) { o->len[o->tail % OUTBUF_NBUF] += n; }

/* outbuf_write - appends n bytes; blocks only while every buffer waits
 * for the disk. */
void outbuf_write(struct outbuf *o, const void *p, size_t n);

/* outbuf_flush - returns once every byte given so far was written:
 * 0, or -1 with the first write error in o->err. The file is written
 * plainly from then on (see outdisk.h). */
int outbuf_flush(struct outbuf *o);

/* outbuf_written - bytes from the start of the file known to be on disk
 * (after a flush or close: every byte written, up to a failed write). */
static inline off_t outbuf_written(const struct outbuf *o) { return outdisk_written(&o->disk); }

/* outbuf_failed - the first write error so far (0 none), readable by the
 * producer while the writer thread runs: a replay stops early on it. */
static inline int outbuf_failed(const struct outbuf *o) { return __atomic_load_n(&o->err, __ATOMIC_RELAXED); }

/* outbuf_close - flushes, stops the thread, frees the buffers. Returns as
 * outbuf_flush. */
int outbuf_close(struct outbuf *o);

#endif
