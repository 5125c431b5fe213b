/*
 * cmd_diff_kernel.c - `netjourney diff-kernel CAPTURE`: the capture through
 * this machine's Linux kernel, in throwaway network namespaces shaped like
 * the scenario, and through netjourney; then a side-by-side report (see
 * diffkernel.h for the parts). Needs root. The namespaces go away at the
 * end, also on errors and on Ctrl-C (the handler only sets dk_stop; every
 * loop checks it and falls through to the one cleanup).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cJSON.h"
#include "cmd.h"
#include "diffkernel.h"
#include "host_infer.h"
#include "replay.h"
#include "scenario.h"

volatile sig_atomic_t dk_stop;

static void on_signal(int sig)
{
	(void)sig;
	dk_stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: netjourney diff-kernel CAPTURE [-c scenario.json | --auto-host] [--json] [--keep]\n"
	      "                              [--settle MS] [--max-gap SECONDS] [--after SECONDS]\n"
	      "Replays CAPTURE (pcap/pcapng) into this machine's real Linux kernel, inside throwaway\n"
	      "network namespaces built like the scenario (a \"host\" namespace with its interfaces:\n"
	      "veths for Ethernet ones, each with a \"peer\" namespace, real tun devices for tun and\n"
	      "ppp ones; addresses, routes, neighbours, sysctls, the netfilter rules as nftables and\n"
	      "the listening applications), and through netjourney; prints per packet what each sent\n"
	      "back and the SNMP counters both know. An Ethernet interface takes Ethernet frames, a\n"
	      "tun one any capture netjourney reads. Frames the recorded host sent are not injected.\n"
	      "Needs root (ip netns), and nft (Debian: nftables) when the scenario has netfilter rules.\n"
	      "  -c FILE          scenario JSON (default: as replay: the built-in default host when\n"
	      "                   the capture talks to it, else the capture's own host, inferred)\n"
	      "  --auto-host      the capture's own host as the scenario, even when it fits the default\n"
	      "  --json           one JSON object instead of the text report\n"
	      "  --keep           leave the namespaces in place afterwards (njdk<pid>-*)\n"
	      "  --settle MS      wait after each injected frame (default 30)\n"
	      "  --max-gap S      longer capture gaps are shortened to this (default 1.5)\n"
	      "  --after S        compare the time after the last frame too: Linux waits S\n"
	      "                   seconds (real time), netjourney runs its clock S seconds on\n"
	      "                   (default 0: both stop at the last frame; at most 300)\n"
	      "Exit status: 0 when both sides agree, 1 when they differ or the run failed, 2 usage.\n"
	      "Fields and counters that are not compared are listed, with reasons, in every report.\n",
	      f);
}

static int parse_args(int argc, char **argv, struct dk_opts *o)
{
	*o = (struct dk_opts){ .settle_ms = 30, .max_gap_ms = 1500 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--json"))
			o->json = 1;
		else if (!strcmp(a, "--keep"))
			o->keep = 1;
		else if (!strcmp(a, "--auto-host"))
			o->auto_host = 1;
		else if (!strcmp(a, "-c") && i + 1 < argc)
			o->scenario = argv[++i];
		else if (!strcmp(a, "--settle") && i + 1 < argc)
			o->settle_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--max-gap") && i + 1 < argc)
			o->max_gap_ms = (int)(atof(argv[++i]) * 1000);
		else if (!strcmp(a, "--after") && i + 1 < argc)
			o->after_ms = (int)(atof(argv[++i]) * 1000);
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "netjourney diff-kernel: unknown option %s (or its value is missing)\n", a);
			return -1;
		} else if (!o->pcap)
			o->pcap = a;
		else {
			fprintf(stderr, "netjourney diff-kernel: one capture at a time (%s?)\n", a);
			return -1;
		}
	}
	if (o->auto_host && o->scenario) {
		fprintf(stderr, "netjourney diff-kernel: -c and --auto-host exclude each other\n");
		return -1;
	}
	if (!o->pcap || o->settle_ms < 1 || o->settle_ms > 10000 || o->max_gap_ms < 1 || o->after_ms < 0 ||
	    o->after_ms > 300000) {
		usage(stderr);
		return -1;
	}
	if (o->max_gap_ms < o->settle_ms)
		o->max_gap_ms = o->settle_ms;
	return 0;
}

/* The scenario as text (the kernel half reads routes, neighbours, listen). */
static char *scenario_text(const char *path, char *err, size_t errlen)
{
	if (!path)
		return strdup(scenario_default_json);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

/* Namespaces left by a run that was killed (SIGKILL skips any cleanup). */
static void remove_stale(void)
{
	DIR *d = opendir("/var/run/netns");
	struct dirent *e;
	char err[256];
	while (d && (e = readdir(d))) {
		long pid;
		char rest[64];
		if (sscanf(e->d_name, "njdk%ld-%63s", &pid, rest) != 2 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *argv[] = { "ip", "netns", "del", e->d_name, NULL };
		if (dk_run(argv, err, sizeof(err)) < 0)
			fprintf(stderr, "netjourney diff-kernel: stale namespace: %s\n", err);
	}
	if (d)
		closedir(d);
}

struct dk_run_state {
	struct dk_opts o;
	char auto_path[64];		/* --auto-host: the scenario written for both sides */
	struct dk_env env;
	struct dk_list in;
	struct dk_side nj, lx;
	struct net *net, *njnet;
	char *json;
	char *nft;			/* the rules as an nft ruleset, NULL none */
	char notes[8192];
};

/* --auto-host: the scenario replay --auto-host would build, in a file, so
 * that both sides get exactly the same host. */
static int auto_host(struct dk_run_state *s, char *err, size_t errlen)
{
	char note[256] = "";
	s->json = auto_host_scenario(s->o.pcap, note, sizeof(note), err, errlen);
	if (!s->json)
		return -1;
	snprintf(s->auto_path, sizeof(s->auto_path), "/tmp/netjourney-dk-host-XXXXXX");
	int fd = mkstemp(s->auto_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(s->json, f) < 0 || fclose(f) != 0) {
		snprintf(err, errlen, "cannot write the auto-host scenario to /tmp");
		return -1;
	}
	s->o.scenario = s->auto_path;
	snprintf(s->notes, sizeof(s->notes), "auto-host: %s\n", note);
	return 0;
}

/* The scenario's rules as nftables for the host namespace; refused when a
 * rule has no nft form or nft is missing, as a run without them would
 * blame the stack for what the tool left out. */
static int scenario_nft(struct dk_run_state *s, char *err, size_t errlen)
{
	int n;
	if (dk_nft_ruleset(s->json, &s->nft, &n, err, errlen) < 0)
		return -1;
	if (n && !dk_have_prog("nft")) {
		snprintf(err, errlen, "the scenario has %d netfilter rule%s, which the kernel side loads with nft; nft "
			 "is not installed (Debian: apt-get install nftables)", n, n == 1 ? "" : "s");
		return -1;
	}
	s->env.nft = s->nft;
	size_t l = strlen(s->notes);
	/* Shown when short, so that later notes (gaps) still fit. */
	int shown = n && strlen(s->nft) < sizeof(s->notes) / 2;
	if (n && l < sizeof(s->notes))
		snprintf(s->notes + l, sizeof(s->notes) - l, "the scenario's %d netfilter rule%s loaded into the kernel "
			 "with nft -f%s\n%s", n, n == 1 ? "" : "s", shown ? ":" : " (long; --keep, then nft list ruleset)",
			 shown ? s->nft : "");
	return 0;
}

/* Notes on what the kernel side cannot mirror. */
static void scenario_notes(struct dk_run_state *s)
{
	size_t l = strlen(s->notes);
	if (s->net->kernel != KERNEL_6X && l < sizeof(s->notes))
		snprintf(s->notes + l, sizeof(s->notes) - l, "the scenario models Linux %s, this kernel is a modern "
			 "one: where they differ is what the scenario is there to show\n",
			 s->net->kernel == KERNEL_2_4 ? "2.4" : "2.6");
}

/* Without -c: the host replay would take, on both sides. A capture that
 * does not fit the default host gets its own, inferred (as --auto-host). */
static int default_or_inferred(struct dk_run_state *s, char *err, size_t errlen)
{
	struct host_infer h;
	if (s->o.auto_host || s->o.scenario)
		return 0;
	if (host_infer(s->o.pcap, NULL, 0, &h, err, errlen) < 0)
		return -1;
	s->o.auto_host = h.kind == HOST_INFERRED;
	host_infer_free(&h);
	return 0;
}

static int run(struct dk_run_state *s, char *err, size_t errlen)
{
	if (default_or_inferred(s, err, errlen) < 0)
		return -1;
	if (s->o.auto_host ? auto_host(s, err, errlen) < 0 : !(s->json = scenario_text(s->o.scenario, err, errlen)))
		return -1;
	if (!(s->net = net_create()) ||
	    scenario_load_text(s->net, s->json, s->o.scenario ? s->o.scenario : "default scenario", err, errlen) < 0)
		return -1;
	if (scenario_nft(s, err, errlen) < 0)
		return -1;
	scenario_notes(s);
	if (dk_load_capture(s->o.pcap, s->net, &s->in, err, errlen) < 0)
		return -1;
	dk_play_times(&s->in, &s->o, s->notes, sizeof(s->notes));
	if (dk_nj_run(&s->o, &s->in, &s->nj, &s->njnet, err, errlen) < 0)
		return -1;
	remove_stale();
	s->env.ipv6 = dk_has_ipv6(&s->in);
	if (dk_env_setup(&s->env, s->net, s->json, err, errlen) < 0)
		return -1;
	return dk_linux_run(&s->env, s->net, &s->in, &s->nj, &s->o, &s->lx, s->notes, sizeof(s->notes), err,
			    errlen);
}

int cmd_diff_kernel(int argc, char **argv)
{
	static struct dk_run_state s;
	struct sigaction sa = { .sa_handler = on_signal };
	struct utsname u;
	char err[1024] = "";
	int bad = -1;

	if (parse_args(argc, argv, &s.o) < 0)
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "netjourney diff-kernel: needs root (it creates network namespaces with ip netns)\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s.env.keep = s.o.keep;
	s.env.orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	uname(&u);
	if (s.env.orig_ns < 0)
		snprintf(err, sizeof(err), "/proc/self/ns/net: %s", strerror(errno));
	else if (run(&s, err, sizeof(err)) == 0)
		bad = dk_report(&s.o, u.release, &s.in, &s.lx, &s.nj, s.notes);
	dk_env_cleanup(&s.env);
	if (bad < 0)
		fprintf(stderr, "netjourney diff-kernel: %s\n", err[0] ? err : "failed");
	dk_side_free(&s.nj, s.in.n);
	dk_side_free(&s.lx, s.in.n);
	dk_list_free(&s.in);
	if (s.net)
		net_destroy(s.net);
	if (s.njnet)
		net_destroy(s.njnet);
	free(s.json);
	free(s.nft);
	if (s.auto_path[0])
		unlink(s.auto_path);
	if (s.env.orig_ns >= 0)
		close(s.env.orig_ns);
	return bad == 0 ? 0 : 1;
}
