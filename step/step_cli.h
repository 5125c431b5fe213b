/*
 * step_cli.h - the front end of `netjourney step` shared by its files:
 * cmd_step.c (options, command loop), step_load.c (opening FILE) and
 * step_help.c (help texts).
 */
#ifndef NJ_STEP_STEP_CLI_H
#define NJ_STEP_STEP_CLI_H

#include <limits.h>
#include <stdio.h>

#include "replay.h"
#include "step.h"
#include "step_view.h"

#define MAX_XFILES 16

struct step_cli {
	struct replay_cfg cfg;		/* scenario, auto_host, no_csum */
	const char *file, *color, *static_opt;
	const char *xfiles[MAX_XFILES];
	int nx, batch;
	long dump_state;		/* --dump-state=N: the fold after every Nth event */
};

struct step_app {
	struct step_session ss;
	struct step_view v;
	const struct step_cli *cli;
	char *scenario;			/* the trace's scenario JSON, or NULL */
	void *explain;
	int explain_tried;
	char explain_err[PATH_MAX + 100];
	struct step_cmd last;		/* repeated by an empty line on a TTY */
	int quit;
};

/**
 * step_load - opens cli->file into a->ss (a capture is replayed into an
 * anonymous store; a trace is indexed), sets a->scenario, prints the
 * banner and the first event. Returns 0, or -1 after printing the error.
 */
int step_load(struct step_app *a, const struct step_cli *cli);

/* step_help - the command list, or one command's help (topic). */
void step_help(FILE *out, const char *topic);

#endif
