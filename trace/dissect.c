/*
 * dissect.c - one-line frame summaries (see dissect.h). Not a kernel file;
 * the stack itself never uses it: it only labels packets for people.
 */
#include "dissect.h"

#include <stdio.h>
#include <string.h>

#include "ip.h"
#include "ipv6.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void tcp_flags(uint8_t f, char *b)
{
	static const char names[] = "FSRPAUEC";
	int n = 0;
	for (int i = 0; i < 8; i++)
		if (f & (1 << i))
			b[n++] = names[i];
	if (!n)
		b[n++] = '.';
	b[n] = 0;
}

/* "S:SP > D:DP: " of TCP and UDP, ports decimal. */
static char *ports(char *o, const char *s, const uint8_t *l4, const char *d)
{
	o = txt_str(o, s);
	*o++ = ':';
	o = txt_u64(o, rd16(l4));
	o = txt_str(o, " > ");
	o = txt_str(o, d);
	*o++ = ':';
	o = txt_u64(o, rd16(l4 + 2));
	return txt_str(o, ": ");
}

/* The summaries of nearly every frame (TCP, UDP, ICMP echo) without
 * snprintf, which was a tenth of a traced replay's per-frame work; the
 * same text as the snprintf formats below. o has room for 128 bytes, more
 * than the longest (two addresses, two ports, flags, a seq and " (first
 * fragment)"). Returns 0 for the other kinds. */
static int l4_summary_fast(const struct iphdr *iph, const char *s, const char *d, const uint8_t *l4,
			   size_t l4len, const char *fr, char *o)
{
	if (iph->protocol == IPPROTO_TCP_ && l4len >= 14) {
		char fl[9];
		tcp_flags(l4[13], fl);
		o = txt_str(ports(o, s, l4, d), "TCP [");
		o = txt_str(txt_str(o, fl), "] seq ");
		o = txt_u64(o, rd32(l4 + 4));
	} else if (iph->protocol == IPPROTO_UDP_ && l4len >= 4) {
		o = txt_str(ports(o, s, l4, d), "UDP");
	} else if (iph->protocol == IPPROTO_ICMP_ && l4len >= 8 && (l4[0] == 8 || l4[0] == 0)) {
		o = txt_str(txt_str(txt_str(o, s), " > "), d);
		o = txt_str(o, l4[0] == 8 ? ": ICMP echo request id " : ": ICMP echo reply id ");
		o = txt_str(txt_u64(o, rd16(l4 + 4)), " seq ");
		o = txt_u64(o, rd16(l4 + 6));
	} else {
		return 0;
	}
	*txt_str(o, fr) = 0;
	return 1;
}

static void l4_summary(const struct iphdr *iph, const uint8_t *l4, size_t l4len, char *o, size_t ol)
{
	const char *s = ip_fmt(iph->saddr), *d = ip_fmt(iph->daddr);
	int frag = ip_is_fragment(iph), off = (ntohs(iph->frag_off) & IP_OFFSET) * 8;
	if (frag && off) {
		snprintf(o, ol, "%s > %s: IP fragment id 0x%04x offset %d%s proto %u", s, d, ntohs(iph->id), off,
			 ntohs(iph->frag_off) & IP_MF ? " MF" : "", iph->protocol);
		return;
	}
	const char *fr = frag ? " (first fragment)" : "";
	if (ol >= 128 && l4_summary_fast(iph, s, d, l4, l4len, fr, o))
		return;
	if (iph->protocol == IPPROTO_TCP_ && l4len >= 14) {
		char fl[9];
		tcp_flags(l4[13], fl);
		snprintf(o, ol, "%s:%u > %s:%u: TCP [%s] seq %u%s", s, rd16(l4), d, rd16(l4 + 2), fl,
			 l4len >= 8 ? rd32(l4 + 4) : 0, fr);
	} else if (iph->protocol == IPPROTO_UDP_ && l4len >= 4) {
		snprintf(o, ol, "%s:%u > %s:%u: UDP%s", s, rd16(l4), d, rd16(l4 + 2), fr);
	} else if (iph->protocol == IPPROTO_ICMP_ && l4len >= 2) {
		const char *t = l4[0] == 8 ? "echo request" : l4[0] == 0 ? "echo reply" :
				l4[0] == 3 ? "destination unreachable" : l4[0] == 11 ? "time exceeded" : "type";
		if (l4[0] == 8 || l4[0] == 0)
			snprintf(o, ol, "%s > %s: ICMP %s id %u seq %u%s", s, d, t, l4len >= 6 ? rd16(l4 + 4) : 0,
				 l4len >= 8 ? rd16(l4 + 6) : 0, fr);
		else
			snprintf(o, ol, "%s > %s: ICMP %s %u code %u%s", s, d, t, l4[0], l4[1], fr);
	} else {
		snprintf(o, ol, "%s > %s: IP proto %u%s", s, d, iph->protocol, fr);
	}
}

static const char *icmp6_name(uint8_t t)
{
	switch (t) {
	case 1: return "destination unreachable";
	case 2: return "packet too big";
	case 3: return "time exceeded";
	case 4: return "parameter problem";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 130: case 131: case 143: return "MLD report";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbour solicitation";
	case 136: return "neighbour advertisement";
	default: return NULL;
	}
}

/* IPv6: the upper layer after the extension headers (hop-by-hop, routing,
 * destination options, fragment), as tcpdump names it. */
static void ipv6_summary(const uint8_t *p, size_t len, char *o, size_t ol)
{
	struct in6 sa, da;
	memcpy(sa.s6, p + 8, 16);
	memcpy(da.s6, p + 24, 16);
	const char *s = in6_fmt(&sa), *d = in6_fmt(&da);
	uint8_t nh = p[6];
	size_t off = 40;
	const char *fr = "";
	while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) && off + 8 <= len) {
		if (nh == 44) {
			unsigned foff = rd16(p + off + 2) & 0xfff8;
			if (foff) {
				snprintf(o, ol, "%s > %s: IPv6 fragment id 0x%08x offset %u%s proto %u", s, d,
					 rd32(p + off + 4), foff, p[off + 3] & 1 ? " MF" : "", p[off]);
				return;
			}
			fr = p[off + 3] & 1 ? " (first fragment)" : "";
			nh = p[off];
			off += 8;
			continue;
		}
		size_t hl = (size_t)(p[off + 1] + 1) * 8;
		nh = p[off];
		off += hl;
	}
	const uint8_t *l4 = p + (off < len ? off : len);
	size_t l4len = off < len ? len - off : 0;
	if (nh == IPPROTO_TCP_ && l4len >= 14) {
		char fl[9];
		tcp_flags(l4[13], fl);
		snprintf(o, ol, "[%s]:%u > [%s]:%u: TCP [%s] seq %u%s", s, rd16(l4), d, rd16(l4 + 2), fl, rd32(l4 + 4), fr);
	} else if (nh == IPPROTO_UDP_ && l4len >= 4) {
		snprintf(o, ol, "[%s]:%u > [%s]:%u: UDP%s", s, rd16(l4), d, rd16(l4 + 2), fr);
	} else if (nh == 58 && l4len >= 2) {
		const char *t = icmp6_name(l4[0]);
		if ((l4[0] == 128 || l4[0] == 129) && l4len >= 8)
			snprintf(o, ol, "%s > %s: ICMP6 %s id %u seq %u%s", s, d, t, rd16(l4 + 4), rd16(l4 + 6), fr);
		else if (t)
			snprintf(o, ol, "%s > %s: ICMP6 %s%s", s, d, t, fr);
		else
			snprintf(o, ol, "%s > %s: ICMP6 type %u code %u%s", s, d, l4[0], l4[1], fr);
	} else {
		snprintf(o, ol, "%s > %s: IPv6 next header %u%s", s, d, nh, fr);
	}
}

void dissect_l3(uint16_t proto, const uint8_t *p, size_t len, char *o, size_t ol)
{
	if (proto == ETH_P_IP) {
		if (len < 20 || (p[0] >> 4) != 4) {
			snprintf(o, ol, "IPv4 (malformed, %zu bytes)", len);
			return;
		}
		const struct iphdr *iph = (const struct iphdr *)p;
		size_t hl = (size_t)ip_ihl(iph) * 4;
		if (hl < 20 || hl > len) {
			snprintf(o, ol, "%s > %s: IPv4 with bad header length %zu", ip_fmt(iph->saddr),
				 ip_fmt(iph->daddr), hl);
			return;
		}
		l4_summary(iph, p + hl, len - hl, o, ol);
	} else if (proto == ETH_P_ARP && len >= 28) {
		uint32_t sip, tip;
		memcpy(&sip, p + 14, 4);
		memcpy(&tip, p + 24, 4);
		if (rd16(p + 6) == ARPOP_REQUEST)
			snprintf(o, ol, "ARP who-has %s tell %s", ip_fmt(tip), ip_fmt(sip));
		else
			snprintf(o, ol, "ARP %s is-at %s (op %u)", ip_fmt(sip), mac_fmt(p + 8), rd16(p + 6));
	} else if (proto == ETH_P_IPV6) {
		if (len < 40 || (p[0] >> 4) != 6)
			snprintf(o, ol, "IPv6 (malformed, %zu bytes)", len);
		else
			ipv6_summary(p, len, o, ol);
	} else {
		snprintf(o, ol, "ethertype 0x%04x (%s), %zu bytes", proto, eth_proto_name(proto), len);
	}
}

void dissect_summary(int dlt, const uint8_t *p, size_t len, char *o, size_t ol)
{
	struct frame_l2 l2;

	o[0] = 0;
	if (frame_link(dlt, p, len, &l2) < 0) {
		if (dlt == NJ_DLT_EN10MB)
			snprintf(o, ol, "truncated Ethernet frame (%zu bytes)", len);
		else if (dlt == NJ_DLT_LINUX_SLL || dlt == NJ_DLT_LINUX_SLL2)
			snprintf(o, ol, "truncated %s header", dlt == NJ_DLT_LINUX_SLL ? "SLL" : "SLL2");
		else
			snprintf(o, ol, "truncated or unknown link header (link type %d, %zu bytes)", dlt, len);
		return;
	}
	size_t off = l2.l3_off > len ? len : l2.l3_off;
	dissect_l3(l2.proto, p + off, len - off, o, ol);
}
