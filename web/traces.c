/*
 * traces.c - the registry of traces the server shows. Traces are only ever
 * added while the server runs (never removed before web_stop), so a
 * struct web_trace pointer stays valid for a request's lifetime without
 * reference counting. The newest live trace and a condition variable let
 * /api/live readers sleep until events are appended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cv = PTHREAD_COND_INITIALIZER;
static struct web_trace *traces[WEB_MAX_TRACES];
static int ntraces, next_id = 1, live_id;
static uint64_t live_gen;		/* bumped by every notify */
static int stopping;

int web_add_trace(const char *name, struct nj_store *store, int live)
{
	struct web_trace *t = calloc(1, sizeof(*t));
	pthread_mutex_lock(&reg_mu);
	if (!t || ntraces == WEB_MAX_TRACES) {
		pthread_mutex_unlock(&reg_mu);
		free(t);
		store_free(store);
		return -1;
	}
	t->id = next_id++;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "trace");
	t->s = store;
	t->live = live;
	pthread_mutex_init(&t->mu, NULL);
	traces[ntraces++] = t;
	if (live)
		live_id = t->id;
	live_gen++;
	pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&reg_mu);
	return t->id;
}

struct web_trace *web_trace_get(int64_t id)
{
	struct web_trace *t = NULL;
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->id == id)
			t = traces[i];
	pthread_mutex_unlock(&reg_mu);
	return t;
}

int web_trace_count(void)
{
	pthread_mutex_lock(&reg_mu);
	int n = ntraces;
	pthread_mutex_unlock(&reg_mu);
	return n;
}

struct web_trace *web_trace_at(int i)
{
	pthread_mutex_lock(&reg_mu);
	struct web_trace *t = i >= 0 && i < ntraces ? traces[i] : NULL;
	pthread_mutex_unlock(&reg_mu);
	return t;
}

int web_live_id(void)
{
	pthread_mutex_lock(&reg_mu);
	int id = live_id;
	pthread_mutex_unlock(&reg_mu);
	return id;
}

struct nj_store *web_live_store(const char *name, int *id)
{
	char err[256];
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	if (!s)
		return NULL;
	int r = web_add_trace(name, s, 1);
	if (r < 0)
		return NULL;
	if (id)
		*id = r;
	return s;
}

void web_live_notify(void)
{
	pthread_mutex_lock(&reg_mu);
	live_gen++;
	pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&reg_mu);
}

static size_t live_count(int id)
{
	struct web_trace *t = NULL;
	for (int i = 0; i < ntraces; i++)
		if (traces[i]->id == id)
			t = traces[i];
	if (!t)
		return 0;
	store_lock(t->s);
	size_t n = store_nevents(t->s);
	store_unlock(t->s);
	return n;
}

void web_live_wait(int id, size_t have, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&reg_mu);
	while (!stopping && live_id == id && live_count(id) <= have)
		if (pthread_cond_timedwait(&live_cv, &reg_mu, &until))
			break;
	pthread_mutex_unlock(&reg_mu);
}

int web_stopping(void)
{
	pthread_mutex_lock(&reg_mu);
	int s = stopping;
	pthread_mutex_unlock(&reg_mu);
	return s;
}

void web_set_stopping(int on)
{
	pthread_mutex_lock(&reg_mu);
	stopping = on;
	pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&reg_mu);
}

void web_traces_free(void)
{
	pthread_mutex_lock(&reg_mu);
	for (int i = 0; i < ntraces; i++) {
		struct web_trace *t = traces[i];
		web_filters_free(t);
		for (int k = 0; k < WEB_FILTERS; k++) {
			free(t->filters[k].expr);
			free(t->filters[k].res);
		}
		pthread_mutex_destroy(&t->mu);
		store_free(t->s);
		free(t);
	}
	ntraces = 0;
	live_id = 0;
	next_id = 1;
	pthread_mutex_unlock(&reg_mu);
}
