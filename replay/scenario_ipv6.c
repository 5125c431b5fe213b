/*
 * scenario_ipv6.c - the scenario's IPv6 parts: addresses in "addrs"
 * ("fd00::2/64"), IPv6 neighbours and routes (recognised by a ':' in the
 * address), and the "ipv6" sysctl object:
 *   "ipv6": {"forwarding": false, "hop_limit": 64, "disable_ipv6": false,
 *            "ip6frag_high_thresh": 4194304, "ip6frag_low_thresh": 3145728,
 *            "ip6frag_time": 60, "icmp_ratelimit": 100,
 *            "echo_ignore_all": false, "echo_ignore_multicast": false,
 *            "accept_ra": 1}
 * Not a kernel file: it plays `ip -6 addr/route/neigh add` and `sysctl -w
 * net.ipv6.*`, and refuses what those would refuse, naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv6.h"
#include "scenario.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int scenario_parse_prefix6(const char *s, struct in6 *addr, int *plen)
{
	char buf[64];
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	if (!slash) {
		*plen = 128;
		return in6_pton(s, addr);
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	long p = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || p < 0 || p > 128)
		return -1;
	*plen = (int)p;
	return in6_pton(buf, addr);
}

int scenario_addr6(struct net *net, struct net_device *dev, const char *s, int i, int j, char *err, size_t errlen)
{
	struct in6 a;
	int plen;
	if (scenario_parse_prefix6(s, &a, &plen) < 0)
		FAIL("interfaces[%d].addrs[%d]: \"%s\" is not an IPv6 prefix like \"fd00::2/64\"", i, j, s);
	if (ipv6_addr_is_multicast(&a) || ipv6_addr_any(&a) || (ipv6_addr_loopback(&a) && !dev_is_loopback(dev)))
		FAIL("interfaces[%d].addrs[%d]: %s cannot be an interface address", i, j, s);
	if (ipv6_add_addr(net, dev, &a, plen) < 0)
		FAIL("interfaces[%d].addrs[%d]: at most %d IPv6 addresses per interface", i, j, NJ_MAX_ADDRS6);
	return 0;
}

int scenario_neigh6(struct net *net, struct net_device *dev, const char *ip, const uint8_t mac[6], int i, char *err,
		    size_t errlen)
{
	struct in6 a;
	if (in6_pton(ip, &a) < 0 || ipv6_addr_is_multicast(&a) || ipv6_addr_any(&a))
		FAIL("neighbours[%d].ip: \"%s\" is not a unicast IPv6 address", i, ip);
	if (ndisc_add_static(net, dev, &a, mac) < 0)
		FAIL("neighbours[%d]: neighbour table full", i);
	return 0;
}

/* The device whose on-link prefix (or fe80::/64) holds gw. */
static struct net_device *dev_for_gateway6(struct net *net, const struct in6 *gw)
{
	struct rt6_dst dst;
	if (ip6_route_output(net, gw, 0, &dst) < 0 || dst.gw)
		return NULL;
	return dev_get_by_index(net, dst.oif);
}

/* One IPv6 route: "dst" a prefix (host bits may not be set), "type" as for
 * IPv4, "via" an IPv6 address on a connected prefix (a link-local one needs
 * "dev"), "metric" (default 1024, as ip -6 route add). */
int scenario_route6_one(struct net *net, const cJSON *r, int i, int rtype, char *err, size_t errlen)
{
	const cJSON *dst = cJSON_GetObjectItemCaseSensitive(r, "dst"), *via = cJSON_GetObjectItemCaseSensitive(r, "via");
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(r, "dev"), *m = cJSON_GetObjectItemCaseSensitive(r, "metric");
	struct in6 addr, gw = { { 0 } }, chk;
	struct net_device *d = NULL;
	int plen;

	if (!cJSON_IsString(dst) || scenario_parse_prefix6(dst->valuestring, &addr, &plen) < 0)
		FAIL("routes[%d].dst: expected an IPv6 prefix like \"2001:db8::/32\" or \"::/0\"", i);
	chk = addr;
	for (int b = plen; b < 128; b++)
		chk.s6[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	if (!ipv6_addr_equal(&chk, &addr))
		FAIL("routes[%d].dst: \"%s\" has host bits set", i, dst->valuestring);
	if (via && (!cJSON_IsString(via) || in6_pton(via->valuestring, &gw) < 0))
		FAIL("routes[%d].via: not an IPv6 address", i);
	if (dev && (!cJSON_IsString(dev) || !(d = dev_get_by_name(net, dev->valuestring))))
		FAIL("routes[%d].dev: no interface named \"%s\"", i, cJSON_IsString(dev) ? dev->valuestring : "(not a string)");
	if (rtype == RTN_UNICAST && via && !d && (ipv6_addr_linklocal(&gw) || !(d = dev_for_gateway6(net, &gw))))
		FAIL("routes[%d].via: %s is on no connected prefix (a link-local gateway needs \"dev\")", i, via->valuestring);
	if (rtype == RTN_UNICAST && !d)
		FAIL("routes[%d]: a unicast route needs \"via\" or \"dev\"", i);
	if (m && (!cJSON_IsNumber(m) || m->valuedouble < 0))
		FAIL("routes[%d].metric: expected a number >= 0", i);
	if (rtype != RTN_UNICAST)
		d = NULL;
	if (ip6_route_add(net, &addr, plen, via ? &gw : NULL, d ? d->ifindex : 0, rtype, m ? m->valueint : 1024) < 0)
		FAIL("routes[%d]: at most %d IPv6 routes", i, RT6_MAX);
	return 0;
}

static int ipv6_bool(const cJSON *o, const char *k, int *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		FAIL("ipv6.%s: expected true or false", k);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int ipv6_num(const cJSON *o, const char *k, double lo, double hi, double *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
		FAIL("ipv6.%s: expected a number %.0f..%.0f", k, lo, hi);
	*out = v->valuedouble;
	return 0;
}

int scenario_ipv6_sysctls(struct net *net, const cJSON *o, char *err, size_t errlen)
{
	struct ipv6_state *s = ipv6_state(net);
	double hl = -1, hi = -1, lo = -1, t = -1, rl = -1, ra = -1;
	if (!o)
		return 0;
	if (!cJSON_IsObject(o) || !s)
		FAIL("ipv6: expected an object like {\"forwarding\": true}");
	if (ipv6_bool(o, "forwarding", &s->sysctl.forwarding, err, errlen) < 0 ||
	    ipv6_bool(o, "disable_ipv6", &s->sysctl.disable_ipv6, err, errlen) < 0 ||
	    ipv6_bool(o, "echo_ignore_all", &s->sysctl.echo_ignore_all, err, errlen) < 0 ||
	    ipv6_bool(o, "echo_ignore_multicast", &s->sysctl.echo_ignore_multicast, err, errlen) < 0 ||
	    ipv6_num(o, "hop_limit", 1, 255, &hl, err, errlen) < 0 ||
	    ipv6_num(o, "ip6frag_high_thresh", 0, 1e10, &hi, err, errlen) < 0 ||
	    ipv6_num(o, "ip6frag_low_thresh", 0, 1e10, &lo, err, errlen) < 0 ||
	    ipv6_num(o, "ip6frag_time", 1, 3600, &t, err, errlen) < 0 ||
	    ipv6_num(o, "icmp_ratelimit", 0, 1e7, &rl, err, errlen) < 0 ||
	    ipv6_num(o, "accept_ra", 0, 2, &ra, err, errlen) < 0)
		return -1;
	if (ra >= 0)
		s->sysctl.accept_ra = (int)ra;
	if (hl >= 0)
		s->sysctl.hop_limit = (int)hl;
	if (hi >= 0)
		s->sysctl.ip6frag_high_thresh = (uint64_t)hi;
	if (lo >= 0)
		s->sysctl.ip6frag_low_thresh = (uint64_t)lo;
	if (t >= 0)
		s->sysctl.ip6frag_time_ns = (uint64_t)(t * 1e9);
	if (rl >= 0)
		s->sysctl.icmp_ratelimit_ms = (int)rl;
	return 0;
}
