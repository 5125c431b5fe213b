/*
 * test_outpcap.c - what the stack sends, read back from `-w out.pcap` with
 * libpcap: every frame's IPv4, ICMP, UDP and TCP checksums are right;
 * forwarded packets leave with TTL-1; ICMP errors quote the offending
 * header as it arrived; TCP replies carry the sequence and ack numbers the
 * peer in the capture expects; echo replies match their requests.
 */
#include <pcap/pcap.h>
#include <unistd.h>

#include "nj_check.h"
#include "replay.h"

#define MAXF 256
struct frames {
	uint8_t buf[MAXF][2048];
	uint32_t len[MAXF];
	int n;
};

static struct frames in, out;

static void read_pcap(const char *path, struct frames *f)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	ck_assert_msg(p != NULL, "%s: %s", path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	f->n = 0;
	while (f->n < MAXF && pcap_next_ex(p, &h, &d) == 1) {
		uint32_t n = h->caplen < 2048 ? h->caplen : 2048;
		memcpy(f->buf[f->n], d, n);
		f->len[f->n++] = n;
	}
	pcap_close(p);
}

static const char *path_of(const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", access("pcaps", F_OK) == 0 ? "" : "../../", rel);
	return buf;
}

/* Replays pcaps/NAME.pcap (with NAME.json when it exists) into out. */
static void replay_to(const char *name)
{
	char pcap[256], json[256], rel[128], tmp[] = "/tmp/nj-out-XXXXXX";
	int fd = mkstemp(tmp);
	close(fd);
	snprintf(rel, sizeof(rel), "pcaps/%s.pcap", name);
	path_of(rel, pcap, sizeof(pcap));
	snprintf(rel, sizeof(rel), "pcaps/%s.json", name);
	path_of(rel, json, sizeof(json));
	struct replay_cfg cfg = { .pcap = pcap, .write_pcap = tmp };
	if (access(json, R_OK) == 0)
		cfg.scenario = json;
	struct replay_result res;
	char err[256];
	ck_assert_msg(replay_run(&cfg, &res, NULL, err, sizeof(err)) == 0, "%s", err);
	free(res.scenario_json);
	read_pcap(pcap, &in);
	read_pcap(tmp, &out);
	unlink(tmp);
}

static const struct iphdr *ip_of(struct frames *f, int i)
{
	ck_assert_int_ge(f->len[i], ETH_HLEN + 20);
	return (const struct iphdr *)(f->buf[i] + ETH_HLEN);
}

/* Every IPv4 frame sent has right checksums at every layer. */
static void assert_checksums(void)
{
	for (int i = 0; i < out.n; i++) {
		if (out.buf[i][12] != 0x08 || out.buf[i][13] != 0x00)
			continue;
		const struct iphdr *iph = ip_of(&out, i);
		uint32_t hl = (uint32_t)ip_ihl(iph) * 4, tot = ntohs(iph->tot_len);
		ck_assert_msg(ip_fast_csum(iph, (unsigned)ip_ihl(iph)) == 0, "frame %d: bad IP checksum", i);
		if (ip_is_fragment(iph))
			continue;
		const uint8_t *l4 = (const uint8_t *)iph + hl;
		if (iph->protocol == IPPROTO_ICMP_)
			ck_assert_msg(csum_fold(csum_partial(l4, tot - hl, 0)) == 0, "frame %d: bad ICMP checksum", i);
		else if (iph->protocol == IPPROTO_TCP_ || iph->protocol == IPPROTO_UDP_)
			ck_assert_msg(csum_tcpudp(iph->saddr, iph->daddr, iph->protocol, l4, tot - hl) == 0,
				      "frame %d: bad L4 checksum", i);
	}
}

START_TEST(test_outpcap_forwarded_ttl_decremented)
{
	replay_to("route-forward");
	ck_assert_int_ge(out.n, 2);
	assert_checksums();
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(ip_of(&out, i)->ttl, ip_of(&in, i)->ttl - 1);
		ck_assert_int_eq(ip_of(&out, i)->id, ip_of(&in, i)->id);
	}
}
END_TEST

START_TEST(test_outpcap_icmp_error_quotes_header)
{
	replay_to("route-ttl-expired");
	assert_checksums();
	int found = 0;
	for (int i = 0; i < out.n; i++) {
		const struct iphdr *iph = ip_of(&out, i);
		const uint8_t *icmp = (const uint8_t *)iph + ip_ihl(iph) * 4;
		if (iph->protocol != IPPROTO_ICMP_ || icmp[0] != ICMP_TIME_EXCEEDED)
			continue;
		/* the quote: the offending IP header as it arrived (TTL 1), then 8 bytes */
		const uint8_t *quote = icmp + 8;
		const struct iphdr *orig = ip_of(&in, 0);
		ck_assert_int_eq(icmp[1], ICMP_EXC_TTL);
		ck_assert_int_eq(orig->ttl, 1);
		ck_assert_mem_eq(quote, orig, (size_t)ip_ihl(orig) * 4 + 8);
		ck_assert_int_eq(iph->daddr, orig->saddr);
		found++;
	}
	ck_assert_int_eq(found, 1);
}
END_TEST

START_TEST(test_outpcap_echo_replies)
{
	replay_to("icmp-echo");
	ck_assert_int_eq(out.n, in.n);
	assert_checksums();
	for (int i = 0; i < out.n; i++) {
		const struct iphdr *q = ip_of(&in, i), *r = ip_of(&out, i);
		const uint8_t *qi = (const uint8_t *)q + 20, *ri = (const uint8_t *)r + 20;
		ck_assert_int_eq(ri[0], ICMP_ECHOREPLY);
		ck_assert_mem_eq(ri + 4, qi + 4, ntohs(q->tot_len) - 24);	/* id, seq, data */
		ck_assert_int_eq(r->saddr, q->daddr);
		ck_assert_int_eq(r->daddr, q->saddr);
	}
}
END_TEST

static const struct tcphdr *tcp_of(struct frames *f, int i)
{
	const struct iphdr *iph = ip_of(f, i);
	return (const struct tcphdr *)((const uint8_t *)iph + ip_ihl(iph) * 4);
}

START_TEST(test_outpcap_tcp_session_numbers)
{
	replay_to("tcp-http");
	assert_checksums();
	ck_assert_int_ge(out.n, 3);
	const struct tcphdr *syn = tcp_of(&in, 0), *synack = tcp_of(&out, 0), *ack = tcp_of(&in, 1);
	ck_assert_int_eq(synack->flags, TCPHDR_SYN | TCPHDR_ACK);
	ck_assert_uint_eq(ntohl(synack->ack_seq), ntohl(syn->seq) + 1);
	/* the peer in the capture acks the ISN the stack chose: replay is in step */
	ck_assert_uint_eq(ntohl(ack->ack_seq), ntohl(synack->seq) + 1);
	/* every later segment from the host carries the peer's next byte as ack */
	for (int i = 1; i < out.n; i++)
		ck_assert_uint_ge(ntohl(tcp_of(&out, i)->ack_seq), ntohl(syn->seq) + 1);
}
END_TEST

START_TEST(test_outpcap_rst_rules)
{
	replay_to("tcp-syn");
	assert_checksums();
	/* SYN-ACK, RST, then after the capture the unanswered SYN-ACK five
	 * times more (1, 3, 7, 15, 31 s: reqsk_timer_handler) */
	ck_assert_int_eq(out.n, 7);
	const struct tcphdr *rst = tcp_of(&out, 1), *syn = tcp_of(&in, 1);
	ck_assert_int_eq(rst->flags, TCPHDR_RST | TCPHDR_ACK);	/* a SYN had no ACK: seq 0, ack seq+1 */
	ck_assert_uint_eq(ntohl(rst->seq), 0);
	ck_assert_uint_eq(ntohl(rst->ack_seq), ntohl(syn->seq) + 1);
	for (int i = 2; i < 7; i++) {
		ck_assert_int_eq(tcp_of(&out, i)->flags, TCPHDR_SYN | TCPHDR_ACK);
		ck_assert_uint_eq(tcp_of(&out, i)->seq, tcp_of(&out, 0)->seq);
	}
}
END_TEST

static Suite *outpcap_suite(void)
{
	Suite *s = suite_create("outpcap");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_outpcap_forwarded_ttl_decremented);
	tcase_add_test(tc, test_outpcap_icmp_error_quotes_header);
	tcase_add_test(tc, test_outpcap_echo_replies);
	tcase_add_test(tc, test_outpcap_tcp_session_numbers);
	tcase_add_test(tc, test_outpcap_rst_rules);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(outpcap_suite)
