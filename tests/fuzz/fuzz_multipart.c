/*
 * fuzz_multipart.c - libFuzzer target "multipart": bytes through the
 * upload form parser (web/multipart.c). The first byte picks the chunk
 * size (1..256, so boundaries land across chunks), the rest is the body
 * under a fixed boundary; then finish, the fields and the file's head are
 * read. The file part must come out byte for byte as the parser counted
 * it, under the cap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define CAP 65536

struct sink {
	uint64_t n;
};

static int sink(void *ctx, const char *d, size_t n)
{
	(void)d;
	((struct sink *)ctx)->n += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t step = (size_t)data[0] + 1;
	char err[200];
	struct sink s = { 0 };
	struct multipart *m = multipart_new("multipart/form-data; boundary=XyZ", CAP, sink, &s, err, sizeof(err));
	if (!m)
		abort();
	for (size_t i = 1; i < size; i += step)
		multipart_feed(m, (const char *)data + i, size - i < step ? size - i : step);
	int ok = multipart_finish(m, err, sizeof(err)) == 0;
	const unsigned char *h;
	size_t hl;
	uint64_t len = multipart_file(m, &h, &hl);
	if (len > CAP || (ok && len != s.n) || hl > 24)
		abort();
	for (const char *k = "host"; k; k = strcmp(k, "host") ? NULL : "filename")
		if (multipart_field(m, k) && strlen(multipart_field(m, k)) > MP_FIELD_MAX)
			abort();
	multipart_free(m);
	return 0;
}
