/*
 * ip_options.c - IPv4 header options, after net/ipv4/ip_options.c (Linux
 * 6.13): ip_options_compile checks a received header's options and, as
 * the kernel does on receive, writes this host's address into a record
 * route option and the time into a timestamp option, in place;
 * ip_rcv_options refuses a bad one (parameter problem, InHdrErrors) and
 * any source route (accept_source_route is off on a host); the echo and
 * build pair gives an ICMP reply or error the options the kernel echoes.
 * TCP's replies and a connection's segments echo the SYN's options; a
 * forwarded packet's record route takes the way out's address
 * (ip_forward_options). Left out: source route processing
 * (accept_source_route=1), CIPSO labels (taken as unknown options), the
 * MSS a connection loses to its options (icsk_ext_hdr_len).
 */
#include "fib.h"
#include "stack.h"

#include <string.h>

#define IPOPT_END	0
#define IPOPT_NOOP	1
#define IPOPT_RR	7
#define IPOPT_TIMESTAMP	68
#define IPOPT_LSRR	131
#define IPOPT_SSRR	137
#define IPOPT_RA	148
#define IPOPT_TS_TSONLY		0
#define IPOPT_TS_TSANDADDR	1
#define IPOPT_TS_PRESPEC	3

uint32_t inet_current_timestamp(const struct net *net)
{
	return htonl((uint32_t)((net->now_ns / 1000000ULL) % (86400ULL * 1000ULL)));
}

/* spec_dst_fill: the address this host answers from (the packet's own
 * destination if it is ours, else the arrival device's). */
static uint32_t spec_dst(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	if (IPCB(skb)->dst.type == RTN_LOCAL)
		return iph->daddr;
	return skb->dev ? inet_select_addr(skb->dev, iph->saddr) : 0;
}

/* A record route option at o (optlen bytes): our address in its next
 * slot, if it has one. Returns 0, or the offset in o of a bad byte + 1. */
static int ip_opt_rr(uint8_t *o, int optlen, uint8_t *flags, const struct sk_buff *skb)
{
	if (*flags & IPOPT_F_RR)
		return 1;
	if (optlen < 3)
		return 2;
	if (o[2] < 4)
		return 3;
	if (o[2] <= optlen) {
		if (o[2] + 3 > optlen)
			return 3;
		uint32_t a = spec_dst(skb);
		memcpy(&o[o[2] - 1], &a, 4);
		o[2] += 4;
		*flags |= IPOPT_F_RR_NEEDADDR;
	}
	*flags |= IPOPT_F_RR;
	return 0;
}

/* A timestamp option: the time (and our address) in its next slot, or its
 * overflow count raised when it is full. 0, or a bad byte's offset + 1. */
static int ip_opt_ts(struct net *net, uint8_t *o, int optlen, uint8_t *flags, const struct sk_buff *skb)
{
	uint8_t *timeptr = NULL;
	if (*flags & IPOPT_F_TS)
		return 1;
	if (optlen < 4)
		return 2;
	if (o[2] < 5)
		return 3;
	if (o[2] > optlen) {
		unsigned overflow = o[3] >> 4;
		if ((o[3] & 0xf) != IPOPT_TS_PRESPEC) {
			if (overflow == 15)
				return 4;
			o[3] = (uint8_t)((o[3] & 0xf) | (overflow + 1) << 4);
		}
		*flags |= IPOPT_F_TS;
		return 0;
	}
	if (o[2] + 3 > optlen)
		return 3;
	switch (o[3] & 0xf) {
	case IPOPT_TS_TSONLY:
		timeptr = &o[o[2] - 1];
		*flags |= IPOPT_F_TS_NEEDTIME;
		o[2] += 4;
		break;
	case IPOPT_TS_TSANDADDR:
		if (o[2] + 7 > optlen)
			return 3;
		uint32_t a = spec_dst(skb);
		memcpy(&o[o[2] - 1], &a, 4);
		timeptr = &o[o[2] + 3];
		*flags |= IPOPT_F_TS_NEEDADDR | IPOPT_F_TS_NEEDTIME;
		o[2] += 8;
		break;
	case IPOPT_TS_PRESPEC: {
		if (o[2] + 7 > optlen)
			return 3;
		uint32_t a;
		memcpy(&a, &o[o[2] - 1], 4);
		if (inet_addr_type(net, a) == RTN_UNICAST)
			break;		/* not named for us: left for its owner */
		timeptr = &o[o[2] + 3];
		*flags |= IPOPT_F_TS_NEEDTIME;
		o[2] += 8;
		break;
	}
	default:
		break;		/* unknown flags: taken as they are (the sender had CAP_NET_RAW) */
	}
	if (timeptr) {
		uint32_t t = inet_current_timestamp(net);
		memcpy(timeptr, &t, 4);
	}
	*flags |= IPOPT_F_TS;
	return 0;
}

/* One option of kind o[0], optlen bytes; 0 or a bad byte's offset + 1. */
static int ip_opt_one(struct net *net, uint8_t *o, int optlen, uint8_t *flags, const struct sk_buff *skb)
{
	switch (o[0]) {
	case IPOPT_SSRR:
	case IPOPT_LSRR:
		if (optlen < 3)
			return 2;
		if (o[2] < 4)
			return 3;
		if (*flags & IPOPT_F_SRR)
			return 1;
		*flags |= IPOPT_F_SRR;
		return 0;
	case IPOPT_RR:
		return ip_opt_rr(o, optlen, flags, skb);
	case IPOPT_TIMESTAMP:
		return ip_opt_ts(net, o, optlen, flags, skb);
	case IPOPT_RA:
		if (optlen < 4)
			return 2;
		if (o[2] == 0 && o[3] == 0)
			*flags |= IPOPT_F_RA;
		return 0;
	default:		/* security, stream id, CIPSO, unknown: kept */
		return 0;
	}
}

int ip_options_compile(struct net *net, struct sk_buff *skb, int *pp)
{
	struct iphdr *iph = ip_hdr(skb);
	uint8_t *o = (uint8_t *)(iph + 1), flags = 0;
	int l = ip_ihl(iph) * 4 - (int)sizeof(*iph);

	while (l > 0) {
		if (o[0] == IPOPT_END) {
			memset(o, IPOPT_END, (size_t)l);	/* the rest is padding */
			break;
		}
		if (o[0] == IPOPT_NOOP) {
			l--;
			o++;
			continue;
		}
		int bad = l < 2 || o[1] < 2 || o[1] > l ? 1 : ip_opt_one(net, o, o[1], &flags, skb);
		if (bad) {
			*pp = (int)(o - (uint8_t *)iph) + bad - 1;
			return -1;
		}
		l -= o[1];
		o += o[1];
	}
	IPCB(skb)->opt_flags = flags | IPOPT_F_COMPILED;
	return 0;
}

enum skb_drop_reason ip_rcv_options(struct net *net, struct sk_buff *skb)
{
	int pp = 0;

	trace_enter(net, skb, "ip_rcv_options", "ip", "%d bytes of IP options", (ip_ihl(ip_hdr(skb)) - 5) * 4);
	if (ip_options_compile(net, skb, &pp) < 0) {
		SNMP_INC(net, MIB_IP_INHDRERRORS);
		trace_step(net, skb, "ip_options_compile", "bad option at byte %d of the header: parameter problem", pp);
		icmp_send(net, skb, ICMP_PARAMETERPROB, 0, htonl((uint32_t)pp << 24));
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_NOT_SPECIFIED, "%s", "");
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	uint8_t f = IPCB(skb)->opt_flags;
	if (f & IPOPT_F_SRR) {
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_NOT_SPECIFIED, "a source route option: refused "
			   "(net.ipv4.conf.all.accept_source_route=0)");
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
	trace_exit(net, skb, V_PASS, 0, "options ok%s%s%s", f & IPOPT_F_RR_NEEDADDR ? "; our address recorded (RR)" : "",
		   f & IPOPT_F_TS_NEEDTIME ? "; the time recorded (timestamp)" : "",
		   f & IPOPT_F_RA ? "; router alert" : "");
	return SKB_DROP_REASON_NOT_DROPPED_YET;
}

/* The option of kind k in iph, or NULL. Only for compiled headers. */
static const uint8_t *ip_opt_find(const struct iphdr *iph, uint8_t k)
{
	const uint8_t *o = (const uint8_t *)(iph + 1);
	int l = ip_ihl(iph) * 4 - (int)sizeof(*iph);
	while (l > 1 && o[0] != IPOPT_END) {
		int n = o[0] == IPOPT_NOOP ? 1 : o[1];
		if (o[0] == k)
			return o;
		l -= n;
		o += n;
	}
	return NULL;
}

/* The echo of a compiled header's options into out; -1 when one cannot. */
static int ip_options_echo_into(const struct sk_buff *skb, uint8_t *out, uint8_t *oflags)
{
	const struct iphdr *iph = ip_hdr(skb);
	uint8_t f = IPCB(skb)->opt_flags;
	int n = 0;

	*oflags = 0;
	if (ip_ihl(iph) <= 5 || !(f & IPOPT_F_COMPILED))
		return 0;
	const uint8_t *rr = f & IPOPT_F_RR ? ip_opt_find(iph, IPOPT_RR) : NULL;
	if (rr) {
		memcpy(out, rr, rr[1]);
		if ((f & IPOPT_F_RR_NEEDADDR) && rr[2] <= rr[1]) {
			if (rr[2] + 3 > rr[1])
				return -1;
			out[2] = (uint8_t)(rr[2] + 4);
			*oflags |= IPOPT_F_RR_NEEDADDR;
		}
		n += rr[1];
	}
	const uint8_t *ts = f & IPOPT_F_TS ? ip_opt_find(iph, IPOPT_TIMESTAMP) : NULL;
	if (ts) {
		uint8_t *d = out + n;
		int off = ts[2];
		memcpy(d, ts, ts[1]);
		if (off <= ts[1]) {
			if (f & IPOPT_F_TS_NEEDADDR) {
				if (off + 3 > ts[1])
					return -1;
				*oflags |= IPOPT_F_TS_NEEDADDR;
				off += 4;
			}
			if (f & IPOPT_F_TS_NEEDTIME) {
				if (off + 3 > ts[1])
					return -1;
				*oflags |= IPOPT_F_TS_NEEDTIME;	/* prespecified: not modelled past the first */
				off += 4;
			}
			d[2] = (uint8_t)off;
		}
		n += ts[1];
	}
	while (n & 3)
		out[n++] = IPOPT_END;
	if (n)
		*oflags |= IPOPT_F_COMPILED | (rr ? IPOPT_F_RR : 0) | (ts ? IPOPT_F_TS : 0);
	return n;
}

int ip_options_echo(const struct sk_buff *skb, struct ip_txopts *o)
{
	o->len = ip_options_echo_into(skb, o->data, &o->flags);
	if (o->len >= 0)
		return o->len;
	o->len = 0;
	return -1;
}

static void ip_options_fill(const struct net *net, struct iphdr *iph, uint8_t oflags)
{
	uint8_t *rr = (oflags & IPOPT_F_RR) ? (uint8_t *)ip_opt_find(iph, IPOPT_RR) : NULL;
	uint8_t *ts = (oflags & IPOPT_F_TS) ? (uint8_t *)ip_opt_find(iph, IPOPT_TIMESTAMP) : NULL;
	if (rr && (oflags & IPOPT_F_RR_NEEDADDR))
		memcpy(&rr[rr[2] - 5], &iph->saddr, 4);
	if (ts && (oflags & (IPOPT_F_TS_NEEDADDR | IPOPT_F_TS_NEEDTIME))) {
		uint32_t t = inet_current_timestamp(net);
		if (oflags & IPOPT_F_TS_NEEDADDR)
			memcpy(&ts[ts[2] - 9], &iph->saddr, 4);
		if (oflags & IPOPT_F_TS_NEEDTIME)
			memcpy(&ts[ts[2] - 5], &t, 4);
	}
}

void ip_options_build(const struct net *net, struct iphdr *iph, const struct ip_txopts *o)
{
	if (!o || !o->len)
		return;
	memcpy(iph + 1, o->data, (size_t)o->len);
	ip_options_fill(net, iph, o->flags);
}

void ip_forward_options(struct net *net, struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	uint8_t f = IPCB(skb)->opt_flags;
	struct net_device *out = dev_get_by_index(net, IPCB(skb)->dst.oif);
	uint32_t src = out ? inet_select_addr(out, iph->daddr) : 0;
	uint8_t *rr = (f & IPOPT_F_RR_NEEDADDR) ? (uint8_t *)ip_opt_find(iph, IPOPT_RR) : NULL;
	if (rr)		/* the slot compile filled: the way out's address (a timestamp keeps the way in's) */
		memcpy(&rr[rr[2] - 5], &src, 4);
	iph->check = 0;				/* ip_send_check: compile changed it too */
	iph->check = htons(ip_fast_csum(iph, ip_ihl(iph)));
}

void ip_options_fragment(struct iphdr *iph)
{
	uint8_t *o = (uint8_t *)(iph + 1);
	int l = ip_ihl(iph) * 4 - (int)sizeof(*iph);
	while (l > 0 && o[0] != IPOPT_END) {
		int n = o[0] == IPOPT_NOOP ? 1 : o[1];
		if (n < 1 || n > l)
			return;
		if (!(o[0] & 0x80))	/* the copied bit: only those go in every fragment */
			memset(o, IPOPT_NOOP, (size_t)n);
		l -= n;
		o += n;
	}
}
