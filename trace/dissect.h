/*
 * dissect.h - a one-line, tcpdump-like summary of a captured frame
 * ("10.0.0.1 > 10.0.0.2: ICMP echo request id 1 seq 1"), for packet
 * lists and journey headers. Never reads past len.
 */
#ifndef NJ_TRACE_DISSECT_H
#define NJ_TRACE_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"	/* the link types we read (NJ_DLT_*) */

/* dissect_summary - writes the summary into out (always NUL-terminated). */
void dissect_summary(int dlt, const uint8_t *p, size_t len, char *out, size_t outlen);

/* dissect_l3 - a summary starting at the network header of ethertype proto. */
void dissect_l3(uint16_t proto, const uint8_t *p, size_t len, char *out, size_t outlen);

#endif
