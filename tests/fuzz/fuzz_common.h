/*
 * fuzz_common.h - shared by the libFuzzer targets in tests/fuzz/: a trace
 * sink that serialises every event as the JSONL writer would (so the event
 * encoder and every message the stack formats are fuzzed too), and a fresh
 * default host. Each target includes it once.
 */
#ifndef NJ_TESTS_FUZZ_FUZZ_COMMON_H
#define NJ_TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "scenario.h"
#include "stack.h"

/* The encoder's buffer lives across events and inputs: allocating one per
 * event would only measure malloc. It is freed at exit by the atexit hook
 * so LeakSanitizer sees nothing. */
static struct jw fuzz_jw;
static uint64_t fuzz_bytes;		/* keeps the encoder's output "used" */

static void fuzz_jw_free(void) { jw_free(&fuzz_jw); }

static void fuzz_sink(void *ctx, const struct trace_event *ev)
{
	(void)ctx;
	jw_reset(&fuzz_jw);
	event_to_json(&fuzz_jw, ev);
	fuzz_bytes += fuzz_jw.len;
}

/* fuzz_default_net - the embedded default scenario, traced into fuzz_sink.
 * Aborts when the default does not load: that is a bug, not an input. */
static inline struct net *fuzz_default_net(void)
{
	char err[256];
	struct net *net = net_create();
	if (!net || scenario_load_text(net, scenario_default_json, "default", err, sizeof(err)) < 0)
		abort();
	trace_add_sink(net, fuzz_sink, NULL);
	return net;
}

/* A little-endian reader over the fuzzer's bytes; reads past the end give 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint32_t fuzz_take(struct fuzz_in *in, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint32_t)*in->p << (8 * i);
	return v;
}

#endif
