/*
 * replay.h - replaying a capture through the stack. Packet time drives the
 * clock; the NET_RX softirq runs when the clock moves on (frames with the
 * same timestamp arrive as one burst) or when netdev_budget frames wait.
 * Used by `netjourney replay`, and by serve/step/lesson to build traces.
 * When the frames end, the clock runs on (REPLAY_AFTER_MAX_NS at most)
 * while timers are armed: fragment queues expire, delayed ACKs, SYN-ACK
 * retransmissions and TIME_WAIT run out, as on the host after the
 * capture stopped; those events carry after_capture (trace.h). Not when
 * cfg->stop_at_end, nor when stopped early (cfg->stop).
 */
#ifndef NJ_REPLAY_REPLAY_H
#define NJ_REPLAY_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netns.h"

#define REPLAY_AFTER_MAX_NS	(300ULL * 1000000000ULL)	/* 5 min of simulated time */

struct replay_result;

struct replay_cfg {
	const char *pcap;		/* capture to read */
	const char *scenario;		/* scenario file, NULL = default */
	const char *scenario_json;	/* scenario as JSON text; wins over scenario (what-if edits) */
	const char *scenario_label;	/* its name in messages and trace_start (NULL: "edited scenario") */
	int auto_host;			/* infer the capture's host even if it fits the default */
	int learn_neigh;		/* learn peers' MACs from frames even with a scenario given, as
					 * for an inferred host (the web's second replay of one) */
	const char *host;		/* --host IP|MAC: the capture host (implies inference) */
	int no_infer;			/* without -c: keep the default host, infer nothing */
	int no_csum;			/* do not verify checksums */
	int csum;			/* verify checksums, whatever the scenario (--csum) */
	const char *write_pcap;		/* -w: frames the stack sent */
	const char *bpf_filter;		/* -f: trace only matching packets (NULL = all) */
	/* extra sinks: called for every event */
	void (*emit[4])(void *ctx, const struct trace_event *ev);
	void *emit_ctx[4];
	unsigned emit_flags[4];		/* trace_add_sink_flags's (0: none) */
	int nemit;
	/* called with each frame that is about to be traced, just before its
	 * driver_rx event: what a sink wants of the frame's bytes, without
	 * decoding them again from the event's hex args */
	void (*on_frame[2])(void *ctx, int64_t pkt, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len);
	void *on_frame_ctx[2];
	int nframe;
	/* called after each softirq run (e.g. human_flush) */
	void (*after_softirq)(void *ctx);
	void *after_ctx;
	/* called once the scenario is loaded, with its JSON text (trace_start) */
	void (*on_start)(void *ctx, const struct replay_result *res);
	void *on_start_ctx;
	/* called once the net exists, before the first frame (extra set-up) */
	int (*on_net)(void *ctx, struct net *net, char *err, size_t errlen);
	void *on_net_ctx;
	volatile int *stop;		/* set by a signal handler: stop early */
	int stop_at_end;		/* --stop-at-end: no clock after the last frame */
	uint64_t after_max_ns;		/* … else this long at most (0: REPLAY_AFTER_MAX_NS) */
	/* diff-kernel: frame i (from 0) plays at retime_ns[i], the time the
	 * kernel half sees it at, instead of its capture time (NULL: as
	 * captured); frames past nretime keep theirs */
	const uint64_t *retime_ns;
	uint64_t nretime;
	int progress;			/* progress on stderr */
	FILE *info;			/* notes (auto-host, offload) or NULL */
};

struct replay_result {
	uint64_t frames, events;
	int complete;			/* the whole file was read */
	char scenario_name[64];
	char kernel[16];
	char *scenario_json;		/* the effective scenario (malloc'd) */
	struct net *net;		/* during on_start only: the host, set up (trace_start's fib, rules) */
	int host_kind;			/* enum host_kind: what inference found (no -c) */
	char host_addr[46], host_mac[18];	/* the inferred host (IPv4, else IPv6), "" none */
	char host_why[160];		/* from what */
	char host_note[768];		/* the lines said about it */
	uint64_t trailing_offset;	/* a damaged tail: where it starts (0 none) */
	char trailing[256];		/* and what is wrong there */
};

/**
 * replay_run - replays cfg->pcap. Returns 0 when the whole file was read;
 * -1 with err set on a bad scenario, an unreadable or damaged file, or a
 * write failure — events already emitted stay valid (the sinks decide how
 * to mark an incomplete trace: see res->complete). *pnet receives the net
 * (caller destroys it with net_destroy) when pnet is not NULL.
 */
int replay_run(const struct replay_cfg *cfg, struct replay_result *res, struct net **pnet, char *err,
	       size_t errlen);

/* auto_host_scenario - a scenario JSON for the capture's own host, as
 * --auto-host infers it (host_infer.h). Returns malloc'd text, or NULL
 * with err set when no host can be inferred. */
char *auto_host_scenario(const char *pcap, char *note, size_t notelen, char *err, size_t errlen);

#endif
