/*
 * diffkernel_nj.c - the netjourney half of diff-kernel: the capture is read
 * into memory (both halves need it, the kernel half frame by frame), then
 * replayed with replay_run exactly as `netjourney replay -w out.pcap` does.
 * Which input a sent frame answers is found from the order of events: after
 * each softirq run (and each timer run) the replay calls us back; the
 * frames sent so far belong to the input fed last, which is the rule the
 * kernel half uses too ("everything sent before input i+1 answers input i").
 * A tun interface's packets, in the capture and in -w, are bare IP: they
 * get the fixed header of diffkernel.h here.
 */
#include "diffkernel.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dissect.h"
#include "frame.h"
#include "ipv6.h"
#include "pcapng_reader.h"
#include "replay_ahead.h"
#include "replay.h"
#include "source_pcap.h"

const uint8_t dk_tun_mac[6] = { 0x02, 0x6e, 0x6a, 0x74, 0x75, 0x6e };	/* "njtun" */
const uint8_t dk_nolink_mac[6] = { 0x02, 0x6e, 0x6a, 0x70, 0x65, 0x72 };	/* "njper" */

void dk_tun_header(const uint8_t *ip, uint32_t len, uint8_t hdr[DK_TUN_HLEN])
{
	uint8_t v = len ? ip[0] >> 4 : 0;
	memcpy(hdr, dk_tun_mac, 6);
	memcpy(hdr + 6, dk_tun_mac, 6);
	hdr[12] = v == 4 ? 0x08 : v == 6 ? 0x86 : 0;
	hdr[13] = v == 6 ? 0xdd : 0;
}

/* The frame hlen bytes of hdr, then len bytes of data. */
static int list_add2(struct dk_list *l, const uint8_t *hdr, uint32_t hlen, const uint8_t *data, uint32_t len,
		     uint64_t ts, int dev)
{
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 8;
		struct dk_frame *v = realloc(l->v, c * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = c;
	}
	uint8_t *p = malloc(hlen + len ? hlen + len : 1);
	if (!p)
		return -1;
	if (hlen)
		memcpy(p, hdr, hlen);
	memcpy(p + hlen, data, len);
	l->v[l->n++] = (struct dk_frame){ .data = p, .len = hlen + len, .ts_ns = ts, .dev = dev };
	return 0;
}

int dk_list_add(struct dk_list *l, const uint8_t *data, uint32_t len, uint64_t ts, int dev)
{
	return list_add2(l, NULL, 0, data, len, ts, dev);
}

int dk_list_add_tun(struct dk_list *l, const uint8_t *ip, uint32_t len, uint64_t ts, int dev)
{
	uint8_t hdr[DK_TUN_HLEN];
	dk_tun_header(ip, len, hdr);
	return list_add2(l, hdr, DK_TUN_HLEN, ip, len, ts, dev);
}

void dk_list_free(struct dk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void dk_side_free(struct dk_side *s, size_t nin)
{
	if (s->out)
		for (size_t i = 0; i < nin; i++)
			dk_list_free(&s->out[i]);
	free(s->out);
	s->out = NULL;
}

/* The scenario's Ethernet interface whose MAC is mac, or -1. */
static int host_dev_of(const struct net *net, const uint8_t *mac)
{
	for (int i = 0; i < net->ndevs; i++)
		if (dev_has_header(&net->devs[i]) && !memcmp(net->devs[i].dev_addr, mac, 6))
			return i;
	return -1;
}

/* netjourney's "recorded transmit" rule (source_pcap.c): the host's MAC as
 * source, unless it is IPv4 from an address the host does not have (a
 * capture whose MACs are all alike: sent to the host after all). */
static int recorded_transmit(const struct net *net, const uint8_t *d, uint32_t len)
{
	uint32_t saddr;
	if (len < 14 || host_dev_of(net, d + 6) < 0)
		return 0;
	if (len < 14 + 20 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4)
		return 1;
	memcpy(&saddr, d + 14 + 12, 4);
	return ip_dev_find((struct net *)net, saddr) != NULL;
}

/* netjourney's rule on a tun device (source_pcap.c driver_link): the
 * pcapng direction flag, a cooked header's "outgoing", else a source
 * address the host has. */
static int tun_host_sent(const struct net *net, const struct pcap_source *src, const struct frame_l2 *l2,
			 const uint8_t *ip, uint32_t len)
{
	struct in6 s6;
	uint32_t saddr;
	if (src->dir)
		return src->dir == 2;
	if (l2->pkt_type == PACKET_OUTGOING)
		return 1;
	if (l2->proto == 0x0800 && len >= 20 && (ip[0] >> 4) == 4) {
		memcpy(&saddr, ip + 12, 4);
		return ip_dev_find((struct net *)net, saddr) != NULL;
	}
	if (l2->proto == 0x86dd && len >= 40 && (ip[0] >> 4) == 6) {
		memcpy(s6.s6, ip + 8, 16);
		return ipv6_chk_addr((struct net *)net, &s6, NULL) != NULL;
	}
	return 0;
}

/* A frame for a tun interface: its link header (any netjourney reads) off,
 * as driver_link takes it off; one cut short leaves nothing, which both
 * sides drop. */
static int add_tun_input(const struct net *net, const struct pcap_source *src, struct dk_list *in,
			 const uint8_t *d, uint32_t caplen, uint64_t t, int dev)
{
	struct frame_l2 l2;
	uint32_t off = caplen;
	if (frame_link(src->frame_dlt, d, caplen, &l2) == 0 && l2.l3_off <= caplen)
		off = l2.l3_off;
	else
		memset(&l2, 0, sizeof(l2));
	if (dk_list_add_tun(in, d + off, caplen - off, t, dev) < 0)
		return -1;
	in->v[in->n - 1].host_sent = tun_host_sent(net, src, &l2, d + off, caplen - off);
	return 0;
}

/*
 * A cooked frame (tcpdump -i any) for an Ethernet interface: its MAC header
 * is rebuilt so that eth_type_trans in the kernel gives the packet type
 * the cooked header recorded: to the interface's MAC (HOST), broadcast,
 * the group MAC of its IPv4 or IPv6 destination (MULTICAST) or another
 * host's (OTHERHOST), from the sender's link address when it has one. A
 * frame the host sent (OUTGOING) is not injected; its destination MAC is
 * unknown, so it goes to broadcast, which teaches no neighbour.
 */
static int add_cooked_input(const struct net_device *dev, const struct frame_l2 *l2, struct dk_list *in,
			    const uint8_t *d, uint32_t caplen, uint64_t t, int devi)
{
	static const uint8_t other[6] = { 0x02, 0x6e, 0x6a, 0x6f, 0x74, 0x68 };	/* "njoth" */
	uint8_t hdr[14];
	const uint8_t *l3 = d + l2->l3_off;
	uint32_t n = caplen - l2->l3_off;
	memset(hdr, 0xff, 6);
	if (l2->pkt_type == PACKET_HOST) {
		memcpy(hdr, dev->dev_addr, 6);
	} else if (l2->pkt_type == PACKET_OTHERHOST) {
		memcpy(hdr, other, 6);
	} else if (l2->pkt_type == PACKET_MULTICAST && l2->proto == 0x0800 && n >= 20) {
		memcpy(hdr, "\x01\x00\x5e", 3);		/* ip_eth_mc_map */
		memcpy(hdr + 3, l3 + 17, 3);
		hdr[3] &= 0x7f;
	} else if (l2->pkt_type == PACKET_MULTICAST && l2->proto == 0x86dd && n >= 40) {
		memcpy(hdr, "\x33\x33", 2);			/* ipv6_eth_mc_map */
		memcpy(hdr + 2, l3 + 36, 4);
	}
	memcpy(hdr + 6, l2->pkt_type == PACKET_OUTGOING ? dev->dev_addr : l2->src && l2->src_len == 6 ? l2->src : dk_nolink_mac, 6);
	hdr[12] = (uint8_t)(l2->proto >> 8);
	hdr[13] = (uint8_t)l2->proto;
	if (list_add2(in, hdr, sizeof(hdr), l3, n, t, devi) < 0)
		return -1;
	in->v[in->n - 1].host_sent = l2->pkt_type == PACKET_OUTGOING;
	return 0;
}

static void not_ethernet(const char *path, const struct net_device *dev, int dlt, char *err, size_t errlen)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	snprintf(err, errlen, "%s: diff-kernel needs an Ethernet capture for interface %s (link type %d%s%s%s is "
		 "not one): its frames are injected into a veth as they are. A capture without a link-layer header "
		 "(raw IP, BSD loopback) is compared on a tun interface (scenario \"type\": \"tun\")", path,
		 dev->name, dlt, name ? ", " : "", name ? name : "", name ? "," : "");
}

int dk_load_capture(const char *path, const struct net *net, struct dk_list *in, char *err, size_t errlen)
{
	struct pcap_source src;
	struct pcap_pkthdr *h;
	const uint8_t *d;
	int r;

	if (source_pcap_open(&src, path, err, errlen) < 0)
		return -1;
	while ((r = source_pcap_next(&src, &h, &d, err, errlen)) == 1) {
		if (in->n >= DK_MAX_FRAMES) {
			snprintf(err, errlen, "%s: more than %d frames; diff-kernel is for small captures", path,
				 DK_MAX_FRAMES);
			r = -1;
			break;
		}
		uint64_t t = replay_frame_time(h, 0, NULL, 0);	/* as replay plays it */
		/* pcapng: the frame's own interface; cooked: the interface of
		 * the kind its header names; mapped as replay maps it */
		int dev = src.iface < net->ndevs ? src.iface : 0;
		int cooked = src.frame_dlt == DLT_LINUX_SLL || src.frame_dlt == DLT_LINUX_SLL2;
		struct frame_l2 l2;
		if (cooked)
			dev = (int)(cooked_frame_dev((struct net *)net, src.frame_dlt, d, h->caplen,
						     (struct net_device *)&net->devs[dev]) - net->devs);
		if (cooked && frame_link(src.frame_dlt, d, h->caplen, &l2) == 0 && l2.hatype == NJ_ARPHRD_LOOPBACK) {
			snprintf(err, errlen, "%s: frame %llu crossed lo (tcpdump -i any): the kernel's own lo cannot be "
				 "fed a frame as a veth can; leave lo's frames out to compare the rest (SLL2: tcpdump "
				 "-r X -w Y not ifindex 1)", path, (unsigned long long)src.frames);
			r = -1;
			break;
		}
		if (!dev_has_header(&net->devs[dev])) {
			r = add_tun_input(net, &src, in, d, h->caplen, t, dev);
		} else if (cooked && frame_link(src.frame_dlt, d, h->caplen, &l2) == 0 && l2.l3_off <= h->caplen) {
			r = add_cooked_input(&net->devs[dev], &l2, in, d, h->caplen, t, dev);
		} else if (src.frame_dlt != DLT_EN10MB) {
			not_ethernet(path, &net->devs[dev], src.frame_dlt, err, errlen);
			r = -1;
			break;
		} else if ((r = dk_list_add(in, d, h->caplen, t, dev)) == 0) {
			in->v[in->n - 1].host_sent = recorded_transmit(net, d, h->caplen);
		}
		if (r < 0) {
			snprintf(err, errlen, "out of memory");
			break;
		}
	}
	source_pcap_close(&src);
	return r < 0 ? -1 : 0;
}

void dk_play_times(struct dk_list *in, const struct dk_opts *o, char *notes, size_t noteslen)
{
	const uint64_t max_gap = (uint64_t)o->max_gap_ms * 1000000ULL;
	for (size_t k = 0; k < in->n; k++) {
		struct dk_frame *f = &in->v[k];
		if (!k) {
			f->play_ns = f->ts_ns;
			continue;
		}
		const struct dk_frame *p = &in->v[k - 1];
		uint64_t gap = f->ts_ns > p->ts_ns ? f->ts_ns - p->ts_ns : 0;
		if (gap > max_gap) {
			size_t l = strlen(notes);
			if (l + 120 < noteslen)
				snprintf(notes + l, noteslen - l, "capture gap of %.3f s before frame %zu replayed as "
					 "%.3f s on both sides (--max-gap)\n", (double)gap / 1e9, k + 1,
					 (double)max_gap / 1e9);
			gap = max_gap;
		}
		f->play_ns = p->play_ns + gap;
	}
}

/* A mark: after `fed` inputs, `sent` frames had left the host. */
struct nj_ctx {
	struct replay_result *res;
	struct net *net;
	size_t *marks_fed, *marks_sent, nmarks, cap;
};

static uint64_t tx_total(const struct net *net)
{
	uint64_t t = 0;
	for (int i = 0; i < net->ndevs; i++)
		t += net->devs[i].tx_packets;
	return t;
}

/* net.core.rmem_max is one value for every namespace in Linux (it sizes
 * the window scale with tcp_rmem[2]) and cannot be set from the host's
 * namespace: netjourney's side takes this machine's. */
static int on_net(void *ctx, struct net *net, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
	unsigned long v;

	(void)err;
	(void)errlen;
	((struct nj_ctx *)ctx)->net = net;
	if (f && fscanf(f, "%lu", &v) == 1 && v > 0 && v <= 0x7fffffffUL)
		net->sysctl.rmem_max = (uint32_t)v;
	if (f)
		fclose(f);
	return 0;
}

static void after_softirq(void *ctx)
{
	struct nj_ctx *c = ctx;
	if (!c->net || c->nmarks == c->cap)
		return;
	c->marks_fed[c->nmarks] = (size_t)c->res->frames;
	c->marks_sent[c->nmarks++] = (size_t)tx_total(c->net);
}

/* The input the sent frame number j answers. */
static size_t owner_of(const struct nj_ctx *c, size_t j)
{
	for (size_t k = 0; k < c->nmarks; k++)
		if (c->marks_sent[k] > j)
			return c->marks_fed[k] ? c->marks_fed[k] - 1 : 0;
	return c->res->frames ? (size_t)c->res->frames - 1 : 0;
}

/* Reads back the -w file (pcapng, one interface block per device: our own
 * reader, as libpcap would not give each packet's interface), attributing
 * each frame to its input. */
static int collect(const char *path, const struct nj_ctx *c, const struct net *net, const struct dk_list *in,
		   struct dk_side *nj, char *err, size_t errlen)
{
	struct pcapng_reader rd;
	struct pcapng_pkt p;
	char e[200];
	size_t j = 0;
	FILE *f = fopen(path, "rb");
	if (!f || pcapng_open_reader(&rd, f, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: %s", path, f ? e : "cannot open");
		if (f)
			fclose(f);
		return -1;
	}
	while (pcapng_next(&rd, &p, e, sizeof(e)) == 1) {
		size_t o = owner_of(c, j++);
		/* A recorded transmit is no input: what the stack sends while
		 * it passes (a held SYN-ACK, say) answers the latest real input,
		 * the rule the kernel half uses. */
		while (o > 0 && o < in->n && in->v[o].host_sent)
			o--;
		if (o >= in->n)
			continue;
		/* -w has one interface block per device, in order */
		int tun = p.iface >= 0 && p.iface < net->ndevs && !dev_has_header(&net->devs[p.iface]);
		if (tun ? dk_list_add_tun(&nj->out[o], p.data, p.caplen, 0, p.iface)
			: dk_list_add(&nj->out[o], p.data, p.caplen, 0, p.caplen >= 12 ? host_dev_of(net, p.data + 6) : -1))
			break;
	}
	pcapng_close_reader(&rd);
	fclose(f);
	return 0;
}

int dk_nj_run(const struct dk_opts *o, const struct dk_list *in, struct dk_side *nj, struct net **pnet, char *err,
	      size_t errlen)
{
	char tmp[] = "/tmp/netjourney-dk-XXXXXX";
	struct replay_result res;
	size_t nin = in->n;
	struct nj_ctx c = { .res = &res, .cap = 4 * nin + 16 };
	uint64_t *play = malloc((nin ? nin : 1) * sizeof(*play));
	for (size_t k = 0; play && k < nin; k++)
		play[k] = in->v[k].play_ns;
	/* --auto-host as replay does it, peers' MACs learned from their frames
	 * included (the kernel half mirrors that); the scenario is the same. */
	struct replay_cfg cfg = { .pcap = o->pcap, .scenario = o->auto_host ? NULL : o->scenario,
				  .auto_host = o->auto_host, .write_pcap = tmp,
				  .after_softirq = after_softirq, .after_ctx = &c, .on_net = on_net,
				  .on_net_ctx = &c, .stop = (volatile int *)&dk_stop,
				  .stop_at_end = !o->after_ms,	/* as the kernel half: --after */
				  .after_max_ns = (uint64_t)o->after_ms * 1000000ULL,
				  .retime_ns = play, .nretime = nin };
	int fd = mkstemp(tmp), r = -1;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in /tmp");
		free(play);
		return -1;
	}
	close(fd);
	c.marks_fed = calloc(c.cap, sizeof(size_t));
	c.marks_sent = calloc(c.cap, sizeof(size_t));
	nj->out = calloc(nin ? nin : 1, sizeof(*nj->out));
	if (!play || !c.marks_fed || !c.marks_sent || !nj->out) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (replay_run(&cfg, &res, pnet, err, errlen) < 0)
		goto out;
	if (collect(tmp, &c, *pnet, in, nj, err, errlen) < 0)
		goto out;
	for (int m = 0; m < MIB_MAX; m++) {
		nj->mib[m] = (int64_t)(*pnet)->mib[m];
		nj->known[m] = 1;
	}
	r = 0;
out:
	free(res.scenario_json);
	free(play);
	free(c.marks_fed);
	free(c.marks_sent);
	unlink(tmp);
	char partial[sizeof(tmp) + 8];	/* what a failed replay's -w leaves */
	snprintf(partial, sizeof(partial), "%s.partial", tmp);
	unlink(partial);
	return r;
}

int dk_has_ipv6(const struct dk_list *in)
{
	for (size_t i = 0; i < in->n; i++) {
		const uint8_t *f = in->v[i].data;
		uint32_t off = 12;
		while (off + 4 <= in->v[i].len && ((f[off] == 0x81 && f[off + 1] == 0x00) || (f[off] == 0x88 && f[off + 1] == 0xa8)))
			off += 4;
		if (off + 2 <= in->v[i].len && f[off] == 0x86 && f[off + 1] == 0xdd)
			return 1;
	}
	return 0;
}
