/*
 * multipart.h - a streaming multipart/form-data parser (RFC 7578) for
 * uploads: the body arrives in chunks of any size, the "file" part's bytes
 * go straight to a callback (the spool file) and the other parts are kept
 * as small text fields. Everything is bounded: a boundary of at most 70
 * characters, a part's headers of at most MP_HEAD_MAX bytes, at most
 * MP_FIELDS fields of MP_FIELD_MAX bytes, one file, MP_PARTS parts. The
 * first problem is latched: later chunks are ignored, and multipart_finish
 * names it.
 */
#ifndef NJ_WEB_MULTIPART_H
#define NJ_WEB_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#define MP_BOUNDARY_MAX	70
#define MP_HEAD_MAX	2048
#define MP_FIELDS	8
#define MP_FIELD_MAX	256
#define MP_PARTS	16

/* The file part's bytes; returns 0, or -1 to stop (a write error). */
typedef int (*mp_sink)(void *ctx, const char *data, size_t n);

struct multipart;

/* multipart_is - 1 when content_type is multipart/form-data. */
int multipart_is(const char *content_type);
/* multipart_new - a parser for the boundary named in content_type; NULL
 * with err set (no or bad boundary, out of memory). file_max caps the
 * file part. */
struct multipart *multipart_new(const char *content_type, uint64_t file_max, mp_sink sink, void *ctx, char *err,
				size_t errlen);
/* multipart_feed - the next chunk of body; -1 once the body is known bad. */
int multipart_feed(struct multipart *m, const char *data, size_t n);
/* multipart_finish - 0 when the body was whole (closing boundary seen)
 * with a "file" part; -1 with err naming the problem. */
int multipart_finish(struct multipart *m, char *err, size_t errlen);
/* multipart_field - a text part's value (NULL if absent); the file
 * part's filename is field "filename". */
const char *multipart_field(const struct multipart *m, const char *name);
/* multipart_file - the file part's size and its first bytes (up to 24). */
uint64_t multipart_file(const struct multipart *m, const unsigned char **head, size_t *headlen);
void multipart_free(struct multipart *m);

#endif
