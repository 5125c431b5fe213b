/*
 * main.c - `netjourney COMMAND …`: dispatch to the subcommands.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{ "replay", cmd_replay, "replay a pcap/pcapng through the stack and show each packet's journey" },
	{ "step", cmd_step, "step through a journey event by event, like gdb" },
	{ "serve", cmd_serve, "serve the browser timeline for captures or traces on 127.0.0.1" },
	{ "live", cmd_live, "run the stack as a live host on a TAP device" },
	{ "lab-net", cmd_lab_net, "build or remove the classroom network (peer namespace + bridge + TAP)" },
	{ "lesson", cmd_lesson, "classroom labs: list, show, check" },
	{ "mkpcap", cmd_mkpcap, "write one of the project's scenario pcaps" },
	{ "export", cmd_export, "convert a trace between JSON lines and the compact .njz form" },
	{ "diff", cmd_diff, "what if: replay one capture under two scenarios and show where the journeys part" },
	{ "diff-kernel", cmd_diff_kernel, "compare the stack with this machine's Linux kernel" },
	{ "run-default", cmd_run_default, "what `make run` does: replay pcaps/ and serve the UI" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: netjourney COMMAND [options]   (netjourney COMMAND --help for details)\n\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].help);
}

int colour_wanted(const char *mode, int fd)
{
	if (!mode || !strcmp(mode, "auto"))
		return isatty(fd);
	if (!strcmp(mode, "always"))
		return 1;
	if (!strcmp(mode, "never"))
		return 0;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netjourney: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
