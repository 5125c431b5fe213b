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
	return trace_add_sink_flags(net, emit, ctx, 0);
}

int trace_add_sink_flags(struct net *net, void (*emit)(void *, const struct trace_event *), void *ctx,
			 unsigned flags)
{
	struct tracer *tr = &net->tr;
	if (tr->nsinks >= TRACE_MAX_SINKS)
		return -1;
	int raw = (flags & TRACE_SINK_RAW_MSG) != 0;
	tr->msg_defer = tr->nsinks ? tr->msg_defer && raw : raw;
	tr->sinks[tr->nsinks].emit = emit;
	tr->sinks[tr->nsinks].ctx = ctx;
	tr->nsinks++;
	tr->on = 1;
	tr->hooked = 1;
	return 0;
}

void trace_clear_sinks(struct net *net)
{
	net->tr.nsinks = 0;
	net->tr.msg_defer = 0;
	net->tr.on = 0;
	net->tr.hooked = net->tr.lite;
}

void trace_set_outcome_table(struct net *net, struct outcome_table *t)
{
	struct tracer *tr = &net->tr;
	if (tr->lite_tbl)
		tr->lite_tbl->flushed = NULL;
	tr->lite_tbl = t;
	tr->lite = t != NULL;
	tr->lite_flushed = 1;
	if (t)		/* its flushes tell the inline steps (netns.h) */
		t->flushed = &tr->lite_flushed;
	tr->hooked = tr->on || tr->lite;
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

/* Appends n bytes to out (cap bytes) at *len, keeping vsnprintf's
 * truncation: the count grows past cap, the bytes stop at cap - 1. */
static inline void msg_put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n <= 16 && *len + n < cap) {	/* most runs: a few bytes, no memcpy call */
		char *d = out + *len;		/* two moves that overlap, within the n bytes */
		uint64_t a, b;
		uint32_t c, e;
		if (n >= 8) {
			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
			memcpy(d, &a, 8);
			memcpy(d + n - 8, &b, 8);
		} else if (n >= 4) {
			memcpy(&c, s, 4);
			memcpy(&e, s + n - 4, 4);
			memcpy(d, &c, 4);
			memcpy(d + n - 4, &e, 4);
		} else if (n) {
			d[0] = s[0];
			d[n / 2] = s[n / 2];
			d[n - 1] = s[n - 1];
		}
		*len += n;
		return;
	}
	if (*len + 1 < cap)
		memcpy(out + *len, s, *len + n < cap ? n : cap - 1 - *len);
	*len += n;
}

/* An integer's digits (x X: hex) into num, '-' first when neg; its length. */
static size_t num_text(char *num, unsigned long long u, int neg, char conv)
{
	const char *dig = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t k = sizeof(tmp), n = 0;
	if (conv == 'x' || conv == 'X') {
		do {
			tmp[--k] = dig[u & 15];
			u >>= 4;
		} while (u);
	} else {		/* two digits a step (jsonw's) */
		if (neg)
			num[n++] = '-';
		return (size_t)(jw_txt_u64(num + n, u) - num);
	}
	if (neg)
		num[n++] = '-';
	memcpy(num + n, tmp + k, sizeof(tmp) - k);
	return n + sizeof(tmp) - k;
}

/* Splits fmt into literal runs and the plain conversions trace messages
 * use (%s %c %d %i %u %x %X %%, length l ll z, %0Nx/%0Nu); nseg stays 0
 * (vsnprintf) at anything else or too many of them. */
static void fmt_compile(struct trace_fmt_info *e, const char *fmt, size_t n)
{
	const char *f = fmt, *end = fmt + n;
	int k = 0;
	e->nseg = 0;
	while (k < TRACE_FMT_SEGS) {
		const char *lit = f;
		while (f < end && *f != '%')
			f++;
		struct trace_fmt_seg *g = &e->seg[k++];
		g->lit = (uint16_t)(lit - fmt);
		g->lit_len = (uint16_t)(f - lit);
		g->conv = 0;
		g->lng = 0;
		g->zpad = 0;
		if (f == end) {
			e->nseg = (uint8_t)k;
			return;
		}
		f++;
		if (*f == '0' && f[1] >= '1' && f[1] <= '9' && !(f[2] >= '0' && f[2] <= '9')) {
			g->zpad = (uint8_t)(f[1] - '0');	/* "ethertype 0x%04x": one digit of width */
			f += 2;
		}
		if (*f == 'l')
			g->lng = f[1] == 'l' ? (f += 2, 2) : (f++, 1);
		else if (*f == 'z')
			g->lng = 3, f++;
		if (!*f || !strchr("scdiuxX%", *f) || (g->lng && (*f == 's' || *f == 'c' || *f == '%')) ||
		    (g->lng == 3 && (*f == 'd' || *f == 'i')) || (g->zpad && !strchr("uxX", *f)))
			return;
		g->conv = *f++;
	}
}

/* fmt's entry in the cache, compiled on first sight. Open addressing
 * over 4 slots: with one slot per hash, two hot formats that shared one
 * were compiled again and again (133,000 times in a 100,000-frame replay). */
static const struct trace_fmt_info *fmt_info(struct trace_fmt_info *cache, const char *fmt)
{
	uint64_t h = ((uint64_t)(uintptr_t)fmt * 0x9e3779b97f4a7c15ull) >> (64 - __builtin_ctz(TRACE_FMT_CACHE));
	struct trace_fmt_info *e = NULL;
	for (unsigned k = 0; k < 4; k++) {
		struct trace_fmt_info *c = &cache[(h + k) % TRACE_FMT_CACHE];
		if (c->fmt == fmt)
			return c;
		if (!c->fmt) {
			e = c;
			break;
		}
	}
	if (!e)
		e = &cache[h];	/* all four taken: the first is compiled over */
	size_t n = strnlen(fmt, TRACE_MSG_MAX);
	e->fmt = fmt;
	e->len = (uint16_t)n;
	e->plain = n < TRACE_MSG_MAX && !memchr(fmt, '%', n);
	fmt_compile(e, fmt, n < TRACE_MSG_MAX ? n : 0);
	if (n >= TRACE_MSG_MAX)
		e->nseg = 0;
	return e;
}

/*
 * A compiled format's arguments taken from ap into a (see struct
 * trace_msg_raw); returns the bytes used. ap is consumed here: the caller
 * never needs it again, so it is not copied (a va_copy right after
 * va_start stalled on every call).
 */
static size_t msg_capture(const struct trace_fmt_info *fi, unsigned char *a, va_list ap)
{
	unsigned char *o = a;
	for (int i = 0; i < fi->nseg; i++) {
		const struct trace_fmt_seg *g = &fi->seg[i];
		uint64_t v;
		if (g->conv == 's') {
			const char *s = va_arg(ap, const char *);
			s = s ? s : "(null)";
			uint16_t n = (uint16_t)strnlen(s, TRACE_MSG_MAX - 1);
			memcpy(o, &n, 2);
			memcpy(o + 2, s, n);
			o += 2 + n;
			continue;
		}
		if (g->conv == 'c')
			v = (uint64_t)(int64_t)va_arg(ap, int);
		else if (g->conv == 'd' || g->conv == 'i')
			v = (uint64_t)(g->lng == 2 ? va_arg(ap, long long) : g->lng == 1 ? va_arg(ap, long) : va_arg(ap, int));
		else if (g->conv && g->conv != '%')
			v = g->lng == 2 ? va_arg(ap, unsigned long long) : g->lng == 1 ? va_arg(ap, unsigned long)
			  : g->lng == 3 ? va_arg(ap, size_t) : va_arg(ap, unsigned);
		else
			continue;	/* '%' and the text after the last conversion */
		memcpy(o, &v, 8);
		o += 8;
	}
	return (size_t)(o - a);
}

/* One number's text at *len, zero-padded as the format says. */
static void msg_num(const struct trace_fmt_seg *g, uint64_t v, char *out, size_t cap, size_t *len)
{
	char num[32];
	int neg = (g->conv == 'd' || g->conv == 'i') && (int64_t)v < 0;
	size_t k = num_text(num, neg ? 0ULL - v : v, neg, g->conv);
	if (k < g->zpad) {
		memmove(num + (g->zpad - k), num, k);
		memset(num, '0', g->zpad - k);
		k = g->zpad;
	}
	msg_put(out, cap, len, num, k);
}

/*
 * A compiled format's text from its captured arguments a, with
 * vsnprintf's text and truncation (several times faster than glibc's,
 * which was a top cost of a traced replay); returns the text's length.
 */
static size_t msg_render(const struct trace_fmt_info *fi, const unsigned char *a, char *out, size_t cap)
{
	size_t len = 0;
	int nul = 0;
	for (int i = 0; i < fi->nseg; i++) {
		const struct trace_fmt_seg *g = &fi->seg[i];
		msg_put(out, cap, &len, fi->fmt + g->lit, g->lit_len);
		uint64_t v;
		if (g->conv == 's') {
			uint16_t n;
			memcpy(&n, a, 2);
			msg_put(out, cap, &len, (const char *)a + 2, n);
			a += 2 + n;
		} else if (g->conv == '%') {
			msg_put(out, cap, &len, "%", 1);
		} else if (g->conv) {
			memcpy(&v, a, 8);
			a += 8;
			if (g->conv == 'c') {
				char c = (char)v;
				nul |= !c;
				msg_put(out, cap, &len, &c, 1);
			} else {
				msg_num(g, v, out, cap, &len);
			}
		}
	}
	len = len < cap ? len : cap - 1;
	out[len] = 0;
	return nul ? strlen(out) : len;	/* a %c of NUL ends the text there */
}

/* The formats compiled again where raw msgs are formatted: another
 * thread than the tracer's, with a cache of its own. */
static _Thread_local struct trace_fmt_info text_cache[TRACE_FMT_CACHE];

size_t trace_msg_text(const struct trace_msg_raw *r, char *out)
{
	return msg_render(fmt_info(text_cache, r->fmt), r->args, out, TRACE_MSG_MAX);
}

/* An event's msg (ev->msg, its length in ev->msg_len). Constant text and
 * a lone "%s" are passed through without copying; other formats are run
 * compiled (msg_capture, msg_render) or, when every sink takes them so,
 * left in ev->msg_raw to be formatted later; the rest go through
 * vsnprintf. Text that would not fit tr->msg is truncated exactly as
 * vsnprintf truncates it. */
static void fmt_msg(struct tracer *tr, struct trace_event *ev, const char *fmt, va_list ap)
{
	if (!fmt || !fmt[0])
		return;
	const struct trace_fmt_info *fi = fmt_info(tr->fmt_cache, fmt);
	size_t n;
	if (fi->plain) {
		ev->msg = fmt;
		ev->msg_len = fi->len;
		return;
	}
	if (!fi->nseg) {
		vsnprintf(tr->msg, sizeof(tr->msg), fmt, ap);
		n = strlen(tr->msg);
	} else if (fi->nseg == 2 && fi->seg[0].conv == 's' && !fi->seg[0].lit_len && !fi->seg[1].lit_len) {
		const char *s = va_arg(ap, const char *);
		n = s ? strnlen(s, sizeof(tr->msg)) : sizeof(tr->msg);
		if (n < sizeof(tr->msg)) {
			ev->msg = n ? s : NULL;
			ev->msg_len = (uint32_t)n;
			return;
		}
		s = s ? s : "(null)";
		n = strnlen(s, sizeof(tr->msg) - 1);
		memcpy(tr->msg, s, n);
		tr->msg[n] = 0;
	} else {
		struct trace_msg_raw *r = (struct trace_msg_raw *)(void *)tr->msg_raw;
		size_t k = msg_capture(fi, r->args, ap);
		if (tr->msg_defer) {
			r->fmt = fmt;
			r->size = (uint32_t)((sizeof(*r) + k + 7) & ~(size_t)7);
			ev->msg_raw = r;
			return;
		}
		n = msg_render(fi, r->args, tr->msg, sizeof(tr->msg));
	}
	ev->msg = n ? tr->msg : NULL;
	ev->msg_len = (uint32_t)n;
}

/* Fills the fields common to all phases and hands the event to every sink. */
static void emit(struct net *net, struct trace_event *ev, const struct sk_buff *skb)
{
	struct tracer *tr = &net->tr;
	struct skb_state st;

	ev->seq = ++tr->next_seq;
	ev->ts_ns = net->now_ns;
	if (tr->after_capture) {
		ev->after_capture = 1;
		ev->after_ns = net->now_ns - tr->capture_end_ns;
	}
	if (skb) {
		skb_state_of(skb, &st);
		ev->st = &st;
	}
	if (tr->args_set) {
		jw_obj_close(&tr->args);
		ev->args = tr->args.buf;
		ev->args_len = (uint32_t)tr->args.len;
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
	/* past TRACE_MAX_DEPTH frames are not kept: the deepest kept one */
	ev.parent = tr->depth > 0 ? tr->frames[(tr->depth < TRACE_MAX_DEPTH ? tr->depth : TRACE_MAX_DEPTH) - 1].seq : 0;
	event_ids(net, skb, &ev);
	va_start(ap, fmt);
	fmt_msg(tr, &ev, fmt, ap);
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
	fmt_msg(tr, &ev, fmt, ap);
	va_end(ap);
	emit(net, &ev, skb);
}

/* "kfree_skb_reason(NAME)" without snprintf: one per dropped packet. */
static const char *kfree_msg(struct tracer *tr, enum skb_drop_reason reason)
{
	static const char pre[] = "kfree_skb_reason(";
	const char *name = drop_reason_name(reason);
	size_t n = strnlen(name, sizeof(tr->msg) - sizeof(pre) - 1);
	memcpy(tr->msg, pre, sizeof(pre) - 1);
	memcpy(tr->msg + sizeof(pre) - 1, name, n);
	memcpy(tr->msg + sizeof(pre) - 1 + n, ")", 2);
	tr->msg_len = sizeof(pre) - 1 + n + 1;
	return tr->msg;
}

void __trace_kfree(struct net *net, const struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!net->tr.on) {	/* the lite mode's (trace_outcome.c), before the event is set up */
		__trace_lite_kfree(net, skb->pkt, reason);
		return;
	}
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
	ev.msg = kfree_msg(tr, reason);
	ev.msg_len = (uint32_t)tr->msg_len;
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
	fmt_msg(tr, &ev, fmt, ap);
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
