/*
 * fib.h - the IPv4 forwarding information base: Linux's "local" table
 * (derived from the interfaces' addresses) in front of the "main" table
 * (connected subnets + the scenario's routes), looked up by longest prefix.
 * After net/ipv4/fib_frontend.c, fib_trie.c and include/net/ip_fib.h.
 *
 * net->fib also carries the per-host state the routing and ICMP code keeps
 * in other kernel files, because struct net has no slot of its own for
 * them: the inet_peer cache (net/ipv4/inetpeer.c: per-address rate-limit
 * buckets) and the ICMP sysctls and global rate-limit credit.
 */
#ifndef NJ_STACK_FIB_H
#define NJ_STACK_FIB_H

#include "stack.h"

#define FIB_TABLE_LOCAL	255
#define FIB_TABLE_MAIN	254

/* One route (struct fib_alias + fib_info + one nexthop, flattened). */
struct fib_route {
	uint32_t dst;			/* network order, host bits zero */
	uint8_t plen;
	uint8_t type;			/* enum rtn_type */
	uint8_t table;			/* FIB_TABLE_LOCAL or FIB_TABLE_MAIN */
	uint8_t connected;		/* derived from an interface address */
	uint32_t gateway;		/* 0 = on-link (scope link) */
	int oif;			/* 0 for blackhole/unreachable/prohibit */
	int metric;
	uint32_t prefsrc;		/* the interface address it came from */
};

/* What a lookup found (struct fib_result). */
struct fib_result {
	const struct fib_route *r;	/* NULL when nothing matched */
	uint8_t type;
};

/* fib_init / fib_exit - create and free net->fib (called by netns.c). */
int fib_init(struct net *net);
void fib_exit(struct net *net);

/**
 * fib_add_route - adds a main-table route (scenario "routes").
 * Routes are kept sorted by prefix length (longest first), then metric.
 * Returns 0, or -1 when out of memory or dst has host bits set.
 */
int fib_add_route(struct net *net, uint32_t dst, int plen, uint32_t gateway, int oif, int type, int metric);

/**
 * fib_lookup - the route for daddr: the local table first, then main
 * (Linux's default rules 0 and 32766). oif restricts to routes out of that
 * device (0 = any). Emits a "fib_table_lookup" step listing the prefixes
 * tried and the match. Returns 0 (res filled), or the error the route type
 * means: -ENETUNREACH (nothing matched), -EHOSTUNREACH (unreachable),
 * -EACCES (prohibit), -EINVAL (blackhole); res->r is set for those too.
 */
int fib_lookup(struct net *net, uint32_t daddr, int oif, struct fib_result *res, const struct sk_buff *skb);

/* fib_lookup_scan - fib_lookup without its cache of results (untraced
 * lookups use it) and untraced: every table scanned. For tests that hold
 * the cache to the scan. */
int fib_lookup_scan(struct net *net, uint32_t daddr, int oif, struct fib_result *res);

/* inet_addr_type - RTN_LOCAL, RTN_BROADCAST, RTN_UNICAST (routable) or
 * RTN_UNSPEC for addr, without tracing. */
int inet_addr_type(struct net *net, uint32_t addr);

/* fib_for_each - every route, local table first (CLI "info routes"). */
void fib_for_each(struct net *net, void (*fn)(void *ctx, const struct fib_route *r), void *ctx);

/* fib_route_fmt - "10.0.0.0/24 via 10.0.0.1 dev eth0 unicast" into buf. */
const char *fib_route_fmt(struct net *net, const struct fib_route *r, char *buf, size_t len);
const char *rtn_type_name(int type);

/* -- net/ipv4/inetpeer.c: per-remote-address rate-limit state -- */
struct inet_peer {
	uint32_t daddr;
	uint64_t last_used_ns;
	/* One token bucket shared by ip_error and icmp_send, as Linux's
	 * rate_tokens/rate_last are; a new peer starts with rate_last 60 s
	 * in the past, so its bucket is full. */
	uint64_t rate_last_ns;
	uint64_t rate_tokens_ns;
};

/**
 * inet_getpeer_v4 - the peer entry for daddr, created if missing. The
 * cache is bounded (256 entries, least recently used recycled), as the
 * kernel's inet_peer tree is bounded by inet_peer_threshold.
 * Returns NULL only when out of memory.
 */
struct inet_peer *inet_getpeer_v4(struct net *net, uint32_t daddr);

/* -- net/ipv4/route.c's nexthop exceptions: a path MTU learned for a
 * destination (struct fib_nh_exception's fnhe_pmtu, fnhe_mtu_locked,
 * fnhe_expires). Kept in FNHE_HASH buckets of FNHE_DEPTH, the oldest of a
 * full bucket recycled (Linux: 2048 buckets, FNHE_RECLAIM_DEPTH 5). -- */
#define FNHE_HASH	256
#define FNHE_DEPTH	5
struct fib_nh_exception {
	uint32_t daddr;			/* network order; 0 = free */
	uint32_t pmtu;
	uint8_t locked;			/* below min_pmtu: DF cleared, never lowered again */
	uint64_t expires_ns;
	uint64_t stamp_ns;		/* last updated: the oldest goes first */
};

/* fnhe_lookup - daddr's exception, expired or not; NULL when none.
 * fnhe_create - daddr's exception, made (or recycled) if missing; NULL
 * only without net->fib. fnhe_for_each - every one in use. */
struct fib_nh_exception *fnhe_lookup(struct net *net, uint32_t daddr);
struct fib_nh_exception *fnhe_create(struct net *net, uint32_t daddr);
void fnhe_for_each(struct net *net, void (*fn)(void *ctx, const struct fib_nh_exception *e), void *ctx);

/* ICMP sysctls (net.ipv4.icmp_*) and the global limiter's state. */
struct icmp_state {
	int ratelimit_ms;		/* icmp_ratelimit, 1000 */
	int ratemask;			/* icmp_ratemask, 0x1818 */
	int msgs_per_sec;		/* icmp_msgs_per_sec, 1000 */
	int msgs_burst;			/* icmp_msgs_burst, 50 */
	int echo_ignore_all;		/* icmp_echo_ignore_all, 0 */
	int echo_ignore_broadcasts;	/* icmp_echo_ignore_broadcasts, 1 */
	int errors_use_inbound_ifaddr;	/* icmp_errors_use_inbound_ifaddr, 0 */
	int global_credit;
	uint64_t global_stamp_ns;
	uint16_t ip_id;			/* next IP id for datagrams we build */
};

struct icmp_state *icmp_state(struct net *net);

/* ip_select_ident - the IP id for a datagram this host originates (a
 * counter: Linux hashes per destination; deterministic here). */
uint16_t ip_select_ident(struct net *net);

#endif
