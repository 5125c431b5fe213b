/*
 * test_tun.c - a host on a tun device (stack/tun.c, neigh_direct_output):
 * a raw IP packet is received at once (tun_get_user → netif_receive_skb,
 * no backlog), counted once in Softnet.Processed; replies leave as bare IP
 * packets, for IPv4 and IPv6, without ARP or a Neighbour Solicitation; a
 * packet that is neither IPv4 nor IPv6 is dropped; the scenario's "type":
 * "tun" takes no MAC and no VLANs; -w's interface block says LINKTYPE_RAW;
 * a raw packet socket on a tun gets IP packets (ARPHRD_NONE, no address),
 * both ways, its filter compiled for raw IP.
 */
#include "nj_check.h"
#include "af_packet.h"
#include "frame.h"
#include "ipv6.h"
#include "pcapng_writer.h"
#include "scenario.h"
#include "source_pcap.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

static const char tun_json[] =
	"{\"interfaces\":[{\"name\":\"tun0\",\"type\":\"tun\",\"addrs\":[\"10.8.0.2/24\",\"fd00:8::2/64\"]}],"
	" \"routes\":[{\"dst\":\"0.0.0.0/0\",\"dev\":\"tun0\"}]}";

static struct net *tun_net(void)
{
	char err[256];
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	ck_assert_msg(scenario_load_text(net, tun_json, "t", err, sizeof(err)) == 0, "%s", err);
	nj_rec.n = 0;
	trace_add_sink(net, nj_rec_emit, &nj_rec);
	nj_capture_tx(net);
	return net;
}

static uint8_t frame[2048];

START_TEST(test_tun_udp_port_unreachable_leaves_bare)
{
	struct net *net = tun_net();
	struct net_device *tun = &net->devs[0];
	uint8_t udp[64];
	ck_assert_int_eq(tun->type, NJ_ARPHRD_NONE);
	ck_assert(!dev_has_header(tun));
	size_t ul = pb_udp(udp, nj_ip("10.8.0.1"), nj_ip("10.8.0.2"), 5353, 53, "query", 5, 0);
	size_t n = nj_build_ip(frame, "10.8.0.1", "10.8.0.2", IPPROTO_UDP_, udp, ul, NULL);
	ck_assert_int_eq(driver_rx(net, tun, NJ_DLT_RAW, frame + ETH_HLEN, (uint32_t)(n - ETH_HLEN),
				   (uint32_t)(n - ETH_HLEN), 0), 1);
	/* received at once: nothing waits on the backlog */
	ck_assert_uint_eq(skb_queue_len(&net->sd.input_pkt_queue), 0);
	ck_assert_ptr_nonnull(nj_find("tun_get_user", 'B'));
	ck_assert_ptr_nonnull(nj_find("netif_receive_skb", 'B'));
	ck_assert_ptr_null(nj_find("netif_rx", 'B'));
	ck_assert_uint_eq(net->mib[MIB_SOFTNET_PROCESSED], 1);
	ck_assert_uint_eq(net->sd.processed, 1);
	/* the port unreachable: a bare IPv4 packet, no ARP for 10.8.0.1 */
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].buf[0], 0x45);
	ck_assert_int_eq(nj_tx.f[0].buf[9], IPPROTO_ICMP_);
	ck_assert_int_eq(nj_tx.f[0].len, 20 + 8 + 20 + 8 + 5);
	ck_assert_uint_eq(net->mib[MIB_ARP_OUTREQUESTS], 0);
	ck_assert_uint_eq(net->mib[MIB_ICMP_OUTDESTUNREACHS], 1);
	ck_assert_ptr_nonnull(nj_find("neigh_direct_output", 'i'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tun_ipv6_echo_reply_without_ns)
{
	struct net *net = tun_net();
	uint8_t echo[64] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' };
	pb_csum6("fd00:8::1", "fd00:8::2", 58, echo, 12, 2);
	size_t n = pb_eth_ip6(frame, "fd00:8::1", "fd00:8::2", 58, 64, echo, 12);
	ck_assert_int_eq(driver_rx(net, &net->devs[0], NJ_DLT_RAW, frame + ETH_HLEN, (uint32_t)(n - ETH_HLEN),
				   (uint32_t)(n - ETH_HLEN), 0), 1);
	ck_assert_int_eq(nj_tx.n, 1);		/* the reply, and no solicitation before it */
	ck_assert_int_eq(nj_tx.f[0].buf[0] >> 4, 6);
	ck_assert_int_eq(nj_tx.f[0].buf[6], 58);
	ck_assert_int_eq(nj_tx.f[0].buf[40], 129);
	ck_assert_uint_eq(net->mib[MIB_ICMP6_OUTECHOREPLIES], 1);
	ck_assert_ptr_null(nj_find("ndisc_send_ns", 'B'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tun_drops_what_is_not_ip)
{
	struct net *net = tun_net();
	const uint8_t junk[24] = { 0x55, 0, 0, 24 };
	ck_assert_int_eq(driver_rx(net, &net->devs[0], NJ_DLT_RAW, junk, sizeof(junk), sizeof(junk), 0), 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_NOT_SPECIFIED);
	ck_assert_uint_eq(net->devs[0].rx_dropped, 1);
	ck_assert_uint_eq(net->mib[MIB_SOFTNET_PROCESSED], 0);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tun_scenario_rules)
{
	static const char *const bad[] = {
		"{\"interfaces\":[{\"name\":\"tun0\",\"type\":\"tun\",\"mac\":\"02:00:00:00:00:01\"}]}",
		"{\"interfaces\":[{\"name\":\"tun0\",\"type\":\"tun\",\"vlans\":[5]}]}",
		"{\"interfaces\":[{\"name\":\"tun0\",\"type\":\"wifi\",\"mac\":\"02:00:00:00:00:01\"}]}",
	};
	static const char *const why[] = { "no MAC", "VLANs need an Ethernet", "expected \"ether\", \"tun\" or \"ppp\"" };
	char err[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net *net = net_create();
		ck_assert_int_lt(scenario_load_text(net, bad[i], "t", err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, why[i]), "%zu: %s", i, err);
		net_destroy(net);
	}
	/* a tun device gets no EUI-64 link-local address: it has no MAC */
	struct net *net = tun_net();
	struct in6 ll = IN6_INIT(0xfe, 0x80);
	ll.s6[8] = 0x02;
	ll.s6[11] = 0xff;
	ll.s6[12] = 0xfe;
	ck_assert_ptr_null(ipv6_chk_addr(net, &ll, NULL));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tun_pcapng_linktype_raw)
{
	struct net *net = tun_net();
	struct pcapng_writer w;
	char path[] = "/tmp/nj-tun-XXXXXX", err[256];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	ck_assert_msg(pcapng_open(&w, path, net, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(pcapng_close(&w, 1, err, sizeof(err)), 0);
	FILE *f = fopen(path, "rb");
	uint8_t b[40];
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(b, 1, sizeof(b), f), sizeof(b));
	fclose(f);
	unlink(path);
	ck_assert_int_eq(b[28], 1);		/* the interface description block after the 28-byte SHB */
	ck_assert_int_eq(b[36] | b[37] << 8, 101);	/* LINKTYPE_RAW */
	nj_net_free(net);
}
END_TEST

START_TEST(test_tun_packet_socket_sees_ip)
{
	static const char json[] =
		"{\"interfaces\":[{\"name\":\"tun0\",\"type\":\"tun\",\"addrs\":[\"10.8.0.2/24\"]}],"
		" \"packet_sockets\":[{\"name\":\"tcpdump\",\"filter\":\"host 10.8.0.1\",\"type\":\"raw\"}]}";
	char err[256];
	uint8_t udp[64];
	struct net *net = net_create();
	ck_assert_msg(scenario_load_text(net, json, "t", err, sizeof(err)) == 0, "%s", err);
	nj_capture_tx(net);
	struct packet_sock *po = packet_sock_lookup(net, "tcpdump");
	ck_assert_ptr_nonnull(po);
	ck_assert_int_eq(packet_sock_linktype(po), DLT_RAW);
	size_t ul = pb_udp(udp, nj_ip("10.8.0.1"), nj_ip("10.8.0.2"), 5353, 53, "query", 5, 0);
	size_t n = nj_build_ip(frame, "10.8.0.1", "10.8.0.2", IPPROTO_UDP_, udp, ul, NULL);
	driver_rx(net, &net->devs[0], NJ_DLT_RAW, frame + ETH_HLEN, (uint32_t)(n - ETH_HLEN), (uint32_t)(n - ETH_HLEN),
		  0);
	struct packet_frame *in = packet_recvmsg(po), *out = packet_recvmsg(po);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(in->data[0], 0x45);		/* the filter matched on the IP header */
	ck_assert_int_eq(in->sll.sll_hatype, NJ_ARPHRD_NONE);
	ck_assert_int_eq(in->sll.sll_halen, 0);
	ck_assert_int_eq(in->sll.sll_pkttype, PACKET_HOST);
	ck_assert_int_eq(out->data[0], 0x45);		/* the port unreachable, on its way out */
	ck_assert_int_eq(out->data[9], IPPROTO_ICMP_);
	ck_assert_int_eq(out->sll.sll_protocol, ETH_P_IP);
	ck_assert_int_eq(out->sll.sll_pkttype, PACKET_OUTGOING);
	free(in);
	free(out);
	nj_net_free(net);
}
END_TEST

/* ppp0: no MAC, no ARP either, but PPP's receive path queues on the
 * backlog (ppp_input ... netif_rx), unlike a tun. */
START_TEST(test_ppp_backlog_and_bare_reply)
{
	static const char json[] = "{\"interfaces\":[{\"name\":\"ppp0\",\"type\":\"ppp\",\"addrs\":[\"100.64.1.2/32\"]}],"
				   " \"routes\":[{\"dst\":\"0.0.0.0/0\",\"dev\":\"ppp0\"}]}";
	char err[256];
	uint8_t body[64];
	struct net *net = net_create();
	ck_assert_msg(scenario_load_text(net, json, "t", err, sizeof(err)) == 0, "%s", err);
	nj_rec.n = 0;
	trace_add_sink(net, nj_rec_emit, &nj_rec);
	nj_capture_tx(net);
	ck_assert_int_eq(net->devs[0].type, NJ_ARPHRD_PPP);
	size_t l = nj_icmp_echo(body, 7, 1, 16);
	size_t n = nj_build_ip(frame, "198.51.100.7", "100.64.1.2", IPPROTO_ICMP_, body, l, NULL);
	memcpy(frame + ETH_HLEN - 4, "\xff\x03\x00\x21", 4);	/* PPP framing instead of Ethernet */
	ck_assert_int_eq(driver_rx(net, &net->devs[0], NJ_DLT_PPP, frame + ETH_HLEN - 4, (uint32_t)(n - ETH_HLEN + 4),
				   (uint32_t)(n - ETH_HLEN + 4), 0), 1);
	ck_assert_uint_eq(skb_queue_len(&net->sd.input_pkt_queue), 1);	/* queued, as netif_rx does */
	ck_assert_ptr_null(nj_find("tun_get_user", 'B'));
	net_rx_action(net);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(nj_tx.f[0].buf[0], 0x45);	/* the echo reply, bare: no ARP for the far peer */
	ck_assert_int_eq(nj_tx.f[0].buf[20], ICMP_ECHOREPLY);
	ck_assert_uint_eq(net->mib[MIB_ARP_OUTREQUESTS], 0);
	nj_net_free(net);
}
END_TEST

/* A tun hands packets up CHECKSUM_NONE (no vnet header): a UDP checksum
 * that is only the pseudo-header sum is an error there, not an offloaded
 * sum to trust; and a NOARP device joins no solicited-node group. */
START_TEST(test_tun_verifies_partial_sums_and_joins_no_solicited_group)
{
	struct net *net = tun_net();
	uint8_t udp[64];
	size_t ul = pb_udp(udp, nj_ip("10.8.0.1"), nj_ip("10.8.0.2"), 5353, 53, "query", 5, 0);
	uint32_t s = 0x0a08 + 0x0001 + 0x0a08 + 0x0002 + IPPROTO_UDP_ + (uint32_t)ul;
	uint16_t pseudo = htons((uint16_t)~csum_fold(s));
	memcpy(udp + 6, &pseudo, 2);
	size_t n = nj_build_ip(frame, "10.8.0.1", "10.8.0.2", IPPROTO_UDP_, udp, ul, NULL);
	driver_rx(net, &net->devs[0], NJ_DLT_RAW, frame + ETH_HLEN, (uint32_t)(n - ETH_HLEN), (uint32_t)(n - ETH_HLEN), 0);
	ck_assert_int_eq(nj_drop_reason(), SKB_DROP_REASON_UDP_CSUM);
	ck_assert_uint_eq(net->mib[MIB_UDP_INCSUMERRORS], 1);
	ck_assert_ptr_null(nj_find("skb_csum_unnecessary", 'i'));

	struct in6 me, sol;
	static const struct in6 all_nodes = IN6_INIT(0xff, 0x02, [15] = 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd00:8::2", me.s6), 1);
	addrconf_addr_solict_mult(&me, &sol);
	ck_assert(!ipv6_chk_mcast_addr(net, &net->devs[0], &sol));
	ck_assert(ipv6_chk_mcast_addr(net, &net->devs[0], &all_nodes));
	nj_net_free(net);
}
END_TEST

static Suite *tun_suite(void)
{
	Suite *s = suite_create("tun");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_tun_udp_port_unreachable_leaves_bare);
	tcase_add_test(tc, test_tun_ipv6_echo_reply_without_ns);
	tcase_add_test(tc, test_tun_drops_what_is_not_ip);
	tcase_add_test(tc, test_tun_scenario_rules);
	tcase_add_test(tc, test_tun_pcapng_linktype_raw);
	tcase_add_test(tc, test_tun_packet_socket_sees_ip);
	tcase_add_test(tc, test_ppp_backlog_and_bare_reply);
	tcase_add_test(tc, test_tun_verifies_partial_sums_and_joins_no_solicited_group);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(tun_suite)
