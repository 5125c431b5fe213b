/*
 * lesson_trace.c - a lab's capture replayed into an event store, and the
 * machine checks of lesson.json evaluated against it. A check selects
 * facts from the store's compact index (function, phase, verdict, reason,
 * packet) and reads an event's JSON line only for msg and args, so the
 * answer key is computed from what the stack really did.
 *
 * Check kinds ("type"):
 *   event    the nth event matching pkt/fn/ph/verdict/reason and the
 *            structured facts arg (args has KEY.SUB), args_has ({KEY.SUB:
 *            value}: args' members equal to these) and skb_has ({field:
 *            value} of skb_state) (optionally "in" the frame of the nth B
 *            event of another fn); never msg text; "value":
 *            fn, parent_fn, seq, pkt, verdict, reason, msg, depth, count,
 *            arg:KEY (arg:KEY.SUB for an object's member: arg:neigh.state)
 *   outcome  packet pkt's fate; "value": verdict, reason, fn
 *   packets  packets whose fate matches verdict/reason; "value": count, first
 *   mib      counter "counter"'s total at the end of the trace
 *   child    the fn of the nth call made by the first B event of fn in pkt
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fold.h"
#include "lesson.h"
#include "load.h"

struct nj_store *lesson_replay(const struct lesson *l, char *err, size_t errlen)
{
	/* A lesson asks about the capture: the clock stops at its last frame. */
	struct replay_cfg cfg = { .scenario = l->scenario[0] ? l->scenario : NULL, .auto_host = l->auto_host,
				  .no_infer = l->default_host,
				  .stop_at_end = 1 };
	struct load_opts o = { .cfg = &cfg };
	return load_capture(l->pcap, &o, err, errlen);
}

/* An event selector, from a check or a link. */
struct sel {
	int64_t pkt;			/* -1: any */
	int fn;				/* name id, -1: any, -2: never seen */
	char ph;			/* 0: any */
	int verdict, reason;		/* -1: any */
	uint64_t parent;		/* 0: any */
	const char *arg;		/* args must have this member (a dotted path), or NULL */
	const cJSON *args_has;		/* {path: value}: args' members equal to these, or NULL */
	const cJSON *skb_has;		/* {field: value}: skb_state's fields equal to these, or NULL */
	int nth;
};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t jint(const cJSON *o, const char *k, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

static const cJSON *arg_path(const cJSON *args, const char *path);

/* Whether every member of want ({path: value}) is in o at that path with
 * an equal value. */
static int has_all(const cJSON *o, const cJSON *want)
{
	const cJSON *w;
	cJSON_ArrayForEach(w, want) {
		const cJSON *v = arg_path(o, w->string);
		if (!v || !cJSON_Compare(v, w, 1))
			return 0;
	}
	return 1;
}

/* The event's structured facts (its line's args and skb_state). */
static int facts_match(struct nj_store *s, size_t i, const struct sel *q)
{
	char *line = store_line(s, i, NULL);
	cJSON *j = line ? cJSON_Parse(line) : NULL;
	free(line);
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(j, "args");
	int r = (!q->arg || arg_path(args, q->arg)) && (!q->args_has || has_all(args, q->args_has)) &&
		(!q->skb_has || has_all(cJSON_GetObjectItemCaseSensitive(j, "skb_state"), q->skb_has));
	cJSON_Delete(j);
	return r;
}

/* The index facts first; the line is read only when they all match. */
static int match(struct nj_store *s, size_t i, const struct store_ev *e, const struct sel *q)
{
	int ok = (q->pkt < 0 || e->pkt == q->pkt) && (q->fn == -1 || e->fn == q->fn) && (!q->ph || e->ph == q->ph) &&
		 (q->verdict < 0 || e->verdict == q->verdict) &&
		 (q->reason < 0 || (e->verdict == V_DROP && e->reason == q->reason)) &&
		 (!q->parent || e->parent == q->parent);
	return ok && (q->arg || q->args_has || q->skb_has ? facts_match(s, i, q) : 1);
}

/* Index of the nth (1-based) event matching q, or SIZE_MAX; *count gets
 * how many match in all when count is not NULL. */
static size_t find(struct nj_store *s, const struct sel *q, size_t *count)
{
	size_t hit = SIZE_MAX, c = 0, n = store_nevents(s);
	size_t i = 0;
	if (q->fn == -2)
		n = 0;
	if (q->pkt >= 0) {
		const struct store_pkt *p = store_pkt_find(s, q->pkt);
		i = p ? p->first : n;
	}
	while (i < n) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (!e)
			break;
		if (match(s, i, e, q) && ++c == (size_t)q->nth && hit == SIZE_MAX)
			hit = i;
		if (hit != SIZE_MAX && !count)
			break;
		i = q->pkt >= 0 ? (e->next_in_pkt == STORE_NONE ? n : e->next_in_pkt) : i + 1;
	}
	if (count)
		*count = c;
	return hit;
}

static int sel_parse(struct nj_store *s, const cJSON *c, struct sel *q, char *err, size_t errlen)
{
	const char *fn = jstr(c, "fn"), *ph = jstr(c, "ph"), *v = jstr(c, "verdict"), *r = jstr(c, "reason");
	*q = (struct sel){ .pkt = jint(c, "pkt", -1), .fn = -1, .verdict = -1, .reason = -1,
			   .nth = (int)jint(c, "nth", 1) };
	if (fn)
		q->fn = store_name_id(s, fn) < 0 ? -2 : store_name_id(s, fn);
	q->ph = ph ? ph[0] : 0;
	q->arg = jstr(c, "arg");
	q->args_has = cJSON_GetObjectItemCaseSensitive(c, "args_has");
	q->skb_has = cJSON_GetObjectItemCaseSensitive(c, "skb_has");
	if (cJSON_GetObjectItemCaseSensitive(c, "msg_has"))
		return snprintf(err, errlen, "\"msg_has\" is gone: select by \"arg\", \"args_has\" or \"skb_has\""), -1;
	if ((q->args_has && !cJSON_IsObject(q->args_has)) || (q->skb_has && !cJSON_IsObject(q->skb_has)))
		return snprintf(err, errlen, "\"args_has\" and \"skb_has\" are objects ({\"KEY\": value})"), -1;
	if (v && (q->verdict = verdict_lookup(v)) < 0)
		return snprintf(err, errlen, "verdict \"%s\": unknown", v), -1;
	if (r && (q->reason = drop_reason_lookup(r)) < 0)
		return snprintf(err, errlen, "reason \"%s\": unknown drop reason", r), -1;
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(c, "in");
	if (in) {
		struct sel f;
		if (sel_parse(s, in, &f, err, errlen) < 0)
			return -1;
		if (f.pkt < 0)
			f.pkt = q->pkt;
		f.ph = 'B';
		size_t i = find(s, &f, NULL);
		if (i == SIZE_MAX)
			return snprintf(err, errlen, "\"in\": no %s frame found", jstr(in, "fn") ? jstr(in, "fn") : "such"), -1;
		struct store_ev e;
		q->parent = store_ev_get(s, i, &e) == 0 ? e.seq : 0;
	}
	return 0;
}

/* args' member at a dotted path ("neigh.state"), or NULL. */
static const cJSON *arg_path(const cJSON *args, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	const cJSON *v = args;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = cJSON_GetObjectItemCaseSensitive(v, k);
	return v;
}

/* msg or args.KEY of event i, read from its JSON line. */
static int line_value(struct nj_store *s, size_t i, const char *what, char *out, size_t outlen)
{
	char *line = store_line(s, i, NULL);
	cJSON *j = line ? cJSON_Parse(line) : NULL;
	free(line);
	const cJSON *v = !strcmp(what, "msg") ? cJSON_GetObjectItemCaseSensitive(j, "msg")
		: arg_path(cJSON_GetObjectItemCaseSensitive(j, "args"), what + 4);
	int rc = 0;
	if (cJSON_IsString(v))
		snprintf(out, outlen, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, outlen, "%.15g", v->valuedouble);
	else if (v) {
		char *t = cJSON_PrintUnformatted(v);
		snprintf(out, outlen, "%s", t ? t : "");
		free(t);
	} else
		rc = -1;
	cJSON_Delete(j);
	return rc;
}

static int eval_event(struct nj_store *s, const cJSON *c, const char *value, char *out, size_t outlen, char *err,
		      size_t errlen)
{
	struct sel q;
	if (sel_parse(s, c, &q, err, errlen) < 0)
		return -1;
	size_t count;
	size_t i = find(s, &q, &count);
	if (!strcmp(value, "count"))
		return snprintf(out, outlen, "%zu", count), 0;
	if (i == SIZE_MAX)
		return snprintf(err, errlen, "no event matches (%zu found, nth %d)", count, q.nth), -1;
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	if (!strcmp(value, "fn"))
		snprintf(out, outlen, "%s", store_name(s, e->fn));
	else if (!strcmp(value, "seq"))
		snprintf(out, outlen, "%llu", (unsigned long long)e->seq);
	else if (!strcmp(value, "pkt"))
		snprintf(out, outlen, "%lld", (long long)e->pkt);
	else if (!strcmp(value, "parent_fn")) {
		size_t pi = store_index_of_seq(s, e->parent);
		struct store_ev pe_buf;
		const struct store_ev *pe = pi == SIZE_MAX ? NULL : store_ev_at(s, pi, &pe_buf);
		snprintf(out, outlen, "%s", pe ? store_name(s, pe->fn) : "");
	} else if (!strcmp(value, "depth"))
		snprintf(out, outlen, "%d", e->depth);
	else if (!strcmp(value, "verdict"))
		snprintf(out, outlen, "%s", verdict_name((enum nj_verdict)e->verdict));
	else if (!strcmp(value, "reason"))
		snprintf(out, outlen, "%s", e->verdict == V_DROP ? drop_reason_name((enum skb_drop_reason)e->reason) : "");
	else if (!strcmp(value, "msg") || !strncmp(value, "arg:", 4)) {
		if (line_value(s, i, value, out, outlen) < 0)
			return snprintf(err, errlen, "event #%llu has no %s", (unsigned long long)e->seq, value), -1;
	} else
		return snprintf(err, errlen, "value \"%s\": expected fn, parent_fn, seq, pkt, depth, verdict, reason, msg, "
			       "count or arg:KEY", value), -1;
	return 0;
}

/* The fn of packet p's outcome, by the terminal printer's rule: the last
 * event implying a final verdict, but a drop is named after the function
 * that freed the skb (the first E after kfree_skb), not its callers. */
static const char *outcome_fn(struct nj_store *s, const struct store_pkt *p)
{
	const char *fn = NULL;
	int out = V_NONE, reason = -1;
	for (uint32_t i = p->first; i != STORE_NONE;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (!e)
			break;
		i = e->next_in_pkt;
		int o = trace_outcome(store_name(s, e->fn), e->ph, (enum nj_verdict)e->verdict);
		if (o == V_NONE || (o == V_DROP && e->ph == 'E' && out == V_DROP && reason == e->reason && fn))
			continue;
		out = o;
		reason = e->reason;
		fn = e->ph == 'i' ? NULL : store_name(s, e->fn);
	}
	return fn ? fn : "";
}

static int eval_outcome(struct nj_store *s, const cJSON *c, const char *value, char *out, size_t outlen, char *err,
			size_t errlen)
{
	int64_t pkt = jint(c, "pkt", -1);
	const struct store_pkt *p = store_pkt_find(s, pkt);
	if (!p)
		return snprintf(err, errlen, "no packet %lld in the trace", (long long)pkt), -1;
	if (!strcmp(value, "verdict"))
		snprintf(out, outlen, "%s", verdict_name((enum nj_verdict)p->verdict));
	else if (!strcmp(value, "reason"))
		snprintf(out, outlen, "%s", p->verdict == V_DROP ? drop_reason_name((enum skb_drop_reason)p->reason) : "");
	else if (!strcmp(value, "fn"))
		snprintf(out, outlen, "%s", outcome_fn(s, p));
	else
		return snprintf(err, errlen, "value \"%s\": expected verdict, reason or fn", value), -1;
	return 0;
}

static int eval_packets(struct nj_store *s, const cJSON *c, const char *value, char *out, size_t outlen, char *err,
			size_t errlen)
{
	const char *v = jstr(c, "verdict"), *r = jstr(c, "reason");
	int vid = v ? verdict_lookup(v) : -1, rid = r ? drop_reason_lookup(r) : -1;
	if ((v && vid < 0) || (r && rid < 0))
		return snprintf(err, errlen, "unknown verdict or reason in a packets check"), -1;
	size_t count = 0;
	int64_t first = -1;
	for (size_t i = 0; i < store_npkts(s); i++) {
		const struct store_pkt *p = store_pkt_at(s, i);
		if ((vid >= 0 && p->verdict != vid) || (rid >= 0 && (p->verdict != V_DROP || p->reason != rid)))
			continue;
		if (!count++)
			first = p->pkt;
	}
	if (!strcmp(value, "count"))
		snprintf(out, outlen, "%zu", count);
	else if (!strcmp(value, "first") && first >= 0)
		snprintf(out, outlen, "%lld", (long long)first);
	else
		return snprintf(err, errlen, "value \"%s\": expected count or first (and a matching packet)", value), -1;
	return 0;
}

static int eval_mib(struct nj_store *s, const cJSON *c, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *name = jstr(c, "counter");
	int id = name ? mib_lookup(name) : -1;
	if (id < 0)
		return snprintf(err, errlen, "counter \"%s\": unknown (nstat names, e.g. Ip.InReceives)",
				name ? name : ""), -1;
	size_t n = store_nevents(s);
	cJSON *m = n ? fold_counters_json(s, n - 1) : NULL;	/* the one fold's totals */
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, mib_name((enum nj_mib)id));
	snprintf(out, outlen, "%llu", cJSON_IsNumber(v) ? (unsigned long long)v->valuedouble : 0ULL);
	cJSON_Delete(m);
	return 0;
}

int lesson_eval(struct nj_store *s, const cJSON *check, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *type = jstr(check, "type"), *value = jstr(check, "value");
	out[0] = 0;
	if (!type)
		return snprintf(err, errlen, "check: \"type\" missing"), -1;
	if (!strcmp(type, "mib"))
		return eval_mib(s, check, out, outlen, err, errlen);
	if (!strcmp(type, "outcome"))
		return eval_outcome(s, check, value ? value : "verdict", out, outlen, err, errlen);
	if (!strcmp(type, "packets"))
		return eval_packets(s, check, value ? value : "count", out, outlen, err, errlen);
	if (!strcmp(type, "event"))
		return eval_event(s, check, value ? value : "fn", out, outlen, err, errlen);
	if (!strcmp(type, "child")) {
		/* the nth call made by fn's first frame: an event check "in" it */
		cJSON *c = cJSON_CreateObject(), *in = cJSON_AddObjectToObject(c, "in");
		cJSON_AddNumberToObject(c, "pkt", (double)jint(check, "pkt", -1));
		cJSON_AddStringToObject(c, "ph", "B");
		cJSON_AddNumberToObject(c, "nth", (double)jint(check, "nth", 1));
		cJSON_AddStringToObject(in, "fn", jstr(check, "fn") ? jstr(check, "fn") : "");
		int r = eval_event(s, c, "fn", out, outlen, err, errlen);
		cJSON_Delete(c);
		return r;
	}
	return snprintf(err, errlen, "check type \"%s\": expected event, outcome, packets, mib or child", type), -1;
}

int lesson_link_seq(struct nj_store *s, const cJSON *link, uint64_t *seq, char *err, size_t errlen)
{
	int64_t pkt = jint(link, "pkt", -1), want = jint(link, "seq", 0);
	if (want > 0) {
		size_t i = store_index_of_seq(s, (uint64_t)want);
		struct store_ev e_buf;
		const struct store_ev *e = i == SIZE_MAX ? NULL : store_ev_at(s, i, &e_buf);
		if (!e || (pkt >= 0 && e->pkt != pkt))
			return snprintf(err, errlen, "seq %lld is not an event of packet %lld", (long long)want,
					(long long)pkt), -1;
		*seq = (uint64_t)want;
		return 0;
	}
	cJSON *c = cJSON_Duplicate(link, 1);
	if (!cJSON_GetObjectItemCaseSensitive(c, "ph"))
		cJSON_AddStringToObject(c, "ph", "B");
	char out[32];
	int r = eval_event(s, c, "seq", out, sizeof(out), err, errlen);
	cJSON_Delete(c);
	if (r == 0)
		*seq = strtoull(out, NULL, 10);
	return r;
}

/* dir/rel into out (rel as it is when absolute); -1 when too long. */
static int rel_path(char *out, size_t len, const char *dir, const char *rel)
{
	int n = rel[0] == '/' ? snprintf(out, len, "%s", rel) : snprintf(out, len, "%s/%s", dir, rel);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lesson_check(const struct lesson *l, struct nj_store *s, const cJSON *check, char *out, size_t outlen,
		 char *err, size_t errlen)
{
	const char *pcap = jstr(check, "pcap"), *sc = jstr(check, "scenario");
	const cJSON *ah = cJSON_GetObjectItemCaseSensitive(check, "auto_host");
	if (!pcap && !cJSON_IsBool(ah))
		return lesson_eval(s, check, out, outlen, err, errlen);
	struct lesson o = *l;
	o.scenario[0] = 0;
	o.auto_host = cJSON_IsTrue(ah);		/* another run: the host as the check says */
	o.default_host = cJSON_IsFalse(ah);	/* false: the default host, nothing inferred */
	if ((pcap && rel_path(o.pcap, sizeof(o.pcap), l->dir, pcap) < 0) ||
	    (sc && rel_path(o.scenario, sizeof(o.scenario), l->dir, sc) < 0))
		return snprintf(err, errlen, "check: path too long"), -1;
	struct nj_store *x = lesson_replay(&o, err, errlen);
	if (!x)
		return -1;
	int r = lesson_eval(x, check, out, outlen, err, errlen);
	store_free(x);
	return r;
}
