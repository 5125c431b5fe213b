/*
 * store.h - the event store the web server and the step CLI read: the
 * JSONL trace lives in a file; memory holds only a compact index (events
 * delta-coded in blocks, about 9 bytes each, store_index.h; one struct
 * store_pkt per packet), so a trace of millions of events is an index
 * build, not a parse into objects.
 *
 * Thread safety: the functions that take no lock say so; the others take
 * the store's mutex, so a live replay may append while server threads
 * read. store_ev_get/store_ev_at decode into the caller's struct and take
 * no lock: hold store_lock() around them while a replay may append.
 * Pointers returned by store_pkt_* stay valid only until the next append
 * (the array may move): copy what you need, or hold store_lock().
 */
#ifndef NJ_TRACE_STORE_H
#define NJ_TRACE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "netns.h"

#define STORE_NONE UINT32_MAX

/* One event, as decoded from the index into a caller's copy (the index
 * keeps it in about 9 bytes). seq, parent, pkt and skb are 32 bits: a
 * trace whose numbers do not fit (4 billion events) is refused when
 * opened. */
struct store_ev {
	uint64_t off;			/* byte offset of the line in the JSONL stream */
	uint64_t ts_ns;
	uint32_t len;			/* line length without the newline */
	uint32_t next_in_pkt;		/* next event of the same packet, or STORE_NONE */
	uint32_t seq, parent;		/* parent 0 = none */
	int32_t pkt, skb;		/* -1 = none */
	uint16_t fn, layer;		/* ids for store_name() */
	char ph;			/* 'B', 'E', 'i' */
	uint8_t verdict;		/* enum nj_verdict */
	uint8_t reason;			/* enum skb_drop_reason (valid when verdict is drop) */
	uint8_t depth;
};

struct store_pkt {
	int64_t pkt;			/* capture packet number */
	uint32_t first, last;		/* event indices */
	uint32_t count;
	uint32_t driver_ev;		/* the driver_rx B event (summary, bytes), or STORE_NONE */
	uint64_t ts_ns;
	uint8_t verdict, reason;	/* the packet's outcome (trace_outcome rule) */
};

struct nj_store;

/**
 * store_create - an empty store whose trace goes to path, in the compact
 * form when path ends in ".njz", else JSONL (NULL: an anonymous compact
 * temporary file that vanishes with the store).
 * Returns NULL with err set when the file cannot be created.
 */
struct nj_store *store_create(const char *path, char *err, size_t errlen);

/* store_emit - a trace sink (trace_add_sink(net, store_emit, store)). */
void store_emit(void *ctx, const struct trace_event *ev);

/* store_add_meta - a "ph":"M" line (trace_start/trace_end); kept as text. */
void store_add_meta(struct nj_store *s, const char *json);

/**
 * store_open_jsonl - indexes an existing trace file, JSONL or compact (the
 * form is sniffed from its first bytes; read-only; the file stays open). Lines that are not valid events are reported in err with
 * their line number. Returns the store or NULL.
 */
struct nj_store *store_open_jsonl(const char *path, char *err, size_t errlen);

/* store_open_jsonl_flags - the same, with STORE_OPEN_CJSON: parse every
 * line with cJSON instead of the fast scanner (tests compare the two). */
#define STORE_OPEN_CJSON 1
struct nj_store *store_open_jsonl_flags(const char *path, int flags, char *err, size_t errlen);

void store_free(struct nj_store *s);
void store_lock(struct nj_store *s);
void store_unlock(struct nj_store *s);
/* store_seal - no event or line will be appended any more (a replay is
 * done): readers stop taking the mutex. A trace opened from a file is
 * sealed from the start. Appending to a sealed store is a bug. */
void store_seal(struct nj_store *s);

size_t store_nevents(struct nj_store *s);
/* store_ev_get - event i (0-based) into *out; 0, or -1 when out of range.
 * No lock (see above). Walking events in order is cheap: a thread keeps
 * its last decoded blocks. */
int store_ev_get(struct nj_store *s, size_t i, struct store_ev *out);
/* store_ev_at - the same as a pointer: out, or NULL when out of range. */
const struct store_ev *store_ev_at(struct nj_store *s, size_t i, struct store_ev *out);
/* store_ev_seq - event i's seq alone, mostly without decoding; 0, or -1
 * when out of range. No lock. */
int store_ev_seq(struct nj_store *s, size_t i, uint32_t *seq);
/* store_ev_layer - event i's layer id, and whether it is a drop instant
 * (ph 'i', verdict drop), from a byte an event: what a scan of layers
 * (the histogram) reads without decoding. 0, or -1 out of range. No lock. */
int store_ev_layer(struct nj_store *s, size_t i, uint16_t *layer, int *drop_instant);
/* store_index_of_seq - index of the event with seq, or SIZE_MAX. No lock. */
size_t store_index_of_seq(struct nj_store *s, uint64_t seq);
/* store_seq_lower_bound - the first of events [0, n) whose seq is >= seq
 * (seqs grow with the index); n when none. No lock. */
size_t store_seq_lower_bound(struct nj_store *s, uint64_t seq, size_t n);
/* store_index_bytes - the event index's memory in use (bytes). No lock. */
size_t store_index_bytes(struct nj_store *s);
/* store_line - a malloc'd copy of event i's JSON (NUL-terminated), or NULL. */
char *store_line(struct nj_store *s, size_t i, size_t *len);
/* store_evs - copies the index entries of events [first, first + n) into
 * out under one hold of the lock; returns how many exist (fewer at the end). */
size_t store_evs(struct nj_store *s, size_t first, size_t n, struct store_ev *out);
/* store_read - len bytes of the trace file at off into buf (a span of
 * lines, their offsets from store_evs). Returns 0, or -1 on a short read. */
int store_read(struct nj_store *s, uint64_t off, size_t len, char *buf);
/* store_lines_json - events idx[0..n-1] as one malloc'd JSON array text
 * ("[line,line]"), or NULL (out of memory, unreadable file). Events next to
 * each other in the file are read with one pread: a page of 100 events is
 * one system call, not 100. */
char *store_lines_json(struct nj_store *s, const size_t *idx, size_t n);
const char *store_name(struct nj_store *s, uint16_t id);
/* store_name_id - the id of a function/layer name, or -1 if never seen. */
int store_name_id(struct nj_store *s, const char *name);

size_t store_npkts(struct nj_store *s);
const struct store_pkt *store_pkt_at(struct nj_store *s, size_t i);	/* i-th packet, in order */
const struct store_pkt *store_pkt_find(struct nj_store *s, int64_t pkt);

/* The trace_start / trace_end lines (NULL if none); valid until store_free. */
const char *store_meta_start(struct nj_store *s);
const char *store_meta_end(struct nj_store *s);
/* store_path - the trace file (NULL for an anonymous one). */
const char *store_path(struct nj_store *s);
/* store_is_compact - 1 when the file is the compact form (njz.h). */
int store_is_compact(struct nj_store *s);
/* store_bytes - the trace's size as JSONL, and (file != NULL) the bytes
 * its file holds. */
uint64_t store_bytes(struct nj_store *s, uint64_t *file);
/* store_export - writes the trace, byte for byte as it was read or
 * written, to path: the compact form when path ends in ".njz", JSONL
 * otherwise ("-" = stdout). 0, or -1 with err. */
int store_export(struct nj_store *s, const char *path, char *err, size_t errlen);
/* store_mib_at - counter totals up to and including event i (i past the
 * end: all events). out has MIB_MAX entries. From a checkpoint every 4096
 * events plus the deltas after it: reads no line, O(4096) at most. */
void store_mib_at(struct nj_store *s, size_t i, uint64_t *out);

#endif
