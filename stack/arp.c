/*
 * arp.c - ARP, after net/ipv4/arp.c (Linux 6.13): arp_rcv (header checks),
 * arp_process (replies for our addresses, learning the sender, gratuitous
 * ARP), arp_send/arp_create, and arp_solicit with the per-neighbour
 * arp_queue of packets waiting for resolution (neigh_resolve_output /
 * __neigh_event_send in net/core/neighbour.c).
 * Left out: proxy ARP, arp_ignore/arp_announce/arp_filter (all 0),
 * arp_accept (0: a gratuitous ARP only updates an existing entry),
 * NF_ARP hooks, the NUD timers (no re-probing or failure after
 * mcast_solicit tries: a request goes out when resolution starts and
 * again if a packet arrives 1 s later), non-Ethernet hardware.
 */
#include "sock.h"

#include <stdlib.h>
#include <string.h>

#define ARP_PENDING_MAX	64	/* neighbours being resolved at once */
#define ARP_QUEUE_LEN	3	/* packets held per neighbour (arp_queue) */
#define ARP_RETRANS_NS	1000000000ULL	/* retrans_time 1 s */

struct arp_pend {
	int ifindex;			/* 0: free slot */
	uint32_t ip;
	uint64_t sent_ns;
	struct sk_buff_head q;
};

struct arp_pending {
	struct arp_pend e[ARP_PENDING_MAX];
};

/* The Ethernet/IPv4 ARP body after struct arphdr. */
struct arp_eth_body {
	uint8_t sha[ETH_ALEN];
	uint32_t sip;
	uint8_t tha[ETH_ALEN];
	uint32_t tip;
} __attribute__((packed));

static struct arp_pending *arpq(struct net *net, int create)
{
	struct sock_table *t = create ? sock_table(net) : net->socks;
	if (t && !t->arpq && create)
		t->arpq = calloc(1, sizeof(struct arp_pending));
	return t ? t->arpq : NULL;
}

static struct arp_pend *arp_pend_find(struct net *net, int ifindex, uint32_t ip)
{
	struct arp_pending *p = arpq(net, 0);
	for (int i = 0; p && i < ARP_PENDING_MAX; i++)
		if (p->e[i].ifindex == ifindex && p->e[i].ip == ip)
			return &p->e[i];
	return NULL;
}

void arp_pending_exit(struct net *net)
{
	struct arp_pending *p = arpq(net, 0);
	for (int i = 0; p && i < ARP_PENDING_MAX; i++)
		if (p->e[i].ifindex)
			skb_queue_purge(net, &p->e[i].q);
}

static void arp_table_args(void *ctx, const struct net_device *dev, uint32_t ip, const uint8_t *mac,
			   enum nud_state st)
{
	static const char *nud[] = { "NONE", "INCOMPLETE", "REACHABLE", "STALE", "PERMANENT" };
	struct jw *a = ctx;
	jw_obj_open(a);
	jw_kv_str(a, "dev", dev ? dev->name : "?");
	jw_kv_str(a, "ip", ip_fmt(ip));
	jw_kv_str(a, "mac", st == NUD_INCOMPLETE ? "(incomplete)" : mac_fmt(mac));
	jw_kv_str(a, "state", st <= NUD_PERMANENT ? nud[st] : "?");
	jw_obj_close(a);
}

struct neigh_pick {
	struct jw *a;
	uint32_t ip;
	int ifindex, n;
};

static void arp_pick_entry(void *ctx, const struct net_device *dev, uint32_t ip, const uint8_t *mac,
			   enum nud_state st)
{
	struct neigh_pick *p = ctx;
	p->n++;
	if (ip == p->ip && dev && dev->ifindex == p->ifindex) {
		jw_key(p->a, "neigh");
		arp_table_args(p->a, dev, ip, mac, st);
	}
}

/* The entry that changed, and the table's size, as the event's args: the
 * whole table on every event made ARP-heavy traces mostly table dumps;
 * the state panels rebuild the table from these per-entry changes. */
static void arp_trace_entry(struct net *net, const struct net_device *dev, uint32_t ip)
{
	if (!trace_on(net))
		return;
	struct neigh_pick p = { trace_args(net), ip, dev->ifindex, 0 };
	neigh_for_each(net, arp_pick_entry, &p);
	jw_kv_int(p.a, "entries", p.n);
}

/* arp_create + arp_xmit: an Ethernet ARP frame to dest_hw (NULL: broadcast). */
static int arp_send(struct net *net, int op, struct net_device *dev, uint32_t dest_ip, const uint8_t *dest_hw,
		    uint32_t src_ip, const uint8_t *target_hw)
{
	static const uint8_t zero[ETH_ALEN];
	struct sk_buff *skb = alloc_skb(net, ETH_HLEN + 28);

	if (!skb)
		return -1;
	struct ethhdr *eth = (struct ethhdr *)skb_put(skb, ETH_HLEN + 28);
	struct arphdr *arp = (struct arphdr *)(eth + 1);
	struct arp_eth_body *b = (struct arp_eth_body *)(arp + 1);
	memcpy(eth->h_dest, dest_hw ? dest_hw : dev->broadcast, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_ARP);
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons((uint16_t)op);
	memcpy(b->sha, dev->dev_addr, ETH_ALEN);
	b->sip = src_ip;
	memcpy(b->tha, target_hw ? target_hw : zero, ETH_ALEN);
	b->tip = dest_ip;
	skb->dev = dev;
	skb->protocol = ETH_P_ARP;
	skb_reset_mac_header(skb);
	trace_enter(net, skb, "arp_send", "arp", "%s %s tell %s", op == ARPOP_REQUEST ? "who-has" : "reply",
		    ip_fmt(op == ARPOP_REQUEST ? dest_ip : src_ip),
		    op == ARPOP_REQUEST ? ip_fmt(src_ip) : mac_fmt(dev->dev_addr));
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}

/* The reply now resolves ip: send everything held for it (neigh_update). */
static void arp_flush_queue(struct net *net, struct net_device *dev, uint32_t ip)
{
	struct arp_pend *p = arp_pend_find(net, dev->ifindex, ip);
	struct sk_buff *held[ARP_QUEUE_LEN];
	int n = 0;

	if (!p)
		return;
	while (n < ARP_QUEUE_LEN && (held[n] = skb_dequeue(&p->q)))
		n++;
	p->ifindex = 0;	/* free the slot first: output must not queue here again */
	if (n)
		trace_step(net, NULL, "neigh_update", "%s resolved: sending the %d packet(s) held in arp_queue",
			   ip_fmt(ip), n);
	for (int i = 0; i < n; i++) {
		held[i]->pkt = net->cur_pkt;	/* sent because of this reply */
		neigh_output(net, held[i], dev, ip);
	}
}

/* The sender's mapping, for entries we have (or are resolving). */
static void arp_learn(struct net *net, struct sk_buff *skb, struct net_device *dev, int op,
		      const struct arp_eth_body *b, int create)
{
	int known = neigh_lookup(net, dev, b->sip) || arp_pend_find(net, dev->ifindex, b->sip);
	enum nud_state st = op == ARPOP_REPLY && skb->pkt_type == PACKET_HOST ? NUD_REACHABLE : NUD_STALE;

	if (!known && !create) {
		trace_step(net, skb, "arp_process", "%s is not in the table: not learned (arp_accept=0)",
			   ip_fmt(b->sip));
		return;
	}
	neigh_update(net, dev, b->sip, b->sha, st);
	arp_trace_entry(net, dev, b->sip);
	trace_step(net, skb, "neigh_update", "%s is at %s (%s)", ip_fmt(b->sip), mac_fmt(b->sha),
		   st == NUD_REACHABLE ? "REACHABLE: a reply to us" : "STALE");
	arp_flush_queue(net, dev, b->sip);
}

/* arp_process for Ethernet/IPv4. */
static int arp_process(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp = (const struct arphdr *)skb->data;
	const struct arp_eth_body *b = (const struct arp_eth_body *)(arp + 1);
	int op = ntohs(arp->ar_op);
	int for_us = ip_dev_find(net, b->tip) == dev;

	trace_enter(net, skb, "arp_process", "arp", "%s %s tell %s", op == ARPOP_REQUEST ? "who-has" : "reply",
		    ip_fmt(op == ARPOP_REQUEST ? b->tip : b->sip), ip_fmt(b->sip));
	if (ntohs(arp->ar_hrd) != ARPHRD_ETHER || ntohs(arp->ar_pro) != ETH_P_IP ||
	    (op != ARPOP_REQUEST && op != ARPOP_REPLY))
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	if (ipv4_is_multicast(b->tip) || ipv4_is_loopback(b->tip))
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	SNMP_INC(net, op == ARPOP_REQUEST ? MIB_ARP_INREQUESTS : MIB_ARP_INREPLIES);
	if (b->sip == 0) {
		/* RFC 5227 probe: answer, but learn nothing from 0.0.0.0. */
		if (op == ARPOP_REQUEST && for_us) {
			SNMP_INC(net, MIB_ARP_OUTREPLIES);
			arp_send(net, ARPOP_REPLY, dev, 0, b->sha, b->tip, b->sha);
		}
	} else if (op == ARPOP_REQUEST && for_us) {
		/* neigh_event_ns: whoever asks for us will talk to us next. */
		arp_learn(net, skb, dev, op, b, 1);
		SNMP_INC(net, MIB_ARP_OUTREPLIES);
		arp_send(net, ARPOP_REPLY, dev, b->sip, b->sha, b->tip, b->sha);
	} else {
		if (b->sip == b->tip)
			trace_step(net, skb, "arp_process", "gratuitous ARP for %s", ip_fmt(b->sip));
		arp_learn(net, skb, dev, op, b, 0);
	}
	kfree_skb(net, skb);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
	return NET_RX_SUCCESS;
}

int arp_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp;

	trace_enter(net, skb, "arp_rcv", "arp", "%u bytes on %s", skb->len, dev->name);
	if (skb->pkt_type == PACKET_OTHERHOST || skb->pkt_type == PACKET_LOOPBACK) {
		trace_exit(net, skb, V_CONSUMED, 0, "pkt_type %s: not for us", pkt_type_name(skb->pkt_type));
		kfree_skb(net, skb);
		return NET_RX_SUCCESS;
	}
	/* ARP header, two hardware and two protocol addresses. */
	if (!pskb_may_pull(skb, sizeof(*arp) + 2 * (ETH_ALEN + 4))) {
		trace_step(net, skb, "arp_rcv", "%u bytes: shorter than an Ethernet ARP packet", skb->len);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	arp = (const struct arphdr *)skb->data;
	if (arp->ar_hln != ETH_ALEN || arp->ar_pln != 4) {
		trace_step(net, skb, "arp_rcv", "hardware/protocol address lengths %u/%u are not Ethernet/IPv4",
			   arp->ar_hln, arp->ar_pln);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	return trace_ret(net, arp_process(net, skb, dev));
}

static struct arp_pend *arp_pend_new(struct net *net, int ifindex, uint32_t ip)
{
	struct arp_pending *p = arpq(net, 1);
	for (int i = 0; p && i < ARP_PENDING_MAX; i++)
		if (!p->e[i].ifindex) {
			p->e[i].ifindex = ifindex;
			p->e[i].ip = ip;
			p->e[i].sent_ns = 0;
			skb_queue_head_init(&p->e[i].q);
			return &p->e[i];
		}
	return NULL;
}

/* The source for our request: the packet's own, if it is ours (arp_announce 0). */
static uint32_t arp_solicit_saddr(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	uint32_t s = skb->len >= 20 ? ip_hdr(skb)->saddr : 0;
	return s && ip_dev_find(net, s) ? s : inet_select_addr(dev, nexthop);
}

int arp_solicit(struct net *net, struct net_device *dev, uint32_t nexthop, struct sk_buff *skb)
{
	static const uint8_t zero[ETH_ALEN];
	struct arp_pend *p = arp_pend_find(net, dev->ifindex, nexthop);

	if (!p && !(p = arp_pend_new(net, dev->ifindex, nexthop))) {
		trace_step(net, skb, "__neigh_create", "too many neighbours being resolved (%d)", ARP_PENDING_MAX);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NEIGH_CREATEFAIL);
		return NET_RX_DROP;
	}
	if (skb_queue_len(&p->q) >= ARP_QUEUE_LEN) {
		/* __neigh_event_send: the oldest held packet makes room. */
		struct sk_buff *old = skb_dequeue(&p->q);
		SNMP_INC(net, MIB_ARP_UNRESOLVED_DISCARDS);
		trace_step(net, old, "__neigh_event_send", "arp_queue for %s full (%d): oldest packet dropped",
			   ip_fmt(nexthop), ARP_QUEUE_LEN);
		kfree_skb_reason(net, old, SKB_DROP_REASON_NEIGH_QUEUEFULL);
	}
	skb_queue_tail(&p->q, skb);
	if (!neigh_lookup(net, dev, nexthop))
		neigh_update(net, dev, nexthop, zero, NUD_INCOMPLETE);
	arp_trace_entry(net, dev, nexthop);
	trace_step(net, skb, "__neigh_event_send", "held in arp_queue for %s (%u of %d)", ip_fmt(nexthop),
		   skb_queue_len(&p->q), ARP_QUEUE_LEN);
	if (!p->sent_ns || (int64_t)(net->now_ns - p->sent_ns) >= (int64_t)ARP_RETRANS_NS) {
		p->sent_ns = net->now_ns ? net->now_ns : 1;
		SNMP_INC(net, MIB_ARP_OUTREQUESTS);
		arp_send(net, ARPOP_REQUEST, dev, nexthop, NULL, arp_solicit_saddr(net, dev, nexthop, skb), NULL);
	}
	return NET_RX_SUCCESS;
}
