/* nettest: fake platform and frame builders for tests. See nettest.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>
#include <pith/plat.h>
#include <pith/udp.h>

#include "nettest.h"
#include "nettest_iov.h"

const uint8_t nt_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t nt_peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};

struct nt_frame nt_out[NT_OUT_MAX];
size_t nt_nout, nt_bad_writes;
uint64_t nt_now;
uint32_t nt_mtu;
int nt_write_rc, nt_read_rc, nt_entropy_rc;
uint32_t nt_caps, nt_offload;

#define NT_RXQ 320
static struct nt_frame nt_rxq[NT_RXQ];
static size_t nt_rx_head, nt_rx_count;
static uint8_t nt_entropy_byte;

/* ---- The fake platform ---- */

void plat_console_write(const char *buf, size_t len)
{
    fwrite(buf, 1, len, stdout);
}

uint64_t plat_clock_monotonic(void)
{
    return nt_now;
}

uint64_t plat_clock_wall(void)
{
    return nt_now;
}

void plat_yield(uint64_t deadline, plat_handle_set_t *ready)
{
    if (nt_rx_count) {
        *ready = 1;
        return;
    }
    if (deadline > nt_now)
        nt_now = deadline;
    *ready = 0;
}

int plat_net_acquire(const char *name, plat_handle_t *h,
                     struct plat_net_info *info)
{
    if (strcmp(name, "service") != 0)
        return PITH_ENOENT;
    *h = 0;
    memcpy(info->mac, nt_mac, 6);
    info->mtu = nt_mtu;
    info->caps = nt_caps;
    return PITH_OK;
}

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    if (h != 0 || len < 14 || len > nt_mtu + 14) {
        nt_bad_writes++;
        return PITH_EINVAL;
    }
    if (nt_write_rc != PITH_OK)
        return nt_write_rc;
    if (nt_nout < NT_OUT_MAX) {
        nt_out[nt_nout].len = len;
        nt_out[nt_nout].meta = (struct plat_net_meta){0};
        memcpy(nt_out[nt_nout].b, buf, len);
    }
    nt_nout++;
    return PITH_OK;
}

int plat_net_offload(plat_handle_t h, uint32_t caps)
{
    if (h != 0 || (caps & ~nt_caps))
        return PITH_EINVAL;
    nt_offload = caps;
    return PITH_OK;
}

/* Keeps the frame and its metadata, which must ask only for what is on
 * and point inside the frame. */
int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len)
{
    size_t keep;

    if (!m || (!m->flags && !m->gso))
        return plat_net_write(h, buf, len);
    if (h != 0 || len < 14 || m->flags != PLAT_NET_F_NEEDS_CSUM ||
        !(nt_offload & PLAT_NET_CAP_CSUM) ||
        (size_t)m->csum_start + m->csum_offset + 2 > len ||
        (m->gso == PLAT_NET_GSO_NONE && len > nt_mtu + 14) ||
        (m->gso &&
         (m->gso != PLAT_NET_GSO_TCP4 || !(nt_offload & PLAT_NET_CAP_TSO4) ||
          !m->gso_size || m->hdr_len > len || len > PLAT_NET_GSO_FRAME_MAX))) {
        nt_bad_writes++;
        return PITH_EINVAL;
    }
    if (nt_write_rc != PITH_OK)
        return nt_write_rc;
    if (nt_nout < NT_OUT_MAX) {
        keep = len < sizeof nt_out[0].b ? len : sizeof nt_out[0].b;
        nt_out[nt_nout].len = len;
        nt_out[nt_nout].meta = *m;
        memcpy(nt_out[nt_nout].b, buf, keep);
    }
    nt_nout++;
    return PITH_OK;
}

int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m)
{
    *m = (struct plat_net_meta){0};
    return plat_net_read(h, buf, size, len);
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    struct nt_frame *f;

    if (h != 0)
        return PITH_EINVAL;
    if (!nt_rx_count)
        return nt_read_rc;
    f = &nt_rxq[nt_rx_head];
    nt_rx_head = (nt_rx_head + 1) % NT_RXQ;
    nt_rx_count--;
    *len = f->len < size ? f->len : size;
    memcpy(buf, f->b, *len);
    return PITH_OK;
}

int plat_entropy(uint8_t *buf, size_t len)
{
    size_t i;

    if (nt_entropy_rc != PITH_OK)
        return nt_entropy_rc;
    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)(nt_entropy_byte += 0x3b);
    return PITH_OK;
}

void plat_exit(int status)
{
    exit(status);
}

void plat_abort(void)
{
    abort();
}

/* ---- Set-up ---- */

void nt_clear(void)
{
    nt_nout = 0;
}

void nt_reset(void)
{
    nt_now = 1000 * NT_MS;
    nt_mtu = 1500;
    nt_write_rc = PITH_OK;
    nt_read_rc = PITH_EAGAIN;
    nt_entropy_rc = PITH_OK;
    nt_rx_head = nt_rx_count = 0;
    nt_bad_writes = 0;
    nt_caps = nt_offload = 0;
    nt_clear();
}

int nt_up(struct net *n)
{
    return nt_up_caps(n, 0, 0);
}

int nt_up_caps(struct net *n, uint32_t caps, int no_offload)
{
    static struct net *up[8];
    struct net_config c = {NT_ADDR, 24, NT_PEER, no_offload};
    int i, rc;

    /* A stack left up has its timer in the event core: stop it first. */
    for (i = 0; i < 8; i++) {
        if (up[i] == n) {
            net_close(n);
            break;
        }
    }
    nt_reset();
    nt_caps = caps;
    rc = net_init(n, "service", &c);
    for (i = 0; i < 8 && rc == PITH_OK; i++) {
        if (up[i] == n || !up[i]) {
            up[i] = n;
            break;
        }
    }
    nt_clear();
    return rc;
}

void nt_rx_push(const void *f, size_t len)
{
    struct nt_frame *q;

    if (nt_rx_count == NT_RXQ || len > sizeof q->b)
        abort();
    q = &nt_rxq[(nt_rx_head + nt_rx_count++) % NT_RXQ];
    q->len = len;
    memcpy(q->b, f, len);
}

void nt_input_meta(struct net *n, const void *f, size_t len,
                   const struct plat_net_meta *m)
{
    n->rx_meta = *m;
    nt_input(n, f, len);
    n->rx_meta = (struct plat_net_meta){0};
}

void nt_input(struct net *n, const void *f, size_t len)
{
    struct bv v = bv_make(f, len);

    net_input(n, &v);
}

void nt_learn_peer(struct net *n)
{
    static const uint8_t zero[6];
    uint8_t f[64];
    size_t len = nt_arp(f, ARP_OP_REQUEST, nt_peer_mac, NT_PEER, zero, NT_ADDR,
                        eth_broadcast);

    nt_input(n, f, len);
    nt_clear();
}

/* ---- Frames from the peer ---- */

static void nt_eth(struct bw *w, const uint8_t dst[6], uint16_t type)
{
    struct eth_hdr h;

    memcpy(h.dst, dst, 6);
    memcpy(h.src, nt_peer_mac, 6);
    h.type = type;
    eth_push(w, &h);
}

size_t nt_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t spa,
              const uint8_t tha[6], uint32_t tpa, const uint8_t dst[6])
{
    struct bw w = bw_make(f, NET_RX_FRAME_MAX, ETH_HLEN);
    struct arp_pkt a;

    a.op = op;
    memcpy(a.sha, sha, 6);
    a.spa = spa;
    memcpy(a.tha, tha, 6);
    a.tpa = tpa;
    arp_write(&w, &a);
    nt_eth(&w, dst, ETH_TYPE_ARP);
    return w.len;
}

size_t nt_ip4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
              uint16_t id, uint16_t frag, const void *data, size_t len)
{
    struct bw w = bw_make(f, NET_RX_FRAME_MAX, ETH_HLEN + IP4_HLEN);
    struct ip4_hdr h;

    memset(&h, 0, sizeof h);
    h.len = (uint16_t)(IP4_HLEN + len);
    h.id = id;
    h.frag = frag;
    h.ttl = 64;
    h.proto = proto;
    h.src = src;
    h.dst = dst;
    bw_append(&w, data, len);
    ip4_push(&w, &h);
    nt_eth(&w, nt_mac, ETH_TYPE_IP4);
    if (!bw_ok(&w))
        abort();
    return w.len;
}

size_t nt_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst,
              uint16_t dport, const void *data, size_t len)
{
    static uint8_t seg[65536];
    struct bw w = bw_make(seg, sizeof seg, UDP_HLEN);

    struct bv v;

    bw_append(&w, data, len);
    udp_push(&w, sport, dport, src, dst);
    v = bw_view(&w);
    return nt_ip4(f, src, dst, IP4_PROTO_UDP, 0x1234, 0,
                  bv_ptr(&v, 0, bv_len(&v)), bv_len(&v));
}

size_t nt_echo_msg(uint8_t *m, uint16_t id, uint16_t seq, const void *data,
                   size_t len)
{
    struct bw w = bw_make(m, ICMP_HLEN + len, ICMP_HLEN);
    struct icmp_hdr h = {ICMP_ECHO, 0, 0, (uint32_t)id << 16 | seq};

    bw_append(&w, data, len);
    icmp_push(&w, &h);
    return w.len;
}

/* ---- Frames from the stack ---- */

int nt_out_ip4(size_t i, struct ip4_hdr *h, struct bv *data)
{
    struct bv f, p, hdr;
    struct eth_hdr eh;

    if (i >= nt_nout || i >= NT_OUT_MAX)
        return -1;
    f = bv_make(nt_out[i].b, nt_out[i].len);
    if (eth_parse(&f, &eh, &p) < 0 || eh.type != ETH_TYPE_IP4 ||
        memcmp(eh.src, nt_mac, 6) != 0)
        return -1;
    if (ip4_parse(&p, h, &hdr, data) < 0 ||
        ip4_csum_finish(ip4_csum_add(0, &hdr)) != 0)
        return -1;
    return 0;
}

int nt_out_arp(size_t i, struct eth_hdr *eh, struct arp_pkt *a)
{
    struct bv f, p;

    if (i >= nt_nout || i >= NT_OUT_MAX)
        return -1;
    f = bv_make(nt_out[i].b, nt_out[i].len);
    if (eth_parse(&f, eh, &p) < 0 || eh->type != ETH_TYPE_ARP ||
        arp_parse(&p, a) < 0)
        return -1;
    return 0;
}

long nt_out_reassemble(size_t first, size_t count, uint8_t *buf, size_t size)
{
    size_t i, at = 0;
    struct ip4_hdr h;
    struct bv d;

    for (i = first; i < first + count; i++) {
        int last = i + 1 == first + count;
        if (nt_out_ip4(i, &h, &d) < 0)
            return -1;
        if ((size_t)(h.frag & IP4_OFF_MASK) * 8 != at)
            return -1;
        if (((h.frag & IP4_MF) == 0) != last)
            return -1;
        if (at + bv_len(&d) > size)
            return -1;
        bv_copy(&d, 0, buf + at, bv_len(&d));
        at += bv_len(&d);
    }
    return (long)at;
}

/* ---- Fuzzing ---- */

#define NT_CHECK(c) ((c) ? (void)0 : __builtin_trap())

static void nt_echo_fn(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);

    (void)arg;
    udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len);
}

/* The stack's invariants: every bound holds, every queue adds up, and
 * what it sent is well-formed. */
static void nt_check(const struct net *n)
{
    int16_t i;
    size_t free_slots = 0, queued = 0, k, steps;
    struct net_stats st;

    NT_CHECK(nt_bad_writes == 0);
    for (i = n->arp_pend_free, steps = 0; i >= 0; i = n->arp_pend[i].next) {
        NT_CHECK(i < NET_ARP_PENDING && ++steps <= NET_ARP_PENDING);
        free_slots++;
    }
    for (k = 0; k < NET_ARP_ENTRIES; k++) {
        const struct net_arp_entry *e = &n->arp[k];
        size_t q = 0;
        NT_CHECK(e->state <= ARP_FAILED);
        NT_CHECK(e->npend <= NET_ARP_PENDING_PER);
        for (i = e->pend_head, steps = 0; i >= 0; i = n->arp_pend[i].next) {
            NT_CHECK(i < NET_ARP_PENDING && ++steps <= NET_ARP_PENDING);
            q++;
        }
        NT_CHECK(q == e->npend);
        NT_CHECK(e->state == ARP_INCOMPLETE || q == 0);
        queued += q;
    }
    NT_CHECK(free_slots + queued == NET_ARP_PENDING);
    for (k = 0; k < NET_REASM_SLOTS; k++) {
        const struct net_reasm *r = &n->reasm[k];
        if (!r->used)
            continue;
        NT_CHECK(r->blocks <= NET_REASM_BLOCKS);
        NT_CHECK(r->max_end <= NET_IP4_DATA_MAX);
        NT_CHECK(r->total <= NET_IP4_DATA_MAX);
        NT_CHECK(r->hlen <= sizeof r->hdr);
    }
    net_stats(n, &st);
    NT_CHECK(st.ip4.reasm_active <= NET_REASM_SLOTS);
    for (k = 0; k < nt_nout && k < NT_OUT_MAX; k++) {
        struct eth_hdr eh;
        struct arp_pkt a;
        struct ip4_hdr h;
        struct bv d;
        NT_CHECK(nt_out_arp(k, &eh, &a) == 0 || nt_out_ip4(k, &h, &d) == 0);
    }
    nt_clear();
}

void nt_fuzz(const uint8_t *data, size_t size, int wrap)
{
    static struct net n;
    static struct udp_sock sock;
    static uint8_t f[NET_RX_FRAME_MAX], payload[65536];
    struct bv in = bv_make(data, size);
    uint32_t dsts[4] = {NT_PEER, NT_OTHER, NT_FAR, 0x0a0000ff};

    udp_close(&sock);
    NT_CHECK(nt_up_caps(&n,
                        PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 |
                            PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4,
                        0) == PITH_OK);
    NT_CHECK(udp_bind(&sock, &n, 7, nt_echo_fn, NULL) == PITH_OK);
    while (bv_len(&in) > 0) {
        uint8_t op = bv_u8(&in, 0);
        size_t len = bv_be16(&in, 1), avail;
        struct bv chunk;

        if (!bv_ok(&in))
            break;
        avail = bv_len(&in) - 3;
        if (len > avail)
            len = avail;
        chunk = bv_sub(&in, 3, len);
        bv_shift(&in, 3 + len);
        switch (op % 4) {
        case 0: {
            const uint8_t *p = bv_ptr(&chunk, 0, len);
            size_t fl = 0;
            if (wrap == NT_WRAP_NONE && len <= sizeof f) {
                memcpy(f, p, len);
                fl = len;
            } else if (wrap == NT_WRAP_ETH && len >= 1 &&
                       len - 1 <= sizeof f - ETH_HLEN) {
                struct bw w = bw_make(f, sizeof f, ETH_HLEN);
                struct bv rest = bv_from(&chunk, 1);
                uint8_t sel = bv_u8(&chunk, 0);
                bw_append(&w, bv_ptr(&rest, 0, len - 1), len - 1);
                nt_eth(&w, sel & 1 ? eth_broadcast : nt_mac,
                       sel & 2 ? ETH_TYPE_ARP : ETH_TYPE_IP4);
                fl = w.len;
            } else if (wrap == NT_WRAP_IP4 && len <= sizeof f - ETH_HLEN) {
                struct bw w = bw_make(f, sizeof f, ETH_HLEN);
                bw_append(&w, p, len);
                nt_eth(&w, nt_mac, ETH_TYPE_IP4);
                fl = w.len;
            } else if ((wrap == NT_WRAP_ICMP || wrap == NT_WRAP_UDP) &&
                       len <= sizeof f - ETH_HLEN - IP4_HLEN) {
                fl = nt_ip4(f, NT_PEER, NT_ADDR,
                            wrap == NT_WRAP_ICMP ? IP4_PROTO_ICMP
                                                 : IP4_PROTO_UDP,
                            (uint16_t)len, 0, p, len);
            }
            if (fl) {
                /* The device's word on the checksum, from the opcode's
                 * high bits: none, partial (at the transport header or
                 * elsewhere), verified. */
                struct plat_net_meta m = {0};
                m.flags = (uint8_t)((op >> 2) & 3);
                m.csum_start =
                    (uint16_t)(op & 0x10 ? ETH_HLEN + IP4_HLEN : (op >> 5) * 4);
                m.csum_offset = 6;
                nt_input_meta(&n, f, fl, &m);
            }
            net_kick(&n);
            break;
        }
        case 1:
            nt_now += (uint64_t)len * 10 * NT_MS;
            net_tick(&n);
            break;
        case 2:
            udp_sendto(&sock, dsts[len & 3], 9, payload, len);
            break;
        default:
            nt_learn_peer(&n);
        }
        nt_check(&n);
    }
}

uint16_t nt_ref_csum(const uint8_t *p, size_t len)
{
    return nt_ref_csum_from(p, len, 0);
}

uint16_t nt_ref_csum_from(const uint8_t *p, size_t len, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
