/* eth: Ethernet II framing. See eth.h. */
#include <string.h>
#include <pith/err.h>
#include <pith/plat.h>

#include "eth.h"

const uint8_t eth_broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int eth_parse(struct bv *v, struct eth_hdr *h, struct bv *payload)
{
    struct bv p = bv_from(v, ETH_HLEN);

    bv_copy(v, ETH_OFF_DST, h->dst, ETH_ALEN);
    bv_copy(v, ETH_OFF_SRC, h->src, ETH_ALEN);
    h->type = bv_be16(v, ETH_OFF_TYPE);
    if (!bv_ok(v))
        return PITH_EPROTO;
    *payload = p;
    return PITH_OK;
}

int eth_push(struct bw *w, const struct eth_hdr *h)
{
    if (!bw_push(w, ETH_HLEN))
        return PITH_ENOMEM;
    bw_write(w, ETH_OFF_DST, h->dst, ETH_ALEN);
    bw_write(w, ETH_OFF_SRC, h->src, ETH_ALEN);
    bw_set_be16(w, ETH_OFF_TYPE, h->type);
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

int eth_for_us(const struct net *n, const uint8_t dst[ETH_ALEN])
{
    return memcmp(dst, n->mac, ETH_ALEN) == 0 ||
           memcmp(dst, eth_broadcast, ETH_ALEN) == 0;
}

int eth_output(struct net *n, struct bw *w, const uint8_t dst[ETH_ALEN],
               uint16_t type)
{
    return eth_output_meta(n, w, dst, type, 0);
}

size_t net_out_tail_len(const struct net_out *o)
{
    size_t len = 0;
    unsigned i;

    for (i = 0; o && i < o->ntail; i++)
        len += o->tail[i].len;
    return len;
}

int eth_output_meta(struct net *n, struct bw *w, const uint8_t dst[ETH_ALEN],
                    uint16_t type, const struct net_out *o)
{
    const struct plat_net_meta *m = o ? &o->m : 0;
    struct plat_net_iov v[3];
    struct plat_net_meta fm;
    struct eth_hdr h;
    struct bv f;
    size_t len;
    unsigned i;
    int rc;

    memcpy(h.dst, dst, ETH_ALEN);
    memcpy(h.src, n->mac, ETH_ALEN);
    h.type = type;
    if (eth_push(w, &h) < 0) {
        n->st.eth.tx_drop++;
        return PITH_EINVAL; /* a layer above broke its headroom contract */
    }
    f = bw_view(w);
    len = bv_len(&f);
    if (m && (m->flags || m->gso)) {
        fm = *m;
        fm.csum_start = (uint16_t)(fm.csum_start + ETH_HLEN);
        if (fm.gso)
            fm.hdr_len = (uint16_t)(fm.hdr_len + ETH_HLEN);
        v[0] = (struct plat_net_iov){bv_ptr(&f, 0, len), len};
        for (i = 0; fm.gso && i < o->ntail && i < 2; i++) {
            v[1 + i] = o->tail[i];
            len += o->tail[i].len;
        }
        rc = plat_net_write_iov(n->dev, &fm, v, 1 + i);
    } else {
        rc = plat_net_write(n->dev, bv_ptr(&f, 0, len), len);
    }
    if (rc < 0) {
        n->st.eth.tx_drop++;
        return rc;
    }
    n->st.eth.tx_frames++;
    n->st.eth.tx_bytes += len;
    return PITH_OK;
}
