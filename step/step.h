/*
 * step.h - the engine of `netjourney step` (docs/design.md §7): command parsing,
 * movement over an indexed trace (struct nj_store), breakpoints, and the
 * reconstruction of stack state "as it was" at an event. No terminal I/O
 * here: cmd_step.c reads lines and step_view.c formats; this file's
 * functions are pure over the store so the unit tests can drive them.
 *
 * Every state panel is the one fold's state at the current event
 * (trace/fold.h: snapshots plus a fold forward), so stepping backwards is
 * exact by construction and the panels say what the server's /state says.
 */
#ifndef NJ_STEP_STEP_H
#define NJ_STEP_STEP_H

#include <stddef.h>
#include <stdint.h>

#include "fold.h"
#include "store.h"

#define STEP_MAX_BP	64
#define STEP_ARG_MAX	512
#define STEP_NONE	SIZE_MAX

enum step_kind {
	SC_NONE, SC_STEP, SC_NEXT, SC_FINISH, SC_BACK, SC_PKT, SC_SEQ, SC_CONTINUE, SC_RUN,
	SC_BREAK, SC_INFO, SC_DELETE, SC_PRINT, SC_X, SC_BT, SC_LIST, SC_HELP, SC_QUIT, SC_DIFF,
};

/* What `info`/`print` show. */
enum step_what {
	SW_NONE, SW_BREAK, SW_FRAGS, SW_SOCKETS, SW_ROUTES, SW_NEIGH, SW_RULES, SW_COUNTERS, SW_TAPS,
	SW_SKB, SW_HEADERS, SW_EVENT,
};

struct step_cmd {
	enum step_kind kind;
	enum step_what what;		/* info/print */
	long long n;			/* count or number */
	int has_n;
	char arg[STEP_ARG_MAX];		/* break spec, help topic, diff edits */
};

/**
 * step_parse - one command line into c. Abbreviations follow gdb (s, n, b,
 * c, bt, p, i). Returns 0; -1 with a one-line message in err for an unknown
 * command or a bad argument; 1 for an empty line.
 */
int step_parse(const char *line, struct step_cmd *c, char *err, size_t errlen);

enum bp_kind { BP_FN, BP_DROP, BP_REASON, BP_PKT, BP_FILTER };

struct nj_filter;			/* a compiled tcpdump expression (trace/filter.h) */

struct step_bp {
	int id;
	enum bp_kind kind;
	char fn[64];
	int reason;			/* enum skb_drop_reason */
	int64_t pkt;
	char expr[256];
	unsigned hits;
	struct nj_filter *filter;
};

/**
 * step_bp_parse - "FN", "drop", "reason NAME", "pkt N" or "'EXPR'" into bp
 * (filter expressions are compiled here for linktype dlt). Returns 0, or
 * -1 with err set (unknown drop reason, bad number, bad filter).
 */
int step_bp_parse(const char *spec, int dlt, struct step_bp *bp, char *err, size_t errlen);
void step_bp_free(struct step_bp *bp);
/* step_bp_describe - "function ip_rcv", "drop reason IP_CSUM", … */
void step_bp_describe(const struct step_bp *bp, char *out, size_t outlen);

/**
 * step_bp_match - does event i stop at bp? Function breakpoints stop at B
 * and i events of FN; drop ones at every event with verdict drop; pkt and
 * filter ones at the packet's first event. Cannot fail.
 */
int step_bp_match(struct nj_store *s, const struct step_bp *bp, size_t i);

/* A stepping session: position, breakpoints, a counter cache. */
struct step_session {
	struct nj_store *st;
	size_t cur;
	struct step_bp bp[STEP_MAX_BP];
	int nbp, next_id;
	int dlt;			/* link type of the first frame (for filters) */
	struct fold_index *fold;	/* the state at any event (trace/fold.h) */
};

void step_init(struct step_session *ss, struct nj_store *st);
void step_free(struct step_session *ss);

/**
 * step_move - the target of a movement command (step, next, finish, back,
 * pkt, seq, continue, run) from ss->cur, without moving. Returns the
 * event index, or STEP_NONE with err set ("end of trace", "no packet 9").
 * For continue, *hit receives the breakpoint id that stopped it (0: the end).
 */
size_t step_move(struct step_session *ss, const struct step_cmd *c, int *hit, char *err, size_t errlen);

/* step_add_bp - adds a parsed breakpoint; returns its id or -1 (table full). */
int step_add_bp(struct step_session *ss, const struct step_bp *bp);
/* step_delete_bp - deletes breakpoint id (0: all). Returns 0 or -1. */
int step_delete_bp(struct step_session *ss, int id);

/* step_frame_of - the seq of the B event of the frame event i is in (for
 * a B event: itself; for an E: the enclosing frame); 0 at top level. */
uint64_t step_frame_of(struct nj_store *s, size_t i);

#endif
