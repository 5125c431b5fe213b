/*
 * sink_human.c - the terminal journey: one indented line per function step
 * with its verdict and drop reason, coloured on a TTY only; or, with
 * --summary, one line per packet ("pkt 3: fn fn ... => drop IP_CSUM"),
 * the form the golden tests compare.
 */
#include <stdint.h>
#include <string.h>

#include "sinks.h"

#define C_RED "\033[31m"
#define C_GRN "\033[32m"
#define C_YEL "\033[33m"
#define C_DIM "\033[2m"
#define C_BLD "\033[1m"
#define C_OFF "\033[0m"

void human_init(struct human_sink *s, FILE *out, int color, int summary, int quiet)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->color = color;
	s->summary = summary;
	s->quiet = quiet == HUMAN_TOTALS ? HUMAN_TOTALS : quiet ? HUMAN_VERDICTS : HUMAN_JOURNEY;
}

static const char *vcolor(const struct human_sink *s, enum nj_verdict v)
{
	if (!s->color)
		return "";
	switch (v) {
	case V_DROP: return C_RED;
	case V_QUEUED: case V_STOLEN: return C_YEL;
	case V_PASS: case V_NONE: return "";
	default: return C_GRN;
	}
}

static struct human_pkt *open_pkt(struct human_sink *s, int64_t pkt)
{
	/* Nearly every event belongs to the packet of the one before it. */
	if (s->nopen && s->open[s->nopen - 1].pkt == pkt)
		return &s->open[s->nopen - 1];
	for (int i = s->nopen - 1; i >= 0; i--)
		if (s->open[i].pkt == pkt)
			return &s->open[i];
	if (s->nopen == HUMAN_OPEN_MAX)
		human_flush(s);
	struct human_pkt *p = &s->open[s->nopen++];
	p->pkt = pkt;
	p->outcome = V_NONE;
	p->reason = 0;
	p->outcome_fn = NULL;
	jw_reset(&p->fns);
	return p;
}

/* Work no packet caused (a timer firing: tcp_delack_timer, ip_expire of
 * an unknown packet) is tracked as a pseudo packet keyed -seq of its root
 * frame; the softirq's own frames are not. */
static int64_t track_key(struct human_sink *s, const struct trace_event *ev)
{
	if (ev->pkt >= 0)
		return ev->pkt;
	if (ev->depth == 0 && ev->ph == 'B')
		s->timer_root = strcmp(ev->fn, "net_rx_action") ? -(int64_t)ev->seq : 0;
	int64_t k = s->timer_root;
	if (ev->depth == 0 && ev->ph == 'E')
		s->timer_root = 0;
	return k ? k : INT64_MIN;
}

static void track(struct human_sink *s, const struct trace_event *ev)
{
	int64_t key = track_key(s, ev);
	if (key == INT64_MIN)
		return;
	struct human_pkt *p = open_pkt(s, key);
	if (s->summary && (ev->ph == 'B' || (ev->ph == 'i' && !strcmp(ev->fn, "kfree_skb")))) {
		if (p->fns.len)
			jw_raw(&p->fns, " ", 1);
		jw_puts(&p->fns, ev->fn);
	}
	enum nj_verdict o = trace_outcome(ev->fn, ev->ph, ev->verdict);
	if (key < 0 && ev->ph == 'E' && ev->depth == 0)
		o = ev->verdict;		/* timer work ends as its root frame says */
	if (o == V_NONE)
		return;
	/* A drop is named after the function that freed the skb: the first
	 * E event after the kfree_skb step, not the callers that pass it up. */
	if (o == V_DROP && ev->ph == 'E' && p->outcome == V_DROP && p->reason == ev->reason && p->outcome_fn)
		return;
	p->outcome = o;
	p->reason = ev->reason;
	p->outcome_fn = ev->ph == 'i' ? NULL : ev->fn;
}

static void print_event(struct human_sink *s, const struct trace_event *ev)
{
	int ind = 2 * ev->depth;
	const char *msg = ev->msg ? ev->msg : "";
	if (ev->ph == 'B') {
		if (!strcmp(ev->fn, "driver_rx"))
			fprintf(s->out, "\n%s%s%s\n", s->color ? C_BLD : "", msg, s->color ? C_OFF : "");
		else
			fprintf(s->out, "%*s%s%s%s  %s\n", ind, "", s->color ? C_BLD : "", ev->fn, s->color ? C_OFF : "", msg);
	} else if (ev->ph == 'i') {
		if (ev->verdict == V_DROP)
			fprintf(s->out, "%*s%s✗ %s: %s%s\n", ind, "", vcolor(s, V_DROP), ev->fn, msg, s->color ? C_OFF : "");
		else
			fprintf(s->out, "%*s%s· %s: %s%s\n", ind, "", s->color ? C_DIM : "", ev->fn, msg, s->color ? C_OFF : "");
	} else if (ev->verdict != V_PASS || ev->msg) {
		fprintf(s->out, "%*s%s← %s: %s%s%s%s%s%s\n", ind, "", vcolor(s, ev->verdict), ev->fn,
			verdict_name(ev->verdict), ev->verdict == V_DROP ? " " : "",
			ev->verdict == V_DROP ? drop_reason_name(ev->reason) : "", ev->msg ? "  " : "", msg,
			s->color ? C_OFF : "");
	}
}

void human_emit(void *ctx, const struct trace_event *ev)
{
	struct human_sink *s = ctx;
	track(s, ev);
	if (!s->summary && s->quiet == HUMAN_JOURNEY)
		print_event(s, ev);
}

static void print_outcome(struct human_sink *s, const struct human_pkt *p)
{
	const char *v = p->outcome == V_NONE ? "no verdict" : verdict_name(p->outcome);
	const char *r = p->outcome == V_DROP ? drop_reason_name(p->reason) : "";
	if (s->summary && p->pkt < 0) {
		fprintf(s->out, "timer: %s => %s%s%s\n", p->fns.buf ? p->fns.buf : "", v, *r ? " " : "", r);
		return;
	}
	if (s->summary) {
		fprintf(s->out, "pkt %lld: %s => %s%s%s\n", (long long)p->pkt, p->fns.buf ? p->fns.buf : "", v,
			*r ? " " : "", r);
		return;
	}
	if (p->pkt < 0) {
		fprintf(s->out, "%s=> timer work: %s%s%s%s\n", vcolor(s, p->outcome), v, *r ? " (" : "", r, *r ? ")" : "");
		if (s->color)
			fputs(C_OFF, s->out);
		return;
	}
	fprintf(s->out, "%s=> packet %lld: %s%s%s%s%s%s\n", vcolor(s, p->outcome), (long long)p->pkt, v,
		*r ? " (" : "", r, *r ? ")" : "", p->outcome_fn ? " in " : "", p->outcome_fn ? p->outcome_fn : "");
	if (s->color)
		fputs(C_OFF, s->out);
}

void human_flush(struct human_sink *s)
{
	for (int i = 0; i < s->nopen; i++) {
		struct human_pkt *p = &s->open[i];
		if (p->pkt < 0) {
			if (s->quiet != HUMAN_TOTALS)
				print_outcome(s, p);
			continue;
		}
		s->verdicts[p->outcome]++;
		if (p->outcome == V_DROP && (unsigned)p->reason < SKB_DROP_REASON_MAX)
			s->drops[p->reason]++;
		if (s->quiet != HUMAN_TOTALS)
			print_outcome(s, p);
	}
	s->nopen = 0;
}

void human_totals(struct human_sink *s, uint64_t packets)
{
	if (s->summary)
		return;
	fprintf(s->out, "\n%llu packets:", (unsigned long long)packets);
	for (int v = 0; v < V_MAX; v++)
		if (s->verdicts[v])
			fprintf(s->out, " %s %llu", v == V_NONE ? "no-verdict" : verdict_name(v),
				(unsigned long long)s->verdicts[v]);
	fputc('\n', s->out);
	for (int r = 0; r < SKB_DROP_REASON_MAX; r++)
		if (s->drops[r])
			fprintf(s->out, "  drop %-24s %llu\n", drop_reason_name(r), (unsigned long long)s->drops[r]);
}

void human_counters(struct human_sink *s, const struct net *net)
{
	fputs("counters (nstat names; totals of the whole replay):\n", s->out);
	for (int i = 0; i < MIB_MAX; i++)
		if (net->mib[i])
			fprintf(s->out, "  %-32s %llu\n", mib_name(i), (unsigned long long)net->mib[i]);
}

void human_free(struct human_sink *s)
{
	for (int i = 0; i < HUMAN_OPEN_MAX; i++)
		jw_free(&s->open[i].fns);
}
