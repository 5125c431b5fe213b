/*
 * syncookies.c - SYN cookies, after net/ipv4/syncookies.c and
 * net/ipv6/syncookies.c (Linux 6.13): when a listener's SYN queue is full
 * (or net.ipv4.tcp_syncookies is 2), tcp_conn_request answers with a
 * SYN-ACK whose ISN encodes the peer's MSS and keeps no request sock; the
 * handshake's ACK, finding no request, is checked against the cookie and
 * becomes the child (tcp_v4_do_rcv → cookie_v4_check).
 * Differences: an FNV-1a hash with fixed secrets stands in for siphash
 * with boot-time ones (as tcp_isn does), so a capture replays the same
 * cookies every time. A cookie SYN-ACK of a socket in step with a capture
 * carries the recorded host's ISN (read ahead); its ACK is accepted
 * against that ISN, which netjourney cannot recompute. One the capture
 * shows later than the read-ahead's second is not sent, and its ACK is
 * refused like a forged one (the cookie it carries is unknown). Left out: BPF
 * cookies (cookie_bpf_check), MPTCP, reuseport groups.
 */
#include "tcp.h"

#include "ipv6.h"

#define COOKIEBITS		24		/* the top 8 bits count minutes */
#define COOKIEMASK		((1u << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE	2		/* minutes a cookie stays valid */
#define TCP_SYNCOOKIE_PERIOD_NS	(60ULL * 1000000000ULL)
#define TS_OPT_WSCALE_MASK	0xfu		/* no window scaling */
#define TS_OPT_SACK		(1u << 4)
#define TS_OPT_ECN		(1u << 5)
#define TSBITS			6
#define NSEC_PER_SEC_		1000000000ULL

/* The cookie MSS tables: a few values cover most peers (IPv6's are its
 * MTUs less 60). The index is what the cookie carries. */
static const uint16_t msstab4[] = { 536, 1300, 1440, 1460 };
static const uint16_t msstab6[] = { 1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60 };

/* The connection as the SYN carried it: the peer's address first. */
struct cookie_key {
	uint32_t w[9];
	int n;
};

static struct cookie_key cookie_key(const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct cookie_key k = { .n = 0 };
	if (skb->protocol == ETH_P_IPV6) {
		const struct ipv6hdr *h = ipv6_hdr(skb);
		memcpy(k.w, &h->saddr, 16);
		memcpy(k.w + 4, &h->daddr, 16);
		k.n = 8;
	} else {
		k.w[0] = ip_hdr(skb)->saddr;
		k.w[1] = ip_hdr(skb)->daddr;
		k.n = 2;
	}
	k.w[k.n++] = (uint32_t)th->source << 16 | th->dest;
	return k;
}

/* cookie_hash: the key, a minute count and one of two secrets. */
static uint32_t cookie_hash(const struct cookie_key *k, uint32_t count, int c)
{
	uint32_t h = c ? 0x5bd1e995u : 2166136261u;
	for (int i = 0; i <= k->n; i++) {
		uint32_t v = i < k->n ? k->w[i] : count;
		for (int b = 0; b < 4; b++) {
			h ^= (uint8_t)(v >> (8 * b));
			h *= 16777619u;
		}
	}
	return h ^ (h >> 13);
}

static uint32_t tcp_cookie_time(uint64_t now_ns) { return (uint32_t)(now_ns / TCP_SYNCOOKIE_PERIOD_NS); }

static uint32_t secure_tcp_syn_cookie(const struct cookie_key *k, uint32_t sseq, uint32_t data, uint64_t now_ns)
{
	uint32_t count = tcp_cookie_time(now_ns);
	return cookie_hash(k, 0, 0) + sseq + (count << COOKIEBITS) + ((cookie_hash(k, count, 1) + data) & COOKIEMASK);
}

/* The MSS index the cookie carries, or -1 when it is forged or older
 * than MAX_SYNCOOKIE_AGE minutes. */
static int check_tcp_syn_cookie(const struct cookie_key *k, uint32_t cookie, uint32_t sseq, uint64_t now_ns)
{
	uint32_t count = tcp_cookie_time(now_ns), diff;
	cookie -= cookie_hash(k, 0, 0) + sseq;
	diff = (count - (cookie >> COOKIEBITS)) & (0xffffffffu >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return -1;
	uint32_t data = (cookie - cookie_hash(k, count - diff, 1)) & COOKIEMASK;
	return data < 4 ? (int)data : -1;
}

static const uint16_t *cookie_msstab(const struct sk_buff *skb)
{
	return skb->protocol == ETH_P_IPV6 ? msstab6 : msstab4;
}

/* The cookie for key k: the largest table MSS not above *mssp is the
 * one encoded (and returned in *mssp). */
static uint32_t cookie_seq(const struct cookie_key *k, const uint16_t *tab, uint32_t seq, uint16_t *mssp,
			  uint64_t now_ns)
{
	int i;
	for (i = 3; i > 0; i--)
		if (*mssp >= tab[i])
			break;
	*mssp = tab[i];
	return secure_tcp_syn_cookie(k, seq, (uint32_t)i, now_ns);
}

uint32_t __cookie_v4_init_sequence(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
				   uint16_t *mssp, uint64_t now_ns)
{
	const struct cookie_key k = { { saddr, daddr, (uint32_t)sport << 16 | dport }, 3 };
	return cookie_seq(&k, msstab4, seq, mssp, now_ns);
}

uint32_t __cookie_v6_init_sequence(const struct in6 *saddr, const struct in6 *daddr, uint16_t sport, uint16_t dport,
				   uint32_t seq, uint16_t *mssp, uint64_t now_ns)
{
	struct cookie_key k = { .n = 9 };
	memcpy(k.w, saddr, 16);
	memcpy(k.w + 4, daddr, 16);
	k.w[8] = (uint32_t)sport << 16 | dport;
	return cookie_seq(&k, msstab6, seq, mssp, now_ns);
}

/* tcp_synq_overflow: the listener sent a cookie now (kept to the second,
 * as Linux keeps it to HZ). */
static void tcp_synq_overflow(struct net *net, struct sock *lsk)
{
	if (!lsk->synq_overflowed || net->now_ns < lsk->synq_overflow_ns ||
	    net->now_ns - lsk->synq_overflow_ns > NSEC_PER_SEC_) {
		lsk->synq_overflow_ns = net->now_ns;
		lsk->synq_overflowed = 1;
	}
}

/* tcp_synq_no_recent_overflow: no cookie went out in the last two minutes
 * (a second's slack before the last one), so an ACK is not checked as one. */
static int tcp_synq_no_recent_overflow(const struct net *net, const struct sock *lsk)
{
	uint64_t last = lsk->synq_overflow_ns;
	return !lsk->synq_overflowed || net->now_ns + NSEC_PER_SEC_ < last ||
	       net->now_ns > last + MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_NS;
}

uint32_t cookie_init_sequence(struct net *net, struct sock *lsk, const struct sk_buff *skb, uint16_t *mssp)
{
	tcp_synq_overflow(net, lsk);
	SNMP_INC(net, MIB_TCPEXT_SYNCOOKIESSENT);
	const struct cookie_key k = cookie_key(skb);
	return cookie_seq(&k, cookie_msstab(skb), TCP_SKB_CB(skb)->seq, mssp, net->now_ns);
}

uint32_t cookie_init_timestamp(const struct sock *req, uint64_t now_ns)
{
	uint32_t ts_now = (uint32_t)(now_ns / 1000000ULL), ts;
	uint32_t options = req->wscale_ok ? req->snd_wscale : TS_OPT_WSCALE_MASK;
	if (req->sack_ok)
		options |= TS_OPT_SACK;
	if (req->ecn_flags & TCP_ECN_OK)
		options |= TS_OPT_ECN;
	ts = (ts_now >> TSBITS) << TSBITS | options;
	if (ts > ts_now)
		ts -= 1u << TSBITS;
	return ts;
}

/* cookie_timestamp_decode: the options the SYN had, from the low bits of
 * the echoed timestamp; 0 when they name one the sysctls now refuse. */
static int cookie_timestamp_decode(const struct net *net, struct tcp_options_received *opt)
{
	uint32_t options = opt->rcv_tsecr;
	opt->sack_ok = opt->wscale_ok = 0;
	opt->snd_wscale = 0;
	if (!opt->saw_tstamp)
		return 1;		/* no timestamps: no options either (tcp_clear_options) */
	if (!net->sysctl.tcp_timestamps)
		return 0;
	opt->sack_ok = !!(options & TS_OPT_SACK);
	if (opt->sack_ok && !net->sysctl.tcp_sack)
		return 0;
	if ((options & TS_OPT_WSCALE_MASK) == TS_OPT_WSCALE_MASK)
		return 1;
	opt->wscale_ok = 1;
	opt->snd_wscale = (uint8_t)(options & TS_OPT_WSCALE_MASK);
	return net->sysctl.tcp_window_scaling != 0;
}

/* A recorded cookie: the ISN the capture's host chose for this 4-tuple,
 * pinned when its SYN-ACK went out (tcp_cookie_pin). Used up. */
static int cookie_recorded(struct net *net, const struct sk_buff *skb, uint32_t isn)
{
	int i = tcp_pin_find_skb(net, skb, PIN_KIND_COOKIE);
	struct sock_table *t = net->socks;
	if (i < 0 || t->pins[i].isn != isn)
		return 0;
	int mss = t->pins[i].mss;
	t->pins[i] = t->pins[--t->npins];
	return mss;
}

/* The child's request sock, built from the ACK (cookie_tcp_reqsk_alloc
 * and cookie_v4_check's fill): not hashed, not in the SYN queue. */
static struct sock *cookie_reqsk_alloc(struct net *net, struct sock *lsk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct sock *req = sock_alloc(net, IPPROTO_TCP_);
	if (!req)
		return NULL;
	inet_reqsk_init(req, lsk, skb);
	req->irs = cb->seq - 1;
	req->rcv_nxt = req->rcv_wup = cb->seq;
	req->snd_wl1 = req->irs;
	req->iss = req->snd_una = cb->ack_seq - 1;
	req->snd_nxt = cb->ack_seq;
	req->snd_wnd = req->max_window = cb->window;
	req->app = lsk->app;
	req->recorded = lsk->app == APP_RECORDED;
	req->state = TCP_LISTEN;
	return req;
}

/* The options and MSS the cookie gave, as tcp_openreq_init would have
 * set them from the SYN. */
static void cookie_reqsk_options(struct net *net, struct sock *req, const struct tcp_options_received *opt,
				 uint16_t mss, const struct sk_buff *skb)
{
	req->tstamp_ok = opt->saw_tstamp;
	req->ts_recent = opt->saw_tstamp ? opt->rcv_tsval : 0;
	req->ts_recent_stamp_ns = net->now_ns;
	req->sack_ok = opt->sack_ok;
	req->wscale_ok = opt->wscale_ok;
	req->snd_wscale = opt->snd_wscale;
	req->ts_offset = tcp_ts_offset(req->saddr, req->daddr);
	req->pmtu_cookie = (uint16_t)tcp_dst_mtu(net, req, skb->dev);
	req->advmss = (uint16_t)(req->pmtu_cookie - (req->family == AF_INET6 ? 60 : 40));
	req->rcv_mss = TCP_MSS_DEFAULT;
	req->mss_cache = mss > req->advmss ? req->advmss : mss;
	if (req->tstamp_ok)
		req->mss_cache -= TCPOLEN_TSTAMP_ALIGNED;
	/* "redo what tcp_v4_send_synack did", but with the cookie's MSS, not
	 * ours less the timestamps: the window rounds to other multiples */
	tcp_select_initial_window(net, req, mss);
}

/* The cookie's MSS: ours, or a recorded host's; 0 when it is neither. */
/* secure_tcp_ts_off of the connection skb belongs to (ours first). */
static uint32_t cookie_ts_off(const struct sk_buff *skb)
{
	if (skb->protocol == ETH_P_IPV6)
		return tcp_ts_offset(ipv6_addr_hash(&ipv6_hdr(skb)->daddr), ipv6_addr_hash(&ipv6_hdr(skb)->saddr));
	return tcp_ts_offset(ip_hdr(skb)->daddr, ip_hdr(skb)->saddr);
}

static int cookie_mss(struct net *net, const struct sk_buff *skb)
{
	const struct cookie_key k = cookie_key(skb);
	int i = check_tcp_syn_cookie(&k, TCP_SKB_CB(skb)->ack_seq - 1, TCP_SKB_CB(skb)->seq - 1, net->now_ns);
	if (i >= 0)
		return cookie_msstab(skb)[i];
	return cookie_recorded(net, skb, TCP_SKB_CB(skb)->ack_seq - 1);
}

struct sock *cookie_v4_check(struct net *net, struct sock *lsk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcp_options_received opt = { 0 };
	struct sock *req, *child;
	int mss;

	if (!net->sysctl.tcp_syncookies || !(cb->tcp_flags & TCPHDR_ACK) || (cb->tcp_flags & TCPHDR_RST) ||
	    tcp_synq_no_recent_overflow(net, lsk))
		return lsk;
	trace_enter(net, skb, skb->protocol == ETH_P_IPV6 ? "cookie_v6_check" : "cookie_v4_check", "tcp",
		    "no request sock: is ACK %u a SYN cookie of ours (ISN + 1)?", cb->ack_seq);
	mss = cookie_mss(net, skb);
	if (!mss) {
		SNMP_INC(net, MIB_TCPEXT_SYNCOOKIESFAILED);
		trace_exit(net, skb, V_PASS, 0, "not a cookie of ours (or older than 2 minutes): the listener "
			   "answers the ACK with a RST");
		return lsk;
	}
	SNMP_INC(net, MIB_TCPEXT_SYNCOOKIESRECV);
	if (th_doff(skb) > 5)
		tcp_parse_options(net, skb->data, 0, &opt);
	if (opt.saw_tstamp && opt.rcv_tsecr)
		opt.rcv_tsecr -= cookie_ts_off(skb);
	if (!cookie_timestamp_decode(net, &opt)) {
		trace_exit(net, skb, V_PASS, 0, "the cookie asks for an option the sysctls now refuse: RST");
		return lsk;
	}
	if (!(req = cookie_reqsk_alloc(net, lsk, skb))) {
		TCP_SKB_CB(skb)->req_drop = SKB_DROP_REASON_NOMEM;
		trace_exit(net, skb, V_DROP, SKB_DROP_REASON_NOMEM, "socket limit reached");
		return NULL;
	}
	cookie_reqsk_options(net, req, &opt, (uint16_t)mss, skb);
	if (opt.saw_tstamp && (opt.rcv_tsecr & TS_OPT_ECN) && net->sysctl.tcp_ecn)
		req->ecn_flags = TCP_ECN_OK;	/* cookie_ecn_ok */
	trace_step(net, skb, skb->protocol == ETH_P_IPV6 ? "cookie_v6_check" : "cookie_v4_check",
		   "valid cookie: peer MSS %d; agreed:%s%s%s%s", mss,
		   req->sack_ok ? " SACK" : "", req->tstamp_ok ? " timestamps" : "", req->wscale_ok ? " window scale" : "",
		   req->sack_ok || req->tstamp_ok || req->wscale_ok ? "" : " MSS only");
	child = tcp_v4_syn_recv_sock(net, req, skb);	/* tcp_get_cookie_sock; it exits the event */
	if (!child) {
		sock_unhash(net, req);
		TCP_SKB_CB(skb)->req_drop = SKB_DROP_REASON_NO_SOCKET;
	}
	return child;
}
