/*
 * test_fold_snap.c - compressed fold snapshots (trace/fold_snap.c): a
 * state packed and unpacked is the state it was (the /state JSON of both
 * byte for byte, at events of every pcap, fragment queues with their
 * ranges and arrivals and neighbours holding skbs among them), a packed
 * state is several times smaller than the flat one, a snapshot whose
 * lengths do not match its data unpacks to an error and an empty state,
 * and the snapshots of a trace stay under the index's budget.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "cJSON.h"
#include "fold_priv.h"
#include "load.h"
#include "nj_check.h"
#include "nj_trace_check.h"
#include "store.h"

static char *json_of(struct fold_index *x, const struct fold_state *st, size_t i)
{
	cJSON *o = fold_json(x, st, i);
	char *t = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Folds s in order; every stride-th state (and the last) packed and
 * unpacked must print as the original. Returns the states checked. */
static size_t round_trips(struct nj_store *s, const char *name, size_t stride, size_t *frag_states)
{
	struct fold_index *x = fold_index_new(s);
	struct fold_state st;
	size_t n = store_nevents(s), checked = 0;
	ck_assert_int_eq(fold_state_init(x, &st), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(fold_forward(x, &st, i), 0);
		if (i % stride && i != n - 1)
			continue;
		struct fold_snap *z = fold_snap_pack(&st);
		ck_assert_ptr_nonnull(z);
		struct fold_state back;
		ck_assert_int_eq(fold_snap_unpack(z, &back), 0);
		ck_assert_uint_eq(back.next, st.next);
		char *a = json_of(x, &st, i), *b = json_of(x, &back, i);
		ck_assert_msg(!strcmp(a, b), "%s event index %zu: folded %.300s, unpacked %.300s", name, i, a, b);
		*frag_states += st.frags.live > 0;
		free(a);
		free(b);
		fold_state_free(&back);
		free(z);
		checked++;
	}
	fold_state_free(&st);
	fold_index_free(x);
	return checked;
}

struct round_trip_seen { size_t checked, frag_states; };

static void round_trip_pcap(void *ctx, const char *path, struct nj_store *s)
{
	struct round_trip_seen *c = ctx;
	c->checked += round_trips(s, path, store_nevents(s) < 20000 ? 3 : 1999, &c->frag_states);
}

START_TEST(test_fold_snap_round_trip_every_pcap)
{
	struct round_trip_seen c = { 0 };
	ck_assert_int_ge(nj_each_pcap(round_trip_pcap, &c), 40);
	ck_assert_uint_ge(c.checked, 5000);
	ck_assert_uint_ge(c.frag_states, 100);	/* queues with ranges and arrivals were among them */
}
END_TEST

/* A state with many queues: packed small; a cut snapshot, or one whose
 * flat length is wrong, is refused with an empty state. */
START_TEST(test_fold_snap_small_and_damaged)
{
	struct nj_store *s = nj_replay_pcap("pcaps/frag-flood-2.4.pcap");
	struct fold_index *x = fold_index_new(s);
	struct fold_state st;
	size_t n = store_nevents(s);
	ck_assert_int_eq(fold_at(x, n / 2, &st), 0);
	ck_assert_uint_gt(st.frags.live, 50);
	struct fold_snap *z = fold_snap_pack(&st);
	ck_assert_ptr_nonnull(z);
	ck_assert_uint_lt(fold_snap_bytes(z) * 4, fold_state_bytes(&st));
	size_t len = fold_snap_bytes(z);
	struct fold_snap *bad = malloc(len);
	struct fold_state back;
	memcpy(bad, z, len);
	((size_t *)bad)[0] -= 1;	/* a flat length that is not the data's */
	ck_assert_int_eq(fold_snap_unpack(bad, &back), -1);
	ck_assert_uint_eq(back.frags.n + back.socks.n + back.neigh.n + back.taps.n, 0);
	memcpy(bad, z, len);
	((size_t *)bad)[1] /= 2;	/* the compressed data cut in half */
	ck_assert_int_eq(fold_snap_unpack(bad, &back), -1);
	ck_assert_ptr_null(back.rule_pkts);
	ck_assert_int_eq(fold_snap_unpack(z, &back), 0);	/* the whole one still unpacks */
	ck_assert_uint_eq(back.frags.live, st.frags.live);
	fold_state_free(&back);
	free(bad);
	free(z);
	fold_state_free(&st);
	fold_index_free(x);
	store_free(s);
}
END_TEST

/* Every snapshot of the flood made: their memory is counted and under
 * the budget, and far below what plain copies took. */
START_TEST(test_fold_snap_budget)
{
	struct nj_store *s = nj_replay_pcap("pcaps/frag-flood-2.4.pcap");
	struct fold_index *x = fold_index_new(s);
	struct fold_state st;
	size_t n = store_nevents(s);
	ck_assert_int_eq(fold_at(x, n - 1, &st), 0);
	size_t sum = 0;
	for (size_t c = 0; c < x->nsnap; c++)
		sum += fold_snap_bytes(x->snap[c]);
	ck_assert_uint_eq(sum, x->bytes);
	ck_assert_uint_le(x->bytes, FOLD_SNAP_BUDGET);
	ck_assert_uint_ge(x->nsnap, n / x->every);
	fold_state_free(&st);
	fold_index_free(x);
	store_free(s);
}
END_TEST

static Suite *fold_snap_suite(void)
{
	Suite *s = suite_create("fold_snap");
	TCase *c = tcase_create("Core");
	tcase_set_timeout(c, 900);
	tcase_add_test(c, test_fold_snap_round_trip_every_pcap);
	tcase_add_test(c, test_fold_snap_small_and_damaged);
	tcase_add_test(c, test_fold_snap_budget);
	suite_add_tcase(s, c);
	return s;
}

NJ_TEST_MAIN(fold_snap_suite)
