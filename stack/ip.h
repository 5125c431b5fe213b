/*
 * ip.h - wire headers (network byte order, never converted in place) and
 * checksum helpers, after include/uapi/linux/{ip,icmp,udp,tcp,if_ether,
 * if_arp}.h and include/net/checksum.h.
 */
#ifndef NJ_STACK_IP_H
#define NJ_STACK_IP_H

#include <arpa/inet.h>
#include <stdint.h>

#include "skbuff.h"

#define IPPROTO_ICMP_	1
#define IPPROTO_IGMP_	2
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17

#define IP_CE		0x8000	/* the reserved ("evil") bit */
#define IP_DF		0x4000
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

struct ethhdr {
	uint8_t h_dest[ETH_ALEN];
	uint8_t h_source[ETH_ALEN];
	uint16_t h_proto;
} __attribute__((packed));

struct iphdr {
	uint8_t ihl_version;		/* version in the high nibble */
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
} __attribute__((packed));

static inline int ip_ihl(const struct iphdr *h) { return h->ihl_version & 15; }
static inline int ip_version(const struct iphdr *h) { return h->ihl_version >> 4; }

struct icmphdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	uint16_t id;			/* echo; "unused"/mtu for errors */
	uint16_t sequence;
} __attribute__((packed));

#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_SOURCE_QUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12
#define ICMP_TIMESTAMP		13
#define ICMP_TIMESTAMPREPLY	14
#define ICMP_ADDRESS		17
#define ICMP_ADDRESSREPLY	18
#define NR_ICMP_TYPES		18
#define ICMP_EXT_ECHO		42	/* RFC 8335 PROBE */
#define ICMP_EXT_ECHOREPLY	43

struct udphdr {
	uint16_t source;
	uint16_t dest;
	uint16_t len;
	uint16_t check;
} __attribute__((packed));

struct tcphdr {
	uint16_t source;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack_seq;
	uint8_t doff_res;		/* data offset in the high nibble */
	uint8_t flags;
	uint16_t window;
	uint16_t check;
	uint16_t urg_ptr;
} __attribute__((packed));

#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20
#define TCPHDR_ECE 0x40
#define TCPHDR_CWR 0x80

struct arphdr {
	uint16_t ar_hrd;
	uint16_t ar_pro;
	uint8_t ar_hln;
	uint8_t ar_pln;
	uint16_t ar_op;
} __attribute__((packed));

#define ARPHRD_ETHER	1
#define ARPHRD_IEEE802	6	/* ARP hardware type an Ethernet device also takes */
#define ARPOP_REQUEST	1
#define ARPOP_REPLY	2

static inline struct ethhdr *eth_hdr(const struct sk_buff *skb) { return (struct ethhdr *)skb_mac_header(skb); }
static inline struct iphdr *ip_hdr(const struct sk_buff *skb) { return (struct iphdr *)skb_network_header(skb); }
static inline struct udphdr *udp_hdr(const struct sk_buff *skb) { return (struct udphdr *)skb_transport_header(skb); }
static inline struct tcphdr *tcp_hdr(const struct sk_buff *skb) { return (struct tcphdr *)skb_transport_header(skb); }
static inline struct icmphdr *icmp_hdr(const struct sk_buff *skb) { return (struct icmphdr *)skb_transport_header(skb); }

/* ip_is_fragment - MF set or a non-zero offset (include/net/ip.h). */
static inline int ip_is_fragment(const struct iphdr *h) { return (h->frag_off & htons(IP_MF | IP_OFFSET)) != 0; }

/* One's-complement sums (lib/checksum.c). csum_partial returns an unfolded
 * 32-bit sum; csum_fold folds and complements it to 16 bits. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/* ip_fast_csum - 0 when the ihl-word header checksum is right. */
uint16_t ip_fast_csum(const void *iph, unsigned int ihl);
/* The TCP/UDP checksum over the pseudo-header and len bytes at buf; 0 if right
 * (when buf includes the transmitted checksum). */
uint16_t csum_tcpudp(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *buf, size_t len);
/* skb->ip_summed (include/linux/skbuff.h): PARTIAL is a locally sent skb
 * whose TCP/UDP checksum the device has still to complete. */
#define CHECKSUM_NONE		0
#define CHECKSUM_UNNECESSARY	1
#define CHECKSUM_COMPLETE	2
#define CHECKSUM_PARTIAL	3
/**
 * skb_csum_is_partial - recognises a CHECKSUM_PARTIAL segment in a capture:
 * a Linux sender offloading its TCP/UDP checksum writes only the folded
 * pseudo-header sum (addresses network order, proto, len = the transport
 * length) into the field, and a capture taken before the device (veth,
 * a NIC with offload) shows exactly that. check is the field as read
 * (network order). Returns 1 then, and marks skb ip_summed =
 * CHECKSUM_PARTIAL, which Linux trusts (skb_csum_unnecessary); 0 otherwise.
 */
int skb_csum_is_partial(struct sk_buff *skb, uint32_t saddr, uint32_t daddr, uint8_t proto, uint32_t len,
			uint16_t check);
/* ip_send_check - fills in iph->check. */
void ip_send_check(struct iphdr *iph);

/* ipv4 address classes (include/linux/in.h); a is network order. */
static inline int ipv4_is_multicast(uint32_t a) { return (ntohl(a) & 0xf0000000) == 0xe0000000; }
static inline int ipv4_is_lbcast(uint32_t a) { return a == 0xffffffff; }
static inline int ipv4_is_zeronet(uint32_t a) { return (ntohl(a) & 0xff000000) == 0; }
static inline int ipv4_is_loopback(uint32_t a) { return (ntohl(a) & 0xff000000) == 0x7f000000; }
static inline int ipv4_is_local_multicast(uint32_t a) { return (ntohl(a) & 0xffffff00) == 0xe0000000; }

/* ip_fmt - dotted quad into a static ring of buffers (4 at a time). */
const char *ip_fmt(uint32_t a);
/* txt_str / txt_u64 / txt_hex - append text, a decimal, or lowercase hex
 * zero-padded to width at o; each returns the new end (no NUL). For
 * names and messages built once per packet, where snprintf showed in
 * the profile of a traced replay. */
char *txt_str(char *o, const char *s);
char *txt_u64(char *o, uint64_t v);
char *txt_hex(char *o, uint32_t v, int width);
const char *mac_fmt(const uint8_t *m);

#endif
