/*
 * mkpcap_ip6tables.c - ip6tables (issue 24): the scenario's IPv6 rules at
 * PRE_ROUTING, LOCAL_IN and LOCAL_OUT, DROP, LOG and REJECT with each
 * answer ip6t_REJECT gives, next to an IPv4 rule that only IPv4 sees.
 */
#include <string.h>

#include "ipv6.h"
#include "mkpcap.h"

static uint8_t frame[2048], l4[2048];

static size_t echo6(const char *src, uint16_t seq)
{
	memset(l4, 0, 24);
	l4[0] = ICMPV6_ECHO_REQUEST;
	l4[4] = 0x6e;
	l4[5] = 0x66;
	l4[7] = (uint8_t)seq;
	for (int i = 8; i < 24; i++)
		l4[i] = (uint8_t)i;
	pb_csum6(src, "fd00::2", NEXTHDR_ICMP, l4, 24, 2);
	return pb_eth_ip6(frame, src, "fd00::2", NEXTHDR_ICMP, 64, l4, 24);
}

static size_t udp6(uint16_t dport)
{
	memset(l4, 0, 12);
	l4[0] = 0x0f;				/* sport 4000 */
	l4[1] = 0xa0;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[5] = 12;
	memcpy(l4 + 8, "dns?", 4);
	pb_csum6("fd00::1", "fd00::2", NEXTHDR_UDP, l4, 12, 6);
	return pb_eth_ip6(frame, "fd00::1", "fd00::2", NEXTHDR_UDP, 64, l4, 12);
}

static size_t syn6(uint16_t dport)
{
	memset(l4, 0, 20);
	l4[0] = 0x0f;				/* sport 4001 */
	l4[1] = 0xa1;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[7] = 100;				/* seq 100 */
	l4[12] = 5 << 4;
	l4[13] = TCPHDR_SYN;
	l4[14] = 0xfa;
	l4[15] = 0xf0;
	pb_csum6("fd00::1", "fd00::2", NEXTHDR_TCP, l4, 20, 16);
	return pb_eth_ip6(frame, "fd00::1", "fd00::2", NEXTHDR_TCP, 64, l4, 20);
}

static const char ip6tables_json[] =
	"{\n"
	"  \"kernel\": \"6.x\",\n"
	"  \"interfaces\": [{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"addrs\":[\"10.0.0.2/24\",\"fd00::2/64\"]}],\n"
	"  \"neighbours\": [\n"
	"    {\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::66\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::77\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"},\n"
	"    {\"ip\":\"fd00::88\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],\n"
	"  \"netfilter\": [\n"
	"    {\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"icmp\"},\"verdict\":\"DROP\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"icmpv6\",\"icmp_type\":\"echo-request\","
	"\"saddr\":\"fd00::66\"},\"verdict\":\"DROP\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"PRE_ROUTING\",\"match\":{\"proto\":\"tcp\",\"saddr\":\"fd00::/64\"},"
	"\"verdict\":\"LOG\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"udp\",\"dport\":5353},\"verdict\":\"REJECT\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"tcp\",\"dport\":23},\"verdict\":\"REJECT\","
	"\"reject_with\":\"tcp-reset\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"LOCAL_IN\",\"match\":{\"proto\":\"icmpv6\",\"saddr\":\"fd00::77\"},"
	"\"verdict\":\"REJECT\",\"reject_with\":\"icmp6-adm-prohibited\"},\n"
	"    {\"family\":\"ipv6\",\"hook\":\"LOCAL_OUT\",\"match\":{\"proto\":\"icmpv6\",\"icmp_type\":\"echo-reply\","
	"\"daddr\":\"fd00::88/128\"},\"verdict\":\"DROP\"}]\n"
	"}\n";

static void ip6tables(struct mk_ctx *c)
{
	mk_emit(c, frame, echo6("fd00::66", 1));		/* PRE_ROUTING DROP */
	mk_emit(c, frame, udp6(5353));				/* LOCAL_IN REJECT: port unreachable */
	mk_emit(c, frame, syn6(23));				/* LOG, then REJECT tcp-reset */
	mk_emit(c, frame, echo6("fd00::77", 2));		/* REJECT icmp6-adm-prohibited */
	mk_emit(c, frame, echo6("fd00::88", 3));		/* the reply dropped at LOCAL_OUT */
	mk_emit(c, frame, echo6("fd00::1", 4));			/* answered: the IPv4 rule is not ip6tables' */
	struct pb_ipopt o = { .saddr = pb_ip("10.0.0.1"), .daddr = pb_ip("10.0.0.2"), .proto = IPPROTO_ICMP_ };
	size_t n = pb_icmp_echo(l4, ICMP_ECHO, 0x6e66, 5, 16);
	mk_emit(c, frame, pb_eth_ip(frame, &o, l4, n));		/* the IPv4 rule drops IPv4 ICMP */
}

const struct mk_scenario mk_ip6tables_scenarios[] = {
	{ "ipv6-nf", "ip6tables rules (own scenario, \"family\": \"ipv6\"): an echo request dropped at PRE_ROUTING, "
	  "REJECT at LOCAL_IN with port unreachable, tcp-reset (after LOG) and adm-prohibited, an echo reply dropped "
	  "at LOCAL_OUT; an IPv4 ICMP DROP rule that only the IPv4 ping meets", ip6tables, ip6tables_json },
	{ NULL, NULL, NULL, NULL },
};
