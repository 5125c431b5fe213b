/*
 * cmd_mkpcap.c - `netjourney mkpcap NAME FILE`: writes one scenario pcap
 * (mkpcap/); `--list`, `--all DIR` writes every scenario into DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mkpcap.h"

int cmd_mkpcap(int argc, char **argv)
{
	static const char help[] =
		"usage: netjourney mkpcap NAME FILE.pcap [--count N]   write one scenario pcap\n"
		"       netjourney mkpcap --list           the scenarios\n"
		"       netjourney mkpcap --all DIR        every scenario into DIR (pcaps/ is made so)\n"
		"A scenario that needs its own host also writes FILE.json; replay it with -c FILE.json.\n";
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		mk_list();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--all"))
		return mk_all(argv[2]);
	unsigned long param = 0;
	if (argc == 5 && !strcmp(argv[3], "--count")) {
		char *end;
		param = strtoul(argv[4], &end, 10);
		if (*end || !param || param > 100000000UL) {
			fprintf(stderr, "netjourney mkpcap: --count takes 1..100000000\n");
			return 2;
		}
		argc = 3;
	}
	if (argc != 3) {
		fputs(help, stderr);
		return 2;
	}
	const struct mk_scenario *s = mk_find(argv[1]);
	if (!s) {
		fprintf(stderr, "netjourney mkpcap: no scenario named '%s' (see --list)\n", argv[1]);
		return 2;
	}
	return mk_write(s, argv[2], param);
}
