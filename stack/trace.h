/*
 * trace.h - the stack's one way to report: structured events (docs/design.md §5,
 * schema version 1). The stack calls trace_enter/trace_step/trace_exit
 * around each kernel function; sinks registered by the caller (JSONL, Chrome
 * trace, terminal printer, in-memory store) receive struct trace_event and
 * serialise it themselves. Tracing off costs one branch per call.
 *
 * Between on and off there is a third mode, for `replay --no-trace`: no
 * events at all, only each packet's outcome, recorded straight into an
 * outcome table (trace_set_outcome_table) as the events would have told
 * it (trace_outcome.c), from a frame stack of function and packet. The stack's
 * trace_on() stays false, so no argument is formatted.
 *
 * Model: every function opens a frame (B), may emit steps (i) and closes it
 * (E) with a verdict and, on drops, the kernel's drop reason. MIB counters
 * bumped while a frame is the innermost one are reported on its E event.
 */
#ifndef NJ_STACK_TRACE_H
#define NJ_STACK_TRACE_H

#include <stdint.h>

#include "drop_reason.h"
#include "jsonw.h"
#include "snmp.h"

#define TRACE_SCHEMA_VERSION	1
#define TRACE_MAX_DEPTH		64
#define TRACE_MAX_SINKS		8
#define TRACE_FRAME_MIBS	16
#define TRACE_MAX_FROM		64

struct net;
struct sk_buff;

enum nj_verdict {
	V_NONE = 0, V_PASS, V_DROP, V_QUEUED, V_STOLEN, V_CONSUMED,
	V_DELIVERED, V_FORWARDED, V_SENT,
	V_MAX
};

/*
 * trace_outcome - the packet outcome an event implies, or V_NONE: kfree_skb
 * steps are drops; E events with a verdict other than pass (drop, queued,
 * consumed, delivered, forwarded, sent) — the last such event of a packet
 * is its outcome. netif_rx's "queued" is not an outcome (the softirq
 * follows), nor is anything inside dev_queue_xmit of a reply.
 */
enum nj_verdict trace_outcome(const char *fn, char ph, enum nj_verdict v);

/*
 * The outcome table (trace_outcome.c): the packets seen since the last
 * flush, each with the outcome its events imply so far. The terminal sink
 * fills one from events; the lite mode fills one without them. A packet is
 * keyed by its capture number; work no packet caused (a timer firing) by
 * -seq of its root frame; the softirq's own frames belong to no packet.
 */
#define OUTCOME_OPEN_MAX	4096

struct outcome_pkt {
	int64_t key;
	enum nj_verdict outcome;
	enum skb_drop_reason reason;
	const char *fn;			/* what decided it; NULL after a kfree_skb step */
};

#define OUTCOME_DONE	1024	/* packets flushed lately, remembered by key */
struct outcome_table {
	struct outcome_pkt open[OUTCOME_OPEN_MAX];
	int nopen;
	uint8_t *flushed;		/* set to 1 by every flush (the lite tracer's flag), or NULL */
	int64_t done_key[OUTCOME_DONE];	/* key % OUTCOME_DONE: a flushed packet (+1; 0 none) */
	uint8_t done_v[OUTCOME_DONE];	/* and its outcome */
	int64_t timer_root;		/* key of the open timer root frame, 0 none */
	const char *rx_fn;		/* a pointer to "net_rx_action" seen, or NULL */
	void (*closed)(void *ctx, const struct outcome_pkt *p);	/* each packet at a flush */
	void *ctx;
	/* or, with no closed: each flushed packet (key >= 0) counted per
	 * outcome, and a drop per reason (SKB_DROP_REASON_MAX entries) */
	uint64_t *verdicts, *drops;
};

/* outcome_track - one event's effect (reason as the event carries it);
 * returns the packet it belongs to, NULL if none. A full table is flushed
 * first. */
struct outcome_pkt *outcome_track(struct outcome_table *t, char ph, int depth, uint64_t seq, int64_t pkt,
				  const char *fn, enum nj_verdict v, enum skb_drop_reason reason);
/* outcome_flush - hands every open packet to closed (or counts it), in
 * order, and empties the table. */
void outcome_flush(struct outcome_table *t);
/* outcome_flush_open - the same, with no call when no packet is open (a
 * replay flushes after every softirq and timer run, most with none). */
static inline void outcome_flush_open(struct outcome_table *t)
{
	if (t->nopen)
		outcome_flush(t);
	else if (t->flushed)
		*t->flushed = 1;
}

/* verdict_name - "pass", "drop", …; "" for V_NONE. */
const char *verdict_name(enum nj_verdict v);
int verdict_lookup(const char *s);

/* The skb as it was when the event was emitted (offsets from skb->head). */
struct skb_state {
	uint32_t len;
	int32_t data, nh, th;		/* -1 when the header is unset */
	uint8_t pkt_type;
	uint16_t protocol;
	int32_t ifindex;
};

struct trace_mib_delta {
	uint16_t id;			/* enum nj_mib */
	uint32_t n;
};

struct trace_event {
	uint64_t seq;			/* 1, 2, … per net */
	uint64_t parent;		/* seq of the enclosing B event, 0 if none */
	int depth;
	char ph;			/* 'B', 'E' or 'i' */
	const char *fn;			/* kernel function name (static string) */
	const char *layer;		/* link, core, netfilter, ip, route, frag, tcp, udp, icmp, arp, packet, bpf, app */
	int64_t pkt;			/* capture packet number, -1 if none */
	int64_t skb;			/* skb id, -1 if none */
	uint64_t ts_ns;
	const struct skb_state *st;	/* NULL when there is no skb */
	const char *msg;		/* human summary, may be NULL */
	/* or, with msg NULL, the summary still to be formatted (only for
	 * sinks registered with TRACE_SINK_RAW_MSG): trace_msg_text */
	const struct trace_msg_raw *msg_raw;
	const char *args;		/* a JSON object's text, or NULL */
	enum nj_verdict verdict;	/* E events */
	enum skb_drop_reason reason;	/* E events with V_DROP and kfree_skb steps */
	const struct trace_mib_delta *mib;
	int n_mib;
	const uint64_t *from;		/* skb ids merged into this skb (reassembly) */
	int n_from;
	uint8_t after_capture;		/* happened after the capture's last frame */
	uint64_t after_ns;		/* … this long after it */
	/* strlen of msg and args when the producer knows it, else 0: a sink
	 * that copies them need not measure them again */
	uint32_t msg_len, args_len;
};

/* trace_fn_is - fn is name: strcmp's answer without its call, for checks
 * that run per event (most names differ within a letter or two). */
static inline int trace_fn_is(const char *fn, const char *name)
{
	while (*name && *fn == *name) {
		fn++;
		name++;
	}
	return *fn == *name;
}

/* A sink: emit is called for every event, in order; the event and every
 * pointer in it are valid only during the call. */
struct trace_sink {
	void (*emit)(void *ctx, const struct trace_event *ev);
	void *ctx;
};

struct trace_frame {
	uint64_t seq;
	const char *fn, *layer;
	int64_t pkt, skb;
	struct trace_mib_delta mib[TRACE_FRAME_MIBS];
	int n_mib;
};

/* Formats are string literals (every trace macro passes one), so they are
 * compiled once and found again by address. */
#define TRACE_FMT_CACHE	512		/* a power of two */
#define TRACE_FMT_SEGS	12		/* a TCP segment's summary has 9 conversions */

#define TRACE_MSG_MAX	512		/* a msg's bytes with its NUL, at most */

struct trace_fmt_info {			/* a format string, compiled (see fmt_msg) */
	const char *fmt;
	uint16_t len;
	uint8_t plain;			/* no conversion: the text itself */
	uint8_t nseg;			/* 0: not compiled, formatted the slow way */
	struct trace_fmt_seg {
		uint16_t lit, lit_len;	/* literal text before the conversion */
		char conv;		/* s c d i u x X %, or 0 after the last */
		uint8_t lng;		/* 0, l 1, ll 2, z 3 */
		uint8_t zpad;		/* %0Nx / %0Nu: zero-padded to N */
	} seg[TRACE_FMT_SEGS];
};

/*
 * A msg not yet formatted, as Linux's trace_bprintk records one: the
 * format (a string literal, as every trace macro passes) and the raw
 * arguments its compiled form took, each number in 8 bytes, each string
 * as a 2-byte length and its bytes (cut at TRACE_MSG_MAX - 1: the text is
 * cut there anyway). A traced replay writing JSONL formats it on the
 * writer's thread.
 */
struct trace_msg_raw {
	uint32_t size;			/* the whole of it, a multiple of 8 */
	uint32_t pad;
	const char *fmt;
	unsigned char args[];
};
#define TRACE_MSG_RAW_MAX (sizeof(struct trace_msg_raw) + TRACE_FMT_SEGS * (2 + TRACE_MSG_MAX) + 8)

/* trace_msg_text - the text of r into out (TRACE_MSG_MAX bytes), as the
 * tracer would have made it: its length (0: the event has no msg). */
size_t trace_msg_text(const struct trace_msg_raw *r, char *out);

struct tracer {
	int hooked;			/* on or lite: the one field the macros test first */
	int on;				/* at least one sink: full events */
	int lite;			/* outcomes only, into lite_tbl (see top) */
	struct outcome_table *lite_tbl;
	const char *lite_fn[TRACE_MAX_DEPTH];	/* the lite mode's frames: fn and pkt */
	int64_t lite_pk[TRACE_MAX_DEPTH];
	const char *lite_rx_fn;		/* a pointer to "netif_rx" seen, or NULL */
	uint8_t lite_flushed;		/* lite_tbl flushed since the depth-0 frame began;
					 * also 1 whenever the lite mode is off, so the
					 * inline steps test this one flag */
	uint64_t next_seq;
	int depth;			/* open frames, also counted when off */
	struct trace_frame frames[TRACE_MAX_DEPTH];
	struct trace_sink sinks[TRACE_MAX_SINKS];
	int nsinks;
	struct jw args;			/* args for the next event, if args_set */
	int args_set;
	uint64_t from[TRACE_MAX_FROM];	/* "from" for the next event */
	int n_from;
	char msg[TRACE_MSG_MAX];
	size_t msg_len;			/* of the text kfree_msg made last */
	struct trace_fmt_info fmt_cache[TRACE_FMT_CACHE];
	/* TRACE_SINK_RAW_MSG on every sink: compiled msgs are left to them */
	int msg_defer;
	_Alignas(8) unsigned char msg_raw[TRACE_MSG_RAW_MAX];	/* the next event's msg_raw */
	/* After the capture's last frame the replay runs the clock on until
	 * the timers are quiet: events then carry after_capture (replay.c). */
	uint8_t after_capture;
	uint64_t capture_end_ns;	/* packet time of the last frame */
};

/* trace_add_sink - registers a sink; returns 0, or -1 when the table is full. */
int trace_add_sink(struct net *net, void (*emit)(void *, const struct trace_event *), void *ctx);
/* TRACE_SINK_RAW_MSG: the sink reads msg only through event_to_json (or
 * copies msg_raw), so the tracer may leave it unformatted while every
 * sink says so. */
#define TRACE_SINK_RAW_MSG	1u
int trace_add_sink_flags(struct net *net, void (*emit)(void *, const struct trace_event *), void *ctx,
			 unsigned flags);
void trace_clear_sinks(struct net *net);

/*
 * trace_set_outcome_table - the lite mode: the stack records into t what
 * its B and E events and kfree_skb steps would have (its owner flushes
 * it). Ignored while full sinks are registered (they see everything
 * anyway). NULL turns the mode off.
 */
void trace_set_outcome_table(struct net *net, struct outcome_table *t);

void __trace_enter(struct net *net, const struct sk_buff *skb, const char *fn,
		   const char *layer, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void __trace_step(struct net *net, const struct sk_buff *skb, const char *fn,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void __trace_exit(struct net *net, const struct sk_buff *skb, enum nj_verdict v,
		  enum skb_drop_reason reason, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* __trace_kfree - the kfree_skb step: an 'i' event with verdict drop and
 * reason (full or lite mode; call when tr.hooked). */
void __trace_kfree(struct net *net, const struct sk_buff *skb, enum skb_drop_reason reason);
void __trace_mib(struct net *net, enum nj_mib m, uint32_t n);
struct jw *__trace_args(struct net *net);
void __trace_lite_enter(struct net *net, const struct sk_buff *skb, const char *fn, const char *layer);
void __trace_lite_exit(struct net *net, enum nj_verdict v, enum skb_drop_reason reason);
/* __trace_lite_kfree - the kfree_skb step of an skb of packet pkt, lite mode (__trace_kfree). */
void __trace_lite_kfree(struct net *net, int64_t pkt, enum skb_drop_reason reason);

/* The traced calls, placed off the straight path of the functions that
 * make them: untraced (off, or the lite mode) the code a packet runs
 * through stays dense in the instruction cache. A traced replay pays a
 * jump per call, next to formatting an event. */
#define trace_unlikely(x)	__builtin_expect(!!(x), 0)

/*
 * trace_enter - opens a frame for fn. fmt/args form the event's msg (may be
 * NULL). Must be paired with trace_exit on every path.
 */
#define trace_enter(net, skb, fn, layer, ...) \
	do { \
		if ((net)->tr.hooked) { \
			if (trace_unlikely((net)->tr.on)) \
				__trace_enter(net, skb, fn, layer, __VA_ARGS__); \
			else \
				trace_lite_enter(net, skb, fn, layer); \
		} \
	} while (0)
/* trace_step - an 'i' event inside the current frame (or a top-level one). */
#define trace_step(net, skb, fn, ...) \
	do { if (trace_unlikely((net)->tr.on)) __trace_step(net, skb, fn, __VA_ARGS__); } while (0)
/*
 * trace_exit - closes the innermost frame. skb is NULL when it was freed or
 * handed on; the event keeps the ids recorded at enter.
 */
#define trace_exit(net, skb, v, reason, ...) \
	do { \
		if ((net)->tr.hooked) { \
			if (trace_unlikely((net)->tr.on)) \
				__trace_exit(net, skb, v, reason, __VA_ARGS__); \
			else \
				trace_lite_exit(net, v, reason); \
		} \
	} while (0)

/* trace_args - the JSON object builder for the next event's args, already
 * opened with '{'; the emitter closes it. Only call when trace_on(). */
static inline struct jw *trace_args(struct net *net) { return __trace_args(net); }

/* trace_from - skb ids the next event's skb was built from. */
void trace_from(struct net *net, const uint64_t *ids, int n);

/* skb_state_of - fills st from skb (for sinks and tests). */
void skb_state_of(const struct sk_buff *skb, struct skb_state *st);

#endif
