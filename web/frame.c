/*
 * frame.c - a packet's captured bytes, read back from its driver_rx event
 * (args.frame in hex, args.linktype/caplen/len, msg "#N summary"), and the
 * IPv4 5-tuple the summary endpoint groups flows by. Bounds are checked
 * against the decoded length before every read.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "web.h"

static int fill_from_json(struct web_frame *f, const cJSON *o)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
	const cJSON *hex = cJSON_GetObjectItemCaseSensitive(a, "frame");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "msg");
	const cJSON *lt = cJSON_GetObjectItemCaseSensitive(a, "linktype");
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(a, "caplen");
	const cJSON *ln = cJSON_GetObjectItemCaseSensitive(a, "len");
	f->linktype = cJSON_IsNumber(lt) ? lt->valueint : NJ_DLT_EN10MB;
	if (cJSON_IsString(msg)) {
		const char *m = msg->valuestring;
		if (m[0] == '#' && strchr(m, ' '))
			m = strchr(m, ' ') + 1;
		snprintf(f->summary, sizeof(f->summary), "%s", m);
	}
	if (!cJSON_IsString(hex))
		return 0;
	size_t hl = strlen(hex->valuestring);
	f->hex = strdup(hex->valuestring);
	f->bytes = malloc(hl / 2 + 1);
	if (!f->hex || !f->bytes)
		return -1;
	f->n = frame_unhex(hex->valuestring, f->bytes, hl / 2);
	f->caplen = cJSON_IsNumber(cl) ? (uint32_t)cl->valuedouble : (uint32_t)f->n;
	f->len = cJSON_IsNumber(ln) ? (uint32_t)ln->valuedouble : f->caplen;
	return 0;
}

int web_frame_get(struct nj_store *s, const struct store_pkt *p, struct web_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (!p || p->driver_ev == STORE_NONE)
		return -1;
	char *line = store_line(s, p->driver_ev, NULL);
	cJSON *o = line ? cJSON_Parse(line) : NULL;
	free(line);
	if (!o)
		return -1;
	int r = fill_from_json(f, o);
	cJSON_Delete(o);
	if (r < 0)
		web_frame_free(f);
	return r;
}

void web_frame_free(struct web_frame *f)
{
	free(f->bytes);
	free(f->hex);
	f->bytes = NULL;
	f->hex = NULL;
	f->n = 0;
}

/* The offset of the network header and its ethertype, or -1. */
static long l3_offset(const struct web_frame *f, uint16_t *proto)
{
	struct frame_l2 l2;
	if (frame_link(f->linktype, f->bytes, f->n, &l2) < 0)
		return -1;
	*proto = l2.proto;
	return l2.l3_off <= f->n ? (long)l2.l3_off : -1;
}

static void ip_str(const uint8_t *p, char *out)
{
	inet_ntop(AF_INET, p, out, INET_ADDRSTRLEN);
}

static const char *ip_proto_name(uint8_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	}
	return NULL;
}

int web_frame_flow(const struct web_frame *f, char *proto, size_t plen, char *src, char *dst,
		   unsigned *sport, unsigned *dport)
{
	uint16_t et = 0;
	long off = l3_offset(f, &et);
	*sport = *dport = 0;
	if (off < 0)
		return -1;
	const uint8_t *b = f->bytes + off;
	size_t n = f->n - (size_t)off;
	if (et == 0x0806 && n >= 28) {
		snprintf(proto, plen, "arp");
		ip_str(b + 14, src);
		ip_str(b + 24, dst);
		return 0;
	}
	if (et != 0x0800 || n < 20 || (b[0] >> 4) != 4)
		return -1;
	size_t ihl = (size_t)(b[0] & 15) * 4;
	const char *pn = ip_proto_name(b[9]);
	if (pn)
		snprintf(proto, plen, "%s", pn);
	else
		snprintf(proto, plen, "ip-proto-%u", b[9]);
	ip_str(b + 12, src);
	ip_str(b + 16, dst);
	int first = ((b[6] & 0x1f) << 8 | b[7]) == 0;
	if (first && ihl >= 20 && n >= ihl + 4 && (b[9] == 6 || b[9] == 17)) {
		*sport = (unsigned)(b[ihl] << 8 | b[ihl + 1]);
		*dport = (unsigned)(b[ihl + 2] << 8 | b[ihl + 3]);
	}
	return 0;
}

/* Cache slots for a trace of np packets: a power of two, at most
 * WEB_SUMS_MAX, so that a page of consecutive packets never collides. */
static size_t sums_size(size_t np)
{
	size_t n = 64;
	while (n < np && n < WEB_SUMS_MAX)
		n *= 2;
	return n;
}

/* The cached summary of p into f (t->mu held); 0 on a hit, -1 on a miss. */
static int sums_find(struct web_trace *t, const struct store_pkt *p, struct web_frame *f)
{
	if (!t->nsums)
		return -1;
	const struct web_sum *e = &t->sums[(uint64_t)p->pkt & (t->nsums - 1)];
	if (e->ev != p->driver_ev + 1)
		return -1;
	memcpy(f->summary, e->text, e->tlen + 1);
	f->len = e->len;
	return 0;
}

/* Keeps f's summary for p (t->mu held). The table is made, or remade
 * larger for a live trace that grew, here; without memory nothing is kept. */
static void sums_put(struct web_trace *t, const struct store_pkt *p, const struct web_frame *f, size_t np)
{
	size_t want = sums_size(np);
	if (want > t->nsums) {
		struct web_sum *n = calloc(want, sizeof(*n));
		if (!n)
			return;
		web_sums_free(t);
		t->sums = n;
		t->nsums = want;
	}
	struct web_sum *e = &t->sums[(uint64_t)p->pkt & (t->nsums - 1)];
	size_t tl = strlen(f->summary);
	char *text = malloc(tl + 1);
	if (!text)
		return;
	memcpy(text, f->summary, tl + 1);
	free(e->text);
	e->text = text;
	e->tlen = (uint32_t)tl;
	e->len = f->len;
	e->ev = p->driver_ev + 1;
}

int web_frame_summary(struct web_trace *t, const struct store_pkt *p, size_t np, struct web_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (p->driver_ev == STORE_NONE)
		return -1;
	pthread_mutex_lock(&t->mu);
	int hit = sums_find(t, p, f);
	pthread_mutex_unlock(&t->mu);
	if (hit == 0)
		return 0;
	/* read and parsed outside t->mu: web_frame_get takes the store lock */
	int r = web_frame_get(t->s, p, f);
	web_frame_free(f);
	if (r == 0) {
		pthread_mutex_lock(&t->mu);
		sums_put(t, p, f, np);
		pthread_mutex_unlock(&t->mu);
	}
	return r;
}

void web_sums_free(struct web_trace *t)
{
	for (size_t i = 0; i < t->nsums; i++)
		free(t->sums[i].text);
	free(t->sums);
	t->sums = NULL;
	t->nsums = 0;
}
