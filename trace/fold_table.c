/*
 * fold_table.c - the fold's containers (see fold.h): keyed tables of
 * fixed-size entries kept in insertion order with a hash of indices, and
 * the state as a whole: freed, deep-copied for a snapshot, measured
 * against the snapshot budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold_priv.h"

/* -- keyed tables: insertion order, a hash of indices, removal by mark -- */

static uint32_t key_hash(const char *k)
{
	uint32_t h = 2166136261u;		/* FNV-1a */
	while (*k)
		h = (h ^ (unsigned char)*k++) * 16777619u;
	return h;
}

void *fold_entry(const struct fold_table *t, size_t i)
{
	char *e = t->e + i * t->esz;
	return e[0] ? e : NULL;
}

void *fold_get(struct fold_table *t, const char *key)
{
	if (!t->nslot || !key[0])
		return NULL;
	for (size_t i = key_hash(key) & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1)) {
		char *e = t->e + (t->slot[i] - 1) * t->esz;
		if (!strcmp(e, key))
			return e;
	}
	return NULL;
}

/* Drops removed entries (keeping the order) and rebuilds the hash for at
 * least want entries. */
static int rebuild(struct fold_table *t, size_t want)
{
	size_t w = 0, ns = 16;
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i * t->esz]) {
			if (w != i)
				memcpy(t->e + w * t->esz, t->e + i * t->esz, t->esz);
			w++;
		}
	t->n = w;
	while (ns < 2 * (want > w ? want : w) + 2)
		ns *= 2;
	uint32_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -1;
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = key_hash(t->e + i * t->esz) & (ns - 1);
		while (slot[j])
			j = (j + 1) & (ns - 1);
		slot[j] = (uint32_t)(i + 1);
	}
	return 0;
}

void *fold_add(struct fold_table *t, const char *key)
{
	if (!key[0])
		return NULL;
	if (2 * (t->n + 1) + 2 > t->nslot && rebuild(t, t->live + 1) < 0)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char *e = realloc(t->e, cap * t->esz);
		if (!e)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	char *e = t->e + t->n * t->esz;
	memset(e, 0, t->esz);
	snprintf(e, FOLD_KEY, "%s", key);
	size_t j = key_hash(e) & (t->nslot - 1);
	while (t->slot[j])
		j = (j + 1) & (t->nslot - 1);
	t->slot[j] = (uint32_t)(++t->n);
	t->live++;
	return e;
}

void fold_del(struct fold_table *t, void *entry)
{
	((char *)entry)[0] = 0;		/* its slot stays: "" matches no key */
	t->live--;
}

static int table_copy(struct fold_table *d, const struct fold_table *s)
{
	*d = (struct fold_table){ .esz = s->esz, .n = s->n, .cap = s->n, .live = s->live, .nslot = s->nslot };
	d->e = s->n ? malloc(s->n * s->esz) : NULL;
	d->slot = s->nslot ? malloc(s->nslot * sizeof(*d->slot)) : NULL;
	if ((s->n && !d->e) || (s->nslot && !d->slot))
		return -1;
	if (s->n)
		memcpy(d->e, s->e, s->n * s->esz);
	if (s->nslot)
		memcpy(d->slot, s->slot, s->nslot * sizeof(*d->slot));
	return 0;
}

static void table_free(struct fold_table *t)
{
	free(t->e);
	free(t->slot);
	t->e = NULL;
	t->slot = NULL;
	t->n = t->cap = t->live = t->nslot = 0;
}

/* -- the state as a whole -- */

void fold_frag_free(struct fold_frag *q)
{
	free(q->have);
	free(q->arr);
	q->have = NULL;
	q->arr = NULL;
	q->narr = q->caparr = 0;
}

void fold_state_free(struct fold_state *st)
{
	for (size_t i = 0; i < st->frags.n; i++) {
		struct fold_frag *q = fold_entry(&st->frags, i);
		if (q)
			fold_frag_free(q);
	}
	for (size_t i = 0; i < st->neigh.n; i++) {
		struct fold_neigh *n = fold_entry(&st->neigh, i);
		if (n)
			free(n->queued_skbs);
	}
	table_free(&st->frags);
	table_free(&st->socks);
	table_free(&st->neigh);
	table_free(&st->taps);
	table_free(&st->pmtu);
	free(st->rule_pkts);
	st->rule_pkts = NULL;
	st->nrules = 0;
}

/* The copied entries' own memory: duplicated, or (after a failure) the
 * pointers not yet duplicated cleared, as they are not the copy's to free. */
static int frags_dup(struct fold_table *t)
{
	int r = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct fold_frag *q = fold_entry(t, i);
		if (!q)
			continue;
		const struct fold_arrival *arr = q->arr;
		char *have = q->have;
		q->have = NULL;
		q->arr = NULL;
		if (r == 0 && have && !(q->have = strdup(have)))
			r = -1;
		if (r == 0 && arr && q->narr && (q->arr = malloc(q->narr * sizeof(*arr))))
			memcpy(q->arr, arr, q->narr * sizeof(*arr));
		else if (r == 0 && arr && q->narr)
			r = -1;
		q->caparr = q->arr ? q->narr : 0;
		q->narr = q->arr ? q->narr : 0;
	}
	return r;
}

static int neigh_dup(struct fold_table *t)
{
	int r = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct fold_neigh *n = fold_entry(t, i);
		char *qs = n ? n->queued_skbs : NULL;
		if (!n)
			continue;
		n->queued_skbs = NULL;
		if (r == 0 && qs && !(n->queued_skbs = strdup(qs)))
			r = -1;
	}
	return r;
}

int fold_state_copy(struct fold_state *d, const struct fold_state *s)
{
	*d = *s;
	d->frags = d->socks = d->neigh = d->taps = d->pmtu = (struct fold_table){ 0 };
	d->rule_pkts = NULL;
	int r = table_copy(&d->frags, &s->frags);
	r = frags_dup(&d->frags) < 0 ? -1 : r;
	if (r == 0) {
		r = table_copy(&d->neigh, &s->neigh);
		r = neigh_dup(&d->neigh) < 0 ? -1 : r;
	}
	if (r == 0 && table_copy(&d->socks, &s->socks) == 0 &&
	    table_copy(&d->taps, &s->taps) == 0 && table_copy(&d->pmtu, &s->pmtu) == 0 &&
	    (!s->nrules || (d->rule_pkts = malloc(s->nrules * sizeof(uint64_t))))) {
		if (s->nrules)
			memcpy(d->rule_pkts, s->rule_pkts, s->nrules * sizeof(uint64_t));
		return 0;
	}
	fold_state_free(d);
	return -1;
}

size_t fold_state_bytes(const struct fold_state *st)
{
	const struct fold_table *t[] = { &st->frags, &st->socks, &st->neigh, &st->taps, &st->pmtu };
	size_t b = sizeof(*st) + st->nrules * sizeof(uint64_t);
	for (int k = 0; k < 5; k++)
		b += t[k]->n * t[k]->esz + t[k]->nslot * sizeof(uint32_t);
	for (size_t i = 0; i < st->frags.n; i++) {
		const struct fold_frag *q = fold_entry(&st->frags, i);
		b += q && q->have ? strlen(q->have) + 1 : 0;
		b += q ? q->caparr * sizeof(*q->arr) : 0;
	}
	for (size_t i = 0; i < st->neigh.n; i++) {
		const struct fold_neigh *n = fold_entry(&st->neigh, i);
		b += n && n->queued_skbs ? strlen(n->queued_skbs) + 1 : 0;
	}
	return b;
}

