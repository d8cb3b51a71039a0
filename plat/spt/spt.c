/*
 * The spt target, image side: the entry point and the raw system calls.
 * The tender's seccomp filter allows exactly these calls on exactly the
 * devices the manifest declares; anything else kills the image.
 */
#include "../linux/linux.h"
#include "spt_abi.h"

static long spt_syscall(long nr, long a, long b, long c, long d, long e)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

/* x86_64 system call numbers (Linux ABI). */
#define SPT_NR_WRITE         1
#define SPT_NR_IOCTL         16
#define SPT_NR_PREAD64       17
#define SPT_NR_PWRITE64      18
#define SPT_NR_READV         19
#define SPT_NR_WRITEV        20
#define SPT_NR_CLOCK_GETTIME 228
#define SPT_NR_EXIT_GROUP    231
#define SPT_NR_PPOLL         271
#define SPT_NR_GETRANDOM     318

long linux_sys_readv(int fd, const struct linux_iovec *iov, int n)
{
    return spt_syscall(SPT_NR_READV, fd, (long)iov, n, 0, 0);
}

long linux_sys_writev(int fd, const struct linux_iovec *iov, int n)
{
    return spt_syscall(SPT_NR_WRITEV, fd, (long)iov, n, 0, 0);
}

long linux_sys_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
    return spt_syscall(SPT_NR_IOCTL, fd, (long)cmd, (long)arg, 0, 0);
}

long linux_sys_write(int fd, const void *buf, size_t len)
{
    return spt_syscall(SPT_NR_WRITE, fd, (long)buf, (long)len, 0, 0);
}

long linux_sys_pread(int fd, void *buf, size_t len, long off)
{
    return spt_syscall(SPT_NR_PREAD64, fd, (long)buf, (long)len, off, 0);
}

long linux_sys_pwrite(int fd, const void *buf, size_t len, long off)
{
    return spt_syscall(SPT_NR_PWRITE64, fd, (long)buf, (long)len, off, 0);
}

long linux_sys_ppoll(struct linux_pollfd *fds, unsigned long nfds,
                     const struct linux_timespec *ts)
{
    return spt_syscall(SPT_NR_PPOLL, (long)fds, (long)nfds, (long)ts, 0, 8);
}

long linux_sys_clock_gettime(int clock, struct linux_timespec *ts)
{
    return spt_syscall(SPT_NR_CLOCK_GETTIME, clock, (long)ts, 0, 0, 0);
}

long linux_sys_getrandom(void *buf, size_t len, unsigned flags)
{
    return spt_syscall(SPT_NR_GETRANDOM, (long)buf, (long)len, flags, 0, 0);
}

void linux_sys_exit(int status)
{
    for (;;)
        spt_syscall(SPT_NR_EXIT_GROUP, status, 0, 0, 0, 0);
}

void linux_sys_abort(void)
{
    linux_sys_exit(134); /* as a host process killed by SIGABRT */
}

void _start(struct spt_boot_info *bi);

void _start(struct spt_boot_info *bi)
{
    static struct plat_start_info si;
    uint32_t i;

    if (bi->magic != SPT_BOOT_MAGIC || bi->ndev != pith_mft.ndev)
        linux_sys_abort();
    for (i = 0; i < bi->ndev; i++) {
        linux_devs[i].fd = bi->dev[i].fd;
        linux_devs[i].kind = bi->dev[i].kind;
        linux_devs[i].net = bi->dev[i].net;
        linux_devs[i].block = bi->dev[i].block;
    }
    si.cmdline = bi->cmdline;
    si.heap_start = bi->heap_start;
    si.heap_size = bi->heap_size;
    linux_start(&si);
}
