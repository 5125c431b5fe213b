/*
 * source_tap.h - the live "driver": a Linux TAP device (/dev/net/tun,
 * IFF_TAP | IFF_NO_PI) whose frames the stack receives and to which it
 * writes what it sends, so real peers (a namespace's kernel, a bridge)
 * can ARP, ping and connect to the simulated host.
 */
#ifndef NJ_REPLAY_SOURCE_TAP_H
#define NJ_REPLAY_SOURCE_TAP_H

#include <stddef.h>
#include <stdint.h>

#define TAP_NAME_MAX	16		/* IFNAMSIZ, with the NUL */
#define TAP_FRAME_MAX	65536		/* no GSO (no IFF_VNET_HDR): frames are at most MTU + 14 */

struct tap_source {
	int fd;				/* -1 when closed */
	char name[TAP_NAME_MAX];
	int created;			/* we made the device: it vanishes when fd closes */
	uint64_t rx_frames, tx_frames, tx_errors;
	uint64_t kdrops0;		/* tx_dropped when we attached */
};

/**
 * source_tap_open - creates or attaches the TAP device name and sets it up
 * (SIOCSIFFLAGS IFF_UP). The fd is non-blocking. Returns 0, or -1 with err
 * naming the problem and its fix (no /dev/net/tun, not root / no
 * CAP_NET_ADMIN, device in use by another program, not a TAP).
 */
int source_tap_open(struct tap_source *t, const char *name, char *err, size_t errlen);

/*
 * source_tap_read - one frame into buf (TAP_FRAME_MAX bytes). Returns its
 * length, 0 when none is waiting, or -1 with err set when the device is
 * gone or broken.
 */
int source_tap_read(struct tap_source *t, uint8_t *buf, char *err, size_t errlen);

/* source_tap_write - one frame to the peer side. Returns 0, or -1 (counted
 * in tx_errors; a full kernel queue drops the frame as a NIC would). */
int source_tap_write(struct tap_source *t, const uint8_t *frame, size_t len);

/* source_tap_kernel_drops - frames the kernel dropped on its way to us
 * since we attached (the device's tx_dropped: we did not read fast
 * enough, its txqueuelen queue overflowed), or 0. */
uint64_t source_tap_kernel_drops(const struct tap_source *t);

/* source_tap_close - closes fd: a device we created disappears with it; an
 * existing (persistent) one stays for the next run. */
void source_tap_close(struct tap_source *t);

/* tap_name_ok - 1 when s is a usable interface name (1..15 of
 * [A-Za-z0-9_.-], not starting with '-'), else 0. */
int tap_name_ok(const char *s);

#endif
