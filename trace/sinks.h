/*
 * sinks.h - consumers of trace events: the JSONL file (the native form), a
 * Chrome Trace Event JSON file (Perfetto, chrome://tracing) and the
 * terminal printer (readable journey, or one summary line per packet).
 * Each has an emit function to register with trace_add_sink().
 */
#ifndef NJ_TRACE_SINKS_H
#define NJ_TRACE_SINKS_H

#include <stdio.h>

#include "events.h"
#include "outbuf.h"
#include "outfile.h"

/* -- JSONL: written to PATH.part and renamed to PATH on success; a failed
 * run leaves PATH as it was and its whole lines in PATH.partial, ended by a
 * trace_end saying complete:false (outfile.h). -- */
struct jsonl_sink {
	int open;
	FILE *f;			/* stdout ("-"), shared with the terminal printer */
	struct outfile of;		/* otherwise: the file, written through ob */
	struct outbuf ob;		/* event records; formatted on its thread */
	struct njz *z;			/* PATH ends in ".njz": the compact form (njz.h), else NULL */
	struct jw w;			/* stdout: this thread's JSON */
	uint64_t events;
	/* file: the writer thread's JSON, on cache lines of its own (sharing
	 * one with events cost a cache miss per event) */
	_Alignas(64) struct jw cw;
	uint64_t cw_events;		/* events in cw, not yet written */
	off_t good;			/* bytes written whole, all lines */
	uint64_t good_events;		/* events among them */
	off_t synced;			/* bytes handed to the disk's writeback */
	_Alignas(64) char end[1];
};

/* jsonl_end_fn - writes into the empty w the trace_end line (no newline)
 * of a trace that is complete or not and holds events events. */
typedef void (*jsonl_end_fn)(void *ctx, struct jw *w, int complete, uint64_t events, const char *error);

/* jsonl_open - "-" is stdout. Returns 0, or -1 with err naming the file
 * (also when another process is writing it). */
int jsonl_open(struct jsonl_sink *s, const char *path, char *err, size_t errlen);
void jsonl_emit(void *ctx, const struct trace_event *ev);
/* jsonl_line - writes one pre-built JSON line (metadata). */
void jsonl_line(struct jsonl_sink *s, const char *json);
/* jsonl_failed - whether a write to the file failed already (a full
 * disk): the caller may stop early, as the rest would be lost anyway. */
static inline int jsonl_failed(const struct jsonl_sink *s) { return s->open && !s->f && outbuf_failed(&s->ob); }
/* jsonl_flush - puts every line given so far into the file (live mode:
 * a reader sees each packet as it happens). 0, or -1 on a write error. */
int jsonl_flush(struct jsonl_sink *s);
/**
 * jsonl_finish - ends the trace. error NULL: end (if not NULL) writes the
 * complete trace_end, then the file is synced and renamed into place.
 * error set, or a write failed: the file is cut back to its last whole
 * line, end writes trace_end with complete false and the error (lines are
 * dropped from the end until it fits on a full disk), and the file goes
 * to PATH.partial, PATH untouched. Returns 0, or -1 with err set when the
 * trace did not reach PATH.
 */
int jsonl_finish(struct jsonl_sink *s, jsonl_end_fn end, void *ctx, const char *error, char *err,
		 size_t errlen);
/* jsonl_close - jsonl_finish without an end line: the caller wrote its own. */
int jsonl_close(struct jsonl_sink *s, char *err, size_t errlen);
/* jsonl_discard - nothing worth keeping (the run failed before it began):
 * PATH.part is removed, PATH untouched. */
void jsonl_discard(struct jsonl_sink *s);

/* -- Chrome Trace Event format (a JSON object with traceEvents); the same
 * file rules as JSONL; a partial one ends "complete":false,"error":... -- */
struct chrome_sink {
	FILE *f;
	char *iobuf;			/* stdio's buffer (setvbuf) */
	struct outfile of;
	struct jw w;
	uint64_t events;
};
int chrome_open(struct chrome_sink *s, const char *path, char *err, size_t errlen);
void chrome_emit(void *ctx, const struct trace_event *ev);
/* chrome_finish - as jsonl_finish; error set or a write failure: the last
 * whole event ends the array, then "complete":false and the error. */
int chrome_finish(struct chrome_sink *s, const char *error, char *err, size_t errlen);
int chrome_close(struct chrome_sink *s, char *err, size_t errlen);
void chrome_discard(struct chrome_sink *s);

/* -- Terminal: the journey, or --summary lines for golden tests. -- */
/* human_sink.quiet: how much is printed. */
#define HUMAN_JOURNEY	0		/* every event */
#define HUMAN_VERDICTS	1		/* -q: one verdict line per packet */
#define HUMAN_TOTALS	2		/* --no-trace: only the closing totals */

struct human_sink {
	FILE *out;
	int color;
	int summary;			/* one line per packet instead of the journey */
	int quiet;			/* HUMAN_JOURNEY, HUMAN_VERDICTS or HUMAN_TOTALS */
	struct outcome_table ot;	/* the packets since the last flush */
	struct jw fns[OUTCOME_OPEN_MAX];	/* "fn fn fn" of each, for the summary */
	uint64_t verdicts[V_MAX];	/* packets per final outcome */
	uint64_t drops[SKB_DROP_REASON_MAX];
	uint64_t after_ns;		/* the latest root event's time after the capture */
	int after;			/* … it came after the capture's last frame */
};

/* human_init - quiet is HUMAN_JOURNEY, HUMAN_VERDICTS or HUMAN_TOTALS (any
 * other non-zero value means HUMAN_VERDICTS). Cannot fail. */
void human_init(struct human_sink *s, FILE *out, int color, int summary, int quiet);
/* human_emit - the full trace sink. With tracing off (trace.h lite mode)
 * the stack fills s->ot itself: trace_set_outcome_table(net, &s->ot). */
void human_emit(void *ctx, const struct trace_event *ev);
/* human_prints_events - whether human_emit prints each event (with its
 * msg): otherwise it reads no msg (TRACE_SINK_RAW_MSG, trace.h). */
int human_prints_events(const struct human_sink *s);
/* human_flush - prints the outcome line of every packet seen since the last
 * flush (the replay calls it after each softirq run). */
static inline void human_flush(struct human_sink *s) { outcome_flush_open(&s->ot); }
/* human_totals - the closing table: packets per outcome and drop reason. */
void human_totals(struct human_sink *s, uint64_t packets);
/* human_counters - the nonzero MIB counters of net, nstat's names. */
void human_counters(struct human_sink *s, const struct net *net);
void human_free(struct human_sink *s);

#endif
