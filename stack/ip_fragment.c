/*
 * ip_fragment.c - IPv4 reassembly, after net/ipv4/ip_fragment.c.
 * FIRST VERSION: fragments are not reassembled yet; each is dropped.
 */
#include "ip_fragment.h"

#include <errno.h>

int ip_frag_init(struct net *net) { (void)net; return 0; }
void ip_frag_exit(struct net *net) { (void)net; }
void ip_frag_run_timers(struct net *net) { (void)net; }

int ip_defrag(struct net *net, struct sk_buff **pskb)
{
	SNMP_INC(net, MIB_IP_REASMREQDS);
	SNMP_INC(net, MIB_IP_REASMFAILS);
	trace_step(net, *pskb, "ip_defrag", "reassembly is not modelled in this build");
	kfree_skb_reason(net, *pskb, SKB_DROP_REASON_NOT_SPECIFIED);
	*pskb = NULL;
	return -ENOMEM;
}
