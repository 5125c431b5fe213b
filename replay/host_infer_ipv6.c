/*
 * host_infer_ipv6.c - the IPv6 side of host inference (see host_infer.h).
 * Not a kernel file. Pass 1 counts every unicast IPv6 address and the MAC
 * each was sent from, and notes router advertisements. The host's IPv6
 * addresses are those its MAC sent from; on raw and cooked links, the
 * address in most IPv6 packets (which is also how a capture with no IPv4
 * at all gets a host). Pass 2 finds its on-link IPv6 neighbours (their
 * traffic to it, neighbour advertisements), its default router (the
 * sender of router advertisements with a lifetime, else the link-local
 * address of the MAC its off-link IPv6 went to) and the ports its IPv6
 * SYN-ACKs and UDP show listening (the scenario's listeners are
 * dual-stack), and its IPv6 TCP connections, which go into the scenario's
 * "connections" as its IPv4 ones do (host_infer_sock.c).
 */
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "host_infer_int.h"

#define PACKET_HOST_	0
#define PACKET_OUTGOING_ 4

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int v6_unicast(const struct in6 *a)
{
	return !ipv6_addr_any(a) && !ipv6_addr_is_multicast(a) && !ipv6_addr_loopback(a);
}

static struct hi6_addr *addr_get(struct hi6_state *v, const struct in6 *a)
{
	for (int i = 0; i < v->naddrs; i++)
		if (ipv6_addr_equal(&v->addrs[i].a, a))
			return &v->addrs[i];
	if (v->naddrs == HI6_ADDRS)
		return NULL;
	memset(&v->addrs[v->naddrs], 0, sizeof(v->addrs[0]));
	v->addrs[v->naddrs].a = *a;
	return &v->addrs[v->naddrs++];
}

/* The IPv6 header of a frame whose link layer l2 describes: 40 bytes
 * there, version 6; NULL otherwise. */
static const uint8_t *ip6_of(const struct frame_l2 *l2, const uint8_t *p, size_t n, size_t *avail)
{
	if (l2->proto != 0x86dd || l2->l3_off + 40 > n || (p[l2->l3_off] >> 4) != 6)
		return NULL;
	*avail = n - l2->l3_off;
	return p + l2->l3_off;
}

/* The upper-layer header past hop-by-hop, routing, destination options and
 * a first fragment's header: 0 with *proto and *off, -1 when there is none. */
static int l4_of(const uint8_t *ip, size_t avail, uint8_t *proto, size_t *off)
{
	uint8_t nh = ip[6];
	size_t o = 40;
	for (int k = 0; k < 8; k++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
			break;
		if (o + 8 > avail)
			return -1;
		if (nh == 44 && (rd16(ip + o + 2) & 0xfff8))
			return -1;		/* a later fragment: no header here */
		size_t len = nh == 44 ? 8 : (size_t)(ip[o + 1] + 1) * 8;
		nh = ip[o];
		o += len;
	}
	if (o > avail)
		return -1;
	*proto = nh;
	*off = o;
	return 0;
}

void hi6_pass1(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *p, size_t n)
{
	struct hi6_state *v = &s->v6;
	struct hi6_addr *e;
	struct in6 sa, da;
	size_t avail, off;
	uint8_t proto;
	const uint8_t *ip = ip6_of(l2, p, n, &avail);
	if (!ip)
		return;
	memcpy(&sa, ip + 8, 16);
	memcpy(&da, ip + 24, 16);
	v->packets++;
	int lo = l2->hatype == NJ_ARPHRD_LOOPBACK;	/* both ends are the host's */
	if (lo && v6_unicast(&da) && (e = addr_get(v, &da)))
		e->on_lo = 1;
	if (v6_unicast(&sa) && (e = addr_get(v, &sa))) {
		e->frames++;
		e->on_lo |= lo;
		e->out += l2->pkt_type == PACKET_OUTGOING_;
		/* to itself (on lo): it received it too */
		e->in += ipv6_addr_equal(&sa, &da) && l2->pkt_type == PACKET_HOST_;
		if (!lo && !e->have_mac && l2->src && l2->src_len == 6 && !(l2->src[0] & 1)) {
			e->have_mac = 1;
			memcpy(e->mac, l2->src, 6);
		}
	}
	if (v6_unicast(&da) && !ipv6_addr_equal(&sa, &da) && (e = addr_get(v, &da))) {
		e->frames++;
		e->in += l2->pkt_type == PACKET_HOST_;
	}
	/* A router advertisement with a router lifetime: a default router. */
	if (l4_of(ip, avail, &proto, &off) == 0 && proto == NEXTHDR_ICMP && off + 16 <= avail &&
	    ip[off] == NDISC_ROUTER_ADVERTISEMENT && rd16(ip + off + 6) && ipv6_addr_linklocal(&sa) && l2->src &&
	    l2->src_len == 6 && !v->have_router) {
		v->have_router = 1;
		v->router = sa;
		memcpy(v->router_mac, l2->src, 6);
	}
}

/* Inserts a at its place among the host's, most frames first. */
static void host_add(struct hi6_state *v, const struct hi6_addr *a)
{
	int at = v->nhost;
	for (int i = 0; i < v->nhost; i++)
		if (ipv6_addr_equal(&v->host[i], &a->a))
			return;
	while (at > 0) {
		const struct hi6_addr *b = NULL;
		for (int k = 0; k < v->naddrs; k++)
			if (ipv6_addr_equal(&v->addrs[k].a, &v->host[at - 1]))
				b = &v->addrs[k];
		if (b && b->frames >= a->frames)
			break;
		at--;
	}
	if (at >= HI6_HOST)
		return;
	int last = v->nhost < HI6_HOST ? v->nhost : HI6_HOST - 1;
	memmove(&v->host[at + 1], &v->host[at], (size_t)(last - at) * sizeof(v->host[0]));
	v->host[at] = a->a;
	if (v->nhost < HI6_HOST)
		v->nhost++;
}

/* The address in most IPv6 packets (cooked: sent or received by the
 * capturing machine); NULL when none is in half of them. */
static const struct hi6_addr *dominant6(const struct hi6_state *v, int cooked)
{
	const struct hi6_addr *best = NULL;
	uint64_t most = 0;
	for (int i = 0; i < v->naddrs; i++) {
		uint64_t k = cooked ? v->addrs[i].out + v->addrs[i].in : v->addrs[i].frames;
		if (k > most) {
			most = k;
			best = &v->addrs[i];
		}
	}
	return best && (cooked || most * 2 >= v->packets) ? best : NULL;
}

int hi6_choose(struct hi_state *s, int cooked, char *why, size_t wl)
{
	const struct hi6_addr *a = dominant6(&s->v6, cooked);
	if (!a)
		return 0;
	s->v6.nhost = 0;
	host_add(&s->v6, a);
	snprintf(why, wl, "%s: %llu of %llu IPv6 packets", cooked ? "the cooked header's direction" :
		 "the IPv6 address in most packets", (unsigned long long)(cooked ? a->out + a->in : a->frames),
		 (unsigned long long)s->v6.packets);
	return 1;
}

/* --host with an IPv6 address: the MAC that sent from it, if one did. */
int hi6_host_opt(struct hi_state *s, const char *host)
{
	struct in6 a;
	if (in6_pton(host, &a) < 0 || !v6_unicast(&a))
		return -1;
	struct hi6_addr *e = addr_get(&s->v6, &a);
	if (e && e->have_mac) {
		s->have_mac = 1;
		memcpy(s->mac, e->mac, 6);
	}
	s->v6.nhost = 0;
	if (e)
		host_add(&s->v6, e);
	return 0;
}

void hi6_take_host(struct hi_state *s)
{
	struct hi6_state *v = &s->v6;
	if (v->nhost)
		return;			/* chosen by its IPv6 address already */
	if (s->have_mac && s->same_mac * 2 <= s->frames) {
		for (int i = 0; i < v->naddrs; i++)
			if ((v->addrs[i].have_mac && !memcmp(v->addrs[i].mac, s->mac, 6)) || v->addrs[i].on_lo)
				host_add(v, &v->addrs[i]);
		return;
	}
	int cooked = s->dlt == NJ_DLT_LINUX_SLL || s->dlt == NJ_DLT_LINUX_SLL2;
	const struct hi6_addr *a = dominant6(v, cooked);
	if (a)
		host_add(v, a);
}

static int is_host6(const struct hi6_state *v, const struct in6 *a)
{
	for (int i = 0; i < v->nhost; i++)
		if (ipv6_addr_equal(&v->host[i], a))
			return 1;
	return 0;
}

/* On the host's link: link-local, or in the /64 of one of its addresses. */
static int on_link6(const struct hi6_state *v, const struct in6 *a)
{
	if (ipv6_addr_linklocal(a))
		return 1;
	for (int i = 0; i < v->nhost; i++)
		if (!ipv6_addr_linklocal(&v->host[i]) && ipv6_prefix_equal(a, &v->host[i], 64))
			return 1;
	return 0;
}

static void neigh6_add(struct hi_state *s, const struct in6 *ip, const uint8_t *mac)
{
	struct hi6_state *v = &s->v6;
	if (!v6_unicast(ip) || is_host6(v, ip) || (mac[0] & 1) || !on_link6(v, ip))
		return;
	for (int i = 0; i < v->nneigh; i++)
		if (ipv6_addr_equal(&v->neigh[i].ip, ip))
			return;
	if (v->nneigh == HI_NEIGH)
		return;
	v->neigh[v->nneigh].ip = *ip;
	memcpy(v->neigh[v->nneigh++].mac, mac, 6);
}

/* Neighbour discovery from others: a solicitation's source link-layer
 * option names its sender, an advertisement's target option its target. */
static void ndisc_seen(struct hi_state *s, const struct in6 *sa, const uint8_t *m, size_t len)
{
	if (len < 24 || (m[0] != NDISC_NEIGHBOUR_SOLICITATION && m[0] != NDISC_NEIGHBOUR_ADVERTISEMENT))
		return;
	struct in6 target;
	memcpy(&target, m + 8, 16);
	for (size_t o = 24; o + 8 <= len && m[o + 1]; o += (size_t)m[o + 1] * 8) {
		if (m[0] == NDISC_NEIGHBOUR_SOLICITATION && m[o] == 1 && m[o + 1] == 1)
			neigh6_add(s, sa, m + o + 2);
		if (m[0] == NDISC_NEIGHBOUR_ADVERTISEMENT && m[o] == 2 && m[o + 1] == 1)
			neigh6_add(s, &target, m + o + 2);
	}
}

/* A received segment's checksum, as host_infer_sock.c's l4_csum: 0 right
 * (or not all captured), 1 wrong, 2 only the pseudo-header sum. */
static int tcp6_csum(const struct in6 *sa, const struct in6 *da, const uint8_t *th, size_t seglen, size_t avail)
{
	if (seglen < 20 || seglen > avail || csum_ipv6_magic(sa, da, (uint32_t)seglen, NEXTHDR_TCP, th) == 0)
		return 0;
	uint32_t ps = (uint32_t)(seglen >> 16) + (uint32_t)(seglen & 0xffff) + NEXTHDR_TCP;
	for (int i = 0; i < 16; i += 2)
		ps += rd16(sa->s6 + i) + rd16(da->s6 + i);
	uint16_t partial = (uint16_t)~csum_fold(ps), field = rd16(th + 16);
	return field == partial ? 2 : 1;
}

/* A TCP segment to or from the host: its flow, as for IPv4 (listeners,
 * closed ports, its own connections and those open before the capture). */
static void tcp6_seen(struct hi_state *s, const uint8_t *ip, size_t off, size_t avail, int from_host)
{
	const uint8_t *th = ip + off;
	struct in6 sa, da;
	if (avail - off < 20)
		return;
	memcpy(&sa, ip + 8, 16);
	memcpy(&da, ip + 24, 16);
	uint16_t lport = from_host ? rd16(th) : rd16(th + 2), rport = from_host ? rd16(th + 2) : rd16(th);
	struct hi_flow *f = hi_flow_get(s, lport, 0, rport, from_host ? &sa : &da, from_host ? &da : &sa);
	if (!f)
		return;
	size_t seglen = 40 + (size_t)rd16(ip + 4) > off ? 40 + (size_t)rd16(ip + 4) - off : 0;
	size_t doff = (size_t)(th[12] >> 4) * 4;
	uint32_t plen = seglen > doff ? (uint32_t)(seglen - doff) : 0;
	hi_tcp_flow_seen(s, f, th, avail - off, plen, from_host, from_host ? 0 : tcp6_csum(&sa, &da, th, seglen, avail - off));
}

/* Was this IPv6 frame sent by the host? Its direction, its MAC, or its address. */
static int sent_by_host6(const struct hi_state *s, const struct frame_l2 *l2, const struct in6 *sa)
{
	if (l2->pkt_type == PACKET_OUTGOING_)
		return 1;
	if (l2->dst && s->have_mac && s->same_mac * 2 <= s->frames)
		return !memcmp(l2->src, s->mac, 6);
	return is_host6(&s->v6, sa);
}

void hi6_pass2(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *p, size_t n)
{
	struct hi6_state *v = &s->v6;
	struct in6 sa, da;
	size_t avail, off;
	uint8_t proto;
	const uint8_t *ip = ip6_of(l2, p, n, &avail);
	int lo = l2->hatype == NJ_ARPHRD_LOOPBACK;	/* -i any: lo, each packet out, then in */
	if (!ip || (!v->nhost && !lo))
		return;
	memcpy(&sa, ip + 8, 16);
	memcpy(&da, ip + 24, 16);
	int from = lo || sent_by_host6(s, l2, &sa);	/* lo: the host at both ends */
	int to = lo || (!from && is_host6(v, &da));
	int l4 = l4_of(ip, avail, &proto, &off) == 0;
	if (!lo && !from && l2->src && l2->src_len == 6)
		neigh6_add(s, &sa, l2->src);	/* only on-link ones */
	if (!lo && from && l2->dst && !(l2->dst[0] & 1) && !on_link6(v, &da) && !v->have_gw_mac) {
		v->have_gw_mac = 1;		/* its off-link packets' next hop */
		memcpy(v->gw_mac, l2->dst, 6);
	}
	uint32_t tot = 40 + (uint32_t)rd16(ip + 4);
	if (!lo && from && tot <= 1500 && tot > s->max_out)
		s->max_out = tot;
	if (!l4)
		return;
	if (proto == NEXTHDR_ICMP && !from)
		ndisc_seen(s, &sa, ip + off, avail - off);
	if (!from && !to)
		return;
	if (proto == NEXTHDR_ICMP && from && avail - off >= 8 && ip[off] == ICMPV6_ECHO_REQUEST)
		hi_port_add(v->ping, &v->nping, rd16(ip + off + 4));	/* its ping: an IPv6 ping socket */
	if (proto == NEXTHDR_TCP)
		tcp6_seen(s, ip, off, avail, from);
	else if (proto == NEXTHDR_UDP && from && avail - off >= 8)
		hi_port_add(s->udp, &s->nudp, rd16(ip + off));
}

/* The link-local address Linux gives dev from its MAC (EUI-64). */
static void eui64_ll(const uint8_t *mac, struct in6 *a)
{
	memset(a, 0, sizeof(*a));
	a->s6[0] = 0xfe;
	a->s6[1] = 0x80;
	a->s6[8] = mac[0] ^ 2;
	a->s6[9] = mac[1];
	a->s6[10] = mac[2];
	a->s6[11] = 0xff;
	a->s6[12] = 0xfe;
	memcpy(a->s6 + 13, mac + 3, 3);
}

/* The router: the one that advertised, else the link-local neighbour at
 * the MAC off-link packets went to. NULL when there is none. */
static const struct in6 *router6(const struct hi_state *s)
{
	const struct hi6_state *v = &s->v6;
	if (v->have_router)
		return &v->router;
	for (int i = 0; i < v->nneigh && v->have_gw_mac; i++)
		if (!memcmp(v->neigh[i].mac, v->gw_mac, 6) && ipv6_addr_linklocal(&v->neigh[i].ip))
			return &v->neigh[i].ip;
	return NULL;
}

void hi6_json(const struct hi_state *s, cJSON *addrs, cJSON *routes, cJSON *neigh, const char *dev)
{
	const struct hi6_state *v = &s->v6;
	char b[64];
	struct in6 ll;
	int global = 0;
	if (s->have_mac)
		eui64_ll(s->mac, &ll);
	for (int i = 0; i < v->nhost; i++) {
		int lla = ipv6_addr_linklocal(&v->host[i]);
		if (lla && s->have_mac && ipv6_addr_equal(&v->host[i], &ll))
			continue;	/* Linux configures that one itself */
		global |= !lla;
		snprintf(b, sizeof(b), "%s/64", in6_fmt(&v->host[i]));
		cJSON_AddItemToArray(addrs, cJSON_CreateString(b));
	}
	const struct in6 *r = router6(s);
	if (r || global) {	/* no router seen: every destination on-link, as for IPv4 */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "dst", "::/0");
		if (r)
			cJSON_AddStringToObject(o, "via", in6_fmt(r));
		cJSON_AddStringToObject(o, "dev", dev);
		cJSON_AddItemToArray(routes, o);
	}
	int have_r = 0;
	for (int i = 0; i < v->nneigh && s->have_mac; i++) {
		cJSON *o = cJSON_CreateObject();
		have_r |= r && ipv6_addr_equal(&v->neigh[i].ip, r);
		cJSON_AddStringToObject(o, "ip", in6_fmt(&v->neigh[i].ip));
		cJSON_AddStringToObject(o, "mac", mac_fmt(v->neigh[i].mac));
		cJSON_AddStringToObject(o, "dev", dev);
		cJSON_AddItemToArray(neigh, o);
	}
	if (r && v->have_router && !have_r && s->have_mac) {	/* the advertiser, at its MAC */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "ip", in6_fmt(r));
		cJSON_AddStringToObject(o, "mac", mac_fmt(v->router_mac));
		cJSON_AddStringToObject(o, "dev", dev);
		cJSON_AddItemToArray(neigh, o);
	}
}
