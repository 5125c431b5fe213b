/*
 * outbuf.c - buffered writes on a writer thread (see outbuf.h). Buffers
 * tail%N is the producer's; head..tail-1 wait for the writer thread.
 */
#include "outbuf.h"

#include "huge_memory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_all(struct outbuf *o, const char *p, size_t n)
{
	/* o->err is atomic: the producer polls it (outbuf_failed) while we run */
	if (!o->err && outdisk_put(&o->disk, p, n) < 0)
		__atomic_store_n(&o->err, o->disk.err, __ATOMIC_RELAXED);
}

void outbuf_put_fd(struct outbuf *o, const char *p, size_t n) { write_all(o, p, n); }

static void consume(struct outbuf *o, const char *p, size_t n)
{
	if (o->consume)
		o->consume(o->ctx, p, n);
	else
		write_all(o, p, n);
}

static void *writer_main(void *arg)
{
	struct outbuf *o = arg;

	for (int i = 0; i < OUTBUF_NBUF; i++)		/* off the producer's path */
		mem_prefault(o->buf[i], OUTBUF_SIZE);
	pthread_mutex_lock(&o->k.mu);
	for (;;) {
		while (o->head == o->tail && !kthread_should_stop(&o->k))
			pthread_cond_wait(&o->k.wake, &o->k.mu);
		if (o->head == o->tail)
			break;
		unsigned i = o->head % OUTBUF_NBUF;
		pthread_mutex_unlock(&o->k.mu);
		consume(o, o->buf[i], o->len[i]);	/* o->err: only this thread writes it while running */
		o->len[i] = 0;
		pthread_mutex_lock(&o->k.mu);
		o->head++;
		pthread_cond_signal(&o->freed);
	}
	pthread_mutex_unlock(&o->k.mu);
	return NULL;
}

int outbuf_open(struct outbuf *o, int fd)
{
	return outbuf_open_consumer(o, fd, NULL, NULL);
}

int outbuf_open_consumer(struct outbuf *o, int fd, outbuf_consume_fn fn, void *ctx)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	outdisk_init(&o->disk, fd);
	o->consume = fn;
	o->ctx = ctx;
	for (int i = 0; i < OUTBUF_NBUF; i++) {
		o->buf[i] = malloc(OUTBUF_SIZE);
		if (!o->buf[i])
			goto fail;
	}
	pthread_cond_init(&o->freed, NULL);
	int e = kthread_run(&o->k, writer_main, o);
	if (e == 0)
		return 0;
	pthread_cond_destroy(&o->freed);
	errno = e;
fail:
	for (int i = 0; i < OUTBUF_NBUF; i++)
		free(o->buf[i]);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!errno)
		errno = ENOMEM;
	return -1;
}

/* Hands the producer's buffer to the writer thread and waits for a free one. */
static void submit(struct outbuf *o)
{
	pthread_mutex_lock(&o->k.mu);
	o->tail++;
	pthread_cond_signal(&o->k.wake);
	while (o->tail - o->head >= OUTBUF_NBUF)
		pthread_cond_wait(&o->freed, &o->k.mu);
	pthread_mutex_unlock(&o->k.mu);
}

static void drain(struct outbuf *o)
{
	if (o->len[o->tail % OUTBUF_NBUF])
		submit(o);
	pthread_mutex_lock(&o->k.mu);
	while (o->head != o->tail)
		pthread_cond_wait(&o->freed, &o->k.mu);
	pthread_mutex_unlock(&o->k.mu);
}

void outbuf_write(struct outbuf *o, const void *p, size_t n)
{
	unsigned i = o->tail % OUTBUF_NBUF;

	if (o->len[i] + n > OUTBUF_SIZE) {
		if (n > OUTBUF_SIZE) {	/* a huge record: in order, on this thread */
			drain(o);
			consume(o, p, n);
			return;
		}
		submit(o);
		i = o->tail % OUTBUF_NBUF;
	}
	memcpy(o->buf[i] + o->len[i], p, n);
	o->len[i] += n;
}

char *outbuf_reserve_slow(struct outbuf *o, size_t n)
{
	if (n > OUTBUF_SIZE)
		return NULL;
	submit(o);
	unsigned i = o->tail % OUTBUF_NBUF;
	return o->buf[i] + o->len[i];
}

int outbuf_flush(struct outbuf *o)
{
	drain(o);
	if (outdisk_finish(&o->disk) < 0 && !o->err)
		o->err = o->disk.err;
	if (o->err) {
		errno = o->err;
		return -1;
	}
	return 0;
}

int outbuf_close(struct outbuf *o)
{
	int r = outbuf_flush(o);
	int e = o->err;

	kthread_stop(&o->k);
	pthread_cond_destroy(&o->freed);
	for (int i = 0; i < OUTBUF_NBUF; i++)
		free(o->buf[i]);
	off_t written = outdisk_written(&o->disk);
	outdisk_close(&o->disk);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->err = e;
	o->disk.written = written;	/* for the caller's clean-up after a failure */
	return r;
}
