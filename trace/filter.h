/*
 * filter.h - tcpdump expressions over a trace's packets, for every front
 * end (step's breakpoints, the server's filter parameter): libpcap
 * compiles the expression for a packet's link type (pcap_open_dead +
 * pcap_compile; one program per link type met, as a pcapng may mix them)
 * and pcap_offline_filter runs it on the captured frame (driver_rx's
 * "frame" arg). Each packet's result is cached, so paging or `continue`
 * over a long trace decodes each frame once.
 */
#ifndef NJ_TRACE_FILTER_H
#define NJ_TRACE_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct nj_filter;

/**
 * filter_compile - expr compiled for link type dlt (bad syntax is found
 * here). Returns the filter, or NULL with libpcap's message in err.
 */
struct nj_filter *filter_compile(const char *expr, int dlt, char *err, size_t errlen);

/**
 * filter_match - 1 when packet pkt of s matches, 0 when it does not, when
 * the trace holds no frame for it, or when the expression does not compile
 * for its link type ('ether host' on raw IP). Not thread safe: one caller
 * at a time per filter (the server holds its trace's lock).
 */
int filter_match(struct nj_filter *f, struct nj_store *s, int64_t pkt);

/* filter_expr - the expression f was compiled from. */
const char *filter_expr(const struct nj_filter *f);
void filter_free(struct nj_filter *f);		/* NULL is fine */

#endif
