/*
 * step_state.c - state at an event, folded from the events' args (see
 * step_state.h). Only events of the functions that report a piece of
 * state are parsed, found by their interned name ids, so a fold over a
 * large trace reads few lines.
 */
#include "step_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"

/* Event k parsed, when its function is one of ids[0..n). */
static cJSON *parse_if(struct nj_store *s, size_t k, const int *ids, int n)
{
	const struct store_ev *e = store_ev(s, k);
	for (int j = 0; e && j < n; j++)
		if (ids[j] >= 0 && e->fn == ids[j]) {
			char *line = store_line(s, k, NULL);
			cJSON *o = line ? cJSON_Parse(line) : NULL;
			free(line);
			return o;
		}
	return NULL;
}

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

/* -- fragment queues -- */

static struct step_fragq *fragq_get(struct step_frags *f, const char *name, int create)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->q[i].queue, name))
			return &f->q[i];
	if (!create || f->n == STEP_MAX_FRAGQ)
		return NULL;
	struct step_fragq *q = &f->q[f->n++];
	memset(q, 0, sizeof(*q));
	snprintf(q->queue, sizeof(q->queue), "%s", name);
	q->len = -1;
	return q;
}

static void fragq_remove(struct step_frags *f, const char *name, uint64_t seq, const char *how)
{
	struct step_fragq *q = fragq_get(f, name, 0);
	if (!q)
		return;
	snprintf(f->last, sizeof(f->last), "%s: %s at #%llu", name, how, (unsigned long long)seq);
	*q = f->q[--f->n];
}

/* The "have" ranges as "[0,1480) [1480,2960)". */
static void fmt_have(const cJSON *have, char *out, size_t outlen)
{
	const cJSON *r;
	size_t k = 0;
	out[0] = 0;
	cJSON_ArrayForEach(r, have) {
		const cJSON *a = cJSON_GetArrayItem(r, 0), *b = cJSON_GetArrayItem(r, 1);
		if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || k + 32 >= outlen)
			continue;
		k += (size_t)snprintf(out + k, outlen - k, "%s[%.0f,%.0f)", k ? " " : "", a->valuedouble, b->valuedouble);
	}
}

static void frag_update(struct step_frags *f, const cJSON *args, uint64_t seq)
{
	const char *name = jstr(args, "queue");
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(args, "have");
	const cJSON *found = cJSON_GetObjectItemCaseSensitive(args, "found");
	if (!name || (!cJSON_IsArray(have) && !cJSON_IsBool(found)))
		return;
	struct step_fragq *q = fragq_get(f, name, 1);
	if (!q)
		return;
	q->seq = seq;
	if (!cJSON_IsArray(have))
		return;		/* ip_find: the queue exists, contents come later */
	fmt_have(have, q->have, sizeof(q->have));
	q->meat = jnum(args, "meat", 0);
	q->len = jnum(args, "len", -1);
	q->nfrags = (int)jnum(args, "nfrags", 0);
}

/*
 * Queue removals: a successful ip_frag_reasm step names the queue with
 * tot_len; an ip_frag_reasm or ip_expire E ends the queue named last; a
 * "kills the queue"/"evicting" step (ip_frag_queue discard, ip_evictor)
 * likewise. The last two rely on the stack's messages, the only record.
 */
static void frag_event(struct step_frags *f, const cJSON *o, const char **lastq, uint64_t seq)
{
	const char *fn = jstr(o, "fn"), *ph = jstr(o, "ph"), *msg = jstr(o, "msg");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");
	f->events++;
	if (cJSON_IsObject(args) && jstr(args, "queue")) {
		*lastq = jstr(args, "queue");
		if (fn && !strcmp(fn, "ip_frag_reasm") && cJSON_GetObjectItemCaseSensitive(args, "tot_len")) {
			fragq_remove(f, *lastq, seq, "reassembled");
			*lastq = NULL;
			return;
		}
		frag_update(f, args, seq);
	}
	if (!fn || !ph || !*lastq)
		return;
	if (ph[0] == 'E' && !strcmp(fn, "ip_expire"))
		fragq_remove(f, *lastq, seq, "timed out (ip_expire)");
	else if (ph[0] == 'E' && !strcmp(fn, "ip_frag_reasm"))
		fragq_remove(f, *lastq, seq, "reassembly failed");
	else if (msg && strstr(msg, "kills the queue"))
		fragq_remove(f, *lastq, seq, "discarded");
	else if (msg && !strncmp(msg, "evicting the oldest queue ", 26))
		fragq_remove(f, *lastq, seq, "evicted (memory)");
}

int step_frags_at(struct nj_store *s, size_t i, struct step_frags *out)
{
	static const char *const fns[] = { "ip_defrag", "ip_find", "ip_frag_queue", "ip_frag_reasm",
					   "ip_expire", "inet_frag_queue_insert", "ip_evictor" };
	int ids[7];
	char lastq[96] = "";
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < 7; k++)
		ids[k] = store_name_id(s, fns[k]);
	for (size_t k = 0; k <= i && k < store_nevents(s); k++) {
		cJSON *o = parse_if(s, k, ids, 7);
		if (!o)
			continue;
		const char *lq = lastq[0] ? lastq : NULL;
		frag_event(out, o, &lq, store_ev(s, k)->seq);
		if (lq != lastq)
			snprintf(lastq, sizeof(lastq), "%s", lq ? lq : "");
		cJSON_Delete(o);
	}
	return 0;
}

/* -- TCP sockets: tcp_set_state steps -- */

static void sock_update(struct step_socks *out, const cJSON *args, uint64_t seq)
{
	const char *sk = jstr(args, "sk"), *nw = jstr(args, "new");
	if (!sk || !nw)
		return;
	struct step_sock *p = NULL;
	for (int j = 0; j < out->n && !p; j++)
		if (!strcmp(out->s[j].sk, sk))
			p = &out->s[j];
	if (!p && out->n == STEP_MAX_SOCKS)
		return;
	if (!p) {
		p = &out->s[out->n++];
		snprintf(p->sk, sizeof(p->sk), "%s", sk);
	}
	snprintf(p->state, sizeof(p->state), "%s", nw);
	snprintf(p->old, sizeof(p->old), "%s", jstr(args, "old") ? jstr(args, "old") : "?");
	p->seq = seq;
	p->snd_una = jnum(args, "snd_una", -1);
	p->snd_nxt = jnum(args, "snd_nxt", -1);
	p->rcv_nxt = jnum(args, "rcv_nxt", -1);
}

int step_socks_at(struct nj_store *s, size_t i, struct step_socks *out)
{
	int id = store_name_id(s, "tcp_set_state");
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; id >= 0 && k <= i && k < store_nevents(s); k++) {
		cJSON *o = parse_if(s, k, &id, 1);
		if (!o)
			continue;
		out->events++;
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");
		if (cJSON_IsObject(args))
			sock_update(out, args, store_ev(s, k)->seq);
		cJSON_Delete(o);
	}
	return 0;
}

/* -- PF_PACKET taps: packet_rcv E events carry the socket's args -- */

static void tap_update(struct step_taps *out, const cJSON *o, const struct store_ev *e)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");
	const char *sock = cJSON_IsObject(args) ? jstr(args, "sock") : NULL;
	if (!sock || e->ph != 'E')
		return;
	struct step_tap *t = NULL;
	for (int j = 0; j < out->n && !t; j++)
		if (!strcmp(out->t[j].sock, sock))
			t = &out->t[j];
	if (!t && out->n == STEP_MAX_TAPS)
		return;
	if (!t) {
		t = &out->t[out->n++];
		snprintf(t->sock, sizeof(t->sock), "%s", sock);
	}
	t->seen++;
	t->queued += e->verdict == V_QUEUED;
	t->filtered += e->verdict == V_CONSUMED;
	t->dropped += e->verdict == V_DROP;
	t->qlen = jnum(args, "qlen", -1) + (e->verdict == V_QUEUED);
	t->tp_drops = jnum(args, "tp_drops", -1) + (e->verdict == V_DROP);
}

int step_taps_at(struct nj_store *s, size_t i, struct step_taps *out)
{
	int id = store_name_id(s, "packet_rcv");
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; id >= 0 && k <= i && k < store_nevents(s); k++) {
		cJSON *o = parse_if(s, k, &id, 1);
		if (o)
			tap_update(out, o, store_ev(s, k));
		cJSON_Delete(o);
	}
	return 0;
}
