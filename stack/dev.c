/*
 * dev.c - the device layer's receive and transmit core, after
 * net/core/dev.c (Linux 6.13): netif_rx → enqueue_to_backlog, the NET_RX
 * softirq (net_rx_action → process_backlog) and __netif_receive_skb_core
 * (ptype_all taps, VLAN, ptype_base dispatch), and dev_queue_xmit (with
 * validate_xmit_skb's software GSO: no device here segments TCP itself).
 * Left out: RPS/RFS and the flow limit (one CPU), GRO, XDP, tc ingress,
 * rx_handlers (bridge, bond), qdiscs on transmit. An interface with VLANs
 * stands for its VLAN device (net/8021q/vlan_dev.c): what it sends leaves
 * tagged, and untagged frames are still taken on it.
 */
#include "af_packet.h"
#include "ipv6.h"
#include "sock.h"
#include "stack.h"

#include <stdio.h>
#include <string.h>

/* enqueue_to_backlog: accept while qlen <= netdev_max_backlog ("<=", so
 * max+1 packets fit, as in Linux); a full backlog drops with CPU_BACKLOG. */
static int enqueue_to_backlog(struct net *net, struct sk_buff *skb)
{
	struct softnet_data *sd = &net->sd;
	uint32_t qlen = skb_queue_len(&sd->input_pkt_queue);

	if (qlen <= (uint32_t)net->sysctl.netdev_max_backlog) {
		skb_queue_tail(&sd->input_pkt_queue, skb);
		if (trace_on(net)) {
			struct jw *a = trace_args(net);
			jw_kv_uint(a, "qlen", qlen + 1);
			jw_kv_int(a, "netdev_max_backlog", net->sysctl.netdev_max_backlog);
		}
		trace_step(net, skb, "enqueue_to_backlog", "queued on the backlog (%u/%d)%s",
			   qlen + 1, net->sysctl.netdev_max_backlog,
			   qlen == 0 ? "; NET_RX softirq raised" : "");
		return NET_RX_SUCCESS;
	}
	sd->dropped++;
	SNMP_INC(net, MIB_SOFTNET_DROPPED);
	if (skb->dev) {
		skb->dev->rx_dropped++;
		SNMP_INC(net, MIB_DEV_RX_DROPPED);
	}
	trace_step(net, skb, "enqueue_to_backlog", "backlog full (%u > netdev_max_backlog %d)",
		   qlen, net->sysctl.netdev_max_backlog);
	return NET_RX_DROP;
}

int netif_rx(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "netif_rx", "core", "%s", "");
	if (!skb->dev || !skb->dev->up)
		return skb_drop(net, skb, SKB_DROP_REASON_DEV_READY);
	if (enqueue_to_backlog(net, skb) == NET_RX_DROP)
		return skb_drop(net, skb, SKB_DROP_REASON_CPU_BACKLOG);
	trace_exit(net, NULL, V_QUEUED, 0, "%s", "");
	return NET_RX_SUCCESS;
}

/* process_backlog: the backlog's pseudo-NAPI poll, up to quota packets. */
static int process_backlog(struct net *net, int quota)
{
	struct softnet_data *sd = &net->sd;
	struct sk_buff *skb;
	int work = 0;

	trace_enter(net, NULL, "process_backlog", "core", "poll up to %d of %u queued",
		    quota, skb_queue_len(&sd->input_pkt_queue));
	while (work < quota && (skb = skb_dequeue(&sd->input_pkt_queue))) {
		int64_t saved = net->cur_pkt;
		net->cur_pkt = skb->pkt;
		__netif_receive_skb(net, skb);
		net->cur_pkt = saved;
		work++;
	}
	trace_exit(net, NULL, V_PASS, 0, "%d processed", work);
	return work;
}

int net_rx_action(struct net *net)
{
	struct softnet_data *sd = &net->sd;
	int budget = net->sysctl.netdev_budget, total = 0;

	if (!skb_queue_len(&sd->input_pkt_queue)) {
		sock_app_wakeups(net);
		return 0;
	}
	trace_enter(net, NULL, "net_rx_action", "core", "NET_RX softirq: %u in backlog, budget %d",
		    skb_queue_len(&sd->input_pkt_queue), budget);
	while (skb_queue_len(&sd->input_pkt_queue)) {
		if (budget <= 0) {
			/* Linux re-raises the softirq; here the next round runs at once. */
			sd->time_squeeze++;
			SNMP_INC(net, MIB_SOFTNET_TIME_SQUEEZE);
			trace_step(net, NULL, "net_rx_action", "budget exhausted (time_squeeze); softirq re-raised");
			budget = net->sysctl.netdev_budget;
		}
		int quota = net->sysctl.dev_weight < budget ? net->sysctl.dev_weight : budget;
		int n = process_backlog(net, quota);
		budget -= n;
		total += n;
	}
	trace_exit(net, NULL, V_PASS, 0, "%d processed", total);
	sock_app_wakeups(net);	/* the applications it woke run after it */
	return total;
}

/* A VLAN id is accepted when the scenario gave the device that VLAN. */
static int vlan_configured(const struct net_device *dev, uint16_t vid)
{
	for (int i = 0; i < dev->nvlans; i++)
		if (dev->vlans[i] == vid)
			return 1;
	return 0;
}

/* The in-band tags and their fate, as __netif_receive_skb_core handles them
 * without a VLAN device: a non-zero VLAN id nobody claims makes the frame
 * OTHERHOST; VLAN 0 (priority tag) is simply removed. */
static int netif_vlan(struct net *net, struct sk_buff *skb)
{
	for (int round = 0; round < 2; round++) {
		if (skb->protocol != ETH_P_8021Q && skb->protocol != ETH_P_8021AD)
			return 0;
		if (skb_vlan_untag(net, skb) < 0)
			return -1;
		uint16_t vid = skb->vlan_tci & 0x0fff;
		if (vid && !vlan_configured(skb->dev, vid)) {
			skb->pkt_type = PACKET_OTHERHOST;
			trace_step(net, skb, "vlan_do_receive",
				   "no VLAN device for id %u on %s: pkt_type set to OTHERHOST", vid, skb->dev->name);
		}
	}
	return 0;
}

/* deliver_ptype: the ptype_base handler for skb->protocol, or a drop. */
static int deliver_ptype(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	switch (skb->protocol) {
	case ETH_P_IP:
		return ip_rcv(net, skb, dev);
	case ETH_P_ARP:
		return arp_rcv(net, skb, dev);
	case ETH_P_IPV6:
		return ipv6_rcv(net, skb, dev);
	default:
		dev->rx_nohandler++;
		dev->rx_dropped++;
		SNMP_INC(net, MIB_DEV_RX_NOHANDLER);
		trace_step(net, skb, "__netif_receive_skb_core",
			   "no ptype_base handler for ethertype 0x%04x (%s)", skb->protocol,
			   eth_proto_name(skb->protocol));
		kfree_skb_reason(net, skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		return NET_RX_DROP;
	}
}

int __netif_receive_skb(struct net *net, struct sk_buff *skb)
{
	trace_enter(net, skb, "__netif_receive_skb", "core", "ethertype 0x%04x (%s) on %s",
		    skb->protocol, eth_proto_name(skb->protocol), skb->dev ? skb->dev->name : "?");
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	net->sd.processed++;		/* __netif_receive_skb_core counts, not the backlog */
	SNMP_INC(net, MIB_SOFTNET_PROCESSED);
	if (skb->dev)
		skb->dev->rx_packets++;
	if (netif_vlan(net, skb) < 0)
		return skb_drop(net, skb, SKB_DROP_REASON_DEV_HDR);
	packet_taps_deliver(net, skb);
	return trace_ret(net, deliver_ptype(net, skb));
}

/* vlan_dev_hard_start_xmit: the VLAN device's tags go in after the MACs,
 * outermost first (802.1ad outside when stacked, as QinQ is set up). */
static void vlan_dev_hard_start_xmit(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
	uint32_t need = 4u * (uint32_t)dev->nvlans;
	uint8_t macs[12];

	if (skb->len < 14 || skb->data[12] == 0x81 || skb->data[12] == 0x88)
		return;		/* a runt, or tagged already */
	if (skb_headroom(skb) < need) {
		trace_step(net, skb, "vlan_dev_hard_start_xmit", "no headroom for the VLAN tag: sent untagged");
		return;
	}
	memcpy(macs, skb->data, 12);
	uint8_t *p = skb_push(skb, need);
	memcpy(p, macs, 12);
	for (int i = 0; i < dev->nvlans; i++) {
		uint16_t tpid = dev->nvlans > 1 && i == 0 ? ETH_P_8021AD : ETH_P_8021Q;
		uint8_t *t = p + 12 + 4 * i;
		t[0] = (uint8_t)(tpid >> 8), t[1] = (uint8_t)tpid;
		t[2] = (uint8_t)(dev->vlans[i] >> 8 & 0x0f), t[3] = (uint8_t)dev->vlans[i];
	}
	skb_reset_mac_header(skb);
	trace_step(net, skb, "vlan_dev_hard_start_xmit", "tagged for VLAN %u%s on %s", dev->vlans[dev->nvlans - 1],
		   dev->nvlans > 1 ? " (stacked)" : "", dev->name);
}

/* One segment's IP header made its own: IPv4's length, id and checksum,
 * IPv6's payload length; then its TCP checksum. */
static void gso_fix_ip(uint8_t *nh, uint32_t tcplen, int i)
{
	struct tcphdr *th;
	if ((nh[0] >> 4) == 6) {
		struct ipv6hdr *h6 = (struct ipv6hdr *)nh;
		h6->payload_len = htons((uint16_t)tcplen);
		th = (struct tcphdr *)(h6 + 1);
		th->check = 0;
		th->check = htons(csum_ipv6_magic(&h6->saddr, &h6->daddr, tcplen, IPPROTO_TCP_, th));
		return;
	}
	struct iphdr *iph = (struct iphdr *)nh;
	uint32_t ihl = (uint32_t)ip_ihl(iph) * 4;
	iph->tot_len = htons((uint16_t)(ihl + tcplen));
	iph->id = htons((uint16_t)(ntohs(iph->id) + i));
	ip_send_check(iph);
	th = (struct tcphdr *)(nh + ihl);
	th->check = 0;
	th->check = htons(csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_TCP_, th, tcplen));
}

/* One segment of a GSO skb: the headers (link to TCP) and len bytes from
 * off; the IP header, the TCP seq, flags and checksum made its own
 * (tcp_gso_segment: FIN and PSH on the last only). */
static struct sk_buff *gso_segment_one(struct net *net, const struct sk_buff *skb, uint32_t hlen, uint32_t off,
				       uint32_t len, int i, int last)
{
	struct sk_buff *s = alloc_skb(net, hlen + len);
	if (!s)
		return NULL;
	uint32_t nh = (uint32_t)skb_network_offset(skb);
	uint8_t *p = skb_put(s, hlen + len);
	memcpy(p, skb->data, hlen);
	memcpy(p + hlen, skb->data + hlen + off, len);
	uint32_t l3 = (p[nh] >> 4) == 6 ? (uint32_t)sizeof(struct ipv6hdr) : (uint32_t)(p[nh] & 15) * 4;
	struct tcphdr *th = (struct tcphdr *)(p + nh + l3);
	th->seq = htonl(ntohl(th->seq) + off);
	if (!last)
		th->flags &= (uint8_t)~(TCPHDR_FIN | TCPHDR_PSH);
	gso_fix_ip(p + nh, hlen - nh - l3 + len, i);
	s->dev = skb->dev;
	s->protocol = skb->protocol;
	s->pkt = skb->pkt;
	s->network_header = (uint16_t)(s->data - s->head + nh);
	return s;
}

/*
 * validate_xmit_skb → skb_gso_segment: no device here offloads TCP
 * segmentation, so a GSO skb (several TCP segments in one, as TCP hands
 * them to IP) is cut into gso_size segments in software before it
 * leaves; each goes out as its own frame.
 */
static int dev_gso_xmit(struct net *net, struct sk_buff *skb)
{
	uint32_t nh = (uint32_t)skb_network_offset(skb);
	const uint8_t *l3 = skb->data + nh;
	uint32_t l3len = (l3[0] >> 4) == 6 ? (uint32_t)sizeof(struct ipv6hdr) : (uint32_t)(l3[0] & 15) * 4;
	uint32_t hlen = nh + l3len + (uint32_t)(l3[l3len + 12] >> 4) * 4;
	uint32_t plen = skb->len - hlen, n = (plen + skb->gso_size - 1) / skb->gso_size;

	trace_enter(net, skb, "skb_gso_segment", "link", "%u bytes of TCP data in %u segments of %u", plen, n,
		    skb->gso_size);
	for (uint32_t i = 0, off = 0; i < n; i++, off += skb->gso_size) {
		uint32_t len = plen - off < skb->gso_size ? plen - off : skb->gso_size;
		struct sk_buff *s = gso_segment_one(net, skb, hlen, off, len, (int)i, i + 1 == n);
		if (s)
			dev_queue_xmit(net, s);
	}
	trace_exit(net, skb, V_SENT, 0, "%s", "");
	kfree_skb(net, skb);
	return 0;
}

int dev_queue_xmit(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	if (skb->gso_size && (skb->protocol == ETH_P_IP || skb->protocol == ETH_P_IPV6))
		return dev_gso_xmit(net, skb);

	trace_enter(net, skb, "dev_queue_xmit", "link", "%u bytes out of %s", skb->len,
		    dev ? dev->name : "?");
	if (dev && dev->nvlans)
		vlan_dev_hard_start_xmit(net, skb, dev);
	if (dev)
		dev->tx_packets++;
	dev_queue_xmit_nit(net, skb);		/* taps see what leaves too */
	if (dev_is_loopback(dev))
		trace_step(net, skb, "loopback_xmit", "back up through netif_rx: in a replayed capture, the capture's "
			   "own copy of it arrives next");
	if (net->xmit)
		net->xmit(net->xmit_ctx, skb, dev);
	trace_exit(net, skb, V_SENT, 0, "%s", "");
	kfree_skb(net, skb);
	return 0;
}
