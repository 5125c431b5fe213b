/*
 * api_whatif.c - POST /api/traces/ID/whatif: the trace's capture replayed
 * again under an edited scenario B, against A, the trace's own scenario
 * (its trace_start line), and the report of `netjourney diff --json`
 * (docs/whatif.md) as the answer. The body is {"sets": ["PATH=VALUE", …]}
 * (edits to A), {"scenario": {…}} (B whole), or both (the edits applied
 * to the scenario given: the browser removes a rule that way). B's replay is registered as
 * an upload-like trace ("b_trace"), so that the browser can open B's
 * journeys beside A's; "b_scenario_json" is B's text, to download.
 *
 * Bounds are those of uploads: the replays take one of the upload slots
 * (503 + Retry-After when none frees in time), and B's trace stops at the
 * upload budget (507). A trace with no capture to replay (a .jsonl file,
 * a live trace, an upload whose body is gone) is a 409; a bad edit or a B
 * the stack refuses to load is a 400 with the loader's message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"
#include "web.h"
#include "whatif.h"

#define WHATIF_SETS_MAX 64

struct whatif_req {
	const char *sets[WHATIF_SETS_MAX];
	int nsets;
	char *b_json;			/* B's scenario text, malloc'd */
	char scen_a[256], scen_b[256];	/* temporary files ("" = none) */
};

/* The trace's scenario text (A): its file, or the default host's. */
static char *scenario_a_text(const char *scen_a, char *err, size_t errlen)
{
	return scen_a[0] ? scenario_read_file(scen_a, err, errlen) : strdup(scenario_default_json);
}

/* Writes text to a new temporary file named into path; -1 on failure. */
static int write_temp(const char *text, char *path, size_t pathlen)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, pathlen, "%s/netjourney-whatif-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		path[0] = 0;
		return -1;
	}
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close(fd) == 0 && off == n)
		return 0;
	unlink(path);
	path[0] = 0;
	return -1;
}

/* B from the body: A with its edits, or the scenario given whole. 0, or
 * -1 with err (a 400). The body's cJSON must outlive q->sets. */
static int whatif_parse(const cJSON *body, struct whatif_req *q, char *err, size_t errlen)
{
	const cJSON *sets = cJSON_GetObjectItemCaseSensitive(body, "sets");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(body, "scenario");
	if (!cJSON_IsObject(body) || (!cJSON_IsArray(sets) && !cJSON_IsObject(sc))) {
		snprintf(err, errlen, "the body must be {\"sets\": [\"PATH=VALUE\", …]} and/or {\"scenario\": {…}}");
		return -1;
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, sets) {
		if (!cJSON_IsString(s) || q->nsets == WHATIF_SETS_MAX) {
			snprintf(err, errlen, "sets: at most %d strings \"PATH=VALUE\"", WHATIF_SETS_MAX);
			return -1;
		}
		q->sets[q->nsets++] = s->valuestring;
	}
	char *a = cJSON_IsObject(sc) ? cJSON_Print(sc) : scenario_a_text(q->scen_a, err, errlen);
	q->b_json = a ? scenario_edited(a, q->sets, q->nsets, err, errlen) : NULL;
	free(a);
	return q->b_json ? 0 : -1;
}

/* "name with rp_filter=1, …" (or "name edited"): how the report names B. */
static void b_label(const struct web_trace *t, const struct whatif_req *q, char *out, size_t outlen)
{
	int off = snprintf(out, outlen, "%s %s", t->name, q->nsets ? "with" : "edited");
	for (int i = 0; i < q->nsets && off > 0 && (size_t)off < outlen; i++)
		off += snprintf(out + off, outlen - (size_t)off, "%s%s", i ? ", " : " ", q->sets[i]);
}

static enum MHD_Result whatif_answer(struct web_req *r, struct web_trace *t, struct whatif_req *q,
				     const char *src);

enum MHD_Result api_whatif(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld (an upload may have been evicted)",
				 (long long)ids[0]);
	if (web_opening(t, NULL, NULL))		/* it compares with the whole trace */
		return web_not_ready(r, t, "a what-if compares with the whole trace");
	if (!web_uploads_allowed())
		return web_error(r->conn, MHD_HTTP_FORBIDDEN,
				 "what-if replays are uploads, disabled on this server (serve --max-uploads 0)");
	cJSON *body = cJSON_Parse(r->body ? r->body : "");
	struct whatif_req q = { .nsets = 0 };
	char src[1024], err[512] = "";
	enum MHD_Result res;
	if (!body)
		res = web_error(r->conn, MHD_HTTP_BAD_REQUEST, "the body is not JSON: send {\"sets\": [\"rp_filter=1\"]}");
	else if (web_trace_source(t, src, sizeof(src), q.scen_a, sizeof(q.scen_a), err, sizeof(err)) < 0)
		res = web_error(r->conn, MHD_HTTP_CONFLICT, "%s; a what-if needs the capture", err);
	else if (whatif_parse(body, &q, err, sizeof(err)) < 0)
		res = web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", err[0] ? err : "out of memory");
	else if (web_replay_slot(r, 1))
		res = web_busy(r->conn, 2, "%s", r->err);
	else
		res = whatif_answer(r, t, &q, src);
	if (q.scen_a[0])
		unlink(q.scen_a);
	if (q.scen_b[0])
		unlink(q.scen_b);
	free(q.b_json);
	cJSON_Delete(body);
	return res;
}

/* B's replay as a new upload-like trace; its id, or minus an HTTP status. */
static int register_b(struct web_trace *t, const char *src, const char *scen_b, const char *label, int *evicted,
		      int *nev, char *err, size_t errlen)
{
	size_t max_ev;
	uint64_t max_bytes;
	unsigned st;
	web_upload_budget(&max_ev, &max_bytes);
	struct web_load_opts o = { .scenario = scen_b };	/* B's own scenario: nothing inferred */
	struct nj_store *s = web_replay_limited(src, src, &o, max_ev, max_bytes, &st, err, errlen);
	if (!s)
		return -(int)st;
	struct web_trace *bt;
	int id = web_add_upload(label, s, &bt, evicted, nev, err, errlen);
	web_trace_put(id >= 0 ? bt : NULL);
	(void)t;
	return id;
}

static enum MHD_Result whatif_answer(struct web_req *r, struct web_trace *t, struct whatif_req *q,
				     const char *src)
{
	char err[512] = "", label[256];
	if (write_temp(q->b_json, q->scen_b, sizeof(q->scen_b)) < 0)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot write a temporary scenario");
	b_label(t, q, label, sizeof(label));
	struct whatif_cfg cfg = { .pcap = src, .scenario_a = q->scen_a[0] ? q->scen_a : NULL,
				  .scenario_b = q->scen_b };
	struct whatif_run a, b;
	int rv = whatif_run_both(&cfg, &a, &b, err, sizeof(err));
	cJSON *o = rv == 0 ? whatif_json(&a, &b) : NULL;
	whatif_run_free(&a);
	whatif_run_free(&b);
	size_t tl = strlen(q->scen_b);	/* the temporary file means nothing to the user */
	if (rv < 0 && !strncmp(err, q->scen_b, tl) && !strncmp(err + tl, ": ", 2))
		memmove(err, err + tl + 2, strlen(err + tl + 2) + 1);
	if (rv < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "B: %s", err);
	if (!o)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	int evicted[WEB_MAX_TRACES], nev = WEB_MAX_TRACES;
	int id = register_b(t, src, q->scen_b, label, evicted, &nev, err, sizeof(err));
	if (id < 0) {
		cJSON_Delete(o);
		if (-id == MHD_HTTP_SERVICE_UNAVAILABLE)
			return web_busy(r->conn, 2, "%s", err);
		return web_error(r->conn, (unsigned)-id, "%s", err);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(o, "a_scenario", cJSON_CreateString(t->name));
	cJSON_ReplaceItemInObjectCaseSensitive(o, "b_scenario", cJSON_CreateString(label));
	cJSON_AddNumberToObject(o, "a_trace", t->id);
	cJSON_AddNumberToObject(o, "b_trace", id);
	cJSON_AddStringToObject(o, "b_scenario_json", q->b_json);
	cJSON_AddItemToObject(o, "evicted", cJSON_CreateIntArray(evicted, nev));
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
