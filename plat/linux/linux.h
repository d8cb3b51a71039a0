/*
 * The platform contract on a Linux host, shared by the unix and spt
 * targets. Both reach the host through the same handful of system calls;
 * they differ only in how a call is made (glibc for unix, a raw `syscall`
 * instruction for spt, whose tender's seccomp filter allows exactly these)
 * and in who opens the devices (the process itself, or the tender).
 *
 * Private to plat/: nothing above the contract includes this.
 */
#ifndef PITH_PLAT_LINUX_H
#define PITH_PLAT_LINUX_H

#include <pith/plat.h>
#include <pith/mft.h>

/* One attached device, indexed like the manifest's device list. */
struct linux_dev {
    int fd;        /* host file descriptor: a tap queue or an open file;
                      -1 for an optional device left unbound (absent) */
    uint32_t kind; /* PITH_MFT_NET or PITH_MFT_BLOCK */
    struct plat_net_info net;
    struct plat_block_info block;
    uint32_t offload; /* net: the PLAT_NET_CAP_* the image turned on */
};

/* Filled in by the target's start code before linux_start(). */
extern struct linux_dev linux_devs[PITH_MFT_DEV_MAX];

/*
 * Hands over to the image: records the start info and calls plat_main(),
 * then exits with its status. The device table must be complete.
 */
void linux_start(const struct plat_start_info *si) __attribute__((noreturn));

/*
 * The system calls, implemented per target. Each returns the kernel's
 * result: a non-negative value, or -errno.
 */
struct linux_pollfd {
    int fd;
    short events;
    short revents;
};
struct linux_timespec {
    long tv_sec;
    long tv_nsec;
};
struct linux_iovec {
    void *base;
    size_t len;
};

/*
 * The header in front of every frame on a tap opened with IFF_VNET_HDR
 * (struct virtio_net_hdr, 10 bytes, little-endian as the host is): the
 * tender opens every tap so, and the platform adds and strips it.
 */
#define LINUX_VNET_HDR_LEN 10

long linux_sys_read(int fd, void *buf, size_t len);
long linux_sys_write(int fd, const void *buf, size_t len);
long linux_sys_readv(int fd, const struct linux_iovec *iov, int n);
long linux_sys_writev(int fd, const struct linux_iovec *iov, int n);
long linux_sys_ioctl(int fd, unsigned long cmd, unsigned long arg);
long linux_sys_pread(int fd, void *buf, size_t len, long off);
long linux_sys_pwrite(int fd, const void *buf, size_t len, long off);
long linux_sys_ppoll(struct linux_pollfd *fds, unsigned long nfds,
                     const struct linux_timespec *ts);
long linux_sys_clock_gettime(int clock, struct linux_timespec *ts);
long linux_sys_getrandom(void *buf, size_t len, unsigned flags);
void linux_sys_exit(int status) __attribute__((noreturn));
void linux_sys_abort(void) __attribute__((noreturn));

/* Linux ABI values used above (stable kernel ABI, not host headers). */
#define LINUX_EAGAIN          11
#define LINUX_EINTR           4
#define LINUX_POLLIN          0x001
#define LINUX_CLOCK_REALTIME  0
#define LINUX_CLOCK_MONOTONIC 1
/* <linux/if_tun.h>: _IOW('T', 208, unsigned int), and its flags. */
#define LINUX_TUNSETOFFLOAD 0x400454d0ul
#define LINUX_TUN_F_CSUM    0x01
#define LINUX_TUN_F_TSO4    0x02

#endif
