/*
 * mkpcap_route.c - routing, forwarding, netfilter and ICMP scenario pcaps
 * for mkpcap (see mkpcap.h). Most run against a router: eth0 10.0.0.2/24
 * (where every frame arrives, from the peer 10.0.0.1) and eth1
 * 192.168.1.1/24 with MTU 1400, forwarding on.
 */
#include <string.h>

#include "ip.h"
#include "mkpcap.h"
#include "stack.h"
#include "tcp.h"

#include <stdio.h>

#define PEER "10.0.0.1"
#define HOST "10.0.0.2"
#define LAN "192.168.1.10"

/* The router; the routes and netfilter rules of a scenario follow it. */
#define ROUTER_HEAD							\
	"{\n  \"kernel\": \"6.x\",\n"					\
	"  \"interfaces\": [\n"						\
	"    {\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500},\n" \
	"    {\"name\":\"eth1\",\"mac\":\"02:00:00:00:01:01\",\"addrs\":[\"192.168.1.1/24\"],\"mtu\":1400}],\n" \
	"  \"neighbours\": [\n"						\
	"    {\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n" \
	"    {\"ip\":\"192.168.1.10\",\"mac\":\"02:00:00:00:01:0a\",\"dev\":\"eth1\"},\n" \
	"    {\"ip\":\"192.168.1.254\",\"mac\":\"02:00:00:00:01:fe\",\"dev\":\"eth1\"}],\n" \
	"  \"routes\": [\n"						\
	"    {\"dst\":\"172.16.0.0/16\",\"via\":\"192.168.1.254\"},\n"	\
	"    {\"dst\":\"203.0.113.0/24\",\"type\":\"blackhole\"},\n"	\
	"    {\"dst\":\"198.51.100.0/24\",\"type\":\"prohibit\"},\n"	\
	"    {\"dst\":\"192.0.2.0/24\",\"type\":\"unreachable\"}],\n"	\
	"  \"forwarding\": true"

static const char router_json[] = ROUTER_HEAD "\n}\n";
static const char router_rpf_json[] = ROUTER_HEAD ", \"rp_filter\": 1\n}\n";
static const char router_nf_drop_json[] = ROUTER_HEAD ",\n  \"netfilter\": [\n"
	"    {\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"tcp\",\"tcp_flags\":\"SYN\"},\"verdict\":\"LOG\"},\n"
	"    {\"hook\":\"FORWARD\",\"match\":{\"proto\":\"icmp\",\"daddr\":\"192.168.1.0/24\"},\"verdict\":\"DROP\"},\n"
	"    {\"hook\":\"FORWARD\",\"match\":{\"proto\":\"udp\",\"dport\":53},\"verdict\":\"ACCEPT\"}]\n}\n";
static const char host_nf_reject_json[] =
	"{\n  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n"
	"  \"routes\": [{\"dst\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\",\"dev\":\"eth0\"}],\n"
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"netfilter\": [\n"
	"    {\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"tcp\",\"dport\":23},\"verdict\":\"REJECT\",\"reject_with\":\"tcp-reset\"},\n"
	"    {\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"udp\",\"dport\":161},\"verdict\":\"REJECT\"},\n"
	"    {\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"icmp\",\"saddr\":\"10.0.0.0/24\"},\"verdict\":\"REJECT\",\"reject_with\":\"icmp-admin-prohibited\"}]\n}\n";

/* A host on a /16 (a large LAN) with its gateway's entry. */
static const char lan16_json[] =
	"{\n  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/16\"],\"mtu\":1500}],\n"
	"  \"routes\": [{\"dst\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\",\"dev\":\"eth0\"}],\n"
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}]\n}\n";

static uint8_t frame[4096], l4[3000], data[3000];

static struct pb_ipopt ipo(const char *src, const char *dst, uint8_t proto, uint16_t id)
{
	struct pb_ipopt o = { .saddr = pb_ip(src), .daddr = pb_ip(dst), .proto = proto, .id = id };
	return o;
}

static void ping(struct mk_ctx *c, struct pb_ipopt *o, uint16_t seq)
{
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 0x3e3e, seq, 56);
	mk_emit(c, frame, pb_eth_ip(frame, o, l4, n));
}

static void udp(struct mk_ctx *c, struct pb_ipopt *o, uint16_t dport, size_t len)
{
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)('a' + i % 26);
	size_t n = pb_udp(l4, o->saddr, o->daddr, 40000, dport, data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, o, l4, n));
}

static void tcp(struct mk_ctx *c, struct pb_ipopt *o, uint16_t dport, uint8_t flags)
{
	size_t n = pb_tcp(l4, o->saddr, o->daddr, 40000, dport, 1000, flags & TCPHDR_ACK ? 5000 : 0, flags, 64240,
			  NULL, 0, NULL, 0, 0);
	mk_emit(c, frame, pb_eth_ip(frame, o, l4, n));
}

/* On-link next hop, then a gateway's network. */
static void route_forward(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, LAN, IPPROTO_ICMP_, 0x100);
	ping(c, &o, 1);
	o = ipo(PEER, "172.16.3.4", IPPROTO_UDP_, 0x101);
	udp(c, &o, 53, 32);
}

static void route_ttl_expired(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, LAN, IPPROTO_ICMP_, 0x200);
	o.ttl = 1;
	ping(c, &o, 1);
	o.ttl = 2;
	o.id = 0x201;
	ping(c, &o, 2);
}

/* No route at all, then each reject route type. */
static void route_no_route(struct mk_ctx *c)
{
	static const char *const dst[] = { "8.8.8.8", "192.0.2.5", "198.51.100.5", "203.0.113.5" };
	for (int i = 0; i < 4; i++) {
		struct pb_ipopt o = ipo(PEER, dst[i], IPPROTO_UDP_, (uint16_t)(0x300 + i));
		udp(c, &o, 33434, 12);
	}
}

static void route_martian(struct mk_ctx *c)
{
	static const char *const pair[][2] = {
		{ "127.0.0.1", HOST }, { "224.0.0.5", HOST }, { "0.1.2.3", HOST },
		{ PEER, "127.0.0.1" }, { PEER, "0.0.0.7" }, { HOST, HOST },
	};
	for (int i = 0; i < 6; i++) {
		struct pb_ipopt o = ipo(pair[i][0], pair[i][1], IPPROTO_ICMP_, (uint16_t)(0x400 + i));
		ping(c, &o, (uint16_t)(i + 1));
	}
}

/* rp_filter=1: a source that lives behind eth1 arriving on eth0. */
static void route_rp_filter(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo("192.168.1.50", HOST, IPPROTO_ICMP_, 0x500);
	ping(c, &o, 1);
	o = ipo(PEER, HOST, IPPROTO_ICMP_, 0x501);
	ping(c, &o, 2);
}

/* For `netjourney diff` (what if): a forward from a source that lives
 * behind eth1 (spoofed: rp_filter=1 drops it), a 1200-byte UDP datagram
 * with DF (fits eth1's 1400, not a 1000-byte MTU), and the peer's own
 * forward, which every variant forwards. */
static void route_whatif(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo("192.168.1.50", "172.16.3.4", IPPROTO_UDP_, 0x700);
	udp(c, &o, 53, 32);
	o = ipo(PEER, "172.16.3.4", IPPROTO_UDP_, 0x701);
	o.frag = IP_DF;
	udp(c, &o, 53, 1200 - 28);
	o = ipo(PEER, LAN, IPPROTO_ICMP_, 0x702);
	ping(c, &o, 1);
}

/* eth1's MTU is 1400: 1500 bytes with DF get "fragmentation needed",
 * without DF they leave as two fragments. */
static void route_df_mtu(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, LAN, IPPROTO_UDP_, 0x600);
	o.frag = IP_DF;
	udp(c, &o, 5001, 1472);
	o.frag = 0;
	o.id = 0x601;
	udp(c, &o, 5001, 1472);
}

static void nf_drop(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, LAN, IPPROTO_ICMP_, 0x700);
	ping(c, &o, 1);
	o = ipo(PEER, LAN, IPPROTO_UDP_, 0x701);
	udp(c, &o, 53, 20);
	o = ipo(PEER, LAN, IPPROTO_TCP_, 0x702);
	tcp(c, &o, 22, TCPHDR_SYN);
}

static void nf_reject(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, HOST, IPPROTO_TCP_, 0x800);
	tcp(c, &o, 23, TCPHDR_SYN);
	o = ipo(PEER, HOST, IPPROTO_UDP_, 0x801);
	udp(c, &o, 161, 24);
	o = ipo(PEER, HOST, IPPROTO_ICMP_, 0x802);
	ping(c, &o, 1);
}

/* Limited and directed broadcasts, all-hosts multicast, and a unicast
 * datagram in an L2 broadcast frame that a router must not forward. */
static void route_broadcast(struct mk_ctx *c)
{
	static const uint8_t mc_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	struct pb_ipopt o = ipo(PEER, "255.255.255.255", IPPROTO_ICMP_, 0x900);
	o.dmac = PB_BCAST_MAC;
	ping(c, &o, 1);
	o = ipo(PEER, "10.0.0.255", IPPROTO_UDP_, 0x901);
	o.dmac = PB_BCAST_MAC;
	udp(c, &o, 9999, 8);
	o = ipo(PEER, "224.0.0.1", IPPROTO_ICMP_, 0x902);
	o.dmac = mc_mac;
	ping(c, &o, 2);
	o = ipo(PEER, LAN, IPPROTO_ICMP_, 0x903);
	o.dmac = PB_BCAST_MAC;
	ping(c, &o, 3);
}

/* The reply comes from the address pinged, though it lives on eth1. */
static void route_ping_router(struct mk_ctx *c)
{
	struct pb_ipopt o = ipo(PEER, "192.168.1.1", IPPROTO_ICMP_, 0xa00);
	ping(c, &o, 1);
}

/* Ten datagrams to a closed port within 10 ms: six ICMP errors (the
 * per-destination burst), then icmp_ratelimit holds the rest back. */
static void icmp_port_unreach(struct mk_ctx *c)
{
	for (int i = 0; i < 10; i++) {
		struct pb_ipopt o = ipo(PEER, HOST, IPPROTO_UDP_, (uint16_t)(0xb00 + i));
		udp(c, &o, 9999, 16);
	}
}

/* An ICMP error from the peer quoting what the host sent (an IP header
 * HOST > PEER with protocol proto, then 8 bytes of it). */
static void icmp_err_in(struct mk_ctx *c, uint8_t type, uint8_t code, uint8_t proto, const char *l4hdr8)
{
	struct pb_ipopt o = ipo(PEER, HOST, IPPROTO_ICMP_, 0xe00);
	struct iphdr *q = (struct iphdr *)(l4 + 8);
	memset(l4, 0, 8 + 20);
	l4[0] = type;
	l4[1] = code;
	q->ihl_version = 0x45;
	q->tot_len = htons(20 + 64);
	q->ttl = 64;
	q->protocol = proto;
	q->saddr = pb_ip(HOST);
	q->daddr = pb_ip(PEER);
	q->check = ip_fast_csum(q, 5);
	memcpy(l4 + 28, l4hdr8, 8);
	uint16_t s = htons(csum_fold(csum_partial(l4, 36, 0)));
	memcpy(l4 + 2, &s, 2);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, 36));
}

/* An ICMP message from the peer (to dst, on the broadcast MAC when bcast):
 * type, code, the 4 bytes after the checksum, then len bytes of data. */
static void icmp_msg(struct mk_ctx *c, uint8_t type, uint8_t code, const char *rest4, const void *d, size_t len,
		     const char *dst)
{
	struct pb_ipopt o = ipo(PEER, dst, IPPROTO_ICMP_, (uint16_t)(0xf00 + type));
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (strcmp(dst, HOST))
		o.dmac = bcast;
	l4[0] = type;
	l4[1] = code;
	memset(l4 + 2, 0, 2);
	memcpy(l4 + 4, rest4, 4);
	memcpy(l4 + 8, d, len);
	uint16_t s = htons(csum_fold(csum_partial(l4, 8 + len, 0)));
	memcpy(l4 + 2, &s, 2);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, 8 + len));
}

/* ICMP types a host meets (default host), as Linux 6.18 answers and
 * counts them: timestamp requests answered (one too short, one to the
 * broadcast address refused), address mask and information requests,
 * router messages and stray replies taken silently, an extended echo
 * (PROBE, off by default) and its reply, type 50 (InErrors), a redirect,
 * source quench and parameter problem about UDP nobody sent (InErrors);
 * type 50 and PROBE to the broadcast address (the type checks come before
 * the broadcast one). */
static void icmp_types(struct mk_ctx *c)
{
	static const uint8_t ts[12] = { 0, 0, 0x03, 0xe8 };
	static const uint8_t ra[12] = { 10, 0, 0, 1 };
	static const char udpq[28] = "\x45\x00\x00\x24\x00\x01\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x02"
				     "\x0a\x00\x00\x01\x13\x88\x00\x35\x00\x10\x00\x00";
	icmp_msg(c, ICMP_TIMESTAMP, 0, "\x12\x34\x00\x01", ts, 12, HOST);
	icmp_msg(c, ICMP_TIMESTAMP, 0, "\x12\x34\x00\x02", ts, 8, HOST);
	icmp_msg(c, ICMP_TIMESTAMP, 0, "\x12\x34\x00\x03", ts, 2, HOST);	/* too short */
	icmp_msg(c, ICMP_TIMESTAMP, 0, "\x12\x34\x00\x04", ts, 12, "10.0.0.255");
	icmp_msg(c, ICMP_ADDRESS, 0, "\x12\x34\x00\x05", ts, 4, HOST);
	icmp_msg(c, 15, 0, "\x12\x34\x00\x06", ts, 0, HOST);			/* information request */
	icmp_msg(c, 9, 0, "\x01\x02\x00\x1e", ra, 8, HOST);			/* router advertisement */
	icmp_msg(c, 10, 0, "\x00\x00\x00\x00", ts, 0, HOST);			/* router solicitation */
	icmp_msg(c, ICMP_EXT_ECHO, 0, "\x12\x34\x00\x07", ts, 8, HOST);
	icmp_msg(c, ICMP_EXT_ECHOREPLY, 0, "\x12\x34\x00\x08", ts, 8, HOST);
	icmp_msg(c, 50, 0, "\x12\x34\x00\x09", ts, 8, HOST);
	icmp_msg(c, ICMP_TIMESTAMPREPLY, 0, "\x12\x34\x00\x0a", ts, 12, HOST);
	icmp_msg(c, ICMP_ADDRESSREPLY, 0, "\x12\x34\x00\x0b", "\xff\xff\xff\x00", 4, HOST);
	icmp_msg(c, ICMP_REDIRECT, 1, "\x0a\x00\x00\x09", udpq, 28, HOST);
	icmp_msg(c, ICMP_SOURCE_QUENCH, 0, "\x00\x00\x00\x00", udpq, 28, HOST);
	icmp_msg(c, ICMP_PARAMETERPROB, 0, "\x14\x00\x00\x00", udpq, 28, HOST);
	icmp_msg(c, 50, 0, "\x12\x34\x00\x0c", ts, 8, "10.0.0.255");		/* unknown before broadcast */
	icmp_msg(c, ICMP_EXT_ECHO, 0, "\x12\x34\x00\x0d", ts, 8, "10.0.0.255");	/* PROBE skips that check */
}

/* The peer's datagram of protocol proto with the IP options o (n bytes). */
static void with_opts(struct mk_ctx *c, uint8_t proto, const uint8_t *o, int n, const void *pl, size_t len)
{
	struct pb_ipopt ip = ipo(PEER, HOST, proto, (uint16_t)(0xd00 + n));
	ip.opts = o;
	ip.optlen = n;
	mk_emit(c, frame, pb_eth_ip(frame, &ip, pl, len));
}

/* IP options (ip_options.c), default host: pings with record route (2
 * slots, and 9 as `ping -R` sends them), timestamps (times only, times
 * and addresses), router alert, stream id and an unknown option, all
 * answered with what Linux echoes; a loose source route (refused) and a
 * record route longer than the header (parameter problem, InHdrErrors);
 * UDP to a closed port and a SYN to a closed one with record route (the
 * port unreachable and the RST echo it); a connection to discard whose
 * every segment has it (the SYN-ACK and ACKs echo it). */
static void ip_options(struct mk_ctx *c)
{
	static const uint8_t rr2[12] = { 7, 11, 4 }, tsonly[12] = { 68, 12, 5, 0 };
	static const uint8_t rr9[40] = { 7, 39, 8, 10, 0, 0, 1 };	/* the sender's own address first */
	static const uint8_t tsaddr[20] = { 68, 20, 5, 1 }, ra[4] = { 148, 4, 0, 0 }, sid[4] = { 136, 4, 0x12, 0x34 };
	static const uint8_t unk[4] = { 25, 4, 0, 0 }, lsrr[8] = { 131, 7, 4, 10, 0, 0, 9, 1 }, bad[4] = { 7, 40, 4 };
	const uint8_t *o[9] = { rr2, rr9, tsonly, tsaddr, ra, sid, unk, lsrr, bad };
	const int n[9] = { 12, 40, 12, 20, 4, 4, 4, 8, 4 };
	for (int i = 0; i < 9; i++) {
		size_t len = pb_icmp_echo(l4, ICMP_ECHO, 0x7070, (uint16_t)i, 16);
		with_opts(c, IPPROTO_ICMP_, o[i], n[i], l4, len);
	}
	size_t len = pb_udp(l4, pb_ip(PEER), pb_ip(HOST), 40000, 9999, "x", 1, 0);
	with_opts(c, IPPROTO_UDP_, rr2, 12, l4, len);
	len = pb_tcp(l4, pb_ip(PEER), pb_ip(HOST), 40001, 81, 1000, 0, TCPHDR_SYN, 64240, NULL, 0, NULL, 0, 0);
	with_opts(c, IPPROTO_TCP_, rr2, 12, l4, len);
	uint32_t isn = tcp_isn(pb_ip(PEER), pb_ip(HOST), htons(40002), htons(9), c->t_us * 1000);
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	len = pb_tcp(l4, pb_ip(PEER), pb_ip(HOST), 40002, 9, 5000, 0, TCPHDR_SYN, 64240, mss, 4, NULL, 0, 0);
	with_opts(c, IPPROTO_TCP_, rr2, 12, l4, len);
	len = pb_tcp(l4, pb_ip(PEER), pb_ip(HOST), 40002, 9, 5001, isn + 1, TCPHDR_ACK, 64240, NULL, 0, NULL, 0, 0);
	with_opts(c, IPPROTO_TCP_, rr2, 12, l4, len);
	len = pb_tcp(l4, pb_ip(PEER), pb_ip(HOST), 40002, 9, 5001, isn + 1, TCPHDR_ACK | TCPHDR_PSH, 64240, NULL, 0,
		     "hello\n", 6, 0);
	with_opts(c, IPPROTO_TCP_, rr2, 12, l4, len);
	len = pb_tcp(l4, pb_ip(PEER), pb_ip(HOST), 40002, 9, 5007, isn + 1, TCPHDR_ACK | TCPHDR_FIN, 64240, NULL, 0,
		     NULL, 0, 0);
	with_opts(c, IPPROTO_TCP_, rr2, 12, l4, len);
}

/* Next hops that never answer ARP: 192.168.1.20 on eth1 for two forwarded
 * pings (one request, again at 1 and 2 s; FAILED at 3 s, each ping's sender
 * hears host unreachable), then 10.0.0.5 on eth0 pinging the router (the
 * replies wait the same way; the errors about them go to the router
 * itself); after 4 s a third forwarded ping starts resolving again. */
static void arp_fail(struct mk_ctx *c)
{
	static const uint8_t mac5[6] = { 2, 0, 0, 0, 0, 0x05 };
	struct pb_ipopt o = ipo(PEER, "192.168.1.20", IPPROTO_ICMP_, 0x600);
	ping(c, &o, 1);
	mk_advance(c, 500000);
	o.id = 0x601;
	ping(c, &o, 2);
	struct pb_ipopt l = ipo("10.0.0.5", HOST, IPPROTO_ICMP_, 0x610);
	l.smac = mac5;
	ping(c, &l, 1);
	l.id = 0x611;
	ping(c, &l, 2);
	mk_advance(c, 4000000);
	o.id = 0x602;
	ping(c, &o, 3);
}

/* Options forwarded by the router: record route takes eth1's address (the
 * way out, ip_forward_options), a timestamp with addresses eth0's (the
 * way in, written on receive); a ping too big for eth1's 1400 bytes is
 * fragmented, record route only in the first fragment. */
static void route_options(struct mk_ctx *c)
{
	static const uint8_t rr[12] = { 7, 11, 4 }, ts[12] = { 68, 12, 5, 1 };
	for (int i = 0; i < 3; i++) {
		struct pb_ipopt ip = ipo(PEER, LAN, IPPROTO_ICMP_, (uint16_t)(0xc00 + i));
		ip.opts = i == 1 ? ts : rr;
		ip.optlen = 12;
		size_t len = pb_icmp_echo(l4, ICMP_ECHO, 0x7171, (uint16_t)i, i == 2 ? 1440 : 16);
		mk_emit(c, frame, pb_eth_ip(frame, &ip, l4, len));
	}
}

/* Errors about what the host sent (default host): about UDP from a port
 * with no socket (Icmp.InErrors, __udp4_lib_err) and from echo's port 7
 * (the socket's soft error); about TCP with no connection (Icmp.InErrors,
 * tcp_v4_err); about an ICMP echo request (no ping socket: ignored). */
static void icmp_errors_in(struct mk_ctx *c)
{
	icmp_err_in(c, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, IPPROTO_UDP_, "\x13\x88\x00\x35\x00\x40\x00\x00");
	icmp_err_in(c, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, IPPROTO_UDP_, "\x00\x07\x9c\x40\x00\x40\x00\x00");
	icmp_err_in(c, ICMP_DEST_UNREACH, 1, IPPROTO_TCP_, "\x9c\x40\x00\x50\x00\x00\x03\xe8");
	icmp_err_in(c, ICMP_TIME_EXCEEDED, 0, IPPROTO_ICMP_, "\x08\x00\x00\x00\x3e\x3e\x00\x01");
}

/* 300 hosts of a /16 each ask for us (ARP) and ping; then each pings
 * again, 2 ms apart: the neighbour table holds all 300 (Linux keeps up to
 * gc_thresh3, 1024, learned entries), so every reply goes at once. */
static void arp_many_hosts(struct mk_ctx *c)
{
	static const uint8_t zero[6];
	uint8_t mac[6] = { 2, 0, 0, 1, 0, 0 };
	c->step_us = 2000;
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < 300; k++) {
			char ip[20];
			snprintf(ip, sizeof(ip), "10.0.%d.%d", 1 + k / 250, 3 + k % 250);
			mac[4] = (uint8_t)(k >> 8);
			mac[5] = (uint8_t)k;
			if (!round)
				mk_emit(c, frame, pb_arp(frame, 1, PB_BCAST_MAC, mac, pb_ip(ip), zero, pb_ip("10.0.0.2")));
			struct pb_ipopt o = ipo(ip, "10.0.0.2", IPPROTO_ICMP_, (uint16_t)k);
			o.smac = mac;
			ping(c, &o, (uint16_t)(round + 1));
		}
}

const struct mk_scenario mk_route_scenarios[] = {
	{ "route-forward", "router forwards a ping on-link out of eth1 and a UDP datagram via the 172.16/16 gateway",
	  route_forward, router_json },
	{ "arp-fail", "next hops that never answer ARP: requests at 0, 1 and 2 s, FAILED at 3 s; the held pings' "
	  "senders hear host unreachable (the router itself for its own replies); a later ping starts again",
	  arp_fail, router_json },
	{ "arp-many-hosts", "300 hosts of a /16 ask for us and ping, then ping again: all 300 stay in the neighbour "
	  "table (gc_thresh3 1024) and every reply goes at once", arp_many_hosts, lan16_json },
	{ "route-ttl-expired", "TTL 1 → ICMP time exceeded (InHdrErrors); TTL 2 is forwarded with TTL 1",
	  route_ttl_expired, router_json },
	{ "route-no-route", "router: no route → net unreachable; unreachable / prohibit routes → codes 1 / 13; "
	  "blackhole → silence", route_no_route, router_json },
	{ "route-martian", "martian sources and destinations: 127/8, multicast, 0/8, our own address",
	  route_martian, NULL },
	{ "route-rp-filter", "rp_filter=1: a 192.168.1.x source arriving on eth0 is dropped (IP_RPFILTER); "
	  "the peer's ping is answered", route_rp_filter, router_rpf_json },
	{ "route-whatif", "for netjourney diff: a spoofed-source forward (rp_filter), 1200 bytes with DF (MTU), "
	  "a plain forward", route_whatif, router_json },
	{ "route-df-mtu", "1500 bytes towards a 1400-byte MTU: DF → frag needed (mtu 1400); no DF → 2 fragments",
	  route_df_mtu, router_json },
	{ "nf-drop", "netfilter FORWARD drops ICMP to 192.168.1/24, accepts UDP 53; a LOG rule logs the TCP SYN",
	  nf_drop, router_nf_drop_json },
	{ "nf-reject", "netfilter REJECT: TCP 23 with a reset, UDP 161 with port unreachable, ICMP admin-prohibited",
	  nf_reject, host_nf_reject_json },
	{ "route-broadcast", "broadcast and all-hosts pings ignored, directed-broadcast UDP delivered, "
	  "L2-broadcast unicast not forwarded", route_broadcast, router_json },
	{ "route-ping-router", "ping the router's eth1 address from eth0: the reply's source is 192.168.1.1",
	  route_ping_router, router_json },
	{ "icmp-port-unreach", "UDP to a closed port 10 times: 6 port unreachables, then icmp_ratelimit",
	  icmp_port_unreach, NULL },
	{ "icmp-types", "ICMP types a host meets: timestamp requests answered (a short one and one to broadcast refused), "
	  "address mask and information requests, router messages, PROBE (RFC 8335) and its reply, type 50, stray "
	  "replies, a redirect, source quench and parameter problem about UDP nobody sent", icmp_types, NULL },
	{ "ip-options", "IP options: record route and timestamps echoed in the ping replies (as Linux fills them), "
	  "router alert and others taken, a source route refused, a bad length answered with parameter problem; a "
	  "port unreachable, a RST and a connection's segments echo record route", ip_options, NULL },
	{ "route-options", "IP options forwarded: record route takes the outgoing interface's address, a timestamp "
	  "with addresses the incoming one's; fragmented, record route stays in the first fragment only", route_options,
	  router_json },
	{ "icmp-errors-in", "ICMP errors about what the host sent: UDP from a port with no socket and TCP with no "
	  "connection (Icmp.InErrors), UDP from echo's port (the socket's error), an echo request (ignored)",
	  icmp_errors_in, NULL },
	{ NULL, NULL, NULL, NULL },
};
