/*
 * event_rec.c - trace events as flat records between two threads (see
 * event_rec.h).
 */
#include "event_rec.h"

#include <stdint.h>
#include <string.h>

size_t event_rec_size_at(const char *p, size_t avail)
{
	const struct event_rec_hdr *h = (const struct event_rec_hdr *)(const void *)p;
	if (avail < sizeof(*h) || h->size > avail || h->size < sizeof(*h))
		return 0;
	return h->size;
}

size_t event_rec_get(const char *p, size_t avail, int *kind, struct trace_event *ev, struct skb_state *st,
		     const char **line, size_t *line_len)
{
	const struct event_rec_hdr *h = (const struct event_rec_hdr *)(const void *)p;
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
	ev->msg = h->msg_len == EVENT_REC_NO_TEXT ? NULL : b;
	ev->msg_len = h->msg_len == EVENT_REC_NO_TEXT ? 0 : h->msg_len - 1;
	b += h->msg_len == EVENT_REC_NO_TEXT ? 0 : h->msg_len;
	ev->args = h->args_len == EVENT_REC_NO_TEXT ? NULL : b;
	ev->args_len = h->args_len == EVENT_REC_NO_TEXT ? 0 : h->args_len - 1;
	return h->size;
}
