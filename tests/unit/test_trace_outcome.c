/*
 * test_trace_outcome.c - the outcome table that both the terminal sink and
 * replay --no-trace count with: which event decides a packet's fate, the
 * drop named after the function that freed it, timer work keyed by its
 * root frame, the softirq's own frames belonging to no packet, and a full
 * table flushed in order before a new packet is opened.
 */
#include "nj_check.h"

static struct outcome_pkt closed[8];
static int nclosed, nclosed_total;

static void on_closed(void *ctx, const struct outcome_pkt *p)
{
	(void)ctx;
	if (nclosed < 8)
		closed[nclosed++] = *p;
	nclosed_total++;
}

static struct outcome_table *table(void)
{
	static struct outcome_table t;
	memset(&t, 0, sizeof(t));
	t.closed = on_closed;
	nclosed = nclosed_total = 0;
	return &t;
}

START_TEST(test_outcome_drop_named_after_freeing_function)
{
	struct outcome_table *t = table();
	enum skb_drop_reason r = SKB_DROP_REASON_NO_SOCKET;
	outcome_track(t, 'B', 0, 1, 7, "driver_rx", V_NONE, 0);
	outcome_track(t, 'E', 1, 2, 7, "netif_rx", V_QUEUED, 0);	/* backlog: not a fate */
	ck_assert_int_eq(t->open[0].outcome, V_NONE);
	outcome_track(t, 'i', 3, 3, 7, "kfree_skb", V_DROP, r);
	ck_assert_ptr_null(t->open[0].fn);
	outcome_track(t, 'E', 2, 4, 7, "udp_rcv", V_DROP, r);
	outcome_track(t, 'E', 1, 5, 7, "ip_local_deliver", V_DROP, r);	/* a caller passing it up */
	outcome_track(t, 'E', 0, 6, 7, "driver_rx", V_PASS, 0);
	ck_assert_int_eq(t->nopen, 1);
	ck_assert_int_eq(t->open[0].outcome, V_DROP);
	ck_assert_int_eq(t->open[0].reason, r);
	ck_assert_str_eq(t->open[0].fn, "udp_rcv");
	outcome_flush(t);
	ck_assert_int_eq(nclosed, 1);
	ck_assert_int_eq(closed[0].key, 7);
	ck_assert_int_eq(t->nopen, 0);
}
END_TEST

START_TEST(test_outcome_reply_sent_is_not_the_fate)
{
	struct outcome_table *t = table();
	outcome_track(t, 'E', 3, 1, 2, "icmp_rcv", V_CONSUMED, 0);
	outcome_track(t, 'E', 4, 2, 2, "dev_queue_xmit", V_SENT, 0);	/* the reply leaving */
	ck_assert_int_eq(t->open[0].outcome, V_CONSUMED);
	outcome_track(t, 'E', 0, 3, 2, "driver_rx", V_SENT, 0);	/* a recorded transmit is */
	ck_assert_int_eq(t->open[0].outcome, V_SENT);
}
END_TEST

START_TEST(test_outcome_timer_and_softirq_keys)
{
	struct outcome_table *t = table();
	/* the softirq's own frames: no packet, nothing opened */
	ck_assert_ptr_null(outcome_track(t, 'B', 0, 10, -1, "net_rx_action", V_NONE, 0));
	ck_assert_ptr_null(outcome_track(t, 'E', 1, 11, -1, "process_backlog", V_DROP, 0));
	ck_assert_ptr_null(outcome_track(t, 'E', 0, 12, -1, "net_rx_action", V_PASS, 0));
	ck_assert_int_eq(t->nopen, 0);
	/* a timer: keyed -seq of its root, which decides its outcome */
	struct outcome_pkt *p = outcome_track(t, 'B', 0, 20, -1, "ip_expire", V_NONE, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->key, -20);
	ck_assert_ptr_eq(outcome_track(t, 'E', 1, 21, -1, "icmp_send", V_PASS, 0), p);
	outcome_track(t, 'E', 0, 22, -1, "ip_expire", V_DROP, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	ck_assert_int_eq(p->outcome, V_DROP);
	ck_assert_int_eq(t->timer_root, 0);		/* closed with its root frame */
	ck_assert_ptr_null(outcome_track(t, 'E', 1, 23, -1, "tcp_v4_rcv", V_PASS, 0));
}
END_TEST

START_TEST(test_outcome_full_table_flushes_in_order)
{
	struct outcome_table *t = table();
	for (int64_t k = 0; k < OUTCOME_OPEN_MAX; k++)
		outcome_track(t, 'E', 0, (uint64_t)k + 1, k, "driver_rx", V_PASS, 0);
	ck_assert_int_eq(t->nopen, OUTCOME_OPEN_MAX);
	ck_assert_int_eq(nclosed_total, 0);
	outcome_track(t, 'E', 2, 9999, 3, "icmp_rcv", V_CONSUMED, 0);		/* an open one: no flush */
	ck_assert_int_eq(nclosed_total, 0);
	outcome_track(t, 'E', 0, 10000, OUTCOME_OPEN_MAX, "driver_rx", V_PASS, 0);
	ck_assert_int_eq(nclosed_total, OUTCOME_OPEN_MAX);
	ck_assert_int_eq(closed[0].key, 0);
	ck_assert_int_eq(closed[3].key, 3);
	ck_assert_int_eq(closed[3].outcome, V_CONSUMED);
	ck_assert_int_eq(t->nopen, 1);
	ck_assert_int_eq(t->open[0].key, OUTCOME_OPEN_MAX);
}
END_TEST

/* A reply that waits for ARP and is dropped later (the queue full, while
 * another packet is handled; or after its packet was flushed) is the
 * reply's fate: its packet keeps the outcome it had, counted once. A
 * forwarded packet is the skb that waits: its drop is its fate. */
START_TEST(test_outcome_reply_neigh_drop_not_a_second_outcome)
{
	struct outcome_table *t = table();
	enum skb_drop_reason q = SKB_DROP_REASON_NEIGH_QUEUEFULL;
	outcome_track(t, 'B', 0, 1, 1, "driver_rx", V_NONE, 0);
	outcome_track(t, 'E', 0, 2, 1, "icmp_rcv", V_CONSUMED, 0);
	outcome_track(t, 'B', 0, 3, 2, "driver_rx", V_NONE, 0);
	outcome_track(t, 'i', 3, 4, 1, "kfree_skb", V_DROP, q);	/* 1's reply, dropped during 2 */
	outcome_track(t, 'E', 2, 5, 1, "neigh_resolve_output", V_DROP, q);
	outcome_track(t, 'E', 0, 6, 2, "icmp_rcv", V_CONSUMED, 0);
	outcome_flush(t);
	ck_assert_int_eq(nclosed, 2);
	ck_assert_int_eq(closed[0].outcome, V_CONSUMED);
	outcome_track(t, 'i', 3, 7, 2, "kfree_skb", V_DROP, q);	/* 2's reply, after 2 was flushed */
	outcome_flush(t);
	ck_assert_int_eq(nclosed_total, 2);				/* no second line for packet 2 */
	outcome_track(t, 'E', 1, 8, 3, "ip_forward", V_FORWARDED, 0);
	outcome_track(t, 'i', 3, 9, 3, "kfree_skb", V_DROP, q);		/* the forwarded skb itself */
	outcome_flush(t);
	ck_assert_int_eq(nclosed_total, 3);
	ck_assert_int_eq(closed[2].outcome, V_DROP);
	ck_assert_int_eq(closed[2].reason, q);
}
END_TEST

/* The lite mode's inline check (netns.h) answers as trace_outcome does,
 * for every verdict and for names that differ from the ones it looks for
 * only at the end, or are their prefixes. */
START_TEST(test_outcome_inline_exit_check_matches)
{
	static const char *const fns[] = { "netif_rx", "driver_rx", "dev_queue_xmit", "netif_receive_skb",
					   "netif_r", "driver_r", "netif_rxx", "driver_rx_", "ip_rcv", "", "d", "n" };
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		for (int v = 0; v < V_MAX; v++)
			ck_assert_msg(trace_exit_no_outcome(fns[i], (enum nj_verdict)v) ==
					      (trace_outcome(fns[i], 'E', (enum nj_verdict)v) == V_NONE),
				      "%s %s", fns[i], verdict_name((enum nj_verdict)v));
	ck_assert(trace_fn_is("net_rx_action", "net_rx_action"));
	ck_assert(!trace_fn_is("net_rx_actio", "net_rx_action"));
	ck_assert(!trace_fn_is("net_rx_actions", "net_rx_action"));
}
END_TEST

/* The lite mode's inline steps (netns.h) against the events: one script
 * of frames run twice, once traced into a table as the terminal sink
 * fills it, once in lite mode; the packets closed must be the same, in
 * order. The script nests frames of other packets, overflows the table
 * (OUTCOME_OPEN_MAX) inside one softirq, frees skbs, and runs timer work. */
struct closed_log {
	struct outcome_pkt p[12000];
	int n;
};

static void log_closed(void *ctx, const struct outcome_pkt *p)
{
	struct closed_log *l = ctx;
	if (l->n < 12000)
		l->p[l->n] = *p;
	l->n++;
}

static void ref_emit(void *ctx, const struct trace_event *ev)
{
	outcome_track(ctx, ev->ph, ev->depth, ev->seq, ev->pkt, ev->fn, ev->verdict, ev->reason);
}

static void lite_script(struct net *net)
{
	net->cur_pkt = 1;
	trace_enter(net, NULL, "driver_rx", "driver", "%s", "");
	trace_enter(net, NULL, "netif_rx", "core", "%s", "");
	trace_exit(net, NULL, V_QUEUED, 0, "%s", "");
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
	net->cur_pkt = -1;
	trace_enter(net, NULL, "net_rx_action", "core", "%s", "");
	net->cur_pkt = 5;		/* a frame open across the overflow */
	trace_enter(net, NULL, "process_backlog", "core", "%s", "");
	for (int i = 0; i < 5000; i++) {
		net->cur_pkt = i % 1000 == 999 ? 1 : 10 + i;	/* now and then an older packet */
		trace_enter(net, NULL, "ip_rcv", "ip", "%s", "");
		trace_enter(net, NULL, "ip_rcv_finish", "ip", "%s", "");
		if (i % 11 == 0) {
			struct sk_buff *skb = alloc_skb(net, 10);
			skb->pkt = net->cur_pkt;
			kfree_skb_reason(net, skb, SKB_DROP_REASON_IP_CSUM);
			trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_IP_CSUM, "%s", "");
		} else {
			trace_enter(net, NULL, "dev_queue_xmit", "core", "%s", "");
			trace_exit(net, NULL, V_SENT, 0, "%s", "");	/* a reply leaving */
			trace_exit(net, NULL, V_PASS, 0, "%s", "");
		}
		trace_exit(net, NULL, i % 5 == 0 ? V_CONSUMED : i % 11 == 0 ? V_DROP : V_PASS,
			   SKB_DROP_REASON_IP_CSUM, "%s", "");
	}
	net->cur_pkt = 5;
	trace_enter(net, NULL, "__netif_receive_skb", "core", "%s", "");
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
	net->cur_pkt = -1;
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
	trace_enter(net, NULL, "tcp_retransmit_timer", "tcp", "%s", "");	/* timer work */
	trace_enter(net, NULL, "ip_output", "ip", "%s", "");
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
	/* Softirq after softirq (the lite steps remember the names
	 * net_rx_action and netif_rx by pointer): the same names at other
	 * addresses, names a letter off, timer roots between them. */
	static char rx_copy[] = "net_rx_action", q_copy[] = "netif_rx";
	for (int i = 0; i < 300; i++) {
		net->cur_pkt = -1;
		trace_enter(net, NULL, i % 3 ? "net_rx_action" : rx_copy, "core", "%s", "");
		net->cur_pkt = 20000 + i;
		trace_enter(net, NULL, "__netif_receive_skb", "core", "%s", "");
		trace_enter(net, NULL, i % 2 ? "netif_rx" : i % 4 ? q_copy : "netif_rxx", "core", "%s", "");
		trace_exit(net, NULL, V_QUEUED, 0, "%s", "");
		static const char *const df = "ip_defrag";	/* "queued" as an outcome, */
		trace_enter(net, NULL, df, "frag", "%s", "");	/* right after a pass */
		trace_exit(net, NULL, V_PASS, 0, "%s", "");
		trace_enter(net, NULL, df, "frag", "%s", "");
		trace_exit(net, NULL, i % 3 ? V_PASS : V_QUEUED, 0, "%s", "");
		trace_exit(net, NULL, i % 7 ? V_PASS : V_CONSUMED, 0, "%s", "");
		net->cur_pkt = -1;
		trace_exit(net, NULL, V_PASS, 0, "%s", "");
		trace_enter(net, NULL, i % 5 ? "net_rx_actio" : "tcp_keepalive_timer", "tcp", "%s", "");
		trace_enter(net, NULL, "ip_output", "ip", "%s", "");
		trace_exit(net, NULL, V_SENT, 0, "%s", "");
		trace_exit(net, NULL, i % 2 ? V_CONSUMED : V_PASS, 0, "%s", "");
	}
}

/* The lite mode's calls decided before the general rules (trace_outcome.c:
 * a packet's frame or exit while its entry is the table's last, the
 * softirq's frame) at their edges: drops named, kept and renamed, a
 * neighbour's drop of a reply and of a forwarded packet, a packet's
 * depth-0 frame whose entry is open, one after a flush, frames past
 * TRACE_MAX_DEPTH, timer work and no packet at depth 0. */
static void drop_in(struct net *net, int64_t pkt, enum skb_drop_reason r)
{
	struct sk_buff *skb = alloc_skb(net, 10);
	skb->pkt = pkt;
	kfree_skb_reason(net, skb, r);
}

static void lite_script_edges(struct net *net)
{
	enum skb_drop_reason q = SKB_DROP_REASON_NEIGH_QUEUEFULL, c = SKB_DROP_REASON_IP_CSUM;
	for (int i = 0; i < 40; i++) {
		net->cur_pkt = 30000 + i;
		trace_enter(net, NULL, "driver_rx", "driver", "%s", "");
		if (i % 4 == 1) {	/* its depth-0 frame again, its entry open */
			trace_exit(net, NULL, V_PASS, 0, "%s", "");
			trace_enter(net, NULL, "driver_rx", "driver", "%s", "");
		}
		trace_enter(net, NULL, "ip_rcv", "ip", "%s", "");
		trace_enter(net, NULL, i % 3 ? "icmp_rcv" : "ip_forward", "icmp", "%s", "");
		trace_enter(net, NULL, "neigh_resolve_output", "arp", "%s", "");
		if (i % 2)
			drop_in(net, net->cur_pkt, i % 5 ? q : c);
		trace_exit(net, NULL, i % 2 ? V_DROP : V_PASS, i % 5 ? q : c, "%s", "");
		trace_exit(net, NULL, i % 3 ? V_CONSUMED : V_FORWARDED, 0, "%s", "");
		if (i % 4 == 3) {	/* its reply dropped for want of a neighbour */
			trace_enter(net, NULL, "neigh_resolve_output", "arp", "%s", "");
			if (i % 8 == 3)
				drop_in(net, net->cur_pkt, q);
			trace_exit(net, NULL, V_DROP, q, "%s", "");
		}
		if (i % 7 == 0)		/* a drop after a verdict, named after its freer */
			drop_in(net, net->cur_pkt, c);
		trace_exit(net, NULL, i % 7 == 0 ? V_DROP : V_PASS, c, "%s", "");
		if (i % 6 == 0) {	/* the same drop passed up; then another reason */
			trace_enter(net, NULL, "x", "ip", "%s", "");
			trace_exit(net, NULL, V_DROP, c, "%s", "");
		}
		if (i % 6 == 3) {
			trace_enter(net, NULL, "y", "ip", "%s", "");
			trace_exit(net, NULL, V_DROP, q, "%s", "");
		}
		if (i % 8 == 5) {	/* a recorded transmit; a reply leaving */
			trace_enter(net, NULL, "dev_queue_xmit", "core", "%s", "");
			trace_exit(net, NULL, V_SENT, 0, "%s", "");
		}
		trace_exit(net, NULL, i % 8 == 5 ? V_SENT : i % 9 == 4 ? V_STOLEN : V_PASS, 0, "%s", "");
		if (i % 10 == 9) {	/* flushed mid-softirq: the entry gone, frames go on */
			net->cur_pkt = -1;
			trace_enter(net, NULL, "net_rx_action", "core", "%s", "");
			net->cur_pkt = 30000 + i;
			trace_enter(net, NULL, "__netif_receive_skb", "core", "%s", "");
			outcome_flush(net->tr.lite ? net->tr.lite_tbl : net->tr.sinks[0].ctx);
			trace_enter(net, NULL, "ip_rcv", "ip", "%s", "");
			trace_exit(net, NULL, V_DELIVERED, 0, "%s", "");
			drop_in(net, net->cur_pkt, q);		/* its reply, after the flush */
			trace_exit(net, NULL, V_PASS, 0, "%s", "");
			net->cur_pkt = -1;
			trace_exit(net, NULL, V_PASS, 0, "%s", "");
		}
	}
	/* frames past TRACE_MAX_DEPTH, with verdicts on the way out */
	net->cur_pkt = 31000;
	for (int d = 0; d < TRACE_MAX_DEPTH + 6; d++) {
		net->cur_pkt = d % 9 == 8 ? 31001 : 31000;
		trace_enter(net, NULL, "deep", "ip", "%s", "");
	}
	for (int d = TRACE_MAX_DEPTH + 5; d >= 0; d--)
		trace_exit(net, NULL, d % 5 == 0 ? V_CONSUMED : d % 11 == 0 ? V_DROP : V_PASS, c, "%s", "");
	/* timer work whose frames carry a packet; an exit at depth 0 with none open */
	net->cur_pkt = -1;
	trace_enter(net, NULL, "ip_expire", "frag", "%s", "");
	net->cur_pkt = 31000;
	trace_enter(net, NULL, "icmp_send", "icmp", "%s", "");
	trace_exit(net, NULL, V_SENT, 0, "%s", "");
	drop_in(net, 31000, SKB_DROP_REASON_FRAG_REASM_TIMEOUT);
	net->cur_pkt = -1;
	trace_exit(net, NULL, V_DROP, SKB_DROP_REASON_FRAG_REASM_TIMEOUT, "%s", "");
	trace_exit(net, NULL, V_DROP, c, "%s", "");
	/* a packet's first frame after a flush, into the entry a consumed
	 * packet left: no verdict of its own, none inherited */
	struct outcome_table *tbl = net->tr.lite ? net->tr.lite_tbl : net->tr.sinks[0].ctx;
	for (int64_t k = 32000; k < 32004; k++) {
		outcome_flush(tbl);
		net->cur_pkt = k;
		trace_enter(net, NULL, "driver_rx", "driver", "%s", "");
		if (k % 2 == 0) {
			trace_enter(net, NULL, "icmp_rcv", "icmp", "%s", "");
			trace_exit(net, NULL, V_CONSUMED, 0, "%s", "");
		}
		trace_exit(net, NULL, V_PASS, 0, "%s", "");
	}
}

START_TEST(test_outcome_lite_mode_matches_events)
{
	static struct outcome_table ref, lite;
	static struct closed_log lref, llite;
	memset(&ref, 0, sizeof(ref));
	memset(&lite, 0, sizeof(lite));
	lref.n = llite.n = 0;
	ref.closed = lite.closed = log_closed;
	ref.ctx = &lref;
	lite.ctx = &llite;
	struct net *a = net_create(), *b = net_create();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	trace_add_sink(a, ref_emit, &ref);
	trace_set_outcome_table(b, &lite);
	lite_script(a);
	lite_script(b);
	lite_script_edges(a);
	lite_script_edges(b);
	outcome_flush(&ref);
	outcome_flush(&lite);
	ck_assert_int_gt(lref.n, OUTCOME_OPEN_MAX);	/* the table overflowed */
	ck_assert_int_eq(llite.n, lref.n);
	for (int i = 0; i < lref.n && i < 12000; i++) {
		const struct outcome_pkt *x = &lref.p[i], *y = &llite.p[i];
		ck_assert_msg(x->key == y->key && x->outcome == y->outcome && x->reason == y->reason &&
				      (x->fn == NULL) == (y->fn == NULL) && (!x->fn || !strcmp(x->fn, y->fn)),
			      "packet %d: key %lld %s/%d vs key %lld %s/%d", i, (long long)x->key,
			      verdict_name(x->outcome), x->reason, (long long)y->key, verdict_name(y->outcome), y->reason);
	}
	ck_assert_int_eq(a->tr.depth, 0);
	ck_assert_int_eq(b->tr.depth, 0);
	ck_assert_uint_eq(a->tr.next_seq, b->tr.next_seq);
	net_destroy(a);
	net_destroy(b);
}
END_TEST

/* The inline steps test lite_flushed alone: it is 1 whenever the lite mode
 * is off, so a host with sinks whose tracing is switched off (-f for a
 * packet that does not match) keeps no frames. */
START_TEST(test_outcome_lite_off_keeps_no_frames)
{
	static struct outcome_table t;
	memset(&t, 0, sizeof(t));
	struct net *net = net_create();
	ck_assert_ptr_nonnull(net);
	ck_assert_int_eq(net->tr.lite_flushed, 1);
	trace_set_outcome_table(net, &t);
	trace_set_outcome_table(net, NULL);
	ck_assert_int_eq(net->tr.lite_flushed, 1);
	trace_add_sink(net, ref_emit, &t);
	net->tr.on = 0;		/* as replay's filtered_rx does */
	net->cur_pkt = 3;
	trace_enter(net, NULL, "driver_rx", "driver", "%s", "");
	trace_enter(net, NULL, "netif_rx", "core", "%s", "");
	ck_assert_int_eq(net->tr.depth, 0);
	trace_exit(net, NULL, V_QUEUED, 0, "%s", "");
	trace_exit(net, NULL, V_PASS, 0, "%s", "");
	ck_assert_int_eq(net->tr.depth, 0);
	ck_assert_int_eq(t.nopen, 0);
	net_destroy(net);
}
END_TEST

static Suite *outcome_suite(void)
{
	Suite *s = suite_create("trace_outcome");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_outcome_drop_named_after_freeing_function);
	tcase_add_test(tc, test_outcome_reply_sent_is_not_the_fate);
	tcase_add_test(tc, test_outcome_timer_and_softirq_keys);
	tcase_add_test(tc, test_outcome_full_table_flushes_in_order);
	tcase_add_test(tc, test_outcome_reply_neigh_drop_not_a_second_outcome);
	tcase_add_test(tc, test_outcome_inline_exit_check_matches);
	tcase_add_test(tc, test_outcome_lite_mode_matches_events);
	tcase_add_test(tc, test_outcome_lite_off_keeps_no_frames);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(outcome_suite)
