/*
 * The shared half of the TLS server: certificates and keys from PEM, the
 * names they serve, the policy BearSSL asks which certificate and suite
 * to use, the session cache, and the curves. See tls.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pith/plat.h>
#include "tls.h"
#include "tls_int.h"

/* ---- Curves: X25519 and P-256 for ECDHE and P-256 signatures --------- */

/*
 * BearSSL's server takes the first curve of X25519, P-256, P-384, P-521
 * that both sides support, among the engine's implementation's curves:
 * this one offers only the two we want, from BearSSL's own code.
 */
static const br_ec_impl *ec_for(int curve)
{
    if (curve == BR_EC_curve25519)
        return &br_ec_c25519_m31;
    if (curve == BR_EC_secp256r1)
        return &br_ec_p256_m31;
    return NULL;
}

static const unsigned char *ec_generator(int curve, size_t *len)
{
    const br_ec_impl *e = ec_for(curve);

    if (!e) {
        *len = 0;
        return NULL;
    }
    return e->generator(curve, len);
}

static const unsigned char *ec_order(int curve, size_t *len)
{
    const br_ec_impl *e = ec_for(curve);

    if (!e) {
        *len = 0;
        return NULL;
    }
    return e->order(curve, len);
}

static size_t ec_xoff(int curve, size_t *len)
{
    const br_ec_impl *e = ec_for(curve);

    if (!e) {
        *len = 0;
        return 0;
    }
    return e->xoff(curve, len);
}

static uint32_t ec_mul(unsigned char *g, size_t glen, const unsigned char *x,
                       size_t xlen, int curve)
{
    const br_ec_impl *e = ec_for(curve);

    return e ? e->mul(g, glen, x, xlen, curve) : 0;
}

static size_t ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen,
                        int curve)
{
    const br_ec_impl *e = ec_for(curve);

    return e ? e->mulgen(r, x, xlen, curve) : 0;
}

static uint32_t ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
                          const unsigned char *x, size_t xlen,
                          const unsigned char *y, size_t ylen, int curve)
{
    const br_ec_impl *e = ec_for(curve);

    return e ? e->muladd(a, b, len, x, xlen, y, ylen, curve) : 0;
}

const br_ec_impl tls_ec = {
    (1u << BR_EC_curve25519) | (1u << BR_EC_secp256r1),
    ec_generator,
    ec_order,
    ec_xoff,
    ec_mul,
    ec_mulgen,
    ec_muladd,
};

/* ---- Helpers --------------------------------------------------------- */

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Wipes (n) bytes at (p) in a way the compiler keeps. */
void tls_wipe(void *p, size_t n)
{
    volatile unsigned char *q = p;

    while (n--)
        *q++ = 0;
}

/* ---- Names (RFC 6066 section 3; RFC 6125 6.4.3 for wildcards) --------- */

/* Whether (pat), (plen) bytes, serves the client's name (sni). */
static int name_match(const char *pat, size_t plen, const char *sni)
{
    size_t slen = strlen(sni);
    const char *dot;

    if (plen > 2 && pat[0] == '*' && pat[1] == '.') {
        /* "*.example.org": one whole, non-empty label, then the rest. */
        dot = strchr(sni, '.');
        if (!dot || dot == sni)
            return 0;
        return slen - (size_t)(dot - sni) == plen - 1 &&
               strncasecmp(dot, pat + 1, plen - 1) == 0;
    }
    return slen == plen && strncasecmp(sni, pat, plen) == 0;
}

/*
 * How well certificate (k) serves (sni): 2 by an exact name, 1 by a
 * wildcard, 0 not at all.
 */
static int cert_match(const struct tls_server_cert *k, const char *sni)
{
    const char *p = k->names;
    int best = 0;

    while (*p) {
        size_t n = strcspn(p, " ");
        if (n && name_match(p, n, sni)) {
            int m = p[0] == '*' ? 1 : 2;
            if (m > best)
                best = m;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return best;
}

uint32_t tls_cert_set(const struct tls_server *s, const char *sni, int *unknown)
{
    uint32_t set[3] = {0, 0, 0};
    unsigned i;

    *unknown = 0;
    for (i = 0; i < s->ncerts; i++) {
        if (sni[0])
            set[cert_match(&s->certs[i], sni)] |= 1u << i;
        if (s->certs[i].flags & TLS_CERT_DEFAULT)
            set[0] |= 1u << (TLS_SERVER_CERTS_MAX + i);
    }
    if (set[2])
        return set[2];
    if (set[1])
        return set[1];
    *unknown = sni[0] != 0;
    /* The defaults were marked in the upper half of set[0]. */
    set[0] >>= TLS_SERVER_CERTS_MAX;
    return set[0] ? set[0] : (s->ncerts ? 1u : 0u);
}

/* ---- The policy: which certificate, suite and hash -------------------- */

/* The hash to sign with among those both sides have (bit i: hash id i):
 * SHA-256, else SHA-384 (the engine registers no other). */
static int pick_hash(unsigned bits)
{
    if (bits & (1u << br_sha256_ID))
        return br_sha256_ID;
    if (bits & (1u << br_sha384_ID))
        return br_sha384_ID;
    return 0;
}

static struct tls_conn *conn_of_policy(const br_ssl_server_policy_class **p)
{
    return (struct tls_conn *)((char *)p - offsetof(struct tls_conn, policy));
}

static int policy_choose(const br_ssl_server_policy_class **pctx,
                         const br_ssl_server_context *cc,
                         br_ssl_server_choices *choices)
{
    struct tls_conn *c = conn_of_policy(pctx);
    struct tls_server *s = c->srv;
    const br_suite_translated *st;
    size_t u, n;
    uint32_t set, hashes;
    int unknown;

    set = tls_cert_set(s, br_ssl_engine_get_server_name(&cc->eng), &unknown);
    st = br_ssl_server_get_client_suites(cc, &n);
    hashes = br_ssl_server_get_client_hashes(cc);
    /* With BR_OPT_ENFORCE_SERVER_PREFERENCES, (st) is in our order. */
    for (u = 0; u < n; u++) {
        unsigned kx = st[u][1] >> 12, i;
        int want, h;
        if (kx == BR_SSLKEYX_ECDHE_ECDSA) {
            want = BR_KEYTYPE_EC;
            h = pick_hash((hashes >> 8) & 0xff);
        } else if (kx == BR_SSLKEYX_ECDHE_RSA) {
            want = BR_KEYTYPE_RSA;
            h = pick_hash(hashes & 0xff);
        } else {
            continue;
        }
        if (!h)
            continue;
        for (i = 0; i < s->ncerts; i++) {
            const struct tls_server_cert *k = &s->certs[i];
            if (!(set & (1u << i)) || k->key_type != want)
                continue;
            choices->cipher_suite = st[u][0];
            choices->algo_id = 0xff00u + (unsigned)h;
            choices->chain = k->chain;
            choices->chain_len = k->chain_len;
            c->cert = (int)i;
            c->chosen = 1;
            c->resumed = 0; /* a session the cache gave was not taken */
            if (unknown)
                s->stats.sni_unknown++;
            return 1;
        }
    }
    return 0; /* BearSSL answers handshake_failure */
}

/* Static ECDH and RSA key exchange are not among our suites. */
static uint32_t policy_keyx(const br_ssl_server_policy_class **pctx,
                            unsigned char *data, size_t *len)
{
    (void)pctx;
    (void)data;
    (void)len;
    return 0;
}

/* Signs the ServerKeyExchange hash in (data) with the chosen key. */
static size_t policy_sign(const br_ssl_server_policy_class **pctx,
                          unsigned algo_id, unsigned char *data, size_t hv_len,
                          size_t len)
{
    struct tls_conn *c = conn_of_policy(pctx);
    const struct tls_server_cert *k;
    const br_hash_class *hc;
    const unsigned char *oid;
    unsigned char hv[64];
    size_t siglen;

    if (c->cert < 0 || hv_len > sizeof hv)
        return 0;
    k = &c->srv->certs[c->cert];
    switch (algo_id & 0xff) {
    case br_sha256_ID:
        hc = &br_sha256_vtable;
        oid = BR_HASH_OID_SHA256;
        break;
    case br_sha384_ID:
        hc = &br_sha384_vtable;
        oid = BR_HASH_OID_SHA384;
        break;
    default:
        return 0;
    }
    memcpy(hv, data, hv_len);
    if (k->key_type == BR_KEYTYPE_EC) {
        /* An ASN.1 ECDSA signature on P-256 takes at most 72 bytes. */
        if (len < 72)
            return 0;
        return br_ecdsa_sign_asn1_get_default()(&tls_ec, hc, hv, &k->sk.ec,
                                                data);
    }
    siglen = (k->sk.rsa.n_bitlen + 7) / 8;
    if (len < siglen)
        return 0;
    return br_rsa_pkcs1_sign_get_default()(oid, hv, hv_len, &k->sk.rsa, data)
               ? siglen
               : 0;
}

const br_ssl_server_policy_class tls_policy_class = {
    sizeof(const br_ssl_server_policy_class *),
    policy_choose,
    policy_keyx,
    policy_sign,
};

/* ---- The session cache, bound to certificates ------------------------ */

/*
 * BearSSL's LRU cache, keyed by the session ID bound to the certificate
 * the session was made with: SHA-256(id_key, certificate index, ID).
 * The cache is asked before the ClientHello's SNI is read, so a lookup
 * tries each certificate in turn and remembers which one's key found the
 * session; when the handshake completes, tls_conn checks that the name
 * the client asks for now is one that certificate serves (RFC 6066
 * section 3: a server MUST NOT resume a session under another name).
 */
static void bind_id(const struct tls_server *s, const unsigned char *id,
                    unsigned cert, unsigned char *out)
{
    br_sha256_context h;
    unsigned char b = (unsigned char)cert;

    br_sha256_init(&h);
    br_sha256_update(&h, s->id_key, sizeof s->id_key);
    br_sha256_update(&h, &b, 1);
    br_sha256_update(&h, id, 32);
    br_sha256_out(&h, out);
}

static struct tls_server *server_of_cache(const br_ssl_session_cache_class **p)
{
    return (struct tls_server *)((char *)p -
                                 offsetof(struct tls_server, cache_vtable));
}

static void cache_save(const br_ssl_session_cache_class **ctx,
                       br_ssl_server_context *sc,
                       const br_ssl_session_parameters *params)
{
    struct tls_server *s = server_of_cache(ctx);
    struct tls_conn *c = (struct tls_conn *)sc;
    br_ssl_session_parameters p = *params;

    if (c->cert < 0 || params->session_id_len != 32)
        return;
    bind_id(s, params->session_id, (unsigned)c->cert, p.session_id);
    s->lru.vtable->save(&s->lru.vtable, sc, &p);
    tls_wipe(&p, sizeof p);
}

static int cache_load(const br_ssl_session_cache_class **ctx,
                      br_ssl_server_context *sc,
                      br_ssl_session_parameters *params)
{
    struct tls_server *s = server_of_cache(ctx);
    struct tls_conn *c = (struct tls_conn *)sc;
    br_ssl_session_parameters p;
    uint32_t set = ~0u;
    unsigned i;
    int unknown;

    if (params->session_id_len != 32)
        return 0;
    /* The name read ahead, when there is one: a session of a certificate
     * that does not serve it is not resumed (a full handshake follows). */
    if (c->hint)
        set = tls_cert_set(s, c->sni, &unknown);
    for (i = 0; i < s->ncerts; i++) {
        memset(&p, 0, sizeof p);
        p.session_id_len = 32;
        bind_id(s, params->session_id, i, p.session_id);
        if (s->lru.vtable->load(&s->lru.vtable, sc, &p)) {
            if (!(set & (1u << i))) {
                s->stats.resume_other++;
                tls_wipe(&p, sizeof p);
                return 0;
            }
            memcpy(p.session_id, params->session_id, 32);
            *params = p;
            tls_wipe(&p, sizeof p);
            c->cert = (int)i;
            c->resumed = 1;
            return 1;
        }
    }
    return 0;
}

static const br_ssl_session_cache_class cache_class = {
    sizeof(const br_ssl_session_cache_class *),
    cache_save,
    cache_load,
};

/* ---- Set-up ---------------------------------------------------------- */

static const char *impl_aes(const br_ssl_engine_context *e)
{
    if (e->iaes_ctr && e->iaes_ctr == br_aes_x86ni_ctr_get_vtable())
        return "x86ni";
    if (e->iaes_ctr == &br_aes_ct64_ctr_vtable)
        return "ct64";
    if (e->iaes_ctr == &br_aes_ct_ctr_vtable)
        return "ct";
    return "other";
}

static const char *impl_ghash(const br_ssl_engine_context *e)
{
    if (e->ighash && e->ighash == br_ghash_pclmul_get())
        return "pclmul";
    if (e->ighash == &br_ghash_ctmul64)
        return "ctmul64";
    if (e->ighash == &br_ghash_ctmul)
        return "ctmul";
    return "other";
}

static const char *impl_chacha(const br_ssl_engine_context *e)
{
    if (e->ichacha && e->ichacha == br_chacha20_sse2_get())
        return "sse2";
    if (e->ichacha == &br_chacha20_ct_run)
        return "ct";
    return "other";
}

static const char *impl_poly(const br_ssl_engine_context *e)
{
    if (e->ipoly && e->ipoly == br_poly1305_ctmulq_get())
        return "ctmulq";
    if (e->ipoly == &br_poly1305_ctmul_run)
        return "ctmul";
    return "other";
}

int tls_server_init(struct tls_server *s, size_t sessions)
{
    br_ssl_engine_context probe;
    static const uint16_t gcm[] = {
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    };
    static const uint16_t chapol[] = {
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    int fast_aes;

    memset(s, 0, sizeof *s);
    if (sessions > SIZE_MAX / TLS_CACHE_ENTRY)
        return PITH_ENOMEM;
    if (sessions) {
        s->cache_len = sessions * TLS_CACHE_ENTRY;
        s->cache_mem = malloc(s->cache_len);
        if (!s->cache_mem)
            return PITH_ENOMEM;
        br_ssl_session_cache_lru_init(&s->lru, s->cache_mem, s->cache_len);
        s->cache_vtable = &cache_class;
    }
    if (plat_entropy(s->id_key, sizeof s->id_key) < 0) {
        free(s->cache_mem);
        s->cache_mem = NULL;
        return PITH_EIO;
    }

    /* What BearSSL's defaults pick on this CPU, as each connection's
     * engine will get them. */
    memset(&probe, 0, sizeof probe);
    br_ssl_engine_set_default_aes_gcm(&probe);
    br_ssl_engine_set_default_chapol(&probe);
    s->impl.aes = impl_aes(&probe);
    s->impl.ghash = impl_ghash(&probe);
    s->impl.chacha20 = impl_chacha(&probe);
    s->impl.poly1305 = impl_poly(&probe);

    /* AES-GCM first where the CPU does AES and GHASH in hardware, which
     * is faster than ChaCha20; ChaCha20 first elsewhere. ECDSA before
     * RSA: a client that takes both gets the cheaper signature. */
    fast_aes = strcmp(s->impl.aes, "x86ni") == 0 &&
               strcmp(s->impl.ghash, "pclmul") == 0;
    if (fast_aes) {
        s->suites[0] = gcm[0];
        s->suites[1] = gcm[1];
        s->suites[2] = chapol[0];
        s->suites[3] = gcm[2];
        s->suites[4] = gcm[3];
        s->suites[5] = chapol[1];
    } else {
        s->suites[0] = chapol[0];
        s->suites[1] = gcm[0];
        s->suites[2] = gcm[1];
        s->suites[3] = chapol[1];
        s->suites[4] = gcm[2];
        s->suites[5] = gcm[3];
    }
    s->nsuites = 6;
    s->ready = 1;
    return PITH_OK;
}

/* A PEM decoding into one growing buffer (bounded by its capacity). */
struct pem_sink {
    unsigned char *buf;
    size_t cap, len;
    int overflow;
};

static void pem_append(void *ctx, const void *data, size_t len)
{
    struct pem_sink *k = ctx;

    if (len > k->cap - k->len) {
        k->overflow = 1;
        return;
    }
    memcpy(k->buf + k->len, data, len);
    k->len += len;
}

/* A PEM decoding in progress: objects whose names are in (names)
 * (NULL-terminated) go to (sink), at most (max) of them, their starts
 * and lengths in (starts) and (lens). */
struct pem_run {
    br_pem_decoder_context pc;
    const char *const *names;
    struct pem_sink *sink;
    size_t *starts, *lens, start;
    int n, max, inside;
    const char *why;
};

/* Feeds (len) bytes at (p); returns 0, or -1 with (r->why) set. */
static int pem_feed(struct pem_run *r, const unsigned char *p, size_t len)
{
    while (len > 0) {
        size_t used = br_pem_decoder_push(&r->pc, p, len);
        p += used;
        len -= used;
        switch (br_pem_decoder_event(&r->pc)) {
        case BR_PEM_BEGIN_OBJ: {
            const char *name = br_pem_decoder_name(&r->pc);
            int i, want = 0;
            for (i = 0; r->names[i]; i++)
                if (strcmp(name, r->names[i]) == 0)
                    want = 1;
            if (want && r->n == r->max) {
                r->why = "too many objects";
                return -1;
            }
            r->inside = want ? 1 : 2; /* 2: an object we skip */
            r->start = r->sink->len;
            if (want)
                br_pem_decoder_setdest(&r->pc, pem_append, r->sink);
            else
                br_pem_decoder_setdest(&r->pc, NULL, NULL);
            break;
        }
        case BR_PEM_END_OBJ:
            if (r->inside == 1) {
                r->starts[r->n] = r->start;
                r->lens[r->n] = r->sink->len - r->start;
                r->n++;
            }
            r->inside = 0;
            break;
        case BR_PEM_ERROR:
            r->why = "not valid PEM";
            return -1;
        default:
            break;
        }
        if (r->sink->overflow) {
            r->why = "more data than the PEM could hold";
            return -1;
        }
    }
    return 0;
}

/*
 * Decodes the PEM at (pem), (len) bytes, as struct pem_run says; returns
 * how many objects it kept, or -1 with a reason in (*why).
 */
static int pem_decode(const void *pem, size_t len, const char *const *names,
                      struct pem_sink *k, size_t *starts, size_t *lens, int max,
                      const char **why)
{
    struct pem_run r;

    memset(&r, 0, sizeof r);
    br_pem_decoder_init(&r.pc);
    r.names = names;
    r.sink = k;
    r.starts = starts;
    r.lens = lens;
    r.max = max;
    /* Then a newline, in case the file lacks its last one: BearSSL's
     * decoder ends an object only at an end of line. */
    if (pem_feed(&r, pem, len) < 0 ||
        pem_feed(&r, (const unsigned char *)"\n", 1) < 0) {
        *why = r.why;
        return -1;
    }
    if (r.inside) {
        *why = "an object does not end";
        return -1;
    }
    return r.n;
}

/* Copies (n) bytes at (src) to (*at), advancing it; returns the copy. */
static unsigned char *put(unsigned char **at, const void *src, size_t n)
{
    unsigned char *d = *at;

    memcpy(d, src, n);
    *at += n;
    return d;
}

/* Strips leading zero bytes of a big-endian integer. */
static void strip(const unsigned char **p, size_t *len)
{
    while (*len > 1 && (*p)[0] == 0) {
        (*p)++;
        (*len)--;
    }
}

/* Checks that the private key in (k) matches the public key (pk) of the
 * leaf certificate; returns 0 or a reason. */
static const char *key_matches(const struct tls_server_cert *k,
                               const br_x509_pkey *pk)
{
    if (pk->key_type != k->key_type)
        return "the key's type is not the certificate's";
    if (k->key_type == BR_KEYTYPE_EC) {
        unsigned char pub[BR_EC_KBUF_PUB_MAX_SIZE];
        br_ec_public_key q;
        if (pk->key.ec.curve != BR_EC_secp256r1)
            return "the certificate's key is not on P-256";
        if (!br_ec_compute_pub(&tls_ec, &q, pub, &k->sk.ec) ||
            q.qlen != pk->key.ec.qlen || memcmp(q.q, pk->key.ec.q, q.qlen) != 0)
            return "the key does not match the certificate";
    } else {
        unsigned char n[512];
        const unsigned char *a = n, *b = pk->key.rsa.n;
        size_t alen, blen = pk->key.rsa.nlen;
        br_rsa_compute_modulus mod = br_rsa_compute_modulus_get_default();
        alen = mod(NULL, &k->sk.rsa);
        if (alen == 0 || alen > sizeof n || mod(n, &k->sk.rsa) != alen)
            return "the RSA key is not valid";
        strip(&a, &alen);
        strip(&b, &blen);
        if (alen != blen || memcmp(a, b, alen) != 0)
            return "the key does not match the certificate";
    }
    return NULL;
}

static int check_names(const char *names, char *err, size_t errlen)
{
    const char *p = names;
    size_t len = strlen(names);
    int count = 0;

    if (len >= TLS_NAMES_MAX)
        return fail(err, errlen, PITH_EINVAL, "names: longer than %d bytes",
                    TLS_NAMES_MAX - 1);
    while (*p) {
        size_t n = strcspn(p, " "), i;
        for (i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)p[i];
            int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
                     ch == '_' || (ch == '*' && i == 0 && n > 2 && p[1] == '.');
            if (!ok)
                return fail(err, errlen, PITH_EINVAL,
                            "names: '%.*s' is not a DNS name or *.wildcard",
                            (int)n, p);
        }
        count += n > 0;
        p += n;
        while (*p == ' ')
            p++;
    }
    if (!count)
        return fail(err, errlen, PITH_EINVAL, "names: none given");
    return 0;
}

int tls_server_add_pem(struct tls_server *s, const char *names,
                       const void *chain, size_t chain_len, const void *key,
                       size_t key_len, unsigned flags, char *err, size_t errlen)
{
    static const char *const cert_names[] = {"CERTIFICATE", NULL};
    static const char *const key_names[] = {"EC PRIVATE KEY", "RSA PRIVATE KEY",
                                            "PRIVATE KEY", NULL};
    br_skey_decoder_context kd;
    br_x509_decoder_context xd;
    struct tls_server_cert *k;
    struct pem_sink der, kder;
    size_t starts[TLS_CHAIN_MAX], lens[TLS_CHAIN_MAX], kstart, klen;
    size_t total, nlen;
    unsigned char *mem = NULL, *at;
    const char *why = NULL;
    int n, rc, i;

    if (!s->ready || !names || (!chain && chain_len) || (!key && key_len))
        return fail(err, errlen, PITH_EINVAL, "bad arguments");
    if (s->ncerts == TLS_SERVER_CERTS_MAX)
        return fail(err, errlen, PITH_ELIMIT, "more than %d certificates",
                    TLS_SERVER_CERTS_MAX);
    rc = check_names(names, err, errlen);
    if (rc < 0)
        return rc;
    nlen = strlen(names) + 1;

    /* One allocation: the chain's DER (shorter than its PEM), the key's
     * DER for decoding, then the key's parts (shorter than its DER), and
     * the names. */
    if (chain_len > SIZE_MAX / 4 || key_len > SIZE_MAX / 4)
        return fail(err, errlen, PITH_ENOMEM, "files too large");
    total = chain_len + 2 * key_len + nlen + 16;
    mem = malloc(total);
    if (!mem)
        return fail(err, errlen, PITH_ENOMEM, "out of memory");
    der = (struct pem_sink){mem, chain_len, 0, 0};
    n = pem_decode(chain, chain_len, cert_names, &der, starts, lens,
                   TLS_CHAIN_MAX, &why);
    if (n < 0) {
        rc = fail(err, errlen, PITH_EINVAL, "chain: %s", why);
        goto out;
    }
    if (n == 0) {
        rc = fail(err, errlen, PITH_EINVAL, "chain: no CERTIFICATE in it");
        goto out;
    }
    kder = (struct pem_sink){mem + der.len, key_len, 0, 0};
    rc = pem_decode(key, key_len, key_names, &kder, &kstart, &klen, 1, &why);
    if (rc < 0) {
        rc = fail(err, errlen, PITH_EINVAL, "key: %s",
                  strcmp(why, "too many objects") == 0 ? "more than one key"
                                                       : why);
        goto out;
    }
    if (rc == 0) {
        rc = fail(err, errlen, PITH_EINVAL,
                  "key: no EC PRIVATE KEY, RSA PRIVATE KEY or PRIVATE KEY");
        goto out;
    }

    k = &s->certs[s->ncerts];
    memset(k, 0, sizeof *k);
    for (i = 0; i < n; i++) {
        k->chain[i].data = mem + starts[i];
        k->chain[i].data_len = lens[i];
    }
    k->chain_len = (size_t)n;

    br_skey_decoder_init(&kd);
    br_skey_decoder_push(&kd, kder.buf + kstart, klen);
    /* The key's parts go after its DER. */
    at = kder.buf + kder.len;
    if (br_skey_decoder_last_error(&kd) != 0) {
        rc = fail(err, errlen, PITH_EINVAL, "key: not a valid private key");
        goto out;
    }
    k->key_type = br_skey_decoder_key_type(&kd);
    if (k->key_type == BR_KEYTYPE_EC) {
        const br_ec_private_key *ec = br_skey_decoder_get_ec(&kd);
        if (ec->curve != BR_EC_secp256r1) {
            rc = fail(err, errlen, PITH_EINVAL,
                      "key: an EC key not on P-256 (curve %d)", ec->curve);
            goto out;
        }
        k->sk.ec.curve = ec->curve;
        k->sk.ec.xlen = ec->xlen;
        k->sk.ec.x = put(&at, ec->x, ec->xlen);
        k->key_bits = 256;
    } else {
        const br_rsa_private_key *r = br_skey_decoder_get_rsa(&kd);
        if (r->n_bitlen < 2048 || r->n_bitlen > 4096) {
            rc = fail(err, errlen, PITH_EINVAL,
                      "key: RSA of %u bits, not 2048 to 4096",
                      (unsigned)r->n_bitlen);
            goto out;
        }
        k->sk.rsa.n_bitlen = r->n_bitlen;
        k->sk.rsa.p = put(&at, r->p, k->sk.rsa.plen = r->plen);
        k->sk.rsa.q = put(&at, r->q, k->sk.rsa.qlen = r->qlen);
        k->sk.rsa.dp = put(&at, r->dp, k->sk.rsa.dplen = r->dplen);
        k->sk.rsa.dq = put(&at, r->dq, k->sk.rsa.dqlen = r->dqlen);
        k->sk.rsa.iq = put(&at, r->iq, k->sk.rsa.iqlen = r->iqlen);
        k->key_bits = r->n_bitlen;
    }
    tls_wipe(&kd, sizeof kd);
    /* The key's DER is not needed any more. */
    tls_wipe(kder.buf, kder.len);

    br_x509_decoder_init(&xd, NULL, NULL);
    br_x509_decoder_push(&xd, k->chain[0].data, k->chain[0].data_len);
    if (!br_x509_decoder_get_pkey(&xd)) {
        rc = fail(err, errlen, PITH_EINVAL,
                  "chain: the first certificate does not decode (BearSSL "
                  "error %d)",
                  br_x509_decoder_last_error(&xd));
        goto out;
    }
    why = key_matches(k, br_x509_decoder_get_pkey(&xd));
    if (why) {
        rc = fail(err, errlen, PITH_EINVAL, "key: %s", why);
        goto out;
    }
    k->names = (char *)put(&at, names, nlen);
    k->flags = flags & TLS_CERT_DEFAULT;
    k->mem = mem;
    k->mem_len = total;
    s->ncerts++;
    return PITH_OK;
out:
    tls_wipe(&kd, sizeof kd);
    tls_wipe(mem, total);
    free(mem);
    return rc;
}

int tls_server_set_alpn(struct tls_server *s, const char *const *names,
                        unsigned n)
{
    unsigned i;

    if (n > TLS_ALPN_MAX || (n && !names))
        return PITH_EINVAL;
    for (i = 0; i < n; i++) {
        size_t len = names[i] ? strlen(names[i]) : 0;
        if (len == 0 || len > 255)
            return PITH_EINVAL;
        s->alpn[i] = names[i];
    }
    s->nalpn = n;
    return PITH_OK;
}

int tls_server_cert(const struct tls_server *s, unsigned i,
                    struct tls_cert_info *info)
{
    const struct tls_server_cert *k;

    if (i >= s->ncerts)
        return PITH_ENOENT;
    k = &s->certs[i];
    info->names = k->names;
    info->key_type = k->key_type;
    info->key_bits = k->key_bits;
    info->chain_len = k->chain_len;
    info->is_default = (k->flags & TLS_CERT_DEFAULT) != 0;
    return PITH_OK;
}

void tls_server_impl(const struct tls_server *s, struct tls_impl *impl)
{
    *impl = s->impl;
}

void tls_server_stats(const struct tls_server *s, struct tls_stats *st)
{
    *st = s->stats;
}

void tls_server_release(struct tls_server *s)
{
    unsigned i;

    for (i = 0; i < s->ncerts; i++) {
        tls_wipe(s->certs[i].mem, s->certs[i].mem_len);
        free(s->certs[i].mem);
    }
    if (s->cache_mem) {
        tls_wipe(s->cache_mem, s->cache_len);
        free(s->cache_mem);
    }
    tls_wipe(s, sizeof *s);
}
