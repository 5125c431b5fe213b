/*
 * source_pcap.h - capture files in (libpcap: pcap and pcapng), and the
 * "driver" that turns each captured frame into an skb for the stack:
 * Ethernet (eth_type_trans), Linux cooked SLL/SLL2 and raw IPv4 (the
 * protocol and pkt_type come from the capture), as a NIC driver would.
 */
#ifndef NJ_REPLAY_SOURCE_PCAP_H
#define NJ_REPLAY_SOURCE_PCAP_H

#include <pcap/pcap.h>
#include <stdint.h>

#include "netns.h"
#include "pcapng_reader.h"
#include "source_pcap_blocks.h"

struct pcap_source {
	pcap_t *p;			/* a pcap file: libpcap reads it */
	struct pcapng_reader *ngr;	/* a pcapng file: our own block reader */
	FILE *ngf;
	struct pcapng_pkt ngp;		/* its last packet */
	int pending;			/* ngp read at open, not yet handed out */
	struct pcap_pkthdr ngh;
	char *path;
	int dlt;			/* the first interface's link type */
	int frame_dlt;			/* the last frame's (pcapng: its interface's) */
	int iface;			/* the last frame's interface (pcapng), else 0 */
	int dir;			/* its EPB direction: 0 unknown, 1 inbound, 2 outbound */
	uint64_t frames;
	long size;			/* file size for progress, -1 unknown */
	char *iobuf;			/* the stream's buffer (SOURCE_PCAP_IOBUF) */
	uint64_t good_end;		/* where the last complete record ends */
	struct pcap_blocks *blk;	/* a plain pcap file's records, read in blocks */
};

/* source_pcap_rereadable - path is a regular file, which can be read more
 * than once (host inference and the read-ahead read it before the replay);
 * a pipe or a device is read once, by the replay. */
int source_pcap_rereadable(const char *path);

/* source_pcap_open - opens path; err names the file and the problem
 * (missing, not a capture, unsupported link type). Returns 0 or -1. */
int source_pcap_open(struct pcap_source *s, const char *path, char *err, size_t errlen);

/*
 * source_pcap_next - the next frame: 1 with hdr and data set, 0 at the end,
 * -1 when the file is damaged (err names the file, the frame number and
 * byte offset), SOURCE_TAIL when every complete record was read and what
 * follows is a truncated record or trailing garbage (err says where).
 */
#define SOURCE_TAIL	(-2)
int source_pcap_next(struct pcap_source *s, struct pcap_pkthdr **hdr, const uint8_t **data, char *err,
		     size_t errlen);
long source_pcap_offset(const struct pcap_source *s);
void source_pcap_close(struct pcap_source *s);

/* driver flags */
#define DRV_LEARN_NEIGH	1		/* an inferred host: learn peers' MACs from frames */
#define DRV_INBOUND	2		/* pcapng EPB flags: the host received this frame */
#define DRV_OUTBOUND	4		/* ... the host sent it (a recorded transmit) */

/* cooked_frame_dev - tcpdump -i any: the device a cooked (SLL, SLL2) frame
 * arrives on, the scenario's first of the kind its sll_hatype names
 * (Ethernet, tun, ppp, lo), else dflt. */
struct net_device *cooked_frame_dev(struct net *net, int dlt, const uint8_t *data, uint32_t caplen,
				    struct net_device *dflt);

/**
 * driver_rx - hands one captured frame to the stack on dev, traced as the
 * "driver_rx" frame: a frame the host itself sent (its MAC, its IP on a
 * cooked/raw link, or an SLL OUTGOING frame) is shown as a recorded
 * transmit and not received; others go through eth_type_trans (Ethernet)
 * and netif_rx, or, on a tun device, tun_get_user (received at once). Never fails: malformed frames end in a drop with a reason.
 * Returns 1 when the frame entered the stack, 0 otherwise.
 */
int driver_rx(struct net *net, struct net_device *dev, int dlt, const uint8_t *data, uint32_t caplen,
	      uint32_t len, int flags);
/* driver_rx_comment - the same, with the pcapng packet comment (args.comment). */
int driver_rx_comment(struct net *net, struct net_device *dev, int dlt, const uint8_t *data, uint32_t caplen,
		      uint32_t len, int flags, const char *comment);

#endif
