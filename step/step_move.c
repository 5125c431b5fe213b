/*
 * step_move.c - where each movement command lands (step.h), the frame an
 * event belongs to, and the counter totals with an incremental cache.
 *
 * Event model (stack/trace.h): a B opens a frame at depth d; its steps and
 * callees sit at d+1; its E is at depth d again and has parent = the B's
 * seq. So "next" is the next event no deeper than the current one, and
 * "finish" is the E whose parent is the current frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "step.h"

uint64_t step_frame_of(struct nj_store *s, size_t i)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	if (!e)
		return 0;
	if (e->ph == 'B')
		return e->seq;
	if (e->ph != 'E')
		return e->parent;
	/* an E: the frame of its B's caller */
	size_t b = e->parent ? store_index_of_seq(s, e->parent) : SIZE_MAX;
	struct store_ev be_buf;
	const struct store_ev *be = b == SIZE_MAX ? NULL : store_ev_at(s, b, &be_buf);
	return be ? be->parent : 0;
}

static size_t move_step(struct step_session *ss, long long n, int dir, char *err, size_t errlen)
{
	size_t nev = store_nevents(ss->st), i = ss->cur;
	for (long long k = 0; k < n; k++) {
		if (dir > 0 && i + 1 >= nev)
			return k ? i : (snprintf(err, errlen, "end of trace (event %zu of %zu)", i + 1, nev), STEP_NONE);
		if (dir < 0 && i == 0)
			return k ? i : (snprintf(err, errlen, "already at the first event"), STEP_NONE);
		i = dir > 0 ? i + 1 : i - 1;
	}
	return i;
}

/* The next event at the current depth or shallower (over calls). */
static size_t move_next(struct step_session *ss, long long n, char *err, size_t errlen)
{
	size_t nev = store_nevents(ss->st), i = ss->cur;
	for (long long k = 0; k < n; k++) {
		struct store_ev e;
		int d = store_ev_get(ss->st, i, &e) == 0 ? e.depth : 0;
		size_t j = i + 1;
		while (j < nev && store_ev_get(ss->st, j, &e) == 0 && e.depth > d)
			j++;
		if (j >= nev)
			return k ? i : (snprintf(err, errlen, "end of trace"), STEP_NONE);
		i = j;
	}
	return i;
}

static size_t move_finish(struct step_session *ss, char *err, size_t errlen)
{
	uint64_t f = step_frame_of(ss->st, ss->cur);
	size_t nev = store_nevents(ss->st);
	if (!f)
		return snprintf(err, errlen, "finish: not inside a function (a top-level event)"), STEP_NONE;
	for (size_t j = ss->cur + 1; j < nev; j++) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(ss->st, j, &e_buf);
		if (e->ph == 'E' && e->parent == f)
			return j;
	}
	snprintf(err, errlen, "finish: the function never returns in this trace (cut short?)");
	return STEP_NONE;
}

static size_t move_continue(struct step_session *ss, long long n, int *hit, char *err, size_t errlen)
{
	size_t nev = store_nevents(ss->st), i = ss->cur;
	*hit = 0;
	if (i + 1 >= nev)
		return snprintf(err, errlen, "end of trace: nothing left to run"), STEP_NONE;
	for (size_t j = i + 1; j < nev; j++)
		for (int b = 0; b < ss->nbp; b++)
			if (step_bp_match(ss->st, &ss->bp[b], j)) {
				ss->bp[b].hits++;
				*hit = ss->bp[b].id;
				if (--n <= 0)
					return j;
				break;
			}
	return nev - 1;		/* ran to the end: stop on the last event */
}

static size_t move_pkt(struct step_session *ss, long long pkt, char *err, size_t errlen)
{
	const struct store_pkt *p = store_pkt_find(ss->st, pkt);
	if (!p || p->first == STORE_NONE) {
		size_t np = store_npkts(ss->st);
		const struct store_pkt *last = np ? store_pkt_at(ss->st, np - 1) : NULL;
		snprintf(err, errlen, "pkt: no packet %lld in this trace (packets 1..%lld)", pkt,
			 last ? (long long)last->pkt : 0LL);
		return STEP_NONE;
	}
	return p->first;
}

size_t step_move(struct step_session *ss, const struct step_cmd *c, int *hit, char *err, size_t errlen)
{
	long long n = c->has_n ? c->n : 1;
	size_t i;
	*hit = 0;
	if (!store_nevents(ss->st))
		return snprintf(err, errlen, "the trace has no events"), STEP_NONE;
	switch (c->kind) {
	case SC_STEP: return move_step(ss, n, 1, err, errlen);
	case SC_BACK: return move_step(ss, n, -1, err, errlen);
	case SC_NEXT: return move_next(ss, n, err, errlen);
	case SC_FINISH: return move_finish(ss, err, errlen);
	case SC_CONTINUE: return move_continue(ss, n, hit, err, errlen);
	case SC_RUN: return 0;
	case SC_PKT: return move_pkt(ss, c->n, err, errlen);
	case SC_SEQ:
		i = store_index_of_seq(ss->st, (uint64_t)c->n);
		if (i == SIZE_MAX)
			snprintf(err, errlen, "seq: no event with seq %lld", c->n);
		return i == SIZE_MAX ? STEP_NONE : i;
	default:
		snprintf(err, errlen, "not a movement command");
		return STEP_NONE;
	}
}

