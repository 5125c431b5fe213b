/*
 * guard.c - connection management the daemon does not do itself. Its own
 * timeout is an idle timeout, which a client sending one byte every few
 * seconds never trips, and its limits accept a connection and then drop
 * it. So every connection is tracked here with the phase it is in, and a
 * watchdog thread shuts down (shutdown(2): the daemon then sees the end
 * and closes it; a parked event stream is resumed to see it) those that
 * hold a slot without progress:
 *  - headers not complete within HEAD_MS of connecting or of the previous
 *    answer (slowloris; an idle keep-alive connection ends the same way);
 *  - a request body that stops arriving for BODY_IDLE_MS, or takes longer
 *    than BODY_MS in all;
 *  - an answer or an event stream the client does not read: bytes wait in
 *    the socket and the peer acknowledges none of them for STALL_MS.
 * Under pressure (PRESSURE connections or more, and for HEAD_MS after)
 * the first and last wait a fraction of that: a normal client sends its
 * headers in milliseconds.
 * Handlers at work (an upload replaying) are never cut. A request whose
 * body is still arriving can be answered here (the server stopping, an
 * upload over the disk budget): libmicrohttpd 0.9.75 queues an answer
 * only before the body or after all of it, so the answer is written to
 * the socket itself, then a FIN; the rest of the body is read and dropped
 * until the client, which has its answer, closes. Over SOFT_LIMIT
 * connections a request is answered 503 with Retry-After (server.c), and
 * at most STREAMS_MAX event streams are open: a new one ends the oldest
 * (EventSource reconnects with Last-Event-ID, so a reader loses nothing).
 */
#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "web.h"

#define HEAD_MS		10000
#define BODY_IDLE_MS	10000
#define BODY_MS		120000
#define STALL_MS	15000
#define PRESSURE_MS	2000		/* HEAD_MS, BODY_IDLE_MS and STALL_MS under pressure */
#define TICK_MS		250

struct web_conn {
	struct MHD_Connection *c;
	int fd;
	enum web_phase phase;
	int64_t since_ms;		/* the phase began */
	int64_t progress_ms;		/* last progress: a body chunk, an acknowledged byte */
	uint64_t acked;			/* the peer's acknowledged bytes at progress_ms */
	int shut;
	int answered;			/* answered here while its body arrived */
	struct web_conn *prev, *next;
};

static pthread_mutex_t guard_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t guard_cv = PTHREAD_COND_INITIALIZER;
static struct web_conn *conns;
static int nconns, nstreams, running;
static pthread_t watchdog;
static unsigned long ncut;
static int stream_cut;			/* a stream was cut: parked ones must look (under guard_mu) */

static struct web_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

void web_guard_notify(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	struct web_conn *w = *ctx;
	pthread_mutex_lock(&guard_mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED && (w = calloc(1, sizeof(*w)))) {
		const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		w->c = c;
		w->fd = i ? i->connect_fd : -1;
		w->phase = WEB_HEAD;
		w->since_ms = w->progress_ms = web_clock_ms();
		w->next = conns;
		if (conns)
			conns->prev = w;
		conns = w;
		nconns++;
		*ctx = w;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && w) {
		/* before the daemon closes the fd: the watchdog never touches a reused one */
		if (w->prev)
			w->prev->next = w->next;
		else
			conns = w->next;
		if (w->next)
			w->next->prev = w->prev;
		nconns--;
		nstreams -= w->phase == WEB_STREAM;
		free(w);
		*ctx = NULL;
	}
	pthread_mutex_unlock(&guard_mu);
}

static void cut(struct web_conn *w)
{
	if (!w->shut && w->fd >= 0)
		shutdown(w->fd, SHUT_RDWR);
	w->shut = 1;
	stream_cut |= w->phase == WEB_STREAM;
	ncut++;
}

/* Resumes parked streams after a cut (guard_mu not held: traces.c's lock
 * is never taken under it), and those whose keep-alive is due. */
static void wake_streams(void)
{
	pthread_mutex_lock(&guard_mu);
	int all = stream_cut;
	stream_cut = 0;
	pthread_mutex_unlock(&guard_mu);
	web_live_wake(all);
}

/* The oldest stream but w, cut to make room (guard_mu held); the list is
 * newest first, so of streams begun in the same ms the last one seen. */
static void cut_oldest_stream(const struct web_conn *w)
{
	struct web_conn *old = NULL;
	for (struct web_conn *x = conns; x; x = x->next)
		if (x != w && x->phase == WEB_STREAM && !x->shut && (!old || x->since_ms <= old->since_ms))
			old = x;
	if (old)
		cut(old);
}

int web_guard_phase(struct MHD_Connection *c, enum web_phase phase)
{
	pthread_mutex_lock(&guard_mu);
	struct web_conn *w = conn_of(c);
	int answered = w && w->answered;
	if (w && w->phase != phase && !answered) {
		nstreams += (phase == WEB_STREAM) - (w->phase == WEB_STREAM);
		w->phase = phase;
		w->since_ms = w->progress_ms = web_clock_ms();
		w->acked = 0;
		if (phase == WEB_STREAM && nstreams > WEB_STREAMS_MAX)
			cut_oldest_stream(w);
	}
	int woke = stream_cut;
	pthread_mutex_unlock(&guard_mu);
	if (woke)
		wake_streams();
	return answered;
}

int web_guard_shut(struct MHD_Connection *c)
{
	pthread_mutex_lock(&guard_mu);
	struct web_conn *w = conn_of(c);
	int shut = w && w->shut;
	pthread_mutex_unlock(&guard_mu);
	return shut;
}

int web_guard_progress(struct MHD_Connection *c)
{
	pthread_mutex_lock(&guard_mu);
	struct web_conn *w = conn_of(c);
	if (w)
		w->progress_ms = web_clock_ms();
	int answered = w && w->answered;
	pthread_mutex_unlock(&guard_mu);
	return answered;
}

/* Sends all of buf on a non-blocking socket, waiting at most ~200 ms in all. */
static int send_all(int fd, const char *buf, size_t n)
{
	for (int waits = 0; n && waits < 4;) {
		ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);
		if (k > 0) {
			buf += k;
			n -= (size_t)k;
		} else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 50);
			waits++;
		} else
			return -1;
	}
	return n ? -1 : 0;
}

/* The JSON answer web_error/web_busy would give, written on w's socket
 * (guard_mu held), then a FIN. */
static int answer_raw(struct web_conn *w, unsigned status, int retry_s, const char *msg)
{
	if (w->fd < 0 || w->shut || w->answered || w->phase != WEB_BODY)
		return -1;
	w->answered = 1;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddNumberToObject(o, "status", status);
	if (retry_s > 0)
		cJSON_AddNumberToObject(o, "retry", retry_s);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char head[512], retry[40] = "";
	if (retry_s > 0)
		snprintf(retry, sizeof(retry), "Retry-After: %d\r\n", retry_s);
	const char *reason = MHD_get_reason_phrase_for(status);
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
			  "X-Content-Type-Options: nosniff\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n",
			  status, reason && *reason ? reason : "Error", retry, body ? strlen(body) : 0);
	int r = send_all(w->fd, head, (size_t)hl);
	if (r == 0 && body)
		r = send_all(w->fd, body, strlen(body));
	free(body);
	shutdown(w->fd, SHUT_WR);
	return r;
}

int web_guard_answer(struct MHD_Connection *c, unsigned status, int retry_s, const char *msg)
{
	pthread_mutex_lock(&guard_mu);
	struct web_conn *w = conn_of(c);
	int r = w ? answer_raw(w, status, retry_s, msg) : -1;
	pthread_mutex_unlock(&guard_mu);
	return r;
}

int web_guard_answer_bodies(unsigned status, int retry_s, const char *msg)
{
	int n = 0;
	pthread_mutex_lock(&guard_mu);
	for (struct web_conn *w = conns; w; w = w->next)
		n += answer_raw(w, status, retry_s, msg) == 0;
	pthread_mutex_unlock(&guard_mu);
	return n;
}

int web_guard_count(void)
{
	pthread_mutex_lock(&guard_mu);
	int n = nconns;
	pthread_mutex_unlock(&guard_mu);
	return n;
}

unsigned long web_guard_cuts(void)
{
	pthread_mutex_lock(&guard_mu);
	unsigned long n = ncut;
	pthread_mutex_unlock(&guard_mu);
	return n;
}

/* 1 when w's peer has acknowledged nothing new while bytes wait to go. */
static int send_stalled(struct web_conn *w, int64_t now)
{
	int outq = 0;
	struct tcp_info ti = { 0 };
	socklen_t tl = sizeof(ti);
	if (ioctl(w->fd, SIOCOUTQ, &outq) < 0 || getsockopt(w->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0)
		return 0;
	if (outq <= 0 || ti.tcpi_bytes_acked != w->acked) {
		w->acked = ti.tcpi_bytes_acked;
		w->progress_ms = now;
		return 0;
	}
	return 1;
}

/* 1 when w holds its slot without progress for too long (guard_mu held). */
static int overdue(struct web_conn *w, int64_t now, int pressure)
{
	int64_t quick = pressure ? PRESSURE_MS : 0;
	switch (w->phase) {
	case WEB_HEAD:
		return now - w->since_ms > (quick ? quick : HEAD_MS);
	case WEB_BODY:
		return now - w->progress_ms > (quick ? quick : BODY_IDLE_MS) || now - w->since_ms > BODY_MS;
	case WEB_SEND:
	case WEB_STREAM:
		return send_stalled(w, now) && now - w->progress_ms > (quick ? quick : STALL_MS);
	case WEB_WORK:
		break;
	}
	return 0;
}

static void *watch(void *arg)
{
	(void)arg;
	int64_t pressure_until = 0;
	pthread_mutex_lock(&guard_mu);
	while (running) {
		int64_t now = web_clock_ms();
		/* pressure lasts a while: the first cuts must not spare the rest */
		if (nconns >= WEB_PRESSURE)
			pressure_until = now + HEAD_MS;
		int pressure = now < pressure_until;
		for (struct web_conn *w = conns; w; w = w->next)
			if (!w->shut && overdue(w, now, pressure))
				cut(w);
		pthread_mutex_unlock(&guard_mu);
		wake_streams();
		pthread_mutex_lock(&guard_mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&guard_cv, &guard_mu, &until);
	}
	pthread_mutex_unlock(&guard_mu);
	return NULL;
}

int web_guard_start(void)
{
	pthread_mutex_lock(&guard_mu);
	running = 1;
	int r = pthread_create(&watchdog, NULL, watch, NULL);
	if (r)
		running = 0;
	pthread_mutex_unlock(&guard_mu);
	return r ? -1 : 0;
}

void web_guard_stop(void)
{
	pthread_mutex_lock(&guard_mu);
	int was = running;
	running = 0;
	pthread_cond_broadcast(&guard_cv);
	pthread_mutex_unlock(&guard_mu);
	if (was)
		pthread_join(watchdog, NULL);
}
