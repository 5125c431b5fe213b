/*
 * fold_index.c - the fold's random access (see fold.h): trace_start read
 * once, the state before the first event, and snapshots every `every`
 * events, compressed (fold_snap.c), built in order on first need, one at
 * a time under the index's write lock. Requests copy a snapshot under the read lock, so many copy
 * at once and one preempted while copying holds up none of the others
 * (64 server threads on 2 CPUs queued behind a mutex made /state's slow
 * tail). When the snapshots pass FOLD_SNAP_BUDGET, every other one goes
 * and `every` doubles, so memory stays bounded whatever the trace; a
 * request then folds at most `every` events forward, parsing only those
 * of enum fold_fn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold_priv.h"

void fold_ids(struct fold_index *x, int ids[FF_MAX])
{
	static const char *const names[FF_MAX] = {
		[FF_IP_FIND] = "ip_find", [FF_FRAG_QUEUE] = "ip_frag_queue",
		[FF_FRAG_INSERT] = "inet_frag_queue_insert", [FF_FRAG_REASM] = "ip_frag_reasm",
		[FF_EXPIRE] = "ip_expire", [FF_EVICTOR] = "ip_evictor", [FF_SET_STATE] = "tcp_set_state",
		[FF_TCP_ACK] = "tcp_ack", [FF_PACKET_RCV] = "packet_rcv", [FF_NF_HOOK] = "nf_hook",
		[FF_NEIGH_UPDATE] = "neigh_update", [FF_NEIGH_SEND] = "__neigh_event_send",
		[FF_CHECK_REQ] = "tcp_check_req", [FF_V4_ERR] = "tcp_v4_err", [FF_KEEPALIVE] = "tcp_keepalive_timer",
		[FF_TW_TIMER] = "tcp_tw_timer", [FF_FIB_LOOKUP] = "fib_table_lookup", [FF_TIME_WAIT] = "tcp_time_wait",
		[FF_REQSK_ALLOC] = "inet_reqsk_alloc", [FF_DO_RCV] = "tcp_v4_do_rcv", [FF_DELACK] = "tcp_delack_timer",
		[FF_REQSK_TIMER] = "reqsk_timer_handler", [FF_TW_PROCESS] = "tcp_timewait_state_process",
		[FF_PMTU] = "__ip_rt_update_pmtu",
	};
	store_lock(x->s);
	for (int k = 0; k < FF_MAX; k++)
		ids[k] = store_name_id(x->s, names[k]);
	store_unlock(x->s);
}

static const char *jstr(const cJSON *o, const char *k);

/* A scenario rule's priority: a number or a table's name (NF_IP_PRI_*). */
static int rule_prio(const cJSON *r)
{
	static const struct { const char *n; int p; } names[] = {
		{ "raw", -300 }, { "mangle", -150 }, { "nat_dst", -100 }, { "filter", 0 }, { "security", 50 },
		{ "nat_src", 100 },
	};
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "priority");
	for (size_t k = 0; cJSON_IsString(v) && k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(v->valuestring, names[k].n))
			return names[k].p;
	return cJSON_IsNumber(v) ? (int)v->valuedouble : 0;
}

static int hook_rank(const char *h)
{
	static const char *const hooks[] = { "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING" };
	for (int k = 0; h && k < 5; k++)
		if (!strcmp(h, hooks[k]))
			return k;
	return 5;
}

/* Each trace_start rule's scenario entry (its "match" for the panels): the
 * scenario's rules in the stack's walk order (hook, priority, insertion),
 * kept only when every pair agrees on hook and priority. */
static void match_rules(struct fold_index *x)
{
	const cJSON *nf = cJSON_GetObjectItemCaseSensitive(x->scenario, "netfilter"), *r;
	size_t n = (size_t)cJSON_GetArraySize(nf), k = 0;
	if (!x->nrules || n != x->nrules || !(x->rule_src = calloc(n, sizeof(*x->rule_src))))
		return;
	cJSON_ArrayForEach(r, nf)
		x->rule_src[k++] = r;
	for (size_t i = 1; i < n; i++)		/* insertion sort: stable */
		for (size_t j = i; j > 0; j--) {
			const cJSON *a = x->rule_src[j - 1], *b = x->rule_src[j];
			int ha = hook_rank(jstr(a, "hook")), hb = hook_rank(jstr(b, "hook"));
			if (ha < hb || (ha == hb && rule_prio(a) <= rule_prio(b)))
				break;
			x->rule_src[j - 1] = b;
			x->rule_src[j] = a;
		}
	k = 0;
	cJSON_ArrayForEach(r, x->rules) {
		const cJSON *src = x->rule_src[k++], *p = cJSON_GetObjectItemCaseSensitive(r, "priority");
		const char *h = jstr(r, "hook"), *hs = jstr(src, "hook");
		if (!h || !hs || strcmp(h, hs) || !cJSON_IsNumber(p) || (int)p->valuedouble != rule_prio(src)) {
			free(x->rule_src);
			x->rule_src = NULL;
			return;
		}
	}
}

struct fold_index *fold_index_new(struct nj_store *s)
{
	struct fold_index *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	pthread_rwlockattr_t a;
	pthread_rwlockattr_init(&a);	/* a request waiting to add snapshots is not starved by copies */
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&x->lock, &a);
	pthread_rwlockattr_destroy(&a);
	x->s = s;
	x->every = FOLD_EVERY;
	store_lock(s);
	const char *m = store_meta_start(s);
	x->start = m ? cJSON_Parse(m) : NULL;
	store_unlock(s);
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(x->start, "scenario");
	const cJSON *fib = cJSON_GetObjectItemCaseSensitive(x->start, "fib");
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(x->start, "rules");
	x->scenario = cJSON_IsObject(sc) ? sc : NULL;
	x->fib = cJSON_IsArray(fib) ? fib : NULL;
	x->rules = cJSON_IsArray(rules) ? rules : NULL;
	x->nrules = x->rules ? (size_t)cJSON_GetArraySize(x->rules) : 0;
	match_rules(x);
	return x;
}

static void drop_snaps(struct fold_index *x)
{
	for (size_t c = 0; c < x->nsnap; c++)
		free(x->snap[c]);
	free(x->snap);
	x->snap = NULL;
	x->nsnap = x->capsnap = x->bytes = 0;
	if (x->tail_ok)
		fold_state_free(&x->tail);
	x->tail_ok = 0;
}

void fold_index_free(struct fold_index *x)
{
	if (!x)
		return;
	drop_snaps(x);
	free(x->rule_src);
	cJSON_Delete(x->start);
	pthread_rwlock_destroy(&x->lock);
	free(x);
}

void fold_index_set_every(struct fold_index *x, size_t k)
{
	pthread_rwlock_wrlock(&x->lock);
	drop_snaps(x);
	x->every = k ? k : 1;
	pthread_rwlock_unlock(&x->lock);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The scenario's listeners: tcp ones LISTEN, udp ones bound (UNCONN). */
static int init_listeners(struct fold_state *st, const cJSON *sc)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(sc, "listen")) {
		const char *proto = jstr(l, "proto");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(l, "port");
		char key[FOLD_KEY];
		if (!proto || !cJSON_IsNumber(port))
			continue;
		snprintf(key, sizeof(key), "%s *:%d", proto, (int)port->valuedouble);
		struct fold_sock *p = fold_add(&st->socks, key);
		if (!p)
			return -1;
		snprintf(p->proto, sizeof(p->proto), "%s", proto);
		snprintf(p->state, sizeof(p->state), "%s", strcmp(proto, "tcp") ? "UNCONN" : "LISTEN");
		snprintf(p->old, sizeof(p->old), "%s", jstr(l, "app") ? jstr(l, "app") : "");	/* a listener's app */
		fold_sock_init(p);
	}
	return 0;
}

/* The scenario's static neighbours (NUD_PERMANENT) and packet sockets. */
static int init_neigh_taps(struct fold_state *st, const cJSON *sc)
{
	const cJSON *n;
	char key[FOLD_KEY];
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(sc, "neighbours")) {
		const char *ip = jstr(n, "ip"), *dev = jstr(n, "dev") ? jstr(n, "dev") : "eth0";
		struct fold_neigh *p;
		if (!ip)
			continue;
		snprintf(key, sizeof(key), "%s %s", dev, ip);
		if (!(p = fold_add(&st->neigh, key)))
			return -1;
		snprintf(p->ip, sizeof(p->ip), "%s", ip);
		snprintf(p->dev, sizeof(p->dev), "%s", dev);
		snprintf(p->mac, sizeof(p->mac), "%s", jstr(n, "mac") ? jstr(n, "mac") : "");
		snprintf(p->nud, sizeof(p->nud), "PERMANENT");
		p->queued = p->queued_bytes = -1;
	}
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(sc, "packet_sockets")) {
		struct fold_tap *t;
		if (!jstr(n, "name") || !(t = fold_add(&st->taps, jstr(n, "name"))))
			continue;
		snprintf(t->filter, sizeof(t->filter), "%s", jstr(n, "filter") ? jstr(n, "filter") : "");
		t->qlen = -1;
	}
	return 0;
}

int fold_state_init(struct fold_index *x, struct fold_state *st)
{
	memset(st, 0, sizeof(*st));
	st->frags.esz = sizeof(struct fold_frag);
	st->socks.esz = sizeof(struct fold_sock);
	st->neigh.esz = sizeof(struct fold_neigh);
	st->taps.esz = sizeof(struct fold_tap);
	st->pmtu.esz = sizeof(struct fold_pmtu);
	st->nrules = x->nrules;
	if ((x->nrules && !(st->rule_pkts = calloc(x->nrules, sizeof(uint64_t)))) ||
	    init_listeners(st, x->scenario) < 0 || init_neigh_taps(st, x->scenario) < 0) {
		fold_state_free(st);
		return -1;
	}
	return 0;
}

/* Every other snapshot goes; the interval doubles. */
static void thin(struct fold_index *x)
{
	size_t w = 0;
	x->bytes = 0;
	for (size_t c = 0; c < x->nsnap; c++) {
		if (c % 2) {
			free(x->snap[c]);
			continue;
		}
		x->snap[w++] = x->snap[c];
		x->bytes += fold_snap_bytes(x->snap[c]);
	}
	x->nsnap = w;
	x->every *= 2;
}

/* x->tail as the state before event at: folded on from where it is, or
 * from the newest snapshot when it is past that (after thin). */
static int tail_to(struct fold_index *x, size_t at)
{
	if (x->tail_ok && x->tail.next > at) {
		fold_state_free(&x->tail);
		x->tail_ok = 0;
	}
	if (!x->tail_ok)
		x->tail_ok = (x->nsnap ? fold_snap_unpack(x->snap[x->nsnap - 1], &x->tail)
				       : fold_state_init(x, &x->tail)) == 0;
	if (x->tail_ok && x->tail.next < at && fold_forward(x, &x->tail, at - 1) < 0)
		x->tail_ok = 0;		/* fold_forward freed it */
	return x->tail_ok ? 0 : -1;
}

/* Appends the next snapshot (the state before event nsnap * every). */
static int snap_next(struct fold_index *x)
{
	if (x->nsnap == x->capsnap) {
		size_t cap = x->capsnap ? 2 * x->capsnap : 64;
		struct fold_snap **n = realloc(x->snap, cap * sizeof(*n));
		if (!n)
			return -1;
		x->snap = n;
		x->capsnap = cap;
	}
	struct fold_snap *z = tail_to(x, x->nsnap * x->every) == 0 ? fold_snap_pack(&x->tail) : NULL;
	if (!z)
		return -1;
	x->snap[x->nsnap++] = z;
	x->bytes += fold_snap_bytes(z);
	if (x->bytes > FOLD_SNAP_BUDGET && x->nsnap > 2)
		thin(x);
	return 0;
}

int fold_at(struct fold_index *x, size_t i, struct fold_state *st)
{
	store_lock(x->s);
	size_t n = store_nevents(x->s);
	store_unlock(x->s);
	memset(st, 0, sizeof(*st));
	if (i >= n)
		return -1;
	int r = 0;
	pthread_rwlock_rdlock(&x->lock);
	while (r == 0 && x->nsnap <= i / x->every) {
		/* one snapshot more per hold of the write lock: copies of those
		 * made already go on meanwhile (a 1M-event trace's first
		 * request makes about 8,000) */
		pthread_rwlock_unlock(&x->lock);
		pthread_rwlock_wrlock(&x->lock);
		if (x->nsnap <= i / x->every)
			r = snap_next(x);
		pthread_rwlock_unlock(&x->lock);
		pthread_rwlock_rdlock(&x->lock);
	}
	if (r == 0)
		r = fold_snap_unpack(x->snap[i / x->every], st);
	pthread_rwlock_unlock(&x->lock);
	return r < 0 ? -1 : fold_forward(x, st, i);
}
