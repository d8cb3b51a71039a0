/*
 * One TLS server connection: BearSSL's engine between the app's TCP and
 * its plaintext, with no I/O of its own. See tls.h.
 */
#include <string.h>
#include <pith/plat.h>
#include "tls.h"
#include "tls_int.h"

static br_ssl_engine_context *eng(struct tls_conn *c)
{
    return &c->sc.eng;
}

static int engine_closed(struct tls_conn *c)
{
    return br_ssl_engine_current_state(eng(c)) == BR_SSL_CLOSED;
}

/* Counts the end of (c) in its server's counters, once. */
static void count_end(struct tls_conn *c)
{
    struct tls_stats *st = &c->srv->stats;

    if (c->counted)
        return;
    c->counted = 1;
    if (!c->open)
        st->failed++;
    else if (tls_conn_error(c))
        st->errors++;
}

/* Begins a clean end: seals pending plaintext, queues close_notify. */
static void begin_close(struct tls_conn *c)
{
    c->closing = 1;
    if (!engine_closed(c))
        br_ssl_engine_close(eng(c));
}

/*
 * Notices what the engine's last step did: the end of the connection, or
 * the completion of its handshake, which is where a resumed session is
 * checked against the name the client asks for now.
 */
static void settle(struct tls_conn *c)
{
    struct tls_server *s = c->srv;
    unsigned st = br_ssl_engine_current_state(eng(c));
    uint32_t set;
    int unknown;

    if (st == BR_SSL_CLOSED) {
        count_end(c);
        return;
    }
    if (c->open || c->closing || !(st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
        return;
    if (!c->chosen) {
        /* An abbreviated handshake: the cache gave the session of
         * certificate (c->cert); it must serve the name asked for. */
        set = tls_cert_set(s, br_ssl_engine_get_server_name(eng(c)), &unknown);
        if (c->cert < 0 || !(set & (1u << c->cert))) {
            c->err = TLS_ERR(TLS_E_RESUME_NAME);
            s->stats.resume_refused++;
            begin_close(c);
            return;
        }
        s->stats.resumed++;
    } else {
        s->stats.handshakes++;
    }
    c->open = 1;
}

int tls_conn_init(struct tls_conn *c, struct tls_server *s, void *buf,
                  size_t len)
{
    br_ssl_engine_context *e;
    unsigned char seed[32];

    if (!c || !s || !s->ready || !s->ncerts || !buf ||
        len < TLS_CONN_BUFSIZE_MIN)
        return PITH_EINVAL;
    memset(c, 0, sizeof *c);
    c->srv = s;
    c->buf = buf;
    c->buf_len = len;
    c->cert = -1;

    br_ssl_server_zero(&c->sc);
    e = eng(c);
    br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(e, s->suites, s->nsuites);
    br_ssl_engine_set_ec(e, &tls_ec);
    /* The PRFs' hashes; also the signature hashes the client may pick
     * from, so no SHA-1 and no MD5. */
    br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
    /* AES-NI + PCLMULQDQ, SSE2 ChaCha20, 64-bit Poly1305 when the CPU
     * has them (BearSSL checks with CPUID), constant-time code if not. */
    br_ssl_engine_set_default_aes_gcm(e);
    br_ssl_engine_set_default_chapol(e);
    br_ssl_engine_add_flags(e, BR_OPT_ENFORCE_SERVER_PREFERENCES |
                                   BR_OPT_NO_RENEGOTIATION);
    if (s->nalpn)
        br_ssl_engine_set_protocol_names(e, s->alpn, s->nalpn);
    c->policy = &tls_policy_class;
    br_ssl_server_set_policy(&c->sc, &c->policy);
    if (s->cache_vtable)
        br_ssl_server_set_cache(&c->sc, &s->cache_vtable);
    /* Input first, room for a full record (a client may send them);
     * output the rest. Not br_ssl_engine_set_buffer(): in BearSSL 0.6 its
     * bidirectional split overlaps the two halves. */
    br_ssl_engine_set_buffers_bidi(e, buf, BR_SSL_BUFSIZE_INPUT,
                                   (unsigned char *)buf + BR_SSL_BUFSIZE_INPUT,
                                   len - BR_SSL_BUFSIZE_INPUT);

    if (plat_entropy(seed, sizeof seed) < 0) {
        tls_wipe(c, sizeof *c);
        return PITH_EIO;
    }
    br_ssl_engine_inject_entropy(e, seed, sizeof seed);
    tls_wipe(seed, sizeof seed);
    /* The platform's entropy is the image's best: BearSSL's own seeder
     * (which would open /dev/urandom) is not tried. */
    e->rng_os_rand_done = 1;
    if (!br_ssl_server_reset(&c->sc)) {
        tls_wipe(c, sizeof *c);
        return PITH_EINVAL;
    }
    return PITH_OK;
}

size_t tls_conn_feed(struct tls_conn *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t total = 0;

    if (c->err || c->eof)
        return 0;
    if (!c->fed && len) {
        /* The session cache needs the name before BearSSL reads it. */
        c->fed = 1;
        c->hint = tls_hello_sni(data, len, c->sni) >= 0;
    }
    while (len > 0) {
        size_t room;
        unsigned char *buf = br_ssl_engine_recvrec_buf(eng(c), &room);
        if (!buf || !room)
            break;
        if (room > len)
            room = len;
        memcpy(buf, p, room);
        br_ssl_engine_recvrec_ack(eng(c), room);
        p += room;
        len -= room;
        total += room;
        settle(c);
        if (c->err)
            break;
    }
    return total;
}

size_t tls_conn_out(struct tls_conn *c, struct bv *v)
{
    size_t len;
    unsigned char *buf = br_ssl_engine_sendrec_buf(eng(c), &len);

    if (!buf)
        len = 0;
    *v = bv_make(buf, len);
    return len;
}

void tls_conn_out_ack(struct tls_conn *c, size_t n)
{
    size_t len;

    if (!br_ssl_engine_sendrec_buf(eng(c), &len))
        len = 0;
    if (n > len)
        n = len;
    if (!n)
        return;
    br_ssl_engine_sendrec_ack(eng(c), n);
    settle(c);
}

size_t tls_conn_peek(struct tls_conn *c, struct bv *v)
{
    unsigned char *buf = NULL;
    size_t len = 0;

    settle(c);
    if (c->open && !c->err)
        buf = br_ssl_engine_recvapp_buf(eng(c), &len);
    if (!buf)
        len = 0;
    *v = bv_make(buf, len);
    return len;
}

void tls_conn_consume(struct tls_conn *c, size_t n)
{
    size_t len;

    if (!c->open || c->err || !br_ssl_engine_recvapp_buf(eng(c), &len))
        return;
    if (n > len)
        n = len;
    if (!n)
        return;
    br_ssl_engine_recvapp_ack(eng(c), n);
    settle(c);
}

long tls_conn_write_buf(struct tls_conn *c, void **buf)
{
    unsigned char *p;
    size_t room;
    int err = tls_conn_error(c);

    *buf = NULL;
    if (err)
        return err;
    if (c->closing || engine_closed(c))
        return PITH_EINVAL;
    settle(c);
    if (!c->open || c->err)
        return 0;
    p = br_ssl_engine_sendapp_buf(eng(c), &room);
    if (!p || !room)
        return 0;
    *buf = p;
    return (long)room;
}

long tls_conn_write(struct tls_conn *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t total = 0;
    void *buf;
    long room = tls_conn_write_buf(c, &buf);

    if (room <= 0)
        return room; /* an error, or no room now */
    while (room > 0 && len > 0) {
        size_t n = (size_t)room < len ? (size_t)room : len;
        memcpy(buf, p, n);
        /* A full record goes to the output at once. */
        tls_conn_write_ack(c, n);
        p += n;
        len -= n;
        total += n;
        if (len)
            room = tls_conn_write_buf(c, &buf);
    }
    return (long)total;
}

void tls_conn_write_ack(struct tls_conn *c, size_t n)
{
    if (n)
        br_ssl_engine_sendapp_ack(eng(c), n);
}

void tls_conn_flush(struct tls_conn *c)
{
    br_ssl_engine_flush(eng(c), 0);
}

void tls_conn_close(struct tls_conn *c)
{
    if (!c->closing)
        begin_close(c);
}

void tls_conn_eof(struct tls_conn *c)
{
    if (c->eof)
        return;
    c->eof = 1;
    /* RFC 5246 7.2.1: each side sends close_notify before it closes its
     * side; BearSSL notes the peer's in shutdown_recv. */
    if (!engine_closed(c) && !c->closing && !c->err && !c->sc.eng.shutdown_recv)
        c->err = TLS_ERR(TLS_E_TRUNCATED);
}

int tls_conn_done(struct tls_conn *c)
{
    unsigned st;

    settle(c);
    st = br_ssl_engine_current_state(eng(c));
    if (st == BR_SSL_CLOSED)
        return 1;
    if (st & BR_SSL_SENDREC)
        return 0;
    return c->closing || c->err || c->eof;
}

int tls_conn_ready(struct tls_conn *c)
{
    settle(c);
    return c->open && !c->err && !engine_closed(c);
}

int tls_conn_error(const struct tls_conn *c)
{
    int br;

    if (c->err)
        return c->err;
    br = br_ssl_engine_last_error(&c->sc.eng);
    return br ? TLS_ERR(br) : 0;
}

void tls_conn_info(struct tls_conn *c, struct tls_conn_info *info)
{
    br_ssl_engine_context *e = eng(c);

    memset(info, 0, sizeof *info);
    settle(c);
    info->cert = c->cert;
    info->server_name = br_ssl_engine_get_server_name(e);
    if (!c->open)
        return;
    info->version = br_ssl_engine_get_version(e);
    info->suite = e->session.cipher_suite;
    info->resumed = !c->chosen;
    info->curve = c->chosen ? br_ssl_engine_get_ecdhe_curve(e) : 0;
    info->alpn = br_ssl_engine_get_selected_protocol(e);
}

void tls_conn_release(struct tls_conn *c)
{
    if (!c->srv)
        return;
    count_end(c);
    tls_wipe(c->buf, c->buf_len);
    tls_wipe(c, sizeof *c);
}
