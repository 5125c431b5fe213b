/*
 * diffkernel_linux.c - the kernel half of diff-kernel. From the peer end of
 * each veth, an AF_PACKET socket sends the capture's frames (those the host
 * did not send itself) in order, and a second look at the same socket
 * collects what the host's kernel sends back. After each frame we wait a
 * settle time, or the capture's own gap when longer (capped: --max-gap), so
 * the kernel's timers see about the time netjourney's clock sees. The
 * host's SNMP counters are read from /proc/net/snmp and /proc/net/netstat
 * inside its namespace before and after. Before the first frame an ARP
 * probe shows each link works both ways; with --auto-host each peer's MAC
 * is learned from its first frame, as netjourney's driver does.
 * A tun interface has no peer: each packet is written to the tun's fd (the
 * kernel's tun_get_user, as netjourney's), each read from it is one packet
 * the host sent; diffkernel.h's fixed header goes on and off on the way.
 *
 * TCP: the capture's peer acknowledges the ISN the recorded host (or
 * netjourney) chose; Linux picks its own. Once Linux's SYN-ACK is seen, the
 * ack field of that connection's later peer segments is moved by the
 * difference (checksum patched incrementally, so a bad one stays bad), and
 * so is the seq an ICMP error quotes from one of the host's segments.
 */
#include "diffkernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "ip.h"
#include "ipv6.h"
#include "stack.h"

#ifndef ETH_P_ALL
#define ETH_P_ALL 0x0003	/* linux/if_ether.h, whose struct ethhdr clashes with ip.h */
#endif

struct lx_ctx {
	struct dk_env *env;
	const struct net *net;
	int fd[NJ_MAX_DEVS];
	int vfd[NJ_MAX_DEVS];		/* send-only, PACKET_VNET_HDR: CHECKSUM_PARTIAL frames */
	int ifindex[NJ_MAX_DEVS];
	int ndev;
	struct dk_side *lx;
	const struct dk_side *nj;
	size_t nin;
	char learned[256][INET6_ADDRSTRLEN];	/* --auto-host: sources already learned */
	size_t nlearned;
	size_t tcp_frags;		/* TCP in IP fragments: acks left untranslated */
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A tun interface's fd is the environment's (diffkernel_ns.c). */
static int is_tun(const struct lx_ctx *c, int i)
{
	return !dev_has_header(&c->net->devs[i]);
}

static int open_peer(struct dk_env *env, struct lx_ctx *c, int i, char *err, size_t errlen)
{
	char name[16];
	int one = 1;
	if (is_tun(c, i)) {
		c->fd[i] = env->tunfd[i];
		return 0;
	}
	snprintf(name, sizeof(name), "p%d", i);
	if (dk_enter(env, env->peer[i], err, errlen) < 0)
		return -1;
	c->fd[i] = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	c->ifindex[i] = (int)if_nametoindex(name);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = c->ifindex[i] };
	int ok = c->fd[i] >= 0 && c->ifindex[i] > 0 && bind(c->fd[i], (struct sockaddr *)&sll, sizeof(sll)) == 0;
	/* Our own injected frames are not replies. */
	if (ok)
		setsockopt(c->fd[i], SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* Protocol 0: it receives nothing; a virtio_net_hdr before each frame
	 * lets it send CHECKSUM_PARTIAL skbs, as a local sender on veth does. */
	c->vfd[i] = ok ? socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0) : -1;
	if (c->vfd[i] >= 0 && setsockopt(c->vfd[i], SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
		close(c->vfd[i]);
		c->vfd[i] = -1;
	}
	dk_leave(env);
	if (!ok) {
		snprintf(err, errlen, "AF_PACKET socket on %s in %s: %s", name, env->peer[i], strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A veth end is up at once, but its qdisc stays noop (which drops, and
 * tells AF_PACKET nothing) until linkwatch sees the carrier, which it may
 * put off for up to a second. So before the first frame, each link is
 * proved both ways: an ARP probe (sender 0.0.0.0, RFC 5227) for the host's
 * address, which Linux answers without learning anything from it.
 */
static const uint8_t probe_mac[6] = { 0x02, 0x6e, 0x6a, 0x64, 0x6b, 0x00 };

static void arp_probe_frame(uint8_t *f, uint32_t tip)
{
	static const uint8_t hdr[] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, probe_mac, 6);
	memcpy(f + 12, hdr, sizeof(hdr));
	memcpy(f + 22, probe_mac, 6);		/* sha; spa 0.0.0.0, tha 0 */
	memcpy(f + 38, &tip, 4);
}

static int is_probe_reply(const uint8_t *f, ssize_t n, uint32_t tip)
{
	return n >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 && !memcmp(f + 28, &tip, 4) &&
	       !memcmp(f + 32, probe_mac, 6);
}

/* 0 when the host answered; -1 when it did not (loopback or no address:
 * Linux answers no ARP for those), and then the first frames may be lost. */
static int link_ready(struct lx_ctx *c, int i)
{
	const struct net_device *d = &c->net->devs[i];
	uint8_t f[60], buf[2048];
	uint32_t tip = d->naddrs ? d->addrs[0].ifa_local : 0;
	if (!tip || ipv4_is_loopback(tip) || ipv4_is_multicast(tip))
		return -1;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = c->ifindex[i], .sll_halen = 6 };
	memset(to.sll_addr, 0xff, 6);
	arp_probe_frame(f, tip);
	for (int tries = 0; tries < 150 && !dk_stop; tries++) {
		sendto(c->fd[i], f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to));
		struct pollfd pf = { .fd = c->fd[i], .events = POLLIN };
		uint64_t until = now_ms() + 20;
		while (now_ms() < until && poll(&pf, 1, 20) > 0) {
			ssize_t n;
			while ((n = recv(c->fd[i], buf, sizeof(buf), 0)) > 0)
				if (is_probe_reply(buf, n, tip))
					return 0;
		}
	}
	return -1;
}

/* A tun is there as soon as its fd is: tun_get_user takes a write at
 * once, with no qdisc or carrier between. It gets its note instead. */
static void links_ready(struct lx_ctx *c, char *notes, size_t noteslen)
{
	for (int i = 0; i < c->ndev; i++) {
		size_t l = strlen(notes);
		if (is_tun(c, i)) {
			if (l + 300 < noteslen)
				snprintf(notes + l, noteslen - l, "interface %s is a tun device (/dev/net/tun, IFF_TUN | "
					 "IFF_NO_PI): each packet written to its fd, replies read from it; shown behind a "
					 "fixed Ethernet header (%02x:%02x:%02x:%02x:%02x:%02x both ways), the same on "
					 "both sides\n", c->net->devs[i].name, dk_tun_mac[0], dk_tun_mac[1], dk_tun_mac[2],
					 dk_tun_mac[3], dk_tun_mac[4], dk_tun_mac[5]);
			continue;
		}
		if (link_ready(c, i) < 0 && l + 200 < noteslen)
			snprintf(notes + l, noteslen - l, "interface %s: no ARP probe answered before the first frame, so "
				 "its link may not have been up for the first frames\n", c->net->devs[i].name);
	}
}

/* -- counters -- */
static int read_proc(const char *path, struct dk_side *s, char *err, size_t errlen)
{
	char hdr[8192], val[8192], name[128];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		char *hs, *vs, *h = strtok_r(hdr, " \n", &hs), *v = strtok_r(val, " \n", &vs);
		if (!h || !v || strcmp(h, v))
			continue;	/* "Ip:" header and "Ip:" values */
		h[strlen(h) - 1] = 0;
		char *hn, *vn;
		while ((hn = strtok_r(NULL, " \n", &hs)) && (vn = strtok_r(NULL, " \n", &vs))) {
			snprintf(name, sizeof(name), "%s.%s", h, hn);
			int m = mib_lookup(name);
			if (m >= 0) {
				s->mib[m] = strtoll(vn, NULL, 10);
				s->known[m] = 1;
			}
		}
	}
	fclose(f);
	return 0;
}

/* /proc/net/snmp6: one "Ip6InReceives 5" per line; the group is the name's
 * prefix (Ip6, Icmp6, Udp6), our names put a dot after it. */
static int read_snmp6(const char *path, struct dk_side *s, char *err, size_t errlen)
{
	static const char *const groups[] = { "Icmp6", "Udp6", "Ip6" };
	char line[256], name[128], val[64];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char mib[160];
		if (sscanf(line, "%127s %63s", name, val) != 2)
			continue;
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			size_t l = strlen(groups[g]);
			if (strncmp(name, groups[g], l))
				continue;
			snprintf(mib, sizeof(mib), "%s.%s", groups[g], name + l);
			int m = mib_lookup(mib);
			if (m >= 0) {
				s->mib[m] = strtoll(val, NULL, 10);
				s->known[m] = 1;
			}
			break;
		}
	}
	fclose(f);
	return 0;
}

static int read_counters(struct dk_env *env, struct dk_side *s, char *err, size_t errlen)
{
	memset(s->mib, 0, sizeof(s->mib));
	memset(s->known, 0, sizeof(s->known));
	if (dk_enter(env, env->host, err, errlen) < 0)
		return -1;
	/* /proc/self/net is the namespace of the reading task. */
	int r = read_proc("/proc/self/net/snmp", s, err, errlen) < 0 ||
			read_proc("/proc/self/net/netstat", s, err, errlen) < 0 ||
			(env->ipv6 && read_snmp6("/proc/self/net/snmp6", s, err, errlen) < 0) ? -1 : 0;
	dk_leave(env);
	return r;
}

/* -- TCP ack translation -- */
static int csum_frozen;	/* the frame in hand is CHECKSUM_PARTIAL: its field is the pseudo sum only */

static void csum_replace4(uint16_t *check, uint32_t from, uint32_t to)
{
	if (csum_frozen)
		return;
	/* RFC 1624: HC' = ~(~HC + ~m + m'), 16 bits at a time. */
	uint32_t s = (uint16_t)~ntohs(*check);
	s += (uint16_t)~(from >> 16) + (uint16_t)~(from & 0xffff) + (to >> 16) + (to & 0xffff);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	*check = htons((uint16_t)~s);
}

/* The peer's SACK blocks name the host's sequence numbers: moved to Linux's
 * ISN as the ack is (a = capture side's ISN, l = Linux's). */
static void translate_sack(struct tcphdr *th, uint32_t avail, uint32_t cap, uint32_t lin)
{
	uint8_t *o = (uint8_t *)th + 20, *end = (uint8_t *)th + (th->doff_res >> 4) * 4;

	if (end > (uint8_t *)th + avail)
		return;
	while (o < end && *o) {
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			return;
		if (o[0] == 5 && o[1] >= 10 && !((o + 2 - (uint8_t *)th) & 1)) {
			for (uint8_t *b = o + 2; b + 4 <= o + o[1]; b += 4) {
				uint32_t a, v;
				memcpy(&a, b, 4);
				a = ntohl(a);
				v = htonl(a - cap + lin);
				memcpy(b, &v, 4);
				uint16_t check = th->check;
				csum_replace4(&check, a, ntohl(v));
				th->check = check;
			}
			return;
		}
		o += o[1];
	}
}

/* The peer echoes the capture's host TSval (TSecr): moved by the gap between
 * the two SYN-ACKs' TSvals, so Linux sees its own clock echoed (6.x checks
 * the handshake ACK's TSecr against the SYN-ACKs it sent: TSEcrRejected). */
static void translate_tsecr(struct lx_ctx *c, const uint8_t *sa, const uint8_t *da, int alen, struct tcphdr *th,
			    uint32_t avail)
{
	uint8_t *o = (uint8_t *)th + 20, *end = (uint8_t *)th + (th->doff_res >> 4) * 4;
	uint32_t cap, lin;

	if (end > (uint8_t *)th + avail ||
	    !dk_host_tsval(c->nj, c->nin, da, th->dest, sa, th->source, alen, &cap) ||
	    !dk_host_tsval(c->lx, c->nin, da, th->dest, sa, th->source, alen, &lin))
		return;
	while (o < end && *o) {
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			return;
		if (o[0] == 8 && o[1] == 10 && !((o + 6 - (uint8_t *)th) & 1)) {
			uint32_t a, b;
			memcpy(&a, o + 6, 4);
			a = ntohl(a);
			b = htonl(a - cap + lin);
			memcpy(o + 6, &b, 4);
			uint16_t check = th->check;
			csum_replace4(&check, a, ntohl(b));
			th->check = check;
			return;
		}
		o += o[1];
	}
}

/* The frame's TCP/UDP checksum holds only the pseudo-header sum (a
 * CHECKSUM_PARTIAL capture, skb_csum_is_partial's rule): returns the L4
 * header's offset and sets *csum_off (16 TCP, 6 UDP), else 0. */
static uint32_t partial_l4(const uint8_t *p, uint32_t len, uint16_t *csum_off)
{
	if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00)
		return 0;
	const struct iphdr *ip = (const struct iphdr *)(p + 14);
	uint32_t ihl = (uint32_t)ip_ihl(ip) * 4, tot = ntohs(ip->tot_len);
	if (ip_is_fragment(ip) || ihl < 20 || tot > len - 14 || tot < ihl + 8 ||
	    (ip->protocol != 6 && ip->protocol != 17) || (ip->protocol == 6 && tot < ihl + 20))
		return 0;
	uint16_t off = ip->protocol == 6 ? 16 : 6, check;
	memcpy(&check, p + 14 + ihl + off, 2);
	struct sk_buff skb;
	memset(&skb, 0, sizeof(skb));
	if (csum_tcpudp(ip->saddr, ip->daddr, ip->protocol, p + 14 + ihl, tot - ihl) == 0 ||
	    !skb_csum_is_partial(&skb, ip->saddr, ip->daddr, ip->protocol, tot - ihl, check))
		return 0;
	*csum_off = off;
	return 14 + ihl;
}

/* sendto on the vnet socket: virtio_net_hdr (NEEDS_CSUM, where the device
 * is to put the sum) and the frame. */
static ssize_t send_partial(struct lx_ctx *c, int dev, const uint8_t *p, uint32_t len, uint32_t l4, uint16_t off,
			    const struct sockaddr_ll *to)
{
	static uint8_t b[65536 + 10];
	if (len > 65536)
		return -1;
	memset(b, 0, 10);
	b[0] = 1;				/* VIRTIO_NET_HDR_F_NEEDS_CSUM */
	b[6] = (uint8_t)l4, b[7] = (uint8_t)(l4 >> 8);	/* csum_start, little endian */
	b[8] = (uint8_t)off, b[9] = (uint8_t)(off >> 8);	/* csum_offset */
	memcpy(b + 10, p, len);
	return sendto(c->vfd[dev], b, len + 10, 0, (const struct sockaddr *)to, sizeof(*to));
}

/* The peer's ack (and SACK blocks, TSecr) of a TCP segment over IPv4 or
 * IPv6, moved from the capture's host ISN to Linux's. */
static void translate_ack(struct lx_ctx *c, uint8_t *p, uint32_t len)
{
	if (len >= 14 + 20 && p[12] == 0x08 && p[13] == 0x00) {
		const struct iphdr *ip = (const struct iphdr *)(p + 14);
		if (ip->protocol == 6 && ip_is_fragment(ip))
			c->tcp_frags++;	/* the ack may sit in a later fragment than the header */
	}
	const uint8_t *sa, *da;
	int alen;
	uint32_t avail;
	struct tcphdr *th = (struct tcphdr *)dk_tcp_frame(p, len, &sa, &da, &alen, &avail);
	uint32_t cap, lin;
	if (!th || avail < 20 || !(th->flags & TCPHDR_ACK) || (th->flags & TCPHDR_SYN))
		return;
	if (!dk_host_isn(c->nj, c->nin, da, th->dest, sa, th->source, alen, &cap) ||
	    !dk_host_isn(c->lx, c->nin, da, th->dest, sa, th->source, alen, &lin))
		return;
	uint32_t a = ntohl(th->ack_seq), b = a - cap + lin;
	uint16_t check = th->check;
	th->ack_seq = htonl(b);
	csum_replace4(&check, a, b);
	th->check = check;
	translate_sack(th, avail, cap, lin);
	translate_tsecr(c, sa, da, alen, th, avail);
}

/* The quoted TCP segment at qo (its addresses sa > da, alen bytes each)
 * gets Linux's seq for the capture's; the ICMP(v6) checksum at o + 2 is
 * patched. */
static void quote_seq_move(struct lx_ctx *c, uint8_t *p, uint32_t o, uint32_t qo, const uint8_t *sa,
			   const uint8_t *da, int alen)
{
	uint16_t sport, dport, check;
	uint32_t cap, lin, a;
	memcpy(&sport, p + qo, 2);
	memcpy(&dport, p + qo + 2, 2);
	if (!dk_host_isn(c->nj, c->nin, sa, sport, da, dport, alen, &cap) ||
	    !dk_host_isn(c->lx, c->nin, sa, sport, da, dport, alen, &lin))
		return;
	memcpy(&a, p + qo + 4, 4);
	a = ntohl(a);
	uint32_t b = htonl(a - cap + lin);
	memcpy(p + qo + 4, &b, 4);
	memcpy(&check, p + o + 2, 2);
	csum_replace4(&check, a, ntohl(b));
	memcpy(p + o + 2, &check, 2);
}

/* An ICMP error (destination unreachable, time exceeded, parameter
 * problem) quoting a TCP segment the host sent: the quoted seq moved from
 * the capture's host ISN to Linux's, as the peer's acks are, so the
 * kernel's tcp_v4_err finds its own SYN-ACK or data there. The ICMP
 * checksum is patched; the quoted TCP checksum is no one's to check. */
static void translate_icmp_quote(struct lx_ctx *c, uint8_t *p, uint32_t len)
{
	if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00)
		return;
	const struct iphdr *ip = (const struct iphdr *)(p + 14);
	uint32_t ihl = (uint32_t)ip_ihl(ip) * 4, o = 14 + ihl;
	if (ip->protocol != IPPROTO_ICMP_ || ip_is_fragment(ip) || len < o + 8 + 20 ||
	    (p[o] != ICMP_DEST_UNREACH && p[o] != ICMP_TIME_EXCEEDED && p[o] != ICMP_PARAMETERPROB))
		return;
	const struct iphdr *q = (const struct iphdr *)(p + o + 8);
	uint32_t qo = o + 8 + (uint32_t)ip_ihl(q) * 4;
	if (q->protocol != IPPROTO_TCP_ || len < qo + 8)
		return;
	quote_seq_move(c, p, o, qo, (const uint8_t *)&q->saddr, (const uint8_t *)&q->daddr, 4);
}

/* The same for an ICMPv6 error (destination unreachable, packet too big,
 * time exceeded, parameter problem) quoting a TCP segment right after the
 * quoted IPv6 header. */
static void translate_icmp6_quote(struct lx_ctx *c, uint8_t *p, uint32_t len)
{
	const uint32_t o = 14 + 40, q = o + 8, qo = q + 40;	/* ICMPv6, quoted IPv6, quoted TCP */
	if (len < qo + 8 || p[12] != 0x86 || p[13] != 0xdd || p[20] != 58 || p[o] < 1 || p[o] > 4 ||
	    p[q + 6] != IPPROTO_TCP_)
		return;
	quote_seq_move(c, p, o, qo, p + q + 8, p + q + 24, 16);
}

/* -- injection and capture -- */
/* An MLD report (RFC 3810: hop-by-hop router alert, then ICMPv6 131, 132
 * or 143): the kernel's own, sent when it joins its solicited-node groups
 * as the link comes up, whenever that timer fires; not a reply. */
static int is_mld_report(const uint8_t *f, ssize_t n)
{
	if (n < 14 + 40 + 8 + 1 || f[12] != 0x86 || f[13] != 0xdd || f[20] != 0 || f[54] != 58)
		return 0;
	uint32_t off = 14 + 40 + ((uint32_t)f[55] + 1) * 8;
	return (ssize_t)off < n && (f[off] == 131 || f[off] == 132 || f[off] == 143);
}

/* The next frame the host sent on interface i into buf, or <= 0: from a
 * tun's fd a bare packet, given the fixed header; from a veth's peer
 * anything but our own injected frames (*mine). */
static ssize_t dev_recv(struct lx_ctx *c, int i, uint8_t *buf, size_t cap, int *mine)
{
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	*mine = 0;
	if (is_tun(c, i)) {
		ssize_t n = read(c->fd[i], buf + DK_TUN_HLEN, cap - DK_TUN_HLEN);
		if (n > 0)
			dk_tun_header(buf + DK_TUN_HLEN, (uint32_t)n, buf);
		return n > 0 ? n + DK_TUN_HLEN : n;
	}
	ssize_t n = recvfrom(c->fd[i], buf, cap, 0, (struct sockaddr *)&from, &fl);
	*mine = n > 0 && from.sll_pkttype == PACKET_OUTGOING;
	return n;
}

/* The kernel's own MLD reports follow link up and every group it joins
 * (forwarding adds the all-routers groups), retransmitted at random within
 * mldv2_unsolicited_report_interval: wait until 1.5 s pass without one
 * (at most 8 s), so none falls inside the counted run. */
static void mld_quiet(struct lx_ctx *c)
{
	uint8_t buf[2048];
	uint64_t start = now_ms(), last = start;
	struct pollfd pf[NJ_MAX_DEVS];
	while (!dk_stop && now_ms() - last < 1500 && now_ms() - start < 8000) {
		for (int i = 0; i < c->ndev; i++)
			pf[i] = (struct pollfd){ .fd = c->fd[i], .events = POLLIN };
		if (poll(pf, (nfds_t)c->ndev, 100) <= 0)
			continue;
		for (int i = 0; i < c->ndev; i++) {
			ssize_t n;
			int mine;
			while ((n = dev_recv(c, i, buf, sizeof(buf), &mine)) > 0)
				if (is_mld_report(buf, n))
					last = now_ms();
		}
	}
}

static void drain(struct lx_ctx *c, size_t owner, uint64_t deadline)
{
	uint8_t buf[65536];
	struct pollfd pf[NJ_MAX_DEVS];
	for (;;) {
		uint64_t t = now_ms();
		if (t >= deadline || dk_stop)
			return;
		for (int i = 0; i < c->ndev; i++)
			pf[i] = (struct pollfd){ .fd = c->fd[i], .events = POLLIN };
		if (poll(pf, (nfds_t)c->ndev, (int)(deadline - t)) <= 0)
			continue;
		for (int i = 0; i < c->ndev; i++) {
			ssize_t n;
			int mine;
			while ((n = dev_recv(c, i, buf, sizeof(buf), &mine)) > 0)
				if (!mine && !is_mld_report(buf, n))
					dk_list_add(&c->lx->out[owner], buf, (uint32_t)n, 0, i);
		}
	}
}

/* The Ethernet device whose MAC sent frame f, or -1 (a tun resolves no
 * neighbours: nothing to learn). */
static int sender_dev(const struct lx_ctx *c, const struct dk_frame *f)
{
	int d = -1;
	for (int i = 0; i < c->net->ndevs; i++)
		if (dev_has_header(&c->net->devs[i]) && !memcmp(c->net->devs[i].dev_addr, f->data + 6, 6))
			d = i;
	return d;
}

static void neigh_stale(struct lx_ctx *c, const char *ip, const uint8_t *mac, int d)
{
	char m[20], err[256];
	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	char *argv[] = { "ip", "-n", c->env->host, "neigh", "replace", (char *)ip, "lladdr", m, "dev",
			 (char *)c->net->devs[d].name, "nud", "stale", NULL };
	if (dk_run(argv, err, sizeof(err)) < 0)
		fprintf(stderr, "netjourney diff-kernel: %s\n", err);
}

/* The IPv6 half (source_pcap.c driver_recorded6): a TCP segment from one
 * of the host's IPv6 addresses, TCP right after the fixed header. */
static void recorded_learn6(struct lx_ctx *c, const struct dk_frame *f, const uint8_t *h, size_t avail)
{
	char ip[INET6_ADDRSTRLEN];
	struct in6 s, d;
	if (avail < 40 + 20 || (h[0] >> 4) != 6 || h[6] != NEXTHDR_TCP || (h[40 + 12] >> 4) < 5 ||
	    avail < 40 + (size_t)(h[40 + 12] >> 4) * 4)
		return;
	memcpy(s.s6, h + 8, 16);
	memcpy(d.s6, h + 24, 16);
	int dev = sender_dev(c, f);
	if (dev < 0 || ipv6_addr_is_multicast(&d) || !ipv6_chk_addr((struct net *)c->net, &s, NULL) ||
	    ndisc_lookup((struct net *)c->net, &c->net->devs[dev], &d))
		return;	/* a scenario neighbour: permanent on both sides */
	inet_ntop(AF_INET6, d.s6, ip, sizeof(ip));
	neigh_stale(c, ip, f->data, dev);
}

/*
 * A frame the recorded host sent shows its neighbour table: netjourney
 * learns "ip is at mac" from it (source_pcap.c recorded_learn, after any
 * VLAN tags), overriding what a peer's frame taught, so its own copies
 * leave without an ARP exchange the capture cannot answer. The kernel gets
 * the same entry, STALE (the scenario's permanent neighbours stay as they
 * are on both sides).
 */
static void recorded_learn(struct lx_ctx *c, const struct dk_frame *f)
{
	char ip[INET_ADDRSTRLEN];
	struct frame_l2 l2;
	if (frame_link(NJ_DLT_EN10MB, f->data, f->len, &l2) < 0 || (f->data[0] & 1))
		return;
	const uint8_t *h = f->data + l2.l3_off;
	if (l2.proto == ETH_P_IPV6) {
		recorded_learn6(c, f, h, f->len - l2.l3_off);
		return;
	}
	if (l2.proto != ETH_P_IP || f->len < l2.l3_off + 20)
		return;
	const struct iphdr *iph = (const struct iphdr *)h;
	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr) || iph->daddr == 0)
		return;
	int d = sender_dev(c, f);
	if (d < 0)
		return;
	inet_ntop(AF_INET, &iph->daddr, ip, sizeof(ip));
	if (neigh_lookup((struct net *)c->net, &c->net->devs[d], iph->daddr))
		return;	/* a scenario neighbour: permanent on both sides */
	neigh_stale(c, ip, f->data, d);
}

/*
 * --auto-host: netjourney learns each peer's MAC from the first frame it
 * sends (source_pcap.c driver_learn: IPv4 or IPv6 after any VLAN tags, a
 * unicast source, and only when there is no entry yet). The kernel gets
 * the same: `ip neigh add`, which fails on any existing entry.
 */
static void driver_learn(struct lx_ctx *c, const struct dk_frame *f)
{
	char ip[INET6_ADDRSTRLEN], mac[20];
	struct frame_l2 l2;
	if (f->dev < 0 || f->dev >= c->net->ndevs || is_tun(c, f->dev) ||
	    frame_link(NJ_DLT_EN10MB, f->data, f->len, &l2) < 0 || (f->data[6] & 1) || !memcmp(f->data + 6, dk_nolink_mac, 6))
		return;
	const uint8_t *h = f->data + l2.l3_off;
	size_t avail = f->len - l2.l3_off;
	if (l2.proto == ETH_P_IPV6 && avail >= 40) {
		struct in6 s6;
		memcpy(s6.s6, h + 8, 16);
		if (ipv6_addr_is_multicast(&s6) || ipv6_addr_any(&s6))
			return;
		inet_ntop(AF_INET6, s6.s6, ip, sizeof(ip));
	} else if (l2.proto == ETH_P_IP && avail >= 20 && (h[0] >> 4) == 4) {
		uint32_t saddr;
		memcpy(&saddr, h + 12, 4);
		if (ipv4_is_multicast(saddr) || ipv4_is_zeronet(saddr))
			return;
		inet_ntop(AF_INET, &saddr, ip, sizeof(ip));
	} else {
		return;
	}
	for (size_t k = 0; k < c->nlearned; k++)
		if (!strcmp(c->learned[k], ip))
			return;
	if (c->nlearned < sizeof(c->learned) / sizeof(c->learned[0]))
		memcpy(c->learned[c->nlearned++], ip, sizeof(ip));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", f->data[6], f->data[7], f->data[8], f->data[9],
		 f->data[10], f->data[11]);
	char *argv[] = { "ip", "-n", c->env->host, "neigh", "add", ip, "lladdr", mac, "dev",
			 (char *)c->net->devs[f->dev].name, "nud", "stale", NULL };
	dk_run_quiet(argv);
}

/* The kernel's timers run on real time, netjourney's on the timeline
 * (dk_play_times): a dense capture stretched by --settle can let a timer
 * (reassembly, ARP retries, delayed ACK) fire in the kernel only. Say so
 * when it may. */
static void note_stretch(const struct dk_list *in, uint64_t real_ms, char *notes, size_t noteslen)
{
	uint64_t play_ms = in->n ? (in->v[in->n - 1].play_ns - in->v[0].play_ns) / 1000000 : 0;
	size_t l = strlen(notes);
	if (real_ms > 2 * play_ms + 1000 && l + 200 < noteslen)
		snprintf(notes + l, noteslen - l, "the kernel side took %.1f s of real time for %.1f s of its "
			 "timeline (--settle after each frame): its timers may fire where netjourney's do not; a "
			 "smaller --settle narrows the gap\n", (double)real_ms / 1000,
			 (double)play_ms / 1000);
}

static ssize_t send_frame(struct lx_ctx *c, int dev, const uint8_t *buf, uint32_t len, uint32_t l4, uint16_t coff)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = c->ifindex[dev], .sll_halen = 6 };
	memcpy(to.sll_addr, buf, 6);
	return l4 ? send_partial(c, dev, buf, len, l4, coff, &to)
		  : sendto(c->fd[dev], buf, len, 0, (struct sockaddr *)&to, sizeof(to));
}

/* A tun takes the packet without the fixed header. tun_get_user refuses
 * one that is neither IPv4 nor IPv6 (EINVAL, rx_dropped), as netjourney's
 * does: only a refusal for another reason is noted. */
static void tun_write(struct lx_ctx *c, int dev, const uint8_t *buf, uint32_t len, size_t i, char *notes,
		      size_t noteslen)
{
	uint32_t n = len > DK_TUN_HLEN ? len - DK_TUN_HLEN : 0;
	uint8_t v = n ? buf[DK_TUN_HLEN] >> 4 : 0;
	size_t l = strlen(notes);
	if (write(c->fd[dev], buf + DK_TUN_HLEN, n) >= 0 || (errno == EINVAL && v != 4 && v != 6))
		return;
	if (l + 160 < noteslen)
		snprintf(notes + l, noteslen - l, "frame %zu (%u bytes): writing it to tun %s failed: %s\n", i + 1, n,
			 c->net->devs[dev].name, strerror(errno));
}

static int inject_all(struct lx_ctx *c, const struct dk_list *in, const struct dk_opts *o, char *notes,
		      size_t noteslen, char *err, size_t errlen)
{
	uint8_t buf[65536];
	size_t last = 0;	/* the latest injected input: replies belong to it */
	uint64_t t0 = now_ms(), prev = t0;
	for (size_t i = 0; i < in->n && !dk_stop; i++) {
		const struct dk_frame *f = &in->v[i];
		/* its gap on the timeline after the frame before, at least
		 * settle: what the host sends meanwhile answers the latest input */
		if (i) {
			uint64_t gap = (f->play_ns - in->v[i - 1].play_ns) / 1000000;
			drain(c, last, prev + (gap > (uint64_t)o->settle_ms ? gap : (uint64_t)o->settle_ms));
			prev = now_ms();
		}
		if (f->host_sent) {
			/* Not injected: the host sent it. What the learned neighbour
			 * releases (queued packets) answers the latest input. */
			recorded_learn(c, f);
			continue;
		}
		last = i;
		if (f->len > sizeof(buf))
			continue;
		if (o->auto_host)
			driver_learn(c, f);
		memcpy(buf, f->data, f->len);
		uint16_t coff = 0;
		uint32_t l4 = c->vfd[f->dev] >= 0 ? partial_l4(buf, f->len, &coff) : 0;
		csum_frozen = l4 != 0;
		translate_ack(c, buf, f->len);
		translate_icmp_quote(c, buf, f->len);
		translate_icmp6_quote(c, buf, f->len);
		csum_frozen = 0;
		if (is_tun(c, f->dev)) {
			tun_write(c, f->dev, buf, f->len, i, notes, noteslen);
		} else if (send_frame(c, f->dev, buf, f->len, l4, coff) < 0) {
			if (errno != ENOBUFS) {
				snprintf(err, errlen, "frame %zu: sendto on the peer of interface %d: %s", i + 1, f->dev,
					 strerror(errno));
				return -1;
			}
			/* veth_xmit dropped it: longer than the host end's MTU + 18,
			 * which a NIC's receive path refuses too. */
			size_t l = strlen(notes);
			if (l + 160 < noteslen)
				snprintf(notes + l, noteslen - l, "frame %zu (%u bytes) is longer than the host interface's "
					 "MTU allows: its veth dropped it before the IP stack, as a NIC would\n", i + 1,
					 f->len);
		}
	}
	drain(c, last, now_ms() + 2 * (uint64_t)o->settle_ms);	/* the last input's answer */
	if (o->after_ms && !dk_stop)
		drain(c, last, now_ms() + (uint64_t)o->after_ms);	/* the kernel's timers run on */
	if (dk_stop) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	note_stretch(in, now_ms() - t0, notes, noteslen);
	size_t l = strlen(notes);
	if (c->tcp_frags && l + 240 < noteslen)
		snprintf(notes + l, noteslen - l, "%zu TCP fragment(s) went in as captured: an ack split over IP "
			 "fragments is not moved to Linux's ISN, so Linux may see acks for data it never sent and "
			 "answer them (RST, retransmits)\n", c->tcp_frags);
	return 0;
}

int dk_linux_run(struct dk_env *env, const struct net *net, const struct dk_list *in,
		 const struct dk_side *nj, const struct dk_opts *o, struct dk_side *lx, char *notes,
		 size_t noteslen, char *err, size_t errlen)
{
	struct lx_ctx c = { .env = env, .net = net, .ndev = net->ndevs, .lx = lx, .nj = nj, .nin = in->n };
	struct dk_side before;
	int r = -1;

	for (int i = 0; i < NJ_MAX_DEVS; i++)
		c.fd[i] = c.vfd[i] = -1;
	lx->out = calloc(in->n ? in->n : 1, sizeof(*lx->out));
	if (!lx->out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < c.ndev; i++)
		if (open_peer(env, &c, i, err, errlen) < 0)
			goto out;
	links_ready(&c, notes, noteslen);
	if (env->ipv6)
		mld_quiet(&c);
	if (read_counters(env, &before, err, errlen) < 0)
		goto out;
	if (inject_all(&c, in, o, notes, noteslen, err, errlen) < 0)
		goto out;
	if (read_counters(env, lx, err, errlen) < 0)
		goto out;
	for (int m = 0; m < MIB_MAX; m++)
		lx->mib[m] -= before.mib[m];
	r = 0;
out:
	for (int i = 0; i < c.ndev; i++) {
		if (c.fd[i] >= 0 && !is_tun(&c, i))	/* the environment's */
			close(c.fd[i]);
		if (c.vfd[i] >= 0)
			close(c.vfd[i]);
	}
	return r;
}
