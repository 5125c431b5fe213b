/*
 * step_load.c - opening the FILE of `netjourney step` (step_cli.h): a
 * capture is replayed through the stack into an anonymous event store
 * (replay_run with store_emit as its sink), a .jsonl or .njz trace is
 * indexed in place. Which one is decided by the first bytes, not the file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "events.h"
#include "njz.h"
#include "step_cli.h"
#include "step_state.h"

enum file_kind { FK_UNKNOWN, FK_CAPTURE, FK_TRACE };

static enum file_kind sniff(const char *path)
{
	unsigned char b[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f)
		return FK_UNKNOWN;
	size_t n = fread(b, 1, 4, f);
	fclose(f);
	uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (n == 4 && (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a))
		return FK_CAPTURE;
	return (n && b[0] == '{') || (n == 4 && !memcmp(b, NJZ_MAGIC, 4)) ? FK_TRACE : FK_UNKNOWN;
}

/* The capture replayed into a new anonymous store. */
static struct nj_store *load_capture(struct step_app *a, const struct step_cli *cli, char *err, size_t errlen)
{
	struct replay_cfg cfg = cli->cfg;
	struct replay_result res = { 0 };
	struct net *net = NULL;
	struct nj_store *s = store_create(NULL, err, errlen);
	if (!s)
		return NULL;
	cfg.pcap = cli->file;
	cfg.emit[cfg.nemit] = store_emit;
	cfg.emit_ctx[cfg.nemit++] = s;
	cfg.info = stderr;
	int r = replay_run(&cfg, &res, &net, err, errlen);
	struct jw w = { 0 };
	event_meta_start(&w, cli->file, res.scenario_json, res.kernel[0] ? res.kernel : "6.x");
	store_add_meta(s, w.buf);
	jw_free(&w);
	a->scenario = res.scenario_json;
	net_destroy(net);
	if (r < 0 && !store_nevents(s)) {
		store_free(s);
		return NULL;
	}
	if (r < 0)
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
	enum file_kind k = sniff(cli->file);
	if (k == FK_CAPTURE)
		s = load_capture(a, cli, err, sizeof(err));
	else if (k == FK_TRACE && (s = store_open_jsonl(cli->file, err, sizeof(err))))
		a->scenario = trace_scenario(s, cli->cfg.scenario);
	else if (k == FK_UNKNOWN)
		snprintf(err, sizeof(err), "%s: not readable as a pcap, pcapng or netjourney trace (.jsonl, .njz)", cli->file);
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
