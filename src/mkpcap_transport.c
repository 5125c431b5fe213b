#include "mkpcap.h"
const struct mk_scenario mk_transport_scenarios[] = { { NULL, NULL, NULL, NULL } };
