/*
 * cmd_export.c - `netjourney export IN OUT`: converts a trace between JSON
 * Lines and the compact form (docs/trace-format.md), chosen by OUT's
 * extension (.njz compact, anything else JSONL). IN is opened through the
 * store, so it is checked to be a whole trace first; the bytes come out
 * as they went in.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "store.h"

static const char usage[] =
	"usage: netjourney export IN OUT\n"
	"  converts a trace: IN is JSONL or compact (.njz, sniffed from its bytes);\n"
	"  OUT ending in .njz is written compact, any other name as JSON lines\n"
	"  ('-' = stdout). Nothing is lost: njz -> JSONL gives the original bytes.\n";

int cmd_export(int argc, char **argv)
{
	char err[512];
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 3) {
		fputs(usage, stderr);
		return 2;
	}
	struct nj_store *s = store_open_jsonl(argv[1], err, sizeof(err));
	if (!s) {
		fprintf(stderr, "netjourney export: %s\n", err);
		return 1;
	}
	int r = store_export(s, argv[2], err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "netjourney export: %s\n", err);
	store_free(s);
	return r < 0 ? 1 : 0;
}
