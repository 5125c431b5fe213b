/*
 * pcapng_writer.h - a minimal pcapng writer (libpcap reads pcapng but does
 * not write it): one section, one Ethernet interface block per device of
 * the host, named like the device, so `-w out.pcapng` tells on which
 * interface each frame left (tshark/Wireshark show it as the interface).
 */
#ifndef NJ_REPLAY_PCAPNG_WRITER_H
#define NJ_REPLAY_PCAPNG_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "netns.h"
#include "outfile.h"

struct pcapng_writer {
	FILE *f;
	int err;
	struct outfile of;		/* PATH.part until closed (outfile.h) */
};

/* pcapng_open - writes the section header and one interface block per
 * device of net into PATH.part. Returns 0, or -1 with err naming the file
 * (also when another process is writing it). */
int pcapng_open(struct pcapng_writer *w, const char *path, const struct net *net, char *err, size_t errlen);
/* pcapng_write - an Enhanced Packet Block on interface ifindex (1-based). */
void pcapng_write(struct pcapng_writer *w, int ifindex, uint64_t ts_ns, const uint8_t *data, uint32_t len);
/**
 * pcapng_close - how > 0: the replay succeeded; the file is synced and
 * renamed into place. how == 0: it failed midway; the whole blocks go to
 * PATH.partial, PATH untouched. how < 0: it failed before it began; the
 * file is removed. A write failure makes a success a partial. Returns 0,
 * or -1 with err set when the file did not reach PATH. Safe when closed.
 */
int pcapng_close(struct pcapng_writer *w, int how, char *err, size_t errlen);

#endif
