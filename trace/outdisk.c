/*
 * outdisk.c - O_DIRECT output from aligned blocks on a thread of their own
 * (see outdisk.h). Not a kernel file.
 */
#include "outdisk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "huge_memory.h"

enum { OUTDISK_PLAIN, OUTDISK_STAGING, OUTDISK_DONE };

off_t outdisk_after = OUTDISK_AFTER;

static void set_err(struct outdisk *d, int e)
{
	if (!__atomic_load_n(&d->err, __ATOMIC_RELAXED))
		__atomic_store_n(&d->err, e ? e : EIO, __ATOMIC_RELAXED);
}

static int failed(const struct outdisk *d) { return __atomic_load_n(&d->err, __ATOMIC_RELAXED) != 0; }

static int set_direct(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT);
}

/* n bytes at offset at, however many calls it takes; 0 or -1 (errno). */
static int pwrite_all(int fd, const char *p, size_t n, off_t at, size_t *done)
{
	*done = 0;
	while (n) {
		ssize_t k = pwrite(fd, p, n, at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		at += k;
		*done += (size_t)k;
	}
	return 0;
}

/* One block, in order. A direct write that fails is tried once more
 * through the page cache from where it stopped: only an error that write
 * would also have is reported. */
static void write_block(struct outdisk *d, const char *p, off_t at)
{
	size_t done = 0, more = 0;
	if (pwrite_all(d->fd, p, OUTDISK_SIZE, at, &done) == 0) {
		d->written = at + OUTDISK_SIZE;
		return;
	}
	set_direct(d->fd, 0);
	int r = pwrite_all(d->fd, p + done, OUTDISK_SIZE - done, at + (off_t)done, &more);
	int e = errno;
	d->written = at + (off_t)(done + more);
	if (r < 0)
		set_err(d, e);
	else if (set_direct(d->fd, 1) < 0)
		set_err(d, errno);	/* cannot happen: it was direct a block ago */
}

static void *disk_main(void *arg)
{
	struct outdisk *d = arg;
	for (int i = 0; i < OUTDISK_NBUF; i++)		/* before the writer reaches them */
		mem_prefault(d->buf[i], OUTDISK_SIZE + OUTDISK_SLACK);
	pthread_mutex_lock(&d->k.mu);
	for (;;) {
		while (d->head == d->tail && !kthread_should_stop(&d->k))
			pthread_cond_wait(&d->k.wake, &d->k.mu);
		if (d->head == d->tail)
			break;
		unsigned i = d->head % OUTDISK_NBUF;
		pthread_mutex_unlock(&d->k.mu);
		if (!failed(d))
			write_block(d, d->buf[i], d->at[i]);
		pthread_mutex_lock(&d->k.mu);
		d->head++;
		pthread_cond_signal(&d->freed);
	}
	pthread_mutex_unlock(&d->k.mu);
	return NULL;
}

void outdisk_init(struct outdisk *d, int fd)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	d->state = OUTDISK_PLAIN;
}

/* Each block starts on a huge page: the disk's DMA then takes a block
 * as one contiguous piece (huge_memory.h). */
#define OUTDISK_MAP	(OUTDISK_SIZE + OUTDISK_SLACK)

static void free_blocks(struct outdisk *d)
{
	for (int i = 0; i < OUTDISK_NBUF; i++) {
		huge_unmap(d->buf[i], OUTDISK_MAP);
		d->buf[i] = NULL;
	}
}

/* Blocks, O_DIRECT and the thread; DONE (plain for good) if any fails. */
static void start_staging(struct outdisk *d)
{
	struct stat st;
	d->state = OUTDISK_DONE;
	if (fstat(d->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	for (int i = 0; i < OUTDISK_NBUF; i++)
		if (!(d->buf[i] = huge_map(OUTDISK_MAP)))
			goto fail;
	if (set_direct(d->fd, 1) < 0)
		goto fail;
	pthread_cond_init(&d->freed, NULL);
	if (kthread_run(&d->k, disk_main, d) == 0) {
		d->state = OUTDISK_STAGING;
		return;
	}
	pthread_cond_destroy(&d->freed);
	set_direct(d->fd, 0);
fail:
	free_blocks(d);
}

static int plain_put(struct outdisk *d, const char *p, size_t n)
{
	while (n && !failed(d)) {
		ssize_t k = write(d->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			set_err(d, k < 0 ? errno : EIO);
			break;
		}
		p += k;
		n -= (size_t)k;
		d->pos += k;
		d->written = d->pos;
	}
	return failed(d) ? -1 : 0;
}

/* Queues the full block and waits for a free one; bytes past
 * OUTDISK_SIZE (a window's overrun) start the next block. */
static void submit(struct outdisk *d)
{
	size_t over = d->fill - OUTDISK_SIZE;
	char *full = d->buf[d->tail % OUTDISK_NBUF];
	pthread_mutex_lock(&d->k.mu);
	d->at[d->tail % OUTDISK_NBUF] = d->pos - (off_t)d->fill;
	d->tail++;
	pthread_cond_signal(&d->k.wake);
	while (d->tail - d->head >= OUTDISK_NBUF)
		pthread_cond_wait(&d->freed, &d->k.mu);
	pthread_mutex_unlock(&d->k.mu);
	if (over)		/* the queued block is only read until it is freed */
		memcpy(d->buf[d->tail % OUTDISK_NBUF], full + OUTDISK_SIZE, over);
	d->fill = over;
}

char *outdisk_window(struct outdisk *d, size_t *room)
{
	if (d->state != OUTDISK_STAGING || failed(d))
		return NULL;
	*room = OUTDISK_SIZE + OUTDISK_SLACK - d->fill;
	return d->buf[d->tail % OUTDISK_NBUF] + d->fill;
}

int outdisk_commit(struct outdisk *d, size_t n)
{
	d->fill += n;
	d->pos += (off_t)n;
	if (d->fill >= OUTDISK_SIZE)
		submit(d);
	return failed(d) ? -1 : 0;
}

int outdisk_put(struct outdisk *d, const char *p, size_t n)
{
	if (d->state == OUTDISK_PLAIN && d->pos + (off_t)n > outdisk_after) {
		/* plain up to an aligned offset past the threshold, then blocks */
		off_t from = d->pos > outdisk_after ? d->pos : outdisk_after;
		size_t k = (size_t)(((from + 4095) & ~(off_t)4095) - d->pos);
		if (k > n)
			k = n;
		if (plain_put(d, p, k) < 0)
			return -1;
		p += k;
		n -= k;
		if (n)
			start_staging(d);
	}
	if (d->state != OUTDISK_STAGING)
		return plain_put(d, p, n);
	while (n && !failed(d)) {
		size_t k = OUTDISK_SIZE - d->fill < n ? OUTDISK_SIZE - d->fill : n;
		memcpy(d->buf[d->tail % OUTDISK_NBUF] + d->fill, p, k);
		d->fill += k;
		d->pos += (off_t)k;
		p += k;
		n -= k;
		if (d->fill == OUTDISK_SIZE)
			submit(d);
	}
	return failed(d) ? -1 : 0;
}

static void stop_thread(struct outdisk *d)
{
	kthread_stop(&d->k);
	pthread_cond_destroy(&d->freed);
}

int outdisk_finish(struct outdisk *d)
{
	if (d->state == OUTDISK_STAGING) {
		stop_thread(d);		/* after every queued block */
		set_direct(d->fd, 0);
		if (!failed(d) && d->fill) {
			size_t done = 0;
			off_t at = d->pos - (off_t)d->fill;
			int r = pwrite_all(d->fd, d->buf[d->tail % OUTDISK_NBUF], d->fill, at, &done);
			int e = errno;
			d->written = at + (off_t)done;
			if (r < 0)
				set_err(d, e);
		}
		lseek(d->fd, d->written, SEEK_SET);
		free_blocks(d);
		d->fill = 0;
		d->pos = d->written;
		d->state = OUTDISK_DONE;
	}
	return failed(d) ? -1 : 0;
}

int outdisk_close(struct outdisk *d)
{
	int r = outdisk_finish(d);
	d->fd = -1;
	return r;
}
