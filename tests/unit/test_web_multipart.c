/*
 * test_web_multipart.c - the multipart/form-data parser (web/multipart.c)
 * fed whole, byte by byte and split at every position, with hostile
 * bodies (no closing boundary, a boundary-like run inside the file, CRs
 * everywhere, too many parts, headers and fields over their bounds, two
 * files, a file over the cap, a sink that fails); then real `curl -F`
 * uploads to the server running in-process. Run from the project root.
 */
#include "nj_web_check.h"
#include "multipart.h"
#include "server.h"

#define CT "multipart/form-data; boundary=XyZ-42"

struct out {
	char buf[1 << 16];
	size_t len;
	int fail;
};

static int sink(void *ctx, const char *d, size_t n)
{
	struct out *o = ctx;
	if (o->fail || o->len + n > sizeof(o->buf))
		return -1;
	memcpy(o->buf + o->len, d, n);
	o->len += n;
	return 0;
}

/* Feeds body in chunks of step bytes (0: whole); 0 or -1 from finish. */
static int parse(const char *ct, const char *body, size_t n, size_t step, struct out *o, struct multipart **mp,
		 char *err, size_t errlen)
{
	struct multipart *m = multipart_new(ct, 4096, sink, o, err, errlen);
	if (!m)
		return -2;
	for (size_t i = 0; i < n; i += step ? step : n)
		multipart_feed(m, body + i, step && step < n - i ? step : n - i);
	int r = multipart_finish(m, err, errlen);
	if (mp)
		*mp = m;
	else
		multipart_free(m);
	return r;
}

static const char good[] = "preamble to ignore\r\n"
			   "--XyZ-42\r\n"
			   "Content-Disposition: form-data; name=\"host\"\r\n\r\n"
			   "10.0.0.2\r\n"
			   "--XyZ-42\r\n"
			   "Content-Disposition: form-data; name=\"file\"; filename=\"cap.pcap\"\r\n"
			   "Content-Type: application/octet-stream\r\n\r\n"
			   "\xd4\xc3\xb2\xa1\r\n\r\n--XyZ-4\r\r\n-\r\n--XyZ-4X\r\n\r\rend"
			   "\r\n--XyZ-42\r\n"
			   "Content-Disposition: form-data; name=no_csum\r\n\r\n"
			   "1"
			   "\r\n--XyZ-42--\r\nepilogue --XyZ-42 ignored";
static const char file_bytes[] = "\xd4\xc3\xb2\xa1\r\n\r\n--XyZ-4\r\r\n-\r\n--XyZ-4X\r\n\r\rend";

START_TEST(test_mp_every_split)
{
	/* Every chunk size, and every split point into two chunks. */
	size_t n = sizeof(good) - 1;
	for (size_t step = 0; step <= n; step++) {
		static struct out o;
		memset(&o, 0, sizeof(o));
		char err[200];
		struct multipart *m;
		ck_assert_msg(parse(CT, good, n, step, &o, &m, err, sizeof(err)) == 0, "step %zu: %s", step, err);
		ck_assert_msg(o.len == sizeof(file_bytes) - 1 && !memcmp(o.buf, file_bytes, o.len),
			      "step %zu: the file part is %zu bytes", step, o.len);
		ck_assert_str_eq(multipart_field(m, "host"), "10.0.0.2");
		ck_assert_str_eq(multipart_field(m, "no_csum"), "1");
		ck_assert_str_eq(multipart_field(m, "filename"), "cap.pcap");
		ck_assert_ptr_null(multipart_field(m, "infer"));
		const unsigned char *h;
		size_t hl;
		ck_assert_int_eq(multipart_file(m, &h, &hl), sizeof(file_bytes) - 1);
		ck_assert_int_eq(h[0], 0xd4);
		multipart_free(m);
	}
	for (size_t cut = 1; cut < n; cut++) {
		static struct out o;
		memset(&o, 0, sizeof(o));
		char err[200];
		struct multipart *m = multipart_new(CT, 4096, sink, &o, err, sizeof(err));
		multipart_feed(m, good, cut);
		multipart_feed(m, good + cut, n - cut);
		ck_assert_msg(multipart_finish(m, err, sizeof(err)) == 0, "cut %zu: %s", cut, err);
		ck_assert_msg(o.len == sizeof(file_bytes) - 1 && !memcmp(o.buf, file_bytes, o.len), "cut %zu", cut);
		multipart_free(m);
	}
}
END_TEST

START_TEST(test_mp_content_types)
{
	char err[200];
	struct out o = { .len = 0 };
	ck_assert(multipart_is("multipart/form-data; boundary=a"));
	ck_assert(multipart_is("Multipart/Form-Data;boundary=a"));
	ck_assert(!multipart_is("multipart/form-datax; boundary=a"));
	ck_assert(!multipart_is("application/octet-stream"));
	ck_assert(!multipart_is(NULL));
	static const char *bad[] = { "multipart/form-data", "multipart/form-data; boundary=",
				     "multipart/form-data; boundary=\"abc", "multipart/form-data; boundary=a\rb",
				     "multipart/form-data; boundary=\"a\nb\"",
				     ("multipart/form-data; boundary=12345678901234567890123456789012345678901234567890"
				      "123456789012345678901") };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct multipart *m = multipart_new(bad[i], 10, sink, &o, err, sizeof(err));
		ck_assert_msg(m == NULL, "accepted %s", bad[i]);
		ck_assert(strstr(err, "boundary") != NULL);
	}
	const char q[] = "--a b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nxy\r\n--a b--";
	ck_assert_int_eq(parse("multipart/form-data; boundary=\"a b\"", q, sizeof(q) - 1, 0, &o, NULL, err,
			       sizeof(err)), 0);
	ck_assert_int_eq(o.len, 2);
}
END_TEST

/* A body that must be refused whatever its chunking, naming why. */
static void refused(const char *body, size_t n, const char *why)
{
	for (size_t step = 0; step <= 7; step++) {
		static struct out o;
		memset(&o, 0, sizeof(o));
		char err[200] = "";
		ck_assert_msg(parse(CT, body, n, step, &o, NULL, err, sizeof(err)) == -1, "accepted: %.60s", body);
		ck_assert_msg(strstr(err, why) != NULL, "%s: expected \"%s\"", err, why);
	}
}

#define PART(name) "--XyZ-42\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\nv\r\n"

START_TEST(test_mp_hostile)
{
	static const char *cases[][2] = {
		{ "", "closing boundary" },
		{ "no boundary at all", "closing boundary" },
		{ "--XyZ-42\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", "closing boundary" },
		{ "--XyZ-42\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--XyZ-42", "closing" },
		{ "--XyZ-42--", "no \"file\" part" },
		{ PART("host") "--XyZ-42--", "no \"file\" part" },
		{ "--XyZ-42junk\r\n", "text after it" },
		{ "--XyZ-42\rX", "CRLF" },
		{ "--XyZ-42-X", "text after it" },
		{ "--XyZ-42\r\n\r\nbody\r\n--XyZ-42--", "Content-Disposition" },
		{ "--XyZ-42\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ-42--", "Content-Disposition" },
		{ "--XyZ-42\r\nContent-Disposition: form-data; name=\"fi\r\n\r\nx\r\n--XyZ-42--", "Content-Disposition" },
		{ PART("file") PART("file") "--XyZ-42--", "more than one" },
		{ PART("host") PART("host") "--XyZ-42--", "twice" },
		{ PART("a") PART("b") PART("c") PART("d") PART("e") PART("f") PART("g") PART("h") PART("i")
		  PART("j") PART("k") PART("l") PART("m") PART("n") PART("o") PART("p") PART("q") "--XyZ-42--",
		  "too many parts" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(cases[i][0], strlen(cases[i][0]), cases[i][1]);
	/* Headers over 2 KiB, a field over 256 bytes, a file over the cap. */
	static char big[8192];
	int n = snprintf(big, sizeof(big), "--XyZ-42\r\nX-Pad: ");
	memset(big + n, 'a', 3000);
	refused(big, (size_t)n + 3000, "headers are over");
	n = snprintf(big, sizeof(big), "--XyZ-42\r\nContent-Disposition: form-data; name=\"host\"\r\n\r\n");
	memset(big + n, 'b', 300);
	refused(big, (size_t)n + 300, "field over 256");
	n = snprintf(big, sizeof(big), "--XyZ-42\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n");
	memset(big + n, '\r', 5000);	/* CRs: every one starts a match that fails */
	snprintf(big + n + 5000, sizeof(big) - (size_t)n - 5000, "\r\n--XyZ-42--");
	refused(big, strlen(big), "over the upload limit");
	/* Under the cap, the same CRs are the file, byte for byte. */
	static struct out o;
	memset(&o, 0, sizeof(o));
	char err[200];
	snprintf(big + n + 4000, sizeof(big) - (size_t)n - 4000, "\r\n--XyZ-42--");
	for (size_t step = 1; step < 5; step++) {
		memset(&o, 0, sizeof(o));
		ck_assert_int_eq(parse(CT, big, strlen(big), step, &o, NULL, err, sizeof(err)), 0);
		ck_assert_int_eq(o.len, 4000);
	}
	/* The sink fails: named, and nothing after it is taken. */
	memset(&o, 0, sizeof(o));
	o.fail = 1;
	ck_assert_int_eq(parse(CT, good, sizeof(good) - 1, 0, &o, NULL, err, sizeof(err)), -1);
	ck_assert(strstr(err, "cannot store") != NULL);
}
END_TEST

/* -- real curl -F against the server -- */

static void srv_setup(void)
{
	struct web_cfg cfg = { .upload_max = 1u << 20 };
	nj_web_start(&cfg);
}

static void srv_teardown(void)
{
	web_stop();
}

/* curl's answer (body then " CODE"), parsed; status in *st. */
static cJSON *curl(const char *args, int *st)
{
	char cmd[1024], out[4096] = "";
	snprintf(cmd, sizeof(cmd), "curl -s -w ' %%{http_code}' %s http://127.0.0.1:%d/api/traces", args, web_port());
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	pclose(p);
	out[n] = 0;
	char *sp = strrchr(out, ' ');
	ck_assert_ptr_nonnull(sp);
	*st = atoi(sp + 1);
	*sp = 0;
	return cJSON_Parse(out);
}

START_TEST(test_mp_curl_form)
{
	int st;
	cJSON *raw = curl("--data-binary @pcaps/default.pcap", &st);
	ck_assert_int_eq(st, 201);
	cJSON *form = curl("-F file=@pcaps/default.pcap", &st);
	ck_assert_int_eq(st, 201);
	/* The same capture either way: the same packets and events. */
	ck_assert_int_eq(cJSON_GetObjectItem(form, "packets")->valueint, cJSON_GetObjectItem(raw, "packets")->valueint);
	ck_assert_int_eq(cJSON_GetObjectItem(form, "events")->valueint, cJSON_GetObjectItem(raw, "events")->valueint);
	ck_assert_str_eq(cJSON_GetObjectItem(form, "name")->valuestring, "default.pcap");
	cJSON *named = curl("-F name=lab.pcap -F file=@pcaps/default.pcap", &st);
	ck_assert_int_eq(st, 201);
	ck_assert_str_eq(cJSON_GetObjectItem(named, "name")->valuestring, "lab.pcap");
	cJSON *none = curl("-F name=x.pcap", &st);
	ck_assert_int_eq(st, 400);
	ck_assert(strstr(cJSON_GetObjectItem(none, "error")->valuestring, "file") != NULL);
	cJSON *text = curl("-F file=@README.md", &st);
	ck_assert_int_eq(st, 400);
	cJSON *cut = curl("-H 'Content-Type: multipart/form-data; boundary=zz' --data-binary @pcaps/default.pcap", &st);
	ck_assert_int_eq(st, 400);
	ck_assert(strstr(cJSON_GetObjectItem(cut, "error")->valuestring, "multipart") != NULL);
	cJSON *nob = curl("-H 'Content-Type: multipart/form-data' --data-binary @pcaps/default.pcap", &st);
	ck_assert_int_eq(st, 400);
	cJSON *items[] = { raw, form, named, none, text, cut, nob };
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		cJSON_Delete(items[i]);
}
END_TEST

static Suite *mp_suite(void)
{
	Suite *s = suite_create("web_multipart");
	TCase *p = tcase_create("parser"), *h = tcase_create("http");
	tcase_set_timeout(p, 60);
	tcase_add_test(p, test_mp_every_split);
	tcase_add_test(p, test_mp_content_types);
	tcase_add_test(p, test_mp_hostile);
	tcase_add_checked_fixture(h, srv_setup, srv_teardown);
	tcase_set_timeout(h, 60);
	tcase_add_test(h, test_mp_curl_form);
	suite_add_tcase(s, p);
	suite_add_tcase(s, h);
	return s;
}

NJ_TEST_MAIN(mp_suite)
