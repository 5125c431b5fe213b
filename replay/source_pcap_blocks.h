/*
 * source_pcap_blocks.h - the records of a plain pcap file read in large
 * blocks, without libpcap's two stdio reads per frame (a fifth of an
 * untraced replay). Only what needs no judgement is read here: a native
 * byte order file of version 2.4, records within the snapshot length.
 * Anything else - the end of the file, a truncated record, a length
 * libpcap would cut or reject - is handed back: libpcap reads on from that
 * very record, so its results and its errors stay libpcap's.
 */
#ifndef NJ_REPLAY_SOURCE_PCAP_BLOCKS_H
#define NJ_REPLAY_SOURCE_PCAP_BLOCKS_H

#include <pcap/pcap.h>
#include <stdint.h>

struct pcap_blocks {
	int fd;
	unsigned char *buf;		/* the file from off on: [start, end) */
	size_t start, end;
	uint64_t off;			/* file offset of the next record */
	uint32_t snapshot;		/* libpcap's, as pcap_snapshot gives it */
	int nsec;			/* nanosecond timestamps in the file */
	struct pcap_pkthdr h;
	unsigned char *frame;		/* the record's bytes, aligned as libpcap's buffer */
	int nocopy;			/* hand out the bytes in place, unaligned (a reader
					 * of bytes only: the SYN-ACK read-ahead) */
};

/* pcap_blocks_open - a block reader for path when its header allows one
 * (see above), positioned after the header. Returns NULL otherwise. */
struct pcap_blocks *pcap_blocks_open(const char *path, int snapshot);

/* pcap_blocks_next - 1 with *hdr and *data set (valid until the next
 * call); 0 when libpcap must read the record at b->off itself. */
int pcap_blocks_next(struct pcap_blocks *b, struct pcap_pkthdr **hdr, const uint8_t **data);

void pcap_blocks_close(struct pcap_blocks *b);

#endif
