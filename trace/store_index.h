/*
 * store_index.h - the store's compact event index (internal to store.c).
 * Events are coded one after another as small deltas from the event
 * before (a flags byte, then varints), in blocks of SIDX_BLOCK events that
 * each start from a full anchor, so event i is decoded from its block's
 * anchor: about 7 bytes an event, 9 with the two side bytes below (a
 * 48-byte struct store_ev before).
 * next_in_pkt is the only field set after the event: it lives beside the
 * coded stream as one byte of distance (an escape table for the rest).
 * A second side byte holds the layer and whether the event is a drop
 * instant, which the histogram scans read without decoding. A thread's last decoded blocks are cached, so walking events in order
 * decodes each block once.
 */
#ifndef NJ_TRACE_STORE_INDEX_H
#define NJ_TRACE_STORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SIDX_BLOCK	64		/* events per anchor */
#define SIDX_NAMES	1024		/* fn ids with a default layer (store.c's STORE_MAX_NAMES) */

/* The coder's state before an event: what its deltas are taken from. */
struct sidx_prev {
	uint64_t off_next;		/* the previous line's end + its newline */
	uint64_t ts_ns;
	uint32_t seq;
	int32_t pkt, skb;
	uint8_t depth;
};

struct sidx_blk {
	uint64_t pos;			/* the block's first byte in buf */
	struct sidx_prev prev;		/* the state before its first event */
	uint32_t first_seq;		/* its first event's seq (binary search) */
	uint8_t irregular;		/* 1: a seq of the block is not the one before + 1 */
};

struct sidx_esc {
	uint32_t ev, next;		/* ev = UINT32_MAX: empty slot */
};

struct store_index {
	uint64_t uid;			/* names this index in the threads' caches */
	size_t n;			/* events */
	unsigned char *buf;		/* the coded events */
	size_t len, cap;
	struct sidx_blk *blk;
	size_t nblk, blkcap;
	uint8_t *next;			/* next_in_pkt - i: 1..254; 0 none; 255 in esc */
	size_t nextcap;
	uint8_t *lay;			/* layer (63: decode) | 'i' << 6 | drop << 7, for scans */
	size_t laycap;
	struct sidx_esc *esc;		/* open addressing, a power of two */
	size_t nesc, esccap;
	uint32_t deflayer[SIDX_NAMES];	/* fn → its first event's layer + 1 (0: not seen) */
	struct sidx_prev prev;		/* the coder's state */
};

/* Every counter delta, in event order, coded as varints (event distance,
 * counter id, amount): about 3 bytes each instead of a 12-byte struct. */
struct sidx_mib {
	unsigned char *buf;
	size_t len, cap;
	uint64_t last_ev;		/* the event the last distance counts from */
};

/* sidx_mib_mark - starts a run at event ev (a checkpoint); returns the
 * run's position for sidx_mib_sum. */
size_t sidx_mib_mark(struct sidx_mib *m, uint64_t ev);
void sidx_mib_add(struct sidx_mib *m, uint64_t ev, uint16_t id, uint32_t n);
/* sidx_mib_sum - adds to out[id] (id < nout) every delta of the run from
 * pos (marked at event ev) up to and including event upto. */
void sidx_mib_sum(const struct sidx_mib *m, size_t pos, uint64_t ev, uint64_t upto, uint64_t *out, size_t nout);

void *sidx_grow(void *p, size_t *cap, size_t need, size_t elem);
void sidx_init(struct store_index *x);
void sidx_free(struct store_index *x);
/* sidx_append - codes e as event x->n (its next_in_pkt is ignored). */
void sidx_append(struct store_index *x, const struct store_ev *e);
/* sidx_get - event i into out; 0, or -1 when i >= x->n. */
int sidx_get(const struct store_index *x, size_t i, struct store_ev *out);
/* sidx_seq - event i's seq into *seq without decoding when its block's
 * seqs follow each other (a replay's always do); 0, or -1 out of range. */
int sidx_seq(const struct store_index *x, size_t i, uint32_t *seq);
/* sidx_evs - events [first, first + n) into out, a block at a time. */
void sidx_evs(const struct store_index *x, size_t first, size_t n, struct store_ev *out);
/* sidx_layer - event i's layer and whether it is a drop instant (an 'i'
 * event with verdict drop): one byte an event, decoded only for layer ids
 * past 62. 0, or -1 out of range. */
int sidx_layer(const struct store_index *x, size_t i, uint16_t *layer, int *drop_instant);
/* sidx_set_next - event i's next_in_pkt (once the next event arrives). */
void sidx_set_next(struct store_index *x, size_t i, uint32_t next);
/* sidx_lower_bound - the first of events [0, n) whose seq is >= seq,
 * seqs growing with the index (n when none). */
size_t sidx_lower_bound(const struct store_index *x, uint64_t seq, size_t n);
/* sidx_bytes - the index's memory in use: coded bytes, anchors, next
 * distances and escapes (the figure the bench divides by events). */
size_t sidx_bytes(const struct store_index *x);

#endif
