/*
 * scenario_route.c - the scenario's "routes", "forwarding", "rp_filter" and
 * "netfilter" sections. FIRST VERSION: the section is accepted and not yet applied.
 */
#include <stdio.h>

#include "scenario.h"

int scenario_routes(struct net *net, const cJSON *routes, const cJSON *root, char *err, size_t errlen)
{
	(void)net;
	(void)root;
	(void)routes;
	(void)err;
	(void)errlen;
	return 0;
}

int scenario_netfilter(struct net *net, const cJSON *rules, char *err, size_t errlen)
{
	(void)net;
	(void)rules;
	(void)err;
	(void)errlen;
	return 0;
}
