/*
 * Bounds-checked views (include/pith/bv.h): everything but the integer
 * accessors, which are inline in the header. Range checks have the form
 * "off > len || n > len - off", which cannot wrap.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pith/bv.h>

/*
 * (p) + (off), where (p) is NULL only for a view of no bytes (and then
 * (off) is 0): such a view's zero-length pieces point at (none) so that a
 * pointer the module hands out is NULL only on error.
 */
static uint8_t none[1];

static const uint8_t *at(const uint8_t *p, size_t off)
{
    return p ? p + off : none;
}

static uint8_t *at_w(uint8_t *p, size_t off)
{
    return p ? p + off : none;
}

/* ---- Read views ---- */

struct bv bv_make(const void *p, size_t len)
{
    struct bv v = {p, len, 0};

    if (p == NULL && len != 0) {
        v.len = 0;
        v.err = 1;
    }
    return v;
}

struct bv bv_sub(struct bv *v, size_t off, size_t len)
{
    struct bv s = {NULL, 0, 1};

    if (v->err || off > v->len || len > v->len - off) {
        v->err = 1;
        return s;
    }
    s.p = at(v->p, off);
    s.len = len;
    s.err = 0;
    return s;
}

struct bv bv_from(struct bv *v, size_t off)
{
    struct bv s = {NULL, 0, 1};

    if (v->err || off > v->len) {
        v->err = 1;
        return s;
    }
    s.p = at(v->p, off);
    s.len = v->len - off;
    s.err = 0;
    return s;
}

void bv_shift(struct bv *v, size_t n)
{
    if (v->err || n > v->len) {
        v->err = 1;
        v->len = 0;
        return;
    }
    v->p = at(v->p, n);
    v->len -= n;
}

/* memcpy(), memcmp() and memchr() want valid pointers even for 0 bytes. */

int bv_copy(struct bv *v, size_t off, void *dst, size_t n)
{
    if (!bv_fits_(v, off, n))
        return -1;
    if (n != 0)
        memcpy(dst, v->p + off, n);
    return 0;
}

const uint8_t *bv_ptr(struct bv *v, size_t off, size_t n)
{
    return bv_fits_(v, off, n) ? at(v->p, off) : NULL;
}

int bv_eq(struct bv *v, size_t off, const void *s, size_t n)
{
    if (!bv_fits_(v, off, n))
        return 0;
    return n == 0 || memcmp(v->p + off, s, n) == 0;
}

long bv_find(struct bv *v, size_t off, uint8_t c)
{
    const uint8_t *q;

    if (!bv_fits_(v, off, 0) || off == v->len)
        return -1;
    q = memchr(v->p + off, c, v->len - off);
    return q ? (long)(q - v->p) : -1;
}

/* ---- Write views ---- */

struct bw bw_make(void *buf, size_t cap, size_t headroom)
{
    struct bw w = {buf, cap, headroom, 0, 0};

    if (headroom > cap || (buf == NULL && cap != 0)) {
        w.cap = 0;
        w.off = 0;
        w.err = 1;
    }
    return w;
}

struct bv bw_view(const struct bw *w)
{
    struct bv v = {NULL, 0, 1};

    if (!w->err) {
        v.p = at(w->base, w->off);
        v.len = w->len;
        v.err = 0;
    }
    return v;
}

uint8_t *bw_push(struct bw *w, size_t n)
{
    if (n > w->off) {
        w->err = 1;
        return NULL;
    }
    w->off -= n;
    w->len += n;
    return at_w(w->base, w->off);
}

uint8_t *bw_put(struct bw *w, size_t n)
{
    uint8_t *b;

    /* off + len <= cap always holds, so the subtraction cannot wrap. */
    if (n > w->cap - w->off - w->len) {
        w->err = 1;
        return NULL;
    }
    b = at_w(w->base, w->off + w->len);
    w->len += n;
    return b;
}

void bw_append(struct bw *w, const void *src, size_t n)
{
    uint8_t *b = bw_put(w, n);

    if (b != NULL && n != 0)
        memcpy(b, src, n);
}

void bw_pull(struct bw *w, size_t n)
{
    if (n > w->len) {
        w->err = 1;
        return;
    }
    w->off += n;
    w->len -= n;
}

void bw_trim(struct bw *w, size_t len)
{
    if (len > w->len) {
        w->err = 1;
        return;
    }
    w->len = len;
}

void bw_write(struct bw *w, size_t off, const void *src, size_t n)
{
    if (bw_fits_(w, off, n) && n != 0)
        memcpy(w->base + w->off + off, src, n);
}
