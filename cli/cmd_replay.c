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

#include "cmd.h"
#include "explain.h"
#include "host_infer.h"
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
	"Replays a pcap or pcapng (Ethernet, Linux cooked SLL/SLL2, raw IPv4, BSD loopback,\n"
	"PPP) through the simulated host and prints each packet's journey through the Linux\n"
	"receive path. Without -c, a capture that does not talk to the default host is\n"
	"replayed on its own host, inferred from the capture (said on stderr).\n\n"
	"  -c, --scenario FILE   the host (JSON, see README); default: 10.0.0.2/24 on eth0\n"
	"      --host IP|MAC     the capture host is this one (its sockets are inferred)\n"
	"      --auto-host       infer the capture host even if the capture fits the default\n"
	"      --default-host    infer nothing: the default host, whatever the capture\n"
	"      --print-scenario  print the inferred host as scenario JSON (to edit; -c takes it)\n"
	"      --no-csum         do not verify checksums (captures with checksum offload)\n"
	"      --stop-at-end     stop the clock at the last frame (default: run the timers\n"
	"                        on, up to 5 simulated minutes: expiries, delayed ACKs,\n"
	"                        TIME_WAIT, shown as \"+N s after the capture\")\n"
	"      --csum            verify checksums even where the inferred host took bad ones\n"
	"  -o, --output FILE     write every event as JSON lines (schema v1; '-' = stdout);\n"
	"                        FILE.njz: the same lines, compact (docs/trace-format.md)\n"
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
	"  -h, --help            this text\n"
	"Exit status: 0 replayed; 1 error (nothing or only part replayed: the message says);\n"
	"2 usage; 3 replayed every complete record, then found a truncated record or\n"
	"trailing garbage (the warning gives its byte offset).\n";

struct replay_cli {
	struct replay_cfg cfg;
	struct replay_extra extra;
	struct human_sink *hs;
	struct jsonl_sink *js;		/* set when -o is given */
	struct chrome_sink *cs;		/* set when --chrome is given */
	int write_failed;		/* an output failed: the replay stopped early */
	const char *out, *chrome, *color;
	int quiet, summary;
	int no_trace;			/* --no-trace: outcomes without events */
	int print_scenario;		/* --print-scenario */
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
		{ "stop-at-end", no_argument, 0, 'E' },
		{ "color", required_argument, 0, 'K' }, { "colour", required_argument, 0, 'K' },
		{ "filter", required_argument, 0, 'f' }, { "reasm-out", required_argument, 0, 'R' },
		{ "tap-out", required_argument, 0, 'T' }, { "bpf-trace", no_argument, 0, 'B' },
		{ "no-trace", no_argument, 0, 'n' }, { "stats", no_argument, 0, 'n' },
		{ "host", required_argument, 0, 'H' }, { "print-scenario", no_argument, 0, 'P' },
		{ "default-host", no_argument, 0, 'D' }, { "csum", no_argument, 0, 'V' },
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
		case 'H': c->cfg.host = optarg; break;
		case 'P': c->print_scenario = 1; break;
		case 'D': c->cfg.no_infer = 1; break;
		case 'V': c->cfg.csum = 1; break;
		case 'N': c->cfg.no_csum = 1; break;
		case 'E': c->cfg.stop_at_end = 1; break;
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
	if (c->cfg.scenario && (c->cfg.host || c->cfg.auto_host || c->print_scenario)) {
		fprintf(stderr, "netjourney replay: -c gives the host; --host, --auto-host and --print-scenario "
			"infer one\n");
		return -1;
	}
	return check_no_trace(c);
}

static void after_softirq(void *ctx)
{
	struct replay_cli *c = ctx;
	/* the flush and the drain act only when there is work (inline):
	 * this runs after every softirq and timer run, twice a frame */
	human_flush(c->hs);
	if (c->extra.ntaps)
		replay_extra_drain(&c->extra);
	/* a full disk: what follows would be lost, so stop now, not hours later */
	if (((c->js && jsonl_failed(c->js)) || (c->cs && ferror(c->cs->f))) && !stop_flag) {
		c->write_failed = 1;
		stop_flag = 1;
	}
}

struct end_ctx {
	struct net *net;
	const struct replay_result *res;
};

/* jsonl_end_fn: the JSONL file's closing line, totals and whether the
 * replay completed. */
static void end_line(void *ctx, struct jw *w, int complete, uint64_t events, const char *error)
{
	struct end_ctx *e = ctx;
	event_meta_end(w, e->net, complete, events, e->res->frames, error);
}

/* replay_cfg.on_start: the trace's first line, with the host it describes. */
static void write_start(void *ctx, const struct replay_result *res)
{
	struct replay_cli *c = ctx;
	struct jw w = { 0 };
	if (!c->js)
		return;
	/* re-written on one line, every string escaped (event_meta_start) */
	event_meta_start_net(&w, c->cfg.pcap, res->scenario_json, res->kernel, res->net);
	jsonl_line(c->js, w.buf);
	jw_free(&w);
}

/* A note for each output a failed replay did not put in place. */
static void say_kept(const char *path, int how)
{
	if (!path || !strcmp(path, "-"))
		return;
	if (how < 0)
		fprintf(stderr, "netjourney replay: nothing written to %s (left as it was)\n", path);
	else
		fprintf(stderr, "netjourney replay: %s left as it was; what was written is in %s.partial\n", path,
			path);
}

/* Each output goes into place after a whole replay that wrote it whole;
 * otherwise what was written goes to PATH.partial, or nowhere when no
 * frame was read (then not even trace_start, e.g. after a failed
 * --auto-host). r is the replay's result; an output's own write failure
 * is reported by it and makes the exit status non-zero. */
static int close_outputs(struct replay_cli *c, struct jsonl_sink *js, struct chrome_sink *cs, struct net *net,
			 const struct replay_result *res, int r, char *err, size_t errlen)
{
	char err2[768] = "";
	int how = r == 0 ? 1 : res->frames ? 0 : -1, bad = r;
	if (c->write_failed)
		snprintf(err, errlen, "stopped after %llu frames: an output could not be written",
			 (unsigned long long)res->frames);
	if (r < 0)
		fprintf(stderr, "netjourney replay: %s\n", err);
	if (replay_extra_close(&c->extra, how, err2, sizeof(err2)) < 0) {
		fprintf(stderr, "netjourney replay: %s\n", err2);
		bad = -1;
	} else if (r < 0) {
		say_kept(c->extra.reasm_out, how);
		for (int i = 0; i < c->extra.ntaps; i++) {
			const char *eq = strchr(c->extra.tap_spec[i], '=');
			say_kept(eq ? eq + 1 : NULL, how);
		}
	}
	if (r < 0)
		say_kept(c->cfg.write_pcap, how);	/* replay_run closed it */
	struct end_ctx e = { net, res };
	err2[0] = 0;
	if (c->chrome && (how < 0 || chrome_finish(cs, r ? err : NULL, err2, sizeof(err2)) < 0)) {
		chrome_discard(cs);
		if (err2[0])
			fprintf(stderr, "netjourney replay: %s\n", err2);
		else
			say_kept(c->chrome, how);
		bad = -1;
	}
	err2[0] = 0;
	if (c->out && (how < 0 || jsonl_finish(js, end_line, &e, r ? err : NULL, err2, sizeof(err2)) < 0)) {
		jsonl_discard(js);
		if (err2[0])
			fprintf(stderr, "netjourney replay: %s\n", err2);
		else
			say_kept(c->out, how);
		bad = -1;
	}
	return bad;
}

static int run(struct replay_cli *c, struct human_sink *hs, struct jsonl_sink *js, struct chrome_sink *cs)
{
	struct replay_result res;
	struct net *net = NULL;
	char err[768] = "";
	int color = colour_wanted(c->color, 1);

	if (color < 0) {
		fprintf(stderr, "netjourney replay: --color takes auto, always or never\n");
		return 2;
	}
	human_init(hs, stdout, color, c->summary, c->no_trace ? HUMAN_TOTALS : c->quiet);
	if (!c->no_trace) {	/* it reads msg only to print each event */
		c->cfg.emit_flags[c->cfg.nemit] = human_prints_events(hs) ? 0 : TRACE_SINK_RAW_MSG;
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
		c->cfg.emit_flags[c->cfg.nemit] = TRACE_SINK_RAW_MSG;	/* through event_to_json */
		c->cfg.emit[c->cfg.nemit] = jsonl_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = js;
	}
	if (c->chrome) {
		if (chrome_open(cs, c->chrome, err, sizeof(err)) < 0)
			goto fail_early;
		c->cs = cs;
		c->cfg.emit[c->cfg.nemit] = chrome_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = cs;
	}
	c->cfg.stop = &stop_flag;
	c->cfg.progress = isatty(2) && !c->summary;
	c->cfg.info = c->summary ? NULL : stderr;
	struct offload_hint *hint = c->no_trace || c->cfg.nemit == 4 ? NULL : offload_hint_new();
	if (hint) {	/* docs/design.md §4b: say so when checksum offload is the likely cause */
		c->cfg.emit_flags[c->cfg.nemit] = TRACE_SINK_RAW_MSG;	/* reads no msg */
		c->cfg.emit[c->cfg.nemit] = offload_hint_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = hint;
		c->cfg.on_frame[c->cfg.nframe] = offload_hint_frame;
		c->cfg.on_frame_ctx[c->cfg.nframe++] = hint;
	}
	static struct explain ex;
	if (!c->no_trace && c->cfg.nemit < 4) {
		c->cfg.emit_flags[c->cfg.nemit] = TRACE_SINK_RAW_MSG;	/* reads no msg */
		c->cfg.emit[c->cfg.nemit] = explain_emit;
		c->cfg.emit_ctx[c->cfg.nemit++] = &ex;
		c->cfg.on_frame[c->cfg.nframe] = explain_frame;
		c->cfg.on_frame_ctx[c->cfg.nframe++] = &ex;
	}
	int r = replay_run(&c->cfg, &res, &net, err, sizeof(err));
	offload_hint_report(hint, stderr);
	if (!c->quiet || r == 0)
		human_totals(hs, res.frames);
	if (c->no_trace && net)
		human_counters(hs, net);
	r = close_outputs(c, js, cs, net, &res, r, err, sizeof(err));
	net_destroy(net);
	char why[640];
	if (r == 0 && !c->no_trace && !c->summary) {
		explain_text(&ex, &res, c->cfg.pcap, c->cfg.scenario, why, sizeof(why));
		if (why[0])
			fprintf(stderr, "%s\n", why);
	}
	if (r == 0 && res.trailing[0])
		fprintf(stderr, "netjourney replay: warning: %s\n", res.trailing);
	free(res.scenario_json);
	return r < 0 ? 1 : res.trailing[0] ? 3 : 0;
fail_early:
	fprintf(stderr, "netjourney replay: %s\n", err);
	jsonl_discard(js);
	chrome_discard(cs);
	return 1;
}

/* --print-scenario: the inferred host as JSON on stdout. */
static int print_scenario(const struct replay_cli *c)
{
	struct host_infer h;
	char err[512] = "";
	if (host_infer(c->cfg.pcap, c->cfg.host, 1, &h, err, sizeof(err)) < 0) {
		fprintf(stderr, "netjourney replay: %s\n", err);
		return 1;
	}
	int r = h.kind == HOST_INFERRED ? 0 : 1;
	fprintf(stderr, "%s%s\n", r ? "netjourney replay: no host to infer: " : "host: ", h.note);
	if (!r)
		printf("%s\n", h.json_print);
	host_infer_free(&h);
	return r;
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
	if (c.print_scenario)
		return print_scenario(&c);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int r = run(&c, &hs, &js, &cs);
	human_free(&hs);
	return r;
}
