/*
 * cmd_serve.c - `netjourney serve`: replays captures (or indexes .jsonl
 * traces) into the registry, starts the web server and waits for Ctrl-C.
 * The UI's directory is --static, else $NJ_STATIC, else found next to the
 * binary (build/netjourney → ../static; PREFIX/bin → PREFIX/share/netjourney/static),
 * else ./static.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lesson.h"
#include "server.h"

static const char serve_help[] =
	"usage: netjourney serve [options] FILE...\n"
	"Serves the browser timeline for captures (pcap/pcapng, replayed now) and traces\n"
	"(.jsonl written by `netjourney replay -o`). Open the printed URL.\n\n"
	"  -p, --port P          TCP port (default 8080; 0 = any free port)\n"
	"      --bind ADDR       IPv4 address to listen on (default 127.0.0.1: this machine only)\n"
	"      --allow-host NAME another name the server answers to (repeatable; default: only\n"
	"                        localhost, 127.0.0.1, [::1] and the --bind address)\n"
	"      --pace            replay the first capture at packet time into a live trace\n"
	"      --max-gap MS      with --pace: longest pause between packets (default 2000)\n"
	"  -c, --scenario FILE   the simulated host (JSON); default: 10.0.0.2/24 on eth0\n"
	"      --host IP|MAC     each capture's host is this one (its sockets are inferred)\n"
	"      --auto-host       infer each capture's host even if it fits the default\n"
	"      --default-host    infer nothing: the default host for every capture\n"
	"                        (without -c, a capture not talking to the default host is\n"
	"                        replayed on its own host, inferred; uploads: ?host=&infer=0)\n"
	"      --no-csum         do not verify checksums (captures with checksum offload)\n"
	"      --static DIR      the UI's files (default: $NJ_STATIC, or static/ of the project)\n"
	"      --lessons DIR     the classroom labs for the Lessons page (default: $NJ_LESSONS, or\n"
	"                        lessons/ of the project); a lab's capture is replayed when opened\n"
	"      --max-uploads N   uploaded captures kept at once (default 16; 0 = uploads refused);\n"
	"                        the least recently read one is dropped to make room\n"
	"      --upload-events N events kept over all uploads (default 1000000: about 64 MB of\n"
	"                        index and 256 MB of trace, kept compact: about a tenth of that\n"
	"                        in /tmp); a capture making more is refused (507)\n"
	"      --upload-idle S   drop an upload nobody has read for S seconds (default 3600; 0 = never)\n"
	"      --disk-budget N   bytes of temporary files the uploads in flight may hold together,\n"
	"                        bodies and traces being written (K, M, G suffixes; default 512M);\n"
	"                        an upload that would pass it is stopped and answered 507\n"
	"      --log             one line per request on stderr\n"
	"  -h, --help            this text\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct serve_cli {
	struct web_cfg web;
	struct web_load_opts load;
	int pace, max_gap;
	const char *lessons;
	long uploads, upload_events, upload_idle;
	long long disk_budget;			/* bytes; 0 = the default, -1 a bad value */
	const char *hosts[16];
	int nhosts;
};

/* A non-negative integer option, or -1 with a message. */
static long count_arg(const char *opt, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || end == v || n < 0 || n > 1000000000L) {
		fprintf(stderr, "netjourney serve: --%s %s: expected a whole number 0..1000000000\n", opt, v);
		return -1;
	}
	return n;
}

/* A size in bytes with an optional K, M or G suffix (powers of 1024), at
 * least 64 KiB, or -1 with a message. */
static long long size_arg(const char *opt, const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	int shift = !*end ? 0 : !strcmp(end, "K") ? 10 : !strcmp(end, "M") ? 20 : !strcmp(end, "G") ? 30 : -1;
	if (end == v || n < 1 || shift < 0 || n > (1LL << 40) >> shift || (n << shift) < 65536) {
		fprintf(stderr, "netjourney serve: --%s %s: expected a size from 64K to 1024G (K, M, G: KiB, MiB, GiB)\n",
			opt, v);
		return -1;
	}
	return n << shift;
}

static int parse_args(struct serve_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, 0, 'p' }, { "bind", required_argument, 0, 'b' },
		{ "pace", no_argument, 0, 'P' }, { "max-gap", required_argument, 0, 'G' },
		{ "scenario", required_argument, 0, 'c' }, { "auto-host", no_argument, 0, 'A' },
		{ "no-csum", no_argument, 0, 'N' }, { "static", required_argument, 0, 'S' },
		{ "log", no_argument, 0, 'L' }, { "lessons", required_argument, 0, 'l' },
		{ "max-uploads", required_argument, 0, 'U' }, { "upload-events", required_argument, 0, 'E' },
		{ "upload-idle", required_argument, 0, 'I' }, { "allow-host", required_argument, 0, 'W' },
		{ "disk-budget", required_argument, 0, 'K' },
		{ "host", required_argument, 0, 'H' }, { "default-host", no_argument, 0, 'D' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int o;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "p:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			c->web.port = (int)strtol(optarg, &end, 10);
			if (*end || c->web.port < 0 || c->web.port > 65535) {
				fprintf(stderr, "netjourney serve: --port %s: expected 0..65535\n", optarg);
				return -1;
			}
			break;
		case 'b': c->web.bind = optarg; break;
		case 'P': c->pace = 1; break;
		case 'G': c->max_gap = atoi(optarg); break;
		case 'c': c->load.scenario = optarg; break;
		case 'A': c->load.auto_host = 1; break;
		case 'H': c->load.host = optarg; break;
		case 'D': c->load.no_infer = 1; break;
		case 'N': c->load.no_csum = 1; break;
		case 'S': c->web.static_dir = optarg; break;
		case 'L': c->web.log = 1; break;
		case 'l': c->lessons = optarg; break;
		case 'U': c->uploads = count_arg("max-uploads", optarg); break;
		case 'E': c->upload_events = count_arg("upload-events", optarg); break;
		case 'I': c->upload_idle = count_arg("upload-idle", optarg); break;
		case 'K': c->disk_budget = size_arg("disk-budget", optarg); break;
		case 'W':
			if (c->nhosts == 16 || !*optarg || strlen(optarg) > 253) {
				fprintf(stderr, "netjourney serve: --allow-host %s: at most 16 names of 1..253 characters\n",
					optarg);
				return -1;
			}
			c->hosts[c->nhosts++] = optarg;
			break;
		case 'h': fputs(serve_help, stdout); exit(0);
		default: fputs(serve_help, stderr); return -1;
		}
	}
	return c->uploads < 0 || c->upload_events < 0 || c->upload_idle < 0 || c->disk_budget < 0 ? -1 : 0;
}

/* The project's static/ next to the binary, or the installed copy. */
static const char *find_static(char *buf, size_t len)
{
	const char *env = getenv("NJ_STATIC");
	if (env && *env)
		return env;
	char exe[PATH_MAX / 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		static const char *const rel[] = { "/../static", "/../share/netjourney/static", "/static" };
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(buf, len, "%s%s/index.html", exe, rel[i]);
			if (access(buf, R_OK) == 0) {
				snprintf(buf, len, "%s%s", exe, rel[i]);
				return buf;
			}
		}
	}
	return access("static/index.html", R_OK) == 0 ? "static" : NULL;
}

static int load_all(struct serve_cli *c, int argc, char **argv)
{
	char err[768];
	for (int i = optind; i < argc; i++) {
		int id = c->pace && i == optind ? web_pace_start(argv[i], &c->load, c->max_gap, err, sizeof(err))
						: web_load_file(argv[i], &c->load, err, sizeof(err));
		if (id < 0) {
			fprintf(stderr, "netjourney serve: %s\n", err);
			return -1;
		}
		fprintf(stderr, "trace %d: %s%s\n", id, argv[i], c->pace && i == optind ? " (paced, live)" : "");
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_cli c = { .web = { .port = WEB_DEFAULT_PORT }, .uploads = WEB_UPLOADS_DEFAULT,
			       .upload_events = WEB_UPLOAD_EVENTS_DEFAULT, .upload_idle = WEB_UPLOAD_IDLE_DEFAULT };
	char sbuf[PATH_MAX], err[768];
	if (parse_args(&c, argc, argv) < 0)
		return 2;
	c.load.info = stderr;	/* what inference found for the captures named here */
	web_set_upload_limits((int)c.uploads, (size_t)c.upload_events, (int)c.upload_idle);
	web_set_disk_budget((uint64_t)c.disk_budget);
	c.web.allow_hosts = c.hosts;
	c.web.nallow_hosts = c.nhosts;
	if (!c.web.static_dir)
		c.web.static_dir = find_static(sbuf, sizeof(sbuf));
	if (!c.web.static_dir)
		fprintf(stderr, "netjourney serve: no static/ directory found: the API works, the UI does not "
				"(use --static DIR)\n");
	char ldir[PATH_MAX];
	int labs = lesson_root(c.lessons, ldir, sizeof(ldir), err, sizeof(err)) == 0;
	if (labs)
		web_set_lessons(ldir);
	else if (c.lessons)
		fprintf(stderr, "netjourney serve: %s\n", err);
	if (load_all(&c, argc, argv) < 0) {
		web_stop();
		return 1;
	}
	if (web_start(&c.web, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney serve: %s\n", err);
		web_stop();
		return 1;
	}
	const char *bind = c.web.bind ? c.web.bind : "127.0.0.1";
	if (strcmp(bind, "127.0.0.1"))
		fprintf(stderr, "netjourney serve: warning: listening on %s, not only on this machine; the "
				"server has no authentication\n", bind);
	printf("netjourney: serving %d trace(s) on http://%s:%d/  (Ctrl-C to stop)\n", optind < argc ? argc - optind : 0,
	       !strcmp(bind, "0.0.0.0") ? "127.0.0.1" : bind, web_port());
	if (labs)
		printf("netjourney: classroom labs from %s: http://%s:%d/#lessons\n", ldir,
		       !strcmp(bind, "0.0.0.0") ? "127.0.0.1" : bind, web_port());
	fflush(stdout);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_flag) {
		sleep(1);		/* a signal cuts it short */
		web_traces_expire(web_clock_ms());
	}
	web_stop();
	return 0;
}
