/*
 * test_lesson_grade.c - grading a lab's answers (classroom/lesson_grade.c): every
 * kind compares the student's answer with the value the trace computed,
 * never by keywords, so an answer holding the right words is still wrong;
 * a choice is right only as the one choice the trace stands for; the key
 * itself must agree with the trace; a question for the teacher is never
 * right or wrong; answers parse from lines and from JSON, bounded; a
 * check selects events by their structured facts, never by msg.
 */
#include "nj_check.h"
#include "lesson.h"
#include "load.h"

static cJSON *q(const char *json)
{
	cJSON *j = cJSON_Parse(json);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(test_keywords_never_grade)
{
	/* lab 3's q3, as a choice: the trace says "last fragment (MF=0)" */
	cJSON *x = q("{\"id\":\"q3\",\"kind\":\"choice\",\"answer\":\"a\","
		     "\"choices\":{\"a\":\"MF=0: it is the last fragment\",\"b\":\"MF=1: more fragments follow\"},"
		     "\"choice_values\":{\"a\":\"last fragment (MF=0)\",\"b\":\"(MF=1)\"}}");
	const char *msg = "1. last fragment (MF=0): the datagram carries 3008 payload bytes";
	ck_assert(lesson_key_ok(x, msg));
	ck_assert(lesson_answer_ok(x, msg, "a"));
	ck_assert(lesson_answer_ok(x, msg, "A"));
	ck_assert(lesson_answer_ok(x, msg, "MF=0: it is the last fragment"));
	ck_assert(!lesson_answer_ok(x, msg, "MF is set to 1, more fragments"));
	ck_assert(!lesson_answer_ok(x, msg, "it is not the last one"));
	ck_assert(!lesson_answer_ok(x, msg, "last fragment MF=0"));
	ck_assert(!lesson_answer_ok(x, msg, "b"));
	ck_assert(!lesson_answer_ok(x, msg, "a or b"));
	/* the key must be the choice the trace stands for */
	ck_assert(!lesson_key_ok(x, "2. more fragments (MF=1)"));
	cJSON_Delete(x);
}
END_TEST

START_TEST(test_choice_ambiguous_trace_is_stale)
{
	/* a message holding two choices' values cannot tell which is meant */
	cJSON *x = q("{\"id\":\"q\",\"kind\":\"choice\",\"answer\":\"b\","
		     "\"choices\":{\"a\":\"SYN_RECV\",\"b\":\"ESTABLISHED\"}}");
	ck_assert(!lesson_key_ok(x, "SYN_RECV → ESTABLISHED"));
	ck_assert(!lesson_answer_ok(x, "SYN_RECV → ESTABLISHED", "b"));
	ck_assert(lesson_key_ok(x, "ESTABLISHED"));	/* equal beats contained */
	cJSON_Delete(x);
}
END_TEST

START_TEST(test_kinds_exact)
{
	cJSON *n = q("{\"kind\":\"number\",\"answer\":6}");
	ck_assert(lesson_answer_ok(n, "6", "6"));
	ck_assert(lesson_answer_ok(n, "6", " 6.0 "));
	ck_assert(!lesson_answer_ok(n, "6", "6 or 7"));
	ck_assert(!lesson_answer_ok(n, "6", "packet 6"));
	ck_assert(!lesson_answer_ok(n, "6", "66"));
	cJSON *r = q("{\"kind\":\"reason\",\"answer\":\"IP_CSUM\"}");
	ck_assert(lesson_answer_ok(r, "IP_CSUM", "skb_drop_reason_ip_csum"));
	ck_assert(!lesson_answer_ok(r, "IP_CSUM", "IP_CSUM or IP_INHDR"));
	ck_assert(!lesson_answer_ok(r, "IP_CSUM", "not IP_CSUM"));
	cJSON *f = q("{\"kind\":\"fn\",\"answer\":\"ip_find\"}");
	ck_assert(lesson_answer_ok(f, "ip_find", "ip_find()"));
	ck_assert(!lesson_answer_ok(f, "ip_find", "ip_find or ip_defrag"));
	cJSON *s = q("{\"kind\":\"field\",\"answer\":\"TIME_WAIT\"}");
	ck_assert(lesson_answer_ok(s, "TIME_WAIT", "time-wait"));
	ck_assert(lesson_answer_ok(s, "TIME_WAIT", "TCP_TIME_WAIT"));
	ck_assert(!lesson_answer_ok(s, "TIME_WAIT", "FIN_WAIT2 before TIME_WAIT"));
	/* the trace wins over the key: a student is held to what happened */
	ck_assert(!lesson_answer_ok(s, "CLOSE", "TIME_WAIT"));
	ck_assert(!lesson_key_ok(s, "CLOSE"));
	cJSON_Delete(n);
	cJSON_Delete(r);
	cJSON_Delete(f);
	cJSON_Delete(s);
}
END_TEST

START_TEST(test_teacher_and_unknown_kinds)
{
	cJSON *t = q("{\"kind\":\"teacher\",\"answer\":\"the model answer\"}");
	ck_assert(lesson_key_ok(t, NULL));
	ck_assert(!lesson_answer_ok(t, NULL, "the model answer"));	/* never auto-graded */
	cJSON *k = q("{\"kind\":\"text\",\"answer\":[\"last\",\"MF\"]}");
	ck_assert(!lesson_key_ok(k, "last fragment (MF=0)"));	/* keyword lists are refused */
	ck_assert(!lesson_answer_ok(k, "last fragment (MF=0)", "last"));
	cJSON_Delete(t);
	cJSON_Delete(k);
}
END_TEST

START_TEST(test_answers_parse)
{
	struct lesson_answers a;
	char err[256];
	char text[] = "# comment\n\nq1: ip_find\nQ2 :  b  \nq1: ip_defrag\n";
	ck_assert_int_eq(lesson_answers_parse(text, "t", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.id[0], "q1");
	ck_assert_str_eq(a.text[0], "ip_defrag");	/* a later line wins */
	ck_assert_str_eq(a.text[1], "b");
	lesson_answers_free(&a);
	char bad[] = "q1 ip_find\n";
	ck_assert_int_eq(lesson_answers_parse(bad, "t", &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	/* bounded: more distinct questions than LESSON_ANSWERS_MAX is an error */
	size_t cap = (LESSON_ANSWERS_MAX + 2) * 16;
	char *many = malloc(cap), *p = many;
	for (int i = 0; i < LESSON_ANSWERS_MAX + 1; i++)
		p += sprintf(p, "q%d: x\n", i);
	ck_assert_int_eq(lesson_answers_parse(many, "t", &a, err, sizeof(err)), -1);
	free(many);
	cJSON *j = cJSON_Parse("{\"q1\":\"ip_find\",\"q2\":6}");
	ck_assert_int_eq(lesson_answers_json(j, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_str_eq(a.text[1], "6");
	lesson_answers_free(&a);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"q1\":[1]}");
	ck_assert_int_eq(lesson_answers_json(j, &a, err, sizeof(err)), -1);
	cJSON_Delete(j);
	j = cJSON_Parse("[\"q1\"]");
	ck_assert_int_eq(lesson_answers_json(j, &a, err, sizeof(err)), -1);
	cJSON_Delete(j);
}
END_TEST

/* The value check c (JSON) computes on s, "ERR" when it is refused. */
static const char *eval(struct nj_store *s, const char *c, char *out, size_t outlen)
{
	char err[256];
	cJSON *j = q(c);
	int r = lesson_eval(s, j, out, outlen, err, sizeof(err));
	cJSON_Delete(j);
	if (r < 0)
		snprintf(out, outlen, "ERR");
	return out;
}

/* Event selectors read structured facts, never msg: arg (a member is
 * there), args_has (members equal), skb_has (skb_state's fields); the
 * old msg_has is refused with a pointer to them. */
START_TEST(test_selectors_structured)
{
	char err[600], v[256];
	struct replay_cfg cfg = { .scenario = NULL };
	struct load_opts o = { .cfg = &cfg };
	struct nj_store *s = load_capture("pcaps/arp-resolve.pcap", &o, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"pkt\":1,\"ph\":\"i\",\"args_has\":{\"neigh.state\":\"INCOMPLETE\"},"
			      "\"value\":\"fn\"}", v, sizeof(v)), "__neigh_event_send");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"args_has\":{\"neigh.state\":\"REACHABLE\",\"neigh.queued\":2},"
			      "\"value\":\"fn\"}", v, sizeof(v)), "neigh_update");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"args_has\":{\"neigh.state\":\"NO_SUCH\"},\"value\":\"count\"}", v,
			      sizeof(v)), "0");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"pkt\":1,\"arg\":\"neigh.queued_skbs\",\"value\":\"arg:neigh.queued\"}",
			      v, sizeof(v)), "1");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"pkt\":1,\"ph\":\"E\",\"args_has\":{\"type\":\"local\"},"
			      "\"value\":\"fn\"}", v, sizeof(v)), "ip_route_input_slow");
	ck_assert_int_gt(atoi(eval(s, "{\"type\":\"event\",\"pkt\":1,\"skb_has\":{\"pkt_type\":\"HOST\",\"protocol\":\"IPv4\"},"
				   "\"value\":\"count\"}", v, sizeof(v))), 0);
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"pkt\":1,\"skb_has\":{\"pkt_type\":\"OTHERHOST\"},\"value\":\"count\"}",
			      v, sizeof(v)), "0");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"pkt\":1,\"msg_has\":\"held\",\"value\":\"fn\"}", v, sizeof(v)),
			 "ERR");
	ck_assert_str_eq(eval(s, "{\"type\":\"event\",\"args_has\":\"x\",\"value\":\"fn\"}", v, sizeof(v)), "ERR");
	store_free(s);
}
END_TEST

static Suite *lesson_grade_suite(void)
{
	Suite *s = suite_create("lesson_grade");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_keywords_never_grade);
	tcase_add_test(tc, test_choice_ambiguous_trace_is_stale);
	tcase_add_test(tc, test_kinds_exact);
	tcase_add_test(tc, test_teacher_and_unknown_kinds);
	tcase_add_test(tc, test_answers_parse);
	tcase_add_test(tc, test_selectors_structured);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(lesson_grade_suite)
