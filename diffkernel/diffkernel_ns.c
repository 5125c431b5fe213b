/*
 * diffkernel_ns.c - the real-kernel host for diff-kernel: a "host" network
 * namespace shaped like the scenario (veth interfaces with its MACs,
 * addresses and MTUs, routes, static neighbours, forwarding, rp_filter,
 * fragment sysctls, netfilter rules as nftables: diffkernel_nft.c) and one
 * "peer" namespace per interface holding the other end of the veth, from
 * which frames are injected and captured. A tun interface is a real tun
 * device in the host namespace (IFF_TUN | IFF_NO_PI, no peer): its fd is
 * the other end, and closing it (or the namespace going) removes it.
 * `ip` runs through posix_spawnp with an argument vector; sysctls are
 * written to /proc/sys from inside the namespace (setns), which is what
 * sysctl(8) does. IPv6 is switched off in every namespace before any link
 * exists, so no router solicitations, MLD or DAD frames mix with the replies;
 * when the capture carries IPv6 (issue 24), the host namespace keeps it, with
 * DAD and router solicitations off and its addresses "nodad", and the
 * scenario's IPv6 addresses, neighbours, routes and sysctls are set up.
 */
#include "diffkernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cJSON.h"
#include "ipv6.h"

extern char **environ;

int dk_run(char *const argv[], char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(r));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", argv[0], strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* Name the whole command: "ip -n njdk1-host route add ...: exit status 2". */
	size_t o = 0;
	for (int i = 0; argv[i] && o + 2 < errlen; i++)
		o += (size_t)snprintf(err + o, errlen - o, "%s%s", i ? " " : "", argv[i]);
	if (o < errlen)
		snprintf(err + o, errlen - o, ": %s %d", WIFEXITED(st) ? "exit status" : "killed by signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

int dk_run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ipn - `ip -n NS args...` with up to 14 arguments. */
static int ipn(const char *ns, char *err, size_t errlen, const char *const *args)
{
	char *argv[20] = { "ip", "-n", (char *)ns };
	int n = 3;
	while (*args && n < 19)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return dk_run(argv, err, errlen);
}
#define IPN(ns, ...) ipn(ns, err, errlen, (const char *const[]){ __VA_ARGS__, NULL })

int dk_enter(const struct dk_env *env, const char *name, char *err, size_t errlen)
{
	char path[128];
	(void)env;
	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "setns %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void dk_leave(const struct dk_env *env)
{
	if (setns(env->orig_ns, CLONE_NEWNET) < 0)
		perror("diff-kernel: setns back to the original namespace");
}

/* sysctl_set - writes value to /proc/sys/<key with dots as slashes> in ns. */
static int sysctl_set(const struct dk_env *env, const char *ns, const char *key, long value, char *err,
		      size_t errlen)
{
	char path[160];
	int n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (int i = 10; i < n; i++)
		if (path[i] == '.')
			path[i] = '/';
	if (dk_enter(env, ns, err, errlen) < 0)
		return -1;
	FILE *f = fopen(path, "w");
	int ok = f && fprintf(f, "%ld\n", value) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	dk_leave(env);
	if (!ok) {
		snprintf(err, errlen, "sysctl %s=%ld in namespace %s: %s", key, value, ns, strerror(errno));
		return -1;
	}
	return 0;
}

static int netns_add(const char *name, char *err, size_t errlen)
{
	char *argv[] = { "ip", "netns", "add", (char *)name, NULL };
	return dk_run(argv, err, errlen);
}

static int ns_no_ipv6(const struct dk_env *env, const char *ns, char *err, size_t errlen)
{
	if (sysctl_set(env, ns, "net.ipv6.conf.all.disable_ipv6", 1, err, errlen) < 0 ||
	    sysctl_set(env, ns, "net.ipv6.conf.default.disable_ipv6", 1, err, errlen) < 0)
		return -1;
	return 0;
}

/* IPv6 on, without the frames a link coming up sends by itself: no DAD
 * probes, no router solicitations (MLD reports are left out of the capture
 * instead, diffkernel_linux.c). */
static int ns_quiet_ipv6(const struct dk_env *env, const char *ns, char *err, size_t errlen)
{
	static const char *const keys[] = { "accept_dad", "router_solicitations", "accept_ra" };
	char key[96];
	for (int w = 0; w < 2; w++)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			snprintf(key, sizeof(key), "net.ipv6.conf.%s.%s", w ? "default" : "all", keys[k]);
			if (sysctl_set(env, ns, key, 0, err, errlen) < 0)
				return -1;
		}
	return 0;
}

/* The scenario's IPv6 addresses on d (the EUI-64 link-local one the kernel
 * makes itself from the same MAC). */
static int setup_dev6(struct dk_env *env, const struct net *net, const struct net_device *d, char *err, size_t errlen)
{
	const struct inet6_dev *idev = net->ipv6 ? &net->ipv6->idev[d->ifindex - 1] : NULL;
	char a[64];
	for (int k = 0; env->ipv6 && idev && k < idev->naddrs; k++) {
		if (ipv6_addr_linklocal(&idev->addrs[k].addr))
			continue;
		snprintf(a, sizeof(a), "%s/%u", in6_fmt(&idev->addrs[k].addr), idev->addrs[k].prefix_len);
		if (IPN(env->host, "addr", "add", a, "dev", d->name, "nodad") < 0)
			return -1;
	}
	return 0;
}

/* The scenario's addresses on d, then up. */
static int setup_addrs(struct dk_env *env, const struct net *net, const struct net_device *d, char *err,
		       size_t errlen)
{
	char a[32], ip[INET_ADDRSTRLEN];
	for (int k = 0; k < d->naddrs; k++) {
		inet_ntop(AF_INET, &d->addrs[k].ifa_local, ip, sizeof(ip));
		snprintf(a, sizeof(a), "%s/%d", ip, d->addrs[k].ifa_prefixlen);
		if (IPN(env->host, "addr", "add", a, "dev", d->name) < 0)
			return -1;
	}
	if (setup_dev6(env, net, d, err, errlen) < 0)
		return -1;
	return IPN(env->host, "link", "set", d->name, "up");
}

static void fmt_mac(const uint8_t *m, char *out)
{
	sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The scenario's VLANs as VLAN devices over the veth phys, outermost first
 * (802.1ad outside when stacked, as the stack tags them); the top one takes
 * the scenario's name, so its addresses, routes and neighbours land there. */
static int setup_vlans(struct dk_env *env, const struct net_device *d, const char *phys, int i, char *err,
		       size_t errlen)
{
	char parent[16], name[16], id[8];
	snprintf(parent, sizeof(parent), "%s", phys);
	for (int k = 0; k < d->nvlans; k++) {
		if (k == d->nvlans - 1)
			snprintf(name, sizeof(name), "%s", d->name);
		else
			snprintf(name, sizeof(name), "v%u.%u", (unsigned)i % 100, (unsigned)k % 10);	/* i < NJ_MAX_DEVS, k < 8 */
		snprintf(id, sizeof(id), "%u", d->vlans[k]);
		if (IPN(env->host, "link", "set", parent, "up") < 0)
			return -1;
		if (IPN(env->host, "link", "add", "link", parent, "name", name, "type", "vlan", "proto",
			d->nvlans > 1 && k == 0 ? "802.1ad" : "802.1Q", "id", id) < 0) {
			char *probe[] = { "ip", "-n", env->host, "link", "add", "link", "lo", "name", "vlprobe",
					  "type", "vlan", "id", "1", NULL };
			if (dk_run_quiet(probe) < 0)
				snprintf(err, errlen, "interface %s has VLAN %u, and this kernel has no VLAN devices "
					 "(CONFIG_VLAN_8021Q is not set): its VLANs cannot be mirrored, so the capture "
					 "cannot be compared here", d->name, d->vlans[k]);
			return -1;
		}
		snprintf(parent, sizeof(parent), "%s", name);
	}
	return 0;
}

/* TSO and GSO off on dev in the host namespace (ethtool -K dev tso off gso
 * off): a segment longer than the MSS then leaves as the wire would carry
 * it, in MSS-sized pieces, not as one super-packet the capture socket would
 * see whole (TCP's retransmissions after path MTU discovery are such). */
/* From <linux/ethtool.h>, whose <linux/if_ether.h> clashes with the
 * stack's own struct ethhdr. */
#define NJ_ETHTOOL_STSO	0x1fu
#define NJ_ETHTOOL_SGSO	0x24u
struct nj_ethtool_value {
	uint32_t cmd, data;
};

static int dev_no_offload(const struct dk_env *env, const char *dev, char *err, size_t errlen)
{
	static const uint32_t cmds[2] = { NJ_ETHTOOL_STSO, NJ_ETHTOOL_SGSO };
	if (dk_enter(env, env->host, err, errlen) < 0)
		return -1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok = fd >= 0;
	for (int i = 0; ok && i < 2; i++) {
		struct nj_ethtool_value v = { .cmd = cmds[i], .data = 0 };
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
		ifr.ifr_data = (void *)&v;
		ok = ioctl(fd, SIOCETHTOOL, &ifr) == 0;
	}
	if (!ok)
		snprintf(err, errlen, "%s: turning TSO and GSO off: %s", dev, strerror(errno));
	if (fd >= 0)
		close(fd);
	dk_leave(env);
	return ok ? 0 : -1;
}

/* One interface: host side named as in the scenario, peer side "pN". */
static int setup_dev(struct dk_env *env, const struct net *net, const struct net_device *d, int i, char *err,
		     size_t errlen)
{
	char pname[16], mac[20], mtu[16];
	char prefix[sizeof(env->prefix)];
	memcpy(prefix, env->prefix, sizeof(prefix));
	snprintf(env->peer[i], sizeof(env->peer[i]), "%s-p%d", prefix, i);
	snprintf(pname, sizeof(pname), "p%d", i);
	if (netns_add(env->peer[i], err, errlen) < 0)
		return -1;
	env->made_peer[i] = 1;
	fmt_mac(d->dev_addr, mac);
	static const uint8_t zero[6];
	if ((d->dev_addr[0] & 1) || !memcmp(d->dev_addr, zero, 6)) {
		/* eth_prepare_mac_addr_change wants is_valid_ether_addr. */
		snprintf(err, errlen, "interface %s: MAC %s is %s, which no Linux interface can have", d->name, mac,
			 d->dev_addr[0] & 1 ? "a group address" : "all zeros");
		return -1;
	}
	snprintf(mtu, sizeof(mtu), "%u", d->mtu + 4u * (unsigned)d->nvlans);
	char phys[16];	/* with VLANs, the veth is under the scenario's name's VLAN device */
	if (d->nvlans)
		snprintf(phys, sizeof(phys), "v%d", i);
	else
		snprintf(phys, sizeof(phys), "%s", d->name);
	if (ns_no_ipv6(env, env->peer[i], err, errlen) < 0 ||
	    IPN(env->host, "link", "add", phys, "type", "veth", "peer", "name", pname, "netns", env->peer[i]) < 0 ||
	    IPN(env->host, "link", "set", phys, "address", mac, "mtu", mtu) < 0 ||
	    dev_no_offload(env, phys, err, errlen) < 0 ||
	    /* The peer end takes any frame of the capture; the host end's MTU
	     * decides, as a NIC's would (veth drops frames over MTU + 18). */
	    IPN(env->peer[i], "link", "set", pname, "mtu", "65535", "up") < 0 ||
	    setup_vlans(env, d, phys, i, err, errlen) < 0)
		return -1;
	return setup_addrs(env, net, d, err, errlen);
}

/* From <linux/if_tun.h>, which brings <linux/if_ether.h> along. */
#define NJ_TUNSETIFF		_IOW('T', 202, int)
#define NJ_TUNSETPERSIST	_IOW('T', 203, int)
#define NJ_IFF_TUN		0x0001
#define NJ_IFF_NO_PI		0x1000

/* TUNSETIFF makes the device in the calling thread's namespace: so from
 * inside the host's. Non-blocking, as the kernel half polls it. --keep
 * makes it persistent, or it would go with our fd at exit. */
static int tun_open(struct dk_env *env, const struct net_device *d, int i, char *err, size_t errlen)
{
	struct ifreq ifr;
	if (dk_enter(env, env->host, err, errlen) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->name);
	ifr.ifr_flags = NJ_IFF_TUN | NJ_IFF_NO_PI;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int ok = fd >= 0 && ioctl(fd, NJ_TUNSETIFF, &ifr) == 0 && (!env->keep || ioctl(fd, NJ_TUNSETPERSIST, 1) == 0);
	if (!ok)
		snprintf(err, errlen, "interface %s: cannot make a tun device (/dev/net/tun): %s", d->name,
			 strerror(errno));
	dk_leave(env);
	if (!ok) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	env->tunfd[i] = fd;
	env->made_tun[i] = 1;
	return 0;
}

/* A tun interface: no MAC, no peer. addrgenmode none, as netjourney gives
 * a tun no link-local address (Linux would draw a random one for it). No
 * offloads to turn off: without TUNSETOFFLOAD a tun has no TSO and no
 * checksum offload, so what it hands the fd is segmented and summed. */
static int setup_tun(struct dk_env *env, const struct net *net, const struct net_device *d, int i, char *err,
		     size_t errlen)
{
	char mtu[16];
	snprintf(mtu, sizeof(mtu), "%u", d->mtu);
	if (tun_open(env, d, i, err, errlen) < 0 || IPN(env->host, "link", "set", d->name, "mtu", mtu) < 0 ||
	    (env->ipv6 && IPN(env->host, "link", "set", d->name, "addrgenmode", "none") < 0))
		return -1;
	return setup_addrs(env, net, d, err, errlen);
}

/* The scenario's tcp_rmem, by default as Linux 6.13 sizes it on a machine
 * with enough memory (window scale 7); later kernels raise the maximum
 * (6.18: 32 MiB, window scale 10). Three numbers, so not through sysctl_set. */
static int tcp_rmem_set(const struct dk_env *env, const struct net *net, char *err, size_t errlen)
{
	if (dk_enter(env, env->host, err, errlen) < 0)
		return -1;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_rmem", "w");
	int ok = f && fprintf(f, "%u %u %u\n", net->sysctl.tcp_rmem[0], net->sysctl.tcp_rmem[1],
			      net->sysctl.tcp_rmem[2]) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	dk_leave(env);
	if (!ok)
		snprintf(err, errlen, "sysctl net.ipv4.tcp_rmem in namespace %s: %s", env->host, strerror(errno));
	return ok ? 0 : -1;
}

/* Forwarding, rp_filter, the fragment limits and the TCP options, as the
 * loaded net has them (the scenario loader applied its inheritance rules). */
static int setup_sysctls(struct dk_env *env, const struct net *net, char *err, size_t errlen)
{
	char key[96];
	long ft = (long)((net->sysctl.ipfrag_time_ns + 999999999ULL) / 1000000000ULL);
	if (sysctl_set(env, env->host, "net.ipv4.ip_forward", net->sysctl.ip_forward, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.conf.all.rp_filter", net->sysctl.rp_filter, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.ipfrag_time", ft, err, errlen) < 0 ||
	    /* Linux keeps low <= high at every write: lower low first. */
	    sysctl_set(env, env->host, "net.ipv4.ipfrag_low_thresh", 0, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.ipfrag_high_thresh", (long)net->sysctl.ipfrag_high_thresh, err,
		       errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.ipfrag_low_thresh", (long)net->sysctl.ipfrag_low_thresh, err,
		       errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_sack", net->sysctl.tcp_sack, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_timestamps", net->sysctl.tcp_timestamps, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_window_scaling", net->sysctl.tcp_window_scaling, err,
		       errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_dsack", net->sysctl.tcp_dsack, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_syncookies", net->sysctl.tcp_syncookies, err, errlen) < 0 ||
	    sysctl_set(env, env->host, "net.ipv4.tcp_ecn", net->sysctl.tcp_ecn, err, errlen) < 0 ||
	    tcp_rmem_set(env, net, err, errlen) < 0)
		return -1;
	if (env->ipv6 && net->ipv6 &&
	    (sysctl_set(env, env->host, "net.ipv6.conf.all.forwarding", net->ipv6->sysctl.forwarding, err, errlen) < 0 ||
	     sysctl_set(env, env->host, "net.ipv6.ip6frag_time",
			(long)((net->ipv6->sysctl.ip6frag_time_ns + 999999999ULL) / 1000000000ULL), err, errlen) < 0))
		return -1;
	for (int i = 0; i < net->ndevs; i++) {
		const struct net_device *d = &net->devs[i];
		snprintf(key, sizeof(key), "net.ipv4.conf.%s.forwarding", d->name);
		if (sysctl_set(env, env->host, key, d->forwarding, err, errlen) < 0)
			return -1;
		snprintf(key, sizeof(key), "net.ipv4.conf.%s.rp_filter", d->name);
		if (sysctl_set(env, env->host, key, d->rp_filter, err, errlen) < 0)
			return -1;
		/* router advertisements: as the scenario takes them (quiet set 0) */
		snprintf(key, sizeof(key), "net.ipv6.conf.%s.accept_ra", d->name);
		if (env->ipv6 && net->ipv6 && sysctl_set(env, env->host, key, net->ipv6->sysctl.accept_ra, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Static neighbours: "nud permanent", as the scenario's never expire. */
static int setup_neigh(struct dk_env *env, const struct net *net, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "neighbours")) {
		const char *dev = jstr(e, "dev") ? jstr(e, "dev") : net->devs[0].name;
		if (!env->ipv6 && jstr(e, "ip") && strchr(jstr(e, "ip"), ':'))
			continue;	/* IPv6 is off in this run */
		if (IPN(env->host, "neigh", "replace", jstr(e, "ip"), "lladdr", jstr(e, "mac"), "dev", dev, "nud",
			"permanent") < 0)
			return -1;
	}
	return 0;
}

static int setup_route(struct dk_env *env, const cJSON *e, char *err, size_t errlen)
{
	const char *args[14];
	char metric[16];
	int n = 0;
	const char *type = jstr(e, "type");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "metric");
	args[n++] = "route";
	args[n++] = "add";
	if (type && strcmp(type, "unicast"))
		args[n++] = type;
	args[n++] = jstr(e, "dst");
	if (jstr(e, "via")) {
		args[n++] = "via";
		args[n++] = jstr(e, "via");
	}
	if (jstr(e, "dev")) {
		args[n++] = "dev";
		args[n++] = jstr(e, "dev");
	}
	if (cJSON_IsNumber(m)) {
		snprintf(metric, sizeof(metric), "%d", m->valueint);
		args[n++] = "metric";
		args[n++] = metric;
	}
	args[n] = NULL;
	return ipn(env->host, err, errlen, args);
}

static int setup_routes(struct dk_env *env, const cJSON *root, char *err, size_t errlen)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "routes"))
		if ((env->ipv6 || !jstr(e, "dst") || !strchr(jstr(e, "dst"), ':')) && setup_route(env, e, err, errlen) < 0)
			return -1;
	return 0;
}

int dk_env_setup(struct dk_env *env, const struct net *net, const char *scenario_json, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(scenario_json);
	int r = -1;

	snprintf(env->prefix, sizeof(env->prefix), "njdk%ld", (long)getpid());
	snprintf(env->host, sizeof(env->host), "%s-host", env->prefix);
	env->ndev = net->ndevs;
	if (!root) {
		snprintf(err, errlen, "scenario: not valid JSON");
		return -1;
	}
	if (netns_add(env->host, err, errlen) < 0)
		goto out;
	env->made_host = 1;
	if ((env->ipv6 ? ns_quiet_ipv6(env, env->host, err, errlen) : ns_no_ipv6(env, env->host, err, errlen)) < 0 ||
	    IPN(env->host, "link", "set", "lo", "up") < 0)
		goto out;
	for (int i = 0; i < net->ndevs && !dk_stop; i++)
		if ((dev_has_header(&net->devs[i]) ? setup_dev(env, net, &net->devs[i], i, err, errlen)
						   : setup_tun(env, net, &net->devs[i], i, err, errlen)) < 0)
			goto out;
	if (setup_sysctls(env, net, err, errlen) < 0 || setup_neigh(env, net, root, err, errlen) < 0 ||
	    setup_routes(env, root, err, errlen) < 0 || (env->nft && dk_nft_load(env, env->nft, err, errlen) < 0) ||
	    dk_listeners_start(env, scenario_json, err, errlen) < 0)
		goto out;
	r = dk_stop ? -1 : 0;
	if (dk_stop)
		snprintf(err, errlen, "interrupted");
out:
	cJSON_Delete(root);
	return r;
}

static void netns_del(const char *name)
{
	char err[256];
	char *argv[] = { "ip", "netns", "del", (char *)name, NULL };
	if (dk_run(argv, err, sizeof(err)) < 0)
		fprintf(stderr, "diff-kernel: cleanup: %s\n", err);
}

void dk_env_cleanup(struct dk_env *env)
{
	if (env->listener > 0) {
		kill(env->listener, SIGTERM);
		while (waitpid(env->listener, NULL, 0) < 0 && errno == EINTR)
			;
		env->listener = 0;
	}
	/* Its fd holds the namespace (the tun file's socket keeps a
	 * reference): closed first, or ip netns del would leave it alive. */
	for (int i = 0; i < NJ_MAX_DEVS; i++)
		if (env->made_tun[i]) {
			close(env->tunfd[i]);
			env->made_tun[i] = 0;
		}
	if (env->keep) {
		fprintf(stderr, "diff-kernel: --keep: namespaces %s-* left in place (ip netns del NAME)\n",
			env->prefix);
		return;
	}
	for (int i = 0; i < NJ_MAX_DEVS; i++)
		if (env->made_peer[i]) {
			netns_del(env->peer[i]);
			env->made_peer[i] = 0;
		}
	if (env->made_host) {
		netns_del(env->host);
		env->made_host = 0;
	}
}
