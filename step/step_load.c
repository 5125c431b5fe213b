/*
 * step_load.c - opening the FILE of `netjourney step` (step_cli.h) with
 * the replay layer's loader (replay/load.h): a capture is replayed into an
 * anonymous event store, a .jsonl trace is indexed in place. Which one is
 * decided by the first bytes, not the file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "load.h"
#include "step_cli.h"
#include "step_state.h"

/* The capture replayed into a new anonymous store (replay/load.h); a
 * damaged capture keeps what was replayed. */
static struct nj_store *step_capture(struct step_app *a, const struct step_cli *cli, char *err, size_t errlen)
{
	struct replay_cfg cfg = cli->cfg;
	cfg.info = stderr;
	struct load_opts o = { .cfg = &cfg, .keep_partial = 1, .scenario = &a->scenario };
	struct nj_store *s = load_capture(cli->file, &o, err, errlen);
	if (s && err[0])
		fprintf(stderr, "netjourney step: %s (stepping through what was replayed)\n", err);
	return s;
}

/* A trace's scenario: its trace_start line's, else the -c file's. */
static char *trace_scenario(struct nj_store *s, const char *cfile)
{
	const char *meta = store_meta_start(s);
	cJSON *o = meta ? cJSON_Parse(meta) : NULL;
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scenario");
	char *txt = cJSON_IsObject(sc) ? cJSON_PrintUnformatted(sc) : NULL;
	cJSON_Delete(o);
	if (txt || !cfile)
		return txt;
	FILE *f = fopen(cfile, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	txt = n > 0 && n < (16L << 20) ? malloc((size_t)n + 1) : NULL;
	if (txt)
		txt[fread(txt, 1, (size_t)n, f)] = 0;
	fclose(f);
	return txt;
}

/* The link type of the first captured frame (filters compile for it). */
static int first_dlt(struct nj_store *s)
{
	struct step_frame fr;
	for (size_t k = 0; k < store_npkts(s) && k < 64; k++)
		if (step_frame_of_pkt(s, store_pkt_at(s, k)->pkt, &fr) == 0) {
			free(fr.bytes);
			return fr.dlt;
		}
	return 1;
}

int step_load(struct step_app *a, const struct step_cli *cli)
{
	char err[600] = "";
	struct nj_store *s = NULL;
	enum load_kind k = load_sniff(cli->file, err, sizeof(err));
	if (k == LOAD_CAPTURE)
		s = step_capture(a, cli, err, sizeof(err));
	else if (k == LOAD_TRACE && (s = store_open_jsonl(cli->file, err, sizeof(err))))
		a->scenario = trace_scenario(s, cli->cfg.scenario);
	if (!s) {
		fprintf(stderr, "netjourney step: %s\n", err);
		return -1;
	}
	step_init(&a->ss, s);
	a->ss.dlt = first_dlt(s);
	fprintf(a->v.out, "%s: %zu packets, %zu events. Type help for commands.\n", cli->file, store_npkts(s),
		store_nevents(s));
	if (!store_nevents(s)) {
		fprintf(a->v.out, "the trace has no events\n");
		return 0;
	}
	view_loc(&a->v, s, 0);
	return 0;
}
