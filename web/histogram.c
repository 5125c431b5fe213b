/*
 * histogram.c - /api/traces/ID/histogram: the whole trace, or a range of
 * it, folded into at most 2000 buckets so the timeline of a 1M-event trace
 * is drawn without fetching the events. Each bucket gives its events, its
 * drops (kfree_skb instants), its first seq and its most frequent layer;
 * with the packet list's filters, also the events and drops of the
 * packets they keep (histogram_filter.c).
 *
 * A request does not walk the events. Running totals (events per layer,
 * drops) are kept at every HIST_BLOCK-th event, folded once, lazily, and
 * extended as a live trace grows; only complete blocks are folded, since
 * their events never change. The totals at a bucket bound p are the stored
 * ones at the nearer block edge, corrected by a scan of at most
 * HIST_BLOCK / 2 events (HIST_BLOCK past the last complete block); a
 * bucket is the difference of its two bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define HIST_MAX	2000		/* buckets of one reply */
#define HIST_BLOCK	64		/* events between two stored totals */
#define HIST_SLOTS	64		/* layers tracked; a trace with more is scanned */
#define HIST_LAYERS	1024		/* layer ids counted apart (others count as 0) */

/*
 * Totals before event k*HIST_BLOCK, for k in [0, nblk]: 4 bytes per layer
 * per block (a 1M-event trace of 10 layers: 700 KB, next to its 56 MB
 * index). Guarded by the store's lock, not t->mu: it is built from the
 * store's index and read in step with it. Layers get a slot in the order
 * they first appear.
 */
struct web_hist {
	uint8_t slot[HIST_LAYERS];		/* layer id → slot + 1; 0: not seen yet */
	uint16_t layer[HIST_SLOTS];		/* slot → layer id */
	int nslots;
	int broken;				/* over HIST_SLOTS layers or out of memory */
	size_t nblk, cap;			/* totals held, and room for */
	uint32_t *drops;			/* [k]: drop instants before k*HIST_BLOCK */
	uint32_t *cnt[HIST_SLOTS];		/* [k]: events of the layer before it */
};

/* The totals at one position of the trace (a bucket bound). */
struct hist_point {
	int nslots;				/* slots known when it was taken */
	uint32_t drops;
	uint32_t cnt[HIST_SLOTS];
	double seq;				/* seq of the event at the position, 0 past the end */
};

/* Gives up the totals for good (too many layers, no memory): the trace's
 * histograms walk the events from now on. */
static void hist_drop(struct web_hist *h)
{
	for (int i = 0; i < h->nslots; i++)
		free(h->cnt[i]);
	free(h->drops);
	h->drops = NULL;
	h->nslots = 0;
	h->broken = 1;
}

void web_hist_free(struct web_hist *h)
{
	if (h)
		hist_drop(h);
	free(h);
}

/* Room for totals 0..k; -1 out of memory. New rows are left unset. */
static int hist_reserve(struct web_hist *h, size_t k)
{
	if (k < h->cap)
		return 0;
	size_t cap = h->cap ? h->cap : 64;
	while (cap <= k)
		cap *= 2;
	uint32_t *d = realloc(h->drops, cap * sizeof(uint32_t));
	if (!d)
		return -1;
	h->drops = d;
	for (int i = 0; i < h->nslots; i++) {
		uint32_t *c = realloc(h->cnt[i], cap * sizeof(uint32_t));
		if (!c)
			return -1;
		h->cnt[i] = c;
	}
	h->cap = cap;
	return 0;
}

static int slot_of(const struct web_hist *h, uint16_t layer)
{
	return h->slot[layer < HIST_LAYERS ? layer : 0] - 1;
}

/* The slot of a layer id, made on its first sight with totals of zero
 * (it was not seen before); -1 when the slots or the memory run out. */
static int hist_slot(struct web_hist *h, uint16_t layer)
{
	uint16_t l = layer < HIST_LAYERS ? layer : 0;
	if (h->slot[l])
		return h->slot[l] - 1;
	if (h->nslots == HIST_SLOTS)
		return -1;
	int i = h->nslots;
	h->cnt[i] = calloc(h->cap ? h->cap : 1, sizeof(uint32_t));
	if (!h->cnt[i])
		return -1;
	h->layer[i] = l;
	h->slot[l] = (uint8_t)(i + 1);
	h->nslots++;
	return i;
}

/* Adds (sign 1) or takes away (sign -1) events [lo, hi) to the totals in
 * pt (store lock held); -1 when a new layer finds no slot. */
static int hist_scan(struct web_hist *h, struct nj_store *s, size_t lo, size_t hi, int sign,
		     struct hist_point *pt)
{
	if (lo == hi)
		return 0;
	uint16_t layer;
	int drop;
	uint32_t d = (uint32_t)sign;			/* wraps: -1 subtracts */
	for (size_t i = lo; i < hi && store_ev_layer(s, i, &layer, &drop) == 0; i++) {
		int k = hist_slot(h, layer);
		if (k < 0)
			return -1;
		while (pt->nslots <= k)
			pt->cnt[pt->nslots++] = 0;
		pt->cnt[k] += d;
		if (drop)
			pt->drops += d;
	}
	return 0;
}

/* The stored totals before event k*HIST_BLOCK into pt. */
static void hist_row(const struct web_hist *h, size_t k, struct hist_point *pt)
{
	pt->nslots = h->nslots;
	pt->drops = h->drops[k];
	for (int i = 0; i < h->nslots; i++)
		pt->cnt[i] = h->cnt[i][k];
}

/* Folds the complete blocks of the n events (store lock held). */
static int hist_extend(struct web_hist *h, struct nj_store *s, size_t n)
{
	if (hist_reserve(h, n / HIST_BLOCK) < 0)
		return -1;
	struct hist_point pt;
	for (size_t k = h->nblk; k < n / HIST_BLOCK; k++) {
		hist_row(h, k, &pt);
		if (hist_scan(h, s, k * HIST_BLOCK, (k + 1) * HIST_BLOCK, 1, &pt) < 0)
			return -1;
		h->drops[k + 1] = pt.drops;
		for (int i = 0; i < pt.nslots; i++)
			h->cnt[i][k + 1] = pt.cnt[i];
		h->nblk = k + 1;
	}
	return 0;
}

/* The trace's totals, made on first use with row 0 (nothing before event
 * 0) and extended to its complete blocks; NULL when they cannot serve
 * (store lock held). */
static struct web_hist *hist_get(struct web_trace *t)
{
	struct web_hist *h = t->hist;
	if (!h) {
		h = t->hist = calloc(1, sizeof(*h));
		if (!h)
			return NULL;
		if (hist_reserve(h, 0) < 0)
			hist_drop(h);
		else
			h->drops[0] = 0;
	}
	if (h->broken)
		return NULL;
	if (hist_extend(h, t->s, store_nevents(t->s)) < 0) {
		hist_drop(h);
		return NULL;
	}
	return h;
}

/* The index of the last event of slot k before event p (one exists). */
static uint32_t last_before(const struct web_hist *h, struct nj_store *s, int k, size_t p)
{
	size_t b = p / HIST_BLOCK, lo = b * HIST_BLOCK;
	uint16_t layer;
	int drop;
	for (size_t i = p; i > lo; i--)
		if (store_ev_layer(s, i - 1, &layer, &drop) == 0 && slot_of(h, layer) == k)
			return (uint32_t)(i - 1);
	/* before lo: in the block just before the first row holding the same
	 * count as row b (rows only grow) */
	uint32_t want = h->cnt[k][b];
	size_t a = 0;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (h->cnt[k][mid] < want)
			a = mid + 1;
		else
			b = mid;
	}
	for (size_t i = a * HIST_BLOCK; i > (a - 1) * HIST_BLOCK; i--)
		if (store_ev_layer(s, i - 1, &layer, &drop) == 0 && slot_of(h, layer) == k)
			return (uint32_t)(i - 1);
	return STORE_NONE;
}

/*
 * The layer with the most events in [lo, hi), a and b the totals at its
 * bounds. On a tie the scan this replaces kept the layer that reached the
 * top count first: each tied layer has exactly that many events in the
 * bucket, so the one whose last event comes first (store lock held).
 */
static int mode_layer(const struct web_hist *h, struct nj_store *s, const struct hist_point *a,
		      const struct hist_point *b, size_t hi)
{
	int best = -1, tie = 0;
	uint32_t top = 0, c[HIST_SLOTS];
	for (int i = 0; i < b->nslots; i++) {
		c[i] = b->cnt[i] - (i < a->nslots ? a->cnt[i] : 0);
		if (c[i] > top) {
			best = i;
			top = c[i];
			tie = 0;
		} else if (c[i] && c[i] == top) {
			tie = 1;
		}
	}
	if (best < 0)
		return -1;
	uint32_t first = STORE_NONE;
	for (int i = 0; tie && i < b->nslots; i++) {
		uint32_t l = c[i] == top ? last_before(h, s, i, hi) : STORE_NONE;
		if (l < first) {
			first = l;
			best = i;
		}
	}
	return h->layer[best];
}

/* The totals before event p (p <= the events indexed) into pt and, when a
 * is the bucket's lower bound, its top layer into *layer (store lock
 * held). Returns -1 when the totals cannot serve: scan the buckets then. */
static int hist_point_at(struct web_trace *t, size_t p, const struct hist_point *a, struct hist_point *pt,
			 int *layer)
{
	struct web_hist *h = hist_get(t);
	if (!h)
		return -1;
	size_t k = p / HIST_BLOCK, lo = k * HIST_BLOCK;
	int r;
	if (k < h->nblk && p - lo > HIST_BLOCK / 2) {
		hist_row(h, k + 1, pt);		/* nearer the next edge: count back */
		r = hist_scan(h, t->s, p, lo + HIST_BLOCK, -1, pt);
	} else {
		hist_row(h, k, pt);
		r = hist_scan(h, t->s, lo, p, 1, pt);
	}
	if (r < 0) {
		hist_drop(h);
		return -1;
	}
	uint32_t seq;
	pt->seq = store_ev_seq(t->s, p, &seq) == 0 ? (double)seq : 0;
	if (a)
		*layer = mode_layer(h, t->s, a, pt, p);
	return 0;
}

/* The reply's columns, nb entries each; kept and kept_drops only when
 * filtered (histogram_filter.c), else NULL. */
struct hist_cols {
	double *n, *drops, *seq, *layer, *kept, *kept_drops;
};

/*
 * Buckets from the stored totals: nb + 1 bounds, no walk of the events.
 * The store lock is taken once per HIST_LOCK_BUCKETS buckets: 64 clients
 * would queue on it 401 times per reply otherwise, and a live trace's
 * writer still gets in between. Returns -1 when the trace cannot use the
 * totals (see hist_scan_bucket).
 */
#define HIST_LOCK_BUCKETS 64

static int hist_fold(struct web_trace *t, size_t from, size_t span, size_t nb, struct hist_cols *c)
{
	struct hist_point pts[2], *a = &pts[0], *b = &pts[1];
	int r = 0;
	store_lock(t->s);
	if (hist_point_at(t, from, NULL, a, NULL) < 0)
		r = -1;
	for (size_t i = 0; i < nb && r == 0; i++) {
		size_t lo = from + span * i / nb, hi = from + span * (i + 1) / nb;
		int layer = -1;
		if (i % HIST_LOCK_BUCKETS == 0 && i) {
			store_unlock(t->s);
			store_lock(t->s);
		}
		if (hist_point_at(t, hi, a, b, &layer) < 0) {
			r = -1;
			break;
		}
		c->n[i] = (double)(hi - lo);
		c->drops[i] = (double)(b->drops - a->drops);
		c->seq[i] = lo < hi ? a->seq : 0;
		c->layer[i] = lo < hi ? layer : -1;
		struct hist_point *x = a;
		a = b;
		b = x;
	}
	store_unlock(t->s);
	return r;
}

/*
 * The fallback for a trace of more than HIST_SLOTS layers (or no memory
 * for the totals): bucket i from a walk of its events. The top layer is
 * the one whose running count first exceeds the leader's, so on a tie the
 * layer that reached the top count first (mode_layer keeps that rule).
 */
static void hist_scan_bucket(struct nj_store *s, struct hist_cols *c, uint32_t *lcount, size_t i, size_t lo,
			     size_t hi)
{
	memset(lcount, 0, HIST_LAYERS * sizeof(*lcount));
	uint16_t best = 0;
	double drops = 0;
	store_lock(s);
	struct store_ev first;
	c->seq[i] = lo < hi && store_ev_get(s, lo, &first) == 0 ? (double)first.seq : 0;
	for (size_t k = lo; k < hi; k++) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, k, &e_buf);
		uint16_t l = e->layer < HIST_LAYERS ? e->layer : 0;
		if (++lcount[l] > lcount[best])
			best = l;
		if (e->verdict == V_DROP && e->ph == 'i')
			drops++;
	}
	store_unlock(s);
	c->n[i] = (double)(hi - lo);
	c->drops[i] = drops;
	c->layer[i] = hi > lo ? best : -1;
}

static int hist_scan_all(struct web_trace *t, size_t from, size_t span, size_t nb, struct hist_cols *c)
{
	uint32_t *lcount = malloc(HIST_LAYERS * sizeof(*lcount));
	if (!lcount)
		return -1;
	for (size_t i = 0; i < nb; i++)
		hist_scan_bucket(t->s, c, lcount, i, from + span * i / nb, from + span * (i + 1) / nb);
	free(lcount);
	return 0;
}

static cJSON *layer_names(struct nj_store *s)
{
	cJSON *names = cJSON_CreateArray();
	store_lock(s);
	for (int id = 0; id < HIST_LAYERS; id++) {
		const char *nm = store_name(s, (uint16_t)id);
		if (id && !strcmp(nm, "?"))
			break;
		cJSON_AddItemToArray(names, cJSON_CreateString(nm));
	}
	store_unlock(s);
	return names;
}

/* The reply: total, range, the four columns (six when filtered: "kept"
 * and "kept_drops", with "kept_packets") and the layer names. */
static enum MHD_Result hist_reply(struct web_req *r, struct web_trace *t, size_t n, int64_t from, int64_t to,
				  const struct hist_cols *c, int nb, long long kept_packets)
{
	static const char *const key[] = { "n", "drops", "seq", "layer", "kept", "kept_drops" };
	const double *col[] = { c->n, c->drops, c->seq, c->layer, c->kept, c->kept_drops };
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)n);
	cJSON_AddNumberToObject(o, "from", (double)from);
	cJSON_AddNumberToObject(o, "to", (double)to);
	for (int i = 0; i < (c->kept ? 6 : 4); i++) {
		cJSON *a = web_num_array(col[i], nb);
		if (!a || !cJSON_AddItemToObject(o, key[i], a)) {
			cJSON_Delete(a);
			cJSON_Delete(o);
			return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		}
	}
	if (c->kept)
		cJSON_AddNumberToObject(o, "kept_packets", (double)kept_packets);
	cJSON_AddItemToObject(o, "names", layer_names(t->s));
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

/* The columns of nb buckets over [from, from + span), filtered by k (NULL:
 * not filtered), and the reply; mem holds six columns. */
static enum MHD_Result hist_answer(struct web_req *r, struct web_trace *t, struct web_hist_sel *k, size_t n,
				   int64_t from, int64_t to, int64_t nb, double *mem)
{
	size_t span = (size_t)(to - from), npk = 0;
	struct hist_cols c = { mem, mem + nb, mem + 2 * nb, mem + 3 * nb, NULL, NULL };
	if (k) {
		c.kept = mem + 4 * nb;
		c.kept_drops = mem + 5 * nb;
	}
	if ((hist_fold(t, (size_t)from, span, (size_t)nb, &c) < 0 &&
	     hist_scan_all(t, (size_t)from, span, (size_t)nb, &c) < 0) ||
	    (k && web_hist_kept(t, k, (size_t)from, span, (size_t)nb, c.kept, c.kept_drops, &npk) < 0))
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return hist_reply(r, t, n, from, to, &c, (int)nb, (long long)npk);
}

enum MHD_Result api_histogram(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	store_unlock(t->s);
	int64_t nb, from, to;
	struct web_hist_sel *k;
	if (web_qint(r, "buckets", 200, 1, HIST_MAX, &nb) < 0 || web_qint(r, "from", 0, 0, INT64_MAX / 2, &from) < 0 ||
	    web_qint(r, "to", (int64_t)n, 0, INT64_MAX / 2, &to) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	int sel = web_hist_sel(r, t, &k);
	if (sel < 0)
		return web_error(r->conn, sel == -1 ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", r->err);
	if (to > (int64_t)n)
		to = (int64_t)n;
	if (from > to)
		from = to;
	if (nb > to - from)
		nb = to > from ? to - from : 1;
	double *mem = calloc((size_t)nb * 6, sizeof(double));
	enum MHD_Result res = mem ? hist_answer(r, t, k, n, from, to, nb, mem)
				  : web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	free(mem);
	web_hist_sel_free(k);
	return res;
}
