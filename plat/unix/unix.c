/*
 * The unix target: the image is an ordinary Linux process, for
 * development, debuggers and sanitizers. It parses the same run-time
 * options as the spt tender, opens its own devices, and makes its system
 * calls through glibc. It is not confined.
 */
#include "../linux/linux.h"
#include "../../tender/common/tender.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static long ret(long rc)
{
    return rc < 0 ? -errno : rc;
}

long linux_sys_readv(int fd, const struct linux_iovec *iov, int n)
{
    _Static_assert(sizeof(struct linux_iovec) == sizeof(struct iovec),
                   "iovec layout");
    return ret(readv(fd, (const struct iovec *)iov, n));
}

long linux_sys_writev(int fd, const struct linux_iovec *iov, int n)
{
    return ret(writev(fd, (const struct iovec *)iov, n));
}

long linux_sys_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
    return ret(ioctl(fd, cmd, arg));
}

long linux_sys_write(int fd, const void *buf, size_t len)
{
    if (fd == 1)
        fflush(stdout); /* keep the app's printf output in order */
    return ret(write(fd, buf, len));
}

long linux_sys_pread(int fd, void *buf, size_t len, long off)
{
    return ret(pread(fd, buf, len, off));
}

long linux_sys_pwrite(int fd, const void *buf, size_t len, long off)
{
    return ret(pwrite(fd, buf, len, off));
}

long linux_sys_ppoll(struct linux_pollfd *fds, unsigned long nfds,
                     const struct linux_timespec *ts)
{
    /* struct linux_pollfd and struct linux_timespec mirror the kernel's
     * struct pollfd and struct timespec on x86_64. */
    _Static_assert(sizeof(struct linux_pollfd) == sizeof(struct pollfd),
                   "pollfd layout");
    _Static_assert(sizeof(struct linux_timespec) == sizeof(struct timespec),
                   "timespec layout");
    return ret(
        ppoll((struct pollfd *)fds, nfds, (const struct timespec *)ts, NULL));
}

long linux_sys_clock_gettime(int clock, struct linux_timespec *ts)
{
    return ret(clock_gettime(clock, (struct timespec *)ts));
}

long linux_sys_getrandom(void *buf, size_t len, unsigned flags)
{
    return ret(getrandom(buf, len, flags));
}

void linux_sys_exit(int status)
{
    exit(status); /* flushes stdio and runs the sanitizers' exit checks */
}

void linux_sys_abort(void)
{
    fflush(stdout);
    abort();
}

static void usage(const char *prog)
{
    printf("usage: %s [OPTIONS] [-- ARGS...]\n"
           "Runs the pith app %s as a Linux process (target unix).\n\n",
           prog, pith_mft.app);
    tender_usage_options();
}

int main(int argc, char **argv)
{
    static struct plat_start_info si;
    const struct tender_bind *order[PITH_MFT_DEV_MAX];
    struct tender_opts o;
    const char *why;
    void *heap;
    uint32_t i;
    int rc;

    tender_prog = argv[0];
    if (pith_mft_check(&pith_mft, &why) < 0) {
        tender_err("%s", why);
        return TENDER_EXIT_SETUP;
    }
    rc = tender_parse(argc, argv, 0, &o);
    if (rc == 1) {
        usage(argv[0]);
        return 0;
    }
    if (rc < 0 || tender_bind(&pith_mft, &o, order) < 0)
        return TENDER_EXIT_SETUP;
    for (i = 0; i < pith_mft.ndev; i++) {
        struct linux_dev *d = &linux_devs[i];
        d->kind = pith_mft.dev[i].kind;
        d->fd = -1; /* an optional device left unbound: absent */
        if (!order[i])
            continue;
        d->fd = d->kind == PITH_MFT_NET
                    ? tender_tap_open(order[i], &d->net)
                    : tender_block_open(order[i], &d->block);
        if (d->fd < 0)
            return TENDER_EXIT_SETUP;
    }
    si.heap_size = (size_t)(o.mem_mib << 20);
    heap = mmap(NULL, si.heap_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (heap == MAP_FAILED) {
        tender_err("cannot map %llu MiB of heap",
                   (unsigned long long)o.mem_mib);
        return TENDER_EXIT_SETUP;
    }
    si.heap_start = (uintptr_t)heap;
    si.cmdline = o.cmdline;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a console shows whole lines */
    linux_start(&si);
}
