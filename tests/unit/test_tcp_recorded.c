/*
 * test_tcp_recorded.c - docs/design.md §4b, replaying a capture taken on the
 * host: tcp_recorded_send keeps a socket in step with the recorded host's
 * segments (the SYN-ACK's ISN, data, retransmissions, FIN, RST, gaps, the
 * host's ACKs of bytes the capture lost), the socket's own sends are held
 * back, the "recorded" listen app, "*:80" for listeners, and the
 * checksum-offload note of `replay` (offload_hint.c).
 */
#include "nj_check.h"
#include "offload_hint.h"
#include "scenario.h"
#include "tcp.h"

static uint8_t frame[2048], seg[1600];

#define PEER_PORT 40000
#define HOST_ISN 0x80000000u	/* the recorded host's ISN */
#define PEER_ISN 1000u

/* The peer's segment to the host's port 80. */
static void peer(struct net *net, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	size_t len = data ? strlen(data) : 0;
	size_t n = nj_tcp(seg, NJ_PEER_IP, NJ_HOST_IP, PEER_PORT, 80, seq, ack, flags, data, len);
	nj_inject(net, frame, nj_build_ip(frame, NJ_PEER_IP, NJ_HOST_IP, IPPROTO_TCP_, seg, n, NULL));
}

/* The capture shows the host sending this (seq/ack host order). */
static int host(struct net *net, uint32_t seq, uint32_t ack, uint8_t flags, const char *data, uint32_t len)
{
	return tcp_recorded_send(net, nj_ip(NJ_HOST_IP), htons(80), nj_ip(NJ_PEER_IP), htons(PEER_PORT), seq, ack,
				 flags, data, len);
}

static struct sock *conn(struct net *net)
{
	return __inet_lookup_established(net, nj_ip(NJ_PEER_IP), htons(PEER_PORT), nj_ip(NJ_HOST_IP), htons(80));
}

/* A host whose port 80 runs the capture's own application. */
static struct net *recorded_host(void)
{
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_RECORDED, -1), 0);
	return net;
}

/* SYN, the recorded SYN-ACK, the handshake's ACK: ESTABLISHED. */
static struct net *established(void)
{
	struct net *net = recorded_host();
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0), 1);
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK, NULL);
	ck_assert_int_eq(conn(net)->state, TCP_ESTABLISHED);
	nj_tx.n = 0;
	return net;
}

static const struct tcphdr *tx(int i) { return nj_tx_tcp(i); }
static uint32_t tx_len(int i) { return ntohs(nj_tx_ip(i)->tot_len) - 20 - (uint32_t)(tx(i)->doff_res >> 4) * 4; }

/* ---- the handshake ---- */

START_TEST(test_tcp_recorded_synack_waits_for_capture)
{
	struct net *net = recorded_host();
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 0);			/* the SYN-ACK waits */
	ck_assert_int_eq(conn(net)->state, TCP_NEW_SYN_RECV);
	ck_assert(conn(net)->synack_held);
	ck_assert_int_eq(host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0), 1);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx(0)->flags, TCPHDR_SYN | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(tx(0)->seq), HOST_ISN);
	ck_assert_uint_eq(ntohl(tx(0)->ack_seq), PEER_ISN + 1);
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK, NULL);
	ck_assert_int_eq(conn(net)->state, TCP_ESTABLISHED);
	ck_assert_int_eq(nj_tx.n, 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_synack_before_syn)
{
	struct net *net = recorded_host();
	/* a capture whose SYN-ACK comes first: the ISN is pinned */
	ck_assert_int_eq(host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0), 0);
	ck_assert_int_eq(nj_tx.n, 0);
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);			/* shown already: sent with the SYN */
	ck_assert_uint_eq(ntohl(tx(0)->seq), HOST_ISN);
	ck_assert(conn(net)->recorded);
	nj_net_free(net);
}
END_TEST

/* A cookie in step with a capture (tcp_syncookies 2: every SYN gets one):
 * the SYN-ACK carries the recorded host's ISN, which is no cookie of
 * ours; its ACK is accepted against it and opens the connection. */
START_TEST(test_tcp_recorded_cookie)
{
	struct net *net = recorded_host();
	net->sysctl.tcp_syncookies = 2;
	ck_assert_int_eq(host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0), 0);
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_uint_eq(ntohl(tx(0)->seq), HOST_ISN);
	ck_assert_ptr_null(conn(net));			/* no request sock */
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESSENT], 1);
	peer(net, PEER_ISN + 1, HOST_ISN + 2, TCPHDR_ACK, NULL);	/* not the recorded ISN + 1 */
	ck_assert_ptr_null(conn(net));
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESFAILED], 1);
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK, NULL);
	ck_assert_ptr_nonnull(conn(net));
	ck_assert_int_eq(conn(net)->state, TCP_ESTABLISHED);
	ck_assert(conn(net)->recorded);
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_SYNCOOKIESRECV], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_synack_retransmitted)
{
	struct net *net = recorded_host();
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
	host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_uint_eq(ntohl(tx(1)->seq), HOST_ISN);
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	/* the peer's retransmitted SYN: the stack's own SYN-ACK is held */
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_ptr_nonnull(nj_find("tcp_recorded_hold", 'i'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_http_listener_adopts)
{
	/* An http listener: its own SYN-ACK went out; the recorded one brings
	 * the ISN, is sent too, and the app stays silent from then on. */
	struct net *net = nj_host();
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, 0, 80, APP_HTTP, -1), 0);
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	ck_assert_int_eq(nj_tx.n, 1);
	host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_uint_eq(ntohl(tx(1)->seq), HOST_ISN);
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK, NULL);
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(nj_tx.n, 2);			/* no page, no FIN, no ACK of its own */
	ck_assert_int_eq(conn(net)->state, TCP_ESTABLISHED);
	nj_net_free(net);
}
END_TEST

/* ---- data, retransmissions, FIN, RST ---- */

START_TEST(test_tcp_recorded_data_and_ack)
{
	struct net *net = established();
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK | TCPHDR_PSH, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(nj_tx.n, 0);			/* its ACK is the capture's */
	ck_assert_ptr_nonnull(nj_find("tcp_recorded_hold", 'i'));
	host(net, HOST_ISN + 1, PEER_ISN + 19, TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx(0)->flags, TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(tx(0)->ack_seq), PEER_ISN + 19);
	host(net, HOST_ISN + 1, PEER_ISN + 19, TCPHDR_ACK | TCPHDR_PSH, "HTTP/1.0 200 OK\r\n", 17);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(tx(1)->flags, TCPHDR_ACK | TCPHDR_PSH);
	ck_assert_uint_eq(ntohl(tx(1)->seq), HOST_ISN + 1);
	ck_assert_uint_eq(tx_len(1), 17);
	ck_assert_int_eq(memcmp((const uint8_t *)tx(1) + 20, "HTTP/1.0 200 OK", 15), 0);
	ck_assert_uint_eq(conn(net)->snd_nxt, HOST_ISN + 18);
	/* the peer acknowledges it: no "unsent data" drop */
	peer(net, PEER_ISN + 19, HOST_ISN + 18, TCPHDR_ACK, NULL);
	ck_assert_int_eq(nj_drop_reason(), -1);
	ck_assert_uint_eq(conn(net)->snd_una, HOST_ISN + 18);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_retransmission)
{
	struct net *net = established();
	host(net, HOST_ISN + 1, PEER_ISN + 1, TCPHDR_ACK, "0123456789", 10);
	host(net, HOST_ISN + 11, PEER_ISN + 1, TCPHDR_ACK, "abcdefghij", 10);
	host(net, HOST_ISN + 1, PEER_ISN + 1, TCPHDR_ACK, "0123456789", 10);	/* again */
	ck_assert_int_eq(nj_tx.n, 3);
	ck_assert_uint_eq(ntohl(tx(2)->seq), HOST_ISN + 1);
	ck_assert_uint_eq(tx_len(2), 10);
	ck_assert_uint_eq(conn(net)->snd_nxt, HOST_ISN + 21);	/* not moved */
	ck_assert_int_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	ck_assert_ptr_nonnull(nj_find("tcp_retransmit_skb", 'i'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_gap_and_mss)
{
	static char big[1200];
	struct net *net = established();
	/* bytes 1..100 never made it into the capture */
	host(net, HOST_ISN + 101, PEER_ISN + 1, TCPHDR_ACK, "x", 1);
	ck_assert_uint_eq(ntohl(tx(0)->seq), HOST_ISN + 101);
	ck_assert_uint_eq(conn(net)->snd_nxt, HOST_ISN + 102);
	/* more than the peer's MSS (536: no option): split as TSO would */
	memset(big, 'y', sizeof(big));
	host(net, HOST_ISN + 102, PEER_ISN + 1, TCPHDR_ACK | TCPHDR_PSH, big, sizeof(big));
	ck_assert_int_eq(nj_tx.n, 4);
	ck_assert_uint_eq(tx_len(1), 536);
	ck_assert_int_eq(tx(1)->flags, TCPHDR_ACK);
	ck_assert_uint_eq(tx_len(3), 1200 - 2 * 536);
	ck_assert_int_eq(tx(3)->flags, TCPHDR_ACK | TCPHDR_PSH);
	ck_assert_uint_eq(conn(net)->snd_nxt, HOST_ISN + 102 + 1200);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_fin_active_close)
{
	struct net *net = established();
	host(net, HOST_ISN + 1, PEER_ISN + 1, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	ck_assert_int_eq(conn(net)->state, TCP_FIN_WAIT1);
	ck_assert_int_eq(tx(0)->flags, TCPHDR_ACK | TCPHDR_FIN);
	host(net, HOST_ISN + 1, PEER_ISN + 1, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);	/* FIN again */
	ck_assert_uint_eq(conn(net)->snd_nxt, HOST_ISN + 2);
	peer(net, PEER_ISN + 1, HOST_ISN + 2, TCPHDR_ACK, NULL);
	ck_assert_int_eq(conn(net)->state, TCP_FIN_WAIT2);
	ck_assert_uint_eq(conn(net)->timeout_ns, 0);	/* half-closed: no FIN_WAIT2 timer */
	/* the peer goes on sending (a shutdown, not a close): accepted */
	peer(net, PEER_ISN + 1, HOST_ISN + 2, TCPHDR_ACK, "more");
	ck_assert_uint_eq(conn(net)->rcv_nxt, PEER_ISN + 5);
	peer(net, PEER_ISN + 5, HOST_ISN + 2, TCPHDR_ACK | TCPHDR_FIN, NULL);
	ck_assert_int_eq(conn(net)->state, TCP_TIME_WAIT);
	ck_assert_int_eq(nj_tx.n, 2);			/* the ACK of the FIN is the capture's */
	host(net, HOST_ISN + 2, PEER_ISN + 6, TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 3);
	ck_assert_uint_eq(ntohl(tx(2)->ack_seq), PEER_ISN + 6);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_passive_close)
{
	struct net *net = established();
	peer(net, PEER_ISN + 1, HOST_ISN + 1, TCPHDR_ACK | TCPHDR_FIN, NULL);
	ck_assert_int_eq(conn(net)->state, TCP_CLOSE_WAIT);	/* the app does not close by itself */
	ck_assert_int_eq(nj_tx.n, 0);
	host(net, HOST_ISN + 1, PEER_ISN + 2, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	ck_assert_int_eq(conn(net)->state, TCP_LAST_ACK);
	peer(net, PEER_ISN + 2, HOST_ISN + 2, TCPHDR_ACK, NULL);
	ck_assert_ptr_null(conn(net));			/* CLOSE */
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_rst)
{
	struct net *net = established();
	host(net, HOST_ISN + 1, PEER_ISN + 1, TCPHDR_RST | TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx(0)->flags, TCPHDR_RST | TCPHDR_ACK);
	ck_assert_ptr_null(conn(net));
	ck_assert_int_eq(net->mib[MIB_TCP_ESTABRESETS], 1);
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_rst_on_request)
{
	struct net *net = recorded_host();
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	host(net, HOST_ISN, PEER_ISN + 1, TCPHDR_SYN | TCPHDR_ACK, NULL, 0);
	host(net, HOST_ISN + 1, 0, TCPHDR_RST, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_int_eq(tx(1)->flags, TCPHDR_RST);
	ck_assert_uint_eq(ntohl(tx(1)->seq), HOST_ISN + 1);
	/* a request sock's RST is tcp_v4_send_reset's: no window, no options */
	ck_assert_uint_eq(ntohs(tx(1)->window), 0);
	ck_assert_uint_eq(tx(1)->doff_res >> 4, 5);
	ck_assert_uint_eq(tx(1)->ack_seq, 0);
	ck_assert_ptr_null(conn(net));
	ck_assert_int_eq(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(80))->qlen, 0);
	nj_net_free(net);
}
END_TEST

/* No listener yet when the SYN came (the capture shows a RST at once, seq
 * 0): the stack's request sock sends that RST as Linux's no-socket reset,
 * [R.] seq 0 ack SYN+1, window 0, no options. */
START_TEST(test_tcp_recorded_refused_request)
{
	struct net *net = recorded_host();
	peer(net, PEER_ISN, 0, TCPHDR_SYN, NULL);
	host(net, 0, PEER_ISN + 1, TCPHDR_RST | TCPHDR_ACK, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_int_eq(tx(0)->flags, TCPHDR_RST | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(tx(0)->seq), 0);
	ck_assert_uint_eq(ntohl(tx(0)->ack_seq), PEER_ISN + 1);
	ck_assert_uint_eq(ntohs(tx(0)->window), 0);
	ck_assert_uint_eq(tx(0)->doff_res >> 4, 5);
	ck_assert_ptr_null(conn(net));
	nj_net_free(net);
}
END_TEST

/* ---- the host's ACK beyond what the stack received ---- */

START_TEST(test_tcp_recorded_ack_of_lost_bytes)
{
	struct net *net = established();
	peer(net, PEER_ISN + 11, HOST_ISN + 1, TCPHDR_ACK, "0123456789");	/* after a hole of 10 */
	ck_assert_uint_eq(conn(net)->rcv_nxt, PEER_ISN + 1);
	ck_assert_int_eq(skb_queue_len(&conn(net)->ofo_queue), 1);
	host(net, HOST_ISN + 1, PEER_ISN + 21, TCPHDR_ACK, NULL, 0);
	ck_assert_uint_eq(conn(net)->rcv_nxt, PEER_ISN + 21);	/* the hole reached the host */
	ck_assert_int_eq(skb_queue_len(&conn(net)->ofo_queue), 0);
	ck_assert_uint_eq(ntohl(tx(nj_tx.n - 1)->ack_seq), PEER_ISN + 21);
	ck_assert_ptr_nonnull(nj_find("tcp_recorded_rcv_sync", 'i'));
	nj_net_free(net);
}
END_TEST

START_TEST(test_tcp_recorded_no_socket)
{
	struct net *net = recorded_host();
	ck_assert_int_eq(host(net, 5, 6, TCPHDR_ACK, "x", 1), -1);
	ck_assert_int_eq(nj_tx.n, 0);
	nj_net_free(net);
}
END_TEST

/* ---- names and the scenario ---- */

START_TEST(test_tcp_recorded_listener_name)
{
	struct net *net = recorded_host();
	const struct sock *l = __inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(80));
	ck_assert_str_eq(sk_fmt(l), "*:80");
	ck_assert_str_eq(sock_app_name(l->app), "recorded");
	ck_assert_int_eq(sock_listen(net, IPPROTO_TCP_, nj_ip(NJ_HOST_IP), 81, APP_ECHO, -1), 0);
	ck_assert_str_eq(sk_fmt(__inet_lookup_listener(net, nj_ip(NJ_HOST_IP), htons(81))), NJ_HOST_IP ":81");
	nj_net_free(net);
}
END_TEST

#define SC_IF "\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"]}],"

START_TEST(test_tcp_recorded_scenario_app)
{
	char err[256];
	struct net *net = net_create();
	ck_assert_msg(scenario_load_text(net, "{" SC_IF "\"listen\":[{\"proto\":\"tcp\",\"port\":443,\"app\":\"recorded\"}]}",
					 "t", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(__inet_lookup_listener(net, 0, htons(443))->app, APP_RECORDED);
	net_destroy(net);
	/* a capture's own UDP socket (a DNS client): takes what arrives, sends nothing */
	net = net_create();
	ck_assert_msg(scenario_load_text(net, "{" SC_IF "\"listen\":[{\"proto\":\"udp\",\"port\":53,\"app\":\"recorded\"}]}",
					 "t", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(__udp4_lib_lookup(net, 0, 0, nj_ip(NJ_HOST_IP), htons(53))->app, APP_RECORDED);
	net_destroy(net);
	net = net_create();
	ck_assert_int_lt(scenario_load_text(net, "{" SC_IF "\"listen\":[{\"proto\":\"udp\",\"port\":53,\"app\":\"http\"}]}",
					    "t", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "needs proto \"tcp\""));
	net_destroy(net);
}
END_TEST

/* A capture of the host's frames only: its SYN, its ACK of a SYN-ACK the
 * capture lacks, then its request. The ACK says the SYN-ACK reached the
 * host: the socket takes it as received (ESTABLISHED, the peer's ISN one
 * before the ACK field, its TSval as the host echoes it). After the
 * capture the tail loss probe sends the request from its first byte.
 * Before session 20 the socket stayed in SYN_SENT with snd_una at the
 * ISN, and the probe read from before its buffer (the byte at -1), a
 * crash fuzz_pcap found. */
START_TEST(test_tcp_recorded_probe_of_data_before_synack)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	char err[256];
	struct net *net = net_create();
	ck_assert_msg(scenario_load_text(net, "{" SC_IF "\"neighbours\":[{\"ip\":\"" NJ_PEER_IP "\",\"mac\":"
					 "\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\"connections\":[{\"proto\":\"tcp\","
					 "\"local\":\"" NJ_HOST_IP ":41030\",\"remote\":\"" NJ_PEER_IP ":80\",\"state\":"
					 "\"SYN_SENT\",\"isn\":30000,\"app\":\"recorded\",\"syn_options\":{\"mss\":1460,"
					 "\"sack_ok\":true,\"ts\":true,\"wscale\":7}}]}",
					 "t", err, sizeof(err)) == 0, "%s", err);
	nj_capture_tx(net);
	uint32_t h = nj_ip(NJ_HOST_IP), p = nj_ip(NJ_PEER_IP);
	tcp_recorded_ts(net, 1, 1000, 0);
	tcp_recorded_send(net, h, htons(41030), p, htons(80), 30000, 0, TCPHDR_SYN, NULL, 0);
	tcp_recorded_ts(net, 1, 1001, 777);
	tcp_recorded_send(net, h, htons(41030), p, htons(80), 30001, 1000, TCPHDR_ACK, NULL, 0);
	struct sock *sk = __inet_lookup_established(net, p, htons(80), h, htons(41030));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk->state, TCP_ESTABLISHED);
	ck_assert_uint_eq(sk->snd_una, 30001);		/* the SYN, acked by the missing SYN-ACK */
	ck_assert_uint_eq(sk->irs, 999);
	ck_assert_uint_eq(sk->rcv_nxt, 1000);
	ck_assert_uint_eq(sk->ts_recent, 777);
	ck_assert_uint_eq(tx(nj_tx.n - 1)->ack_seq, htonl(1000));	/* the host's ACK, as recorded */
	tcp_recorded_ts(net, 1, 1002, 0);
	tcp_recorded_send(net, h, htons(41030), p, htons(80), 30001, 1000, TCPHDR_ACK | TCPHDR_PSH, req,
			  sizeof(req) - 1);
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 0);	/* the capture's one SYN is no retransmission */
	int n0 = nj_tx.n;
	net->tr.after_capture = 1;
	for (int i = 0; i < 300 && !net->mib[MIB_TCPEXT_TCPLOSSPROBES]; i++) {
		net_set_time(net, net->now_ns + 10000000ULL);
		tcp_run_timers(net);
	}
	ck_assert_uint_eq(net->mib[MIB_TCPEXT_TCPLOSSPROBES], 1);
	ck_assert_int_eq(nj_tx.n, n0 + 1);
	ck_assert_uint_eq(ntohl(tx(n0)->seq), 30001);	/* the request again, from its first byte */
	ck_assert_uint_eq(tx_len(n0), sizeof(req) - 1);
	ck_assert_int_eq(memcmp((const uint8_t *)tx(n0) + (tx(n0)->doff_res >> 4) * 4, req, sizeof(req) - 1), 0);
	nj_net_free(net);
}
END_TEST

/* The capture's first SYN of a client socket is the one connect() sent;
 * the same SYN again a second later is a retransmission. */
START_TEST(test_tcp_recorded_first_syn_is_no_retransmission)
{
	char err[256];
	struct net *net = net_create();
	ck_assert_msg(scenario_load_text(net, "{" SC_IF "\"neighbours\":[{\"ip\":\"" NJ_PEER_IP "\",\"mac\":"
					 "\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\"connections\":[{\"proto\":\"tcp\","
					 "\"local\":\"" NJ_HOST_IP ":41031\",\"remote\":\"" NJ_PEER_IP ":80\",\"state\":"
					 "\"SYN_SENT\",\"isn\":50000,\"app\":\"recorded\"}]}",
					 "t", err, sizeof(err)) == 0, "%s", err);
	nj_capture_tx(net);
	uint32_t h = nj_ip(NJ_HOST_IP), p = nj_ip(NJ_PEER_IP);
	tcp_recorded_send(net, h, htons(41031), p, htons(80), 50000, 0, TCPHDR_SYN, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 1);
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 0);
	ck_assert_uint_eq(net->mib[MIB_TCP_OUTSEGS], 1);
	net_set_time(net, net->now_ns + 1000000000ULL);
	tcp_recorded_send(net, h, htons(41031), p, htons(80), 50000, 0, TCPHDR_SYN, NULL, 0);
	ck_assert_int_eq(nj_tx.n, 2);
	ck_assert_uint_eq(net->mib[MIB_TCP_RETRANSSEGS], 1);
	nj_net_free(net);
}
END_TEST

/* ---- the offload note ---- */

/* An Ethernet IPv4 frame from src, protocol proto, entering (the replay's
 * on_frame hook). */
static void hint_frame(struct offload_hint *h, int64_t pkt, const char *src, uint8_t proto)
{
	uint8_t f[34] = { 0 };
	uint32_t a = nj_ip(src);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 9] = proto;
	memcpy(f + 14 + 12, &a, 4);
	offload_hint_frame(h, pkt, 1, f, sizeof(f), sizeof(f));
}

static void hint_drop(struct offload_hint *h, int64_t pkt, enum skb_drop_reason r)
{
	struct trace_event ev = { .ph = 'i', .fn = "kfree_skb", .pkt = pkt, .reason = r, .verdict = V_DROP };
	offload_hint_emit(h, &ev);
}

static int hint_report(struct offload_hint *h, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	int r = offload_hint_report(h, f);
	fclose(f);
	return r;
}

START_TEST(test_offload_hint_most_bad)
{
	char out[512] = "";
	struct offload_hint *h = offload_hint_new();
	for (int i = 1; i <= 10; i++) {
		hint_frame(h, i, i % 2 ? "192.168.1.28" : "35.221.46.9", IPPROTO_TCP_);
		if (i % 2 && i != 9)
			hint_drop(h, i, SKB_DROP_REASON_TCP_CSUM);	/* 4 of 5 from .28 */
	}
	ck_assert_int_eq(hint_report(h, out, sizeof(out)), 1);
	ck_assert_ptr_nonnull(strstr(out, "most TCP/UDP checksums from 192.168.1.28 are wrong"));
	ck_assert_ptr_nonnull(strstr(out, "replay with --no-csum"));
}
END_TEST

START_TEST(test_offload_hint_few_bad)
{
	char out[512] = "";
	struct offload_hint *h = offload_hint_new();
	for (int i = 1; i <= 10; i++) {
		hint_frame(h, i, "10.0.0.1", IPPROTO_UDP_);
		if (i <= 4)
			hint_drop(h, i, SKB_DROP_REASON_UDP_CSUM);	/* 4 of 10: not most */
	}
	ck_assert_int_eq(hint_report(h, out, sizeof(out)), 0);
	h = offload_hint_new();
	hint_frame(h, 1, "10.0.0.1", IPPROTO_TCP_);
	hint_drop(h, 1, SKB_DROP_REASON_TCP_CSUM);	/* 1 of 1: too few to say */
	ck_assert_int_eq(hint_report(h, out, sizeof(out)), 0);
	ck_assert_int_eq(offload_hint_report(NULL, stderr), 0);
}
END_TEST

static Suite *tcp_recorded_suite(void)
{
	Suite *s = suite_create("tcp_recorded");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_tcp_recorded_synack_waits_for_capture);
	tcase_add_test(core, test_tcp_recorded_synack_before_syn);
	tcase_add_test(core, test_tcp_recorded_cookie);
	tcase_add_test(core, test_tcp_recorded_refused_request);
	tcase_add_test(core, test_tcp_recorded_synack_retransmitted);
	tcase_add_test(core, test_tcp_recorded_http_listener_adopts);
	tcase_add_test(core, test_tcp_recorded_data_and_ack);
	tcase_add_test(core, test_tcp_recorded_retransmission);
	tcase_add_test(core, test_tcp_recorded_fin_active_close);
	tcase_add_test(core, test_tcp_recorded_passive_close);
	tcase_add_test(core, test_tcp_recorded_rst);
	tcase_add_test(core, test_tcp_recorded_rst_on_request);
	tcase_add_test(core, test_tcp_recorded_listener_name);
	tcase_add_test(core, test_tcp_recorded_scenario_app);
	suite_add_tcase(s, core);
	TCase *lim = tcase_create("Limits");
	tcase_add_test(lim, test_tcp_recorded_gap_and_mss);
	tcase_add_test(lim, test_tcp_recorded_ack_of_lost_bytes);
	tcase_add_test(lim, test_tcp_recorded_no_socket);
	tcase_add_test(lim, test_tcp_recorded_probe_of_data_before_synack);
	tcase_add_test(lim, test_tcp_recorded_first_syn_is_no_retransmission);
	suite_add_tcase(s, lim);
	TCase *off = tcase_create("Offload");
	tcase_add_test(off, test_offload_hint_most_bad);
	tcase_add_test(off, test_offload_hint_few_bad);
	suite_add_tcase(s, off);
	return s;
}

NJ_TEST_MAIN(tcp_recorded_suite)
