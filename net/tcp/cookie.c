/* tcp_cookie: SipHash-2-4 and SYN cookies. See tcp_cookie.h. */
#include <pith/bv.h>
#include <pith/err.h>

#include "tcp_cookie.h"

/* ---- SipHash-2-4, from the paper's description (section 2) ---- */

static uint64_t rotl(uint64_t x, unsigned b)
{
    return x << b | x >> (64 - b);
}

struct sip {
    uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void sip_block(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s); /* c = 2 compression rounds */
    sip_round(s);
    s->v0 ^= m;
}

uint64_t tcp_siphash(const struct tcp_siphash_key *k, const void *msg,
                     size_t len)
{
    struct sip s = {
        k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
        k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull};
    struct bv v = bv_make(msg, len);
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    size_t i, tail = len & ~(size_t)7;

    for (i = 0; i < tail; i += 8)
        sip_block(&s, bv_le64(&v, i));
    for (i = tail; i < len; i++)
        last |= (uint64_t)bv_u8(&v, i) << 8 * (i - tail);
    sip_block(&s, last);
    s.v2 ^= 0xff;
    for (i = 0; i < 4; i++) /* d = 4 finalization rounds */
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* ---- SYN cookies ---- */

const uint16_t tcp_cookie_mss[TCP_COOKIE_NMSS] = {216,  536,  1200, 1360,
                                                  1400, 1440, 1460, 8960};

#define COOKIE_T_SHIFT   27
#define COOKIE_MSS_SHIFT 24
#define COOKIE_HASH_MASK 0xffffffu

static uint32_t cookie_hash(const struct tcp_siphash_key *k,
                            const struct tcp_tuple *t, uint32_t peer_isn,
                            uint32_t count, unsigned idx)
{
    uint8_t m[21];
    struct bw w = bw_make(m, sizeof m, 0);

    bw_put(&w, sizeof m);
    bw_set_be32(&w, 0, t->laddr);
    bw_set_be32(&w, 4, t->raddr);
    bw_set_be16(&w, 8, t->lport);
    bw_set_be16(&w, 10, t->rport);
    bw_set_be32(&w, 12, peer_isn);
    bw_set_be32(&w, 16, count);
    bw_set_u8(&w, 20, (uint8_t)idx);
    return (uint32_t)tcp_siphash(k, m, sizeof m) & COOKIE_HASH_MASK;
}

uint32_t tcp_cookie_make(const struct tcp_siphash_key *k,
                         const struct tcp_tuple *t, uint32_t peer_isn,
                         uint16_t mss, uint64_t now)
{
    uint32_t count = (uint32_t)(now / TCP_COOKIE_PERIOD);
    unsigned idx = TCP_COOKIE_NMSS - 1;

    while (idx > 0 && tcp_cookie_mss[idx] > mss)
        idx--;
    return (count & 31) << COOKIE_T_SHIFT | idx << COOKIE_MSS_SHIFT |
           cookie_hash(k, t, peer_isn, count, idx);
}

int tcp_cookie_check(const struct tcp_siphash_key *k, const struct tcp_tuple *t,
                     uint32_t seq, uint32_t ack, uint64_t now, uint16_t *mss)
{
    uint32_t cookie = ack - 1, count = (uint32_t)(now / TCP_COOKIE_PERIOD);
    uint32_t age = (count - (cookie >> COOKIE_T_SHIFT)) & 31;
    unsigned idx = cookie >> COOKIE_MSS_SHIFT & 7;

    if (age > TCP_COOKIE_MAX_AGE)
        return PITH_EPROTO;
    if (cookie_hash(k, t, seq - 1, count - age, idx) !=
        (cookie & COOKIE_HASH_MASK))
        return PITH_EPROTO;
    *mss = tcp_cookie_mss[idx];
    return PITH_OK;
}
