/* The platform contract on a Linux host: see linux.h. */
#include "linux.h"

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

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    struct linux_dev *d = linux_dev(h, PITH_MFT_NET);
    long n;

    if (!d || len < 14 || len > d->net.mtu + 14)
        return PITH_EINVAL;
    do
        n = linux_sys_write(d->fd, buf, len);
    while (n == -LINUX_EINTR);
    if (n == -LINUX_EAGAIN)
        return PITH_EAGAIN;
    return n == (long)len ? PITH_OK : PITH_EIO;
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    struct linux_dev *d = linux_dev(h, PITH_MFT_NET);
    long n;

    if (!d)
        return PITH_EINVAL;
    do
        n = linux_sys_read(d->fd, buf, size);
    while (n == -LINUX_EINTR);
    if (n == -LINUX_EAGAIN)
        return PITH_EAGAIN;
    if (n < 0)
        return PITH_EIO;
    *len = (size_t)n;
    return PITH_OK;
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
