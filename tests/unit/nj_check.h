/*
 * nj_check.h - shared plumbing for the Check unit tests: a test host, a
 * recording trace sink, frame builders and injection. Each test file
 * includes it once and defines its own suite; NJ_TEST_MAIN(suite_fn) makes
 * main(). CK_FORK=no in the environment runs in-process for gdb.
 */
#ifndef NJ_TESTS_UNIT_NJ_CHECK_H
#define NJ_TESTS_UNIT_NJ_CHECK_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"
#include "stack.h"

/* NJ_ASAN: built with AddressSanitizer, whose quarantine keeps freed
 * memory (256 MiB by default), so RSS bounds do not hold there. */
#if defined(__SANITIZE_ADDRESS__)
#define NJ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NJ_ASAN 1
#endif
#endif
#ifndef NJ_ASAN
#define NJ_ASAN 0
#endif

#define NJ_REC_MAX 4096

/* One recorded event: the fields tests assert on. */
struct nj_rec {
	char ph;
	char fn[48];
	int depth;
	int64_t pkt, skb;
	enum nj_verdict verdict;
	enum skb_drop_reason reason;
	char msg[256];
	char args[512];
	uint64_t mib[MIB_MAX];		/* deltas reported on this event */
	int n_from;
};

struct nj_recorder {
	struct nj_rec ev[NJ_REC_MAX];
	int n;
};

static struct nj_recorder nj_rec;

static void nj_rec_emit(void *ctx, const struct trace_event *e)
{
	struct nj_recorder *r = ctx;
	if (r->n >= NJ_REC_MAX)
		return;
	struct nj_rec *x = &r->ev[r->n++];
	memset(x, 0, sizeof(*x));
	x->ph = e->ph;
	snprintf(x->fn, sizeof(x->fn), "%s", e->fn);
	x->depth = e->depth;
	x->pkt = e->pkt;
	x->skb = e->skb;
	x->verdict = e->verdict;
	x->reason = e->reason;
	if (e->msg)
		snprintf(x->msg, sizeof(x->msg), "%s", e->msg);
	if (e->args)
		snprintf(x->args, sizeof(x->args), "%s", e->args);
	for (int i = 0; i < e->n_mib; i++)
		x->mib[e->mib[i].id] += e->mib[i].n;
	x->n_from = e->n_from;
}

static const uint8_t *const nj_host_mac = PB_HOST_MAC;
static const uint8_t *const nj_peer_mac = PB_PEER_MAC;
#define NJ_HOST_IP "10.0.0.2"
#define NJ_PEER_IP "10.0.0.1"

static inline uint32_t nj_ip(const char *s) { return pb_ip(s); }

/* nj_net - a host eth0 02:00:00:00:00:01 10.0.0.2/24 recording into nj_rec. */
static inline struct net *nj_net(void)
{
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	struct net_device *dev = net_add_dev(net, "eth0", nj_host_mac, 1500);
	dev_add_addr(dev, nj_ip(NJ_HOST_IP), 24);
	neigh_add_static(net, dev, nj_ip(NJ_PEER_IP), nj_peer_mac);	/* as the default scenario */
	nj_rec.n = 0;
	trace_add_sink(net, nj_rec_emit, &nj_rec);
	return net;
}

/* nj_net_free - asserts the trace frames are balanced and, once the host
 * has released what it holds (net_purge), that no skb leaked; then
 * destroys the host. Every fixture ends here. */
static inline void nj_net_free(struct net *net)
{
	ck_assert_msg(net->tr.depth == 0, "unbalanced trace frames: depth %d", net->tr.depth);
	net_purge(net);
	ck_assert_msg(net->skbs_live == 0, "%llu skb(s) leaked", (unsigned long long)net->skbs_live);
	net_destroy(net);
}

/* Frame builders: the project's own (replay/pktbuild.h), with the test
 * host's addresses as strings. nj_ip_opts names pb_ipopt's fields. */
struct nj_ip_opts {
	const uint8_t *dst_mac;		/* default: host MAC */
	uint8_t ttl;			/* default 64 */
	uint16_t id, frag_off;		/* frag_off host order: flags|offset/8 */
	int ihl;			/* default 5 */
	int version;			/* default 4 */
	int tot_len_delta;		/* added to the correct tot_len */
	int bad_csum;
	int pad;			/* link padding bytes after the datagram */
	uint8_t tos;
};

static inline size_t nj_build_ip(uint8_t *buf, const char *src, const char *dst, uint8_t proto,
				 const void *payload, size_t plen, const struct nj_ip_opts *o)
{
	struct nj_ip_opts def = { 0 };
	if (!o)
		o = &def;
	struct pb_ipopt p = { .saddr = nj_ip(src), .daddr = nj_ip(dst), .proto = proto, .ttl = o->ttl,
			      .tos = o->tos, .id = o->id, .frag = o->frag_off, .dmac = o->dst_mac,
			      .version = o->version, .ihl = o->ihl, .tot_len_delta = o->tot_len_delta,
			      .bad_csum = o->bad_csum, .pad = o->pad };
	return pb_eth_ip(buf, &p, payload, plen);
}

/* An ICMP echo request body (8-byte header + data) with a valid checksum. */
static inline size_t nj_icmp_echo(uint8_t *p, uint16_t id, uint16_t seq, size_t datalen)
{
	return pb_icmp_echo(p, ICMP_ECHO, id, seq, datalen);
}

/* A UDP datagram with a valid checksum for src > dst. */
static inline size_t nj_udp(uint8_t *p, const char *src, const char *dst, uint16_t sport, uint16_t dport,
			    const void *data, size_t len)
{
	return pb_udp(p, nj_ip(src), nj_ip(dst), sport, dport, data, len, 0);
}

/* A bare TCP header (no options, window 65535) with a valid checksum. */
static inline size_t nj_tcp(uint8_t *p, const char *src, const char *dst, uint16_t sport, uint16_t dport,
			    uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t len)
{
	return pb_tcp(p, nj_ip(src), nj_ip(dst), sport, dport, seq, ack, flags, 65535, NULL, 0, data, len, 0);
}

/* nj_inject - frame → skb on eth0 → eth_type_trans → netif_rx; softirq runs
 * when run_softirq is set. Returns netif_rx's result. */
static inline int nj_inject_nosoftirq(struct net *net, const uint8_t *frame, size_t len, int64_t pkt)
{
	struct sk_buff *skb = alloc_skb(net, (uint32_t)len);
	ck_assert_ptr_nonnull(skb);
	skb->pkt = pkt;
	memcpy(skb_put(skb, (uint32_t)len), frame, len);
	struct net_device *dev = &net->devs[0];
	eth_type_trans(net, skb, dev);
	return netif_rx(net, skb);
}

static inline int nj_inject(struct net *net, const uint8_t *frame, size_t len)
{
	int r = nj_inject_nosoftirq(net, frame, len, 1);
	net_rx_action(net);
	return r;
}

/* Lookup helpers over the recording. */
static inline const struct nj_rec *nj_find(const char *fn, char ph)
{
	for (int i = 0; i < nj_rec.n; i++)
		if (!strcmp(nj_rec.ev[i].fn, fn) && nj_rec.ev[i].ph == ph)
			return &nj_rec.ev[i];
	return NULL;
}

/* The reason of the first kfree_skb step, or -1 if nothing was dropped. */
static inline int nj_drop_reason(void)
{
	for (int i = 0; i < nj_rec.n; i++)
		if (!strcmp(nj_rec.ev[i].fn, "kfree_skb"))
			return (int)nj_rec.ev[i].reason;
	return -1;
}

#define NJ_TEST_MAIN(suite_fn)						\
	int main(void)							\
	{								\
		SRunner *sr = srunner_create(suite_fn());		\
		srunner_run_all(sr, CK_NORMAL);				\
		int failed = srunner_ntests_failed(sr);			\
		srunner_free(sr);					\
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;		\
	}

/* ---- Transmitted frames, and the router ---- */

/* Frames the host transmitted (net->xmit), copied for parsing back. */
#define NJ_TX_MAX 64
struct nj_txf {
	uint8_t buf[2048];
	size_t len;
	int ifindex;
};
struct nj_txlog {
	struct nj_txf f[NJ_TX_MAX];
	int n;
};
static struct nj_txlog nj_tx;

static void nj_tx_capture(void *ctx, const struct sk_buff *skb, const struct net_device *dev)
{
	struct nj_txlog *t = ctx;
	if (t->n >= NJ_TX_MAX || skb->len > sizeof(t->f[0].buf))
		return;
	memcpy(t->f[t->n].buf, skb->data, skb->len);
	t->f[t->n].len = skb->len;
	t->f[t->n].ifindex = dev ? dev->ifindex : 0;
	t->n++;
}

/* nj_capture_tx - start recording transmitted frames into nj_tx. */
static inline void nj_capture_tx(struct net *net)
{
	nj_tx.n = 0;
	net->xmit = nj_tx_capture;
	net->xmit_ctx = &nj_tx;
}

/* The IP header / L4 of transmitted frame i (Ethernet, no VLAN). */
static inline const struct iphdr *nj_tx_ip(int i) { return (const struct iphdr *)(nj_tx.f[i].buf + ETH_HLEN); }
static inline const uint8_t *nj_tx_l4(int i) { return nj_tx.f[i].buf + ETH_HLEN + ip_ihl(nj_tx_ip(i)) * 4; }

#define NJ_ROUTER_MAC1 ((const uint8_t *)"\x02\x00\x00\x00\x01\x01")
#define NJ_LAN_HOST "192.168.1.10"
static const uint8_t nj_lan_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x0a };

/* nj_router - nj_net plus eth1 192.168.1.1/24 (MTU 1400), forwarding on,
 * static neighbours 10.0.0.1 (eth0) and 192.168.1.10 (eth1), capturing
 * transmitted frames. */
static inline struct net *nj_router(void)
{
	struct net *net = nj_net();
	struct net_device *eth1 = net_add_dev(net, "eth1", NJ_ROUTER_MAC1, 1400);
	dev_add_addr(eth1, nj_ip("192.168.1.1"), 24);
	inet_forward_change(net, 1);
	neigh_add_static(net, &net->devs[0], nj_ip(NJ_PEER_IP), nj_peer_mac);
	neigh_add_static(net, eth1, nj_ip(NJ_LAN_HOST), nj_lan_mac);
	nj_capture_tx(net);
	return net;
}

/* nj_inject_on - like nj_inject, on device index i (0-based). */
static inline int nj_inject_on(struct net *net, int i, const uint8_t *frame, size_t len)
{
	struct sk_buff *skb = alloc_skb(net, (uint32_t)len);
	ck_assert_ptr_nonnull(skb);
	skb->pkt = 1;
	memcpy(skb_put(skb, (uint32_t)len), frame, len);
	eth_type_trans(net, skb, &net->devs[i]);
	int r = netif_rx(net, skb);
	net_rx_action(net);
	return r;
}

/* nj_count - how many events fn/ph were recorded. */
static inline int nj_count(const char *fn, char ph)
{
	int n = 0;
	for (int i = 0; i < nj_rec.n; i++)
		n += !strcmp(nj_rec.ev[i].fn, fn) && nj_rec.ev[i].ph == ph;
	return n;
}

/* ---- Checking what the host sent ---- */

/* nj_tx_csum_ok - transmitted frame i has valid IP and TCP/UDP checksums. */
static inline int nj_tx_csum_ok(int i)
{
	const struct iphdr *iph = nj_tx_ip(i);
	size_t l4len = ntohs(iph->tot_len) - (size_t)ip_ihl(iph) * 4;
	if (ip_fast_csum(iph, (unsigned)ip_ihl(iph)) != 0)
		return 0;
	if (iph->protocol != IPPROTO_TCP_ && iph->protocol != IPPROTO_UDP_)
		return 1;
	return csum_tcpudp(iph->saddr, iph->daddr, iph->protocol, nj_tx_l4(i), l4len) == 0;
}

/* The TCP header of transmitted frame i (asserts it is TCP with good sums). */
static inline const struct tcphdr *nj_tx_tcp(int i)
{
	ck_assert_int_lt(i, nj_tx.n);
	ck_assert_int_eq(nj_tx_ip(i)->protocol, IPPROTO_TCP_);
	ck_assert_msg(nj_tx_csum_ok(i), "frame %d: bad checksum", i);
	return (const struct tcphdr *)nj_tx_l4(i);
}

/* nj_host - nj_net with the peer as a static neighbour, capturing transmits. */
static inline struct net *nj_host(void)
{
	struct net *net = nj_net();
	neigh_add_static(net, &net->devs[0], nj_ip(NJ_PEER_IP), nj_peer_mac);
	nj_capture_tx(net);
	return net;
}

#endif
