/* strings.h: case-insensitive comparison (ASCII, C locale) of pith's libc. */
#ifndef PITH_LIBC_STRINGS_H
#define PITH_LIBC_STRINGS_H

#include <stddef.h>

/*
 * Compare as strcmp/strncmp would after tolower() on each byte; the sign
 * of the result orders the lowered bytes as unsigned char.
 */
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);

#endif
