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

/* -- JSONL: written to PATH.part and renamed to PATH on close. -- */
struct jsonl_sink {
	int open;
	FILE *f;			/* stdout ("-"), shared with the terminal printer */
	int fd;				/* otherwise: the file, written through ob */
	struct outbuf ob;		/* event records; formatted on its thread */
	char *path, *tmp;		/* tmp NULL when written in place */
	struct njz *z;			/* a PATH ending in .njz: the compact form (njz.h) */
	int zerr;			/* errno of a failed compact write, 0 = none */
	struct jw w;			/* stdout: this thread's JSON */
	uint64_t events;
	/* file: the writer thread's JSON, on cache lines of its own (sharing
	 * one with events cost a cache miss per event) */
	_Alignas(64) struct jw cw;
	_Alignas(64) char end[1];
};

/* jsonl_open - "-" is stdout; a path ending in .njz is written compact. Returns 0, or -1 with err naming the file. */
int jsonl_open(struct jsonl_sink *s, const char *path, char *err, size_t errlen);
void jsonl_emit(void *ctx, const struct trace_event *ev);
/* jsonl_line - writes one pre-built JSON line (metadata). */
void jsonl_line(struct jsonl_sink *s, const char *json);
/* jsonl_flush - puts every line given so far into the file (live mode:
 * a reader sees each packet as it happens). 0, or -1 on a write error. */
int jsonl_flush(struct jsonl_sink *s);
/* jsonl_close - flushes, closes and renames into place. Returns 0 or -1
 * (err set) when the disk refused the data. */
int jsonl_close(struct jsonl_sink *s, char *err, size_t errlen);

/* -- Chrome Trace Event format (a JSON object with traceEvents). -- */
struct chrome_sink {
	FILE *f;
	char *iobuf;			/* stdio's buffer (setvbuf) */
	char *path, *tmp;
	struct jw w;
	uint64_t events;
};
int chrome_open(struct chrome_sink *s, const char *path, char *err, size_t errlen);
void chrome_emit(void *ctx, const struct trace_event *ev);
int chrome_close(struct chrome_sink *s, char *err, size_t errlen);

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
};

/* human_init - quiet is HUMAN_JOURNEY, HUMAN_VERDICTS or HUMAN_TOTALS (any
 * other non-zero value means HUMAN_VERDICTS). Cannot fail. */
void human_init(struct human_sink *s, FILE *out, int color, int summary, int quiet);
/* human_emit - the full trace sink. With tracing off (trace.h lite mode)
 * the stack fills s->ot itself: trace_set_outcome_table(net, &s->ot). */
void human_emit(void *ctx, const struct trace_event *ev);
/* human_flush - prints the outcome line of every packet seen since the last
 * flush (the replay calls it after each softirq run). */
void human_flush(struct human_sink *s);
/* human_totals - the closing table: packets per outcome and drop reason. */
void human_totals(struct human_sink *s, uint64_t packets);
/* human_counters - the nonzero MIB counters of net, nstat's names. */
void human_counters(struct human_sink *s, const struct net *net);
void human_free(struct human_sink *s);

#endif
