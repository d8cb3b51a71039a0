/* stdlib.h: number parsing, sorting, memory and ending, for pith images. */
#ifndef PITH_LIBC_STDLIB_H
#define PITH_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/*
 * Parse an integer in (base) 0 or 2..36 after optional whitespace and sign;
 * base 0 reads a 0x prefix as 16, a leading 0 as 8, else 10, and base 16
 * accepts a 0x prefix. Store in (*endptr), when not NULL, the first byte
 * not used, or (s) when there are no digits. Out of range, return the
 * nearest limit and set errno to ERANGE; the unsigned forms negate a
 * leading '-' in their own type, as ISO C says. A bad base sets EINVAL and
 * returns 0 with (*endptr) = (s). errno is untouched on success.
 */
long strtol(const char *restrict s, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict s, char **restrict endptr, int base);
long long strtoll(const char *restrict s, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict s, char **restrict endptr,
                            int base);
/* (int)strtol(s, NULL, 10), as in glibc. */
int atoi(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

/*
 * Sorts (n) elements of (size) bytes at (base) into the order (cmp) gives.
 * Not stable. O(n log n) comparisons in the worst case (introsort) and
 * O(log n) stack; does not allocate.
 */
void qsort(void *base, size_t n, size_t size,
           int (*cmp)(const void *, const void *));
/* Finds (key) in (n) sorted elements at (base); NULL when absent. */
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

/* Implemented by lib/alloc. */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
void *aligned_alloc(size_t align, size_t size);

/* plat_abort() and plat_exit(status). */
void abort(void) __attribute__((noreturn));
void exit(int status) __attribute__((noreturn));

#endif
