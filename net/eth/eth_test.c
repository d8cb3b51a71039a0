/*
 * Unit tests for net/eth: the header's known bytes both ways, short
 * frames, what a stack accepts (its MAC, broadcast) and counts away
 * (other MACs, multicast, unknown EtherTypes), and the device write path.
 */
#include <string.h>
#include <pith/err.h>

#include "../stack/nettest.h"
#include "unit.h"

static struct net n;

static const uint8_t frame[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* dst */
    0x02, 0x00, 0x00, 0x00, 0x00, 0x99, /* src */
    0x08, 0x06,                         /* ARP */
    0xde, 0xad,                         /* payload */
};

static void test_parse_known_answer(void)
{
    struct bv v = bv_make(frame, sizeof frame), p;
    struct eth_hdr h;

    T_CHECK(eth_parse(&v, &h, &p) == PITH_OK);
    T_CHECK(memcmp(h.dst, nt_mac, 6) == 0);
    T_CHECK(memcmp(h.src, nt_peer_mac, 6) == 0);
    T_CHECK(h.type == ETH_TYPE_ARP);
    T_CHECK(bv_len(&p) == 2 && bv_be16(&p, 0) == 0xdead);
}

static void test_parse_short(void)
{
    struct eth_hdr h;
    struct bv p = {0}, v;
    size_t len;

    for (len = 0; len < ETH_HLEN; len++) {
        v = bv_make(frame, len);
        T_CHECK(eth_parse(&v, &h, &p) == PITH_EPROTO);
    }
    v = bv_make(frame, ETH_HLEN);
    T_CHECK(eth_parse(&v, &h, &p) == PITH_OK && bv_len(&p) == 0);
}

static void test_push_round_trip(void)
{
    uint8_t buf[32];
    struct bw w = bw_make(buf, sizeof buf, ETH_HLEN);
    struct eth_hdr h;
    struct bv v;

    memcpy(h.dst, nt_mac, 6);
    memcpy(h.src, nt_peer_mac, 6);
    h.type = ETH_TYPE_ARP;
    bw_append(&w, "\xde\xad", 2);
    T_CHECK(eth_push(&w, &h) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == sizeof frame && bv_eq(&v, 0, frame, sizeof frame));
    /* No headroom left: refused, nothing written. */
    T_CHECK(eth_push(&w, &h) == PITH_ENOMEM && !bw_ok(&w));
}

static void test_for_us(void)
{
    uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x02};
    uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};

    T_CHECK(nt_up(&n) == PITH_OK);
    T_CHECK(eth_for_us(&n, nt_mac));
    T_CHECK(eth_for_us(&n, eth_broadcast));
    T_CHECK(!eth_for_us(&n, other));
    T_CHECK(!eth_for_us(&n, mcast));
    T_CHECK(eth_is_group(mcast) && eth_is_group(eth_broadcast) &&
            !eth_is_group(nt_mac));
}

static void test_input_drops_are_counted(void)
{
    uint8_t f[64];
    struct net_stats st;

    T_CHECK(nt_up(&n) == PITH_OK);
    memcpy(f, frame, sizeof frame);
    nt_input(&n, f, 10); /* runt */
    f[5] = 0x02;         /* another MAC */
    nt_input(&n, f, sizeof frame);
    f[0] = 0x01; /* multicast */
    nt_input(&n, f, sizeof frame);
    memcpy(f, frame, sizeof frame);
    f[12] = 0x86; /* IPv6 */
    f[13] = 0xdd;
    nt_input(&n, f, sizeof frame);
    net_stats(&n, &st);
    T_CHECK(st.eth.rx_frames == 4);
    T_CHECK(st.eth.rx_bytes == 10 + 3 * sizeof frame);
    T_CHECK(st.eth.rx_short == 1);
    T_CHECK(st.eth.rx_not_us == 2);
    T_CHECK(st.eth.rx_ethertype == 1);
    T_CHECK(nt_nout == 0);
}

static void test_output(void)
{
    uint8_t buf[64];
    struct bw w = bw_make(buf, sizeof buf, ETH_HLEN);
    struct net_stats st0, st;

    T_CHECK(nt_up(&n) == PITH_OK);
    net_stats(&n, &st0); /* the gratuitous ARP went out */
    T_CHECK(st0.eth.tx_frames == 1 && st0.eth.tx_bytes == 42);
    bw_append(&w, "0123456789", 10);
    T_CHECK(eth_output(&n, &w, nt_peer_mac, 0x88b5) == PITH_OK);
    T_CHECK(nt_nout == 1 && nt_out[0].len == 24);
    T_CHECK(memcmp(nt_out[0].b, nt_peer_mac, 6) == 0);
    T_CHECK(memcmp(nt_out[0].b + 6, nt_mac, 6) == 0);
    T_CHECK(nt_out[0].b[12] == 0x88 && nt_out[0].b[13] == 0xb5);
    T_CHECK(memcmp(nt_out[0].b + 14, "0123456789", 10) == 0);

    /* The device's queue is full: dropped and counted. */
    nt_write_rc = PITH_EAGAIN;
    w = bw_make(buf, sizeof buf, ETH_HLEN);
    bw_append(&w, "x", 1);
    T_CHECK(eth_output(&n, &w, nt_peer_mac, 0x88b5) == PITH_EAGAIN);
    /* No headroom: refused before the device sees it. */
    nt_write_rc = PITH_OK;
    w = bw_make(buf, sizeof buf, 0);
    bw_append(&w, "x", 1);
    T_CHECK(eth_output(&n, &w, nt_peer_mac, 0x88b5) == PITH_EINVAL);
    net_stats(&n, &st);
    T_CHECK(st.eth.tx_frames == 2 && st.eth.tx_bytes == 42 + 24);
    T_CHECK(st.eth.tx_drop == 2);
    T_CHECK(nt_nout == 1 && nt_bad_writes == 0);
}

int main(void)
{
    T_RUN(test_parse_known_answer);
    T_RUN(test_parse_short);
    T_RUN(test_push_round_trip);
    T_RUN(test_for_us);
    T_RUN(test_input_drops_are_counted);
    T_RUN(test_output);
    return t_done();
}
