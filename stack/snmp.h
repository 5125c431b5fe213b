/*
 * snmp.h - MIB counters with the group and label that /proc/net/snmp and
 * /proc/net/netstat print (include/uapi/linux/snmp.h), so totals can be held
 * against `nstat` on a real host. Names are "Group.Label".
 */
#ifndef NJ_STACK_SNMP_H
#define NJ_STACK_SNMP_H

#define NJ_MIBS(X)						\
	X(IP_INRECEIVES, "Ip.InReceives")			\
	X(IP_INHDRERRORS, "Ip.InHdrErrors")			\
	X(IP_INADDRERRORS, "Ip.InAddrErrors")			\
	X(IP_FORWDATAGRAMS, "Ip.ForwDatagrams")			\
	X(IP_INUNKNOWNPROTOS, "Ip.InUnknownProtos")		\
	X(IP_INDISCARDS, "Ip.InDiscards")			\
	X(IP_INDELIVERS, "Ip.InDelivers")			\
	X(IP_OUTREQUESTS, "Ip.OutRequests")			\
	X(IP_OUTDISCARDS, "Ip.OutDiscards")			\
	X(IP_OUTNOROUTES, "Ip.OutNoRoutes")			\
	X(IP_REASMTIMEOUT, "Ip.ReasmTimeout")			\
	X(IP_REASMREQDS, "Ip.ReasmReqds")			\
	X(IP_REASMOKS, "Ip.ReasmOKs")				\
	X(IP_REASMFAILS, "Ip.ReasmFails")			\
	X(IP_FRAGOKS, "Ip.FragOKs")				\
	X(IP_FRAGFAILS, "Ip.FragFails")				\
	X(IP_FRAGCREATES, "Ip.FragCreates")			\
	X(IP_OUTTRANSMITS, "Ip.OutTransmits")			\
	X(IPEXT_INNOROUTES, "IpExt.InNoRoutes")			\
	X(IPEXT_INTRUNCATEDPKTS, "IpExt.InTruncatedPkts")	\
	X(IPEXT_INMCASTPKTS, "IpExt.InMcastPkts")		\
	X(IPEXT_INBCASTPKTS, "IpExt.InBcastPkts")		\
	X(IPEXT_INOCTETS, "IpExt.InOctets")			\
	X(IPEXT_OUTOCTETS, "IpExt.OutOctets")			\
	X(IPEXT_INCSUMERRORS, "IpExt.InCsumErrors")		\
	X(IPEXT_INNOECTPKTS, "IpExt.InNoECTPkts")		\
	X(IPEXT_INECT1PKTS, "IpExt.InECT1Pkts")			\
	X(IPEXT_INECT0PKTS, "IpExt.InECT0Pkts")			\
	X(IPEXT_INCEPKTS, "IpExt.InCEPkts")			\
	X(IPEXT_REASMOVERLAPS, "IpExt.ReasmOverlaps")		\
	X(ICMP_INMSGS, "Icmp.InMsgs")				\
	X(ICMP_INERRORS, "Icmp.InErrors")			\
	X(ICMP_INCSUMERRORS, "Icmp.InCsumErrors")		\
	X(ICMP_INDESTUNREACHS, "Icmp.InDestUnreachs")		\
	X(ICMP_INTIMEEXCDS, "Icmp.InTimeExcds")			\
	X(ICMP_INECHOS, "Icmp.InEchos")				\
	X(ICMP_INECHOREPS, "Icmp.InEchoReps")			\
	X(ICMP_OUTMSGS, "Icmp.OutMsgs")				\
	X(ICMP_OUTERRORS, "Icmp.OutErrors")			\
	X(ICMP_OUTDESTUNREACHS, "Icmp.OutDestUnreachs")		\
	X(ICMP_OUTTIMEEXCDS, "Icmp.OutTimeExcds")		\
	X(ICMP_OUTECHOREPS, "Icmp.OutEchoReps")			\
	X(ICMP_OUTRATELIMITGLOBAL, "Icmp.OutRateLimitGlobal")	\
	X(ICMP_OUTRATELIMITHOST, "Icmp.OutRateLimitHost")	\
	X(TCP_ACTIVEOPENS, "Tcp.ActiveOpens")			\
	X(TCP_PASSIVEOPENS, "Tcp.PassiveOpens")			\
	X(TCP_ATTEMPTFAILS, "Tcp.AttemptFails")			\
	X(TCP_ESTABRESETS, "Tcp.EstabResets")			\
	X(TCP_INSEGS, "Tcp.InSegs")				\
	X(TCP_OUTSEGS, "Tcp.OutSegs")				\
	X(TCP_RETRANSSEGS, "Tcp.RetransSegs")			\
	X(TCP_INERRS, "Tcp.InErrs")				\
	X(TCP_OUTRSTS, "Tcp.OutRsts")				\
	X(TCP_INCSUMERRORS, "Tcp.InCsumErrors")			\
	X(UDP_INDATAGRAMS, "Udp.InDatagrams")			\
	X(UDP_NOPORTS, "Udp.NoPorts")				\
	X(UDP_INERRORS, "Udp.InErrors")				\
	X(UDP_OUTDATAGRAMS, "Udp.OutDatagrams")			\
	X(UDP_RCVBUFERRORS, "Udp.RcvbufErrors")			\
	X(UDP_INCSUMERRORS, "Udp.InCsumErrors")			\
	X(UDP_IGNOREDMULTI, "Udp.IgnoredMulti")			\
	X(TCPEXT_IPREVERSEPATHFILTER, "TcpExt.IPReversePathFilter") \
	X(TCPEXT_LISTENOVERFLOWS, "TcpExt.ListenOverflows")	\
	X(TCPEXT_LISTENDROPS, "TcpExt.ListenDrops")		\
	X(TCPEXT_TCPHPHITS, "TcpExt.TCPHPHits")			\
	X(TCPEXT_TCPHPACKS, "TcpExt.TCPHPAcks")			\
	X(TCPEXT_TCPPUREACKS, "TcpExt.TCPPureAcks")		\
	X(TCPEXT_TCPOFOQUEUE, "TcpExt.TCPOFOQueue")		\
	X(TCPEXT_TCPOFODROP, "TcpExt.TCPOFODrop")		\
	X(TCPEXT_TCPOFOMERGE, "TcpExt.TCPOFOMerge")		\
	X(TCPEXT_TCPDSACKOLDSENT, "TcpExt.TCPDSACKOldSent")	\
	X(TCPEXT_TCPCHALLENGEACK, "TcpExt.TCPChallengeACK")	\
	X(TCPEXT_TCPSYNCHALLENGE, "TcpExt.TCPSYNChallenge")	\
	X(TCPEXT_TCPABORTONDATA, "TcpExt.TCPAbortOnData")	\
	X(TCPEXT_TCPDELAYEDACKS, "TcpExt.DelayedACKs")		\
	X(TCPEXT_TCPTIMEWAITED, "TcpExt.TW")			\
	X(TCPEXT_PAWSESTABREJECTED, "TcpExt.PAWSEstab")		\
	X(TCPEXT_TCPACKSKIPPEDSEQ, "TcpExt.TCPACKSkippedSeq")	\
	X(TCPEXT_OUTOFWINDOWICMPS, "TcpExt.OutOfWindowIcmps")	\
	X(DEV_RX_DROPPED, "Dev.RxDropped")			\
	X(DEV_RX_OTHERHOST_DROPPED, "Dev.RxOtherhostDropped")	\
	X(DEV_RX_NOHANDLER, "Dev.RxNohandler")			\
	X(SOFTNET_DROPPED, "Softnet.Dropped")			\
	X(SOFTNET_TIME_SQUEEZE, "Softnet.TimeSqueeze")		\
	X(SOFTNET_PROCESSED, "Softnet.Processed")		\
	X(ARP_INREQUESTS, "Arp.InRequests")			\
	X(ARP_INREPLIES, "Arp.InReplies")			\
	X(ARP_OUTREPLIES, "Arp.OutReplies")			\
	X(TCPEXT_TCPACKSKIPPEDCHALLENGE, "TcpExt.TCPACKSkippedChallenge") \
	X(TCPEXT_EMBRYONICRSTS, "TcpExt.EmbryonicRsts")		\
	X(TCPEXT_TCPREQQFULLDROP, "TcpExt.TCPReqQFullDrop")	\
	X(TCPEXT_TCPRCVQDROP, "TcpExt.TCPRcvQDrop")		\
	X(TCPEXT_TCPZEROWINDOWDROP, "TcpExt.TCPZeroWindowDrop")	\
	X(TCPEXT_DELAYEDACKLOST, "TcpExt.DelayedACKLost")	\
	X(TCPEXT_TCPABORTONCLOSE, "TcpExt.TCPAbortOnClose")	\
	X(TCPEXT_TCPACKSKIPPEDTIMEWAIT, "TcpExt.TCPACKSkippedTimeWait") \
	X(ARP_OUTREQUESTS, "Arp.OutRequests")			\
	X(ARP_UNRESOLVED_DISCARDS, "Arp.UnresolvedDiscards")	\
	X(TCPEXT_TCPSYNRETRANS, "TcpExt.TCPSynRetrans")		\
	X(TCPEXT_TCPACKSKIPPEDSYNRECV, "TcpExt.TCPACKSkippedSynRecv") \
	X(TCPEXT_TCPACKSKIPPEDPAWS, "TcpExt.TCPACKSkippedPAWS")	\
	X(TCPEXT_TCPDSACKOFOSENT, "TcpExt.TCPDSACKOfoSent")	\
	X(TCPEXT_TCPSACKDISCARD, "TcpExt.TCPSACKDiscard")	\
	X(TCPEXT_TCPDSACKRECV, "TcpExt.TCPDSACKRecv")		\
	X(TCPEXT_PAWSACTIVEREJECTED, "TcpExt.PAWSActive")

enum nj_mib {
#define NJ_MIB_ENUM(e, s) MIB_##e,
	NJ_MIBS(NJ_MIB_ENUM)
#undef NJ_MIB_ENUM
	MIB_MAX
};

/* mib_name - "Group.Label" for a counter; cannot fail. The Dev, Softnet and
 * Arp groups are not SNMP: they stand for ip -s link, /proc/net/softnet_stat
 * and /proc/net/stat/arp_cache, which a real host keeps elsewhere. */
const char *mib_name(enum nj_mib m);

/* mib_lookup - the counter named s ("Ip.InReceives"), or -1. */
int mib_lookup(const char *s);

#endif
