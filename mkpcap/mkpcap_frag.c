/*
 * mkpcap_frag.c - scenario pcaps for IPv4 reassembly (stack/ip_fragment.c):
 * arrival orders, duplicates, overlaps under 6.x and 2.4 rules, teardrop,
 * timeouts with and without the first fragment, the 64 KiB limit ("ping of
 * death"), tiny fragments (RFC 1858), odd lengths, many datagrams at once
 * and a flood against ipfrag_high_thresh. The peer 10.0.0.1 pings or
 * sends UDP to the default host 10.0.0.2; cut points are in comments as
 * payload byte ranges [start,end).
 */
#include <string.h>

#include "ip.h"
#include "mkpcap.h"

#define HOST "10.0.0.2"
#define PEER "10.0.0.1"
#define SEC_US 1000000ULL

static uint8_t frame[2048];
static uint8_t dgram[70000];		/* the datagram's payload (ICMP/UDP/TCP bytes) */

/* The default host run as Linux 2.4: trimming, the LRU evictor and 2.4's
 * 256 KiB / 192 KiB fragment memory limits. */
#define SCENARIO_24 \
	"{\n" \
	"  \"kernel\": \"2.4\",\n" \
	"  \"frag\": {\"high_thresh\": 262144, \"low_thresh\": 196608, \"time\": 30},\n" \
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\"],\"mtu\":1500}],\n" \
	"  \"routes\": [{\"dst\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\",\"dev\":\"eth0\"}],\n" \
	"  \"neighbours\": [{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n" \
	"  \"forwarding\": false, \"rp_filter\": 0,\n" \
	"  \"listen\": [{\"proto\":\"tcp\",\"port\":80,\"app\":\"http\"},{\"proto\":\"udp\",\"port\":7,\"app\":\"echo\"}]\n" \
	"}\n"

static struct pb_ipopt frag_opt(uint8_t proto, uint16_t id)
{
	struct pb_ipopt o = { .saddr = pb_ip(PEER), .daddr = pb_ip(HOST), .proto = proto, .id = id };
	return o;
}

/* One fragment: payload [off, off+len) of dgram; mf says more follow. */
static void emit_frag(struct mk_ctx *c, struct pb_ipopt o, uint32_t off, uint32_t len, int mf)
{
	o.frag = (uint16_t)((mf ? IP_MF : 0) | (off >> 3));
	mk_emit(c, frame, pb_eth_ip(frame, &o, dgram + off, len));
}

/* An echo request of 8 + 3000 bytes, the pieces a 1500-byte MTU makes:
 * [0,1480) [1480,2960) [2960,3008). */
#define ECHO_LEN 3008
static const uint32_t echo_off[3] = { 0, 1480, 2960 };
static const uint32_t echo_len[3] = { 1480, 1480, 48 };

static void echo_piece(struct mk_ctx *c, uint16_t id, int i)
{
	emit_frag(c, frag_opt(IPPROTO_ICMP_, id), echo_off[i], echo_len[i], i < 2);
}

static void echo_prepare(uint16_t seq) { pb_icmp_echo(dgram, ICMP_ECHO, 0x4a4a, seq, ECHO_LEN - 8); }

/* A plain ping after a pause, so a replay's clock passes the 30 s timer. */
static void ping_later(struct mk_ctx *c, uint64_t us)
{
	static uint8_t l4[64];
	struct pb_ipopt o = frag_opt(IPPROTO_ICMP_, 0x7777);
	mk_advance(c, us);
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 0x4a4b, 99, 56);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));
}

static void frag_in_order(struct mk_ctx *c)
{
	echo_prepare(1);
	for (int i = 0; i < 3; i++)
		echo_piece(c, 0x1c46, i);
}

static void frag_reverse(struct mk_ctx *c)
{
	echo_prepare(1);
	for (int i = 2; i >= 0; i--)
		echo_piece(c, 0x1c46, i);
}

/* Six 504-byte pieces and a tail: [0,504) … [2520,3008), sent 3,0,5,1,4,2. */
static void frag_out_of_order(struct mk_ctx *c)
{
	static const int order[6] = { 3, 0, 5, 1, 4, 2 };
	echo_prepare(1);
	for (int k = 0; k < 6; k++) {
		uint32_t off = (uint32_t)order[k] * 504;
		emit_frag(c, frag_opt(IPPROTO_ICMP_, 0x1c47), off, order[k] == 5 ? ECHO_LEN - off : 504, order[k] != 5);
	}
}

/* [1480,2960) arrives twice: the copy is DUP_FRAG, the datagram completes. */
static void frag_duplicate(struct mk_ctx *c)
{
	echo_prepare(1);
	echo_piece(c, 0x1c48, 0);
	echo_piece(c, 0x1c48, 1);
	echo_piece(c, 0x1c48, 1);
	echo_piece(c, 0x1c48, 2);
}

/* [0,1480), then [1000,2480) overlapping it by 480 (same bytes), then
 * [2480,3008). 6.x: ReasmOverlaps, the datagram is gone; 2.4: trimmed,
 * the ping is answered. */
static void frag_overlap(struct mk_ctx *c)
{
	struct pb_ipopt o = frag_opt(IPPROTO_ICMP_, 0x1c49);
	echo_prepare(1);
	emit_frag(c, o, 0, 1480, 1);
	emit_frag(c, o, 1000, 1480, 1);
	emit_frag(c, o, 2480, ECHO_LEN - 2480, 0);
}

/* teardrop (1997): [0,36) MF, then a last fragment [24,28) inside it.
 * Linux 2.0 computed a negative length from this and crashed; since then a
 * last fragment ending before data already held is corrupt. 6.x discards
 * the datagram (ReasmFails); 2.4 drops just that fragment, and the queue
 * later times out (first piece held: ICMP time exceeded). */
static void frag_teardrop(struct mk_ctx *c)
{
	struct pb_ipopt o = frag_opt(IPPROTO_UDP_, 0x0242);
	memset(dgram, 0, sizeof(dgram));	/* the payload at dgram + 100 too: --all runs scenarios in turn */
	pb_udp(dgram, o.saddr, o.daddr, 31337, 7, dgram + 100, 28, 0);
	emit_frag(c, o, 0, 36, 1);
	emit_frag(c, o, 24, 4, 0);
	ping_later(c, 31 * SEC_US);
}

/* [0,1480) and [2960,3008) arrive, the middle never does: after 30 s the
 * queue expires (ReasmTimeout) and ICMP time exceeded goes back. */
static void frag_timeout(struct mk_ctx *c)
{
	echo_prepare(1);
	echo_piece(c, 0x1c4a, 0);
	echo_piece(c, 0x1c4a, 2);
	ping_later(c, 31 * SEC_US);
}

/* The capture ends while the queue waits: the expiry (ReasmTimeout,
 * ReasmFails, ICMP time exceeded: the first fragment came) happens 30 s
 * after the last frame, in the time the replay runs on. */
static void frag_timeout_at_end(struct mk_ctx *c)
{
	echo_prepare(1);
	echo_piece(c, 0x1c4c, 0);
	echo_piece(c, 0x1c4c, 2);
}

/* Only [1480,2960) and [2960,3008): no first fragment, so no ICMP. */
static void frag_timeout_no_first(struct mk_ctx *c)
{
	echo_prepare(1);
	echo_piece(c, 0x1c4b, 1);
	echo_piece(c, 0x1c4b, 2);
	ping_later(c, 31 * SEC_US);
}

/* ping of death: 45 pieces of 1480 reach [65120,66600): 20 + 66600 bytes
 * cannot be one datagram (tot_len is 16 bits). Fails in ip_frag_reasm. */
static void frag_oversized(struct mk_ctx *c)
{
	struct pb_ipopt o = frag_opt(IPPROTO_ICMP_, 0x0d1e);
	pb_icmp_echo(dgram, ICMP_ECHO, 0x4a4a, 1, 66600 - 8);
	c->step_us = 100;
	for (uint32_t off = 0; off < 66600; off += 1480)
		emit_frag(c, o, off, 1480, off + 1480 < 66600);
}

/* RFC 1858's tiny fragments: a TCP SYN to port 80 in 8-byte pieces, so
 * the first holds only the ports and sequence number and the flags come
 * in the second. Linux reassembles it; the SYN is answered. */
static void frag_tiny(struct mk_ctx *c)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct pb_ipopt o = frag_opt(IPPROTO_TCP_, 0x71e1);
	size_t n = pb_tcp(dgram, o.saddr, o.daddr, 40000, 80, 1000, 0, TCPHDR_SYN, 64240, mss, 4, NULL, 0, 0);
	for (uint32_t off = 0; off < n; off += 8)
		emit_frag(c, o, off, n - off > 8 ? 8 : (uint32_t)(n - off), off + 8 < n);
}

/* A non-last piece of 1483 bytes: only the last may end off an 8-byte
 * boundary, so ip_frag_queue keeps [0,1480); [1480,3008) completes it. */
static void frag_odd_length(struct mk_ctx *c)
{
	struct pb_ipopt o = frag_opt(IPPROTO_ICMP_, 0x1c4c);
	echo_prepare(1);
	emit_frag(c, o, 0, 1483, 1);
	emit_frag(c, o, 1480, ECHO_LEN - 1480, 0);
}

/* --count N (default 32) echo requests in flight at once: every first
 * piece, then every second, then every last: N queues side by side. */
static void frag_many(struct mk_ctx *c)
{
	unsigned long n = c->param ? c->param : 32;
	c->step_us = 100;
	for (int i = 0; i < 3; i++)
		for (unsigned long k = 0; k < n; k++) {
			echo_prepare((uint16_t)(k + 1));
			echo_piece(c, (uint16_t)(0x2000 + k), i);
		}
}

/* --count N (default 4096: the most diff-kernel takes, and enough small
 * fragments to fill 4 MiB) first fragments with distinct ids that never
 * complete: 6.x refuses new queues past ipfrag_high_thresh (4 MiB); the
 * 2.4 twin evicts the oldest queues past its 256 KiB. */
static void frag_flood(struct mk_ctx *c)
{
	unsigned long n = c->param ? c->param : 4096;
	memset(dgram, 0x55, 8);
	c->step_us = 10;
	for (unsigned long k = 0; k < n; k++) {
		struct pb_ipopt o = frag_opt(IPPROTO_UDP_, (uint16_t)k);
		o.saddr = htonl(ntohl(pb_ip("10.0.0.1")) + (uint32_t)(k >> 16) * 0x100u);
		emit_frag(c, o, 0, 8, 1);
	}
}

const struct mk_scenario mk_frag_scenarios[] = {
	{ "frag-in-order", "a 3008-byte echo request in three fragments, in order: reassembled, answered", frag_in_order, NULL },
	{ "frag-reverse", "the same three fragments last first", frag_reverse, NULL },
	{ "frag-out-of-order", "six fragments sent 3,0,5,1,4,2", frag_out_of_order, NULL },
	{ "frag-duplicate", "the middle fragment twice: DUP_FRAG, then the datagram completes", frag_duplicate, NULL },
	{ "frag-overlap", "fragments overlapping by 480 bytes: 6.x discards the datagram (IpExt.ReasmOverlaps)", frag_overlap, NULL },
	{ "frag-overlap-2.4", "the same overlap on Linux 2.4: trimmed and reassembled", frag_overlap, SCENARIO_24 },
	{ "frag-teardrop", "teardrop: a last fragment inside the first; 6.x discards the datagram as corrupt", frag_teardrop, NULL },
	{ "frag-teardrop-2.4", "teardrop on Linux 2.4: only the bad fragment is dropped; the queue times out (ICMP)", frag_teardrop, SCENARIO_24 },
	{ "frag-timeout", "the middle fragment never comes: ReasmTimeout after 30 s, ICMP time exceeded", frag_timeout, NULL },
	{ "frag-timeout-at-end", "the capture ends while a queue waits for its middle fragment: 30 s after the last "
	  "frame, ip_expire (ReasmTimeout, ReasmFails) and ICMP time exceeded", frag_timeout_at_end, NULL },
	{ "frag-timeout-no-first", "no first fragment: the queue times out without ICMP", frag_timeout_no_first, NULL },
	{ "frag-oversized", "ping of death: fragments reaching past 65535 bytes (ReasmFails in ip_frag_reasm)", frag_oversized, NULL },
	{ "frag-tiny", "RFC 1858 tiny fragments: a TCP SYN in 8-byte pieces", frag_tiny, NULL },
	{ "frag-odd-length", "a non-last fragment of 1483 bytes: end rounded down to 1480", frag_odd_length, NULL },
	{ "frag-many", "--count N (32) echo requests fragmented and interleaved: N queues at once", frag_many, NULL },
	{ "frag-flood", "--count N (4096) unfinished datagrams: refused past ipfrag_high_thresh (ReasmFails)", frag_flood, NULL },
	{ "frag-flood-2.4", "the same flood on Linux 2.4: the LRU evictor drops the oldest queues", frag_flood, SCENARIO_24 },
	{ NULL, NULL, NULL, NULL },
};
