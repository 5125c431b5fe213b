/*
 * nj_web_check.h - shared plumbing for the web Check units
 * (tests/unit/test_web_*.c), as nj_check.h is for the stack's: the server
 * started in-process on an ephemeral port, raw HTTP/1.1 requests read to
 * the close, a scratch directory; main() is nj_check.h's NJ_TEST_MAIN.
 * Each test file includes it once and defines its own suite.
 */
#ifndef NJ_TESTS_UNIT_NJ_WEB_CHECK_H
#define NJ_TESTS_UNIT_NJ_WEB_CHECK_H

#include <arpa/inet.h>
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cJSON.h"
#include "nj_check.h"
#include "server.h"

/* One answer: status, the headers tests look at, the body (malloc'd,
 * NUL-terminated, len bytes) and the body parsed (NULL if not JSON). */
struct nj_resp {
	int status;
	char ctype[128], cache[128], retry[32];
	char *body;
	size_t len;
	cJSON *json;
};

/* nj_web_start - the server on an ephemeral port (cfg->port is set to 0);
 * SIGPIPE ignored, as a closed test socket must not kill the test. */
static inline void nj_web_start(struct web_cfg *cfg)
{
	char err[512];
	signal(SIGPIPE, SIG_IGN);
	cfg->port = 0;
	ck_assert_msg(web_start(cfg, err, sizeof(err)) == 0, "web_start: %s", err);
	ck_assert_int_gt(web_port(), 0);
}

/* nj_web_connect - a connection to the server (asserts it opens). */
static inline int nj_web_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)web_port()) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* nj_web_send - n bytes, as far as the server takes them. */
static inline void nj_web_send(int fd, const void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)p + off, n - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* A header's value ("Name: " included in name) into out, if present. */
static inline void nj_header(const char *buf, const char *name, char *out, size_t outlen)
{
	const char *h = strcasestr(buf, name);
	char fmt[16];
	if (!h)
		return;
	snprintf(fmt, sizeof(fmt), "%%%zu[^\r]", outlen - 1);
	sscanf(h + strlen(name), fmt, out);
}

/* nj_web_read - the answer on fd, read until the server closes it. */
static inline struct nj_resp nj_web_read(int fd)
{
	struct nj_resp r = { 0 };
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	ck_assert_ptr_nonnull(buf);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0)
		if ((len += (size_t)n) + 1 == cap)
			ck_assert_ptr_nonnull(buf = realloc(buf, cap *= 2));
	close(fd);
	buf[len] = 0;
	sscanf(buf, "HTTP/1.%*d %d", &r.status);
	nj_header(buf, "\r\nContent-Type: ", r.ctype, sizeof(r.ctype));
	nj_header(buf, "\r\nCache-Control: ", r.cache, sizeof(r.cache));
	nj_header(buf, "\r\nRetry-After: ", r.retry, sizeof(r.retry));
	char *sep = strstr(buf, "\r\n\r\n");
	r.body = strdup(sep ? sep + 4 : "");
	r.len = strlen(r.body);
	r.json = cJSON_Parse(r.body);
	free(buf);
	return r;
}

/* nj_http - raw request text (and blen bytes of body), its answer. */
static inline struct nj_resp nj_http(const char *head, const void *body, size_t blen)
{
	int fd = nj_web_connect();
	nj_web_send(fd, head, strlen(head));
	nj_web_send(fd, body, blen);
	return nj_web_read(fd);
}

static inline struct nj_resp nj_get(const char *path)
{
	char head[2048];
	snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
	return nj_http(head, NULL, 0);
}

/* nj_send - method path with the header lines extra (each ending in
 * \r\n; Host among them: the tests of Host checks choose their own) and
 * len bytes of body. */
static inline struct nj_resp nj_send(const char *method, const char *path, const char *extra, const void *body,
				     size_t len)
{
	char head[2048];
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\n%sConnection: close\r\nContent-Length: %zu\r\n\r\n", method,
		 path, extra, len);
	return nj_http(head, body, len);
}

static inline void nj_resp_free(struct nj_resp *r)
{
	cJSON_Delete(r->json);
	free(r->body);
	r->json = NULL;
	r->body = NULL;
}

/* nj_scratch_dir - a new empty directory under /tmp (dir holds its path);
 * nj_scratch_rm removes it and everything in it. */
static inline void nj_scratch_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/nj-web-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void nj_scratch_rm(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
