/* stdio.h: formatted output to memory and to the console, for pith images. */
#ifndef PITH_LIBC_STDIO_H
#define PITH_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

/*
 * Formats as ISO C99 does, for the conversions d i u x X o c s p % with
 * the flags - + space # 0, a width and a precision (either may be *), and
 * the length modifiers hh h l ll z j t on d i u x X o. As in glibc, %s of
 * NULL prints "(null)" (nothing when the precision is below 6), %p prints
 * "(nil)" for NULL and otherwise as %#lx (honouring '+' and ' '), and %%
 * ignores flags and width. Not supported: floating point, %n, positional
 * arguments, wide characters, a length modifier on c s p. Such a
 * conversion is copied to the output as written and consumes no argument
 * (beyond a '*' width or precision already read).
 */

/*
 * Writes at most (size) bytes, the last one a NUL, to (buf); (buf) may be
 * NULL when (size) is 0. Returns the length the whole output would have
 * had (without the NUL), so a result >= (size) means it was truncated; -1
 * when that length would exceed INT_MAX.
 */
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
              va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * Write to the console through plat_console_write(), in pieces of any size:
 * nothing is truncated. printf/vprintf return the number of bytes written
 * (-1 past INT_MAX), puts a non-negative number, putchar (unsigned char)c.
 */
int printf(const char *restrict fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
/* Writes (s) and a newline. */
int puts(const char *s);
int putchar(int c);

#endif
