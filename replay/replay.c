/*
 * replay.c - the replay engine (see replay.h): capture frames → driver_rx
 * → netif_rx; the softirq and the stack's timers run as packet time
 * advances. Everything the stack sends goes to the -w pcap.
 */
#include "ipv6.h"
#include "replay.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf.h"
#include "bpf_compile.h"
#include "frame.h"
#include "inet_frag.h"
#include "host_infer.h"
#include "ip_fragment.h"
#include "pcapng_writer.h"
#include "replay_ahead.h"
#include "scenario.h"
#include "source_pcap.h"
#include "stack.h"
#include "tcp.h"

struct replay_state {
	const struct replay_cfg *cfg;
	struct net *net;
	struct bpf_prog *filter;	/* -f: which packets are traced */
	struct pcapng_writer out;	/* -w: pcapng, one interface block per device */
	struct replay_ahead ahead;	/* recorded SYN-ACKs, read ahead */
	uint64_t sent;
	int learn;			/* an inferred host: peers' MACs learned from frames */
	int cooked;			/* SLL or SLL2: each frame names its device's type */
};

/* nj_xmit_fn: a frame leaving the host is written to -w, on its device. */
static void replay_xmit(void *ctx, const struct sk_buff *skb, const struct net_device *dev)
{
	struct replay_state *st = ctx;
	st->sent++;
	if (st->out.f)		/* -w given */
		pcapng_write(&st->out, dev ? dev->ifindex : 1, st->net->now_ns, skb->data, skb->len);
}

static void softirq(struct replay_state *st)
{
	net_rx_action(st->net);
	if (st->cfg->after_softirq)
		st->cfg->after_softirq(st->cfg->after_ctx);
}

static uint64_t sooner(uint64_t a, uint64_t b)
{
	return !a || (b && b < a) ? b : a;
}

/* The earliest armed timer (fragment queues of both families, TCP,
 * neighbours), 0 when none. */
static uint64_t next_timer(const struct net *net)
{
	uint64_t next = ip_frag_next_timer(net);
	next = sooner(next, ip6_frag_next_timer(net));
	if (net->socks)
		next = sooner(next, net->socks->next_timer_ns);
	return sooner(next, neigh_next_timer(net));
}

/* Nothing armed is due by t and no sender waits to be woken: the timer
 * softirq would find nothing to do (each timer run checks its own
 * deadline first), so the replay skips it. Most frames come here. */
static int timers_idle(const struct net *net, uint64_t t)
{
	uint64_t due = next_timer(net);
	return (!due || due > t) && !(net->socks && net->socks->wakeups);
}

/* The clock moves to t: first finish what is queued, then fire timers. */
static void advance_clock(struct replay_state *st, uint64_t t)
{
	if (t <= st->net->now_ns)
		return;
	softirq(st);
	/* a neighbour timer re-arms from when it fires: each deadline on the
	 * way to t is its own moment (three solicitations a second apart) */
	for (uint64_t nd; (nd = neigh_next_timer(st->net)) && nd < t && nd > st->net->now_ns;) {
		net_set_time(st->net, nd);
		neigh_run_timers(st->net);
		if (st->cfg->after_softirq)
			st->cfg->after_softirq(st->cfg->after_ctx);
	}
	net_set_time(st->net, t);
	if (timers_idle(st->net, t))
		return;
	ip_frag_run_timers(st->net);
	ip6_frag_timers(st->net);	/* ip6frag_time, as ip_frag_run_timers for IPv4 */
	neigh_run_timers(st->net);	/* neigh_timer_handler: solicitations, FAILED, ageing */
	tcp_run_timers(st->net);
	if (st->cfg->after_softirq)
		st->cfg->after_softirq(st->cfg->after_ctx);
}

/* After the last frame: the host's clock does not stop with the capture.
 * Jump from deadline to deadline until nothing is armed or the bound is
 * reached (what would happen later is left out). */
static void run_after_capture(struct replay_state *st)
{
	struct net *net = st->net;
	uint64_t end = net->now_ns, next;
	uint64_t max = st->cfg->after_max_ns ? st->cfg->after_max_ns : REPLAY_AFTER_MAX_NS;
	uint64_t until = end + max < end ? UINT64_MAX : end + max;
	int stale = 0;

	softirq(st);
	net->tr.capture_end_ns = end;
	net->tr.after_capture = 1;
	/* a signal stops it as it stops the frames (nothing written is lost) */
	while (!(st->cfg->stop && *st->cfg->stop) && (next = next_timer(net)) && next <= until) {
		if (next <= net->now_ns) {
			/* a stale deadline: look again a moment later; one that
			 * stays stale would otherwise creep on a nanosecond a turn */
			if (++stale > 1000)
				break;
			next = net->now_ns + 1;
		} else {
			stale = 0;
		}
		advance_clock(st, next);
		softirq(st);
	}
	net->tr.after_capture = 0;
}

static int open_outputs(struct replay_state *st, char *err, size_t errlen)
{
	if (!st->cfg->write_pcap)
		return 0;
	return pcapng_open(&st->out, st->cfg->write_pcap, st->net, err, errlen);
}

/* -w goes into place only after a whole replay; a failed one keeps what it
 * wrote as PATH.partial, or nothing if no frame was read (pcapng_close). */
static int close_outputs(struct replay_state *st, int r, uint64_t frames, char *err, size_t errlen)
{
	return pcapng_close(&st->out, r == 0 ? 1 : frames ? 0 : -1, err, errlen);
}

static void progress(const struct pcap_source *src, uint64_t frames, time_t *last)
{
	time_t now = time(NULL);
	if (now == *last)
		return;
	*last = now;
	long off = source_pcap_offset(src);
	if (src->size > 0 && off >= 0)
		fprintf(stderr, "\r%llu frames, %ld%%", (unsigned long long)frames, off * 100 / src->size);
	else
		fprintf(stderr, "\r%llu frames", (unsigned long long)frames);
}

/* The cfg's frame hooks, for a frame whose driver_rx is traced. */
static void frame_hooks(struct replay_state *st, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	if (!st->net->tr.on)
		return;
	for (int i = 0; i < st->cfg->nframe; i++)
		st->cfg->on_frame[i](st->cfg->on_frame_ctx[i], st->net->cur_pkt, dlt, data, caplen, len);
}

/* -f: the packet runs through the stack either way; only a matching one is
 * traced. Its softirq runs at once so the tracing switch covers its whole
 * journey. */
static void filtered_rx(struct replay_state *st, struct net_device *dev, int dlt, const uint8_t *data,
			uint32_t caplen, uint32_t len, int flags, const char *comment)
{
	struct net *net = st->net;
	int on = net->tr.nsinks > 0;
	net->tr.on = on && bpf_prog_run_wire(st->filter, data, caplen, len) != 0;
	frame_hooks(st, dlt, data, caplen, len);
	driver_rx_comment(net, dev, dlt, data, caplen, len, flags, comment);
	softirq(st);
	net->tr.on = on;
}

static int replay_loop(struct replay_state *st, struct pcap_source *src, struct replay_result *res,
		       char *err, size_t errlen)
{
	struct net *net = st->net;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	int r, flags = st->learn ? DRV_LEARN_NEIGH : 0;
	time_t last = 0;

	while (!(st->cfg->stop && *st->cfg->stop) && (r = source_pcap_next(src, &h, &data, err, errlen)) == 1) {
		uint64_t t = replay_frame_time(h, src->frames, st->cfg->retime_ns, st->cfg->nretime);
		replay_ahead_run(&st->ahead, net, t + REPLAY_AHEAD_NS);
		advance_clock(st, t);
		net->cur_pkt = (int64_t)src->frames;
		/* pcapng: interface i is the scenario's i-th (docs/design.md §4); its
		 * EPB direction says who sent the frame. */
		struct net_device *dev = &net->devs[src->iface < net->ndevs ? src->iface : 0];
		if (st->cooked)
			dev = cooked_frame_dev(net, src->frame_dlt, data, h->caplen, dev);
		int fl = flags | (src->dir == 1 ? DRV_INBOUND : src->dir == 2 ? DRV_OUTBOUND : 0);
		const char *comment = src->ngr ? src->ngp.comment : NULL;
		if (st->filter)
			filtered_rx(st, dev, src->frame_dlt, data, h->caplen, h->len, fl, comment);
		else {
			frame_hooks(st, src->frame_dlt, data, h->caplen, h->len);
			driver_rx_comment(net, dev, src->frame_dlt, data, h->caplen, h->len, fl, comment);
		}
		net->cur_pkt = -1;
		if (skb_queue_len(&net->sd.input_pkt_queue) >= (uint32_t)net->sysctl.netdev_budget)
			softirq(st);
		res->frames++;
		if (st->cfg->progress)
			progress(src, res->frames, &last);
	}
	softirq(st);
	if (st->cfg->progress)
		fputs("\n", stderr);
	if (st->cfg->stop && *st->cfg->stop) {
		snprintf(err, errlen, "%s: interrupted after %llu frames", src->path, (unsigned long long)res->frames);
		return -1;
	}
	if (r == SOURCE_TAIL) {	/* replayed; the caller warns */
		snprintf(res->trailing, sizeof(res->trailing), "%s", err);
		res->trailing_offset = src->good_end;
		err[0] = 0;
		r = 0;
	}
	if (r == 0 && !st->cfg->stop_at_end && res->frames)
		run_after_capture(st);
	return r < 0 ? -1 : 0;
}

char *auto_host_scenario(const char *pcap, char *note, size_t notelen, char *err, size_t errlen)
{
	struct host_infer h;
	if (host_infer(pcap, NULL, 1, &h, err, errlen) < 0)
		return NULL;
	snprintf(note, notelen, "%s", h.note);
	if (h.kind != HOST_INFERRED)
		snprintf(err, errlen, "%s: no host to infer: %s", pcap, h.note);
	char *json = h.kind == HOST_INFERRED ? h.json : NULL;
	h.json = NULL;
	host_infer_free(&h);
	return json;
}

/* Without -c: the capture's own host, inferred unless the capture fits
 * the default host (or --auto-host / --host ask for it). Returns 1 when
 * the inferred host was loaded, 0 for the default, -1 on error. */
static int load_inferred(const struct replay_cfg *cfg, struct net *net, struct replay_result *res, char *err,
			 size_t errlen)
{
	struct host_infer h;
	if (cfg->no_infer && !cfg->host && !cfg->auto_host)
		return 0;
	if (!source_pcap_rereadable(cfg->pcap)) {	/* a pipe: read once, by the replay */
		if (!cfg->host && !cfg->auto_host)
			return 0;
		snprintf(err, errlen, "%s: not a regular file: its host cannot be inferred (give -c)", cfg->pcap);
		return -1;
	}
	if (host_infer(cfg->pcap, cfg->host, cfg->auto_host, &h, err, errlen) < 0)
		return -1;
	res->host_kind = h.kind;
	snprintf(res->host_note, sizeof(res->host_note), "%s", h.note);
	snprintf(res->host_why, sizeof(res->host_why), "%s", h.why);
	snprintf(res->host_addr, sizeof(res->host_addr), "%s", h.addr);
	snprintf(res->host_mac, sizeof(res->host_mac), "%s", h.mac);
	if (cfg->info && h.note[0])
		fprintf(cfg->info, "host: %s\n", h.note);
	if (h.kind != HOST_INFERRED) {
		host_infer_free(&h);
		if (cfg->auto_host || cfg->host) {
			snprintf(err, errlen, "%s: no host to infer: %s", cfg->pcap, res->host_note);
			return -1;
		}
		return 0;
	}
	snprintf(res->scenario_name, sizeof(res->scenario_name), "inferred");
	res->scenario_json = h.json;
	h.json = NULL;
	host_infer_free(&h);
	if (scenario_load_text(net, res->scenario_json, "inferred scenario", err, errlen) < 0)
		return -1;
	return 1;
}

static int load_scenario(const struct replay_cfg *cfg, struct net *net, struct replay_result *res, char *err,
			 size_t errlen)
{
	if (!cfg->scenario && !cfg->scenario_json) {
		int r = load_inferred(cfg, net, res, err, errlen);
		if (r != 0)
			return r;
	}
	if (cfg->scenario_json) {
		const char *label = cfg->scenario_label ? cfg->scenario_label : "edited scenario";
		snprintf(res->scenario_name, sizeof(res->scenario_name), "%s", label);
		res->scenario_json = strdup(cfg->scenario_json);
		if (!res->scenario_json) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return scenario_load_text(net, res->scenario_json, label, err, errlen);
	}
	snprintf(res->scenario_name, sizeof(res->scenario_name), "%s", cfg->scenario ? cfg->scenario : "default");
	res->scenario_json = cfg->scenario ? scenario_read_file(cfg->scenario, err, errlen) : strdup(scenario_default_json);
	if (!res->scenario_json)
		return -1;
	return scenario_load_text(net, res->scenario_json, cfg->scenario ? cfg->scenario : "default scenario", err,
				  errlen);
}

int replay_run(const struct replay_cfg *cfg, struct replay_result *res, struct net **pnet, char *err,
	       size_t errlen)
{
	struct replay_state st = { .cfg = cfg };
	struct pcap_source src;
	int r = -1;

	memset(res, 0, sizeof(*res));
	if (source_pcap_open(&src, cfg->pcap, err, errlen) < 0)
		return -1;
	st.net = net_create();
	if (!st.net) {
		snprintf(err, errlen, "out of memory");
		source_pcap_close(&src);
		return -1;
	}
	scenario_set_stop(cfg->stop);	/* SIGINT/SIGTERM end a long load too */
	int ls = load_scenario(cfg, st.net, res, err, errlen);
	scenario_set_stop(NULL);
	if (ls < 0)
		goto out;
	st.learn = ls == 1 || cfg->learn_neigh;
	st.cooked = src.dlt == NJ_DLT_LINUX_SLL || src.dlt == NJ_DLT_LINUX_SLL2;
	static const char *const kn[] = { "6.x", "2.6", "2.4" };
	snprintf(res->kernel, sizeof(res->kernel), "%s", kn[st.net->kernel]);
	if (cfg->no_csum)
		st.net->sysctl.verify_checksums = 0;
	if (cfg->csum) {	/* every checksum verified: none taken as CHECKSUM_PARTIAL either */
		st.net->sysctl.verify_checksums = 1;
		st.net->sysctl.csum_partial_trusted = 0;
	}
	res->net = st.net;		/* for on_start: the host as it starts */
	if (cfg->on_start)
		cfg->on_start(cfg->on_start_ctx, res);
	res->net = NULL;
	if (cfg->on_net && cfg->on_net(cfg->on_net_ctx, st.net, err, errlen) < 0)
		goto out;
	if (open_outputs(&st, err, errlen) < 0)
		goto out;
	for (int i = 0; i < cfg->nemit; i++)
		trace_add_sink_flags(st.net, cfg->emit[i], cfg->emit_ctx[i], cfg->emit_flags[i]);
	st.net->xmit = replay_xmit;
	st.net->xmit_ctx = &st;
	if (cfg->bpf_filter && bpf_compile_bounded(cfg->bpf_filter, src.dlt, &st.filter, cfg->stop, err, errlen) < 0)
		goto out;
	replay_ahead_open(&st.ahead, st.net, cfg->pcap);
	st.ahead.retime_ns = cfg->retime_ns;
	st.ahead.nretime = cfg->nretime;
	r = replay_loop(&st, &src, res, err, errlen);
	replay_ahead_close(&st.ahead);
	res->complete = r == 0;
	res->events = st.net->tr.next_seq;
	if (close_outputs(&st, r, res->frames, r ? NULL : err, r ? 0 : errlen) < 0)
		r = -1;
	res->complete = r == 0;
out:
	pcapng_close(&st.out, -1, NULL, 0);	/* set up, but never reached the loop */
	bpf_prog_destroy(st.filter);
	source_pcap_close(&src);
	st.net->xmit = NULL;
	if (pnet)
		*pnet = st.net;
	else
		net_destroy(st.net);
	return r;
}
