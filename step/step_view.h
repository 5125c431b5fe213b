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
/* view_counters - nonzero totals at i, with what event i itself added. */
void view_counters(const struct step_view *v, struct step_session *ss, size_t i);
void view_frags(const struct step_view *v, struct nj_store *s, size_t i);
void view_sockets(const struct step_view *v, struct nj_store *s, size_t i, const char *scenario);
void view_taps(const struct step_view *v, struct nj_store *s, size_t i, const char *scenario);
/* view_scenario - routes, neigh or rules from the scenario JSON (NULL:
 * "none recorded"). */
void view_scenario(const struct step_view *v, const char *scenario, enum step_what w);

#endif
