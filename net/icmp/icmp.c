/* icmp: echo, unreachable, and counting the rest. See icmp.h. */
#include <pith/err.h>
#include <pith/ev.h>

#include "icmp.h"

int icmp_parse(struct bv *v, struct icmp_hdr *h, struct bv *body)
{
    struct bv b = bv_from(v, ICMP_HLEN);

    h->type = bv_u8(v, ICMP_OFF_TYPE);
    h->code = bv_u8(v, ICMP_OFF_CODE);
    h->csum = bv_be16(v, ICMP_OFF_CSUM);
    h->rest = bv_be32(v, ICMP_OFF_REST);
    if (!bv_ok(v))
        return PITH_EPROTO;
    *body = b;
    return PITH_OK;
}

int icmp_push(struct bw *w, const struct icmp_hdr *h)
{
    struct bv v;

    if (!bw_push(w, ICMP_HLEN))
        return PITH_ENOMEM;
    bw_set_u8(w, ICMP_OFF_TYPE, h->type);
    bw_set_u8(w, ICMP_OFF_CODE, h->code);
    bw_set_be16(w, ICMP_OFF_CSUM, 0);
    bw_set_be32(w, ICMP_OFF_REST, h->rest);
    v = bw_view(w);
    bw_set_be16(w, ICMP_OFF_CSUM, ip4_csum_finish(ip4_csum_add(0, &v)));
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

static void icmp_unknown(struct net *n, struct ip4_pkt *p)
{
    icmp_unreach(n, p, ICMP_UNREACH_PROTO);
}

void icmp_attach(struct net *n)
{
    ip4_register(n, IP4_PROTO_ICMP, icmp_input);
    ip4_set_unknown(n, icmp_unknown);
    n->icmp_tokens = NET_ICMP_BURST * NET_SEC_NS;
    n->icmp_last = ev_now();
}

/*
 * The echo reply is the request with its type changed: copy it once into
 * the send buffer and patch the checksum for the one changed word (RFC
 * 1624, eqn. 3) instead of summing it all again.
 */
static void icmp_echo(struct net *n, struct ip4_pkt *p, uint16_t csum)
{
    struct bw w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);
    size_t len = bv_len(&p->data);
    /* HC' = ~(~HC + ~m + m'): the word m = (type 8, code) becomes m' =
     * (0, 0), which adds nothing. */
    uint16_t m = (uint16_t)(ICMP_ECHO << 8 | bv_u8(&p->data, ICMP_OFF_CODE));
    uint32_t sum = (uint32_t)(uint16_t)~csum + (uint16_t)~m;
    uint16_t hc = ip4_csum_finish(sum);

    bw_append(&w, bv_ptr(&p->data, 0, len), len);
    bw_set_u8(&w, ICMP_OFF_TYPE, ICMP_ECHO_REPLY);
    bw_set_u8(&w, ICMP_OFF_CODE, 0);
    /* The update cannot tell the sums 0x0000 and 0xffff apart: 0 is
     * wrong for a reply that is all zeros (a request of id 0, sequence 0
     * and zero data), and 0xffff is right for every reply that gives 0. */
    bw_set_be16(&w, ICMP_OFF_CSUM, hc ? hc : 0xffff);
    if (ip4_output(n, &w, p->src, IP4_PROTO_ICMP) == PITH_OK)
        n->st.icmp.echo_replies++;
}

/*
 * A destination unreachable (RFC 792) about a datagram we sent: the body
 * quotes its IPv4 header and at least 8 bytes of its payload. Handed to
 * TCP (RFC 1122 4.2.3.9, RFC 1191 for fragmentation needed) when the
 * module is linked; others are only counted.
 */
extern void tcp_icmp_error(struct net *n, uint32_t src, uint32_t dst,
                           struct bv *quote, uint8_t code, uint16_t mtu)
    __attribute__((weak));

static void icmp_unreach_input(struct net *n, const struct icmp_hdr *h,
                               struct bv *body)
{
    uint8_t vihl = bv_u8(body, IP4_OFF_VIHL), proto;
    uint32_t src, dst;
    size_t hlen = (size_t)(vihl & 15) * 4;
    struct bv quote;

    n->st.icmp.rx_unreach++;
    /* The quote is cut short of the datagram's total length, so its
     * header is read field by field rather than by ip4_parse(). */
    proto = bv_u8(body, IP4_OFF_PROTO);
    src = bv_be32(body, IP4_OFF_SRC);
    dst = bv_be32(body, IP4_OFF_DST);
    quote = bv_from(body, hlen);
    if (!bv_ok(body) || !bv_ok(&quote) || vihl >> 4 != 4 || hlen < IP4_HLEN ||
        src != n->addr || bv_len(&quote) < 8) {
        n->st.icmp.rx_bad++;
        return;
    }
    if (proto == IP4_PROTO_TCP && tcp_icmp_error)
        tcp_icmp_error(n, src, dst, &quote, h->code,
                       (uint16_t)(h->rest & 0xffff));
}

void icmp_input(struct net *n, struct ip4_pkt *p)
{
    struct icmp_hdr h;
    struct bv body;

    n->st.icmp.rx++;
    if (icmp_parse(&p->data, &h, &body) < 0 ||
        ip4_csum_finish(ip4_csum_add(0, &p->data)) != 0) {
        n->st.icmp.rx_bad++;
        return;
    }
    if (h.type == ICMP_UNREACH && !p->bcast) {
        icmp_unreach_input(n, &h, &body);
        return;
    }
    if (h.type != ICMP_ECHO || p->bcast || p->src == 0) {
        /* RFC 1122 3.2.2.6 lets a host ignore echo to a broadcast, as
         * Linux does by default: no amplification. */
        n->st.icmp.rx_ignored++;
        return;
    }
    n->st.icmp.echo_requests++;
    icmp_echo(n, p, h.csum);
}

/* Takes a token from the error bucket; 0 when it is empty. */
static int icmp_token(struct net *n)
{
    const uint64_t full = NET_ICMP_BURST * NET_SEC_NS;
    uint64_t now = ev_now(), dt = now - n->icmp_last;

    n->icmp_last = now;
    if (dt >= full / NET_ICMP_RATE)
        n->icmp_tokens = full;
    else if (n->icmp_tokens + dt * NET_ICMP_RATE > full)
        n->icmp_tokens = full;
    else
        n->icmp_tokens += dt * NET_ICMP_RATE;
    if (n->icmp_tokens < NET_SEC_NS)
        return 0;
    n->icmp_tokens -= NET_SEC_NS;
    return 1;
}

/* Whether (p) is itself an ICMP error (RFC 1122 3.2.2: never answer one
 * with another). Echo and the other queries may be answered. */
static int icmp_is_error(const struct ip4_pkt *p)
{
    struct bv d = p->data;
    uint8_t type;

    if (p->proto != IP4_PROTO_ICMP)
        return 0;
    type = bv_u8(&d, ICMP_OFF_TYPE);
    return !bv_ok(&d) || !(type == ICMP_ECHO || type == ICMP_ECHO_REPLY ||
                           (type >= 13 && type <= 18));
}

void icmp_unreach(struct net *n, const struct ip4_pkt *p, uint8_t code)
{
    struct bw w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);
    struct icmp_hdr h = {ICMP_UNREACH, code, 0, 0};
    struct bv hdr = p->hdr, data = p->data;
    size_t hlen = bv_len(&hdr), dlen = bv_len(&data);

    if (p->bcast || p->src == 0 || ip4_is_bcast(n, p->src) ||
        p->src >> 28 == 0xe || icmp_is_error(p))
        return;
    if (!icmp_token(n)) {
        n->st.icmp.unreach_limited++;
        return;
    }
    if (dlen > ICMP_QUOTE_MAX - hlen)
        dlen = ICMP_QUOTE_MAX - hlen;
    bw_append(&w, bv_ptr(&hdr, 0, hlen), hlen);
    bw_append(&w, bv_ptr(&data, 0, dlen), dlen);
    if (icmp_push(&w, &h) < 0)
        return;
    if (ip4_output(n, &w, p->src, IP4_PROTO_ICMP) == PITH_OK)
        n->st.icmp.tx_unreach++;
}
