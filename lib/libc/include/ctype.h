/* ctype.h: character classes of the C locale (ASCII) for pith's libc. */
#ifndef PITH_LIBC_CTYPE_H
#define PITH_LIBC_CTYPE_H

/*
 * (c) MUST be EOF or a value of unsigned char (0..255). Bytes 128..255
 * belong to no class. toupper/tolower return (c) unchanged unless it is a
 * lower- (upper-) case ASCII letter.
 */
int isalnum(int c);
int isalpha(int c);
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int isgraph(int c);
int ispunct(int c);
int iscntrl(int c);
int toupper(int c);
int tolower(int c);

#endif
