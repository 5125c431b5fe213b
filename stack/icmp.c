/*
 * icmp.c - ICMP receive and the error generator, after net/ipv4/icmp.c
 * (Linux 6.13). FIRST VERSION: icmp_rcv validates and accounts; replies
 * and icmp_send's transmission come with the output path.
 */
#include "stack.h"

static const char *icmp_type_name(int t)
{
	switch (t) {
	case ICMP_ECHOREPLY: return "echo reply";
	case ICMP_DEST_UNREACH: return "destination unreachable";
	case ICMP_SOURCE_QUENCH: return "source quench";
	case ICMP_REDIRECT: return "redirect";
	case ICMP_ECHO: return "echo request";
	case ICMP_TIME_EXCEEDED: return "time exceeded";
	case ICMP_PARAMETERPROB: return "parameter problem";
	case ICMP_TIMESTAMP: return "timestamp";
	case ICMP_TIMESTAMPREPLY: return "timestamp reply";
	default: return "other";
	}
}

/* icmp_rcv: InMsgs first, then checksum (the whole message), then the
 * header, then dispatch by type. */
int icmp_rcv(struct net *net, struct sk_buff *skb)
{
	const struct icmphdr *icmph;

	trace_enter(net, skb, "icmp_rcv", "icmp", "%u bytes", skb->len);
	SNMP_INC(net, MIB_ICMP_INMSGS);
	if (net->sysctl.verify_checksums && !skb->csum_valid &&
	    csum_fold(csum_partial(skb->data, skb->len, 0)) != 0) {
		trace_step(net, skb, "icmp_rcv", "checksum over the %u-byte message is wrong", skb->len);
		SNMP_INC(net, MIB_ICMP_INCSUMERRORS);
		SNMP_INC(net, MIB_ICMP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_ICMP_CSUM);
	}
	if (!pskb_may_pull(skb, sizeof(*icmph))) {
		trace_step(net, skb, "icmp_rcv", "%u bytes: shorter than an ICMP header", skb->len);
		SNMP_INC(net, MIB_ICMP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	icmph = (const struct icmphdr *)skb->data;
	if (icmph->type > NR_ICMP_TYPES) {
		SNMP_INC(net, MIB_ICMP_INERRORS);
		return skb_drop(net, skb, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (icmph->type == ICMP_ECHO)
		SNMP_INC(net, MIB_ICMP_INECHOS);
	else if (icmph->type == ICMP_ECHOREPLY)
		SNMP_INC(net, MIB_ICMP_INECHOREPS);
	else if (icmph->type == ICMP_DEST_UNREACH)
		SNMP_INC(net, MIB_ICMP_INDESTUNREACHS);
	else if (icmph->type == ICMP_TIME_EXCEEDED)
		SNMP_INC(net, MIB_ICMP_INTIMEEXCDS);
	trace_exit(net, skb, V_CONSUMED, 0, "type %u (%s) code %u", icmph->type,
		   icmp_type_name(icmph->type), icmph->code);
	kfree_skb(net, skb);
	return NET_RX_SUCCESS;
}

void icmp_send(struct net *net, struct sk_buff *skb_in, int type, int code, uint32_t info)
{
	(void)info;
	trace_step(net, skb_in, "icmp_send", "ICMP type %d code %d not sent: no output path in this build",
		   type, code);
}
