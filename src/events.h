/*
 * events.h - the event schema (version 1, documented in docs/events.md):
 * serialising trace events to JSON lines, and the per-packet outcome rule
 * shared by the terminal printer, the golden summaries and the store.
 */
#ifndef NJ_SRC_EVENTS_H
#define NJ_SRC_EVENTS_H

#include "jsonw.h"
#include "netns.h"

/* event_to_json - ev as one JSON object (no newline), appended to w. */
void event_to_json(struct jw *w, const struct trace_event *ev);

/* A metadata line ("ph":"M"): trace_start / trace_end. */
void event_meta_start(struct jw *w, const char *source, const char *scenario_json, const char *kernel);
void event_meta_end(struct jw *w, const struct net *net, int complete, uint64_t events, uint64_t packets,
		    const char *error);

/*
 * event_outcome - the packet outcome an event implies, or V_NONE: kfree_skb
 * steps and E events whose verdict is a final one (drop, queued, stolen,
 * consumed, delivered, forwarded, sent) — the last such event of a packet
 * is its outcome. netif_rx's "queued" is not an outcome (the softirq
 * follows), nor is anything inside dev_queue_xmit of a reply.
 */
enum nj_verdict event_outcome(const char *fn, char ph, enum nj_verdict v);

#endif
