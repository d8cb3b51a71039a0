/* The failure half of assert(). */
#include <assert.h>
#include <stdio.h>
#include <pith/plat.h>

void __assert_fail(const char *expr, const char *file, unsigned int line,
                   const char *func)
{
    printf("assertion failed: %s (%s:%u, %s)\n", expr, file, line, func);
    plat_abort();
}
