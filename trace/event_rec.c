/*
 * event_rec.c - trace events as flat records between two threads (see
 * event_rec.h).
 */
#include "event_rec.h"

#include <stdint.h>
#include <string.h>

#define NO_TEXT UINT32_MAX

struct rec_hdr {
	uint32_t size;			/* the whole record, a multiple of 8 */
	uint8_t kind;
	char ph;
	uint8_t has_st;
	uint8_t after_capture;		/* with after_ns: time after the capture's last frame */
	int32_t depth;
	uint32_t msg_len, args_len;	/* with the NUL; NO_TEXT for NULL; a line's length in msg_len */
	uint16_t n_mib, n_from;
	int32_t verdict, reason;
	uint32_t pad2;
	uint64_t seq, parent, ts_ns, after_ns;
	int64_t pkt, skb;
	const char *fn, *layer;
	struct skb_state st;
};

_Static_assert(sizeof(struct rec_hdr) % 8 == 0, "records must stay 8-aligned");
_Static_assert(sizeof(struct trace_mib_delta) == 8, "mib deltas pack in 8 bytes");

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Texts keep their NUL: the JSON writer reads them as C strings. known
 * is the producer's strlen, or 0 when it did not say. */
static size_t text_size(const char *s, uint32_t known)
{
	return s ? (known ? known : strlen(s)) + 1 : 0;
}

size_t event_rec_size(const struct trace_event *ev, size_t line_len, struct event_rec_len *len)
{
	len->msg = ev ? text_size(ev->msg, ev->msg_len) : 0;
	len->args = ev ? text_size(ev->args, ev->args_len) : 0;
	len->size = ev ? round8(sizeof(struct rec_hdr) + (size_t)ev->n_from * 8 + (size_t)ev->n_mib * 8 + len->msg +
				len->args)
		       : round8(sizeof(struct rec_hdr) + line_len);
	return len->size;
}

/* The header is written field by field into out itself: built on the
 * stack and copied, its wide loads waited on the narrow stores just made
 * (a store-forwarding stall per load, the top cost of a traced replay's
 * main thread). */
size_t event_rec_put(char *out, const struct trace_event *ev, const char *line, size_t line_len,
		     const struct event_rec_len *len)
{
	struct rec_hdr *h = (struct rec_hdr *)(void *)out;
	char *o = out + sizeof(*h);
	h->size = (uint32_t)len->size;
	if (!ev) {
		h->kind = EVENT_REC_LINE;
		h->msg_len = (uint32_t)line_len;
		memcpy(o, line, line_len);
		return h->size;
	}
	h->kind = EVENT_REC_EVENT;
	h->ph = ev->ph;
	h->has_st = ev->st != NULL;
	h->after_capture = ev->after_capture;
	h->depth = ev->depth;
	h->n_mib = (uint16_t)ev->n_mib;
	h->n_from = (uint16_t)ev->n_from;
	h->verdict = (int32_t)ev->verdict;
	h->reason = (int32_t)ev->reason;
	h->pad2 = 0;
	h->seq = ev->seq;
	h->parent = ev->parent;
	h->ts_ns = ev->ts_ns;
	h->after_ns = ev->after_ns;
	h->pkt = ev->pkt;
	h->skb = ev->skb;
	h->fn = ev->fn;
	h->layer = ev->layer;
	if (ev->st)
		h->st = *ev->st;
	if (ev->n_from)		/* memcpy from NULL is undefined even for 0 bytes */
		memcpy(o, ev->from, (size_t)ev->n_from * 8);
	o += (size_t)ev->n_from * 8;
	if (ev->n_mib)
		memcpy(o, ev->mib, (size_t)ev->n_mib * 8);
	o += (size_t)ev->n_mib * 8;
	h->msg_len = ev->msg ? (uint32_t)len->msg : NO_TEXT;
	if (ev->msg)
		memcpy(o, ev->msg, len->msg);
	o += len->msg;
	h->args_len = ev->args ? (uint32_t)len->args : NO_TEXT;
	if (ev->args)
		memcpy(o, ev->args, len->args);
	return h->size;
}

size_t event_rec_size_at(const char *p, size_t avail)
{
	const struct rec_hdr *h = (const struct rec_hdr *)(const void *)p;
	if (avail < sizeof(*h) || h->size > avail || h->size < sizeof(*h))
		return 0;
	return h->size;
}

size_t event_rec_get(const char *p, size_t avail, int *kind, struct trace_event *ev, struct skb_state *st,
		     const char **line, size_t *line_len)
{
	const struct rec_hdr *h = (const struct rec_hdr *)(const void *)p;
	if (avail < sizeof(*h) || h->size > avail || h->size < sizeof(*h))
		return 0;
	const char *b = p + sizeof(*h);
	*kind = h->kind;
	if (h->kind == EVENT_REC_LINE) {
		*line = b;
		*line_len = h->msg_len;
		return h->size;
	}
	/* every field is set below: no memset of the whole event first */
	ev->seq = h->seq;
	ev->parent = h->parent;
	ev->depth = h->depth;
	ev->ph = h->ph;
	ev->fn = h->fn;
	ev->layer = h->layer;
	ev->pkt = h->pkt;
	ev->skb = h->skb;
	ev->ts_ns = h->ts_ns;
	ev->after_capture = h->after_capture;
	ev->after_ns = h->after_ns;
	ev->st = NULL;
	if (h->has_st) {
		*st = h->st;
		ev->st = st;
	}
	ev->verdict = (enum nj_verdict)h->verdict;
	ev->reason = (enum skb_drop_reason)h->reason;
	ev->n_from = h->n_from;
	ev->from = h->n_from ? (const uint64_t *)(const void *)b : NULL;
	b += (size_t)h->n_from * 8;
	ev->n_mib = h->n_mib;
	ev->mib = h->n_mib ? (const struct trace_mib_delta *)(const void *)b : NULL;
	b += (size_t)h->n_mib * 8;
	ev->msg = h->msg_len == NO_TEXT ? NULL : b;
	ev->msg_len = h->msg_len == NO_TEXT ? 0 : h->msg_len - 1;
	b += h->msg_len == NO_TEXT ? 0 : h->msg_len;
	ev->args = h->args_len == NO_TEXT ? NULL : b;
	ev->args_len = h->args_len == NO_TEXT ? 0 : h->args_len - 1;
	return h->size;
}
