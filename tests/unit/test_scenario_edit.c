/*
 * test_scenario_edit.c - what-if edits of a scenario (replay/scenario_edit.c):
 * paths of keys and indexes, JSON or text values, creation and append, and
 * every malformed edit refused with a message.
 */
#include "nj_check.h"
#include "scenario.h"

static char err[256];

static char *edited1(const char *json, const char *set)
{
	const char *sets[1] = { set };
	return scenario_edited(json, sets, 1, err, sizeof(err));
}

static const cJSON *at(const cJSON *root, const char *key) { return cJSON_GetObjectItemCaseSensitive(root, key); }

START_TEST(test_edit_values)
{
	char *s = edited1(scenario_default_json, "rp_filter=1");
	cJSON *r = cJSON_Parse(s);
	ck_assert(cJSON_IsNumber(at(r, "rp_filter")) && at(r, "rp_filter")->valueint == 1);
	cJSON_Delete(r);
	free(s);
	s = edited1(scenario_default_json, "kernel=2.4");		/* text stays text */
	r = cJSON_Parse(s);
	ck_assert_str_eq(at(r, "kernel")->valuestring, "2.4");
	cJSON_Delete(r);
	free(s);
	s = edited1(scenario_default_json, "forwarding=true");
	r = cJSON_Parse(s);
	ck_assert(cJSON_IsTrue(at(r, "forwarding")));
	cJSON_Delete(r);
	free(s);
}
END_TEST

START_TEST(test_edit_paths)
{
	char *s = edited1(scenario_default_json, "interfaces[0].mtu=1000");
	cJSON *r = cJSON_Parse(s);
	ck_assert_int_eq(at(cJSON_GetArrayItem(at(r, "interfaces"), 0), "mtu")->valueint, 1000);
	cJSON_Delete(r);
	free(s);
	s = edited1(scenario_default_json, "netfilter[0]={\"hook\":\"LOCAL_IN\",\"verdict\":\"DROP\"}");	/* created, appended */
	r = cJSON_Parse(s);
	ck_assert_str_eq(at(cJSON_GetArrayItem(at(r, "netfilter"), 0), "verdict")->valuestring, "DROP");
	cJSON_Delete(r);
	free(s);
	s = edited1(scenario_default_json, "frag.time=5");		/* an object made on the way */
	r = cJSON_Parse(s);
	ck_assert_int_eq(at(at(r, "frag"), "time")->valueint, 5);
	struct net *net = net_create();
	ck_assert_int_eq(scenario_load_text(net, s, "edited", err, sizeof(err)), 0);
	net_destroy(net);
	cJSON_Delete(r);
	free(s);
}
END_TEST

START_TEST(test_edit_refused)
{
	static const char *const bad[] = { "rp_filter", "=1", "interfaces[7].mtu=1", "interfaces.mtu=1",
					   "kernel[0]=1", "routes[x]=1", "a..b=1", "a.=1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		char *s = edited1(scenario_default_json, bad[i]);
		ck_assert_msg(s == NULL, "accepted %s", bad[i]);
		ck_assert_msg(strstr(err, "--set") != NULL, "%s: %s", bad[i], err);
	}
	ck_assert_ptr_null(edited1("{not json", "rp_filter=1"));
}
END_TEST

static Suite *scenario_edit_suite(void)
{
	Suite *s = suite_create("scenario_edit");
	TCase *core = tcase_create("Core");
	tcase_add_test(core, test_edit_values);
	tcase_add_test(core, test_edit_paths);
	suite_add_tcase(s, core);
	TCase *errs = tcase_create("Errors");
	tcase_add_test(errs, test_edit_refused);
	suite_add_tcase(s, errs);
	return s;
}

NJ_TEST_MAIN(scenario_edit_suite)
