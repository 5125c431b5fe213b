/*
 * step_explain.c - `list` and `help` of `netjourney step`: the kernel-side
 * explanation of a function from static/explain.json (shared with the web
 * UI), found via --static, $NJ_STATIC, the tree the binary was built in
 * (build/netjourney → ../static), an install prefix, or /usr/local.
 */
#include "step_explain.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cJSON.h"
#include "textwrap.h"

static int has_explain(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	return dir && snprintf(p, sizeof(p), "%s/explain.json", dir) < (int)sizeof(p) && stat(p, &st) == 0;
}

/* The directory of the running executable, into out. */
static int exe_dir(char *out, size_t outlen)
{
	ssize_t n = readlink("/proc/self/exe", out, outlen - 1);
	if (n <= 0)
		return -1;
	out[n] = 0;
	char *slash = strrchr(out, '/');
	if (!slash)
		return -1;
	*slash = 0;
	return 0;
}

int explain_find_static(const char *opt, char *out, size_t outlen)
{
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	static const char *const rel[] = { "../static", "../share/netjourney/static", "static" };
	if (opt)
		return snprintf(out, outlen, "%s", opt), has_explain(opt) ? 0 : -1;
	const char *env = getenv("NJ_STATIC");
	if (env && *env)
		return snprintf(out, outlen, "%s", env), has_explain(env) ? 0 : -1;
	if (exe_dir(exe, sizeof(exe)) == 0)
		for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
			snprintf(cand, sizeof(cand), "%s/%s", exe, rel[k]);
			if (has_explain(cand))
				return snprintf(out, outlen, "%s", cand), 0;
		}
	snprintf(out, outlen, "/usr/local/share/netjourney/static");
	return has_explain(out) ? 0 : -1;
}

void *explain_load(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/explain.json", dir);
	FILE *f = fopen(p, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open", p);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n > 0 && n < (16L << 20) ? malloc((size_t)n + 1) : NULL;
	size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
	fclose(f);
	cJSON *root = NULL;
	if (buf) {
		buf[got] = 0;
		root = cJSON_Parse(buf);
	}
	free(buf);
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "functions"))) {
		snprintf(err, errlen, "%s: not an explain file (expected {\"version\":1,\"functions\":{…}})", p);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

void explain_free(void *ex) { cJSON_Delete(ex); }

int explain_has(void *ex, const char *fn)
{
	const cJSON *fns = cJSON_GetObjectItemCaseSensitive(ex, "functions");
	return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(fns, fn));
}

int explain_print(FILE *out, void *ex, const char *fn, int color)
{
	const cJSON *fns = cJSON_GetObjectItemCaseSensitive(ex, "functions");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(fns, fn);
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(e, "file");
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(e, "summary");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(e, "checks"), *c;
	if (!cJSON_IsObject(e))
		return -1;
	fprintf(out, "%s%s%s  (%s)\n", color ? "\033[1m" : "", fn, color ? "\033[0m" : "",
		cJSON_IsString(file) ? file->valuestring : "?");
	if (cJSON_IsString(sum))
		text_wrap(out, sum->valuestring, "  ", 2, 78, 0);
	int k = 0;
	if (cJSON_GetArraySize(checks))
		fprintf(out, "  checks:\n");
	cJSON_ArrayForEach(c, checks) {
		char lead[16];
		if (!cJSON_IsString(c))
			continue;
		snprintf(lead, sizeof(lead), "  %2d. ", ++k);
		text_wrap(out, c->valuestring, lead, 6, 78, 0);
	}
	return 0;
}
