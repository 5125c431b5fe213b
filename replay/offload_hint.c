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

#include "frame.h"
#include "ip.h"

#define HINT_SOURCES	64	/* sources counted; later new ones are not */
#define HINT_RING	4096	/* > netdev_max_backlog: frames in flight */

struct hint_src {
	uint32_t saddr;			/* network order */
	uint64_t ip, l4;		/* IPv4 frames; of them TCP/UDP */
	uint64_t bad_ip, bad_l4;	/* IP_CSUM; TCP_CSUM + UDP_CSUM drops */
	uint64_t icmp_zero;		/* ICMP_CSUM drops of messages whose checksum field is 0 */
};

struct offload_hint {
	struct hint_src src[HINT_SOURCES];
	int nsrc;
	struct { int64_t pkt; int idx; int icmp0; } ring[HINT_RING];
};

struct offload_hint *offload_hint_new(void)
{
	struct offload_hint *h = calloc(1, sizeof(*h));
	for (int i = 0; h && i < HINT_RING; i++)
		h->ring[i].pkt = -1;
	return h;
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

void offload_hint_frame(void *ctx, int64_t pkt, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct offload_hint *h = ctx;
	struct frame_l2 l2;
	const uint8_t *ip;
	size_t avail;
	uint32_t saddr;
	int idx;

	(void)len;
	if (pkt < 0 || !(ip = frame_ipv4(dlt, data, caplen < 96 ? caplen : 96, &l2, &avail)))
		return;
	memcpy(&saddr, ip + 12, 4);
	if ((idx = source_index(h, saddr)) < 0)
		return;
	h->src[idx].ip++;
	h->src[idx].l4 += ip[9] == IPPROTO_TCP_ || ip[9] == IPPROTO_UDP_;
	h->ring[pkt % HINT_RING].pkt = pkt;
	h->ring[pkt % HINT_RING].idx = idx;
	size_t hl = (size_t)(ip[0] & 15) * 4;
	h->ring[pkt % HINT_RING].icmp0 = ip[9] == 1 && avail >= hl + 4 && !ip[hl + 2] && !ip[hl + 3];
}

void offload_hint_emit(void *ctx, const struct trace_event *ev)
{
	struct offload_hint *h = ctx;

	if (ev->ph != 'i' || ev->pkt < 0 || (ev->reason != SKB_DROP_REASON_TCP_CSUM &&
	    ev->reason != SKB_DROP_REASON_UDP_CSUM && ev->reason != SKB_DROP_REASON_IP_CSUM &&
	    ev->reason != SKB_DROP_REASON_ICMP_CSUM))
		return;
	if (!trace_fn_is(ev->fn, "kfree_skb") || h->ring[ev->pkt % HINT_RING].pkt != ev->pkt)
		return;
	struct hint_src *s = &h->src[h->ring[ev->pkt % HINT_RING].idx];
	if (ev->reason == SKB_DROP_REASON_ICMP_CSUM)
		s->icmp_zero += h->ring[ev->pkt % HINT_RING].icmp0;
	else if (ev->reason == SKB_DROP_REASON_IP_CSUM)
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
	for (int i = 0; h && i < h->nsrc; i++)	/* a checksum of 0 is never computed: it was left out */
		if (h->src[i].icmp_zero)
			fprintf(f, "note: %llu ICMP message%s from %s carr%s checksum 0: the capture point saw %s before "
				"the checksum was filled in (or a tool zeroed it); replay with --no-csum\n",
				(unsigned long long)h->src[i].icmp_zero, h->src[i].icmp_zero == 1 ? "" : "s",
				ip_fmt(h->src[i].saddr), h->src[i].icmp_zero == 1 ? "ies" : "y",
				h->src[i].icmp_zero == 1 ? "it" : "them");
	if (best)
		fprintf(f, "note: most %s checksums from %s are wrong: the capture was probably taken on that host "
			"with checksum offload (its NIC fills them in after capture); replay with --no-csum\n",
			best_l4 ? "TCP/UDP" : "IP header", ip_fmt(best->saddr));
	free(h);
	return best != NULL;
}
