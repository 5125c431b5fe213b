/*
 * api_state.c - /api/traces/ID/state?seq=S: the host as it was when event
 * S was emitted, rebuilt from the trace alone (the stack is not kept):
 * counters summed up to S, fragment queues from the args of the ip_find /
 * ip_frag_queue / ip_frag_reasm / ip_expire events (queue name → latest
 * args; a queue is gone once its reasm/expire frame closes or it is
 * killed), TCP sockets from tcp_set_state args (old/new state), and the
 * static configuration (interfaces, routes, neighbours, rules, listeners)
 * from the trace_start scenario. Missing args are skipped, not errors:
 * older traces simply show less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define FRAG_FNS 6

struct state_scan {
	int fn_frag[FRAG_FNS], fn_tcp;
	cJSON *queues;			/* object: queue name → args */
	cJSON *closing;			/* object: B seq (text) → queue name */
	cJSON *socks;			/* object: sk → state */
};

static void scan_init(struct state_scan *sc, struct nj_store *s)
{
	static const char *const fr[FRAG_FNS] = { "ip_find", "ip_frag_queue", "inet_frag_queue_insert",
						  "ip_frag_reasm", "ip_expire", "ip_defrag" };
	store_lock(s);
	for (int k = 0; k < FRAG_FNS; k++)
		sc->fn_frag[k] = store_name_id(s, fr[k]);
	sc->fn_tcp = store_name_id(s, "tcp_set_state");
	store_unlock(s);
	sc->queues = cJSON_CreateObject();
	sc->closing = cJSON_CreateObject();
	sc->socks = cJSON_CreateObject();
}

static void scan_free(struct state_scan *sc)
{
	cJSON_Delete(sc->queues);
	cJSON_Delete(sc->closing);
	cJSON_Delete(sc->socks);
}

static int is_frag_fn(const struct state_scan *sc, uint16_t fn)
{
	for (int k = 0; k < FRAG_FNS; k++)
		if (sc->fn_frag[k] == fn)
			return 1;
	return 0;
}

static void replace_item(cJSON *obj, const char *key, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

/* One fragment event: update, or forget the queue it closes. */
static void frag_event(struct state_scan *sc, const char *fn, const cJSON *o, const struct store_ev *e)
{
	char key[32];
	if (e->ph == 'E') {
		snprintf(key, sizeof(key), "%llu", (unsigned long long)e->parent);
		cJSON *q = cJSON_DetachItemFromObjectCaseSensitive(sc->closing, key);
		if (cJSON_IsString(q))
			cJSON_DeleteItemFromObjectCaseSensitive(sc->queues, q->valuestring);
		cJSON_Delete(q);
		return;
	}
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
	const cJSON *qn = cJSON_GetObjectItemCaseSensitive(a, "queue");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "msg");
	if (!cJSON_IsString(qn))
		return;
	if (e->ph == 'B' && (!strcmp(fn, "ip_frag_reasm") || !strcmp(fn, "ip_expire"))) {
		snprintf(key, sizeof(key), "%llu", (unsigned long long)e->seq);
		replace_item(sc->closing, key, cJSON_CreateString(qn->valuestring));
	}
	if (cJSON_IsString(msg) && strstr(msg->valuestring, "kills the queue")) {
		cJSON_DeleteItemFromObjectCaseSensitive(sc->queues, qn->valuestring);
		return;
	}
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(sc->queues, qn->valuestring);
	if (!cur) {
		cur = cJSON_AddObjectToObject(sc->queues, qn->valuestring);
		cJSON_AddNumberToObject(cur, "since_seq", (double)e->seq);
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, a)
		replace_item(cur, c->string, cJSON_Duplicate(c, 1));
	replace_item(cur, "seq", cJSON_CreateNumber((double)e->seq));
}

static void tcp_event(struct state_scan *sc, const cJSON *o, const struct store_ev *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
	const cJSON *sk = cJSON_GetObjectItemCaseSensitive(a, "sk");
	if (!cJSON_IsString(sk))
		return;
	cJSON *x = cJSON_Duplicate(a, 1);
	cJSON_AddNumberToObject(x, "seq", (double)e->seq);
	replace_item(sc->socks, sk->valuestring, x);
}

/* Replays the stateful events of [0, last]. */
static void scan(struct state_scan *sc, struct nj_store *s, size_t last)
{
	for (size_t i = 0; i <= last; i++) {
		store_lock(s);
		struct store_ev e = *store_ev(s, i);
		store_unlock(s);
		int frag = is_frag_fn(sc, e.fn), tcp = sc->fn_tcp >= 0 && e.fn == sc->fn_tcp;
		if (!frag && !tcp)
			continue;
		char *line = store_line(s, i, NULL);
		cJSON *o = line ? cJSON_Parse(line) : NULL;
		free(line);
		if (o && frag)
			frag_event(sc, store_name(s, e.fn), o, &e);
		else if (o)
			tcp_event(sc, o, &e);
		cJSON_Delete(o);
	}
}

/* An object of named entries → an array with the name as "name". */
static cJSON *as_list(cJSON *obj, const char *keyname)
{
	cJSON *arr = cJSON_CreateArray(), *c;
	while ((c = obj->child)) {
		cJSON_DetachItemViaPointer(obj, c);
		if (cJSON_IsObject(c) && !cJSON_GetObjectItemCaseSensitive(c, keyname))
			cJSON_AddStringToObject(c, keyname, c->string);
		cJSON_AddItemToArray(arr, c);
	}
	return arr;
}

/* The configuration sections of the trace_start scenario, or nulls. */
static void add_config(struct web_trace *t, cJSON *o)
{
	static const char *const keys[] = { "interfaces", "routes", "neighbours", "netfilter", "listen",
					    "packet_sockets", "forwarding", "rp_filter", "kernel" };
	store_lock(t->s);
	const char *m = store_meta_start(t->s);
	cJSON *start = m ? cJSON_Parse(m) : NULL;
	store_unlock(t->s);
	cJSON *sc = cJSON_GetObjectItemCaseSensitive(start, "scenario");
	cJSON *cfg = cJSON_AddObjectToObject(o, "config");
	cJSON_AddBoolToObject(cfg, "known", cJSON_IsObject(sc));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(sc, keys[k]);
		cJSON_AddItemToObject(cfg, keys[k], v ? v : cJSON_CreateNull());
	}
	cJSON_Delete(start);
}

enum MHD_Result api_state(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	int64_t last = n ? (int64_t)store_ev(t->s, n - 1)->seq : 0, seq;
	store_unlock(t->s);
	if (web_qint(r, "seq", last, 1, INT64_MAX / 2, &seq) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	store_lock(t->s);
	size_t i = n ? store_index_of_seq(t->s, (uint64_t)seq) : SIZE_MAX;
	store_unlock(t->s);
	if (i == SIZE_MAX)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "trace %d has no event %lld", t->id, (long long)seq);
	uint64_t m[MIB_MAX];
	web_mib_at(t, i, m);
	struct state_scan sc;
	scan_init(&sc, t->s);
	scan(&sc, t->s, i);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	cJSON_AddNumberToObject(o, "index", (double)i);
	cJSON_AddItemToObject(o, "counters", web_mib_json(m));
	cJSON_AddItemToObject(o, "frag_queues", as_list(sc.queues, "queue"));
	cJSON_AddItemToObject(o, "sockets", as_list(sc.socks, "sk"));
	scan_free(&sc);
	add_config(t, o);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
