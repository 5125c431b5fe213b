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

#include "trace.h"

#define EVENT_REC_EVENT 0
#define EVENT_REC_LINE 1		/* a pre-built JSON line (metadata) */

/* The text lengths event_rec_size measured, so event_rec_put does not
 * measure them again (both run once per event of a traced replay). */
struct event_rec_len {
	size_t size;			/* the whole record */
	size_t msg, args;		/* with the NUL; 0 for NULL */
};

/* event_rec_size - bytes event_rec_put needs for ev (or for a line of
 * line_len bytes when ev is NULL); fills *len for event_rec_put. */
size_t event_rec_size(const struct trace_event *ev, size_t line_len, struct event_rec_len *len);

/* event_rec_put - writes the record of ev (or of the line) at out, which
 * has event_rec_size() bytes and is 8-aligned; len is what event_rec_size
 * filled. Returns that size. */
size_t event_rec_put(char *out, const struct trace_event *ev, const char *line, size_t line_len,
		     const struct event_rec_len *len);

/* event_rec_get - reads the record at p (8-aligned): *kind is
 * EVENT_REC_EVENT (ev filled, pointing into p) or EVENT_REC_LINE (*line,
 * *line_len set). Returns the record's size, 0 when p holds no valid
 * record of at most avail bytes. */
size_t event_rec_get(const char *p, size_t avail, int *kind, struct trace_event *ev, struct skb_state *st,
		     const char **line, size_t *line_len);

/* event_rec_size_at - the size of the record at p, as event_rec_get
 * returns it, without reading the rest. */
size_t event_rec_size_at(const char *p, size_t avail);

#endif
