/*
 * sock.h - struct sock and the per-net socket tables (include/net/sock.h,
 * include/net/inet_hashtables.h, include/net/udp.h). One struct serves TCP
 * (listeners, request socks, full sockets, TIME_WAIT) and UDP, where Linux
 * has sock / tcp_sock / request_sock / inet_timewait_sock: the fields a
 * student looks at are the same and one struct keeps the tables simple.
 *
 * Not a kernel header: the applications (echo, discard, http) that own
 * the sockets are modelled in sock_apps.c and run in "process context"
 * right after the softirq that woke them.
 *
 * Ownership: sockets belong to net->socks (sock.c). A socket that dies
 * (tcp_done, TIME_WAIT expiry) is unhashed at once and freed by
 * sock_reap(), never while a receive path may still hold the pointer.
 */
#ifndef NJ_STACK_SOCK_H
#define NJ_STACK_SOCK_H

#include "ipv6.h"
#include "stack.h"

#define SOCK_MAX_DEFAULT	65536	/* sockets per host, then drop */
#define SOMAXCONN		4096	/* net.core.somaxconn */
#define SK_RCVBUF_DEFAULT	131072	/* net.ipv4.tcp_rmem[1] */
#define UDP_RCVBUF_DEFAULT	212992	/* net.core.rmem_default */
#define UDP_SNDBUF_DEFAULT	212992	/* net.core.wmem_default */

/* APP_RECORDED: docs/design.md §4b, the application is the one in a replayed
 * capture: it reads what arrives and writes/closes only when the capture
 * shows the recorded host doing so (tcp_recorded_send). */
enum sock_app { APP_NONE = 0, APP_ECHO, APP_DISCARD, APP_HTTP, APP_RECORDED };

/* TCP states with Linux's numbers (include/net/tcp_states.h). */
enum tcp_state {
	TCP_ESTABLISHED = 1, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2,
	TCP_TIME_WAIT, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING,
	TCP_NEW_SYN_RECV
};

/* inet_connection_sock's ACK state (icsk_ack.pending bits). */
#define ICSK_ACK_SCHED	1	/* an ACK is owed */
#define ICSK_ACK_TIMER	2	/* the delayed-ACK timer is armed */
#define ICSK_ACK_PUSHED	4	/* a short segment (a push) came: ACK once it is read */
#define ICSK_ACK_PUSHED2 8	/* … and another one */
#define ICSK_ACK_NOW	16	/* send at the next ack_snd_check */

#define RCV_SHUTDOWN	1
#define SEND_SHUTDOWN	2

struct sock {
	struct sock *hnext;		/* hash chain (ehash, lhash or udp) */
	struct sock *anext;		/* list of all sockets (timers), graveyard */
	struct sock **aprev;		/* what points to it in that list (unlinked in O(1)) */
	uint8_t protocol;		/* IPPROTO_TCP_ / IPPROTO_UDP_ */
	uint8_t state;			/* enum tcp_state; UDP: TCP_CLOSE */
	uint8_t hashed;			/* 0 once unhashed (dead) */
	uint8_t app;			/* enum sock_app */
	uint32_t saddr, daddr;		/* local / remote, network order; 0 = any */
	uint16_t sport, dport;		/* local / remote, network order */
	/* sk_family. An AF_INET6 socket's addresses are v6_saddr/v6_daddr
	 * (sk_v6_rcv_saddr, sk_v6_daddr); its saddr/daddr then hold their
	 * ipv6_addr_hash, the key of the hash tables and the ISN stand-in
	 * (Linux parks 127.0.0.6 there). One bound to :: without ipv6only
	 * takes IPv4 too (a dual-stack socket). */
	uint8_t family, ipv6only;
	struct in6 v6_saddr, v6_daddr;
	int ifindex;			/* device the connection came in on */
	uint32_t id;			/* 1, 2, … for traces ("sk 3") */
	uint32_t timer_slot;		/* its place in the timer heap + 1; 0 none (timer.c) */

	/* Listener (inet_connection_sock accept queue, request queue). */
	struct sock *parent;		/* request/child: its listener */
	int max_ack_backlog;		/* min(backlog, somaxconn) */
	int ack_backlog;		/* children waiting for accept() */
	int qlen;			/* request socks (SYN_RECV) */
	int qlen_young;			/* … of them, those whose SYN-ACK the timer has not resent */
	uint64_t synq_overflow_ns;	/* tcp_synq_overflow: when it last sent a SYN cookie */
	uint8_t synq_overflowed;	/* … if ever */
	uint8_t synflood_warned;	/* "Possible SYN flooding" was logged */

	/* Send side (RFC 793 SND.*). */
	uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, max_window;
	uint16_t mss_cache;		/* the peer's MSS */
	/* Receive side (RFC 793 RCV.*). rcv_wup: rcv_nxt when we last sent a window. */
	uint32_t irs, rcv_nxt, rcv_wup, rcv_wnd;
	uint16_t advmss, rcv_mss;	/* ours; the peer's estimated segment size */
	uint16_t pmtu_cookie;		/* the path MTU mss_cache was synced to (icsk_pmtu_cookie); 0: the device's */
	struct sk_buff_head receive_queue;
	struct sk_buff_head ofo_queue;	/* sorted by seq (an rb-tree in Linux) */
	uint32_t rmem, rcvbuf;		/* bytes queued, limit */
	uint32_t mem_reserved;		/* TCP: pages reserved for the queues (bytes) */
	uint32_t wmem_queued;		/* truesize of sent, unacknowledged segments */
	/* UDP's send buffer (sk_wmem_alloc, sk_sndbuf): a datagram it sent stays
	 * charged until freed, held for ARP included; full, the application
	 * sleeps in sendto (blocking, as a plain echo server does) with the
	 * datagram it read, and reads nothing more until half is free again. */
	uint32_t wmem_alloc, sndbuf;
	struct sk_buff *send_pending;	/* the read datagram the sleeping application echoes */
	uint8_t send_blocked;
	uint8_t write_space;		/* sock_def_write_space woke it: sock_app_wakeups runs it */
	struct sock *wake_next;		/* … on the table's list of those woken */
	struct { uint32_t end_seq, truesize; } wq[8];	/* … per segment (the write queue) */
	uint8_t wq_n;
	uint8_t shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	uint8_t fin_sent;		/* our FIN is in snd_nxt */
	uint32_t snd_sml;		/* end of the last small segment sent (Minshall) */
	uint8_t *nagle_data;		/* written, held by Nagle: the send queue's unsent tail */
	uint32_t nagle_len;
	uint8_t data_ready;		/* sk_data_ready was called: wake the app */
	uint8_t fast_path;		/* pred_flags set (header prediction) */
	uint8_t recorded;		/* in step with a capture: sends only what it shows */
	uint8_t syn_recorded;		/* SYN_SENT: the capture's first SYN went out (later ones are
					 * retransmissions) */
	uint8_t synack_held;		/* request sock: its SYN-ACK waits for the capture's */
	uint8_t tw_scheduled;		/* a timewait sock in Linux by now (TcpExt.TW counted) */

	/* Delayed ACK (icsk_ack). */
	uint8_t ack_pending;		/* ICSK_ACK_* */
	uint8_t ack_quick;		/* quickack credits */
	uint16_t last_seg_size;		/* tcp_measure_rcv_mss: the last full-looking segment */
	uint8_t pingpong;		/* interactive: ACKs ride on replies */
	uint32_t ato_ns;		/* delayed-ACK timeout estimate */
	uint64_t ack_timeout_ns;	/* when the delayed ACK fires */
	uint64_t lrcvtime_ns;		/* last data arrival */
	uint64_t last_oow_ack_ns;	/* RFC 5961 / dup-ACK rate limit */

	uint64_t timeout_ns;		/* TIME_WAIT / FIN_WAIT2 / request expiry; 0 none */
	int err_soft;			/* last ICMP error (tcp_v4_err/udp_err) */
	struct ip_txopts *ip_opt;	/* IPv4 options its segments carry: the SYN's, echoed (ireq_opt); NULL none */

	/* The application's side (sock_apps.c). */
	uint8_t app_closed;		/* close() was called */
	uint8_t http_state;		/* bytes of "\r\n\r\n" matched so far */
	uint8_t http_done;
	uint64_t app_bytes;		/* bytes read by the application */
	uint32_t urg_seq;		/* the urgent byte's seq (tcp_check_urg) */
	uint16_t urg_data;		/* TCP_URG_* | the byte, 0: none */

	/* TCP options (tcp_options.c), tcp_options_received / tcp_sock. */
	uint8_t tstamp_ok, sack_ok, wscale_ok;	/* agreed in the handshake */
	uint8_t snd_wscale, rcv_wscale;	/* the peer's shift; ours */
	uint8_t saw_tstamp;		/* the segment in hand carried a timestamp */
	uint8_t num_sacks, dsack;	/* SACK blocks to send; a D-SACK is due */
	uint8_t synack_ahead;		/* request: its SYN-ACK was the capture's, looked ahead */
	uint8_t ecn_flags;		/* TCP_ECN_*: ECN agreed in the handshake, and its state */
	uint64_t bytes_acked;		/* RFC 4898 tcpEStatsAppHCThruOctetsAcked (the SYN's 1 included) */
	uint8_t preexisting;		/* open before the capture began (scenario "connections") */
	uint32_t rcv_tsval, rcv_tsecr;	/* of the segment in hand */
	uint32_t ts_recent, ts_offset;	/* the peer's last valid TSval; our TSval's offset */
	uint64_t ts_recent_stamp_ns;	/* when ts_recent was stored */
	struct tcp_sack_block { uint32_t start_seq, end_seq; } selective_acks[4], duplicate_sack;
	uint32_t rcv_ssthresh;		/* the window we may offer (tcp_select_initial_window) */
	uint64_t rtx_timeout_ns;	/* request sock: next SYN-ACK retransmission; 0 none */
	uint8_t num_timeout;		/* … SYN-ACKs retransmitted by the timer */
	uint8_t scaling_ratio;		/* skb->len / truesize in 256ths (tcp_win_from_space) */
	uint32_t window_clamp;		/* the largest window we may ever offer */
	/* Retransmission (tcp_timer.c): the handshake's RTT sample, and the
	 * sent, unacknowledged segments with the RTO timer. */
	uint64_t synack_sent_ns;	/* request: its first SYN-ACK; UINT64_MAX once resent */
	/* tcp_rtt_estimator (Jacobson/Karels as Linux keeps it): srtt in
	 * 1/8 us, the deviation, its largest this RTT, rttvar, and the seq
	 * that ends this RTT's window of samples */
	uint32_t srtt_us, mdev_us, mdev_max_us, rttvar_us, rtt_seq;
	struct tcp_rtx *rtx;		/* NULL until data is sent */
};

/* Per-net socket tables: hashes as Linux's ehash / lhash2 / udp table. */
#define SOCK_EHASH	4096
#define SOCK_LHASH	256
#define SOCK_UHASH	256
#define SOCK_ISN_PINS	256

struct isn_pin {			/* tcp_recorded_synack before the SYN arrived */
	uint32_t saddr, daddr, isn;
	uint16_t sport, dport;
	uint8_t recorded;		/* from a capture (not a TIME_WAIT reuse); 2: read ahead;
					 * PIN_KIND_COOKIE: a recorded SYN cookie sent, awaiting its ACK */
	uint8_t has_ts;			/* the recorded SYN-ACK's TSval, for our clock's offset */
	uint32_t tsval;
	uint8_t v6;			/* an IPv6 4-tuple: s6/d6 (saddr/daddr their hashes) */
	struct in6 s6, d6;
	uint16_t mss;			/* PIN_KIND_COOKIE: the MSS the cookie stands for */
};
#define PIN_KIND_COOKIE	3

struct sock_table {
	struct sock *ehash[SOCK_EHASH];	/* 4-tuple: full, TIME_WAIT, request socks */
	uint32_t ehash_tags[SOCK_EHASH];	/* per chain, a bit per member's tag (sock.c) */
	struct sock *lhash[SOCK_LHASH];	/* TCP listeners by port */
	struct sock *uhash[SOCK_UHASH];	/* UDP by port */
	struct sock *all;		/* every live socket, for timers */
	struct sock *graveyard;		/* dead, freed by sock_reap */
	int count, max;			/* live sockets, SOCK_MAX_DEFAULT */
	uint32_t next_id;
	uint16_t ip_id;			/* IP ids of segments we build */
	struct sock *wakeups;		/* the sockets whose write_space is set, newest first */
	uint64_t next_timer_ns;		/* earliest armed timer; 0 none */
	struct sk_timer {		/* sockets with a timer armed: a min-heap (timer.c) */
		uint64_t key;		/* the earliest deadline, or earlier */
		struct sock *sk;
	} *timers;
	uint32_t ntimers, timers_cap;
	uint8_t timers_walk;		/* a deadline came without its socket: look at all */
	struct sock **due;		/* sk_timers_due's answer, reused */
	uint32_t due_cap;
	struct isn_pin pins[SOCK_ISN_PINS];
	int npins;
	uint16_t tx_gso_size;		/* set around a send: segments longer go as one GSO skb */
	uint8_t tx_ctl;			/* set around a send of the control socket (RST, ACK for no socket) */
	uint8_t recorded_tx;		/* inside tcp_recorded_send: its sends go out */
	uint8_t rec_ts;			/* … and the recorded segment's TSval is rec_tsval */
	uint32_t rec_tsval, rec_tsecr;	/* (and its TSecr rec_tsecr) */
};

/* sock_table - the net's tables, created on first use; NULL if no memory. */
struct sock_table *sock_table(struct net *net);

/**
 * sock_alloc - a new socket (not hashed), counted against the table's max.
 * Returns NULL when the limit is reached or memory is exhausted.
 */
struct sock *sock_alloc(struct net *net, uint8_t protocol);

/* sock_hash - inserts sk into the table its state selects (listen, udp, ehash). */
void sock_hash(struct net *net, struct sock *sk);
/* sock_unhash - removes sk from its hash and moves it to the graveyard. */
void sock_unhash(struct net *net, struct sock *sk);
/* sock_rehash - moves sk between tables after a state change. */
void sock_rehash(struct net *net, struct sock *sk);
/* sock_reap - frees dead sockets (their queues too). Cannot fail. */
void sock_reap(struct net *net);
/* sock_exit - frees every socket and the tables (called by net_destroy). */
void sock_exit(struct net *net);

/* -- timer.c: the sockets whose timers are due, found without a walk -- */
/* sk_reset_timer - sk has a timer armed for when_ns: tcp_run_timers wakes
 * then and looks at sk (tcp_timer_arm without the socket looks at all). */
void sk_reset_timer(struct net *net, struct sock *sk, uint64_t when_ns);
/* sk_timer_set / sk_timer_del - puts sk in the heap keyed by when_ns (or
 * lowers its key) / takes it out (sock_unhash). */
void sk_timer_set(struct sock_table *t, struct sock *sk, uint64_t when_ns);
void sk_timer_del(struct sock_table *t, struct sock *sk);
/**
 * sk_timers_due - takes out of the heap every socket keyed at or before
 * net->now_ns and returns them in *due (the table's, valid until the next
 * call; not to be freed) in the order of the table's list of all sockets
 * (newest first). Returns
 * their number, or -1 when the heap cannot tell: look at every socket.
 */
int sk_timers_due(struct net *net, struct sock ***due);
/* sk_timers_next - the earliest deadline over the heap, as deadline(sk)
 * tells it (0 none); fixes the keys that were early on the way. */
uint64_t sk_timers_next(struct net *net, uint64_t (*deadline)(const struct sock *sk));

/**
 * __inet_lookup_established - the TCP socket (full, TIME_WAIT or request)
 * for the exact 4-tuple (network order), or NULL.
 */
struct sock *__inet_lookup_established(struct net *net, uint32_t saddr, uint16_t sport,
				       uint32_t daddr, uint16_t dport);
/* __inet_lookup_listener - a listener on daddr:dport: an exact address bind
 * beats a wildcard one, an IPv4 wildcard a dual-stack one (compute_score),
 * or NULL. IPv6-only and IPv6-bound listeners take no IPv4. */
struct sock *__inet_lookup_listener(struct net *net, uint32_t daddr, uint16_t dport);
/* __inet6_lookup_established / inet6_lookup_listener - the same over IPv6
 * (inet6_hashtables.c): AF_INET6 sockets only; a listener bound to the
 * address beats one bound to ::. */
struct sock *__inet6_lookup_established(struct net *net, const struct in6 *saddr, uint16_t sport,
					const struct in6 *daddr, uint16_t dport);
struct sock *inet6_lookup_listener(struct net *net, const struct in6 *daddr, uint16_t dport);
/* __udp6_lib_lookup - the UDP socket for an IPv6 datagram: bound to daddr,
 * else to ::; NULL if none. */
struct sock *__udp6_lib_lookup(struct net *net, const struct in6 *saddr, uint16_t sport, const struct in6 *daddr,
			       uint16_t dport);
/* ipv6_addr_hash - the 32-bit fold of an IPv6 address (include/net/ipv6.h). */
static inline uint32_t ipv6_addr_hash(const struct in6 *a)
{
	uint32_t h = 0;
	for (int i = 0; i < 16; i++)
		h ^= (uint32_t)a->s6[i] << (8 * (3 - i % 4));
	return htonl(h);
}
/* __udp4_lib_lookup - the UDP socket for the datagram: connected 4-tuple,
 * then an exact bind, then a wildcard; NULL if none. */
struct sock *__udp4_lib_lookup(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr,
			       uint16_t dport);

/* sock_listen - scenario "listen": a TCP listener or a bound UDP socket.
 * addr 0 = any: a dual-stack socket bound to :: (a ping socket: IPv4's
 * any). Returns 0, -1 if the port is taken, -2 out of memory. */
int sock_listen(struct net *net, uint8_t protocol, uint32_t addr, uint16_t port, enum sock_app app,
		int backlog);
/* sock_listen_af - the same for one family: AF_INET binds addr4 (0 =
 * 0.0.0.0, IPv4 only), AF_INET6 binds addr6 (:: takes IPv4 too unless
 * ipv6only). Returns as sock_listen. */
int sock_listen_af(struct net *net, uint8_t protocol, int family, uint32_t addr4, const struct in6 *addr6,
		   int ipv6only, uint16_t port, enum sock_app app, int backlog);

/* sock_for_each - calls fn for each live socket (state panels, CLI). */
void sock_for_each(struct net *net, void (*fn)(void *ctx, const struct sock *sk), void *ctx);

/* sock_app_name / tcp_state_name: "http", "ESTABLISHED". */
const char *sock_app_name(int app);
const char *tcp_state_name(int state);
/* sk_fmt - "10.0.0.2:80>10.0.0.1:40000" ("[fd00::2]:80>[fd00::1]:40000")
 * in a static ring of buffers; a socket with no peer (listener, bound UDP)
 * prints as "*:80" (any address, dual-stack or IPv4), "[::]:80" (IPv6
 * only), "10.0.0.2:80" or "[fd00::2]:80". */
const char *sk_fmt(const struct sock *sk);


/* -- sock_apps.c: the applications (process context) -- */

/**
 * sock_app_wakeup - runs the socket's application after the softirq woke
 * it (sk_data_ready / FIN): it reads the receive queue (tcp_recvmsg /
 * udp_recvmsg) and answers: echo writes back, discard drops, http
 * replies to a request ending in a blank line and closes. TCP only.
 */
void sock_app_wakeup(struct net *net, struct sock *sk);
/* The http application's fixed HTTP/1.0 reply (the pcap generator needs its length). */
extern const char sock_http_page[];
extern const unsigned sock_http_page_len;
/* __udp_enqueue_schedule_skb - a datagram onto sk's receive queue (either
 * family), within its receive buffer (else dropped, Udp[6].RcvbufErrors),
 * closing the caller's frame; then the application reads unless it sleeps
 * in sendto. Owns skb. NET_RX_SUCCESS or NET_RX_DROP. */
int __udp_enqueue_schedule_skb(struct net *net, struct sock *sk, struct sk_buff *skb);
/* udp_app_deliver - the UDP application reads one datagram (udp_recvmsg). Owns skb. */
void udp_app_deliver(struct net *net, struct sock *sk, struct sk_buff *skb);

#define UDP_SEND_BLOCKED	(-2)
/* udp_sendmsg - sends len bytes from sk to daddr:dport (network order).
 * Returns 0, -1 (not sent), or UDP_SEND_BLOCKED: the send buffer is full,
 * nothing was built (a blocking sender sleeps: sk->send_blocked). */
int udp_sendmsg(struct net *net, struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		uint32_t len);
/* udpv6_sendmsg - the same over IPv6, from the source address routing
 * chooses (out of iif for a link-local daddr). */
int udpv6_sendmsg(struct net *net, struct sock *sk, const struct in6 *daddr, uint16_t dport, const void *data,
		  uint32_t len, int iif);

/*
 * Receive memory accounting of a TCP socket (include/net/sock.h): whole
 * pages are reserved as segments are queued through the slow path
 * (sk_rmem_schedule) or sent (the write queue holds a segment until it
 * is acknowledged), each queued skb charges its truesize, and what the
 * reservation has left over is sk_forward_alloc. Reading, or the peer's
 * ACK, gives the whole pages back at once (sk_mem_reclaim).
 */
#define SK_MEM_QUANTUM	4096	/* PAGE_SIZE */
/* tcp_stream_alloc_skb: a MAX_TCP_HEADER head, SKB_TRUESIZE of its end
 * offset (832); the data, in page frags, adds its length. */
#define TCP_SKB_HEAD_TRUESIZE	SKB_TRUESIZE(SKB_WITH_OVERHEAD(SKB_SMALL_HEAD_CACHE_SIZE))
int32_t sk_forward_alloc(const struct sock *sk);
/* sk_rmem_alloc - the truesize of the skbs queued on sk (sk_rmem_alloc). */
uint32_t sk_rmem_alloc(const struct sock *sk);
/* skb_set_owner_w - charges skb to sk's send buffer until it is freed. */
void skb_set_owner_w(struct sk_buff *skb, struct sock *sk);
/* sock_app_wakeups - the applications sock_def_write_space woke run now,
 * in process context: after a softirq, after the neighbour timers. */
void sock_app_wakeups(struct net *net);
void sk_rmem_schedule(struct sock *sk, uint32_t size);
void sk_mem_reclaim(struct sock *sk);
/* sk_wmem_queue - a segment ending at end_seq was sent: its skb (data and
 * head) is charged until the peer acknowledges it (sk_wmem_free_acked). */
void sk_wmem_queue(struct sock *sk, uint32_t end_seq, uint32_t len);
void sk_wmem_free_acked(struct sock *sk, uint32_t snd_una);

#endif
