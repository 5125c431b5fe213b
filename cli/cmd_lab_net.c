/*
 * lab_net.c - `netjourney lab-net up|down`: the classroom topology for
 * `netjourney live`. Not a kernel file: it runs iproute2's `ip` (spawned
 * with an argument vector, never through a shell) to build
 *
 *   ns NS: eth0 10.0.0.1/24, MAC 02:00:00:00:00:aa   (a real Linux peer)
 *        | veth
 *   root ns: ve-TAP --[ bridge br-TAP ]-- TAP (persistent) <-- netjourney live
 *
 * The peer's address and MAC are the default scenario's gateway neighbour,
 * so the simulated host 10.0.0.2 (02:00:00:00:00:01) answers it at once.
 * IPv6 address generation is off on the lab's links so the trace shows
 * the lessons, not router solicitations; the peer has the scenario's
 * fd00::1/64 (no DAD), so `ping fd00::2` works too (issue 24). Left out:
 * several peers, routing beyond the /24 and /64.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "source_tap.h"

extern char **environ;

#define LAB_PEER_ADDR	"10.0.0.1/24"
#define LAB_PEER_ADDR6	"fd00::1/64"
#define LAB_PEER_MAC	"02:00:00:00:00:aa"
#define LAB_TAP_MAX	12		/* room for the "br-"/"ve-" prefixes in IFNAMSIZ */

struct lab {
	const char *tap, *ns;
	char br[TAP_NAME_MAX], veth[TAP_NAME_MAX];
};

static const char lab_help[] =
	"usage: netjourney lab-net up|down [--tap NAME] [--ns NAME]\n"
	"Builds (up) or removes (down) a classroom network for `netjourney live`: a network\n"
	"namespace whose kernel is a real peer at 10.0.0.1/24 (MAC 02:00:00:00:00:aa), joined by\n"
	"a veth pair and a bridge to a persistent TAP device. Needs root and iproute2.\n\n"
	"  -t, --tap NAME   the TAP device (default nj0, at most 12 characters); the bridge is\n"
	"                   br-NAME and the veth end in the root namespace ve-NAME\n"
	"  -n, --ns NAME    the peer's network namespace (default nj-peer)\n"
	"  -h, --help       this text\n\n"
	"Then:  netjourney live --tap nj0\n"
	"       ip netns exec nj-peer ping 10.0.0.2\n"
	"       ip netns exec nj-peer curl http://10.0.0.2/\n";

/* Runs `ip ARGS…` (argv[0] is "ip"), echoing it. Returns its exit status,
 * or -1 when it could not run (message printed). */
static int run_ip(const char *const argv[])
{
	pid_t pid;
	int st;
	fputs("+", stdout);
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	fputs("\n", stdout);
	fflush(stdout);
	int e = posix_spawnp(&pid, "ip", NULL, NULL, (char *const *)argv, environ);
	if (e) {
		fprintf(stderr, "netjourney lab-net: cannot run `ip`: %s%s\n", strerror(e),
			e == ENOENT ? " (install iproute2: apt-get install iproute2)" : "");
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	fprintf(stderr, "netjourney lab-net: `ip %s %s …` failed (%s %d)\n", argv[1], argv[2] ? argv[2] : "",
		WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define IP(...) run_ip((const char *const[]){ "ip", __VA_ARGS__, NULL })

static int ns_exists(const char *ns)
{
	char path[128];
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	return access(path, F_OK) == 0;
}

static int dev_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

/* down: removes whatever of the lab exists; the veth's peer goes with it. */
static int lab_down(const struct lab *l)
{
	int bad = 0, any = 0;
	const char *devs[] = { l->veth, l->tap, l->br };
	for (int i = 0; i < 3; i++)
		if (dev_exists(devs[i])) {
			any = 1;
			bad |= IP("link", "del", "dev", devs[i]) != 0;
		}
	if (ns_exists(l->ns)) {
		any = 1;
		bad |= IP("netns", "del", l->ns) != 0;
	}
	if (!any)
		printf("lab-net: nothing to remove (%s, %s, %s, namespace %s do not exist)\n", l->tap, l->br,
		       l->veth, l->ns);
	return bad ? -1 : 0;
}

/* The root namespace's half: the TAP and the veth, enslaved to a bridge
 * that does not hand frames to iptables (br_netfilter would, and a
 * FORWARD policy of DROP, e.g. Docker's, would silently eat the lab). */
static int up_root(const struct lab *l)
{
	if (IP("tuntap", "add", "dev", l->tap, "mode", "tap") ||
	    IP("link", "add", l->br, "type", "bridge", "stp_state", "0", "forward_delay", "0", "nf_call_iptables",
	       "0", "nf_call_ip6tables", "0", "nf_call_arptables", "0") ||
	    IP("link", "add", l->veth, "type", "veth", "peer", "name", "eth0", "netns", l->ns))
		return -1;
	const char *devs[] = { l->tap, l->veth, l->br };
	for (int i = 0; i < 3; i++)
		if (IP("link", "set", "dev", devs[i], "addrgenmode", "none"))
			return -1;
	if (IP("link", "set", "dev", l->tap, "master", l->br) || IP("link", "set", "dev", l->veth, "master", l->br))
		return -1;
	for (int i = 0; i < 3; i++)
		if (IP("link", "set", "dev", devs[i], "up"))
			return -1;
	return 0;
}

/* The peer's half: eth0 with the scenario's gateway address and MAC. */
static int up_peer(const struct lab *l)
{
	const char *n = l->ns;
	return IP("-n", n, "link", "set", "dev", "lo", "up") ||
	       IP("-n", n, "link", "set", "dev", "eth0", "address", LAB_PEER_MAC) ||
	       IP("-n", n, "link", "set", "dev", "eth0", "addrgenmode", "none") ||
	       IP("-n", n, "addr", "add", LAB_PEER_ADDR, "dev", "eth0") ||
	       IP("-n", n, "addr", "add", LAB_PEER_ADDR6, "dev", "eth0", "nodad") ||
	       IP("-n", n, "link", "set", "dev", "eth0", "up") ? -1 : 0;
}

static int lab_up(const struct lab *l)
{
	const char *devs[] = { l->tap, l->br, l->veth };
	for (int i = 0; i < 3; i++)
		if (dev_exists(devs[i])) {
			fprintf(stderr, "netjourney lab-net: %s already exists: `netjourney lab-net down --tap %s "
				"--ns %s` removes the lab (or choose another --tap)\n", devs[i], l->tap, l->ns);
			return -1;
		}
	if (ns_exists(l->ns)) {
		fprintf(stderr, "netjourney lab-net: namespace %s already exists: `netjourney lab-net down --tap %s "
			"--ns %s` removes the lab (or choose another --ns)\n", l->ns, l->tap, l->ns);
		return -1;
	}
	if (IP("netns", "add", l->ns) || up_root(l) || up_peer(l)) {
		fprintf(stderr, "netjourney lab-net: undoing what was made\n");
		lab_down(l);
		return -1;
	}
	printf("lab-net is up:\n"
	       "  namespace %s: eth0 %s, MAC %s (the default scenario's neighbour)\n"
	       "  bridge %s (root namespace, no address): ports %s (persistent TAP) and %s (veth to %s's eth0)\n"
	       "next: netjourney live --tap %s    then: ip netns exec %s ping 10.0.0.2\n",
	       l->ns, LAB_PEER_ADDR, LAB_PEER_MAC, l->br, l->tap, l->veth, l->ns, l->tap, l->ns);
	return 0;
}

static int parse_args(struct lab *l, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, 0, 't' }, { "ns", required_argument, 0, 'n' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "t:n:h", opts, NULL)) != -1) {
		switch (o) {
		case 't': l->tap = optarg; break;
		case 'n': l->ns = optarg; break;
		case 'h': fputs(lab_help, stdout); return 1;
		default: fputs(lab_help, stderr); return -1;
		}
	}
	if (!tap_name_ok(l->tap) || strlen(l->tap) > LAB_TAP_MAX) {
		fprintf(stderr, "netjourney lab-net: --tap '%s': expected 1-%d letters, digits, '_', '.' or '-'\n",
			l->tap, LAB_TAP_MAX);
		return -1;
	}
	if (!tap_name_ok(l->ns) || l->ns[0] == '.') {
		fprintf(stderr, "netjourney lab-net: --ns '%s': expected 1-15 letters, digits, '_', '.' or '-'\n",
			l->ns);
		return -1;
	}
	snprintf(l->br, sizeof(l->br), "br-%s", l->tap);
	snprintf(l->veth, sizeof(l->veth), "ve-%s", l->tap);
	return 0;
}

int cmd_lab_net(int argc, char **argv)
{
	struct lab l = { .tap = "nj0", .ns = "nj-peer" };
	const char *verb = argc > 1 ? argv[1] : "";
	if (!strcmp(verb, "-h") || !strcmp(verb, "--help")) {
		fputs(lab_help, stdout);
		return 0;
	}
	if (strcmp(verb, "up") && strcmp(verb, "down")) {
		fprintf(stderr, "netjourney lab-net: expected `up` or `down`\n%s", lab_help);
		return 2;
	}
	int r = parse_args(&l, argc - 1, argv + 1);
	if (r)
		return r > 0 ? 0 : 2;
	if (geteuid() != 0) {
		fprintf(stderr, "netjourney lab-net: needs root (it creates a network namespace, a bridge and a "
			"TAP device): run it with sudo\n");
		return 1;
	}
	return (!strcmp(verb, "up") ? lab_up(&l) : lab_down(&l)) < 0 ? 1 : 0;
}
