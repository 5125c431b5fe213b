/*
 * fuzz_pcap.c - libFuzzer target "pcap": capture bytes (pcap or pcapng, any
 * link type) through replay_run, exactly as `netjourney replay` reads a
 * file: libpcap's reader, the driver, the stack, the timers, --auto-host's
 * second pass over the file, -w's writer. The bytes go to a memfd that
 * replay opens by its /proc/self/fd path.
 *
 * Options come from the last byte so that plain capture files are valid
 * seeds: bit 0 --auto-host, bit 1 --no-csum, bit 2 -w /dev/null.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "replay.h"

static int fuzz_fd = -1;
static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_fd = memfd_create("nj-fuzz-pcap", 0);
	if (fuzz_fd < 0)
		abort();
	snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
	atexit(fuzz_jw_free);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ftruncate(fuzz_fd, 0) < 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	uint8_t opt = size ? data[size - 1] : 0;
	struct replay_cfg cfg = { 0 };
	cfg.pcap = fuzz_path;
	cfg.auto_host = opt & 1;
	cfg.no_csum = (opt >> 1) & 1;
	cfg.write_pcap = opt & 4 ? "/dev/null" : NULL;
	cfg.emit[0] = fuzz_sink;
	cfg.nemit = 1;
	struct replay_result res;
	char err[512];
	struct net *net = NULL;
	replay_run(&cfg, &res, &net, err, sizeof(err));
	if (net && net->tr.depth != 0)
		abort();		/* an unbalanced trace frame is a bug */
	free(res.scenario_json);
	if (net)
		net_destroy(net);
	return 0;
}
