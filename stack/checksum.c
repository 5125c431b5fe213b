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

/* Hand-written, not snprintf: trace args print whole neighbour tables with
 * these, and snprintf was a third of a traced replay's time (issue 11). */
static char *put_u8(char *o, unsigned v)
{
	if (v >= 100)
		*o++ = (char)('0' + v / 100);
	if (v >= 10)
		*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

const char *ip_fmt(uint32_t a)
{
	static char ring[4][16];
	static int i;
	char *b = ring[i++ & 3], *o = b;
	const unsigned char *p = (const unsigned char *)&a;
	for (int k = 0; k < 4; k++) {
		o = put_u8(o, p[k]);
		*o++ = k < 3 ? '.' : 0;
	}
	return b;
}

const char *mac_fmt(const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	static char ring[4][18];
	static int i;
	char *b = ring[i++ & 3];
	for (int k = 0; k < 6; k++) {
		b[3 * k] = hex[m[k] >> 4];
		b[3 * k + 1] = hex[m[k] & 15];
		b[3 * k + 2] = k < 5 ? ':' : 0;
	}
	return b;
}
