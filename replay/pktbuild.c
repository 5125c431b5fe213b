/*
 * pktbuild.c - frame builders (see pktbuild.h). Not a kernel file.
 */
#include "pktbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip.h"
#include "ipv6.h"

uint32_t pb_ip(const char *dotted)
{
	struct in_addr a;
	if (inet_pton(AF_INET, dotted, &a) != 1) {
		fprintf(stderr, "pktbuild: bad address %s\n", dotted);
		abort();
	}
	return a.s_addr;
}

static size_t pb_eth(uint8_t *buf, const uint8_t *dmac, const uint8_t *smac, uint16_t vlan, uint16_t proto)
{
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	size_t off = 12;
	if (vlan) {
		buf[off++] = 0x81;
		buf[off++] = 0x00;
		buf[off++] = (uint8_t)((vlan >> 8) & 0x0f);
		buf[off++] = (uint8_t)vlan;
	}
	buf[off++] = (uint8_t)(proto >> 8);
	buf[off++] = (uint8_t)proto;
	return off;
}

size_t pb_eth_ip(uint8_t *buf, const struct pb_ipopt *o, const void *l4, size_t l4len)
{
	size_t off = pb_eth(buf, o->dmac ? o->dmac : PB_HOST_MAC, o->smac ? o->smac : PB_PEER_MAC, o->vlan, ETH_P_IP);
	int ihl = o->optlen ? 5 + (o->optlen + 3) / 4 : o->ihl ? o->ihl : 5;
	size_t hl = (size_t)(ihl < 5 ? 5 : ihl) * 4;
	struct iphdr *iph = (struct iphdr *)(buf + off);

	memset(iph, 0, hl);
	memset((uint8_t *)iph + 20, 1, hl - 20);	/* NOP options */
	if (o->optlen) {
		memcpy((uint8_t *)iph + 20, o->opts, (size_t)o->optlen);
		memset((uint8_t *)iph + 20 + o->optlen, 0, hl - 20 - (size_t)o->optlen);
	}
	iph->ihl_version = (uint8_t)((o->version ? o->version : 4) << 4 | (ihl & 15));
	iph->tos = o->tos;
	iph->tot_len = htons((uint16_t)((int)(hl + l4len) + o->tot_len_delta));
	iph->id = htons(o->id);
	iph->frag_off = htons(o->frag);
	iph->ttl = o->ttl ? o->ttl : 64;
	iph->protocol = o->proto;
	iph->saddr = o->saddr;
	iph->daddr = o->daddr;
	iph->check = htons(csum_fold(csum_partial(iph, hl, 0)));
	if (o->bad_csum)
		iph->check ^= htons(0x5a5a);
	memcpy(buf + off + hl, l4, l4len);
	memset(buf + off + hl + l4len, 0, (size_t)o->pad);
	return off + hl + l4len + (size_t)o->pad;
}

size_t pb_icmp_echo(uint8_t *p, int type, uint16_t id, uint16_t seq, size_t datalen)
{
	struct icmphdr *h = (struct icmphdr *)p;
	h->type = (uint8_t)type;
	h->code = 0;
	h->checksum = 0;
	h->id = htons(id);
	h->sequence = htons(seq);
	for (size_t i = 0; i < datalen; i++)
		p[8 + i] = (uint8_t)(0x10 + i);
	h->checksum = htons(csum_fold(csum_partial(p, 8 + datalen, 0)));
	return 8 + datalen;
}

size_t pb_udp(uint8_t *p, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
	      const void *data, size_t len, int bad_csum)
{
	struct udphdr *u = (struct udphdr *)p;
	u->source = htons(sport);
	u->dest = htons(dport);
	u->len = htons((uint16_t)(8 + len));
	u->check = 0;
	if (len)
		memcpy(p + 8, data, len);
	uint16_t c = csum_tcpudp(saddr, daddr, IPPROTO_UDP_, p, 8 + len);
	u->check = htons(c ? c : 0xffff);
	if (bad_csum)
		u->check ^= htons(0x0101);
	return 8 + len;
}

size_t pb_tcp(uint8_t *p, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
	      uint32_t ack, uint8_t flags, uint16_t win, const void *opts, size_t optlen, const void *data,
	      size_t len, int bad_csum)
{
	struct tcphdr *t = (struct tcphdr *)p;
	memset(t, 0, sizeof(*t));
	t->source = htons(sport);
	t->dest = htons(dport);
	t->seq = htonl(seq);
	t->ack_seq = htonl(ack);
	t->doff_res = (uint8_t)(((20 + optlen) / 4) << 4);
	t->flags = flags;
	t->window = htons(win);
	if (optlen)
		memcpy(p + 20, opts, optlen);
	if (len)
		memcpy(p + 20 + optlen, data, len);
	t->check = htons(csum_tcpudp(saddr, daddr, IPPROTO_TCP_, p, 20 + optlen + len));
	if (bad_csum)
		t->check ^= htons(0x0101);
	return 20 + optlen + len;
}

size_t pb_arp(uint8_t *buf, int op, const uint8_t *dmac, const uint8_t *smac, uint32_t sip,
	      const uint8_t *tmac, uint32_t tip)
{
	size_t off = pb_eth(buf, dmac, smac, 0, ETH_P_ARP);
	struct arphdr *a = (struct arphdr *)(buf + off);
	a->ar_hrd = htons(ARPHRD_ETHER);
	a->ar_pro = htons(ETH_P_IP);
	a->ar_hln = 6;
	a->ar_pln = 4;
	a->ar_op = htons((uint16_t)op);
	uint8_t *q = buf + off + sizeof(*a);
	memcpy(q, smac, 6);
	memcpy(q + 6, &sip, 4);
	memcpy(q + 10, tmac, 6);
	memcpy(q + 16, &tip, 4);
	size_t len = off + sizeof(*a) + 20;
	if (len < 60) {				/* Ethernet minimum frame */
		memset(buf + len, 0, 60 - len);
		len = 60;
	}
	return len;
}

static struct in6 pb_ip6(const char *s)
{
	struct in6 a;
	if (in6_pton(s, &a) < 0) {
		fprintf(stderr, "pktbuild: bad IPv6 address %s\n", s);
		abort();
	}
	return a;
}

size_t pb_eth_ip6(uint8_t *buf, const char *src, const char *dst, uint8_t nexthdr, uint8_t hop_limit,
		  const void *pl, size_t plen)
{
	struct in6 d = pb_ip6(dst);
	if (ipv6_addr_is_multicast(&d)) {
		buf[0] = buf[1] = 0x33;
		memcpy(buf + 2, d.s6 + 12, 4);
	} else {
		memcpy(buf, PB_HOST_MAC, 6);
	}
	memcpy(buf + 6, PB_PEER_MAC, 6);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	struct ipv6hdr *h = (struct ipv6hdr *)(buf + ETH_HLEN);
	memset(h, 0, sizeof(*h));
	buf[ETH_HLEN] = 0x60;
	h->payload_len = htons((uint16_t)plen);
	h->nexthdr = nexthdr;
	h->hop_limit = hop_limit;
	h->saddr = pb_ip6(src);
	h->daddr = d;
	if (plen)
		memcpy(h + 1, pl, plen);
	return ETH_HLEN + sizeof(*h) + plen;
}

void pb_csum6(const char *src, const char *dst, uint8_t proto, uint8_t *p, size_t len, int off)
{
	struct in6 s = pb_ip6(src), d = pb_ip6(dst);
	p[off] = p[off + 1] = 0;
	uint16_t c = csum_ipv6_magic(&s, &d, (uint32_t)len, proto, p);
	p[off] = (uint8_t)(c >> 8);
	p[off + 1] = (uint8_t)c;
}

size_t pb_ndisc_ns(uint8_t *p, const char *src, const char *dst, const char *target, int sll)
{
	struct in6 t = pb_ip6(target);
	memset(p, 0, 32);
	p[0] = NDISC_NEIGHBOUR_SOLICITATION;
	memcpy(p + 8, t.s6, 16);
	size_t n = 24;
	if (sll) {
		p[24] = 1;		/* source link-layer address, 8 bytes */
		p[25] = 1;
		memcpy(p + 26, PB_PEER_MAC, 6);
		n = 32;
	}
	pb_csum6(src, dst, NEXTHDR_ICMP, p, n, 2);
	return n;
}

size_t pb_ndisc_na(uint8_t *p, const char *src, const char *dst, const char *target, uint8_t flags,
		   const uint8_t *tll)
{
	struct in6 t = pb_ip6(target);
	memset(p, 0, 32);
	p[0] = NDISC_NEIGHBOUR_ADVERTISEMENT;
	p[4] = flags;
	memcpy(p + 8, t.s6, 16);
	size_t n = 24;
	if (tll) {
		p[24] = 2;		/* target link-layer address, 8 bytes */
		p[25] = 1;
		memcpy(p + 26, tll, 6);
		n = 32;
	}
	pb_csum6(src, dst, NEXTHDR_ICMP, p, n, 2);
	return n;
}
