/* smash: writes past a stack buffer (test only). */
#include <stdio.h>
#include <pith/rt.h>

static volatile unsigned long overrun = 64;

static void __attribute__((noinline)) victim(char fill)
{
    char buf[16];
    unsigned long i;
    for (i = 0; i < overrun; i++)
        buf[i] = fill;
    __asm__ volatile("" : : "r"(buf) : "memory");
}

int app_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    victim('A');
    printf("smash: returned from a smashed frame\n");
    return 1;
}
