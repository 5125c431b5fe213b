/*
 * cmd_serve.c - `netjourney serve`. FIRST VERSION: not available yet.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "netjourney serve: not available in this build yet (the browser timeline issue)\n");
	return 2;
}
