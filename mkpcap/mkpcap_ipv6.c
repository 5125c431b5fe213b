/*
 * mkpcap_ipv6.c - the IPv6 scenario pcaps (issue 24), against the default
 * host: fd00::2/64 and fe80::ff:fe00:1 on 02:00:00:00:00:01; the peer is
 * fd00::1 (fe80::ff:fe00:aa) at 02:00:00:00:00:aa. One scenario per check
 * of the receive path: ip6_rcv_core, extension headers, routing, ICMPv6,
 * neighbour discovery, reassembly, UDP and TCP over IPv6.
 */
#include <string.h>

#include "ipv6.h"
#include "mkpcap.h"

#include <stdio.h>

#define HOST6 "fd00::2"
#define PEER6 "fd00::1"
#define PEER6_LL "fe80::ff:fe00:aa"

static uint8_t frame[4096], l4[4096];

static struct in6 a6(const char *s)
{
	struct in6 a;
	in6_pton(s, &a);
	return a;
}

/* An Ethernet + IPv6 frame in frame (replay/pktbuild). */
static size_t pb6(const char *src, const char *dst, uint8_t nexthdr, uint8_t hlim, const void *pl, size_t plen)
{
	return pb_eth_ip6(frame, src, dst, nexthdr, hlim, pl, plen);
}

static void csum6(const char *src, const char *dst, uint8_t proto, uint8_t *p, size_t len, int off)
{
	pb_csum6(src, dst, proto, p, len, off);
}

static size_t echo6(uint8_t *p, const char *src, const char *dst, uint16_t id, uint16_t seq, size_t datalen)
{
	memset(p, 0, 8);
	p[0] = ICMPV6_ECHO_REQUEST;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	for (size_t i = 0; i < datalen; i++)
		p[8 + i] = (uint8_t)(0x10 + i);
	csum6(src, dst, NEXTHDR_ICMP, p, 8 + datalen, 2);
	return 8 + datalen;
}

static size_t udp6(uint8_t *p, const char *src, const char *dst, uint16_t sport, uint16_t dport, const char *msg)
{
	size_t n = strlen(msg);
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[4] = (uint8_t)((8 + n) >> 8);
	p[5] = (uint8_t)(8 + n);
	memcpy(p + 8, msg, n);
	csum6(src, dst, NEXTHDR_UDP, p, 8 + n, 6);
	return 8 + n;
}

static size_t syn6(uint8_t *p, const char *src, const char *dst, uint16_t sport, uint16_t dport, uint32_t seq)
{
	memset(p, 0, 20);
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[4] = (uint8_t)(seq >> 24);
	p[5] = (uint8_t)(seq >> 16);
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	p[12] = 5 << 4;
	p[13] = TCPHDR_SYN;
	p[14] = 0xfa;
	p[15] = 0xf0;
	csum6(src, dst, NEXTHDR_TCP, p, 20, 16);
	return 20;
}

static void ipv6_echo(struct mk_ctx *c)
{
	for (uint16_t seq = 1; seq <= 3; seq++) {
		size_t n = echo6(l4, PEER6, HOST6, 0x6a6a, seq, 56);
		mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
		mk_advance(c, 999000);
	}
	/* to the link-local address, and to all-nodes */
	size_t n = echo6(l4, PEER6_LL, "fe80::ff:fe00:1", 0x6a6b, 1, 16);
	mk_emit(c, frame, pb6(PEER6_LL, "fe80::ff:fe00:1", NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6_LL, "ff02::1", 0x6a6c, 1, 16);
	mk_emit(c, frame, pb6(PEER6_LL, "ff02::1", NEXTHDR_ICMP, 1, l4, n));
}

/* A neighbour solicitation for target (replay/pktbuild). */
static size_t ns6(uint8_t *p, const char *src, const char *dst, const char *target, int sll)
{
	return pb_ndisc_ns(p, src, dst, target, sll);
}

static void ipv6_ndisc(struct mk_ctx *c)
{
	size_t n = ns6(l4, PEER6, "ff02::1:ff00:2", HOST6, 1);		/* address resolution */
	mk_emit(c, frame, pb6(PEER6, "ff02::1:ff00:2", NEXTHDR_ICMP, 255, l4, n));
	n = ns6(l4, PEER6_LL, "ff02::1:ff00:1", "fe80::ff:fe00:1", 1);	/* for the link-local address */
	mk_emit(c, frame, pb6(PEER6_LL, "ff02::1:ff00:1", NEXTHDR_ICMP, 255, l4, n));
	n = ns6(l4, PEER6, HOST6, HOST6, 0);				/* unicast: reachability probe */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 255, l4, n));
	n = ns6(l4, PEER6, "ff02::1:ff00:77", "fd00::77", 1);		/* a group we are not in */
	mk_emit(c, frame, pb6(PEER6, "ff02::1:ff00:77", NEXTHDR_ICMP, 255, l4, n));
	n = ns6(l4, PEER6, HOST6, "fd00::77", 1);			/* to us, for an address not ours */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 255, l4, n));
	n = ns6(l4, PEER6, "ff02::1:ff00:2", HOST6, 1);			/* crossed a router */
	mk_emit(c, frame, pb6(PEER6, "ff02::1:ff00:2", NEXTHDR_ICMP, 64, l4, n));
	n = ns6(l4, "::", "ff02::1:ff00:2", HOST6, 0);			/* someone's DAD for our address */
	mk_emit(c, frame, pb6("::", "ff02::1:ff00:2", NEXTHDR_ICMP, 255, l4, n));
}

/* The host pings fd00::99 (unknown): it must solicit first, the echo reply
 * waits; the advertisement releases it. */
static void ipv6_ndisc_resolve(struct mk_ctx *c)
{
	const char *p = "fd00::99";
	size_t n = echo6(l4, p, HOST6, 0x7777, 1, 8);
	mk_emit(c, frame, pb6(p, HOST6, NEXTHDR_ICMP, 64, l4, n));
	mk_advance(c, 20000);
	struct in6 t = a6(p);
	memset(l4, 0, 32);
	l4[0] = NDISC_NEIGHBOUR_ADVERTISEMENT;
	l4[4] = 0x60;					/* solicited, override */
	memcpy(l4 + 8, t.s6, 16);
	l4[24] = 2;
	l4[25] = 1;
	memcpy(l4 + 26, "\x02\x00\x00\x00\x00\x99", 6);
	csum6(p, HOST6, NEXTHDR_ICMP, l4, 32, 2);
	mk_emit(c, frame, pb6(p, HOST6, NEXTHDR_ICMP, 255, l4, 32));
}

static void ipv6_unknown_nexthdr(struct mk_ctx *c)
{
	memset(l4, 0x42, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, 253, 64, l4, 16));		/* RFC 3692 experimental */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_NONE, 64, l4, 0));	/* no next header: delivered */
}

/* Hop-by-hop options header (8 bytes) with one option of type t, then UDP. */
static size_t hbh6(uint8_t *p, uint8_t t, const char *dst)
{
	p[0] = NEXTHDR_UDP;
	p[1] = 0;			/* 8 bytes */
	p[2] = t;
	p[3] = 2;
	p[4] = p[5] = 0;
	p[6] = IPV6_TLV_PADN;		/* PadN of 0 data bytes */
	p[7] = 0;
	return 8 + udp6(p + 8, PEER6, dst, 40000, 9999, "hbh");
}

static void ipv6_hbh(struct mk_ctx *c)
{
	static const uint8_t types[] = { 0x1e, 0x5e, 0x9e, 0xde, IPV6_TLV_ROUTERALERT };
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t n = hbh6(l4, types[i], HOST6);
		mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_HOP, 64, l4, n));
	}
	size_t n = hbh6(l4, 0xde, "ff02::1");			/* action 11 to a group: no ICMP */
	mk_emit(c, frame, pb6(PEER6, "ff02::1", NEXTHDR_HOP, 64, l4, n));
	n = hbh6(l4, 0x1e, HOST6);				/* PadN of 6 with a non-zero byte */
	memcpy(l4 + 2, "\x01\x04\x00\x00\x55\x00", 6);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_HOP, 64, l4, n));
}

static void ipv6_rthdr(struct mk_ctx *c)
{
	struct in6 via = a6("fd00::3");
	memset(l4, 0, 24);
	l4[0] = NEXTHDR_NONE;
	l4[1] = 2;				/* 24 bytes: one address */
	l4[2] = IPV6_SRCRT_TYPE_0;
	l4[3] = 1;				/* one segment left */
	memcpy(l4 + 8, via.s6, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ROUTING, 64, l4, 24));
	l4[3] = 0;				/* none left: ignored */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ROUTING, 64, l4, 24));
	l4[2] = IPV6_SRCRT_TYPE_4;		/* segment routing, seg6_enabled = 0 */
	l4[3] = 1;
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ROUTING, 64, l4, 24));
}

/* An echo request of datalen bytes cut into fragments of at most frag
 * payload bytes (multiples of 8), emitted in the order given. */
static void frag_echo(struct mk_ctx *c, uint32_t id, size_t datalen, size_t frag, const int *order, int n)
{
	static uint8_t dgram[4096];
	size_t len = echo6(dgram, PEER6, HOST6, 0x6666, (uint16_t)id, datalen);
	for (int k = 0; k < n; k++) {
		size_t off = (size_t)order[k] * frag, fl = len - off < frag ? len - off : frag;
		l4[0] = NEXTHDR_ICMP;
		l4[1] = 0;
		uint16_t fo = (uint16_t)(off | (off + fl < len ? IP6_MF : 0));
		l4[2] = (uint8_t)(fo >> 8);
		l4[3] = (uint8_t)fo;
		l4[4] = (uint8_t)(id >> 24);
		l4[5] = (uint8_t)(id >> 16);
		l4[6] = (uint8_t)(id >> 8);
		l4[7] = (uint8_t)id;
		memcpy(l4 + 8, dgram + off, fl);
		mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_FRAGMENT, 64, l4, 8 + fl));
	}
}

static void ipv6_frag(struct mk_ctx *c)
{
	static const int inorder[] = { 0, 1 }, reverse[] = { 2, 1, 0 };
	frag_echo(c, 1, 1200, 616, inorder, 2);
	frag_echo(c, 2, 1200, 408, reverse, 3);
	static const int three[] = { 0, 1, 2 };
	frag_echo(c, 4, 3000, 1232, three, 3);		/* the reply is longer than the MTU: fragmented */
	/* an atomic fragment: offset 0, no more */
	size_t len = echo6(l4 + 8, PEER6, HOST6, 0x6666, 3, 32);
	memset(l4, 0, 8);
	l4[0] = NEXTHDR_ICMP;
	l4[7] = 3;
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_FRAGMENT, 64, l4, 8 + len));
}

static void ipv6_frag_bad(struct mk_ctx *c)
{
	static const int first[] = { 0 };
	/* an overlap: [0,616) then [608,...) of the same datagram */
	frag_echo(c, 10, 1200, 616, first, 1);
	size_t len = echo6(l4 + 8, PEER6, HOST6, 0x6666, 10, 1200);
	(void)len;
	memset(l4, 0, 8);
	l4[0] = NEXTHDR_ICMP;
	l4[2] = (uint8_t)(608 >> 8);
	l4[3] = (uint8_t)(608 & 0xf8);
	l4[7] = 10;
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_FRAGMENT, 64, l4, 8 + 200));
	/* a non-final fragment of 100 bytes (not a multiple of 8) */
	l4[2] = 0;
	l4[3] = IP6_MF;
	l4[7] = 11;
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_FRAGMENT, 64, l4, 8 + 100));
	/* only the first fragment; ip6frag_time (60 s) later: time exceeded */
	frag_echo(c, 12, 1200, 616, first, 1);
	mk_advance(c, 61000000);
	size_t n = echo6(l4, PEER6, HOST6, 0x6666, 13, 16);	/* a ping: the clock has moved */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
}

/* The capture ends while two queues wait: ip6frag_time after their first
 * fragments came, in the time the replay runs on, the one holding its
 * first fragment gets time exceeded, the other expires silently. */
static void ipv6_frag_timeout_at_end(struct mk_ctx *c)
{
	static const int ends[] = { 0, 2 }, middle[] = { 1 };
	frag_echo(c, 20, 1500, 616, ends, 2);
	mk_advance(c, 1000);
	frag_echo(c, 21, 1500, 616, middle, 1);
}

/* --count N (2048) first fragments of 1232 payload bytes, of datagrams
 * that never finish, 10 us apart: past ip6frag_high_thresh (4 MiB, about
 * 1,690 such queues) new ones are refused (ReasmFails), as frag-flood
 * shows for IPv4. */
static void ipv6_frag_flood(struct mk_ctx *c)
{
	unsigned long n = c->param ? c->param : 2048;
	c->step_us = 10;
	memset(l4, 0x55, 8 + 1232);
	l4[0] = NEXTHDR_UDP;
	l4[1] = 0;
	l4[2] = 0;
	l4[3] = IP6_MF;
	for (unsigned long k = 0; k < n; k++) {
		l4[4] = (uint8_t)(k >> 24);
		l4[5] = (uint8_t)(k >> 16);
		l4[6] = (uint8_t)(k >> 8);
		l4[7] = (uint8_t)k;
		mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_FRAGMENT, 64, l4, 8 + 1232));
	}
}

/* UDP to a closed port from three on-link addresses that never answer
 * neighbour solicitation, then an echo request from a fourth: each answer
 * waits for its neighbour, which fails 3 s on (after the capture). The
 * held echo reply earns an address unreachable over lo; the held port
 * unreachables do not (no ICMPv6 error about an ICMPv6 error). */
static void ipv6_unresolved(struct mk_ctx *c)
{
	static const char *const src[] = { "fd00::98", "fd00::99", "fd00::9a" };
	for (int i = 0; i < 3; i++) {
		size_t n = udp6(l4, src[i], HOST6, 40000, 9999, "closed");
		mk_emit(c, frame, pb6(src[i], HOST6, NEXTHDR_UDP, 64, l4, n));
	}
	size_t n = echo6(l4, "fd00::9b", HOST6, 0x6666, 1, 16);
	mk_emit(c, frame, pb6("fd00::9b", HOST6, NEXTHDR_ICMP, 64, l4, n));
}

/* 300 addresses of the link each solicit us (with their link-layer
 * address) and ping, then ping again, 2 ms apart: the neighbour cache
 * keeps all 300 (Linux: up to gc_thresh3, 1024), so every reply goes
 * without a solicitation of ours. */
static void ipv6_many_hosts(struct mk_ctx *c)
{
	c->step_us = 2000;
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < 300; k++) {
			char src[40];
			snprintf(src, sizeof(src), "fd00::1:%x", k + 1);
			size_t n;
			if (!round) {
				n = pb_ndisc_ns(l4, src, "ff02::1:ff00:2", HOST6, 1);
				mk_emit(c, frame, pb6(src, "ff02::1:ff00:2", NEXTHDR_ICMP, 255, l4, n));
			}
			n = echo6(l4, src, HOST6, 0x6666, (uint16_t)(round + 1), 16);
			mk_emit(c, frame, pb6(src, HOST6, NEXTHDR_ICMP, 64, l4, n));
		}
}

static void ipv6_udp(struct mk_ctx *c)
{
	size_t n = udp6(l4, PEER6, HOST6, 40000, 7, "hello, echo6");
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_UDP, 64, l4, n));
	n = udp6(l4, PEER6, HOST6, 40001, 9999, "closed");
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_UDP, 64, l4, n));
	n = udp6(l4, PEER6, HOST6, 40002, 9999, "no csum");
	l4[6] = l4[7] = 0;				/* zero checksum: illegal over IPv6 */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_UDP, 64, l4, n));
}

/* To closed port 81: a SYN (RST, ACK of seq + 1), a bare ACK (RST with
 * seq = its ack), a RST (never answered). */
static void ipv6_tcp_syn(struct mk_ctx *c)
{
	size_t n = syn6(l4, PEER6, HOST6, 40000, 81, 1000);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_TCP, 64, l4, n));
	n = syn6(l4, PEER6, HOST6, 40001, 81, 2000);
	l4[13] = TCPHDR_ACK;
	l4[11] = 0x77;					/* ack 0x77 */
	csum6(PEER6, HOST6, NEXTHDR_TCP, l4, n, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_TCP, 64, l4, n));
	l4[13] = TCPHDR_RST;
	csum6(PEER6, HOST6, NEXTHDR_TCP, l4, n, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_TCP, 64, l4, n));
}

static void ipv6_hdr_checks(struct mk_ctx *c)
{
	size_t n = echo6(l4, PEER6, HOST6, 1, 1, 16);
	size_t len = pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n);
	frame[14] = 0x40;					/* version 4 in an IPv6 frame */
	mk_emit(c, frame, len);
	len = pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n);
	frame[18] = 0x01;					/* payload_len 256 + 24: longer than the frame */
	mk_emit(c, frame, len);
	mk_emit(c, frame, 14 + 30);				/* 30 bytes of header */
	n = echo6(l4, "::1", HOST6, 1, 1, 16);
	mk_emit(c, frame, pb6("::1", HOST6, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, "ff02::5", HOST6, 1, 1, 16);
	mk_emit(c, frame, pb6("ff02::5", HOST6, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, HOST6, 1, 2, 16);
	l4[2] ^= 0x11;						/* bad ICMPv6 checksum */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "2001:db8::77", 1, 3, 16);		/* not ours, forwarding off */
	mk_emit(c, frame, pb6(PEER6, "2001:db8::77", NEXTHDR_ICMP, 64, l4, n));
}

/* An IPv6 header (payload_len len, next header nh) quoting what this host
 * sent to the peer, with 8 bytes of its upper layer, for received errors. */
static size_t quote6(uint8_t *p, uint8_t nh, const uint8_t *l4hdr)
{
	struct ipv6hdr *q = (struct ipv6hdr *)p;
	memset(q, 0, sizeof(*q));
	p[0] = 0x60;
	q->payload_len = htons(8);
	q->nexthdr = nh;
	q->hop_limit = 64;
	q->saddr = a6(HOST6);
	q->daddr = a6(PEER6);
	memcpy(p + 40, l4hdr, 8);
	return 48;
}

/* A grab bag checked against Linux with diff-kernel: options in a
 * destination options header, a misplaced hop-by-hop header, router
 * and neighbour messages a host ignores, multicast UDP, errors received,
 * hop limit 0, traffic class kept, an MLDv2 report for another group. */
static void ipv6_misc(struct mk_ctx *c)
{
	static const uint8_t pad4[8] = { 0, 0, IPV6_TLV_PADN, 4 };
	size_t n;
	memcpy(l4, "\x3a\x00\x9e\x02\x00\x00\x01\x00", 8);		/* unknown option, action 10 */
	n = echo6(l4 + 8, PEER6, HOST6, 0x5151, 1, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_DEST, 64, l4, 8 + n));
	memcpy(l4, pad4, 8);						/* hop-by-hop after it */
	memcpy(l4 + 8, pad4, 8);
	l4[8] = NEXTHDR_ICMP;
	n = echo6(l4 + 16, PEER6, HOST6, 0x5151, 2, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_DEST, 64, l4, 16 + n));
	memset(l4, 0, 16);						/* RS to all-routers */
	l4[0] = NDISC_ROUTER_SOLICITATION;
	l4[8] = 1;
	l4[9] = 1;
	memcpy(l4 + 10, PB_PEER_MAC, 6);
	csum6(PEER6_LL, "ff02::2", NEXTHDR_ICMP, l4, 16, 2);
	mk_emit(c, frame, pb6(PEER6_LL, "ff02::2", NEXTHDR_ICMP, 255, l4, 16));
	struct in6 p6 = a6(PEER6);					/* unsolicited NA, override */
	memset(l4, 0, 32);
	l4[0] = NDISC_NEIGHBOUR_ADVERTISEMENT;
	l4[4] = 0x20;
	memcpy(l4 + 8, p6.s6, 16);
	l4[24] = 2;
	l4[25] = 1;
	memcpy(l4 + 26, PB_PEER_MAC, 6);
	csum6(PEER6, "ff02::1", NEXTHDR_ICMP, l4, 32, 2);
	mk_emit(c, frame, pb6(PEER6, "ff02::1", NEXTHDR_ICMP, 255, l4, 32));
	memset(l4, 0, 16);						/* 12 bytes of padding */
	l4[0] = NEXTHDR_ICMP;
	l4[1] = 1;
	l4[2] = IPV6_TLV_PADN;
	l4[3] = 10;
	n = echo6(l4 + 16, PEER6, HOST6, 0x5151, 5, 16);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_HOP, 64, l4, 16 + n));
	n = echo6(l4, PEER6, HOST6, 0x5151, 6, 16);			/* code 1: answered with it */
	l4[1] = 1;
	csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, n, 2);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
	n = udp6(l4, PEER6, "ff02::1", 40000, 9999, "hi");		/* Udp6.IgnoredMulti */
	mk_emit(c, frame, pb6(PEER6, "ff02::1", NEXTHDR_UDP, 64, l4, n));
	memset(l4, 0, 8);						/* port unreachable for us */
	l4[0] = ICMPV6_DEST_UNREACH;
	l4[1] = ICMPV6_PORT_UNREACH;
	n = 8 + quote6(l4 + 8, NEXTHDR_UDP, (const uint8_t *)"\x00\x07\x9c\x40\x00\x0a\x00\x00");
	csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, n, 2);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
	memcpy(l4, pad4, 8);						/* SYN behind destination options */
	l4[0] = NEXTHDR_TCP;
	n = syn6(l4 + 8, PEER6, HOST6, 40000, 81, 1000);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_DEST, 64, l4, 8 + n));
	memcpy(l4, pad4, 8);						/* unknown next header at offset 40 */
	l4[0] = 253;
	memset(l4 + 8, 0, 8);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_DEST, 64, l4, 16));
	n = echo6(l4, PEER6, HOST6, 0x5151, 11, 16);			/* hop limit 0: a host takes it */
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 0, l4, n));
	memset(l4, 0, 8);						/* Packet Too Big about our reply */
	l4[0] = ICMPV6_PKT_TOOBIG;
	l4[6] = 5;
	n = 8 + quote6(l4 + 8, NEXTHDR_ICMP, (const uint8_t *)"\x81\x00\x00\x00\x00\x01\x00\x01");
	csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, n, 2);
	mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "ff02::1:ff00:2", 0x5151, 13, 16);	/* to our solicited-node group */
	mk_emit(c, frame, pb6(PEER6, "ff02::1:ff00:2", NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, HOST6, 0x5151, 14, 16);			/* traffic class 0xb8 kept */
	size_t len = pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n);
	frame[14] = 0x6b;
	frame[15] = 0x80;
	mk_emit(c, frame, len);
	memcpy(l4, "\x3a\x00\x05\x02\x00\x00\x01\x00", 8);		/* MLDv2 report, router alert */
	memset(l4 + 8, 0, 28);
	l4[8] = ICMPV6_MLD2_REPORT;
	l4[15] = 1;
	l4[16] = 4;
	struct in6 g = a6("ff02::1:ff00:1");
	memcpy(l4 + 20, g.s6, 16);
	csum6(PEER6_LL, "ff02::16", NEXTHDR_ICMP, l4 + 8, 28, 2);
	mk_emit(c, frame, pb6(PEER6_LL, "ff02::16", NEXTHDR_HOP, 1, l4, 36));
}

/* ipv6-forward: a router between fd00::/64 (eth0) and fd01::/64 (eth1,
 * MTU 1280) with IPv6 forwarding on; every frame arrives on eth0. */
static const char router6_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [\n"
	"    {\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],\"mtu\":1500},\n"
	"    {\"name\":\"eth1\",\"mac\":\"02:00:00:00:01:01\",\"addrs\":[\"192.168.1.1/24\",\"fd01::1/64\"],\"mtu\":1280}],\n"
	"  \"neighbours\": [\n"
	"    {\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd01::10\",\"mac\":\"02:00:00:00:01:0a\",\"dev\":\"eth1\"},\n"
	"    {\"ip\":\"fd00::5\",\"mac\":\"02:00:00:00:00:05\",\"dev\":\"eth0\"}],\n"
	"  \"ipv6\": {\"forwarding\": true}\n"
	"}\n";

static void ipv6_forward(struct mk_ctx *c)
{
	const char *lan = "fd01::10";
	size_t n = echo6(l4, PEER6, lan, 0x6161, 1, 56);			/* forwarded out of eth1 */
	mk_emit(c, frame, pb6(PEER6, lan, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, lan, 0x6161, 2, 56);				/* hop limit 1: time exceeded */
	mk_emit(c, frame, pb6(PEER6, lan, NEXTHDR_ICMP, 1, l4, n));
	n = echo6(l4, PEER6, lan, 0x6161, 3, 1352);				/* 1400 bytes > 1280: too big */
	mk_emit(c, frame, pb6(PEER6, lan, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6_LL, lan, 0x6161, 4, 16);				/* link-local source: beyond scope */
	mk_emit(c, frame, pb6(PEER6_LL, lan, NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "fd02::5", 0x6161, 5, 16);			/* no route: unreachable */
	mk_emit(c, frame, pb6(PEER6, "fd02::5", NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "fd01::1", 0x6161, 6, 16);			/* the router's other address */
	mk_emit(c, frame, pb6(PEER6, "fd01::1", NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "fd00::5", 0x6161, 7, 16);			/* same link: redirect, then forward */
	mk_emit(c, frame, pb6(PEER6, "fd00::5", NEXTHDR_ICMP, 64, l4, n));
	n = echo6(l4, PEER6, "fd01::", 0x6161, 8, 16);			/* subnet-router anycast: answered */
	mk_emit(c, frame, pb6(PEER6, "fd01::", NEXTHDR_ICMP, 64, l4, n));
}

/* ICMPv6 errors about what the host sent, with no socket to take them:
 * UDP from port 5000 and TCP with no connection (Icmp6.InErrors, from
 * __udp6_lib_err and tcp_v6_err), then UDP from echo's port 7. */
static void ipv6_errors_in(struct mk_ctx *c)
{
	static const char *const l4hdr[3] = { "\x13\x88\x00\x35\x00\x40\x00\x00", "\x9c\x40\x00\x50\x00\x00\x03\xe8",
					      "\x00\x07\x9c\x40\x00\x40\x00\x00" };
	static const uint8_t nh[3] = { NEXTHDR_UDP, NEXTHDR_TCP, NEXTHDR_UDP };
	for (int i = 0; i < 3; i++) {
		memset(l4, 0, 8);
		l4[0] = ICMPV6_DEST_UNREACH;
		l4[1] = i == 1 ? 0 : ICMPV6_PORT_UNREACH;
		size_t n = 8 + quote6(l4 + 8, nh[i], (const uint8_t *)l4hdr[i]);
		csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, n, 2);
		mk_emit(c, frame, pb6(PEER6, HOST6, NEXTHDR_ICMP, 64, l4, n));
	}
}

/* The recorded host's own TCP segment to fd00::77 (a RST, no socket
 * behind it) shows that neighbour's MAC; its ping and UDP to a closed port
 * are then answered at that MAC with no solicitation first. */
static void ipv6_recorded_neigh(struct mk_ctx *c)
{
	static const uint8_t host_mac[6] = { 2, 0, 0, 0, 0, 1 }, nb_mac[6] = { 2, 0, 0, 0, 0, 0x77 };
	const char *nb = "fd00::77";
	syn6(l4, HOST6, nb, 4000, 5000, 1);
	l4[13] = TCPHDR_RST | TCPHDR_ACK;
	l4[8] = 0x11;			/* ack 0x11000000 */
	csum6(HOST6, nb, NEXTHDR_TCP, l4, 20, 16);
	size_t n = pb6(HOST6, nb, NEXTHDR_TCP, 64, l4, 20);
	memcpy(frame, nb_mac, 6);
	memcpy(frame + 6, host_mac, 6);
	mk_emit(c, frame, n);
	n = pb6(nb, HOST6, NEXTHDR_ICMP, 64, l4, echo6(l4, nb, HOST6, 0x7777, 1, 8));
	memcpy(frame + 6, nb_mac, 6);
	mk_emit(c, frame, n);
	n = pb6(nb, HOST6, NEXTHDR_UDP, 64, l4, udp6(l4, nb, HOST6, 5001, 9999, "closed?"));
	memcpy(frame + 6, nb_mac, 6);
	mk_emit(c, frame, n);
}

const struct mk_scenario mk_ipv6_scenarios[] = {
	{ "ipv6-echo", "ICMPv6 echo requests to fd00::2, to the link-local address and to all-nodes ff02::1", ipv6_echo,
	  NULL },
	{ "ipv6-ndisc", "neighbour solicitations: to the solicited-node group, unicast, not ours, hop limit 64, DAD",
	  ipv6_ndisc, NULL },
	{ "ipv6-ndisc-resolve", "a ping from an unknown neighbour: the reply waits for a solicitation's answer",
	  ipv6_ndisc_resolve, NULL },
	{ "ipv6-unknown-nexthdr", "next header 253 (parameter problem code 1 at offset 6), then next header 59",
	  ipv6_unknown_nexthdr, NULL },
	{ "ipv6-hbh", "hop-by-hop options of each action (00 skip, 01 discard, 10 and 11 parameter problem), router alert, "
	  "a group destination, bad PadN", ipv6_hbh, NULL },
	{ "ipv6-rthdr", "routing headers: type 0 with a segment left (refused), with none left, segment routing",
	  ipv6_rthdr, NULL },
	{ "ipv6-frag", "fragmented echo requests in order and reversed, one whose reply needs fragmenting, and an atomic "
	  "fragment", ipv6_frag, NULL },
	{ "ipv6-frag-bad", "an overlap (RFC 5722), a non-final fragment not a multiple of 8, a first fragment that times out",
	  ipv6_frag_bad, NULL },
	{ "ipv6-frag-timeout-at-end", "the capture ends while two queues wait for fragments: ip6frag_time after, time "
	  "exceeded for the one whose first fragment came, silence for the other", ipv6_frag_timeout_at_end, NULL },
	{ "ipv6-many-hosts", "300 addresses solicit us and ping, then ping again: all 300 stay in the neighbour cache "
	  "(gc_thresh3 1024) and every reply goes without a solicitation", ipv6_many_hosts, NULL },
	{ "ipv6-unresolved", "UDP to a closed port from three addresses that never answer solicitation, an echo from a "
	  "fourth: the held echo reply gets an address unreachable over lo, the held port unreachables none",
	  ipv6_unresolved, NULL },
	{ "ipv6-frag-flood", "--count N (2048) unfinished datagrams: refused past ip6frag_high_thresh (ReasmFails)",
	  ipv6_frag_flood, NULL },
	{ "ipv6-udp", "UDP over IPv6 to echo port 7, to closed port 9999, and with a zero checksum", ipv6_udp, NULL },
	{ "ipv6-tcp-syn", "TCP over IPv6 to closed port 81: a SYN and a bare ACK get RSTs, a RST gets nothing", ipv6_tcp_syn,
	  NULL },
	{ "ipv6-hdr", "ip6_rcv_core's checks: version 4, payload_len too long, short header, ::1 and multicast sources, "
	  "a bad ICMPv6 checksum, a destination not ours", ipv6_hdr_checks, NULL },
	{ "ipv6-misc", "destination options, a misplaced hop-by-hop header, RS, unsolicited NA, too much padding, multicast "
	  "UDP, errors received, SYN behind options, hop limit 0, traffic class, an MLDv2 report", ipv6_misc, NULL },
	{ "ipv6-forward", "an IPv6 router (forwarding on): forwarded, hop limit 1, too big for eth1's 1280, a link-local "
	  "source, no route, its own other address, a redirect, the subnet-router anycast address", ipv6_forward,
	  router6_json },
	{ "ipv6-errors-in", "ICMPv6 errors about what the host sent: UDP from a port with no socket and TCP with no "
	  "connection (Icmp6.InErrors), UDP from echo's port (the socket's error)", ipv6_errors_in, NULL },
	{ "ipv6-recorded-neigh", "the host's own TCP segment (a recorded transmit) names fd00::77's MAC: its ping and "
	  "UDP are answered there with no solicitation", ipv6_recorded_neigh, NULL },
	{ NULL, NULL, NULL, NULL },
};
