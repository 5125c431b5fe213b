/*
 * textwrap.h - prose wrapped for a terminal, the one wrapper of the front
 * ends (step's `explain`, the lessons' README): words filled to a width
 * (UTF-8 characters counted, not bytes), a hanging indent, and **bold**
 * markers shown as bold on a colour terminal and dropped otherwise.
 */
#ifndef NJ_TRACE_TEXTWRAP_H
#define NJ_TRACE_TEXTWRAP_H

#include <stdio.h>

/* text_wrap - text's words to f, filled to width columns: the first line
 * after prefix, the others after indent spaces; ends with a newline. */
void text_wrap(FILE *f, const char *text, const char *prefix, int indent, int width, int colour);

/* text_width - display width of n bytes of UTF-8 (continuation bytes do
 * not count). */
int text_width(const char *s, size_t n);

#endif
