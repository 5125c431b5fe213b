/*
 * pcapng_writer.c - see pcapng_writer.h. Block layouts follow the pcapng
 * specification (draft-ietf-opsawg-pcapng): SHB, IDB, EPB, all in host
 * byte order as the byte-order magic announces. Timestamps in µs (the
 * default if_tsresol).
 */
#include "pcapng_writer.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static void put32(struct pcapng_writer *w, uint32_t v)
{
	if (fwrite(&v, 4, 1, w->f) != 1)
		w->err = 1;
}

static void put16(struct pcapng_writer *w, uint16_t v)
{
	if (fwrite(&v, 2, 1, w->f) != 1)
		w->err = 1;
}

static void put_padded(struct pcapng_writer *w, const void *p, uint32_t n)
{
	static const uint8_t zero[4];
	if (n && fwrite(p, 1, n, w->f) != n)
		w->err = 1;
	if (n % 4 && fwrite(zero, 1, 4 - n % 4, w->f) != 4 - n % 4)
		w->err = 1;
}

static uint32_t pad4(uint32_t n) { return (n + 3) & ~3u; }

static void write_shb(struct pcapng_writer *w)
{
	put32(w, 0x0A0D0D0A);
	put32(w, 28);
	put32(w, 0x1A2B3C4D);		/* byte-order magic */
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffff);		/* section length unknown */
	put32(w, 0xffffffff);
	put32(w, 28);
}

/* One interface block per device, of its link type: a tun device's
 * packets have no link-layer header (LINKTYPE_RAW). */
static void write_idb(struct pcapng_writer *w, const struct net_device *dev)
{
	const char *name = dev->name;
	uint32_t nlen = (uint32_t)strlen(name);
	uint32_t len = 20 + 4 + pad4(nlen) + 4;	/* header + if_name option + opt_endofopt */
	put32(w, 1);
	put32(w, len);
	put16(w, dev_has_header(dev) ? 1 : 101);	/* LINKTYPE_ETHERNET, LINKTYPE_RAW */
	put16(w, 0);
	put32(w, 262144);		/* snaplen */
	put16(w, 2);			/* if_name */
	put16(w, (uint16_t)nlen);
	put_padded(w, name, nlen);
	put32(w, 0);			/* opt_endofopt */
	put32(w, len);
}

int pcapng_open(struct pcapng_writer *w, const char *path, const struct net *net, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (outfile_open(&w->of, path, err, errlen) < 0)
		return -1;
	int fd = dup(w->of.fd);		/* stdio's own: the outfile keeps the lock */
	w->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!w->f) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		outfile_discard(&w->of);
		return -1;
	}
	write_shb(w);
	for (int i = 0; i < net->ndevs; i++)
		write_idb(w, &net->devs[i]);
	return 0;
}

void pcapng_write(struct pcapng_writer *w, int ifindex, uint64_t ts_ns, const uint8_t *data, uint32_t len)
{
	uint64_t us = ts_ns / 1000;
	uint32_t blen = 32 + pad4(len);
	if (!w->f)
		return;
	put32(w, 6);
	put32(w, blen);
	put32(w, (uint32_t)(ifindex > 0 ? ifindex - 1 : 0));
	put32(w, (uint32_t)(us >> 32));
	put32(w, (uint32_t)us);
	put32(w, len);
	put32(w, len);
	put_padded(w, data, len);
	put32(w, blen);
}

/* The length of the whole blocks at the start of the first size bytes. */
static off_t whole_blocks(int fd, off_t size)
{
	off_t off = 0;
	uint32_t h[2];
	while (off + 12 <= size && pread(fd, h, 8, off) == 8 && h[1] >= 12 && h[1] % 4 == 0 &&
	       off + h[1] <= size)
		off += h[1];
	return off;
}

int pcapng_close(struct pcapng_writer *w, int how, char *err, size_t errlen)
{
	if (!w->f)
		return 0;
	if (fclose(w->f) != 0)
		w->err = 1;
	w->f = NULL;
	if (how > 0 && w->err)
		how = 0;
	if (how == 0 && w->of.tmp) {	/* a write may have stopped inside a block */
		off_t n = lseek(w->of.fd, 0, SEEK_END);
		if (n >= 0 && ftruncate(w->of.fd, whole_blocks(w->of.fd, n)) != 0)
			w->err = 1;
	}
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s", w->of.path);
	int r = outfile_finish(&w->of, how, err, errlen);
	if (r == 0 && w->err && how >= 0) {
		snprintf(err, errlen, "%s: write failed; what was written is in %s.partial", path, path);
		r = -1;
	}
	return r;
}
