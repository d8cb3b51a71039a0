/*
 * Unit tests for net/tcp's foundations: segments and options (RFC 9293,
 * 7323, 2018), sequence arithmetic (RFC 9293 3.4, 3.10.7.4), the RFC 6298
 * estimator and Karn's rule, SipHash-2-4 and SYN cookies. Run under ASan:
 * every parse is of a buffer exactly as long as its input, so a read past
 * the view is a failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pith/err.h>

#include "unit.h"
#include "tcp_cookie.h"
#include "tcp_rtt.h"
#include "tcp_seq.h"
#include "tcp_wire.h"

/* A deterministic generator (xorshift64*) for the randomised tests. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* A heap copy of (n) bytes, exactly that long, so that ASan sees any read
 * beyond them. */
static uint8_t *exact(const uint8_t *b, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (n)
        memcpy(p, b, n);
    return p;
}

static int parse_bytes(const uint8_t *b, size_t n, struct tcp_hdr *h,
                       size_t *datalen)
{
    uint8_t *p = exact(b, n);
    struct bv v = bv_make(p, n), d;
    int rc = tcp_parse(&v, h, &d);
    *datalen = bv_len(&d);
    free(p);
    return rc;
}

#define ADDR(a, b, c, d)                                                       \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/*
 * A SYN Linux 6.18 sent from 10.0.0.1:40000 to 10.0.0.2:80, read from a
 * tun device (so with its checksum computed in full): the TCP header of
 * the IPv4 packet 4500003c99d44000 40068ce50a000001 0a000002.
 */
static const uint8_t linux_syn[] = {
    0x9c, 0x40, 0x00, 0x50, 0xc9, 0x81, 0xe1, 0x6f, 0x00, 0x00,
    0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xd4, 0xa9, 0x00, 0x00,
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x57, 0x38,
    0xc5, 0xa5, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};
#define LINUX_SRC ADDR(10, 0, 0, 1)
#define LINUX_DST ADDR(10, 0, 0, 2)

static void test_rfc9293_linux_syn_known_answer(void)
{
    struct tcp_hdr h;
    size_t dlen;
    struct bv v = bv_make(linux_syn, sizeof linux_syn);

    T_CHECK(parse_bytes(linux_syn, sizeof linux_syn, &h, &dlen) == PITH_OK);
    T_CHECK(h.sport == 40000 && h.dport == 80);
    T_CHECK(h.seq == 0xc981e16f && h.ack == 0);
    T_CHECK(h.hlen == 40 && h.flags == TCP_SYN);
    T_CHECK(h.win == 64240 && h.csum == 0xd4a9 && h.urg == 0);
    T_CHECK(dlen == 0);
    T_CHECK(h.opt.has ==
            (TCP_HAS_MSS | TCP_HAS_SACK_PERM | TCP_HAS_TS | TCP_HAS_WSCALE));
    T_CHECK(h.opt.mss == 1460 && h.opt.wscale == 10);
    T_CHECK(h.opt.ts_val == 0x5738c5a5 && h.opt.ts_ecr == 0);
    T_CHECK(tcp_seg_len(&h, 0) == 1);
    T_CHECK(tcp_csum_ok(&v, LINUX_SRC, LINUX_DST));
    /* The pseudo-header is covered: other addresses do not verify. */
    T_CHECK(!tcp_csum_ok(&v, LINUX_SRC, ADDR(10, 0, 0, 3)));
    T_CHECK(!tcp_csum_ok(&v, LINUX_DST, LINUX_SRC + 2));
}

/* pith lays options out as Linux does: writing the parsed SYN back gives
 * the very bytes, checksum included. */
static void test_rfc9293_write_linux_syn(void)
{
    uint8_t buf[128];
    struct bw w = bw_make(buf, sizeof buf, 64);
    struct tcp_hdr h;
    struct bv out;
    size_t dlen;

    T_CHECK(parse_bytes(linux_syn, sizeof linux_syn, &h, &dlen) == PITH_OK);
    h.csum = 0x1234; /* ignored */
    h.hlen = 0;      /* ignored */
    T_CHECK(tcp_opts_len(&h.opt) == 20);
    T_CHECK(tcp_push(&w, &h, LINUX_SRC, LINUX_DST) == PITH_OK);
    out = bw_view(&w);
    T_CHECK(bv_len(&out) == sizeof linux_syn);
    T_CHECK(bv_eq(&out, 0, linux_syn, sizeof linux_syn));
}

static void test_rfc9293_checksum(void)
{
    uint8_t seg[sizeof linux_syn + 3];
    struct bv v;
    size_t i;

    memcpy(seg, linux_syn, sizeof linux_syn);
    /* Every single-bit change is caught. */
    for (i = 0; i < sizeof linux_syn * 8; i++) {
        seg[i / 8] ^= (uint8_t)(1 << (i % 8));
        v = bv_make(seg, sizeof linux_syn);
        T_CHECK(!tcp_csum_ok(&v, LINUX_SRC, LINUX_DST));
        seg[i / 8] ^= (uint8_t)(1 << (i % 8));
    }
    v = bv_make(seg, sizeof linux_syn);
    T_CHECK(tcp_csum_ok(&v, LINUX_SRC, LINUX_DST));
    /* The length is in the pseudo-header: trailing zero bytes (which add
     * nothing to the sum) still fail. */
    memset(seg + sizeof linux_syn, 0, 3);
    v = bv_make(seg, sizeof seg);
    T_CHECK(!tcp_csum_ok(&v, LINUX_SRC, LINUX_DST));
    /* A view in error never verifies. */
    v = bv_make(seg, sizeof linux_syn);
    (void)bv_u8(&v, 1000);
    T_CHECK(!tcp_csum_ok(&v, LINUX_SRC, LINUX_DST));
}

/* A segment with an odd-length payload: the last byte is padded with zero
 * for the checksum (RFC 9293 3.1). Known answer computed by hand from RFC
 * 1071's definition, and checked by tcp_csum_ok(). */
static void test_rfc9293_odd_payload(void)
{
    uint8_t buf[128];
    struct bw w = bw_make(buf, sizeof buf, 60);
    struct tcp_hdr h = {.sport = 7,
                        .dport = 1,
                        .seq = 1,
                        .ack = 2,
                        .flags = TCP_ACK | TCP_PSH,
                        .win = 0x1000};
    struct bv v, d;
    uint32_t s;

    bw_append(&w, "abc", 3);
    T_CHECK(tcp_push(&w, &h, ADDR(192, 0, 2, 1), ADDR(192, 0, 2, 2)) ==
            PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == 23);
    T_CHECK(tcp_csum_ok(&v, ADDR(192, 0, 2, 1), ADDR(192, 0, 2, 2)));
    /* By hand: pseudo-header c000 0201 c000 0202 0006 0017, header 0007
     * 0001 0000 0001 0000 0002 5018 1000 0000 0000, data 6162 6300. */
    s = 0xc000 + 0x0201 + 0xc000 + 0x0202 + 0x0006 + 0x0017 + 0x0007 + 0x0001 +
        0x0001 + 0x0002 + 0x5018 + 0x1000 + 0x6162 + 0x6300;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    T_CHECK(bv_be16(&v, TCP_OFF_CSUM) == (uint16_t)~s);
    T_CHECK(tcp_parse(&v, &h, &d) == PITH_OK);
    T_CHECK(bv_len(&d) == 3 && bv_eq(&d, 0, "abc", 3));
}

/* RFC 9293 3.1: the data offset counts 32-bit words, at least 5, and the
 * header must fit in the segment. */
static void test_rfc9293_data_offset(void)
{
    uint8_t seg[64] = {0};
    struct tcp_hdr h;
    size_t dlen;
    unsigned doff;

    for (doff = 0; doff < 16; doff++) {
        seg[TCP_OFF_DOFF] = (uint8_t)(doff << 4);
        if (doff < 5)
            T_CHECK(parse_bytes(seg, 40, &h, &dlen) == PITH_EPROTO);
        else if (doff * 4 > 40)
            T_CHECK(parse_bytes(seg, 40, &h, &dlen) == PITH_ERANGE &&
                    dlen == 0);
        else
            T_CHECKF(parse_bytes(seg, 40, &h, &dlen) == PITH_OK &&
                         h.hlen == doff * 4 && dlen == 40 - doff * 4,
                     "doff %u", doff);
    }
    /* Shorter than a header. */
    seg[TCP_OFF_DOFF] = 5 << 4;
    for (doff = 0; doff < TCP_HLEN; doff++)
        T_CHECK(parse_bytes(seg, doff, &h, &dlen) == PITH_ERANGE);
    /* The reserved bits are ignored (RFC 9293 3.1). */
    seg[TCP_OFF_DOFF] = 5 << 4 | 0xf;
    seg[TCP_OFF_FLAGS] = 0xff;
    T_CHECK(parse_bytes(seg, 20, &h, &dlen) == PITH_OK && h.hlen == 20 &&
            h.flags == 0xff);
}

/* Parses a header of 20 bytes followed by the (n) option bytes (o),
 * padded with zero (EOL) to a multiple of 4. */
static int parse_opts(const uint8_t *o, size_t n, struct tcp_hdr *h)
{
    uint8_t seg[TCP_HLEN_MAX] = {0};
    size_t len = TCP_HLEN + ((n + 3) & ~(size_t)3), dlen;

    memcpy(seg + TCP_HLEN, o, n);
    seg[TCP_OFF_DOFF] = (uint8_t)(len / 4 << 4);
    return parse_bytes(seg, len, h, &dlen);
}

/* Option bytes parsed on their own, in a buffer exactly their length (no
 * zero padding to hide an overread). */
static int parse_raw_opts(const uint8_t *o, size_t n, struct tcp_opts *out)
{
    uint8_t *p = exact(o, n);
    struct bv v = bv_make(p, n);
    int rc = tcp_parse_opts(&v, out);
    free(p);
    return rc;
}

struct opt_case {
    const char *what;
    uint8_t b[40];
    uint8_t n;
};

/* Every malformed length stops option parsing and fails the segment; the
 * lwIP overread (2026) was a parser that trusted one of these. */
static const struct opt_case bad_opts[] = {
    {"length 0", {0xfe, 0}, 2},
    {"length 1", {0xfe, 1}, 2},
    {"MSS length 0", {TCP_OPT_MSS, 0, 5, 0xb4}, 4},
    {"MSS length 1", {TCP_OPT_MSS, 1, 5, 0xb4}, 4},
    {"kind with no length byte",
     {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_NOP, 0xfe},
     4},
    {"MSS with no length byte", {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_NOP, 2}, 4},
    {"past the end", {0xfe, 5, 0, 0}, 4},
    {"MSS past the end", {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_MSS, 4}, 4},
    {"TS past the end", {TCP_OPT_TS, 10, 0, 0, 0, 0, 0, 0}, 8},
    {"SACK past the end", {TCP_OPT_SACK, 10, 0, 0, 0, 0, 0, 0}, 8},
    {"length 255", {0xfe, 255, 0, 0}, 4},
    {"MSS length 3", {TCP_OPT_MSS, 3, 5, 0}, 4},
    {"MSS length 5", {TCP_OPT_MSS, 5, 5, 0xb4, 0, 0, 0, 0}, 8},
    {"WS length 2", {TCP_OPT_WSCALE, 2, 0, 0}, 4},
    {"WS length 4", {TCP_OPT_WSCALE, 4, 7, 0}, 4},
    {"SACK-permitted length 3", {TCP_OPT_SACK_PERM, 3, 0, 0}, 4},
    {"SACK-permitted length 4", {TCP_OPT_SACK_PERM, 4, 0, 0}, 4},
    {"TS length 9", {TCP_OPT_TS, 9, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0}, 12},
    {"TS length 11", {TCP_OPT_TS, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}, 12},
    {"SACK length 2", {TCP_OPT_SACK, 2, 0, 0}, 4},
    {"SACK length 9", {TCP_OPT_SACK, 9, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0}, 12},
    {"SACK length 11", {TCP_OPT_SACK, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}, 12},
    {"SACK length 17", {TCP_OPT_SACK, 17}, 20},
    {"good then bad", {TCP_OPT_MSS, 4, 5, 0xb4, TCP_OPT_WSCALE, 0, 0, 0}, 8},
};

static void test_rfc9293_bad_option_lengths(void)
{
    struct tcp_hdr h;
    struct tcp_opts o;
    size_t i, cut;

    for (i = 0; i < sizeof bad_opts / sizeof bad_opts[0]; i++) {
        const struct opt_case *c = &bad_opts[i];
        T_CHECKF(parse_opts(c->b, c->n, &h) == PITH_EPROTO, "%s", c->what);
        T_CHECKF(parse_raw_opts(c->b, c->n, &o) == PITH_EPROTO, "raw %s",
                 c->what);
    }
    /* The options before the bad one are kept, for logging. */
    T_CHECK(parse_opts(bad_opts[i - 1].b, bad_opts[i - 1].n, &h) ==
            PITH_EPROTO);
    T_CHECK(h.opt.has == TCP_HAS_MSS && h.opt.mss == 1460);
    /* Every truncation of a well-formed option is refused, each in a
     * buffer exactly as long. */
    {
        static const uint8_t full[] = {
            TCP_OPT_SACK, 18, 1,  2,  3,  4,  5, 6, 7, 8, 9,
            10,           11, 12, 13, 14, 15, 16};
        for (cut = 1; cut < sizeof full; cut++)
            T_CHECKF(parse_raw_opts(full, cut, &o) == PITH_EPROTO, "cut %zu",
                     cut);
        T_CHECK(parse_raw_opts(full, sizeof full, &o) == PITH_OK &&
                o.nsack == 2 && o.sack[1].right == 0x0d0e0f10);
    }
}

static void test_rfc9293_options(void)
{
    struct tcp_hdr h;
    struct tcp_opts o;

    /* NOPs, an unknown option skipped by its length, then EOL: what
     * follows EOL is padding, never parsed (RFC 9293 3.1). */
    {
        static const uint8_t b[] = {TCP_OPT_NOP, 0xfd, 4,    0xaa, 0xbb,
                                    TCP_OPT_MSS, 4,    0x23, 0x8c, TCP_OPT_EOL,
                                    0xfe,        0}; /* bad, unread */
        T_CHECK(parse_opts(b, sizeof b, &h) == PITH_OK);
        T_CHECK(h.opt.has == TCP_HAS_MSS && h.opt.mss == 9100);
    }
    /* RFC 7323 2.3: a shift above 14 is used as 14. */
    {
        static const uint8_t b[] = {TCP_OPT_NOP, TCP_OPT_WSCALE, 3, 15};
        T_CHECK(parse_opts(b, sizeof b, &h) == PITH_OK);
        T_CHECK(h.opt.has == TCP_HAS_WSCALE && h.opt.wscale == 14);
    }
    /* The later of two counts. */
    {
        static const uint8_t b[] = {TCP_OPT_MSS, 4, 0, 100,
                                    TCP_OPT_MSS, 4, 0, 200};
        T_CHECK(parse_opts(b, sizeof b, &h) == PITH_OK && h.opt.mss == 200);
    }
    /* Empty option list; all NOPs; a lone EOL. */
    T_CHECK(parse_raw_opts(NULL, 0, &o) == PITH_OK && o.has == 0);
    {
        static const uint8_t b[] = {1, 1, 1, 1, 1, 1, 1};
        T_CHECK(parse_raw_opts(b, sizeof b, &o) == PITH_OK && o.has == 0);
        T_CHECK(parse_raw_opts((const uint8_t *)"", 1, &o) == PITH_OK);
    }
}

/* RFC 2018 3: one to four SACK blocks; four fill 34 of the 40 bytes. */
static void test_rfc2018_sack_blocks(void)
{
    uint8_t b[40] = {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK};
    struct tcp_hdr h;
    unsigned n, i;

    for (n = 1; n <= 4; n++) {
        b[3] = (uint8_t)(2 + 8 * n);
        for (i = 0; i < 8 * n; i++)
            b[4 + i] = (uint8_t)(n * 16 + i);
        T_CHECK(parse_opts(b, 4 + 8 * n, &h) == PITH_OK);
        T_CHECK(h.opt.has == TCP_HAS_SACK && h.opt.nsack == n);
        T_CHECK(h.opt.sack[0].left ==
                ((uint32_t)(n * 16) << 24 | (n * 16 + 1) << 16 |
                 (n * 16 + 2) << 8 | (n * 16 + 3)));
        T_CHECK(h.opt.sack[n - 1].right % 256 == n * 16 + 8 * n - 1);
    }
    /* A fifth block cannot fit: the length 42 reaches past the header. */
    b[3] = 42;
    T_CHECK(parse_opts(b, 40, &h) == PITH_EPROTO);
}

/* RFC 7323 3: timestamps, and the SYN layout of every combination. */
static void test_rfc7323_timestamps(void)
{
    static const uint8_t b[] = {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_TS, 10,
                                0x80,        0,           0,          1,
                                0xff,        0xff,        0xff,       0xfe};
    struct tcp_hdr h;

    T_CHECK(parse_opts(b, sizeof b, &h) == PITH_OK);
    T_CHECK(h.opt.has == TCP_HAS_TS && h.opt.ts_val == 0x80000001 &&
            h.opt.ts_ecr == 0xfffffffe);
}

/* Random headers, options and payloads: write, parse, compare. */
static void test_rfc9293_round_trip(void)
{
    static uint8_t buf[2048];
    uint8_t pay[1460];
    unsigned iter, i, fits = 0;

    for (iter = 0; iter < 20000; iter++) {
        struct tcp_hdr h = {0}, g;
        struct bw w = bw_make(buf, sizeof buf, TCP_HLEN_MAX + 8);
        size_t plen = rng() % 64 == 0 ? rng() % sizeof pay : rng() % 8;
        uint32_t src = (uint32_t)rng(), dst = (uint32_t)rng();
        struct bv v, d;
        int rc;

        h.sport = (uint16_t)rng();
        h.dport = (uint16_t)rng();
        h.seq = (uint32_t)rng();
        h.ack = (uint32_t)rng();
        h.flags = (uint8_t)rng();
        h.win = (uint16_t)rng();
        h.urg = (uint16_t)rng();
        h.opt.has = (uint8_t)(rng() & 0x1f);
        h.opt.mss = (uint16_t)rng();
        h.opt.wscale = (uint8_t)(rng() % 15);
        h.opt.ts_val = (uint32_t)rng();
        h.opt.ts_ecr = (uint32_t)rng();
        h.opt.nsack = (uint8_t)(1 + rng() % 4);
        for (i = 0; i < TCP_SACK_MAX; i++) {
            h.opt.sack[i].left = (uint32_t)rng();
            h.opt.sack[i].right = (uint32_t)rng();
        }
        for (i = 0; i < plen; i++)
            pay[i] = (uint8_t)rng();
        bw_append(&w, pay, plen);
        rc = tcp_push(&w, &h, src, dst);
        if (tcp_opts_len(&h.opt) > TCP_OPT_MAX) {
            T_CHECK(rc == PITH_ERANGE && w.len == plen && bw_ok(&w));
            continue;
        }
        fits++;
        T_CHECK(rc == PITH_OK);
        v = bw_view(&w);
        T_CHECK(tcp_csum_ok(&v, src, dst));
        T_CHECK(tcp_parse(&v, &g, &d) == PITH_OK);
        T_CHECK(g.sport == h.sport && g.dport == h.dport && g.seq == h.seq &&
                g.ack == h.ack && g.flags == h.flags && g.win == h.win &&
                g.urg == h.urg);
        T_CHECK(g.hlen == TCP_HLEN + tcp_opts_len(&h.opt));
        T_CHECK(g.hlen % 4 == 0);
        T_CHECK(tcp_opts_equal(&g.opt, &h.opt));
        T_CHECK(bv_len(&d) == plen && bv_eq(&d, 0, pay, plen));
    }
    T_CHECK(fits > 10000);
}

static void test_rfc9293_push_errors(void)
{
    uint8_t buf[256];
    struct tcp_hdr h = {.flags = TCP_ACK};
    struct bw w;

    /* Timestamps and four SACK blocks: 48 bytes of options. */
    h.opt.has = TCP_HAS_TS | TCP_HAS_SACK;
    h.opt.nsack = 4;
    w = bw_make(buf, sizeof buf, 100);
    T_CHECK(tcp_opts_len(&h.opt) == 48);
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ERANGE && bw_ok(&w) && w.len == 0);
    h.opt.nsack = 3;
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_OK && w.len == 60);
    /* nsack out of range. */
    h.opt.has = TCP_HAS_SACK;
    h.opt.nsack = 0;
    w = bw_make(buf, sizeof buf, 100);
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ERANGE && w.len == 0);
    h.opt.nsack = 5;
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ERANGE && w.len == 0);
    /* No headroom. */
    h.opt.has = TCP_HAS_MSS;
    w = bw_make(buf, sizeof buf, 23);
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ENOMEM && !bw_ok(&w));
    w = bw_make(buf, sizeof buf, 24);
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_OK && w.len == 24);
    /* A view in error already: refused, untouched. */
    w = bw_make(buf, sizeof buf, 64);
    bw_pull(&w, 1);
    T_CHECK(!bw_ok(&w));
    T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ENOMEM && w.len == 0 && w.off == 64);
    /* A segment above 65535 bytes. */
    {
        static uint8_t big[70000];
        w = bw_make(big, sizeof big, 64);
        bw_put(&w, 65535 - 24 + 1);
        T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_ERANGE);
        bw_trim(&w, 65535 - 24);
        T_CHECK(tcp_push(&w, &h, 1, 2) == PITH_OK && w.len == 65535);
    }
}

/* ---- Sequence numbers ---- */

/* The reference: (b) - (a) as a signed distance, computed in 64 bits from
 * an unwrapped pair. */
static void check_pair(uint32_t a, int64_t d)
{
    uint32_t b = (uint32_t)((int64_t)a + d);

    T_CHECKF(tcp_seq_lt(a, b) == (d > 0), "lt %u %lld", a, (long long)d);
    T_CHECKF(tcp_seq_leq(a, b) == (d >= 0), "leq %u %lld", a, (long long)d);
    T_CHECKF(tcp_seq_gt(a, b) == (d < 0), "gt %u %lld", a, (long long)d);
    T_CHECKF(tcp_seq_geq(a, b) == (d <= 0), "geq %u %lld", a, (long long)d);
    T_CHECK(tcp_seq_max(a, b) == (d > 0 ? b : a));
    T_CHECK(tcp_seq_min(a, b) == (d > 0 ? a : b));
}

static const uint32_t seq_bases[] = {
    0,          1,          2,          0x7ffffffe, 0x7fffffff, 0x80000000,
    0x80000001, 0xfffffffe, 0xffffffff, 0xfffff000, 0x12345678, 0xc981e16f,
};
#define NBASES (sizeof seq_bases / sizeof seq_bases[0])

/* RFC 9293 3.4: comparisons modulo 2^32, across every wrap point. */
static void test_rfc9293_seq_compare(void)
{
    const int64_t half = 0x80000000ll;
    unsigned i;
    int64_t d;

    for (i = 0; i < NBASES; i++) {
        for (d = -3000; d <= 3000; d++)
            check_pair(seq_bases[i], d);
        for (d = half - 3000; d < half; d++) {
            check_pair(seq_bases[i], d);
            check_pair(seq_bases[i], -d);
        }
    }
    for (i = 0; i < 200000; i++) {
        d = (int64_t)(rng() % (uint64_t)(2 * half - 1)) - (half - 1);
        check_pair((uint32_t)rng(), d);
    }
    /* Exactly 2^31 apart: "before" both ways, as documented. */
    T_CHECK(tcp_seq_lt(0, 0x80000000) && tcp_seq_lt(0x80000000, 0));
    T_CHECK(tcp_seq_gt(0, 0x80000000) && !tcp_seq_geq(0, 0x80000000));
}

static void test_rfc9293_seq_in(void)
{
    unsigned i;
    int64_t d;
    uint32_t len;
    static const uint32_t lens[] = {0, 1, 2, 100, 65535, 1u << 30, 1u << 31};

    for (i = 0; i < NBASES; i++) {
        for (len = 0; len < sizeof lens / sizeof lens[0]; len++) {
            uint32_t n = lens[len];
            for (d = -300; d <= 300; d++) {
                uint32_t x = (uint32_t)(seq_bases[i] + d);
                T_CHECK(tcp_seq_in(x, seq_bases[i], n) == (d >= 0 && d < n));
                x = (uint32_t)(seq_bases[i] + n + d);
                T_CHECK(tcp_seq_in(x, seq_bases[i], n) ==
                        (n + d >= 0 && n + d < n));
            }
        }
        /* All but one number: only lo - 1 is out. */
        T_CHECK(!tcp_seq_in(seq_bases[i] - 1, seq_bases[i], 0xffffffff));
        T_CHECK(tcp_seq_in(seq_bases[i] - 2, seq_bases[i], 0xffffffff));
        T_CHECK(tcp_seq_in(seq_bases[i], seq_bases[i], 0xffffffff));
    }
}

/*
 * The acceptability test against an unwrapped model: offsets from RCV.NXT
 * as 64-bit integers, the window as [0, wnd). The RFC 9293 3.10.7.4 table,
 * plus the covering case (see tcp_seq.h).
 */
static int acceptable_model(int64_t off, int64_t wnd, int64_t len)
{
    if (wnd == 0)
        return len == 0 && off == 0;
    if (len == 0)
        return off >= 0 && off < wnd;
    return off < wnd && off + len > 0; /* the segment overlaps the window */
}

static void test_rfc9293_segment_acceptability(void)
{
    static const uint32_t wnds[] = {0, 1, 2, 3, 10, 65535, 1u << 30};
    unsigned i, j;
    int64_t off, len;

    /* The RFC's table, row by row, at RCV.NXT 1000, RCV.WND 100. */
    T_CHECK(tcp_seq_acceptable(1000, 0, 1000, 0));
    T_CHECK(!tcp_seq_acceptable(1000, 0, 1001, 0));
    T_CHECK(!tcp_seq_acceptable(1000, 0, 999, 0));
    T_CHECK(tcp_seq_acceptable(1000, 100, 1000, 0));
    T_CHECK(tcp_seq_acceptable(1000, 100, 1099, 0));
    T_CHECK(!tcp_seq_acceptable(1000, 100, 1100, 0));
    T_CHECK(!tcp_seq_acceptable(1000, 100, 999, 0));
    T_CHECK(!tcp_seq_acceptable(1000, 0, 1000, 1));
    T_CHECK(tcp_seq_acceptable(1000, 100, 1099, 10));  /* starts inside */
    T_CHECK(tcp_seq_acceptable(1000, 100, 995, 10));   /* ends inside */
    T_CHECK(!tcp_seq_acceptable(1000, 100, 990, 10));  /* all old */
    T_CHECK(!tcp_seq_acceptable(1000, 100, 1100, 10)); /* beyond */
    T_CHECK(tcp_seq_acceptable(1000, 100, 900, 300));  /* covers it */
    /* Everything near every wrap point, against the model. */
    for (i = 0; i < NBASES; i++) {
        for (j = 0; j < sizeof wnds / sizeof wnds[0]; j++) {
            int64_t w = wnds[j];
            for (len = 0; len <= 5; len++) {
                for (off = -12; off <= 12; off++) {
                    uint32_t nxt = seq_bases[i];
                    T_CHECKF(tcp_seq_acceptable(nxt, (uint32_t)w,
                                                (uint32_t)(nxt + off),
                                                (uint32_t)len) ==
                                 acceptable_model(off, w, len),
                             "nxt %u wnd %lld off %lld len %lld", nxt,
                             (long long)w, (long long)off, (long long)len);
                    T_CHECK(tcp_seq_acceptable(nxt, (uint32_t)w,
                                               (uint32_t)(nxt + w + off),
                                               (uint32_t)len) ==
                            acceptable_model(w + off, w, len));
                }
            }
            /* A large segment straddling either edge. */
            for (off = -70000; off <= 70000; off += 997) {
                uint32_t nxt = seq_bases[i];
                T_CHECK(tcp_seq_acceptable(nxt, (uint32_t)w,
                                           (uint32_t)(nxt + off), 65536) ==
                        acceptable_model(off, w, 65536));
            }
        }
    }
}

/* ---- RFC 6298 ---- */

/* The RFC's formulas in floating point, with pith's floor and ceiling. */
struct rtt_ref {
    double srtt, rttvar, rto;
    int first;
};

static void ref_sample(struct rtt_ref *r, double rtt)
{
    double var;

    if (r->first) {
        r->srtt = rtt;
        r->rttvar = rtt / 2;
        r->first = 0;
    } else {
        double dev = r->srtt > rtt ? r->srtt - rtt : rtt - r->srtt;
        r->rttvar = (1 - 0.25) * r->rttvar + 0.25 * dev;
        r->srtt = (1 - 0.125) * r->srtt + 0.125 * rtt;
    }
    var = 4 * r->rttvar;
    r->rto = r->srtt + (var > TCP_RTO_G ? var : TCP_RTO_G);
    if (r->rto < TCP_RTO_MIN)
        r->rto = TCP_RTO_MIN;
    if (r->rto > TCP_RTO_MAX)
        r->rto = TCP_RTO_MAX;
}

static int near(uint64_t got, double want)
{
    double d = (double)got - want;
    return d > -64 && d < 64; /* integer shifts lose under a ns a step */
}

/* RFC 6298 2.1 and 2.2. */
static void test_rfc6298_initial_and_first(void)
{
    struct tcp_rtt r;

    tcp_rtt_init(&r);
    T_CHECK(r.rto == 1000 * TCP_MS && r.samples == 0);
    tcp_rtt_sample(&r, 100 * TCP_MS);
    T_CHECK(r.srtt == 100 * TCP_MS && r.rttvar == 50 * TCP_MS);
    T_CHECK(r.rto == 300 * TCP_MS); /* R + 4 * R/2 */
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 500 * TCP_MS);
    T_CHECK(r.rto == 1500 * TCP_MS);
}

/* RFC 6298 2.3 against the formulas, over known sequences. */
static void test_rfc6298_known_sequences(void)
{
    static const uint64_t seqs[][8] = {
        {100, 100, 100, 100, 100, 100, 100, 100},
        {100, 200, 50, 400, 100, 100, 80, 120},
        {30, 35, 28, 500, 31, 33, 30, 29},
        {2000, 2500, 3000, 1000, 800, 2600, 2400, 2200},
        {1, 2, 1, 3, 1, 1, 2, 1},
    };
    unsigned s, i;

    for (s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
        struct tcp_rtt r;
        struct rtt_ref ref = {.first = 1};
        tcp_rtt_init(&r);
        for (i = 0; i < 8; i++) {
            uint64_t rtt = seqs[s][i] * TCP_MS;
            tcp_rtt_sample(&r, rtt);
            ref_sample(&ref, (double)rtt);
            T_CHECKF(near(r.srtt, ref.srtt) && near(r.rttvar, ref.rttvar) &&
                         near(r.rto, ref.rto),
                     "seq %u step %u: srtt %llu/%.0f rttvar %llu/%.0f rto "
                     "%llu/%.0f",
                     s, i, (unsigned long long)r.srtt, ref.srtt,
                     (unsigned long long)r.rttvar, ref.rttvar,
                     (unsigned long long)r.rto, ref.rto);
        }
        T_CHECK(r.samples == 8);
    }
    /* Random ones, long. */
    for (s = 0; s < 50; s++) {
        struct tcp_rtt r;
        struct rtt_ref ref = {.first = 1};
        tcp_rtt_init(&r);
        for (i = 0; i < 1000; i++) {
            uint64_t rtt = rng() % (3000 * TCP_MS);
            tcp_rtt_sample(&r, rtt);
            ref_sample(&ref, (double)rtt);
        }
        T_CHECK(near(r.srtt, ref.srtt) && near(r.rto, ref.rto));
    }
}

/* RFC 6298 2: the granularity G bounds the variance term from below; 2.4
 * and 2.5: the floor and the ceiling. */
static void test_rfc6298_granularity_min_max(void)
{
    struct tcp_rtt r;
    int i;

    tcp_rtt_init(&r);
    for (i = 0; i < 200; i++)
        tcp_rtt_sample(&r, 400 * TCP_MS);
    T_CHECK(r.srtt == 400 * TCP_MS && 4 * r.rttvar < TCP_RTO_G);
    T_CHECK(r.rto == 400 * TCP_MS + TCP_RTO_G);
    /* A LAN: 50 us round trips give the floor. */
    tcp_rtt_init(&r);
    for (i = 0; i < 10; i++)
        tcp_rtt_sample(&r, 50000);
    T_CHECK(r.rto == TCP_RTO_MIN);
    T_CHECK(TCP_RTO_MIN == 200 * TCP_MS && TCP_RTO_MAX == 60000 * TCP_MS);
    /* A huge sample: the ceiling. */
    tcp_rtt_sample(&r, 1000000 * TCP_MS);
    T_CHECK(r.rto == TCP_RTO_MAX);
    tcp_rtt_sample(&r, UINT64_MAX);
    T_CHECK(r.rto == TCP_RTO_MAX);
}

/* RFC 6298 5.5 and 5.7. */
static void test_rfc6298_backoff(void)
{
    struct tcp_rtt r;
    uint64_t want = TCP_RTO_INIT;
    int i;

    tcp_rtt_init(&r);
    for (i = 0; i < 10; i++) {
        tcp_rtt_backoff(&r);
        want = want * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : want * 2;
        T_CHECK(r.rto == want);
    }
    T_CHECK(r.rto == TCP_RTO_MAX && r.backoffs == 10);
    /* 5.7: the SYN timed out: at least 3 s once data flows... */
    tcp_rtt_init(&r);
    tcp_rtt_backoff(&r);
    tcp_rtt_syn_lost(&r);
    T_CHECK(r.rto == TCP_RTO_SYN_LOST);
    /* ...unless it is more already. */
    tcp_rtt_backoff(&r);
    tcp_rtt_backoff(&r);
    tcp_rtt_syn_lost(&r);
    T_CHECK(r.rto == 12000 * TCP_MS);
    /* A sample ends the backoff: the RTO comes from the estimator. */
    tcp_rtt_sample(&r, 100 * TCP_MS);
    T_CHECK(r.rto == 300 * TCP_MS && r.backoffs == 0);
    tcp_rtt_syn_lost(&r); /* measured: no effect */
    T_CHECK(r.rto == 300 * TCP_MS);
}

/* RFC 6298 3 (Karn): no sample from a retransmitted segment, and the
 * backed-off RTO holds until a valid one. */
static void test_rfc6298_karn(void)
{
    struct tcp_rtt r;

    tcp_rtt_init(&r);
    tcp_rtt_start(&r, 1000, 5 * TCP_MS);
    tcp_rtt_start(&r, 2000, 6 * TCP_MS);         /* one at a time: ignored */
    T_CHECK(!tcp_rtt_ack(&r, 999, 50 * TCP_MS)); /* does not cover it */
    T_CHECK(tcp_rtt_ack(&r, 1000, 105 * TCP_MS));
    T_CHECK(r.srtt == 100 * TCP_MS && r.samples == 1);
    T_CHECK(!tcp_rtt_ack(&r, 3000, 200 * TCP_MS)); /* nothing timed */
    /* Timed segment retransmitted: its ACK is ambiguous. */
    tcp_rtt_start(&r, 5000, 300 * TCP_MS);
    tcp_rtt_retransmit(&r);
    T_CHECK(!tcp_rtt_ack(&r, 5000, 900 * TCP_MS) && r.samples == 1);
    /* Timer expiry abandons the timing too, and the doubled RTO stays
     * until a new segment is timed and acknowledged. */
    tcp_rtt_start(&r, 6000, 1000 * TCP_MS);
    tcp_rtt_backoff(&r);
    T_CHECK(r.rto == 600 * TCP_MS);
    T_CHECK(!tcp_rtt_ack(&r, 6000, 3000 * TCP_MS) && r.rto == 600 * TCP_MS);
    tcp_rtt_start(&r, 7000, 4000 * TCP_MS);
    T_CHECK(tcp_rtt_ack(&r, 7100, 4100 * TCP_MS) && r.backoffs == 0);
    /* Across the wrap of sequence space. */
    tcp_rtt_start(&r, 0xfffffff0, 0);
    T_CHECK(!tcp_rtt_ack(&r, 0xffffffe0, 10));
    T_CHECK(tcp_rtt_ack(&r, 0x10, 20));
}

/* ---- SipHash-2-4 and SYN cookies ---- */

/* The reference vectors (the paper, appendix A, and its test.c): key 00
 * 01 .. 0f, message 00 01 .. (n - 1). */
static void test_siphash_reference_vectors(void)
{
    static const struct {
        size_t n;
        uint64_t h;
    } vec[] = {
        {0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull},
        {2, 0x0d6c8009d9a94f5aull}, {7, 0xab0200f58b01d137ull},
        {8, 0x93f5f5799a932462ull}, {15, 0xa129ca6149be45e5ull},
    };
    struct tcp_siphash_key k = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t m[16];
    size_t i;

    for (i = 0; i < sizeof m; i++)
        m[i] = (uint8_t)i;
    for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        uint8_t *p = exact(m, vec[i].n);
        T_CHECKF(tcp_siphash(&k, p, vec[i].n) == vec[i].h, "n %zu", vec[i].n);
        free(p);
    }
    T_CHECK(tcp_siphash(&k, NULL, 0) == 0x726fdb47dd0e0e31ull);
}

static const struct tcp_siphash_key ckey = {0x0123456789abcdefull,
                                            0xfedcba9876543210ull};
static const struct tcp_tuple ctup = {ADDR(10, 0, 0, 2), ADDR(10, 0, 0, 1), 80,
                                      40000};

static void test_rfc4987_syn_cookie(void)
{
    static const struct {
        uint16_t offered, used;
    } m[] = {{1460, 1460}, {1459, 1440}, {65535, 8960}, {536, 536},
             {100, 216},   {0, 216},     {1400, 1400},  {9000, 8960}};
    uint64_t now = 1000 * TCP_COOKIE_PERIOD + 5;
    uint32_t isn, peer = 0xc981e16f;
    uint16_t mss;
    size_t i;

    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        isn = tcp_cookie_make(&ckey, &ctup, peer, m[i].offered, now);
        mss = 0;
        T_CHECKF(tcp_cookie_check(&ckey, &ctup, peer + 1, isn + 1, now, &mss) ==
                         PITH_OK &&
                     mss == m[i].used,
                 "offered %u got %u", m[i].offered, mss);
    }
    isn = tcp_cookie_make(&ckey, &ctup, peer, 1460, now);
    /* Another tuple, peer ISN, ACK or key: refused, mss untouched. */
    {
        struct tcp_tuple t = ctup;
        struct tcp_siphash_key k = ckey;
        mss = 7;
        t.rport++;
        T_CHECK(tcp_cookie_check(&ckey, &t, peer + 1, isn + 1, now, &mss) ==
                PITH_EPROTO);
        t = ctup;
        t.raddr ^= 1;
        T_CHECK(tcp_cookie_check(&ckey, &t, peer + 1, isn + 1, now, &mss) ==
                PITH_EPROTO);
        T_CHECK(tcp_cookie_check(&ckey, &ctup, peer + 2, isn + 1, now, &mss) ==
                PITH_EPROTO);
        T_CHECK(tcp_cookie_check(&ckey, &ctup, peer + 1, isn + 2, now, &mss) ==
                PITH_EPROTO);
        /* A different MSS index with the same hash bits. */
        T_CHECK(tcp_cookie_check(&ckey, &ctup, peer + 1, (isn ^ 1u << 24) + 1,
                                 now, &mss) == PITH_EPROTO);
        k.k1 ^= 1;
        T_CHECK(tcp_cookie_check(&k, &ctup, peer + 1, isn + 1, now, &mss) ==
                PITH_EPROTO);
        T_CHECK(mss == 7);
    }
    /* Age: good for TCP_COOKIE_MAX_AGE steps of the counter, no more,
     * and the 5-bit counter's wrap does not revive it. */
    for (i = 0; i <= 40; i++) {
        int ok = tcp_cookie_check(&ckey, &ctup, peer + 1, isn + 1,
                                  now + i * TCP_COOKIE_PERIOD, &mss) == PITH_OK;
        T_CHECKF(ok == (i <= TCP_COOKIE_MAX_AGE), "age %zu", i);
    }
    /* Not from the future either. */
    T_CHECK(tcp_cookie_check(&ckey, &ctup, peer + 1, isn + 1,
                             now - TCP_COOKIE_PERIOD, &mss) == PITH_EPROTO);
    /* The counter field carries the time. */
    T_CHECK(isn >> 27 == 1000 % 32);
}

/* Forged ACKs: about 2^-24 * 3/32 pass. Half a million tries should give
 * none; allow two. */
static void test_rfc4987_cookie_forgery(void)
{
    uint64_t now = 77 * TCP_COOKIE_PERIOD;
    unsigned i, pass = 0;
    uint16_t mss;

    for (i = 0; i < 500000; i++)
        pass += tcp_cookie_check(&ckey, &ctup, (uint32_t)rng(), (uint32_t)rng(),
                                 now, &mss) == PITH_OK;
    T_CHECKF(pass <= 2, "%u forged cookies passed", pass);
}

int main(void)
{
    T_RUN(test_rfc9293_linux_syn_known_answer);
    T_RUN(test_rfc9293_write_linux_syn);
    T_RUN(test_rfc9293_checksum);
    T_RUN(test_rfc9293_odd_payload);
    T_RUN(test_rfc9293_data_offset);
    T_RUN(test_rfc9293_bad_option_lengths);
    T_RUN(test_rfc9293_options);
    T_RUN(test_rfc2018_sack_blocks);
    T_RUN(test_rfc7323_timestamps);
    T_RUN(test_rfc9293_round_trip);
    T_RUN(test_rfc9293_push_errors);
    T_RUN(test_rfc9293_seq_compare);
    T_RUN(test_rfc9293_seq_in);
    T_RUN(test_rfc9293_segment_acceptability);
    T_RUN(test_rfc6298_initial_and_first);
    T_RUN(test_rfc6298_known_sequences);
    T_RUN(test_rfc6298_granularity_min_max);
    T_RUN(test_rfc6298_backoff);
    T_RUN(test_rfc6298_karn);
    T_RUN(test_siphash_reference_vectors);
    T_RUN(test_rfc4987_syn_cookie);
    T_RUN(test_rfc4987_cookie_forgery);
    return t_done();
}
