/*
 * mkpcap.h - the scenario pcap generator (`netjourney mkpcap NAME FILE`).
 * Scenarios are listed in tables, one table per area, each in its own file
 * (mkpcap_core.c, mkpcap_frag.c, mkpcap_route.c, mkpcap_transport.c).
 * A scenario writes frames with mk_emit; packet time starts at
 * 2024-01-01 00:00:00 UTC and advances 1 ms per frame unless told.
 */
#ifndef NJ_MKPCAP_MKPCAP_H
#define NJ_MKPCAP_MKPCAP_H

#include <stddef.h>
#include <stdint.h>

#include "pktbuild.h"

struct mk_ctx {
	void *dumper;			/* pcap_dumper_t */
	uint64_t t_us;			/* time of the next frame */
	uint64_t step_us;		/* added after each frame (default 1000) */
	unsigned count;
	unsigned long param;		/* --count N for scalable scenarios (0 = default) */
	int dlt;			/* as mk_dlt(): frames are built as Ethernet
					 * and rewritten (mkpcap_host.c) */
	const uint8_t *host_mac;	/* SLL2: frames from this MAC are OUTGOING */
	uint16_t sll_hatype;		/* SLL: the device's ARPHRD_ type (0: 0xFFFF, no address) */
	int lo_dir;			/* SLL2: the next frame is lo's (ifindex 1, ARPHRD_LOOPBACK),
					 * 1 leaving (OUTGOING), 2 arriving (HOST); 0: not lo's */
	int on_tun;			/* SLL2: the next frame crossed a tun (ifindex 5, ARPHRD_NONE) */
	void *ng;			/* FILE *: a pcapng file (mk_pcapng_ifaces), else NULL */
	int iface, dir;			/* pcapng: the next frame's interface, EPB direction (1 in, 2 out) */
	const char *comment;		/* pcapng: the next frame's comment, or NULL */
};

/* mk_emit - writes one frame at the current time, then advances step_us. */
void mk_emit(struct mk_ctx *c, const uint8_t *frame, size_t len);
/* mk_advance - moves the clock forward (e.g. 31 s for a fragment timeout). */
static inline void mk_advance(struct mk_ctx *c, uint64_t us) { c->t_us += us; }

struct mk_scenario {
	const char *name;		/* file stem in pcaps/, e.g. "frag-in-order" */
	const char *desc;		/* one line for pcaps/README.md and --list */
	void (*build)(struct mk_ctx *c);
	const char *scenario;		/* scenario JSON the pcap is meant for; NULL = default host */
};
#define MK_DLT_NULL	(-1)		/* mk_ctx.dlt for DLT_NULL (0 means Ethernet) */

/* mk_dlt - the link type scenario name is written with: 0 = Ethernet, else
 * a DLT_ value or MK_DLT_NULL (mkpcap_host.c). */
int mk_dlt(const char *name);
/* mk_pcapng_ifaces - how many Ethernet interfaces the scenario's pcapng has;
 * 0 = it is written as pcap (mkpcap_host.c). */
int mk_pcapng_ifaces(const char *name);
/* mk_ng_header / mk_ng_epb - the pcapng writer: section and interface
 * blocks; one Enhanced Packet Block with epb_flags (mkpcap_host.c). */
int mk_ng_header(void *f, int nifs);
void mk_ng_epb(struct mk_ctx *c, const uint8_t *frame, size_t len);
/* Scenarios named "bench-*" are benchmark inputs, "host-*" the captures of
 * tests/hostcap (made there, on the fly): --all skips both. */

/* Tables end with a { NULL } entry. */
extern const struct mk_scenario mk_core_scenarios[];
extern const struct mk_scenario mk_frag_scenarios[];
extern const struct mk_scenario mk_route_scenarios[];
extern const struct mk_scenario mk_transport_scenarios[];
extern const struct mk_scenario mk_lessons_scenarios[];	/* mkpcap_lessons.c: the classroom's own */
extern const struct mk_scenario mk_tcpopt_scenarios[];	/* mkpcap_tcpopt.c */
extern const struct mk_scenario mk_ipv6_scenarios[];	/* mkpcap_ipv6.c */
extern const struct mk_scenario mk_tcp6_scenarios[];	/* mkpcap_tcp6.c: TCP over IPv6 */
extern const struct mk_scenario mk_host_scenarios[];
extern const struct mk_scenario mk_ipv6_nd_scenarios[];	/* mkpcap_ipv6_nd.c */
extern const struct mk_scenario mk_ip6tables_scenarios[];	/* mkpcap_ip6tables.c */
extern const struct mk_scenario mk_host6_scenarios[];	/* mkpcap_host6.c */
extern const struct mk_scenario mk_pmtu_scenarios[];	/* mkpcap_pmtu.c: path MTU discovery */

/* mk_relink - an Ethernet frame rewritten for c->dlt into out (mkpcap_host.c);
 * returns the new length. */
size_t mk_relink(const struct mk_ctx *c, const uint8_t *frame, size_t len, uint8_t *out);

/* mk_find - the scenario named name in any table, or NULL. */
const struct mk_scenario *mk_find(const char *name);
/* mk_write - writes scenario s to file (param: --count, 0 = default); 0 or 1. */
int mk_write(const struct mk_scenario *s, const char *file, unsigned long param);
/* mk_list - one line per scenario on stdout. */
void mk_list(void);
/* mk_all - every scenario but bench-* into dir; 0, or 1 if any failed. */
int mk_all(const char *dir);

#endif
