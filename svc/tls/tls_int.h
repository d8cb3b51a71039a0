/* Inside svc/tls: what server.c gives conn.c. */
#ifndef PITH_TLS_INT_H
#define PITH_TLS_INT_H

#include <stdint.h>
#include "tls.h"

/* ECDHE over X25519 and P-256 only, from BearSSL's m31 code. */
extern const br_ec_impl tls_ec;

/* Chooses the certificate and suite of a full handshake (server.c). */
extern const br_ssl_server_policy_class tls_policy_class;

/*
 * The set (bit i: certificate i) of certificates that serve the client's
 * name (sni) ("" for none) best: exact names, else wildcards, else the
 * defaults; (*unknown) is 1 when the client named a name none serves.
 */
uint32_t tls_cert_set(const struct tls_server *s, const char *sni,
                      int *unknown);

/*
 * The server name (SNI) the ClientHello at the start of (data), (len)
 * bytes, asks for (hello.c): 1 with it in (out), NUL-terminated; 0 when
 * it asks for none (out is ""); -1 when (data) does not hold the whole
 * first record, or it is not a ClientHello this can read.
 */
int tls_hello_sni(const void *data, size_t len, char out[256]);

/* Wipes (n) bytes at (p), in a way the compiler keeps. */
void tls_wipe(void *p, size_t n);

/* tls_server_add_dir()'s naming convention (files.c): the names a
 * certificate file's base name serves (1), not a certificate (0), or a
 * bad name (-1); and the flags of a certificate serving (names). */
int tls_cert_file_names(const char *base, char *name, size_t cap);
unsigned tls_cert_flags(const char *names, const char *default_name);

#endif
