/*
 * checksum.c - the Internet checksum (RFC 1071), after lib/checksum.c and
 * include/net/checksum.h. Also the address formatters the trace uses.
 */
#include "ip.h"

#include <stdio.h>
#include <string.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const unsigned char *p = buf;
	uint64_t s = sum;
	while (len >= 2) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)(p[0] << 8);
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ip_fast_csum(const void *iph, unsigned int ihl)
{
	return csum_fold(csum_partial(iph, ihl * 4, 0));
}

uint16_t csum_tcpudp(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *buf, size_t len)
{
	uint32_t s = 0;
	uint32_t sa = ntohl(saddr), da = ntohl(daddr);
	s += sa >> 16; s += sa & 0xffff;
	s += da >> 16; s += da & 0xffff;
	s += proto;
	s += (uint32_t)len;
	return csum_fold(csum_partial(buf, len, s));
}

void ip_send_check(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = htons(ip_fast_csum(iph, (unsigned)ip_ihl(iph)));
}

const char *ip_fmt(uint32_t a)
{
	static char ring[4][16];
	static int i;
	char *b = ring[i++ & 3];
	const unsigned char *p = (const unsigned char *)&a;
	snprintf(b, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	return b;
}

const char *mac_fmt(const uint8_t *m)
{
	static char ring[4][18];
	static int i;
	char *b = ring[i++ & 3];
	snprintf(b, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return b;
}
