/*
 * mkpcap_transport.c - transport scenario pcaps for mkpcap (see mkpcap.h).
 */
#include "mkpcap.h"

const struct mk_scenario mk_transport_scenarios[] = {
	{ NULL, NULL, NULL, NULL },
};
