/*
 * neighbour.c - the IPv4 neighbour (ARP) cache, after net/core/neighbour.c
 * (Linux 6.13). A table of PERMANENT entries from the scenario and
 * learned INCOMPLETE, REACHABLE and STALE ones, bounded as Linux bounds
 * it: past gc_thresh2 (512) learned entries, at most every 5 s, and at
 * gc_thresh3 (1024), a new entry first runs neigh_forced_gc, which
 * removes idle entries (no timer running) that FAILED or were not updated
 * for 5 s, down to gc_thresh2; at gc_thresh3 with none removed the table
 * overflows and the packet is dropped. An INCOMPLETE entry holds the packets waiting for it in
 * its arp_queue (neigh_resolve_output → __neigh_event_send), limited in
 * bytes of truesize (unres_qlen_bytes); neigh_update sends them once the
 * entry becomes valid, whoever taught it (an ARP reply, a request, or a
 * replay's recorded transmit).
 * An unanswered entry is solicited again by its timer every retrans_time
 * (1 s), three times in all (mcast_probes), and FAILED at 3 s: each held
 * packet's sender hears "host unreachable" (arp_error_report) and the
 * packet is freed, NEIGH_FAILED; the next packet for it starts again.
 * Left out: ageing of valid entries (REACHABLE does not go STALE, STALE
 * is used without DELAY and PROBE, as if always confirmed), proxies.
 */
#include "stack.h"
#include "ipv6.h"
#include "sock.h"

#include <stdlib.h>
#include <string.h>

#define NEIGH_GC_THRESH2	512		/* net.ipv4.neigh.default.gc_thresh2 */
#define NEIGH_GC_THRESH3	1024		/* gc_thresh3: learned entries at most */
#define NEIGH_MAX		(NEIGH_GC_THRESH3 + 64)	/* slots: PERMANENT ones too */
#define NEIGH_GC_FLUSH_NS	(5 * 1000000000ULL)	/* forced GC at most this often (2 ... 3) */
#define NEIGH_QUEUE_LEN_BYTES	212992u		/* unres_qlen_bytes (SK_WMEM_MAX) */

struct neighbour {
	int ifindex;
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	uint8_t state;
	uint8_t probes;			/* neigh->probes: INCOMPLETE's count starts at ucast_probes */
	uint64_t updated_ns;
	uint64_t timer_ns;		/* INCOMPLETE: the next solicitation, or FAILED; 0 none */
	struct sk_buff_head arp_queue;	/* packets waiting for resolution */
	uint32_t arp_queue_len_bytes;	/* their truesize */
	/* The queued skbs' ids in queue order, ids[ids_head..+qlen): a traced
	 * replay lists them on every change, and walking the skbs themselves
	 * (cold memory) was a twentieth of it. NULL: walk the queue instead. */
	uint64_t *ids;
	uint32_t ids_head, ids_cap;
	uint16_t gc_prev, gc_next;	/* the gc_list (creation order), index + 1; 0 ends it */
	uint8_t used;			/* in the table (a removed entry's slot is free) */
	uint8_t exempt;			/* PERMANENT: not on the gc_list, not counted */
};

/* arp_queue's tail and head, with the ids kept beside them: from when
 * the queue starts empty with the trace on (an untraced replay never
 * lists them, and allocates nothing for them). */
static void neigh_queue_tail(struct net *net, struct neighbour *n, struct sk_buff *skb)
{
	uint32_t len = skb_queue_len(&n->arp_queue);
	skb_queue_tail(&n->arp_queue, skb);
	if (!len)
		n->ids_head = 0;
	if (n->ids && n->ids_head + len == n->ids_cap && n->ids_head) {
		memmove(n->ids, n->ids + n->ids_head, len * sizeof(*n->ids));
		n->ids_head = 0;
	}
	if ((!n->ids && !len && trace_on(net)) || (n->ids && len == n->ids_cap)) {
		uint32_t cap = n->ids_cap ? 2 * n->ids_cap : 16;
		uint64_t *b = realloc(n->ids, cap * sizeof(*b));
		if (!b) {		/* the list is walked instead */
			free(n->ids);
			n->ids = NULL;
			n->ids_cap = 0;
			return;
		}
		n->ids = b;
		n->ids_cap = cap;
	}
	if (n->ids)
		n->ids[n->ids_head + len] = skb->id;
}

static struct sk_buff *neigh_queue_head(struct neighbour *n)
{
	struct sk_buff *skb = skb_dequeue(&n->arp_queue);
	if (skb && n->ids)
		n->ids_head++;
	return skb;
}

#define NEIGH_HASH		2048		/* buckets: a power of two */

/* The entries, and a chained hash over (ifindex, ip) as neigh_lookup's
 * hash in Linux: a replay asks for a neighbour on every transmit, and a
 * scan of 256 entries was a tenth of an untraced replay. Links are entry
 * index + 1, 0 ending a chain. */
struct neigh_table {
	struct neighbour e[NEIGH_MAX];
	int n;				/* slots ever used; e[n..] never were */
	uint16_t head[NEIGH_HASH];
	uint16_t next[NEIGH_MAX];
	uint16_t gc_head, gc_tail;	/* learned entries, oldest first (index + 1) */
	int gc_entries;			/* learned (non-PERMANENT) entries */
	uint64_t last_flush_ns;		/* the last forced GC */
	uint64_t next_timer_ns;		/* the earliest entry's timer_ns, 0 none */
};

static unsigned neigh_hash(int ifindex, uint32_t ip)
{
	uint32_t h = (ip ^ (uint32_t)ifindex * 0x85ebca6bu) * 0x9e3779b1u;
	return h >> 21;			/* the top 11 bits: NEIGH_HASH buckets */
}

static void neigh_hash_link(struct neigh_table *t, struct neighbour *n)
{
	unsigned b = neigh_hash(n->ifindex, n->ip);
	uint16_t i = (uint16_t)(n - t->e);
	t->next[i] = t->head[b];
	t->head[b] = (uint16_t)(i + 1);
}

static void neigh_hash_unlink(struct neigh_table *t, struct neighbour *n)
{
	uint16_t *link = &t->head[neigh_hash(n->ifindex, n->ip)];
	uint16_t i = (uint16_t)(n - t->e);
	while (*link && *link != i + 1)
		link = &t->next[*link - 1];
	if (*link)
		*link = t->next[i];
}

static struct neigh_table *tbl(struct net *net)
{
	if (!net->arp_tbl)
		net->arp_tbl = calloc(1, sizeof(struct neigh_table));
	return net->arp_tbl;
}

static struct neighbour *neigh_find(struct neigh_table *t, int ifindex, uint32_t ip)
{
	if (!t)
		return NULL;
	for (uint16_t k = t->head[neigh_hash(ifindex, ip)]; k; k = t->next[k - 1])
		if (t->e[k - 1].ifindex == ifindex && t->e[k - 1].ip == ip)
			return &t->e[k - 1];
	return NULL;
}

static void neigh_purge(struct net *net, struct neighbour *n, enum skb_drop_reason why)
{
	struct sk_buff *skb;
	while ((skb = neigh_queue_head(n)))
		kfree_skb_reason(net, skb, why);
	n->arp_queue_len_bytes = 0;
}

static void gc_link(struct neigh_table *t, struct neighbour *n)
{
	uint16_t i = (uint16_t)(n - t->e + 1);
	n->gc_prev = t->gc_tail;
	n->gc_next = 0;
	*(t->gc_tail ? &t->e[t->gc_tail - 1].gc_next : &t->gc_head) = i;
	t->gc_tail = i;
	t->gc_entries++;
}

static void gc_unlink(struct neigh_table *t, struct neighbour *n)
{
	*(n->gc_prev ? &t->e[n->gc_prev - 1].gc_next : &t->gc_head) = n->gc_next;
	*(n->gc_next ? &t->e[n->gc_next - 1].gc_prev : &t->gc_tail) = n->gc_prev;
	n->gc_prev = n->gc_next = 0;
	t->gc_entries--;
}

/* neigh_remove_one: out of the table; the fold hears it as "removed". */
static void neigh_remove(struct net *net, struct neigh_table *t, struct neighbour *n)
{
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		const struct net_device *d = dev_get_by_index(net, n->ifindex);
		jw_key(a, "neigh");
		jw_obj_open(a);
		jw_kv_str(a, "dev", d ? d->name : "?");
		jw_kv_str(a, "ip", ip_fmt(n->ip));
		jw_kv_str(a, "state", "removed");
		jw_obj_close(a);
	}
	trace_step(net, NULL, "neigh_forced_gc", "%s (%s, idle since %.1f s ago): removed", ip_fmt(n->ip),
		   neigh_nud_name((enum nud_state)n->state), (double)(net->now_ns - n->updated_ns) / 1e9);
	neigh_purge(net, n, SKB_DROP_REASON_NEIGH_DEAD);
	neigh_hash_unlink(t, n);
	gc_unlink(t, n);
	free(n->ids);
	memset(n, 0, sizeof(*n));
}

/* neigh_forced_gc: idle learned entries (no timer: refcnt 1) that FAILED
 * or were not updated in the last 5 s, oldest first, until gc_thresh2
 * remain. Returns how many went. */
static int neigh_forced_gc(struct net *net, struct neigh_table *t)
{
	int max_clean = t->gc_entries - NEIGH_GC_THRESH2, shrunk = 0;
	uint64_t tref = net->now_ns > NEIGH_GC_FLUSH_NS ? net->now_ns - NEIGH_GC_FLUSH_NS : 0;
	for (uint16_t k = t->gc_head, nx; k && shrunk < max_clean; k = nx) {
		struct neighbour *n = &t->e[k - 1];
		nx = n->gc_next;
		if (!n->timer_ns && (n->state == NUD_FAILED || n->updated_ns < tref)) {
			neigh_remove(net, t, n);
			shrunk++;
		}
	}
	t->last_flush_ns = net->now_ns;
	return shrunk;
}

/* neigh_alloc: a slot for a new entry (learned: counted against the
 * thresholds; PERMANENT ones are exempt). NULL when the table overflows. */
static struct neighbour *neigh_alloc(struct net *net, struct neigh_table *t, int exempt)
{
	int entries = t->gc_entries;
	if (!exempt && (entries >= NEIGH_GC_THRESH3 || (entries >= NEIGH_GC_THRESH2 &&
							  net->now_ns > t->last_flush_ns + NEIGH_GC_FLUSH_NS))) {
		if (!neigh_forced_gc(net, t) && entries >= NEIGH_GC_THRESH3)
			return NULL;		/* "neighbor table overflow!" */
	}
	struct neighbour *n = NULL;
	if (t->n < NEIGH_MAX)
		n = &t->e[t->n++];
	else
		for (int i = 0; i < t->n && !n; i++)
			n = t->e[i].used ? NULL : &t->e[i];
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	skb_queue_head_init(&n->arp_queue);
	n->used = 1;
	n->updated_ns = net->now_ns;
	n->exempt = (uint8_t)!!exempt;
	if (!exempt)
		gc_link(t, n);
	return n;
}

/* The entry for ip on dev, created (state NONE) if missing; NULL if full. */
static struct neighbour *neigh_create(struct net *net, int ifindex, uint32_t ip, int exempt)
{
	struct neigh_table *t = tbl(net);
	struct neighbour *n;
	if (!t)
		return NULL;
	if ((n = neigh_find(t, ifindex, ip)))
		return n;
	if (!(n = neigh_alloc(net, t, exempt)))
		return NULL;
	n->ifindex = ifindex;
	n->ip = ip;
	neigh_hash_link(t, n);
	n->state = NUD_NONE;
	memset(n->mac, 0, ETH_ALEN);
	return n;
}

static struct neighbour *neigh_get(struct net *net, int ifindex, uint32_t ip)
{
	return neigh_create(net, ifindex, ip, 0);
}

int neigh_add_static(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN])
{
	struct neighbour *n = neigh_create(net, dev->ifindex, ip, 1);
	if (!n)
		return -1;
	if (!n->exempt) {		/* a learned entry made PERMANENT leaves the gc_list */
		gc_unlink(net->arp_tbl, n);
		n->exempt = 1;
	}
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = NUD_PERMANENT;
	n->updated_ns = net->now_ns;
	return 0;
}

static int nud_valid(uint8_t st)
{
	return st == NUD_REACHABLE || st == NUD_STALE || st == NUD_PERMANENT;
}

/* neigh_update's last step: the entry just became valid, so what waited
 * in its arp_queue leaves now, in order, through the ordinary output. */
static void neigh_flush_queue(struct net *net, struct net_device *dev, struct neighbour *n)
{
	struct sk_buff_head q;
	struct sk_buff *skb;
	uint32_t ip = n->ip, held = skb_queue_len(&n->arp_queue);

	if (!held)
		return;
	skb_queue_head_init(&q);	/* taken whole: output must not find them again */
	while ((skb = neigh_queue_head(n)))
		skb_queue_tail(&q, skb);
	n->arp_queue_len_bytes = 0;
	neigh_trace_entry(net, dev, ip);	/* the fold's fact: the queue is empty now */
	trace_step(net, NULL, "neigh_update", "%s resolved: sending the %u packet(s) held in arp_queue", ip_fmt(ip),
		   held);
	while ((skb = skb_dequeue(&q))) {
		skb->pkt = net->cur_pkt;	/* sent because of what resolved it */
		neigh_output(net, skb, dev, ip);
	}
}

int __neigh_update(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN],
		   enum nud_state state)
{
	struct neighbour *n = neigh_get(net, dev->ifindex, ip);
	if (!n || n->state == NUD_PERMANENT)
		return 0;
	int was_valid = nud_valid(n->state);
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = (uint8_t)state;
	n->updated_ns = net->now_ns;
	return !was_valid && nud_valid(n->state);
}

void neigh_flush(struct net *net, struct net_device *dev, uint32_t ip)
{
	struct neighbour *n = neigh_find(net->arp_tbl, dev->ifindex, ip);
	if (n && nud_valid(n->state))
		neigh_flush_queue(net, dev, n);
}

void neigh_update(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN],
		  enum nud_state state)
{
	if (__neigh_update(net, dev, ip, mac, state))
		neigh_flush(net, dev, ip);
}

const uint8_t *neigh_lookup(struct net *net, const struct net_device *dev, uint32_t ip)
{
	struct neighbour *n = neigh_find(net->arp_tbl, dev->ifindex, ip);
	return n && nud_valid(n->state) ? n->mac : NULL;
}

int __neigh_lookup(struct net *net, const struct net_device *dev, uint32_t ip)
{
	struct neighbour *n = neigh_find(net->arp_tbl, dev->ifindex, ip);
	return n && n->state != NUD_NONE;
}

void neigh_for_each(struct net *net, void (*fn)(void *, const struct net_device *, uint32_t,
						const uint8_t *, enum nud_state), void *ctx)
{
	struct neigh_table *t = net->arp_tbl;
	for (int i = 0; t && i < t->n; i++)
		if (t->e[i].state != NUD_NONE)
			fn(ctx, dev_get_by_index(net, t->e[i].ifindex), t->e[i].ip, t->e[i].mac,
			   (enum nud_state)t->e[i].state);
}

/* An entry's arp_queue: what waits for resolution, every skb by id (the
 * queue is bounded by unres_qlen_bytes, so the list is too). */
static void neigh_queue_args(struct jw *a, const struct neighbour *n)
{
	jw_kv_uint(a, "queued", skb_queue_len(&n->arp_queue));
	jw_kv_uint(a, "queued_bytes", n->arp_queue_len_bytes);
	jw_key(a, "queued_skbs");
	jw_arr_open(a);
	if (n->ids) {
		for (uint32_t i = 0; i < skb_queue_len(&n->arp_queue); i++)
			jw_val_uint(a, n->ids[n->ids_head + i]);
	} else {
		for (const struct sk_buff *skb = n->arp_queue.next; skb != (const struct sk_buff *)&n->arp_queue;
		     skb = skb->next)
			jw_val_uint(a, skb->id);
	}
	jw_arr_close(a);
}

static void neigh_entry_args(struct jw *a, const struct net_device *dev, uint32_t ip, const uint8_t *mac,
			     enum nud_state st, const struct neighbour *n)
{
	jw_obj_open(a);
	jw_kv_str(a, "dev", dev ? dev->name : "?");
	jw_kv_str(a, "ip", ip_fmt(ip));
	jw_kv_str(a, "mac", st == NUD_INCOMPLETE ? "(incomplete)" : mac_fmt(mac));
	jw_kv_str(a, "state", neigh_nud_name(st));
	if (n)
		neigh_queue_args(a, n);
	jw_obj_close(a);
}

/* The entry that changed (with its arp_queue), and the table's size, as
 * the next event's args: the whole table on every event made ARP-heavy
 * traces mostly table dumps; the state panels rebuild the table from these
 * per-entry changes. */
void neigh_trace_entry(struct net *net, const struct net_device *dev, uint32_t ip)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	struct neigh_table *t = net->arp_tbl;
	const struct neighbour *e = neigh_find(t, dev->ifindex, ip);
	const struct net_device *d = e && e->state != NUD_NONE ? dev_get_by_index(net, e->ifindex) : NULL;
	int n = 0;
	/* the entry, then the count of entries neigh_for_each would visit:
	 * found by hash, counted without a call per entry (runs per event) */
	if (d) {
		jw_key(a, "neigh");
		neigh_entry_args(a, d, e->ip, e->mac, (enum nud_state)e->state, e);
	}
	for (int i = 0; t && i < t->n; i++)
		n += t->e[i].state != NUD_NONE;
	jw_kv_int(a, "entries", n);
}

void neigh_table_exit(struct net *net)
{
	struct neigh_table *t = net->arp_tbl;
	for (int i = 0; t && i < t->n; i++) {
		if (!t->e[i].used)
			continue;		/* removed: nothing held */
		skb_queue_purge(net, &t->e[i].arp_queue);	/* quietly: the host is going away */
		free(t->e[i].ids);
	}
	free(t);
	net->arp_tbl = NULL;
}

/* arp_mc_map's broadcast case: 255.255.255.255 and dev's subnet
 * broadcast addresses need no resolution. */
static int neigh_is_broadcast(const struct net_device *dev, uint32_t ip)
{
	if (ipv4_is_lbcast(ip))
		return 1;
	for (int j = 0; j < dev->naddrs; j++) {
		int plen = dev->addrs[j].ifa_prefixlen;
		uint32_t m = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
		if (plen < 31 && ip == (dev->addrs[j].ifa_local | ~m))
			return 1;
	}
	return 0;
}

/* Notes n's deadline for neigh_run_timers (the replay's clock). */
static void neigh_arm(struct net *net, struct neighbour *n, uint64_t when)
{
	struct neigh_table *t = net->arp_tbl;
	n->timer_ns = when;
	if (t && when && (!t->next_timer_ns || when < t->next_timer_ns))
		t->next_timer_ns = when;
}

/* neigh_probe: a request for n, its source taken from the newest held
 * packet (arp_solicit's skb, skb_peek_tail). */
static void neigh_probe(struct net *net, struct net_device *dev, struct neighbour *n)
{
	struct sk_buff *held = skb_queue_len(&n->arp_queue) ? n->arp_queue.prev : NULL;
	n->probes++;
	arp_solicit(net, dev, n->ip, held);
}

/* __neigh_event_send for an unresolved entry: NONE or FAILED starts
 * resolving (INCOMPLETE, a request at once, the timer a second on); skb
 * is held in arp_queue, the oldest held packets making room past
 * unres_qlen_bytes. An entry already INCOMPLETE only holds it: its timer
 * solicits again. */
static int __neigh_event_send(struct net *net, struct neighbour *n, struct net_device *dev, struct sk_buff *skb)
{
	struct sk_buff *old;
	int probe = n->state != NUD_INCOMPLETE;

	if (probe) {
		n->state = NUD_INCOMPLETE;
		n->updated_ns = net->now_ns;
		n->probes = NEIGH_UCAST_PROBES;		/* a first resolution skips the unicast probes */
		neigh_arm(net, n, net->now_ns + NEIGH_RETRANS_TIME_NS);
	}
	while (n->arp_queue_len_bytes + skb->truesize > NEIGH_QUEUE_LEN_BYTES &&
	       (old = neigh_queue_head(n))) {
		n->arp_queue_len_bytes -= old->truesize;
		SNMP_INC(net, MIB_ARP_UNRESOLVED_DISCARDS);	/* arp_cache unres_discards */
		trace_step(net, old, "__neigh_event_send", "arp_queue for %s full (unres_qlen_bytes %u): oldest "
			   "packet dropped", ip_fmt(n->ip), NEIGH_QUEUE_LEN_BYTES);
		kfree_skb_reason(net, old, SKB_DROP_REASON_NEIGH_QUEUEFULL);
	}
	neigh_queue_tail(net, n, skb);
	n->arp_queue_len_bytes += skb->truesize;
	neigh_trace_entry(net, dev, n->ip);
	trace_step(net, skb, "__neigh_event_send", "held in arp_queue for %s (%u packet(s), %u of %u bytes)",
		   ip_fmt(n->ip), skb_queue_len(&n->arp_queue), n->arp_queue_len_bytes, NEIGH_QUEUE_LEN_BYTES);
	if (probe)
		neigh_probe(net, dev, n);
	return NET_RX_SUCCESS;
}

/* neigh_invalidate → arp_error_report: each held packet's sender is told
 * (ipv4_link_failure: host unreachable) and the packet freed. What comes
 * meanwhile (an error may restart resolution) is purged after. */
static void neigh_invalidate(struct net *net, struct neighbour *n)
{
	struct sk_buff *skb;
	while (n->state == NUD_FAILED && (skb = neigh_queue_head(n))) {
		n->arp_queue_len_bytes -= skb->truesize;
		skb->pkt = -1;
		trace_step(net, skb, "arp_error_report", "%s did not answer: the held packet is dropped", ip_fmt(n->ip));
		ipv4_link_failure(net, skb);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NEIGH_FAILED);
	}
	neigh_purge(net, n, SKB_DROP_REASON_NEIGH_FAILED);
}

/* neigh_timer_handler for an INCOMPLETE entry whose timer is due: solicit
 * again, or after ucast_probes + mcast_probes give up (FAILED). Timer work:
 * the held packets' own outcomes were told when they were queued. */
static void neigh_timer_handler(struct net *net, struct neighbour *n)
{
	struct net_device *dev = dev_get_by_index(net, n->ifindex);
	n->timer_ns = 0;
	if (n->state != NUD_INCOMPLETE || !dev)
		return;
	int failed = n->probes >= NEIGH_UCAST_PROBES + NEIGH_MCAST_PROBES;
	if (failed) {
		n->state = NUD_FAILED;
		n->updated_ns = net->now_ns;
	}
	trace_enter(net, NULL, "neigh_timer_handler", "link", "%s: INCOMPLETE%s", ip_fmt(n->ip),
		    failed ? " → FAILED" : ", still");
	neigh_trace_entry(net, dev, n->ip);
	if (!failed) {
		neigh_arm(net, n, net->now_ns + NEIGH_RETRANS_TIME_NS);
		trace_step(net, NULL, "neigh_probe", "solicitation %u of %u", n->probes + 1 - NEIGH_UCAST_PROBES,
			   NEIGH_MCAST_PROBES);
		neigh_probe(net, dev, n);
		trace_exit(net, NULL, V_SENT, 0, "%s", "");
		return;
	}
	trace_step(net, NULL, "neigh_invalidate", "%s: no answer to %u solicitations: FAILED", ip_fmt(n->ip),
		   NEIGH_MCAST_PROBES);
	int held = (int)skb_queue_len(&n->arp_queue);
	neigh_invalidate(net, n);
	neigh_trace_entry(net, dev, n->ip);	/* the fold's fact: the queue is empty now */
	if (held)
		trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_NEIGH_FAILED, "%d held packet(s) dropped", held);
	else
		trace_exit(net, NULL, V_PASS, 0, "nothing was waiting for it");
}

static void arp_run_timers(struct net *net)
{
	struct neigh_table *t = net->arp_tbl;
	if (!t || !t->next_timer_ns || t->next_timer_ns > net->now_ns)
		return;
	t->next_timer_ns = 0;
	for (int i = 0; i < t->n; i++) {
		struct neighbour *n = &t->e[i];
		if (n->timer_ns && n->timer_ns <= net->now_ns)
			neigh_timer_handler(net, n);
		if (n->timer_ns && (!t->next_timer_ns || n->timer_ns < t->next_timer_ns))
			t->next_timer_ns = n->timer_ns;
	}
}

void neigh_run_timers(struct net *net)
{
	arp_run_timers(net);
	ndisc_run_timers(net);
	sock_app_wakeups(net);	/* a failure freed what a sender waited on */
}

uint64_t neigh_next_timer(const struct net *net)
{
	uint64_t a = net->arp_tbl ? net->arp_tbl->next_timer_ns : 0, b = ndisc_next_timer(net);
	return !a ? b : !b || a < b ? a : b;
}

/* neigh_resolve_output: no usable address yet. */
static int neigh_resolve_output(struct net *net, struct sk_buff *skb, struct net_device *dev, uint32_t nexthop)
{
	struct neighbour *n = neigh_get(net, dev->ifindex, nexthop);

	trace_step(net, skb, "neigh_resolve_output", "%s is not in the neighbour table", ip_fmt(nexthop));
	if (!n) {
		trace_step(net, skb, "__neigh_create", "neighbor table overflow: %d learned entries, gc_thresh3 %d, "
			   "none idle long enough for neigh_forced_gc to remove", net->arp_tbl ? net->arp_tbl->gc_entries : 0,
			   NEIGH_GC_THRESH3);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NEIGH_CREATEFAIL);
		return NET_RX_DROP;
	}
	return __neigh_event_send(net, n, dev, skb);
}

/* neigh_direct_output: arp_constructor makes a device without header_ops
 * (tun) a NUD_NOARP entry whose output is the device itself, header-less. */
int neigh_direct_output(struct net *net, struct sk_buff *skb, struct net_device *dev, const char *nexthop)
{
	skb_reset_mac_header(skb);
	skb->dev = dev;
	trace_step(net, skb, "neigh_direct_output", "%s has no link-layer header (NOARP): the packet goes to %s as it "
		   "is, for %s", dev->name, dev->name, nexthop);
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}

int neigh_output(struct net *net, struct sk_buff *skb, struct net_device *dev, uint32_t nexthop)
{
	trace_enter(net, skb, "neigh_output", "link", "next hop %s on %s", ip_fmt(nexthop), dev->name);
	if (!dev_has_header(dev))
		return neigh_direct_output(net, skb, dev, ip_fmt(nexthop));
	/* lo is IFF_NOARP (arp_constructor: NUD_NOARP, its own all-zero address) */
	const uint8_t *mac = dev_is_loopback(dev)		? dev->dev_addr
			     : neigh_is_broadcast(dev, nexthop) ? dev->broadcast
								: neigh_lookup(net, dev, nexthop);
	if (!mac)
		return trace_ret(net, neigh_resolve_output(net, skb, dev, nexthop));
	struct ethhdr *eth = (struct ethhdr *)skb_push(skb, ETH_HLEN);
	memcpy(eth->h_dest, mac, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	skb->dev = dev;
	trace_step(net, skb, "neigh_hh_output", "%s is at %s", ip_fmt(nexthop), mac_fmt(mac));
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}

/* -- the NUD state machine (neigh_timer_handler, __neigh_event_send,
 * __neigh_update), shared with the IPv6 table -- */

const char *neigh_nud_name(int st)
{
	static const char *nud[] = { "NONE", "INCOMPLETE", "REACHABLE", "STALE", "PERMANENT", "DELAY", "PROBE",
				     "FAILED" };
	return st >= 0 && st <= NUD_FAILED ? nud[st] : "?";
}

int neigh_nud_valid(int st)
{
	return st == NUD_REACHABLE || st == NUD_STALE || st == NUD_PERMANENT || st == NUD_DELAY || st == NUD_PROBE;
}

static int nud_in_timer(int st)
{
	return st == NUD_INCOMPLETE || st == NUD_REACHABLE || st == NUD_DELAY || st == NUD_PROBE;
}

static int nud_connected(int st)
{
	return st == NUD_REACHABLE || st == NUD_PERMANENT;
}

int neigh_nud_event_send(struct neigh_nud *n, uint64_t now)
{
	n->used_ns = now;
	if (nud_connected(n->state) || n->state == NUD_DELAY || n->state == NUD_PROBE)
		return 0;
	if (n->state == NUD_STALE) {
		n->state = NUD_DELAY;
		n->updated_ns = now;
		n->timer_ns = now + NEIGH_DELAY_PROBE_NS;
		return 0;
	}
	if (n->state == NUD_INCOMPLETE)
		return 0;			/* the timer solicits again */
	n->probes = NEIGH_UCAST_PROBES;		/* a first resolution skips the unicast probes */
	n->state = NUD_INCOMPLETE;
	n->updated_ns = now;
	n->timer_ns = now + NEIGH_RETRANS_TIME_NS;
	n->probes++;				/* neigh_probe, at once */
	return 1;
}

/* REACHABLE and DELAY age by the last confirmation and the last use. */
static uint64_t nud_age(struct neigh_nud *n, uint64_t now)
{
	if (n->state == NUD_REACHABLE) {
		if (now <= n->confirmed_ns + NEIGH_REACHABLE_TIME_NS)
			return n->confirmed_ns + NEIGH_REACHABLE_TIME_NS;
		n->updated_ns = now;
		if (now <= n->used_ns + NEIGH_DELAY_PROBE_NS) {
			n->state = NUD_DELAY;
			return now + NEIGH_DELAY_PROBE_NS;
		}
		n->state = NUD_STALE;
		return 0;
	}
	if (n->state == NUD_DELAY) {
		n->updated_ns = now;
		if (now <= n->confirmed_ns + NEIGH_DELAY_PROBE_NS) {
			n->state = NUD_REACHABLE;
			return n->confirmed_ns + NEIGH_REACHABLE_TIME_NS;
		}
		n->state = NUD_PROBE;
		n->probes = 0;
	}
	return now + NEIGH_RETRANS_TIME_NS;
}

enum neigh_timer_act neigh_nud_timer(struct neigh_nud *n, uint64_t now)
{
	if (!nud_in_timer(n->state)) {
		n->timer_ns = 0;
		return NEIGH_TIMER_NONE;
	}
	uint64_t next = nud_age(n, now);
	int resolving = n->state == NUD_INCOMPLETE || n->state == NUD_PROBE;
	int max = NEIGH_UCAST_PROBES + (n->state == NUD_PROBE ? 0 : NEIGH_MCAST_PROBES);	/* mcast_resolicit 0 */
	if (resolving && n->probes >= max) {
		n->state = NUD_FAILED;
		n->updated_ns = now;
		n->timer_ns = 0;
		return NEIGH_TIMER_FAILED;
	}
	n->timer_ns = nud_in_timer(n->state) ? (next > now ? next : now + 1) : 0;
	if (!resolving)
		return NEIGH_TIMER_NONE;
	n->probes++;
	return NEIGH_TIMER_PROBE;
}

/* __neigh_update for a message (not an administrator): the checks and
 * the override rules, in the kernel's order. */
int neigh_nud_update(struct neigh_nud *n, const uint8_t *ha, const uint8_t *lladdr, int new_state, int flags,
		     uint64_t now, const char **why)
{
	int old = n->state;
	if (old == NUD_PERMANENT)
		return *why = "a permanent entry is not changed", -1;
	if (!lladdr) {
		if (!neigh_nud_valid(old))
			return *why = "no link-layer address for an unresolved entry", -1;
		lladdr = ha;
	}
	int same = !memcmp(lladdr, ha, ETH_ALEN) && neigh_nud_valid(old);
	int isrouter = flags & NEIGH_UPDATE_F_OVERRIDE_ISROUTER;
	if (nud_connected(new_state))
		n->confirmed_ns = now;
	if (neigh_nud_valid(old)) {
		if (!same && !(flags & NEIGH_UPDATE_F_OVERRIDE)) {
			if (!(flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) || !nud_connected(old))
				return *why = "a different address without the override flag: kept", -1;
			isrouter = 0;
			same = 1;		/* keep the address, doubt it */
			new_state = NUD_STALE;
		} else if (same && new_state == NUD_STALE) {
			new_state = old;	/* nothing new: no downgrade */
		}
	}
	if (isrouter)
		n->router = !!(flags & NEIGH_UPDATE_F_ISROUTER);
	if (new_state != old || !same)
		n->updated_ns = now;
	if (new_state != old) {
		n->timer_ns = nud_in_timer(new_state) ? now + (new_state == NUD_REACHABLE ? NEIGH_REACHABLE_TIME_NS : 0) : 0;
		if (new_state == NUD_PROBE)
			n->probes = 0;
		n->state = (uint8_t)new_state;
	}
	if (!same && !nud_connected(new_state))
		n->confirmed_ns = now > 2 * NEIGH_REACHABLE_TIME_NS ? now - 2 * NEIGH_REACHABLE_TIME_NS : 0;
	return (same ? 0 : NEIGH_UPDATE_LLADDR) | (!neigh_nud_valid(old) && neigh_nud_valid(new_state) ?
						    NEIGH_UPDATE_VALID : 0);
}
