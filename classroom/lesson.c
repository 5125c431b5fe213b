/*
 * lesson.c - finding the lessons directory and loading the labs in it:
 * lessons/NN-topic/{README.md, lesson.json, scenario.json}. Paths inside
 * lesson.json are relative to the lab's directory, so the tree can be
 * installed (PREFIX/share/netjourney/{lessons,pcaps}) and still resolve.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lesson.h"
#include "scenario.h"

/* join - a "/" b into out; 0, or -1 when it does not fit (nothing is
 * read from a truncated path). */
static int join(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int is_dir_with_labs(const char *d)
{
	char p[PATH_MAX];
	return join(p, sizeof(p), d, "01-journey/lesson.json") == 0 && access(p, R_OK) == 0;
}

/* The directory holding the running binary, or "" when unknown. */
static void exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	buf[n > 0 ? n : 0] = 0;
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
}

int lesson_root(const char *opt, char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("NJ_LESSONS");
	const char *pick = opt && *opt ? opt : env && *env ? env : NULL;
	if (pick) {
		if (access(pick, R_OK) != 0) {
			snprintf(err, errlen, "lessons directory %s: not found", pick);
			return -1;
		}
		snprintf(out, len, "%s", pick);
		return 0;
	}
	char exe[PATH_MAX / 2];
	exe_dir(exe, sizeof(exe));
	static const char *const rel[] = { "/../lessons", "/../share/netjourney/lessons", "/lessons" };
	for (size_t i = 0; *exe && i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (snprintf(out, len, "%s%s", exe, rel[i]) < (int)len && is_dir_with_labs(out))
			return 0;
	}
	snprintf(out, len, "/usr/local/share/netjourney/lessons");
	if (is_dir_with_labs(out))
		return 0;
	snprintf(err, errlen, "no lessons directory found (looked in $NJ_LESSONS, %s/../lessons, "
		 "/usr/local/share/netjourney/lessons); use --lessons DIR", *exe ? exe : ".");
	return -1;
}

/* "NN-…" names only: a leading number and a dash. */
static int lab_number(const char *name)
{
	if (!isdigit((unsigned char)name[0]))
		return -1;
	char *end;
	long n = strtol(name, &end, 10);
	return *end == '-' && n >= 0 && n < 1000 ? (int)n : -1;
}

static void resolve(char *out, size_t len, const char *dir, const char *rel)
{
	if (rel[0] == '/' ? snprintf(out, len, "%s", rel) >= (int)len : join(out, len, dir, rel) < 0)
		out[0] = 0;
}

/* Reads dir/lesson.json into l; the fields every lab needs must be there. */
static int load_dir(const char *root, const char *name, struct lesson *l, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->n = lab_number(name);
	char path[PATH_MAX];
	if (strlen(name) >= sizeof(l->id) || join(l->dir, sizeof(l->dir), root, name) < 0 ||
	    join(path, sizeof(path), l->dir, "lesson.json") < 0) {
		snprintf(err, errlen, "%s/%s: path too long", root, name);
		return -1;
	}
	memcpy(l->id, name, strlen(name) + 1);
	char *text = scenario_read_file(path, err, errlen);
	if (!text)
		return -1;
	l->json = cJSON_Parse(text);
	free(text);
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(l->json, "title");
	const cJSON *pcap = cJSON_GetObjectItemCaseSensitive(l->json, "pcap");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(l->json, "scenario");
	const cJSON *qs = cJSON_GetObjectItemCaseSensitive(l->json, "questions");
	const char *bad = !l->json ? "not valid JSON" : !cJSON_IsString(title) ? "title: expected a string"
			: !cJSON_IsString(pcap) ? "pcap: expected a path" : !cJSON_IsArray(qs) ? "questions: expected an array"
			: sc && !cJSON_IsNull(sc) && !cJSON_IsString(sc) ? "scenario: expected null or a file name" : NULL;
	if (bad) {
		snprintf(err, errlen, "%s: %s", path, bad);
		lesson_free(l);
		return -1;
	}
	l->title = title->valuestring;
	resolve(l->pcap, sizeof(l->pcap), l->dir, pcap->valuestring);
	l->auto_host = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l->json, "auto_host"));
	l->default_host = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l->json, "default_host"));
	if (cJSON_IsString(sc) && strcmp(sc->valuestring, "default"))
		resolve(l->scenario, sizeof(l->scenario), l->dir, sc->valuestring);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lesson *)a)->id, ((const struct lesson *)b)->id);
}

int lesson_list(const char *root, struct lesson **out, char *err, size_t errlen)
{
	DIR *d = opendir(root);
	if (!d) {
		snprintf(err, errlen, "lessons directory %s: cannot open", root);
		return -1;
	}
	struct lesson *ls = calloc(LESSON_MAX, sizeof(*ls));
	int n = 0, rc = 0;
	struct dirent *e;
	while (ls && (e = readdir(d)) && n < LESSON_MAX) {
		char d1[PATH_MAX], p[PATH_MAX];
		if (lab_number(e->d_name) < 0 || join(d1, sizeof(d1), root, e->d_name) < 0 ||
		    join(p, sizeof(p), d1, "lesson.json") < 0 || access(p, R_OK) != 0)
			continue;
		if (load_dir(root, e->d_name, &ls[n], err, errlen) < 0) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (!ls || rc < 0) {
		for (int i = 0; ls && i < n; i++)
			lesson_free(&ls[i]);
		free(ls);
		if (!ls)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	qsort(ls, (size_t)n, sizeof(*ls), by_name);
	*out = ls;
	return n;
}

/* which names lab l: its number, its full id or its topic. */
static int matches(const struct lesson *l, const char *which)
{
	char *end;
	long n = strtol(which, &end, 10);
	if (*which && !*end)
		return n == l->n;
	const char *topic = strchr(l->id, '-');
	return !strcmp(which, l->id) || (topic && !strcmp(which, topic + 1));
}

/* A lab given by its directory ("x/09-arp", "./mylab/"): a teacher's lab
 * outside the lessons directory. */
static int load_path(const char *path, struct lesson *l, char *err, size_t errlen)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return snprintf(err, errlen, "%s: path too long", path), -1;
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	char *slash = strrchr(p, '/');
	if (!slash)
		return load_dir(".", p, l, err, errlen);
	*slash = 0;
	return load_dir(slash == p ? "/" : p, slash + 1, l, err, errlen);
}

int lesson_load(const char *root, const char *which, struct lesson *l, char *err, size_t errlen)
{
	struct lesson *ls;
	if (strchr(which, '/'))
		return load_path(which, l, err, errlen);
	int n = lesson_list(root, &ls, err, errlen);
	if (n < 0)
		return -1;
	int found = -1;
	for (int i = 0; i < n; i++) {
		if (found < 0 && matches(&ls[i], which))
			found = i;
		else
			lesson_free(&ls[i]);
	}
	if (found >= 0)
		*l = ls[found];
	else
		snprintf(err, errlen, "no lesson '%s' in %s (netjourney lesson list)", which, root);
	free(ls);
	return found >= 0 ? 0 : -1;
}

void lesson_free(struct lesson *l)
{
	cJSON_Delete(l->json);
	l->json = NULL;
	l->title = NULL;
}

char *lesson_readme(const struct lesson *l, char *err, size_t errlen)
{
	char p[PATH_MAX];
	if (join(p, sizeof(p), l->dir, "README.md") < 0) {
		snprintf(err, errlen, "%s: path too long", l->id);
		return NULL;
	}
	return scenario_read_file(p, err, errlen);
}
