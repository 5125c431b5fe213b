/*
 * test_ipv6_nud.c - neighbour unreachability detection on the IPv6 table
 * (issue 24): the shared NUD state machine of neighbour.c, and ndisc.c on
 * it: INCOMPLETE solicited three times a second apart then FAILED, the
 * held packets dropped (an ICMPv6 address unreachable for a forwarded
 * one), STALE → DELAY → PROBE with unicast solicitations, REACHABLE
 * ageing, and the advertisement's solicited, override and router flags.
 */
#include "nj_check.h"
#include "ipv6.h"
#include "sock.h"

#define H6 "fd00::2"
#define SEC 1000000000ULL

static uint8_t fr[4096], pl[4096];
static const uint8_t mac99[6] = { 2, 0, 0, 0, 0, 0x99 }, mac98[6] = { 2, 0, 0, 0, 0, 0x98 };

static struct in6 a6(const char *s)
{
	struct in6 a;
	ck_assert_int_eq(in6_pton(s, &a), 0);
	return a;
}

static struct net *net6(void)
{
	struct net *net = nj_net();
	struct in6 h = a6(H6);
	ck_assert_int_eq(ipv6_add_addr(net, &net->devs[0], &h, 64), 0);
	nj_capture_tx(net);
	return net;
}

static const struct ipv6hdr *tx6(int i) { return (const struct ipv6hdr *)(nj_tx.f[i].buf + ETH_HLEN); }
static const uint8_t *tx6_l4(int i) { return nj_tx.f[i].buf + ETH_HLEN + 40; }

static size_t echo_from(const char *src)
{
	memset(pl, 0, 24);
	pl[0] = ICMPV6_ECHO_REQUEST;
	pl[7] = 1;
	pb_csum6(src, H6, NEXTHDR_ICMP, pl, 24, 2);
	return pb_eth_ip6(fr, src, H6, NEXTHDR_ICMP, 64, pl, 24);
}

static size_t na_from(const char *src, uint8_t flags, const uint8_t *tll)
{
	size_t n = pb_ndisc_na(pl, src, H6, src, flags, tll);
	return pb_eth_ip6(fr, src, H6, NEXTHDR_ICMP, 255, pl, n);
}

/* The clock moves to t and the neighbour timers run, as the replay does. */
static void at(struct net *net, uint64_t t)
{
	net_set_time(net, t);
	ndisc_run_timers(net);
}

/* The cache line of ip (ndisc_for_each's, as the CLI shows it), "" if none. */
struct line_pick {
	const char *ip;
	char line[160];
};

static void pick_line(void *ctx, const char *line)
{
	struct line_pick *p = ctx;
	size_t n = strlen(p->ip);
	if (!strncmp(line, p->ip, n) && line[n] == ' ')
		snprintf(p->line, sizeof(p->line), "%s", line);
}

static const char *state_of(struct net *net, const char *ip)
{
	static struct line_pick p;
	p.ip = ip;
	p.line[0] = 0;
	ndisc_for_each(net, pick_line, &p);
	return p.line;
}

static size_t ns_from(const char *src)
{
	size_t n = pb_ndisc_ns(pl, src, "ff02::1:ff00:2", H6, 1);
	return pb_eth_ip6(fr, src, "ff02::1:ff00:2", NEXTHDR_ICMP, 255, pl, n);
}

/* The cache bounded as Linux bounds it (as the ARP table): 1024 learned
 * entries within a second all stay; the next overflows. Our advertisement
 * to each used its entry (DELAY, then PROBE: a timer runs, so it is held);
 * once they have FAILED, neigh_forced_gc removes the 512 oldest and the
 * new entry is made. */
START_TEST(test_ndisc_cache_gc_thresholds)
{
	struct net *net = net6();
	char src[40];
	struct in6 a;
	for (int k = 0; k <= 1024; k++) {
		net_set_time(net, 5 * SEC + (uint64_t)k * 1000000ULL);
		snprintf(src, sizeof(src), "fd00::1:%x", k + 1);
		nj_inject(net, fr, ns_from(src));
	}
	for (int k = 0; k <= 1024; k++) {
		snprintf(src, sizeof(src), "fd00::1:%x", k + 1);
		a = a6(src);
		ck_assert_msg((ndisc_lookup(net, &net->devs[0], &a) != NULL) == (k < 1024), "entry %d", k);
	}
	nj_inject(net, fr, ns_from(src));			/* held entries: still no room */
	ck_assert_ptr_null(ndisc_lookup(net, &net->devs[0], &a));
	for (uint64_t t = 6; t <= 15; t++)
		at(net, t * SEC);				/* DELAY, PROBE x3, FAILED */
	ck_assert_str_ne(state_of(net, "fd00::1:1"), "");
	ck_assert_ptr_nonnull(strstr(state_of(net, "fd00::1:1"), "FAILED"));
	nj_inject(net, fr, ns_from(src));			/* fd00::1:401 again */
	ck_assert_ptr_nonnull(ndisc_lookup(net, &net->devs[0], &a));
	for (int k = 0; k < 1024; k++) {
		snprintf(src, sizeof(src), "fd00::1:%x", k + 1);
		ck_assert_msg((state_of(net, src)[0] != 0) == (k >= 512), "entry %d", k);
	}
	nj_net_free(net);
}
END_TEST

/* ---- the state machine alone ---- */

START_TEST(test_nud_incomplete_three_probes_then_failed)
{
	struct neigh_nud n = { 0 };
	ck_assert_int_eq(neigh_nud_event_send(&n, 10), 1);		/* first NS now */
	ck_assert_int_eq(n.state, NUD_INCOMPLETE);
	ck_assert_uint_eq(n.timer_ns, 10 + SEC);
	ck_assert_int_eq(neigh_nud_event_send(&n, 20), 0);		/* no new NS per packet */
	ck_assert_int_eq(neigh_nud_timer(&n, 10 + SEC), NEIGH_TIMER_PROBE);
	ck_assert_int_eq(neigh_nud_timer(&n, 10 + 2 * SEC), NEIGH_TIMER_PROBE);
	ck_assert_uint_eq(n.timer_ns, 10 + 3 * SEC);
	ck_assert_int_eq(neigh_nud_timer(&n, 10 + 3 * SEC), NEIGH_TIMER_FAILED);
	ck_assert_int_eq(n.state, NUD_FAILED);
	ck_assert_uint_eq(n.timer_ns, 0);
	ck_assert_int_eq(neigh_nud_event_send(&n, 10 + 4 * SEC), 1);	/* FAILED starts over */
	ck_assert_int_eq(n.state, NUD_INCOMPLETE);
}
END_TEST

START_TEST(test_nud_reachable_ages_delay_probe)
{
	struct neigh_nud n = { 0 };
	static const uint8_t a[6] = { 1 }, b[6] = { 2 };
	const char *why = NULL;
	uint8_t ha[6] = { 0 };
	neigh_nud_event_send(&n, 0);
	int r = neigh_nud_update(&n, ha, a, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE, 100, &why);
	ck_assert_int_eq(r, NEIGH_UPDATE_LLADDR | NEIGH_UPDATE_VALID);
	ck_assert_int_eq(n.state, NUD_REACHABLE);
	memcpy(ha, a, 6);
	ck_assert_uint_eq(n.timer_ns, 100 + NEIGH_REACHABLE_TIME_NS);
	/* unused for 30 s: STALE, no timer */
	ck_assert_int_eq(neigh_nud_timer(&n, 100 + NEIGH_REACHABLE_TIME_NS + 1), NEIGH_TIMER_NONE);
	ck_assert_int_eq(n.state, NUD_STALE);
	ck_assert_uint_eq(n.timer_ns, 0);
	/* used: DELAY for 5 s, then PROBE with a unicast probe */
	uint64_t t = 40 * SEC;
	ck_assert_int_eq(neigh_nud_event_send(&n, t), 0);
	ck_assert_int_eq(n.state, NUD_DELAY);
	ck_assert_uint_eq(n.timer_ns, t + NEIGH_DELAY_PROBE_NS);
	ck_assert_int_eq(neigh_nud_timer(&n, t + NEIGH_DELAY_PROBE_NS), NEIGH_TIMER_PROBE);
	ck_assert_int_eq(n.state, NUD_PROBE);
	ck_assert_int_eq(n.probes, 1);
	ck_assert_int_eq(neigh_nud_timer(&n, t + 6 * SEC), NEIGH_TIMER_PROBE);
	ck_assert_int_eq(neigh_nud_timer(&n, t + 7 * SEC), NEIGH_TIMER_PROBE);
	ck_assert_int_eq(neigh_nud_timer(&n, t + 8 * SEC), NEIGH_TIMER_FAILED);	/* ucast_solicit 3 */
	/* a different address without override is refused by a STALE entry */
	struct neigh_nud s = { .state = NUD_STALE };
	ck_assert_int_eq(neigh_nud_update(&s, a, b, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE, 1, &why), -1);
	ck_assert_ptr_nonnull(why);
	/* … and turns a REACHABLE entry STALE, its address kept */
	struct neigh_nud c = { .state = NUD_REACHABLE };
	ck_assert_int_eq(neigh_nud_update(&c, a, b, NUD_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE, 1, &why), 0);
	ck_assert_int_eq(c.state, NUD_STALE);
	/* the same address unsolicited does not downgrade REACHABLE */
	c.state = NUD_REACHABLE;
	ck_assert_int_eq(neigh_nud_update(&c, a, a, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE, 2, &why), 0);
	ck_assert_int_eq(c.state, NUD_REACHABLE);
	/* a PERMANENT entry is never changed */
	struct neigh_nud p = { .state = NUD_PERMANENT };
	ck_assert_int_eq(neigh_nud_update(&p, a, b, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE, 1, &why), -1);
}
END_TEST

/* ---- ndisc on it ---- */

START_TEST(test_ndisc_failed_after_three_solicitations)
{
	struct net *net = net6();
	net_set_time(net, 5 * SEC);
	nj_inject(net, fr, echo_from("fd00::99"));
	ck_assert_int_eq(nj_tx.n, 1);				/* NS 1; the reply is held */
	ck_assert_int_eq(tx6_l4(0)[0], NDISC_NEIGHBOUR_SOLICITATION);
	at(net, 5 * SEC + SEC / 2);
	nj_inject(net, fr, echo_from("fd00::99"));		/* a second reply waits too, no new NS */
	ck_assert_int_eq(nj_tx.n, 1);
	at(net, 6 * SEC);
	ck_assert_int_eq(nj_tx.n, 2);				/* NS 2 from the timer */
	struct in6 sol = a6("ff02::1:ff00:99");
	ck_assert(ipv6_addr_equal(&tx6(1)->daddr, &sol));
	at(net, 7 * SEC);
	ck_assert_int_eq(nj_tx.n, 3);				/* NS 3 */
	ck_assert_uint_eq(ndisc_next_timer(net), 8 * SEC);
	nj_rec.n = 0;
	at(net, 8 * SEC);
	ck_assert_int_eq(nj_tx.n, 3);				/* no fourth: FAILED */
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTNEIGHBORSOLICITS], 3);
	ck_assert_int_eq(nj_count("kfree_skb", 'i'), 2);		/* both held replies */
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_int_eq(nj_count("icmp6_send", 'B'), 0);		/* our own: no error on the wire */
	ck_assert_uint_eq(ndisc_next_timer(net), 0);
	/* a late advertisement for a FAILED entry is ignored */
	nj_rec.n = 0;
	nj_inject(net, fr, na_from("fd00::99", PB_NA_SOLICITED | PB_NA_OVERRIDE, mac99));
	struct in6 t = a6("fd00::99");
	ck_assert_ptr_null(ndisc_lookup(net, &net->devs[0], &t));
	/* a new packet starts over: INCOMPLETE, NS at once */
	nj_inject(net, fr, echo_from("fd00::99"));
	ck_assert_int_eq(nj_tx.n, 4);
	ck_assert_int_eq(tx6_l4(3)[0], NDISC_NEIGHBOUR_SOLICITATION);
	nj_net_free(net);
}
END_TEST

/* UDP to a closed port from a neighbour that never answers: the port
 * unreachable waits for it, then the neighbour fails. An echo reply held
 * so is answered over lo with an address unreachable (ip6_link_failure);
 * an ICMPv6 error is not: icmp6_send refuses an error about an error.
 * Before session 20 it was, and Icmp6.InDestUnreachs counted it. */
START_TEST(test_ndisc_failed_held_error_gets_no_error)
{
	struct net *net = net6();
	memset(pl, 0, 16);
	pl[0] = 0x9c;
	pl[1] = 0x41;					/* sport 40001 */
	pl[2] = 0x27;
	pl[3] = 0x0f;					/* dport 9999: closed */
	pl[5] = 16;
	pb_csum6("fd00::98", H6, NEXTHDR_UDP, pl, 16, 6);
	net_set_time(net, 5 * SEC);
	nj_inject(net, fr, pb_eth_ip6(fr, "fd00::98", H6, NEXTHDR_UDP, 64, pl, 16));
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTDESTUNREACHS], 1);	/* the port unreachable, held */
	nj_inject(net, fr, echo_from("fd00::99"));			/* an echo reply, held */
	for (uint64_t t = 6; t <= 8; t++)
		at(net, t * SEC);
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTNEIGHBORSOLICITS], 6);
	ck_assert_int_eq(net->mib[MIB_ICMP6_INDESTUNREACHS], 1);	/* the echo reply's, over lo */
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTDESTUNREACHS], 2);
	const struct nj_rec *r = nj_find("ip6_link_failure", 'i');
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->msg, "is an ICMPv6 error"));
	nj_net_free(net);
}
END_TEST

START_TEST(test_ndisc_forwarded_held_gets_addr_unreach)
{
	struct net *net = nj_net();
	struct net_device *eth1 = net_add_dev(net, "eth1", NJ_ROUTER_MAC1, 1500);
	struct in6 h = a6(H6), p = a6("fd00::1"), lan = a6("fd01::1");
	ck_assert_int_eq(ipv6_add_addr(net, &net->devs[0], &h, 64), 0);
	ck_assert_int_eq(ipv6_add_addr(net, eth1, &lan, 64), 0);
	ck_assert_int_eq(ndisc_add_static(net, &net->devs[0], &p, nj_peer_mac), 0);
	ipv6_state(net)->sysctl.forwarding = 1;
	nj_capture_tx(net);
	memset(pl, 0, 24);
	pl[0] = ICMPV6_ECHO_REQUEST;
	pb_csum6("fd00::1", "fd01::20", NEXTHDR_ICMP, pl, 24, 2);
	nj_inject(net, fr, pb_eth_ip6(fr, "fd00::1", "fd01::20", NEXTHDR_ICMP, 64, pl, 24));
	ck_assert_int_eq(nj_tx.n, 1);				/* NS out of eth1 */
	ck_assert_int_eq(nj_tx.f[0].ifindex, 2);
	for (uint64_t s = 1; s <= 3; s++)
		at(net, s * SEC);
	ck_assert_int_eq(nj_tx.n, 4);				/* 3 NS, then the error */
	const uint8_t *e = tx6_l4(3);
	ck_assert_int_eq(e[0], ICMPV6_DEST_UNREACH);
	ck_assert_int_eq(e[1], ICMPV6_ADDR_UNREACH);
	ck_assert(ipv6_addr_equal(&tx6(3)->daddr, &p));
	ck_assert_int_eq(net->mib[MIB_ICMP6_OUTDESTUNREACHS], 1);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	nj_net_free(net);
}
END_TEST

START_TEST(test_ndisc_na_flags)
{
	struct net *net = net6();
	struct in6 t = a6("fd00::99");
	nj_inject(net, fr, echo_from("fd00::99"));
	ck_assert_int_eq(nj_tx.n, 1);
	/* unsolicited, no override: INCOMPLETE takes the address, STALE; the reply goes */
	nj_inject(net, fr, na_from("fd00::99", 0, mac99));
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(tx6_l4(1)[0], ICMPV6_ECHO_REPLY);
	ck_assert_mem_eq(nj_tx.f[1].buf, mac99, 6);
	/* (sending the held reply used the STALE entry: DELAY, as neigh_update's
	 * flush goes through neigh_resolve_output) */
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:99 DELAY");
	at(net, SEC);
	nj_inject(net, fr, echo_from("fd00::99"));
	ck_assert_uint_eq(ndisc_next_timer(net), NEIGH_DELAY_PROBE_NS);	/* DELAY is not restarted */
	/* solicited, same address, router: REACHABLE, a router */
	nj_inject(net, fr, na_from("fd00::99", PB_NA_SOLICITED | PB_NA_ROUTER, mac99));
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:99 router REACHABLE");
	/* solicited, another address, no override: kept, but STALE */
	nj_inject(net, fr, na_from("fd00::99", PB_NA_SOLICITED, mac98));
	ck_assert_mem_eq(ndisc_lookup(net, &net->devs[0], &t), mac99, 6);
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:99 router STALE");
	/* unsolicited with override: the new address */
	nj_inject(net, fr, na_from("fd00::99", PB_NA_OVERRIDE, mac98));
	ck_assert_mem_eq(ndisc_lookup(net, &net->devs[0], &t), mac98, 6);
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:98 STALE");
	/* used, then 5 s of silence: unicast probes to the known address */
	nj_inject(net, fr, echo_from("fd00::99"));
	int before = nj_tx.n;
	at(net, SEC + 5 * SEC);
	ck_assert_int_eq(nj_tx.n, before + 1);
	ck_assert_int_eq(tx6_l4(before)[0], NDISC_NEIGHBOUR_SOLICITATION);
	ck_assert(ipv6_addr_equal(&tx6(before)->daddr, &t));	/* to the address itself */
	ck_assert_mem_eq(nj_tx.f[before].buf, mac98, 6);
	nj_net_free(net);
}
END_TEST

/* Replay learning (--auto-host): a peer the capture keeps hearing from is
 * confirmed, so DELAY ends REACHABLE, not in probes. */
START_TEST(test_ndisc_learn_confirms)
{
	struct net *net = net6();
	struct in6 p = a6("fd00::99");
	ndisc_learn(net, &net->devs[0], &p, mac99);
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:99 STALE");
	nj_inject(net, fr, echo_from("fd00::99"));		/* the reply uses it: DELAY */
	at(net, 2 * SEC);
	ndisc_learn(net, &net->devs[0], &p, mac99);		/* its next frame */
	int before = nj_tx.n;
	at(net, 5 * SEC);
	ck_assert_str_eq(state_of(net, "fd00::99"), "fd00::99 dev eth0 lladdr 02:00:00:00:00:99 REACHABLE");
	ck_assert_int_eq(nj_tx.n, before);			/* no probe */
	nj_net_free(net);
}
END_TEST

/* ---- an IPv6 UDP echo socket whose replies wait for neighbour discovery ---- */

/* A len-byte datagram to echo from the i-th of four peers that never answer
 * (fd00::3 to fd00::6). */
static void udp6_echo_from(struct net *net, int i, size_t len)
{
	char src[16];
	snprintf(src, sizeof(src), "fd00::%d", 3 + i % 4);
	uint16_t sport = (uint16_t)(6000 + i);
	memset(pl, 'e', 8 + len);
	pl[0] = (uint8_t)(sport >> 8);
	pl[1] = (uint8_t)sport;
	pl[2] = 0;
	pl[3] = 7;
	pl[4] = (uint8_t)((8 + len) >> 8);
	pl[5] = (uint8_t)(8 + len);
	pl[6] = pl[7] = 0;
	pb_csum6(src, H6, NEXTHDR_UDP, pl, 8 + len, 6);
	nj_inject(net, fr, pb_eth_ip6(fr, src, H6, NEXTHDR_UDP, 64, pl, 8 + len));
}

static struct sock *udp6_echo_host(struct net *net)
{
	ck_assert_int_eq(sock_listen(net, IPPROTO_UDP_, 0, 7, APP_ECHO, 0), 0);
	struct in6 h = a6(H6), p = a6("fd00::3");
	return __udp6_lib_lookup(net, &p, htons(6000), &h, htons(7));
}

/* Each echo is charged to the socket's send buffer while its neighbour is
 * unresolved (ip6_make_skb's sock_alloc_send_skb): full, the application
 * sleeps in sendto and the datagrams queue unread, up to the receive
 * buffer (Udp6.RcvbufErrors); when the neighbours fail it wakes. */
START_TEST(test_udp6_sndbuf_sleeps_then_wakes_on_failure)
{
	struct net *net = net6();
	struct sock *sk = udp6_echo_host(net);
	ck_assert_ptr_nonnull(sk);
	net_set_time(net, 1 * SEC);
	int i = 0;
	while (!sk->send_blocked && i < 400)
		udp6_echo_from(net, i++, 1400);
	ck_assert(sk->send_blocked);
	int sent = (int)net->mib[MIB_UDP6_OUTDATAGRAMS];
	ck_assert_int_gt(sent, 50);
	ck_assert_int_eq(net->mib[MIB_UDP6_INDATAGRAMS], sent + 1);	/* the last one read waits */
	ck_assert_uint_ge(sk->wmem_alloc, sk->sndbuf);
	while (!net->mib[MIB_UDP6_RCVBUFERRORS] && i < 800) {
		nj_rec.n = 0;
		udp6_echo_from(net, i++, 1400);				/* asleep: they queue unread */
	}
	ck_assert_int_eq(net->mib[MIB_UDP6_INDATAGRAMS], sent + 1);
	ck_assert_int_eq(net->mib[MIB_UDP6_INERRORS], 1);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_SOCKET_RCVBUFF);
	ck_assert_uint_le(sk->rmem, sk->rcvbuf);
	uint32_t queued = skb_queue_len(&sk->receive_queue);
	ck_assert_uint_gt(queued, 50);
	for (uint64_t t = 2; t <= 4; t++) {
		net_set_time(net, t * SEC);
		neigh_run_timers(net);	/* FAILED at 4 s: the held echoes freed, the sender woken */
	}
	/* woken: it echoed what it held and read the queue, each echo held
	 * again for a new resolution, until the buffer filled once more */
	ck_assert_int_eq(net->mib[MIB_UDP6_INDATAGRAMS], sent + 1 + queued);
	ck_assert_int_eq(skb_queue_len(&sk->receive_queue), 0);
	ck_assert_int_gt(net->mib[MIB_UDP6_OUTDATAGRAMS], sent + (int)queued - 2);
	nj_net_free(net);
}
END_TEST

/* An echo longer than the MTU: its fragments wait for neighbour discovery,
 * each charged to the socket (ip6_frag_next), until the neighbour fails. */
START_TEST(test_udp6_echo_fragments_stay_charged)
{
	struct net *net = net6();
	struct sock *sk = udp6_echo_host(net);
	net_set_time(net, 1 * SEC);
	udp6_echo_from(net, 0, 3000);
	ck_assert_int_eq(net->mib[MIB_UDP6_OUTDATAGRAMS], 1);
	ck_assert_int_eq(net->mib[MIB_IP6_FRAGCREATES], 3);
	/* three held, each charged: 1496, 1496 and 160 bytes (fragments of 1448) */
	ck_assert_uint_eq(sk->wmem_alloc, 2 * alloc_skb_truesize(1496 + NET_SKB_PAD) + alloc_skb_truesize(160 + NET_SKB_PAD));
	for (uint64_t t = 2; t <= 4; t++) {
		net_set_time(net, t * SEC);
		neigh_run_timers(net);
	}
	ck_assert_uint_eq(sk->wmem_alloc, 0);
	nj_net_free(net);
}
END_TEST

static Suite *nud_suite(void)
{
	Suite *s = suite_create("ipv6_nud");
	TCase *m = tcase_create("StateMachine"), *nd = tcase_create("Ndisc");
	tcase_add_test(m, test_nud_incomplete_three_probes_then_failed);
	tcase_add_test(m, test_nud_reachable_ages_delay_probe);
	tcase_add_test(nd, test_ndisc_failed_after_three_solicitations);
	tcase_add_test(nd, test_ndisc_forwarded_held_gets_addr_unreach);
	tcase_add_test(nd, test_ndisc_failed_held_error_gets_no_error);
	tcase_add_test(nd, test_ndisc_cache_gc_thresholds);
	tcase_add_test(nd, test_ndisc_na_flags);
	tcase_add_test(nd, test_ndisc_learn_confirms);
	tcase_add_test(nd, test_udp6_sndbuf_sleeps_then_wakes_on_failure);
	tcase_add_test(nd, test_udp6_echo_fragments_stay_charged);
	suite_add_tcase(s, m);
	suite_add_tcase(s, nd);
	return s;
}

NJ_TEST_MAIN(nud_suite)
