/*
 * mkpcap_tcp6.c - TCP connections over IPv6 (issue 24 item 6): sessions
 * to the default host's dual-stack listeners (http 80, echo 7) with and
 * without options, a link-local connection, and which listener takes
 * which family. As in mkpcap_transport.c only the peer's frames are
 * written; the host's ISN comes from the stack's own tcp_isn over the
 * addresses' ipv6_addr_hash, at the SYN's packet time.
 */
#include <string.h>

#include "mkpcap.h"
#include "tcp.h"

static uint8_t frame[2048], l4[1600];

/* One IPv6 connection seen from the peer (as struct mk_conn). */
struct mk_conn6 {
	const char *peer, *host;
	uint16_t pport, hport;		/* host order */
	uint32_t snd, rcv;		/* the peer's next seq; the host's (what we ack) */
	const uint8_t *opt;		/* the options of the peer's segments after the SYN */
	uint8_t optlen;
	uint32_t tsval;			/* the peer's TSval, +1 a segment */
	uint32_t tsecr;			/* what it echoes: the host's SYN-ACK TSval */
};

static size_t tcp6(uint8_t *p, const struct mk_conn6 *k, uint32_t seq, uint32_t ack, uint8_t flags,
		   const uint8_t *opt, size_t optlen, const void *data, size_t len)
{
	memset(p, 0, 20);
	p[0] = (uint8_t)(k->pport >> 8);
	p[1] = (uint8_t)k->pport;
	p[2] = (uint8_t)(k->hport >> 8);
	p[3] = (uint8_t)k->hport;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(flags & TCPHDR_ACK ? ack >> (24 - 8 * i) : 0);
	}
	p[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[13] = flags;
	p[14] = 0xfa;					/* window 64240 */
	p[15] = 0xf0;
	if (optlen)
		memcpy(p + 20, opt, optlen);
	if (len)
		memcpy(p + 20 + optlen, data, len);
	pb_csum6(k->peer, k->host, NEXTHDR_TCP, p, 20 + optlen + len, 16);
	return 20 + optlen + len;
}

static void mk6_tcp(struct mk_ctx *c, struct mk_conn6 *k, uint32_t seq, uint32_t ack, uint8_t flags,
		    const uint8_t *opt, size_t optlen, const void *data, size_t len)
{
	size_t n = tcp6(l4, k, seq, ack, flags, opt, optlen, data, len);
	mk_emit(c, frame, pb_eth_ip6(frame, k->peer, k->host, NEXTHDR_TCP, 64, l4, n));
}

/* NOP, NOP, TS: the timestamp the peer's later segments carry, echoing the
 * host's SYN-ACK (Linux 6.x checks the handshake ACK's TSecr). */
static const uint8_t *ts_opt(struct mk_conn6 *k)
{
	static uint8_t o[12] = { 1, 1, 8, 10 };
	uint32_t v = k->tsval++;
	for (int i = 0; i < 4; i++) {
		o[4 + i] = (uint8_t)(v >> (24 - 8 * i));
		o[8 + i] = (uint8_t)(k->tsecr >> (24 - 8 * i));
	}
	return o;
}

/* The peer's next segment in sequence (acking what the host sent). */
static void mk6_seg(struct mk_ctx *c, struct mk_conn6 *k, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	const uint8_t *opt = k->optlen ? ts_opt(k) : NULL;
	mk6_tcp(c, k, k->snd, k->rcv, flags | TCPHDR_ACK, opt, k->optlen, data, len);
	k->snd += (uint32_t)len + !!(flags & TCPHDR_FIN);
}

/* SYN with opt, then the handshake's ACK; the host's ISN as tcp_openreq_init picks it. */
static void mk6_connect(struct mk_ctx *c, struct mk_conn6 *k, uint32_t isn, const uint8_t *opt, size_t optlen)
{
	struct in6 p, h;
	uint64_t t_ns = c->t_us * 1000;
	in6_pton(k->peer, &p);
	in6_pton(k->host, &h);
	mk6_tcp(c, k, isn, 0, TCPHDR_SYN, opt, optlen, NULL, 0);
	k->snd = isn + 1;
	k->rcv = tcp_isn(ipv6_addr_hash(&p), ipv6_addr_hash(&h), htons(k->pport), htons(k->hport), t_ns) + 1;
	k->tsecr = (uint32_t)(c->t_us / 1000) - 1 + tcp_ts_offset(ipv6_addr_hash(&h), ipv6_addr_hash(&p));
	mk6_seg(c, k, 0, NULL);
}

static const uint8_t mss1440[4] = { 2, 4, 0x05, 0xa0 };	/* MSS 1440: a 1500 MTU less 60 */

/* An HTTP/1.0 request to the dual-stack http listener: the host answers
 * and closes first (FIN_WAIT, TIME_WAIT); then a new SYN on the same
 * ports, which the TIME_WAIT sock hands to the listener. */
static void tcp6_http(struct mk_ctx *c)
{
	struct mk_conn6 k = { .peer = "fd00::1", .host = "fd00::2", .pport = 40000, .hport = 80 };
	mk6_connect(c, &k, 1000, mss1440, sizeof(mss1440));
	mk6_seg(c, &k, TCPHDR_PSH, "GET / HTTP/1.0\r\nHost: [fd00::2]\r\n\r\n");
	k.rcv += sock_http_page_len + 1;
	mk_advance(c, 20000);
	mk6_seg(c, &k, 0, NULL);
	mk6_seg(c, &k, TCPHDR_FIN, NULL);
	mk_advance(c, 1000000);
	mk6_tcp(c, &k, k.snd + 100000, 0, TCPHDR_SYN, mss1440, sizeof(mss1440), NULL, 0);
}

/* The echo service with every option (MSS, SACK, timestamps, window
 * scale): data echoed, a segment out of order (SACKed), the peer closes
 * first (CLOSE_WAIT, LAST_ACK). */
static void tcp6_echo_opts(struct mk_ctx *c)
{
	static const uint8_t syn[20] = { 2, 4, 0x05, 0xa0, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct mk_conn6 k = { .peer = "fd00::1", .host = "fd00::2", .pport = 40001, .hport = 7, .optlen = 12,
			      .tsval = 2 };
	mk6_connect(c, &k, 5000, syn, sizeof(syn));
	mk6_seg(c, &k, TCPHDR_PSH, "hello over IPv6\n");
	k.rcv += 16;
	mk_advance(c, 10000);
	uint32_t s0 = k.snd;
	k.snd = s0 + 6;
	mk6_seg(c, &k, TCPHDR_PSH, "world\n");			/* a hole of 6: out of order */
	k.snd = s0;
	mk6_seg(c, &k, TCPHDR_PSH, "again\n");			/* fills it */
	k.snd = s0 + 12;
	k.rcv += 12;
	mk_advance(c, 10000);
	mk6_seg(c, &k, TCPHDR_FIN, NULL);
	k.rcv += 1;
	mk_advance(c, 10000);
	mk6_seg(c, &k, 0, NULL);
}

/* A connection between link-local addresses: the SYN-ACK waits for the
 * peer's link address (neighbour solicitation, then its advertisement)
 * and leaves through the interface the SYN came in on. Then a RST. */
static void tcp6_linklocal(struct mk_ctx *c)
{
	struct mk_conn6 k = { .peer = "fe80::ff:fe00:aa", .host = "fe80::ff:fe00:1", .pport = 40002, .hport = 7 };
	struct in6 p, h;
	uint64_t t_ns = c->t_us * 1000;

	in6_pton(k.peer, &p);
	in6_pton(k.host, &h);
	mk6_tcp(c, &k, 7000, 0, TCPHDR_SYN, mss1440, sizeof(mss1440), NULL, 0);
	k.snd = 7001;
	k.rcv = tcp_isn(ipv6_addr_hash(&p), ipv6_addr_hash(&h), htons(k.pport), htons(k.hport), t_ns) + 1;
	memset(l4, 0, 32);
	l4[0] = NDISC_NEIGHBOUR_ADVERTISEMENT;
	l4[4] = 0x60;					/* solicited, override */
	memcpy(l4 + 8, p.s6, 16);
	l4[24] = 2;					/* target link-layer address */
	l4[25] = 1;
	memcpy(l4 + 26, "\x02\x00\x00\x00\x00\xaa", 6);
	pb_csum6(k.peer, k.host, NEXTHDR_ICMP, l4, 32, 2);
	mk_emit(c, frame, pb_eth_ip6(frame, k.peer, k.host, NEXTHDR_ICMP, 255, l4, 32));
	mk6_seg(c, &k, 0, NULL);
	mk6_seg(c, &k, TCPHDR_PSH, "link-local\n");
	k.rcv += 11;
	mk_advance(c, 10000);
	mk6_tcp(c, &k, k.snd, 0, TCPHDR_RST, NULL, 0, NULL, 0);
}

static const char dualstack_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],"
	"\"mtu\":1500}],\n"
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"                 {\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"listen\": [{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\"},\n"
	"             {\"proto\":\"tcp\",\"port\":8080,\"app\":\"echo\",\"addr\":\"0.0.0.0\"},\n"
	"             {\"proto\":\"tcp\",\"port\":8081,\"app\":\"echo\",\"addr\":\"fd00::2\"},\n"
	"             {\"proto\":\"tcp\",\"port\":8082,\"app\":\"echo\",\"addr\":\"::\",\"ipv6only\":true},\n"
	"             {\"proto\":\"udp\",\"port\":7,\"app\":\"echo\",\"addr\":\"fd00::2\"}]\n"
	"}\n";

static void syn4(struct mk_ctx *c, uint16_t sport, uint16_t dport)
{
	struct pb_ipopt o = { .saddr = pb_ip("10.0.0.1"), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_TCP_ };
	size_t n = pb_tcp(l4, o.saddr, o.daddr, sport, dport, 9000, 0, TCPHDR_SYN, 64240, mss1440, 4, NULL, 0, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void syn6(struct mk_ctx *c, uint16_t sport, uint16_t dport)
{
	struct mk_conn6 k = { .peer = "fd00::1", .host = "fd00::2", .pport = sport, .hport = dport };
	mk6_tcp(c, &k, 9000, 0, TCPHDR_SYN, mss1440, sizeof(mss1440), NULL, 0);
}

/* Which listener takes which family: 0.0.0.0 IPv4 only, fd00::2 and an
 * ipv6only :: IPv6 only, a dual-stack :: both; UDP bound to fd00::2. */
static void tcp6_dualstack(struct mk_ctx *c)
{
	syn6(c, 41000, 8080);		/* IPv4-only listener: RST */
	syn4(c, 41001, 8081);		/* bound to fd00::2: RST */
	syn4(c, 41002, 8082);		/* ipv6only: RST */
	syn6(c, 41003, 8082);		/* SYN-ACK */
	syn6(c, 41004, 8081);		/* SYN-ACK */
	syn4(c, 41005, 80);		/* the dual-stack listener takes IPv4 … */
	syn6(c, 41006, 80);		/* … and IPv6 */
	size_t n = pb_udp(l4, pb_ip("10.0.0.1"), pb_ip("10.0.0.2"), 41007, 7, "v4", 2, 0);
	struct pb_ipopt o = { .saddr = pb_ip("10.0.0.1"), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_UDP_ };
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));	/* UDP bound to fd00::2: port unreachable */
}

/* A segment the recorded host sent (from its MAC and fd00::2 to the peer). */
static void host6_tcp(struct mk_ctx *c, const struct mk_conn6 *k, uint32_t seq, uint32_t ack, uint8_t flags,
		      const uint8_t *opt, size_t optlen, const char *data)
{
	struct mk_conn6 h = { .peer = k->host, .host = k->peer, .pport = k->hport, .hport = k->pport };
	uint8_t mac[6];
	size_t n = tcp6(l4, &h, seq, ack, flags, opt, optlen, data, data ? strlen(data) : 0);
	size_t len = pb_eth_ip6(frame, k->host, k->peer, NEXTHDR_TCP, 64, l4, n);
	memcpy(mac, frame, 6);				/* the host's MAC is the source */
	memmove(frame, frame + 6, 6);
	memcpy(frame + 6, mac, 6);
	mk_emit(c, frame, len);
}

static const char recorded6_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],"
	"\"mtu\":1500}],\n"
	"  \"neighbours\": [{\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"listen\": [{\"proto\":\"tcp\",\"port\":80,\"app\":\"recorded\"}]\n"
	"}\n";

/* A capture taken on an IPv6 server (docs/design.md §4b): its SYN-ACK
 * (ISN 777777) follows the SYN, its answer and FIN follow the request;
 * the stack's socket sends the same, in step. */
static void tcp6_recorded_server(struct mk_ctx *c)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\n\r\nhi\n";
	struct mk_conn6 k = { .peer = "fd00::1", .host = "fd00::2", .pport = 41100, .hport = 80 };
	mk6_tcp(c, &k, 9000, 0, TCPHDR_SYN, mss1440, sizeof(mss1440), NULL, 0);
	host6_tcp(c, &k, 777777, 9001, TCPHDR_SYN | TCPHDR_ACK, mss1440, sizeof(mss1440), NULL);
	k.snd = 9001;
	k.rcv = 777778;
	mk6_seg(c, &k, 0, NULL);
	mk6_seg(c, &k, TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	host6_tcp(c, &k, 777778, k.snd, TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN, NULL, 0, reply);
	k.rcv += (uint32_t)strlen(reply) + 1;
	mk6_seg(c, &k, TCPHDR_FIN, NULL);
}

/* SYN cookies over IPv6 (stack/syncookies.c, IPv6's MSS table): two SYNs
 * fill discard's queue (backlog 1); then a SYN with every option (MSS
 * 1400, encoded as 1220; options in the TSval) and one with MSS 1440 only
 * get cookies, and their ACKs open connections. */
static void cookie6(struct mk_ctx *c, struct mk_conn6 *k, uint32_t isn, const uint8_t *opt, size_t optlen,
		    uint16_t mss, int ts)
{
	struct in6 p, h;
	struct sock req = { .wscale_ok = 1, .snd_wscale = 7, .sack_ok = 1 };
	in6_pton(k->peer, &p);
	in6_pton(k->host, &h);
	mk6_tcp(c, k, isn, 0, TCPHDR_SYN, opt, optlen, NULL, 0);
	k->snd = isn + 1;
	k->rcv = __cookie_v6_init_sequence(&p, &h, htons(k->pport), htons(k->hport), isn, &mss, c->t_us * 1000) + 1;
	if (ts)
		k->tsecr = cookie_init_timestamp(&req, c->t_us * 1000) +
			   tcp_ts_offset(ipv6_addr_hash(&h), ipv6_addr_hash(&p));
}

static void tcp6_syn_cookies(struct mk_ctx *c)
{
	static const uint8_t all[20] = { 2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct mk_conn6 q = { .peer = "fd00::1", .host = "fd00::2", .hport = 9 };
	struct mk_conn6 a = { .peer = "fd00::1", .host = "fd00::2", .pport = 40022, .hport = 9, .optlen = 12,
			      .tsval = 2 };
	struct mk_conn6 b = { .peer = "fd00::1", .host = "fd00::2", .pport = 40023, .hport = 9 };
	for (int i = 0; i < 2; i++) {
		q.pport = (uint16_t)(40020 + i);
		mk6_tcp(c, &q, 20000u + 1000u * (uint32_t)i, 0, TCPHDR_SYN, mss1440, sizeof(mss1440), NULL, 0);
		mk_advance(c, 1000);
	}
	cookie6(c, &a, 22000, all, sizeof(all), 1400, 1);
	mk_advance(c, 1000);
	cookie6(c, &b, 23000, mss1440, sizeof(mss1440), 1440, 0);
	mk_advance(c, 1000);
	mk6_seg(c, &a, 0, NULL);
	mk6_seg(c, &a, TCPHDR_PSH, "hello\n");
	mk6_seg(c, &b, 0, NULL);
	mk6_seg(c, &b, TCPHDR_PSH, "hello\n");
	mk6_seg(c, &a, TCPHDR_FIN, NULL);
	mk6_seg(c, &b, TCPHDR_FIN, NULL);
}

const struct mk_scenario mk_tcp6_scenarios[] = {
	{ "ipv6-tcp-http", "TCP over IPv6: an HTTP/1.0 session with the dual-stack http listener (MSS 1440), the host "
	  "closes first; then a new SYN on the TIME_WAIT ports", tcp6_http, NULL },
	{ "ipv6-tcp-echo", "TCP over IPv6 with SACK, timestamps and window scale: echoed data, a segment out of order, the "
	  "peer closes first", tcp6_echo_opts, NULL },
	{ "ipv6-tcp-linklocal", "TCP between link-local IPv6 addresses: handshake, echoed data, a RST", tcp6_linklocal,
	  NULL },
	{ "ipv6-tcp-dualstack", "listeners by family: 0.0.0.0 (IPv4 only), fd00::2 and ipv6only :: (IPv6 only), :: "
	  "(both); UDP bound to fd00::2", tcp6_dualstack, dualstack_json },
	{ "ipv6-tcp-recorded-server", "a capture taken on an IPv6 server: its SYN-ACK (ISN 777777) and its answer with FIN "
	  "are the host's own; the stack's socket sends the same, in step", tcp6_recorded_server, recorded6_json },
	{ "ipv6-tcp-syn-cookies", "SYN cookies over IPv6: two SYNs fill discard's queue (backlog 1); a SYN with every "
	  "option (MSS 1400, encoded as 1220 from IPv6's table; options in the TSval) and one with MSS 1440 only get "
	  "cookie SYN-ACKs, and their ACKs open connections (cookie_v6_check)", tcp6_syn_cookies,
	  "{\n"
	  "  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],"
	  "\"mtu\":1500}],\n"
	  "  \"neighbours\": [{\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	  "  \"listen\": [{\"proto\":\"tcp\",\"port\":9,\"app\":\"discard\",\"backlog\":1}]\n"
	  "}\n" },
	{ NULL, NULL, NULL, NULL },
};
