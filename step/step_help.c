/*
 * step_help.c - the help texts of `netjourney step` (step_cli.h): one
 * table, so `help` and `help CMD` cannot drift apart.
 */
#include <string.h>

#include "step_cli.h"

struct help_entry {
	const char *names;		/* space-separated: the command and its aliases */
	const char *usage, *brief, *text;	/* brief: the one-line list */
};

static const struct help_entry help[] = {
	{ "step s", "step [N]", "Next event, into calls", "Next event, going into calls (a B event opens a call)." },
	{ "next n", "next [N]", "Next event at this depth: over calls", "Next event at the same depth or above: steps over a call." },
	{ "finish fin", "finish", "To the current function's exit", "Runs to the E (exit) event of the current function." },
	{ "back b reverse-step rs", "back [N]", "One event back, state as it was",
	  "One event backwards. Everything shown (skb, counters, queues, sockets)\n"
	  "is rebuilt as it was at that event." },
	{ "pkt packet", "pkt N", "First event of packet N", "First event of capture packet N." },
	{ "seq", "seq N", "The event #N", "The event with sequence number N (the #N of each line)." },
	{ "continue c", "continue [N]", "To the next breakpoint or the end", "Runs to the next breakpoint (the Nth), or to the end." },
	{ "run r", "run", "Back to the first event", "Back to the first event of the trace." },
	{ "break br", "break FN | drop | reason NAME | pkt N | 'EXPR'", "Set a breakpoint",
	  "Stops at function FN, at any drop, at drops with a drop reason\n"
	  "(IP_CSUM, NO_SOCKET, …), at packet N, or at the first event of each\n"
	  "packet whose frame matches a tcpdump expression (quoted: 'icmp')." },
	{ "delete d", "delete [N]", "Delete breakpoint N (or all)", "Deletes breakpoint N, or all of them." },
	{ "info i", "info break|counters|frags|sockets|routes|neigh|rules|taps", "Breakpoints, or state at this event",
	  "Breakpoints; or the host's state as it was at the current event:\n"
	  "MIB counters (nstat names), IP fragment queues, TCP sockets, the\n"
	  "routes/neighbours/netfilter rules of the scenario, PF_PACKET taps." },
	{ "print p", "print skb|headers|event", "The skb, decoded headers, the event",
	  "skb: the skb's length and header offsets; headers: the packet's\n"
	  "decoded headers; event: the event's JSON." },
	{ "x", "x", "Hex of the skb data, header marked", "Hex of the skb data; the header the current function reads is\n"
		    "marked (by colour on a TTY, [brackets] otherwise)." },
	{ "bt backtrace where", "bt", "The call chain", "The call chain that led to the current event." },
	{ "list l", "list [FN]", "What the kernel function does", "What the kernel function does and which checks it makes." },
	{ "diff", "diff [-c B.json] [PATH=VALUE ...]", "What if: the next packet that ends otherwise",
	  "Replays the capture again with the scenario edited (rp_filter=1,\n"
	  "interfaces[0].mtu=1000, kernel=2.4, netfilter[0].verdict=ACCEPT) or\n"
	  "replaced (-c B.json), shows the next packet whose outcome differs,\n"
	  "both outcomes and where the journeys part, and stops there. `diff`\n"
	  "alone goes on to the next such packet." },
	{ "help h", "help [COMMAND]", "Help on all or one command", "This list, or one command's help." },
	{ "quit q exit", "quit", "Leave", "Leaves (so does end of input)." },
};

static int names_has(const char *names, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = names; (p = strstr(p, w)); p += n)
		if ((p == names || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

void step_help(FILE *out, const char *topic)
{
	size_t n = sizeof(help) / sizeof(help[0]);
	if (topic && *topic) {
		for (size_t k = 0; k < n; k++)
			if (names_has(help[k].names, topic)) {
				fprintf(out, "%s\n%s\n", help[k].usage, help[k].text);
				if (strchr(help[k].names, ' '))
					fprintf(out, "(also: %s)\n", strchr(help[k].names, ' ') + 1);
				return;
			}
		fprintf(out, "help: no command '%s' (try help)\n", topic);
		return;
	}
	fprintf(out, "Commands (gdb abbreviations work; an empty line repeats a step on a TTY):\n");
	for (size_t k = 0; k < n; k++) {
		if (strlen(help[k].usage) > 30)
			fprintf(out, "  %s\n  %-30s %s\n", help[k].usage, "", help[k].brief);
		else
			fprintf(out, "  %-30s %s\n", help[k].usage, help[k].brief);
	}
}
