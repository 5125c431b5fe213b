/*
 * cmd_step.c - `netjourney step`: gdb-like stepping through a packet's
 * journey (docs/design.md §7). The front end only: options, loading the trace
 * (a capture is replayed into an anonymous store; a .jsonl is indexed),
 * reading commands (libedit on a TTY, plain lines otherwise so scripts
 * drive it), and dispatch to the engine (step.c) and views (step_view.c).
 */
#include <editline/readline.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "step.h"
#include "step_explain.h"
#include "step_cli.h"
#include "step_view.h"

static const char step_usage[] =
	"usage: netjourney step [options] FILE\n"
	"Steps through the journey of each packet, event by event, like gdb. FILE is a\n"
	"capture (pcap/pcapng, replayed on the fly) or a trace (.jsonl from replay -o).\n\n"
	"  -c, --scenario FILE   the host for a capture (JSON); for a trace: its routes\n"
	"      --host IP|MAC     the capture host (without -c a capture's host is inferred\n"
	"                        when it does not talk to the default host)\n"
	"      --auto-host       infer the capture host even if the capture fits the default\n"
	"      --no-csum         do not verify checksums (checksum offload captures)\n"
	"  -x FILE               run the commands in FILE first (may repeat)\n"
	"      --batch           run -x files (or nothing), print, and exit\n"
	"      --color WHEN      auto (a TTY, default), always, never\n"
	"      --static DIR      where explain.json is (default: beside the program)\n"
	"      --dump-state[=N]  print the state after every (Nth, and the last) event\n"
	"                        as JSON Lines, what the server's /state answers; exit\n"
	"  -h, --help            this text; inside: help [COMMAND]\n";

static int parse_args(struct step_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, 0, 'c' }, { "auto-host", no_argument, 0, 'A' },
		{ "no-csum", no_argument, 0, 'N' }, { "batch", no_argument, 0, 'B' },
		{ "color", required_argument, 0, 'K' }, { "colour", required_argument, 0, 'K' },
		{ "static", required_argument, 0, 'S' }, { "host", required_argument, 0, 'H' },
		{ "help", no_argument, 0, 'h' }, { "dump-state", optional_argument, 0, 'D' }, { 0, 0, 0, 0 },
	};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:x:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': c->cfg.scenario = optarg; break;
		case 'A': c->cfg.auto_host = 1; break;
		case 'H': c->cfg.host = optarg; break;
		case 'N': c->cfg.no_csum = 1; break;
		case 'B': c->batch = 1; break;
		case 'D':
			c->dump_state = optarg ? atol(optarg) : 1;
			if (c->dump_state < 1)
				return fprintf(stderr, "netjourney step: --dump-state=N takes N >= 1\n"), -1;
			break;
		case 'K': c->color = optarg; break;
		case 'S': c->static_opt = optarg; break;
		case 'x':
			if (c->nx == MAX_XFILES)
				return fprintf(stderr, "netjourney step: at most %d -x files\n", MAX_XFILES), -1;
			c->xfiles[c->nx++] = optarg;
			break;
		case 'h': fputs(step_usage, stdout); exit(0);
		default: fputs(step_usage, stderr); return -1;
		}
	}
	if (optind != argc - 1)
		return fprintf(stderr, "netjourney step: expected one FILE\n%s", step_usage), -1;
	c->file = argv[optind];
	return 0;
}

/* -- commands -- */

static void report_move(struct step_app *a, const struct step_cmd *c, size_t to, int hit)
{
	struct nj_store *s = a->ss.st;
	char d[300];
	if (c->kind == SC_CONTINUE && hit) {
		for (int k = 0; k < a->ss.nbp; k++)
			if (a->ss.bp[k].id == hit) {
				step_bp_describe(&a->ss.bp[k], d, sizeof(d));
				fprintf(a->v.out, "Breakpoint %d, %s\n", hit, d);
			}
	} else if (c->kind == SC_CONTINUE) {
		fprintf(a->v.out, "end of trace: no breakpoint hit\n");
	}
	a->ss.cur = to;
	view_loc(&a->v, s, to);
}

static void do_move(struct step_app *a, const struct step_cmd *c)
{
	char err[256];
	int hit = 0;
	size_t to = step_move(&a->ss, c, &hit, err, sizeof(err));
	if (to == STEP_NONE) {
		fprintf(a->v.out, "%s\n", err);
		return;
	}
	report_move(a, c, to, hit);
}

static void do_diff(struct step_app *a, const struct step_cmd *c)
{
	long long seq = step_diff(a, c->arg);	/* where this journey parts from B's */
	if (seq > 0)
		do_move(a, &(struct step_cmd){ .kind = SC_SEQ, .n = seq, .has_n = 1 });
}

static void do_break(struct step_app *a, const struct step_cmd *c)
{
	struct step_bp bp;
	char err[400], d[300];
	if (step_bp_parse(c->arg, a->ss.dlt, &bp, err, sizeof(err)) < 0) {
		fprintf(a->v.out, "%s\n", err);
		return;
	}
	int id = step_add_bp(&a->ss, &bp);
	if (id < 0) {
		step_bp_free(&bp);
		fprintf(a->v.out, "break: too many breakpoints (delete some)\n");
		return;
	}
	step_bp_describe(&bp, d, sizeof(d));
	fprintf(a->v.out, "Breakpoint %d: %s\n", id, d);
	if (bp.kind == BP_FN && store_name_id(a->ss.st, bp.fn) < 0)
		fprintf(a->v.out, "  note: no event of %s in this trace, so it will not stop\n", bp.fn);
}

static int load_explain(struct step_app *a)
{
	char dir[PATH_MAX];
	if (a->explain_tried)
		return a->explain ? 0 : -1;
	a->explain_tried = 1;
	if (explain_find_static(a->cli->static_opt, dir, sizeof(dir)) < 0) {
		snprintf(a->explain_err, sizeof(a->explain_err), "list: no explain.json found (looked in --static, "
			 "$NJ_STATIC, beside the program, %s)", dir);
		return -1;
	}
	a->explain = explain_load(dir, a->explain_err, sizeof(a->explain_err));
	return a->explain ? 0 : -1;
}

static void do_list(struct step_app *a, const struct step_cmd *c)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(a->ss.st, a->ss.cur, &e_buf);
	const char *fn = c->arg[0] ? c->arg : e ? store_name(a->ss.st, e->fn) : "?";
	if (load_explain(a) < 0) {
		fprintf(a->v.out, "%s\n", a->explain_err);
		return;
	}
	if (explain_print(a->v.out, a->explain, fn, a->v.color) < 0)
		fprintf(a->v.out, "list: no explanation for %s yet\n", fn);
}

static void do_info(struct step_app *a, enum step_what w)
{
	struct nj_store *s = a->ss.st;
	size_t i = a->ss.cur;
	switch (w) {
	case SW_BREAK: view_breaks(&a->v, &a->ss); break;
	case SW_COUNTERS: case SW_FRAGS: case SW_SOCKETS: case SW_TAPS: case SW_ROUTES: case SW_NEIGH: case SW_RULES:
		view_state(&a->v, &a->ss, i, w);
		break;
	case SW_SKB: view_skb(&a->v, s, i); break;
	case SW_HEADERS: view_headers(&a->v, s, i); break;
	case SW_EVENT: view_event(&a->v, s, i); break;
	default: break;
	}
}

static void run_cmd(struct step_app *a, const struct step_cmd *c)
{
	int needs_event = c->kind != SC_HELP && c->kind != SC_QUIT && c->kind != SC_BREAK && c->kind != SC_DELETE &&
			  !(c->kind == SC_INFO && c->what == SW_BREAK);
	if (needs_event && !store_nevents(a->ss.st)) {
		fprintf(a->v.out, "the trace has no events\n");
		return;
	}
	switch (c->kind) {
	case SC_STEP: case SC_NEXT: case SC_FINISH: case SC_BACK: case SC_PKT: case SC_SEQ:
	case SC_CONTINUE: case SC_RUN:
		do_move(a, c);
		break;
	case SC_BREAK: do_break(a, c); break;
	case SC_DELETE:
		if (step_delete_bp(&a->ss, c->has_n ? (int)c->n : 0) < 0)
			fprintf(a->v.out, "delete: no breakpoint %lld (see info break)\n", c->n);
		break;
	case SC_INFO: case SC_PRINT: do_info(a, c->what); break;
	case SC_X: view_x(&a->v, a->ss.st, a->ss.cur); break;
	case SC_BT: view_bt(&a->v, a->ss.st, a->ss.cur); break;
	case SC_LIST: do_list(a, c); break;
	case SC_HELP: step_help(a->v.out, c->arg); break;
	case SC_QUIT: a->quit = 1; break;
	case SC_DIFF: do_diff(a, c); break;
	default: break;
	}
}

/* One line: parse, run; errors are one line and the session goes on. */
static void run_line(struct step_app *a, const char *line, int tty)
{
	struct step_cmd c;
	char err[300];
	int r = step_parse(line, &c, err, sizeof(err));
	if (r < 0) {
		fprintf(a->v.out, "%s\n", err);
		return;
	}
	if (r > 0) {
		if (!tty || a->last.kind == SC_NONE)
			return;
		c = a->last;		/* gdb: an empty line repeats a movement */
	}
	if (c.kind == SC_STEP || c.kind == SC_NEXT || c.kind == SC_BACK || c.kind == SC_CONTINUE)
		a->last = c;
	run_cmd(a, &c);
	fflush(a->v.out);
}

static int run_file(struct step_app *a, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	if (!f) {
		fprintf(stderr, "netjourney step: -x %s: cannot open\n", path);
		return -1;
	}
	while (!a->quit && getline(&line, &cap, f) > 0)
		run_line(a, line, 0);
	free(line);
	fclose(f);
	return 0;
}

static void loop(struct step_app *a)
{
	int tty = isatty(0);
	char *line = NULL;
	size_t cap = 0;
	if (tty)
		using_history();
	while (!a->quit) {
		char *l = tty ? readline("(nj) ") : (getline(&line, &cap, stdin) > 0 ? line : NULL);
		if (!l)
			break;
		if (tty && *l)
			add_history(l);
		run_line(a, l, tty);
		if (tty)
			free(l);
	}
	if (tty && !a->quit)
		fputc('\n', stdout);
	free(line);
}

int cmd_step(int argc, char **argv)
{
	struct step_cli cli = { 0 };
	struct step_app a = { 0 };
	if (parse_args(&cli, argc, argv) < 0)
		return 2;
	int color = colour_wanted(cli.color, 1);
	if (color < 0)
		return fprintf(stderr, "netjourney step: --color takes auto, always or never\n"), 2;
	a.cli = &cli;
	a.v.out = cli.dump_state ? stderr : stdout;
	a.v.color = color;
	if (step_load(&a, &cli) < 0)
		return 1;
	int r = 0;
	if (cli.dump_state) {
		r = step_dump_state(&a.ss, (size_t)cli.dump_state, stdout) < 0 || fflush(stdout) != 0;
		if (r)
			fprintf(stderr, "netjourney step: --dump-state: out of memory or a write error\n");
		cli.batch = 1;
		cli.nx = 0;
	}
	for (int k = 0; k < cli.nx && !a.quit; k++)
		r |= run_file(&a, cli.xfiles[k]);
	if (!cli.batch)
		loop(&a);
	struct nj_store *st = a.ss.st;
	step_free(&a.ss);
	store_free(st);
	explain_free(a.explain);
	step_diff_free(&a);
	free(a.scenario);
	return r ? 1 : 0;
}
