/*
 * names.c - the printable names of drop reasons, MIB counters, packet types
 * and ethertypes, as the kernel and iproute2 print them.
 */
#include "drop_reason.h"
#include "skbuff.h"
#include "snmp.h"

#include <string.h>

static const char *const dr_names[] = {
#define NJ_DR_NAME(n) #n,
	NJ_DROP_REASONS(NJ_DR_NAME)
#undef NJ_DR_NAME
};

const char *drop_reason_name(enum skb_drop_reason r)
{
	return (unsigned)r < SKB_DROP_REASON_MAX ? dr_names[r] : "NOT_SPECIFIED";
}

int drop_reason_lookup(const char *s)
{
	for (int i = 0; i < SKB_DROP_REASON_MAX; i++)
		if (!strcmp(dr_names[i], s))
			return i;
	return -1;
}

static const char *const mib_names[] = {
#define NJ_MIB_NAME(e, s) s,
	NJ_MIBS(NJ_MIB_NAME)
#undef NJ_MIB_NAME
};

const char *mib_name(enum nj_mib m) { return (unsigned)m < MIB_MAX ? mib_names[m] : "?"; }

int mib_lookup(const char *s)
{
	for (int i = 0; i < MIB_MAX; i++)
		if (!strcmp(mib_names[i], s))
			return i;
	return -1;
}

const char *pkt_type_name(int t)
{
	static const char *const n[] = { "HOST", "BROADCAST", "MULTICAST", "OTHERHOST", "OUTGOING", "LOOPBACK" };
	return t >= 0 && t <= 5 ? n[t] : "?";
}

const char *eth_proto_name(uint16_t p)
{
	switch (p) {
	case ETH_P_IP: return "IPv4";
	case ETH_P_ARP: return "ARP";
	case ETH_P_RARP: return "RARP";
	case ETH_P_IPV6: return "IPv6";
	case ETH_P_8021Q: return "802.1Q";
	case ETH_P_8021AD: return "802.1ad";
	case ETH_P_802_3: return "802.3";
	case ETH_P_802_2: return "802.2";
	default: return "other";
	}
}
