/*
 * fuzz_rx.c - libFuzzer target "rx": frames through the whole receive path
 * of the default host (driver_rx → netif_rx → net_rx_action → IP, reassembly,
 * ICMP, UDP, TCP, ARP, the applications), with the clock advanced between
 * frames so fragment and TCP timers fire, as replay does.
 *
 * Input: byte 0 picks the link type (mostly Ethernet); then records of
 * [len: u16 LE][dt: u8][len bytes]. dt & 0x7f is the clock step before the
 * frame in 250 ms units (0 = same burst, up to ~32 s, so two steps pass the
 * 30 s fragment timeout); dt & 0x80 marks the frame cut short by the
 * capture (wire length 64 bytes longer). A short last record takes what is
 * left. tests/fuzz/seeds.py turns pcaps into this form.
 */
#include "fuzz_common.h"
#include "dissect.h"
#include "ip_fragment.h"
#include "source_pcap.h"
#include "tcp.h"

#define FUZZ_MAX_FRAMES 512

static void advance(struct net *net, uint64_t t)
{
	if (t <= net->now_ns)
		return;
	net_rx_action(net);
	net_set_time(net, t);
	ip_frag_run_timers(net);
	tcp_run_timers(net);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(fuzz_jw_free);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[8] = { NJ_DLT_EN10MB, NJ_DLT_EN10MB, NJ_DLT_EN10MB, NJ_DLT_EN10MB,
				     NJ_DLT_EN10MB, NJ_DLT_LINUX_SLL, NJ_DLT_LINUX_SLL2, NJ_DLT_RAW };
	struct fuzz_in in = { data, size };
	if (!size)
		return 0;
	int dlt = dlts[fuzz_take(&in, 1) & 7];
	struct net *net = fuzz_default_net();
	uint64_t t = 1700000000ULL * 1000000000ULL;
	net_set_time(net, t);
	for (int i = 0; in.n >= 3 && i < FUZZ_MAX_FRAMES; i++) {
		uint32_t len = fuzz_take(&in, 2);
		uint32_t dt = fuzz_take(&in, 1);
		if (len > in.n)
			len = (uint32_t)in.n;
		t += (uint64_t)(dt & 0x7f) * 250000000ULL;
		advance(net, t);
		net->cur_pkt = i + 1;
		driver_rx(net, &net->devs[0], dlt, in.p, len, len + (dt & 0x80 ? 64 : 0), 0);
		net->cur_pkt = -1;
		in.p += len;
		in.n -= len;
		if (skb_queue_len(&net->sd.input_pkt_queue) >= (uint32_t)net->sysctl.netdev_budget)
			net_rx_action(net);
	}
	net_rx_action(net);
	/* Let every timer run out: reassembly queues expire, TIME_WAIT ends. */
	advance(net, t + 40ULL * 1000000000ULL);
	advance(net, t + 200ULL * 1000000000ULL);
	if (net->tr.depth != 0)
		abort();		/* an unbalanced trace frame is a bug */
	net_destroy(net);
	return 0;
}
