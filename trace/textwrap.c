/*
 * textwrap.c - prose filled for a terminal (see textwrap.h): the wrapper
 * step's `explain` and the lessons' README printer share.
 */
#include <string.h>

#include "textwrap.h"

int text_width(const char *s, size_t n)
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
	return text_width(w, n) - stars;
}

void text_wrap(FILE *f, const char *text, const char *prefix, int indent, int width, int colour)
{
	int col = (int)text_width(prefix, strlen(prefix)), bold = 0, first = 1;
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

