/*
 * pcapng_reader.h - a small pcapng block reader of the project's own
 * (libpcap does not expose them): the interface each packet came in on,
 * each interface's link type and timestamp resolution, the Enhanced Packet
 * Block's direction flags and comments. Section Header, Interface
 * Description, Enhanced, Simple and (obsolete) Packet Blocks are read;
 * other blocks are skipped. Both byte orders; several sections.
 * libpcap stays for pcap files and BPF.
 */
#ifndef NJ_REPLAY_PCAPNG_READER_H
#define NJ_REPLAY_PCAPNG_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_MAX_IFACES	64

struct pcapng_iface {
	int dlt;
	uint32_t snaplen;
	uint64_t tsres;			/* ticks per second (if_tsresol; default 10^6) */
	char name[32];
};

/* One packet: what source_pcap hands the replay. */
struct pcapng_pkt {
	const uint8_t *data;
	uint32_t caplen, len;
	uint64_t ts_ns;
	int iface;			/* index in this section's interfaces */
	int dir;			/* epb_flags direction: 0 unknown, 1 inbound, 2 outbound */
	char comment[128];		/* opt_comment, "" none */
};

struct pcapng_reader {
	FILE *f;
	int swap;			/* the section's byte order is not ours */
	struct pcapng_iface ifs[PCAPNG_MAX_IFACES];
	int nifs;
	uint8_t *buf;			/* the current block */
	size_t cap;
	uint64_t off;			/* where the next block starts */
	uint64_t good_end;		/* where the last complete block ends */
};

/* pcapng_open - reads the first Section Header and the interface blocks
 * that precede the first packet. Returns 0, or -1 with err set. */
int pcapng_open_reader(struct pcapng_reader *r, FILE *f, char *err, size_t errlen);

/* pcapng_next - 1 with p set, 0 at a clean end, -1 damaged (err names the
 * offset), -2 a truncated block or trailing garbage at the end. */
int pcapng_next(struct pcapng_reader *r, struct pcapng_pkt *p, char *err, size_t errlen);

void pcapng_close_reader(struct pcapng_reader *r);

#endif
