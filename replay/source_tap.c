/*
 * source_tap.c - the TAP "driver": like drivers/net/tun.c seen from the
 * other side. The kernel's tun_net_xmit queues a frame for us; we read it
 * (tun_put_user's job) and hand it to driver_rx → netif_rx as tun_get_user
 * does for frames a program writes. Our writes enter the kernel as frames
 * received on the TAP. Left out: IFF_VNET_HDR (GSO and checksum offload),
 * multiqueue, TUN (IP-only) mode and the packet-info header.
 */
#include "source_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int tap_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= TAP_NAME_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
			return 0;
	return 1;
}

static int open_tun(char *err, size_t errlen)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		snprintf(err, errlen, "/dev/net/tun: %s: this kernel has no TUN/TAP driver loaded; run "
			 "`modprobe tun` (in a container: start it with --device /dev/net/tun --cap-add NET_ADMIN)",
			 strerror(errno));
	else if (errno == EACCES || errno == EPERM)
		snprintf(err, errlen, "/dev/net/tun: permission denied: run as root (sudo netjourney live …) or "
			 "give the binary CAP_NET_ADMIN (sudo setcap cap_net_admin+ep netjourney)");
	else
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
	return -1;
}

/* TUNSETIFF failed: say why in the user's terms. */
static void setiff_error(const char *name, int existed, int e, char *err, size_t errlen)
{
	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "%s TAP device %s: operation not permitted: this needs root or "
			 "CAP_NET_ADMIN (sudo netjourney live …, or sudo setcap cap_net_admin+ep netjourney)",
			 existed ? "attaching to" : "creating", name);
	else if (e == EBUSY)
		snprintf(err, errlen, "TAP device %s is busy: another program (another `netjourney live`?) "
			 "has it open, and a TAP has one reader; stop that program or use another --tap name", name);
	else if (e == EINVAL && existed)
		snprintf(err, errlen, "%s exists but is not a TAP device (a TUN device or another kind of "
			 "interface); choose another --tap name, or remove it with `ip link del %s`", name, name);
	else
		snprintf(err, errlen, "TUNSETIFF %s: %s", name, strerror(e));
}

/* dev_open's part: IFF_UP, as `ip link set NAME up` would. */
static int tap_up(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(err, errlen, "socket for SIOCSIFFLAGS: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (r < 0)
		snprintf(err, errlen, "bringing %s up (SIOCSIFFLAGS): %s%s", name, strerror(errno),
			 errno == EPERM ? ": this needs root or CAP_NET_ADMIN" : "");
	close(s);
	return r < 0 ? -1 : 0;
}

static uint64_t read_tx_dropped(const char *name)
{
	char path[96];
	unsigned long long v = 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped", name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int source_tap_open(struct tap_source *t, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (!tap_name_ok(name)) {
		snprintf(err, errlen, "--tap '%s': expected an interface name of 1-15 letters, digits, '_', '.' "
			 "or '-'", name ? name : "");
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	int existed = if_nametoindex(name) != 0;
	int fd = open_tun(err, errlen);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		setiff_error(name, existed, errno, err, errlen);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "%s: O_NONBLOCK: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (tap_up(name, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	t->fd = fd;
	t->created = !existed;
	t->kdrops0 = read_tx_dropped(name);
	return 0;
}

int source_tap_read(struct tap_source *t, uint8_t *buf, char *err, size_t errlen)
{
	ssize_t n = read(t->fd, buf, TAP_FRAME_MAX);
	if (n > 0) {
		t->rx_frames++;
		return (int)n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	/* EBADFD/EIO: the device was deleted under us (ip link del). */
	snprintf(err, errlen, "reading TAP %s: %s (was the device removed?)", t->name,
		 n == 0 ? "end of file" : strerror(errno));
	return -1;
}

int source_tap_write(struct tap_source *t, const uint8_t *frame, size_t len)
{
	ssize_t n = write(t->fd, frame, len);
	if (n == (ssize_t)len) {
		t->tx_frames++;
		return 0;
	}
	t->tx_errors++;
	return -1;
}

uint64_t source_tap_kernel_drops(const struct tap_source *t)
{
	uint64_t v = read_tx_dropped(t->name);
	return v > t->kdrops0 ? v - t->kdrops0 : 0;
}

void source_tap_close(struct tap_source *t)
{
	if (t->fd < 0)
		return;
	/* Not persistent unless someone (lab-net, ip tuntap) made it so:
	 * closing the last fd unregisters a device we created. */
	close(t->fd);
	t->fd = -1;
}
