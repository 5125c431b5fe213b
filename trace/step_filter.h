/*
 * step_filter.h - tcpdump-expression breakpoints: the expression is
 * compiled with libpcap for the capture's link type and run with
 * pcap_offline_filter over a packet's captured frame (driver_rx args).
 * Results are cached per packet, so `continue` over a long trace decodes
 * each frame once.
 */
#ifndef NJ_TRACE_STEP_FILTER_H
#define NJ_TRACE_STEP_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct step_filter;

/* step_filter_compile - NULL with libpcap's message in err on a bad expression. */
struct step_filter *step_filter_compile(const char *expr, int dlt, char *err, size_t errlen);
/* step_filter_match - 1 when packet pkt's frame matches; 0 otherwise or
 * when the trace holds no frame for it. */
int step_filter_match(struct step_filter *f, struct nj_store *s, int64_t pkt);
void step_filter_free(struct step_filter *f);

#endif
