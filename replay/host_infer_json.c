/*
 * host_infer_json.c - the inferred host as a scenario (see host_infer.h)
 * and the line that says what was inferred and from what. The scenario
 * holds what the capture shows and nothing else: no default listeners.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "host_infer_int.h"
#include "ip.h"
#include "scenario.h"

#define HI_MAX_CONN	512	/* connections written; more are left out */

int hi_port_has(const uint16_t *set, int n, uint16_t port)
{
	for (int i = 0; i < n; i++)
		if (set[i] == port)
			return 1;
	return 0;
}

int hi_port_add(uint16_t *set, int *n, uint16_t port)
{
	if (!port || hi_port_has(set, *n, port) || *n == HI_PORTS)
		return 0;
	set[(*n)++] = port;
	return 1;
}

static int in_prefix(uint32_t a, uint32_t b, int plen)
{
	uint32_t m = plen ? htonl(~0u << (32 - plen)) : 0;
	return (a & m) == (b & m);
}


/* lo's MTU is 65536, but a route takes at most IP_MAX_MTU (65535) of it
 * (ip_mtu's clamp): so does the scenario, whose MTUs are route MTUs. */
#define HI_LO_MTU 65535
/* The gateway's address: a neighbour at the gateway's MAC, nearest first. */
static void find_gateway(struct hi_state *s, int *plen)
{
	for (int p = 24; p >= 8 && s->have_gw_mac && !s->gw_ip; p -= 8)
		for (int i = 0; i < s->nneigh; i++)
			if (!memcmp(s->neigh[i].mac, s->gw_mac, 6) && in_prefix(s->neigh[i].ip, s->ip, p)) {
				s->gw_ip = s->neigh[i].ip;
				*plen = p;
				break;
			}
}

/* The device a capture without MACs was taken on, as the scenario's
 * "type": a tun for raw IP, a BSD/macOS tunnel's utun, or a cooked capture
 * mostly from an ARPHRD_NONE device; ppp for PPP framing or a cooked
 * capture mostly from ARPHRD_PPP. Neither has a MAC or resolves
 * neighbours. NULL: Ethernet. */
static const char *dev_type(const struct hi_state *s)
{
	int cooked = s->dlt == NJ_DLT_LINUX_SLL || s->dlt == NJ_DLT_LINUX_SLL2;
	uint64_t link = s->frames - s->lo_cooked - s->lo_cooked6;	/* lo's frames are lo's */
	if (s->loopback)
		return NULL;
	if (s->dlt == NJ_DLT_PPP || s->dlt == NJ_DLT_PPP_SERIAL || (cooked && s->ppp_frames * 2 > link))
		return "ppp";
	if (s->dlt == NJ_DLT_RAW || s->dlt == NJ_DLT_RAW_ALT || s->dlt == NJ_DLT_IPV4 || s->dlt == NJ_DLT_NULL ||
	    s->dlt == NJ_DLT_LOOP || (cooked && s->tun_frames * 2 > link))
		return "tun";
	return NULL;
}

static const char *dev_name(const struct hi_state *s)
{
	const char *t = dev_type(s);
	if (s->loopback)
		return s->dlt == NJ_DLT_EN10MB || s->dlt == NJ_DLT_LINUX_SLL || s->dlt == NJ_DLT_LINUX_SLL2 ? "lo" : "lo0";
	return !t ? "eth0" : t[0] == 'p' ? "ppp0" : "tun0";
}

/* The MTU the MSS the host offered most says (tcp_connect_init and the
 * SYN-ACK take it from the route's MTU less 40 bytes of IPv4 and TCP
 * header, 60 with IPv6): 0 when that is 1500 (or no MSS was seen), on lo,
 * or when the host sent a longer packet (up to 1500 bytes: longer ones are
 * offloaded segments). A host behind PPPoE offers 1452, one on Google
 * Cloud 1420, one on a 6in4 tunnel 1420 over IPv6. */
int hi_mtu(const struct hi_state *s)
{
	for (int v6 = 0; v6 < 2 && !s->loopback; v6++) {
		int best = -1;
		for (int i = 0; i < 8 && s->mss_seen[v6][i].n; i++)
			if (best < 0 || s->mss_seen[v6][i].n > s->mss_seen[v6][best].n)
				best = i;
		if (best < 0)
			continue;
		int mtu = s->mss_seen[v6][best].mss + (v6 ? 60 : 40);
		/* a longer packet it sent says the MSS came from elsewhere
		 * (TCP_MAXSEG, a route's advmss) */
		return mtu == 1500 || mtu < (v6 ? 1280 : 576) || mtu > 65535 || s->max_out > (uint32_t)mtu ? 0 : mtu;
	}
	return 0;
}

static cJSON *interface_json(const struct hi_state *s, int plen)
{
	static const uint8_t zero[6], local[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	char a[32];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", dev_name(s));
	/* No MAC of its own: all-zero where every frame has zero MACs (lo, or a
	 * scrubbed capture: its frames then match as the host's), else a local
	 * one (a frame to a broadcast or group MAC gives none an interface can have). */
	int zero_ok = s->loopback || (s->dlt == NJ_DLT_EN10MB && s->lo_frames * 2 > s->frames);
	if (dev_type(s))
		cJSON_AddStringToObject(o, "type", dev_type(s));
	else
		cJSON_AddStringToObject(o, "mac", mac_fmt(s->have_mac ? s->mac : zero_ok ? zero : local));
	cJSON *addrs = cJSON_AddArrayToObject(o, "addrs");
	snprintf(a, sizeof(a), "%s/%d", ip_fmt(s->ip), plen);
	if (s->ip)	/* an IPv6-only host has none */
		cJSON_AddItemToArray(addrs, cJSON_CreateString(a));
	if (s->loopback && s->lo_cooked6)
		cJSON_AddItemToArray(addrs, cJSON_CreateString("::1/128"));
	if (s->ngroups) {	/* from its IGMP reports */
		cJSON *g = cJSON_AddArrayToObject(o, "multicast");
		for (int i = 0; i < s->ngroups; i++)
			cJSON_AddItemToArray(g, cJSON_CreateString(ip_fmt(s->groups[i])));
	}
	int mtu = s->loopback ? HI_LO_MTU : hi_mtu(s);
	if (mtu)
		cJSON_AddNumberToObject(o, "mtu", mtu);
	if (s->nvlan) {
		cJSON *v = cJSON_AddArrayToObject(o, "vlans");
		for (int i = 0; i < s->nvlan; i++)
			if (s->vlan[i])
				cJSON_AddItemToArray(v, cJSON_CreateNumber(s->vlan[i]));
	}
	return o;
}

/* tcpdump -i any caught the host talking to itself: lo, as Linux has it
 * (127.0.0.1/8, ::1/128 when IPv6 went over it, no MAC, HI_LO_MTU). */
static cJSON *loopback_json(const struct hi_state *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", "lo");
	cJSON_AddStringToObject(o, "mac", "00:00:00:00:00:00");
	cJSON *addrs = cJSON_AddArrayToObject(o, "addrs");
	cJSON_AddItemToArray(addrs, cJSON_CreateString("127.0.0.1/8"));
	if (s->lo_cooked6)
		cJSON_AddItemToArray(addrs, cJSON_CreateString("::1/128"));
	cJSON_AddNumberToObject(o, "mtu", HI_LO_MTU);
	return o;
}

/* The device HI_LINK_* of the main interface (dev_type). */
static int main_link(const struct hi_state *s)
{
	const char *t = dev_type(s);
	return !t ? HI_LINK_ETHER : t[0] == 't' ? HI_LINK_TUN : HI_LINK_PPP;
}

/* The host's address on link l: the one most often its source leaving
 * there or its destination arriving there; 0 if none. */
static uint32_t link_host_ip(const struct hi_state *s, int l)
{
	uint32_t best = 0;
	uint64_t most = 0;
	for (int i = 0; i < s->nips; i++)
		if (s->ips[i].link_io[l] > most && s->ips[i].ip != s->ip) {
			most = s->ips[i].link_io[l];
			best = s->ips[i].ip;
		}
	return best;
}

#define HI_LINK_ROUTES 64	/* host routes per second link, at most */

/*
 * tcpdump -i any on a host with a second kind of link (a laptop on Wi-Fi
 * with a VPN's tun0: sll_hatype ETHER and NONE): that link becomes an
 * interface of its own, with the host's address there, and each peer
 * heard mostly over it (and not in its /24) a host route through it, so
 * the replies leave where the host's did: a full-tunnel VPN's default
 * route through tun0 and its server's endpoint through eth0, say. Linux
 * would have 0/1 and 128/1 routes or a policy rule; a capture shows only
 * which peers went where. Returns how many peers got no route (over the cap).
 */
static int second_links_json(cJSON *ifs, cJSON *routes, struct hi_state *s)
{
	static const char *const name[HI_NLINK] = { "eth0", "tun0", "ppp0" }, *const type[HI_NLINK] = { NULL, "tun", "ppp" };
	static const uint8_t local[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint64_t frames[HI_NLINK] = { s->eth_cooked, s->tun_frames, s->ppp_frames };
	int main = main_link(s), left = 0;
	char a[40];
	for (int l = 0; l < HI_NLINK; l++) {
		uint32_t ip = l != main && frames[l] ? link_host_ip(s, l) : 0;
		if (!ip)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", name[l]);
		if (type[l])
			cJSON_AddStringToObject(o, "type", type[l]);
		else
			cJSON_AddStringToObject(o, "mac", mac_fmt(s->have_out_mac ? s->out_mac : local));
		snprintf(a, sizeof(a), "%s/24", ip_fmt(ip));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "addrs"), cJSON_CreateString(a));
		cJSON_AddItemToArray(ifs, o);
		size_t k = strlen(s->also);
		snprintf(s->also + k, sizeof(s->also) - k, "%s%s %s", k ? ", " : "", name[l], ip_fmt(ip));
		int n = 0;
		for (int i = 0; i < s->nips; i++) {
			const struct hi_ip *e = &s->ips[i];
			if (e->link_io[l] || e->ip == s->ip || in_prefix(e->ip, ip, 24) || e->link[l] <= e->link[main])
				continue;	/* the host's own, on-link, or heard mostly elsewhere */
			if (n++ == HI_LINK_ROUTES) {
				left++;
				continue;
			}
			cJSON *r = cJSON_CreateObject();
			snprintf(a, sizeof(a), "%s/32", ip_fmt(e->ip));
			cJSON_AddStringToObject(r, "dst", a);
			cJSON_AddStringToObject(r, "dev", name[l]);
			cJSON_AddItemToArray(routes, r);
		}
	}
	return left;
}

static void routes_json(cJSON *root, const struct hi_state *s, int plen)
{
	cJSON *r = cJSON_AddArrayToObject(root, "routes"), *o = cJSON_CreateObject();
	cJSON *nb = cJSON_AddArrayToObject(root, "neighbours");
	cJSON_AddStringToObject(o, "dst", "0.0.0.0/0");
	if (s->gw_ip)	/* else every destination is on-link: peers are learned */
		cJSON_AddStringToObject(o, "via", ip_fmt(s->gw_ip));
	cJSON_AddStringToObject(o, "dev", dev_name(s));
	if (s->ip)
		cJSON_AddItemToArray(r, o);
	else
		cJSON_Delete(o);
	for (int i = 0; i < s->nneigh && s->have_mac && !dev_type(s); i++) {
		if (!in_prefix(s->neigh[i].ip, s->ip, plen))
			continue;	/* off-link: reached through the gateway */
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "ip", ip_fmt(s->neigh[i].ip));
		cJSON_AddStringToObject(n, "mac", mac_fmt(s->neigh[i].mac));
		cJSON_AddStringToObject(n, "dev", dev_name(s));
		cJSON_AddItemToArray(nb, n);
	}
}

/* A port that got a SYN the host never refused (no RST) listens too: the
 * capture missed its answer, or it gave none; a recorded listener sends
 * only what the capture shows, where no listener would send a RST. */
static void unanswered_syns(struct hi_state *s)
{
	for (int i = 0; i < s->nflows; i++) {
		const struct hi_flow *f = &s->flows[i];
		if (f->syn_from_peer && !f->rst_from_host && !hi_port_has(s->tcp_closed, s->nclosed, f->lport))
			hi_port_add(s->tcp_listen, &s->nlisten, f->lport);
	}
}

/* One "listen" entry of the recorded application (addr: NULL for any). */
static void listen_add(cJSON *l, const char *proto, uint16_t port, const char *addr)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "proto", proto);
	cJSON_AddNumberToObject(o, "port", port);
	if (addr)
		cJSON_AddStringToObject(o, "addr", addr);
	cJSON_AddStringToObject(o, "app", "recorded");
	cJSON_AddItemToArray(l, o);
}

static void listen_json(cJSON *root, struct hi_state *s)
{
	unanswered_syns(s);
	cJSON *l = cJSON_AddArrayToObject(root, "listen");
	static const char *const proto[] = { "tcp", "udp", "icmp" };
	for (int k = 0; k < 3; k++) {
		const uint16_t *set = k == 2 ? s->ping : k ? s->udp : s->tcp_listen;
		for (int i = 0, n = k == 2 ? s->nping : k ? s->nudp : s->nlisten; i < n; i++)
			listen_add(l, proto[k], set[i], NULL);
	}
	for (int i = 0; i < s->v6.nping; i++)
		listen_add(l, "icmp", s->v6.ping[i], "::");	/* IPv6 ping sockets */
}

static cJSON *endpoint(uint32_t ip, uint16_t port)
{
	char b[32];
	snprintf(b, sizeof(b), "%s:%u", ip_fmt(ip), port);
	return cJSON_CreateString(b);
}

static cJSON *endpoint6(const struct in6 *ip, uint16_t port)
{
	char b[64];
	snprintf(b, sizeof(b), "[%s]:%u", in6_fmt(ip), port);
	return cJSON_CreateString(b);
}

/* One connection of the host's own: the contract of the "connections"
 * section (issue #20): SYN_SENT with the recorded ISN and SYN options, or
 * ESTABLISHED (open before the capture began) with where it stood. */
static cJSON *conn_json(const struct hi_state *s, const struct hi_flow *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "proto", "tcp");
	cJSON_AddItemToObject(o, "local", f->v6 ? endpoint6(&f->laddr6, f->lport) : endpoint(s->ip, f->lport));
	cJSON_AddItemToObject(o, "remote", f->v6 ? endpoint6(&f->raddr6, f->rport) : endpoint(f->raddr, f->rport));
	if (f->syn_from_host) {
		cJSON_AddStringToObject(o, "state", "SYN_SENT");
		cJSON_AddNumberToObject(o, "isn", f->isn);
		cJSON_AddStringToObject(o, "app", "recorded");
		cJSON *so = cJSON_AddObjectToObject(o, "syn_options");
		if (f->mss)
			cJSON_AddNumberToObject(so, "mss", f->mss);
		cJSON_AddBoolToObject(so, "sack_ok", f->sack_ok);
		cJSON_AddBoolToObject(so, "ts", f->ts);
		if (f->wscale != 0xff)
			cJSON_AddNumberToObject(so, "wscale", f->wscale);
		return o;
	}
	cJSON_AddStringToObject(o, "state", "ESTABLISHED");
	cJSON_AddNumberToObject(o, "snd_nxt", f->first_seq);	/* the host's side (host_infer_sock.c) */
	cJSON_AddNumberToObject(o, "rcv_nxt", f->first_ack);
	cJSON_AddNumberToObject(o, "snd_wnd", f->peer_wnd);
	cJSON_AddStringToObject(o, "app", "recorded");
	return o;
}

static int connections_json(cJSON *root, const struct hi_state *s, int *nsyn, int *nest)
{
	cJSON *c = cJSON_AddArrayToObject(root, "connections");
	int n = 0;
	for (int i = 0; i < s->nflows && n < HI_MAX_CONN; i++) {
		const struct hi_flow *f = &s->flows[i];
		if (f->synack_from_host || f->syn_from_peer || (!f->syn_from_host && !f->first_from_host))
			continue;	/* the host's listeners answer those */
		if (!f->syn_from_host && hi_port_has(s->tcp_listen, s->nlisten, f->lport))
			continue;
		*(f->syn_from_host ? nsyn : nest) += 1;
		cJSON_AddItemToArray(c, conn_json(s, f));
		n++;
	}
	return n;
}

/* The host evidently accepted packets whose checksums look wrong (it
 * acknowledged or answered them): most of them, and at least one. */
static int hi_checksums_offloaded(const struct hi_state *s)
{
	return s->csum_accepted && s->csum_accepted * 2 >= s->csum_bad;
}

static void note_json(const struct hi_state *s, struct host_infer *out, int nsyn, int nest, const char *tcp)
{
	size_t k = 0, nl = sizeof(out->note);
	k += (size_t)snprintf(out->note, nl, "the capture host is %s%s%s%s (%s)", s->ip ? ip_fmt(s->ip) :
			      in6_fmt(&s->v6.host[0]), s->have_mac ? " " : "", s->have_mac ? mac_fmt(s->mac) : "",
			      s->loopback ? " on loopback" : "", out->why);
	for (int i = s->ip ? 0 : 1; i < s->v6.nhost && k < nl; i++)
		k += (size_t)snprintf(out->note + k, nl - k, "%s%s", i == (s->ip ? 0 : 1) ? ", IPv6 " : " ",
				      in6_fmt(&s->v6.host[i]));
	if (s->nvlan && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, ", VLAN %u%s%.0u", s->vlan[0], s->nvlan > 1 ? "." : "",
				      s->nvlan > 1 ? s->vlan[1] : 0);
	if (s->gw_ip && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, ", gateway %s", ip_fmt(s->gw_ip));
	if ((s->also[0] || (!s->loopback && (s->lo_cooked || s->lo_cooked6))) && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, "\n  tcpdump -i any: its frames from other devices arrive "
				      "on %s%s%s (as the cooked header names their type)%s", s->also,
				      s->also[0] && !s->loopback && (s->lo_cooked || s->lo_cooked6) ? " and " : "",
				      !s->loopback && (s->lo_cooked || s->lo_cooked6) ? "lo" : "",
				      s->unrouted ? "; peers past the 64th heard there take the default route" : "");
	if (k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, "\n  sockets from its traffic: %d TCP listener%s, %d UDP, %d ping, "
				      "%d connection%s it opened, %d open before the capture; --host IP|MAC to "
				      "choose another, --print-scenario to see it all", s->nlisten,
				      s->nlisten == 1 ? "" : "s", s->nudp, s->nping + s->v6.nping, nsyn, nsyn == 1 ? "" : "s", nest);
	if (tcp[0] && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, "\n  its SYN-ACKs show %s", tcp);
	int mtu = hi_mtu(s);
	if (mtu && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, "\n  the MSS it offered says MTU %d (\"mtu\" of its interface)",
				      mtu);
	if (hi_checksums_offloaded(s) && k < nl)
		k += (size_t)snprintf(out->note + k, nl - k, "\n  %llu packets it received have checksums that look "
				      "wrong (%llu hold only the pseudo-header sum, as CHECKSUM_PARTIAL leaves it) and it "
				      "accepted them: the capture point saw them before their checksums were filled in, so "
				      "checksums are not verified (\"verify_checksums\": false)",
				      (unsigned long long)s->csum_bad, (unsigned long long)s->csum_partial);
	snprintf(out->addr, sizeof(out->addr), "%s", s->ip ? ip_fmt(s->ip) : in6_fmt(&s->v6.host[0]));
	snprintf(out->mac, sizeof(out->mac), "%s", s->have_mac ? mac_fmt(s->mac) : "");
}

/* The host's TCP sysctls from its SYN-ACKs: an option every SYN offered
 * and no SYN-ACK took up is off; the window scale it answered with most
 * says how large its receive buffers may grow (tcp_select_initial_window:
 * ilog2 of the larger of tcp_rmem[2] and rmem_max, less 15; 7 with
 * Linux's defaults). Writes what it found into why. */
static void tcp_sysctls_json(cJSON *root, const struct hi_state *s, char *why, size_t wl)
{
	static const char *const name[3] = { "tcp_timestamps", "tcp_sack", "tcp_window_scaling" };
	size_t k = 0;
	why[0] = 0;
	for (int i = 0; i < 3; i++)
		if (s->opt_offered[i] && !s->opt_taken[i]) {
			cJSON_AddNumberToObject(root, name[i], 0);
			k += (size_t)snprintf(why + k, wl - k, "%s%s 0", k ? ", " : "", name[i]);
		}
	int w = -1;
	for (int i = 0; i < 15; i++)
		if (s->wscale_n[i] && (w < 0 || s->wscale_n[i] > s->wscale_n[w]))
			w = i;
	if (w < 2 || w == 7 || k >= wl)
		return;	/* below 2 no tcp_rmem gives it: rmem_max (212992) is the floor */
	unsigned long max = 1UL << (w + 15), def = max < 131072 ? max : 131072;
	char b[64];
	snprintf(b, sizeof(b), "4096 %lu %lu", def, max);
	cJSON_AddStringToObject(root, "tcp_rmem", b);
	snprintf(why + k, wl - k, "%swindow scale %d (tcp_rmem \"%s\")", k ? ", " : "", w, b);
}

int hi_build_json(struct hi_state *s, struct host_infer *out)
{
	int plen = s->loopback ? 8 : 24, nsyn = 0, nest = 0;
	char tcp[160];
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	find_gateway(s, &plen);
	cJSON_AddStringToObject(root, "kernel", "6.x");
	cJSON *ifs = cJSON_AddArrayToObject(root, "interfaces");
	cJSON_AddItemToArray(ifs, interface_json(s, plen));
	if (!s->loopback && (s->lo_cooked || s->lo_cooked6))
		cJSON_AddItemToArray(ifs, loopback_json(s));
	routes_json(root, s, plen);
	if ((s->dlt == NJ_DLT_LINUX_SLL || s->dlt == NJ_DLT_LINUX_SLL2) && !s->loopback && s->ip)
		s->unrouted = second_links_json(ifs, cJSON_GetObjectItem(root, "routes"), s);
	hi6_json(s, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "interfaces"), 0), "addrs"),
		 cJSON_GetObjectItem(root, "routes"), cJSON_GetObjectItem(root, "neighbours"), dev_name(s));
	listen_json(root, s);
	connections_json(root, s, &nsyn, &nest);
	tcp_sysctls_json(root, s, tcp, sizeof(tcp));
	if (hi_checksums_offloaded(s))	/* the host took them: so do we */
		cJSON_AddBoolToObject(root, "verify_checksums", 0);
	out->json_print = cJSON_Print(root);
	out->json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	note_json(s, out, nsyn, nest, tcp);
	return out->json && out->json_print ? 0 : -1;
}
