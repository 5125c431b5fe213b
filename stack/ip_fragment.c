/*
 * ip_fragment.c - IPv4 reassembly (RFC 791 section 3.2, RFC 815), after
 * net/ipv4/ip_fragment.c: ip_defrag → ip_find → ip_frag_queue →
 * ip_frag_reasm, and the timer ip_expire. Queue machinery is in
 * inet_fragment.c, as in the kernel.
 *
 * Behaviour is Linux 6.13's (net->kernel == KERNEL_6X): any overlap
 * discards the whole datagram (RFC 5722 applied to IPv4 since 4.19), a
 * duplicate drops only itself (DUP_FRAG), a corrupt fragment discards the
 * queue, and above ipfrag_high_thresh new fragments are refused (no
 * evictor since 4.17). With KERNEL_2_4 / KERNEL_2_6 it is the old code's:
 * overlaps are trimmed (new data wins on the tail side), a corrupt
 * fragment drops only itself, and an LRU evictor prunes to low_thresh.
 *
 * Left out: frag_list chaining (the datagram is copied into one new linear
 * skb, as 2.4 did), checksum-offload state, L3 master devices (vif 0),
 * defrag users other than LOCAL_DELIVER (conntrack, RA chain).
 * The memory limit is Linux 6.x's inet_frag_find test: a fragment is
 * refused once frag memory is already past high_thresh, so the queue and
 * fragment that cross it are kept (diff-kernel: the same refusals). The
 * old kernels' model evicts first and then refuses what still would not
 * fit.
 */
#include "inet_frag.h"

#include <errno.h>
#include <string.h>

static const char *kernel_era(const struct net *net)
{
	return net->kernel == KERNEL_2_4 ? "Linux 2.4" : net->kernel == KERNEL_2_6 ? "Linux 2.6" : "Linux 6.x";
}

/* How the fragments of a queue killed for a reason other than its timer
 * are freed: 6.x consumes them (only INET_FRAG_DROP queues count as
 * drops); old kernels had only kfree_skb, i.e. an unspecified drop. */
static enum skb_drop_reason kill_reason(const struct net *net)
{
	return net->kernel == KERNEL_6X ? SKB_DROP_REASON_CONSUMED : SKB_DROP_REASON_NOT_SPECIFIED;
}

/*
 * RFC 3168 section 5.3: a datagram whose fragments disagree on ECN may not
 * be rebuilt if some were Not-ECT and others ECT/CE; CE on any fragment is
 * carried into the whole. Indexed by the OR of 1 << (tos & 3) over the
 * fragments: bit0 Not-ECT, bit1 ECT(1), bit2 ECT(0), bit3 CE. 0xff means
 * invalid, otherwise the value is ORed into the rebuilt header's tos.
 */
static const uint8_t ip_frag_ecn_table[16] = {
	0, 0, 0, 0xff, 0, 0xff, 0, 0xff,
	3, 0xff, 3, 0xff, 3, 0xff, 3, 0xff,
};

static uint8_t ip4_frag_ecn(uint8_t tos) { return (uint8_t)(1u << (tos & 3)); }

/* ---- ip_find ---- */

/* refused: no queue was found or made (the memory limit, or no memory). */
static void ip_find_args(struct net *net, const struct frag_v4_key *k, int found, int refused)
{
	struct jw *a = trace_args(net);

	jw_kv_str(a, "queue", ipq_name(k));
	jw_kv_str(a, "saddr", ip_fmt(k->saddr));
	jw_kv_str(a, "daddr", ip_fmt(k->daddr));
	jw_kv_uint(a, "id", ntohs(k->id));
	jw_kv_uint(a, "protocol", k->protocol);
	jw_kv_str(a, "user", "IP_DEFRAG_LOCAL_DELIVER");
	jw_kv_uint(a, "vif", k->vif);
	jw_kv_bool(a, "found", found);
	jw_kv_uint(a, "queues", ip_frag_queue_count(net));
	jw_kv_uint(a, "mem", ip_frag_mem(net));
	jw_kv_uint(a, "high_thresh", net->sysctl.ipfrag_high_thresh);
	if (refused)
		jw_kv_bool(a, "refused", 1);
}

/*
 * ip_find - the queue for this fragment's key (saddr, daddr, id, protocol,
 * user, vif), created if there is none (inet_frag_find). Refused, NULL,
 * when the memory it would charge passes ipfrag_high_thresh, or when no
 * memory is left.
 */
static struct ipq *ip_find(struct net *net, struct sk_buff *skb)
{
	struct ipq_table *t = net->ipfrags;
	const struct iphdr *iph = ip_hdr(skb);
	struct frag_v4_key key = { .saddr = iph->saddr, .daddr = iph->daddr, .id = iph->id,
				   .protocol = iph->protocol, .user = IP_DEFRAG_LOCAL_DELIVER, .vif = 0 };
	struct ipq *qp = inet_frag_lookup(t, &key);
	uint64_t need = skb->truesize + (qp ? 0 : IPQ_QSIZE), high = net->sysctl.ipfrag_high_thresh;

	if (net->kernel == KERNEL_6X ? !high || t->mem > high : !high || t->mem + need > high) {
		if (trace_on(net))
			ip_find_args(net, &key, qp != NULL, 1);
		if (net->kernel == KERNEL_6X)
			trace_step(net, skb, "ip_find", "frag memory %llu is past ipfrag_high_thresh %llu: refused. Since "
				   "4.17 nothing evicts old queues: memory comes back only as datagrams complete or "
				   "time out", (unsigned long long)t->mem, (unsigned long long)high);
		else
			trace_step(net, skb, "ip_find", "frag memory %llu + %llu would pass ipfrag_high_thresh %llu: "
				   "refused. Even evicting every queue left no room", (unsigned long long)t->mem,
				   (unsigned long long)need, (unsigned long long)high);
		return NULL;
	}
	if (qp) {
		if (trace_on(net))
			ip_find_args(net, &key, 1, 0);
		trace_step(net, skb, "ip_find", "found the queue %s: %d fragment(s), %u payload bytes held",
			   ipq_name(&key), qp->nfrags, qp->meat);
		return qp;
	}
	qp = inet_frag_create(net, &key);
	if (trace_on(net))
		ip_find_args(net, &key, 0, qp == NULL);
	trace_step(net, skb, "ip_find", qp ? "no queue for %s: created one; its timer fires in %llu s whatever arrives "
		   "later (queues now %u)" : "no queue for %s and no memory to create one",
		   ipq_name(&key), (unsigned long long)(net->sysctl.ipfrag_time_ns / 1000000000ULL),
		   ip_frag_queue_count(net));
	return qp;
}

/* ---- ip_frag_queue and its stages ---- */

/*
 * ip_frag_too_far - ipfrag_max_dist (Linux 2.6.20+): every fragment from a
 * source bumps that source's counter. If more than max_dist arrived since
 * this queue last grew, its fragments are likely from an older datagram
 * that reused the 16-bit id after it wrapped, and mixing them would build
 * a corrupt datagram.
 */
static int ip_frag_too_far(struct net *net, struct ipq *qp)
{
	uint32_t max = (uint32_t)net->sysctl.ipfrag_max_dist, start = qp->rid, end;

	if (!qp->peer || !max)
		return 0;
	end = ++qp->peer->rid;
	qp->rid = end;
	if (!qp->fragments || end - start <= max)
		return 0;
	SNMP_INC(net, MIB_IP_REASMFAILS);
	trace_step(net, NULL, "ip_frag_too_far", "%u fragments from %s since this queue last grew (ipfrag_max_dist %u): "
		   "what it holds is stale, likely an IP id reused after wrapping", end - start, ip_fmt(qp->key.saddr), max);
	return 1;
}

/* ip_frag_reinit - empties a stale queue (FRAG_TOO_FAR) and re-arms its
 * timer; the fragment at hand then starts it afresh. */
static void ip_frag_reinit(struct net *net, struct ipq *qp)
{
	inet_frag_rearm(net, qp);
	inet_frag_purge(net, qp, SKB_DROP_REASON_FRAG_TOO_FAR);
	qp->flags = 0;
	qp->len = qp->meat = 0;
	qp->iif = 0;
	qp->ecn = 0;
}

/*
 * ip_frag_position - where the fragment's payload [offset, end) lies:
 *  1. last fragment (MF=0): end is the datagram's length; corrupt if data
 *     beyond it is already held, or an earlier last fragment said otherwise;
 *  2. other fragments: only the last may end off an 8-octet boundary
 *     (RFC 791), so end is rounded down; corrupt if beyond a known length;
 *  3. an empty fragment is corrupt.
 * Returns 0 with *endp set, or -1 (corrupt).
 */
static int ip_frag_position(struct net *net, struct ipq *qp, int mf, uint32_t offset, uint32_t *endp)
{
	uint32_t end = *endp;

	if (!mf) {
		if (end < qp->len || ((qp->flags & INET_FRAG_LAST_IN) && end != qp->len)) {
			trace_step(net, NULL, "ip_frag_queue", "1. last fragment ends at %u, but %s %u: corrupt", end,
				   end < qp->len ? "data is already held up to" : "an earlier last fragment ended at", qp->len);
			return -1;
		}
		qp->flags |= INET_FRAG_LAST_IN;
		qp->len = end;
		trace_step(net, NULL, "ip_frag_queue", "1. last fragment (MF=0): the datagram carries %u payload bytes", end);
	} else {
		if (end & 7) {
			trace_step(net, NULL, "ip_frag_queue", "2. end %u is not a multiple of 8: rounded down to %u "
				   "(RFC 791: only the last fragment may end off an 8-octet boundary)", end, end & ~7u);
			end &= ~7u;
		}
		if (end > qp->len) {
			if (qp->flags & INET_FRAG_LAST_IN) {
				trace_step(net, NULL, "ip_frag_queue", "2. ends at %u, beyond the %u bytes the last "
					   "fragment announced: corrupt", end, qp->len);
				return -1;
			}
			qp->len = end;
		}
	}
	if (end <= offset) {
		trace_step(net, NULL, "ip_frag_queue", "3. no payload left at offset %u: an empty fragment is corrupt", offset);
		return -1;
	}
	*endp = end;
	return 0;
}

/* Closes ip_frag_queue's frame on a drop of skb alone. */
static int ip_frag_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r)
{
	kfree_skb_reason(net, skb, r);
	trace_exit(net, NULL, V_DROP, r, "%s", "");
	return -EINVAL;
}

/*
 * discard_qp - the datagram is beyond repair: the queue is killed and its
 * fragments freed, Ip.ReasmFails, and the fragment at hand dropped. 2.4 and
 * 2.6 kept the queue and dropped only the fragment (no counter).
 */
static int ip_frag_discard(struct net *net, struct ipq *qp, struct sk_buff *skb, const char *why)
{
	if (net->kernel != KERNEL_6X) {
		trace_step(net, skb, "ip_frag_queue", "%s: %s drops only this fragment and keeps the queue", why,
			   kernel_era(net));
		return ip_frag_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (trace_on(net))
		jw_kv_str(ipq_trace_args(net, qp), "end", "killed");
	trace_step(net, skb, "ip_frag_queue", "%s: discard_qp kills the queue; its %d fragment(s) are freed as consumed "
		   "(only a timed-out queue's fragments count as drops)", why, qp->nfrags);
	SNMP_INC(net, MIB_IP_REASMFAILS);
	inet_frag_destroy(net, qp, SKB_DROP_REASON_CONSUMED);
	return ip_frag_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* The 4.19+ insert: a duplicate drops itself, an overlap the datagram. */
static int ip_frag_insert_modern(struct net *net, struct ipq *qp, struct sk_buff *skb, uint32_t offset, uint32_t end)
{
	int err = inet_frag_queue_insert(qp, skb, offset, end);

	if (err == IPFRAG_OK)
		return 0;
	if (err == IPFRAG_DUP) {
		if (trace_on(net))
			ipq_trace_args(net, qp);
		trace_step(net, skb, "inet_frag_queue_insert", "[%u,%u) lies inside data already held: a duplicate, "
			   "dropped; the queue keeps waiting", offset, end);
		return ip_frag_drop(net, skb, SKB_DROP_REASON_DUP_FRAG);
	}
	SNMP_INC(net, MIB_IPEXT_REASMOVERLAPS);
	trace_step(net, skb, "inet_frag_queue_insert", "[%u,%u) partly overlaps data already held. RFC 5722: the "
		   "whole datagram is discarded, since overlaps let an attacker choose what the receiver keeps", offset, end);
	return ip_frag_discard(net, qp, skb, "overlap");
}

/* Unlinks and frees a fragment the new one covers entirely (2.4 trimming). */
static void ip_frag_trim_free(struct net *net, struct ipq *qp, struct sk_buff *victim)
{
	trace_step(net, victim, "ip_frag_queue", "the new fragment covers [%u,%u) entirely: that fragment is freed",
		   FRAG_CB(victim)->offset, frag_end(victim));
	inet_frag_unlink(qp, victim);
	qp->meat -= victim->len;
	qp->truesize -= victim->truesize;
	net->ipfrags->mem -= victim->truesize;
	kfree_skb_reason(net, victim, SKB_DROP_REASON_NOT_SPECIFIED);
}

/*
 * ip_frag_insert_trim - 2.4/2.6 (to 4.18): overlaps are trimmed away. The
 * new fragment's head is cut against its predecessor (old data wins
 * there); successors it reaches are cut or freed (new data wins on the
 * tail side). Returns 0 when linked, -1 when nothing new is left: the
 * "end <= offset" test that fixed teardrop (1997), where a negative
 * length after trimming crashed kernels.
 */
static int ip_frag_insert_trim(struct net *net, struct ipq *qp, struct sk_buff *skb, uint32_t *offp, uint32_t end)
{
	struct sk_buff *prev = NULL, *next;
	uint32_t offset = *offp;

	for (next = qp->fragments; next && FRAG_CB(next)->offset < offset; next = next->next)
		prev = next;
	if (prev && frag_end(prev) > offset) {
		uint32_t i = frag_end(prev) - offset;
		if (end <= offset + i) {
			trace_step(net, skb, "ip_frag_queue", "[%u,%u) lies inside [%u,%u) already held: nothing new, dropped",
				   offset, end, FRAG_CB(prev)->offset, frag_end(prev));
			return -1;
		}
		if (trace_on(net)) {
			struct jw *a = trace_args(net);
			jw_kv_str(a, "trim", "head");
			jw_kv_uint(a, "bytes", i);
		}
		trace_step(net, skb, "ip_frag_queue", "head overlaps [%u,%u) by %u bytes: trimmed, the held data is kept; "
			   "this fragment now starts at %u", FRAG_CB(prev)->offset, frag_end(prev), i, offset + i);
		skb_pull(skb, i);
		offset += i;
	}
	while (next && FRAG_CB(next)->offset < end) {
		uint32_t i = end - FRAG_CB(next)->offset;
		struct sk_buff *victim = next;
		next = next->next;
		if (i < victim->len) {
			if (trace_on(net)) {
				struct jw *a = trace_args(net);
				jw_kv_str(a, "trim", "tail");
				jw_kv_uint(a, "bytes", i);
			}
			trace_step(net, victim, "ip_frag_queue", "tail covers the first %u bytes of [%u,%u): those are cut "
				   "from the held fragment, the new data wins", i, FRAG_CB(victim)->offset, frag_end(victim));
			skb_pull(victim, i);
			FRAG_CB(victim)->offset += i;
			qp->meat -= i;
			break;
		}
		ip_frag_trim_free(net, qp, victim);
	}
	FRAG_CB(skb)->offset = FRAG_CB(skb)->run = offset;
	inet_frag_link(qp, prev, skb);
	*offp = offset;
	return 0;
}

/* After a successful insert: what the queue learns from the fragment. */
static void ip_frag_account(struct net *net, struct ipq *qp, struct sk_buff *skb, uint32_t offset, uint32_t ihl)
{
	const struct iphdr *iph = ip_hdr(skb);
	uint32_t fragsize = skb->len + ihl;

	if (skb->dev)
		qp->iif = skb->dev->ifindex;
	qp->meat += skb->len;
	qp->ecn |= ip4_frag_ecn(iph->tos);
	qp->truesize += skb->truesize;
	net->ipfrags->mem += skb->truesize;
	if (offset == 0)
		qp->flags |= INET_FRAG_FIRST_IN;
	if (fragsize > qp->max_size)
		qp->max_size = (uint16_t)fragsize;
	if ((iph->frag_off & htons(IP_DF)) && fragsize > qp->max_df_size)
		qp->max_df_size = (uint16_t)fragsize;
	inet_frag_lru_touch(net->ipfrags, qp);
}

static int ip_frag_reasm(struct net *net, struct ipq *qp, struct sk_buff *skb, struct sk_buff **out);

/* The fragment is held: say what is still missing, and what arrived
 * ("arrival": the UI fills a queue's byte bar in arrival order). */
static int ip_frag_queued(struct net *net, struct ipq *qp, const struct sk_buff *skb, uint32_t offset)
{
	if (trace_on(net))
		inet_frag_args_arrival(ipq_trace_args(net, qp), offset, skb->len, skb->id);
	if (qp->flags & INET_FRAG_LAST_IN)
		trace_exit(net, NULL, V_QUEUED, 0, "queued; %u of %u payload bytes here, %s", qp->meat, qp->len,
			   qp->flags & INET_FRAG_FIRST_IN ? "waiting for the gaps" : "the first fragment is missing");
	else
		trace_exit(net, NULL, V_QUEUED, 0, "queued; %u payload bytes here, total unknown until the last "
			   "fragment (MF=0) arrives", qp->meat);
	return -EINPROGRESS;
}

/*
 * ip_frag_queue - adds a fragment (data at its IP header) to qp. Offsets
 * are in 8-octet units on the wire (RFC 791); end is the payload end in
 * datagram coordinates. Returns 0 with *out the rebuilt datagram,
 * -EINPROGRESS when held, another negative errno when dropped.
 */
static int ip_frag_queue(struct net *net, struct ipq *qp, struct sk_buff *skb, struct sk_buff **out)
{
	const struct iphdr *iph = ip_hdr(skb);
	uint32_t ihl = (uint32_t)ip_ihl(iph) * 4, fo = ntohs(iph->frag_off);
	uint32_t offset = (fo & IP_OFFSET) << 3, end = offset + skb->len - ihl;

	trace_enter(net, skb, "ip_frag_queue", "frag", "payload [%u,%u)%s: frag_off %u x 8 bytes", offset, end,
		    fo & IP_MF ? ", more fragments follow" : ", the last fragment", fo & IP_OFFSET);
	if (net->kernel != KERNEL_2_4 && ip_frag_too_far(net, qp))
		ip_frag_reinit(net, qp);
	if (ip_frag_position(net, qp, fo & IP_MF, offset, &end) < 0)
		return ip_frag_discard(net, qp, skb, "corrupt fragment");
	skb_pull(skb, ihl);
	skb_trim(skb, end - offset);
	if (net->kernel == KERNEL_6X) {
		int err = ip_frag_insert_modern(net, qp, skb, offset, end);
		if (err)
			return err;
	} else if (ip_frag_insert_trim(net, qp, skb, &offset, end) < 0) {
		return ip_frag_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	ip_frag_account(net, qp, skb, offset, ihl);
	if (qp->flags == (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && qp->meat == qp->len) {
		int err = ip_frag_reasm(net, qp, skb, out);
		trace_exit(net, NULL, err ? V_DROP : V_PASS, net->last_drop, "%s",
			   err ? "reassembly failed" : "the datagram is complete");
		return err;
	}
	return ip_frag_queued(net, qp, skb, offset);
}

/* ---- ip_frag_reasm ---- */

/* Copies the first fragment's Ethernet header in front, so eth_hdr() of
 * the datagram reads as it would on the head fragment in Linux. */
static void ip_frag_copy_mac(struct sk_buff *n, const struct sk_buff *head)
{
	uint32_t maclen;

	if (head->mac_header == SKB_HDR_UNSET || head->mac_header >= head->network_header)
		return;
	maclen = (uint32_t)(head->network_header - head->mac_header);
	if (maclen > skb_headroom(n))
		return;
	memcpy(n->data - maclen, skb_mac_header(head), maclen);
	n->mac_header = (uint16_t)(skb_headroom(n) - maclen);
}

/*
 * ip_frag_build - one new linear skb: the first fragment's IP header
 * (options included: only it carries the non-copied ones), then every
 * payload byte at its offset. Header fix-ups as ip_frag_reasm does them:
 * tot_len, tos |= ECN, frag_off DF only if the largest fragment had DF
 * (so forwarding re-fragments no larger than the sender did), checksum.
 */
static struct sk_buff *ip_frag_build(struct net *net, struct ipq *qp, struct sk_buff *skb, uint32_t len, uint8_t ecn)
{
	const struct sk_buff *head = qp->fragments;
	uint32_t ihl = (uint32_t)ip_ihl(ip_hdr(head)) * 4;
	struct sk_buff *n = alloc_skb(net, len);
	unsigned char *p;

	if (!n)
		return NULL;
	n->pkt = skb->pkt;
	n->truesize = qp->truesize;	/* Linux chains the fragments: their truesize adds up */
	n->dev = skb->dev;
	n->protocol = ETH_P_IP;
	n->pkt_type = head->pkt_type;
	n->vlan_tci = skb->vlan_tci;
	n->vlan_present = skb->vlan_present;
	ip_frag_copy_mac(n, head);
	skb_reset_network_header(n);
	p = skb_put(n, len);
	memcpy(p, skb_network_header(head), ihl);
	for (const struct sk_buff *fp = qp->fragments; fp; fp = fp->next)
		memcpy(p + ihl + FRAG_CB(fp)->offset, fp->data, fp->len);	/* end <= len: checked at queue time */
	skb_set_transport_header(n, (int)ihl);
	/* IPCB of the completing fragment: the one whose route Linux keeps. */
	memcpy(IPCB(n), IPCB(skb), sizeof(struct inet_skb_parm));
	IPCB(n)->frag_max_size = qp->max_df_size > qp->max_size ? qp->max_df_size : qp->max_size;
	IPCB(n)->flags |= IPSKB_FRAG_COMPLETE;
	struct iphdr *iph = ip_hdr(n);
	iph->tot_len = htons((uint16_t)len);
	iph->tos |= ecn;
	if (qp->max_df_size == qp->max_size) {
		IPCB(n)->flags |= IPSKB_FRAG_PMTU;
		iph->frag_off = htons(IP_DF);
	} else {
		iph->frag_off = 0;
	}
	ip_send_check(iph);
	return n;
}

/* Reassembly failed: Ip.ReasmFails; the killed queue takes its fragments
 * (the one at hand included) with it. */
static int ip_frag_reasm_fail(struct net *net, struct ipq *qp, int err, const char *why)
{
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_str(a, "queue", ipq_name(&qp->key));
		jw_kv_str(a, "end", "killed");
	}
	trace_step(net, NULL, "ip_frag_reasm", "%s; the %d fragment(s) are freed%s", why, qp->nfrags,
		   net->kernel == KERNEL_6X ? " as consumed" : "");
	SNMP_INC(net, MIB_IP_REASMFAILS);
	inet_frag_destroy(net, qp, kill_reason(net));
	net->last_drop = SKB_DROP_REASON_NOT_SPECIFIED;
	trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_NOT_SPECIFIED, "%s", "");
	return err;
}

static void ip_frag_reasm_args(struct net *net, const struct ipq *qp, const struct sk_buff *n)
{
	struct jw *a = trace_args(net);

	jw_kv_str(a, "queue", ipq_name(&qp->key));
	jw_kv_uint(a, "tot_len", ntohs(ip_hdr(n)->tot_len));
	jw_kv_int(a, "nfrags", qp->nfrags);
	jw_kv_uint(a, "frag_max_size", IPCB(n)->frag_max_size);
	jw_kv_bool(a, "df", (ip_hdr(n)->frag_off & htons(IP_DF)) != 0);
	jw_kv_uint(a, "id", n->id);
	jw_kv_str(a, "end", "reassembled");
}

/* The new skb appears: its first event carries "from" (the fragment ids,
 * in offset order, at most TRACE_MAX_FROM). */
static void ip_frag_reasm_trace(struct net *net, const struct ipq *qp, const struct sk_buff *n)
{
	uint64_t ids[TRACE_MAX_FROM];
	int k = 0;

	for (const struct sk_buff *fp = qp->fragments; fp && k < TRACE_MAX_FROM; fp = fp->next)
		ids[k++] = fp->id;
	trace_from(net, ids, k);
	ip_frag_reasm_args(net, qp, n);
	trace_step(net, n, "ip_frag_reasm", "rebuilt skb %llu: %u bytes from %d fragments%s",
		   (unsigned long long)n->id, ntohs(ip_hdr(n)->tot_len), qp->nfrags,
		   qp->nfrags > TRACE_MAX_FROM ? " (\"from\" lists the first 64)" : "");
}

/*
 * ip_frag_reasm - FIRST_IN, LAST_IN and meat == len: rebuild. The queue is
 * killed first; then the ECN rule (6.x), the 64 KiB limit (RFC 791:
 * tot_len is 16 bits, yet offset + length can claim more: the "ping of
 * death"), the copy, Ip.ReasmOKs. Returns 0 with *out the datagram.
 */
static int ip_frag_reasm(struct net *net, struct ipq *qp, struct sk_buff *skb, struct sk_buff **out)
{
	uint32_t len = (uint32_t)ip_ihl(ip_hdr(qp->fragments)) * 4 + qp->len;
	uint8_t ecn = 0;
	struct sk_buff *n;

	trace_enter(net, skb, "ip_frag_reasm", "frag", "all %u payload bytes of %s are here in %d fragments",
		    qp->len, ipq_name(&qp->key), qp->nfrags);
	inet_frag_kill(net, qp);
	if (net->kernel == KERNEL_6X) {
		ecn = ip_frag_ecn_table[qp->ecn & 15];
		if (ecn == 0xff)
			return ip_frag_reasm_fail(net, qp, -EINVAL, "ECN: Not-ECT fragments mixed with ECT/CE ones "
						  "(RFC 3168 5.3): the datagram cannot be rebuilt");
	}
	if (len > 65535) {
		if (trace_on(net))
			ipq_trace_args(net, qp);
		trace_step(net, NULL, "ip_frag_reasm", "Oversized IP packet from %s: header + %u payload bytes = %u "
			   "> 65535", ip_fmt(qp->key.saddr), qp->len, len);
		return ip_frag_reasm_fail(net, qp, -E2BIG, "tot_len cannot hold it");
	}
	n = ip_frag_build(net, qp, skb, len, ecn);
	if (!n)
		return ip_frag_reasm_fail(net, qp, -ENOMEM, "no memory for the datagram");
	if (trace_on(net))
		ip_frag_reasm_trace(net, qp, n);
	inet_frag_destroy(net, qp, SKB_DROP_REASON_CONSUMED);	/* the fragments are consumed, not dropped */
	SNMP_INC(net, MIB_IP_REASMOKS);
	if (net->ipfrags->reasm_cb)
		net->ipfrags->reasm_cb(net->ipfrags->reasm_ctx, net, n);
	*out = n;
	trace_exit(net, NULL, V_PASS, 0, "the datagram goes on to LOCAL_IN as skb %llu", (unsigned long long)n->id);
	return 0;
}

/* ---- ip_expire ---- */

/*
 * The ICMP half of ip_expire: Time Exceeded, code 1, quoting the first
 * fragment (RFC 792; RFC 1122 3.2.2.4 wants it only when fragment zero
 * arrived, since only it holds the transport header the sender needs).
 * 6.x routes the fragment again (queued fragments drop their dst); 2.4/
 * 2.6 kept it. Returns the reason to free the fragment with.
 */
static enum skb_drop_reason ip_expire_icmp(struct net *net, struct ipq *qp, struct sk_buff *head)
{
	struct net_device *dev = dev_get_by_index(net, qp->iif);
	const struct iphdr *iph = ip_hdr(head);

	if (!dev) {
		trace_step(net, head, "ip_expire", "the arrival device is gone: no ICMP");
		return SKB_DROP_REASON_FRAG_REASM_TIMEOUT;
	}
	head->dev = dev;
	skb_push(head, (uint32_t)(head->data - skb_network_header(head)));	/* back to the IP header */
	if (net->kernel == KERNEL_6X) {
		enum skb_drop_reason r = ip_route_input_noref(net, head, iph->daddr, iph->saddr, iph->tos, dev,
							      &IPCB(head)->dst);
		if (r != SKB_DROP_REASON_NOT_DROPPED_YET) {
			trace_step(net, head, "ip_expire", "routing the first fragment again failed: no ICMP");
			return r;
		}
	}
	trace_step(net, head, "ip_expire", "the first fragment is here: icmp_send(ICMP_TIME_EXCEEDED, "
		   "ICMP_EXC_FRAGTIME) to %s quoting its header", ip_fmt(iph->saddr));
	icmp_send(net, head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
	return SKB_DROP_REASON_FRAG_REASM_TIMEOUT;
}

/*
 * ip_expire - the queue's timer fired (ipfrag_time after its creation; RFC
 * 791 suggested restarting the timer per fragment, Linux never has, so a
 * queue dies before stale ids can wrap into it). Ip.ReasmFails and
 * Ip.ReasmTimeout; ICMP if the first fragment arrived; every fragment
 * freed with FRAG_REASM_TIMEOUT. A top-level frame of its own.
 */
static void ip_expire(struct net *net, struct ipq *qp)
{
	struct sk_buff *head = qp->fragments;
	enum skb_drop_reason r = SKB_DROP_REASON_FRAG_REASM_TIMEOUT;

	if (trace_on(net))
		jw_kv_str(ipq_trace_args(net, qp), "end", "expired");
	trace_enter(net, head, "ip_expire", "frag", "%s: %llu s since its first fragment and still incomplete",
		    ipq_name(&qp->key), (unsigned long long)((net->now_ns - qp->created_ns) / 1000000000ULL));
	qp->flags |= INET_FRAG_DROP;
	inet_frag_kill(net, qp);
	SNMP_INC(net, MIB_IP_REASMFAILS);
	SNMP_INC(net, MIB_IP_REASMTIMEOUT);
	if (!(qp->flags & INET_FRAG_FIRST_IN) || !head) {
		trace_step(net, head, "ip_expire", "the first fragment never came: no ICMP (nothing to quote)");
	} else {
		inet_frag_unlink(qp, head);		/* inet_frag_pull_head */
		qp->truesize -= head->truesize;
		net->ipfrags->mem -= head->truesize;
		r = ip_expire_icmp(net, qp, head);
		kfree_skb_reason(net, head, r);
	}
	inet_frag_destroy(net, qp, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_FRAG_REASM_TIMEOUT, "reassembly timed out");
}

void ip_frag_run_timers(struct net *net)
{
	struct ipq_table *t = net->ipfrags;

	if (!t || t->in_timers)
		return;
	t->in_timers = 1;		/* icmp_send must not re-enter here */
	while (t->tmr.head && t->tmr.head->expires_ns <= net->now_ns)
		ip_expire(net, t->tmr.head);
	t->in_timers = 0;
}

uint64_t ip_frag_next_timer(const struct net *net)
{
	const struct ipq_table *t = net->ipfrags;
	return t && t->tmr.head ? t->tmr.head->expires_ns : 0;
}

/* ---- ip_defrag ---- */

int ip_defrag(struct net *net, struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	const struct iphdr *iph = ip_hdr(skb);
	uint32_t need = skb->truesize + IPQ_QSIZE;
	struct ipq *qp;
	int ret;

	*pskb = NULL;
	ip_frag_run_timers(net);
	trace_enter(net, skb, "ip_defrag", "frag", "fragment id=0x%04x offset=%u MF=%d of %s > %s, %u payload bytes",
		    ntohs(iph->id), (ntohs(iph->frag_off) & IP_OFFSET) * 8u, (ntohs(iph->frag_off) & IP_MF) != 0,
		    ip_fmt(iph->saddr), ip_fmt(iph->daddr), skb->len - (uint32_t)ip_ihl(iph) * 4);
	SNMP_INC(net, MIB_IP_REASMREQDS);
	if (net->kernel != KERNEL_6X && net->ipfrags->mem + need > net->sysctl.ipfrag_high_thresh)
		ip_evictor(net, need);
	qp = ip_find(net, skb);
	if (!qp) {
		SNMP_INC(net, MIB_IP_REASMFAILS);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_NOT_SPECIFIED, "no queue: reassembly refused");
		return -ENOMEM;
	}
	ret = ip_frag_queue(net, qp, skb, pskb);
	if (ret == 0)
		trace_exit(net, NULL, V_PASS, 0, "reassembled: skb %llu carries the whole datagram",
			   (unsigned long long)(*pskb)->id);
	else if (ret == -EINPROGRESS)
		trace_exit(net, NULL, V_QUEUED, 0, "held for reassembly");
	else
		trace_exit(net, NULL, V_DROP, net->last_drop, "%s", "");
	return ret;
}
