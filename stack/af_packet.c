/*
 * af_packet.c - PF_PACKET sockets, after net/packet/af_packet.c (Linux
 * 6.13): packet_create, registration as a ptype_all tap or a per-protocol
 * handler (dev_add_pack), packet_rcv with run_filter, snaplen truncation
 * and a bounded receive queue with tp_drops, PACKET_STATISTICS.
 *
 * Simplifications, each said where it happens:
 * - sockets bound to one ethertype are served from packet_taps_deliver
 *   together with the ETH_P_ALL taps (Linux serves them from ptype_base,
 *   next to ip_rcv); the frames they see are the same;
 * - the copy is a plain record (bytes + sockaddr_ll), not a cloned skb, so
 *   a tap never shows up in the stack's skb accounting;
 * - the receive buffer is counted in frames, not bytes of truesize;
 * - a frame that arrived 802.1Q-tagged is offered as it was on the wire,
 *   tag included: that is what tcpdump shows (libpcap re-inserts the tag
 *   Linux moved to auxdata), and what filters from pcap_open_dead expect;
 * - no mmap rings (tpacket_rcv), fanout, SOCK_PACKET or PACKET_ORIGDEV.
 */
#include "af_packet.h"
#include "stack.h"

#include <stdlib.h>
#include <string.h>

/* The frame as a packet socket is offered it: the bytes from the MAC
 * header and where the network header starts inside them. */
struct packet_view {
	const uint8_t *mac;
	uint32_t len;			/* bytes from the MAC header to the tail */
	uint32_t net_off;		/* network header offset within mac[] */
	uint16_t protocol;
	uint8_t pkt_type;
	int ifindex;
	uint16_t hatype;		/* the device's type: not Ethernet (tun, ppp), mac is the IP header */
};

struct packet_sock *packet_create(struct net *net, const char *name, int type, uint16_t protocol,
				  char *err, size_t errlen)
{
	if (type != NJ_SOCK_RAW && type != NJ_SOCK_DGRAM) {
		snprintf(err, errlen, "socket type %d not supported (ESOCKTNOSUPPORT): raw or dgram", type);
		return NULL;
	}
	struct packet_sock *po = calloc(1, sizeof(*po));
	if (!po) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(po->name, sizeof(po->name), "%s", name ? name : "");
	po->type = type;
	po->num = protocol;
	po->rcvbuf = PACKET_RCVQ_DEFAULT;
	/* dev_add_pack puts a new handler at the head of its list, so the
	 * newest socket is offered each frame first. */
	po->next = net->packet_socks;
	net->packet_socks = po;
	return po;
}

void packet_bind(struct packet_sock *po, uint16_t protocol, int ifindex)
{
	po->num = protocol;
	po->ifindex = ifindex;
}

void sk_attach_filter(struct packet_sock *po, struct bpf_prog *prog)
{
	bpf_prog_destroy(po->filter);
	po->filter = prog;
}

struct packet_sock *packet_sock_lookup(struct net *net, const char *name)
{
	for (struct packet_sock *po = net->packet_socks; po; po = po->next)
		if (!strcmp(po->name, name))
			return po;
	return NULL;
}

struct packet_frame *packet_recvmsg(struct packet_sock *po)
{
	struct packet_frame *f = po->q_head;
	if (!f)
		return NULL;
	po->q_head = f->next;
	if (!po->q_head)
		po->q_tail = NULL;
	po->qlen--;
	f->next = NULL;
	return f;
}

struct tpacket_stats packet_get_stats(struct packet_sock *po)
{
	/* Linux reports tp_packets as received + dropped, then clears both. */
	struct tpacket_stats st = { (uint32_t)(po->tp_packets + po->tp_drops), (uint32_t)po->tp_drops };
	po->tp_packets = po->tp_drops = 0;
	return st;
}

static void packet_purge(struct packet_sock *po)
{
	struct packet_frame *f;
	while ((f = packet_recvmsg(po)))
		free(f);
}

void packet_release(struct net *net, struct packet_sock *po)
{
	for (struct packet_sock **pp = &net->packet_socks; *pp; pp = &(*pp)->next)
		if (*pp == po) {
			*pp = po->next;
			break;
		}
	packet_purge(po);
	bpf_prog_destroy(po->filter);
	free(po);
}

/* LL_RESERVED_SPACE of an Ethernet device without extra headroom: the
 * link header rounded down to HH_DATA_MOD (16), plus 16. */
#define ETH_LL_RESERVED_SPACE	(((ETH_HLEN) & ~15u) + 16u)
#define PAGE_ALLOC_COSTLY_ORDER	3

/* alloc_skb_with_frags: each page frag charges its whole block of pages,
 * the blocks shrinking as little data is left. */
static uint32_t alloc_skb_with_frags_truesize(uint32_t header_len, uint32_t data_len)
{
	uint32_t ts = alloc_skb_truesize(header_len), order = PAGE_ALLOC_COSTLY_ORDER;

	while (data_len) {
		uint32_t pages = (data_len + SK_PAGE_SIZE - 1) & ~(SK_PAGE_SIZE - 1);
		while (order && pages < (SK_PAGE_SIZE << order))
			order--;
		uint32_t chunk = SK_PAGE_SIZE << order;
		data_len -= data_len < chunk ? data_len : chunk;
		ts += chunk;
	}
	return ts;
}

uint32_t packet_alloc_skb_truesize(uint32_t len)
{
	uint32_t prepad = ETH_LL_RESERVED_SPACE, linear = len;

	if (prepad + len >= SK_PAGE_SIZE)
		linear = ETH_HLEN;	/* packet_snd keeps the link header linear */
	return alloc_skb_with_frags_truesize(prepad + linear, len - linear);
}

void packet_exit(struct net *net)
{
	while (net->packet_socks)
		packet_release(net, net->packet_socks);
}

/* run_filter: the socket filter decides how many bytes to keep; no filter
 * keeps them all. The per-socket trace_bpf option shows every instruction. */
static uint32_t run_filter(struct net *net, struct packet_sock *po, const struct sk_buff *skb,
			   const uint8_t *data, uint32_t snaplen)
{
	uint32_t res;

	if (!po->filter)
		return snaplen;
	trace_enter(net, skb, "run_filter", "packet", "socket filter%s%s", po->filter->expr ? " " : "",
		    po->filter->expr ? po->filter->expr : "");
	if (po->trace_bpf)
		res = bpf_run_traced(net, po->filter, skb, data, snaplen);
	else
		res = bpf_prog_run(po->filter, data, snaplen);
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		jw_kv_uint(a, "res", res);
		jw_kv_uint(a, "snaplen", snaplen);
		jw_kv_uint(a, "insns", po->filter->len);
	}
	trace_exit(net, skb, res ? V_PASS : V_CONSUMED, 0, "%s", res ? "filter accepts" : "filter returned 0: not for this socket");
	return res;
}

/* The sockaddr_ll packet_rcv stores for recvfrom (sll_addr: the source MAC). */
static void fill_sll(struct sockaddr_ll_rec *sll, const struct packet_view *v)
{
	memset(sll, 0, sizeof(*sll));
	sll->sll_protocol = v->protocol;
	sll->sll_ifindex = v->ifindex;
	sll->sll_hatype = v->hatype;
	sll->sll_pkttype = v->pkt_type;
	if (v->hatype == ARPHRD_ETHER && v->len >= ETH_HLEN) {	/* a tun's packets have no address */
		sll->sll_halen = ETH_ALEN;
		memcpy(sll->sll_addr, v->mac + ETH_ALEN, ETH_ALEN);
	}
}

static void packet_queue(struct packet_sock *po, struct packet_frame *f)
{
	if (po->q_tail)
		po->q_tail->next = f;
	else
		po->q_head = f;
	po->q_tail = f;
	po->qlen++;
	po->tp_packets++;
	po->total_packets++;
}

static void packet_rcv_args(struct net *net, const struct packet_sock *po, const struct packet_view *v,
			    uint32_t snaplen, uint32_t res)
{
	struct jw *a = trace_args(net);
	jw_kv_str(a, "sock", po->name);
	jw_kv_str(a, "type", po->type == NJ_SOCK_RAW ? "raw" : "dgram");
	jw_kv_str(a, "pkttype", pkt_type_name(v->pkt_type));
	jw_kv_int(a, "ifindex", v->ifindex);
	jw_kv_uint(a, "protocol", v->protocol);
	jw_kv_uint(a, "len", snaplen);
	jw_kv_uint(a, "snaplen", res < snaplen ? res : snaplen);
	jw_kv_uint(a, "qlen_before", po->qlen);
	jw_kv_uint(a, "rcvbuf", po->rcvbuf);
	jw_kv_uint(a, "tp_drops", po->tp_drops);
}

/**
 * packet_rcv - one socket's share of a frame, in Linux's order: skip the
 * looped-back copy; choose the start (MAC header for SOCK_RAW, network
 * header for SOCK_DGRAM); run_filter (0 → not for us, uncounted);
 * receive queue full → tp_drops; fill sockaddr_ll; trim to the filter's
 * snaplen; queue and count tp_packets. The skb itself is only read.
 */
static void packet_rcv(struct net *net, struct packet_sock *po, const struct sk_buff *skb,
		       const struct packet_view *v)
{
	const uint8_t *data = v->mac;
	uint32_t snaplen = v->len, res;

	if (v->pkt_type == PACKET_LOOPBACK)
		return;
	trace_enter(net, skb, "packet_rcv", "packet", "socket %s (%s)", po->name,
		    po->type == NJ_SOCK_RAW ? "SOCK_RAW" : "SOCK_DGRAM");
	if (po->type == NJ_SOCK_DGRAM) {
		data += v->net_off;
		snaplen -= v->net_off;
	}
	res = run_filter(net, po, skb, data, snaplen);
	if (trace_on(net))
		packet_rcv_args(net, po, v, snaplen, res);
	if (!res) {
		po->filtered++;
		trace_exit(net, skb, V_CONSUMED, 0, "filter rejected the frame (not counted in tp_drops)");
		return;
	}
	if (po->qlen >= po->rcvbuf) {
		po->tp_drops++;
		po->total_drops++;
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_SOCKET_RCVBUFF,
			   "receive queue full (%u frames): tp_drops=%llu", po->qlen,
			   (unsigned long long)po->tp_drops);
		return;
	}
	uint32_t caplen = res < snaplen ? res : snaplen;
	struct packet_frame *f = malloc(sizeof(*f) + caplen);
	if (!f) {
		po->tp_drops++;
		po->total_drops++;
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_NOMEM, "no memory for the copy");
		return;
	}
	f->next = NULL;
	f->ts_ns = skb && skb->tstamp_ns ? skb->tstamp_ns : net->now_ns;
	f->pkt = skb ? skb->pkt : net->cur_pkt;
	f->caplen = caplen;
	f->origlen = snaplen;
	fill_sll(&f->sll, v);
	memcpy(f->data, data, caplen);
	packet_queue(po, f);
	trace_exit(net, skb, V_QUEUED, 0, "queued %u of %u bytes (%u/%u in queue)", caplen, snaplen,
		   po->qlen, po->rcvbuf);
}

/* Which sockets want this frame: ETH_P_ALL taps always; others when the
 * ethertype matches; in both cases only on the bound device, if any. */
static int packet_wants(const struct packet_sock *po, const struct packet_view *v, int outgoing)
{
	if (po->ifindex && po->ifindex != v->ifindex)
		return 0;
	if (po->num == ETH_P_ALL)
		return 1;
	return !outgoing && po->num && po->num == v->protocol;
}

void packet_taps_deliver(struct net *net, struct sk_buff *skb)
{
	if (!net->packet_socks)
		return;
	/* The MAC header still precedes data, with any VLAN tag we pulled:
	 * the bytes from it to the tail are the frame as received. */
	uint32_t mac_off = skb->mac_header, data_off = skb_headroom(skb);
	if (mac_off == SKB_HDR_UNSET || mac_off > data_off)
		mac_off = data_off;
	struct packet_view v = {
		.mac = skb->head + mac_off, .len = skb->tail - mac_off, .net_off = data_off - mac_off,
		.protocol = skb->protocol, .pkt_type = skb->pkt_type,
		.ifindex = skb->dev ? skb->dev->ifindex : 0, .hatype = skb->dev ? skb->dev->type : ARPHRD_ETHER,
	};
	for (struct packet_sock *po = net->packet_socks; po; po = po->next)
		if (packet_wants(po, &v, 0))
			packet_rcv(net, po, skb, &v);
}

void dev_queue_xmit_nit(struct net *net, struct sk_buff *skb)
{
	int hdr = !skb->dev || dev_has_header(skb->dev);
	if (!net->packet_socks || skb->len < (hdr ? ETH_HLEN : 1u))
		return;
	const uint8_t *d = skb->data;
	struct packet_view v = {
		.mac = d, .len = skb->len, .net_off = hdr ? ETH_HLEN : 0,
		.protocol = hdr ? (uint16_t)(d[12] << 8 | d[13]) : (d[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP,
		.pkt_type = PACKET_OUTGOING, .ifindex = skb->dev ? skb->dev->ifindex : 0,
		.hatype = skb->dev ? skb->dev->type : ARPHRD_ETHER,
	};
	for (struct packet_sock *po = net->packet_socks; po; po = po->next)
		if (packet_wants(po, &v, 1))
			packet_rcv(net, po, skb, &v);
}
