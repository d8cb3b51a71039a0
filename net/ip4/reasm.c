/*
 * ip4: fragment reassembly. See ip4.h.
 *
 * Each slot holds a whole datagram's payload and a bitmap of its 8-byte
 * blocks (fragment offsets count in such blocks, and every fragment but
 * the last covers whole blocks). Adding a fragment costs time in its own
 * length only, whatever the order or number of fragments before it: no
 * lists to walk, which is what FragmentSmack (CVE-2018-5391) exploited.
 */
#include <string.h>
#include <pith/err.h>

#include "ip4.h"

static int map_get(const struct net_reasm *r, uint32_t b)
{
    return r->map[b / 8] >> (b % 8) & 1;
}

static void map_set(struct net_reasm *r, uint32_t b)
{
    r->map[b / 8] = (uint8_t)(r->map[b / 8] | 1u << (b % 8));
}

void ip4_reasm_free(struct net *n, struct net_reasm *r)
{
    (void)n;
    r->used = 0;
}

/* Drops (r)'s datagram because its fragments disagree. */
static struct net_reasm *reasm_inconsistent(struct net *n, struct net_reasm *r)
{
    n->st.ip4.reasm_overlaps++;
    ip4_reasm_free(n, r);
    return NULL;
}

static struct net_reasm *reasm_find(struct net *n, const struct ip4_hdr *h)
{
    int i;

    for (i = 0; i < NET_REASM_SLOTS; i++) {
        struct net_reasm *r = &n->reasm[i];
        if (r->used && r->id == h->id && r->src == h->src && r->dst == h->dst &&
            r->proto == h->proto)
            return r;
    }
    return NULL;
}

/* A slot for a new datagram: a free one, else the oldest, evicted. */
static struct net_reasm *reasm_new(struct net *n, const struct ip4_hdr *h,
                                   uint64_t now)
{
    struct net_reasm *r = NULL;
    int i;

    for (i = 0; i < NET_REASM_SLOTS && !r; i++)
        if (!n->reasm[i].used)
            r = &n->reasm[i];
    if (!r) {
        r = &n->reasm[0];
        for (i = 1; i < NET_REASM_SLOTS; i++)
            if (n->reasm[i].expires < r->expires)
                r = &n->reasm[i];
        n->st.ip4.reasm_evictions++;
    }
    r->used = 1;
    r->proto = h->proto;
    r->id = h->id;
    r->src = h->src;
    r->dst = h->dst;
    r->total = r->max_end = r->blocks = 0;
    r->hlen = 0;
    r->expires = now + NET_REASM_TIMEOUT_NS;
    memset(r->map, 0, sizeof r->map);
    n->kick = 1;
    return r;
}

struct net_reasm *ip4_reasm_add(struct net *n, const struct ip4_hdr *h,
                                struct bv *hdr, struct bv *data, uint64_t now)
{
    uint32_t off = (uint32_t)(h->frag & IP4_OFF_MASK) * 8;
    uint32_t len = (uint32_t)bv_len(data), end = off + len, b;
    int more = (h->frag & IP4_MF) != 0;
    struct net_reasm *r;
    struct bv rv;
    struct bw rw;

    if (len == 0 || end > NET_IP4_DATA_MAX || (more && len % 8)) {
        n->st.ip4.reasm_bad++;
        return NULL;
    }
    r = reasm_find(n, h);
    if (!r)
        r = reasm_new(n, h, now);
    /* The end may be learnt once and nothing may lie beyond it. */
    if (!more) {
        if ((r->total && r->total != end) || r->max_end > end)
            return reasm_inconsistent(n, r);
        r->total = end;
    } else if (r->total && end > r->total) {
        return reasm_inconsistent(n, r);
    }
    /* Bytes we have already must be the same bytes again. */
    rv = bv_make(r->data, sizeof r->data);
    for (b = off / 8; b < (end + 7) / 8; b++) {
        uint32_t s = b * 8 > off ? b * 8 : off;
        uint32_t e = b * 8 + 8 < end ? b * 8 + 8 : end;
        if (map_get(r, b) &&
            !bv_eq(&rv, s, bv_ptr(data, s - off, e - s), e - s))
            return reasm_inconsistent(n, r);
    }
    rw = bw_make(r->data, sizeof r->data, 0);
    bw_put(&rw, sizeof r->data);
    bw_write(&rw, off, bv_ptr(data, 0, len), len);
    for (b = off / 8; b < (end + 7) / 8; b++) {
        if (!map_get(r, b)) {
            map_set(r, b);
            r->blocks++;
        }
    }
    if (end > r->max_end)
        r->max_end = end;
    if (off == 0) {
        /* Kept for ICMP errors, which quote the datagram's header. */
        r->hlen = (uint16_t)bv_len(hdr);
        bv_copy(hdr, 0, r->hdr, r->hlen);
    }
    if (!r->total || r->blocks != (r->total + 7) / 8)
        return NULL;
    if (r->hlen + r->total > 0xffff) {
        n->st.ip4.reasm_bad++; /* longer than any IPv4 datagram */
        ip4_reasm_free(n, r);
        return NULL;
    }
    /* Complete: make the kept header describe the whole datagram. */
    rw = bw_make(r->hdr, sizeof r->hdr, 0);
    bw_put(&rw, r->hlen);
    bw_set_be16(&rw, IP4_OFF_LEN, (uint16_t)(r->hlen + r->total));
    bw_set_be16(&rw, IP4_OFF_FRAG, 0);
    bw_set_be16(&rw, IP4_OFF_CSUM, 0);
    rv = bw_view(&rw);
    bw_set_be16(&rw, IP4_OFF_CSUM, ip4_csum_finish(ip4_csum_add(0, &rv)));
    n->st.ip4.reasm_ok++;
    return r;
}

uint64_t ip4_reasm_tick(struct net *n, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    int i;

    for (i = 0; i < NET_REASM_SLOTS; i++) {
        struct net_reasm *r = &n->reasm[i];
        if (!r->used)
            continue;
        if (now >= r->expires) {
            n->st.ip4.reasm_timeouts++;
            ip4_reasm_free(n, r);
        } else if (r->expires < next) {
            next = r->expires;
        }
    }
    return next;
}

uint64_t ip4_reasm_active(const struct net *n)
{
    uint64_t k = 0;
    int i;

    for (i = 0; i < NET_REASM_SLOTS; i++)
        k += n->reasm[i].used;
    return k;
}
