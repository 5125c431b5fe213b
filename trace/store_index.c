/*
 * store_index.c - the store's compact event index (see store_index.h).
 * Not a kernel file. An event's code, after the event before it:
 *
 *   flags  bits 0-1 ph (B, E, i, or a raw byte follows), bits 2-3 depth
 *          (same, +1, -1, or a raw byte follows), bit 4 same pkt, bit 5
 *          same skb, bit 6 same ts_ns, bit 7 an ext byte follows
 *   ext    bit 0 seq is not the previous + 1, bit 1 the line does not
 *          follow the previous one, bit 2 layer is not the fn's first
 *          layer, bit 3 a reason byte follows, bits 4-7 the verdict (15:
 *          a verdict byte follows); E events carry one, so it is cheap
 *   then   [ph] [depth] fn [layer] len parent [seq] [off] [pkt] [skb]
 *          [ts_ns] [verdict] [reason]
 *
 * Numbers are LEB128 varints; differences are zigzag-coded and taken
 * modulo the field's width, so any value (ts going backwards, offsets past
 * 4 GiB, seq 2^32-1) codes exactly. parent is 0 for none, else
 * zigzag(seq - parent) + 1: a child of the event just before is one byte.
 */
#include "store_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDX_CACHED	8		/* decoded blocks a thread keeps (a page of 256 events spans 5) */
#define LAY_DECODE	63		/* lay[]: a layer id this big is decoded */

enum { F_PH = 3, F_DEPTH = 3 << 2, F_PKT = 1 << 4, F_SKB = 1 << 5, F_TS = 1 << 6, F_EXT = 1 << 7 };
enum { X_SEQ = 1, X_OFF = 2, X_LAYER = 4, X_REASON = 8, X_VSHIFT = 4, X_VRAW = 15 };

struct sidx_cache {
	uint64_t uid;			/* 0: empty */
	size_t blk, n;			/* n events of block blk decoded */
	struct sidx_prev p;		/* the state after them */
	size_t pos;			/* and where the next one starts in buf */
	struct store_ev ev[SIDX_BLOCK];
};

static _Thread_local struct sidx_cache cache[SIDX_CACHED];
static _Thread_local unsigned cache_victim;
static uint64_t next_uid;

/* sidx_grow - *cap grown (doubling) to hold need elements; out of
 * memory ends the process: the store has no way to report it mid-append. */
void *sidx_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	void *n = realloc(p, c * elem);
	if (!n) {
		fputs("netjourney: out of memory in the event store\n", stderr);
		abort();
	}
	*cap = c;
	return n;
}

void sidx_init(struct store_index *x)
{
	memset(x, 0, sizeof(*x));
	x->uid = __atomic_add_fetch(&next_uid, 1, __ATOMIC_RELAXED);
	x->prev.pkt = x->prev.skb = -1;
}

void sidx_free(struct store_index *x)
{
	free(x->buf);
	free(x->blk);
	free(x->next);
	free(x->lay);
	free(x->esc);
	memset(x, 0, sizeof(*x));
}

static unsigned char *put_var(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static inline const unsigned char *get_var(const unsigned char *p, uint64_t *v)
{
	if (*p < 0x80) {		/* most numbers are one byte, line lengths two */
		*v = *p;
		return p + 1;
	}
	if (p[1] < 0x80) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		return p + 2;
	}
	uint64_t r = 0;
	for (unsigned sh = 0;; sh += 7) {
		r |= (uint64_t)(*p & 0x7f) << sh;
		if (!(*p++ & 0x80))
			break;
	}
	*v = r;
	return p;
}

static uint64_t zig(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzig(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static unsigned ph_code(char ph) { return ph == 'B' ? 0 : ph == 'E' ? 1 : ph == 'i' ? 2 : 3; }

static unsigned depth_code(uint8_t d, uint8_t prev)
{
	return d == prev ? 0 : d == (uint8_t)(prev + 1) ? 1 : d == (uint8_t)(prev - 1) ? 2 : 3;
}

static uint16_t layer_default(const struct store_index *x, uint16_t fn)
{
	return fn < SIDX_NAMES && x->deflayer[fn] ? (uint16_t)(x->deflayer[fn] - 1) : 0;
}

/* Codes e after state p into out (at most 64 bytes); returns its end. */
static unsigned char *code_ev(const struct store_index *x, const struct sidx_prev *p, const struct store_ev *e,
			      unsigned char *out)
{
	unsigned ext = (e->seq != (uint32_t)(p->seq + 1) ? X_SEQ : 0) | (e->off != p->off_next ? X_OFF : 0) |
		       (e->layer != layer_default(x, e->fn) ? X_LAYER : 0) | (e->reason ? X_REASON : 0) |
		       (e->verdict < X_VRAW ? e->verdict : X_VRAW) << X_VSHIFT;
	unsigned ph = ph_code(e->ph), dc = depth_code(e->depth, p->depth);
	unsigned char *o = out;
	*o++ = (unsigned char)(ph | dc << 2 | (e->pkt == p->pkt ? F_PKT : 0) | (e->skb == p->skb ? F_SKB : 0) |
			       (e->ts_ns == p->ts_ns ? F_TS : 0) | (ext ? F_EXT : 0));
	if (ext)
		*o++ = (unsigned char)ext;
	if (ph == 3)
		*o++ = (unsigned char)e->ph;
	if (dc == 3)
		*o++ = e->depth;
	o = put_var(o, e->fn);
	if (ext & X_LAYER)
		o = put_var(o, e->layer);
	o = put_var(o, e->len);
	o = put_var(o, e->parent ? zig((int64_t)e->seq - (int64_t)e->parent) + 1 : 0);
	if (ext & X_SEQ)
		o = put_var(o, zig((int32_t)(e->seq - (uint32_t)(p->seq + 1))));
	if (ext & X_OFF)
		o = put_var(o, zig((int64_t)(e->off - p->off_next)));
	if (e->pkt != p->pkt)
		o = put_var(o, zig((int64_t)e->pkt - p->pkt));
	if (e->skb != p->skb)
		o = put_var(o, zig((int64_t)e->skb - p->skb));
	if (e->ts_ns != p->ts_ns)
		o = put_var(o, zig((int64_t)(e->ts_ns - p->ts_ns)));
	if (ext >> X_VSHIFT == X_VRAW)
		*o++ = e->verdict;
	if (ext & X_REASON)
		*o++ = e->reason;
	return o;
}

/* Decodes the event at in after state p into e, and moves p past it.
 * Fields are built in locals and each written once: reading back a struct
 * just written field by field stalls the CPU's store forwarding. */
static inline const unsigned char *decode_ev(const struct store_index *x, struct sidx_prev *p,
					     const unsigned char *in, struct store_ev *e)
{
	static const char phs[] = "BEi";
	static const int8_t step[4] = { 0, 1, -1, 0 };
	/* the flags' common cases without branches (a mispredicted branch
	 * costs more than decoding the rest): buf always has 64 bytes to spare */
	unsigned h = *in++, has_ext = h >> 7, ext = *in & (0u - has_ext), dc = (h & F_DEPTH) >> 2;
	in += has_ext;
	uint64_t v, fn, layer, len, par;
	char ph = (h & F_PH) == 3 ? (char)*in++ : phs[h & F_PH];
	uint8_t depth = (uint8_t)(p->depth + step[dc]);
	if (dc == 3)
		depth = *in++;
	in = get_var(in, &fn);
	if (ext & X_LAYER)
		in = get_var(in, &layer);
	else
		layer = layer_default(x, (uint16_t)fn);
	in = get_var(in, &len);
	in = get_var(in, &par);
	uint32_t seq = p->seq + 1;
	if (ext & X_SEQ)
		in = get_var(in, &v), seq += (uint32_t)unzig(v);
	uint64_t off = p->off_next, ts = p->ts_ns;
	if (ext & X_OFF)
		in = get_var(in, &v), off += (uint64_t)unzig(v);
	int32_t pkt = p->pkt, skb = p->skb;
	if (!(h & F_PKT))
		in = get_var(in, &v), pkt = (int32_t)(pkt + unzig(v));
	if (!(h & F_SKB))
		in = get_var(in, &v), skb = (int32_t)(skb + unzig(v));
	if (!(h & F_TS))
		in = get_var(in, &v), ts += (uint64_t)unzig(v);
	unsigned verdict = ext >> X_VSHIFT;
	if (verdict == X_VRAW)
		verdict = *in++;
	unsigned has_reason = (ext >> 3) & 1;
	uint8_t reason = (uint8_t)(*in & (0u - has_reason));
	in += has_reason;
	*e = (struct store_ev){ .off = off, .ts_ns = ts, .len = (uint32_t)len, .next_in_pkt = STORE_NONE,
				.seq = seq, .parent = par ? (uint32_t)((int64_t)seq - unzig(par - 1)) : 0,
				.pkt = pkt, .skb = skb, .fn = (uint16_t)fn, .layer = (uint16_t)layer, .ph = ph,
				.verdict = (uint8_t)verdict, .reason = reason, .depth = depth };
	*p = (struct sidx_prev){ off + len + 1, ts, seq, pkt, skb, depth };
	return in;
}

void sidx_append(struct store_index *x, const struct store_ev *e)
{
	if (x->n % SIDX_BLOCK == 0) {
		x->blk = sidx_grow(x->blk, &x->blkcap, x->nblk + 1, sizeof(*x->blk));
		x->blk[x->nblk++] = (struct sidx_blk){ x->len, x->prev, e->seq, 0 };
	} else if (e->seq != (uint32_t)(x->prev.seq + 1)) {
		x->blk[x->nblk - 1].irregular = 1;
	}
	if (e->fn < SIDX_NAMES && !x->deflayer[e->fn])
		x->deflayer[e->fn] = (uint32_t)e->layer + 1;
	x->buf = sidx_grow(x->buf, &x->cap, x->len + 64, 1);
	unsigned char *end = code_ev(x, &x->prev, e, x->buf + x->len);
	x->len = (size_t)(end - x->buf);
	x->prev = (struct sidx_prev){ e->off + e->len + 1, e->ts_ns, e->seq, e->pkt, e->skb, e->depth };
	x->next = sidx_grow(x->next, &x->nextcap, x->n + 1, 1);
	x->next[x->n] = 0;
	x->lay = sidx_grow(x->lay, &x->laycap, x->n + 1, 1);
	x->lay[x->n++] = (uint8_t)((e->layer < LAY_DECODE ? e->layer : LAY_DECODE) | (e->ph == 'i') << 6 |
				   (e->verdict == V_DROP) << 7);
}

/* The thread's decoded copy of block k's first `need` events (or more):
 * decoding stops there and goes on from there when asked for more, so a
 * random access decodes half a block on average, a walk each event once. */
static const struct sidx_cache *block(const struct store_index *x, size_t k, size_t need)
{
	struct sidx_cache *c = NULL;
	for (int j = 0; j < SIDX_CACHED; j++)
		if (cache[j].uid == x->uid && cache[j].blk == k) {
			c = &cache[j];
			if (c->n >= need)
				return c;
			break;
		}
	if (!c) {
		c = &cache[cache_victim++ % SIDX_CACHED];
		c->uid = x->uid;
		c->blk = k;
		c->n = 0;
		c->p = x->blk[k].prev;
		c->pos = x->blk[k].pos;
	}
	const unsigned char *in = x->buf + c->pos;
	struct sidx_prev p = c->p;
	for (size_t j = c->n; j < need; j++)
		in = decode_ev(x, &p, in, &c->ev[j]);
	c->p = p;
	c->n = need;
	c->pos = (size_t)(in - x->buf);
	return c;
}

static uint32_t esc_find(const struct store_index *x, uint32_t ev)
{
	size_t m = x->esccap - 1, h = (ev * 2654435761u) & m;
	while (x->esc[h].ev != ev)
		h = (h + 1) & m;
	return x->esc[h].next;
}

static uint32_t next_of(const struct store_index *x, size_t i)
{
	uint8_t d = x->next[i];
	return d == 0 ? STORE_NONE : d == 255 ? esc_find(x, (uint32_t)i) : (uint32_t)(i + d);
}

int sidx_get(const struct store_index *x, size_t i, struct store_ev *out)
{
	if (i >= x->n)
		return -1;
	const struct sidx_cache *c = block(x, i / SIDX_BLOCK, i % SIDX_BLOCK + 1);
	*out = c->ev[i % SIDX_BLOCK];
	out->next_in_pkt = next_of(x, i);
	return 0;
}

int sidx_seq(const struct store_index *x, size_t i, uint32_t *seq)
{
	struct store_ev e;
	if (i >= x->n)
		return -1;
	const struct sidx_blk *b = &x->blk[i / SIDX_BLOCK];
	if (!b->irregular) {
		*seq = b->first_seq + (uint32_t)(i % SIDX_BLOCK);
		return 0;
	}
	sidx_get(x, i, &e);
	*seq = e.seq;
	return 0;
}

int sidx_layer(const struct store_index *x, size_t i, uint16_t *layer, int *drop_instant)
{
	struct store_ev e;
	if (i >= x->n)
		return -1;
	uint8_t b = x->lay[i];
	*drop_instant = (b & 0xc0) == 0xc0;
	if ((b & LAY_DECODE) != LAY_DECODE) {
		*layer = b & LAY_DECODE;
		return 0;
	}
	sidx_get(x, i, &e);
	*layer = e.layer;
	return 0;
}

void sidx_evs(const struct store_index *x, size_t first, size_t n, struct store_ev *out)
{
	for (size_t i = first, end = first + n; i < end;) {
		size_t k = i / SIDX_BLOCK, j = i % SIDX_BLOCK, m = SIDX_BLOCK - j < end - i ? SIDX_BLOCK - j : end - i;
		memcpy(out + (i - first), block(x, k, j + m)->ev + j, m * sizeof(*out));
		for (size_t q = 0; q < m; q++, i++)
			out[i - first].next_in_pkt = next_of(x, i);
	}
}

static void esc_put(struct store_index *x, uint32_t ev, uint32_t next)
{
	if ((x->nesc + 1) * 2 > x->esccap) {
		struct sidx_esc *old = x->esc;
		size_t oldcap = x->esccap, cap = oldcap ? oldcap * 2 : 1024;
		x->esc = malloc(cap * sizeof(*x->esc));
		if (!x->esc) {
			fputs("netjourney: out of memory in the event index\n", stderr);
			abort();
		}
		memset(x->esc, 0xff, cap * sizeof(*x->esc));
		x->esccap = cap;
		x->nesc = 0;
		for (size_t j = 0; j < oldcap; j++)
			if (old[j].ev != UINT32_MAX)
				esc_put(x, old[j].ev, old[j].next);
		free(old);
	}
	size_t m = x->esccap - 1, h = (ev * 2654435761u) & m;
	while (x->esc[h].ev != UINT32_MAX && x->esc[h].ev != ev)
		h = (h + 1) & m;
	x->nesc += x->esc[h].ev == UINT32_MAX;
	x->esc[h] = (struct sidx_esc){ ev, next };
}

void sidx_set_next(struct store_index *x, size_t i, uint32_t next)
{
	if (i >= x->n)
		return;
	if (next == STORE_NONE) {
		x->next[i] = 0;
		return;
	}
	if (next > i && next - i < 255) {
		x->next[i] = (uint8_t)(next - i);
		return;
	}
	esc_put(x, (uint32_t)i, next);
	x->next[i] = 255;
}

size_t sidx_lower_bound(const struct store_index *x, uint64_t seq, size_t n)
{
	if (n > x->n)
		n = x->n;
	size_t lo = 0, hi = (n + SIDX_BLOCK - 1) / SIDX_BLOCK;	/* the first block starting at >= seq */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->blk[mid].first_seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	size_t k = lo - 1, end = lo * SIDX_BLOCK < n ? lo * SIDX_BLOCK : n;	/* the answer is in block k */
	if (!x->blk[k].irregular) {		/* seqs first_seq, first_seq + 1, ... */
		uint64_t j = seq - x->blk[k].first_seq;
		return j < end - k * SIDX_BLOCK ? k * SIDX_BLOCK + (size_t)j : end;
	}
	const struct sidx_cache *c = block(x, k, end - k * SIDX_BLOCK);
	for (size_t i = k * SIDX_BLOCK; i < end; i++)
		if (c->ev[i - k * SIDX_BLOCK].seq >= seq)
			return i;
	return end;
}

size_t sidx_bytes(const struct store_index *x)
{
	return x->len + x->nblk * sizeof(*x->blk) + 2 * x->n + x->esccap * sizeof(*x->esc);
}

size_t sidx_mib_mark(struct sidx_mib *m, uint64_t ev)
{
	m->last_ev = ev;
	return m->len;
}

void sidx_mib_add(struct sidx_mib *m, uint64_t ev, uint16_t id, uint32_t n)
{
	m->buf = sidx_grow(m->buf, &m->cap, m->len + 30, 1);
	unsigned char *o = put_var(m->buf + m->len, ev - m->last_ev);
	o = put_var(o, id);
	o = put_var(o, n);
	m->len = (size_t)(o - m->buf);
	m->last_ev = ev;
}

void sidx_mib_sum(const struct sidx_mib *m, size_t pos, uint64_t ev, uint64_t upto, uint64_t *out, size_t nout)
{
	const unsigned char *in = m->buf + pos, *end = m->buf + m->len;
	uint64_t d, id, n;
	while (in < end) {
		const unsigned char *next = get_var(in, &d);
		if (ev + d > upto)
			return;
		ev += d;
		next = get_var(get_var(next, &id), &n);
		if (id < nout)
			out[id] += n;
		in = next;
	}
}
