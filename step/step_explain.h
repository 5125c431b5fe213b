/*
 * step_explain.h - static/explain.json: what each kernel function the
 * stack traces does and which checks it makes (shared with the web UI).
 */
#ifndef NJ_STEP_STEP_EXPLAIN_H
#define NJ_STEP_STEP_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

/* explain_find_static - the static/ directory holding explain.json into
 * out: opt (--static), $NJ_STATIC, beside the executable, or
 * /usr/local/share/netjourney/static. Returns 0, or -1 when none has it
 * (out then names the last place tried). */
int explain_find_static(const char *opt, char *out, size_t outlen);

/* explain_load - the parsed file (opaque), or NULL with err set. */
void *explain_load(const char *dir, char *err, size_t errlen);
void explain_free(void *ex);
int explain_has(void *ex, const char *fn);

/* explain_print - fn's file, summary and checks, wrapped to 80 columns.
 * Returns 0, or -1 when the file has no entry for fn. */
int explain_print(FILE *out, void *ex, const char *fn, int color);

#endif
