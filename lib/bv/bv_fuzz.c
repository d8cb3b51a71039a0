/*
 * Fuzz target for lib/bv: the input is a small program of view operations,
 * run at once through the module and through a reference model that keeps
 * offsets in plain integers and checks ranges in 128-bit arithmetic. Any
 * difference traps. Read views are kept in NSLOT slots over a heap copy of
 * the input's tail (exactly its size, so that ASan sees any byte read
 * outside); one write view lies over a heap block of at most 64 bytes whose
 * every byte is mirrored in a shadow copy.
 *
 * Input: byte 0 is the program's length (k); the next k bytes are the
 * program and the rest is the data. Each operation is an opcode byte (its
 * value modulo OP_COUNT) and operand bytes. A size operand byte b gives,
 * for the length (len) of the view it applies to, by its top two bits:
 * 0: b & 63, 1: len - (b & 63) (wrapping), 2: len + (b & 63),
 * 3: SIZE_MAX - (b & 63).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pith/bv.h>

#define NSLOT    4
#define MAXCAP   64
#define MAXOPS   512
#define INIT     0x5a /* what a new write buffer holds */
#define CANARY   0xa5
#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

enum {
    OP_MAKE,  /* slot, null (odd: a view at NULL) */
    OP_SUB,   /* slot, dst slot, off, n */
    OP_FROM,  /* slot, dst slot, off */
    OP_SHIFT, /* slot, n */
    OP_U8,    /* slot, off (and so on for the next six) */
    OP_BE16,
    OP_BE32,
    OP_BE64,
    OP_LE16,
    OP_LE32,
    OP_LE64,
    OP_COPY,   /* slot, off, n */
    OP_PTR,    /* slot, off, n */
    OP_EQ,     /* slot, off, n, flip */
    OP_FIND,   /* slot, off, c */
    OP_BWMAKE, /* cap (>= 0xf0: buffer at NULL), headroom */
    OP_PUSH,   /* n, fill */
    OP_PUT,    /* n, fill */
    OP_APPEND, /* n */
    OP_PULL,   /* n */
    OP_TRIM,   /* len */
    OP_SET8,   /* off, 8 value bytes (and so on for the next six) */
    OP_SETBE16,
    OP_SETBE32,
    OP_SETBE64,
    OP_SETLE16,
    OP_SETLE32,
    OP_SETLE64,
    OP_WRITE,  /* off, n */
    OP_BWVIEW, /* dst slot */
    OP_COUNT
};

/* A read view and its model: [start, start + len) of (base). */
struct slot {
    struct bv v;
    const uint8_t *base;
    size_t start, len;
    int err;
};

static struct {
    const uint8_t *prog, *end;
    uint8_t *data;
    size_t dlen;
    struct slot s[NSLOT];
    /* The write view and its model. */
    struct bw w;
    uint8_t *buf, shadow[MAXCAP];
    size_t cap, off, len;
    int err;
} f;

static uint8_t next(void)
{
    return f.prog < f.end ? *f.prog++ : 0;
}

static size_t arg(size_t len)
{
    uint8_t b = next();
    size_t k = b & 63;

    switch (b >> 6) {
    case 0:
        return k;
    case 1:
        return len - k;
    case 2:
        return len + k;
    default:
        return SIZE_MAX - k;
    }
}

static int fits(size_t len, size_t off, size_t n)
{
    return (unsigned __int128)off + n <= len;
}

static uint64_t ref_get(const uint8_t *b, size_t w, int be)
{
    uint64_t x = 0;
    size_t i;

    for (i = 0; i < w; i++)
        x = x * 256 + b[be ? i : w - 1 - i];
    return x;
}

static void ref_set(uint8_t *b, size_t w, int be, uint64_t x)
{
    size_t i;

    for (i = 0; i < w; i++, x >>= 8)
        b[be ? w - 1 - i : i] = (uint8_t)x;
}

/*
 * A heap block of exactly (n) bytes filled with (c), so that ASan flags a
 * byte beyond; malloc(0) gives a block of which every byte is beyond.
 */
static uint8_t *block(size_t n, uint8_t c)
{
    uint8_t *b = malloc(n);

    CHECK(b != NULL || n == 0);
    if (n > 0)
        memset(b, c, n);
    return b;
}

static void check(void)
{
    size_t i;

    for (i = 0; i < NSLOT; i++) {
        const struct slot *s = &f.s[i];
        CHECK(s->v.err == s->err && s->v.len == s->len);
        CHECK(bv_ok(&s->v) == !s->err && bv_len(&s->v) == s->len);
        CHECK(s->len == 0 || s->v.p == s->base + s->start);
    }
    CHECK(f.w.off <= f.w.cap && f.w.len <= f.w.cap - f.w.off);
    CHECK(f.w.cap == f.cap && f.w.off == f.off && f.w.len == f.len);
    CHECK(f.w.err == f.err && bw_ok(&f.w) == !f.err);
    CHECK(f.cap == 0 || memcmp(f.buf, f.shadow, f.cap) == 0);
}

static void slot_make(struct slot *s, const uint8_t *base, size_t len)
{
    s->v = bv_make(base, len);
    s->base = base;
    s->start = 0;
    s->len = len;
    s->err = 0;
}

/* The result of a sub-view operation on (s): expected, then stored in (d). */
static void sub_result(struct slot *s, struct slot *d, struct bv r, int ok,
                       size_t off, size_t n)
{
    if (ok) {
        CHECK(!r.err && r.len == n);
        CHECK(n == 0 || r.p == s->base + s->start + off);
        d->base = s->base;
        d->start = s->start + off;
        d->len = n;
        d->err = 0;
    } else {
        CHECK(r.err && r.len == 0);
        s->err = 1;
        d->base = s->base;
        d->start = 0;
        d->len = 0;
        d->err = 1;
    }
    d->v = r;
}

static void op_read(int op, struct slot *s)
{
    static const size_t width[] = {1, 2, 4, 8, 2, 4, 8};
    size_t w = width[op - OP_U8], off = arg(s->len);
    int be = op <= OP_BE64, ok = fits(s->len, off, w);
    uint64_t x = 0, want = 0;

    switch (op) {
    case OP_U8:
        x = bv_u8(&s->v, off);
        break;
    case OP_BE16:
        x = bv_be16(&s->v, off);
        break;
    case OP_BE32:
        x = bv_be32(&s->v, off);
        break;
    case OP_BE64:
        x = bv_be64(&s->v, off);
        break;
    case OP_LE16:
        x = bv_le16(&s->v, off);
        break;
    case OP_LE32:
        x = bv_le32(&s->v, off);
        break;
    default:
        x = bv_le64(&s->v, off);
        break;
    }
    if (ok)
        want = ref_get(s->base + s->start + off, w, be);
    else
        s->err = 1;
    CHECK(x == want);
}

static void op_copy(struct slot *s)
{
    size_t off = arg(s->len), n = arg(s->len);
    int ok = fits(s->len, off, n);
    uint8_t *dst = block(ok ? n : 1, CANARY); /* 1: must stay untouched */
    int rc = bv_copy(&s->v, off, dst, n);

    if (ok) {
        CHECK(rc == 0);
        CHECK(n == 0 || memcmp(dst, s->base + s->start + off, n) == 0);
    } else {
        CHECK(rc == -1 && dst[0] == CANARY);
        s->err = 1;
    }
    free(dst);
}

static void op_ptr(struct slot *s)
{
    size_t off = arg(s->len), n = arg(s->len);
    const uint8_t *p = bv_ptr(&s->v, off, n);

    if (fits(s->len, off, n)) {
        CHECK(p != NULL);
        CHECK(s->len == 0 || p == s->base + s->start + off);
    } else {
        CHECK(p == NULL);
        s->err = 1;
    }
}

static void op_eq(struct slot *s)
{
    size_t off = arg(s->len), n = arg(s->len);
    uint8_t flip = next();
    int ok = fits(s->len, off, n), want = ok;
    uint8_t *b = block(ok ? n : 1, CANARY);

    if (ok && n > 0) {
        memcpy(b, s->base + s->start + off, n);
        if (flip & 1) {
            b[(flip >> 1) % n] ^= (uint8_t)(1u << (flip % 8));
            want = 0;
        }
    }
    CHECK(bv_eq(&s->v, off, b, n) == want);
    if (!ok)
        s->err = 1;
    free(b);
}

static void op_find(struct slot *s)
{
    size_t off = arg(s->len), i;
    uint8_t c = next();
    long want = -1, got = bv_find(&s->v, off, c);

    if (fits(s->len, off, 0)) {
        for (i = off; i < s->len; i++) {
            if (s->base[s->start + i] == c) {
                want = (long)i;
                break;
            }
        }
    } else {
        s->err = 1;
    }
    CHECK(got == want);
}

static void op_bwmake(void)
{
    uint8_t c = next();
    int null = c >= 0xf0;
    size_t cap = null ? 0 : c % (MAXCAP + 1), i;
    size_t head = arg(cap);

    /* Read views of the old buffer go with it. */
    for (i = 0; i < NSLOT; i++)
        if (f.s[i].base == f.buf && f.buf != NULL)
            slot_make(&f.s[i], f.data, f.dlen);
    free(f.buf);
    f.buf = null ? NULL : block(cap, INIT);
    memset(f.shadow, INIT, sizeof f.shadow);
    if (null && (c & 1))
        cap = c & 15; /* NULL with room: an error */
    f.w = bw_make(f.buf, cap, head);
    CHECK(f.w.base == f.buf);
    if (head > cap || (f.buf == NULL && cap != 0)) {
        f.cap = f.off = f.len = 0;
        f.err = 1;
    } else {
        f.cap = cap;
        f.off = head;
        f.len = 0;
        f.err = 0;
    }
}

/* Fills the (n) bytes that push or put returned at (p), and the shadow. */
static void fill(uint8_t *p, size_t at, size_t n)
{
    uint8_t c = next();

    CHECK(p != NULL && (f.buf == NULL || p == f.buf + at));
    if (n > 0) {
        memset(p, c, n);
        memset(f.shadow + at, c, n);
    }
}

static void op_grow(int op)
{
    size_t room = f.cap - f.off - f.len;
    size_t n = arg(op == OP_PUSH ? f.off : room);
    int ok = op == OP_PUSH ? n <= f.off : n <= room;
    uint8_t *p = op == OP_PUSH ? bw_push(&f.w, n) : bw_put(&f.w, n);

    if (!ok) {
        CHECK(p == NULL);
        f.err = 1;
    } else if (op == OP_PUSH) {
        f.off -= n;
        f.len += n;
        fill(p, f.off, n);
    } else {
        fill(p, f.off + f.len, n);
        f.len += n;
    }
}

static void op_append(void)
{
    size_t room = f.cap - f.off - f.len, n = arg(room), i;
    int ok = n <= room;
    uint8_t *src = block(ok ? n : 1, CANARY);

    for (i = 0; ok && i < n; i++)
        src[i] = (uint8_t)(i + 1);
    bw_append(&f.w, src, n);
    if (ok) {
        if (n > 0)
            memcpy(f.shadow + f.off + f.len, src, n);
        f.len += n;
    } else {
        f.err = 1;
    }
    free(src);
}

static void op_set(int op)
{
    static const size_t width[] = {1, 2, 4, 8, 2, 4, 8};
    size_t w = width[op - OP_SET8], off = arg(f.len), i;
    int be = op <= OP_SETBE64;
    uint64_t x = 0;

    for (i = 0; i < 8; i++)
        x = x << 8 | next();
    switch (op) {
    case OP_SET8:
        bw_set_u8(&f.w, off, (uint8_t)x);
        break;
    case OP_SETBE16:
        bw_set_be16(&f.w, off, (uint16_t)x);
        break;
    case OP_SETBE32:
        bw_set_be32(&f.w, off, (uint32_t)x);
        break;
    case OP_SETBE64:
        bw_set_be64(&f.w, off, x);
        break;
    case OP_SETLE16:
        bw_set_le16(&f.w, off, (uint16_t)x);
        break;
    case OP_SETLE32:
        bw_set_le32(&f.w, off, (uint32_t)x);
        break;
    default:
        bw_set_le64(&f.w, off, x);
        break;
    }
    if (fits(f.len, off, w))
        ref_set(f.shadow + f.off + off, w, be, x);
    else
        f.err = 1;
}

static void op_write(void)
{
    size_t off = arg(f.len), n = arg(f.len), i;
    int ok = fits(f.len, off, n);
    uint8_t *src = block(ok ? n : 1, CANARY);

    for (i = 0; ok && i < n; i++)
        src[i] = (uint8_t)(0x80 + i);
    bw_write(&f.w, off, src, n);
    if (!ok)
        f.err = 1;
    else if (n > 0)
        memcpy(f.shadow + f.off + off, src, n);
    free(src);
}

static void op_bwview(struct slot *d)
{
    struct bv r = bw_view(&f.w);

    if (f.err) {
        CHECK(r.err && r.len == 0);
        d->base = f.buf;
        d->start = d->len = 0;
        d->err = 1;
    } else {
        CHECK(!r.err && r.len == f.len && r.p != NULL);
        CHECK(f.buf == NULL || r.p == f.buf + f.off);
        d->base = f.buf;
        d->start = f.off;
        d->len = f.len;
        d->err = 0;
    }
    d->v = r;
}

static void step(void)
{
    int op = next() % OP_COUNT;
    struct slot *s, *d;
    size_t off, n;
    struct bv r;

    if (op < OP_BWMAKE || op == OP_BWVIEW)
        s = &f.s[next() % NSLOT];
    else
        s = NULL;
    switch (op) {
    case OP_MAKE:
        if (next() & 1) {
            s->v = bv_make(NULL, f.dlen);
            s->base = NULL;
            s->start = s->len = 0;
            s->err = f.dlen != 0;
        } else {
            slot_make(s, f.data, f.dlen);
        }
        break;
    case OP_SUB:
        d = &f.s[next() % NSLOT];
        off = arg(s->len);
        n = arg(s->len);
        r = bv_sub(&s->v, off, n);
        sub_result(s, d, r, !s->err && fits(s->len, off, n), off, n);
        break;
    case OP_FROM:
        d = &f.s[next() % NSLOT];
        off = arg(s->len);
        r = bv_from(&s->v, off);
        n = fits(s->len, off, 0) ? s->len - off : 0;
        sub_result(s, d, r, !s->err && fits(s->len, off, 0), off, n);
        break;
    case OP_SHIFT:
        n = arg(s->len);
        bv_shift(&s->v, n);
        if (s->err || n > s->len) {
            s->err = 1;
            s->len = 0;
        } else {
            s->start += n;
            s->len -= n;
        }
        break;
    case OP_COPY:
        op_copy(s);
        break;
    case OP_PTR:
        op_ptr(s);
        break;
    case OP_EQ:
        op_eq(s);
        break;
    case OP_FIND:
        op_find(s);
        break;
    case OP_BWMAKE:
        op_bwmake();
        break;
    case OP_PUSH:
    case OP_PUT:
        op_grow(op);
        break;
    case OP_APPEND:
        op_append();
        break;
    case OP_PULL:
        n = arg(f.len);
        bw_pull(&f.w, n);
        if (n <= f.len) {
            f.off += n;
            f.len -= n;
        } else {
            f.err = 1;
        }
        break;
    case OP_TRIM:
        n = arg(f.len);
        bw_trim(&f.w, n);
        if (n <= f.len)
            f.len = n;
        else
            f.err = 1;
        break;
    case OP_WRITE:
        op_write();
        break;
    case OP_BWVIEW:
        op_bwview(s);
        break;
    default:
        if (op >= OP_SET8)
            op_set(op);
        else
            op_read(op, s);
        break;
    }
    check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t k, i, ops;

    if (size == 0)
        return 0;
    k = data[0] < size - 1 ? data[0] : size - 1;
    f.prog = data + 1;
    f.end = data + 1 + k;
    f.dlen = size - 1 - k;
    f.data = block(f.dlen, 0);
    if (f.dlen > 0)
        memcpy(f.data, data + 1 + k, f.dlen);
    for (i = 0; i < NSLOT; i++)
        slot_make(&f.s[i], f.data, f.dlen);
    f.buf = NULL;
    memset(f.shadow, INIT, sizeof f.shadow);
    f.w = bw_make(NULL, 0, 0);
    f.cap = f.off = f.len = 0;
    f.err = 0;
    check();
    for (ops = 0; f.prog < f.end && ops < MAXOPS; ops++)
        step();
    free(f.buf);
    free(f.data);
    return 0;
}
