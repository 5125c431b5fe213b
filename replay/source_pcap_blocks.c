/*
 * source_pcap_blocks.c - plain pcap records from a mapping of the file (see
 * source_pcap_blocks.h). Not a kernel file. The record layout is the
 * savefile's (pcap-savefile(5)): a 24-byte file header, then per frame
 * 16 bytes (seconds, micro- or nanoseconds, captured and original length)
 * and the captured bytes. The file is mapped a window at a time, each
 * populated at once: a fault per page would cost more than the copy that
 * read(2) made (and the read-ahead maps the same file a second time).
 */
#include "source_pcap_blocks.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_WINDOW	((size_t)8 << 20)	/* bytes mapped at once; holds any record within MAX_SNAP */
#define PB_MAX_SNAP	262144		/* libpcap's maximum for the link types read here */
#define PB_MAGIC_US	0xa1b2c3d4u
#define PB_MAGIC_NS	0xa1b23c4du
#define PB_SLOTS	64		/* readers open at once (more: libpcap reads) */

/*
 * The SIGBUS guard. A mapped page past the end of a file that shrank
 * raises SIGBUS when read; the handler maps zero pages over the rest of
 * that window and marks its reader, so the read completes and the reader
 * stops at its next record. Faults elsewhere go to the handler there was
 * before. One slot per open reader: [lo, hi) of its window.
 */
struct pb_guard {
	atomic_uintptr_t lo, hi;
	atomic_int used;
	volatile sig_atomic_t hit;
};

static struct pb_guard pb_guards[PB_SLOTS];
static struct sigaction pb_old;
static uintptr_t pb_page;
static pthread_once_t pb_once = PTHREAD_ONCE_INIT;
static int pb_installed;

static void pb_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	for (int i = 0; i < PB_SLOTS; i++) {
		struct pb_guard *g = &pb_guards[i];
		uintptr_t lo = atomic_load_explicit(&g->lo, memory_order_relaxed);
		uintptr_t hi = atomic_load_explicit(&g->hi, memory_order_relaxed);
		if (a < lo || a >= hi)
			continue;
		uintptr_t pg = a & ~(pb_page - 1);
		if (mmap((void *)pg, hi - pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			g->hit = 1;
			return;		/* the read is retried, and finds zeros */
		}
	}
	if ((pb_old.sa_flags & SA_SIGINFO) && pb_old.sa_sigaction)
		pb_old.sa_sigaction(sig, si, uc);
	else if (pb_old.sa_handler != SIG_DFL && pb_old.sa_handler != SIG_IGN)
		pb_old.sa_handler(sig);
	else
		sigaction(SIGBUS, &pb_old, NULL);	/* the fault repeats, as if we were not here */
}

static void pb_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = pb_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	pb_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	pb_installed = pb_page > 0 && sigaction(SIGBUS, &sa, &pb_old) == 0;
}

static int pb_slot_take(void)
{
	pthread_once(&pb_once, pb_install);
	if (!pb_installed)
		return -1;
	for (int i = 0; i < PB_SLOTS; i++) {
		int free_ = 0;
		if (atomic_compare_exchange_strong(&pb_guards[i].used, &free_, 1)) {
			pb_guards[i].hit = 0;
			return i;
		}
	}
	return -1;
}

static void pb_unmap(struct pcap_blocks *b)
{
	struct pb_guard *g = &pb_guards[b->slot];
	atomic_store(&g->lo, 0);
	atomic_store(&g->hi, 0);
	if (b->map)
		munmap((void *)b->map, b->map_len);
	b->map = NULL;
	b->map_len = 0;
}

/* Maps the window that starts at the page of b->off and holds need bytes
 * from there (within b->size). 0 when mmap fails. */
static int pb_map(struct pcap_blocks *b, size_t need)
{
	uint64_t start = b->off & ~(uint64_t)(pb_page - 1);
	size_t len = b->size - start < PB_WINDOW ? (size_t)(b->size - start) : PB_WINDOW;
	pb_unmap(b);
	if (len < b->off - start + need)
		return 0;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, b->fd, (off_t)start);
	if (p == MAP_FAILED)
		return 0;
	b->map = p;
	b->map_off = start;
	b->map_len = len;
	atomic_store(&pb_guards[b->slot].lo, (uintptr_t)p);
	atomic_store(&pb_guards[b->slot].hi, (uintptr_t)p + len);
	return 1;
}

/* need bytes at b->off, within the size at open: their address, or NULL. */
static const unsigned char *pb_at(struct pcap_blocks *b, size_t need)
{
	if (b->size - b->off < need)
		return NULL;
	if (!b->map || b->off + need > b->map_off + b->map_len) {
		if (!pb_map(b, need))
			return NULL;
	}
	return b->map + (b->off - b->map_off);
}

struct pcap_blocks *pcap_blocks_open(const char *path, int snapshot)
{
	unsigned char fh[24];
	uint32_t magic;
	uint16_t major, minor;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (snapshot <= 0 || snapshot > PB_MAX_SNAP || fstat(fd, &st) != 0 ||
	    pread(fd, fh, sizeof(fh), 0) != (ssize_t)sizeof(fh))
		goto no;
	memcpy(&magic, fh, 4);
	memcpy(&major, fh + 4, 2);
	memcpy(&minor, fh + 6, 2);
	if ((magic != PB_MAGIC_US && magic != PB_MAGIC_NS) || major != 2 || minor != 4)
		goto no;	/* swapped, patched formats, old versions: libpcap's */
	int slot = pb_slot_take();
	if (slot < 0)
		goto no;
	struct pcap_blocks *b = calloc(1, sizeof(*b));
	if (!b || !(b->frame = malloc((size_t)snapshot))) {	/* malloc's alignment, as libpcap's buffer */
		free(b);
		atomic_store(&pb_guards[slot].used, 0);
		goto no;
	}
	b->fd = fd;
	b->slot = slot;
	b->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	b->off = sizeof(fh);
	b->snapshot = (uint32_t)snapshot;
	b->nsec = magic == PB_MAGIC_NS;
	return b;
no:
	close(fd);
	return NULL;
}

int pcap_blocks_next(struct pcap_blocks *b, struct pcap_pkthdr **hdr, const uint8_t **data)
{
	uint32_t rec[4];	/* seconds, fraction, caplen, len */
	const unsigned char *p = pb_at(b, 16);

	if (!p)
		return 0;
	memcpy(rec, p, 16);
	if (rec[2] > b->snapshot || !(p = pb_at(b, 16 + (size_t)rec[2])))
		return 0;	/* libpcap cuts it, rejects it, or finds it truncated */
	if (b->nocopy)
		*data = p + 16;	/* valid until the next call */
	else
		memcpy(b->frame, p + 16, rec[2]);
	if (pb_guards[b->slot].hit) {
		b->shrunk = 1;	/* those were zeros, not the file's bytes */
		return 0;
	}
	/* as libpcap: the header's 32-bit fields are signed; microseconds
	 * scale up to the nanoseconds the sources ask for */
	b->h.ts.tv_sec = (time_t)(int32_t)rec[0];
	b->h.ts.tv_usec = (suseconds_t)(int32_t)rec[1];
	if (!b->nsec)
		b->h.ts.tv_usec *= 1000;
	b->h.caplen = rec[2];
	b->h.len = rec[3];
	b->off += 16 + (uint64_t)rec[2];
	*hdr = &b->h;
	if (!b->nocopy)
		*data = b->frame;
	return 1;
}

int pcap_blocks_shrunk(struct pcap_blocks *b)
{
	struct stat st;
	if (!b->shrunk && fstat(b->fd, &st) == 0 && (uint64_t)st.st_size < b->size)
		b->shrunk = 1;
	return b->shrunk;
}

void pcap_blocks_close(struct pcap_blocks *b)
{
	if (!b)
		return;
	pb_unmap(b);
	atomic_store(&pb_guards[b->slot].used, 0);
	close(b->fd);
	free(b->frame);
	free(b);
}
