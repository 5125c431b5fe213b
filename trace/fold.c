/*
 * fold.c - events into state (see fold.h): the keyed tables, and one
 * function per kind of state-changing event. Only the events of the
 * functions in enum fold_fn are parsed, found by their interned name ids
 * in the store's index, so a fold reads few lines.
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

void fold_state_free(struct fold_state *st)
{
	for (size_t i = 0; i < st->frags.n; i++) {
		struct fold_frag *q = fold_entry(&st->frags, i);
		if (q)
			free(q->have);
	}
	table_free(&st->frags);
	table_free(&st->socks);
	table_free(&st->neigh);
	table_free(&st->taps);
	free(st->rule_pkts);
	st->rule_pkts = NULL;
	st->nrules = 0;
}

int fold_state_copy(struct fold_state *d, const struct fold_state *s)
{
	*d = *s;
	d->frags = d->socks = d->neigh = d->taps = (struct fold_table){ 0 };
	d->rule_pkts = NULL;
	int r = table_copy(&d->frags, &s->frags);
	for (size_t i = 0; r == 0 && i < d->frags.n; i++) {
		struct fold_frag *q = fold_entry(&d->frags, i);
		if (q && q->have && !(q->have = strdup(q->have)))
			r = -1;
		for (size_t j = i + 1; r < 0 && j < d->frags.n; j++)	/* not copied: not ours to free */
			if ((q = fold_entry(&d->frags, j)))
				q->have = NULL;
	}
	if (r == 0 && table_copy(&d->socks, &s->socks) == 0 && table_copy(&d->neigh, &s->neigh) == 0 &&
	    table_copy(&d->taps, &s->taps) == 0 &&
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
	const struct fold_table *t[] = { &st->frags, &st->socks, &st->neigh, &st->taps };
	size_t b = sizeof(*st) + st->nrules * sizeof(uint64_t);
	for (int k = 0; k < 4; k++)
		b += t[k]->n * t[k]->esz + t[k]->nslot * sizeof(uint32_t);
	for (size_t i = 0; i < st->frags.n; i++) {
		const struct fold_frag *q = fold_entry(&st->frags, i);
		b += q && q->have ? strlen(q->have) + 1 : 0;
	}
	return b;
}

/* -- reading args -- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long jnum(const cJSON *o, const char *k, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

static void put(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

/* -- fragment queues -- */

static void frag_end(struct fold_state *st, const char *key, const char *why)
{
	struct fold_frag *q = fold_get(&st->frags, key);
	if (q) {
		free(q->have);
		fold_del(&st->frags, q);
	}
	if (st->nends == FOLD_ENDS) {
		st->ends_more++;
		return;
	}
	put(st->ends[st->nends].key, FOLD_KEY, key);
	put(st->ends[st->nends++].why, sizeof(st->ends[0].why), why);
}

static int frag_contents(struct fold_frag *q, const cJSON *a)
{
	const cJSON *f, *have = cJSON_GetObjectItemCaseSensitive(a, "have");
	char *txt = cJSON_PrintUnformatted(have);
	if (!txt)
		return -1;
	free(q->have);
	q->have = txt;
	q->have_more = jnum(a, "have_more", 0);
	q->meat = jnum(a, "meat", 0);
	q->len = jnum(a, "len", -1);
	q->nfrags = (int)jnum(a, "nfrags", 0);
	q->mem = jnum(a, "truesize", -1);
	q->flags = 0;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a, "flags")) {
		if (cJSON_IsString(f) && !strcmp(f->valuestring, "FIRST_IN"))
			q->flags |= 1;
		if (cJSON_IsString(f) && !strcmp(f->valuestring, "LAST_IN"))
			q->flags |= 2;
	}
	return 0;
}

/* ip_find names (and creates) a queue unless refused; a queue's contents
 * come with every event that carries "have"; "end" says it is gone. */
static int frag_event(struct fold_state *st, enum fold_fn role, const cJSON *a, uint64_t seq)
{
	const char *key = jstr(a, "queue"), *end = jstr(a, "end");
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(a, "have");
	st->frag_events++;
	if (!key)
		return 0;
	if (end) {
		frag_end(st, key, end);
		return 0;
	}
	if (role == FF_IP_FIND && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "refused")))
		return 0;
	if (role != FF_IP_FIND && !cJSON_IsArray(have))
		return 0;
	struct fold_frag *q = fold_get(&st->frags, key);
	if (!q) {
		if (!(q = fold_add(&st->frags, key)))
			return -1;
		q->len = q->mem = -1;
		q->since_seq = seq;
	}
	q->seq = seq;
	return cJSON_IsArray(have) ? frag_contents(q, a) : 0;
}

/* -- sockets: tcp_set_state makes and moves them, tcp_ack moves snd_una -- */

static int sock_state(struct fold_state *st, const cJSON *a, uint64_t seq)
{
	const char *sk = jstr(a, "sk"), *nw = jstr(a, "new");
	if (!sk || !nw)
		return 0;
	struct fold_sock *p = fold_get(&st->socks, sk);
	if (!strcmp(nw, "CLOSE")) {		/* unhashed and destroyed: gone */
		if (p)
			fold_del(&st->socks, p);
		return 0;
	}
	if (!p && !(p = fold_add(&st->socks, sk)))
		return -1;
	put(p->proto, sizeof(p->proto), "tcp");
	put(p->state, sizeof(p->state), nw);
	put(p->old, sizeof(p->old), jstr(a, "old"));
	p->snd_una = jnum(a, "snd_una", -1);
	p->snd_nxt = jnum(a, "snd_nxt", -1);
	p->rcv_nxt = jnum(a, "rcv_nxt", -1);
	p->snd_wnd = jnum(a, "snd_wnd", -1);
	p->rcv_wnd = jnum(a, "rcv_wnd", -1);
	p->seq = seq;
	return 0;
}

static void sock_ack(struct fold_state *st, const cJSON *a, uint64_t seq)
{
	const char *sk = jstr(a, "sk");
	struct fold_sock *p = sk ? fold_get(&st->socks, sk) : NULL;
	if (!p)
		return;
	p->snd_una = jnum(a, "snd_una", p->snd_una);
	p->snd_wnd = jnum(a, "snd_wnd", p->snd_wnd);
	(void)seq;			/* seq stays the state change's */
}

/* A socket freed without a tcp_set_state (a request sock dropped). */
static void sock_gone(struct fold_state *st, const cJSON *a)
{
	const char *sk = jstr(a, "sk");
	struct fold_sock *p = sk && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "sk_gone")) ? fold_get(&st->socks, sk)
												    : NULL;
	if (p)
		fold_del(&st->socks, p);
}

/* -- packet sockets: packet_rcv's E event, with the socket's counters -- */

static int tap_event(struct fold_state *st, const cJSON *a, const struct store_ev *e)
{
	const char *name = jstr(a, "sock");
	if (!name || e->ph != 'E')
		return 0;
	struct fold_tap *t = fold_get(&st->taps, name);
	if (!t && !(t = fold_add(&st->taps, name)))
		return -1;
	t->seen++;
	t->received += e->verdict == V_QUEUED;
	t->filtered += e->verdict == V_CONSUMED;
	t->dropped += e->verdict == V_DROP;
	t->qlen = jnum(a, "qlen", -1) + (e->verdict == V_QUEUED);
	return 0;
}

/* -- netfilter: each rule nf_hook tried carries its packet counter -- */

static void rule_event(struct fold_state *st, const cJSON *a)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "rules")) {
		long long i = jnum(r, "index", -1), pkts = jnum(r, "pkts", -1);
		if (i >= 0 && (size_t)i < st->nrules && pkts >= 0)
			st->rule_pkts[i] = (uint64_t)pkts;
	}
}

/* -- neighbours: the entry that changed, as "neigh" -- */

static int neigh_event(struct fold_state *st, const cJSON *a, uint64_t seq)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "neigh");
	const char *ip = jstr(n, "ip"), *dev = jstr(n, "dev"), *mac = jstr(n, "mac"), *nud = jstr(n, "state");
	char key[FOLD_KEY];
	if (!ip || !dev)
		return 0;
	snprintf(key, sizeof(key), "%s %s", dev, ip);
	struct fold_neigh *p = fold_get(&st->neigh, key);
	if (!p && !(p = fold_add(&st->neigh, key)))
		return -1;
	put(p->ip, sizeof(p->ip), ip);
	put(p->dev, sizeof(p->dev), dev);
	put(p->mac, sizeof(p->mac), mac && mac[0] != '(' ? mac : "");
	put(p->nud, sizeof(p->nud), nud);
	p->seq = seq;
	return 0;
}

/* -- one event -- */

/* The role of event e, or FF_MAX when it changes nothing the fold keeps:
 * B events carry no state but ip_expire's; E events only ip_frag_queue's
 * (queued), packet_rcv's and those that may free a socket. */
static enum fold_fn role_of(const int ids[FF_MAX], const struct store_ev *e)
{
	int r = 0;
	while (r < FF_MAX && (ids[r] < 0 || e->fn != ids[r]))
		r++;
	if (r == FF_MAX)
		return FF_MAX;
	if (e->ph == 'B')
		return r == FF_EXPIRE ? FF_EXPIRE : FF_MAX;
	if (e->ph == 'E')
		return r == FF_FRAG_QUEUE || r == FF_PACKET_RCV || r >= FF_CHECK_REQ ? (enum fold_fn)r : FF_MAX;
	return r == FF_PACKET_RCV || r >= FF_CHECK_REQ ? FF_MAX : (enum fold_fn)r;
}

static int apply(struct fold_state *st, enum fold_fn role, const cJSON *a, const struct store_ev *e)
{
	switch (role) {
	case FF_IP_FIND: case FF_FRAG_QUEUE: case FF_FRAG_INSERT: case FF_FRAG_REASM: case FF_EXPIRE: case FF_EVICTOR:
		return frag_event(st, role, a, e->seq);
	case FF_SET_STATE:
		return sock_state(st, a, e->seq);
	case FF_TCP_ACK:
		sock_ack(st, a, e->seq);
		return 0;
	case FF_PACKET_RCV:
		return tap_event(st, a, e);
	case FF_NF_HOOK:
		rule_event(st, a);
		return 0;
	case FF_CHECK_REQ: case FF_V4_ERR: case FF_KEEPALIVE: case FF_TW_TIMER:
		sock_gone(st, a);
		return 0;
	default:
		return neigh_event(st, a, e->seq);
	}
}

#define FOLD_CHUNK	512		/* index entries copied per hold of the store's lock */

/* Event e (its line is line[0..len), not NUL-terminated) into st. */
static int fold_line(struct fold_state *st, enum fold_fn role, const struct store_ev *e, const char *line, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(line, len);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
	int r = cJSON_IsObject(a) ? apply(st, role, a, e) : 0;
	cJSON_Delete(o);
	return r;
}

/* Events ev[0..n) (index first..): the lines of those that matter are read
 * with one pread, from the first such line to the last. */
static int fold_chunk(struct nj_store *s, const int ids[FF_MAX], struct fold_state *st, const struct store_ev *ev,
		      size_t n, size_t first)
{
	size_t a = n, b = 0;
	for (size_t k = 0; k < n; k++)
		if (role_of(ids, &ev[k]) != FF_MAX) {
			a = a == n ? k : a;
			b = k;
		}
	char *buf = NULL;
	uint64_t base = a < n ? ev[a].off : 0;
	if (a < n && (ev[b].off < base || !(buf = malloc(ev[b].off + ev[b].len - base)) ||
		      store_read(s, base, ev[b].off + ev[b].len - base, buf) < 0)) {
		free(buf);
		return -1;
	}
	int r = 0;
	for (size_t k = 0; k < n && r == 0; k++) {
		enum fold_fn role = role_of(ids, &ev[k]);
		st->nends = st->ends_more = 0;
		st->next = first + k + 1;
		if (role != FF_MAX && ev[k].off >= base && ev[k].off + ev[k].len <= ev[b].off + ev[b].len)
			r = fold_line(st, role, &ev[k], buf + (ev[k].off - base), ev[k].len);
	}
	free(buf);
	return r;
}

int fold_forward(struct fold_index *x, struct fold_state *st, size_t i)
{
	int ids[FF_MAX];
	struct store_ev *ev = malloc(FOLD_CHUNK * sizeof(*ev));
	fold_ids(x, ids);
	while (ev && st->next <= i) {
		size_t want = i + 1 - st->next < FOLD_CHUNK ? i + 1 - st->next : FOLD_CHUNK;
		size_t n = store_evs(x->s, st->next, want, ev);
		if (n != want || fold_chunk(x->s, ids, st, ev, n, st->next) < 0)
			break;
	}
	free(ev);
	if (st->next <= i) {
		fold_state_free(st);
		return -1;
	}
	return 0;
}
