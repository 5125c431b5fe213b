/*
 * origin.c - who may talk to the server. The server has no accounts, so a
 * web page the user happens to visit must not be able to use it:
 *  - Host: a browser that was steered here by DNS rebinding still names
 *    the attacker's host, so only the server's own names are answered
 *    (localhost, 127.0.0.1, [::1], the --bind address, the address the
 *    connection came in on, and serve --allow-host names), with or without
 *    the server's port; anything else is a 421;
 *  - Origin: a state-changing request (POST and the rest) sent by a page
 *    of another origin is a 403, whatever its content type (a "simple"
 *    text/plain POST needs no CORS preflight, so CORS alone stops nothing).
 *    Clients that are not browsers send no Origin and are not affected.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "web.h"

#define ALLOW_MAX 16

static char allow[ALLOW_MAX][256];
static int nallow;
static char bind_addr[INET_ADDRSTRLEN];

void web_origin_config(const char *bind, const char *const *hosts, int n)
{
	snprintf(bind_addr, sizeof(bind_addr), "%s", bind ? bind : "127.0.0.1");
	nallow = 0;
	for (int i = 0; i < n && nallow < ALLOW_MAX; i++)
		if (hosts[i] && *hosts[i] && strlen(hosts[i]) < sizeof(allow[0]))
			snprintf(allow[nallow++], sizeof(allow[0]), "%s", hosts[i]);
}

/* The local address the connection arrived on, as text ("" if unknown). */
static void local_addr(struct MHD_Connection *c, char *out, size_t len)
{
	*out = 0;
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	if (i && getsockname(i->connect_fd, (struct sockaddr *)&a, &al) == 0 && a.sin_family == AF_INET)
		inet_ntop(AF_INET, &a.sin_addr, out, (socklen_t)len);
}

/* Splits "name[:port]" ("[v6]:port" too); port is 0 when absent, -1 if bad. */
static int split_host(const char *h, char *name, size_t nlen, long *port)
{
	const char *colon = h[0] == '[' ? strchr(h, ']') : strrchr(h, ':');
	size_t n = strlen(h);
	if (h[0] == '[') {
		if (!colon)
			return -1;
		n = (size_t)(colon - h) + 1;
		colon = colon[1] == ':' ? colon + 1 : colon[1] ? NULL : colon + 1;
		if (!colon)
			return -1;
	} else if (colon) {
		n = (size_t)(colon - h);
	}
	*port = 0;
	if (colon && *colon == ':') {
		char *end;
		*port = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || *port <= 0 || *port > 65535)
			return -1;
	}
	if (!n || n >= nlen)
		return -1;
	memcpy(name, h, n);
	name[n] = 0;
	return 0;
}

int web_host_ok(struct MHD_Connection *c, const char *host)
{
	char name[256], local[INET_ADDRSTRLEN];
	long port;
	if (split_host(host, name, sizeof(name), &port) < 0)
		return 0;
	if (port && port != web_port())
		return 0;
	if (!strcasecmp(name, "localhost") || !strcmp(name, "127.0.0.1") || !strcmp(name, "[::1]") ||
	    !strcmp(name, bind_addr))
		return 1;
	local_addr(c, local, sizeof(local));
	if (*local && !strcmp(name, local))
		return 1;
	for (int i = 0; i < nallow; i++)
		if (!strcasecmp(name, allow[i]))
			return 1;
	return 0;
}

/* 1 when origin is "http://HOST" for the Host the request was sent to. */
static int same_origin(const char *origin, const char *host)
{
	static const char scheme[] = "http://";
	return host && !strncasecmp(origin, scheme, sizeof(scheme) - 1) &&
	       !strcasecmp(origin + sizeof(scheme) - 1, host);
}

int web_check_origin(struct MHD_Connection *c, const char *method, char *err, size_t errlen)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (host && !web_host_ok(c, host)) {
		snprintf(err, errlen, "Host \"%.100s\" is not this server's name (serve --allow-host NAME adds one)",
			 host);
		return MHD_HTTP_MISDIRECTED_REQUEST;
	}
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD") || !strcmp(method, "OPTIONS"))
		return 0;
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if ((origin && !same_origin(origin, host)) || (site && !strcasecmp(site, "cross-site"))) {
		snprintf(err, errlen, "%s from another origin (%.100s) is refused", method,
			 origin ? origin : "Sec-Fetch-Site: cross-site");
		return MHD_HTTP_FORBIDDEN;
	}
	return 0;
}
