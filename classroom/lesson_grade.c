/*
 * lesson_grade.c - a student's answers against a lab's questions. Each
 * answer is compared with the value the question's check computed from
 * the trace (the key must agree with that value too), by kind: a number
 * numerically, a drop reason without its SKB_DROP_REASON_ prefix, a
 * function without "()", a field's value exactly (case, '-', ' ' and '_'
 * alike), a choice by its letter or its whole text. Nothing is graded by
 * keywords: a free-text question is "teacher" and only shows its model
 * answer. The CLI (`lesson check`) and the API (POST /api/lessons/N/check)
 * both print the one JSON result lesson_grade_json builds.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lesson.h"
#include "scenario.h"

#define ANSWERS_MAX_BYTES (1 << 20)	/* a student's answers, at most */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static int add_answer(struct lesson_answers *a, const char *id, const char *text)
{
	for (int i = 0; i < a->n; i++)	/* a later line wins: the student corrected it */
		if (!strcasecmp(a->id[i], id)) {
			char *t = strdup(text);
			if (!t)
				return -1;
			free(a->text[i]);
			a->text[i] = t;
			return 0;
		}
	if (a->n == LESSON_ANSWERS_MAX)
		return -1;
	a->id[a->n] = strdup(id);
	a->text[a->n] = strdup(text);
	if (!a->id[a->n] || !a->text[a->n])
		return free(a->id[a->n]), free(a->text[a->n]), -1;
	a->n++;
	return 0;
}

int lesson_answers_parse(char *text, const char *name, struct lesson_answers *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	int lineno = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		char *colon = strchr(l, ':');
		if (colon)
			*colon = 0;
		if (!colon || add_answer(a, trim(l), trim(colon + 1)) < 0) {
			snprintf(err, errlen, "%s: line %d: expected \"q1: your answer\" (at most %d answers)", name,
				 lineno, LESSON_ANSWERS_MAX);
			lesson_answers_free(a);
			return -1;
		}
	}
	return 0;
}

/* All of f, at most ANSWERS_MAX_BYTES; NULL with err set. */
static char *read_stream(FILE *f, const char *name, char *err, size_t errlen)
{
	char *buf = malloc(ANSWERS_MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, ANSWERS_MAX_BYTES + 1, f) : 0;
	if (!buf || n > ANSWERS_MAX_BYTES || ferror(f)) {
		snprintf(err, errlen, "%s: %s", name, !buf ? "out of memory" : ferror(f) ? "read error" : "over 1 MiB");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

int lesson_answers_read(const char *path, struct lesson_answers *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	int in = !strcmp(path, "-");
	char *text = in ? read_stream(stdin, "standard input", err, errlen) : scenario_read_file(path, err, errlen);
	if (!text)
		return -1;
	int rc = lesson_answers_parse(text, in ? "standard input" : path, a, err, errlen);
	free(text);
	return rc;
}

int lesson_answers_json(const cJSON *o, struct lesson_answers *a, char *err, size_t errlen)
{
	const cJSON *v;
	char num[32];
	memset(a, 0, sizeof(*a));
	if (!cJSON_IsObject(o))
		return snprintf(err, errlen, "expected a JSON object {\"q1\": \"your answer\"}"), -1;
	cJSON_ArrayForEach(v, o) {
		if (cJSON_IsNumber(v))
			snprintf(num, sizeof(num), "%.15g", v->valuedouble);
		if ((!cJSON_IsString(v) && !cJSON_IsNumber(v)) ||
		    add_answer(a, v->string, cJSON_IsString(v) ? v->valuestring : num) < 0) {
			snprintf(err, errlen, "\"%s\": expected a string or a number (at most %d answers)", v->string,
				 LESSON_ANSWERS_MAX);
			lesson_answers_free(a);
			return -1;
		}
	}
	return 0;
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
	if (!strcmp(kind, "field") && (!strncasecmp(t, "NUD_", 4) || !strncasecmp(t, "TCP_", 4)))
		t += 4;		/* the kernel's names of states: NUD_STALE, TCP_TIME_WAIT */
	size_t n = strlen(t);
	if (!strcmp(kind, "fn") && n > 2 && !strcmp(t + n - 2, "()"))
		t[n - 2] = 0;
	for (char *p = t; *p; p++) {
		*p = (char)(!strcmp(kind, "reason") ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
		if (!strcmp(kind, "field") && (*p == '-' || *p == ' '))
			*p = '_';
	}
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

/* Does text contain word (case-insensitive)? */
static int contains(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; n && *p; p++)
		if (!strncasecmp(p, word, n))
			return 1;
	return 0;
}

const char *lesson_qkind(const cJSON *q)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(q, "kind");
	return cJSON_IsString(k) ? k->valuestring : "text";
}

/* The kinds a student's answer is graded by (lessons/README.md). */
static int kind_known(const char *kind)
{
	static const char *const k[] = { "number", "reason", "fn", "field", "choice", "teacher" };
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(kind, k[i]))
			return 1;
	return 0;
}

/* The letter of a choice given by its letter or its whole text, or NULL. */
static const char *choice_letter(const cJSON *q, const char *given)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(q, "choices"))
		if (cJSON_IsString(c) && (!strcasecmp(c->string, given) || same("text", c->valuestring, given)))
			return c->string;
	return NULL;
}

/* What the trace says when choice c is right: its "choice_values" entry
 * when the trace words it differently from the choice's text. */
static const char *choice_value(const cJSON *q, const cJSON *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "choice_values"), c->string);
	return cJSON_IsString(v) ? v->valuestring : c->valuestring;
}

/* The one choice the computed value stands for: the one equal to it, else
 * the only one contained in it (a check may compute a whole message).
 * NULL when none or several do: the check cannot tell them apart. */
static const char *choice_of_trace(const cJSON *q, const char *computed)
{
	const cJSON *c;
	const char *hit = NULL;
	int n = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(q, "choices"))
		if (cJSON_IsString(c) && same("text", choice_value(q, c), computed))
			return c->string;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(q, "choices")) {
		const char *v = cJSON_IsString(c) ? choice_value(q, c) : "";
		if (*v && contains(computed, v))
			hit = c->string, n++;
	}
	return n == 1 ? hit : NULL;
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

/* The right answer: what the trace says (computed), else the key. For a
 * choice, its letter. "" when there is none (a stale or broken lab). */
static void truth(const cJSON *q, const char *computed, char *out, size_t len)
{
	const char *kind = lesson_qkind(q);
	scalar(cJSON_GetObjectItemCaseSensitive(q, "answer"), out, len);
	if (!strcmp(kind, "choice")) {
		const char *l = computed ? choice_of_trace(q, computed) : choice_letter(q, out);
		snprintf(out, len, "%s", l ? l : "");
	} else if (computed)
		snprintf(out, len, "%s", computed);
}

int lesson_key_ok(const cJSON *q, const char *computed)
{
	const char *kind = lesson_qkind(q);
	char key[LESSON_VAL], right[LESSON_VAL];
	if (!kind_known(kind))
		return 0;
	scalar(cJSON_GetObjectItemCaseSensitive(q, "answer"), key, sizeof(key));
	if (!strcmp(kind, "teacher"))
		return *key != 0;	/* a model answer to show */
	truth(q, computed, right, sizeof(right));
	if (!strcmp(kind, "choice"))
		return *right && choice_letter(q, key) && !strcmp(choice_letter(q, key), right);
	return *key && same(kind, key, right);
}

int lesson_answer_ok(const cJSON *q, const char *computed, const char *answer)
{
	const char *kind = lesson_qkind(q);
	char right[LESSON_VAL];
	if (!answer || !*answer || !kind_known(kind) || !strcmp(kind, "teacher"))
		return 0;
	truth(q, computed, right, sizeof(right));
	if (!*right)
		return 0;
	if (!strcmp(kind, "choice")) {
		const char *mine = choice_letter(q, answer);
		return mine && !strcmp(mine, right);
	}
	return same(kind, answer, right);
}
