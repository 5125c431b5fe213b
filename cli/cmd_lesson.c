/*
 * cmd_lesson.c - `netjourney lesson list | show N | check N ANSWERS |
 * verify [N|DIR] | new CAPTURE DIR`: the classroom labs of lessons/
 * (lesson.h); new scaffolds a teacher's lab (lesson_new.c). check and verify
 * replay the lab's capture first, so every answer is held against what the
 * stack does today, not against a key written once.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lesson.h"

static const char lesson_help[] =
	"usage: netjourney lesson [options] COMMAND\n"
	"The classroom labs: each lab tells a packet's story, says what to run and look at,\n"
	"and asks questions whose answers come from the trace itself.\n\n"
	"  list                  the labs: number, title, capture, questions\n"
	"  show N                the lab's text (README.md) for the terminal\n"
	"  check N ANSWERS       grade ANSWERS (a file of lines \"q1: IP_CSUM\", - for standard\n"
	"                        input) against the lab's trace: ✓/✗ and feedback per question,\n"
	"                        then the score; exit 0 when every answer is right, 1 otherwise\n"
	"  verify [N|DIR]        evaluate every check and link of lab N (or of all labs, or of\n"
	"                        the lab in DIR) against the trace, print the facts and grade\n"
	"                        its answers.txt; exit 1 on a mismatch or a wrong key\n"
	"  new CAPTURE DIR       scaffold a lab for a teacher in DIR: the capture copied in,\n"
	"                        README.md skeleton, lesson.json with a link per packet, no\n"
	"                        questions yet, an empty answers.txt (-c FILE: its host)\n\n"
	"N is the lab's number (3), its directory (03-fragmentation) or its topic (fragmentation).\n"
	"  --lessons DIR         the labs' directory (default: $NJ_LESSONS, else lessons/ beside\n"
	"                        the program, else /usr/local/share/netjourney/lessons)\n"
	"  -c, --scenario FILE   with new: the lab's host (JSON), copied in\n"
	"  --color WHEN          auto (a TTY, default), always, never\n"
	"  -h, --help            this text\n";

struct lesson_cli {
	const char *dir, *scenario;
	int colour;
	char root[PATH_MAX];
};

static int do_list(struct lesson_cli *c)
{
	struct lesson *ls;
	char err[512];
	int n = lesson_list(c->root, &ls, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const char *pcap = strrchr(ls[i].pcap, '/') ? strrchr(ls[i].pcap, '/') + 1 : ls[i].pcap;
		int nq = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ls[i].json, "questions"));
		printf("%2d  %-22s %s\n    %s, %d questions%s\n", ls[i].n, ls[i].id, ls[i].title, pcap, nq,
		       ls[i].scenario[0] ? ", own scenario" : ls[i].auto_host ? ", --auto-host" : "");
		lesson_free(&ls[i]);
	}
	free(ls);
	if (!n)
		printf("no labs in %s\n", c->root);
	return 0;
}

static int do_show(struct lesson_cli *c, const char *which)
{
	struct lesson l;
	char err[512];
	if (lesson_load(c->root, which, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		return 1;
	}
	char *md = lesson_readme(&l, err, sizeof(err));
	if (md)
		lesson_render_md(stdout, md, c->colour, 80);
	else
		fprintf(stderr, "netjourney lesson: %s\n", err);
	free(md);
	lesson_free(&l);
	return md ? 0 : 1;
}

static int do_check(struct lesson_cli *c, const char *which, const char *answers)
{
	struct lesson l;
	struct lesson_answers a;
	char err[768];
	if (lesson_load(c->root, which, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		return 1;
	}
	if (lesson_answers_read(answers, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		lesson_free(&l);
		return 1;
	}
	struct nj_store *s = lesson_replay(&l, err, sizeof(err));
	int rc = 1;
	if (!s)
		fprintf(stderr, "netjourney lesson: %s: %s\n", l.id, err);
	else {
		cJSON *res = lesson_grade_json(&l, s, &a);
		if (l.n >= 0)
			printf("Lesson %d: %s\n", l.n, l.title);
		else
			printf("Lesson %s: %s\n", l.id, l.title);	/* a teacher's lab, not numbered */
		rc = lesson_result_print(stdout, res, c->colour);
		cJSON_Delete(res);
		store_free(s);
	}
	lesson_answers_free(&a);
	lesson_free(&l);
	return rc;
}

/* The lab's answers.txt graded against the trace: the key must score in
 * full (a file without answers, as `lesson new` writes it, is fine). */
static int verify_key(const struct lesson *l, struct nj_store *s)
{
	struct lesson_answers a;
	char p[PATH_MAX + 16], err[768];
	snprintf(p, sizeof(p), "%s/answers.txt", l->dir);
	if (access(p, R_OK) != 0)
		return 0;
	if (lesson_answers_read(p, &a, err, sizeof(err)) < 0)
		return printf("FAIL %s answers.txt: %s\n", l->id, err), 1;
	cJSON *res = lesson_grade_json(l, s, &a);
	int right = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "score"));
	int total = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "total"));
	int bad = a.n && right != total;
	printf("%s %s answers.txt: %d/%d%s\n", bad ? "FAIL" : "ok  ", l->id, right, total,
	       a.n ? "" : " (no answers yet)");
	cJSON_Delete(res);
	lesson_answers_free(&a);
	return bad;
}

/* The scripted predictions: each must resolve to an event and ask one of
 * the questions the browser knows (static/predict.js). */
static int verify_predict(const struct lesson *l, struct nj_store *s)
{
	static const char *const asks[] = { "route", "drop_reason", "counter", "completes" };
	const cJSON *k;
	int bad = 0;
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(l->json, "predict")) {
		const char *ask = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "ask"));
		char err[256] = "";
		uint64_t seq = 0;
		int known = 0;
		for (size_t i = 0; ask && i < sizeof(asks) / sizeof(asks[0]); i++)
			known |= !strcmp(ask, asks[i]);
		if (!known)
			snprintf(err, sizeof(err), "ask \"%s\": expected route, drop_reason, counter or completes",
				 ask ? ask : "");
		else
			lesson_link_seq(s, k, &seq, err, sizeof(err));
		bad += *err != 0;
		if (*err)
			printf("FAIL %s predict %s: %s\n", l->id, ask ? ask : "?", err);
		else
			printf("ok   %s predict %s: seq %llu\n", l->id, ask, (unsigned long long)seq);
	}
	return bad;
}

/* Every check and link of one lab; returns the number of problems. */
static int verify_one(struct lesson *l)
{
	char err[768], val[LESSON_VAL];
	struct nj_store *s = lesson_replay(l, err, sizeof(err));
	if (!s) {
		printf("FAIL %s: %s\n", l->id, err);
		return 1;
	}
	int bad = 0;
	const cJSON *q, *k;
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(l->json, "questions")) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "id"));
		const cJSON *check = cJSON_GetObjectItemCaseSensitive(q, "check");
		int have = check && !cJSON_IsNull(check);
		int r = have ? lesson_check(l, s, check, val, sizeof(val), err, sizeof(err)) : 0;
		int ok = r == 0 && lesson_key_ok(q, have ? val : NULL);
		bad += !ok;
		printf("%s %s %s: %s\n", ok ? "ok  " : "FAIL", l->id, id ? id : "?",
		       r < 0 ? err : !have ? "(no trace check)" : val);
	}
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(l->json, "links")) {
		uint64_t seq = 0;
		int r = lesson_link_seq(s, k, &seq, err, sizeof(err));
		const char *label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "label"));
		bad += r < 0;
		if (r < 0)
			printf("FAIL %s link \"%s\": %s\n", l->id, label ? label : "?", err);
		else
			printf("ok   %s link \"%s\": seq %llu\n", l->id, label ? label : "?", (unsigned long long)seq);
	}
	bad += verify_predict(l, s);
	bad += verify_key(l, s);
	store_free(s);
	return bad;
}

static int do_verify(struct lesson_cli *c, const char *which)
{
	struct lesson *ls, one;
	char err[512], want[96] = "";
	if (which) {
		if (lesson_load(c->root, which, &one, err, sizeof(err)) < 0) {
			fprintf(stderr, "netjourney lesson: %s\n", err);
			return 1;
		}
		snprintf(want, sizeof(want), "%s", one.id);
		lesson_free(&one);
	}
	if (which && strchr(which, '/')) {	/* a teacher's lab anywhere */
		if (lesson_load(c->root, which, &one, err, sizeof(err)) < 0) {
			fprintf(stderr, "netjourney lesson: %s\n", err);
			return 1;
		}
		int bad = verify_one(&one);
		lesson_free(&one);
		return bad ? 1 : 0;
	}
	int n = lesson_list(c->root, &ls, err, sizeof(err)), bad = 0;
	if (n < 0) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (!*want || !strcmp(want, ls[i].id))
			bad += verify_one(&ls[i]);
		lesson_free(&ls[i]);
	}
	free(ls);
	return bad ? 1 : 0;
}

static int parse_args(struct lesson_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lessons", required_argument, 0, 'L' }, { "color", required_argument, 0, 'C' },
		{ "colour", required_argument, 0, 'C' }, { "help", no_argument, 0, 'h' },
		{ "scenario", required_argument, 0, 'c' }, { 0, 0, 0, 0 },
	};
	int o;
	optind = 1;
	c->colour = colour_wanted("auto", 1);
	while ((o = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
		switch (o) {
		case 'L': c->dir = optarg; break;
		case 'c': c->scenario = optarg; break;
		case 'C':
			if ((c->colour = colour_wanted(optarg, 1)) < 0) {
				fprintf(stderr, "netjourney lesson: --color %s: expected auto, always or never\n", optarg);
				return -1;
			}
			break;
		case 'h': fputs(lesson_help, stdout); exit(0);
		default: fputs(lesson_help, stderr); return -1;
		}
	}
	return 0;
}

int cmd_lesson(int argc, char **argv)
{
	struct lesson_cli c = { 0 };
	char err[768];
	if (parse_args(&c, argc, argv) < 0)
		return 2;
	int nargs = argc - optind;
	const char *cmd = nargs > 0 ? argv[optind] : NULL;
	if (!cmd || (!strcmp(cmd, "show") && nargs != 2) || (!strcmp(cmd, "check") && nargs != 3) ||
	    (!strcmp(cmd, "new") && nargs != 3)) {
		fputs(lesson_help, stderr);
		return 2;
	}
	if (!strcmp(cmd, "new")) {
		if (lesson_new(argv[optind + 1], c.scenario, argv[optind + 2], err, sizeof(err)) < 0) {
			fprintf(stderr, "netjourney lesson new: %s\n", err);
			return 1;
		}
		printf("lab scaffolded in %s: write README.md and the questions of lesson.json,\n"
		       "then the key in answers.txt; `netjourney lesson verify %s%s` checks it\n", argv[optind + 2],
		       strchr(argv[optind + 2], '/') ? "" : "./", argv[optind + 2]);
		return 0;
	}
	int by_dir = nargs > 1 && strchr(argv[optind + 1], '/');	/* a lab's directory: no root needed */
	if (lesson_root(c.dir, c.root, sizeof(c.root), err, sizeof(err)) < 0 && !by_dir) {
		fprintf(stderr, "netjourney lesson: %s\n", err);
		return 1;
	}
	if (!strcmp(cmd, "list"))
		return do_list(&c);
	if (!strcmp(cmd, "show"))
		return do_show(&c, argv[optind + 1]);
	if (!strcmp(cmd, "check"))
		return do_check(&c, argv[optind + 1], argv[optind + 2]);
	if (!strcmp(cmd, "verify"))
		return do_verify(&c, nargs > 1 ? argv[optind + 1] : NULL);
	fprintf(stderr, "netjourney lesson: unknown command '%s' (list, show, check, verify, new)\n", cmd);
	return 2;
}
