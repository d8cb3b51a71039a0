/* Opening the host side of devices: tap interfaces and files. */
#include "tender.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int tender_if_exists(const char *ifname)
{
    char path[64 + IFNAMSIZ];
    struct stat st;
    snprintf(path, sizeof path, "/sys/class/net/%s", ifname);
    return stat(path, &st) == 0;
}

static int tap_attach(const char *ifname, int flags_extra, short ifflags)
{
    struct ifreq ifr;
    int fd;

    if (strlen(ifname) >= IFNAMSIZ) {
        tender_err("tap '%s': interface names have at most %d characters",
                   ifname, IFNAMSIZ - 1);
        return -1;
    }
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | flags_extra);
    if (fd < 0) {
        tender_err("/dev/net/tun: %s", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | ifflags);
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        tender_err("tap '%s': %s%s", ifname, strerror(errno),
                   errno == EPERM || errno == EBUSY
                       ? " (is it a tap owned by someone else, or in use?)"
                       : "");
        close(fd);
        return -1;
    }
    return fd;
}

int tender_tap_open(const struct tender_bind *b, struct plat_net_info *info)
{
    struct ifreq ifr;
    int fd, s, hdrsz;

    if (!tender_if_exists(b->host)) {
        tender_err("--net:%s=%s: no network interface '%s' (create it with "
                   "'ip tuntap add %s mode tap', or use 'pith run' as root)",
                   b->name, b->host, b->host, b->host);
        return -1;
    }
    /* Every frame carries a virtio-net header (the platform adds and
     * strips it), so that an image may turn offloads on without asking
     * the host for anything but the tap's offload flags, which start off:
     * a tap that kept some from an earlier user would send large frames
     * to an image that did not ask. */
    fd = tap_attach(b->host, O_NONBLOCK, IFF_VNET_HDR);
    if (fd < 0)
        return -1;
    hdrsz = 10; /* struct virtio_net_hdr, the platform's LINUX_VNET_HDR_LEN */
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
        ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
        tender_err("tap '%s': cannot set its virtio-net header: %s", b->host,
                   strerror(errno));
        close(fd);
        return -1;
    }
    memset(info, 0, sizeof *info);
    info->caps = PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 | PLAT_NET_CAP_RX_CSUM |
                 PLAT_NET_CAP_RX_TSO4;
    info->mtu = 1500;
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
        memset(&ifr, 0, sizeof ifr);
        memcpy(ifr.ifr_name, b->host, strlen(b->host));
        if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 68)
            info->mtu = (uint32_t)ifr.ifr_mtu;
        close(s);
    }
    if (b->has_mac) {
        memcpy(info->mac, b->mac, 6);
    } else {
        if (getrandom(info->mac, 6, 0) != 6) {
            tender_err("getrandom: %s", strerror(errno));
            close(fd);
            return -1;
        }
        info->mac[0] = (uint8_t)((info->mac[0] & 0xfc) | 0x02);
    }
    return fd;
}

int tender_tap_create(const char *ifname)
{
    struct ifreq ifr;
    int fd = tap_attach(ifname, 0, 0), s, rc = -1;

    if (fd < 0)
        return -1;
    if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
        tender_err("tap '%s': cannot make it persistent: %s", ifname,
                   strerror(errno));
        goto out;
    }
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        tender_err("socket: %s", strerror(errno));
        goto out;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) == 0)
            rc = 0;
    }
    if (rc < 0)
        tender_err("tap '%s': cannot bring it up: %s", ifname, strerror(errno));
    close(s);
out:
    close(fd);
    return rc;
}

int tender_block_open(const struct tender_bind *b, struct plat_block_info *info)
{
    struct stat st;
    int fd = open(b->host, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        tender_err("--block:%s=%s: %s", b->name, b->host, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        tender_err("--block:%s=%s: not a regular file", b->name, b->host);
        close(fd);
        return -1;
    }
    if (st.st_size % 512) {
        tender_err("--block:%s=%s: size %lld is not a multiple of 512 bytes",
                   b->name, b->host, (long long)st.st_size);
        close(fd);
        return -1;
    }
    info->capacity = (uint64_t)st.st_size;
    info->sector_size = 512;
    return fd;
}

int tender_read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        tender_err("%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        tender_err("%s: not a regular file", path);
        close(fd);
        return -1;
    }
    *len = (size_t)st.st_size;
    *buf = malloc(*len ? *len : 1);
    if (!*buf) {
        tender_err("%s: out of memory", path);
        close(fd);
        return -1;
    }
    n = read(fd, *buf, *len);
    close(fd);
    if (n != (ssize_t)*len) {
        tender_err("%s: short read", path);
        free(*buf);
        return -1;
    }
    return 0;
}
