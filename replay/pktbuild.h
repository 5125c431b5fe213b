/*
 * pktbuild.h - frame builders for the scenario generator (mkpcap) and tests:
 * Ethernet, IPv4, ICMP, UDP, TCP and ARP with correct checksums unless
 * asked otherwise. Addresses are network order; everything else host order.
 */
#ifndef NJ_REPLAY_PKTBUILD_H
#define NJ_REPLAY_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

/* The default scenario's host and its gateway/peer. */
#define PB_HOST_MAC	((const uint8_t *)"\x02\x00\x00\x00\x00\x01")
#define PB_PEER_MAC	((const uint8_t *)"\x02\x00\x00\x00\x00\xaa")
#define PB_BCAST_MAC	((const uint8_t *)"\xff\xff\xff\xff\xff\xff")

uint32_t pb_ip(const char *dotted);	/* network order; aborts on a typo */

struct pb_ipopt {
	uint32_t saddr, daddr;		/* network order */
	uint8_t proto;
	uint8_t ttl;			/* 0 → 64 */
	uint8_t tos;
	uint16_t id;
	uint16_t frag;			/* flags | offset/8, host order (IP_MF, IP_DF) */
	const uint8_t *dmac, *smac;	/* NULL → host / peer MAC */
	int version;			/* 0 → 4 */
	int ihl;			/* 0 → 5; >5 adds NOP options */
	const uint8_t *opts;		/* IP options (optlen bytes, END-padded to 4): ihl follows */
	int optlen;
	int tot_len_delta;		/* added to the true tot_len */
	int bad_csum;			/* corrupt the header checksum */
	int pad;			/* link-layer padding after the datagram */
	uint16_t vlan;			/* 802.1Q tag when non-zero (use 0x1000|0 for VLAN 0) */
};

/* pb_eth_ip - Ethernet + IPv4 header + l4 bytes; returns the frame length. */
size_t pb_eth_ip(uint8_t *buf, const struct pb_ipopt *o, const void *l4, size_t l4len);

/* ICMP echo (type ICMP_ECHO or ICMP_ECHOREPLY) with datalen bytes of data. */
size_t pb_icmp_echo(uint8_t *p, int type, uint16_t id, uint16_t seq, size_t datalen);

/* UDP with a correct checksum (bad_csum: corrupted). */
size_t pb_udp(uint8_t *p, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
	      const void *data, size_t len, int bad_csum);

/* TCP; opts must be a multiple of 4 bytes. */
size_t pb_tcp(uint8_t *p, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
	      uint32_t ack, uint8_t flags, uint16_t win, const void *opts, size_t optlen, const void *data,
	      size_t len, int bad_csum);

/* pb_eth_ip6 - Ethernet + IPv6 header + plen payload bytes into buf: from
 * the peer's MAC to the host's, or to the 33:33 group MAC of a multicast
 * destination (RFC 2464); addresses as text. Returns the frame length. */
size_t pb_eth_ip6(uint8_t *buf, const char *src, const char *dst, uint8_t nexthdr, uint8_t hop_limit,
		  const void *pl, size_t plen);

/* pb_csum6 - fills the upper-layer checksum of p (len bytes) at off: 2 for
 * ICMPv6, 6 for UDP, 16 for TCP (RFC 8200 §8.1's pseudo-header). */
void pb_csum6(const char *src, const char *dst, uint8_t proto, uint8_t *p, size_t len, int off);

/* pb_ndisc_ns - an ICMPv6 neighbour solicitation for target into p (RFC
 * 4861 §4.3), with the peer's source link-layer option when sll, its
 * checksum for src > dst filled in. Returns its length (24 or 32). */
size_t pb_ndisc_ns(uint8_t *p, const char *src, const char *dst, const char *target, int sll);

/* pb_ndisc_na - a neighbour advertisement for target into p (RFC 4861
 * §4.4): flags 0x80 router, 0x40 solicited, 0x20 override; the target
 * link-layer option when tll is given. Returns its length (24 or 32). */
#define PB_NA_ROUTER	0x80
#define PB_NA_SOLICITED	0x40
#define PB_NA_OVERRIDE	0x20
size_t pb_ndisc_na(uint8_t *p, const char *src, const char *dst, const char *target, uint8_t flags,
		   const uint8_t *tll);

/* A whole Ethernet ARP frame (op 1 request, 2 reply). */
size_t pb_arp(uint8_t *buf, int op, const uint8_t *dmac, const uint8_t *smac, uint32_t sip,
	      const uint8_t *tmac, uint32_t tip);

#endif
