/*
 * events.h - the event schema (version 1, documented in docs/events.md):
 * serialising trace events to JSON lines, and the per-packet outcome rule
 * shared by the terminal printer, the golden summaries and the store.
 */
#ifndef NJ_TRACE_EVENTS_H
#define NJ_TRACE_EVENTS_H

#include "jsonw.h"
#include "netns.h"

/* event_to_json - ev as one JSON object (no newline), appended to w. */
void event_to_json(struct jw *w, const struct trace_event *ev);

/* A metadata line ("ph":"M"): trace_start / trace_end. */
void event_meta_start(struct jw *w, const char *source, const char *scenario_json, const char *kernel);
/* event_meta_start_net - the same, with the host as the stack holds it
 * when net is not NULL: "fib" and "rules" (docs/events.md). */
void event_meta_start_net(struct jw *w, const char *source, const char *scenario_json, const char *kernel,
			  struct net *net);
void event_meta_end(struct jw *w, const struct net *net, int complete, uint64_t events, uint64_t packets,
		    const char *error);


#endif
