/*
 * upload.c - POST /api/traces: a pcap/pcapng as the request body (already
 * accumulated under the size cap by server.c), replayed server-side into a
 * new trace. The body is checked for a capture's magic number first, then
 * written to a private temporary file (libpcap reads files) that is
 * removed at once. Only a complete replay is registered: a bad or damaged
 * file is a 400 naming the problem and leaves the trace list unchanged.
 * Registration follows the upload limits (traces.c): the reply lists the
 * uploads evicted to make room; a refusal (403, 503, 507) keeps nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"

/* The name the trace is listed under: ?name= reduced to safe characters. */
static void upload_name(struct web_req *r, char *out, size_t outlen)
{
	const char *q = web_qstr(r, "name");
	size_t k = 0;
	for (; q && *q && k + 1 < outlen && k < 100; q++) {
		char c = *q;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			 c == '-' || c == '_';
		out[k++] = ok ? c : '_';
	}
	out[k] = 0;
	if (!k)
		snprintf(out, outlen, "upload.pcap");
}

static int is_capture(const unsigned char *b, size_t n)
{
	if (n < 24)
		return 0;
	uint32_t m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
}

/* Writes the body to a new temporary file; its path goes to path. */
static int spool(const struct web_req *r, char *path, size_t pathlen)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, pathlen, "%s/netjourney-upload-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < r->len) {
		ssize_t n = write(fd, r->body + off, r->len - off);
		if (n <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

enum MHD_Result api_upload(struct web_req *r, const int64_t *ids)
{
	(void)ids;
	char name[128], path[512], err[512] = "";
	upload_name(r, name, sizeof(name));
	if (!web_uploads_allowed())	/* refused before any replay work */
		return web_error(r->conn, MHD_HTTP_FORBIDDEN, "uploads are disabled on this server (serve --max-uploads 0)");
	if (!r->len)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s: empty body: send the capture file as the request body",
				 name);
	const unsigned char *b = (const unsigned char *)r->body;
	if (!is_capture(b, r->len))
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST,
				 "%s: not a pcap or pcapng file (%zu bytes, starts with %02x %02x %02x %02x)", name,
				 r->len, b[0], r->len > 1 ? b[1] : 0, r->len > 2 ? b[2] : 0, r->len > 3 ? b[3] : 0);
	if (spool(r, path, sizeof(path)) < 0)
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload in a temporary file");
	/* The upload dialog's host options: ?host=IP|MAC&no_csum=1&infer=0. */
	struct web_load_opts lo = { .host = web_qstr(r, "host") };
	int64_t v;
	if (web_qint(r, "no_csum", 0, 0, 1, &v) < 0 || (lo.no_csum = (int)v, web_qint(r, "infer", 1, 0, 1, &v) < 0)) {
		unlink(path);
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	}
	lo.no_infer = !v;
	struct nj_store *s = web_replay_store(path, name, &lo, err, sizeof(err));
	unlink(path);
	if (!s)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", err);
	struct web_trace *t;
	int evicted[WEB_MAX_TRACES], nev = WEB_MAX_TRACES;
	int id = web_add_upload(name, s, &t, evicted, &nev, err, sizeof(err));
	if (id < 0)
		return web_error(r->conn, (unsigned)-id, "%s: %s", name, err);
	r->held = t;			/* dropped when the reply is sent */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", t->name);
	store_lock(s);
	cJSON_AddNumberToObject(o, "packets", (double)store_npkts(s));
	cJSON_AddNumberToObject(o, "events", (double)store_nevents(s));
	store_unlock(s);
	cJSON_AddItemToObject(o, "evicted", cJSON_CreateIntArray(evicted, nev));
	return web_reply(r->conn, MHD_HTTP_CREATED, o);
}
