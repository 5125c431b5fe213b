/*
 * mkpcap_pmtu.c - path MTU discovery scenario pcaps (stack/route.c's
 * nexthop exceptions, tcp_v4_mtu_reduced): the peer 10.0.0.1 says, with
 * ICMP "fragmentation needed", that the path to it is narrower than the
 * host's 1500-byte link, and the host sends smaller from then on. The
 * errors quote what the host sent: an echo reply, a UDP reply, a TCP
 * segment (its seq from the stack's own tcp_isn, as mkpcap_transport.c).
 */
#include <stdio.h>
#include <string.h>

#include "ip.h"
#include "ipv6.h"
#include "mkpcap.h"
#include "tcp.h"

#define HOST "10.0.0.2"
#define PEER "10.0.0.1"

static uint8_t frame[2048], l4[1600];

/* An ICMP frag-needed from the peer with next-hop MTU mtu, quoting an IPv4
 * header from the host to qdst (proto, tot_len) and the first 8 bytes
 * after it. */
static void mk_frag_needed_to(struct mk_ctx *c, uint32_t qdst, uint16_t mtu, uint8_t proto, uint16_t tot_len,
			      const uint8_t q8[8])
{
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = IPPROTO_ICMP_ };
	struct iphdr *q = (struct iphdr *)(l4 + 8);

	memset(l4, 0, 36);
	l4[0] = ICMP_DEST_UNREACH;
	l4[1] = ICMP_FRAG_NEEDED;
	l4[6] = (uint8_t)(mtu >> 8);
	l4[7] = (uint8_t)mtu;
	q->ihl_version = 0x45;
	q->tot_len = htons(tot_len);
	q->frag_off = htons(IP_DF);
	q->ttl = 64;
	q->protocol = proto;
	q->saddr = pb_ip(HOST);
	q->daddr = qdst;
	q->check = ip_fast_csum(q, 5);
	memcpy(l4 + 28, q8, 8);
	uint16_t sum = htons(csum_fold(csum_partial(l4, 36, 0)));
	memcpy(l4 + 2, &sum, 2);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, 36));
}

static void mk_frag_needed(struct mk_ctx *c, uint16_t mtu, uint8_t proto, uint16_t tot_len, const uint8_t q8[8])
{
	mk_frag_needed_to(c, pb_ip(PEER), mtu, proto, tot_len, q8);
}

static void mk_ping(struct mk_ctx *c, uint16_t seq, size_t datalen)
{
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = IPPROTO_ICMP_, .id = seq };
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 0x4a4a, seq, datalen);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/* The error about the echo reply to ping seq (its 8 quoted bytes: type 0,
 * code 0, a checksum nobody checks, id, seq). */
static void mk_frag_needed_echo(struct mk_ctx *c, uint16_t mtu, uint16_t seq, size_t datalen)
{
	const uint8_t q8[8] = { ICMP_ECHOREPLY, 0, 0, 0, 0x4a, 0x4a, (uint8_t)(seq >> 8), (uint8_t)seq };
	mk_frag_needed(c, mtu, IPPROTO_ICMP_, (uint16_t)(28 + datalen), q8);
}

static void mk_udp_echo(struct mk_ctx *c, uint16_t sport, size_t len)
{
	static uint8_t data[1600];
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = IPPROTO_UDP_, .id = sport };
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)('a' + i % 26);
	size_t n = pb_udp(l4, o.saddr, o.daddr, sport, 7, data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/*
 * icmp-pmtu: echo replies and UDP echoes against the learned path MTU.
 *  1. A 1473-byte UDP echo: the 1501-byte reply is fragmented at the
 *     link's 1500 (a UDP socket sets DF only on what fits).
 *  2. A 1472-byte ping: its reply fills the link (1500, no DF: ICMP's
 *     own socket never sets it). Then "fragmentation needed, MTU 1400"
 *     about that reply: the next one goes in fragments of 1400.
 *  3. A claim of 1450 is ignored (the path is already narrower); one of
 *     500, below ip_rt_min_pmtu, sets 552 and locks it.
 *  4. A UDP echo after it: fragments of 552.
 */
static void icmp_pmtu(struct mk_ctx *c)
{
	mk_udp_echo(c, 40100, 1473);
	mk_advance(c, 10000);
	mk_ping(c, 1, 1472);
	mk_advance(c, 10000);
	mk_frag_needed_echo(c, 1400, 1, 1472);
	mk_advance(c, 10000);
	mk_ping(c, 2, 1472);
	mk_advance(c, 10000);
	mk_frag_needed_echo(c, 1450, 2, 1472);
	mk_advance(c, 10000);
	mk_ping(c, 3, 1472);
	mk_advance(c, 10000);
	mk_frag_needed_echo(c, 500, 3, 1472);
	mk_advance(c, 10000);
	mk_ping(c, 4, 1472);
	mk_advance(c, 10000);
	mk_udp_echo(c, 40101, 1000);
}

/* A TCP segment from the peer (MSS 1460 on a SYN, no other option). */
static void mk_tcp_seg(struct mk_ctx *c, uint16_t pport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data,
		       size_t len)
{
	static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = IPPROTO_TCP_, .id = pport };
	int syn = flags & TCPHDR_SYN;
	size_t n = pb_tcp(l4, o.saddr, o.daddr, pport, 7, seq, ack, flags, 64240, syn ? mss_opt : NULL, syn ? 4 : 0,
			  data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/* The 8 bytes an error quotes of the host's segment seq, port 7 > pport. */
static void tcp_quote8(uint8_t q8[8], uint16_t pport, uint32_t seq)
{
	q8[0] = 0, q8[1] = 7;
	q8[2] = (uint8_t)(pport >> 8), q8[3] = (uint8_t)pport;
	for (int i = 0; i < 4; i++)
		q8[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
}

/* The error about the host's segment seq from port 7 to pport, tot_len long. */
static void mk_frag_needed_tcp(struct mk_ctx *c, uint16_t mtu, uint16_t pport, uint32_t seq, uint16_t tot_len)
{
	uint8_t q8[8];
	tcp_quote8(q8, pport, seq);
	mk_frag_needed(c, mtu, IPPROTO_TCP_, tot_len, q8);
}

/* An echo connection: handshake (the host's ISN from tcp_isn at the SYN's
 * time); returns the host's next seq. */
static uint32_t mk_echo_connect(struct mk_ctx *c, uint16_t pport, uint32_t isn)
{
	uint32_t host = tcp_isn(pb_ip(PEER), pb_ip(HOST), htons(pport), htons(7), c->t_us * 1000) + 1;
	mk_tcp_seg(c, pport, isn, 0, TCPHDR_SYN, NULL, 0);
	mk_tcp_seg(c, pport, isn + 1, host, TCPHDR_ACK, NULL, 0);
	return host;
}

/*
 * tcp-pmtu: TCP and path MTU discovery (tcp_v4_mtu_reduced).
 *  1. 1460 bytes to echo come back in one 1460-byte segment; a
 *     frag-needed with MTU 1400 about it: the MSS drops to 1360 and the
 *     segment goes again as 1360 + 100 (tcp_simple_retransmit).
 *  2. The peer acknowledges; a claim of 1450 changes nothing.
 *  3. A new connection from the same peer: the SYN-ACK offers MSS 1360
 *     (the route's path MTU, its window 48 such segments), and 1360
 *     bytes come back in one full segment.
 */
static void tcp_pmtu(struct mk_ctx *c)
{
	static uint8_t data[1460];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('A' + i % 26);
	uint32_t h = mk_echo_connect(c, 40110, 1000);
	mk_advance(c, 10000);
	mk_tcp_seg(c, 40110, 1001, h, TCPHDR_ACK | TCPHDR_PSH, data, sizeof(data));
	mk_advance(c, 10000);
	mk_frag_needed_tcp(c, 1400, 40110, h, 1500);
	mk_advance(c, 10000);
	mk_tcp_seg(c, 40110, 1001 + 1460, h + 1460, TCPHDR_ACK, NULL, 0);
	mk_advance(c, 10000);
	mk_frag_needed_tcp(c, 1450, 40110, h, 1500);
	mk_advance(c, 10000);
	uint32_t h2 = mk_echo_connect(c, 40111, 5000);
	mk_advance(c, 10000);
	mk_tcp_seg(c, 40111, 5001, h2, TCPHDR_ACK | TCPHDR_PSH, data, 1360);
	mk_advance(c, 10000);
	mk_tcp_seg(c, 40111, 5001 + 1360, h2 + 1360, TCPHDR_ACK, NULL, 0);
}

#define HOST6 "fd00::2"
#define PEER6 "fd00::1"

static void mk_ping6(struct mk_ctx *c, uint16_t seq, size_t datalen)
{
	memset(l4, 0, 8);
	l4[0] = ICMPV6_ECHO_REQUEST;
	l4[4] = 0x4a, l4[5] = 0x4a;
	l4[6] = (uint8_t)(seq >> 8), l4[7] = (uint8_t)seq;
	for (size_t i = 0; i < datalen; i++)
		l4[8 + i] = (uint8_t)i;
	pb_csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, 8 + datalen, 2);
	mk_emit(c, frame, pb_eth_ip6(frame, PEER6, HOST6, NEXTHDR_ICMP, 64, l4, 8 + datalen));
}

/* A Packet Too Big from the peer quoting the host's IPv6 header to qdst
 * (nexthdr, payload length plen) and the 8 bytes after it. */
static void mk_ptb_to(struct mk_ctx *c, const char *qdst, uint32_t mtu, uint8_t nexthdr, uint16_t plen,
		      const uint8_t q8[8])
{
	struct in6 h, p;
	in6_pton(HOST6, &h);
	in6_pton(qdst, &p);
	memset(l4, 0, 56);
	l4[0] = ICMPV6_PKT_TOOBIG;
	for (int i = 0; i < 4; i++)
		l4[4 + i] = (uint8_t)(mtu >> (24 - 8 * i));
	l4[8] = 0x60;
	l4[12] = (uint8_t)(plen >> 8), l4[13] = (uint8_t)plen;
	l4[14] = nexthdr;
	l4[15] = 64;
	memcpy(l4 + 16, h.s6, 16);
	memcpy(l4 + 32, p.s6, 16);
	memcpy(l4 + 48, q8, 8);
	pb_csum6(PEER6, HOST6, NEXTHDR_ICMP, l4, 56, 2);
	mk_emit(c, frame, pb_eth_ip6(frame, PEER6, HOST6, NEXTHDR_ICMP, 64, l4, 56));
}

static void mk_ptb(struct mk_ctx *c, uint32_t mtu, uint8_t nexthdr, uint16_t plen, const uint8_t q8[8])
{
	mk_ptb_to(c, PEER6, mtu, nexthdr, plen, q8);
}

static void mk_ptb_echo(struct mk_ctx *c, uint32_t mtu, uint16_t seq, size_t datalen)
{
	const uint8_t q8[8] = { ICMPV6_ECHO_REPLY, 0, 0, 0, 0x4a, 0x4a, (uint8_t)(seq >> 8), (uint8_t)seq };
	mk_ptb(c, mtu, NEXTHDR_ICMP, (uint16_t)(8 + datalen), q8);
}

static void mk_tcp6_seg(struct mk_ctx *c, uint16_t pport, uint32_t seq, uint32_t ack, uint8_t flags,
			const uint8_t *data, size_t len)
{
	static const uint8_t mss1440[4] = { 2, 4, 0x05, 0xa0 };
	int syn = flags & TCPHDR_SYN;
	size_t ol = syn ? 4 : 0;
	memset(l4, 0, 20);
	l4[0] = (uint8_t)(pport >> 8), l4[1] = (uint8_t)pport;
	l4[3] = 7;
	for (int i = 0; i < 4; i++) {
		l4[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		l4[8 + i] = (uint8_t)(flags & TCPHDR_ACK ? ack >> (24 - 8 * i) : 0);
	}
	l4[12] = (uint8_t)(((20 + ol) / 4) << 4);
	l4[13] = flags;
	l4[14] = 0xfa, l4[15] = 0xf0;	/* window 64240 */
	if (syn)
		memcpy(l4 + 20, mss1440, 4);
	memcpy(l4 + 20 + ol, data, len);
	pb_csum6(PEER6, HOST6, NEXTHDR_TCP, l4, 20 + ol + len, 16);
	mk_emit(c, frame, pb_eth_ip6(frame, PEER6, HOST6, NEXTHDR_TCP, 64, l4, 20 + ol + len));
}

static uint32_t mk_echo6_connect(struct mk_ctx *c, uint16_t pport, uint32_t isn)
{
	struct in6 p, h;
	in6_pton(PEER6, &p);
	in6_pton(HOST6, &h);
	uint32_t host = tcp_isn(ipv6_addr_hash(&p), ipv6_addr_hash(&h), htons(pport), htons(7), c->t_us * 1000) + 1;
	mk_tcp6_seg(c, pport, isn, 0, TCPHDR_SYN, NULL, 0);
	mk_tcp6_seg(c, pport, isn + 1, host, TCPHDR_ACK, NULL, 0);
	return host;
}

static void mk_udp6_echo(struct mk_ctx *c, uint16_t sport, size_t len)
{
	memset(l4, 0, 8);
	l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
	l4[3] = 7;
	l4[4] = (uint8_t)((8 + len) >> 8), l4[5] = (uint8_t)(8 + len);
	for (size_t i = 0; i < len; i++)
		l4[8 + i] = (uint8_t)('a' + i % 26);
	pb_csum6(PEER6, HOST6, NEXTHDR_UDP, l4, 8 + len, 6);
	mk_emit(c, frame, pb_eth_ip6(frame, PEER6, HOST6, NEXTHDR_UDP, 64, l4, 8 + len));
}

/*
 * ipv6-pmtu: path MTU discovery over IPv6 (RFC 8201).
 *  1. TCP to echo (MSS 1440): 1440 bytes come back whole; a Packet Too Big
 *     (1400) about them: MSS 1340, sent again as 1340 + 100.
 *  2. A 1452-byte ping6: its reply goes in fragments of 1400 (the host
 *     fragments what it builds); claims of 1200 (below 1280) and 1450
 *     change nothing.
 *  3. A new connection's SYN-ACK offers 1340; a 1452-byte UDP echo
 *     comes back in fragments of 1400.
 */
static void ipv6_pmtu(struct mk_ctx *c)
{
	static uint8_t data[1440];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('A' + i % 26);
	uint32_t h = mk_echo6_connect(c, 40120, 1000);
	mk_advance(c, 10000);
	mk_tcp6_seg(c, 40120, 1001, h, TCPHDR_ACK | TCPHDR_PSH, data, sizeof(data));
	mk_advance(c, 10000);
	uint8_t q8[8];
	tcp_quote8(q8, 40120, h);
	mk_ptb(c, 1400, NEXTHDR_TCP, 20 + 1440, q8);
	mk_advance(c, 10000);
	mk_tcp6_seg(c, 40120, 1001 + 1440, h + 1440, TCPHDR_ACK, NULL, 0);
	mk_advance(c, 10000);
	mk_ping6(c, 1, 1452);
	mk_advance(c, 10000);
	mk_ptb_echo(c, 1200, 1, 1452);
	mk_ptb_echo(c, 1450, 1, 1452);
	mk_advance(c, 10000);
	mk_ping6(c, 2, 1452);
	mk_advance(c, 10000);
	uint32_t h2 = mk_echo6_connect(c, 40121, 5000);
	mk_advance(c, 10000);
	mk_tcp6_seg(c, 40121, 5001, h2, TCPHDR_ACK | TCPHDR_PSH, data, 1340);
	mk_advance(c, 10000);
	mk_tcp6_seg(c, 40121, 5001 + 1340, h2 + 1340, TCPHDR_ACK, NULL, 0);
	mk_advance(c, 10000);
	mk_udp6_echo(c, 40122, 1452);
}

/* bench-pmtu-flood (tests/hostile): --count N errors, each about an echo
 * reply to another destination (v4 11.0.0.0 + i, v6 fd01::i), with
 * path MTUs from 500 to 1499: every one makes or recycles a route
 * exception, and the tables must stay bounded. */
static void pmtu_flood(struct mk_ctx *c)
{
	static const uint8_t q8[8] = { ICMP_ECHOREPLY, 0, 0, 0, 0x4a, 0x4a, 0, 1 };
	static const uint8_t q8v6[8] = { ICMPV6_ECHO_REPLY, 0, 0, 0, 0x4a, 0x4a, 0, 1 };
	unsigned long n = c->param ? c->param : 4096;
	c->step_us = 10;
	for (unsigned long i = 0; i < n; i++) {
		uint16_t mtu = (uint16_t)(500 + i % 1000);
		if (i % 2) {
			char d6[48];
			snprintf(d6, sizeof(d6), "fd01::%lx:%lx", (i >> 16) & 0xffff, i & 0xffff);
			mk_ptb_to(c, d6, mtu + 800u, NEXTHDR_ICMP, 64, q8v6);
		} else {
			mk_frag_needed_to(c, htonl(0x0b000000u + (uint32_t)i), mtu, IPPROTO_ICMP_, 1500, q8);
		}
	}
	mk_ping(c, 1, 1472);	/* the peer's own path is untouched: a whole reply */
}

const struct mk_scenario mk_pmtu_scenarios[] = {
	{ "bench-pmtu-flood", "--count N (4096) frag-needed and Packet Too Big errors, each about a reply to "
	  "another destination: the route exception tables stay bounded", pmtu_flood, NULL },
	{ "ipv6-pmtu", "IPv6 path MTU discovery: a Packet Too Big (1400) about a 1440-byte TCP echo: MSS 1340, the "
	  "segment goes again as 1340 + 100; echo replies and a UDP echo then come back in 1400-byte fragments "
	  "(claims of 1200 and 1450 change nothing); a new connection offers MSS 1340", ipv6_pmtu, NULL },
	{ "tcp-pmtu", "TCP and path MTU discovery: a frag-needed (MTU 1400) about a 1460-byte echo lowers the MSS "
	  "to 1360 and the segment goes again as 1360 + 100; a new connection's SYN-ACK offers 1360",
	  tcp_pmtu, NULL },
	{ "icmp-pmtu", "path MTU discovery for echo replies and UDP: a frag-needed about a 1500-byte reply makes "
	  "the next ones 1400-byte fragments; a wider claim is ignored, one below 552 sets 552; a UDP reply too "
	  "long for the path goes in fragments without DF", icmp_pmtu, NULL },
	{ NULL, NULL, NULL, NULL },
};
