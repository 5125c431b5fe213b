/*
 * mkpcap_host.c - captures taken on a host, for host inference (issue #19,
 * tests/hostcap): both directions are in the file, as tcpdump on the host
 * writes them. A laptop browsing through its gateway, a port scan of a
 * server, a connection already open when the capture began, a Linux
 * loopback capture, BSD loopback (DLT_NULL), Linux cooked v2 (SLL2), a
 * QinQ-tagged host. Frames are built as Ethernet and rewritten for the
 * file's link type by mk_relink.
 */
#include <pcap/pcap.h>
#include <string.h>

#include "ip.h"
#include "mkpcap.h"
#include "tcp.h"

#define LAPTOP_MAC	((const uint8_t *)"\x02\x00\x00\x00\x01\x07")
#define GW_MAC		((const uint8_t *)"\x02\x00\x00\x00\x01\xfe")
#define NEIGH_MAC	((const uint8_t *)"\x02\x00\x00\x00\x01\x42")
#define ZERO_MAC	((const uint8_t *)"\x00\x00\x00\x00\x00\x00")

static uint8_t frame[8192], l4[8000];
static const uint8_t syn_opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };

size_t mk_relink(const struct mk_ctx *c, const uint8_t *f, size_t len, uint8_t *out)
{
	size_t body = len > 14 ? len - 14 : 0;
	size_t hl = 0;
	if (c->dlt == MK_DLT_NULL) {
		memcpy(out, "\x02\x00\x00\x00", 4);	/* AF_INET, little-endian host */
		hl = 4;
	} else if (c->dlt == DLT_LINUX_SLL) {
		memset(out, 0, 16);				/* no link address (halen 0), as on ppp or tun */
		out[1] = c->host_mac && !memcmp(f + 6, c->host_mac, 6) ? 4 : 0;
		out[2] = c->sll_hatype ? (uint8_t)(c->sll_hatype >> 8) : 0xff;	/* ARPHRD_VOID: no MAC to learn, */
		out[3] = c->sll_hatype ? (uint8_t)c->sll_hatype : 0xff;		/* or as given */
		memcpy(out + 14, f + 12, 2);
		hl = 16;
	} else if (c->dlt == DLT_PPP) {
		out[0] = 0xff;					/* HDLC-like address and control */
		out[1] = 0x03;
		out[2] = 0;
		out[3] = f[12] == 0x86 ? 0x57 : 0x21;		/* PPP protocol: IPv6 or IPv4 */
		hl = 4;
	} else if (c->dlt == DLT_LINUX_SLL2) {
		memset(out, 0, 20);
		memcpy(out, f + 12, 2);				/* protocol */
		uint16_t ht = c->lo_dir ? 772 : c->on_tun ? 0xFFFE : 1;	/* ARPHRD_LOOPBACK, _NONE, _ETHER */
		out[7] = c->lo_dir ? 1 : c->on_tun ? 5 : 2;	/* ifindex */
		out[8] = (uint8_t)(ht >> 8);
		out[9] = (uint8_t)ht;
		out[10] = c->lo_dir ? (c->lo_dir == 1 ? 4 : 0)
				    : c->host_mac && !memcmp(f + 6, c->host_mac, 6) ? 4 : 0;	/* OUTGOING : HOST */
		out[11] = c->on_tun ? 0 : 6;			/* a tun has no link address */
		if (!c->on_tun)
			memcpy(out + 12, f + 6, 6);
		hl = 20;
	}
	memcpy(out + hl, f + 14, body);
	return hl + body;
}

struct hpeer {
	uint32_t a, b;			/* network order */
	const uint8_t *amac, *bmac;	/* a's and b's MACs (frames from a go to bmac) */
	uint16_t vlan;			/* inner 802.1Q tag */
	uint16_t outer;			/* an 802.1ad tag outside it (QinQ) */
};

/* Emits the frame, with the 802.1ad outer tag inserted when there is one. */
static void emit_eth(struct mk_ctx *c, const struct hpeer *p, size_t n)
{
	if (p->outer) {
		memmove(frame + 16, frame + 12, n - 12);
		frame[12] = 0x88;
		frame[13] = 0xa8;
		frame[14] = (uint8_t)(p->outer >> 8);
		frame[15] = (uint8_t)p->outer;
		n += 4;
	}
	mk_emit(c, frame, n);
}

static void udp_ab(struct mk_ctx *c, const struct hpeer *p, int from_a, uint16_t sport, uint16_t dport,
		   const char *data)
{
	uint32_t s = from_a ? p->a : p->b, d = from_a ? p->b : p->a;
	struct pb_ipopt o = { .saddr = s, .daddr = d, .proto = IPPROTO_UDP_, .smac = from_a ? p->amac : p->bmac,
			      .dmac = from_a ? p->bmac : p->amac, .vlan = p->vlan };
	size_t n = pb_udp(l4, s, d, sport, dport, data, strlen(data), 0);
	emit_eth(c, p, pb_eth_ip(frame, &o, l4, n));
}

static void tcp_ab(struct mk_ctx *c, const struct hpeer *p, int from_a, uint16_t sport, uint16_t dport,
		   uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	uint32_t s = from_a ? p->a : p->b, d = from_a ? p->b : p->a;
	struct pb_ipopt o = { .saddr = s, .daddr = d, .proto = IPPROTO_TCP_, .smac = from_a ? p->amac : p->bmac,
			      .dmac = from_a ? p->bmac : p->amac, .vlan = p->vlan };
	int syn = flags & TCPHDR_SYN;
	size_t len = data ? strlen(data) : 0;
	size_t n = pb_tcp(l4, s, d, sport, dport, seq, ack, flags, 64240, syn ? syn_opts : NULL, syn ? 20 : 0,
			  data, len, 0);
	emit_eth(c, p, pb_eth_ip(frame, &o, l4, n));
}

static void echo_ab(struct mk_ctx *c, const struct hpeer *p, int from_a, int type, uint16_t seq)
{
	uint32_t s = from_a ? p->a : p->b, d = from_a ? p->b : p->a;
	struct pb_ipopt o = { .saddr = s, .daddr = d, .proto = 1, .smac = from_a ? p->amac : p->bmac,
			      .dmac = from_a ? p->bmac : p->amac, .vlan = p->vlan };
	size_t n = pb_icmp_echo(l4, type, 0x77, seq, 32);
	emit_eth(c, p, pb_eth_ip(frame, &o, l4, n));
}

/* A laptop (192.168.1.7) asks its gateway's resolver for a name, then
 * fetches a page from a server on the Internet through the gateway; its
 * printer on the same LAN says hello. */
static void host_laptop(struct mk_ctx *c)
{
	struct hpeer dns = { pb_ip("192.168.1.7"), pb_ip("192.168.1.1"), LAPTOP_MAC, GW_MAC, 0, 0 };
	struct hpeer web = { pb_ip("192.168.1.7"), pb_ip("93.184.216.34"), LAPTOP_MAC, GW_MAC, 0, 0 };
	struct hpeer lan = { pb_ip("192.168.1.7"), pb_ip("192.168.1.42"), LAPTOP_MAC, NEIGH_MAC, 0, 0 };
	udp_ab(c, &dns, 1, 41000, 53, "example.com? A");
	udp_ab(c, &dns, 0, 53, 41000, "example.com. A 93.184.216.34");
	tcp_ab(c, &web, 1, 50000, 80, 1000, 0, TCPHDR_SYN, NULL);
	tcp_ab(c, &web, 0, 80, 50000, 7000, 1001, TCPHDR_SYN | TCPHDR_ACK, NULL);
	tcp_ab(c, &web, 1, 50000, 80, 1001, 7001, TCPHDR_ACK, NULL);
	tcp_ab(c, &web, 1, 50000, 80, 1001, 7001, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	tcp_ab(c, &web, 0, 80, 50000, 7001, 1019, TCPHDR_ACK | TCPHDR_PSH, "HTTP/1.0 200 OK\r\n\r\nhi");
	udp_ab(c, &lan, 0, 5353, 41001, "printer here");
	udp_ab(c, &lan, 1, 41001, 5353, "hello printer");
	/* It joins the SSDP group (IGMPv2 report), then a neighbour's NOTIFY
	 * and a datagram to a group it never joined arrive. */
	static const uint8_t ssdp_mac[6] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };
	static const uint8_t other_mac[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	uint8_t igmp[8] = { 0x16, 0, 0, 0, 239, 255, 255, 250 };
	uint16_t ck = htons(csum_fold(csum_partial(igmp, 8, 0)));
	memcpy(igmp + 2, &ck, 2);
	struct pb_ipopt o = { .saddr = lan.a, .daddr = pb_ip("239.255.255.250"), .proto = 2, .ttl = 1,
			      .smac = LAPTOP_MAC, .dmac = ssdp_mac };
	mk_emit(c, frame, pb_eth_ip(frame, &o, igmp, 8));
	struct hpeer grp = { pb_ip("239.255.255.250"), pb_ip("192.168.1.42"), ssdp_mac, NEIGH_MAC, 0, 0 };
	udp_ab(c, &grp, 0, 1900, 1900, "NOTIFY * HTTP/1.1");
	struct hpeer not_joined = { pb_ip("239.1.2.3"), pb_ip("192.168.1.42"), other_mac, NEIGH_MAC, 0, 0 };
	udp_ab(c, &not_joined, 0, 5000, 5000, "stream");
}

/* A scanner (192.168.1.66) probes a server (192.168.1.7): 22 and 80 open
 * (SYN-ACK, then the scanner resets), 23 closed (RST). */
static void host_portscan(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("192.168.1.7"), pb_ip("192.168.1.66"), LAPTOP_MAC, NEIGH_MAC, 0, 0 };
	static const uint16_t ports[] = { 22, 23, 80 };
	for (int i = 0; i < 3; i++) {
		uint16_t port = ports[i];
		tcp_ab(c, &p, 0, 61000, port, 5000, 0, TCPHDR_SYN, NULL);
		if (port == 23) {
			tcp_ab(c, &p, 1, port, 61000, 0, 5001, TCPHDR_RST | TCPHDR_ACK, NULL);
			continue;
		}
		tcp_ab(c, &p, 1, port, 61000, 9000, 5001, TCPHDR_SYN | TCPHDR_ACK, NULL);
		tcp_ab(c, &p, 0, 61000, port, 5001, 0, TCPHDR_RST, NULL);
	}
}

/* The capture begins in the middle of a download the host (192.168.1.7)
 * started earlier from 198.51.100.9:443. */
static void host_midconn(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("192.168.1.7"), pb_ip("198.51.100.9"), LAPTOP_MAC, GW_MAC, 0, 0 };
	tcp_ab(c, &p, 0, 443, 51000, 300000, 20000, TCPHDR_ACK | TCPHDR_PSH, "data data data data");
	tcp_ab(c, &p, 1, 51000, 443, 20000, 300019, TCPHDR_ACK, NULL);
	tcp_ab(c, &p, 0, 443, 51000, 300019, 20000, TCPHDR_ACK | TCPHDR_PSH, "more data");
	tcp_ab(c, &p, 1, 51000, 443, 20000, 300028, TCPHDR_ACK, NULL);
}

/* tcpdump -i lo on Linux: all-zero MACs; a ping and a UDP exchange. */
static void host_loopback(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("127.0.0.1"), pb_ip("127.0.0.1"), ZERO_MAC, ZERO_MAC, 0, 0 };
	echo_ab(c, &p, 1, 8, 1);
	echo_ab(c, &p, 0, 0, 1);
	udp_ab(c, &p, 1, 42000, 5000, "ping");
	udp_ab(c, &p, 0, 5000, 42000, "pong");
}

/* macOS/BSD tunnel-style capture (DLT_NULL): a DNS client 10.8.0.2 asking
 * two resolvers. */
static void host_null(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("10.8.0.2"), pb_ip("10.8.0.1"), ZERO_MAC, ZERO_MAC, 0, 0 };
	struct hpeer q = { pb_ip("10.8.0.2"), pb_ip("10.8.0.53"), ZERO_MAC, ZERO_MAC, 0, 0 };
	udp_ab(c, &p, 1, 43000, 53, "example.org? A");
	udp_ab(c, &p, 0, 53, 43000, "example.org. A 203.0.113.5");
	udp_ab(c, &q, 1, 43001, 53, "example.net? A");
	udp_ab(c, &q, 0, 53, 43001, "example.net. A 203.0.113.6");
}

/* tcpdump -i any on a VPN client (SLL from tun0, ARPHRD_NONE): the host
 * 10.8.0.2 pings the VPN server 10.8.0.1, which pings it back, and asks a
 * closed UDP port of it (the replay answers: nothing waits for ARP). */
static void host_sll_tun(struct mk_ctx *c)
{
	/* MACs only to mark the host's frames OUTGOING: halen 0 writes none */
	static const uint8_t hmac[6] = { 2, 0, 0, 0, 8, 2 }, pmac[6] = { 2, 0, 0, 0, 8, 1 };
	struct hpeer p = { pb_ip("10.8.0.2"), pb_ip("10.8.0.1"), hmac, pmac, 0, 0 };
	c->sll_hatype = 0xFFFE;
	c->host_mac = hmac;
	echo_ab(c, &p, 1, 8, 1);
	echo_ab(c, &p, 0, 0, 1);
	echo_ab(c, &p, 0, 8, 2);
	udp_ab(c, &p, 0, 40000, 5353, "anyone?");
}

/* tcpdump -i ppp0 on a PPP (DSL) link: the host 100.64.1.2 asks its
 * provider's resolver, and answers a ping from afar (no ARP on PPP). */
static void host_ppp(struct mk_ctx *c)
{
	struct hpeer dns = { pb_ip("100.64.1.2"), pb_ip("100.64.0.53"), LAPTOP_MAC, GW_MAC, 0, 0 };
	struct hpeer far = { pb_ip("100.64.1.2"), pb_ip("198.51.100.7"), LAPTOP_MAC, GW_MAC, 0, 0 };
	udp_ab(c, &dns, 1, 45000, 53, "example.com? A");
	udp_ab(c, &dns, 0, 53, 45000, "example.com. A 93.184.216.34");
	echo_ab(c, &far, 0, 8, 1);
	echo_ab(c, &far, 0, 8, 2);
}

/* tcpdump -i any (SLL2): the host 10.9.0.5 asks 8.8.8.8, then pings it. */
static void host_sll2(struct mk_ctx *c)
{
	static const uint8_t hmac[6] = { 0x02, 0, 0, 0, 0x09, 0x05 };
	struct hpeer p = { pb_ip("10.9.0.5"), pb_ip("8.8.8.8"), hmac, GW_MAC, 0, 0 };
	c->host_mac = hmac;
	udp_ab(c, &p, 1, 44000, 53, "example.com? A");
	udp_ab(c, &p, 0, 53, 44000, "example.com. A 93.184.216.34");
	echo_ab(c, &p, 1, 8, 1);
	echo_ab(c, &p, 0, 0, 1);
}

/* A packet the host sends itself, as tcpdump -i any shows it: on lo,
 * leaving, then arriving. */
static void lo_udp(struct mk_ctx *c, const struct hpeer *p, int from_a, uint16_t sport, uint16_t dport,
		   const char *data)
{
	for (c->lo_dir = 1; c->lo_dir <= 2; c->lo_dir++)
		udp_ab(c, p, from_a, sport, dport, data);
	c->lo_dir = 0;
}

static void lo_echo(struct mk_ctx *c, const struct hpeer *p, int type, uint16_t seq)
{
	for (c->lo_dir = 1; c->lo_dir <= 2; c->lo_dir++)
		echo_ab(c, p, 1, type, seq);
	c->lo_dir = 0;
}

/* tcpdump -i any on a Linux laptop (SLL2): a name lookup goes to
 * systemd-resolved on 127.0.0.53 over lo, which asks the LAN's resolver
 * out of eth0 and answers over lo; a ping to the laptop's own address goes
 * over lo too; the gateway pings the laptop. */
static void host_any_lo(struct mk_ctx *c)
{
	static const uint8_t hmac[6] = { 0x02, 0, 0, 0, 0x0a, 0x07 };
	struct hpeer lo = { pb_ip("127.0.0.1"), pb_ip("127.0.0.53"), ZERO_MAC, ZERO_MAC, 0, 0 };
	struct hpeer dns = { pb_ip("192.168.1.7"), pb_ip("192.168.1.1"), hmac, GW_MAC, 0, 0 };
	struct hpeer self = { pb_ip("192.168.1.7"), pb_ip("192.168.1.7"), ZERO_MAC, ZERO_MAC, 0, 0 };
	c->host_mac = hmac;
	lo_udp(c, &lo, 1, 41000, 53, "example.com? A");
	udp_ab(c, &dns, 1, 50000, 53, "example.com? A");
	udp_ab(c, &dns, 0, 53, 50000, "example.com. A 93.184.216.34");
	lo_udp(c, &lo, 0, 53, 41000, "example.com. A 93.184.216.34");
	lo_echo(c, &self, 8, 1);
	lo_echo(c, &self, 0, 1);
	echo_ab(c, &dns, 0, 8, 1);
	echo_ab(c, &dns, 1, 0, 1);
}

/* tcpdump -i any on a laptop with a full-tunnel VPN: on tun0 (10.8.0.2)
 * it asks the VPN's resolver, answers the VPN gateway's ping and a far
 * peer's; on its Wi-Fi (192.168.1.7, Ethernet) the tunnel's UDP goes to
 * the VPN server's endpoint, and a printer on the LAN pings it. */
static void host_any_vpn(struct mk_ctx *c)
{
	static const uint8_t hmac[6] = { 0x02, 0, 0, 0, 0x0a, 0x17 };
	struct hpeer vgw = { pb_ip("10.8.0.2"), pb_ip("10.8.0.1"), hmac, GW_MAC, 0, 0 };
	struct hpeer far = { pb_ip("10.8.0.2"), pb_ip("198.51.100.9"), hmac, GW_MAC, 0, 0 };
	struct hpeer wg = { pb_ip("192.168.1.7"), pb_ip("203.0.113.80"), hmac, GW_MAC, 0, 0 };
	struct hpeer lan = { pb_ip("192.168.1.7"), pb_ip("192.168.1.42"), hmac, NEIGH_MAC, 0, 0 };
	c->host_mac = hmac;
	for (uint16_t i = 1; i <= 2; i++) {
		c->on_tun = 1;
		udp_ab(c, &vgw, 1, 45000 + i, 53, "example.com? A");
		c->on_tun = 0;
		udp_ab(c, &wg, 1, 51820, 51820, "tunnel: the query, sealed");
		udp_ab(c, &wg, 0, 51820, 51820, "tunnel: the answer, sealed");
		c->on_tun = 1;
		udp_ab(c, &vgw, 0, 53, 45000 + i, "example.com. A 93.184.216.34");
		echo_ab(c, &vgw, 0, 8, i);
		echo_ab(c, &vgw, 1, 0, i);
		echo_ab(c, &far, 0, 8, i);
		echo_ab(c, &far, 1, 0, i);
		c->on_tun = 0;
	}
	echo_ab(c, &lan, 0, 8, 1);
	echo_ab(c, &lan, 1, 0, 1);
}

/* A host on stacked VLANs (802.1ad outer 100, 802.1Q inner 200) answers
 * pings from its neighbour. */
static void host_qinq(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("172.16.5.10"), pb_ip("172.16.5.1"), LAPTOP_MAC, GW_MAC, 200, 100 };
	for (uint16_t i = 1; i <= 2; i++) {
		echo_ab(c, &p, 0, 8, i);
		echo_ab(c, &p, 1, 0, i);
	}
}

/* CHECKSUM_PARTIAL as a Linux sender on veth leaves it: the TCP checksum
 * field holds only the folded pseudo-header sum (th->check = ~csum_tcpudp_magic
 * over an empty payload), the rest is for the NIC, which a veth does not have. */
static void tcp_partial(struct mk_ctx *c, const struct hpeer *p, uint16_t sport, uint16_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	size_t n = pb_tcp(l4, p->b, p->a, sport, dport, seq, ack, flags, 64240, NULL, 0, data, len, 0);
	uint32_t sa = ntohl(p->b), da = ntohl(p->a);
	uint32_t ps = (sa >> 16) + (sa & 0xffff) + (da >> 16) + (da & 0xffff) + IPPROTO_TCP_ + (uint32_t)n;
	uint16_t partial = htons((uint16_t)(0xffffu ^ csum_fold(ps)));
	memcpy(l4 + 16, &partial, 2);
	struct pb_ipopt o = { .saddr = p->b, .daddr = p->a, .proto = IPPROTO_TCP_, .smac = p->bmac, .dmac = p->amac };
	emit_eth(c, p, pb_eth_ip(frame, &o, l4, n));
}

/* Captured on a host (10.1.0.2:8080) behind a veth: its peer's segments
 * carry partial checksums, and the host answers them all; then a GRE packet
 * and a VXLAN datagram it has no tunnel device for, and a ping whose
 * checksum field is 0. */
static void host_partial(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("10.1.0.2"), pb_ip("10.1.0.1"), LAPTOP_MAC, NEIGH_MAC, 0, 0 };
	tcp_partial(c, &p, 40000, 8080, 100, 0, TCPHDR_SYN, NULL);
	tcp_ab(c, &p, 1, 8080, 40000, 500, 101, TCPHDR_SYN | TCPHDR_ACK, NULL);
	tcp_partial(c, &p, 40000, 8080, 101, 501, TCPHDR_ACK, NULL);
	tcp_partial(c, &p, 40000, 8080, 101, 501, TCPHDR_ACK | TCPHDR_PSH, "hello");
	tcp_ab(c, &p, 1, 8080, 40000, 501, 106, TCPHDR_ACK, NULL);
	struct pb_ipopt g = { .saddr = p.b, .daddr = p.a, .proto = 47, .smac = p.bmac, .dmac = p.amac };
	static const uint8_t gre[8] = { 0, 0, 0x08, 0x00, 0x45, 0, 0, 20 };	/* GRE carrying IPv4 */
	mk_emit(c, frame, pb_eth_ip(frame, &g, gre, sizeof(gre)));
	udp_ab(c, &p, 0, 40001, 4789, "vxlan-ish");
	struct pb_ipopt o = { .saddr = p.b, .daddr = p.a, .proto = 1, .smac = p.bmac, .dmac = p.amac };
	size_t n = pb_icmp_echo(l4, 8, 0x55, 1, 16);
	l4[2] = l4[3] = 0;	/* the checksum left at 0 */
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	echo_ab(c, &p, 1, 0, 1);
}

/* Segmentation offload at both ends of the capture point: the host
 * (10.2.0.2) sends a 4,000-byte TSO frame with tot_len 0 (TCP segmentation
 * is left to its NIC) and receives a 2,920-byte GRO-merged frame. */
static void host_tso(struct mk_ctx *c)
{
	static char big[4001];
	struct hpeer p = { pb_ip("10.2.0.2"), pb_ip("10.2.0.1"), LAPTOP_MAC, NEIGH_MAC, 0, 0 };
	memset(big, 'x', sizeof(big) - 1);
	tcp_ab(c, &p, 0, 40000, 443, 1000, 0, TCPHDR_SYN, NULL);
	tcp_ab(c, &p, 1, 443, 40000, 5000, 1001, TCPHDR_SYN | TCPHDR_ACK, NULL);
	tcp_ab(c, &p, 0, 40000, 443, 1001, 5001, TCPHDR_ACK, NULL);
	struct pb_ipopt o = { .saddr = p.a, .daddr = p.b, .proto = IPPROTO_TCP_, .smac = p.amac, .dmac = p.bmac };
	size_t n = pb_tcp(l4, p.a, p.b, 443, 40000, 5001, 1001, TCPHDR_ACK, 64240, NULL, 0, big, 4000, 0);
	o.tot_len_delta = -(int)(n + 20);	/* tot_len 0 */
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
	big[2920] = 0;
	tcp_ab(c, &p, 0, 40000, 443, 1001, 9001, TCPHDR_ACK | TCPHDR_PSH, big);
	big[2920] = 'x';
}

/* A cooked capture with no link addresses: 300 pings arrive at once, and
 * the host's replies wait for ARP (no MAC to learn), until its queue is
 * full and the oldest are dropped while later requests are handled. */
static void host_arpwait(struct mk_ctx *c)
{
	struct hpeer p = { pb_ip("10.3.0.2"), pb_ip("10.3.0.1"), LAPTOP_MAC, NEIGH_MAC, 0, 0 };
	c->step_us = 0;
	for (uint16_t i = 1; i <= 300; i++)
		echo_ab(c, &p, 0, 8, i);
}

/* A mirror port on a LAN segment: two conversations, no host in most frames. */
static void host_segment(struct mk_ctx *c)
{
	static const uint8_t m1[6] = { 2, 0, 0, 0, 5, 1 }, m2[6] = { 2, 0, 0, 0, 5, 2 };
	static const uint8_t m3[6] = { 2, 0, 0, 0, 5, 3 }, m4[6] = { 2, 0, 0, 0, 5, 4 };
	struct hpeer ab = { pb_ip("172.20.0.1"), pb_ip("172.20.0.2"), m1, m2, 0, 0 };
	struct hpeer cd = { pb_ip("172.20.0.3"), pb_ip("172.20.0.4"), m3, m4, 0, 0 };
	for (uint16_t i = 1; i <= 3; i++) {
		echo_ab(c, &ab, 1, 8, i);
		echo_ab(c, &ab, 0, 0, i);
		udp_ab(c, &cd, 1, 5000, 6000, "x");
		udp_ab(c, &cd, 0, 6000, 5000, "y");
	}
}

/* A router (eth0 192.168.1.1 on the LAN, eth1 203.0.113.2 towards its
 * upstream 203.0.113.1), captured on both interfaces into one pcapng with
 * direction flags: ARP on each side, then a client's ping and DNS query to
 * the Internet forwarded out and their replies forwarded back. */
#define R0_MAC		((const uint8_t *)"\x02\x00\x00\x00\x10\x01")
#define R1_MAC		((const uint8_t *)"\x02\x00\x00\x00\x20\x01")
#define UP_MAC		((const uint8_t *)"\x02\x00\x00\x00\x20\xfe")
#define CL_MAC		((const uint8_t *)"\x02\x00\x00\x00\x10\x50")

static void ng_at(struct mk_ctx *c, int iface, int dir)
{
	c->iface = iface;
	c->dir = dir;
}

/* One packet forwarded: in on one interface, out on the other, TTL - 1. */
static void forwarded(struct mk_ctx *c, int in, struct pb_ipopt o, const uint8_t *l4b, size_t n,
		      const uint8_t *out_smac, const uint8_t *out_dmac)
{
	ng_at(c, in, 1);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4b, n));
	o.ttl = 63;
	o.smac = out_smac;
	o.dmac = out_dmac;
	ng_at(c, !in, 2);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4b, n));
}

static void host_router(struct mk_ctx *c)
{
	uint32_t r0 = pb_ip("192.168.1.1"), r1 = pb_ip("203.0.113.2"), up = pb_ip("203.0.113.1");
	uint32_t cl = pb_ip("192.168.1.50"), srv = pb_ip("198.51.100.80"), dns = pb_ip("198.51.100.53");
	ng_at(c, 0, 1);
	c->comment = "the client looks for its gateway";
	mk_emit(c, frame, pb_arp(frame, 1, PB_BCAST_MAC, CL_MAC, cl, (const uint8_t *)"\0\0\0\0\0\0", r0));
	ng_at(c, 0, 2);
	mk_emit(c, frame, pb_arp(frame, 2, CL_MAC, R0_MAC, r0, CL_MAC, cl));
	ng_at(c, 1, 2);
	mk_emit(c, frame, pb_arp(frame, 1, PB_BCAST_MAC, R1_MAC, r1, (const uint8_t *)"\0\0\0\0\0\0", up));
	ng_at(c, 1, 1);
	mk_emit(c, frame, pb_arp(frame, 2, R1_MAC, UP_MAC, up, R1_MAC, r1));
	struct pb_ipopt req = { .saddr = cl, .daddr = srv, .proto = 1, .smac = CL_MAC, .dmac = R0_MAC };
	size_t n = pb_icmp_echo(l4, 8, 0x99, 1, 32);
	forwarded(c, 0, req, l4, n, R1_MAC, UP_MAC);
	struct pb_ipopt rep = { .saddr = srv, .daddr = cl, .proto = 1, .smac = UP_MAC, .dmac = R1_MAC };
	n = pb_icmp_echo(l4, 0, 0x99, 1, 32);
	forwarded(c, 1, rep, l4, n, R0_MAC, CL_MAC);
	struct pb_ipopt q = { .saddr = cl, .daddr = dns, .proto = IPPROTO_UDP_, .smac = CL_MAC, .dmac = R0_MAC };
	n = pb_udp(l4, cl, dns, 45000, 53, "example.com? A", 14, 0);
	forwarded(c, 0, q, l4, n, R1_MAC, UP_MAC);
	struct pb_ipopt a = { .saddr = dns, .daddr = cl, .proto = IPPROTO_UDP_, .smac = UP_MAC, .dmac = R1_MAC };
	n = pb_udp(l4, dns, cl, 53, 45000, "example.com. A 93.184.216.34", 28, 0);
	forwarded(c, 1, a, l4, n, R0_MAC, CL_MAC);
}

int mk_pcapng_ifaces(const char *name)
{
	return !strcmp(name, "host-router") ? 2 : 0;
}

const struct mk_scenario mk_host_scenarios[] = {
	{ "host-partial", "a host behind a veth: its peer's TCP checksums are partial (pseudo-header only), accepted", host_partial, NULL },
	{ "host-tso", "TSO (tot_len 0) sent by the host, a GRO-merged frame received", host_tso, NULL },
	{ "host-arpwait", "cooked, no link addresses: 300 pings whose replies wait for ARP", host_arpwait, NULL },
	{ "host-segment", "a LAN segment (mirror port): two conversations, no dominant host", host_segment, NULL },
	{ "host-router", "a router captured on both interfaces (pcapng, direction flags): forwarded ping and DNS", host_router, NULL },
	{ "host-laptop", "a laptop's own capture: DNS and HTTP through its gateway, a LAN neighbour", host_laptop, NULL },
	{ "host-portscan", "a server scanned: ports 22 and 80 open, 23 closed", host_portscan, NULL },
	{ "host-midconn", "a capture that begins in the middle of the host's download", host_midconn, NULL },
	{ "host-loopback", "tcpdump -i lo on Linux (all-zero MACs): ping and UDP", host_loopback, NULL },
	{ "host-null", "DLT_NULL (BSD loopback header): a DNS client", host_null, NULL },
	{ "host-sll2", "Linux cooked v2: a DNS client and a ping", host_sll2, NULL },
	{ "host-ppp", "tcpdump -i ppp0 (PPP framing): a DNS client answering pings from afar", host_ppp, NULL },
	{ "host-sll-tun", "tcpdump -i any on a VPN client (cooked, from a tun): pings both ways, a closed port", host_sll_tun, NULL },
	{ "host-qinq", "a host behind QinQ answering pings", host_qinq, NULL },
	{ "host-any-vpn", "tcpdump -i any on a laptop with a full-tunnel VPN (SLL2): DNS and pings on tun0, the tunnel's UDP and a printer's ping on its Wi-Fi", host_any_vpn, NULL },
	{ "host-any-lo", "tcpdump -i any on a laptop (SLL2): DNS through systemd-resolved on lo, a ping to itself over lo, the gateway's ping on eth0", host_any_lo, NULL },
	{ NULL, NULL, NULL, NULL },
};

int mk_dlt(const char *name)
{
	if (!strcmp(name, "host-null"))
		return MK_DLT_NULL;
	if (!strcmp(name, "host-ppp"))
		return DLT_PPP;
	if (!strcmp(name, "host-sll2") || !strcmp(name, "host-any-lo") || !strcmp(name, "host-any-vpn"))
		return DLT_LINUX_SLL2;
	if (!strcmp(name, "host-arpwait") || !strcmp(name, "host-sll-tun"))
		return DLT_LINUX_SLL;
	if (!strcmp(name, "host-ipv6raw"))
		return DLT_RAW;		/* mkpcap_host6.c */
	return 0;
}

/* -- pcapng output, for captures with several interfaces and direction
 * flags (a router's). Host byte order, microsecond timestamps. */

static int put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -1;
}

static int put32(FILE *f, uint32_t v)
{
	return put(f, &v, 4);
}

int mk_ng_header(void *fp, int nifs)
{
	FILE *f = fp;
	static const uint8_t shb_tail[] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int r = put32(f, 0x0A0D0D0A) | put32(f, 28) | put32(f, 0x1A2B3C4D) | put(f, shb_tail, sizeof(shb_tail)) |
		put32(f, 28);
	for (int i = 0; i < nifs; i++) {
		/* IDB: Ethernet, snaplen 262144, if_name "ethN" (4 bytes), end */
		char name[4] = { 'e', 't', 'h', (char)('0' + i) };
		uint16_t lt[2] = { 1, 0 }, opt[2] = { 2, 4 }, end[2] = { 0, 0 };
		r |= put32(f, 1) | put32(f, 32) | put(f, lt, 4) | put32(f, 262144) | put(f, opt, 4) | put(f, name, 4) |
		     put(f, end, 4) | put32(f, 32);
	}
	return r ? -1 : 0;
}

void mk_ng_epb(struct mk_ctx *c, const uint8_t *frame, size_t len)
{
	static const uint8_t zero[4];
	FILE *f = c->ng;
	size_t pad = (4 - len % 4) % 4, clen = c->comment ? strlen(c->comment) : 0, cpad = (4 - clen % 4) % 4;
	size_t copt = clen ? 4 + clen + cpad : 0;	/* opt_comment */
	uint32_t blen = (uint32_t)(28 + len + pad + copt + 12 + 4);	/* header, data, options, length */
	uint16_t flags_opt[2] = { 2, 4 }, end[2] = { 0, 0 }, com[2] = { 1, (uint16_t)clen };
	put32(f, 6);
	put32(f, blen);
	put32(f, (uint32_t)c->iface);
	put32(f, (uint32_t)(c->t_us >> 32));
	put32(f, (uint32_t)c->t_us);
	put32(f, (uint32_t)len);
	put32(f, (uint32_t)len);
	put(f, frame, len);
	put(f, zero, pad);
	if (clen) {
		put(f, com, 4);
		put(f, c->comment, clen);
		put(f, zero, cpad);
		c->comment = NULL;
	}
	put(f, flags_opt, 4);
	put32(f, (uint32_t)c->dir);
	put(f, end, 4);
	put32(f, blen);
}
