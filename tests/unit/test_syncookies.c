/*
 * test_syncookies.c - SYN cookies (stack/syncookies.c): the cookie SYN-ACK
 * a full queue sends (its ISN, its options, the TSval's low bits), the ACK
 * that becomes the child with the options and MSS the cookie kept, forged
 * and stale cookies, options the sysctls refuse later, tcp_syncookies 0
 * and 2, and IPv6's MSS table.
 */
#include "nj_ipv6_check.h"
#include "tcp.h"

static uint8_t seg[1600], frame[2048];

#define MIN_NS	(60ULL * 1000000000ULL)

/* The options of a Linux client's SYN: MSS, SACK-permitted, TS, WS 7
 * (ts < 0: no timestamps; sack/ws 0: left out). */
static size_t syn_opts(uint8_t *o, uint16_t mss, int sack, long ts, int ws)
{
	uint8_t *p = o;
	*p++ = 2, *p++ = 4, *p++ = (uint8_t)(mss >> 8), *p++ = (uint8_t)mss;
	if (ts >= 0) {
		*p++ = sack ? 4 : 1, *p++ = sack ? 2 : 1, *p++ = 8, *p++ = 10;
		for (int i = 0; i < 4; i++)
			*p++ = (uint8_t)((uint32_t)ts >> (24 - 8 * i));
		*p++ = 0, *p++ = 0, *p++ = 0, *p++ = 0;
	} else if (sack) {
		*p++ = 1, *p++ = 1, *p++ = 4, *p++ = 2;
	}
	if (ws)
		*p++ = 1, *p++ = 3, *p++ = 3, *p++ = 7;
	return (size_t)(p - o);
}

/* An ACK's timestamp option: TSval 9, TSecr ecr (none when ecr is 0). */
static size_t ack_opts(uint8_t *o, uint32_t ecr)
{
	if (!ecr)
		return 0;
	uint8_t *p = o;
	*p++ = 1, *p++ = 1, *p++ = 8, *p++ = 10;
	*p++ = 0, *p++ = 0, *p++ = 0, *p++ = 9;
	for (int i = 0; i < 4; i++)
		*p++ = (uint8_t)(ecr >> (24 - 8 * i));
	return (size_t)(p - o);
}

static void seg4(struct net *net, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *o,
		 size_t olen)
{
	size_t n = pb_tcp(seg, nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), sport, 9, seq, ack, flags, 502, o, olen, NULL, 0,
			  0);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, NULL));
}

static const struct tcphdr *last_tx(void) { return nj_tx_tcp(nj_tx.n - 1); }

/* The TSval of a SYN-ACK laid out as tcp_synack_options writes it. */
static uint32_t synack_tsval(const struct tcphdr *th)
{
	const uint8_t *o = (const uint8_t *)th + 20;
	ck_assert_int_eq(o[6], 8);
	return (uint32_t)o[8] << 24 | (uint32_t)o[9] << 16 | (uint32_t)o[10] << 8 | o[11];
}

/* discard on port 9 with backlog 1: full at two requests, filled. */
static struct net *host_full(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, 1), 0);
	net_set_time(net, 10ULL * 1000000000ULL);
	for (int i = 0; i < 2; i++)
		seg4(net, (uint16_t)(41000 + i), 1000, 0, TCPHDR_SYN, NULL, 0);
	ck_assert_int_eq(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9))->qlen, 2);
	nj_tx.n = 0;
	return net;
}

static struct sock *child(struct net *net, uint16_t sport)
{
	return __inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(sport), nj_ip(NJ_HOST_IP), htons(9));
}

/* A full queue: the SYN-ACK's ISN is the cookie of MSS 1400 (encoded as
 * 1300), its TSval ends in WS 7 | SACK; the ACK echoing it opens the
 * connection with those options and MSS, no request sock in between. */
START_TEST(test_cookie_round_trip)
{
	struct net *net = host_full();
	uint8_t o[40];
	uint16_t mss = 1400;
	uint32_t cookie = __cookie_v4_init_sequence(nj_ip(NJ_PEER_IP), nj_ip(NJ_HOST_IP), htons(41002), htons(9), 5000,
						    &mss, net->now_ns);
	ck_assert_uint_eq(mss, 1300);
	seg4(net, 41002, 5000, 0, TCPHDR_SYN, o, syn_opts(o, 1400, 1, 7, 1));
	const struct tcphdr *th = last_tx();
	ck_assert_int_eq(th->flags, TCPHDR_SYN | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(th->seq), cookie);
	uint32_t tsval = synack_tsval(th);
	ck_assert_uint_eq((tsval - tcp_ts_offset(nj_ip(NJ_HOST_IP), nj_ip(NJ_PEER_IP))) & 63, 7 | 16);
	ck_assert_ptr_null(child(net, 41002));	/* no request sock */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESSENT], 1);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDOCOOKIES], 1);

	seg4(net, 41002, 5001, cookie + 1, TCPHDR_ACK, o, ack_opts(o, tsval));
	struct sock *sk = child(net, 41002);
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->state, TCP_ESTABLISHED);
	ck_assert(sk->tstamp_ok && sk->sack_ok && sk->wscale_ok);
	ck_assert_uint_eq(sk->snd_wscale, 7);
	ck_assert_uint_eq(sk->mss_cache, 1300 - 12);
	ck_assert_uint_eq(sk->iss, cookie);
	ck_assert_uint_eq(sk->rcv_nxt, 5001);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESRECV], 1);
	ck_assert_uint_eq(net->mib[MIB_TCP_PASSIVEOPENS], 1);
	ck_assert_int_eq(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9))->qlen, 2);
	nj_net_free(net);
}
END_TEST

/* Without timestamps the cookie has nowhere to keep SACK or the window
 * scale: the SYN-ACK offers the MSS only, and so does the connection. */
START_TEST(test_cookie_without_timestamps)
{
	struct net *net = host_full();
	uint8_t o[40];
	seg4(net, 41002, 5000, 0, TCPHDR_SYN, o, syn_opts(o, 1460, 1, -1, 1));
	const struct tcphdr *th = last_tx();
	ck_assert_int_eq(th->doff_res >> 4, 6);	/* 20 bytes and the MSS option */
	ck_assert_int_eq(((const uint8_t *)th)[20], 2);
	seg4(net, 41002, 5001, ntohl(th->seq) + 1, TCPHDR_ACK, NULL, 0);
	struct sock *sk = child(net, 41002);
	ck_assert_ptr_nonnull(sk);
	ck_assert(!sk->tstamp_ok && !sk->sack_ok && !sk->wscale_ok);
	ck_assert_uint_eq(sk->mss_cache, 1460);
	nj_net_free(net);
}
END_TEST

/* A forged cookie (not ISN + 1 nor a few MSS indexes above): SyncookiesFailed and the listener's RST. An ACK when
 * no cookie went out in two minutes is not checked at all. */
START_TEST(test_cookie_forged)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, 1), 0);
	seg4(net, 41009, 5001, 777, TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESFAILED], 0);	/* never overflowed */
	nj_net_free(net);

	net = host_full();
	seg4(net, 41002, 5000, 0, TCPHDR_SYN, NULL, 0);
	uint32_t cookie = ntohl(last_tx()->seq);
	/* cookie + 2 would pass (the low bits are the MSS index: Linux's too) */
	seg4(net, 41002, 5001, cookie + 1001, TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(ntohl(last_tx()->seq), cookie + 1001);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESFAILED], 1);
	ck_assert_ptr_null(child(net, 41002));
	seg4(net, 41003, 5001, cookie + 1, TCPHDR_ACK, NULL, 0);	/* another 4-tuple's */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESFAILED], 2);
	nj_net_free(net);
}
END_TEST

/* tcp_syncookies 2: every SYN gets a cookie, none is queued. A cookie is
 * good the next minute, not two minutes on (MAX_SYNCOOKIE_AGE), even
 * while cookies still go out. */
START_TEST(test_cookie_always_and_age)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 9, APP_DISCARD, -1), 0);
	net->sysctl.tcp_syncookies = 2;
	net_set_time(net, 10ULL * 1000000000ULL);
	seg4(net, 41000, 5000, 0, TCPHDR_SYN, NULL, 0);
	uint32_t c0 = ntohl(last_tx()->seq);
	seg4(net, 41001, 6000, 0, TCPHDR_SYN, NULL, 0);
	uint32_t c1 = ntohl(last_tx()->seq);
	ck_assert_int_eq(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(9))->qlen, 0);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDOCOOKIES], 2);
	net_set_time(net, 10ULL * 1000000000ULL + MIN_NS);
	seg4(net, 41000, 5001, c0 + 1, TCPHDR_ACK, NULL, 0);
	ck_assert_ptr_nonnull(child(net, 41000));
	net_set_time(net, 10ULL * 1000000000ULL + 2 * MIN_NS - 1000000000ULL);
	seg4(net, 41002, 7000, 0, TCPHDR_SYN, NULL, 0);		/* still overflowing */
	net_set_time(net, 10ULL * 1000000000ULL + 2 * MIN_NS);
	seg4(net, 41001, 6001, c1 + 1, TCPHDR_ACK, NULL, 0);
	ck_assert_ptr_null(child(net, 41001));
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESRECV], 1);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESFAILED], 1);
	nj_net_free(net);
}
END_TEST

/* The cookie asked for SACK; tcp_sack turned off before its ACK: Linux
 * counts the cookie received, then refuses it (the listener's RST). */
START_TEST(test_cookie_option_refused)
{
	struct net *net = host_full();
	uint8_t o[40];
	seg4(net, 41002, 5000, 0, TCPHDR_SYN, o, syn_opts(o, 1460, 1, 7, 0));
	const struct tcphdr *th = last_tx();
	uint32_t cookie = ntohl(th->seq), tsval = synack_tsval(th);
	net->sysctl.tcp_sack = 0;
	seg4(net, 41002, 5001, cookie + 1, TCPHDR_ACK, o, ack_opts(o, tsval));
	ck_assert_ptr_null(child(net, 41002));
	ck_assert_int_eq(last_tx()->flags, TCPHDR_RST);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESRECV], 1);
	nj_net_free(net);
}
END_TEST

/* IPv6 encodes its own MSS table (1220, 1420, 1440, 8940): 1400 → 1220. */
START_TEST(test_cookie_ipv6)
{
	struct net *net = nj_net6();
	struct in6 any = { 0 };
	ck_assert_int_eq(sock_listen_af(net, IPPROTO_TCP_, AF_INET6, 0, &any, 0, 9, APP_DISCARD, -1), 0);
	net->sysctl.tcp_syncookies = 2;
	static const uint8_t mss1400[4] = { 2, 4, 0x05, 0x78 };
	size_t n = pb_tcp(pl, 0, 0, 41000, 9, 5000, 0, TCPHDR_SYN, 502, mss1400, 4, NULL, 0, 0);
	pb_csum6(P6, H6, NEXTHDR_TCP, pl, n, 16);
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_TCP, 64, pl, n));
	const struct tcphdr *th = (const struct tcphdr *)(nj_tx.f[nj_tx.n - 1].buf + ETH_HLEN + 40);
	ck_assert_int_eq(th->flags, TCPHDR_SYN | TCPHDR_ACK);
	uint32_t cookie = ntohl(th->seq);
	n = pb_tcp(pl, 0, 0, 41000, 9, 5001, cookie + 1, TCPHDR_ACK, 502, NULL, 0, NULL, 0, 0);
	pb_csum6(P6, H6, NEXTHDR_TCP, pl, n, 16);
	nj_inject(net, fr, pb_eth_ip6(fr, P6, H6, NEXTHDR_TCP, 64, pl, n));
	struct in6 h = a6(H6), p = a6(P6);
	struct sock *sk = __inet6_lookup_established(net, &p, htons(41000), &h, htons(9));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->state, TCP_ESTABLISHED);
	ck_assert_uint_eq(sk->mss_cache, 1220);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESRECV], 1);
	nj_net_free(net);
}
END_TEST

static Suite *syncookies_suite(void)
{
	Suite *s = suite_create("syncookies");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_cookie_round_trip);
	tcase_add_test(tc, test_cookie_without_timestamps);
	tcase_add_test(tc, test_cookie_forged);
	tcase_add_test(tc, test_cookie_always_and_age);
	tcase_add_test(tc, test_cookie_option_refused);
	tcase_add_test(tc, test_cookie_ipv6);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(syncookies_suite)
