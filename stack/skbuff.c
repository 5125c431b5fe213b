/*
 * skbuff.c - sk_buff allocation, freeing and data movement, after
 * net/core/skbuff.c. Buffers come from a per-net free list so a replay does
 * not call malloc per packet; left out: cloning with shared data, paged data.
 *
 * Memory accounting: the 2 KiB pooled buffers are netjourney's own, so
 * skb->truesize is not their size but what Linux's __alloc_skb would have
 * charged for the same request (alloc_skb_truesize): fragment memory,
 * neighbour queues and socket buffers then fill when Linux's do.
 */
#include "netns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKB_POOL_MAX	256
#define SKB_POOL_SIZE	2048	/* buffers of this capacity are recycled */

static void skb_init(struct net *net, struct sk_buff *skb, unsigned char *head, uint32_t cap)
{
	memset(skb, 0, sizeof(*skb));
	skb->head = skb->data = head;
	skb->end = cap;
	skb->id = ++net->next_skb_id;
	skb->pkt = net->cur_pkt;
	skb->tstamp_ns = net->now_ns;
	skb->mac_header = skb->network_header = skb->transport_header = SKB_HDR_UNSET;
}

/* mm/slab_common.c kmalloc_size_roundup: the slab size class, or whole
 * pages (a power-of-two order) past the largest cache. */
static uint32_t kmalloc_size_roundup(uint32_t size)
{
	static const uint32_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	uint32_t pages = SK_PAGE_SIZE;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (size <= classes[i])
			return classes[i];
	while (pages < size)
		pages <<= 1;
	return pages;
}

uint32_t kmalloc_reserve(uint32_t size)
{
	uint32_t obj = SKB_HEAD_ALIGN(size);
	return obj <= SKB_SMALL_HEAD_CACHE_SIZE ? SKB_SMALL_HEAD_CACHE_SIZE : kmalloc_size_roundup(obj);
}

uint32_t alloc_skb_truesize(uint32_t size)
{
	return SKB_TRUESIZE(SKB_WITH_OVERHEAD(kmalloc_reserve(size)));
}

struct sk_buff *alloc_skb(struct net *net, uint32_t size)
{
	uint32_t cap = size + NET_SKB_PAD;
	struct sk_buff *skb;
	unsigned char *head;

	if (cap <= SKB_POOL_SIZE && net->skb_pool) {
		skb = net->skb_pool;
		net->skb_pool = skb->next;
		net->skb_pool_len--;
		head = skb->head;
		cap = SKB_POOL_SIZE;
	} else {
		if (cap < SKB_POOL_SIZE)
			cap = SKB_POOL_SIZE;
		skb = malloc(sizeof(*skb));
		head = malloc(cap);
		if (!skb || !head) {
			free(skb);
			free(head);
			return NULL;
		}
	}
	skb_init(net, skb, head, cap);
	skb->truesize = alloc_skb_truesize(NET_SKB_PAD + size);	/* headroom as asked of Linux */
	skb_reserve(skb, NET_SKB_PAD);
	net->skbs_live++;
	return skb;
}

void kfree_skb(struct net *net, struct sk_buff *skb)
{
	if (!skb)
		return;
	net->skbs_live--;
	if (skb->end == SKB_POOL_SIZE && net->skb_pool_len < SKB_POOL_MAX) {
		skb->next = net->skb_pool;
		net->skb_pool = skb;
		net->skb_pool_len++;
		return;
	}
	free(skb->head);
	free(skb);
}

void kfree_skb_reason(struct net *net, struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb)
		return;
	net->last_drop = reason;
	if (net->tr.hooked)		/* full or lite tracing (trace.h) */
		__trace_kfree(net, skb, reason);
	kfree_skb(net, skb);
}

struct sk_buff *skb_copy(struct net *net, const struct sk_buff *skb)
{
	uint32_t headroom = skb_headroom(skb);
	struct sk_buff *n = alloc_skb(net, headroom + skb->len);
	if (!n)
		return NULL;
	uint64_t id = n->id;
	unsigned char *head = n->head;
	uint32_t end = n->end;
	memcpy(n, skb, sizeof(*n));	/* truesize too: Linux asks for the same head size */
	n->next = n->prev = NULL;
	n->head = head;
	n->end = end;
	n->id = id;
	n->data = head + headroom;
	memcpy(head, skb->head, headroom + skb->len);
	return n;
}

unsigned char *skb_put(struct sk_buff *skb, uint32_t len)
{
	unsigned char *tmp = skb_tail_pointer(skb);
	if (len > skb_tailroom(skb)) {
		fprintf(stderr, "netjourney: skb_put overrun (%u > %u), a stack bug\n", len, skb_tailroom(skb));
		abort();
	}
	skb->tail += len;
	skb->len += len;
	return tmp;
}

unsigned char *skb_push(struct sk_buff *skb, uint32_t len)
{
	if (len > skb_headroom(skb)) {
		fprintf(stderr, "netjourney: skb_push underrun (%u > %u), a stack bug\n", len, skb_headroom(skb));
		abort();
	}
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

unsigned char *skb_pull(struct sk_buff *skb, uint32_t len)
{
	if (len > skb->len)
		return NULL;
	skb->data += len;
	skb->len -= len;
	return skb->data;
}

void skb_trim(struct sk_buff *skb, uint32_t len)
{
	if (skb->len > len) {
		skb->len = len;
		skb->tail = (uint32_t)(skb->data - skb->head) + len;
	}
}

void skb_queue_head_init(struct sk_buff_head *list)
{
	list->next = list->prev = (struct sk_buff *)list;
	list->qlen = 0;
}

void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb)
{
	struct sk_buff *last = list->prev;
	skb->next = (struct sk_buff *)list;
	skb->prev = last;
	last->next = skb;
	list->prev = skb;
	list->qlen++;
}

struct sk_buff *skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = list->next;
	if (skb == (struct sk_buff *)list)
		return NULL;
	list->next = skb->next;
	skb->next->prev = (struct sk_buff *)list;
	skb->next = skb->prev = NULL;
	list->qlen--;
	return skb;
}

void skb_queue_purge(struct net *net, struct sk_buff_head *list)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(list)))
		kfree_skb(net, skb);
}
