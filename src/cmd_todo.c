/*
 * cmd_todo.c - subcommands whose issues are still open. Each says so and
 * exits 2, rather than pretending.
 */
#include <stdio.h>

#include "cmd.h"

static int not_yet(const char *name, const char *issue)
{
	fprintf(stderr, "netjourney %s: not available in this build yet (%s)\n", name, issue);
	return 2;
}

int cmd_lesson(int argc, char **argv) { (void)argc; (void)argv; return not_yet("lesson", "the classroom labs issue"); }
