/*
 * replay_extra.c - optional replay outputs (see replay_extra.h).
 */
#include "replay_extra.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "af_packet.h"
#include "ip_fragment.h"

static int open_dump(void **dead, void **dump, int dlt, const char *path, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
	if (!d) {
		snprintf(err, errlen, "%s: cannot write: %s", path, p ? pcap_geterr(p) : "no memory");
		if (p)
			pcap_close(p);
		return -1;
	}
	*dead = p;
	*dump = d;
	return 0;
}

static void dump_frame(void *dump, uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000ULL / 1000);
	h.caplen = caplen;
	h.len = len;
	pcap_dump(dump, &h, data);
}

/* ip_frag_reasm_fn: each reassembled datagram, data at the IP header. */
static void on_reasm(void *ctx, struct net *net, const struct sk_buff *skb)
{
	struct replay_extra *x = ctx;
	dump_frame(x->reasm_dump, net->now_ns, skb->data, skb->len, skb->len);
	x->reasm_count++;
}

static int setup_tap(struct replay_extra *x, int i, struct net *net, char *err, size_t errlen)
{
	char name[64];
	const char *eq = strchr(x->tap_spec[i], '=');
	if (!eq || eq == x->tap_spec[i] || !eq[1] || (size_t)(eq - x->tap_spec[i]) >= sizeof(name)) {
		snprintf(err, errlen, "--tap-out %s: expected NAME=FILE.pcap", x->tap_spec[i]);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - x->tap_spec[i]), x->tap_spec[i]);
	x->tap[i] = packet_sock_lookup(net, name);
	if (!x->tap[i]) {
		snprintf(err, errlen, "--tap-out: the scenario has no packet socket named '%s'", name);
		return -1;
	}
	return open_dump(&x->tap_dead[i], &x->tap_dump[i], packet_sock_linktype(x->tap[i]), eq + 1, err, errlen);
}

int replay_extra_setup(void *ctx, struct net *net, char *err, size_t errlen)
{
	struct replay_extra *x = ctx;
	if (x->reasm_out) {
		if (open_dump(&x->reasm_dead, &x->reasm_dump, DLT_RAW, x->reasm_out, err, errlen) < 0)
			return -1;
		ip_frag_set_reasm_cb(net, on_reasm, x);
	}
	for (int i = 0; i < x->ntaps; i++)
		if (setup_tap(x, i, net, err, errlen) < 0)
			return -1;
	if (x->bpf_trace)
		for (struct packet_sock *po = net->packet_socks; po; po = po->next)
			po->trace_bpf = 1;
	return 0;
}

void replay_extra_drain(struct replay_extra *x)
{
	for (int i = 0; i < x->ntaps; i++) {
		struct packet_frame *f;
		if (!x->tap[i])
			continue;
		while ((f = packet_recvmsg(x->tap[i]))) {
			dump_frame(x->tap_dump[i], f->ts_ns, f->data, f->caplen, f->origlen);
			x->tap_count[i]++;
			free(f);
		}
	}
}

uint64_t replay_extra_close(struct replay_extra *x)
{
	uint64_t n = x->reasm_count;
	if (x->reasm_dump)
		pcap_dump_close(x->reasm_dump);
	if (x->reasm_dead)
		pcap_close(x->reasm_dead);
	for (int i = 0; i < x->ntaps; i++) {
		n += x->tap_count[i];
		if (x->tap_dump[i])
			pcap_dump_close(x->tap_dump[i]);
		if (x->tap_dead[i])
			pcap_close(x->tap_dead[i]);
		x->tap[i] = NULL;
	}
	x->reasm_dump = x->reasm_dead = NULL;
	return n;
}
