/* string.h: memory and NUL-terminated string functions of pith's libc. */
#ifndef PITH_LIBC_STRING_H
#define PITH_LIBC_STRING_H

#include <stddef.h>

/*
 * Contracts are those of ISO C. Every pointer MUST be valid for the bytes
 * the function reads or writes; (n) counts bytes. memcpy, strcpy, strncpy,
 * strcat and strncat MUST NOT be given overlapping buffers; memmove may.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
/* Returns strlen(s) or (max), whichever is smaller; reads at most (max). */
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Linear time in the lengths of (hay) and (needle) (Two-Way algorithm). */
char *strstr(const char *hay, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);

char *strcpy(char *restrict dst, const char *restrict src);
/* Pads (dst) with NULs up to (n); does not terminate when src is longer. */
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
/* Appends at most (n) bytes of (src) to (dst), then always a NUL. */
char *strncat(char *restrict dst, const char *restrict src, size_t n);

/*
 * -ffreestanding turns off gcc's knowledge of these functions, so a
 * memcpy() of four bytes would become a call. The builtins let the compiler
 * inline small, constant-sized cases; everything else still calls the
 * functions above.
 */
#define memcpy(d, s, n)  __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n)  __builtin_memset(d, c, n)
#define memcmp(a, b, n)  __builtin_memcmp(a, b, n)
#define strlen(s)        __builtin_strlen(s)

#endif
