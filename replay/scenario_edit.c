/*
 * scenario_edit.c - quick edits of a scenario's JSON for what-if runs
 * (`netjourney diff --set rp_filter=1`, the browser's What if… panel):
 * PATH=VALUE, where PATH is keys and indexes ("interfaces[0].mtu",
 * "netfilter[1].verdict") and VALUE is JSON (1, true, {"proto":"icmp"})
 * or else plain text. A value replacing a string stays text ("kernel=2.4"
 * is "2.4", not the number). Missing objects on the way are created; an
 * index may name an existing element or the next one (append).
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* One step of a path: a key, or an index when key is NULL. */
struct edit_step {
	char key[64];
	int index;
	int is_index;
};

static int parse_path(const char *p, size_t n, struct edit_step *st, int max, char *err, size_t errlen)
{
	int k = 0;
	size_t i = 0;
	while (i < n) {
		if (k == max)
			FAIL("--set: the path has more than %d parts", max);
		struct edit_step *s = &st[k++];
		memset(s, 0, sizeof(*s));
		if (p[i] == '[') {
			char *end;
			long v = strtol(p + i + 1, &end, 10);
			if (end == p + i + 1 || (size_t)(end - p) >= n || *end != ']' || v < 0 || v > 65535)
				FAIL("--set: expected an index like [0] at \"%.*s\"", (int)(n - i), p + i);
			s->is_index = 1;
			s->index = (int)v;
			i = (size_t)(end - p) + 1;
		} else {
			size_t j = i;
			while (j < n && p[j] != '.' && p[j] != '[')
				j++;
			if (j == i || j - i >= sizeof(s->key))
				FAIL("--set: expected a key at \"%.*s\"", (int)(n - i), p + i);
			memcpy(s->key, p + i, j - i);
			i = j;
		}
		if (i < n && p[i] == '.') {
			if (++i == n)
				FAIL("--set: the path ends with '.'");
		}
	}
	if (k == 0)
		FAIL("--set: expected PATH=VALUE, like rp_filter=1");
	return k;
}

/* The child a step names; a missing one is created, as a list when the
 * next step is an index (list_next), else as an object. */
static cJSON *step_into(cJSON *node, const struct edit_step *s, int list_next, char *err, size_t errlen)
{
	if (s->is_index) {
		if (!cJSON_IsArray(node)) {
			snprintf(err, errlen, "--set: [%d] applied to something that is not a list", s->index);
			return NULL;
		}
		cJSON *c = cJSON_GetArrayItem(node, s->index);
		if (!c && s->index == cJSON_GetArraySize(node)) {
			c = list_next ? cJSON_CreateArray() : cJSON_CreateObject();
			cJSON_AddItemToArray(node, c);
		}
		if (!c)
			snprintf(err, errlen, "--set: no element [%d] (the list has %d)", s->index, cJSON_GetArraySize(node));
		return c;
	}
	if (!cJSON_IsObject(node)) {
		snprintf(err, errlen, "--set: .%s applied to something that is not an object", s->key);
		return NULL;
	}
	cJSON *c = cJSON_GetObjectItemCaseSensitive(node, s->key);
	if (!c)
		c = list_next ? cJSON_AddArrayToObject(node, s->key) : cJSON_AddObjectToObject(node, s->key);
	if (!c)
		snprintf(err, errlen, "--set: out of memory at \"%s\"", s->key);
	return c;
}

static cJSON *edit_value(const char *text, const cJSON *old)
{
	if (!cJSON_IsString(old) || text[0] == '"') {
		cJSON *v = cJSON_Parse(text);
		if (v)
			return v;
	}
	return cJSON_CreateString(text);
}

int scenario_edit(cJSON *root, const char *assign, char *err, size_t errlen)
{
	const char *eq = strchr(assign, '=');
	if (!eq)
		FAIL("--set %s: expected PATH=VALUE, like rp_filter=1", assign);
	struct edit_step st[16];
	int n = parse_path(assign, (size_t)(eq - assign), st, 16, err, errlen);
	if (n < 0)
		return -1;
	cJSON *node = root;
	for (int i = 0; i < n - 1; i++)
		if (!(node = step_into(node, &st[i], st[i + 1].is_index, err, errlen)))
			return -1;
	const struct edit_step *last = &st[n - 1];
	cJSON *old = last->is_index ? NULL : cJSON_GetObjectItemCaseSensitive(node, last->key);
	if (last->is_index) {
		if (!cJSON_IsArray(node))
			FAIL("--set %s: [%d] applied to something that is not a list", assign, last->index);
		old = cJSON_GetArrayItem(node, last->index);
		if (!old && last->index != cJSON_GetArraySize(node))
			FAIL("--set %s: no element [%d] (the list has %d)", assign, last->index,
			     cJSON_GetArraySize(node));
	} else if (!cJSON_IsObject(node)) {
		FAIL("--set %s: .%s applied to something that is not an object", assign, last->key);
	}
	cJSON *v = edit_value(eq + 1, old);
	if (!v)
		FAIL("out of memory");
	if (last->is_index && old)
		cJSON_ReplaceItemInArray(node, last->index, v);
	else if (last->is_index)
		cJSON_AddItemToArray(node, v);
	else if (old)
		cJSON_ReplaceItemInObjectCaseSensitive(node, last->key, v);
	else
		cJSON_AddItemToObject(node, last->key, v);
	return 0;
}

char *scenario_edited(const char *json, const char *const *sets, int nsets, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(json);
	if (!root) {
		snprintf(err, errlen, "the scenario is not valid JSON");
		return NULL;
	}
	for (int i = 0; i < nsets; i++)
		if (scenario_edit(root, sets[i], err, errlen) < 0) {
			cJSON_Delete(root);
			return NULL;
		}
	char *out = cJSON_Print(root);
	cJSON_Delete(root);
	if (!out)
		snprintf(err, errlen, "out of memory");
	return out;
}
