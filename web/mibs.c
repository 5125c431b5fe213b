/*
 * mibs.c - counter totals at any event, for the state panel: the store
 * keeps checkpointed totals (store_mib_at), so this is a thin wrapper.
 */
#include <string.h>

#include "web.h"

void web_mib_at(struct web_trace *t, size_t i, uint64_t *out)
{
	store_mib_at(t->s, i, out);
}

cJSON *web_mib_json(const uint64_t *m)
{
	cJSON *o = cJSON_CreateObject();
	for (int i = 0; i < MIB_MAX; i++)
		if (m[i])
			cJSON_AddNumberToObject(o, mib_name((enum nj_mib)i), (double)m[i]);
	return o;
}
