/* tcp_rtt: the RFC 6298 estimator. See tcp_rtt.h. */
#include "tcp_rtt.h"
#include "tcp_seq.h"

static uint64_t rtt_clamp(uint64_t rto)
{
    if (rto < TCP_RTO_MIN)
        return TCP_RTO_MIN;
    if (rto > TCP_RTO_MAX)
        return TCP_RTO_MAX;
    return rto;
}

void tcp_rtt_init(struct tcp_rtt *r)
{
    *r = (struct tcp_rtt){0};
    r->rto = TCP_RTO_INIT;
}

void tcp_rtt_sample(struct tcp_rtt *r, uint64_t rtt)
{
    uint64_t dev, var;

    if (rtt > TCP_RTO_MAX)
        rtt = TCP_RTO_MAX; /* keeps the arithmetic far from overflow */
    if (r->samples == 0) {
        /* RFC 6298 2.2 */
        r->srtt = rtt;
        r->rttvar = rtt / 2;
    } else {
        /* RFC 6298 2.3: RTTVAR first, from the SRTT before this sample. */
        dev = r->srtt > rtt ? r->srtt - rtt : rtt - r->srtt;
        r->rttvar = r->rttvar - (r->rttvar >> TCP_RTT_BETA_SHIFT) +
                    (dev >> TCP_RTT_BETA_SHIFT);
        r->srtt = r->srtt - (r->srtt >> TCP_RTT_ALPHA_SHIFT) +
                  (rtt >> TCP_RTT_ALPHA_SHIFT);
    }
    var = TCP_RTO_K * r->rttvar;
    r->rto = rtt_clamp(r->srtt + (var > TCP_RTO_G ? var : TCP_RTO_G));
    r->samples++;
    r->backoffs = 0;
}

void tcp_rtt_backoff(struct tcp_rtt *r)
{
    r->rto = r->rto > TCP_RTO_MAX / 2 ? TCP_RTO_MAX : 2 * r->rto;
    r->backoffs++;
    r->timing = 0;
}

void tcp_rtt_syn_lost(struct tcp_rtt *r)
{
    if (r->samples == 0 && r->rto < TCP_RTO_SYN_LOST)
        r->rto = TCP_RTO_SYN_LOST;
}

void tcp_rtt_start(struct tcp_rtt *r, uint32_t end, uint64_t now)
{
    if (r->timing)
        return;
    r->timing = 1;
    r->t_end = end;
    r->t_start = now;
}

void tcp_rtt_retransmit(struct tcp_rtt *r)
{
    r->timing = 0;
}

int tcp_rtt_ack(struct tcp_rtt *r, uint32_t ack, uint64_t now)
{
    if (!r->timing || tcp_seq_lt(ack, r->t_end))
        return 0;
    r->timing = 0;
    tcp_rtt_sample(r, now >= r->t_start ? now - r->t_start : 0);
    return 1;
}
