/*
 * fuzz_scenario.c - libFuzzer target "scenario": JSON text through
 * scenario_load_text (cJSON, then every section parser: interfaces,
 * routes, neighbours, listen, netfilter, packet_sockets and their tcpdump
 * filters). A host that loads then receives a few fixed frames (ping, a
 * SYN to port 80, a UDP datagram, a fragment, an ARP request) so that what
 * the loader built (rules, sockets, filters, routes) is exercised too.
 */
#include "fuzz_common.h"
#include "dissect.h"
#include "ip_fragment.h"
#include "source_pcap.h"
#include "tcp.h"

/* Fixed frames from the default peer 02:..:aa 10.0.0.1 to 10.0.0.2 (checksums
 * need not be right: a wrong one is one more path). Built once. */
static uint8_t frames[5][128];
static uint32_t frame_len[5];

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t ip_frame(uint8_t *f, uint8_t proto, uint16_t frag, const uint8_t *l4, uint32_t l4len)
{
	static const uint8_t hdr[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0xaa, 0x08, 0x00 };
	memcpy(f, hdr, 14);
	uint8_t *ip = f + 14;
	uint16_t tot = (uint16_t)(20 + l4len);
	const uint8_t iph[20] = { 0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0x12, 0x34,
				  (uint8_t)(frag >> 8), (uint8_t)frag, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	memcpy(ip, iph, 20);
	uint16_t c = csum16(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(ip + 20, l4, l4len);
	return 34 + l4len;
}

static void build_frames(void)
{
	uint8_t icmp[16] = { 8, 0, 0, 0, 0, 1, 0, 1, 'p', 'i', 'n', 'g', 0, 0, 0, 0 };
	uint16_t c = csum16(icmp, sizeof(icmp));
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	frame_len[0] = ip_frame(frames[0], 1, 0, icmp, sizeof(icmp));
	const uint8_t syn[20] = { 0x9c, 0x40, 0, 80, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff };
	frame_len[1] = ip_frame(frames[1], 6, 0, syn, sizeof(syn));
	const uint8_t udp[12] = { 0x9c, 0x41, 0, 7, 0, 12, 0, 0, 'e', 'c', 'h', 'o' };
	frame_len[2] = ip_frame(frames[2], 17, 0, udp, sizeof(udp));
	frame_len[3] = ip_frame(frames[3], 17, 0x2000, udp, 8);	/* MF, offset 0 */
	static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0xaa, 0x08, 0x06,
					 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0xaa, 10, 0, 0, 1,
					 0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };
	memcpy(frames[4], arp, sizeof(arp));
	frame_len[4] = sizeof(arp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	build_frames();
	atexit(fuzz_jw_free);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1);
	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = 0;
	char err[512];
	struct net *net = net_create();
	if (!net)
		abort();
	trace_add_sink(net, fuzz_sink, NULL);
	if (scenario_load_text(net, json, "fuzz", err, sizeof(err)) == 0 && net->ndevs > 0) {
		for (int i = 0; i < 5; i++) {
			net_set_time(net, (uint64_t)(i + 1) * 1000000000ULL);
			driver_rx(net, &net->devs[0], NJ_DLT_EN10MB, frames[i], frame_len[i], frame_len[i], 0);
			net_rx_action(net);
		}
		net_set_time(net, 100ULL * 1000000000ULL);
		ip_frag_run_timers(net);
		tcp_run_timers(net);
	}
	if (net->tr.depth != 0)
		abort();
	net_destroy(net);
	free(json);
	return 0;
}
