/*
 * outfile.h - an output file that is never lost (issue 26, item 6).
 *
 * A regular (or new) file PATH is written as PATH.part, locked with
 * flock(2) so that a second writer to the same PATH refuses instead of
 * interleaving its bytes. When the writer is done:
 *   - success: fsync, then rename PATH.part over PATH (and fsync the
 *     directory): PATH holds either the old bytes or all the new ones;
 *   - failure: PATH is left as it was and the bytes written go to
 *     PATH.partial (the writer first cuts them to whole records and adds
 *     its own "incomplete" marker);
 *   - nothing worth keeping (the run failed before it wrote anything):
 *     PATH.part is removed and PATH left as it was.
 * A device or FIFO (/dev/null, a pipe) is written in place: no lock, no
 * rename. A symbolic link is followed: its target is replaced, not it.
 */
#ifndef NJ_TRACE_OUTFILE_H
#define NJ_TRACE_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

struct outfile {
	int fd;			/* open for writing (owned), -1 once closed */
	char *path;		/* the final name (a link's target) */
	char *tmp;		/* PATH.part, NULL when written in place */
};

/**
 * outfile_open - creates (or truncates) PATH.part under its lock, or opens
 * a device/FIFO in place. Returns 0, or -1 with err saying why: a missing
 * directory, no permission, or another process writing the same file.
 * PATH itself is never touched here.
 */
int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen);

/**
 * outfile_commit - ok: fsync and rename into place. !ok: fsync and rename
 * to PATH.partial. Closes the descriptor either way; the struct is empty
 * after. Returns 0, or -1 with err set if fsync or rename failed (then an
 * ok file is kept as PATH.partial if possible).
 */
int outfile_commit(struct outfile *o, int ok, char *err, size_t errlen);

/* outfile_discard - closes and removes PATH.part (nothing was worth
 * keeping); PATH is untouched. Cannot fail; safe on an empty struct. */
void outfile_discard(struct outfile *o);

/* outfile_finish - how > 0: outfile_commit(ok); 0: outfile_commit(!ok),
 * which is not an error; < 0: outfile_discard. Returns as outfile_commit. */
int outfile_finish(struct outfile *o, int how, char *err, size_t errlen);

/* outfile_partial_name - "PATH.partial" into buf (for messages). */
void outfile_partial_name(const struct outfile *o, char *buf, size_t len);

/**
 * outfile_prev_line - the offset where the last line of the first end
 * bytes of fd starts (just after the '\n' before end - 1), or 0 when those
 * bytes hold one line; -1 on a read error. Writers use it to cut a file
 * back to whole lines.
 */
off_t outfile_prev_line(int fd, off_t end);

#endif
