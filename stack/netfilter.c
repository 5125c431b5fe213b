/*
 * netfilter.c - the hook traversal, after net/netfilter/core.c
 * (nf_hook_slow, Linux 6.13), with the scenario's rules as the hook
 * functions (standing in for x_tables' ipt_do_table and ip6t_do_table:
 * each family's hooks see only its own rules), and REJECT after
 * net/ipv4/netfilter/nf_reject_ipv4.c (nf_send_unreach, nf_send_reset);
 * IPv6's packet view and REJECT are netfilter_ipv6.c's.
 *
 * Left out: conntrack (no state match, no defrag at -400), NAT, mangle
 * targets, user chains and jumps, nfqueue listeners (QUEUE finds none and
 * drops unless queue_bypass is set), ip_route_me_harder after LOCAL_OUT.
 * REPEAT calls the same hook function again, as 2.4's nf_iterate did;
 * modern kernels honour it only for verdicts re-injected from nfqueue.
 */
#include "netfilter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NF_MAX_REPEAT 3

struct nf_hooks {
	struct nf_rule *rules;		/* sorted by hook, priority, insertion */
	int n, cap;
};

const char *nf_hook_name(int hook)
{
	static const char *const n[] = { "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING" };
	return hook >= 0 && hook < NF_INET_NUMHOOKS ? n[hook] : "?";
}

const char *nf_target_name(int t)
{
	static const char *const n[] = { "ACCEPT", "DROP", "STOLEN", "QUEUE", "REPEAT", "REJECT", "LOG" };
	return t >= 0 && t <= NFT_LOG ? n[t] : "?";
}

static const char *const reject_names[NF_REJECT_MAX] = {
	"icmp-port-unreachable", "icmp-net-unreachable", "icmp-host-unreachable",
	"icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited",
	"icmp-admin-prohibited", "tcp-reset",
	"icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable", "icmp6-port-unreachable"
};

const char *nf_reject_name(int family, int with)
{
	if (family == NFPROTO_IPV6 && with == NF_REJECT_PORT_UNREACH)
		return reject_names[NF_REJECT6_PORT_UNREACH];
	return with >= 0 && with < NF_REJECT_MAX ? reject_names[with] : "?";
}

static int name_lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int nf_hook_lookup(const char *s)
{
	static const char *const n[] = { "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING" };
	static const char *const ipt[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
	int h = name_lookup(s, n, 5);
	return h >= 0 ? h : name_lookup(s, ipt, 5);
}

int nf_target_lookup(const char *s)
{
	static const char *const n[] = { "ACCEPT", "DROP", "STOLEN", "QUEUE", "REPEAT", "REJECT", "LOG" };
	return name_lookup(s, n, 7);
}

int nf_reject_lookup(const char *s)
{
	int r = name_lookup(s, reject_names, NF_REJECT_MAX);
	if (r < 0 && s && !strcmp(s, "tcp-rst"))
		r = NF_REJECT_TCP_RESET;
	return r;
}

int nf_register_rule(struct net *net, const struct nf_rule *rule)
{
	if (rule->hook < 0 || rule->hook >= NF_INET_NUMHOOKS)
		return -1;
	if (!net->nf && !(net->nf = calloc(1, sizeof(struct nf_hooks))))
		return -1;
	struct nf_hooks *h = net->nf;
	if (h->n == h->cap) {
		int cap = h->cap ? h->cap * 2 : 16;
		struct nf_rule *r = realloc(h->rules, (size_t)cap * sizeof(*r));
		if (!r)
			return -1;
		h->rules = r;
		h->cap = cap;
	}
	/* Insert after every rule that sorts before or equal: a stable order. */
	int at = h->n;
	while (at > 0 && (h->rules[at - 1].hook > rule->hook ||
			  (h->rules[at - 1].hook == rule->hook && h->rules[at - 1].priority > rule->priority)))
		at--;
	memmove(&h->rules[at + 1], &h->rules[at], (size_t)(h->n - at) * sizeof(*rule));
	h->rules[at] = *rule;
	h->rules[at].pkts = 0;
	h->n++;
	return 0;
}

void netfilter_exit(struct net *net)
{
	if (!net->nf)
		return;
	free(net->nf->rules);
	free(net->nf);
	net->nf = NULL;
}

void nf_for_each_rule(struct net *net, void (*fn)(void *ctx, const struct nf_rule *r), void *ctx)
{
	for (int i = 0; net->nf && i < net->nf->n; i++)
		fn(ctx, &net->nf->rules[i]);
}

static int fmt_ports(char *b, size_t len, const char *k, int lo, int hi)
{
	if (lo < 0)
		return 0;
	return lo == hi ? snprintf(b, len, " %s %d", k, lo) : snprintf(b, len, " %s %d:%d", k, lo, hi);
}

static int fmt_prefix(char *b, size_t len, const char *k, uint32_t a, uint32_t m)
{
	if (!m)
		return 0;
	return snprintf(b, len, " %s %s/%d", k, ip_fmt(a), __builtin_popcount(m));
}

static int fmt_prefix6(char *b, size_t len, const char *k, const struct in6 *a, int plen)
{
	return plen ? snprintf(b, len, " %s %s/%d", k, in6_fmt(a), plen) : 0;
}

static int fmt_proto(char *b, size_t len, int family, int proto)
{
	if (proto < 0)
		return 0;
	const char *n = proto == IPPROTO_TCP_ ? "tcp" : proto == IPPROTO_UDP_ ? "udp" :
		proto == IPPROTO_ICMP_ && family != NFPROTO_IPV6 ? "icmp" :
		proto == NEXTHDR_ICMP && family == NFPROTO_IPV6 ? "icmpv6" : NULL;
	return n ? snprintf(b, len, " proto %s", n) : snprintf(b, len, " proto %d", proto);
}

const char *nf_rule_fmt(const struct nf_rule *r, char *b, size_t len)
{
	const struct nf_match *m = &r->m;
	int v6 = r->family == NFPROTO_IPV6;
	size_t n = (size_t)snprintf(b, len, "%sprio %d:", v6 ? "ip6 " : "", r->priority);
	if (n < len) n += (size_t)fmt_proto(b + n, len - n, r->family, m->proto);
	if (n < len) n += (size_t)(v6 ? fmt_prefix6(b + n, len - n, "saddr", &m->saddr6, m->splen6)
				   : fmt_prefix(b + n, len - n, "saddr", m->saddr, m->smask));
	if (n < len) n += (size_t)(v6 ? fmt_prefix6(b + n, len - n, "daddr", &m->daddr6, m->dplen6)
				   : fmt_prefix(b + n, len - n, "daddr", m->daddr, m->dmask));
	if (m->icmp_type_set && n < len) n += (size_t)snprintf(b + n, len - n, " %s-type %u", v6 ? "icmpv6" : "icmp",
							 m->icmp_type);
	if (n < len) n += (size_t)fmt_ports(b + n, len - n, "sport", m->sport_lo, m->sport_hi);
	if (n < len) n += (size_t)fmt_ports(b + n, len - n, "dport", m->dport_lo, m->dport_hi);
	if (m->in[0] && n < len) n += (size_t)snprintf(b + n, len - n, " in %s", m->in);
	if (m->out[0] && n < len) n += (size_t)snprintf(b + n, len - n, " out %s", m->out);
	if (m->fragment >= 0 && n < len) n += (size_t)snprintf(b + n, len - n, " %sfragment", m->fragment ? "" : "!");
	if (m->tcp_mask && n < len) n += (size_t)snprintf(b + n, len - n, " tcp-flags 0x%02x/0x%02x", m->tcp_cmp, m->tcp_mask);
	if (n < len)
		snprintf(b + n, len - n, " -> %s%s%s", nf_target_name(r->target), r->target == NFT_REJECT ? " " : "",
			 r->target == NFT_REJECT ? nf_reject_name(r->family, r->reject_with) : "");
	return b;
}

/* The L4 ports, TCP flags and ICMP type, when the transport header is present. */
static void nf_pkt_parse(const struct sk_buff *skb, struct nf_pkt *p)
{
	const uint8_t *nh = skb_network_header(skb);
	memset(p, 0, sizeof(*p));
	p->family = NFPROTO_IPV4;
	p->icmp_type = -1;
	p->iph = (const struct iphdr *)nh;
	p->proto = p->iph->protocol;
	p->nonfirst_frag = (p->iph->frag_off & htons(IP_OFFSET)) != 0;
	p->thoff = ip_ihl(p->iph) * 4u;
	const uint8_t *th = nh + ip_ihl(p->iph) * 4;
	long avail = (long)(skb_tail_pointer(skb) - th);
	if (p->nonfirst_frag)
		return;		/* no L4 header in this fragment: port matches fail */
	if (p->iph->protocol == IPPROTO_ICMP_ && avail >= 1)
		p->icmp_type = th[0];
	if ((p->iph->protocol == IPPROTO_TCP_ || p->iph->protocol == IPPROTO_UDP_) && avail >= 4) {
		p->have_ports = 1;
		p->sport = (uint16_t)(th[0] << 8 | th[1]);
		p->dport = (uint16_t)(th[2] << 8 | th[3]);
	}
	if (p->iph->protocol == IPPROTO_TCP_ && avail >= 14) {
		p->have_flags = 1;
		p->tcp_flags = th[13];
	}
}

static int port_in(int lo, int hi, uint16_t v) { return v >= lo && v <= hi; }

/* ipt_do_table's per-rule test (ip_packet_match + the tcp/udp matches). */
static int nf_match_rule(const struct nf_match *m, const struct nf_pkt *p, const struct net_device *in,
			 const struct net_device *out)
{
	if (m->proto >= 0 && p->proto != m->proto)
		return 0;
	if (p->family == NFPROTO_IPV6 ? !nf_match_addr6(m, p) :
	    (p->iph->saddr & m->smask) != m->saddr || (p->iph->daddr & m->dmask) != m->daddr)
		return 0;
	if (m->icmp_type_set && p->icmp_type != m->icmp_type)
		return 0;
	if ((m->in[0] && (!in || strcmp(in->name, m->in))) || (m->out[0] && (!out || strcmp(out->name, m->out))))
		return 0;
	if (m->fragment >= 0 && m->fragment != p->nonfirst_frag)
		return 0;
	if (m->sport_lo >= 0 && (!p->have_ports || !port_in(m->sport_lo, m->sport_hi, p->sport)))
		return 0;
	if (m->dport_lo >= 0 && (!p->have_ports || !port_in(m->dport_lo, m->dport_hi, p->dport)))
		return 0;
	if (m->tcp_mask && (!p->have_flags || (p->tcp_flags & m->tcp_mask) != m->tcp_cmp))
		return 0;
	return 1;
}

/* nf_send_reset: a RST answering the offending TCP segment (RFC 793:
 * seq from its ACK, or ACK of everything it occupied). */
static void nf_send_reset(struct net *net, const struct nf_pkt *p, const struct sk_buff *old)
{
	const struct tcphdr *oth = (const struct tcphdr *)((const uint8_t *)p->iph + ip_ihl(p->iph) * 4);
	if (!p->have_flags || (p->tcp_flags & TCPHDR_RST) || ip_is_fragment(p->iph))
		return;
	uint32_t thoff = (uint32_t)((const uint8_t *)oth - skb_network_header(old));
	uint32_t dlen = ntohs(p->iph->tot_len) - thoff - (uint32_t)(oth->doff_res >> 4) * 4;
	struct sk_buff *nskb = alloc_skb(net, 40);
	if (!nskb)
		return;
	struct iphdr *iph = (struct iphdr *)skb_put(nskb, 40);
	struct tcphdr *th = (struct tcphdr *)(iph + 1);
	memset(iph, 0, 40);
	iph->ihl_version = 0x45;
	iph->tot_len = htons(40);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP_;
	iph->saddr = p->iph->daddr;
	iph->daddr = p->iph->saddr;
	th->source = oth->dest;
	th->dest = oth->source;
	th->doff_res = 5 << 4;
	if (p->tcp_flags & TCPHDR_ACK) {
		th->seq = oth->ack_seq;
		th->flags = TCPHDR_RST;
	} else {
		uint32_t occ = dlen + !!(p->tcp_flags & TCPHDR_SYN) + !!(p->tcp_flags & TCPHDR_FIN);
		th->ack_seq = htonl(ntohl(oth->seq) + occ);
		th->flags = TCPHDR_RST | TCPHDR_ACK;
	}
	th->check = htons(csum_tcpudp(iph->saddr, iph->daddr, IPPROTO_TCP_, th, 20));
	nskb->pkt = old->pkt;
	if (trace_on(net))
		jw_kv_str(trace_args(net), "reject_with", "tcp-reset");
	trace_step(net, old, "nf_send_reset", "REJECT --reject-with tcp-reset: RST to %s:%u", ip_fmt(iph->daddr),
		   ntohs(th->dest));
	ip_local_out(net, nskb);
}

/* nf_send_unreach: icmp_send needs a route on the offending skb; at
 * PRE_ROUTING there is none yet, so one towards its source is looked up
 * (nf_reject_fill_skb_dst). */
static void nf_send_unreach(struct net *net, struct sk_buff *skb, int hook, int with)
{
	static const int code[] = { ICMP_PORT_UNREACH, ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH,
				    9 /* NET_ANO */, 10 /* HOST_ANO */, ICMP_PKT_FILTERED };
	if (hook == NF_INET_PRE_ROUTING && IPCB(skb)->dst.type == RTN_UNSPEC &&
	    ip_route_output(net, ip_hdr(skb)->saddr, 0, &IPCB(skb)->dst) < 0)
		return;
	if (trace_on(net))
		jw_kv_str(trace_args(net), "reject_with", nf_reject_name(NFPROTO_IPV4, with));
	trace_step(net, skb, "nf_send_unreach", "REJECT --reject-with %s", nf_reject_name(NFPROTO_IPV4, with));
	icmp_send(net, skb, ICMP_DEST_UNREACH, code[with], 0);
}

static void nf_log_packet(struct net *net, const struct sk_buff *skb, int hook, const struct nf_pkt *p,
			  const struct net_device *in, const struct net_device *out)
{
	if (p->family == NFPROTO_IPV6)
		nf_log_packet6(net, skb, hook, p, in, out);
	else
		trace_step(net, skb, "nf_log_packet", "%s: IN=%s OUT=%s SRC=%s DST=%s LEN=%u TTL=%u ID=%u PROTO=%u%s",
			   nf_hook_name(hook), in ? in->name : "", out ? out->name : "", ip_fmt(p->iph->saddr),
			   ip_fmt(p->iph->daddr), ntohs(p->iph->tot_len), p->iph->ttl, ntohs(p->iph->id),
			   p->iph->protocol, p->nonfirst_frag ? " (fragment)" : "");
}

#define NF_WALK_MAX 32

/* The rules one traversal tried, for the hook's trace event. */
struct nf_walk {
	const struct nf_rule *tried[NF_WALK_MAX];
	uint8_t hit[NF_WALK_MAX];
	int n;
	const struct nf_rule *decided;	/* the rule whose target ended it */
	int repeats;
	int family;
};

static void nf_walk_add(struct nf_walk *w, const struct nf_rule *r, int hit)
{
	if (w->n < NF_WALK_MAX) {
		w->tried[w->n] = r;
		w->hit[w->n] = (uint8_t)hit;
	}
	w->n++;
}

/* One hook function: the rules of one priority, in order (ipt_do_table).
 * Returns its verdict; no terminal match means the policy, ACCEPT. */
static int nf_run_table(struct net *net, struct sk_buff *skb, int hook, struct nf_rule *r, int n,
			const struct nf_pkt *p, const struct net_device *in, const struct net_device *out,
			struct nf_walk *w)
{
again:
	for (int i = 0; i < n; i++) {
		if ((r[i].family == NFPROTO_IPV6) != (p->family == NFPROTO_IPV6))
			continue;	/* the other family's table */
		int hit = nf_match_rule(&r[i].m, p, in, out);
		nf_walk_add(w, &r[i], hit);
		if (!hit)
			continue;
		r[i].pkts++;
		switch (r[i].target) {
		case NFT_LOG:
			nf_log_packet(net, skb, hook, p, in, out);
			continue;
		case NFT_REPEAT:
			if (w->repeats++ < NF_MAX_REPEAT)
				goto again;
			w->decided = &r[i];
			return NF_ACCEPT;	/* a REPEAT loop: give up, as a guard */
		case NFT_ACCEPT:
			w->decided = &r[i];	/* ends this hook function only */
			return NF_ACCEPT;
		default:
			w->decided = &r[i];
			return r[i].target == NFT_STOLEN ? NF_STOLEN : r[i].target == NFT_QUEUE ? NF_QUEUE : NF_DROP;
		}
	}
	return NF_ACCEPT;
}

/* nf_hook_slow: the hook functions in ascending priority until one does
 * not accept. */
static int nf_hook_slow(struct net *net, int pf, int hook, struct sk_buff *skb, const struct net_device *in,
			const struct net_device *out, struct nf_walk *w)
{
	struct nf_hooks *h = net->nf;
	struct nf_pkt p;
	int i = 0;

	if (pf == NFPROTO_IPV6)
		nf_pkt_parse6(skb, &p);
	else
		nf_pkt_parse(skb, &p);
	while (i < h->n && h->rules[i].hook < hook)
		i++;
	while (i < h->n && h->rules[i].hook == hook) {
		int j = i;
		while (j < h->n && h->rules[j].hook == hook && h->rules[j].priority == h->rules[i].priority)
			j++;
		int v = nf_run_table(net, skb, hook, &h->rules[i], j - i, &p, in, out, w);
		if (v == NF_QUEUE && w->decided->queue_bypass) {
			/* nf_queue() finds no listener; with bypass nf_hook_slow
			 * goes on with the next hook function, not to okfn */
			trace_step(net, skb, "nf_queue", "no nfqueue listener; --queue-bypass: on to the next hook "
				   "function");
			v = NF_ACCEPT;
		}
		if (v != NF_ACCEPT)
			return v;
		i = j;
	}
	return NF_ACCEPT;
}

static int nf_hook_has_rules(const struct net *net, int pf, int hook)
{
	for (int i = 0; net->nf && i < net->nf->n; i++)
		if (net->nf->rules[i].hook == hook && (net->nf->rules[i].family == NFPROTO_IPV6) == (pf == NFPROTO_IPV6))
			return 1;
	return 0;
}

static const char *nf_verdict_name(int v)
{
	static const char *const n[] = { "DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT" };
	return v >= 0 && v <= NF_REPEAT ? n[v] : "?";
}

static void nf_hook_trace(struct net *net, const struct sk_buff *skb, int hook, const struct nf_walk *w, int v)
{
	char buf[160];
	struct jw *a = trace_args(net);
	jw_kv_str(a, "hook", nf_hook_name(hook));
	if (w->family == NFPROTO_IPV6)
		jw_kv_str(a, "family", "ipv6");
	jw_key(a, "rules");
	jw_arr_open(a);
	for (int i = 0; i < w->n && i < NF_WALK_MAX; i++) {
		jw_obj_open(a);
		jw_kv_str(a, "rule", nf_rule_fmt(w->tried[i], buf, sizeof(buf)));
		jw_kv_bool(a, "matched", w->hit[i]);
		jw_kv_int(a, "index", (int)(w->tried[i] - net->nf->rules));
		jw_kv_uint(a, "pkts", w->tried[i]->pkts);
		jw_obj_close(a);
	}
	jw_arr_close(a);
	jw_kv_str(a, "verdict", nf_verdict_name(v));
	if (w->decided && v != NF_ACCEPT)
		trace_step(net, skb, "nf_hook", "NF_INET_%s: %d rule(s) tried; \"%s\" decided: %s", nf_hook_name(hook),
			   w->n, nf_rule_fmt(w->decided, buf, sizeof(buf)), nf_verdict_name(v));
	else if (w->decided && w->decided->target == NFT_ACCEPT)
		trace_step(net, skb, "nf_hook", "NF_INET_%s: %d rule(s) tried; \"%s\" accepted (and no later hook "
			   "function dropped)", nf_hook_name(hook), w->n, nf_rule_fmt(w->decided, buf, sizeof(buf)));
	else
		trace_step(net, skb, "nf_hook", "NF_INET_%s: %d rule(s) tried, none decided: ACCEPT (policy)%s",
			   nf_hook_name(hook), w->n, w->repeats > NF_MAX_REPEAT ? " (REPEAT loop cut short)" : "");
}

/* What a non-ACCEPT verdict does to the skb. Returns NF_HOOK's result. */
static int nf_verdict_apply(struct net *net, struct sk_buff *skb, int hook, int v, const struct nf_walk *w)
{
	if (v == NF_STOLEN) {
		/* The hook owns it now; nothing else will see it. */
		kfree_skb(net, skb);
		return NET_RX_SUCCESS;
	}
	if (v == NF_QUEUE) {		/* bypass was handled in nf_hook_slow */
		trace_step(net, skb, "nf_queue", "no nfqueue listener (no userspace program bound the queue): dropped");
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return NET_RX_DROP;
	}
	if (w->decided && w->decided->target == NFT_REJECT && w->family == NFPROTO_IPV6) {
		struct nf_pkt p;
		nf_pkt_parse6(skb, &p);
		nf_reject6(net, skb, hook, w->decided->reject_with, &p);
	} else if (w->decided && w->decided->target == NFT_REJECT) {
		struct nf_pkt p;
		nf_pkt_parse(skb, &p);
		if (w->decided->reject_with == NF_REJECT_TCP_RESET)
			nf_send_reset(net, &p, skb);
		else
			nf_send_unreach(net, skb, hook, w->decided->reject_with);
	}
	kfree_skb_reason(net, skb, SKB_DROP_REASON_NETFILTER_DROP);
	return NET_RX_DROP;
}

static int nf_hook_pf(struct net *net, int pf, int hook, struct sk_buff *skb, struct net_device *in,
		      struct net_device *out, nf_okfn okfn)
{
	if (!nf_hook_has_rules(net, pf, hook)) {
		trace_step(net, skb, "nf_hook", "NF_INET_%s: no %srules registered, ACCEPT", nf_hook_name(hook),
			   pf == NFPROTO_IPV6 ? "ip6tables " : "");
		return okfn(net, skb);
	}
	struct nf_walk w = { .n = 0, .family = pf };	/* kilobytes: only when rules exist */
	int v = nf_hook_slow(net, pf, hook, skb, in, out, &w);
	if (trace_on(net))
		nf_hook_trace(net, skb, hook, &w, v);
	if (v == NF_ACCEPT)
		return okfn(net, skb);
	return nf_verdict_apply(net, skb, hook, v, &w);
}

int NF_HOOK(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	    struct net_device *out, nf_okfn okfn)
{
	return nf_hook_pf(net, NFPROTO_IPV4, hook, skb, in, out, okfn);
}

int NF_HOOK6(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	     struct net_device *out, nf_okfn okfn)
{
	return nf_hook_pf(net, NFPROTO_IPV6, hook, skb, in, out, okfn);
}
