/*
 * Fuzz target: the TCP engine behind a handshake. A peer (10.0.0.1) opens
 * a connection to an echo listener of the stack under test (nettest's
 * fake platform); then the input drives it, one operation at a time:
 * segments with chosen flags, sequence and acknowledgment numbers
 * (relative to what the connection expects), window, options (timestamps,
 * SACK blocks) and data; time passing with the timers firing; the app
 * reading, writing, shutting down or closing. After each operation the
 * connection's invariants are checked; at the end the stack is closed and
 * ASan checks that nothing leaked.
 *
 * Input: byte 0 picks the SYN's options and (0x40) whether the device
 * offers its offloads (checksum, TSO: every frame the stack writes must
 * then still carry metadata the device takes); then operations of 8 bytes:
 *   op, flags, seq delta (2, signed), ack delta (2, signed), window, len
 * followed by (len) data bytes when op says "segment".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>
#include <pith/tcp.h>

#include "../stack/nettest.h"
#include "tcp_conn.h"
#include "tcp_seq.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

static struct net n;
static struct tcp_listener lis;
static struct tcp_conn *conn;
static int app_mode;

static void app_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bv v;
    size_t len;

    (void)arg;
    if (ev == TCP_EV_CLOSED) {
        conn = NULL;
        return;
    }
    if (app_mode & 1)
        return; /* a slow reader */
    while ((len = tcp_peek(c, &v)) > 0) {
        long w = tcp_write(c, bv_ptr(&v, 0, len), len);
        if (w <= 0)
            break;
        tcp_consume(c, (size_t)w);
    }
}

static void app_accept(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    (void)l;
    (void)arg;
    conn = c;
    tcp_set_cb(c, app_ev, NULL);
}

/* A segment from the peer: (h) to our port 7, with (data). */
static void send_seg(struct tcp_hdr *h, const uint8_t *data, size_t len)
{
    static uint8_t f[NET_RX_FRAME_MAX];
    static uint8_t seg[NET_HEADROOM + 2048];
    struct bw w = bw_make(seg, sizeof seg, NET_HEADROOM);
    struct bv v;
    size_t fl;

    bw_append(&w, data, len);
    if (tcp_push(&w, h, NT_PEER, NT_ADDR) != PITH_OK)
        return;
    v = bw_view(&w);
    fl = nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_TCP, 1, 0,
                bv_ptr(&v, 0, bv_len(&v)), bv_len(&v));
    nt_input(&n, f, fl);
    net_kick(&n);
}

/* The invariants of a live connection. */
static void check(void)
{
    struct net_stats st;
    const struct tcp_conn *c = conn;
    unsigned i;

    net_stats(&n, &st);
    CHECK(nt_bad_writes == 0);
    CHECK(st.tcp.conns <= 1 + 8); /* ours and the SYNs of op 7 */
    if (!c)
        return;
    CHECK(tcp_seq_leq(c->snd_una, c->snd_nxt));
    CHECK(tcp_seq_leq(c->snd_nxt, c->snd_max));
    CHECK(c->slen <= c->sbuf_max && c->rlen <= c->rbuf_max);
    CHECK(c->snd_max - c->snd_una <= c->slen + 2);
    CHECK(c->nooo <= TCP_OOO_MAX && c->nsb <= TCP_SB_MAX);
    for (i = 0; i < c->nooo; i++) {
        CHECK(tcp_seq_lt(c->ooo[i].l, c->ooo[i].r));
        CHECK(tcp_seq_gt(c->ooo[i].l, c->rcv_nxt));
        CHECK(c->ooo[i].r - c->rcv_nxt <= c->rbuf_max - c->rlen);
        if (i)
            CHECK(tcp_seq_gt(c->ooo[i].l, c->ooo[i - 1].r));
    }
    for (i = 0; i < c->nsb; i++) {
        CHECK(tcp_seq_lt(c->sb[i].l, c->sb[i].r));
        CHECK(tcp_seq_geq(c->sb[i].l, c->snd_una));
        CHECK(tcp_seq_leq(c->sb[i].r, c->snd_max));
    }
    CHECK(c->rlen <= c->rcv.cap || !c->rlen);
    CHECK(c->slen <= c->snd.cap || !c->slen);
}

/* The last segment the stack sent to the peer: its header. */
static int last_out(struct tcp_hdr *h)
{
    struct ip4_hdr ih;
    struct bv d, data;
    size_t i;

    for (i = nt_nout < NT_OUT_MAX ? nt_nout : NT_OUT_MAX; i-- > 0;)
        if (nt_out_ip4(i, &ih, &d) == 0 && ih.proto == IP4_PROTO_TCP &&
            tcp_parse(&d, h, &data) == PITH_OK)
            return 0;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t zeros[2048];
    struct bv in = bv_make(data, size);
    struct tcp_hdr h, out;
    uint32_t iss, nxt, una;
    uint8_t sel = bv_u8(&in, 0);

    if (!bv_ok(&in))
        return 0;
    bv_shift(&in, 1);
    conn = NULL;
    app_mode = 0;
    CHECK(nt_up_caps(&n,
                     sel & 0x40
                         ? PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 |
                               PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4
                         : 0,
                     0) == PITH_OK);
    nt_learn_peer(&n);
    memset(&lis, 0, sizeof lis);
    CHECK(tcp_listen(&lis, &n, 7, app_accept, NULL) == PITH_OK);

    /* The handshake, with the options (sel) picks. */
    memset(&h, 0, sizeof h);
    h.sport = 40000;
    h.dport = 7;
    h.seq = 1000;
    h.flags = TCP_SYN;
    h.win = 65535;
    if (sel & 1) {
        h.opt.has |= TCP_HAS_MSS;
        h.opt.mss = (uint16_t)(sel & 0x80 ? 100 : 1460);
    }
    if (sel & 2) {
        h.opt.has |= TCP_HAS_WSCALE;
        h.opt.wscale = (uint8_t)(sel >> 4);
    }
    if (sel & 4)
        h.opt.has |= TCP_HAS_SACK_PERM;
    if (sel & 8) {
        h.opt.has |= TCP_HAS_TS;
        h.opt.ts_val = 5000;
    }
    nt_clear();
    send_seg(&h, NULL, 0);
    if (last_out(&out) < 0 || out.flags != (TCP_SYN | TCP_ACK))
        goto done;
    iss = out.seq;
    nxt = 1001;
    una = iss + 1;
    memset(&h.opt, 0, sizeof h.opt);
    if (sel & 8) {
        h.opt.has = TCP_HAS_TS;
        h.opt.ts_val = 5001;
        h.opt.ts_ecr = out.opt.ts_val;
    }
    h.seq = nxt;
    h.ack = una;
    h.flags = TCP_ACK;
    send_seg(&h, NULL, 0);
    check();

    while (bv_len(&in) >= 8) {
        uint8_t op = bv_u8(&in, 0), flags = bv_u8(&in, 1), win = bv_u8(&in, 6);
        int16_t ds = (int16_t)bv_be16(&in, 2), da = (int16_t)bv_be16(&in, 4);
        size_t len = bv_u8(&in, 7) * 8u, avail;
        const uint8_t *p;

        bv_shift(&in, 8);
        nt_clear();
        switch (op % 8) {
        case 0:
        case 1:
        case 2: /* a segment */
            avail = bv_len(&in) < len ? bv_len(&in) : len;
            p = avail ? bv_ptr(&in, 0, avail) : zeros;
            if (op & 0x40)
                len = avail; /* the input's bytes, else zeros */
            else
                p = zeros;
            bv_shift(&in, avail);
            memset(&h.opt, 0, sizeof h.opt);
            if (sel & 8) {
                h.opt.has = TCP_HAS_TS;
                h.opt.ts_val = 5001 + (uint32_t)(op & 0x20 ? -ds : ds);
                h.opt.ts_ecr = (uint32_t)ev_now() / 1000000;
            }
            if ((sel & 4) && (op & 0x80)) {
                h.opt.has |= TCP_HAS_SACK;
                h.opt.nsack = 1;
                h.opt.sack[0].left = una + (uint32_t)(uint16_t)da;
                h.opt.sack[0].right = una + (uint32_t)(uint16_t)da + 1448;
            }
            h.seq = nxt + (uint32_t)(int32_t)ds;
            h.ack = una + (uint32_t)(int32_t)da;
            h.flags = flags;
            h.win = (uint16_t)(win << 8 | win);
            send_seg(&h, p, len > 1400 ? 1400 : len);
            if (!ds && !(flags & (TCP_RST | TCP_SYN)))
                nxt +=
                    (uint32_t)(len > 1400 ? 1400 : len) + !!(flags & TCP_FIN);
            if (conn && tcp_seq_gt(conn->snd_max, una) && da > 0)
                una = tcp_seq_min(una + (uint32_t)da, conn->snd_max);
            break;
        case 3: /* time passes: one turn of the loop, timers fire */
            nt_now += (uint64_t)(uint16_t)ds * 1000000ull;
            ev_stop(0);
            ev_run();
            break;
        case 4: /* the app writes */
            if (conn)
                tcp_write(conn, zeros, (size_t)(uint16_t)ds % sizeof zeros);
            break;
        case 5: /* the app changes its reading */
            app_mode = flags;
            if (conn && !(app_mode & 1))
                app_ev(conn, TCP_EV_READABLE, NULL);
            break;
        case 6: /* the app shuts down or closes */
            if (conn && (flags & 3) == 0)
                tcp_shutdown(conn);
            else if (conn && (flags & 3) == 1) {
                tcp_close(conn);
                conn = NULL;
            } else if (conn && (flags & 3) == 2) {
                tcp_nodelay(conn, 1);
            }
            break;
        default: /* a second connection's SYN, to the same or a closed port */
            memset(&out, 0, sizeof out);
            out.sport = (uint16_t)(40001 + (flags & 7));
            out.dport = (uint16_t)(flags & 8 ? 7 : 9);
            out.seq = (uint32_t)ds;
            out.flags = TCP_SYN;
            out.win = 1000;
            send_seg(&out, NULL, 0);
            break;
        }
        check();
    }
done:
    tcp_unlisten(&lis);
    net_close(&n);
    return 0;
}
