/*
 * Fuzz target for net/tcp's packet face. The input is a source and a
 * destination address (4 bytes each) and a TCP segment. A segment that
 * parses must have its header and payload inside the input; written back
 * (tcp_push) it must verify and parse to the same fields, options and
 * payload. libFuzzer hands over a buffer exactly as long as the input, so
 * ASan catches any read past the view. The same bytes then drive the
 * sequence arithmetic, the estimator and the SYN cookie check against
 * their invariants.
 */
#include <stdint.h>
#include <string.h>

#include <pith/err.h>

#include "tcp_cookie.h"
#include "tcp_rtt.h"
#include "tcp_seq.h"
#include "tcp_wire.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

static uint8_t out[TCP_HLEN_MAX + 70000];

static void round_trip(const uint8_t *seg, size_t n, uint32_t src, uint32_t dst)
{
    struct bv v = bv_make(seg, n), d, v2, d2;
    struct tcp_hdr h, g;
    struct bw w;
    int rc = tcp_parse(&v, &h, &d);

    (void)tcp_csum_ok(&v, src, dst);
    if (rc != PITH_OK) {
        CHECK(rc == PITH_ERANGE || rc == PITH_EPROTO);
        return;
    }
    CHECK(h.hlen >= TCP_HLEN && h.hlen <= TCP_HLEN_MAX && h.hlen <= n);
    CHECK(bv_len(&d) == n - h.hlen);
    CHECK(bv_len(&d) == 0 || (d.p >= seg && d.p + bv_len(&d) <= seg + n));
    CHECK(h.opt.wscale <= TCP_WSCALE_MAX);
    CHECK(!(h.opt.has & TCP_HAS_SACK) ||
          (h.opt.nsack >= 1 && h.opt.nsack <= TCP_SACK_MAX));

    w = bw_make(out, sizeof out, TCP_HLEN_MAX);
    bw_append(&w, bv_len(&d) ? bv_ptr(&d, 0, bv_len(&d)) : NULL, bv_len(&d));
    CHECK(bw_ok(&w));
    rc = tcp_push(&w, &h, src, dst);
    if (tcp_opts_len(&h.opt) > TCP_OPT_MAX) {
        /* Options packed tighter than pith writes them. */
        CHECK(rc == PITH_ERANGE && bw_ok(&w));
        return;
    }
    CHECK(rc == PITH_OK);
    v2 = bw_view(&w);
    CHECK(tcp_csum_ok(&v2, src, dst));
    CHECK(tcp_parse(&v2, &g, &d2) == PITH_OK);
    CHECK(g.sport == h.sport && g.dport == h.dport && g.seq == h.seq &&
          g.ack == h.ack && g.flags == h.flags && g.win == h.win &&
          g.urg == h.urg);
    CHECK(g.hlen == TCP_HLEN + tcp_opts_len(&h.opt));
    CHECK(tcp_opts_equal(&g.opt, &h.opt));
    CHECK(bv_len(&d2) == bv_len(&d));
    CHECK(bv_len(&d) == 0 ||
          memcmp(bv_ptr(&d2, 0, bv_len(&d2)), bv_ptr(&d, 0, bv_len(&d)),
                 bv_len(&d)) == 0);
}

/* The other foundations, from the header's fields. */
static void others(const struct tcp_hdr *h, uint32_t src, uint32_t dst)
{
    const uint32_t a = h->seq, b = h->ack, wnd = h->win << 14 >> 1;
    static const struct tcp_siphash_key k = {1, 2};
    const struct tcp_tuple t = {dst, src, h->dport, h->sport};
    struct tcp_rtt r;
    uint16_t mss;
    uint32_t isn;

    CHECK(tcp_seq_lt(a, b) == !tcp_seq_geq(a, b));
    CHECK(tcp_seq_gt(a, b) == !tcp_seq_leq(a, b));
    CHECK(a == b || tcp_seq_lt(a, b) != tcp_seq_lt(b, a) || a - b == 1u << 31);
    /* Acceptable means: overlapping [b, b + wnd), or the empty-window
     * exact match. */
    if (tcp_seq_acceptable(b, wnd, a, h->urg)) {
        if (wnd == 0)
            CHECK(h->urg == 0 && a == b);
        else
            CHECK(tcp_seq_in(a, b, wnd) || tcp_seq_in(b, a, h->urg));
    }
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, (uint64_t)a * b);
    tcp_rtt_sample(&r, (uint64_t)h->win << 20);
    CHECK(r.rto >= TCP_RTO_MIN && r.rto <= TCP_RTO_MAX);
    tcp_rtt_backoff(&r);
    CHECK(r.rto >= TCP_RTO_MIN && r.rto <= TCP_RTO_MAX);
    /* A cookie made now checks now; the segment's own numbers almost
     * never do. */
    isn = tcp_cookie_make(&k, &t, a, h->opt.mss, (uint64_t)b << 20);
    CHECK(tcp_cookie_check(&k, &t, a + 1, isn + 1, (uint64_t)b << 20, &mss) ==
          PITH_OK);
    (void)tcp_cookie_check(&k, &t, a, b, (uint64_t)h->win << 30, &mss);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bv in = bv_make(data, size), seg;
    uint32_t src = bv_be32(&in, 0), dst = bv_be32(&in, 4);
    struct tcp_hdr h;
    struct bv d;

    seg = bv_from(&in, 8);
    if (!bv_ok(&in))
        return 0;
    round_trip(bv_len(&seg) ? bv_ptr(&seg, 0, bv_len(&seg)) : NULL,
               bv_len(&seg), src, dst);
    if (tcp_parse(&seg, &h, &d) != PITH_ERANGE)
        others(&h, src, dst);
    return 0;
}
