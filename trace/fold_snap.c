/*
 * fold_snap.c - a fold snapshot kept small (see fold_index.c): the state
 * flattened into one byte string (the struct, each table's entries and
 * hash slots, the rule counters, then each live queue's ranges text and
 * arrivals and each neighbour's held skbs) and compressed with zstd. A
 * state is mostly padding and "not recorded" fields: about 5 KB flat,
 * a tenth of that compressed, so snapshots can sit four times closer for
 * less memory than plain copies took. Unpacking is a decompression into
 * a scratch buffer and the same allocations as a deep copy.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fold_priv.h"

struct fold_snap {
	size_t raw, size;		/* flat and compressed lengths */
	unsigned char z[];
};

/* zstd contexts, reused: making one costs more than a snapshot. */
#define DCTX_POOL 8
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static ZSTD_DCtx *pool[DCTX_POOL];
static ZSTD_CCtx *cpool[2];
static int npool, ncpool;

static ZSTD_CCtx *cctx_get(void)
{
	pthread_mutex_lock(&pool_mu);
	ZSTD_CCtx *c = ncpool ? cpool[--ncpool] : NULL;
	pthread_mutex_unlock(&pool_mu);
	return c ? c : ZSTD_createCCtx();
}

static void cctx_put(ZSTD_CCtx *c)
{
	pthread_mutex_lock(&pool_mu);
	if (ncpool < 2) {
		cpool[ncpool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&pool_mu);
	ZSTD_freeCCtx(c);
}

static ZSTD_DCtx *dctx_get(void)
{
	pthread_mutex_lock(&pool_mu);
	ZSTD_DCtx *d = npool ? pool[--npool] : NULL;
	pthread_mutex_unlock(&pool_mu);
	return d ? d : ZSTD_createDCtx();
}

static void dctx_put(ZSTD_DCtx *d)
{
	pthread_mutex_lock(&pool_mu);
	if (npool < DCTX_POOL) {
		pool[npool++] = d;
		d = NULL;
	}
	pthread_mutex_unlock(&pool_mu);
	ZSTD_freeDCtx(d);
}

/* -- flattening: a growable buffer, then a cursor reading it back -- */

struct flat {
	unsigned char *b;
	size_t n, cap;
	int fail;
};

static void put(struct flat *f, const void *p, size_t k)
{
	if (f->fail || !k)
		return;
	if (f->n + k > f->cap) {
		size_t cap = f->cap ? f->cap : 8192;
		while (cap < f->n + k)
			cap *= 2;
		unsigned char *b = realloc(f->b, cap);
		if (!b) {
			f->fail = 1;
			return;
		}
		f->b = b;
		f->cap = cap;
	}
	memcpy(f->b + f->n, p, k);
	f->n += k;
}

/* A string or NULL: its length + 1 (0 for NULL), then its bytes. */
static void put_str(struct flat *f, const char *s)
{
	uint32_t k = s ? (uint32_t)strlen(s) + 1 : 0;
	put(f, &k, sizeof(k));
	put(f, s, k ? k - 1 : 0);
}

static const struct fold_table *table_at(const struct fold_state *st, int k)
{
	return k == 0 ? &st->frags : k == 1 ? &st->socks : k == 2 ? &st->neigh : k == 3 ? &st->taps : &st->pmtu;
}

static void flatten(struct flat *f, const struct fold_state *st)
{
	put(f, st, sizeof(*st));
	for (int k = 0; k < 5; k++) {
		const struct fold_table *t = table_at(st, k);
		put(f, t->e, t->n * t->esz);
		put(f, t->slot, t->nslot * sizeof(*t->slot));
	}
	put(f, st->rule_pkts, st->nrules * sizeof(*st->rule_pkts));
	for (size_t i = 0; i < st->frags.n; i++) {
		const struct fold_frag *q = fold_entry(&st->frags, i);
		if (!q)
			continue;
		uint64_t narr = q->arr ? q->narr : 0;
		put_str(f, q->have);
		put(f, &narr, sizeof(narr));
		put(f, q->arr, narr * sizeof(*q->arr));
	}
	for (size_t i = 0; i < st->neigh.n; i++) {
		const struct fold_neigh *n = fold_entry(&st->neigh, i);
		if (n)
			put_str(f, n->queued_skbs);
	}
}

struct fold_snap *fold_snap_pack(const struct fold_state *st)
{
	struct flat f = { 0 };
	flatten(&f, st);
	size_t bound = ZSTD_compressBound(f.n);
	struct fold_snap *z = f.fail ? NULL : malloc(sizeof(*z) + bound);
	ZSTD_CCtx *cc = z ? cctx_get() : NULL;
	/* level -1 (zstd's fast mode): half the time of level 1 both ways,
	 * 3% larger on a 1M-event trace's states */
	size_t size = cc ? ZSTD_compressCCtx(cc, z->z, bound, f.b, f.n, -1) : 0;
	if (cc)
		cctx_put(cc);
	free(f.b);
	if (!cc || ZSTD_isError(size)) {
		free(z);
		return NULL;
	}
	z->raw = f.n;
	z->size = size;
	struct fold_snap *fit = realloc(z, sizeof(*z) + size);	/* give back the bound's slack */
	return fit ? fit : z;
}

size_t fold_snap_bytes(const struct fold_snap *z)
{
	return sizeof(*z) + z->size;
}

/* -- reading back -- */

struct cur {
	const unsigned char *p, *end;
};

static int take(struct cur *c, void *out, size_t k)
{
	if ((size_t)(c->end - c->p) < k)
		return -1;
	if (k)
		memcpy(out, c->p, k);
	c->p += k;
	return 0;
}

/* A fresh copy of k bytes at the cursor into *out (NULL when k is 0). */
static int take_dup(struct cur *c, void **out, size_t k)
{
	*out = NULL;
	if (!k)
		return 0;
	if ((size_t)(c->end - c->p) < k || !(*out = malloc(k)))
		return -1;
	memcpy(*out, c->p, k);
	c->p += k;
	return 0;
}

static int take_str(struct cur *c, char **out)
{
	uint32_t k;
	*out = NULL;
	if (take(c, &k, sizeof(k)) < 0 || (size_t)(c->end - c->p) < (k ? k - 1 : 0))
		return -1;
	if (!k)
		return 0;
	if (!(*out = malloc(k)))
		return -1;
	memcpy(*out, c->p, k - 1);
	(*out)[k - 1] = 0;
	c->p += k - 1;
	return 0;
}

/* The tables' and counters' memory; the entries' own pointers cleared,
 * so that a failure part way frees only what was made here. */
static int unflatten_tables(struct cur *c, struct fold_state *st)
{
	struct fold_table *t[] = { &st->frags, &st->socks, &st->neigh, &st->taps, &st->pmtu };
	static const size_t esz[] = { sizeof(struct fold_frag), sizeof(struct fold_sock), sizeof(struct fold_neigh),
				      sizeof(struct fold_tap), sizeof(struct fold_pmtu) };
	size_t left = (size_t)(c->end - c->p);
	int r = st->nrules > left / sizeof(uint64_t) ? -1 : 0;
	for (int k = 0; k < 5; k++) {
		size_t n = t[k]->n, ns = t[k]->nslot;
		t[k]->cap = n;
		if (t[k]->esz != esz[k] || n > left / esz[k] || ns > left / sizeof(uint32_t) || t[k]->live > n)
			r = -1;		/* not a state this code flattened */
		if (r < 0) {
			t[k]->e = NULL, t[k]->slot = NULL, t[k]->n = t[k]->cap = t[k]->live = t[k]->nslot = 0;
			continue;
		}
		void *e, *slot = NULL;
		r = take_dup(c, &e, n * t[k]->esz);
		r = r < 0 ? r : take_dup(c, &slot, ns * sizeof(uint32_t));
		t[k]->e = e;
		t[k]->slot = slot;
		if (r < 0) {		/* this table is empty, not half made */
			free(e);
			free(slot);
			t[k]->e = NULL, t[k]->slot = NULL, t[k]->n = t[k]->cap = t[k]->live = t[k]->nslot = 0;
		}
	}
	void *rp = NULL;
	r = r < 0 ? r : take_dup(c, &rp, st->nrules * sizeof(uint64_t));
	st->rule_pkts = rp;
	st->nrules = rp ? st->nrules : 0;
	for (size_t i = 0; t[0]->e && i < st->frags.n; i++) {
		struct fold_frag *q = fold_entry(&st->frags, i);
		if (q)
			q->have = NULL, q->arr = NULL, q->narr = q->caparr = 0;
	}
	for (size_t i = 0; t[2]->e && i < st->neigh.n; i++) {
		struct fold_neigh *n = fold_entry(&st->neigh, i);
		if (n)
			n->queued_skbs = NULL;
	}
	return r;
}

static int unflatten(struct cur *c, struct fold_state *st)
{
	if (take(c, st, sizeof(*st)) < 0) {
		memset(st, 0, sizeof(*st));
		return -1;
	}
	if (unflatten_tables(c, st) < 0)
		return -1;
	for (size_t i = 0; i < st->frags.n; i++) {
		struct fold_frag *q = fold_entry(&st->frags, i);
		uint64_t narr;
		void *arr;
		if (!q)
			continue;
		if (take_str(c, &q->have) < 0 || take(c, &narr, sizeof(narr)) < 0 ||
		    narr > (size_t)(c->end - c->p) / sizeof(*q->arr) || take_dup(c, &arr, narr * sizeof(*q->arr)) < 0)
			return -1;
		q->arr = arr;
		q->narr = q->caparr = narr;
	}
	for (size_t i = 0; i < st->neigh.n; i++) {
		struct fold_neigh *n = fold_entry(&st->neigh, i);
		if (n && take_str(c, &n->queued_skbs) < 0)
			return -1;
	}
	return c->p == c->end ? 0 : -1;
}

int fold_snap_unpack(const struct fold_snap *z, struct fold_state *st)
{
	unsigned char small[16384], *flat = z->raw <= sizeof(small) ? small : malloc(z->raw);
	ZSTD_DCtx *d = flat ? dctx_get() : NULL;
	size_t n = d ? ZSTD_decompressDCtx(d, flat, z->raw, z->z, z->size) : 0;
	if (d)
		dctx_put(d);
	int r = -1;
	memset(st, 0, sizeof(*st));
	if (d && !ZSTD_isError(n) && n == z->raw) {
		struct cur c = { flat, flat + n };
		r = unflatten(&c, st);
		if (r < 0)
			fold_state_free(st);
	}
	if (flat != small)
		free(flat);
	return r;
}
