/*
 * event_rec.h - a trace event copied into a flat record, so that a traced
 * replay's thread hands events to the JSONL writer thread, which formats
 * them (issue 11: JSON formatting and the disk copy run beside the stack
 * on a second core). Not a file format: records live only in memory,
 * between two threads of one process.
 *
 * A record is a header, the mib deltas, the merged skb ids, the message
 * and the args text; its size is a multiple of 8, so records packed one
 * after another stay aligned. fn and layer are static strings and travel
 * as pointers.
 */
#ifndef NJ_TRACE_EVENT_REC_H
#define NJ_TRACE_EVENT_REC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trace.h"

#define EVENT_REC_EVENT 0
#define EVENT_REC_LINE 1		/* a pre-built JSON line (metadata) */

/* The text lengths event_rec_size measured, so event_rec_put does not
 * measure them again (both run once per event of a traced replay). */
struct event_rec_len {
	size_t size;			/* the whole record */
	size_t msg, args;		/* with the NUL; 0 for NULL; msg: or msg_raw's size */
};

/* The record's header: the event itself, its pointers already pointing
 * into the record (at the skb_state below, and at from, mib, msg and args,
 * which follow the header), so the writer thread formats it where it lies
 * instead of rebuilding a struct trace_event from fields. A record is
 * therefore read where it was written, never moved. Inline below, with
 * event_rec_size and event_rec_put: they run once per event of a traced
 * replay, on the stack's thread. */
struct event_rec_hdr {
	uint32_t size;			/* the whole record, a multiple of 8 */
	uint32_t kind;
	uint64_t line_len;		/* EVENT_REC_LINE: the line's bytes */
	struct trace_event ev;
	struct skb_state st;		/* ev.st points here, or is NULL */
};

_Static_assert(sizeof(struct event_rec_hdr) % 8 == 0, "records must stay 8-aligned");
_Static_assert(sizeof(struct trace_mib_delta) == 8, "mib deltas pack in 8 bytes");

static inline size_t event_rec_round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Texts keep their NUL: the JSON writer reads them as C strings. known
 * is the producer's strlen, or 0 when it did not say. */
static inline size_t event_rec_text_size(const char *s, uint32_t known)
{
	return s ? (known ? known : strlen(s)) + 1 : 0;
}

static inline size_t event_rec_size(const struct trace_event *ev, size_t line_len, struct event_rec_len *len)
{
	len->msg = !ev ? 0 : ev->msg_raw ? ev->msg_raw->size : event_rec_text_size(ev->msg, ev->msg_len);
	len->args = ev ? event_rec_text_size(ev->args, ev->args_len) : 0;
	len->size = ev ? event_rec_round8(sizeof(struct event_rec_hdr) + (size_t)ev->n_from * 8 +
					  (size_t)ev->n_mib * 8 + len->msg + len->args)
		       : event_rec_round8(sizeof(struct event_rec_hdr) + line_len);
	return len->size;
}

/* The header is written field by field into out itself: built on the
 * stack and copied, its wide loads waited on the narrow stores just made
 * (a store-forwarding stall per load, the top cost of a traced replay's
 * main thread). */
static inline __attribute__((always_inline)) size_t
event_rec_put(char *out, const struct trace_event *ev, const char *line, size_t line_len,
	      const struct event_rec_len *len)
{
	struct event_rec_hdr *h = (struct event_rec_hdr *)(void *)out;
	struct trace_event *e = &h->ev;
	char *o = out + sizeof(*h);
	h->size = (uint32_t)len->size;
	if (!ev) {
		h->kind = EVENT_REC_LINE;
		h->line_len = line_len;
		memcpy(o, line, line_len);
		return h->size;
	}
	h->kind = EVENT_REC_EVENT;
	e->seq = ev->seq;
	e->parent = ev->parent;
	e->depth = ev->depth;
	e->ph = ev->ph;
	e->fn = ev->fn;
	e->layer = ev->layer;
	e->pkt = ev->pkt;
	e->skb = ev->skb;
	e->ts_ns = ev->ts_ns;
	e->verdict = ev->verdict;
	e->reason = ev->reason;
	e->after_capture = ev->after_capture;
	e->after_ns = ev->after_ns;
	e->st = ev->st ? &h->st : NULL;
	if (ev->st)
		h->st = *ev->st;
	e->n_from = ev->n_from;
	e->from = ev->n_from ? (const uint64_t *)(const void *)o : NULL;
	if (ev->n_from)		/* memcpy from NULL is undefined even for 0 bytes */
		memcpy(o, ev->from, (size_t)ev->n_from * 8);
	o += (size_t)ev->n_from * 8;
	e->n_mib = ev->n_mib;
	e->mib = ev->n_mib ? (const struct trace_mib_delta *)(const void *)o : NULL;
	if (ev->n_mib)
		memcpy(o, ev->mib, (size_t)ev->n_mib * 8);
	o += (size_t)ev->n_mib * 8;
	e->msg = ev->msg ? o : NULL;
	e->msg_len = ev->msg ? (uint32_t)len->msg - 1 : 0;
	e->msg_raw = ev->msg_raw ? (const struct trace_msg_raw *)(const void *)o : NULL;
	if (ev->msg || ev->msg_raw)	/* a raw msg's size keeps o 8-aligned */
		memcpy(o, ev->msg ? ev->msg : (const char *)ev->msg_raw, len->msg);
	o += len->msg;
	e->args = ev->args ? o : NULL;
	e->args_len = ev->args ? (uint32_t)len->args - 1 : 0;
	if (ev->args)
		memcpy(o, ev->args, len->args);
	return h->size;
}

/* event_rec_view - the record at p (8-aligned), read in place: *kind is
 * EVENT_REC_EVENT (the event returned, pointing into p) or EVENT_REC_LINE
 * (*line, *line_len set, NULL returned). *size is the record's size, 0
 * when p holds no valid record of at most avail bytes. */
const struct trace_event *event_rec_view(const char *p, size_t avail, int *kind, const char **line,
					 size_t *line_len, size_t *size);

/* event_rec_get - as event_rec_view, into a copy: *kind is
 * EVENT_REC_EVENT (ev filled, its texts pointing into p, st a copy) or EVENT_REC_LINE (*line,
 * *line_len set). Returns the record's size, 0 when p holds no valid
 * record of at most avail bytes. */
size_t event_rec_get(const char *p, size_t avail, int *kind, struct trace_event *ev, struct skb_state *st,
		     const char **line, size_t *line_len);

/* event_rec_size_at - the size of the record at p, as event_rec_get
 * returns it, without reading the rest. */
size_t event_rec_size_at(const char *p, size_t avail);

#endif
