/*
 * Unit tests for net/icmp (RFC 792, RFC 1122 3.2.2): the header's known
 * bytes; echo replies (addresses, identifier, data, and the incremental
 * checksum of RFC 1624 against a full one for many random requests);
 * what is counted and ignored; port and protocol unreachable with their
 * quote; when no error may be sent; the rate limit's burst and refill.
 */
#include <string.h>
#include <pith/err.h>
#include <pith/udp.h>

#include "../stack/nettest.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX], msg[65536], data[65536];

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

static void test_header_known_answer(void)
{
    /* echo request id 1 seq 2 "abcd": checksum by hand, 0xf794 -> ... */
    uint8_t want[12] = {8, 0, 0, 0, 0, 1, 0, 2, 'a', 'b', 'c', 'd'};
    uint16_t c = nt_ref_csum(want, sizeof want);
    struct icmp_hdr h;
    struct bv v, body;
    size_t len;

    want[2] = (uint8_t)(c >> 8);
    want[3] = (uint8_t)c;
    len = nt_echo_msg(msg, 1, 2, "abcd", 4);
    T_CHECK(len == 12 && memcmp(msg, want, 12) == 0);
    v = bv_make(msg, len);
    T_CHECK(icmp_parse(&v, &h, &body) == PITH_OK);
    T_CHECK(h.type == ICMP_ECHO && h.code == 0 && h.csum == c);
    T_CHECK(h.rest == 0x00010002 && bv_len(&body) == 4);
    v = bv_make(msg, 7);
    T_CHECK(icmp_parse(&v, &h, &body) == PITH_EPROTO);
}

/* Checks that frame (i) is an echo reply to the request msg[0..len). */
static int is_reply(size_t i, size_t len)
{
    static uint8_t got[65536];
    struct ip4_hdr h;
    struct bv d;
    long k;

    if (nt_out_ip4(i, &h, &d) < 0 || h.src != NT_ADDR || h.dst != NT_PEER ||
        h.proto != IP4_PROTO_ICMP || h.ttl != IP4_TTL)
        return 0;
    k = nt_out_reassemble(i, nt_nout - i, got, sizeof got);
    return k == (long)len && got[0] == ICMP_ECHO_REPLY && got[1] == 0 &&
           memcmp(got + 4, msg + 4, len - 4) == 0 && nt_ref_csum(got, len) == 0;
}

static void test_echo_reply(void)
{
    unsigned seed = 1, k;
    size_t len, dlen, i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    for (k = 0; k < 500; k++) {
        dlen = (seed = seed * 1103515245 + 12345) >> 16 & 1023;
        for (i = 0; i < dlen; i++) {
            seed = seed * 1103515245 + 12345;
            data[i] = (uint8_t)(seed >> 16);
        }
        len = nt_echo_msg(msg, (uint16_t)k, (uint16_t)(k * 3), data, dlen);
        if (k % 7 == 0) { /* a nonzero code (RFC 792 says 0) */
            msg[1] = (uint8_t)k;
            msg[2] = msg[3] = 0;
            msg[2] = (uint8_t)(nt_ref_csum(msg, len) >> 8);
            msg[3] = (uint8_t)nt_ref_csum(msg, len);
        }
        nt_clear();
        nt_input(&n, f,
                 nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
        T_CHECKF(nt_nout == 1 && is_reply(0, len), "request %u", k);
    }
    T_CHECK(stats().icmp.echo_requests == 500);
    T_CHECK(stats().icmp.echo_replies == 500);
    /* Id 0, sequence 0, zero data: the reply is all zeros but for its
     * checksum, which must then be 0xffff (found by the fuzzer). */
    memset(data, 0, 17);
    len = nt_echo_msg(msg, 0, 0, data, 17);
    nt_clear();
    nt_input(&n, f,
             nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
    T_CHECK(nt_nout == 1 && is_reply(0, len));
}

static void test_counted_and_ignored(void)
{
    size_t len;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    len = nt_echo_msg(msg, 1, 1, "x", 1);
    msg[8] ^= 1; /* bad checksum */
    nt_input(&n, f,
             nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
    nt_input(&n, f, nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, 7));
    T_CHECK(stats().icmp.rx_bad == 2);
    /* An echo reply, a timestamp request, an unreachable: not for us. */
    len = nt_echo_msg(msg, 1, 1, "x", 1);
    msg[0] = ICMP_ECHO_REPLY;
    msg[2] = msg[3] = 0;
    msg[2] = (uint8_t)(nt_ref_csum(msg, len) >> 8);
    msg[3] = (uint8_t)nt_ref_csum(msg, len);
    nt_input(&n, f,
             nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
    msg[0] = 13;
    msg[2] = msg[3] = 0;
    msg[2] = (uint8_t)(nt_ref_csum(msg, len) >> 8);
    msg[3] = (uint8_t)nt_ref_csum(msg, len);
    nt_input(&n, f,
             nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
    /* An echo from 0.0.0.0 has nobody to go back to. */
    len = nt_echo_msg(msg, 1, 1, "x", 1);
    nt_input(&n, f, nt_ip4(f, 0, NT_ADDR, IP4_PROTO_ICMP, 1, 0, msg, len));
    T_CHECK(stats().icmp.rx_ignored == 3 && stats().icmp.rx == 5);
    T_CHECK(nt_nout == 0);
}

/* Checks frame (i): unreachable (code) about the datagram in f[14..). */
static int is_unreach(size_t i, uint8_t code, size_t quoted)
{
    struct ip4_hdr h;
    struct bv d;

    if (nt_out_ip4(i, &h, &d) < 0 || h.dst != NT_PEER ||
        h.proto != IP4_PROTO_ICMP || bv_len(&d) != ICMP_HLEN + quoted)
        return 0;
    return bv_u8(&d, 0) == ICMP_UNREACH && bv_u8(&d, 1) == code &&
           bv_be32(&d, 4) == 0 && bv_eq(&d, 8, f + ETH_HLEN, quoted) &&
           nt_ref_csum(bv_ptr(&d, 0, bv_len(&d)), bv_len(&d)) == 0;
}

static void test_port_unreachable(void)
{
    size_t len;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 9, "hello", 5);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 1 && is_unreach(0, ICMP_UNREACH_PORT, 20 + 8 + 5));
    T_CHECK(stats().udp.rx_no_port == 1 && stats().icmp.tx_unreach == 1);
    /* A long datagram is quoted up to 576 bytes of error (RFC 1812). */
    nt_clear();
    memset(data, 0x5a, 1400);
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 9, data, 1400);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 1 && is_unreach(0, ICMP_UNREACH_PORT, ICMP_QUOTE_MAX));
    T_CHECK(nt_out[0].len == ETH_HLEN + 576);
    /* An unknown protocol. */
    nt_clear();
    len = nt_ip4(f, NT_PEER, NT_ADDR, 253, 1, 0, "abc", 3);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == 1 && is_unreach(0, ICMP_UNREACH_PROTO, 23));
    T_CHECK(stats().ip4.rx_proto == 1);
}

/* RFC 1122 3.2.2: never about broadcasts, nor to non-hosts. */
static void test_no_error_allowed(void)
{
    size_t len;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, 0xffffffff, 9, "b", 1));
    nt_input(&n, f, nt_udp(f, NT_PEER, 5555, 0x0a0000ff, 9, "b", 1));
    nt_input(&n, f, nt_udp(f, 0, 68, NT_ADDR, 9, "b", 1));
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 9, "b", 1);
    memset(f, 0xff, 6); /* link-layer broadcast */
    nt_input(&n, f, len);
    T_CHECK(stats().udp.rx_no_port == 4 && nt_nout == 0);
    /* Nor about an ICMP error. */
    {
        struct ip4_pkt p;
        uint8_t m[8] = {ICMP_UNREACH, 3, 0, 0, 0, 0, 0, 0};
        uint8_t hd[20] = {0x45};
        memset(&p, 0, sizeof p);
        p.src = NT_PEER;
        p.dst = NT_ADDR;
        p.proto = IP4_PROTO_ICMP;
        p.hdr = bv_make(hd, 20);
        p.data = bv_make(m, 8);
        icmp_unreach(&n, &p, ICMP_UNREACH_PROTO);
        T_CHECK(nt_nout == 0);
        m[0] = ICMP_ECHO; /* a query may be answered */
        icmp_unreach(&n, &p, ICMP_UNREACH_PROTO);
        T_CHECK(nt_nout == 1);
    }
}

static void test_rate_limit(void)
{
    size_t len;
    int i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    len = nt_udp(f, NT_PEER, 5555, NT_ADDR, 9, "x", 1);
    for (i = 0; i < 200; i++)
        nt_input(&n, f, len);
    T_CHECK(nt_nout == NET_ICMP_BURST);
    T_CHECK(stats().icmp.unreach_limited == 200 - NET_ICMP_BURST);
    /* One token per 1/NET_ICMP_RATE s. */
    nt_now += NET_SEC_NS / NET_ICMP_RATE;
    nt_input(&n, f, len);
    nt_input(&n, f, len);
    T_CHECK(nt_nout == NET_ICMP_BURST + 1);
    /* A long pause fills the bucket, no more. */
    nt_now += 3600 * NET_SEC_NS;
    nt_learn_peer(&n); /* its ARP entry expired meanwhile */
    for (i = 0; i < 200; i++)
        nt_input(&n, f, len);
    T_CHECK(nt_nout == NET_ICMP_BURST);
    T_CHECK(stats().icmp.tx_unreach == 2 * NET_ICMP_BURST + 1);
    T_CHECK(stats().udp.rx_no_port == 402);
}

int main(void)
{
    T_RUN(test_header_known_answer);
    T_RUN(test_echo_reply);
    T_RUN(test_counted_and_ignored);
    T_RUN(test_port_unreachable);
    T_RUN(test_no_error_allowed);
    T_RUN(test_rate_limit);
    return t_done();
}
