/*
 * test_frame.c - trace/frame.c: where the network header starts on every
 * link type, VLAN tags (802.1Q, 802.1ad, QinQ), cut-short headers, hex
 * both ways and capture-file sniffing.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dissect.h"
#include "frame.h"
#include "ipv6.h"
#include "nj_check.h"
#include "pktbuild.h"
#include "source_pcap.h"

static const uint8_t eth_ip[] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xaa, 0x08, 0x00, 0x45 };

START_TEST(test_frame_ethernet)
{
	struct frame_l2 l2;
	ck_assert_int_eq(frame_link(NJ_DLT_EN10MB, eth_ip, sizeof(eth_ip), &l2), 0);
	ck_assert_uint_eq(l2.l3_off, 14);
	ck_assert_uint_eq(l2.proto, 0x0800);
	ck_assert_int_eq(l2.nvlan, 0);
	ck_assert_ptr_eq(l2.src, eth_ip + 6);
	ck_assert_int_eq(frame_link(NJ_DLT_EN10MB, eth_ip, 13, &l2), -1);
}
END_TEST

/* driver_rx reads an Ethernet frame's sender without frame_link (its one
 * verdict there: at least a MAC header): the frame's fate, for every
 * length up to a few tags past the header, tag stacks, senders (the host,
 * a peer, all zeros) and pcapng directions, is what frame_link's answer
 * gives (too short: HDR_TRUNC; the host's MAC or outbound: a recorded
 * transmit; otherwise received). */
struct drv_seen {
	enum nj_verdict v;
	enum skb_drop_reason r;
};

static void drv_emit(void *ctx, const struct trace_event *ev)
{
	struct drv_seen *d = ctx;
	if (ev->depth == 0 && ev->ph == 'E')
		d->v = ev->verdict;
	if (ev->ph == 'i' && ev->verdict == V_DROP && !d->r)
		d->r = ev->reason;
}

START_TEST(test_frame_driver_ethernet_shortcut)
{
	static const uint8_t host[6] = { 2, 0, 0, 0, 0, 1 }, peer[6] = { 2, 0, 0, 0, 0, 0xaa }, zero[6] = { 0 };
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100, 0x0800 };
	const uint8_t *srcs[] = { host, peer, zero };
	struct drv_seen seen;
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	struct net_device *dev = net_add_dev(net, "eth0", host, 1500);
	ck_assert_ptr_nonnull(dev);
	trace_add_sink(net, drv_emit, &seen);
	int cases = 0;
	for (uint32_t n = 0; n <= 30; n++)
		for (int ntag = 0; ntag < 4; ntag++)
			for (int si = 0; si < 3; si++)
				for (int fl = 0; fl <= DRV_OUTBOUND; fl += DRV_INBOUND) {
					uint8_t f[64] = { 0 };
					memset(f, 0xff, 6);
					memcpy(f + 6, srcs[si], 6);
					for (int t = 0; t <= ntag; t++) {	/* tags, then 0x0800 */
						uint16_t tp = t < ntag ? tpids[(t + si) % 3] : 0x0800;
						f[12 + 4 * t] = (uint8_t)(tp >> 8);
						f[13 + 4 * t] = (uint8_t)tp;
					}
					struct frame_l2 l2;
					int trunc = frame_link(NJ_DLT_EN10MB, f, n, &l2) < 0 || l2.l3_off > n;
					int sent = !trunc && (fl ? fl == DRV_OUTBOUND : !memcmp(l2.src, host, 6));
					memset(&seen, 0, sizeof(seen));
					net->cur_pkt = cases++;
					int in = driver_rx(net, dev, NJ_DLT_EN10MB, f, n, n, fl);
					ck_assert_msg((seen.r == SKB_DROP_REASON_HDR_TRUNC) == trunc, "len %u tags %d: trunc %d", n,
						      ntag, trunc);
					ck_assert_msg((seen.v == V_SENT) == sent, "len %u tags %d src %d flags %d: sent %d", n,
						      ntag, si, fl, sent);
					ck_assert(!in || (!trunc && !sent));
					net_rx_action(net);
				}
	net_destroy(net);
}
END_TEST

/* A frame the recorded host sent names its neighbour's MAC, the truth of
 * its own table: it overrides what a peer's frame taught (a router that
 * delivers, a gateway the host sends to: zeek's reassembly.pcap), for
 * IPv4 and IPv6; the same MAC changes nothing; a permanent entry stays. */
static void recorded_frame6(struct net *net, struct net_device *dev, const char *src, const char *dst,
			    const uint8_t *smac, const uint8_t *dmac)
{
	uint8_t f[128], th[20] = { 0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff };
	size_t n = pb_eth_ip6(f, src, dst, 6, 64, th, sizeof(th));
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	driver_rx(net, dev, NJ_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, DRV_LEARN_NEIGH);
	net_rx_action(net);
}

static void frame4(struct net *net, struct net_device *dev, const char *src, const char *dst, const uint8_t *smac,
		   const uint8_t *dmac)
{
	uint8_t f[128], l4[64];
	struct pb_ipopt o = { .saddr = pb_ip(src), .daddr = pb_ip(dst), .proto = 17, .dmac = dmac, .smac = smac };
	size_t n = pb_eth_ip(f, &o, l4, pb_udp(l4, o.saddr, o.daddr, 5000, 5001, "x", 1, 0));
	driver_rx(net, dev, NJ_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, DRV_LEARN_NEIGH);
	net_rx_action(net);
}

START_TEST(test_frame_recorded_neighbour)
{
	static const uint8_t host[6] = { 2, 0, 0, 0, 0, 1 }, router[6] = { 2, 0, 0, 0, 0, 0xaa },
			     gw[6] = { 2, 0, 0, 0, 0, 0xbb }, perm[6] = { 2, 0, 0, 0, 0, 0xcc };
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	struct net_device *dev = net_add_dev(net, "eth0", host, 1500);
	dev_add_addr(dev, pb_ip("10.0.0.2"), 24);
	struct in6 me, peer;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::2", me.s6), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:9::7", peer.s6), 1);
	ck_assert_int_eq(ipv6_add_addr(net, dev, &me, 64), 0);
	neigh_add_static(net, dev, pb_ip("10.0.0.9"), perm);

	frame4(net, dev, "198.51.100.7", "10.0.0.2", router, host);	/* a peer's frame teaches the router */
	ck_assert_mem_eq(neigh_lookup(net, dev, pb_ip("198.51.100.7")), router, 6);
	frame4(net, dev, "10.0.0.2", "198.51.100.7", host, gw);	/* the host sent it to the gateway */
	ck_assert_mem_eq(neigh_lookup(net, dev, pb_ip("198.51.100.7")), gw, 6);
	frame4(net, dev, "198.51.100.7", "10.0.0.2", router, host);	/* a peer's frame does not undo it */
	ck_assert_mem_eq(neigh_lookup(net, dev, pb_ip("198.51.100.7")), gw, 6);
	frame4(net, dev, "10.0.0.2", "10.0.0.9", host, gw);		/* the scenario's entry stays */
	ck_assert_mem_eq(neigh_lookup(net, dev, pb_ip("10.0.0.9")), perm, 6);

	recorded_frame6(net, dev, "2001:db8:9::7", "2001:db8::2", router, host);
	ck_assert_mem_eq(ndisc_lookup(net, dev, &peer), router, 6);
	recorded_frame6(net, dev, "2001:db8::2", "2001:db8:9::7", host, gw);
	ck_assert_mem_eq(ndisc_lookup(net, dev, &peer), gw, 6);
	recorded_frame6(net, dev, "2001:db8:9::7", "2001:db8::2", router, host);
	ck_assert_mem_eq(ndisc_lookup(net, dev, &peer), gw, 6);
	net_purge(net);
	ck_assert_uint_eq(net->skbs_live, 0);
	net_destroy(net);
}
END_TEST

/* 802.1ad outside 802.1Q (QinQ), and the old 0x9100 outer tag. */
START_TEST(test_frame_qinq)
{
	uint8_t f[40] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xaa, 0x88, 0xa8, 0x00, 100, 0x81, 0x00, 0x20, 200,
			  0x08, 0x00, 0x45 };
	struct frame_l2 l2;
	ck_assert_int_eq(frame_link(NJ_DLT_EN10MB, f, 23, &l2), 0);
	ck_assert_uint_eq(l2.l3_off, 22);
	ck_assert_uint_eq(l2.proto, 0x0800);
	ck_assert_int_eq(l2.nvlan, 2);
	ck_assert_uint_eq(l2.vlan[0], 100);
	ck_assert_uint_eq(l2.vlan[1], 200);
	ck_assert_uint_eq(l2.vlan_tpid[0], 0x88a8);
	f[12] = 0x91;
	f[13] = 0x00;
	ck_assert_int_eq(frame_link(NJ_DLT_EN10MB, f, 23, &l2), 0);
	ck_assert_uint_eq(l2.l3_off, 22);
	/* a tag cut short: the ethertype is the tag's, never read past n */
	ck_assert_int_eq(frame_link(NJ_DLT_EN10MB, f, 17, &l2), 0);
	ck_assert_uint_le(l2.l3_off, 17);
}
END_TEST

START_TEST(test_frame_cooked)
{
	uint8_t sll[20] = { 0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 7, 0, 0, 0x08, 0x00 };
	uint8_t sll2[24] = { 0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9 };
	struct frame_l2 l2;
	ck_assert_int_eq(frame_link(NJ_DLT_LINUX_SLL, sll, 16, &l2), 0);
	ck_assert_int_eq(l2.pkt_type, 4);
	ck_assert_uint_eq(l2.l3_off, 16);
	ck_assert_int_eq(l2.src_len, 6);
	ck_assert_int_eq(frame_link(NJ_DLT_LINUX_SLL2, sll2, 20, &l2), 0);
	ck_assert_int_eq(l2.pkt_type, 0);
	ck_assert_uint_eq(l2.l3_off, 20);
	ck_assert_uint_eq(l2.src[5], 9);
	ck_assert_int_eq(frame_link(NJ_DLT_LINUX_SLL2, sll2, 19, &l2), -1);
}
END_TEST

/* DLT_NULL in either byte order, DLT_LOOP in network order, PPP with and
 * without ff 03, raw IPv4/IPv6. */
START_TEST(test_frame_other_links)
{
	static const uint8_t null_le[] = { 2, 0, 0, 0, 0x45 }, null_be[] = { 0, 0, 0, 2, 0x45 };
	static const uint8_t loop6[] = { 0, 0, 0, 24, 0x60 }, ppp[] = { 0xff, 0x03, 0x00, 0x21, 0x45 };
	static const uint8_t ppp_c[] = { 0x00, 0x57, 0x60 }, raw6[] = { 0x60 };
	struct frame_l2 l2;
	ck_assert_int_eq(frame_link(NJ_DLT_NULL, null_le, 5, &l2), 0);
	ck_assert_uint_eq(l2.proto, 0x0800);
	ck_assert_int_eq(frame_link(NJ_DLT_NULL, null_be, 5, &l2), 0);
	ck_assert_uint_eq(l2.proto, 0x0800);
	ck_assert_int_eq(frame_link(NJ_DLT_LOOP, loop6, 5, &l2), 0);
	ck_assert_uint_eq(l2.proto, 0x86dd);
	ck_assert_int_eq(frame_link(NJ_DLT_LOOP, null_le, 5, &l2), 0);
	ck_assert_uint_eq(l2.proto, 0);		/* LOOP is network order only */
	ck_assert_int_eq(frame_link(NJ_DLT_PPP, ppp, 5, &l2), 0);
	ck_assert_uint_eq(l2.l3_off, 4);
	ck_assert_uint_eq(l2.proto, 0x0800);
	ck_assert_int_eq(frame_link(NJ_DLT_PPP, ppp_c, 3, &l2), 0);
	ck_assert_uint_eq(l2.l3_off, 2);
	ck_assert_uint_eq(l2.proto, 0x86dd);
	ck_assert_int_eq(frame_link(NJ_DLT_RAW, raw6, 1, &l2), 0);
	ck_assert_uint_eq(l2.proto, 0x86dd);
	ck_assert_int_eq(frame_link(105, ppp, 5, &l2), -1);	/* 802.11: not ours */
	ck_assert_int_eq(frame_dlt_known(105), 0);
	ck_assert_int_eq(frame_dlt_known(NJ_DLT_LOOP), 1);
}
END_TEST

START_TEST(test_frame_ipv4)
{
	uint8_t f[34] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xaa, 0x08, 0x00, 0x45 };
	struct frame_l2 l2;
	size_t avail;
	ck_assert_ptr_eq(frame_ipv4(NJ_DLT_EN10MB, f, 34, &l2, &avail), f + 14);
	ck_assert_uint_eq(avail, 20);
	ck_assert_ptr_null(frame_ipv4(NJ_DLT_EN10MB, f, 33, &l2, &avail));
	f[14] = 0x65;
	ck_assert_ptr_null(frame_ipv4(NJ_DLT_EN10MB, f, 34, &l2, &avail));
}
END_TEST

START_TEST(test_frame_hex)
{
	static const uint8_t b[] = { 0x00, 0x7f, 0xa5, 0xff };
	char h[9] = { 0 };
	uint8_t back[8];
	frame_hex(b, 4, h);
	ck_assert_str_eq(h, "007fa5ff");
	ck_assert_uint_eq(frame_unhex("007FA5ff", back, sizeof(back)), 4);
	ck_assert_mem_eq(back, b, 4);
	ck_assert_uint_eq(frame_unhex("00zz", back, sizeof(back)), 1);	/* stops at a non-digit */
	ck_assert_uint_eq(frame_unhex("0", back, sizeof(back)), 0);	/* an odd digit is not a byte */
	ck_assert_uint_eq(frame_unhex("0102", back, 1), 1);		/* never past outlen */
}
END_TEST

START_TEST(test_frame_sniff)
{
	static const uint8_t pcap[] = { 0xd4, 0xc3, 0xb2, 0xa1 }, ng[] = { 0x0a, 0x0d, 0x0d, 0x0a };
	static const uint8_t gz[] = { 0x1f, 0x8b, 8, 0 }, zs[] = { 0x28, 0xb5, 0x2f, 0xfd }, junk[] = "GET ";
	ck_assert_int_eq(frame_sniff_file(pcap, 4), FRAME_FILE_PCAP);
	ck_assert_int_eq(frame_sniff_file(ng, 4), FRAME_FILE_PCAPNG);
	ck_assert_int_eq(frame_sniff_file(gz, 4), FRAME_FILE_GZIP);
	ck_assert_int_eq(frame_sniff_file(zs, 4), FRAME_FILE_ZSTD);
	ck_assert_int_eq(frame_sniff_file(junk, 4), FRAME_FILE_UNKNOWN);
	ck_assert_int_eq(frame_sniff_file(pcap, 3), FRAME_FILE_UNKNOWN);
}
END_TEST

/* An IPv6 packet's one-line summary names its upper layer after the
 * extension headers, as IPv4's does (it said "IPv6, N bytes"). */
static size_t ip6_pkt(uint8_t *p, uint8_t nh, const uint8_t *ext, size_t extlen, const uint8_t *l4, size_t l4len)
{
	static const uint8_t src[16] = { 0xfd, [15] = 1 }, dst[16] = { 0xfd, [15] = 2 };
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)((extlen + l4len) >> 8), p[5] = (uint8_t)(extlen + l4len);
	p[6] = nh, p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	if (extlen)
		memcpy(p + 40, ext, extlen);
	memcpy(p + 40 + extlen, l4, l4len);
	return 40 + extlen + l4len;
}

START_TEST(test_dissect_ipv6)
{
	uint8_t p[128];
	char o[160];
	static const uint8_t echo[8] = { 128, 0, 0, 0, 0, 7, 0, 3 };
	dissect_l3(0x86dd, p, ip6_pkt(p, 58, NULL, 0, echo, 8), o, sizeof(o));
	ck_assert_str_eq(o, "fd00::1 > fd00::2: ICMP6 echo request id 7 seq 3");
	static const uint8_t syn[20] = { 0x9c, 0x40, 0, 80, 0, 0, 0x03, 0xe8, [12] = 0x50, [13] = 0x02 };
	static const uint8_t hbh[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };	/* hop-by-hop, then TCP */
	dissect_l3(0x86dd, p, ip6_pkt(p, 0, hbh, 8, syn, 20), o, sizeof(o));
	ck_assert_str_eq(o, "[fd00::1]:40000 > [fd00::2]:80: TCP [S] seq 1000");
	static const uint8_t frag[8] = { 17, 0, 0x02, 0x69, 0, 0, 0, 9 };	/* offset 616, MF */
	dissect_l3(0x86dd, p, ip6_pkt(p, 44, frag, 8, echo, 8), o, sizeof(o));
	ck_assert_str_eq(o, "fd00::1 > fd00::2: IPv6 fragment id 0x00000009 offset 616 MF proto 17");
	static const uint8_t ns[4] = { 135, 0, 0, 0 };
	dissect_l3(0x86dd, p, ip6_pkt(p, 58, NULL, 0, ns, 4), o, sizeof(o));
	ck_assert_str_eq(o, "fd00::1 > fd00::2: ICMP6 neighbour solicitation");
	dissect_l3(0x86dd, p, 39, o, sizeof(o));
	ck_assert_str_eq(o, "IPv6 (malformed, 39 bytes)");
	static const uint8_t long_ext[8] = { 58, 200, 0, 0, 0, 0, 0, 0 };	/* claims 1608 bytes */
	dissect_l3(0x86dd, p, ip6_pkt(p, 60, long_ext, 8, echo, 8), o, sizeof(o));
	ck_assert_str_eq(o, "fd00::1 > fd00::2: IPv6 next header 58");
}
END_TEST

/* IPv4 summaries of TCP, UDP and ICMP echo (built without snprintf) read
 * as the printf formats say, for extreme ports, seqs, ids, every flag
 * set or none, first fragments; a short output buffer gets the same
 * text cut short. */
START_TEST(test_dissect_ipv4_l4)
{
	static const struct { uint8_t proto, type; uint16_t sp, dp; uint32_t seq; uint8_t flags; int mf; } c[] = {
		{ 6, 0, 0, 65535, 0, 0, 0 }, { 6, 0, 443, 51234, 4294967295u, 0xff, 1 }, { 6, 0, 80, 8080, 12345, 0x12, 0 },
		{ 17, 0, 53, 0, 0, 0, 0 }, { 17, 0, 65535, 65535, 0, 0, 1 },
		{ 1, 8, 0, 65535, 0, 0, 0 }, { 1, 0, 65535, 1, 0, 0, 1 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t p[60] = { 0x45, 0, 0, 60, 0x12, 0x34, c[i].mf ? 0x20 : 0, 0, 64, c[i].proto, 0, 0,
				  255, 255, 255, 255, 10, 0, 0, 1 };
		uint8_t *l4 = p + 20;
		char o[200], want[200], small[40];
		l4[0] = (uint8_t)(c[i].proto == 1 ? c[i].type : c[i].sp >> 8);
		l4[1] = (uint8_t)(c[i].proto == 1 ? 0 : c[i].sp);
		l4[2] = (uint8_t)(c[i].dp >> 8);
		l4[3] = (uint8_t)c[i].dp;
		if (c[i].proto == 1) {	/* id and seq: the ports' values */
			l4[4] = (uint8_t)(c[i].sp >> 8);
			l4[5] = (uint8_t)c[i].sp;
			l4[6] = (uint8_t)(c[i].dp >> 8);
			l4[7] = (uint8_t)c[i].dp;
		}
		for (int k = 0; k < 4 && c[i].proto == 6; k++)
			l4[4 + k] = (uint8_t)(c[i].seq >> (24 - 8 * k));
		l4[13] = c[i].proto == 6 ? c[i].flags : l4[13];
		const char *fr = c[i].mf ? " (first fragment)" : "";
		char fl[9] = "";
		for (int b = 0, n = 0; b < 8; b++)
			if (c[i].flags & (1 << b))
				fl[n++] = "FSRPAUEC"[b], fl[n] = 0;
		if (c[i].proto == 6)
			snprintf(want, sizeof(want), "255.255.255.255:%u > 10.0.0.1:%u: TCP [%s] seq %u%s", c[i].sp, c[i].dp,
				 fl[0] ? fl : ".", c[i].seq, fr);
		else if (c[i].proto == 17)
			snprintf(want, sizeof(want), "255.255.255.255:%u > 10.0.0.1:%u: UDP%s", c[i].sp, c[i].dp, fr);
		else
			snprintf(want, sizeof(want), "255.255.255.255 > 10.0.0.1: ICMP echo %s id %u seq %u%s",
				 c[i].type == 8 ? "request" : "reply", c[i].sp, c[i].dp, fr);
		dissect_l3(0x0800, p, sizeof(p), o, sizeof(o));
		ck_assert_str_eq(o, want);
		dissect_l3(0x0800, p, sizeof(p), small, sizeof(small));
		want[sizeof(small) - 1] = 0;	/* snprintf's cut */
		ck_assert_str_eq(small, want);
	}
}
END_TEST

static Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_frame_ethernet);
	tcase_add_test(tc, test_frame_qinq);
	tcase_add_test(tc, test_frame_driver_ethernet_shortcut);
	tcase_add_test(tc, test_frame_recorded_neighbour);
	tcase_add_test(tc, test_frame_cooked);
	tcase_add_test(tc, test_frame_other_links);
	tcase_add_test(tc, test_frame_ipv4);
	tcase_add_test(tc, test_frame_hex);
	tcase_add_test(tc, test_frame_sniff);
	tcase_add_test(tc, test_dissect_ipv6);
	tcase_add_test(tc, test_dissect_ipv4_l4);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(frame_suite)
