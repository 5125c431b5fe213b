/*
 * inet_fragment.c - the reassembly queue machinery, after
 * net/ipv4/inet_fragment.c (Linux 6.13) and the LRU evictor of 2.4/2.6's
 * net/ipv4/ip_fragment.c: queue lookup and creation in a hash table, the
 * per-source counters for ipfrag_max_dist (net/ipv4/inetpeer.c), memory
 * accounting by truesize, the expiry timers, the fragment list and its
 * overlap rules (RFC 5722 as Linux applies it to IPv4 since 4.19).
 *
 * Left out: RCU and per-queue locks and refcounts (one thread; a killed
 * queue is destroyed at once), the rhashtable's random seed (a fixed hash
 * keeps replays identical), the timer wheel (a list sorted by expiry),
 * IPv6 and netfilter users of the same code.
 */
#include "inet_frag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTAB_MIN_BUCKETS	256
#define ARGS_MAX_RANGES		64	/* "have" lists at most this many ranges */

/* ---- hash table (rhashtable's job): chains, doubled when 2 per bucket ---- */

static uint32_t frag_hash(const struct frag_v4_key *k)
{
	uint32_t h = frag_mix32(((uint32_t)k->id << 16 | k->protocol) ^ (k->user << 8) ^ k->vif);
	return frag_mix32(k->saddr ^ frag_mix32(k->daddr ^ h));
}

int htab_init(struct htab *h)
{
	h->b = calloc(HTAB_MIN_BUCKETS, sizeof(*h->b));
	h->mask = HTAB_MIN_BUCKETS - 1;
	h->n = 0;
	return h->b ? 0 : -1;
}

/* Doubling keeps chains short whatever the sysctls allow; if memory runs
 * out the old table stays (longer chains, still correct). */
static void htab_grow(struct htab *h)
{
	uint32_t nb = (h->mask + 1) * 2;
	struct hnode **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; i <= h->mask; i++) {
		struct hnode *n = h->b[i], *next;
		for (; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(h->b);
	h->b = b;
	h->mask = nb - 1;
}

void htab_add(struct htab *h, struct hnode *n, uint32_t hash)
{
	if (h->n >= 2 * (h->mask + 1))
		htab_grow(h);
	n->hash = hash;
	n->next = h->b[hash & h->mask];
	h->b[hash & h->mask] = n;
	h->n++;
}

void htab_del(struct htab *h, struct hnode *n)
{
	struct hnode **pp = &h->b[n->hash & h->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			h->n--;
			return;
		}
	}
}

/* ---- inet_peer: one counter per source address ---- */

/* inet_getpeer - the counter for addr, created on first use. Linux keeps
 * peers in a cache with garbage collection; here a peer lives while a
 * queue points at it, which is the only time its counter is compared. */
static struct inet_peer *inet_getpeer(struct ipq_table *t, uint32_t addr)
{
	uint32_t hash = frag_mix32(addr ^ 0x5bd1e995U);
	struct hnode *n = t->peers.b[hash & t->peers.mask];

	for (; n; n = n->next) {
		struct inet_peer *p = (struct inet_peer *)n;
		if (p->addr == addr) {
			p->refcnt++;
			return p;
		}
	}
	struct inet_peer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;		/* the max_dist check is then skipped */
	p->addr = addr;
	p->refcnt = 1;
	htab_add(&t->peers, &p->node, hash);
	return p;
}

static void inet_putpeer(struct ipq_table *t, struct inet_peer *p)
{
	if (p && --p->refcnt == 0) {
		htab_del(&t->peers, &p->node);
		free(p);
	}
}

/* ---- LRU (oldest first) and timer (soonest first) lists ---- */

static void lru_del(struct ipq_table *t, struct ipq *q)
{
	*(q->lru_prev ? &q->lru_prev->lru_next : &t->lru_head) = q->lru_next;
	*(q->lru_next ? &q->lru_next->lru_prev : &t->lru_tail) = q->lru_prev;
	q->lru_prev = q->lru_next = NULL;
}

static void lru_add_tail(struct ipq_table *t, struct ipq *q)
{
	q->lru_next = NULL;
	q->lru_prev = t->lru_tail;
	*(t->lru_tail ? &t->lru_tail->lru_next : &t->lru_head) = q;
	t->lru_tail = q;
}

/* inet_frag_lru_touch - a queue that grew becomes the youngest (2.6's
 * list_move_tail in ip_frag_queue), so the evictor takes idle ones first. */
void inet_frag_lru_touch(struct ipq_table *t, struct ipq *q)
{
	if (t->lru_tail != q) {
		lru_del(t, q);
		lru_add_tail(t, q);
	}
}

void frag_tmr_del(struct frag_timers *t, struct ipq *q)
{
	*(q->tmr_prev ? &q->tmr_prev->tmr_next : &t->head) = q->tmr_next;
	*(q->tmr_next ? &q->tmr_next->tmr_prev : &t->tail) = q->tmr_prev;
	q->tmr_prev = q->tmr_next = NULL;
}

/* Insert by expiry, searching from the tail: packet time only moves
 * forward, so a new timer nearly always goes last (O(1)). */
void frag_tmr_add(struct frag_timers *t, struct ipq *q)
{
	struct ipq *p = t->tail;

	while (p && p->expires_ns > q->expires_ns)
		p = p->tmr_prev;
	q->tmr_prev = p;
	q->tmr_next = p ? p->tmr_next : t->head;
	*(q->tmr_next ? &q->tmr_next->tmr_prev : &t->tail) = q;
	*(p ? &p->tmr_next : &t->head) = q;
}

/* inet_frag_rearm - mod_timer(now + ipfrag_time); only ip_frag_reinit
 * does this: later fragments never extend a queue's life. */
void inet_frag_rearm(struct net *net, struct ipq *q)
{
	struct ipq_table *t = net->ipfrags;

	frag_tmr_del(&t->tmr, q);
	q->expires_ns = net->now_ns + net->sysctl.ipfrag_time_ns;
	frag_tmr_add(&t->tmr, q);
}

/* ---- queues ---- */

static int key_eq(const struct frag_v4_key *a, const struct frag_v4_key *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr && a->id == b->id &&
	       a->protocol == b->protocol && a->user == b->user && a->vif == b->vif;
}

/* inet_frag_lookup - the live queue for key, or NULL. One hash chain. */
struct ipq *inet_frag_lookup(struct ipq_table *t, const struct frag_v4_key *key)
{
	uint32_t hash = frag_hash(key);
	struct hnode *n = t->queues.b[hash & t->queues.mask];

	for (; n; n = n->next)
		if (n->hash == hash && key_eq(&((struct ipq *)n)->key, key))
			return (struct ipq *)n;
	return NULL;
}

/* inet_frag_create - a new queue (inet_frag_alloc + ip4_frag_init): its
 * size charged to frag memory, timer armed at now + ipfrag_time, a peer
 * counter attached when ipfrag_max_dist is on. NULL when out of memory. */
struct ipq *inet_frag_create(struct net *net, const struct frag_v4_key *key)
{
	struct ipq_table *t = net->ipfrags;
	struct ipq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->key = *key;
	q->created_ns = net->now_ns;
	q->expires_ns = net->now_ns + net->sysctl.ipfrag_time_ns;
	if (net->sysctl.ipfrag_max_dist > 0 && net->kernel != KERNEL_2_4)
		q->peer = inet_getpeer(t, key->saddr);
	htab_add(&t->queues, &q->node, frag_hash(key));
	lru_add_tail(t, q);
	frag_tmr_add(&t->tmr, q);
	t->mem += IPQ_QSIZE;
	return q;
}

/* inet_frag_kill - takes the queue out of the table, the LRU and the timer
 * list and marks it COMPLETE; its fragments stay until inet_frag_destroy. */
void inet_frag_kill(struct net *net, struct ipq *q)
{
	struct ipq_table *t = net->ipfrags;

	if (q->flags & INET_FRAG_COMPLETE)
		return;
	htab_del(&t->queues, &q->node);
	lru_del(t, q);
	frag_tmr_del(&t->tmr, q);
	q->flags |= INET_FRAG_COMPLETE;
}

/*
 * inet_frag_purge - frees every fragment held and uncharges it. With
 * SKB_DROP_REASON_CONSUMED they go untraced (consume_skb: Linux 6.x frees
 * the fragments of a queue killed for any cause but the timer that way);
 * otherwise each is a traced drop with reason.
 */
void inet_frag_purge(struct net *net, struct ipq *q, enum skb_drop_reason reason)
{
	struct sk_buff *skb, *next;

	for (skb = q->fragments; skb; skb = next) {
		next = skb->next;
		skb->next = skb->prev = NULL;
		if (reason == SKB_DROP_REASON_CONSUMED)
			kfree_skb(net, skb);
		else
			kfree_skb_reason(net, skb, reason);
	}
	net->ipfrags->mem -= q->truesize;
	q->truesize = 0;
	q->fragments = q->fragments_tail = NULL;
	q->nfrags = 0;
}

/* inet_frag_destroy - frees a killed queue and its fragments. q is invalid after. */
void inet_frag_destroy(struct net *net, struct ipq *q, enum skb_drop_reason reason)
{
	inet_frag_kill(net, q);
	inet_frag_purge(net, q, reason);
	net->ipfrags->mem -= IPQ_QSIZE;
	inet_putpeer(net->ipfrags, q->peer);
	free(q);
}

/* ---- the fragment list, sorted by offset ---- */

/* inet_frag_link - puts skb after prev (NULL: first). */
void inet_frag_link(struct ipq *q, struct sk_buff *prev, struct sk_buff *skb)
{
	skb->prev = prev;
	skb->next = prev ? prev->next : q->fragments;
	*(skb->next ? &skb->next->prev : &q->fragments_tail) = skb;
	*(prev ? &prev->next : &q->fragments) = skb;
	q->nfrags++;
}

void inet_frag_unlink(struct ipq *q, struct sk_buff *skb)
{
	*(skb->prev ? &skb->prev->next : &q->fragments) = skb->next;
	*(skb->next ? &skb->next->prev : &q->fragments_tail) = skb->prev;
	skb->next = skb->prev = NULL;
	q->nfrags--;
}

/* Whether [offset, end) lies inside the run that p belongs to. A run is a
 * chain of fragments that arrived in order, each starting where the last
 * ended (fragrun_append_to_last); out-of-order arrivals start new runs. */
static int inside_run(const struct sk_buff *p, uint32_t offset, uint32_t end)
{
	uint32_t run = FRAG_CB(p)->run;

	while (p->next && FRAG_CB(p->next)->run == run && FRAG_CB(p->next)->offset == frag_end(p))
		p = p->next;
	return offset >= run && end <= frag_end(p);
}

/*
 * inet_frag_queue_insert - places [offset, end) the way Linux 4.19+ does
 * (RFC 5722 section 4 with erratum 3089, applied to IPv4):
 *  - nothing held yet: the fragment starts the first run;
 *  - it ends beyond the last fragment (the in-order case): overlap if it
 *    starts before that end, else it extends the last run or starts one;
 *  - otherwise find what it meets: entirely inside one run is a duplicate
 *    (IPFRAG_DUP: drop just this skb); any other intersection is an
 *    overlap (IPFRAG_OVERLAP: the caller discards the whole datagram).
 * On IPFRAG_OK the skb is linked; the caller does the accounting.
 */
int inet_frag_queue_insert(struct ipq *q, struct sk_buff *skb, uint32_t offset, uint32_t end)
{
	struct sk_buff *last = q->fragments_tail, *p, *prev = NULL;

	FRAG_CB(skb)->offset = offset;
	FRAG_CB(skb)->run = offset;
	if (!last) {
		inet_frag_link(q, NULL, skb);
		return IPFRAG_OK;
	}
	if (frag_end(last) < end) {
		if (offset < frag_end(last))
			return IPFRAG_OVERLAP;
		if (offset == frag_end(last))
			FRAG_CB(skb)->run = FRAG_CB(last)->run;
		inet_frag_link(q, last, skb);
		return IPFRAG_OK;
	}
	for (p = q->fragments; p; prev = p, p = p->next) {
		if (end <= FRAG_CB(p)->offset)
			break;			/* entirely before p */
		if (offset >= frag_end(p))
			continue;		/* entirely after p */
		return inside_run(p, offset, end) ? IPFRAG_DUP : IPFRAG_OVERLAP;
	}
	inet_frag_link(q, prev, skb);
	return IPFRAG_OK;
}

/* ---- the 2.4/2.6 evictor ---- */

/*
 * ip_evictor - Linux before 4.17: once frag memory would pass
 * ipfrag_high_thresh, destroy the least recently grown queues until it
 * is back under ipfrag_low_thresh (and the new fragment fits). Each
 * evicted queue counts as a reassembly failure. 4.17 removed this: an
 * attacker could use it to flush everyone's half-built datagrams.
 */
void ip_evictor(struct net *net, uint32_t need)
{
	struct ipq_table *t = net->ipfrags;
	const struct nj_sysctl *s = &net->sysctl;
	int n = 0;

	trace_enter(net, NULL, "ip_evictor", "frag", "frag memory %llu + %u would pass ipfrag_high_thresh %llu",
		    (unsigned long long)t->mem, need, (unsigned long long)s->ipfrag_high_thresh);
	while (t->lru_head && (t->mem > s->ipfrag_low_thresh || t->mem + need > s->ipfrag_high_thresh)) {
		struct ipq *q = t->lru_head;
		if (trace_on(net))
			jw_kv_str(ipq_trace_args(net, q), "end", "evicted");
		trace_step(net, NULL, "ip_evictor", "evicting the oldest queue %s (%d fragments, %u bytes)",
			   ipq_name(&q->key), q->nfrags, q->truesize + IPQ_QSIZE);
		SNMP_INC(net, MIB_IP_REASMFAILS);
		inet_frag_destroy(net, q, SKB_DROP_REASON_NOT_SPECIFIED);
		n++;
	}
	trace_exit(net, NULL, V_PASS, 0, "evicted %d queue(s): frag memory now %llu (ipfrag_low_thresh %llu)", n,
		   (unsigned long long)t->mem, (unsigned long long)s->ipfrag_low_thresh);
}

/* ---- views: trace args, panels ---- */

const char *ipq_name(const struct frag_v4_key *k)
{
	static _Thread_local char buf[4][80];
	static _Thread_local unsigned i;
	char *b = buf[i++ & 3];

	char *o = txt_str(b, ip_fmt(k->saddr));	/* "%s>%s id=0x%04x proto=%u" */
	*o++ = '>';
	o = txt_str(o, ip_fmt(k->daddr));
	o = txt_str(o, " id=0x");
	o = txt_hex(o, ntohs(k->id), 4);
	o = txt_str(o, " proto=");
	*txt_u64(o, k->protocol) = 0;
	return b;
}

/* ipq_ranges - the [start,end) of every fragment into t->scratch; returns
 * how many (0 if scratch cannot grow). */
size_t ipq_ranges(struct ipq_table *t, const struct ipq *q)
{
	size_t n = 0;

	if ((uint32_t)q->nfrags > t->scratch_cap) {
		struct ipq_range *r = realloc(t->scratch, (size_t)q->nfrags * sizeof(*r));
		if (!r)
			return 0;
		t->scratch = r;
		t->scratch_cap = (uint32_t)q->nfrags;
	}
	for (const struct sk_buff *p = q->fragments; p; p = p->next, n++) {
		t->scratch[n].start = FRAG_CB(p)->offset;
		t->scratch[n].end = frag_end(p);
	}
	return n;
}

static void args_flags(struct jw *a, uint8_t flags)
{
	jw_key(a, "flags");
	jw_arr_open(a);
	if (flags & INET_FRAG_FIRST_IN)
		jw_val_str(a, "FIRST_IN");
	if (flags & INET_FRAG_LAST_IN)
		jw_val_str(a, "LAST_IN");
	jw_arr_close(a);
}

/* inet_frag_args - what IPv4 and IPv6 queues have in common, as args:
 * "have" (at most ARGS_MAX_RANGES fragments' [start,end), "have_more"
 * counts the rest), "meat", "len" (null until the last fragment), flags
 * and "nfrags". */
void inet_frag_args(struct jw *a, const struct ipq *q)
{
	int n = 0;

	jw_key(a, "have");
	jw_arr_open(a);
	for (const struct sk_buff *p = q->fragments; p && n < ARGS_MAX_RANGES; p = p->next, n++) {
		jw_arr_open(a);
		jw_val_uint(a, FRAG_CB(p)->offset);
		jw_val_uint(a, frag_end(p));
		jw_arr_close(a);
	}
	jw_arr_close(a);
	if (q->nfrags > ARGS_MAX_RANGES)
		jw_kv_uint(a, "have_more", (uint64_t)(q->nfrags - ARGS_MAX_RANGES));
	jw_kv_uint(a, "meat", q->meat);
	jw_key(a, "len");
	if (q->flags & INET_FRAG_LAST_IN)
		jw_val_uint(a, q->len);
	else
		jw_val_null(a);
	args_flags(a, q->flags);
	jw_kv_int(a, "nfrags", q->nfrags);
}

/* inet_frag_args_arrival - "arrival": the fragment just held (payload
 * offset and length after any trimming, its skb); the UI fills a queue's
 * byte bar in arrival order. */
void inet_frag_args_arrival(struct jw *a, uint32_t offset, uint32_t len, uint64_t skb)
{
	jw_key(a, "arrival");
	jw_obj_open(a);
	jw_kv_uint(a, "offset", offset);
	jw_kv_uint(a, "len", len);
	jw_kv_uint(a, "skb", skb);
	jw_obj_close(a);
}

/* ipq_trace_args - the queue as the next event's args: key, its contents
 * (inet_frag_args), memory (the table's "mem" and the queue's own
 * "truesize"). Returns the args writer, so the caller may add why the
 * queue ends ("end"). */
struct jw *ipq_trace_args(struct net *net, const struct ipq *q)
{
	struct ipq_table *t = net->ipfrags;
	struct jw *a = trace_args(net);

	jw_kv_str(a, "queue", ipq_name(&q->key));
	inet_frag_args(a, q);
	jw_kv_uint(a, "queues", t->queues.n);
	jw_kv_uint(a, "mem", t->mem);
	jw_kv_uint(a, "truesize", (uint64_t)q->truesize + IPQ_QSIZE);
	return a;
}

void ip_frag_for_each(struct net *net, void (*fn)(void *ctx, const struct ipq_info *q), void *ctx)
{
	struct ipq_table *t = net->ipfrags;

	for (const struct ipq *q = t ? t->lru_head : NULL; q; q = q->lru_next) {
		struct ipq_info i = {
			.saddr = q->key.saddr, .daddr = q->key.daddr, .id = ntohs(q->key.id),
			.protocol = q->key.protocol, .flags = q->flags & (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN),
			.len = q->len, .meat = q->meat, .created_ns = q->created_ns,
			.expires_ns = q->expires_ns, .nfrags = q->nfrags,
			.truesize = q->truesize + IPQ_QSIZE,
		};
		i.nranges = (int)ipq_ranges(t, q);	/* may move t->scratch */
		i.ranges = t->scratch;
		fn(ctx, &i);
	}
}

uint64_t ip_frag_mem(struct net *net) { return net->ipfrags ? net->ipfrags->mem : 0; }

uint32_t ip_frag_queue_count(struct net *net) { return net->ipfrags ? net->ipfrags->queues.n : 0; }

void ip_frag_set_reasm_cb(struct net *net, ip_frag_reasm_fn fn, void *ctx)
{
	net->ipfrags->reasm_cb = fn;
	net->ipfrags->reasm_ctx = ctx;
}

/* ---- per-net set-up and teardown ---- */

int ip_frag_init(struct net *net)
{
	struct ipq_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	if (htab_init(&t->queues) < 0 || htab_init(&t->peers) < 0) {
		free(t->queues.b);
		free(t);
		return -1;
	}
	net->ipfrags = t;
	return 0;
}

void ip_frag_exit(struct net *net)
{
	struct ipq_table *t = net->ipfrags;

	if (!t)
		return;
	while (t->lru_head)
		inet_frag_destroy(net, t->lru_head, SKB_DROP_REASON_CONSUMED);
	free(t->queues.b);
	free(t->peers.b);
	free(t->scratch);
	free(t);
	net->ipfrags = NULL;
}
