/*
 * The floor for "a process that prints and exits": a static C program
 * that prints CLOCK_MONOTONIC as it enters main, in the same form as the
 * startmark app (main_ns=<ns>), and exits. Built with gcc -O2 -static.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("main_ns=%llu\n", (unsigned long long)ts.tv_sec * 1000000000ull +
                                 (unsigned long long)ts.tv_nsec);
    return 0;
}
