/*
 * test_sock_ehash.c - the established hash's chain tags (stack/sock.c):
 * __inet_lookup_established and __inet6_lookup_established, which skip a
 * chain whose tags lack the 4-tuple's bit, find what a walk of the chain
 * finds, for sockets that are there and 4-tuples that are not, and still
 * do after sockets leave their chains (the tags of those left are
 * recomputed).
 */
#include "nj_check.h"
#include "ipv6.h"
#include "tcp.h"

#define N 6000

static uint32_t rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* The chain walk without tags: the reference. */
static struct sock *walk4(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	for (struct sock *sk = net->socks->all; sk; sk = sk->anext)
		if (sk->hashed && sk->family == AF_INET && sk->state != TCP_LISTEN && sk->saddr == daddr &&
		    sk->sport == dport && sk->daddr == saddr && sk->dport == sport)
			return sk;
	return NULL;
}

static struct sock *walk6(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
			  uint16_t dport)
{
	for (struct sock *sk = net->socks->all; sk; sk = sk->anext)
		if (sk->hashed && sk->family == AF_INET6 && sk->state != TCP_LISTEN && sk->sport == dport &&
		    sk->dport == sport && ipv6_addr_equal(&sk->v6_saddr, daddr) && ipv6_addr_equal(&sk->v6_daddr, saddr))
			return sk;
	return NULL;
}

static void v6_of(struct in6 *a, uint32_t x)
{
	memset(a, 0, sizeof(*a));
	a->s6[0] = 0x20;
	a->s6[1] = 0x01;
	memcpy(a->s6 + 12, &x, 4);
}

/* Every socket found as the walk finds it, and as many 4-tuples that are
 * not there (half of them a port off a socket's) found by neither. */
static void agree(struct net *net, uint32_t seed)
{
	int hits = 0;
	for (struct sock *sk = net->socks->all; sk; sk = sk->anext) {
		if (!sk->hashed)
			continue;
		struct sock *a = sk->family == AF_INET6
			? __inet6_lookup_established(net, &sk->v6_daddr, sk->dport, &sk->v6_saddr, sk->sport)
			: __inet_lookup_established(net, sk->daddr, sk->dport, sk->saddr, sk->sport);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_eq(a, sk->family == AF_INET6
			? walk6(net, &sk->v6_daddr, sk->dport, &sk->v6_saddr, sk->sport)
			: walk4(net, sk->daddr, sk->dport, sk->saddr, sk->sport));
		uint16_t off = htons((uint16_t)(ntohs(sk->dport) + 1));
		ck_assert_ptr_eq(__inet_lookup_established(net, sk->daddr, off, sk->saddr, sk->sport),
				 walk4(net, sk->daddr, off, sk->saddr, sk->sport));
		hits++;
	}
	ck_assert_int_gt(hits, 0);
	for (int i = 0; i < N; i++) {
		uint32_t s = htonl(0x0a000000u | (rnd(&seed) & 0xffff)), d = htonl(0x0a000002u);
		uint16_t sp = htons((uint16_t)rnd(&seed)), dp = htons((uint16_t)(80 + rnd(&seed) % 4));
		ck_assert_ptr_eq(__inet_lookup_established(net, s, sp, d, dp), walk4(net, s, sp, d, dp));
	}
}

START_TEST(ehash_tags_find_what_the_chain_walk_finds)
{
	struct net *net = net_create();
	uint32_t seed = 7;
	ck_assert_ptr_nonnull(net);
	struct sock *v[N];
	for (int i = 0; i < N; i++) {	/* about one and a half sockets a chain */
		struct sock *sk = sock_alloc(net, IPPROTO_TCP_);
		ck_assert_ptr_nonnull(sk);
		sk->state = TCP_ESTABLISHED;
		sk->sport = htons((uint16_t)(80 + rnd(&seed) % 4));
		sk->dport = htons((uint16_t)rnd(&seed));
		if (i % 10 == 9) {
			struct in6 l, r;
			v6_of(&l, 2);
			v6_of(&r, rnd(&seed));
			sk->family = AF_INET6;
			sk->v6_saddr = l;
			sk->v6_daddr = r;
			sk->saddr = ipv6_addr_hash(&l);
			sk->daddr = ipv6_addr_hash(&r);
		} else {
			sk->saddr = htonl(0x0a000002u);
			sk->daddr = htonl(0x0a000000u | (rnd(&seed) & 0xffff));
		}
		sock_hash(net, sk);
		v[i] = sk;
	}
	agree(net, 11);
	for (int i = 0; i < N; i += 3)	/* a third leave their chains */
		sock_unhash(net, v[i]);
	agree(net, 13);
	for (int i = 1; i < N; i += 3)
		sock_unhash(net, v[i]);
	agree(net, 17);
	net_destroy(net);
}
END_TEST

static Suite *ehash_suite(void)
{
	Suite *s = suite_create("sock_ehash");
	TCase *tc = tcase_create("Core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ehash_tags_find_what_the_chain_walk_finds);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(ehash_suite)
