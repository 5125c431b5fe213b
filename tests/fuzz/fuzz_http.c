/*
 * fuzz_http.c - libFuzzer target "http": request lines through the web
 * server's URL routing and query parameter parsing, end to end. The server
 * (web_start on a free loopback port, the UI's static/ files, the default
 * capture loaded as trace 1) runs in this process; each input becomes one
 * request "METHOD TARGET HTTP/1.1" on a fresh connection. The response must
 * be a well-formed HTTP status line below 500 (a 5xx for a client's bad
 * parameters is a bug); memory errors in the server's threads are caught
 * by ASan as anywhere else. The path checks that need no server
 * (static_check_path, api_wants_body) are called directly too.
 *
 * Input: byte 0 picks the method; the rest is the request target. Bytes
 * that cannot appear in a request line (controls, space, non-ASCII) are
 * percent-encoded so every input reaches the application, not MHD's parser.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

static int port;

static void fuzz_web_stop(void) { web_stop(); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[512];
	struct web_cfg cfg = { .bind = "127.0.0.1", .port = 0, .static_dir = "static", .upload_max = 1 << 20 };
	struct web_load_opts o = { 0 };
	if (web_start(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	if (web_load_file("pcaps/default.pcap", &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	port = web_port();
	atexit(fuzz_web_stop);
	return 0;
}

/* One request; returns the status code, or -1 when the reply was not HTTP. */
static int request(const char *req, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		abort();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A long poll (/api/live) may wait: give up on it after 2 s. */
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The server caps connections per address (web/server.c): when the
	 * fuzzer outruns it, a refused connect is that limit, not a crash.
	 * Only a server that stays unreachable for 5 s counts as dead. */
	for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0; tries++) {
		if (tries == 500)
			abort();
		close(fd);
		usleep(10000);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			abort();
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (write(fd, req, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	char buf[4096];
	ssize_t n, got = 0;
	char head[32] = "";
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (got < (ssize_t)sizeof(head) - 1) {
			size_t k = (size_t)n < sizeof(head) - 1 - (size_t)got ? (size_t)n : sizeof(head) - 1 - (size_t)got;
			memcpy(head + got, buf, k);
			head[got + (ssize_t)k] = 0;
		}
		got += n;
	}
	close(fd);
	int status;
	if (sscanf(head, "HTTP/1.%*d %d", &status) != 1)
		return n < 0 ? 0 : -1;		/* timed out (a stream): not judged */
	return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS" };
	if (!size)
		return 0;
	const char *m = methods[data[0] & 7];
	char target[3 * 2048 + 2];
	size_t t = 0;
	for (size_t i = 1; i < size && t + 3 < sizeof(target); i++) {
		uint8_t c = data[i];
		if (c > 0x20 && c < 0x7f)
			target[t++] = (char)c;
		else
			t += (size_t)snprintf(target + t, 4, "%%%02X", c);
	}
	target[t] = 0;
	if (t && target[0] == '/') {
		static_check_path(target);
		api_wants_body(m, target);
	}
	/* Clients of /api/live stay connected by design; they are not fuzzed. */
	if (!strncmp(target, "/api/live", 9))
		return 0;
	char req[sizeof(target) + 128];
	int len = snprintf(req, sizeof(req), "%s %s%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
			   "Content-Length: 0\r\n\r\n", m, t && target[0] == '/' ? "" : "/", target);
	int status = request(req, (size_t)len);
	if (status < 0 || status >= 500) {
		fprintf(stderr, "fuzz_http: %s -> status %d\n", req, status);
		abort();
	}
	return 0;
}
