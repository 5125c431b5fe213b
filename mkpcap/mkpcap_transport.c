/*
 * mkpcap_transport.c - transport scenario pcaps for mkpcap (see mkpcap.h):
 * TCP sessions against the default host's listeners (tcp 80 http, tcp 7
 * echo, tcp 9 discard, udp 7 echo), the TCP error cases, UDP and ARP
 * resolution. Only the peer's frames are written: the host's answers are
 * what the replay produces. The peer acknowledges the host's data, so the
 * generator computes the host's ISN with the stack's own tcp_isn() from
 * the SYN's packet time (replays are deterministic).
 */
#include <stdio.h>
#include <string.h>

#include "mkpcap.h"
#include "tcp.h"

static uint8_t frame[2048], l4[1600];
static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };	/* MSS 1460 */

/* One connection seen from the peer: its next seq and the host's. */
struct mk_conn {
	uint32_t peer, host;		/* network order */
	uint16_t pport, hport;		/* host order */
	uint32_t snd;			/* the peer's next sequence number */
	uint32_t rcv;			/* the host's next sequence number (what we ack) */
	const uint8_t *smac;		/* the peer's MAC (NULL: the default peer) */
};

static void mk_tcp(struct mk_ctx *c, struct mk_conn *k, uint32_t seq, uint32_t ack, uint8_t flags,
		   const void *data, size_t len, int bad_csum)
{
	struct pb_ipopt o = { .saddr = k->peer, .daddr = k->host, .proto = IPPROTO_TCP_, .smac = k->smac };
	int syn = flags & TCPHDR_SYN;
	size_t n = pb_tcp(l4, k->peer, k->host, k->pport, k->hport, seq, ack, flags, 64240, syn ? mss_opt : NULL,
			  syn ? 4 : 0, data, len, bad_csum);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/* The peer's next segment in sequence; advances the peer's seq. */
static void mk_seg(struct mk_ctx *c, struct mk_conn *k, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	mk_tcp(c, k, k->snd, k->rcv, flags | TCPHDR_ACK, data, len, 0);
	k->snd += (uint32_t)len + !!(flags & TCPHDR_FIN);
}

/* SYN and the handshake's ACK; the host's ISN is tcp_isn at the SYN's time. */
static void mk_connect(struct mk_ctx *c, struct mk_conn *k, uint32_t isn)
{
	uint64_t t_ns = c->t_us * 1000;
	if (!k->peer)
		k->peer = pb_ip("10.0.0.1");
	if (!k->host)
		k->host = pb_ip("10.0.0.2");
	mk_tcp(c, k, isn, 0, TCPHDR_SYN, NULL, 0, 0);
	k->snd = isn + 1;
	k->rcv = tcp_isn(k->peer, k->host, htons(k->pport), htons(k->hport), t_ns) + 1;
	mk_seg(c, k, 0, NULL);
}

static void tcp_http(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40000, .hport = 80 };
	mk_connect(c, &k, 1000);
	mk_seg(c, &k, TCPHDR_PSH, "GET / HTTP/1.0\r\nHost: 10.0.0.2\r\n\r\n");
	/* The host ACKs, answers and closes (FIN); we ack both, then close. */
	k.rcv += sock_http_page_len + 1;
	mk_advance(c, 20000);
	mk_seg(c, &k, 0, NULL);
	mk_seg(c, &k, TCPHDR_FIN, NULL);
}

static void tcp_echo(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40001, .hport = 7 };
	mk_connect(c, &k, 5000);
	mk_seg(c, &k, TCPHDR_PSH, "hello\n");
	k.rcv += 6;
	mk_advance(c, 10000);
	mk_seg(c, &k, TCPHDR_PSH, "again\n");	/* acks the echo, carries more */
	k.rcv += 6;
	mk_advance(c, 10000);
	mk_seg(c, &k, TCPHDR_FIN, NULL);		/* we close first: CLOSE_WAIT, LAST_ACK */
	k.rcv += 1;
	mk_advance(c, 10000);
	mk_seg(c, &k, 0, NULL);
}

static void tcp_delack(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40002, .hport = 9 };
	mk_connect(c, &k, 7000);
	c->step_us = 100000;	/* 100 ms between segments: the 40 ms timer fires */
	for (int i = 0; i < 20; i++)
		mk_seg(c, &k, TCPHDR_PSH, "0123456789012345678901234567890123456789012345678901234567890123456789\n");
	mk_seg(c, &k, TCPHDR_FIN, NULL);
	c->step_us = 1000;
}

static void tcp_ooo(struct mk_ctx *c)
{
	static const char a[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	struct mk_conn k = { .pport = 40003, .hport = 9 };
	mk_connect(c, &k, 9000);
	uint32_t s0 = k.snd;
	mk_tcp(c, &k, s0, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);		/* 1:101 */
	mk_tcp(c, &k, s0 + 200, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);	/* 201:301 held */
	mk_tcp(c, &k, s0 + 300, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);	/* 301:401 held */
	mk_tcp(c, &k, s0 + 100, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);	/* 101:201 fills */
	mk_tcp(c, &k, s0, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);		/* retransmission */
	mk_tcp(c, &k, s0 + 350, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);	/* 351:451 partly old */
	k.snd = s0 + 450;
	mk_seg(c, &k, TCPHDR_FIN, NULL);
}

/* Receive-queue coalescing (tcp_try_coalesce): Linux copies a segment into
 * the skb before it when it continues it and fits that skb's tailroom
 * (a 104-byte frame's head has 150 bytes free, a 254-byte frame's 448). */
static void tcp_coalesce(struct mk_ctx *c)
{
	static char a[200];
	struct mk_conn k = { .pport = 40013, .hport = 9 };
	memset(a, 'c', sizeof(a));
	mk_connect(c, &k, 13000);
	uint32_t s0 = k.snd;
	mk_tcp(c, &k, s0, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 100, 0);		/* 1:101, read at once */
	mk_tcp(c, &k, s0 + 300, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 50, 0);	/* 301:351 held */
	mk_tcp(c, &k, s0 + 350, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 50, 0);	/* coalesced: 100 left */
	mk_tcp(c, &k, s0 + 400, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 50, 0);	/* coalesced: 50 left */
	mk_tcp(c, &k, s0 + 450, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 150, 0);	/* 150 > 50: its own skb */
	mk_tcp(c, &k, s0 + 100, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 200, 0);	/* fills: both runs join it */
	/* A segment that starts before rcv_nxt keeps its old bytes in Linux:
	 * what it makes in order (700:750, 20 bytes of it new) does not
	 * continue it, though its 20 bytes would fit its tailroom. */
	mk_tcp(c, &k, s0 + 700, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 50, 0);
	mk_tcp(c, &k, s0 + 550, k.rcv, TCPHDR_ACK | TCPHDR_PSH, a, 180, 0);
	k.snd = s0 + 750;
	mk_seg(c, &k, TCPHDR_FIN, NULL);
}

/* The time after the capture: the host's replies are never acknowledged.
 * Echo's data goes again after the RTO (201 ms: tcp_rto_min + the
 * handshake's 1 ms), then 402, 804 ms later (TcpExt.TCPTimeouts,
 * Tcp.RetransSegs); http's page and its FIN go again as one segment. */
static void tcp_rto_after_capture(struct mk_ctx *c)
{
	struct mk_conn e = { .pport = 40015, .hport = 7 }, h = { .pport = 40016, .hport = 80 };
	mk_connect(c, &e, 15000);
	mk_seg(c, &e, TCPHDR_PSH, "hello\n");
	mk_connect(c, &h, 16000);
	mk_seg(c, &h, TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
}

static void tcp_bad_csum(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40004, .hport = 80, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2") };
	mk_tcp(c, &k, 3000, 0, TCPHDR_SYN, NULL, 0, 1);	/* TCP_CSUM: no answer at all */
	k.pport = 40005;
	mk_tcp(c, &k, 3000, 0, TCPHDR_SYN, NULL, 0, 0);	/* the good one gets a SYN-ACK */
}

static void tcp_window_rst(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40006, .hport = 9 };
	mk_connect(c, &k, 11000);
	mk_seg(c, &k, TCPHDR_PSH, "data\n");
	mk_advance(c, 100000);
	mk_tcp(c, &k, k.snd + 1000000, k.rcv, TCPHDR_ACK | TCPHDR_PSH, "far", 3, 0);	/* beyond the window */
	mk_advance(c, 600000);
	mk_tcp(c, &k, k.snd + 100, 0, TCPHDR_RST, NULL, 0, 0);	/* in window, not exact: challenge ACK */
	mk_advance(c, 600000);
	mk_tcp(c, &k, k.snd + 7, 0, TCPHDR_SYN, NULL, 0, 0);	/* SYN in ESTABLISHED: challenge ACK */
	mk_tcp(c, &k, k.snd + 9, 0, TCPHDR_SYN, NULL, 0, 0);	/* again within 500 ms: rate limited */
	mk_advance(c, 600000);
	mk_tcp(c, &k, k.snd, 0, TCPHDR_RST, NULL, 0, 0);		/* exact: the connection is reset */
	mk_seg(c, &k, TCPHDR_PSH, "late\n");			/* no socket any more: RST */
}

/* ACKs a connection must judge (echo, port 7): keepalives (one byte
 * before what is expected, with or without a byte), an ACK of data never
 * sent (Linux 6.18: a challenge ACK), one far older than what the peer
 * has acknowledged (a challenge ACK, rate limited: none within 500 ms of
 * the last), then the close; a SYN-ACK to a listener gets a RST. */
static void tcp_ack_edges(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40050, .hport = 7 };
	mk_connect(c, &k, 50000);
	mk_seg(c, &k, TCPHDR_PSH, "abc\n");
	k.rcv += 4;
	mk_advance(c, 300000);
	mk_tcp(c, &k, k.snd - 1, k.rcv, TCPHDR_ACK, NULL, 0, 0);
	mk_advance(c, 300000);
	mk_tcp(c, &k, k.snd - 1, k.rcv, TCPHDR_ACK, "x", 1, 0);
	mk_advance(c, 300000);
	mk_tcp(c, &k, k.snd, k.rcv + 5000, TCPHDR_ACK, NULL, 0, 0);
	mk_advance(c, 300000);
	mk_tcp(c, &k, k.snd, k.rcv - 100000, TCPHDR_ACK, NULL, 0, 0);
	mk_advance(c, 600000);
	mk_tcp(c, &k, k.snd, k.rcv - 100000, TCPHDR_ACK, NULL, 0, 0);
	mk_advance(c, 300000);
	mk_seg(c, &k, TCPHDR_FIN, NULL);
	struct mk_conn l = { .pport = 40051, .hport = 80, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2") };
	mk_tcp(c, &l, 700, 9999, TCPHDR_SYN | TCPHDR_ACK, NULL, 0, 0);
}

/* The peer's next segment with URG set and the urgent pointer ptr (the
 * byte before it is the urgent one, as Linux reads it: tcp_stdurg 0). */
static void mk_urg(struct mk_ctx *c, struct mk_conn *k, const char *data, uint16_t ptr)
{
	size_t len = strlen(data);
	struct pb_ipopt o = { .saddr = k->peer, .daddr = k->host, .proto = IPPROTO_TCP_, .smac = k->smac };
	size_t n = pb_tcp(l4, k->peer, k->host, k->pport, k->hport, k->snd, k->rcv,
			  TCPHDR_URG | TCPHDR_PSH | TCPHDR_ACK, 64240, NULL, 0, data, len, 0);
	struct tcphdr *t = (struct tcphdr *)l4;
	t->urg_ptr = htons(ptr);
	t->check = 0;
	t->check = htons(csum_tcpudp(k->peer, k->host, IPPROTO_TCP_, l4, n));
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	k->snd += (uint32_t)len;
}

/* Urgent data to echo (tcp_urg, tcp_check_urg; read without SO_OOBINLINE):
 * the urgent byte leaves the stream, so echo returns "abcdef" of
 * "abcdefg"; in "xyz!123" it returns "xyz", and "123" after its ACK
 * (a read stops at the urgent byte; Nagle holds the second write). */
static void tcp_urgent(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40060, .hport = 7 };
	mk_connect(c, &k, 60000);
	mk_urg(c, &k, "abcdefg", 7);
	k.rcv += 6;
	mk_advance(c, 300000);
	mk_seg(c, &k, 0, NULL);
	mk_advance(c, 300000);
	mk_urg(c, &k, "xyz!123", 4);
	k.rcv += 3;
	mk_advance(c, 300000);
	mk_seg(c, &k, 0, NULL);
	k.rcv += 3;
	mk_advance(c, 300000);
	mk_seg(c, &k, 0, NULL);
	mk_advance(c, 300000);
	mk_seg(c, &k, TCPHDR_FIN, NULL);
	k.rcv += 1;
	mk_advance(c, 300000);
	mk_seg(c, &k, 0, NULL);
}

/* An ICMP error (type, code) from the peer quoting the host's segment of
 * connection k with sequence number seq (its IP header and 8 bytes). */
static void mk_tcp_err(struct mk_ctx *c, const struct mk_conn *k, uint8_t type, uint8_t code, uint32_t seq)
{
	struct pb_ipopt o = { .saddr = k->peer, .daddr = k->host, .proto = IPPROTO_ICMP_ };
	struct iphdr *q = (struct iphdr *)(l4 + 8);
	memset(l4, 0, 8 + 20 + 8);
	l4[0] = type;
	l4[1] = code;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		l4[7] = 0x10, l4[6] = 0x05;	/* next-hop MTU 1296 */
	q->ihl_version = 0x45;
	q->tot_len = htons(20 + 44);
	q->ttl = 64;
	q->protocol = IPPROTO_TCP_;
	q->saddr = k->host;
	q->daddr = k->peer;
	q->check = ip_fast_csum(q, 5);
	uint8_t *t = l4 + 28;
	t[0] = (uint8_t)(k->hport >> 8), t[1] = (uint8_t)k->hport;
	t[2] = (uint8_t)(k->pport >> 8), t[3] = (uint8_t)k->pport;
	for (int i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	uint16_t sum = htons(csum_fold(csum_partial(l4, 36, 0)));
	memcpy(l4 + 2, &sum, 2);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, 36));
}

/* A peer that takes 1000-byte segments (its SYN's MSS) sends 1460 bytes
 * to echo: they come back as one skb of two segments (1000 + 460: GSO,
 * counted once by IP, twice by Tcp.OutSegs). */
/* mk_connect with the SYN's MSS option saying mss. */
static void mk_connect_mss(struct mk_ctx *c, struct mk_conn *k, uint32_t isn, uint16_t mss)
{
	const uint8_t opt[4] = { 2, 4, (uint8_t)(mss >> 8), (uint8_t)mss };
	struct pb_ipopt o = { .saddr = k->peer, .daddr = k->host, .proto = IPPROTO_TCP_ };
	uint64_t t_ns = c->t_us * 1000;
	size_t n = pb_tcp(l4, k->peer, k->host, k->pport, k->hport, isn, 0, TCPHDR_SYN, 64240, opt, 4, NULL, 0, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	k->snd = isn + 1;
	k->rcv = tcp_isn(k->peer, k->host, htons(k->pport), htons(k->hport), t_ns) + 1;
	mk_seg(c, k, 0, NULL);
}

static void tcp_gso_echo(struct mk_ctx *c)
{
	static char data[1461];
	struct mk_conn k = { .pport = 40080, .hport = 7, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2") };
	mk_connect_mss(c, &k, 9000, 1000);
	for (size_t i = 0; i < sizeof(data) - 1; i++)
		data[i] = (char)('a' + i % 26);
	mk_seg(c, &k, TCPHDR_PSH, data);
	k.rcv += 1460;
	mk_advance(c, 10000);
	mk_seg(c, &k, 0, NULL);
}

/* A SYN offering MSS 1: the host still sends segments of 48 bytes
 * (net.ipv4.tcp_min_snd_mss), so 48 echoed bytes come back as one
 * segment, not 48 of one byte. (--count N: MSS N and 2N + 4 bytes, to
 * hold against the kernel how it splits them.) */
static void tcp_tiny_mss(struct mk_ctx *c)
{
	static char data[1461];
	unsigned long want = c->param ? c->param : 1, len = c->param ? 2 * c->param + 4 : 48;
	struct mk_conn k = { .pport = 40081, .hport = 7, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2") };
	if (len > 1460)
		len = 1460;
	mk_connect_mss(c, &k, 7000, (uint16_t)want);
	memset(data, 'm', len);
	data[len] = 0;
	mk_seg(c, &k, TCPHDR_PSH, data);
	k.rcv += (uint32_t)len;
	mk_advance(c, 10000);
	mk_seg(c, &k, 0, NULL);
}

/* ICMP errors about a request sock's SYN-ACK (tcp_v4_err, tcp_req_err):
 * a port unreachable and a frag-needed leave it, the handshake completes;
 * a host unreachable drops it (TcpExt.ListenDrops), so its ACK finds only
 * the listener (RST); a time exceeded quoting another seq is out of window. */
static void tcp_icmp_errors(struct mk_ctx *c)
{
	struct mk_conn a = { .pport = 40070, .hport = 7 }, b = { .pport = 40071, .hport = 7 },
		       d = { .pport = 40072, .hport = 7 };
	struct mk_conn *ks[3] = { &a, &b, &d };
	for (int i = 0; i < 3; i++) {
		struct mk_conn *k = ks[i];
		uint64_t t_ns = c->t_us * 1000;
		k->peer = pb_ip("10.0.0.1");
		k->host = pb_ip("10.0.0.2");
		mk_tcp(c, k, 70000u + 1000u * (uint32_t)i, 0, TCPHDR_SYN, NULL, 0, 0);
		k->snd = 70001u + 1000u * (uint32_t)i;
		k->rcv = tcp_isn(k->peer, k->host, htons(k->pport), htons(k->hport), t_ns) + 1;
	}
	mk_tcp_err(c, &a, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, a.rcv - 1);
	mk_tcp_err(c, &a, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, a.rcv - 1);
	mk_tcp_err(c, &b, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, b.rcv - 1);
	mk_tcp_err(c, &d, ICMP_TIME_EXCEEDED, 0, d.rcv + 999);
	mk_advance(c, 20000);
	mk_seg(c, &a, 0, NULL);
	mk_seg(c, &b, 0, NULL);
	mk_seg(c, &d, 0, NULL);
	mk_seg(c, &a, TCPHDR_PSH, "hi\n");
	a.rcv += 3;
	mk_advance(c, 20000);
	mk_seg(c, &a, 0, NULL);
}

static void tcp_rst_rules(struct mk_ctx *c)
{
	struct mk_conn k = { .pport = 40007, .hport = 81, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2") };
	mk_tcp(c, &k, 100, 0, TCPHDR_SYN, NULL, 0, 0);			/* RST.ACK ack 101 */
	mk_tcp(c, &k, 200, 0, TCPHDR_SYN | TCPHDR_FIN, "xy", 2, 0);	/* ack = 200 + 1 + 2 + 1 */
	mk_tcp(c, &k, 300, 77777, TCPHDR_ACK, "data", 4, 0);		/* RST seq 77777, no ACK */
	mk_tcp(c, &k, 400, 0, TCPHDR_RST, NULL, 0, 0);			/* never answer a RST */
	k.hport = 80;
	mk_tcp(c, &k, 500, 12345, TCPHDR_ACK, NULL, 0, 0);		/* ACK to a listener: RST */
}

static void udp_echo_closed(struct mk_ctx *c)
{
	static const char msg[] = "ping over udp";
	struct pb_ipopt o = { .saddr = pb_ip("10.0.0.1"), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_UDP_ };
	size_t n = pb_udp(l4, o.saddr, o.daddr, 50000, 7, msg, sizeof(msg) - 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	n = pb_udp(l4, o.saddr, o.daddr, 50001, 9999, msg, sizeof(msg) - 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	o.daddr = pb_ip("10.0.0.255");
	o.dmac = PB_BCAST_MAC;
	n = pb_udp(l4, o.saddr, o.daddr, 50002, 9999, msg, sizeof(msg) - 1, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	o.daddr = pb_ip("10.0.0.2");
	o.dmac = NULL;
	n = pb_udp(l4, o.saddr, o.daddr, 50003, 7, msg, sizeof(msg) - 1, 1);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/* The i-th of four peers that never answer ARP, 10.0.0.3 to 10.0.0.6,
 * sending to the host: its header options (its MAC in mac). */
static struct pb_ipopt dead_peer(int i, uint8_t mac[6], uint16_t id)
{
	char peer[16];
	static const uint8_t base[6] = { 2, 0, 0, 0, 1, 0 };
	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(3 + i % 4);
	snprintf(peer, sizeof(peer), "10.0.0.%d", 3 + i % 4);
	return (struct pb_ipopt){ .saddr = pb_ip(peer), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_UDP_, .id = id,
				  .smac = mac };
}

/* The echo socket's send buffer (wmem_default 212992): 40 datagrams of
 * 8000 bytes (eth0's MTU 9000) from four peers that never answer ARP,
 * 70 ms apart. Each echo waits in its neighbour's queue, still charged to
 * the socket; the 14th finds the buffer full and the application sleeps in
 * sendto, so the rest queue unread until the receive buffer is full too.
 * After the capture each failing neighbour frees what it held: under half
 * full, the application wakes, sends, and reads on. */
static void udp_sndbuf(struct mk_ctx *c)
{
	static uint8_t big[9100], data[8000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('a' + i % 26);
	c->step_us = 70000;
	for (int i = 0; i < 40; i++) {
		uint8_t mac[6];
		struct pb_ipopt o = dead_peer(i, mac, (uint16_t)(0x700 + i));
		size_t n = pb_udp(big, o.saddr, o.daddr, (uint16_t)(40000 + i), 7, data, sizeof(data), 0);
		static uint8_t f[9200];
		mk_emit(c, f, pb_eth_ip(f, &o, big, n));
	}
}

/* udp-sndbuf at MTU 1500: 96 datagrams of 3000 bytes, each in three
 * fragments, to echo from four peers that never answer ARP, 24 ms apart.
 * Each echo leaves as three fragments held for ARP, and Linux charges
 * every fragment to the socket (ip_frag_next: "charge the memory for the
 * fragment to any owner it might possess"), so the buffer fills about
 * the 41st echo although each datagram was freed once cut up; the
 * application sleeps and the rest queue unread until the receive buffer
 * is full too (Udp.RcvbufErrors). */
static void udp_sndbuf_frag(struct mk_ctx *c)
{
	static uint8_t dgram[3008], data[3000], f[1600];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('A' + i % 26);
	c->step_us = 8000;	/* the fragments of one datagram 8 ms apart, datagrams 24 ms */
	for (int i = 0; i < 96; i++) {
		uint8_t mac[6];
		struct pb_ipopt o = dead_peer(i, mac, (uint16_t)(0x900 + i));
		size_t n = pb_udp(dgram, o.saddr, o.daddr, (uint16_t)(41000 + i), 7, data, sizeof(data), 0);
		for (size_t off = 0; off < n; off += 1480) {
			size_t len = n - off > 1480 ? 1480 : n - off;
			o.frag = (uint16_t)((off + len < n ? IP_MF : 0) | off / 8);
			mk_emit(c, f, pb_eth_ip(f, &o, dgram + off, len));
		}
	}
}

/* A peer not in the neighbour table connects: the SYN-ACK waits for ARP. */
static void arp_resolve(struct mk_ctx *c)
{
	static const uint8_t mac3[6] = { 2, 0, 0, 0, 0, 0xbb };
	struct mk_conn k = { .pport = 40010, .hport = 80, .peer = pb_ip("10.0.0.3"), .host = pb_ip("10.0.0.2"),
			     .smac = mac3 };
	size_t n;
	mk_tcp(c, &k, 100, 0, TCPHDR_SYN, NULL, 0, 0);
	mk_tcp(c, &k, 100, 0, TCPHDR_SYN, NULL, 0, 0);	/* retransmitted SYN: a second SYN-ACK held */
	n = pb_arp(frame, ARPOP_REPLY, PB_HOST_MAC, mac3, k.peer, PB_HOST_MAC, k.host);
	mk_emit(c, frame, n);
	/* A gratuitous ARP from 10.0.0.3 with a new MAC updates the entry. */
	static const uint8_t mac3b[6] = { 2, 0, 0, 0, 0, 0xbc };
	n = pb_arp(frame, ARPOP_REQUEST, PB_BCAST_MAC, mac3b, k.peer, (const uint8_t *)"\0\0\0\0\0\0", k.peer);
	mk_emit(c, frame, n);
	/* One from an unknown host is not learned (arp_accept=0). */
	n = pb_arp(frame, ARPOP_REQUEST, PB_BCAST_MAC, mac3b, pb_ip("10.0.0.4"), (const uint8_t *)"\0\0\0\0\0\0",
		   pb_ip("10.0.0.4"));
	mk_emit(c, frame, n);
}

/* 16 SYNs that are never acknowledged, to a listener whose backlog is 16:
 * the full SYN queue's timer prunes old requests (reqsk_timer_handler). */
static void tcp_syn_queue(struct mk_ctx *c)
{
	for (int i = 0; i < 16; i++) {
		struct mk_conn k = { .pport = (uint16_t)(41000 + i), .hport = 9, .peer = pb_ip("10.0.0.1"),
				     .host = pb_ip("10.0.0.2") };
		mk_tcp(c, &k, 5000u + 1000u * (uint32_t)i, 0, TCPHDR_SYN, NULL, 0, 0);
	}
}

const struct mk_scenario mk_transport_scenarios[] = {
	{ "tcp-http", "HTTP/1.0 on port 80: handshake, GET, the host answers and closes first (FIN_WAIT, TIME_WAIT)",
	  tcp_http, NULL },
	{ "tcp-echo", "echo on port 7: data both ways, the peer closes first (CLOSE_WAIT, LAST_ACK)", tcp_echo, NULL },
	{ "tcp-delack", "20 small segments 100 ms apart to discard port 9: quick ACKs, then an ACK as the application reads each one", tcp_delack,
	  NULL },
	{ "tcp-ooo", "out-of-order segments held and filled, a retransmission (TCP_OLD_DATA), a partial overlap",
	  tcp_ooo, NULL },
	{ "tcp-coalesce", "out-of-order runs coalesced into their last skb, then into the hole-filler "
	  "(TcpExt.TCPRcvCoalesce, as the tailroom of Linux's skbs allows)", tcp_coalesce, NULL },
	{ "tcp-rto-after-capture", "replies the capture never acknowledges: retransmitted after it ends, the RTO "
	  "doubling each time (TCPTimeouts, RetransSegs); http's data and FIN collapsed into one", tcp_rto_after_capture,
	  NULL },
	{ "tcp-bad-csum", "a SYN with a bad TCP checksum (TCP_CSUM, no RST), then a good one", tcp_bad_csum, NULL },
	{ "tcp-urgent", "urgent data to echo: the urgent byte leaves the stream (\"abcdefg\" comes back as "
	  "\"abcdef\"), and a read stops at it (\"xyz!123\": \"xyz\", then \"123\")", tcp_urgent, NULL },
	{ "tcp-gso-echo", "a peer taking 1000-byte segments sends 1460 bytes to echo: they come back as one skb of "
	  "two segments, 1000 + 460 on the wire (GSO: counted once by Ip.OutRequests, twice by Tcp.OutSegs)",
	  tcp_gso_echo, NULL },
	{ "tcp-tiny-mss", "a SYN offering MSS 1: 48 echoed bytes come back in one segment, the floor "
	  "net.ipv4.tcp_min_snd_mss puts under the peer's MSS (not 48 segments of one byte)", tcp_tiny_mss, NULL },
	{ "tcp-icmp-errors", "ICMP errors about a request sock's SYN-ACK: port unreachable and frag-needed leave it, "
	  "host unreachable drops it (its ACK then gets a RST), a time exceeded quoting another seq is out of window",
	  tcp_icmp_errors, NULL },
	{ "tcp-ack-edges", "ACKs to judge on echo: keepalives, an ACK of data never sent and one far too old "
	  "(challenge ACKs, rate limited), then the close; a SYN-ACK to a listener gets a RST", tcp_ack_edges, NULL },
	{ "tcp-window-rst", "out-of-window data, RST and SYN in window (RFC 5961 challenge ACKs), exact RST",
	  tcp_window_rst, NULL },
	{ "tcp-rst-rules", "segments to a closed port: how the RST's seq/ack are chosen; no RST for a RST",
	  tcp_rst_rules, NULL },
	{ "udp-echo-closed", "UDP echo, a closed port, a broadcast to a closed port, a bad UDP checksum",
	  udp_echo_closed, NULL },
	{ "udp-sndbuf-frag", "udp-sndbuf at MTU 1500: 96 datagrams of 3000 bytes in three fragments each; every "
	  "fragment of each echo held for ARP is charged to the socket, which fills at the 41st; the rest "
	  "wait unread (RcvbufErrors)",
	  udp_sndbuf_frag,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	  "  \"listen\": [{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]\n}\n" },
	{ "udp-sndbuf", "40 datagrams of 8000 bytes to echo from peers that never answer ARP: the replies held "
	  "fill the socket's send buffer, the application sleeps in sendto, the rest wait unread (RcvbufErrors); "
	  "after the capture the failed neighbours free the buffer and it wakes", udp_sndbuf,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":9000}],\n"
	  "  \"listen\": [{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]\n}\n" },
	{ "arp-resolve", "a SYN from an unknown neighbour: ARP request, SYN-ACKs held in arp_queue, reply flushes",
	  arp_resolve, NULL },
	{ "tcp-syn-queue", "16 SYNs never acknowledged, to discard port 9 with backlog 16: each SYN-ACK is sent "
	  "again at 1 and 3 s; at 7 s old requests crowd the queue and the first 8 are dropped, the other 8 go on "
	  "to 5 retransmissions (reqsk_timer_handler)", tcp_syn_queue,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	  "  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	  "  \"listen\": [{\"proto\":\"tcp\",\"port\":9,\"app\":\"discard\",\"backlog\":16}]\n}\n" },
	{ NULL, NULL, NULL, NULL },
};
