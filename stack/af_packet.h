/*
 * af_packet.h - PF_PACKET sockets (net/packet/af_packet.c, Linux 6.13): the
 * sockets tcpdump opens. Each gets a copy of the frames it is registered
 * for, runs its classic BPF filter on the copy, truncates it to the
 * filter's result and queues it, bounded, for the reader.
 *
 * Ownership: net owns its sockets (net->packet_socks, a list linked by
 * ->next, newest first) and frees them in packet_exit(); a frame returned
 * by packet_recvmsg belongs to the caller (free() it).
 *
 * Draining a tap, e.g. for replay --tap-out NAME=FILE.pcap:
 *	struct packet_sock *po = packet_sock_lookup(net, "tcpdump");
 *	struct packet_frame *f;
 *	while ((f = packet_recvmsg(po))) { write f->ts_ns, f->caplen,
 *		f->origlen, f->data; free(f); }
 */
#ifndef NJ_STACK_AF_PACKET_H
#define NJ_STACK_AF_PACKET_H

#include <stdint.h>

#include "bpf.h"
#include "netns.h"

#define NJ_SOCK_STREAM	1
#define NJ_SOCK_DGRAM	2		/* values of SOCK_DGRAM / SOCK_RAW on Linux */
#define NJ_SOCK_RAW	3
#define PACKET_RCVQ_DEFAULT 256		/* frames, standing in for sk_rcvbuf bytes */
#define ARPHRD_ETHER	1

/* The address recvfrom() fills (struct sockaddr_ll), host byte order. */
struct sockaddr_ll_rec {
	uint16_t sll_protocol;		/* ethertype, e.g. 0x0800 */
	int sll_ifindex;
	uint16_t sll_hatype;		/* ARPHRD_ETHER */
	uint8_t sll_pkttype;		/* PACKET_HOST … PACKET_OUTGOING */
	uint8_t sll_halen;
	uint8_t sll_addr[8];		/* source hardware address */
};

/* One queued frame: what recvmsg + PACKET_AUXDATA would tell a reader. */
struct packet_frame {
	struct packet_frame *next;
	uint64_t ts_ns;			/* receive time (packet time in replay) */
	int64_t pkt;			/* capture packet number, -1 if none */
	uint32_t caplen;		/* bytes kept (after the filter's snaplen) */
	uint32_t origlen;		/* bytes the socket was offered */
	struct sockaddr_ll_rec sll;
	uint8_t data[];			/* caplen bytes: from the MAC header (SOCK_RAW)
					 * or the network header (SOCK_DGRAM) */
};

/* PACKET_STATISTICS: tp_packets counts received + dropped, as Linux reports. */
struct tpacket_stats {
	uint32_t tp_packets;
	uint32_t tp_drops;
};

struct packet_sock {
	struct packet_sock *next;	/* net->packet_socks, newest first like ptype_all */
	char name[32];			/* scenario name ("tcpdump"), for taps and traces */
	int type;			/* NJ_SOCK_RAW or NJ_SOCK_DGRAM */
	uint16_t num;			/* protocol, host order: ETH_P_ALL, an ethertype, 0 = none */
	int ifindex;			/* bound device, 0 = every device */
	int no_link_header;		/* it sees tun devices only: SOCK_RAW gets IP packets too */
	struct bpf_prog *filter;	/* SO_ATTACH_FILTER, owned; NULL = accept all */
	int trace_bpf;			/* trace the filter instruction by instruction */
	uint32_t rcvbuf;		/* queue limit in frames */
	struct packet_frame *q_head, *q_tail;
	uint32_t qlen;
	uint64_t tp_packets, tp_drops;	/* since the last PACKET_STATISTICS read */
	uint64_t total_packets, total_drops, filtered; /* never cleared */
};

/**
 * packet_create - opens a packet socket and registers it (dev_add_pack):
 * ETH_P_ALL → a tap seeing every frame; another protocol → frames of that
 * ethertype; 0 → registered for nothing until packet_bind.
 * @type: NJ_SOCK_RAW (frame from the MAC header) or NJ_SOCK_DGRAM (from
 * the network header).
 * Returns the socket, or NULL with err set ("socket type 1 not supported":
 * -ESOCKTNOSUPPORT in Linux; or out of memory).
 */
struct packet_sock *packet_create(struct net *net, const char *name, int type, uint16_t protocol,
				  char *err, size_t errlen);

/* packet_bind - sll_protocol and sll_ifindex of bind(); ifindex 0 = any. */
void packet_bind(struct packet_sock *po, uint16_t protocol, int ifindex);

/**
 * sk_attach_filter - SO_ATTACH_FILTER: replaces the socket's filter with
 * prog (already checked by bpf_prog_create) and takes ownership of it;
 * NULL detaches. Cannot fail.
 */
void sk_attach_filter(struct packet_sock *po, struct bpf_prog *prog);

/* packet_sock_lookup - the socket called name, or NULL. */
struct packet_sock *packet_sock_lookup(struct net *net, const char *name);

/**
 * packet_recvmsg - dequeues the oldest frame, or NULL when the queue is
 * empty. The caller owns the frame and free()s it.
 */
struct packet_frame *packet_recvmsg(struct packet_sock *po);

/* packet_sock_linktype - the pcap link type of what po queues: Ethernet
 * frames for SOCK_RAW, bare IP datagrams for SOCK_DGRAM or on a tun. For a
 * tap-out writer: pcap_open_dead(packet_sock_linktype(po), 262144). */
static inline int packet_sock_linktype(const struct packet_sock *po)
{
	return po->type == NJ_SOCK_RAW && !po->no_link_header ? DLT_EN10MB : DLT_RAW;
}

/* packet_get_stats - getsockopt(PACKET_STATISTICS): returns and clears. */
struct tpacket_stats packet_get_stats(struct packet_sock *po);

/* packet_release - unregisters po, frees its queue, filter and itself. */
void packet_release(struct net *net, struct packet_sock *po);

/* packet_exit - releases every packet socket of net (from net_destroy). */
void packet_exit(struct net *net);

/**
 * packet_alloc_skb_truesize - the truesize of the skb Linux builds for a
 * frame of len bytes written to a packet socket (packet_snd →
 * packet_alloc_skb), which is how diff-kernel hands a capture's frames to a
 * veth: the replay charges received frames the same.
 */
uint32_t packet_alloc_skb_truesize(uint32_t len);

/* packet_taps_deliver is declared in stack.h (called by __netif_receive_skb). */

/**
 * dev_queue_xmit_nit - gives ETH_P_ALL taps a copy of a transmitted frame
 * (skb->data at the Ethernet header) with pkt_type PACKET_OUTGOING, as
 * Linux's dev_queue_xmit does before the driver. skb is not consumed.
 */
void dev_queue_xmit_nit(struct net *net, struct sk_buff *skb);

#endif
