/* dhcp: the DHCP client, wire to state machine. See dhcp.h. */
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>
#include <pith/plat.h>

#include "../eth/eth.h"
#include "../ip4/ip4.h"
#include "../stack/stack.h"
#include "../udp/udp_wire.h"
#include "dhcp.h"

/* ---- Packet ---- */

/* Reads a 4-byte option (d) of length (len) into (*x). */
static int dhcp_opt32(struct bv *d, uint8_t len, uint32_t *x)
{
    if (len != 4)
        return PITH_EPROTO;
    *x = bv_be32(d, 0);
    return PITH_OK;
}

/* Reads the options of one field (v) into (*m); Option Overload's value
 * goes to (*overload). */
static int dhcp_opts(struct bv v, struct dhcp_msg *m, uint8_t *overload)
{
    while (bv_len(&v) > 0) {
        uint8_t code = bv_u8(&v, 0), len;
        struct bv d;
        int rc = PITH_OK;

        if (code == DHCP_OPT_PAD) {
            bv_shift(&v, 1);
            continue;
        }
        if (code == DHCP_OPT_END)
            return PITH_OK;
        len = bv_u8(&v, 1);
        d = bv_sub(&v, 2, len);
        if (!bv_ok(&v))
            return PITH_EPROTO; /* runs past its field */
        switch (code) {
        case DHCP_OPT_TYPE:
        case DHCP_OPT_OVERLOAD:
            if (len != 1)
                return PITH_EPROTO;
            if (code == DHCP_OPT_TYPE)
                m->type = bv_u8(&d, 0);
            else
                *overload = bv_u8(&d, 0);
            break;
        case DHCP_OPT_MASK:
            rc = dhcp_opt32(&d, len, &m->mask);
            m->has |= DHCP_HAS_MASK;
            break;
        case DHCP_OPT_ROUTER:
            if (len == 0 || len % 4)
                return PITH_EPROTO;
            m->router = bv_be32(&d, 0);
            m->has |= DHCP_HAS_ROUTER;
            break;
        case DHCP_OPT_LEASE:
            rc = dhcp_opt32(&d, len, &m->lease);
            m->has |= DHCP_HAS_LEASE;
            break;
        case DHCP_OPT_SERVER:
            rc = dhcp_opt32(&d, len, &m->server);
            m->has |= DHCP_HAS_SERVER;
            break;
        case DHCP_OPT_T1:
            rc = dhcp_opt32(&d, len, &m->t1);
            m->has |= DHCP_HAS_T1;
            break;
        case DHCP_OPT_T2:
            rc = dhcp_opt32(&d, len, &m->t2);
            m->has |= DHCP_HAS_T2;
            break;
        default:
            break; /* not ours to understand */
        }
        if (rc < 0 || !bv_ok(&d))
            return PITH_EPROTO;
        bv_shift(&v, 2 + (size_t)len);
    }
    return PITH_OK;
}

int dhcp_parse(struct bv *v, struct dhcp_msg *m)
{
    uint8_t overload = 0, ignored = 0;
    uint32_t cookie;
    int rc;

    memset(m, 0, sizeof *m);
    m->op = bv_u8(v, DHCP_OFF_OP);
    m->htype = bv_u8(v, DHCP_OFF_HTYPE);
    m->hlen = bv_u8(v, DHCP_OFF_HLEN);
    m->xid = bv_be32(v, DHCP_OFF_XID);
    m->secs = bv_be16(v, DHCP_OFF_SECS);
    m->flags = bv_be16(v, DHCP_OFF_FLAGS);
    m->ciaddr = bv_be32(v, DHCP_OFF_CIADDR);
    m->yiaddr = bv_be32(v, DHCP_OFF_YIADDR);
    m->siaddr = bv_be32(v, DHCP_OFF_SIADDR);
    bv_copy(v, DHCP_OFF_CHADDR, m->chaddr, sizeof m->chaddr);
    cookie = bv_be32(v, DHCP_OFF_COOKIE);
    if (!bv_ok(v))
        return PITH_ERANGE;
    if (cookie != DHCP_COOKIE)
        return PITH_EPROTO;
    rc = dhcp_opts(bv_from(v, DHCP_OFF_OPTS), m, &overload);
    /* RFC 2132 section 9.3: 1 file, 2 sname, 3 both, read in that order;
     * an overload option there is not followed again. */
    if (rc == PITH_OK && (overload & 1))
        rc = dhcp_opts(bv_sub(v, DHCP_OFF_FILE, DHCP_FILE_LEN), m, &ignored);
    if (rc == PITH_OK && (overload & 2))
        rc = dhcp_opts(bv_sub(v, DHCP_OFF_SNAME, DHCP_SNAME_LEN), m, &ignored);
    return rc;
}

/* Appends option (code) with the (len) bytes at (data). */
static void dhcp_put_opt(struct bw *w, uint8_t code, const void *data,
                         uint8_t len)
{
    size_t at = w->len;

    if (!bw_put(w, 2))
        return;
    bw_set_u8(w, at, code);
    bw_set_u8(w, at + 1, len);
    bw_append(w, data, len);
}

static void dhcp_put_addr(struct bw *w, uint8_t code, uint32_t a)
{
    uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
                    (uint8_t)a};

    dhcp_put_opt(w, code, b, 4);
}

int dhcp_write(struct bw *w, uint8_t type, uint32_t xid, uint16_t secs,
               uint16_t flags, uint32_t ciaddr, const uint8_t mac[6],
               uint32_t reqaddr, uint32_t server)
{
    static const uint8_t params[] = {DHCP_OPT_MASK,  DHCP_OPT_ROUTER,
                                     DHCP_OPT_LEASE, DHCP_OPT_SERVER,
                                     DHCP_OPT_T1,    DHCP_OPT_T2};
    size_t at = w->len;
    uint8_t *p = bw_put(w, DHCP_OFF_OPTS), end = DHCP_OPT_END;

    if (!p)
        return PITH_ENOMEM;
    memset(p, 0, DHCP_OFF_OPTS);
    bw_set_u8(w, at + DHCP_OFF_OP, DHCP_OP_REQUEST);
    bw_set_u8(w, at + DHCP_OFF_HTYPE, DHCP_HTYPE_ETH);
    bw_set_u8(w, at + DHCP_OFF_HLEN, 6);
    bw_set_be32(w, at + DHCP_OFF_XID, xid);
    bw_set_be16(w, at + DHCP_OFF_SECS, secs);
    bw_set_be16(w, at + DHCP_OFF_FLAGS, flags);
    bw_set_be32(w, at + DHCP_OFF_CIADDR, ciaddr);
    bw_write(w, at + DHCP_OFF_CHADDR, mac, 6);
    bw_set_be32(w, at + DHCP_OFF_COOKIE, DHCP_COOKIE);
    dhcp_put_opt(w, DHCP_OPT_TYPE, &type, 1);
    if (reqaddr)
        dhcp_put_addr(w, DHCP_OPT_REQ_ADDR, reqaddr);
    if (server)
        dhcp_put_addr(w, DHCP_OPT_SERVER, server);
    dhcp_put_opt(w, DHCP_OPT_PARAMS, params, sizeof params);
    bw_append(w, &end, 1);
    if (bw_ok(w) && w->len - at < DHCP_MIN_LEN) {
        size_t pad = DHCP_MIN_LEN - (w->len - at);
        uint8_t *z = bw_put(w, pad);
        if (z)
            memset(z, 0, pad);
    }
    return bw_ok(w) ? PITH_OK : PITH_ENOMEM;
}

/* ---- Logic ---- */

static uint32_t dhcp_rand(void)
{
    uint8_t b[4];

    if (plat_entropy(b, sizeof b) < 0) {
        uint64_t t = plat_clock_monotonic();
        t ^= t >> 29;
        memcpy(b, &t, sizeof b);
    }
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

/* Whether (a) can be a host's unicast address at all. */
static int dhcp_unicast(uint32_t a)
{
    return a != 0 && a >> 24 != 127 && a >> 28 < 0xe;
}

/* Sends the message the state calls for: DISCOVER while selecting, else a
 * REQUEST (RFC 2131 section 4.3.2 and table 5 for its fields). */
static void dhcp_send(struct net *n, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;
    struct bw w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);
    uint32_t ciaddr = 0, req = 0, server = 0, dst = IP4_BROADCAST;
    uint64_t secs = (now - d->started) / NET_SEC_NS;
    uint16_t flags = DHCP_FLAG_BCAST; /* we cannot take unicast unbound */
    uint8_t type = DHCP_REQUEST;
    struct ip4_hdr h;
    int rc;

    switch (d->state) {
    case DHCP_SELECTING:
        type = DHCP_DISCOVER;
        break;
    case DHCP_REQUESTING:
        req = d->offered;
        server = d->server;
        break;
    case DHCP_RENEWING:
        if (d->server)
            dst = d->server;
        /* fall through */
    default: /* rebinding */
        ciaddr = n->addr;
        flags = 0;
    }
    if (dhcp_write(&w, type, d->xid, secs > 0xffff ? 0xffff : (uint16_t)secs,
                   flags, ciaddr, n->mac, req, server) < 0 ||
        udp_push(&w, DHCP_PORT_CLIENT, DHCP_PORT_SERVER, n->addr, dst) < 0)
        return; /* cannot happen: n->tx holds far more */
    if (dst != IP4_BROADCAST) {
        rc = ip4_output(n, &w, dst, IP4_PROTO_UDP);
    } else {
        /* Broadcast from 0.0.0.0 when unbound, which ip4_output() will not
         * route: the header is ours to write. */
        memset(&h, 0, sizeof h);
        h.len = (uint16_t)(IP4_HLEN + w.len);
        h.id = n->ip_id++;
        h.ttl = IP4_TTL;
        h.proto = IP4_PROTO_UDP;
        h.src = n->addr;
        h.dst = IP4_BROADCAST;
        if (ip4_push(&w, &h) < 0)
            return;
        n->st.ip4.tx++;
        rc = eth_output(n, &w, eth_broadcast, ETH_TYPE_IP4);
    }
    if (rc == PITH_OK && type == DHCP_DISCOVER)
        n->st.dhcp.tx_discovers++;
    else if (rc == PITH_OK)
        n->st.dhcp.tx_requests++;
}

/* Sends the state's message and sets the time of the next (RFC 2131
 * sections 4.1 and 4.4.5). */
static void dhcp_transmit(struct net *n, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;
    uint64_t wait, until;

    dhcp_send(n, now);
    if (d->tries < 255)
        d->tries++;
    if (d->state == DHCP_SELECTING || d->state == DHCP_REQUESTING) {
        wait = d->tries > 5 ? NET_DHCP_RETRY_MAX_NS
                            : NET_DHCP_RETRY_NS << (d->tries - 1);
        if (wait > NET_DHCP_RETRY_MAX_NS)
            wait = NET_DHCP_RETRY_MAX_NS;
        /* -1 s to +1 s, in ms */
        wait = wait - NET_SEC_NS + dhcp_rand() % 2001 * (NET_SEC_NS / 1000);
        d->next = now + wait;
    } else {
        until = d->state == DHCP_RENEWING ? d->t2 : d->expires;
        wait = until > now ? (until - now) / 2 : 0;
        if (wait < NET_DHCP_RENEW_MIN_NS)
            wait = NET_DHCP_RENEW_MIN_NS;
        d->next = until - now > wait ? now + wait : until;
    }
    n->kick = 1;
}

/* Starts over from INIT (RFC 2131 figure 5): a DISCOVER with a new xid. */
static void dhcp_discover(struct net *n, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;

    d->state = DHCP_SELECTING;
    d->xid = dhcp_rand();
    d->tries = 0;
    d->started = now;
    d->offered = d->server = 0;
    dhcp_transmit(n, now);
}

/* Moves to (state), RENEWING or REBINDING, with a new exchange. */
static void dhcp_extend(struct net *n, uint8_t state, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;

    d->state = state;
    d->xid = dhcp_rand();
    d->tries = 0;
    d->started = now;
    if (state == DHCP_RENEWING)
        n->st.dhcp.renewing++;
    else
        n->st.dhcp.rebinding++;
    dhcp_transmit(n, now);
}

/* Drops the address and starts over. */
static void dhcp_restart(struct net *n, uint64_t now)
{
    if (n->addr)
        net_set_addr(n, 0, 0, 0);
    dhcp_discover(n, now);
}

int dhcp_start(struct net *n)
{
    struct net_dhcp *d = &n->dhcp;

    memset(d, 0, sizeof *d);
    d->state = DHCP_INIT;
    d->next = ev_now() + (dhcp_rand() & 0xff) * (NET_SEC_NS / 1000);
    n->kick = 1;
    return PITH_OK;
}

/* The mask of (a)'s class, for a server that sends none. */
static uint32_t dhcp_classful(uint32_t a)
{
    if (!(a >> 31))
        return 0xff000000u;
    if (a >> 30 == 2)
        return 0xffff0000u;
    return 0xffffff00u;
}

/* Takes the lease of the ACK (m), or returns 0 when it cannot be used. */
static int dhcp_bind(struct net *n, const struct dhcp_msg *m)
{
    struct net_dhcp *d = &n->dhcp;
    uint32_t a = m->yiaddr, mask, gw = 0;
    uint64_t l, t1, t2;

    if (!dhcp_unicast(a) || !(m->has & DHCP_HAS_LEASE))
        return 0;
    mask = m->has & DHCP_HAS_MASK ? m->mask : dhcp_classful(a);
    if (mask == 0 || (~mask & (~mask + 1)) != 0) /* not contiguous */
        mask = dhcp_classful(a);
    if (mask < 0xfffffffeu && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
        return 0; /* the prefix's network or broadcast address */
    if ((m->has & DHCP_HAS_ROUTER) && dhcp_unicast(m->router) &&
        m->router != a && (m->router & mask) == (a & mask))
        gw = m->router;
    if (m->lease == 0xffffffffu) {
        d->t1 = d->t2 = d->expires = UINT64_MAX; /* infinite */
    } else {
        /* RFC 2131 section 4.4.5: T1 0.5, T2 0.875 of the lease, from
         * when the request was sent; the server's own if they are sane. */
        l = m->lease * NET_SEC_NS;
        t1 = m->has & DHCP_HAS_T1 ? m->t1 * NET_SEC_NS : l / 2;
        t2 = m->has & DHCP_HAS_T2 ? m->t2 * NET_SEC_NS : l / 8 * 7;
        if (t2 > l || t1 > t2) {
            t1 = l / 2;
            t2 = l / 8 * 7;
        }
        d->t1 = d->started + t1;
        d->t2 = d->started + t2;
        d->expires = d->started + l;
    }
    if (m->has & DHCP_HAS_SERVER)
        d->server = m->server;
    d->state = DHCP_BOUND;
    d->tries = 0;
    n->st.dhcp.leases++;
    n->kick = 1;
    net_set_addr(n, a, mask, gw);
    return 1;
}

/* Runs the state machine on the reply (m). */
static void dhcp_recv(struct net *n, const struct dhcp_msg *m, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;
    int other_server;

    if (m->op != DHCP_OP_REPLY || m->htype != DHCP_HTYPE_ETH || m->hlen != 6 ||
        m->xid != d->xid || memcmp(m->chaddr, n->mac, 6) != 0 ||
        d->state == DHCP_INIT || d->state == DHCP_BOUND) {
        n->st.dhcp.rx_ignored++;
        return;
    }
    /* While requesting an offer, only its server's answer counts. */
    other_server = d->state == DHCP_REQUESTING && (m->has & DHCP_HAS_SERVER) &&
                   m->server != d->server;
    switch (m->type) {
    case DHCP_OFFER:
        if (d->state != DHCP_SELECTING) {
            n->st.dhcp.rx_ignored++;
            return;
        }
        n->st.dhcp.offers++;
        if (!(m->has & DHCP_HAS_SERVER) || !dhcp_unicast(m->yiaddr)) {
            n->st.dhcp.rx_bad++;
            return;
        }
        /* The first acceptable offer (section 4.4.1 lets us choose). */
        d->offered = m->yiaddr;
        d->server = m->server;
        d->state = DHCP_REQUESTING;
        d->tries = 0;
        d->started = now;
        dhcp_transmit(n, now);
        return;
    case DHCP_ACK:
        if (d->state == DHCP_SELECTING || other_server) {
            n->st.dhcp.rx_ignored++;
            return;
        }
        n->st.dhcp.acks++;
        if (!dhcp_bind(n, m)) {
            n->st.dhcp.rx_bad++;
            dhcp_restart(n, now);
        }
        return;
    case DHCP_NAK:
        if (d->state == DHCP_SELECTING || other_server) {
            n->st.dhcp.rx_ignored++;
            return;
        }
        n->st.dhcp.naks++;
        dhcp_restart(n, now);
        return;
    default:
        n->st.dhcp.rx_ignored++;
    }
}

int dhcp_input(struct net *n, struct bv *pkt)
{
    struct bv v = *pkt, hdr, data, seg, payload;
    struct ip4_hdr h;
    struct udp_hdr u;
    struct dhcp_msg m;

    if (ip4_parse(&v, &h, &hdr, &data) < 0 || h.proto != IP4_PROTO_UDP ||
        (h.frag & (IP4_MF | IP4_OFF_MASK)))
        return 0;
    if (bv_be16(&data, UDP_OFF_DPORT) != DHCP_PORT_CLIENT || !bv_ok(&data))
        return 0;
    n->st.dhcp.rx++;
    if (ip4_csum_finish(ip4_csum_add(0, &hdr)) != 0 ||
        udp_parse(&data, &u, &payload) < 0 || u.sport != DHCP_PORT_SERVER) {
        n->st.dhcp.rx_bad++;
        return 1;
    }
    seg = bv_sub(&data, 0, u.len);
    /* As udp_input(): a checksum the device vouched for (a server on
     * the host leaves it partial) is not checked again. */
    if (!ip4_csum_vouched(n, bv_len(&hdr)) &&
        !udp_csum_ok(&seg, h.src, h.dst)) {
        n->st.dhcp.rx_bad++;
        return 1;
    }
    /* Unbound, a server may send to the address it offers (we ask for
     * broadcast, but need not get it); bound, only to us. */
    if (n->addr && h.dst != n->addr && !ip4_is_bcast(n, h.dst)) {
        n->st.dhcp.rx_ignored++;
        return 1;
    }
    if (dhcp_parse(&payload, &m) < 0) {
        n->st.dhcp.rx_bad++;
        return 1;
    }
    dhcp_recv(n, &m, ev_now());
    return 1;
}

uint64_t dhcp_tick(struct net *n, uint64_t now)
{
    struct net_dhcp *d = &n->dhcp;
    uint64_t next;

    switch (d->state) {
    case DHCP_INIT:
        if (now >= d->next)
            dhcp_discover(n, now);
        break;
    case DHCP_SELECTING:
        if (now >= d->next)
            dhcp_transmit(n, now);
        break;
    case DHCP_REQUESTING:
        if (now >= d->next && d->tries >= NET_DHCP_REQUEST_TRIES)
            dhcp_discover(n, now); /* no ACK: start over */
        else if (now >= d->next)
            dhcp_transmit(n, now);
        break;
    default: /* bound, renewing, rebinding */
        if (now >= d->expires) {
            n->st.dhcp.expired++; /* section 4.4.5: stop using it */
            dhcp_restart(n, now);
        } else if (d->state == DHCP_BOUND && now >= d->t1) {
            dhcp_extend(n, DHCP_RENEWING, now);
        } else if (d->state != DHCP_REBINDING && now >= d->t2) {
            dhcp_extend(n, DHCP_REBINDING, now);
        } else if (d->state != DHCP_BOUND && now >= d->next) {
            dhcp_transmit(n, now);
        }
    }
    switch (d->state) {
    case DHCP_BOUND:
        next = d->t1 < d->expires ? d->t1 : d->expires;
        break;
    case DHCP_RENEWING:
        next = d->next < d->t2 ? d->next : d->t2;
        break;
    case DHCP_REBINDING:
        next = d->next < d->expires ? d->next : d->expires;
        break;
    default:
        next = d->next;
    }
    return next;
}
