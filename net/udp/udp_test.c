/*
 * Unit tests for net/udp (RFC 768): the header's known bytes and
 * checksum, the zero checksum both ways, length checks; binding (fixed,
 * ephemeral, busy, closed and bound again, many ports); delivery with
 * borrowed views, broadcast, closing from the callback; sending, large
 * and fragmented, and every refusal of udp_sendto().
 */
#include <string.h>
#include <pith/err.h>
#include <pith/udp.h>

#include "../stack/nettest.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX], buf[65536], got[65536];

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

/* 10.0.0.1 -> 10.0.0.2, proto 17: the pseudo-header's words. */
static uint32_t pseudo(uint32_t len)
{
    return 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + len;
}

static void test_wire_known_answer(void)
{
    uint8_t want[13] = {0x15, 0xb3, 0x00, 0x07, 0x00, 0x0d, 0,
                        0,    'h',  'e',  'l',  'l',  'o'};
    uint16_t c = nt_ref_csum_from(want, sizeof want, pseudo(13));
    uint8_t b[64];
    struct bw w = bw_make(b, sizeof b, UDP_HLEN);
    struct udp_hdr h;
    struct bv v, d;

    want[6] = (uint8_t)(c >> 8);
    want[7] = (uint8_t)c;
    bw_append(&w, "hello", 5);
    T_CHECK(udp_push(&w, 5555, 7, NT_PEER, NT_ADDR) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == 13 && bv_eq(&v, 0, want, 13));
    T_CHECK(udp_csum_ok(&v, NT_PEER, NT_ADDR));
    T_CHECK(!udp_csum_ok(&v, NT_PEER, NT_OTHER)); /* pseudo-header counts */
    T_CHECK(udp_parse(&v, &h, &d) == PITH_OK);
    T_CHECK(h.sport == 5555 && h.dport == 7 && h.len == 13 && h.csum == c);
    T_CHECK(bv_len(&d) == 5 && bv_eq(&d, 0, "hello", 5));
}

static void test_parse_lengths(void)
{
    uint8_t b[20] = {0, 1, 0, 2, 0, 12, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    struct udp_hdr h;
    struct bv v, d;
    size_t len;

    for (len = 0; len < UDP_HLEN; len++) {
        v = bv_make(b, len);
        T_CHECK(udp_parse(&v, &h, &d) == PITH_ERANGE);
    }
    v = bv_make(b, sizeof b); /* trailing bytes are not data */
    T_CHECK(udp_parse(&v, &h, &d) == PITH_OK && bv_len(&d) == 4);
    v = bv_make(b, 11); /* length field beyond the datagram */
    T_CHECK(udp_parse(&v, &h, &d) == PITH_ERANGE);
    b[5] = 7; /* below the header */
    v = bv_make(b, sizeof b);
    T_CHECK(udp_parse(&v, &h, &d) == PITH_ERANGE);
}

/* RFC 768: zero means none; a computed zero is sent as all ones. */
static void test_rfc768_zero_checksum(void)
{
    uint8_t b[64];
    struct bw w = bw_make(b, sizeof b, UDP_HLEN);
    struct bv v;
    uint16_t x;

    /* Two data bytes chosen to bring the sum to 0xffff: the complement of
     * the sum of the rest, which is what nt_ref_csum_from() returns. */
    x = nt_ref_csum_from((const uint8_t *)"\x15\xb3\x00\x07\x00\x0a", 6,
                         pseudo(10));
    bw_put(&w, 2);
    bw_set_be16(&w, 0, x);
    T_CHECK(udp_push(&w, 5555, 7, NT_PEER, NT_ADDR) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_be16(&v, UDP_OFF_CSUM) == 0xffff);
    T_CHECK(udp_csum_ok(&v, NT_PEER, NT_ADDR));
    /* Received with 0: accepted however the rest looks. */
    w.base[w.off + UDP_OFF_CSUM] = w.base[w.off + UDP_OFF_CSUM + 1] = 0;
    v = bw_view(&w);
    T_CHECK(udp_csum_ok(&v, NT_PEER, NT_ADDR));
    T_CHECK(udp_csum_ok(&v, NT_PEER, NT_OTHER));
}

static int calls;
static struct udp_dgram last;
static uint8_t last_data[65536];
static struct udp_sock *close_me;

static void on_recv(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);

    calls++;
    last = *d;
    bv_copy(&d->data, 0, last_data, len);
    if (arg)
        T_CHECK(*(int *)arg == 42);
    if (close_me == s)
        udp_close(s);
}

static void echo(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);

    (void)arg;
    T_CHECK(udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len) ==
            PITH_OK);
}

static void test_bind(void)
{
    static struct udp_sock a, b, c, e1, e2;
    int rc;

    T_CHECK(nt_up(&n) == PITH_OK);
    T_CHECK(udp_bind(&a, &n, 7, NULL, NULL) == PITH_EINVAL);
    T_CHECK(udp_bind(&a, &n, 7, on_recv, NULL) == PITH_OK);
    T_CHECK(udp_port(&a) == 7);
    T_CHECK(udp_bind(&a, &n, 8, on_recv, NULL) == PITH_EBUSY);
    T_CHECK(udp_bind(&b, &n, 7, on_recv, NULL) == PITH_EBUSY);
    T_CHECK(udp_port(&b) == 0);
    T_CHECK(udp_bind(&e1, &n, 0, on_recv, NULL) == PITH_OK);
    T_CHECK(udp_bind(&e2, &n, 0, on_recv, NULL) == PITH_OK);
    T_CHECK(udp_port(&e1) >= UDP_EPHEMERAL_LO && udp_port(&e2) >= 49152);
    T_CHECK(udp_port(&e1) != udp_port(&e2));
    udp_close(&a);
    udp_close(&a); /* harmless */
    T_CHECK(udp_port(&a) == 0);
    rc = udp_bind(&b, &n, 7, on_recv, NULL);
    T_CHECK(rc == PITH_OK);
    T_CHECK(udp_bind(&c, &n, 7 + NET_UDP_BUCKETS * 17, on_recv, NULL) == 0);
    udp_close(&b);
    udp_close(&c);
    udp_close(&e1);
    udp_close(&e2);
}

static void test_receive(void)
{
    static struct udp_sock s;
    int magic = 42;
    size_t len;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    T_CHECK(udp_bind(&s, &n, 7, on_recv, &magic) == PITH_OK);
    calls = 0;
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "hello", 5));
    T_CHECK(calls == 1 && last.src == NT_PEER && last.dst == NT_ADDR);
    T_CHECK(last.sport == 5555 && last.dport == 7);
    T_CHECK(bv_len(&last.data) == 5 && memcmp(last_data, "hello", 5) == 0);
    /* Empty datagrams are datagrams. */
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "", 0));
    T_CHECK(calls == 2 && bv_len(&last.data) == 0);
    /* To a broadcast address: delivered, and says so. */
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, 0x0a0000ff, 7, "b", 1));
    T_CHECK(calls == 3 && last.dst == 0x0a0000ff);
    /* A bad checksum, a bad length, port 0: counted, not delivered. */
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "hello", 5);
    f[len - 1] ^= 1;
    nt_input(&n, f, len);
    T_CHECK(stats().udp.rx_checksum == 1);
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "hello", 5);
    f[ETH_HLEN + IP4_HLEN + UDP_OFF_LEN + 1] = 14;
    nt_input(&n, f, len);
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, NT_ADDR, 0, "z", 1));
    T_CHECK(stats().udp.rx_bad == 2);
    T_CHECK(calls == 3 && stats().udp.rx == 6);
    /* A socket may close itself in its callback. */
    close_me = &s;
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "bye", 3));
    T_CHECK(calls == 4 && udp_port(&s) == 0);
    close_me = NULL;
    nt_clear();
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "gone", 4));
    T_CHECK(calls == 4 && stats().udp.rx_no_port == 1 && nt_nout == 1);
}

static void test_many_sockets(void)
{
    static struct udp_sock s[100];
    int i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    for (i = 0; i < 100; i++)
        T_CHECK(udp_bind(&s[i], &n, (uint16_t)(1000 + i * 7), on_recv, NULL) ==
                PITH_OK);
    for (i = 0; i < 100; i += 2)
        udp_close(&s[i]);
    calls = 0;
    for (i = 0; i < 100; i++)
        nt_input(&n, f,
                 nt_udp(f, NT_PEER, 5555, NT_ADDR, (uint16_t)(1000 + i * 7),
                        "x", 1));
    T_CHECK(calls == 50 && stats().udp.rx_no_port == 50);
    for (i = 1; i < 100; i += 2)
        udp_close(&s[i]);
}

static void test_send(void)
{
    static struct udp_sock s, unbound;
    struct ip4_hdr h;
    struct udp_hdr u;
    struct bv d, seg;
    size_t i;
    long k;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    T_CHECK(udp_bind(&s, &n, 7, echo, NULL) == PITH_OK);
    T_CHECK(udp_sendto(&s, NT_PEER, 9, "hi", 2) == PITH_OK);
    T_CHECK(nt_nout == 1 && nt_out_ip4(0, &h, &d) == 0);
    T_CHECK(h.proto == IP4_PROTO_UDP && h.src == NT_ADDR && h.dst == NT_PEER);
    T_CHECK(udp_parse(&d, &u, &seg) == 0 && u.sport == 7 && u.dport == 9);
    T_CHECK(bv_len(&seg) == 2 && bv_eq(&seg, 0, "hi", 2));
    T_CHECK(udp_csum_ok(&d, NT_ADDR, NT_PEER) && u.csum != 0);
    T_CHECK(stats().udp.tx == 1);

    /* Echo from the callback, with the borrowed view as the data. */
    nt_clear();
    for (i = 0; i < 1472; i++)
        buf[i] = (uint8_t)(i ^ 0x5c);
    nt_input(&n, f, nt_udp(f, NT_PEER, 4444, NT_ADDR, 7, buf, 1472));
    T_CHECK(nt_nout == 1 && nt_out[0].len == 1514);
    T_CHECK(nt_out_ip4(0, &h, &d) == 0 && udp_parse(&d, &u, &seg) == 0);
    T_CHECK(u.dport == 4444 && bv_eq(&seg, 0, buf, 1472));

    /* The largest datagram goes out in fragments. */
    nt_clear();
    for (i = 0; i < UDP_DATA_MAX; i++)
        buf[i] = (uint8_t)(i * 31);
    T_CHECK(udp_sendto(&s, NT_PEER, 9, buf, UDP_DATA_MAX) == PITH_OK);
    T_CHECK(nt_nout == 45);
    k = nt_out_reassemble(0, 45, got, sizeof got);
    T_CHECK(k == UDP_DATA_MAX + UDP_HLEN);
    d = bv_make(got, (size_t)k);
    T_CHECK(udp_csum_ok(&d, NT_ADDR, NT_PEER));
    T_CHECK(memcmp(got + UDP_HLEN, buf, UDP_DATA_MAX) == 0);

    /* Refusals. */
    T_CHECK(udp_sendto(&s, NT_PEER, 9, buf, UDP_DATA_MAX + 1) == PITH_ERANGE);
    T_CHECK(udp_sendto(&s, NT_PEER, 0, buf, 1) == PITH_EINVAL);
    T_CHECK(udp_sendto(&unbound, NT_PEER, 9, buf, 1) == PITH_EINVAL);
    T_CHECK(udp_sendto(&s, 0xe0000001, 9, buf, 1) == PITH_ENOENT);
    nt_write_rc = PITH_EAGAIN;
    T_CHECK(udp_sendto(&s, NT_PEER, 9, buf, 1) == PITH_EAGAIN);
    nt_write_rc = PITH_OK;
    T_CHECK(stats().udp.tx == 3); /* hi, the echo, the largest */
    /* Unresolved: queued, and the timer is armed for the retry. */
    T_CHECK(udp_sendto(&s, NT_OTHER, 9, buf, 10) == PITH_OK);
    T_CHECK(stats().arp.pending == 1 && ev_timer_armed(&n.timer));
    /* To a broadcast: no ARP. */
    nt_clear();
    T_CHECK(udp_sendto(&s, 0xffffffff, 9, buf, 10) == PITH_OK);
    T_CHECK(nt_nout == 1 && memcmp(nt_out[0].b, eth_broadcast, 6) == 0);
    udp_close(&s);
}

#define NT_ALL_CAPS                                                            \
    (PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 | PLAT_NET_CAP_RX_CSUM |            \
     PLAT_NET_CAP_RX_TSO4)

/*
 * Receive checksum offload (PLAT_NET_CAP_RX_CSUM): the stack turns on what
 * the device offers, unless told --no-offload; a datagram the device
 * vouched for (DATA_VALID, or a partial checksum that starts at its UDP
 * header) is taken with its checksum unchecked; a partial one elsewhere,
 * or a fragment (whose checksum is its datagram's), is checked.
 */
static void test_offload_rx(void)
{
    static struct udp_sock s;
    struct plat_net_meta m = {0};
    uint8_t frag[128], whole[64];
    size_t len;

    T_CHECK(nt_up_caps(&n, NT_ALL_CAPS, 1) == PITH_OK && nt_offload == 0);
    T_CHECK(nt_up_caps(&n, PLAT_NET_CAP_TSO4, 0) == PITH_OK && nt_offload == 0);
    T_CHECK(nt_up_caps(&n, NT_ALL_CAPS, 0) == PITH_OK);
    T_CHECK(nt_offload == NT_ALL_CAPS);
    nt_learn_peer(&n);
    T_CHECK(udp_bind(&s, &n, 7, on_recv, NULL) == PITH_OK);
    calls = 0;
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 7, "hello", 5);
    f[len - 1] ^= 1;
    nt_input(&n, f, len);
    T_CHECK(calls == 0 && stats().udp.rx_checksum == 1);
    m.flags = PLAT_NET_F_DATA_VALID;
    nt_input_meta(&n, f, len, &m);
    T_CHECK(calls == 1 && bv_len(&last.data) == 5);
    m.flags = PLAT_NET_F_NEEDS_CSUM;
    m.csum_start = ETH_HLEN + IP4_HLEN;
    m.csum_offset = UDP_OFF_CSUM;
    nt_input_meta(&n, f, len, &m);
    T_CHECK(calls == 2);
    m.csum_start = ETH_HLEN; /* not this datagram's header */
    nt_input_meta(&n, f, len, &m);
    T_CHECK(calls == 2 && stats().udp.rx_checksum == 2);
    /* Two fragments of a datagram with a bad checksum, each vouched for. */
    len = nt_udp(whole, NT_PEER, 5555, NT_ADDR, 7, "0123456789abcdef", 16);
    whole[len - 1] ^= 1;
    memcpy(frag, whole + ETH_HLEN + IP4_HLEN, 24);
    m.flags = PLAT_NET_F_DATA_VALID;
    len = nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_UDP, 99, IP4_MF, frag, 16);
    nt_input_meta(&n, f, len, &m);
    len = nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_UDP, 99, 2, frag + 16, 8);
    nt_input_meta(&n, f, len, &m);
    T_CHECK(stats().ip4.reasm_ok == 1);
    T_CHECK(calls == 2 && stats().udp.rx_checksum == 3);
    udp_close(&s);
}

/*
 * Transmit checksum offload (PLAT_NET_CAP_CSUM) below the transport: the
 * metadata's offsets move by the IPv4 and Ethernet headers; a packet that
 * must wait for ARP waits without it, its checksum completed here as the
 * device would have.
 */
static void test_offload_tx(void)
{
    struct net_out o = {0};
    struct ip4_hdr h;
    struct bv data;
    struct bw w;
    uint32_t ps;
    size_t i, found = 0;

    T_CHECK(nt_up_caps(&n, PLAT_NET_CAP_CSUM, 0) == PITH_OK);
    T_CHECK(nt_offload == PLAT_NET_CAP_CSUM);
    o.m.flags = PLAT_NET_F_NEEDS_CSUM;
    o.m.csum_offset = UDP_OFF_CSUM;
    /* A UDP datagram, its checksum field the pseudo-header's sum. */
    ps = ip4_csum_pseudo(NT_ADDR, NT_PEER, IP4_PROTO_UDP, 13);
    for (i = 0; i < 2; i++) {
        const uint8_t d[13] = {
            0x15,        0xb3, 0,   7,   0,   13, (uint8_t)(ps >> 8),
            (uint8_t)ps, 'h',  'e', 'l', 'l', 'o'};
        w = bw_make(buf, sizeof buf, NET_HEADROOM);
        bw_append(&w, d, sizeof d);
        T_CHECK(ip4_output_meta(&n, &w, NT_PEER, IP4_PROTO_UDP, &o) == PITH_OK);
        if (i == 0) /* the peer answers the ARP request */
            nt_input(&n, f,
                     nt_arp(f, ARP_OP_REPLY, nt_peer_mac, NT_PEER, nt_mac,
                            NT_ADDR, nt_mac));
    }
    T_CHECK(nt_bad_writes == 0);
    for (i = 0; i < nt_nout; i++) {
        struct bv seg;
        if (nt_out_ip4(i, &h, &data) < 0 || h.proto != IP4_PROTO_UDP)
            continue;
        seg = data;
        if (found++ == 0) {
            /* It waited: complete, no metadata. */
            T_CHECK(!nt_out[i].meta.flags &&
                    udp_csum_ok(&seg, NT_ADDR, NT_PEER));
        } else {
            T_CHECK(nt_out[i].meta.flags == PLAT_NET_F_NEEDS_CSUM);
            T_CHECK(nt_out[i].meta.csum_start == ETH_HLEN + IP4_HLEN);
            T_CHECK(nt_out[i].meta.csum_offset == UDP_OFF_CSUM);
            T_CHECK(bv_be16(&seg, UDP_OFF_CSUM) == (uint16_t)ps);
        }
    }
    T_CHECK(found == 2);
    /* No fragments with offloads: a payload past the MTU is refused. */
    w = bw_make(buf, sizeof buf, NET_HEADROOM);
    bw_put(&w, 2000);
    T_CHECK(ip4_output_meta(&n, &w, NT_PEER, IP4_PROTO_UDP, &o) == PITH_EINVAL);
}

int main(void)
{
    T_RUN(test_wire_known_answer);
    T_RUN(test_parse_lengths);
    T_RUN(test_rfc768_zero_checksum);
    T_RUN(test_bind);
    T_RUN(test_receive);
    T_RUN(test_many_sockets);
    T_RUN(test_send);
    T_RUN(test_offload_rx);
    T_RUN(test_offload_tx);
    return t_done();
}
