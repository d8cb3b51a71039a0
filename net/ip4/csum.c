/*
 * The Internet checksum (RFC 1071). See ip4.h.
 *
 * Ones' complement addition commutes with byte swapping (RFC 1071 section
 * 2(B)), so the loop adds native-endian 32-bit words into a 64-bit
 * accumulator, with no carry handling until the end, and swaps the folded
 * result once on a little-endian host.
 */
#include <string.h>

#include "ip4.h"

static uint64_t csum_words(const uint8_t *p, size_t n)
{
    uint64_t acc = 0;
    uint32_t w[8];
    uint16_t h;

    while (n >= sizeof w) {
        memcpy(w, p, sizeof w); /* any alignment; one load per word */
        acc += (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
        p += sizeof w;
        n -= sizeof w;
    }
    while (n >= 4) {
        memcpy(w, p, 4);
        acc += w[0];
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        memcpy(&h, p, 2);
        acc += h;
        p += 2;
        n -= 2;
    }
    if (n) {
        /* The odd byte is the high half of a big-endian word padded with
         * zero: in memory order that is {p[0], 0}. */
        uint8_t last[2] = {p[0], 0};
        memcpy(&h, last, 2);
        acc += h;
    }
    return acc;
}

static uint32_t csum_fold(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

uint32_t ip4_csum_add(uint32_t sum, struct bv *v)
{
    size_t n = bv_len(v);
    const uint8_t *p;
    uint32_t s;

    if (n == 0 || !bv_ok(v))
        return sum;
    p = bv_ptr(v, 0, n);
    s = csum_fold(csum_words(p, n));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = __builtin_bswap16((uint16_t)s);
#endif
    return csum_fold((uint64_t)sum + s);
}

uint32_t ip4_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
                         uint32_t len)
{
    uint64_t acc = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
                   proto + (len >> 16) + (len & 0xffff);
    return csum_fold(acc);
}

void ip4_csum_complete(struct bw *w, size_t start, size_t offset)
{
    struct bv v = bw_view(w), run = bv_from(&v, start);

    if (!bv_ok(&run) || offset > bv_len(&run) || bv_len(&run) - offset < 2) {
        bw_set_be16(w, SIZE_MAX, 0); /* out of bounds: the sticky error */
        return;
    }
    bw_set_be16(w, start + offset, ip4_csum_finish(ip4_csum_add(0, &run)));
}
