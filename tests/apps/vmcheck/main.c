/*
 * vmcheck: exercises the platform below an app (test only). One mode per
 * run, from argv[1]:
 *   exit N       returns N
 *   null         reads through a null pointer
 *   exec         jumps into writable data (must not execute)
 *   overflow     recurses into the stack's guard page
 *   sleep MS     waits MS milliseconds in plat_yield(), then prints how
 *                long the monotonic clock says it took
 *   clock        prints the wall clock's seconds since the epoch
 *   heap         prints the heap's start and size
 *   avx          runs an AVX instruction when CPUID says the CPU has AVX
 *                (the platform must have enabled its state, or #UD)
 */
#include <pith/plat.h>
#include <pith/rt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int *volatile nowhere;
static unsigned char code[16] = {0xc3}; /* ret, in a writable page */

static volatile int depth_limit = 1 << 30;

static int __attribute__((noinline)) deep(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n >= depth_limit)
        return 0;
    return deep(n + 1) + pad[0];
}

int app_main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";

    if (!strcmp(m, "exit") && argc > 2)
        return atoi(argv[2]);
    if (!strcmp(m, "null")) {
        printf("vmcheck: %d\n", *nowhere);
        return 1;
    }
    if (!strcmp(m, "exec")) {
        void (*volatile f)(void) = (void (*)(void))(void *)code;
        f();
        printf("vmcheck: executed data\n");
        return 1;
    }
    if (!strcmp(m, "overflow"))
        return deep(0) ? 1 : 2;
    if (!strcmp(m, "sleep") && argc > 2) {
        uint64_t t0 = plat_clock_monotonic(), ns = strtoull(argv[2], 0, 10);
        uint64_t deadline = t0 + ns * 1000000ull, now;
        plat_handle_set_t ready;
        while ((now = plat_clock_monotonic()) < deadline)
            plat_yield(deadline, &ready);
        printf("slept %llu ms\n", (unsigned long long)((now - t0) / 1000000));
        return 0;
    }
    if (!strcmp(m, "clock")) {
        printf("wall %llu\n",
               (unsigned long long)(plat_clock_wall() / 1000000000ull));
        return 0;
    }
    if (!strcmp(m, "heap")) {
        const struct plat_start_info *si = rt_start_info();
        printf("heap %#lx %lu\n", (unsigned long)si->heap_start,
               (unsigned long)si->heap_size);
        return 0;
    }
    if (!strcmp(m, "avx")) {
        uint32_t a, b, c, d;
        __asm__ volatile("cpuid"
                         : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                         : "a"(1), "c"(0));
        if (!(c & (1u << 28))) {
            printf("vmcheck: no avx\n");
            return 0;
        }
        __asm__ volatile("vxorps %%ymm0, %%ymm0, %%ymm0" : : : "xmm0");
        printf("vmcheck: avx ok\n");
        return 0;
    }
    printf("usage: vmcheck exit N|null|exec|overflow|sleep MS|clock|heap|"
           "avx\n");
    return 2;
}
