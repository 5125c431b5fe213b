/*
 * cmd_diff.c - `netjourney diff CAPTURE -c A.json [-c B.json] [--set PATH=VALUE]…`:
 * what if the host had been set up otherwise? The capture is replayed under
 * A and under B (A with the edits, or the second file with them); every
 * packet whose outcome differs is printed with both outcomes and where the
 * journeys part, then the counters that end differently (whatif/).
 * Exit status: 0 no packet differs, 1 some do, 2 usage or input error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cmd.h"
#include "whatif.h"

#define DIFF_SETS_MAX 32

static const char diff_help[] =
	"usage: netjourney diff CAPTURE [-c A.json] [-c B.json] [--set PATH=VALUE]... [--json] [--limit N]\n"
	"Replays CAPTURE under scenario A (default: the default host) and B (the second -c, or A),\n"
	"with each --set applied to B, and prints every packet whose outcome differs:\n"
	"both verdicts and reasons, and the function where the two journeys part.\n"
	"  --set PATH=VALUE   edit B: rp_filter=1, forwarding=true, interfaces[0].mtu=1000,\n"
	"                     kernel=2.4, netfilter[0].verdict=ACCEPT (VALUE is JSON or text)\n"
	"  --no-csum          do not verify checksums (both runs)\n"
	"  --json             the report as JSON (docs/whatif.md)\n"
	"  --limit N          print at most N packets (text; default 20)\n"
	"Exit status: 0 when no packet differs, 1 when some do, 2 on bad input.\n";

static volatile int diff_stop;
static void on_signal(int sig) { (void)sig; diff_stop = 1; }

struct diff_opts {
	const char *pcap, *files[2];
	int nfiles, json, no_csum;
	long limit;
	const char *sets[DIFF_SETS_MAX];
	int nsets;
};

static int parse(int argc, char **argv, struct diff_opts *o)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "no-csum", no_argument, NULL, 'n' },   { "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 },
	};
	int c;
	o->limit = 20;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c' && o->nfiles < 2)
			o->files[o->nfiles++] = optarg;
		else if (c == 's' && o->nsets < DIFF_SETS_MAX)
			o->sets[o->nsets++] = optarg;
		else if (c == 'j')
			o->json = 1;
		else if (c == 'n')
			o->no_csum = 1;
		else if (c == 'l' && (o->limit = strtol(optarg, NULL, 10)) >= 0)
			continue;
		else if (c == 'h') {
			fputs(diff_help, stdout);
			exit(0);
		} else {
			fprintf(stderr, "netjourney diff: %s\n", c == 'c' ? "at most two -c" : c == 's' ? "too many --set"
				: "bad option");
			return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(diff_help, stderr);
		return -1;
	}
	o->pcap = argv[optind];
	return 0;
}

static void print_text(const struct whatif_run *a, const struct whatif_run *b, long limit)
{
	size_t n = whatif_packets(a, b), k = 0;
	for (size_t i = 0; i < n; i++)
		if (whatif_pkt_differs(a, b, i) && (long)k++ < limit)
			whatif_print_pkt(stdout, a, b, i);
	if ((long)k > limit)
		printf("\n… and %zu more (--limit)\n", k - (size_t)limit);
	printf("\n%zu packets, %zu differ (A: %s, B: %s)\n", n, k, a->scenario_name, b->scenario_name);
	whatif_print_counters(stdout, a, b);
}

static int any_differs(const struct whatif_run *a, const struct whatif_run *b)
{
	for (size_t i = 0; i < whatif_packets(a, b); i++)
		if (whatif_pkt_differs(a, b, i))
			return 1;
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { 0 };
	if (parse(argc, argv, &o) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	struct whatif_cfg cfg = { .pcap = o.pcap, .scenario_a = o.files[0], .scenario_b = o.files[1],
				  .sets_b = o.sets, .nsets_b = o.nsets, .no_csum = o.no_csum, .stop = &diff_stop };
	struct whatif_run a, b;
	char err[512] = "";
	int rc = 2;
	if (whatif_run_both(&cfg, &a, &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney diff: %s\n", err);
	} else if (o.json) {
		cJSON *j = whatif_json(&a, &b);
		char *s = j ? cJSON_PrintUnformatted(j) : NULL;
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(j);
		rc = s ? any_differs(&a, &b) : 2;
	} else {
		print_text(&a, &b, o.limit);
		rc = any_differs(&a, &b);
	}
	whatif_run_free(&a);
	whatif_run_free(&b);
	return rc;
}
