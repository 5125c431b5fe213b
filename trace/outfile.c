/*
 * outfile.c - output files written aside and renamed into place (see
 * outfile.h). Not a kernel file.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *with_suffix(const char *p, const char *suffix)
{
	size_t n = strlen(p) + strlen(suffix) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", p, suffix);
	return s;
}

/* The name to replace: a link's target (so the link survives), else p. */
static char *target_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *r = realpath(p, NULL);
		if (r)
			return r;
	}
	return strdup(p);
}

/* Opens tmp without truncating it, takes its lock, and only then empties
 * it: a second writer must not wipe the first one's bytes. The name is
 * checked again under the lock, in case the holder renamed it away. */
static int open_locked(const char *tmp, const char *path, char *err, size_t errlen)
{
	for (int tries = 0; tries < 8; tries++) {
		int fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			close(fd);
			if (e == EWOULDBLOCK)
				snprintf(err, errlen, "%s: another process is writing it (%s is locked); refusing "
					 "to write it too", path, tmp);
			else
				snprintf(err, errlen, "%s: cannot lock: %s", tmp, strerror(e));
			return -1;
		}
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(tmp, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			if (ftruncate(fd, 0) == 0)
				return fd;
			snprintf(err, errlen, "%s: cannot truncate: %s", tmp, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);		/* renamed away by its previous writer: again */
	}
	snprintf(err, errlen, "%s: keeps changing under us; refusing to write it", tmp);
	return -1;
}

int outfile_open(struct outfile *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = target_of(path);
	if (!o->path)
		goto oom;
	if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {	/* /dev/null, a FIFO: in place */
		o->fd = open(o->path, O_WRONLY | O_CLOEXEC);
		if (o->fd >= 0)
			return 0;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	o->tmp = with_suffix(o->path, ".part");
	if (!o->tmp)
		goto oom;
	o->fd = open_locked(o->tmp, path, err, errlen);
	if (o->fd >= 0)
		return 0;
	goto fail;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	return -1;
}

void outfile_partial_name(const struct outfile *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s.partial", o->path ? o->path : "?");
}

/* A rename is durable once its directory is synced. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static void clear(struct outfile *o)
{
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

int outfile_commit(struct outfile *o, int ok, char *err, size_t errlen)
{
	int r = 0;
	if (!o->path)
		return 0;
	if (!o->tmp) {			/* in place */
		if (o->fd >= 0 && close(o->fd) != 0 && ok) {
			snprintf(err, errlen, "%s: close failed: %s", o->path, strerror(errno));
			r = -1;
		}
		o->fd = -1;
		clear(o);
		return r;
	}
	if (fsync(o->fd) != 0 && ok) {
		snprintf(err, errlen, "%s: fsync failed: %s", o->tmp, strerror(errno));
		ok = 0;
		r = -1;
	}
	char *dst = ok ? o->path : with_suffix(o->path, ".partial");
	/* rename before close: the lock is held until the name is final */
	if (!dst || rename(o->tmp, dst) != 0) {
		if (!r)
			snprintf(err, errlen, "%s: rename failed: %s", o->tmp, dst ? strerror(errno) : "out of memory");
		r = -1;
	} else {
		sync_dir(dst);
	}
	close(o->fd);
	if (dst != o->path)
		free(dst);
	clear(o);
	return r;
}

int outfile_finish(struct outfile *o, int how, char *err, size_t errlen)
{
	if (how < 0) {
		outfile_discard(o);
		return 0;
	}
	return outfile_commit(o, how > 0, err, errlen);
}

void outfile_discard(struct outfile *o)
{
	if (o->tmp)
		unlink(o->tmp);		/* under the lock: nobody else owns it */
	if (o->fd >= 0)
		close(o->fd);
	clear(o);
}

off_t outfile_prev_line(int fd, off_t end)
{
	char buf[4096];
	off_t pos = end - 1;		/* the byte before end is the line's own '\n' */
	while (pos > 0) {
		size_t n = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t k = pread(fd, buf, n, pos - (off_t)n);
		if (k != (ssize_t)n)
			return -1;
		for (size_t i = n; i-- > 0;)
			if (buf[i] == '\n')
				return pos - (off_t)n + (off_t)i + 1;
		pos -= (off_t)n;
	}
	return 0;
}
