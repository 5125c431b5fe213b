/*
 * frame.c - link-layer framing, hex and capture sniffing (see frame.h).
 * Follows what libpcap's link types mean (pcap-linktype(7)) and what Linux
 * puts in a cooked header (net/packet/af_packet.c, packet_rcv).
 */
#include "frame.h"
#include "netns.h"

#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ethernet: MAC header, then any number of 802.1Q/802.1ad/old-QinQ tags. */
static int link_eth(const uint8_t *p, size_t n, struct frame_l2 *l2)
{
	size_t off = 12;
	if (n < 14)
		return -1;
	l2->dst = p;
	l2->src = p + 6;
	l2->src_len = 6;
	l2->proto = rd16(p + off);
	while ((l2->proto == 0x8100 || l2->proto == 0x88a8 || l2->proto == 0x9100) && off + 6 <= n) {
		if (l2->nvlan < FRAME_MAX_VLANS) {
			l2->vlan_tpid[l2->nvlan] = l2->proto;
			l2->vlan[l2->nvlan++] = rd16(p + off + 2) & 0x0fff;
		}
		off += 4;
		l2->proto = rd16(p + off);
	}
	l2->l3_off = (uint32_t)off + 2;
	return 0;
}

/* The address family of BSD loopback headers: AF_INET is 2 everywhere;
 * AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin). */
static uint16_t af_proto(uint32_t af)
{
	if (af == 2)
		return 0x0800;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return 0x86dd;
	return 0;
}

static int link_loop(int dlt, const uint8_t *p, size_t n, struct frame_l2 *l2)
{
	if (n < 4)
		return -1;
	uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	/* DLT_NULL is in the capturing host's byte order: take either. */
	l2->proto = af_proto(be) ? af_proto(be) : dlt == NJ_DLT_NULL ? af_proto(le) : 0;
	l2->l3_off = 4;
	return 0;
}

/* PPP: address/control ff 03 may be there or compressed away; the
 * protocol is 2 bytes (0x0021 IPv4, 0x0057 IPv6), or 1 when compressed. */
static int link_ppp(const uint8_t *p, size_t n, struct frame_l2 *l2)
{
	size_t off = n >= 2 && p[0] == 0xff && p[1] == 0x03 ? 2 : 0;
	uint16_t pp;
	if (off + 1 > n)
		return -1;
	if (p[off] & 1) {
		pp = p[off];
		off += 1;
	} else {
		if (off + 2 > n)
			return -1;
		pp = rd16(p + off);
		off += 2;
	}
	l2->proto = pp == 0x0021 ? 0x0800 : pp == 0x0057 ? 0x86dd : 0;
	l2->l3_off = (uint32_t)off;
	return 0;
}

int frame_link(int dlt, const uint8_t *p, size_t n, struct frame_l2 *l2)
{
	memset(l2, 0, sizeof(*l2));
	l2->pkt_type = -1;
	switch (dlt) {
	case NJ_DLT_EN10MB:
		return link_eth(p, n, l2);
	case NJ_DLT_LINUX_SLL:
		if (n < 16)
			return -1;
		l2->pkt_type = rd16(p);
		l2->hatype = rd16(p + 2);
		l2->src = p + 6;
		l2->src_len = rd16(p + 4) < 8 ? rd16(p + 4) : 8;
		l2->proto = rd16(p + 14);
		l2->l3_off = 16;
		return 0;
	case NJ_DLT_LINUX_SLL2:
		if (n < 20)
			return -1;
		l2->proto = rd16(p);
		l2->pkt_type = p[10];
		l2->hatype = rd16(p + 8);
		l2->src = p + 12;
		l2->src_len = p[11] < 8 ? p[11] : 8;
		l2->l3_off = 20;
		return 0;
	case NJ_DLT_RAW: case NJ_DLT_RAW_ALT: case NJ_DLT_IPV4:
		l2->proto = n && (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		return n ? 0 : -1;
	case NJ_DLT_NULL: case NJ_DLT_LOOP:
		return link_loop(dlt, p, n, l2);
	case NJ_DLT_PPP: case NJ_DLT_PPP_SERIAL:
		return link_ppp(p, n, l2);
	}
	return -1;
}

int frame_dlt_known(int dlt)
{
	static const int known[] = { NJ_DLT_NULL, NJ_DLT_EN10MB, NJ_DLT_PPP, NJ_DLT_RAW, NJ_DLT_RAW_ALT,
				     NJ_DLT_PPP_SERIAL, NJ_DLT_LOOP, NJ_DLT_LINUX_SLL, NJ_DLT_IPV4, NJ_DLT_LINUX_SLL2 };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == dlt)
			return 1;
	return 0;
}

const uint8_t *frame_ipv4(int dlt, const uint8_t *p, size_t n, struct frame_l2 *l2, size_t *avail)
{
	if (frame_link(dlt, p, n, l2) < 0 || l2->proto != 0x0800 || l2->l3_off + 20 > n)
		return NULL;
	if ((p[l2->l3_off] >> 4) != 4)
		return NULL;
	*avail = n - l2->l3_off;
	return p + l2->l3_off;
}

void frame_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
}

/* A hex digit's value by table, one load per digit (the replay's sinks
 * decode every frame's first bytes from its args); 0 also for a byte that
 * is no digit, which hex_digit tells from '0'. */
static const uint8_t hexval[256] = {
	['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7, ['8'] = 8,
	['9'] = 9, ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15, ['A'] = 10,
	['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static int hex_digit(unsigned char c) { return c == '0' || hexval[c] ? hexval[c] : -1; }

size_t frame_unhex(const char *hex, uint8_t *out, size_t outlen)
{
	size_t n = 0;
	while (n < outlen) {
		int a = hex_digit((unsigned char)hex[0]), b = a < 0 ? -1 : hex_digit((unsigned char)hex[1]);
		if (b < 0)
			break;
		out[n++] = (uint8_t)(a << 4 | b);
		hex += 2;
	}
	return n;
}

enum frame_file_kind frame_sniff_file(const uint8_t *p, size_t n)
{
	static const uint8_t ng[4] = { 0x0a, 0x0d, 0x0d, 0x0a };
	if (n < 4)
		return FRAME_FILE_UNKNOWN;
	if (!memcmp(p, ng, 4))
		return FRAME_FILE_PCAPNG;
	if (p[0] == 0x1f && p[1] == 0x8b)
		return FRAME_FILE_GZIP;
	if (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return FRAME_FILE_ZSTD;
	uint32_t m = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1)
		return FRAME_FILE_PCAP;
	return FRAME_FILE_UNKNOWN;
}

int frame_dev_kind(uint16_t hatype)
{
	switch (hatype) {
	case NJ_ARPHRD_ETHER:
		return FRAME_DEV_ETHER;
	case NJ_ARPHRD_NONE:
		return FRAME_DEV_TUN;
	case NJ_ARPHRD_PPP:
		return FRAME_DEV_PPP;
	case NJ_ARPHRD_LOOPBACK:
		return FRAME_DEV_LO;
	default:
		return -1;
	}
}
