/*
 * sock_apps.c - the applications behind the scenario's "listen" sockets.
 * Not a kernel file: these stand for user programs (an echo server, a
 * discard server, a tiny HTTP/1.0 server) calling recv/send/close. They
 * run in "process context" right after the softirq that woke them, and
 * always keep up: every wakeup reads the whole receive queue
 * (tcp_recvmsg / udp_recvmsg), so queues only fill when data cannot be
 * delivered in order. A socket in step with a replayed capture (the
 * "recorded" application, docs/design.md §4b) only reads: its writes and its
 * close come from the capture (tcp_recorded.c).
 */
#include "ipv6.h"
#include "tcp.h"

#include <string.h>

const char sock_http_page[] =
	"HTTP/1.0 200 OK\r\n"
	"Server: netjourney\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 60\r\n"
	"\r\n"
	"<html><body><h1>Hello from netjourney</h1></body></html>\r\n\r\n";
const unsigned sock_http_page_len = sizeof(sock_http_page) - 1;

/* The HTTP request is complete at the first blank line (CRLF CRLF). */
static int http_scan(struct sock *sk, const uint8_t *p, uint32_t n)
{
	static const char end[] = "\r\n\r\n";
	for (uint32_t i = 0; i < n && sk->http_state < 4; i++)
		sk->http_state = p[i] == (uint8_t)end[sk->http_state] ? sk->http_state + 1 : (p[i] == '\r');
	return sk->http_state == 4;
}

/* tcp_recvmsg: one read() of the receive queue into buf (up to cap bytes
 * kept). Without SO_OOBINLINE an urgent byte is not in the stream: a read
 * stops before it, and the next one steps over it (tcp_recvmsg_locked). */
static uint32_t tcp_recvmsg(struct net *net, struct sock *sk, uint8_t *buf, uint32_t cap)
{
	/* where the read is: needed only around an urgent byte */
	uint32_t got = 0, kept = 0, seq = sk->urg_data ? tcp_copied_seq(sk) : 0;
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->receive_queue))) {
		if (sk->urg_data && sk->urg_seq == seq) {
			if (got)
				break;
			tcp_urg_skip_head(net, sk);
			seq++;
			sk->urg_data = 0;	/* read past it */
			tcp_fast_path_check(sk);
			continue;
		}
		uint32_t n = skb->len, c;
		if (sk->urg_data && sk->urg_seq - seq < n)
			n = sk->urg_seq - seq;
		c = n < cap - kept ? n : cap - kept;
		memcpy(buf + kept, skb->data, c);
		kept += c;
		got += n;
		seq += n;
		sk->rmem -= n;
		if (n < skb->len)
			skb_pull(skb, n);
		else
			kfree_skb(net, skb_dequeue(&sk->receive_queue));
	}
	sk->app_bytes += got;
	sk_mem_reclaim(sk);	/* sock_rfree → sk_mem_uncharge, per skb */
	tcp_cleanup_rbuf(net, sk, got);
	return kept;
}

/* poll()'s POLLIN (tcp_poll, tcp_epollin_ready): an urgent byte next in
 * line needs a byte more than itself to make the socket readable. */
static int tcp_readable(const struct sock *sk)
{
	if (!sk->urg_data)
		return skb_queue_len(&sk->receive_queue) != 0;
	return tcp_rcvq_bytes(sk) >= 1u + (sk->urg_seq == tcp_copied_seq(sk));
}

static void app_answer(struct net *net, struct sock *sk, const uint8_t *buf, uint32_t n)
{
	switch (sk->app) {
	case APP_ECHO:
		if (n && !sk->app_closed) {
			trace_step(net, NULL, "tcp_sendmsg", "echo writes the %u bytes back", n);
			tcp_sendmsg(net, sk, buf, n);
		}
		break;
	case APP_HTTP:
		if (!sk->http_done && http_scan(sk, buf, n)) {
			sk->http_done = 1;
			trace_step(net, NULL, "tcp_sendmsg", "http: request complete (blank line): %u-byte reply, "
				   "then close (HTTP/1.0)", sock_http_page_len);
			tcp_sendmsg(net, sk, sock_http_page, sock_http_page_len);
			tcp_close(net, sk);
		}
		break;
	default:
		break;	/* discard: read and forget */
	}
}

void sock_app_wakeup(struct net *net, struct sock *sk)
{
	static uint8_t buf[65536];
	uint32_t n;

	sk->data_ready = 0;
	if (sk->app_closed && !skb_queue_len(&sk->receive_queue))
		return;	/* nobody is reading any more */
	trace_enter(net, NULL, "sk_data_ready", "app", "%s application on %s wakes up", sock_app_name(sk->app),
		    sk_fmt(sk));
	n = tcp_recvmsg(net, sk, buf, sizeof(buf));
	if (n)
		trace_step(net, NULL, "tcp_recvmsg", "read %u bytes", n);
	if (sk->recorded) {
		/* docs/design.md §4b: the capture's own application answers. */
		while (tcp_readable(sk) && tcp_recvmsg(net, sk, buf, sizeof(buf)))
			;
		trace_exit(net, NULL, n ? V_CONSUMED : V_PASS, 0, "%s", "in step with a capture: what the application "
			   "writes, and when it closes, comes from the recorded host's segments");
		return;
	}
	app_answer(net, sk, buf, n);
	/* poll() again: a read that stopped at an urgent byte leaves more */
	for (uint32_t m; tcp_readable(sk) && (m = tcp_recvmsg(net, sk, buf, sizeof(buf))); n += m) {
		trace_step(net, NULL, "tcp_recvmsg", "read %u bytes (after the urgent byte)", m);
		app_answer(net, sk, buf, m);
	}
	if ((sk->shutdown & RCV_SHUTDOWN) && !sk->app_closed &&
	    (sk->state == TCP_CLOSE_WAIT || sk->state == TCP_ESTABLISHED)) {
		/* recv() returned 0: the peer closed; so do we. */
		trace_step(net, NULL, "tcp_close", "recv() returned 0 (peer's FIN): the application closes");
		tcp_close(net, sk);
	}
	/* The data's fate: read by the application. */
	trace_exit(net, NULL, n ? V_CONSUMED : V_PASS, 0, "%s", n ? "data read" : "");
}

/* The echo application's sendto of what it read (skb): 1 when it sleeps,
 * keeping skb for when it wakes; else skb is freed. */
static int udp_app_echo(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	const struct udphdr *uh = (const struct udphdr *)skb->data;
	uint32_t n = skb->len - (uint32_t)sizeof(*uh);
	int r = skb->protocol == ETH_P_IPV6
		? udpv6_sendmsg(net, sk, &ipv6_hdr(skb)->saddr, uh->source, uh + 1, n, IP6CB(skb)->iif)
		: udp_sendmsg(net, sk, ip_hdr(skb)->saddr, uh->source, uh + 1, n);
	if (r == UDP_SEND_BLOCKED) {
		sk->send_blocked = 1;
		sk->send_pending = skb;
		return 1;
	}
	kfree_skb(net, skb);
	return 0;
}

void udp_app_deliver(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	uint32_t n = skb->len - (uint32_t)sizeof(struct udphdr);

	int v6 = skb->protocol == ETH_P_IPV6;
	trace_enter(net, skb, v6 ? "udpv6_recvmsg" : "udp_recvmsg", "app", "%s application reads %u bytes",
		    sock_app_name(sk->app), n);
	SNMP_INC(net, v6 ? MIB_UDP6_INDATAGRAMS : MIB_UDP_INDATAGRAMS);	/* counted when read, as Linux does */
	sk->app_bytes += n;
	sk->rmem -= skb->truesize;
	int slept = 0;
	if (sk->app == APP_ECHO)
		slept = udp_app_echo(net, sk, skb);
	else
		kfree_skb(net, skb);
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", slept ? "read; the application sleeps in sendto with its echo"
					       : sk->app == APP_ECHO ? "echoed" : "discarded");
}

/* A sleeping echo application woken (sock_def_write_space): its sendto
 * goes through now, then it reads on until the queue is empty or the
 * buffer is full again. */
static void udp_app_wake(struct net *net, struct sock *sk)
{
	struct sk_buff *skb = sk->send_pending;
	sk->send_pending = NULL;
	sk->send_blocked = 0;
	trace_enter(net, NULL, "sock_def_write_space", "app", "%s socket %s: %u of sndbuf %u bytes held, under half: "
		    "the %s application wakes in sendto", "UDP", sk_fmt(sk), sk->wmem_alloc, sk->sndbuf,
		    sock_app_name(sk->app));
	if (skb && udp_app_echo(net, sk, skb)) {
		trace_exit(net, NULL, V_QUEUED, 0, "asleep again");
		return;
	}
	while (!sk->send_blocked && (skb = skb_dequeue(&sk->receive_queue)))
		udp_app_deliver(net, sk, skb);
	trace_exit(net, NULL, V_PASS, 0, "%s", sk->send_blocked ? "asleep again" : "the queue is read");
}

void sock_app_wakeups(struct net *net)
{
	struct sock_table *t = net->socks;
	struct sock *sk;
	while (t && (sk = t->wakeups)) {
		t->wakeups = sk->wake_next;
		sk->wake_next = NULL;
		sk->write_space = 0;
		udp_app_wake(net, sk);
	}
}
