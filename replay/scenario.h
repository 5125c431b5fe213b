/*
 * scenario.h - the simulated host described in JSON (docs/design.md §4), loaded
 * with cJSON into a struct net. An embedded default host is used when no
 * file is given. Errors name the file and the field ("interfaces[0].mac:
 * expected "02:00:00:00:00:01"").
 */
#ifndef NJ_REPLAY_SCENARIO_H
#define NJ_REPLAY_SCENARIO_H

#include <stddef.h>

#include "cJSON.h"
#include "netns.h"

/* The embedded default scenario (docs/design.md §4) as JSON text. */
extern const char scenario_default_json[];

/**
 * scenario_load_file - builds net from the JSON file at path (NULL: the
 * default). Returns 0, or -1 with a message naming the file and field in
 * err. net must be fresh (net_create()).
 */
int scenario_load_file(struct net *net, const char *path, char *err, size_t errlen);

/* scenario_read_file - the file's text (malloc'd, NUL-terminated), or NULL
 * with err naming the file. At most 16 MiB. */
char *scenario_read_file(const char *path, char *err, size_t errlen);

/* scenario_load_text - the same from JSON text; name is used in messages. */
int scenario_load_text(struct net *net, const char *json, const char *name, char *err, size_t errlen);

/* scenario_edit - one what-if edit "PATH=VALUE" (scenario_edit.c) applied
 * to root. Returns 0, or -1 with err saying what is wrong. */
int scenario_edit(cJSON *root, const char *assign, char *err, size_t errlen);
/* scenario_edited - json with every edit applied, as malloc'd text; NULL
 * with err set on a bad edit or bad JSON. */
char *scenario_edited(const char *json, const char *const *sets, int nsets, char *err, size_t errlen);

/* scenario_set_stop - the flag a signal handler sets (replay_cfg.stop)
 * for loads on this thread, NULL for none. Loading checks it between
 * sections and inside every long loop, and then fails with "interrupted". */
void scenario_set_stop(volatile int *stop);
/* scenario_stopped - for section parsers: 1 with err set once asked to
 * stop, else 0. scenario_stop_flag - the flag itself (for a compile). */
int scenario_stopped(char *err, size_t errlen);
volatile int *scenario_stop_flag(void);

/* At most this many packet sockets: a process's default open-file limit
 * (RLIMIT_NOFILE), and each filter is compiled in a process of its own. */
#define SCENARIO_MAX_PACKET_SOCKS 1024

/*
 * Section parsers, one per subsystem, each in its own file. Each gets the
 * section (NULL when absent) and returns 0, or -1 with err naming the field
 * ("routes[2].via: not an IPv4 address").
 */
int scenario_routes(struct net *net, const cJSON *routes, const cJSON *root, char *err, size_t errlen);	/* scenario_route.c: routes, forwarding, rp_filter */
int scenario_netfilter(struct net *net, const cJSON *rules, char *err, size_t errlen);	/* scenario_route.c */
int scenario_listen(struct net *net, const cJSON *listen, char *err, size_t errlen);		/* scenario_transport.c */
int scenario_transport(struct net *net, const cJSON *root, char *err, size_t errlen);	/* scenario_transport.c: connections, TCP sysctls */
int scenario_packet_sockets(struct net *net, const cJSON *arr, char *err, size_t errlen);	/* scenario_packet.c */

/* Helpers for section parsers: parse "10.0.0.2/24" / "10.0.0.2" (network
 * order) and "02:00:00:00:00:01". Return 0 or -1. */
int scenario_parse_prefix(const char *s, uint32_t *addr, int *plen);
int scenario_parse_ip(const char *s, uint32_t *addr);
int scenario_parse_mac(const char *s, uint8_t mac[6]);

/* scenario_ipv6.c: IPv6 addresses, neighbours, routes (an address with a
 * ':' selects them) and the "ipv6" sysctl object. Each returns 0, or -1
 * with err naming the field. */
struct in6;
int scenario_parse_prefix6(const char *s, struct in6 *addr, int *plen);
int scenario_addr6(struct net *net, struct net_device *dev, const char *s, int i, int j, char *err, size_t errlen);
int scenario_neigh6(struct net *net, struct net_device *dev, const char *ip, const uint8_t mac[6], int i, char *err,
		    size_t errlen);
int scenario_route6_one(struct net *net, const cJSON *r, int i, int rtype, char *err, size_t errlen);
int scenario_ipv6_sysctls(struct net *net, const cJSON *o, char *err, size_t errlen);

#endif
