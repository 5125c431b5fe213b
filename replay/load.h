/*
 * load.h - the one capture → event store loader, for every front end
 * (step, serve, lessons): a capture is replayed through the stack into a
 * store that always holds a trace_start line (source, kernel, scenario,
 * the host's FIB and netfilter rules as the stack holds them) and a
 * trace_end line (totals, complete, the error if the replay stopped); a
 * .jsonl trace is indexed in place. The kind of a file is decided by its
 * first bytes, not its name.
 */
#ifndef NJ_REPLAY_LOAD_H
#define NJ_REPLAY_LOAD_H

#include <stddef.h>

#include "replay.h"
#include "store.h"

enum load_kind { LOAD_UNKNOWN, LOAD_CAPTURE, LOAD_TRACE };

/* load_sniff - what path holds, from its first bytes: LOAD_UNKNOWN with
 * err set when it cannot be read or is neither. */
enum load_kind load_sniff(const char *path, char *err, size_t errlen);

struct load_opts {
	const struct replay_cfg *cfg;	/* settings to replay with (NULL: defaults); .pcap is ignored */
	const char *source;		/* the name trace_start and errors use (NULL: the path) */
	int keep_partial;		/* a replay that fails after some events keeps them */
	char **scenario;		/* when not NULL: the effective scenario's text (malloc'd) */
	struct nj_store *store;		/* an empty store to fill (NULL: a new one); load_capture
					 * owns it from the call: returned, or freed on failure */
	int keep_store;			/* o->store stays the caller's even on failure (a trace
					 * already being served): never freed here */
};

/**
 * load_capture - replays the capture at path into a new anonymous store.
 * Returns the store, or NULL with err set (a bad scenario, an unreadable
 * or damaged file). With keep_partial, a damaged capture that produced
 * events returns its store, err set and trace_end "complete": false.
 */
struct nj_store *load_capture(const char *path, const struct load_opts *o, char *err, size_t errlen);

/**
 * load_file - a capture (load_capture) or a .jsonl trace (store_open_jsonl),
 * by its first bytes. Returns the store or NULL with err set.
 */
struct nj_store *load_file(const char *path, const struct load_opts *o, char *err, size_t errlen);

#endif
