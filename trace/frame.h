/*
 * frame.h - the one place that knows link-layer framing: where the network
 * header of a captured frame starts for every link type netjourney reads,
 * which VLAN tags (802.1Q, 802.1ad, QinQ) it carries, and the frame's bytes
 * as hex (the driver_rx event's args.frame) both ways. Also which kind of
 * capture file a buffer's first bytes announce. Never reads past n.
 */
#ifndef NJ_TRACE_FRAME_H
#define NJ_TRACE_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Link types we read (DLT_ values as libpcap defines them). */
#define NJ_DLT_NULL		0	/* BSD loopback: 4-byte AF in host order */
#define NJ_DLT_EN10MB		1
#define NJ_DLT_PPP		9	/* optional ff 03, then a 2-byte PPP protocol */
#define NJ_DLT_RAW		12	/* DLT_RAW on Linux/most */
#define NJ_DLT_RAW_ALT		14	/* DLT_RAW on some BSDs */
#define NJ_DLT_PPP_SERIAL	50	/* PPP in HDLC-like framing (ff 03 protocol) */
#define NJ_DLT_LOOP		108	/* OpenBSD loopback: 4-byte AF in network order */
#define NJ_DLT_LINUX_SLL	113
#define NJ_DLT_IPV4		228
#define NJ_DLT_LINUX_SLL2	276

#define FRAME_MAX_VLANS		4

/* What the link layer of one frame says. */
struct frame_l2 {
	uint32_t l3_off;		/* where the network header starts */
	uint16_t proto;			/* its ethertype (IPv4 0x0800, IPv6 0x86dd, ...) */
	int nvlan;			/* VLAN tags, outermost first */
	uint16_t vlan[FRAME_MAX_VLANS];	/* their ids (12 bits) */
	uint16_t vlan_tpid[FRAME_MAX_VLANS];	/* 0x8100, 0x88a8 or 0x9100 */
	const uint8_t *dst, *src;	/* link addresses (Ethernet; SLL: src only), or NULL */
	int src_len;			/* bytes at src (6 for Ethernet) */
	int pkt_type;			/* SLL/SLL2 packet type (PACKET_HOST ... OUTGOING), -1 none */
	uint16_t hatype;		/* SLL/SLL2: the device's ARPHRD_ type (0xFFFE: a tun), else 0 */
};

/**
 * frame_link - decodes the link header of a frame of link type dlt.
 * Returns 0 with l2 filled, -1 when the link type is unknown or the header
 * is cut short (l2->l3_off is then n or less).
 */
int frame_link(int dlt, const uint8_t *p, size_t n, struct frame_l2 *l2);

/* frame_ipv4 - the IPv4 header of a frame (at least 20 bytes there,
 * version 4), or NULL; *avail gets the bytes from it to the frame's end. */
const uint8_t *frame_ipv4(int dlt, const uint8_t *p, size_t n, struct frame_l2 *l2, size_t *avail);

/* The kinds of device a cooked (SLL/SLL2) frame may have crossed. */
enum frame_dev_kind { FRAME_DEV_ETHER, FRAME_DEV_TUN, FRAME_DEV_PPP, FRAME_DEV_LO };

/* frame_dev_kind - the FRAME_DEV_* of a device of ARPHRD_ type hatype (a
 * cooked frame's sll_hatype, or a scenario device's type), -1 for others. */
int frame_dev_kind(uint16_t hatype);

/* frame_dlt_known - 1 when frame_link understands dlt. */
int frame_dlt_known(int dlt);

/* frame_hex - writes 2n lowercase hex digits of p to out (no NUL). */
void frame_hex(const uint8_t *p, size_t n, char *out);

/* frame_unhex - decodes hex digits into at most outlen bytes; stops at
 * the first character that is not a hex digit. Returns the byte count. */
size_t frame_unhex(const char *hex, uint8_t *out, size_t outlen);

/* What a capture file's first bytes announce. */
enum frame_file_kind { FRAME_FILE_UNKNOWN, FRAME_FILE_PCAP, FRAME_FILE_PCAPNG, FRAME_FILE_GZIP,
		       FRAME_FILE_ZSTD };

/* frame_sniff_file - the kind of capture in the first n bytes of a file. */
enum frame_file_kind frame_sniff_file(const uint8_t *p, size_t n);

#endif
