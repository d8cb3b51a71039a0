/* wtext: tries to patch its own text (test only). */
#include <stdint.h>
#include <stdio.h>
#include <pith/rt.h>

int app_main(int argc, char **argv)
{
    volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)&app_main;
    (void)argc;
    (void)argv;
    *code = 0xc3; /* ret */
    printf("wtext: wrote to text\n");
    return 1;
}
