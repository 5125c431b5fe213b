/*
 * reassembly.c - IPv6 fragment reassembly, after net/ipv6/reassembly.c
 * (Linux 6.13): ipv6_frag_rcv (the fragment header's handler: atomic
 * fragments, RFC 8200 4.5's incomplete first fragment), fq_find (queues
 * keyed by source, destination, identification and, for link-scoped
 * destinations, the arrival device), ip6_frag_queue (RFC 5722: any overlap
 * discards the datagram; a non-final fragment whose length is not a
 * multiple of 8 gets a parameter problem) and ip6_frag_reasm, and the
 * ip6frag_time (60 s) timer with its time exceeded when the first
 * fragment came. The fragment list and its overlap rules are the ones
 * IPv4 uses (inet_fragment.c's inet_frag_queue_insert), as in Linux.
 * Queues are found in a hash table and expire from a list kept in expiry
 * order, as IPv4's (inet_fragment.c). Left out: per-netns fqdir and the
 * rhashtable's random seed, the ECN combination table's invalid cases (CE is kept if any fragment
 * had it), checksum-complete bookkeeping.
 */
#include "inet_frag.h"
#include "ipv6.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAG6_QSIZE	184u	/* what Linux 6.x charges per queue: sizeof(struct frag_queue),
				 * measured against the reference kernel (IPv4: IPQ_QSIZE) */

struct frag6_queue {
	struct ipq q;			/* first (the table links through q.node): fragments,
					 * flags, len, meat, truesize, timer */
	struct in6 saddr, daddr;
	uint32_t id;			/* network order */
	int key_iif;			/* arrival device for link-scoped destinations, else 0 */
	int iif;
	uint16_t nhoffset;		/* in the first fragment: the byte naming the fragment header */
	uint16_t unfrag_len;		/* bytes before the fragment header in the first fragment */
	uint8_t ecn;
};

_Static_assert(offsetof(struct frag6_queue, q) == 0, "the hash table and the timers link through q");

struct frag6_table {
	struct htab queues;
	struct frag_timers tmr;
	uint64_t mem;
	int n;
};

static struct frag6_table *frag6_tbl(struct net *net)
{
	struct ipv6_state *s = ipv6_state(net);
	if (s && !s->frags) {
		struct frag6_table *t = calloc(1, sizeof(*t));
		if (t && htab_init(&t->queues) < 0) {
			free(t);
			t = NULL;
		}
		s->frags = t;
	}
	return s ? s->frags : NULL;
}

/* The queue's hash: every word of its key (inet6_hash_frag's inputs). */
static uint32_t fq_hash(const struct in6 *saddr, const struct in6 *daddr, uint32_t id, int key_iif)
{
	uint32_t h = frag_mix32(id ^ ((uint32_t)key_iif << 16));
	for (int i = 0; i < 16; i += 4) {
		uint32_t a, b;
		memcpy(&a, &saddr->s6[i], 4);
		memcpy(&b, &daddr->s6[i], 4);
		h = frag_mix32(h ^ a) ^ frag_mix32(b + i);
	}
	return h;
}

static const char *fq_name(const struct frag6_queue *fq)
{
	static _Thread_local char buf[160];
	snprintf(buf, sizeof(buf), "%s>%s id=0x%08x", in6_fmt(&fq->saddr), in6_fmt(&fq->daddr), ntohl(fq->id));
	return buf;
}

/* fq_trace_args - the queue as the next event's args, as IPv4 writes
 * them (inet_frag_args) with the table's and the queue's memory; the fold
 * keeps IPv6 queues from these. Returns the writer, so the caller may add
 * an "arrival" or why the queue ends ("end"); NULL when not tracing. */
static struct jw *fq_trace_args(struct net *net, const struct frag6_queue *fq)
{
	if (!trace_on(net))
		return NULL;
	struct jw *a = trace_args(net);
	jw_kv_str(a, "queue", fq_name(fq));
	inet_frag_args(a, &fq->q);
	jw_kv_uint(a, "queues", (uint64_t)net->ipv6->frags->n);
	jw_kv_uint(a, "mem", net->ipv6->frags->mem);
	jw_kv_uint(a, "truesize", (uint64_t)fq->q.truesize + FRAG6_QSIZE);
	return a;
}

static void fq_trace_end(struct net *net, const struct frag6_queue *fq, const char *why)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	jw_kv_str(a, "queue", fq_name(fq));
	jw_kv_str(a, "end", why);
}

/* The fragment is held: its queue and what arrived (the UI fills the
 * byte bar in arrival order). */
static void fq_trace_arrival(struct net *net, const struct frag6_queue *fq, const struct sk_buff *skb,
			     uint32_t offset)
{
	struct jw *a = fq_trace_args(net, fq);
	if (a)
		inet_frag_args_arrival(a, offset, skb->len, skb->id);
}

/* inet_frag_kill + destroy for this table: unlinked and freed, its
 * fragments as drops with reason (the timer) or quietly (consumed). */
static void fq_destroy(struct net *net, struct frag6_queue *fq, enum skb_drop_reason reason)
{
	struct frag6_table *t = net->ipv6->frags;
	struct sk_buff *skb, *next;
	htab_del(&t->queues, &fq->q.node);
	frag_tmr_del(&t->tmr, &fq->q);
	for (skb = fq->q.fragments; skb; skb = next) {
		next = skb->next;
		skb->next = skb->prev = NULL;
		if (reason == SKB_DROP_REASON_CONSUMED)
			kfree_skb(net, skb);
		else
			kfree_skb_reason(net, skb, reason);
	}
	t->mem -= fq->q.truesize + FRAG6_QSIZE;
	t->n--;
	free(fq);
}

void ipv6_frag_exit(struct net *net)
{
	struct frag6_table *t = net->ipv6 ? net->ipv6->frags : NULL;
	if (!t)
		return;
	while (t->tmr.head)
		fq_destroy(net, (struct frag6_queue *)t->tmr.head, SKB_DROP_REASON_CONSUMED);
	free(t->queues.b);
	free(t);
	net->ipv6->frags = NULL;
}

/* fq_find - the queue for the fragment, created if missing; NULL when
 * reassembly memory is past ip6frag_high_thresh (Linux 4.17+ refuses new
 * fragments rather than evicting). */
static struct frag6_queue *fq_find(struct net *net, const struct ipv6hdr *hdr, uint32_t id, int iif)
{
	struct frag6_table *t = frag6_tbl(net);
	int key_iif = ipv6_addr_is_multicast(&hdr->daddr) || ipv6_addr_linklocal(&hdr->daddr) ? iif : 0;
	if (!t || t->mem > net->ipv6->sysctl.ip6frag_high_thresh)
		return NULL;
	uint32_t hash = fq_hash(&hdr->saddr, &hdr->daddr, id, key_iif);
	for (struct hnode *n = t->queues.b[hash & t->queues.mask]; n; n = n->next) {
		struct frag6_queue *fq = (struct frag6_queue *)n;
		if (n->hash == hash && fq->id == id && fq->key_iif == key_iif &&
		    ipv6_addr_equal(&fq->saddr, &hdr->saddr) && ipv6_addr_equal(&fq->daddr, &hdr->daddr))
			return fq;
	}
	struct frag6_queue *fq = calloc(1, sizeof(*fq));
	if (!fq)
		return NULL;
	fq->saddr = hdr->saddr;
	fq->daddr = hdr->daddr;
	fq->id = id;
	fq->key_iif = key_iif;
	fq->q.created_ns = net->now_ns;
	fq->q.expires_ns = net->now_ns + net->ipv6->sysctl.ip6frag_time_ns;
	htab_add(&t->queues, &fq->q.node, hash);
	frag_tmr_add(&t->tmr, &fq->q);
	t->mem += FRAG6_QSIZE;
	t->n++;
	return fq;
}

/* ip6_frag_expire - ip6frag_time passed: Ip6.ReasmFails and ReasmTimeout;
 * time exceeded (code 1) about the first fragment, only if it came. */
static void ip6_frag_expire(struct net *net, struct frag6_queue *fq)
{
	struct jw *a = fq_trace_args(net, fq);
	if (a)
		jw_kv_str(a, "end", "expired");
	trace_enter(net, NULL, "ip6_frag_expire", "frag", "%s: ip6frag_time (%llu s) passed with %u of %u bytes",
		    fq_name(fq), (unsigned long long)(net->ipv6->sysctl.ip6frag_time_ns / 1000000000ULL), fq->q.meat,
		    fq->q.len);
	SNMP_INC(net, MIB_IP6_REASMFAILS);
	SNMP_INC(net, MIB_IP6_REASMTIMEOUT);
	struct sk_buff *head = fq->q.fragments;
	if ((fq->q.flags & INET_FRAG_FIRST_IN) && head && FRAG_CB(head)->offset == 0) {
		inet_frag_unlink(&fq->q, head);
		fq->q.truesize -= head->truesize;
		net->ipv6->frags->mem -= head->truesize;
		memset(IP6CB(head), 0, sizeof(struct inet6_skb_parm));
		IP6CB(head)->iif = fq->iif;
		head->dev = dev_get_by_index(net, fq->iif);
		head->pkt_type = PACKET_HOST;
		if (head->dev)
			icmpv6_send(net, head, ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME, 0);
		kfree_skb_reason(net, head, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	} else {
		trace_step(net, NULL, "ip6_frag_expire", "the first fragment never came: no ICMPv6 (RFC 8200 4.5)");
	}
	fq_destroy(net, fq, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_FRAG_REASM_TIMEOUT, "%s", "");
}

void ip6_frag_timers(struct net *net)
{
	struct frag6_table *t = net->ipv6 ? net->ipv6->frags : NULL;
	while (t && t->tmr.head && t->tmr.head->expires_ns <= net->now_ns)
		ip6_frag_expire(net, (struct frag6_queue *)t->tmr.head);
}

uint64_t ip6_frag_next_timer(const struct net *net)
{
	const struct frag6_table *t = net->ipv6 ? net->ipv6->frags : NULL;
	return t && t->tmr.head ? t->tmr.head->expires_ns : 0;
}

/* Failures that discard the whole datagram (inet_frag_kill): the queue's
 * fragments go quietly, this one as a drop; Ip6.ReasmFails. */
static int ip6_frag_discard(struct net *net, struct frag6_queue *fq, struct sk_buff *skb, enum skb_drop_reason r,
			    const char *why)
{
	fq_trace_end(net, fq, "killed");
	trace_step(net, skb, "ip6_frag_queue", "%s: the datagram is discarded", why);
	fq_destroy(net, fq, SKB_DROP_REASON_CONSUMED);
	SNMP_INC(net, MIB_IP6_REASMFAILS);
	skb_drop(net, skb, r);
	return -1;
}

/* The first fragment's unfragmentable part and the reassembled payload
 * in one new skb, the fragment header taken out (ip6_frag_reasm). */
static struct sk_buff *ip6_frag_build(struct net *net, struct frag6_queue *fq, const struct sk_buff *head)
{
	uint32_t ulen = fq->unfrag_len, plen = ulen - (uint32_t)sizeof(struct ipv6hdr) + fq->q.len;
	struct sk_buff *n = plen > IPV6_MAXPLEN ? NULL : alloc_skb(net, ETH_HLEN + ulen + fq->q.len);
	if (!n)
		return NULL;
	skb_reserve(n, ETH_HLEN);
	uint8_t *p = skb_put(n, ulen + fq->q.len);
	memcpy(p, skb_network_header(head), ulen);
	for (struct sk_buff *f = fq->q.fragments; f; f = f->next)
		memcpy(p + ulen + FRAG_CB(f)->offset, f->data, f->len);
	skb_reset_network_header(n);
	skb_set_transport_header(n, (int)ulen);
	p[fq->nhoffset] = fq->q.fragments->data[-8];	/* the fragment header's next header */
	struct ipv6hdr *h = ipv6_hdr(n);
	h->payload_len = htons((uint16_t)plen);
	if (fq->ecn & 8)			/* CE in any fragment marks the whole */
		p[1] |= 0x30;
	n->pkt = net->cur_pkt;
	n->dev = head->dev;
	n->pkt_type = PACKET_HOST;
	n->protocol = ETH_P_IPV6;
	memset(IP6CB(n), 0, sizeof(struct inet6_skb_parm));
	IP6CB(n)->iif = fq->iif;
	IP6CB(n)->nhoff = fq->nhoffset;
	IP6CB(n)->flags = IP6SKB_FRAGMENTED;
	IP6CB(n)->frag_max_size = fq->q.max_size;
	return n;
}

/* ip6_frag_reasm - every byte is here: the datagram, Ip6.ReasmOKs. */
static int ip6_frag_reasm(struct net *net, struct frag6_queue *fq, const struct rt6_dst *dst, struct sk_buff **out)
{
	uint64_t ids[TRACE_MAX_FROM];
	int k = 0;
	struct sk_buff *n = ip6_frag_build(net, fq, fq->q.fragments);
	if (!n) {
		fq_trace_end(net, fq, "killed");
		trace_step(net, NULL, "ip6_frag_reasm", "payload length over 65535 or no memory: discarded");
		SNMP_INC(net, MIB_IP6_REASMFAILS);
		fq_destroy(net, fq, SKB_DROP_REASON_CONSUMED);
		net->last_drop = SKB_DROP_REASON_NOT_SPECIFIED;
		return -1;
	}
	IP6CB(n)->dst = *dst;
	for (struct sk_buff *f = fq->q.fragments; f && k < TRACE_MAX_FROM; f = f->next)
		ids[k++] = f->id;
	trace_from(net, ids, k);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "queue", fq_name(fq));
		jw_kv_uint(a, "payload_len", ntohs(ipv6_hdr(n)->payload_len));
		jw_kv_int(a, "nfrags", fq->q.nfrags);
		jw_kv_uint(a, "frag_max_size", fq->q.max_size);
		jw_kv_uint(a, "id", n->id);
		jw_kv_str(a, "end", "reassembled");
	}
	trace_step(net, n, "ip6_frag_reasm", "rebuilt skb %llu: %u bytes from %d fragments, fragment header removed",
		   (unsigned long long)n->id, n->len, fq->q.nfrags);
	SNMP_INC(net, MIB_IP6_REASMOKS);
	fq_destroy(net, fq, SKB_DROP_REASON_CONSUMED);
	*out = n;
	return 0;
}

/* Where the fragment sits: checks on its end (RFC 8200 4.5). Returns 0,
 * 1 for "parameter problem at *pos" or -1 for a corrupt fragment. */
static int ip6_frag_position(struct frag6_queue *fq, int more, uint32_t offset, uint32_t end, uint32_t *pos,
			     uint32_t fhoff)
{
	if (end > IPV6_MAXPLEN) {
		*pos = fhoff + 2;			/* the fragment offset field */
		return 1;
	}
	if (!more) {
		if (end < fq->q.len || ((fq->q.flags & INET_FRAG_LAST_IN) && end != fq->q.len))
			return -1;
		fq->q.flags |= INET_FRAG_LAST_IN;
		fq->q.len = end;
	} else {
		if (end & 7) {
			*pos = 4;			/* offsetof(struct ipv6hdr, payload_len) */
			return 1;
		}
		if (end > fq->q.len) {
			if (fq->q.flags & INET_FRAG_LAST_IN)
				return -1;
			fq->q.len = end;
		}
	}
	return end == offset ? -1 : 0;
}

/*
 * ip6_frag_queue - adds a fragment (data at its fragment header):
 *  1. the end must fit in 65535 bytes, a non-final fragment's length be a
 *     multiple of 8 (else parameter problem, code 0; the queue, even if
 *     this fragment made it, is left to its timer, as Linux 6.x does);
 *  2. the final fragment fixes the length; bytes past it are corruption;
 *  3. inet_frag_queue_insert: a duplicate is dropped alone, an overlap
 *     discards the datagram (RFC 5722);
 *  4. complete: ip6_frag_reasm. Returns 1 with *out, 0 held, -1 dropped.
 */
static int ip6_frag_queue(struct net *net, struct frag6_queue *fq, struct sk_buff *skb, uint32_t *prob,
			  struct sk_buff **out)
{
	const struct frag_hdr *fh = (const struct frag_hdr *)skb->data;
	uint32_t fhoff = (uint32_t)(skb->data - skb_network_header(skb)), fo = ntohs(fh->frag_off);
	uint32_t offset = fo & IP6_OFFSET;
	uint32_t end = offset + ntohs(ipv6_hdr(skb)->payload_len) - (fhoff + 8 - (uint32_t)sizeof(struct ipv6hdr));
	struct rt6_dst dst = IP6CB(skb)->dst;
	uint16_t nhoff = IP6CB(skb)->nhoff;
	int iif = IP6CB(skb)->iif;

	trace_enter(net, skb, "ip6_frag_queue", "frag", "payload [%u,%u)%s of %s", offset, end,
		    fo & IP6_MF ? ", more fragments follow" : ", the last fragment", fq_name(fq));
	int pos = ip6_frag_position(fq, fo & IP6_MF, offset, end, prob, fhoff);
	if (pos > 0) {
		trace_step(net, skb, "ip6_frag_queue", "%s", *prob == 4 ? "1. a non-final fragment whose length is "
			   "not a multiple of 8" : "1. the fragment would end past 65535 bytes");
		/* Linux 6.x leaves the queue alone: it times out later. */
		fq_trace_args(net, fq);
		trace_exit(net, skb, V_PASS, 0, "parameter problem to send; the queue stays until its timer");
		return -2;
	}
	if (pos < 0)
		return ip6_frag_discard(net, fq, skb, SKB_DROP_REASON_NOT_SPECIFIED, "2. its end contradicts the length");
	skb_pull(skb, 8);
	skb_trim(skb, end - offset);
	int err = inet_frag_queue_insert(&fq->q, skb, offset, end);
	if (err == IPFRAG_DUP) {		/* not a failure: Ip6.ReasmFails stays (Linux 6.x) */
		trace_step(net, skb, "inet_frag_queue_insert", "3. [%u,%u) is already held: a duplicate", offset, end);
		skb_drop(net, skb, SKB_DROP_REASON_DUP_FRAG);
		return -1;
	}
	if (err)
		return ip6_frag_discard(net, fq, skb, SKB_DROP_REASON_NOT_SPECIFIED, "3. it overlaps what is held (RFC 5722)");
	fq->iif = iif;
	fq->q.meat += skb->len;
	fq->q.truesize += skb->truesize;
	fq->ecn |= (uint8_t)(1 << (ipv6_get_dsfield(ipv6_hdr(skb)) & 3));
	net->ipv6->frags->mem += skb->truesize;
	uint32_t fragsize = (uint32_t)(skb_tail_pointer(skb) - skb_network_header(skb));
	if (fragsize > fq->q.max_size)
		fq->q.max_size = (uint16_t)fragsize;
	if (offset == 0) {
		fq->nhoffset = nhoff;
		fq->unfrag_len = (uint16_t)fhoff;
		fq->q.flags |= INET_FRAG_FIRST_IN;
	}
	if (fq->q.flags == (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && fq->q.meat == fq->q.len) {
		int r = ip6_frag_reasm(net, fq, &dst, out);
		trace_exit(net, NULL, r ? V_DROP : V_PASS, net->last_drop, "%s", r ? "reassembly failed" : "complete");
		return r ? -1 : 1;
	}
	fq_trace_arrival(net, fq, skb, offset);
	trace_exit(net, NULL, V_QUEUED, 0, "queued; %u payload bytes here%s", fq->q.meat,
		   fq->q.flags & INET_FRAG_LAST_IN ? "" : ", total unknown until the last fragment");
	return 0;
}

/* ipv6frag_thdr_truncated: a first fragment must hold every header up to
 * and including the upper-layer header's first bytes (RFC 8200 4.5). */
static int ipv6frag_thdr_truncated(const struct sk_buff *skb, uint8_t nexthdr)
{
	uint16_t frag_off;
	int off = ipv6_skip_exthdr(skb, (int)(skb->data - skb_network_header(skb)), &nexthdr, &frag_off);
	if (off < 0 || (frag_off & IP6_OFFSET))
		return 0;
	off += nexthdr == NEXTHDR_TCP ? 20 : nexthdr == NEXTHDR_UDP ? 8 : nexthdr == NEXTHDR_ICMP ? 4 : 1;
	return (uint32_t)off > (uint32_t)(skb_tail_pointer(skb) - skb_network_header(skb));
}

static int ipv6_frag_fail(struct net *net, struct sk_buff *skb, uint8_t code, uint32_t pos, const char *why)
{
	SNMP_INC(net, MIB_IP6_INHDRERRORS);
	trace_step(net, skb, "ipv6_frag_rcv", "%s", why);
	icmpv6_param_prob_reason(net, skb, code, pos, SKB_DROP_REASON_NOT_SPECIFIED);
	trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	return 0;
}

/*
 * ipv6_frag_rcv - the fragment header:
 *  1. not twice, not in a jumbogram, all 8 bytes there (else Ip6.InHdrErrors
 *     and a parameter problem at the header); Ip6.ReasmReqds;
 *  2. offset 0 and MF 0: an atomic fragment (RFC 6946), processed at once;
 *  3. a first fragment without the upper-layer header: parameter problem,
 *     code 3 (RFC 8200 4.5);
 *  4. its queue (none past ip6frag_high_thresh: Ip6.ReasmFails), then
 *     ip6_frag_queue.
 * Returns 1 with *pskb the datagram to go on with, 0 otherwise.
 */
int ipv6_frag_rcv(struct net *net, struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb, *out = NULL;
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	uint32_t hoff = (uint32_t)(skb->data - skb_network_header(skb));

	ip6_frag_timers(net);
	trace_enter(net, skb, "ipv6_frag_rcv", "frag", "fragment header at offset %u", hoff);
	if (IP6CB(skb)->flags & IP6SKB_FRAGMENTED)
		return ipv6_frag_fail(net, skb, ICMPV6_HDR_FIELD, hoff, "1. a second fragment header");
	SNMP_INC(net, MIB_IP6_REASMREQDS);
	if (!hdr->payload_len || !pskb_may_pull(skb, 8))
		return ipv6_frag_fail(net, skb, ICMPV6_HDR_FIELD, hoff, "1. jumbogram, or the header is cut short");
	const struct frag_hdr *fh = (const struct frag_hdr *)skb->data;
	if (!(fh->frag_off & htons(IP6_OFFSET | IP6_MF))) {
		skb->transport_header = (uint16_t)(skb->transport_header + 8);
		IP6CB(skb)->nhoff = (uint16_t)hoff;
		IP6CB(skb)->flags |= IP6SKB_FRAGMENTED;
		IP6CB(skb)->frag_max_size = (uint16_t)(ntohs(hdr->payload_len) + sizeof(struct ipv6hdr));
		SNMP_INC(net, MIB_IP6_REASMOKS);
		trace_exit(net, skb, V_PASS, 0, "2. an atomic fragment (offset 0, no more): no reassembly");
		return 1;
	}
	if (ipv6frag_thdr_truncated(skb, hdr->nexthdr))
		return ipv6_frag_fail(net, skb, ICMPV6_HDR_INCOMP, 0, "3. the first fragment lacks the upper-layer header");
	struct frag6_queue *fq = fq_find(net, hdr, fh->identification, skb->dev ? skb->dev->ifindex : 0);
	if (!fq) {
		SNMP_INC(net, MIB_IP6_REASMFAILS);
		trace_step(net, skb, "fq_find", "4. reassembly memory over ip6frag_high_thresh: refused");
		skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return 0;
	}
	uint32_t prob = 0;
	int r = ip6_frag_queue(net, fq, skb, &prob, &out);
	if (r == -2) {
		SNMP_INC(net, MIB_IP6_INHDRERRORS);
		icmpv6_param_prob_reason(net, skb, ICMPV6_HDR_FIELD, prob, SKB_DROP_REASON_NOT_SPECIFIED);
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
		return 0;
	}
	if (r < 0) {
		trace_ret(net, NET_RX_DROP);
		return 0;
	}
	if (r == 0) {
		trace_exit(net, NULL, V_QUEUED, 0, "fragment held for reassembly");
		return 0;
	}
	*pskb = out;
	trace_exit(net, out, V_PASS, 0, "reassembled: %u bytes", out->len);
	return 1;
}
