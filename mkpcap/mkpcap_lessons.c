/*
 * mkpcap_lessons.c - scenario pcaps for the classroom labs (see mkpcap.h)
 * that no other table needs. own-web-server stands in for a student's own
 * capture: `tcpdump -i eth0 -w mine.pcap` on a small web server, so both
 * directions are in it, on a network that is not the default host's. It is
 * meant for `replay --auto-host`, which adopts the server as the host and
 * sends what the capture shows it sending.
 */
#include <string.h>

#include "ip.h"
#include "mkpcap.h"

static const uint8_t srv_mac[6] = { 0x02, 0x56, 0x00, 0x00, 0x00, 0x10 };
static const uint8_t cli_mac[6] = { 0x02, 0x56, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };	/* MSS 1460 */

/* One TCP segment of the conversation; to_srv says which way it goes. */
static void seg(struct mk_ctx *c, int to_srv, uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	static uint8_t frame[2048], l4[1600];
	uint32_t srv = pb_ip("192.168.56.10"), cli = pb_ip("192.168.56.1");
	uint32_t s = to_srv ? cli : srv, d = to_srv ? srv : cli;
	uint16_t sp = to_srv ? 51000 : 8080, dp = to_srv ? 8080 : 51000;
	size_t len = data ? strlen(data) : 0;
	int syn = flags & TCPHDR_SYN;
	struct pb_ipopt o = { .saddr = s, .daddr = d, .proto = IPPROTO_TCP_, .smac = to_srv ? cli_mac : srv_mac,
			      .dmac = to_srv ? srv_mac : cli_mac };
	size_t n = pb_tcp(l4, s, d, sp, dp, seq, ack, flags, 64240, syn ? mss_opt : NULL, syn ? 4 : 0, data, len, 0);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void own_web_server(struct mk_ctx *c)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: 192.168.56.10:8080\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";
	uint32_t cs = 1000, ss = 7000;			/* the two ISNs */
	uint32_t g = (uint32_t)strlen(get), k = (uint32_t)strlen(ok);
	seg(c, 1, cs, 0, TCPHDR_SYN, NULL);
	seg(c, 0, ss, cs + 1, TCPHDR_SYN | TCPHDR_ACK, NULL);
	seg(c, 1, cs + 1, ss + 1, TCPHDR_ACK, NULL);
	seg(c, 1, cs + 1, ss + 1, TCPHDR_ACK | TCPHDR_PSH, get);
	seg(c, 0, ss + 1, cs + 1 + g, TCPHDR_ACK | TCPHDR_PSH, ok);
	seg(c, 1, cs + 1 + g, ss + 1 + k, TCPHDR_ACK, NULL);
	seg(c, 1, cs + 1 + g, ss + 1 + k, TCPHDR_ACK | TCPHDR_FIN, NULL);	/* the client closes first */
	seg(c, 0, ss + 1 + k, cs + 2 + g, TCPHDR_ACK | TCPHDR_FIN, NULL);
	seg(c, 1, cs + 2 + g, ss + 2 + k, TCPHDR_ACK, NULL);
}

const struct mk_scenario mk_lessons_scenarios[] = {
	{ "own-web-server", "a capture taken on a web server (192.168.56.10:8080, both directions), for replay --auto-host",
	  own_web_server, NULL },
	{ NULL, NULL, NULL, NULL },
};
