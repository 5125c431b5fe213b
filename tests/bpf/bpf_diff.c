/*
 * bpf_diff.c - differential test of the stack's classic BPF machine
 * (stack/bpf.c) against libpcap's reference interpreter bpf_filter().
 *
 * For every capture in the given directories and every filter expression
 * below, compiled for the capture's link type, each packet is run through
 * both interpreters (loads bounded by the captured length, BPF_LEN = the
 * wire length) and the results must be identical. The programs our
 * bpf_compile_filter returns must equal pcap_compile's instruction for
 * instruction, and our disassembly must equal libpcap's bpf_image.
 * Expressions that do not compile for a link type (vlan on raw IP) are
 * skipped and counted. Exit status: 0 all equal, 1 a mismatch.
 * `bpf_diff -d EXPR` prints our disassembly (run.sh compares it with
 * `tcpdump -d`).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"

static const char *const filters[] = {
	"ip", "arp", "icmp", "tcp", "udp", "ip6", "not ip", "icmp or arp",
	"host 10.0.0.1", "src host 192.168.1.1", "dst host 10.0.0.2", "net 10.0.0.0/8",
	"dst net 192.168.0.0/16", "src net 172.16.0.0/12 or src net 10.0.0.0/8",
	"port 53", "tcp port 80", "udp port 53", "portrange 1-1024", "udp portrange 5000-6000",
	"tcp src portrange 1024-65535 and tcp dst port 80", "tcp and not port 22",
	"(tcp port 80 or udp port 53) and host 10.0.0.1",
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"tcp[tcpflags] & tcp-rst != 0", "tcp[tcpflags] & tcp-fin != 0 and tcp[tcpflags] & tcp-ack != 0",
	"tcp[13] = 0x12", "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
	"ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0", "ip[6:2] & 0x3fff != 0",
	"udp and ip[6:2] & 0x1fff = 0", "ip[0] & 0xf > 5", "ip[0] & 0xf < 5", "ip[2:2] > 576",
	"ip[8] < 5", "ip[1] & 0x3 = 3", "ip proto 17", "ip[2:2] - ((ip[0] & 0xf) << 2) > 40",
	"ip[2:2] / 4 > 10", "ip[2:2] % 7 = 3", "ip[2:2] * 2 > 3000", "ip[2:2] & 0xff00 | 0x1 = 0x1",
	"vlan", "vlan 11", "vlan and icmp", "vlan 123 and arp",
	"len > 100", "len <= 64", "greater 1000", "less 60",
	"ether broadcast", "broadcast", "ether multicast", "ip multicast",
	"ether src 00:11:22:33:44:55", "ether proto 0x88cc",
	"icmp[icmptype] == icmp-echo", "icmp[icmptype] == icmp-echoreply", "icmp[0] = 3 and icmp[1] = 3",
	"udp[8:2] = 0x1234", "udp[4:2] > 512", "ip6 and tcp", "icmp6",
	"host 10.0.0.2 and ip[6:2] & 0x1fff != 0", "tcp and len - 54 > 0",
};
#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

struct totals {
	unsigned long long compared, accepted, mismatches, skipped, programs, files, packets;
};

/* Our program must be pcap_compile's, and print as bpf_image prints it. */
static int same_program(const struct bpf_prog *mine, const struct bpf_program *ref, const char *expr)
{
	char img[128];
	if (mine->len != ref->bf_len || memcmp(mine->insns, ref->bf_insns, mine->len * sizeof(*mine->insns))) {
		printf("  PROGRAM DIFFERS for '%s'\n", expr);
		return 0;
	}
	for (uint32_t pc = 0; pc < mine->len; pc++) {
		bpf_insn_image(&mine->insns[pc], pc, img, sizeof(img));
		if (strcmp(img, bpf_image(&ref->bf_insns[pc], (int)pc))) {
			printf("  DISASSEMBLY DIFFERS for '%s': '%s' vs '%s'\n", expr, img,
			       bpf_image(&ref->bf_insns[pc], (int)pc));
			return 0;
		}
	}
	return 1;
}

/* One filter over every packet of one capture. */
static void diff_filter(const char *path, int dlt, const char *expr, struct totals *t)
{
	struct bpf_prog *mine;
	struct bpf_program ref;
	char err[256], perr[PCAP_ERRBUF_SIZE];

	if (bpf_compile_filter(expr, dlt, &mine, err, sizeof(err)) < 0) {
		t->skipped++;
		return;
	}
	pcap_t *dead = pcap_open_dead(dlt, 262144);
	pcap_t *p = pcap_open_offline(path, perr);
	if (!dead || !p || pcap_compile(dead, &ref, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		printf("  '%s': libpcap failed where we did not\n", expr);
		t->mismatches++;
		goto out;
	}
	t->programs++;
	if (!same_program(mine, &ref, expr))
		t->mismatches++;
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(p, &h, &data) == 1) {
		uint32_t a = bpf_prog_run_wire(mine, data, h->caplen, h->len);
		uint32_t b = bpf_filter(ref.bf_insns, data, h->len, h->caplen);
		t->compared++;
		t->accepted += a != 0;
		if (a != b) {
			t->mismatches++;
			printf("  MISMATCH %s '%s': ours %u, libpcap %u (caplen %u len %u)\n", path, expr, a, b,
			       h->caplen, h->len);
		}
	}
	pcap_freecode(&ref);
out:
	if (p)
		pcap_close(p);
	if (dead)
		pcap_close(dead);
	bpf_prog_destroy(mine);
}

static void diff_file(const char *path, struct totals *t)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, perr);
	if (!p) {
		printf("  skip %s: %s\n", path, perr);
		return;
	}
	int dlt = pcap_datalink(p);
	unsigned long n = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(p, &h, &data) == 1)
		n++;
	pcap_close(p);
	t->files++;
	t->packets += n;
	for (size_t i = 0; i < NFILTERS; i++)
		diff_filter(path, dlt, filters[i], t);
}

static int is_capture(const char *name)
{
	size_t l = strlen(name);
	return (l > 5 && !strcmp(name + l - 5, ".pcap")) || (l > 7 && !strcmp(name + l - 7, ".pcapng"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every capture in dir, in name order so the output is stable. */
static void diff_dir(const char *dir, struct totals *t)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("skip %s: directory absent\n", dir);
		return;
	}
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 4096)
		if (is_capture(e->d_name))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	if (!n)
		printf("skip %s: no captures\n", dir);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		diff_file(path, t);
		free(names[i]);
	}
}

/* -d EXPR: our disassembly, to hold against `tcpdump -d EXPR`. */
static int dump(const char *expr)
{
	struct bpf_prog *prog;
	char err[256];
	if (bpf_compile_filter(expr, DLT_EN10MB, &prog, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	bpf_prog_dump(prog, stdout);
	bpf_prog_destroy(prog);
	return 0;
}

int main(int argc, char **argv)
{
	struct totals t = { 0 };
	if (argc == 3 && !strcmp(argv[1], "-d"))
		return dump(argv[2]);
	for (int i = 1; i < argc; i++)
		diff_dir(argv[i], &t);
	printf("bpf_diff: %zu filters, %llu captures, %llu packets; %llu programs compiled, %llu skipped "
	       "(expression not valid for the link type)\n", NFILTERS, t.files, t.packets, t.programs, t.skipped);
	printf("bpf_diff: %llu packet x filter runs compared with libpcap's bpf_filter (%llu accepted), "
	       "%llu mismatches\n", t.compared, t.accepted, t.mismatches);
	return t.mismatches ? 1 : 0;
}
