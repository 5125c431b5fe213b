/*
 * trace_outcome.c - a packet's outcome, read from its events: the verdict
 * an event implies (trace_outcome) and the table of packets seen since the
 * last flush (outcome_track). Not in Linux, which has no notion of a
 * packet's fate: this is the tool's reading of the trace. The terminal
 * sink keeps a table from the events it receives; the lite mode of
 * `replay --no-trace` fills one with no events at all (at the end), so both
 * give the same totals by construction.
 */
#include "netns.h"

#include <string.h>

/* The table's steps inlined into the lite mode's two entry points (and
 * outcome_track): as calls they were a tenth of an untraced replay. */
#define OUTCOME_INLINE static inline __attribute__((always_inline))

/* trace_outcome's rules, inlined into the lite mode's exits. */
OUTCOME_INLINE enum nj_verdict outcome_of(const char *fn, char ph, enum nj_verdict v)
{
	if (ph == 'i')
		return v == V_DROP ? V_DROP : V_NONE;
	if (ph != 'E' || v == V_NONE || v == V_PASS)
		return V_NONE;
	if (v == V_QUEUED)	/* into the backlog: the softirq decides */
		return trace_fn_is(fn, "netif_rx") ? V_NONE : V_QUEUED;
	if (v == V_SENT)	/* a recorded transmit is the packet's fate; */
		return trace_fn_is(fn, "driver_rx") ? V_SENT : V_NONE;	/* a reply leaving is not */
	return v;
}

enum nj_verdict trace_outcome(const char *fn, char ph, enum nj_verdict v)
{
	return outcome_of(fn, ph, v);
}

void outcome_flush(struct outcome_table *t)
{
	for (int i = 0; i < t->nopen; i++) {
		const struct outcome_pkt *p = &t->open[i];
		if (t->closed) {
			t->closed(t->ctx, p);
		} else if (t->verdicts && p->key >= 0) {
			t->verdicts[p->outcome]++;
			if (p->outcome == V_DROP && (unsigned)p->reason < SKB_DROP_REASON_MAX)
				t->drops[p->reason]++;
		}
		if (p->key >= 0) {
			t->done_key[p->key % OUTCOME_DONE] = p->key + 1;
			t->done_v[p->key % OUTCOME_DONE] = (uint8_t)p->outcome;
		}
	}
	t->nopen = 0;
	if (t->flushed)
		*t->flushed = 1;
}

/* A drop on the way out for want of a neighbour (the ARP queue full, ARP
 * failed): of a reply skb, not of the packet it answers. */
static int neigh_drop(enum nj_verdict o, enum skb_drop_reason r)
{
	return o == V_DROP && (r == SKB_DROP_REASON_NEIGH_QUEUEFULL || r == SKB_DROP_REASON_NEIGH_FAILED ||
			       r == SKB_DROP_REASON_NEIGH_DEAD || r == SKB_DROP_REASON_NEIGH_CREATEFAIL);
}

/* The packet had its own fate (it was consumed, delivered, sent ...; a
 * forwarded packet is the skb that waits, so its drop is its fate). */
static int own_fate(uint8_t o)
{
	return o != V_NONE && o != V_DROP && o != V_FORWARDED && o != V_QUEUED;
}

/* 1 when a neighbour drop belongs to a reply of packet key, whose own
 * outcome is settled (still open, or flushed lately): it is not counted. */
static int reply_fate(struct outcome_table *t, int64_t key)
{
	for (int i = t->nopen - 1; i >= 0; i--)
		if (t->open[i].key == key)
			return own_fate((uint8_t)t->open[i].outcome);
	return key >= 0 && t->done_key[key % OUTCOME_DONE] == key + 1 && own_fate(t->done_v[key % OUTCOME_DONE]);
}

/* A packet's entry as it opens: no outcome yet. */
OUTCOME_INLINE struct outcome_pkt *outcome_pkt_init(struct outcome_pkt *p, int64_t key)
{
	p->key = key;
	p->outcome = V_NONE;
	p->reason = SKB_DROP_REASON_NOT_DROPPED_YET;
	p->fn = NULL;
	return p;
}

OUTCOME_INLINE struct outcome_pkt *outcome_open(struct outcome_table *t, int64_t key)
{
	/* Nearly every event belongs to the packet of the one before it. */
	if (t->nopen && t->open[t->nopen - 1].key == key)
		return &t->open[t->nopen - 1];
	for (int i = t->nopen - 1; i >= 0; i--)
		if (t->open[i].key == key)
			return &t->open[i];
	if (t->nopen == OUTCOME_OPEN_MAX)
		outcome_flush(t);
	return outcome_pkt_init(&t->open[t->nopen++], key);
}

/* The key an event counts under (see trace.h), INT64_MIN for none. */
OUTCOME_INLINE int64_t outcome_key(struct outcome_table *t, char ph, int depth, uint64_t seq, int64_t pkt,
				   const char *fn)
{
	if (pkt >= 0)
		return pkt;
	if (depth == 0 && ph == 'B') {
		/* the softirq's name, compared once per pointer (once a run) */
		int rx = fn == t->rx_fn || (trace_fn_is(fn, "net_rx_action") && (t->rx_fn = fn));
		t->timer_root = rx ? 0 : -(int64_t)seq;
	}
	int64_t k = t->timer_root;
	if (depth == 0 && ph == 'E')
		t->timer_root = 0;
	return k ? k : INT64_MIN;
}

OUTCOME_INLINE struct outcome_pkt *track(struct outcome_table *t, char ph, int depth, uint64_t seq, int64_t pkt,
					 const char *fn, enum nj_verdict v, enum skb_drop_reason reason)
{
	int64_t key = outcome_key(t, ph, depth, seq, pkt, fn);
	if (key == INT64_MIN)
		return NULL;
	enum nj_verdict o = outcome_of(fn, ph, v);
	if (neigh_drop(o, reason) && reply_fate(t, key))
		return NULL;	/* the reply's fate, not its packet's second one */
	struct outcome_pkt *p = outcome_open(t, key);
	if (key < 0 && ph == 'E' && depth == 0)
		o = v;			/* timer work ends as its root frame says */
	if (o == V_NONE)
		return p;
	/* A drop is named after the function that freed the skb: the first
	 * E event after the kfree_skb step, not the callers that pass it up. */
	if (o == V_DROP && ph == 'E' && p->outcome == V_DROP && p->reason == reason && p->fn)
		return p;
	p->outcome = o;
	p->reason = reason;
	p->fn = ph == 'i' ? NULL : fn;
	return p;
}

struct outcome_pkt *outcome_track(struct outcome_table *t, char ph, int depth, uint64_t seq, int64_t pkt,
				  const char *fn, enum nj_verdict v, enum skb_drop_reason reason)
{
	return track(t, ph, depth, seq, pkt, fn, v, reason);
}

/*
 * The lite mode (trace.h): a frame stack of fn and packet only, pushed and
 * popped inline (netns.h), which calls here only for what can change the
 * outcome table: a frame at depth 0, one of another packet than its
 * parent's, an exit with a verdict, anything after a flush. Here, so the
 * table's rules are inlined into them. The calls that are common and
 * simple (a packet's frame or exit while its entry is the table's last;
 * the softirq's own frame) are decided first, in functions small enough
 * to save no registers; the rest go on to the general steps (lite_*_track).
 */
static __attribute__((noinline)) void lite_enter_track(struct net *net, int64_t pkt, const char *fn)
{
	struct tracer *tr = &net->tr;
	uint64_t seq = ++tr->next_seq;
	if (tr->depth == 0)
		tr->lite_flushed = 0;	/* the frames below may rely on the table from here */
	track(tr->lite_tbl, 'B', tr->depth, seq, pkt, fn, V_NONE, SKB_DROP_REASON_NOT_DROPPED_YET);
	if (tr->depth < TRACE_MAX_DEPTH) {
		tr->lite_fn[tr->depth] = fn;
		tr->lite_pk[tr->depth] = pkt;
	}
	tr->depth++;
}

void __trace_lite_enter(struct net *net, const struct sk_buff *skb, const char *fn, const char *layer)
{
	struct tracer *tr = &net->tr;
	(void)layer;
	if (!tr->lite)
		return;			/* -f left this packet untraced */
	int64_t pkt = skb ? skb->pkt : net->cur_pkt;
	int d = tr->depth;
	struct outcome_table *t = tr->lite_tbl;
	if ((unsigned)d < TRACE_MAX_DEPTH &&
	    (pkt >= 0 ? t->nopen && t->open[t->nopen - 1].key == pkt : d == 0 && fn == t->rx_fn)) {
		/* track() would change nothing: the packet's entry is there
		 * (the softirq's first frame of a packet), or the softirq
		 * begins (no packet, no timer work: outcome_key) */
		if (d == 0) {
			tr->lite_flushed = 0;
			if (pkt < 0)
				t->timer_root = 0;
		}
	} else if (d == 0 && pkt >= 0 && !t->nopen) {
		/* a packet's first frame after a flush: outcome_open's new entry */
		outcome_pkt_init(&t->open[0], pkt);
		t->nopen = 1;
		tr->lite_flushed = 0;
	} else {
		lite_enter_track(net, pkt, fn);
		return;
	}
	tr->next_seq++;
	tr->lite_fn[d] = fn;
	tr->lite_pk[d] = pkt;
	tr->depth = d + 1;
}

static __attribute__((noinline)) void lite_exit_track(struct net *net, enum nj_verdict v, enum skb_drop_reason reason)
{
	struct tracer *tr = &net->tr;
	if (!tr->lite || tr->depth <= 0)
		return;
	int d = --tr->depth;
	const char *fn = d < TRACE_MAX_DEPTH ? tr->lite_fn[d] : "?";
	int64_t pkt = d < TRACE_MAX_DEPTH ? tr->lite_pk[d] : -1;
	if (d == 0 && pkt < 0 && tr->lite_tbl->timer_root == 0) {
		++tr->next_seq;	/* the softirq's frame: no packet, no timer work to end */
		return;
	}
	track(tr->lite_tbl, 'E', d, ++tr->next_seq, pkt, fn, v,
	      v == V_DROP ? reason : SKB_DROP_REASON_NOT_DROPPED_YET);
}

void __trace_lite_exit(struct net *net, enum nj_verdict v, enum skb_drop_reason reason)
{
	struct tracer *tr = &net->tr;
	int d = tr->depth - 1;
	if (!tr->lite || (unsigned)d >= TRACE_MAX_DEPTH)
		goto general;
	struct outcome_table *t = tr->lite_tbl;
	int64_t pkt = tr->lite_pk[d];
	if (pkt < 0) {
		if (d != 0 || t->timer_root != 0)
			goto general;	/* timer work */
		/* the softirq's frame: no packet, no timer work to end */
	} else {
		/* track() on the packet's entry, the table's last: its verdict,
		 * unless a neighbour's drop (reply_fate decides) */
		if (!t->nopen || t->open[t->nopen - 1].key != pkt)
			goto general;
		struct outcome_pkt *p = &t->open[t->nopen - 1];
		const char *fn = tr->lite_fn[d];
		enum nj_verdict o = outcome_of(fn, 'E', v);
		if (o == V_DROP) {
			if (neigh_drop(o, reason))
				goto general;
			if (p->outcome != V_DROP || p->reason != reason || !p->fn) {
				p->outcome = V_DROP;
				p->reason = reason;
				p->fn = fn;
			}
		} else if (o != V_NONE) {
			p->outcome = o;
			p->reason = SKB_DROP_REASON_NOT_DROPPED_YET;
			p->fn = fn;
		}
	}
	tr->depth = d;
	tr->next_seq++;
	return;
general:
	lite_exit_track(net, v, reason);
}

/* The kfree_skb step: an 'i' event, keyed by the skb's packet. When that
 * packet's entry is the table's last and the reason is no neighbour's,
 * track() would make the entry a drop for reason with no fn (freed here,
 * not named after a function yet): done at once. */
void __trace_lite_kfree(struct net *net, int64_t pkt, enum skb_drop_reason reason)
{
	struct tracer *tr = &net->tr;
	if (!tr->lite)
		return;
	struct outcome_table *t = tr->lite_tbl;
	tr->next_seq++;
	if (pkt >= 0 && !neigh_drop(V_DROP, reason) && t->nopen && t->open[t->nopen - 1].key == pkt) {
		struct outcome_pkt *p = &t->open[t->nopen - 1];
		p->outcome = V_DROP;
		p->reason = reason;
		p->fn = NULL;
		return;
	}
	track(t, 'i', tr->depth, tr->next_seq, pkt, "kfree_skb", V_DROP, reason);
}
