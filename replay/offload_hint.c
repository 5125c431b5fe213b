/*
 * offload_hint.c - the checksum-offload note of `replay` (see
 * offload_hint.h). Cheap by construction: a driver_rx event costs a look
 * at ~40 bytes of its frame, any other event a comparison or two. Frames
 * reach the stack's checksum checks later (the softirq runs in bursts), so
 * a ring maps the capture packet number of each frame to its source.
 */
#include "offload_hint.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "ip.h"

#define HINT_SOURCES	64	/* sources counted; later new ones are not */
#define HINT_RING	4096	/* > netdev_max_backlog: frames in flight */

struct hint_src {
	uint32_t saddr;			/* network order */
	uint64_t ip, l4;		/* IPv4 frames; of them TCP/UDP */
	uint64_t bad_ip, bad_l4;	/* IP_CSUM; TCP_CSUM + UDP_CSUM drops */
};

struct offload_hint {
	struct hint_src src[HINT_SOURCES];
	int nsrc;
	struct { int64_t pkt; int idx; } ring[HINT_RING];
};

struct offload_hint *offload_hint_new(void)
{
	struct offload_hint *h = calloc(1, sizeof(*h));
	for (int i = 0; h && i < HINT_RING; i++)
		h->ring[i].pkt = -1;
	return h;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes up to n bytes of the hex string at s (stops at its end). */
static uint32_t unhex(const char *s, uint8_t *out, uint32_t n)
{
	uint32_t i = 0;
	for (; i < n; i++, s += 2) {
		int a = hexval(s[0]), b = a < 0 ? -1 : hexval(s[1]);
		if (b < 0)
			break;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return i;
}

/* Where the IPv4 header starts for this link type, or -1. */
static int ip_offset(long dlt, const uint8_t *p, uint32_t n)
{
	uint32_t off = 12;

	if (dlt == NJ_DLT_LINUX_SLL)
		return n >= 16 && p[14] == 0x08 && p[15] == 0x00 ? 16 : -1;
	if (dlt == NJ_DLT_LINUX_SLL2)
		return n >= 20 && p[0] == 0x08 && p[1] == 0x00 ? 20 : -1;
	if (dlt != NJ_DLT_EN10MB)
		return 0;
	while (off + 4 <= n && ((p[off] == 0x81 && p[off + 1] == 0x00) || (p[off] == 0x88 && p[off + 1] == 0xa8)))
		off += 4;
	return off + 2 <= n && p[off] == 0x08 && p[off + 1] == 0x00 ? (int)off + 2 : -1;
}

static int source_index(struct offload_hint *h, uint32_t saddr)
{
	for (int i = 0; i < h->nsrc; i++)
		if (h->src[i].saddr == saddr)
			return i;
	if (h->nsrc == HINT_SOURCES)
		return -1;
	h->src[h->nsrc].saddr = saddr;
	return h->nsrc++;
}

/* A frame enters: count it for its IPv4 source. */
static void hint_frame(struct offload_hint *h, const struct trace_event *ev)
{
	const char *lt = ev->args ? strstr(ev->args, "\"linktype\":") : NULL;
	const char *fr = ev->args ? strstr(ev->args, "\"frame\":\"") : NULL;
	uint8_t p[64];
	uint32_t n, saddr;
	int off, idx;

	if (!lt || !fr || ev->pkt < 0)
		return;
	n = unhex(fr + 9, p, sizeof(p));
	off = ip_offset(strtol(lt + 11, NULL, 10), p, n);
	if (off < 0 || (uint32_t)off + 20 > n || (p[off] >> 4) != 4)
		return;
	memcpy(&saddr, p + off + 12, 4);
	if ((idx = source_index(h, saddr)) < 0)
		return;
	h->src[idx].ip++;
	h->src[idx].l4 += p[off + 9] == IPPROTO_TCP_ || p[off + 9] == IPPROTO_UDP_;
	h->ring[ev->pkt % HINT_RING].pkt = ev->pkt;
	h->ring[ev->pkt % HINT_RING].idx = idx;
}

void offload_hint_emit(void *ctx, const struct trace_event *ev)
{
	struct offload_hint *h = ctx;

	if (ev->ph == 'B' && !strcmp(ev->fn, "driver_rx")) {
		hint_frame(h, ev);
		return;
	}
	if (ev->ph != 'i' || ev->pkt < 0 || (ev->reason != SKB_DROP_REASON_TCP_CSUM &&
	    ev->reason != SKB_DROP_REASON_UDP_CSUM && ev->reason != SKB_DROP_REASON_IP_CSUM))
		return;
	if (strcmp(ev->fn, "kfree_skb") || h->ring[ev->pkt % HINT_RING].pkt != ev->pkt)
		return;
	struct hint_src *s = &h->src[h->ring[ev->pkt % HINT_RING].idx];
	if (ev->reason == SKB_DROP_REASON_IP_CSUM)
		s->bad_ip++;
	else
		s->bad_l4++;
}

int offload_hint_report(struct offload_hint *h, FILE *f)
{
	const struct hint_src *best = NULL;
	uint64_t best_bad = 0;
	int best_l4 = 0;

	for (int i = 0; h && i < h->nsrc; i++) {
		const struct hint_src *s = &h->src[i];
		int l4 = s->bad_l4 >= 3 && s->bad_l4 * 2 > s->l4;
		int ip = s->bad_ip >= 3 && s->bad_ip * 2 > s->ip;
		uint64_t bad = l4 ? s->bad_l4 : s->bad_ip;
		if ((l4 || ip) && bad > best_bad) {
			best = s;
			best_bad = bad;
			best_l4 = l4;
		}
	}
	if (best)
		fprintf(f, "note: most %s checksums from %s are wrong: the capture was probably taken on that host "
			"with checksum offload (its NIC fills them in after capture); replay with --no-csum\n",
			best_l4 ? "TCP/UDP" : "IP header", ip_fmt(best->saddr));
	free(h);
	return best != NULL;
}
