/*
 * lesson_md.c - just enough markdown for a lab's README on a terminal:
 * headings (bold and underlined on a TTY, plain text otherwise), fenced
 * code indented and never wrapped, tables as written, prose and list items
 * wrapped to the width with a hanging indent, **bold** shown as bold on a
 * TTY and without its stars otherwise. Widths count UTF-8 characters.
 */
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

/* Display width of n bytes of UTF-8 (continuation bytes do not count). */
static int width_of(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Writes a word, turning ** into bold (colour) or nothing; *bold carries
 * the state across words. */
static void put_word(FILE *f, const char *w, size_t n, int colour, int *bold)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && w[i] == '*' && w[i + 1] == '*') {
			*bold = !*bold;
			if (colour)
				fputs(*bold ? "\033[1m" : "\033[0m", f);
			i++;
			continue;
		}
		fputc(w[i], f);
	}
}

/* Visible width of a word: its characters minus the ** markers. */
static int word_width(const char *w, size_t n)
{
	int stars = 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (w[i] == '*' && w[i + 1] == '*')
			stars += 2, i++;
	return width_of(w, n) - stars;
}

/* Prose: words of text wrapped to width; first line after prefix, the
 * others indented by indent columns. */
static void wrap(FILE *f, const char *text, const char *prefix, int indent, int width, int colour)
{
	int col = (int)width_of(prefix, strlen(prefix)), bold = 0, first = 1;
	fputs(prefix, f);
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		int w = word_width(p, n);
		if (!first && col + 1 + w > width) {
			fprintf(f, "%s\n%*s", colour && bold ? "\033[0m" : "", indent, "");
			if (colour && bold)
				fputs("\033[1m", f);
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		put_word(f, p, n, colour, &bold);
		col += w;
		first = 0;
		p += n;
	}
	fputs(colour && bold ? "\033[0m\n" : "\n", f);
}

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
		wrap(f, p->buf, p->prefix, p->indent, width, colour);
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
