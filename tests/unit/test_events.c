/*
 * test_events.c - the event schema: every JSONL line of a replay parses with
 * cJSON and carries the schema-v1 fields; B/E pairs balance; hostile bytes
 * (quotes, backslashes, control bytes, invalid UTF-8) still give valid JSON;
 * the Chrome sink writes one parseable document; tracing on and off reach
 * the same counters.
 */
#include <unistd.h>

#include "cJSON.h"
#include "events.h"
#include "nj_check.h"
#include "replay.h"
#include "sinks.h"

struct collect {
	struct jw w;
	int lines, bad, open, max_open;
	int has_mib, has_reason, has_state;
};

static void collect_emit(void *ctx, const struct trace_event *ev)
{
	struct collect *c = ctx;
	jw_reset(&c->w);
	event_to_json(&c->w, ev);
	cJSON *o = cJSON_Parse(c->w.buf);
	c->lines++;
	if (!o || cJSON_GetObjectItem(o, "v")->valueint != 1 || !cJSON_IsString(cJSON_GetObjectItem(o, "fn")) ||
	    !cJSON_IsNumber(cJSON_GetObjectItem(o, "seq")) || !cJSON_GetObjectItem(o, "parent") ||
	    !cJSON_IsNumber(cJSON_GetObjectItem(o, "ts_ns"))) {
		c->bad++;
		cJSON_Delete(o);
		return;
	}
	const char *ph = cJSON_GetObjectItem(o, "ph")->valuestring;
	c->open += ph[0] == 'B' ? 1 : ph[0] == 'E' ? -1 : 0;
	if (c->open > c->max_open)
		c->max_open = c->open;
	c->has_mib |= cJSON_IsObject(cJSON_GetObjectItem(o, "mib"));
	c->has_reason |= cJSON_IsString(cJSON_GetObjectItem(o, "reason"));
	c->has_state |= cJSON_IsObject(cJSON_GetObjectItem(o, "skb_state"));
	cJSON_Delete(o);
}

static const char *pcap_path(void)
{
	return access("pcaps/default.pcap", R_OK) == 0 ? "pcaps/default.pcap" : "../../pcaps/default.pcap";
}

START_TEST(test_events_replay_lines_parse_with_cjson)
{
	struct collect c = { 0 };
	struct replay_cfg cfg = { .pcap = pcap_path() };
	struct replay_result res;
	char err[256];
	cfg.emit[0] = collect_emit;
	cfg.emit_ctx[0] = &c;
	cfg.nemit = 1;
	ck_assert_int_eq(replay_run(&cfg, &res, NULL, err, sizeof(err)), 0);
	ck_assert_int_gt(c.lines, 100);
	ck_assert_int_eq(c.bad, 0);
	ck_assert_int_eq(c.open, 0);		/* every B has its E */
	ck_assert_int_gt(c.max_open, 5);
	ck_assert(c.has_mib && c.has_reason && c.has_state);
	ck_assert_int_eq((int)res.events, c.lines);
	free(res.scenario_json);
	jw_free(&c.w);
}
END_TEST

START_TEST(test_events_hostile_strings)
{
	static const char hostile[] = "q\"b\\s\x01\x1f\x7f nl\n tab\t \xff\xfe bad \xc3\x28 \xe2\x82 ok \xc3\xa9 \xf0\x9f\x98\x80";
	struct jw w = { 0 };
	jw_obj_open(&w);
	jw_key(&w, "s");
	jw_str(&w, hostile, sizeof(hostile) - 1);
	jw_obj_close(&w);
	cJSON *o = cJSON_Parse(w.buf);
	ck_assert_ptr_nonnull(o);
	const char *s = cJSON_GetObjectItem(o, "s")->valuestring;
	ck_assert_ptr_nonnull(strstr(s, "q\"b\\s"));
	ck_assert_ptr_nonnull(strstr(s, "\xc3\xa9"));		/* valid UTF-8 kept */
	ck_assert_ptr_nonnull(strstr(s, "\xf0\x9f\x98\x80"));
	ck_assert_ptr_nonnull(strstr(s, "\xef\xbf\xbd"));	/* invalid → U+FFFD */
	ck_assert_ptr_null(strstr(s, "\xff"));
	cJSON_Delete(o);
	jw_free(&w);
}
END_TEST

/* jw_key's copy-as-checked path writes what the escaping path does:
 * "key": from jw_str and a colon, for plain keys, the empty key, and keys
 * with quotes, control bytes and invalid or valid UTF-8, after a member
 * (the comma) and at the start of an object. */
START_TEST(test_events_key_fast_path_same_as_escaped)
{
	static const char *const keys[] = { "seq", "", "queued_skbs", "a\"b", "back\\slash", "c\x01", "\x7f",
					    "caf\xc3\xa9", "\xff\xfe", "x y~", "0123456789012345678901234567890123",
					    "abcdefgh\"ij", "abcdefghijklmno\x01", "abcdefg\\" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (int member = 0; member <= 1; member++) {
			struct jw fast = { 0 }, slow = { 0 };
			jw_obj_open(&fast);
			jw_obj_open(&slow);
			if (member) {
				jw_kv_int(&fast, "n", 1);
				jw_kv_int(&slow, "n", 1);
			}
			jw_key(&fast, keys[i]);
			jw_val_int(&fast, 7);
			jw_raw(&slow, member ? "," : "", member ? 1 : 0);
			jw_str(&slow, keys[i], strlen(keys[i]));
			jw_raw(&slow, ":7", 2);
			ck_assert_str_eq(fast.buf, slow.buf);
			ck_assert_uint_eq(fast.len, strlen(fast.buf));
			jw_free(&fast);
			jw_free(&slow);
		}
	}
}
END_TEST

/* The plain writer of an event: jw_key and jw_val_* for every field, in
 * the schema's order (docs/events.md), keeping no text between events.
 * event_to_json's kept texts (numbers counted up in place, a parent per
 * depth, ph/fn/layer and verdict/reason per kind) must write the same. */
static void plain_name(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_val_str(w, s);
}

static void plain_id(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	if (v >= 0)
		jw_val_int(w, v);
	else
		jw_val_null(w);
}

static void plain_tail(struct jw *w, const struct trace_event *ev)
{
	if (ev->verdict != V_NONE)
		plain_name(w, "verdict", verdict_name(ev->verdict));
	if (ev->verdict == V_DROP)
		plain_name(w, "reason", drop_reason_name(ev->reason));
	else if (ev->ph == 'E')
		plain_name(w, "reason", NULL);
	if (ev->n_mib) {
		jw_key(w, "mib");
		jw_obj_open(w);
		for (int i = 0; i < ev->n_mib; i++)
			jw_kv_uint(w, mib_name(ev->mib[i].id), ev->mib[i].n);
		jw_obj_close(w);
	}
	if (ev->n_from) {
		jw_key(w, "from");
		jw_arr_open(w);
		for (int i = 0; i < ev->n_from; i++)
			jw_val_uint(w, ev->from[i]);
		jw_arr_close(w);
	}
}

static void plain_json(struct jw *w, const struct trace_event *ev)
{
	char ph[2] = { ev->ph, 0 };
	jw_obj_open(w);
	jw_kv_int(w, "v", 1);
	jw_kv_uint(w, "seq", ev->seq);
	jw_key(w, "parent");
	if (ev->parent)
		jw_val_uint(w, ev->parent);
	else
		jw_val_null(w);
	jw_kv_int(w, "depth", ev->depth);
	plain_name(w, "ph", ph);
	plain_name(w, "fn", ev->fn);
	plain_name(w, "layer", ev->layer);
	plain_id(w, "pkt", ev->pkt);
	plain_id(w, "skb", ev->skb);
	jw_kv_uint(w, "ts_ns", ev->ts_ns);
	if (ev->st) {
		jw_key(w, "skb_state");
		jw_obj_open(w);
		jw_kv_uint(w, "len", ev->st->len);
		jw_kv_int(w, "data", ev->st->data);
		jw_kv_int(w, "nh", ev->st->nh);
		jw_kv_int(w, "th", ev->st->th);
		plain_name(w, "pkt_type", pkt_type_name(ev->st->pkt_type));
		plain_name(w, "protocol", eth_proto_name(ev->st->protocol));
		jw_kv_int(w, "ifindex", ev->st->ifindex);
		jw_obj_close(w);
	}
	if (ev->msg) {
		jw_key(w, "msg");
		jw_str(w, ev->msg, ev->msg_len ? ev->msg_len : strlen(ev->msg));
		w->need_comma = 1;
	}
	if (ev->args) {
		jw_key(w, "args");
		jw_val_raw(w, ev->args);
	}
	if (ev->after_capture)
		jw_kv_uint(w, "after_capture_ns", ev->after_ns);
	plain_tail(w, ev);
	jw_obj_close(w);
}

struct same_json {
	struct jw fast, plain;
	int events, differ;
};

static void same_json_emit(void *ctx, const struct trace_event *ev)
{
	struct same_json *c = ctx;
	jw_reset(&c->fast);
	jw_reset(&c->plain);
	event_to_json(&c->fast, ev);
	plain_json(&c->plain, ev);
	c->events++;
	if (strcmp(c->fast.buf, c->plain.buf) || c->fast.len != strlen(c->fast.buf)) {
		if (!c->differ++)
			fprintf(stderr, "fast:  %s\nplain: %s\n", c->fast.buf, c->plain.buf);
	}
}

/* Every event of a replay, and the edge cases a replay does not reach:
 * numbers counted up across 9, 99 and 999 and down again, a parent that is
 * not the one its slot holds, depths past the slots, the same fn with
 * another layer or ph, NULL and hostile names, every verdict as B, i and
 * E, drops with reasons, mib deltas and merged skbs. */
START_TEST(test_events_kept_texts_same_as_plain)
{
	struct same_json c = { 0 };
	struct replay_cfg cfg = { .pcap = pcap_path() };
	struct replay_result res;
	char err[256];
	cfg.emit[0] = same_json_emit;
	cfg.emit_ctx[0] = &c;
	cfg.nemit = 1;
	ck_assert_int_eq(replay_run(&cfg, &res, NULL, err, sizeof(err)), 0);
	free(res.scenario_json);
	ck_assert_int_gt(c.events, 100);

	static const char *const fns[] = { "ip_rcv", "tcp_v4_rcv", "q\"uote", "back\\slash", "ctl\x01", "caf\xc3\xa9",
					   "", NULL };
	static const char *const layers[] = { "ip", "tcp", NULL, "odd\"layer" };
	static const char phs[] = { 'B', 'E', 'i', '"', '\\', 0, 'Z' };
	static const uint64_t seqs[] = { 1, 2, 8, 9, 10, 11, 19, 20, 98, 99, 100, 101, 999, 1000, 1001, 999999,
					 1000000, 7, 8, 18446744073709551614ull, 18446744073709551615ull, 0, 1 };
	struct skb_state st = { 60, 14, 14, 34, 0, 0x0800, 2 };
	struct trace_mib_delta mib[2] = { { 0, 1 }, { 1, 4000000000u } };
	uint64_t from[3] = { 5, 0, 18446744073709551615ull };
	unsigned r = 12345;
	for (int i = 0; i < 20000; i++) {
		struct trace_event ev = { 0 };
		r = r * 1103515245u + 12345u;
		ev.seq = i < 2000 ? seqs[i % (sizeof(seqs) / sizeof(seqs[0]))] : (uint64_t)i / 3;
		ev.ph = phs[(r >> 8) % sizeof(phs)];
		ev.depth = (int)((r >> 12) % 70) - 2;
		ev.parent = (r >> 4) % 5 ? (uint64_t)i / 4 + (r >> 20) % 3 : 0;
		ev.fn = fns[(r >> 14) % (sizeof(fns) / sizeof(fns[0]))];
		ev.layer = layers[(r >> 17) % (sizeof(layers) / sizeof(layers[0]))];
		ev.pkt = (int64_t)((r >> 3) % 4) - 1;
		ev.skb = (int64_t)i / 7 - 1;
		ev.ts_ns = (r >> 9) % 3 ? (uint64_t)i * 999 : 18446744073709551615ull - (uint64_t)i;
		ev.st = (r >> 19) % 2 ? &st : NULL;
		st.len = (r >> 21) % 4 ? 60 : (uint32_t)i;
		st.data = (r >> 23) % 3 ? 14 : -1;
		ev.verdict = (enum nj_verdict)((r >> 24) % V_MAX);
		ev.reason = (enum skb_drop_reason)((r >> 27) % 4);
		ev.msg = (r >> 5) % 3 ? "a \"msg\"\n" : NULL;
		ev.args = (r >> 6) % 3 ? NULL : "{\"a\":1}";
		ev.after_capture = (r >> 7) % 5 == 0;
		ev.after_ns = (uint64_t)i * 10;
		ev.n_mib = (int)((r >> 11) % 3);
		ev.mib = mib;
		ev.n_from = (int)((r >> 13) % 4);
		ev.from = from;
		same_json_emit(&c, &ev);
	}
	/* many names: kept texts of different kinds share slots */
	static char many[4096][16];
	for (int i = 0; i < 4096; i++)
		snprintf(many[i], sizeof(many[i]), "f%04d", i);
	for (int i = 0; i < 60000; i++) {
		struct trace_event ev = { .seq = (uint64_t)i + 1, .pkt = -1, .skb = -1 };
		r = r * 1103515245u + 12345u;
		ev.fn = many[(r >> 8) % 4096];
		ev.layer = layers[(r >> 20) % 2];
		ev.ph = phs[(r >> 22) % 3];
		ev.verdict = (enum nj_verdict)((r >> 25) % V_MAX);
		same_json_emit(&c, &ev);
	}
	ck_assert_int_eq(c.differ, 0);
	jw_free(&c.fast);
	jw_free(&c.plain);
}
END_TEST

/* jw_str's 16- and 8-byte scans against a byte-at-a-time escaper, for
 * every length up to 50 with each kind of byte that needs care at every
 * position (and none): plain runs end where they should, in any lane. */
static void ref_str(struct jw *w, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	jw_raw(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char u[7] = "\\u00";
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			jw_raw(w, e, 2);
		} else if (c == '\n') {
			jw_raw(w, "\\n", 2);
		} else if (c == 0xc3 && i + 1 < n && s[i + 1] == 0xa9) {
			jw_raw(w, (const char *)s + i++, 2);
		} else if (c >= 0x80) {
			jw_raw(w, "\\ufffd", 6);
		} else if (c < 0x20 || c == 0x7f) {
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			jw_raw(w, u, 6);
		} else {
			jw_raw(w, (const char *)&c, 1);
		}
	}
	jw_raw(w, "\"", 1);
}

START_TEST(test_events_str_scan_same_as_bytewise)
{
	static const char *const odd[] = { "", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\x80", "\xff", "\xc3\xa9",
					   " ", "~" };
	unsigned char buf[64];
	for (size_t n = 0; n <= 50; n++) {
		for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
			size_t m = strlen(odd[k]);
			for (size_t at = 0; at + m <= n; at++) {
				for (size_t i = 0; i < n; i++)
					buf[i] = (unsigned char)('a' + i % 26);
				memcpy(buf + at, odd[k], m);
				struct jw fast = { 0 }, ref = { 0 };
				jw_str(&fast, (const char *)buf, n);
				ref_str(&ref, buf, n);
				ck_assert_msg(fast.len == ref.len && !memcmp(fast.buf, ref.buf, ref.len),
					      "n %zu, odd %zu at %zu: %s vs %s", n, k, at, fast.buf, ref.buf);
				jw_free(&fast);
				jw_free(&ref);
			}
		}
	}
}
END_TEST

START_TEST(test_events_msg_with_hostile_bytes)
{
	struct trace_event ev = { .seq = 1, .ph = 'i', .fn = "x\"y", .layer = "core", .pkt = -1, .skb = -1,
				  .msg = "a\\b\"c\x02\xff" };
	struct jw w = { 0 };
	event_to_json(&w, &ev);
	cJSON *o = cJSON_Parse(w.buf);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "fn")->valuestring, "x\"y");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "pkt")));
	cJSON_Delete(o);
	jw_free(&w);
}
END_TEST

/* Random payload-like bytes, every length up to 300, in every field that
 * carries text (msg, fn, args via jw_kv_str): each event must parse, and
 * the bytes that need no escaping must come back unchanged. Also the
 * number writer at its limits (hand-written, not vsnprintf). */
START_TEST(test_events_hostile_random_bytes)
{
	struct jw w = { 0 }, a = { 0 };
	char bytes[301], clean[301];
	unsigned seed = 12345;
	struct skb_state st = { .len = UINT32_MAX, .data = INT32_MIN, .nh = -1, .th = INT32_MAX };
	for (int n = 0; n <= 300; n++) {
		size_t k = 0;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (char)(seed >> 16);
			if ((unsigned char)bytes[i] >= 0x20 && bytes[i] != 0x7f && !((unsigned char)bytes[i] & 0x80))
				clean[k++] = bytes[i];
		}
		bytes[n] = clean[k] = 0;
		jw_reset(&a);
		jw_obj_open(&a);
		jw_key(&a, bytes);
		jw_str(&a, bytes, (size_t)n);	/* n bytes, NULs included */
		a.need_comma = 1;
		jw_kv_str(&a, "clean", clean);
		jw_obj_close(&a);
		struct trace_event ev = { .seq = UINT64_MAX, .parent = 1, .ph = 'E', .fn = bytes, .layer = bytes,
					  .pkt = INT64_MAX, .skb = 0, .ts_ns = UINT64_MAX, .st = &st, .msg = bytes,
					  .args = a.buf, .verdict = V_DROP, .reason = SKB_DROP_REASON_IP_CSUM };
		jw_reset(&w);
		event_to_json(&w, &ev);
		cJSON *o = cJSON_Parse(w.buf);
		ck_assert_msg(o != NULL, "length %d does not parse: %s", n, w.buf);
		ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "args"), "clean")->valuestring, clean);
		ck_assert_ptr_nonnull(strstr(w.buf, "\"seq\":18446744073709551615,"));
		ck_assert_ptr_nonnull(strstr(w.buf, "\"pkt\":9223372036854775807,"));
		ck_assert_ptr_nonnull(strstr(w.buf, "\"len\":4294967295,\"data\":-2147483648,\"nh\":-1,"));
		cJSON_Delete(o);
	}
	jw_free(&w);
	jw_free(&a);
}
END_TEST

START_TEST(test_events_chrome_document)
{
	char path[] = "/tmp/nj-chrome-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct chrome_sink cs;
	char err[256];
	ck_assert_int_eq(chrome_open(&cs, path, err, sizeof(err)), 0);
	struct replay_cfg cfg = { .pcap = pcap_path() };
	struct replay_result res;
	cfg.emit[0] = chrome_emit;
	cfg.emit_ctx[0] = &cs;
	cfg.nemit = 1;
	ck_assert_int_eq(replay_run(&cfg, &res, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(chrome_close(&cs, err, sizeof(err)), 0);
	FILE *f = fopen(path, "r");
	static char buf[1 << 22];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	cJSON *o = cJSON_Parse(buf);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "traceEvents")), (int)res.events);
	cJSON_Delete(o);
	free(res.scenario_json);
	unlink(path);
}
END_TEST

static int count_emit_n;
static void count_emit(void *ctx, const struct trace_event *ev) { (void)ctx; (void)ev; count_emit_n++; }

START_TEST(test_events_tracing_off_same_counters)
{
	struct replay_cfg on = { .pcap = pcap_path() }, off = { .pcap = pcap_path() };
	struct replay_result r1, r2;
	struct net *n1, *n2;
	char err[256];
	on.emit[0] = count_emit;
	on.nemit = 1;
	ck_assert_int_eq(replay_run(&on, &r1, &n1, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_run(&off, &r2, &n2, err, sizeof(err)), 0);
	ck_assert_int_gt(count_emit_n, 0);
	ck_assert_int_eq(r2.events, 0);
	for (int i = 0; i < MIB_MAX; i++)
		ck_assert_msg(n1->mib[i] == n2->mib[i], "%s differs: %llu traced vs %llu untraced", mib_name(i),
			      (unsigned long long)n1->mib[i], (unsigned long long)n2->mib[i]);
	free(r1.scenario_json);
	free(r2.scenario_json);
	net_destroy(n1);
	net_destroy(n2);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("Core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_events_replay_lines_parse_with_cjson);
	tcase_add_test(tc, test_events_hostile_strings);
	tcase_add_test(tc, test_events_key_fast_path_same_as_escaped);
	tcase_add_test(tc, test_events_kept_texts_same_as_plain);
	tcase_add_test(tc, test_events_str_scan_same_as_bytewise);
	tcase_add_test(tc, test_events_msg_with_hostile_bytes);
	tcase_add_test(tc, test_events_hostile_random_bytes);
	tcase_add_test(tc, test_events_chrome_document);
	tcase_add_test(tc, test_events_tracing_off_same_counters);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(events_suite)
