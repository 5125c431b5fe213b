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
	struct step_whatif *whatif;	/* the last `diff` (step_diff.c), or NULL */
	int quit;
};

/**
 * step_load - opens cli->file into a->ss (a capture is replayed into an
 * anonymous store; a trace is indexed), sets a->scenario, prints the
 * banner and the first event. Returns 0, or -1 after printing the error.
 */
int step_load(struct step_app *a, const struct step_cli *cli);

/**
 * step_diff - `diff [-c B.json] [--set] PATH=VALUE…`: replays the capture
 * again under the edited scenario (whatif/), finds the next packet after
 * the current one whose outcome differs, prints both outcomes and where
 * the journeys part, and returns the seq of the event where this trace's
 * journey parts from the edited one; `diff` alone goes on to the next
 * such packet of the last comparison. Returns 0 when no packet is left
 * (said so) or on an error (printed).
 */
long long step_diff(struct step_app *a, const char *arg);
void step_diff_free(struct step_app *a);

/* step_help - the command list, or one command's help (topic). */
void step_help(FILE *out, const char *topic);

#endif
