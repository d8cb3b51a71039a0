/*
 * TLS 1.2 server connections on BearSSL's engine: certificates and keys
 * from PEM, SNI, session resumption, and the plumbing between TCP and an
 * application protocol. No I/O inside, no allocation after set-up.
 *
 * Two caller-owned objects, in BearSSL's style:
 *
 *   struct tls_server   what all connections share: the certificate
 *                       chains and private keys, the names each serves
 *                       (SNI), the session cache, the counters. Set up
 *                       once (tls_server_init, tls_server_add_*), before
 *                       the first connection; it MUST outlive them all.
 *   struct tls_conn     one connection: BearSSL's server context and a
 *                       caller-provided I/O buffer (TLS_CONN_BUFSIZE).
 *
 * What is negotiated, and nothing else: TLS 1.2 only; ECDHE over X25519
 * or P-256; AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305; signatures by
 * an ECDSA P-256 or an RSA (2048 to 4096 bits) certificate with SHA-256
 * or SHA-384. No CBC, no RSA key exchange, no SHA-1, no TLS 1.0/1.1 (the
 * client gets a protocol_version or handshake_failure alert), no
 * renegotiation. AES-GCM and ChaCha20 come first in the server's order
 * when the CPU has, or has not, AES-NI. Sessions resume by session ID
 * (RFC 5246 7.3) from an LRU cache of a fixed size; no tickets. A
 * session resumes only under a name its certificate serves (RFC 6066
 * 3): the name is read from the ClientHello ahead of BearSSL (through
 * lib/bv), and another certificate's session gets a full handshake
 * instead; when it cannot be read ahead (the first feed does not hold
 * the whole ClientHello), the check is made as the abbreviated
 * handshake completes, and a mismatch ends the connection
 * (TLS_E_RESUME_NAME) before any plaintext.
 *
 * The app moves bytes; the connection only transforms them:
 *
 *     TCP --tcp_peek--> tls_conn_feed()      records in
 *                       tls_conn_peek()      plaintext out, then
 *                       tls_conn_consume()
 *                       tls_conn_write()     plaintext in, then
 *                       tls_conn_flush()
 *     TCP <-tcp_write-- tls_conn_out()       records out, then
 *                       tls_conn_out_ack()
 *
 * A call that cannot go on returns 0 (took nothing, has nothing): the
 * engine is waiting for another direction. So after any event the app
 * runs these until none makes progress (this is all of it, for an echo
 * server; tests/apps/tlsecho has it in full):
 *
 *     static void pump(struct tcp_conn *tc, struct tls_conn *t)
 *     {
 *         struct bv v;
 *         size_t n;
 *         int more = 1;
 *         while (more) {
 *             more = 0;
 *             while ((n = tls_conn_out(t, &v)) > 0) {  // records -> TCP
 *                 long w = tcp_write(tc, bv_ptr(&v, 0, n), n);
 *                 if (w <= 0) break;                   // TCP_EV_WRITABLE
 *                 tls_conn_out_ack(t, (size_t)w), more = 1;
 *             }
 *             while ((n = tcp_peek(tc, &v)) > 0) {     // TCP -> records
 *                 n = tls_conn_feed(t, bv_ptr(&v, 0, n), n);
 *                 if (!n) break;
 *                 tcp_consume(tc, n), more = 1;
 *             }
 *             while ((n = tls_conn_peek(t, &v)) > 0) { // the app's part
 *                 long w = tls_conn_write(t, bv_ptr(&v, 0, n), n);
 *                 if (w <= 0) break;
 *                 tls_conn_consume(t, (size_t)w), more = 1;
 *             }
 *             tls_conn_flush(t);
 *         }
 *         if (eof_seen && !tcp_readable(tc)) tls_conn_eof(t);
 *         if (tls_conn_done(t)) {                      // closed, drained
 *             ... log tls_strerror(tls_conn_error(t)) when not 0 ...
 *             tls_conn_release(t); tcp_close(tc); free what holds t
 *         }
 *     }
 *
 * Backpressure holds both ways with no buffer beyond the caller's: the
 * engine takes records only while the app keeps up with the plaintext
 * they carry (so unconsumed TCP data closes the TCP window), and takes
 * plaintext only while its records are drained into TCP.
 *
 * Errors are sticky: once a connection has one (tls_conn_error() below
 * 0), it takes and gives no more plaintext; what remains to send (a
 * fatal alert) still comes out of tls_conn_out(). The error values are
 * TLS_ERR(x), x being a BearSSL code (BR_ERR_*: 1..31; 256 + alert for
 * a fatal alert received, 512 + alert for one sent) or one of pith's
 * (TLS_E_* below); tls_strerror() names them all.
 *
 * Memory: struct tls_server holds TLS_SERVER_CERTS_MAX slots and
 * allocates (malloc) during set-up only: the session cache
 * (TLS_CACHE_ENTRY bytes a session) and, per certificate, its DER chain,
 * key and names (about the size of its PEM files). A struct
 * tls_conn is about 4.3 KiB plus its I/O buffer; it allocates nothing.
 * Keys and session secrets are wiped by tls_server_release() and
 * tls_conn_release().
 *
 * Every function runs in the event loop's thread; nothing is reentrant.
 */
#ifndef PITH_TLS_H
#define PITH_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>
#include <pith/bv.h>
#include <pith/err.h>

/* ---- Bounds --------------------------------------------------------- */

/* Certificates (chain + key) a server holds; certificates in a chain. */
#define TLS_SERVER_CERTS_MAX 16
#define TLS_CHAIN_MAX        8
/* Longest names string of one certificate, with its NUL. */
#define TLS_NAMES_MAX 1024
/* Bytes of session cache per session (BearSSL's LRU entry). */
#define TLS_CACHE_ENTRY 100
/* Protocol names (ALPN) a server may announce. */
#define TLS_ALPN_MAX 4

/*
 * A connection's I/O buffer: TLS_CONN_BUFSIZE holds a full record (16
 * KiB of plaintext) each way. The smallest accepted, TLS_CONN_BUFSIZE_MIN,
 * still receives full records (a client may send them) but sends records
 * of 512 bytes of plaintext.
 */
#define TLS_CONN_BUFSIZE     BR_SSL_BUFSIZE_BIDI
#define TLS_CONN_BUFSIZE_MIN (BR_SSL_BUFSIZE_INPUT + 512 + 85)

/* ---- Errors --------------------------------------------------------- */

#define TLS_ERR_BASE 1000
/* The error value of code (x): a BearSSL BR_ERR_* value or a TLS_E_*. */
#define TLS_ERR(x) (-(TLS_ERR_BASE + (x)))
/* Whether (err) is a TLS error, and its code. */
#define TLS_IS_ERR(err)   ((err) <= -TLS_ERR_BASE && (err) > -TLS_ERR_BASE - 1024)
#define TLS_ERR_CODE(err) (-(err)-TLS_ERR_BASE)

/*
 * pith's own codes, beside BearSSL's: TCP ended without a close_notify;
 * a session was resumed under a name its certificate does not serve.
 */
#define TLS_E_TRUNCATED   64
#define TLS_E_RESUME_NAME 65

/*
 * A static name for (err): a TLS_ERR() value ("bad_mac", "received alert
 * handshake_failure", "sent alert protocol_version", "truncated"), or a
 * PITH_E* value (as pith_strerror()). Never NULL.
 */
const char *tls_strerror(int err);

/* Static names for a cipher suite (IANA's, without "TLS_": "ECDHE_ECDSA_
 * WITH_AES_128_GCM_SHA256") and a curve ("x25519", "secp256r1"); "?"
 * when unknown. */
const char *tls_suite_name(unsigned suite);
const char *tls_curve_name(int curve);

/* ---- The server ----------------------------------------------------- */

/* Flags for tls_server_add_*(). */
#define TLS_CERT_DEFAULT                                                       \
    1u /* served when the client names no name that                            \
          any certificate serves, or none at all */

struct tls_server_cert {
    char *names; /* the space-separated names, a copy */
    br_x509_certificate chain[TLS_CHAIN_MAX];
    size_t chain_len;
    int key_type; /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
    union {
        br_ec_private_key ec;
        br_rsa_private_key rsa;
    } sk;
    unsigned flags;
    unsigned key_bits; /* 256 (P-256), or the RSA modulus' bits */
    void *mem;         /* the one allocation holding all of the above */
    size_t mem_len;
};

/* Counters; they only grow. */
struct tls_stats {
    uint64_t handshakes;     /* full handshakes completed */
    uint64_t resumed;        /* abbreviated ones (a session from the cache) */
    uint64_t failed;         /* connections that ended before a handshake
                                completed: errors, alerts, or released */
    uint64_t errors;         /* connections that ended with an error after
                                their handshake (truncation included) */
    uint64_t sni_unknown;    /* handshakes naming a name no certificate
                                serves: the default certificate went */
    uint64_t resume_other;   /* sessions offered under a name their
                                certificate does not serve: a full
                                handshake instead */
    uint64_t resume_refused; /* the same, noticed only when the
                                abbreviated handshake was done (a
                                ClientHello in pieces): TLS_E_RESUME_NAME */
};

/*
 * Which implementations BearSSL's defaults chose on this CPU: the AES
 * counter mode ("x86ni" with AES-NI, else "ct64"), GHASH ("pclmul" with
 * PCLMULQDQ, else "ctmul64"), ChaCha20 ("sse2" or "ct") and Poly1305
 * ("ctmulq" or "ctmul"), read back from a configured engine.
 */
struct tls_impl {
    const char *aes;
    const char *ghash;
    const char *chacha20;
    const char *poly1305;
};

/* All fields private. */
struct tls_server {
    struct tls_server_cert certs[TLS_SERVER_CERTS_MAX];
    unsigned ncerts;
    const br_ssl_session_cache_class *cache_vtable; /* the SNI-bound cache */
    br_ssl_session_cache_lru lru;
    unsigned char *cache_mem;
    size_t cache_len;
    unsigned char id_key[32]; /* binds cached session IDs to certificates */
    uint16_t suites[6];
    unsigned nsuites;
    const char *alpn[TLS_ALPN_MAX];
    unsigned nalpn;
    struct tls_impl impl;
    struct tls_stats stats;
    uint8_t ready; /* tls_server_init() succeeded */
};

/*
 * Sets up (s) with room for (sessions) cached sessions (0: no
 * resumption), which it allocates (sessions * TLS_CACHE_ENTRY bytes).
 * Returns PITH_OK; PITH_ENOMEM when the cache cannot be allocated;
 * PITH_EIO when plat_entropy() fails.
 */
int tls_server_init(struct tls_server *s, size_t sessions);

/*
 * Adds a certificate: (chain), (chain_len) bytes of PEM holding its
 * CERTIFICATE blocks, the server's own first and then the intermediates
 * (at most TLS_CHAIN_MAX), and (key), (key_len) bytes of PEM holding its
 * private key ("EC PRIVATE KEY" on P-256, "RSA PRIVATE KEY", or PKCS#8
 * "PRIVATE KEY" of either), which MUST match the first certificate's
 * public key. (names) is a space-separated list of the DNS names it
 * serves to clients that name them with SNI (RFC 6066 section 3): exact
 * ("example.org", matched without regard to case) or wildcards
 * ("*.example.org": one whole label). With (flags) TLS_CERT_DEFAULT it
 * is also served when the client's name matches none; without any
 * default, the first certificate added is. Several certificates may
 * serve a name: an ECDSA and an RSA one, the client's cipher suites
 * choosing. The PEM is copied (decoded), not kept.
 *
 * Returns PITH_OK; PITH_EINVAL for a PEM, key or name that is not as
 * above (with (err), (errlen) > 0, a sentence why, NUL-terminated);
 * PITH_ELIMIT past TLS_SERVER_CERTS_MAX; PITH_ENOMEM.
 */
int tls_server_add_pem(struct tls_server *s, const char *names,
                       const void *chain, size_t chain_len, const void *key,
                       size_t key_len, unsigned flags, char *err,
                       size_t errlen);

/*
 * As tls_server_add_pem() with the chain and the key read from the files
 * baked into the image at (chain_path) and (key_path) (<pith/files.h>:
 * "certs/example.org.crt"). PITH_ENOENT when either is missing or the
 * image has no files.
 */
int tls_server_add_files(struct tls_server *s, const char *names,
                         const char *chain_path, const char *key_path,
                         unsigned flags, char *err, size_t errlen);

/*
 * Adds every certificate of the baked-in folder (dir) ("certs"), by the
 * convention: DIR/NAMES.crt is a chain, DIR/NAMES.key its key, and NAMES
 * the comma-separated names it serves ("example.org,*.example.org.crt");
 * a part from an '@' on is not a name ("example.org@rsa.crt" serves
 * example.org), so that a name may have an ECDSA and an RSA certificate.
 * Those that serve (default_name), when not NULL, are the defaults.
 * Files in subfolders and of other kinds are left alone. Returns the
 * number of certificates added (0 when none), or an error as
 * tls_server_add_pem(), naming the file in (err).
 */
int tls_server_add_dir(struct tls_server *s, const char *dir,
                       const char *default_name, char *err, size_t errlen);

/*
 * As tls_server_add_dir(), over the files of the store (kv) (<pith/kv.h>:
 * the baked files, or a tar archive on a block device that the operator
 * binds): the certificates in its folder (dir), "" for its top level.
 * Files of an archive are read whole, each at most TLS_PEM_MAX bytes
 * (else PITH_ELIMIT), and the copies of keys wiped after use.
 */
struct kv;
#define TLS_PEM_MAX (256 * 1024)
int tls_server_add_kv(struct tls_server *s, struct kv *kv, const char *dir,
                      const char *default_name, char *err, size_t errlen);

/*
 * Announces the application protocols (ALPN, RFC 7301) (names), (n) of
 * them (at most TLS_ALPN_MAX), in preference order; the strings MUST
 * outlive (s). A client offering none of them goes on without ALPN.
 * Returns PITH_OK or PITH_EINVAL.
 */
int tls_server_set_alpn(struct tls_server *s, const char *const *names,
                        unsigned n);

/* What certificate (i) (in the order added) is. */
struct tls_cert_info {
    const char *names; /* space-separated */
    int key_type;      /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
    unsigned key_bits; /* 256 for P-256; the RSA modulus' bits */
    size_t chain_len;  /* certificates in its chain */
    int is_default;    /* flagged TLS_CERT_DEFAULT */
};
/* Fills (*info) and returns PITH_OK, or PITH_ENOENT past the last. */
int tls_server_cert(const struct tls_server *s, unsigned i,
                    struct tls_cert_info *info);

/* The implementations in use, and the counters. */
void tls_server_impl(const struct tls_server *s, struct tls_impl *impl);
void tls_server_stats(const struct tls_server *s, struct tls_stats *st);

/*
 * Frees what (s) allocated and wipes its keys. No connection may use it
 * any more.
 */
void tls_server_release(struct tls_server *s);

/* ---- A connection --------------------------------------------------- */

/* All fields private. BearSSL's server context first: its callbacks
 * find the rest from it. */
struct tls_conn {
    br_ssl_server_context sc;
    const br_ssl_server_policy_class *policy;
    struct tls_server *srv;
    void *buf;
    size_t buf_len;
    int cert;        /* certificate chosen or resumed, -1 before */
    int err;         /* pith's own sticky error (TLS_ERR(TLS_E_*)) */
    uint8_t chosen;  /* a full handshake chose (cert) */
    uint8_t resumed; /* the cache gave a session of (cert) */
    uint8_t open;    /* handshake completed and accepted */
    uint8_t closing; /* tls_conn_close() or pith's error began the end */
    uint8_t eof;     /* tls_conn_eof() */
    uint8_t counted; /* its end is in the server's counters */
    uint8_t fed;     /* tls_conn_feed() took bytes */
    int8_t hint;     /* 1: (sni) is the ClientHello's server name, read
                        ahead of BearSSL; 0: unknown */
    char sni[256];
};

/*
 * Starts (c), a server connection of (s) (set up, with at least one
 * certificate), over (buf) of (len) bytes, at least TLS_CONN_BUFSIZE_MIN
 * (TLS_CONN_BUFSIZE for full records both ways). (c) and (buf) are the
 * caller's, and MUST stay where they are until tls_conn_release(). The
 * engine is seeded with 32 bytes of plat_entropy(). Returns PITH_OK;
 * PITH_EINVAL for a short buffer or a server without certificates;
 * PITH_EIO when plat_entropy() fails.
 */
int tls_conn_init(struct tls_conn *c, struct tls_server *s, void *buf,
                  size_t len);

/*
 * Gives (c) up to (len) bytes at (data) received from the peer (TLS
 * records, in any pieces) and returns how many it took: 0 when it takes
 * none now (its plaintext is unconsumed or its records undrained, or it
 * has ended). The caller consumes that many from TCP and offers the rest
 * later.
 */
size_t tls_conn_feed(struct tls_conn *c, const void *data, size_t len);

/*
 * Points (*v) at the bytes (c) has to send (records), and returns their
 * length: 0 when none. The view holds until the next call on (c). After
 * sending (n) of them, the caller MUST call tls_conn_out_ack(c, n), (n)
 * at most the length.
 */
size_t tls_conn_out(struct tls_conn *c, struct bv *v);
void tls_conn_out_ack(struct tls_conn *c, size_t n);

/*
 * Points (*v) at received plaintext and returns its length: 0 when
 * there is none now (or the handshake is not done, or (c) has an
 * error). The view holds until the next call on (c); tls_conn_consume()
 * marks (n) of them read (at most the length), which lets (c) take more
 * records.
 */
size_t tls_conn_peek(struct tls_conn *c, struct bv *v);
void tls_conn_consume(struct tls_conn *c, size_t n);

/*
 * Copies up to (len) bytes of plaintext at (data) into (c)'s next record
 * and returns how many it took: 0 when it has no room now (its records
 * wait to be drained by tls_conn_out(), or the handshake is not done),
 * or an error value when (c) has ended (tls_conn_error(), or PITH_EINVAL
 * after tls_conn_close()). A full record goes out by itself; a partial
 * one waits for tls_conn_flush().
 */
long tls_conn_write(struct tls_conn *c, const void *data, size_t len);

/* Seals the plaintext written so far into a record for tls_conn_out(). */
void tls_conn_flush(struct tls_conn *c);

/*
 * Ends the connection cleanly: discards plaintext not yet consumed,
 * seals what was written, and queues a close_notify alert (RFC 5246
 * 7.2.1) behind it. Once tls_conn_out() has given it all,
 * tls_conn_done() is true; the caller need not wait for the peer's
 * close_notify. Harmless when done already.
 */
void tls_conn_close(struct tls_conn *c);

/*
 * Tells (c) that TCP brought the peer's FIN and (c) has been fed all
 * that came before it. Without the peer's close_notify before it, and
 * unless (c) was closing already, that is the sticky error
 * TLS_ERR(TLS_E_TRUNCATED) (RFC 5246 7.2.1): whether it matters is the
 * application protocol's business (HTTP's framing makes it harmless).
 */
void tls_conn_eof(struct tls_conn *c);

/*
 * Whether (c) has ended and has nothing more to send: time for the
 * caller to close TCP and release (c). tls_conn_error() says how: 0 for
 * a clean end (close_notify), else why.
 */
int tls_conn_done(struct tls_conn *c);

/* Whether the handshake completed: plaintext may flow. */
int tls_conn_ready(struct tls_conn *c);

/* The sticky error of (c): 0, or a TLS_ERR() value. */
int tls_conn_error(const struct tls_conn *c);

/* What the handshake gave. */
struct tls_conn_info {
    unsigned version;        /* 0x0303 (TLS 1.2); 0 before the handshake */
    unsigned suite;          /* cipher suite (tls_suite_name()) */
    int curve;               /* ECDHE curve (tls_curve_name()); 0 when
                                resumed, which has none */
    int resumed;             /* 1 for an abbreviated handshake */
    int cert;                /* index of the certificate served, in the
                                order added; -1 before */
    const char *server_name; /* the client's SNI, "" for none */
    const char *alpn;        /* the protocol chosen, or NULL */
};
void tls_conn_info(struct tls_conn *c, struct tls_conn_info *info);

/*
 * Ends (c) for good: wipes its state and its buffer (keys, plaintext).
 * Call once, whatever state (c) is in; a connection released before its
 * handshake completed counts as failed.
 */
void tls_conn_release(struct tls_conn *c);

#endif
