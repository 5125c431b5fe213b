/*
 * lesson_grade.c - a student's answers against a lab's questions. Each
 * answer is compared with the value the question's check computed from
 * the trace (not with the key alone), by kind: a number numerically, a
 * drop reason without its SKB_DROP_REASON_ prefix, a function without
 * "()", a choice by its letter or its text, free text by keywords.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lesson.h"
#include "scenario.h"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

int lesson_answers_read(const char *path, struct lesson_answers *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	char *text = scenario_read_file(path, err, errlen);
	if (!text)
		return -1;
	int lineno = 0, rc = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		char *colon = strchr(l, ':');
		if (!colon || a->n == 128) {
			snprintf(err, errlen, "%s: line %d: expected \"q1: your answer\"", path, lineno);
			rc = -1;
			break;
		}
		*colon = 0;
		a->id[a->n] = strdup(trim(l));
		a->text[a->n++] = strdup(trim(colon + 1));
	}
	free(text);
	if (rc < 0)
		lesson_answers_free(a);
	return rc;
}

void lesson_answers_free(struct lesson_answers *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->id[i]);
		free(a->text[i]);
	}
	a->n = 0;
}

/* s normalised for kind into out: trimmed, case folded, prefixes dropped. */
static void norm(const char *kind, const char *s, char *out, size_t len)
{
	char buf[LESSON_VAL];
	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	char *t = trim(buf);
	if (!strcmp(kind, "reason") && !strncasecmp(t, "SKB_DROP_REASON_", 16))
		t += 16;
	size_t n = strlen(t);
	if (!strcmp(kind, "fn") && n > 2 && !strcmp(t + n - 2, "()"))
		t[n - 2] = 0;
	for (char *p = t; *p; p++)
		*p = (char)(!strcmp(kind, "reason") ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	snprintf(out, len, "%s", t);
}

static int same(const char *kind, const char *a, const char *b)
{
	if (!strcmp(kind, "number")) {
		char *ea, *eb;
		double x = strtod(a, &ea), y = strtod(b, &eb);
		return ea != a && eb != b && !*trim(ea) && !*trim(eb) && x == y;
	}
	char na[LESSON_VAL], nb[LESSON_VAL];
	norm(kind, a, na, sizeof(na));
	norm(kind, b, nb, sizeof(nb));
	return !strcmp(na, nb);
}

static const char *qkind(const cJSON *q)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(q, "kind");
	return cJSON_IsString(k) ? k->valuestring : "text";
}

/* The letter of a choice given by its letter or its text, or NULL. */
static const char *choice_letter(const cJSON *q, const char *given)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(q, "choices"))
		if (cJSON_IsString(c) && (!strcasecmp(c->string, given) || same("text", c->valuestring, given)))
			return c->string;
	return NULL;
}

/* What the trace says when choice letter is right: "choice_values" when
 * the trace words it differently from the choice's text, else the text. */
static const char *choice_text(const cJSON *q, const char *letter)
{
	const char *l = letter ? choice_letter(q, letter) : NULL;
	if (!l)
		return NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "choice_values"), l);
	if (cJSON_IsString(v))
		return v->valuestring;
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "choices"), l));
}

/* A value as text: strings as they are, numbers without ".0". */
static void scalar(const cJSON *v, char *out, size_t len)
{
	if (cJSON_IsString(v))
		snprintf(out, len, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, len, "%.15g", v->valuedouble);
	else
		out[0] = 0;
}

/* Does text contain keyword (case-insensitive)? */
static int has_word(const char *text, const char *kw)
{
	size_t n = strlen(kw);
	for (const char *p = text; n && *p; p++)
		if (!strncasecmp(p, kw, n))
			return 1;
	return 0;
}

/* Is choice letter (or text) the one the trace's value stands for? Equal,
 * or contained in it: a check may compute a whole message. */
static int choice_ok(const cJSON *q, const char *letter, const char *computed)
{
	const char *t = choice_text(q, letter);
	return t && (same("text", t, computed) || (*t && has_word(computed, t)));
}

int lesson_key_ok(const cJSON *q, const char *computed)
{
	const char *kind = qkind(q);
	const cJSON *ans = cJSON_GetObjectItemCaseSensitive(q, "answer");
	char key[LESSON_VAL];
	if (!computed)
		return 1;		/* nothing to hold the key against */
	if (!strcmp(kind, "text")) {
		const cJSON *first = cJSON_IsArray(ans) ? cJSON_GetArrayItem(ans, 0) : ans;
		scalar(first, key, sizeof(key));
		return *key && has_word(computed, key);
	}
	scalar(ans, key, sizeof(key));
	if (!strcmp(kind, "choice"))
		return choice_ok(q, key, computed);
	return same(kind, key, computed);
}

int lesson_answer_ok(const cJSON *q, const char *computed, const char *answer)
{
	const char *kind = qkind(q);
	const cJSON *ans = cJSON_GetObjectItemCaseSensitive(q, "answer");
	char key[LESSON_VAL];
	if (!answer || !*answer)
		return 0;
	if (!strcmp(kind, "text")) {
		const cJSON *kw;
		if (!cJSON_IsArray(ans))
			return scalar(ans, key, sizeof(key)), has_word(answer, key);
		cJSON_ArrayForEach(kw, ans) {
			scalar(kw, key, sizeof(key));
			if (*key && has_word(answer, key))
				return 1;
		}
		return 0;
	}
	scalar(ans, key, sizeof(key));
	const char *truth = computed ? computed : key;
	if (!strcmp(kind, "choice")) {
		const char *mine = choice_letter(q, answer), *right = choice_letter(q, key);
		return computed ? choice_ok(q, answer, computed) : mine && right && !strcmp(mine, right);
	}
	return same(kind, answer, truth);
}

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

/* One question: 1 right, 0 wrong or missing; *stale when the key and the
 * trace disagree (the lesson's text no longer matches the stack). */
static int grade_one(const struct lesson *l, const cJSON *q, struct nj_store *s, const struct lesson_answers *a,
		     FILE *f, int colour, int *stale)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "id"));
	const cJSON *check = cJSON_GetObjectItemCaseSensitive(q, "check");
	char val[LESSON_VAL], err[256];
	const char *computed = NULL;
	id = id ? id : "?";
	if (check && !cJSON_IsNull(check)) {
		if (lesson_check(l, s, check, val, sizeof(val), err, sizeof(err)) < 0) {
			fprintf(f, "  ! %s: the lesson's check failed against the trace: %s\n", id, err);
			(*stale)++;
			return 0;
		}
		computed = val;
	}
	if (!lesson_key_ok(q, computed)) {
		fprintf(f, "  ! %s: the lesson is out of date: its key disagrees with the trace (\"%s\")\n", id,
			computed);
		(*stale)++;
	}
	const char *ans = answer_of(a, id);
	const char *g = colour ? "\033[32m" : "", *r = colour ? "\033[31m" : "", *z = colour ? "\033[0m" : "";
	if (!ans) {
		fprintf(f, "%s  ✗ %s: no answer (add a line \"%s: …\")%s\n", r, id, id, z);
		return 0;
	}
	int ok = lesson_answer_ok(q, computed, ans);
	fprintf(f, "%s  %s %s: %s%s\n      %s\n", ok ? g : r, ok ? "✓" : "✗", id, ans, z,
		feedback(q, ok ? "right" : "wrong"));
	return ok;
}

int lesson_grade(const struct lesson *l, struct nj_store *s, const struct lesson_answers *a, FILE *f,
		 int colour, int *total, int *stale)
{
	int right = 0;
	const cJSON *q;
	*total = *stale = 0;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(l->json, "questions")) {
		(*total)++;
		right += grade_one(l, q, s, a, f, colour, stale);
	}
	return right;
}
