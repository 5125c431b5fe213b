/*
 * step_panels.c - the `info` panels of `netjourney step` (step_view.h):
 * breakpoints, and the state at the current event (counters, fragment
 * queues, sockets, packet taps, routes, neighbours, netfilter rules),
 * printed from the one fold's JSON (trace/fold.h), the same object the
 * server's /state answers.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fold.h"
#include "step_view.h"

static const char none_recorded[] = "none recorded";

void view_breaks(const struct step_view *v, const struct step_session *ss)
{
	char d[300];
	if (!ss->nbp) {
		fprintf(v->out, "no breakpoints (break FN | drop | reason NAME | pkt N | 'EXPR')\n");
		return;
	}
	fprintf(v->out, "Num  Hits  What\n");
	for (int k = 0; k < ss->nbp; k++) {
		step_bp_describe(&ss->bp[k], d, sizeof(d));
		fprintf(v->out, "%-4d %5u  %s\n", ss->bp[k].id, ss->bp[k].hits, d);
	}
}

/* -- the state panels: one fold (trace/fold.h), printed -- */

static long long num(const cJSON *o, const char *k, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

static const cJSON *arr(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void counters(const struct step_view *v, const cJSON *st)
{
	const cJSON *c, *d = arr(st, "counters_delta");
	int any = 0;
	fprintf(v->out, "counters up to #%lld (nstat names; \"+N\" = added by this event)\n", num(st, "seq", 0));
	cJSON_ArrayForEach(c, arr(st, "counters")) {
		long long here = num(d, c->string, 0);
		any = 1;
		fprintf(v->out, "  %-30s %10lld", c->string, (long long)c->valuedouble);
		if (here)
			fprintf(v->out, "  +%lld", here);
		fputc('\n', v->out);
	}
	if (!any)
		fprintf(v->out, "  all zero so far\n");
}

/* "[0,1480) [1480,2960)" from [[0,1480],[1480,2960]], at most outlen. */
static void ranges(const cJSON *have, char *out, size_t outlen)
{
	const cJSON *r;
	size_t k = 0;
	out[0] = 0;
	cJSON_ArrayForEach(r, have) {
		int n = snprintf(out + k, outlen - k, "%s[%.0f,%.0f)", k ? " " : "",
				 cJSON_GetArrayItem(r, 0) ? cJSON_GetArrayItem(r, 0)->valuedouble : 0,
				 cJSON_GetArrayItem(r, 1) ? cJSON_GetArrayItem(r, 1)->valuedouble : 0);
		if (n < 0 || (size_t)n >= outlen - k) {
			snprintf(out + k, outlen - k, " …");
			return;
		}
		k += (size_t)n;
	}
}

/* "arrived: [1480,2960) skb 3 #25, [0,1480) skb 4 #57", every one. */
static void arrivals(const struct step_view *v, const cJSON *list)
{
	const cJSON *a;
	int k = 0;
	cJSON_ArrayForEach(a, list) {
		long long off = num(a, "offset", 0);
		fprintf(v->out, "%s[%lld,%lld) skb %lld #%lld", k++ ? ", " : "    arrived: ", off, off + num(a, "len", 0),
			num(a, "skb", -1), num(a, "seq", 0));
	}
	if (k)
		fputc('\n', v->out);
}

static void frags(const struct step_view *v, const cJSON *st)
{
	const cJSON *q;
	char have[200];
	if (!num(st, "frag_events", 0)) {
		fprintf(v->out, "fragment queues: %s (no fragment events up to here)\n", none_recorded);
		return;
	}
	fprintf(v->out, "fragment queues at #%lld: %d\n", num(st, "seq", 0), cJSON_GetArraySize(arr(st, "frags")));
	cJSON_ArrayForEach(q, arr(st, "frags")) {
		long long len = num(q, "len", -1), mem = num(q, "mem", -1), nf = num(q, "nfrags", 0);
		ranges(arr(q, "have"), have, sizeof(have));
		fprintf(v->out, "  %s\n", str(q, "key", "?"));
		if (len >= 0)
			fprintf(v->out, "    have %s  meat %lld of %lld bytes", have[0] ? have : "-", num(q, "meat", 0), len);
		else
			fprintf(v->out, "    have %s  meat %lld, total unknown", have[0] ? have : "-", num(q, "meat", 0));
		fprintf(v->out, "  (%lld frag%s, #%lld)", nf, nf == 1 ? "" : "s", num(q, "seq", 0));
		if (mem >= 0)
			fprintf(v->out, "  %lld bytes charged", mem);
		fputc('\n', v->out);
		if (num(q, "have_more", 0))
			fprintf(v->out, "    (and %lld more ranges the trace does not list)\n", num(q, "have_more", 0));
		arrivals(v, arr(q, "arrivals"));
	}
	cJSON_ArrayForEach(q, arr(st, "frags_ended"))
		fprintf(v->out, "  ended here: %s: %s at #%lld\n", str(q, "key", "?"), str(q, "why", "?"), num(q, "seq", 0));
	if (num(st, "frags_ended_more", 0))
		fprintf(v->out, "  ended here: %lld more\n", num(st, "frags_ended_more", 0));
}

/* A connection's options, queues and timers, as far as recorded. */
static void sock_facts(const struct step_view *v, const cJSON *k)
{
	const cJSON *q = arr(k, "rcvq"), *o = arr(k, "ofo"), *t;
	char r[200];
	if (num(k, "mss", -1) >= 0)
		fprintf(v->out, "      mss %lld  wscale snd %lld rcv %lld  sack %s  timestamps %s  ts_recent %lld\n",
			num(k, "mss", -1), num(k, "snd_wscale", -1), num(k, "rcv_wscale", -1),
			cJSON_IsTrue(arr(k, "sack_ok")) ? "on" : "off", cJSON_IsTrue(arr(k, "tstamp_ok")) ? "on" : "off",
			num(k, "ts_recent", 0));
	if (!cJSON_IsObject(q))
		return;
	ranges(arr(o, "ranges"), r, sizeof(r));
	fprintf(v->out, "      receive queue %lld bytes in %lld segment(s)  out-of-order %lld segment(s)%s%s\n",
		num(q, "bytes", 0), num(q, "segs", 0), num(o, "segs", 0), r[0] ? ": " : "", r);
	if (num(o, "ranges_more", 0))
		fprintf(v->out, "      (and %lld more out-of-order ranges the trace does not list)\n",
			num(o, "ranges_more", 0));
	cJSON_ArrayForEach(t, arr(k, "timers"))
		fprintf(v->out, "      timer %-10s fires in %.3f ms (at %s ns)\n", str(t, "timer", "?"),
			num(t, "in_ns", 0) / 1e6, cJSON_IsRaw(arr(t, "expires_ns")) ? arr(t, "expires_ns")->valuestring : "?");
}

static void sockets(const struct step_view *v, const cJSON *st)
{
	const cJSON *k;
	int conns = 0;
	fprintf(v->out, "sockets at #%lld\n", num(st, "seq", 0));
	cJSON_ArrayForEach(k, arr(st, "sockets")) {
		const char *proto = str(k, "proto", "?");
		if (!cJSON_IsString(arr(k, "remote"))) {
			fprintf(v->out, "  %-3s %-7s  %-12s %s\n", proto, str(k, "local", "?"),
				strcmp(proto, "tcp") ? "(bound)" : str(k, "state", "?"), str(k, "app", ""));
			continue;
		}
		conns++;
		fprintf(v->out, "  %-3s %-40s %-12s (from %s at #%lld)\n", proto, str(k, "sk", "?"), str(k, "state", "?"),
			str(k, "old", "?"), num(k, "seq", 0));
		if (num(k, "snd_nxt", -1) >= 0)
			fprintf(v->out, "      snd_una %lld snd_nxt %lld rcv_nxt %lld snd_wnd %lld rcv_wnd %lld\n",
				num(k, "snd_una", -1), num(k, "snd_nxt", -1), num(k, "rcv_nxt", -1), num(k, "snd_wnd", -1),
				num(k, "rcv_wnd", -1));
		sock_facts(v, k);
	}
	if (!conns)
		fprintf(v->out, "  connections: %s (no tcp_set_state up to here)\n", none_recorded);
}

static void taps(const struct step_view *v, const cJSON *st)
{
	const cJSON *t;
	if (!cJSON_GetArraySize(arr(st, "packet_sockets"))) {
		fprintf(v->out, "packet taps: %s (the host has no packet socket)\n", none_recorded);
		return;
	}
	fprintf(v->out, "packet taps at #%lld\n  %-16s %6s %6s %8s %7s %6s\n", num(st, "seq", 0), "socket", "seen",
		"queued", "filtered", "dropped", "qlen");
	cJSON_ArrayForEach(t, arr(st, "packet_sockets"))
		fprintf(v->out, "  %-16s %6lld %6lld %8lld %7lld %6lld\n", str(t, "name", "?"), num(t, "seen", 0),
			num(t, "received", 0), num(t, "filtered", 0), num(t, "dropped", 0),
			num(t, "qlen", -1) < 0 ? 0 : num(t, "qlen", 0));
}

/* One route as `ip route` words it: connected and local-table routes
 * marked, a gateway and a device when there are. */
static void route(const struct step_view *v, const cJSON *r)
{
	const char *type = str(r, "type", "?"), *dst = str(r, "dst", "?");
	const char *sl = strchr(dst, '/');
	int full = sl && (!strcmp(sl, "/32") || !strcmp(sl, "/128"));	/* a host route: the address alone */
	char host[64];
	snprintf(host, sizeof(host), "%.*s", full ? (int)(sl - dst) : (int)strlen(dst), dst);
	if (!strcmp(str(r, "table", ""), "local")) {
		fprintf(v->out, "  %s %s  dev %s  (table local)%s\n", type, host, str(r, "dev", "?"),
			cJSON_IsTrue(arr(r, "matched")) ? "  <= this packet's lookup" : "");
		return;
	}
	fprintf(v->out, "  dst %s", dst);
	if (cJSON_IsString(arr(r, "via")))
		fprintf(v->out, "  via %s", str(r, "via", "?"));
	if (cJSON_IsString(arr(r, "dev")))
		fprintf(v->out, "  dev %s", str(r, "dev", "?"));
	if (!strcmp(str(r, "proto", ""), "kernel"))
		fprintf(v->out, "  scope %s  (connected)", str(r, "scope", "?"));
	if (strcmp(type, "unicast"))
		fprintf(v->out, "  type %s", type);
	if (cJSON_IsTrue(arr(r, "matched")))
		fprintf(v->out, "  <= this packet's lookup");
	fputc('\n', v->out);
}

static void routes(const struct step_view *v, const cJSON *st)
{
	const cJSON *r, *sys = arr(st, "sysctl");
	if (!cJSON_GetArraySize(arr(st, "routes"))) {
		fprintf(v->out, "routes: %s (the trace does not carry the host's FIB)\n", none_recorded);
		return;
	}
	fprintf(v->out, "routes (the FIB as the stack holds it; fixed for the whole trace)\n");
	cJSON_ArrayForEach(r, arr(st, "routes"))
		if (!strcmp(str(r, "table", ""), "main"))
			route(v, r);
	cJSON_ArrayForEach(r, arr(st, "routes"))
		if (strcmp(str(r, "table", ""), "main"))
			route(v, r);
	if (sys)
		fprintf(v->out, "  ip_forward %lld  rp_filter %lld\n", num(sys, "ip_forward", 0), num(sys, "rp_filter", 0));
	const cJSON *l = arr(st, "route_lookup");
	int marked = 0;
	cJSON_ArrayForEach(r, arr(st, "routes"))
		marked |= cJSON_IsTrue(arr(r, "matched"));
	if (cJSON_IsObject(l) && !cJSON_IsString(arr(l, "dst")))
		fprintf(v->out, "  this packet's lookup of %s at #%lld: no route matched\n", str(l, "daddr", "?"),
			num(l, "seq", 0));
	else if (cJSON_IsObject(l) && !marked)	/* e.g. an address or route an RA brought */
		fprintf(v->out, "  this packet's lookup of %s at #%lld: %s %s (table %s), added after the trace began\n",
			str(l, "daddr", "?"), num(l, "seq", 0), str(l, "type", "?"), str(l, "dst", "?"), str(l, "table", "?"));
	cJSON_ArrayForEach(r, arr(st, "pmtu"))	/* as ip route get shows a route exception */
		fprintf(v->out, "  %s  cache expires %llds mtu %lld%s\n", str(r, "daddr", "?"), num(r, "expires_in_s", 0),
			num(r, "mtu", 0), cJSON_IsTrue(arr(r, "locked")) ? " (locked: DF off)" : "");
}

static void neigh(const struct step_view *v, const cJSON *st)
{
	const cJSON *n;
	fprintf(v->out, "neighbours at #%lld\n", num(st, "seq", 0));
	if (!cJSON_GetArraySize(arr(st, "neighbours")))
		fprintf(v->out, "  none\n");
	cJSON_ArrayForEach(n, arr(st, "neighbours")) {
		const cJSON *id;
		int k = 0;
		fprintf(v->out, "  %-15s %-17s %-6s %s", str(n, "ip", "?"), str(n, "mac", "(incomplete)"),
			str(n, "dev", "?"), str(n, "nud", "?"));
		if (num(n, "queued", 0))
			fprintf(v->out, "  %lld packet(s) held (%lld bytes):", num(n, "queued", 0), num(n, "queued_bytes", 0));
		cJSON_ArrayForEach(id, arr(n, "queued_skbs"))
			fprintf(v->out, "%s skb %.0f", k++ ? "," : "", id->valuedouble);
		fputc('\n', v->out);
	}
}

/* A rule's match as "match.proto icmp  match.daddr 10.0.0.0/8". */
static void match_text(const cJSON *m, char *out, size_t outlen)
{
	const cJSON *c;
	size_t k = 0;
	out[0] = 0;
	cJSON_ArrayForEach(c, m) {
		char *val = cJSON_IsString(c) ? NULL : cJSON_PrintUnformatted(c);
		int n = snprintf(out + k, outlen - k, "  match.%s %s", c->string ? c->string : "?",
				 val ? val : c->valuestring);
		free(val);
		if (n < 0 || (size_t)n >= outlen - k)
			return;
		k += (size_t)n;
	}
}

static void rules(const struct step_view *v, const cJSON *st)
{
	const cJSON *r;
	char m[300];
	fprintf(v->out, "netfilter rules at #%lld\n", num(st, "seq", 0));
	if (!cJSON_GetArraySize(arr(st, "rules")))
		fprintf(v->out, "  no rules: every hook ACCEPTs\n");
	cJSON_ArrayForEach(r, arr(st, "rules")) {
		if (cJSON_IsObject(arr(r, "match"))) {
			match_text(arr(r, "match"), m, sizeof(m));
			fprintf(v->out, "  hook %s%s  verdict %s", str(r, "hook", "?"), m, str(r, "verdict", "?"));
		} else {
			fprintf(v->out, "  hook %s  %s", str(r, "hook", "?"), str(r, "rule", "?"));
		}
		fprintf(v->out, "  (%lld hit%s)\n", num(r, "hits", 0), num(r, "hits", 0) == 1 ? "" : "s");
	}
}

void view_state(const struct step_view *v, struct step_session *ss, size_t i, enum step_what w)
{
	cJSON *st = fold_json_at(ss->fold, i);
	if (!st) {
		fprintf(v->out, "state at this event: out of memory\n");
		return;
	}
	switch (w) {
	case SW_COUNTERS: counters(v, st); break;
	case SW_FRAGS: frags(v, st); break;
	case SW_SOCKETS: sockets(v, st); break;
	case SW_TAPS: taps(v, st); break;
	case SW_ROUTES: routes(v, st); break;
	case SW_NEIGH: neigh(v, st); break;
	default: rules(v, st); break;
	}
	cJSON_Delete(st);
}

int step_dump_state(struct step_session *ss, size_t stride, FILE *out)
{
	struct fold_state st;
	size_t n = store_nevents(ss->st);
	if (!ss->fold || fold_state_init(ss->fold, &st) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (fold_forward(ss->fold, &st, i) < 0)
			return -1;		/* st freed */
		if (i % stride && i != n - 1)
			continue;
		cJSON *o = fold_json(ss->fold, &st, i);
		char *txt = o ? cJSON_PrintUnformatted(o) : NULL;
		cJSON_Delete(o);
		if (!txt) {
			fold_state_free(&st);
			return -1;
		}
		fprintf(out, "%s\n", txt);
		free(txt);
	}
	fold_state_free(&st);
	return 0;
}
