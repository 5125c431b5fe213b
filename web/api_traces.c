/*
 * api_traces.c - /api/traces (the list), /api/traces/ID (summary: counts,
 * counters, flows, drops, scenario) and /api/traces/ID/packets (one page of
 * the packet list, optionally filtered by verdict, reason or a tcpdump
 * expression). Store records are copied under the store lock and lines are
 * read after it is released (store_line takes the lock itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define FLOWS_MAX	512		/* distinct 5-tuples listed */
#define FLOW_SCAN_MAX	200000		/* packets decoded for the flow table */

static cJSON *trace_brief(struct web_trace *t)
{
	cJSON *o = cJSON_CreateObject();
	store_lock(t->s);
	size_t np = store_npkts(t->s), ne = store_nevents(t->s);
	int done = store_meta_end(t->s) != NULL;
	store_unlock(t->s);
	cJSON_AddNumberToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddNumberToObject(o, "packets", (double)np);
	cJSON_AddNumberToObject(o, "events", (double)ne);
	cJSON_AddBoolToObject(o, "live", t->live);
	cJSON_AddBoolToObject(o, "upload", t->upload);
	cJSON_AddBoolToObject(o, "complete", done);
	cJSON_AddStringToObject(o, "state", web_opening(t, NULL, NULL) ? "opening" : "open");
	cJSON_AddItemToObject(o, "progress", web_progress_json(t));
	return o;
}

enum MHD_Result api_traces_list(struct web_req *r, const int64_t *ids)
{
	(void)ids;
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "traces");
	int id[WEB_MAX_TRACES], n = web_trace_ids(id, WEB_MAX_TRACES);
	for (int i = 0; i < n; i++) {
		struct web_trace *t = web_trace_hold(id[i]);	/* NULL: evicted since */
		if (t)
			cJSON_AddItemToArray(arr, trace_brief(t));
		web_trace_put(t);
	}
	cJSON_AddNumberToObject(o, "live", web_live_id());
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

struct flow {
	char key[96], proto[16], src[16], dst[16];
	unsigned sport, dport;
	uint64_t packets;
};

static void flow_add(struct flow *fl, int *n, uint64_t *other, const struct web_frame *f)
{
	struct flow x = { 0 };
	if (web_frame_flow(f, x.proto, sizeof(x.proto), x.src, x.dst, &x.sport, &x.dport) < 0) {
		(*other)++;
		return;
	}
	snprintf(x.key, sizeof(x.key), "%s %s:%u>%s:%u", x.proto, x.src, x.sport, x.dst, x.dport);
	for (int i = 0; i < *n; i++)
		if (!strcmp(fl[i].key, x.key)) {
			fl[i].packets++;
			return;
		}
	if (*n == FLOWS_MAX) {
		(*other)++;
		return;
	}
	x.packets = 1;
	fl[(*n)++] = x;
}

static int flow_cmp(const void *a, const void *b)
{
	const struct flow *x = a, *y = b;
	return x->packets < y->packets ? 1 : x->packets > y->packets ? -1 : strcmp(x->key, y->key);
}

/* The flow table, decoded from each packet's captured bytes. */
static cJSON *flows_json(struct web_trace *t, size_t np)
{
	struct flow *fl = calloc(FLOWS_MAX, sizeof(*fl));
	int n = 0;
	uint64_t other = 0;
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "list");
	for (size_t i = 0; fl && i < np && i < FLOW_SCAN_MAX; i++) {
		store_lock(t->s);
		struct store_pkt p = *store_pkt_at(t->s, i);
		store_unlock(t->s);
		struct web_frame f;
		if (web_frame_get(t->s, &p, &f) == 0)
			flow_add(fl, &n, &other, &f);
		web_frame_free(&f);
	}
	if (fl)
		qsort(fl, (size_t)n, sizeof(*fl), flow_cmp);
	for (int i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "proto", fl[i].proto);
		cJSON_AddStringToObject(x, "src", fl[i].src);
		cJSON_AddNumberToObject(x, "sport", fl[i].sport);
		cJSON_AddStringToObject(x, "dst", fl[i].dst);
		cJSON_AddNumberToObject(x, "dport", fl[i].dport);
		cJSON_AddNumberToObject(x, "packets", (double)fl[i].packets);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_AddNumberToObject(o, "other_packets", (double)other);
	cJSON_AddBoolToObject(o, "truncated", np > FLOW_SCAN_MAX);
	free(fl);
	return o;
}

/* Packets per final verdict and per drop reason (from the index only). */
static void outcomes_json(struct web_trace *t, cJSON *o)
{
	uint64_t v[V_MAX] = { 0 }, d[SKB_DROP_REASON_MAX] = { 0 };
	store_lock(t->s);
	for (size_t i = 0; i < store_npkts(t->s); i++) {
		const struct store_pkt *p = store_pkt_at(t->s, i);
		v[p->verdict < V_MAX ? p->verdict : 0]++;
		if (p->verdict == V_DROP && p->reason < SKB_DROP_REASON_MAX)
			d[p->reason]++;
	}
	store_unlock(t->s);
	cJSON *vo = cJSON_AddObjectToObject(o, "verdicts"), *dr = cJSON_AddArrayToObject(o, "drops");
	for (int i = 0; i < V_MAX; i++)
		if (v[i])
			cJSON_AddNumberToObject(vo, i ? verdict_name((enum nj_verdict)i) : "none", (double)v[i]);
	for (int i = 0; i < SKB_DROP_REASON_MAX; i++) {
		if (!d[i])
			continue;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "reason", drop_reason_name((enum skb_drop_reason)i));
		cJSON_AddNumberToObject(x, "packets", (double)d[i]);
		cJSON_AddItemToArray(dr, x);
	}
}

/* Counter totals: the trace_end line's, or summed for a live trace. */
static cJSON *counters_json(struct web_trace *t, cJSON *end)
{
	cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(end, "mib");
	if (cJSON_IsObject(m))
		return m;
	cJSON_Delete(m);
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	store_unlock(t->s);
	return n ? fold_counters_json(t->s, n - 1) : cJSON_CreateObject();
}

static cJSON *meta_copy(struct web_trace *t, int end)
{
	store_lock(t->s);
	const char *m = end ? store_meta_end(t->s) : store_meta_start(t->s);
	cJSON *o = m ? cJSON_Parse(m) : NULL;
	store_unlock(t->s);
	return o;
}

enum MHD_Result api_trace_summary(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	cJSON *o = trace_brief(t), *start = meta_copy(t, 0), *end = meta_copy(t, 1);
	size_t np = (size_t)cJSON_GetObjectItem(o, "packets")->valuedouble;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(start, "source");
	const cJSON *kern = cJSON_GetObjectItemCaseSensitive(start, "kernel");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(end, "error");
	cJSON_AddStringToObject(o, "source", cJSON_IsString(src) ? src->valuestring : t->name);
	cJSON_AddStringToObject(o, "kernel", cJSON_IsString(kern) ? kern->valuestring : "6.x");
	if (cJSON_IsString(err))
		cJSON_AddStringToObject(o, "error", err->valuestring);
	cJSON_AddItemToObject(o, "counters", counters_json(t, end));
	/* the flow table decodes every packet: made once the trace is whole,
	 * so polling an opening trace's progress stays cheap */
	cJSON *fl = web_opening(t, NULL, NULL) ? flows_json(t, 0) : flows_json(t, np);
	if (np && !cJSON_GetArraySize(cJSON_GetObjectItem(fl, "list")))
		cJSON_AddBoolToObject(fl, "pending", 1);
	cJSON_AddItemToObject(o, "flows", fl);
	outcomes_json(t, o);
	cJSON *sc = cJSON_DetachItemFromObjectCaseSensitive(start, "scenario");
	cJSON_AddItemToObject(o, "scenario", sc ? sc : cJSON_CreateNull());
	static const char *const from_start[] = { "host", "warnings", "explanation" };	/* web/load.c */
	for (size_t i = 0; i < sizeof(from_start) / sizeof(from_start[0]); i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(start, from_start[i]);
		if (v)
			cJSON_AddItemToObject(o, from_start[i], v);
	}
	cJSON_Delete(start);
	cJSON_Delete(end);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

cJSON *web_pkt_json(struct web_trace *t, const struct store_pkt *p, struct web_frame *f)
{
	cJSON *x = cJSON_CreateObject();
	char ts[40];
	snprintf(ts, sizeof(ts), "%llu.%09llu", (unsigned long long)(p->ts_ns / 1000000000ULL),
		 (unsigned long long)(p->ts_ns % 1000000000ULL));
	store_lock(t->s);
	struct store_ev first_buf;
	const struct store_ev *first = store_ev_at(t->s, p->first, &first_buf);
	double seq = first ? (double)first->seq : 0;
	store_unlock(t->s);
	cJSON_AddNumberToObject(x, "n", (double)p->pkt);
	cJSON_AddStringToObject(x, "ts", ts);
	cJSON_AddStringToObject(x, "summary", f->summary);
	cJSON_AddStringToObject(x, "verdict", p->verdict ? verdict_name((enum nj_verdict)p->verdict) : "none");
	if (p->verdict == V_DROP)
		cJSON_AddStringToObject(x, "reason", drop_reason_name((enum skb_drop_reason)p->reason));
	else
		cJSON_AddNullToObject(x, "reason");
	cJSON_AddNumberToObject(x, "len", f->len);
	cJSON_AddNumberToObject(x, "events", p->count);
	cJSON_AddNumberToObject(x, "first_seq", seq);
	return x;
}

struct pkt_query {
	int verdict, reason, fn;	/* fn: -1 any, -3 a name the trace never used */
	const char *filter;
};

/* 1 when one of the packet's events is function fn (walks the index only). */
static int pkt_has_fn(struct nj_store *s, const struct store_pkt *p, int fn)
{
	int found = 0;
	store_lock(s);
	for (uint32_t i = p->first; i != STORE_NONE && !found;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (!e)
			break;
		found = e->fn == fn;
		i = e->next_in_pkt;
	}
	store_unlock(s);
	return found;
}

/* 1 when packet p passes q, 0 when not, -1 on a bad filter (r->err set). */
static int pkt_passes(struct web_req *r, struct web_trace *t, const struct store_pkt *p, const struct pkt_query *q)
{
	if (q->verdict >= 0 && p->verdict != q->verdict)
		return 0;
	if (q->reason >= 0 && (p->verdict != V_DROP || p->reason != q->reason))
		return 0;
	if (q->fn != -1 && !pkt_has_fn(t->s, p, q->fn))
		return 0;
	if (q->filter)
		return web_filter_match(t, q->filter, p->pkt, r->err, sizeof(r->err));
	return 1;
}

static int parse_pkt_query(struct web_req *r, struct web_trace *t, struct pkt_query *q)
{
	struct web_sel sel;
	if (web_qsel(r, t, -1, &sel) < 0)
		return -1;
	*q = (struct pkt_query){ sel.verdict, sel.reason, sel.fn, sel.filter };
	return 0;
}

/* One row of a page: the packet and its first event's seq, copied. */
struct pkt_row {
	struct store_pkt p;
	double seq;
};

#define PKT_CHUNK 64		/* packets copied per hold of the store lock */

/* A key and its colon (with the comma before it, if any) as the fixed
 * text it always is: jw_key would scan it for escapes on every row. The
 * value that follows then writes no comma of its own. */
#define ROW_KEY(w, lit) (jw_lit(w, lit), (w)->need_comma = 0)

/* A capture time as "seconds.nanoseconds" (nine digits), a JSON string
 * written digit by digit: snprintf was a tenth of a page's CPU. */
static void row_ts(struct jw *w, uint64_t ns)
{
	char frac[10];
	uint64_t f = ns % 1000000000ULL;
	for (int k = 8; k >= 0; k--, f /= 10)
		frac[k] = (char)('0' + f % 10);
	frac[9] = '"';
	jw_lit(w, "\"");
	jw_u64(w, ns / 1000000000ULL);
	jw_lit(w, ".");
	jw_raw(w, frac, sizeof(frac));
	w->need_comma = 1;
}

/* One packet-list row, the bytes cJSON prints for web_pkt_json(t, p, f),
 * written straight into w (a page is then no tree of a thousand nodes). */
static void pkt_row(struct jw *w, const struct pkt_row *x, const struct web_frame *f)
{
	const struct store_pkt *p = &x->p;
	jw_obj_open(w);
	ROW_KEY(w, "\"n\":");
	jw_val_double(w, (double)p->pkt);
	ROW_KEY(w, ",\"ts\":");
	row_ts(w, p->ts_ns);
	ROW_KEY(w, ",\"summary\":");
	jw_val_str(w, f->summary);
	ROW_KEY(w, ",\"verdict\":");
	jw_val_str(w, p->verdict ? verdict_name((enum nj_verdict)p->verdict) : "none");
	ROW_KEY(w, ",\"reason\":");
	jw_val_str(w, p->verdict == V_DROP ? drop_reason_name((enum skb_drop_reason)p->reason) : NULL);
	ROW_KEY(w, ",\"len\":");
	jw_val_double(w, f->len);
	ROW_KEY(w, ",\"events\":");
	jw_val_double(w, p->count);
	ROW_KEY(w, ",\"first_seq\":");
	jw_val_double(w, x->seq);
	jw_obj_close(w);
}

/*
 * The packets of one page into rows[] (*n of them, at most lim); *matched:
 * the offset plus the packets passing q (all np when unfiltered). Records
 * are copied PKT_CHUNK at a time under the store lock, and tested outside
 * it (filters take it themselves). -1 on a bad filter (r->err set).
 */
static int page_select(struct web_req *r, struct web_trace *t, const struct pkt_query *q, int64_t off, int64_t lim,
		       size_t np, struct pkt_row *rows, int64_t *n, int64_t *matched)
{
	int plain = !q->filter && q->verdict < 0 && q->reason < 0 && q->fn == -1;
	struct store_pkt c[PKT_CHUNK];
	/* Unfiltered pages start at the offset; filtered ones count matches. */
	*matched = plain ? (off < (int64_t)np ? off : (int64_t)np) : 0;
	*n = 0;
	for (size_t i = (size_t)*matched; i < np;) {
		size_t m = np - i < PKT_CHUNK ? np - i : PKT_CHUNK;
		store_lock(t->s);
		for (size_t k = 0; k < m; k++)
			c[k] = *store_pkt_at(t->s, i + k);
		store_unlock(t->s);
		for (size_t k = 0; k < m; k++, i++) {
			int ok = pkt_passes(r, t, &c[k], q);
			if (ok < 0)
				return -1;
			if (!ok || (*matched)++ < off || *n >= lim)
				continue;
			rows[(*n)++].p = c[k];
			if (plain && *n >= lim) {
				*matched = (int64_t)np;	/* unfiltered: the total is known */
				return 0;
			}
		}
	}
	return 0;
}

/* The page's rows as one JSON array text ("[row,row]"), or NULL. */
static cJSON *page_json(struct web_trace *t, struct pkt_row *rows, int64_t n, size_t np)
{
	store_lock(t->s);
	for (int64_t i = 0; i < n; i++) {
		uint32_t seq;
		rows[i].seq = store_ev_seq(t->s, rows[i].p.first, &seq) == 0 ? (double)seq : 0;
	}
	store_unlock(t->s);
	struct jw w = { 0 };
	jw_arr_open(&w);
	for (int64_t i = 0; i < n; i++) {
		struct web_frame f;
		web_frame_summary(t, &rows[i].p, np, &f);
		pkt_row(&w, &rows[i], &f);
	}
	jw_arr_close(&w);
	return web_jw_node(&w);
}

enum MHD_Result api_packets(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	int64_t off, lim, n, matched;
	struct pkt_query q;
	if (web_qint(r, "offset", 0, 0, INT64_MAX / 2, &off) < 0 ||
	    web_qint(r, "limit", 100, 1, WEB_PAGE_MAX, &lim) < 0 || parse_pkt_query(r, t, &q) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	size_t np;
	int opening = web_opening(t, NULL, &np);
	struct pkt_row *rows = malloc((size_t)lim * sizeof(*rows));
	if (!rows)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (page_select(r, t, &q, off, lim, np, rows, &n, &matched) < 0) {
		free(rows);
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	}
	if (opening && n < lim) {		/* the page would end at the indexed end, not the trace's */
		free(rows);
		return web_not_ready(r, t, "packets from offset %lld are not all indexed yet", (long long)off);
	}
	cJSON *arr = page_json(t, rows, n, np);
	free(rows);
	if (!arr)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)matched);
	cJSON_AddNumberToObject(o, "offset", (double)off);
	cJSON_AddNumberToObject(o, "limit", (double)lim);
	cJSON_AddItemToObject(o, "packets", arr);
	if (opening) {				/* total counts the packets indexed so far */
		cJSON_AddStringToObject(o, "state", "opening");
		cJSON_AddItemToObject(o, "progress", web_progress_json(t));
	}
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
