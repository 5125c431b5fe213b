/*
 * auto_host.c - `replay --auto-host`: make a user's own capture "just
 * work" by adopting the capture's server as the simulated host: the
 * destination of the first SYN in the first 10,000 frames, or else the
 * destination of the first unicast IPv4 packet; in a capture without IPv4,
 * the same for IPv6 (issue 24: a global or unique-local destination, /64).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "ip.h"
#include "ipv6.h"
#include "replay.h"
#include "source_pcap.h"

struct candidate {
	int found, syn;
	uint32_t daddr;
	uint16_t dport;
	uint8_t mac[6];
	int has_mac;
	uint16_t vlan;			/* the innermost non-zero VLAN id, 0 none */
	uint64_t frame;
	struct in6 daddr6;		/* the IPv6 one, when there is no IPv4 */
	int found6, syn6;
	uint16_t dport6;
	uint8_t mac6[6];
	int has_mac6;
	uint64_t frame6;
};

/* The IPv6 header of an Ethernet frame (untagged or tagged), or NULL. */
static const uint8_t *frame_ip6(int dlt, const uint8_t *p, uint32_t n)
{
	uint32_t off = 12;
	if (dlt != NJ_DLT_EN10MB || n < 14)
		return NULL;
	while (off + 4 <= n && p[off] == 0x81 && p[off + 1] == 0x00)
		off += 4;
	if (off + 2 + 40 > n || p[off] != 0x86 || p[off + 1] != 0xdd || (p[off + 2] >> 4) != 6)
		return NULL;
	return p + off + 2;
}

/* An IPv6 candidate: a unicast destination of global or unique-local
 * scope (link-local ones belong to every host), a SYN preferred. */
static void consider6(struct candidate *c, int dlt, const uint8_t *p, uint32_t n, uint64_t frame)
{
	const uint8_t *ip = frame_ip6(dlt, p, n);
	struct in6 d;
	if (!ip || (p[0] & 1))
		return;
	memcpy(d.s6, ip + 24, 16);
	if (ipv6_addr_is_multicast(&d) || ipv6_addr_any(&d) || ipv6_addr_loopback(&d) || ipv6_addr_linklocal(&d))
		return;
	uint32_t avail = n - (uint32_t)(ip - p);
	int syn = ip[6] == NEXTHDR_TCP && avail >= 40 + 14 && (ip[40 + 13] & 0x12) == 0x02;
	if (c->found6 && (c->syn6 || !syn))
		return;
	c->found6 = 1;
	c->syn6 = syn;
	c->daddr6 = d;
	c->dport6 = syn ? (uint16_t)(ip[42] << 8 | ip[43]) : 0;
	memcpy(c->mac6, p, 6);
	c->has_mac6 = 1;
	c->frame6 = frame;
}

/* The IPv4 header of a frame, or NULL; *mac set for Ethernet. */
static const uint8_t *frame_ip(int dlt, const uint8_t *p, uint32_t n, const uint8_t **mac, uint16_t *vlan)
{
	uint32_t off = 0;
	*mac = NULL;
	*vlan = 0;
	if (dlt == NJ_DLT_EN10MB) {
		if (n < 14)
			return NULL;
		off = 12;
		while (off + 4 <= n && p[off] == 0x81 && p[off + 1] == 0x00) {
			uint16_t id = (uint16_t)((p[off + 2] & 0x0f) << 8 | p[off + 3]);
			if (id)
				*vlan = id;
			off += 4;
		}
		if (off + 2 > n || p[off] != 0x08 || p[off + 1] != 0x00)
			return NULL;
		*mac = p;
		off += 2;
	} else if (dlt == NJ_DLT_LINUX_SLL) {
		off = 16;
	} else if (dlt == NJ_DLT_LINUX_SLL2) {
		off = 20;
	}
	if (off + 20 > n || (p[off] >> 4) != 4)
		return NULL;
	return p + off;
}

static void consider(struct candidate *c, int dlt, const uint8_t *p, uint32_t n, uint64_t frame)
{
	uint16_t vlan;
	const uint8_t *mac, *ip = frame_ip(dlt, p, n, &mac, &vlan);
	if (!ip)
		return;
	uint32_t daddr;
	memcpy(&daddr, ip + 16, 4);
	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) || ipv4_is_zeronet(daddr))
		return;
	size_t hl = (size_t)(ip[0] & 15) * 4;
	int syn = ip[9] == IPPROTO_TCP_ && hl + 14 <= n - (size_t)(ip - p) && (ip[hl + 13] & 0x12) == 0x02;
	if (c->found && (c->syn || !syn))
		return;
	c->found = 1;
	c->syn = syn;
	c->daddr = daddr;
	c->dport = syn ? (uint16_t)(ip[hl + 2] << 8 | ip[hl + 3]) : 0;
	c->has_mac = mac != NULL;
	c->vlan = vlan;
	if (mac)
		memcpy(c->mac, mac, 6);
	c->frame = frame;
}

/* A MAC an interface can have: not a group address, not all zero (Linux
 * refuses both with EADDRNOTAVAIL). */
static int unicast_mac(const uint8_t *m)
{
	static const uint8_t zero[6];
	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

/* When the adopted frame was sent to a broadcast or group MAC (no
 * interface can have one; the frame stays broadcast/multicast for
 * eth_type_trans whatever the host's MAC), the host's own MAC is taken from
 * a frame it sent (source address daddr), or from another frame sent to
 * it; else there is none (the default). An all-zero MAC, as scrubbed
 * captures have, is kept: the replay then matches the frames as HOST. */
static void host_mac_elsewhere(struct candidate *c, const char *pcap)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d, *mac, *ip;
	uint16_t vlan;
	char err[256];

	c->has_mac = 0;
	if (source_pcap_open(&src, pcap, err, sizeof(err)) < 0)
		return;
	while (src.frames < 10000 && source_pcap_next(&src, &h, &d, err, sizeof(err)) == 1) {
		if (!(ip = frame_ip(src.dlt, d, h->caplen, &mac, &vlan)) || !mac)
			continue;
		if (!memcmp(ip + 12, &c->daddr, 4) && unicast_mac(mac + 6)) {
			memcpy(c->mac, mac + 6, 6);
			c->has_mac = 1;
			break;
		}
		if (!memcmp(ip + 16, &c->daddr, 4) && unicast_mac(mac) && !c->has_mac) {
			memcpy(c->mac, mac, 6);
			c->has_mac = 1;	/* keep looking for one it sent */
		}
	}
	source_pcap_close(&src);
}

/* The TCP listeners: the SYN's port runs the capture's own application
 * ("recorded", DESIGN.md §4b: the socket sends what the recorded host
 * sent); http on 80, echo on 7 and discard on 9 otherwise, as usual. */
static void auto_host_listen(const struct candidate *c, char *buf, size_t len)
{
	static const struct { uint16_t port; const char *app; } std[] = { { 80, "http" }, { 7, "echo" }, { 9, "discard" } };
	size_t n = 0;

	if (c->syn)
		n += (size_t)snprintf(buf, len, "{\"proto\":\"tcp\",\"port\":%u,\"app\":\"recorded\"},", c->dport);
	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]) && n < len; i++)
		if (!c->syn || std[i].port != c->dport)
			n += (size_t)snprintf(buf + n, len - n, "{\"proto\":\"tcp\",\"port\":%u,\"app\":\"%s\"},",
					      std[i].port, std[i].app);
}

/* The IPv6 host: its address as a /64 with an on-link default route; the
 * peers' MACs are learned from their frames as if neighbour discovery had
 * resolved them (source_pcap.c). */
static char *auto_host_scenario6(const struct candidate *c, char *note, size_t notelen, char *err, size_t errlen)
{
	char mac[18], tcp[256] = "", *json = malloc(1024);
	struct candidate v4 = { .syn = c->syn6, .dport = c->dport6 };
	if (!json) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(mac, sizeof(mac), "%s", mac_fmt(c->mac6));
	snprintf(note, notelen, "the host is %s (%s), the destination of %s %llu (no IPv4 in the capture); peers' MACs "
		 "are learned from their frames as if neighbour discovery had resolved them", in6_fmt(&c->daddr6), mac,
		 c->syn6 ? "the SYN in frame" : "frame", (unsigned long long)c->frame6);
	auto_host_listen(&v4, tcp, sizeof(tcp));
	snprintf(json, 1024,
		 "{\"kernel\":\"6.x\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"%s\",\"addrs\":[\"%s/64\"]}],"
		 "\"routes\":[{\"dst\":\"::/0\",\"dev\":\"eth0\"}],"
		 "\"listen\":[%s{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]}",
		 mac, in6_fmt(&c->daddr6), tcp);
	return json;
}

char *auto_host_scenario(const char *pcap, char *note, size_t notelen, char *err, size_t errlen)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	struct candidate c = { 0 };

	if (source_pcap_open(&src, pcap, err, errlen) < 0)
		return NULL;
	while (src.frames < 10000 && !c.syn && source_pcap_next(&src, &h, &d, err, errlen) == 1) {
		consider(&c, src.dlt, d, h->caplen, src.frames);
		consider6(&c, src.dlt, d, h->caplen, src.frames);
	}
	source_pcap_close(&src);
	if (!c.found && c.found6)
		return auto_host_scenario6(&c, note, notelen, err, errlen);
	if (!c.found) {
		snprintf(err, errlen, "%s: --auto-host found no unicast IPv4 or IPv6 packet to adopt", pcap);
		return NULL;
	}
	if (c.has_mac && (c.mac[0] & 1))
		host_mac_elsewhere(&c, pcap);
	char mac[18];
	snprintf(mac, sizeof(mac), "%s", c.has_mac ? mac_fmt(c.mac) : "02:00:00:00:00:01");
	int k = snprintf(note, notelen, "the host is %s (%s%s%.0u), the destination of %s %llu; peers' MACs are "
			 "learned from their frames as if ARP had resolved them", ip_fmt(c.daddr), mac,
			 c.vlan ? " on VLAN " : "", c.vlan, c.syn ? "the SYN in frame" : "frame", (unsigned long long)c.frame);
	if (c.syn && k > 0 && (size_t)k < notelen)
		snprintf(note + k, notelen - (size_t)k, "; its TCP port %u sends what the capture shows it sending",
			 c.dport);
	char *json = malloc(1024);
	if (!json) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char vl[32] = "", tcp[256] = "";
	if (c.vlan)
		snprintf(vl, sizeof(vl), ",\"vlans\":[%u]", c.vlan);
	auto_host_listen(&c, tcp, sizeof(tcp));
	snprintf(json, 1024,
		 "{\"kernel\":\"6.x\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"%s\",\"addrs\":[\"%s/24\"]%s}],"
		 "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"dev\":\"eth0\"}],"
		 "\"listen\":[%s{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]}",
		 mac, ip_fmt(c.daddr), vl, tcp);
	return json;
}
