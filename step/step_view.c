/*
 * step_view.c - the event-level views of `netjourney step` (step_view.h):
 * location line, skb, headers, hex dump and backtrace. The state panels
 * are in step_panels.c.
 */
#include "step_view.h"

#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "skbuff.h"
#include "step_headers.h"
#include "step_state.h"

#define COLS 80

#define C_BOLD	"\033[1m"
#define C_DIM	"\033[2m"
#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_HL	"\033[30;43m"
#define C_OFF	"\033[0m"

static const char *col(const struct step_view *v, const char *c) { return v->color ? c : ""; }

/* Display columns of UTF-8 text (continuation bytes take none). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Copies at most w columns of s into out, ending in "…" when cut. */
static void clip(const char *s, size_t w, char *out, size_t outlen)
{
	size_t k = 0, cols = 0;
	if (width(s) <= w) {
		snprintf(out, outlen, "%s", s);
		return;
	}
	for (; s[k] && k + 4 < outlen; k++) {
		if (((unsigned char)s[k] & 0xc0) != 0x80 && ++cols > (w ? w - 1 : 0))
			break;
		out[k] = s[k];
	}
	snprintf(out + k, outlen - k, "%s", w ? "…" : "");
}

static cJSON *parse_ev(struct nj_store *s, size_t i)
{
	char *line = store_line(s, i, NULL);
	cJSON *o = line ? cJSON_Parse(line) : NULL;
	free(line);
	return o;
}

static const char *ev_msg(const cJSON *o)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "msg");
	return cJSON_IsString(m) ? m->valuestring : "";
}

/* "→ enter", "· step", "← drop IP_CSUM" */
static void ph_text(struct nj_store *s, const struct store_ev *e, char *out, size_t outlen)
{
	(void)s;
	if (e->ph == 'B')
		snprintf(out, outlen, "→ enter");
	else if (e->ph == 'E' || e->verdict)
		snprintf(out, outlen, "← %s%s%s", e->ph == 'E' ? verdict_name(e->verdict) : "drop",
			 e->verdict == V_DROP ? " " : "", e->verdict == V_DROP ? drop_reason_name(e->reason) : "");
	else
		snprintf(out, outlen, "· step");
}

static void loc_line(const struct step_view *v, struct nj_store *s, size_t i, size_t cols)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	char head[64], ph[64], msg[400];
	if (!e)
		return;
	if (e->pkt >= 0)
		snprintf(head, sizeof(head), "#%llu pkt %lld depth %u", (unsigned long long)e->seq, (long long)e->pkt,
			 e->depth);
	else
		snprintf(head, sizeof(head), "#%llu depth %u", (unsigned long long)e->seq, e->depth);
	ph_text(s, e, ph, sizeof(ph));
	const char *fn = store_name(s, e->fn);
	size_t used = strlen(head) + 2 + strlen(fn) + 2 + width(ph);
	cJSON *o = parse_ev(s, i);
	const char *m = ev_msg(o);
	msg[0] = 0;
	if (*m && used + 4 < cols)
		clip(m, cols - used - 4, msg, sizeof(msg));
	const char *pc = e->verdict == V_DROP ? col(v, C_RED) : e->ph == 'E' ? col(v, C_GREEN) : "";
	fprintf(v->out, "%s  %s%s%s  %s%s%s", head, col(v, C_BOLD), fn, col(v, C_OFF), pc, ph, *pc ? C_OFF : "");
	if (*msg)
		fprintf(v->out, "  %s\"%s\"%s", col(v, C_DIM), msg, col(v, C_OFF));
	fputc('\n', v->out);
	cJSON_Delete(o);
}

void view_loc(const struct step_view *v, struct nj_store *s, size_t i) { loc_line(v, s, i, COLS); }

static void fmt_off(long long off, char *out, size_t n)
{
	if (off < 0)
		snprintf(out, n, "unset");
	else
		snprintf(out, n, "head+%lld (frame+%lld)", off, off - NET_SKB_PAD);
}

void view_skb(const struct step_view *v, struct nj_store *s, size_t i)
{
	struct step_skb k;
	char d[64], nh[64], th[64];
	if (step_skb_at(s, i, &k) < 0) {
		fprintf(v->out, "no skb at this event\n");
		return;
	}
	if (!k.have) {
		fprintf(v->out, "skb %lld: no state recorded\n", (long long)k.skb);
		return;
	}
	fmt_off(k.data, d, sizeof(d));
	fmt_off(k.nh, nh, sizeof(nh));
	fmt_off(k.th, th, sizeof(th));
	struct store_ev e;
	uint64_t seq = store_ev_get(s, i, &e) == 0 ? e.seq : 0;
	fprintf(v->out, "skb %lld%s", (long long)k.skb, k.from_seq != seq ? "" : "\n");
	if (k.from_seq != seq)
		fprintf(v->out, "  (as of #%llu: this event carries no skb state)\n", (unsigned long long)k.from_seq);
	fprintf(v->out, "  len              %lld\n  data             %s\n", k.len, d);
	fprintf(v->out, "  network_header   %s\n  transport_header %s\n", nh, th);
	fprintf(v->out, "  pkt_type         %s\n  protocol         %s\n  ifindex          %lld\n", k.pkt_type,
		k.protocol, k.ifindex);
}

/* The packet's frame, or a message why there is none. */
static int load_frame(const struct step_view *v, struct nj_store *s, size_t i, struct step_frame *fr)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	if (!e || e->pkt < 0) {
		fprintf(v->out, "this event belongs to no packet\n");
		return -1;
	}
	if (step_frame_of_pkt(s, e->pkt, fr) < 0) {
		fprintf(v->out, "packet %lld: no captured frame in this trace\n", (long long)e->pkt);
		return -1;
	}
	return 0;
}

void view_headers(const struct step_view *v, struct nj_store *s, size_t i)
{
	struct step_frame fr;
	struct step_hdr h[STEP_MAX_HDRS];
	if (load_frame(v, s, i, &fr) < 0)
		return;
	int n = step_decode(fr.dlt, fr.bytes, fr.caplen, h, STEP_MAX_HDRS);
	struct store_ev e;
	fprintf(v->out, "packet %lld: %zu bytes captured (link type %d)\n",
		(long long)(store_ev_get(s, i, &e) == 0 ? e.pkt : -1),
		fr.caplen, fr.dlt);
	if (!n)
		fprintf(v->out, "  (link type %d is not decoded)\n", fr.dlt);
	for (int k = 0; k < n; k++) {
		fprintf(v->out, "%s%s%s [%zu,%zu)\n    %s\n", col(v, C_BOLD), h[k].name, col(v, C_OFF), h[k].off,
			h[k].off + h[k].len, h[k].line1);
		if (h[k].line2[0])
			fprintf(v->out, "    %s\n", h[k].line2);
		if (h[k].line3[0])
			fprintf(v->out, "    %s\n", h[k].line3);
	}
	free(fr.bytes);
}

/* Which header the current function looks at: by layer, else by offset. */
static const struct step_hdr *pick_hdr(const char *layer, const struct step_skb *k, const struct step_hdr *h, int n)
{
	static const char *const map[][2] = { { "link", "Ethernet" }, { "driver", "Ethernet" }, { "arp", "ARP" },
		{ "tcp", "TCP" }, { "udp", "UDP" }, { "icmp", "ICMP" } };
	long long want = -1;
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++)
		for (int j = 0; j < n; j++)
			if (!strcmp(layer, map[m][0]) && !strcmp(h[j].name, map[m][1]))
				return &h[j];
	if (!strcmp(layer, "tcp") || !strcmp(layer, "udp") || !strcmp(layer, "icmp"))
		want = k->th;
	else if (k->nh >= 0)
		want = k->nh;
	else
		want = k->data;
	for (int j = 0; j < n; j++)
		if ((long long)h[j].off == want - NET_SKB_PAD)
			return &h[j];
	return NULL;
}

/* The column before byte j: '[' opens the marked header, ']' closes it
 * (brackets only without colour, where the marking is by colour). */
static char sep_for(const struct step_view *v, size_t j, size_t row, size_t hs, size_t he)
{
	if (v->color)
		return ' ';
	if (j == hs)
		return '[';
	return j == he && j > row ? ']' : ' ';
}

static void hex_line(const struct step_view *v, const uint8_t *b, size_t from, size_t to, size_t row, size_t hs,
		     size_t he)
{
	fprintf(v->out, "  %04zx ", row + NET_SKB_PAD);
	for (size_t j = row; j < row + 16; j++) {
		int in = j >= hs && j < he;
		char sep = sep_for(v, j, row, hs, he);
		if (j == row + 8)
			fputc(' ', v->out);
		if (j < from || j >= to) {
			fprintf(v->out, "%c  ", sep == '[' ? ' ' : sep);
			continue;
		}
		fprintf(v->out, "%c%s%02x%s", sep, in ? col(v, C_HL) : "", b[j], in ? col(v, C_OFF) : "");
	}
	fprintf(v->out, "%c ", !v->color && he == row + 16 ? ']' : ' ');
	for (size_t j = row; j < row + 16 && j < to; j++)
		fputc(j < from ? ' ' : b[j] >= 32 && b[j] < 127 ? b[j] : '.', v->out);
	fputc('\n', v->out);
}

static void dump(const struct step_view *v, const struct step_frame *fr, size_t from, size_t to,
		 const struct step_hdr *hl)
{
	size_t hs = hl ? hl->off : SIZE_MAX, he = hl ? hl->off + hl->len : SIZE_MAX;
	if (to > fr->caplen)
		to = fr->caplen;
	for (size_t row = from & ~(size_t)15; row < to; row += 16)
		hex_line(v, fr->bytes, from, to, row, hs, he);
}

void view_x(const struct step_view *v, struct nj_store *s, size_t i)
{
	struct step_frame fr;
	struct step_skb k;
	struct step_hdr h[STEP_MAX_HDRS];
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	if (step_skb_at(s, i, &k) < 0 || !k.have) {
		fprintf(v->out, "x: no skb at this event\n");
		return;
	}
	if (load_frame(v, s, i, &fr) < 0)
		return;
	if (fr.skb != k.skb) {
		fprintf(v->out, "x: skb %lld was built by the stack; the trace records only packet %lld's captured "
			"frame (skb %lld)\n", (long long)k.skb, (long long)e->pkt, (long long)fr.skb);
		free(fr.bytes);
		return;
	}
	int n = step_decode(fr.dlt, fr.bytes, fr.caplen, h, STEP_MAX_HDRS);
	const struct step_hdr *hl = pick_hdr(store_name(s, e->layer), &k, h, n);
	size_t data = k.data >= NET_SKB_PAD ? (size_t)(k.data - NET_SKB_PAD) : 0;
	size_t from = hl && hl->off < data ? hl->off : data;
	fprintf(v->out, "skb %lld: len %lld, data at head+%lld; offsets below are from skb->head\n", (long long)k.skb,
		k.len, k.data);
	if (hl)
		fprintf(v->out, "marked: the %s header [%zu,%zu)%s\n", hl->name, hl->off + NET_SKB_PAD,
			hl->off + hl->len + NET_SKB_PAD, hl->off < data ? " (already pulled: before data)" : "");
	dump(v, &fr, from, data + (size_t)(k.len > 0 ? k.len : 0), hl);
	free(fr.bytes);
}

void view_bt(const struct step_view *v, struct nj_store *s, size_t i)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	int level = 0;
	if (!e)
		return;
	fprintf(v->out, "#%-2d ", level++);
	loc_line(v, s, i, COLS - 4);
	/* an E is back in its caller's frame; B and i events sit under parent */
	uint64_t p = e->ph == 'E' ? step_frame_of(s, i) : e->parent;
	while (p && level < 70) {
		size_t k = store_index_of_seq(s, p);
		struct store_ev pe_buf;
		const struct store_ev *pe = store_ev_at(s, k, &pe_buf);
		if (!pe)
			break;
		fprintf(v->out, "#%-2d ", level++);
		loc_line(v, s, k, COLS - 4);
		p = pe->parent;
	}
}

void view_event(const struct step_view *v, struct nj_store *s, size_t i)
{
	cJSON *o = parse_ev(s, i);
	cJSON *fr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "args"), "frame");
	if (cJSON_IsString(fr) && strlen(fr->valuestring) > 64)
		strcpy(fr->valuestring + 60, "…");	/* the frame is what `x` shows */
	char *txt = o ? cJSON_Print(o) : NULL;
	fprintf(v->out, "%s\n", txt ? txt : "(event unreadable)");
	free(txt);
	cJSON_Delete(o);
}
