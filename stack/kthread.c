/*
 * kthread.c - worker threads (see kthread.h), after kernel/kthread.c;
 * left out: per-CPU binding, parking, freezing.
 */
#include "kthread.h"

#include <signal.h>
#include <string.h>

int kthread_run(struct kthread *k, void *(*fn)(void *), void *arg)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->wake, NULL);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* the new thread inherits the mask */
	int e = pthread_create(&k->th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_mutex_destroy(&k->mu);
		pthread_cond_destroy(&k->wake);
		return e;
	}
	k->running = 1;
	return 0;
}

void kthread_stop(struct kthread *k)
{
	if (!k->running)
		return;
	pthread_mutex_lock(&k->mu);
	k->should_stop = 1;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->th, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->wake);
	k->running = 0;
}
