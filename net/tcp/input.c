/*
 * tcp input: segment arrival (RFC 9293 3.10.7) for listeners and
 * connections, with RFC 5961 (challenge ACKs), RFC 7323 (PAWS,
 * timestamps, window scale), RFC 2018 (SACK), RFC 5681 and RFC 6582 (fast
 * retransmit, NewReno) and SYN cookies. See tcp_conn.h.
 */
#include <string.h>
#include <pith/err.h>

#include "../stack/stack.h"
#include "tcp_conn.h"
#include "tcp_seq.h"

/* ---- Replies without a connection ---- */

/* Sends a bare segment on (*t): used for resets and cookie SYN-ACKs. */
static void tcp_send_bare(struct net *n, const struct tcp_tuple *t,
                          const struct tcp_hdr *h)
{
    struct bw w = bw_make(n->tx, sizeof n->tx, NET_HEADROOM);

    if (tcp_push(&w, h, t->laddr, t->raddr) == PITH_OK)
        ip4_output(n, &w, t->raddr, IP4_PROTO_TCP);
    n->st.tcp.tx++;
    if (h->flags & TCP_RST)
        n->st.tcp.tx_rst++;
}

void tcp_send_reset(struct net *n, const struct tcp_tuple *t,
                    const struct tcp_hdr *in, uint32_t len)
{
    struct tcp_hdr h;

    if (in->flags & TCP_RST)
        return;
    memset(&h, 0, sizeof h);
    h.sport = t->lport;
    h.dport = t->rport;
    /* RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST> when the segment has an
     * ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    if (in->flags & TCP_ACK) {
        h.seq = in->ack;
        h.flags = TCP_RST;
    } else {
        h.ack = in->seq + tcp_seg_len(in, len);
        h.flags = TCP_RST | TCP_ACK;
    }
    tcp_send_bare(n, t, &h);
}

/* RFC 5961 7: challenge ACKs are limited to this many a second. */
#define TCP_CHALLENGE_PER_SEC 1000

static void tcp_challenge_ack(struct tcp_conn *c)
{
    static uint64_t window;
    static uint32_t count;
    uint64_t now = ev_now();

    if (now - window >= NET_SEC_NS) {
        window = now;
        count = 0;
    }
    if (count++ >= TCP_CHALLENGE_PER_SEC)
        return;
    c->net->st.tcp.challenge_acks++;
    c->fl |= TCP_F_ACK_NOW;
}

/* ---- Options at the handshake ---- */

/* Takes the peer's SYN options (*o) (RFC 7323 1.3, RFC 2018 2, RFC 9293
 * 3.7.1): what both sides offered is used. (ours) says which of them we
 * offered (all, on an active open). */
static void tcp_take_syn_opts(struct tcp_conn *c, const struct tcp_opts *o)
{
    uint32_t base = c->net->mtu - 40;

    c->peer_mss = (o->has & TCP_HAS_MSS) ? o->mss : TCP_MSS_DEFAULT;
    if (c->peer_mss < 64)
        c->peer_mss = 64;
    if (o->has & TCP_HAS_WSCALE) {
        c->fl |= TCP_F_WS;
        c->snd_ws = o->wscale;
    } else {
        c->snd_ws = 0;
        c->rcv_ws = 0;
    }
    if (o->has & TCP_HAS_SACK_PERM)
        c->fl |= TCP_F_SACK;
    if (o->has & TCP_HAS_TS) {
        c->fl |= TCP_F_TS;
        c->ts_recent = o->ts_val;
    }
    c->mss = (uint16_t)(c->peer_mss < base ? c->peer_mss : base);
    if (c->fl & TCP_F_TS)
        c->mss -= 12;
    tcp_cc_init(&c->cc, c->mss);
}

/* ---- The connection table, listeners ---- */

static struct tcp_listener *tcp_listener_find(struct tcp_stack *ts,
                                              uint16_t port)
{
    struct tcp_listener *l;

    for (l = ts->listeners; l; l = l->next)
        if (l->port == port)
            return l;
    return NULL;
}

static void tcp_established(struct tcp_conn *c)
{
    c->state = TCP_ESTABLISHED;
    c->last_rx = ev_now();
    if (c->fl & TCP_F_SYN_LOST)
        tcp_rtt_syn_lost(&c->rtt);
    if (c->keep_idle)
        c->t_keep = c->last_rx + c->keep_idle;
}

/* A new connection from a SYN (*h) on (*t) for listener (l). */
static void tcp_passive_open(struct net *n, struct tcp_listener *l,
                             const struct tcp_tuple *t, const struct tcp_hdr *h)
{
    struct tcp_conn *c = tcp_conn_new(n, t);

    if (!c) {
        tcp_send_reset(n, t, h, 0);
        return;
    }
    c->state = TCP_SYN_RECEIVED;
    c->lis = l;
    l->half_open++;
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    c->last_ack_sent = c->rcv_nxt;
    tcp_take_syn_opts(c, &h->opt);
    c->snd_wnd = h->win; /* never scaled in a SYN */
    c->max_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = c->iss;
    n->st.tcp.passive_opens++;
    tcp_conn_hash(n->tcp, c);
    c->busy++;
    tcp_send_syn(c);
    tcp_conn_timer(c);
    c->busy--;
    tcp_conn_done(c);
}

/* A SYN-ACK whose ISN is a cookie: no state kept (RFC 4987 3.6). */
static void tcp_send_cookie(struct net *n, struct tcp_stack *ts,
                            const struct tcp_tuple *t, const struct tcp_hdr *in)
{
    struct tcp_hdr h;
    uint16_t mss = (in->opt.has & TCP_HAS_MSS) ? in->opt.mss : TCP_MSS_DEFAULT;

    memset(&h, 0, sizeof h);
    h.sport = t->lport;
    h.dport = t->rport;
    h.seq = tcp_cookie_make(&ts->key, t, in->seq, mss, ev_now());
    h.ack = in->seq + 1;
    h.flags = TCP_SYN | TCP_ACK;
    h.win = 0xffff;
    h.opt.has = TCP_HAS_MSS;
    h.opt.mss = (uint16_t)(n->mtu - 40);
    n->st.tcp.syn_cookies_sent++;
    tcp_send_bare(n, t, &h);
}

/* An ACK to a listener: the end of a handshake we answered with a
 * cookie. Returns the new connection, or NULL. */
static struct tcp_conn *tcp_cookie_open(struct net *n, struct tcp_listener *l,
                                        const struct tcp_tuple *t,
                                        const struct tcp_hdr *h)
{
    struct tcp_opts o;
    struct tcp_conn *c;
    uint16_t mss;

    if (tcp_cookie_check(&n->tcp->key, t, h->seq, h->ack, ev_now(), &mss) < 0) {
        n->st.tcp.syn_cookies_bad++;
        return NULL;
    }
    c = tcp_conn_new(n, t);
    if (!c)
        return NULL;
    n->st.tcp.syn_cookies_ok++;
    n->st.tcp.passive_opens++;
    memset(&o, 0, sizeof o);
    o.has = TCP_HAS_MSS;
    o.mss = mss;
    c->rcv_ws = 0;
    c->iss = h->ack - 1;
    c->snd_una = c->snd_nxt = c->snd_max = h->ack;
    c->recover = c->iss;
    c->irs = h->seq - 1;
    c->rcv_nxt = h->seq;
    c->rcv_adv = c->rcv_nxt + 0xffff;
    c->last_ack_sent = c->rcv_nxt;
    tcp_take_syn_opts(c, &o);
    c->fl |= TCP_F_COOKIE;
    c->snd_wnd = h->win;
    c->max_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    c->lis = l;
    tcp_established(c);
    c->ev |= TCP_EVB_ACCEPT;
    tcp_conn_hash(n->tcp, c);
    return c;
}

/* ---- Receiving data ---- */

/* Adds [l, r) to the out-of-order ranges, merging; returns 0 when there
 * is no room for it. */
/* A segment of (len) bytes at (seq) brought data already received: its
 * duplicate part is reported in the next ACK (RFC 2883 4), so that the
 * sender may find its retransmission was spurious. */
static void tcp_dsack_note(struct tcp_conn *c, uint32_t seq, uint32_t len,
                           uint32_t upto)
{
    if (!(c->fl & TCP_F_SACK) || !len)
        return;
    c->dsack.l = seq;
    c->dsack.r = tcp_seq_lt(seq + len, upto) ? seq + len : upto;
    if (tcp_seq_lt(c->dsack.l, c->dsack.r))
        c->fl |= TCP_F_DSACK | TCP_F_ACK_NOW;
}

static int tcp_ooo_add(struct tcp_conn *c, uint32_t l, uint32_t r)
{
    unsigned i, j;

    for (i = 0; i < c->nooo; i++) {
        if (tcp_seq_lt(r, c->ooo[i].l))
            break; /* goes before i */
        if (tcp_seq_leq(l, c->ooo[i].r)) {
            /* Overlaps or touches i: merge, then swallow followers. */
            c->ooo[i].l = tcp_seq_min(l, c->ooo[i].l);
            c->ooo[i].r = tcp_seq_max(r, c->ooo[i].r);
            while (i + 1 < c->nooo &&
                   tcp_seq_leq(c->ooo[i + 1].l, c->ooo[i].r)) {
                c->ooo[i].r = tcp_seq_max(c->ooo[i].r, c->ooo[i + 1].r);
                for (j = i + 1; j + 1 < c->nooo; j++)
                    c->ooo[j] = c->ooo[j + 1];
                c->nooo--;
            }
            c->ooo_last = (uint8_t)i;
            return 1;
        }
    }
    if (c->nooo == TCP_OOO_MAX)
        return 0;
    for (j = c->nooo; j > i; j--)
        c->ooo[j] = c->ooo[j - 1];
    c->ooo[i].l = l;
    c->ooo[i].r = r;
    c->nooo++;
    c->ooo_last = (uint8_t)i;
    return 1;
}

/*
 * Receive buffer autotuning, in the manner of Linux's: once a round trip
 * (the timestamps', at least 1 ms), if the peer sent three quarters of
 * the buffer or more in it and the app had read all but a quarter
 * (unread, before the segment just in), the sender is held back by our
 * window: the buffer doubles, up to tcp_limits.rcvbuf. A slow sender or
 * a reader that lags keeps the buffer as it is.
 */
static void tcp_rcvbuf_grow(struct tcp_conn *c, uint32_t unread)
{
    uint32_t cap = c->net->tcp->lim.rcvbuf;
    uint64_t now = ev_now();
    uint64_t rtt =
        (uint64_t)(c->rcv_rtt_ms && c->rcv_rtt_ms < 1000 ? c->rcv_rtt_ms : 1) *
        TCP_MS;

    if (c->rbuf_max >= cap)
        return;
    if (c->rcv_space_t && now - c->rcv_space_t < rtt)
        return;
    if (c->rcv_space_t &&
        c->rcv_nxt - c->rcv_space_seq >= c->rbuf_max / 4 * 3 &&
        unread <= c->rbuf_max / 4)
        c->rbuf_max = c->rbuf_max > cap / 2 ? cap : 2 * c->rbuf_max;
    c->rcv_space_t = now;
    c->rcv_space_seq = c->rcv_nxt;
}

/* The data (d) at (seq), in an acceptable segment: stored, in order or
 * not (RFC 9293 3.10.7.4, seventh). */
static void tcp_data(struct tcp_conn *c, uint32_t seq, struct bv *d)
{
    struct net *n = c->net;
    struct tcp_stack *ts = n->tcp;
    uint32_t len = (uint32_t)bv_len(d), skip = 0, space, off, keep;
    const uint8_t *p;

    if (tcp_seq_lt(seq, c->rcv_nxt)) {
        skip = c->rcv_nxt - seq;
        tcp_dsack_note(c, seq, len, c->rcv_nxt);
        if (skip >= len)
            return;
        seq += skip;
        len -= skip;
    }
    space = c->rbuf_max - c->rlen;
    off = seq - c->rcv_nxt;
    if (off >= space) {
        c->fl |= TCP_F_ACK_NOW; /* past the window: tell it again */
        return;
    }
    if (len > space - off)
        len = space - off; /* past the window */
    keep = c->rlen;
    if (c->nooo)
        keep += c->ooo[c->nooo - 1].r - c->rcv_nxt;
    if (tcp_ring_reserve(&c->rcv, c->rlen + off + len, keep, &ts->mem,
                         ts->lim.mem) < 0) {
        n->st.tcp.rx_mem_drops++;
        return;
    }
    p = bv_ptr(d, skip, len);
    if (!p)
        return;
    if (!off && !c->rlen && !c->nooo && c->fn &&
        !(c->fl & (TCP_F_APP_GONE | TCP_F_DEAD))) {
        /* In order, into an empty buffer, for an app that reads: it gets
         * the bytes where they lie, in the frame, when READABLE is told
         * right after this segment; only what it leaves is copied, into
         * the room just reserved (tcp_conn_done()). One copy less for a
         * reader that keeps up. */
        c->dv = p;
        c->fl |= TCP_F_DIRECT;
    } else {
        tcp_ring_put(&c->rcv, c->rlen + off, p, len);
    }
    if (off) {
        unsigned i;
        for (i = 0; i < c->nooo; i++)
            if (tcp_seq_leq(c->ooo[i].l, seq) &&
                tcp_seq_leq(seq + len, c->ooo[i].r))
                tcp_dsack_note(c, seq, len, seq + len);
        n->st.tcp.rx_ooo++;
        if (!tcp_ooo_add(c, seq, seq + len))
            n->st.tcp.rx_ooo_drops++;
        c->fl |= TCP_F_ACK_NOW; /* a duplicate ACK, with SACK */
        return;
    }
    c->rcv_nxt += len;
    tcp_rcvbuf_grow(c, c->rlen);
    c->rlen += len;
    if (c->nooo) {
        /* RFC 5681 4.2: filling a hole is acknowledged at once. */
        while (c->nooo && tcp_seq_leq(c->ooo[0].l, c->rcv_nxt)) {
            if (tcp_seq_gt(c->ooo[0].r, c->rcv_nxt)) {
                c->rlen += c->ooo[0].r - c->rcv_nxt;
                c->rcv_nxt = c->ooo[0].r;
            }
            memmove(&c->ooo[0], &c->ooo[1],
                    (size_t)(c->nooo - 1) * sizeof c->ooo[0]);
            c->nooo--;
        }
        c->ooo_last = 0;
        c->fl |= TCP_F_ACK_NOW;
    }
    c->ev |= TCP_EVB_READABLE;
    /* RFC 9293 3.8.6.3 / RFC 5681 4.2: an ACK at least every second
     * full-sized segment, else within the delayed-ACK time. A segment the
     * host merged (PLAT_NET_CAP_RX_TSO4) counts as the segments it was. */
    c->acks_owed += len > c->mss ? len / c->mss : 1;
    if (c->acks_owed >= 2)
        c->fl |= TCP_F_ACK_NOW;
}

/* ---- Acknowledgments ---- */

/* Takes the SACK blocks of (*o) into the scoreboard (RFC 2018, RFC
 * 6675): only blocks within (SND.UNA, SND.MAX]. */
static void tcp_sack_take(struct tcp_conn *c, const struct tcp_opts *o)
{
    unsigned b, i, j;

    for (b = 0; b < o->nsack; b++) {
        uint32_t l = o->sack[b].left, r = o->sack[b].right;
        if (!tcp_seq_lt(l, r) || tcp_seq_leq(r, c->snd_una) ||
            tcp_seq_gt(r, c->snd_max))
            continue;
        l = tcp_seq_max(l, c->snd_una);
        for (i = 0; i < c->nsb; i++) {
            if (tcp_seq_lt(r, c->sb[i].l))
                break;
            if (tcp_seq_leq(l, c->sb[i].r))
                break;
        }
        if (i < c->nsb && tcp_seq_leq(l, c->sb[i].r) &&
            tcp_seq_geq(r, c->sb[i].l)) {
            c->sb[i].l = tcp_seq_min(l, c->sb[i].l);
            c->sb[i].r = tcp_seq_max(r, c->sb[i].r);
            while (i + 1 < c->nsb && tcp_seq_leq(c->sb[i + 1].l, c->sb[i].r)) {
                c->sb[i].r = tcp_seq_max(c->sb[i].r, c->sb[i + 1].r);
                for (j = i + 1; j + 1 < c->nsb; j++)
                    c->sb[j] = c->sb[j + 1];
                c->nsb--;
            }
            continue;
        }
        if (c->nsb == TCP_SB_MAX) {
            if (i == TCP_SB_MAX)
                continue; /* keep the lowest ranges: they matter first */
            c->nsb--;
        }
        for (j = c->nsb; j > i; j--)
            c->sb[j] = c->sb[j - 1];
        c->sb[i].l = l;
        c->sb[i].r = r;
        c->nsb++;
    }
}

/* Drops scoreboard ranges below SND.UNA. */
static void tcp_sack_trim(struct tcp_conn *c)
{
    unsigned i = 0, j;

    while (i < c->nsb && tcp_seq_leq(c->sb[i].r, c->snd_una))
        i++;
    for (j = 0; i < c->nsb; i++, j++)
        c->sb[j] = c->sb[i];
    c->nsb = (uint8_t)j;
    if (c->nsb && tcp_seq_lt(c->sb[0].l, c->snd_una))
        c->sb[0].l = c->snd_una;
}

static uint32_t tcp_sb_bytes(const struct tcp_conn *c)
{
    uint32_t s = 0;
    unsigned i;

    for (i = 0; i < c->nsb; i++)
        s += c->sb[i].r - c->sb[i].l;
    return s;
}

void tcp_undo_begin(struct tcp_conn *c)
{
    if ((c->fl & TCP_F_UNDO) && (c->fl & TCP_F_RECOVERY))
        return; /* a timeout in recovery: still the same episode */
    c->fl |= TCP_F_UNDO;
    c->undo_cc = c->cc;
    c->undo_marker = c->snd_una;
    c->undo_retrans = 0;
}

/*
 * The first SACK block of an ACK acknowledging (ack) is a DSACK (RFC 2883
 * 4) when it lies below the ACK or within the second block. One that
 * covers data of the current loss episode counts off its retransmissions;
 * when none is left, the episode was reordering, not loss: the congestion
 * window and threshold come back (RFC 3708's and Linux's response), and
 * a recovery in progress ends.
 */
static void tcp_dsack_take(struct tcp_conn *c, uint32_t ack,
                           const struct tcp_opts *o)
{
    uint32_t l = o->sack[0].left, r = o->sack[0].right, segs;

    if (!tcp_seq_lt(l, r) ||
        !(tcp_seq_leq(r, ack) ||
          (o->nsack > 1 && tcp_seq_geq(l, o->sack[1].left) &&
           tcp_seq_leq(r, o->sack[1].right))))
        return;
    c->net->st.tcp.dsacks++;
    if (!(c->fl & TCP_F_UNDO) || tcp_seq_lt(l, c->undo_marker) ||
        tcp_seq_gt(r, c->snd_max))
        return;
    segs = (r - l + c->mss - 1) / c->mss;
    c->undo_retrans -= (int32_t)(segs ? segs : 1);
    if (c->undo_retrans > 0)
        return;
    c->fl &= ~(uint32_t)TCP_F_UNDO;
    c->net->st.tcp.undos++;
    if (c->cc.cwnd < c->undo_cc.cwnd || c->cc.ssthresh < c->undo_cc.ssthresh)
        c->cc = c->undo_cc;
    if (c->fl & TCP_F_RECOVERY) {
        c->fl &= ~(uint32_t)TCP_F_RECOVERY;
        c->recover = c->snd_una - 1;
        c->rxt_after = 0;
        c->t_rack = 0;
    }
}

/*
 * Send buffer autotuning, as Linux's: room for twice the congestion
 * window, so that a window's worth is queued behind the one in flight,
 * up to the limit (tcp_limits.sndbuf). It never shrinks; a connection
 * whose window stays small keeps a small buffer.
 */
static void tcp_sndbuf_grow(struct tcp_conn *c)
{
    uint64_t want = 2 * (uint64_t)c->cc.cwnd;
    uint32_t cap = c->net->tcp->lim.sndbuf;

    if (want > cap)
        want = cap;
    if (want > c->sbuf_max)
        c->sbuf_max = (uint32_t)want;
}

static void tcp_enter_recovery(struct tcp_conn *c)
{
    c->t_tlp = 0;
    c->t_rack = 0;
    c->sack_seen = 0;
    c->fl |= TCP_F_RECOVERY;
    c->recover = c->snd_max - 1;
    c->high_rxt = c->snd_una;
    c->rxt_after = 0;
    c->net->st.tcp.fast_recoveries++;
    c->fl &= ~(uint32_t)TCP_F_UNDO; /* a new episode */
    tcp_undo_begin(c);
    tcp_cc_loss(&c->cc, ev_now());
    tcp_rtt_retransmit(&c->rtt);
}

/*
 * A lost retransmission (RFC 8985's rule, for the lowest hole): it went
 * out again at rxt_seq at time rxt_ts, when SND.MAX was rxt_after. When
 * data sent after it has been SACKed while the hole is still open, it is
 * lost once DupThresh segments' worth of such data is SACKed, or once a
 * reordering window (a quarter of the smoothed RTT) has passed beyond
 * the round trip it needed; with nothing later SACKed, after a probe
 * timeout (t_rack rechecks then). Then the holes go out again from
 * SND.UNA instead of waiting for the 200 ms retransmission timer.
 * Once the hole is filled, the next lowest is watched from now on: when
 * it went out is not known, and later is the safe side.
 */
static void tcp_lost_rxt(struct tcp_conn *c)
{
    uint32_t top = c->nsb ? c->sb[c->nsb - 1].r : c->snd_una, after = 0;
    uint64_t now = ev_now(), due, probe;

    if (tcp_seq_gt(c->snd_una, c->rxt_seq)) {
        c->rxt_seq = c->snd_una;
        c->rxt_after = c->snd_max;
        c->rxt_ts = now;
    }
    if (tcp_seq_gt(top, c->rxt_after))
        after = tcp_sacked(c, c->rxt_after, top);
    due = c->rxt_ts + c->rtt.srtt + c->rtt.srtt / 4 + TCP_MS;
    /* Nothing later arrives when the window holds nothing later: a
     * probe's time (2 SRTT, as RFC 8985 7.2) ends the wait as well. */
    probe = c->rxt_ts + 2 * c->rtt.srtt + TCP_MS;
    if (after >= TCP_DUPACK_THRESH * c->mss || (after && now >= due) ||
        now >= probe) {
        c->net->st.tcp.lost_retransmits++;
        c->high_rxt = c->snd_una;
        c->rxt_after = 0;
        c->t_rack = 0;
        return;
    }
    if (after && due < probe)
        probe = due;
    if (!c->t_rack || probe < c->t_rack) {
        c->t_rack = probe;
        tcp_conn_timer(c);
    }
}

/* The reordering window: a quarter of the smoothed RTT (RFC 8985 6.2). */
static uint64_t tcp_reo_wnd(const struct tcp_conn *c)
{
    return c->rtt.srtt / 4;
}

/*
 * Out of recovery, with too few duplicate ACKs or SACKed bytes to start
 * it (a small window): SACKs show data sent after SND.UNA's segment
 * arrived. RFC 8985 deems that segment lost once a reordering window has
 * passed; without a send time per segment, the window runs from the
 * first SACK that showed the hole. Returns 1 when it is lost now, else
 * arms t_rack for when it would be.
 */
static int tcp_rack_hole(struct tcp_conn *c, uint64_t now)
{
    uint64_t due;

    if (!(c->fl & TCP_F_SACK) || !c->nsb ||
        !tcp_seq_gt(c->sb[0].l, c->snd_una)) {
        c->sack_seen = 0;
        return 0;
    }
    if (!c->sack_seen)
        c->sack_seen = now;
    due = c->sack_seen + tcp_reo_wnd(c);
    if (now >= due)
        return 1;
    if (!c->t_rack || due < c->t_rack) {
        c->t_rack = due;
        tcp_conn_timer(c);
    }
    return 0;
}

void tcp_rack_fire(struct tcp_conn *c)
{
    if (c->fl & TCP_F_RECOVERY) {
        if (c->rxt_after) {
            uint64_t lost = c->net->st.tcp.lost_retransmits;
            tcp_lost_rxt(c);
            if (c->net->st.tcp.lost_retransmits != lost)
                c->fl |= TCP_F_PROBED;
        }
    } else if (c->snd_max != c->snd_una && tcp_seq_gt(c->snd_una, c->recover) &&
               tcp_rack_hole(c, ev_now())) {
        tcp_enter_recovery(c);
    }
    tcp_output(c);
}

/* The ACK field of an acceptable segment (RFC 9293 3.10.7.4, fifth).
 * Returns 0 when the segment is to be dropped. */
static int tcp_ack(struct tcp_conn *c, const struct tcp_hdr *h, uint32_t dlen)
{
    struct net *n = c->net;
    struct tcp_stack *ts = n->tcp;
    uint64_t now = ev_now();
    uint32_t ack = h->ack, acked, data, win, flight;
    int fin_acked = 0;

    /* RFC 5961 5.2: an ACK older than the window the peer could have seen
     * or newer than what we sent is challenged. */
    if (tcp_seq_gt(ack, c->snd_max) ||
        tcp_seq_lt(ack, c->snd_una - c->max_wnd)) {
        tcp_challenge_ack(c);
        return 0;
    }
    win = (uint32_t)h->win << c->snd_ws;
    if (tcp_seq_gt(ack, c->snd_una)) {
        acked = ack - c->snd_una;
        data = acked;
        if ((c->fl & TCP_F_FIN_SENT) && tcp_seq_gt(ack, c->snd_fin)) {
            data--;
            fin_acked = 1;
        }
        if (data > c->slen)
            data = c->slen;
        tcp_ring_advance(&c->snd, data);
        c->slen -= data;
        c->snd_una = ack;
        c->sack_seen = 0; /* a hole left is another: its own window */
        c->fl &= ~(uint32_t)TCP_F_PROBED;
        if (tcp_seq_lt(c->snd_nxt, c->snd_una))
            c->snd_nxt = c->snd_una;
        if (c->slen == 0 && c->snd.buf)
            tcp_ring_release(&c->snd, &ts->mem);
        /* RTT: from the echoed timestamp (RFC 7323 4), else Karn. */
        if ((c->fl & TCP_F_TS) && (h->opt.has & TCP_HAS_TS) && h->opt.ts_ecr) {
            uint32_t ms = tcp_ts_now(c) - h->opt.ts_ecr;
            if (ms < 60000u) {
                tcp_rtt_sample(&c->rtt, (uint64_t)ms * TCP_MS + TCP_MS / 2);
                c->rtt.timing = 0;
            }
        } else {
            tcp_rtt_ack(&c->rtt, ack, now);
        }
        tcp_sack_trim(c);
        if (c->fl & TCP_F_RECOVERY) {
            if (tcp_seq_gt(ack, c->recover)) {
                /* Full ACK (RFC 6582 3.2 step 3). */
                c->fl &= ~(uint32_t)TCP_F_RECOVERY;
                flight = c->snd_max - c->snd_una;
                c->cc.cwnd = c->cc.ssthresh < flight + c->mss ? c->cc.ssthresh
                                                              : flight + c->mss;
                if (c->cc.cwnd < 2u * c->mss)
                    c->cc.cwnd = 2u * c->mss;
            }
            /* A partial ACK: the next hole goes out from tcp_output. */
        } else {
            tcp_cc_ack(&c->cc, data, now, c->rtt.samples ? c->rtt.srtt : 0);
        }
        c->dupacks = 0;
        c->retries = 0;
        c->t_progress = c->snd_max != c->snd_una ? now : 0;
        c->persist_ns = 0;
        c->t_rtx = c->snd_max != c->snd_una ? now + c->rtt.rto : 0;
        c->tlp_out = 0;
        tcp_arm_tlp(c, now);
        tcp_sndbuf_grow(c);
        if ((c->fl & TCP_F_WANT_W) &&
            c->sbuf_max - c->slen >= c->sbuf_max / 4) {
            c->fl &= ~(uint32_t)TCP_F_WANT_W;
            c->ev |= TCP_EVB_WRITABLE;
        }
    } else if (ack == c->snd_una && dlen == 0 &&
               !(h->flags & (TCP_SYN | TCP_FIN)) && win == c->snd_wnd &&
               c->snd_max != c->snd_una) {
        /* A duplicate ACK (RFC 5681 2). */
        if (c->dupacks < 255)
            c->dupacks++;
    }
    if ((c->fl & TCP_F_SACK) && (h->opt.has & TCP_HAS_SACK) && h->opt.nsack)
        tcp_dsack_take(c, ack, &h->opt);
    if ((c->fl & TCP_F_SACK) && (h->opt.has & TCP_HAS_SACK))
        tcp_sack_take(c, &h->opt);
    if ((c->fl & TCP_F_RECOVERY) && c->rxt_after)
        tcp_lost_rxt(c);
    if (!(c->fl & TCP_F_RECOVERY) && tcp_seq_gt(ack, c->recover) &&
        c->snd_max != c->snd_una) {
        /* Early Retransmit (RFC 5827): with fewer than four segments out
         * and nothing new to send, three duplicate ACKs may never come;
         * one less than the segments out will do. */
        uint32_t out = c->snd_max - c->snd_una, thresh = TCP_DUPACK_THRESH;
        uint32_t oseg = (out + c->mss - 1) / c->mss;
        if (oseg < 4 && c->slen <= out)
            thresh = oseg > 1 ? oseg - 1 : 1;
        if (c->dupacks >= thresh ||
            ((c->fl & TCP_F_SACK) && tcp_sb_bytes(c) >= thresh * c->mss) ||
            tcp_rack_hole(c, now))
            tcp_enter_recovery(c);
    }

    /* The window (RFC 9293 3.10.7.4: SND.WL1, SND.WL2). */
    if (tcp_seq_lt(c->snd_wl1, h->seq) ||
        (c->snd_wl1 == h->seq && tcp_seq_leq(c->snd_wl2, ack))) {
        if (win && !c->snd_wnd)
            c->persist_ns = 0;
        c->snd_wnd = win;
        c->snd_wl1 = h->seq;
        c->snd_wl2 = ack;
        if (win > c->max_wnd)
            c->max_wnd = win;
        if (win && c->snd_max == c->snd_una && c->t_rtx)
            c->t_rtx = 0; /* persist no more */
    }

    if (fin_acked) {
        switch (c->state) {
        case TCP_FIN_WAIT_1:
            c->state = TCP_FIN_WAIT_2;
            if (c->fl & TCP_F_APP_GONE)
                c->t_end = now + TCP_FIN_WAIT2_NS;
            break;
        case TCP_CLOSING:
            tcp_conn_time_wait(c);
            break;
        case TCP_LAST_ACK:
            tcp_conn_drop(c, PITH_OK);
            return 0;
        default:
            break;
        }
    }
    return 1;
}

/* ---- Arrival on a connection ---- */

static void tcp_syn_sent(struct tcp_conn *c, const struct tcp_hdr *h)
{
    struct net *n = c->net;

    if ((h->flags & TCP_ACK) &&
        (tcp_seq_leq(h->ack, c->iss) || tcp_seq_gt(h->ack, c->snd_max))) {
        if (!(h->flags & TCP_RST))
            tcp_send_reset(n, &c->t, h, 0);
        return;
    }
    if (h->flags & TCP_RST) {
        if (h->flags & TCP_ACK) {
            n->st.tcp.rx_rst++;
            tcp_conn_drop(c, PITH_EIO); /* refused */
        }
        return;
    }
    if (!(h->flags & TCP_SYN))
        return;
    if (!(h->flags & TCP_ACK)) {
        /* Simultaneous open (RFC 9293 3.5, figure 8): SYN_RECEIVED,
         * answered by a SYN-ACK; the ACK of it connects. */
        c->irs = h->seq;
        c->rcv_nxt = h->seq + 1;
        c->rcv_adv = c->rcv_nxt;
        c->last_ack_sent = c->rcv_nxt;
        tcp_take_syn_opts(c, &h->opt);
        c->snd_wnd = h->win;
        c->max_wnd = c->snd_wnd;
        c->snd_wl1 = h->seq;
        c->state = TCP_SYN_RECEIVED;
        c->t_rtx = 0;
        tcp_send_syn(c);
        tcp_conn_timer(c);
        return;
    }
    c->irs = h->seq;
    c->rcv_nxt = h->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    tcp_take_syn_opts(c, &h->opt);
    c->snd_una = h->ack;
    c->snd_wnd = h->win;
    c->max_wnd = c->snd_wnd;
    c->snd_wl1 = h->seq;
    c->snd_wl2 = h->ack;
    c->t_rtx = 0;
    c->retries = 0;
    if ((c->fl & TCP_F_TS) && (h->opt.has & TCP_HAS_TS) && h->opt.ts_ecr) {
        uint32_t ms = tcp_ts_now(c) - h->opt.ts_ecr;
        if (ms < 60000u)
            tcp_rtt_sample(&c->rtt, (uint64_t)ms * TCP_MS + TCP_MS / 2);
    } else if (!(c->fl & TCP_F_SYN_LOST)) {
        tcp_rtt_ack(&c->rtt, h->ack, ev_now());
    }
    tcp_established(c);
    c->fl |= TCP_F_ACK_NOW;
    c->ev |= TCP_EVB_CONNECTED;
    tcp_output(c);
}

/* RFC 9293 3.10.7.4 for synchronized states (and SYN_RECEIVED). */
static void tcp_conn_input(struct tcp_conn *c, struct tcp_hdr *h, struct bv *d)
{
    struct net *n = c->net;
    uint32_t dlen = (uint32_t)bv_len(d), seglen = tcp_seg_len(h, dlen);
    uint32_t wnd;

    if (c->state == TCP_SYN_SENT) {
        tcp_syn_sent(c, h);
        return;
    }
    c->last_rx = ev_now();
    /* PAWS (RFC 7323 5.3). */
    if ((c->fl & TCP_F_TS) && (h->opt.has & TCP_HAS_TS) &&
        !(h->flags & TCP_RST) && tcp_seq_lt(h->opt.ts_val, c->ts_recent)) {
        n->st.tcp.rx_paws++;
        c->fl |= TCP_F_ACK_NOW;
        if (tcp_seq_lt(h->seq, c->rcv_nxt))
            tcp_dsack_note(c, h->seq, dlen, c->rcv_nxt);
        goto out;
    }
    wnd = tcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (c->state == TCP_SYN_RECEIVED && !wnd)
        wnd = 1;
    /* RFC 9293's test, and one more number, as Linux's tcp_sequence()
     * has it: a segment that starts right at the window's edge. A peer
     * that filled the window sends its ACKs with that number (its
     * SND.NXT) while some of its data is still out or lost; refusing
     * them would throw away the acknowledgments and SACKs that drive our
     * own sending, until our retransmission timer. Data past the window
     * is not kept (tcp_data). */
    if (!tcp_seq_acceptable(c->rcv_nxt, wnd, h->seq, seglen) &&
        h->seq != c->rcv_nxt + wnd) {
        n->st.tcp.rx_unacceptable++;
        if (!(h->flags & TCP_RST)) {
            c->fl |= TCP_F_ACK_NOW;
            if (tcp_seq_lt(h->seq, c->rcv_nxt))
                tcp_dsack_note(c, h->seq, dlen, c->rcv_nxt);
        }
        goto out;
    }
    /* RST (RFC 5961 3.2): only the exact next sequence number resets. */
    if (h->flags & TCP_RST) {
        if (h->seq != c->rcv_nxt) {
            tcp_challenge_ack(c);
            goto out;
        }
        n->st.tcp.rx_rst++;
        if (c->state != TCP_SYN_RECEIVED && c->state != TCP_TIME_WAIT)
            n->st.tcp.conn_resets++;
        tcp_conn_drop(c, c->state == TCP_TIME_WAIT ? PITH_OK : PITH_EIO);
        return;
    }
    /* SYN in a synchronized state (RFC 5961 4). */
    if (h->flags & TCP_SYN) {
        if (c->state == TCP_SYN_RECEIVED && h->seq == c->irs) {
            tcp_send_syn(c); /* our SYN-ACK was lost */
            return;
        }
        tcp_challenge_ack(c);
        goto out;
    }
    if (!(h->flags & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RECEIVED) {
        if (!tcp_seq_gt(h->ack, c->snd_una) || tcp_seq_gt(h->ack, c->snd_max)) {
            tcp_send_reset(n, &c->t, h, dlen);
            return;
        }
        c->snd_una = h->ack; /* the SYN is acknowledged */
        c->snd_nxt = tcp_seq_max(c->snd_nxt, h->ack);
        c->snd_wnd = (uint32_t)h->win << c->snd_ws;
        c->max_wnd = c->snd_wnd;
        c->snd_wl1 = h->seq;
        c->snd_wl2 = h->ack;
        c->t_rtx = 0;
        c->retries = 0;
        if (!(c->fl & TCP_F_SYN_LOST))
            tcp_rtt_ack(&c->rtt, h->ack, ev_now());
        if (c->lis) {
            c->lis->half_open--;
            c->ev |= TCP_EVB_ACCEPT;
        } else {
            c->ev |= TCP_EVB_CONNECTED; /* a simultaneous open */
        }
        tcp_established(c);
    }
    /* TS.Recent (RFC 7323 4.3). */
    if ((c->fl & TCP_F_TS) && (h->opt.has & TCP_HAS_TS) &&
        tcp_seq_leq(h->seq, c->last_ack_sent) &&
        tcp_seq_geq(h->opt.ts_val, c->ts_recent))
        c->ts_recent = h->opt.ts_val;
    if (!tcp_ack(c, h, dlen))
        goto out;
    if (c->state == TCP_TIME_WAIT) {
        /* A retransmitted FIN: acknowledge it, and wait 2 MSL again. */
        if (h->flags & TCP_FIN) {
            c->t_end = ev_now() + 2 * TCP_MSL_NS;
            c->fl |= TCP_F_ACK_NOW;
        }
        goto out;
    }
    if (dlen) {
        switch (c->state) {
        case TCP_ESTABLISHED:
        case TCP_FIN_WAIT_1:
        case TCP_FIN_WAIT_2:
            if (c->fl & TCP_F_APP_GONE) {
                /* Nobody will read it (RFC 9293 3.10.7.4 and Linux's
                 * behaviour): reset. */
                tcp_send_reset(n, &c->t, h, dlen);
                tcp_conn_drop(c, PITH_EIO);
                return;
            }
            if ((c->fl & TCP_F_TS) && (h->opt.has & TCP_HAS_TS) &&
                h->opt.ts_ecr)
                c->rcv_rtt_ms = tcp_ts_now(c) - h->opt.ts_ecr;
            tcp_data(c, h->seq, d);
            break;
        default:
            break; /* after the peer's FIN: ignored */
        }
    }
    if ((h->flags & TCP_FIN) && !(c->fl & TCP_F_RCV_FIN) &&
        h->seq + dlen == c->rcv_nxt) {
        c->rcv_nxt++;
        c->nooo = 0; /* nothing lies beyond the FIN */
        c->fl |= TCP_F_RCV_FIN | TCP_F_ACK_NOW;
        c->ev |= TCP_EVB_EOF;
        switch (c->state) {
        case TCP_ESTABLISHED:
            c->state = TCP_CLOSE_WAIT;
            break;
        case TCP_FIN_WAIT_1:
            c->state = TCP_CLOSING;
            break;
        case TCP_FIN_WAIT_2:
            tcp_conn_time_wait(c);
            break;
        default:
            break;
        }
    } else if ((h->flags & TCP_FIN) && !(c->fl & TCP_F_RCV_FIN)) {
        c->fl |= TCP_F_ACK_NOW; /* out of order: ask for the gap */
    }
out:
    if (!(c->fl & TCP_F_DEAD))
        tcp_output_later(c);
}

static void tcp_input_(struct net *n, struct ip4_pkt *p);

/* Segments arrive from the device watcher, which runs net_kick() (and
 * so tcp_flush()) once the frames of its turn are in. */
void tcp_input(struct net *n, struct ip4_pkt *p)
{
    if (tcp_stack_get(n) < 0) {
        n->st.tcp.rx++;
        return;
    }
    n->tcp->depth++;
    tcp_input_(n, p);
    n->tcp->depth--;
}

static void tcp_input_(struct net *n, struct ip4_pkt *p)
{
    struct tcp_listener *l;
    struct tcp_conn *c;
    struct tcp_tuple t;
    struct tcp_hdr h;
    struct bv data;

    n->st.tcp.rx++;
    if (p->bcast) {
        n->st.tcp.rx_bad++; /* TCP is unicast (RFC 1122 4.2.3.10) */
        return;
    }
    /* SYN with FIN or RST has no meaning (a scan): dropped, as Linux. */
    if (tcp_parse(&p->data, &h, &data) < 0 || h.sport == 0 || h.dport == 0 ||
        ((h.flags & TCP_SYN) && (h.flags & (TCP_FIN | TCP_RST)))) {
        n->st.tcp.rx_bad++;
        return;
    }
    if (!p->csum_ok && !tcp_csum_ok(&p->data, p->src, p->dst)) {
        n->st.tcp.rx_checksum++;
        return;
    }
    t.laddr = p->dst;
    t.raddr = p->src;
    t.lport = h.dport;
    t.rport = h.sport;
    c = tcp_conn_find(n->tcp, &t);
    if (c) {
        c->busy++;
        tcp_conn_input(c, &h, &data);
        c->busy--;
        tcp_conn_done(c);
        return;
    }
    /* No connection: a listener's (RFC 9293 3.10.7.2), or a reset. */
    l = tcp_listener_find(n->tcp, h.dport);
    if (h.flags & TCP_RST)
        return;
    if (!l) {
        n->st.tcp.rx_no_conn++;
        tcp_send_reset(n, &t, &h, (uint32_t)bv_len(&data));
        return;
    }
    if ((h.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        if (l->half_open >= n->tcp->lim.backlog)
            tcp_send_cookie(n, n->tcp, &t, &h);
        else
            tcp_passive_open(n, l, &t, &h);
        return;
    }
    if ((h.flags & (TCP_SYN | TCP_ACK)) == TCP_ACK) {
        c = tcp_cookie_open(n, l, &t, &h);
        if (c) {
            c->busy++;
            tcp_conn_input(c, &h, &data);
            c->busy--;
            tcp_conn_done(c);
            return;
        }
        n->st.tcp.rx_no_conn++;
        tcp_send_reset(n, &t, &h, (uint32_t)bv_len(&data));
        return;
    }
    n->st.tcp.rx_no_conn++;
    if (h.flags & TCP_ACK)
        tcp_send_reset(n, &t, &h, (uint32_t)bv_len(&data));
}

/*
 * An ICMP destination unreachable quoting a segment we sent from (src)
 * to (dst): (quote) holds at least its first 8 bytes (ports and sequence
 * number). Called by net/icmp. Accepted only when the quoted sequence
 * number is one in flight (RFC 5927 4.1), so that blind forgeries do not
 * hurt. Fragmentation needed (RFC 1191) lowers the MSS to the next hop's
 * MTU and sends again what was lost; port and protocol unreachable end a
 * connection still in SYN_SENT (RFC 1122 4.2.3.9 lets synchronized ones
 * carry on, as RFC 5461 advises).
 */
void tcp_icmp_error(struct net *n, uint32_t src, uint32_t dst, struct bv *quote,
                    uint8_t code, uint16_t mtu)
{
    struct tcp_tuple t;
    struct tcp_conn *c;
    uint32_t seq;

    if (!n->tcp)
        return;
    t.laddr = src;
    t.raddr = dst;
    t.lport = bv_be16(quote, TCP_OFF_SPORT);
    t.rport = bv_be16(quote, TCP_OFF_DPORT);
    seq = bv_be32(quote, TCP_OFF_SEQ);
    c = bv_ok(quote) ? tcp_conn_find(n->tcp, &t) : NULL;
    if (!c || !tcp_seq_geq(seq, c->snd_una) || !tcp_seq_lt(seq, c->snd_max)) {
        n->st.tcp.icmp_ignored++;
        return;
    }
    c->busy++;
    if (code == 4 && c->state != TCP_SYN_SENT) {
        /* RFC 1191 3: a router's MTU, or (an old router) none: then
         * the next plateau down would do; pith takes 576 (RFC 791). */
        uint32_t base, ts = (c->fl & TCP_F_TS) ? 12 : 0;
        if (!mtu)
            mtu = 576;
        if (mtu < 296)
            mtu = 296; /* a floor against forged tiny MTUs (RFC 5927) */
        base = (uint32_t)mtu - 40 - ts;
        if (base < c->mss) {
            c->mss = (uint16_t)base;
            c->cc.mss = base;
            n->st.tcp.pmtu_updates++;
            /* What was sent in larger segments is lost: send it again,
             * without a congestion response (RFC 1191 6.5). */
            c->snd_nxt = c->snd_una;
            c->fl &= ~(uint32_t)TCP_F_RECOVERY;
            c->nsb = 0;
            tcp_rtt_retransmit(&c->rtt);
            tcp_output(c);
        }
    } else if ((code == 2 || code == 3) && c->state == TCP_SYN_SENT) {
        tcp_conn_drop(c, PITH_EIO);
    } else {
        n->st.tcp.icmp_ignored++;
    }
    c->busy--;
    tcp_conn_done(c);
}
