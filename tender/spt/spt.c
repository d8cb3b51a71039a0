/*
 * pith-spt: the tender of the spt target. Loads a freestanding pith image
 * into this process, opens exactly the devices its manifest declares and
 * the command line binds, confines the process with a seccomp allow-list
 * of the few system calls those devices need, and jumps in. From then on
 * the image is the process: it cannot open, map, execute or connect.
 *
 * Layout of guest memory, [SPT_BASE, SPT_BASE + mem):
 *   image segments | heap ... | guard page | stack (SPT_STACK_SIZE)
 */
#include "../common/tender.h"
#include "../../plat/spt/spt_abi.h"

#include <elf.h>
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/if_tun.h>

static struct spt_boot_info boot;

/* What the fault handler needs to name the region a fault hit. */
static struct {
    uint64_t text_lo, text_hi, image_hi, heap_hi, guard_hi, mem_hi;
} layout;

static void usage(void)
{
    printf("usage: pith-spt [OPTIONS] IMAGE [-- ARGS...]\n"
           "Runs the spt image IMAGE confined by seccomp.\n\n");
    tender_usage_options();
}

/* ---- Code that runs after %fs points at the image's thread block: no
 * libc, no stack protector, raw system calls only. ---- */

#define NOSSP __attribute__((no_stack_protector))

/* A system call of up to three arguments; the fourth and fifth are 0,
 * as prctl() demands of unused ones. */
NOSSP static long raw_syscall(long nr, long a, long b, long c)
{
    long ret;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

NOSSP static void raw_puts(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    raw_syscall(SYS_write, 2, (long)s, (long)n);
}

NOSSP static void raw_puthex(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    raw_puts(buf + i);
}

NOSSP static const char *region(uint64_t a)
{
    if (a >= layout.text_lo && a < layout.text_hi)
        return "text";
    if (a >= layout.text_hi && a < layout.image_hi)
        return "image data";
    if (a >= layout.image_hi && a < layout.heap_hi)
        return "heap";
    if (a >= layout.heap_hi && a < layout.guard_hi)
        return "stack guard page: stack overflow";
    if (a >= layout.guard_hi && a < layout.mem_hi)
        return "stack";
    return "outside guest memory";
}

NOSSP static void fault(int sig, siginfo_t *si, void *ctx)
{
    const ucontext_t *uc = ctx;
    uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    uint64_t err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
    const char *name = sig == SIGSEGV  ? "SIGSEGV"
                       : sig == SIGBUS ? "SIGBUS"
                       : sig == SIGILL ? "SIGILL"
                                       : "SIGFPE";

    raw_puts("pith-spt: image fault: ");
    raw_puts(name);
    if (sig == SIGSEGV || sig == SIGBUS) {
        raw_puts((err & 16)  ? ", execute at "
                 : (err & 2) ? ", write at "
                             : ", read at ");
        raw_puthex((uint64_t)si->si_addr);
        raw_puts(" (");
        raw_puts(region((uint64_t)si->si_addr));
        raw_puts(")");
    }
    raw_puts(", rip ");
    raw_puthex(rip);
    raw_puts("\n");
    raw_syscall(SYS_exit_group, 128 + sig, 0, 0);
}

/*
 * Points %fs at the image's thread block, confines the process and jumps
 * to (entry) on the image's stack. Never returns.
 */
NOSSP __attribute__((noreturn)) static void
launch(uint64_t tls, const struct sock_fprog *prog, uint64_t stack_top,
       uint64_t entry)
{
    if (raw_syscall(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, (long)tls, 0) !=
            0 ||
        raw_syscall(SYS_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0) != 0 ||
        raw_syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0,
                    (long)prog) != 0) {
        raw_puts("pith-spt: cannot confine the process\n");
        raw_syscall(SYS_exit_group, TENDER_EXIT_SETUP, 0, 0);
    }
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%1\n\t"
                     "ud2"
                     :
                     : "r"(stack_top), "r"(entry), "D"(&boot)
                     : "memory");
    __builtin_unreachable();
}

/* ---- Set-up, with libc. ---- */

/* Allows (nr) when its first argument equals (a0), or always when
 * (any) is set. */
static int allow(scmp_filter_ctx ctx, int nr, int any, uint64_t a0)
{
    int rc = any ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)
                 : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                    SCMP_A0(SCMP_CMP_EQ, a0));
    if (rc < 0)
        tender_err("seccomp rule for syscall %d: %s", nr, strerror(-rc));
    return rc;
}

/*
 * Allows the one ioctl an image may make, TUNSETOFFLOAD on its tap (fd),
 * with only the flag sets plat_net_offload() asks for: none, checksums,
 * checksums and TCP/IPv4 segments (what the host may send it).
 */
static int allow_offload(scmp_filter_ctx ctx, uint64_t fd)
{
    static const uint64_t flags[] = {0, TUN_F_CSUM, TUN_F_CSUM | TUN_F_TSO4};
    unsigned i;

    for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 3,
                                  SCMP_A0(SCMP_CMP_EQ, fd),
                                  SCMP_A1(SCMP_CMP_EQ, TUNSETOFFLOAD),
                                  SCMP_A2(SCMP_CMP_EQ, flags[i]));
        if (rc < 0) {
            tender_err("seccomp rule for ioctl: %s", strerror(-rc));
            return rc;
        }
    }
    return 0;
}

/*
 * The allow-list: console writes, vectored reads and writes on tap fds
 * (a virtio-net header and a frame) and their offload ioctl, positioned
 * reads and writes on block fds, ppoll, the two clocks, getrandom, and
 * exit_group. Everything else kills the process. The program is exported
 * as BPF now, while libc may still be used; launch() loads it.
 */
static int build_filter(struct sock_fprog *prog)
{
    scmp_filter_ctx ctx;

    /* API level 3 (Linux 4.14+: SECCOMP_RET_KILL_PROCESS) is all the
     * filter uses; setting it spares libseccomp probing the kernel with
     * nine seccomp() calls on every start. */
    if (seccomp_api_set(3) != 0) {
        tender_err("libseccomp: cannot set API level 3");
        return -1;
    }
    ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int fd = -1;
    off_t size;
    int rc = -1;
    uint32_t i;

    if (!ctx) {
        tender_err("seccomp_init failed");
        return -1;
    }
    if (allow(ctx, SCMP_SYS(write), 0, 1) < 0 ||
        allow(ctx, SCMP_SYS(write), 0, 2) < 0 ||
        allow(ctx, SCMP_SYS(ppoll), 1, 0) < 0 ||
        allow(ctx, SCMP_SYS(clock_gettime), 0, CLOCK_MONOTONIC) < 0 ||
        allow(ctx, SCMP_SYS(clock_gettime), 0, CLOCK_REALTIME) < 0 ||
        allow(ctx, SCMP_SYS(getrandom), 1, 0) < 0 ||
        allow(ctx, SCMP_SYS(exit_group), 1, 0) < 0)
        goto out;
    for (i = 0; i < boot.ndev; i++) {
        uint64_t dfd = (uint64_t)boot.dev[i].fd;
        int net = boot.dev[i].kind == PITH_MFT_NET;
        if (boot.dev[i].fd < 0)
            continue; /* absent: nothing to allow */
        if (allow(ctx, net ? SCMP_SYS(readv) : SCMP_SYS(pread64), 0, dfd) < 0 ||
            allow(ctx, net ? SCMP_SYS(writev) : SCMP_SYS(pwrite64), 0, dfd) < 0)
            goto out;
        if (net && allow_offload(ctx, dfd) < 0)
            goto out;
    }
    fd = memfd_create("pith-spt-filter", MFD_CLOEXEC);
    if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0) {
        tender_err("cannot export the seccomp filter");
        goto out;
    }
    size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
        !(prog->filter = malloc((size_t)size)) ||
        pread(fd, prog->filter, (size_t)size, 0) != size) {
        tender_err("cannot read back the seccomp filter");
        goto out;
    }
    prog->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
    return rc;
}

static int install_fault_handlers(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    struct sigaction sa;
    stack_t ss;
    unsigned i;

    ss.ss_size = 64 * 1024;
    ss.ss_flags = 0;
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL) < 0) {
        tender_err("sigaltstack: %s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigfillset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) < 0) {
            tender_err("sigaction: %s", strerror(errno));
            return -1;
        }
    return 0;
}

static int prot_of(uint32_t pf)
{
    return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) |
           ((pf & PF_X) ? PROT_EXEC : 0);
}

int main(int argc, char **argv)
{
    struct tender_opts o;
    struct tender_elf elf;
    const struct tender_bind *order[PITH_MFT_DEV_MAX];
    struct sock_fprog prog;
    uint8_t *img, *mem, *tls;
    size_t len;
    uint64_t mem_size, mem_hi, image_hi = SPT_BASE, text_hi = SPT_BASE;
    uint64_t canary;
    char why[160];
    unsigned i;
    int rc;

    tender_prog = "pith-spt";
    rc = tender_parse(argc, argv, 1, &o);
    if (rc == 1) {
        usage();
        return 0;
    }
    if (rc < 0 || tender_read_file(o.image, &img, &len) < 0)
        return TENDER_EXIT_SETUP;
    mem_size = o.mem_mib << 20;
    mem_hi = SPT_BASE + mem_size;
    if (tender_elf_check(img, len, 1, SPT_BASE, mem_hi, &elf, why, sizeof why) <
        0) {
        tender_err("%s: %s", o.image, why);
        return TENDER_EXIT_SETUP;
    }
    if (elf.mft.target != PITH_TARGET_SPT) {
        tender_err("%s: built for target %s, not spt", o.image,
                   pith_mft_target_name(elf.mft.target));
        return TENDER_EXIT_SETUP;
    }
    if (tender_bind(&elf.mft, &o, order) < 0)
        return TENDER_EXIT_SETUP;

    /* Guest memory, then the segments, each with its own protection. */
    mem =
        mmap((void *)SPT_BASE, mem_size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
             -1, 0);
    if (mem == MAP_FAILED || mem != (uint8_t *)SPT_BASE) {
        tender_err("cannot map %llu MiB of guest memory at %#llx: %s",
                   (unsigned long long)o.mem_mib, (unsigned long long)SPT_BASE,
                   strerror(errno));
        return TENDER_EXIT_SETUP;
    }
    for (i = 0; i < elf.nload; i++) {
        const struct tender_load *l = &elf.load[i];
        uint64_t end = (l->vaddr + l->memsz + SPT_PAGE - 1) & ~(SPT_PAGE - 1);
        memcpy((void *)l->vaddr, img + l->offset, l->filesz);
        if (end > image_hi)
            image_hi = end;
        if ((l->flags & PF_X) && end > text_hi)
            text_hi = end;
    }
    for (i = 0; i < elf.nload; i++) {
        const struct tender_load *l = &elf.load[i];
        uint64_t end = (l->vaddr + l->memsz + SPT_PAGE - 1) & ~(SPT_PAGE - 1);
        if (mprotect((void *)l->vaddr, end - l->vaddr, prot_of(l->flags))) {
            tender_err("mprotect: %s", strerror(errno));
            return TENDER_EXIT_SETUP;
        }
    }
    free(img);
    if (image_hi + SPT_PAGE + SPT_STACK_SIZE + SPT_PAGE > mem_hi) {
        tender_err("--mem=%llu is too small for this image",
                   (unsigned long long)o.mem_mib);
        return TENDER_EXIT_SETUP;
    }
    layout.text_lo = SPT_BASE;
    layout.text_hi = text_hi;
    layout.image_hi = image_hi;
    layout.heap_hi = mem_hi - SPT_STACK_SIZE - SPT_PAGE;
    layout.guard_hi = mem_hi - SPT_STACK_SIZE;
    layout.mem_hi = mem_hi;
    if (mprotect((void *)layout.heap_hi, SPT_PAGE, PROT_NONE)) {
        tender_err("mprotect: %s", strerror(errno));
        return TENDER_EXIT_SETUP;
    }

    /* Devices, in manifest order. */
    boot.magic = SPT_BOOT_MAGIC;
    boot.cmdline = o.cmdline;
    boot.heap_start = image_hi;
    boot.heap_size = layout.heap_hi - image_hi;
    boot.ndev = elf.mft.ndev;
    for (i = 0; i < elf.mft.ndev; i++) {
        struct spt_boot_dev *d = &boot.dev[i];
        d->kind = elf.mft.dev[i].kind;
        d->fd = -1; /* an optional device left unbound: absent */
        if (!order[i])
            continue;
        d->fd = d->kind == PITH_MFT_NET
                    ? tender_tap_open(order[i], &d->net)
                    : tender_block_open(order[i], &d->block);
        if (d->fd < 0)
            return TENDER_EXIT_SETUP;
    }

    /* The image's thread block: self pointer at 0, canary at 0x28, with a
     * zero low byte as glibc does so string overflows cannot forge it. */
    tls = mmap(NULL, SPT_PAGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (tls == MAP_FAILED || getrandom(&canary, sizeof canary, 0) != 8) {
        tender_err("cannot set up the thread block: %s", strerror(errno));
        return TENDER_EXIT_SETUP;
    }
    canary &= ~0xffull;
    memcpy(tls, &tls, sizeof tls);
    memcpy(tls + 0x28, &canary, sizeof canary);

    if (build_filter(&prog) < 0 || install_fault_handlers() < 0)
        return TENDER_EXIT_SETUP;
    fflush(NULL);
    launch((uint64_t)tls, &prog, mem_hi, elf.entry);
}
