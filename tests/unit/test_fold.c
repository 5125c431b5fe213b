/*
 * test_fold.c - the one fold (trace/fold.h): each kind of state over a
 * hand-written trace whose args have the stack's shapes, the snapshot path
 * against a fold in order from the first event (every pcap of pcaps/), and
 * frag-flood-2.4 against the stack's own queue count at every event that
 * reports it.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "cJSON.h"
#include "fold.h"
#include "load.h"
#include "nj_check.h"
#include "nj_trace_check.h"

#define EV(seq, par, d, ph, fn, skb) \
	"{\"v\":1,\"seq\":" #seq ",\"parent\":" #par ",\"depth\":" #d ",\"ph\":\"" ph "\",\"fn\":\"" fn \
	"\",\"layer\":\"ip\",\"pkt\":1,\"skb\":" #skb ",\"ts_ns\":1704067200000000001"
#define SK "\"sk\":\"10.0.0.2:80>10.0.0.1:4000\""

/* seq n is event index n - 1. */
static const char trace[] =
	"{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_start\",\"source\":\"t\",\"scenario\":{"
	"\"listen\":[{\"proto\":\"tcp\",\"port\":80}],"
	"\"neighbours\":[{\"ip\":\"10.0.0.1\",\"mac\":\"02:00:00:00:00:aa\",\"dev\":\"eth0\"}],"
	"\"packet_sockets\":[{\"name\":\"tcpdump\",\"filter\":\"tcp\"}]},"
	"\"fib\":[{\"table\":\"main\",\"type\":\"unicast\",\"dst\":\"10.0.0.0/24\",\"via\":null,\"dev\":\"eth0\"}],"
	"\"rules\":[{\"index\":0,\"hook\":\"PRE_ROUTING\",\"rule\":\"a\",\"verdict\":\"ACCEPT\"},"
	"{\"index\":1,\"hook\":\"PRE_ROUTING\",\"rule\":\"b\",\"verdict\":\"DROP\"}]}\n"
	EV(1, 0, 0, "B", "ip_defrag", 1) "}\n"
	EV(2, 1, 1, "i", "ip_find", 1) ",\"args\":{\"queue\":\"Q1\",\"found\":false,\"queues\":1}}\n"
	EV(3, 1, 1, "B", "ip_frag_queue", 1) "}\n"
	EV(4, 1, 1, "E", "ip_frag_queue", 1) ",\"args\":{\"queue\":\"Q1\",\"have\":[[0,8]],\"meat\":8,\"len\":null,"
	"\"flags\":[\"FIRST_IN\"],\"nfrags\":1,\"queues\":1,\"mem\":1232,\"truesize\":1032},\"verdict\":\"queued\","
	"\"mib\":{\"Ip.ReasmReqds\":1}}\n"
	EV(5, 1, 1, "i", "ip_find", 1) ",\"args\":{\"queue\":\"Q2\",\"found\":false,\"refused\":true}}\n"
	EV(6, 1, 1, "i", "ip_frag_reasm", 2) ",\"args\":{\"queue\":\"Q1\",\"tot_len\":40,\"end\":\"reassembled\"}}\n"
	EV(7, 1, 1, "i", "tcp_set_state", 2) ",\"args\":{" SK ",\"old\":\"LISTEN\",\"new\":\"SYN_RECV\","
	"\"snd_una\":100,\"snd_nxt\":101,\"rcv_nxt\":5,\"rcv_wnd\":64240,\"snd_wnd\":1000}}\n"
	EV(8, 1, 1, "i", "tcp_ack", 2) ",\"args\":{" SK ",\"snd_una\":101,\"snd_wnd\":2000}}\n"
	EV(9, 1, 1, "i", "nf_hook", 2) ",\"args\":{\"hook\":\"PRE_ROUTING\",\"rules\":[{\"rule\":\"a\","
	"\"matched\":false,\"index\":0,\"pkts\":0},{\"rule\":\"b\",\"matched\":true,\"index\":1,\"pkts\":3}],"
	"\"verdict\":\"DROP\"}}\n"
	EV(10, 1, 1, "i", "__neigh_event_send", 2) ",\"args\":{\"neigh\":{\"dev\":\"eth0\",\"ip\":\"10.0.0.9\","
	"\"mac\":\"(incomplete)\",\"state\":\"INCOMPLETE\"},\"entries\":2}}\n"
	EV(11, 1, 1, "i", "neigh_update", 2) ",\"args\":{\"neigh\":{\"dev\":\"eth0\",\"ip\":\"10.0.0.9\","
	"\"mac\":\"02:00:00:00:00:09\",\"state\":\"REACHABLE\"},\"entries\":2}}\n"
	EV(12, 1, 1, "B", "packet_rcv", 2) "}\n"
	EV(13, 12, 1, "E", "packet_rcv", 2) ",\"args\":{\"sock\":\"tcpdump\",\"qlen\":0,\"tp_drops\":0},"
	"\"verdict\":\"queued\"}\n"
	EV(14, 1, 1, "i", "tcp_set_state", 2) ",\"args\":{" SK ",\"old\":\"SYN_RECV\",\"new\":\"CLOSE\"}}\n"
	EV(15, 1, 1, "i", "ip_find", 3) ",\"args\":{\"queue\":\"Q3\",\"found\":false,\"queues\":1}}\n"
	EV(16, 1, 1, "B", "ip_expire", 3) ",\"args\":{\"queue\":\"Q3\",\"have\":[],\"meat\":0,\"len\":null,"
	"\"flags\":[],\"nfrags\":0,\"queues\":1,\"end\":\"expired\"}}\n"
	EV(17, 0, 0, "E", "ip_defrag", 1) ",\"verdict\":\"drop\",\"reason\":\"NOT_SPECIFIED\","
	"\"mib\":{\"Ip.ReasmFails\":1}}\n"
	EV(18, 1, 1, "i", "tcp_set_state", 2) ",\"args\":{\"sk\":\"10.0.0.2:80>10.0.0.1:5\",\"old\":\"LISTEN\",\"new\":\"NEW_SYN_RECV\"}}\n"
	EV(19, 1, 1, "E", "tcp_check_req", 2) ",\"args\":{\"sk\":\"10.0.0.2:80>10.0.0.1:5\",\"sk_gone\":true},\"verdict\":\"pass\"}\n"
	"{\"v\":1,\"seq\":20,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"run_timers\",\"layer\":\"core\","
	"\"pkt\":null,\"skb\":null,\"ts_ns\":1704067260000000000}\n"
	"{\"v\":1,\"seq\":21,\"parent\":0,\"depth\":0,\"ph\":\"i\",\"fn\":\"neigh_forced_gc\",\"layer\":\"neigh\","
	"\"pkt\":null,\"skb\":null,\"ts_ns\":1704067261000000000,\"args\":{\"neigh\":{\"dev\":\"eth0\","
	"\"ip\":\"10.0.0.9\",\"state\":\"removed\"}}}\n";

static struct nj_store *st;
static struct fold_index *fx;
static char path[64];

static void setup(void)
{
	st = nj_trace_store(trace, path);
	ck_assert_uint_eq(store_nevents(st), 21);
	fx = fold_index_new(st);
	ck_assert_ptr_nonnull(fx);
}

static void teardown(void)
{
	fold_index_free(fx);
	store_free(st);
	unlink(path);
}

static cJSON *at(size_t i)
{
	cJSON *o = fold_json_at(fx, i);
	ck_assert_msg(o != NULL, "no state at index %zu", i);
	return o;
}

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }
static int len(const cJSON *o, const char *k) { return cJSON_GetArraySize(get(o, k)); }
static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(get(o, k)); }
static const char *str(const cJSON *o, const char *k) { return cJSON_GetStringValue(get(o, k)); }
static const cJSON *item(const cJSON *o, const char *k, int i) { return cJSON_GetArrayItem(get(o, k), i); }

/* The item of array k whose field f is v, or NULL. */
static const cJSON *find(const cJSON *o, const char *k, const char *f, const char *v)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, get(o, k))
		if (str(e, f) && !strcmp(str(e, f), v))
			return e;
	return NULL;
}

START_TEST(test_fold_start)
{
	cJSON *o = at(0);
	ck_assert_int_eq((int)num(o, "seq"), 1);
	ck_assert_int_eq(len(o, "frags"), 0);
	ck_assert_int_eq((int)num(o, "frag_events"), 0);
	ck_assert_str_eq(str(find(o, "sockets", "sk", "*:80"), "state"), "LISTEN");
	ck_assert_str_eq(str(find(o, "neighbours", "ip", "10.0.0.1"), "nud"), "PERMANENT");
	ck_assert_int_eq((int)num(find(o, "packet_sockets", "name", "tcpdump"), "received"), 0);
	ck_assert_int_eq(len(o, "routes"), 1);
	ck_assert_int_eq(len(o, "rules"), 2);
	ck_assert_int_eq((int)num(item(o, "rules", 1), "hits"), 0);
	ck_assert_ptr_nonnull(get(o, "limits"));
	ck_assert(cJSON_IsFalse(get(o, "after_capture")));
	char *txt = cJSON_PrintUnformatted(get(o, "ts_ns"));
	ck_assert_str_eq(txt, "1704067200000000001");		/* exact, not a double */
	free(txt);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_fold_frag_queue_life)
{
	cJSON *o = at(1);					/* ip_find made it */
	ck_assert_int_eq(len(o, "frags"), 1);
	ck_assert_str_eq(str(item(o, "frags", 0), "key"), "Q1");
	ck_assert_int_eq(len(item(o, "frags", 0), "have"), 0);
	ck_assert(cJSON_IsNull(get(item(o, "frags", 0), "len")));
	ck_assert_int_eq((int)num(item(o, "frags", 0), "since_seq"), 2);
	cJSON_Delete(o);
	o = at(3);						/* held ranges */
	const cJSON *q = item(o, "frags", 0);
	ck_assert_int_eq(len(q, "have"), 1);
	ck_assert_int_eq((int)cJSON_GetArrayItem(cJSON_GetArrayItem(get(q, "have"), 0), 1)->valuedouble, 8);
	ck_assert_int_eq((int)num(q, "meat"), 8);
	ck_assert_int_eq((int)num(q, "mem"), 1032);
	ck_assert_str_eq(cJSON_GetArrayItem(get(q, "flags"), 0)->valuestring, "FIRST_IN");
	ck_assert_int_eq((int)num(get(o, "counters_delta"), "Ip.ReasmReqds"), 1);
	ck_assert_int_eq((int)num(get(o, "counters"), "Ip.ReasmReqds"), 1);
	cJSON_Delete(o);
	o = at(4);						/* refused: no queue Q2 */
	ck_assert_int_eq(len(o, "frags"), 1);
	ck_assert_int_eq(cJSON_GetArraySize(get(o, "counters_delta")), 0);
	cJSON_Delete(o);
	o = at(5);						/* reassembled: gone, said once */
	ck_assert_int_eq(len(o, "frags"), 0);
	ck_assert_int_eq(len(o, "frags_ended"), 1);
	ck_assert_str_eq(str(item(o, "frags_ended", 0), "why"), "reassembled");
	ck_assert_int_eq((int)num(item(o, "frags_ended", 0), "seq"), 6);
	cJSON_Delete(o);
	o = at(6);
	ck_assert_int_eq(len(o, "frags_ended"), 0);
	cJSON_Delete(o);
	o = at(15);						/* expired */
	ck_assert_int_eq(len(o, "frags"), 0);
	ck_assert_str_eq(str(item(o, "frags_ended", 0), "why"), "expired");
	cJSON_Delete(o);
	o = at(16);
	ck_assert_int_eq((int)num(get(o, "counters_delta"), "Ip.ReasmFails"), 1);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_fold_sockets)
{
	cJSON *o = at(6);
	const cJSON *k = find(o, "sockets", "sk", "10.0.0.2:80>10.0.0.1:4000");
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(str(k, "state"), "SYN_RECV");
	ck_assert_str_eq(str(k, "local"), "10.0.0.2:80");
	ck_assert_str_eq(str(k, "remote"), "10.0.0.1:4000");
	ck_assert_int_eq((int)num(k, "snd_una"), 100);
	cJSON_Delete(o);
	o = at(7);						/* tcp_ack moves snd_una and snd_wnd */
	k = find(o, "sockets", "sk", "10.0.0.2:80>10.0.0.1:4000");
	ck_assert_int_eq((int)num(k, "snd_una"), 101);
	ck_assert_int_eq((int)num(k, "snd_wnd"), 2000);
	ck_assert_int_eq((int)num(k, "rcv_nxt"), 5);
	cJSON_Delete(o);
	o = at(17);						/* a request sock */
	ck_assert_str_eq(str(find(o, "sockets", "sk", "10.0.0.2:80>10.0.0.1:5"), "old"), "LISTEN");
	cJSON_Delete(o);
	o = at(18);						/* dropped without tcp_set_state */
	ck_assert_ptr_null(find(o, "sockets", "sk", "10.0.0.2:80>10.0.0.1:5"));
	cJSON_Delete(o);
	o = at(13);						/* CLOSE: destroyed */
	ck_assert_ptr_null(find(o, "sockets", "sk", "10.0.0.2:80>10.0.0.1:4000"));
	ck_assert_ptr_nonnull(find(o, "sockets", "sk", "*:80"));
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_fold_rules_neigh_taps)
{
	cJSON *o = at(8);
	ck_assert_int_eq((int)num(item(o, "rules", 1), "hits"), 3);
	ck_assert_int_eq((int)num(item(o, "rules", 0), "hits"), 0);
	cJSON_Delete(o);
	o = at(9);
	const cJSON *n = find(o, "neighbours", "ip", "10.0.0.9");
	ck_assert_str_eq(str(n, "nud"), "INCOMPLETE");
	ck_assert(cJSON_IsNull(get(n, "mac")));
	cJSON_Delete(o);
	o = at(10);
	n = find(o, "neighbours", "ip", "10.0.0.9");
	ck_assert_str_eq(str(n, "nud"), "REACHABLE");
	ck_assert_str_eq(str(n, "mac"), "02:00:00:00:00:09");
	ck_assert_int_eq(len(o, "neighbours"), 2);
	cJSON_Delete(o);
	o = at(12);
	const cJSON *t = find(o, "packet_sockets", "name", "tcpdump");
	ck_assert_int_eq((int)num(t, "received"), 1);
	ck_assert_int_eq((int)num(t, "qlen"), 1);
	ck_assert_str_eq(str(t, "filter"), "tcp");
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_fold_after_capture)
{
	cJSON *o = at(18);
	ck_assert(cJSON_IsFalse(get(o, "after_capture")));	/* packet 1's last event */
	cJSON_Delete(o);
	o = at(19);						/* a timer after the last packet */
	ck_assert(cJSON_IsTrue(get(o, "after_capture")));
	ck_assert_int_eq(len(o, "skbs"), 0);
	cJSON_Delete(o);
	o = at(20);						/* neigh_forced_gc took 10.0.0.9 */
	ck_assert_ptr_null(find(o, "neighbours", "ip", "10.0.0.9"));
	ck_assert_int_eq(len(o, "neighbours"), 1);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_fold_skbs_in_flight)
{
	cJSON *o = at(2);				/* ip_frag_queue B inside ip_defrag: skb 1 once */
	ck_assert_int_eq(len(o, "skbs"), 1);
	ck_assert_int_eq((int)num(item(o, "skbs", 0), "skb"), 1);
	ck_assert_str_eq(str(item(o, "skbs", 0), "fn"), "ip_frag_queue");
	cJSON_Delete(o);
	o = at(5);					/* skb 2 inside skb 1's frame */
	ck_assert_int_eq(len(o, "skbs"), 2);
	cJSON_Delete(o);
}
END_TEST

/* The snapshot path equals a fold in order, at every event (tiny intervals). */
static void same_everywhere(struct nj_store *s, struct fold_index *x, size_t every, size_t stride)
{
	struct fold_state seq;
	size_t n = store_nevents(s);
	fold_index_set_every(x, every);
	ck_assert_int_eq(fold_state_init(x, &seq), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(fold_forward(x, &seq, i), 0);
		if (i % stride && i != n - 1)
			continue;
		cJSON *a = fold_json(x, &seq, i), *b = fold_json_at(x, i);
		char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
		ck_assert_msg(ta && tb && !strcmp(ta, tb), "event index %zu (every %zu): in order %.300s, from a snapshot %.300s",
			      i, every, ta ? ta : "", tb ? tb : "");
		free(ta);
		free(tb);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	fold_state_free(&seq);
}

START_TEST(test_fold_snapshots_hand_trace)
{
	for (size_t every = 1; every <= 5; every++)
		same_everywhere(st, fx, every, 1);
}
END_TEST

/* A trace of its own: the state after its last event. */
static cJSON *state_of(const char *text)
{
	char tmp[64];
	struct nj_store *s = nj_trace_store(text, tmp);
	struct fold_index *x = fold_index_new(s);
	cJSON *o = fold_json_at(x, store_nevents(s) - 1);
	ck_assert_ptr_nonnull(o);
	fold_index_free(x);
	store_free(s);
	unlink(tmp);
	return o;
}

/* "sock" args beyond what the fold keeps are counted, never dropped
 * silently: 40 out-of-order ranges (the stack lists 32 and counts 8
 * more), 4 timers (the fold keeps 3); a later tcp_v4_do_rcv replaces
 * them; a socket the fold does not know is not made up. */
START_TEST(test_fold_sock_facts_counted)
{
	char text[16384], ofo[4096] = "", *o = ofo;
	for (int i = 0; i < 32; i++)
		o += sprintf(o, "%s[%d,%d]", i ? "," : "", 1000 + 100 * i, 1050 + 100 * i);
	snprintf(text, sizeof(text),
		 "{\"v\":1,\"ph\":\"M\",\"kind\":\"trace_start\",\"source\":\"t\"}\n"
		 EV(1, 0, 0, "i", "tcp_set_state", 1) ",\"args\":{" SK ",\"old\":\"SYN_RECV\",\"new\":\"ESTABLISHED\","
		 "\"snd_una\":1,\"snd_nxt\":1,\"rcv_nxt\":900,\"rcv_wnd\":100,\"snd_wnd\":100,\"mss\":1460,\"sack_ok\":true,"
		 "\"tstamp_ok\":false,\"snd_wscale\":7,\"rcv_wscale\":8,\"ts_recent\":5}}\n"
		 EV(2, 0, 0, "E", "tcp_v4_do_rcv", 1) ",\"args\":{" SK ",\"rcv_nxt\":950,\"sock\":{\"rcvq_bytes\":50,"
		 "\"rcvq_segs\":1,\"ofoq_segs\":40,\"ofo\":[%s],\"ofo_more\":8,\"ts_recent\":6,\"timers\":["
		 "{\"timer\":\"delack\",\"in_ns\":40000000},{\"timer\":\"a\",\"in_ns\":1},{\"timer\":\"b\",\"in_ns\":2},"
		 "{\"timer\":\"c\",\"in_ns\":3}]}},\"verdict\":\"pass\"}\n"
		 EV(3, 0, 0, "E", "tcp_delack_timer", 1) ",\"args\":{\"sk\":\"10.9.9.9:1>10.0.0.1:2\",\"sock\":{"
		 "\"rcvq_bytes\":1,\"rcvq_segs\":1,\"ofoq_segs\":0,\"ofo\":[],\"ts_recent\":0,\"timers\":[]}},"
		 "\"verdict\":\"sent\"}\n", ofo);
	cJSON *st = state_of(text);
	const cJSON *k = find(st, "sockets", "sk", "10.0.0.2:80>10.0.0.1:4000");
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq((int)num(k, "mss"), 1460);
	ck_assert_int_eq((int)num(k, "rcv_wscale"), 8);
	ck_assert(cJSON_IsTrue(get(k, "sack_ok")));
	ck_assert_int_eq((int)num(k, "ts_recent"), 6);
	ck_assert_int_eq((int)num(k, "rcv_nxt"), 950);			/* the segment moved it */
	ck_assert_int_eq((int)num(get(k, "rcvq"), "bytes"), 50);
	ck_assert_int_eq(len(get(k, "ofo"), "ranges"), 32);
	ck_assert_int_eq((int)num(get(k, "ofo"), "ranges_more"), 8);
	ck_assert_int_eq(len(k, "timers"), 3);
	ck_assert_int_eq((int)num(k, "timers_more"), 1);
	ck_assert_int_eq((int)num(item(k, "timers", 0), "in_ns"), 40000000);
	ck_assert_ptr_null(find(st, "sockets", "sk", "10.9.9.9:1>10.0.0.1:2"));
	ck_assert_int_eq((int)num(get(st, "limits"), "ofo_ranges"), 32);
	cJSON_Delete(st);
}
END_TEST

/* Replays pcap and calls check with the state after every event, in
 * order, and the event's function. */
static void walk_pcap(const char *pcap, void (*check)(void *ctx, const cJSON *o, const char *fn), void *ctx)
{
	struct nj_store *s = nj_replay_pcap(pcap);
	struct fold_index *x = fold_index_new(s);
	struct fold_state f;
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(fold_state_init(x, &f), 0);
	for (size_t i = 0; i < store_nevents(s); i++) {
		ck_assert_int_eq(fold_forward(x, &f, i), 0);
		store_lock(s);
		struct store_ev e;
		ck_assert_int_eq(store_ev_get(s, i, &e), 0);
		const char *fn = store_name(s, e.fn);
		store_unlock(s);
		cJSON *o = fold_json(x, &f, i);
		ck_assert_ptr_nonnull(o);
		check(ctx, o, fn);
		cJSON_Delete(o);
	}
	fold_state_free(&f);
	fold_index_free(x);
	store_free(s);
}

/* The connection of a state (the one socket with a remote), or NULL. */
static const cJSON *conn(const cJSON *o)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, get(o, "sockets"))
		if (cJSON_IsString(get(k, "remote")))
			return k;
	return NULL;
}

static double range_at(const cJSON *ranges, int i, int end)
{
	return cJSON_GetArrayItem(cJSON_GetArrayItem(ranges, i), end)->valuedouble;
}

static int imax(int a, int b) { return a > b ? a : b; }

struct ofo_seen { int held, max_segs, emptied; };

static void ofo_check(void *ctx, const cJSON *o, const char *fn)
{
	struct ofo_seen *c = ctx;
	const cJSON *k = conn(o), *ofo = get(k, "ofo");
	(void)fn;
	if (k && get(k, "mss"))
		ck_assert_int_eq((int)num(k, "mss"), 1460);
	if (k && num(ofo, "segs") > 0) {
		const cJSON *r = get(ofo, "ranges");
		ck_assert_int_eq(len(ofo, "ranges"), 1);	/* touching segments merged */
		ck_assert(range_at(r, 0, 0) > num(k, "rcv_nxt"));	/* a hole below */
		ck_assert(range_at(r, 0, 1) > range_at(r, 0, 0));
		c->held = 1;
		c->max_segs = imax(c->max_segs, (int)num(ofo, "segs"));
	} else if (c->held && ofo && !c->emptied) {
		ck_assert_int_eq(len(ofo, "ranges"), 0);
		c->emptied = 1;
	}
}

/* tcp-ooo: segments 3 and 4 come before 2. The out-of-order queue holds
 * them as one merged range above rcv_nxt (a hole), and empties when 2
 * fills the hole; the options agreed in the handshake are there. */
START_TEST(test_fold_tcp_ofo_queue)
{
	struct ofo_seen c = { 0 };
	walk_pcap("pcaps/tcp-ooo.pcap", ofo_check, &c);
	ck_assert_int_eq(c.held, 1);
	ck_assert_int_eq(c.max_segs, 2);
	ck_assert_int_eq(c.emptied, 1);
}
END_TEST

struct timers_seen { int delack, rtx, armed, cleared; };

static void timers_check(void *ctx, const cJSON *o, const char *fn)
{
	struct timers_seen *c = ctx;
	const cJSON *k = conn(o), *t;
	(void)fn;
	cJSON_ArrayForEach(t, get(k, "timers")) {
		char *exp = cJSON_PrintUnformatted(get(t, "expires_ns")), *ts = cJSON_PrintUnformatted(get(o, "ts_ns"));
		unsigned long long e = strtoull(exp, NULL, 10), now = strtoull(ts, NULL, 10);
		ck_assert_msg((long long)(e - now) == (long long)num(t, "in_ns"), "in_ns is not expires_ns - ts_ns");
		c->delack += !strcmp(str(t, "timer"), "delack");
		c->rtx += !strcmp(str(t, "timer"), "retransmit");
		free(exp);
		free(ts);
	}
	if (c->armed && k && !find(k, "timers", "timer", "delack"))
		c->cleared++;
	c->armed = k && find(k, "timers", "timer", "delack");
}

/* tcp-delack: a delayed ACK is armed (in_ns: its expiry less the
 * event's time, exactly) and is gone once the ACK has left; a request
 * sock shows its SYN-ACK retransmission timer. */
START_TEST(test_fold_tcp_timers)
{
	struct timers_seen c = { 0 };
	walk_pcap("pcaps/tcp-delack.pcap", timers_check, &c);
	ck_assert_int_gt(c.delack, 0);
	ck_assert_int_gt(c.rtx, 0);
	ck_assert_int_gt(c.cleared, 0);
}
END_TEST

/* Request socks, counted after each event: NEW_SYN_RECV sockets listed,
 * the most at once, and how many the last state still lists. */
struct reqs_seen { int most, last, freed; };

static void reqs_check(void *ctx, const cJSON *o, const char *fn)
{
	struct reqs_seen *c = ctx;
	const cJSON *k;
	int n = 0;
	cJSON_ArrayForEach(k, get(o, "sockets"))
		n += str(k, "state") && !strcmp(str(k, "state"), "NEW_SYN_RECV");
	c->freed += n < c->last && !strcmp(fn, "reqsk_timer_handler");
	c->most = imax(c->most, n);
	c->last = n;
}

/* pcap's request socks: most listed at once, freed by the timer, and
 * none left at the end. */
static void reqs_expect(const char *pcap, int most, int freed)
{
	struct reqs_seen c = { 0 };
	walk_pcap(pcap, reqs_check, &c);
	ck_assert_int_eq(c.most, most);
	ck_assert_int_eq(c.freed, freed);
	ck_assert_int_eq(c.last, 0);
}

/* A request sock the SYN-ACK timer drops leaves the state with its
 * "socket freed" event: at 63 s (tcp-syn), or pruned at 7 s from a
 * crowded queue (tcp-syn-queue: 8 pruned, 8 expire later). */
START_TEST(test_fold_request_expiry)
{
	reqs_expect("pcaps/tcp-syn.pcap", 1, 1);
	reqs_expect("pcaps/tcp-syn-queue.pcap", 16, 16);
}
END_TEST

struct neigh_seen { int most, resolved; };

static void neigh_check(void *ctx, const cJSON *o, const char *fn)
{
	struct neigh_seen *c = ctx;
	const cJSON *n = find(o, "neighbours", "ip", "10.0.0.3");
	(void)fn;
	if (!n || !get(n, "queued"))
		return;
	ck_assert_int_eq(len(n, "queued_skbs"), (int)num(n, "queued"));
	if (!strcmp(str(n, "nud"), "INCOMPLETE"))
		c->most = imax(c->most, (int)num(n, "queued"));
	if (c->resolved)
		ck_assert_int_eq((int)num(n, "queued"), 0);
	c->resolved |= strcmp(str(n, "nud"), "INCOMPLETE") && num(n, "queued") == 0;
}

/* arp-resolve: while 10.0.0.3 is INCOMPLETE its arp_queue holds the
 * packets (their skb ids, as many as "queued"); once resolved it is
 * empty, and stays so. */
START_TEST(test_fold_neigh_queue)
{
	struct neigh_seen c = { 0 };
	walk_pcap("pcaps/arp-resolve.pcap", neigh_check, &c);
	ck_assert_int_eq(c.most, 2);
	ck_assert_int_eq(c.resolved, 1);
}
END_TEST

struct arrivals_seen { int most, unsorted; };

static void arrivals_check(void *ctx, const cJSON *o, const char *fn)
{
	struct arrivals_seen *c = ctx;
	const cJSON *q, *a;
	(void)fn;
	cJSON_ArrayForEach(q, get(o, "frags")) {
		double bytes = 0, prev_off = -1, prev_seq = 0;
		cJSON_ArrayForEach(a, get(q, "arrivals")) {
			bytes += num(a, "len");
			c->unsorted |= num(a, "offset") < prev_off;
			ck_assert(num(a, "seq") > prev_seq);
			ck_assert(num(a, "skb") >= 0);
			prev_off = num(a, "offset");
			prev_seq = num(a, "seq");
		}
		ck_assert_int_eq((int)bytes, (int)num(q, "meat"));
		ck_assert_int_eq(len(q, "arrivals"), (int)num(q, "nfrags"));
		c->most = imax(c->most, len(q, "arrivals"));
	}
}

/* frag-out-of-order: the arrivals are the fragments in the order they
 * came (not sorted), each once, their bytes the queue's meat. */
START_TEST(test_fold_frag_arrivals)
{
	struct arrivals_seen c = { 0 };
	walk_pcap("pcaps/frag-out-of-order.pcap", arrivals_check, &c);
	ck_assert_int_ge(c.most, 4);
	ck_assert_int_eq(c.unsorted, 1);
}
END_TEST

struct route_seen { int lookups, unmarked, v6, v6_none, v6_local; };

static void route_check(void *ctx, const cJSON *o, const char *fn)
{
	struct route_seen *c = ctx;
	const cJSON *l = get(o, "route_lookup"), *r, *hit = NULL;
	int marked = 0, v6 = !strcmp(fn, "fib6_table_lookup");
	cJSON_ArrayForEach(r, get(o, "routes"))
		if (cJSON_IsTrue(get(r, "matched"))) {
			marked++;
			hit = r;
		}
	ck_assert_int_le(marked, 1);
	if (v6 && !cJSON_IsString(get(l, "dst"))) {		/* the null entry: no route to mark */
		ck_assert_int_eq(marked, 0);
		ck_assert_ptr_nonnull(strchr(str(l, "daddr"), ':'));
		c->v6_none++;
	} else if (v6 || !strcmp(fn, "fib_table_lookup")) {
		ck_assert_int_eq(marked, 1);
		ck_assert_str_eq(str(hit, "dst"), str(l, "dst"));
		ck_assert_str_eq(str(hit, "table"), str(l, "table"));
		ck_assert_str_eq(str(hit, "type"), str(l, "type"));
		ck_assert_int_eq(get(hit, "family") != NULL, v6);	/* an IPv6 route for an IPv6 lookup */
		c->lookups++;
		c->v6 += v6;
		c->v6_local += v6 && !strcmp(str(l, "table"), "local");
	}
	if (cJSON_IsNull(l)) {
		ck_assert_int_eq(marked, 0);
		c->unmarked++;
	}
}

/* route-forward: after each packet's fib_table_lookup exactly one route
 * is marked, the one route_lookup names; a packet before its own lookup
 * shows none. */
START_TEST(test_fold_route_matched)
{
	struct route_seen c = { 0 };
	walk_pcap("pcaps/route-forward.pcap", route_check, &c);
	ck_assert_int_eq(c.lookups, 2);
	ck_assert_int_eq(c.v6, 0);
	ck_assert_int_gt(c.unmarked, 0);
}
END_TEST

/* ipv6-forward: each fib6_table_lookup marks the IPv6 route it matched
 * (forwarded ones in the main table, one to the host and one to its
 * subnet-router anycast address in the local table, and on output the
 * route of each of the 7 ICMPv6 answers); the lookup that found no route
 * (the null entry) marks none. */
/* Path MTUs: none until the first update step, then the value its args
 * say for the pinger (IPv6 1400; IPv4 1400, then 552 locked). */
struct pmtu_seen {
	int updates, before, v4_1400, v4_locked, v6_1400;
};

static void pmtu_check(void *ctx, const cJSON *o, const char *fn)
{
	struct pmtu_seen *c = ctx;
	const cJSON *a = get(o, "pmtu"), *p = cJSON_GetArrayItem(a, 0);
	ck_assert(cJSON_IsArray(a));
	ck_assert_int_le(cJSON_GetArraySize(a), 1);	/* one peer */
	c->updates += !strcmp(fn, "__ip_rt_update_pmtu") || !strcmp(fn, "__ip6_rt_update_pmtu");
	if (!p) {
		ck_assert_int_eq(c->updates, 0);
		c->before++;
		return;
	}
	int mtu = (int)cJSON_GetNumberValue(get(p, "mtu"));
	ck_assert_int_eq((int)cJSON_GetNumberValue(get(p, "expires_in_s")), 600);
	if (!strcmp(str(p, "daddr"), "fd00::1"))
		c->v6_1400 += mtu == 1400;
	else if (cJSON_IsTrue(get(p, "locked")))
		c->v4_locked += mtu == 552;
	else
		c->v4_1400 += mtu == 1400;
}

START_TEST(test_fold_pmtu)
{
	struct pmtu_seen c = { 0 }, c6 = { 0 };
	walk_pcap("pcaps/icmp-pmtu.pcap", pmtu_check, &c);
	ck_assert_int_gt(c.before, 0);
	ck_assert_int_eq(c.updates, 3);		/* 1400, 1450 (changes nothing), 500 (552, locked) */
	ck_assert_int_gt(c.v4_1400, 0);
	ck_assert_int_gt(c.v4_locked, 0);
	walk_pcap("pcaps/ipv6-pmtu.pcap", pmtu_check, &c6);
	ck_assert_int_gt(c6.before, 0);
	ck_assert_int_gt(c6.v6_1400, 0);
	ck_assert_int_eq(c6.v4_1400 + c6.v4_locked, 0);
}
END_TEST

START_TEST(test_fold_route6_matched)
{
	struct route_seen c = { 0 };
	walk_pcap("pcaps/ipv6-forward.pcap", route_check, &c);
	ck_assert_int_eq(c.v6, 14);
	ck_assert_int_eq(c.v6_local, 2);
	ck_assert_int_eq(c.v6_none, 1);
	ck_assert_int_eq(c.lookups, c.v6);
	ck_assert_int_gt(c.unmarked, 0);
}
END_TEST

/* The neighbour the event at index i says it changed ("neigh" in its
 * args) has that NUD state in the fold after it: 1 checked, 0 none said. */
static int neigh_agrees(struct nj_store *s, struct fold_index *x, const struct fold_state *f, size_t i,
			char *states, size_t len)
{
	char *line = store_line(s, i, NULL);
	cJSON *e = cJSON_Parse(line), *o;
	const cJSON *n = get(get(e, "args"), "neigh"), *k;
	int r = 0;
	free(line);
	if (str(n, "ip") && (o = fold_json(x, f, i))) {
		const cJSON *m = NULL;
		cJSON_ArrayForEach(k, get(o, "neighbours"))
			if (!strcmp(str(k, "ip"), str(n, "ip")) && !strcmp(str(k, "dev"), str(n, "dev")))
				m = k;
		ck_assert_msg(m && !strcmp(str(m, "nud"), str(n, "state")), "%s at %s: the stack says %s, the fold %s",
			      str(n, "ip"), str(e, "fn"), str(n, "state"), m ? str(m, "nud") : "nothing");
		if (!strstr(states, str(n, "state")))
			snprintf(states + strlen(states), len - strlen(states), " %s", str(n, "state"));
		cJSON_Delete(o);
		r = 1;
	}
	cJSON_Delete(e);
	return r;
}

/* IPv6 neighbours as they change: every neighbour discovery event that
 * names the entry it changed (NA received, probe, FAILED, the NUD timer)
 * is the fold's state, as neigh_update is for ARP. */
START_TEST(test_fold_ipv6_neigh_agrees_with_stack)
{
	const char *pcaps[] = { "pcaps/ipv6-nud-failed.pcap", "pcaps/ipv6-nud-na.pcap", "pcaps/ipv6-ndisc.pcap" };
	char states[256] = "";
	int checked = 0;
	for (size_t p = 0; p < 3; p++) {
		struct nj_store *s = nj_replay_pcap(pcaps[p]);
		struct fold_index *x = fold_index_new(s);
		struct fold_state f;
		ck_assert_int_eq(fold_state_init(x, &f), 0);
		for (size_t i = 0; i < store_nevents(s); i++) {
			ck_assert_int_eq(fold_forward(x, &f, i), 0);
			checked += neigh_agrees(s, x, &f, i, states, sizeof(states));
		}
		fold_state_free(&f);
		fold_index_free(x);
		store_free(s);
	}
	ck_assert_int_ge(checked, 20);
	ck_assert_msg(strstr(states, "FAILED") && strstr(states, "REACHABLE") && strstr(states, "PROBE"),
		      "states seen:%s", states);
}
END_TEST

/* Every pcap: every event below 20,000 events, every 1999th above (the
 * floods: their states hold thousands of queues; tests/fold compares more). */
static void snapshots_same(void *ctx, const char *path, struct nj_store *s)
{
	struct fold_index *x = fold_index_new(s);
	size_t ev = store_nevents(s);
	(void)ctx;
	(void)path;
	same_everywhere(s, x, ev < 20000 ? 61 : 4096, ev < 20000 ? 1 : 1999);
	fold_index_free(x);
}

START_TEST(test_fold_snapshots_every_pcap)
{
	ck_assert_int_ge(nj_each_pcap(snapshots_same, NULL), 40);
}
END_TEST

/* The stack's own count ("queues" in ip_find's and every queue event's
 * args, counted before an ending event removes its queue) is the fold's,
 * at every event that reports it, and at the last event. */
START_TEST(test_fold_frag_flood_agrees_with_stack)
{
	struct nj_store *s = nj_replay_pcap("pcaps/frag-flood-2.4.pcap");
	struct fold_index *x = fold_index_new(s);
	struct fold_state f;
	long long last = -1, checked = 0, ended = 0;
	size_t cap_end = 0;	/* the capture's last event reporting queues: the clock runs on after it */
	ck_assert_int_eq(fold_state_init(x, &f), 0);
	for (size_t i = 0; i < store_nevents(s); i++) {
		ck_assert_int_eq(fold_forward(x, &f, i), 0);
		char *line = store_line(s, i, NULL);
		if (!strstr(line, "\"queues\":")) {
			free(line);
			continue;
		}
		cJSON *o = cJSON_Parse(line), *a = cJSON_GetObjectItemCaseSensitive(o, "args");
		if (!get(o, "after_capture_ns"))
			cap_end = i;
		long long q = (long long)num(a, "queues"), want = q - (get(a, "end") ? 1 : 0);
		ended += get(a, "end") != NULL;
		ck_assert_msg((long long)f.frags.live == want, "seq %s: the stack says %lld queue(s) (end: %s), the fold %zu",
			      cJSON_PrintUnformatted(get(o, "seq")), q, str(a, "end") ? str(a, "end") : "no", f.frags.live);
		last = want;
		checked++;
		cJSON_Delete(o);
		free(line);
	}
	ck_assert_int_gt(checked, 1000);
	ck_assert_int_gt(ended, 100);				/* the evictor was folded */
	cJSON *o = fold_json_at(x, cap_end);
	ck_assert_int_eq(len(o, "frags"), 192);
	const cJSON *q = item(o, "frags", 0);
	ck_assert_int_gt(len(q, "have"), 0);			/* held ranges for the panel */
	cJSON_Delete(o);
	o = fold_json_at(x, store_nevents(s) - 1);		/* 30 s after the capture: all expired */
	ck_assert_int_eq(len(o, "frags"), 0);
	ck_assert_int_eq(last, 0);
	cJSON_Delete(o);
	fold_state_free(&f);
	fold_index_free(x);
	store_free(s);
}
END_TEST

/* IPv6 queues are folded as IPv4's: at every event naming a queue the
 * fold holds the stack's count ("queues", less one when the event ends
 * it), arrivals add up to the queue's meat, and each ending is kept with
 * its reason. */
struct frag6_seen { int reassembled, killed, expired, checked; };

static void frag6_ends(void *ctx, const cJSON *o, const char *fn)
{
	struct frag6_seen *c = ctx;
	const cJSON *e;
	(void)fn;
	cJSON_ArrayForEach(e, get(o, "frags_ended")) {
		c->reassembled += !strcmp(str(e, "why"), "reassembled");
		c->killed += !strcmp(str(e, "why"), "killed");
		c->expired += !strcmp(str(e, "why"), "expired");
	}
}

static void frag6_walk(const char *pcap, struct frag6_seen *c)
{
	struct nj_store *s = nj_replay_pcap(pcap);
	struct fold_index *x = fold_index_new(s);
	struct fold_state f;
	ck_assert_int_eq(fold_state_init(x, &f), 0);
	for (size_t i = 0; i < store_nevents(s); i++) {
		ck_assert_int_eq(fold_forward(x, &f, i), 0);
		char *line = store_line(s, i, NULL);
		cJSON *o = strstr(line, "\"queues\":") ? cJSON_Parse(line) : NULL;
		const cJSON *a = get(o, "args");
		if (o) {
			long long want = (long long)num(a, "queues") - (get(a, "end") ? 1 : 0);
			ck_assert_msg((long long)f.frags.live == want, "%s seq %zu: the stack %lld, the fold %zu", pcap, i,
				      want, f.frags.live);
			c->checked++;
		}
		cJSON_Delete(o);
		free(line);
		cJSON *st = fold_json(x, &f, i);
		frag6_ends(c, st, NULL);
		cJSON_Delete(st);
	}
	fold_state_free(&f);
	fold_index_free(x);
	store_free(s);
}

START_TEST(test_fold_frag6_queues)
{
	struct frag6_seen good = { 0 }, bad = { 0 };
	struct arrivals_seen arr = { 0 };
	frag6_walk("pcaps/ipv6-frag.pcap", &good);
	frag6_walk("pcaps/ipv6-frag-bad.pcap", &bad);
	walk_pcap("pcaps/ipv6-frag.pcap", arrivals_check, &arr);
	ck_assert_int_ge(arr.most, 1);
	ck_assert_int_gt(good.checked, 0);
	ck_assert_int_gt(good.reassembled, 0);		/* frags_ended lasts one event per ending */
	ck_assert_int_eq(good.killed + good.expired, 0);
	ck_assert_int_gt(bad.killed, 0);		/* the overlap (RFC 5722) */
	ck_assert_int_gt(bad.expired, 0);		/* ip6frag_time, after the capture */
	ck_assert_int_eq(bad.reassembled, 0);
}
END_TEST

static Suite *fold_suite(void)
{
	Suite *s = suite_create("fold");
	TCase *core = tcase_create("Core"), *pcaps = tcase_create("Pcaps");
	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, test_fold_start);
	tcase_add_test(core, test_fold_frag_queue_life);
	tcase_add_test(core, test_fold_sockets);
	tcase_add_test(core, test_fold_rules_neigh_taps);
	tcase_add_test(core, test_fold_skbs_in_flight);
	tcase_add_test(core, test_fold_after_capture);
	tcase_add_test(core, test_fold_snapshots_hand_trace);
	tcase_add_test(core, test_fold_sock_facts_counted);
	tcase_set_timeout(pcaps, 1200);
	tcase_add_test(pcaps, test_fold_snapshots_every_pcap);
	tcase_add_test(pcaps, test_fold_frag_flood_agrees_with_stack);
	tcase_add_test(pcaps, test_fold_tcp_ofo_queue);
	tcase_add_test(pcaps, test_fold_tcp_timers);
	tcase_add_test(pcaps, test_fold_request_expiry);
	tcase_add_test(pcaps, test_fold_neigh_queue);
	tcase_add_test(pcaps, test_fold_frag_arrivals);
	tcase_add_test(pcaps, test_fold_route_matched);
	tcase_add_test(pcaps, test_fold_route6_matched);
	tcase_add_test(pcaps, test_fold_pmtu);
	tcase_add_test(pcaps, test_fold_ipv6_neigh_agrees_with_stack);
	tcase_add_test(pcaps, test_fold_frag6_queues);
	suite_add_tcase(s, core);
	suite_add_tcase(s, pcaps);
	return s;
}

NJ_TEST_MAIN(fold_suite)
