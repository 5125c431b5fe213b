/*
 * api_lessons.c - the classroom labs in the browser: /api/lessons (the
 * list), /api/lessons/N (README markdown + lesson.json without its answer
 * key) and POST /api/lessons/N/open, which replays the lab's capture into
 * a trace the first time it is asked (later calls return the same trace)
 * and resolves its links (and its scripted predictions, "predict") to
 * event seqs for #trace=…&pkt=…&seq= deep links.
 * Loading on demand keeps `serve` start-up as fast as before. POST
 * /api/lessons/N/check grades a student's answers with the code of
 * `lesson check` (lesson_grade_json) and returns its JSON result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "web.h"

enum MHD_Result api_lessons_list(struct web_req *r, const int64_t *ids);
enum MHD_Result api_lesson_get(struct web_req *r, const int64_t *ids);
enum MHD_Result api_lesson_open(struct web_req *r, const int64_t *ids);

/* lessons_dir is set once, before the daemon starts; lessons_mu also
 * serialises opening, so two clicks never replay a lab twice. */
static pthread_mutex_t lessons_mu = PTHREAD_MUTEX_INITIALIZER;
static char lessons_dir[PATH_MAX];

void web_set_lessons(const char *dir)
{
	pthread_mutex_lock(&lessons_mu);
	snprintf(lessons_dir, sizeof(lessons_dir), "%s", dir ? dir : "");
	pthread_mutex_unlock(&lessons_mu);
}

/* The lab numbered n, or an error reply already queued (*res set). */
static int load(struct web_req *r, int64_t n, struct lesson *l, enum MHD_Result *res)
{
	char which[24], err[768];
	if (!lessons_dir[0]) {
		*res = web_error(r->conn, MHD_HTTP_NOT_FOUND, "no lessons directory (serve --lessons DIR)");
		return -1;
	}
	snprintf(which, sizeof(which), "%lld", (long long)n);
	if (lesson_load(lessons_dir, which, l, err, sizeof(err)) < 0) {
		*res = web_error(r->conn, MHD_HTTP_NOT_FOUND, "%s", err);
		return -1;
	}
	return 0;
}

static const char *base(const char *p)
{
	return strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
}

enum MHD_Result api_lessons_list(struct web_req *r, const int64_t *ids)
{
	(void)ids;
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "lessons");
	struct lesson *ls = NULL;
	char err[512];
	int n = lessons_dir[0] ? lesson_list(lessons_dir, &ls, err, sizeof(err)) : 0;
	if (n < 0)
		cJSON_AddStringToObject(o, "error", err);
	for (int i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "n", ls[i].n);
		cJSON_AddStringToObject(x, "id", ls[i].id);
		cJSON_AddStringToObject(x, "title", ls[i].title);
		cJSON_AddStringToObject(x, "pcap", base(ls[i].pcap));
		cJSON_AddNumberToObject(x, "questions",
					cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ls[i].json, "questions")));
		cJSON_AddItemToArray(arr, x);
		lesson_free(&ls[i]);
	}
	free(ls);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

/* lesson.json for students: the questions without key, checks or feedback. */
static cJSON *public_json(const struct lesson *l)
{
	cJSON *j = cJSON_Duplicate(l->json, 1), *q;
	static const char *const secret[] = { "answer", "check", "choice_values", "feedback" };
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(j, "questions"))
		for (size_t k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
			cJSON_DeleteItemFromObjectCaseSensitive(q, secret[k]);
	return j;
}

enum MHD_Result api_lesson_get(struct web_req *r, const int64_t *ids)
{
	struct lesson l;
	enum MHD_Result res;
	char err[512];
	if (load(r, ids[0], &l, &res) < 0)
		return res;
	char *md = lesson_readme(&l, err, sizeof(err));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", l.n);
	cJSON_AddStringToObject(o, "id", l.id);
	cJSON_AddStringToObject(o, "title", l.title);
	cJSON_AddStringToObject(o, "pcap", base(l.pcap));
	cJSON_AddStringToObject(o, "readme", md ? md : "");
	cJSON_AddItemToObject(o, "lesson", public_json(&l));
	free(md);
	lesson_free(&l);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

/* The trace already opened for lab l (its registry name says so), or 0. */
static int find_open(const char *name)
{
	int id[WEB_MAX_TRACES], n = web_trace_ids(id, WEB_MAX_TRACES), found = 0;
	for (int i = 0; i < n && !found; i++) {
		struct web_trace *t = web_trace_hold(id[i]);
		if (t && !t->upload && !strcmp(t->name, name))
			found = t->id;
		web_trace_put(t);
	}
	return found;
}

/* Every link (or scripted prediction: key "predict") with the seq it points
 * at ("error" when it no longer resolves). */
static cJSON *links_json(struct nj_store *s, const struct lesson *l, const char *key)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *k;
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(l->json, key)) {
		cJSON *x = cJSON_Duplicate(k, 1);
		uint64_t seq;
		char err[256];
		cJSON_DeleteItemFromObjectCaseSensitive(x, "seq");
		if (lesson_link_seq(s, k, &seq, err, sizeof(err)) == 0)
			cJSON_AddNumberToObject(x, "seq", (double)seq);
		else
			cJSON_AddStringToObject(x, "error", err);
		cJSON_AddItemToArray(arr, x);
	}
	return arr;
}

enum MHD_Result api_lesson_open(struct web_req *r, const int64_t *ids)
{
	struct lesson l;
	enum MHD_Result res;
	char err[768] = "the trace registry is full", name[128];
	if (load(r, ids[0], &l, &res) < 0)
		return res;
	snprintf(name, sizeof(name), "lesson %d: %.100s", l.n, base(l.pcap));
	struct web_load_opts o = { .scenario = l.scenario[0] ? l.scenario : NULL, .auto_host = l.auto_host };
	pthread_mutex_lock(&lessons_mu);	/* two clicks must not replay twice */
	int id = find_open(name);
	if (!id) {
		struct nj_store *s = web_replay_store(l.pcap, NULL, &o, err, sizeof(err));
		id = s ? web_add_trace(name, s, 0) : -1;
	}
	pthread_mutex_unlock(&lessons_mu);
	struct web_trace *t = id > 0 ? web_req_trace(r, id) : NULL;
	if (!t) {
		lesson_free(&l);
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s: %s", l.id, id < 0 ? err : "no trace");
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "trace", id);
	cJSON_AddItemToObject(out, "links", links_json(t->s, &l, "links"));
	cJSON_AddItemToObject(out, "predict", links_json(t->s, &l, "predict"));
	lesson_free(&l);
	return web_reply(r->conn, MHD_HTTP_OK, out);
}

/* The student's answers of a check request: JSON {"q1": "…"} or
 * text/plain "q1: …" lines. Returns 0, or -1 with err set. */
static int body_answers(struct web_req *r, struct lesson_answers *a, char *err, size_t errlen)
{
	char *text = malloc(r->len + 1);
	if (!text)
		return snprintf(err, errlen, "out of memory"), -1;
	if (r->len)
		memcpy(text, r->body, r->len);
	text[r->len] = 0;
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *p = text + strspn(text, " \t\r\n");
	int rc;
	if ((ct && strstr(ct, "json")) || *p == '{') {
		cJSON *j = cJSON_ParseWithLength(text, r->len);
		rc = j ? lesson_answers_json(j, a, err, errlen)
		       : (snprintf(err, errlen, "the body is not valid JSON"), -1);
		cJSON_Delete(j);
	} else
		rc = lesson_answers_parse(text, "the answers", a, err, errlen);
	free(text);
	return rc;
}

/* Grading replays the lab in-process; one at a time keeps two classes of
 * clicks from taking both cores (and the stack's replay from racing). */
static pthread_mutex_t grade_mu = PTHREAD_MUTEX_INITIALIZER;

enum MHD_Result api_lesson_check(struct web_req *r, const int64_t *ids)
{
	struct lesson l;
	struct lesson_answers a;
	enum MHD_Result res;
	char err[768];
	if (load(r, ids[0], &l, &res) < 0)
		return res;
	if (body_answers(r, &a, err, sizeof(err)) < 0) {
		lesson_free(&l);
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", err);
	}
	pthread_mutex_lock(&grade_mu);
	struct nj_store *s = lesson_replay(&l, err, sizeof(err));
	cJSON *out = s ? lesson_grade_json(&l, s, &a) : NULL;
	pthread_mutex_unlock(&grade_mu);
	store_free(s);
	lesson_answers_free(&a);
	lesson_free(&l);
	if (!out)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "replaying the lab: %s", err);
	return web_reply(r->conn, MHD_HTTP_OK, out);
}
