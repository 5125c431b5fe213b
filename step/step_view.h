/*
 * step_view.h - what `netjourney step` prints: the one-line location of
 * an event, the skb, decoded headers, the hex of the skb data with the
 * current header marked, the call chain, and the state panels. Output
 * fits 80 columns; colour only when asked (a TTY, or --color=always).
 */
#ifndef NJ_STEP_STEP_VIEW_H
#define NJ_STEP_STEP_VIEW_H

#include <stdio.h>

#include "step.h"

struct step_view {
	FILE *out;
	int color;
};

/* view_loc - "#12 pkt 3 depth 4  ip_rcv_core  ← drop IP_CSUM  "msg…"". */
void view_loc(const struct step_view *v, struct nj_store *s, size_t i);
void view_skb(const struct step_view *v, struct nj_store *s, size_t i);
void view_headers(const struct step_view *v, struct nj_store *s, size_t i);
void view_x(const struct step_view *v, struct nj_store *s, size_t i);
void view_bt(const struct step_view *v, struct nj_store *s, size_t i);
void view_event(const struct step_view *v, struct nj_store *s, size_t i);
void view_breaks(const struct step_view *v, const struct step_session *ss);
/* view_state - one state panel (counters, frags, sockets, taps, routes,
 * neigh, rules) at event i, from the one fold (trace/fold.h). */
void view_state(const struct step_view *v, struct step_session *ss, size_t i, enum step_what w);
/* step_dump_state - the fold's JSON after every stride-th event (seq 1,
 * 1 + stride, …) and the last, one line each, folded in order from the
 * first event (`step --dump-state`; tests compare it with /state, which
 * folds from snapshots). Returns 0 or -1 (out of memory). */
int step_dump_state(struct step_session *ss, size_t stride, FILE *out);

#endif
