/*
 * test_icmp.c - echo replies (checksum, identifier, data, source address),
 * echo to broadcast ignored, icmp_send's rules (never about ICMP errors,
 * only for the first fragment, never to L2 broadcasts), the rate limits
 * (per destination, global, frag-needed exempt) and received errors shown
 * with the quoted header.
 */
#include "nj_check.h"
#include "pktbuild.h"
#include "fib.h"
#include "sock.h"
#include "tcp.h"

static uint8_t frame[4096];
static uint8_t body[3000];
static uint8_t seg_buf[64];

START_TEST(test_icmp_echo_reply)
{
	struct net *net = nj_router();
	size_t l = nj_icmp_echo(body, 0x4242, 7, 56);
	l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, l, NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_tx.n, 1);
	const struct iphdr *ip = nj_tx_ip(0);
	const struct icmphdr *h = (const struct icmphdr *)nj_tx_l4(0);
	ck_assert_int_eq(ip->saddr, nj_ip(NJ_HOST_IP));
	ck_assert_int_eq(ip->daddr, nj_ip(NJ_PEER_IP));
	ck_assert_int_eq(ip->ttl, 64);
	ck_assert_int_eq(ntohs(ip->tot_len), 20 + 8 + 56);
	ck_assert_int_eq(ip_fast_csum(ip, 5), 0);
	ck_assert_int_eq(h->type, ICMP_ECHOREPLY);
	ck_assert_int_eq(ntohs(h->id), 0x4242);
	ck_assert_int_eq(ntohs(h->sequence), 7);
	ck_assert_int_eq(memcmp(h + 1, body + 8, 56), 0);
	ck_assert_int_eq(csum_fold(csum_partial(h, 64, 0)), 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTECHOREPS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTMSGS], 1);
	ck_assert_int_eq(net->mib[MIB_IP_OUTREQUESTS], 1);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/* An ICMP message type, code, id 0x1234, sequence seq and len data bytes
 * from the peer to the host. */
static void icmp_in(struct net *net, uint8_t type, uint8_t code, uint16_t seq, const void *d, size_t len)
{
	uint8_t m[64] = { type, code, 0, 0, 0x12, 0x34, (uint8_t)(seq >> 8), (uint8_t)seq };
	memcpy(m + 8, d, len);
	((struct icmphdr *)m)->checksum = htons(csum_fold(csum_partial(m, 8 + len, 0)));
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, m, 8 + len, NULL));
}

/* icmp_timestamp: the originate timestamp back with receive and transmit
 * times (ms since midnight UT, the replay's clock), counted as Linux 6.18
 * counts it (OutEchoReps); fewer than 4 data bytes: InErrors. PROBE (42)
 * is not answered (icmp_echo_enable_probe 0); type 50 is an error. */
START_TEST(test_icmp_timestamp_and_others)
{
	struct net *net = nj_router();
	static const uint8_t ts[12] = { 0xde, 0xad, 0xbe, 0xef };
	net_set_time(net, 86400ULL * 1000000000ULL * 3 + 3723456000000ULL);	/* 01:02:03.456 UT */
	icmp_in(net, ICMP_TIMESTAMP, 0, 1, ts, 12);
	ck_assert_int_eq(nj_tx.n, 1);
	const struct icmphdr *h = (const struct icmphdr *)nj_tx_l4(0);
	const uint8_t *t = (const uint8_t *)(h + 1);
	ck_assert_int_eq(h->type, ICMP_TIMESTAMPREPLY);
	ck_assert_int_eq(ntohs(h->sequence), 1);
	ck_assert_int_eq(ntohs(nj_tx_ip(0)->tot_len), 20 + 8 + 12);
	ck_assert_int_eq(memcmp(t, ts, 4), 0);
	ck_assert_uint_eq((uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7], 3723456);
	ck_assert_int_eq(memcmp(t + 4, t + 8, 4), 0);
	ck_assert_int_eq(csum_fold(csum_partial(h, 20, 0)), 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_INTIMESTAMPS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTECHOREPS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTTIMESTAMPREPS], 0);
	icmp_in(net, ICMP_TIMESTAMP, 0, 2, ts, 2);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_PKT_TOO_SMALL);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 1);
	icmp_in(net, ICMP_EXT_ECHO, 0, 3, ts, 8);
	icmp_in(net, ICMP_ADDRESS, 0, 4, ts, 4);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 1);
	ck_assert_int_eq(net->mib[MIB_ICMP_INADDRMASKS], 1);
	nj_rec.n = 0;
	icmp_in(net, 50, 0, 5, ts, 8);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_UNHANDLED_PROTO);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 2);
	ck_assert_int_eq(net->mib[MIB_ICMP_INMSGS], 5);
	nj_net_free(net);
}
END_TEST

/* net/ipv4/ping.c: an echo reply goes to the ping socket bound to its
 * identifier; with none it is dropped NO_SOCKET and nothing is sent. */
START_TEST(test_icmp_echo_reply_ping_socket)
{
	struct net *net = nj_net();
	size_t l = nj_icmp_echo(body, 0x77, 3, 16);
	body[0] = ICMP_ECHOREPLY;
	body[2] = body[3] = 0;
	uint16_t c = htons(csum_fold(csum_partial(body, l, 0)));
	memcpy(body + 2, &c, 2);
	l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, body, l, NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOREPS], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_ICMP_, 0, 0x77, APP_RECORDED, 0), 0);
	nj_rec.n = 0;
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), -1);		/* no drop: the socket took it */
	ck_assert_ptr_nonnull(nj_find("ping_rcv", 'i'));
	ck_assert_int_eq(net->mib[MIB_ICMP_INECHOREPS], 2);
	ck_assert_int_eq((int)net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_echo_broadcast_ignored)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net *net = nj_router();
	struct nj_ip_opts o = { .dst_mac = bcast };
	size_t l = nj_icmp_echo(body, 1, 1, 8);
	l = nj_build_ip(frame, NJ_PEER_IP, "10.0.0.255", IPPROTO_ICMP_, body, l, &o);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_INVALID_PROTO);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	icmp_state(net)->echo_ignore_broadcasts = 0;
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx_ip(0)->saddr, nj_ip(NJ_HOST_IP));	/* our address, not the broadcast */
	nj_net_free(net);
}
END_TEST

static size_t udp_closed(const char *dst, uint16_t frag, const uint8_t *dmac)
{
	uint8_t d[32] = { 0 };
	size_t l = nj_udp(body, NJ_PEER_IP, dst, 1111, 9, d, sizeof(d));
	struct nj_ip_opts o = { .frag_off = frag, .dst_mac = dmac };
	return nj_build_ip(frame, NJ_PEER_IP, dst, IPPROTO_UDP_, body, l, &o);
}

START_TEST(test_icmp_port_unreach_quotes_and_source)
{
	struct net *net = nj_router();
	size_t l = udp_closed(NJ_HOST_IP, 0, NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(nj_tx.n, 1);
	const uint8_t *icmp = nj_tx_l4(0);
	ck_assert_int_eq(icmp[0], ICMP_DEST_UNREACH);
	ck_assert_int_eq(icmp[1], ICMP_PORT_UNREACH);
	ck_assert_int_eq(nj_tx_ip(0)->saddr, nj_ip(NJ_HOST_IP));
	ck_assert_int_eq(nj_tx_ip(0)->tos, 0xc0);
	ck_assert_int_eq(memcmp(icmp + 8, frame + ETH_HLEN, l - ETH_HLEN), 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTDESTUNREACHS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_send_not_about_icmp_errors)
{
	struct net *net = nj_router();
	uint8_t err[36] = { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH };
	struct icmphdr *h = (struct icmphdr *)err;
	h->checksum = htons(csum_fold(csum_partial(err, sizeof(err), 0)));
	size_t l = nj_build_ip(frame, NJ_PEER_IP, "8.8.8.8", IPPROTO_ICMP_, err, sizeof(err), NULL);
	nj_inject(net, frame, l);
	ck_assert_int_eq(net->mib[MIB_IPEXT_INNOROUTES], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	const struct nj_rec *e = nj_find("icmp_send", 'E');
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->msg, "ICMP error"));
	/* an echo request to nowhere does get its error */
	size_t l2 = nj_icmp_echo(body, 1, 1, 8);
	l2 = nj_build_ip(frame, NJ_PEER_IP, "8.8.8.8", IPPROTO_ICMP_, body, l2, NULL);
	nj_inject(net, frame, l2);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_send_only_first_fragment)
{
	struct net *net = nj_router();
	nj_inject(net, frame, udp_closed("8.8.8.8", 100, NULL));	/* offset 800 */
	ck_assert_int_eq(nj_tx.n, 0);
	nj_inject(net, frame, udp_closed("8.8.8.8", IP_MF, NULL));	/* fragment 0 */
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_send_not_to_l2_broadcast)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct net *net = nj_router();
	nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, bcast));
	ck_assert_int_eq(net->mib[MIB_UDP_NOPORTS], 1);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_rate_limit_per_destination)
{
	struct net *net = nj_router();
	net_set_time(net, 5000000000ULL);
	for (int i = 0; i < 10; i++)
		nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, NULL));
	ck_assert_int_eq(nj_tx.n, 6);				/* XRLIM_BURST_FACTOR */
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTRATELIMITHOST], 4);
	net_set_time(net, 6000000000ULL);
	nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, NULL));
	nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, NULL));
	ck_assert_int_eq(nj_tx.n, 7);				/* one per icmp_ratelimit */
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_rate_limit_global)
{
	struct net *net = nj_router();
	net_set_time(net, 5000000000ULL);
	icmp_state(net)->global_credit = 0;
	icmp_state(net)->global_stamp_ns = net->now_ns;
	nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, NULL));
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTRATELIMITGLOBAL], 1);
	net_set_time(net, 5100000000ULL);			/* 100 ms: 100 credits, capped at 50 */
	nj_inject(net, frame, udp_closed(NJ_HOST_IP, 0, NULL));
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(icmp_state(net)->global_credit, 49);
	nj_net_free(net);
}
END_TEST

START_TEST(test_icmp_frag_needed_not_limited)
{
	struct net *net = nj_router();
	uint8_t d[1472] = { 0 };
	size_t l = nj_udp(body, NJ_PEER_IP, NJ_LAN_HOST, 1, 2, d, sizeof(d));
	struct nj_ip_opts o = { .frag_off = IP_DF };
	l = nj_build_ip(frame, NJ_PEER_IP, NJ_LAN_HOST, IPPROTO_UDP_, body, l, &o);
	for (int i = 0; i < 10; i++)
		nj_inject(net, frame, l);
	ck_assert_int_eq(nj_tx.n, 10);
	ck_assert_int_eq(net->mib[MIB_ICMP_OUTRATELIMITHOST], 0);
	nj_net_free(net);
}
END_TEST

/* A port unreachable from the peer quoting a datagram or segment the host
 * sent from sport (proto UDP or TCP) to the peer's port 53. */
static void error_about(struct net *net, uint8_t proto, uint16_t sport)
{
	uint8_t q[96], u[40];
	size_t ul = proto == IPPROTO_UDP_ ? nj_udp(u, NJ_HOST_IP, "10.0.0.1", sport, 53, u, 0)
					  : nj_tcp(u, NJ_HOST_IP, "10.0.0.1", sport, 53, 1000, 0, TCPHDR_SYN, NULL, 0);
	struct nj_ip_opts o = { .dst_mac = nj_peer_mac };
	size_t ql = nj_build_ip(q, NJ_HOST_IP, NJ_PEER_IP, proto, u, ul, &o) - ETH_HLEN;
	uint8_t msg[8 + 96] = { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH };
	memmove(msg + 8, q + ETH_HLEN, ql);
	((struct icmphdr *)msg)->checksum = htons(csum_fold(csum_partial(msg, 8 + ql, 0)));
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, msg, 8 + ql, NULL));
}

START_TEST(test_icmp_error_received_shows_quote)
{
	struct net *net = nj_router();
	error_about(net, IPPROTO_UDP_, 5353);
	ck_assert_int_eq(net->mib[MIB_ICMP_INDESTUNREACHS], 1);
	const struct nj_rec *e = nj_find("icmp_socket_deliver", 'i');
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->args, "\"quoted_sport\":5353"));
	ck_assert_ptr_nonnull(strstr(e->args, "\"quoted_daddr\":\"10.0.0.1\""));
	ck_assert_int_eq(nj_tx.n, 0);				/* never an error about an error */
	ck_assert_int_eq(nj_drop_reason(), -1);
	nj_net_free(net);
}
END_TEST

/* An error no socket takes counts Icmp.InErrors (__udp4_lib_err,
 * tcp_v4_err); one a UDP socket takes does not. */
START_TEST(test_icmp_error_without_socket_counted)
{
	struct net *net = nj_router();
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 7, APP_ECHO, -1), 0);
	error_about(net, IPPROTO_UDP_, 5353);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 1);
	error_about(net, IPPROTO_TCP_, 40000);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 2);
	error_about(net, IPPROTO_UDP_, 7);
	ck_assert_int_eq(net->mib[MIB_ICMP_INERRORS], 2);
	ck_assert_int_eq(__udp4_lib_lookup(net, 0, 0, nj_ip(NJ_HOST_IP), htons(7))->err_soft, 111);
	ck_assert_int_eq(net->mib[MIB_ICMP_INDESTUNREACHS], 3);
	nj_net_free(net);
}
END_TEST

/* An ICMP error (type, code) from the peer about the host's TCP segment
 * from sport 7 to the peer's dport, sequence number seq. */
static void tcp_error(struct net *net, int type, int code, uint16_t dport, uint32_t seq)
{
	uint8_t q[96], u[40];
	size_t ul = nj_tcp(u, NJ_HOST_IP, NJ_PEER_IP, 7, dport, seq, 0, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
	struct nj_ip_opts o = { .dst_mac = nj_peer_mac };
	size_t ql = nj_build_ip(q, NJ_HOST_IP, NJ_PEER_IP, IPPROTO_TCP_, u, ul, &o) - ETH_HLEN;
	uint8_t msg[8 + 96] = { (uint8_t)type, (uint8_t)code };
	memmove(msg + 8, q + ETH_HLEN, ql);
	((struct icmphdr *)msg)->checksum = htons(csum_fold(csum_partial(msg, 8 + ql, 0)));
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, msg, 8 + ql, NULL));
}

/* tcp_v4_err on a request sock (Linux 6.x): a port unreachable about its
 * SYN-ACK leaves it (only a parameter problem, a time exceeded or a
 * network or host unreachable drops it: TcpExt.ListenDrops); a quoted seq
 * other than the SYN-ACK's is out of window; a frag-needed is path MTU
 * discovery's, never an abort. */
START_TEST(test_tcp_v4_err_request_sock)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	size_t n = nj_tcp(seg_buf, NJ_PEER_IP, NJ_HOST_IP, 40000, 7, 1000, 0, TCPHDR_SYN, NULL, 0);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg_buf, n, NULL));
	struct sock *req = __inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(40000), nj_ip(NJ_HOST_IP), htons(7));
	ck_assert_ptr_nonnull(req);
	uint32_t iss = req->iss;
	tcp_error(net, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 40000, iss);
	tcp_error(net, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 40000, iss);
	ck_assert_ptr_eq(__inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(40000), nj_ip(NJ_HOST_IP), htons(7)), req);
	tcp_error(net, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 40000, iss + 1);
	ck_assert_int_eq(net->mib[MIB_TCPEXT_OUTOFWINDOWICMPS], 1);
	ck_assert_ptr_nonnull(__inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(40000), nj_ip(NJ_HOST_IP), htons(7)));
	tcp_error(net, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 40000, iss);
	ck_assert_ptr_null(__inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(40000), nj_ip(NJ_HOST_IP), htons(7)));
	ck_assert_int_eq(net->mib[MIB_TCPEXT_LISTENDROPS], 1);
	nj_net_free(net);
}
END_TEST

/* The ICMP socket's send buffer (2 x SKB_TRUESIZE(64 KiB)): echo replies
 * held on an unresolved neighbour's queue stay charged to it, so once it
 * is full further replies fail (Icmp.OutErrors, Ip.OutDiscards, no
 * OutEchoReps), as Linux's sock_alloc_send_skb with MSG_DONTWAIT does:
 * 159 of 300 pings to a peer that never answers ARP were answered by
 * Linux 6.18 in diff-kernel. The neighbour resolved, the held replies
 * leave, the buffer empties, and the next ping is answered. */
START_TEST(test_icmp_sndbuf_full)
{
	struct net *net = nj_net();
	nj_capture_tx(net);
	static const uint8_t far_mac[6] = { 2, 0, 0, 0, 0, 9 };
	size_t l = nj_icmp_echo(body, 0x77, 1, 32);
	l = nj_build_ip(frame, "10.0.0.9", NJ_HOST_IP, IPPROTO_ICMP_, body, l, NULL);
	for (int i = 0; i < 300; i++)
		nj_inject(net, frame, l);
	uint64_t sent = net->mib[MIB_ICMP_OUTECHOREPS], failed = net->mib[MIB_ICMP_OUTERRORS];
	ck_assert_uint_eq(sent + failed, 300);
	ck_assert_uint_gt(failed, 0);
	ck_assert_uint_gt(sent, 100);
	ck_assert_uint_eq(net->mib[MIB_IP_OUTDISCARDS], failed);
	ck_assert_uint_eq(net->mib[MIB_ICMP_OUTMSGS], sent);
	ck_assert_uint_eq(net->mib[MIB_IP_OUTREQUESTS], sent);
	ck_assert_uint_ge(net->icmp_wmem_alloc, 2u * SKB_TRUESIZE(65536u));
	uint8_t arp[64];
	size_t al = pb_arp(arp, 2, nj_host_mac, far_mac, nj_ip("10.0.0.9"), nj_host_mac, nj_ip(NJ_HOST_IP));
	nj_inject(net, arp, al);
	ck_assert_uint_eq(net->icmp_wmem_alloc, 0);
	uint64_t before = net->devs[0].tx_packets;
	ck_assert_uint_eq(before, sent + 1);	/* the held replies and the ARP request left */
	nj_inject(net, frame, l);
	ck_assert_uint_eq(net->devs[0].tx_packets, before + 1);
	ck_assert_uint_eq(net->mib[MIB_ICMP_OUTECHOREPS], sent + 1);
	ck_assert_uint_eq(net->icmp_wmem_alloc, 0);
	nj_net_free(net);
}
END_TEST

static Suite *icmp_suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_icmp_echo_reply);
	tcase_add_test(core, test_icmp_echo_broadcast_ignored);
	tcase_add_test(core, test_icmp_echo_reply_ping_socket);
	tcase_add_test(core, test_icmp_port_unreach_quotes_and_source);
	tcase_add_test(core, test_tcp_v4_err_request_sock);
	tcase_add_test(core, test_icmp_error_received_shows_quote);
	tcase_add_test(core, test_icmp_error_without_socket_counted);
	tcase_add_test(core, test_icmp_timestamp_and_others);
	suite_add_tcase(s, core);
	TCase *rules = tcase_create("Rules");
	tcase_add_test(rules, test_icmp_send_not_about_icmp_errors);
	tcase_add_test(rules, test_icmp_send_only_first_fragment);
	tcase_add_test(rules, test_icmp_send_not_to_l2_broadcast);
	suite_add_tcase(s, rules);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_icmp_rate_limit_per_destination);
	tcase_add_test(lim, test_icmp_rate_limit_global);
	tcase_add_test(lim, test_icmp_frag_needed_not_limited);
	tcase_add_test(lim, test_icmp_sndbuf_full);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(icmp_suite)
