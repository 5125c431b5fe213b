/*
 * fold_priv.h - what the fold's files share (fold.c: events into state;
 * fold_table.c: its tables, copies and sizes; fold_index.c: trace_start
 * and snapshots; fold_json.c: state into the /state object). Not an API:
 * front ends use fold.h.
 */
#ifndef NJ_TRACE_FOLD_PRIV_H
#define NJ_TRACE_FOLD_PRIV_H

#include <pthread.h>

#include "fold.h"

/* The functions whose events carry state, by role. */
enum fold_fn {
	FF_IP_FIND, FF_FRAG_QUEUE, FF_FRAG_INSERT, FF_FRAG_REASM, FF_EXPIRE, FF_EVICTOR,
	FF_SET_STATE, FF_TCP_ACK, FF_PACKET_RCV, FF_NF_HOOK, FF_NEIGH_UPDATE, FF_NEIGH_SEND,
	FF_FIB_LOOKUP, FF_TIME_WAIT, FF_REQSK_ALLOC, FF_PMTU,	/* steps: the route, a socket's "sock", a path MTU */
	FF_CHECK_REQ, FF_V4_ERR, FF_KEEPALIVE, FF_TW_TIMER,	/* their E events may say "sk_gone" */
	FF_DO_RCV, FF_DELACK, FF_REQSK_TIMER, FF_TW_PROCESS,	/* their E events carry "sock" */
	FF_MAX
};

struct fold_index {
	pthread_rwlock_t lock;		/* the snapshots: copied under a read lock, made under a write lock */
	struct nj_store *s;
	cJSON *start;			/* trace_start, parsed once (may be NULL) */
	const cJSON *scenario, *fib, *rules;	/* inside start, or NULL */
	size_t nrules;
	const cJSON **rule_src;		/* [nrules]: the scenario entry of each rule, or NULL */
	struct fold_snap **snap;	/* snap[c]: the state before event c * every (fold_snap.c) */
	size_t nsnap, capsnap;
	size_t every;			/* events between snapshots */
	size_t bytes;			/* the snapshots' size, kept under FOLD_SNAP_BUDGET */
	struct fold_state tail;		/* the newest snapshot's state, unpacked, to fold on from */
	int tail_ok;
};

#define FOLD_EVERY		32
#define FOLD_SNAP_BUDGET	(64u << 20)

/* A snapshot, flattened and compressed (fold_snap.c). pack: NULL when out
 * of memory; unpack: 0, or -1 (st then empty); bytes: what it holds. */
struct fold_snap;
struct fold_snap *fold_snap_pack(const struct fold_state *st);
int fold_snap_unpack(const struct fold_snap *z, struct fold_state *st);
size_t fold_snap_bytes(const struct fold_snap *z);

/* fold_ids - the store's name id of every enum fold_fn (-1: never seen). */
void fold_ids(struct fold_index *x, int ids[FF_MAX]);

/* fold_state_copy - a deep copy of src into dst; 0 or -1 (no memory). */
int fold_state_copy(struct fold_state *dst, const struct fold_state *src);
/* fold_state_bytes - memory a snapshot of st holds. */
size_t fold_state_bytes(const struct fold_state *st);

/* Tables: the entry with key (NULL if none), one added (zeroed but for its
 * key; NULL when out of memory), one removed. */
void *fold_get(struct fold_table *t, const char *key);
void *fold_add(struct fold_table *t, const char *key);
void fold_del(struct fold_table *t, void *entry);
/* fold_frag_free - a queue's own memory (its ranges' text, its arrivals). */
void fold_frag_free(struct fold_frag *q);
/* fold_sock_init - every recorded field of a new socket "not recorded". */
void fold_sock_init(struct fold_sock *p);
/* fold_entry - the table's entry i (i < t->n), NULL if removed. */
void *fold_entry(const struct fold_table *t, size_t i);

#endif
