/*
 * lesson_new.c - `netjourney lesson new CAPTURE DIR`: a lab skeleton for a
 * teacher. The capture is copied into DIR (so the lab travels as one
 * directory) and replayed once; every packet (at most LINKS_MAX) gets a
 * link to the event that decided its fate, labelled with its summary and
 * verdict, so the README can point at them. questions is empty and
 * answers.txt holds no answer: the teacher writes both, and `lesson
 * verify DIR` holds them against the trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "lesson.h"

#define LINKS_MAX 24

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", in ? to : from, strerror(errno));
	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
	if (in && ferror(in))
		rc = -1;
	if (out && fclose(out) != 0)
		rc = -1;
	if (in)
		fclose(in);
	if (rc < 0 && !*err)
		snprintf(err, errlen, "copying %s to %s failed", from, to);
	return rc;
}

/* "#1 10.0.0.1 > 10.0.0.2: ICMP …" of packet p, without the "#1 ". */
static void pkt_summary(struct nj_store *s, const struct store_pkt *p, char *out, size_t len)
{
	char *line = p->driver_ev == STORE_NONE ? NULL : store_line(s, p->driver_ev, NULL);
	cJSON *j = line ? cJSON_Parse(line) : NULL;
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "msg"));
	const char *sp = m ? strchr(m, ' ') : NULL;
	snprintf(out, len, "%s", sp ? sp + 1 : m ? m : "");
	cJSON_Delete(j);
	free(line);
}

/* One link per packet: its outcome's function (as `replay -q` names it). */
static cJSON *links_for(const struct lesson *l, struct nj_store *s)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_npkts(s) && i < LINKS_MAX; i++) {
		const struct store_pkt *p = store_pkt_at(s, i);
		char fn[LESSON_VAL], sum[200], label[LESSON_VAL + 320], err[256];
		int64_t pkt = p->pkt;
		unsigned v = p->verdict;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", "outcome");
		cJSON_AddNumberToObject(c, "pkt", (double)pkt);
		cJSON_AddStringToObject(c, "value", "fn");
		int r = lesson_check(l, s, c, fn, sizeof(fn), err, sizeof(err));
		cJSON_Delete(c);
		pkt_summary(s, store_pkt_at(s, i), sum, sizeof(sum));
		if (r < 0 || !*fn)
			continue;
		snprintf(label, sizeof(label), "packet %lld (%s): %s in %s", (long long)pkt, sum,
			 verdict_name((enum nj_verdict)v), fn);
		cJSON *k = cJSON_CreateObject();
		cJSON_AddStringToObject(k, "label", label);
		cJSON_AddNumberToObject(k, "pkt", (double)pkt);
		cJSON_AddStringToObject(k, "fn", fn);
		cJSON_AddItemToArray(arr, k);
	}
	return arr;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return errno = ENAMETOOLONG, -1;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *dir, const char *name, const char *text, char *err, size_t errlen)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return snprintf(err, errlen, "%s: path too long", dir), -1;
	FILE *f = fopen(p, "wx");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		return snprintf(err, errlen, "%s: %s", p, strerror(errno)), -1;
	return 0;
}

static char *readme_skeleton(const char *base, const cJSON *links)
{
	size_t cap = 4096 + 512 * (size_t)cJSON_GetArraySize(links);
	char *md = malloc(cap);
	if (!md)
		return NULL;
	int n = snprintf(md, cap,
		"# TODO: the lab's title\n\n"
		"TODO: the story of one packet (or a few) in this capture: what the\n"
		"student will see, and why the kernel does it.\n\n"
		"## Run it\n\n```\nnetjourney replay -q %s\n```\n\n"
		"## Where to look\n\nThe links of lesson.json (one per packet, to the event that decided\n"
		"its fate; keep the ones the story needs):\n\n", base);
	const cJSON *k;
	cJSON_ArrayForEach(k, links)
		n += snprintf(md + n, cap - (size_t)n, "- %s\n",
			      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "label")));
	snprintf(md + n, cap - (size_t)n, "\n## Questions\n\n"
		"## Check your answers\n\nWrite one line per question, `q1: your answer`, and run\n"
		"`netjourney lesson check N answers.txt` (or answer in the browser).\n");
	return md;
}

/* The lab's files, once the capture is in dir and replayed into s. */
static int write_lab(struct lesson *l, struct nj_store *s, const char *dir, char *err, size_t errlen)
{
	cJSON *j = l->json;
	cJSON *links = links_for(l, s);
	cJSON_AddItemToObject(j, "links", links);
	cJSON_AddItemToObject(j, "questions", cJSON_CreateArray());
	char *text = cJSON_Print(j), *md = readme_skeleton(l->pcap, links);
	int rc = text && md ? 0 : (snprintf(err, errlen, "out of memory"), -1);
	if (!rc)
		rc = write_text(dir, "lesson.json", text, err, errlen);
	if (!rc)
		rc = write_text(dir, "README.md", md, err, errlen);
	if (!rc)
		rc = write_text(dir, "answers.txt", "# the answer key: one line per question, \"q1: answer\"\n"
				"# (`netjourney lesson verify DIR` grades it against the trace)\n", err, errlen);
	free(text);
	free(md);
	return rc;
}

int lesson_new(const char *capture, const char *scenario, const char *dir, char *err, size_t errlen)
{
	const char *slash = strrchr(capture, '/'), *base = slash ? slash + 1 : capture;
	struct lesson l = { .n = -1 };
	err[0] = 0;
	if (make_dirs(dir) < 0)
		return snprintf(err, errlen, "%s: %s", dir, strerror(errno)), -1;
	if (snprintf(l.dir, sizeof(l.dir), "%s", dir) >= (int)sizeof(l.dir) ||
	    snprintf(l.pcap, sizeof(l.pcap), "%s/%s", dir, base) >= (int)sizeof(l.pcap))
		return snprintf(err, errlen, "%s: path too long", dir), -1;
	if (scenario && snprintf(l.scenario, sizeof(l.scenario), "%s/scenario.json", dir) >= (int)sizeof(l.scenario))
		return snprintf(err, errlen, "%s: path too long", dir), -1;
	if (copy_file(capture, l.pcap, err, errlen) < 0 ||
	    (scenario && copy_file(scenario, l.scenario, err, errlen) < 0))
		return -1;
	struct nj_store *s = lesson_replay(&l, err, errlen);
	if (!s) {	/* not a capture we can replay: leave nothing behind */
		unlink(l.pcap);
		if (scenario)
			unlink(l.scenario);
		return -1;
	}
	l.json = cJSON_CreateObject();
	cJSON_AddStringToObject(l.json, "title", "TODO: the lab's title");
	cJSON_AddStringToObject(l.json, "pcap", base);
	if (scenario)
		cJSON_AddStringToObject(l.json, "scenario", "scenario.json");
	else
		cJSON_AddNullToObject(l.json, "scenario");
	int rc = write_lab(&l, s, dir, err, errlen);
	store_free(s);
	lesson_free(&l);
	return rc;
}
