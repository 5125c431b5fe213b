/*
 * upload.c - POST /api/traces: a pcap/pcapng as the request body, replayed
 * server-side into a new trace. At most WEB_UPLOADS_ACTIVE uploads are in
 * flight (received or replayed) at once; another waits up to 5 s for a
 * slot, and is then answered 503 with Retry-After (its body read and
 * dropped, so that the client sees the answer). The body goes straight to a
 * spool file (libpcap reads files) named netjourney-upload-PID-XXXXXX in
 * $TMPDIR, removed when the request ends; a server killed meanwhile
 * leaves it, and the next server to start removes the files of PIDs no
 * longer running. The replay stops as soon as the trace passes the upload
 * budget (507) or the server stops (503). Only a complete replay is
 * registered: a bad or damaged file is a 400 naming the problem and leaves
 * the trace list unchanged. Registration follows the upload limits
 * (traces.c): the reply lists the uploads evicted to make room.
 *
 * Disk, at most: the uploads kept (--upload-events x 256 bytes) plus the
 * temporary space of the uploads in flight, counted together against the
 * disk budget (serve --disk-budget): each body as it is spooled, and the
 * trace its replay writes (load.c counts it every 64 events). An upload
 * that passes it is answered 507 at once, while its body still arrives
 * (guard.c) or its replay runs, and its files go. Memory: the index of 64
 * bytes an event, for the traces kept and those being written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "multipart.h"
#include "web.h"

#define SPOOL_PREFIX "netjourney-upload-"

static int spool_write(void *ctx, const char *data, size_t n);
static pthread_mutex_t up_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t up_cv = PTHREAD_COND_INITIALIZER;
static int in_flight;
static uint64_t disk_budget = WEB_DISK_BUDGET_DEFAULT, disk_used;	/* under up_mu */

void web_set_disk_budget(uint64_t bytes)
{
	pthread_mutex_lock(&up_mu);
	disk_budget = bytes ? bytes : WEB_DISK_BUDGET_DEFAULT;
	pthread_mutex_unlock(&up_mu);
}

uint64_t web_disk_budget(void)
{
	pthread_mutex_lock(&up_mu);
	uint64_t b = disk_budget;
	pthread_mutex_unlock(&up_mu);
	return b;
}

int web_disk_grow(uint64_t *have, uint64_t now)
{
	int ok = 1;
	pthread_mutex_lock(&up_mu);
	if (now > *have) {
		ok = disk_used + (now - *have) <= disk_budget;
		if (ok) {
			disk_used += now - *have;
			*have = now;
		}
	} else {
		disk_used -= *have - now;
		*have = now;
	}
	pthread_mutex_unlock(&up_mu);
	return ok ? 0 : -1;
}

static const char *spool_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

/* Waits on up_cv (up_mu held) for at most ms. */
static void wait_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&up_cv, &up_mu, &ts);
}

unsigned web_replay_slot(struct web_req *r, int wait)
{
	int64_t until = web_clock_ms() + WEB_UPLOAD_QUEUE_MS;
	pthread_mutex_lock(&up_mu);
	if (!wait && in_flight >= WEB_UPLOADS_ACTIVE && !web_stopping()) {
		pthread_mutex_unlock(&up_mu);
		return WEB_WOULD_WAIT;
	}
	web_guard_phase(r->conn, WEB_WORK);	/* waiting here is not a slow body */
	while (in_flight >= WEB_UPLOADS_ACTIVE && web_clock_ms() < until && !web_stopping())
		wait_ms(50);
	int ok = in_flight < WEB_UPLOADS_ACTIVE && !web_stopping();
	in_flight += ok;
	pthread_mutex_unlock(&up_mu);
	if (!ok) {
		snprintf(r->err, sizeof(r->err), "%d uploads are being replayed; try again in a moment",
			 WEB_UPLOADS_ACTIVE);
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	r->upload_slot = 1;
	return 0;
}

unsigned web_upload_begin(struct web_req *r, int wait)
{
	if (!web_uploads_allowed()) {
		snprintf(r->err, sizeof(r->err), "uploads are disabled on this server (serve --max-uploads 0)");
		return MHD_HTTP_FORBIDDEN;
	}
	unsigned st = web_replay_slot(r, wait);
	if (st == WEB_WOULD_WAIT)
		return st;
	web_guard_phase(r->conn, WEB_BODY);
	if (st)
		return st;
	snprintf(r->spool, sizeof(r->spool), "%s/" SPOOL_PREFIX "%ld-XXXXXX", spool_dir(), (long)getpid());
	r->spool_fd = mkstemp(r->spool);
	if (r->spool_fd < 0) {
		r->spool[0] = 0;
		snprintf(r->err, sizeof(r->err), "cannot store the upload in a temporary file");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (multipart_is(ct) && !(r->mp = multipart_new(ct, r->max, spool_write, r, r->err, sizeof(r->err))))
		return MHD_HTTP_BAD_REQUEST;
	return 0;
}

static void spool_remove(struct web_req *r);

int web_upload_chunk(struct web_req *r, const char *data, size_t n)
{
	int rc = 0;
	if (r->mp)			/* a malformed body is latched: a 400 once read */
		multipart_feed(r->mp, data, n);
	else
		rc = spool_write(r, data, n);
	if (!r->over_disk)
		return rc;
	spool_remove(r);		/* answered now; the rest of the body is dropped */
	return web_guard_answer(r->conn, MHD_HTTP_INSUFFICIENT_STORAGE, 0, r->err);
}

static int spool_write(void *ctx, const char *data, size_t n)
{
	struct web_req *r = ctx;
	if (r->spool_fd >= 0 && web_disk_grow(&r->disk, r->disk + n) < 0) {
		r->over_disk = 1;
		snprintf(r->err, sizeof(r->err), "the uploads in flight would pass this server's disk budget of %llu "
			 "bytes (serve --disk-budget): this one was stopped after %llu bytes",
			 (unsigned long long)web_disk_budget(), (unsigned long long)r->disk);
		return -1;
	}
	while (n && r->spool_fd >= 0) {
		ssize_t w = write(r->spool_fd, data, n);
		if (w <= 0) {		/* a full disk, say: answered 507 like the budget */
			r->over_disk = 1;
			snprintf(r->err, sizeof(r->err), "cannot store the upload in a temporary file: %s",
				 w < 0 ? strerror(errno) : "no space");
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return r->spool_fd >= 0 ? 0 : -1;
}

/* The spool file goes as soon as the replay is done with it. */
static void spool_remove(struct web_req *r)
{
	if (r->spool_fd >= 0)
		close(r->spool_fd);
	r->spool_fd = -1;
	if (r->spool[0])
		unlink(r->spool);
	r->spool[0] = 0;
	web_disk_grow(&r->disk, 0);	/* its space is free again */
}

void web_upload_end(struct web_req *r)
{
	multipart_free(r->mp);
	r->mp = NULL;
	spool_remove(r);
	if (!r->upload_slot)
		return;
	r->upload_slot = 0;
	pthread_mutex_lock(&up_mu);
	in_flight--;
	pthread_cond_broadcast(&up_cv);
	pthread_mutex_unlock(&up_mu);
}

void web_uploads_drain(int ms)
{
	int64_t until = web_clock_ms() + ms;
	pthread_mutex_lock(&up_mu);
	while (in_flight > 0 && web_clock_ms() < until)
		wait_ms(50);
	pthread_mutex_unlock(&up_mu);
}

/* The PID in a spool file's name, or 0 when it is not one. */
static long spool_pid(const char *name)
{
	if (strncmp(name, SPOOL_PREFIX, sizeof(SPOOL_PREFIX) - 1))
		return 0;
	char *end;
	long pid = strtol(name + sizeof(SPOOL_PREFIX) - 1, &end, 10);
	return *end == '-' && pid > 0 ? pid : 0;
}

int web_spool_sweep(void)
{
	DIR *d = opendir(spool_dir());
	int n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		long pid = spool_pid(e->d_name);
		if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;		/* not a spool file, or its server still runs */
		n += unlinkat(dirfd(d), e->d_name, 0) == 0;
	}
	closedir(d);
	return n;
}

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

/* A form upload read whole: from here on its file part is the body. */
static int upload_form(struct web_req *r)
{
	const unsigned char *h;
	size_t hl;
	if (multipart_finish(r->mp, r->err, sizeof(r->err)) < 0)
		return -1;
	r->len = (size_t)multipart_file(r->mp, &h, &hl);
	memcpy(r->head, h, hl);
	return 0;
}

enum MHD_Result api_upload(struct web_req *r, const int64_t *ids)
{
	(void)ids;
	char name[128], err[512] = "";
	upload_name(r, name, sizeof(name));
	if (!web_uploads_allowed())	/* refused before any replay work */
		return web_error(r->conn, MHD_HTTP_FORBIDDEN, "uploads are disabled on this server (serve --max-uploads 0)");
	if (r->mp && upload_form(r) < 0)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s: %s", name, r->err);
	if (!r->len)
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s: empty body: send the capture file as the request body",
				 name);
	const unsigned char *b = r->head;
	if (!is_capture(b, r->len))
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST,
				 "%s: not a pcap or pcapng file (%zu bytes, starts with %02x %02x %02x %02x)", name,
				 r->len, b[0], r->len > 1 ? b[1] : 0, r->len > 2 ? b[2] : 0, r->len > 3 ? b[3] : 0);
	if (close(r->spool_fd) < 0) {
		r->spool_fd = -1;
		return web_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload in a temporary file");
	}
	r->spool_fd = -1;
	/* The upload dialog's host options: ?host=IP|MAC&no_csum=1&infer=0. */
	struct web_load_opts lo = { .host = web_qstr(r, "host") };
	int64_t v;
	if (web_qint(r, "no_csum", 0, 0, 1, &v) < 0 || (lo.no_csum = (int)v, web_qint(r, "infer", 1, 0, 1, &v) < 0))
		return web_error(r->conn, MHD_HTTP_BAD_REQUEST, "%s", r->err);
	lo.no_infer = !v;
	size_t max_ev;
	uint64_t max_bytes;
	unsigned st;
	web_upload_budget(&max_ev, &max_bytes);
	struct nj_store *s = web_replay_limited(r->spool, name, &lo, max_ev, max_bytes, &st, err, sizeof(err));
	spool_remove(r);		/* the slot stays taken until the answer is sent */
	if (!s && st == MHD_HTTP_SERVICE_UNAVAILABLE)
		return web_busy(r->conn, 2, "%s: %s", name, err);
	if (!s && st == MHD_HTTP_BAD_REQUEST)
		return web_error(r->conn, st, "%s", err);
	if (!s)
		return web_error(r->conn, st, "%s: %s", name, err);
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
