/*
 * scenario_transport.c - the scenario's "listen" section: the sockets the
 * simulated host's applications hold open. Not a kernel file: it plays
 * socket()/bind()/listen() and refuses what they would ("address already
 * in use", an address the host does not have), naming the field:
 *   "listen": [{"proto":"tcp","port":80,"app":"http"},
 *              {"proto":"tcp","port":7,"app":"echo","addr":"10.0.0.2","backlog":128}]
 * backlog defaults to somaxconn (4096) and is capped by it, as listen() does.
 * {"proto":"icmp","port":ID} is a ping socket bound to echo identifier ID
 * (0..65535): echo replies with that id reach it (stack/ping.c).
 * A "recorded" UDP socket is a capture's own (a DNS or NTP client): it
 * takes what arrives and sends nothing of its own, as the capture shows.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "sock.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int app_lookup(const char *s)
{
	if (!strcmp(s, "echo"))
		return APP_ECHO;
	if (!strcmp(s, "discard"))
		return APP_DISCARD;
	if (!strcmp(s, "http"))
		return APP_HTTP;
	if (!strcmp(s, "recorded"))
		return APP_RECORDED;	/* DESIGN.md §4b: the capture's own server */
	return -1;
}

static int listen_addr(struct net *net, const cJSON *e, int i, uint32_t *addr, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "addr");
	*addr = 0;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || scenario_parse_ip(v->valuestring, addr) < 0)
		FAIL("listen[%d].addr: expected an IPv4 address like \"10.0.0.2\"", i);
	if (*addr && !ip_dev_find(net, *addr))
		FAIL("listen[%d].addr: %s is not an address of this host (bind: EADDRNOTAVAIL)", i, v->valuestring);
	return 0;
}

static int listen_one(struct net *net, const cJSON *e, int i, char *err, size_t errlen)
{
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(e, "proto");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(e, "app");
	const cJSON *bl = cJSON_GetObjectItemCaseSensitive(e, "backlog");
	uint32_t addr;
	int a, tcp, backlog = SOMAXCONN;

	if (!cJSON_IsObject(e))
		FAIL("listen[%d]: expected an object like {\"proto\":\"tcp\",\"port\":80,\"app\":\"http\"}", i);
	if (!cJSON_IsString(proto) || (strcmp(proto->valuestring, "tcp") && strcmp(proto->valuestring, "udp") &&
				       strcmp(proto->valuestring, "icmp")))
		FAIL("listen[%d].proto: expected \"tcp\", \"udp\" or \"icmp\" (a ping socket)", i);
	tcp = !strcmp(proto->valuestring, "tcp");
	int icmp = !strcmp(proto->valuestring, "icmp"), lo = icmp ? 0 : 1;
	if (!cJSON_IsNumber(port))
		FAIL("listen[%d].port: expected a number %d..65535", i, lo);
	if (port->valuedouble < lo || port->valuedouble > 65535 || port->valuedouble != (int)port->valuedouble)
		FAIL("listen[%d].port: %g is out of range %d..65535", i, port->valuedouble, lo);
	if (!cJSON_IsString(app) || (a = app_lookup(app->valuestring)) < 0)
		FAIL("listen[%d].app: expected \"echo\", \"discard\", \"http\" or \"recorded\"", i);
	if (a == APP_HTTP && !tcp)
		FAIL("listen[%d].app: \"%s\" needs proto \"tcp\"", i, app->valuestring);
	if (bl) {
		if (!tcp)
			FAIL("listen[%d].backlog: only TCP listeners have a backlog", i);
		if (!cJSON_IsNumber(bl) || bl->valuedouble < 0 || bl->valuedouble > 65535)
			FAIL("listen[%d].backlog: expected a number 0..65535", i);
		backlog = (int)bl->valuedouble;
	}
	if (listen_addr(net, e, i, &addr, err, errlen) < 0)
		return -1;
	int r = sock_listen(net, tcp ? IPPROTO_TCP_ : icmp ? IPPROTO_ICMP_ : IPPROTO_UDP_, addr,
			    (uint16_t)port->valueint, a, backlog);
	if (r == -1)
		FAIL("listen[%d].port: %s port %d is already in use (bind: EADDRINUSE)", i, proto->valuestring,
		     port->valueint);
	if (r < 0)
		FAIL("listen[%d]: out of memory", i);
	return 0;
}

int scenario_listen(struct net *net, const cJSON *listen, char *err, size_t errlen)
{
	const cJSON *e;
	int i = 0;

	if (!listen)
		return 0;
	if (!cJSON_IsArray(listen))
		FAIL("listen: expected an array of {\"proto\",\"port\",\"app\"} objects");
	cJSON_ArrayForEach(e, listen) {
		if (listen_one(net, e, i, err, errlen) < 0)
			return -1;
		i++;
	}
	return 0;
}
