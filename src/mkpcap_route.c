/*
 * mkpcap_route.c - route scenario pcaps for mkpcap (see mkpcap.h).
 */
#include "mkpcap.h"

const struct mk_scenario mk_route_scenarios[] = {
	{ NULL, NULL, NULL, NULL },
};
