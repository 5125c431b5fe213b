/*
 * source_pcap.c - capture input and the replay "driver" (see source_pcap.h).
 * Plays the part of a NIC driver's receive routine (e.g. tun_get_user or
 * e1000_clean_rx_irq): allocate an skb, copy the frame, classify, netif_rx.
 * Left out: per-packet interface ids of pcapng (libpcap does not expose
 * them), so every frame arrives on the first interface.
 */
#include "ipv6.h"
#include "source_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "af_packet.h"
#include "dissect.h"
#include "frame.h"
#include "stack.h"
#include "tcp.h"

/* stdio's own buffer is st_blksize (4 KiB): a read system call every few
 * dozen frames, a tenth of an untraced replay. The buffer has to be ours:
 * glibc ignores a size given with a NULL buffer. */
#define SOURCE_PCAP_IOBUF	(256 * 1024)

/* Whether the block reader will read the file at path: then libpcap reads
 * only its header and perhaps its tail, and stdio's own buffer will do
 * (the large one cost a read of 256 KiB into new pages at every open,
 * three a replay: 1% of an untraced one). */
static int blocks_likely(FILE *f, const struct stat *st)
{
	unsigned char fh[8];
	/* pread: the stream's position stays where libpcap expects it */
	return S_ISREG(st->st_mode) && pread(fileno(f), fh, sizeof(fh), 0) == (ssize_t)sizeof(fh) &&
	       pcap_blocks_header_ok(fh);
}

static pcap_t *open_buffered(struct pcap_source *s, const char *path, const struct stat *st, char *perr)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(perr, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	if (!blocks_likely(f, st) && (s->iobuf = malloc(SOURCE_PCAP_IOBUF)))
		setvbuf(f, s->iobuf, _IOFBF, SOURCE_PCAP_IOBUF);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		fclose(f);
		free(s->iobuf);
		s->iobuf = NULL;
	}
	return p;
}

/* A pcapng file: our reader, and its first packet read now so that the
 * interfaces before it (and so the link type) are known. */
static int open_ng(struct pcap_source *s, const char *path, char *err, size_t errlen)
{
	char e[200];
	s->ngf = fopen(path, "rb");
	s->ngr = calloc(1, sizeof(*s->ngr));
	s->iobuf = malloc(SOURCE_PCAP_IOBUF);
	if (!s->ngf || !s->ngr || !s->iobuf) {
		snprintf(err, errlen, "%s: %s", path, s->ngf ? "out of memory" : strerror(errno));
		return -1;
	}
	setvbuf(s->ngf, s->iobuf, _IOFBF, SOURCE_PCAP_IOBUF);
	if (pcapng_open_reader(s->ngr, s->ngf, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: %s", path, e);
		return -1;
	}
	int r = pcapng_next(s->ngr, &s->ngp, e, sizeof(e));
	if (r == -1) {
		snprintf(err, errlen, "%s: not a readable pcapng capture: %s", path, e);
		return -1;
	}
	s->pending = r == 1;
	s->dlt = s->ngr->nifs ? s->ngr->ifs[0].dlt : NJ_DLT_EN10MB;
	return 0;
}

static enum frame_file_kind file_kind(const char *path)
{
	uint8_t b[4] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(b, 1, 4, f) : 0;
	if (f)
		fclose(f);
	return frame_sniff_file(b, n);
}

static int dlt_error(struct pcap_source *s, const char *path, int dlt, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: link type %d (%s) is not supported; expected Ethernet, Linux cooked "
		 "(SLL, SLL2), raw IPv4, BSD loopback (NULL, LOOP) or PPP", path, dlt,
		 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
	source_pcap_close(s);
	return -1;
}

int source_pcap_rereadable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int source_pcap_open(struct pcap_source *s, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected a pcap or pcapng file", path);
		return -1;
	}
	/* A pipe is read once: by libpcap, which reads pcapng too (one link
	 * type, no per-packet interfaces); its first bytes are not sniffed. */
	enum frame_file_kind kind = S_ISREG(st.st_mode) ? file_kind(path) : FRAME_FILE_PCAP;
	if (kind == FRAME_FILE_GZIP || kind == FRAME_FILE_ZSTD) {
		snprintf(err, errlen, "%s: a %s-compressed capture: decompress it first (%s)", path,
			 kind == FRAME_FILE_GZIP ? "gzip" : "zstd", kind == FRAME_FILE_GZIP ? "gunzip -k" : "unzstd");
		return -1;
	}
	if (kind == FRAME_FILE_PCAPNG) {
		if (open_ng(s, path, err, errlen) < 0) {
			source_pcap_close(s);
			return -1;
		}
		for (int i = 0; i < s->ngr->nifs; i++)
			if (!frame_dlt_known(s->ngr->ifs[i].dlt))
				return dlt_error(s, path, s->ngr->ifs[i].dlt, err, errlen);
	} else {
		s->p = open_buffered(s, path, &st, perr);
		if (!s->p) {
			snprintf(err, errlen, "%s: not a readable pcap/pcapng capture: %s", path, perr);
			return -1;
		}
		s->dlt = pcap_datalink(s->p);
		if (!frame_dlt_known(s->dlt))
			return dlt_error(s, path, s->dlt, err, errlen);
		s->good_end = 24;
		if (S_ISREG(st.st_mode))
			s->blk = pcap_blocks_open(path, pcap_snapshot(s->p));
	}
	s->frame_dlt = s->dlt;
	s->path = strdup(path);
	s->size = (long)st.st_size;
	return 0;
}

long source_pcap_offset(const struct pcap_source *s)
{
	FILE *f = s->ngf ? s->ngf : s->p ? pcap_file(s->p) : NULL;
	if (s->blk)
		return (long)s->blk->off;
	return f ? ftell(f) : -1;
}

/* The next pcapng packet, as libpcap would hand it. */
static int next_ng(struct pcap_source *s, struct pcap_pkthdr **hdr, const uint8_t **data, char *err,
		   size_t errlen)
{
	char e[200];
	int r = s->pending ? 1 : pcapng_next(s->ngr, &s->ngp, e, sizeof(e));
	s->pending = 0;
	if (r == 0)
		return 0;
	if (r < 0) {
		s->good_end = s->ngr->good_end;
		snprintf(err, errlen, "%s: %s after frame %llu%s", s->path, e, (unsigned long long)s->frames,
			 r == -2 ? "; the complete frames before it were replayed" : "");
		return r == -2 ? SOURCE_TAIL : -1;
	}
	const struct pcapng_iface *i = &s->ngr->ifs[s->ngp.iface];
	if (!frame_dlt_known(i->dlt)) {
		snprintf(err, errlen, "%s: frame %llu: interface %d's link type %d is not supported", s->path,
			 (unsigned long long)s->frames + 1, s->ngp.iface, i->dlt);
		return -1;
	}
	s->ngh.ts.tv_sec = (time_t)(s->ngp.ts_ns / 1000000000ULL);
	s->ngh.ts.tv_usec = (suseconds_t)(s->ngp.ts_ns % 1000000000ULL);	/* ns, as libpcap's nano mode */
	s->ngh.caplen = s->ngp.caplen;
	s->ngh.len = s->ngp.len;
	*hdr = &s->ngh;
	*data = s->ngp.data;
	s->frame_dlt = i->dlt;
	s->iface = s->ngp.iface;
	s->dir = s->ngp.dir;
	s->frames++;
	return 1;
}

/* Everything but a plain pcap record the block reader hands out: pcapng,
 * the block reader's end (shrunk, or libpcap reads on), libpcap. */
static __attribute__((noinline)) int next_other(struct pcap_source *s, struct pcap_pkthdr **hdr,
						const uint8_t **data, char *err, size_t errlen)
{
	if (s->ngr)
		return next_ng(s, hdr, data, err, errlen);
	if (s->blk) {
		if (pcap_blocks_shrunk(s->blk)) {
			snprintf(err, errlen, "%s: the file shrank while it was read (%llu bytes at the start, less "
				 "now) after frame %llu", s->path, (unsigned long long)s->blk->size,
				 (unsigned long long)s->frames);
			return -1;
		}
		/* the end, or a record libpcap has to judge: it reads on from there */
		int sk = fseeko(pcap_file(s->p), (off_t)s->blk->off, SEEK_SET);
		pcap_blocks_close(s->blk);
		s->blk = NULL;
		if (sk != 0) {
			snprintf(err, errlen, "%s: frame %llu: %s", s->path, (unsigned long long)s->frames + 1,
				 strerror(errno));
			return -1;
		}
	}
	int r = pcap_next_ex(s->p, hdr, data);
	if (r == 1) {
		s->frames++;
		s->good_end += 16 + (*hdr)->caplen;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK)
		return 0;
	/* libpcap's words for a record cut short by the end of the file:
	 * all that came before was whole. */
	if (strstr(pcap_geterr(s->p), "truncated")) {
		snprintf(err, errlen, "%s: byte offset %llu: a truncated record or trailing garbage after frame %llu "
			 "(%s); the %llu complete frames were replayed", s->path, (unsigned long long)s->good_end,
			 (unsigned long long)s->frames, pcap_geterr(s->p), (unsigned long long)s->frames);
		return SOURCE_TAIL;
	}
	/* Where the reader stopped; asking for the position before every
	 * frame (an lseek each) cost a quarter of an untraced replay. */
	snprintf(err, errlen, "%s: frame %llu at byte offset %ld: %s", s->path, (unsigned long long)s->frames + 1,
		 source_pcap_offset(s), pcap_geterr(s->p));
	return -1;
}

int source_pcap_next(struct pcap_source *s, struct pcap_pkthdr **hdr, const uint8_t **data, char *err,
		     size_t errlen)
{
	/* the usual record, on a short path (a plain pcap file has no ngr) */
	if (s->blk && pcap_blocks_next(s->blk, hdr, data)) {
		s->frames++;
		s->good_end += 16 + (*hdr)->caplen;
		return 1;
	}
	return next_other(s, hdr, data, err, errlen);
}

void source_pcap_close(struct pcap_source *s)
{
	pcap_blocks_close(s->blk);
	s->blk = NULL;
	if (s->p)
		pcap_close(s->p);	/* closes the stream before its buffer goes */
	if (s->ngr)
		pcapng_close_reader(s->ngr);
	if (s->ngf)
		fclose(s->ngf);
	free(s->ngr);
	free(s->iobuf);
	free(s->path);
	s->p = NULL;
	s->ngr = NULL;
	s->ngf = NULL;
	s->path = NULL;
	s->iobuf = NULL;
}

/* The frame's bytes and what it is, as args of the driver_rx event. */
static void driver_args(struct net *net, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len, int flags,
			const char *comment)
{
	uint32_t n = caplen < 16384 ? caplen : 16384;
	struct jw *a = trace_args(net);
	jw_kv_int(a, "linktype", dlt);
	jw_kv_uint(a, "caplen", caplen);
	jw_kv_uint(a, "len", len);
	jw_key(a, "frame");
	jw_raw(a, "\"", 1);
	char buf[256];
	for (uint32_t i = 0; i < n; i += 128) {
		uint32_t k = n - i < 128 ? n - i : 128;
		frame_hex(data + i, k, buf);
		jw_raw(a, buf, 2 * k);
	}
	jw_raw(a, "\"", 1);
	a->need_comma = 1;
	if (n < caplen)
		jw_kv_bool(a, "frame_cut", 1);
	if (flags & (DRV_INBOUND | DRV_OUTBOUND))
		jw_kv_str(a, "direction", flags & DRV_OUTBOUND ? "outbound" : "inbound");
	if (comment && comment[0])
		jw_kv_str(a, "comment", comment);
}

static int is_host_ip(struct net *net, const uint8_t *ip, uint32_t len)
{
	uint32_t saddr;
	if (len < 20 || (ip[0] >> 4) != 4)
		return 0;
	memcpy(&saddr, ip + 12, 4);
	if (ip_dev_find(net, saddr))
		return 1;
	/* lo's 127.0.0.1/8 makes all of 127/8 the host's (fib_add_ifaddr adds
	 * a loopback device's prefix as RTN_LOCAL): systemd-resolved's 127.0.0.53 */
	const struct net_device *lo = ipv4_is_loopback(saddr) ? dev_loopback(net) : NULL;
	return lo && ip_dev_find(net, htonl(0x7f000001)) == lo;
}

static int is_host_ip6(struct net *net, const uint8_t *ip, uint32_t len)
{
	struct in6 s;
	if (len < 40 || (ip[0] >> 4) != 6)
		return 0;
	memcpy(s.s6, ip + 8, 16);
	return ipv6_chk_addr(net, &s, NULL) != NULL;
}

static int is_host_mac(struct net *net, const uint8_t *mac)
{
	for (int i = 0; i < net->ndevs; i++)
		if (dev_has_header(&net->devs[i]) && !memcmp(net->devs[i].dev_addr, mac, ETH_ALEN))
			return 1;
	return 0;
}

static int zero_mac(const uint8_t *m)
{
	static const uint8_t zero[ETH_ALEN];
	return !memcmp(m, zero, ETH_ALEN);
}

/* Link-layer framing: sets protocol/pkt_type for cooked, raw, loopback and
 * PPP links. Returns 1 = a frame the host sent (recorded transmit), 0 =
 * receive, -1 = the link header itself is cut short. */
static int driver_link(struct net *net, struct sk_buff *skb, int dlt, int flags)
{
	struct frame_l2 l2;

	skb_reset_mac_header(skb);
	if (dlt == NJ_DLT_EN10MB && dev_has_header(skb->dev)) {
		/* frame_link's one verdict on Ethernet, without its call: a MAC
		 * header (any tags after it end within the frame) */
		if (skb->len < ETH_HLEN)
			return -1;
		const uint8_t *src = skb->data + ETH_ALEN;
		if (flags & (DRV_INBOUND | DRV_OUTBOUND))	/* pcapng EPB flags say it */
			return !!(flags & DRV_OUTBOUND);
		/* A Linux loopback capture (all-zero MACs on a zero-MAC device):
		 * the host sent every frame and received it too. */
		if (zero_mac(src) && dev_is_loopback(skb->dev) && zero_mac(skb->dev->dev_addr))
			return 0;
		return is_host_mac(net, src);
	}
	if (frame_link(dlt, skb->data, skb->len, &l2) < 0 || l2.l3_off > skb->len)
		return -1;
	skb->pkt_type = l2.pkt_type >= 0 ? (uint8_t)l2.pkt_type : PACKET_HOST;
	skb->protocol = l2.proto;
	skb_pull(skb, l2.l3_off);
	if (flags & (DRV_INBOUND | DRV_OUTBOUND))
		return !!(flags & DRV_OUTBOUND);
	if (skb->pkt_type == PACKET_OUTGOING)
		return 1;
	/* lo: the host is at both ends; what it sent, it receives. */
	if (dev_is_loopback(skb->dev))
		return 0;
	return (skb->protocol == ETH_P_IP && is_host_ip(net, skb->data, skb->len)) ||
	       (skb->protocol == ETH_P_IPV6 && is_host_ip6(net, skb->data, skb->len));
}

/* Host inference: pretend ARP already resolved the sender (Ethernet, or a
 * cooked header carrying the sender's 6-byte address). */
static void driver_learn(struct net *net, struct net_device *dev, int dlt, const uint8_t *frame, uint32_t caplen)
{
	struct frame_l2 l2;
	const uint8_t *ip;
	size_t avail;
	uint32_t saddr;
	if (frame_link(dlt, frame, caplen, &l2) < 0 || !l2.src || l2.src_len != ETH_ALEN)
		return;
	if (l2.pkt_type == PACKET_OUTGOING || (l2.src[0] & 1) || zero_mac(l2.src))
		return;
	if (l2.proto == 0x86dd && caplen >= l2.l3_off + 40) {	/* IPv6: its neighbour cache */
		struct in6 s6;
		memcpy(s6.s6, frame + l2.l3_off + 8, 16);
		if (!ipv6_addr_is_multicast(&s6) && !ipv6_addr_any(&s6))
			ndisc_learn(net, dev, &s6, l2.src);
		return;
	}
	if (!(ip = frame_ipv4(dlt, frame, caplen, &l2, &avail)))
		return;
	memcpy(&saddr, ip + 12, 4);
	if (!ipv4_is_multicast(saddr) && !ipv4_is_zeronet(saddr) && !neigh_lookup(net, dev, saddr))
		neigh_update(net, dev, saddr, l2.src, NUD_STALE);
}

/* The IPv4 header of a recorded transmit, or NULL (Ethernet: after the
 * MAC header and any VLAN tags; other links: already at data). */
static const struct iphdr *recorded_ip(const struct sk_buff *skb, int dlt, uint32_t *len)
{
	struct frame_l2 l2;
	size_t avail;
	const uint8_t *ip = frame_ipv4(dlt == NJ_DLT_EN10MB ? dlt : NJ_DLT_RAW, skb->data, skb->len, &l2, &avail);
	if (!ip)
		return NULL;
	*len = (uint32_t)avail;
	return (const struct iphdr *)ip;
}

/* The recorded host's own frames show its neighbour table: ip is reached
 * at mac. Learned (never overriding an entry) so the stack's copies of
 * its segments leave without an ARP exchange the capture cannot answer. */
static void recorded_learn(struct net *net, struct net_device *dev, uint32_t ip, const uint8_t *mac)
{
	if (!dev || (mac[0] & 1) || ipv4_is_multicast(ip) || ipv4_is_lbcast(ip) || ipv4_is_zeronet(ip))
		return;
	/* The host's own frame is its neighbour table's truth: it overrides
	 * what a peer's frame taught (a router's MAC in, a gateway's out). */
	const uint8_t *known = neigh_lookup(net, dev, ip);
	if (!known || memcmp(known, mac, ETH_ALEN))
		neigh_update(net, dev, ip, mac, NUD_STALE);
}

/* A frame that only looked sent by the host: a cooked capture marks what
 * the capturing machine sent OUTGOING even when --auto-host adopted the
 * other end, and a capture without real MACs (all zero) gives every frame
 * the host's. Sent *to* the host, so a copy goes up the receive path. */
static void recorded_rx(struct net *net, const struct sk_buff *skb, int dlt, const struct iphdr *iph,
			uint32_t len)
{
	const uint8_t *l2 = skb_mac_header(skb);
	int eth = dlt == NJ_DLT_EN10MB;
	uint32_t n = eth ? skb->len : len;
	struct sk_buff *rx;

	trace_step(net, skb, "driver_rx", "from %s, not this host: sent to the host, so received after all",
		   ip_fmt(iph->saddr));
	if (eth || (dlt == NJ_DLT_LINUX_SLL && l2[4] == 0 && l2[5] == ETH_ALEN))
		recorded_learn(net, skb->dev, iph->saddr, l2 + 6);	/* the sender's link address */
	if (!(rx = alloc_skb(net, n)))
		return;
	memcpy(skb_put(rx, n), eth ? skb->data : (const uint8_t *)iph, n);
	rx->truesize = packet_alloc_skb_truesize(eth ? n : ETH_HLEN + n);
	rx->dev = skb->dev;
	rx->capture_trunc = skb->capture_trunc;
	if (eth) {
		eth_type_trans(net, rx, skb->dev);
	} else {
		rx->protocol = ETH_P_IP;
		rx->pkt_type = PACKET_HOST;
		skb_reset_mac_header(rx);
	}
	netif_rx(net, rx);
}

/* The TCP payload a recorded segment carried: its length from the IP
 * header (a TSO frame says 0: then what was captured), the bytes the
 * capture missed filled with zeros. Returns the data, NULL if none. */
static const uint8_t *recorded_payload(const struct iphdr *iph, uint32_t avail, uint32_t hl, uint32_t *plen)
{
	static uint8_t pad[65536];
	uint32_t tot = ntohs(iph->tot_len) ? ntohs(iph->tot_len) : avail;
	const uint8_t *p = (const uint8_t *)iph + hl;

	*plen = tot > hl ? tot - hl : 0;
	if (!*plen)
		return NULL;
	if (hl + *plen <= avail)
		return p;
	uint32_t have = avail > hl ? avail - hl : 0;
	memset(pad, 0, *plen);
	memcpy(pad, p, have);
	return pad;
}

/* driver_recorded over IPv6: a TCP segment from one of the host's IPv6
 * addresses (TCP right after the fixed header) keeps its socket in step
 * (tcp_recorded_send6). Returns 1 if the frame was IPv6. */
static int driver_recorded6(struct net *net, const struct sk_buff *skb, int dlt)
{
	static uint8_t pad[65536];
	struct frame_l2 l2 = { .l3_off = 0, .proto = skb->protocol };
	if (dlt == NJ_DLT_EN10MB && frame_link(dlt, skb->data, skb->len, &l2) < 0)
		return 0;
	if (l2.proto != ETH_P_IPV6)
		return 0;
	const uint8_t *h = skb->data + l2.l3_off, *th = h + 40;
	uint32_t len = skb->len - l2.l3_off, doff;
	struct in6 s, d;
	if (len < 40 + 20 || h[6] != NEXTHDR_TCP || (doff = (uint32_t)(th[12] >> 4) * 4) < 20 || len < 40 + doff)
		return 1;
	memcpy(s.s6, h + 8, 16);
	memcpy(d.s6, h + 24, 16);
	if (!ipv6_chk_addr(net, &s, NULL))
		return 1;
	if (dlt == NJ_DLT_EN10MB && !ipv6_addr_is_multicast(&d))
		ndisc_learn_sent(net, skb->dev, &d, skb->data);	/* the frame's destination MAC */
	uint32_t plen = (uint32_t)(h[4] << 8 | h[5]), have = len - 40;
	plen = plen > doff ? plen - doff : 0;
	const uint8_t *data = plen ? th + doff : NULL;
	if (plen && doff + plen > have) {	/* cut by the capture: the rest as zeros */
		memset(pad, 0, plen);
		memcpy(pad, th + doff, have - doff);
		data = pad;
	}
	uint32_t tsval = 0, tsecr = 0, seq, ack;
	uint16_t sport, dport;
	int has_ts = tcp_options_ts(th, have, &tsval, &tsecr);
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	memcpy(&seq, th + 4, 4);
	memcpy(&ack, th + 8, 4);
	tcp_recorded_ts(net, has_ts, tsval, tsecr);
	tcp_recorded_send6(net, &s, sport, &d, dport, ntohl(seq), ntohl(ack), th[13], data, plen);
	return 1;
}

/* docs/design.md §4b: a TCP segment the recorded host sent keeps the stack's
 * socket for that connection in step with the capture: the socket sends
 * the same segment (SYN-ACK with the host's ISN, data, FIN, RST) through
 * its ordinary output path, so -w shows it next to the capture. */
static void driver_recorded(struct net *net, const struct sk_buff *skb, int dlt)
{
	uint32_t len, hl, plen;
	if (driver_recorded6(net, skb, dlt))
		return;
	const struct iphdr *iph = recorded_ip(skb, dlt, &len);
	if (!iph)
		return;
	if (!is_host_ip(net, (const uint8_t *)iph, len) && (dlt != NJ_DLT_EN10MB || is_host_mac(net, skb->data))) {
		recorded_rx(net, skb, dlt, iph, len);
		return;
	}
	if (dlt == NJ_DLT_EN10MB)
		recorded_learn(net, skb->dev, iph->daddr, skb->data);	/* the frame's destination MAC */
	hl = (uint32_t)ip_ihl(iph) * 4;
	if (iph->protocol != IPPROTO_TCP_ || hl < 20 || len < hl + 20 || (ntohs(iph->frag_off) & 0x3fff))
		return;
	const struct tcphdr *th = (const struct tcphdr *)((const uint8_t *)iph + hl);
	uint32_t doff = (uint32_t)(th->doff_res >> 4) * 4;
	if (doff < 20 || len < hl + doff)
		return;
	const uint8_t *data = recorded_payload(iph, len, hl + doff, &plen);
	uint32_t tsval = 0, tsecr = 0;
	int has_ts = tcp_options_ts((const uint8_t *)th, len - hl, &tsval, &tsecr);
	tcp_recorded_ts(net, has_ts, tsval, tsecr);	/* the socket's copy carries the same TSval */
	tcp_recorded_send(net, iph->saddr, th->source, iph->daddr, th->dest, ntohl(th->seq), ntohl(th->ack_seq),
			  th->flags, data, plen);
}

/* A frame on a tun device, its link header (if the capture had one) gone:
 * what the host sent keeps its sockets in step; what it received was
 * written by the VPN daemon (tun_get_user), charged as tun_alloc_skb's
 * skb. Returns 1 if it entered the stack (tun_get_user took it). */
static int driver_tun(struct net *net, struct sk_buff *skb, struct net_device *dev, int sent)
{
	if (sent) {
		driver_recorded(net, skb, NJ_DLT_RAW);
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_SENT, 0, "recorded transmit: the host sent this packet; not received");
		return 0;
	}
	skb->truesize = alloc_skb_truesize(skb->len);
	int r = tun_get_user(net, skb, dev);
	trace_exit(net, NULL, r == NET_RX_SUCCESS ? V_PASS : V_DROP, r == NET_RX_SUCCESS ? 0 : net->last_drop, "%s",
		   r == NET_RX_SUCCESS ? "received on the tun device" : "");
	return r >= 0;
}

/* The kind of device a scenario interface is (FRAME_DEV_*): lo by its
 * name, as its type is Ethernet's. */
static int dev_kind(const struct net_device *d)
{
	return dev_is_loopback(d) ? FRAME_DEV_LO : frame_dev_kind(d->type);
}

struct net_device *cooked_frame_dev(struct net *net, int dlt, const uint8_t *data, uint32_t caplen,
				    struct net_device *dflt)
{
	struct frame_l2 l2;
	if (frame_link(dlt, data, caplen, &l2) < 0)
		return dflt;
	int want = frame_dev_kind(l2.hatype);
	for (int i = 0; want >= 0 && i < net->ndevs; i++)
		if (dev_kind(&net->devs[i]) == want)
			return &net->devs[i];
	return dflt;
}

int driver_rx(struct net *net, struct net_device *dev, int dlt, const uint8_t *data, uint32_t caplen,
	      uint32_t len, int flags)
{
	return driver_rx_comment(net, dev, dlt, data, caplen, len, flags, NULL);
}

int driver_rx_comment(struct net *net, struct net_device *dev, int dlt, const uint8_t *data, uint32_t caplen,
		      uint32_t len, int flags, const char *comment)
{
	char sum[200];
	if (trace_on(net)) {
		dissect_summary(dlt, data, caplen, sum, sizeof(sum));
		driver_args(net, dlt, data, caplen, len, flags, comment);
	}
	trace_enter(net, NULL, "driver_rx", "driver", "#%lld %s%s", (long long)net->cur_pkt, sum,
		    caplen < len ? " [cut short by the capture]" : "");
	struct sk_buff *skb = alloc_skb(net, caplen);
	if (!skb) {
		trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_NOMEM, "no memory for the skb");
		return 0;
	}
	memcpy(skb_put(skb, caplen), data, caplen);
	skb->dev = dev;
	skb->capture_trunc = caplen < len;
	int sent = driver_link(net, skb, dlt, flags);
	if (sent < 0)
		return skb_drop(net, skb, SKB_DROP_REASON_HDR_TRUNC), 0;
	if (dev->type == NJ_ARPHRD_NONE)
		return driver_tun(net, skb, dev, sent);
	if (sent) {
		driver_recorded(net, skb, dlt);
		kfree_skb(net, skb);
		trace_exit(net, NULL, V_SENT, 0, "recorded transmit: the host sent this frame; not received");
		return 0;
	}
	/* Charged as diff-kernel's Linux receives it: an Ethernet frame
	 * written to a packet socket on the veth's other end. */
	skb->truesize = packet_alloc_skb_truesize(dlt == NJ_DLT_EN10MB ? caplen : ETH_HLEN + skb->len);
	if ((flags & DRV_LEARN_NEIGH) && dev_has_header(dev))
		driver_learn(net, dev, dlt, data, caplen);
	if (dlt == NJ_DLT_EN10MB && dev_has_header(dev))
		eth_type_trans(net, skb, dev);
	int r = netif_rx(net, skb);
	trace_exit(net, NULL, V_PASS, 0, "%s", r == NET_RX_SUCCESS ? "handed to netif_rx" : "");
	return r == NET_RX_SUCCESS;
}
