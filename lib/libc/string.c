/*
 * The mem* and str* functions. The mem* ones move a machine word at a time
 * through unaligned, may_alias word types: the compiler emits plain loads
 * and stores on x86_64, and neither strict aliasing nor UBSan's alignment
 * check is broken. The str* ones go byte by byte, so they never read past
 * a terminating NUL (which keeps ASan quiet on the host test).
 */
#include <stdint.h>
#include <string.h>

/* The header maps these to builtins; here we define the real functions. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen

typedef uintptr_t __attribute__((__may_alias__, __aligned__(1))) uword;
#define W sizeof(uword)

/* ISO C's search functions take const and return non-const pointers. */
#define UNCONST(p) ((void *)(uintptr_t)(p))

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    for (; n >= 4 * W; n -= 4 * W, d += 4 * W, s += 4 * W) {
        uword a = ((const uword *)s)[0], b = ((const uword *)s)[1];
        uword c = ((const uword *)s)[2], e = ((const uword *)s)[3];
        ((uword *)d)[0] = a;
        ((uword *)d)[1] = b;
        ((uword *)d)[2] = c;
        ((uword *)d)[3] = e;
    }
    for (; n >= W; n -= W, d += W, s += W)
        *(uword *)d = *(const uword *)s;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ((uintptr_t)d - (uintptr_t)s >= n) {
        /* d is below s or past its end: copying forwards reads each source
         * word before any store can reach it. */
        for (; n >= W; n -= W, d += W, s += W)
            *(uword *)d = *(const uword *)s;
        while (n--)
            *d++ = *s++;
    } else {
        /* d overlaps the end of s: copy backwards. */
        d += n;
        s += n;
        for (; n >= W; n -= W) {
            d -= W;
            s -= W;
            *(uword *)d = *(const uword *)s;
        }
        while (n--)
            *--d = *--s;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uword w = (uword)-1 / 0xff * (unsigned char)c;

    for (; n >= 4 * W; n -= 4 * W, d += 4 * W) {
        ((uword *)d)[0] = w;
        ((uword *)d)[1] = w;
        ((uword *)d)[2] = w;
        ((uword *)d)[3] = w;
    }
    for (; n >= W; n -= W, d += W)
        *(uword *)d = w;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    /* Skip equal words; the first difference is then found bytewise. */
    for (; n >= W && *(const uword *)p == *(const uword *)q; n -= W)
        p += W, q += W;
    for (; n; n--, p++, q++) {
        if (*p != *q)
            return *p - *q;
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (; n; n--, p++) {
        if (*p == (unsigned char)c)
            return UNCONST(p);
    }
    return NULL;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t i = 0;

    while (i < max && s[i])
        i++;
    return i;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    while (*p && *p == *q)
        p++, q++;
    return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;

    if (n == 0)
        return 0;
    while (--n && *p && *p == *q)
        p++, q++;
    return *p - *q;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return UNCONST(s);
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return UNCONST(last);
    }
}

/* A 256-bit set of bytes, for strspn and strcspn. */
#define BSET_BITS  (8 * sizeof(size_t))
#define BSET_WORDS (256 / BSET_BITS)
#define BSET_ADD(set, b)                                                       \
    ((set)[(b) / BSET_BITS] |= (size_t)1 << (b) % BSET_BITS)
#define BSET_HAS(set, b) (((set)[(b) / BSET_BITS] >> (b) % BSET_BITS) & 1)

size_t strspn(const char *s, const char *accept)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *a = (const unsigned char *)accept;
    size_t set[BSET_WORDS] = {0};

    if (!a[0])
        return 0;
    if (!a[1]) {
        while (*p == a[0])
            p++;
        return (size_t)(p - (const unsigned char *)s);
    }
    for (; *a; a++)
        BSET_ADD(set, *a);
    while (*p && BSET_HAS(set, *p))
        p++;
    return (size_t)(p - (const unsigned char *)s);
}

size_t strcspn(const char *s, const char *reject)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *r = (const unsigned char *)reject;
    size_t set[BSET_WORDS] = {0};

    if (!r[0] || !r[1]) {
        while (*p && *p != r[0])
            p++;
        return (size_t)(p - (const unsigned char *)s);
    }
    for (; *r; r++)
        BSET_ADD(set, *r);
    while (*p && !BSET_HAS(set, *p))
        p++;
    return (size_t)(p - (const unsigned char *)s);
}

char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;

    while ((*d++ = *src++))
        ;
    return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
    char *d = dst + strlen(dst);

    while (n-- && *src)
        *d++ = *src++;
    *d = 0;
    return dst;
}
