/* tcp: parsing and writing segments and their options. See tcp_wire.h. */
#include <pith/err.h>

#include "../ip4/ip4.h"
#include "tcp_wire.h"

/*
 * One option at the front of (c), a cursor over the option bytes. Every
 * length is checked before the value is read, so that a bad length stops
 * the loop instead of reading past the header (the lwIP overread); the
 * value is read through its own sub-view all the same.
 */
static int tcp_opt_one(struct bv *c, struct tcp_opts *o, size_t *step)
{
    uint8_t kind = bv_u8(c, 0), len;
    struct bv val;
    unsigned i;

    if (kind == TCP_OPT_NOP) {
        *step = 1;
        return PITH_OK;
    }
    if (bv_len(c) < 2)
        return PITH_EPROTO; /* no room for the length byte */
    len = bv_u8(c, 1);
    if (len < 2 || len > bv_len(c))
        return PITH_EPROTO;
    val = bv_sub(c, 2, (size_t)len - 2);
    switch (kind) {
    case TCP_OPT_MSS:
        if (len != TCP_OLEN_MSS)
            return PITH_EPROTO;
        o->mss = bv_be16(&val, 0);
        o->has |= TCP_HAS_MSS;
        break;
    case TCP_OPT_WSCALE:
        if (len != TCP_OLEN_WSCALE)
            return PITH_EPROTO;
        o->wscale = bv_u8(&val, 0);
        if (o->wscale > TCP_WSCALE_MAX)
            o->wscale = TCP_WSCALE_MAX; /* RFC 7323 2.3 */
        o->has |= TCP_HAS_WSCALE;
        break;
    case TCP_OPT_SACK_PERM:
        if (len != TCP_OLEN_SACK_PERM)
            return PITH_EPROTO;
        o->has |= TCP_HAS_SACK_PERM;
        break;
    case TCP_OPT_TS:
        if (len != TCP_OLEN_TS)
            return PITH_EPROTO;
        o->ts_val = bv_be32(&val, 0);
        o->ts_ecr = bv_be32(&val, 4);
        o->has |= TCP_HAS_TS;
        break;
    case TCP_OPT_SACK:
        if ((len - 2) % 8 != 0 || len < 10 || (len - 2) / 8 > TCP_SACK_MAX)
            return PITH_EPROTO;
        o->nsack = (uint8_t)((len - 2) / 8);
        for (i = 0; i < o->nsack; i++) {
            o->sack[i].left = bv_be32(&val, 8 * i);
            o->sack[i].right = bv_be32(&val, 8 * i + 4);
        }
        o->has |= TCP_HAS_SACK;
        break;
    default:
        break; /* unknown: skipped by its length */
    }
    *step = len;
    return bv_ok(&val) ? PITH_OK : PITH_EPROTO;
}

int tcp_parse_opts(struct bv *v, struct tcp_opts *o)
{
    struct bv c = *v;
    size_t step;
    int rc;

    *o = (struct tcp_opts){0};
    while (bv_ok(&c) && bv_len(&c) > 0 && bv_u8(&c, 0) != TCP_OPT_EOL) {
        rc = tcp_opt_one(&c, o, &step);
        if (rc < 0)
            return rc;
        bv_shift(&c, step);
    }
    return bv_ok(&c) ? PITH_OK : PITH_EPROTO;
}

int tcp_parse(struct bv *v, struct tcp_hdr *h, struct bv *data)
{
    struct bv opts;

    *data = bv_make(NULL, 0);
    h->sport = bv_be16(v, TCP_OFF_SPORT);
    h->dport = bv_be16(v, TCP_OFF_DPORT);
    h->seq = bv_be32(v, TCP_OFF_SEQ);
    h->ack = bv_be32(v, TCP_OFF_ACK);
    h->hlen = (uint8_t)((bv_u8(v, TCP_OFF_DOFF) >> 4) * 4);
    h->flags = bv_u8(v, TCP_OFF_FLAGS);
    h->win = bv_be16(v, TCP_OFF_WIN);
    h->csum = bv_be16(v, TCP_OFF_CSUM);
    h->urg = bv_be16(v, TCP_OFF_URG);
    h->opt = (struct tcp_opts){0};
    if (!bv_ok(v))
        return PITH_ERANGE;
    if (h->hlen < TCP_HLEN)
        return PITH_EPROTO;
    if (h->hlen > bv_len(v))
        return PITH_ERANGE;
    *data = bv_from(v, h->hlen);
    opts = bv_sub(v, TCP_HLEN, (size_t)h->hlen - TCP_HLEN);
    return tcp_parse_opts(&opts, &h->opt);
}

int tcp_csum_ok(struct bv *v, uint32_t src, uint32_t dst)
{
    uint32_t sum;

    if (!bv_ok(v))
        return 0;
    sum = ip4_csum_pseudo(src, dst, IP4_PROTO_TCP, (uint32_t)bv_len(v));
    return ip4_csum_finish(ip4_csum_add(sum, v)) == 0;
}

unsigned tcp_opts_len(const struct tcp_opts *o)
{
    unsigned n = 0;

    if (o->has & TCP_HAS_MSS)
        n += 4;
    if (o->has & TCP_HAS_TS)
        n += 12; /* SACK-permitted, if any, takes the place of two NOPs */
    else if (o->has & TCP_HAS_SACK_PERM)
        n += 4;
    if (o->has & TCP_HAS_WSCALE)
        n += 4;
    if (o->has & TCP_HAS_SACK)
        n += 4 + 8u * o->nsack;
    return n;
}

/* Writes the (n) bytes of (b) at (*off) in the data of (w) and steps. */
static void tcp_put(struct bw *w, size_t *off, const uint8_t *b, size_t n)
{
    bw_write(w, *off, b, n);
    *off += n;
}

static void tcp_put32(struct bw *w, size_t *off, uint32_t x)
{
    bw_set_be32(w, *off, x);
    *off += 4;
}

static void tcp_push_opts(struct bw *w, const struct tcp_opts *o)
{
    size_t off = TCP_HLEN;
    unsigned i;

    if (o->has & TCP_HAS_MSS) {
        const uint8_t b[4] = {TCP_OPT_MSS, TCP_OLEN_MSS, (uint8_t)(o->mss >> 8),
                              (uint8_t)o->mss};
        tcp_put(w, &off, b, 4);
    }
    if (o->has & TCP_HAS_TS) {
        const uint8_t sp[2] = {TCP_OPT_SACK_PERM, TCP_OLEN_SACK_PERM};
        const uint8_t nop[2] = {TCP_OPT_NOP, TCP_OPT_NOP};
        const uint8_t ts[2] = {TCP_OPT_TS, TCP_OLEN_TS};
        tcp_put(w, &off, o->has & TCP_HAS_SACK_PERM ? sp : nop, 2);
        tcp_put(w, &off, ts, 2);
        tcp_put32(w, &off, o->ts_val);
        tcp_put32(w, &off, o->ts_ecr);
    } else if (o->has & TCP_HAS_SACK_PERM) {
        const uint8_t b[4] = {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK_PERM,
                              TCP_OLEN_SACK_PERM};
        tcp_put(w, &off, b, 4);
    }
    if (o->has & TCP_HAS_WSCALE) {
        const uint8_t b[4] = {TCP_OPT_NOP, TCP_OPT_WSCALE, TCP_OLEN_WSCALE,
                              o->wscale};
        tcp_put(w, &off, b, 4);
    }
    if (o->has & TCP_HAS_SACK) {
        const uint8_t b[4] = {TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK,
                              (uint8_t)(2 + 8 * o->nsack)};
        tcp_put(w, &off, b, 4);
        for (i = 0; i < o->nsack; i++) {
            tcp_put32(w, &off, o->sack[i].left);
            tcp_put32(w, &off, o->sack[i].right);
        }
    }
}

int tcp_push(struct bw *w, const struct tcp_hdr *h, uint32_t src, uint32_t dst)
{
    return tcp_push_csum(w, h, src, dst, 0, 0);
}

int tcp_push_csum(struct bw *w, const struct tcp_hdr *h, uint32_t src,
                  uint32_t dst, int partial, uint32_t tail)
{
    const struct tcp_opts *o = &h->opt;
    unsigned olen, hlen;
    uint32_t sum;
    struct bv v;

    if ((o->has & TCP_HAS_SACK) && (o->nsack < 1 || o->nsack > TCP_SACK_MAX))
        return PITH_ERANGE;
    olen = tcp_opts_len(o);
    if (olen > TCP_OPT_MAX)
        return PITH_ERANGE;
    hlen = TCP_HLEN + olen;
    if (!bw_ok(w))
        return PITH_ENOMEM;
    if ((tail && !partial) || w->len > 65535 - hlen ||
        tail > 65535 - hlen - w->len)
        return PITH_ERANGE;
    if (!bw_push(w, hlen))
        return PITH_ENOMEM;
    bw_set_be16(w, TCP_OFF_SPORT, h->sport);
    bw_set_be16(w, TCP_OFF_DPORT, h->dport);
    bw_set_be32(w, TCP_OFF_SEQ, h->seq);
    bw_set_be32(w, TCP_OFF_ACK, h->ack);
    bw_set_u8(w, TCP_OFF_DOFF, (uint8_t)(hlen / 4 << 4));
    bw_set_u8(w, TCP_OFF_FLAGS, h->flags);
    bw_set_be16(w, TCP_OFF_WIN, h->win);
    bw_set_be16(w, TCP_OFF_CSUM, 0);
    bw_set_be16(w, TCP_OFF_URG, h->urg);
    tcp_push_opts(w, o);
    v = bw_view(w);
    sum = ip4_csum_pseudo(src, dst, IP4_PROTO_TCP, (uint32_t)w->len + tail);
    bw_set_be16(w, TCP_OFF_CSUM,
                partial ? (uint16_t)sum
                        : ip4_csum_finish(ip4_csum_add(sum, &v)));
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

int tcp_opts_equal(const struct tcp_opts *a, const struct tcp_opts *b)
{
    unsigned i;

    if (a->has != b->has)
        return 0;
    if ((a->has & TCP_HAS_MSS) && a->mss != b->mss)
        return 0;
    if ((a->has & TCP_HAS_WSCALE) && a->wscale != b->wscale)
        return 0;
    if ((a->has & TCP_HAS_TS) &&
        (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr))
        return 0;
    if (a->has & TCP_HAS_SACK) {
        if (a->nsack != b->nsack)
            return 0;
        for (i = 0; i < a->nsack; i++)
            if (a->sack[i].left != b->sack[i].left ||
                a->sack[i].right != b->sack[i].right)
                return 0;
    }
    return 1;
}
