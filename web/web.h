/*
 * web.h - the server's insides, shared by the files of web/: the trace registry and
 * its per-trace caches, the request context, the one JSON reply helper and
 * parameter parsing, the frame decoder, the tcpdump-filter cache, and the
 * handlers named in api.c's route table. Not an API for other modules:
 * those use server.h.
 */
#ifndef NJ_WEB_WEB_H
#define NJ_WEB_WEB_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "cJSON.h"
#include "filter.h"
#include "fold.h"
#include "jsonw.h"
#include "server.h"
#include "snmp.h"

#define WEB_PAGE_MAX		1000	/* most items one API page carries */
#define WEB_FILTERS		4	/* tcpdump expressions cached per trace */

#define WEB_SUMS_MAX		4096	/* packet summaries cached per trace */
#define WEB_STATE_CACHE		4	/* /state answers kept per trace (api_state.c) */

/* One packet's list summary, kept so a page is not a read and a JSON
 * parse of every packet's driver_rx line: slot pkt % nsums. */
struct web_sum {
	uint32_t ev;			/* the packet's driver_ev + 1; 0: empty */
	uint32_t len;			/* frame length */
	uint32_t tlen;			/* strlen(text) */
	char *text;			/* web_frame.summary (malloc'd) */
};

/* One tcpdump expression of a trace (trace/filter.h caches its results). */
struct web_filter {
	struct nj_filter *f;		/* NULL: an empty slot */
	uint64_t used;			/* LRU clock */
};

struct web_trace {
	int id;
	char name[128];
	struct nj_store *s;
	int live;
	pthread_mutex_t mu;		/* guards the caches below, not the store */
	struct web_filter filters[WEB_FILTERS];
	uint64_t clock;
	struct web_sum *sums;		/* packet-list summaries (frame.c), nsums slots */
	size_t nsums;
	struct web_hist *hist;		/* histogram totals (histogram.c), under the store's lock */
	struct fold_index *fold;	/* /state's snapshots (api_state.c), made under mu */
	struct { size_t i; char *text; uint64_t used; } state_cache[WEB_STATE_CACHE];	/* i + 1, 0 empty */
	struct web_open *open;		/* a capture replayed in the background (load.c), or NULL */
	/* registry bookkeeping (traces.c, under its lock) */
	int refs;			/* readers holding it: never evicted then */
	int upload;			/* POSTed: evictable; the others are pinned */
	size_t nev;			/* events, counted against the upload budget */
	uint64_t nbytes;		/* bytes of trace (its temporary file), likewise */
	uint64_t lru;			/* registry clock of the last use */
	int64_t used_ms;		/* web_clock_ms() of the last use */
};

/* -- opening a capture in the background (open.c) -- */
struct web_req;
struct web_trace;
#define WEB_RETRY_OPENING	1	/* Retry-After (s) of a 409 while a trace opens */
/* web_extent - what of t may be served now, under the store's lock (held
 * by the caller): *nev events and *npkts packets (NULL: not wanted). While
 * t opens, its newest packet may still gain events, so it is left out.
 * Returns 1 while t is opening, else 0. */
int web_extent(struct web_trace *t, size_t *nev, size_t *npkts);
/* web_opening - web_extent taking the lock itself. */
int web_opening(struct web_trace *t, size_t *nev, size_t *npkts);
/* web_progress_json - {"packets","events","bytes","capture_bytes",
 * "fraction","done"} of t (done: true for a trace not opening). */
cJSON *web_progress_json(struct web_trace *t);
/* web_not_ready - the answer to a request past what t has indexed while
 * it opens: 409 with Retry-After and {"error","status","state":"opening",
 * "progress"}; never a 404, the thing asked for may come. */
enum MHD_Result web_not_ready(struct web_req *r, struct web_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* web_open_error - the error the replay ended with, or NULL (store's lock held). */
const char *web_open_error(struct web_trace *t);
/* web_open_free - stops t's background replay, waits for it, frees it. */
void web_open_free(struct web_open *op);
/* web_add_opening - registers store (being filled by op) as an opening
 * trace (traces.c); the registry owns both from now on. -1 when full. */
int web_add_opening(const char *name, struct nj_store *store, struct web_open *op);

/* -- registry (traces.c) -- */
/* web_trace_get - trace id with a reference taken (it cannot be evicted
 * until web_trace_put), or NULL. */
struct web_trace *web_trace_get(int64_t id);
/* web_trace_hold - the same without counting as a use: listing every
 * trace must not keep idle uploads alive. */
struct web_trace *web_trace_hold(int64_t id);
void web_trace_put(struct web_trace *t);	/* NULL is fine */
/* web_req_trace - web_trace_get for a request: the reference is dropped
 * when the request completes (server.c), so handlers never put it. */
struct web_trace *web_req_trace(struct web_req *r, int64_t id);
/* web_trace_ids - the ids registered now, in order (at most max). */
int web_trace_ids(int *ids, int max);
/**
 * web_add_upload - registers an uploaded trace under the upload limits,
 * evicting least recently used uploads nobody reads. Returns the id with
 * *out referenced (put it, or hand it to a request's held), and the ids
 * evicted in evicted[] (*nevicted: capacity in, count out); or minus the
 * HTTP status that refuses it (403 uploads off, 507 over the event
 * budget or no trace slot left) with err set; the store is freed then.
 */
int web_add_upload(const char *name, struct nj_store *store, struct web_trace **out, int *evicted, int *nevicted,
		   char *err, size_t errlen);
int web_uploads_allowed(void);			/* 0 with serve --max-uploads 0 */
int web_live_id(void);				/* newest live trace id, 0 if none */
void web_traces_free(void);
/* An /api/live stream parked while it has nothing to send (traces.c). */
struct web_park {
	struct MHD_Connection *c;
	int64_t until_ms;		/* a keep-alive is due then */
	struct web_park *prev, *next;
};
uint64_t web_live_gen(void);		/* changes with every notify and new trace */
/* web_live_park - suspends p->c until the live traces change
 * (web_live_notify), the server stops, or ms pass; then it is resumed and
 * its content reader called again. Returns 0 when parked (the reader then
 * returns 0), or -1 when they changed since gen or the server is
 * stopping: read again now. Call it from the content reader only. */
int web_live_park(struct web_park *p, uint64_t gen, int ms);
/* web_live_wake - resumes the parked streams whose time is up (all: every
 * one; a stream the watchdog cut must see its end). */
void web_live_wake(int all);
int web_stopping(void);
void web_set_stopping(int on);

/* -- request context (server.c) -- */
struct web_req {
	struct MHD_Connection *conn;
	const char *method, *url;
	char *body;			/* a body kept in memory (small: not an upload) */
	size_t len, cap, max;
	int accept_body;		/* this route reads a body (upload) */
	int too_big;
	int answered;			/* the first call already queued the answer */
	int upload_slot;		/* holds one of the upload slots (upload.c) */
	int busy;			/* no slot: the body is dropped, the answer a 503 */
	int spool_fd;			/* the upload body's file, or -1 */
	uint64_t disk;			/* its bytes, counted in the disk budget */
	int over_disk;			/* the body passed the disk budget (or filled the disk): 507 */
	char spool[512];		/* its path ("" = none) */
	unsigned char head[24];		/* the body's first bytes (the capture's magic) */
	struct multipart *mp;		/* a multipart/form-data upload's parser (multipart.h) */
	int stream;			/* the answer is an event stream (live.c) */
	char err[512];
	struct web_trace *held;		/* web_req_trace's reference */
	/* slow work on a thread of its own (defer.c) */
	void (*job)(struct web_req *);
	int in_job;			/* running in one now: do not defer again */
	int slot_wait;			/* an upload that must wait for its slot (server.c) */
	int first_deferred;		/* the first call's work is a job: its repeat is not the last call */
	int deferred;			/* the answer is a job's: a call after it closes */
	enum MHD_Result job_res;	/* what the job's handler returned */
};

/* -- slow requests (defer.c) -- */
/* web_defer - runs job(r) on a thread of its own with r's connection
 * suspended, then resumes it; the job queues r's answer itself. Returns 1
 * (the caller returns MHD_YES and touches r no more once it returns), or
 * 0 when job ran here (the server stopping, or no thread to be had). */
int web_defer(struct web_req *r, void (*job)(struct web_req *));
void web_defer_drain(void);		/* no new job from now; waits for those running */
void web_defer_open(void);		/* jobs allowed again (web_start) */
/* api_later - r's route handler run again as a job (api.c): a handler
 * that finds it has slow work to do (api_state's first fold) returns it. */
enum MHD_Result api_later(struct web_req *r);

/* -- connection management (guard.c) -- */
#define WEB_CONN_LIMIT		512	/* the daemon's hard limit: it drops beyond */
#define WEB_PER_IP_LIMIT	448	/* above the soft limit: one address is refused 503 first */
#define WEB_SOFT_LIMIT		384	/* over it, requests are answered 503 */
#define WEB_PRESSURE		48	/* from here the watchdog's deadlines shorten */
#define WEB_STREAMS_MAX		64	/* /api/live streams; a new one ends the oldest */
enum web_phase { WEB_HEAD, WEB_BODY, WEB_WORK, WEB_SEND, WEB_STREAM };
/* web_guard_notify - MHD_OPTION_NOTIFY_CONNECTION: tracks every connection. */
void web_guard_notify(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_ConnectionNotificationCode toe);
/* web_guard_phase - c's request moves to phase; returns 1 (and leaves it)
 * when the guard has answered the request already (web_guard_answer):
 * the handler must then answer nothing. */
int web_guard_phase(struct MHD_Connection *c, enum web_phase phase);
int web_guard_progress(struct MHD_Connection *c);	/* a body chunk arrived; 1 as above */
int web_guard_shut(struct MHD_Connection *c);		/* 1 once the watchdog cut c */
/* web_guard_answer - answers c's request while its body is still arriving
 * (libmicrohttpd cannot then): the JSON of web_error (web_busy's with
 * retry_s > 0) on a connection that is then closed; the rest of the body
 * is dropped. Returns 0, or -1 when c is not in WEB_BODY or was answered. */
int web_guard_answer(struct MHD_Connection *c, unsigned status, int retry_s, const char *msg);
/* web_guard_answer_bodies - the same for every request still receiving
 * its body (the server stopping); returns how many were answered. */
int web_guard_answer_bodies(unsigned status, int retry_s, const char *msg);
int web_guard_count(void);				/* open connections */
unsigned long web_guard_cuts(void);			/* connections cut so far */
int web_guard_start(void);
void web_guard_stop(void);

/* -- Host and Origin (origin.c) -- */
void web_origin_config(const char *bind, const char *const *hosts, int n);
/* web_host_ok - 1 when host ("name[:port]") names this server. */
int web_host_ok(struct MHD_Connection *c, const char *host);
/* web_check_origin - 0, or the status refusing the request (421 foreign
 * Host, 403 state change from another origin) with err set. */
int web_check_origin(struct MHD_Connection *c, const char *method, char *err, size_t errlen);

/* -- uploads in flight (upload.c) -- */
#define WEB_WOULD_WAIT		1	/* no slot free now, and the caller may not wait */
/* web_upload_begin - takes an upload slot, waiting up to
 * WEB_UPLOAD_QUEUE_MS for one if wait (else WEB_WOULD_WAIT when all are
 * busy), and opens the spool file of r's body. Returns 0, or the status
 * refusing it (503 all slots still busy or the server stopping, 403
 * uploads off, 500 no temporary file), r->err set. */
unsigned web_upload_begin(struct web_req *r, int wait);
/* web_upload_chunk - appends to the spool; -1 on a write error. */
int web_upload_chunk(struct web_req *r, const char *data, size_t n);
/* web_replay_slot - takes one of the upload slots for another server-side
 * replay (a what-if), waiting as web_upload_begin does; freed with the
 * request by web_upload_end. Returns 0, WEB_WOULD_WAIT, or 503 with
 * r->err set. */
unsigned web_replay_slot(struct web_req *r, int wait);
/* web_upload_end - removes the spool and frees the slot (once the answer
 * is sent: web_uploads_drain then knows every upload was answered). */
void web_upload_end(struct web_req *r);
/* web_uploads_drain - waits until no upload is in flight, at most ms. */
void web_uploads_drain(int ms);
/* web_disk_grow - the temporary space one upload holds (*have bytes, counted
 * in the disk budget) becomes now bytes. Returns 0, or -1 (nothing
 * changed) when growing would pass the budget of all uploads in flight. */
int web_disk_grow(uint64_t *have, uint64_t now);
uint64_t web_disk_budget(void);			/* bytes (serve --disk-budget) */
/* web_spool_sweep - removes the spool files of servers no longer running. */
int web_spool_sweep(void);

typedef enum MHD_Result (*web_handler)(struct web_req *r, const int64_t *ids);

/* -- replies and parameters (http.c) -- */
/* web_reply - sends doc (freed here) as JSON with status. */
enum MHD_Result web_reply(struct MHD_Connection *c, unsigned status, cJSON *doc);
/* web_reply_text - sends text (len bytes of JSON, taken over) with status. */
enum MHD_Result web_reply_text(struct MHD_Connection *c, unsigned status, char *text, size_t len);
/* web_json_text - o as text through jsonw (json_text.c): cJSON_PrintUnformatted's
 * bytes but for strings holding DEL or bytes that are not UTF-8; *len its
 * length. NULL when out of memory. */
char *web_json_text(const cJSON *o, size_t *len);
/* web_reply_retry - the same with a Retry-After: retry_s header. */
enum MHD_Result web_reply_retry(struct MHD_Connection *c, unsigned status, cJSON *doc, int retry_s);
/* web_error - {"error": message, "status": status} with status. */
enum MHD_Result web_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* web_busy - a 503 saying so, with Retry-After: retry_s and "retry" in
 * the body, on a connection that is then closed. */
enum MHD_Result web_busy(struct MHD_Connection *c, int retry_s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* web_qint - integer query parameter key in [min,max] (dflt when absent).
 * Returns 0, or -1 with r->err naming the parameter. */
int web_qint(struct web_req *r, const char *key, int64_t dflt, int64_t min, int64_t max, int64_t *out);
/* web_qstr - a query parameter or NULL (empty counts as absent). */
const char *web_qstr(struct web_req *r, const char *key);

/* The selectors the event and packet lists share: fn (no parameter:
 * fn_absent; a name the trace never used: -3, matching nothing), verdict
 * and reason (-1: any), filter (a tcpdump expression, or NULL). */
struct web_sel {
	int fn, verdict, reason;
	const char *filter;
};
/* web_qsel - the query's fn, verdict, reason and filter into q; -1 with
 * r->err set when a verdict, a reason or the filter is not understood. */
int web_qsel(struct web_req *r, struct web_trace *t, int fn_absent, struct web_sel *q);
/* web_raw - a cJSON raw node from a store line (taken over); NULL line → null. */
cJSON *web_raw(char *line);

/* -- JSON text written directly with the trace's writer (stack/jsonw.h), as
 * cJSON would print it: a 2000-number histogram column or a page of 1000
 * packet rows is then not thousands of nodes. cJSON builds and parses the
 * rest. -- */
/* web_jw_node - w's text as one raw node; w is freed. NULL on oom. */
cJSON *web_jw_node(struct jw *w);
/* web_num_array - the array cJSON_CreateDoubleArray(v, n) prints; NULL on oom. */
cJSON *web_num_array(const double *v, int n);

/* -- frames (frame.c) -- */
struct web_frame {
	int linktype;
	uint32_t caplen, len;
	uint8_t *bytes;			/* caplen decoded bytes (capped by the tracer) */
	size_t n;
	char *hex;			/* as stored */
	char summary[256];
};
/* web_frame_get - the frame of packet p from its driver_rx event. Returns 0
 * or -1 (no driver event, unreadable line). Free with web_frame_free. */
int web_frame_get(struct nj_store *s, const struct store_pkt *p, struct web_frame *f);
void web_frame_free(struct web_frame *f);
/* web_frame_summary - only f->summary and f->len of packet p (of a trace
 * of np packets), from t's cache or else read as web_frame_get would;
 * f holds no bytes after it. Returns what web_frame_get returns. Takes
 * t->mu, never while holding the store lock. */
int web_frame_summary(struct web_trace *t, const struct store_pkt *p, size_t np, struct web_frame *f);
/* web_sums_free - the summary cache (traces.c, when the trace goes). */
void web_sums_free(struct web_trace *t);
/* web_frame_flow - "udp 10.0.0.1:53 > 10.0.0.2:7" style key, proto and
 * addresses; returns 0, or -1 when the frame carries no IPv4 flow. */
int web_frame_flow(const struct web_frame *f, char *proto, size_t plen, char *src, char *dst,
		   unsigned *sport, unsigned *dport);

/* web_pkt_json - one packet-list row (api_traces.c): number, time, summary,
 * outcome, length; f is the packet's frame (summary, len). */
cJSON *web_pkt_json(struct web_trace *t, const struct store_pkt *p, struct web_frame *f);

/* -- tcpdump filters (filter.c) -- */
/* web_filter_match - 1 match, 0 no match, -1 bad expression (err set). */
int web_filter_match(struct web_trace *t, const char *expr, int64_t pkt, char *err, size_t errlen);
/* web_filters_free - a trace's filters. */
void web_filters_free(struct web_trace *t);

/* -- histogram (histogram.c) -- */
struct web_hist;
/* web_hist_free - a trace's histogram totals (NULL is fine). */
void web_hist_free(struct web_hist *h);
/* The histogram's filter (histogram_filter.c): the packet list's
 * selectors, fn possibly a comma-separated list of names. */
struct web_hist_sel;
/* web_hist_sel - the request's selectors into *out: 1 (some given), 0 (none:
 * *out NULL), -1 a bad one or -2 out of memory (r->err set). */
int web_hist_sel(struct web_req *r, struct web_trace *t, struct web_hist_sel **out);
void web_hist_sel_free(struct web_hist_sel *k);
/* web_hist_kept - adds to kept[b] and drops[b] (nb buckets over events
 * [from, from + span), bounds as the histogram's) the events and drop
 * instants of the packets k keeps; *npk: those packets. -1 out of memory. */
int web_hist_kept(struct web_trace *t, struct web_hist_sel *k, size_t from, size_t span, size_t nb, double *kept,
		  double *drops, size_t *npk);

/* -- loading (load.c, pace.c) -- */
/* web_scenario_line - the scenario (replayed text, else o->scenario's file)
 * as one line of JSON (trace lines hold no newline); malloc'd or NULL. */
char *web_scenario_line(const struct web_load_opts *o, const char *replayed);
/* web_replay_limited - web_replay_store (o: host options, NULL none) that stops as soon
 * as the trace passes max_events events or max_bytes bytes (*status 507),
 * or the server stops (503); a bad capture is a 400. NULL then, with err. */
struct nj_store *web_replay_limited(const char *path, const char *name, const struct web_load_opts *o,
				    size_t max_events, uint64_t max_bytes,
				    unsigned *status, char *err, size_t errlen);
/* web_trace_source - t's capture (src) and its own scenario from
 * trace_start, written to a temporary file named in scen ("" = the
 * default; the caller unlinks it). -1 with err when the trace keeps no
 * capture to replay (api_skb.c). */
int web_trace_source(struct web_trace *t, char *src, size_t srclen, char *scen, size_t scenlen, char *err,
		     size_t errlen);
/* web_upload_budget - the upload budget: events, and bytes of trace. */
void web_upload_budget(size_t *events, uint64_t *bytes);
/* web_pace_join - stops and joins the --pace replay thread, if any. */
void web_pace_join(void);

/* -- handlers (api_*.c, upload.c, live.c) -- */
enum MHD_Result api_traces_list(struct web_req *r, const int64_t *ids);
enum MHD_Result api_trace_summary(struct web_req *r, const int64_t *ids);
enum MHD_Result api_packets(struct web_req *r, const int64_t *ids);
enum MHD_Result api_packet(struct web_req *r, const int64_t *ids);
enum MHD_Result api_events(struct web_req *r, const int64_t *ids);
enum MHD_Result api_histogram(struct web_req *r, const int64_t *ids);
enum MHD_Result api_state(struct web_req *r, const int64_t *ids);
enum MHD_Result api_upload(struct web_req *r, const int64_t *ids);
enum MHD_Result api_live(struct web_req *r, const int64_t *ids);

/* api_dispatch - routes an /api/ request (api.c); *wants_body is set on
 * the first call when the route reads a request body. */
enum MHD_Result api_dispatch(struct web_req *r);
int api_wants_body(const char *method, const char *url);	/* 1 upload, 2 small (lesson answers) */

/* static_serve - a GET for the UI's files (static_files.c). */
enum MHD_Result static_serve(struct MHD_Connection *c, const char *root, const char *url);
/* static_check_path - 0 when url is a safe relative path; for the tests. */
int static_check_path(const char *url);

#endif
