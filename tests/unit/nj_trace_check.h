/*
 * nj_trace_check.h - a hand-written trace as an event store, for the units
 * of the trace layer and the front ends over it (test_fold.c,
 * test_step.c): the text goes to a temporary file that store_open_jsonl
 * indexes, as a trace written by replay -o would be; or a pcap of
 * pcaps/ replayed into a store (with its scenario when it has one).
 */
#ifndef NJ_TESTS_UNIT_NJ_TRACE_CHECK_H
#define NJ_TESTS_UNIT_NJ_TRACE_CHECK_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "store.h"

/* nj_trace_store - text (trace_start, then one event a line) in a new
 * temporary file, named in path (unlink it after store_free), indexed.
 * The test fails when the file cannot be written or does not load. */
static inline struct nj_store *nj_trace_store(const char *text, char path[64])
{
	char err[256];
	size_t n = strlen(text);
	snprintf(path, 64, "/tmp/nj_test_trace.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	struct nj_store *s = store_open_jsonl(path, err, sizeof(err));
	ck_assert_msg(s != NULL, "the test trace does not load: %s", err);
	return s;
}

/* nj_replay_pcap - pcap ("pcaps/X.pcap") replayed under pcaps/X.json when
 * that exists, as `netjourney replay` would; the test fails otherwise. */
static inline struct nj_store *nj_replay_pcap(const char *pcap)
{
	char sc[512], err[600];
	snprintf(sc, sizeof(sc), "%.*s.json", (int)(strlen(pcap) - 5), pcap);
	struct replay_cfg cfg = { .scenario = access(sc, R_OK) == 0 ? sc : NULL };
	struct load_opts o = { .cfg = &cfg };
	struct nj_store *s = load_capture(pcap, &o, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s: %s", pcap, err);
	return s;
}

/* nj_each_pcap - fn on each pcap of pcaps/ replayed (its path, its store,
 * freed after fn); returns how many. */
static inline int nj_each_pcap(void (*fn)(void *ctx, const char *path, struct nj_store *s), void *ctx)
{
	DIR *d = opendir("pcaps");
	struct dirent *de;
	int n = 0;
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char p[512];
		if (l < 6 || strcmp(de->d_name + l - 5, ".pcap"))
			continue;
		snprintf(p, sizeof(p), "pcaps/%s", de->d_name);
		struct nj_store *s = nj_replay_pcap(p);
		fn(ctx, p, s);
		store_free(s);
		n++;
	}
	closedir(d);
	return n;
}

#endif
