/*
 * test_skbuff.c - skb->truesize follows Linux's arithmetic, not the size of
 * netjourney's pooled buffers. Expected values, from the rules in
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

START_TEST(test_alloc_skb_keeps_pool_buffer)
{
	struct net *net = nj_host();
	struct sk_buff *skb = alloc_skb(net, 60);
	ck_assert_ptr_nonnull(skb);
	ck_assert_uint_eq(skb->truesize, 832);		/* NET_SKB_PAD 64 + 60: a small head */
	ck_assert_uint_ge(skb_tailroom(skb), 1900);	/* the buffer is still the 2 KiB one */
	struct sk_buff *c = skb_copy(net, skb);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->truesize, skb->truesize);
	kfree_skb(net, c);
	kfree_skb(net, skb);
	nj_net_free(net);
}
END_TEST

static Suite *skbuff_suite(void)
{
	Suite *s = suite_create("skbuff");
	TCase *tc = tcase_create("Truesize");
	tcase_add_test(tc, test_alloc_skb_truesize_classes);
	tcase_add_test(tc, test_packet_alloc_skb_truesize);
	tcase_add_test(tc, test_alloc_skb_keeps_pool_buffer);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(skbuff_suite)
