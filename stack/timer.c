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

static void heap_place(struct sock_table *t, struct sock *sk, uint32_t i)
{
	t->timers[i] = sk;
	sk->timer_slot = i + 1;
}

static void heap_up(struct sock_table *t, uint32_t i)
{
	struct sock *sk = t->timers[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (t->timers[p]->timer_key <= sk->timer_key)
			break;
		heap_place(t, t->timers[p], i);
		i = p;
	}
	heap_place(t, sk, i);
}

static void heap_down(struct sock_table *t, uint32_t i)
{
	struct sock *sk = t->timers[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= t->ntimers)
			break;
		if (c + 1 < t->ntimers && t->timers[c + 1]->timer_key < t->timers[c]->timer_key)
			c++;
		if (sk->timer_key <= t->timers[c]->timer_key)
			break;
		heap_place(t, t->timers[c], i);
		i = c;
	}
	heap_place(t, sk, i);
}

void sk_timer_del(struct sock_table *t, struct sock *sk)
{
	if (!sk->timer_slot)
		return;
	uint32_t i = sk->timer_slot - 1;
	struct sock *last = t->timers[--t->ntimers];
	sk->timer_slot = 0;
	if (last == sk)
		return;
	heap_place(t, last, i);
	heap_up(t, i);
	heap_down(t, last->timer_slot - 1);
}

void sk_timer_set(struct sock_table *t, struct sock *sk, uint64_t when_ns)
{
	if (sk->timer_slot) {
		if (when_ns < sk->timer_key) {
			sk->timer_key = when_ns;
			heap_up(t, sk->timer_slot - 1);
		}
		return;
	}
	if (t->ntimers == t->timers_cap) {
		uint32_t cap = t->timers_cap ? 2 * t->timers_cap : 64;
		struct sock **n = realloc(t->timers, cap * sizeof(*n));
		if (!n) {
			t->timers_walk = 1;	/* not indexed: the next run looks at every socket */
			return;
		}
		t->timers = n;
		t->timers_cap = cap;
	}
	sk->timer_key = when_ns;
	heap_place(t, sk, t->ntimers++);
	heap_up(t, sk->timer_slot - 1);
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

int sk_timers_due(struct net *net, struct sock ***due)
{
	struct sock_table *t = net->socks;
	uint32_t n = 0, cap = 0;
	struct sock **v = NULL;

	*due = NULL;
	if (t->timers_walk) {
		t->timers_walk = 0;
		return -1;
	}
	while (t->ntimers && t->timers[0]->timer_key <= net->now_ns) {
		if (n == cap) {
			struct sock **g = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*g));
			if (!g) {	/* put them back and look at every socket */
				for (uint32_t i = 0; i < n; i++)
					sk_timer_set(t, v[i], v[i]->timer_key);
				free(v);
				return -1;
			}
			v = g;
		}
		v[n++] = t->timers[0];
		sk_timer_del(t, t->timers[0]);
	}
	qsort(v, n, sizeof(*v), newest_first);
	*due = v;
	return (int)n;
}

uint64_t sk_timers_next(struct net *net, uint64_t (*deadline)(const struct sock *sk))
{
	struct sock_table *t = net->socks;
	while (t->ntimers) {
		struct sock *sk = t->timers[0];
		uint64_t d = deadline(sk);
		if (d == sk->timer_key)
			return d;
		if (!d) {
			sk_timer_del(t, sk);
		} else {	/* pushed back since it was armed: only ever later */
			sk->timer_key = d;
			heap_down(t, 0);
		}
	}
	return 0;
}
