/*
 * server.h - the browser timeline's HTTP server (libmicrohttpd): a JSON API
 * over indexed event stores and the static UI (docs/design.md §6). One server
 * per process. The registry owns the traces' stores. Traces registered
 * here live until web_stop(); uploads (POST /api/traces) are bounded by
 * web_set_upload_limits and evicted least recently used first.
 *
 * Live mode (serve --pace, and later `netjourney live --serve`): create a
 * trace with web_live_store(), append to the returned store with
 * store_emit()/store_add_meta() from any thread, and call web_live_notify()
 * so Server-Sent Events clients of /api/live are woken.
 */
#ifndef NJ_WEB_SERVER_H
#define NJ_WEB_SERVER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "store.h"

#define WEB_DEFAULT_PORT	8080
#define WEB_UPLOAD_MAX		(32u << 20)	/* bytes of one POST /api/traces body */
#define WEB_MAX_TRACES		256
/* Uploads kept (see web_set_upload_limits) unless serve's options say otherwise. */
#define WEB_UPLOADS_DEFAULT		16
#define WEB_UPLOAD_EVENTS_DEFAULT	1000000		/* about 64 MB of index, 250 MB of /tmp */
#define WEB_UPLOAD_IDLE_DEFAULT		3600		/* seconds */
#define WEB_UPLOAD_EVENT_BYTES		256		/* bytes of trace budgeted per event */
#define WEB_UPLOADS_ACTIVE		2		/* uploads received or replayed at once */
#define WEB_UPLOAD_QUEUE_MS		5000		/* how long one more waits for a slot */
/* Temporary space of the uploads in flight (bodies and traces being written). */
#define WEB_DISK_BUDGET_DEFAULT		(512ull << 20)

struct web_cfg {
	const char *bind;		/* IPv4 address to listen on; NULL = 127.0.0.1 */
	int port;			/* 0 = any free port (see web_port) */
	const char *static_dir;		/* the UI's files; NULL = no static serving */
	size_t upload_max;		/* 0 = WEB_UPLOAD_MAX */
	int log;			/* one line per request on stderr */
	const char *const *allow_hosts;	/* more names the server answers to (serve --allow-host) */
	int nallow_hosts;
};

/* Options for turning a capture into a trace (serve's -c/--auto-host/--no-csum,
 * --host, --default-host; an upload's ?host=&no_csum=1&infer=0). */
struct web_load_opts {
	const char *scenario;		/* scenario file or NULL (default host) */
	int auto_host, no_csum;
	const char *host;		/* the capture host (IP or MAC), NULL = inferred */
	int no_infer;			/* the default host, nothing inferred */
	FILE *info;			/* what inference found, said here (serve's own traces), or NULL */
};

/**
 * web_start - starts listening in its own threads. Returns 0, or -1 with
 * err naming the address and the problem (port in use, bad address).
 */
int web_start(const struct web_cfg *cfg, char *err, size_t errlen);

/* web_port - the port actually bound (useful with cfg->port 0); 0 if stopped. */
int web_port(void);

/* web_stop - wakes SSE clients, stops the daemon and frees every trace. */
void web_stop(void);

/**
 * web_add_trace - registers store under name (copied); the registry owns
 * the store from now on, even on failure (it is freed then).
 * Returns the trace id (1, 2, …) or -1 when the registry is full.
 */
int web_add_trace(const char *name, struct nj_store *store, int live);

/**
 * web_load_file - a pcap/pcapng (web_open_start) or a .jsonl trace (indexed
 * now), chosen by the file's first bytes, registered under its base name.
 * Returns the id, or -1 with err naming the file and the problem; nothing
 * is registered on failure.
 */
int web_load_file(const char *path, const struct web_load_opts *o, char *err, size_t errlen);

/**
 * web_open_start - registers the capture at path as a trace as soon as its
 * scenario is loaded, and replays it in a background thread: what is
 * indexed is served at once, the rest answers 409 with Retry-After until
 * the trace is whole (GET /api/traces/ID: "state", "progress"). Returns
 * the id, or -1 with err when the replay fails before its first frame.
 */
int web_open_start(const char *path, const struct web_load_opts *o, char *err, size_t errlen);

/**
 * web_replay_store - replays the capture at path into a new anonymous
 * store (trace_start with the scenario, trace_end with the totals).
 * Returns the store, or NULL with err set (no half-filled store escapes).
 * name replaces path in trace_start and in messages when not NULL.
 */
struct nj_store *web_replay_store(const char *path, const char *name, const struct web_load_opts *o,
				  char *err, size_t errlen);

/**
 * web_live_store - a new, empty live trace named name; it becomes the one
 * /api/live follows. Returns its store (owned by the registry) or NULL.
 * *id receives the trace id when id is not NULL.
 */
struct nj_store *web_live_store(const char *name, int *id);

/**
 * web_set_upload_limits - at most uploads uploaded traces kept (0: uploads
 * refused), at most events events among them (one capture over it is
 * refused with 507), and an upload unread for idle_s seconds expires
 * (0: never; see web_traces_expire). Defaults: WEB_UPLOAD*_DEFAULT.
 */
void web_set_upload_limits(int uploads, size_t events, int idle_s);

/* web_set_disk_budget - bytes of temporary space the uploads in flight may
 * hold together: their bodies as they arrive and the traces their replays
 * write (0: WEB_DISK_BUDGET_DEFAULT). One that would pass it gets a 507. */
void web_set_disk_budget(uint64_t bytes);

/* web_traces_expire - evicts the uploads idle since before now_ms minus the
 * idle limit and nobody reads; returns how many. serve calls it every
 * second with web_clock_ms(). */
int web_traces_expire(int64_t now_ms);
int64_t web_clock_ms(void);			/* CLOCK_MONOTONIC in ms */

/* web_live_notify - new events were appended: wake /api/live readers. */
void web_live_notify(void);

/**
 * web_pace_start - replays path into a new live trace in a background
 * thread, sleeping between packets as the capture's timestamps say (gaps
 * capped at max_gap_ms) so the UI can follow. Returns the id or -1.
 */
int web_pace_start(const char *path, const struct web_load_opts *o, int max_gap_ms, char *err,
		   size_t errlen);

/**
 * web_set_lessons - the classroom labs' directory for /api/lessons (NULL
 * or "": none). A lab's capture is replayed into a trace when the UI
 * opens it (POST /api/lessons/N/open), once. Cannot fail.
 */
void web_set_lessons(const char *dir);

#endif
