/*
 * sock.c - socket tables and lookups, after net/ipv4/inet_hashtables.c
 * (__inet_lookup_established, __inet_lookup_listener with compute_score),
 * net/ipv6/inet6_hashtables.c (their IPv6 twins), net/ipv4/udp.c
 * (__udp4_lib_lookup), net/ipv6/udp.c (__udp6_lib_lookup) and
 * net/core/sock.c (sk_alloc) (Linux 6.13). Both families share the tables
 * (Linux's are shared too). Left out: reuseport groups, bound devices, lhash2 by
 * address, RCU/refcounts (a dead socket waits on a graveyard instead),
 * connected UDP sockets (none are created).
 */
#include "tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sock_table *sock_table(struct net *net)
{
	if (!net->socks) {
		net->socks = calloc(1, sizeof(struct sock_table));
		if (net->socks)
			net->socks->max = SOCK_MAX_DEFAULT;
	}
	return net->socks;
}

/* inet_ehashfn: a mix of the 4-tuple (jhash in Linux, keyed per boot). */
static uint32_t ehash_mix(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport)
{
	uint32_t h = laddr * 2654435761u ^ faddr * 2246822519u ^ ((uint32_t)lport << 16 | fport) * 3266489917u;
	return h ^ (h >> 15);
}

static uint32_t ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport)
{
	return ehash_mix(laddr, lport, faddr, fport) % SOCK_EHASH;
}

/* A chain's tags: one bit per member, from the mix's top bits (its low
 * ones chose the chain). A lookup whose bit is clear finds nothing there
 * without reading a socket: most SYNs look for a connection that does not
 * exist, and each socket read is a cache miss. */
static uint32_t ehash_tag(uint32_t mix)
{
	return 1u << (mix >> 27);
}

static uint32_t sk_ehash_tag(const struct sock *sk)
{
	return ehash_tag(ehash_mix(sk->saddr, sk->sport, sk->daddr, sk->dport));
}

static struct sock **chain_of(struct sock_table *t, const struct sock *sk)
{
	if (sk->protocol == IPPROTO_UDP_)
		return &t->uhash[ntohs(sk->sport) % SOCK_UHASH];
	if (sk->state == TCP_LISTEN)
		return &t->lhash[ntohs(sk->sport) % SOCK_LHASH];
	return &t->ehash[ehashfn(sk->saddr, sk->sport, sk->daddr, sk->dport)];
}

struct sock *sock_alloc(struct net *net, uint8_t protocol)
{
	struct sock_table *t = sock_table(net);
	if (!t || t->count >= t->max)
		return NULL;
	struct sock *sk = calloc(1, sizeof(*sk));
	if (!sk)
		return NULL;
	sk->protocol = protocol;
	sk->family = AF_INET;
	sk->state = TCP_CLOSE;
	sk->id = ++t->next_id;
	/* tcp_init_sock: sk_rcvbuf from tcp_rmem[1]; a 50% len/truesize guess */
	sk->rcvbuf = protocol == IPPROTO_UDP_ ? UDP_RCVBUF_DEFAULT : net->sysctl.tcp_rmem[1];
	sk->sndbuf = UDP_SNDBUF_DEFAULT;
	sk->scaling_ratio = 128;
	skb_queue_head_init(&sk->receive_queue);
	skb_queue_head_init(&sk->ofo_queue);
	sk->anext = t->all;
	if (t->all)
		t->all->aprev = &sk->anext;
	sk->aprev = &t->all;
	t->all = sk;
	t->count++;
	return sk;
}

/* The ehash chain c is of, or -1 (a listener's or UDP chain). */
static int ehash_index(const struct sock_table *t, struct sock **c)
{
	return c >= t->ehash && c < t->ehash + SOCK_EHASH ? (int)(c - t->ehash) : -1;
}

void sock_hash(struct net *net, struct sock *sk)
{
	struct sock_table *t = net->socks;
	struct sock **c = chain_of(t, sk);
	int e = ehash_index(t, c);
	if (e >= 0)
		t->ehash_tags[e] |= sk_ehash_tag(sk);
	sk->hnext = *c;
	*c = sk;
	sk->hashed = 1;
}

static void unlink_from(struct sock **pp, struct sock *sk, int all_list)
{
	for (; *pp; pp = all_list ? &(*pp)->anext : &(*pp)->hnext)
		if (*pp == sk) {
			*pp = all_list ? sk->anext : sk->hnext;
			return;
		}
}

/* Takes sk out of its hash chain only (the chain is chosen by state, so
 * call before changing the state). */
static void sock_unhash_chain(struct net *net, struct sock *sk)
{
	struct sock_table *t = net->socks;
	if (sk->hashed) {
		struct sock **c = chain_of(t, sk);
		int e = ehash_index(t, c);
		unlink_from(c, sk, 0);
		if (e >= 0) {	/* the tags of those left */
			t->ehash_tags[e] = 0;
			for (struct sock *o = *c; o; o = o->hnext)
				t->ehash_tags[e] |= sk_ehash_tag(o);
		}
	}
	sk->hashed = 0;
}

void sock_rehash(struct net *net, struct sock *sk)
{
	(void)net;
	(void)sk;	/* TCP sockets stay in ehash through every non-LISTEN state */
}

void sock_unhash(struct net *net, struct sock *sk)
{
	struct sock_table *t = net->socks;
	sock_unhash_chain(net, sk);
	sk_timer_del(t, sk);
	if (sk->aprev) {		/* out of t->all */
		*sk->aprev = sk->anext;
		if (sk->anext)
			sk->anext->aprev = sk->aprev;
		sk->aprev = NULL;
	}
	sk->anext = t->graveyard;
	t->graveyard = sk;
	t->count--;
}

/* The truesize charged to sk: its queued skbs (sk_rmem_alloc). */
uint32_t sk_rmem_alloc(const struct sock *sk)
{
	uint32_t n = 0;
	const struct sk_buff_head *qs[2] = { &sk->receive_queue, &sk->ofo_queue };
	for (int i = 0; i < 2; i++)
		for (const struct sk_buff *skb = qs[i]->next; skb != (const struct sk_buff *)qs[i]; skb = skb->next)
			if (sk->protocol != IPPROTO_TCP_ || !TCP_SKB_CB(skb)->coalesced)	/* Linux freed it */
				n += skb->truesize;
	return n;
}

int32_t sk_forward_alloc(const struct sock *sk)
{
	return (int32_t)(sk->mem_reserved - sk_rmem_alloc(sk) - sk->wmem_queued);
}

/* sk_rmem_schedule / sk_wmem_schedule → __sk_mem_schedule: enough whole
 * pages for size more. */
void sk_rmem_schedule(struct sock *sk, uint32_t size)
{
	int32_t delta = (int32_t)size - sk_forward_alloc(sk);
	if (delta > 0)
		sk->mem_reserved += ((uint32_t)delta + SK_MEM_QUANTUM - 1) / SK_MEM_QUANTUM * SK_MEM_QUANTUM;
}

/* sk_mem_reclaim: Linux 6.x keeps sk_forward_alloc under a page. */
void sk_mem_reclaim(struct sock *sk)
{
	int32_t fwd = sk_forward_alloc(sk);
	if (fwd >= SK_MEM_QUANTUM)
		sk->mem_reserved -= (uint32_t)fwd / SK_MEM_QUANTUM * SK_MEM_QUANTUM;
}

void sk_wmem_queue(struct sock *sk, uint32_t end_seq, uint32_t len)
{
	uint32_t ts = TCP_SKB_HEAD_TRUESIZE + len;
	sk_rmem_schedule(sk, ts);	/* sk_wmem_schedule: the same pages */
	sk->wmem_queued += ts;
	if (sk->wq_n == sizeof(sk->wq) / sizeof(sk->wq[0])) {
		sk->wq[sk->wq_n - 1].end_seq = end_seq;	/* full: the last entry grows */
		sk->wq[sk->wq_n - 1].truesize += ts;
		return;
	}
	sk->wq[sk->wq_n].end_seq = end_seq;
	sk->wq[sk->wq_n++].truesize = ts;
}

/* tcp_clean_rtx_queue: what snd_una now covers is freed. */
void sk_wmem_free_acked(struct sock *sk, uint32_t snd_una)
{
	int k = 0;
	while (k < sk->wq_n && (int32_t)(sk->wq[k].end_seq - snd_una) <= 0)
		sk->wmem_queued -= sk->wq[k++].truesize;
	if (!k)
		return;
	memmove(sk->wq, sk->wq + k, (size_t)(sk->wq_n - k) * sizeof(sk->wq[0]));
	sk->wq_n = (uint8_t)(sk->wq_n - k);
}

void skb_set_owner_w(struct sk_buff *skb, struct sock *sk)
{
	skb->sk = sk;
	sk->wmem_alloc += skb->truesize;
}

void skb_frag_owner(struct net *net, struct sk_buff *frag, const struct sk_buff *skb)
{
	if (skb->sk)
		skb_set_owner_w(frag, skb->sk);
	if (skb->icmp_owned) {
		frag->icmp_owned = skb->icmp_owned;
		*(skb->icmp_owned == 1 ? &net->icmp_wmem_alloc : &net->icmp6_wmem_alloc) += frag->truesize;
	}
}

void sock_wfree(struct net *net, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	skb->sk = NULL;
	sk->wmem_alloc = sk->wmem_alloc > skb->truesize ? sk->wmem_alloc - skb->truesize : 0;
	/* sock_def_write_space: sock_writeable, under half the buffer */
	if (sk->send_blocked && !sk->write_space && sk->wmem_alloc < sk->sndbuf / 2) {
		sk->write_space = 1;
		sk->wake_next = net->socks->wakeups;
		net->socks->wakeups = sk;
	}
}

static void sock_free(struct net *net, struct sock *sk)
{
	kfree_skb(net, sk->send_pending);
	free(sk->ip_opt);
	free(sk->nagle_data);
	tcp_rtx_free(sk);
	skb_queue_purge(net, &sk->receive_queue);
	skb_queue_purge(net, &sk->ofo_queue);
	free(sk);
}

void sock_reap(struct net *net)
{
	struct sock_table *t = net->socks;
	while (t && t->graveyard) {
		struct sock *sk = t->graveyard;
		t->graveyard = sk->anext;
		sock_free(net, sk);
	}
}

void sock_exit(struct net *net)
{
	struct sock_table *t = net->socks;
	if (!t)
		return;
	sock_reap(net);
	while (t->all) {
		struct sock *sk = t->all;
		t->all = sk->anext;
		sock_free(net, sk);
	}
	free(t->timers);
	free(t->due);
	free(t);
	net->socks = NULL;
}

void tcp_exit(struct net *net)
{
	sock_exit(net);
}

struct sock *__inet_lookup_established(struct net *net, uint32_t saddr, uint16_t sport,
				       uint32_t daddr, uint16_t dport)
{
	struct sock_table *t = net->socks;
	if (!t)
		return NULL;
	uint32_t mix = ehash_mix(daddr, dport, saddr, sport), e = mix % SOCK_EHASH;
	if (!(t->ehash_tags[e] & ehash_tag(mix)))
		return NULL;
	for (struct sock *sk = t->ehash[e]; sk; sk = sk->hnext)
		if (sk->saddr == daddr && sk->sport == dport && sk->daddr == saddr && sk->dport == sport &&
		    sk->family == AF_INET)
			return sk;
	return NULL;
}

struct sock *__inet6_lookup_established(struct net *net, const struct in6 *saddr, uint16_t sport,
					const struct in6 *daddr, uint16_t dport)
{
	struct sock_table *t = net->socks;
	if (!t)
		return NULL;
	uint32_t hs = ipv6_addr_hash(saddr), hd = ipv6_addr_hash(daddr);
	uint32_t mix = ehash_mix(hd, dport, hs, sport), e = mix % SOCK_EHASH;
	if (!(t->ehash_tags[e] & ehash_tag(mix)))
		return NULL;
	for (struct sock *sk = t->ehash[e]; sk; sk = sk->hnext)
		if (sk->family == AF_INET6 && sk->sport == dport && sk->dport == sport &&
		    ipv6_addr_equal(&sk->v6_saddr, daddr) && ipv6_addr_equal(&sk->v6_daddr, saddr))
			return sk;
	return NULL;
}

/* An IPv6 socket that takes IPv4: bound to :: and not ipv6only. */
static int sk_dual_stack(const struct sock *sk)
{
	return sk->family == AF_INET6 && !sk->ipv6only && ipv6_addr_any(&sk->v6_saddr);
}

/* compute_score: a listener bound to the exact address scores higher; of
 * the wildcards, an IPv4 socket beats a dual-stack one. */
struct sock *__inet_lookup_listener(struct net *net, uint32_t daddr, uint16_t dport)
{
	struct sock_table *t = net->socks;
	struct sock *best = NULL;
	if (!t)
		return NULL;
	for (struct sock *sk = t->lhash[ntohs(dport) % SOCK_LHASH]; sk; sk = sk->hnext) {
		if (sk->sport != dport || (sk->family == AF_INET6 && !sk_dual_stack(sk)) ||
		    (sk->saddr && sk->saddr != daddr))
			continue;
		if (sk->saddr == daddr && sk->family == AF_INET)
			return sk;
		if (!best || best->family == AF_INET6)
			best = sk;
	}
	return best;
}

struct sock *inet6_lookup_listener(struct net *net, const struct in6 *daddr, uint16_t dport)
{
	struct sock_table *t = net->socks;
	struct sock *best = NULL;
	if (!t)
		return NULL;
	for (struct sock *sk = t->lhash[ntohs(dport) % SOCK_LHASH]; sk; sk = sk->hnext) {
		if (sk->sport != dport || sk->family != AF_INET6)
			continue;
		if (ipv6_addr_equal(&sk->v6_saddr, daddr))
			return sk;
		if (ipv6_addr_any(&sk->v6_saddr))
			best = sk;
	}
	return best;
}

struct sock *__udp4_lib_lookup(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr,
			       uint16_t dport)
{
	struct sock_table *t = net->socks;
	struct sock *best = NULL;
	int best_score = -1;
	if (!t)
		return NULL;
	for (struct sock *sk = t->uhash[ntohs(dport) % SOCK_UHASH]; sk; sk = sk->hnext) {
		if (sk->sport != dport || (sk->family == AF_INET6 && !sk_dual_stack(sk)) ||
		    (sk->saddr && sk->saddr != daddr) || (sk->daddr && (sk->daddr != saddr || sk->dport != sport)))
			continue;
		int score = (sk->saddr ? 4 : 0) + (sk->daddr ? 8 : 0) + (sk->family == AF_INET);
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	return best;
}

/* Only bound sockets exist (no connected UDP over IPv6): the address, then ::. */
struct sock *__udp6_lib_lookup(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
			       uint16_t dport)
{
	struct sock_table *t = net->socks;
	struct sock *best = NULL;
	(void)saddr;
	(void)sport;
	if (!t)
		return NULL;
	for (struct sock *sk = t->uhash[ntohs(dport) % SOCK_UHASH]; sk; sk = sk->hnext) {
		if (sk->sport != dport || sk->family != AF_INET6 || sk->protocol != IPPROTO_UDP_)
			continue;
		if (ipv6_addr_equal(&sk->v6_saddr, daddr))
			return sk;
		if (ipv6_addr_any(&sk->v6_saddr))
			best = sk;
	}
	return best;
}

/* inet_bind_conflict, reduced: two binds of a port clash when their
 * addresses can meet (the same, or a wildcard covering the other's family). */
static int bind_conflict(const struct sock *a, const struct sock *b)
{
	int a4 = a->family == AF_INET || sk_dual_stack(a), b4 = b->family == AF_INET || sk_dual_stack(b);
	int a6 = a->family == AF_INET6, b6 = b->family == AF_INET6;

	if (a4 && b4 && (a->saddr == b->saddr || !a->saddr || !b->saddr))
		return 1;	/* a dual-stack socket's saddr is 0 (::) */
	return a6 && b6 && (ipv6_addr_equal(&a->v6_saddr, &b->v6_saddr) || ipv6_addr_any(&a->v6_saddr) ||
			    ipv6_addr_any(&b->v6_saddr));
}

static int port_taken(struct net *net, const struct sock *sk)
{
	struct sock_table *t = net->socks;
	uint16_t port = sk->sport;
	struct sock *c = sk->protocol == IPPROTO_UDP_ ? t->uhash[ntohs(port) % SOCK_UHASH]
						     : t->lhash[ntohs(port) % SOCK_LHASH];
	for (; c; c = c->hnext)
		if (c->sport == port && c->protocol == sk->protocol && bind_conflict(c, sk))
			return 1;
	return 0;
}

int sock_listen(struct net *net, uint8_t protocol, uint32_t addr, uint16_t port, enum sock_app app,
		int backlog)
{
	static const struct in6 any;
	int af = addr || protocol == IPPROTO_ICMP_ ? AF_INET : AF_INET6;
	return sock_listen_af(net, protocol, af, addr, &any, 0, port, app, backlog);
}

int sock_listen_af(struct net *net, uint8_t protocol, int family, uint32_t addr4, const struct in6 *addr6,
		   int ipv6only, uint16_t port, enum sock_app app, int backlog)
{
	struct sock probe = { .protocol = protocol, .family = (uint8_t)family, .sport = htons(port) };

	if (!sock_table(net))
		return -2;
	probe.ipv6only = (uint8_t)(family == AF_INET6 && ipv6only);
	if (family == AF_INET6)
		probe.v6_saddr = *addr6;
	probe.saddr = family == AF_INET6 ? ipv6_addr_hash(addr6) : addr4;
	if (port_taken(net, &probe))
		return -1;
	struct sock *sk = sock_alloc(net, protocol);
	if (!sk)
		return -2;
	sk->family = probe.family;
	sk->ipv6only = probe.ipv6only;
	sk->v6_saddr = probe.v6_saddr;
	sk->saddr = probe.saddr;
	sk->sport = htons(port);
	sk->app = (uint8_t)app;
	if (protocol == IPPROTO_TCP_) {
		sk->state = TCP_LISTEN;
		/* listen(): the backlog is capped by net.core.somaxconn. */
		sk->max_ack_backlog = backlog < 0 ? SOMAXCONN : (backlog > SOMAXCONN ? SOMAXCONN : backlog);
	}
	sock_hash(net, sk);
	return 0;
}

void sock_for_each(struct net *net, void (*fn)(void *ctx, const struct sock *sk), void *ctx)
{
	for (struct sock *sk = net->socks ? net->socks->all : NULL; sk; sk = sk->anext)
		fn(ctx, sk);
}

const char *sock_app_name(int app)
{
	static const char *n[] = { "none", "echo", "discard", "http", "recorded" };
	return app >= 0 && app <= APP_RECORDED ? n[app] : "?";
}

const char *tcp_state_name(int s)
{
	static const char *n[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
				   "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
				   "NEW_SYN_RECV" };
	return s >= 0 && s <= TCP_NEW_SYN_RECV ? n[s] : "?";
}

const char *sk_fmt(const struct sock *sk)
{
	static _Thread_local char ring[4][128];
	static _Thread_local int i;
	char *b = ring[i++ & 3];
	if (sk->family == AF_INET6) {	/* "*:P", "[S]:P" or "[S]:P>[D]:P": 2 × 46 bytes at most */
		char *o = b;
		if (!sk->dport && sk_dual_stack(sk)) {
			*o++ = '*';
		} else {
			*o++ = '[';
			o = txt_str(o, in6_fmt(&sk->v6_saddr));
			*o++ = ']';
		}
		*o++ = ':';
		o = txt_u64(o, ntohs(sk->sport));
		if (sk->dport) {
			o = txt_str(o, ">[");
			o = txt_str(o, in6_fmt(&sk->v6_daddr));
			o = txt_str(o, "]:");
			o = txt_u64(o, ntohs(sk->dport));
		}
		*o = 0;
	} else {		/* without a peer: a listener or a bound UDP socket */
		char *o = txt_str(b, sk->saddr || sk->daddr || sk->dport ? ip_fmt(sk->saddr) : "*");
		*o++ = ':';
		o = txt_u64(o, ntohs(sk->sport));
		if (sk->daddr || sk->dport) {
			*o++ = '>';
			o = txt_str(o, ip_fmt(sk->daddr));
			*o++ = ':';
			o = txt_u64(o, ntohs(sk->dport));
		}
		*o = 0;
	}
	return b;
}
