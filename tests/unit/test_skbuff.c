/*
 * test_skbuff.c - skb->truesize follows Linux's arithmetic, not the size of
 * netjourney's size-class buffers; the skb cache; the Internet checksum. Expected values, from the rules in
 * net/core/skbuff.c (x86-64, reference kernel's MAX_TCP_HEADER 256):
 *   head = SKB_DATA_ALIGN(size) + 320 (skb_shared_info);
 *   head <= 576 takes a 576-byte small head, else the kmalloc class
 *   (512, 1k, 2k, 4k, 8k, then 2^order pages);
 *   truesize = head - 320 + 256 (aligned sk_buff) + 320 = head + 256.
 * The packet-socket figures were also measured on Linux 6.18 (a frame sent
 * on one veth, the receiving UDP socket's rx_queue): 60 and 142 bytes →
 * 832, 242 and 442 → 1280, 1042 and 1514 → 2304.
 */
#include "nj_check.h"
#include "af_packet.h"

START_TEST(test_alloc_skb_truesize_classes)
{
	ck_assert_uint_eq(alloc_skb_truesize(0), 832);		/* 0 + 320 → small head 576 */
	ck_assert_uint_eq(alloc_skb_truesize(256), 832);	/* 256 + 320 = 576: still small */
	ck_assert_uint_eq(alloc_skb_truesize(257), 1280);	/* 320 + 320 = 640 → kmalloc-1k */
	ck_assert_uint_eq(alloc_skb_truesize(704), 1280);	/* 704 + 320 = 1024 exactly */
	ck_assert_uint_eq(alloc_skb_truesize(705), 2304);	/* 768 + 320 = 1088 → 2k */
	ck_assert_uint_eq(alloc_skb_truesize(3000), 4352);	/* 3008 + 320 = 3328 → 4k */
	ck_assert_uint_eq(alloc_skb_truesize(9000), 16640);	/* 9344 → order-2 pages, 16384 */
}
END_TEST

START_TEST(test_packet_alloc_skb_truesize)
{
	/* frame + LL_RESERVED_SPACE 16 */
	ck_assert_uint_eq(packet_alloc_skb_truesize(60), 832);
	ck_assert_uint_eq(packet_alloc_skb_truesize(142), 832);
	ck_assert_uint_eq(packet_alloc_skb_truesize(242), 1280);
	ck_assert_uint_eq(packet_alloc_skb_truesize(1514), 2304);
	/* 9000: 16 + 14 linear (832), 8986 in frags: an order-1 block
	 * (8192) then one page (4096) */
	ck_assert_uint_eq(packet_alloc_skb_truesize(9000), 832 + 8192 + 4096);
}
END_TEST

START_TEST(test_alloc_skb_size_class_buffer)
{
	struct net *net = nj_host();
	struct sk_buff *skb = alloc_skb(net, 60);
	ck_assert_ptr_nonnull(skb);
	ck_assert_uint_eq(skb->truesize, 832);		/* NET_SKB_PAD 64 + 60: a small head */
	ck_assert_uint_eq(skb->end, 128);		/* its own buffer: the 128-byte class */
	ck_assert_uint_eq(skb_headroom(skb), NET_SKB_PAD);
	ck_assert_uint_eq(skb_tailroom(skb), 128 - NET_SKB_PAD);
	memset(skb_put(skb, 60), 0xab, 60);
	struct sk_buff *c = skb_copy(net, skb);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->truesize, skb->truesize);
	ck_assert_uint_eq(c->len, 60);
	ck_assert_int_eq(memcmp(c->data, skb->data, 60), 0);
	ck_assert_ptr_ne(c->head, skb->head);
	kfree_skb(net, c);
	kfree_skb(net, skb);
	/* the classes by request: size + NET_SKB_PAD rounded up, malloc past 2 KiB */
	static const uint32_t classes[] = { 128, 192, 256, 512, 1024, 1600, 2048 };
	const uint32_t sizes[] = { 0, 64, 65, 128, 129, 192, 193, 448, 449, 1514, 1536, 1537, 1984, 1985, 65535 };
	const uint32_t ends[] = { 128, 128, 192, 192, 256, 256, 512, 512, 1024, 1600, 1600, 2048, 2048, 2049, 65599 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		skb = alloc_skb(net, sizes[i]);
		ck_assert_ptr_nonnull(skb);
		ck_assert_uint_eq(skb->end, ends[i]);
		memset(skb_put(skb, sizes[i]), 0x5a, sizes[i]);	/* all of it is writable */
		kfree_skb(net, skb);
	}
	for (uint32_t size = 0; size <= 4200; size++) {	/* every size: the first class that holds it */
		uint32_t want = size + NET_SKB_PAD;
		for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++)
			if (size + NET_SKB_PAD <= classes[c]) {
				want = classes[c];
				break;
			}
		skb = alloc_skb(net, size);
		ck_assert_ptr_nonnull(skb);
		ck_assert_uint_eq(skb->end, want);
		kfree_skb(net, skb);
	}
	ck_assert_uint_eq(net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* Many live skbs span several 2 MiB slabs; none overlaps another, a freed
 * one is reused for its class, and net_destroy returns every slab. */
START_TEST(test_skb_cache_many_live)
{
	enum { N = 12000 };
	struct net *net = nj_host();
	static struct sk_buff *live[N];
	for (int i = 0; i < N; i++) {
		live[i] = alloc_skb(net, (uint32_t)(i % 3 == 0 ? 1400 : 60));
		ck_assert_ptr_nonnull(live[i]);
		uint32_t n = skb_tailroom(live[i]);
		memset(skb_put(live[i], n), (unsigned char)i, n);
	}
	for (int i = 0; i < N; i++) {
		ck_assert_uint_eq(live[i]->data[0], (unsigned char)i);
		ck_assert_uint_eq(live[i]->data[live[i]->len - 1], (unsigned char)i);
	}
	ck_assert_uint_eq(net->skbs_live, N);
	for (int i = 0; i < N; i++)
		kfree_skb(net, live[i]);
	ck_assert_uint_eq(net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* A queue purged once net_destroy has begun: dropped whole when every
 * skb is carved from the slabs, one by one when one was malloc'd (a head
 * over the largest class); either way the queue is empty and the count
 * right. Valgrind and ASan runs check the malloc'd one is freed. */
START_TEST(test_skb_queue_purge_dying)
{
	for (int heap = 0; heap <= 1; heap++) {
		struct net *net = nj_host();
		struct sk_buff_head q;
		skb_queue_head_init(&q);
		uint64_t before = net->skbs_live;
		for (int i = 0; i < 100; i++)
			skb_queue_tail(&q, alloc_skb(net, 60));
		if (heap)
			skb_queue_tail(&q, alloc_skb(net, 9000));
		struct sk_buff *kept = alloc_skb(net, 60);	/* on no queue */
		ck_assert_uint_eq(net->skbs_live, before + 101 + (uint64_t)heap);
		skb_cache_dying(net);
		skb_queue_purge(net, &q);
		ck_assert_uint_eq(q.qlen, 0);
		ck_assert_ptr_eq(q.next, (struct sk_buff *)&q);
		ck_assert_ptr_eq(q.prev, (struct sk_buff *)&q);
		ck_assert_uint_eq(net->skbs_live, before + 1);
		kfree_skb(net, kept);
		ck_assert_uint_eq(net->skbs_live, before);
		nj_net_free(net);
	}
}
END_TEST

/* Past half a slab a thread touches the next ahead; the skbs carved from
 * its slabs are whole, apart (each keeps the bytes written into it) and
 * freed with the net. Not under ASan, where every skb is malloc'd. */
START_TEST(test_slabs_touched_ahead)
{
	enum { N = 4000 };
	static struct sk_buff *live[N];
	struct net *net = nj_host();
	int ahead, slabs;
	for (int i = 0; i < N; i++) {
		live[i] = alloc_skb(net, 1500);
		ck_assert_ptr_nonnull(live[i]);
		memset(skb_put(live[i], 1500), i & 0xff, 1500);
		if (i == 0) {
			ck_assert_int_le(skb_cache_slabs(net, &ahead), 1);
			ck_assert_int_eq(ahead, 0);	/* one slab: no thread yet */
		}
		if (i == 700 && skb_cache_slabs(net, &ahead)) {	/* 1.2 of 2 MiB carved */
			ck_assert_int_eq(skb_cache_slabs(net, &ahead), 1);
			ck_assert_int_eq(ahead, 1);	/* half the first slab: the thread runs */
		}
	}
	slabs = skb_cache_slabs(net, &ahead);
	if (slabs) {		/* none under ASan */
		ck_assert_int_ge(slabs, 3);
		ck_assert_int_eq(ahead, 1);
	}
	for (int i = 0; i < N; i++)
		for (int b = 0; b < 1500; b += 499)
			ck_assert_uint_eq(live[i]->data[b], (unsigned)(i & 0xff));
	for (int i = 0; i < N; i++)
		kfree_skb(net, live[i]);
	ck_assert_uint_eq(net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* The bytes' 16-bit words in network order (an odd last byte as the
 * high half of one), summed from s and folded with end-around carry. */
static uint64_t sum16_reference(const unsigned char *p, size_t len, uint64_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* RFC 1071 by the book, 16 bits at a time in network order. */
static uint16_t csum_reference(const unsigned char *p, size_t len, uint32_t init)
{
	return (uint16_t)~sum16_reference(p, len, init);
}

START_TEST(test_csum_partial_matches_rfc1071)
{
	static unsigned char buf[1600];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (size_t off = 0; off < 4; off++)		/* unaligned starts */
		for (size_t len = 0; len <= 1500; len += (len < 80 ? 1 : 37))
			for (uint32_t init = 0; init < 0x30000; init += 0x17ff1)
				ck_assert_uint_eq(csum_fold(csum_partial(buf + off, len, init)),
						  csum_reference(buf + off, len, init));
	memset(buf, 0xff, 64);		/* all ones and all zeros keep their forms */
	ck_assert_uint_eq(csum_fold(csum_partial(buf, 64, 0)), csum_reference(buf, 64, 0));
	memset(buf, 0, 64);
	ck_assert_uint_eq(csum_fold(csum_partial(buf, 64, 0)), 0xffff);
}
END_TEST

/* What csum_partial returns, by the book: the 16-bit one's-complement sum
 * of the bytes in network order (0 only for all-zero data), plus init,
 * folded to 32 bits with end-around carry. */
static uint32_t csum_reference_unfolded(const unsigned char *p, size_t len, uint32_t init)
{
	uint64_t s = sum16_reference(p, len, 0);
	s += init;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/* The 32-byte rounds and their carry count against the byte-by-byte sum:
 * every length 0..2000 at eight alignments, random bytes, all-ones (a
 * carry out of every add) and all-zero data, and init values near 2^32. */
START_TEST(test_csum_partial_every_length)
{
	static unsigned char buf[2048 + 8], ones[2048 + 8], zero[2048 + 8];
	static const uint32_t inits[] = { 0, 1, 0xffff, 0x1fffe, 0xfffffffeu, 0xffffffffu };
	uint32_t x = 987654321;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	memset(ones, 0xff, sizeof(ones));
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 2000; len++) {
			uint32_t init = inits[(len + off) % 6];
			ck_assert_uint_eq(csum_partial(buf + off, len, init),
					  csum_reference_unfolded(buf + off, len, init));
			ck_assert_uint_eq(csum_partial(ones + off, len, init),
					  csum_reference_unfolded(ones + off, len, init));
			ck_assert_uint_eq(csum_partial(zero + off, len, init), init);
		}
}
END_TEST

/* kmalloc_reserve's size classes by a plain scan, as mm/slab_common.c
 * lists them, against skbuff.c's (which computes the powers of two). */
static uint32_t kmalloc_reserve_scan(uint32_t size)
{
	static const uint32_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };
	uint32_t obj = SKB_HEAD_ALIGN(size), pages = SK_PAGE_SIZE;
	if (obj <= SKB_SMALL_HEAD_CACHE_SIZE)
		return SKB_SMALL_HEAD_CACHE_SIZE;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (obj <= classes[i])
			return classes[i];
	while (pages < obj)
		pages <<= 1;
	return pages;
}

START_TEST(test_kmalloc_reserve_every_size)
{
	for (uint32_t size = 0; size <= 300000; size++)
		ck_assert_uint_eq(kmalloc_reserve(size), kmalloc_reserve_scan(size));
	for (uint32_t size = 1u << 20; size <= 1u << 29; size += 4093)	/* a reassembled super-packet */
		ck_assert_uint_eq(kmalloc_reserve(size), kmalloc_reserve_scan(size));
}
END_TEST

/* ip_fast_csum's word sum against csum_partial's, every ihl 0..15, at
 * four alignments, on random, all-ones and all-zero headers, and a
 * header it filled itself checks as 0. */
START_TEST(test_ip_fast_csum_matches_csum_partial)
{
	static unsigned char buf[64 + 4];
	uint32_t x = 4242;
	for (int round = 0; round < 3000; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = round == 0 ? 0xff : round == 1 ? 0 : (unsigned char)(x >> 16);
		}
		for (unsigned ihl = 0; ihl <= 15; ihl++)
			for (size_t off = 0; off < 4; off++)
				ck_assert_uint_eq(ip_fast_csum(buf + off, ihl),
						  csum_fold(csum_partial(buf + off, ihl * 4, 0)));
		buf[0] = 0x45;
		ip_send_check((struct iphdr *)buf);
		ck_assert_uint_eq(ip_fast_csum(buf, 5), 0);
	}
}
END_TEST

static Suite *skbuff_suite(void)
{
	Suite *s = suite_create("skbuff");
	TCase *tc = tcase_create("Truesize");
	tcase_add_test(tc, test_alloc_skb_truesize_classes);
	tcase_add_test(tc, test_kmalloc_reserve_every_size);
	tcase_add_test(tc, test_packet_alloc_skb_truesize);
	tcase_add_test(tc, test_alloc_skb_size_class_buffer);
	suite_add_tcase(s, tc);
	tc = tcase_create("Cache");
	tcase_add_test(tc, test_skb_cache_many_live);
	tcase_add_test(tc, test_skb_queue_purge_dying);
	tcase_add_test(tc, test_slabs_touched_ahead);
	suite_add_tcase(s, tc);
	tc = tcase_create("Checksum");
	tcase_add_test(tc, test_csum_partial_matches_rfc1071);
	tcase_add_test(tc, test_csum_partial_every_length);
	tcase_add_test(tc, test_ip_fast_csum_matches_csum_partial);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(skbuff_suite)
