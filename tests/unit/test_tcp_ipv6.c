/*
 * test_tcp_ipv6.c - TCP over IPv6 (issue 24 item 6): a connection to a
 * dual-stack listener end to end (SYN-ACK with MSS = MTU - 60, checksums
 * over the IPv6 pseudo-header, data, FIN), which listener takes which
 * family, bind conflicts between families, the scenario's IPv6 listen
 * addresses, UDP sockets bound to an IPv6 address, and ICMPv6 errors about
 * what the host sent (tcp_v6_err, udpv6_err).
 */
#include "cJSON.h"
#include "fold.h"
#include "nj_ipv6_check.h"
#include "scenario.h"
#include "store.h"
#include "tcp.h"

/* A TCP segment from P6:sport to H6:dport, injected; returns nj_inject's. */
static int seg6(struct net *net, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		const uint8_t *opt, size_t optlen, const char *data)
{
	size_t len = data ? strlen(data) : 0, n = 20 + optlen + len;
	memset(pl, 0, 20);
	pl[0] = (uint8_t)(sport >> 8);
	pl[1] = (uint8_t)sport;
	pl[2] = (uint8_t)(dport >> 8);
	pl[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		pl[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		pl[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	pl[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	pl[13] = flags;
	pl[14] = 0xfa;
	pl[15] = 0xf0;
	if (optlen)
		memcpy(pl + 20, opt, optlen);
	if (len)
		memcpy(pl + 20 + optlen, data, len);
	pb_csum6(P6, H6, NEXTHDR_TCP, pl, n, 16);
	return nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_TCP, 64, pl, n));
}

/* An IPv4 SYN from the peer to port dport. */
static void syn4(struct net *net, uint16_t sport, uint16_t dport)
{
	size_t n = nj_tcp(pl, NJ_PEER_IP, NJ_HOST_IP, sport, dport, 100, 0, TCPHDR_SYN, NULL, 0);
	nj_inject(net, fr, nj_build_ip(fr, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, pl, n, NULL));
}

static const struct ipv6hdr *tx6(int i) { return (const struct ipv6hdr *)(nj_tx.f[i].buf + ETH_HLEN); }

/* Frame i is IPv6 + TCP from H6 to P6 with a right checksum: its header. */
static const struct tcphdr *tx6_tcp(int i)
{
	ck_assert_int_lt(i, nj_tx.n);
	const struct ipv6hdr *h = tx6(i);
	struct in6 s = a6(H6), d = a6(P6);
	ck_assert_int_eq(h->nexthdr, NEXTHDR_TCP);
	ck_assert(ipv6_addr_equal(&h->saddr, &s) && ipv6_addr_equal(&h->daddr, &d));
	ck_assert_int_eq(csum_ipv6_magic(&h->saddr, &h->daddr, ntohs(h->payload_len), NEXTHDR_TCP, h + 1), 0);
	return (const struct tcphdr *)(h + 1);
}

static int tx_is_ipv4(int i) { return nj_tx.f[i].buf[12] == 0x08 && nj_tx.f[i].buf[13] == 0x00; }

static const uint8_t mss1440[4] = { 2, 4, 0x05, 0xa0 };

START_TEST(test_tcp6_session_to_dual_stack_listener)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	seg6(net, 40000, 7, 1000, 0, TCPHDR_SYN, mss1440, 4, NULL);
	const struct tcphdr *t = tx6_tcp(0);
	ck_assert_int_eq(t->flags, TCPHDR_SYN | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(t->ack_seq), 1001);
	const uint8_t *o = (const uint8_t *)(t + 1);
	ck_assert_int_eq(o[0], 2);				/* MSS = 1500 - 40 - 20 */
	ck_assert_int_eq(o[2] << 8 | o[3], 1440);
	uint32_t isn = ntohl(t->seq);
	ck_assert_uint_eq(isn, tcp_isn(ipv6_addr_hash(&p), ipv6_addr_hash(&h), htons(40000), htons(7), net->now_ns));
	struct sock *req = __inet6_lookup_established(net, &p, htons(40000), &h, htons(7));
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(req->state, TCP_NEW_SYN_RECV);
	ck_assert_str_eq(sk_fmt(req), "[fd00::2]:7>[fd00::1]:40000");
	ck_assert_ptr_null(__inet_lookup_established(net, ipv6_addr_hash(&p), htons(40000), ipv6_addr_hash(&h),
						     htons(7)));
	seg6(net, 40000, 7, 1001, isn + 1, TCPHDR_ACK, NULL, 0, NULL);
	ck_assert_int_eq(req->state, TCP_ESTABLISHED);
	ck_assert_int_eq(net->mib[MIB_TCP_PASSIVEOPENS], 1);
	nj_tx.n = 0;
	seg6(net, 40000, 7, 1001, isn + 1, TCPHDR_ACK | TCPHDR_PSH, NULL, 0, "ping6\n");
	int echoed = 0;
	for (int i = 0; i < nj_tx.n; i++) {
		t = tx6_tcp(i);
		if (ntohs(tx6(i)->payload_len) == 20 + 6 && !memcmp((const uint8_t *)t + 20, "ping6\n", 6))
			echoed = 1;
	}
	ck_assert_msg(echoed, "the echo application's reply went out over IPv6");
	seg6(net, 40000, 7, 1007, isn + 7, TCPHDR_ACK | TCPHDR_FIN, NULL, 0, NULL);
	ck_assert_int_eq(req->state, TCP_LAST_ACK);		/* echo closes when the peer does */
	seg6(net, 40000, 7, 1008, isn + 8, TCPHDR_ACK, NULL, 0, NULL);
	ck_assert_ptr_null(__inet6_lookup_established(net, &p, htons(40000), &h, htons(7)));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp6_rst_for_established_segment_mismatch)
{
	struct net *net = nj_net6();
	/* A bare ACK with no connection: RST with seq = its ack, from fd00::2. */
	seg6(net, 40001, 80, 5, 0x1234, TCPHDR_ACK, NULL, 0, NULL);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	const struct tcphdr *t = tx6_tcp(0);
	ck_assert_int_eq(t->flags, TCPHDR_RST);
	ck_assert_uint_eq(ntohl(t->seq), 0x1234);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTRSTS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp6_listener_families)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), any = { { 0 } };
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET, 0, NULL, 0, 8080, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &h, 0, 8081, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &any, 1, 8082, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	ck_assert_ptr_nonnull(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(8080)));
	ck_assert_ptr_null(inet6_lookup_listener(net, &h, htons(8080)));
	ck_assert_ptr_null(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(8081)));
	ck_assert_ptr_nonnull(inet6_lookup_listener(net, &h, htons(8081)));
	ck_assert_ptr_null(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(8082)));
	ck_assert_ptr_nonnull(inet6_lookup_listener(net, &h, htons(8082)));
	ck_assert_ptr_nonnull(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(80)));
	ck_assert_ptr_nonnull(inet6_lookup_listener(net, &h, htons(80)));
	ck_assert_str_eq(sk_fmt(inet6_lookup_listener(net, &h, htons(80))), "*:80");
	ck_assert_str_eq(sk_fmt(inet6_lookup_listener(net, &h, htons(8081))), "[fd00::2]:8081");
	ck_assert_str_eq(sk_fmt(inet6_lookup_listener(net, &h, htons(8082))), "[::]:8082");

	seg6(net, 41000, 8080, 1, 0, TCPHDR_SYN, NULL, 0, NULL);	/* IPv4-only: RST */
	ck_assert_int_eq(tx6_tcp(0)->flags, TCPHDR_RST | TCPHDR_ACK);
	syn4(net, 41001, 8082);						/* IPv6-only: RST */
	ck_assert(tx_is_ipv4(1));
	ck_assert_int_eq(nj_tx_tcp(1)->flags, TCPHDR_RST | TCPHDR_ACK);
	syn4(net, 41002, 80);						/* dual-stack: SYN-ACK */
	ck_assert_int_eq(nj_tx_tcp(2)->flags, TCPHDR_SYN | TCPHDR_ACK);
	const uint8_t *o = (const uint8_t *)(nj_tx_tcp(2) + 1);
	ck_assert_int_eq(o[2] << 8 | o[3], 1460);			/* an IPv4 child: MTU - 40 */
	struct sock *req = __inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(41002), nj_ip(NJ_HOST_IP),
						     htons(80));
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(req->family, AF_INET);
	ck_assert_int_eq(net->mib[MIB_TCP_OUTRSTS], 2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp6_bind_conflicts)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), any = { { 0 } };
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, nj_ip(NJ_HOST_IP), 80, APP_ECHO, -1), -1);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &h, 0, 80, APP_ECHO, -1), -1);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET, 0, NULL, 0, 81, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &any, 1, 81, APP_ECHO, -1), 0);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &h, 0, 81, APP_ECHO, -1), -1);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &any, 0, 81, APP_ECHO, -1), -1);
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 80, APP_ECHO, -1), 0);	/* UDP: its own ports */
	nj_net_free(net);
}
END_TEST

START_TEST(test_udp6_bound_to_ipv6_address)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_UDP_, AF_INET6, 0, &h, 0, 7, APP_ECHO, -1), 0);
	ck_assert_ptr_nonnull(__udp6_lib_lookup(net, &p, htons(5), &h, htons(7)));
	ck_assert_ptr_null(__udp4_lib_lookup(net, nj_ip(NJ_PEER_IP), htons(5), nj_ip(NJ_HOST_IP), htons(7)));
	size_t n = nj_udp(pl, NJ_PEER_IP, NJ_HOST_IP, 5, 7, "v4", 2);
	nj_inject(net, fr, nj_build_ip(fr, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_UDP_, pl, n, NULL));
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(net->mib[MIB_UDP_NOPORTS], 1);
	memset(pl, 0, 8);
	pl[1] = 5;
	pl[3] = 7;
	pl[5] = 10;
	memcpy(pl + 8, "v6", 2);
	pb_csum6(P6, H6, NEXTHDR_UDP, pl, 10, 6);
	nj_tx.n = 0;
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_UDP, 64, pl, 10));
	ck_assert_int_eq(net->mib[MIB_UDP6_INDATAGRAMS], 1);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert(ipv6_addr_equal(&tx6(0)->saddr, &h));
	nj_net_free(net);
}
END_TEST

static char err[512];

START_TEST(test_scenario_listen_ipv6)
{
	static const char ok[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\","
		"\"fd00::2/64\"]}],\"listen\":[{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\",\"addr\":\"fd00::2\"},"
		"{\"proto\":\"tcp\",\"port\":81,\"app\":\"echo\",\"addr\":\"::\",\"ipv6only\":true},"
		"{\"proto\":\"tcp\",\"port\":82,\"app\":\"echo\",\"addr\":\"0.0.0.0\"}]}";
	static const char notours[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		"\"listen\":[{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\",\"addr\":\"fd00::9\"}]}";
	static const char badonly[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		"\"listen\":[{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\",\"ipv6only\":1}]}";
	struct in6 h = a6(H6);
	struct net *net = net_create();
	ck_assert_int_eq(scenario_load_text(net, ok, "t", err, sizeof(err)), 0);
	ck_assert_int_eq(inet6_lookup_listener(net, &h, htons(80))->app, APP_HTTP);
	ck_assert_ptr_null(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(80)));
	ck_assert_int_eq(inet6_lookup_listener(net, &h, htons(81))->ipv6only, 1);
	ck_assert_ptr_null(inet6_lookup_listener(net, &h, htons(82)));
	ck_assert_ptr_nonnull(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(82)));
	net_destroy(net);
	net = net_create();
	ck_assert_int_lt(scenario_load_text(net, notours, "t", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "EADDRNOTAVAIL"));
	net_destroy(net);
	net = net_create();
	ck_assert_int_lt(scenario_load_text(net, badonly, "t", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "ipv6only"));
	net_destroy(net);
}
END_TEST

START_TEST(test_scenario_connections_ipv6)
{
	static const char ok[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		"\"connections\":[{\"proto\":\"tcp\",\"local\":\"[fd00::2]:40000\",\"remote\":\"[fd00::1]:80\","
		"\"state\":\"SYN_SENT\",\"isn\":5,\"syn_options\":{\"mss\":1440}},"
		"{\"proto\":\"tcp\",\"local\":\"[fd00::2]:40001\",\"remote\":\"[fd00::1]:80\",\"state\":\"ESTABLISHED\","
		"\"snd_nxt\":10,\"rcv_nxt\":20}]}";
	static const char mixed[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"]}],"
		"\"connections\":[{\"proto\":\"tcp\",\"local\":\"[fd00::2]:40000\",\"remote\":\"10.0.0.1:80\","
		"\"state\":\"SYN_SENT\",\"isn\":5}]}";
	static const char notours[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"fd00::2/64\"]}],"
		"\"connections\":[{\"proto\":\"tcp\",\"local\":\"[fd00::3]:40000\",\"remote\":\"[fd00::1]:80\","
		"\"state\":\"SYN_SENT\",\"isn\":5}]}";
	struct in6 h = a6(H6), p = a6(P6);
	struct net *net = net_create();
	ck_assert_int_eq(scenario_load_text(net, ok, "t", err, sizeof(err)), 0);
	struct sock *sk = __inet6_lookup_established(net, &p, htons(80), &h, htons(40000));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->state, TCP_SYN_SENT);
	ck_assert_int_eq(sk->family, AF_INET6);
	ck_assert_uint_eq(sk->iss, 5);
	sk = __inet6_lookup_established(net, &p, htons(80), &h, htons(40001));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->state, TCP_ESTABLISHED);
	ck_assert_str_eq(sk_fmt(sk), "[fd00::2]:40001>[fd00::1]:80");
	net_destroy(net);
	net = net_create();
	ck_assert_int_lt(scenario_load_text(net, mixed, "t", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "one family"));
	net_destroy(net);
	net = net_create();
	ck_assert_int_lt(scenario_load_text(net, notours, "t", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not an address of this host"));
	net_destroy(net);
}
END_TEST

/* A client socket over IPv6 (SYN_SENT) completes its handshake: the
 * SYN-ACK is answered with an ACK over IPv6, the socket is ESTABLISHED. */
START_TEST(test_tcp6_client_synsent)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), p = a6(P6);
	struct sock *sk = tcp_v6_connect_state(net, &h, htons(40000), &p, htons(80), 500, NULL, APP_DISCARD);
	ck_assert_ptr_nonnull(sk);
	ck_assert_ptr_null(tcp_v6_connect_state(net, &h, htons(40000), &p, htons(80), 500, NULL, APP_DISCARD));
	/* the server's SYN-ACK: from P6:80 to H6:40000 */
	seg6(net, 80, 40000, 9000, 501, TCPHDR_SYN | TCPHDR_ACK, mss1440, 4, NULL);
	ck_assert_int_eq(sk->state, TCP_ESTABLISHED);
	const struct tcphdr *t = tx6_tcp(0);
	ck_assert_int_eq(t->flags, TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(t->ack_seq), 9001);
	ck_assert_int_eq(net->mib[MIB_TCP_ACTIVEOPENS], 1);
	nj_net_free(net);
}
END_TEST

/* docs/design.md §4b over IPv6: the recorded host's SYN-ACK seen before
 * the SYN pins its ISN; the SYN's SYN-ACK then carries it. */
START_TEST(test_tcp6_recorded_synack_pin)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_RECORDED, -1), 0);
	ck_assert_int_eq(tcp_recorded_send6(net, &h, htons(80), &p, htons(41000), 777777, 101,
					    TCPHDR_SYN | TCPHDR_ACK, NULL, 0), 0);
	ck_assert_int_eq(nj_tx.n, 0);
	ck_assert_int_eq(tcp_isn_pin_ahead6(net, &h, htons(80), &p, htons(41000), 5, 0, 0), 1);	/* known */
	seg6(net, 41000, 80, 100, 0, TCPHDR_SYN, mss1440, 4, NULL);
	/* the pin came from the capture: the SYN-ACK waits for the recorded one */
	struct sock *req = __inet6_lookup_established(net, &p, htons(41000), &h, htons(80));
	ck_assert_ptr_nonnull(req);
	ck_assert_uint_eq(req->iss, 777777);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_uint_eq(ntohl(tx6_tcp(0)->seq), 777777);
	/* an IPv4 connection with the same ports is another one */
	ck_assert_int_eq(tcp_recorded_send(net, nj_ip(NJ_HOST_IP), htons(80), nj_ip(NJ_PEER_IP), htons(41000), 5, 0,
					   TCPHDR_ACK, NULL, 0), -1);
	nj_net_free(net);
}
END_TEST

/* ICMPv6 echo replies reach the IPv6 ping socket bound to their
 * identifier; an IPv4 ping socket with the same identifier takes none. */
START_TEST(test_ping6_socket)
{
	static const char json[] =
		"{\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"]}],"
		"\"neighbours\":[{\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],"
		"\"listen\":[{\"proto\":\"icmp\",\"port\":7,\"app\":\"recorded\"},"
		"{\"proto\":\"icmp\",\"port\":8,\"app\":\"recorded\",\"addr\":\"::\"}]}";
	struct net *net = net_create();
	nj_rec.n = 0;
	trace_add_sink(net, nj_rec_emit, &nj_rec);
	ck_assert_int_eq(scenario_load_text(net, json, "t", err, sizeof(err)), 0);
	for (uint16_t id = 7; id <= 8; id++) {
		memset(pl, 0, 16);
		pl[0] = ICMPV6_ECHO_REPLY;
		pl[5] = (uint8_t)id;
		pl[7] = 1;
		pb_csum6(P6, H6, NEXTHDR_ICMP, pl, 16, 2);
		nj_rec.n = 0;
		nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_ICMP, 64, pl, 16));
		if (id == 7)
			ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NO_SOCKET);	/* IPv4's socket */
		else
			ck_assert_ptr_null(nj_find("kfree_skb", 'i'));			/* read by the socket */
	}
	ck_assert_int_eq(net->mib[MIB_ICMP6_INECHOREPLIES], 2);
	nj_net_free(net);
}
END_TEST

/* An ICMPv6 error from the peer quoting a segment H6:sport > P6:dport seq
 * (nh NEXTHDR_UDP: a datagram between those ports). */
static void err6_nh(struct net *net, uint8_t nh, uint8_t type, uint8_t code, uint16_t sport, uint16_t dport,
		    uint32_t seq)
{
	static uint8_t q[128], e[256];
	uint8_t th[20] = { 0 };
	th[0] = (uint8_t)(sport >> 8), th[1] = (uint8_t)sport, th[2] = (uint8_t)(dport >> 8), th[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++)
		th[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	th[12] = 5 << 4;
	th[13] = TCPHDR_SYN;
	if (nh == NEXTHDR_UDP)
		th[4] = 0, th[5] = 20;					/* the UDP length */
	size_t qn = pb_eth_ip6(q, H6, P6, nh, 64, th, 20) - 14;	/* the quoted packet, as we sent it */
	memset(e, 0, 8);
	e[0] = type;
	e[1] = code;
	memcpy(e + 8, q + 14, qn);
	pb_csum6(P6, H6, NEXTHDR_ICMP, e, 8 + qn, 2);
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_ICMP, 64, e, 8 + qn));
}

static void err6(struct net *net, uint8_t type, uint8_t code, uint16_t sport, uint16_t dport, uint32_t seq)
{
	err6_nh(net, NEXTHDR_TCP, type, code, sport, dport, seq);
}

/* udpv6_err: an error about a datagram from a port no socket holds counts
 * Icmp6.InErrors (__udp6_lib_err); echo's socket on port 7 takes its own. */
START_TEST(test_udp6_err)
{
	struct net *net = nj_net6();
	struct in6 any = { 0 };
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_UDP_, AF_INET6, 0, &any, 0, 7, APP_ECHO, -1), 0);
	err6_nh(net, NEXTHDR_UDP, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 5000, 53, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INERRORS], 1);
	ck_assert_ptr_nonnull(nj_find("udpv6_err", 'B'));
	err6_nh(net, NEXTHDR_UDP, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 7, 53, 0);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INERRORS], 1);
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(__udp6_lib_lookup(net, &p, htons(53), &h, htons(7))->err_soft, 111);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INDESTUNREACHS], 2);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp6_err)
{
	struct net *net = nj_net6();
	struct in6 h = a6(H6), p = a6(P6);
	err6(net, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 40000, 80, 1);	/* no socket */
	ck_assert_int_eq(net->mib[MIB_ICMP6_INERRORS], 1);
	ck_assert_ptr_nonnull(nj_find("tcp_v6_err", 'B'));
	/* a client in SYN_SENT: even a soft error (no route) ends the handshake */
	ck_assert_ptr_nonnull(tcp_v6_connect_state(net, &h, htons(40000), &p, htons(80), 500, NULL, APP_DISCARD));
	err6(net, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 40000, 80, 7);		/* seq out of window */
	ck_assert_int_eq(net->mib[MIB_TCPEXT_OUTOFWINDOWICMPS], 1);
	ck_assert_ptr_nonnull(__inet6_lookup_established(net, &p, htons(80), &h, htons(40000)));
	err6(net, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 40000, 80, 500);
	ck_assert_ptr_null(__inet6_lookup_established(net, &p, htons(80), &h, htons(40000)));
	/* a request sock: only an error about its SYN-ACK, and a hard one, ends it */
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_ECHO, -1), 0);
	seg6(net, 41000, 7, 1000, 0, TCPHDR_SYN, mss1440, 4, NULL);
	struct sock *req = __inet6_lookup_established(net, &p, htons(41000), &h, htons(7));
	ck_assert_ptr_nonnull(req);
	err6(net, ICMPV6_TIME_EXCEED, 0, 7, 41000, req->iss);			/* soft: stays */
	ck_assert_ptr_nonnull(__inet6_lookup_established(net, &p, htons(41000), &h, htons(7)));
	err6(net, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 7, 41000, req->iss);
	ck_assert_ptr_null(__inet6_lookup_established(net, &p, htons(41000), &h, htons(7)));
	ck_assert_int_eq(net->mib[MIB_TCPEXT_LISTENDROPS], 1);
	nj_net_free(net);
}
END_TEST

/* The socket sk as the fold of store s shows it after its last event
 * (o: the state, to free), or NULL. */
static const cJSON *folded_sock(struct nj_store *s, const char *sk, cJSON **o)
{
	struct fold_index *x = fold_index_new(s);
	const cJSON *k;
	ck_assert_ptr_nonnull(x);
	*o = fold_json_at(x, store_nevents(s) - 1);
	fold_index_free(x);
	ck_assert_ptr_nonnull(*o);
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(*o, "sockets"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "sk")), sk))
			return k;
	return NULL;
}

static double field(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return cJSON_GetNumberValue(b ? cJSON_GetObjectItemCaseSensitive(v, b) : v);
}

/* The fold follows a TCP socket over IPv6 as it does over IPv4: after
 * each segment (tcp_v6_do_rcv's "sock") its rcv_nxt, receive queue and
 * out-of-order queue are the stack's; a request sock an ICMPv6 error
 * ends (tcp_v6_err's "sk_gone") leaves the fold too. */
START_TEST(test_tcp6_fold_follows_stack)
{
	char err[256];
	struct net *net = nj_net6();
	struct nj_store *s = store_create(NULL, err, sizeof(err));
	struct in6 h = a6(H6), p = a6(P6);
	cJSON *o;
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(trace_add_sink(net, store_emit, s), 0);
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 7, APP_NONE, -1), 0);
	seg6(net, 40000, 7, 1000, 0, TCPHDR_SYN, mss1440, 4, NULL);
	uint32_t isn = ntohl(tx6_tcp(0)->seq);
	seg6(net, 40000, 7, 1001, isn + 1, TCPHDR_ACK, NULL, 0, NULL);
	seg6(net, 40000, 7, 1001, isn + 1, TCPHDR_ACK | TCPHDR_PSH, NULL, 0, "hello");
	seg6(net, 40000, 7, 1016, isn + 1, TCPHDR_ACK | TCPHDR_PSH, NULL, 0, "later");	/* a hole before it */
	const struct sock *sk = __inet6_lookup_established(net, &p, htons(40000), &h, htons(7));
	ck_assert_ptr_nonnull(sk);
	uint32_t bytes = 0;
	for (const struct sk_buff *b = sk->receive_queue.next; b != (const struct sk_buff *)&sk->receive_queue;
	     b = b->next)
		bytes += b->len;
	ck_assert_uint_eq(sk->rcv_nxt, 1006);			/* "hello" was read at once: bytes 0 */
	ck_assert_uint_eq(skb_queue_len(&sk->ofo_queue), 1);
	const cJSON *k = folded_sock(s, "[fd00::2]:7>[fd00::1]:40000", &o);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "state")), "ESTABLISHED");
	ck_assert_uint_eq((uint32_t)field(k, "rcv_nxt", NULL), sk->rcv_nxt);	/* tcp_set_state said 1001 */
	ck_assert_uint_eq((uint32_t)field(k, "rcvq", "bytes"), bytes);
	ck_assert_uint_eq((uint32_t)field(k, "rcvq", "segs"), skb_queue_len(&sk->receive_queue));
	ck_assert_uint_eq((uint32_t)field(k, "ofo", "segs"), skb_queue_len(&sk->ofo_queue));
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(k, "ofo"),
									  "ranges"), 0);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetArrayItem(r, 0)), 1016);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetArrayItem(r, 1)), 1021);
	cJSON_Delete(o);
	seg6(net, 41000, 7, 1000, 0, TCPHDR_SYN, mss1440, 4, NULL);
	struct sock *req = __inet6_lookup_established(net, &p, htons(41000), &h, htons(7));
	ck_assert_ptr_nonnull(req);
	ck_assert_ptr_nonnull(folded_sock(s, "[fd00::2]:7>[fd00::1]:41000", &o));
	cJSON_Delete(o);
	err6(net, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 7, 41000, req->iss);	/* hard: the request ends */
	ck_assert_ptr_null(__inet6_lookup_established(net, &p, htons(41000), &h, htons(7)));
	ck_assert_ptr_null(folded_sock(s, "[fd00::2]:7>[fd00::1]:41000", &o));
	cJSON_Delete(o);
	trace_clear_sinks(net);
	store_free(s);
	nj_net_free(net);
}
END_TEST

static Suite *tcp_ipv6_suite(void)
{
	Suite *s = suite_create("tcp_ipv6");
	TCase *c = tcase_create("Core");
	tcase_add_test(c, test_tcp6_session_to_dual_stack_listener);
	tcase_add_test(c, test_tcp6_rst_for_established_segment_mismatch);
	tcase_add_test(c, test_tcp6_listener_families);
	tcase_add_test(c, test_tcp6_bind_conflicts);
	tcase_add_test(c, test_udp6_bound_to_ipv6_address);
	tcase_add_test(c, test_scenario_listen_ipv6);
	tcase_add_test(c, test_scenario_connections_ipv6);
	tcase_add_test(c, test_tcp6_client_synsent);
	tcase_add_test(c, test_tcp6_recorded_synack_pin);
	tcase_add_test(c, test_ping6_socket);
	tcase_add_test(c, test_tcp6_err);
	tcase_add_test(c, test_udp6_err);
	tcase_add_test(c, test_tcp6_fold_follows_stack);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(tcp_ipv6_suite)
