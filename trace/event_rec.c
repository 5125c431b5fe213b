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

const struct trace_event *event_rec_view(const char *p, size_t avail, int *kind, const char **line,
					 size_t *line_len, size_t *size)
{
	const struct event_rec_hdr *h = (const struct event_rec_hdr *)(const void *)p;
	*size = 0;
	if (avail < sizeof(*h) || h->size > avail || h->size < sizeof(*h))
		return NULL;
	*size = h->size;
	*kind = (int)h->kind;
	if (h->kind == EVENT_REC_LINE) {
		*line = p + sizeof(*h);
		*line_len = h->line_len;
		return NULL;
	}
	return &h->ev;
}

size_t event_rec_get(const char *p, size_t avail, int *kind, struct trace_event *ev, struct skb_state *st,
		     const char **line, size_t *line_len)
{
	size_t size;
	const struct trace_event *e = event_rec_view(p, avail, kind, line, line_len, &size);
	if (e) {
		*ev = *e;
		if (e->st) {
			*st = *e->st;
			ev->st = st;
		}
	}
	return size;
}
