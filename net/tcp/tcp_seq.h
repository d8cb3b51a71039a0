/*
 * tcp_seq: sequence number arithmetic (RFC 9293 3.4) and the segment
 * acceptability test (RFC 9293 3.10.7.4), for the connection engine.
 *
 * Sequence numbers live modulo 2^32. (a) is before (b) when b - a, taken
 * modulo 2^32, is in [1, 2^31): the comparisons mean something only for
 * numbers less than 2^31 apart, which windows (at most 2^30, RFC 7323 2.3)
 * guarantee. Numbers exactly 2^31 apart compare as "before" (and
 * "after") both ways: callers never hold such pairs. Whatever the
 * operands, leq is exactly !gt and geq exactly !lt.
 */
#ifndef PITH_NET_TCP_SEQ_H
#define PITH_NET_TCP_SEQ_H

#include <stdint.h>

/* a < b, a <= b, a > b, a >= b in sequence space. */
static inline int tcp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline int tcp_seq_leq(uint32_t a, uint32_t b)
{
    return !tcp_seq_lt(b, a);
}

static inline int tcp_seq_gt(uint32_t a, uint32_t b)
{
    return tcp_seq_lt(b, a);
}

static inline int tcp_seq_geq(uint32_t a, uint32_t b)
{
    return !tcp_seq_lt(a, b);
}

/* The later (max) and the earlier (min) of (a) and (b). */
static inline uint32_t tcp_seq_max(uint32_t a, uint32_t b)
{
    return tcp_seq_lt(a, b) ? b : a;
}

static inline uint32_t tcp_seq_min(uint32_t a, uint32_t b)
{
    return tcp_seq_lt(a, b) ? a : b;
}

/*
 * Whether lo <= x < lo + len in sequence space: (x) in the (len) numbers
 * from (lo). Exact for any (len) up to 2^32 - 1 (no sign is involved), and
 * false for (len) 0.
 */
static inline int tcp_seq_in(uint32_t x, uint32_t lo, uint32_t len)
{
    return x - lo < len;
}

/*
 * The segment acceptability test of RFC 9293 3.10.7.4, for a segment
 * starting at (seq) and taking (len) numbers (SEG.LEN: data plus SYN and
 * FIN, see tcp_seg_len()) against a receive window of (wnd) numbers from
 * (nxt) (RCV.NXT, RCV.WND, wnd below 2^31):
 *
 *   len  wnd  acceptable when
 *   0    0    seq = nxt
 *   0    >0   nxt <= seq < nxt + wnd
 *   >0   0    never
 *   >0   >0   nxt <= seq < nxt + wnd, or nxt <= seq + len - 1 < nxt + wnd
 *
 * with one addition: when len > 0 and wnd > 0, a segment that starts
 * before the window and ends after it (it covers the whole window) is
 * acceptable too. The RFC's two tests both miss it, yet it carries the
 * very bytes awaited (a large retransmission after the window shrank);
 * Linux accepts it as well (tcp_sequence()). The rule is then: the
 * segment overlaps the window. (len) MUST be below 2^31.
 *
 * An unacceptable segment is answered with an ACK (unless it carries RST)
 * and dropped; an acceptable one may still need trimming to the window.
 */
static inline int tcp_seq_acceptable(uint32_t nxt, uint32_t wnd, uint32_t seq,
                                     uint32_t len)
{
    if (wnd == 0)
        return len == 0 && seq == nxt;
    if (len == 0)
        return tcp_seq_in(seq, nxt, wnd);
    return tcp_seq_in(seq, nxt, wnd) || tcp_seq_in(seq + len - 1, nxt, wnd) ||
           tcp_seq_in(nxt, seq, len);
}

#endif
