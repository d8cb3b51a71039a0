/*
 * tcp output: building segments, deciding what to send (windows, Nagle,
 * SWS avoidance, loss recovery, FIN), the retransmission, persist,
 * delayed-ACK, keepalive and TIME_WAIT timers. See tcp_conn.h.
 */
#include <string.h>
#include <pith/err.h>

#include "../eth/eth.h"
#include "../stack/stack.h"
#include "tcp_conn.h"
#include "tcp_seq.h"

uint32_t tcp_ts_now(const struct tcp_conn *c)
{
    return (uint32_t)(ev_now() / TCP_MS) + c->ts_off;
}

int tcp_window_update_due(const struct tcp_conn *c)
{
    uint32_t edge = c->rcv_nxt + (c->rbuf_max - c->rlen);
    uint32_t step =
        c->rbuf_max / 2 < 2u * c->mss ? c->rbuf_max / 2 : 2u * c->mss;

    return !(c->fl & TCP_F_RCV_FIN) && tcp_seq_gt(edge, c->rcv_adv) &&
           edge - c->rcv_adv >= step;
}

uint16_t tcp_rcv_window(struct tcp_conn *c)
{
    uint32_t space = c->rbuf_max - c->rlen, edge, win;

    if (c->fl & TCP_F_RCV_FIN)
        space = 0;
    edge = c->rcv_nxt + (space & ~((1u << c->rcv_ws) - 1));
    /* RFC 9293 3.8.6.2.2: move the right edge only by a worthwhile step
     * (receiver SWS avoidance), and never back. */
    if (tcp_seq_gt(edge, c->rcv_adv)) {
        uint32_t step = c->rbuf_max / 2 < c->mss ? c->rbuf_max / 2 : c->mss;
        if (edge - c->rcv_adv >= step || tcp_seq_leq(c->rcv_adv, c->rcv_nxt))
            c->rcv_adv = edge;
    }
    if (tcp_seq_lt(c->rcv_adv, c->rcv_nxt))
        c->rcv_adv = c->rcv_nxt;
    win = (c->rcv_adv - c->rcv_nxt) >> c->rcv_ws;
    return win > 0xffff ? 0xffff : (uint16_t)win;
}

/* Fills the SACK blocks of (*o) from the out-of-order ranges, the one
 * changed last first (RFC 2018 4). */
static void tcp_sack_blocks(const struct tcp_conn *c, struct tcp_opts *o,
                            unsigned max)
{
    unsigned i, k = 0;

    if (!(c->fl & TCP_F_SACK) || (!c->nooo && !(c->fl & TCP_F_DSACK)))
        return;
    if (c->fl & TCP_F_DSACK) {
        /* RFC 2883: a duplicate received goes first, once. */
        o->sack[k].left = c->dsack.l;
        o->sack[k++].right = c->dsack.r;
    }
    if (c->nooo) {
        o->sack[k].left = c->ooo[c->ooo_last].l;
        o->sack[k++].right = c->ooo[c->ooo_last].r;
    }
    for (i = 0; i < c->nooo && k < max; i++) {
        if (i == c->ooo_last)
            continue;
        o->sack[k].left = c->ooo[i].l;
        o->sack[k++].right = c->ooo[i].r;
    }
    o->has |= TCP_HAS_SACK;
    o->nsack = (uint8_t)k;
}

/*
 * Data bytes a segment may carry now: the MSS less the SACK blocks that
 * will ride along (RFC 6691: the MSS counts no options; c->mss already
 * allows for timestamps, which every segment carries).
 */
static uint32_t tcp_seg_room(const struct tcp_conn *c)
{
    unsigned max = (c->fl & TCP_F_TS) ? 3 : 4, k;

    k = c->nooo + ((c->fl & TCP_F_DSACK) ? 1 : 0);
    if (!(c->fl & TCP_F_SACK) || !k)
        return c->mss;
    if (k > max)
        k = max;
    return c->mss - (2 + 2 + 8 * k); /* NOP NOP kind len blocks */
}

/*
 * The most data one segment may carry when the device cuts segments
 * (PLAT_NET_CAP_TSO4): whole segments of (seg) bytes in one IPv4 packet.
 */
static uint32_t tcp_tso_room(uint32_t seg)
{
    uint32_t max = NET_IP4_DATA_MAX - TCP_HLEN - TCP_OPT_MAX;
    return seg && max / seg > 1 ? max / seg * seg : seg;
}

/* Sends one segment of (c): (len) bytes of the send buffer from (seq),
 * control bits (flags). SYNs carry the options of the handshake. With the
 * device's checksum offload the checksum is left to it; a segment longer
 * than tcp_seg_room() (only with PLAT_NET_CAP_TSO4) is cut by the device
 * into segments of that many bytes, each with these headers (sequence
 * numbers moved, FIN and PSH on the last only); its data goes to the
 * device straight from the send buffer, not copied behind the headers. */
static int tcp_xmit(struct tcp_conn *c, uint32_t seq, uint32_t len,
                    uint8_t flags)
{
    struct net *n = c->net;
    struct net_out o = {0};
    int partial = (n->offload & PLAT_NET_CAP_CSUM) != 0;
    uint32_t seg = tcp_seg_room(c), tail = 0;
    struct tcp_hdr h;
    struct bw w;
    int rc;

    memset(&h, 0, sizeof h);
    h.sport = c->t.lport;
    h.dport = c->t.rport;
    h.seq = seq;
    h.flags = flags;
    if (flags & TCP_ACK)
        h.ack = c->rcv_nxt;
    if (flags & TCP_SYN) {
        uint32_t space = c->rbuf_max;
        h.win = space > 0xffff ? 0xffff : (uint16_t)space; /* unscaled */
        /* A SYN-ACK offers that window: data that follows the ACK of it
         * at once, before any other segment of ours, must fit in it. */
        if ((flags & TCP_ACK) && tcp_seq_lt(c->rcv_adv, c->rcv_nxt + h.win))
            c->rcv_adv = c->rcv_nxt + h.win;
        h.opt.has = TCP_HAS_MSS;
        h.opt.mss = (uint16_t)(n->mtu - 40);
        if (c->state == TCP_SYN_SENT || (c->fl & TCP_F_WS)) {
            h.opt.has |= TCP_HAS_WSCALE;
            h.opt.wscale = c->rcv_ws;
        }
        if (c->state == TCP_SYN_SENT || (c->fl & TCP_F_SACK))
            h.opt.has |= TCP_HAS_SACK_PERM;
    } else {
        h.win = tcp_rcv_window(c);
    }
    if (c->state == TCP_SYN_SENT || (c->fl & TCP_F_TS)) {
        h.opt.has |= TCP_HAS_TS;
        h.opt.ts_val = tcp_ts_now(c);
        h.opt.ts_ecr = (flags & TCP_ACK) ? c->ts_recent : 0;
    }
    if (!(flags & TCP_SYN))
        tcp_sack_blocks(c, &h.opt, (c->fl & TCP_F_TS) ? 3 : 4);
    w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);
    if (partial && len > seg) {
        /* A GSO segment (only those are longer): its data, in one or two
         * runs of the ring, is the packet's tail. */
        for (; tail < len && o.ntail < 2; tail += o.tail[o.ntail++].len)
            o.tail[o.ntail].len =
                tcp_ring_run(&c->snd, seq - c->snd_una + tail, len - tail,
                             &o.tail[o.ntail].base);
        if (tail != len)
            return PITH_EINVAL; /* more than the ring holds */
    } else if (len) {
        uint8_t *d = bw_put(&w, len);
        if (!d)
            return PITH_ENOMEM;
        tcp_ring_get(&c->snd, seq - c->snd_una, d, len);
    }
    rc = tcp_push_csum(&w, &h, c->t.laddr, c->t.raddr, partial, tail);
    if (rc == PITH_OK && partial) {
        o.m.flags = PLAT_NET_F_NEEDS_CSUM;
        o.m.csum_offset = TCP_OFF_CSUM;
        if (len > seg) {
            o.m.gso = PLAT_NET_GSO_TCP4;
            o.m.gso_size = (uint16_t)seg;
            o.m.hdr_len = (uint16_t)(w.len - (len - tail));
            n->st.tcp.tx_gso++;
            n->st.tcp.tx_gso_segs += (len + seg - 1) / seg;
        }
    }
    if (rc == PITH_OK)
        rc = ip4_output_meta(n, &w, c->t.raddr, IP4_PROTO_TCP, &o);
    n->st.tcp.tx++;
    if (flags & TCP_ACK) {
        c->last_ack_sent = c->rcv_nxt;
        c->acks_owed = 0;
        c->fl &= ~(uint32_t)(TCP_F_ACK_NOW | TCP_F_DSACK);
        c->t_delack = 0;
    }
    return rc;
}

void tcp_send_syn(struct tcp_conn *c)
{
    uint8_t flags = TCP_SYN;

    if (c->state == TCP_SYN_RECEIVED)
        flags |= TCP_ACK;
    tcp_xmit(c, c->iss, 0, flags);
    if (tcp_seq_lt(c->snd_max, c->iss + 1))
        c->snd_max = c->iss + 1;
    c->snd_nxt = c->iss + 1;
    if (!c->t_rtx)
        c->t_rtx = ev_now() + c->rtt.rto;
}

/* Counts a segment sent again, for the RTT estimate (Karn) and for the
 * loss episode an undo would take back. */
static void tcp_rxt_count(struct tcp_conn *c)
{
    c->net->st.tcp.retransmits++;
    tcp_rtt_retransmit(&c->rtt);
    if (c->fl & TCP_F_UNDO)
        c->undo_retrans++;
}

/* A segment that asks for an ACK without moving anything: sequence
 * number SND.UNA - 1 (keepalive, RFC 1122 4.2.3.6; zero-window probe). */
static void tcp_send_probe(struct tcp_conn *c)
{
    tcp_xmit(c, c->snd_una - 1, 0, TCP_ACK);
}

uint32_t tcp_sacked(const struct tcp_conn *c, uint32_t lo, uint32_t hi)
{
    uint32_t sum = 0, l, r;
    unsigned i;

    for (i = 0; i < c->nsb; i++) {
        l = tcp_seq_max(c->sb[i].l, lo);
        r = tcp_seq_min(c->sb[i].r, hi);
        if (tcp_seq_lt(l, r))
            sum += r - l;
    }
    return sum;
}

/* The end of what is deemed lost in recovery (RFC 6675 IsLost,
 * simplified: every unSACKed byte below the highest SACKed one), and
 * never less than the first segment (RFC 6582; RFC 6675 5 step 3): a
 * recovery entered on duplicate ACKs that carried no SACK block, or a
 * lost retransmission with nothing above it SACKed, still has SND.UNA's
 * segment to resend; without it nothing would go out until the
 * retransmission timer. */
static uint32_t tcp_lost_end(const struct tcp_conn *c)
{
    uint32_t first = tcp_seq_min(c->snd_una + c->mss, c->snd_max);

    if ((c->fl & TCP_F_SACK) && c->nsb)
        return tcp_seq_max(c->sb[c->nsb - 1].r, first);
    return first;
}

/* The next hole to retransmit in recovery: sets (*seq) and returns its
 * length, 0 when there is none. */
static uint32_t tcp_next_hole(const struct tcp_conn *c, uint32_t *seq)
{
    uint32_t from = tcp_seq_max(c->high_rxt, c->snd_una);
    uint32_t end = tcp_lost_end(c);
    unsigned i;

    for (i = 0; i < c->nsb && tcp_seq_lt(from, end); i++) {
        if (tcp_seq_leq(c->sb[i].r, from))
            continue;
        if (tcp_seq_leq(c->sb[i].l, from)) {
            from = c->sb[i].r;
            continue;
        }
        end = tcp_seq_min(end, c->sb[i].l);
        break;
    }
    if (!tcp_seq_lt(from, end))
        return 0;
    *seq = from;
    return end - from < tcp_seg_room(c) ? end - from : tcp_seg_room(c);
}

/* RFC 6675 pipe: the bytes deemed in the network. */
static uint32_t tcp_pipe(const struct tcp_conn *c)
{
    uint32_t flight = c->snd_max - c->snd_una, sacked, lost, rtx, out;

    if (!(c->fl & TCP_F_SACK)) {
        uint32_t gone = (uint32_t)c->dupacks * c->mss;
        out = flight > gone ? flight - gone : 0;
        if (tcp_seq_gt(c->high_rxt, c->snd_una))
            out += c->high_rxt - c->snd_una;
        return out;
    }
    sacked = tcp_sacked(c, c->snd_una, c->snd_max);
    {
        uint32_t end = tcp_lost_end(c);
        lost = (end - c->snd_una) - tcp_sacked(c, c->snd_una, end);
        if (tcp_seq_gt(c->high_rxt, c->snd_una)) {
            uint32_t h = tcp_seq_min(c->high_rxt, end);
            rtx = (h - c->snd_una) - tcp_sacked(c, c->snd_una, h);
        } else {
            rtx = 0;
        }
    }
    out = flight - sacked - lost + rtx;
    return (int32_t)out < 0 ? 0 : out;
}

static void tcp_arm_rtx(struct tcp_conn *c, uint64_t now)
{
    if (!c->t_rtx)
        c->t_rtx = now + c->rtt.rto;
    if (!c->t_progress)
        c->t_progress = now;
    if (!c->t_tlp)
        tcp_arm_tlp(c, now);
}

void tcp_arm_tlp(struct tcp_conn *c, uint64_t now)
{
    uint32_t flight = c->snd_max - c->snd_una;
    uint64_t pto;

    c->t_tlp = 0;
    if (!flight || c->tlp_out || (c->fl & TCP_F_RECOVERY) || !c->rtt.samples ||
        c->state < TCP_ESTABLISHED)
        return;
    pto = 2 * c->rtt.srtt;
    if (flight <= c->mss)
        pto += TCP_DELACK_NS; /* RFC 8985 7.2: WCDelAckT */
    if (pto < 10 * TCP_MS)
        pto = 10 * TCP_MS;
    if (c->t_rtx && now + pto >= c->t_rtx)
        return;
    c->t_tlp = now + pto;
}

/* The tail loss probe (RFC 8985 7.3): no ACK for two round trips; send
 * a segment of new data when there is some and the peer's window takes
 * it, else the last segment sent again, so that its ACK (with SACK)
 * reveals a loss at the tail, which duplicate ACKs never would. */
static void tcp_tlp_fire(struct tcp_conn *c)
{
    uint32_t dend = c->snd_una + c->slen, room = tcp_seg_room(c);
    uint32_t seq, len, wend = c->snd_una + c->snd_wnd;
    uint8_t flags = TCP_ACK;

    c->t_tlp = 0;
    if (c->snd_max == c->snd_una || c->tlp_out || (c->fl & TCP_F_RECOVERY) ||
        c->snd_nxt != c->snd_max)
        return;
    c->tlp_out = 1;
    if (!(c->fl & TCP_F_FIN_SENT) && tcp_seq_lt(c->snd_max, dend) &&
        tcp_seq_lt(c->snd_max, wend)) {
        /* New data: it takes no part of the window it is not allowed. */
        seq = c->snd_max;
        len = dend - seq < room ? dend - seq : room;
        if (len > wend - seq)
            len = wend - seq;
        tcp_xmit(c, seq, len, TCP_ACK | TCP_PSH);
        tcp_rtt_start(&c->rtt, seq + len, ev_now());
        c->snd_nxt = c->snd_max = seq + len;
        c->net->st.tcp.tail_probes++;
        return;
    }
    /* The last segment sent: data up to SND.MAX (or to the end of the
     * buffer, when the FIN is out), and the FIN when it is the last. */
    if (tcp_seq_lt(c->snd_max, dend))
        dend = c->snd_max;
    seq = tcp_seq_gt(dend, c->snd_una) && dend - c->snd_una > room ? dend - room
                                                                   : c->snd_una;
    len = dend - seq;
    if ((c->fl & TCP_F_FIN_SENT) && c->snd_max == c->snd_fin + 1 &&
        seq + len == c->snd_fin)
        flags |= TCP_FIN;
    if (!len && !(flags & TCP_FIN))
        return;
    c->net->st.tcp.tail_probes++;
    tcp_rxt_count(c);
    tcp_xmit(c, seq, len, flags);
}

void tcp_output(struct tcp_conn *c)
{
    uint64_t now = ev_now();
    uint32_t pipe, wnd, off, avail, len, seq, room, seg;
    int sent = 0, fin;
    uint8_t flags;

    switch (c->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
        break;
    case TCP_TIME_WAIT:
        if (c->fl & TCP_F_ACK_NOW)
            tcp_xmit(c, c->snd_max, 0, TCP_ACK);
        goto timers;
    default:
        goto timers;
    }

    /* Loss recovery: the holes first, while the pipe has room. */
    if (c->fl & TCP_F_RECOVERY) {
        while ((pipe = tcp_pipe(c)) < c->cc.cwnd &&
               (len = tcp_next_hole(c, &seq)) > 0) {
            /* A hole may reach our FIN's number: data up to the end of
             * the buffer, and the FIN. */
            uint32_t dend = c->snd_una + c->slen, dlen;
            flags = TCP_ACK;
            dlen =
                tcp_seq_lt(seq, dend) ? tcp_seq_min(seq + len, dend) - seq : 0;
            if ((c->fl & TCP_F_FIN_SENT) && seq + dlen == dend &&
                tcp_seq_gt(seq + len, dend))
                flags |= TCP_FIN;
            tcp_xmit(c, seq, dlen, flags);
            if (seq == c->snd_una || !c->rxt_after) {
                c->rxt_seq = seq;
                c->rxt_after = c->snd_max;
                c->rxt_ts = ev_now();
            }
            c->high_rxt = seq + len;
            tcp_rxt_count(c);
            sent = 1;
        }
        /* A probe for the retransmission of the lowest hole: when it
         * and all sent after it are lost, no ACK comes to show it, and
         * only the retransmission timer would. Once per SND.UNA: a
         * path that stays dead is the timer's (tcp_rack_fire). */
        if (sent && c->rxt_after && !(c->fl & TCP_F_PROBED)) {
            uint64_t pto = 2 * c->rtt.srtt + TCP_MS;
            if (pto < 10 * TCP_MS)
                pto = 10 * TCP_MS;
            if (!c->t_rack || c->rxt_ts + pto < c->t_rack)
                c->t_rack = c->rxt_ts + pto;
        }
    }

    for (;;) {
        off = c->snd_nxt - c->snd_una;
        if (off > c->slen)
            break; /* our FIN is out */
        avail = c->slen - off;
        if (c->fl & TCP_F_RECOVERY) {
            pipe = tcp_pipe(c);
            wnd = c->cc.cwnd > pipe ? c->cc.cwnd - pipe : 0;
        } else {
            /* Limited Transmit (RFC 3042): each of the first two
             * duplicate ACKs lets one new segment out, so that a small
             * window can still make the three that start recovery. */
            uint32_t flight = c->snd_nxt - c->snd_una;
            uint32_t cwnd =
                c->cc.cwnd +
                (uint32_t)(c->dupacks < 2 ? c->dupacks : 2) * c->mss;
            wnd = cwnd > flight ? cwnd - flight : 0;
        }
        /* The peer's window, from SND.UNA. */
        if (c->snd_wnd > off) {
            if (wnd > c->snd_wnd - off)
                wnd = c->snd_wnd - off;
        } else {
            wnd = 0;
        }
        seg = tcp_seg_room(c);
        room = (c->net->offload & PLAT_NET_CAP_TSO4) ? tcp_tso_room(seg) : seg;
        len = avail < room ? avail : room;
        if (len > wnd)
            len = wnd;
        /* A segment the device cuts goes out as full ones and, at the
         * end of the data only, a short one, which Nagle may still hold
         * back (as Linux's tcp_mss_split_point): the rest waits for its
         * own turn below. */
        if (len > seg && len % seg &&
            (len < avail ||
             (!(c->fl & TCP_F_NODELAY) && !(c->fl & TCP_F_SHUT_WR) &&
              tcp_seq_geq(c->snd_nxt, c->snd_max))))
            len -= len % seg;
        fin = (c->fl & TCP_F_SHUT_WR) && off + len == c->slen &&
              !(c->fl & TCP_F_FIN_SENT && c->snd_nxt + len != c->snd_fin);
        if (!len && !fin)
            break;
        if (len < seg && len < avail) {
            /* Window-limited: sender SWS avoidance (RFC 9293 3.8.6.2.1). */
            if (len < c->max_wnd / 2)
                break;
        } else if (len < seg && !fin && c->snd_nxt != c->snd_una &&
                   !(c->fl & TCP_F_NODELAY) &&
                   tcp_seq_geq(c->snd_nxt, c->snd_max)) {
            break; /* Nagle (RFC 1122 4.2.3.4) */
        }
        seq = c->snd_nxt;
        flags = TCP_ACK;
        if (off + len == c->slen && len)
            flags |= TCP_PSH;
        if (fin)
            flags |= TCP_FIN;
        tcp_xmit(c, seq, len, flags);
        if (tcp_seq_lt(seq, c->snd_max)) {
            tcp_rxt_count(c);
        } else if (len) {
            tcp_rtt_start(&c->rtt, seq + len, now);
        }
        c->snd_nxt = seq + len + (fin ? 1 : 0);
        if (fin) {
            c->fl |= TCP_F_FIN_SENT;
            c->snd_fin = seq + len;
        }
        if (tcp_seq_gt(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        tcp_arm_rtx(c, now);
        sent = 1;
        if (fin)
            break;
    }
    /* RFC 8985 7.2: the probe timer restarts as new data goes out; with
     * more than one segment out it no longer waits for a delayed ACK. */
    if (sent && !c->tlp_out && !(c->fl & TCP_F_RECOVERY))
        tcp_arm_tlp(c, now);

    /* A bare ACK takes the highest number sent, not SND.NXT: after a
     * timeout SND.NXT steps back to resend (go-back-N) and the peer,
     * which may have all of it, would find the ACK outside its window
     * and drop it (RFC 9293 3.10.7.4), its acknowledgment unread. */
    if (!sent && (c->fl & TCP_F_ACK_NOW))
        tcp_xmit(c, c->snd_max, 0, TCP_ACK);
    else if (!sent && c->acks_owed && !c->t_delack)
        c->t_delack = now + TCP_DELACK_NS;
    else if (!sent && tcp_window_update_due(c))
        tcp_xmit(c, c->snd_max, 0, TCP_ACK); /* window update */

    /* Persist: data waits and nothing is out, so no ACK will come to
     * move things: the window is shut, or too small for sender SWS
     * avoidance (RFC 9293 3.8.6.2.1's override timeout). */
    if (c->slen > c->snd_nxt - c->snd_una && c->snd_nxt == c->snd_una &&
        !c->t_rtx) {
        if (!c->persist_ns)
            c->persist_ns =
                c->rtt.rto > TCP_PERSIST_MIN ? c->rtt.rto : TCP_PERSIST_MIN;
        c->t_rtx = now + c->persist_ns;
    }
timers:
    tcp_conn_timer(c);
}

void tcp_conn_timer(struct tcp_conn *c)
{
    uint64_t d = UINT64_MAX;

    if (c->t_rtx && c->t_rtx < d)
        d = c->t_rtx;
    if (c->t_delack && c->t_delack < d)
        d = c->t_delack;
    if (c->t_keep && c->t_keep < d)
        d = c->t_keep;
    if (c->t_end && c->t_end < d)
        d = c->t_end;
    if (c->t_tlp && c->t_tlp < d)
        d = c->t_tlp;
    if (c->t_rack && c->t_rack < d)
        d = c->t_rack;
    if (d == UINT64_MAX)
        return; /* an armed timer finds nothing due and stops */
    /* Moving a timer costs a heap operation: one that fires early finds
     * nothing due and re-arms, so only pull it earlier. */
    if (!ev_timer_armed(&c->timer) || d < c->timer.deadline)
        ev_timer_arm(&c->timer, d);
}

/* The retransmission timer (RFC 6298 5.4-5.7), or the persist timer. */
static void tcp_rtx_fire(struct tcp_conn *c, uint64_t now)
{
    struct net *n = c->net;
    uint32_t flight = c->snd_max - c->snd_una;

    c->t_rtx = 0;
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
        if (++c->retries > TCP_SYN_RETRIES) {
            n->st.tcp.conn_timeouts++;
            tcp_conn_drop(c, PITH_EAGAIN);
            return;
        }
        n->st.tcp.timeouts++;
        n->st.tcp.retransmits++;
        tcp_rtt_backoff(&c->rtt);
        c->fl |= TCP_F_SYN_LOST;
        tcp_send_syn(c);
        return;
    }
    if (!flight) {
        /* Persist (RFC 9293 3.8.6.1): probe the shut window; a peer
         * that answers keeps the connection however long it lasts. */
        if (c->slen == 0)
            return;
        if (now - c->last_rx > c->user_timeout) {
            n->st.tcp.conn_timeouts++;
            tcp_conn_drop(c, PITH_EAGAIN);
            return;
        }
        if (c->snd_wnd) {
            /* A small window: send what it takes (the override). */
            uint32_t len =
                c->snd_wnd < tcp_seg_room(c) ? c->snd_wnd : tcp_seg_room(c);
            if (len > c->slen)
                len = c->slen;
            tcp_xmit(c, c->snd_nxt, len, TCP_ACK | TCP_PSH);
            tcp_rtt_start(&c->rtt, c->snd_nxt + len, now);
            c->snd_nxt += len;
            if (tcp_seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
            c->persist_ns = 0;
            tcp_arm_rtx(c, now);
            return;
        }
        n->st.tcp.zero_window_probes++;
        tcp_send_probe(c);
        c->persist_ns *= 2;
        if (c->persist_ns > TCP_PERSIST_MAX)
            c->persist_ns = TCP_PERSIST_MAX;
        c->t_rtx = now + c->persist_ns;
        return;
    }
    if (now - c->t_progress >= c->user_timeout) {
        n->st.tcp.conn_timeouts++;
        tcp_conn_drop(c, PITH_EAGAIN);
        return;
    }
    n->st.tcp.timeouts++;
    c->t_tlp = 0;
    c->tlp_out = 0;
    if (c->retries < 255)
        c->retries++;
    tcp_rtt_backoff(&c->rtt);
    /* RFC 5681 3.1 and RFC 6582 4: one segment from SND.UNA, the rest
     * as the window reopens (go-back-N); forget SACK (RFC 2018 8). */
    tcp_undo_begin(c);
    tcp_cc_timeout(&c->cc, flight);
    c->fl &= ~(uint32_t)TCP_F_RECOVERY;
    c->recover = c->snd_max - 1;
    c->high_rxt = c->snd_una;
    c->dupacks = 0;
    c->nsb = 0;
    c->snd_nxt = c->snd_una;
    if (c->fl & TCP_F_FIN_SENT && c->snd_una == c->snd_fin + 1)
        c->snd_nxt = c->snd_una;
    tcp_output(c);
    if (!c->t_rtx)
        c->t_rtx = now + c->rtt.rto;
}

static void tcp_keep_fire(struct tcp_conn *c, uint64_t now)
{
    if (!c->keep_idle || c->state != TCP_ESTABLISHED) {
        c->t_keep = 0;
        return;
    }
    if (now - c->last_rx < c->keep_idle) {
        c->keep_sent = 0;
        c->t_keep = c->last_rx + c->keep_idle;
        return;
    }
    if (c->keep_sent >= c->keep_cnt) {
        c->net->st.tcp.conn_timeouts++;
        tcp_conn_drop(c, PITH_EAGAIN);
        return;
    }
    c->keep_sent++;
    c->net->st.tcp.keepalive_probes++;
    tcp_send_probe(c);
    c->t_keep = now + c->keep_intvl;
}

static void tcp_timer_fn(struct ev_timer *t, void *arg)
{
    struct tcp_conn *c = arg;
    struct net *n = c->net;
    uint64_t now = ev_now();

    (void)t;
    c->net->tcp->depth++;
    c->busy++;
    if (c->t_end && now >= c->t_end) {
        c->t_end = 0;
        if (c->state == TCP_TIME_WAIT)
            tcp_conn_drop(c, PITH_OK);
        else
            tcp_conn_drop(c, PITH_EAGAIN); /* orphaned FIN_WAIT_2 */
    }
    if (!(c->fl & TCP_F_DEAD) && c->t_tlp && now >= c->t_tlp)
        tcp_tlp_fire(c);
    if (!(c->fl & TCP_F_DEAD) && c->t_rack && now >= c->t_rack) {
        c->t_rack = 0;
        tcp_rack_fire(c);
    }
    if (!(c->fl & TCP_F_DEAD) && c->t_rtx && now >= c->t_rtx)
        tcp_rtx_fire(c, now);
    if (!(c->fl & TCP_F_DEAD) && c->t_keep && now >= c->t_keep)
        tcp_keep_fire(c, now);
    if (!(c->fl & TCP_F_DEAD) && c->t_delack && now >= c->t_delack) {
        c->t_delack = 0;
        c->fl |= TCP_F_ACK_NOW;
        tcp_output(c);
    }
    if (!(c->fl & TCP_F_DEAD))
        tcp_conn_timer(c);
    c->busy--;
    tcp_conn_done(c);
    n->tcp->depth--;
    tcp_kick(n);
}

void tcp_timer_init(struct tcp_conn *c)
{
    ev_timer_init(&c->timer, tcp_timer_fn, c);
}
