/* The platform contract on a Linux host: see linux.h. */
#include "linux.h"
#include "../net_meta.h"

struct linux_dev linux_devs[PITH_MFT_DEV_MAX];

void linux_start(const struct plat_start_info *si)
{
    plat_exit(plat_main(si));
}

void plat_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        long n = linux_sys_write(1, buf, len);
        if (n == -LINUX_EINTR)
            continue;
        if (n <= 0)
            return; /* the console is gone: drop, as the contract says */
        buf += n;
        len -= (size_t)n;
    }
}

static uint64_t linux_clock(int clock)
{
    struct linux_timespec ts;
    if (linux_sys_clock_gettime(clock, &ts) < 0)
        linux_sys_abort(); /* only a broken host fails here */
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t plat_clock_monotonic(void)
{
    return linux_clock(LINUX_CLOCK_MONOTONIC);
}

uint64_t plat_clock_wall(void)
{
    return linux_clock(LINUX_CLOCK_REALTIME);
}

void plat_yield(uint64_t deadline, plat_handle_set_t *ready)
{
    struct linux_pollfd fds[PITH_MFT_DEV_MAX];
    plat_handle_t idx[PITH_MFT_DEV_MAX];
    struct linux_timespec ts;
    unsigned long n = 0, i;
    uint64_t now = plat_clock_monotonic(), wait;
    long rc;

    for (i = 0; i < pith_mft.ndev; i++) {
        if (linux_devs[i].kind != PITH_MFT_NET || linux_devs[i].fd < 0)
            continue;
        fds[n].fd = linux_devs[i].fd;
        fds[n].events = LINUX_POLLIN;
        fds[n].revents = 0;
        idx[n++] = i;
    }
    wait = deadline > now ? deadline - now : 0;
    ts.tv_sec = (long)(wait / 1000000000ull);
    ts.tv_nsec = (long)(wait % 1000000000ull);
    *ready = 0;
    rc = linux_sys_ppoll(fds, n, &ts);
    if (rc <= 0)
        return; /* timeout, or EINTR: a spurious wake-up */
    for (i = 0; i < n; i++)
        if (fds[i].revents & LINUX_POLLIN)
            *ready |= 1ull << idx[i];
}

/* Finds the device (name) of (kind) in the manifest, if it is there:
 * an optional device left unbound is absent. */
static int linux_acquire(const char *name, uint32_t kind, plat_handle_t *h)
{
    uint32_t i;
    for (i = 0; i < pith_mft.ndev; i++) {
        const char *a = pith_mft.dev[i].name, *b = name;
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0' && pith_mft.dev[i].kind == kind &&
            linux_devs[i].fd >= 0) {
            *h = i;
            return PITH_OK;
        }
    }
    return PITH_ENOENT;
}

static struct linux_dev *linux_dev(plat_handle_t h, uint32_t kind)
{
    if (h >= pith_mft.ndev || linux_devs[h].kind != kind ||
        linux_devs[h].fd < 0)
        return 0;
    return &linux_devs[h];
}

int plat_net_acquire(const char *name, plat_handle_t *h,
                     struct plat_net_info *info)
{
    int rc = linux_acquire(name, PITH_MFT_NET, h);
    if (rc == PITH_OK)
        *info = linux_devs[*h].net;
    return rc;
}

/* The tap's offload flags for the receive offloads in (caps). */
static unsigned long linux_tun_flags(uint32_t caps)
{
    unsigned long f = 0;
    if (caps & PLAT_NET_CAP_RX_CSUM)
        f |= LINUX_TUN_F_CSUM;
    if (caps & PLAT_NET_CAP_RX_TSO4)
        f |= LINUX_TUN_F_TSO4;
    return f;
}

int plat_net_offload(plat_handle_t h, uint32_t caps)
{
    struct linux_dev *d = linux_dev(h, PITH_MFT_NET);

    if (!d || (caps & ~d->net.caps) ||
        ((caps & PLAT_NET_CAP_TSO4) && !(caps & PLAT_NET_CAP_CSUM)) ||
        ((caps & PLAT_NET_CAP_RX_TSO4) && !(caps & PLAT_NET_CAP_RX_CSUM)))
        return PITH_EINVAL;
    /* What the host may send us is the tap's to know (the tender left
     * it all off); what we send, only ours. */
    if (linux_tun_flags(caps) != linux_tun_flags(d->offload) &&
        linux_sys_ioctl(d->fd, LINUX_TUNSETOFFLOAD, linux_tun_flags(caps)) < 0)
        return PITH_EIO;
    d->offload = caps;
    return PITH_OK;
}

int plat_net_write_iov(plat_handle_t h, const struct plat_net_meta *m,
                       const struct plat_net_iov *iov, unsigned n)
{
    static const struct plat_net_meta none;
    struct linux_dev *d = linux_dev(h, PITH_MFT_NET);
    uint8_t hdr[LINUX_VNET_HDR_LEN];
    struct linux_iovec v[1 + PLAT_NET_IOV_MAX];
    size_t len = 0;
    unsigned i;
    long got;

    if (!m)
        m = &none;
    if (!d || n < 1 || n > PLAT_NET_IOV_MAX)
        return PITH_EINVAL;
    for (i = 0; i < n; i++) {
        v[1 + i] =
            (struct linux_iovec){(void *)(uintptr_t)iov[i].base, iov[i].len};
        len += iov[i].len;
    }
    if (len < 14 || !plat_net_meta_ok(m, d->offload, len, d->net.mtu + 14))
        return PITH_EINVAL;
    hdr[0] = m->flags;
    hdr[1] = m->gso;
    hdr[2] = (uint8_t)m->hdr_len;
    hdr[3] = (uint8_t)(m->hdr_len >> 8);
    hdr[4] = (uint8_t)m->gso_size;
    hdr[5] = (uint8_t)(m->gso_size >> 8);
    hdr[6] = (uint8_t)m->csum_start;
    hdr[7] = (uint8_t)(m->csum_start >> 8);
    hdr[8] = (uint8_t)m->csum_offset;
    hdr[9] = (uint8_t)(m->csum_offset >> 8);
    v[0] = (struct linux_iovec){hdr, sizeof hdr};
    do
        got = linux_sys_writev(d->fd, v, (int)n + 1);
    while (got == -LINUX_EINTR);
    if (got == -LINUX_EAGAIN)
        return PITH_EAGAIN;
    return got == (long)(sizeof hdr + len) ? PITH_OK : PITH_EIO;
}

int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len)
{
    struct plat_net_iov v = {buf, len};
    return plat_net_write_iov(h, m, &v, 1);
}

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    return plat_net_write_meta(h, 0, buf, len);
}

int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m)
{
    struct linux_dev *d = linux_dev(h, PITH_MFT_NET);
    uint8_t hdr[LINUX_VNET_HDR_LEN];
    struct linux_iovec iov[2];
    long n;

    if (!d)
        return PITH_EINVAL;
    iov[0] = (struct linux_iovec){hdr, sizeof hdr};
    iov[1] = (struct linux_iovec){buf, size};
    do
        n = linux_sys_readv(d->fd, iov, 2);
    while (n == -LINUX_EINTR);
    if (n == -LINUX_EAGAIN)
        return PITH_EAGAIN;
    if (n < (long)sizeof hdr)
        return PITH_EIO;
    *len = (size_t)n - sizeof hdr;
    m->flags = hdr[0];
    m->gso = hdr[1];
    m->hdr_len = (uint16_t)(hdr[2] | hdr[3] << 8);
    m->gso_size = (uint16_t)(hdr[4] | hdr[5] << 8);
    m->csum_start = (uint16_t)(hdr[6] | hdr[7] << 8);
    m->csum_offset = (uint16_t)(hdr[8] | hdr[9] << 8);
    /* Only what the image turned on; nothing for a frame that may have
     * been cut to the buffer. */
    if (!(d->offload & PLAT_NET_CAP_RX_CSUM) || *len >= size)
        *m = (struct plat_net_meta){0};
    if (!(d->offload & PLAT_NET_CAP_RX_TSO4) || m->gso != PLAT_NET_GSO_TCP4) {
        m->gso = PLAT_NET_GSO_NONE;
        m->gso_size = m->hdr_len = 0;
    }
    return PITH_OK;
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    struct plat_net_meta m;
    return plat_net_read_meta(h, buf, size, len, &m);
}

int plat_block_acquire(const char *name, plat_handle_t *h,
                       struct plat_block_info *info)
{
    int rc = linux_acquire(name, PITH_MFT_BLOCK, h);
    if (rc == PITH_OK)
        *info = linux_devs[*h].block;
    return rc;
}

/* Checks a block request against the contract; returns the device. */
static struct linux_dev *linux_block_req(plat_handle_t h, uint64_t off,
                                         size_t size)
{
    struct linux_dev *d = linux_dev(h, PITH_MFT_BLOCK);
    if (!d)
        return 0;
    if (off % d->block.sector_size || size % d->block.sector_size)
        return 0;
    if (off > d->block.capacity || size > d->block.capacity - off)
        return 0;
    return d;
}

int plat_block_write(plat_handle_t h, uint64_t offset, const uint8_t *buf,
                     size_t size)
{
    struct linux_dev *d = linux_block_req(h, offset, size);
    if (!d)
        return PITH_EINVAL;
    while (size > 0) {
        long n = linux_sys_pwrite(d->fd, buf, size, (long)offset);
        if (n == -LINUX_EINTR)
            continue;
        if (n <= 0)
            return PITH_EIO;
        buf += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return PITH_OK;
}

int plat_block_read(plat_handle_t h, uint64_t offset, uint8_t *buf, size_t size)
{
    struct linux_dev *d = linux_block_req(h, offset, size);
    if (!d)
        return PITH_EINVAL;
    while (size > 0) {
        long n = linux_sys_pread(d->fd, buf, size, (long)offset);
        if (n == -LINUX_EINTR)
            continue;
        if (n <= 0)
            return PITH_EIO;
        buf += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return PITH_OK;
}

int plat_entropy(uint8_t *buf, size_t len)
{
    while (len > 0) {
        long n = linux_sys_getrandom(buf, len, 0);
        if (n == -LINUX_EINTR)
            continue;
        if (n <= 0)
            return PITH_EIO;
        buf += n;
        len -= (size_t)n;
    }
    return PITH_OK;
}

void plat_exit(int status)
{
    linux_sys_exit(status & 0xff);
}

void plat_abort(void)
{
    linux_sys_abort();
}
