/*
 * step.c - the step engine (see step.h): command parsing, movement,
 * breakpoints and the counter cache. Pure over the store: no terminal I/O.
 */
#include "step.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cJSON.h"
#include "filter.h"

/* -- command parsing -- */

struct cmd_name {
	const char *name;
	enum step_kind kind;
};

/* Full names and gdb's abbreviations; looked up by exact word. */
static const struct cmd_name cmd_names[] = {
	{ "step", SC_STEP }, { "s", SC_STEP }, { "next", SC_NEXT }, { "n", SC_NEXT },
	{ "finish", SC_FINISH }, { "fin", SC_FINISH }, { "back", SC_BACK }, { "b", SC_BACK },
	{ "reverse-step", SC_BACK }, { "rs", SC_BACK }, { "pkt", SC_PKT }, { "packet", SC_PKT },
	{ "seq", SC_SEQ }, { "continue", SC_CONTINUE }, { "c", SC_CONTINUE }, { "run", SC_RUN },
	{ "r", SC_RUN }, { "break", SC_BREAK }, { "br", SC_BREAK }, { "info", SC_INFO }, { "i", SC_INFO },
	{ "delete", SC_DELETE }, { "d", SC_DELETE }, { "print", SC_PRINT }, { "p", SC_PRINT },
	{ "x", SC_X }, { "bt", SC_BT }, { "backtrace", SC_BT }, { "where", SC_BT }, { "list", SC_LIST },
	{ "l", SC_LIST }, { "help", SC_HELP }, { "h", SC_HELP }, { "quit", SC_QUIT }, { "q", SC_QUIT },
	{ "exit", SC_QUIT }, { "diff", SC_DIFF },
};

struct what_name {
	const char *name;
	enum step_what what;
};

static const struct what_name info_names[] = {
	{ "break", SW_BREAK }, { "breakpoints", SW_BREAK }, { "b", SW_BREAK }, { "frags", SW_FRAGS },
	{ "sockets", SW_SOCKETS }, { "routes", SW_ROUTES }, { "neigh", SW_NEIGH }, { "rules", SW_RULES },
	{ "counters", SW_COUNTERS }, { "taps", SW_TAPS }, { "skb", SW_SKB }, { "headers", SW_HEADERS },
	{ "event", SW_EVENT },
};

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Copies s without trailing blanks into out. */
static void copy_trimmed(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

/* A whole non-negative decimal number; -1 if s is not one. */
static int parse_num(const char *s, long long *v)
{
	char *end;
	s = skip_ws(s);
	if (!isdigit((unsigned char)*s))
		return -1;
	*v = strtoll(s, &end, 10);
	return *skip_ws(end) ? -1 : 0;
}

static int parse_what(struct step_cmd *c, const char *kw, const char *arg, char *err, size_t errlen)
{
	char word[32];
	copy_trimmed(word, sizeof(word), arg);
	for (size_t i = 0; i < sizeof(info_names) / sizeof(info_names[0]); i++)
		if (!strcmp(word, info_names[i].name)) {
			c->what = info_names[i].what;
			return 0;
		}
	if (c->kind == SC_PRINT)
		snprintf(err, errlen, "print: expected skb, headers or event%s%s", *word ? ", not " : "", word);
	else
		snprintf(err, errlen, "%s: expected break, frags, sockets, routes, neigh, rules, counters or taps", kw);
	return -1;
}

/* Argument rules per command: counts, numbers, specs. */
static int parse_arg(struct step_cmd *c, const char *kw, const char *arg, char *err, size_t errlen)
{
	switch (c->kind) {
	case SC_STEP: case SC_NEXT: case SC_BACK: case SC_CONTINUE:
		if (!*arg)
			return 0;
		if (parse_num(arg, &c->n) < 0 || c->n < 1)
			return snprintf(err, errlen, "%s: expected a count, not '%s'", kw, arg), -1;
		c->has_n = 1;
		return 0;
	case SC_PKT: case SC_SEQ:
		if (parse_num(arg, &c->n) < 0)
			return snprintf(err, errlen, "%s: expected a number, e.g. '%s 3'", kw, kw), -1;
		c->has_n = 1;
		return 0;
	case SC_DELETE:
		if (*arg && parse_num(arg, &c->n) < 0)
			return snprintf(err, errlen, "delete: expected a breakpoint number (see info break)"), -1;
		c->has_n = *arg != 0;
		return 0;
	case SC_BREAK:
		if (!*arg)
			return snprintf(err, errlen, "break: expected FN, drop, reason NAME, pkt N or 'EXPR'"), -1;
		copy_trimmed(c->arg, sizeof(c->arg), arg);
		return 0;
	case SC_INFO: case SC_PRINT:
		return parse_what(c, kw, arg, err, errlen);
	case SC_HELP: case SC_LIST: case SC_DIFF:
		copy_trimmed(c->arg, sizeof(c->arg), arg);
		return 0;
	default:
		if (*arg)
			return snprintf(err, errlen, "%s takes no argument", kw), -1;
		return 0;
	}
}

int step_parse(const char *line, struct step_cmd *c, char *err, size_t errlen)
{
	char kw[32];
	size_t k = 0;
	memset(c, 0, sizeof(*c));
	line = skip_ws(line);
	if (!*line || *line == '#')
		return 1;
	while (line[k] && !isspace((unsigned char)line[k]) && k < sizeof(kw) - 1) {
		kw[k] = line[k];
		k++;
	}
	kw[k] = 0;
	const char *arg = skip_ws(line + k);
	for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (!strcmp(kw, cmd_names[i].name)) {
			c->kind = cmd_names[i].kind;
			return parse_arg(c, kw, arg, err, errlen);
		}
	snprintf(err, errlen, "unknown command '%s' (try help)", kw);
	return -1;
}

/* -- breakpoints -- */

static int parse_reason(const char *name, char *err, size_t errlen)
{
	char up[64];
	size_t i;
	if (!strncasecmp(name, "SKB_DROP_REASON_", 16))
		name += 16;
	for (i = 0; name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = 0;
	int r = drop_reason_lookup(up);
	if (r < 0)
		snprintf(err, errlen, "break reason: no drop reason '%s' (e.g. IP_CSUM, NO_SOCKET, OTHERHOST)", name);
	return r;
}

/* A quoted spec: 'expr' or "expr" (quotes required, so a bare word is a function). */
static int unquote(const char *spec, char *out, size_t outlen)
{
	size_t n = strlen(spec);
	if (n < 2 || (spec[0] != '\'' && spec[0] != '"') || spec[n - 1] != spec[0])
		return -1;
	if (n - 2 >= outlen)
		n = outlen + 1;
	memcpy(out, spec + 1, n - 2);
	out[n - 2] = 0;
	return 0;
}

static int bp_fn(const char *spec, struct step_bp *bp, char *err, size_t errlen)
{
	for (const char *p = spec; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') {
			snprintf(err, errlen, "break: '%s' is not a function name (quote a filter: break 'icmp')", spec);
			return -1;
		}
	bp->kind = BP_FN;
	snprintf(bp->fn, sizeof(bp->fn), "%s", spec);
	return 0;
}

int step_bp_parse(const char *spec, int dlt, struct step_bp *bp, char *err, size_t errlen)
{
	long long n;
	memset(bp, 0, sizeof(*bp));
	spec = skip_ws(spec);
	if (unquote(spec, bp->expr, sizeof(bp->expr)) == 0) {
		bp->kind = BP_FILTER;
		char why[256];
		bp->filter = filter_compile(bp->expr, dlt, why, sizeof(why));
		if (!bp->filter)
			snprintf(err, errlen, "break '%s': %s", bp->expr, why);
		return bp->filter ? 0 : -1;
	}
	if (!strcmp(spec, "drop")) {
		bp->kind = BP_DROP;
		return 0;
	}
	if (!strncmp(spec, "reason", 6) && (isspace((unsigned char)spec[6]) || !spec[6])) {
		bp->kind = BP_REASON;
		bp->reason = parse_reason(skip_ws(spec + 6), err, errlen);
		return bp->reason < 0 ? -1 : 0;
	}
	if (!strncmp(spec, "pkt", 3) && (isspace((unsigned char)spec[3]) || !spec[3])) {
		if (parse_num(spec + 3, &n) < 0)
			return snprintf(err, errlen, "break pkt: expected a packet number"), -1;
		bp->kind = BP_PKT;
		bp->pkt = n;
		return 0;
	}
	return bp_fn(spec, bp, err, errlen);
}

void step_bp_free(struct step_bp *bp)
{
	filter_free(bp->filter);
	bp->filter = NULL;
}

void step_bp_describe(const struct step_bp *bp, char *out, size_t outlen)
{
	switch (bp->kind) {
	case BP_FN: snprintf(out, outlen, "function %s", bp->fn); break;
	case BP_DROP: snprintf(out, outlen, "any drop"); break;
	case BP_REASON: snprintf(out, outlen, "drop reason %s", drop_reason_name(bp->reason)); break;
	case BP_PKT: snprintf(out, outlen, "packet %lld", (long long)bp->pkt); break;
	case BP_FILTER: snprintf(out, outlen, "filter '%s'", bp->expr); break;
	}
}

/* Is event i its packet's first event? */
static int pkt_first(struct nj_store *s, const struct store_ev *e, size_t i)
{
	const struct store_pkt *p = e->pkt >= 0 ? store_pkt_find(s, e->pkt) : NULL;
	return p && p->first == i;
}

/* A step named after the function it sits in (ip_frag_queue's own
 * numbered checks): a function breakpoint already stopped at its B. */
static int step_inside_self(struct nj_store *s, const struct store_ev *e)
{
	struct store_ev pb;
	const struct store_ev *p;
	if (e->ph != 'i' || !e->parent)
		return 0;
	p = store_ev_at(s, store_index_of_seq(s, e->parent), &pb);
	return p && p->fn == e->fn;
}

/* A drop is reported by kfree_skb and then by the E of every function it
 * unwinds through; a breakpoint stops once, at the first of them. */
static int same_drop(struct nj_store *s, const struct store_ev *e, size_t i)
{
	struct store_ev p_buf;
	const struct store_ev *p = i ? store_ev_at(s, i - 1, &p_buf) : NULL;
	return p && e->ph == 'E' && p->verdict == V_DROP && p->reason == e->reason;
}

int step_bp_match(struct nj_store *s, const struct step_bp *bp, size_t i)
{
	struct store_ev e_buf;
	const struct store_ev *e = store_ev_at(s, i, &e_buf);
	if (!e)
		return 0;
	switch (bp->kind) {
	case BP_FN:
		return e->ph != 'E' && !strcmp(store_name(s, e->fn), bp->fn) && !step_inside_self(s, e);
	case BP_DROP:
		return e->verdict == V_DROP && !same_drop(s, e, i);
	case BP_REASON:
		return e->verdict == V_DROP && e->reason == bp->reason && !same_drop(s, e, i);
	case BP_PKT:
		return e->pkt == bp->pkt && pkt_first(s, e, i);
	case BP_FILTER:
		return pkt_first(s, e, i) && filter_match(bp->filter, s, e->pkt);
	}
	return 0;
}

/* -- the session -- */

void step_init(struct step_session *ss, struct nj_store *st)
{
	memset(ss, 0, sizeof(*ss));
	ss->st = st;
	ss->next_id = 1;
	ss->dlt = 1;
	ss->fold = fold_index_new(st);
}

void step_free(struct step_session *ss)
{
	for (int i = 0; i < ss->nbp; i++)
		step_bp_free(&ss->bp[i]);
	fold_index_free(ss->fold);
	ss->fold = NULL;
	ss->nbp = 0;
}

int step_add_bp(struct step_session *ss, const struct step_bp *bp)
{
	if (ss->nbp == STEP_MAX_BP)
		return -1;
	ss->bp[ss->nbp] = *bp;
	ss->bp[ss->nbp].id = ss->next_id++;
	return ss->bp[ss->nbp++].id;
}

int step_delete_bp(struct step_session *ss, int id)
{
	int found = id == 0 && ss->nbp > 0;
	for (int i = 0; i < ss->nbp; i++) {
		if (id && ss->bp[i].id != id)
			continue;
		step_bp_free(&ss->bp[i]);
		memmove(&ss->bp[i], &ss->bp[i + 1], (size_t)(ss->nbp - i - 1) * sizeof(ss->bp[0]));
		ss->nbp--;
		i--;
		found = 1;
	}
	return found ? 0 : -1;
}
