/*
 * scenario.c - loads the simulated host from JSON (docs/design.md §4): the
 * interfaces, neighbours, kernel era and checksum switch here; routes,
 * netfilter, listeners and packet sockets in their own section parsers.
 */
#include "scenario.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

const char scenario_default_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"],\"mtu\":1500}],\n"
	"  \"routes\": [{\"dst\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\",\"dev\":\"eth0\"},\n"
	"             {\"dst\":\"::/0\",\"via\":\"fd00::1\",\"dev\":\"eth0\"}],\n"
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"                 {\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"forwarding\": false, \"rp_filter\": 0,\n"
	"  \"listen\": [{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\"},{\"proto\":\"tcp\",\"port\":7,\"app\":\"echo\"},\n"
	"             {\"proto\":\"tcp\",\"port\":9,\"app\":\"discard\"},{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]\n"
	"}\n";

int scenario_parse_ip(const char *s, uint32_t *addr)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

int scenario_parse_prefix(const char *s, uint32_t *addr, int *plen)
{
	char buf[64];
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	if (!slash) {
		*plen = 32;
		return scenario_parse_ip(s, addr);
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	errno = 0;
	long p = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || errno || p < 0 || p > 32)
		return -1;
	*plen = (int)p;
	return scenario_parse_ip(buf, addr);
}

int scenario_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int parse_addrs(struct net_device *dev, const cJSON *addrs, int i, char *err, size_t errlen)
{
	const cJSON *a;
	int j = 0;
	if (!addrs)
		return 0;
	if (!cJSON_IsArray(addrs))
		FAIL("interfaces[%d].addrs: expected an array of \"A.B.C.D/N\"", i);
	cJSON_ArrayForEach(a, addrs) {
		uint32_t ip;
		int plen;
		if (cJSON_IsString(a) && strchr(a->valuestring, ':')) {
			if (scenario_addr6(dev->nd_net, dev, a->valuestring, i, j++, err, errlen) < 0)
				return -1;
			continue;
		}
		if (!cJSON_IsString(a) || scenario_parse_prefix(a->valuestring, &ip, &plen) < 0)
			FAIL("interfaces[%d].addrs[%d]: expected \"A.B.C.D/N\" or an IPv6 \"fd00::2/64\"", i, j);
		if (dev_add_addr(dev, ip, plen) < 0)
			FAIL("interfaces[%d].addrs[%d]: at most %d addresses per interface", i, j, NJ_MAX_ADDRS);
		j++;
	}
	return 0;
}

static int parse_vlans(struct net_device *dev, const cJSON *vl, int i, char *err, size_t errlen)
{
	const cJSON *v;
	if (!vl)
		return 0;
	if (!cJSON_IsArray(vl))
		FAIL("interfaces[%d].vlans: expected an array of VLAN ids", i);
	cJSON_ArrayForEach(v, vl) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 4094)
			FAIL("interfaces[%d].vlans: VLAN ids are 1..4094", i);
		if (dev->nvlans >= 8)
			FAIL("interfaces[%d].vlans: at most 8", i);
		dev->vlans[dev->nvlans++] = (uint16_t)v->valuedouble;
	}
	return 0;
}

/* interfaces[].multicast: the groups the host's applications joined. */
static int parse_groups(struct net_device *dev, const cJSON *g, int i, char *err, size_t errlen)
{
	const cJSON *v;
	uint32_t a;
	if (!g)
		return 0;
	if (!cJSON_IsArray(g))
		FAIL("interfaces[%d].multicast: expected an array of group addresses", i);
	cJSON_ArrayForEach(v, g) {
		if (!cJSON_IsString(v) || scenario_parse_ip(v->valuestring, &a) < 0 || !ipv4_is_multicast(a))
			FAIL("interfaces[%d].multicast: expected group addresses like \"239.255.255.250\"", i);
		if (dev->nmc >= 16)
			FAIL("interfaces[%d].multicast: at most 16 groups", i);
		dev->mc_groups[dev->nmc++] = a;
	}
	return 0;
}

/* interfaces[].type: "ether" (the default), "tun" or "ppp" (no MAC). */
static int parse_dev_type(const cJSON *type, int i, uint16_t *t, char *err, size_t errlen)
{
	static const struct { const char *name; uint16_t type; } types[] = {
		{ "ether", NJ_ARPHRD_ETHER }, { "tun", NJ_ARPHRD_NONE }, { "ppp", NJ_ARPHRD_PPP },
	};
	*t = NJ_ARPHRD_ETHER;
	for (size_t k = 0; type && cJSON_IsString(type) && k < sizeof(types) / sizeof(types[0]); k++)
		if (!strcmp(type->valuestring, types[k].name)) {
			*t = types[k].type;
			return 0;
		}
	if (type)
		FAIL("interfaces[%d].type: expected \"ether\", \"tun\" or \"ppp\"", i);
	return 0;
}

static int parse_interface(struct net *net, const cJSON *it, int i, char *err, size_t errlen)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
	const cJSON *mac = cJSON_GetObjectItemCaseSensitive(it, "mac");
	const cJSON *mtu = cJSON_GetObjectItemCaseSensitive(it, "mtu");
	uint8_t m[6];
	char nm[IFNAMSIZ];
	uint16_t type;

	if (!cJSON_IsObject(it))
		FAIL("interfaces[%d]: expected an object", i);
	if (name && (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) >= IFNAMSIZ))
		FAIL("interfaces[%d].name: expected a name of 1..15 characters", i);
	if (name)
		snprintf(nm, sizeof(nm), "%s", name->valuestring);
	else
		snprintf(nm, sizeof(nm), "eth%d", i);
	if (parse_dev_type(cJSON_GetObjectItemCaseSensitive(it, "type"), i, &type, err, errlen) < 0)
		return -1;
	int ether = type == NJ_ARPHRD_ETHER;
	if (ether && (!mac || !cJSON_IsString(mac) || scenario_parse_mac(mac->valuestring, m) < 0))
		FAIL("interfaces[%d].mac: expected \"xx:xx:xx:xx:xx:xx\"", i);
	if (!ether && mac)
		FAIL("interfaces[%d].mac: a tun or ppp device has no MAC address", i);
	if (!ether && cJSON_GetObjectItemCaseSensitive(it, "vlans"))
		FAIL("interfaces[%d].vlans: VLANs need an Ethernet device, not a tun or ppp", i);
	if (mtu && (!cJSON_IsNumber(mtu) || mtu->valuedouble < 68 || mtu->valuedouble > 65535))
		FAIL("interfaces[%d].mtu: expected 68..65535", i);
	if (dev_get_by_name(net, nm))
		FAIL("interfaces[%d].name: \"%s\" is used twice", i, nm);
	uint32_t mt = mtu ? (uint32_t)mtu->valuedouble : 1500;
	struct net_device *dev = ether ? net_add_dev(net, nm, m, mt) : net_add_noarp_dev(net, nm, type, mt);
	if (!dev)
		FAIL("interfaces: at most %d interfaces", NJ_MAX_DEVS);
	if (parse_addrs(dev, cJSON_GetObjectItemCaseSensitive(it, "addrs"), i, err, errlen) < 0)
		return -1;
	if (parse_groups(dev, cJSON_GetObjectItemCaseSensitive(it, "multicast"), i, err, errlen) < 0)
		return -1;
	return parse_vlans(dev, cJSON_GetObjectItemCaseSensitive(it, "vlans"), i, err, errlen);
}

static int parse_interfaces(struct net *net, const cJSON *arr, char *err, size_t errlen)
{
	const cJSON *it;
	int i = 0;
	if (!arr || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
		FAIL("interfaces: expected a non-empty array");
	cJSON_ArrayForEach(it, arr) {
		if (parse_interface(net, it, i, err, errlen) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int parse_neighbours(struct net *net, const cJSON *arr, char *err, size_t errlen)
{
	const cJSON *it;
	int i = 0;
	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		FAIL("neighbours: expected an array");
	cJSON_ArrayForEach(it, arr) {
		if (scenario_stopped(err, errlen))
			return -1;
		const cJSON *ip = cJSON_GetObjectItemCaseSensitive(it, "ip");
		const cJSON *mac = cJSON_GetObjectItemCaseSensitive(it, "mac");
		const cJSON *dv = cJSON_GetObjectItemCaseSensitive(it, "dev");
		uint32_t a = 0;	/* read only for IPv4 (gcc -flto cannot tell) */
		uint8_t m[6];
		struct net_device *dev = &net->devs[0];
		int v6 = cJSON_IsString(ip) && strchr(ip->valuestring, ':');
		if (!cJSON_IsString(ip) || (!v6 && scenario_parse_ip(ip->valuestring, &a) < 0))
			FAIL("neighbours[%d].ip: expected \"A.B.C.D\" or an IPv6 address", i);
		if (!cJSON_IsString(mac) || scenario_parse_mac(mac->valuestring, m) < 0)
			FAIL("neighbours[%d].mac: expected \"xx:xx:xx:xx:xx:xx\"", i);
		if (dv && (!cJSON_IsString(dv) || !(dev = dev_get_by_name(net, dv->valuestring))))
			FAIL("neighbours[%d].dev: no interface named %s", i, cJSON_IsString(dv) ? dv->valuestring : "?");
		if (v6) {
			if (scenario_neigh6(net, dev, ip->valuestring, m, i++, err, errlen) < 0)
				return -1;
			continue;
		}
		if (neigh_add_static(net, dev, a, m) < 0)
			FAIL("neighbours[%d]: neighbour table full", i);
		i++;
	}
	return 0;
}

static int parse_kernel(struct net *net, const cJSON *k, char *err, size_t errlen)
{
	if (!k)
		return 0;
	if (!cJSON_IsString(k))
		FAIL("kernel: expected \"6.x\", \"2.6\" or \"2.4\"");
	if (!strcmp(k->valuestring, "6.x") || !strncmp(k->valuestring, "6.", 2))
		net->kernel = KERNEL_6X;
	else if (!strncmp(k->valuestring, "2.6", 3))
		net->kernel = KERNEL_2_6;
	else if (!strncmp(k->valuestring, "2.4", 3))
		net->kernel = KERNEL_2_4;
	else
		FAIL("kernel: \"%s\" is not one of \"6.x\", \"2.6\", \"2.4\"", k->valuestring);
	return 0;
}

static int parse_bool(const cJSON *root, const char *key, int *out, char *err, size_t errlen)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, key);
	if (!b)
		return 0;
	if (!cJSON_IsBool(b))
		FAIL("%s: expected true or false", key);
	*out = cJSON_IsTrue(b);
	return 0;
}

static int parse_sysctls(struct net *net, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "frag");
	if (parse_bool(root, "verify_checksums", &net->sysctl.verify_checksums, err, errlen) < 0)
		return -1;
	if (!f)
		return 0;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(f, "high_thresh");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(f, "low_thresh");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "time");
	if (h && (!cJSON_IsNumber(h) || h->valuedouble < 0 || h->valuedouble > 1e10))
		FAIL("frag.high_thresh: expected bytes 0..10^10");
	if (l && (!cJSON_IsNumber(l) || l->valuedouble < 0 || l->valuedouble > 1e10))
		FAIL("frag.low_thresh: expected bytes 0..10^10");
	if (t && (!cJSON_IsNumber(t) || t->valuedouble < 1 || t->valuedouble > 3600))
		FAIL("frag.time: expected seconds 1..3600");
	if (h)
		net->sysctl.ipfrag_high_thresh = (uint64_t)h->valuedouble;
	if (l)
		net->sysctl.ipfrag_low_thresh = (uint64_t)l->valuedouble;
	if (t)
		net->sysctl.ipfrag_time_ns = (uint64_t)(t->valuedouble * 1e9);
	return 0;
}

static _Thread_local volatile int *stop_flag;

void scenario_set_stop(volatile int *stop) { stop_flag = stop; }
volatile int *scenario_stop_flag(void) { return stop_flag; }

int scenario_stopped(char *err, size_t errlen)
{
	if (!stop_flag || !*stop_flag)
		return 0;
	snprintf(err, errlen, "interrupted while loading");
	return 1;
}

static int scenario_apply(struct net *net, const cJSON *root, char *err, size_t errlen)
{
	if (!cJSON_IsObject(root))
		FAIL("top level: expected a JSON object");
	/* scenario_stopped between the sections; long sections check inside */
	if (parse_kernel(net, cJSON_GetObjectItemCaseSensitive(root, "kernel"), err, errlen) < 0 ||
	    parse_interfaces(net, cJSON_GetObjectItemCaseSensitive(root, "interfaces"), err, errlen) < 0 ||
	    parse_sysctls(net, root, err, errlen) < 0 || scenario_stopped(err, errlen) ||
	    scenario_ipv6_sysctls(net, cJSON_GetObjectItemCaseSensitive(root, "ipv6"), err, errlen) < 0 ||
	    parse_neighbours(net, cJSON_GetObjectItemCaseSensitive(root, "neighbours"), err, errlen) < 0)
		return -1;
	if (scenario_stopped(err, errlen) ||
	    scenario_routes(net, cJSON_GetObjectItemCaseSensitive(root, "routes"), root, err, errlen) < 0 ||
	    scenario_stopped(err, errlen) ||
	    scenario_netfilter(net, cJSON_GetObjectItemCaseSensitive(root, "netfilter"), err, errlen) < 0 ||
	    scenario_stopped(err, errlen) ||
	    scenario_listen(net, cJSON_GetObjectItemCaseSensitive(root, "listen"), err, errlen) < 0 ||
	    scenario_transport(net, root, err, errlen) < 0 ||
	    scenario_stopped(err, errlen) ||
	    scenario_packet_sockets(net, cJSON_GetObjectItemCaseSensitive(root, "packet_sockets"), err, errlen) < 0)
		return -1;
	return 0;
}

int scenario_load_text(struct net *net, const char *json, const char *name, char *err, size_t errlen)
{
	char inner[400];
	cJSON *root = cJSON_Parse(json);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= json ? (size_t)(at - json) : 0;
		snprintf(err, errlen, "%s: not valid JSON (near byte %zu)", name, off);
		return -1;
	}
	int r = scenario_stopped(inner, sizeof(inner)) ? -1 : scenario_apply(net, root, inner, sizeof(inner));
	cJSON_Delete(root);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", name, inner);
	return r;
}

char *scenario_read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[8192];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *nb = cap > (16u << 20) ? NULL : realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				snprintf(err, errlen, "%s: scenario larger than 16 MiB", path);
				return NULL;
			}
			buf = nb;
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "%s: empty file, expected a JSON object", path);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

int scenario_load_file(struct net *net, const char *path, char *err, size_t errlen)
{
	if (!path)
		return scenario_load_text(net, scenario_default_json, "default scenario", err, errlen);
	char *buf = scenario_read_file(path, err, errlen);
	if (!buf)
		return -1;
	int r = scenario_load_text(net, buf, path, err, errlen);
	free(buf);
	return r;
}
