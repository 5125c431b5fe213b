/*
 * pcapng_reader.c - the pcapng block reader (see pcapng_reader.h), after
 * the block layouts of draft-ietf-opsawg-pcapng. Every length is checked
 * against the block before it is used; a block is at most 64 MiB.
 */
#include "pcapng_reader.h"
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#define BT_SHB	0x0A0D0D0Au
#define BT_IDB	1u
#define BT_PB	2u
#define BT_SPB	3u
#define BT_EPB	6u
#define BLOCK_MAX	(64u << 20)

static uint32_t rd32(const struct pcapng_reader *r, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct pcapng_reader *r, const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

/* Reads n bytes into the block buffer at off; returns the count read. */
static size_t take(struct pcapng_reader *r, size_t at, size_t n)
{
	if (at + n > r->cap) {
		size_t c = at + n < 65536 ? 65536 : at + n;
		uint8_t *b = realloc(r->buf, c);
		if (!b)
			return 0;
		r->buf = b;
		r->cap = c;
	}
	return fread(r->buf + at, 1, n, r->f);
}

/* Walks a block's options from p to end: calls back code, value, length. */
static void options(struct pcapng_reader *r, const uint8_t *p, const uint8_t *end,
		    void (*cb)(void *ctx, uint16_t code, const uint8_t *v, uint16_t len), void *ctx)
{
	while (p + 4 <= end) {
		uint16_t code = rd16(r, p), len = rd16(r, p + 2);
		if (code == 0 || p + 4 + len > end)
			return;
		cb(ctx, code, p + 4, len);
		p += 4 + ((len + 3u) & ~3u);
	}
}

struct idb_ctx { struct pcapng_reader *r; struct pcapng_iface *i; };

static void idb_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len)
{
	struct idb_ctx *c = ctx;
	if (code == 9 && len >= 1) {	/* if_tsresol: 10^-n, or 2^-n with the top bit */
		uint8_t e = v[0] & 0x7f;
		uint64_t res = 1;
		for (int k = 0; k < e && res < (1ULL << 60) / 10; k++)
			res *= v[0] & 0x80 ? 2 : 10;
		c->i->tsres = res;
	} else if (code == 2 && len) {	/* if_name */
		size_t n = len < sizeof(c->i->name) - 1 ? len : sizeof(c->i->name) - 1;
		memcpy(c->i->name, v, n);
		c->i->name[n] = 0;
	}
}

static int read_idb(struct pcapng_reader *r, const uint8_t *b, uint32_t blen)
{
	if (blen < 20 || r->nifs == PCAPNG_MAX_IFACES)
		return r->nifs == PCAPNG_MAX_IFACES ? 0 : -1;
	struct pcapng_iface *i = &r->ifs[r->nifs++];
	memset(i, 0, sizeof(*i));
	i->dlt = rd16(r, b + 8);
	if (i->dlt == 101)
		i->dlt = NJ_DLT_RAW;	/* LINKTYPE_RAW is DLT_RAW, as libpcap maps it (a tun's -w) */
	i->snaplen = rd32(r, b + 12);
	i->tsres = 1000000;
	struct idb_ctx c = { r, i };
	options(r, b + 16, b + blen - 4, idb_opt, &c);
	return 0;
}

static void epb_opt(void *ctx, uint16_t code, const uint8_t *v, uint16_t len)
{
	struct pcapng_pkt *p = ((struct pcapng_pkt **)ctx)[0];
	struct pcapng_reader *r = ((struct pcapng_reader **)ctx)[1];
	if (code == 2 && len == 4) {		/* epb_flags: bits 0-1 are the direction */
		uint32_t fl = rd32(r, v);
		p->dir = (int)(fl & 3) == 3 ? 0 : (int)(fl & 3);
	} else if (code == 1 && len) {		/* opt_comment */
		size_t n = len < sizeof(p->comment) - 1 ? len : sizeof(p->comment) - 1;
		memcpy(p->comment, v, n);
		p->comment[n] = 0;
	}
}

static uint64_t ts_ns(const struct pcapng_iface *i, uint64_t ts)
{
	uint64_t res = i->tsres ? i->tsres : 1000000;
	return ts / res * 1000000000ULL + ts % res * 1000000000ULL / res;
}

/* EPB (and the obsolete PB): a packet on interface iface. */
static int read_packet(struct pcapng_reader *r, uint32_t type, const uint8_t *b, uint32_t blen, struct pcapng_pkt *p)
{
	uint32_t hl = type == BT_SPB ? 12 : 28;
	memset(p, 0, sizeof(*p));
	if (blen < hl + 4)
		return -1;
	if (type == BT_SPB) {
		p->len = rd32(r, b + 8);
		p->caplen = blen - 16 < p->len ? blen - 16 : p->len;
	} else {
		p->iface = type == BT_EPB ? (int)rd32(r, b + 8) : rd16(r, b + 8);
		p->caplen = rd32(r, b + 20);
		p->len = rd32(r, b + 24);
		if (p->caplen > blen - hl - 4)
			return -1;
	}
	if (p->iface < 0 || p->iface >= r->nifs)	/* an EPB's 32-bit id, as int: negative past 2^31 */
		return -1;
	if (type != BT_SPB)
		p->ts_ns = ts_ns(&r->ifs[p->iface], (uint64_t)rd32(r, b + 12) << 32 | rd32(r, b + 16));
	p->data = b + hl;
	if (p->len < p->caplen)
		p->len = p->caplen;
	const void *ctx[2] = { p, r };
	if (type != BT_SPB)
		options(r, b + hl + ((p->caplen + 3u) & ~3u), b + blen - 4, epb_opt, (void *)ctx);
	return 0;
}

/* A Section Header: its byte-order magic says how to read everything after. */
static int read_shb(struct pcapng_reader *r, size_t have)
{
	uint32_t magic;
	if (have < 12 && take(r, have, 12 - have) != 12 - have)
		return -2;
	memcpy(&magic, r->buf + 8, 4);
	if (magic == 0x1A2B3C4D)
		r->swap = 0;
	else if (magic == 0x4D3C2B1A)
		r->swap = 1;
	else
		return -1;
	r->nifs = 0;	/* interfaces are per section */
	return 0;
}

int pcapng_next(struct pcapng_reader *r, struct pcapng_pkt *p, char *err, size_t errlen)
{
	for (;;) {
		size_t got = take(r, 0, 8);
		if (got == 0 && feof(r->f))
			return 0;
		int rs = 0;
		if (got < 8)
			goto tail;
		uint32_t type;
		memcpy(&type, r->buf, 4);
		if ((type == BT_SHB || type == __builtin_bswap32(BT_SHB)) && (rs = read_shb(r, 8)) < 0)
			goto bad;
		uint32_t blen = rd32(r, r->buf + 4);
		size_t at = type == BT_SHB ? 12 : 8;
		if (blen < 12 || blen % 4 || blen > BLOCK_MAX)
			goto bad;
		if (take(r, at, blen - at) != blen - at)
			goto tail;
		if (rd32(r, r->buf + blen - 4) != blen)
			goto bad;
		type = rd32(r, r->buf);
		r->off += blen;
		if (type == BT_IDB && read_idb(r, r->buf, blen) < 0)
			goto bad_at;
		if (type == BT_EPB || type == BT_PB || type == BT_SPB) {
			if (read_packet(r, type, r->buf, blen, p) < 0)
				goto bad_at;
			r->good_end = r->off;
			return 1;
		}
		r->good_end = r->off;
		continue;
bad_at:
		r->off -= blen;
bad:
		if (rs == -2)
			goto tail;
		snprintf(err, errlen, "byte offset %llu: a damaged pcapng block", (unsigned long long)r->off);
		return -1;
tail:
		snprintf(err, errlen, "byte offset %llu: a truncated block or trailing garbage",
			 (unsigned long long)r->good_end);
		return -2;
	}
}

int pcapng_open_reader(struct pcapng_reader *r, FILE *f, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	uint8_t head[12];
	if (fread(head, 1, 12, f) != 12 || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "not a readable pcapng capture: too short");
		return -1;
	}
	uint32_t magic;
	memcpy(&magic, head + 8, 4);
	if (magic != 0x1A2B3C4D && magic != 0x4D3C2B1A) {
		snprintf(err, errlen, "not a readable pcapng capture: bad byte-order magic");
		return -1;
	}
	return 0;
}

void pcapng_close_reader(struct pcapng_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
