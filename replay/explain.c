/*
 * explain.c - the capture-level explanation (see explain.h). Not a kernel
 * file: it reads the totals the way a person would and says the one thing
 * that explains most packets.
 */
#include "explain.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "frame.h"
#include "host_infer.h"

void explain_frame(void *ctx, int64_t pkt, int dlt, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct explain *x = ctx;
	struct frame_l2 l2;
	size_t avail;
	x->cur_pkt = pkt;
	x->cur_big = len > 1518;
	const uint8_t *ip = frame_ipv4(dlt, data, caplen < 96 ? caplen : 96, &l2, &avail);
	x->cur_tot0 = ip && !ip[2] && !ip[3];
	size_t hl = ip ? (size_t)(ip[0] & 15) * 4 : 0;
	unsigned dport = ip && ip[9] == 17 && avail >= hl + 4 ? (unsigned)(ip[hl + 2] << 8 | ip[hl + 3]) : 0;
	x->cur_tunnel = ip && (ip[9] == 47 || ip[9] == 4 || dport == 4789 || dport == 6081);
	x->cur_big = x->cur_big && l2.proto == 0x0800;
}

void explain_emit(void *ctx, const struct trace_event *ev)
{
	struct explain *x = ctx;
	if (ev->pkt < 0)
		return;
	if (ev->ph == 'E' && trace_fn_is(ev->fn, "driver_rx") && ev->pkt == x->cur_pkt) {
		int sent = ev->verdict == V_SENT;
		x->sent += sent;
		*(sent ? &x->big_tx : &x->big_rx) += x->cur_big && !x->cur_tot0;
		*(sent ? &x->tot0_tx : &x->tot0_rx) += x->cur_tot0;
		x->tunnel_rx += !sent && x->cur_tunnel;
		x->cur_pkt = -1;
	}
	else if (ev->ph == 'i' && ev->reason > 0 && ev->reason < SKB_DROP_REASON_MAX &&
		 trace_fn_is(ev->fn, "kfree_skb"))
		x->drops[ev->reason]++;
}

/* 1776 → "1,776" */
static const char *grouped(uint64_t v, char *b, size_t bl)
{
	char raw[32];
	int n = snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v), k = 0;
	for (int i = 0; i < n && (size_t)k + 2 < bl; i++) {
		if (i && (n - i) % 3 == 0)
			b[k++] = ',';
		b[k++] = raw[i];
	}
	b[k] = 0;
	return b;
}

/* Most packets went to other hosts: name the capture's host if it has one. */
static void explain_otherhost(uint64_t oh, const struct replay_result *res, const char *pcap, const char *scenario,
			      char *out, size_t ol)
{
	char a[32], b[32], err[256];
	struct host_infer h;
	int k = snprintf(out, ol, "%s of %s packets were for other hosts", grouped(oh, a, sizeof(a)),
			 grouped(res->frames, b, sizeof(b)));
	if (k < 0 || (size_t)k >= ol)
		return;
	if (host_infer(pcap, NULL, 1, &h, err, sizeof(err)) < 0)
		return;
	if (h.kind == HOST_INFERRED)
		snprintf(out + k, ol - (size_t)k, ": this capture was taken on %s%s - try --host %s", h.addr,
			 scenario ? ", not on the scenario's host" : "", h.addr);
	else
		snprintf(out + k, ol - (size_t)k, ": no host sends or receives most of them, as on a LAN segment or "
			 "at a router; choose one with --host IP|MAC, or describe the router with -c FILE");
	host_infer_free(&h);
}

/* Frames no wire carries: segmentation offload (TSO/GSO) on the sender,
 * GRO/LRO on the receiver, both before the capture point. */
static void explain_offload(const struct explain *x, char *out, size_t ol, int k)
{
	char a[32];
	if (k < 0 || (size_t)k >= ol)
		return;
	if (x->big_tx + x->tot0_tx)
		k += snprintf(out + k, ol - (size_t)k, ". %s frames the host sent are longer than its MTU or say tot_len 0: "
			      "segmentation offload (TSO) cuts them up after the capture point; they are transmits",
			      grouped(x->big_tx + x->tot0_tx, a, sizeof(a)));
	if (x->big_rx && k > 0 && (size_t)k < ol)
		k += snprintf(out + k, ol - (size_t)k, ". %s frames it received are longer than the MTU: GRO/LRO merged "
			      "them before the capture point, and the stack takes them as Linux's ip_rcv does after GRO",
			      grouped(x->big_rx, a, sizeof(a)));
	if (x->tunnel_rx && k > 0 && (size_t)k < ol)
		k += snprintf(out + k, ol - (size_t)k, ". %s packets it received are tunnelled (GRE, IPIP, VXLAN or "
			      "Geneve) and the host has no tunnel device: they end as on a Linux host without one",
			      grouped(x->tunnel_rx, a, sizeof(a)));
	if (x->tot0_rx && k > 0 && (size_t)k < ol)
		snprintf(out + k, ol - (size_t)k, ". %s frames it received say tot_len 0: segmentation-offload frames "
			 "captured on their sender, which no wire carries (ip_rcv refuses them as IP_INHDR); were they "
			 "sent by the host? try --host with the sender", grouped(x->tot0_rx, a, sizeof(a)));
}

void explain_text(const struct explain *x, const struct replay_result *res, const char *pcap,
		  const char *scenario, char *out, size_t ol)
{
	char a[32], b[32], c[32];
	uint64_t oh = x->drops[SKB_DROP_REASON_OTHERHOST] + x->drops[SKB_DROP_REASON_IP_INADDRERRORS];
	uint64_t n = res->frames, top = 0;
	int topr = 0;

	out[0] = 0;
	if (!n)
		return;
	if (oh * 2 > n) {
		explain_otherhost(oh, res, pcap, scenario, out, ol);
		return;
	}
	if (res->host_kind != HOST_INFERRED && !x->sent && !x->big_rx && !x->tot0_rx && !x->tunnel_rx)
		return;	/* the scenario's own host: the totals say it all */
	for (int r = 1; r < SKB_DROP_REASON_MAX; r++)
		if (x->drops[r] > top) {
			top = x->drops[r];
			topr = r;
		}
	int k = 0;
	if (res->host_kind == HOST_INFERRED)
		k = snprintf(out, ol, "replayed on the capture host %s: ", res->host_addr);
	if (k < 0 || (size_t)k >= ol)
		return;
	k += snprintf(out + k, ol - (size_t)k, "of %s packets, %s were sent by the host itself (shown as recorded "
		      "transmits) and %s received", grouped(n, a, sizeof(a)), grouped(x->sent, b, sizeof(b)),
		      grouped(n - x->sent, c, sizeof(c)));
	if (top && k > 0 && (size_t)k < ol)
		k += snprintf(out + k, ol - (size_t)k, "; the most common drop is %s (%s packets)", drop_reason_name(topr),
			      grouped(top, a, sizeof(a)));
	explain_offload(x, out, ol, k);
}
