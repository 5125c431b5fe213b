/*
 * filter.c - tcpdump expressions over a trace's packets (see filter.h).
 * The frame (step_frame_of_pkt, which reads the store under its lock: a
 * live trace may be growing) is freed on every path, an empty one too.
 */
#include "filter.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "step_state.h"

#define FILTER_MAX_DLT	4

struct nj_filter {
	char *expr;
	int dlt[FILTER_MAX_DLT];
	struct bpf_program prog[FILTER_MAX_DLT];
	int nprog;
	uint8_t *cache;			/* per packet: 0 unknown, 1 match, 2 no */
	size_t ncache;
};

/* pcap_compile's parser was not re-entrant in older libpcap releases. */
static pthread_mutex_t compile_mu = PTHREAD_MUTEX_INITIALIZER;

static int compile_for(const char *expr, int dlt, struct bpf_program *prog, char *err, size_t errlen)
{
	pthread_mutex_lock(&compile_mu);
	pcap_t *p = pcap_open_dead(dlt, 262144);
	int r = p ? pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) : -1;
	if (r < 0)
		snprintf(err, errlen, "%s", p ? pcap_geterr(p) : "libpcap cannot open this link type");
	if (p)
		pcap_close(p);
	pthread_mutex_unlock(&compile_mu);
	return r < 0 ? -1 : 0;
}

struct nj_filter *filter_compile(const char *expr, int dlt, char *err, size_t errlen)
{
	struct nj_filter *f = calloc(1, sizeof(*f));
	if (!f || !(f->expr = strdup(expr))) {
		snprintf(err, errlen, "out of memory");
		free(f);
		return NULL;
	}
	if (compile_for(expr, dlt, &f->prog[0], err, errlen) < 0) {
		free(f->expr);
		free(f);
		return NULL;
	}
	f->dlt[0] = dlt;
	f->nprog = 1;
	return f;
}

/* The program for dlt, compiled on first use; NULL if it does not compile. */
static struct bpf_program *prog_for(struct nj_filter *f, int dlt)
{
	char err[256];
	for (int i = 0; i < f->nprog; i++)
		if (f->dlt[i] == dlt)
			return &f->prog[i];
	if (f->nprog == FILTER_MAX_DLT || compile_for(f->expr, dlt, &f->prog[f->nprog], err, sizeof(err)) < 0)
		return NULL;
	f->dlt[f->nprog] = dlt;
	return &f->prog[f->nprog++];
}

/* Runs f on packet pkt's frame; the frame is freed whatever happens. */
static int evaluate(struct nj_filter *f, struct nj_store *s, int64_t pkt)
{
	struct step_frame fr;
	int m = 0;
	int have = step_frame_of_pkt(s, pkt, &fr) == 0;
	if (have && fr.bytes && fr.caplen) {
		struct bpf_program *prog = prog_for(f, fr.dlt);
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)fr.caplen,
					 .len = (bpf_u_int32)(fr.len > fr.caplen ? fr.len : fr.caplen) };
		m = prog && pcap_offline_filter(prog, &h, fr.bytes) != 0;
	}
	if (have)
		free(fr.bytes);
	return m;
}

int filter_match(struct nj_filter *f, struct nj_store *s, int64_t pkt)
{
	if (!f || pkt < 0)
		return 0;
	if ((size_t)pkt >= f->ncache) {
		size_t n = (size_t)pkt * 2 + 64;
		uint8_t *c = realloc(f->cache, n);
		if (!c)
			return evaluate(f, s, pkt);	/* no cache, still an answer */
		memset(c + f->ncache, 0, n - f->ncache);
		f->cache = c;
		f->ncache = n;
	}
	if (!f->cache[pkt])
		f->cache[pkt] = evaluate(f, s, pkt) ? 1 : 2;
	return f->cache[pkt] == 1;
}

const char *filter_expr(const struct nj_filter *f)
{
	return f->expr;
}

void filter_free(struct nj_filter *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nprog; i++)
		pcap_freecode(&f->prog[i]);
	free(f->cache);
	free(f->expr);
	free(f);
}
