/* tcp_ring: growable byte rings for connections. See tcp_ring.h. */
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>

#include "tcp_ring.h"

int tcp_ring_reserve(struct tcp_ring *r, uint32_t need, uint32_t keep,
                     uint64_t *mem, uint64_t limit)
{
    uint32_t cap = r->cap ? r->cap : TCP_RING_MIN / 2;
    uint8_t *nb;

    if (need <= r->cap)
        return PITH_OK;
    while (cap < need) {
        if (cap > UINT32_MAX / 2)
            return PITH_ENOMEM;
        cap *= 2;
    }
    if (*mem - r->cap + cap > limit)
        return PITH_ENOMEM;
    nb = malloc(cap);
    if (!nb)
        return PITH_ENOMEM;
    if (keep)
        tcp_ring_get(r, 0, nb, keep);
    free(r->buf);
    *mem = *mem - r->cap + cap;
    r->buf = nb;
    r->cap = cap;
    r->head = 0;
    return PITH_OK;
}

void tcp_ring_release(struct tcp_ring *r, uint64_t *mem)
{
    free(r->buf);
    *mem -= r->cap;
    r->buf = NULL;
    r->cap = 0;
    r->head = 0;
}

void tcp_ring_put(struct tcp_ring *r, uint32_t off, const void *src,
                  uint32_t len)
{
    uint32_t i = (r->head + off) & (r->cap - 1), first = r->cap - i;
    const uint8_t *s = src;

    if (!len)
        return;
    if (first > len)
        first = len;
    memcpy(r->buf + i, s, first);
    memcpy(r->buf, s + first, len - first);
}

void tcp_ring_get(const struct tcp_ring *r, uint32_t off, void *dst,
                  uint32_t len)
{
    uint32_t i = (r->head + off) & (r->cap - 1), first = r->cap - i;
    uint8_t *d = dst;

    if (!len)
        return;
    if (first > len)
        first = len;
    memcpy(d, r->buf + i, first);
    memcpy(d + first, r->buf, len - first);
}

uint32_t tcp_ring_run(const struct tcp_ring *r, uint32_t off, uint32_t len,
                      const uint8_t **p)
{
    uint32_t i, first;

    if (!r->cap || !len) {
        *p = NULL;
        return 0;
    }
    i = (r->head + off) & (r->cap - 1);
    first = r->cap - i;
    *p = r->buf + i;
    return first < len ? first : len;
}
