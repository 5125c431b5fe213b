/*
 * step_state_skb.c - the skb and the captured frame at an event (see
 * step_state.h). The frame is the driver_rx args' hex; the skb that holds
 * it is the first skb its packet's events name, and its bytes start at
 * NET_SKB_PAD (64) from skb->head, as alloc_skb reserves that headroom.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "frame.h"
#include "step_state.h"

size_t step_hex_decode(const char *hex, uint8_t *out, size_t outlen)
{
	return frame_unhex(hex, out, outlen);
}

static cJSON *parse_ev(struct nj_store *s, size_t i)
{
	char *line = store_line(s, i, NULL);
	cJSON *o = line ? cJSON_Parse(line) : NULL;
	free(line);
	return o;
}

static void str_field(const cJSON *o, const char *k, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(out, outlen, "%s", cJSON_IsString(v) ? v->valuestring : "?");
}

static long long num_field(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

/* Reads event i's skb_state into out; 0 if it has one. */
static int read_skb_state(struct nj_store *s, size_t i, struct step_skb *out)
{
	cJSON *o = parse_ev(s, i);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "skb_state");
	int r = -1;
	if (cJSON_IsObject(st)) {
		out->have = 1;
		struct store_ev e;
		out->from_seq = store_ev_get(s, i, &e) == 0 ? e.seq : 0;
		out->len = num_field(st, "len");
		out->data = num_field(st, "data");
		out->nh = num_field(st, "nh");
		out->th = num_field(st, "th");
		out->ifindex = num_field(st, "ifindex");
		str_field(st, "pkt_type", out->pkt_type, sizeof(out->pkt_type));
		str_field(st, "protocol", out->protocol, sizeof(out->protocol));
		r = 0;
	}
	cJSON_Delete(o);
	return r;
}

int step_skb_at(struct nj_store *s, size_t i, struct step_skb *out)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	memset(out, 0, sizeof(*out));
	if (!e || e->skb < 0)
		return -1;
	out->skb = e->skb;
	/* E events of freed or handed-on skbs carry no state: look back */
	for (size_t k = i + 1; k-- > 0;) {
		struct store_ev p_buf;
		const struct store_ev *p = store_ev_at(s, k, &p_buf);
		if (p->skb == e->skb && read_skb_state(s, k, out) == 0)
			return 0;
		if (i - k > 100000)
			break;		/* bounded: a very long trace */
	}
	return 0;
}

/* The first skb id among packet pkt's events. */
static int64_t frame_skb(struct nj_store *s, const struct store_pkt *p)
{
	for (uint32_t k = p->first; k != STORE_NONE;) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, k, &e_buf);
		if (!e)
			break;
		if (e->skb >= 0)
			return e->skb;
		k = e->next_in_pkt;
	}
	return -1;
}

static int frame_from_args(const cJSON *args, struct step_frame *out)
{
	const cJSON *hex = cJSON_GetObjectItemCaseSensitive(args, "frame");
	if (!cJSON_IsString(hex))
		return -1;
	size_t n = strlen(hex->valuestring) / 2;
	out->bytes = malloc(n ? n : 1);
	if (!out->bytes)
		return -1;
	out->caplen = step_hex_decode(hex->valuestring, out->bytes, n);
	out->dlt = (int)num_field(args, "linktype");
	long long len = num_field(args, "len");
	out->len = len > 0 ? (size_t)len : out->caplen;
	return 0;
}

int step_frame_of_pkt(struct nj_store *s, int64_t pkt, struct step_frame *out)
{
	memset(out, 0, sizeof(*out));
	out->skb = -1;
	store_lock(s);			/* a live trace may move its arrays */
	const struct store_pkt *sp = store_pkt_find(s, pkt);
	struct store_pkt p = sp ? *sp : (struct store_pkt){ .driver_ev = STORE_NONE };
	store_unlock(s);
	if (p.driver_ev == STORE_NONE)
		return -1;
	cJSON *o = parse_ev(s, p.driver_ev);
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(o, "args");
	int r = cJSON_IsObject(args) ? frame_from_args(args, out) : -1;
	cJSON_Delete(o);
	if (r == 0) {
		store_lock(s);
		out->skb = frame_skb(s, &p);
		store_unlock(s);
	}
	return r;
}
