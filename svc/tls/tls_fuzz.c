/*
 * Fuzz target for svc/tls: the input is what a client sends to a server
 * connection, fed in pieces whose sizes come from its first byte, with
 * the server's records drained and its plaintext echoed, then TCP's end.
 * Whatever comes in, the connection must neither crash nor read or write
 * outside its buffer, every view it gives must lie in that buffer, and
 * at the end it must be done, with an error unless it closed cleanly.
 */
#include <stdint.h>
#include <string.h>
#include <pith/plat.h>

#include "testcerts.h"
#include "tls.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

static uint64_t state;

int plat_entropy(uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(state >> 56);
    }
    return PITH_OK;
}

static struct tls_server srv;
static unsigned char buf[TLS_CONN_BUFSIZE];
static struct tls_conn conn;

static void setup(void)
{
    char err[200];

    CHECK(tls_server_init(&srv, 8) == PITH_OK);
    CHECK(tls_server_add_pem(&srv, "ec.test *.ec.test",
                             tc_certs_ec_test_ec_test_crt,
                             sizeof tc_certs_ec_test_ec_test_crt - 1,
                             tc_certs_ec_test_ec_test_key,
                             sizeof tc_certs_ec_test_ec_test_key - 1,
                             TLS_CERT_DEFAULT, err, sizeof err) == PITH_OK);
    CHECK(tls_server_add_pem(
              &srv, "rsa.test", tc_certs_rsa_test_crt,
              sizeof tc_certs_rsa_test_crt - 1, tc_certs_rsa_test_key,
              sizeof tc_certs_rsa_test_key - 1, 0, err, sizeof err) == PITH_OK);
}

static void check_view(struct bv *v, size_t n)
{
    const uint8_t *p = bv_ptr(v, 0, n);

    CHECK(bv_ok(v) && bv_len(v) == n);
    CHECK(p >= buf && p + n <= buf + sizeof buf);
}

/* Drains records and echoes plaintext until nothing moves. */
static void drain(void)
{
    struct bv v;
    size_t n;
    int moved;

    do {
        moved = 0;
        while ((n = tls_conn_out(&conn, &v)) > 0) {
            check_view(&v, n);
            /* As TCP might: half of it when it is long. */
            tls_conn_out_ack(&conn, n > 100 ? n / 2 : n);
            moved = 1;
        }
        while ((n = tls_conn_peek(&conn, &v)) > 0) {
            long w;
            check_view(&v, n);
            w = tls_conn_write(&conn, bv_ptr(&v, 0, n), n);
            if (w <= 0)
                break;
            CHECK((size_t)w <= n);
            tls_conn_consume(&conn, (size_t)w);
            moved = 1;
        }
        tls_conn_flush(&conn);
    } while (moved);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
    static int ready;
    size_t off = 1, step;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (len < 1)
        return 0;
    state = 42;
    /* 0x80 and up: the whole input at once; else pieces of 1 to 128. */
    step = d[0] & 0x80 ? len : (size_t)(d[0] & 0x7f) + 1;
    CHECK(tls_conn_init(&conn, &srv, buf, sizeof buf) == PITH_OK);
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        n = tls_conn_feed(&conn, d + off, n);
        drain();
        if (!n) {
            /* It took nothing, even drained: it must have ended. */
            CHECK(tls_conn_done(&conn) || tls_conn_error(&conn));
            break;
        }
        off += n;
    }
    tls_conn_eof(&conn);
    drain();
    CHECK(tls_conn_done(&conn));
    CHECK(tls_conn_error(&conn) <= 0);
    CHECK(tls_strerror(tls_conn_error(&conn)) != NULL);
    tls_conn_release(&conn);
    return 0;
}
