/* abs, bsearch and the two ways out of an image. */
#include <stdint.h>
#include <stdlib.h>
#include <pith/plat.h>

/* The most negative value has no absolute value; negating it in the
 * unsigned type avoids the undefined overflow and gives it back. */
int abs(int x)
{
    return x < 0 ? (int)-(unsigned)x : x;
}

long labs(long x)
{
    return x < 0 ? (long)-(unsigned long)x : x;
}

long long llabs(long long x)
{
    return x < 0 ? (long long)-(unsigned long long)x : x;
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
    const char *lo = base;

    while (n) {
        const char *mid = lo + (n / 2) * size;
        int c = cmp(key, mid);
        if (c == 0)
            return (void *)(uintptr_t)mid; /* ISO C drops the const */
        if (c > 0) {
            lo = mid + size;
            n -= n / 2 + 1;
        } else {
            n /= 2;
        }
    }
    return NULL;
}

void abort(void)
{
    plat_abort();
}

void exit(int status)
{
    plat_exit(status);
}
