/*
 * cmd_replay.c - `netjourney replay`: the journey of every packet of a
 * capture on the terminal, and the trace as JSONL / Chrome trace files.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "cmd.h"
#include "offload_hint.h"
#include "replay.h"
#include "replay_extra.h"
#include "sinks.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static const char replay_help[] =
	"usage: netjourney replay [options] CAPTURE\n"
	"Replays a pcap or pcapng (Ethernet, Linux cooked SLL/SLL2, raw IPv4) through the\n"
	"simulated host and prints each packet's journey through the Linux receive path.\n\n"
	"  -c, --scenario FILE   the host (JSON, see README); default: 10.0.0.2/24 on eth0\n"
	"      --auto-host       adopt the capture's server as the host (for your own captures)\n"
	"      --no-csum         do not verify checksums (captures with checksum offload)\n"
	"  -o, --output FILE     write every event as JSON lines (schema v1; '-' = stdout);\n"
	"                        FILE.njz: the same lines compact (docs/trace-format.md)\n"
	"      --chrome FILE     write a Chrome trace (open in ui.perfetto.dev)\n"
	"  -w, --write FILE      write the frames the stack sent (pcap)\n"
	"  -f, --filter EXPR     trace only packets matching EXPR (tcpdump syntax; all are processed)\n"
	"      --reasm-out FILE  write every reassembled datagram (pcap, raw IPv4)\n"
	"      --tap-out NAME=FILE  write what the scenario's packet socket NAME received (pcap)\n"
	"      --bpf-trace       trace packet sockets' BPF filters instruction by instruction\n"
	"  -q, --quiet           no journey; one verdict line per packet\n"
	"      --no-trace        tracing off: only the totals (outcomes, drop reasons,\n"
	"                        counters), at full speed; also --stats\n"
	"      --summary         one line per packet: functions => verdict [reason]\n"
	"      --color WHEN      auto (default), always, never\n"
	"  -h, --help            this text\n";

struct replay_cli {
	struct replay_cfg cfg;
	struct replay_extra extra;
	struct human_sink *hs;
	struct jsonl_sink *js;		/* set when -o is given */
	const char *out, *chrome, *color;
	int quiet, summary;
	int no_trace;			/* --no-trace: outcomes without events */
};

/* --no-trace emits no events, so the options that consume them clash. */
static int check_no_trace(const struct replay_cli *c)
{
	const char *clash = c->out ? "-o" : c->chrome ? "--chrome" : c->summary ? "--summary"
			  : c->cfg.bpf_filter ? "-f" : c->extra.bpf_trace ? "--bpf-trace" : NULL;
	if (c->no_trace && clash) {
		fprintf(stderr, "netjourney replay: --no-trace writes no events; %s needs them\n", clash);
		return -1;
	}
	return 0;
}

/* --no-trace: the stack records outcomes straight into the human sink's
 * table (trace.h lite mode) once the host exists, after the extra outputs
 * are set up; after_softirq flushes it as in a traced replay. */
static int on_net_no_trace(void *ctx, struct net *net, char *err, size_t errlen)
{
	struct replay_cli *c = ctx;
	if (replay_extra_setup(&c->extra, net, err, errlen) < 0)
		return -1;
	trace_set_outcome_table(net, &c->hs->ot);
	return 0;
}

static int parse_args(struct replay_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, 0, 'c' }, { "output", required_argument, 0, 'o' },
		{ "chrome", required_argument, 0, 'C' }, { "write", required_argument, 0, 'w' },
		{ "quiet", no_argument, 0, 'q' }, { "summary", no_argument, 0, 'S' },
		{ "auto-host", no_argument, 0, 'A' }, { "no-csum", no_argument, 0, 'N' },
		{ "color", required_argument, 0, 'K' }, { "colour", required_argument, 0, 'K' },
		{ "filter", required_argument, 0, 'f' }, { "reasm-out", required_argument, 0, 'R' },
		{ "tap-out", required_argument, 0, 'T' }, { "bpf-trace", no_argument, 0, 'B' },
		{ "no-trace", no_argument, 0, 'n' }, { "stats", no_argument, 0, 'n' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:o:w:f:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': c->cfg.scenario = optarg; break;
		case 'o': c->out = optarg; break;
		case 'C': c->chrome = optarg; break;
		case 'w': c->cfg.write_pcap = optarg; break;
		case 'q': c->quiet = 1; break;
		case 'n': c->no_trace = 1; break;
		case 'S': c->summary = 1; break;
		case 'A': c->cfg.auto_host = 1; break;
		case 'N': c->cfg.no_csum = 1; break;
		case 'K': c->color = optarg; break;
		case 'f': c->cfg.bpf_filter = optarg; break;
		case 'R': c->extra.reasm_out = optarg; break;
		case 'B': c->extra.bpf_trace = 1; break;
		case 'T':
			if (c->extra.ntaps == REPLAY_MAX_TAPS) {
				fprintf(stderr, "netjourney replay: at most %d --tap-out\n", REPLAY_MAX_TAPS);
				return -1;
			}
			c->extra.tap_spec[c->extra.ntaps++] = optarg;
			break;
		case 'h': fputs(replay_help, stdout); exit(0);
		default: fputs(replay_help, stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "netjourney replay: expected one capture file\n%s", replay_help);
		return -1;
	}
	c->cfg.pcap = argv[optind];
	return check_no_trace(c);
}

static void after_softirq(void *ctx)
{
	struct replay_cli *c = ctx;
	human_flush(c->hs);
	replay_extra_drain(&c->extra);
}

/* The JSONL file's closing line: totals, and whether the replay completed. */
static int finish_jsonl(struct jsonl_sink *js, struct net *net, const struct replay_result *res,
			const char *error, char *err, size_t errlen)
{
	struct jw w = { 0 };
	if (net) {
		event_meta_end(&w, net, res->complete, js->events, res->frames, error);
		jsonl_line(js, w.buf);
	}
	jw_free(&w);
	return jsonl_close(js, err, errlen);
}

/* replay_cfg.on_start: the trace's first line, with the host it describes. */
static void write_start(void *ctx, const struct replay_result *res)
{
	struct replay_cli *c = ctx;
	struct jw w = { 0 };
	if (!c->js)
		return;
	char *one_line = res->scenario_json ? strdup(res->scenario_json) : NULL;
	if (one_line)
		cJSON_Minify(one_line);		/* JSONL: the scenario must not span lines */
	event_meta_start(&w, c->cfg.pcap, one_line, res->kernel);
	free(one_line);
	jsonl_line(c->js, w.buf);
	jw_free(&w);
}

static int run(struct replay_cli *c, struct human_sink *hs, struct jsonl_sink *js, struct chrome_sink *cs)
{
	struct replay_result res;
	struct net *net = NULL;
	char err[512] = "", err2[512] = "";
	int color = colour_wanted(c->color, 1);

	if (color < 0) {
		fprintf(stderr, "netjourney replay: --color takes auto, always or never\n");
		return 2;
	}
	human_init(hs, stdout, color, c->summary, c->no_trace ? HUMAN_TOTALS : c->quiet);
	if (!c->no_trace) {
		c->cfg.emit[c->cfg.nemit] = human_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = hs;
	}
	c->hs = hs;
	c->cfg.after_softirq = after_softirq;
	c->cfg.after_ctx = c;
	c->cfg.on_net = c->no_trace ? on_net_no_trace : replay_extra_setup;
	c->cfg.on_net_ctx = c->no_trace ? (void *)c : (void *)&c->extra;
	if (c->out) {
		if (jsonl_open(js, c->out, err, sizeof(err)) < 0)
			goto fail_early;
		c->js = js;
		c->cfg.on_start = write_start;
		c->cfg.on_start_ctx = c;
		c->cfg.emit[c->cfg.nemit] = jsonl_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = js;
	}
	if (c->chrome) {
		if (chrome_open(cs, c->chrome, err, sizeof(err)) < 0)
			goto fail_early;
		c->cfg.emit[c->cfg.nemit] = chrome_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = cs;
	}
	c->cfg.stop = &stop_flag;
	c->cfg.progress = isatty(2) && !c->summary;
	c->cfg.info = c->summary ? NULL : stderr;
	struct offload_hint *hint = c->no_trace || c->cfg.nemit == 4 ? NULL : offload_hint_new();
	if (hint) {	/* DESIGN.md §4b: say so when checksum offload is the likely cause */
		c->cfg.emit[c->cfg.nemit] = offload_hint_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = hint;
	}
	int r = replay_run(&c->cfg, &res, &net, err, sizeof(err));
	offload_hint_report(hint, stderr);
	replay_extra_close(&c->extra);
	if (!c->quiet || r == 0)
		human_totals(hs, res.frames);
	if (c->no_trace && net)
		human_counters(hs, net);
	if (c->out && finish_jsonl(js, net, &res, r ? err : NULL, err2, sizeof(err2)) < 0 && !r) {
		r = -1;
		snprintf(err, sizeof(err), "%s", err2);
	}
	if (c->chrome && chrome_close(cs, err2, sizeof(err2)) < 0 && !r) {
		r = -1;
		snprintf(err, sizeof(err), "%s", err2);
	}
	free(res.scenario_json);
	net_destroy(net);
	if (r < 0)
		fprintf(stderr, "netjourney replay: %s\n", err);
	return r < 0 ? 1 : 0;
fail_early:
	fprintf(stderr, "netjourney replay: %s\n", err);
	if (js->open)
		jsonl_close(js, err2, sizeof(err2));
	return 1;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cli c = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	static struct human_sink hs;
	static struct jsonl_sink js;
	static struct chrome_sink cs;

	if (parse_args(&c, argc, argv) < 0)
		return 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int r = run(&c, &hs, &js, &cs);
	human_free(&hs);
	return r;
}
