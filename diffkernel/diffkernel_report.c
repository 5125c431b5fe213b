/*
 * diffkernel_report.c - the diff-kernel report: per input frame, what Linux
 * sent and what netjourney sent (tcpdump-like summaries) and whether their
 * compared forms (diffkernel_cmp.c) agree; then the counters both sides
 * know; then the accepted differences with their reasons. Text for people,
 * --json (one object) for scripts and tests.
 */
#include "diffkernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "dissect.h"

#define NORM_MAX 512

/* Counters compared: the SNMP groups a real kernel has (not Dev/Softnet/Arp). */
static int comparable(const struct dk_side *lx, const struct dk_side *nj, int m)
{
	return lx->known[m] && nj->known[m];
}

static int list_agree(const struct dk_list *a, const struct dk_side *sa, const struct dk_list *b,
		      const struct dk_side *sb, const struct dk_list *in)
{
	char x[NORM_MAX], y[NORM_MAX];
	if (a->n != b->n)
		return 0;
	for (size_t k = 0; k < a->n; k++) {
		dk_norm(&a->v[k], in, sa, x, sizeof(x));
		dk_norm(&b->v[k], in, sb, y, sizeof(y));
		if (strcmp(x, y))
			return 0;
	}
	return 1;
}

static cJSON *frames_json(const struct dk_list *l, const struct dk_side *s, const struct dk_list *in)
{
	char sum[256], norm[NORM_MAX];
	cJSON *a = cJSON_CreateArray();
	for (size_t k = 0; k < l->n; k++) {
		cJSON *o = cJSON_CreateObject();
		dissect_summary(NJ_DLT_EN10MB, l->v[k].data, l->v[k].len, sum, sizeof(sum));
		dk_norm(&l->v[k], in, s, norm, sizeof(norm));
		cJSON_AddStringToObject(o, "summary", sum);
		cJSON_AddStringToObject(o, "compared", norm);
		cJSON_AddNumberToObject(o, "dev", l->v[k].dev);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void print_frames(const char *who, const struct dk_list *l, const struct dk_side *s,
			 const struct dk_list *in, int verbose)
{
	char sum[256], norm[NORM_MAX];
	if (!l->n)
		printf("    %-10s (nothing)\n", who);
	for (size_t k = 0; k < l->n; k++) {
		dissect_summary(NJ_DLT_EN10MB, l->v[k].data, l->v[k].len, sum, sizeof(sum));
		printf("    %-10s %s\n", k ? "" : who, sum);
		if (verbose) {
			dk_norm(&l->v[k], in, s, norm, sizeof(norm));
			printf("    %-10s   compared: %s\n", "", norm);
		}
	}
}

static int packets(const struct dk_list *in, const struct dk_side *lx, const struct dk_side *nj, cJSON *arr)
{
	char sum[256];
	int bad = 0;
	for (size_t i = 0; i < in->n; i++) {
		int ok = list_agree(&lx->out[i], lx, &nj->out[i], nj, in);
		bad += !ok;
		dissect_summary(NJ_DLT_EN10MB, in->v[i].data, in->v[i].len, sum, sizeof(sum));
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "frame", (double)(i + 1));
			cJSON_AddStringToObject(o, "in", sum);
			cJSON_AddBoolToObject(o, "injected", !in->v[i].host_sent);
			cJSON_AddItemToObject(o, "linux", frames_json(&lx->out[i], lx, in));
			cJSON_AddItemToObject(o, "netjourney", frames_json(&nj->out[i], nj, in));
			cJSON_AddBoolToObject(o, "agree", ok);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		printf("#%zu %s%s\n", i + 1, in->v[i].host_sent ? "(sent by the recorded host, not injected) " : "",
		       sum);
		print_frames("linux:", &lx->out[i], lx, in, !ok);
		print_frames("netjourney:", &nj->out[i], nj, in, !ok);
		printf("    %s\n", ok ? "= same" : "! DIFFERENT");
	}
	return bad;
}

static int counters(const struct dk_side *lx, const struct dk_side *nj, cJSON *arr)
{
	int bad = 0, shown = 0;
	for (int m = 0; m < MIB_MAX; m++) {
		if (!comparable(lx, nj, m) || (!lx->mib[m] && !nj->mib[m]))
			continue;
		const char *why = dk_counter_allowed(m);
		int same = lx->mib[m] == nj->mib[m];
		bad += !same && !why;
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", mib_name(m));
			cJSON_AddNumberToObject(o, "linux", (double)lx->mib[m]);
			cJSON_AddNumberToObject(o, "netjourney", (double)nj->mib[m]);
			cJSON_AddBoolToObject(o, "agree", same);
			if (!same && why)
				cJSON_AddStringToObject(o, "accepted", why);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		if (!shown++)
			printf("\ncounters (both sides know them; unchanged ones left out)\n  %-28s %8s %11s\n", "",
			       "linux", "netjourney");
		printf("  %-28s %8lld %11lld  %s%s\n", mib_name(m), (long long)lx->mib[m], (long long)nj->mib[m],
		       same ? "=" : why ? "~ accepted: " : "! DIFFERENT", same || !why ? "" : why);
	}
	return bad;
}

static void allowlist(cJSON *arr)
{
	for (size_t i = 0; dk_allowlist[i].what; i++) {
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "not_compared", dk_allowlist[i].what);
			cJSON_AddStringToObject(o, "why", dk_allowlist[i].why);
			cJSON_AddItemToArray(arr, o);
		} else
			printf("  - %s: %s\n", dk_allowlist[i].what, dk_allowlist[i].why);
	}
}

int dk_report(const struct dk_opts *o, const char *kernel, const struct dk_list *in, const struct dk_side *lx,
	      const struct dk_side *nj, const char *notes)
{
	const char *sc = o->scenario ? o->scenario : "default";
	if (o->json) {
		cJSON *r = cJSON_CreateObject(), *p = cJSON_CreateArray(), *c = cJSON_CreateArray();
		cJSON *a = cJSON_CreateArray();
		cJSON_AddStringToObject(r, "capture", o->pcap);
		cJSON_AddStringToObject(r, "scenario", sc);
		cJSON_AddStringToObject(r, "kernel", kernel);
		int bad = packets(in, lx, nj, p) + counters(lx, nj, c);
		allowlist(a);
		cJSON_AddBoolToObject(r, "agree", bad == 0);
		cJSON_AddNumberToObject(r, "differences", bad);
		cJSON_AddItemToObject(r, "packets", p);
		cJSON_AddItemToObject(r, "counters", c);
		cJSON_AddItemToObject(r, "accepted", a);
		cJSON_AddStringToObject(r, "notes", notes);
		char *s = cJSON_Print(r);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(r);
		return bad;
	}
	printf("diff-kernel: %s (scenario %s)\n  Linux %s (real kernel, network namespaces) vs netjourney\n\n",
	       o->pcap, sc, kernel);
	int bad = packets(in, lx, nj, NULL) + counters(lx, nj, NULL);
	printf("\nnot compared, on purpose:\n");
	allowlist(NULL);
	if (notes[0])
		printf("\nnotes:\n%s", notes);
	printf("\n%s: %d difference%s\n", bad ? "DIFFERENT" : "AGREE", bad, bad == 1 ? "" : "s");
	return bad;
}
