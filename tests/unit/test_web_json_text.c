/*
 * test_web_json_text.c - the server's printer (web/json_text.c, through
 * jsonw) gives the bytes cJSON_PrintUnformatted gives, but for strings
 * holding DEL or bytes that are not UTF-8 (escaped, U+FFFD): on numbers at every edge of its fast
 * path (integers near 1e15 and 2^31, -0, fractions, NaN, infinities,
 * random doubles of every magnitude), strings of every byte, nesting,
 * empty containers, raw nodes, the nodes only cJSON prints (its fallback),
 * and the /state object of events of every pcap of pcaps/.
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "cJSON.h"
#include "fold.h"
#include "load.h"
#include "nj_check.h"
#include "nj_trace_check.h"
#include "store.h"
#include "web.h"

/* o printed both ways: the same bytes and length (o is freed). */
static void same(cJSON *o, const char *what)
{
	size_t len = 12345;
	char *a = cJSON_PrintUnformatted(o), *b = web_json_text(o, &len);
	ck_assert_msg((!a && !b) || (a && b && !strcmp(a, b)), "%s: cJSON %.300s, ours %.300s", what, a ? a : "(null)",
		      b ? b : "(null)");
	if (b)
		ck_assert_uint_eq(len, strlen(b));
	free(a);
	free(b);
	cJSON_Delete(o);
}

static void same_number(double d)
{
	char what[64];
	snprintf(what, sizeof(what), "number %.17g", d);
	same(cJSON_CreateNumber(d), what);
	cJSON *a = cJSON_CreateArray();		/* and inside a container */
	cJSON_AddItemToArray(a, cJSON_CreateNumber(d));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-d));
	same(a, what);
}

START_TEST(test_json_text_numbers)
{
	static const double edge[] = {
		0, 1, -1, 9, 10, 99, 100, 2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0,
		4294967295.0, 4294967296.0, 9007199254740991.0, 9007199254740992.0, 999999999999999.0,
		1e15, 1e15 + 1, 1e16, 1e17, 1e21, 1704077193000000000.0, 0.5, 0.1, 1.0 / 3, 1e-7, 123.456,
		DBL_MAX, DBL_MIN, 5e-324, -0.0,
	};
	for (size_t k = 0; k < sizeof(edge) / sizeof(edge[0]); k++)
		same_number(edge[k]);
	same_number(NAN);
	same_number(INFINITY);
	unsigned rnd = 7;
	for (int k = 0; k < 20000; k++) {
		uint64_t u = (uint64_t)rand_r(&rnd) << 33 ^ (uint64_t)rand_r(&rnd) << 11 ^ (uint64_t)rand_r(&rnd);
		int shift = rand_r(&rnd) % 64;
		same_number((double)(int64_t)(u >> shift));	/* integers of every size */
		double f;
		memcpy(&f, &u, sizeof(f));			/* any bit pattern */
		same_number(f);
		same_number((double)(u >> shift) / (1 + rand_r(&rnd) % 1000));
	}
}
END_TEST

START_TEST(test_json_text_strings_and_shapes)
{
	char s[128];
	for (int c = 1; c < 127; c++)			/* ASCII but DEL */
		s[c - 1] = (char)c;
	s[126] = 0;
	same(cJSON_CreateString(s), "every ASCII byte");
	same(cJSON_CreateString("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x93\xa6"), "UTF-8");
	/* DEL is escaped and a byte that is not UTF-8 becomes U+FFFD, as in
	 * the trace: the text still parses, to the cleaned string. */
	cJSON *h = cJSON_CreateString("a\x7f\xff\xc3z");
	size_t hl = 0;
	char *ht = web_json_text(h, &hl);
	ck_assert_str_eq(ht, "\"a\\u007f\\ufffd\\ufffdz\"");
	cJSON *back = cJSON_Parse(ht);
	ck_assert(cJSON_IsString(back));
	ck_assert_str_eq(back->valuestring, "a\x7f\xef\xbf\xbd\xef\xbf\xbdz");
	cJSON_Delete(back);
	free(ht);
	cJSON_Delete(h);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, s, s);		/* a key needing escapes */
	cJSON_AddItemToObject(o, "empty_obj", cJSON_CreateObject());
	cJSON_AddItemToObject(o, "empty_arr", cJSON_CreateArray());
	cJSON_AddItemToObject(o, "raw", cJSON_CreateRaw("[1, 2 ,\"x\"]"));
	cJSON_AddNullToObject(o, "null");
	cJSON_AddTrueToObject(o, "t");
	cJSON_AddFalseToObject(o, "f");
	cJSON_AddStringToObject(o, "", "");
	cJSON *deep = o;
	for (int k = 0; k < 200; k++)
		deep = cJSON_AddArrayToObject(cJSON_AddObjectToObject(deep, "d"), "a");
	cJSON_AddItemToArray(deep, cJSON_CreateNumber(42));
	same(o, "shapes");
	cJSON *n = cJSON_CreateString("x");
	free(n->valuestring);
	n->valuestring = NULL;				/* cJSON prints "" */
	same(n, "a string without text");
	cJSON *raw = cJSON_CreateArray(), *r = cJSON_CreateRaw("1");
	free(r->valuestring);
	r->valuestring = NULL;				/* cJSON fails: so do we */
	cJSON_AddItemToArray(raw, r);
	same(raw, "a raw node without text");
	cJSON *bad = cJSON_CreateObject();
	cJSON *inv = cJSON_CreateNull();
	inv->type = cJSON_Invalid;
	cJSON_AddItemToObject(bad, "x", inv);
	same(bad, "an invalid node");
	size_t len = 1;
	ck_assert_ptr_null(web_json_text(NULL, &len));
}
END_TEST

/* Every pcap: the state at every 7th event and the last, as /state sends it. */
static void states_same(void *ctx, const char *path, struct nj_store *s)
{
	size_t *states = ctx;
	struct fold_index *x = fold_index_new(s);
	size_t ev = store_nevents(s), stride = ev < 20000 ? 7 : 997;
	for (size_t i = 0; i < ev; i = i + stride < ev || i == ev - 1 ? i + stride : ev - 1) {
		cJSON *o = fold_json_at(x, i);
		ck_assert_ptr_nonnull(o);
		same(o, path);
		(*states)++;
	}
	fold_index_free(x);
}

START_TEST(test_json_text_every_state)
{
	size_t states = 0;
	ck_assert_int_ge(nj_each_pcap(states_same, &states), 40);
	ck_assert_uint_ge(states, 1000);
}
END_TEST

static Suite *json_text_suite(void)
{
	Suite *s = suite_create("web_json_text");
	TCase *c = tcase_create("Core");
	tcase_set_timeout(c, 600);
	tcase_add_test(c, test_json_text_numbers);
	tcase_add_test(c, test_json_text_strings_and_shapes);
	tcase_add_test(c, test_json_text_every_state);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(json_text_suite)
