/*
 * Unit tests for net/ip4: the Internet checksum (RFC 1071) on known
 * answers and against a plain reference; the header's known bytes both
 * ways; every header check of RFC 791/1122 with its counter; routing;
 * fragmentation on send (RFC 791 3.2) at two MTUs and through an ARP
 * queue; reassembly in order, out of order, with duplicates, consistent
 * and inconsistent overlaps, bad geometry, the time bound and the slot
 * bound, up to the largest datagram.
 */
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>

#include "../stack/nettest.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX];
static uint8_t msg[65536], back[65536];

/* The header example of RFC 1071's readers: 192.168.0.1 -> .199, UDP. */
static const uint8_t hdr_example[20] = {
    0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

static void test_rfc1071_known_answers(void)
{
    static const uint8_t ex[8] = {0x00, 0x01, 0xf2, 0x03,
                                  0xf4, 0xf5, 0xf6, 0xf7};
    uint8_t h[20];
    struct bv v = bv_make(ex, sizeof ex);

    /* RFC 1071 section 3: the sum of this example is ddf2. */
    T_CHECK(ip4_csum_add(0, &v) == 0xddf2);
    T_CHECK(ip4_csum_finish(0xddf2) == 0x220d);
    v = bv_make(hdr_example, sizeof hdr_example);
    T_CHECK(ip4_csum_finish(ip4_csum_add(0, &v)) == 0);
    memcpy(h, hdr_example, sizeof h);
    h[10] = h[11] = 0;
    v = bv_make(h, sizeof h);
    T_CHECK(ip4_csum_finish(ip4_csum_add(0, &v)) == 0xb861);
    /* Empty adds nothing; all ones is ones' complement zero. */
    v = bv_make(NULL, 0);
    T_CHECK(ip4_csum_add(0x1234, &v) == 0x1234);
    memset(h, 0xff, sizeof h);
    v = bv_make(h, sizeof h);
    T_CHECK(ip4_csum_finish(ip4_csum_add(0, &v)) == 0);
}

static void test_csum_matches_reference(void)
{
    static uint8_t buf[4096 + 8];
    size_t len, align, i;
    unsigned seed = 7;

    for (i = 0; i < sizeof buf; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = (uint8_t)(seed >> 16);
    }
    for (align = 0; align < 8; align++) {
        for (len = 0; len <= 300; len++) {
            struct bv v = bv_make(buf + align, len);
            T_CHECKF(ip4_csum_finish(ip4_csum_add(0, &v)) ==
                         nt_ref_csum(buf + align, len),
                     "len %zu align %zu", len, align);
        }
        {
            struct bv v = bv_make(buf + align, 4096);
            T_CHECK(ip4_csum_finish(ip4_csum_add(0, &v)) ==
                    nt_ref_csum(buf + align, 4096));
        }
    }
    /* In pieces, even lengths first, as headers then data are summed. */
    {
        struct bv a = bv_make(buf, 20), b = bv_make(buf + 20, 8),
                  c = bv_make(buf + 28, 1001);
        uint32_t s = ip4_csum_add(ip4_csum_add(ip4_csum_add(0, &a), &b), &c);
        T_CHECK(ip4_csum_finish(s) == nt_ref_csum(buf, 1029));
    }
    /* The pseudo-header is the same words as a 12-byte header. */
    {
        uint8_t ph[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0x05, 0xdc};
        T_CHECK(ip4_csum_finish(ip4_csum_pseudo(NT_PEER, NT_ADDR, 17, 1500)) ==
                nt_ref_csum(ph, 12));
    }
}

static void test_header_known_answer(void)
{
    uint8_t buf[64];
    struct bw w = bw_make(buf, sizeof buf, IP4_HLEN);
    struct ip4_hdr h, g;
    struct bv v, hdr, data;

    memset(&h, 0, sizeof h);
    h.len = 0x73;
    h.frag = IP4_DF;
    h.ttl = 64;
    h.proto = IP4_PROTO_UDP;
    h.src = 0xc0a80001;
    h.dst = 0xc0a800c7;
    T_CHECK(ip4_push(&w, &h) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_eq(&v, 0, hdr_example, 20));
    v = bv_make(hdr_example, sizeof hdr_example);
    T_CHECK(ip4_parse(&v, &g, &hdr, &data) == PITH_ERANGE); /* len 0x73 */
    memset(buf, 0, sizeof buf);
    memcpy(buf, hdr_example, 20);
    buf[3] = 40; /* 20 bytes of data */
    buf[10] = buf[11] = 0;
    v = bv_make(buf, sizeof buf); /* 24 bytes of padding after it */
    T_CHECK(ip4_parse(&v, &g, &hdr, &data) == PITH_OK);
    T_CHECK(g.hlen == 20 && g.len == 40 && g.ttl == 64 && g.proto == 17);
    T_CHECK(g.frag == IP4_DF && g.src == 0xc0a80001 && g.dst == 0xc0a800c7);
    T_CHECK(bv_len(&hdr) == 20 && bv_len(&data) == 20);
}

static void test_parse_rejects(void)
{
    uint8_t b[80];
    struct ip4_hdr h;
    struct bv v, hdr, data;
    size_t len;

    memset(b, 0, sizeof b);
    b[0] = 0x45;
    b[3] = 60;
    for (len = 0; len < 20; len++) {
        v = bv_make(b, len);
        T_CHECK(ip4_parse(&v, &h, &hdr, &data) < 0);
    }
    v = bv_make(b, 60);
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_OK);
    v = bv_make(b, 59); /* total length beyond the packet */
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_ERANGE);
    b[3] = 19; /* total length below the header */
    v = bv_make(b, 60);
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_ERANGE);
    b[3] = 60;
    b[0] = 0x65; /* IPv6 */
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_EPROTO);
    b[0] = 0x44; /* header of 16 bytes */
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_EPROTO);
    b[0] = 0x4f; /* header of 60 bytes in a 40-byte packet */
    b[3] = 40;
    v = bv_make(b, 40);
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_ERANGE);
    b[3] = 64; /* options: 60-byte header, 4 bytes of data */
    v = bv_make(b, 64);
    T_CHECK(ip4_parse(&v, &h, &hdr, &data) == PITH_OK);
    T_CHECK(bv_len(&hdr) == 60 && bv_len(&data) == 4);
}

/* An echo request for us from the peer, as a frame; its length. */
static size_t echo_frame(uint32_t src, uint32_t dst, size_t dlen)
{
    size_t m = nt_echo_msg(msg, 1, 2, back, dlen);
    return nt_ip4(f, src, dst, IP4_PROTO_ICMP, 7, 0, msg, m);
}

static void fix_csum(uint8_t *frame)
{
    struct bv v;
    frame[ETH_HLEN + 10] = frame[ETH_HLEN + 11] = 0;
    v = bv_make(frame + ETH_HLEN, (size_t)(frame[ETH_HLEN] & 0xf) * 4);
    uint16_t c = ip4_csum_finish(ip4_csum_add(0, &v));
    frame[ETH_HLEN + 10] = (uint8_t)(c >> 8);
    frame[ETH_HLEN + 11] = (uint8_t)c;
}

static void test_rfc1122_input_checks(void)
{
    size_t len;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    len = echo_frame(NT_PEER, NT_ADDR, 32);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 1 && stats().icmp.echo_replies == 1);
    nt_clear();

    len = echo_frame(NT_PEER, NT_ADDR, 32);
    f[ETH_HLEN] = 0x55; /* version 5 */
    fix_csum(f);
    nt_input(&n, f, len);
    len = echo_frame(NT_PEER, NT_ADDR, 32);
    f[ETH_HLEN + 8] = 0; /* TTL 0 */
    fix_csum(f);
    nt_input(&n, f, len);
    T_CHECK(stats().ip4.rx_bad_header == 2);

    len = echo_frame(NT_PEER, NT_ADDR, 32);
    f[ETH_HLEN + 12] ^= 1;
    nt_input(&n, f, len);
    T_CHECK(stats().ip4.rx_bad_checksum == 1);

    len = echo_frame(NT_PEER, NT_ADDR, 32);
    nt_input(&n, f, len - 1); /* total length beyond the frame */
    T_CHECK(stats().ip4.rx_bad_length == 1);

    nt_input(&n, f, echo_frame(NT_PEER, 0x0a000009, 32));
    nt_input(&n, f, echo_frame(NT_PEER, 0xe0000001, 32)); /* multicast */
    T_CHECK(stats().ip4.rx_not_us == 2);
    nt_input(&n, f, echo_frame(0xffffffff, NT_ADDR, 32));
    nt_input(&n, f, echo_frame(0x0a0000ff, NT_ADDR, 32));
    nt_input(&n, f, echo_frame(NT_ADDR, NT_ADDR, 32));
    nt_input(&n, f, echo_frame(0xe0000001, NT_ADDR, 32));
    T_CHECK(stats().ip4.rx_bad_src == 4);
    /* To a broadcast: delivered, but echo is not answered. */
    nt_input(&n, f, echo_frame(NT_PEER, 0xffffffff, 32));
    nt_input(&n, f, echo_frame(NT_PEER, 0x0a0000ff, 32));
    T_CHECK(stats().icmp.rx_ignored == 2);
    T_CHECK(nt_nout == 0 && stats().icmp.echo_replies == 1);

    /* Trailing bytes after the total length (Ethernet padding). */
    len = echo_frame(NT_PEER, NT_ADDR, 0);
    memset(f + len, 0xee, 20);
    nt_input(&n, f, len + 20);
    T_CHECK(nt_nout == 1 && stats().icmp.echo_replies == 2);
}

/* RFC 791 3.1: options are skipped; the datagram is still ours. */
static void test_options_skipped(void)
{
    uint8_t opt[8 + 64];
    struct ip4_hdr h;
    struct bv d;
    size_t m;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    m = nt_echo_msg(msg, 9, 9, "options!", 8);
    /* A 28-byte header: 20 + NOP NOP NOP NOP + EOL... */
    memset(opt, 0, sizeof opt);
    memcpy(opt + 8, msg, m);
    {
        size_t len =
            nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, opt, 8 + m);
        /* Move the 8 option bytes into the header: IHL 7. */
        f[ETH_HLEN] = 0x47;
        f[ETH_HLEN + 20] = 1;
        f[ETH_HLEN + 21] = 1;
        fix_csum(f);
        nt_input(&n, f, len);
    }
    T_CHECK(nt_nout == 1 && nt_out_ip4(0, &h, &d) == 0);
    T_CHECK(h.hlen == 20 && bv_len(&d) == m && bv_u8(&d, 0) == 0);
    T_CHECK(bv_eq(&d, 8, "options!", 8));
}

/* RFC 791 3.1: an option's length counts its type and length octets
 * and ends inside the header. One that does not (length 0 or 1, past the
 * header, or no room for the length at all) makes the packet malformed:
 * dropped as a bad header, not answered, as Linux does. */
static void test_options_malformed(void)
{
    static const struct {
        const char *why;
        uint8_t opt[8];
    } bad[] = {
        {"length 0", {7, 0, 0, 0, 0, 0, 0, 0}},
        {"length 1", {7, 1, 0, 0, 0, 0, 0, 0}},
        {"length past the header", {7, 40, 4, 0, 0, 0, 0, 0}},
        {"after NOPs, past the header", {1, 1, 1, 1, 0x83, 5, 4, 0}},
        {"no room for the length", {1, 1, 1, 1, 1, 1, 1, 0x44}},
    };
    uint8_t opt[8 + 64];
    size_t m, len, i;
    struct ip4_hdr h;
    struct bv v, hdr, d;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    m = nt_echo_msg(msg, 9, 9, "options!", 8);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(opt, 0, sizeof opt);
        memcpy(opt + 8, msg, m);
        len = nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, opt, 8 + m);
        f[ETH_HLEN] = 0x47; /* the 8 bytes before the message: options */
        memcpy(f + ETH_HLEN + 20, bad[i].opt, 8);
        fix_csum(f);
        v = bv_make(f + ETH_HLEN, len - ETH_HLEN);
        T_CHECKF(ip4_parse(&v, &h, &hdr, &d) == PITH_EPROTO, "%s", bad[i].why);
        nt_input(&n, f, len);
        T_CHECKF(nt_nout == 0 && stats().ip4.rx_bad_header == i + 1 &&
                     stats().icmp.rx == 0,
                 "%s: %zu frames out, %llu bad headers", bad[i].why, nt_nout,
                 (unsigned long long)stats().ip4.rx_bad_header);
    }
    /* Options that end exactly at the header's end, then one with a
     * length the walk skips without knowing it: still ours. */
    memcpy(f + ETH_HLEN + 20, "\x01\x83\x07\x04\0\0\0\0", 8);
    fix_csum(f);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 1 && stats().icmp.echo_replies == 1);
}

static void test_route(void)
{
    struct net_config c = {NT_ADDR, 24, 0, 0};
    uint32_t nh;

    T_CHECK(nt_up(&n) == PITH_OK);
    T_CHECK(ip4_route(&n, NT_OTHER, &nh) == 0 && nh == NT_OTHER);
    T_CHECK(ip4_route(&n, NT_FAR, &nh) == 0 && nh == NT_PEER);
    T_CHECK(ip4_route(&n, 0xffffffff, &nh) == 0 && nh == IP4_BROADCAST);
    T_CHECK(ip4_route(&n, 0x0a0000ff, &nh) == 0 && nh == IP4_BROADCAST);
    T_CHECK(ip4_route(&n, NT_ADDR, &nh) == PITH_ENOENT);
    T_CHECK(ip4_route(&n, 0, &nh) == PITH_ENOENT);
    T_CHECK(ip4_route(&n, 0xe0000001, &nh) == PITH_ENOENT);
    net_close(&n);
    nt_reset();
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    T_CHECK(ip4_route(&n, NT_FAR, &nh) == PITH_ENOENT);
    {
        uint8_t buf[NET_HEADROOM + 4];
        struct bw w = bw_make(buf, sizeof buf, NET_HEADROOM);
        bw_append(&w, "data", 4);
        T_CHECK(ip4_output(&n, &w, NT_FAR, 253) == PITH_ENOENT);
        T_CHECK(stats().ip4.tx_no_route == 1);
    }
    /* A /31 has no broadcast address (RFC 3021). */
    net_close(&n);
    c.prefix = 31;
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    T_CHECK(ip4_route(&n, 0x0a000003, &nh) == 0 && nh == 0x0a000003);
    net_close(&n);
}

/* Sends (len) bytes of protocol 253 to the peer; returns ip4_output's. */
static int send_payload(size_t len)
{
    struct bw w = bw_make(n.tx, sizeof n.tx, NET_HEADROOM);
    size_t i;

    for (i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    bw_append(&w, msg, len);
    return ip4_output(&n, &w, NT_PEER, 253);
}

static void test_rfc791_fragmentation(void)
{
    struct ip4_hdr h, h0;
    struct bv d;
    size_t i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    T_CHECK(send_payload(1480) == PITH_OK && nt_nout == 1); /* fits */
    T_CHECK(nt_out[0].len == 1514);
    nt_clear();
    T_CHECK(send_payload(8000) == PITH_OK);
    T_CHECK(nt_nout == 6 && stats().ip4.tx_fragments == 6);
    for (i = 0; i < 6; i++) {
        T_CHECK(nt_out_ip4(i, &h, &d) == 0);
        T_CHECK(nt_out_ip4(0, &h0, &d) == 0 && nt_out_ip4(i, &h, &d) == 0);
        T_CHECK(h.proto == 253 && h.id == h0.id && h.ttl == IP4_TTL);
        T_CHECK((h.frag & IP4_OFF_MASK) * 8u == i * 1480);
        T_CHECK(bv_len(&d) == (i < 5 ? 1480 : 8000 - 5 * 1480));
        T_CHECK(nt_out[i].len <= 1514);
    }
    T_CHECK(nt_out_reassemble(0, 6, back, sizeof back) == 8000);
    T_CHECK(memcmp(back, msg, 8000) == 0);

    /* The largest datagram, and one byte more. */
    nt_clear();
    T_CHECK(send_payload(NET_IP4_DATA_MAX) == PITH_OK && nt_nout == 45);
    T_CHECK(nt_out_reassemble(0, 45, back, sizeof back) == NET_IP4_DATA_MAX);
    T_CHECK(memcmp(back, msg, NET_IP4_DATA_MAX) == 0);
    T_CHECK(send_payload(NET_IP4_DATA_MAX + 1) == PITH_ERANGE);
    T_CHECK(nt_bad_writes == 0);
}

static void test_fragmentation_small_mtu_and_arp_queue(void)
{
    struct net_config c = {NT_ADDR, 24, NT_PEER, 0};
    struct eth_hdr eh;
    struct arp_pkt a;
    size_t i, len;

    net_close(&n);
    nt_reset();
    nt_mtu = 576;
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    nt_clear();
    /* Unresolved: the fragments wait for ARP, then go in order. */
    T_CHECK(send_payload(3000) == PITH_OK);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0);
    T_CHECK(stats().arp.pending == 6); /* 552 * 5 + 240 */
    nt_clear();
    len =
        nt_arp(f, ARP_OP_REPLY, nt_peer_mac, NT_PEER, nt_mac, NT_ADDR, nt_mac);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 6);
    for (i = 0; i < 6; i++)
        T_CHECK(nt_out[i].len <= 576 + 14);
    T_CHECK(nt_out_reassemble(0, 6, back, sizeof back) == 3000);
    T_CHECK(memcmp(back, msg, 3000) == 0 && nt_bad_writes == 0);
    net_close(&n);
}

/* Sends fragment [off, off + len) of msg[] as datagram (id). */
static void frag_in(uint16_t id, size_t off, size_t len, int more)
{
    size_t fl =
        nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, id,
               (uint16_t)(off / 8 | (more ? IP4_MF : 0)), msg + off, len);
    nt_input(&n, f, fl);
}

/* An echo request message of (dlen) data bytes in msg[]; its length. */
static size_t make_echo(size_t dlen, uint8_t seed)
{
    size_t i;
    for (i = 0; i < dlen; i++)
        back[i] = (uint8_t)(seed + i * 13);
    return nt_echo_msg(msg, 0x77, seed, back, dlen);
}

/* Whether the stack's last frames are an echo reply matching msg[]. */
static int replied(size_t mlen)
{
    static uint8_t got[65536];
    long k = nt_out_reassemble(0, nt_nout, got, sizeof got);

    return k == (long)mlen && got[0] == ICMP_ECHO_REPLY &&
           memcmp(got + 4, msg + 4, mlen - 4) == 0 &&
           nt_ref_csum(got, mlen) == 0;
}

static void test_reassembly_orders(void)
{
    static const int orders[4][3] = {
        {0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}};
    size_t m;
    int o, k;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    for (o = 0; o < 4; o++) {
        m = make_echo(3000 - 8, (uint8_t)o); /* 1480 + 1480 + 40 */
        for (k = 0; k < 3; k++) {
            int i = orders[o][k];
            frag_in((uint16_t)(100 + o), (size_t)i * 1480,
                    i < 2 ? 1480 : m - 2960, i < 2);
        }
        T_CHECKF(replied(m), "order %d", o);
        nt_clear();
    }
    T_CHECK(stats().ip4.reasm_ok == 4 && stats().ip4.reasm_active == 0);
    T_CHECK(stats().ip4.rx_fragments == 12);
}

static void test_reassembly_duplicates_and_overlaps(void)
{
    size_t m;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    /* Duplicates, and overlaps that agree: fine. */
    m = make_echo(3000 - 8, 1);
    frag_in(1, 0, 1480, 1);
    frag_in(1, 0, 1480, 1);
    frag_in(1, 800, 1480, 1);
    frag_in(1, 2960, m - 2960, 0);
    frag_in(1, 2960, m - 2960, 0);
    T_CHECK(nt_nout == 0);
    frag_in(1, 1480, 1480, 1);
    T_CHECK(replied(m) && stats().ip4.reasm_ok == 1);
    nt_clear();

    /* An overlap that disagrees drops the datagram (RFC 5722 reasoning). */
    m = make_echo(3000 - 8, 2);
    frag_in(2, 0, 1480, 1);
    msg[1000] ^= 0xff;
    frag_in(2, 800, 1480, 1);
    msg[1000] ^= 0xff;
    T_CHECK(stats().ip4.reasm_overlaps == 1);
    T_CHECK(stats().ip4.reasm_active == 0);
    frag_in(2, 1480, 1480, 1);
    frag_in(2, 2960, m - 2960, 0);
    T_CHECK(nt_nout == 0); /* the first part is gone */
    T_CHECK(stats().ip4.reasm_active == 1);

    /* The end may not move, and nothing may lie past it. */
    nt_up(&n);
    nt_learn_peer(&n);
    m = make_echo(3000 - 8, 3);
    frag_in(3, 2960, 40, 0);
    frag_in(3, 2960, 32, 0);
    T_CHECK(stats().ip4.reasm_overlaps == 1);
    frag_in(4, 1480, 16, 0);
    frag_in(4, 0, 1504, 1); /* more to come, past the end (1496) */
    T_CHECK(stats().ip4.reasm_overlaps == 2);
    frag_in(5, 0, 1480, 1);
    frag_in(5, 2960, 40, 0);
    frag_in(5, 1480, 1528, 1); /* past the end (3000) */
    T_CHECK(stats().ip4.reasm_overlaps == 3 && nt_nout == 0);
}

static void test_reassembly_bad_geometry(void)
{
    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    make_echo(2000, 1);
    frag_in(1, 0, 1001, 1);  /* more to come, not 8-byte aligned */
    frag_in(2, 65512, 8, 0); /* ends past 65515 */
    frag_in(3, 8, 0, 1);     /* empty */
    T_CHECK(stats().ip4.reasm_bad == 3);
    T_CHECK(stats().ip4.reasm_active == 0);
    /* Exactly the largest payload is fine. */
    frag_in(4, 65504, 11, 0);
    T_CHECK(stats().ip4.reasm_bad == 3 && stats().ip4.reasm_active == 1);
}

static void test_reassembly_time_bound(void)
{
    uint64_t t0;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    make_echo(3000 - 8, 1);
    t0 = nt_now;
    frag_in(1, 0, 1480, 1);
    net_kick(&n);
    T_CHECK(ev_timer_armed(&n.timer) &&
            n.timer.deadline == t0 + NET_REASM_TIMEOUT_NS);
    nt_now = t0 + NET_REASM_TIMEOUT_NS - 1;
    net_tick(&n);
    T_CHECK(stats().ip4.reasm_active == 1);
    frag_in(1, 1480, 1480, 1); /* more fragments do not extend it */
    nt_now = t0 + NET_REASM_TIMEOUT_NS;
    net_tick(&n);
    T_CHECK(stats().ip4.reasm_active == 0);
    T_CHECK(stats().ip4.reasm_timeouts == 1);
    T_CHECK(!ev_timer_armed(&n.timer));
}

static void test_reassembly_slot_bound(void)
{
    size_t m;
    int i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    m = make_echo(3000 - 8, 1);
    for (i = 0; i < NET_REASM_SLOTS + 1; i++) {
        nt_now += NT_MS;
        frag_in((uint16_t)(10 + i), 0, 1480, 1);
    }
    T_CHECK(stats().ip4.reasm_active == NET_REASM_SLOTS);
    T_CHECK(stats().ip4.reasm_evictions == 1);
    /* The oldest (10) is gone; the newest (14) completes. */
    frag_in(14, 1480, 1480, 1);
    frag_in(14, 2960, m - 2960, 0);
    T_CHECK(replied(m));
    nt_clear();
    frag_in(10, 1480, 1480, 1);
    frag_in(10, 2960, m - 2960, 0);
    T_CHECK(nt_nout == 0);
}

/* ping -s 65507: the largest echo, reassembled and sent back in 45. */
static void test_largest_ping(void)
{
    size_t m, off;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    m = make_echo(65507, 5);
    T_CHECK(m == NET_IP4_DATA_MAX);
    for (off = 0; off < m; off += 1480)
        frag_in(9, off, m - off < 1480 ? m - off : 1480, off + 1480 < m);
    T_CHECK(nt_nout == 45 && replied(m));
}

int main(void)
{
    T_RUN(test_rfc1071_known_answers);
    T_RUN(test_csum_matches_reference);
    T_RUN(test_header_known_answer);
    T_RUN(test_parse_rejects);
    T_RUN(test_rfc1122_input_checks);
    T_RUN(test_options_skipped);
    T_RUN(test_options_malformed);
    T_RUN(test_route);
    T_RUN(test_rfc791_fragmentation);
    T_RUN(test_fragmentation_small_mtu_and_arp_queue);
    T_RUN(test_reassembly_orders);
    T_RUN(test_reassembly_duplicates_and_overlaps);
    T_RUN(test_reassembly_bad_geometry);
    T_RUN(test_reassembly_time_bound);
    T_RUN(test_reassembly_slot_bound);
    T_RUN(test_largest_ping);
    return t_done();
}
