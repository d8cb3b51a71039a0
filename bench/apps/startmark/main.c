/*
 * startmark: the app bench/startbench times. On entry it prints the
 * monotonic clock as one line, main_ns=<ns>, and returns 0. It learns the
 * time only through the platform contract; on the unix and spt targets
 * that clock is the host's CLOCK_MONOTONIC, so the harness can subtract
 * its own reading taken before it started the process.
 */
#include <stdio.h>
#include <pith/plat.h>
#include <pith/rt.h>

int app_main(int argc, char **argv)
{
    uint64_t now = plat_clock_monotonic();

    (void)argc;
    (void)argv;
    printf("main_ns=%llu\n", (unsigned long long)now);
    return 0;
}
