/*
 * api_skb.c - GET /api/traces/ID/skbs/N: the bytes of skb N, for the
 * inspector's steps on an skb the stack made (a reply, an ICMP error,
 * output fragments, a reassembled datagram). A trace keeps only the
 * captured frames, so the capture is replayed again with the trace's own
 * scenario (its trace_start line) and the bytes are taken where the stack
 * hands the skb on: the k-th frame dev_queue_xmit writes is the skb of
 * the trace's k-th dev_queue_xmit, and ip_frag_reasm's callback sees a
 * rebuilt datagram with its id. The replay must emit as many events as
 * the trace (with or without checksum checks), else the answer is 409 and
 * nothing is guessed. A replay costs the whole capture, so traces above
 * SKB_MAX_EVENTS events are refused (413). An skb whose bytes cannot be
 * known (a live trace or a .jsonl file has no capture to replay; an skb
 * neither sent nor reassembled) answers 200 with "frame": null and "why".
 */
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "ip_fragment.h"
#include "replay.h"
#include "skbuff.h"
#include "source_pcap.h"
#include "web.h"

#define SKB_MAX_EVENTS 2000000
#define SKB_CACHE 64			/* answers kept, oldest replaced first */

/* One replay at a time (a replay costs the whole capture), and the last
 * answers kept, so stepping back and forth costs nothing. */
static pthread_mutex_t skb_mu = PTHREAD_MUTEX_INITIALIZER;
static struct { int tid; const void *store; int64_t skb; char *json; } skb_cache[SKB_CACHE];
static unsigned skb_next;

/* A cached answer (malloc'd copy), or NULL. Called with skb_mu held. */
static char *cache_get(const struct web_trace *t, int64_t skb)
{
	for (unsigned i = 0; i < SKB_CACHE; i++)
		if (skb_cache[i].json && skb_cache[i].tid == t->id && skb_cache[i].store == t->s && skb_cache[i].skb == skb)
			return strdup(skb_cache[i].json);
	return NULL;
}

/* Keeps an answer, by trace id and store (ids are never reused while
 * serving; the store tells a restarted registry apart). Called with skb_mu held. */
static void cache_put(const struct web_trace *t, int64_t skb, const cJSON *o)
{
	unsigned i = skb_next++ % SKB_CACHE;
	free(skb_cache[i].json);
	skb_cache[i].tid = t->id;
	skb_cache[i].store = t->s;
	skb_cache[i].skb = skb;
	skb_cache[i].json = cJSON_PrintUnformatted(o);
}

struct skb_find {
	uint64_t id;
	uint8_t *data;			/* the reassembled datagram, malloc'd */
	size_t len;
	uint64_t events;		/* counted by the sink */
};

static void on_reasm(void *ctx, struct net *net, const struct sk_buff *skb)
{
	struct skb_find *f = ctx;
	(void)net;
	if (skb->id != f->id || f->data)
		return;
	f->data = malloc(skb->len ? skb->len : 1);
	if (f->data) {
		memcpy(f->data, skb->data, skb->len);
		f->len = skb->len;
	}
}

static int on_net(void *ctx, struct net *net, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	ip_frag_set_reasm_cb(net, on_reasm, ctx);
	return 0;
}

static void count_ev(void *ctx, const struct trace_event *ev)
{
	(void)ev;
	((struct skb_find *)ctx)->events++;
}

int web_trace_source(struct web_trace *t, char *src, size_t srclen, char *scen, size_t scenlen, char *err,
			size_t errlen)
{
	cJSON *m = cJSON_Parse(store_meta_start(t->s) ? store_meta_start(t->s) : "");
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(m, "source");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(m, "scenario");
	int r = -1;
	if (t->live || !cJSON_IsString(so) || access(so->valuestring, R_OK) != 0 ||
	    strstr(so->valuestring, ".jsonl"))
		snprintf(err, errlen, "trace %d keeps no capture to replay: only its captured frames have bytes", t->id);
	else {
		snprintf(src, srclen, "%s", so->valuestring);
		scen[0] = 0;
		r = 0;
		if (cJSON_IsObject(sc)) {
			char *txt = cJSON_PrintUnformatted(sc);
			const char *dir = getenv("TMPDIR");
			snprintf(scen, scenlen, "%s/netjourney-skb-XXXXXX", dir && *dir ? dir : "/tmp");
			int fd = txt ? mkstemp(scen) : -1;
			FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
			if (!fp || fputs(txt, fp) < 0 || fclose(fp) != 0) {
				snprintf(err, errlen, "cannot write a temporary scenario");
				if (fd >= 0)
					unlink(scen);
				r = -1;
			}
			free(txt);
		}
	}
	cJSON_Delete(m);
	return r;
}

/* The 1-based rank of skb id among the trace's dev_queue_xmit calls, 0 if
 * it is never sent; *last gets the trace's last seq. */
static uint64_t xmit_rank(struct nj_store *s, uint64_t id, uint64_t *last)
{
	uint64_t k = 0, hit = 0;
	store_lock(s);
	int fn = store_name_id(s, "dev_queue_xmit");
	size_t n = store_nevents(s);
	for (size_t i = 0; fn >= 0 && i < n && !hit; i++) {
		struct store_ev e_buf;
		const struct store_ev *e = store_ev_at(s, i, &e_buf);
		if (e->fn == fn && e->ph == 'B' && ++k && e->skb == (int64_t)id)
			hit = k;
	}
	struct store_ev le;
	*last = n && store_ev_get(s, n - 1, &le) == 0 ? le.seq : 0;
	store_unlock(s);
	return hit;
}

/* The k-th frame of the pcapng the replay wrote, as hex in o, with its
 * interface's link type: read by the project's own block reader, since a
 * host of Ethernet and tun devices writes interfaces of two link types,
 * which libpcap refuses. */
static int nth_frame(const char *path, uint64_t k, cJSON *o)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	char err[256];
	int r = -1;
	if (source_pcap_open(&src, path, err, sizeof(err)) < 0)
		return -1;
	for (uint64_t i = 1; source_pcap_next(&src, &h, &d, err, sizeof(err)) == 1; i++) {
		if (i < k)
			continue;
		char *hex = malloc((size_t)h->caplen * 2 + 1);
		if (hex) {
			frame_hex(d, h->caplen, hex);
			hex[(size_t)h->caplen * 2] = 0;
			cJSON_AddNumberToObject(o, "linktype", src.frame_dlt);
			cJSON_AddStringToObject(o, "frame", hex);
			free(hex);
			r = 0;
		}
		break;
	}
	source_pcap_close(&src);
	return r;
}

/* Replays the capture; 0 when it made exactly the trace's events. */
static int replay_again(const char *src, const char *scen, const char *out, int how, struct skb_find *f,
			uint64_t last)
{
	struct replay_cfg cfg = { .pcap = src, .scenario = scen[0] ? scen : NULL, .no_csum = how & 1,
				  .learn_neigh = how >> 1, .write_pcap = out, .on_net = on_net, .on_net_ctx = f };
	cfg.emit[0] = count_ev;
	cfg.emit_ctx[0] = f;
	cfg.nemit = 1;
	struct replay_result res;
	struct net *net = NULL;
	char err[256];
	free(f->data);
	f->data = NULL;
	f->events = 0;
	int r = replay_run(&cfg, &res, &net, err, sizeof(err));
	free(res.scenario_json);
	if (net)
		net_destroy(net);
	return r == 0 && f->events == last ? 0 : -1;
}

/* An skb whose bytes cannot be known: not an error, an answer that says why. */
static enum MHD_Result unknown(struct web_req *r, int64_t skb, const char *why)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "skb", (double)skb);
	cJSON_AddNullToObject(o, "frame");
	cJSON_AddStringToObject(o, "why", why);
	if (r->held)
		cache_put(r->held, skb, o);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}

static enum MHD_Result skb_answer(struct web_req *r, struct web_trace *t, const int64_t *ids);

enum MHD_Result api_skb(struct web_req *r, const int64_t *ids)
{
	struct web_trace *t = web_req_trace(r, ids[0]);
	if (!t)
		return web_error(r->conn, MHD_HTTP_NOT_FOUND, "no trace %lld", (long long)ids[0]);
	if (web_opening(t, NULL, NULL))		/* an skb's later events may still come */
		return web_not_ready(r, t, "an skb's journey is known once the whole capture is replayed");
	pthread_mutex_lock(&skb_mu);
	char *hit = cache_get(t, ids[1]);
	cJSON *o = hit ? cJSON_Parse(hit) : NULL;
	free(hit);
	enum MHD_Result res = o ? web_reply(r->conn, MHD_HTTP_OK, o) : skb_answer(r, t, ids);
	pthread_mutex_unlock(&skb_mu);
	return res;
}

/* The answer for skb ids[1] of t, replayed now; called with skb_mu held. */
static enum MHD_Result skb_answer(struct web_req *r, struct web_trace *t, const int64_t *ids)
{
	char src[1024], scen[256], out[256], err[256];
	store_lock(t->s);
	size_t nev = store_nevents(t->s);
	store_unlock(t->s);
	if (nev > SKB_MAX_EVENTS)
		return web_error(r->conn, 413, "trace %d is too long to replay for one skb's bytes", t->id);
	if (web_trace_source(t, src, sizeof(src), scen, sizeof(scen), err, sizeof(err)) < 0)
		return unknown(r, ids[1], err);
	uint64_t last, k = xmit_rank(t->s, (uint64_t)ids[1], &last);
	const char *dir = getenv("TMPDIR");
	snprintf(out, sizeof(out), "%s/netjourney-skbout-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(out);
	struct skb_find f = { .id = (uint64_t)ids[1] };
	/* The trace keeps its scenario, not how it was run: with checksums
	 * verified or not, and (an inferred host's) peers learned from frames
	 * or not; the run that makes the trace's events is the one. */
	int ok = 0;
	for (int how = 0; fd >= 0 && how < 4 && !ok; how++)
		ok = replay_again(src, scen, out, how, &f, last) == 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "skb", (double)ids[1]);
	if (ok && k && nth_frame(out, k, o) == 0)
		cJSON_AddStringToObject(o, "how", "sent");
	else if (ok && f.data) {
		char *hex = malloc(f.len * 2 + 1);
		for (size_t j = 0; hex && j < f.len; j++)
			snprintf(hex + j * 2, 3, "%02x", f.data[j]);
		if (hex) {
			hex[f.len * 2] = 0;
			cJSON_AddStringToObject(o, "how", "reassembled");
			cJSON_AddNumberToObject(o, "linktype", DLT_RAW);
			cJSON_AddStringToObject(o, "frame", hex);
		}
		free(hex);
	}
	if (fd >= 0) {
		close(fd);
		unlink(out);
	}
	if (scen[0])
		unlink(scen);
	free(f.data);
	if (!cJSON_GetObjectItemCaseSensitive(o, "frame")) {
		cJSON_Delete(o);
		if (!ok)
			return web_error(r->conn, MHD_HTTP_CONFLICT, "replaying trace %d again does not give the same events", t->id);
		snprintf(err, sizeof(err), "skb %lld is neither sent nor reassembled whole in trace %d", (long long)ids[1], t->id);
		return unknown(r, ids[1], err);
	}
	cache_put(t, ids[1], o);
	return web_reply(r->conn, MHD_HTTP_OK, o);
}
