/*
 * njz.h - the compact trace file (docs/trace-format.md): the JSONL bytes of
 * a trace cut into blocks of about 64 KiB at line ends, each block one
 * zstd frame with its checksum, then an end record. Nothing is lost: the
 * blocks decompressed one after the other are the JSONL file, byte for
 * byte. Offsets below are offsets in that JSONL stream ("logical").
 *
 * One struct njz either writes (njz_create, njz_append, njz_finish) or
 * reads (njz_open); a writer can read back what it wrote (the store of a
 * live replay). Every function takes the njz's own mutex, so readers on
 * other threads may pread while one thread appends; decompressed blocks
 * are kept in a small LRU.
 */
#ifndef NJ_TRACE_NJZ_H
#define NJ_TRACE_NJZ_H

#include <stddef.h>
#include <stdint.h>

#define NJZ_VERSION	1
#define NJZ_BLOCK	65536		/* a block is cut at the first line end past this */
#define NJZ_MAGIC	"NJTRACEZ"	/* the file's first 8 bytes */

struct njz;

/* njz_sniff - 1 when the file at fd (read from offset 0 with pread) starts
 * with the njz magic. */
int njz_sniff(int fd);
/* njz_is_name - 1 when path ends in ".njz". */
int njz_is_name(const char *path);

/* njz_create - a writer on fd (not owned; positioned where the header
 * goes). Writes the header. NULL with err set on failure. */
struct njz *njz_create(int fd, char *err, size_t errlen);
/* njz_append - n bytes of JSONL (any cut); 0, or -1 with errno on a
 * failed write. */
int njz_append(struct njz *z, const char *p, size_t n);
/* njz_finish - writes the last block and the end record; 0 or -1. */
int njz_finish(struct njz *z);

/* The scan of njz_open: each block's bytes in order (off = logical offset
 * of b[0]); a non-zero return stops the scan and njz_open fails (fn
 * writes its own error text). */
typedef int (*njz_block_fn)(void *ctx, const char *b, size_t n, uint64_t off);
/* njz_open - reads the file at fd (not owned) from its start, checks every
 * block and the end record, hands each block to fn (may be NULL). NULL
 * with err (naming what is wrong, prefixed by name) when the file is not a
 * whole njz trace. */
struct njz *njz_open(int fd, const char *name, njz_block_fn fn, void *ctx, char *err, size_t errlen);

/* njz_pread - n bytes from logical offset off into buf; 0 or -1. */
int njz_pread(struct njz *z, char *buf, size_t n, uint64_t off);
/* njz_size - the logical (JSONL) size so far. */
uint64_t njz_size(struct njz *z);
/* njz_file_size - the compressed bytes written or read so far. */
uint64_t njz_file_size(struct njz *z);
void njz_free(struct njz *z);

#endif
