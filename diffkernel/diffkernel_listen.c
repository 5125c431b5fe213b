/*
 * diffkernel_listen.c - the applications of the scenario's "listen"
 * entries, for the real kernel: a forked child inside the host namespace
 * holds the listening sockets and answers like stack/sock_apps.c does
 * (echo writes back, discard reads and forgets, http answers the first
 * request ending in a blank line with sock_http_page and closes). It is
 * an ordinary poll() loop; it dies with its parent (PR_SET_PDEATHSIG).
 */
#include "diffkernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cJSON.h"
#include "sock.h"

#define MAXFD 1024	/* listeners (at most half) and accepted connections */

enum { APP_K_ECHO, APP_K_DISCARD, APP_K_HTTP };

struct lfd {
	int fd, app, listening, udp;
	int http_state;			/* bytes of "\r\n\r\n" matched */
};

static int app_kind(const char *s)
{
	if (s && !strcmp(s, "http"))
		return APP_K_HTTP;
	/* "recorded": netjourney's app sends only what the capture shows the
	 * host sent, which this child cannot know; reading and never writing
	 * is that app for the sockets a capture's host mostly has (clients
	 * reading answers), where echoing would invent replies. */
	if (s && (!strcmp(s, "discard") || !strcmp(s, "recorded")))
		return APP_K_DISCARD;
	return APP_K_ECHO;
}

/* A listener bound to any address in a run with IPv6 is a dual-stack
 * socket (AF_INET6, IPV6_V6ONLY off), as netjourney's scenario listeners
 * are (udp_ipv6.c, tcp_ipv6.c); one with an IPv6 "addr" is bound to it,
 * IPV6_V6ONLY as "ipv6only" says. */
static int open_v6(struct lfd *l, const struct in6_addr *addr, uint16_t port, int v6only)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = *addr };
	int one = 1;
	l->fd = socket(AF_INET6, l->udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (l->fd < 0)
		return -1;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	return bind(l->fd, (struct sockaddr *)&sin6, sizeof(sin6));
}

static int open_one(const cJSON *e, struct lfd *l, int ipv6)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "port");
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(e, "proto");
	const cJSON *ad = cJSON_GetObjectItemCaseSensitive(e, "addr");
	const cJSON *bl = cJSON_GetObjectItemCaseSensitive(e, "backlog");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(e, "app");
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct in6_addr a6 = IN6ADDR_ANY_INIT;
	int one = 1, v6only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "ipv6only"));

	l->udp = cJSON_IsString(pr) && !strcmp(pr->valuestring, "udp");
	l->app = app_kind(cJSON_IsString(ap) ? ap->valuestring : NULL);
	l->listening = 1;
	sin.sin_port = htons((uint16_t)(cJSON_IsNumber(p) ? p->valueint : 0));
	if ((ipv6 && !cJSON_IsString(ad)) || (cJSON_IsString(ad) && inet_pton(AF_INET6, ad->valuestring, &a6) == 1)) {
		if (open_v6(l, &a6, ntohs(sin.sin_port), v6only) < 0)
			return -1;
	} else {
		if (cJSON_IsString(ad))
			inet_pton(AF_INET, ad->valuestring, &sin.sin_addr);
		l->fd = socket(AF_INET, l->udp ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (l->fd < 0)
			return -1;
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
	}
	if (!l->udp && listen(l->fd, cJSON_IsNumber(bl) ? bl->valueint : SOMAXCONN) < 0)
		return -1;
	return 0;
}

/* http: the request is complete at the first CRLF CRLF (sock_apps.c). */
static int http_done(struct lfd *l, const char *p, ssize_t n)
{
	static const char end[] = "\r\n\r\n";
	for (ssize_t i = 0; i < n && l->http_state < 4; i++)
		l->http_state = p[i] == end[l->http_state] ? l->http_state + 1 : (p[i] == '\r');
	return l->http_state == 4;
}

/* Returns 0 to keep the fd, -1 to close it. */
static int serve_conn(struct lfd *l)
{
	char buf[65536];
	ssize_t n = read(l->fd, buf, sizeof(buf));
	if (n <= 0)
		return -1;	/* the peer's FIN (or a reset): the application closes */
	if (l->app == APP_K_ECHO && write(l->fd, buf, (size_t)n) < 0)
		return -1;
	if (l->app == APP_K_HTTP && l->http_state < 4 && http_done(l, buf, n)) {
		if (write(l->fd, sock_http_page, sock_http_page_len) < 0)
			return -1;
		return -1;	/* HTTP/1.0: close after the reply */
	}
	return 0;
}

static void serve_udp(struct lfd *l)
{
	char buf[65536];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(l->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n >= 0 && l->app == APP_K_ECHO)
		sendto(l->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
}

static void serve_loop(struct lfd *v, int n)
{
	struct pollfd pf[MAXFD];
	for (;;) {
		for (int i = 0; i < n; i++)
			pf[i] = (struct pollfd){ .fd = v[i].fd, .events = POLLIN };
		if (poll(pf, (nfds_t)n, -1) < 0 && errno != EINTR)
			_exit(1);
		for (int i = n - 1; i >= 0; i--) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (v[i].udp)
				serve_udp(&v[i]);
			else if (v[i].listening) {
				int c = accept(v[i].fd, NULL, NULL);
				if (c >= 0 && n < MAXFD)
					v[n++] = (struct lfd){ .fd = c, .app = v[i].app };
				else if (c >= 0)
					close(c);
			} else if (serve_conn(&v[i]) < 0) {
				close(v[i].fd);
				v[i] = v[--n];
			}
		}
	}
}

static void child(struct dk_env *env, const char *json, int wfd)
{
	char err[256] = "";
	struct lfd v[MAXFD];
	int n = 0;
	cJSON *root = cJSON_Parse(json);
	const cJSON *e;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
	signal(SIGTERM, SIG_DFL);
	if (dk_enter(env, env->host, err, sizeof(err)) == 0)
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "listen")) {
			if (n >= MAXFD / 2) {
				snprintf(err, sizeof(err), "listen: more than %d sockets; diff-kernel mirrors at most that many",
					 MAXFD / 2);
				break;
			}
			if (open_one(e, &v[n], env->ipv6) < 0) {
				snprintf(err, sizeof(err), "listen[%d]: %s", n, strerror(errno));
				break;
			}
			n++;
		}
	cJSON_Delete(root);
	/* Tell the parent: an empty message means ready. */
	if (write(wfd, err, strlen(err) + 1) < 0 || err[0])
		_exit(1);
	close(wfd);
	serve_loop(v, n);
}

int dk_listeners_start(struct dk_env *env, const char *scenario_json, char *err, size_t errlen)
{
	int p[2];
	char msg[256] = "";
	if (pipe(p) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(env, scenario_json, p[1]);
		_exit(0);
	}
	env->listener = pid;
	close(p[1]);
	ssize_t n = read(p[0], msg, sizeof(msg) - 1);
	close(p[0]);
	if (n <= 0 || msg[0]) {
		snprintf(err, errlen, "listener in namespace %s: %s", env->host, n <= 0 ? "died at start" : msg);
		return -1;
	}
	return 0;
}
