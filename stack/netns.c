/*
 * netns.c - creating and destroying a simulated host (struct net), after
 * net/core/net_namespace.c and the per-netns sysctl defaults Linux 6.x sets
 * (net/core/sysctl_net_core.c, net/ipv4/ip_fragment.c).
 */
#include "netns.h"
#include "fib.h"
#include "ip_fragment.h"
#include "tcp.h"
#include "netfilter.h"
#include "af_packet.h"
#include "ipv6.h"

#include <stdlib.h>
#include <string.h>

struct net *net_create(void)
{
	struct net *net = calloc(1, sizeof(*net));
	if (!net)
		return NULL;
	net->kernel = KERNEL_6X;
	net->sysctl.netdev_max_backlog = 1000;
	net->sysctl.netdev_budget = 300;
	net->sysctl.dev_weight = 64;
	net->sysctl.verify_checksums = 1;
	net->sysctl.csum_partial_trusted = 1;
	net->sysctl.ipfrag_high_thresh = 4 * 1024 * 1024;
	net->sysctl.ipfrag_low_thresh = 3 * 1024 * 1024;
	net->sysctl.ipfrag_time_ns = 30ULL * 1000000000ULL;
	net->sysctl.ipfrag_max_dist = 64;
	net->sysctl.tcp_sack = net->sysctl.tcp_timestamps = 1;
	net->sysctl.tcp_window_scaling = net->sysctl.tcp_dsack = 1;
	net->sysctl.tcp_syncookies = 1;
	net->sysctl.tcp_ecn = 2;
	net->sysctl.tcp_rmem[0] = 4096;
	net->sysctl.tcp_rmem[1] = SK_RCVBUF_DEFAULT;
	net->sysctl.tcp_rmem[2] = 6291456;
	net->sysctl.rmem_max = 212992;
	net->cur_pkt = -1;
	net->tr.lite_flushed = 1;	/* the lite mode is off (trace.h) */
	skb_queue_head_init(&net->sd.input_pkt_queue);
	if (ip_frag_init(net) < 0) {
		free(net);
		return NULL;
	}
	if (fib_init(net) < 0) {
		ip_frag_exit(net);
		free(net);
		return NULL;
	}
	return net;
}

void net_purge(struct net *net)
{
	ip_frag_exit(net);
	packet_exit(net);
	/* the packets waiting for ARP (or ND) before the sockets whose send
	 * buffers they are charged to */
	neigh_table_exit(net);
	ipv6_exit(net);		/* addresses, routes, ndisc cache, fragments */
	tcp_exit(net);		/* sockets and their queues */
	skb_queue_purge(net, &net->sd.input_pkt_queue);
}

void net_destroy(struct net *net)
{
	if (!net)
		return;
	skb_cache_dying(net);
	net_purge(net);
	trace_set_outcome_table(net, NULL);	/* the table outlives the host */
	fib_exit(net);
	netfilter_exit(net);
	skb_cache_destroy(net);
	jw_free(&net->tr.args);
	free(net);
}

static struct net_device *net_add_dev_type(struct net *net, const char *name, uint16_t type, uint32_t mtu)
{
	if (net->ndevs >= NJ_MAX_DEVS)
		return NULL;
	struct net_device *dev = &net->devs[net->ndevs];
	memset(dev, 0, sizeof(*dev));
	dev->ifindex = ++net->ndevs;
	dev->type = type;
	strncpy(dev->name, name, IFNAMSIZ - 1);
	dev->mtu = mtu ? mtu : 1500;
	dev->up = 1;
	dev->nd_net = net;
	net->dev_gen++;
	return dev;
}

struct net_device *net_add_dev(struct net *net, const char *name, const uint8_t mac[ETH_ALEN], uint32_t mtu)
{
	struct net_device *dev = net_add_dev_type(net, name, NJ_ARPHRD_ETHER, mtu);
	if (!dev)
		return NULL;
	memcpy(dev->dev_addr, mac, ETH_ALEN);
	memset(dev->broadcast, 0xff, ETH_ALEN);
	addrconf_dev_config(net, dev);	/* its IPv6 link-local address, as Linux on NETDEV_UP */
	return dev;
}

/* A tun's IN6_ADDR_GEN_MODE_RANDOM link-local address, or the one PPP's
 * IPV6CP agrees, cannot be known: the device has none (a scenario can give
 * its addresses). */
struct net_device *net_add_noarp_dev(struct net *net, const char *name, uint16_t type, uint32_t mtu)
{
	return net_add_dev_type(net, name, type, mtu);
}

int dev_add_addr(struct net_device *dev, uint32_t addr, int prefixlen)
{
	if (dev->naddrs >= NJ_MAX_ADDRS || prefixlen < 0 || prefixlen > 32)
		return -1;
	dev->addrs[dev->naddrs].ifa_local = addr;
	dev->addrs[dev->naddrs].ifa_prefixlen = (uint8_t)prefixlen;
	dev->naddrs++;
	if (dev->nd_net)
		dev->nd_net->dev_gen++;	/* the connected routes follow (fib_sync) */
	return 0;
}

struct net_device *dev_get_by_index(struct net *net, int ifindex)
{
	return ifindex >= 1 && ifindex <= net->ndevs ? &net->devs[ifindex - 1] : NULL;
}

struct net_device *dev_get_by_name(struct net *net, const char *name)
{
	for (int i = 0; i < net->ndevs; i++)
		if (!strcmp(net->devs[i].name, name))
			return &net->devs[i];
	return NULL;
}

struct net_device *ip_dev_find(struct net *net, uint32_t addr)
{
	for (int i = 0; i < net->ndevs; i++)
		for (int j = 0; j < net->devs[i].naddrs; j++)
			if (net->devs[i].addrs[j].ifa_local == addr)
				return &net->devs[i];
	return NULL;
}

void net_set_time(struct net *net, uint64_t now_ns)
{
	if (now_ns > net->now_ns)
		net->now_ns = now_ns;
}
