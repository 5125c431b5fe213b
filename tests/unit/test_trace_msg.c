/*
 * test_trace_msg.c - an event's msg, formatted by the tracer's compiled
 * formats (stack/trace.c fmt_msg: literal runs and %s %c %d %i %u %x %X
 * %%, l ll z, %0Nx/%0Nu) or vsnprintf for anything else, is the text
 * snprintf makes of the same format and values: up to 11 conversions
 * compiled, more going the slow way, and long text cut at the same byte.
 * Each test runs twice: with a plain sink, and with one that takes its
 * msgs raw (TRACE_SINK_RAW_MSG) and formats them later (trace_msg_text),
 * as the JSONL writer's thread does.
 */
#include <stdarg.h>
#include <stdio.h>

#include "nj_check.h"

static char got[1024];
static int raw_mode, raw_seen;

static void keep_msg(void *ctx, const struct trace_event *ev)
{
	(void)ctx;
	if (ev->msg_raw) {
		ck_assert(raw_mode);	/* never to a sink that did not ask */
		ck_assert_ptr_null(ev->msg);
		char text[TRACE_MSG_MAX];
		size_t n = trace_msg_text(ev->msg_raw, text);
		ck_assert_uint_eq(n, strlen(text));
		ck_assert_uint_gt(n, 0);	/* an empty text is no msg */
		snprintf(got, sizeof(got), "%s", text);
		raw_seen++;
		return;
	}
	snprintf(got, sizeof(got), "%s", ev->msg ? ev->msg : "");
}

static struct net *msg_net(int raw)
{
	struct net *net = nj_net();
	raw_mode = raw;
	raw_seen = 0;
	if (raw)
		trace_clear_sinks(net);	/* nj_net's recorder reads msg */
	trace_add_sink_flags(net, keep_msg, NULL, raw ? TRACE_SINK_RAW_MSG : 0);
	return net;
}

/* Raw mode saw raw msgs (compiled formats), plain mode none. */
static void msg_net_free(struct net *net)
{
	if (raw_mode)
		ck_assert_int_gt(raw_seen, 0);
	else
		ck_assert_int_eq(raw_seen, 0);
	nj_net_free(net);
}

/* snprintf through a va_list: the cut text is the point, not a warning. */
static void want(char *o, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o, n, fmt, ap);
	va_end(ap);
}

/* The message of one trace_step, against snprintf into the tracer's 512 bytes. */
#define CHECK_MSG(net, ...)                                                      \
	do {                                                                     \
		char want_[512];                                                 \
		want(want_, sizeof(want_), __VA_ARGS__);                         \
		got[0] = 0;                                                      \
		trace_step(net, NULL, "test_step", __VA_ARGS__);                  \
		ck_assert_str_eq(got, want_);                                     \
	} while (0)

START_TEST(test_trace_msg_same_as_snprintf)
{
	struct net *net = msg_net(_i);
	static const char *const words[] = { "", "S", "pkt_type=HOST", "a longer name, with, commas" };
	for (int round = 0; round < 2; round++) {	/* the second: every format cached */
		for (int i = 0; i < 4; i++) {
			const char *w = words[i];
			long long v = (long long)i * -123456789012LL;
			CHECK_MSG(net, "%s Flags %s, seq %u, ack %u, win %u,%s%s%s length 0 (%s)", w, w, 4294967295u,
				  0u, 65535u, w, " ", w, w);
			CHECK_MSG(net, "request sock %s: IRS %u, ISS %u (%s), peer MSS %u; agreed:%s%s%s%s", w,
				  1u, 2u, w, 1460u, " mss", w, "", " ts");
			CHECK_MSG(net, "%d %i %u %x %X %ld %lld %llu %zu %lx %c%%", -i, i, 7u, 0xbeefu, 0xbeefu,
				  -2147483648L, v, 18446744073709551615ULL, (size_t)i, 0xfffffffffUL, 'q');
			CHECK_MSG(net, "ethertype 0x%04x, id 0x%04x, %08x, %02u:%02u", 0x800u, 0x1u, 0xabcu, 3u, 45u);
			CHECK_MSG(net, "%s", w);
			CHECK_MSG(net, "%s%s%s%s%s%s%s%s%s%s%s%s%s", w, w, w, w, w, w, w, w, w, w, w, w, w);
			CHECK_MSG(net, "%5u and %-4s and %.2s", 42u, w, w);	/* widths: vsnprintf */
			const char *volatile none = NULL;	/* "(null)", as glibc prints it */
			CHECK_MSG(net, "%s %s", none, w);
		}
		/* strings of every length to 20, each byte distinct (copied in
		 * overlapping moves of 8 and 4 bytes, or 1 to 3 bytes) */
		for (int n = 0; n <= 20; n++) {
			char str[24];
			for (int i = 0; i < n; i++)
				str[i] = (char)('A' + i);
			str[n] = 0;
			CHECK_MSG(net, "%s", str);
			CHECK_MSG(net, "<%s|%s>%u", str, str + n / 2, (unsigned)n);
		}
		/* digits two at a time: every length, each side of a power of ten */
		for (unsigned long long p = 1; p; p = p <= 18446744073709551615ULL / 10 ? p * 10 : 0) {
			CHECK_MSG(net, "%llu %llu %llu|%lld %lld", p - 1, p, p + 1, -(long long)(p / 2) - 1,
				  (long long)(p / 2));
			CHECK_MSG(net, "a%uab%dabcdefgh%uabcdefghi%02uabcdefghijklmnopq%04u", (unsigned)p, -(int)(p % 1000),
				  (unsigned)(p % 100), (unsigned)(p % 1000), (unsigned)(p % 100000));
		}
	}
	msg_net_free(net);
}
END_TEST

/* Text over the tracer's 512 bytes ends where snprintf's does. */
START_TEST(test_trace_msg_cut_like_snprintf)
{
	struct net *net = msg_net(_i);
	char big[700];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	for (int n = 480; n < 530; n += 7) {
		big[n] = 0;
		CHECK_MSG(net, "head %u: %s; tail %u", (unsigned)n, big, 99u);
		CHECK_MSG(net, "%s%s", big, big);
		big[n] = 'x';
	}
	msg_net_free(net);
}
END_TEST

static void other_sink(void *ctx, const struct trace_event *ev)
{
	(void)ctx;
	(void)ev;
}

/* One sink that needs the text keeps every msg formatted, whatever the
 * others take; clearing the sinks forgets the raw ones. */
START_TEST(test_trace_msg_raw_only_when_all_sinks_ask)
{
	struct net *net = msg_net(1);
	trace_add_sink(net, other_sink, NULL);
	raw_mode = 0;
	CHECK_MSG(net, "seq %u, %s", 7u, "x");
	ck_assert_int_eq(raw_seen, 0);
	trace_clear_sinks(net);
	trace_add_sink_flags(net, other_sink, NULL, TRACE_SINK_RAW_MSG);
	trace_add_sink(net, keep_msg, NULL);
	CHECK_MSG(net, "seq %u, %s", 8u, "y");
	ck_assert_int_eq(raw_seen, 0);
	trace_clear_sinks(net);
	trace_add_sink_flags(net, keep_msg, NULL, TRACE_SINK_RAW_MSG);
	raw_mode = 1;
	CHECK_MSG(net, "seq %u, %s", 9u, "z");
	ck_assert_int_eq(raw_seen, 1);
	nj_net_free(net);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trace_msg");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_trace_msg_same_as_snprintf, 0, 2);
	tcase_add_loop_test(tc, test_trace_msg_cut_like_snprintf, 0, 2);
	tcase_add_test(tc, test_trace_msg_raw_only_when_all_sinks_ask);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(suite)
