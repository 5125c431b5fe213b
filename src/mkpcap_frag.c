#include "mkpcap.h"
const struct mk_scenario mk_frag_scenarios[] = { { NULL, NULL, NULL, NULL } };
