/*
 * mkpcap.c - `netjourney mkpcap NAME FILE`: writes one scenario pcap (and
 * FILE's .json twin when the scenario needs its own host); `--list`,
 * `--all DIR` writes every scenario into DIR.
 */
#include "mkpcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define MK_EPOCH_US 1704067200000000ULL	/* 2024-01-01T00:00:00Z */

static const struct mk_scenario *const tables[] = {
	mk_core_scenarios, mk_frag_scenarios, mk_route_scenarios, mk_transport_scenarios, mk_ipv6_scenarios,
};

void mk_emit(struct mk_ctx *c, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(c->t_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(c->t_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)c->dumper, &h, frame);
	c->t_us += c->step_us;
	c->count++;
}

const struct mk_scenario *mk_find(const char *name)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mk_scenario *s = tables[t]; s->name; s++)
			if (!strcmp(s->name, name))
				return s;
	return NULL;
}

static int write_json_twin(const struct mk_scenario *s, const char *file)
{
	char path[4096];
	size_t n = strlen(file);
	if (n > 5 && !strcmp(file + n - 5, ".pcap"))
		n -= 5;
	snprintf(path, sizeof(path), "%.*s.json", (int)n, file);
	if (!s->scenario) {
		remove(path);
		return 0;
	}
	FILE *f = fopen(path, "w");
	if (!f || fputs(s->scenario, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "netjourney mkpcap: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int mk_write(const struct mk_scenario *s, const char *file, unsigned long param)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, file) : NULL;
	if (!d) {
		fprintf(stderr, "netjourney mkpcap: %s: %s\n", file, dead ? pcap_geterr(dead) : "no memory");
		if (dead)
			pcap_close(dead);
		return 1;
	}
	struct mk_ctx c = { .dumper = d, .t_us = MK_EPOCH_US, .step_us = 1000, .param = param };
	s->build(&c);
	pcap_dump_close(d);
	pcap_close(dead);
	if (write_json_twin(s, file) < 0)
		return 1;
	printf("%s: %u frames (%s)\n", file, c.count, s->name);
	return 0;
}

static void mk_list(void)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mk_scenario *s = tables[t]; s->name; s++)
			printf("%-28s %s%s\n", s->name, s->desc, s->scenario ? " [own scenario]" : "");
}

static int mk_all(const char *dir)
{
	int r = 0;
	char path[4096];
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mk_scenario *s = tables[t]; s->name; s++) {
			snprintf(path, sizeof(path), "%s/%s.pcap", dir, s->name);
			if (strncmp(s->name, "bench-", 6))
				r |= mk_write(s, path, 0);
		}
	return r;
}

int cmd_mkpcap(int argc, char **argv)
{
	static const char help[] =
		"usage: netjourney mkpcap NAME FILE.pcap [--count N]   write one scenario pcap\n"
		"       netjourney mkpcap --list           the scenarios\n"
		"       netjourney mkpcap --all DIR        every scenario into DIR (pcaps/ is made so)\n"
		"A scenario that needs its own host also writes FILE.json; replay it with -c FILE.json.\n";
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		mk_list();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--all"))
		return mk_all(argv[2]);
	unsigned long param = 0;
	if (argc == 5 && !strcmp(argv[3], "--count")) {
		char *end;
		param = strtoul(argv[4], &end, 10);
		if (*end || !param || param > 100000000UL) {
			fprintf(stderr, "netjourney mkpcap: --count takes 1..100000000\n");
			return 2;
		}
		argc = 3;
	}
	if (argc != 3) {
		fputs(help, stderr);
		return 2;
	}
	const struct mk_scenario *s = mk_find(argv[1]);
	if (!s) {
		fprintf(stderr, "netjourney mkpcap: no scenario named '%s' (see --list)\n", argv[1]);
		return 2;
	}
	return mk_write(s, argv[2], param);
}
