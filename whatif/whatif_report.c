/*
 * whatif_report.c - the what-if report as JSON (schema in docs/whatif.md):
 * the packets whose outcomes differ, with both outcomes, where the
 * journeys part and both paths, and the counters that end differently.
 */
#include "whatif.h"

#include <stdio.h>

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
