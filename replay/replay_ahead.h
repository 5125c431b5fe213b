/*
 * replay_ahead.h - docs/design.md §4b: the replay reads the capture a little
 * ahead of the frame it delivers, so a socket in step with the capture
 * answers a SYN with the SYN-ACK the recorded host sent (its ISN) at once,
 * instead of with its own and then the recorded one: -w holds one SYN-ACK,
 * as Linux sent. Only when the scenario has TCP listeners: a listener of
 * any application falls in step once the capture shows the host sending.
 */
#ifndef NJ_SRC_REPLAY_AHEAD_H
#define NJ_SRC_REPLAY_AHEAD_H

#include <stdint.h>

#include "source_pcap.h"

#define REPLAY_AHEAD_NS	(1000ULL * 1000000ULL)	/* 1 s: a SYN-ACK answers its SYN within it */

struct replay_ahead {
	struct pcap_source src;
	int open;			/* 0: off (no recorded listener, or unreadable) */
	int pending;			/* frame holds one read past the horizon */
	uint64_t pending_ns;
	uint32_t len;
	uint8_t frame[128];		/* its first bytes: headers only */
	const uint64_t *retime_ns;	/* replay_cfg's: frames at other times */
	uint64_t nretime;
};

/* replay_ahead_open - starts a second reader of path when net has a TCP
 * listener; otherwise (or when it cannot) stays off. */
void replay_ahead_open(struct replay_ahead *ra, struct net *net, const char *path);

/* replay_ahead_run - reads frames up to time until_ns; each SYN-ACK a host
 * address sent pins its ISN (tcp_isn_pin_ahead) for the SYN to come. */
void replay_ahead_run(struct replay_ahead *ra, struct net *net, uint64_t until_ns);

void replay_ahead_close(struct replay_ahead *ra);

/* The latest time a frame plays at (about 2116): the stack adds timeouts
 * of minutes to the clock, which must never wrap. */
#define REPLAY_TIME_MAX_NS	(1ULL << 62)

/* replay_frame_time - the time frame number n (from 1) with header h
 * plays at: its capture time (tv_usec holds nanoseconds: the readers'
 * nano mode), or retime_ns[n - 1] when given. A time before 1970 (libpcap
 * reads the seconds as signed) is 0, so the clock stays where it is; one
 * past REPLAY_TIME_MAX_NS is that. */
static inline uint64_t replay_frame_time(const struct pcap_pkthdr *h, uint64_t n, const uint64_t *retime_ns,
					 uint64_t nretime)
{
	if (retime_ns && n >= 1 && n <= nretime)
		return retime_ns[n - 1] < REPLAY_TIME_MAX_NS ? retime_ns[n - 1] : REPLAY_TIME_MAX_NS;
	if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
		return 0;
	if ((uint64_t)h->ts.tv_sec >= REPLAY_TIME_MAX_NS / 1000000000ULL)
		return REPLAY_TIME_MAX_NS;
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
	return t < REPLAY_TIME_MAX_NS ? t : REPLAY_TIME_MAX_NS;
}

#endif
