/*
 * The server name a ClientHello asks for (RFC 6066 section 3), read
 * through lib/bv before BearSSL reads the same bytes, so that the session
 * cache, which BearSSL asks before it reaches the extensions, can tell a
 * session of the certificate for that name from one of another. Only a
 * hint: BearSSL's own reading decides the handshake.
 */
#include <string.h>
#include <pith/bv.h>
#include "tls_int.h"

/* RFC 5246 6.2.1 (record), 7.4.1.2 (ClientHello); RFC 6066 3 (SNI). */
#define REC_HANDSHAKE   22
#define HS_CLIENT_HELLO 1
#define EXT_SERVER_NAME 0
#define NAME_TYPE_HOST  0
#define RANDOM_LEN      32
#define SERVER_NAME_MAX 255

/* The host_name in the ServerNameList (v); 1, 0 (none) or -1. */
static int host_name(struct bv v, char *out)
{
    struct bv list = bv_sub(&v, 2, bv_be16(&v, 0));

    while (bv_ok(&list) && bv_len(&list) > 0) {
        unsigned type = bv_u8(&list, 0);
        size_t n = bv_be16(&list, 1);
        struct bv name = bv_sub(&list, 3, n);
        bv_shift(&list, 3 + n);
        if (!bv_ok(&list))
            return -1;
        if (type != NAME_TYPE_HOST)
            continue;
        if (n == 0 || n > SERVER_NAME_MAX || bv_copy(&name, 0, out, n) < 0 ||
            memchr(out, '\0', n))
            return -1;
        out[n] = '\0';
        return 1;
    }
    return bv_ok(&list) ? 0 : -1;
}

int tls_hello_sni(const void *data, size_t len, char out[256])
{
    struct bv rec = bv_make(data, len), hs, body, exts;
    size_t off;

    if (bv_u8(&rec, 0) != REC_HANDSHAKE)
        return -1;
    /* The whole first record, and the whole ClientHello in it. */
    hs = bv_sub(&rec, 5, bv_be16(&rec, 3));
    if (bv_u8(&hs, 0) != HS_CLIENT_HELLO)
        return -1;
    body = bv_sub(&hs, 4, (size_t)bv_u8(&hs, 1) << 16 | bv_be16(&hs, 2));
    off = 2 + RANDOM_LEN;
    off += 1 + bv_u8(&body, off);   /* session_id */
    off += 2 + bv_be16(&body, off); /* cipher_suites */
    off += 1 + bv_u8(&body, off);   /* compression_methods */
    if (!bv_ok(&rec) || !bv_ok(&hs) || !bv_ok(&body) || off > bv_len(&body))
        return -1;
    out[0] = '\0';
    if (off == bv_len(&body))
        return 0; /* no extensions */
    exts = bv_sub(&body, off + 2, bv_be16(&body, off));
    while (bv_ok(&exts) && bv_len(&exts) > 0) {
        unsigned type = bv_be16(&exts, 0);
        size_t n = bv_be16(&exts, 2);
        struct bv e = bv_sub(&exts, 4, n);
        bv_shift(&exts, 4 + n);
        if (!bv_ok(&exts))
            return -1;
        if (type == EXT_SERVER_NAME)
            return host_name(e, out);
    }
    return bv_ok(&exts) ? 0 : -1;
}
