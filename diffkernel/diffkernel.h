/*
 * diffkernel.h - `netjourney diff-kernel`: the same capture through this
 * machine's Linux kernel (in throwaway network namespaces) and through
 * netjourney, then a per-packet comparison of what each sent back and of
 * their SNMP counters. Not a kernel file: a test harness for the stack.
 *   diffkernel_ns.c      namespaces, links (veth, tun), routes, sysctls, listeners (ip, sysctl)
 *   diffkernel_linux.c   frame injection, AF_PACKET or tun capture, /proc/net/snmp
 *   diffkernel_nj.c      the capture through replay_run, sent frames per packet
 *   diffkernel_nft.c     the scenario's netfilter rules as nftables, loaded with nft
 *   diffkernel_cmp.c     normalising frames, the allowlist, the comparison
 *   diffkernel_report.c  the text and JSON reports
 */
#ifndef NJ_DIFFKERNEL_DIFFKERNEL_H
#define NJ_DIFFKERNEL_DIFFKERNEL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns.h"

#define DK_MAX_FRAMES	4096		/* diff-kernel is for small captures */
#define DK_MAX_CONNS	64

/* One frame: an input from the capture, or one that a side sent. */
struct dk_frame {
	uint8_t *data;
	uint32_t len;
	uint64_t ts_ns;			/* capture time (inputs) */
	uint64_t play_ns;		/* when both halves play it (dk_play_times) */
	int dev;			/* scenario interface index it left on, -1 unknown */
	int host_sent;			/* input whose source MAC is a host MAC: not injected */
};

/*
 * A tun interface's packets have no link-layer header. Inside diff-kernel
 * they carry a fixed one (both MACs dk_tun_mac, the ethertype from the IP
 * version nibble, 0 for neither), added where they are read (capture, tun
 * fd, netjourney's -w) and taken off where they are written to the tun, so
 * that the comparison reads every frame alike.
 */
#define DK_TUN_HLEN	14
extern const uint8_t dk_tun_mac[6];
/* The source MAC a cooked frame gets when its header has no link address
 * (a device of another type, ARPHRD_VOID): it teaches the kernel nothing,
 * as netjourney learns nothing from such a frame. */
extern const uint8_t dk_nolink_mac[6];
/* dk_tun_header - writes that header for the IP packet ip (len bytes) to hdr. */
void dk_tun_header(const uint8_t *ip, uint32_t len, uint8_t hdr[DK_TUN_HLEN]);

struct dk_list {
	struct dk_frame *v;
	size_t n, cap;
};

/* What one side (Linux or netjourney) did with the capture. */
struct dk_side {
	struct dk_list *out;		/* out[i]: frames sent after input i, before input i+1 */
	int64_t mib[MIB_MAX];		/* counter deltas */
	uint8_t known[MIB_MAX];		/* the side has this counter at all */
};

/* The namespaces and processes of one run, for the cleanup. */
struct dk_env {
	char prefix[24];		/* "njdk<pid>" */
	char host[64];			/* host namespace name */
	char peer[NJ_MAX_DEVS][64];	/* peer namespace per interface */
	int ndev, made_host, made_peer[NJ_MAX_DEVS];
	int made_tun[NJ_MAX_DEVS], tunfd[NJ_MAX_DEVS];	/* a tun interface: its /dev/net/tun fd */
	pid_t listener;			/* forked listening-socket server, 0 none */
	int orig_ns;			/* fd of the namespace we started in */
	const char *nft;		/* the scenario's rules as an nft ruleset, NULL none */
	int keep;			/* --keep: leave the namespaces */
	int ipv6;			/* the capture has IPv6 frames: IPv6 is set up too */
};

struct dk_opts {
	const char *pcap, *scenario;
	int json, keep, auto_host;
	int settle_ms;			/* wait after each injected frame */
	int max_gap_ms;			/* capture gaps longer than this are shortened */
	int after_ms;			/* the time after the last frame compared (0: none) */
};

/* Set by SIGINT/SIGTERM: every loop stops and the cleanup runs. */
extern volatile sig_atomic_t dk_stop;

/* -- diffkernel_ns.c -- */
/* dk_env_setup - host + peer namespaces matching net (the loaded scenario)
 * and the scenario JSON (routes, listen); a tun interface is a tun device
 * made inside the host namespace (no peer), its fd kept in env->tunfd.
 * Returns 0, or -1 with err. */
int dk_env_setup(struct dk_env *env, const struct net *net, const char *scenario_json, char *err, size_t errlen);
/* dk_env_cleanup - stops the listener, closes the tun fds, deletes what was
 * made (unless keep). */
void dk_env_cleanup(struct dk_env *env);
/* dk_enter / dk_leave - switch this thread into namespace name and back. */
int dk_enter(const struct dk_env *env, const char *name, char *err, size_t errlen);
void dk_leave(const struct dk_env *env);
/* dk_run - runs argv (execvp) and waits; -1 with err naming the command. */
int dk_run(char *const argv[], char *err, size_t errlen);
/* dk_run_quiet - the same with its output discarded, for commands that
 * may fail on purpose; 0 on exit status 0. */
int dk_run_quiet(char *const argv[]);

/* -- diffkernel_nft.c -- */
struct nf_rule;
/* dk_nft_rule - one rule as an nft rule statement ("ip protocol tcp tcp dport
 * 23 reject with tcp reset"); -1 with err saying why it has no nft form
 * (STOLEN, REPEAT, REJECT at POST_ROUTING). */
int dk_nft_rule(const struct nf_rule *r, char *out, size_t outlen, char *err, size_t errlen);
/* dk_nft_ruleset - the scenario's "netfilter" rules as one nft ruleset (table
 * ip netjourney, a base chain per hook and priority) in *text (malloc'd;
 * NULL with *nrules 0 when there are none). -1 with err naming the first
 * rule, netfilter[i], that cannot be translated. */
int dk_nft_ruleset(const char *scenario_json, char **text, int *nrules, char *err, size_t errlen);
/* dk_nft_load - `ip netns exec HOST nft -f -` with ruleset on its input;
 * -1 with nft's own message in err. */
int dk_nft_load(const struct dk_env *env, const char *ruleset, char *err, size_t errlen);
/* dk_have_prog - 1 when prog is an executable in $PATH. */
int dk_have_prog(const char *prog);

/* -- diffkernel_listen.c -- */
/* dk_listeners_start - forks a child inside the host namespace serving the
 * scenario's "listen" entries (echo, discard, http) like sock_apps.c. */
int dk_listeners_start(struct dk_env *env, const char *scenario_json, char *err, size_t errlen);

/* -- diffkernel_linux.c -- */
/* dk_linux_run - injects in's frames from the peers (a tun interface's are
 * written to its fd), collects the replies per input into lx->out and the
 * counter deltas into lx->mib. Notes (gaps shortened) are appended to
 * notes. Returns 0, or -1 with err. */
int dk_linux_run(struct dk_env *env, const struct net *net, const struct dk_list *in,
		 const struct dk_side *nj, const struct dk_opts *o, struct dk_side *lx, char *notes,
		 size_t noteslen, char *err, size_t errlen);

/* -- diffkernel_nj.c -- */
/* dk_load_capture - reads the capture's frames (Ethernet; a tun
 * interface's, of any link type netjourney reads, as bare IP packets behind
 * the fixed header); marks host_sent. */
int dk_load_capture(const char *path, const struct net *net, struct dk_list *in, char *err, size_t errlen);
/* dk_has_ipv6 - 1 when an input frame is IPv6 (ethertype 0x86dd, tagged or not). */
int dk_has_ipv6(const struct dk_list *in);
/* dk_play_times - one timeline for both halves: each frame plays its
 * capture gap after the one before, at most max_gap (a note says so), so a
 * long gap is shortened alike on both sides. netjourney's replay runs its
 * clock on these times; the kernel half waits for them, and also at least
 * settle after each frame (its answer is collected first), which stretches
 * only a dense capture, and only there. */
void dk_play_times(struct dk_list *in, const struct dk_opts *o, char *notes, size_t noteslen);

/* dk_nj_run - the capture through replay_run, on in's play times; *pnet
 * gets the net. */
int dk_nj_run(const struct dk_opts *o, const struct dk_list *in, struct dk_side *nj, struct net **pnet,
	      char *err, size_t errlen);

/* -- diffkernel_cmp.c -- */
/* dk_norm - the compared form of a sent frame (fields in the allowlist are
 * left out); isn maps connections to their ISNs for relative numbers. */
void dk_norm(const struct dk_frame *f, const struct dk_list *in, const struct dk_side *side, char *out,
	     size_t outlen);
/* dk_tcp_frame - the TCP header of an Ethernet frame over IPv4 (not a
 * fragment) or IPv6 (TCP right after the fixed header), or NULL; *saddr,
 * *daddr point at its addresses (*alen 4 or 16), *avail is what follows th. */
const struct tcphdr *dk_tcp_frame(const uint8_t *p, uint32_t len, const uint8_t **saddr, const uint8_t **daddr,
				  int *alen, uint32_t *avail);
/* dk_host_tsval - the TSval of that connection's SYN-ACK, as dk_host_isn. */
int dk_host_tsval(const struct dk_side *side, size_t nin, const uint8_t *laddr, uint16_t lport, const uint8_t *raddr,
		  uint16_t rport, int alen, uint32_t *tsval);
/* dk_host_isn - the ISN a side's SYN-ACK gave the connection of the TCP
 * segment p (host's view: local addr/port first; addresses of alen bytes,
 * network order), 1 if found. */
int dk_host_isn(const struct dk_side *side, size_t nin, const uint8_t *laddr, uint16_t lport, const uint8_t *raddr,
		uint16_t rport, int alen, uint32_t *isn);
/* dk_counter_allowed - the reason a counter difference is accepted, or NULL. */
const char *dk_counter_allowed(int mib);
/* The frame-field allowlist: what is not compared, and why. */
struct dk_allow {
	const char *what, *why;
};
extern const struct dk_allow dk_allowlist[];

/* -- diffkernel_report.c -- */
/* dk_report - prints the comparison; returns the number of disagreements. */
int dk_report(const struct dk_opts *o, const char *kernel, const struct dk_list *in, const struct dk_side *lx,
	      const struct dk_side *nj, const char *notes);

/* list helpers (diffkernel_nj.c) */
int dk_list_add(struct dk_list *l, const uint8_t *data, uint32_t len, uint64_t ts, int dev);
/* dk_list_add_tun - adds the IP packet ip behind the fixed tun header. */
int dk_list_add_tun(struct dk_list *l, const uint8_t *ip, uint32_t len, uint64_t ts, int dev);
void dk_list_free(struct dk_list *l);
void dk_side_free(struct dk_side *s, size_t nin);

#endif
