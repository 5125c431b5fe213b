/*
 * nj_ipv6_check.h - the IPv6 unit tests' shared fixture, on top of
 * nj_check.h: the host's fd00::2/64 (H6) with its peer fd00::1 (P6) as a
 * static neighbour, the frame and payload buffers the builders fill, and
 * a6() for an address in its text form.
 */
#ifndef NJ_TESTS_UNIT_NJ_IPV6_CHECK_H
#define NJ_TESTS_UNIT_NJ_IPV6_CHECK_H

#include "ipv6.h"
#include "nj_check.h"

#define H6 "fd00::2"
#define P6 "fd00::1"

/* A frame (fr) and the payload it is built from (pl). */
static uint8_t fr[4096], pl[4096];

static inline struct in6 a6(const char *s)
{
	struct in6 a;
	ck_assert_int_eq(in6_pton(s, &a), 0);
	return a;
}

/* nj_net6 - nj_net plus fd00::2/64 and the peer fd00::1, capturing frames. */
static inline struct net *nj_net6(void)
{
	struct net *net = nj_net();
	struct in6 h = a6(H6), p = a6(P6);
	ck_assert_int_eq(ipv6_add_addr(net, &net->devs[0], &h, 64), 0);
	ck_assert_int_eq(ndisc_add_static(net, &net->devs[0], &p, nj_peer_mac), 0);
	nj_capture_tx(net);
	return net;
}

#endif
