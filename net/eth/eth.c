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

int eth_output_meta(struct net *n, struct bw *w, const uint8_t dst[ETH_ALEN],
                    uint16_t type, const struct plat_net_meta *m)
{
    struct plat_net_meta fm;
    struct eth_hdr h;
    struct bv f;
    int rc;

    memcpy(h.dst, dst, ETH_ALEN);
    memcpy(h.src, n->mac, ETH_ALEN);
    h.type = type;
    if (eth_push(w, &h) < 0) {
        n->st.eth.tx_drop++;
        return PITH_EINVAL; /* a layer above broke its headroom contract */
    }
    f = bw_view(w);
    if (m && (m->flags || m->gso)) {
        fm = *m;
        fm.csum_start = (uint16_t)(fm.csum_start + ETH_HLEN);
        if (fm.gso)
            fm.hdr_len = (uint16_t)(fm.hdr_len + ETH_HLEN);
        rc = plat_net_write_meta(n->dev, &fm, bv_ptr(&f, 0, bv_len(&f)),
                                 bv_len(&f));
    } else {
        rc = plat_net_write(n->dev, bv_ptr(&f, 0, bv_len(&f)), bv_len(&f));
    }
    if (rc < 0) {
        n->st.eth.tx_drop++;
        return rc;
    }
    n->st.eth.tx_frames++;
    n->st.eth.tx_bytes += bv_len(&f);
    return PITH_OK;
}
