/*
 * lesson_md.c - just enough markdown for a lab's README on a terminal:
 * headings (bold and underlined on a TTY, plain text otherwise), fenced
 * code indented and never wrapped, tables as written, prose and list items
 * wrapped to the width with a hanging indent, **bold** shown as bold on a
 * TTY and without its stars otherwise (trace/textwrap.c). Widths count
 * UTF-8 characters.
 */
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "textwrap.h"

/* A list item's marker length ("- ", "* ", "12. "), or 0. */
static size_t item_marker(const char *l)
{
	if ((l[0] == '-' || l[0] == '*') && l[1] == ' ')
		return 2;
	size_t d = strspn(l, "0123456789");
	return d && d < 4 && l[d] == '.' && l[d + 1] == ' ' ? d + 2 : 0;
}

struct para {
	char *buf;
	size_t len, cap;
	char prefix[16];
	int indent;
};

static void para_add(struct para *p, const char *s)
{
	size_t n = strlen(s);
	if (p->len + n + 2 > p->cap) {
		p->cap = (p->len + n + 2) * 2;
		char *b = realloc(p->buf, p->cap);
		if (!b)
			return;
		p->buf = b;
	}
	if (p->len)
		p->buf[p->len++] = ' ';
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = 0;
}

static void para_flush(FILE *f, struct para *p, int colour, int width)
{
	if (p->len)
		text_wrap(f, p->buf, p->prefix, p->indent, width, colour);
	p->len = 0;
	p->prefix[0] = 0;
	p->indent = 0;
}

static void heading(FILE *f, const char *l, int colour)
{
	while (*l == '#')
		l++;
	while (*l == ' ')
		l++;
	if (colour)
		fprintf(f, "\033[1;4m%s\033[0m\n", l);
	else
		fprintf(f, "%s\n", l);
}

/* One line outside code blocks: starts, continues or ends a paragraph. */
static void prose_line(FILE *f, const char *l, struct para *p, int colour, int width)
{
	size_t lead = strspn(l, " ");
	size_t m = item_marker(l + lead);
	if (!l[lead]) {
		para_flush(f, p, colour, width);
		fputc('\n', f);
	} else if (l[0] == '#') {
		para_flush(f, p, colour, width);
		heading(f, l, colour);
	} else if (l[lead] == '|') {
		para_flush(f, p, colour, width);
		fprintf(f, "%s\n", l);
	} else if (m) {
		para_flush(f, p, colour, width);
		snprintf(p->prefix, sizeof(p->prefix), "%*s%.*s", (int)lead, "", (int)m, l + lead);
		p->indent = (int)(lead + m);
		para_add(p, l + lead + m);
	} else
		para_add(p, l + lead);
}

void lesson_render_md(FILE *f, const char *md, int colour, int width)
{
	struct para p = { 0 };
	int code = 0;
	char *text = strdup(md ? md : "");
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, "```", 3)) {
			para_flush(f, &p, colour, width);
			code = !code;
			continue;
		}
		if (code)
			fprintf(f, "    %s\n", line);
		else
			prose_line(f, line, &p, colour, width);
	}
	para_flush(f, &p, colour, width);
	free(p.buf);
	free(text);
}
