/*
 * diffkernel_nft.c - the scenario's netfilter rules for the kernel half of
 * diff-kernel, as nftables. The rules of one hook at one priority are one
 * base chain with policy accept, just as stack/netfilter.c runs them as one
 * hook function: an accept ends that chain only, a drop ends the hook, and
 * the chains run in priority order. Loaded with `ip netns exec HOST nft -f -`.
 * A rule with no nftables form is refused, naming it, rather than left out:
 * a comparison without it would blame the stack for the tool. Not a kernel
 * file.
 */
#include "diffkernel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cJSON.h"
#include "netfilter.h"
#include "scenario.h"

extern char **environ;

static const char *const nft_hooks[] = { "prerouting", "input", "forward", "output", "postrouting" };

/* nft's names for the ICMP codes of enum nf_reject_with ("type" keeps older nft happy). */
static const char *const nft_rejects[] = {
	"icmp type port-unreachable", "icmp type net-unreachable", "icmp type host-unreachable",
	"icmp type prot-unreachable", "icmp type net-prohibited", "icmp type host-prohibited",
	"icmp type admin-prohibited", "tcp reset",
	"icmpv6 type no-route", "icmpv6 type admin-prohibited", "icmpv6 type addr-unreachable",
	"icmpv6 type port-unreachable"
};

/* A growing string: every append is checked once, at the end. */
struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (int tries = 0; tries < 2 && !b->oom; tries++) {
		va_start(ap, fmt);
		int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)k;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static void nft_proto(struct sbuf *b, int proto)
{
	if (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_ || proto == IPPROTO_ICMP_)
		sb_add(b, " ip protocol %s", proto == IPPROTO_TCP_ ? "tcp" : proto == IPPROTO_UDP_ ? "udp" : "icmp");
	else
		sb_add(b, " ip protocol %d", proto);
}

/* An IPv6 rule's protocol is the upper-layer header past any extension
 * headers, as ip6tables' -p: nft's meta l4proto. */
static void nft_proto6(struct sbuf *b, int proto)
{
	if (proto == NEXTHDR_TCP || proto == NEXTHDR_UDP || proto == NEXTHDR_ICMP)
		sb_add(b, " meta l4proto %s", proto == NEXTHDR_TCP ? "tcp" : proto == NEXTHDR_UDP ? "udp" : "ipv6-icmp");
	else
		sb_add(b, " meta l4proto %d", proto);
}

static void nft_prefix6(struct sbuf *b, const char *k, const struct in6 *a, int plen)
{
	if (plen)
		sb_add(b, " ip6 %s %s/%d", k, in6_fmt(a), plen);
}

static void nft_prefix(struct sbuf *b, const char *k, uint32_t a, uint32_t m)
{
	int plen = __builtin_popcount(m);
	if (!m)
		return;
	if (plen == 32)
		sb_add(b, " ip %s %s", k, ip_fmt(a));
	else
		sb_add(b, " ip %s %s/%d", k, ip_fmt(a), plen);
}

/* Ports test the transport header, which nft (like xt_tcpudp) finds only
 * in a first fragment; the rule's protocol names the header. */
static void nft_ports(struct sbuf *b, int proto, const char *k, int lo, int hi)
{
	if (lo < 0)
		return;
	const char *p = proto == IPPROTO_TCP_ ? "tcp" : "udp";
	if (lo == hi)
		sb_add(b, " %s %s %d", p, k, lo);
	else
		sb_add(b, " %s %s %d-%d", p, k, lo, hi);
}

/* The flag names of bits, "fin | syn", or 0x0 for none. */
static void nft_flag_list(struct sbuf *b, uint8_t bits)
{
	static const char *const n[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	int first = 1;
	if (!bits)
		sb_add(b, "0x0");
	for (int k = 0; k < 8; k++)
		if (bits & (1 << k)) {
			sb_add(b, "%s%s", first ? "" : " | ", n[k]);
			first = 0;
		}
}

static void nft_tcp_flags(struct sbuf *b, uint8_t mask, uint8_t cmp)
{
	if (!mask)
		return;
	sb_add(b, " tcp flags & (");
	nft_flag_list(b, mask);
	sb_add(b, ") == ");
	nft_flag_list(b, cmp);
}

/* Interface names go between quotes: refuse what would end the string. */
static int nft_ifname(struct sbuf *b, const char *k, const char *name, char *err, size_t errlen)
{
	if (!name[0])
		return 0;
	for (const char *c = name; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) {
			snprintf(err, errlen, "interface name \"%s\" cannot be written as an nft string", name);
			return -1;
		}
	sb_add(b, " %s \"%s\"", k, name);
	return 0;
}

/* The verdict statement; -1 with err for targets nftables has no form of. */
static int nft_verdict(struct sbuf *b, const struct nf_rule *r, char *err, size_t errlen)
{
	switch (r->target) {
	case NFT_ACCEPT:
		sb_add(b, " accept");
		return 0;
	case NFT_DROP:
		sb_add(b, " drop");
		return 0;
	case NFT_LOG:
		sb_add(b, " log");	/* goes on, like iptables' LOG */
		return 0;
	case NFT_QUEUE:
		/* diff-kernel binds no queue: nf_queue finds no listener and
		 * drops, or with bypass goes on to the next hook function,
		 * which is what the next chain is. (Also: nft_queue is not
		 * built into every kernel, and then the rule would not load.) */
		sb_add(b, " %s", r->queue_bypass ? "accept" : "drop");
		return 0;
	case NFT_REJECT:
		if (r->hook == NF_INET_POST_ROUTING) {
			snprintf(err, errlen, "REJECT at POST_ROUTING: Linux rejects only at prerouting, input, forward "
				 "and output (nft_reject_validate; iptables' REJECT not even at PREROUTING)");
			return -1;
		}
		sb_add(b, " reject with %s", nft_rejects[r->family == NFPROTO_IPV6 && r->reject_with ==
						       NF_REJECT_PORT_UNREACH ? NF_REJECT6_PORT_UNREACH : r->reject_with]);
		return 0;
	default:
		snprintf(err, errlen, "verdict %s: nftables has no such statement (%s)", nf_target_name(r->target),
			 r->target == NFT_REPEAT ? "Linux 6.x repeats a hook only for a verdict an nfqueue listener "
						   "sends back" : "only kernel hook functions steal packets");
		return -1;
	}
}

static int nft_rule_sb(struct sbuf *b, const struct nf_rule *r, char *err, size_t errlen)
{
	const struct nf_match *m = &r->m;
	if (r->hook < 0 || r->hook >= NF_INET_NUMHOOKS) {
		snprintf(err, errlen, "hook %d unknown", r->hook);
		return -1;
	}
	int v6 = r->family == NFPROTO_IPV6;
	if (m->proto >= 0 && v6)
		nft_proto6(b, m->proto);
	else if (m->proto >= 0)
		nft_proto(b, m->proto);
	if (v6) {
		nft_prefix6(b, "saddr", &m->saddr6, m->splen6);
		nft_prefix6(b, "daddr", &m->daddr6, m->dplen6);
	} else {
		nft_prefix(b, "saddr", m->saddr, m->smask);
		nft_prefix(b, "daddr", m->daddr, m->dmask);
	}
	if (m->fragment >= 0 && v6) {
		snprintf(err, errlen, "an IPv6 fragment match: nft's exthdr frag has no form for \"no fragment "
			 "header or offset 0\"");
		return -1;
	}
	if (m->fragment >= 0)
		sb_add(b, " ip frag-off & 0x1fff %s 0", m->fragment ? "!=" : "==");
	if (m->icmp_type_set)
		sb_add(b, " %s type %u", v6 ? "icmpv6" : "icmp", m->icmp_type);
	nft_ports(b, m->proto, "sport", m->sport_lo, m->sport_hi);
	nft_ports(b, m->proto, "dport", m->dport_lo, m->dport_hi);
	nft_tcp_flags(b, m->tcp_mask, m->tcp_cmp);
	if (nft_ifname(b, "iifname", m->in, err, errlen) < 0 || nft_ifname(b, "oifname", m->out, err, errlen) < 0)
		return -1;
	return nft_verdict(b, r, err, errlen);
}

int dk_nft_rule(const struct nf_rule *r, char *out, size_t outlen, char *err, size_t errlen)
{
	struct sbuf b = { 0 };
	int ret = nft_rule_sb(&b, r, err, errlen);
	if (ret == 0 && b.oom) {
		snprintf(err, errlen, "out of memory");
		ret = -1;
	}
	if (ret == 0 && b.n >= outlen) {
		snprintf(err, errlen, "rule longer than %zu bytes", outlen);
		ret = -1;
	}
	if (ret == 0)
		memcpy(out, b.s + 1, b.n);	/* without the leading space */
	free(b.s);
	return ret;
}

/* -- the scenario's rules, in its order, each with its index -- */
struct nft_item {
	struct nf_rule r;
	int idx;
};

static void copy_rule(void *ctx, const struct nf_rule *r)
{
	*(struct nf_rule *)ctx = *r;
}

/* Rule i parsed on its own by the scenario loader, so errors can name it. */
static int parse_one(const cJSON *o, int i, struct nft_item *it, char *err, size_t errlen)
{
	struct net *tmp = net_create();
	cJSON *arr = cJSON_CreateArray();
	int r = -1;
	if (!tmp || !arr || !cJSON_AddItemReferenceToArray(arr, (cJSON *)o))
		snprintf(err, errlen, "out of memory");
	else if (scenario_netfilter(tmp, arr, err, errlen) == 0) {
		nf_for_each_rule(tmp, copy_rule, &it->r);
		it->idx = i;
		r = 0;
	}
	cJSON_Delete(arr);
	net_destroy(tmp);
	return r;
}

static int is6(const struct nft_item *it)
{
	return it->r.family == NFPROTO_IPV6;
}

/* Stable: the scenario's order within one hook and priority is the chain's;
 * IPv4 rules first (table ip), then IPv6 ones (table ip6). */
static void sort_items(struct nft_item *v, int n)
{
	for (int i = 1; i < n; i++) {
		struct nft_item t = v[i];
		int j = i;
		while (j > 0 && (is6(&v[j - 1]) > is6(&t) || (is6(&v[j - 1]) == is6(&t) && (v[j - 1].r.hook > t.r.hook ||
				 (v[j - 1].r.hook == t.r.hook && v[j - 1].r.priority > t.r.priority))))) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

static void chain_name(struct sbuf *b, const struct nf_rule *r)
{
	unsigned mag = r->priority < 0 ? 0u - (unsigned)r->priority : (unsigned)r->priority;
	sb_add(b, "%s_%c%u", nft_hooks[r->hook], r->priority < 0 ? 'm' : 'p', mag);
}

static void chain_open(struct sbuf *b, const struct nf_rule *r)
{
	sb_add(b, "\tchain ");
	chain_name(b, r);
	sb_add(b, " {\n\t\ttype filter hook %s priority %d; policy accept;\n", nft_hooks[r->hook], r->priority);
}

/* IPv4 rules into table ip, IPv6 ones into table ip6: each family's hooks. */
static int emit(struct sbuf *b, const struct nft_item *v, int n, char *err, size_t errlen)
{
	char why[512], line[1024], desc[160];
	for (int i = 0; i < n; i++) {
		const struct nf_rule *r = &v[i].r;
		if (dk_nft_rule(r, line, sizeof(line), why, sizeof(why)) < 0) {
			snprintf(err, errlen, "netfilter[%d] (%s %s) has no nftables form: %s", v[i].idx,
				 nf_hook_name(r->hook), nf_rule_fmt(r, desc, sizeof(desc)), why);
			return -1;
		}
		if (i == 0 || is6(&v[i]) != is6(&v[i - 1])) {
			sb_add(b, "%s%s", i ? "\t}\n}\n" : "", is6(&v[i]) ? "table ip6 netjourney6 {\n" :
			       "table ip netjourney {\n");
			chain_open(b, r);
		} else if (r->hook != v[i - 1].r.hook || r->priority != v[i - 1].r.priority) {
			sb_add(b, "\t}\n");
			chain_open(b, r);
		}
		sb_add(b, "\t\t%s comment \"netfilter[%d]\"\n", line, v[i].idx);
	}
	sb_add(b, "%s", n ? "\t}\n}\n" : "");
	return 0;
}

int dk_nft_ruleset(const char *scenario_json, char **text, int *nrules, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(scenario_json);
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "netfilter"), *o;
	int n = cJSON_GetArraySize(rules), i = 0, ret = -1;
	struct nft_item *v = calloc((size_t)n + 1, sizeof(*v));
	struct sbuf b = { 0 };

	*text = NULL;
	*nrules = 0;
	if (!root || !v) {
		snprintf(err, errlen, root ? "out of memory" : "scenario: not valid JSON");
		goto out;
	}
	cJSON_ArrayForEach(o, rules)
		if (parse_one(o, i, &v[i], err, errlen) < 0)
			goto out;
		else
			i++;
	sort_items(v, n);
	if (n && emit(&b, v, n, err, errlen) < 0)
		goto out;
	if (b.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*text = b.s;
	b.s = NULL;
	*nrules = n;
	ret = 0;
out:
	free(b.s);
	free(v);
	cJSON_Delete(root);
	return ret;
}

int dk_have_prog(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096], full[4200];
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/%s", d, prog);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* nft's complaint (it names the line and the rule's comment) into err. */
static void read_complaint(int fd, char *err, size_t errlen, const char *ns)
{
	char msg[2048];
	size_t n = 0;
	ssize_t k;
	while (n + 1 < sizeof(msg) && ((k = read(fd, msg + n, sizeof(msg) - 1 - n)) > 0 || (k < 0 && errno == EINTR)))
		n += k > 0 ? (size_t)k : 0;
	msg[n] = 0;
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	snprintf(err, errlen, "nft could not load the scenario's rules in %s:\n%s", ns, n ? msg : "(no message)");
}

int dk_nft_load(const struct dk_env *env, const char *ruleset, char *err, size_t errlen)
{
	char *argv[] = { "ip", "netns", "exec", (char *)env->host, "nft", "-f", "-", NULL };
	int in[2], ep[2], st = 0;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(ep[1]);
	/* nft reads all of its input before it says anything: write, then
	 * read. If it is gone early (ip netns exec failed), EPIPE, not SIGPIPE. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	size_t len = strlen(ruleset), off = 0;
	while (r == 0 && off < len) {
		ssize_t k = write(in[1], ruleset + off, len - off);
		if (k < 0 && errno != EINTR)
			break;
		off += k > 0 ? (size_t)k : 0;
	}
	close(in[1]);
	sigaction(SIGPIPE, &old, NULL);
	if (r == 0)
		read_complaint(ep[0], err, errlen, env->host);
	close(ep[0]);
	if (r != 0) {
		snprintf(err, errlen, "cannot run ip netns exec ... nft: %s", strerror(r));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}
