/*
 * tcp_cookie: SYN cookies, so that a listener whose SYN backlog is full
 * can answer a SYN without keeping state and still accept the handshake's
 * final ACK (the technique of RFC 4987 3.6). The state that matters is
 * folded into our initial sequence number (ISN), and comes back as the
 * ACK's acknowledgment number minus one:
 *
 *   bits 31..27  a time counter (now / TCP_COOKIE_PERIOD), modulo 32
 *   bits 26..24  an index into tcp_cookie_mss[]: the MSS the peer offered
 *   bits 23..0   SipHash-2-4 under a secret key of the 4-tuple, the peer's
 *                ISN, the full counter and the MSS index
 *
 * A forged ACK passes with probability 2^-24 per try. Options other than
 * MSS (window scale, SACK, timestamps) are not kept: a connection made
 * from a cookie runs without them. The key is the caller's, drawn from
 * the platform's entropy at start.
 *
 * Also SipHash-2-4 itself (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), which the connection table will want too.
 */
#ifndef PITH_NET_TCP_COOKIE_H
#define PITH_NET_TCP_COOKIE_H

#include <stddef.h>
#include <stdint.h>

/* The 128-bit key: k0 and k1 are its bytes 0-7 and 8-15, little-endian,
 * as in the SipHash paper. */
struct tcp_siphash_key {
    uint64_t k0, k1;
};

/* SipHash-2-4 of the (len) bytes at (msg) (NULL only when (len) is 0). */
uint64_t tcp_siphash(const struct tcp_siphash_key *k, const void *msg,
                     size_t len);

#define TCP_COOKIE_PERIOD  (64 * 1000000000ull) /* ns per counter step */
#define TCP_COOKIE_MAX_AGE 2 /* steps: a cookie lives 2 to 3 periods */
#define TCP_COOKIE_NMSS    8

/* The MSS values a cookie can carry, ascending. */
extern const uint16_t tcp_cookie_mss[TCP_COOKIE_NMSS];

/* A connection's addresses and ports, as seen by us. */
struct tcp_tuple {
    uint32_t laddr, raddr;
    uint16_t lport, rport;
};

/*
 * The ISN for our SYN-ACK to the SYN on (*t) whose sequence number is
 * (peer_isn), offering MSS (mss) (TCP_MSS_DEFAULT when the SYN had none),
 * at (now) ns, under key (*k). The MSS encoded is the largest of
 * tcp_cookie_mss[] not above (mss), or the smallest when all are.
 */
uint32_t tcp_cookie_make(const struct tcp_siphash_key *k,
                         const struct tcp_tuple *t, uint32_t peer_isn,
                         uint16_t mss, uint64_t now);

/*
 * Checks the ACK on (*t) with sequence number (seq) and acknowledgment
 * number (ack), at (now), against key (*k): whether ack - 1 is a cookie
 * we made for a SYN with ISN seq - 1 at most TCP_COOKIE_MAX_AGE counter
 * steps ago. Returns PITH_OK with the MSS to use in (*mss), or
 * PITH_EPROTO (then (*mss) is untouched).
 */
int tcp_cookie_check(const struct tcp_siphash_key *k, const struct tcp_tuple *t,
                     uint32_t seq, uint32_t ack, uint64_t now, uint16_t *mss);

#endif
