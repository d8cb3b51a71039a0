/*
 * Unit tests for the DNS codec (svc/dns: name.c, rdata.c, msg.c): names
 * on the wire (RFC 1035 4.1.4's own example) and the compression
 * anti-patterns of RFC 9267; presentation form round trips with escapes
 * and at the length limits; the canonical order of RFC 4034 6.1 on its
 * own example; type mnemonics (RFC 3597 5); record data of each typed
 * layout; queries captured from dig 9.18 and kdig 3.2 with and without
 * EDNS, and OPT variants (RFC 6891); and the writer, which must produce
 * byte for byte the responses NSD 4.6 gave to those queries, roll back a
 * record that does not fit, and never point at 0x4000 or beyond.
 */
#include <stdint.h>
#include <string.h>

#include <pith/bv.h>
#include <pith/err.h>

#include "dns.h"
#include "unit.h"

/* ---- Helpers ------------------------------------------------------- */

/* Decodes the hex string (s) (spaces ignored) into (out); returns the
 * number of bytes. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (; *s; s++) {
        int v;

        if (*s == ' ')
            continue;
        v = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
        if (hi < 0) {
            hi = v;
        } else {
            T_CHECK(n < cap);
            if (n < cap)
                out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

/* The absolute name (s); a failed check when it is not one. */
static struct dns_name N(const char *s) {
    struct dns_name n;

    memset(&n, 0, sizeof n);
    T_CHECKF(dns_name_from_text(&n, s, strlen(s), NULL) == PITH_OK, "N(%s)", s);
    return n;
}

/* dns_name_to_text() into a static buffer. */
static const char *
txt(const struct dns_name *n)
{
    static char buf[DNS_NAME_TEXT_MAX];

    T_CHECK(dns_name_to_text(n, buf, sizeof buf) >= 0);
    return buf;
}

/* Parses the name at (off) of the (len) bytes at (m); returns the error
 * and, on success, the offset after it in (*next). */
static int parse_at(const uint8_t *m, size_t len, size_t off,
                    struct dns_name *n, size_t *next)
{
    struct bv v = bv_make(m, len);
    int rc = dns_name_parse(&v, &off, n);

    if (next != NULL)
        *next = off;
    return rc;
}

/* ---- Names on the wire --------------------------------------------- */

/* RFC 1035 4.1.4: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40 (FOO and a
 * pointer to 20), ARPA at 64 (a pointer to 26), the root at 92. */
static void test_rfc1035_compression_example(void)
{
    uint8_t m[100];
    struct dns_name n;
    size_t next;
    static const uint8_t fisiarpa[] = {1, 'F', 3,   'I', 'S', 'I',
                                       4, 'A', 'R', 'P', 'A', 0};

    memset(m, 0xff, sizeof m);
    memcpy(&m[20], fisiarpa, sizeof fisiarpa);
    memcpy(&m[40], "\003FOO\300\024", 6);
    memcpy(&m[64], "\300\032", 2);
    m[92] = 0;

    T_CHECK(parse_at(m, sizeof m, 20, &n, &next) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "F.ISI.ARPA.") == 0);
    T_CHECK(next == 32 && n.len == 12 && n.labels == 3);

    T_CHECK(parse_at(m, sizeof m, 40, &n, &next) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "FOO.F.ISI.ARPA.") == 0);
    T_CHECK(next == 46 && n.len == 16 && n.labels == 4);

    T_CHECK(parse_at(m, sizeof m, 64, &n, &next) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "ARPA.") == 0);
    T_CHECK(next == 66 && n.len == 6 && n.labels == 1);

    T_CHECK(parse_at(m, sizeof m, 92, &n, &next) == PITH_OK);
    T_CHECK(strcmp(txt(&n), ".") == 0);
    T_CHECK(next == 93 && n.len == 1 && n.labels == 0);
}

/* RFC 9267 2 to 5: what a parser must refuse. */
static void test_rfc9267_anti_patterns(void)
{
    uint8_t m[1024];
    struct dns_name n;
    size_t i, next;

    memset(m, 0, sizeof m);

    /* A pointer to itself (2.). */
    memcpy(&m[12], "\300\014", 2);
    T_CHECK(parse_at(m, 14, 12, &n, NULL) == PITH_EPROTO);

    /* A loop A -> B -> A: one of the two points forward (2.). */
    memcpy(&m[12], "\300\016\300\014", 4);
    T_CHECK(parse_at(m, 16, 12, &n, NULL) == PITH_EPROTO);
    T_CHECK(parse_at(m, 16, 14, &n, NULL) == PITH_EPROTO);

    /* Labels, then a pointer back to their own start: a.a.a... (2.). */
    memcpy(&m[12], "\001a\300\014", 4);
    T_CHECK(parse_at(m, 16, 12, &n, NULL) == PITH_EPROTO);
    /* ... or into their middle, which only a forger writes. */
    memcpy(&m[12], "\003a\000b\300\015", 6);
    T_CHECK(parse_at(m, 18, 12, &n, NULL) == PITH_EPROTO);

    /* A forward pointer, even to a valid name (2.). */
    memcpy(&m[12], "\300\016\001a\000", 5);
    T_CHECK(parse_at(m, 17, 12, &n, NULL) == PITH_EPROTO);
    T_CHECK(parse_at(m, 17, 14, &n, NULL) == PITH_OK);

    /* A pointer past the end, a pointer cut in half, a label past the
     * end (3.). */
    memcpy(&m[12], "\001a\000\300\377", 5);
    T_CHECK(parse_at(m, 17, 15, &n, NULL) == PITH_EPROTO);
    T_CHECK(parse_at(m, 16, 15, &n, NULL) == PITH_EPROTO);
    memcpy(&m[12], "\005abc", 4);
    T_CHECK(parse_at(m, 16, 12, &n, NULL) == PITH_EPROTO);
    /* No root at all. */
    memcpy(&m[12], "\001a", 2);
    T_CHECK(parse_at(m, 14, 12, &n, NULL) == PITH_EPROTO);
    T_CHECK(parse_at(m, 12, 12, &n, NULL) == PITH_EPROTO);

    /* Label types 0x40 (RFC 6891 5: no extended labels) and 0x80, and
     * so any "label over 63". */
    memcpy(&m[12], "\101a\000", 3);
    T_CHECK(parse_at(m, 15, 12, &n, NULL) == PITH_EPROTO);
    m[12] = 0x7f;
    T_CHECK(parse_at(m, 200, 12, &n, NULL) == PITH_EPROTO);
    m[12] = 0x80;
    T_CHECK(parse_at(m, 200, 12, &n, NULL) == PITH_EPROTO);
    m[12] = 0xbf;
    T_CHECK(parse_at(m, 200, 12, &n, NULL) == PITH_EPROTO);

    /* A name over 255 octets made of pointers (4.): each name is a
     * 63-octet label and a pointer to the one before. Three of them and
     * a 61-octet label are 255 octets; four of them, 257. */
    memset(m, 'x', sizeof m);
    m[12] = 61;
    m[12 + 62] = 0; /* 12..74 */
    for (i = 0; i < 4; i++) {
        size_t at = 75 + i * 66, prev = i == 0 ? 12 : at - 66;

        m[at] = 63;
        m[at + 64] = (uint8_t)(0xc0 | prev >> 8);
        m[at + 65] = (uint8_t)prev;
    }
    T_CHECK(parse_at(m, 400, 75 + 2 * 66, &n, &next) == PITH_OK);
    T_CHECK(n.len == 255 && n.labels == 4 && next == 75 + 3 * 66);
    T_CHECK(parse_at(m, 400, 75 + 3 * 66, &n, NULL) == PITH_EPROTO);
    /* The same without pointers: a 64th octet of label is refused. */
    m[400] = 63;
    m[400 + 64] = 63;
    m[400 + 128] = 63;
    m[400 + 192] = 62;
    m[400 + 255] = 0;
    T_CHECK(parse_at(m, 700, 400, &n, NULL) == PITH_EPROTO);
    m[400 + 192] = 61;
    m[400 + 254] = 0;
    T_CHECK(parse_at(m, 700, 400, &n, &next) == PITH_OK);
    T_CHECK(n.len == 255 && next == 655);

    /* Too many pointers (RFC 9267 2, DNS_PTR_HOPS): a root at 12, then
     * pointers each to the one before it. */
    memset(m, 0, sizeof m);
    for (i = 1; i <= DNS_PTR_HOPS + 1; i++) {
        size_t at = 11 + 2 * i, prev = i == 1 ? 12 : at - 2;

        m[at] = (uint8_t)(0xc0 | prev >> 8);
        m[at + 1] = (uint8_t)prev;
    }
    T_CHECK(parse_at(m, sizeof m, 11 + 2 * DNS_PTR_HOPS, &n, &next) == PITH_OK);
    T_CHECK(n.len == 1 && next == 13 + 2 * DNS_PTR_HOPS);
    T_CHECK(parse_at(m, sizeof m, 11 + 2 * (DNS_PTR_HOPS + 1), &n, NULL) ==
            PITH_EPROTO);
}

/* ---- Presentation form --------------------------------------------- */

static void test_text_round_trips(void)
{
    static const struct {
        const char *in, *out; /* out: NULL when the same */
        uint8_t len, labels;
    } ok[] = {
        {".", NULL, 1, 0},
        {"example.com.", NULL, 13, 2},
        {"ExAmPlE.CoM.", NULL, 13, 2},
        {"a\\.b.example.", NULL, 13, 2}, /* a dot inside a label */
        {"a\\\\b.", NULL, 5, 1},
        {"\\000.x.", NULL, 5, 2},
        {"\\255\\032\\127.", NULL, 5, 1},
        {"\\065\\b.", "Ab.", 4, 1},
        {"\\@\\$\\(\\)\\;\\\".", NULL, 8, 1},
        {"*.example.", NULL, 11, 2},
        {"a b.", "a\\032b.", 5, 1},
        {"caf\303\251.", "caf\\195\\169.", 7, 1},
    };
    static const char *bad[] = {
        "",    "..",     ".a.",   "a..b.", "a.b..",  "\\",
        "a\\", "\\256.", "\\12.", "\\1.",  "\\99",   "\\2x5.",
        "@",   "a.b",    "a",     ".\\.",  "\\0001",
    };
    char buf[DNS_NAME_TEXT_MAX];
    struct dns_name n, back;
    size_t i;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *want = ok[i].out ? ok[i].out : ok[i].in;
        long len;

        T_CHECKF(dns_name_from_text(&n, ok[i].in, strlen(ok[i].in), NULL) ==
                     PITH_OK,
                 "from_text(%s)", ok[i].in);
        T_CHECKF(n.len == ok[i].len && n.labels == ok[i].labels,
                 "%s: len %u labels %u", ok[i].in, n.len, n.labels);
        len = dns_name_to_text(&n, buf, sizeof buf);
        T_CHECKF(len == (long)strlen(want) && strcmp(buf, want) == 0,
                 "%s -> %s", ok[i].in, buf);
        T_CHECK(dns_name_from_text(&back, buf, (size_t)len, NULL) == PITH_OK);
        T_CHECK(back.len == n.len && memcmp(back.b, n.b, n.len) == 0);
        /* Exactly enough room, and one byte short. */
        T_CHECK(dns_name_to_text(&n, buf, (size_t)len + 1) == len);
        T_CHECK(dns_name_to_text(&n, buf, (size_t)len) == PITH_ERANGE &&
                buf[0] == '\0');
    }
    T_CHECK(dns_name_to_text(&n, buf, 0) == PITH_ERANGE);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        T_CHECKF(dns_name_from_text(&n, bad[i], strlen(bad[i]), NULL) ==
                     PITH_EINVAL,
                 "from_text(%s) accepted", bad[i]);
}

static void test_text_relative_and_origin(void)
{
    struct dns_name origin = N("example.com."), n;

    T_CHECK(dns_name_from_text(&n, "www", 3, &origin) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "www.example.com.") == 0 && n.labels == 3);
    T_CHECK(dns_name_from_text(&n, "a.b", 3, &origin) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "a.b.example.com.") == 0 && n.labels == 4);
    T_CHECK(dns_name_from_text(&n, "@", 1, &origin) == PITH_OK);
    T_CHECK(dns_name_eq(&n, &origin) && n.labels == 2);
    T_CHECK(dns_name_from_text(&n, "x.org.", 6, &origin) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "x.org.") == 0);
    /* "@" inside a name is an ordinary octet; (len) bounds the text. */
    T_CHECK(dns_name_from_text(&n, "a@b.", 4, NULL) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "a\\@b.") == 0);
    T_CHECK(dns_name_from_text(&n, "ab.cd.", 2, &origin) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "ab.example.com.") == 0);
    T_CHECK(dns_name_from_text(&n, "ab.cd.", 3, &origin) == PITH_OK);
    T_CHECK(strcmp(txt(&n), "ab.") == 0 && n.labels == 1);
}

/* Labels of 63 octets and names of 255, in text and with an origin. */
static void test_text_limits(void)
{
    char s[700], buf[DNS_NAME_TEXT_MAX];
    struct dns_name n, origin;
    size_t i;

    memset(s, 'a', 63);
    memcpy(&s[63], ".", 2);
    T_CHECK(dns_name_from_text(&n, s, 64, NULL) == PITH_OK && n.len == 65);
    memset(s, 'a', 64);
    memcpy(&s[64], ".", 2);
    T_CHECK(dns_name_from_text(&n, s, 65, NULL) == PITH_EINVAL);
    /* 63 octets spelled as escapes: counted as octets, not characters. */
    for (i = 0; i < 63; i++)
        memcpy(&s[4 * i], "\\255", 4);
    s[252] = '.';
    T_CHECK(dns_name_from_text(&n, s, 253, NULL) == PITH_OK && n.len == 65);

    /* 63+63+63+61 octets and 4 length octets and the root: 255. */
    for (i = 0; i < 256; i++)
        s[i] = i % 64 == 63 ? '.' : 'b';
    s[253] = '.';
    T_CHECK(dns_name_from_text(&n, s, 254, NULL) == PITH_OK);
    T_CHECK(n.len == 255 && n.labels == 4);
    T_CHECK(dns_name_to_text(&n, buf, sizeof buf) == 254);
    T_CHECK(memcmp(buf, s, 254) == 0 && buf[254] == '\0');
    /* One more octet: 256. */
    s[253] = 'b';
    s[254] = '.';
    T_CHECK(dns_name_from_text(&n, s, 255, NULL) == PITH_EINVAL);
    /* Relative: 254 octets before the origin fit only the root's. */
    T_CHECK(dns_name_from_text(&n, s, 253, &(struct dns_name){1, 0, {0}}) ==
            PITH_OK);
    T_CHECK(n.len == 255 && n.labels == 4);
    origin = N("c.");
    T_CHECK(dns_name_from_text(&n, s, 253, &origin) == PITH_EINVAL);
    T_CHECK(dns_name_from_text(&n, s, 251, &origin) == PITH_OK);
    T_CHECK(n.len == 255 && n.labels == 5);

    /* The longest text: 127 labels of one \DDD octet. */
    for (i = 0; i < 127; i++)
        memcpy(&s[5 * i], "\\001.", 5);
    T_CHECK(dns_name_from_text(&n, s, 635, NULL) == PITH_OK);
    T_CHECK(n.len == 255 && n.labels == 127);
    T_CHECK(dns_name_to_text(&n, buf, sizeof buf) == 635);
    memcpy(&s[635], "\\001.", 5);
    T_CHECK(dns_name_from_text(&n, s, 640, NULL) == PITH_EINVAL);
}

/* ---- Comparison and surgery ---------------------------------------- */

/* RFC 4034 6.1's example, in its order. */
static void test_rfc4034_canonical_order(void)
{
    static const char *names[] = {
        "example.",         "a.example.",      "yljkjljk.a.example.",
        "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
        "\\001.z.example.", "*.z.example.",    "\\200.z.example.",
    };
    enum { K = sizeof names / sizeof names[0] };
    struct dns_name n[K];
    size_t i, j;

    for (i = 0; i < K; i++)
        n[i] = N(names[i]);
    for (i = 0; i < K; i++) {
        for (j = 0; j < K; j++) {
            int c = dns_name_cmp(&n[i], &n[j]);

            T_CHECKF(i < j   ? c < 0
                     : i > j ? c > 0
                             : c == 0,
                     "cmp(%s, %s) = %d", names[i], names[j], c);
        }
    }
    /* The root first; case never matters; a label that is a prefix of
     * another comes first. */
    T_CHECK(dns_name_cmp(&(struct dns_name){1, 0, {0}}, &n[0]) < 0);
    T_CHECK(dns_name_cmp(&n[0], &n[0]) == 0);
    {
        struct dns_name a = N("EXAMPLE."), b = N("example."), c = N("ab."),
                        d = N("abc."), e = N("b.ab."), f = N("abc.");

        T_CHECK(dns_name_cmp(&a, &b) == 0 && dns_name_eq(&a, &b));
        T_CHECK(dns_name_cmp(&c, &d) < 0 && dns_name_cmp(&d, &c) > 0);
        T_CHECK(dns_name_cmp(&e, &f) < 0); /* ab < abc at the top */
    }
}

static void test_name_ops(void)
{
    struct dns_name a = N("www.Example.COM."), b = N("example.com."),
                    c = N("xample.com."), root = N("."), out;
    char s[300];
    size_t i;

    T_CHECK(dns_name_eq(&a, &a) && !dns_name_eq(&a, &b));
    T_CHECK(dns_name_is_sub(&a, &b) && dns_name_is_sub(&b, &b));
    T_CHECK(!dns_name_is_sub(&b, &a) && !dns_name_is_sub(&a, &c));
    T_CHECK(dns_name_is_sub(&a, &root) && dns_name_is_sub(&root, &root));
    T_CHECK(!dns_name_is_sub(&root, &b));
    /* Octets of a label are not matched across label boundaries. */
    {
        struct dns_name x = N("a.bc."), y = N("ab.c."), z = N("c.");

        T_CHECK(!dns_name_eq(&x, &y) && dns_name_is_sub(&y, &z));
        T_CHECK(!dns_name_is_sub(&x, &z));
    }

    dns_name_strip(&a, 1, &out);
    T_CHECK(dns_name_eq(&out, &b) && out.labels == 2);
    dns_name_strip(&a, 3, &out);
    T_CHECK(out.len == 1 && out.labels == 0);
    dns_name_strip(&a, 9, &out);
    T_CHECK(out.len == 1 && out.labels == 0);
    dns_name_strip(&a, 0, &out);
    T_CHECK(dns_name_eq(&out, &a) && out.labels == 3);
    out = a;
    dns_name_strip(&out, 2, &out);
    T_CHECK(strcmp(txt(&out), "COM.") == 0);

    T_CHECK(!dns_name_is_wild(&a) && !dns_name_is_wild(&root));
    T_CHECK(dns_name_wild(&b, &out) == PITH_OK && dns_name_is_wild(&out));
    T_CHECK(strcmp(txt(&out), "*.example.com.") == 0 && out.labels == 3);
    {
        struct dns_name star = N("\\*.x."), sx = N("*x.x.");

        T_CHECK(dns_name_is_wild(&star) && !dns_name_is_wild(&sx));
    }
    T_CHECK(dns_name_wild(&root, &out) == PITH_OK && out.len == 3);

    /* DNAME substitution (RFC 6672 2.2), and YXDOMAIN. */
    {
        struct dns_name from = N("example.com."), to = N("example.net.");

        T_CHECK(dns_name_subst(&a, &from, &to, &out) == PITH_OK);
        T_CHECK(strcmp(txt(&out), "www.example.net.") == 0);
        T_CHECK(out.labels == 3);
        to = N("a.b.c.");
        T_CHECK(dns_name_subst(&a, &from, &to, &a) == PITH_OK);
        T_CHECK(strcmp(txt(&a), "www.a.b.c.") == 0 && a.labels == 4);
        T_CHECK(dns_name_subst(&a, &from, &to, &out) == PITH_EINVAL);
    }
    for (i = 0; i < 252; i++)
        s[i] = i % 2 ? '.' : 'q';
    {
        struct dns_name big, from = N("q."), to = N("rrrr."), before;

        T_CHECK(dns_name_from_text(&big, s, 252, NULL) == PITH_OK);
        T_CHECK(big.len == 253);
        T_CHECK(dns_name_wild(&big, &out) == PITH_OK && out.len == 255);
        before = big;
        T_CHECK(dns_name_wild(&out, &big) == PITH_ERANGE);
        T_CHECK(big.len == before.len); /* untouched */
        T_CHECK(dns_name_subst(&before, &from, &to, &out) == PITH_ERANGE);
        to = N("rrr.");
        T_CHECK(dns_name_subst(&before, &from, &to, &out) == PITH_OK);
        T_CHECK(out.len == 255);
    }
}

/* ---- Types --------------------------------------------------------- */

static void test_type_mnemonics(void)
{
    static const struct {
        uint16_t t;
        const char *s;
    } known[] = {
        {1, "A"},
        {2, "NS"},
        {5, "CNAME"},
        {6, "SOA"},
        {12, "PTR"},
        {13, "HINFO"},
        {15, "MX"},
        {16, "TXT"},
        {28, "AAAA"},
        {33, "SRV"},
        {35, "NAPTR"},
        {39, "DNAME"},
        {41, "OPT"},
        {43, "DS"},
        {44, "SSHFP"},
        {46, "RRSIG"},
        {47, "NSEC"},
        {48, "DNSKEY"},
        {50, "NSEC3"},
        {51, "NSEC3PARAM"},
        {52, "TLSA"},
        {64, "SVCB"},
        {65, "HTTPS"},
        {251, "IXFR"},
        {252, "AXFR"},
        {255, "ANY"},
        {257, "CAA"},
        {0, "TYPE0"},
        {3, "TYPE3"},
        {65534, "TYPE65534"},
        {65535, "TYPE65535"},
    };
    char buf[16];
    uint16_t t;
    size_t i;

    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        T_CHECKF(strcmp(dns_type_name(known[i].t, buf), known[i].s) == 0,
                 "%u: %s", known[i].t, buf);
        t = 7;
        T_CHECK(dns_type_parse(known[i].s, strlen(known[i].s), &t) == PITH_OK &&
                t == known[i].t);
    }
    T_CHECK(dns_type_parse("aaaa", 4, &t) == PITH_OK && t == DNS_T_AAAA);
    T_CHECK(dns_type_parse("nSeC3pArAm", 10, &t) == PITH_OK && t == 51);
    T_CHECK(dns_type_parse("type1", 5, &t) == PITH_OK && t == DNS_T_A);
    T_CHECK(dns_type_parse("TYPE00065", 9, &t) == PITH_OK && t == 65);
    T_CHECK(dns_type_parse("AX", 1, &t) == PITH_OK && t == DNS_T_A);
    T_CHECK(dns_type_parse("TYPE", 4, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("TYPE65536", 9, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("TYPE99999999999", 15, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("TYPE-1", 6, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("TYPE1 ", 6, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("A ", 2, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("", 0, &t) == PITH_EINVAL);
    T_CHECK(dns_type_parse("CLASS1", 6, &t) == PITH_EINVAL);
}

/* ---- Record data --------------------------------------------------- */

/* dns_rdata_parse() on the (len) bytes (m) with data at (off); the
 * result in (out) (room 512). */
static int rdata(const uint8_t *m, size_t len, size_t off, uint16_t rdlen,
                 uint16_t type, uint8_t *out, size_t *outlen)
{
    struct bv v = bv_make(m, len);

    *outlen = 9999;
    return dns_rdata_parse(&v, off, rdlen, type, out, 512, outlen);
}

/* The data of the answer of (resp) (one question, the answer's owner a
 * pointer) decompressed must be (want) (hex). */
static void check_answer_rdata(const char *resp, const char *want)
{
    uint8_t m[512], out[512], w[512];
    size_t len = unhex(resp, m, sizeof m), off = DNS_HLEN, wl, ol;
    struct dns_name q;
    struct bv v = bv_make(m, len);
    uint16_t type, rdlen;

    T_CHECK(dns_name_parse(&v, &off, &q) == PITH_OK);
    off += 4 + 2; /* the question's type and class, the owner pointer */
    type = bv_be16(&v, off);
    rdlen = bv_be16(&v, off + 8);
    wl = unhex(want, w, sizeof w);
    T_CHECK(rdata(m, len, off + 10, rdlen, type, out, &ol) == PITH_OK);
    T_CHECKF(ol == wl && memcmp(out, w, wl) == 0, "type %u: %zu bytes", type,
             ol);
}

/*
 * Responses of NSD 4.6.1 serving this zone, to queries from dig 9.18.49
 * and kdig 3.2.6, recorded by a UDP relay in between:
 *
 *   $ORIGIN example.com.
 *   $TTL 3600
 *   @    SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
 *   @    NS    ns1
 *   @    NS    ns2.example.net.
 *   @    MX    10 mail
 *   @    A     192.0.2.1
 *   @    AAAA  2001:db8::1
 *   @    TXT   "v=spf1 -all" "second"
 *   ns1  A     192.0.2.53
 *   mail A     192.0.2.25
 *   www  CNAME @
 *   _sip._udp SRV 10 60 5060 sip.example.com.
 */
#define RESP_SOA                                                               \
    "b93a85000001000100020001076578616d706c6503636f6d0000060001c00c0006000100" \
    "000e100027036e7331c00c0a686f73746d6173746572c00c78a3f17500001c2000000e10" \
    "001275000000012cc00c0002000100000e100002c029c00c0002000100000e100011036e" \
    "7332076578616d706c65036e657400c0290001000100000e100004c0000235"
#define RESP_MX                                                                \
    "084985000001000100020002076578616d706c6503636f6d00000f0001c00c000f000100" \
    "000e100009000a046d61696cc00cc00c0002000100000e100006036e7331c00cc00c0002" \
    "000100000e100011036e7332076578616d706c65036e657400c02b0001000100000e1000" \
    "04c0000219c03e0001000100000e100004c0000235"
#define RESP_SRV                                                               \
    "87f485000001000100020001045f736970045f756470076578616d706c6503636f6d0000" \
    "210001c00c0021000100000e100017000a003c13c403736970076578616d706c6503636f" \
    "6d00c0160002000100000e100006036e7331c016c0160002000100000e100011036e7332" \
    "076578616d706c65036e657400c0560001000100000e100004c0000235"
#define RESP_TXT                                                               \
    "bc3785000001000100020002076578616d706c6503636f6d0000100001c00c0010000100" \
    "000e1000130b763d73706631202d616c6c067365636f6e64c00c0002000100000e100006" \
    "036e7331c00cc00c0002000100000e100011036e7332076578616d706c65036e657400c0" \
    "480001000100000e100004c000023500002904d0000000000000"

static void test_rdata_from_nsd(void)
{
    check_answer_rdata(RESP_SOA, "036e7331076578616d706c6503636f6d00"
                                 "0a686f73746d6173746572076578616d706c6503636f"
                                 "6d00"
                                 "78a3f17500001c2000000e10001275000000012c");
    check_answer_rdata(RESP_MX, "000a046d61696c076578616d706c6503636f6d00");
    check_answer_rdata(RESP_SRV, "000a003c13c403736970076578616d706c6503636f"
                                 "6d00");
    check_answer_rdata(RESP_TXT, "0b763d73706631202d616c6c067365636f6e64");
}

static void test_rdata_layouts(void)
{
    uint8_t m[512], out[512];
    size_t len, ol;
    struct bv v;

    /* A and AAAA: exactly 4 and 16 bytes. */
    len = unhex("c0000201 20010db8000000000000000000000001", m, sizeof m);
    T_CHECK(rdata(m, len, 0, 4, DNS_T_A, out, &ol) == PITH_OK && ol == 4);
    T_CHECK(rdata(m, len, 0, 3, DNS_T_A, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 5, DNS_T_A, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 4, 16, DNS_T_AAAA, out, &ol) == PITH_OK);
    T_CHECK(ol == 16 && memcmp(out, &m[4], 16) == 0);
    T_CHECK(rdata(m, len, 4, 4, DNS_T_AAAA, out, &ol) == PITH_EPROTO);
    /* Data past the message. */
    T_CHECK(rdata(m, len, 4, 17, DNS_T_AAAA, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 21, 0, 999, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 20, 0, 999, out, &ol) == PITH_OK && ol == 0);
    /* Out of room: ERANGE, but only for well-formed data. */
    v = bv_make(m, len);
    T_CHECK(dns_rdata_parse(&v, 4, 16, DNS_T_AAAA, out, 15, &ol) ==
            PITH_ERANGE);
    T_CHECK(dns_rdata_parse(&v, 4, 15, DNS_T_AAAA, out, 15, &ol) ==
            PITH_EPROTO);
    T_CHECK(dns_rdata_parse(&v, 4, 16, DNS_T_AAAA, NULL, 0, &ol) ==
            PITH_ERANGE);

    /* A name exactly filling the data (NS, CNAME, PTR, DNAME). */
    len = unhex("03616263 00 01 78 c000 0178c000 00", m, sizeof m);
    T_CHECK(rdata(m, len, 5, 4, DNS_T_NS, out, &ol) == PITH_OK);
    T_CHECK(ol == 7 && memcmp(out, "\001x\003abc", 7) == 0);
    T_CHECK(rdata(m, len, 5, 5, DNS_T_CNAME, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 5, 3, DNS_T_PTR, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 9, 4, DNS_T_DNAME, out, &ol) == PITH_OK);
    T_CHECK(rdata(m, len, 9, 5, DNS_T_DNAME, out, &ol) == PITH_EPROTO);
    /* An unknown type with the same bytes: copied, pointer and all. */
    T_CHECK(rdata(m, len, 5, 4, 65280, out, &ol) == PITH_OK);
    T_CHECK(ol == 4 && memcmp(out, &m[5], 4) == 0);
    /* A name whose labels run past the data (but not the message). */
    len = unhex("0361626300 ff", m, sizeof m);
    T_CHECK(rdata(m, len, 0, 4, DNS_T_NS, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 5, DNS_T_NS, out, &ol) == PITH_OK);

    /* MX, SRV: the fixed part, then a name; a pointer in SRV is read. */
    len = unhex("03616263 00 000a c000 000a0014 0050 c000 00", m, sizeof m);
    T_CHECK(rdata(m, len, 5, 4, DNS_T_MX, out, &ol) == PITH_OK);
    T_CHECK(ol == 7 && memcmp(out, "\000\012\003abc", 7) == 0);
    T_CHECK(rdata(m, len, 5, 2, DNS_T_MX, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 9, 8, DNS_T_SRV, out, &ol) == PITH_OK && ol == 11);
    T_CHECK(rdata(m, len, 9, 9, DNS_T_SRV, out, &ol) == PITH_EPROTO);

    /* SOA: two names and 20 bytes, no more, no less. */
    len =
        unhex("00 00 0000000100000002000000030000000400000005 00", m, sizeof m);
    T_CHECK(rdata(m, len, 0, 22, DNS_T_SOA, out, &ol) == PITH_OK && ol == 22);
    T_CHECK(rdata(m, len, 0, 21, DNS_T_SOA, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 23, DNS_T_SOA, out, &ol) == PITH_EPROTO);

    /* TXT: one string or more, exactly filling the data. */
    len = unhex("00 026869 0161 03", m, sizeof m);
    T_CHECK(rdata(m, len, 0, 1, DNS_T_TXT, out, &ol) == PITH_OK && ol == 1);
    T_CHECK(rdata(m, len, 0, 6, DNS_T_TXT, out, &ol) == PITH_OK && ol == 6);
    T_CHECK(rdata(m, len, 0, 0, DNS_T_TXT, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 5, DNS_T_TXT, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 7, DNS_T_TXT, out, &ol) == PITH_EPROTO);

    /* HINFO: exactly two strings. */
    T_CHECK(rdata(m, len, 1, 5, DNS_T_HINFO, out, &ol) == PITH_OK);
    T_CHECK(rdata(m, len, 0, 4, DNS_T_HINFO, out, &ol) == PITH_OK);
    T_CHECK(rdata(m, len, 0, 6, DNS_T_HINFO, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 1, DNS_T_HINFO, out, &ol) == PITH_EPROTO);

    /* CAA (RFC 8659 4.1): flags, tag of 1..255 octets, value. */
    len = unhex("00 05 6973737565 6c657473656e63727970742e6f7267", m, sizeof m);
    T_CHECK(rdata(m, len, 0, (uint16_t)len, DNS_T_CAA, out, &ol) == PITH_OK);
    T_CHECK(ol == len && memcmp(out, m, len) == 0);
    T_CHECK(rdata(m, len, 0, 7, DNS_T_CAA, out, &ol) == PITH_OK);
    T_CHECK(rdata(m, len, 0, 6, DNS_T_CAA, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 0, 1, DNS_T_CAA, out, &ol) == PITH_EPROTO);
    m[1] = 0;
    T_CHECK(rdata(m, len, 0, (uint16_t)len, DNS_T_CAA, out, &ol) ==
            PITH_EPROTO);

    /* NAPTR (RFC 3403 4.1): 2 + 2 bytes, three strings, a name (here a
     * pointer to the root at 0). */
    len = unhex("00 0064000a 0155 07453249552b5349 00 c000", m, sizeof m);
    T_CHECK(rdata(m, len, 1, 17, DNS_T_NAPTR, out, &ol) == PITH_OK);
    T_CHECK(ol == 16 && out[15] == 0);
    T_CHECK(rdata(m, len, 1, 16, DNS_T_NAPTR, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 1, 15, DNS_T_NAPTR, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 1, 14, DNS_T_NAPTR, out, &ol) == PITH_EPROTO);
    T_CHECK(rdata(m, len, 1, 5, DNS_T_NAPTR, out, &ol) == PITH_EPROTO);

    /* Types of RFC 1035 and RFC 3597 4 beyond dns.h's: MINFO (14), RP
     * (17), AFSDB (18), PX (26), KX (36) decompress too. */
    len = unhex("016100 c000c000 0001c000 0001c000c000", m, sizeof m);
    T_CHECK(rdata(m, len, 3, 4, 14, out, &ol) == PITH_OK && ol == 6);
    T_CHECK(rdata(m, len, 3, 4, 17, out, &ol) == PITH_OK && ol == 6);
    T_CHECK(rdata(m, len, 7, 4, 18, out, &ol) == PITH_OK && ol == 5);
    T_CHECK(rdata(m, len, 11, 6, 26, out, &ol) == PITH_OK && ol == 8);
    T_CHECK(rdata(m, len, 7, 4, 36, out, &ol) == PITH_OK && ol == 5);
    T_CHECK(memcmp(out, "\000\001\001a", 5) == 0);
    /* ... but not DS, whose data merely look like pointers. */
    T_CHECK(rdata(m, len, 3, 4, DNS_T_DS, out, &ol) == PITH_OK && ol == 4);

    T_CHECK(dns_type_compresses(DNS_T_NS) && dns_type_compresses(DNS_T_SOA));
    T_CHECK(dns_type_compresses(DNS_T_MX) && dns_type_compresses(14));
    T_CHECK(!dns_type_compresses(DNS_T_SRV) &&
            !dns_type_compresses(DNS_T_DNAME));
    T_CHECK(!dns_type_compresses(DNS_T_NAPTR) && !dns_type_compresses(17));
}

/* ---- Queries ------------------------------------------------------- */

/* Queries from dig and kdig, with NSD's responses (see RESP_SOA). */
static const struct {
    const char *what, *q, *r;
} caps[] = {
    {"dig +norec +noedns A", /* 0 */
     "ff5d00200001000000000000076578616d706c6503636f6d0000010001",
     "ff5d84000001000100020001076578616d706c6503636f6d0000010001c00c000100"
     "0100000e100004c0000201c00c0002000100000e100006036e7331c00cc00c000200"
     "0100000e100011036e7332076578616d706c65036e657400c0390001000100000e10"
     "0004c0000235"},
    {"dig +norec AAAA (EDNS 1232, a cookie)", /* 1 */
     "368300200001000000000001076578616d706c6503636f6d00001c00010000290"
     "4d000000000000c000a00081b3e546de32da4e7",
     "368384000001000100020002076578616d706c6503636f6d00001c0001c00c001c00"
     "0100000e10001020010db8000000000000000000000001c00c0002000100000e1000"
     "06036e7331c00cc00c0002000100000e100011036e7332076578616d706c65036e65"
     "7400c0450001000100000e100004c000023500002904d0000000000000"},
    {"kdig MX", /* 2 */
     "084901200001000000000000076578616d706c6503636f6d00000f0001", RESP_MX},
    {"kdig ANY +dnssec", /* 3 */
     "2e2901200001000000000001076578616d706c6503636f6d0000ff000100002910000"
     "00080000000",
     NULL},
    {"dig ExAmPlE.CoM +dnssec", /* 4 */
     "a59000200001000000000001074578416d506c4503436f4d00000100010000290"
     "4d000008000000c000a00085d6d9a0dcc01a84d",
     "a59084000001000100020002074578416d506c4503436f4d0000010001c00c000100"
     "0100000e100004c0000201c00c0002000100000e100006036e7331c00cc00c000200"
     "0100000e100011036e7332076578616d706c65036e657400c0390001000100000e10"
     "0004c000023500002904d0000080000000"},
    {"dig . NS +noedns", /* 5 */
     "11cd002000010000000000000000020001", NULL},
};

static int parse_hex_query(const char *hex, struct dns_query *q)
{
    static uint8_t m[1024];
    size_t len = unhex(hex, m, sizeof m);
    struct bv v = bv_make(m, len);

    return dns_query_parse(&v, q);
}

static void test_queries_captured(void)
{
    struct dns_query q;

    T_CHECK(parse_hex_query(caps[0].q, &q) == PITH_OK);
    T_CHECK(q.h.id == 0xff5d && q.h.flags == 0x0020 && q.opcode == 0);
    T_CHECK(q.qtype == DNS_T_A && q.qclass == DNS_CLASS_IN && q.qend == 29);
    T_CHECK(strcmp(txt(&q.qname), "example.com.") == 0);
    T_CHECK(!q.edns && q.edns_udp == 512 && !q.edns_do);

    T_CHECK(parse_hex_query(caps[1].q, &q) == PITH_OK);
    T_CHECK(q.qtype == DNS_T_AAAA && q.edns && q.edns_udp == 1232);
    T_CHECK(q.edns_version == 0 && !q.edns_do && q.h.arcount == 1);

    T_CHECK(parse_hex_query(caps[2].q, &q) == PITH_OK);
    T_CHECK(q.qtype == DNS_T_MX && q.h.flags == (DNS_RD | 0x20) && !q.edns);

    T_CHECK(parse_hex_query(caps[3].q, &q) == PITH_OK);
    T_CHECK(q.qtype == DNS_T_ANY && q.edns && q.edns_do);
    T_CHECK(q.edns_udp == 4096);

    T_CHECK(parse_hex_query(caps[4].q, &q) == PITH_OK);
    T_CHECK(strcmp(txt(&q.qname), "ExAmPlE.CoM.") == 0 && q.edns_do);

    T_CHECK(parse_hex_query(caps[5].q, &q) == PITH_OK);
    T_CHECK(q.qname.len == 1 && q.qtype == DNS_T_NS && q.qend == 17);

    /* Responses are never answered. */
    T_CHECK(parse_hex_query(caps[0].r, &q) == PITH_ERANGE);
    T_CHECK(q.h.id == 0xff5d);
}

/* A query for example.com A with (extra) appended and the header's
 * counts (an, ns, ar). */
static int query_with(const char *extra, uint16_t an, uint16_t ns, uint16_t ar,
                      struct dns_query *q)
{
    uint8_t m[1024];
    size_t len = unhex("123401000001000000000000076578616d706c6503636f6d000"
                       "0010001",
                       m, sizeof m);
    struct bv v;

    len += unhex(extra, &m[len], sizeof m - len);
    m[6] = (uint8_t)(an >> 8), m[7] = (uint8_t)an;
    m[8] = (uint8_t)(ns >> 8), m[9] = (uint8_t)ns;
    m[10] = (uint8_t)(ar >> 8), m[11] = (uint8_t)ar;
    v = bv_make(m, len);
    return dns_query_parse(&v, q);
}

#define OPT_PLAIN "00 0029 1000 00000000 0000"

static void test_queries_edns(void)
{
    struct dns_query q;

    T_CHECK(query_with(OPT_PLAIN, 0, 0, 1, &q) == PITH_OK);
    T_CHECK(q.edns && q.edns_udp == 4096 && q.edns_version == 0);
    /* The DO bit is bit 15 of the TTL's lower half; the others are Z. */
    T_CHECK(query_with("00 0029 1000 00008000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_do == 1);
    T_CHECK(query_with("00 0029 1000 00007fff 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_do == 0);
    T_CHECK(query_with("00 0029 1000 80000000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_do == 0 && q.edns_version == 0);
    /* Version 1: parsed, the answerer says BADVERS. */
    T_CHECK(query_with("00 0029 1000 00010000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_version == 1);
    /* A payload size under 512 counts as 512 (RFC 6891 6.2.3). */
    T_CHECK(query_with("00 0029 0064 00000000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_udp == 512);
    T_CHECK(query_with("00 0029 0000 00000000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_udp == 512);
    T_CHECK(query_with("00 0029 ffff 00000000 0000", 0, 0, 1, &q) == 0);
    T_CHECK(q.edns_udp == 65535);
    /* Options: well-formed (cookie, NSID empty, padding) and not. */
    T_CHECK(query_with("00 0029 04d0 00000000 0014 000a0008 0102030405060708"
                       " 00030000 000c0000",
                       0, 0, 1, &q) == PITH_OK);
    T_CHECK(query_with("00 0029 04d0 00000000 0004 000a0008", 0, 0, 1, &q) ==
            PITH_EPROTO);
    T_CHECK(query_with("00 0029 04d0 00000000 0003 000a00", 0, 0, 1, &q) ==
            PITH_EPROTO);
    T_CHECK(query_with("00 0029 04d0 00000000 0005 0003000000", 0, 0, 1, &q) ==
            PITH_EPROTO);
    /* Not the root's; two of them; in the answer or authority section. */
    T_CHECK(query_with("c00c 0029 1000 00000000 0000", 0, 0, 1, &q) ==
            PITH_EPROTO);
    T_CHECK(q.qend == 29 && strcmp(txt(&q.qname), "example.com.") == 0);
    T_CHECK(query_with(OPT_PLAIN OPT_PLAIN, 0, 0, 2, &q) == PITH_EPROTO);
    T_CHECK(query_with(OPT_PLAIN, 1, 0, 0, &q) == PITH_EPROTO);
    T_CHECK(query_with(OPT_PLAIN, 0, 1, 0, &q) == PITH_EPROTO);
    /* After other additional records (a TSIG-like one, then OPT). */
    T_CHECK(query_with("c00c 00fa 00ff 00000000 0002 abcd" OPT_PLAIN, 0, 0, 2,
                       &q) == PITH_OK);
    T_CHECK(q.edns && q.edns_udp == 4096);
    /* Cut short. */
    T_CHECK(query_with("00 0029 1000 00000000 00", 0, 0, 1, &q) == PITH_EPROTO);
    T_CHECK(query_with("00 0029 1000 00000000 0001", 0, 0, 1, &q) ==
            PITH_EPROTO);
    T_CHECK(query_with(OPT_PLAIN, 0, 0, 2, &q) == PITH_EPROTO);
}

static void test_queries_malformed(void)
{
    struct dns_query q;
    uint8_t m[64];
    struct bv v;

    /* Shorter than a header: nothing to answer. */
    memset(m, 0, sizeof m);
    v = bv_make(m, 11);
    T_CHECK(dns_query_parse(&v, &q) == PITH_ERANGE);
    v = bv_make(NULL, 0);
    T_CHECK(dns_query_parse(&v, &q) == PITH_ERANGE);
    /* A header alone, qdcount 0: FORMERR, with the header. */
    m[0] = 0xab;
    m[2] = 0x01;
    v = bv_make(m, 12);
    T_CHECK(dns_query_parse(&v, &q) == PITH_EPROTO);
    T_CHECK(q.h.id == 0xab00 && q.h.flags == 0x0100 && q.qend == 0);
    /* qdcount 2 (RFC 9619: one question only). */
    T_CHECK(parse_hex_query("123400000002000000000000 00 0001 0001"
                            "00 0001 0001",
                            &q) == PITH_EPROTO);
    T_CHECK(q.qend == 0);
    /* The opcode is kept for the answerer. */
    T_CHECK(parse_hex_query("123420000000000000000000", &q) == PITH_EPROTO);
    T_CHECK(q.opcode == DNS_OPCODE_NOTIFY);
    T_CHECK(parse_hex_query("1234a000000100000000000000 0006 0001", &q) ==
            PITH_ERANGE);
    T_CHECK(q.opcode == DNS_OPCODE_NOTIFY && q.h.id == 0x1234);
    /* A question cut short, or with a bad name: qend stays 0. */
    T_CHECK(parse_hex_query("123400000001000000000000076578616d706c6503636f"
                            "6d00000100",
                            &q) == PITH_EPROTO);
    T_CHECK(q.qend == 0);
    T_CHECK(parse_hex_query("1234000000010000000000004000000100", &q) ==
            PITH_EPROTO);
    T_CHECK(parse_hex_query("123400000001000000000000c00c00010001", &q) ==
            PITH_EPROTO);
    /* Counts beyond the message. */
    T_CHECK(parse_hex_query("1234000000010001000000000000010001", &q) ==
            PITH_EPROTO);
    T_CHECK(parse_hex_query("12340000000100000000ffff0000010001", &q) ==
            PITH_EPROTO);
    /* A record in the answer section, well-formed or not. */
    T_CHECK(query_with("c00c 0001 0001 00000e10 0004 c0000201", 1, 0, 0, &q) ==
            PITH_OK);
    T_CHECK(query_with("c00c 0001 0001 00000e10 0003 c00002", 1, 0, 0, &q) ==
            PITH_EPROTO);
    T_CHECK(query_with("c00c 0002 0001 00000e10 0002 c014", 1, 0, 0, &q) ==
            PITH_OK);
    T_CHECK(query_with("c00c 0002 0001 00000e10 0002 c02b", 1, 0, 0, &q) ==
            PITH_EPROTO);
    T_CHECK(query_with("c00c 0002 0001 00000e10 0002 c00d", 1, 0, 0, &q) ==
            PITH_EPROTO);
    /* UPDATE-style empty data (RFC 2136 2.5.2). */
    T_CHECK(query_with("c00c 0001 00ff 00000000 0000", 0, 1, 0, &q) == PITH_OK);
    /* Bytes after the last record are not looked at. */
    T_CHECK(query_with("ffffff", 0, 0, 0, &q) == PITH_OK);
}

/* ---- The writer ---------------------------------------------------- */

/* Uncompressed data: a name (text) after (pre) bytes of hex. */
static size_t rd_name(const char *pre, const char *name, uint8_t *out)
{
    size_t n = unhex(pre, out, 16);
    struct dns_name nm = N(name);

    memcpy(&out[n], nm.b, nm.len);
    return n + nm.len;
}

/* The authority section NSD gives for example.com, and the glue. */
static void write_ns_and_glue(struct dns_writer *w, const uint8_t *glue_a)
{
    struct dns_name apex = N("example.com."), ns1 = N("ns1.example.com.");
    uint8_t rd[300];
    size_t n;

    n = rd_name("", "ns1.example.com.", rd);
    T_CHECK(dns_write_rr(w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n) == 0);
    n = rd_name("", "ns2.example.net.", rd);
    T_CHECK(dns_write_rr(w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n) == 0);
    T_CHECK(dns_write_rr(w, &ns1, DNS_T_A, 1, 3600, glue_a, 4) == 0);
}

/* The writer must give NSD's bytes for the same answer. */
static void check_same(const struct dns_writer *w, const char *hex)
{
    uint8_t want[1024];
    size_t n = unhex(hex, want, sizeof want);

    T_CHECKF(w->len == n && memcmp(w->buf, want, n) == 0, "%zu bytes, want %zu",
             w->len, n);
    T_CHECK(w->err == 0);
}

static void test_nsd_responses(void)
{
    static const uint8_t a[] = {192, 0, 2, 1}, ns1a[] = {192, 0, 2, 53},
                         maila[] = {192, 0, 2, 25};
    uint8_t buf[1232], rd[300];
    struct dns_writer w;
    struct dns_query q;
    size_t n;

    /* dig example.com A +norec +noedns: owner 0xC00C, ns1 -> 0xC00C,
     * the glue's owner -> the "ns1" label at 0x39. */
    T_CHECK(parse_hex_query(caps[0].q, &q) == PITH_OK);
    dns_writer_init(&w, buf, sizeof buf, q.edns_udp);
    dns_write_question(&w, &q.qname, q.qtype, q.qclass);
    T_CHECK(dns_write_rr(&w, &q.qname, DNS_T_A, 1, 3600, a, 4) == PITH_OK);
    write_ns_and_glue(&w, ns1a);
    dns_write_hdr(&w, &(struct dns_hdr){q.h.id, 0x8400, 1, 1, 2, 1});
    check_same(&w, caps[0].r);

    /* The same with EDNS and the qname in mixed case: compression
     * matches without case and keeps the question's spelling. */
    T_CHECK(parse_hex_query(caps[4].q, &q) == PITH_OK);
    dns_writer_init(&w, buf, sizeof buf, q.edns_udp);
    dns_write_question(&w, &q.qname, q.qtype, q.qclass);
    T_CHECK(dns_write_rr(&w, &q.qname, DNS_T_A, 1, 3600, a, 4) == PITH_OK);
    write_ns_and_glue(&w, ns1a);
    T_CHECK(dns_write_opt(&w, 1232, 0, q.edns_do) == PITH_OK);
    dns_write_hdr(&w, &(struct dns_hdr){q.h.id, 0x8400, 1, 1, 2, 2});
    check_same(&w, caps[4].r);

    /* kdig MX: the exchange compresses to the apex, and the glue for
     * mail points into the MX data. */
    T_CHECK(parse_hex_query(caps[2].q, &q) == PITH_OK);
    dns_writer_init(&w, buf, sizeof buf, q.edns_udp);
    dns_write_question(&w, &q.qname, q.qtype, q.qclass);
    n = rd_name("000a", "mail.example.com.", rd);
    T_CHECK(dns_write_rr(&w, &q.qname, DNS_T_MX, 1, 3600, rd, (uint16_t)n) ==
            PITH_OK);
    {
        struct dns_name apex = N("example.com."), ns1 = N("ns1.example.com."),
                        mail = N("mail.example.com.");

        n = rd_name("", "ns1.example.com.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        n = rd_name("", "ns2.example.net.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        dns_write_rr(&w, &mail, DNS_T_A, 1, 3600, maila, 4);
        dns_write_rr(&w, &ns1, DNS_T_A, 1, 3600, ns1a, 4);
    }
    dns_write_hdr(&w, &(struct dns_hdr){q.h.id, 0x8500, 1, 1, 2, 2});
    check_same(&w, caps[2].r);

    /* SOA: both names inside compress; the NS rdata then points into
     * the SOA's (c029: "ns1"). */
    {
        struct dns_name apex = N("example.com."), ns1 = N("ns1.example.com.");
        uint8_t soa[100];
        size_t k = rd_name("", "ns1.example.com.", soa);

        k += rd_name("", "hostmaster.example.com.", &soa[k]);
        k += unhex("78a3f17500001c2000000e10001275000000012c", &soa[k], 20);
        dns_writer_init(&w, buf, sizeof buf, 512);
        dns_write_question(&w, &apex, DNS_T_SOA, 1);
        T_CHECK(dns_write_rr(&w, &apex, DNS_T_SOA, 1, 3600, soa, (uint16_t)k) ==
                PITH_OK);
        n = rd_name("", "ns1.example.com.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        n = rd_name("", "ns2.example.net.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        dns_write_rr(&w, &ns1, DNS_T_A, 1, 3600, ns1a, 4);
        dns_write_hdr(&w, &(struct dns_hdr){0xb93a, 0x8500, 1, 1, 2, 1});
        check_same(&w, RESP_SOA);
    }

    /* SRV: the target is never compressed (RFC 2782), the owner is. */
    {
        struct dns_name qn = N("_sip._udp.example.com."),
                        apex = N("example.com."), ns1 = N("ns1.example.com.");

        dns_writer_init(&w, buf, sizeof buf, 512);
        dns_write_question(&w, &qn, DNS_T_SRV, 1);
        n = rd_name("000a003c13c4", "sip.example.com.", rd);
        dns_write_rr(&w, &qn, DNS_T_SRV, 1, 3600, rd, (uint16_t)n);
        n = rd_name("", "ns1.example.com.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        n = rd_name("", "ns2.example.net.", rd);
        dns_write_rr(&w, &apex, DNS_T_NS, 1, 3600, rd, (uint16_t)n);
        dns_write_rr(&w, &ns1, DNS_T_A, 1, 3600, ns1a, 4);
        dns_write_hdr(&w, &(struct dns_hdr){0x87f4, 0x8500, 1, 1, 2, 1});
        check_same(&w, RESP_SRV);
    }
}

static void test_write_opt_and_hdr(void)
{
    uint8_t buf[64], want[64];
    struct dns_writer w;
    size_t n;

    dns_writer_init(&w, buf, sizeof buf, sizeof buf);
    T_CHECK(w.len == DNS_HLEN && w.err == 0);
    T_CHECK(dns_write_opt(&w, 1232, 1, 1) == PITH_OK);
    dns_write_hdr(&w, &(struct dns_hdr){0x0102, 0x8180, 1, 2, 3, 4});
    n = unhex("0102 8180 0001 0002 0003 0004 00 0029 04d0 01008000 0000", want,
              sizeof want);
    T_CHECK(w.len == n && memcmp(buf, want, n) == 0);

    /* A limit below the header: nothing is written, ever. */
    memset(buf, 0xee, sizeof buf);
    dns_writer_init(&w, buf, sizeof buf, 11);
    T_CHECK(w.err == PITH_ERANGE && w.len == 0);
    T_CHECK(dns_write_opt(&w, 512, 0, 0) == PITH_ERANGE);
    dns_write_hdr(&w, &(struct dns_hdr){1, 2, 3, 4, 5, 6});
    T_CHECK(w.len == 0 && buf[0] == 0xee);
    /* The limit is capped by the buffer. */
    dns_writer_init(&w, buf, 20, 4096);
    T_CHECK(w.limit == 20 && w.err == 0);
}

static void test_write_rollback(void)
{
    struct dns_name qn = N("example.com."),
                    big = N("a-long-owner.example.com."),
                    other = N("b.example.com."), n,
                    z30 = N("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.example.com.");
    uint8_t buf[512], rd[200];
    struct dns_writer w;
    size_t len, off;
    unsigned ncomp;
    struct bv v;

    memset(rd, 0x55, sizeof rd);
    dns_writer_init(&w, buf, sizeof buf, 100);
    dns_write_question(&w, &qn, DNS_T_A, 1);
    T_CHECK(w.len == 29 && w.ncomp == 2 && w.err == 0);
    /* 29 + 15 (owner) + 10 + 60 > 100: rolled back, owner forgotten. */
    T_CHECK(dns_write_rr(&w, &big, 999, 1, 60, rd, 60) == PITH_ERANGE);
    T_CHECK(w.len == 29 && w.ncomp == 2 && w.err == PITH_ERANGE);
    /* An NS whose data name overflows: the owner fit, the data not. */
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 60, big.b, big.len) == 0);
    len = w.len;
    ncomp = w.ncomp;
    T_CHECK(len == 56 && ncomp == 3);
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 60, z30.b, z30.len) ==
            PITH_ERANGE);
    T_CHECK(w.len == len && w.ncomp == ncomp);
    /* A smaller one still fits; err stays set; it points at the
     * question's name. */
    T_CHECK(dns_write_rr(&w, &other, DNS_T_A, 1, 60, rd, 4) == PITH_OK);
    T_CHECK(w.len == len + 2 + 2 + 10 + 4 && w.err == PITH_ERANGE);
    off = len;
    v = bv_make(buf, w.len);
    T_CHECK(dns_name_parse(&v, &off, &n) == PITH_OK && off == len + 4);
    T_CHECK(dns_name_eq(&n, &other) && buf[len + 2] == 0xc0 &&
            buf[len + 3] == 12);

    /* The name of a rolled-back record is written whole afterwards, not
     * as a pointer to where it was. */
    dns_writer_init(&w, buf, sizeof buf, 70);
    dns_write_question(&w, &qn, DNS_T_A, 1);
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 60, z30.b, z30.len) ==
            PITH_ERANGE);
    T_CHECK(w.len == 29 && w.ncomp == 2);
    dns_write_name(&w, &z30, 1);
    T_CHECK(w.len == 29 + 31 + 2 && buf[29] == 30);
    off = 29;
    v = bv_make(buf, w.len);
    T_CHECK(dns_name_parse(&v, &off, &n) == PITH_OK && off == w.len);
    T_CHECK(dns_name_eq(&n, &z30));

    /* Exactly the limit fits. */
    dns_writer_init(&w, buf, sizeof buf, 29 + 2 + 10 + 59);
    dns_write_question(&w, &qn, DNS_T_A, 1);
    T_CHECK(dns_write_rr(&w, &qn, 999, 1, 60, rd, 59) == PITH_OK);
    T_CHECK(w.len == w.limit && w.err == 0);
    T_CHECK(dns_write_opt(&w, 512, 0, 0) == PITH_ERANGE);
    T_CHECK(w.len == w.limit);
    /* A question or name that does not fit changes nothing. */
    len = w.len;
    ncomp = w.ncomp;
    dns_write_question(&w, &big, DNS_T_A, 1);
    dns_write_name(&w, &big, 0);
    T_CHECK(w.len == len && w.ncomp == ncomp && w.err == PITH_ERANGE);
}

/* The data of each type as written: names compressed for RFC 1035's
 * types only, and data not of their type's layout copied as they are. */
static void test_write_rr_data(void)
{
    struct dns_name qn = N("example.com."), www = N("www.example.com."), n;
    static uint8_t big[70000];
    uint8_t buf[512], rd[64];
    struct dns_writer w;
    size_t k, off;
    struct bv v;

    dns_writer_init(&w, buf, sizeof buf, sizeof buf);
    dns_write_question(&w, &qn, DNS_T_A, 1);
    /* CNAME, PTR, MB: the name becomes a pointer. */
    T_CHECK(dns_write_rr(&w, &www, DNS_T_CNAME, 1, 1, qn.b, qn.len) == 0);
    T_CHECK(w.len == 29 + 6 + 10 + 2 && buf[43] == 0 && buf[44] == 2);
    T_CHECK(buf[45] == 0xc0 && buf[46] == 12);
    T_CHECK(dns_write_rr(&w, &www, DNS_T_PTR, 1, 1, www.b, www.len) == 0);
    T_CHECK(w.len == 47 + 2 + 10 + 2 && buf[59] == 0xc0 && buf[60] == 29);
    T_CHECK(dns_write_rr(&w, &qn, 7, 1, 1, www.b, www.len) == 0);
    T_CHECK(w.len == 61 + 2 + 10 + 2);
    /* SRV, DNAME, and any other type: never (RFC 3597 4). */
    k = rd_name("000a003c13c4", "www.example.com.", rd);
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_SRV, 1, 1, rd, (uint16_t)k) == 0);
    T_CHECK(w.len == 75 + 2 + 10 + k && memcmp(&buf[87], rd, k) == 0);
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_DNAME, 1, 1, qn.b, qn.len) == 0);
    T_CHECK(w.len == off + 2 + 10 + qn.len);
    /* Not of their type's layout: as they are. */
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_MX, 1, 1, rd, 1) == 0);
    T_CHECK(w.len == off + 2 + 10 + 1);
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 1,
                         (const uint8_t *)"\001a\300\014", 4) == 0);
    T_CHECK(w.len == off + 2 + 10 + 4 && buf[off + 14] == 0xc0);
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_SOA, 1, 1, (const uint8_t *)"\0\0\0",
                         3) == 0);
    T_CHECK(w.len == off + 2 + 10 + 3);
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 1, www.b, www.len - 1) == 0);
    T_CHECK(w.len == off + 2 + 10 + www.len - 1);
    off = w.len;
    T_CHECK(dns_write_rr(&w, &qn, DNS_T_NS, 1, 1, NULL, 0) == 0);
    T_CHECK(w.len == off + 2 + 10 && w.err == 0);
    /* Each record reads back. */
    v = bv_make(buf, w.len);
    off = 29;
    for (k = 0; k < 10; k++) {
        uint8_t out[300];
        size_t ol;
        uint16_t type, rdlen;

        T_CHECK(dns_name_parse(&v, &off, &n) == PITH_OK);
        type = bv_be16(&v, off);
        rdlen = bv_be16(&v, off + 8);
        if (k < 5)
            T_CHECK(dns_rdata_parse(&v, off + 10, rdlen, type, out, sizeof out,
                                    &ol) == PITH_OK);
        off += 10u + rdlen;
    }
    T_CHECK(off == w.len && bv_ok(&v));

    /* The limit never passes 65535, whatever the buffer. */
    dns_writer_init(&w, big, sizeof big, sizeof big);
    T_CHECK(w.limit == DNS_MSG_MAX);
}

/* Names written past 0x3fff are never pointed at; compression points
 * only at earlier names; uncompressed names are written whole. */
static void test_write_pointer_limit(void)
{
    static uint8_t buf[20000], rd[1000];
    struct dns_name far = N("far.example."), near = N("near.example."), n;
    struct dns_writer w;
    size_t off, at;
    struct bv v;
    int i;

    dns_writer_init(&w, buf, sizeof buf, sizeof buf);
    dns_write_name(&w, &near, 0);
    T_CHECK(w.len == 12u + near.len && w.ncomp == 2);
    for (i = 0; i < 17; i++)
        dns_write_rr(&w, &near, 999, 1, 0, rd, sizeof rd);
    T_CHECK(w.len > 0x4000 && w.err == 0);
    at = w.len;
    dns_write_name(&w, &far, 1); /* "far" past 0x4000, "example" not */
    T_CHECK(w.len == at + 6);
    T_CHECK(buf[at + 4] == 0xc0 && buf[at + 5] == 17);
    at = w.len;
    dns_write_name(&w, &far, 1); /* still whole but for "example" */
    T_CHECK(w.len == at + 6);
    at = w.len;
    dns_write_name(&w, &near, 0); /* uncompressed */
    T_CHECK(w.len == at + (size_t)near.len);
    v = bv_make(buf, w.len);
    off = at;
    T_CHECK(dns_name_parse(&v, &off, &n) == PITH_OK && dns_name_eq(&n, &near));
    /* The root is written as itself. */
    at = w.len;
    dns_write_name(&w, &(struct dns_name){1, 0, {0}}, 1);
    T_CHECK(w.len == at + 1 && buf[at] == 0);
}

/* DNS_COMP_MAX bounds what is remembered, not what is written. */
static void test_write_comp_max(void)
{
    static uint8_t buf[8192];
    struct dns_writer w;
    struct dns_name n, back;
    char s[32];
    size_t off;
    struct bv v;
    int i;

    dns_writer_init(&w, buf, sizeof buf, sizeof buf);
    for (i = 0; i < 200; i++) {
        int k = snprintf(s, sizeof s, "h%d.x%d.example.", i, i);

        T_CHECK(dns_name_from_text(&n, s, (size_t)k, NULL) == PITH_OK);
        off = w.len;
        dns_write_name(&w, &n, 1);
        v = bv_make(buf, w.len);
        T_CHECK(dns_name_parse(&v, &off, &back) == PITH_OK);
        T_CHECK(dns_name_eq(&n, &back) && off == w.len);
    }
    T_CHECK(w.ncomp == DNS_COMP_MAX && w.err == 0);
}

/* ---- RRsets -------------------------------------------------------- */

static void test_rrset_next(void)
{
    uint8_t data[64];
    size_t n = unhex("00000e10 0004 c0000201 0000012c 0000 00000001 0002 abcd",
                     data, sizeof data);
    struct dns_rrset s = {DNS_T_A, 3, (uint32_t)n, data};
    const uint8_t *rd;
    uint32_t off = 0, ttl;
    uint16_t len;

    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 1);
    T_CHECK(ttl == 3600 && len == 4 && rd == &data[6] && off == 10);
    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 1);
    T_CHECK(ttl == 300 && len == 0 && off == 16);
    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 1);
    T_CHECK(ttl == 1 && len == 2 && rd[0] == 0xab && off == 24);
    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 0);
    T_CHECK(off == 24);
    /* Cut short: the last record is not handed out. */
    s.size = 23;
    off = 16;
    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 0);
    s.size = 0;
    s.data = NULL;
    off = 0;
    T_CHECK(dns_rrset_next(&s, &off, &ttl, &rd, &len) == 0);
}

int main(void)
{
    T_RUN(test_rfc1035_compression_example);
    T_RUN(test_rfc9267_anti_patterns);
    T_RUN(test_text_round_trips);
    T_RUN(test_text_relative_and_origin);
    T_RUN(test_text_limits);
    T_RUN(test_rfc4034_canonical_order);
    T_RUN(test_name_ops);
    T_RUN(test_type_mnemonics);
    T_RUN(test_rdata_from_nsd);
    T_RUN(test_rdata_layouts);
    T_RUN(test_queries_captured);
    T_RUN(test_queries_edns);
    T_RUN(test_queries_malformed);
    T_RUN(test_nsd_responses);
    T_RUN(test_write_opt_and_hdr);
    T_RUN(test_write_rollback);
    T_RUN(test_write_rr_data);
    T_RUN(test_write_pointer_limit);
    T_RUN(test_write_comp_max);
    T_RUN(test_rrset_next);
    return t_done();
}
