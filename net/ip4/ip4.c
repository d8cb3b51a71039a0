/* ip4: IPv4 input, output, routing and fragmentation. See ip4.h. */
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>

#include "../arp/arp.h"
#include "../eth/eth.h"
#include "ip4.h"

/*
 * Walks the options (o) (RFC 791 3.1): an option is one octet (End of
 * Option List, No Operation) or a type, a length counting both, and
 * data. End of Option List ends the walk: what follows is padding. A
 * length below 2 or past the header is malformed, and so is the packet,
 * as for Linux (ip_options_compile): nothing in it can be trusted to be
 * where the header says.
 */
static int ip4_opts_ok(struct bv o)
{
    while (bv_len(&o) > 0) {
        uint8_t type = bv_u8(&o, 0), len;
        if (type == IP4_OPT_EOL)
            break;
        if (type == IP4_OPT_NOP) {
            bv_shift(&o, 1);
            continue;
        }
        len = bv_u8(&o, 1); /* past the end: bv_ok() fails below */
        if (!bv_ok(&o) || len < 2 || len > bv_len(&o))
            return 0;
        bv_shift(&o, len);
    }
    return bv_ok(&o);
}

int ip4_parse(struct bv *v, struct ip4_hdr *h, struct bv *hdr, struct bv *data)
{
    uint8_t vihl = bv_u8(v, IP4_OFF_VIHL);

    if (!bv_ok(v))
        return PITH_ERANGE;
    if (vihl >> 4 != 4 || (vihl & 0xf) < 5)
        return PITH_EPROTO;
    h->hlen = (uint8_t)((vihl & 0xf) * 4);
    h->tos = bv_u8(v, IP4_OFF_TOS);
    h->len = bv_be16(v, IP4_OFF_LEN);
    h->id = bv_be16(v, IP4_OFF_ID);
    h->frag = bv_be16(v, IP4_OFF_FRAG);
    h->ttl = bv_u8(v, IP4_OFF_TTL);
    h->proto = bv_u8(v, IP4_OFF_PROTO);
    h->csum = bv_be16(v, IP4_OFF_CSUM);
    h->src = bv_be32(v, IP4_OFF_SRC);
    h->dst = bv_be32(v, IP4_OFF_DST);
    if (!bv_ok(v) || h->len < h->hlen || h->len > bv_len(v))
        return PITH_ERANGE;
    *hdr = bv_sub(v, 0, h->hlen);
    *data = bv_sub(v, h->hlen, (size_t)h->len - h->hlen);
    if (!ip4_opts_ok(bv_from(hdr, IP4_HLEN)))
        return PITH_EPROTO;
    return PITH_OK;
}

int ip4_push(struct bw *w, const struct ip4_hdr *h)
{
    struct bv v;

    if (!bw_push(w, IP4_HLEN))
        return PITH_ENOMEM;
    bw_set_u8(w, IP4_OFF_VIHL, 0x45);
    bw_set_u8(w, IP4_OFF_TOS, h->tos);
    bw_set_be16(w, IP4_OFF_LEN, h->len);
    bw_set_be16(w, IP4_OFF_ID, h->id);
    bw_set_be16(w, IP4_OFF_FRAG, h->frag);
    bw_set_u8(w, IP4_OFF_TTL, h->ttl);
    bw_set_u8(w, IP4_OFF_PROTO, h->proto);
    bw_set_be16(w, IP4_OFF_CSUM, 0);
    bw_set_be32(w, IP4_OFF_SRC, h->src);
    bw_set_be32(w, IP4_OFF_DST, h->dst);
    v = bw_view(w);
    v = bv_sub(&v, 0, IP4_HLEN);
    bw_set_be16(w, IP4_OFF_CSUM, ip4_csum_finish(ip4_csum_add(0, &v)));
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

int ip4_register(struct net *n, uint8_t proto, net_ip4_input_fn fn)
{
    int i;

    for (i = 0; i < NET_IP4_PROTOS; i++) {
        if (n->ip4_protos[i].fn && n->ip4_protos[i].proto == proto) {
            n->ip4_protos[i].fn = fn;
            return PITH_OK;
        }
    }
    for (i = 0; i < NET_IP4_PROTOS; i++) {
        if (!n->ip4_protos[i].fn) {
            n->ip4_protos[i].proto = proto;
            n->ip4_protos[i].fn = fn;
            return PITH_OK;
        }
    }
    return PITH_ELIMIT;
}

void ip4_set_unknown(struct net *n, net_ip4_input_fn fn)
{
    n->ip4_unknown = fn;
}

int ip4_is_bcast(const struct net *n, uint32_t a)
{
    if (a == IP4_BROADCAST)
        return 1;
    /* The prefix's broadcast address; /31 and /32 have none (RFC 3021). */
    return n->mask < 0xfffffffeu && (a & n->mask) == (n->addr & n->mask) &&
           (a | n->mask) == IP4_BROADCAST;
}

static int ip4_is_multicast(uint32_t a)
{
    return a >> 28 == 0xe; /* 224.0.0.0/4 */
}

static void ip4_deliver(struct net *n, struct ip4_pkt *p)
{
    int i;

    for (i = 0; i < NET_IP4_PROTOS; i++) {
        if (n->ip4_protos[i].fn && n->ip4_protos[i].proto == p->proto) {
            n->ip4_protos[i].fn(n, p);
            return;
        }
    }
    n->st.ip4.rx_proto++;
    if (n->ip4_unknown)
        n->ip4_unknown(n, p);
}

int ip4_csum_vouched(const struct net *n, size_t ihl)
{
    return (n->rx_meta.flags & PLAT_NET_F_DATA_VALID) ||
           ((n->rx_meta.flags & PLAT_NET_F_NEEDS_CSUM) &&
            n->rx_meta.csum_start == ETH_HLEN + ihl);
}

void ip4_input(struct net *n, struct bv *v, int l2bcast)
{
    struct ip4_hdr h;
    struct ip4_pkt p;
    struct net_reasm *r;
    int rc;

    n->st.ip4.rx++;
    rc = ip4_parse(v, &h, &p.hdr, &p.data);
    if (rc == PITH_EPROTO) {
        n->st.ip4.rx_bad_header++;
        return;
    }
    if (rc < 0) {
        n->st.ip4.rx_bad_length++;
        return;
    }
    if (ip4_csum_finish(ip4_csum_add(0, &p.hdr)) != 0) {
        n->st.ip4.rx_bad_checksum++;
        return;
    }
    if (h.ttl == 0) {
        n->st.ip4.rx_bad_header++; /* no sender may emit it (RFC 1122) */
        return;
    }
    /* Source 0.0.0.0 is let through: a host without an address (a DHCP
     * client) uses it, and replies to it are refused by routing. */
    if (h.src == IP4_BROADCAST || ip4_is_multicast(h.src) ||
        (h.src == n->addr && n->addr) || ip4_is_bcast(n, h.src)) {
        n->st.ip4.rx_bad_src++;
        return;
    }
    if ((h.dst != n->addr || !n->addr) && !ip4_is_bcast(n, h.dst)) {
        n->st.ip4.rx_not_us++; /* we do not forward, nor join groups */
        return;
    }
    p.src = h.src;
    p.dst = h.dst;
    p.proto = h.proto;
    p.ttl = h.ttl;
    /* The device's word on the checksum is about this frame's transport
     * header, which a partial one must start at. */
    p.csum_ok = (uint8_t)ip4_csum_vouched(n, bv_len(&p.hdr));
    p.bcast = (uint8_t)(l2bcast || h.dst != n->addr);
    if (!(h.frag & (IP4_MF | IP4_OFF_MASK))) {
        ip4_deliver(n, &p);
        return;
    }
    n->st.ip4.rx_fragments++;
    p.csum_ok = 0; /* a fragment's transport checksum is its datagram's */
    r = ip4_reasm_add(n, &h, &p.hdr, &p.data, ev_now());
    if (!r)
        return;
    p.hdr = bv_make(r->hdr, r->hlen);
    p.data = bv_make(r->data, r->total);
    ip4_deliver(n, &p);
    ip4_reasm_free(n, r);
}

int ip4_route(const struct net *n, uint32_t dst, uint32_t *nexthop)
{
    if (!n->addr || dst == 0 || dst == n->addr || ip4_is_multicast(dst))
        return PITH_ENOENT;
    if (ip4_is_bcast(n, dst)) {
        *nexthop = IP4_BROADCAST;
        return PITH_OK;
    }
    if ((dst & n->mask) == (n->addr & n->mask)) {
        *nexthop = dst;
        return PITH_OK;
    }
    if (n->gateway) {
        *nexthop = n->gateway;
        return PITH_OK;
    }
    return PITH_ENOENT;
}

static int ip4_link_out(struct net *n, struct bw *w, uint32_t nexthop,
                        const struct net_out *o)
{
    if (nexthop == IP4_BROADCAST)
        return eth_output_meta(n, w, eth_broadcast, ETH_TYPE_IP4, o);
    return arp_output_meta(n, w, nexthop, o);
}

int ip4_output(struct net *n, struct bw *w, uint32_t dst, uint8_t proto)
{
    return ip4_output_meta(n, w, dst, proto, 0);
}

int ip4_output_meta(struct net *n, struct bw *w, uint32_t dst, uint8_t proto,
                    const struct net_out *o)
{
    const struct plat_net_meta *m = o ? &o->m : 0;
    size_t len = w->len + net_out_tail_len(o), per, off, chunk;
    struct net_out po;
    struct ip4_hdr h;
    uint32_t nexthop;
    int rc;

    if (len > NET_IP4_DATA_MAX || !bw_ok(w))
        return PITH_ERANGE;
    if (o && o->ntail && m->gso != PLAT_NET_GSO_TCP4)
        return PITH_EINVAL; /* a tail goes only with GSO */
    if (ip4_route(n, dst, &nexthop) < 0) {
        n->st.ip4.tx_no_route++;
        return PITH_ENOENT;
    }
    memset(&h, 0, sizeof h);
    h.id = n->ip_id++;
    h.ttl = IP4_TTL;
    h.proto = proto;
    h.src = n->addr;
    h.dst = dst;
    n->st.ip4.tx++;
    if (m && (m->flags || m->gso)) {
        if (!m->gso && IP4_HLEN + len > n->mtu)
            return PITH_EINVAL;
        if (m->gso && m->gso_size && len > m->hdr_len)
            n->ip_id = (uint16_t)(n->ip_id + (len - m->hdr_len - 1) /
                                                 m->gso_size); /* one each */
        po = *o;
        po.m.csum_start = (uint16_t)(po.m.csum_start + IP4_HLEN);
        if (po.m.gso)
            po.m.hdr_len = (uint16_t)(po.m.hdr_len + IP4_HLEN);
        h.len = (uint16_t)(IP4_HLEN + len);
        if (ip4_push(w, &h) < 0)
            return PITH_EINVAL;
        if (nexthop != IP4_BROADCAST && !arp_ready(n, nexthop)) {
            /* It waits for ARP, without offloads: the checksum is done
             * here; a GSO packet, too long to wait, is dropped by ARP
             * (which asks for the address; TCP sends it again). */
            if (po.m.gso)
                return ip4_link_out(n, w, nexthop, &po);
            ip4_csum_complete(w, po.m.csum_start, po.m.csum_offset);
            return ip4_link_out(n, w, nexthop, 0);
        }
        return ip4_link_out(n, w, nexthop, &po);
    }
    if (IP4_HLEN + len <= n->mtu) {
        h.len = (uint16_t)(IP4_HLEN + len);
        if (ip4_push(w, &h) < 0)
            return PITH_EINVAL; /* the caller broke the headroom contract */
        return ip4_link_out(n, w, nexthop, 0);
    }
    /*
     * Fragments (RFC 791 section 3.2, "An Example Fragmentation
     * Procedure"), in order, each carrying a multiple of 8 bytes but the
     * last. No copy: a fragment's headers are written into the bytes just
     * before its data, which belong to the previous fragment and have been
     * sent (or copied into an ARP queue) by then.
     */
    per = (n->mtu - IP4_HLEN) & ~(size_t)7;
    for (off = 0; off < len; off += chunk) {
        struct bw f;

        chunk = len - off < per ? len - off : per;
        f = bw_make(w->base, w->off + off + chunk, w->off + off);
        bw_put(&f, chunk);
        h.len = (uint16_t)(IP4_HLEN + chunk);
        h.frag = (uint16_t)(off / 8 | (off + chunk < len ? IP4_MF : 0));
        if (ip4_push(&f, &h) < 0)
            return PITH_EINVAL;
        rc = ip4_link_out(n, &f, nexthop, 0);
        if (rc < 0)
            return rc;
        n->st.ip4.tx_fragments++;
    }
    return PITH_OK;
}

uint64_t ip4_tick(struct net *n, uint64_t now)
{
    return ip4_reasm_tick(n, now);
}
