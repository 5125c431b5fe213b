/*
 * step_diff.c - `diff` in `netjourney step` (step_cli.h): the capture
 * replayed again under the step's scenario with edits (whatif/), and a
 * jump to the next packet whose journey ends differently, with both
 * outcomes and where the journeys part. `diff` alone goes on to the next.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "step_cli.h"
#include "whatif.h"

#define DIFF_EDITS 16

struct step_whatif {
	struct whatif_run a, b;
	char text[STEP_ARG_MAX];	/* the edits, as typed */
};

void step_diff_free(struct step_app *a)
{
	if (!a->whatif)
		return;
	whatif_run_free(&a->whatif->a);
	whatif_run_free(&a->whatif->b);
	free(a->whatif);
	a->whatif = NULL;
}

static int is_capture(const char *path)
{
	char e[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, e);
	if (p)
		pcap_close(p);
	return p != NULL;
}

/* Splits "-c B.json --set x=1 y=2" in place into a scenario file and edits. */
static int split_edits(char *s, const char **file, const char **sets, int *n)
{
	*n = 0;
	for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) {
		if (!strcmp(t, "--set"))
			continue;
		if (!strcmp(t, "-c")) {
			if (!(*file = strtok(NULL, " \t")))
				return -1;
		} else if (strchr(t, '=') && *n < DIFF_EDITS) {
			sets[(*n)++] = t;
		} else {
			return -1;
		}
	}
	return *file || *n ? 0 : -1;
}

static int diff_run(struct step_app *a, const char *arg)
{
	FILE *out = a->v.out;
	if (!is_capture(a->cli->file)) {
		fprintf(out, "diff: %s is a trace; diff replays a capture (pcap or pcapng) again\n", a->cli->file);
		return -1;
	}
	struct step_whatif *w = calloc(1, sizeof(*w));
	char buf[STEP_ARG_MAX];
	const char *file = NULL, *sets[DIFF_EDITS];
	int n;
	snprintf(buf, sizeof(buf), "%s", arg);
	if (!w || split_edits(buf, &file, sets, &n) < 0) {
		fprintf(out, "diff: expected PATH=VALUE edits (rp_filter=1, interfaces[0].mtu=1000) or -c B.json\n");
		free(w);
		return -1;
	}
	struct whatif_cfg cfg = { .pcap = a->cli->file, .scenario_a = a->cli->cfg.scenario, .scenario_b = file,
				  .sets_b = sets, .nsets_b = n, .no_csum = a->cli->cfg.no_csum };
	char err[512];
	if (whatif_run_both(&cfg, &w->a, &w->b, err, sizeof(err)) < 0) {
		fprintf(out, "diff: %s\n", err);
		whatif_run_free(&w->a);
		whatif_run_free(&w->b);
		free(w);
		return -1;
	}
	step_diff_free(a);
	snprintf(w->text, sizeof(w->text), "%s", arg);
	a->whatif = w;
	return 0;
}

/* The seq of packet pkt's k-th step (its B and i events, as the what-if
 * path counts them), where this trace's journey (run A) starts to part
 * from B's; 0 when the store cannot say. */
static uint64_t seq_of_step(struct nj_store *st, int64_t pkt, size_t k)
{
	const struct store_pkt *p = store_pkt_find(st, pkt);
	if (!p)
		return 0;
	uint64_t last = 0;
	for (uint32_t i = p->first; i != STORE_NONE;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(st, i, &e_buf);
		if (!e)
			break;
		if (e->ph != 'E') {
			last = e->seq;
			if (k-- == 0)
				return e->seq;
		}
		i = e->next_in_pkt;
	}
	return last;
}

long long step_diff(struct step_app *a, const char *arg)
{
	if (*arg && diff_run(a, arg) < 0)
		return 0;
	struct step_whatif *w = a->whatif;
	if (!w) {
		fprintf(a->v.out, "diff: no comparison yet; e.g. diff rp_filter=1\n");
		return 0;
	}
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(a->ss.st, a->ss.cur, &e_buf);
	size_t from = *arg || !e || e->pkt < 1 ? 0 : (size_t)e->pkt;	/* 0-based index of the next packet */
	size_t n = whatif_packets(&w->a, &w->b), differ = 0;
	for (size_t i = 0; i < n; i++)
		differ += (size_t)whatif_pkt_differs(&w->a, &w->b, i);
	for (size_t i = from; i < n; i++)
		if (whatif_pkt_differs(&w->a, &w->b, i)) {
			fprintf(a->v.out, "diff (%s): %zu of %zu packets end differently", w->text, differ, n);
			whatif_print_pkt(a->v.out, &w->a, &w->b, i);
			const char *where;
			return (long long)seq_of_step(a->ss.st, (int64_t)i + 1, whatif_part(&w->a, &w->b, i, &where));
		}
	fprintf(a->v.out, "diff (%s): %zu of %zu packets end differently; none after packet %zu\n", w->text, differ,
		n, from);
	return 0;
}
