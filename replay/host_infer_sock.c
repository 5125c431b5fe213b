/*
 * host_infer_sock.c - what the host's own traffic shows (see host_infer.h):
 * its sockets (listeners from SYN → SYN-ACK, closed ports from SYN → RST,
 * UDP ports it sent from, its own connections from its SYNs, connections
 * open before the capture from a first segment without SYN), its gateway
 * (the MAC its packets to most destinations went to), its on-link
 * neighbours, and what it cannot take (tunnels: no tunnel devices).
 */
#include <stdio.h>
#include <string.h>

#include "host_infer_int.h"
#include "ip.h"
#include "source_pcap.h"

#define PACKET_OUTGOING_ 4

struct hi_frame {
	const struct frame_l2 *l2;
	const uint8_t *ip, *l4;
	size_t avail, l4len;
	uint32_t saddr, daddr;
	int from_host, to_host;
	int lo;				/* cooked, from lo: the host at both ends */
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The TCP/UDP checksum of a received packet: 0 right (or not all of it
 * captured), 1 wrong, 2 only the pseudo-header sum, as a Linux sender's
 * CHECKSUM_PARTIAL leaves it for the NIC (here: the veth peer) to finish. */
static int l4_csum(const struct hi_frame *fr, int udp)
{
	size_t hl = (size_t)(fr->ip[0] & 15) * 4, tot = rd16(fr->ip + 2);
	if (tot < hl + (udp ? 8 : 20) || tot > fr->avail)
		return 0;
	size_t len = tot - hl;
	uint16_t field = rd16(fr->l4 + (udp ? 6 : 16));
	if (udp && field == 0)
		return 0;	/* no checksum: allowed for UDP over IPv4 */
	if (csum_tcpudp(fr->saddr, fr->daddr, udp ? IPPROTO_UDP_ : IPPROTO_TCP_, fr->l4, len) == 0)
		return 0;
	uint32_t sa = ntohl(fr->saddr), da = ntohl(fr->daddr);
	uint32_t ps = (sa >> 16) + (sa & 0xffff) + (da >> 16) + (da & 0xffff) + (udp ? 17u : 6u) + (uint32_t)len;
	uint16_t partial = (uint16_t)(0xffffu ^ csum_fold(ps));
	return field == partial ? 2 : 1;
}

static void csum_seen(struct hi_state *s, int r)
{
	s->csum_bad += r != 0;
	s->csum_partial += r == 2;
}

/* The flow of (lport, remote, rport): IPv4 (raddr) or, with r6, IPv6 from
 * the host's l6. NULL when the table is full. */
struct hi_flow *hi_flow_get(struct hi_state *s, uint16_t lport, uint32_t raddr, uint16_t rport,
			    const struct in6 *l6, const struct in6 *r6)
{
	for (int i = 0; i < s->nflows; i++) {
		struct hi_flow *f = &s->flows[i];
		if (f->lport == lport && f->rport == rport && f->v6 == !!r6 &&
		    (r6 ? ipv6_addr_equal(&f->raddr6, r6) && ipv6_addr_equal(&f->laddr6, l6) : f->raddr == raddr))
			return f;
	}
	if (s->nflows == HI_FLOWS)
		return NULL;
	struct hi_flow *f = &s->flows[s->nflows++];
	memset(f, 0, sizeof(*f));
	f->lport = lport;
	f->raddr = raddr;
	f->rport = rport;
	f->wscale = 0xff;
	if (r6) {
		f->v6 = 1;
		f->laddr6 = *l6;
		f->raddr6 = *r6;
	}
	return f;
}

/* A SYN's or SYN-ACK's options: HI_OPT_* offered, and mss, wscale (0xff:
 * none) where asked for. */
static int syn_opts(const uint8_t *th, size_t doff, uint16_t *mss, uint8_t *wscale)
{
	int o = 0;
	for (size_t i = 20; i < doff;) {
		uint8_t kind = th[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff || th[i + 1] < 2 || i + th[i + 1] > doff)
			break;
		if (kind == 2 && th[i + 1] == 4 && mss)
			*mss = rd16(th + i + 2);
		else if (kind == 3 && th[i + 1] == 3) {
			o |= HI_OPT_WS;
			if (wscale)
				*wscale = th[i + 2];
		} else if (kind == 4)
			o |= HI_OPT_SACK;
		else if (kind == 8)
			o |= HI_OPT_TS;
		i += th[i + 1];
	}
	return o;
}

/* The options of the host's SYN, as its connect() asked for them. */
static void syn_options(struct hi_flow *f, const uint8_t *th, size_t doff)
{
	int o = syn_opts(th, doff, &f->mss, &f->wscale);
	f->sack_ok = !!(o & HI_OPT_SACK);
	f->ts = !!(o & HI_OPT_TS);
}

/* The host's SYN-ACK to a SYN the capture showed: which of the options
 * the SYN offered it took up shows its sysctls (tcp_sysctls_json). */
static void synack_options(struct hi_state *s, const struct hi_flow *f, const uint8_t *th, size_t doff)
{
	uint8_t ws = 0xff;
	int o = syn_opts(th, doff, NULL, &ws);
	for (int k = 0; k < 3; k++)
		if (f->peer_opts & (1 << k)) {
			s->opt_offered[k]++;
			s->opt_taken[k] += !!(o & (1 << k));
		}
	if (ws <= 14)
		s->wscale_n[ws]++;
}

/* The MSS the host offered in a SYN or SYN-ACK of flow f. */
static void mss_seen(struct hi_state *s, const struct hi_flow *f, const uint8_t *th, size_t doff)
{
	uint16_t mss = 0;
	syn_opts(th, doff, &mss, NULL);
	for (int i = 0; mss && i < 8; i++) {
		if (s->mss_seen[f->v6][i].n && s->mss_seen[f->v6][i].mss != mss)
			continue;
		s->mss_seen[f->v6][i].mss = mss;
		s->mss_seen[f->v6][i].n++;
		return;
	}
}

/* What one TCP segment of flow f tells (either family): th and its
 * l4len captured bytes, plen its payload, bad its checksum as l4_csum
 * says (only a received one is checked). */
void hi_tcp_flow_seen(struct hi_state *s, struct hi_flow *f, const uint8_t *th, size_t l4len, uint32_t plen,
		      int from_host, int bad)
{
	size_t doff = (size_t)(th[12] >> 4) * 4;
	uint8_t fl = th[13];
	int syn = fl & 0x02, ack = fl & 0x10;
	int first = !f->first_seq && !f->first_ack && !f->syn_from_host && !f->syn_from_peer && !f->seen_peer &&
		    !f->first_from_host;
	if (first && !syn) {	/* open before the capture began */
		f->first_from_host = from_host ? 1 : 2;
		f->first_seq = from_host ? rd32(th + 4) : rd32(th + 8);
		f->first_ack = from_host ? rd32(th + 8) : rd32(th + 4);
	}
	if (!from_host) {
		csum_seen(s, bad);
		if (bad) {	/* accepted if the host acknowledges past it */
			f->bad_end = rd32(th + 4) + plen + !!syn + !!(fl & 0x01);
			f->bad_n++;
		} else if (f->bad_n && (int32_t)(rd32(th + 4) - f->bad_end) < 0) {
			f->bad_n = 0;	/* re-sent whole: the host's ACK is for the good copy */
		}
		f->seen_peer = 1;
		if (!f->peer_wnd)
			f->peer_wnd = rd16(th + 14);
		if (syn && !ack && !f->syn_from_peer && doff >= 20 && l4len >= doff)
			f->peer_opts = (uint8_t)syn_opts(th, doff, NULL, NULL);
		f->syn_from_peer |= syn && !ack;
		return;
	}
	if (ack && f->bad_n && (int32_t)(rd32(th + 8) - f->bad_end) >= 0) {
		s->csum_accepted += f->bad_n;
		f->bad_n = 0;
	}
	if (syn && doff >= 20 && l4len >= doff)
		mss_seen(s, f, th, doff);
	if (syn && !ack && !f->syn_from_host) {
		f->syn_from_host = 1;
		f->isn = rd32(th + 4);
		if (doff >= 20 && l4len >= doff)
			syn_options(f, th, doff);
	}
	if (syn && ack) {
		if (!f->synack_from_host && f->syn_from_peer && doff >= 20 && l4len >= doff)
			synack_options(s, f, th, doff);
		f->synack_from_host = 1;
		hi_port_add(s->tcp_listen, &s->nlisten, f->lport);
	}
	if (fl & 0x04)
		f->rst_from_host = 1;
	if ((fl & 0x04) && f->syn_from_peer && !f->synack_from_host)
		hi_port_add(s->tcp_closed, &s->nclosed, f->lport);
}

static void tcp_seen(struct hi_state *s, const struct hi_frame *fr)
{
	const uint8_t *th = fr->l4;
	if (fr->l4len < 20)
		return;
	uint16_t lport = fr->from_host ? rd16(th) : rd16(th + 2), rport = fr->from_host ? rd16(th + 2) : rd16(th);
	struct hi_flow *f = hi_flow_get(s, lport, fr->from_host ? fr->daddr : fr->saddr, rport, NULL, NULL);
	if (!f)
		return;
	size_t hl = (size_t)(fr->ip[0] & 15) * 4, doff = (size_t)(th[12] >> 4) * 4;
	uint32_t tot = rd16(fr->ip + 2), plen = tot > hl + doff ? (uint32_t)(tot - hl - doff) : 0;
	hi_tcp_flow_seen(s, f, th, fr->l4len, plen, fr->from_host, fr->from_host ? 0 : l4_csum(fr, 0));
}

static void udp_seen(struct hi_state *s, const struct hi_frame *fr)
{
	if (fr->l4len < 8)
		return;
	uint16_t sport = rd16(fr->l4), dport = rd16(fr->l4 + 2);
	if (fr->to_host && (dport == 4789 || dport == 6081))
		s->tunnels++;	/* VXLAN, Geneve */
	if (fr->to_host) {
		int bad = l4_csum(fr, 1);
		csum_seen(s, bad);
		if (bad && s->nudp_bad < 16) {	/* accepted if the host answers on that port */
			s->udp_bad[s->nudp_bad].raddr = fr->saddr;
			s->udp_bad[s->nudp_bad].lport = dport;
			s->udp_bad[s->nudp_bad].rport = sport;
			s->udp_bad[s->nudp_bad++].n = 1;
		}
	}
	if (!fr->from_host)
		return;
	hi_port_add(s->udp, &s->nudp, sport);
	for (int i = 0; i < s->nudp_bad; i++)
		if (s->udp_bad[i].n && s->udp_bad[i].lport == sport && s->udp_bad[i].raddr == fr->daddr &&
		    s->udp_bad[i].rport == dport) {
			s->csum_accepted += s->udp_bad[i].n;
			s->udp_bad[i].n = 0;
		}
}

/* IGMPv2/v3 reports the host sent: the groups it joined. */
static void igmp_seen(struct hi_state *s, const struct hi_frame *fr)
{
	const uint8_t *g = fr->l4;
	if (!fr->from_host || fr->l4len < 8)
		return;
	s->igmp_out++;
	uint32_t grp;
	if (g[0] == 0x16 || g[0] == 0x12) {
		memcpy(&grp, g + 4, 4);
	} else if (g[0] == 0x22 && fr->l4len >= 16) {
		memcpy(&grp, g + 12, 4);	/* the first group record's address */
	} else {
		return;
	}
	for (int i = 0; i < s->ngroups; i++)
		if (s->groups[i] == grp)
			return;
	if (s->ngroups < 16)
		s->groups[s->ngroups++] = grp;
}

/* A frame the host sent: the MAC it went to is its next hop for daddr. */
static void next_hop_seen(struct hi_state *s, const struct hi_frame *fr)
{
	const struct frame_l2 *l2 = fr->l2;
	if (!l2->dst || (l2->dst[0] & 1))
		return;
	for (int i = 0; i < s->nmacs; i++)
		if (!memcmp(s->macs[i].mac, l2->dst, 6) && s->macs[i].ndst > 1 &&
		    (!s->have_gw_mac || s->macs[i].ndst > 1)) {
			const struct hi_mac *m = &s->macs[i];
			int cur = -1;
			for (int k = 0; k < s->nmacs && s->have_gw_mac; k++)
				if (!memcmp(s->macs[k].mac, s->gw_mac, 6))
					cur = k;
			if (cur < 0 || m->ndst > s->macs[cur].ndst) {
				memcpy(s->gw_mac, m->mac, 6);
				s->have_gw_mac = 1;
			}
		}
}

static void neigh_add(struct hi_state *s, uint32_t ip, const uint8_t *mac)
{
	if (!ip || ip == s->ip || (mac[0] & 1) || ipv4_is_multicast(ip) || ipv4_is_lbcast(ip))
		return;
	for (int i = 0; i < s->nneigh; i++)
		if (s->neigh[i].ip == ip)
			return;
	if (s->nneigh == HI_NEIGH)
		return;
	s->neigh[s->nneigh].ip = ip;
	memcpy(s->neigh[s->nneigh++].mac, mac, 6);
}

/* ARP: who is at which MAC, the gateway's address among them. */
static void arp_seen(struct hi_state *s, const uint8_t *p, size_t n)
{
	uint32_t sip;
	if (n < 28 || rd16(p) != 1 || rd16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
		return;
	memcpy(&sip, p + 14, 4);
	neigh_add(s, sip, p + 8);
}

static void frame_seen(struct hi_state *s, const struct hi_frame *fr)
{
	const uint8_t *ip = fr->ip;
	size_t hl = (size_t)(ip[0] & 15) * 4;
	uint16_t tot = rd16(ip + 2);
	if (fr->from_host) {
		if (!fr->lo) {	/* lo says nothing of the link's MTU or next hop */
			s->totlen0_out += tot == 0;
			s->over_mtu_out += tot > 1500;
			if (tot <= 1500 && tot > s->max_out)
				s->max_out = tot;
			next_hop_seen(s, fr);
		}
		if (ip[9] == IPPROTO_ICMP_ && fr->l4len >= 6 && fr->l4[0] == 8) {	/* its ping: a ping socket */
			s->echo_out++;
			if (!s->nping || !hi_port_has(s->ping, s->nping, rd16(fr->l4 + 4)))
				s->ping[s->nping < HI_PORTS ? s->nping++ : HI_PORTS - 1] = rd16(fr->l4 + 4);
		}
	} else if (!fr->lo && fr->l2->src && fr->l2->src_len == 6) {
		neigh_add(s, fr->saddr, fr->l2->src);	/* pruned to on-link ones later */
	}
	if (!fr->from_host && !fr->to_host)
		return;
	if (fr->to_host && (ip[9] == 47 || ip[9] == 4))
		s->tunnels++;	/* GRE, IPIP */
	if (hl < 20 || (rd16(ip + 6) & 0x1fff))
		return;
	if (ip[9] == IPPROTO_TCP_)
		tcp_seen(s, fr);
	else if (ip[9] == IPPROTO_UDP_)
		udp_seen(s, fr);
	else if (ip[9] == 2)
		igmp_seen(s, fr);
}

/* Was this frame sent by the host? By its MAC, its cooked direction, or
 * (no link addresses) its source address. */
static int sent_by_host(const struct hi_state *s, const struct frame_l2 *l2, uint32_t saddr)
{
	if (s->loopback)
		return saddr == s->ip;
	if (l2->pkt_type == PACKET_OUTGOING_)
		return 1;
	if (l2->dst && s->have_mac && s->same_mac * 2 <= s->frames)
		return !memcmp(l2->src, s->mac, 6);
	return saddr == s->ip;
}

int hi_pass2(struct hi_state *s, const char *pcap, char *err, size_t errlen)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	struct frame_l2 l2;
	char e2[256];

	if (source_pcap_open(&src, pcap, err, errlen) < 0)
		return -1;
	while (src.frames < HI_FRAMES && source_pcap_next(&src, &h, &d, e2, sizeof(e2)) == 1) {
		struct hi_frame fr = { .l2 = &l2 };
		if (!(fr.ip = frame_ipv4(src.dlt, d, h->caplen, &l2, &fr.avail))) {
			if (l2.proto == 0x0806 && l2.l3_off < h->caplen)
				arp_seen(s, d + l2.l3_off, h->caplen - l2.l3_off);
			else if (l2.proto == 0x86dd)
				hi6_pass2(s, &l2, d, h->caplen);	/* host_infer_ipv6.c */
			continue;
		}
		memcpy(&fr.saddr, fr.ip + 12, 4);
		memcpy(&fr.daddr, fr.ip + 16, 4);
		/* On lo the host is at both ends: every frame is its own. */
		fr.from_host = s->loopback || sent_by_host(s, &l2, fr.saddr);
		fr.to_host = s->loopback || (!fr.from_host && fr.daddr == s->ip);
		if ((fr.lo = l2.hatype == NJ_ARPHRD_LOOPBACK))	/* lo: the host at both ends */
			fr.from_host = fr.to_host = 1;
		size_t hl = (size_t)(fr.ip[0] & 15) * 4;
		fr.l4 = fr.ip + hl;
		fr.l4len = fr.avail > hl ? fr.avail - hl : 0;
		frame_seen(s, &fr);
	}
	source_pcap_close(&src);
	return 0;
}
