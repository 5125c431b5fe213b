/*
 * mibs.c - counter totals at any event. store_mib_at sums from the start
 * (O(i) line reads); the state panel asks for many points of one trace, so
 * totals are checkpointed every WEB_MIB_CKPT events, lazily: the first
 * question near the end of a 1M-event trace pays once, later ones read at
 * most WEB_MIB_CKPT lines. Only whole blocks are checkpointed, so a live
 * trace that grows never invalidates them.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* Adds the mib deltas of events [from, to) to out. */
static void sum_range(struct nj_store *s, size_t from, size_t to, uint64_t *out)
{
	for (size_t k = from; k < to; k++) {
		store_lock(s);
		const struct store_ev *e = store_ev(s, k);
		char ph = e ? e->ph : 0;
		store_unlock(s);
		if (ph != 'E')
			continue;
		char *line = store_line(s, k, NULL);
		if (!line || !strstr(line, "\"mib\"")) {
			free(line);
			continue;
		}
		cJSON *o = cJSON_Parse(line);
		free(line);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mib"), *c;
		cJSON_ArrayForEach(c, m) {
			int id = mib_lookup(c->string);
			if (id >= 0 && cJSON_IsNumber(c))
				out[id] += (uint64_t)c->valuedouble;
		}
		cJSON_Delete(o);
	}
}

/* Makes sure checkpoints 0..k-1 exist (k whole blocks). Called with t->mu held. */
static void extend(struct web_trace *t, size_t k)
{
	if (k <= t->nckpt)
		return;
	uint64_t *n = realloc(t->ckpt, k * MIB_MAX * sizeof(uint64_t));
	if (!n)
		return;
	t->ckpt = n;
	while (t->nckpt < k) {
		uint64_t *cur = t->ckpt + t->nckpt * MIB_MAX;
		if (t->nckpt)
			memcpy(cur, cur - MIB_MAX, MIB_MAX * sizeof(uint64_t));
		else
			memset(cur, 0, MIB_MAX * sizeof(uint64_t));
		sum_range(t->s, t->nckpt * WEB_MIB_CKPT, (t->nckpt + 1) * WEB_MIB_CKPT, cur);
		t->nckpt++;
	}
}

void web_mib_at(struct web_trace *t, size_t i, uint64_t *out)
{
	store_lock(t->s);
	size_t nev = store_nevents(t->s);
	store_unlock(t->s);
	memset(out, 0, MIB_MAX * sizeof(uint64_t));
	if (!nev)
		return;
	if (i >= nev)
		i = nev - 1;
	size_t k = (i + 1) / WEB_MIB_CKPT;	/* whole blocks before i+1 */
	pthread_mutex_lock(&t->mu);
	extend(t, k);
	size_t have = k < t->nckpt ? k : t->nckpt;
	if (have)
		memcpy(out, t->ckpt + (have - 1) * MIB_MAX, MIB_MAX * sizeof(uint64_t));
	pthread_mutex_unlock(&t->mu);
	sum_range(t->s, have * WEB_MIB_CKPT, i + 1, out);
}

cJSON *web_mib_json(const uint64_t *m)
{
	cJSON *o = cJSON_CreateObject();
	for (int i = 0; i < MIB_MAX; i++)
		if (m[i])
			cJSON_AddNumberToObject(o, mib_name((enum nj_mib)i), (double)m[i]);
	return o;
}
