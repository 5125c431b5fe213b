/*
 * mkpcap_tcpopt.c - TCP option scenario pcaps for mkpcap (see mkpcap.h):
 * a peer that offers what Linux and Windows clients offer (MSS 1460,
 * SACK-permitted, timestamps, window scale 7), then PAWS, SACK, D-SACK,
 * a segment without a timestamp after timestamps were agreed, and data
 * that only the scaled window admits. Only the peer's frames are written.
 * The peer's TSecr echoes the host's TSval as the stack computes it
 * (tcp_ts_now: packet time in ms plus tcp_ts_offset), and its ack the
 * host's ISN (tcp_isn), so replays are deterministic.
 */
#include <string.h>

#include "mkpcap.h"
#include "tcp.h"

static uint8_t frame[2048], l4[1600];

#define PEER_TS_OFF	100000u	/* the peer's TSval clock: its ms plus this */

struct ok_conn {
	uint32_t peer, host;		/* network order */
	uint16_t pport, hport;		/* host order */
	uint32_t snd, rcv;		/* the peer's next seq; the host's next seq */
	uint32_t tsecr;			/* the host's last TSval, echoed */
	int ts, sack, ws;		/* what the peer offers in its SYN */
	uint8_t tos;			/* the IP ECN field of its segments */
};

static uint32_t peer_tsval(const struct mk_ctx *c) { return (uint32_t)(c->t_us / 1000) + PEER_TS_OFF; }

static uint32_t host_tsval(const struct mk_ctx *c, const struct ok_conn *k)
{
	return (uint32_t)(c->t_us / 1000) + tcp_ts_offset(k->host, k->peer);
}

static uint8_t *be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

/* The SYN's options as a Linux client lays them out. */
static size_t syn_opts(const struct mk_ctx *c, const struct ok_conn *k, uint8_t *o)
{
	uint8_t *p = o;
	*p++ = 2, *p++ = 4, *p++ = 0x05, *p++ = 0xb4;
	if (k->sack && k->ts) {
		*p++ = 4, *p++ = 2, *p++ = 8, *p++ = 10;
	} else if (k->ts) {
		*p++ = 1, *p++ = 1, *p++ = 8, *p++ = 10;
	} else if (k->sack) {
		*p++ = 1, *p++ = 1, *p++ = 4, *p++ = 2;
	}
	if (k->ts) {
		p = be32(p, peer_tsval(c));
		p = be32(p, 0);
	}
	if (k->ws)
		*p++ = 1, *p++ = 3, *p++ = 3, *p++ = 7;
	return (size_t)(p - o);
}

/* One peer segment; ts < 0 leaves the timestamp out, else tsval = ts
 * (0: the peer's clock now). sack: one block [s0, s1) when s1 != s0. */
static void ok_tcp(struct mk_ctx *c, struct ok_conn *k, uint32_t seq, uint8_t flags, const void *data, size_t len,
		   long ts, uint32_t s0, uint32_t s1)
{
	struct pb_ipopt o = { .saddr = k->peer, .daddr = k->host, .proto = IPPROTO_TCP_, .tos = k->tos };
	uint8_t opt[40], *p = opt;
	size_t n;

	if (flags & TCPHDR_SYN) {
		p += syn_opts(c, k, opt);
	} else {
		if (k->ts && ts >= 0) {
			*p++ = 1, *p++ = 1, *p++ = 8, *p++ = 10;
			p = be32(p, ts ? (uint32_t)ts : peer_tsval(c));
			p = be32(p, k->tsecr);
		}
		if (s1 != s0) {
			*p++ = 1, *p++ = 1, *p++ = 5, *p++ = 10;
			p = be32(p, s0);
			p = be32(p, s1);
		}
	}
	n = pb_tcp(l4, k->peer, k->host, k->pport, k->hport, seq, flags & TCPHDR_SYN ? 0 : k->rcv, flags,
		   k->ws && !(flags & TCPHDR_SYN) ? 502 : 64240, opt, (size_t)(p - opt), data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

/* The peer's next segment in sequence (with its timestamp). */
static void ok_seg(struct mk_ctx *c, struct ok_conn *k, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	ok_tcp(c, k, k->snd, flags | TCPHDR_ACK, data, len, 0, 0, 0);
	k->snd += (uint32_t)len + !!(flags & TCPHDR_FIN);
}

/* A SYN with options (flags: SYN and maybe ECE, CWR; its IP ECN field
 * tos), then the handshake's ACK echoing the SYN-ACK's TSval. */
static void ok_syn_ack(struct mk_ctx *c, struct ok_conn *k, uint16_t pport, uint16_t hport, uint32_t isn,
		       uint8_t synflags, uint8_t tos)
{
	k->peer = pb_ip("10.0.0.1");
	k->host = pb_ip("10.0.0.2");
	k->pport = pport;
	k->hport = hport;
	k->tsecr = host_tsval(c, k);
	k->rcv = tcp_isn(k->peer, k->host, htons(pport), htons(hport), c->t_us * 1000) + 1;
	k->tos = tos;
	ok_tcp(c, k, isn, synflags, NULL, 0, 0, 0, 0);
	k->tos = 0;
	k->snd = isn + 1;
	ok_seg(c, k, 0, NULL);
}

static void ok_connect(struct mk_ctx *c, struct ok_conn *k, uint16_t pport, uint16_t hport, uint32_t isn)
{
	ok_syn_ack(c, k, pport, hport, isn, TCPHDR_SYN, 0);
}

static const char hundred[] = "0123456789012345678901234567890123456789012345678901234567890123456789"
			      "01234567890123456789012345678\n";

/* All four options to the http server: the SYN-ACK offers all four back. */
static void tcp_options(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41000, 80, 1000);
	ok_seg(c, &k, TCPHDR_PSH, "GET / HTTP/1.0\r\nHost: 10.0.0.2\r\n\r\n");
	k.tsecr = host_tsval(c, &k) - 1;	/* the reply went out at the GET's time */
	k.rcv += sock_http_page_len + 1;
	mk_advance(c, 20000);
	ok_seg(c, &k, 0, NULL);
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* PAWS: a segment whose TSval went backwards is dropped with a dup ACK. */
static void tcp_paws(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41001, 9, 2000);
	ok_seg(c, &k, TCPHDR_PSH, hundred);
	mk_advance(c, 300000);
	ok_tcp(c, &k, k.snd, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, (long)peer_tsval(c) - 100000, 0, 0);
	mk_advance(c, 300000);
	ok_seg(c, &k, TCPHDR_PSH, hundred);	/* a current TSval: accepted */
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* SACK: a hole, two segments beyond it, then the fill. */
static void tcp_sack(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41002, 9, 3000);
	uint32_t s0 = k.snd;
	ok_tcp(c, &k, s0, TCPHDR_ACK, hundred, 100, 0, 0, 0);		/* 1:101 */
	ok_tcp(c, &k, s0 + 200, TCPHDR_ACK, hundred, 100, 0, 0, 0);	/* 201:301: SACK 201:301 */
	ok_tcp(c, &k, s0 + 300, TCPHDR_ACK, hundred, 100, 0, 0, 0);	/* 301:401: SACK 201:401 */
	ok_tcp(c, &k, s0 + 500, TCPHDR_ACK, hundred, 100, 0, 0, 0);	/* 501:601: two blocks */
	ok_tcp(c, &k, s0 + 100, TCPHDR_ACK, hundred, 100, 0, 0, 0);	/* fills to 401 */
	ok_tcp(c, &k, s0 + 400, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* fills to 601 */
	k.snd = s0 + 600;
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* D-SACK: data sent twice (the ACK was lost), and a duplicate beyond a hole. */
static void tcp_dsack(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41003, 9, 4000);
	uint32_t s0 = k.snd;
	ok_tcp(c, &k, s0, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);
	mk_advance(c, 300000);
	ok_tcp(c, &k, s0, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);		/* D-SACK 1:101 (old) */
	ok_tcp(c, &k, s0 + 200, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* SACK 201:301 */
	ok_tcp(c, &k, s0 + 200, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* D-SACK 201:301 (OFO) */
	ok_tcp(c, &k, s0 + 100, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* fill */
	k.snd = s0 + 300;
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* Timestamps agreed, then a data segment without one: Linux 6.13 takes
 * it (slow path, ts_recent unchanged) and its ACK still carries TS. */
static void tcp_no_ts_after_ts(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41004, 9, 5000);
	ok_seg(c, &k, TCPHDR_PSH, hundred);
	mk_advance(c, 300000);
	ok_tcp(c, &k, k.snd, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, -1, 0, 0);
	k.snd += 100;
	mk_advance(c, 300000);
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* Window scale: the host offers 509 << 7 bytes; data 10000 bytes ahead
 * fits the scaled window only; 70000 ahead fits neither. */
static void tcp_wscale(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	ok_connect(c, &k, 41005, 9, 6000);
	uint32_t s0 = k.snd;
	ok_tcp(c, &k, s0, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);
	ok_tcp(c, &k, s0 + 10000, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* held, SACKed */
	mk_advance(c, 600000);
	ok_tcp(c, &k, s0 + 70000, TCPHDR_ACK | TCPHDR_PSH, hundred, 100, 0, 0, 0);	/* beyond: dup ACK */
}

/* PAWS on a request sock (tcp_check_req): the handshake's ACK with a
 * TSval older than the SYN's is refused with an ACK (PAWSEstab), a second
 * within 500 ms gets none (TCPACKSkippedSynRecv), a RST with an old TSval
 * is refused too (it would reset the request), then the right ACK opens. */
static void tcp_paws_req(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2"),
			     .pport = 41011, .hport = 9 };
	k.tsecr = host_tsval(c, &k);
	k.rcv = tcp_isn(k.peer, k.host, htons(k.pport), htons(k.hport), c->t_us * 1000) + 1;
	long old = (long)peer_tsval(c) - 50;
	ok_tcp(c, &k, 11000, TCPHDR_SYN, NULL, 0, 0, 0, 0);
	k.snd = 11001;
	mk_advance(c, 1000);
	ok_tcp(c, &k, k.snd, TCPHDR_ACK, NULL, 0, old, 0, 0);		/* PAWS: an ACK back */
	mk_advance(c, 1000);
	ok_tcp(c, &k, k.snd, TCPHDR_ACK, NULL, 0, old, 0, 0);		/* again: rate limited */
	mk_advance(c, 1000);
	ok_tcp(c, &k, k.snd, TCPHDR_RST | TCPHDR_ACK, NULL, 0, old, 0, 0);	/* refused, no reset */
	mk_advance(c, 600000);
	ok_tcp(c, &k, k.snd + 100000, TCPHDR_ACK, NULL, 0, 0, 0, 0);	/* out of window: an ACK */
	mk_advance(c, 1000);
	ok_seg(c, &k, 0, NULL);							/* the handshake completes */
	ok_seg(c, &k, TCPHDR_PSH, "hello\n");
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* Window growth: full-sized segments (1448 bytes, 2304 of truesize) set
 * the scaling ratio to 160/256, so window_clamp grows to 80 KiB, and each
 * raises rcv_ssthresh by two segments (tcp_grow_window): the windows the
 * host offers grow from 501 << 7 toward the free space. 14 segments: all
 * acknowledged at once (quickack), none left to the delayed-ACK timer,
 * whose 40 ms diff-kernel's pacing would not keep. */
static void tcp_window_grow(struct mk_ctx *c)
{
	static char seg[1448];
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	memset(seg, 'w', sizeof(seg));
	ok_connect(c, &k, 41010, 9, 10000);
	for (int i = 0; i < 14; i++) {
		mk_advance(c, 1000);
		k.tsecr = host_tsval(c, &k) - 1;
		ok_tcp(c, &k, k.snd, TCPHDR_ACK | (i % 8 == 7 ? TCPHDR_PSH : 0), seg, sizeof(seg), 0, 0, 0);
		k.snd += sizeof(seg);
	}
	mk_advance(c, 1000);
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* A host-side capture: the host's own segments are in it too (its MAC
 * as source). Its SYN-ACK, ISN 777777, comes 1 ms after the SYN; replayed
 * in step, the stack must send that one SYN-ACK, at the SYN. */
static void host_tcp(struct mk_ctx *c, struct ok_conn *k, uint32_t seq, uint32_t ack, uint8_t flags,
		     const char *data, const uint8_t *opt, size_t optlen)
{
	struct pb_ipopt o = { .saddr = k->host, .daddr = k->peer, .proto = IPPROTO_TCP_, .smac = PB_HOST_MAC,
			      .dmac = (const uint8_t *)"\x02\x00\x00\x00\x00\xaa" };
	size_t len = data ? strlen(data) : 0;
	size_t n = pb_tcp(l4, k->host, k->peer, k->hport, k->pport, seq, ack, flags, flags & TCPHDR_SYN ? 65160 : 509,
			  opt, optlen, data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void tcp_recorded_server(struct mk_ctx *c)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\n\r\nhi\n";
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	uint8_t o[20], *p;
	k.peer = pb_ip("10.0.0.1");
	k.host = pb_ip("10.0.0.2");
	k.pport = 41100;
	k.hport = 80;
	ok_tcp(c, &k, 9000, TCPHDR_SYN, NULL, 0, 0, 0, 0);
	uint32_t peer_ts0 = peer_tsval(c) - 1;
	k.snd = 9001;
	k.rcv = 777778;
	/* the host's SYN-ACK: mss 1460,sackOK,TS,nop,wscale 7 */
	p = o;
	*p++ = 2, *p++ = 4, *p++ = 0x05, *p++ = 0xb4, *p++ = 4, *p++ = 2, *p++ = 8, *p++ = 10;
	p = be32(p, host_tsval(c, &k));
	p = be32(p, peer_ts0);
	*p++ = 1, *p++ = 3, *p++ = 3, *p++ = 7;
	k.tsecr = host_tsval(c, &k);
	host_tcp(c, &k, 777777, 9001, TCPHDR_SYN | TCPHDR_ACK, NULL, o, 20);
	ok_seg(c, &k, 0, NULL);
	ok_seg(c, &k, TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	p = o;
	*p++ = 1, *p++ = 1, *p++ = 8, *p++ = 10;
	p = be32(p, host_tsval(c, &k));
	p = be32(p, peer_tsval(c) - 1);
	k.tsecr = host_tsval(c, &k);
	host_tcp(c, &k, 777778, k.snd, TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN, reply, o, 12);
	k.rcv += (uint32_t)strlen(reply) + 1;
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* The checksum field as a Linux sender leaves it for the device
 * (CHECKSUM_PARTIAL): the folded pseudo-header sum, nothing else. */
static void set_partial(uint8_t *field, uint32_t saddr, uint32_t daddr, uint8_t proto, uint32_t len)
{
	uint32_t sa = ntohl(saddr), da = ntohl(daddr);
	uint32_t sum = (sa >> 16) + (sa & 0xffff) + (da >> 16) + (da & 0xffff) + proto + len;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	field[0] = (uint8_t)(sum >> 8);
	field[1] = (uint8_t)sum;
}

static void tcp_csum_partial(struct mk_ctx *c)
{
	struct pb_ipopt o = { .saddr = pb_ip("10.0.0.1"), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_TCP_ };
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	static const uint16_t ports[3] = { 80, 81, 80 };
	size_t n;

	for (int i = 0; i < 3; i++) {
		/* to 80: a SYN-ACK; to closed 81: a RST; the last one truly bad: dropped */
		n = pb_tcp(l4, o.saddr, o.daddr, (uint16_t)(41200 + i), ports[i], 100, 0, TCPHDR_SYN, 64240, mss, 4,
			   NULL, 0, 0);
		set_partial(l4 + 16, o.saddr, o.daddr, IPPROTO_TCP_, (uint32_t)n);
		if (i == 2)
			l4[17] ^= 1;
		mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	}
	o.proto = IPPROTO_UDP_;
	n = pb_udp(l4, o.saddr, o.daddr, 41300, 9999, "partial", 7, 0);
	set_partial(l4 + 6, o.saddr, o.daddr, IPPROTO_UDP_, (uint32_t)n);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));	/* closed port: ICMP port unreachable */
}

/* The host as a client (scenario "connections"): its SYN went out before
 * the capture began (ISN 12345, mss 1460, sackOK, TS, wscale 7); the
 * server's SYN-ACK and data arrive. And a connection open before the
 * capture (snd_nxt 70000, rcv_nxt 90000) that receives in-window data. */
static void tcp_client(struct mk_ctx *c)
{
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	uint8_t o[20], *p = o;
	k.peer = pb_ip("10.0.0.1");
	k.host = pb_ip("10.0.0.2");
	k.pport = 80;
	k.hport = 40000;
	k.rcv = 12346;
	*p++ = 2, *p++ = 4, *p++ = 0x05, *p++ = 0xb4, *p++ = 4, *p++ = 2, *p++ = 8, *p++ = 10;
	p = be32(p, peer_tsval(c));
	p = be32(p, host_tsval(c, &k) - 3);	/* our SYN's TSval, 3 ms earlier */
	*p++ = 1, *p++ = 3, *p++ = 3, *p++ = 7;
	struct pb_ipopt io = { .saddr = k.peer, .daddr = k.host, .proto = IPPROTO_TCP_ };
	size_t n = pb_tcp(l4, k.peer, k.host, 80, 40000, 5000, 12346, TCPHDR_SYN | TCPHDR_ACK, 65160, o, 20, NULL, 0, 0);
	k.tsecr = host_tsval(c, &k);	/* our ACK goes out now */
	mk_emit(c, frame, pb_eth_ip(frame, &io, l4, n));
	k.snd = 5001;
	ok_seg(c, &k, TCPHDR_PSH, "hello, client\n");
	/* the pre-existing connection: no options were seen for it */
	struct ok_conn e = { .peer = k.peer, .host = k.host, .pport = 81, .hport = 40001, .snd = 90000, .rcv = 70000 };
	ok_seg(c, &e, TCPHDR_PSH, "more data\n");
	ok_tcp(c, &e, 90000 + 10 + 2000000, TCPHDR_ACK, "far", 3, 0, 0, 0);	/* out of window: dup ACK */
}

/* SACK blocks the host receives: echo sends two full-sized replies (full
 * segments, which Nagle does not hold); the peer acks both with a D-SACK
 * of the first (a duplicate reached it: TCPDSACKRecv), then sends a block
 * beyond anything sent (TCPSACKDiscard). tcp_sacktag_write_queue reads
 * them. (A block beyond a hole would start loss recovery, not modelled.) */
static void tcp_sack_recv(struct mk_ctx *c)
{
	static char full[1449];
	struct ok_conn k = { .ts = 1, .sack = 1, .ws = 1 };
	memset(full, 'x', 1448);
	ok_connect(c, &k, 41006, 7, 7000);
	uint32_t h = k.rcv;	/* the host's first data byte */
	ok_seg(c, &k, TCPHDR_PSH, full);	/* echoed: h .. h+1448 */
	mk_advance(c, 10000);
	ok_seg(c, &k, TCPHDR_PSH, full);	/* echoed: h+1448 .. h+2896 */
	mk_advance(c, 10000);
	k.rcv = h + 2896;
	ok_tcp(c, &k, k.snd, TCPHDR_ACK, NULL, 0, 0, h, h + 1448);		/* D-SACK the first */
	ok_tcp(c, &k, k.snd, TCPHDR_ACK, NULL, 0, 0, h + 5000, h + 6000);	/* never sent: discarded */
	ok_seg(c, &k, TCPHDR_FIN, NULL);
}

/* A SYN the host answers with a cookie (its queue full): the ISN and, with
 * timestamps, the TSval the stack's syncookies.c gives it, for the ACK. */
static void cookie_syn(struct mk_ctx *c, struct ok_conn *k, uint16_t pport, uint32_t isn)
{
	struct sock req = { .wscale_ok = (uint8_t)k->ws, .snd_wscale = 7, .sack_ok = (uint8_t)k->sack };
	uint16_t mss = 1460;
	k->peer = pb_ip("10.0.0.1");
	k->host = pb_ip("10.0.0.2");
	k->pport = pport;
	k->hport = 9;
	k->rcv = __cookie_v4_init_sequence(k->peer, k->host, htons(pport), htons(9), isn, &mss, c->t_us * 1000) + 1;
	k->tsecr = cookie_init_timestamp(&req, c->t_us * 1000) + tcp_ts_offset(k->host, k->peer);
	ok_tcp(c, k, isn, TCPHDR_SYN, NULL, 0, 0, 0, 0);
	k->snd = isn + 1;
}

/* SYN cookies: three SYNs fill discard's queue (backlog 2: full when it
 * holds more, as in Linux 6.14 on); two more get cookie SYN-ACKs (one with timestamps, its options in the TSval; one
 * without, MSS only). The first cookie's ACK opens a connection; the
 * second's ACK is first forged (a RST), then right. */
static void tcp_syn_cookies(struct mk_ctx *c)
{
	struct ok_conn q = { .ts = 1, .sack = 1, .ws = 1, .peer = pb_ip("10.0.0.1"), .host = pb_ip("10.0.0.2"),
			     .hport = 9 };
	struct ok_conn a = { .ts = 1, .sack = 1, .ws = 1 }, b = { 0 };
	for (int i = 0; i < 3; i++) {
		q.pport = (uint16_t)(41020 + i);
		ok_tcp(c, &q, 20000u + 1000u * (uint32_t)i, TCPHDR_SYN, NULL, 0, 0, 0, 0);
		mk_advance(c, 1000);
	}
	cookie_syn(c, &a, 41023, 23000);
	mk_advance(c, 1000);
	cookie_syn(c, &b, 41024, 24000);
	mk_advance(c, 1000);
	ok_seg(c, &a, 0, NULL);
	ok_seg(c, &a, TCPHDR_PSH, "hello\n");
	uint32_t right = b.rcv;
	b.rcv += 1000;
	ok_seg(c, &b, 0, NULL);		/* not our cookie: SyncookiesFailed, a RST */
	b.rcv = right;
	mk_advance(c, 1000);
	ok_seg(c, &b, 0, NULL);
	ok_seg(c, &b, TCPHDR_PSH, "hello\n");
	ok_seg(c, &a, TCPHDR_FIN, NULL);
	ok_seg(c, &b, TCPHDR_FIN, NULL);
}

/* ECN (RFC 3168) as a Linux server agrees to it (tcp_ecn 2): a SYN with
 * ECE and CWR gets a SYN-ACK with ECE; http's answer goes out ECT(0),
 * its FIN and our ACKs not. To discard: a CE-marked segment makes every
 * ACK carry ECE until a segment with CWR. A SYN with ECE alone, and an
 * ECT-marked one, get no ECN. */
static void tcp_ecn(struct mk_ctx *c)
{
	const uint8_t ecn = TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR;
	struct ok_conn a = { .ts = 1, .sack = 1, .ws = 1 }, b = a, d = a, e = a;
	ok_syn_ack(c, &a, 41030, 80, 30000, ecn, 0);
	ok_seg(c, &a, TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	a.tsecr = host_tsval(c, &a);
	a.rcv += sock_http_page_len + 1;
	mk_advance(c, 20000);
	ok_seg(c, &a, 0, NULL);
	ok_syn_ack(c, &b, 41031, 9, 31000, ecn, 0);
	b.tos = 3;					/* CE */
	ok_seg(c, &b, TCPHDR_PSH, "congested\n");
	b.tos = 2;					/* ECT(0) */
	mk_advance(c, 1000);
	ok_seg(c, &b, TCPHDR_PSH, "still\n");
	mk_advance(c, 1000);
	ok_seg(c, &b, TCPHDR_PSH | TCPHDR_CWR, "cwr\n");
	mk_advance(c, 1000);
	ok_seg(c, &b, TCPHDR_PSH, "after\n");
	ok_syn_ack(c, &d, 41032, 9, 32000, TCPHDR_SYN | TCPHDR_ECE, 0);
	ok_syn_ack(c, &e, 41033, 9, 33000, ecn, 2);
}

const struct mk_scenario mk_tcpopt_scenarios[] = {
	{ "tcp-options", "a peer offering mss, sackOK, TS and wscale 7 to http: the SYN-ACK offers all four, every "
	  "segment then carries timestamps", tcp_options, NULL },
	{ "tcp-paws", "timestamps agreed; a segment whose TSval went back 100 s: PAWS drop (TCP_RFC7323_PAWS, "
	  "PAWSEstab) and a duplicate ACK", tcp_paws, NULL },
	{ "tcp-sack", "SACK agreed: a hole, ACKs with SACK blocks (tcp_sack_new_ofo_skb), then the fills",
	  tcp_sack, NULL },
	{ "tcp-dsack", "a retransmission of received data and a duplicate beyond a hole: ACKs with D-SACK blocks "
	  "(TCPDSACKOldSent, TCPDSACKOfoSent)", tcp_dsack, NULL },
	{ "tcp-no-ts-after-ts", "timestamps agreed, then a data segment without one: accepted on the slow path",
	  tcp_no_ts_after_ts, NULL },
	{ "tcp-wscale", "window scale 7: data 10000 bytes ahead fits the scaled window only; 70000 ahead is beyond it",
	  tcp_wscale, NULL },
	{ "tcp-paws-req", "PAWS on a request sock: handshake ACKs and a RST with a TSval older than the SYN's are "
	  "refused (PAWSEstab, one ACK per 500 ms), then the handshake completes", tcp_paws_req, NULL },
	{ "tcp-window-grow", "14 full-sized segments to discard: the scaling ratio, window_clamp and rcv_ssthresh "
	  "grow as Linux 6.x grows them (tcp_grow_window), and so do the windows the host offers", tcp_window_grow,
	  NULL },
	{ "tcp-recorded-server", "a capture taken on the server: its SYN-ACK (ISN 777777) comes after the SYN; "
	  "replayed in step the stack sends that one SYN-ACK, at the SYN", tcp_recorded_server,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	  "  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	  "  \"listen\": [{\"proto\":\"tcp\",\"port\":80,\"app\":\"recorded\"}]\n}\n" },
	{ "tcp-csum-partial", "segments and a datagram whose checksum field holds only the pseudo-header sum "
	  "(CHECKSUM_PARTIAL, as a Linux sender on veth leaves it): trusted, answered (SYN-ACK, RST, ICMP); one "
	  "truly bad checksum still dropped", tcp_csum_partial, NULL },
	{ "tcp-client", "the host as a client (scenario \"connections\"): SYN_SENT gets the SYN-ACK, ESTABLISHED, "
	  "our ACK with the agreed options; and a connection open before the capture (preexisting) taking data",
	  tcp_client,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	  "  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	  "  \"connections\": [\n"
	  "    {\"proto\":\"tcp\",\"local\":\"10.0.0.2:40000\",\"remote\":\"10.0.0.1:80\",\"state\":\"SYN_SENT\",\"isn\":12345,\n"
	  "     \"app\":\"discard\",\"syn_options\":{\"mss\":1460,\"sack_ok\":true,\"ts\":true,\"wscale\":7}},\n"
	  "    {\"proto\":\"tcp\",\"local\":\"10.0.0.2:40001\",\"remote\":\"10.0.0.1:81\",\"state\":\"ESTABLISHED\",\n"
	  "     \"snd_nxt\":70000,\"rcv_nxt\":90000,\"snd_wnd\":64240,\"app\":\"discard\"}]\n}\n" },
	{ "tcp-sack-recv", "SACK blocks the host receives (echo's replies): a D-SACK (TcpExt.TCPDSACKRecv) and a "
	  "block beyond what was sent (TcpExt.TCPSACKDiscard); tcp_sacktag_write_queue", tcp_sack_recv, NULL },
	{ "tcp-syn-cookies", "SYN cookies (net.ipv4.tcp_syncookies=1): three SYNs fill discard's SYN queue (backlog 2), so "
	  "two more SYNs get cookie SYN-ACKs, one carrying its options in the TSval, one with the MSS only; their ACKs "
	  "open connections with no request sock (SyncookiesRecv), a forged one gets a RST (SyncookiesFailed)",
	  tcp_syn_cookies,
	  "{\n  \"kernel\": \"6.x\",\n"
	  "  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	  "  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	  "  \"listen\": [{\"proto\":\"tcp\",\"port\":9,\"app\":\"discard\",\"backlog\":2}]\n}\n" },
	{ "tcp-ecn", "ECN agreed as a Linux server does (tcp_ecn 2): SYN-ACK with ECE, http's answer ECT(0); a CE mark "
	  "answered with ECE on every ACK until the peer's CWR; a SYN with ECE alone, and an ECT one, get no ECN", tcp_ecn,
	  NULL },
	{ NULL, NULL, NULL, NULL },
};
