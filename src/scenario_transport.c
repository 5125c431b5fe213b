/*
 * scenario_transport.c - the scenario's "listen" section.
 * FIRST VERSION: the section is accepted and not yet applied.
 */
#include <stdio.h>

#include "scenario.h"

int scenario_listen(struct net *net, const cJSON *listen, char *err, size_t errlen)
{
	(void)net;
	(void)listen;
	(void)err;
	(void)errlen;
	return 0;
}
