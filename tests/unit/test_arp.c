/*
 * test_arp.c - arp_rcv/arp_process: a request for us is answered (the reply
 * parsed back), the table learns the asker, replies update only known
 * entries, gratuitous ARP, header checks; an unresolved next hop gets a
 * broadcast request and its packets wait in the neighbour's arp_queue
 * (unres_qlen_bytes of truesize, NEIGH_QUEUEFULL beyond) until the entry
 * becomes valid, by an ARP reply or any neigh_update (a replay's
 * recorded transmit), which sends them. Unanswered, the entry is solicited
 * again by its timer at 1 and 2 s and FAILS at 3 s: each held packet's
 * sender hears host unreachable (on the wire for a forwarded one, counted
 * over lo for our own), the packets go NEIGH_FAILED, the next one starts
 * again.
 */
#include "cJSON.h"
#include "nj_check.h"
#include "sock.h"

static uint8_t frame[128];
static const uint8_t mac3[6] = { 2, 0, 0, 0, 0, 0xbb };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct arp_eth { struct ethhdr eth; struct arphdr a; uint8_t sha[6]; uint32_t sip; uint8_t tha[6]; uint32_t tip; } __attribute__((packed));

static size_t arp_frame(int op, const uint8_t *dmac, const uint8_t *smac, const char *sip, const char *tip)
{
	struct arp_eth *f = (struct arp_eth *)frame;
	memset(frame, 0, sizeof(frame));
	memcpy(f->eth.h_dest, dmac, 6);
	memcpy(f->eth.h_source, smac, 6);
	f->eth.h_proto = htons(ETH_P_ARP);
	f->a.ar_hrd = htons(ARPHRD_ETHER);
	f->a.ar_pro = htons(ETH_P_IP);
	f->a.ar_hln = 6;
	f->a.ar_pln = 4;
	f->a.ar_op = htons((uint16_t)op);
	memcpy(f->sha, smac, 6);
	f->sip = nj_ip(sip);
	f->tip = nj_ip(tip);
	return 60;
}

START_TEST(test_arp_request_answered_and_learned)
{
	struct net *net = nj_host();
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, mac3, "10.0.0.3", NJ_HOST_IP));
	ck_assert_int_eq(nj_tx.n, 1);
	const struct arp_eth *r = (const struct arp_eth *)nj_tx.f[0].buf;
	ck_assert(memcmp(r->eth.h_dest, mac3, 6) == 0);
	ck_assert(memcmp(r->eth.h_source, nj_host_mac, 6) == 0);
	ck_assert_int_eq(ntohs(r->a.ar_op), ARPOP_REPLY);
	ck_assert(memcmp(r->sha, nj_host_mac, 6) == 0);
	ck_assert_uint_eq(r->sip, nj_ip(NJ_HOST_IP));
	ck_assert(memcmp(r->tha, mac3, 6) == 0);
	ck_assert_uint_eq(r->tip, nj_ip("10.0.0.3"));
	ck_assert_int_eq(net->mib[MIB_ARP_OUTREPLIES], 1);
	ck_assert(memcmp(neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")), mac3, 6) == 0);
	nj_net_free(net);
}
END_TEST

/* An Ethernet device takes hardware type IEEE 802 too; a request from a
 * martian sender (loopback, multicast) fails ip_route_input: no reply,
 * nothing learned. */
START_TEST(test_arp_ieee802_and_martian_senders)
{
	struct net *net = nj_host();
	size_t n = arp_frame(ARPOP_REQUEST, bcast, mac3, "10.0.0.3", NJ_HOST_IP);
	((struct arp_eth *)frame)->a.ar_hrd = htons(ARPHRD_IEEE802);
	nj_inject(net, frame, n);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, mac3, "127.0.0.1", NJ_HOST_IP));
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, mac3, "224.0.0.1", NJ_HOST_IP));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_ptr_null(neigh_lookup(net, &net->devs[0], nj_ip("127.0.0.1")));
	ck_assert_int_eq(net->mib[MIB_ARP_INREQUESTS], 3);
	nj_net_free(net);
}
END_TEST

START_TEST(test_arp_request_not_for_us)
{
	struct net *net = nj_host();
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, mac3, "10.0.0.3", "10.0.0.9"));
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_ptr_null(neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")));	/* not learned */
	nj_net_free(net);
}
END_TEST

START_TEST(test_arp_gratuitous_updates_known)
{
	static const uint8_t newmac[6] = { 2, 0, 0, 0, 0, 0xcc };
	struct net *net = nj_host();
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, mac3, "10.0.0.3", NJ_HOST_IP));
	nj_inject(net, frame, arp_frame(ARPOP_REQUEST, bcast, newmac, "10.0.0.3", "10.0.0.3"));
	ck_assert(memcmp(neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")), newmac, 6) == 0);
	ck_assert_ptr_nonnull(strstr(nj_find("arp_process", 'i')->msg, "gratuitous"));
	/* a static entry is never overridden */
	nj_inject(net, frame, arp_frame(ARPOP_REPLY, nj_host_mac, newmac, NJ_PEER_IP, NJ_HOST_IP));
	ck_assert(memcmp(neigh_lookup(net, &net->devs[0], nj_ip(NJ_PEER_IP)), nj_peer_mac, 6) == 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_arp_bad_lengths)
{
	struct net *net = nj_host();
	arp_frame(ARPOP_REQUEST, bcast, mac3, "10.0.0.3", NJ_HOST_IP);
	frame[ETH_HLEN + 4] = 8;	/* ar_hln */
	nj_inject(net, frame, 60);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	nj_rec.n = 0;
	nj_inject(net, frame, ETH_HLEN + 10);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_SMALL);
	nj_net_free(net);
}
END_TEST

static uint32_t last_truesize;
static uint64_t last_id;

static int send_udp_sized(struct net *net, const char *dst, uint32_t cap)
{
	struct sk_buff *skb = alloc_skb(net, cap);
	last_truesize = skb->truesize;
	last_id = skb->id;
	uint8_t *p = skb_put(skb, 28);
	memset(p, 0, 28);
	struct iphdr *iph = (struct iphdr *)p;
	iph->ihl_version = 0x45;
	iph->tot_len = htons(28);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP_;
	iph->saddr = nj_ip(NJ_HOST_IP);
	iph->daddr = nj_ip(dst);
	((struct udphdr *)(iph + 1))->len = htons(8);
	return ip_local_out(net, skb);
}

static int send_udp_to(struct net *net, const char *dst)
{
	return send_udp_sized(net, dst, 40);
}

START_TEST(test_arp_solicit_queue_and_flush)
{
	struct net *net = nj_host();
	for (int i = 0; i < 4; i++)
		send_udp_to(net, "10.0.0.3");
	ck_assert_int_eq(nj_tx.n, 1);				/* one request */
	const struct arp_eth *r = (const struct arp_eth *)nj_tx.f[0].buf;
	ck_assert(memcmp(r->eth.h_dest, bcast, 6) == 0);
	ck_assert_int_eq(ntohs(r->a.ar_op), ARPOP_REQUEST);
	ck_assert_uint_eq(r->tip, nj_ip("10.0.0.3"));
	ck_assert_uint_eq(r->sip, nj_ip(NJ_HOST_IP));
	ck_assert_int_eq(nj_drop_reason(), -1);			/* 4 small packets fit in unres_qlen_bytes */
	ck_assert_int_eq(net->mib[MIB_ARP_OUTREQUESTS], 1);
	nj_inject(net, frame, arp_frame(ARPOP_REPLY, nj_host_mac, mac3, "10.0.0.3", NJ_HOST_IP));
	ck_assert_int_eq(nj_tx.n, 5);				/* the 4 held ones, in order */
	for (int i = 1; i < 5; i++) {
		ck_assert(memcmp(nj_tx.f[i].buf, mac3, 6) == 0);
		ck_assert_int_eq(nj_tx_ip(i)->protocol, IPPROTO_UDP_);
	}
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* __neigh_event_send: the queue is bounded in bytes of truesize; the
 * oldest packets make room and count as unresolved discards. */
START_TEST(test_neigh_queue_bytes_limit)
{
	struct net *net = nj_host();
	const int sent = 6;
	for (int i = 0; i < sent; i++)
		send_udp_sized(net, "10.0.0.3", 50000);
	uint32_t fit = 212992u / last_truesize;			/* unres_qlen_bytes default */
	ck_assert_uint_lt(fit, (uint32_t)sent);
	ck_assert_int_eq(net->mib[MIB_ARP_UNRESOLVED_DISCARDS], sent - (int)fit);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NEIGH_QUEUEFULL);
	ck_assert_int_eq((int)net->skbs_live, (int)fit);
	nj_inject(net, frame, arp_frame(ARPOP_REPLY, nj_host_mac, mac3, "10.0.0.3", NJ_HOST_IP));
	ck_assert_int_eq(nj_tx.n, 1 + (int)fit);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* The arp_queue ids a traced replay lists (neighbour.c keeps them beside
 * the queue, so as not to walk cold skbs per event) are the queue's: after
 * 600 sends to an address that never answers (growing the id array, the
 * oldest dropping out each time, compaction), the last listing names the
 * last `fit` sends, oldest first, and the counts agree. */
static char neigh_args[65536];
static void keep_neigh_args(void *ctx, const struct trace_event *e)
{
	(void)ctx;
	if (e->args && strstr(e->args, "\"queued_skbs\""))
		snprintf(neigh_args, sizeof(neigh_args), "%s", e->args);
}

START_TEST(test_neigh_queue_ids_follow_the_queue)
{
	enum { SENDS = 600 };
	static uint64_t ids[SENDS];
	struct net *net = nj_host();
	trace_add_sink(net, keep_neigh_args, NULL);
	for (int i = 0; i < SENDS; i++) {
		send_udp_to(net, "10.0.0.3");
		ids[i] = last_id;
	}
	uint32_t fit = 212992u / last_truesize;
	ck_assert_uint_lt(fit, SENDS);
	cJSON *a = cJSON_Parse(neigh_args);
	ck_assert_ptr_nonnull(a);
	cJSON *n = cJSON_GetObjectItem(a, "neigh"), *q = cJSON_GetObjectItem(n, "queued_skbs");
	ck_assert_int_eq(cJSON_GetArraySize(q), (int)fit);
	ck_assert_int_eq((int)cJSON_GetObjectItem(n, "queued")->valuedouble, (int)fit);
	for (uint32_t i = 0; i < fit; i++)
		ck_assert_uint_eq((uint64_t)cJSON_GetArrayItem(q, (int)i)->valuedouble, ids[SENDS - fit + i]);
	cJSON_Delete(a);
	ck_assert_int_eq((int)net->skbs_live, (int)fit);
	nj_net_free(net);
}
END_TEST

/* neigh_update from anywhere (here what a replay's recorded transmit
 * teaches: source_pcap.c learns STALE) sends what the entry held. */
START_TEST(test_neigh_update_flushes_queue)
{
	struct net *net = nj_host();
	send_udp_to(net, "10.0.0.3");
	send_udp_to(net, "10.0.0.3");
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_ptr_null(neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")));	/* INCOMPLETE */
	ck_assert(__neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")));
	neigh_update(net, &net->devs[0], nj_ip("10.0.0.3"), mac3, NUD_STALE);
	ck_assert_int_eq(nj_tx.n, 3);
	ck_assert(memcmp(nj_tx.f[2].buf, mac3, 6) == 0);
	ck_assert_int_eq((int)net->skbs_live, 0);
	neigh_update(net, &net->devs[0], nj_ip("10.0.0.3"), mac3, NUD_REACHABLE);	/* valid → valid: nothing */
	ck_assert_int_eq(nj_tx.n, 3);
	nj_net_free(net);
}
END_TEST

/* A packet held for an address that never answers stays queued on its
 * INCOMPLETE entry, and the host's purge releases it (nj_net_free asserts
 * skbs_live is then 0). */
START_TEST(test_arp_unanswered_queue_freed)
{
	struct net *net = nj_host();
	send_udp_to(net, "10.0.0.3");
	ck_assert_int_eq(nj_tx.n, 1);					/* the ARP request only */
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_int_eq((int)net->skbs_live, 1);			/* held on the neighbour */
	ck_assert(__neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")));
	net_purge(net);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

#define SEC 1000000000ULL

/* Moves the clock to t and fires the neighbour timers due. */
static void at(struct net *net, uint64_t t)
{
	net_set_time(net, t);
	neigh_run_timers(net);
	net_rx_action(net);
}

static int arp_requests_for(const char *ip)
{
	int n = 0;
	for (int i = 0; i < nj_tx.n; i++) {
		const struct arp_eth *r = (const struct arp_eth *)nj_tx.f[i].buf;
		n += ntohs(r->eth.h_proto) == ETH_P_ARP && ntohs(r->a.ar_op) == ARPOP_REQUEST && r->tip == nj_ip(ip);
	}
	return n;
}

/* Our own packets: requests at 0, 1 and 2 s (none for the second packet,
 * the timer solicits), FAILED at 3 s. Both held datagrams are freed
 * NEIGH_FAILED and each error comes to ourselves (no lo in the scenario:
 * counted out and in), then a new packet starts resolving at once. */
START_TEST(test_arp_unanswered_fails_after_three_requests)
{
	struct net *net = nj_host();
	net_set_time(net, 10 * SEC);
	send_udp_to(net, "10.0.0.3");
	send_udp_to(net, "10.0.0.3");
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 1);
	ck_assert_uint_eq(neigh_next_timer(net), 11 * SEC);
	at(net, 11 * SEC - 1);
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 1);
	at(net, 11 * SEC);
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 2);
	at(net, 12 * SEC);
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 3);
	ck_assert_int_eq((int)net->skbs_live, 2);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTDESTUNREACHS], 0);
	at(net, 13 * SEC);
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 3);		/* FAILED: no fourth */
	ck_assert_int_eq((int)net->skbs_live, 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NEIGH_FAILED);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTDESTUNREACHS], 2);
	ck_assert_int_eq(net->mib[MIB_ICMP_INDESTUNREACHS], 2);	/* received over lo */
	ck_assert_uint_eq(neigh_next_timer(net), 0);
	ck_assert_ptr_null(neigh_lookup(net, &net->devs[0], nj_ip("10.0.0.3")));
	send_udp_to(net, "10.0.0.3");
	ck_assert_int_eq(arp_requests_for("10.0.0.3"), 4);		/* resolution starts again */
	ck_assert_uint_eq(neigh_next_timer(net), 14 * SEC);
	nj_net_free(net);
}
END_TEST

/* A router's forwarded ping whose next hop never answers: at 3 s its
 * sender gets ICMP host unreachable (type 3 code 1) from the router, quoting
 * the datagram as it was held (TTL already decremented). An answer before
 * then stops the timer. */
START_TEST(test_arp_failure_reported_to_forwarded_sender)
{
	struct net *net = nj_router();
	uint8_t l4[128];
	size_t n = nj_icmp_echo(l4, 7, 1, 16);
	net_set_time(net, SEC);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, "192.168.1.20", IPPROTO_ICMP_, l4, n, NULL));
	n = nj_icmp_echo(l4, 7, 2, 16);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, "192.168.1.30", IPPROTO_ICMP_, l4, n, NULL));
	ck_assert_int_eq(arp_requests_for("192.168.1.20"), 1);
	at(net, 2 * SEC);
	nj_inject_on(net, 1, frame, arp_frame(ARPOP_REPLY, NJ_ROUTER_MAC1, mac3, "192.168.1.30", "192.168.1.1"));
	int before = nj_tx.n;
	at(net, 3 * SEC);
	at(net, 4 * SEC);
	ck_assert_int_eq(arp_requests_for("192.168.1.20"), 3);
	ck_assert_int_eq(arp_requests_for("192.168.1.30"), 2);	/* answered after its second */
	ck_assert_int_eq(nj_tx.n, before + 2);			/* 192.168.1.20's third, then the error */
	const struct iphdr *ip = nj_tx_ip(nj_tx.n - 1);
	ck_assert_int_eq(ip->protocol, IPPROTO_ICMP_);
	ck_assert_uint_eq(ip->saddr, nj_ip("10.0.0.2"));
	ck_assert_uint_eq(ip->daddr, nj_ip(NJ_PEER_IP));
	const uint8_t *icmp = nj_tx_l4(nj_tx.n - 1);
	ck_assert_int_eq(icmp[0], ICMP_DEST_UNREACH);
	ck_assert_int_eq(icmp[1], ICMP_HOST_UNREACH);
	const struct iphdr *q = (const struct iphdr *)(icmp + 8);
	ck_assert_uint_eq(q->daddr, nj_ip("192.168.1.20"));
	ck_assert_int_eq(q->ttl, 63);
	ck_assert_int_eq(net->mib[MIB_ICMP_INDESTUNREACHS], 0);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* The table as Linux bounds it: 900 learned entries in a second all stay
 * (each found by hash with its own MAC, the same address on two devices
 * two entries); at gc_thresh3 (1024) with every entry fresh the next one
 * overflows; 6 s later neigh_forced_gc removes the 512 oldest idle ones
 * (down to gc_thresh2) and the new entry is made. PERMANENT ones stay. */
START_TEST(test_neigh_table_gc_thresholds)
{
	struct net *net = nj_net();
	static const uint8_t mac1[6] = { 2, 0, 0, 0, 1, 1 };
	struct net_device *eth1 = net_add_dev(net, "eth1", mac1, 1500);
	ck_assert_ptr_nonnull(eth1);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 0 };
	enum { N = 1025 };
#define DEV(i) ((i) % 2 ? eth1 : &net->devs[0])
#define IP(i) htonl(0x0a010000u + (uint32_t)(i) / 2)
	for (uint32_t i = 0; i < N; i++) {
		net_set_time(net, 1000000000ull + i * 1000000ull);
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		neigh_update(net, DEV(i), IP(i), mac, NUD_REACHABLE);
	}
	for (uint32_t i = 0; i < N - 1; i++) {
		const uint8_t *m = neigh_lookup(net, DEV(i), IP(i));
		ck_assert_msg(m != NULL, "entry %u lost", i);
		ck_assert_uint_eq(m[4], (uint8_t)(i >> 8));
		ck_assert_uint_eq(m[5], (uint8_t)i);
	}
	ck_assert_ptr_null(neigh_lookup(net, DEV(N - 1), IP(N - 1)));	/* overflow: none idle 5 s */
	net_set_time(net, net->now_ns + 6000000000ull);
	neigh_update(net, DEV(N - 1), IP(N - 1), mac, NUD_REACHABLE);
	ck_assert_ptr_nonnull(neigh_lookup(net, DEV(N - 1), IP(N - 1)));
	for (uint32_t i = 0; i < N - 1; i++)
		ck_assert_msg((neigh_lookup(net, DEV(i), IP(i)) != NULL) == (i >= 512), "entry %u", i);
	ck_assert_ptr_nonnull(neigh_lookup(net, &net->devs[0], nj_ip(NJ_PEER_IP)));	/* PERMANENT */
#undef DEV
#undef IP
	nj_net_free(net);
}
END_TEST

static Suite *arp_suite(void)
{
	Suite *s = suite_create("arp");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_arp_request_answered_and_learned);
	tcase_add_test(core, test_arp_request_not_for_us);
	tcase_add_test(core, test_arp_ieee802_and_martian_senders);
	tcase_add_test(core, test_arp_gratuitous_updates_known);
	tcase_add_test(core, test_arp_solicit_queue_and_flush);
	tcase_add_test(core, test_neigh_queue_ids_follow_the_queue);
	tcase_add_test(core, test_neigh_queue_bytes_limit);
	tcase_add_test(core, test_neigh_update_flushes_queue);
	tcase_add_test(core, test_neigh_table_gc_thresholds);
	suite_add_tcase(s, core);
	TCase *err = tcase_create("Errors");
	tcase_add_test(err, test_arp_bad_lengths);
	tcase_add_test(err, test_arp_unanswered_queue_freed);
	tcase_add_test(err, test_arp_unanswered_fails_after_three_requests);
	tcase_add_test(err, test_arp_failure_reported_to_forwarded_sender);
	suite_add_tcase(s, err);
	return s;
}

NJ_TEST_MAIN(arp_suite)
