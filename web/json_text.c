/*
 * json_text.c - a cJSON tree as text through the server's one JSON writer
 * (stack/jsonw.c), faster than cJSON_PrintUnformatted, which formats every
 * number with sprintf, reads it back with sscanf and grows its buffer from
 * 256 bytes. jsonw prints numbers as cJSON does, so the bytes are cJSON's
 * but for strings: jsonw also escapes DEL and writes bytes that are not
 * UTF-8 as U+FFFD, as in every other reply and in the trace. A node only
 * cJSON knows how to print (an invalid node, a raw node without text, a
 * tree deeper than cJSON's limit) lets cJSON print the whole tree.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "web.h"

/* 0, or -1 when a node is one cJSON must print. */
static int jt_value(struct jw *w, const cJSON *o, int depth)
{
	const cJSON *c;
	int obj = (o->type & 0xFF) == cJSON_Object;
	switch (o->type & 0xFF) {
	case cJSON_NULL: jw_val_null(w); return 0;
	case cJSON_False: jw_val_bool(w, 0); return 0;
	case cJSON_True: jw_val_bool(w, 1); return 0;
	case cJSON_Number: jw_val_double(w, o->valuedouble); return 0;
	case cJSON_String: jw_val_str(w, o->valuestring ? o->valuestring : ""); return 0;
	case cJSON_Raw:
		if (!o->valuestring)
			return -1;
		jw_val_raw(w, o->valuestring);
		return 0;
	case cJSON_Array: case cJSON_Object:
		if (depth > CJSON_NESTING_LIMIT)
			return -1;
		obj ? jw_obj_open(w) : jw_arr_open(w);
		for (c = o->child; c; c = c->next) {
			if (obj)
				jw_key(w, c->string ? c->string : "");
			if (jt_value(w, c, depth + 1) < 0)
				return -1;
		}
		obj ? jw_obj_close(w) : jw_arr_close(w);
		return 0;
	default:
		return -1;
	}
}

char *web_json_text(const cJSON *o, size_t *len)
{
	struct jw w = { 0 };
	if (!o) {
		*len = 0;
		return NULL;
	}
	if (jt_value(&w, o, 0) < 0 || !w.buf) {
		jw_free(&w);
		char *s = cJSON_PrintUnformatted(o);
		*len = s ? strlen(s) : 0;
		return s;
	}
	*len = w.len;
	return w.buf;
}
