/*
 * step_headers.h - decoding a captured frame into its headers (Ethernet,
 * 802.1Q, Linux cooked, IPv4, TCP, UDP, ICMP, ARP) with each header's
 * span, for `print headers` and for the highlight in `x`. Never reads past
 * the captured length: a cut header is reported as such.
 */
#ifndef NJ_TRACE_STEP_HEADERS_H
#define NJ_TRACE_STEP_HEADERS_H

#include <stddef.h>
#include <stdint.h>

#define STEP_MAX_HDRS	8

struct step_hdr {
	const char *name;		/* "Ethernet", "802.1Q", "IPv4", "TCP", … */
	size_t off, len;		/* span in the frame */
	char line1[160], line2[160];	/* decoded fields, each under 80 columns */
	char line3[160];		/* TCP options as tcpdump shows them, or empty */
};

/* step_decode - the headers of frame p[0..n) of link type dlt into out;
 * returns how many (0 when the link type is unknown). */
int step_decode(int dlt, const uint8_t *p, size_t n, struct step_hdr *out, int max);

#endif
