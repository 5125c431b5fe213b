/*
 * bpf_compile.c - pcap_compile in a child process under limits (see
 * bpf_compile.h). Not a kernel file: the kernel receives programs already
 * compiled by tcpdump/libpcap in user space.
 *
 * The child writes one header {status, len} and then len instructions
 * (status 0) or len bytes of libpcap's message (status 1), and exits.
 */
#include "bpf_compile.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 256

/* ASan reserves terabytes of shadow: an address-space limit breaks it. */
#if defined(__SANITIZE_ADDRESS__)
#define BPF_COMPILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BPF_COMPILE_ASAN 1
#endif
#endif

struct reply {
	uint32_t status, len;
	union {
		struct sock_filter insns[NJ_BPF_MAXINSNS];
		char msg[MSG_MAX];
	} u;
};

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			_exit(3);
		c += k;
		n -= (size_t)k;
	}
}

/* The process's current size, so the child's limit is "this much more"
 * (a server holding traces is already bigger than the margin). */
static rlim_t vm_size(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

static void limit_child(rlim_t vm)
{
	struct rlimit cpu = { BPF_COMPILE_CPU_S, BPF_COMPILE_CPU_S + 1 };
	setrlimit(RLIMIT_CPU, &cpu);	/* SIGXCPU at the soft limit */
#ifndef BPF_COMPILE_ASAN
	struct rlimit as = { vm + BPF_COMPILE_MEM, vm + BPF_COMPILE_MEM };
	setrlimit(RLIMIT_AS, &as);
#else
	(void)vm;
#endif
}

static void child(int fd, const char *expr, int linktype, rlim_t vm)
{
	struct bpf_program bp;
	struct reply r = { 0 };
	limit_child(vm);
	pcap_t *p = pcap_open_dead(linktype, 262144);
	if (!p) {
		r.status = 1;
		r.len = (uint32_t)snprintf(r.u.msg, MSG_MAX, "pcap_open_dead(%d) failed", linktype);
	} else if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		r.status = 1;
		r.len = (uint32_t)snprintf(r.u.msg, MSG_MAX, "%s", pcap_geterr(p));
	} else if (bp.bf_len > NJ_BPF_MAXINSNS) {
		r.status = 1;
		r.len = (uint32_t)snprintf(r.u.msg, MSG_MAX, "compiles to %u instructions; the kernel accepts "
					   "at most %d (BPF_MAXINSNS)", bp.bf_len, NJ_BPF_MAXINSNS);
	} else {
		r.len = bp.bf_len;
		memcpy(r.u.insns, bp.bf_insns, (size_t)bp.bf_len * sizeof(r.u.insns[0]));
	}
	if (r.status && r.len >= MSG_MAX)
		r.len = MSG_MAX - 1;
	write_all(fd, &r, 8 + (r.status ? r.len : r.len * sizeof(r.u.insns[0])));
	_exit(0);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads the child's reply until EOF, in 50 ms slices so that a stop or
 * the wall-clock limit is noticed. Returns bytes read, -1 interrupted,
 * -2 too slow. */
static long read_reply(int fd, struct reply *r, volatile int *stop)
{
	size_t got = 0;
	double t0 = now_s();
	for (;;) {
		if (stop && *stop)
			return -1;
		if (now_s() - t0 > BPF_COMPILE_WALL_S)
			return -2;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, 50);
		if (n <= 0)
			continue;	/* a timeout, or EINTR from the very signal to check */
		ssize_t k = read(fd, (char *)r + got, sizeof(*r) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || (got += (size_t)k) == sizeof(*r))
			return (long)got;
	}
}

/* What the child's end says, when it sent no whole reply. */
static void child_failed(int status, char *err, size_t errlen)
{
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (sig == SIGXCPU || sig == SIGKILL)
		snprintf(err, errlen, "compiling took more than %d s of CPU (libpcap's optimiser slows down "
			 "sharply with the number of terms): shorten the filter", BPF_COMPILE_CPU_S);
	else
		snprintf(err, errlen, "compiling failed (%s %d; over %u MiB of memory?): shorten the filter",
			 sig ? "signal" : "exit status", sig ? sig : WEXITSTATUS(status), BPF_COMPILE_MEM >> 20);
}

static int take_reply(const struct reply *r, long got, const char *expr, struct bpf_prog **out, char *err,
		      size_t errlen)
{
	if (r->status) {
		snprintf(err, errlen, "%.*s", (int)(r->len < MSG_MAX ? r->len : MSG_MAX - 1), r->u.msg);
		return -1;
	}
	if (got < 8 || (size_t)got != 8 + r->len * sizeof(r->u.insns[0])) {
		snprintf(err, errlen, "the compiling process sent a short program");
		return -1;
	}
	if (bpf_prog_create(out, r->u.insns, r->len, err, errlen) < 0)
		return -1;
	(*out)->expr = strdup(expr);
	return 0;
}

int bpf_compile_bounded(const char *expr, int linktype, struct bpf_prog **out, volatile int *stop, char *err,
			size_t errlen)
{
	int fds[2], status = 0;
	*out = NULL;
	if (strlen(expr) > BPF_COMPILE_MAX_EXPR) {
		snprintf(err, errlen, "%zu bytes long; at most %d (libpcap's optimiser slows down sharply "
			 "with the number of terms)", strlen(expr), BPF_COMPILE_MAX_EXPR);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return bpf_compile_filter(expr, linktype, out, err, errlen);
	rlim_t vm = vm_size();
	pid_t pid = fork();
	if (pid < 0) {			/* no process to spare: compile here */
		close(fds[0]);
		close(fds[1]);
		return bpf_compile_filter(expr, linktype, out, err, errlen);
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], expr, linktype, vm);
	}
	close(fds[1]);
	struct reply *r = malloc(sizeof(*r));
	long got = r ? read_reply(fds[0], r, stop) : -3;
	close(fds[0]);
	if (got < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int ret = -1;
	if (got == -1)
		snprintf(err, errlen, "interrupted while compiling");
	else if (got == -2)
		snprintf(err, errlen, "compiling took more than %d s: shorten the filter", BPF_COMPILE_WALL_S);
	else if (got == -3)
		snprintf(err, errlen, "out of memory");
	else if (got < 8)
		child_failed(status, err, errlen);
	else
		ret = take_reply(r, got, expr, out, err, errlen);
	free(r);
	return ret;
}
