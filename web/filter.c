/*
 * filter.c - the filter parameter of the events and packets pages: a few
 * tcpdump expressions per trace (least recently used replaced), each a
 * trace/filter.h filter, which compiles it and caches every packet's
 * result, so paging through a filtered trace decodes each frame once.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "web.h"

/* The slot for expr, compiled for Ethernet to reject bad syntax early. */
static struct web_filter *slot_for(struct web_trace *t, const char *expr, char *err, size_t errlen)
{
	struct web_filter *lru = &t->filters[0];
	char why[256];
	for (int i = 0; i < WEB_FILTERS; i++) {
		struct web_filter *f = &t->filters[i];
		if (f->f && !strcmp(filter_expr(f->f), expr)) {
			f->used = ++t->clock;
			return f;
		}
		if (f->used < lru->used)
			lru = f;
	}
	struct nj_filter *n = filter_compile(expr, DLT_EN10MB, why, sizeof(why));
	if (!n) {
		snprintf(err, errlen, "filter \"%.100s\": %s", expr, why);
		return NULL;
	}
	filter_free(lru->f);
	lru->f = n;
	lru->used = ++t->clock;
	return lru;
}

int web_filter_match(struct web_trace *t, const char *expr, int64_t pkt, char *err, size_t errlen)
{
	if (strlen(expr) > 1024) {
		snprintf(err, errlen, "filter: longer than 1024 characters");
		return -1;
	}
	pthread_mutex_lock(&t->mu);
	struct web_filter *f = slot_for(t, expr, err, errlen);
	int m = !f ? -1 : pkt < 0 ? 0 : filter_match(f->f, t->s, pkt);
	pthread_mutex_unlock(&t->mu);
	return m;
}

void web_filters_free(struct web_trace *t)
{
	for (int i = 0; i < WEB_FILTERS; i++) {
		filter_free(t->filters[i].f);
		t->filters[i].f = NULL;
	}
}
