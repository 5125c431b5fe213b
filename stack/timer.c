/*
 * timer.c - which sockets have a timer due, without looking at every
 * socket: the role of kernel/time/timer.c (the timer wheel) for the TCP
 * timers of sock.h, as a binary min-heap of sockets keyed by their
 * earliest deadline. Left out: the wheel's granularity and slack; timers
 * here fire exactly at their deadline, when the replay's clock passes it.
 *
 * The heap only finds the candidates: a key may be early (the timer was
 * cancelled or pushed back since), never late, so a popped socket is
 * looked at again by its owner (tcp_run_timers), which fires it or not.
 * A deadline armed without its socket (tcp_timer_arm) makes the next run
 * look at every socket instead, as does running out of memory.
 */
#include "tcp.h"

#include <stdlib.h>

/* A 4-ary heap: half the levels of a binary one; the keys sit in the
 * array, so a comparison does not have to read the socket. */
#define ARITY 4	/* heap_min4 compares a group of four */

static void heap_place(struct sock_table *t, uint32_t i, struct sock *sk, uint64_t key)
{
	t->timers[i].key = key;
	t->timers[i].sk = sk;
	sk->timer_slot = i + 1;
}

static void heap_up(struct sock_table *t, uint32_t i, struct sock *sk, uint64_t key)
{
	while (i > 0) {
		uint32_t p = (i - 1) / ARITY;
		if (t->timers[p].key <= key)
			break;
		heap_place(t, i, t->timers[p].sk, t->timers[p].key);
		i = p;
	}
	heap_place(t, i, sk, key);
}

/* The first smallest of a full group of ARITY children, by a tournament:
 * no bounds tests, and ties go to the lower index as a scan's would. */
static inline uint32_t heap_min4(const struct sk_timer *h, uint32_t c)
{
	uint32_t a = h[c + 1].key < h[c].key ? c + 1 : c;
	uint32_t b = h[c + 3].key < h[c + 2].key ? c + 3 : c + 2;
	return h[b].key < h[a].key ? b : a;
}

static void heap_down(struct sock_table *t, uint32_t i, struct sock *sk, uint64_t key)
{
	const uint32_t n = t->ntimers;
	for (;;) {
		uint32_t c = ARITY * i + 1, best = c;
		if (c + ARITY <= n) {
			best = heap_min4(t->timers, c);
		} else {
			if (c >= n)
				break;
			for (uint32_t k = c + 1; k < n; k++)
				if (t->timers[k].key < t->timers[best].key)
					best = k;
		}
		if (key <= t->timers[best].key)
			break;
		heap_place(t, i, t->timers[best].sk, t->timers[best].key);
		i = best;
	}
	heap_place(t, i, sk, key);
}

void sk_timer_del(struct sock_table *t, struct sock *sk)
{
	if (!sk->timer_slot)
		return;
	uint32_t i = sk->timer_slot - 1;
	struct sk_timer last = t->timers[--t->ntimers];
	sk->timer_slot = 0;
	if (last.sk == sk)
		return;
	if (i > 0 && last.key < t->timers[(i - 1) / ARITY].key)
		heap_up(t, i, last.sk, last.key);
	else
		heap_down(t, i, last.sk, last.key);
}

void sk_timer_set(struct sock_table *t, struct sock *sk, uint64_t when_ns)
{
	if (sk->timer_slot) {
		if (when_ns < t->timers[sk->timer_slot - 1].key)
			heap_up(t, sk->timer_slot - 1, sk, when_ns);
		return;
	}
	if (t->ntimers == t->timers_cap) {
		uint32_t cap = t->timers_cap ? 2 * t->timers_cap : 64;
		struct sk_timer *n = realloc(t->timers, cap * sizeof(*n));
		if (!n) {
			t->timers_walk = 1;	/* not indexed: the next run looks at every socket */
			return;
		}
		t->timers = n;
		t->timers_cap = cap;
	}
	heap_up(t, t->ntimers++, sk, when_ns);
}

void sk_reset_timer(struct net *net, struct sock *sk, uint64_t when_ns)
{
	struct sock_table *t = net->socks;
	if (!t->next_timer_ns || when_ns < t->next_timer_ns)
		t->next_timer_ns = when_ns;
	sk_timer_set(t, sk, when_ns);
}

/* The order of the table's list of all sockets: newest first. */
static int newest_first(const void *a, const void *b)
{
	uint32_t x = (*(struct sock *const *)a)->id, y = (*(struct sock *const *)b)->id;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Room for n due sockets in the table's array, kept from run to run. */
static int due_room(struct sock_table *t, uint32_t n)
{
	if (n <= t->due_cap)
		return 0;
	uint32_t cap = t->due_cap ? 2 * t->due_cap : 16;
	struct sock **g = realloc(t->due, cap * sizeof(*g));
	if (!g)
		return -1;
	t->due = g;
	t->due_cap = cap;
	return 0;
}

int sk_timers_due(struct net *net, struct sock ***due)
{
	struct sock_table *t = net->socks;
	uint32_t n = 0;

	*due = NULL;
	if (t->timers_walk) {
		t->timers_walk = 0;
		return -1;
	}
	while (t->ntimers && t->timers[0].key <= net->now_ns) {
		if (due_room(t, n + 1) < 0)
			return -1;	/* the walk puts them back */
		t->due[n++] = t->timers[0].sk;
		sk_timer_del(t, t->timers[0].sk);
	}
	if (n > 1)
		qsort(t->due, n, sizeof(*t->due), newest_first);
	*due = t->due;
	return (int)n;
}

uint64_t sk_timers_next(struct net *net, uint64_t (*deadline)(const struct sock *sk))
{
	struct sock_table *t = net->socks;
	while (t->ntimers) {
		struct sock *sk = t->timers[0].sk;
		uint64_t d = deadline(sk);
		if (d == t->timers[0].key)
			return d;
		if (!d)
			sk_timer_del(t, sk);
		else		/* pushed back since it was armed: only ever later */
			heap_down(t, 0, sk, d);
	}
	return 0;
}
