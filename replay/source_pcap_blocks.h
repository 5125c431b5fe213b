/*
 * source_pcap_blocks.h - the records of a plain pcap file read straight
 * from a mapping of it, without libpcap's two stdio reads per frame (a
 * fifth of an untraced replay) nor read(2)'s copy. Only what needs no
 * judgement is read here: a native byte order file of version 2.4,
 * records within the snapshot length and within the size the file had at
 * open. Anything else - the end of the file, a truncated record, a length
 * libpcap would cut or reject, a file that grew - is handed back: libpcap
 * reads on from that very record, so its results and its errors stay
 * libpcap's. A file that shrinks while mapped (its pages past the new end
 * would raise SIGBUS) is caught: its missing bytes read as zeros, and the
 * reader stops with b->shrunk set (source_pcap reports it). A helper
 * thread per reader maps the next window and unmaps the old ones while the
 * reader reads on.
 */
#ifndef NJ_REPLAY_SOURCE_PCAP_BLOCKS_H
#define NJ_REPLAY_SOURCE_PCAP_BLOCKS_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

/* Windows a reader let go of, for its helper to unmap. */
#define PB_DEAD	4
struct pb_dead {
	int win[PB_DEAD];
	int n;
};

struct pcap_blocks {
	int fd;
	dev_t dev;			/* the file, to share its windows */
	ino_t ino;
	int win;			/* its window's entry in the table, -1 none */
	const unsigned char *map;	/* the window: [map_off, map_off + map_len) of the file */
	uint64_t map_off;
	size_t map_len;
	uint64_t size;			/* the file's size at open: records end within it */
	uint64_t off;			/* file offset of the next record */
	uint32_t snapshot;		/* libpcap's, as pcap_snapshot gives it */
	int nsec;			/* nanosecond timestamps in the file */
	int shrunk;			/* the file became shorter than size while read */
	struct pcap_pkthdr h;
	unsigned char *frame;		/* the record's bytes, aligned as libpcap's buffer */
	/* The helper thread (source_pcap_blocks.c): it maps the next
	 * window ahead of the reader and unmaps the ones it left. */
	pthread_t helper;
	int helping;			/* it runs: join it before the fields below */
	int ahead;			/* the window it mapped (a reader for b), -1 none */
	uint64_t want;			/* what it is to map: [want, want + want_len) */
	size_t want_len;
	struct pb_dead dead;
	uint64_t pf_at;			/* the offset at which it starts */
	unsigned maps;			/* windows b was pointed at */
	int nocopy;			/* hand out the bytes in place, unaligned (a reader
					 * of bytes only: the SYN-ACK read-ahead) */
	int keep;			/* the windows it leaves are kept mapped (up to
					 * PB_KEEP_MAX) for a reader behind it: the replay
					 * behind its read-ahead */
};

/* pcap_blocks_header_ok - whether a file that begins with these 8 bytes
 * is one the block reader reads (byte order and version). */
int pcap_blocks_header_ok(const unsigned char fh[8]);

/* pcap_blocks_open - a reader for path when its header allows one (see
 * above), positioned after the header. Returns NULL otherwise (then
 * libpcap reads it all). */
struct pcap_blocks *pcap_blocks_open(const char *path, int snapshot);

/* pcap_blocks_next - 1 with *hdr and *data set (valid until the next
 * call); 0 when libpcap must read the record at b->off itself, or when
 * b->shrunk. */
int pcap_blocks_next(struct pcap_blocks *b, struct pcap_pkthdr **hdr, const uint8_t **data);

/* pcap_blocks_shrunk - 1 when the file is now shorter than at open (it
 * shrank while read: what was handed out may be zeros); sets b->shrunk. */
int pcap_blocks_shrunk(struct pcap_blocks *b);

void pcap_blocks_close(struct pcap_blocks *b);

/* pcap_blocks_windows - the windows mapped so far (mmap calls, a count
 * that only grows), and in *kept the bytes kept now for readers behind. */
unsigned long pcap_blocks_windows(size_t *kept);

#endif
