/*
 * store_scan.h - the store's fast line scanner: the fields of one JSONL
 * event line that the index needs, read in the writer's fixed field order
 * (trace/events.c) without building a JSON tree. Internal to store.c.
 */
#ifndef NJ_TRACE_STORE_SCAN_H
#define NJ_TRACE_STORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define SCAN_NAME_MAX	64
#define SCAN_MIB_MAX	32

struct scan_ev {
	uint64_t seq, parent, ts_ns;
	int64_t pkt, skb;		/* -1 = null */
	int depth;
	char ph;
	char fn[SCAN_NAME_MAX], layer[SCAN_NAME_MAX];
	int verdict;			/* enum nj_verdict, 0 when absent */
	int reason;			/* enum skb_drop_reason, 0 when absent or null */
	struct trace_mib_delta mib[SCAN_MIB_MAX];
	int n_mib;
};

/**
 * scan_event_line - fills ev from an event line written by event_to_json.
 * Returns 0, or -1 when the line is not in that exact shape (a metadata
 * line, another writer's field order, escapes in a name, an unknown
 * verdict/reason/counter, more than SCAN_MIB_MAX counters): the caller
 * then parses it with cJSON. Never reads past line + len.
 */
int scan_event_line(const char *line, size_t len, struct scan_ev *ev);

#endif
