/*
 * The virtio target's start: from boot.S's long-mode entry to plat_main().
 * The order matters: the stack protector's canary before any checked
 * function, the console before anything can fail, the boot information
 * before memory is handed out, page tables before devices. The TSC is
 * measured against the PIT across all of it (time_start, which cannot
 * fail, first; then time_init), so the boot waits for no clock of its
 * own; drivers setting up devices must not use the clock yet.
 */
#include <pith/plat.h>
#include <string.h>

#include "cpu.h"
#include "kern.h"
#include "virtio_plat.h"

uint64_t boot_tsc __attribute__((section(".data")));

/* Platform tokens on the command line, not the app's: the VMM's and
 * those of `pith run`. */
static int platform_token(const char *w, size_t n)
{
    return (n > 19 && !memcmp(w, "virtio_mmio.device=", 19)) ||
           (n > 5 && !memcmp(w, "pith.", 5));
}

/* Tokens of `pith run` that ask the platform for something. */
#define ARG_BOOT_TIME     1u /* pith.boot-time: say how long the boot took */
#define ARG_DEBUG_CMDLINE 2u /* pith.debug-cmdline: print the command line */

/* Copies the app's words of (line) into (out), single-spaced; returns
 * the ARG_* tokens among the others. One pass: each piece of code the
 * boot runs is translated first under emulation (docs/BENCHMARKS.md). */
static unsigned app_args(const char *line, char *out, size_t size)
{
    size_t o = 0;
    unsigned args = 0;
    while (*line) {
        const char *w;
        size_t n;
        while (*line == ' ' || *line == '\t' || *line == '\n')
            line++;
        w = line;
        while (*line && *line != ' ' && *line != '\t' && *line != '\n')
            line++;
        n = (size_t)(line - w);
        if (!n)
            continue;
        if (platform_token(w, n)) {
            if (n == 14 && !memcmp(w, "pith.boot-time", 14))
                args |= ARG_BOOT_TIME;
            else if (n == 18 && !memcmp(w, "pith.debug-cmdline", 18))
                args |= ARG_DEBUG_CMDLINE;
            continue;
        }
        if (o + n + 2 > size)
            break; /* cannot happen: (out) is as large as the line */
        if (o)
            out[o++] = ' ';
        memcpy(out + o, w, n);
        o += n;
    }
    out[o] = '\0';
    return args;
}

static uint64_t canary_seed(void)
{
    uint32_t r[4];
    uint64_t v = cpu_rdtsc() ^ (uint64_t)(uintptr_t)&r;
    unsigned i;

    kern_cpuid(1, 0, r);
    if (r[2] & (1u << 30)) { /* RDRAND */
        for (i = 0; i < 10; i++) {
            uint64_t x;
            uint8_t ok;
            __asm__ volatile("rdrand %0; setc %1" : "=r"(x), "=qm"(ok));
            if (ok)
                return v ^ x;
        }
    }
    return v * 0x9e3779b97f4a7c15ull;
}

void kern_main(uint32_t proto, uint32_t info);

__attribute__((no_stack_protector)) void kern_main(uint32_t proto,
                                                   uint32_t info)
{
    static char args[4096];
    static struct plat_start_info si;
    uint64_t c = canary_seed();
    unsigned flags;

    kern_tcb[0] = (uint64_t)(uintptr_t)kern_tcb;
    kern_tcb[5] = c & ~0xffull; /* a zero byte stops string overruns */

    time_start();
    console_init();
    if (proto == BOOT_NONE)
        kern_panic("started by an unknown loader (neither PVH nor "
                   "multiboot)");
    mem_init(proto, info);
    cpu_init();
    cpu_paging_init();
    intr_init();
    kern_devices_init();
    time_init();

    flags = app_args(kern_cmdline(), args, sizeof args);
    si.cmdline = args;
    mem_heap(&si.heap_start, &si.heap_size);
    if (flags & ARG_BOOT_TIME)
        kern_printf(
            "pith: boot took %lu us (first instruction to "
            "plat_main, %s)\n",
            (unsigned long)(time_cycles_ns(cpu_rdtsc() - boot_tsc) / 1000),
            proto == BOOT_PVH ? "PVH" : "multiboot");
    if (flags & ARG_DEBUG_CMDLINE)
        kern_printf("pith: command line: %s\n", kern_cmdline());
    plat_exit(plat_main(&si));
}
