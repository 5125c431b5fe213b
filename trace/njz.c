/*
 * njz.c - the compact trace file (see njz.h, docs/trace-format.md). The
 * block table is not stored: opening reads every block anyway (the store
 * builds its index from the lines), so the table is rebuilt then, and a
 * file cut short is found by its missing end record.
 */
#include "njz.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define NJZ_LEVEL	1		/* zstd -1: ~9.5x on a trace, fast enough to trace at speed */
#define NJZ_MAX_BLOCK	(16u << 20)	/* a longer unbroken line is cut anyway */
#define NJZ_CACHE	16		/* decompressed blocks kept per file (1 MiB) */
#define NJZ_DCTX	8		/* decompression contexts kept for readers */
#define NJZ_HDR		16		/* magic, version, flags (0 in version 1) */

struct njz_blk {
	uint64_t foff, uoff;		/* compressed data in the file; first logical byte */
	uint32_t csize, usize;
};

struct njz_cached {
	size_t blk;			/* SIZE_MAX = empty */
	uint64_t used;			/* LRU stamp */
	char *buf;
};

struct njz {
	pthread_mutex_t mu;
	int fd;
	uint64_t fend;			/* file bytes written or read */
	uint64_t uend;			/* logical bytes in blocks */
	struct njz_blk *b;
	size_t nb, bcap;
	char *open;			/* writer: the block being filled */
	size_t open_len, open_cap;
	ZSTD_CCtx *cc;
	ZSTD_DCtx *dc;			/* the opening scan's */
	ZSTD_DCtx *dcs[NJZ_DCTX];	/* readers': taken and given back under mu */
	int ndcs;
	struct njz_cached cache[NJZ_CACHE];
	uint64_t clock;
};

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1: all n bytes read; 0: the file ends before; -1: an error. */
static int pread_all(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 1;
}

int njz_is_name(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return n > 4 && !strcmp(path + n - 4, ".njz");
}

int njz_sniff(int fd)
{
	char m[8];
	return pread_all(fd, m, 8, 0) == 1 && !memcmp(m, NJZ_MAGIC, 8);
}

static struct njz *njz_new(int fd)
{
	struct njz *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	pthread_mutex_init(&z->mu, NULL);
	z->fd = fd;
	for (int i = 0; i < NJZ_CACHE; i++)
		z->cache[i].blk = SIZE_MAX;
	return z;
}

static int add_blk(struct njz *z, uint64_t foff, uint32_t csize, uint32_t usize)
{
	if (z->nb == z->bcap) {
		size_t c = z->bcap ? z->bcap * 2 : 256;
		struct njz_blk *n = realloc(z->b, c * sizeof(*n));
		if (!n)
			return -1;
		z->b = n;
		z->bcap = c;
	}
	z->b[z->nb++] = (struct njz_blk){ foff, z->uend, csize, usize };
	z->uend += usize;
	return 0;
}

struct njz *njz_create(int fd, char *err, size_t errlen)
{
	struct njz *z = njz_new(fd);
	unsigned char h[NJZ_HDR];
	if (!z || !(z->cc = ZSTD_createCCtx())) {
		snprintf(err, errlen, "out of memory");
		njz_free(z);
		return NULL;
	}
	ZSTD_CCtx_setParameter(z->cc, ZSTD_c_compressionLevel, NJZ_LEVEL);
	ZSTD_CCtx_setParameter(z->cc, ZSTD_c_checksumFlag, 1);
	memcpy(h, NJZ_MAGIC, 8);
	put32(h + 8, NJZ_VERSION);
	put32(h + 12, 0);
	if (write_all(fd, h, sizeof(h)) < 0) {
		snprintf(err, errlen, "write failed: %s", strerror(errno));
		njz_free(z);
		return NULL;
	}
	z->fend = NJZ_HDR;
	return z;
}

/* Compresses open[0..n-1] into one block and keeps the rest open. */
static int flush_block(struct njz *z, size_t n)
{
	size_t bound = ZSTD_compressBound(n);
	unsigned char *c = malloc(8 + bound);
	if (!c)
		return errno = ENOMEM, -1;
	size_t cs = ZSTD_compress2(z->cc, c + 8, bound, z->open, n);
	if (ZSTD_isError(cs)) {
		free(c);
		return errno = EIO, -1;
	}
	put32(c, (uint32_t)n);
	put32(c + 4, (uint32_t)cs);
	int r = write_all(z->fd, c, 8 + cs);
	free(c);
	if (r < 0 || add_blk(z, z->fend + 8, (uint32_t)cs, (uint32_t)n) < 0)
		return -1;
	z->fend += 8 + cs;
	memmove(z->open, z->open + n, z->open_len - n);
	z->open_len -= n;
	return 0;
}

/* Where the open block is cut: after the first newline at or past
 * NJZ_BLOCK bytes (0: not yet). */
static size_t cut_point(const struct njz *z)
{
	if (z->open_len < NJZ_BLOCK)
		return 0;
	const char *nl = memchr(z->open + NJZ_BLOCK - 1, '\n', z->open_len - (NJZ_BLOCK - 1));
	if (nl)
		return (size_t)(nl - z->open) + 1;
	return z->open_len >= NJZ_MAX_BLOCK ? NJZ_MAX_BLOCK : 0;
}

int njz_append(struct njz *z, const char *p, size_t n)
{
	int r = 0;
	pthread_mutex_lock(&z->mu);
	if (z->open_len + n > z->open_cap) {
		size_t c = z->open_cap ? z->open_cap : 2 * NJZ_BLOCK;
		while (c < z->open_len + n)
			c *= 2;
		char *o = realloc(z->open, c);
		if (!o) {
			pthread_mutex_unlock(&z->mu);
			return errno = ENOMEM, -1;
		}
		z->open = o;
		z->open_cap = c;
	}
	memcpy(z->open + z->open_len, p, n);
	z->open_len += n;
	for (size_t cut; r == 0 && (cut = cut_point(z)) != 0;)
		r = flush_block(z, cut);
	pthread_mutex_unlock(&z->mu);
	return r;
}

int njz_finish(struct njz *z)
{
	unsigned char e[24] = { 0 };
	int r = 0;
	pthread_mutex_lock(&z->mu);
	if (z->open_len)
		r = flush_block(z, z->open_len);
	put64(e + 8, z->uend);
	put64(e + 16, z->nb);
	if (r == 0 && (r = write_all(z->fd, e, sizeof(e))) == 0)
		z->fend += sizeof(e);
	pthread_mutex_unlock(&z->mu);
	return r;
}

/* Decompresses block b of fd into out (b->usize bytes) with dc; NULL or an
 * error text. Touches nothing of the njz: readers call it without its mutex. */
static const char *inflate_at(int fd, const struct njz_blk *b, ZSTD_DCtx *dc, char *out)
{
	char *c = malloc(b->csize ? b->csize : 1);
	if (!c)
		return "out of memory";
	int r = pread_all(fd, c, b->csize, b->foff);
	if (r <= 0) {
		free(c);
		return r < 0 ? strerror(errno) : "the file ends inside it (cut short?)";
	}
	size_t n = ZSTD_decompressDCtx(dc, out, b->usize, c, b->csize);
	free(c);
	if (ZSTD_isError(n))
		return ZSTD_getErrorName(n);
	return n == b->usize ? NULL : "its size does not match its header";
}

/* Decompresses block k into out with the scan's context (mu held). */
static const char *inflate_blk(struct njz *z, size_t k, char *out)
{
	return inflate_at(z->fd, &z->b[k], z->dc, out);
}

static struct njz_cached *cache_find(struct njz *z, size_t k)
{
	for (int i = 0; i < NJZ_CACHE; i++)
		if (z->cache[i].blk == k)
			return &z->cache[i];
	return NULL;
}

/* Copies m bytes at at of block k into buf (mu held). A block not in the
 * LRU is decompressed with mu released, so readers on other threads
 * decompress at the same time instead of queueing on one context. */
static int block_copy(struct njz *z, size_t k, uint64_t at, size_t m, char *buf)
{
	struct njz_cached *c = cache_find(z, k);
	if (c) {
		c->used = ++z->clock;
		memcpy(buf, c->buf + at, m);
		return 0;
	}
	struct njz_blk b = z->b[k];	/* a copy: a writer may move the table */
	ZSTD_DCtx *dc = z->ndcs ? z->dcs[--z->ndcs] : NULL;
	pthread_mutex_unlock(&z->mu);
	char *out = malloc(b.usize ? b.usize : 1);
	if (!dc)
		dc = ZSTD_createDCtx();
	const char *e = out && dc ? inflate_at(z->fd, &b, dc, out) : "out of memory";
	pthread_mutex_lock(&z->mu);
	if (z->ndcs < NJZ_DCTX)
		z->dcs[z->ndcs++] = dc;
	else
		ZSTD_freeDCtx(dc);
	if (e) {
		free(out);
		return -1;
	}
	memcpy(buf, out + at, m);
	if (cache_find(z, k)) {		/* another reader brought it meanwhile */
		free(out);
		return 0;
	}
	struct njz_cached *victim = &z->cache[0];
	for (int i = 1; i < NJZ_CACHE; i++)
		if (z->cache[i].used < victim->used)
			victim = &z->cache[i];
	free(victim->buf);
	victim->buf = out;
	victim->blk = k;
	victim->used = ++z->clock;
	return 0;
}

/* Block k decompressed, from the LRU or read now; NULL on failure. */
static const char *block(struct njz *z, size_t k)
{
	struct njz_cached *victim = &z->cache[0];
	for (int i = 0; i < NJZ_CACHE; i++) {
		struct njz_cached *c = &z->cache[i];
		if (c->blk == k) {
			c->used = ++z->clock;
			return c->buf;
		}
		if (c->used < victim->used)
			victim = c;
	}
	char *buf = realloc(victim->buf, z->b[k].usize ? z->b[k].usize : 1);
	if (!buf)
		return NULL;
	victim->buf = buf;
	victim->blk = SIZE_MAX;
	if (!z->dc && !(z->dc = ZSTD_createDCtx()))
		return NULL;
	if (inflate_blk(z, k, buf))
		return NULL;
	victim->blk = k;
	victim->used = ++z->clock;
	return buf;
}

/* The block holding logical offset off (off < uend). */
static size_t find_blk(const struct njz *z, uint64_t off)
{
	size_t lo = 0, hi = z->nb;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->b[mid].uoff <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int njz_pread(struct njz *z, char *buf, size_t n, uint64_t off)
{
	int r = 0;
	pthread_mutex_lock(&z->mu);
	while (n && r == 0) {
		if (off >= z->uend) {		/* the writer's open block */
			uint64_t at = off - z->uend;
			if (at + n > z->open_len) {
				r = -1;
				break;
			}
			memcpy(buf, z->open + at, n);
			break;
		}
		size_t k = find_blk(z, off);
		uint64_t at = off - z->b[k].uoff;
		size_t m = z->b[k].usize - at < n ? (size_t)(z->b[k].usize - at) : n;
		if (block_copy(z, k, at, m, buf) < 0) {
			r = -1;
			break;
		}
		buf += m;
		n -= m;
		off += m;
	}
	pthread_mutex_unlock(&z->mu);
	return r;
}

uint64_t njz_size(struct njz *z)
{
	pthread_mutex_lock(&z->mu);
	uint64_t n = z->uend + z->open_len;
	pthread_mutex_unlock(&z->mu);
	return n;
}

uint64_t njz_file_size(struct njz *z)
{
	pthread_mutex_lock(&z->mu);
	uint64_t n = z->fend;
	pthread_mutex_unlock(&z->mu);
	return n;
}

/* The end record at z->fend (its 8 zero bytes already read): totals that
 * match, and nothing after it. */
static int check_end(struct njz *z, char *err, size_t errlen, const char *name)
{
	unsigned char e[16];
	struct stat st;
	if (pread_all(z->fd, e, sizeof(e), z->fend + 8) != 1) {
		snprintf(err, errlen, "%s: cut short in the end record", name);
		return -1;
	}
	if (get64(e) != z->uend || get64(e + 8) != z->nb) {
		snprintf(err, errlen, "%s: corrupt: the end record counts %llu bytes in %llu blocks, the file has %llu in %zu",
			 name, (unsigned long long)get64(e), (unsigned long long)get64(e + 8),
			 (unsigned long long)z->uend, z->nb);
		return -1;
	}
	z->fend += 24;
	if (fstat(z->fd, &st) == 0 && (uint64_t)st.st_size != z->fend) {
		snprintf(err, errlen, "%s: corrupt: %llu bytes after the end record", name,
			 (unsigned long long)st.st_size - z->fend);
		return -1;
	}
	return 0;
}

/* Reads the header and checks it; 0 or -1 with err. */
static int check_header(struct njz *z, char *err, size_t errlen, const char *name)
{
	unsigned char h[NJZ_HDR];
	if (pread_all(z->fd, h, sizeof(h), 0) != 1 || memcmp(h, NJZ_MAGIC, 8)) {
		snprintf(err, errlen, "%s: not an njz trace (no %s header)", name, NJZ_MAGIC);
		return -1;
	}
	if (get32(h + 8) != NJZ_VERSION || get32(h + 12)) {
		snprintf(err, errlen, "%s: njz version %u flags %#x, this netjourney reads version %d flags 0", name,
			 get32(h + 8), get32(h + 12), NJZ_VERSION);
		return -1;
	}
	z->fend = NJZ_HDR;
	return 0;
}

/* Reads block by block until the end record; 0 or -1 with err. */
static int scan(struct njz *z, const char *name, njz_block_fn fn, void *ctx, char *err, size_t errlen)
{
	for (;;) {
		unsigned char h[8];
		int r = pread_all(z->fd, h, sizeof(h), z->fend);
		if (r <= 0) {
			snprintf(err, errlen, "%s: %s after block %zu (no end record: was the writer interrupted?)",
				 name, r < 0 ? strerror(errno) : "cut short", z->nb);
			return -1;
		}
		uint32_t us = get32(h), cs = get32(h + 4);
		if (!us && !cs)
			return check_end(z, err, errlen, name);
		if (!us || us > NJZ_MAX_BLOCK || cs > ZSTD_compressBound(us)) {
			snprintf(err, errlen, "%s: corrupt: block %zu claims %u bytes in %u", name, z->nb, us, cs);
			return -1;
		}
		if (add_blk(z, z->fend + 8, cs, us) < 0) {
			snprintf(err, errlen, "%s: out of memory", name);
			return -1;
		}
		z->fend += 8 + (uint64_t)cs;
		const char *b = block(z, z->nb - 1);
		if (!b) {
			char *out = malloc(us);
			const char *why = out ? inflate_blk(z, z->nb - 1, out) : "out of memory";
			snprintf(err, errlen, "%s: block %zu is unreadable: %s", name, z->nb - 1, why ? why : "?");
			free(out);
			return -1;
		}
		if (fn && fn(ctx, b, us, z->b[z->nb - 1].uoff))
			return -1;		/* fn said why in its ctx */
	}
}

struct njz *njz_open(int fd, const char *name, njz_block_fn fn, void *ctx, char *err, size_t errlen)
{
	struct njz *z = njz_new(fd);
	if (!z) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	if (check_header(z, err, errlen, name) < 0 || scan(z, name, fn, ctx, err, errlen) < 0) {
		njz_free(z);
		return NULL;
	}
	return z;
}

void njz_free(struct njz *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cc);
	ZSTD_freeDCtx(z->dc);
	for (int i = 0; i < z->ndcs; i++)
		ZSTD_freeDCtx(z->dcs[i]);
	for (int i = 0; i < NJZ_CACHE; i++)
		free(z->cache[i].buf);
	free(z->b);
	free(z->open);
	pthread_mutex_destroy(&z->mu);
	free(z);
}
