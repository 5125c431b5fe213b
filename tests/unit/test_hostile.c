/*
 * test_hostile.c - hostile traffic keeps the stack bounded, counted as
 * Linux counts it: a SYN flood fills the SYN queue and no more
 * (TcpExt.TCPReqQFullDrop, ListenDrops), a burst larger than
 * netdev_max_backlog drops with CPU_BACKLOG, many distinct TCP flows stop
 * at the socket table's limit. Sizes are short for `make test`; the soak
 * run (tests/soak/run.sh) sets NJ_HOSTILE_SYNS / NJ_HOSTILE_FLOWS /
 * NJ_HOSTILE_BURST higher and reads the figures printed here.
 */
#include <time.h>
#include <unistd.h>

#include "nj_check.h"
#include "scenario.h"
#include "sock.h"
#include "tcp.h"

static long env_count(const char *name, long dflt)
{
	const char *v = getenv(name);
	long n = v ? strtol(v, NULL, 10) : 0;
	return n > 0 ? n : dflt;
}

/* Resident set size in KiB (from /proc/self/statm), 0 if unknown. */
static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The default scenario (listeners on 80/7/9, default route via 10.0.0.1),
 * untraced (the floods would only measure the recorder), capturing what it
 * sends so a test can read its SYN-ACKs. */
static struct net *hostile_net(void)
{
	char err[256];
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	ck_assert_msg(scenario_load_text(net, scenario_default_json, "default", err, sizeof(err)) == 0, "%s", err);
	nj_capture_tx(net);
	return net;
}

static struct sock *listener(struct net *net, uint16_t port)
{
	return __inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(port));
}

/* A TCP segment from saddr:sport (host order values) to the host's port 80,
 * through the receive path; the softirq runs at once. */
static void segment(struct net *net, uint32_t saddr, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t frame[128], tcp[20];
	char src[16];
	struct in_addr a = { .s_addr = htonl(saddr) };
	snprintf(src, sizeof(src), "%s", inet_ntoa(a));
	size_t tl = nj_tcp(tcp, src, NJ_HOST_IP, sport, 80, seq, ack, flags, NULL, 0);
	size_t l = nj_build_ip(frame, src, NJ_HOST_IP, IPPROTO_TCP_, tcp, tl, NULL);
	struct sk_buff *skb = alloc_skb(net, (uint32_t)l);
	if (!skb)
		return;
	memcpy(skb_put(skb, (uint32_t)l), frame, l);
	eth_type_trans(net, skb, &net->devs[0]);
	netif_rx(net, skb);
	net_rx_action(net);
}

/*
 * SYN flood: SYNs from distinct sources that never complete the handshake.
 * Linux keeps at most the listener's backlog + 1 request socks; with SYN
 * cookies (tcp_syncookies 1, the default) each further SYN is answered
 * from no state (TCPReqQFullDoCookies, SyncookiesSent), with 0 it is
 * dropped (TCPReqQFullDrop, ListenDrops). Either way the sockets and the
 * memory stay bounded. The request socks expire after the SYN-ACK retries
 * (63 s) and the queue is free again.
 */
START_TEST(test_hostile_syn_flood_bounded)
{
	long n = env_count("NJ_HOSTILE_SYNS", 20000);
	int cookies = _i;
	struct net *net = hostile_net();
	net->sysctl.tcp_syncookies = cookies;
	struct sock *lsk = listener(net, 80);
	ck_assert_ptr_nonnull(lsk);
	int backlog = lsk->max_ack_backlog, base = net->socks->count, peak = 0;
	long rss0 = rss_kib();
	double t0 = now_s();

	net_set_time(net, 1000000000ULL);
	for (long i = 0; i < n; i++) {
		nj_tx.n = 0;
		segment(net, 0xac100000u + (uint32_t)(i >> 14), (uint16_t)(1024 + (i & 0x3fff)), 1000, 0, TCPHDR_SYN);
		if (lsk->qlen > peak)
			peak = lsk->qlen;
	}
	long rss1 = rss_kib();
	printf("syn flood (tcp_syncookies %d): %ld SYNs in %.2f s: SYN queue peak %d of backlog %d, sockets %d, "
	       "SyncookiesSent %llu, TCPReqQFullDrop %llu, ListenDrops %llu, ListenOverflows %llu, RSS +%ld KiB\n",
	       cookies, n, now_s() - t0, peak, backlog, net->socks->count,
	       (unsigned long long)net->mib[MIB_TCPEXT_SYNCOOKIESSENT],
	       (unsigned long long)net->mib[MIB_TCPEXT_TCPREQQFULLDROP],
	       (unsigned long long)net->mib[MIB_TCPEXT_LISTENDROPS],
	       (unsigned long long)net->mib[MIB_TCPEXT_LISTENOVERFLOWS], rss1 - rss0);
	long kept = n < backlog + 1 ? n : backlog + 1;
	ck_assert_int_eq(peak, kept);
	ck_assert_int_eq(net->socks->count, base + kept);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDROP], cookies ? 0 : (uint64_t)(n - kept));
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_LISTENDROPS], cookies ? 0 : (uint64_t)(n - kept));
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPREQQFULLDOCOOKIES], cookies ? (uint64_t)(n - kept) : 0);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESSENT], cookies ? (uint64_t)(n - kept) : 0);
	/* The application accepts at once, so the accept queue never overflows. */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_LISTENOVERFLOWS], 0);
	ck_assert_uint_eq(net->skbs_live, 0);

	/* 63 s of SYN-ACK retries later, every request sock is gone. */
	net_set_time(net, 1000000000ULL + TCP_SYNACK_EXPIRE_NS + 1000000000ULL);
	tcp_run_timers(net);
	ck_assert_int_eq(lsk->qlen, 0);
	ck_assert_int_eq(net->socks->count, base);
	nj_tx.n = 0;
	segment(net, 0xc0a80001u, 5555, 1, 0, TCPHDR_SYN);
	ck_assert_int_eq(lsk->qlen, 1);			/* the queue takes SYNs again */
	net_destroy(net);
}
END_TEST

/*
 * A burst larger than netdev_max_backlog before the softirq runs (frames
 * with one timestamp, or a NIC faster than the CPU): enqueue_to_backlog
 * accepts while qlen <= netdev_max_backlog and drops the rest with
 * CPU_BACKLOG, counted in softnet_stat's dropped column and the device's
 * rx_dropped. Replay cannot produce this from a capture (it runs the
 * softirq whenever netdev_budget frames wait), so the test feeds netif_rx.
 */
START_TEST(test_hostile_backlog_overrun_drops)
{
	long n = env_count("NJ_HOSTILE_BURST", 5000);
	struct net *net = nj_net();
	uint8_t frame[128], icmp[64];
	size_t l = nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_ICMP_, icmp, nj_icmp_echo(icmp, 1, 1, 8), NULL);
	int max = net->sysctl.netdev_max_backlog;
	long accepted = 0, cpu_backlog = 0;

	for (long i = 0; i < n; i++) {
		nj_rec.n = 0;
		if (nj_inject_nosoftirq(net, frame, l, i + 1) == NET_RX_SUCCESS)
			accepted++;
		else
			cpu_backlog += nj_drop_reason() == SKB_DROP_REASON_CPU_BACKLOG;
	}
	long want = n < max + 1 ? n : max + 1;
	printf("backlog: burst of %ld frames: %ld queued (netdev_max_backlog %d), %ld dropped CPU_BACKLOG, "
	       "softnet dropped %llu, eth0 rx_dropped %llu\n", n, accepted, max, cpu_backlog,
	       (unsigned long long)net->sd.dropped, (unsigned long long)net->devs[0].rx_dropped);
	ck_assert_int_eq(accepted, want);
	ck_assert_int_eq(cpu_backlog, n - want);
	ck_assert_uint_eq(net->sd.dropped, (uint64_t)(n - want));
	ck_assert_uint_eq(skb_queue_len(&net->sd.input_pkt_queue), (uint32_t)want);
	trace_clear_sinks(net);
	net_rx_action(net);
	ck_assert_uint_eq(skb_queue_len(&net->sd.input_pkt_queue), 0);
	ck_assert_uint_eq(net->skbs_live, 0);
	nj_net_free(net);
}
END_TEST

/*
 * Many distinct TCP flows, each completing the handshake (the ACK acks the
 * ISS read from the host's SYN-ACK) and then idle: the http application
 * waits for a request, so every flow keeps a socket. The socket table stops
 * at its limit (SOCK_MAX_DEFAULT); further SYNs are dropped with
 * ListenDrops, and memory stops growing with it.
 */
START_TEST(test_hostile_many_flows_bounded)
{
	long n = env_count("NJ_HOSTILE_FLOWS", 100000);
	struct net *net = hostile_net();
	struct sock *lsk = listener(net, 80);
	long established = 0, unanswered = 0, rss_at_limit = 0;
	long rss0 = rss_kib();
	double t0 = now_s();

	net_set_time(net, 1000000000ULL);
	for (long i = 0; i < n; i++) {
		uint32_t saddr = 0xac100000u + (uint32_t)(i >> 14);
		uint16_t sport = (uint16_t)(1024 + (i & 0x3fff));
		nj_tx.n = 0;
		segment(net, saddr, sport, 5000, 0, TCPHDR_SYN);
		if (nj_tx.n != 1) {
			unanswered++;
			continue;
		}
		const struct tcphdr *sa = (const struct tcphdr *)nj_tx_l4(0);
		segment(net, saddr, sport, 5001, ntohl(sa->seq) + 1, TCPHDR_ACK);
		established++;
		if (!rss_at_limit && net->socks->count >= net->socks->max)
			rss_at_limit = rss_kib();
	}
	long rss1 = rss_kib();
	printf("flows: %ld distinct flows in %.2f s: %ld established, %ld SYNs unanswered, sockets %d of %d, "
	       "ListenDrops %llu, skbs live %llu, RSS +%ld KiB (at the limit +%ld KiB), qlen %d\n",
	       n, now_s() - t0, established, unanswered, net->socks->count, net->socks->max,
	       (unsigned long long)net->mib[MIB_TCPEXT_LISTENDROPS], (unsigned long long)net->skbs_live,
	       rss1 - rss0, rss_at_limit ? rss_at_limit - rss0 : 0, lsk->qlen);
	ck_assert_int_le(net->socks->count, net->socks->max);
	ck_assert_int_eq(lsk->qlen, 0);				/* every handshake completed */
	if (n + 4 > net->socks->max) {
		ck_assert_int_eq(net->socks->count, net->socks->max);
		ck_assert_uint_eq(net->mib[MIB_TCPEXT_LISTENDROPS], (uint64_t)unanswered);
		ck_assert_int_gt(unanswered, 0);
	} else {
		ck_assert_int_eq(established, n);
	}
	ck_assert_uint_eq(net->skbs_live, 0);			/* idle flows hold no data */
	/* Past the limit nothing more is held: memory grew by at most a few
	 * MiB (allocator slack) after the table filled. */
	if (rss_at_limit && NJ_ASAN)
		printf("flows: RSS bound not checked under ASan (its quarantine keeps every freed skb)\n");
	else if (rss_at_limit)
		ck_assert_int_lt(rss1 - rss_at_limit, 8 * 1024);
	net_destroy(net);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *lim = tcase_create("Limits");
	tcase_set_timeout(lim, 600);		/* sanitizer builds and soak sizes */
	tcase_add_loop_test(lim, test_hostile_syn_flood_bounded, 0, 2);
	tcase_add_test(lim, test_hostile_backlog_overrun_drops);
	tcase_add_test(lim, test_hostile_many_flows_bounded);
	suite_add_tcase(s, lim);
	return s;
}

NJ_TEST_MAIN(hostile_suite)
