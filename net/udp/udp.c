/* udp: sockets, input and output. See <pith/udp.h> and udp_wire.h. */
#include <pith/err.h>

#include "../icmp/icmp.h"
#include "../stack/stack.h"
#include "udp_wire.h"

int udp_parse(struct bv *v, struct udp_hdr *h, struct bv *data)
{
    h->sport = bv_be16(v, UDP_OFF_SPORT);
    h->dport = bv_be16(v, UDP_OFF_DPORT);
    h->len = bv_be16(v, UDP_OFF_LEN);
    h->csum = bv_be16(v, UDP_OFF_CSUM);
    if (!bv_ok(v) || h->len < UDP_HLEN || h->len > bv_len(v))
        return PITH_ERANGE;
    *data = bv_sub(v, UDP_HLEN, (size_t)h->len - UDP_HLEN);
    return PITH_OK;
}

int udp_csum_ok(struct bv *v, uint32_t src, uint32_t dst)
{
    uint32_t sum;

    if (bv_be16(v, UDP_OFF_CSUM) == 0)
        return bv_ok(v);
    sum = ip4_csum_pseudo(src, dst, IP4_PROTO_UDP, (uint32_t)bv_len(v));
    return bv_ok(v) && ip4_csum_finish(ip4_csum_add(sum, v)) == 0;
}

int udp_push(struct bw *w, uint16_t sport, uint16_t dport, uint32_t src,
             uint32_t dst)
{
    uint16_t len, csum;
    struct bv v;

    if (w->len > UDP_DATA_MAX)
        return PITH_ERANGE;
    len = (uint16_t)(w->len + UDP_HLEN);
    if (!bw_push(w, UDP_HLEN))
        return PITH_ENOMEM;
    bw_set_be16(w, UDP_OFF_SPORT, sport);
    bw_set_be16(w, UDP_OFF_DPORT, dport);
    bw_set_be16(w, UDP_OFF_LEN, len);
    bw_set_be16(w, UDP_OFF_CSUM, 0);
    v = bw_view(w);
    csum = ip4_csum_finish(
        ip4_csum_add(ip4_csum_pseudo(src, dst, IP4_PROTO_UDP, len), &v));
    bw_set_be16(w, UDP_OFF_CSUM, csum ? csum : 0xffff);
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

static unsigned udp_hash(uint16_t port)
{
    return (port ^ port >> 4 ^ port >> 8) % NET_UDP_BUCKETS;
}

static struct udp_sock *udp_find(struct net *n, uint16_t port)
{
    struct udp_sock *s;

    for (s = n->udp_bucket[udp_hash(port)]; s; s = s->next)
        if (s->port == port)
            return s;
    return NULL;
}

void udp_attach(struct net *n)
{
    ip4_register(n, IP4_PROTO_UDP, udp_input);
}

void udp_input(struct net *n, struct ip4_pkt *p)
{
    struct udp_dgram d;
    struct udp_hdr h;
    struct udp_sock *s;
    struct bv seg;

    n->st.udp.rx++;
    if (udp_parse(&p->data, &h, &d.data) < 0 || h.dport == 0) {
        n->st.udp.rx_bad++;
        return;
    }
    seg = bv_sub(&p->data, 0, h.len);
    if (!p->csum_ok && !udp_csum_ok(&seg, p->src, p->dst)) {
        n->st.udp.rx_checksum++;
        return;
    }
    s = udp_find(n, h.dport);
    if (!s) {
        n->st.udp.rx_no_port++;
        icmp_unreach(n, p, ICMP_UNREACH_PORT);
        return;
    }
    d.src = p->src;
    d.dst = p->dst;
    d.sport = h.sport;
    d.dport = h.dport;
    s->fn(s, &d, s->arg);
}

int udp_bind(struct udp_sock *s, struct net *n, uint16_t port, udp_recv_fn fn,
             void *arg)
{
    const unsigned range = UDP_EPHEMERAL_HI - UDP_EPHEMERAL_LO + 1;
    unsigned i;

    if (!fn)
        return PITH_EINVAL;
    if (s->bound)
        return PITH_EBUSY;
    if (port == 0) {
        for (i = 0; i < range; i++) {
            uint16_t p =
                (uint16_t)(UDP_EPHEMERAL_LO + (n->udp_next_port + i) % range);
            if (!udp_find(n, p)) {
                port = p;
                n->udp_next_port = (uint16_t)(n->udp_next_port + i + 1);
                break;
            }
        }
        if (port == 0)
            return PITH_ELIMIT;
    } else if (udp_find(n, port)) {
        return PITH_EBUSY;
    }
    udp_attach(n);
    s->net = n;
    s->fn = fn;
    s->arg = arg;
    s->port = port;
    s->bound = 1;
    s->next = n->udp_bucket[udp_hash(port)];
    n->udp_bucket[udp_hash(port)] = s;
    return PITH_OK;
}

uint16_t udp_port(const struct udp_sock *s)
{
    return s->bound ? s->port : 0;
}

int udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport,
               const void *buf, size_t len)
{
    struct net *n = s->net;
    struct bw w;
    int rc;

    if (!s->bound || dport == 0)
        return PITH_EINVAL;
    if (len > UDP_DATA_MAX)
        return PITH_ERANGE;
    w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);
    bw_append(&w, buf, len);
    rc = udp_push(&w, s->port, dport, n->addr, dst);
    if (rc == PITH_OK)
        rc = ip4_output(n, &w, dst, IP4_PROTO_UDP);
    if (rc == PITH_OK)
        n->st.udp.tx++;
    net_kick(n);
    return rc;
}

void udp_close(struct udp_sock *s)
{
    struct udp_sock **pp;

    if (!s->bound)
        return;
    for (pp = &s->net->udp_bucket[udp_hash(s->port)]; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    s->bound = 0;
    s->next = NULL;
}
