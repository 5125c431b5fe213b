/*
 * multipart.c - multipart/form-data read as it streams (see multipart.h).
 * The body is scanned byte by byte for the delimiter "\r\n--BOUNDARY".
 * A boundary holds no CR (RFC 2046's characters), so the delimiter's only
 * CR is its first byte: when a partial match fails, the bytes held back
 * are plain data and matching restarts at the current byte, which can
 * only begin a new match if it is a CR. A match split across chunks
 * needs nothing more than the count of bytes matched.
 */
#include "multipart.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum mp_state { MP_PREAMBLE, MP_AFTER, MP_AFTER_CR, MP_DASH, MP_HEAD, MP_BODY, MP_END, MP_BAD };
enum mp_kind { MP_SKIP, MP_FILE, MP_FIELD };

struct multipart {
	char delim[MP_BOUNDARY_MAX + 4];	/* "\r\n--" boundary */
	size_t dlen, k;			/* delimiter length, bytes of it matched */
	enum mp_state st;
	enum mp_kind kind;
	char head[MP_HEAD_MAX];
	size_t hlen;
	int parts, have_file;
	char names[MP_FIELDS + 1][32], values[MP_FIELDS + 1][MP_FIELD_MAX + 1];
	size_t vlen;			/* bytes of the current field */
	int nfields, cur;		/* fields kept; the one being read */
	uint64_t file_len, file_max;
	unsigned char file_head[24];
	char obuf[16384];		/* file bytes on their way to the sink */
	size_t olen;
	mp_sink sink;
	void *ctx;
	char err[160];
};

static int bad(struct multipart *m, const char *why)
{
	if (m->st != MP_BAD)
		snprintf(m->err, sizeof(m->err), "multipart body: %s", why);
	m->st = MP_BAD;
	return -1;
}

int multipart_is(const char *ct)
{
	return ct && !strncasecmp(ct, "multipart/form-data", 19) && (!ct[19] || ct[19] == ';' || ct[19] == ' ');
}

static int boundary_char(char c)
{
	return isalnum((unsigned char)c) || strchr("'()+_,-./:=? ", c);
}

/* The boundary parameter of a Content-Type, quoted or not, into out. */
static int boundary_of(const char *ct, char *out, size_t outlen)
{
	const char *p = ct;
	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9))
			continue;
		p += 9;
		int quoted = *p == '"';
		p += quoted;
		size_t n = 0;
		for (; *p && (quoted ? *p != '"' : *p != ';' && *p != ' '); p++) {
			if (n + 1 >= outlen || n == MP_BOUNDARY_MAX || !boundary_char(*p))
				return -1;
			out[n++] = *p;
		}
		out[n] = 0;
		return n && (!quoted || *p == '"') && out[n - 1] != ' ' ? 0 : -1;
	}
	return -1;
}

struct multipart *multipart_new(const char *ct, uint64_t file_max, mp_sink sink, void *ctx, char *err,
				size_t errlen)
{
	char b[MP_BOUNDARY_MAX + 2];
	if (!multipart_is(ct) || boundary_of(ct, b, sizeof(b)) < 0) {
		snprintf(err, errlen, "multipart/form-data needs a boundary of 1 to %d characters", MP_BOUNDARY_MAX);
		return NULL;
	}
	struct multipart *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->dlen = (size_t)snprintf(m->delim, sizeof(m->delim), "\r\n--%s", b);
	m->k = 2;			/* the body may start with "--boundary" */
	m->file_max = file_max;
	m->sink = sink;
	m->ctx = ctx;
	m->cur = -1;
	return m;
}

/* A quoted or bare parameter (name=, filename=) of a header line. */
static int param(const char *line, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	for (const char *p = line; (p = strcasestr(p, key)); p += kl) {
		if (p != line && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t')
			continue;
		const char *v = p + kl;
		int quoted = *v == '"';
		v += quoted;
		size_t n = 0;
		for (; *v && (quoted ? *v != '"' : *v != ';' && *v != ' ' && *v != '\r'); v++) {
			if (n + 1 >= outlen)
				return -1;
			out[n++] = *v;
		}
		out[n] = 0;
		return quoted && *v != '"' ? -1 : 0;
	}
	return -1;
}

/* A part's headers are whole: what kind of part follows. */
static int head_done(struct multipart *m)
{
	char name[32] = "", file[MP_FIELD_MAX + 1] = "";
	m->head[m->hlen] = 0;
	if (++m->parts > MP_PARTS)
		return bad(m, "too many parts");
	const char *cd = strcasestr(m->head, "content-disposition:");
	if (!cd || param(cd, "name=", name, sizeof(name)) < 0)
		return bad(m, "a part without Content-Disposition: form-data; name=\"…\"");
	int has_file = param(cd, "filename=", file, sizeof(file)) == 0;
	m->vlen = 0;
	if (!strcmp(name, "file")) {
		if (m->have_file++)
			return bad(m, "more than one \"file\" part");
		m->kind = MP_FILE;
		if (has_file)
			snprintf(m->values[MP_FIELDS], sizeof(m->values[0]), "%s", file);
		return 0;
	}
	m->kind = MP_SKIP;		/* a field nobody reads is dropped */
	if (m->nfields == MP_FIELDS)
		return 0;
	for (int i = 0; i < m->nfields; i++)
		if (!strcmp(m->names[i], name))
			return bad(m, "a field given twice");
	m->cur = m->nfields++;
	snprintf(m->names[m->cur], sizeof(m->names[0]), "%s", name);
	m->kind = MP_FIELD;
	return 0;
}

/* The file bytes gathered so far go to the sink. */
static int flush(struct multipart *m)
{
	size_t n = m->olen;
	m->olen = 0;
	if (n && m->sink(m->ctx, m->obuf, n) < 0)
		return bad(m, "cannot store the file part");
	return 0;
}

/* Bytes of the current part's body. */
static int body(struct multipart *m, const char *d, size_t n)
{
	if (m->kind == MP_FIELD) {
		if (m->vlen + n > MP_FIELD_MAX)
			return bad(m, "a field over 256 bytes");
		memcpy(m->values[m->cur] + m->vlen, d, n);
		m->vlen += n;
		m->values[m->cur][m->vlen] = 0;
	} else if (m->kind == MP_FILE) {
		if (m->file_len + n > m->file_max)
			return bad(m, "the file part is over the upload limit");
		for (size_t i = 0; m->file_len + i < sizeof(m->file_head) && i < n; i++)
			m->file_head[m->file_len + i] = (unsigned char)d[i];
		m->file_len += n;
		for (size_t i = 0; i < n; i++) {
			if (m->olen == sizeof(m->obuf) && flush(m) < 0)
				return -1;
			m->obuf[m->olen++] = d[i];
		}
	}
	return 0;
}

/* A header byte; the headers end at an empty line. */
static int head_byte(struct multipart *m, char c)
{
	if (m->hlen + 1 >= sizeof(m->head))
		return bad(m, "a part's headers are over 2 KiB");
	m->head[m->hlen++] = c;
	if (m->hlen == 2 && !memcmp(m->head, "\r\n", 2)) {
		m->hlen = 0;		/* no headers at all */
		return bad(m, "a part without Content-Disposition: form-data; name=\"…\"");
	}
	if (m->hlen >= 4 && !memcmp(m->head + m->hlen - 4, "\r\n\r\n", 4)) {
		m->st = MP_BODY;
		m->k = 0;
		return head_done(m);
	}
	return 0;
}

/* The delimiter matched: what follows it decides (RFC 2046 §5.1.1). */
static int after_byte(struct multipart *m, char c)
{
	switch (m->st) {
	case MP_AFTER:
		if (c == '-')
			m->st = MP_DASH;
		else if (c == '\r')
			m->st = MP_AFTER_CR;
		else if (c != ' ' && c != '\t')
			return bad(m, "a boundary line with text after it");
		return 0;
	case MP_AFTER_CR:
		if (c != '\n')
			return bad(m, "a boundary line not ended by CRLF");
		m->st = MP_HEAD;
		m->hlen = 0;
		return 0;
	default:		/* MP_DASH */
		if (c != '-')
			return bad(m, "a boundary line with text after it");
		m->st = MP_END;
		return 0;
	}
}

/* One byte in the preamble or a part's body: the delimiter matcher. The
 * bytes held by a partial match are the delimiter's first k bytes, so a
 * failed match hands them on from the delimiter itself, whatever chunk
 * they came in. */
static int scan_byte(struct multipart *m, char c)
{
	int in_body = m->st == MP_BODY;
	if (c == m->delim[m->k]) {
		if (++m->k < m->dlen)
			return 0;
		m->st = MP_AFTER;
		m->k = 0;
		return in_body && m->kind == MP_FILE ? flush(m) : 0;
	}
	if (m->k && in_body && body(m, m->delim, m->k) < 0)
		return -1;
	m->k = c == m->delim[0];
	return !m->k && in_body ? body(m, &c, 1) : 0;
}

int multipart_feed(struct multipart *m, const char *d, size_t n)
{
	for (size_t i = 0; i < n && m->st != MP_BAD; i++) {
		if (m->st == MP_PREAMBLE || m->st == MP_BODY)
			scan_byte(m, d[i]);
		else if (m->st == MP_HEAD)
			head_byte(m, d[i]);
		else if (m->st != MP_END)
			after_byte(m, d[i]);
	}
	if (m->st != MP_BAD)
		flush(m);
	return m->st == MP_BAD ? -1 : 0;
}

int multipart_finish(struct multipart *m, char *err, size_t errlen)
{
	if (m->st != MP_BAD && m->st != MP_END)
		bad(m, "it ends before its closing boundary");
	else if (m->st == MP_END && !m->have_file)
		bad(m, "no \"file\" part (send the capture as -F file=@capture.pcap)");
	if (m->st == MP_BAD) {
		snprintf(err, errlen, "%s", m->err);
		return -1;
	}
	return 0;
}

const char *multipart_field(const struct multipart *m, const char *name)
{
	if (!strcmp(name, "filename"))
		return m->values[MP_FIELDS][0] ? m->values[MP_FIELDS] : NULL;
	for (int i = 0; i < m->nfields; i++)
		if (!strcmp(m->names[i], name))
			return m->values[i];
	return NULL;
}

uint64_t multipart_file(const struct multipart *m, const unsigned char **head, size_t *headlen)
{
	*head = m->file_head;
	*headlen = m->file_len < sizeof(m->file_head) ? (size_t)m->file_len : sizeof(m->file_head);
	return m->file_len;
}

void multipart_free(struct multipart *m)
{
	free(m);
}
