/*
 * defer.c - slow requests off the daemon's threads. The server runs a small
 * pool of threads, each serving many connections (server.c), so a handler
 * that replays a capture or waits for an upload slot must not run there:
 * it would stall every connection of its thread. web_defer suspends the
 * request's connection and runs the work on a thread of its own; the work
 * queues the answer itself (libmicrohttpd 0.9.75 takes a response from any
 * thread while the connection is suspended), then the connection is
 * resumed. The daemon must not stop with a connection suspended (it
 * aborts), so web_defer_drain closes the door and waits for every job.
 */
#include <stdlib.h>

#include "web.h"

static pthread_mutex_t defer_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t defer_cv = PTHREAD_COND_INITIALIZER;
static int njobs, closed;

/* The job, marked as running in one so that it does not defer again. */
static void run(struct web_req *r)
{
	r->in_job = 1;
	r->job(r);
	r->in_job = 0;
}

static void *job_main(void *arg)
{
	struct web_req *r = arg;
	struct MHD_Connection *c = r->conn;
	run(r);
	/* from here r belongs to the daemon again: it may be freed at once */
	MHD_resume_connection(c);
	pthread_mutex_lock(&defer_mu);
	njobs--;
	pthread_cond_broadcast(&defer_cv);
	pthread_mutex_unlock(&defer_mu);
	return NULL;
}

int web_defer(struct web_req *r, void (*job)(struct web_req *))
{
	pthread_attr_t a;
	pthread_t th;
	int later = 0;
	r->job = job;
	pthread_mutex_lock(&defer_mu);
	if (!closed && !pthread_attr_init(&a)) {
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		MHD_suspend_connection(r->conn);
		later = !pthread_create(&th, &a, job_main, r);	/* r is the job's now */
		if (!later)
			MHD_resume_connection(r->conn);
		pthread_attr_destroy(&a);
	}
	njobs += later;
	pthread_mutex_unlock(&defer_mu);
	if (!later)		/* stopping, or no thread: done here, as it must be done */
		run(r);
	return later;
}

void web_defer_drain(void)
{
	pthread_mutex_lock(&defer_mu);
	closed = 1;
	while (njobs)
		pthread_cond_wait(&defer_cv, &defer_mu);
	pthread_mutex_unlock(&defer_mu);
}

void web_defer_open(void)
{
	pthread_mutex_lock(&defer_mu);
	closed = 0;
	pthread_mutex_unlock(&defer_mu);
}
