/*
 * whatif.c - two replays of one capture and where their journeys part
 * (see whatif.h). Each run keeps, per capture packet, the steps it took
 * (functions entered and steps inside them, with their depth) and its
 * outcome by the rules every front end uses (stack/trace_outcome.c).
 */
#include "whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_infer.h"
#include "replay.h"
#include "scenario.h"
#include "source_pcap.h"

struct whatif_sink {
	struct whatif_run *r;
	struct outcome_table ot;
	int oom;
};

static int intern(struct whatif_run *r, const char *fn)
{
	for (size_t i = r->nnames; i-- > 0;)	/* names are static strings: the pointer usually matches */
		if (r->names[i] == fn || !strcmp(r->names[i], fn))
			return (int)i;
	if (r->nnames == r->cap_names) {
		size_t c = r->cap_names ? r->cap_names * 2 : 64;
		if (c > 65535)
			return -1;
		const char **v = realloc(r->names, c * sizeof(*v));
		if (!v)
			return -1;
		r->names = v;
		r->cap_names = c;
	}
	r->names[r->nnames] = fn;
	return (int)r->nnames++;
}

static struct whatif_pkt *pkt_slot(struct whatif_run *r, int64_t pkt)
{
	if (pkt <= 0 || pkt > 100000000)
		return NULL;
	size_t i = (size_t)pkt - 1;
	if (i >= r->npkts) {
		size_t n = r->npkts ? r->npkts : 64;
		while (n <= i)
			n *= 2;
		struct whatif_pkt *v = realloc(r->pkts, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + r->npkts, 0, (n - r->npkts) * sizeof(*v));
		r->pkts = v;
		r->npkts = n;
	}
	if ((size_t)pkt > r->packets)
		r->packets = (size_t)pkt;
	return &r->pkts[i];
}

static int path_add(struct whatif_pkt *p, int fn, int depth, char ph)
{
	if (p->n == WHATIF_PATH_MAX) {
		p->cut = 1;
		return 0;
	}
	if (p->n == p->cap) {
		uint32_t c = p->cap ? p->cap * 2 : 32;
		struct whatif_step *v = realloc(p->path, c * sizeof(*v));
		if (!v)
			return -1;
		p->path = v;
		p->cap = c;
	}
	p->path[p->n++] = (struct whatif_step){ .fn = (uint16_t)fn, .depth = (uint8_t)(depth > 255 ? 255 : depth),
						.ph = ph };
	return 0;
}

static void on_closed(void *ctx, const struct outcome_pkt *o)
{
	struct whatif_sink *s = ctx;
	struct whatif_pkt *p = o->key > 0 ? pkt_slot(s->r, o->key) : NULL;
	if (!p)
		return;
	p->verdict = o->outcome;
	p->reason = o->reason;
	p->fn = o->fn;
}

static void on_event(void *ctx, const struct trace_event *ev)
{
	struct whatif_sink *s = ctx;
	outcome_track(&s->ot, ev->ph, ev->depth, ev->seq, ev->pkt, ev->fn, ev->verdict, ev->reason);
	if (ev->ph == 'E' || ev->pkt <= 0)
		return;
	struct whatif_pkt *p = pkt_slot(s->r, ev->pkt);
	int fn = intern(s->r, ev->fn);
	if (!p || fn < 0 || path_add(p, fn, ev->depth, ev->ph) < 0)
		s->oom = 1;
}

static void on_softirq(void *ctx)
{
	outcome_flush(&((struct whatif_sink *)ctx)->ot);
}

/* Without a file, the host replay would take: the capture's own when it
 * does not fit the default host (host inference), else the default. */
static char *base_json(const char *pcap, char *err, size_t errlen)
{
	struct host_infer h;
	if (!source_pcap_rereadable(pcap) || host_infer(pcap, NULL, 0, &h, err, errlen) < 0)
		return strdup(scenario_default_json);
	char *json = h.kind == HOST_INFERRED ? h.json : NULL;
	h.json = NULL;
	host_infer_free(&h);
	return json ? json : strdup(scenario_default_json);
}

/* The scenario text of one side: its file (or the host replay would take)
 * with edits. */
static char *side_json(const char *pcap, const char *file, const char *const *s1, int n1, const char *const *s2,
		       int n2, char *err, size_t errlen)
{
	char *base = file ? scenario_read_file(file, err, errlen) : base_json(pcap, err, errlen);
	if (!base)
		return NULL;
	const char *sets[64];
	int n = 0;
	for (int i = 0; i < n1 && n < 64; i++)
		sets[n++] = s1[i];
	for (int i = 0; i < n2 && n < 64; i++)
		sets[n++] = s2[i];
	char *out = scenario_edited(base, sets, n, err, errlen);
	free(base);
	return out;
}

static int run_one(const struct whatif_cfg *cfg, const char *json, const char *label, struct whatif_run *r,
		   char *err, size_t errlen)
{
	struct whatif_sink s = { .r = r };
	s.ot.closed = on_closed;
	s.ot.ctx = &s;
	struct replay_cfg rc = { .pcap = cfg->pcap, .scenario_json = json, .scenario_label = label,
				 .no_csum = cfg->no_csum, .stop = cfg->stop };
	rc.emit[0] = on_event;
	rc.emit_ctx[0] = &s;
	rc.nemit = 1;
	rc.after_softirq = on_softirq;
	rc.after_ctx = &s;
	struct replay_result res;
	struct net *net = NULL;
	int rv = replay_run(&rc, &res, &net, err, errlen);
	outcome_flush(&s.ot);
	if (net) {
		memcpy(r->mib, net->mib, sizeof(r->mib));
		net_destroy(net);
	}
	snprintf(r->scenario_name, sizeof(r->scenario_name), "%s", res.scenario_name);
	free(res.scenario_json);
	if (rv == 0 && s.oom) {
		snprintf(err, errlen, "out of memory");
		rv = -1;
	}
	return rv;
}

int whatif_run_both(const struct whatif_cfg *cfg, struct whatif_run *a, struct whatif_run *b, char *err,
		    size_t errlen)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->label = "A";
	b->label = "B";
	const char *fb = cfg->scenario_b ? cfg->scenario_b : cfg->scenario_a;
	char *ja = side_json(cfg->pcap, cfg->scenario_a, cfg->sets_a, cfg->nsets_a, NULL, 0, err, errlen);
	char *jb = ja ? side_json(cfg->pcap, fb, cfg->sets_a, cfg->nsets_a, cfg->sets_b, cfg->nsets_b, err, errlen)
		      : NULL;
	char lb[256];
	int off = snprintf(lb, sizeof(lb), "%s", fb ? fb : "no -c");
	for (int i = 0; i < cfg->nsets_b && off > 0 && (size_t)off < sizeof(lb); i++)
		off += snprintf(lb + off, sizeof(lb) - (size_t)off, "%s%s", i ? ", " : " with ", cfg->sets_b[i]);
	int r = -1;
	if (ja && jb && run_one(cfg, ja, cfg->scenario_a ? cfg->scenario_a : "no -c", a, err, errlen) == 0)
		r = run_one(cfg, jb, lb, b, err, errlen);
	free(ja);
	free(jb);
	return r;
}

void whatif_run_free(struct whatif_run *r)
{
	for (size_t i = 0; i < r->npkts; i++)
		free(r->pkts[i].path);
	free(r->pkts);
	free(r->names);
	memset(r, 0, sizeof(*r));
}

static const struct whatif_pkt *pkt_at(const struct whatif_run *r, size_t i)
{
	static const struct whatif_pkt none;
	return i < r->npkts ? &r->pkts[i] : &none;
}

int whatif_pkt_differs(const struct whatif_run *a, const struct whatif_run *b, size_t i)
{
	const struct whatif_pkt *x = pkt_at(a, i), *y = pkt_at(b, i);
	if (x->verdict != y->verdict || x->reason != y->reason)
		return 1;
	return (x->fn == NULL) != (y->fn == NULL) || (x->fn && strcmp(x->fn, y->fn));
}

static int same_step(const struct whatif_run *a, const struct whatif_step *x, const struct whatif_run *b,
		     const struct whatif_step *y)
{
	return x->ph == y->ph && x->depth == y->depth && !strcmp(whatif_fn(a, x), whatif_fn(b, y));
}

size_t whatif_part(const struct whatif_run *a, const struct whatif_run *b, size_t i, const char **where)
{
	const struct whatif_pkt *x = pkt_at(a, i), *y = pkt_at(b, i);
	size_t k = 0;
	while (k < x->n && k < y->n && same_step(a, &x->path[k], b, &y->path[k]))
		k++;
	*where = NULL;
	/* They part in the frame that the deeper of the two next steps runs
	 * in: one journey does something there that the other does not. */
	int dx = k < x->n ? x->path[k].depth : -1, dy = k < y->n ? y->path[k].depth : -1;
	int depth = dx > dy ? dx : dy;
	for (size_t j = k; j-- > 0;)
		if (x->path[j].ph == 'B' && x->path[j].depth < depth) {
			*where = whatif_fn(a, &x->path[j]);
			break;
		}
	return k;
}
