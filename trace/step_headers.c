/*
 * step_headers.c - a frame's headers, field by field (see step_headers.h).
 * Fields are read from the wire in network order through small accessors,
 * never by casting the buffer. The IPv4 checksum is verified, because the
 * first check of ip_rcv_core a student steps through is exactly that.
 */
#include "step_headers.h"

#include <stdio.h>
#include <string.h>

#include "dissect.h"
#include "ip.h"
#include "tcp.h"

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long be32(const uint8_t *p) { return (unsigned long)be16(p) << 16 | be16(p + 2); }

static void fmt_ip(const uint8_t *p, char *out, size_t n) { snprintf(out, n, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]); }

static void fmt_mac(const uint8_t *p, char *out, size_t n)
{
	snprintf(out, n, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
}

static struct step_hdr *add(struct step_hdr *out, int *k, int max, const char *name, size_t off, size_t len)
{
	if (*k >= max)
		return NULL;
	struct step_hdr *h = &out[(*k)++];
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->off = off;
	h->len = len;
	return h;
}

static int cut(struct step_hdr *out, int *k, int max, const char *name, size_t off, size_t have, size_t need)
{
	struct step_hdr *h = add(out, k, max, name, off, have);
	if (h)
		snprintf(h->line1, sizeof(h->line1), "cut short: %zu of %zu header bytes captured", have, need);
	return *k;
}

static int dec_l4(uint8_t proto, const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max);

static const char *proto_name(unsigned p)
{
	return p == 1 ? "ICMP" : p == 6 ? "TCP" : p == 17 ? "UDP" : p == 2 ? "IGMP" : "?";
}

static void ipv4_lines(struct step_hdr *h, const uint8_t *q, size_t hl, size_t have)
{
	char s[16], d[16];
	unsigned fo = be16(q + 6);
	fmt_ip(q + 12, s, sizeof(s));
	fmt_ip(q + 16, d, sizeof(d));
	int ok = hl <= have && ip_fast_csum(q, (unsigned)(hl / 4)) == 0;
	snprintf(h->line1, sizeof(h->line1), "%s > %s  proto %u (%s)  ttl %u  csum 0x%04x %s", s, d, q[9],
		 proto_name(q[9]), q[8], be16(q + 10), ok ? "(ok)" : "(BAD)");
	snprintf(h->line2, sizeof(h->line2), "ver %u ihl %u (%zu B)  tot_len %u  id 0x%04x  flags%s%s%s  frag_off %u",
		 q[0] >> 4, q[0] & 15, hl, be16(q + 2), be16(q + 4), fo & IP_CE ? " CE" : "", fo & IP_DF ? " DF" : "",
		 fo & IP_MF ? " MF" : (fo & (IP_CE | IP_DF)) ? "" : " -", (fo & IP_OFFSET) * 8);
	if (q[1])
		snprintf(h->line2 + strlen(h->line2), sizeof(h->line2) - strlen(h->line2), "  tos 0x%02x", q[1]);
}

static int dec_ipv4(const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max)
{
	if (n < off + 20)
		return cut(out, k, max, "IPv4", off, n - off, 20);
	const uint8_t *q = p + off;
	size_t hl = (size_t)(q[0] & 15) * 4;
	if (hl < 20 || n < off + hl)
		return cut(out, k, max, "IPv4", off, n - off, hl < 20 ? 20 : hl);
	struct step_hdr *h = add(out, k, max, "IPv4", off, hl);
	if (!h)
		return *k;
	ipv4_lines(h, q, hl, n - off);
	if (be16(q + 6) & IP_OFFSET)
		return *k;		/* a later fragment: no transport header here */
	return dec_l4(q[9], p, off + hl, n, out, k, max);
}

static void tcp_flags(unsigned f, char *out)
{
	static const char names[] = "FSRPAUEC";
	int k = 0;
	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			out[k++] = names[i];
	out[k] = 0;
}

static int dec_tcp(const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max)
{
	if (n < off + 20)
		return cut(out, k, max, "TCP", off, n - off, 20);
	const uint8_t *t = p + off;
	size_t hl = (size_t)(t[12] >> 4) * 4;
	char fl[9];
	tcp_flags(t[13], fl);
	struct step_hdr *h = add(out, k, max, "TCP", off, hl >= 20 && n >= off + hl ? hl : 20);
	if (!h)
		return *k;
	snprintf(h->line1, sizeof(h->line1), "%u > %u  flags [%s]  seq %lu  ack %lu", be16(t), be16(t + 2), fl,
		 be32(t + 4), be32(t + 8));
	snprintf(h->line2, sizeof(h->line2), "doff %u (%zu bytes)  win %u  csum 0x%04x  urg %u", t[12] >> 4, hl,
		 be16(t + 14), be16(t + 16), be16(t + 18));
	if (hl > 20 && n >= off + hl) {
		const char *o = tcp_opts_fmt(t + 20, (uint32_t)(hl - 20));
		/* under 80 columns with the view's indent: long SACK lists end in "..." */
		snprintf(h->line3, sizeof(h->line3), strlen(o) > 66 ? "options [%.63s...]" : "options [%s]", o);
	}
	return *k;
}

static const char *icmp_type(unsigned t)
{
	switch (t) {
	case 0: return "echo reply";
	case 3: return "destination unreachable";
	case 5: return "redirect";
	case 8: return "echo request";
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	default: return "other";
	}
}

static int dec_l4(uint8_t proto, const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max)
{
	const uint8_t *t = p + off;
	struct step_hdr *h;
	if (proto == IPPROTO_TCP_)
		return dec_tcp(p, off, n, out, k, max);
	if (proto != IPPROTO_UDP_ && proto != IPPROTO_ICMP_)
		return *k;
	if (n < off + 8)
		return cut(out, k, max, proto == IPPROTO_UDP_ ? "UDP" : "ICMP", off, n - off, 8);
	if (!(h = add(out, k, max, proto == IPPROTO_UDP_ ? "UDP" : "ICMP", off, 8)))
		return *k;
	if (proto == IPPROTO_UDP_)
		snprintf(h->line1, sizeof(h->line1), "%u > %u  len %u  csum 0x%04x", be16(t), be16(t + 2), be16(t + 4),
			 be16(t + 6));
	else
		snprintf(h->line1, sizeof(h->line1), "type %u (%s) code %u  csum 0x%04x  id %u seq %u", t[0],
			 icmp_type(t[0]), t[1], be16(t + 2), be16(t + 4), be16(t + 6));
	return *k;
}

static int dec_arp(const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max)
{
	if (n < off + 28)
		return cut(out, k, max, "ARP", off, n - off, 28);
	const uint8_t *a = p + off;
	char sm[18], si[16], tm[18], ti[16];
	fmt_mac(a + 8, sm, sizeof(sm));
	fmt_ip(a + 14, si, sizeof(si));
	fmt_mac(a + 18, tm, sizeof(tm));
	fmt_ip(a + 24, ti, sizeof(ti));
	struct step_hdr *h = add(out, k, max, "ARP", off, 28);
	if (!h)
		return *k;
	unsigned op = be16(a + 6);
	snprintf(h->line1, sizeof(h->line1), "%s  hrd %u pro 0x%04x hln %u pln %u",
		 op == 1 ? "request" : op == 2 ? "reply" : "op ?", be16(a), be16(a + 2), a[4], a[5]);
	snprintf(h->line2, sizeof(h->line2), "sender %s %s  target %s %s", sm, si, tm, ti);
	return *k;
}

static int dec_l3(unsigned type, const uint8_t *p, size_t off, size_t n, struct step_hdr *out, int *k, int max)
{
	if (type == 0x0800)
		return dec_ipv4(p, off, n, out, k, max);
	if (type == 0x0806)
		return dec_arp(p, off, n, out, k, max);
	return *k;
}

static int dec_eth(const uint8_t *p, size_t n, struct step_hdr *out, int *k, int max)
{
	char d[18], s[18];
	if (n < 14)
		return cut(out, k, max, "Ethernet", 0, n, 14);
	fmt_mac(p, d, sizeof(d));
	fmt_mac(p + 6, s, sizeof(s));
	struct step_hdr *h = add(out, k, max, "Ethernet", 0, 14);
	snprintf(h->line1, sizeof(h->line1), "%s > %s  type 0x%04x", s, d, be16(p + 12));
	struct frame_l2 l2;
	frame_link(NJ_DLT_EN10MB, p, n, &l2);
	for (int i = 0; i < l2.nvlan; i++) {
		size_t off = 14 + 4 * (size_t)i;
		if (!(h = add(out, k, max, l2.vlan_tpid[i] == 0x8100 ? "802.1Q" : "802.1ad", off, 4)))
			return *k;
		snprintf(h->line1, sizeof(h->line1), "vlan %u  prio %u  type 0x%04x", l2.vlan[i], p[off] >> 5,
			 be16(p + off + 2));
	}
	return dec_l3(l2.proto, p, l2.l3_off, n, out, k, max);
}

/* BSD loopback and PPP: a small header naming the protocol. */
static int dec_other(int dlt, const uint8_t *p, size_t n, struct step_hdr *out, int *k, int max)
{
	struct frame_l2 l2;
	const char *name = dlt == NJ_DLT_PPP || dlt == NJ_DLT_PPP_SERIAL ? "PPP" : "Loopback";
	if (frame_link(dlt, p, n, &l2) < 0)
		return cut(out, k, max, name, 0, n, 4);
	struct step_hdr *h = add(out, k, max, name, 0, l2.l3_off);
	if (h)
		snprintf(h->line1, sizeof(h->line1), "link type %d  protocol 0x%04x", dlt, l2.proto);
	return dec_l3(l2.proto, p, l2.l3_off, n, out, k, max);
}

static int dec_sll(int dlt, const uint8_t *p, size_t n, struct step_hdr *out, int *k, int max)
{
	size_t hl = dlt == NJ_DLT_LINUX_SLL ? 16 : 20;
	if (n < hl)
		return cut(out, k, max, "Linux cooked", 0, n, hl);
	unsigned type = dlt == NJ_DLT_LINUX_SLL ? be16(p + 14) : be16(p);
	unsigned pkttype = dlt == NJ_DLT_LINUX_SLL ? be16(p) : p[10];
	struct step_hdr *h = add(out, k, max, "Linux cooked", 0, hl);
	snprintf(h->line1, sizeof(h->line1), "%s  packet type %u  protocol 0x%04x",
		 dlt == NJ_DLT_LINUX_SLL ? "SLL" : "SLL2", pkttype, type);
	return dec_l3(type, p, hl, n, out, k, max);
}

int step_decode(int dlt, const uint8_t *p, size_t n, struct step_hdr *out, int max)
{
	int k = 0;
	switch (dlt) {
	case NJ_DLT_EN10MB: return dec_eth(p, n, out, &k, max);
	case NJ_DLT_LINUX_SLL: case NJ_DLT_LINUX_SLL2: return dec_sll(dlt, p, n, out, &k, max);
	case NJ_DLT_RAW: case NJ_DLT_RAW_ALT: case NJ_DLT_IPV4: return dec_ipv4(p, 0, n, out, &k, max);
	case NJ_DLT_NULL: case NJ_DLT_LOOP: case NJ_DLT_PPP: case NJ_DLT_PPP_SERIAL:
		return dec_other(dlt, p, n, out, &k, max);
	default: return 0;
	}
}
