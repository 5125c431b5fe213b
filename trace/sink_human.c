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

static void human_closed(void *ctx, const struct outcome_pkt *p);

void human_init(struct human_sink *s, FILE *out, int color, int summary, int quiet)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->color = color;
	s->summary = summary;
	s->quiet = quiet == HUMAN_TOTALS ? HUMAN_TOTALS : quiet ? HUMAN_VERDICTS : HUMAN_JOURNEY;
	s->ot.closed = human_closed;
	s->ot.ctx = s;
	if (s->quiet == HUMAN_TOTALS && !summary) {	/* nothing printed: the table counts (human_closed's counts) */
		s->ot.closed = NULL;
		s->ot.verdicts = s->verdicts;
		s->ot.drops = s->drops;
	}
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

/* Each event goes to the outcome table; the summary also lists the
 * functions a packet went through. */
static void track(struct human_sink *s, const struct trace_event *ev)
{
	struct outcome_pkt *p = outcome_track(&s->ot, ev->ph, ev->depth, ev->seq, ev->pkt, ev->fn, ev->verdict,
					      ev->reason);
	if (!p || !s->summary || !(ev->ph == 'B' || (ev->ph == 'i' && !strcmp(ev->fn, "kfree_skb"))))
		return;
	struct jw *fns = &s->fns[p - s->ot.open];
	if (fns->len)
		jw_raw(fns, " ", 1);
	jw_puts(fns, ev->fn);
}

static void print_event(struct human_sink *s, const struct trace_event *ev)
{
	int ind = 2 * ev->depth;
	const char *msg = ev->msg ? ev->msg : "";
	if (ev->ph == 'B' && ev->depth == 0 && ev->after_capture)
		fprintf(s->out, "\n%s+%.1f s after the capture:%s\n", s->color ? C_BLD : "", (double)ev->after_ns / 1e9,
			s->color ? C_OFF : "");
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
	if (ev->ph == 'B' && ev->depth == 0) {
		s->after = ev->after_capture;
		s->after_ns = ev->after_ns;
	}
	track(s, ev);
	if (human_prints_events(s))
		print_event(s, ev);
}

int human_prints_events(const struct human_sink *s) { return !s->summary && s->quiet == HUMAN_JOURNEY; }

/* Appends s at o, stopping at end; returns the new end. */
static char *put(char *o, char *end, const char *s)
{
	size_t n = strlen(s);
	if (n > (size_t)(end - o))
		n = (size_t)(end - o);
	memcpy(o, s, n);
	return o + n;
}

static char *put_i64(char *o, char *end, int64_t v)
{
	char num[24], *p = num + sizeof(num);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	*--p = 0;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return put(o, end, p);
}

static void print_outcome(struct human_sink *s, const struct outcome_pkt *p, const struct jw *fns)
{
	const char *v = p->outcome == V_NONE ? "no verdict" : verdict_name(p->outcome);
	const char *r = p->outcome == V_DROP ? drop_reason_name(p->reason) : "";
	if (s->summary && p->key < 0) {
		if (s->after)
			fprintf(s->out, "+%.1f s after the capture, ", (double)s->after_ns / 1e9);
		fprintf(s->out, "timer: %s => %s%s%s\n", fns->buf ? fns->buf : "", v, *r ? " " : "", r);
		return;
	}
	if (s->summary) {
		if (s->after)
			fprintf(s->out, "+%.1f s after the capture, ", (double)s->after_ns / 1e9);
		fprintf(s->out, "pkt %lld: %s => %s%s%s\n", (long long)p->key, fns->buf ? fns->buf : "", v,
			*r ? " " : "", r);
		return;
	}
	if (p->key < 0) {
		fprintf(s->out, "%s=> timer work: %s%s%s%s\n", vcolor(s, p->outcome), v, *r ? " (" : "", r, *r ? ")" : "");
		if (s->color)
			fputs(C_OFF, s->out);
		return;
	}
	/* once per packet: built by hand, fprintf's parsing showed in a profile */
	char line[512], *o = line, *end = line + sizeof(line) - 1;
	o = put(o, end, vcolor(s, p->outcome));
	o = put(o, end, "=> packet ");
	o = put_i64(o, end, p->key);
	o = put(o, end, ": ");
	o = put(o, end, v);
	if (*r) {
		o = put(o, end, " (");
		o = put(o, end, r);
		o = put(o, end, ")");
	}
	if (p->fn) {
		o = put(o, end, " in ");
		o = put(o, end, p->fn);
	}
	*o++ = '\n';
	fwrite(line, 1, (size_t)(o - line), s->out);
	if (s->color)
		fputs(C_OFF, s->out);
}

/* The outcome table's closed callback: a packet's line and its count
 * (timer work is printed, not counted). */
static void human_closed(void *ctx, const struct outcome_pkt *p)
{
	struct human_sink *s = ctx;
	struct jw *fns = &s->fns[p - s->ot.open];
	if (p->key >= 0) {
		s->verdicts[p->outcome]++;
		if (p->outcome == V_DROP && (unsigned)p->reason < SKB_DROP_REASON_MAX)
			s->drops[p->reason]++;
	}
	if (s->quiet != HUMAN_TOTALS)
		print_outcome(s, p, fns);
	jw_reset(fns);
}

void human_totals(struct human_sink *s, uint64_t packets)
{
	if (s->summary)
		return;
	uint64_t fates = 0;
	fprintf(s->out, "\n%llu packets:", (unsigned long long)packets);
	for (int v = 0; v < V_MAX; v++)
		if (s->verdicts[v]) {
			fprintf(s->out, " %s %llu", v == V_NONE ? "no-verdict" : verdict_name(v),
				(unsigned long long)s->verdicts[v]);
			fates += s->verdicts[v];
		}
	/* a fragment queued, then dropped by its timer, has two fates */
	if (fates > packets)
		fprintf(s->out, " (%llu more fates than packets: one queued, then dropped or sent later, counts under "
			"each)", (unsigned long long)(fates - packets));
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
	for (int i = 0; i < OUTCOME_OPEN_MAX; i++)
		jw_free(&s->fns[i]);
}
