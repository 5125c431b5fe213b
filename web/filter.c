/*
 * filter.c - tcpdump expressions over a trace's packets: libpcap compiles
 * the expression for the packet's link type (pcap_open_dead +
 * pcap_compile) and pcap_offline_filter runs it on the captured bytes. The
 * result for each packet is cached per expression (a few expressions per
 * trace, least recently used replaced), so paging through a filtered
 * trace decodes each frame once.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* pcap_compile's parser was not re-entrant in older libpcap releases. */
static pthread_mutex_t compile_mu = PTHREAD_MUTEX_INITIALIZER;

static void prog_free(struct web_filter *f)
{
	if (f->prog) {
		pcap_freecode(f->prog);
		free(f->prog);
		f->prog = NULL;
	}
}

static int compile(struct web_filter *f, const char *expr, int dlt, char *err, size_t errlen)
{
	if (f->prog && f->prog_dlt == dlt)
		return 0;
	prog_free(f);
	struct bpf_program *bp = calloc(1, sizeof(*bp));
	if (!bp)
		return -1;
	pthread_mutex_lock(&compile_mu);
	pcap_t *p = pcap_open_dead(dlt, 262144);
	int r = p ? pcap_compile(p, bp, expr, 1, PCAP_NETMASK_UNKNOWN) : -1;
	if (r < 0)
		snprintf(err, errlen, "filter \"%.100s\": %s", expr, p ? pcap_geterr(p) : "cannot open libpcap");
	if (p)
		pcap_close(p);
	pthread_mutex_unlock(&compile_mu);
	if (r < 0) {
		free(bp);
		return -1;
	}
	f->prog = bp;
	f->prog_dlt = dlt;
	return 0;
}

/* The slot for expr, compiled once for Ethernet to reject bad syntax early. */
static struct web_filter *slot_for(struct web_trace *t, const char *expr, char *err, size_t errlen)
{
	struct web_filter *lru = &t->filters[0];
	for (int i = 0; i < WEB_FILTERS; i++) {
		struct web_filter *f = &t->filters[i];
		if (f->expr && !strcmp(f->expr, expr)) {
			f->used = ++t->clock;
			return f;
		}
		if (f->used < lru->used)
			lru = f;
	}
	struct web_filter fresh = { 0 };
	if (compile(&fresh, expr, DLT_EN10MB, err, errlen) < 0)
		return NULL;
	prog_free(lru);
	free(lru->expr);
	free(lru->res);
	*lru = fresh;
	lru->expr = strdup(expr);
	lru->used = ++t->clock;
	return lru;
}

static int evaluate(struct web_trace *t, struct web_filter *f, int64_t pkt, char *err, size_t errlen)
{
	store_lock(t->s);
	const struct store_pkt *sp = store_pkt_find(t->s, pkt);
	struct store_pkt p = sp ? *sp : (struct store_pkt){ .driver_ev = STORE_NONE };
	store_unlock(t->s);
	struct web_frame fr;
	if (web_frame_get(t->s, &p, &fr) < 0)
		return 0;
	int m = 0;		/* a frame of no bytes matches nothing, and is freed too */
	if (fr.n && compile(f, f->expr, fr.linktype, err, errlen) == 0) {
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)fr.n, .len = fr.len > fr.n ? fr.len : (bpf_u_int32)fr.n };
		m = pcap_offline_filter(f->prog, &h, fr.bytes) != 0;
	}
	web_frame_free(&fr);
	return m;
}

int web_filter_match(struct web_trace *t, const char *expr, int64_t pkt, char *err, size_t errlen)
{
	if (strlen(expr) > 1024) {
		snprintf(err, errlen, "filter: longer than 1024 characters");
		return -1;
	}
	pthread_mutex_lock(&t->mu);
	struct web_filter *f = slot_for(t, expr, err, errlen);
	int m = -1;
	if (f && pkt < 0)
		m = 0;
	else if (f) {
		if ((size_t)pkt >= f->cap) {
			size_t cap = f->cap ? f->cap : 1024;
			while (cap <= (size_t)pkt)
				cap *= 2;
			uint8_t *n = realloc(f->res, cap);
			if (!n)
				goto out;
			memset(n + f->cap, 0, cap - f->cap);
			f->res = n;
			f->cap = cap;
		}
		if (!f->res[pkt])
			f->res[pkt] = evaluate(t, f, pkt, err, errlen) ? 1 : 2;
		m = f->res[pkt] == 1;
	}
out:
	pthread_mutex_unlock(&t->mu);
	return m;
}

void web_filters_free(struct web_trace *t)
{
	for (int i = 0; i < WEB_FILTERS; i++)
		prog_free(&t->filters[i]);
}
