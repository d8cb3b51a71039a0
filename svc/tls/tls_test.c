/*
 * Unit test of svc/tls: BearSSL's own client engine against a server
 * connection, in memory, with the records moved in pieces of every size.
 * Certificates and keys come from a throwaway PKI made at build time
 * (tests/tools/tlscerts.sh), also served as baked-in files through
 * lib/files for tls_server_add_dir().
 */
#include <stdlib.h>
#include <string.h>
#include <pith/files.h>
#include <pith/plat.h>

#include "unit.h"
#include "testcerts.h"
#include "tls.h"
#include "tls_int.h"

/* ---- A fake platform and a table of baked-in files -------------------- */

static int entropy_fails;
static uint64_t entropy_state = 0x9e3779b97f4a7c15ull;

int plat_entropy(uint8_t *buf, size_t len)
{
    size_t i;

    if (entropy_fails)
        return PITH_EIO;
    for (i = 0; i < len; i++) {
        entropy_state ^= entropy_state << 13;
        entropy_state ^= entropy_state >> 7;
        entropy_state ^= entropy_state << 17;
        buf[i] = (uint8_t)entropy_state;
    }
    return PITH_OK;
}

#define FILE_ENTRY(path, data) {path, (const uint8_t *)data, sizeof data - 1},
const struct pith_file pith_files[] = {TLS_TEST_FILES(FILE_ENTRY)};
const unsigned pith_nfiles = sizeof pith_files / sizeof pith_files[0];

#define PEM(x) x, sizeof x - 1

/* ---- Trust anchors for the client ------------------------------------ */

struct der {
    unsigned char b[8192];
    size_t len;
};

static void der_append(void *ctx, const void *p, size_t n)
{
    struct der *d = ctx;

    if (n <= sizeof d->b - d->len) {
        memcpy(d->b + d->len, p, n);
        d->len += n;
    }
}

/* The DER of the first object of (pem). */
static size_t pem_first(const char *pem, struct der *d)
{
    br_pem_decoder_context pc;
    size_t len = strlen(pem);
    int done = 0;

    d->len = 0;
    br_pem_decoder_init(&pc);
    while (len && !done) {
        size_t n = br_pem_decoder_push(&pc, pem, len);
        pem += n;
        len -= n;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            br_pem_decoder_setdest(&pc, der_append, d);
            break;
        case BR_PEM_END_OBJ:
            done = 1;
            break;
        default:
            break;
        }
    }
    return d->len;
}

struct anchor {
    br_x509_trust_anchor ta;
    struct der dn;
    unsigned char key[1024];
};

static int make_anchor(struct anchor *a, const char *pem)
{
    static struct der cert;
    br_x509_decoder_context xd;
    const br_x509_pkey *pk;

    memset(a, 0, sizeof *a);
    if (!pem_first(pem, &cert))
        return -1;
    br_x509_decoder_init(&xd, der_append, &a->dn);
    br_x509_decoder_push(&xd, cert.b, cert.len);
    pk = br_x509_decoder_get_pkey(&xd);
    if (!pk || pk->key_type != BR_KEYTYPE_EC)
        return -1;
    a->ta.dn.data = a->dn.b;
    a->ta.dn.len = a->dn.len;
    a->ta.flags = BR_X509_TA_CA;
    a->ta.pkey = *pk;
    memcpy(a->key, pk->key.ec.q, pk->key.ec.qlen);
    a->ta.pkey.key.ec.q = a->key;
    return 0;
}

static struct anchor root, other_root;

/* ---- A client: BearSSL's engine, validating the chain ---------------- */

/*
 * An X.509 engine that validates the chain like br_x509_minimal but
 * ignores the name (so that a client may send an SNI name the server
 * has no certificate for and still see which one it got).
 */
struct anyname {
    const br_x509_class *vtable;
    br_x509_minimal_context *inner;
};

static struct anyname *anyname_of(const br_x509_class **c)
{
    return (struct anyname *)c;
}
static void an_start_chain(const br_x509_class **c, const char *name)
{
    br_x509_minimal_context *m = anyname_of(c)->inner;
    (void)name;
    m->vtable->start_chain(&m->vtable, NULL);
}
static void an_start_cert(const br_x509_class **c, uint32_t len)
{
    br_x509_minimal_context *m = anyname_of(c)->inner;
    m->vtable->start_cert(&m->vtable, len);
}
static void an_append(const br_x509_class **c, const unsigned char *b, size_t n)
{
    br_x509_minimal_context *m = anyname_of(c)->inner;
    m->vtable->append(&m->vtable, b, n);
}
static void an_end_cert(const br_x509_class **c)
{
    br_x509_minimal_context *m = anyname_of(c)->inner;
    m->vtable->end_cert(&m->vtable);
}
static unsigned an_end_chain(const br_x509_class **c)
{
    br_x509_minimal_context *m = anyname_of(c)->inner;
    return m->vtable->end_chain(&m->vtable);
}
static const br_x509_pkey *an_get_pkey(const br_x509_class *const *c,
                                       unsigned *usages)
{
    const struct anyname *a = (const struct anyname *)c;
    return a->inner->vtable->get_pkey(&a->inner->vtable, usages);
}
static const br_x509_class anyname_class = {
    sizeof(struct anyname),
    an_start_chain,
    an_start_cert,
    an_append,
    an_end_cert,
    an_end_chain,
    an_get_pkey,
};

struct client {
    br_ssl_client_context cc;
    br_x509_minimal_context xc;
    struct anyname an;
    unsigned char buf[BR_SSL_BUFSIZE_BIDI];
};

static br_ec_impl client_p384; /* br_ec_prime_i31 offering P-384 only */

enum {
    C_DEFAULT = 0,
    C_ANY_NAME = 1,   /* do not check the certificate's name */
    C_TLS11 = 2,      /* TLS 1.0 and 1.1 only */
    C_CBC = 4,        /* CBC suites only */
    C_RSA = 8,        /* ECDHE_RSA suites only */
    C_ECDSA = 16,     /* ECDHE_ECDSA suites only */
    C_CHAPOL = 32,    /* ChaCha20-Poly1305 only */
    C_AES256 = 64,    /* AES-256-GCM only */
    C_P256 = 128,     /* ECDHE over P-256 only */
    C_P384 = 256,     /* ECDHE over P-384 only */
    C_OTHER_CA = 512, /* trust a CA that signed nothing here */
};

/* Starts (cl) for (name) (NULL: no SNI), resuming (sess) when given. */
static void client_start(struct client *cl, const char *name, unsigned opts,
                         const br_ssl_session_parameters *sess)
{
    static const uint16_t cbc[] = {
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        BR_TLS_RSA_WITH_AES_128_CBC_SHA,
    };
    static const uint16_t rsa[] = {
        BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    static const uint16_t ecdsa[] = {
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    static const uint16_t chapol[] = {
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    static const uint16_t aes256[] = {
        BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    };
    br_ssl_engine_context *e = &cl->cc.eng;

    memset(cl, 0, sizeof *cl);
    br_ssl_client_init_full(&cl->cc, &cl->xc,
                            opts & C_OTHER_CA ? &other_root.ta : &root.ta, 1);
    if (opts & C_ANY_NAME) {
        cl->an.vtable = &anyname_class;
        cl->an.inner = &cl->xc;
        br_ssl_engine_set_x509(e, &cl->an.vtable);
    }
    if (opts & C_TLS11)
        br_ssl_engine_set_versions(e, BR_TLS10, BR_TLS11);
    if (opts & C_CBC)
        br_ssl_engine_set_suites(e, cbc, 4);
    if (opts & C_RSA)
        br_ssl_engine_set_suites(e, rsa, 2);
    if (opts & C_ECDSA)
        br_ssl_engine_set_suites(e, ecdsa, 2);
    if (opts & C_CHAPOL)
        br_ssl_engine_set_suites(e, chapol, 2);
    if (opts & C_AES256)
        br_ssl_engine_set_suites(e, aes256, 2);
    if (opts & C_P256)
        br_ssl_engine_set_ec(e, &br_ec_p256_m31);
    if (opts & C_P384) {
        client_p384 = br_ec_prime_i31;
        client_p384.supported_curves = 1u << BR_EC_secp384r1;
        br_ssl_engine_set_ec(e, &client_p384);
    }
    br_ssl_engine_set_buffer(e, cl->buf, sizeof cl->buf, 1);
    if (sess)
        br_ssl_engine_set_session_parameters(e, sess);
    br_ssl_client_reset(&cl->cc, name, sess != NULL);
}

/* ---- Moving bytes ----------------------------------------------------- */

/* The server side of a test: a connection, its buffer, echoing or not. */
struct server_side {
    struct tls_conn t;
    unsigned char *buf;
    int echo;
    size_t echoed;
};

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/*
 * Moves records both ways, (chunk) bytes at most each time, and runs the
 * server's echo, until nothing moves.
 */
static void pump(struct client *cl, struct server_side *sv, size_t chunk)
{
    br_ssl_engine_context *e = &cl->cc.eng;
    int moved, rounds = 0;

    do {
        unsigned char *p;
        size_t len, n;
        struct bv v;
        moved = 0;
        p = br_ssl_engine_sendrec_buf(e, &len);
        if (p && len) {
            n = tls_conn_feed(&sv->t, p, len < chunk ? len : chunk);
            if (n) {
                br_ssl_engine_sendrec_ack(e, n);
                moved = 1;
            }
        }
        len = tls_conn_out(&sv->t, &v);
        if (len) {
            size_t room;
            p = br_ssl_engine_recvrec_buf(e, &room);
            if (p && room) {
                n = min3(len, room, chunk);
                memcpy(p, bv_ptr(&v, 0, n), n);
                br_ssl_engine_recvrec_ack(e, n);
                tls_conn_out_ack(&sv->t, n);
                moved = 1;
            }
        }
        if (sv->echo) {
            while ((len = tls_conn_peek(&sv->t, &v)) > 0) {
                long w;
                if (sv->echo == 2) {
                    /* Straight into the record: tls_conn_write_buf. */
                    void *room;
                    w = tls_conn_write_buf(&sv->t, &room);
                    if (w > 0) {
                        w = (long)min3((size_t)w, len, chunk);
                        memcpy(room, bv_ptr(&v, 0, (size_t)w), (size_t)w);
                        tls_conn_write_ack(&sv->t, (size_t)w);
                    }
                } else {
                    w = tls_conn_write(&sv->t, bv_ptr(&v, 0, len),
                                       len < chunk ? len : chunk);
                }
                if (w <= 0)
                    break;
                tls_conn_consume(&sv->t, (size_t)w);
                sv->echoed += (size_t)w;
                moved = 1;
            }
            tls_conn_flush(&sv->t);
        }
    } while (moved && ++rounds < 1000000);
}

static struct tls_server srv;
static struct client *cl;
static struct server_side *sv;

static void server_start(size_t bufsize)
{
    free(sv->buf);
    sv->buf = malloc(bufsize);
    T_CHECK(tls_conn_init(&sv->t, &srv, sv->buf, bufsize) == PITH_OK);
    sv->echo = 0;
    sv->echoed = 0;
}

/* A handshake between a fresh client and server connection; returns the
 * client's error (0 when it completed). */
static int handshake(const char *name, unsigned opts,
                     const br_ssl_session_parameters *sess, size_t chunk)
{
    struct bv v;

    server_start(TLS_CONN_BUFSIZE);
    client_start(cl, name, opts, sess);
    pump(cl, sv, chunk);
    /* A client that failed reads no more: what the server still sends
     * (an alert) goes nowhere, as over TCP to a closed socket. */
    if (br_ssl_engine_current_state(&cl->cc.eng) == BR_SSL_CLOSED)
        while (tls_conn_out(&sv->t, &v) > 0)
            tls_conn_out_ack(&sv->t, bv_len(&v));
    return br_ssl_engine_last_error(&cl->cc.eng);
}

static int client_ready(void)
{
    return (br_ssl_engine_current_state(&cl->cc.eng) & BR_SSL_SENDAPP) != 0;
}

/* The index of the certificate serving names (names) in (srv). */
static int cert_named(const char *names, int key_type)
{
    unsigned i;

    for (i = 0; i < srv.ncerts; i++)
        if (strcmp(srv.certs[i].names, names) == 0 &&
            srv.certs[i].key_type == key_type)
            return (int)i;
    return -2;
}

/* ---- Tests ------------------------------------------------------------ */

static void test_anchors(void)
{
    T_CHECK(make_anchor(&root, tc_ca_pem) == 0);
    T_CHECK(make_anchor(&other_root, tc_other_ca_pem) == 0);
}

/* Certificates go in from PEM and from the baked-in folder; what does
 * not fit the contract is refused with a reason. */
static void test_setup(void)
{
    struct tls_server s;
    char err[256];
    int rc;

    T_CHECK(tls_server_init(&s, 0) == PITH_OK);
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM("garbage"),
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "no CERTIFICATE"), "%s", err);
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM("nothing"), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "key: no"), "%s", err);
    /* A key that is not the certificate's. */
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_default_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "does not match"), "%s", err);
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_rsa_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "type"), "%s", err);
    /* P-384 and RSA-1024 keys are refused. */
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_extra_p384_crt),
                               PEM(tc_extra_p384_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "P-256"), "%s", err);
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_extra_rsa1024_crt),
                               PEM(tc_extra_rsa1024_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECKF(strstr(err, "1024 bits"), "%s", err);
    /* Names. */
    T_CHECK(tls_server_add_pem(&s, "", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECK(tls_server_add_pem(&s, "a.test *x.test",
                               PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECK(tls_server_add_pem(&s, "a/b", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    /* Truncated PEM. */
    T_CHECK(tls_server_add_pem(&s, "x.test", tc_certs_ec_test_ec_test_crt, 300,
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_EINVAL);
    T_CHECK(s.ncerts == 0);
    /* No certificate: no connection. */
    {
        static unsigned char buf[TLS_CONN_BUFSIZE];
        struct tls_conn c;
        T_CHECK(tls_conn_init(&c, &s, buf, sizeof buf) == PITH_EINVAL);
    }
    /* Good ones, then the limit. */
    for (rc = 0; rc < TLS_SERVER_CERTS_MAX; rc++)
        T_CHECK(tls_server_add_pem(&s, "a.test *.b.test",
                                   PEM(tc_certs_ec_test_ec_test_crt),
                                   PEM(tc_certs_ec_test_ec_test_key), 0, err,
                                   sizeof err) == PITH_OK);
    T_CHECK(tls_server_add_pem(&s, "x.test", PEM(tc_certs_ec_test_ec_test_crt),
                               PEM(tc_certs_ec_test_ec_test_key), 0, err,
                               sizeof err) == PITH_ELIMIT);
    tls_server_release(&s);

    /* From files: one pair, a missing one, then the folder. */
    T_CHECK(tls_server_init(&s, 0) == PITH_OK);
    T_CHECK(tls_server_add_files(&s, "rsa.test", "certs/rsa.test.crt",
                                 "certs/rsa.test.key", 0, err,
                                 sizeof err) == PITH_OK);
    T_CHECK(s.certs[0].key_type == BR_KEYTYPE_RSA &&
            s.certs[0].key_bits == 2048 && s.certs[0].chain_len == 2);
    T_CHECK(tls_server_add_files(&s, "no.test", "certs/no.crt", "certs/no.key",
                                 0, err, sizeof err) == PITH_ENOENT);
    T_CHECKF(strstr(err, "certs/no.crt"), "%s", err);
    tls_server_release(&s);
    T_CHECK(tls_server_init(&s, 0) == PITH_OK);
    rc = tls_server_add_dir(&s, "certs", "default.test", err, sizeof err);
    T_CHECKF(rc == 5, "add_dir: %d %s", rc, err);
    T_CHECK(tls_server_add_dir(&s, "nothing", NULL, err, sizeof err) == 0);
    tls_server_release(&s);

    /* Entropy failing. */
    entropy_fails = 1;
    T_CHECK(tls_server_init(&s, 0) == PITH_EIO);
    entropy_fails = 0;
}

/* The server every later test uses: the test PKI's folder, a small cache. */
static void test_server(void)
{
    char err[256];
    int rc;

    T_CHECK(tls_server_init(&srv, 4) == PITH_OK);
    rc = tls_server_add_dir(&srv, "certs", "default.test", err, sizeof err);
    T_CHECKF(rc == 5, "%d %s", rc, err);
    T_CHECK(cert_named("ec.test *.ec.test", BR_KEYTYPE_EC) >= 0);
    T_CHECK(cert_named("dual.test", BR_KEYTYPE_RSA) >= 0);
    T_CHECK(srv.certs[cert_named("default.test", BR_KEYTYPE_EC)].flags ==
            TLS_CERT_DEFAULT);
}

/* The AES-NI and PCLMULQDQ code when the CPU has them. */
static void test_impl(void)
{
    struct tls_impl im;

    tls_server_impl(&srv, &im);
    printf("# aes %s, ghash %s, chacha20 %s, poly1305 %s\n", im.aes, im.ghash,
           im.chacha20, im.poly1305);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("aes"))
        T_CHECK(strcmp(im.aes, "x86ni") == 0);
    if (__builtin_cpu_supports("pclmul"))
        T_CHECK(strcmp(im.ghash, "pclmul") == 0);
    if (__builtin_cpu_supports("sse2"))
        T_CHECK(strcmp(im.chacha20, "sse2") == 0);
    T_CHECK(strcmp(im.poly1305, "ctmulq") == 0);
    /* AES-GCM first with AES-NI, else ChaCha20. */
    if (strcmp(im.aes, "x86ni") == 0)
        T_CHECK(srv.suites[0] == BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
}

/* ECDSA chain, validated by the client against the root; SNI, and the
 * records cut into every size from 1 byte up. */
static void test_handshake_ecdsa(void)
{
    static const size_t chunks[] = {1, 2, 5, 7, 100, 517, 4096, 1 << 20};
    struct tls_conn_info in;
    size_t i;

    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        int err = handshake("ec.test", C_DEFAULT, NULL, chunks[i]);
        T_CHECKF(err == 0 && client_ready(), "chunk %zu: client error %d",
                 chunks[i], err);
        T_CHECK(tls_conn_ready(&sv->t));
        tls_conn_info(&sv->t, &in);
        T_CHECK(in.version == BR_TLS12);
        T_CHECK(in.cert == cert_named("ec.test *.ec.test", BR_KEYTYPE_EC));
        T_CHECK(in.curve == BR_EC_curve25519 && !in.resumed);
        T_CHECK(strcmp(in.server_name, "ec.test") == 0);
        T_CHECK(in.suite == srv.suites[0]);
        tls_conn_release(&sv->t);
    }
    /* The wildcard, in any case. */
    T_CHECK(handshake("WWW.Ec.Test", C_DEFAULT, NULL, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("ec.test *.ec.test", BR_KEYTYPE_EC));
    tls_conn_release(&sv->t);
    /* A client trusting another CA refuses the chain. */
    T_CHECK(handshake("ec.test", C_OTHER_CA, NULL, 1000) ==
            BR_ERR_X509_NOT_TRUSTED);
    tls_conn_release(&sv->t);
}

/* RSA; a name with both kinds of certificate; the default. */
static void test_sni(void)
{
    struct tls_conn_info in;
    struct tls_stats st;
    uint64_t unknown;

    T_CHECK(handshake("rsa.test", C_DEFAULT, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("rsa.test", BR_KEYTYPE_RSA));
    T_CHECK(in.suite == BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ||
            in.suite == BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
    tls_conn_release(&sv->t);

    T_CHECK(handshake("dual.test", C_DEFAULT, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("dual.test", BR_KEYTYPE_EC));
    tls_conn_release(&sv->t);
    T_CHECK(handshake("dual.test", C_RSA, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("dual.test", BR_KEYTYPE_RSA));
    tls_conn_release(&sv->t);
    /* ECDSA suites only, for a name with only an RSA certificate. */
    T_CHECK(handshake("rsa.test", C_ECDSA, NULL, 999) ==
            BR_ERR_RECV_FATAL_ALERT + 40);
    T_CHECK(tls_conn_done(&sv->t));
    T_CHECK(tls_conn_error(&sv->t) == TLS_ERR(BR_ERR_SEND_FATAL_ALERT + 40));
    tls_conn_release(&sv->t);

    tls_server_stats(&srv, &st);
    unknown = st.sni_unknown;
    T_CHECK(handshake(NULL, C_ANY_NAME, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("default.test", BR_KEYTYPE_EC));
    T_CHECK(strcmp(in.server_name, "") == 0);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("nope.test", C_ANY_NAME, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("default.test", BR_KEYTYPE_EC));
    tls_conn_release(&sv->t);
    tls_server_stats(&srv, &st);
    T_CHECK(st.sni_unknown == unknown + 1);
    /* Not a wildcard match: two labels. */
    T_CHECK(handshake("a.b.ec.test", C_ANY_NAME, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.cert == cert_named("default.test", BR_KEYTYPE_EC));
    tls_conn_release(&sv->t);
}

/* Only TLS 1.2, AEAD suites, X25519 and P-256. */
static void test_refused(void)
{
    struct tls_conn_info in;
    struct tls_stats before, after;
    int err;

    tls_server_stats(&srv, &before);
    /* The alert comes in a TLS 1.2 record, which this client refuses as
     * such, or reads. */
    err = handshake("ec.test", C_TLS11, NULL, 999);
    T_CHECKF(err == BR_ERR_RECV_FATAL_ALERT + 70 ||
                 err == BR_ERR_UNSUPPORTED_VERSION,
             "%d", err);
    T_CHECK(tls_conn_done(&sv->t) && !tls_conn_ready(&sv->t));
    T_CHECKF(strcmp(tls_strerror(tls_conn_error(&sv->t)),
                    "sent alert protocol_version") == 0,
             "%s", tls_strerror(tls_conn_error(&sv->t)));
    tls_conn_release(&sv->t);
    err = handshake("ec.test", C_CBC, NULL, 999);
    T_CHECKF(err == BR_ERR_RECV_FATAL_ALERT + 40, "%d", err);
    tls_conn_release(&sv->t);
    err = handshake("ec.test", C_P384, NULL, 999);
    T_CHECKF(err == BR_ERR_RECV_FATAL_ALERT + 40, "%d", err);
    tls_conn_release(&sv->t);
    tls_server_stats(&srv, &after);
    T_CHECK(after.failed == before.failed + 3);

    T_CHECK(handshake("ec.test", C_P256, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.curve == BR_EC_secp256r1);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("ec.test", C_CHAPOL, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.suite == BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    T_CHECK(strcmp(tls_suite_name(in.suite),
                   "ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256") == 0);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("rsa.test", C_AES256, NULL, 999) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.suite == BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    tls_conn_release(&sv->t);
}

static unsigned char *random_bytes(size_t n)
{
    unsigned char *p = malloc(n);
    size_t i;
    uint32_t x = 12345;

    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
    return p;
}

/*
 * (total) bytes from the client through the server's echo and back,
 * records moved (chunk) bytes at a time; returns 0 when all came back
 * intact.
 */
static int echo_through_mode(size_t total, size_t chunk, int mode)
{
    br_ssl_engine_context *e = &cl->cc.eng;
    unsigned char *data = random_bytes(total);
    size_t sent = 0, got = 0;
    long rounds = 0;
    int bad = 0;

    sv->echo = mode;
    while (got < total && rounds++ < 10000000) {
        size_t len;
        unsigned char *p = br_ssl_engine_sendapp_buf(e, &len);
        if (p && sent < total) {
            if (len > total - sent)
                len = total - sent;
            memcpy(p, data + sent, len);
            br_ssl_engine_sendapp_ack(e, len);
            br_ssl_engine_flush(e, 0);
            sent += len;
        }
        pump(cl, sv, chunk);
        p = br_ssl_engine_recvapp_buf(e, &len);
        if (p) {
            if (len > total - got || memcmp(p, data + got, len) != 0)
                bad = 1;
            got += len;
            br_ssl_engine_recvapp_ack(e, len);
        }
        if (br_ssl_engine_current_state(e) == BR_SSL_CLOSED)
            break;
    }
    free(data);
    return bad || got != total || sv->echoed != total;
}

static int echo_through(size_t total, size_t chunk)
{
    return echo_through_mode(total, chunk, 1);
}

/* Plaintext both ways, 1 MiB, in pieces; a small buffer. */
static void test_data(void)
{
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(echo_through(1 << 20, 1 << 20) == 0);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("rsa.test", C_CHAPOL, NULL, 1 << 20) == 0);
    T_CHECK(echo_through(300000, 333) == 0);
    tls_conn_release(&sv->t);
    /* The same, written straight into the records. */
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(echo_through_mode(1 << 20, 1 << 20, 2) == 0);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(echo_through_mode(300000, 333, 2) == 0);
    tls_conn_release(&sv->t);

    /* The smallest buffer still takes the client's 16 KiB records and
     * answers in 512-byte ones. */
    server_start(TLS_CONN_BUFSIZE_MIN);
    client_start(cl, "ec.test", C_DEFAULT, NULL);
    pump(cl, sv, 1 << 20);
    T_CHECK(client_ready());
    T_CHECK(echo_through(200000, 1 << 20) == 0);
    tls_conn_release(&sv->t);
    T_CHECK(tls_conn_init(&sv->t, &srv, sv->buf, TLS_CONN_BUFSIZE_MIN - 1) ==
            PITH_EINVAL);
}

/* Backpressure: a record whose plaintext is not consumed stops input. */
static void test_backpressure(void)
{
    br_ssl_engine_context *e = &cl->cc.eng;
    unsigned char *p, *data = random_bytes(100000);
    size_t len, sent = 0, fed = 0, n;
    struct bv v;

    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    /* The client writes 100000 bytes; the server takes records until its
     * plaintext is unconsumed, then nothing more. */
    while (sent < 100000) {
        p = br_ssl_engine_sendapp_buf(e, &len);
        if (!p)
            break;
        if (len > 100000 - sent)
            len = 100000 - sent;
        memcpy(p, data + sent, len);
        br_ssl_engine_sendapp_ack(e, len);
        br_ssl_engine_flush(e, 0);
        sent += len;
        while ((p = br_ssl_engine_sendrec_buf(e, &len)) != NULL &&
               (n = tls_conn_feed(&sv->t, p, len)) > 0) {
            br_ssl_engine_sendrec_ack(e, n);
            fed += n;
        }
        if (p)
            break; /* the server stopped taking */
    }
    T_CHECK(p != NULL && sent < 100000);
    T_CHECK(tls_conn_peek(&sv->t, &v) > 0);
    T_CHECK(tls_conn_feed(&sv->t, p, len) == 0);
    /* Consuming lets it go on. */
    tls_conn_consume(&sv->t, bv_len(&v));
    T_CHECK(tls_conn_feed(&sv->t, p, len) > 0);
    /* The out direction: plaintext is refused while records wait. */
    while (tls_conn_peek(&sv->t, &v) > 0)
        tls_conn_consume(&sv->t, bv_len(&v));
    n = 0;
    while (tls_conn_write(&sv->t, data, 1000) == 1000 && n < 1000)
        n++;
    T_CHECK(n > 0 && n < 1000);
    T_CHECK(tls_conn_out(&sv->t, &v) > 0);
    T_CHECK(tls_conn_write(&sv->t, data, 1000) == 0);
    {
        void *room = (void *)1;
        T_CHECK(tls_conn_write_buf(&sv->t, &room) == 0 && room == NULL);
    }
    (void)fed;
    free(data);
    tls_conn_release(&sv->t);
}

/* close_notify each way; truncation; after the end. */
static void test_close(void)
{
    br_ssl_engine_context *e = &cl->cc.eng;
    struct tls_stats before, after;
    struct bv v;

    tls_server_stats(&srv, &before);
    /* The client closes: the server answers and is done, cleanly. */
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(echo_through(1000, 1 << 20) == 0);
    br_ssl_engine_close(e);
    pump(cl, sv, 1 << 20);
    T_CHECK(br_ssl_engine_current_state(e) == BR_SSL_CLOSED);
    T_CHECK(br_ssl_engine_last_error(e) == 0);
    T_CHECK(tls_conn_done(&sv->t) && tls_conn_error(&sv->t) == 0);
    tls_conn_eof(&sv->t); /* then TCP's FIN: not a truncation */
    T_CHECK(tls_conn_error(&sv->t) == 0);
    T_CHECK(tls_conn_write(&sv->t, "x", 1) == PITH_EINVAL);
    tls_conn_release(&sv->t);

    /* The server closes after its last words. */
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(tls_conn_write(&sv->t, "bye", 3) == 3);
    tls_conn_close(&sv->t);
    T_CHECK(tls_conn_write(&sv->t, "x", 1) == PITH_EINVAL);
    T_CHECK(!tls_conn_done(&sv->t)); /* close_notify not out yet */
    pump(cl, sv, 1 << 20);
    {
        size_t len;
        unsigned char *p = br_ssl_engine_recvapp_buf(e, &len);
        T_CHECK(p && len == 3 && memcmp(p, "bye", 3) == 0);
        br_ssl_engine_recvapp_ack(e, len);
        pump(cl, sv, 1 << 20);
    }
    T_CHECK(br_ssl_engine_current_state(e) == BR_SSL_CLOSED);
    T_CHECK(br_ssl_engine_last_error(e) == 0);
    T_CHECK(tls_conn_done(&sv->t) && tls_conn_error(&sv->t) == 0);
    tls_conn_release(&sv->t);

    /* TCP ends without close_notify. */
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1 << 20) == 0);
    T_CHECK(!tls_conn_done(&sv->t));
    tls_conn_eof(&sv->t);
    T_CHECK(tls_conn_done(&sv->t));
    T_CHECK(tls_conn_error(&sv->t) == TLS_ERR(TLS_E_TRUNCATED));
    T_CHECK(strcmp(tls_strerror(tls_conn_error(&sv->t)), "truncated") == 0);
    T_CHECK(tls_conn_feed(&sv->t, "x", 1) == 0);
    T_CHECK(tls_conn_peek(&sv->t, &v) == 0);
    T_CHECK(tls_conn_write(&sv->t, "x", 1) == TLS_ERR(TLS_E_TRUNCATED));
    tls_conn_release(&sv->t);
    tls_server_stats(&srv, &after);
    T_CHECK(after.errors == before.errors + 1);
    T_CHECK(after.failed == before.failed);
}

/* Session IDs: resumption, bound to the certificate's names; the cache
 * is bounded. */
static void test_resume(void)
{
    br_ssl_session_parameters s1, s2;
    struct tls_conn_info in;
    struct tls_stats before, after;
    int i, err;

    tls_server_stats(&srv, &before);
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1000) == 0);
    br_ssl_engine_get_session_parameters(&cl->cc.eng, &s1);
    T_CHECK(s1.session_id_len == 32);
    tls_conn_release(&sv->t);

    T_CHECK(handshake("ec.test", C_DEFAULT, &s1, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.resumed && in.curve == 0);
    T_CHECK(in.cert == cert_named("ec.test *.ec.test", BR_KEYTYPE_EC));
    br_ssl_engine_get_session_parameters(&cl->cc.eng, &s2);
    T_CHECK(memcmp(s1.session_id, s2.session_id, 32) == 0);
    T_CHECK(echo_through(5000, 1000) == 0);
    tls_conn_release(&sv->t);
    /* The same certificate by its wildcard name. */
    T_CHECK(handshake("x.ec.test", C_DEFAULT, &s1, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.resumed && tls_conn_ready(&sv->t));
    tls_conn_release(&sv->t);

    /* Under another certificate's name: not resumed, a full handshake
     * with that name's certificate (RFC 6066 3). */
    T_CHECK(handshake("rsa.test", C_DEFAULT, &s1, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(!in.resumed && tls_conn_ready(&sv->t));
    T_CHECK(in.cert == cert_named("rsa.test", BR_KEYTYPE_RSA));
    tls_conn_release(&sv->t);
    /* The same with the ClientHello fed a byte at a time, so that the
     * name cannot be read ahead: the abbreviated handshake completes,
     * and then the server ends the connection. */
    err = handshake("rsa.test", C_DEFAULT, &s1, 1);
    T_CHECK(err == 0 ||
            br_ssl_engine_current_state(&cl->cc.eng) == BR_SSL_CLOSED);
    T_CHECK(tls_conn_error(&sv->t) == TLS_ERR(TLS_E_RESUME_NAME));
    T_CHECK(!tls_conn_ready(&sv->t) && tls_conn_done(&sv->t));
    {
        struct bv v;
        T_CHECK(tls_conn_peek(&sv->t, &v) == 0);
    }
    tls_conn_release(&sv->t);
    tls_server_stats(&srv, &after);
    T_CHECK(after.resume_refused == before.resume_refused + 1);
    T_CHECK(after.resume_other == before.resume_other + 1);
    T_CHECK(after.resumed == before.resumed + 2);
    /* Byte at a time, for the right name: resumed all the same. */
    T_CHECK(handshake("ec.test", C_DEFAULT, &s1, 1) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.resumed && tls_conn_ready(&sv->t));
    tls_conn_release(&sv->t);

    /* A session ID the server never gave: a full handshake. */
    s2 = s1;
    s2.session_id[0] ^= 1;
    T_CHECK(handshake("ec.test", C_DEFAULT, &s2, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(!in.resumed);
    tls_conn_release(&sv->t);

    /* Four sessions fit; after four more, the first is gone. */
    for (i = 0; i < 4; i++) {
        T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1000) == 0);
        tls_conn_release(&sv->t);
    }
    T_CHECK(handshake("ec.test", C_DEFAULT, &s1, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(!in.resumed);
    tls_conn_release(&sv->t);
}

/* No cache: never resumed. */
static void test_no_cache(void)
{
    static struct tls_server s;
    br_ssl_session_parameters s1;
    struct tls_conn_info in;
    struct tls_server keep = srv;
    char err[200];

    T_CHECK(tls_server_init(&s, 0) == PITH_OK);
    T_CHECK(tls_server_add_dir(&s, "certs", NULL, err, sizeof err) == 5);
    srv = s;
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1000) == 0);
    br_ssl_engine_get_session_parameters(&cl->cc.eng, &s1);
    tls_conn_release(&sv->t);
    T_CHECK(handshake("ec.test", C_DEFAULT, &s1, 1000) == 0);
    tls_conn_info(&sv->t, &in);
    T_CHECK(!in.resumed);
    tls_conn_release(&sv->t);
    tls_server_release(&srv);
    srv = keep;
}

/* Garbage instead of a ClientHello. */
static void test_garbage(void)
{
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    unsigned char *junk = random_bytes(5000);
    struct bv v;
    size_t n;

    server_start(TLS_CONN_BUFSIZE);
    n = tls_conn_feed(&sv->t, get, sizeof get - 1);
    T_CHECK(n > 0);
    while (tls_conn_out(&sv->t, &v) > 0)
        tls_conn_out_ack(&sv->t, bv_len(&v));
    T_CHECK(tls_conn_done(&sv->t));
    T_CHECKF(tls_conn_error(&sv->t) < 0, "%d", tls_conn_error(&sv->t));
    printf("# an HTTP request: %s\n", tls_strerror(tls_conn_error(&sv->t)));
    T_CHECK(tls_conn_feed(&sv->t, get, sizeof get - 1) == 0);
    tls_conn_release(&sv->t);

    server_start(TLS_CONN_BUFSIZE);
    n = tls_conn_feed(&sv->t, junk, 5000);
    while (tls_conn_out(&sv->t, &v) > 0)
        tls_conn_out_ack(&sv->t, bv_len(&v));
    T_CHECK(tls_conn_done(&sv->t) && tls_conn_error(&sv->t) < 0);
    printf("# random bytes: %s after %zu bytes\n",
           tls_strerror(tls_conn_error(&sv->t)), n);
    tls_conn_release(&sv->t);
    free(junk);
    /* And the server goes on. */
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1000) == 0);
    tls_conn_release(&sv->t);
}

static void test_alpn(void)
{
    static const char *const ours[] = {"http/1.1"};
    static const char *theirs[] = {"h2", "http/1.1"};
    struct tls_conn_info in;

    T_CHECK(tls_server_set_alpn(&srv, ours, 1) == PITH_OK);
    server_start(TLS_CONN_BUFSIZE);
    client_start(cl, "ec.test", C_DEFAULT, NULL);
    br_ssl_engine_set_protocol_names(&cl->cc.eng, theirs, 2);
    br_ssl_client_reset(&cl->cc, "ec.test", 0);
    pump(cl, sv, 1 << 20);
    T_CHECK(client_ready());
    tls_conn_info(&sv->t, &in);
    T_CHECK(in.alpn && strcmp(in.alpn, "http/1.1") == 0);
    tls_conn_release(&sv->t);
    T_CHECK(tls_server_set_alpn(&srv, ours, TLS_ALPN_MAX + 1) == PITH_EINVAL);
    T_CHECK(tls_server_set_alpn(&srv, NULL, 0) == PITH_OK);
}

/* Release wipes; a connection released early counts as failed. */
static void test_release(void)
{
    struct tls_stats before, after;
    size_t i, nonzero = 0;

    tls_server_stats(&srv, &before);
    T_CHECK(handshake("ec.test", C_DEFAULT, NULL, 1000) == 0);
    T_CHECK(echo_through(1000, 1000) == 0);
    tls_conn_release(&sv->t);
    for (i = 0; i < TLS_CONN_BUFSIZE; i++)
        nonzero += sv->buf[i] != 0;
    T_CHECK(nonzero == 0);
    server_start(TLS_CONN_BUFSIZE);
    tls_conn_release(&sv->t);
    tls_server_stats(&srv, &after);
    T_CHECK(after.failed == before.failed + 1);
    T_CHECK(after.handshakes == before.handshakes + 1);

    entropy_fails = 1;
    T_CHECK(tls_conn_init(&sv->t, &srv, sv->buf, TLS_CONN_BUFSIZE) == PITH_EIO);
    entropy_fails = 0;
}

/* The server name read ahead of BearSSL, from BearSSL's own client. */
static void test_hello_sni(void)
{
    static unsigned char hello[1024];
    br_ssl_engine_context *e = &cl->cc.eng;
    char name[256];
    unsigned char *p;
    size_t len, i;

    client_start(cl, "Some.Name.test", C_DEFAULT, NULL);
    p = br_ssl_engine_sendrec_buf(e, &len);
    T_CHECK(p && len > 50 && len <= sizeof hello);
    memcpy(hello, p, len);
    T_CHECK(tls_hello_sni(hello, len, name) == 1);
    T_CHECK(strcmp(name, "Some.Name.test") == 0);
    /* Every shorter prefix: cannot tell. */
    for (i = 0; i < len; i++)
        T_CHECKF(tls_hello_sni(hello, i, name) == -1, "prefix %zu", i);
    /* More after it (the next record) does not matter. */
    T_CHECK(tls_hello_sni(hello, len + 10, name) == 1);
    /* Not a handshake record; not a ClientHello. */
    hello[0] = 23;
    T_CHECK(tls_hello_sni(hello, len, name) == -1);
    hello[0] = 22;
    hello[5] = 2;
    T_CHECK(tls_hello_sni(hello, len, name) == -1);
    /* No SNI at all. */
    client_start(cl, NULL, C_DEFAULT, NULL);
    p = br_ssl_engine_sendrec_buf(e, &len);
    T_CHECK(p && len <= sizeof hello);
    memcpy(hello, p, len);
    T_CHECK(tls_hello_sni(hello, len, name) == 0 && name[0] == '\0');
    T_CHECK(tls_hello_sni("", 0, name) == -1);
}

static void test_names(void)
{
    T_CHECK(strcmp(tls_strerror(0), "ok") == 0);
    T_CHECK(strcmp(tls_strerror(TLS_ERR(BR_ERR_BAD_MAC)), "bad_mac") == 0);
    T_CHECK(strcmp(tls_strerror(TLS_ERR(BR_ERR_RECV_FATAL_ALERT + 40)),
                   "received alert handshake_failure") == 0);
    T_CHECK(strcmp(tls_strerror(TLS_ERR(BR_ERR_SEND_FATAL_ALERT + 255)),
                   "sent alert (unknown)") == 0);
    T_CHECK(strcmp(tls_strerror(TLS_ERR(TLS_E_RESUME_NAME)), "resume_name") ==
            0);
    T_CHECK(strcmp(tls_strerror(PITH_ENOMEM), "ENOMEM") == 0);
    T_CHECK(strcmp(tls_curve_name(BR_EC_curve25519), "x25519") == 0);
    T_CHECK(strcmp(tls_suite_name(0x002f), "?") == 0);
}

int main(void)
{
    cl = calloc(1, sizeof *cl);
    sv = calloc(1, sizeof *sv);
    T_RUN(test_anchors);
    T_RUN(test_setup);
    T_RUN(test_server);
    T_RUN(test_impl);
    T_RUN(test_handshake_ecdsa);
    T_RUN(test_sni);
    T_RUN(test_refused);
    T_RUN(test_data);
    T_RUN(test_backpressure);
    T_RUN(test_close);
    T_RUN(test_resume);
    T_RUN(test_no_cache);
    T_RUN(test_garbage);
    T_RUN(test_alpn);
    T_RUN(test_release);
    T_RUN(test_hello_sni);
    T_RUN(test_names);
    tls_server_release(&srv);
    free(sv->buf);
    free(sv);
    free(cl);
    return t_done();
}
