/*
 * Unit tests for net/arp (RFC 826, RFC 5227): the packet's known bytes,
 * every field parse refuses, replies, what the cache learns and from whom
 * (OSEC-2026-02: no entries from unsolicited packets), resolution with
 * queued packets, retries and giving up, the queue and cache bounds with
 * LRU eviction under a flood of spoofed senders, expiry and refresh.
 * Time is the fake clock of nettest.
 */
#include <string.h>
#include <pith/err.h>

#include "../stack/nettest.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX];
static const uint8_t zero[6];
static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x33};

/* who-has 10.0.0.2 tell 10.0.0.1 (02:00:00:00:00:99) */
static const uint8_t request[ARP_LEN] = {
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x99, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
};

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

/* Sends an IPv4-looking packet of (len) bytes of (fill) through ARP. */
static int send_to(uint32_t nexthop, uint8_t fill, size_t len)
{
    uint8_t buf[ETH_HLEN + 100];
    struct bw w = bw_make(buf, sizeof buf, ETH_HLEN);
    uint8_t *p = bw_put(&w, len);

    memset(p, fill, len);
    return arp_output(&n, &w, nexthop);
}

static void input_arp(uint16_t op, const uint8_t sha[6], uint32_t spa,
                      uint32_t tpa, const uint8_t *dst)
{
    size_t len = nt_arp(f, op, sha, spa, zero, tpa, dst);
    nt_input(&n, f, len);
}

static void test_wire_known_answer(void)
{
    struct bv v = bv_make(request, sizeof request);
    uint8_t buf[ARP_LEN];
    struct bw w = bw_make(buf, sizeof buf, 0);
    struct arp_pkt a;

    T_CHECK(arp_parse(&v, &a) == PITH_OK);
    T_CHECK(a.op == ARP_OP_REQUEST && a.spa == NT_PEER && a.tpa == NT_ADDR);
    T_CHECK(memcmp(a.sha, nt_peer_mac, 6) == 0 && memcmp(a.tha, zero, 6) == 0);
    T_CHECK(arp_write(&w, &a) == PITH_OK);
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == ARP_LEN && bv_eq(&v, 0, request, ARP_LEN));
    T_CHECK(arp_write(&w, &a) == PITH_ENOMEM); /* no room for a second */
}

static void test_parse_rejects(void)
{
    static const size_t fields[] = {ARP_OFF_HTYPE + 1, ARP_OFF_PTYPE,
                                    ARP_OFF_HLEN, ARP_OFF_PLEN, ARP_OFF_OP + 1};
    uint8_t b[ARP_LEN + 4];
    struct arp_pkt a;
    struct bv v;
    size_t i, len;

    for (len = 0; len < ARP_LEN; len++) {
        v = bv_make(request, len);
        T_CHECK(arp_parse(&v, &a) == PITH_EPROTO);
    }
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        memcpy(b, request, ARP_LEN);
        b[fields[i]] ^= 0x40;
        v = bv_make(b, ARP_LEN);
        T_CHECKF(arp_parse(&v, &a) == PITH_EPROTO, "field at %zu", fields[i]);
    }
    /* Ethernet padding after the packet is fine. */
    memcpy(b, request, ARP_LEN);
    v = bv_make(b, sizeof b);
    T_CHECK(arp_parse(&v, &a) == PITH_OK);
}

static void test_gratuitous_at_start(void)
{
    struct net_config c = {NT_ADDR, 24, 0, 0};
    struct eth_hdr eh;
    struct arp_pkt a;

    nt_reset();
    net_close(&n);
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0);
    T_CHECK(memcmp(eh.dst, eth_broadcast, 6) == 0);
    T_CHECK(a.op == ARP_OP_REQUEST && a.spa == NT_ADDR && a.tpa == NT_ADDR);
    T_CHECK(memcmp(a.sha, nt_mac, 6) == 0);
    net_close(&n);
}

static void test_rfc826_reply(void)
{
    struct eth_hdr eh;
    struct arp_pkt a;
    uint8_t mac[6];

    T_CHECK(nt_up(&n) == PITH_OK);
    input_arp(ARP_OP_REQUEST, nt_peer_mac, NT_PEER, NT_ADDR, eth_broadcast);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0);
    T_CHECK(memcmp(eh.dst, nt_peer_mac, 6) == 0);
    T_CHECK(a.op == ARP_OP_REPLY && a.spa == NT_ADDR && a.tpa == NT_PEER);
    T_CHECK(memcmp(a.sha, nt_mac, 6) == 0);
    T_CHECK(memcmp(a.tha, nt_peer_mac, 6) == 0);
    /* The asker is remembered: we are about to answer it. */
    T_CHECK(arp_lookup(&n, NT_PEER, nt_now, mac) &&
            memcmp(mac, nt_peer_mac, 6) == 0);
    T_CHECK(stats().arp.tx_replies == 1 && stats().arp.entries == 1);
}

static void test_request_for_another_is_ignored(void)
{
    T_CHECK(nt_up(&n) == PITH_OK);
    input_arp(ARP_OP_REQUEST, nt_peer_mac, NT_PEER, 0x0a000009, eth_broadcast);
    T_CHECK(nt_nout == 0);
    T_CHECK(!arp_lookup(&n, NT_PEER, nt_now, NULL));
    T_CHECK(stats().arp.rx_ignored == 1 && stats().arp.entries == 0);
}

/* OSEC-2026-02: spoofed senders must not create entries. */
static void test_no_unsolicited_learning(void)
{
    T_CHECK(nt_up(&n) == PITH_OK);
    input_arp(ARP_OP_REPLY, other_mac, 0x0a000005, NT_ADDR, nt_mac);
    input_arp(ARP_OP_REPLY, other_mac, 0x0a000006, 0x0a000006, eth_broadcast);
    input_arp(ARP_OP_REQUEST, other_mac, 0x0a000007, 0x0a000007,
              eth_broadcast); /* gratuitous */
    T_CHECK(stats().arp.entries == 0 && stats().arp.rx_ignored == 3);
    T_CHECK(nt_nout == 0);
    /* Nor may they change an entry we have. */
    nt_learn_peer(&n);
    input_arp(ARP_OP_REPLY, other_mac, NT_PEER, NT_ADDR, nt_mac);
    input_arp(ARP_OP_REQUEST, other_mac, NT_PEER, NT_PEER, eth_broadcast);
    {
        uint8_t mac[6];
        T_CHECK(arp_lookup(&n, NT_PEER, nt_now, mac) &&
                memcmp(mac, nt_peer_mac, 6) == 0);
    }
}

static void test_odd_senders(void)
{
    struct eth_hdr eh;
    struct arp_pkt a;
    uint8_t bcast_sha[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    T_CHECK(nt_up(&n) == PITH_OK);
    /* RFC 5227 probe (sender 0.0.0.0): answered, not learnt. */
    input_arp(ARP_OP_REQUEST, other_mac, 0, NT_ADDR, eth_broadcast);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0);
    T_CHECK(a.op == ARP_OP_REPLY && a.tpa == 0);
    /* Off-link sender: answered, not learnt. */
    input_arp(ARP_OP_REQUEST, other_mac, 0x0a010001, NT_ADDR, eth_broadcast);
    T_CHECK(nt_nout == 2);
    T_CHECK(stats().arp.entries == 0);
    /* A group MAC as sender, or all zero: malformed. */
    input_arp(ARP_OP_REQUEST, bcast_sha, NT_PEER, NT_ADDR, eth_broadcast);
    input_arp(ARP_OP_REQUEST, zero, NT_PEER, NT_ADDR, eth_broadcast);
    T_CHECK(stats().arp.rx_bad == 2 && nt_nout == 2);
    /* Someone else with our address: counted (RFC 5227 2.4). */
    input_arp(ARP_OP_REQUEST, other_mac, NT_ADDR, NT_ADDR, eth_broadcast);
    T_CHECK(stats().arp.conflicts == 1 && nt_nout == 2);
}

static void test_resolve_and_flush_in_order(void)
{
    struct eth_hdr eh;
    struct arp_pkt a;
    struct bv v, p;

    T_CHECK(nt_up(&n) == PITH_OK);
    T_CHECK(send_to(NT_OTHER, 0xa1, 40) == PITH_OK);
    T_CHECK(send_to(NT_OTHER, 0xa2, 41) == PITH_OK);
    T_CHECK(nt_nout == 1 && nt_out_arp(0, &eh, &a) == 0);
    T_CHECK(memcmp(eh.dst, eth_broadcast, 6) == 0);
    T_CHECK(a.op == ARP_OP_REQUEST && a.tpa == NT_OTHER && a.spa == NT_ADDR);
    T_CHECK(stats().arp.pending == 2);
    nt_clear();
    input_arp(ARP_OP_REPLY, other_mac, NT_OTHER, NT_ADDR, nt_mac);
    T_CHECK(nt_nout == 2 && stats().arp.pending == 0);
    v = bv_make(nt_out[0].b, nt_out[0].len);
    T_CHECK(eth_parse(&v, &eh, &p) == 0 && eh.type == ETH_TYPE_IP4);
    T_CHECK(memcmp(eh.dst, other_mac, 6) == 0);
    T_CHECK(bv_len(&p) == 40 && bv_u8(&p, 39) == 0xa1);
    v = bv_make(nt_out[1].b, nt_out[1].len);
    T_CHECK(eth_parse(&v, &eh, &p) == 0 && bv_len(&p) == 41 &&
            bv_u8(&p, 0) == 0xa2);
    /* Now known: straight out. */
    T_CHECK(send_to(NT_OTHER, 0xa3, 10) == PITH_OK && nt_nout == 3);
}

static void test_retry_then_give_up(void)
{
    T_CHECK(nt_up(&n) == PITH_OK);
    T_CHECK(send_to(NT_OTHER, 1, 20) == PITH_OK);
    net_kick(&n);
    T_CHECK(ev_timer_armed(&n.timer) &&
            n.timer.deadline == nt_now + NET_ARP_RETRY_NS);
    T_CHECK(nt_nout == 1);
    nt_now += NET_ARP_RETRY_NS / 2;
    net_tick(&n); /* not yet */
    T_CHECK(nt_nout == 1);
    nt_now += NET_ARP_RETRY_NS / 2;
    net_tick(&n);
    T_CHECK(nt_nout == 2);
    nt_now += NET_ARP_RETRY_NS;
    net_tick(&n);
    T_CHECK(nt_nout == NET_ARP_TRIES);
    nt_now += NET_ARP_RETRY_NS;
    net_tick(&n); /* gives up */
    T_CHECK(nt_nout == NET_ARP_TRIES);
    T_CHECK(stats().arp.failed == 1 && stats().arp.pending_drops == 1);
    T_CHECK(stats().arp.pending == 0);
    T_CHECK(!ev_timer_armed(&n.timer));
    /* Held as failed: dropped at once, no new question. */
    T_CHECK(send_to(NT_OTHER, 2, 20) == PITH_ENOENT);
    T_CHECK(nt_nout == NET_ARP_TRIES && stats().arp.pending_drops == 2);
    /* After the hold, asked again. */
    nt_now += NET_ARP_HOLD_NS;
    T_CHECK(send_to(NT_OTHER, 3, 20) == PITH_OK);
    T_CHECK(nt_nout == NET_ARP_TRIES + 1 && stats().arp.pending == 1);
}

static void test_pending_bounds(void)
{
    uint8_t big[ETH_HLEN + NET_MTU_MAX + 1];
    struct bw w = bw_make(big, sizeof big, ETH_HLEN);
    int i, queued = 0, limited = 0;

    T_CHECK(nt_up(&n) == PITH_OK);
    /* Too big for a queue buffer: refused, not truncated. */
    memset(bw_put(&w, NET_MTU_MAX + 1), 0, NET_MTU_MAX + 1);
    T_CHECK(arp_output(&n, &w, 0x0a000050) == PITH_ELIMIT);
    T_CHECK(stats().arp.pending_drops == 1);
    nt_up(&n);
    for (i = 0; i < NET_ARP_PENDING_PER + 4; i++) {
        int rc = send_to(NT_OTHER, (uint8_t)i, 30);
        queued += rc == PITH_OK;
        limited += rc == PITH_ELIMIT;
    }
    T_CHECK(queued == NET_ARP_PENDING_PER && limited == 4);
    T_CHECK(nt_nout == 1); /* one question, however many wait */
    /* Fill the shared pool from other addresses. */
    for (i = 0; queued < NET_ARP_PENDING; i++)
        queued += send_to(0x0a000010 + (uint32_t)(i / NET_ARP_PENDING_PER), 0,
                          30) == PITH_OK;
    T_CHECK(send_to(0x0a000040, 0, 30) == PITH_ELIMIT);
    T_CHECK(stats().arp.pending == NET_ARP_PENDING);
    T_CHECK(stats().arp.pending_drops == 5);
}

/* A flood of requests from made-up senders churns its own entries; the
 * entry in use survives. */
static void test_cache_bound_lru(void)
{
    uint8_t mac[6] = {0x02, 0x10, 0, 0, 0, 0};
    uint32_t i;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    nt_now += NT_MS;
    T_CHECK(send_to(NT_PEER, 0, 20) == PITH_OK); /* in use */
    for (i = 0; i < 200; i++) {
        mac[4] = (uint8_t)(i >> 8);
        mac[5] = (uint8_t)i;
        nt_now += NT_MS;
        input_arp(ARP_OP_REQUEST, mac, 0x0a000010 + i, NT_ADDR, eth_broadcast);
    }
    T_CHECK(stats().arp.entries == NET_ARP_ENTRIES);
    T_CHECK(stats().arp.evictions == 200 + 1 - NET_ARP_ENTRIES);
    T_CHECK(arp_lookup(&n, NT_PEER, nt_now, NULL));
    /* The newest spoofed sender is there, the oldest long gone. */
    T_CHECK(arp_lookup(&n, 0x0a000010 + 199, nt_now, NULL));
    T_CHECK(!arp_lookup(&n, 0x0a000010, nt_now, NULL));
}

static void test_expiry_and_refresh(void)
{
    struct eth_hdr eh;
    struct arp_pkt a;
    uint64_t t0;

    T_CHECK(nt_up(&n) == PITH_OK);
    nt_learn_peer(&n);
    t0 = nt_now;
    /* Early in its life: used as it is, no question. */
    nt_now = t0 + NET_ARP_TTL_NS - NET_ARP_REFRESH_NS - NT_MS;
    T_CHECK(send_to(NT_PEER, 0, 20) == PITH_OK && nt_nout == 1);
    /* In its last seconds: still used, and the host itself is asked. */
    nt_now = t0 + NET_ARP_TTL_NS - NET_ARP_REFRESH_NS + NT_MS;
    T_CHECK(send_to(NT_PEER, 0, 20) == PITH_OK && nt_nout == 3);
    T_CHECK(nt_out_arp(1, &eh, &a) == 0 && a.op == ARP_OP_REQUEST);
    T_CHECK(memcmp(eh.dst, nt_peer_mac, 6) == 0 && a.tpa == NT_PEER);
    /* Once a retry period, not once a packet. */
    T_CHECK(send_to(NT_PEER, 0, 20) == PITH_OK && nt_nout == 4);
    /* The answer renews it. */
    input_arp(ARP_OP_REPLY, nt_peer_mac, NT_PEER, NT_ADDR, nt_mac);
    nt_clear();
    nt_now = t0 + NET_ARP_TTL_NS + NT_MS;
    T_CHECK(arp_lookup(&n, NT_PEER, nt_now, NULL));
    /* Unanswered, it expires and is resolved afresh by broadcast. */
    nt_now += NET_ARP_TTL_NS;
    T_CHECK(!arp_lookup(&n, NT_PEER, nt_now, NULL));
    T_CHECK(send_to(NT_PEER, 0, 20) == PITH_OK && nt_nout == 1);
    T_CHECK(nt_out_arp(0, &eh, &a) == 0 &&
            memcmp(eh.dst, eth_broadcast, 6) == 0);
    T_CHECK(stats().arp.pending == 1);
}

int main(void)
{
    T_RUN(test_wire_known_answer);
    T_RUN(test_parse_rejects);
    T_RUN(test_gratuitous_at_start);
    T_RUN(test_rfc826_reply);
    T_RUN(test_request_for_another_is_ignored);
    T_RUN(test_no_unsolicited_learning);
    T_RUN(test_odd_senders);
    T_RUN(test_resolve_and_flush_in_order);
    T_RUN(test_retry_then_give_up);
    T_RUN(test_pending_bounds);
    T_RUN(test_cache_bound_lru);
    T_RUN(test_expiry_and_refresh);
    return t_done();
}
