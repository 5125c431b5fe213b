/*
 * mkpcap.c - the scenario pcap generator's registry (see mkpcap.h): finds a
 * scenario by name, writes one pcap (and its .json twin when the scenario
 * needs its own host), lists them, or writes them all into a folder.
 */
#include "mkpcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MK_EPOCH_US 1704067200000000ULL	/* 2024-01-01T00:00:00Z */

static const struct mk_scenario *const tables[] = {
	mk_core_scenarios, mk_frag_scenarios, mk_route_scenarios, mk_transport_scenarios, mk_lessons_scenarios,
	mk_tcpopt_scenarios, mk_ipv6_scenarios, mk_tcp6_scenarios, mk_host_scenarios, mk_ipv6_nd_scenarios,
	mk_ip6tables_scenarios, mk_host6_scenarios, mk_pmtu_scenarios,
};

void mk_emit(struct mk_ctx *c, const uint8_t *frame, size_t len)
{
	static uint8_t re[65536 + 64];
	struct pcap_pkthdr h;
	if (c->ng) {
		mk_ng_epb(c, frame, len);
		c->t_us += c->step_us;
		c->count++;
		return;
	}
	if (c->dlt && c->dlt != DLT_EN10MB && len <= 65536) {
		len = mk_relink(c, frame, len, re);
		frame = re;
	}
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

/* A scenario written as pcapng: several interfaces, direction flags. */
static int mk_write_ng(const struct mk_scenario *s, const char *file, int nifs)
{
	FILE *f = fopen(file, "wb");
	if (!f || mk_ng_header(f, nifs) < 0) {
		fprintf(stderr, "netjourney mkpcap: %s: %s\n", file, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	struct mk_ctx c = { .t_us = MK_EPOCH_US, .step_us = 1000, .ng = f };
	s->build(&c);
	if (fclose(f) != 0) {
		fprintf(stderr, "netjourney mkpcap: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (write_json_twin(s, file) < 0)
		return 1;
	printf("%s: %u frames (%s, pcapng)\n", file, c.count, s->name);
	return 0;
}

int mk_write(const struct mk_scenario *s, const char *file, unsigned long param)
{
	if (mk_pcapng_ifaces(s->name))
		return mk_write_ng(s, file, mk_pcapng_ifaces(s->name));
	int mdlt = mk_dlt(s->name), dlt = mdlt == MK_DLT_NULL ? DLT_NULL : mdlt ? mdlt : DLT_EN10MB;
	pcap_t *dead = pcap_open_dead(dlt, 262144);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, file) : NULL;
	if (!d) {
		fprintf(stderr, "netjourney mkpcap: %s: %s\n", file, dead ? pcap_geterr(dead) : "no memory");
		if (dead)
			pcap_close(dead);
		return 1;
	}
	struct mk_ctx c = { .dumper = d, .t_us = MK_EPOCH_US, .step_us = 1000, .param = param,
			     .dlt = mdlt };
	s->build(&c);
	pcap_dump_close(d);
	pcap_close(dead);
	if (write_json_twin(s, file) < 0)
		return 1;
	printf("%s: %u frames (%s)\n", file, c.count, s->name);
	return 0;
}

void mk_list(void)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mk_scenario *s = tables[t]; s->name; s++)
			printf("%-28s %s%s\n", s->name, s->desc, s->scenario ? " [own scenario]" : "");
}

/* Each scenario is written by a child of its own, so that no scenario can
 * see what an earlier one left in a static buffer: --all and a single
 * `mkpcap NAME FILE` give the same bytes. */
static int mk_write_isolated(const struct mk_scenario *s, const char *file)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return mk_write(s, file, 0);
	if (pid == 0) {
		int r = mk_write(s, file, 0);
		fflush(stdout);
		_exit(r);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int mk_all(const char *dir)
{
	int r = 0;
	char path[4096];
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mk_scenario *s = tables[t]; s->name; s++) {
			snprintf(path, sizeof(path), "%s/%s.pcap", dir, s->name);
			if (strncmp(s->name, "bench-", 6) && strncmp(s->name, "host-", 5))
				r |= mk_write_isolated(s, path);
		}
	return r;
}
