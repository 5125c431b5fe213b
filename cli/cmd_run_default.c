/*
 * cmd_run_default.c - what `make run` does: replay pcaps/default.pcap with
 * the journey on the terminal, then serve the browser UI for it and for
 * the classroom labs (lessons/: the Lessons tab; serve prints its URL).
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

int cmd_run_default(int argc, char **argv)
{
	const char *pcap = argc > 1 ? argv[1] : "pcaps/default.pcap";
	char *rargv[] = { "replay", (char *)pcap, NULL };
	(void)argv;
	if (access(pcap, R_OK) != 0) {
		fprintf(stderr, "netjourney: %s is missing (run from the project root)\n", pcap);
		return 1;
	}
	int r = cmd_replay(2, rargv);
	if (r)
		return r;
	/* ./lessons when run from the project root; else serve finds them */
	int labs = access("lessons/01-journey/lesson.json", R_OK) == 0;
	char *sargv[] = { "serve", labs ? "--lessons" : (char *)pcap, labs ? "lessons" : NULL, (char *)pcap, NULL };
	r = cmd_serve(labs ? 4 : 2, sargv);
	return r == 2 ? 0 : r;		/* no server in this build yet: the journey is the result */
}
