/*
 * inet_frag.h - the queue machinery ip_fragment.c and inet_fragment.c share,
 * after include/net/inet_frag.h. Internal to those two files: the rest of
 * the stack uses ip_fragment.h.
 *
 * Ownership: a queued fragment belongs to its queue; inet_frag_destroy()
 * frees a queue and every fragment in it. Fragments are kept in a list
 * sorted by offset through skb->next/prev (Linux 4.19+ keeps an rbtree of
 * "runs"; a sorted list with a tail fast path gives the same answers, and
 * its length is bounded by ipfrag_high_thresh).
 */
#ifndef NJ_STACK_INET_FRAG_H
#define NJ_STACK_INET_FRAG_H

#include "ip_fragment.h"

#define IP_DEFRAG_LOCAL_DELIVER	0	/* enum ip_defrag_users, include/net/ip.h */

/* Intrusive hash table node and table (the kernel uses an rhashtable). */
struct hnode {
	struct hnode *next;
	uint32_t hash;
};

struct htab {
	struct hnode **b;
	uint32_t mask;			/* buckets - 1, a power of two minus one */
	uint32_t n;			/* entries; the table doubles past 2 per bucket */
};

/* A 32-bit mix for the tables' hashes (jhash's job in Linux). */
static inline uint32_t frag_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	h ^= h >> 16;
	return h;
}

/* The lookup key, as struct frag_v4_compare_key. */
struct frag_v4_key {
	uint32_t saddr, daddr;		/* network order */
	uint32_t user;			/* IP_DEFRAG_LOCAL_DELIVER */
	uint32_t vif;			/* L3 master ifindex: always 0 here */
	uint16_t id;			/* network order */
	uint8_t protocol;
};

/* inet_peer: a per-source fragment counter for ipfrag_max_dist. */
struct inet_peer {
	struct hnode node;		/* first: the table links through it */
	uint32_t addr;			/* network order */
	uint32_t rid;			/* fragments received from addr */
	uint32_t refcnt;		/* queues pointing here */
};

/* One incomplete datagram (struct ipq around struct inet_frag_queue). */
struct ipq {
	struct hnode node;		/* first: the table links through it */
	struct frag_v4_key key;
	struct ipq *lru_prev, *lru_next;	/* LRU order, oldest first */
	struct ipq *tmr_prev, *tmr_next;	/* timer order, soonest first */
	struct sk_buff *fragments;	/* sorted by offset */
	struct sk_buff *fragments_tail;	/* highest offset */
	uint8_t flags;			/* INET_FRAG_* */
	uint8_t ecn;			/* OR of 1 << (tos & 3) over fragments */
	uint32_t len;			/* total payload length (from LAST_IN) */
	uint32_t meat;			/* payload bytes held */
	uint32_t truesize;		/* fragment bytes charged */
	uint16_t max_size, max_df_size;	/* largest fragment, largest with DF */
	int iif;
	int nfrags;
	uint64_t created_ns, expires_ns;
	struct inet_peer *peer;		/* NULL when ipfrag_max_dist is 0 */
	uint32_t rid;			/* peer->rid when this queue last grew */
};

/* skb->cb while queued: IPCB stays valid in front (ipfrag_skb_cb). */
struct ipfrag_skb_cb {
	struct inet_skb_parm h;
	uint32_t offset;		/* ip_defrag_offset: payload offset */
	uint32_t run;			/* offset of the run this fragment belongs to */
};
#define FRAG_CB(skb) ((struct ipfrag_skb_cb *)((skb)->cb))
_Static_assert(sizeof(struct ipfrag_skb_cb) <= SKB_CB_SIZE, "FRAG_CB must fit in skb->cb");

static inline uint32_t frag_end(const struct sk_buff *skb) { return FRAG_CB(skb)->offset + skb->len; }

/* Queues by expiry, soonest first (the timer wheel's job). */
struct frag_timers {
	struct ipq *head, *tail;
};

/* Per-net state (struct fqdir). */
struct ipq_table {
	struct htab queues;
	struct htab peers;
	struct ipq *lru_head, *lru_tail;
	struct frag_timers tmr;
	uint64_t mem;			/* frag_mem_limit() */
	int in_timers;			/* ip_expire running: no re-entry */
	ip_frag_reasm_fn reasm_cb;
	void *reasm_ctx;
	struct ipq_range *scratch;	/* ranges for ip_frag_for_each / args */
	uint32_t scratch_cap;
};

/* Results of inet_frag_queue_insert. */
enum { IPFRAG_OK = 0, IPFRAG_DUP, IPFRAG_OVERLAP };

/* -- inet_fragment.c -- */
/* The hash table and the timer list, also IPv6's (reassembly.c). */
int htab_init(struct htab *h);
void htab_add(struct htab *h, struct hnode *n, uint32_t hash);
void htab_del(struct htab *h, struct hnode *n);
void frag_tmr_add(struct frag_timers *t, struct ipq *q);
void frag_tmr_del(struct frag_timers *t, struct ipq *q);
struct ipq *inet_frag_lookup(struct ipq_table *t, const struct frag_v4_key *key);
struct ipq *inet_frag_create(struct net *net, const struct frag_v4_key *key);
void inet_frag_kill(struct net *net, struct ipq *q);
void inet_frag_destroy(struct net *net, struct ipq *q, enum skb_drop_reason reason);
void inet_frag_purge(struct net *net, struct ipq *q, enum skb_drop_reason reason);
void inet_frag_rearm(struct net *net, struct ipq *q);
void inet_frag_lru_touch(struct ipq_table *t, struct ipq *q);
int inet_frag_queue_insert(struct ipq *q, struct sk_buff *skb, uint32_t offset, uint32_t end);
void inet_frag_link(struct ipq *q, struct sk_buff *prev, struct sk_buff *skb);
void inet_frag_unlink(struct ipq *q, struct sk_buff *skb);
void ip_evictor(struct net *net, uint32_t need);
size_t ipq_ranges(struct ipq_table *t, const struct ipq *q);

/* Trace helpers: the queue's name, and its state as event args. */
const char *ipq_name(const struct frag_v4_key *k);
struct jw *ipq_trace_args(struct net *net, const struct ipq *q);
void inet_frag_args(struct jw *a, const struct ipq *q);
void inet_frag_args_arrival(struct jw *a, uint32_t offset, uint32_t len, uint64_t skb);

/* What Linux charges per queue: its sizeof(struct ipq) on x86-64 (200,
 * measured against the reference kernel), not netjourney's struct. */
#define IPQ_QSIZE 200u

#endif
