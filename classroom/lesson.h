/*
 * lesson.h - the classroom labs (lessons/NN-topic/): finding and loading
 * them, replaying a lab's capture into an event store, evaluating the
 * machine checks of its lesson.json against that trace, grading a
 * student's answers, and rendering its README for a terminal.
 *
 * A lesson's answer key is never trusted on its own: every question's
 * check computes the fact from the actual trace, and the key must agree
 * with it, so a lesson whose text no longer matches the stack fails.
 */
#ifndef NJ_CLASSROOM_LESSON_H
#define NJ_CLASSROOM_LESSON_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cJSON.h"
#include "store.h"

#define LESSON_MAX	64		/* labs in one directory */
#define LESSON_VAL	512		/* longest computed value */

struct lesson {
	int n;				/* the NN of NN-topic */
	char id[96];			/* "03-fragmentation" */
	char dir[PATH_MAX];		/* the lab's directory */
	char pcap[PATH_MAX];		/* resolved against dir */
	char scenario[PATH_MAX];	/* resolved; "" = the default host */
	int auto_host;			/* "auto_host": true: replay --auto-host (a student's own capture) */
	int default_host;		/* "default_host": true: replay --default-host (nothing inferred) */
	cJSON *json;			/* lesson.json, owned */
	const char *title;		/* inside json */
};

/**
 * lesson_root - the lessons directory: opt (--lessons), else $NJ_LESSONS,
 * else ../lessons beside the binary, ../share/netjourney/lessons, else
 * /usr/local/share/netjourney/lessons. Writes it to out and returns 0, or
 * -1 with err listing where it looked.
 */
int lesson_root(const char *opt, char *out, size_t len, char *err, size_t errlen);

/**
 * lesson_list - every NN-topic directory of root with a lesson.json, in
 * order. *out is malloc'd (free each with lesson_free, then the array).
 * Returns the count, or -1 with err naming the file that is malformed.
 */
int lesson_list(const char *root, struct lesson **out, char *err, size_t errlen);

/**
 * lesson_load - lesson which ("3", "03", "03-fragmentation" or
 * "fragmentation") of root into *l; a which with a '/' ("./mylab",
 * "x/09-arp/") is a lab's directory anywhere. Returns 0, or -1 with err.
 */
int lesson_load(const char *root, const char *which, struct lesson *l, char *err, size_t errlen);
void lesson_free(struct lesson *l);

/* lesson_readme - README.md's text (malloc'd), or NULL with err set. */
char *lesson_readme(const struct lesson *l, char *err, size_t errlen);

/**
 * lesson_replay - replays the lab's capture with its scenario into a new
 * anonymous store. Returns it (caller store_free()s) or NULL with err.
 */
struct nj_store *lesson_replay(const struct lesson *l, char *err, size_t errlen);

/**
 * lesson_eval - computes a check (see lessons/README.md for the kinds:
 * event, outcome, packets, mib, child) against the trace in s, as text in
 * out. Returns 0, or -1 with err saying why (no such event, bad check).
 */
int lesson_eval(struct nj_store *s, const cJSON *check, char *out, size_t outlen, char *err, size_t errlen);

/**
 * lesson_check - lesson_eval against s, or, when the check names its own
 * "pcap" (and "scenario", relative to the lab) or "auto_host", against
 * that capture (or the lab's) replayed now: a lab may compare two runs
 * (Linux 6.x against 2.4, --auto-host against the default host).
 */
int lesson_check(const struct lesson *l, struct nj_store *s, const cJSON *check, char *out, size_t outlen,
		 char *err, size_t errlen);

/**
 * lesson_link_seq - the seq of the event a link points at: its "seq", or
 * the first event its "fn" (with optional "ph", "nth") selects in its
 * "pkt". Returns 0, or -1 with err set.
 */
int lesson_link_seq(struct nj_store *s, const cJSON *link, uint64_t *seq, char *err, size_t errlen);

/* Grading (lesson_grade.c, lesson_result.c). */
#define LESSON_ANSWERS_MAX 128
struct lesson_answers {
	char *id[LESSON_ANSWERS_MAX];
	char *text[LESSON_ANSWERS_MAX];
	int n;
};

/* lesson_answers_read - "q1: IP_CSUM" lines ('#' comments, blank lines
 * skipped; a later line for the same question wins) from path, or from
 * standard input when path is "-". Returns 0, or -1 with err naming the
 * file and line. lesson_answers_parse does the same on text (modified). */
int lesson_answers_read(const char *path, struct lesson_answers *a, char *err, size_t errlen);
int lesson_answers_parse(char *text, const char *name, struct lesson_answers *a, char *err, size_t errlen);
/* lesson_answers_json - {"q1": "answer", "q2": 6}. Returns 0 or -1 with err. */
int lesson_answers_json(const cJSON *o, struct lesson_answers *a, char *err, size_t errlen);
void lesson_answers_free(struct lesson_answers *a);

/* lesson_qkind - a question's kind: number, reason, fn, field, choice,
 * teacher (anything else is an error of the lab). */
const char *lesson_qkind(const cJSON *q);

/**
 * lesson_key_ok - whether question q's answer key agrees with the value
 * its check computed (NULL when it has none): kind-aware, and a choice's
 * key must be the one choice the computed value stands for.
 */
int lesson_key_ok(const cJSON *q, const char *computed);

/**
 * lesson_answer_ok - whether a student's answer to q is right: compared
 * with the value its check computed (the key when NULL), never by
 * keywords; a "teacher" question is never right or wrong (0).
 */
int lesson_answer_ok(const cJSON *q, const char *computed, const char *answer);

/**
 * lesson_grade_json - grades every question of l against the trace s and
 * the answers a: {"lesson","id","title","score","total","stale",
 * "questions":[{"id","kind","answer","ok","feedback"[,"model"][,"stale"]}]}
 * (lesson_result.c). The caller cJSON_Delete()s it.
 */
cJSON *lesson_grade_json(const struct lesson *l, struct nj_store *s, const struct lesson_answers *a);

/* lesson_result_print - that result for a terminal: ✓/✗ and feedback per
 * question, then "Score: R/T". Returns 0 when all are right, else 1. */
int lesson_result_print(FILE *f, const cJSON *res, int colour);

/**
 * lesson_new - scaffolds a lab in dir (created when missing) from capture
 * (and scenario, or NULL for the default host), both copied in: README.md
 * skeleton, lesson.json with a link per packet to the event that decided
 * its fate, no questions, an answers.txt without answers (lesson_new.c).
 * Existing files are never overwritten. Returns 0, or -1 with err.
 */
int lesson_new(const char *capture, const char *scenario, const char *dir, char *err, size_t errlen);

/* lesson_render_md - markdown for a terminal: bold/underlined headings and
 * bold text when colour, code blocks indented, prose wrapped to width. */
void lesson_render_md(FILE *f, const char *md, int colour, int width);

#endif
