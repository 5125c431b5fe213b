/*
 * scenario_packet.c - the scenario's "packet_sockets" section: PF_PACKET
 * sockets (stack/af_packet.c) with tcpdump-syntax filters compiled by
 * libpcap and run on the stack's own BPF machine (stack/bpf.c).
 *
 *   "packet_sockets": [{"name":"tcpdump", "filter":"tcp port 80",
 *                       "type":"raw|dgram", "protocol":"all|ip|arp|0x0800",
 *                       "dev":"eth0", "rcvbuf":256, "trace_bpf":false}]
 *
 * A raw socket's filter is compiled for Ethernet (DLT_EN10MB); a dgram
 * socket sees the frame from the network header, so its filter is compiled
 * for raw IP (DLT_RAW), as is a raw one that sees only tun devices (their
 * packets have no link-layer header).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "af_packet.h"
#include "bpf_compile.h"
#include "scenario.h"
#include "stack.h"

static const char *const known_fields[] = {
	"name", "filter", "type", "protocol", "dev", "rcvbuf", "trace_bpf", NULL
};

/* Every key must be one we know: a typo ("fitler") would otherwise be a
 * socket silently capturing everything. */
static int check_fields(const cJSON *o, int i, char *err, size_t errlen)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, o) {
		int ok = 0;
		for (int k = 0; known_fields[k]; k++)
			ok |= !strcmp(c->string, known_fields[k]);
		if (!ok) {
			snprintf(err, errlen, "packet_sockets[%d].%s: unknown field (expected one of name, filter, "
				 "type, protocol, dev, rcvbuf, trace_bpf)", i, c->string);
			return -1;
		}
	}
	return 0;
}

/* "all", "ip", "arp", "ipv6", "vlan", or a number such as "0x0800". */
static int parse_protocol(const cJSON *p, uint16_t *out)
{
	static const struct { const char *name; uint16_t proto; } names[] = {
		{ "all", ETH_P_ALL }, { "ip", ETH_P_IP }, { "ipv4", ETH_P_IP }, { "arp", ETH_P_ARP },
		{ "ipv6", ETH_P_IPV6 }, { "rarp", ETH_P_RARP },
	};
	if (!p) {
		*out = ETH_P_ALL;
		return 0;
	}
	if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble <= 0xffff) {
		*out = (uint16_t)p->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(p))
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(p->valuestring, names[i].name)) {
			*out = names[i].proto;
			return 0;
		}
	char *end;
	errno = 0;
	unsigned long v = strtoul(p->valuestring, &end, 0);
	if (errno || end == p->valuestring || *end || v > 0xffff)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_type(const cJSON *t, int *out)
{
	if (!t || (cJSON_IsString(t) && !strcmp(t->valuestring, "raw")))
		*out = NJ_SOCK_RAW;
	else if (cJSON_IsString(t) && !strcmp(t->valuestring, "dgram"))
		*out = NJ_SOCK_DGRAM;
	else
		return -1;
	return 0;
}

/* The optional fields after the socket exists: dev, rcvbuf, trace_bpf. */
static int apply_options(struct net *net, struct packet_sock *po, const cJSON *o, int i,
			 char *err, size_t errlen)
{
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(o, "dev");
	const cJSON *rcvbuf = cJSON_GetObjectItemCaseSensitive(o, "rcvbuf");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(o, "trace_bpf");

	if (dev) {
		struct net_device *d = cJSON_IsString(dev) ? dev_get_by_name(net, dev->valuestring) : NULL;
		if (!d) {
			snprintf(err, errlen, "packet_sockets[%d].dev: expected the name of a scenario interface", i);
			return -1;
		}
		packet_bind(po, po->num, d->ifindex);
	}
	if (rcvbuf) {
		if (!cJSON_IsNumber(rcvbuf) || rcvbuf->valuedouble < 1 || rcvbuf->valuedouble > 1000000 ||
		    rcvbuf->valuedouble != (double)(int)rcvbuf->valuedouble) {
			snprintf(err, errlen, "packet_sockets[%d].rcvbuf: expected a frame count 1..1000000", i);
			return -1;
		}
		po->rcvbuf = (uint32_t)rcvbuf->valuedouble;
	}
	if (tb && !cJSON_IsBool(tb)) {
		snprintf(err, errlen, "packet_sockets[%d].trace_bpf: expected true or false", i);
		return -1;
	}
	po->trace_bpf = tb && cJSON_IsTrue(tb);
	return 0;
}

/* Bound to a tun, or unbound on a host of tun devices only. */
static int sees_tun_only(const struct net *net, const struct packet_sock *po)
{
	int tun = 0;
	for (int d = 0; d < net->ndevs; d++) {
		if (po->ifindex && po->ifindex != net->devs[d].ifindex)
			continue;
		if (dev_has_header(&net->devs[d]))
			return 0;
		tun = 1;
	}
	return tun;
}

/* The filter, compiled for what the socket sees (see the file header). */
static int attach_filter(struct packet_sock *po, const cJSON *f, int i, char *err, size_t errlen)
{
	struct bpf_prog *prog;
	char why[256];

	if (!f || cJSON_IsNull(f) || (cJSON_IsString(f) && !f->valuestring[0]))
		return 0;
	if (!cJSON_IsString(f)) {
		snprintf(err, errlen, "packet_sockets[%d].filter: expected a tcpdump expression string", i);
		return -1;
	}
	if (bpf_compile_bounded(f->valuestring, packet_sock_linktype(po), &prog, scenario_stop_flag(), why,
				sizeof(why)) < 0) {
		snprintf(err, errlen, "packet_sockets[%d].filter: %s", i, why);
		return -1;
	}
	sk_attach_filter(po, prog);
	return 0;
}

static int parse_one(struct net *net, const cJSON *o, int i, char *err, size_t errlen)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
	char defname[32], why[128];
	uint16_t proto;
	int type;

	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "packet_sockets[%d]: expected an object", i);
		return -1;
	}
	if (check_fields(o, i, err, errlen) < 0)
		return -1;
	if (name && (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) >= 32)) {
		snprintf(err, errlen, "packet_sockets[%d].name: expected a non-empty string under 32 characters", i);
		return -1;
	}
	snprintf(defname, sizeof(defname), "packet%d", i);
	const char *nm = name ? name->valuestring : defname;
	if (packet_sock_lookup(net, nm)) {
		snprintf(err, errlen, "packet_sockets[%d].name: \"%s\" is already used", i, nm);
		return -1;
	}
	if (parse_type(cJSON_GetObjectItemCaseSensitive(o, "type"), &type) < 0) {
		snprintf(err, errlen, "packet_sockets[%d].type: expected \"raw\" or \"dgram\"", i);
		return -1;
	}
	if (parse_protocol(cJSON_GetObjectItemCaseSensitive(o, "protocol"), &proto) < 0) {
		snprintf(err, errlen, "packet_sockets[%d].protocol: expected \"all\", \"ip\", \"arp\", \"ipv6\" "
			 "or an ethertype such as \"0x0800\"", i);
		return -1;
	}
	struct packet_sock *po = packet_create(net, nm, type, proto, why, sizeof(why));
	if (!po) {
		snprintf(err, errlen, "packet_sockets[%d]: %s", i, why);
		return -1;
	}
	if (apply_options(net, po, o, i, err, errlen) < 0 ||
	    (po->no_link_header = sees_tun_only(net, po), 0) ||
	    attach_filter(po, cJSON_GetObjectItemCaseSensitive(o, "filter"), i, err, errlen) < 0) {
		packet_release(net, po);
		return -1;
	}
	return 0;
}

int scenario_packet_sockets(struct net *net, const cJSON *arr, char *err, size_t errlen)
{
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "packet_sockets: expected an array of socket objects");
		return -1;
	}
	if (cJSON_GetArraySize(arr) > SCENARIO_MAX_PACKET_SOCKS) {
		snprintf(err, errlen, "packet_sockets: %d sockets; at most %d (a process's default open-file limit)",
			 cJSON_GetArraySize(arr), SCENARIO_MAX_PACKET_SOCKS);
		return -1;
	}
	int i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, arr) {
		if (scenario_stopped(err, errlen) || parse_one(net, o, i, err, errlen) < 0)
			return -1;
		i++;
	}
	return 0;
}
