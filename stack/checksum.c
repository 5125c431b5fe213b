/*
 * checksum.c - the Internet checksum (RFC 1071), after lib/checksum.c and
 * include/net/checksum.h. Also the address formatters the trace uses.
 */
#include "ip.h"
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

/* The sum is taken 64 bits at a time with end-around carry, in the
 * host's byte order, and turned into network order at the end (RFC 1071
 * §2(B): the one's-complement sum does not depend on byte order, and 2^64
 * is 1 modulo 0xffff); a byte at a time was most of a replay's checksum
 * time. */
static inline uint64_t add_carry(uint64_t s, uint64_t w)
{
	s += w;
	return s + (s < w);
}

/* A 64-bit one's-complement sum folded to 16 bits, in as many steps as
 * the widest sum needs (a step on a sum that already fits changes
 * nothing). */
static inline uint64_t fold16(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* 64-bit words added 32 bytes a round, the carries counted apart: the
 * compiler makes each an add and an add-with-carry into the count (as
 * arch/x86/lib/csum-partial_64.c's adcq chain), half the instructions of
 * splitting words into 32-bit halves; the count is added back at the end
 * (2^64 is 1 modulo 0xffff). */
static inline uint64_t csum_words(const unsigned char *p, size_t n32)
{
	uint64_t s = 0, carries = 0;
	for (; n32; n32--, p += 32) {
		uint64_t a, b, c, d;
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		s += a;
		carries += s < a;
		s += b;
		carries += s < b;
		s += c;
		carries += s < c;
		s += d;
		carries += s < d;
	}
	return add_carry(s, carries);
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const unsigned char *p = buf;
	uint64_t s = csum_words(p, len / 32), q;
	uint32_t w;
	uint16_t h;

	p += len & ~(size_t)31;
	if (len & 16) {
		uint64_t q2;
		memcpy(&q, p, 8);
		memcpy(&q2, p + 8, 8);
		s = add_carry(add_carry(s, q), q2);
		p += 16;
	}
	if (len & 8) {
		memcpy(&q, p, 8);
		s = add_carry(s, q);
		p += 8;
	}
	if (len & 4) {
		memcpy(&w, p, 4);
		s = add_carry(s, w);
		p += 4;
	}
	if (len & 2) {
		memcpy(&h, p, 2);
		s = add_carry(s, h);
		p += 2;
	}
	if (len & 1) {		/* the odd byte is the high half of a last word */
		unsigned char last[2] = { p[0], 0 };
		memcpy(&h, last, 2);
		s = add_carry(s, h);
	}
	s = fold16(s);
	uint64_t total = (uint64_t)ntohs((uint16_t)s) + sum;
	total = (total & 0xffffffff) + (total >> 32);
	return (uint32_t)total;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* After arch/x86/include/asm/checksum_64.h: the header's ihl 32-bit words
 * summed into 64 bits (at most 15 of them: no carry out) and folded,
 * without csum_partial's length tests; the same result as
 * csum_fold(csum_partial(iph, ihl * 4, 0)). */
uint16_t ip_fast_csum(const void *iph, unsigned int ihl)
{
	const unsigned char *p = iph;
	uint64_t s = 0;
	unsigned int i = 0;
	uint32_t w[5];
	if (ihl >= 5) {		/* every valid header: its five fixed words at once */
		memcpy(w, p, sizeof(w));
		s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
		i = 5;
	}
	for (; i < ihl; i++) {
		memcpy(w, p + 4 * i, 4);
		s += w[0];
	}
	return (uint16_t)~ntohs((uint16_t)fold16(s));
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

int skb_csum_is_partial(struct sk_buff *skb, uint32_t saddr, uint32_t daddr, uint8_t proto, uint32_t len,
			uint16_t check)
{
	uint32_t sa = ntohl(saddr), da = ntohl(daddr);
	uint32_t s = (sa >> 16) + (sa & 0xffff) + (da >> 16) + (da & 0xffff) + proto + len;
	uint16_t pseudo = (uint16_t)~csum_fold(s);	/* ~tcp_v4_check(len, saddr, daddr, 0) */

	if (ntohs(check) != pseudo)
		return 0;
	skb->ip_summed = CHECKSUM_PARTIAL;
	return 1;
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

char *txt_str(char *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(o, s, n);
	return o + n;
}

char *txt_u64(char *o, uint64_t v) { return jw_txt_u64(o, v); }	/* one digit writer */

char *txt_hex(char *o, uint32_t v, int width)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[8], *p = tmp + sizeof(tmp);
	do {
		*--p = hex[v & 15];
		v >>= 4;
	} while (v);
	while (tmp + sizeof(tmp) - p < width)
		*--p = '0';
	size_t n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(o, p, n);
	return o + n;
}

/* A replay names the same few addresses in most events: the last ones
 * formatted are kept (by a hash of the address) and copied, not formatted
 * again. Each call still takes the ring's next buffer. */
const char *ip_fmt(uint32_t a)
{
	static _Thread_local char ring[4][16];
	static _Thread_local struct {
		uint32_t a;
		char text[16];
	} seen[16];
	static _Thread_local int i;
	char *b = ring[i++ & 3], *o = b;
	unsigned h = (a * 2654435761u) >> 28;
	if (seen[h].text[0] && seen[h].a == a) {
		memcpy(b, seen[h].text, 16);
		return b;
	}
	const unsigned char *p = (const unsigned char *)&a;
	for (int k = 0; k < 4; k++) {
		o = put_u8(o, p[k]);
		*o++ = k < 3 ? '.' : 0;
	}
	seen[h].a = a;
	memcpy(seen[h].text, b, 16);
	return b;
}

const char *mac_fmt(const uint8_t *m)
{
	static const char hex[] = "0123456789abcdef";
	static _Thread_local char ring[4][18];
	static _Thread_local int i;
	char *b = ring[i++ & 3];
	for (int k = 0; k < 6; k++) {
		b[3 * k] = hex[m[k] >> 4];
		b[3 * k + 1] = hex[m[k] & 15];
		b[3 * k + 2] = k < 5 ? ':' : 0;
	}
	return b;
}
