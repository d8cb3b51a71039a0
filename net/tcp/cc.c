/* tcp_cc: slow start and CUBIC (RFC 9438). See tcp_cc.h. */
#include "tcp_cc.h"

/* RFC 9438 4.5, 4.6: C = 0.4 and beta = 0.7, as fractions of 10. */
#define CUBIC_C10    4
#define CUBIC_BETA10 7
/* RFC 9438 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) = 0.529... */
#define CUBIC_ALPHA1000 529

uint32_t tcp_cbrt(uint64_t x)
{
    uint64_t r = 0;
    int s;

    /* Digit by digit, three bits at a time. */
    for (s = 63; s >= 0; s -= 3) {
        uint64_t b;
        r <<= 1;
        b = 3 * r * (r + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            r++;
        }
    }
    return (uint32_t)r;
}

void tcp_cc_init(struct tcp_cc *cc, uint32_t mss)
{
    *cc = (struct tcp_cc){0};
    cc->mss = mss;
    cc->cwnd = 10 * mss; /* RFC 6928 */
    cc->ssthresh = UINT32_MAX;
}

static uint32_t cc_add(uint32_t a, uint64_t b)
{
    uint64_t s = (uint64_t)a + b;
    return s > (1u << 30) ? (1u << 30) : (uint32_t)s;
}

/* W_cubic(t) of RFC 9438 eq. 1 in bytes, (t_ms) into the epoch. */
static uint32_t cubic_w(const struct tcp_cc *cc, uint64_t t_ms)
{
    uint64_t d, off;
    int neg = t_ms < cc->k_ms;

    d = neg ? cc->k_ms - t_ms : t_ms - cc->k_ms;
    if (d > 1000000) /* beyond 1000 s the curve is off any scale */
        d = 1000000;
    /* C (d / 1000)^3 segments = 4 d^3 / 10^10 segments. */
    off = d * d * d / 1000000 * CUBIC_C10 * cc->mss / 10000;
    if (neg)
        return off >= cc->w_max ? cc->mss : (uint32_t)(cc->w_max - off);
    return cc_add(cc->w_max, off);
}

void tcp_cc_ack(struct tcp_cc *cc, uint32_t acked, uint64_t now, uint64_t srtt)
{
    uint32_t target, w_est_seg;
    uint64_t t_ms, grow;

    if (cc->cwnd < cc->ssthresh) {
        /* RFC 3465: at most 2 SMSS per ACK. */
        cc->cwnd = cc_add(cc->cwnd, acked < 2 * cc->mss ? acked : 2 * cc->mss);
        return;
    }
    if (!cc->epoch) {
        /* RFC 9438 4.2: a new epoch; after slow start without a loss,
         * the curve starts at the current window. */
        cc->epoch = now ? now : 1;
        cc->cwnd_epoch = cc->cwnd;
        if (cc->w_max < cc->cwnd) {
            cc->w_max = cc->cwnd;
            cc->k_ms = 0;
        } else {
            /* K = cbrt((W_max - cwnd) / C) seconds (eq. 2). */
            uint64_t segs = (cc->w_max - cc->cwnd) / cc->mss;
            cc->k_ms = tcp_cbrt(segs * 1000000000ull * 10 / CUBIC_C10);
        }
        cc->w_est = cc->cwnd;
        cc->est_rem = 0;
    }
    t_ms = (now - cc->epoch + srtt) / 1000000; /* W_cubic(t + RTT) */
    target = cubic_w(cc, t_ms);
    if (target > cc->cwnd + cc->cwnd / 2)
        target = cc->cwnd + cc->cwnd / 2; /* RFC 9438 4.4: at most 1.5x */
    /* The Reno-friendly estimate (eq. 4): alpha segments per window. */
    grow = (uint64_t)cc->est_rem + (uint64_t)acked * CUBIC_ALPHA1000 * cc->mss;
    {
        uint64_t per = (uint64_t)cc->w_est * 1000;
        cc->w_est = cc_add(cc->w_est, grow / per);
        cc->est_rem = (uint32_t)(grow % per);
    }
    w_est_seg = cc->w_est;
    if (target < w_est_seg)
        target = w_est_seg;
    if (target > cc->cwnd)
        cc->cwnd = cc_add(
            cc->cwnd,
            ((uint64_t)(target - cc->cwnd) * acked + cc->cwnd - 1) / cc->cwnd);
}

void tcp_cc_loss(struct tcp_cc *cc, uint64_t now)
{
    uint32_t w = cc->cwnd, nw;

    (void)now;
    /* Fast convergence (RFC 9438 4.7). */
    if (cc->w_max && w < cc->w_max)
        cc->w_max = (uint32_t)((uint64_t)w * (10 + CUBIC_BETA10) / 20);
    else
        cc->w_max = w;
    nw = (uint32_t)((uint64_t)w * CUBIC_BETA10 / 10);
    if (nw < 2 * cc->mss)
        nw = 2 * cc->mss;
    cc->ssthresh = nw;
    cc->cwnd = nw;
    cc->epoch = 0;
}

void tcp_cc_timeout(struct tcp_cc *cc, uint32_t flight)
{
    uint32_t s = (uint32_t)((uint64_t)flight * CUBIC_BETA10 / 10);

    if (cc->w_max && cc->cwnd < cc->w_max)
        cc->w_max = (uint32_t)((uint64_t)cc->cwnd * (10 + CUBIC_BETA10) / 20);
    else
        cc->w_max = cc->cwnd;
    cc->ssthresh = s > 2 * cc->mss ? s : 2 * cc->mss;
    cc->cwnd = cc->mss;
    cc->epoch = 0;
}
