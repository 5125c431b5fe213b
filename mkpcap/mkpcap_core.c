/*
 * mkpcap_core.c - the foundation's scenario pcaps: what ip_rcv and the
 * device layer accept and refuse, against the default host (10.0.0.2,
 * 02:00:00:00:00:01; the peer 10.0.0.1 is 02:00:00:00:00:aa).
 */
#include <string.h>

#include "ip.h"
#include "mkpcap.h"

#define HOST "10.0.0.2"
#define PEER "10.0.0.1"

static uint8_t frame[2048], l4[1600];

static struct pb_ipopt ip_to_host(uint8_t proto)
{
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = proto, .id = 0x1c46 };
	return o;
}

static void emit_ping(struct mk_ctx *c, struct pb_ipopt *o, uint16_t seq)
{
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 0x4a4a, seq, 56);
	mk_emit(c, frame, pb_eth_ip(frame, o, l4, n));
}

static void icmp_echo(struct mk_ctx *c)
{
	for (uint16_t seq = 1; seq <= 3; seq++) {
		struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
		o.id = (uint16_t)(0x1c46 + seq);
		emit_ping(c, &o, seq);
		mk_advance(c, 999000);
	}
}

static void udp_datagram(struct mk_ctx *c)
{
	static const char msg[] = "hello, echo";
	struct pb_ipopt o = ip_to_host(IPPROTO_UDP_);
	size_t n = pb_udp(l4, o.saddr, o.daddr, 40000, 7, msg, sizeof(msg) - 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	n = pb_udp(l4, o.saddr, o.daddr, 40001, 9999, msg, sizeof(msg) - 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void tcp_syn(struct mk_ctx *c)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct pb_ipopt o = ip_to_host(IPPROTO_TCP_);
	size_t n = pb_tcp(l4, o.saddr, o.daddr, 40000, 80, 1000, 0, TCPHDR_SYN, 64240, mss, 4, NULL, 0, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	n = pb_tcp(l4, o.saddr, o.daddr, 40001, 81, 2000, 0, TCPHDR_SYN, 64240, mss, 4, NULL, 0, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void ip_bad_csum(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.bad_csum = 1;
	emit_ping(c, &o, 1);
}

static void ip_bad_version(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.version = 5;
	emit_ping(c, &o, 1);
}

static void ip_short_header(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 1, 1, 56);
	pb_eth_ip(frame, &o, l4, n);
	mk_emit(c, frame, ETH_HLEN + 12);		/* 12 of 20 header bytes */
	o.ihl = 4;					/* ihl below the minimum */
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void ip_totlen_too_big(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.tot_len_delta = 100;
	emit_ping(c, &o, 1);
	o.tot_len_delta = -(int)(8 + 56 + 1);		/* tot_len 19 < header */
	emit_ping(c, &o, 2);
}

static void ip_padding(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_UDP_);
	o.pad = 16;
	size_t n = pb_udp(l4, o.saddr, o.daddr, 40000, 7, "x", 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void eth_otherhost(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.dmac = (const uint8_t *)"\x02\x00\x00\x00\x00\x77";
	emit_ping(c, &o, 1);
}

static void eth_ipv6(struct mk_ctx *c)
{
	memcpy(frame, PB_HOST_MAC, 6);
	memcpy(frame + 6, PB_PEER_MAC, 6);
	frame[12] = 0x86;
	frame[13] = 0xdd;
	memset(frame + 14, 0, 40);
	frame[14] = 0x60;
	frame[20] = 58;				/* next header ICMPv6 */
	frame[21] = 64;
	mk_emit(c, frame, 14 + 40);
}

/* An ARP frame from smac: op, sender (sha, sip), target tip; hrd and hln
 * as given (1 and 6 for Ethernet). */
static void arp_frame(struct mk_ctx *c, int op, const uint8_t *dmac, const uint8_t *sha, const char *sip,
		      const char *tip, int hrd, int hln)
{
	static const uint8_t zero[6];
	size_t n = pb_arp(frame, op, dmac, sha, pb_ip(sip), zero, pb_ip(tip));
	frame[14] = (uint8_t)(hrd >> 8), frame[15] = (uint8_t)hrd;
	frame[18] = (uint8_t)hln;
	mk_emit(c, frame, n);
}

/* Checked against Linux with diff-kernel. Senders 10.0.0.7 (asked for
 * us: learned), .9 (gratuitous, unknown: not learned) and .10 (an
 * unsolicited reply: not learned) then ping. */
static void arp_edges(struct mk_ctx *c)
{
	static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 0xbb }, m2[6] = { 2, 0, 0, 0, 0, 0xcc };
	static const uint8_t m3[6] = { 2, 0, 0, 0, 0, 0xdd };
	const uint8_t *B = PB_BCAST_MAC;
	arp_frame(c, ARPOP_REQUEST, B, m1, "10.0.0.7", HOST, 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m2, "10.0.0.8", "10.0.0.99", 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m3, "10.0.0.9", "10.0.0.9", 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m2, "10.0.0.7", "10.0.0.7", 1, 6);	/* a known sender's new MAC */
	arp_frame(c, ARPOP_REPLY, PB_HOST_MAC, m3, "10.0.0.10", HOST, 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m3, "0.0.0.0", HOST, 1, 6);		/* RFC 5227 probe */
	arp_frame(c, ARPOP_REQUEST, B, m3, "10.0.0.11", HOST, 6, 6);		/* IEEE 802 */
	arp_frame(c, ARPOP_REQUEST, B, m3, "10.0.0.11", HOST, 1, 8);
	arp_frame(c, 3, B, m3, "10.0.0.11", HOST, 1, 6);			/* RARP's op */
	arp_frame(c, ARPOP_REQUEST, B, m3, "127.0.0.1", HOST, 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m3, "224.0.0.1", HOST, 1, 6);
	arp_frame(c, ARPOP_REQUEST, B, m3, "10.0.0.13", "10.0.0.255", 1, 6);
	arp_frame(c, ARPOP_REQUEST, PB_HOST_MAC, m1, "10.0.0.7", HOST, 1, 6);	/* unicast (a NUD probe) */
	const char *src[3] = { "10.0.0.7", "10.0.0.9", "10.0.0.10" };
	const uint8_t *mac[3] = { m2, m3, m3 };
	for (int i = 0; i < 3; i++) {
		struct pb_ipopt o = { .saddr = pb_ip(src[i]), .daddr = pb_ip(HOST), .proto = IPPROTO_ICMP_,
				      .smac = mac[i] };
		size_t n = pb_icmp_echo(l4, ICMP_ECHO, 1, (uint16_t)(i + 1), 8);
		mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	}
}

static void eth_arp(struct mk_ctx *c)
{
	static const uint8_t zero[6] = { 0 };
	mk_emit(c, frame, pb_arp(frame, ARPOP_REQUEST, PB_BCAST_MAC, PB_PEER_MAC, pb_ip(PEER), zero, pb_ip(HOST)));
}

static void eth_unknown(struct mk_ctx *c)
{
	memcpy(frame, PB_HOST_MAC, 6);
	memcpy(frame + 6, PB_PEER_MAC, 6);
	frame[12] = 0x88;			/* 0x88b5: IEEE local experimental */
	frame[13] = 0xb5;
	memset(frame + 14, 0x42, 46);
	mk_emit(c, frame, 60);
}

static void eth_vlan(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.vlan = 0x1000;			/* VLAN 0: priority tag only */
	emit_ping(c, &o, 1);
	o.vlan = 11;				/* VLAN 11: no such VLAN device */
	emit_ping(c, &o, 2);
}

static void ip_not_ours(struct mk_ctx *c)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_ICMP_);
	o.daddr = pb_ip("192.0.2.77");
	emit_ping(c, &o, 1);
}

/* default: one of each, the pcap `make run` shows first. */
static void mixed_default(struct mk_ctx *c)
{
	icmp_echo(c);
	udp_datagram(c);
	tcp_syn(c);
	eth_arp(c);
	ip_bad_csum(c);
	ip_totlen_too_big(c);
	eth_otherhost(c);
	eth_ipv6(c);
}

/* bench-mix: the benchmark capture (issue: performance), --count frames of
 * pings, UDP to open and closed ports, TCP SYNs, 3-fragment datagrams, bad
 * checksums and ARP, from 250 peers, 10 µs apart. */
static void bench_one(struct mk_ctx *c, unsigned long i)
{
	struct pb_ipopt o = ip_to_host(IPPROTO_UDP_);
	o.saddr = htonl(0x0a000000u | (uint32_t)(3 + i % 250));
	o.id = (uint16_t)i;
	size_t n;
	switch (i % 8) {
	case 0: case 1:
		o.proto = IPPROTO_ICMP_;
		n = pb_icmp_echo(l4, ICMP_ECHO, (uint16_t)i, (uint16_t)(i >> 3), 56);
		break;
	case 2:
		n = pb_udp(l4, o.saddr, o.daddr, (uint16_t)(1024 + i % 5000), 7, "bench", 5, 0);
		break;
	case 3:
		n = pb_udp(l4, o.saddr, o.daddr, (uint16_t)(1024 + i % 5000), 9999, "bench", 5, 0);
		break;
	case 4:
		o.proto = IPPROTO_TCP_;
		n = pb_tcp(l4, o.saddr, o.daddr, (uint16_t)(1024 + i % 60000), i % 16 ? 80 : 81, (uint32_t)i * 7919,
			   0, TCPHDR_SYN, 64240, NULL, 0, NULL, 0, 0);
		break;
	case 5:
		o.proto = IPPROTO_ICMP_;
		o.bad_csum = 1;
		n = pb_icmp_echo(l4, ICMP_ECHO, 1, 1, 56);
		break;
	case 6: {
		static const uint8_t zero[6] = { 0 };
		mk_emit(c, frame, pb_arp(frame, ARPOP_REQUEST, PB_BCAST_MAC, PB_PEER_MAC, o.saddr, zero, o.daddr));
		return;
	}
	default: {
		/* a 3-fragment UDP datagram: 1200 bytes of payload in 400-byte pieces */
		static uint8_t dgram[1208], payload[1200];	/* zeros (l4 + 1300 read past l4) */
		size_t dl = pb_udp(dgram, o.saddr, o.daddr, 5000, 7, payload, sizeof(payload), 0);
		for (int f = 0; f < 3; f++) {
			o.frag = (uint16_t)((f < 2 ? IP_MF : 0) | (f * 400 / 8));
			size_t len = f < 2 ? 400 : dl - 800;
			mk_emit(c, frame, pb_eth_ip(frame, &o, dgram + f * 400, len));
		}
		return;
	}
	}
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void bench_mix(struct mk_ctx *c)
{
	unsigned long count = c->param ? c->param : 100000;
	c->step_us = 10;
	for (unsigned long i = 0; c->count < count; i++)
		bench_one(c, i);
}

const struct mk_scenario mk_core_scenarios[] = {
	{ "default", "a little of everything: ping, UDP, TCP SYNs, ARP, a bad checksum, a short packet, OTHERHOST, IPv6", mixed_default, NULL },
	{ "icmp-echo", "three ICMP echo requests to the host, one per second", icmp_echo, NULL },
	{ "udp", "UDP to port 7 (echo) and to closed port 9999", udp_datagram, NULL },
	{ "tcp-syn", "TCP SYN to port 80 (listening) and to closed port 81", tcp_syn, NULL },
	{ "ip-bad-csum", "an echo request whose IP header checksum is wrong (IP_CSUM)", ip_bad_csum, NULL },
	{ "ip-bad-version", "an IPv4 frame whose version field says 5 (IP_INHDR)", ip_bad_version, NULL },
	{ "ip-short-header", "12 bytes of IP header; then ihl=4 (IP_INHDR)", ip_short_header, NULL },
	{ "ip-totlen-too-big", "tot_len 100 bytes beyond the frame (PKT_TOO_SMALL); then tot_len 19 (IP_INHDR)", ip_totlen_too_big, NULL },
	{ "ip-padding", "a small UDP datagram with 16 bytes of Ethernet padding to trim", ip_padding, NULL },
	{ "eth-otherhost", "an echo request to another MAC, seen in promiscuous mode (OTHERHOST)", eth_otherhost, NULL },
	{ "eth-ipv6", "an IPv6 frame from :: to :: (not for the host, which does not forward: IP_INADDRERRORS)", eth_ipv6, NULL },
	{ "eth-arp", "an ARP who-has for the host's address", eth_arp, NULL },
	{ "arp-edges", "ARP as Linux's arp_process takes it: requests for us, another host, gratuitous ones, an "
	  "unsolicited reply, a probe, hardware type IEEE 802, bad lengths and ops, martian senders (not answered), a "
	  "unicast request; then pings from those the host learned and did not", arp_edges, NULL },
	{ "eth-unknown-ethertype", "ethertype 0x88b5, no handler (UNHANDLED_PROTO)", eth_unknown, NULL },
	{ "eth-vlan", "a ping with a VLAN 0 priority tag, then one on VLAN 11 (no VLAN device: OTHERHOST)", eth_vlan, NULL },
	{ "ip-not-ours", "a ping to 192.0.2.77 on a host that does not forward (IP_INADDRERRORS)", ip_not_ours, NULL },
	{ "bench-mix", "benchmark input: --count N frames (default 100000) of every kind, 10 µs apart", bench_mix, NULL },
	{ NULL, NULL, NULL, NULL },
};
