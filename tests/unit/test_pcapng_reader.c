/*
 * test_pcapng_reader.c - replay/pcapng_reader.c on hand-made blocks: a
 * packet on a known interface is read with its interface, direction and
 * bytes; an Enhanced Packet Block naming an interface the section did not
 * describe is a damaged block, whether the id is past the list or, read as
 * int, negative (0xfe000001: it indexed the interface table at -33554431,
 * a crash fuzz_pcap found).
 */
#include <stdio.h>
#include <string.h>

#include "nj_check.h"
#include "pcapng_reader.h"

static uint8_t file[512];
static size_t flen;

static void put32(uint32_t v)
{
	memcpy(file + flen, &v, 4);	/* the host's byte order, as the magic says */
	flen += 4;
}

static void put16(uint16_t v)
{
	memcpy(file + flen, &v, 2);
	flen += 2;
}

/* A Section Header and one Ethernet interface. */
static void section(void)
{
	flen = 0;
	put32(0x0A0D0D0A), put32(28), put32(0x1A2B3C4D), put16(1), put16(0);
	put32(0xffffffffu), put32(0xffffffffu), put32(28);
	put32(1), put32(20), put16(1), put16(0), put32(65535), put32(20);
}

/* An Enhanced Packet Block of 4 bytes on interface id, inbound. */
static void epb(uint32_t id)
{
	put32(6), put32(48), put32(id), put32(0), put32(1000), put32(4), put32(4);
	put32(0x04030201);
	put16(2), put16(4), put32(1), put32(0);	/* epb_flags: inbound; opt_endofopt */
	put32(48);
}

/* pcapng_next's answers over the file, until the first that is not a packet. */
static int read_all(struct pcapng_pkt *first, char *err, size_t errlen)
{
	FILE *f = fmemopen(file, flen, "rb");
	struct pcapng_reader r;
	struct pcapng_pkt p;
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pcapng_open_reader(&r, f, err, errlen), 0);
	int n = 0, rc;
	while ((rc = pcapng_next(&r, &p, err, errlen)) == 1)
		if (n++ == 0)
			*first = p, first->data = NULL;	/* the block buffer moves on */
	pcapng_close_reader(&r);
	fclose(f);
	return rc < 0 ? rc : n;
}

START_TEST(test_pcapng_packet_on_its_interface)
{
	struct pcapng_pkt p;
	char err[128];
	section();
	epb(0);
	ck_assert_int_eq(read_all(&p, err, sizeof(err)), 1);
	ck_assert_int_eq(p.iface, 0);
	ck_assert_uint_eq(p.caplen, 4);
	ck_assert_int_eq(p.dir, 1);
	ck_assert_uint_eq(p.ts_ns, 1000000ULL);		/* 1000 µs, the default resolution */
}
END_TEST

START_TEST(test_pcapng_unknown_interface_is_damage)
{
	static const uint32_t ids[] = { 1, 64, 0x80000000u, 0xfe000001u, 0xffffffffu };
	struct pcapng_pkt p;
	char err[128];
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		section();
		epb(0);
		epb(ids[i]);
		err[0] = 0;
		ck_assert_int_eq(read_all(&p, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "damaged pcapng block") != NULL, "id %#x: %s", ids[i], err);
	}
}
END_TEST

static Suite *pcapng_reader_suite(void)
{
	Suite *s = suite_create("pcapng_reader");
	TCase *tc = tcase_create("Core");
	tcase_add_test(tc, test_pcapng_packet_on_its_interface);
	tcase_add_test(tc, test_pcapng_unknown_interface_is_damage);
	suite_add_tcase(s, tc);
	return s;
}

NJ_TEST_MAIN(pcapng_reader_suite)
