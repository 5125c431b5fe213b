/*
 * whatif_report.c - the what-if report as JSON (schema in docs/whatif.md):
 * the packets whose outcomes differ, with both outcomes, where the
 * journeys part and both paths, and the counters that end differently.
 */
#include "whatif.h"

#include <stdio.h>
#include <string.h>

#include "cJSON.h"

static cJSON *outcome_json(const struct whatif_pkt *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verdict", p->verdict == V_NONE ? "none" : verdict_name(p->verdict));
	if (p->verdict == V_DROP)
		cJSON_AddStringToObject(o, "reason", drop_reason_name(p->reason));
	else
		cJSON_AddNullToObject(o, "reason");
	cJSON_AddStringToObject(o, "fn", p->fn ? p->fn : "kfree_skb");
	return o;
}

static cJSON *path_json(const struct whatif_run *r, const struct whatif_pkt *p)
{
	cJSON *arr = cJSON_CreateArray();
	for (uint32_t i = 0; i < p->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(whatif_fn(r, &p->path[i])));
	if (p->cut)
		cJSON_AddItemToArray(arr, cJSON_CreateString("…"));
	return arr;
}

static cJSON *diff_json(const struct whatif_run *a, const struct whatif_run *b, size_t i)
{
	static const struct whatif_pkt none;
	const struct whatif_pkt *x = i < a->npkts ? &a->pkts[i] : &none, *y = i < b->npkts ? &b->pkts[i] : &none;
	const char *where;
	size_t k = whatif_part(a, b, i, &where);
	cJSON *d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "pkt", (double)(i + 1));
	cJSON_AddItemToObject(d, "a", outcome_json(x));
	cJSON_AddItemToObject(d, "b", outcome_json(y));
	if (where)
		cJSON_AddStringToObject(d, "diverges_at", where);
	else
		cJSON_AddNullToObject(d, "diverges_at");
	cJSON_AddNumberToObject(d, "diverges_step", (double)k);
	cJSON_AddItemToObject(d, "a_path", path_json(a, x));
	cJSON_AddItemToObject(d, "b_path", path_json(b, y));
	return d;
}

void *whatif_json(const struct whatif_run *a, const struct whatif_run *b)
{
	cJSON *o = cJSON_CreateObject(), *diffs = cJSON_CreateArray(), *ctr = cJSON_CreateObject();
	size_t n = whatif_packets(a, b), k = 0;
	cJSON_AddNumberToObject(o, "packets", (double)n);
	cJSON_AddStringToObject(o, "a_scenario", a->scenario_name);
	cJSON_AddStringToObject(o, "b_scenario", b->scenario_name);
	for (size_t i = 0; i < n; i++)
		if (whatif_pkt_differs(a, b, i)) {
			cJSON_AddItemToArray(diffs, diff_json(a, b, i));
			k++;
		}
	cJSON_AddNumberToObject(o, "differ", (double)k);
	cJSON_AddItemToObject(o, "diffs", diffs);
	for (int m = 0; m < MIB_MAX; m++)
		if (a->mib[m] != b->mib[m]) {
			cJSON *c = cJSON_AddObjectToObject(ctr, mib_name((enum nj_mib)m));
			cJSON_AddNumberToObject(c, "a", (double)a->mib[m]);
			cJSON_AddNumberToObject(c, "b", (double)b->mib[m]);
		}
	cJSON_AddItemToObject(o, "counters", ctr);
	return o;
}

/* The functions open at step k of a path, root first: "a › b › c". */
static void print_stack(FILE *out, const struct whatif_run *r, const struct whatif_pkt *p, size_t k)
{
	const struct whatif_step *open[64];
	int n = 0;
	for (size_t j = 0; j < k && j < p->n; j++) {
		const struct whatif_step *s = &p->path[j];
		while (n > 0 && open[n - 1]->depth >= s->depth)
			n--;
		if (s->ph == 'B' && n < 64)
			open[n++] = s;
	}
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " › " : "", whatif_fn(r, open[i]));
	fputc('\n', out);
}

static void print_outcome(FILE *out, const char *side, const struct whatif_pkt *p)
{
	if (p->verdict == V_DROP)
		fprintf(out, "    %s: drop %s in %s\n", side, drop_reason_name(p->reason), p->fn ? p->fn : "kfree_skb");
	else
		fprintf(out, "    %s: %s%s%s\n", side, p->verdict == V_NONE ? "no outcome" : verdict_name(p->verdict),
			p->fn ? " by " : "", p->fn ? p->fn : "");
}

static void print_next(FILE *out, const char *side, const struct whatif_run *r, const struct whatif_pkt *p, size_t k)
{
	fprintf(out, "      %s goes on to %s\n", side,
		k < p->n ? whatif_fn(r, &p->path[k]) : "(nothing: the journey ends)");
}

void whatif_print_pkt(FILE *out, const struct whatif_run *a, const struct whatif_run *b, size_t i)
{
	static const struct whatif_pkt none;
	const struct whatif_pkt *x = i < a->npkts ? &a->pkts[i] : &none, *y = i < b->npkts ? &b->pkts[i] : &none;
	const char *where;
	size_t at = whatif_part(a, b, i, &where);
	fprintf(out, "\n#%zu\n", i + 1);
	print_outcome(out, "A", x);
	print_outcome(out, "B", y);
	fprintf(out, "    the journeys part in %s, after: ", where ? where : "(the top level)");
	print_stack(out, a, x, at);
	print_next(out, "A", a, x, at);
	print_next(out, "B", b, y, at);
}

void whatif_print_counters(FILE *out, const struct whatif_run *a, const struct whatif_run *b)
{
	int head = 0;
	for (int m = 0; m < MIB_MAX; m++)
		if (a->mib[m] != b->mib[m]) {
			if (!head++)
				fprintf(out, "counters that end differently:\n");
			fprintf(out, "    %-32s A %-8llu B %llu\n", mib_name((enum nj_mib)m), (unsigned long long)a->mib[m],
				(unsigned long long)b->mib[m]);
		}
}
