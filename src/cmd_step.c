/*
 * cmd_step.c - `netjourney step`. FIRST VERSION: not available yet.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_step(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netjourney step: not available in this build yet (the step-through CLI issue)\n");
	return 2;
}
