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
	X(TCPEXT_PAWSACTIVEREJECTED, "TcpExt.PAWSActive") \
	X(TCPEXT_TCPRCVCOALESCE, "TcpExt.TCPRcvCoalesce")	\
	X(TCPEXT_TCPTIMEOUTS, "TcpExt.TCPTimeouts")		\
	X(TCPEXT_TCPLOSSPROBES, "TcpExt.TCPLossProbes")		\
	X(TCPEXT_TCPSLOWSTARTRETRANS, "TcpExt.TCPSlowStartRetrans") \
	X(TCPEXT_TCPABORTONTIMEOUT, "TcpExt.TCPAbortOnTimeout")	\
	/* IPv6 (/proc/net/snmp6, with a dot after the group) */ \
	X(IP6_INRECEIVES, "Ip6.InReceives") \
	X(IP6_INHDRERRORS, "Ip6.InHdrErrors") \
	X(IP6_INTOOBIGERRORS, "Ip6.InTooBigErrors") \
	X(IP6_INNOROUTES, "Ip6.InNoRoutes") \
	X(IP6_INADDRERRORS, "Ip6.InAddrErrors") \
	X(IP6_INUNKNOWNPROTOS, "Ip6.InUnknownProtos") \
	X(IP6_INTRUNCATEDPKTS, "Ip6.InTruncatedPkts") \
	X(IP6_INDISCARDS, "Ip6.InDiscards") \
	X(IP6_INDELIVERS, "Ip6.InDelivers") \
	X(IP6_OUTFORWDATAGRAMS, "Ip6.OutForwDatagrams") \
	X(IP6_OUTREQUESTS, "Ip6.OutRequests") \
	X(IP6_OUTDISCARDS, "Ip6.OutDiscards") \
	X(IP6_OUTNOROUTES, "Ip6.OutNoRoutes") \
	X(IP6_REASMTIMEOUT, "Ip6.ReasmTimeout") \
	X(IP6_REASMREQDS, "Ip6.ReasmReqds") \
	X(IP6_REASMOKS, "Ip6.ReasmOKs") \
	X(IP6_REASMFAILS, "Ip6.ReasmFails") \
	X(IP6_FRAGOKS, "Ip6.FragOKs") \
	X(IP6_FRAGFAILS, "Ip6.FragFails") \
	X(IP6_FRAGCREATES, "Ip6.FragCreates") \
	X(IP6_INMCASTPKTS, "Ip6.InMcastPkts") \
	X(IP6_OUTMCASTPKTS, "Ip6.OutMcastPkts") \
	X(IP6_INOCTETS, "Ip6.InOctets") \
	X(IP6_OUTOCTETS, "Ip6.OutOctets") \
	X(IP6_INMCASTOCTETS, "Ip6.InMcastOctets") \
	X(IP6_OUTMCASTOCTETS, "Ip6.OutMcastOctets") \
	X(IP6_INNOECTPKTS, "Ip6.InNoECTPkts") \
	X(IP6_INECT1PKTS, "Ip6.InECT1Pkts") \
	X(IP6_INECT0PKTS, "Ip6.InECT0Pkts") \
	X(IP6_INCEPKTS, "Ip6.InCEPkts") \
	X(IP6_OUTTRANSMITS, "Ip6.OutTransmits") \
	X(ICMP6_INMSGS, "Icmp6.InMsgs") \
	X(ICMP6_INERRORS, "Icmp6.InErrors") \
	X(ICMP6_OUTMSGS, "Icmp6.OutMsgs") \
	X(ICMP6_OUTERRORS, "Icmp6.OutErrors") \
	X(ICMP6_INCSUMERRORS, "Icmp6.InCsumErrors") \
	X(ICMP6_OUTRATELIMITHOST, "Icmp6.OutRateLimitHost") \
	X(ICMP6_INDESTUNREACHS, "Icmp6.InDestUnreachs") \
	X(ICMP6_INPKTTOOBIGS, "Icmp6.InPktTooBigs") \
	X(ICMP6_INTIMEEXCDS, "Icmp6.InTimeExcds") \
	X(ICMP6_INPARMPROBLEMS, "Icmp6.InParmProblems") \
	X(ICMP6_INECHOS, "Icmp6.InEchos") \
	X(ICMP6_INECHOREPLIES, "Icmp6.InEchoReplies") \
	X(ICMP6_INGROUPMEMBQUERIES, "Icmp6.InGroupMembQueries") \
	X(ICMP6_INGROUPMEMBRESPONSES, "Icmp6.InGroupMembResponses") \
	X(ICMP6_INGROUPMEMBREDUCTIONS, "Icmp6.InGroupMembReductions") \
	X(ICMP6_INROUTERSOLICITS, "Icmp6.InRouterSolicits") \
	X(ICMP6_INROUTERADVERTISEMENTS, "Icmp6.InRouterAdvertisements") \
	X(ICMP6_INNEIGHBORSOLICITS, "Icmp6.InNeighborSolicits") \
	X(ICMP6_INNEIGHBORADVERTISEMENTS, "Icmp6.InNeighborAdvertisements") \
	X(ICMP6_INREDIRECTS, "Icmp6.InRedirects") \
	X(ICMP6_INMLDV2REPORTS, "Icmp6.InMLDv2Reports") \
	X(ICMP6_OUTDESTUNREACHS, "Icmp6.OutDestUnreachs") \
	X(ICMP6_OUTPKTTOOBIGS, "Icmp6.OutPktTooBigs") \
	X(ICMP6_OUTTIMEEXCDS, "Icmp6.OutTimeExcds") \
	X(ICMP6_OUTPARMPROBLEMS, "Icmp6.OutParmProblems") \
	X(ICMP6_OUTECHOREPLIES, "Icmp6.OutEchoReplies") \
	X(ICMP6_OUTNEIGHBORSOLICITS, "Icmp6.OutNeighborSolicits") \
	X(ICMP6_OUTNEIGHBORADVERTISEMENTS, "Icmp6.OutNeighborAdvertisements") \
	X(ICMP6_OUTREDIRECTS, "Icmp6.OutRedirects") \
	X(UDP6_INDATAGRAMS, "Udp6.InDatagrams") \
	X(UDP6_NOPORTS, "Udp6.NoPorts") \
	X(UDP6_INERRORS, "Udp6.InErrors") \
	X(UDP6_OUTDATAGRAMS, "Udp6.OutDatagrams") \
	X(UDP6_RCVBUFERRORS, "Udp6.RcvbufErrors") \
	X(UDP6_INCSUMERRORS, "Udp6.InCsumErrors") \
	X(UDP6_IGNOREDMULTI, "Udp6.IgnoredMulti") \
	/* appended, not grouped: the order is the counters' index */ \
	X(TCPEXT_TCPREQQFULLDOCOOKIES, "TcpExt.TCPReqQFullDoCookies") \
	X(TCPEXT_SYNCOOKIESSENT, "TcpExt.SyncookiesSent") \
	X(TCPEXT_SYNCOOKIESRECV, "TcpExt.SyncookiesRecv") \
	X(TCPEXT_SYNCOOKIESFAILED, "TcpExt.SyncookiesFailed") \
	X(ICMP_INPARMPROBS, "Icmp.InParmProbs") \
	X(ICMP_INSRCQUENCHS, "Icmp.InSrcQuenchs") \
	X(ICMP_INREDIRECTS, "Icmp.InRedirects") \
	X(ICMP_INTIMESTAMPS, "Icmp.InTimestamps") \
	X(ICMP_INTIMESTAMPREPS, "Icmp.InTimestampReps") \
	X(ICMP_INADDRMASKS, "Icmp.InAddrMasks") \
	X(ICMP_INADDRMASKREPS, "Icmp.InAddrMaskReps") \
	X(ICMP_OUTPARMPROBS, "Icmp.OutParmProbs") \
	X(ICMP_OUTREDIRECTS, "Icmp.OutRedirects") \
	X(ICMP_OUTTIMESTAMPREPS, "Icmp.OutTimestampReps")

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
