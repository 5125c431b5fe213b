/*
 * host_infer.h - the capture host, inferred from a capture (issue #19): who
 * took it (the unicast MAC in nearly every frame, the cooked header's
 * direction, the address in most packets of a raw link, or --host), its
 * addresses, VLANs, gateway and on-link neighbours, and the sockets its
 * traffic shows: listeners (SYN answered by SYN-ACK), UDP ports it used,
 * its own connections (SYN_SENT with the recorded ISN) and those open
 * before the capture began (ESTABLISHED). The result is a scenario (JSON).
 */
#ifndef NJ_REPLAY_HOST_INFER_H
#define NJ_REPLAY_HOST_INFER_H

#include <stddef.h>
#include <stdint.h>

enum host_kind {
	HOST_FITS_DEFAULT,	/* the capture talks to the default host: nothing inferred */
	HOST_INFERRED,		/* json holds the inferred host */
	HOST_NONE,		/* no dominant host (a LAN segment, a router): note says so */
};

struct host_infer {
	enum host_kind kind;
	char *json;		/* the scenario, malloc'd (HOST_INFERRED) */
	char *json_print;	/* the same with every section, for --print-scenario */
	char note[768];		/* one or two lines: what was inferred and from what */
	char addr[46], mac[18];	/* the host: IPv4, else IPv6 ("" when not known) */
	char why[160];		/* the evidence, short */
	uint64_t frames;	/* frames looked at */
};

/**
 * host_infer - reads pcap and infers its host. host is --host (an IPv4
 * address or a MAC) or NULL; force infers even when the capture fits the
 * default host (--auto-host). Returns 0 with out filled (free with
 * host_infer_free), or -1 with err set when the file cannot be read.
 */
int host_infer(const char *pcap, const char *host, int force, struct host_infer *out, char *err, size_t errlen);
void host_infer_free(struct host_infer *h);


#endif
