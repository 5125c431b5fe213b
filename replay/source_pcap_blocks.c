/*
 * source_pcap_blocks.c - plain pcap records from a mapping of the file (see
 * source_pcap_blocks.h). Not a kernel file. The record layout is the
 * savefile's (pcap-savefile(5)): a 24-byte file header, then per frame
 * 16 bytes (seconds, micro- or nanoseconds, captured and original length)
 * and the captured bytes. The file is mapped a window at a time, each
 * populated at once (cheaper than a fault per page, and than the copy of
 * read(2), which the read-ahead made a second time). The next window is
 * mapped, and the one left unmapped, by a helper thread while the reader
 * reads on, so the reader's thread does not wait for either.
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

#define PB_WINDOW	((size_t)4 << 20)	/* bytes mapped at once; holds any record within MAX_SNAP.
						 * 8 MiB was no faster and, with the next window
						 * mapped ahead, kept 16 MiB more of the file mapped */
#define PB_FIRST	((size_t)1 << 20)	/* the first window: host inference reads a few frames */
#define PB_MAX_SNAP	262144		/* libpcap's maximum for the link types read here */
#define PB_MAGIC_US	0xa1b2c3d4u
#define PB_MAGIC_NS	0xa1b23c4du
#define PB_WINDOWS	64		/* windows mapped at once (more: libpcap reads on) */
#define PB_KEEP_MAX	((size_t)32 << 20)	/* bytes kept mapped for a reader behind (b->keep):
						 * the replay's RSS grows by as much */

/*
 * The windows, shared: the replay and its SYN-ACK read-ahead read the same
 * records of the same file, so the one ahead maps a window and the other
 * finds it (mapping it twice cost a fifth of the reading). Each is
 * counted by its readers and unmapped by the last (by its helper, off
 * the reader's thread, unless it closes) - except that the read-ahead
 * (b->keep) leaves the windows it passes mapped for the replay behind,
 * up to PB_KEEP_MAX of them: on a dense capture it runs a whole second
 * ahead, and each window mapped a second time cost 5% of an untraced
 * replay of bench-mix. A reader's helper starts when it
 * is halfway through a window: it unmaps the windows left behind and maps
 * the next one, which overlaps this one by a record's maximum length. A
 * helper joins before its reader looks at its results (pb_map, close).
 *
 * The SIGBUS guard. A mapped page past the end of a file that shrank
 * raises SIGBUS when read; the handler maps zero pages over the rest of
 * that window and marks it, so the read completes and its readers stop at
 * their next record. Faults elsewhere go to the handler there was before.
 */
struct pb_win {
	atomic_uintptr_t lo, hi;	/* its addresses, for the handler; 0 when unused */
	volatile sig_atomic_t hit;
	int refs;
	int kept;			/* one of refs is a keeping reader's, left behind */
	int busy;			/* no readers, but a helper maps or unmaps it */
	void *base;
	dev_t dev;
	ino_t ino;
	uint64_t start;			/* file offset, and length */
	size_t len;
};

static struct pb_win pb_wins[PB_WINDOWS];
static size_t pb_kept_bytes;
static unsigned long pb_mapped;
static pthread_mutex_t pb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction pb_old;
static uintptr_t pb_page;
static pthread_once_t pb_once = PTHREAD_ONCE_INIT;
static int pb_installed;

static void pb_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	for (int i = 0; i < PB_WINDOWS; i++) {
		struct pb_win *w = &pb_wins[i];
		uintptr_t lo = atomic_load_explicit(&w->lo, memory_order_relaxed);
		uintptr_t hi = atomic_load_explicit(&w->hi, memory_order_relaxed);
		if (a < lo || a >= hi)
			continue;
		uintptr_t pg = a & ~(pb_page - 1);
		if (mmap((void *)pg, hi - pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			w->hit = 1;
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

/* Drops a reader of window i; the last one unmaps it: at once, or when d
 * has room, later, by a helper (the entry stays busy until then). A
 * keeping reader's last reference stays, kept for the reader behind it,
 * while the kept bytes stay within PB_KEEP_MAX. Locked. */
static void pb_put_locked(int i, struct pb_dead *d, int keep)
{
	struct pb_win *w = &pb_wins[i];
	if (w->refs == 1 && keep && !w->kept && pb_kept_bytes + w->len <= PB_KEEP_MAX) {
		w->kept = 1;
		pb_kept_bytes += w->len;
		return;
	}
	if (--w->refs == 0) {
		atomic_store(&w->lo, 0);
		atomic_store(&w->hi, 0);
		if (d && d->n < PB_DEAD) {
			w->busy = 1;
			d->win[d->n++] = i;
		} else {
			munmap(w->base, w->len);
		}
	}
}

static void pb_put(int i, struct pb_dead *d, int keep)
{
	if (i < 0)
		return;
	pthread_mutex_lock(&pb_lock);
	pb_put_locked(i, d, keep);
	pthread_mutex_unlock(&pb_lock);
}

/* A kept window's reference, given up: to the reader that found it (it
 * reads it now), or to nobody. Locked. */
static void pb_unkeep(int i)
{
	pb_wins[i].kept = 0;
	pb_kept_bytes -= pb_wins[i].len;
}

/* The windows of b's file kept for a reader behind that end before from
 * (none will read them now), or all of them: unmapped. */
static void pb_drop_kept(struct pcap_blocks *b, uint64_t from)
{
	pthread_mutex_lock(&pb_lock);
	for (int i = 0; i < PB_WINDOWS; i++) {
		struct pb_win *w = &pb_wins[i];
		if (w->refs && w->kept && w->dev == b->dev && w->ino == b->ino && w->start + w->len <= from) {
			pb_unkeep(i);
			pb_put_locked(i, &b->dead, 0);
		}
	}
	pthread_mutex_unlock(&pb_lock);
}

/* Unmaps the windows put in d and frees their entries. */
static void pb_bury(struct pb_dead *d)
{
	for (int k = 0; k < d->n; k++) {
		struct pb_win *w = &pb_wins[d->win[k]];
		munmap(w->base, w->len);
		pthread_mutex_lock(&pb_lock);
		w->busy = 0;
		pthread_mutex_unlock(&pb_lock);
	}
	d->n = 0;
}

/* A window of b's file that holds [from, to), or -1. Locked. */
static int pb_find(const struct pcap_blocks *b, uint64_t from, uint64_t to)
{
	for (int i = 0; i < PB_WINDOWS; i++) {
		const struct pb_win *w = &pb_wins[i];
		if (w->refs && w->dev == b->dev && w->ino == b->ino && w->start <= from && to <= w->start + w->len)
			return i;
	}
	return -1;
}

/* A window of b's file holding [from, to), with a reader more (b): one
 * already mapped, or [start, start + len) mapped now. -1 when mmap fails
 * or the table is full. */
static int pb_get(const struct pcap_blocks *b, uint64_t from, uint64_t to, uint64_t start, size_t len)
{
	pthread_mutex_lock(&pb_lock);
	int i = pb_find(b, from, to);
	if (i >= 0) {
		if (pb_wins[i].kept)
			pb_unkeep(i);	/* the keeping reader's reference is b's now */
		else
			pb_wins[i].refs++;
		pthread_mutex_unlock(&pb_lock);
		return i;
	}
	for (i = 0; i < PB_WINDOWS && (pb_wins[i].refs || pb_wins[i].busy); i++)
		;
	if (i < PB_WINDOWS)
		pb_wins[i].busy = 1;	/* reserved while mapped, unlocked */
	pthread_mutex_unlock(&pb_lock);
	if (i == PB_WINDOWS)
		return -1;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, b->fd, (off_t)start);
	struct pb_win *w = &pb_wins[i];
	pthread_mutex_lock(&pb_lock);
	w->busy = 0;
	pb_mapped++;
	if (p != MAP_FAILED) {
		w->hit = 0;
		w->refs = 1;
		w->dev = b->dev;
		w->ino = b->ino;
		w->start = start;
		w->len = len;
		w->base = p;
		atomic_store(&w->lo, (uintptr_t)p);
		atomic_store(&w->hi, (uintptr_t)p + len);
	}
	pthread_mutex_unlock(&pb_lock);
	return p == MAP_FAILED ? -1 : i;
}

/* The helper: unmaps the windows b left, maps the one after b's. */
static void *pb_helper(void *arg)
{
	struct pcap_blocks *b = arg;
	pb_bury(&b->dead);
	if (b->want_len)
		b->ahead = pb_get(b, b->want, b->want + b->want_len, b->want, b->want_len);
	return NULL;
}

/* Starts the helper for b's next window: one that begins a record's
 * length before the end of b's, so the record that crosses that end lies
 * whole in it. Its own thread, with signals blocked (they are the
 * reader's); inline if there is no thread to be had. */
static __attribute__((noinline)) void pb_spawn(struct pcap_blocks *b)
{
	const struct pb_win *w = &pb_wins[b->win];
	uint64_t end = w->start + w->len;
	sigset_t all, old;

	b->pf_at = UINT64_MAX;
	b->want_len = 0;
	if (end < b->size) {
		b->want = (end - 16 - b->snapshot) & ~(uint64_t)(pb_page - 1);
		b->want_len = b->size - b->want < PB_WINDOW ? (size_t)(b->size - b->want) : PB_WINDOW;
	}
	if (!b->want_len && !b->dead.n)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	b->helping = pthread_create(&b->helper, NULL, pb_helper, b) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!b->helping)
		pb_helper(b);
}

/* Waits for b's helper, if one runs. */
static void pb_join(struct pcap_blocks *b)
{
	if (b->helping)
		pthread_join(b->helper, NULL);
	b->helping = 0;
}

/* Points b at a window holding need bytes at b->off. 0 when there is none. */
static int pb_map(struct pcap_blocks *b, size_t need)
{
	pb_join(b);
	pb_put(b->win, &b->dead, b->keep);
	b->win = -1;
	if (!b->keep)
		pb_drop_kept(b, b->off);	/* left behind, in windows this one did not use */
	uint64_t start = b->off & ~(uint64_t)(pb_page - 1);
	size_t max = b->maps++ ? PB_WINDOW : PB_FIRST;
	size_t len = b->size - start < max ? (size_t)(b->size - start) : max;
	int i = len < b->off - start + need ? -1 : pb_get(b, b->off, b->off + need, start, len);
	pb_put(b->ahead, &b->dead, 0);
	b->ahead = -1;
	b->map = NULL;
	b->map_len = 0;
	if (i < 0)
		return 0;
	const struct pb_win *w = &pb_wins[i];
	b->win = i;
	b->map = (const unsigned char *)w->base;
	b->map_off = w->start;
	b->map_len = w->len;
	b->pf_at = w->start + w->len / 2;	/* the helper starts halfway */
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

int pcap_blocks_header_ok(const unsigned char fh[8])
{
	uint32_t magic;
	uint16_t major, minor;
	memcpy(&magic, fh, 4);
	memcpy(&major, fh + 4, 2);
	memcpy(&minor, fh + 6, 2);
	/* swapped, patched formats, old versions: libpcap's */
	return (magic == PB_MAGIC_US || magic == PB_MAGIC_NS) && major == 2 && minor == 4;
}

struct pcap_blocks *pcap_blocks_open(const char *path, int snapshot)
{
	unsigned char fh[24];
	uint32_t magic;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (snapshot <= 0 || snapshot > PB_MAX_SNAP || fstat(fd, &st) != 0 ||
	    pread(fd, fh, sizeof(fh), 0) != (ssize_t)sizeof(fh))
		goto no;
	memcpy(&magic, fh, 4);
	if (!pcap_blocks_header_ok(fh))
		goto no;
	pthread_once(&pb_once, pb_install);
	if (!pb_installed)
		goto no;
	struct pcap_blocks *b = calloc(1, sizeof(*b));
	if (!b || !(b->frame = malloc((size_t)snapshot))) {	/* malloc's alignment, as libpcap's buffer */
		free(b);
		goto no;
	}
	b->fd = fd;
	b->win = -1;
	b->ahead = -1;
	b->pf_at = UINT64_MAX;
	b->dev = st.st_dev;
	b->ino = st.st_ino;
	b->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	b->off = sizeof(fh);
	b->snapshot = (uint32_t)snapshot;
	b->nsec = magic == PB_MAGIC_NS;
	return b;
no:
	close(fd);
	return NULL;
}

/* The record at b->off when it does not lie whole in the window (or there
 * is none yet): its header in rec, its address from a window that holds
 * it, or NULL when libpcap cuts it, rejects it, or finds it truncated.
 * Off the usual record's path (pcap_blocks_next), as is pb_spawn. */
static __attribute__((noinline)) const unsigned char *pb_record_mapped(struct pcap_blocks *b, uint32_t rec[4])
{
	const unsigned char *p = pb_at(b, 16);
	if (!p)
		return NULL;
	memcpy(rec, p, 16);
	if (rec[2] > b->snapshot || !(p = pb_at(b, 16 + (size_t)rec[2])))
		return NULL;
	return p;
}

int pcap_blocks_next(struct pcap_blocks *b, struct pcap_pkthdr **hdr, const uint8_t **data)
{
	uint32_t rec[4];	/* seconds, fraction, caplen, len */
	const unsigned char *p = NULL;

	/* Nearly always the record lies in the window (which lies within
	 * the size at open): one test for its header, one for its bytes. */
	uint64_t rel = b->off - b->map_off;
	if (b->map && rel + 16 <= b->map_len) {
		p = b->map + rel;
		/* The file streams from memory, a page at a time that the
		 * prefetcher does not cross: ask for the bytes a dozen records
		 * on (harmless past the window's end): 7% less CPU for
		 * the whole replay of bench-mix (38 ms, was 41). */
		__builtin_prefetch(p + 2048);
		__builtin_prefetch(p + 2112);
		__builtin_prefetch(p + 2176);
		memcpy(rec, p, 16);
		if (rec[2] > b->snapshot || rel + 16 + rec[2] > b->map_len)
			p = NULL;
	}
	if (!p && !(p = pb_record_mapped(b, rec)))
		return 0;
	if (b->nocopy)
		*data = p + 16;	/* valid until the next call */
	else
		memcpy(b->frame, p + 16, rec[2]);
	if (pb_wins[b->win].hit) {
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
	if (b->off >= b->pf_at)
		pb_spawn(b);
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
	pb_join(b);
	pb_put(b->ahead, &b->dead, 0);
	pb_put(b->win, &b->dead, b->keep);
	pb_bury(&b->dead);
	if (!b->keep)
		pb_drop_kept(b, UINT64_MAX);	/* what the reader ahead left for this one */
	close(b->fd);
	free(b->frame);
	free(b);
}

unsigned long pcap_blocks_windows(size_t *kept)
{
	pthread_mutex_lock(&pb_lock);
	unsigned long n = pb_mapped;
	*kept = pb_kept_bytes;
	pthread_mutex_unlock(&pb_lock);
	return n;
}
