/*
 * step_panels.c - the `info` panels of `netjourney step` (step_view.h):
 * breakpoints, counters, fragment queues, sockets, taps, and the routes,
 * neighbours and netfilter rules of the trace's scenario. Scenario entries
 * are printed generically (key value …) so new scenario fields show up
 * without a change here.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "step_state.h"
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

/* What event i itself added to each counter. */
static void event_mib(struct nj_store *s, size_t i, uint64_t *d)
{
	char *line = store_line(s, i, NULL);
	cJSON *o = line ? cJSON_Parse(line) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mib"), *c;
	memset(d, 0, MIB_MAX * sizeof(uint64_t));
	cJSON_ArrayForEach(c, m) {
		int id = mib_lookup(c->string);
		if (id >= 0 && cJSON_IsNumber(c))
			d[id] = (uint64_t)c->valuedouble;
	}
	cJSON_Delete(o);
	free(line);
}

void view_counters(const struct step_view *v, struct step_session *ss, size_t i)
{
	uint64_t here[MIB_MAX];
	const uint64_t *t = step_counters(ss, i);
	int any = 0;
	event_mib(ss->st, i, here);
	fprintf(v->out, "counters up to #%llu (nstat names; \"+N\" = added by this event)\n",
		(unsigned long long)store_ev(ss->st, i)->seq);
	for (int m = 0; m < MIB_MAX; m++) {
		if (!t[m])
			continue;
		any = 1;
		fprintf(v->out, "  %-30s %10llu", mib_name(m), (unsigned long long)t[m]);
		if (here[m])
			fprintf(v->out, "  +%llu", (unsigned long long)here[m]);
		fputc('\n', v->out);
	}
	if (!any)
		fprintf(v->out, "  all zero so far\n");
}

void view_frags(const struct step_view *v, struct nj_store *s, size_t i)
{
	struct step_frags f;
	step_frags_at(s, i, &f);
	if (!f.events) {
		fprintf(v->out, "fragment queues: %s (no fragment events up to here)\n", none_recorded);
		return;
	}
	fprintf(v->out, "fragment queues at #%llu: %d\n", (unsigned long long)store_ev(s, i)->seq, f.n);
	for (int k = 0; k < f.n; k++) {
		const struct step_fragq *q = &f.q[k];
		fprintf(v->out, "  %s\n", q->queue);
		if (q->len >= 0)
			fprintf(v->out, "    have %s  meat %lld of %lld bytes", q->have[0] ? q->have : "-", q->meat, q->len);
		else
			fprintf(v->out, "    have %s  meat %lld, total unknown", q->have[0] ? q->have : "-", q->meat);
		fprintf(v->out, "  (%d frag%s, #%llu)\n", q->nfrags, q->nfrags == 1 ? "" : "s",
			(unsigned long long)q->seq);
	}
	if (f.last[0])
		fprintf(v->out, "  last gone: %s\n", f.last);
}

/* The scenario's listen entries, as the listening sockets. */
static void listeners(const struct step_view *v, const char *scenario)
{
	cJSON *root = scenario ? cJSON_Parse(scenario) : NULL;
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "listen"), *e;
	cJSON_ArrayForEach(e, l) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "proto");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
		const cJSON *app = cJSON_GetObjectItemCaseSensitive(e, "app");
		if (cJSON_IsString(p) && cJSON_IsNumber(port))
			fprintf(v->out, "  %-3s *:%-5d  %-12s %s\n", p->valuestring, (int)port->valuedouble,
				!strcmp(p->valuestring, "tcp") ? "LISTEN" : "(bound)",
				cJSON_IsString(app) ? app->valuestring : "");
	}
	cJSON_Delete(root);
}

void view_sockets(const struct step_view *v, struct nj_store *s, size_t i, const char *scenario)
{
	struct step_socks k;
	step_socks_at(s, i, &k);
	fprintf(v->out, "sockets at #%llu\n", (unsigned long long)store_ev(s, i)->seq);
	listeners(v, scenario);
	if (!k.n)
		fprintf(v->out, "  connections: %s (no tcp_set_state up to here)\n", none_recorded);
	for (int j = 0; j < k.n; j++) {
		const struct step_sock *p = &k.s[j];
		fprintf(v->out, "  tcp %-40s %-12s (from %s at #%llu)\n", p->sk, p->state, p->old,
			(unsigned long long)p->seq);
		if (p->snd_nxt >= 0)
			fprintf(v->out, "      snd_una %lld snd_nxt %lld rcv_nxt %lld\n", p->snd_una, p->snd_nxt, p->rcv_nxt);
	}
}

void view_taps(const struct step_view *v, struct nj_store *s, size_t i, const char *scenario)
{
	struct step_taps t;
	(void)scenario;
	step_taps_at(s, i, &t);
	if (!t.n) {
		fprintf(v->out, "packet taps: %s (no packet_rcv up to here)\n", none_recorded);
		return;
	}
	fprintf(v->out, "packet taps at #%llu\n  %-16s %6s %6s %8s %7s %6s\n", (unsigned long long)store_ev(s, i)->seq,
		"socket", "seen", "queued", "filtered", "dropped", "qlen");
	for (int k = 0; k < t.n; k++)
		fprintf(v->out, "  %-16s %6u %6u %8u %7u %6lld\n", t.t[k].sock, t.t[k].seen, t.t[k].queued,
			t.t[k].filtered, t.t[k].dropped, t.t[k].qlen);
}

/* One scenario entry as "key value key value", nested keys dotted. */
static void flat(const cJSON *o, const char *prefix, char *out, size_t outlen)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, o) {
		size_t k = strlen(out);
		char key[64];
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", c->string ? c->string : "");
		if (cJSON_IsObject(c)) {
			flat(c, key, out, outlen);
			continue;
		}
		char *val = cJSON_IsString(c) ? NULL : cJSON_PrintUnformatted(c);
		snprintf(out + k, outlen - k, "%s%s %s", k ? "  " : "", key, val ? val : c->valuestring);
		free(val);
	}
}

static void list_entries(const struct step_view *v, const cJSON *arr, const char *what)
{
	const cJSON *e;
	char line[400];
	if (!cJSON_GetArraySize(arr)) {
		fprintf(v->out, "  no %s\n", what);
		return;
	}
	cJSON_ArrayForEach(e, arr) {
		line[0] = 0;
		flat(e, "", line, sizeof(line));
		fprintf(v->out, "  %s\n", line);
	}
}

/* Connected routes: one per interface address, as the kernel adds them. */
static void connected(const struct step_view *v, const cJSON *ifs)
{
	const cJSON *it, *a;
	cJSON_ArrayForEach(it, ifs) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(it, "addrs")) {
			char buf[64], *slash;
			struct in_addr in;
			if (!cJSON_IsString(a) || snprintf(buf, sizeof(buf), "%s", a->valuestring) >= (int)sizeof(buf))
				continue;
			int plen = (slash = strchr(buf, '/')) ? atoi(slash + 1) : 32;
			if (slash)
				*slash = 0;
			if (inet_pton(AF_INET, buf, &in) != 1 || plen < 0 || plen > 32)
				continue;
			uint32_t mask = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
			in.s_addr &= mask;
			fprintf(v->out, "  dst %s/%d  dev %s  scope link  (connected)\n", inet_ntoa(in), plen,
				cJSON_IsString(name) ? name->valuestring : "?");
			fprintf(v->out, "  local %s  dev %s  (table local)\n", buf, cJSON_IsString(name) ? name->valuestring : "?");
		}
	}
}

void view_scenario(const struct step_view *v, const char *scenario, enum step_what w)
{
	cJSON *root = scenario ? cJSON_Parse(scenario) : NULL;
	const char *what = w == SW_ROUTES ? "routes" : w == SW_NEIGH ? "neighbours" : "netfilter rules";
	if (!cJSON_IsObject(root)) {
		fprintf(v->out, "%s: %s (the trace does not carry its scenario; give -c FILE)\n", what, none_recorded);
		cJSON_Delete(root);
		return;
	}
	fprintf(v->out, "%s (from the scenario: fixed for the whole trace)\n", what);
	if (w == SW_ROUTES) {
		const cJSON *fw = cJSON_GetObjectItemCaseSensitive(root, "forwarding");
		const cJSON *rp = cJSON_GetObjectItemCaseSensitive(root, "rp_filter");
		connected(v, cJSON_GetObjectItemCaseSensitive(root, "interfaces"));
		list_entries(v, cJSON_GetObjectItemCaseSensitive(root, "routes"), "other routes");
		fprintf(v->out, "  ip_forward %d  rp_filter %d\n", cJSON_IsTrue(fw), cJSON_IsNumber(rp) ? (int)rp->valuedouble : 0);
	} else if (w == SW_NEIGH) {
		list_entries(v, cJSON_GetObjectItemCaseSensitive(root, "neighbours"), "static neighbours");
	} else {
		list_entries(v, cJSON_GetObjectItemCaseSensitive(root, "netfilter"), "rules: every hook ACCEPTs");
	}
	cJSON_Delete(root);
}
