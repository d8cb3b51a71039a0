/*
 * Bounds-checked views over bytes: the only way pith code reads or writes
 * packet and file data.
 *
 * A read view (struct bv) is a borrowed window {p, len} with a sticky
 * error flag. Accessors take an offset relative to the window; one that
 * would reach outside it returns 0 (or an empty view, or NULL), touches
 * nothing, and sets the flag. A parser therefore reads every field it
 * needs and checks bv_ok() once at the end, as with MirageOS's cstruct:
 *
 *     struct bv v = bv_make(frame, len);
 *     uint16_t type = bv_be16(&v, 12);
 *     struct bv payload = bv_from(&v, 14);
 *     if (!bv_ok(&v)) return PITH_EPROTO;
 *
 * The flag is never cleared. A sub-view made from a view in error is empty
 * and in error itself, and so is a view in error that bv_shift() steps:
 * errors flow forward. Views never own memory: the bytes belong to the
 * caller and must outlive the view.
 *
 * A write view (struct bw) is a caller-owned buffer holding data in
 * [off, off + len) with headroom in front, so that each layer of a stack
 * can prepend its header (bw_push) without copying the payload. Its
 * accessors follow the same sticky-error rule; one that fails changes
 * nothing but the flag.
 *
 * The fixed-size integer accessors are static inline (a compare and a
 * load: a call would cost more than the work); their definitions follow
 * the contract, at the end of this file.
 */
#ifndef PITH_BV_H
#define PITH_BV_H

#include <stddef.h>
#include <stdint.h>

/* ---- Read views ---- */

struct bv {
    const uint8_t *p;
    size_t len;
    int err; /* sticky: set by any access out of range */
};

/*
 * A view of the (len) bytes at (p). (p) may be NULL only when (len) is 0;
 * NULL with a (len) above 0 gives an empty view in error.
 */
struct bv bv_make(const void *p, size_t len);

/* Whether no access through (v) has gone out of range. */
static inline int bv_ok(const struct bv *v)
{
    return !v->err;
}

/* The length of (v). */
static inline size_t bv_len(const struct bv *v)
{
    return v->len;
}

/*
 * The sub-view [off, off + len) of (v). Out of range: sets v->err and
 * returns an empty view in error. A view in error yields views in error.
 */
struct bv bv_sub(struct bv *v, size_t off, size_t len);

/* The sub-view from (off) to the end of (v); as bv_sub(). */
struct bv bv_from(struct bv *v, size_t off);

/*
 * Drops the first (n) bytes of (v) in place (a cursor step). Out of range,
 * or (v) already in error: sets v->err and leaves (v) empty, so that a
 * cursor loop stops even when its step was read out of range (as 0).
 */
void bv_shift(struct bv *v, size_t n);

/*
 * Integers at (off), big- (be) or little-endian (le), at any alignment; 0
 * and v->err set when they do not fit in (v).
 */
static inline uint8_t bv_u8(struct bv *v, size_t off);
static inline uint16_t bv_be16(struct bv *v, size_t off);
static inline uint32_t bv_be32(struct bv *v, size_t off);
static inline uint64_t bv_be64(struct bv *v, size_t off);
static inline uint16_t bv_le16(struct bv *v, size_t off);
static inline uint32_t bv_le32(struct bv *v, size_t off);
static inline uint64_t bv_le64(struct bv *v, size_t off);

/*
 * Copies (n) bytes at (off) to (dst). Out of range: sets v->err, copies
 * nothing and returns -1; else 0.
 */
int bv_copy(struct bv *v, size_t off, void *dst, size_t n);

/*
 * A pointer to the (n) bytes at (off), for handing to code that takes a
 * pointer and a length (a hash, a memcmp). NULL and v->err set when out of
 * range; never NULL otherwise, even for (n) = 0. The pointer is borrowed
 * like the view.
 */
const uint8_t *bv_ptr(struct bv *v, size_t off, size_t n);

/*
 * Whether the (n) bytes at (off) equal (s) (always, for (n) = 0). Out of
 * range: sets v->err and returns 0.
 */
int bv_eq(struct bv *v, size_t off, const void *s, size_t n);

/*
 * The offset in (v) (from its start, not from (off)) of the first byte (c)
 * at or after (off), or -1 when there is none before the end (not an
 * error). (off) beyond the end sets v->err and returns -1.
 */
long bv_find(struct bv *v, size_t off, uint8_t c);

/* ---- Write views ---- */

struct bw {
    uint8_t *base;
    size_t cap; /* bytes at base */
    size_t off; /* data starts at base + off; off bytes of headroom */
    size_t len; /* bytes of data */
    int err;    /* sticky */
};

/*
 * A write view over the (cap) bytes at (buf), empty, with (headroom) bytes
 * reserved in front for headers. (headroom) > (cap), or (buf) NULL with a
 * (cap) above 0, gives a view in error with no room at all (cap 0).
 */
struct bw bw_make(void *buf, size_t cap, size_t headroom);

/* Whether no operation on (w) has gone out of range. */
static inline int bw_ok(const struct bw *w)
{
    return !w->err;
}

/*
 * The data of (w) as a read view, borrowed from (w)'s buffer. When (w) is
 * in error: an empty view in error.
 */
struct bv bw_view(const struct bw *w);

/*
 * Grows the data by (n) bytes at the front, out of the headroom, and
 * returns a pointer to them (uninitialised; not NULL, even for (n) = 0).
 * No room: sets err, returns NULL and changes nothing.
 */
uint8_t *bw_push(struct bw *w, size_t n);

/*
 * Grows the data by (n) bytes at the end, up to (cap), and returns a
 * pointer to them (uninitialised; not NULL, even for (n) = 0). No room:
 * sets err, returns NULL and changes nothing.
 */
uint8_t *bw_put(struct bw *w, size_t n);

/* Appends the (n) bytes at (src); as bw_put(). */
void bw_append(struct bw *w, const void *src, size_t n);

/*
 * Removes (n) bytes from the front of the data (e.g. a header read); they
 * become headroom. More than the data: sets err and changes nothing.
 */
void bw_pull(struct bw *w, size_t n);

/* Shortens the data to (len) bytes; a longer (len) sets err, as above. */
void bw_trim(struct bw *w, size_t len);

/*
 * Writes (x) at (off) within the data, at any alignment. Out of range:
 * sets err and writes nothing.
 */
static inline void bw_set_u8(struct bw *w, size_t off, uint8_t x);
static inline void bw_set_be16(struct bw *w, size_t off, uint16_t x);
static inline void bw_set_be32(struct bw *w, size_t off, uint32_t x);
static inline void bw_set_be64(struct bw *w, size_t off, uint64_t x);
static inline void bw_set_le16(struct bw *w, size_t off, uint16_t x);
static inline void bw_set_le32(struct bw *w, size_t off, uint32_t x);
static inline void bw_set_le64(struct bw *w, size_t off, uint64_t x);

/* Copies (n) bytes from (src) to (off) within the data; as above. */
void bw_write(struct bw *w, size_t off, const void *src, size_t n);

/*
 * ---- Inline definitions (the contract is above) ----
 *
 * Names ending in _ are internal. Ranges are checked as "off > len ||
 * n > len - off", which cannot wrap; integers are assembled byte by byte,
 * which needs no alignment and which compilers turn into one load or store
 * (and a byte swap where needed).
 */

/* Whether the (n) bytes at (off) fit in (v); sets v->err when not. */
static inline int bv_fits_(struct bv *v, size_t off, size_t n)
{
    if (off > v->len || n > v->len - off) {
        v->err = 1;
        return 0;
    }
    return 1;
}

/* Whether the (n) bytes at (off) fit in the data of (w); as bv_fits_(). */
static inline int bw_fits_(struct bw *w, size_t off, size_t n)
{
    if (off > w->len || n > w->len - off) {
        w->err = 1;
        return 0;
    }
    return 1;
}

static inline uint16_t bv_ld_be16_(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t bv_ld_be32_(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

static inline uint16_t bv_ld_le16_(const uint8_t *b)
{
    return (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t bv_ld_le32_(const uint8_t *b)
{
    return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 |
           b[0];
}

static inline void bw_st_be16_(uint8_t *b, uint16_t x)
{
    b[0] = (uint8_t)(x >> 8);
    b[1] = (uint8_t)x;
}

static inline void bw_st_be32_(uint8_t *b, uint32_t x)
{
    b[0] = (uint8_t)(x >> 24);
    b[1] = (uint8_t)(x >> 16);
    b[2] = (uint8_t)(x >> 8);
    b[3] = (uint8_t)x;
}

static inline void bw_st_be64_(uint8_t *b, uint64_t x)
{
    bw_st_be32_(b, (uint32_t)(x >> 32));
    bw_st_be32_(b + 4, (uint32_t)x);
}

static inline void bw_st_le16_(uint8_t *b, uint16_t x)
{
    b[0] = (uint8_t)x;
    b[1] = (uint8_t)(x >> 8);
}

static inline void bw_st_le32_(uint8_t *b, uint32_t x)
{
    b[0] = (uint8_t)x;
    b[1] = (uint8_t)(x >> 8);
    b[2] = (uint8_t)(x >> 16);
    b[3] = (uint8_t)(x >> 24);
}

static inline void bw_st_le64_(uint8_t *b, uint64_t x)
{
    bw_st_le32_(b, (uint32_t)x);
    bw_st_le32_(b + 4, (uint32_t)(x >> 32));
}

static inline uint8_t bv_u8(struct bv *v, size_t off)
{
    return bv_fits_(v, off, 1) ? v->p[off] : 0;
}

static inline uint16_t bv_be16(struct bv *v, size_t off)
{
    return bv_fits_(v, off, 2) ? bv_ld_be16_(v->p + off) : 0;
}

static inline uint32_t bv_be32(struct bv *v, size_t off)
{
    return bv_fits_(v, off, 4) ? bv_ld_be32_(v->p + off) : 0;
}

static inline uint64_t bv_be64(struct bv *v, size_t off)
{
    if (!bv_fits_(v, off, 8))
        return 0;
    return (uint64_t)bv_ld_be32_(v->p + off) << 32 |
           bv_ld_be32_(v->p + off + 4);
}

static inline uint16_t bv_le16(struct bv *v, size_t off)
{
    return bv_fits_(v, off, 2) ? bv_ld_le16_(v->p + off) : 0;
}

static inline uint32_t bv_le32(struct bv *v, size_t off)
{
    return bv_fits_(v, off, 4) ? bv_ld_le32_(v->p + off) : 0;
}

static inline uint64_t bv_le64(struct bv *v, size_t off)
{
    if (!bv_fits_(v, off, 8))
        return 0;
    return (uint64_t)bv_ld_le32_(v->p + off + 4) << 32 |
           bv_ld_le32_(v->p + off);
}

static inline void bw_set_u8(struct bw *w, size_t off, uint8_t x)
{
    if (bw_fits_(w, off, 1))
        w->base[w->off + off] = x;
}

static inline void bw_set_be16(struct bw *w, size_t off, uint16_t x)
{
    if (bw_fits_(w, off, 2))
        bw_st_be16_(w->base + w->off + off, x);
}

static inline void bw_set_be32(struct bw *w, size_t off, uint32_t x)
{
    if (bw_fits_(w, off, 4))
        bw_st_be32_(w->base + w->off + off, x);
}

static inline void bw_set_be64(struct bw *w, size_t off, uint64_t x)
{
    if (bw_fits_(w, off, 8))
        bw_st_be64_(w->base + w->off + off, x);
}

static inline void bw_set_le16(struct bw *w, size_t off, uint16_t x)
{
    if (bw_fits_(w, off, 2))
        bw_st_le16_(w->base + w->off + off, x);
}

static inline void bw_set_le32(struct bw *w, size_t off, uint32_t x)
{
    if (bw_fits_(w, off, 4))
        bw_st_le32_(w->base + w->off + off, x);
}

static inline void bw_set_le64(struct bw *w, size_t off, uint64_t x)
{
    if (bw_fits_(w, off, 8))
        bw_st_le64_(w->base + w->off + off, x);
}

#endif
