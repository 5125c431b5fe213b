/*
 * kthread.h - a worker thread that runs until it is told to stop, after
 * kernel/kthread.c (kthread_run, kthread_should_stop, kthread_stop).
 *
 * netjourney's workers (the skb cache's slab toucher, the trace writer
 * and its disk thread) each sleep on one condition under one lock until
 * there is work or they must stop; this is that lock, that condition and
 * the stop flag, with the thread's start and end. A worker's signals are
 * blocked: SIGINT and SIGTERM are for the replay's thread, which stops at
 * a packet boundary.
 */
#ifndef NJ_STACK_KTHREAD_H
#define NJ_STACK_KTHREAD_H

#include <pthread.h>

struct kthread {
	pthread_t th;
	pthread_mutex_t mu;		/* guards should_stop and the worker's queue */
	pthread_cond_t wake;		/* work queued, or should_stop set */
	int should_stop;
	int running;
};

/* kthread_run - initialises k and starts fn(arg) on a thread of its own.
 * Returns 0, or an errno value (k is then not running and needs no stop). */
int kthread_run(struct kthread *k, void *(*fn)(void *), void *arg);

/* kthread_should_stop - for the worker, with k->mu held. */
static inline int kthread_should_stop(const struct kthread *k) { return k->should_stop; }

/* kthread_stop - sets should_stop, wakes the worker, waits for its end and
 * releases k's lock and condition. A no-op when k is not running. */
void kthread_stop(struct kthread *k);

#endif
