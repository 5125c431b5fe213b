/*
 * tcp_options.c - TCP options (RFC 9293 3.1, RFC 7323 timestamps and
 * window scale, RFC 2018/2883 SACK and D-SACK), the parts of Linux 6.13's
 * net/ipv4/tcp_input.c (tcp_parse_options, tcp_paws_check/discard,
 * tcp_replace_ts_recent, tcp_sack_new_ofo_skb, tcp_sack_remove,
 * tcp_dsack_set, tcp_sacktag_write_queue's block checks) and
 * net/ipv4/tcp_output.c (tcp_options_write, tcp_synack_options,
 * tcp_established_options, tcp_select_initial_window) that deal with
 * them, kept in one file so tcp_input.c and tcp_output.c stay readable.
 * Left out: MD5/AO signatures, Fast Open cookies, MPTCP, experimental
 * options (all skipped as unknown when received), SACK-based loss
 * recovery (received blocks are checked, counted and shown, and mark the
 * write queue, but nothing is retransmitted from them), the 24-day PAWS
 * idle rule (replays are shorter), and the per-boot secret of the TSval
 * offset (a hash of the addresses, so replays are deterministic).
 */
#include "tcp.h"

#include <stdio.h>
#include <string.h>

/* One option at o (len bytes left): stores what Linux keeps of it. */
static void tcp_parse_one(const struct net *net, const uint8_t *o, uint8_t opsize, int syn, int estab,
			  const uint8_t *th, struct tcp_options_received *opt)
{
	switch (o[0]) {
	case TCPOPT_MSS:
		if (opsize == TCPOLEN_MSS && syn && !estab) {
			uint16_t v = (uint16_t)(o[2] << 8 | o[3]);
			if (v)
				opt->mss_clamp = v;	/* 0 is ignored, as Linux does */
		}
		break;
	case TCPOPT_WINDOW:
		if (opsize == TCPOLEN_WINDOW && syn && !estab && net->sysctl.tcp_window_scaling) {
			opt->wscale_ok = 1;
			opt->snd_wscale = o[2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : o[2];	/* RFC 7323 2.3 */
		}
		break;
	case TCPOPT_TIMESTAMP:
		if (opsize == TCPOLEN_TIMESTAMP && ((estab && opt->tstamp_ok) || (!estab && net->sysctl.tcp_timestamps))) {
			opt->saw_tstamp = 1;
			opt->rcv_tsval = (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
			opt->rcv_tsecr = (uint32_t)o[6] << 24 | (uint32_t)o[7] << 16 | (uint32_t)o[8] << 8 | o[9];
		}
		break;
	case TCPOPT_SACK_PERM:
		if (opsize == TCPOLEN_SACK_PERM && syn && !estab && net->sysctl.tcp_sack)
			opt->sack_ok = 1;
		break;
	case TCPOPT_SACK:
		if (opsize >= 2 + 8 && !((opsize - 2) % 8) && opt->sack_ok)
			opt->sack_off = (uint8_t)(o - th);	/* tcp_sacktag_write_queue reads it */
		break;
	default:
		opt->unknown++;	/* MD5, AO, Fast Open, MPTCP, experiments: not modelled */
		break;
	}
}

void tcp_parse_options(const struct net *net, const uint8_t *th, int estab, struct tcp_options_received *opt)
{
	uint32_t length = (uint32_t)(th[12] >> 4) * 4;
	const uint8_t *o = th + 20;
	int syn = th[13] & TCPHDR_SYN;

	opt->saw_tstamp = 0;
	opt->sack_off = 0;
	length = length > 20 ? length - 20 : 0;
	while (length > 0) {
		uint8_t opsize;
		if (o[0] == TCPOPT_EOL)
			return;
		if (o[0] == TCPOPT_NOP) {
			o++;
			length--;
			continue;
		}
		/* A kind without room for its length, a length below 2 ("silly
		 * options") or past the header end: Linux stops parsing there. */
		if (length < 2 || (opsize = o[1]) < 2 || opsize > length) {
			opt->malformed = 1;
			return;
		}
		tcp_parse_one(net, o, opsize, syn, estab, th, opt);
		o += opsize;
		length -= opsize;
	}
}

void tcp_fast_parse_options(const struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct tcp_options_received opt = { .tstamp_ok = sk->tstamp_ok, .sack_ok = sk->sack_ok };

	TCP_SKB_CB(skb)->sacked = 0;
	sk->saw_tstamp = 0;
	if ((skb->data[12] >> 4) == 5)
		return;	/* no options at all */
	tcp_parse_options(net, skb->data, 1, &opt);
	sk->saw_tstamp = opt.saw_tstamp;
	sk->rcv_tsval = opt.rcv_tsval;
	sk->rcv_tsecr = opt.rcv_tsecr;
	TCP_SKB_CB(skb)->sacked = opt.sack_off;
}

/* -- timestamps (RFC 7323 4, 5) -- */

uint32_t tcp_ts_offset(uint32_t saddr, uint32_t daddr)
{
	/* secure_tcp_ts_off: a hash of the addresses (no boot secret here). */
	uint32_t h = 2166136261u, w[2] = { saddr, daddr };
	for (int i = 0; i < 8; i++) {
		h ^= ((const uint8_t *)w)[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t tcp_ts_now(const struct net *net, const struct sock *sk)
{
	return (uint32_t)(net->now_ns / 1000000ULL) + sk->ts_offset;	/* 1 ms ticks, as Linux 6.x */
}

/* tcp_paws_check: the segment's TSval is not older than ts_recent by more
 * than win; a ts_recent of 0 (never stored) lets everything in. */
int tcp_paws_check(const struct sock *sk, int win)
{
	if ((int32_t)(sk->ts_recent - sk->rcv_tsval) <= win)
		return 1;
	return !sk->ts_recent;
}

/* tcp_disordered_ack: a pure ACK, exactly in sequence, that changes
 * nothing but is old only because it was reordered with data: RFC 7323
 * lets it through rather than count it a PAWS failure. */
static int tcp_disordered_ack(const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t win = (uint32_t)cb->window << sk->snd_wscale;

	return (cb->tcp_flags & ~TCPHDR_PSH) == TCPHDR_ACK && cb->seq == cb->end_seq && cb->seq == sk->rcv_nxt &&
	       cb->ack_seq == sk->snd_una && win == sk->snd_wnd &&
	       (int32_t)(sk->ts_recent - sk->rcv_tsval) <= (int32_t)(TCP_RTO_MIN_NS / 1000000ULL);
}

int tcp_paws_discard(const struct sock *sk, const struct sk_buff *skb)
{
	return !tcp_paws_check(sk, TCP_PAWS_WINDOW) && !tcp_disordered_ack(sk, skb);
}

void tcp_replace_ts_recent(struct net *net, struct sock *sk, uint32_t seq)
{
	/* RFC 7323 4.3: only a segment covering the left window edge. */
	if (!sk->saw_tstamp || after(seq, sk->rcv_wup) || !tcp_paws_check(sk, 0))
		return;
	sk->ts_recent = sk->rcv_tsval;
	sk->ts_recent_stamp_ns = net->now_ns;
}

/* -- window scale (RFC 7323 2) -- */

static uint32_t ilog2_u32(uint32_t v)
{
	uint32_t r = 0;
	while (v >>= 1)
		r++;
	return r;
}

/* The space is what the whole receive buffer is worth (tcp_full_space:
 * half of tcp_rmem[1], 64 KiB), in whole segments of mss and at most 64 KiB
 * unscaled; the shift is sized for the largest buffer the socket may grow
 * to (tcp_rmem[2] or rmem_max; 6 MiB: 22 bits - 15 = 7). */
void tcp_select_initial_window(const struct net *net, struct sock *sk, uint32_t mss)
{
	int32_t full = tcp_full_space(sk);
	uint32_t space = full > 0 ? (uint32_t)full : 0;
	uint32_t clamp = sk->window_clamp ? sk->window_clamp : 65535u << TCP_MAX_WSCALE;

	if (space > clamp)
		space = clamp;
	if (space > mss && mss)
		space = space / mss * mss;	/* rounddown(space, mss) */
	sk->rcv_wnd = space < 65535 ? space : 65535;
	sk->rcv_wscale = 0;
	if (sk->wscale_ok && net->sysctl.tcp_window_scaling) {
		uint32_t s = space;
		if (s < net->sysctl.tcp_rmem[2])
			s = net->sysctl.tcp_rmem[2];
		if (s < net->sysctl.rmem_max)
			s = net->sysctl.rmem_max;
		if (s > clamp)
			s = clamp;
		int ws = (int)ilog2_u32(s) - 15;
		sk->rcv_wscale = (uint8_t)(ws < 0 ? 0 : ws > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : ws);
	}
	sk->window_clamp = (65535u << sk->rcv_wscale) < clamp ? 65535u << sk->rcv_wscale : clamp;
	sk->rcv_ssthresh = sk->rcv_wnd;
}

/* -- SACK (RFC 2018) and D-SACK (RFC 2883), the receiver's side -- */

/* tcp_sack_maybe_coalesce: block 0 grew; absorb any block it now touches. */
static void tcp_sack_maybe_coalesce(struct sock *sk)
{
	struct tcp_sack_block *sp = &sk->selective_acks[0];

	for (int i = 1; i < sk->num_sacks;) {
		struct tcp_sack_block *b = &sk->selective_acks[i];
		if (!after(sp->start_seq, b->end_seq) && !after(b->start_seq, sp->end_seq)) {
			if (before(b->start_seq, sp->start_seq))
				sp->start_seq = b->start_seq;
			if (after(b->end_seq, sp->end_seq))
				sp->end_seq = b->end_seq;
			memmove(b, b + 1, (size_t)(sk->num_sacks - i - 1) * sizeof(*b));
			sk->num_sacks--;
			continue;
		}
		i++;
	}
}

void tcp_sack_new_ofo_skb(struct sock *sk, uint32_t seq, uint32_t end_seq)
{
	struct tcp_sack_block *sp = sk->selective_acks;
	int n = sk->num_sacks, i;

	for (i = 0; i < n; i++) {
		if (!after(sp[i].start_seq, end_seq) && !after(seq, sp[i].end_seq)) {
			struct tcp_sack_block b = sp[i];	/* extend it and move it first */
			if (before(seq, b.start_seq))
				b.start_seq = seq;
			if (after(end_seq, b.end_seq))
				b.end_seq = end_seq;
			memmove(sp + 1, sp, (size_t)i * sizeof(*sp));
			sp[0] = b;
			tcp_sack_maybe_coalesce(sk);
			return;
		}
	}
	/* A new block goes first (RFC 2018 4: the most recent); the oldest
	 * falls off when all TCP_NUM_SACKS are in use. */
	if (n >= TCP_NUM_SACKS)
		n = TCP_NUM_SACKS - 1;
	memmove(sp + 1, sp, (size_t)n * sizeof(*sp));
	sp[0] = (struct tcp_sack_block){ seq, end_seq };
	sk->num_sacks = (uint8_t)(n + 1);
}

void tcp_sack_remove(struct sock *sk)
{
	int j = 0;

	if (!skb_queue_len(&sk->ofo_queue)) {
		sk->num_sacks = 0;	/* no hole left: no block either */
		return;
	}
	for (int i = 0; i < sk->num_sacks; i++)
		if (after(sk->selective_acks[i].end_seq, sk->rcv_nxt))
			sk->selective_acks[j++] = sk->selective_acks[i];
	sk->num_sacks = (uint8_t)j;
}

void tcp_dsack_set(struct net *net, struct sock *sk, uint32_t seq, uint32_t end_seq)
{
	if (!sk->sack_ok || !net->sysctl.tcp_dsack)
		return;
	SNMP_INC(net, before(seq, sk->rcv_nxt) ? MIB_TCPEXT_TCPDSACKOLDSENT : MIB_TCPEXT_TCPDSACKOFOSENT);
	sk->dsack = 1;
	sk->duplicate_sack = (struct tcp_sack_block){ seq, end_seq };
}

/* tcp_is_sackblock_valid: a block must lie within what we sent and not
 * end at or below snd_una, unless it is a D-SACK (RFC 2883). */
static int tcp_is_sackblock_valid(const struct sock *sk, int dup, uint32_t s, uint32_t e)
{
	if (after(e, sk->snd_nxt) || !before(s, e))
		return 0;
	if (!before(s, sk->snd_una))
		return 1;
	return dup && !before(s, sk->snd_una - sk->max_window);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int tcp_sacktag_write_queue(struct net *net, struct sock *sk, const struct sk_buff *skb, uint32_t prior_snd_una)
{
	const uint8_t *o = skb_transport_header(skb) + TCP_SKB_CB(skb)->sacked;
	int n = (o[1] - 2) / 8, tagged = 0, dup = 0;
	uint32_t s0 = get_be32(o + 2), e0 = get_be32(o + 6);

	/* tcp_check_dsack: the first block is a D-SACK if it lies below the
	 * ACK, or inside the second block. */
	if (before(s0, TCP_SKB_CB(skb)->ack_seq) ||
	    (n > 1 && !after(e0, get_be32(o + 14)) && !before(s0, get_be32(o + 10)))) {
		dup = 1;
		SNMP_INC(net, MIB_TCPEXT_TCPDSACKRECV);
	}
	for (int i = 0; i < n; i++) {
		uint32_t s = get_be32(o + 2 + 8 * i), e = get_be32(o + 6 + 8 * i);
		if (!tcp_is_sackblock_valid(sk, dup && i == 0, s, e)) {
			if (!(dup && i == 0))
				SNMP_INC(net, MIB_TCPEXT_TCPSACKDISCARD);
			continue;
		}
		for (int k = 0; k < sk->wq_n; k++)	/* segments wholly inside are SACKed */
			if (!after(sk->wq[k].end_seq, e) && after(sk->wq[k].end_seq, s))
				tagged++;
	}
	trace_step(net, skb, "tcp_sacktag_write_queue", "%d SACK block(s)%s; %d sent segment(s) marked as received "
		   "by the peer (snd_una %u)", n, dup ? ", the first a D-SACK (a duplicate reached the peer)" : "",
		   tagged, prior_snd_una - sk->iss);
	return tagged;
}

/* -- writing options (tcp_options_write's layouts) -- */

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

/* Timestamps after SACK-permitted when both go (the SYN-ACK), otherwise
 * after two NOPs: 32-bit aligned either way. */
static uint8_t *put_ts(uint8_t *p, int sack_perm, uint32_t tsval, uint32_t tsecr)
{
	*p++ = sack_perm ? TCPOPT_SACK_PERM : TCPOPT_NOP;
	*p++ = sack_perm ? TCPOLEN_SACK_PERM : TCPOPT_NOP;
	*p++ = TCPOPT_TIMESTAMP;
	*p++ = TCPOLEN_TIMESTAMP;
	p = put_be32(p, tsval);
	return put_be32(p, tsecr);
}

uint32_t tcp_synack_options(const struct net *net, const struct sock *req, uint8_t *buf)
{
	uint8_t *p = buf;

	*p++ = TCPOPT_MSS;
	*p++ = TCPOLEN_MSS;
	*p++ = (uint8_t)(req->advmss >> 8);
	*p++ = (uint8_t)req->advmss;
	if (req->tstamp_ok) {
		p = put_ts(p, req->sack_ok, tcp_recorded_tsval(net, req), req->ts_recent);
	} else if (req->sack_ok) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACK_PERM;
		*p++ = TCPOLEN_SACK_PERM;
	}
	if (req->wscale_ok) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WINDOW;
		*p++ = TCPOLEN_WINDOW;
		*p++ = req->rcv_wscale;
	}
	return (uint32_t)(p - buf);
}

uint32_t tcp_established_options(const struct net *net, struct sock *sk, uint8_t *buf)
{
	uint8_t *p = buf;
	int room = 40, n;

	if (sk->tstamp_ok) {
		p = put_ts(p, 0, tcp_recorded_tsval(net, sk), sk->ts_recent);
		room -= 12;
	}
	n = sk->num_sacks + sk->dsack;
	if (!n)
		return (uint32_t)(p - buf);
	if (n > (room - 4) / 8)
		n = (room - 4) / 8;
	*p++ = TCPOPT_NOP;
	*p++ = TCPOPT_NOP;
	*p++ = TCPOPT_SACK;
	*p++ = (uint8_t)(2 + 8 * n);
	for (int i = 0; i < n; i++) {
		/* The D-SACK block first (RFC 2883 4), then the newest SACKs. */
		const struct tcp_sack_block *b = sk->dsack ? (i ? &sk->selective_acks[i - 1] : &sk->duplicate_sack)
							   : &sk->selective_acks[i];
		p = put_be32(p, b->start_seq);
		p = put_be32(p, b->end_seq);
	}
	sk->dsack = 0;	/* a D-SACK is reported once */
	return (uint32_t)(p - buf);
}

/* -- showing them -- */

static void opt_append(char *buf, size_t len, size_t *at, const char *fmt, uint32_t a, uint32_t b)
{
	if (*at >= len)
		return;
	int w = snprintf(buf + *at, len - *at, fmt, a, b);
	*at += w > 0 ? (size_t)w : 0;
}

const char *tcp_opts_fmt(const uint8_t *opt, uint32_t len)
{
	static _Thread_local char ring[4][160];
	static _Thread_local int r;
	char *b = ring[r++ & 3];
	uint32_t i = 0;
	size_t at = 0;

	b[0] = 0;
	while (i < len) {
		const uint8_t *o = opt + i;
		uint32_t sz = o[0] <= TCPOPT_NOP ? 1 : i + 1 < len ? o[1] : 0;
		if (at)
			opt_append(b, 160, &at, ",", 0, 0);
		if (o[0] == TCPOPT_EOL) {
			opt_append(b, 160, &at, "eol", 0, 0);
			break;
		}
		if (sz < 1 || i + sz > len || (o[0] > TCPOPT_NOP && sz < 2)) {
			opt_append(b, 160, &at, "bad opt %u", o[0], 0);
			break;
		}
		if (o[0] == TCPOPT_NOP)
			opt_append(b, 160, &at, "nop", 0, 0);
		else if (o[0] == TCPOPT_MSS && sz == TCPOLEN_MSS)
			opt_append(b, 160, &at, "mss %u", (uint32_t)(o[2] << 8 | o[3]), 0);
		else if (o[0] == TCPOPT_WINDOW && sz == TCPOLEN_WINDOW)
			opt_append(b, 160, &at, "wscale %u", o[2], 0);
		else if (o[0] == TCPOPT_SACK_PERM && sz == TCPOLEN_SACK_PERM)
			opt_append(b, 160, &at, "sackOK", 0, 0);
		else if (o[0] == TCPOPT_TIMESTAMP && sz == TCPOLEN_TIMESTAMP)
			opt_append(b, 160, &at, "TS val %u ecr %u", get_be32(o + 2), get_be32(o + 6));
		else if (o[0] == TCPOPT_SACK && sz >= 10)
			for (uint32_t k = 2; k + 8 <= sz; k += 8)
				opt_append(b, 160, &at, k == 2 ? "sack %u:%u" : " %u:%u", get_be32(o + k), get_be32(o + k + 4));
		else
			opt_append(b, 160, &at, "opt-%u len %u", o[0], sz);
		i += sz;
	}
	return b;
}

int tcp_options_tsval(const uint8_t *th, uint32_t avail, uint32_t *tsval)
{
	uint32_t tsecr;
	return tcp_options_ts(th, avail, tsval, &tsecr);
}

int tcp_options_ts(const uint8_t *th, uint32_t avail, uint32_t *tsval, uint32_t *tsecr)
{
	uint32_t len = avail >= 13 ? (uint32_t)(th[12] >> 4) * 4 : 0, i = 20;

	if (len > avail)
		return 0;
	while (i < len && th[i] != TCPOPT_EOL) {
		if (th[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > len || th[i + 1] < 2 || i + th[i + 1] > len)
			return 0;
		if (th[i] == TCPOPT_TIMESTAMP && th[i + 1] == TCPOLEN_TIMESTAMP) {
			*tsval = get_be32(th + i + 2);
			*tsecr = get_be32(th + i + 6);
			return 1;
		}
		i += th[i + 1];
	}
	return 0;
}

const char *tcp_options_str(const uint8_t *th, uint32_t avail)
{
	uint32_t len = (uint32_t)(th[12] >> 4) * 4;
	if (len > avail)
		len = avail;
	return tcp_opts_fmt(th + 20, len > 20 ? len - 20 : 0);
}

void tcp_options_args(struct jw *a, const struct sock *sk)
{
	jw_kv_uint(a, "mss", sk->mss_cache);
	jw_kv_bool(a, "sack_ok", sk->sack_ok);
	jw_kv_bool(a, "tstamp_ok", sk->tstamp_ok);
	jw_kv_uint(a, "snd_wscale", sk->snd_wscale);
	jw_kv_uint(a, "rcv_wscale", sk->rcv_wscale);
	jw_kv_uint(a, "ts_recent", sk->ts_recent);
}
