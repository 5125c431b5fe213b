/*
 * diffkernel_cmp.c - what "the same reply" means in diff-kernel. A sent
 * frame is reduced to the fields both a real kernel and netjourney must get
 * right (addresses, TTL, length, DF, ICMP type/code and what it quotes, TCP
 * flags and sequence numbers relative to the ISNs, payload digests). What is
 * left out, and why, is in ONE place: dk_allowlist[] for frame fields and
 * dk_counter_allowed() for counters. The report prints both lists.
 */
#include "diffkernel.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "ip.h"
#include "snmp.h"

const struct dk_allow dk_allowlist[] = {
	{ "IPv4 identification", "Linux picks ids per socket or from a hashed per-destination counter "
	  "(ip_select_ident); netjourney numbers its datagrams with one counter" },
	{ "checksums (IP, ICMP, TCP, UDP)", "veth offloads TCP/UDP checksums (CHECKSUM_PARTIAL: the captured "
	  "field holds only the pseudo-header sum); the IP checksum covers the id, which differs" },
	{ "TCP initial sequence numbers", "Linux's ISN is a keyed hash plus a clock (RFC 6528), netjourney's "
	  "is deterministic: sequence and ack numbers are compared relative to each side's ISN" },
	{ "TCP timestamp values (TSval)", "Linux adds a random per-connection offset to its clock "
	  "(secure_tcp_ts_off): the option's kind, place and TSecr (the peer's TSval echoed) are compared, TSval is not" },
	{ "IPv6 flow label", "Linux labels its own flows from a hash (net.ipv6.auto_flowlabels); netjourney sends 0" },
	{ "IPv6 fragment identification", "Linux hashes it per destination (ipv6_select_ident); netjourney counts" },
	{ "timestamps and frame length", "the replies are compared in order, per input frame, not by time; "
	  "Ethernet padding of short frames depends on the driver (veth pads nothing)" },
	{ NULL, NULL }
};

/* Counters whose difference is accepted, each with the reason. */
static const struct {
	int mib;
	const char *why;
} counter_allow[] = {
	{ -1, NULL }
};

const char *dk_counter_allowed(int mib)
{
	for (size_t i = 0; counter_allow[i].why; i++)
		if (counter_allow[i].mib == mib)
			return counter_allow[i].why;
	return NULL;
}

/* The IPv4 header in an Ethernet frame (after its VLAN tags), or NULL;
 * *l3len is what follows. */
static const struct iphdr *frame_ip(const uint8_t *p, uint32_t len, uint32_t *l3len)
{
	struct frame_l2 l2;
	if (frame_link(NJ_DLT_EN10MB, p, len, &l2) < 0 || l2.proto != 0x0800 || len < l2.l3_off + 20)
		return NULL;
	*l3len = len - l2.l3_off;
	return (const struct iphdr *)(p + l2.l3_off);
}

static const struct tcphdr *ip_tcp(const struct iphdr *ip, uint32_t l3len)
{
	uint32_t ihl = (uint32_t)ip_ihl(ip) * 4;
	if (ip->protocol != 6 || ip_is_fragment(ip) || l3len < ihl + 20)
		return NULL;
	return (const struct tcphdr *)((const uint8_t *)ip + ihl);
}

const struct tcphdr *dk_tcp_frame(const uint8_t *p, uint32_t len, const uint8_t **saddr, const uint8_t **daddr,
				  int *alen, uint32_t *avail)
{
	uint32_t l3;
	const struct iphdr *ip = frame_ip(p, len, &l3);
	if (ip) {
		const struct tcphdr *th = ip_tcp(ip, l3);
		*saddr = (const uint8_t *)&ip->saddr;
		*daddr = (const uint8_t *)&ip->daddr;
		*alen = 4;
		*avail = th ? l3 - (uint32_t)ip_ihl(ip) * 4 : 0;
		return th;
	}
	if (len < 14 + 40 + 20 || p[12] != 0x86 || p[13] != 0xdd || p[14 + 6] != 6)
		return NULL;
	*saddr = p + 14 + 8;
	*daddr = p + 14 + 24;
	*alen = 16;
	*avail = len - 14 - 40;
	return (const struct tcphdr *)(p + 14 + 40);
}

/* The SYN-ACK (synack 1) or SYN (0) of the connection from saddr:sport to
 * daddr:dport among frames. */
static const struct tcphdr *find_syn(const struct dk_frame *f, size_t n, int synack, const uint8_t *saddr,
				     uint16_t sport, const uint8_t *daddr, uint16_t dport, int alen, uint32_t *avail)
{
	uint8_t want = synack ? (TCPHDR_SYN | TCPHDR_ACK) : TCPHDR_SYN;
	for (size_t k = 0; k < n; k++) {
		const uint8_t *s, *d;
		int al;
		const struct tcphdr *th = dk_tcp_frame(f[k].data, f[k].len, &s, &d, &al, avail);
		if (th && (th->flags & (TCPHDR_SYN | TCPHDR_ACK)) == want && al == alen && th->source == sport &&
		    th->dest == dport && !memcmp(s, saddr, (size_t)alen) && !memcmp(d, daddr, (size_t)alen))
			return th;
	}
	return NULL;
}

/* The host's SYN-ACK of that connection on a side. */
static const struct tcphdr *host_synack(const struct dk_side *side, size_t nin, const uint8_t *laddr, uint16_t lport,
					const uint8_t *raddr, uint16_t rport, int alen, uint32_t *avail)
{
	for (size_t i = 0; side->out && i < nin; i++) {
		const struct tcphdr *th = find_syn(side->out[i].v, side->out[i].n, 1, laddr, lport, raddr, rport, alen,
						   avail);
		if (th)
			return th;
	}
	return NULL;
}

int dk_host_isn(const struct dk_side *side, size_t nin, const uint8_t *laddr, uint16_t lport, const uint8_t *raddr,
		uint16_t rport, int alen, uint32_t *isn)
{
	uint32_t avail;
	const struct tcphdr *th = host_synack(side, nin, laddr, lport, raddr, rport, alen, &avail);
	if (th)
		*isn = ntohl(th->seq);
	return th != NULL;
}

/* The peer's ISN: its SYN among the inputs. */
static int peer_isn(const struct dk_list *in, const uint8_t *raddr, uint16_t rport, const uint8_t *laddr,
		    uint16_t lport, int alen, uint32_t *isn)
{
	uint32_t avail;
	const struct tcphdr *th = find_syn(in->v, in->n, 0, raddr, rport, laddr, lport, alen, &avail);
	if (th)
		*isn = ntohl(th->seq);
	return th != NULL;
}

int dk_host_tsval(const struct dk_side *side, size_t nin, const uint8_t *laddr, uint16_t lport, const uint8_t *raddr,
		  uint16_t rport, int alen, uint32_t *tsval)
{
	uint32_t avail;
	const struct tcphdr *th = host_synack(side, nin, laddr, lport, raddr, rport, alen, &avail);
	if (!th)
		return 0;
	const uint8_t *o = (const uint8_t *)th + 20, *end = (const uint8_t *)th + (th->doff_res >> 4) * 4;
	if (end > (const uint8_t *)th + avail)
		return 0;
	while (o < end && *o) {
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			return 0;
		if (o[0] == 8 && o[1] == 10) {
			*tsval = (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
			return 1;
		}
		o += o[1];
	}
	return 0;
}

/* FNV-1a: payloads are compared by digest, to keep the line short. */
static uint32_t digest(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static size_t put(char *out, size_t outlen, size_t o, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static size_t put(char *out, size_t outlen, size_t o, const char *fmt, ...)
{
	va_list ap;
	if (o >= outlen)
		return o;
	va_start(ap, fmt);
	int n = vsnprintf(out + o, outlen - o, fmt, ap);
	va_end(ap);
	return n < 0 ? o : o + (size_t)n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The options in order: kinds, and the values both kernels must agree on
 * (MSS, window scale, TSecr, SACK blocks relative to the peer's ISN). */
static size_t norm_tcp_opts(const struct tcphdr *th, uint32_t avail, int have_pisn, uint32_t pisn, char *out,
			    size_t outlen, size_t o)
{
	const uint8_t *p = (const uint8_t *)th + 20;
	uint32_t len = (uint32_t)(th->doff_res >> 4) * 4;
	if (len <= 20)
		return o;
	if (len > avail)
		return put(out, outlen, o, " opts=(cut)");
	len -= 20;
	o = put(out, outlen, o, " opts=");
	for (uint32_t i = 0; i < len;) {
		const uint8_t *q = p + i;
		uint32_t sz = q[0] <= 1 ? 1 : i + 1 < len ? q[1] : 0;
		const char *sep = i ? "," : "";
		if (q[0] == 0)
			return put(out, outlen, o, "%seol", sep);
		if (!sz || i + sz > len || (q[0] > 1 && sz < 2))
			return put(out, outlen, o, "%sbad", sep);
		if (q[0] == 1)
			o = put(out, outlen, o, "%snop", sep);
		else if (q[0] == 2 && sz == 4)
			o = put(out, outlen, o, "%smss:%u", sep, (unsigned)(q[2] << 8 | q[3]));
		else if (q[0] == 3 && sz == 3)
			o = put(out, outlen, o, "%sws:%u", sep, q[2]);
		else if (q[0] == 4 && sz == 2)
			o = put(out, outlen, o, "%ssackOK", sep);
		else if (q[0] == 8 && sz == 10)
			o = put(out, outlen, o, "%sTS:ecr=%u", sep, be32(q + 6));
		else if (q[0] == 5 && sz >= 10) {
			o = put(out, outlen, o, "%ssack", sep);
			for (uint32_t k = 2; k + 8 <= sz; k += 8)
				o = have_pisn ? put(out, outlen, o, ":%u-%u", be32(q + k) - pisn, be32(q + k + 4) - pisn)
					      : put(out, outlen, o, ":%u-%u", be32(q + k), be32(q + k + 4));
		} else
			o = put(out, outlen, o, "%sopt%u/%u", sep, q[0], sz);
		i += sz;
	}
	return o;
}

/* TCP over either family: th with avail bytes after it, plen of payload,
 * addresses of alen bytes. */
static size_t norm_tcp(const uint8_t *saddr, const uint8_t *daddr, int alen, const struct tcphdr *th,
		       uint32_t avail, uint32_t plen, const struct dk_list *in, const struct dk_side *side, char *out,
		       size_t outlen, size_t o)
{
	uint32_t doff = (uint32_t)(th->doff_res >> 4) * 4, hisn, pisn = 0;
	uint32_t seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	o = put(out, outlen, o, " tcp %u>%u flags=0x%02x win=%u", ntohs(th->source), ntohs(th->dest), th->flags,
		ntohs(th->window));
	if (dk_host_isn(side, in->n, saddr, th->source, daddr, th->dest, alen, &hisn))
		o = put(out, outlen, o, " seq=ISN+%u", seq - hisn);
	else
		o = put(out, outlen, o, " seq=%u", seq);
	int have_pisn = peer_isn(in, daddr, th->dest, saddr, th->source, alen, &pisn);
	o = norm_tcp_opts(th, avail, have_pisn, pisn, out, outlen, o);
	if (!(th->flags & TCPHDR_ACK))
		return put(out, outlen, o, " len=%u", plen);
	if (have_pisn)
		o = put(out, outlen, o, " ack=peerISN+%u", ack - pisn);
	else
		o = put(out, outlen, o, " ack=%u", ack);
	o = put(out, outlen, o, " len=%u", plen);
	if (plen && avail >= doff + plen)
		o = put(out, outlen, o, " data=%08x", digest((const uint8_t *)th + doff, plen));
	return o;
}

/* An ICMP error quotes the offending header: compare what it quotes. */
static size_t norm_icmp(const struct iphdr *ip, uint32_t l3, char *out, size_t outlen, size_t o)
{
	uint32_t ihl = (uint32_t)ip_ihl(ip) * 4, tot = ntohs(ip->tot_len) < l3 ? ntohs(ip->tot_len) : l3;
	if (tot < ihl + 8)
		return put(out, outlen, o, " icmp (short)");
	const struct icmphdr *ic = (const struct icmphdr *)((const uint8_t *)ip + ihl);
	const uint8_t *body = (const uint8_t *)ic + 8;
	uint32_t blen = tot - ihl - 8;
	o = put(out, outlen, o, " icmp type=%u code=%u", ic->type, ic->code);
	if (ic->type == ICMP_ECHOREPLY || ic->type == ICMP_ECHO)
		return put(out, outlen, o, " id=%u seq=%u data=%u:%08x", ntohs(ic->id), ntohs(ic->sequence), blen,
			   digest(body, blen));
	if (ic->type == ICMP_DEST_UNREACH && ic->code == 4)
		o = put(out, outlen, o, " mtu=%u", ntohs(ic->sequence));
	if (blen >= 20) {
		const struct iphdr *q = (const struct iphdr *)body;
		char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &q->saddr, s, sizeof(s));
		inet_ntop(AF_INET, &q->daddr, d, sizeof(d));
		o = put(out, outlen, o, " quotes[%s>%s proto=%u id=0x%04x ttl=%u] quoted=%u:%08x", s, d, q->protocol,
			ntohs(q->id), q->ttl, blen, digest(body + 20, blen - 20));
	}
	return o;
}

/* The IP options, kind by kind: record route's pointer and addresses;
 * timestamp's pointer, flags, overflow and addresses, not its times (each
 * side's clock); others by kind and length. */
static size_t norm_ip_opts(const struct iphdr *ip, uint32_t l3, char *out, size_t outlen, size_t o)
{
	const uint8_t *p = (const uint8_t *)(ip + 1);
	int l = ip_ihl(ip) * 4 - 20;
	if (l <= 0 || (uint32_t)ip_ihl(ip) * 4 > l3)
		return o;
	o = put(out, outlen, o, " ipopts=");
	while (l > 0 && p[0] != 0) {
		int n = p[0] == 1 ? 1 : l < 2 || p[1] < 2 || p[1] > l ? l : p[1];
		if (p[0] == 7 && n >= 3) {
			o = put(out, outlen, o, "rr:%u", p[2]);
			for (int i = 3; i + 4 <= n; i += 4)
				o = put(out, outlen, o, ":%u.%u.%u.%u", p[i], p[i + 1], p[i + 2], p[i + 3]);
		} else if (p[0] == 68 && n >= 4) {
			o = put(out, outlen, o, "ts:%u:%u:%u", p[2], p[3] & 0xf, p[3] >> 4);
			for (int i = 4; (p[3] & 0xf) && i + 8 <= n; i += 8)
				o = put(out, outlen, o, ":%u.%u.%u.%u", p[i], p[i + 1], p[i + 2], p[i + 3]);
		} else if (p[0] != 1) {
			o = put(out, outlen, o, "%u:%u", p[0], n);
		}
		if (p[0] != 1)
			o = put(out, outlen, o, ",");
		l -= n;
		p += n;
	}
	return o;
}

static size_t norm_ip(const struct iphdr *ip, uint32_t l3, const struct dk_list *in, const struct dk_side *side,
		      char *out, size_t outlen, size_t o)
{
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	uint16_t fo = ntohs(ip->frag_off);
	const struct tcphdr *th = ip_is_fragment(ip) ? NULL : ip_tcp(ip, l3);
	inet_ntop(AF_INET, &ip->saddr, s, sizeof(s));
	inet_ntop(AF_INET, &ip->daddr, d, sizeof(d));
	o = put(out, outlen, o, "ip %s>%s tos=0x%02x ttl=%u len=%u%s%s off=%u proto=%u", s, d, ip->tos, ip->ttl,
		ntohs(ip->tot_len), fo & IP_DF ? " DF" : "", fo & IP_MF ? " MF" : "", (fo & IP_OFFSET) * 8,
		ip->protocol);
	o = norm_ip_opts(ip, l3, out, outlen, o);
	if (ip_is_fragment(ip))
		return o;
	if (th) {
		uint32_t ihl = (uint32_t)ip_ihl(ip) * 4, doff = (uint32_t)(th->doff_res >> 4) * 4;
		uint32_t tot = ntohs(ip->tot_len) < l3 ? ntohs(ip->tot_len) : l3;
		return norm_tcp((const uint8_t *)&ip->saddr, (const uint8_t *)&ip->daddr, 4, th, l3 - ihl,
				tot > ihl + doff ? tot - ihl - doff : 0, in, side, out, outlen, o);
	}
	if (ip->protocol == 1)
		return norm_icmp(ip, l3, out, outlen, o);
	uint32_t ihl = (uint32_t)ip_ihl(ip) * 4, tot = ntohs(ip->tot_len) < l3 ? ntohs(ip->tot_len) : l3;
	if (ip->protocol == 17 && tot >= ihl + 8) {
		const struct udphdr *uh = (const struct udphdr *)((const uint8_t *)ip + ihl);
		o = put(out, outlen, o, " udp %u>%u len=%u data=%08x", ntohs(uh->source), ntohs(uh->dest),
			ntohs(uh->len), digest((const uint8_t *)uh + 8, tot - ihl - 8));
	}
	return o;
}

/* IPv6 (issue 24): addresses, next header, hop limit, traffic class and
 * length; ICMPv6 by type (echo id/seq/data, errors' info and quote, ND
 * target and options), UDP ports and data, TCP as over IPv4. The
 * flow label and upper-layer checksums are left out. */
static size_t norm_ip6(const uint8_t *h, uint32_t l3, const struct dk_list *in, const struct dk_side *side,
		       char *out, size_t outlen, size_t o)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, h + 8, s, sizeof(s));
	inet_ntop(AF_INET6, h + 24, d, sizeof(d));
	uint32_t plen = (uint32_t)(h[4] << 8 | h[5]);
	const uint8_t *u = h + 40;
	uint32_t ulen = l3 - 40 < plen ? l3 - 40 : plen;
	o = put(out, outlen, o, "ipv6 %s>%s nh=%u hlim=%u tc=%u plen=%u", s, d, h[6], h[7],
		(unsigned)((h[0] & 0x0f) << 4 | h[1] >> 4), plen);
	if (h[6] == 44 && ulen >= 8) {		/* a fragment: its id is Linux's hash */
		uint16_t fo = (uint16_t)(u[2] << 8 | u[3]);
		return put(out, outlen, o, " frag nh=%u off=%u mf=%u data=%u:%08x", u[0], fo & 0xfff8u, fo & 1u, ulen - 8,
			   digest(u + 8, ulen - 8));
	}
	if (h[6] == 58 && ulen >= 8) {
		o = put(out, outlen, o, " icmp6 type=%u code=%u", u[0], u[1]);
		if (u[0] == 128 || u[0] == 129)
			return put(out, outlen, o, " id=%u seq=%u data=%u:%08x", u[4] << 8 | u[5], u[6] << 8 | u[7], ulen - 8,
				   digest(u + 8, ulen - 8));
		return put(out, outlen, o, " info=%02x%02x%02x%02x rest=%u:%08x", u[4], u[5], u[6], u[7], ulen - 8,
			   digest(u + 8, ulen - 8));
	}
	if (h[6] == 17 && ulen >= 8)
		return put(out, outlen, o, " udp %u>%u len=%u data=%08x", u[0] << 8 | u[1], u[2] << 8 | u[3],
			   u[4] << 8 | u[5], digest(u + 8, ulen - 8));
	if (h[6] == 6 && ulen >= 20) {		/* as IPv4's: relative to the ISNs, options, data */
		const struct tcphdr *th = (const struct tcphdr *)u;
		uint32_t doff = (uint32_t)(th->doff_res >> 4) * 4;
		return norm_tcp(h + 8, h + 24, 16, th, ulen, ulen > doff ? ulen - doff : 0, in, side, out, outlen, o);
	}
	return put(out, outlen, o, " data=%08x", digest(u, ulen));
}

static size_t norm_mac(const uint8_t *m, char *out, size_t outlen, size_t o)
{
	return put(out, outlen, o, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void dk_norm(const struct dk_frame *f, const struct dk_list *in, const struct dk_side *side, char *out,
	     size_t outlen)
{
	size_t o = 0;
	uint32_t l3;
	out[0] = 0;
	if (f->len < 14) {
		put(out, outlen, 0, "runt len=%u", f->len);
		return;
	}
	o = norm_mac(f->data + 6, out, outlen, o);
	o = put(out, outlen, o, ">");
	o = norm_mac(f->data, out, outlen, o);
	o = put(out, outlen, o, " ");
	struct frame_l2 l2;
	uint32_t off = 14;
	uint16_t et = (uint16_t)(f->data[12] << 8 | f->data[13]);
	if (frame_link(NJ_DLT_EN10MB, f->data, f->len, &l2) == 0) {
		for (int v = 0; v < l2.nvlan; v++)
			o = put(out, outlen, o, "vlan=%04x:%u ", l2.vlan_tpid[v], l2.vlan[v]);
		off = l2.l3_off;
		et = l2.proto;
	}
	const struct iphdr *ip = frame_ip(f->data, f->len, &l3);
	if (ip) {
		norm_ip(ip, l3, in, side, out, outlen, o);
		return;
	}
	if (et == 0x86dd && f->len >= off + 40) {
		norm_ip6(f->data + off, f->len - off, in, side, out, outlen, o);
		return;
	}
	if (et == 0x0806 && f->len >= off + 28) {
		const uint8_t *a = f->data + off;
		o = put(out, outlen, o, "arp op=%u sha=", a[7]);
		o = norm_mac(a + 8, out, outlen, o);
		o = put(out, outlen, o, " spa=%u.%u.%u.%u tha=", a[14], a[15], a[16], a[17]);
		o = norm_mac(a + 18, out, outlen, o);
		put(out, outlen, o, " tpa=%u.%u.%u.%u", a[24], a[25], a[26], a[27]);
		return;
	}
	put(out, outlen, o, "ethertype=0x%04x len=%u data=%08x", et, f->len, digest(f->data + off, f->len - off));
}
