/* Helpers shared by the files of svc/http; not part of its interface. */
#ifndef PITH_SVC_HTTP_INT_H
#define PITH_SVC_HTTP_INT_H

#include <stdint.h>
#include <pith/bv.h>

/* Whether (c) is a tchar (RFC 9110 5.6.2). */
int http_tchar(uint8_t c);

/* The value of the hex digit (c), or -1. */
int http_hexval(uint8_t c);

/* Whether (v) is the ASCII string (s), ignoring case. */
int http_eq_nocase(struct bv *v, const char *s);

/* The next non-empty element of the list (5.6.1) in (*v), trimmed, in
 * (*elem), stepping (*v) past it; 0 at the end. */
int http_list_next(struct bv *v, struct bv *elem);

#endif
