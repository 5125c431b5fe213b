/*
 * mkpcap_ipv6_nd.c - the neighbour unreachability detection pcaps (issue
 * 24): a router whose next hop never answers (three solicitations, then
 * FAILED and an ICMPv6 address unreachable for each forwarded packet
 * held), a host taking advertisements with each flag (solicited,
 * override, router) through STALE, DELAY, REACHABLE and PROBE, and a host
 * configured by router advertisements (default route, SLAAC, MTU).
 */
#include <stdio.h>
#include <string.h>

#include "ipv6.h"
#include "mkpcap.h"

static uint8_t frame[2048], l4[2048];

static size_t echo6(const char *src, const char *dst, uint16_t seq)
{
	memset(l4, 0, 24);
	l4[0] = ICMPV6_ECHO_REQUEST;
	l4[4] = 0x4e;
	l4[5] = 0x44;
	l4[7] = (uint8_t)seq;
	for (int i = 8; i < 24; i++)
		l4[i] = (uint8_t)(0x20 + i);
	pb_csum6(src, dst, NEXTHDR_ICMP, l4, 24, 2);
	return pb_eth_ip6(frame, src, dst, NEXTHDR_ICMP, 64, l4, 24);
}

static size_t na6(const char *src, const char *dst, uint8_t flags, const uint8_t *tll)
{
	size_t n = pb_ndisc_na(l4, src, dst, src, flags, tll);
	return pb_eth_ip6(frame, src, dst, NEXTHDR_ICMP, 255, l4, n);
}

static const char nud_router_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [\n"
	"    {\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],\"mtu\":1500},\n"
	"    {\"name\":\"eth1\",\"mac\":\"02:00:00:00:01:01\",\"addrs\":[\"192.168.1.1/24\",\"fd01::1/64\"],\"mtu\":1500}],\n"
	"  \"neighbours\": [\n"
	"    {\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"ipv6\": {\"forwarding\": true}\n"
	"}\n";

/* fd01::20 on eth1 never answers: the router solicits it at 0, 1 and 2 s
 * and gives up at 3 s; a packet after that starts over. Pings to the
 * router itself keep the gaps under diff-kernel's --max-gap (1.5 s), so
 * the real kernel sees the same timing. */
static void ipv6_nud_failed(struct mk_ctx *c)
{
	mk_emit(c, frame, echo6("fd00::1", "fd01::20", 1));	/* held; NS 1 */
	mk_advance(c, 500000);
	mk_emit(c, frame, echo6("fd00::1", "fd01::20", 2));	/* held too; no NS */
	mk_advance(c, 1000000);
	mk_emit(c, frame, echo6("fd00::1", "fd00::2", 3));	/* answered; NS 2 meanwhile */
	mk_advance(c, 1000000);
	mk_emit(c, frame, echo6("fd00::1", "fd00::2", 4));	/* NS 3 before; FAILED at 3 s after */
	mk_advance(c, 1000000);
	mk_emit(c, frame, echo6("fd00::1", "fd01::20", 5));	/* after FAILED: resolution again */
}

/* The default host and fd00::99, whose advertisements carry each flag. */
static void ipv6_nud_na(struct mk_ctx *c)
{
	static const uint8_t m99[6] = { 2, 0, 0, 0, 0, 0x99 }, m98[6] = { 2, 0, 0, 0, 0, 0x98 };
	const char *p = "fd00::99", *h = "fd00::2";
	mk_emit(c, frame, echo6(p, h, 1));			/* the reply waits; NS */
	mk_advance(c, 20000);
	mk_emit(c, frame, na6(p, h, 0, m99));			/* unsolicited: STALE, reply sent, DELAY */
	mk_advance(c, 1000000);
	mk_emit(c, frame, echo6(p, h, 2));			/* DELAY: sent directly */
	mk_advance(c, 1000000);
	mk_emit(c, frame, na6(p, h, PB_NA_SOLICITED | PB_NA_ROUTER, m99));	/* REACHABLE, a router */
	mk_advance(c, 100000);
	mk_emit(c, frame, na6(p, h, PB_NA_SOLICITED, m98));	/* another MAC, no override: STALE, kept */
	mk_advance(c, 100000);
	mk_emit(c, frame, na6(p, h, PB_NA_OVERRIDE, m98));	/* override: the new MAC; no longer a router */
	mk_advance(c, 100000);
	mk_emit(c, frame, echo6(p, h, 3));			/* to 02:..:98; DELAY, then PROBE at +5 s */
	mk_advance(c, 10000000);
	mk_emit(c, frame, na6(p, h, PB_NA_SOLICITED | PB_NA_OVERRIDE, m99));	/* too late: FAILED */
}

/* A router advertisement from fe80::1 (lifetime s, hop limit 64, the
 * peer's MAC as source link-layer address), with prefix pfx/64 (flags:
 * 0x80 on-link, 0x40 autonomous) and an MTU option when mtu. */
static size_t ra6(const char *src, unsigned lifetime, const char *pfx, uint8_t flags, uint32_t mtu)
{
	struct in6 p;
	size_t n = 16;
	memset(l4, 0, 72);
	l4[0] = NDISC_ROUTER_ADVERTISEMENT;
	l4[4] = 64;
	l4[6] = (uint8_t)(lifetime >> 8);
	l4[7] = (uint8_t)lifetime;
	l4[n] = 1;
	l4[n + 1] = 1;
	memcpy(l4 + n + 2, "\x02\x00\x00\x00\x00\xaa", 6);
	n += 8;
	if (pfx) {
		in6_pton(pfx, &p);
		l4[n] = 3;
		l4[n + 1] = 4;
		l4[n + 2] = 64;
		l4[n + 3] = flags;
		memcpy(l4 + n + 4, "\x00\x01\x51\x80\x00\x00\x38\x40", 8);	/* valid 86400 s, preferred 14400 s */
		memcpy(l4 + n + 16, p.s6, 16);
		n += 32;
	}
	if (mtu) {
		l4[n] = 5;
		l4[n + 1] = 1;
		for (int i = 0; i < 4; i++)
			l4[n + 4 + i] = (uint8_t)(mtu >> (24 - 8 * i));
		n += 8;
	}
	pb_csum6(src, "ff02::1", NEXTHDR_ICMP, l4, n, 2);
	return pb_eth_ip6(frame, src, "ff02::1", NEXTHDR_ICMP, 255, l4, n);
}

static size_t ping6(const char *src, const char *dst, uint16_t seq, size_t datalen)
{
	memset(l4, 0, 8 + datalen);
	l4[0] = ICMPV6_ECHO_REQUEST;
	l4[4] = 0x7a;
	l4[7] = (uint8_t)seq;
	for (size_t i = 8; i < 8 + datalen; i++)
		l4[i] = (uint8_t)i;
	pb_csum6(src, dst, NEXTHDR_ICMP, l4, 8 + datalen, 2);
	return pb_eth_ip6(frame, src, dst, NEXTHDR_ICMP, 64, l4, 8 + datalen);
}

static const char ra_host_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"]}],\n"
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"ipv6\": {\"accept_ra\": 1}\n"
	"}\n";

/* A host with only its link-local address learns from fe80::1: a default
 * route, the SLAAC address 2001:db8:5::ff:fe00:1, MTU 1480; the router then
 * withdraws (lifetime 0) and announces an on-link-only prefix. */
static void ipv6_ra(struct mk_ctx *c)
{
	const char *me = "2001:db8:5::ff:fe00:1", *far = "2001:db8:99::1";
	mk_emit(c, frame, ra6("fe80::1", 1800, "2001:db8:5::", 0xc0, 1480));
	mk_emit(c, frame, ping6(far, me, 1, 16));		/* answered via fe80::1 */
	mk_emit(c, frame, ping6(far, me, 2, 1450));		/* the reply is fragmented for MTU 1480 */
	mk_emit(c, frame, ra6("fe80::1", 0, "2001:db8:6::", 0x80, 0));	/* no longer a default router */
	mk_emit(c, frame, ping6(far, me, 3, 16));		/* no route back */
	mk_emit(c, frame, ping6("2001:db8:6::9", me, 4, 16));	/* on-link by the new prefix: solicited */
	mk_emit(c, frame, ra6("2001:db8:5::1", 1800, NULL, 0, 0));	/* not from a link-local address */
}

/* udp-sndbuf over IPv6: 40 datagrams of 8000 bytes to echo (MTU 9000)
 * from four peers that never answer a solicitation, 70 ms apart. The
 * echoes wait for neighbour discovery, charged to the socket's send
 * buffer, until the application sleeps in sendto and the rest queue
 * unread; after the capture each failed neighbour frees what it held (an
 * address unreachable each, over lo) and the application wakes. */
static void udp6_sndbuf(struct mk_ctx *c)
{
	static uint8_t dgram[8008], big[9100];
	for (size_t i = 0; i < 8000; i++)
		dgram[8 + i] = (uint8_t)('a' + i % 26);
	c->step_us = 70000;
	for (int i = 0; i < 40; i++) {
		char peer[16];
		snprintf(peer, sizeof(peer), "fd00::%d", 3 + i % 4);
		uint16_t sport = (uint16_t)(40000 + i);
		dgram[0] = (uint8_t)(sport >> 8);
		dgram[1] = (uint8_t)sport;
		dgram[2] = 0;
		dgram[3] = 7;
		dgram[4] = (uint8_t)(sizeof(dgram) >> 8);
		dgram[5] = (uint8_t)sizeof(dgram);
		dgram[6] = dgram[7] = 0;
		pb_csum6(peer, "fd00::2", NEXTHDR_UDP, dgram, sizeof(dgram), 6);
		mk_emit(c, big, pb_eth_ip6(big, peer, "fd00::2", NEXTHDR_UDP, 64, dgram, sizeof(dgram)));
	}
}

const struct mk_scenario mk_ipv6_nd_scenarios[] = {
	{ "ipv6-nud-failed", "an IPv6 router's next hop never answers: three solicitations a second apart, FAILED, an "
	  "ICMPv6 address unreachable for each held packet; a later packet starts over", ipv6_nud_failed,
	  nud_router_json },
	{ "ipv6-nud-na", "neighbour advertisements with each flag: unsolicited (STALE), solicited and router "
	  "(REACHABLE), another address without and with override, unicast probes (PROBE), late for a FAILED entry",
	  ipv6_nud_na, NULL },
	{ "ipv6-ra", "router advertisements to a host (accept_ra 1): a default route via fe80::1, a SLAAC address from the "
	  "prefix and the MAC, the MTU option fragmenting a reply; lifetime 0 withdraws the route; an on-link-only "
	  "prefix; an RA from a global address dropped", ipv6_ra, ra_host_json },
	{ "udp6-sndbuf", "udp-sndbuf over IPv6: 40 datagrams of 8000 bytes to echo from peers that never answer a "
	  "solicitation fill the socket's send buffer with held replies; the application sleeps in sendto, the rest "
	  "wait unread (Udp6.RcvbufErrors); after the capture the failed neighbours free it and it wakes", udp6_sndbuf,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],"
	  "\"mtu\":9000}],\n"
	  "  \"listen\": [{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]\n}\n" },
	{ NULL, NULL, NULL, NULL },
};
