/*
 * tcp_rtt: the retransmission timer's estimator (RFC 6298): smoothed
 * round-trip time (SRTT), its variation (RTTVAR), the timeout (RTO), the
 * doubling on expiry, and Karn's rule (RFC 6298 3) for timing one segment
 * at a time. Times are nanoseconds, as the platform's clock. Caller-owned
 * state, no clock of its own: the engine passes (now).
 */
#ifndef PITH_NET_TCP_RTT_H
#define PITH_NET_TCP_RTT_H

#include <stdint.h>

#define TCP_MS 1000000ull /* nanoseconds */

/* RFC 6298 2.1: the RTO before any sample. */
#define TCP_RTO_INIT (1000 * TCP_MS)

/*
 * The floor of the RTO. RFC 6298 2.4 says the RTO SHOULD be rounded up to
 * 1 s; pith, like Linux (TCP_RTO_MIN), uses 200 ms: a 1 s floor costs a
 * second per lost segment on paths whose RTT is well under a millisecond,
 * and the spurious timeouts the RFC guards against are caught by the
 * SRTT + 4 RTTVAR term on any path with RTT jitter.
 */
#define TCP_RTO_MIN (200 * TCP_MS)

/* RFC 6298 2.5: a ceiling is allowed, provided it is at least 60 s. */
#define TCP_RTO_MAX (60000 * TCP_MS)

/*
 * RFC 6298 5.7: after the SYN's timer expired, the RTO is set back to at
 * least 3 s when data transmission begins.
 */
#define TCP_RTO_SYN_LOST (3000 * TCP_MS)

/* RFC 6298 2: the clock granularity G. pith's clock is in ns, its timers
 * fire within a millisecond of their deadline. */
#define TCP_RTO_G (1 * TCP_MS)

/* RFC 6298 2: K, and the gains alpha = 1/8 and beta = 1/4 as shifts. */
#define TCP_RTO_K           4
#define TCP_RTT_ALPHA_SHIFT 3
#define TCP_RTT_BETA_SHIFT  2

struct tcp_rtt {
    uint64_t srtt, rttvar; /* valid once (samples) > 0 */
    uint64_t rto;          /* the current timeout, backoff included */
    uint32_t samples;      /* measurements taken */
    uint32_t backoffs;     /* expiries since the last measurement */
    /* Karn's rule: the one segment being timed. */
    uint8_t timing;   /* whether a segment is being timed */
    uint32_t t_end;   /* the sequence number its ACK must reach */
    uint64_t t_start; /* when it was sent */
};

/* Sets (*r) to its state before any measurement: RTO 1 s. */
void tcp_rtt_init(struct tcp_rtt *r);

/*
 * Takes the round-trip measurement (rtt) (RFC 6298 2.2 for the first, 2.3
 * after) and recomputes the RTO: SRTT + max(G, K * RTTVAR), clamped to
 * [TCP_RTO_MIN, TCP_RTO_MAX]. Clears the backoff (Karn: a valid sample
 * ends it). For measurements Karn's rule allows: those of tcp_rtt_ack(),
 * or from timestamps (RFC 7323 4), which are unambiguous even for
 * retransmitted segments. A measurement above TCP_RTO_MAX counts as
 * TCP_RTO_MAX.
 */
void tcp_rtt_sample(struct tcp_rtt *r, uint64_t rtt);

/*
 * The retransmission timer expired (RFC 6298 5.5): doubles the RTO, up to
 * TCP_RTO_MAX, and counts the backoff. Also abandons the timing of a
 * segment (it is about to be retransmitted: Karn's rule). The backed-off
 * RTO is kept until a new measurement (RFC 6298 5.7 note, Karn).
 */
void tcp_rtt_backoff(struct tcp_rtt *r);

/*
 * RFC 6298 5.7: called when data transmission begins on a connection whose
 * SYN (or SYN-ACK) timed out: the RTO becomes at least 3 s, unless a
 * measurement was ever taken (a timestamp echo; Linux does the same).
 */
void tcp_rtt_syn_lost(struct tcp_rtt *r);

/*
 * Karn's rule, part one: starts timing the segment ending at (end) (its
 * SEG.SEQ + SEG.LEN) sent at (now), unless one is being timed already.
 * Call it only for a segment sent for the first time.
 */
void tcp_rtt_start(struct tcp_rtt *r, uint32_t end, uint64_t now);

/*
 * Karn's rule, part two: a segment was retransmitted, so no ACK can be
 * attributed to one transmission; abandons the timing.
 */
void tcp_rtt_retransmit(struct tcp_rtt *r);

/*
 * The cumulative acknowledgment (ack) arrived at (now): when it covers the
 * timed segment, takes now - t_start as a sample (tcp_rtt_sample()), stops
 * timing and returns 1; else returns 0.
 */
int tcp_rtt_ack(struct tcp_rtt *r, uint32_t ack, uint64_t now);

#endif
