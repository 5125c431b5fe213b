/*
 * scenario_route.c - the scenario's routing and filtering sections:
 * "routes", "forwarding", "rp_filter" (top level and per interface),
 * "icmp" (rate-limit sysctls) and "netfilter" rules. Not a kernel file:
 * it plays `ip route add`, `sysctl -w` and `iptables -A`, and refuses what
 * those would refuse, naming the field ("routes[1].via: ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fib.h"
#include "netfilter.h"
#include "scenario.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int route_type_lookup(const char *s)
{
	static const char *const n[] = { "unicast", "blackhole", "unreachable", "prohibit" };
	static const int t[] = { RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, n[i]))
			return t[i];
	return -1;
}

/* The device whose connected subnet holds ip (ip route's "Nexthop has
 * invalid gateway" otherwise). */
static struct net_device *dev_for_gateway(struct net *net, uint32_t ip)
{
	for (int i = 0; i < net->ndevs; i++)
		for (int j = 0; j < net->devs[i].naddrs; j++) {
			int plen = net->devs[i].addrs[j].ifa_prefixlen;
			uint32_t m = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
			if ((net->devs[i].addrs[j].ifa_local & m) == (ip & m))
				return &net->devs[i];
		}
	return NULL;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An optional string member: 0 absent, 1 present, -1 present but not a string. */
static int opt_str(const cJSON *o, const char *k, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 1;
}

/*
 * One route; checks in order: an object; "dst" a prefix with no host bits
 * set; "type" known; "via" an IPv4 address on a connected subnet; "dev" an
 * interface (required for unicast without "via"); "metric" >= 0.
 */
static int scenario_route_one(struct net *net, const cJSON *r, int i, char *err, size_t errlen)
{
	const char *dst = NULL, *via = NULL, *dev = NULL, *type = NULL;
	uint32_t addr, gw = 0;
	int plen, rtype = RTN_UNICAST, metric = 0;
	struct net_device *d = NULL;

	if (!cJSON_IsObject(r))
		FAIL("routes[%d]: expected an object like {\"dst\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\"}", i);
	if (opt_str(r, "type", &type) < 0 || (type && (rtype = route_type_lookup(type)) < 0))
		FAIL("routes[%d].type: expected \"unicast\", \"blackhole\", \"unreachable\" or \"prohibit\"", i);
	if (opt_str(r, "dst", &dst) > 0 && strchr(dst, ':'))
		return scenario_route6_one(net, r, i, rtype, err, errlen);	/* scenario_ipv6.c */
	if (opt_str(r, "dst", &dst) <= 0 || scenario_parse_prefix(dst, &addr, &plen) < 0)
		FAIL("routes[%d].dst: expected a prefix like \"10.1.0.0/16\" or \"0.0.0.0/0\"", i);
	if (addr & ~(plen ? htonl(0xffffffffu << (32 - plen)) : 0))
		FAIL("routes[%d].dst: \"%s\" has host bits set (Linux: \"Invalid prefix for given prefix length\")", i, dst);
	if (opt_str(r, "type", &type) < 0 || (type && (rtype = route_type_lookup(type)) < 0))
		FAIL("routes[%d].type: expected \"unicast\", \"blackhole\", \"unreachable\" or \"prohibit\"", i);
	if (opt_str(r, "via", &via) < 0 || (via && scenario_parse_ip(via, &gw) < 0))
		FAIL("routes[%d].via: \"%s\" is not an IPv4 address", i, via ? via : "(not a string)");
	if (opt_str(r, "dev", &dev) < 0 || (dev && !(d = dev_get_by_name(net, dev))))
		FAIL("routes[%d].dev: no interface named \"%s\"", i, dev ? dev : "(not a string)");
	if (rtype == RTN_UNICAST && gw && !d && !(d = dev_for_gateway(net, gw)))
		FAIL("routes[%d].via: %s is on no connected subnet (Linux: \"Nexthop has invalid gateway\")", i, via);
	if (rtype == RTN_UNICAST && !d)
		FAIL("routes[%d]: a unicast route needs \"via\" or \"dev\"", i);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "metric");
	if (m && (!cJSON_IsNumber(m) || m->valuedouble < 0))
		FAIL("routes[%d].metric: expected a number >= 0", i);
	metric = m ? m->valueint : 0;
	if (rtype != RTN_UNICAST)
		d = NULL, gw = 0;
	if (fib_add_route(net, addr, plen, gw, d ? d->ifindex : 0, rtype, metric) < 0)
		FAIL("routes[%d]: out of memory", i);
	return 0;
}

/* forwarding and rp_filter: top level first (ip_forward propagates to
 * every device), then interfaces[i] overrides. */
static int scenario_sysctl_bool(const cJSON *o, const char *k, const char *where, int *out, char *err,
				size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		FAIL("%s%s: expected true or false", where, k);
	*out = cJSON_IsTrue(v);
	return 1;
}

static int scenario_rp_filter(const cJSON *o, const char *where, int *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "rp_filter");
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valueint < 0 || v->valueint > 2 || v->valuedouble != v->valueint)
		FAIL("%srp_filter: expected 0 (off), 1 (strict) or 2 (loose)", where);
	*out = v->valueint;
	return 1;
}

static int scenario_iface_sysctls(struct net *net, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *ifs = cJSON_GetObjectItemCaseSensitive(root, "interfaces");
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, ifs) {
		char where[48];
		const char *name = str_of(it, "name");
		struct net_device *d = name ? dev_get_by_name(net, name) : dev_get_by_index(net, i + 1);
		snprintf(where, sizeof(where), "interfaces[%d].", i++);
		if (!d)
			continue;	/* the interfaces parser reports its own errors */
		int v;
		int r = scenario_sysctl_bool(it, "forwarding", where, &v, err, errlen);
		if (r < 0)
			return -1;
		if (r)
			d->forwarding = v;
		if ((r = scenario_rp_filter(it, where, &v, err, errlen)) < 0)
			return -1;
		if (r)
			d->rp_filter = v;
	}
	return 0;
}

/* "icmp": {"ratelimit_ms":1000,"ratemask":6168,"msgs_per_sec":1000,
 * "msgs_burst":50,"echo_ignore_all":false,"echo_ignore_broadcasts":true} */
static int scenario_icmp(struct net *net, const cJSON *o, char *err, size_t errlen)
{
	static const char *const ints[] = { "ratelimit_ms", "ratemask", "msgs_per_sec", "msgs_burst" };
	static const char *const bools[] = { "echo_ignore_all", "echo_ignore_broadcasts" };
	struct icmp_state *s = icmp_state(net);
	int *iv[] = { &s->ratelimit_ms, &s->ratemask, &s->msgs_per_sec, &s->msgs_burst };
	int *bv[] = { &s->echo_ignore_all, &s->echo_ignore_broadcasts };
	const cJSON *v;

	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		FAIL("icmp: expected an object like {\"ratelimit_ms\": 1000}");
	cJSON_ArrayForEach(v, o) {
		int k, found = 0;
		for (k = 0; k < 4 && !found; k++)
			if (!strcmp(v->string, ints[k])) {
				if (!cJSON_IsNumber(v) || v->valuedouble < 0)
					FAIL("icmp.%s: expected a number >= 0", v->string);
				*iv[k] = v->valueint;
				found = 1;
			}
		for (k = 0; k < 2 && !found; k++)
			if (!strcmp(v->string, bools[k])) {
				if (!cJSON_IsBool(v))
					FAIL("icmp.%s: expected true or false", v->string);
				*bv[k] = cJSON_IsTrue(v);
				found = 1;
			}
		if (!found)
			FAIL("icmp.%s: unknown setting (known: ratelimit_ms, ratemask, msgs_per_sec, msgs_burst, "
			     "echo_ignore_all, echo_ignore_broadcasts)", v->string);
	}
	s->global_credit = s->msgs_burst;
	return 0;
}

int scenario_routes(struct net *net, const cJSON *routes, const cJSON *root, char *err, size_t errlen)
{
	int v, r;

	if (root && (r = scenario_sysctl_bool(root, "forwarding", "", &v, err, errlen)) != 0) {
		if (r < 0)
			return -1;
		inet_forward_change(net, v);
	}
	if (root && (r = scenario_rp_filter(root, "", &v, err, errlen)) != 0) {
		if (r < 0)
			return -1;
		net->sysctl.rp_filter = v;
	}
	if (root && scenario_iface_sysctls(net, root, err, errlen) < 0)
		return -1;
	if (root && scenario_icmp(net, cJSON_GetObjectItemCaseSensitive(root, "icmp"), err, errlen) < 0)
		return -1;
	if (!routes)
		return 0;
	if (!cJSON_IsArray(routes))
		FAIL("routes: expected an array of routes");
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, routes)
		if (scenario_stopped(err, errlen) || scenario_route_one(net, it, i++, err, errlen) < 0)
			return -1;
	return 0;
}

/* -- netfilter -- */

static int nf_parse_proto(const cJSON *v, int *proto, int v6)
{
	if (cJSON_IsNumber(v) && v->valueint >= 0 && v->valueint <= 255)
		return *proto = v->valueint, 0;
	if (!cJSON_IsString(v))
		return -1;
	if (!strcmp(v->valuestring, v6 ? "icmpv6" : "icmp") || (v6 && !strcmp(v->valuestring, "ipv6-icmp")))
		*proto = v6 ? NEXTHDR_ICMP : IPPROTO_ICMP_;
	else if (!strcmp(v->valuestring, "tcp"))
		*proto = IPPROTO_TCP_;
	else if (!strcmp(v->valuestring, "udp"))
		*proto = IPPROTO_UDP_;
	else
		return -1;
	return 0;
}

/* 80, "80", "1000:2000" or "1000-2000". */
static int nf_parse_ports(const cJSON *v, int *lo, int *hi)
{
	if (cJSON_IsNumber(v)) {
		*lo = *hi = v->valueint;
		return v->valueint >= 0 && v->valueint <= 65535 && v->valuedouble == v->valueint ? 0 : -1;
	}
	if (!cJSON_IsString(v))
		return -1;
	char sep;
	int n = sscanf(v->valuestring, "%d%c%d", lo, &sep, hi);
	if (n == 1)
		*hi = *lo;
	else if (n != 3 || (sep != ':' && sep != '-'))
		return -1;
	return *lo >= 0 && *hi <= 65535 && *lo <= *hi ? 0 : -1;
}

/* "SYN" or "SYN,ACK": those set, the rest of SYN/ACK/FIN/RST clear
 * (iptables --tcp-flags SYN,ACK,FIN,RST <list>; "SYN" is --syn). */
static int nf_parse_tcp_flags(const char *s, uint8_t *mask, uint8_t *cmp)
{
	static const char *const n[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	*mask = TCPHDR_SYN | TCPHDR_ACK | TCPHDR_FIN | TCPHDR_RST;
	*cmp = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int k = 0;
		while (k < 8 && strcmp(t, n[k]))
			k++;
		if (k == 8)
			return -1;
		*cmp |= (uint8_t)(1 << k);
		*mask |= (uint8_t)(1 << k);
	}
	return *cmp ? 0 : -1;
}

static int nf_parse_addr(const cJSON *v, uint32_t *a, uint32_t *m)
{
	int plen;
	if (!cJSON_IsString(v) || scenario_parse_prefix(v->valuestring, a, &plen) < 0) {
		if (!cJSON_IsString(v) || scenario_parse_ip(v->valuestring, a) < 0)
			return -1;
		plen = 32;
	}
	*m = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
	*a &= *m;
	return 0;
}

/* An IPv6 rule's "fd00::/64" (or one address); host bits cleared. */
static int nf_parse_addr6(const cJSON *v, struct in6 *a, uint8_t *plen)
{
	int p;
	if (!cJSON_IsString(v) || scenario_parse_prefix6(v->valuestring, a, &p) < 0 || p == 0)
		return -1;
	for (int b = p; b < 128; b++)
		a->s6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	*plen = (uint8_t)p;
	return 0;
}

/* A type number, or ip6tables'/iptables' name of the common ones. */
static int nf_parse_icmp_type(const cJSON *v, int v6, uint8_t *type)
{
	static const struct { const char *n; int t4, t6; } names[] = {
		{ "echo-request", 8, 128 }, { "echo-reply", 0, 129 }, { "destination-unreachable", 3, 1 },
		{ "packet-too-big", -1, 2 }, { "time-exceeded", 11, 3 }, { "parameter-problem", 12, 4 },
		{ "router-solicitation", 10, 133 }, { "router-advertisement", 9, 134 },
		{ "neighbour-solicitation", -1, 135 }, { "neighbor-solicitation", -1, 135 },
		{ "neighbour-advertisement", -1, 136 }, { "neighbor-advertisement", -1, 136 }, { "redirect", 5, 137 },
	};
	if (cJSON_IsNumber(v) && v->valueint >= 0 && v->valueint <= 255 && v->valuedouble == v->valueint)
		return *type = (uint8_t)v->valueint, 0;
	for (size_t k = 0; cJSON_IsString(v) && k < sizeof(names) / sizeof(names[0]); k++) {
		int t = v6 ? names[k].t6 : names[k].t4;
		if (t >= 0 && !strcmp(v->valuestring, names[k].n))
			return *type = (uint8_t)t, 0;
	}
	return -1;
}

static int nf_parse_iface(const cJSON *v, char *out, size_t n)
{
	if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 || strlen(v->valuestring) >= n)
		return -1;
	snprintf(out, n, "%s", v->valuestring);
	return 0;
}

/* One "match" member; returns 0, or -1 with err naming it (w: "netfilter[i].match."). */
static int nf_parse_match_key(const cJSON *v, struct nf_match *m, int v6, const char *w, char *err, size_t errlen)
{
	const char *k = v->string;
	if (!strcmp(k, "proto")) {
		if (nf_parse_proto(v, &m->proto, v6) < 0)
			FAIL("%sproto: expected \"%s\", \"tcp\", \"udp\" or a protocol number", w, v6 ? "icmpv6" : "icmp");
	} else if ((!strcmp(k, "saddr") || !strcmp(k, "daddr")) && v6) {
		int s = k[0] == 's';
		if (nf_parse_addr6(v, s ? &m->saddr6 : &m->daddr6, s ? &m->splen6 : &m->dplen6) < 0)
			FAIL("%s%s: expected an IPv6 address or prefix like \"fd00::/64\" (\"family\": \"ipv6\")", w, k);
	} else if (!strcmp(k, "saddr") || !strcmp(k, "daddr")) {
		int s = k[0] == 's';
		if (nf_parse_addr(v, s ? &m->saddr : &m->daddr, s ? &m->smask : &m->dmask) < 0)
			FAIL("%s%s: expected an address or prefix like \"10.0.0.0/8\" (IPv6 ones need \"family\": "
			     "\"ipv6\")", w, k);
	} else if (!strcmp(k, "icmp_type")) {
		if (nf_parse_icmp_type(v, v6, &m->icmp_type) < 0)
			FAIL("%sicmp_type: expected a type number or a name like \"echo-request\"", w);
		m->icmp_type_set = 1;
	} else if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
		int s = k[0] == 's';
		if (nf_parse_ports(v, s ? &m->sport_lo : &m->dport_lo, s ? &m->sport_hi : &m->dport_hi) < 0)
			FAIL("%s%s: expected a port (80) or a range (\"1000:2000\")", w, k);
	} else if (!strcmp(k, "in") || !strcmp(k, "out")) {
		if (nf_parse_iface(v, k[0] == 'i' ? m->in : m->out, sizeof(m->in)) < 0)
			FAIL("%s%s: expected an interface name", w, k);
	} else if (!strcmp(k, "fragment")) {
		if (!cJSON_IsBool(v))
			FAIL("%sfragment: expected true (only non-first fragments) or false", w);
		m->fragment = cJSON_IsTrue(v);
	} else if (!strcmp(k, "tcp_flags")) {
		if (!cJSON_IsString(v) || nf_parse_tcp_flags(v->valuestring, &m->tcp_mask, &m->tcp_cmp) < 0)
			FAIL("%stcp_flags: expected flags like \"SYN\" or \"SYN,ACK\"", w);
	} else {
		FAIL("%s%s: unknown match (known: proto, saddr, daddr, sport, dport, in, out, fragment, tcp_flags, "
		     "icmp_type)", w, k);
	}
	return 0;
}

/* The match object; then iptables' rules: ports need -p tcp/udp, flags -p tcp. */
static int nf_parse_match(const cJSON *o, struct nf_match *m, int v6, int i, char *err, size_t errlen)
{
	char w[48];
	const cJSON *v;
	snprintf(w, sizeof(w), "netfilter[%d].match.", i);
	*m = (struct nf_match){ .proto = -1, .sport_lo = -1, .sport_hi = -1, .dport_lo = -1, .dport_hi = -1,
				.fragment = -1 };
	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		FAIL("netfilter[%d].match: expected an object like {\"proto\":\"icmp\"}", i);
	cJSON_ArrayForEach(v, o)
		if (nf_parse_match_key(v, m, v6, w, err, errlen) < 0)
			return -1;
	if ((m->sport_lo >= 0 || m->dport_lo >= 0) && m->proto != IPPROTO_TCP_ && m->proto != IPPROTO_UDP_)
		FAIL("%sdport: ports need \"proto\": \"tcp\" or \"udp\" (as iptables' -p)", w);
	if (m->tcp_mask && m->proto != IPPROTO_TCP_)
		FAIL("%stcp_flags: needs \"proto\": \"tcp\"", w);
	if (m->icmp_type_set && m->proto != (v6 ? NEXTHDR_ICMP : IPPROTO_ICMP_))
		FAIL("%sicmp_type: needs \"proto\": \"%s\"", w, v6 ? "icmpv6" : "icmp");
	return 0;
}

static int nf_parse_priority(const cJSON *v, int *prio)
{
	static const char *const n[] = { "raw", "mangle", "nat_dst", "filter", "security", "nat_src" };
	static const int p[] = { NF_IP_PRI_RAW, NF_IP_PRI_MANGLE, NF_IP_PRI_NAT_DST, NF_IP_PRI_FILTER,
				 NF_IP_PRI_SECURITY, NF_IP_PRI_NAT_SRC };
	*prio = NF_IP_PRI_FILTER;
	if (!v)
		return 0;
	if (cJSON_IsNumber(v))
		return *prio = v->valueint, 0;
	for (int k = 0; cJSON_IsString(v) && k < 6; k++)
		if (!strcmp(v->valuestring, n[k]))
			return *prio = p[k], 0;
	return -1;
}

/* "family": "ipv4" (the default, iptables) or "ipv6" (ip6tables). */
static int nf_parse_family(const cJSON *o, int *family)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "family");
	*family = NFPROTO_IPV4;
	if (!v)
		return 0;
	if (cJSON_IsString(v) && !strcmp(v->valuestring, "ipv6"))
		return *family = NFPROTO_IPV6, 0;
	return cJSON_IsString(v) && !strcmp(v->valuestring, "ipv4") ? 0 : -1;
}

/* "reject_with" fits the family: icmp6-* for ip6tables, icmp-* for iptables. */
static int nf_reject_fits(int family, int with)
{
	if (with == NF_REJECT_TCP_RESET)
		return 1;
	return (family == NFPROTO_IPV6) == (with >= NF_REJECT6_NOROUTE);
}

/*
 * One rule; checks in order: an object; "family"; "hook" one of the five; "match";
 * "verdict" a known target, REJECT not at POST_ROUTING; "reject_with"
 * only with REJECT and known;
 * "priority" a number or a table name; "queue_bypass" a boolean.
 */
static int scenario_nf_rule(struct net *net, const cJSON *o, int i, char *err, size_t errlen)
{
	struct nf_rule r = { 0 };
	const char *s;

	if (!cJSON_IsObject(o))
		FAIL("netfilter[%d]: expected an object like {\"hook\":\"PRE_ROUTING\",\"verdict\":\"DROP\"}", i);
	if (nf_parse_family(o, &r.family) < 0)
		FAIL("netfilter[%d].family: expected \"ipv4\" (iptables) or \"ipv6\" (ip6tables)", i);
	int v6 = r.family == NFPROTO_IPV6;
	if (!(s = str_of(o, "hook")) || (r.hook = nf_hook_lookup(s)) < 0)
		FAIL("netfilter[%d].hook: expected PRE_ROUTING, LOCAL_IN, FORWARD, LOCAL_OUT or POST_ROUTING", i);
	if (nf_parse_match(cJSON_GetObjectItemCaseSensitive(o, "match"), &r.m, v6, i, err, errlen) < 0)
		return -1;
	if (!(s = str_of(o, "verdict")) || (r.target = nf_target_lookup(s)) < 0)
		FAIL("netfilter[%d].verdict: expected ACCEPT, DROP, REJECT, LOG, QUEUE, STOLEN or REPEAT", i);
	if (r.target == NFT_REJECT && r.hook == NF_INET_POST_ROUTING)	/* nft_reject_validate's hooks */
		FAIL("netfilter[%d].verdict: REJECT is not allowed at POST_ROUTING; Linux rejects at PRE_ROUTING, "
		     "LOCAL_IN, FORWARD and LOCAL_OUT only (use DROP there)", i);
	if ((s = str_of(o, "reject_with")) != NULL) {
		if (r.target != NFT_REJECT)
			FAIL("netfilter[%d].reject_with: only with \"verdict\": \"REJECT\"", i);
		if ((r.reject_with = nf_reject_lookup(s)) < 0 || !nf_reject_fits(r.family, r.reject_with))
			FAIL("netfilter[%d].reject_with: \"%s\" unknown for %s (%s, tcp-reset)", i, s, v6 ? "ip6tables" :
			     "iptables", v6 ? "icmp6-port-unreachable, icmp6-no-route, icmp6-adm-prohibited, "
			     "icmp6-addr-unreachable" : "icmp-port-unreachable, icmp-net-unreachable, icmp-host-unreachable, "
			     "icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited");
		if (r.reject_with == NF_REJECT_TCP_RESET && r.m.proto != IPPROTO_TCP_)
			FAIL("netfilter[%d].reject_with: tcp-reset needs \"match\": {\"proto\": \"tcp\"}", i);
	}
	if (nf_parse_priority(cJSON_GetObjectItemCaseSensitive(o, "priority"), &r.priority) < 0)
		FAIL("netfilter[%d].priority: expected a number or raw, mangle, nat_dst, filter, security, nat_src", i);
	const cJSON *qb = cJSON_GetObjectItemCaseSensitive(o, "queue_bypass");
	if (qb && !cJSON_IsBool(qb))
		FAIL("netfilter[%d].queue_bypass: expected true or false", i);
	r.queue_bypass = qb && cJSON_IsTrue(qb);
	if (nf_register_rule(net, &r) < 0)
		FAIL("netfilter[%d]: out of memory", i);
	return 0;
}

int scenario_netfilter(struct net *net, const cJSON *rules, char *err, size_t errlen)
{
	const cJSON *it;
	int i = 0;
	if (!rules)
		return 0;
	if (!cJSON_IsArray(rules))
		FAIL("netfilter: expected an array of rules");
	cJSON_ArrayForEach(it, rules)
		if (scenario_stopped(err, errlen) || scenario_nf_rule(net, it, i++, err, errlen) < 0)
			return -1;
	return 0;
}
