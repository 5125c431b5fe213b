/*
 * replay_extra.c - optional replay outputs (see replay_extra.h), each
 * written aside and renamed into place only after a whole replay.
 */
#include "replay_extra.h"

#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "af_packet.h"
#include "ip_fragment.h"

/* A pcap file written as PATH.part (outfile.h) through libpcap's dumper. */
static int open_dump(struct replay_dump *o, int dlt, const char *path, char *err, size_t errlen)
{
	if (outfile_open(&o->of, path, err, errlen) < 0)
		return -1;
	int fd = dup(o->of.fd);		/* stdio's own: the outfile keeps the lock */
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	pcap_t *p = pcap_open_dead(dlt, 262144);
	pcap_dumper_t *d = p && f ? pcap_dump_fopen(p, f) : NULL;
	if (!d) {
		snprintf(err, errlen, "%s: cannot write: %s", path, p && f ? pcap_geterr(p) : "no memory");
		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		if (p)
			pcap_close(p);
		outfile_discard(&o->of);
		return -1;
	}
	o->dead = p;
	o->dump = d;
	return 0;
}

/* The length of the whole records at the start of the first size bytes
 * (a header of 24 bytes, then 16 bytes and caplen per frame). */
static off_t whole_records(int fd, off_t size)
{
	off_t off = 24;
	uint32_t h[4];
	if (size < off)
		return 0;
	while (off + 16 <= size && pread(fd, h, 16, off) == 16 && off + 16 + h[2] <= size)
		off += 16 + (off_t)h[2];
	return off;
}

/* how as pcapng_close: > 0 into place, 0 PATH.partial, < 0 removed. */
static int close_dump(struct replay_dump *o, int how, char *err, size_t errlen)
{
	if (!o->dump)
		return 0;
	FILE *f = pcap_dump_file(o->dump);
	int werr = pcap_dump_flush(o->dump) != 0 || ferror(f);
	pcap_dump_close(o->dump);
	pcap_close(o->dead);
	o->dump = o->dead = NULL;
	if (werr && how > 0)
		how = 0;
	if (how == 0 && o->of.tmp) {
		off_t n = lseek(o->of.fd, 0, SEEK_END);
		if (n >= 0 && ftruncate(o->of.fd, whole_records(o->of.fd, n)) != 0)
			werr = 1;
	}
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s", o->of.path);
	if (outfile_finish(&o->of, how, err, errlen) < 0)
		return -1;
	if (werr && how >= 0) {
		snprintf(err, errlen, "%s: write failed; what was written is in %s.partial", path, path);
		return -1;
	}
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
	dump_frame(x->reasm.dump, net->now_ns, skb->data, skb->len, skb->len);
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
	return open_dump(&x->tap_out[i], packet_sock_linktype(x->tap[i]), eq + 1, err, errlen);
}

int replay_extra_setup(void *ctx, struct net *net, char *err, size_t errlen)
{
	struct replay_extra *x = ctx;
	if (x->reasm_out) {
		if (open_dump(&x->reasm, DLT_RAW, x->reasm_out, err, errlen) < 0)
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
			dump_frame(x->tap_out[i].dump, f->ts_ns, f->data, f->caplen, f->origlen);
			x->tap_count[i]++;
			free(f);
		}
	}
}

int replay_extra_close(struct replay_extra *x, int how, char *err, size_t errlen)
{
	int r = close_dump(&x->reasm, how, err, errlen);
	for (int i = 0; i < x->ntaps; i++) {
		if (close_dump(&x->tap_out[i], how, r ? NULL : err, r ? 0 : errlen) < 0)
			r = -1;
		x->tap[i] = NULL;
	}
	return r;
}
