/*
 * Host unit tests for lib/bv: every accessor at every offset of views of 0
 * to 16 bytes, with offsets and lengths up to SIZE_MAX and sums that wrap,
 * checked against a reference that cannot overflow (128-bit arithmetic).
 * Read views lie over heap blocks of exactly their size, so that ASan
 * catches any read outside; write views lie between canary bytes. Then
 * sticky errors, known answers, headroom, and find/eq/shift.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pith/bv.h>

#include "unit.h"

#define MAXLEN 16
#define CANARY 0xa5
#define PAD    8 /* canary bytes on each side of a write buffer */

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 37 + 11);
}

/* Whether [off, off + n) lies within (len) bytes, without wrapping. */
static int fits(size_t len, size_t off, size_t n)
{
    return (unsigned __int128)off + n <= len;
}

/* A heap block of exactly (len) bytes holding pattern(); NULL for 0. */
static uint8_t *block(size_t len)
{
    uint8_t *b;
    size_t i;

    if (len == 0)
        return NULL;
    b = malloc(len);
    if (b == NULL)
        abort();
    for (i = 0; i < len; i++)
        b[i] = pattern(i);
    return b;
}

/* Offsets worth trying on a view of (len) bytes. */
static size_t offsets(size_t len, size_t *o)
{
    size_t n = 0, i;

    for (i = 0; i <= len + 9; i++)
        o[n++] = i;
    for (i = 0; i <= 8; i++)
        o[n++] = SIZE_MAX - i;
    o[n++] = SIZE_MAX / 2;
    o[n++] = SIZE_MAX / 2 + 1;
    return n;
}

/* Lengths worth trying at (off): small, huge, and ones where off + n wraps. */
static size_t lengths(size_t len, size_t off, size_t *o)
{
    size_t n = 0, i;

    for (i = 0; i <= len + 3; i++)
        o[n++] = i;
    for (i = 0; i <= 8; i++) {
        o[n++] = SIZE_MAX - i;
        o[n++] = (size_t)0 - off + i; /* off + n == i, wrapped */
    }
    o[n++] = len - off; /* wraps when off > len */
    o[n++] = SIZE_MAX / 2 + 1;
    return n;
}

/* The reference for an integer of (w) bytes at (b). */
static uint64_t ref_be(const uint8_t *b, size_t w)
{
    uint64_t x = 0;
    size_t i;

    for (i = 0; i < w; i++)
        x = x * 256 + b[i];
    return x;
}

static uint64_t ref_le(const uint8_t *b, size_t w)
{
    uint64_t x = 0;
    size_t i;

    for (i = w; i > 0; i--)
        x = x * 256 + b[i - 1];
    return x;
}

/* Reads an integer of width (w) and byte order (be) with the accessor. */
static uint64_t get(struct bv *v, size_t off, size_t w, int be)
{
    switch (w) {
    case 1:
        return bv_u8(v, off);
    case 2:
        return be ? bv_be16(v, off) : bv_le16(v, off);
    case 4:
        return be ? bv_be32(v, off) : bv_le32(v, off);
    default:
        return be ? bv_be64(v, off) : bv_le64(v, off);
    }
}

static void set(struct bw *w, size_t off, size_t width, int be, uint64_t x)
{
    switch (width) {
    case 1:
        bw_set_u8(w, off, (uint8_t)x);
        break;
    case 2:
        if (be)
            bw_set_be16(w, off, (uint16_t)x);
        else
            bw_set_le16(w, off, (uint16_t)x);
        break;
    case 4:
        if (be)
            bw_set_be32(w, off, (uint32_t)x);
        else
            bw_set_le32(w, off, (uint32_t)x);
        break;
    default:
        if (be)
            bw_set_be64(w, off, x);
        else
            bw_set_le64(w, off, x);
        break;
    }
}

static const size_t widths[] = {1, 2, 4, 8};

static void test_make(void)
{
    uint8_t b[4] = {1, 2, 3, 4};
    struct bv v = bv_make(b, sizeof b);
    struct bv e = bv_make(NULL, 0);
    struct bv bad = bv_make(NULL, 3);

    T_CHECK(v.p == b && bv_len(&v) == 4 && bv_ok(&v));
    T_CHECK(bv_len(&e) == 0 && bv_ok(&e));
    T_CHECK(bv_len(&bad) == 0 && !bv_ok(&bad));
    /* A view of no bytes at NULL hands out pointers that are not NULL. */
    T_CHECK(bv_ptr(&e, 0, 0) != NULL && bv_ok(&e));
    T_CHECK(bv_sub(&e, 0, 0).p != NULL && bv_ok(&e));
    T_CHECK(bv_copy(&e, 0, NULL, 0) == 0 && bv_eq(&e, 0, NULL, 0));
    T_CHECK(bv_find(&e, 0, 0) == -1 && bv_ok(&e));
    T_CHECK(bv_u8(&e, 0) == 0 && !bv_ok(&e));
}

/* Every integer accessor at every offset of every small view. */
static void test_int_bounds(void)
{
    size_t len, o[64], no, i, k;
    int be;

    for (len = 0; len <= MAXLEN; len++) {
        uint8_t *b = block(len);
        no = offsets(len, o);
        for (i = 0; i < no; i++) {
            for (k = 0; k < 4; k++) {
                for (be = 0; be < 2; be++) {
                    size_t w = widths[k], off = o[i];
                    struct bv v = bv_make(b, len);
                    uint64_t x = get(&v, off, w, be), want = 0;
                    if (fits(len, off, w))
                        want = be ? ref_be(b + off, w) : ref_le(b + off, w);
                    T_CHECKF(x == want && bv_ok(&v) == fits(len, off, w) &&
                                 v.p == b && v.len == len,
                             "len %zu off %zu w %zu be %d", len, off, w, be);
                    /* The flag stays set through accesses in range. */
                    if (!bv_ok(&v) && len > 0) {
                        (void)bv_u8(&v, 0);
                        T_CHECK(!bv_ok(&v));
                    }
                }
            }
        }
        free(b);
    }
}

/* bv_sub, bv_from, bv_shift, bv_ptr at every offset and length. */
static void test_sub_bounds(void)
{
    size_t len, o[64], no, i, l[64], nl, j;

    for (len = 0; len <= MAXLEN; len++) {
        uint8_t *b = block(len);
        no = offsets(len, o);
        for (i = 0; i < no; i++) {
            size_t off = o[i];
            int in = fits(len, off, 0);
            struct bv v = bv_make(b, len), f = bv_from(&v, off);
            struct bv s = bv_make(b, len);

            T_CHECKF(bv_ok(&v) == in && bv_ok(&f) == in && v.len == len,
                     "from: len %zu off %zu", len, off);
            if (in)
                T_CHECK(f.len == len - off && (len == 0 || f.p == b + off));
            else
                T_CHECK(f.len == 0);

            bv_shift(&s, off);
            T_CHECKF(bv_ok(&s) == in, "shift: len %zu off %zu", len, off);
            if (in)
                T_CHECK(s.len == len - off && (len == 0 || s.p == b + off));
            else
                T_CHECK(s.len == 0);

            nl = lengths(len, off, l);
            for (j = 0; j < nl; j++) {
                size_t n = l[j];
                struct bv u = bv_make(b, len), sub = bv_sub(&u, off, n);
                struct bv q = bv_make(b, len);
                const uint8_t *p = bv_ptr(&q, off, n);

                in = fits(len, off, n);
                T_CHECKF(bv_ok(&u) == in && bv_ok(&sub) == in && u.len == len &&
                             u.p == b,
                         "sub: len %zu off %zu n %zu", len, off, n);
                T_CHECKF(bv_ok(&q) == in && (p != NULL) == in,
                         "ptr: len %zu off %zu n %zu", len, off, n);
                if (in) {
                    T_CHECK(sub.len == n && (len == 0 || sub.p == b + off));
                    T_CHECK(len == 0 || p == b + off);
                } else {
                    T_CHECK(sub.len == 0);
                }
            }
        }
        free(b);
    }
}

/* bv_copy and bv_eq: right bytes in range, nothing touched out of it. */
static void test_copy_eq_bounds(void)
{
    size_t len, o[64], no, i, l[64], nl, j, k;

    for (len = 0; len <= MAXLEN; len++) {
        uint8_t *b = block(len);
        no = offsets(len, o);
        for (i = 0; i < no; i++) {
            size_t off = o[i];
            nl = lengths(len, off, l);
            for (j = 0; j < nl; j++) {
                size_t n = l[j];
                int in = fits(len, off, n);
                uint8_t dst[PAD + MAXLEN + PAD], *s;
                struct bv v = bv_make(b, len), e = bv_make(b, len);
                int rc, eq;

                memset(dst, CANARY, sizeof dst);
                rc = bv_copy(&v, off, dst + PAD, n);
                T_CHECKF(rc == (in ? 0 : -1) && bv_ok(&v) == in,
                         "copy: len %zu off %zu n %zu", len, off, n);
                for (k = 0; k < sizeof dst; k++) {
                    int copied = in && k >= PAD && k - PAD < n;
                    uint8_t want = copied ? pattern(off + k - PAD) : CANARY;
                    T_CHECKF(dst[k] == want,
                             "copy: len %zu off %zu n %zu "
                             "byte %zu",
                             len, off, n, k);
                }

                /* (s) is exactly as long as the comparison, when it fits. */
                s = block(in ? n : 1);
                if (in && n > 0)
                    memcpy(s, b + off, n);
                eq = bv_eq(&e, off, s, n);
                T_CHECKF(eq == in && bv_ok(&e) == in,
                         "eq: len %zu off %zu n %zu", len, off, n);
                if (in && n > 0) {
                    s[n - 1] ^= 1;
                    T_CHECK(!bv_eq(&e, off, s, n) && bv_ok(&e));
                }
                free(s);
            }
        }
        free(b);
    }
}

static void test_find_bounds(void)
{
    size_t len, o[64], no, i, c, k;

    for (len = 0; len <= MAXLEN; len++) {
        uint8_t *b = block(len);
        no = offsets(len, o);
        for (i = 0; i < no; i++) {
            for (c = 0; c < 256; c += 5) {
                size_t off = o[i];
                struct bv v = bv_make(b, len);
                long want = -1, got = bv_find(&v, off, (uint8_t)c);

                if (fits(len, off, 0)) {
                    for (k = off; k < len; k++) {
                        if (b[k] == c) {
                            want = (long)k;
                            break;
                        }
                    }
                }
                T_CHECKF(got == want && bv_ok(&v) == fits(len, off, 0),
                         "find: len %zu off %zu c %zu", len, off, c);
            }
        }
        free(b);
    }
}

static void test_find(void)
{
    static const char s[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    struct bv v = bv_make(s, sizeof s - 1);

    T_CHECK(bv_find(&v, 0, ' ') == 3);
    T_CHECK(bv_find(&v, 3, ' ') == 3);
    T_CHECK(bv_find(&v, 4, ' ') == 5);
    T_CHECK(bv_find(&v, 0, '\n') == 15);
    T_CHECK(bv_find(&v, 16, '\n') == 24);
    T_CHECK(bv_find(&v, 0, 'z') == -1 && bv_ok(&v));
    T_CHECK(bv_find(&v, sizeof s - 1, 'G') == -1 && bv_ok(&v));
    T_CHECK(bv_find(&v, sizeof s, 'G') == -1 && !bv_ok(&v));
}

static void test_eq(void)
{
    static const uint8_t s[] = {0x7f, 'E', 'L', 'F', 2, 1};
    struct bv v = bv_make(s, sizeof s);

    T_CHECK(bv_eq(&v, 0, "\177ELF", 4));
    T_CHECK(bv_eq(&v, 1, "ELF", 3));
    T_CHECK(!bv_eq(&v, 0, "\177ELG", 4));
    T_CHECK(bv_eq(&v, 6, "", 0) && bv_ok(&v));
    T_CHECK(!bv_eq(&v, 4, "\2\1\0", 3) && !bv_ok(&v));
}

static void test_shift(void)
{
    static const uint8_t s[] = {1, 2, 3, 4, 5};
    struct bv v = bv_make(s, sizeof s);

    bv_shift(&v, 0);
    T_CHECK(v.p == s && v.len == 5 && bv_ok(&v));
    bv_shift(&v, 2);
    T_CHECK(bv_u8(&v, 0) == 3 && v.len == 3 && bv_ok(&v));
    bv_shift(&v, 3);
    T_CHECK(v.len == 0 && bv_ok(&v));
    bv_shift(&v, 1);
    T_CHECK(v.len == 0 && !bv_ok(&v));

    v = bv_make(s, sizeof s);
    bv_shift(&v, SIZE_MAX);
    T_CHECK(v.len == 0 && !bv_ok(&v));
}

/*
 * Errors are sticky and flow forward: sub-views of a view in error are
 * empty and in error, and a cursor loop whose step is read out of range
 * stops.
 */
static void test_sticky(void)
{
    /* Options: kind, length (including both), data. The last one lacks
     * its length byte. */
    static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 3, 3, 7, 1, 8};
    uint8_t b[8] = {0};
    struct bv v = bv_make(b, sizeof b), s, o;
    int rounds = 0;

    (void)bv_be32(&v, 6);
    T_CHECK(!bv_ok(&v));
    T_CHECK(bv_u8(&v, 0) == 0 && !bv_ok(&v));
    s = bv_sub(&v, 0, 1);
    T_CHECK(s.len == 0 && !bv_ok(&s) && !bv_ok(&v));
    s = bv_from(&v, 0);
    T_CHECK(s.len == 0 && !bv_ok(&s));
    s = bv_sub(&s, 0, 0);
    T_CHECK(s.len == 0 && !bv_ok(&s));
    bv_shift(&v, 0);
    T_CHECK(v.len == 0 && !bv_ok(&v));

    o = bv_make(opts, sizeof opts);
    while (bv_len(&o) > 0 && rounds++ < 100) {
        uint8_t kind = bv_u8(&o, 0);
        size_t l = kind == 1 ? 1 : bv_u8(&o, 1);
        bv_shift(&o, l);
    }
    T_CHECK(rounds == 4 && !bv_ok(&o));
}

static void test_known_answers(void)
{
    static const uint8_t s[] = {0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
                                0x06, 0x07, 0x08, 0x80, 0xfe};
    uint8_t buf[PAD + 16 + PAD], want[16];
    struct bv v = bv_make(s, sizeof s);
    struct bw w;
    size_t i;

    T_CHECK(bv_u8(&v, 0) == 0xff && bv_u8(&v, 10) == 0xfe);
    T_CHECK(bv_be16(&v, 1) == 0x0102 && bv_le16(&v, 1) == 0x0201);
    T_CHECK(bv_be16(&v, 9) == 0x80fe && bv_le16(&v, 9) == 0xfe80);
    T_CHECK(bv_be32(&v, 1) == 0x01020304 && bv_le32(&v, 1) == 0x04030201);
    T_CHECK(bv_be32(&v, 7) == 0x070880feu && bv_le32(&v, 7) == 0xfe800807u);
    T_CHECK(bv_be64(&v, 1) == 0x0102030405060708ull);
    T_CHECK(bv_le64(&v, 1) == 0x0807060504030201ull);
    T_CHECK(bv_be64(&v, 3) == 0x03040506070880feull);
    T_CHECK(bv_le64(&v, 3) == 0xfe80080706050403ull);
    T_CHECK(bv_ok(&v));

    memset(buf, CANARY, sizeof buf);
    w = bw_make(buf + PAD, 16, 0);
    (void)bw_put(&w, 16);
    memset(buf + PAD, 0, 16);
    bw_set_u8(&w, 0, 0xab);
    bw_set_be16(&w, 1, 0x0102);
    bw_set_le16(&w, 3, 0x0102);
    bw_set_be32(&w, 5, 0x03040506);
    bw_set_le32(&w, 9, 0x03040506);
    bw_set_be16(&w, 14, 0xfffe);
    T_CHECK(bw_ok(&w));
    {
        static const uint8_t k[16] = {0xab, 1, 2, 2, 1, 3, 4,    5,
                                      6,    6, 5, 4, 3, 0, 0xff, 0xfe};
        memcpy(want, k, 16);
    }
    T_CHECK(memcmp(buf + PAD, want, 16) == 0);
    bw_set_be64(&w, 1, 0x1112131415161718ull);
    bw_set_le64(&w, 8, 0x2122232425262728ull);
    {
        static const uint8_t k[16] = {0xab, 0x11, 0x12, 0x13, 0x14, 0x15,
                                      0x16, 0x17, 0x28, 0x27, 0x26, 0x25,
                                      0x24, 0x23, 0x22, 0x21};
        memcpy(want, k, 16);
    }
    T_CHECK(memcmp(buf + PAD, want, 16) == 0 && bw_ok(&w));
    for (i = 0; i < PAD; i++)
        T_CHECK(buf[i] == CANARY && buf[PAD + 16 + i] == CANARY);

    /* What is written reads back. */
    v = bw_view(&w);
    bw_set_le64(&w, 3, 0x0123456789abcdefull);
    bw_set_be32(&w, 12, 0xdeadbeef);
    T_CHECK(bv_le64(&v, 3) == 0x0123456789abcdefull);
    T_CHECK(bv_be32(&v, 12) == 0xdeadbeef && bv_le16(&v, 12) == 0xadde);
}

/* Every integer setter at every offset of the data of small write views. */
static void test_set_bounds(void)
{
    size_t cap, head, dlen, o[64], no, i, k, j;
    int be;

    for (cap = 0; cap <= MAXLEN; cap += 3) {
        for (head = 0; head <= cap; head++) {
            for (dlen = 0; dlen <= cap - head; dlen++) {
                no = offsets(dlen, o);
                for (i = 0; i < no; i++) {
                    for (k = 0; k < 4; k++) {
                        for (be = 0; be < 2; be++) {
                            uint8_t buf[PAD + MAXLEN + PAD], want[sizeof buf];
                            size_t off = o[i], wd = widths[k];
                            int in = fits(dlen, off, wd);
                            struct bw w;

                            memset(buf, CANARY, sizeof buf);
                            w = bw_make(buf + PAD, cap, head);
                            (void)bw_put(&w, dlen);
                            memcpy(want, buf, sizeof buf);
                            set(&w, off, wd, be, 0x0807060504030201ull);
                            if (in) {
                                for (j = 0; j < wd; j++)
                                    want[PAD + head + off + j] =
                                        (uint8_t)(be ? wd - j : j + 1);
                            }
                            T_CHECKF(bw_ok(&w) == in &&
                                         memcmp(buf, want, sizeof buf) == 0 &&
                                         w.off == head && w.len == dlen &&
                                         w.cap == cap,
                                     "set: cap %zu head %zu len %zu off %zu "
                                     "w %zu be %d",
                                     cap, head, dlen, off, wd, be);
                        }
                    }
                }
            }
        }
    }
}

/* bw_write at every offset and length; nothing outside is touched. */
static void test_write_bounds(void)
{
    size_t head, dlen, o[64], no, i, l[64], nl, j, k;
    const size_t cap = 12;

    for (head = 0; head <= cap; head += 2) {
        for (dlen = 0; dlen <= cap - head; dlen++) {
            no = offsets(dlen, o);
            for (i = 0; i < no; i++) {
                size_t off = o[i];
                nl = lengths(dlen, off, l);
                for (j = 0; j < nl; j++) {
                    uint8_t buf[PAD + MAXLEN + PAD], want[sizeof buf];
                    size_t n = l[j];
                    int in = fits(dlen, off, n);
                    uint8_t *src = block(in ? n : 1);
                    struct bw w;

                    memset(buf, CANARY, sizeof buf);
                    w = bw_make(buf + PAD, cap, head);
                    (void)bw_put(&w, dlen);
                    memcpy(want, buf, sizeof buf);
                    bw_write(&w, off, src, n);
                    for (k = 0; in && k < n; k++)
                        want[PAD + head + off + k] = pattern(k);
                    T_CHECKF(bw_ok(&w) == in &&
                                 memcmp(buf, want, sizeof buf) == 0,
                             "write: head %zu len %zu off %zu n %zu", head,
                             dlen, off, n);
                    free(src);
                }
            }
        }
    }
}

static void test_bw_make(void)
{
    uint8_t b[4];
    struct bw w = bw_make(b, 4, 5);

    T_CHECK(!bw_ok(&w) && w.cap == 0 && w.off == 0 && w.len == 0);
    T_CHECK(bw_push(&w, 1) == NULL && bw_put(&w, 1) == NULL);
    T_CHECK(w.off == 0 && w.len == 0 && !bw_ok(&w));
    w = bw_make(b, 4, SIZE_MAX);
    T_CHECK(!bw_ok(&w) && w.cap == 0);
    w = bw_make(NULL, 4, 0);
    T_CHECK(!bw_ok(&w) && w.cap == 0);
    w = bw_make(b, 4, 4);
    T_CHECK(bw_ok(&w) && w.base == b && w.cap == 4 && w.off == 4 && w.len == 0);
    w = bw_make(NULL, 0, 0);
    T_CHECK(bw_ok(&w) && bw_push(&w, 0) != NULL && bw_put(&w, 0) != NULL);
    T_CHECK(bw_ok(&w) && bw_view(&w).len == 0 && bw_view(&w).p != NULL);
    T_CHECK(bw_push(&w, 1) == NULL && !bw_ok(&w));
}

static int canaries_ok(const uint8_t *buf, size_t cap)
{
    size_t i;

    for (i = 0; i < PAD; i++)
        if (buf[i] != CANARY || buf[PAD + cap + i] != CANARY)
            return 0;
    return 1;
}

/* Push until the headroom is gone, put until the buffer is full. */
static void test_headroom(void)
{
    size_t cap, head, k;

    for (cap = 0; cap <= MAXLEN; cap++) {
        for (head = 0; head <= cap; head++) {
            uint8_t buf[PAD + MAXLEN + PAD];
            struct bw w, before;
            struct bv v;
            uint8_t *p;

            memset(buf, CANARY, sizeof buf);
            w = bw_make(buf + PAD, cap, head);
            /* A payload, then headers pushed in front of it. */
            for (k = 0; k < cap - head; k++) {
                p = bw_put(&w, 1);
                T_CHECK(p == buf + PAD + head + k);
                *p = (uint8_t)(0x40 + k);
            }
            before = w;
            T_CHECK(bw_put(&w, 1) == NULL && !bw_ok(&w));
            T_CHECK(w.off == before.off && w.len == before.len);
            w.err = 0;
            T_CHECK(bw_put(&w, SIZE_MAX) == NULL && !bw_ok(&w));
            w.err = 0;
            T_CHECK(bw_put(&w, 0) == buf + PAD + cap && bw_ok(&w));
            for (k = head; k > 0; k--) {
                p = bw_push(&w, 1);
                T_CHECK(p == buf + PAD + k - 1);
                *p = (uint8_t)(0x20 + k - 1);
            }
            T_CHECK(bw_ok(&w) && w.off == 0 && w.len == cap);
            T_CHECK(bw_push(&w, 0) == buf + PAD && bw_ok(&w));
            T_CHECK(bw_push(&w, 1) == NULL && !bw_ok(&w));
            T_CHECK(bw_push(&w, SIZE_MAX) == NULL);
            T_CHECK(w.off == 0 && w.len == cap);
            w.err = 0;

            v = bw_view(&w);
            T_CHECK(bv_ok(&v) && v.len == cap && v.p == buf + PAD);
            for (k = 0; k < cap; k++)
                T_CHECK(bv_u8(&v, k) ==
                        (k < head ? 0x20 + k : 0x40 + k - head));

            /* Pull the headers off again, then trim. */
            bw_pull(&w, head);
            T_CHECK(bw_ok(&w) && w.off == head && w.len == cap - head);
            bw_pull(&w, cap - head + 1);
            T_CHECK(!bw_ok(&w) && w.off == head && w.len == cap - head);
            bw_pull(&w, SIZE_MAX);
            T_CHECK(w.off == head && w.len == cap - head);
            w.err = 0;
            bw_trim(&w, cap - head + 1);
            T_CHECK(!bw_ok(&w) && w.len == cap - head);
            bw_trim(&w, SIZE_MAX);
            T_CHECK(w.len == cap - head);
            w.err = 0;
            if (cap - head > 0) {
                bw_trim(&w, cap - head - 1);
                v = bw_view(&w);
                T_CHECK(v.len == cap - head - 1 && v.p == buf + PAD + head);
                T_CHECK(v.len == 0 || bv_u8(&v, 0) == 0x40);
                /* Trimmed room is room again. */
                T_CHECK(bw_put(&w, 1) == buf + PAD + cap - 1);
            }
            bw_trim(&w, 0);
            T_CHECK(bw_ok(&w) && w.len == 0);
            T_CHECK(canaries_ok(buf, cap));
        }
    }
}

/* One push, put or pull of every size on fresh write views. */
static void test_sizes(void)
{
    size_t cap, head, l[64], nl, j;

    for (cap = 0; cap <= MAXLEN; cap++) {
        for (head = 0; head <= cap; head++) {
            nl = lengths(cap, 0, l);
            for (j = 0; j < nl; j++) {
                uint8_t buf[PAD + MAXLEN + PAD];
                size_t n = l[j], room = cap - head;
                struct bw w = bw_make(buf + PAD, cap, head), u = w, d = w;
                uint8_t *p = bw_push(&w, n), *q = bw_put(&u, n);

                T_CHECKF(bw_ok(&w) == (n <= head) && bw_ok(&u) == (n <= room),
                         "cap %zu head %zu n %zu", cap, head, n);
                if (n <= head)
                    T_CHECK(p == buf + PAD + head - n && w.off == head - n &&
                            w.len == n);
                else
                    T_CHECK(p == NULL && w.off == head && w.len == 0);
                if (n <= room)
                    T_CHECK(q == buf + PAD + head && u.off == head &&
                            u.len == n);
                else
                    T_CHECK(q == NULL && u.off == head && u.len == 0);

                (void)bw_put(&d, room);
                bw_pull(&d, n);
                T_CHECKF(bw_ok(&d) == (n <= room) &&
                             d.off == head + (n <= room ? n : 0) &&
                             d.off + d.len == cap,
                         "pull: cap %zu head %zu n %zu", cap, head, n);
            }
        }
    }
}

static void test_append(void)
{
    uint8_t buf[PAD + 8 + PAD];
    struct bw w;
    struct bv v;

    memset(buf, CANARY, sizeof buf);
    w = bw_make(buf + PAD, 8, 2);
    bw_append(&w, "abc", 3);
    bw_append(&w, NULL, 0);
    bw_append(&w, "def", 3);
    T_CHECK(bw_ok(&w) && w.len == 6);
    bw_append(&w, "g", 1);
    T_CHECK(!bw_ok(&w) && w.len == 6);
    v = bw_view(&w);
    T_CHECK(v.len == 0 && !bv_ok(&v));
    w.err = 0;
    v = bw_view(&w);
    T_CHECK(bv_eq(&v, 0, "abcdef", 6) && v.len == 6);
    T_CHECK(canaries_ok(buf, 8));
}

/* After an error, every operation stays within the buffer. */
static void test_bw_after_error(void)
{
    uint8_t buf[PAD + 8 + PAD];
    struct bw w;
    struct bv v;
    size_t i;

    memset(buf, CANARY, sizeof buf);
    w = bw_make(buf + PAD, 8, 4);
    (void)bw_put(&w, 2);
    bw_set_be32(&w, 0, 1);
    T_CHECK(!bw_ok(&w));
    for (i = 0; i < 3; i++) {
        (void)bw_push(&w, 5);
        (void)bw_push(&w, 1);
        (void)bw_put(&w, 3);
        (void)bw_put(&w, 1);
        bw_append(&w, "xyz", 3);
        bw_pull(&w, 3);
        bw_trim(&w, 3);
        bw_set_le64(&w, 0, 0);
        bw_write(&w, 1, "ab", 2);
        bw_write(&w, SIZE_MAX, "ab", 2);
        T_CHECK(!bw_ok(&w) && w.off + w.len <= w.cap);
    }
    v = bw_view(&w);
    T_CHECK(v.len == 0 && !bv_ok(&v));
    T_CHECK(canaries_ok(buf, 8));
}

int main(void)
{
    T_RUN(test_make);
    T_RUN(test_int_bounds);
    T_RUN(test_sub_bounds);
    T_RUN(test_copy_eq_bounds);
    T_RUN(test_find_bounds);
    T_RUN(test_find);
    T_RUN(test_eq);
    T_RUN(test_shift);
    T_RUN(test_sticky);
    T_RUN(test_known_answers);
    T_RUN(test_set_bounds);
    T_RUN(test_write_bounds);
    T_RUN(test_bw_make);
    T_RUN(test_headroom);
    T_RUN(test_sizes);
    T_RUN(test_append);
    T_RUN(test_bw_after_error);
    return t_done();
}
