/*
 * test_timer.c - the timer heap (stack/timer.c) finds what a walk over
 * every socket finds: random operations against a brute-force model (the
 * due sockets, newest first, and the next deadline), and the same TCP
 * timers firing in the same order, with the same events, sends and
 * counters, whether tcp_run_timers uses the heap or walks every socket
 * (tcp_timer_arm forces the walk).
 */
#include "nj_check.h"
#include "tcp.h"
#include "nj_tcp_peer.h"

#define NSOCK 200

/* The model: each socket's true deadline (0 none) and whether it is in the heap. */
static uint64_t model_deadline[NSOCK + 1];

static uint64_t model_next(const struct sock *sk) { return model_deadline[sk->id]; }

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

START_TEST(heap_matches_a_walk)
{
	struct net *net = net_create();
	struct sock *sk[NSOCK + 1];
	ck_assert_ptr_nonnull(net);
	for (int i = 1; i <= NSOCK; i++) {
		sk[i] = sock_alloc(net, IPPROTO_TCP_);
		ck_assert_ptr_nonnull(sk[i]);
		ck_assert_uint_eq(sk[i]->id, (unsigned)i);
	}
	struct sock_table *t = net->socks;
	uint64_t now = 0;
	for (int round = 0; round < 4000; round++) {
		int i = 1 + (int)(rnd() % NSOCK);
		switch (rnd() % 4) {
		case 0:		/* armed (earlier or later than before) */
			model_deadline[i] = now + 1 + rnd() % 1000;
			sk_reset_timer(net, sk[i], model_deadline[i]);
			break;
		case 1:		/* cancelled: the heap's key stays early */
			model_deadline[i] = 0;
			break;
		case 2: {	/* time passes: due = every deadline <= now, newest first */
			now += rnd() % 300;
			net->now_ns = now;
			struct sock **due;
			int n = sk_timers_due(net, &due);
			char in_due[NSOCK + 1] = { 0 };
			ck_assert_int_ge(n, 0);
			for (int j = 0; j < n; j++)
				in_due[due[j]->id] = 1;
			for (int j = 1; j <= NSOCK; j++)
				if (model_deadline[j] && model_deadline[j] <= now) {
					ck_assert_msg(in_due[j], "sk %d due at %llu, now %llu, not found", j,
						      (unsigned long long)model_deadline[j], (unsigned long long)now);
					model_deadline[j] = 0;	/* fired */
				}
			for (int j = 0; j + 1 < n; j++)
				ck_assert_uint_gt(due[j]->id, due[j + 1]->id);
			for (int j = 0; j < n; j++)	/* what is left is armed again, as tcp_run_timers does */
				if (model_deadline[due[j]->id])
					sk_timer_set(t, due[j], model_deadline[due[j]->id]);
			break;
		}
		case 3: {	/* the next deadline is the model's minimum */
			uint64_t want = 0;
			for (int j = 1; j <= NSOCK; j++)
				if (model_deadline[j] && (!want || model_deadline[j] < want))
					want = model_deadline[j];
			ck_assert_uint_eq(sk_timers_next(net, model_next), want);
		}
		}
		for (uint32_t j = 0; j < t->ntimers; j++)	/* each knows its place */
			ck_assert_uint_eq(t->timers[j].sk->timer_slot, j + 1);
	}
	sock_unhash(net, sk[7]);	/* a dead socket leaves the heap */
	for (uint32_t j = 0; j < t->ntimers; j++)
		ck_assert_ptr_ne(t->timers[j].sk, sk[7]);
	net_destroy(net);
}
END_TEST

/* Many sockets at once, so the heap has full groups of four children on
 * several levels (the walk test above rarely holds more than a few):
 * with ties and re-arms, every run must hand out exactly the sockets
 * whose deadline passed, and every parent's key stays <= its children's. */
#define NMANY 3000
START_TEST(heap_many_timers)
{
	static uint64_t dl[NMANY + 1];
	struct net *net = net_create();
	struct sock *sk[NMANY + 1];
	ck_assert_ptr_nonnull(net);
	for (int i = 1; i <= NMANY; i++) {
		sk[i] = sock_alloc(net, IPPROTO_TCP_);
		ck_assert_ptr_nonnull(sk[i]);
		dl[i] = 1 + rnd() % 500;	/* many ties */
		sk_reset_timer(net, sk[i], dl[i]);
	}
	struct sock_table *t = net->socks;
	for (uint64_t now = 0; now < 3000; now += 1 + rnd() % 7) {
		net->now_ns = now;
		struct sock **due;
		int n = sk_timers_due(net, &due);
		int want = 0;
		for (int j = 1; j <= NMANY; j++)
			want += dl[j] && dl[j] <= now;
		ck_assert_int_eq(n, want);
		for (int j = 0; j < n; j++) {
			uint32_t id = due[j]->id;
			ck_assert(dl[id] && dl[id] <= now);
			dl[id] = rnd() % 3 ? now + 1 + rnd() % 400 : 0;	/* re-armed or not */
			if (dl[id])
				sk_timer_set(t, due[j], dl[id]);
		}
		for (uint32_t j = 1; j < t->ntimers; j++)
			ck_assert_uint_le(t->timers[(j - 1) / 4].key, t->timers[j].key);
	}
	net_destroy(net);
}
END_TEST

/* A digest of every event, in order: function, phase, message. */
struct digest {
	uint64_t h;
	long n;
};

static void digest_emit(void *ctx, const struct trace_event *e)
{
	struct digest *d = ctx;
	const char *parts[3] = { e->fn, e->msg ? e->msg : "", e->args ? e->args : "" };
	d->h = (d->h ^ (uint8_t)e->ph) * 1099511628211ull;
	for (int p = 0; p < 3; p++)
		for (const char *c = parts[p]; *c; c++)
			d->h = (d->h ^ (uint8_t)*c) * 1099511628211ull;
	d->n++;
}

struct outcome {
	struct digest d;
	uint64_t mib[MIB_MAX];
	int socks;
};

/* walk: before every run, a deadline without its socket makes
 * tcp_run_timers look at every socket (the path without the heap). */
static void run_timers(struct net *net, int walk)
{
	if (walk && net->socks && net->socks->next_timer_ns)
		tcp_timer_arm(net, net->socks->next_timer_ns);
	tcp_run_timers(net);
}

/* 60 peers: SYNs left unanswered (SYN-ACK retransmissions, then the
 * request's expiry), handshakes completed with data (delayed ACKs), some
 * reset, some closed to TIME_WAIT; the clock runs 12 minutes in steps of
 * 7 ms and 700 ms. */
static struct outcome scenario(int walk)
{
	struct outcome o = { .d = { 1469598103934665603ull, 0 } };
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_DISCARD, -1), 0);
	trace_add_sink(net, digest_emit, &o.d);
	uint64_t now = 1000000000ull;
	for (int i = 0; i < 60; i++) {
		struct tc c = { net, (uint16_t)(20000 + i), 80, 1000u * (uint32_t)i, 0 };
		now += 3000000ull * (uint64_t)(i % 5 + 1);
		net_set_time(net, now);
		run_timers(net, walk);
		tc_send(&c, TCPHDR_SYN, NULL);
		if (i % 3 == 0)
			continue;	/* never answered */
		struct sock *sk = tc_sk(&c);
		ck_assert_ptr_nonnull(sk);
		c.hseq = sk->snd_nxt;
		tc_send(&c, TCPHDR_ACK, NULL);
		sk = tc_sk(&c);
		ck_assert_ptr_nonnull(sk);
		sk->pingpong = 1;		/* interactive: the data's ACK waits */
		tc_send(&c, TCPHDR_ACK, "hello");	/* a delayed ACK */
		if (i % 3 == 1 && i % 2)
			tc_send(&c, TCPHDR_RST, NULL);
		else if (i % 3 == 1)
			tc_send(&c, TCPHDR_ACK | TCPHDR_FIN, NULL);
	}
	for (int s = 0; s < 3000; s++) {	/* long steps: several timers due at once */
		now += s % 3 ? 7000000ull : 700000000ull;
		net_set_time(net, now);
		run_timers(net, walk);
	}
	memcpy(o.mib, net->mib, sizeof(o.mib));
	o.socks = net->socks ? net->socks->count : 0;
	nj_net_free(net);
	return o;
}

START_TEST(tcp_timers_same_with_heap_or_walk)
{
	struct outcome heap = scenario(0), walk = scenario(1);
	ck_assert_int_gt(heap.d.n, 1000);
	ck_assert_uint_gt(heap.mib[MIB_TCPEXT_TCPSYNRETRANS], 0);
	ck_assert_uint_gt(heap.mib[MIB_TCPEXT_TCPDELAYEDACKS], 0);
	ck_assert_int_eq(heap.d.n, walk.d.n);
	ck_assert_uint_eq(heap.d.h, walk.d.h);
	for (int m = 0; m < MIB_MAX; m++)
		ck_assert_uint_eq(heap.mib[m], walk.mib[m]);
	ck_assert_int_eq(heap.socks, walk.socks);
}
END_TEST

static Suite *timer_suite(void)
{
	Suite *s = suite_create("timer");
	TCase *tc = tcase_create("timer");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, heap_matches_a_walk);
	tcase_add_test(tc, heap_many_timers);
	tcase_add_test(tc, tcp_timers_same_with_heap_or_walk);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(timer_suite)
