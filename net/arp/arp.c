/* arp: address resolution with a bounded cache. See arp.h. */
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>

#include "arp.h"

static const uint8_t arp_zero_mac[ETH_ALEN];

int arp_parse(struct bv *v, struct arp_pkt *a)
{
    uint16_t htype = bv_be16(v, ARP_OFF_HTYPE);
    uint16_t ptype = bv_be16(v, ARP_OFF_PTYPE);
    uint8_t hlen = bv_u8(v, ARP_OFF_HLEN), plen = bv_u8(v, ARP_OFF_PLEN);

    a->op = bv_be16(v, ARP_OFF_OP);
    bv_copy(v, ARP_OFF_SHA, a->sha, ETH_ALEN);
    a->spa = bv_be32(v, ARP_OFF_SPA);
    bv_copy(v, ARP_OFF_THA, a->tha, ETH_ALEN);
    a->tpa = bv_be32(v, ARP_OFF_TPA);
    if (!bv_ok(v) || htype != ARP_HTYPE_ETH || ptype != ETH_TYPE_IP4 ||
        hlen != ETH_ALEN || plen != 4 ||
        (a->op != ARP_OP_REQUEST && a->op != ARP_OP_REPLY))
        return PITH_EPROTO;
    return PITH_OK;
}

int arp_write(struct bw *w, const struct arp_pkt *a)
{
    size_t at = w->len;

    if (!bw_put(w, ARP_LEN))
        return PITH_ENOMEM;
    bw_set_be16(w, at + ARP_OFF_HTYPE, ARP_HTYPE_ETH);
    bw_set_be16(w, at + ARP_OFF_PTYPE, ETH_TYPE_IP4);
    bw_set_u8(w, at + ARP_OFF_HLEN, ETH_ALEN);
    bw_set_u8(w, at + ARP_OFF_PLEN, 4);
    bw_set_be16(w, at + ARP_OFF_OP, a->op);
    bw_write(w, at + ARP_OFF_SHA, a->sha, ETH_ALEN);
    bw_set_be32(w, at + ARP_OFF_SPA, a->spa);
    bw_write(w, at + ARP_OFF_THA, a->tha, ETH_ALEN);
    bw_set_be32(w, at + ARP_OFF_TPA, a->tpa);
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

/* ---- The cache ---- */

void arp_init(struct net *n)
{
    int i;

    for (i = 0; i < NET_ARP_ENTRIES; i++) {
        n->arp[i].state = ARP_FREE;
        n->arp[i].pend_head = n->arp[i].pend_tail = -1;
    }
    n->arp_last = -1;
    for (i = 0; i < NET_ARP_PENDING; i++)
        n->arp_pend[i].next = (int16_t)(i + 1 < NET_ARP_PENDING ? i + 1 : -1);
    n->arp_pend_free = 0;
}

/* Whether (ip) may be in the cache: an on-link unicast host, not ours. */
static int arp_usable(const struct net *n, uint32_t ip)
{
    if (ip == 0 || ip == n->addr || (ip & n->mask) != (n->addr & n->mask))
        return 0;
    /* The prefix's broadcast address; /31 and /32 have none (RFC 3021). */
    if (n->mask < 0xfffffffeu && (ip | n->mask) == 0xffffffffu)
        return 0;
    return 1;
}

static struct net_arp_entry *arp_find(struct net *n, uint32_t ip)
{
    int i = n->arp_last;

    if (i >= 0 && n->arp[i].state != ARP_FREE && n->arp[i].ip == ip)
        return &n->arp[i];
    for (i = 0; i < NET_ARP_ENTRIES; i++) {
        if (n->arp[i].state != ARP_FREE && n->arp[i].ip == ip) {
            n->arp_last = (int16_t)i;
            return &n->arp[i];
        }
    }
    return NULL;
}

/* Drops the packets queued on (e), counting them. */
static void arp_drop_pending(struct net *n, struct net_arp_entry *e)
{
    while (e->pend_head >= 0) {
        int16_t i = e->pend_head;
        e->pend_head = n->arp_pend[i].next;
        n->arp_pend[i].next = n->arp_pend_free;
        n->arp_pend_free = i;
        n->st.arp.pending_drops++;
    }
    e->pend_tail = -1;
    e->npend = 0;
}

/*
 * A fresh entry for (ip): a free one, else the one a full cache can best
 * spare: failed entries first, then the least recently used (entries no
 * upper layer ever used before all others, oldest first).
 */
static struct net_arp_entry *arp_alloc(struct net *n, uint32_t ip, uint64_t now)
{
    struct net_arp_entry *e = NULL, *c;
    int i;

    for (i = 0; i < NET_ARP_ENTRIES && !e; i++)
        if (n->arp[i].state == ARP_FREE)
            e = &n->arp[i];
    for (i = 0; i < NET_ARP_ENTRIES && !e; i++)
        if (n->arp[i].state == ARP_FAILED)
            e = &n->arp[i];
    if (!e) {
        e = &n->arp[0];
        for (i = 1; i < NET_ARP_ENTRIES; i++) {
            c = &n->arp[i];
            if (c->used < e->used || (c->used == e->used && c->born < e->born))
                e = c;
        }
        n->st.arp.evictions++;
    }
    arp_drop_pending(n, e);
    memset(e, 0, sizeof *e);
    e->ip = ip;
    e->born = now;
    e->pend_head = e->pend_tail = -1;
    return e;
}

static int arp_send(struct net *n, uint16_t op, const uint8_t dst[ETH_ALEN],
                    const uint8_t tha[ETH_ALEN], uint32_t tpa)
{
    uint8_t buf[ETH_HLEN + ARP_LEN];
    struct bw w = bw_make(buf, sizeof buf, ETH_HLEN);
    struct arp_pkt a;
    int rc;

    a.op = op;
    memcpy(a.sha, n->mac, ETH_ALEN);
    a.spa = n->addr;
    memcpy(a.tha, tha, ETH_ALEN);
    a.tpa = tpa;
    if (arp_write(&w, &a) < 0)
        return PITH_ENOMEM; /* cannot happen: buf fits */
    rc = eth_output(n, &w, dst, ETH_TYPE_ARP);
    if (rc == PITH_OK && op == ARP_OP_REQUEST)
        n->st.arp.tx_requests++;
    else if (rc == PITH_OK)
        n->st.arp.tx_replies++;
    return rc;
}

/* Asks for (e)'s address: broadcast, or (unicast) to the MAC we know. */
static void arp_ask(struct net *n, struct net_arp_entry *e, int unicast,
                    uint64_t now)
{
    e->asked = now;
    arp_send(n, ARP_OP_REQUEST, unicast ? e->mac : eth_broadcast, arp_zero_mac,
             e->ip);
}

/* Records (mac) for (e) and sends what waited for it, in order. */
static void arp_learn(struct net *n, struct net_arp_entry *e,
                      const uint8_t mac[ETH_ALEN], uint64_t now)
{
    memcpy(e->mac, mac, ETH_ALEN);
    e->state = ARP_REACHABLE;
    e->expires = now + NET_ARP_TTL_NS;
    e->probing = 0;
    e->tries = 0;
    while (e->pend_head >= 0) {
        int16_t i = e->pend_head;
        struct net_arp_pend *p = &n->arp_pend[i];
        struct bw w = bw_make(p->buf, sizeof p->buf, ETH_HLEN);

        e->pend_head = p->next;
        bw_put(&w, p->len);
        eth_output(n, &w, e->mac, ETH_TYPE_IP4);
        p->next = n->arp_pend_free;
        n->arp_pend_free = i;
    }
    e->pend_tail = -1;
    e->npend = 0;
}

void arp_input(struct net *n, struct bv *payload)
{
    struct net_arp_entry *e;
    struct arp_pkt a;
    uint64_t now;

    n->st.arp.rx++;
    if (arp_parse(payload, &a) < 0 || eth_is_group(a.sha) ||
        memcmp(a.sha, arp_zero_mac, ETH_ALEN) == 0) {
        n->st.arp.rx_bad++;
        return;
    }
    if (n->addr == 0) {
        n->st.arp.rx_ignored++;
        return;
    }
    if (a.spa == n->addr) {
        /* RFC 5227 section 2.4: someone else uses our address. We keep it
         * (no DHCP to fall back on) and only count. */
        if (memcmp(a.sha, n->mac, ETH_ALEN) != 0)
            n->st.arp.conflicts++;
        return;
    }
    now = ev_now();
    e = a.spa ? arp_find(n, a.spa) : NULL;
    if (a.op == ARP_OP_REPLY) {
        /* Only an answer to our own question. */
        if (e && (e->state == ARP_INCOMPLETE ||
                  (e->state == ARP_REACHABLE && e->probing)))
            arp_learn(n, e, a.sha, now);
        else
            n->st.arp.rx_ignored++;
        return;
    }
    if (a.tpa != n->addr) {
        n->st.arp.rx_ignored++; /* a request for someone else */
        return;
    }
    /* A request for us (RFC 826 "merge", restricted): the sender is about
     * to talk to us, so remember it, when it is an on-link host. A probe
     * (sender address 0, RFC 5227) is answered but teaches nothing. */
    if (arp_usable(n, a.spa)) {
        if (!e)
            e = arp_alloc(n, a.spa, now);
        arp_learn(n, e, a.sha, now);
    }
    arp_send(n, ARP_OP_REPLY, a.sha, a.sha, a.spa);
}

int arp_ready(struct net *n, uint32_t nexthop)
{
    struct net_arp_entry *e = arp_find(n, nexthop);
    return e && e->state == ARP_REACHABLE && ev_now() < e->expires;
}

int arp_output(struct net *n, struct bw *w, uint32_t nexthop)
{
    return arp_output_meta(n, w, nexthop, 0);
}

int arp_output_meta(struct net *n, struct bw *w, uint32_t nexthop,
                    const struct net_out *o)
{
    uint64_t now = ev_now();
    struct net_arp_entry *e = arp_find(n, nexthop);
    struct net_arp_pend *p;
    struct bv data;
    struct bw pw;
    int16_t i;

    if (e && e->state == ARP_REACHABLE && now < e->expires) {
        e->used = now;
        /* In its last seconds, ask the host itself (once a retry period)
         * so that a busy entry never expires under its traffic. */
        if (now + NET_ARP_REFRESH_NS >= e->expires &&
            now >= e->asked + NET_ARP_RETRY_NS) {
            e->probing = 1;
            arp_ask(n, e, 1, now);
        }
        return eth_output_meta(n, w, e->mac, ETH_TYPE_IP4, o);
    }
    if (e && e->state == ARP_FAILED && now < e->expires) {
        n->st.arp.pending_drops++;
        return PITH_ENOENT;
    }
    if (!e) {
        if (!arp_usable(n, nexthop)) {
            n->st.arp.pending_drops++;
            return PITH_ENOENT;
        }
        e = arp_alloc(n, nexthop, now);
    }
    if (e->state != ARP_INCOMPLETE) {
        /* New, expired or done holding: resolve afresh. */
        e->state = ARP_INCOMPLETE;
        e->tries = 0;
        e->probing = 0;
    }
    e->used = now;
    /* Ask first: a packet that cannot wait still wants the address. */
    if (e->tries == 0) {
        arp_ask(n, e, 0, now);
        e->tries = 1;
        e->expires = now + NET_ARP_RETRY_NS;
        n->kick = 1;
    }
    data = bw_view(w);
    if (e->npend >= NET_ARP_PENDING_PER || n->arp_pend_free < 0 ||
        bv_len(&data) > NET_MTU_MAX ||
        (o && (o->m.flags || o->m.gso || o->ntail))) {
        n->st.arp.pending_drops++;
        return PITH_ELIMIT;
    }
    i = n->arp_pend_free;
    p = &n->arp_pend[i];
    n->arp_pend_free = p->next;
    p->next = -1;
    p->len = (uint16_t)bv_len(&data);
    pw = bw_make(p->buf, sizeof p->buf, ETH_HLEN);
    bw_append(&pw, bv_ptr(&data, 0, p->len), p->len);
    if (e->pend_tail >= 0)
        n->arp_pend[e->pend_tail].next = i;
    else
        e->pend_head = i;
    e->pend_tail = i;
    e->npend++;
    return PITH_OK;
}

void arp_announce(struct net *n)
{
    arp_send(n, ARP_OP_REQUEST, eth_broadcast, arp_zero_mac, n->addr);
}

uint64_t arp_tick(struct net *n, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    int i;

    for (i = 0; i < NET_ARP_ENTRIES; i++) {
        struct net_arp_entry *e = &n->arp[i];

        if (e->state == ARP_FAILED && now >= e->expires) {
            e->state = ARP_FREE;
        } else if (e->state == ARP_INCOMPLETE && now >= e->expires) {
            if (e->tries >= NET_ARP_TRIES) {
                n->st.arp.failed++;
                arp_drop_pending(n, e);
                e->state = ARP_FAILED;
                e->expires = now + NET_ARP_HOLD_NS;
            } else {
                arp_ask(n, e, 0, now);
                e->tries++;
                e->expires = now + NET_ARP_RETRY_NS;
            }
        }
        if (e->state == ARP_INCOMPLETE && e->expires < next)
            next = e->expires;
    }
    return next;
}

int arp_lookup(const struct net *n, uint32_t ip, uint64_t now,
               uint8_t mac[ETH_ALEN])
{
    int i;

    for (i = 0; i < NET_ARP_ENTRIES; i++) {
        const struct net_arp_entry *e = &n->arp[i];
        if (e->state == ARP_REACHABLE && e->ip == ip && now < e->expires) {
            if (mac)
                memcpy(mac, e->mac, ETH_ALEN);
            return 1;
        }
    }
    return 0;
}

void arp_gauges(const struct net *n, uint64_t *entries, uint64_t *pending)
{
    int i;

    *entries = *pending = 0;
    for (i = 0; i < NET_ARP_ENTRIES; i++) {
        if (n->arp[i].state != ARP_FREE)
            (*entries)++;
        *pending += n->arp[i].npend;
    }
}
