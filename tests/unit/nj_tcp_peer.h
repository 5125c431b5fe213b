/*
 * nj_tcp_peer.h - a scripted TCP peer for the unit tests: one connection
 * 10.0.0.1:sport > 10.0.0.2:dport whose segments are built and injected
 * here, with the peer's and the host's next sequence numbers tracked.
 * Include after nj_check.h and tcp.h.
 */
#ifndef NJ_TESTS_UNIT_NJ_TCP_PEER_H
#define NJ_TESTS_UNIT_NJ_TCP_PEER_H

static uint8_t tc_frame[2048] __attribute__((unused)), tc_seg[1600] __attribute__((unused));

struct tc {
	struct net *net;
	uint16_t sport, dport;
	uint32_t pseq;			/* the peer's next seq */
	uint32_t hseq;			/* what the peer acks (host's next seq) */
};

static inline void tc_raw(struct tc *t, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	size_t n = nj_tcp(tc_seg, NJ_PEER_IP, NJ_HOST_IP, t->sport, t->dport, seq, ack, flags, data, len);
	nj_inject(t->net, tc_frame, nj_build_ip(tc_frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, tc_seg, n, NULL));
}

/* The peer's next in-sequence segment. */
static inline void tc_send(struct tc *t, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	tc_raw(t, t->pseq, t->hseq, flags, data);
	t->pseq += (uint32_t)len + !!(flags & TCPHDR_SYN) + !!(flags & TCPHDR_FIN);
}

static inline struct sock *tc_sk(struct tc *t)
{
	return __inet_lookup_established(t->net, nj_ip(NJ_PEER_IP), htons(t->sport), nj_ip(NJ_HOST_IP),
					 htons(t->dport));
}

/* The peer opens a connection to dport (port 40000 > dport): SYN, then the
 * handshake's ACK 1 ms after the SYN-ACK (an RTT sample of 1 ms: RTO 201). */
static inline struct tc tc_connect(struct net *net, uint16_t dport)
{
	struct tc t = { net, 40000, dport, 1000, 0 };
	tc_send(&t, TCPHDR_SYN, NULL);
	t.hseq = ntohl(nj_tx_tcp(nj_tx.n - 1)->seq) + 1;
	net_set_time(net, net->now_ns + 1000000ULL);
	tc_send(&t, TCPHDR_ACK, NULL);
	return t;
}

#endif
