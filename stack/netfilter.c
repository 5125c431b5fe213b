/*
 * netfilter.c - the IPv4 hook points, after net/netfilter/core.c
 * (nf_hook_slow). This first version has no rule tables: every hook
 * accepts, and the traversal is shown so students see where the hooks sit.
 */
#include "netfilter.h"

const char *nf_hook_name(int hook)
{
	static const char *const n[] = { "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING" };
	return hook >= 0 && hook < NF_INET_NUMHOOKS ? n[hook] : "?";
}

int NF_HOOK(struct net *net, int hook, struct sk_buff *skb, struct net_device *in,
	    struct net_device *out, nf_okfn okfn)
{
	(void)in;
	(void)out;
	trace_step(net, skb, "nf_hook", "NF_INET_%s: no rules registered, ACCEPT", nf_hook_name(hook));
	return okfn(net, skb);
}
