/*
 * skbuff.h - struct sk_buff, after include/linux/skbuff.h.
 *
 * One linear buffer per skb: head <= data <= tail <= end, with the network
 * and transport headers as offsets from head, as the kernel keeps them. Left
 * out: paged frags, frag_list and shared data (a reassembled datagram is
 * copied into one new linear skb, as Linux 2.4 did), GSO, dst refcounts.
 *
 * Ownership: an skb belongs to whoever holds the pointer; kfree_skb() and
 * kfree_skb_reason() end its life and the pointer is invalid after.
 */
#ifndef NJ_STACK_SKBUFF_H
#define NJ_STACK_SKBUFF_H

#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"

struct net;
struct net_device;

/* pkt_type values (include/uapi/linux/if_packet.h) */
#define PACKET_HOST		0
#define PACKET_BROADCAST	1
#define PACKET_MULTICAST	2
#define PACKET_OTHERHOST	3
#define PACKET_OUTGOING		4
#define PACKET_LOOPBACK		5

/* ethertypes, host order (include/uapi/linux/if_ether.h) */
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_RARP	0x8035
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_P_IPV6	0x86DD
#define ETH_P_802_3	0x0001
#define ETH_P_ALL	0x0003
#define ETH_P_802_2	0x0004
#define ETH_HLEN	14
#define ETH_ALEN	6
#define VLAN_HLEN	4

#define SKB_HDR_UNSET	0xffff
#define SKB_CB_SIZE	48
#define NET_SKB_PAD	64	/* headroom reserved by alloc for pushed headers */

/* Linux's skb memory arithmetic (x86-64): data areas are cache-line
 * aligned and end in a 320-byte skb_shared_info; struct sk_buff is 232
 * bytes. Heads up to SKB_HEAD_ALIGN(MAX_TCP_HEADER) come from their own
 * cache: 576 bytes with MAX_TCP_HEADER 256, the reference kernel's
 * (a config with a larger LL_MAX_HEADER has 640). */
#define SMP_CACHE_BYTES		64
#define SKB_DATA_ALIGN(x)	(((x) + (SMP_CACHE_BYTES - 1)) & ~(uint32_t)(SMP_CACHE_BYTES - 1))
#define SKB_SHINFO_SIZE		SKB_DATA_ALIGN(320u)
#define SKB_HEAD_ALIGN(x)	(SKB_DATA_ALIGN(x) + SKB_SHINFO_SIZE)
#define SKB_WITH_OVERHEAD(x)	((x) - SKB_SHINFO_SIZE)
#define SKB_TRUESIZE(x)		((x) + SKB_DATA_ALIGN(232u) + SKB_SHINFO_SIZE)
/* icmp_sk_init, icmpv6_sk_init: the ICMP sockets' send buffers, room for
 * two 64 KiB messages with their overhead. */
#define ICMP_SNDBUF		(2u * SKB_TRUESIZE(65536u))
#define MAX_TCP_HEADER		256u
#define SKB_SMALL_HEAD_CACHE_SIZE SKB_HEAD_ALIGN(MAX_TCP_HEADER)
#define SK_PAGE_SIZE		4096u

struct sock;

struct sk_buff {
	struct sk_buff *next, *prev;	/* queue links (sk_buff_head) */
	uint64_t id;			/* unique per net; the "skb" of events */
	int64_t pkt;			/* capture packet number, -1 if none */
	uint64_t tstamp_ns;
	struct net_device *dev;
	unsigned char *head, *data;
	uint32_t tail, end;		/* offsets from head */
	uint32_t len;			/* tail - (data - head) */
	uint32_t truesize;		/* bytes charged to memory accounting */
	uint16_t protocol;		/* ethertype, host order */
	uint16_t mac_header, network_header, transport_header;
	uint16_t vlan_tci;
	uint8_t vlan_present;
	uint8_t pkt_type;
	uint8_t csum_valid;		/* checksum already verified (CHECKSUM_UNNECESSARY) */
	uint8_t capture_trunc;		/* the capture cut this frame short */
	uint8_t ip_summed;		/* CHECKSUM_NONE, or CHECKSUM_PARTIAL (checksum.c) */
	uint8_t df_if_fits;		/* IP sets DF if it fits the path (a UDP socket's IP_PMTUDISC_WANT) */
	struct sock *sk;		/* skb->sk: a UDP socket whose send buffer it is charged to
					 * until freed (skb_set_owner_w, sock_wfree in sock.c) */
	uint8_t icmp_owned;		/* charged to the ICMP (1) or ICMPv6 (2) socket's send buffer
					 * until freed (icmp.c, icmp6.c) */
	uint16_t gso_size;		/* a TCP skb of several segments of this size, cut
					 * before it leaves (skb_gso_segment); 0 none */
	_Alignas(8) char cb[SKB_CB_SIZE];	/* per-layer control block, as skb->cb */
};

struct sk_buff_head {
	struct sk_buff *next, *prev;	/* circular, head is the sentinel */
	uint32_t qlen;
};

/**
 * alloc_skb - an empty skb with room for size bytes after NET_SKB_PAD headroom.
 * @net: owner; assigns the skb id and recycles buffers through its pool.
 * @size: payload capacity.
 * Its truesize is what Linux's alloc_skb(NET_SKB_PAD + size) charges;
 * callers modelling another Linux allocation set it themselves.
 * Returns the skb, or NULL when memory is exhausted.
 */
struct sk_buff *alloc_skb(struct net *net, uint32_t size);

/* skb_cache_destroy - returns the net's skb slabs to the system; every
 * skb must have been freed (net_destroy calls it last). */
void skb_cache_destroy(struct net *net);
/* skb_cache_dying - net_destroy has begun: skb_queue_purge may drop a
 * queue without freeing its skbs one by one, their slabs going whole. */
void skb_cache_dying(struct net *net);
/* skb_cache_slabs - slabs carved so far, and whether the thread that
 * touches the next one ahead of need is running (for tests). */
int skb_cache_slabs(const struct net *net, int *prefaulting);

/* kmalloc_reserve - the head buffer Linux allocates when __alloc_skb is
 * asked for size bytes: the small-head cache or a kmalloc size class. */
uint32_t kmalloc_reserve(uint32_t size);
/* alloc_skb_truesize - the truesize Linux's alloc_skb(size) starts with. */
uint32_t alloc_skb_truesize(uint32_t size);

/* sock_wfree - uncharges skb from its owner's send buffer, waking a
 * writer asleep on it once half is free (sock.c). */
void sock_wfree(struct net *net, struct sk_buff *skb);
/* skb_frag_owner - a fragment of skb charged to skb's owner, as
 * ip_frag_next and ip6_frag_next charge "the memory for the fragment to
 * any owner it might possess": a socket, or the ICMP socket. */
void skb_frag_owner(struct net *net, struct sk_buff *frag, const struct sk_buff *skb);

/* kfree_skb - frees without tracing (consumed or never entered the stack). */
void kfree_skb(struct net *net, struct sk_buff *skb);

/**
 * kfree_skb_reason - frees skb and records why, as the kernel's tracepoint
 * skb:kfree_skb does: emits a "kfree_skb" step event naming the reason.
 * The skb pointer is invalid afterwards.
 */
void kfree_skb_reason(struct net *net, struct sk_buff *skb, enum skb_drop_reason reason);

/* skb_copy - a deep copy with a new id, same pkt. NULL on no memory. */
struct sk_buff *skb_copy(struct net *net, const struct sk_buff *skb);

static inline unsigned char *skb_tail_pointer(const struct sk_buff *skb) { return skb->head + skb->tail; }
static inline uint32_t skb_headroom(const struct sk_buff *skb) { return (uint32_t)(skb->data - skb->head); }
static inline uint32_t skb_tailroom(const struct sk_buff *skb) { return skb->end - skb->tail; }

/* skb_reserve - moves data and tail forward by len (on an empty skb). */
static inline void skb_reserve(struct sk_buff *skb, uint32_t len) { skb->data += len; skb->tail += len; }

/* skb_put - extends the data at the tail; returns the old tail. The caller
 * must have checked skb_tailroom (overrun aborts: it is a stack bug). */
unsigned char *skb_put(struct sk_buff *skb, uint32_t len);
/* skb_push - extends the data at the head; returns the new data pointer. */
unsigned char *skb_push(struct sk_buff *skb, uint32_t len);
/* skb_pull - removes len bytes at the head; NULL (nothing done) if len > skb->len. */
unsigned char *skb_pull(struct sk_buff *skb, uint32_t len);
/* skb_trim - cuts the data to len bytes if it is longer. */
void skb_trim(struct sk_buff *skb, uint32_t len);

/* pskb_may_pull - whether len bytes are present at data (linear skbs only). */
static inline int pskb_may_pull(const struct sk_buff *skb, uint32_t len) { return skb->len >= len; }

static inline void skb_reset_mac_header(struct sk_buff *s) { s->mac_header = (uint16_t)(s->data - s->head); }
static inline void skb_reset_network_header(struct sk_buff *s) { s->network_header = (uint16_t)(s->data - s->head); }
static inline void skb_reset_transport_header(struct sk_buff *s) { s->transport_header = (uint16_t)(s->data - s->head); }
static inline void skb_set_transport_header(struct sk_buff *s, int off) { s->transport_header = (uint16_t)(s->data - s->head + off); }
static inline unsigned char *skb_mac_header(const struct sk_buff *s) { return s->head + s->mac_header; }
static inline unsigned char *skb_network_header(const struct sk_buff *s) { return s->head + s->network_header; }
static inline unsigned char *skb_transport_header(const struct sk_buff *s) { return s->head + s->transport_header; }
static inline int skb_network_offset(const struct sk_buff *s) { return (int)(skb_network_header(s) - s->data); }

/* Queues: the kernel's sk_buff_head operations. */
void skb_queue_head_init(struct sk_buff_head *list);
void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb);
struct sk_buff *skb_dequeue(struct sk_buff_head *list);
void skb_queue_purge(struct net *net, struct sk_buff_head *list);
static inline uint32_t skb_queue_len(const struct sk_buff_head *l) { return l->qlen; }
static inline struct sk_buff *skb_peek(const struct sk_buff_head *l)
{
	return l->next == (const struct sk_buff *)l ? NULL : l->next;
}

/* Packet type and protocol names for traces ("HOST", "IPv4"). */
const char *pkt_type_name(int pkt_type);
const char *eth_proto_name(uint16_t proto);

#endif
