/*
 * tcp_cc: congestion control. Slow start with appropriate byte counting
 * (RFC 5681 3.1, RFC 3465 with L = 2 SMSS), an initial window of 10
 * segments (RFC 6928), and CUBIC in congestion avoidance (RFC 9438:
 * C = 0.4, beta = 0.7, fast convergence, the Reno-friendly region).
 * Loss recovery itself (fast retransmit, NewReno, SACK) lives in the
 * engine; it calls tcp_cc_loss() on entering recovery and
 * tcp_cc_timeout() on a retransmission timeout. Windows are in bytes,
 * times in ns. Integer arithmetic only. Private to net/tcp.
 */
#ifndef PITH_NET_TCP_CC_H
#define PITH_NET_TCP_CC_H

#include <stdint.h>

struct tcp_cc {
    uint32_t cwnd, ssthresh;
    uint32_t mss;
    /* CUBIC (RFC 9438 4): the window before the last reduction, the
     * start of the current epoch (0: none yet), K in ms, the Reno
     * estimate (W_est) and the remainder of its growth. */
    uint32_t w_max;
    uint32_t w_est;
    uint32_t est_rem;
    uint32_t k_ms;
    uint64_t epoch;
    uint32_t cwnd_epoch; /* cwnd when the epoch began */
};

/* Starts (cc) for segments of (mss) bytes: cwnd = IW10, ssthresh = max. */
void tcp_cc_init(struct tcp_cc *cc, uint32_t mss);

/* (acked) new bytes were acknowledged at (now), with smoothed RTT (srtt)
 * (0: unknown); grows cwnd. Not called during recovery. */
void tcp_cc_ack(struct tcp_cc *cc, uint32_t acked, uint64_t now, uint64_t srtt);

/* A loss was detected by duplicate ACKs or SACK (RFC 9438 4.6):
 * ssthresh and cwnd become beta * cwnd (at least 2 segments). */
void tcp_cc_loss(struct tcp_cc *cc, uint64_t now);

/* The retransmission timer expired (RFC 5681 3.1 eq. 4, RFC 9438 4.8):
 * ssthresh from the flight size, cwnd one segment. */
void tcp_cc_timeout(struct tcp_cc *cc, uint32_t flight);

/* The integer cube root of (x), rounded down. */
uint32_t tcp_cbrt(uint64_t x);

#endif
