/*
 * step_filter.c - tcpdump-expression breakpoints (see step_filter.h).
 * One compiled program per link type met, since a pcapng may mix them.
 */
#include "step_filter.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "step_state.h"

#define FILTER_MAX_DLT	4

struct step_filter {
	char *expr;
	int dlt[FILTER_MAX_DLT];
	struct bpf_program prog[FILTER_MAX_DLT];
	int nprog;
	uint8_t *cache;			/* per packet: 0 unknown, 1 match, 2 no */
	size_t ncache;
};

static int compile_for(const char *expr, int dlt, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	if (!p) {
		snprintf(err, errlen, "break: libpcap cannot open link type %d", dlt);
		return -1;
	}
	int r = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (r < 0)
		snprintf(err, errlen, "break '%s': %s", expr, pcap_geterr(p));
	pcap_close(p);
	return r < 0 ? -1 : 0;
}

struct step_filter *step_filter_compile(const char *expr, int dlt, char *err, size_t errlen)
{
	struct step_filter *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->expr = strdup(expr);
	if (!f->expr || compile_for(expr, dlt, &f->prog[0], err, errlen) < 0) {
		free(f->expr);
		free(f);
		return NULL;
	}
	f->dlt[0] = dlt;
	f->nprog = 1;
	return f;
}

/* The program for dlt, compiled on first use; NULL if it does not compile
 * for that link type (e.g. 'ether host' on raw IP). */
static struct bpf_program *prog_for(struct step_filter *f, int dlt)
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

static int match_frame(struct step_filter *f, const struct step_frame *fr)
{
	struct bpf_program *prog = prog_for(f, fr->dlt);
	if (!prog || !fr->bytes)
		return 0;
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)fr->caplen, .len = (bpf_u_int32)fr->len };
	return pcap_offline_filter(prog, &h, fr->bytes) != 0;
}

int step_filter_match(struct step_filter *f, struct nj_store *s, int64_t pkt)
{
	struct step_frame fr;
	if (!f || pkt < 0)
		return 0;
	if ((size_t)pkt >= f->ncache) {
		size_t n = (size_t)pkt * 2 + 64;
		uint8_t *c = realloc(f->cache, n);
		if (!c)
			return 0;
		memset(c + f->ncache, 0, n - f->ncache);
		f->cache = c;
		f->ncache = n;
	}
	if (!f->cache[pkt]) {
		int m = step_frame_of_pkt(s, pkt, &fr) == 0 && match_frame(f, &fr);
		free(fr.bytes);
		f->cache[pkt] = m ? 1 : 2;
	}
	return f->cache[pkt] == 1;
}

void step_filter_free(struct step_filter *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nprog; i++)
		pcap_freecode(&f->prog[i]);
	free(f->cache);
	free(f->expr);
	free(f);
}
