/*
 * replay_ahead.c - reading the capture ahead for recorded SYN-ACKs (see
 * replay_ahead.h). Not a kernel file: Linux picks its ISN at the SYN; in
 * step with a capture the stack must pick the one the host picked, which
 * the capture shows only a moment later.
 */
#include "replay_ahead.h"

#include <stdio.h>
#include <string.h>

#include "dissect.h"
#include "frame.h"
#include "ipv6.h"
#include "tcp.h"

static void has_listener(void *ctx, const struct sock *sk)
{
	if (sk->state == TCP_LISTEN)
		*(int *)ctx = 1;
}

void replay_ahead_open(struct replay_ahead *ra, struct net *net, const char *path)
{
	char err[256];
	int any = 0;

	memset(ra, 0, sizeof(*ra));
	sock_for_each(net, has_listener, &any);
	/* a pipe cannot be read twice: no looking ahead there */
	if (any && source_pcap_rereadable(path) && source_pcap_open(&ra->src, path, err, sizeof(err)) == 0)
		ra->open = 1;
	if (ra->open && ra->src.blk) {
		ra->src.blk->nocopy = 1;	/* headers only, read in place */
		ra->src.blk->keep = 1;		/* its windows mapped once, for both */
	}
}

/* The same for an IPv6 frame (TCP right after the fixed header). */
static void ahead_frame6(struct net *net, const uint8_t *h, size_t left)
{
	const uint8_t *th = h + 40;
	struct in6 s, d;
	uint16_t sport, dport;
	uint32_t seq, tsval = 0;

	if (left < 40 + 20 || h[6] != IPPROTO_TCP_ ||
	    (th[13] & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) != (TCPHDR_SYN | TCPHDR_ACK))
		return;
	memcpy(s.s6, h + 8, 16);
	memcpy(d.s6, h + 24, 16);
	if (!ipv6_chk_addr(net, &s, NULL))
		return;
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	memcpy(&seq, th + 4, 4);
	int has_ts = tcp_options_tsval(th, (uint32_t)(left - 40), &tsval);
	tcp_isn_pin_ahead6(net, &s, sport, &d, dport, ntohl(seq), has_ts, tsval);
}

/* An IPv4 packet of left bytes: a host's SYN-ACK pins its ISN. */
static void ahead_frame4(struct net *net, const uint8_t *ip, size_t left)
{
	uint32_t ihl, saddr, daddr, seq;
	const uint8_t *th;
	uint16_t sport, dport;

	if (left < 20 || (ip[0] >> 4) != 4)
		return;
	if (ip[9] != IPPROTO_TCP_ || ((ip[6] << 8 | ip[7]) & 0x3fff))
		return;
	ihl = (uint32_t)(ip[0] & 15) * 4;
	if (ihl < 20 || left < ihl + 20)
		return;
	th = ip + ihl;
	if ((th[13] & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) != (TCPHDR_SYN | TCPHDR_ACK))
		return;
	memcpy(&saddr, ip + 12, 4);
	memcpy(&daddr, ip + 16, 4);
	if (!ip_dev_find(net, saddr))
		return;
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	uint32_t tsval = 0;
	int has_ts = tcp_options_tsval(th, left - ihl, &tsval);
	tcp_isn_pin_ahead(net, saddr, sport, daddr, dport, seq, has_ts, tsval);
}

/* One frame: a host's SYN-ACK pins its ISN. */
static void ahead_frame(struct replay_ahead *ra, struct net *net, const uint8_t *p, uint32_t n)
{
	struct frame_l2 l2;

	/* Ethernet with no VLAN tag, nearly every frame, read here: IPv4 at
	 * 14, and other protocols than IP (ARP) have nothing to pin. */
	if (ra->src.frame_dlt == NJ_DLT_EN10MB && n >= 14) {
		uint16_t et = (uint16_t)(p[12] << 8 | p[13]);
		if (et == 0x0800) {
			ahead_frame4(net, p + 14, n - 14);
			return;
		}
		if (et != 0x86dd && et != 0x8100 && et != 0x88a8 && et != 0x9100)
			return;
	}
	/* the link header parsed once (frame_ipv4's checks, then IPv6's) */
	if (frame_link(ra->src.frame_dlt, p, n, &l2) < 0)
		return;
	if (l2.proto == 0x86dd) {
		if (l2.l3_off <= n)
			ahead_frame6(net, p + l2.l3_off, n - l2.l3_off);
		return;
	}
	if (l2.proto == 0x0800 && l2.l3_off <= n)
		ahead_frame4(net, p + l2.l3_off, n - l2.l3_off);
}

void replay_ahead_run(struct replay_ahead *ra, struct net *net, uint64_t until_ns)
{
	struct pcap_pkthdr *h;
	const uint8_t *data;
	char err[256];

	if (!ra->open)
		return;
	if (ra->pending) {
		if (ra->pending_ns > until_ns)
			return;
		ahead_frame(ra, net, ra->frame, ra->len);
		ra->pending = 0;
	}
	while (source_pcap_next(&ra->src, &h, &data, err, sizeof(err)) == 1) {
		uint64_t t = replay_frame_time(h, ra->src.frames, ra->retime_ns, ra->nretime);
		if (t > until_ns) {
			/* Kept for later: only the headers matter. */
			ra->len = h->caplen < sizeof(ra->frame) ? h->caplen : (uint32_t)sizeof(ra->frame);
			memcpy(ra->frame, data, ra->len);
			ra->pending_ns = t;
			ra->pending = 1;
			return;
		}
		ahead_frame(ra, net, data, h->caplen);
	}
	replay_ahead_close(ra);	/* the end, or a damaged file the main reader will report */
}

void replay_ahead_close(struct replay_ahead *ra)
{
	if (ra->open)
		source_pcap_close(&ra->src);
	ra->open = 0;
}
