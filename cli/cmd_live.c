/*
 * cmd_live.c - `netjourney live`: the simulated host on a TAP device, so
 * real peers can ARP, ping and connect to it. Not a kernel file: it plays
 * the machine around the stack - the NIC interrupt (poll on the TAP fd),
 * the NET_RX softirq after each burst (as NAPI would after its poll), and
 * the timer wheel driven by the wall clock (fragment and TCP timers, every
 * LIVE_TICK_MS). Left out: more than one wire (only the scenario's first
 * interface is attached), real CPUs and ksoftirqd.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipv6.h"
#include "cJSON.h"
#include "cmd.h"
#include "ip_fragment.h"
#include "scenario.h"
#include "server.h"
#include "sinks.h"
#include "source_pcap.h"
#include "source_tap.h"
#include "stack.h"
#include "tcp.h"

#define LIVE_TICK_MS	10		/* timer resolution: poll timeout */
#define LIVE_BURST	64		/* frames read per wake-up before the softirq runs */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static const char live_help[] =
	"usage: netjourney live --tap NAME [options]\n"
	"Runs the simulated host on a TAP device: frames the kernel sends to NAME go through the\n"
	"traced stack, and what the stack sends (ARP and ICMP replies, SYN-ACKs, RSTs, data) is\n"
	"written back. Needs root or CAP_NET_ADMIN. `netjourney lab-net up` builds a peer\n"
	"namespace (10.0.0.1) bridged to the TAP; without it, give the kernel side an address and\n"
	"the scenario's neighbour MAC yourself:\n"
	"    ip addr add 10.0.0.1/24 dev NAME; ip link set NAME address 02:00:00:00:00:aa\n\n"
	"  -t, --tap NAME        the TAP device: attached if it exists (persistent), else created\n"
	"                        and removed again on exit\n"
	"  -c, --scenario FILE   the host (JSON); default: 10.0.0.2/24, MAC 02:00:00:00:00:01 on eth0\n"
	"  -o, --output FILE     write every event as JSON lines (schema v1), completed on Ctrl-C\n"
	"  -q, --quiet           no journey; one verdict line per packet\n"
	"      --color WHEN      auto (default), always, never\n"
	"      --serve           also stream the trace to the browser (/api/live)\n"
	"  -p, --port P          with --serve: TCP port on 127.0.0.1 (default 8080)\n"
	"      --static DIR      with --serve: the UI's files (default: static/ of the project)\n"
	"      --burst N         frames read per wake-up before the softirq runs (default 64)\n"
	"      --backlog N       net.core.netdev_max_backlog (default 1000); a burst larger than\n"
	"                        the backlog shows CPU_BACKLOG drops in netif_rx\n"
	"  -h, --help            this text\n";

struct live {
	const char *tap_name, *scenario, *out, *color, *static_dir;
	int quiet, serve, port, burst, backlog;
	struct net *net;
	struct tap_source tap;
	struct human_sink *hs;
	struct jsonl_sink *js;		/* NULL without -o */
	struct nj_store *store;		/* --serve: the live trace (owned by the registry) */
	int web_up, web_dirty;
	uint64_t frames;
	uint8_t *buf;
	char *scenario_line;		/* the scenario as one line of JSON */
	char source[64];		/* "tap:NAME" for trace_start */
};

static int parse_int(const char *opt, const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < min || v > max) {
		fprintf(stderr, "netjourney live: %s %s: expected %d..%d\n", opt, s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_args(struct live *lv, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, 0, 't' }, { "scenario", required_argument, 0, 'c' },
		{ "output", required_argument, 0, 'o' }, { "quiet", no_argument, 0, 'q' },
		{ "color", required_argument, 0, 'K' }, { "colour", required_argument, 0, 'K' },
		{ "serve", no_argument, 0, 'S' }, { "port", required_argument, 0, 'p' },
		{ "static", required_argument, 0, 'D' }, { "burst", required_argument, 0, 'B' },
		{ "backlog", required_argument, 0, 'L' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int o, r = 0;
	optind = 1;
	while (r == 0 && (o = getopt_long(argc, argv, "t:c:o:qp:h", opts, NULL)) != -1) {
		switch (o) {
		case 't': lv->tap_name = optarg; break;
		case 'c': lv->scenario = optarg; break;
		case 'o': lv->out = optarg; break;
		case 'q': lv->quiet = 1; break;
		case 'K': lv->color = optarg; break;
		case 'S': lv->serve = 1; break;
		case 'p': r = parse_int("--port", optarg, 0, 65535, &lv->port); break;
		case 'D': lv->static_dir = optarg; break;
		case 'B': r = parse_int("--burst", optarg, 1, 100000, &lv->burst); break;
		case 'L': r = parse_int("--backlog", optarg, 1, 1000000, &lv->backlog); break;
		case 'h': fputs(live_help, stdout); exit(0);
		default: fputs(live_help, stderr); return -1;
		}
	}
	if (r < 0)
		return -1;
	if (!lv->tap_name || optind != argc) {
		fprintf(stderr, "netjourney live: %s\n%s", lv->tap_name ? "unexpected argument" : "--tap NAME is required",
			live_help);
		return -1;
	}
	return 0;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The scenario as one line (trace lines hold no newline), or NULL. */
static char *scenario_line(const char *path)
{
	char *text = NULL;
	if (path) {
		FILE *f = fopen(path, "rb");
		long n = -1;
		if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (16L << 20) &&
		    fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)n + 1)) &&
		    fread(text, 1, (size_t)n, f) != (size_t)n) {
			free(text);
			text = NULL;
		}
		if (f)
			fclose(f);
	}
	cJSON *doc = cJSON_Parse(path ? (text ? text : "") : scenario_default_json);
	char *line = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	free(text);
	return line;
}

/* nj_xmit_fn: the stack's frame goes out on the wire, i.e. into the TAP. */
static void live_xmit(void *ctx, const struct sk_buff *skb, const struct net_device *dev)
{
	struct live *lv = ctx;
	if (dev == &lv->net->devs[0])
		source_tap_write(&lv->tap, skb->data, skb->len);
}

/* --serve: events go to the live store; readers are woken once per burst. */
static void store_sink(void *ctx, const struct trace_event *ev)
{
	struct live *lv = ctx;
	store_emit(lv->store, ev);
	lv->web_dirty = 1;
}

static void meta_start(struct live *lv, struct jw *w)
{
	static const char *const kn[] = { "6.x", "2.6", "2.4" };
	jw_reset(w);
	event_meta_start(w, lv->source, lv->scenario_line, kn[lv->net->kernel]);
}

/* The UI's files: --static, $NJ_STATIC, static/ next to the binary, ./static. */
static const char *find_static(struct live *lv, char *buf, size_t len)
{
	const char *env = getenv("NJ_STATIC");
	char exe[PATH_MAX / 2];
	ssize_t n;
	if (lv->static_dir)
		return lv->static_dir;
	if (env && *env)
		return env;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = 0;
		*(strrchr(exe, '/') ? strrchr(exe, '/') : exe) = 0;
		snprintf(buf, len, "%s/../static/index.html", exe);
		if (access(buf, R_OK) == 0) {
			snprintf(buf, len, "%s/../static", exe);
			return buf;
		}
	}
	return access("static/index.html", R_OK) == 0 ? "static" : NULL;
}

static int start_web(struct live *lv, char *err, size_t errlen)
{
	char sbuf[PATH_MAX];
	struct web_cfg cfg = { .port = lv->port, .static_dir = find_static(lv, sbuf, sizeof(sbuf)) };
	struct jw w = { 0 };
	char name[128];
	if (web_start(&cfg, err, errlen) < 0)
		return -1;
	lv->web_up = 1;
	snprintf(name, sizeof(name), "%s (live)", lv->source);
	if (!(lv->store = web_live_store(name, NULL))) {
		snprintf(err, errlen, "cannot create the live trace for --serve");
		return -1;
	}
	meta_start(lv, &w);
	store_add_meta(lv->store, w.buf);
	jw_free(&w);
	web_live_notify();
	fprintf(stderr, "netjourney live: following in the browser on http://127.0.0.1:%d/%s\n", web_port(),
		cfg.static_dir ? "" : "  (no static/ found: the API works, the UI does not; use --static DIR)");
	return 0;
}

static int setup_sinks(struct live *lv, char *err, size_t errlen)
{
	int color = colour_wanted(lv->color, 1);
	if (color < 0) {
		snprintf(err, errlen, "--color takes auto, always or never");
		return -1;
	}
	human_init(lv->hs, stdout, color, 0, lv->quiet);
	trace_add_sink(lv->net, human_emit, lv->hs);
	if (lv->serve) {		/* before the file: a port in use leaves no file */
		if (start_web(lv, err, errlen) < 0)
			return -1;
		trace_add_sink(lv->net, store_sink, lv);
	}
	if (lv->out) {
		struct jw w = { 0 };
		if (jsonl_open(lv->js, lv->out, err, errlen) < 0)
			return -1;
		meta_start(lv, &w);
		jsonl_line(lv->js, w.buf);
		jw_free(&w);
		trace_add_sink(lv->net, jsonl_emit, lv->js);
	} else {
		lv->js = NULL;
	}
	return 0;
}

/* The host: the scenario, the clock, Linux's backlog sysctl. */
static int setup_net(struct live *lv, char *err, size_t errlen)
{
	if (!(lv->net = net_create()) || !(lv->buf = malloc(TAP_FRAME_MAX))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (scenario_load_file(lv->net, lv->scenario, err, errlen) < 0)
		return -1;
	if (lv->net->ndevs < 1) {
		snprintf(err, errlen, "%s: the scenario has no interface to put on the TAP", lv->scenario);
		return -1;
	}
	if (!dev_has_header(&lv->net->devs[0])) {	/* a TAP carries Ethernet frames */
		snprintf(err, errlen, "%s: interfaces[0] (%s) is a tun device; live puts an Ethernet interface on a TAP",
			 lv->scenario, lv->net->devs[0].name);
		return -1;
	}
	if (lv->backlog)
		lv->net->sysctl.netdev_max_backlog = lv->backlog;
	lv->scenario_line = scenario_line(lv->scenario);
	snprintf(lv->source, sizeof(lv->source), "tap:%s", lv->tap_name);
	net_set_time(lv->net, wall_ns());
	lv->net->xmit = live_xmit;
	lv->net->xmit_ctx = lv;
	return 0;
}

/* After each softirq run: outcome lines, file and browser kept current.
 * A failed write to -o (a full disk) ends live, as it ends a replay:
 * returns -1 with err set. */
static int after_softirq(struct live *lv, char *err, size_t errlen)
{
	human_flush(lv->hs);
	fflush(stdout);
	if (lv->web_dirty) {
		lv->web_dirty = 0;
		web_live_notify();
	}
	if (lv->js && lv->js->open && jsonl_flush(lv->js) < 0) {
		snprintf(err, errlen, "%s: write failed: %s", lv->out, strerror(errno));
		return -1;
	}
	return 0;
}

/* The timer softirq: wall-clock time has moved on. */
static void run_timers(struct live *lv)
{
	net_set_time(lv->net, wall_ns());
	ip_frag_run_timers(lv->net);
	ip6_frag_timers(lv->net);	/* ip6frag_time, as ip_frag_run_timers for IPv4 */
	neigh_run_timers(lv->net);
	tcp_run_timers(lv->net);
}

/*
 * One wake-up: at most a burst of frames from the TAP (the rest wait in
 * the kernel's queue, bounded by its txqueuelen), each through the driver
 * into netif_rx's backlog, then the NET_RX softirq drains the backlog.
 * Returns -1 with err set when the device is gone.
 */
static int rx_burst(struct live *lv, char *err, size_t errlen)
{
	struct net *net = lv->net;
	for (int i = 0; i < lv->burst; i++) {
		int n = source_tap_read(&lv->tap, lv->buf, err, errlen);
		if (n <= 0)
			return n;
		net_set_time(net, wall_ns());
		net->cur_pkt = (int64_t)++lv->frames;
		driver_rx(net, &net->devs[0], DLT_EN10MB, lv->buf, (uint32_t)n, (uint32_t)n, 0);
		net->cur_pkt = -1;
	}
	return 0;
}

static int live_loop(struct live *lv, char *err, size_t errlen)
{
	while (!stop_flag) {
		struct pollfd p = { .fd = lv->tap.fd, .events = POLLIN };
		int n = poll(&p, 1, LIVE_TICK_MS);
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		run_timers(lv);
		int r = n > 0 ? rx_burst(lv, err, errlen) : 0;
		net_rx_action(lv->net);
		char werr[512];
		if (after_softirq(lv, werr, sizeof(werr)) < 0 && r == 0) {
			snprintf(err, errlen, "%s", werr);
			r = -1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static void banner(const struct live *lv)
{
	const struct net_device *d = &lv->net->devs[0];
	const uint8_t *m = d->dev_addr;
	char addrs[160] = "";
	for (int i = 0; i < d->naddrs; i++) {
		const uint8_t *a = (const uint8_t *)&d->addrs[i].ifa_local;
		size_t k = strlen(addrs);
		snprintf(addrs + k, sizeof(addrs) - k, "%s%u.%u.%u.%u/%u", i ? ", " : "", a[0], a[1], a[2], a[3],
			 d->addrs[i].ifa_prefixlen);
	}
	fprintf(stderr, "netjourney live: %s %s (%02x:%02x:%02x:%02x:%02x:%02x) is on TAP %s (%s); Ctrl-C to stop\n",
		d->name, addrs[0] ? addrs : "(no address)", m[0], m[1], m[2], m[3], m[4], m[5], lv->tap.name,
		lv->tap.created ? "created now, removed on exit" : "existing device, left in place");
}

/* jsonl_end_fn: -o's closing line, whole or cut back (jsonl_finish). */
static void end_line(void *ctx, struct jw *w, int complete, uint64_t events, const char *error)
{
	const struct live *lv = ctx;
	event_meta_end(w, lv->net, complete, events, lv->frames, error);
}

/* The closing lines: trace_end in the file and the browser, the totals.
 * SIGINT/SIGTERM is live's clean end: -o is renamed into place, complete.
 * An error (the TAP gone, a failed write) leaves -o as it was and what
 * was written in -o.partial, ending with trace_end complete:false and the
 * error, as replay does. */
static int finish(struct live *lv, const char *error, char *err, size_t errlen)
{
	struct jw w = { 0 };
	int r = 0;
	uint64_t kdrops = lv->tap.fd >= 0 ? source_tap_kernel_drops(&lv->tap) : 0;
	if (lv->store) {
		event_meta_end(&w, lv->net, !error, lv->net->tr.next_seq, lv->frames, error);
		store_add_meta(lv->store, w.buf);
		web_live_notify();
	}
	if (lv->js && lv->js->open) {
		r = jsonl_finish(lv->js, end_line, lv, error, err, errlen);
		if (r < 0 && error && !err[0])
			snprintf(err, errlen, "%s was left as it was; what was written is in %s.partial, ending with "
				 "trace_end \"complete\":false", lv->out, lv->out);
	}
	jw_free(&w);
	human_totals(lv->hs, lv->frames);
	fprintf(stderr, "netjourney live: %llu frames in, %llu out (%llu write errors); backlog drops %llu; "
		"dropped by the kernel before we read them (TAP tx_dropped) %llu\n",
		(unsigned long long)lv->frames, (unsigned long long)lv->tap.tx_frames,
		(unsigned long long)lv->tap.tx_errors, (unsigned long long)lv->net->sd.dropped,
		(unsigned long long)kdrops);
	return r;
}

static int run(struct live *lv)
{
	char err[768] = "", err2[512] = "";
	int r = -1;
	/* The TAP before the sinks: a busy device or missing rights leave no
	 * trace file behind. */
	if (setup_net(lv, err, sizeof(err)) < 0 || source_tap_open(&lv->tap, lv->tap_name, err, sizeof(err)) < 0 ||
	    setup_sinks(lv, err, sizeof(err)) < 0)
		goto out;
	banner(lv);
	r = live_loop(lv, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "netjourney live: %s\n", err);
	if (finish(lv, r < 0 ? err : NULL, err2, sizeof(err2)) < 0) {
		fprintf(stderr, "netjourney live: %s\n", err2);
		r = -1;
	}
	err[0] = 0;
out:
	if (err[0])
		fprintf(stderr, "netjourney live: %s\n", err);
	if (lv->js && lv->js->open)		/* not reached today: sinks open last */
		jsonl_close(lv->js, err2, sizeof(err2));
	source_tap_close(&lv->tap);
	if (lv->web_up)
		web_stop();
	if (lv->net)
		lv->net->xmit = NULL;
	net_destroy(lv->net);
	free(lv->buf);
	free(lv->scenario_line);
	return r < 0 ? 1 : 0;
}

int cmd_live(int argc, char **argv)
{
	static struct human_sink hs;
	static struct jsonl_sink js;
	struct live lv = { .hs = &hs, .js = &js, .port = WEB_DEFAULT_PORT, .burst = LIVE_BURST,
			   .tap = { .fd = -1 } };
	struct sigaction sa = { .sa_handler = on_signal };

	if (parse_args(&lv, argc, argv) < 0)
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int r = run(&lv);
	human_free(&hs);
	return r;
}
