/*
 * ndisc.c - neighbour discovery (RFC 4861), after net/ipv6/ndisc.c and the
 * nd_tbl side of net/core/neighbour.c (Linux 6.13): ndisc_rcv's checks
 * (fragmented messages, hop limit 255, code 0), neighbour solicitations
 * for our addresses answered with advertisements, advertisements updating
 * the cache, and the output side: multicast mapped to 33:33:xx:xx:xx:xx
 * (RFC 2464 7), unresolved next hops held while a solicitation goes to
 * their solicited-node group, as ARP does for IPv4; the NUD timers of
 * neigh_timer_handler (the state machine is neighbour.c's): INCOMPLETE is
 * solicited every retrans_time (1 s), three times, then FAILED, its held
 * packets dropped with an ICMPv6 address unreachable to their sender;
 * REACHABLE ages to STALE, a used STALE entry goes DELAY then PROBE
 * (unicast solicitations); advertisements follow neigh_update's override
 * and router rules.
 * Left out: upper-layer reachability confirmation (TCP's dst_confirm),
 * reachable_time's randomisation (always 30 s), the periodic garbage
 * collection (the cache is bounded as the ARP table is: gc_thresh2 512,
 * gc_thresh3 1024 learned entries, neigh_forced_gc), DAD of our own addresses (a DAD probe for one of them is
 * answered to all-nodes), proxy NDP, anycast. Router messages, and the
 * redirects a router sends, are ndisc_router.c's.
 */
#include "ipv6.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ND_GC_THRESH2		512		/* net.ipv6.neigh.default.gc_thresh2 */
#define ND_GC_THRESH3		1024		/* gc_thresh3: learned entries at most */
#define ND_MAX			(ND_GC_THRESH3 + 64)	/* slots: PERMANENT ones too */
#define ND_HASH			2048		/* buckets: a power of two */
#define ND_GC_FLUSH_NS		(5 * 1000000000ULL)	/* forced GC at most this often */
#define ND_QUEUE_LEN_BYTES	212992u		/* unres_qlen_bytes */
#define ND_RETRANS_NS		1000000000ULL	/* retrans_time 1 s */
#define ND_OPT_SOURCE_LL_ADDR	1
#define ND_OPT_TARGET_LL_ADDR	2
#define ND_MSG_LEN		24		/* struct nd_msg: icmp6hdr + target */

struct nd_neigh {
	int ifindex;
	struct in6 ip;
	uint8_t mac[ETH_ALEN];
	struct neigh_nud nud;		/* state, probes, timer */
	struct sk_buff_head queue;	/* packets waiting for resolution */
	uint32_t queue_bytes;
	uint16_t hnext;			/* hash chain, index + 1; 0 ends it */
	uint16_t gc_prev, gc_next;	/* the gc_list (creation order), index + 1 */
	uint8_t used;			/* in the cache (a removed entry's slot is free) */
	uint8_t exempt;			/* PERMANENT: not on the gc_list, not counted */
};

struct nd_table {
	struct nd_neigh e[ND_MAX];
	int n;				/* slots ever used */
	uint16_t head[ND_HASH];		/* by (ifindex, ip), as neigh_lookup's hash */
	uint16_t gc_head, gc_tail;	/* learned entries, oldest first (index + 1) */
	int gc_entries;			/* learned (non-PERMANENT) entries */
	uint64_t last_flush_ns;		/* the last forced GC */
	uint64_t next_timer_ns;		/* the earliest armed entry timer; 0 none */
};

static struct nd_table *nd_tbl(struct net *net)
{
	struct ipv6_state *s = ipv6_state(net);
	if (s && !s->nd)
		s->nd = calloc(1, sizeof(struct nd_table));
	return s ? s->nd : NULL;
}

static unsigned nd_hash(int ifindex, const struct in6 *ip)
{
	uint32_t h = (uint32_t)ifindex * 0x85ebca6bu, w;
	for (int i = 0; i < 16; i += 4) {
		memcpy(&w, ip->s6 + i, 4);
		h = (h ^ w) * 0x9e3779b1u;
	}
	return h >> 21;			/* the top 11 bits: ND_HASH buckets */
}

static struct nd_neigh *nd_find(struct net *net, int ifindex, const struct in6 *ip)
{
	struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	for (uint16_t k = t ? t->head[nd_hash(ifindex, ip)] : 0; k; k = t->e[k - 1].hnext)
		if (t->e[k - 1].ifindex == ifindex && ipv6_addr_equal(&t->e[k - 1].ip, ip))
			return &t->e[k - 1];
	return NULL;
}

static void nd_unhash(struct nd_table *t, struct nd_neigh *n)
{
	uint16_t *link = &t->head[nd_hash(n->ifindex, &n->ip)], i = (uint16_t)(n - t->e + 1);
	while (*link && *link != i)
		link = &t->e[*link - 1].hnext;
	if (*link)
		*link = n->hnext;
}

static void nd_gc_unlink(struct nd_table *t, struct nd_neigh *n)
{
	*(n->gc_prev ? &t->e[n->gc_prev - 1].gc_next : &t->gc_head) = n->gc_next;
	*(n->gc_next ? &t->e[n->gc_next - 1].gc_prev : &t->gc_tail) = n->gc_prev;
	n->gc_prev = n->gc_next = 0;
	t->gc_entries--;
}

/* neigh_remove_one: out of the cache; the fold hears it as "removed". */
static void nd_remove(struct net *net, struct nd_table *t, struct nd_neigh *n)
{
	if (trace_on(net)) {
		struct jw *a = trace_args(net);
		const struct net_device *d = dev_get_by_index(net, n->ifindex);
		jw_key(a, "neigh");
		jw_obj_open(a);
		jw_kv_str(a, "dev", d ? d->name : "?");
		jw_kv_str(a, "ip", in6_fmt(&n->ip));
		jw_kv_str(a, "state", "removed");
		jw_obj_close(a);
	}
	trace_step(net, NULL, "neigh_forced_gc", "%s (%s, idle since %.1f s ago): removed", in6_fmt(&n->ip),
		   neigh_nud_name(n->nud.state), (double)(net->now_ns - n->nud.updated_ns) / 1e9);
	skb_queue_purge(net, &n->queue);
	nd_unhash(t, n);
	nd_gc_unlink(t, n);
	memset(n, 0, sizeof(*n));
}

/* neigh_forced_gc, as for ARP (neighbour.c): idle learned entries that
 * FAILED or were not updated for 5 s, oldest first, down to gc_thresh2. */
static int nd_forced_gc(struct net *net, struct nd_table *t)
{
	int max_clean = t->gc_entries - ND_GC_THRESH2, shrunk = 0;
	uint64_t tref = net->now_ns > ND_GC_FLUSH_NS ? net->now_ns - ND_GC_FLUSH_NS : 0;
	for (uint16_t k = t->gc_head, nx; k && shrunk < max_clean; k = nx) {
		struct nd_neigh *n = &t->e[k - 1];
		nx = n->gc_next;
		if (!n->nud.timer_ns && (n->nud.state == NUD_FAILED || n->nud.updated_ns < tref)) {
			nd_remove(net, t, n);
			shrunk++;
		}
	}
	t->last_flush_ns = net->now_ns;
	return shrunk;
}

/* neigh_alloc: a free slot, after a forced GC when past the thresholds;
 * NULL when the cache overflows. */
static struct nd_neigh *nd_alloc(struct net *net, struct nd_table *t, int exempt)
{
	int entries = t->gc_entries;
	struct nd_neigh *n = NULL;
	if (!exempt && (entries >= ND_GC_THRESH3 ||
			(entries >= ND_GC_THRESH2 && net->now_ns > t->last_flush_ns + ND_GC_FLUSH_NS)) &&
	    !nd_forced_gc(net, t) && entries >= ND_GC_THRESH3)
		return NULL;		/* "neighbor table overflow!" */
	if (t->n < ND_MAX)
		n = &t->e[t->n++];
	for (int i = 0; !n && i < t->n; i++)
		n = t->e[i].used ? NULL : &t->e[i];
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	skb_queue_head_init(&n->queue);
	n->used = 1;
	n->exempt = (uint8_t)!!exempt;
	if (!exempt) {
		uint16_t i = (uint16_t)(n - t->e + 1);
		n->gc_prev = t->gc_tail;
		*(t->gc_tail ? &t->e[t->gc_tail - 1].gc_next : &t->gc_head) = i;
		t->gc_tail = i;
		t->gc_entries++;
	}
	return n;
}

/* The entry, created in state NONE if missing (PERMANENT ones exempt from
 * the cache's bounds); NULL when the cache overflows. */
static struct nd_neigh *nd_create(struct net *net, int ifindex, const struct in6 *ip, int exempt)
{
	struct nd_table *t = nd_tbl(net);
	struct nd_neigh *n = nd_find(net, ifindex, ip);
	if (n || !t || !(n = nd_alloc(net, t, exempt)))
		return n;
	n->ifindex = ifindex;
	n->ip = *ip;
	n->nud.updated_ns = net->now_ns;
	unsigned b = nd_hash(ifindex, ip);
	n->hnext = t->head[b];
	t->head[b] = (uint16_t)(n - t->e + 1);
	return n;
}

static struct nd_neigh *nd_get(struct net *net, int ifindex, const struct in6 *ip)
{
	return nd_create(net, ifindex, ip, 0);
}

/* Notes n's timer for ndisc_run_timers (the replay's clock). */
static void ndisc_arm(struct net *net, const struct nd_neigh *n)
{
	struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	if (t && n->nud.timer_ns && (!t->next_timer_ns || n->nud.timer_ns < t->next_timer_ns))
		t->next_timer_ns = n->nud.timer_ns;
}

uint64_t ndisc_next_timer(const struct net *net)
{
	const struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	return t ? t->next_timer_ns : 0;
}

int ndisc_add_static(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN])
{
	struct nd_neigh *n = nd_create(net, dev->ifindex, ip, 1);
	if (!n)
		return -1;
	if (!n->exempt) {		/* a learned entry made PERMANENT leaves the gc_list */
		nd_gc_unlink(net->ipv6->nd, n);
		n->exempt = 1;
	}
	memcpy(n->mac, mac, ETH_ALEN);
	n->nud.state = NUD_PERMANENT;
	n->nud.timer_ns = 0;
	return 0;
}

const uint8_t *ndisc_lookup(struct net *net, const struct net_device *dev, const struct in6 *ip)
{
	struct nd_neigh *n = nd_find(net, dev->ifindex, ip);
	return n && neigh_nud_valid(n->nud.state) ? n->mac : NULL;
}

void ndisc_exit(struct net *net)
{
	struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	for (int i = 0; t && i < t->n; i++)
		if (t->e[i].used)
			skb_queue_purge(net, &t->e[i].queue);
	free(t);
	if (net->ipv6)
		net->ipv6->nd = NULL;
}

/* An INCOMPLETE or FAILED entry has no address to show. */
static int nd_has_lladdr(const struct nd_neigh *n)
{
	return n->nud.state != NUD_INCOMPLETE && n->nud.state != NUD_FAILED;
}

void ndisc_for_each(struct net *net, void (*fn)(void *ctx, const char *line), void *ctx)
{
	struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	char line[128];
	for (int i = 0; t && i < t->n; i++) {
		const struct nd_neigh *n = &t->e[i];
		struct net_device *dev = dev_get_by_index(net, n->ifindex);
		if (n->nud.state == NUD_NONE)
			continue;
		snprintf(line, sizeof(line), "%s dev %s lladdr %s%s %s", in6_fmt(&n->ip), dev ? dev->name : "?",
			 nd_has_lladdr(n) ? mac_fmt(n->mac) : "(incomplete)", n->nud.router ? " router" : "",
			 neigh_nud_name(n->nud.state));
		fn(ctx, line);
	}
}

/* The changed entry as the next event's args, as neigh_trace_entry does. */
static void nd_trace_entry(struct net *net, const struct nd_neigh *n)
{
	if (!trace_on(net))
		return;
	struct jw *a = trace_args(net);
	struct net_device *dev = dev_get_by_index(net, n->ifindex);
	jw_key(a, "neigh");
	jw_obj_open(a);
	jw_kv_str(a, "dev", dev ? dev->name : "?");
	jw_kv_str(a, "ip", in6_fmt(&n->ip));
	jw_kv_str(a, "mac", nd_has_lladdr(n) ? mac_fmt(n->mac) : "(incomplete)");
	jw_kv_str(a, "state", neigh_nud_name(n->nud.state));
	if (n->nud.router)
		jw_kv_bool(a, "router", 1);
	jw_obj_close(a);
}

/* The held packets leave, in order, through the ordinary output. */
static void nd_flush_queue(struct net *net, struct net_device *dev, struct nd_neigh *n)
{
	struct sk_buff_head q;
	struct sk_buff *skb;
	struct in6 ip = n->ip;
	skb_queue_head_init(&q);	/* taken whole: output must not find them again */
	while ((skb = skb_dequeue(&n->queue)))
		skb_queue_tail(&q, skb);
	n->queue_bytes = 0;
	while ((skb = skb_dequeue(&q))) {
		skb->pkt = net->cur_pkt;
		ndisc_neigh_output(net, skb, dev, &ip);
	}
}

/* ndisc_update → neigh_update (neighbour.c's rules): learn lladdr with
 * the message's flags; an entry that becomes valid sends what it held. */
static void ndisc_update(struct net *net, struct net_device *dev, struct nd_neigh *n, const uint8_t *lladdr,
			 enum nud_state st, int flags, const char *fn)
{
	const char *why = NULL;
	int old = n->nud.state;
	int r = neigh_nud_update(&n->nud, n->mac, lladdr, st, flags, net->now_ns, &why);
	if (r < 0) {
		trace_step(net, NULL, fn, "%s: %s", in6_fmt(&n->ip), why);
		return;
	}
	if (r & NEIGH_UPDATE_LLADDR)
		memcpy(n->mac, lladdr, ETH_ALEN);
	ndisc_arm(net, n);
	nd_trace_entry(net, n);
	trace_step(net, NULL, fn, "%s is at %s (%s%s%s)", in6_fmt(&n->ip), mac_fmt(n->mac),
		   old == n->nud.state ? "still " : "", neigh_nud_name(n->nud.state), n->nud.router ? ", a router" : "");
	if ((r & NEIGH_UPDATE_VALID) && skb_queue_len(&n->queue)) {
		trace_step(net, NULL, "neigh_update", "%s resolved: sending the %u packet(s) held", in6_fmt(&n->ip),
			   skb_queue_len(&n->queue));
		nd_flush_queue(net, dev, n);
	}
}

void ndisc_learn(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN])
{
	struct nd_neigh *n = nd_find(net, dev->ifindex, ip);
	if (n && neigh_nud_valid(n->nud.state)) {
		/* The capture shows it alive: a confirmation, as the recorded
		 * host's TCP gave its kernel (dst_confirm_neigh), so the timers
		 * do not fail a peer the capture keeps hearing from. */
		if (!memcmp(n->mac, mac, ETH_ALEN))
			n->nud.confirmed_ns = net->now_ns;
		return;
	}
	if ((n = nd_get(net, dev->ifindex, ip)))
		ndisc_update(net, dev, n, mac, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE, "ndisc_learn");
}

void ndisc_learn_sent(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t mac[ETH_ALEN])
{
	struct nd_neigh *n = nd_find(net, dev->ifindex, ip);
	if (n && n->nud.state == NUD_PERMANENT)
		return;		/* the scenario's: never overridden */
	if (n && neigh_nud_valid(n->nud.state) && !memcmp(n->mac, mac, ETH_ALEN)) {
		n->nud.confirmed_ns = net->now_ns;
		return;
	}
	if ((n = nd_get(net, dev->ifindex, ip)))
		ndisc_update(net, dev, n, mac, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE, "ndisc_learn");
}

void ndisc_router_neigh(struct net *net, struct net_device *dev, const struct in6 *ip, const uint8_t *lladdr)
{
	struct nd_neigh *n = nd_get(net, dev->ifindex, ip);
	if (n)
		ndisc_update(net, dev, n, lladdr, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE |
			     NEIGH_UPDATE_F_OVERRIDE_ISROUTER | NEIGH_UPDATE_F_ISROUTER, "ndisc_router_discovery");
}

/* One option area: source/target link-layer address options must be 8
 * bytes on Ethernet; a zero length or an overrun makes the message
 * invalid (ndisc_parse_options). Returns 0 and *ll (NULL if absent), or -1. */
static int ndisc_parse_options(const uint8_t *opt, int len, int want, const uint8_t **ll, int *ll_bad)
{
	*ll = NULL;
	*ll_bad = 0;
	while (len > 0) {
		if (len < 2 || opt[1] == 0 || opt[1] * 8 > len)
			return -1;
		if (opt[0] == want && !*ll && !*ll_bad) {
			if (opt[1] == 1)
				*ll = opt + 2;
			else
				*ll_bad = 1;
		}
		len -= opt[1] * 8;
		opt += opt[1] * 8;
	}
	return 0;
}

/* ndisc_send_skb for an NS or NA built here: hop limit 255, out of dev. */
static void ndisc_send(struct net *net, struct net_device *dev, const struct in6 *saddr,
		       const struct in6 *daddr, uint8_t type, uint8_t flags, const struct in6 *target,
		       int opt_type, int64_t pkt)
{
	uint8_t *p;
	uint32_t len = ND_MSG_LEN + (opt_type ? 8 : 0);
	struct sk_buff *skb = ip6_build(net, saddr, daddr, NEXTHDR_ICMP, 255, len, &p);
	if (!skb)
		return;
	memset(p, 0, len);
	p[0] = type;
	p[4] = flags;
	memcpy(p + 8, target, 16);
	if (opt_type) {
		p[24] = (uint8_t)opt_type;
		p[25] = 1;
		memcpy(p + 26, dev->dev_addr, ETH_ALEN);
	}
	skb->pkt = pkt;
	struct rt6_dst dst = { .type = (uint8_t)(ipv6_addr_is_multicast(daddr) ? RTN_MULTICAST : RTN_UNICAST),
			       .oif = dev->ifindex, .plen = 128 };
	icmpv6_push(net, skb, &dst, 1);
}

/* ndisc_send_ns - who has target? To its solicited-node group, or to the
 * target itself when probing a known address (ndisc_solicit in PROBE),
 * from the held packet's source when it is ours, else from the
 * link-local address (ipv6_get_lladdr), with our link-layer address. */
static void ndisc_send_ns(struct net *net, struct net_device *dev, const struct in6 *target,
			  const struct sk_buff *held, int unicast, int64_t pkt)
{
	static const struct in6 ll = IN6_INIT(0xfe, 0x80);
	struct in6 saddr, daddr;
	const struct ipv6hdr *h = held ? ipv6_hdr(held) : NULL;
	if (h && ipv6_chk_addr(net, &h->saddr, dev))
		saddr = h->saddr;
	else if (ipv6_dev_get_saddr(net, dev, &ll, &saddr) < 0 || !ipv6_addr_linklocal(&saddr))
		return;		/* no link-local address: no solicitation */
	if (unicast)
		daddr = *target;
	else
		addrconf_addr_solict_mult(target, &daddr);
	trace_enter(net, NULL, "ndisc_send_ns", "icmp", "who has %s? tell %s (to %s)", in6_fmt(target),
		    in6_fmt(&saddr), in6_fmt(&daddr));
	ndisc_send(net, dev, &saddr, &daddr, NDISC_NEIGHBOUR_SOLICITATION, 0, target, ND_OPT_SOURCE_LL_ADDR, pkt);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
}

/* __neigh_event_send for an entry without an address: hold skb (the
 * oldest dropped past unres_qlen_bytes); a new resolution solicits now,
 * later ones are the timer's (neigh_timer_handler). */
static int ndisc_resolve(struct net *net, struct sk_buff *skb, struct net_device *dev, const struct in6 *nh)
{
	struct nd_neigh *n = nd_get(net, dev->ifindex, nh);
	struct sk_buff *old;
	if (!n) {
		trace_step(net, skb, "__neigh_create", "neighbor table overflow: %d learned entries, gc_thresh3 %d, "
			   "none idle long enough for neigh_forced_gc to remove", net->ipv6->nd ? net->ipv6->nd->gc_entries : 0,
			   ND_GC_THRESH3);
		return skb_drop(net, skb, SKB_DROP_REASON_NEIGH_CREATEFAIL);
	}
	int probe = neigh_nud_event_send(&n->nud, net->now_ns);
	while (n->queue_bytes + skb->truesize > ND_QUEUE_LEN_BYTES && (old = skb_dequeue(&n->queue))) {
		n->queue_bytes -= old->truesize;
		trace_step(net, old, "__neigh_event_send", "queue for %s full: oldest packet dropped", in6_fmt(nh));
		kfree_skb_reason(net, old, SKB_DROP_REASON_NEIGH_QUEUEFULL);
	}
	skb_queue_tail(&n->queue, skb);
	n->queue_bytes += skb->truesize;
	nd_trace_entry(net, n);
	trace_step(net, skb, "__neigh_event_send", "held for %s (%u packet(s), %u of %u bytes)%s", in6_fmt(nh),
		   skb_queue_len(&n->queue), n->queue_bytes, ND_QUEUE_LEN_BYTES,
		   probe ? "" : ": the timer solicits again");
	if (probe)
		ndisc_send_ns(net, dev, nh, skb, 0, skb->pkt);	/* neigh_probe */
	ndisc_arm(net, n);
	trace_exit(net, NULL, V_QUEUED, 0, "waiting for a neighbour advertisement");
	return NET_RX_SUCCESS;
}

/* A used entry: STALE moves to DELAY (its timer armed). */
static void ndisc_event_send(struct net *net, struct net_device *dev, const struct in6 *nh)
{
	struct nd_neigh *n = nd_find(net, dev->ifindex, nh);
	if (!n)
		return;
	int old = n->nud.state;
	neigh_nud_event_send(&n->nud, net->now_ns);
	if (n->nud.state != old) {
		nd_trace_entry(net, n);
		trace_step(net, NULL, "__neigh_event_send", "%s was STALE: used now, DELAY for %llu s before probing",
			   in6_fmt(nh), (unsigned long long)(NEIGH_DELAY_PROBE_NS / 1000000000ULL));
		ndisc_arm(net, n);
	}
}

int ndisc_neigh_output(struct net *net, struct sk_buff *skb, struct net_device *dev, const struct in6 *nexthop)
{
	uint8_t mcast[ETH_ALEN] = { 0x33, 0x33 };
	const uint8_t *mac;

	trace_enter(net, skb, "neigh_output", "link", "next hop %s on %s", in6_fmt(nexthop), dev->name);
	if (!dev_has_header(dev))
		return neigh_direct_output(net, skb, dev, in6_fmt(nexthop));	/* ndisc_constructor: the same */
	if (dev_is_loopback(dev)) {
		mac = dev->dev_addr;	/* IFF_LOOPBACK: NUD_NOARP, its own all-zero address */
	} else if (ipv6_addr_is_multicast(nexthop)) {
		memcpy(mcast + 2, nexthop->s6 + 12, 4);	/* ndisc_mc_map */
		mac = mcast;
	} else if (!(mac = ndisc_lookup(net, dev, nexthop))) {
		trace_step(net, skb, "neigh_resolve_output", "%s is not in the neighbour cache", in6_fmt(nexthop));
		return ndisc_resolve(net, skb, dev, nexthop);
	} else {
		ndisc_event_send(net, dev, nexthop);
	}
	struct ethhdr *eth = (struct ethhdr *)skb_push(skb, ETH_HLEN);
	memcpy(eth->h_dest, mac, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IPV6);
	skb_reset_mac_header(skb);
	skb->dev = dev;
	trace_step(net, skb, "neigh_hh_output", "%s is at %s", in6_fmt(nexthop), mac_fmt(mac));
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}

/* ip6_link_failure for our own packet: the address unreachable goes from
 * us to us over lo and is received there (its sender's socket would hear
 * of it). The loopback device is not modelled: its counters are kept, both
 * ways, as Linux counts them; nothing reaches the wire. */
static void ndisc_link_failure_local(struct net *net, const struct sk_buff *skb)
{
	if (icmpv6_is_ineligible(skb)) {	/* icmp6_send's first refusal */
		trace_step(net, skb, "ip6_link_failure", "our own packet is an ICMPv6 error: no error about it "
			   "(RFC 4443 2.4(e.1))");
		return;
	}
	uint32_t have = (uint32_t)(skb_tail_pointer(skb) - skb_network_header(skb));
	uint32_t len = 48 + (have < IPV6_MIN_MTU - 48 ? have : IPV6_MIN_MTU - 48);
	trace_step(net, skb, "ip6_link_failure", "our own packet: ICMPv6 address unreachable (%u bytes) to %s over lo, "
		   "received there", len, in6_fmt(&ipv6_hdr(skb)->saddr));
	SNMP_INC(net, MIB_ICMP6_OUTMSGS);
	SNMP_INC(net, MIB_ICMP6_OUTDESTUNREACHS);
	SNMP_INC(net, MIB_IP6_OUTREQUESTS);
	SNMP_INC(net, MIB_IP6_OUTTRANSMITS);
	SNMP_ADD(net, MIB_IP6_OUTOCTETS, len);
	SNMP_INC(net, MIB_IP6_INRECEIVES);
	SNMP_ADD(net, MIB_IP6_INOCTETS, len);
	SNMP_INC(net, MIB_IP6_INNOECTPKTS);
	SNMP_INC(net, MIB_IP6_INDELIVERS);
	SNMP_INC(net, MIB_ICMP6_INMSGS);
	SNMP_INC(net, MIB_ICMP6_INDESTUNREACHS);
}

/* neigh_invalidate → ndisc_error_report: each held packet is reported to
 * its sender (ip6_link_failure: address unreachable) and freed with plain
 * kfree_skb, so NOT_SPECIFIED (IPv4's arp_error_report says NEIGH_FAILED;
 * Linux 6.13's ndisc_error_report does not). The packet's own outcome
 * (forwarded, or answered) was told when it left: this is timer work. */
static void ndisc_invalidate(struct net *net, struct nd_neigh *n)
{
	struct sk_buff *skb;
	while (n->nud.state == NUD_FAILED && (skb = skb_dequeue(&n->queue))) {	/* an error may restart it */
		n->queue_bytes -= skb->truesize;
		skb->pkt = -1;
		trace_step(net, skb, "ndisc_error_report", "%s did not answer: the held packet is dropped",
			   in6_fmt(&n->ip));
		if (IP6CB(skb)->flags & IP6SKB_FORWARDED)
			icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		else
			ndisc_link_failure_local(net, skb);
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	while ((skb = skb_dequeue(&n->queue)))	/* __skb_queue_purge: what came meanwhile */
		kfree_skb_reason(net, skb, SKB_DROP_REASON_NEIGH_FAILED);
	n->queue_bytes = 0;
}

/* neigh_timer_handler for one entry whose timer is due. */
static void ndisc_timer(struct net *net, struct nd_neigh *n)
{
	struct net_device *dev = dev_get_by_index(net, n->ifindex);
	int old = n->nud.state;
	enum neigh_timer_act act = neigh_nud_timer(&n->nud, net->now_ns);
	if (!dev || (act == NEIGH_TIMER_NONE && n->nud.state == old))
		return;			/* re-armed, nothing to tell */
	trace_enter(net, NULL, "neigh_timer_handler", "link", "%s: %s%s%s", in6_fmt(&n->ip), neigh_nud_name(old),
		    old == n->nud.state ? ", still" : " → ", old == n->nud.state ? "" : neigh_nud_name(n->nud.state));
	nd_trace_entry(net, n);
	if (act == NEIGH_TIMER_PROBE) {
		int uni = n->nud.state == NUD_PROBE;
		const struct sk_buff *held = skb_queue_len(&n->queue) ? n->queue.prev : NULL;	/* the newest */
		trace_step(net, NULL, "neigh_probe", "solicitation %u of %u%s", uni ? n->nud.probes :
			   n->nud.probes - NEIGH_UCAST_PROBES, uni ? NEIGH_UCAST_PROBES : NEIGH_MCAST_PROBES,
			   uni ? ", unicast to the known address" : "");
		ndisc_send_ns(net, dev, &n->ip, held, uni, -1);	/* the timer's own work */
		trace_exit(net, NULL, V_SENT, 0, "%s", "");
		return;
	}
	if (act == NEIGH_TIMER_FAILED) {
		trace_step(net, NULL, "neigh_invalidate", "%s: no answer to %u solicitations: FAILED", in6_fmt(&n->ip),
			   old == NUD_PROBE ? NEIGH_UCAST_PROBES : NEIGH_MCAST_PROBES);
		int held = (int)skb_queue_len(&n->queue);
		ndisc_invalidate(net, n);
		if (held)
			trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_NEIGH_FAILED, "%d held packet(s) dropped", held);
		else
			trace_exit(net, NULL, V_PASS, 0, "nothing was waiting for it");
		return;
	}
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
}

void ndisc_run_timers(struct net *net)
{
	struct nd_table *t = net->ipv6 ? net->ipv6->nd : NULL;
	if (!t || !t->next_timer_ns || t->next_timer_ns > net->now_ns)
		return;
	t->next_timer_ns = 0;
	for (int i = 0; i < t->n; i++) {
		struct nd_neigh *n = &t->e[i];
		if (n->nud.timer_ns && n->nud.timer_ns <= net->now_ns)
			ndisc_timer(net, n);
		ndisc_arm(net, n);
	}
}

int ndisc_drop(struct net *net, struct sk_buff *skb, enum skb_drop_reason r, const char *fn, const char *why)
{
	trace_step(net, skb, fn, "%s", why);
	return skb_drop(net, skb, r);
}

int ndisc_consumed(struct net *net, struct sk_buff *skb, const char *what)
{
	trace_exit(net, skb, V_CONSUMED, 0, "%s", what);
	kfree_skb(net, skb);
	return NET_RX_SUCCESS;
}

static int ipv6_addr_is_solict_mult(const struct in6 *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	return !memcmp(a->s6, pfx, 13);
}

/*
 * ndisc_recv_ns - a solicitation:
 *  1. a whole nd_msg; a unicast target; a DAD probe (from ::) only to a
 *     solicited-node group and without a source link-layer option;
 *  2. valid options (BAD_OPTIONS), an 8-byte source link-layer address;
 *  3. the target must be one of our addresses on this link (NS_OTHERHOST);
 *  4. a DAD probe is answered to all-nodes;
 *  5. the sender is learnt (STALE) — created only from a unicast NS or
 *     one with its link-layer address — and answered: solicited, with
 *     override and our address option when it came to a group.
 */
static int ndisc_recv_ns(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct net_device *dev = skb->dev;
	struct in6 target, saddr = hdr->saddr;
	const uint8_t *ll;
	int ll_bad, dad = ipv6_addr_any(&hdr->saddr), inc = ipv6_addr_is_multicast(&hdr->daddr);

	if (skb->len < ND_MSG_LEN)
		return ndisc_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "ndisc_recv_ns", "1. shorter than an NS");
	memcpy(&target, skb->data + 8, 16);
	if (ipv6_addr_is_multicast(&target))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_ns", "1. multicast target address");
	if (dad && !ipv6_addr_is_solict_mult(&hdr->daddr))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_ns",
				  "1. DAD probe not sent to a solicited-node group");
	if (ndisc_parse_options(skb->data + ND_MSG_LEN, (int)skb->len - ND_MSG_LEN, ND_OPT_SOURCE_LL_ADDR, &ll, &ll_bad))
		return ndisc_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS, "ndisc_parse_options",
				  "2. an option of length 0 or past the message");
	if (ll_bad || (ll && dad))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_ns", ll_bad ?
				  "2. invalid link-layer address length" : "1. DAD probe with a link-layer address option");
	if (!ipv6_chk_addr(net, &target, dev))
		return ndisc_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_NS_OTHERHOST, "ndisc_recv_ns",
				  "3. the target is not one of our addresses");
	int router = ipv6_state(net)->sysctl.forwarding ? 0x80 : 0;
	if (dad) {
		static const struct in6 all_nodes = IN6_INIT(0xff, 0x02, [15] = 1);
		trace_step(net, skb, "ndisc_recv_ns", "4. DAD probe for our %s: defend it", in6_fmt(&target));
		ndisc_send(net, dev, &target, &all_nodes, NDISC_NEIGHBOUR_ADVERTISEMENT, (uint8_t)(router | 0x20), &target,
			   ND_OPT_TARGET_LL_ADDR, skb->pkt);
		return ndisc_consumed(net, skb, "DAD answered");
	}
	struct nd_neigh *n = !inc || ll ? nd_get(net, dev->ifindex, &saddr) : nd_find(net, dev->ifindex, &saddr);
	if (!n)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_ns",
				  "5. multicast NS without the sender's link-layer address: nothing to answer to");
	ndisc_update(net, dev, n, ll, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE, "ndisc_recv_ns");
	trace_step(net, skb, "ndisc_send_na", "5. %s is ours: advertise it to %s (solicited%s)", in6_fmt(&target),
		   in6_fmt(&saddr), inc ? ", override, with our link-layer address" : "");
	ndisc_send(net, dev, &target, &saddr, NDISC_NEIGHBOUR_ADVERTISEMENT, (uint8_t)(router | 0x40 | (inc ? 0x20 : 0)),
		   &target, inc ? ND_OPT_TARGET_LL_ADDR : 0, skb->pkt);
	return ndisc_consumed(net, skb, "answered with a neighbour advertisement");
}

/*
 * ndisc_recv_na - an advertisement:
 *  1. a whole nd_msg, a unicast target, not solicited-and-multicast;
 *  2. valid options, an 8-byte target link-layer address;
 *  3. our own address advertised by someone else: ignored;
 *  4. only an entry already in the cache is updated (a host creates none,
 *     RFC 9131), and not a FAILED one;
 *  5. neigh_update: REACHABLE when solicited, else STALE; a different
 *     address only with the override flag (without it a REACHABLE entry
 *     turns STALE); the router flag is taken (a router that became a host
 *     loses its default routes: rt6_clean_tohost); what it held goes.
 */
static int ndisc_recv_na(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	struct net_device *dev = skb->dev;
	struct in6 target;
	const uint8_t *ll;
	int ll_bad;

	if (skb->len < ND_MSG_LEN)
		return ndisc_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL, "ndisc_recv_na", "1. shorter than an NA");
	memcpy(&target, skb->data + 8, 16);
	int solicited = skb->data[4] & 0x40;
	if (ipv6_addr_is_multicast(&target))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na", "1. target address is multicast");
	if (ipv6_addr_is_multicast(&hdr->daddr) && solicited)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na", "1. solicited NA is multicasted");
	if (ndisc_parse_options(skb->data + ND_MSG_LEN, (int)skb->len - ND_MSG_LEN, ND_OPT_TARGET_LL_ADDR, &ll, &ll_bad))
		return ndisc_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS, "ndisc_parse_options",
				  "2. an option of length 0 or past the message");
	if (ll_bad)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na",
				  "2. invalid link-layer address length");
	if (ipv6_chk_addr(net, &target, dev))
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na",
				  "3. someone advertised our own address");
	struct nd_neigh *n = nd_find(net, dev->ifindex, &target);
	if (!n || n->nud.state == NUD_NONE)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na",
				  "4. no cache entry for the target: a host does not create one");
	if (n->nud.state == NUD_FAILED)
		return ndisc_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED, "ndisc_recv_na",
				  "4. the entry has FAILED: a late answer is ignored");
	int was_router = n->nud.router, o = skb->data[4] & 0x20;
	trace_step(net, skb, "ndisc_recv_na", "5. %s%s%s%s", in6_fmt(&target), solicited ? " solicited" : " unsolicited",
		   o ? ", override" : "", skb->data[4] & 0x80 ? ", from a router" : "");
	ndisc_update(net, dev, n, ll, solicited ? NUD_REACHABLE : NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE |
		     (o ? NEIGH_UPDATE_F_OVERRIDE : 0) | NEIGH_UPDATE_F_OVERRIDE_ISROUTER |
		     (skb->data[4] & 0x80 ? NEIGH_UPDATE_F_ISROUTER : 0), "ndisc_recv_na");
	if (was_router && !n->nud.router)
		rt6_clean_tohost(net, &target);
	return ndisc_consumed(net, skb, "neighbour cache updated");
}

/*
 * ndisc_rcv - every ND message:
 *  1. not reassembled from fragments (suppress_frag_ndisc, RFC 6980);
 *  2. hop limit 255: it was sent on this link (RFC 4861 7.1.1);
 *  3. code 0.
 */
int ndisc_rcv(struct net *net, struct sk_buff *skb)
{
	const struct ipv6hdr *hdr = ipv6_hdr(skb);
	int type = skb->data[0];

	trace_enter(net, skb, "ndisc_rcv", "icmp", "type %d from %s", type, in6_fmt(&hdr->saddr));
	if (IP6CB(skb)->flags & IP6SKB_FRAGMENTED)
		return ndisc_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_FRAG, "ndisc_rcv",
				  "1. a fragmented ND message (suppress_frag_ndisc = 1)");
	if (hdr->hop_limit != 255) {
		trace_step(net, skb, "ndisc_rcv", "2. hop limit %u, not 255: it crossed a router", hdr->hop_limit);
		return skb_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_HOP_LIMIT);
	}
	if (skb->data[1] != 0) {
		trace_step(net, skb, "ndisc_rcv", "3. code %u, not 0", skb->data[1]);
		return skb_drop(net, skb, SKB_DROP_REASON_IPV6_NDISC_BAD_CODE);
	}
	if (type == NDISC_NEIGHBOUR_SOLICITATION)
		return ndisc_recv_ns(net, skb);
	if (type == NDISC_NEIGHBOUR_ADVERTISEMENT)
		return ndisc_recv_na(net, skb);
	return ndisc_router_rcv(net, skb, type);	/* ndisc_router.c */
}
