/*
 * trace.c - the tracer: frames, events and sinks (see trace.h). Not a kernel
 * file; it plays the part of the kernel's tracepoints (skb:kfree_skb,
 * net:netif_receive_skb) and of ftrace's function graph, in one stream.
 */
#include "netns.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const verdict_names[V_MAX] = {
	"", "pass", "drop", "queued", "stolen", "consumed", "delivered", "forwarded", "sent",
};

const char *verdict_name(enum nj_verdict v) { return (unsigned)v < V_MAX ? verdict_names[v] : ""; }

int verdict_lookup(const char *s)
{
	for (int i = 1; i < V_MAX; i++)
		if (!strcmp(s, verdict_names[i]))
			return i;
	return -1;
}

int trace_add_sink(struct net *net, void (*emit)(void *, const struct trace_event *), void *ctx)
{
	struct tracer *tr = &net->tr;
	if (tr->nsinks >= TRACE_MAX_SINKS)
		return -1;
	tr->sinks[tr->nsinks].emit = emit;
	tr->sinks[tr->nsinks].ctx = ctx;
	tr->nsinks++;
	tr->on = 1;
	return 0;
}

void trace_clear_sinks(struct net *net)
{
	net->tr.nsinks = 0;
	net->tr.on = 0;
}

void skb_state_of(const struct sk_buff *skb, struct skb_state *st)
{
	st->len = skb->len;
	st->data = (int32_t)(skb->data - skb->head);
	st->nh = skb->network_header == SKB_HDR_UNSET ? -1 : skb->network_header;
	st->th = skb->transport_header == SKB_HDR_UNSET ? -1 : skb->transport_header;
	st->pkt_type = skb->pkt_type;
	st->protocol = skb->protocol;
	st->ifindex = skb->dev ? skb->dev->ifindex : 0;
}

struct jw *__trace_args(struct net *net)
{
	struct tracer *tr = &net->tr;
	jw_reset(&tr->args);
	jw_obj_open(&tr->args);
	tr->args_set = 1;
	return &tr->args;
}

void trace_from(struct net *net, const uint64_t *ids, int n)
{
	if (n > TRACE_MAX_FROM)
		n = TRACE_MAX_FROM;
	memcpy(net->tr.from, ids, (size_t)n * sizeof(*ids));
	net->tr.n_from = n;
}

static const char *fmt_msg(struct tracer *tr, const char *fmt, va_list ap)
{
	if (!fmt || !fmt[0])
		return NULL;
	vsnprintf(tr->msg, sizeof(tr->msg), fmt, ap);
	return tr->msg[0] ? tr->msg : NULL;
}

/* Fills the fields common to all phases and hands the event to every sink. */
static void emit(struct net *net, struct trace_event *ev, const struct sk_buff *skb)
{
	struct tracer *tr = &net->tr;
	struct skb_state st;

	ev->seq = ++tr->next_seq;
	ev->ts_ns = net->now_ns;
	if (skb) {
		skb_state_of(skb, &st);
		ev->st = &st;
	}
	if (tr->args_set) {
		jw_obj_close(&tr->args);
		ev->args = tr->args.buf;
	}
	if (tr->n_from) {
		ev->from = tr->from;
		ev->n_from = tr->n_from;
	}
	for (int i = 0; i < tr->nsinks; i++)
		tr->sinks[i].emit(tr->sinks[i].ctx, ev);
	tr->args_set = 0;
	tr->n_from = 0;
}

static void event_ids(struct net *net, const struct sk_buff *skb, struct trace_event *ev)
{
	ev->pkt = skb ? skb->pkt : net->cur_pkt;
	ev->skb = skb ? (int64_t)skb->id : -1;
}

void __trace_enter(struct net *net, const struct sk_buff *skb, const char *fn,
		   const char *layer, const char *fmt, ...)
{
	struct tracer *tr = &net->tr;
	struct trace_event ev = { 0 };
	va_list ap;

	ev.ph = 'B';
	ev.fn = fn;
	ev.layer = layer;
	ev.depth = tr->depth;
	ev.parent = tr->depth > 0 ? tr->frames[tr->depth - 1].seq : 0;
	event_ids(net, skb, &ev);
	va_start(ap, fmt);
	ev.msg = fmt_msg(tr, fmt, ap);
	va_end(ap);
	emit(net, &ev, skb);
	if (tr->depth < TRACE_MAX_DEPTH) {
		struct trace_frame *f = &tr->frames[tr->depth];
		f->seq = ev.seq;
		f->fn = fn;
		f->layer = layer;
		f->pkt = ev.pkt;
		f->skb = ev.skb;
		f->n_mib = 0;
	}
	tr->depth++;
}

void __trace_step(struct net *net, const struct sk_buff *skb, const char *fn, const char *fmt, ...)
{
	struct tracer *tr = &net->tr;
	struct trace_event ev = { 0 };
	va_list ap;
	int d = tr->depth < TRACE_MAX_DEPTH ? tr->depth : TRACE_MAX_DEPTH;

	ev.ph = 'i';
	ev.fn = fn;
	ev.layer = d > 0 ? tr->frames[d - 1].layer : "core";
	ev.depth = tr->depth;
	ev.parent = d > 0 ? tr->frames[d - 1].seq : 0;
	event_ids(net, skb, &ev);
	if (!skb && d > 0) {
		ev.pkt = tr->frames[d - 1].pkt;
		ev.skb = tr->frames[d - 1].skb;
	}
	va_start(ap, fmt);
	ev.msg = fmt_msg(tr, fmt, ap);
	va_end(ap);
	emit(net, &ev, skb);
}

void __trace_kfree(struct net *net, const struct sk_buff *skb, enum skb_drop_reason reason)
{
	struct tracer *tr = &net->tr;
	struct trace_event ev = { 0 };
	int d = tr->depth < TRACE_MAX_DEPTH ? tr->depth : TRACE_MAX_DEPTH;

	ev.ph = 'i';
	ev.fn = "kfree_skb";
	ev.layer = d > 0 ? tr->frames[d - 1].layer : "core";
	ev.depth = tr->depth;
	ev.parent = d > 0 ? tr->frames[d - 1].seq : 0;
	event_ids(net, skb, &ev);
	ev.verdict = V_DROP;
	ev.reason = reason;
	snprintf(tr->msg, sizeof(tr->msg), "kfree_skb_reason(%s)", drop_reason_name(reason));
	ev.msg = tr->msg;
	emit(net, &ev, skb);
}

void __trace_exit(struct net *net, const struct sk_buff *skb, enum nj_verdict v,
		  enum skb_drop_reason reason, const char *fmt, ...)
{
	struct tracer *tr = &net->tr;
	struct trace_event ev = { 0 };
	va_list ap;

	if (tr->depth <= 0)
		return;			/* unbalanced: a stack bug, keep going */
	tr->depth--;
	ev.ph = 'E';
	ev.depth = tr->depth;
	if (tr->depth < TRACE_MAX_DEPTH) {
		struct trace_frame *f = &tr->frames[tr->depth];
		ev.fn = f->fn;
		ev.layer = f->layer;
		ev.parent = f->seq;
		ev.pkt = f->pkt;
		ev.skb = f->skb;
		ev.mib = f->mib;
		ev.n_mib = f->n_mib;
	} else {
		ev.fn = "?";
		ev.layer = "core";
		ev.pkt = ev.skb = -1;
	}
	ev.verdict = v;
	ev.reason = v == V_DROP ? reason : SKB_DROP_REASON_NOT_DROPPED_YET;
	va_start(ap, fmt);
	ev.msg = fmt_msg(tr, fmt, ap);
	va_end(ap);
	emit(net, &ev, skb);
}

void __trace_mib(struct net *net, enum nj_mib m, uint32_t n)
{
	struct tracer *tr = &net->tr;
	if (tr->depth <= 0 || tr->depth > TRACE_MAX_DEPTH)
		return;
	struct trace_frame *f = &tr->frames[tr->depth - 1];
	for (int i = 0; i < f->n_mib; i++) {
		if (f->mib[i].id == m) {
			f->mib[i].n += n;
			return;
		}
	}
	if (f->n_mib < TRACE_FRAME_MIBS) {
		f->mib[f->n_mib].id = (uint16_t)m;
		f->mib[f->n_mib].n = n;
		f->n_mib++;
	}
}
