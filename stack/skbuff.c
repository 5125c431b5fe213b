/*
 * skbuff.c - sk_buff allocation, freeing and data movement, after
 * net/core/skbuff.c. Buffers come from a per-net cache so a replay does not
 * call malloc per packet; left out: cloning with shared data, paged data.
 *
 * Memory accounting: the size-class buffers are netjourney's own, so
 * skb->truesize is not their size but what Linux's __alloc_skb would have
 * charged for the same request (alloc_skb_truesize): fragment memory,
 * neighbour queues and socket buffers then fill when Linux's do.
 */
#include "netns.h"
#include "huge_memory.h"
#include "kthread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The skb cache, after skbuff_head_cache and the kmalloc size classes: an
 * skb and its data are one object of a size class, carved from 2 MiB slabs
 * (huge pages where the kernel grants them: a replay that holds tens of
 * thousands of skbs on ARP queues would otherwise spend its time in page
 * faults) and kept on per-class free lists until net_destroy. Larger heads
 * (reassembled datagrams) are malloc'd. Under AddressSanitizer every object
 * is malloc'd at its size and freed at once, so an overrun is reported.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SKB_MALLOC_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SKB_MALLOC_ONLY 1
#endif
#endif

#define SKB_NCLASS	7
#define SKB_SLAB_BYTES	((size_t)2 << 20)
#define SKB_OBJ_ALIGN	16
/* kmalloc's classes from 128 up, and one for a full Ethernet frame after
 * NET_SKB_PAD: most replies (ICMP, UDP, SYN-ACKs) need 64 bytes of
 * headroom and under 128 of data, fragments of a large one a whole MTU,
 * and a replay may hold tens of thousands of them on ARP queues. */
static const uint32_t skb_class_cap[SKB_NCLASS] = { 128, 192, 256, 512, 1024, 1600, 2048 };

struct skb_slab {
	struct skb_slab *next;
};

/* The slab the prefault thread made ready (see skb_slab_take). */
struct skb_spare {
	struct skb_slab *slab;		/* ready, or NULL: taken atomically */
	struct kthread k;		/* wakes when slab was taken */
	int tried;
};

struct skb_cache {
	struct sk_buff *free[SKB_NCLASS];
	struct skb_slab *slabs;
	unsigned char *bump, *bump_end;	/* the newest slab's uncarved rest */
	unsigned char *spare_at;	/* carving past it starts the spare thread */
	uint64_t heap_live;		/* live skbs malloc'd, not carved */
	int dying;			/* net_destroy: the slabs go as a whole */
	struct skb_spare spare;
};

/* Every class's size is a multiple of 64, so (cap - 1) / 64 names the
 * class without a scan (alloc_skb and kfree_skb ask on every skb). */
static const int8_t skb_class_of64[32] = {
	0, 0, 1, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6,
};

static int skb_class(uint32_t cap)
{
	return cap - 1 < 2048 ? skb_class_of64[(cap - 1) / 64] : cap ? -1 : 0;
}

static size_t skb_obj_size(int c)
{
	return (sizeof(struct sk_buff) + skb_class_cap[c] + SKB_OBJ_ALIGN - 1) & ~(size_t)(SKB_OBJ_ALIGN - 1);
}

/* A 2 MiB-aligned slab, so the whole of it can be one huge page. */
static struct skb_slab *skb_slab_map(void) { return huge_map(SKB_SLAB_BYTES); }

/*
 * Not in the kernel: the first touch of a fresh slab is the kernel zeroing
 * 2 MiB (and, on a VM, the host backing it), up to a millisecond each time
 * and far more on some hosts. Once a replay needs a second slab it likely
 * needs more, so a thread of the cache's own maps and touches the next one
 * ahead, while the replay's thread carves the current one.
 */
static void skb_slab_touch(struct skb_slab *h)
{
	if (mem_prefault(h, SKB_SLAB_BYTES) == 0)
		return;
	for (size_t i = 0; i < SKB_SLAB_BYTES; i += 4096)
		((volatile unsigned char *)h)[i] = 0;
}

static void *skb_spare_main(void *arg)
{
	struct skb_spare *sp = arg;
	pthread_mutex_lock(&sp->k.mu);
	while (!kthread_should_stop(&sp->k)) {
		if (__atomic_load_n(&sp->slab, __ATOMIC_ACQUIRE)) {
			pthread_cond_wait(&sp->k.wake, &sp->k.mu);
			continue;
		}
		pthread_mutex_unlock(&sp->k.mu);
		struct skb_slab *h = skb_slab_map();
		if (h)
			skb_slab_touch(h);
		pthread_mutex_lock(&sp->k.mu);
		if (!h)
			break;		/* no memory: the replay's thread maps its own */
		__atomic_store_n(&sp->slab, h, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&sp->k.mu);
	return NULL;
}

static void skb_spare_stop(struct skb_spare *sp)
{
	kthread_stop(&sp->k);
	if (sp->slab)
		huge_unmap(sp->slab, SKB_SLAB_BYTES);
	sp->slab = NULL;
}

static void skb_spare_start(struct skb_cache *sc)
{
	struct skb_spare *sp = &sc->spare;
	sc->spare_at = NULL;
	if (!sp->tried && !sc->dying) {
		sp->tried = 1;
		kthread_run(&sp->k, skb_spare_main, sp);	/* without it, as before */
	}
}

/* The ready slab if there is one (and the thread starts on the next),
 * else one mapped here; the second slab starts the thread. */
static struct skb_slab *skb_slab_take(struct skb_cache *sc)
{
	struct skb_spare *sp = &sc->spare;
	struct skb_slab *h = NULL;
	if (sp->k.running && (h = __atomic_exchange_n(&sp->slab, NULL, __ATOMIC_ACQUIRE))) {
		pthread_mutex_lock(&sp->k.mu);
		pthread_cond_signal(&sp->k.wake);
		pthread_mutex_unlock(&sp->k.mu);
		return h;
	}
	if (sc->slabs)
		skb_spare_start(sc);
	return skb_slab_map();
}

static int skb_slab_grow(struct skb_cache *sc)
{
	struct skb_slab *h = skb_slab_take(sc);
	if (!h)
		return -1;
	h->next = sc->slabs;
	sc->slabs = h;
	sc->bump = (unsigned char *)h + SMP_CACHE_BYTES;
	sc->bump_end = (unsigned char *)h + SKB_SLAB_BYTES;
	/* A replay that carves half its first slab will want a second: the
	 * thread starts then, so the second is ready, not faulted here. */
	if (!h->next && !sc->spare.tried)
		sc->spare_at = (unsigned char *)h + SKB_SLAB_BYTES / 2;
	return 0;
}

static struct skb_cache *skb_cache_get(struct net *net)
{
	if (!net->skb_cache)
		net->skb_cache = calloc(1, sizeof(struct skb_cache));
	return net->skb_cache;
}

static struct sk_buff *skb_cache_alloc(struct net *net, int c)
{
#ifdef SKB_MALLOC_ONLY
	(void)net;
	return malloc(sizeof(struct sk_buff) + skb_class_cap[c]);
#endif
	struct skb_cache *sc = skb_cache_get(net);
	if (!sc)
		return NULL;
	struct sk_buff *skb = sc->free[c];
	if (skb) {
		sc->free[c] = skb->next;
		return skb;
	}
	size_t sz = skb_obj_size(c);
	if (sc->bump + sz > sc->bump_end && skb_slab_grow(sc) < 0)
		return NULL;
	skb = (struct sk_buff *)sc->bump;
	sc->bump += sz;
	if (sc->spare_at && sc->bump >= sc->spare_at)
		skb_spare_start(sc);
	return skb;
}

static void skb_cache_free(struct net *net, struct sk_buff *skb, int c)
{
#ifdef SKB_MALLOC_ONLY
	(void)net;
	(void)c;
	free(skb);
#else
	skb->next = net->skb_cache->free[c];
	net->skb_cache->free[c] = skb;
#endif
}

void skb_cache_dying(struct net *net)
{
	if (net->skb_cache) {
		net->skb_cache->dying = 1;
		skb_spare_stop(&net->skb_cache->spare);
	}
}

int skb_cache_slabs(const struct net *net, int *prefaulting)
{
	const struct skb_cache *sc = net->skb_cache;
	int n = 0;
	*prefaulting = sc && sc->spare.k.running;
	for (const struct skb_slab *h = sc ? sc->slabs : NULL; h; h = h->next)
		n++;
	return n;
}

/* At net_destroy with every live skb carved from the slabs, a queue needs
 * no walk: skb_cache_destroy returns the slabs whole (the walk touched a
 * cold cache line per skb, ~17,000 of them after a replay of unanswered
 * peers). Not under AddressSanitizer, where each skb is malloc'd. */
static int skb_cache_drop_whole(const struct net *net)
{
#ifdef SKB_MALLOC_ONLY
	(void)net;
	return 0;
#else
	const struct skb_cache *sc = net->skb_cache;
	return sc && sc->dying && !sc->heap_live;
#endif
}

void skb_cache_destroy(struct net *net)
{
	struct skb_cache *sc = net->skb_cache;
	if (!sc)
		return;
	skb_spare_stop(&sc->spare);
	while (sc->slabs) {
		struct skb_slab *h = sc->slabs;
		sc->slabs = h->next;
		huge_unmap(h, SKB_SLAB_BYTES);
	}
	free(sc);
	net->skb_cache = NULL;
}

/* The header zeroed by plain 16-byte stores: a memset of its size
 * compiles to `rep stos`, whose start-up cost was most of alloc_skb (the
 * empty asm keeps the compiler from turning the loop back into one). */
static inline void skb_header_zero(struct sk_buff *skb)
{
	typedef uint64_t zv __attribute__((vector_size(16)));
	const zv z = { 0, 0 };
	unsigned char *p = (unsigned char *)skb;
	size_t i = 0;

	for (; i + 3 * sizeof(z) <= sizeof(*skb); i += 3 * sizeof(z)) {	/* 3 a round */
		memcpy(p + i, &z, sizeof(z));
		memcpy(p + i + sizeof(z), &z, sizeof(z));
		memcpy(p + i + 2 * sizeof(z), &z, sizeof(z));
		__asm__("" : : "r"(p) : "memory");
	}
	for (; i + sizeof(z) <= sizeof(*skb); i += sizeof(z)) {
		memcpy(p + i, &z, sizeof(z));
		__asm__("" : : "r"(p) : "memory");
	}
	memset(p + i, 0, sizeof(*skb) - i);
}

static void skb_init(struct net *net, struct sk_buff *skb, unsigned char *head, uint32_t cap)
{
	skb_header_zero(skb);
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

	/* From 256 up the classes, and the page orders after them, are the
	 * powers of two: the next one, without the scan (every skb head is
	 * past 192, so alloc_skb always came here). */
	if (size > 192 && size <= (1u << 30))
		return size <= 256 ? 256 : 1u << (32 - __builtin_clz(size - 1));
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
	int c = skb_class(cap);
	struct sk_buff *skb;

	if (c >= 0) {
		cap = skb_class_cap[c];
		skb = skb_cache_alloc(net, c);
	} else {
		struct skb_cache *sc = skb_cache_get(net);
		skb = sc ? malloc(sizeof(*skb) + cap) : NULL;
		if (skb)
			sc->heap_live++;
	}
	if (!skb)
		return NULL;
	skb_init(net, skb, (unsigned char *)(skb + 1), cap);
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
	if (skb->icmp_owned) {		/* sock_wfree: its send buffer has room again */
		uint32_t *w = skb->icmp_owned == 1 ? &net->icmp_wmem_alloc : &net->icmp6_wmem_alloc;
		*w = *w > skb->truesize ? *w - skb->truesize : 0;
	}
	if (skb->sk)
		sock_wfree(net, skb);
	int c = skb_class(skb->end);
	if (c >= 0 && skb->end == skb_class_cap[c]) {
		skb_cache_free(net, skb, c);
	} else {
		net->skb_cache->heap_live--;
		free(skb);
	}
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
	n->sk = NULL;			/* a copy has no owner (skb_copy: no skb->sk) */
	n->icmp_owned = 0;
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
	if (skb_cache_drop_whole(net)) {
		net->skbs_live -= list->qlen;
		skb_queue_head_init(list);
		return;
	}
	while ((skb = skb_dequeue(list)))
		kfree_skb(net, skb);
}
