/*
 * test_ip_fragment.c - IPv4 reassembly (ip_defrag, ip_find, ip_frag_queue,
 * ip_frag_reasm, ip_expire): arrival orders, each drop reason and counter
 * Linux uses, the 2.4 trimming policy, timers on packet time, the memory
 * bound under a flood. Comments give each fragment's payload range.
 */
#include <time.h>

#include "nj_check.h"
#include "ip_fragment.h"

static uint8_t frame[70000];
static uint8_t dgram[70000];		/* the original datagram's payload */

/* The reassembled datagrams, as the --reasm-out hook sees them. */
static uint8_t reasm_buf[70000];
static uint32_t reasm_len;
static int reasm_calls;
static uint64_t reasm_id;

static void reasm_cb(void *ctx, struct net *net, const struct sk_buff *skb)
{
	(void)ctx;
	(void)net;
	memcpy(reasm_buf, skb->data, skb->len);
	reasm_len = skb->len;
	reasm_calls++;
	reasm_id = skb->id;
}

static struct net *frag_net(enum nj_kernel k)
{
	struct net *net = nj_net();
	net->kernel = k;
	neigh_add_static(net, &net->devs[0], nj_ip(NJ_PEER_IP), nj_peer_mac);
	ip_frag_set_reasm_cb(net, reasm_cb, NULL);
	reasm_len = 0;
	reasm_calls = 0;
	return net;
}

/* One fragment: payload data[0..len) at byte offset off of datagram id. */
static void send_data(struct net *net, uint16_t id, uint8_t proto, uint32_t off, const void *data, size_t len,
		      int mf, uint16_t flags, uint8_t tos)
{
	static int64_t pkt = 1;
	struct nj_ip_opts o = { .id = id, .tos = tos,
				.frag_off = (uint16_t)((mf ? IP_MF : 0) | flags | (off >> 3)) };
	size_t l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, proto, data, len, &o);
	nj_inject_nosoftirq(net, frame, l, pkt++);
	net_rx_action(net);
}

/* A fragment of the ICMP echo in dgram[]. */
static void send_frag(struct net *net, uint32_t off, uint32_t len, int mf)
{
	send_data(net, 0x1c46, IPPROTO_ICMP_, off, dgram + off, len, mf, 0, 0);
}

/* An echo request of 3008 bytes (8 header + 3000 data) cut at 1480. */
static size_t echo3008(void) { return nj_icmp_echo(dgram, 7, 1, 3000); }

static int count_kfree(enum skb_drop_reason r)
{
	int n = 0;
	for (int i = 0; i < nj_rec.n; i++)
		n += !strcmp(nj_rec.ev[i].fn, "kfree_skb") && nj_rec.ev[i].reason == r;
	return n;
}

/* The last event of fn with phase ph. */
static const struct nj_rec *last_ev(const char *fn, char ph)
{
	for (int i = nj_rec.n - 1; i >= 0; i--)
		if (!strcmp(nj_rec.ev[i].fn, fn) && nj_rec.ev[i].ph == ph)
			return &nj_rec.ev[i];
	return NULL;
}

static const struct nj_rec *find_msg(const char *fn, const char *needle)
{
	for (int i = 0; i < nj_rec.n; i++)
		if (!strcmp(nj_rec.ev[i].fn, fn) && strstr(nj_rec.ev[i].msg, needle))
			return &nj_rec.ev[i];
	return NULL;
}

/* The rebuilt datagram equals the original: header fields and every byte. */
static void assert_reassembled(size_t plen)
{
	const struct iphdr *iph = (const struct iphdr *)reasm_buf;
	ck_assert_int_eq(reasm_calls, 1);
	ck_assert_uint_eq(reasm_len, 20 + plen);
	ck_assert_uint_eq(ntohs(iph->tot_len), 20 + plen);
	ck_assert_uint_eq(iph->frag_off, 0);
	ck_assert_uint_eq(ip_fast_csum(iph, 5), 0);
	ck_assert_int_eq(memcmp(reasm_buf + 20, dgram, plen), 0);
}

static void assert_delivered_echo(struct net *net, int nfrags)
{
	ck_assert_int_eq(net->mib[MIB_IP_REASMREQDS], nfrags);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOS], 1);	/* the ICMP checksum held over 3008 bytes */
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
}

START_TEST(test_frag_in_order)
{
	struct net *net = frag_net(KERNEL_6X);
	size_t plen = echo3008();
	send_frag(net, 0, 1480, 1);		/* [0,1480) */
	send_frag(net, 1480, 1480, 1);		/* [1480,2960) */
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	send_frag(net, 2960, 48, 0);		/* [2960,3008) last */
	assert_delivered_echo(net, 3);
	assert_reassembled(plen);
	const struct nj_rec *r = last_ev("ip_frag_reasm", 'i');
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->n_from, 3);
	ck_assert_int_eq(r->skb, (int64_t)reasm_id);
	ck_assert_ptr_nonnull(strstr(r->args, "\"tot_len\":3028"));
	/* LOCAL_IN and the transport see the new skb. */
	const struct nj_rec *d = last_ev("ip_local_deliver_finish", 'B');
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->skb, (int64_t)reasm_id);
	ck_assert_int_eq(count_kfree(SKB_DROP_REASON_NOT_SPECIFIED), 0);	/* fragments consumed, not dropped */
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_reverse_order)
{
	struct net *net = frag_net(KERNEL_6X);
	size_t plen = echo3008();
	send_frag(net, 2960, 48, 0);
	send_frag(net, 1480, 1480, 1);
	send_frag(net, 0, 1480, 1);
	assert_delivered_echo(net, 3);
	assert_reassembled(plen);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_shuffled)
{
	/* Five fragments of 600 + a 8-byte tail arrive as 3,0,4,5,1,2. */
	static const int order[] = { 3, 0, 4, 5, 1, 2 };
	struct net *net = frag_net(KERNEL_6X);
	size_t plen = echo3008();
	for (int i = 0; i < 6; i++) {
		uint32_t off = (uint32_t)order[i] * 600;
		uint32_t len = order[i] == 5 ? (uint32_t)plen - 3000 : 600;
		send_frag(net, off, len, order[i] != 5);
	}
	assert_delivered_echo(net, 6);
	assert_reassembled(plen);
	ck_assert_int_eq(last_ev("ip_frag_reasm", 'i')->n_from, 6);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_have_ranges_and_key_in_args)
{
	struct net *net = frag_net(KERNEL_6X);
	echo3008();
	send_frag(net, 0, 1480, 1);
	const struct nj_rec *f = last_ev("ip_find", 'i');
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->args, "\"queue\":\"10.0.0.1>10.0.0.2 id=0x1c46 proto=1\""));
	ck_assert_ptr_nonnull(strstr(f->args, "\"found\":false"));
	ck_assert_ptr_nonnull(strstr(f->args, "\"queues\":1"));
	send_frag(net, 2960, 48, 0);
	f = last_ev("ip_find", 'i');
	ck_assert_ptr_nonnull(strstr(f->args, "\"found\":true"));
	const struct nj_rec *e = last_ev("ip_frag_queue", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->verdict, V_QUEUED);
	ck_assert_ptr_nonnull(strstr(e->args, "\"have\":[[0,1480],[2960,3008]]"));
	ck_assert_ptr_nonnull(strstr(e->args, "\"meat\":1528"));
	ck_assert_ptr_nonnull(strstr(e->args, "\"len\":3008"));
	ck_assert_ptr_nonnull(strstr(e->args, "\"flags\":[\"FIRST_IN\",\"LAST_IN\"]"));
	const struct nj_rec *d = last_ev("ip_defrag", 'E');
	ck_assert_int_eq(d->verdict, V_QUEUED);
	ck_assert_int_eq(d->mib[MIB_IP_REASMREQDS], 1);
	nj_net_free(net);
}
END_TEST

/* ip_frag_for_each: what "info frags" and the web panel show. */
static void panel_fn(void *ctx, const struct ipq_info *q)
{
	struct ipq_info *out = ctx;
	*out = *q;
	ck_assert_int_eq(q->nranges, 2);
	ck_assert_uint_eq(q->ranges[0].start, 0);
	ck_assert_uint_eq(q->ranges[0].end, 1480);
	ck_assert_uint_eq(q->ranges[1].start, 1480);
	ck_assert_uint_eq(q->ranges[1].end, 2960);
}

START_TEST(test_frag_for_each_panel)
{
	struct net *net = frag_net(KERNEL_6X);
	struct ipq_info q = { 0 };
	echo3008();
	net_set_time(net, 5000000000ULL);
	send_frag(net, 1480, 1480, 1);
	send_frag(net, 0, 1480, 1);
	ip_frag_for_each(net, panel_fn, &q);
	ck_assert_uint_eq(q.id, 0x1c46);
	ck_assert_uint_eq(q.saddr, nj_ip(NJ_PEER_IP));
	ck_assert_uint_eq(q.protocol, IPPROTO_ICMP_);
	ck_assert_uint_eq(q.meat, 2960);
	ck_assert_uint_eq(q.len, 2960);	/* known so far: not LAST_IN */
	ck_assert_uint_eq(q.flags, INET_FRAG_FIRST_IN);
	ck_assert_int_eq(q.nfrags, 2);
	ck_assert_uint_eq(q.created_ns, 5000000000ULL);
	ck_assert_uint_eq(q.expires_ns, 35000000000ULL);
	ck_assert_uint_eq(ip_frag_mem(net), q.truesize);
	ck_assert_int_eq((int)net->skbs_live, 2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_duplicate_dropped_datagram_completes)
{
	struct net *net = frag_net(KERNEL_6X);
	size_t plen = echo3008();
	send_frag(net, 0, 1480, 1);
	nj_rec.n = 0;
	send_frag(net, 0, 1480, 1);		/* the same [0,1480) again */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_DUP_FRAG);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 0);
	ck_assert_int_eq(net->mib[MIB_IPEXT_REASMOVERLAPS], 0);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	send_frag(net, 1480, 1480, 1);
	send_frag(net, 2960, 48, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	assert_reassembled(plen);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_inside_run_is_duplicate)
{
	/* [0,8) and [8,16) arrive in order: one run; [0,16) again lies inside it. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[16] = { 0 };
	send_data(net, 9, 253, 0, d, 8, 1, 0, 0);
	send_data(net, 9, 253, 8, d, 8, 1, 0, 0);
	nj_rec.n = 0;
	send_data(net, 9, 253, 0, d, 16, 1, 0, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_DUP_FRAG);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_overlap_modern_drops_queue)
{
	/* [0,16) MF, then [8,24) last: a partial overlap. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t a[16], b[16];
	memset(a, 'A', 16);
	memset(b, 'B', 16);
	send_data(net, 5, 253, 0, a, 16, 1, 0, 0);
	nj_rec.n = 0;
	send_data(net, 5, 253, 8, b, 16, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IPEXT_REASMOVERLAPS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "discard_qp"));
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
	ck_assert_int_eq((int)net->skbs_live, 0);
	/* A late fragment of the same id starts a new queue. */
	send_data(net, 5, 253, 0, a, 16, 1, 0, 0);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_overlap_24_head_trimmed)
{
	/* 2.4: [0,16) 'A' MF, then [8,24) 'B' last: B's head is cut, A kept. */
	struct net *net = frag_net(KERNEL_2_4);
	uint8_t a[16], b[16];
	memset(a, 'A', 16);
	memset(b, 'B', 16);
	send_data(net, 5, 253, 0, a, 16, 1, 0, 0);
	send_data(net, 5, 253, 8, b, 16, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_int_eq(net->mib[MIB_IPEXT_REASMOVERLAPS], 0);
	ck_assert_uint_eq(reasm_len, 20 + 24);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(reasm_buf[20 + i], 'A');
	for (int i = 16; i < 24; i++)
		ck_assert_int_eq(reasm_buf[20 + i], 'B');
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "head overlaps"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_overlap_24_tail_wins)
{
	/* 2.4: [0,8) 'A', [8,16) 'X', then [8,24) 'B' last covers X: X freed. */
	struct net *net = frag_net(KERNEL_2_4);
	uint8_t a[8], x[8], b[16];
	memset(a, 'A', 8);
	memset(x, 'X', 8);
	memset(b, 'B', 16);
	send_data(net, 6, 253, 0, a, 8, 1, 0, 0);
	send_data(net, 6, 253, 8, x, 8, 1, 0, 0);
	nj_rec.n = 0;
	send_data(net, 6, 253, 8, b, 16, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "entirely"));
	ck_assert_uint_eq(reasm_len, 20 + 24);
	ck_assert_int_eq(memcmp(reasm_buf + 20, a, 8), 0);
	ck_assert_int_eq(memcmp(reasm_buf + 28, b, 16), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_overlap_24_partial_successor_cut)
{
	/* 2.4: [8,24) 'B' last held, then [0,16) 'A': B's first 8 bytes are cut. */
	struct net *net = frag_net(KERNEL_2_4);
	uint8_t a[16], b[16];
	memset(a, 'A', 16);
	memset(b, 'B', 16);
	send_data(net, 7, 253, 8, b, 16, 0, 0, 0);
	send_data(net, 7, 253, 0, a, 16, 1, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "tail covers"));
	ck_assert_int_eq(memcmp(reasm_buf + 20, a, 16), 0);
	ck_assert_int_eq(memcmp(reasm_buf + 36, b, 8), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_24_covered_fragment_dropped)
{
	/* 2.4: [0,24) held, then [8,16): nothing new (the teardrop check). */
	struct net *net = frag_net(KERNEL_2_4);
	uint8_t d[24] = { 0 };
	send_data(net, 8, 253, 0, d, 24, 1, 0, 0);
	nj_rec.n = 0;
	send_data(net, 8, 253, 8, d, 8, 1, 0, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 0);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_oversized_fails_at_reasm)
{
	/* Eight 8192-byte fragments: 65536 payload + 20 header > 65535. */
	struct net *net = frag_net(KERNEL_6X);
	static uint8_t d[8192];
	for (int i = 0; i < 8; i++)
		send_data(net, 11, 253, (uint32_t)i * 8192, d, 8192, i < 7, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 0);
	ck_assert_ptr_nonnull(find_msg("ip_frag_reasm", "Oversized IP packet from 10.0.0.1"));
	ck_assert_int_eq(last_ev("ip_defrag", 'E')->verdict, V_DROP);
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_last_fragment_different_end)
{
	/* Last [16,24) says len 24; a second last [16,32) says 32: corrupt. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[16] = { 0 };
	send_data(net, 12, 253, 16, d, 8, 0, 0, 0);
	nj_rec.n = 0;
	send_data(net, 12, 253, 16, d, 16, 0, 0, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "an earlier last fragment"));
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_last_fragment_before_held_data)
{
	/* [0,32) MF held; a last fragment ending at 16 contradicts it. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[32] = { 0 };
	send_data(net, 13, 253, 0, d, 32, 1, 0, 0);
	send_data(net, 13, 253, 8, d, 8, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "data is already held"));
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_beyond_known_length)
{
	/* Last [16,24) held, then MF [24,32): past the announced end. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 14, 253, 16, d, 8, 0, 0, 0);
	send_data(net, 14, 253, 24, d, 8, 1, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "beyond the 24 bytes"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_corrupt_24_keeps_queue)
{
	/* 2.4/2.6: the same contradiction drops only the fragment, no counter. */
	struct net *net = frag_net(KERNEL_2_6);
	uint8_t d[16] = { 0 };
	send_data(net, 12, 253, 16, d, 8, 0, 0, 0);
	send_data(net, 12, 253, 16, d, 16, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 0);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "keeps the queue"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_odd_non_last_rounded_down)
{
	/* MF fragment with 13 payload bytes at 0: end 13 → 8; then [8,20) last. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[20];
	for (int i = 0; i < 20; i++)
		d[i] = (uint8_t)i;
	send_data(net, 15, 253, 0, d, 13, 1, 0, 0);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "rounded down to 8"));
	ck_assert_ptr_nonnull(strstr(last_ev("ip_frag_queue", 'E')->args, "\"have\":[[0,8]]"));
	send_data(net, 15, 253, 8, d + 8, 12, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_uint_eq(reasm_len, 40);
	ck_assert_int_eq(memcmp(reasm_buf + 20, d, 20), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_empty_fragment_corrupt)
{
	/* An MF fragment with 5 bytes: rounded down to nothing. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 16, 253, 16, d, 5, 1, 0, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_ptr_nonnull(find_msg("ip_frag_queue", "empty fragment"));
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_timeout_with_first_sends_icmp)
{
	/* [0,1480) and the last [2960,3008) held; the middle never comes. */
	struct net *net = frag_net(KERNEL_6X);
	echo3008();
	net_set_time(net, 1000000000ULL);
	send_frag(net, 0, 1480, 1);
	int64_t first_pkt = last_ev("ip_defrag", 'B')->pkt;
	send_frag(net, 2960, 48, 0);
	net_set_time(net, 30000000000ULL);	/* 29 s later: still waiting */
	ip_frag_run_timers(net);
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	nj_rec.n = 0;
	net_set_time(net, 32000000000ULL);	/* 31 s after the first */
	ip_frag_run_timers(net);
	ck_assert_int_eq(net->mib[MIB_IP_REASMTIMEOUT], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_int_eq(count_kfree(SKB_DROP_REASON_FRAG_REASM_TIMEOUT), 2);
	const struct nj_rec *b = nj_find("ip_expire", 'B');
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->depth, 0);			/* its own top-level frame */
	ck_assert_int_eq(b->pkt, first_pkt);
	ck_assert_ptr_nonnull(strstr(b->args, "\"have\":[[0,1480],[2960,3008]]"));
	ck_assert(nj_find("icmp_send", 'i') || nj_find("icmp_send", 'B'));
	ck_assert_int_eq(nj_find("ip_expire", 'E')->reason, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	ck_assert_int_eq(nj_find("ip_expire", 'E')->mib[MIB_IP_REASMTIMEOUT], 1);
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_timeout_without_first_no_icmp)
{
	struct net *net = frag_net(KERNEL_6X);
	echo3008();
	send_frag(net, 1480, 1480, 1);
	nj_rec.n = 0;
	net_set_time(net, 31000000000ULL);
	ip_frag_run_timers(net);
	ck_assert_int_eq(net->mib[MIB_IP_REASMTIMEOUT], 1);
	ck_assert_int_eq(count_kfree(SKB_DROP_REASON_FRAG_REASM_TIMEOUT), 1);
	ck_assert_ptr_null(nj_find("icmp_send", 'i'));
	ck_assert_ptr_null(nj_find("icmp_send", 'B'));
	ck_assert_ptr_nonnull(find_msg("ip_expire", "never came"));
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_timer_not_extended_and_driven_by_next_packet)
{
	/* A fragment at 0 s and another at 20 s; one at 31 s finds the queue
	 * expired (ip_defrag runs the timers): it starts a new queue. */
	struct net *net = frag_net(KERNEL_6X);
	echo3008();
	send_frag(net, 0, 1480, 1);
	net_set_time(net, 20000000000ULL);
	send_frag(net, 1480, 1480, 1);
	net_set_time(net, 31000000000ULL);
	send_frag(net, 2960, 48, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMTIMEOUT], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 0);
	ck_assert_ptr_nonnull(nj_find("ip_expire", 'B'));
	ck_assert_uint_eq(ip_frag_queue_count(net), 1);
	ck_assert_ptr_nonnull(strstr(last_ev("ip_find", 'i')->args, "\"found\":false"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_too_far_purges_stale_queue)
{
	/* id 1 holds [0,8); 65 fragments of other datagrams from the same
	 * source follow; the next fragment of id 1 is 66 > ipfrag_max_dist. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 1, 253, 0, d, 8, 1, 0, 0);
	for (int i = 0; i < 65; i++)
		send_data(net, (uint16_t)(100 + i), 253, 0, d, 8, 1, 0, 0);
	nj_rec.n = 0;
	send_data(net, 1, 253, 8, d, 8, 1, 0, 0);
	ck_assert_int_eq(count_kfree(SKB_DROP_REASON_FRAG_TOO_FAR), 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_ptr_nonnull(nj_find("ip_frag_too_far", 'i'));
	ck_assert_ptr_nonnull(strstr(last_ev("ip_frag_queue", 'E')->args, "\"have\":[[8,16]]"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_max_dist_not_reached)
{
	/* 63 foreign fragments in between: distance 64 is allowed. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 1, 253, 0, d, 8, 1, 0, 0);
	for (int i = 0; i < 63; i++)
		send_data(net, (uint16_t)(100 + i), 253, 0, d, 8, 1, 0, 0);
	send_data(net, 1, 253, 8, d, 8, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	nj_net_free(net);
}
END_TEST

/* Linux 6.x's inet_frag_find: refused once memory is already past
 * high_thresh; the queue that crosses it is kept (overshoot by one). */
START_TEST(test_frag_high_thresh_refuses_new_queue)
{
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 1, 253, 0, d, 8, 1, 0, 0);
	uint64_t per = ip_frag_mem(net);		/* one queue + one fragment */
	net->sysctl.ipfrag_high_thresh = per + 100;	/* not past yet: id 2 crosses it */
	send_data(net, 2, 253, 0, d, 8, 1, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 0);
	ck_assert_uint_eq(ip_frag_mem(net), 2 * per);
	nj_rec.n = 0;
	send_data(net, 3, 253, 0, d, 8, 1, 0, 0);	/* past: refused */
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_ptr_nonnull(find_msg("ip_find", "is past ipfrag_high_thresh"));
	ck_assert_ptr_nonnull(find_msg("ip_find", "nothing evicts"));
	send_data(net, 1, 253, 16, d, 8, 1, 0, 0);	/* an existing queue too */
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 2);
	ck_assert_uint_eq(ip_frag_queue_count(net), 2);
	nj_net_free(net);
}
END_TEST

static void first_id_fn(void *ctx, const struct ipq_info *q)
{
	int *first = ctx;
	if (*first < 0)
		*first = q->id;
}

START_TEST(test_frag_evictor_24_drops_oldest)
{
	/* 2.4: room for about three queues; the fourth evicts the oldest. */
	struct net *net = frag_net(KERNEL_2_4);
	uint8_t d[8] = { 0 };
	send_data(net, 1, 253, 0, d, 8, 1, 0, 0);
	uint64_t per = ip_frag_mem(net);		/* one queue + one fragment */
	net->sysctl.ipfrag_high_thresh = 4 * per + 10;
	net->sysctl.ipfrag_low_thresh = 2 * per + 10;
	send_data(net, 2, 253, 0, d, 8, 1, 0, 0);
	send_data(net, 3, 253, 0, d, 8, 1, 0, 0);
	send_data(net, 2, 253, 16, d, 8, 1, 0, 0);	/* id 2 grows: id 3 is now older */
	nj_rec.n = 0;
	send_data(net, 4, 253, 0, d, 8, 1, 0, 0);
	ck_assert_ptr_nonnull(nj_find("ip_evictor", 'B'));
	ck_assert_uint_le(ip_frag_mem(net), net->sysctl.ipfrag_high_thresh);
	/* Down to low_thresh: id 1 (oldest) and id 3 go; id 2 was touched later. */
	ck_assert_ptr_nonnull(find_msg("ip_evictor", "id=0x0001"));
	ck_assert_ptr_nonnull(find_msg("ip_evictor", "id=0x0003"));
	ck_assert_ptr_null(find_msg("ip_evictor", "id=0x0002"));
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 2);
	int first = -1;
	ip_frag_for_each(net, first_id_fn, &first);
	ck_assert_int_eq(first, 2);
	ck_assert_uint_eq(ip_frag_queue_count(net), 2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_ecn_not_ect_mixed_with_ect_fails)
{
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 21, 253, 0, d, 8, 1, 0, 0);	/* Not-ECT */
	send_data(net, 21, 253, 8, d, 8, 0, 0, 2);	/* ECT(0) */
	ck_assert_int_eq(net->mib[MIB_IP_REASMFAILS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 0);
	ck_assert_ptr_nonnull(find_msg("ip_frag_reasm", "ECN"));
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_ecn_ce_carried)
{
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[8] = { 0 };
	send_data(net, 22, 253, 0, d, 8, 1, 0, 2);	/* ECT(0) */
	send_data(net, 22, 253, 8, d, 8, 0, 0, 3);	/* CE */
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_int_eq(((struct iphdr *)reasm_buf)->tos & 3, 3);
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_df_kept_when_largest_had_df)
{
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[64] = { 0 };
	send_data(net, 23, 253, 0, d, 64, 1, IP_DF, 0);
	send_data(net, 23, 253, 64, d, 8, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 1);
	ck_assert_uint_eq(ntohs(((struct iphdr *)reasm_buf)->frag_off), IP_DF);
	ck_assert_ptr_nonnull(strstr(last_ev("ip_frag_reasm", 'i')->args, "\"frag_max_size\":84"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_frag_many_concurrent_datagrams)
{
	/* 50 datagrams interleaved: first halves, then second halves. */
	struct net *net = frag_net(KERNEL_6X);
	uint8_t d[16];
	for (int i = 0; i < 50; i++)
		send_data(net, (uint16_t)(1000 + i), 253, 0, d, 8, 1, 0, 0);
	ck_assert_uint_eq(ip_frag_queue_count(net), 50);
	for (int i = 0; i < 50; i++)
		send_data(net, (uint16_t)(1000 + i), 253, 8, d, 8, 0, 0, 0);
	ck_assert_int_eq(net->mib[MIB_IP_REASMOKS], 50);
	ck_assert_uint_eq(ip_frag_queue_count(net), 0);
	ck_assert_uint_eq(ip_frag_mem(net), 0);
	nj_net_free(net);
}
END_TEST

/* Floods: distinct ids, each a first fragment that never completes. */
static void flood(enum nj_kernel k, int n, const char *label)
{
	struct net *net = frag_net(k);
	uint8_t d[8] = { 0 };
	struct nj_ip_opts o = { .id = 0, .frag_off = IP_MF };
	size_t l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, 253, d, 8, &o);
	struct iphdr *iph = (struct iphdr *)(frame + ETH_HLEN);
	uint64_t high = net->sysctl.ipfrag_high_thresh, peak = 0, slack = 0;
	int over = 0;
	struct timespec t0, t1;

	trace_clear_sinks(net);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		iph->id = htons((uint16_t)i);
		iph->saddr = htonl(0x0a000001u + (uint32_t)(i >> 16) * 0x100u);	/* 10.0.x.1: ids never repeat */
		ip_send_check(iph);
		/* No ck_assert in this loop: Check records every passing assert
		 * with a write(2), which would be most of the run time. */
		struct sk_buff *skb = alloc_skb(net, (uint32_t)l);
		if (!skb)
			break;
		skb->pkt = i;
		memcpy(skb_put(skb, (uint32_t)l), frame, l);
		eth_type_trans(net, skb, &net->devs[0]);
		netif_rx(net, skb);
		net_rx_action(net);
		uint64_t m = ip_frag_mem(net);
		if (i == 0 && k == KERNEL_6X)
			slack = m;	/* 6.x keeps the queue that crosses high_thresh */
		if (m > peak)
			peak = m;
		if (m > high + slack && !over)
			over = i + 1;
	}
	ck_assert_msg(!over, "frag memory passed high_thresh %llu (+ %llu) after %d fragments", (unsigned long long)high,
		      (unsigned long long)slack, over);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s: %d fragments, peak frag memory %llu of %llu bytes, %u queues held, %.2f s\n", label, n,
	       (unsigned long long)peak, (unsigned long long)high, ip_frag_queue_count(net), secs);
	ck_assert_int_eq(net->mib[MIB_IP_REASMREQDS], n);
	/* Every held fragment is one live skb; nothing else leaked. */
	ck_assert_uint_eq(net->skbs_live, ip_frag_queue_count(net));
	ip_frag_exit(net);
	ck_assert_uint_eq(net->skbs_live, 0);
	nj_net_free(net);
}

START_TEST(test_frag_flood_modern_bounded)
{
	flood(KERNEL_6X, 1000000, "flood (6.x, refuse)");
}
END_TEST

START_TEST(test_frag_flood_24_evictor_bounded)
{
	flood(KERNEL_2_4, 200000, "flood (2.4, LRU evictor)");
}
END_TEST

static Suite *ip_fragment_suite(void)
{
	Suite *s = suite_create("ip_fragment");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_frag_in_order);
	tcase_add_test(core, test_frag_reverse_order);
	tcase_add_test(core, test_frag_shuffled);
	tcase_add_test(core, test_frag_have_ranges_and_key_in_args);
	tcase_add_test(core, test_frag_for_each_panel);
	tcase_add_test(core, test_frag_odd_non_last_rounded_down);
	tcase_add_test(core, test_frag_ecn_ce_carried);
	tcase_add_test(core, test_frag_df_kept_when_largest_had_df);
	tcase_add_test(core, test_frag_many_concurrent_datagrams);
	tcase_add_test(core, test_frag_overlap_24_head_trimmed);
	tcase_add_test(core, test_frag_overlap_24_tail_wins);
	tcase_add_test(core, test_frag_overlap_24_partial_successor_cut);
	tcase_add_test(core, test_frag_max_dist_not_reached);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_frag_duplicate_dropped_datagram_completes);
	tcase_add_test(err, test_frag_inside_run_is_duplicate);
	tcase_add_test(err, test_frag_overlap_modern_drops_queue);
	tcase_add_test(err, test_frag_24_covered_fragment_dropped);
	tcase_add_test(err, test_frag_oversized_fails_at_reasm);
	tcase_add_test(err, test_frag_last_fragment_different_end);
	tcase_add_test(err, test_frag_last_fragment_before_held_data);
	tcase_add_test(err, test_frag_beyond_known_length);
	tcase_add_test(err, test_frag_corrupt_24_keeps_queue);
	tcase_add_test(err, test_frag_empty_fragment_corrupt);
	tcase_add_test(err, test_frag_timeout_with_first_sends_icmp);
	tcase_add_test(err, test_frag_timeout_without_first_no_icmp);
	tcase_add_test(err, test_frag_timer_not_extended_and_driven_by_next_packet);
	tcase_add_test(err, test_frag_too_far_purges_stale_queue);
	tcase_add_test(err, test_frag_ecn_not_ect_mixed_with_ect_fails);
	suite_add_tcase(s, err);
	TCase *lim = tcase_create("Limits");
	tcase_set_timeout(lim, 120);
	tcase_add_test(lim, test_frag_high_thresh_refuses_new_queue);
	tcase_add_test(lim, test_frag_evictor_24_drops_oldest);
	tcase_add_test(lim, test_frag_flood_modern_bounded);
	tcase_add_test(lim, test_frag_flood_24_evictor_bounded);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(ip_fragment_suite)
