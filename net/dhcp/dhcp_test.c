/*
 * Unit tests for net/dhcp (RFC 2131, RFC 2132): the message's known bytes,
 * option parsing with every length check and Option Overload; the client
 * against a scripted server on the fake link: DISCOVER from 0.0.0.0 with
 * backoff (section 4.1), OFFER -> REQUEST -> ACK, the address, mask and
 * gateway it sets, the gratuitous ARP and the app's callback; IPv4 dropped
 * until bound; NAK and an unanswered REQUEST start over; renewal at T1 by
 * unicast, rebinding at T2 by broadcast, and expiry (section 4.4.5).
 */
#include <string.h>
#include <pith/err.h>
#include <pith/udp.h>

#include "../stack/nettest.h"
#include "dhcp.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX];
static int addr_calls;

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

static void on_addr(struct net *net, void *arg)
{
    (void)net;
    (void)arg;
    addr_calls++;
}

/* Starts (n) without an address, and the callback. */
static void up_dhcp(void)
{
    struct net_config c = {0, 0, 0, 0};

    nt_reset();
    net_close(&n);
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    net_on_addr(&n, on_addr, NULL);
    addr_calls = 0;
    T_CHECK(net_addr(&n) == 0);
}

/* Moves the clock to (t) ns and runs due work. */
static void at(uint64_t t)
{
    nt_now = t;
    net_tick(&n);
}

/* Parses nt_out[i] as a DHCP message from the client: 0 on success, with
 * its IPv4 header and its destination MAC. */
static int out_dhcp(size_t i, struct ip4_hdr *ih, struct dhcp_msg *m,
                    uint8_t dst[6])
{
    struct bv v, p, hdr, data, payload;
    struct eth_hdr eh;
    struct udp_hdr uh;

    if (i >= nt_nout)
        return -1;
    v = bv_make(nt_out[i].b, nt_out[i].len);
    if (eth_parse(&v, &eh, &p) < 0 || eh.type != ETH_TYPE_IP4 ||
        ip4_parse(&p, ih, &hdr, &data) < 0 ||
        ip4_csum_finish(ip4_csum_add(0, &hdr)) != 0 ||
        udp_parse(&data, &uh, &payload) < 0 || uh.sport != 68 ||
        uh.dport != 67 || !udp_csum_ok(&data, ih->src, ih->dst) ||
        dhcp_parse(&payload, m) < 0)
        return -1;
    memcpy(dst, eh.dst, 6);
    return 0;
}

/* How many of the frames sent are DHCP messages. */
static size_t ndhcp(void)
{
    struct dhcp_msg m;
    struct ip4_hdr ih;
    uint8_t mac[6];
    size_t i, k = 0;

    for (i = 0; i < nt_nout && i < NT_OUT_MAX; i++)
        k += out_dhcp(i, &ih, &m, mac) == 0;
    return k;
}

/* The last frame as DHCP: the message, and checks common to all. */
static struct dhcp_msg last(uint32_t src, uint32_t dst, int bcast_mac)
{
    struct dhcp_msg m;
    struct ip4_hdr ih;
    uint8_t mac[6];

    memset(&m, 0, sizeof m);
    T_CHECK(nt_nout > 0 && out_dhcp(nt_nout - 1, &ih, &m, mac) == 0);
    T_CHECK(ih.src == src && ih.dst == dst);
    T_CHECK((memcmp(mac, eth_broadcast, 6) == 0) == bcast_mac);
    T_CHECK(m.op == DHCP_OP_REQUEST && m.htype == 1 && m.hlen == 6 &&
            memcmp(m.chaddr, nt_mac, 6) == 0);
    return m;
}

/* A server's reply of (type) in (buf), RFC 2131 figure 1, with the
 * (olen) option bytes (opts) then End; returns its length. */
static size_t reply(uint8_t *buf, uint8_t type, uint32_t xid, uint32_t yiaddr,
                    const uint8_t *opts, size_t olen)
{
    size_t len = DHCP_OFF_OPTS;

    memset(buf, 0, 400);
    buf[0] = DHCP_OP_REPLY;
    buf[1] = 1;
    buf[2] = 6;
    buf[4] = (uint8_t)(xid >> 24);
    buf[5] = (uint8_t)(xid >> 16);
    buf[6] = (uint8_t)(xid >> 8);
    buf[7] = (uint8_t)xid;
    buf[16] = (uint8_t)(yiaddr >> 24);
    buf[17] = (uint8_t)(yiaddr >> 16);
    buf[18] = (uint8_t)(yiaddr >> 8);
    buf[19] = (uint8_t)yiaddr;
    memcpy(buf + DHCP_OFF_CHADDR, nt_mac, 6);
    buf[236] = 99;
    buf[237] = 130;
    buf[238] = 83;
    buf[239] = 99;
    if (type) {
        buf[len++] = DHCP_OPT_TYPE;
        buf[len++] = 1;
        buf[len++] = type;
    }
    if (olen)
        memcpy(buf + len, opts, olen);
    len += olen;
    buf[len++] = DHCP_OPT_END;
    return len < 300 ? 300 : len;
}

/* Options of a lease of 10.0.0.2/24 from server 10.0.0.1, router 10.0.0.1,
 * (lease) s, T1 (t1) s and T2 (t2) s. */
static size_t lease_opts(uint8_t *o, uint32_t lease, uint32_t t1, uint32_t t2)
{
    uint8_t b[] = {54, 4, 10, 0, 0, 1, 1,  4, 255, 255, 255, 0,
                   3,  4, 10, 0, 0, 1, 51, 4, 0,   0,   0,   0,
                   58, 4, 0,  0, 0, 0, 59, 4, 0,   0,   0,   0};
    b[20] = (uint8_t)(lease >> 24);
    b[21] = (uint8_t)(lease >> 16);
    b[22] = (uint8_t)(lease >> 8);
    b[23] = (uint8_t)lease;
    b[26] = (uint8_t)(t1 >> 24);
    b[27] = (uint8_t)(t1 >> 16);
    b[28] = (uint8_t)(t1 >> 8);
    b[29] = (uint8_t)t1;
    b[32] = (uint8_t)(t2 >> 24);
    b[33] = (uint8_t)(t2 >> 16);
    b[34] = (uint8_t)(t2 >> 8);
    b[35] = (uint8_t)t2;
    memcpy(o, b, sizeof b);
    return sizeof b;
}

/* The server sends (type) for (xid) offering 10.0.0.2 to (dst). */
static void server(uint8_t type, uint32_t xid, uint32_t dst, uint32_t lease)
{
    uint8_t msg[400], o[64];
    size_t ol = lease_opts(o, lease, lease / 2, lease / 8 * 7);
    size_t len = reply(msg, type, xid, NT_ADDR, o, ol);

    nt_input(&n, f, nt_udp(f, NT_PEER, 67, dst, 68, msg, len));
}

static void test_wire_known_answer(void)
{
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    uint8_t b[400];
    struct bw w = bw_make(b, sizeof b, 0);
    struct bv v;
    struct dhcp_msg m;
    static const uint8_t head[] = {1,    1,    6, 0, 0x12, 0x34,
                                   0x56, 0x78, 0, 3, 0x80, 0};
    static const uint8_t opts[] = {99, 130, 83, 99, 53, 1,  3,  50, 4, 10,
                                   0,  0,   2,  54, 4,  10, 0,  0,  1, 55,
                                   6,  1,   3,  51, 54, 58, 59, 255};

    T_CHECK(dhcp_write(&w, DHCP_REQUEST, 0x12345678, 3, DHCP_FLAG_BCAST, 0, mac,
                       NT_ADDR, NT_PEER) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == DHCP_MIN_LEN);
    T_CHECK(bv_eq(&v, 0, head, sizeof head));
    T_CHECK(bv_eq(&v, DHCP_OFF_CHADDR, mac, 6));
    T_CHECK(bv_eq(&v, DHCP_OFF_COOKIE, opts, sizeof opts));
    T_CHECK(bv_u8(&v, DHCP_MIN_LEN - 1) == 0 && bv_ok(&v));
    T_CHECK(dhcp_parse(&v, &m) == PITH_OK && m.type == DHCP_REQUEST &&
            m.xid == 0x12345678 && m.secs == 3 && m.flags == 0x8000 &&
            (m.has & DHCP_HAS_SERVER) && m.server == NT_PEER);
    /* No room: an error, never a write past the buffer. */
    w = bw_make(b, 100, 0);
    T_CHECK(dhcp_write(&w, DHCP_DISCOVER, 1, 0, 0, 0, mac, 0, 0) ==
            PITH_ENOMEM);
}

static void test_rfc2132_options(void)
{
    uint8_t msg[400], o[64];
    struct dhcp_msg m;
    struct bv v;
    size_t len;

    len = reply(msg, DHCP_ACK, 7, NT_ADDR, o, lease_opts(o, 600, 300, 500));
    v = bv_make(msg, len);
    T_CHECK(dhcp_parse(&v, &m) == PITH_OK);
    T_CHECK(m.op == 2 && m.type == DHCP_ACK && m.xid == 7 &&
            m.yiaddr == NT_ADDR && m.server == NT_PEER &&
            m.mask == 0xffffff00u && m.router == NT_PEER && m.lease == 600 &&
            m.t1 == 300 && m.t2 == 500 && m.has == 0x3f);

    /* Pad, an unknown option, two routers (the first counts), no End. */
    {
        uint8_t x[] = {0, 0, 200, 3, 1, 2, 3, 3, 8, 1, 2, 3, 4, 5, 6, 7, 8};
        len = reply(msg, DHCP_OFFER, 7, NT_ADDR, x, sizeof x);
        msg[DHCP_OFF_OPTS + 3 + sizeof x] = 0; /* End becomes Pad */
        v = bv_make(msg, DHCP_OFF_OPTS + 3 + sizeof x);
        T_CHECK(dhcp_parse(&v, &m) == PITH_OK && m.router == 0x01020304u &&
                m.has == DHCP_HAS_ROUTER && m.type == DHCP_OFFER);
    }
    /* Bad lengths of known options. */
    {
        static const uint8_t bad[][4] = {
            {53, 2, 1, 1}, {1, 3, 0, 0},  {3, 0, 0, 0},
            {3, 2, 0, 0},  {51, 2, 0, 0}, {54, 1, 0, 0},
            {58, 0, 0, 0}, {59, 3, 0, 0}, {52, 0, 0, 0},
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            len = reply(msg, 0, 7, 0, bad[i], 4);
            v = bv_make(msg, len);
            T_CHECKF(dhcp_parse(&v, &m) == PITH_EPROTO, "case %zu", i);
        }
    }
    /* An option running past the message, or its length byte missing. */
    len = reply(msg, DHCP_ACK, 7, 0, NULL, 0);
    msg[DHCP_OFF_OPTS + 3] = 51;
    msg[DHCP_OFF_OPTS + 4] = 4;
    v = bv_make(msg, DHCP_OFF_OPTS + 7);
    T_CHECK(dhcp_parse(&v, &m) == PITH_EPROTO);
    v = bv_make(msg, DHCP_OFF_OPTS + 4);
    T_CHECK(dhcp_parse(&v, &m) == PITH_EPROTO);
    /* Short, and a wrong cookie. */
    v = bv_make(msg, DHCP_OFF_OPTS - 1);
    T_CHECK(dhcp_parse(&v, &m) == PITH_ERANGE);
    len = reply(msg, DHCP_ACK, 7, 0, NULL, 0);
    msg[239] = 98;
    v = bv_make(msg, len);
    T_CHECK(dhcp_parse(&v, &m) == PITH_EPROTO);
    /* Option Overload (section 9.3): the lease in file, the server in
     * sname; an option there may not run past its field. */
    {
        uint8_t ov[] = {52, 1, 3};
        len = reply(msg, DHCP_ACK, 7, NT_ADDR, ov, sizeof ov);
        memcpy(msg + DHCP_OFF_FILE, (uint8_t[]){51, 4, 0, 0, 1, 0, 255}, 7);
        memcpy(msg + DHCP_OFF_SNAME, (uint8_t[]){54, 4, 10, 0, 0, 9, 255}, 7);
        v = bv_make(msg, len);
        T_CHECK(dhcp_parse(&v, &m) == PITH_OK && m.lease == 256 &&
                m.server == 0x0a000009u);
        msg[DHCP_OFF_SNAME + DHCP_SNAME_LEN - 2] = 12;
        msg[DHCP_OFF_SNAME + DHCP_SNAME_LEN - 1] = 4;
        msg[DHCP_OFF_SNAME + 6] = 0; /* Pad up to there */
        v = bv_make(msg, len);
        T_CHECK(dhcp_parse(&v, &m) == PITH_EPROTO);
    }
}

static void test_rfc2131_exchange(void)
{
    struct dhcp_msg m;
    struct eth_hdr eh;
    struct arp_pkt a;
    struct net_stats st;
    uint32_t xid;

    up_dhcp();
    T_CHECK(nt_nout == 0); /* the DISCOVER waits for the first tick */
    at(nt_now + 300 * NT_MS);
    T_CHECK(nt_nout == 1);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_DISCOVER && m.flags == DHCP_FLAG_BCAST &&
            m.ciaddr == 0 && !(m.has & DHCP_HAS_SERVER));
    xid = m.xid;

    /* Another xid, another MAC, a reply to someone else: ignored. */
    server(DHCP_OFFER, xid + 1, IP4_BROADCAST, 600);
    T_CHECK(nt_nout == 1 && stats().dhcp.rx_ignored == 1);
    /* An ACK before any REQUEST: ignored. */
    server(DHCP_ACK, xid, IP4_BROADCAST, 600);
    T_CHECK(nt_nout == 1 && stats().dhcp.rx_ignored == 2);

    /* The OFFER, to the offered address: a REQUEST, same xid. */
    nt_clear();
    server(DHCP_OFFER, xid, NT_ADDR, 600);
    T_CHECK(nt_nout == 1);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_REQUEST && m.xid == xid && m.ciaddr == 0 &&
            m.server == NT_PEER && net_addr(&n) == 0);

    /* The ACK: bound, with a gratuitous ARP. */
    nt_clear();
    server(DHCP_ACK, xid, IP4_BROADCAST, 600);
    T_CHECK(net_addr(&n) == NT_ADDR && addr_calls == 1);
    T_CHECK(n.mask == 0xffffff00u && n.gateway == NT_PEER);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0 &&
            a.op == ARP_OP_REQUEST && a.spa == NT_ADDR && a.tpa == NT_ADDR);
    st = stats();
    T_CHECK(st.dhcp.tx_discovers == 1 && st.dhcp.tx_requests == 1 &&
            st.dhcp.offers == 1 && st.dhcp.acks == 1 && st.dhcp.leases == 1 &&
            st.dhcp.rx == 4 && st.dhcp.rx_bad == 0);
    /* A second ACK while bound changes nothing. */
    server(DHCP_ACK, xid, IP4_BROADCAST, 600);
    T_CHECK(stats().dhcp.rx_ignored == 3 && addr_calls == 1);

    /* Bound: ping answered. */
    {
        uint8_t e[64];
        size_t el = nt_echo_msg(e, 1, 1, "x", 1);
        nt_learn_peer(&n);
        nt_input(&n, f,
                 nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, e, el));
        T_CHECK(nt_nout == 1 && stats().icmp.echo_replies == 1);
    }
}

/*
 * An OFFER from a server on the host arrives through a tap with its UDP
 * checksum left partial (Linux's CHECKSUM_PARTIAL: the field holds only
 * the pseudo-header's sum) and the device's NEEDS_CSUM: taken, as
 * udp_input() takes such datagrams. The same bytes with no word from the
 * device are refused, counted.
 */
static void test_offer_partial_checksum(void)
{
    uint8_t msg[400], o[64];
    struct plat_net_meta meta = {0};
    struct dhcp_msg m;
    size_t ol, len, flen;
    uint32_t xid;

    up_dhcp();
    at(nt_now + 300 * NT_MS);
    T_CHECK(nt_nout == 1);
    xid = last(0, IP4_BROADCAST, 1).xid;
    ol = lease_opts(o, 600, 300, 525);
    len = reply(msg, DHCP_OFFER, xid, NT_ADDR, o, ol);
    flen = nt_udp(f, NT_PEER, 67, IP4_BROADCAST, 68, msg, len);
    f[14 + 20 + 6] ^= 0x5a; /* not the full sum any more */
    nt_clear();
    nt_input(&n, f, flen);
    T_CHECK(nt_nout == 0 && stats().dhcp.rx_bad == 1);
    meta.flags = PLAT_NET_F_NEEDS_CSUM;
    meta.csum_start = 14 + 20;
    meta.csum_offset = 6;
    nt_input_meta(&n, f, flen, &meta);
    T_CHECK(nt_nout == 1 && stats().dhcp.rx_bad == 1);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_REQUEST && m.xid == xid);
}

static void test_unbound_drops_ip(void)
{
    uint8_t e[64];
    size_t el = nt_echo_msg(e, 1, 1, "x", 1);
    struct net_stats st;
    uint8_t bad[400];
    size_t len;

    up_dhcp();
    at(nt_now + 300 * NT_MS);
    nt_clear();
    /* Ping to the address we will have, to broadcast; UDP to port 7. */
    nt_input(&n, f, nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, e, el));
    nt_input(&n, f,
             nt_ip4(f, NT_PEER, IP4_BROADCAST, IP4_PROTO_ICMP, 2, 0, e, el));
    nt_input(&n, f, nt_udp(f, NT_PEER, 5000, IP4_BROADCAST, 7, "hi", 2));
    st = stats();
    T_CHECK(nt_nout == 0 && st.dhcp.rx_unbound == 3 && st.ip4.rx == 0);
    /* ARP for the address: not ours yet. */
    nt_input(&n, f,
             nt_arp(f, ARP_OP_REQUEST, nt_peer_mac, NT_PEER, nt_mac, NT_ADDR,
                    eth_broadcast));
    T_CHECK(nt_nout == 0);
    /* Malformed DHCP: from the wrong port, bad checksum, bad options. */
    len = reply(bad, DHCP_OFFER, n.dhcp.xid, NT_ADDR, NULL, 0);
    nt_input(&n, f, nt_udp(f, NT_PEER, 99, IP4_BROADCAST, 68, bad, len));
    nt_udp(f, NT_PEER, 67, IP4_BROADCAST, 68, bad, len);
    f[14 + 20 + 8 + 30] ^= 1;
    nt_input(&n, f, 14 + 20 + 8 + len);
    bad[DHCP_OFF_OPTS + 1] = 2;
    nt_input(&n, f, nt_udp(f, NT_PEER, 67, IP4_BROADCAST, 68, bad, len));
    /* An offer of a broadcast address, or without a server id. */
    len = reply(bad, DHCP_OFFER, n.dhcp.xid, IP4_BROADCAST, NULL, 0);
    nt_input(&n, f, nt_udp(f, NT_PEER, 67, IP4_BROADCAST, 68, bad, len));
    len = reply(bad, DHCP_OFFER, n.dhcp.xid, NT_ADDR, NULL, 0);
    nt_input(&n, f, nt_udp(f, NT_PEER, 67, IP4_BROADCAST, 68, bad, len));
    st = stats();
    T_CHECK(nt_nout == 0 && st.dhcp.rx_bad == 5 && st.dhcp.rx == 5 &&
            n.dhcp.state == DHCP_SELECTING);
}

static void test_rfc2131_4_1_backoff(void)
{
    /* 4, 8, 16, 32, 64, 64 s, each +-1 s. */
    static const unsigned want[] = {4, 8, 16, 32, 64, 64};
    uint64_t t, prev;
    size_t i;
    uint32_t xid;

    up_dhcp();
    at(nt_now + 300 * NT_MS);
    T_CHECK(nt_nout == 1);
    xid = n.dhcp.xid;
    prev = nt_now;
    for (i = 0; i < 6; i++) {
        for (t = prev; nt_nout == i + 1 && t < prev + 70 * NET_SEC_NS;)
            at(t += 10 * NT_MS);
        T_CHECKF(nt_nout == i + 2 &&
                     t - prev >= (want[i] - 1) * NET_SEC_NS - 10 * NT_MS &&
                     t - prev <= (want[i] + 1) * NET_SEC_NS + 10 * NT_MS,
                 "retransmission %zu after %llu ms", i,
                 (unsigned long long)((t - prev) / NT_MS));
        prev = t;
    }
    T_CHECK(n.dhcp.xid == xid && stats().dhcp.tx_discovers == 7);
}

/* Brings (n) to BOUND with a lease of (lease) s; returns the time of
 * the REQUEST that got it. */
static uint64_t bind(uint32_t lease)
{
    uint64_t t;

    up_dhcp();
    at(nt_now + 300 * NT_MS);
    server(DHCP_OFFER, n.dhcp.xid, IP4_BROADCAST, lease);
    t = nt_now;
    server(DHCP_ACK, n.dhcp.xid, IP4_BROADCAST, lease);
    T_CHECK(net_addr(&n) == NT_ADDR && n.dhcp.state == DHCP_BOUND);
    nt_learn_peer(&n);
    return t;
}

static void test_nak_and_silence_start_over(void)
{
    struct dhcp_msg m;
    uint32_t xid;
    uint64_t t;

    up_dhcp();
    at(nt_now + 300 * NT_MS);
    xid = n.dhcp.xid;
    server(DHCP_OFFER, xid, IP4_BROADCAST, 600);
    nt_clear();
    server(DHCP_NAK, xid, IP4_BROADCAST, 600);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_DISCOVER && m.xid != xid && stats().dhcp.naks == 1);

    /* A REQUEST sent NET_DHCP_REQUEST_TRIES times unanswered: DISCOVER. */
    nt_clear();
    server(DHCP_OFFER, m.xid, IP4_BROADCAST, 600);
    for (t = nt_now;
         nt_nout < NET_DHCP_REQUEST_TRIES + 1 && t < nt_now + 200 * NET_SEC_NS;)
        at(t += 100 * NT_MS);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(nt_nout == NET_DHCP_REQUEST_TRIES + 1 && m.type == DHCP_DISCOVER);

    /* A NAK while renewing drops the address. */
    bind(600);
    at(nt_now + 301 * NET_SEC_NS);
    T_CHECK(n.dhcp.state == DHCP_RENEWING);
    addr_calls = 0;
    server(DHCP_NAK, n.dhcp.xid, NT_ADDR, 600);
    T_CHECK(net_addr(&n) == 0 && addr_calls == 1 &&
            n.dhcp.state == DHCP_SELECTING);
}

static void test_rfc2131_4_4_5_renew_rebind_expire(void)
{
    struct dhcp_msg m;
    struct net_stats st;
    uint64_t base = bind(100), t;
    uint32_t xid;

    /* Before T1 (50 s): nothing. At T1: unicast REQUEST to the server,
     * from our address, ciaddr set, no server id. */
    nt_clear();
    at(base + 49 * NET_SEC_NS);
    T_CHECK(nt_nout == 0);
    at(base + 50 * NET_SEC_NS);
    m = last(NT_ADDR, NT_PEER, 0);
    T_CHECK(m.type == DHCP_REQUEST && m.ciaddr == NT_ADDR && m.flags == 0 &&
            !(m.has & DHCP_HAS_SERVER) && n.dhcp.state == DHCP_RENEWING);
    xid = m.xid;
    /* The server's ACK, unicast: a new lease from now. */
    nt_clear();
    addr_calls = 0;
    server(DHCP_ACK, xid, NT_ADDR, 100);
    T_CHECK(n.dhcp.state == DHCP_BOUND && addr_calls == 0 &&
            net_addr(&n) == NT_ADDR);
    base = nt_now;

    /* Silence: at T1 renewing, retransmitted no sooner than 60 s (so at
     * T2 here), at T2 (84 s) rebinding by broadcast, at the end (100 s)
     * no address and a DISCOVER. */
    nt_clear();
    at(base + 50 * NET_SEC_NS);
    T_CHECK(n.dhcp.state == DHCP_RENEWING);
    for (t = nt_now; t < base + 83 * NET_SEC_NS;)
        at(t += 500 * NT_MS);
    /* The server's MAC has expired and it does not answer ARP: its
     * REQUEST never left, and none was sent again. */
    T_CHECK(ndhcp() == 0);
    at(base + 84 * NET_SEC_NS);
    m = last(NT_ADDR, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_REQUEST && m.ciaddr == NT_ADDR &&
            n.dhcp.state == DHCP_REBINDING);
    at(base + 99 * NET_SEC_NS);
    T_CHECK(net_addr(&n) == NT_ADDR);
    addr_calls = 0;
    at(base + 100 * NET_SEC_NS);
    T_CHECK(net_addr(&n) == 0 && addr_calls == 1);
    m = last(0, IP4_BROADCAST, 1);
    T_CHECK(m.type == DHCP_DISCOVER);
    st = stats();
    T_CHECK(st.dhcp.renewing == 2 && st.dhcp.rebinding == 1 &&
            st.dhcp.expired == 1 && st.dhcp.leases == 2);

    /* Rebinding answered: bound again. */
    base = bind(100);
    at(base + 88 * NET_SEC_NS);
    T_CHECK(n.dhcp.state == DHCP_REBINDING || n.dhcp.state == DHCP_RENEWING);
    at(base + 88 * NET_SEC_NS);
    T_CHECK(n.dhcp.state == DHCP_REBINDING);
    server(DHCP_ACK, n.dhcp.xid, IP4_BROADCAST, 100);
    T_CHECK(n.dhcp.state == DHCP_BOUND && net_addr(&n) == NT_ADDR);

    /* An infinite lease never renews. */
    base = bind(0xffffffffu);
    nt_clear();
    at(base + 1000000 * NET_SEC_NS);
    T_CHECK(nt_nout == 0 && n.dhcp.state == DHCP_BOUND);
}

int main(void)
{
    T_RUN(test_wire_known_answer);
    T_RUN(test_rfc2132_options);
    T_RUN(test_rfc2131_exchange);
    T_RUN(test_offer_partial_checksum);
    T_RUN(test_unbound_drops_ip);
    T_RUN(test_rfc2131_4_1_backoff);
    T_RUN(test_nak_and_silence_start_over);
    T_RUN(test_rfc2131_4_4_5_renew_rebind_expire);
    net_close(&n);
    return t_done();
}
