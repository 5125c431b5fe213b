/*
 * neighbour.c - the IPv4 neighbour (ARP) cache, after net/core/neighbour.c.
 * A bounded table (256 entries, like a small gc_thresh3) of PERMANENT
 * entries from the scenario and learned REACHABLE/STALE ones. Left out:
 * timers for the NUD state machine (entries do not age), proxies.
 */
#include "stack.h"

#include <stdlib.h>
#include <string.h>

#define NEIGH_MAX 256

struct neighbour {
	int ifindex;
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	uint8_t state;
	uint64_t updated_ns;
};

struct neigh_table {
	struct neighbour e[NEIGH_MAX];
	int n;
};

static struct neigh_table *tbl(struct net *net)
{
	if (!net->arp_tbl)
		net->arp_tbl = calloc(1, sizeof(struct neigh_table));
	return net->arp_tbl;
}

static struct neighbour *neigh_find(struct neigh_table *t, int ifindex, uint32_t ip)
{
	for (int i = 0; t && i < t->n; i++)
		if (t->e[i].ifindex == ifindex && t->e[i].ip == ip)
			return &t->e[i];
	return NULL;
}

/* A slot for a new entry: a free one, else the oldest learned one. */
static struct neighbour *neigh_alloc(struct neigh_table *t)
{
	if (t->n < NEIGH_MAX)
		return &t->e[t->n++];
	struct neighbour *old = NULL;
	for (int i = 0; i < t->n; i++)
		if (t->e[i].state != NUD_PERMANENT && (!old || t->e[i].updated_ns < old->updated_ns))
			old = &t->e[i];
	return old;
}

int neigh_add_static(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN])
{
	struct neigh_table *t = tbl(net);
	if (!t)
		return -1;
	struct neighbour *n = neigh_find(t, dev->ifindex, ip);
	if (!n && !(n = neigh_alloc(t)))
		return -1;
	n->ifindex = dev->ifindex;
	n->ip = ip;
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = NUD_PERMANENT;
	n->updated_ns = net->now_ns;
	return 0;
}

void neigh_update(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t mac[ETH_ALEN],
		  enum nud_state state)
{
	struct neigh_table *t = tbl(net);
	if (!t)
		return;
	struct neighbour *n = neigh_find(t, dev->ifindex, ip);
	if (n && n->state == NUD_PERMANENT)
		return;
	if (!n && !(n = neigh_alloc(t)))
		return;
	n->ifindex = dev->ifindex;
	n->ip = ip;
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = (uint8_t)state;
	n->updated_ns = net->now_ns;
}

const uint8_t *neigh_lookup(struct net *net, const struct net_device *dev, uint32_t ip)
{
	struct neighbour *n = neigh_find(net->arp_tbl, dev->ifindex, ip);
	return n && n->state != NUD_INCOMPLETE && n->state != NUD_NONE ? n->mac : NULL;
}

void neigh_for_each(struct net *net, void (*fn)(void *, const struct net_device *, uint32_t,
						const uint8_t *, enum nud_state), void *ctx)
{
	struct neigh_table *t = net->arp_tbl;
	for (int i = 0; t && i < t->n; i++)
		fn(ctx, dev_get_by_index(net, t->e[i].ifindex), t->e[i].ip, t->e[i].mac,
		   (enum nud_state)t->e[i].state);
}

/* arp_mc_map's broadcast case: 255.255.255.255 and dev's subnet
 * broadcast addresses need no resolution. */
static int neigh_is_broadcast(const struct net_device *dev, uint32_t ip)
{
	if (ipv4_is_lbcast(ip))
		return 1;
	for (int j = 0; j < dev->naddrs; j++) {
		int plen = dev->addrs[j].ifa_prefixlen;
		uint32_t m = plen ? htonl(0xffffffffu << (32 - plen)) : 0;
		if (plen < 31 && ip == (dev->addrs[j].ifa_local | ~m))
			return 1;
	}
	return 0;
}

int neigh_output(struct net *net, struct sk_buff *skb, struct net_device *dev, uint32_t nexthop)
{
	const uint8_t *mac = neigh_is_broadcast(dev, nexthop) ? dev->broadcast : neigh_lookup(net, dev, nexthop);

	trace_enter(net, skb, "neigh_output", "link", "next hop %s on %s", ip_fmt(nexthop), dev->name);
	if (!mac) {
		trace_step(net, skb, "neigh_resolve_output", "%s is not in the neighbour table", ip_fmt(nexthop));
		return trace_ret(net, arp_solicit(net, dev, nexthop, skb));
	}
	struct ethhdr *eth = (struct ethhdr *)skb_push(skb, ETH_HLEN);
	memcpy(eth->h_dest, mac, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	skb->dev = dev;
	trace_step(net, skb, "neigh_hh_output", "%s is at %s", ip_fmt(nexthop), mac_fmt(mac));
	dev_queue_xmit(net, skb);
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	return 0;
}
