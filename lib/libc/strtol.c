/*
 * strtol and friends. One scanner reads the magnitude as unsigned long long
 * (noting overflow, and still consuming every digit so that endptr ends
 * where glibc's does); each function then clamps it to its own type.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

/* ISO C's interfaces take const and hand back non-const pointers. */
#define UNCONST(p) ((char *)(uintptr_t)(p))

struct scan {
    unsigned long long mag;
    int neg;      /* a '-' sign was read */
    int overflow; /* the magnitude exceeds ULLONG_MAX */
};

static unsigned digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 32) >= 'a' && (c | 32) <= 'z')
        return (c | 32) - 'a' + 10;
    return 99;
}

/* Returns 0 when no number was read; (*sc) is then all zero. */
static int scan(const char *s, char **endptr, int base, struct scan *sc)
{
    const char *p = s;
    int prefixed = 0, any = 0;

    sc->mag = 0;
    sc->neg = 0;
    sc->overflow = 0;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (endptr)
            *endptr = UNCONST(s);
        return 0;
    }

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '-' || *p == '+')
        sc->neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x') {
        p += 2;
        base = 16;
        prefixed = 1;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }

    for (;; p++) {
        unsigned d = digit_value((unsigned char)*p);
        if (d >= (unsigned)base)
            break;
        any = 1;
        if (sc->mag > (ULLONG_MAX - d) / (unsigned)base)
            sc->overflow = 1;
        else
            sc->mag = sc->mag * (unsigned)base + d;
    }

    if (!any) {
        sc->neg = 0;
        /* "0x" with no hex digit after it is the number 0 followed by
         * "x...", as glibc reads it. */
        if (endptr)
            *endptr = UNCONST(prefixed ? p - 1 : s);
        return 0;
    }
    if (endptr)
        *endptr = UNCONST(p);
    return 1;
}

/* Clamps to [-max - 1, max]. */
static long long to_signed(const struct scan *sc, unsigned long long max)
{
    if (!sc->neg) {
        if (sc->overflow || sc->mag > max) {
            errno = ERANGE;
            return (long long)max;
        }
        return (long long)sc->mag;
    }
    if (sc->overflow || sc->mag > max + 1) {
        errno = ERANGE;
        return -(long long)max - 1;
    }
    return sc->mag ? -(long long)(sc->mag - 1) - 1 : 0;
}

/* Clamps to [0, max], max being 2^k - 1; a '-' negates modulo 2^k. */
static unsigned long long to_unsigned(const struct scan *sc,
                                      unsigned long long max)
{
    if (sc->overflow || sc->mag > max) {
        errno = ERANGE;
        return max;
    }
    return sc->neg ? -sc->mag & max : sc->mag;
}

long strtol(const char *restrict s, char **restrict endptr, int base)
{
    struct scan sc;

    scan(s, endptr, base, &sc);
    return (long)to_signed(&sc, LONG_MAX);
}

long long strtoll(const char *restrict s, char **restrict endptr, int base)
{
    struct scan sc;

    scan(s, endptr, base, &sc);
    return to_signed(&sc, LLONG_MAX);
}

unsigned long strtoul(const char *restrict s, char **restrict endptr, int base)
{
    struct scan sc;

    scan(s, endptr, base, &sc);
    return (unsigned long)to_unsigned(&sc, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict endptr,
                            int base)
{
    struct scan sc;

    scan(s, endptr, base, &sc);
    return to_unsigned(&sc, ULLONG_MAX);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}
