/*
 * whatif.h - one capture replayed under two scenarios, A and B, and the
 * packets whose journeys end differently: for each, both outcomes and where
 * the two call paths part. Used by `netjourney diff`, the browser's What
 * if… view and step's `diff`. Replay is deterministic, so the same
 * scenario twice differs nowhere.
 */
#ifndef NJ_WHATIF_WHATIF_H
#define NJ_WHATIF_WHATIF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netns.h"

#define WHATIF_PATH_MAX 4096	/* steps kept per packet; a longer journey is cut (said so) */

/* One step of a journey: a function entered (B) or a step inside one (i). */
struct whatif_step {
	uint16_t fn;			/* index into whatif_run.names */
	uint8_t depth;
	char ph;
};

/* A packet's journey in one run. */
struct whatif_pkt {
	struct whatif_step *path;
	uint32_t n, cap;
	int cut;			/* more than WHATIF_PATH_MAX steps */
	enum nj_verdict verdict;
	enum skb_drop_reason reason;
	const char *fn;			/* the function that decided (NULL: kfree_skb) */
};

struct whatif_run {
	const char *label;		/* "A", "B" */
	struct whatif_pkt *pkts;	/* index: capture packet number - 1 */
	size_t npkts;			/* slots allocated */
	size_t packets;			/* the highest packet number seen */
	const char **names;		/* interned function names */
	size_t nnames, cap_names;
	uint64_t mib[MIB_MAX];		/* the counters at the end */
	char scenario_name[64];
};

struct whatif_cfg {
	const char *pcap;
	const char *scenario_a, *scenario_b;	/* files; NULL = the default host */
	const char *const *sets_a;		/* edits to A (B gets them too) */
	int nsets_a;
	const char *const *sets_b;		/* edits that make B */
	int nsets_b;
	int no_csum;
	volatile int *stop;
};

/**
 * whatif_run_both - replays cfg->pcap under A and under B into a and b.
 * Returns 0, or -1 with err set (bad scenario or edit, unreadable capture).
 * Free both with whatif_run_free, also after a failure.
 */
int whatif_run_both(const struct whatif_cfg *cfg, struct whatif_run *a, struct whatif_run *b, char *err,
		    size_t errlen);
void whatif_run_free(struct whatif_run *r);

/* whatif_pkt_differs - the packet's outcome (verdict, reason, deciding
 * function) is not the same in a and b; i is 0-based. */
int whatif_pkt_differs(const struct whatif_run *a, const struct whatif_run *b, size_t i);

/*
 * whatif_part - where packet i's two journeys part: the index of the first
 * step that differs (or the shorter length), and the function whose frame
 * holds it in both runs (NULL when they part at the top level).
 */
size_t whatif_part(const struct whatif_run *a, const struct whatif_run *b, size_t i, const char **where);

/* whatif_packets - how many packets the two runs saw. */
static inline size_t whatif_packets(const struct whatif_run *a, const struct whatif_run *b)
{
	return a->packets > b->packets ? a->packets : b->packets;
}

/* whatif_json - the report as JSON (docs/whatif.md), every differing
 * packet with both paths; NULL when out of memory. The caller frees it
 * with cJSON_Delete. (A cJSON *; void * keeps cJSON out of this header.) */
void *whatif_json(const struct whatif_run *a, const struct whatif_run *b);

/* whatif_print_pkt - packet i's two outcomes and where its journeys part,
 * as text; whatif_print_counters - the counters that end differently. */
void whatif_print_pkt(FILE *out, const struct whatif_run *a, const struct whatif_run *b, size_t i);
void whatif_print_counters(FILE *out, const struct whatif_run *a, const struct whatif_run *b);

/* whatif_fn - the name of a step's function. */
static inline const char *whatif_fn(const struct whatif_run *r, const struct whatif_step *s)
{
	return r->names[s->fn];
}

#endif
