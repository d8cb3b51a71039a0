/*
 * tcp_ring: a connection's byte buffer, send or receive. Logical offsets
 * count from the oldest byte held (the first unacknowledged byte, or the
 * first unread one); the storage is a power-of-two ring that grows by
 * doubling, on demand, up to the connection's limit, and is freed when
 * the connection no longer needs it. Which offsets hold data is the
 * engine's business: the ring only stores bytes. Private to net/tcp.
 */
#ifndef PITH_NET_TCP_RING_H
#define PITH_NET_TCP_RING_H

#include <stddef.h>
#include <stdint.h>

#define TCP_RING_MIN 4096

struct tcp_ring {
    uint8_t *buf;  /* NULL while empty and released */
    uint32_t cap;  /* 0, or a power of two at least TCP_RING_MIN */
    uint32_t head; /* index of logical offset 0 */
};

/*
 * Makes (r) hold at least (need) bytes, keeping logical offsets
 * [0, (keep)): allocates or doubles its storage. (*mem) counts the bytes
 * all rings hold; the growth is refused when it would pass (limit).
 * Returns PITH_OK or PITH_ENOMEM (then (r) is unchanged).
 */
int tcp_ring_reserve(struct tcp_ring *r, uint32_t need, uint32_t keep,
                     uint64_t *mem, uint64_t limit);

/* Frees the storage of (r), which becomes empty. */
void tcp_ring_release(struct tcp_ring *r, uint64_t *mem);

/* Copies (len) bytes from (src) to logical offset (off); the bytes MUST
 * fit in the capacity. */
void tcp_ring_put(struct tcp_ring *r, uint32_t off, const void *src,
                  uint32_t len);

/* Copies (len) bytes from logical offset (off) into (dst). */
void tcp_ring_get(const struct tcp_ring *r, uint32_t off, void *dst,
                  uint32_t len);

/* Drops the first (n) logical bytes: offset (n) becomes 0. */
static inline void tcp_ring_advance(struct tcp_ring *r, uint32_t n)
{
    if (r->cap)
        r->head = (r->head + n) & (r->cap - 1);
}

/* The contiguous run at logical offset (off), at most (len) bytes: sets
 * (*p) and returns its length. */
uint32_t tcp_ring_run(const struct tcp_ring *r, uint32_t off, uint32_t len,
                      const uint8_t **p);

#endif
