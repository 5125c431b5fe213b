/*
 * host_infer_int.h - shared between host_infer.c (who the host is) and
 * host_infer_sock.c (what its traffic shows: sockets, gateway, neighbours)
 * and host_infer_json.c (the scenario). Tables are bounded: a capture with
 * more MACs, addresses or flows than they hold is judged on what fits.
 */
#ifndef NJ_REPLAY_HOST_INFER_INT_H
#define NJ_REPLAY_HOST_INFER_INT_H

#include <stdint.h>

#include "frame.h"
#include "host_infer.h"
#include "ipv6.h"

#define HI_FRAMES	200000	/* frames read per pass */
#define HI_MACS		256
#define HI_IPS		1024
#define HI_FLOWS	2048
#define HI_PORTS	256
#define HI_NEIGH	64
#define HI_IFACES	8	/* pcapng interfaces looked at (more: counted as the last) */

/* One pcapng interface, as its outbound frames (EPB flags) show it. */
struct hi_ifc {
	uint64_t frames, out;
	int have_mac;
	uint8_t mac[6];			/* the source MAC of its outbound frames */
	uint32_t arp_ip;		/* the sender address of its outbound ARP */
	uint32_t src[8];		/* source addresses of its outbound IPv4 */
	uint64_t src_n[8];
	int nsrc;
};

struct hi_mac {
	uint8_t mac[6];
	uint64_t frames;		/* frames with it as source or destination */
	uint64_t sent;			/* as source */
	uint32_t src_ips[8];		/* distinct IPv4 sources it sent from */
	int nsrc;			/* up to 9: 9 means "more than 8" */
	uint64_t synack;		/* SYN-ACKs it sent */
	uint64_t gso;			/* frames it sent that only segmentation offload makes */
	uint32_t dst_ips[64];		/* distinct destinations frames to it had */
	int ndst;
	int nvlan;			/* VLAN tags of the first frame it sent */
	uint16_t vlan[FRAME_MAX_VLANS];
};

/* The devices a cooked capture (tcpdump -i any) names by sll_hatype. */
/* the first kinds of frame_dev_kind, in its order */
enum { HI_LINK_ETHER = FRAME_DEV_ETHER, HI_LINK_TUN = FRAME_DEV_TUN, HI_LINK_PPP = FRAME_DEV_PPP, HI_NLINK };

struct hi_ip {
	uint32_t ip;
	uint64_t frames, out, in;	/* in any frame; cooked OUTGOING source; cooked HOST dest */
	uint64_t synack, gso;
	/* cooked frames by the device they crossed (HI_LINK_*): any, and as
	 * the host's (its OUTGOING source, its HOST destination) */
	uint64_t link[HI_NLINK], link_io[HI_NLINK];
	int nvlan;			/* VLAN tags of the first frame to or from it */
	uint16_t vlan[FRAME_MAX_VLANS];
	int seen;
};

struct hi_flow {
	uint32_t raddr;
	uint16_t lport, rport;
	uint8_t first_from_host, syn_from_host, synack_from_host, syn_from_peer, rst_from_host;
	uint8_t seen_peer;
	uint32_t isn, peer_wnd;
	uint32_t first_seq, first_ack;	/* at the first segment: the host's next seq, and the peer's */
	uint16_t mss;
	uint8_t sack_ok, ts, wscale;	/* wscale 0xff: none */
	uint32_t bad_end;		/* the peer's segments with wrong checksums end here */
	uint32_t bad_n;			/* ... and are this many, not yet acknowledged */
	uint8_t peer_opts;		/* HI_OPT_* the peer's SYN offered, when seen */
	uint8_t v6;			/* an IPv6 flow: laddr6 (the host's), raddr6 */
	struct in6 laddr6, raddr6;
};

enum { HI_OPT_TS = 1, HI_OPT_SACK = 2, HI_OPT_WS = 4 };

#define HI6_ADDRS	256
#define HI6_HOST	4	/* IPv6 addresses the host gets at most */

/* One IPv6 address, as pass 1 saw it. */
struct hi6_addr {
	struct in6 a;
	uint8_t mac[6];			/* the MAC it was first sent from */
	uint8_t have_mac;
	uint8_t on_lo;			/* seen on lo (cooked): the host's own */
	uint64_t frames, out, in;	/* in any frame; cooked OUTGOING source; cooked HOST dest */
};

/* The IPv6 side (host_infer_ipv6.c). */
struct hi6_state {
	uint64_t packets;
	struct hi6_addr addrs[HI6_ADDRS];
	int naddrs;
	int have_router;		/* a router advertisement with a lifetime */
	struct in6 router;
	uint8_t router_mac[6];
	struct in6 host[HI6_HOST];	/* the host's, most frames first */
	int nhost;
	/* pass 2 */
	struct { struct in6 ip; uint8_t mac[6]; } neigh[HI_NEIGH];
	int nneigh;
	int have_gw_mac;		/* where its off-link IPv6 went */
	uint8_t gw_mac[6];
	uint16_t ping[HI_PORTS];	/* its ICMPv6 echo requests' identifiers */
	int nping;
};

struct hi_state {
	int dlt;
	struct hi_ifc ifc[HI_IFACES];
	int nifc;			/* interfaces with frames (pcapng) */
	uint64_t dir_frames;		/* frames with an EPB direction */
	int have_out_mac;
	uint8_t out_mac[6];		/* the source MAC of the first outbound frame */
	uint64_t frames, ipv4, zero_mac, same_mac, default_seen, first_unicast_frame;
	uint64_t lo_frames;		/* both MACs all zero, as on Linux lo */
	uint64_t tun_frames;		/* cooked, from a device of ARPHRD_NONE (a tun) */
	uint64_t ppp_frames;		/* cooked, from a device of ARPHRD_PPP */
	uint64_t lo_cooked, lo_cooked6;	/* cooked, from lo (tcpdump -i any): IPv4, IPv6 */
	uint64_t eth_cooked;		/* cooked, from an Ethernet device */
	int unrouted;			/* peers of a second link past its host routes' cap */
	char also[200];			/* the note's words on lo and a second link */
	uint32_t first_unicast_dst;	/* destination of the first unicast IPv4 packet */
	struct hi_mac macs[HI_MACS];
	int nmacs;
	struct hi_ip ips[HI_IPS];
	int nips;
	/* the host, once chosen */
	int have_mac;
	uint8_t mac[6];
	uint32_t ip;
	int nvlan;
	uint16_t vlan[FRAME_MAX_VLANS];
	/* pass 2 */
	struct hi_flow flows[HI_FLOWS];
	int nflows;
	uint16_t udp[HI_PORTS], tcp_listen[HI_PORTS], tcp_closed[HI_PORTS], ping[HI_PORTS];
	int nudp, nlisten, nclosed, nping;
	uint64_t echo_out, igmp_out, tunnels, over_mtu_out, totlen0_out;
	uint64_t csum_bad, csum_partial, csum_accepted;	/* received with wrong checksums; of them */
	/* its SYN-ACKs to SYNs that offered each option (HI_OPT_*), and how
	 * many of them took it up: its tcp_timestamps, tcp_sack and
	 * tcp_window_scaling; wscale_n[w]: SYN-ACKs with window scale w */
	uint32_t opt_offered[3], opt_taken[3], wscale_n[15];
	/* the MSS its SYNs and SYN-ACKs offered, IPv4 [0] and IPv6 [1]: its MTU */
	struct { uint16_t mss; uint32_t n; } mss_seen[2][8];
	uint32_t max_out;		/* its longest IP packet of at most 1500 bytes */
	struct { uint32_t raddr; uint16_t lport, rport; uint32_t n; } udp_bad[16];
	int nudp_bad;
	uint32_t groups[16];
	int ngroups;
	int have_gw_mac;
	uint8_t gw_mac[6];
	uint32_t gw_ip;
	struct { uint32_t ip; uint8_t mac[6]; } neigh[HI_NEIGH];
	int nneigh;
	int loopback;			/* a capture on lo / lo0 */
	struct hi6_state v6;
};

/* host_infer_ipv6.c */
void hi6_pass1(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *p, size_t n);
int hi6_choose(struct hi_state *s, int cooked, char *why, size_t wl);
int hi6_host_opt(struct hi_state *s, const char *host);
void hi6_take_host(struct hi_state *s);
void hi6_pass2(struct hi_state *s, const struct frame_l2 *l2, const uint8_t *p, size_t n);
struct cJSON;
void hi6_json(const struct hi_state *s, struct cJSON *addrs, struct cJSON *routes, struct cJSON *neigh,
	      const char *dev);
/* host_infer_router.c */
void hi_router_frame(struct hi_state *s, int iface, int dir, const struct frame_l2 *l2, const uint8_t *p, size_t n,
		     const uint8_t *ip);
int hi_is_router(const struct hi_state *s);
int hi_router(struct hi_state *s, const char *pcap, struct host_infer *out, char *err, size_t errlen);
/* host_infer_sock.c */
int hi_pass2(struct hi_state *s, const char *pcap, char *err, size_t errlen);
/* host_infer_json.c */
int hi_build_json(struct hi_state *s, struct host_infer *out);
int hi_port_add(uint16_t *set, int *n, uint16_t port);
/* host_infer_json.c: the MTU its SYNs' MSS says, 0 for 1500 or none */
int hi_mtu(const struct hi_state *s);
/* hi_link_of - HI_LINK_* of a cooked frame's sll_hatype, -1 for others. */
int hi_link_of(uint16_t hatype);
/* host_infer_sock.c: the host's TCP flows, either family */
struct hi_flow *hi_flow_get(struct hi_state *s, uint16_t lport, uint32_t raddr, uint16_t rport,
			    const struct in6 *l6, const struct in6 *r6);
void hi_tcp_flow_seen(struct hi_state *s, struct hi_flow *f, const uint8_t *th, size_t l4len, uint32_t plen,
		      int from_host, int bad);
int hi_port_has(const uint16_t *set, int n, uint16_t port);

#endif
