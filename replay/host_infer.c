/*
 * host_infer.c - who took the capture (see host_infer.h). Not a kernel
 * file. The first pass counts, per MAC and per IPv4 address, the frames
 * each appears in; the host is the unicast MAC present in nearly every
 * frame (of those, the one that sent from the fewest addresses: a gateway
 * forwards for many), the cooked header's direction (OUTGOING = sent by
 * the capturing machine), or on a raw link the address in most packets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_infer_int.h"
#include "ip.h"
#include "scenario.h"
#include "source_pcap.h"

#define PACKET_HOST_	0
#define PACKET_OUTGOING_ 4

static const uint8_t default_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static int unicast_mac(const uint8_t *m)
{
	static const uint8_t zero[6];
	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

static struct hi_mac *mac_get(struct hi_state *s, const uint8_t *m)
{
	for (int i = 0; i < s->nmacs; i++)
		if (!memcmp(s->macs[i].mac, m, 6))
			return &s->macs[i];
	if (s->nmacs == HI_MACS)
		return NULL;
	struct hi_mac *e = &s->macs[s->nmacs++];
	memcpy(e->mac, m, 6);
	return e;
}

static struct hi_ip *ip_get(struct hi_state *s, uint32_t ip)
{
	for (int i = 0; i < s->nips; i++)
		if (s->ips[i].ip == ip)
			return &s->ips[i];
	if (s->nips == HI_IPS)
		return NULL;
	s->ips[s->nips].ip = ip;
	return &s->ips[s->nips++];
}

static int ip_unicast(uint32_t a)
{
	return a && !ipv4_is_multicast(a) && !ipv4_is_lbcast(a) && !ipv4_is_zeronet(a);
}

static void add_ip(uint32_t *set, int *n, int max, uint32_t ip)
{
	for (int i = 0; i < *n && i < max; i++)
		if (set[i] == ip)
			return;
	if (*n < max)
		set[*n] = ip;
	if (*n <= max)
		(*n)++;
}

static int is_synack(const uint8_t *ip, size_t avail)
{
	size_t hl = (size_t)(ip[0] & 15) * 4;
	return ip[9] == IPPROTO_TCP_ && hl >= 20 && avail >= hl + 14 && (ip[hl + 13] & 0x12) == 0x12;
}

/* One Ethernet frame: both unicast MACs count it. */
/* A frame only its sender's capture shows: TSO/GSO not yet cut up (IPv4
 * tot_len 0, or longer than any Ethernet MTU). */
static int gso_frame(const uint8_t *ip, uint32_t len)
{
	return ip && ((!ip[2] && !ip[3]) || len > 1518);
}

static void pass1_eth(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *ip, size_t avail, uint32_t len)
{
	uint32_t saddr = 0, daddr = 0;
	if (ip) {
		memcpy(&saddr, ip + 12, 4);
		memcpy(&daddr, ip + 16, 4);
	}
	static const uint8_t zero[6];
	if (!memcmp(l2->src, zero, 6) && !memcmp(l2->dst, zero, 6))
		s->lo_frames++;
	if (!unicast_mac(l2->src) && !unicast_mac(l2->dst))
		s->zero_mac++;
	else if (!memcmp(l2->src, l2->dst, 6))
		s->same_mac++;	/* a rewritten capture: MACs say nothing */
	struct hi_mac *m = unicast_mac(l2->src) ? mac_get(s, l2->src) : NULL;
	if (m) {
		m->frames++;
		m->sent++;
		if (ip && ip_unicast(saddr))
			add_ip(m->src_ips, &m->nsrc, 8, saddr);
		if (ip && is_synack(ip, avail))
			m->synack++;
		m->gso += gso_frame(ip, len);
		if (m->sent == 1) {
			m->nvlan = l2->nvlan;
			memcpy(m->vlan, l2->vlan, sizeof(m->vlan));
		}
	}
	if (unicast_mac(l2->dst) && memcmp(l2->dst, l2->src, 6) && (m = mac_get(s, l2->dst))) {
		m->frames++;
		if (ip && ip_unicast(daddr))
			add_ip(m->dst_ips, &m->ndst, 64, daddr);
	}
	if (!memcmp(l2->src, default_mac, 6) || !memcmp(l2->dst, default_mac, 6))
		s->default_seen++;
}

static void ip_vlan(struct hi_ip *e, const struct frame_l2 *l2)
{
	if (e->seen++)
		return;
	e->nvlan = l2->nvlan;
	memcpy(e->vlan, l2->vlan, sizeof(e->vlan));
}

int hi_link_of(uint16_t hatype)
{
	int k = frame_dev_kind(hatype);
	return k >= 0 && k < HI_NLINK ? k : -1;	/* lo is not a link of the host's */
}

static void pass1_ip(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *ip, size_t avail, uint32_t len)
{
	uint32_t saddr, daddr, def = htonl(0x0a000002);
	struct hi_ip *e;
	memcpy(&saddr, ip + 12, 4);
	memcpy(&daddr, ip + 16, 4);
	s->ipv4++;
	if (saddr == def || daddr == def)
		s->default_seen++;
	if (!s->first_unicast_dst && ip_unicast(daddr)) {
		s->first_unicast_dst = daddr;
		s->first_unicast_frame = s->frames;
	}
	int link = hi_link_of(l2->hatype);
	if (ip_unicast(saddr) && (e = ip_get(s, saddr))) {
		e->frames++;
		ip_vlan(e, l2);
		e->out += l2->pkt_type == PACKET_OUTGOING_;
		if (link >= 0) {
			e->link[link]++;
			e->link_io[link] += l2->pkt_type == PACKET_OUTGOING_;
		}
		e->synack += is_synack(ip, avail);
		e->gso += gso_frame(ip, len);
	}
	if (ip_unicast(daddr) && (e = ip_get(s, daddr))) {
		e->frames += daddr != saddr;	/* a packet to itself counts once */
		ip_vlan(e, l2);
		e->in += l2->pkt_type == PACKET_HOST_;
		if (link >= 0) {
			e->link[link] += daddr != saddr;
			e->link_io[link] += l2->pkt_type == PACKET_HOST_;
		}
	}
}

/* A frame to or from 127/8 or ::1. */
static int lo_addressed(const struct frame_l2 *l2, const uint8_t *d, uint32_t caplen, const uint8_t *ip)
{
	static const uint8_t one[16] = { [15] = 1 };
	if (ip)
		return ip[12] == 127 || ip[16] == 127;
	const uint8_t *h = d + l2->l3_off;
	return l2->proto != 0x86dd || caplen < l2->l3_off + 40 || !memcmp(h + 8, one, 16) || !memcmp(h + 24, one, 16);
}

/* early: stop at the first frame of the default host (nothing to infer). */
static int pass1(struct hi_state *s, const char *pcap, int early, char *err, size_t errlen)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	struct frame_l2 l2;
	size_t avail;
	char e2[256];

	if (source_pcap_open(&src, pcap, err, errlen) < 0)
		return -1;
	s->dlt = src.dlt;
	while (src.frames < HI_FRAMES && !(early && s->default_seen) &&
	       source_pcap_next(&src, &h, &d, e2, sizeof(e2)) == 1) {
		s->frames++;
		const uint8_t *ip = frame_ipv4(src.frame_dlt, d, h->caplen, &l2, &avail);
		if (src.dir) {	/* pcapng EPB flags: as good as a cooked header */
			s->dir_frames++;
			l2.pkt_type = src.dir == 2 ? PACKET_OUTGOING_ : PACKET_HOST_;
			if (src.dir == 2 && l2.src && l2.src_len == 6 && !s->have_out_mac) {
				s->have_out_mac = 1;
				memcpy(s->out_mac, l2.src, 6);
			}
		}
		s->tun_frames += l2.hatype == NJ_ARPHRD_NONE;
		s->eth_cooked += l2.hatype == NJ_ARPHRD_ETHER;
		s->ppp_frames += l2.hatype == NJ_ARPHRD_PPP;
		if (l2.hatype == NJ_ARPHRD_LOOPBACK) {
			/* tcpdump -i any: the host talking to itself on lo: its
			 * own device. 127/8 and ::1 say nothing of its other
			 * addresses; a ping to its own 192.0.2.1 goes over lo too
			 * and does (zeek's linux_dlt_sll2.pcap) */
			s->lo_cooked += l2.proto == 0x0800;
			s->lo_cooked6 += l2.proto == 0x86dd;
			if (lo_addressed(&l2, d, h->caplen, ip))
				continue;
		}
		if (l2.hatype == NJ_ARPHRD_ETHER && l2.pkt_type == PACKET_OUTGOING_ && l2.src && l2.src_len == 6 &&
		    !s->have_out_mac && unicast_mac(l2.src)) {
			s->have_out_mac = 1;	/* a cooked frame the host sent names its MAC */
			memcpy(s->out_mac, l2.src, 6);
		}
		hi_router_frame(s, src.iface, src.dir, &l2, d, h->caplen, ip);
		if (src.frame_dlt == NJ_DLT_EN10MB && l2.dst)
			pass1_eth(s, &l2, ip, avail, h->len);
		if (ip)
			pass1_ip(s, &l2, ip, avail, h->len);
		else
			hi6_pass1(s, &l2, d, h->caplen);
	}
	source_pcap_close(&src);
	return 0;
}

/* The source address a MAC sent from most: the host's address. */
static uint32_t mac_main_ip(const struct hi_state *s, const struct hi_mac *m)
{
	uint32_t best = 0;
	uint64_t most = 0;
	for (int i = 0; i < m->nsrc && i < 8; i++) {
		for (int k = 0; k < s->nips; k++)
			if (s->ips[k].ip == m->src_ips[i] && s->ips[k].frames > most) {
				most = s->ips[k].frames;
				best = m->src_ips[i];
			}
	}
	return best ? best : m->ndst ? m->dst_ips[0] : 0;
}

static void take_mac(struct hi_state *s, const struct hi_mac *m)
{
	s->have_mac = 1;
	memcpy(s->mac, m->mac, 6);
	s->ip = mac_main_ip(s, m);
	s->nvlan = m->nvlan;
	memcpy(s->vlan, m->vlan, sizeof(s->vlan));
}

/* Ethernet: among the MACs in nearly every frame (80%), the one that sent
 * from the fewest addresses (a gateway forwards for many), then the one
 * that answered SYNs, then the destination of the first unicast packet. */
static const struct hi_mac *dominant_mac(const struct hi_state *s, uint64_t total)
{
	const struct hi_mac *best = NULL;
	for (int i = 0; i < s->nmacs; i++) {
		const struct hi_mac *m = &s->macs[i];
		if (m->frames * 5 < total * 4)
			continue;
		/* TSO frames are captured only on their sender: the host. */
		int better = !best || m->gso > best->gso || (m->gso == best->gso && m->nsrc < best->nsrc);
		if (best && m->gso == best->gso && m->nsrc == best->nsrc) {
			if (m->synack != best->synack)
				better = m->synack > best->synack;
			else
				better = m->ndst && m->dst_ips[0] == s->first_unicast_dst && m->frames >= best->frames;
		}
		if (better)
			best = m;
	}
	return best;
}

/* Cooked links: the direction says it; raw links: the address in most
 * packets (ties: the one that answered SYNs, then the first destination). */
static uint32_t dominant_ip(const struct hi_state *s, int cooked, uint64_t *count)
{
	uint32_t best = 0;
	uint64_t most = 0, syn = 0;
	for (int i = 0; i < s->nips; i++) {
		const struct hi_ip *e = &s->ips[i];
		uint64_t n = cooked ? e->out + e->in : e->frames + e->gso;
		if (n > most || (n == most && n && (e->synack > syn || (e->synack == syn && e->ip == s->first_unicast_dst)))) {
			most = n;
			best = e->ip;
			syn = e->synack;
		}
	}
	*count = most;
	return best;
}

/* A host known by address only: its VLAN is the one its packets carried
 * (an interface without it would see them as another host's, as the
 * kernel does with a tag no VLAN device claims). */
static void take_ip_vlan(struct hi_state *s, uint32_t ip)
{
	for (int i = 0; i < s->nips; i++)
		if (s->ips[i].ip == ip) {
			s->nvlan = s->ips[i].nvlan;
			memcpy(s->vlan, s->ips[i].vlan, sizeof(s->vlan));
		}
}

/* A one-way capture: the only unicast MAC sent every frame, each to a group
 * address, and never received one. A receive-path replay from its side
 * shows nothing; the first unicast destination is the side that received. */
static int one_way_receiver(struct hi_state *s, const struct hi_mac *m, char *why, size_t wl)
{
	if (m->frames != m->sent || !s->first_unicast_dst || s->nmacs != 1)
		return 0;
	for (int i = 0; i < m->nsrc && i < 8; i++)
		if (m->src_ips[i] == s->first_unicast_dst)
			return 0;
	s->ip = s->first_unicast_dst;
	take_ip_vlan(s, s->ip);
	snprintf(why, wl, "every frame came from %s to a group address (a one-way capture): the receiver, its "
		 "first unicast destination", mac_fmt(m->mac));
	return 1;
}

static int parse_host_opt(struct hi_state *s, const char *host, char *err, size_t errlen)
{
	uint8_t m[6];
	uint32_t ip;
	if (scenario_parse_mac(host, m) == 0) {
		struct hi_mac *e = mac_get(s, m);
		if (!e || !e->frames) {
			snprintf(err, errlen, "--host %s: no frame of the capture has that MAC", host);
			return -1;
		}
		take_mac(s, e);
		return 0;
	}
	if (scenario_parse_ip(host, &ip) < 0) {
		if (hi6_host_opt(s, host) == 0)
			return 0;
		snprintf(err, errlen, "--host %s: expected an IPv4 or IPv6 address or a MAC like 02:00:00:00:00:01",
			 host);
		return -1;
	}
	s->ip = ip;
	for (int i = 0; i < s->nmacs; i++)	/* its MAC: the one it sent from */
		for (int k = 0; k < s->macs[i].nsrc && k < 8; k++)
			if (s->macs[i].src_ips[k] == ip && !s->have_mac) {
				take_mac(s, &s->macs[i]);
				s->ip = ip;
			}
	for (int i = 0; i < s->nmacs && !s->have_mac && s->same_mac * 2 > s->frames; i++)
		if (s->macs[i].frames * 2 > s->frames)		/* a rewritten capture's one MAC */
			take_mac(s, &s->macs[i]), s->ip = ip;
	for (int i = 0; i < s->nmacs && !s->have_mac; i++)	/* else the one frames to it went to */
		for (int k = 0; k < s->macs[i].ndst && k < 64; k++)
			if (s->macs[i].dst_ips[k] == ip && !s->have_mac) {
				take_mac(s, &s->macs[i]);
				s->ip = ip;
			}
	if (!s->have_mac)
		take_ip_vlan(s, ip);
	return 0;
}

static int fits_default(const struct hi_state *s)
{
	return s->default_seen > 0;
}

/* Chooses the host; 0 = chosen, 1 = none dominant (why says so). */
static int choose(struct hi_state *s, char *why, size_t wl)
{
	uint64_t n;
	int cooked = s->dlt == NJ_DLT_LINUX_SLL || s->dlt == NJ_DLT_LINUX_SLL2;
	int epb = s->dir_frames * 2 > s->frames;

	if (epb) {	/* the direction flags say which frames the host sent */
		uint32_t ip = dominant_ip(s, 1, &n);
		for (int i = 0; i < s->nmacs && s->have_out_mac && !s->have_mac; i++)
			if (!memcmp(s->macs[i].mac, s->out_mac, 6))
				take_mac(s, &s->macs[i]);
		s->ip = ip ? ip : s->ip;
		snprintf(why, wl, "the pcapng direction flags: %llu packets sent or received by it",
			 (unsigned long long)n);
		return !s->ip && !(s->have_mac && s->v6.packets);
	}
	if (s->dlt == NJ_DLT_EN10MB && s->zero_mac < s->frames && s->same_mac * 2 <= s->frames) {
		const struct hi_mac *m = dominant_mac(s, s->frames - s->zero_mac);
		if (!m)
			return 1;
		if (one_way_receiver(s, m, why, wl))
			return 0;
		take_mac(s, m);
		snprintf(why, wl, "the unicast MAC in %llu of %llu frames", (unsigned long long)m->frames,
			 (unsigned long long)(s->frames - s->zero_mac));
		return 0;
	}
	if (cooked && !s->ipv4 && !s->v6.packets && (s->lo_cooked || s->lo_cooked6)) {
		s->loopback = 1;	/* only lo's frames: the host talking to itself */
		s->ip = htonl(0x7f000001);
		snprintf(why, wl, "a cooked capture of lo only: %llu packets, each seen leaving and arriving",
			 (unsigned long long)(s->lo_cooked + s->lo_cooked6));
		return 0;
	}
	if (cooked && s->have_out_mac && !s->have_mac && s->eth_cooked * 2 > s->frames - s->lo_cooked - s->lo_cooked6) {
		s->have_mac = 1;
		memcpy(s->mac, s->out_mac, 6);
	}
	s->ip = dominant_ip(s, cooked, &n);
	if (!s->ipv4 && hi6_choose(s, cooked, why, wl))
		return 0;		/* an IPv6-only capture */
	if (!s->ip || (!cooked && n * 2 < s->ipv4))
		return 1;
	if (cooked)
		snprintf(why, wl, "the cooked header's direction: %llu packets sent or received by it",
			 (unsigned long long)n);
	else
		snprintf(why, wl, "the address in %llu of %llu packets", (unsigned long long)n,
			 (unsigned long long)s->ipv4);
	if (s->dlt == NJ_DLT_EN10MB && (ntohl(s->ip) >> 24) == 127 && s->lo_frames * 2 > s->frames)
		s->loopback = 1;	/* all-zero MACs, 127/8: a Linux lo capture */
	for (int i = 0; i < s->nmacs && s->same_mac && !s->have_mac; i++)
		if (s->macs[i].frames * 2 > s->frames) {	/* the one MAC every frame has */
			s->have_mac = 1;
			memcpy(s->mac, s->macs[i].mac, 6);
		}
	if ((s->dlt == NJ_DLT_NULL || s->dlt == NJ_DLT_LOOP) && (ntohl(s->ip) >> 24) == 127)
		s->loopback = 1;
	return 0;
}

/* The note for a capture with no dominant host. */
static void note_none(const struct hi_state *s, struct host_infer *out)
{
	const struct hi_mac *busy = NULL;
	for (int i = 0; i < s->nmacs; i++)
		if (!busy || s->macs[i].frames > busy->frames)
			busy = &s->macs[i];
	if (busy)
		snprintf(out->note, sizeof(out->note), "no host sends or receives most frames (the busiest MAC, %s, is "
			 "in %llu of %llu): a capture of a LAN segment or at a router? Choose a host with --host IP|MAC, "
			 "or describe the router with -c FILE", mac_fmt(busy->mac), (unsigned long long)busy->frames,
			 (unsigned long long)s->frames);
	else
		snprintf(out->note, sizeof(out->note), "no address is in most packets: a capture of a LAN segment or at "
			 "a router? Choose a host with --host IP, or describe the router with -c FILE");
}

int host_infer(const char *pcap, const char *host, int force, struct host_infer *out, char *err, size_t errlen)
{
	struct hi_state *s = calloc(1, sizeof(*s));
	memset(out, 0, sizeof(*out));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = pass1(s, pcap, !host && !force, err, errlen);
	out->frames = s->frames;
	if (r < 0)
		goto done;
	out->kind = HOST_FITS_DEFAULT;
	if (!host && !force && fits_default(s))
		goto done;
	if (!host && hi_is_router(s)) {
		if ((r = hi_router(s, pcap, out, err, errlen)) == 0)
			out->kind = HOST_INFERRED;
		goto done;
	}
	if (host) {
		if ((r = parse_host_opt(s, host, err, errlen)) < 0)
			goto done;
		snprintf(out->why, sizeof(out->why), "chosen with --host");
	} else if (choose(s, out->why, sizeof(out->why))) {
		out->kind = HOST_NONE;
		note_none(s, out);
		goto done;
	}
	hi6_take_host(s);
	if (!s->ip && !s->v6.nhost) {
		out->kind = HOST_NONE;
		snprintf(out->note, sizeof(out->note), "the host (%s) sent or received no IPv4 or IPv6 packet: nothing "
			 "to infer; choose one with --host IP|MAC", s->have_mac ? mac_fmt(s->mac) : "?");
		goto done;
	}
	if ((r = hi_pass2(s, pcap, err, errlen)) < 0 || (r = hi_build_json(s, out)) < 0)
		goto done;
	out->kind = HOST_INFERRED;
done:
	if (r < 0 && !err[0])
		snprintf(err, errlen, "out of memory");
	free(s);
	return r;
}

void host_infer_free(struct host_infer *h)
{
	free(h->json);
	free(h->json_print);
	h->json = h->json_print = NULL;
}
