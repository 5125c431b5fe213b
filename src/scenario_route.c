#include "scenario.h"
int scenario_routes(struct net *net, const cJSON *routes, const cJSON *root, char *err, size_t errlen)
{ (void)net; (void)routes; (void)root; (void)err; (void)errlen; return 0; }
int scenario_netfilter(struct net *net, const cJSON *rules, char *err, size_t errlen)
{ (void)net; (void)rules; (void)err; (void)errlen; return 0; }
