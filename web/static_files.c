/*
 * static_files.c - the UI's files from one directory. Defence in depth:
 * the (already percent-decoded) path must be plain — a whitelist of
 * characters, no "." / ".." / hidden segments, no "//", no backslash and
 * no '%' left over (a double-encoded "%252e" arrives as "%2e") — and then
 * realpath() of the file must still lie inside the root, which catches
 * symlinks pointing out. Only regular files are served: no listings.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web.h"

struct mime {
	const char *ext, *type, *cache;
};

/* Code and markup revalidate (a rebuilt UI shows at once); images may be cached. */
static const struct mime mimes[] = {
	{ ".html", "text/html; charset=utf-8", "no-cache" },
	{ ".js", "text/javascript; charset=utf-8", "no-cache" },
	{ ".mjs", "text/javascript; charset=utf-8", "no-cache" },
	{ ".css", "text/css; charset=utf-8", "no-cache" },
	{ ".json", "application/json", "no-cache" },
	{ ".svg", "image/svg+xml", "public, max-age=86400" },
	{ ".png", "image/png", "public, max-age=86400" },
	{ ".ico", "image/x-icon", "public, max-age=86400" },
	{ ".txt", "text/plain; charset=utf-8", "no-cache" },
	{ ".md", "text/markdown; charset=utf-8", "no-cache" },
	{ NULL, "application/octet-stream", "no-cache" },
};

static const struct mime *mime_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	const struct mime *m = mimes;
	for (; m->ext; m++)
		if (dot && !strcmp(dot, m->ext))
			break;
	return m;
}

int static_check_path(const char *url)
{
	size_t n = strlen(url);
	if (!n || url[0] != '/' || n > 512)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = url[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			 c == '-' || c == '_' || c == '/';
		if (!ok)
			return -1;		/* also '%', '\\', ':', spaces, controls */
		if (c == '/' && (url[i + 1] == '/' || url[i + 1] == '.'))
			return -1;		/* "//", "/.", "/..", hidden files */
	}
	return 0;
}

static enum MHD_Result send_file(struct MHD_Connection *c, int fd, off_t size, const struct mime *m)
{
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, m->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, m->cache);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* The UI talks to this server only: no other host can be reached. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				"object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
	enum MHD_Result r = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result static_serve(struct MHD_Connection *c, const char *root, const char *url)
{
	if (!root)
		return web_error(c, MHD_HTTP_NOT_FOUND, "no static directory configured (--static DIR)");
	if (static_check_path(url) < 0)
		return web_error(c, MHD_HTTP_FORBIDDEN, "refused path");
	if (!strcmp(url, "/"))
		url = "/index.html";
	char path[PATH_MAX], real[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s%s", root, url) >= sizeof(path))
		return web_error(c, MHD_HTTP_FORBIDDEN, "refused path");
	if (!realpath(path, real))
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found: %s", url);
	size_t rl = strlen(root);
	if (strncmp(real, root, rl) || real[rl] != '/')
		return web_error(c, MHD_HTTP_FORBIDDEN, "refused path");
	/* O_NONBLOCK: a FIFO or device planted in the folder must not block
	 * this thread in open(); only a regular file is served. */
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return web_error(c, MHD_HTTP_NOT_FOUND, "not found: %s", url);
	}
	return send_file(c, fd, st.st_size, mime_of(real));
}
