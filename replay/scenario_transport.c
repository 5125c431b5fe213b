/*
 * scenario_transport.c - the scenario's "listen" section: the sockets the
 * simulated host's applications hold open. Not a kernel file: it plays
 * socket()/bind()/listen() and refuses what they would ("address already
 * in use", an address the host does not have), naming the field:
 *   "listen": [{"proto":"tcp","port":80,"app":"http"},
 *              {"proto":"tcp","port":7,"app":"echo","addr":"10.0.0.2","backlog":128},
 *              {"proto":"tcp","port":8080,"app":"echo","addr":"::","ipv6only":true}]
 * No "addr" binds :: (a dual-stack socket: IPv4 and IPv6); "0.0.0.0" or an
 * IPv4 address takes IPv4 only, an IPv6 one IPv6 only.
 * backlog defaults to somaxconn (4096) and is capped by it, as listen() does.
 * Also "connections", the TCP sockets a capture's host had open or
 * opening when the capture began (tcp_connect.c), and the TCP option
 * sysctls "tcp_sack", "tcp_timestamps", "tcp_window_scaling" (0 or 1,
 * default 1 as in Linux), "tcp_syncookies" (0: a full SYN queue drops,
 * 1 the default: it answers with cookies, 2: every SYN gets one),
 * "tcp_ecn" (0: never, 1: ask and accept, 2 the default: accept) and "tcp_rmem" ("min default max" bytes, default
 * "4096 131072 6291456": the receive buffer a socket starts with and the
 * largest it sizes its window scale for):
 *   "connections": [{"proto":"tcp","local":"10.0.0.2:40000","remote":"10.0.0.1:80",
 *                    "state":"SYN_SENT","isn":12345,"app":"recorded",
 *                    "syn_options":{"mss":1460,"sack_ok":true,"ts":true,"wscale":7}},
 *                   {"proto":"tcp","local":"...","remote":"...","state":"ESTABLISHED",
 *                    "snd_nxt":N,"rcv_nxt":M,"snd_wnd":W,"app":"recorded"}]
 * (IPv6 endpoints as "[fd00::2]:40000").
 * {"proto":"icmp","port":ID} is a ping socket bound to echo identifier ID
 * (0..65535): echo replies with that id reach it (stack/ping.c); with an
 * IPv6 "addr" ("::" for any) it is an IPv6 one, for ICMPv6 echo replies.
 * A "recorded" UDP socket is a capture's own (a DNS or NTP client): it
 * takes what arrives and sends nothing of its own, as the capture shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "tcp.h"

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
		return APP_RECORDED;	/* docs/design.md §4b: the capture's own server */
	return -1;
}

/* The bind address: none is :: (dual-stack, as a server bound to [::]
 * takes IPv4 too); "0.0.0.0" or "10.0.0.2" is IPv4 only; "::" or
 * "fd00::2" is IPv6, "::" taking IPv4 too unless "ipv6only" is true. */
struct listen_bind {
	int family, ipv6only;
	uint32_t addr4;
	struct in6 addr6;
};

static int listen_addr(struct net *net, const cJSON *e, int i, struct listen_bind *b, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "addr");
	const cJSON *only = cJSON_GetObjectItemCaseSensitive(e, "ipv6only");

	memset(b, 0, sizeof(*b));
	b->family = AF_INET6;
	if (only && !cJSON_IsBool(only))
		FAIL("listen[%d].ipv6only: expected true or false", i);
	b->ipv6only = cJSON_IsTrue(only);
	if (!v)
		return 0;
	if (cJSON_IsString(v) && scenario_parse_ip(v->valuestring, &b->addr4) == 0) {
		b->family = AF_INET;
		if (b->addr4 && !ip_dev_find(net, b->addr4))
			FAIL("listen[%d].addr: %s is not an address of this host (bind: EADDRNOTAVAIL)", i, v->valuestring);
		return 0;
	}
	if (!cJSON_IsString(v) || in6_pton(v->valuestring, &b->addr6) < 0)
		FAIL("listen[%d].addr: expected an address like \"10.0.0.2\" or \"fd00::2\"", i);
	if (!ipv6_addr_any(&b->addr6) && !ipv6_chk_addr(net, &b->addr6, NULL))
		FAIL("listen[%d].addr: %s is not an address of this host (bind: EADDRNOTAVAIL)", i, v->valuestring);
	return 0;
}

static int listen_one(struct net *net, const cJSON *e, int i, char *err, size_t errlen)
{
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(e, "proto");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(e, "app");
	const cJSON *bl = cJSON_GetObjectItemCaseSensitive(e, "backlog");
	struct listen_bind b;
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
	if (listen_addr(net, e, i, &b, err, errlen) < 0)
		return -1;
	/* A ping socket is of one family: IPv4 unless bound to an IPv6 address
	 * ("::" included), then socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6). */
	if (icmp && !cJSON_GetObjectItemCaseSensitive(e, "addr"))
		b.family = AF_INET;
	uint8_t pr = tcp ? IPPROTO_TCP_ : !icmp ? IPPROTO_UDP_ : b.family == AF_INET6 ? NEXTHDR_ICMP : IPPROTO_ICMP_;
	int r = sock_listen_af(net, pr, b.family, b.addr4, &b.addr6, b.ipv6only || pr == NEXTHDR_ICMP,
			       (uint16_t)port->valueint, a, backlog);
	if (r == -1)
		FAIL("listen[%d].port: %s port %d is already in use (bind: EADDRINUSE)", i, proto->valuestring,
		     port->valueint);
	if (r < 0)
		FAIL("listen[%d]: out of memory", i);
	return 0;
}

/* "A.B.C.D:port" or "[fd00::2]:port" → network-order address and port;
 * *v6 says which (the IPv6 address in *a6). */
static int parse_endpoint(const cJSON *v, uint32_t *addr, struct in6 *a6, int *v6, uint16_t *port)
{
	char buf[64];
	const char *colon, *s;
	long p;
	char *end;

	if (!cJSON_IsString(v) || !(colon = strrchr(v->valuestring, ':')) || colon - v->valuestring >= 63)
		return -1;
	s = v->valuestring;
	*v6 = s[0] == '[';
	if (*v6 && (colon == s || colon[-1] != ']'))
		return -1;
	memcpy(buf, s + *v6, (size_t)(colon - s - 2 * *v6));
	buf[colon - s - 2 * *v6] = 0;
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535 || (*v6 ? in6_pton(buf, a6) : scenario_parse_ip(buf, addr)) < 0)
		return -1;
	*port = htons((uint16_t)p);
	return 0;
}

/* A number field 0..2^32-1; -1 when absent or out of range. */
static int u32_field(const cJSON *e, const char *k, uint32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, k);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 4294967295.0 ||
	    v->valuedouble != (double)(uint32_t)v->valuedouble)
		return -1;
	*out = (uint32_t)v->valuedouble;
	return 0;
}

static int syn_options(const cJSON *o, int i, struct tcp_syn_options *so, char *err, size_t errlen)
{
	const cJSON *mss = cJSON_GetObjectItemCaseSensitive(o, "mss");
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(o, "wscale");

	if (!cJSON_IsObject(o))
		FAIL("connections[%d].syn_options: expected {\"mss\":1460,\"sack_ok\":true,\"ts\":true,\"wscale\":7}", i);
	if (mss && (!cJSON_IsNumber(mss) || mss->valuedouble < 88 || mss->valuedouble > 65535))
		FAIL("connections[%d].syn_options.mss: expected 88..65535", i);
	if (ws && (!cJSON_IsNumber(ws) || ws->valuedouble < 0 || ws->valuedouble > 14))
		FAIL("connections[%d].syn_options.wscale: expected 0..14", i);
	so->mss = mss ? (uint16_t)mss->valuedouble : 0;
	so->sack_ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "sack_ok"));
	so->ts = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ts"));
	so->wscale_ok = ws != NULL;
	so->wscale = ws ? (uint8_t)ws->valuedouble : 0;
	return 0;
}

static int connection_one(struct net *net, const cJSON *e, int i, char *err, size_t errlen)
{
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(e, "proto");
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(e, "state");
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(e, "app");
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(e, "syn_options");
	struct tcp_syn_options o = { 0 };
	uint32_t la = 0, ra = 0, isn, snd_nxt, rcv_nxt, snd_wnd;
	struct in6 l6, r6;
	int lv6, rv6;
	uint16_t lp, rp;
	struct sock *sk;
	int a = APP_RECORDED;

	if (!cJSON_IsObject(e))
		FAIL("connections[%d]: expected an object like {\"proto\":\"tcp\",\"local\":\"10.0.0.2:40000\",...}", i);
	if (!cJSON_IsString(proto) || strcmp(proto->valuestring, "tcp"))
		FAIL("connections[%d].proto: expected \"tcp\"", i);
	if (parse_endpoint(cJSON_GetObjectItemCaseSensitive(e, "local"), &la, &l6, &lv6, &lp) < 0)
		FAIL("connections[%d].local: expected \"A.B.C.D:port\" or \"[fd00::2]:port\"", i);
	if (parse_endpoint(cJSON_GetObjectItemCaseSensitive(e, "remote"), &ra, &r6, &rv6, &rp) < 0)
		FAIL("connections[%d].remote: expected \"A.B.C.D:port\" or \"[fd00::2]:port\"", i);
	if (lv6 != rv6)
		FAIL("connections[%d]: local and remote must be of one family (IPv4 or IPv6)", i);
	if (lv6 ? !ipv6_chk_addr(net, &l6, NULL) : !ip_dev_find(net, la))
		FAIL("connections[%d].local: not an address of this host", i);
	if (app && (!cJSON_IsString(app) || (a = app_lookup(app->valuestring)) < 0))
		FAIL("connections[%d].app: expected \"recorded\", \"echo\", \"discard\" or \"http\"", i);
	if (!cJSON_IsString(state) || (strcmp(state->valuestring, "SYN_SENT") && strcmp(state->valuestring, "ESTABLISHED")))
		FAIL("connections[%d].state: expected \"SYN_SENT\" or \"ESTABLISHED\"", i);
	if (!strcmp(state->valuestring, "SYN_SENT")) {
		if (u32_field(e, "isn", &isn) < 0)
			FAIL("connections[%d].isn: expected the SYN's sequence number 0..4294967295", i);
		if (so && syn_options(so, i, &o, err, errlen) < 0)
			return -1;
		sk = lv6 ? tcp_v6_connect_state(net, &l6, lp, &r6, rp, isn, so ? &o : NULL, a)
			 : tcp_v4_connect_state(net, la, lp, ra, rp, isn, so ? &o : NULL, a);
	} else {
		if (u32_field(e, "snd_nxt", &snd_nxt) < 0 || u32_field(e, "rcv_nxt", &rcv_nxt) < 0)
			FAIL("connections[%d]: ESTABLISHED needs \"snd_nxt\" and \"rcv_nxt\" (0..4294967295)", i);
		if (u32_field(e, "snd_wnd", &snd_wnd) < 0)
			snd_wnd = 65535;
		sk = lv6 ? tcp_sock_preexisting6(net, &l6, lp, &r6, rp, snd_nxt, rcv_nxt, snd_wnd, a)
			 : tcp_sock_preexisting(net, la, lp, ra, rp, snd_nxt, rcv_nxt, snd_wnd, a);
	}
	if (!sk)
		FAIL("connections[%d]: the connection exists already, or no socket could be made", i);
	return 0;
}

/* A TCP sysctl: 0 .. max (true and false for 1 and 0). */
static int tcp_sysctl(const cJSON *root, const char *key, int max, int *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	if (!v)
		return 0;
	if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v);
	else if (cJSON_IsNumber(v) && v->valueint >= 0 && v->valueint <= max && v->valuedouble == v->valueint)
		*out = v->valueint;
	else if (max == 1)
		FAIL("%s: expected 0 or 1 (net.ipv4.%s)", key, key);
	else
		FAIL("%s: expected 0, 1 or %d (net.ipv4.%s)", key, max, key);
	return 0;
}

/* "tcp_rmem": "4096 131072 6291456" as Linux writes it; min <= default <= max. */
static int tcp_rmem_sysctl(struct net *net, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "tcp_rmem");
	unsigned long m[3];
	char tail;

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || sscanf(v->valuestring, "%lu %lu %lu %c", &m[0], &m[1], &m[2], &tail) != 3 ||
	    m[0] < 1 || m[0] > m[1] || m[1] > m[2] || m[1] < SOCK_MIN_RCVBUF || m[2] > 0x7fffffffUL)
		FAIL("tcp_rmem: expected \"min default max\" bytes, min <= default <= max, default >= %d "
		     "(net.ipv4.tcp_rmem)", SOCK_MIN_RCVBUF);
	for (int i = 0; i < 3; i++)
		net->sysctl.tcp_rmem[i] = (uint32_t)m[i];
	return 0;
}

int scenario_transport(struct net *net, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "connections"), *e;
	int i = 0;

	if (tcp_sysctl(root, "tcp_sack", 1, &net->sysctl.tcp_sack, err, errlen) < 0 ||
	    tcp_sysctl(root, "tcp_timestamps", 1, &net->sysctl.tcp_timestamps, err, errlen) < 0 ||
	    tcp_sysctl(root, "tcp_window_scaling", 1, &net->sysctl.tcp_window_scaling, err, errlen) < 0 ||
	    tcp_sysctl(root, "tcp_syncookies", 2, &net->sysctl.tcp_syncookies, err, errlen) < 0 ||
	    tcp_sysctl(root, "tcp_ecn", 2, &net->sysctl.tcp_ecn, err, errlen) < 0 ||
	    tcp_rmem_sysctl(net, root, err, errlen) < 0)
		return -1;
	if (!c)
		return 0;
	if (!cJSON_IsArray(c))
		FAIL("connections: expected an array of {\"proto\",\"local\",\"remote\",\"state\"} objects");
	cJSON_ArrayForEach(e, c) {
		if (connection_one(net, e, i, err, errlen) < 0)
			return -1;
		i++;
	}
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
		if (scenario_stopped(err, errlen) || listen_one(net, e, i, err, errlen) < 0)
			return -1;
		i++;
	}
	return 0;
}
