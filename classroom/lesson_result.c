/*
 * lesson_result.c - one graded attempt as JSON, the same for the terminal
 * (`lesson check`, printed by lesson_result_print) and for the browser
 * (POST /api/lessons/N/check returns it as it is):
 *   {"lesson":3, "id":"03-fragmentation", "score":5, "total":6, "stale":0,
 *    "questions":[{"id":"q1", "kind":"fn", "answer":"ip_find", "ok":true,
 *                  "feedback":"…"}, …]}
 * "ok" is null for a question for the teacher (kind "teacher"), which then
 * carries its "model" answer once the student has written something;
 * "stale" in a question says its key or check no longer matches the trace.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lesson.h"

static const char *answer_of(const struct lesson_answers *a, const char *id)
{
	for (int i = 0; a && i < a->n; i++)
		if (!strcasecmp(a->id[i], id))
			return a->text[i];
	return NULL;
}

static const char *feedback(const cJSON *q, const char *which)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "feedback"), which);
	return cJSON_IsString(f) ? f->valuestring : "";
}

/* The question's check against the trace into val; NULL when it has none,
 * or with *why set when it fails. */
static const char *computed(const struct lesson *l, struct nj_store *s, const cJSON *q, char *val, size_t len,
			    char *why, size_t whylen)
{
	const cJSON *check = cJSON_GetObjectItemCaseSensitive(q, "check");
	char err[256];
	if (!check || cJSON_IsNull(check))
		return NULL;
	if (lesson_check(l, s, check, val, len, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "the lesson's check failed against the trace: %s", err);
		return NULL;
	}
	return val;
}

static cJSON *grade_one(const struct lesson *l, struct nj_store *s, const cJSON *q, const struct lesson_answers *a,
			int *right, int *total, int *stale)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "id"));
	const char *kind = lesson_qkind(q);
	char val[LESSON_VAL], why[LESSON_VAL + 128] = "";
	id = id ? id : "?";
	const char *c = computed(l, s, q, val, sizeof(val), why, sizeof(why));
	if (!*why && !lesson_key_ok(q, c))
		snprintf(why, sizeof(why), "the lesson is out of date: its key disagrees with the trace (\"%s\")",
			 c ? c : strcmp(kind, "teacher") ? "no check" : "no model answer");
	const char *ans = answer_of(a, id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "kind", kind);
	if (ans)
		cJSON_AddStringToObject(o, "answer", ans);
	else
		cJSON_AddNullToObject(o, "answer");
	if (*why) {
		cJSON_AddStringToObject(o, "stale", why);
		(*stale)++;
	}
	if (!strcmp(kind, "teacher")) {
		cJSON_AddNullToObject(o, "ok");
		cJSON_AddStringToObject(o, "feedback", ans && *ans ? "for your teacher: compare with the model answer"
									: "for your teacher: write your answer first");
		const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "answer"));
		if (ans && *ans)
			cJSON_AddStringToObject(o, "model", model ? model : "");
		return o;
	}
	int ok = !*why && lesson_answer_ok(q, c, ans);
	(*total)++;
	*right += ok;
	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddStringToObject(o, "feedback", ans ? feedback(q, ok ? "right" : "wrong") : "no answer");
	return o;
}

cJSON *lesson_grade_json(const struct lesson *l, struct nj_store *s, const struct lesson_answers *a)
{
	int right = 0, total = 0, stale = 0;
	const cJSON *q;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "lesson", l->n);
	cJSON_AddStringToObject(o, "id", l->id);
	cJSON_AddStringToObject(o, "title", l->title ? l->title : "");
	cJSON *arr = cJSON_CreateArray();
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(l->json, "questions"))
		cJSON_AddItemToArray(arr, grade_one(l, s, q, a, &right, &total, &stale));
	cJSON_AddNumberToObject(o, "score", right);
	cJSON_AddNumberToObject(o, "total", total);
	cJSON_AddNumberToObject(o, "stale", stale);
	cJSON_AddItemToObject(o, "questions", arr);
	return o;
}

static const char *str(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static int num(const cJSON *o, const char *k)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

int lesson_result_print(FILE *f, const cJSON *res, int colour)
{
	const char *g = colour ? "\033[32m" : "", *r = colour ? "\033[31m" : "", *z = colour ? "\033[0m" : "";
	const cJSON *q;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(res, "questions")) {
		const char *id = str(q, "id"), *ans = str(q, "answer");
		const cJSON *ok = cJSON_GetObjectItemCaseSensitive(q, "ok");
		if (*str(q, "stale"))
			fprintf(f, "  ! %s: %s\n", id, str(q, "stale"));
		if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(q, "answer")))
			fprintf(f, "%s  %s %s: no answer (add a line \"%s: …\")%s\n", cJSON_IsNull(ok) ? "" : r,
				cJSON_IsNull(ok) ? "?" : "✗", id, id, cJSON_IsNull(ok) ? "" : z);
		else if (cJSON_IsNull(ok))
			fprintf(f, "  ? %s: %s\n      %s%s%s\n", id, ans, str(q, "feedback"),
				*str(q, "model") ? ". Model answer: " : "", str(q, "model"));
		else
			fprintf(f, "%s  %s %s: %s%s\n      %s\n", cJSON_IsTrue(ok) ? g : r, cJSON_IsTrue(ok) ? "✓" : "✗",
				id, ans, z, str(q, "feedback"));
	}
	int right = num(res, "score"), total = num(res, "total"), stale = num(res, "stale");
	fprintf(f, "Score: %d/%d%s\n", right, total,
		stale ? "  (some questions no longer match the stack: tell your teacher)" : "");
	return right == total && !stale ? 0 : 1;
}
