/*
 * source_pcap_blocks.c - plain pcap records in large blocks (see
 * source_pcap_blocks.h). Not a kernel file. The record layout is the
 * savefile's (pcap-savefile(5)): a 24-byte file header, then per frame
 * 16 bytes (seconds, micro- or nanoseconds, captured and original length)
 * and the captured bytes.
 */
#include "source_pcap_blocks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PB_BLOCK	(320 * 1024)	/* read size; holds any record within MAX_SNAP */
#define PB_MAX_SNAP	262144		/* libpcap's maximum for the link types read here */
#define PB_MAGIC_US	0xa1b2c3d4u
#define PB_MAGIC_NS	0xa1b23c4du

struct pcap_blocks *pcap_blocks_open(const char *path, int snapshot)
{
	unsigned char fh[24];
	uint32_t magic;
	uint16_t major, minor;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (snapshot <= 0 || snapshot > PB_MAX_SNAP || read(fd, fh, sizeof(fh)) != (ssize_t)sizeof(fh))
		goto no;
	memcpy(&magic, fh, 4);
	memcpy(&major, fh + 4, 2);
	memcpy(&minor, fh + 6, 2);
	if ((magic != PB_MAGIC_US && magic != PB_MAGIC_NS) || major != 2 || minor != 4)
		goto no;	/* swapped, patched formats, old versions: libpcap's */
	struct pcap_blocks *b = calloc(1, sizeof(*b));
	if (!b)
		goto no;
	b->fd = -1;
	b->buf = malloc(PB_BLOCK);
	b->frame = malloc((size_t)snapshot);	/* malloc's alignment, as libpcap's buffer */
	if (!b->buf || !b->frame) {
		pcap_blocks_close(b);
		goto no;
	}
	b->fd = fd;
	b->off = sizeof(fh);
	b->snapshot = (uint32_t)snapshot;
	b->nsec = magic == PB_MAGIC_NS;
	return b;
no:
	close(fd);
	return NULL;
}

/* At least need bytes from start on, or 0 (end of file, a read error). */
static int fill(struct pcap_blocks *b, size_t need)
{
	if (b->end - b->start >= need)
		return 1;
	memmove(b->buf, b->buf + b->start, b->end - b->start);
	b->end -= b->start;
	b->start = 0;
	while (b->end < need) {
		ssize_t n = read(b->fd, b->buf + b->end, PB_BLOCK - b->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		b->end += (size_t)n;
	}
	return 1;
}

int pcap_blocks_next(struct pcap_blocks *b, struct pcap_pkthdr **hdr, const uint8_t **data)
{
	uint32_t rec[4];	/* seconds, fraction, caplen, len */

	if (!fill(b, 16))
		return 0;
	memcpy(rec, b->buf + b->start, 16);
	if (rec[2] > b->snapshot || !fill(b, 16 + (size_t)rec[2]))
		return 0;	/* libpcap cuts it, rejects it, or finds it truncated */
	if (b->nocopy)
		*data = b->buf + b->start + 16;	/* valid until the next call's fill */
	else
		memcpy(b->frame, b->buf + b->start + 16, rec[2]);
	/* as libpcap: the header's 32-bit fields are signed; microseconds
	 * scale up to the nanoseconds the sources ask for */
	b->h.ts.tv_sec = (time_t)(int32_t)rec[0];
	b->h.ts.tv_usec = (suseconds_t)(int32_t)rec[1];
	if (!b->nsec)
		b->h.ts.tv_usec *= 1000;
	b->h.caplen = rec[2];
	b->h.len = rec[3];
	b->start += 16 + (size_t)rec[2];
	b->off += 16 + (uint64_t)rec[2];
	*hdr = &b->h;
	if (!b->nocopy)
		*data = b->frame;
	return 1;
}

void pcap_blocks_close(struct pcap_blocks *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b->buf);
	free(b->frame);
	free(b);
}
