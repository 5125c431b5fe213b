#include "mkpcap.h"
const struct mk_scenario mk_route_scenarios[] = { { NULL, NULL, NULL, NULL } };
