/*
 * mkpcap_host6.c - host captures with IPv6 for tests/hostcap (issue 19):
 * a dual-stack laptop and a host with IPv6 only, each taken on the host
 * (made on the fly by the test: "host-*" scenarios are not in pcaps/).
 */
#include <string.h>

#include "ipv6.h"
#include "mkpcap.h"

static uint8_t frame[2048], l4[2048];

static const uint8_t LAPTOP[6] = { 2, 0, 0, 0, 1, 7 }, GW[6] = { 2, 0, 0, 0, 1, 0xfe }, LAN[6] = { 2, 0, 0, 0, 1, 0x42 };
static const uint8_t HOST6[6] = { 2, 0, 0, 0, 2, 7 };

/* An IPv6 frame from smac to dmac (a group MAC for a multicast dst). */
static size_t f6(const uint8_t *smac, const uint8_t *dmac, const char *src, const char *dst, uint8_t nh, uint8_t hlim,
		 size_t len)
{
	size_t n = pb_eth_ip6(frame, src, dst, nh, hlim, l4, len);
	if (dmac && !(frame[0] & 1))
		memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	return n;
}

static size_t udp6(const char *src, const char *dst, uint16_t sport, uint16_t dport, const char *msg)
{
	size_t n = strlen(msg);
	memset(l4, 0, 8);
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[5] = (uint8_t)(8 + n);
	memcpy(l4 + 8, msg, n);
	pb_csum6(src, dst, NEXTHDR_UDP, l4, 8 + n, 6);
	return 8 + n;
}

/* A TCP segment without options; data (may be NULL) follows the header. */
static size_t tcp6d(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		    uint8_t flags, const char *data)
{
	size_t n = data ? strlen(data) : 0;
	memset(l4, 0, 20);
	if (n)
		memcpy(l4 + 20, data, n);
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		l4[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		l4[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	l4[12] = 5 << 4;
	l4[13] = flags;
	l4[14] = 0xfa;
	l4[15] = 0xf0;
	pb_csum6(src, dst, NEXTHDR_TCP, l4, 20 + n, 16);
	return 20 + n;
}

static size_t tcp6(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		   uint8_t flags)
{
	return tcp6d(src, dst, sport, dport, seq, ack, flags, NULL);
}

static size_t echo6(const char *src, const char *dst, int reply)
{
	memset(l4, 0, 16);
	l4[0] = reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST;
	l4[4] = 0x12;
	l4[7] = 1;
	pb_csum6(src, dst, NEXTHDR_ICMP, l4, 16, 2);
	return 16;
}

/* A router advertisement from fe80::1 at GW: lifetime 1800 s, its MAC,
 * and the prefix pfx/64 (on-link, autonomous). */
static size_t ra6(const char *pfx)
{
	struct in6 p;
	in6_pton(pfx, &p);
	memset(l4, 0, 56);
	l4[0] = NDISC_ROUTER_ADVERTISEMENT;
	l4[4] = 64;			/* cur hop limit */
	l4[6] = 0x07;			/* router lifetime 1800 */
	l4[7] = 0x08;
	l4[16] = 1;			/* source link-layer address */
	l4[17] = 1;
	memcpy(l4 + 18, GW, 6);
	l4[24] = 3;			/* prefix information */
	l4[25] = 4;
	l4[26] = 64;
	l4[27] = 0xc0;			/* on-link, autonomous */
	memset(l4 + 28, 0xff, 8);	/* valid and preferred lifetimes: infinite */
	memcpy(l4 + 40, p.s6, 16);
	pb_csum6("fe80::1", "ff02::1", NEXTHDR_ICMP, l4, 56, 2);
	return 56;
}

/* A dual-stack laptop (192.168.1.7, 2001:db8:1::7 and a stable-privacy
 * link-local fe80::1:7) behind a router that advertises itself; DNS and
 * HTTPS over IPv6 through it, a LAN neighbour pinging and reaching its
 * ssh over IPv6, DNS over IPv4. */
static void host_dualstack(struct mk_ctx *c)
{
	const char *me = "2001:db8:1::7", *ll = "fe80::1:7", *dns = "2001:4860:4860::8888", *web = "2606:2800::1";
	const char *lan = "2001:db8:1::42";
	mk_emit(c, frame, f6(GW, NULL, "fe80::1", "ff02::1", NEXTHDR_ICMP, 255, ra6("2001:db8:1::")));
	mk_emit(c, frame, f6(LAPTOP, GW, me, dns, NEXTHDR_UDP, 64, udp6(me, dns, 41010, 53, "example.com? AAAA")));
	mk_emit(c, frame, f6(GW, LAPTOP, dns, me, NEXTHDR_UDP, 58, udp6(dns, me, 53, 41010, "example.com. AAAA 2606:2800::1")));
	mk_emit(c, frame, f6(LAPTOP, GW, me, web, NEXTHDR_TCP, 64, tcp6(me, web, 50010, 443, 5000, 0, TCPHDR_SYN)));
	mk_emit(c, frame, f6(GW, LAPTOP, web, me, NEXTHDR_TCP, 55, tcp6(web, me, 443, 50010, 9000, 5001,
								       TCPHDR_SYN | TCPHDR_ACK)));
	mk_emit(c, frame, f6(LAN, LAPTOP, lan, me, NEXTHDR_ICMP, 64, echo6(lan, me, 0)));
	mk_emit(c, frame, f6(LAPTOP, LAN, me, lan, NEXTHDR_ICMP, 64, echo6(me, lan, 1)));
	mk_emit(c, frame, f6(LAN, LAPTOP, lan, me, NEXTHDR_TCP, 64, tcp6(lan, me, 60000, 22, 100, 0, TCPHDR_SYN)));
	mk_emit(c, frame, f6(LAPTOP, LAN, me, lan, NEXTHDR_TCP, 64, tcp6(me, lan, 22, 60000, 700, 101,
									 TCPHDR_SYN | TCPHDR_ACK)));
	mk_emit(c, frame, f6(LAPTOP, GW, ll, "fe80::1", NEXTHDR_ICMP, 64, echo6(ll, "fe80::1", 0)));
	mk_emit(c, frame, f6(GW, LAPTOP, "fe80::1", ll, NEXTHDR_ICMP, 64, echo6("fe80::1", ll, 1)));
	struct pb_ipopt q = { .saddr = pb_ip("192.168.1.7"), .daddr = pb_ip("192.168.1.1"), .proto = IPPROTO_UDP_,
			      .smac = LAPTOP, .dmac = GW };
	size_t n = pb_udp(l4, q.saddr, q.daddr, 41011, 53, "example.com? A", 14, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &q, l4, n));
	struct pb_ipopt a = { .saddr = q.daddr, .daddr = q.saddr, .proto = IPPROTO_UDP_, .smac = GW, .dmac = LAPTOP };
	n = pb_udp(l4, a.saddr, a.daddr, 53, 41011, "example.com. A 93.184.216.34", 28, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &a, l4, n));
}

/* A host with IPv6 only (fd00:6::7, its link-local the EUI-64 one) behind
 * a router that advertises itself: it pings off-link through the router
 * and answers a LAN neighbour's UDP; the neighbour's advertisement names it.
 * Last, an HTTPS connection it had open before the capture began: its
 * request, the server's ACK and answer, its ACK. */
static void host_ipv6only(struct mk_ctx *c)
{
	const char *me = "fd00:6::7", *far = "2001:db8::99", *lan = "fd00:6::42";
	const char *mell = "fe80::ff:fe00:207";
	mk_emit(c, frame, f6(GW, NULL, "fe80::1", "ff02::1", NEXTHDR_ICMP, 255, ra6("fd00:6::")));
	mk_emit(c, frame, f6(HOST6, GW, me, far, NEXTHDR_ICMP, 64, echo6(me, far, 0)));
	mk_emit(c, frame, f6(GW, HOST6, far, me, NEXTHDR_ICMP, 60, echo6(far, me, 1)));
	size_t n = pb_ndisc_ns(l4, mell, "ff02::1:ff00:42", lan, 0);
	l4[24] = 1;			/* its own link-layer address, as a solicitation carries it */
	l4[25] = 1;
	memcpy(l4 + 26, HOST6, 6);
	pb_csum6(mell, "ff02::1:ff00:42", NEXTHDR_ICMP, l4, 32, 2);
	mk_emit(c, frame, f6(HOST6, NULL, mell, "ff02::1:ff00:42", NEXTHDR_ICMP, 255, n > 32 ? n : 32));
	n = pb_ndisc_na(l4, lan, mell, lan, PB_NA_SOLICITED | PB_NA_OVERRIDE, LAN);
	mk_emit(c, frame, f6(LAN, HOST6, lan, mell, NEXTHDR_ICMP, 255, n));
	mk_emit(c, frame, f6(LAN, HOST6, lan, me, NEXTHDR_UDP, 64, udp6(lan, me, 5353, 5353, "who is there?")));
	mk_emit(c, frame, f6(HOST6, LAN, me, lan, NEXTHDR_UDP, 64, udp6(me, lan, 5353, 5353, "me")));
	const uint8_t PA = TCPHDR_PSH | TCPHDR_ACK;
	mk_emit(c, frame, f6(HOST6, GW, me, far, NEXTHDR_TCP, 64, tcp6d(me, far, 50022, 443, 1000, 2000, PA, "GET /")));
	mk_emit(c, frame, f6(GW, HOST6, far, me, NEXTHDR_TCP, 57, tcp6(far, me, 443, 50022, 2000, 1005, TCPHDR_ACK)));
	mk_emit(c, frame, f6(GW, HOST6, far, me, NEXTHDR_TCP, 57, tcp6d(far, me, 443, 50022, 2000, 1005, PA, "200 OK")));
	mk_emit(c, frame, f6(HOST6, GW, me, far, NEXTHDR_TCP, 64, tcp6(me, far, 50022, 443, 1005, 2006, TCPHDR_ACK)));
}

const struct mk_scenario mk_host6_scenarios[] = {
	{ "host-dualstack", "a dual-stack laptop's own capture: a router advertisement, DNS and HTTPS over IPv6 via the "
	  "router, a LAN neighbour's ping and ssh SYN over IPv6, DNS over IPv4", host_dualstack, NULL },
	{ "host-ipv6only", "a host with IPv6 only: a router advertisement, a ping off-link, neighbour discovery and UDP "
	  "with a LAN neighbour, then an HTTPS connection open before the capture", host_ipv6only, NULL },
	{ "host-ipv6raw", "host-ipv6only's frames on a raw IP link (DLT_RAW): the host is the IPv6 address in most "
	  "packets", host_ipv6only, NULL },
	{ NULL, NULL, NULL, NULL },
};
