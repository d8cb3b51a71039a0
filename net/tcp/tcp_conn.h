/*
 * tcp_conn: the connection engine (the logic face of TCP, RFC 9293) and
 * the per-interface state it runs in. The app-facing calls are in
 * <pith/tcp.h>; this is what net/tcp's files share. Private to net/tcp.
 *
 * Receive side: conn->rcv holds, from logical offset 0, the bytes not yet
 * consumed by the app (rlen of them, ending at RCV.NXT), then room, then
 * out-of-order data at offset rlen + (seq - RCV.NXT), whose ranges are
 * listed in ooo[] (sorted, disjoint, not adjacent). The receive window is
 * what the buffer limit leaves after the unread bytes.
 *
 * Send side: conn->snd holds, from offset 0, the bytes from SND.UNA on:
 * sent and unacknowledged, then not yet sent (slen in all). SACKed ranges
 * above SND.UNA are in the scoreboard sb[].
 */
#ifndef PITH_NET_TCP_CONN_H
#define PITH_NET_TCP_CONN_H

#include <stdint.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/tcp.h>

#include "../ip4/ip4.h"
#include "tcp_cc.h"
#include "tcp_cookie.h"
#include "tcp_ring.h"
#include "tcp_rtt.h"
#include "tcp_wire.h"

/* RFC 9293 3.3.2 */
enum tcp_state {
    TCP_CLOSED,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

#define TCP_OOO_MAX       8 /* out-of-order ranges held */
#define TCP_SB_MAX        8 /* SACK scoreboard ranges */
#define TCP_HASH_BITS     12
#define TCP_DUPACK_THRESH 3
#define TCP_PERSIST_MIN   (200 * TCP_MS)
#define TCP_PERSIST_MAX   (60000 * TCP_MS)

/* Events waiting to be told to the app (bits of conn->ev). */
#define TCP_EVB_ACCEPT    0x01
#define TCP_EVB_CONNECTED 0x02
#define TCP_EVB_READABLE  0x04
#define TCP_EVB_WRITABLE  0x08
#define TCP_EVB_EOF       0x10
#define TCP_EVB_CLOSED    0x20

/* Flags (conn->fl). */
#define TCP_F_TS       0x0001   /* timestamps agreed (RFC 7323) */
#define TCP_F_SACK     0x0002   /* SACK agreed (RFC 2018) */
#define TCP_F_WS       0x0004   /* window scaling agreed */
#define TCP_F_NODELAY  0x0008   /* Nagle off */
#define TCP_F_SHUT_WR  0x0010   /* the app shut down writing: FIN to send */
#define TCP_F_FIN_SENT 0x0020   /* our FIN took sequence number snd_fin */
#define TCP_F_APP_GONE 0x0040   /* tcp_close()d: no callbacks, orphan */
#define TCP_F_DEAD     0x0080   /* to be freed when no longer busy */
#define TCP_F_ACK_NOW  0x0100   /* send an ACK at the next output */
#define TCP_F_RECOVERY 0x0200   /* in fast recovery (RFC 6582) */
#define TCP_F_WANT_W   0x0400   /* a write was short: tell WRITABLE */
#define TCP_F_SYN_LOST 0x0800   /* the SYN or SYN-ACK was retransmitted */
#define TCP_F_RCV_FIN  0x1000   /* the peer's FIN arrived */
#define TCP_F_COOKIE   0x2000   /* made from a SYN cookie */
#define TCP_F_HASHED   0x4000   /* in the connection table */
#define TCP_F_TW_LIST  0x8000   /* in the TIME_WAIT list */
#define TCP_F_OUTQ     0x10000  /* in the stack's output queue */
#define TCP_F_PROBED   0x20000  /* recovery probe fired since SND.UNA moved */
#define TCP_F_DSACK    0x40000  /* dsack to report in the next ACK */
#define TCP_F_UNDO     0x80000  /* a loss episode may be undone (undo_*) */
#define TCP_F_DIRECT   0x100000 /* the unread bytes are at dv, not in rcv */

struct tcp_range {
    uint32_t l, r; /* [l, r) in sequence space */
};

struct tcp_conn {
    struct net *net;
    struct tcp_conn *hnext;             /* hash chain */
    struct tcp_conn *tw_next, *tw_prev; /* TIME_WAIT list, oldest first */
    struct tcp_conn *out_next;          /* output queue (TCP_F_OUTQ) */
    struct tcp_listener *lis;           /* SYN_RECEIVED: who will accept */
    tcp_event_fn fn;
    void *arg;
    struct tcp_tuple t;
    uint8_t state;
    uint8_t ev;   /* TCP_EVB_* pending */
    uint8_t busy; /* engine calls in progress on this connection */
    uint8_t snd_ws, rcv_ws;
    uint8_t dupacks;
    uint8_t nooo, ooo_last; /* ooo[] in use; the one changed last */
    uint8_t nsb;
    uint8_t retries; /* expiries of the retransmission timer in a row */
    uint8_t keep_sent;
    uint32_t fl;
    int err;

    /* Send sequence space (RFC 9293 3.3.1). snd_max: highest sent. */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_wnd; /* largest window the peer offered (RFC 5961 5.2) */
    uint32_t snd_fin; /* sequence number of our FIN, with F_FIN_SENT */
    uint32_t slen;    /* bytes in snd from SND.UNA: in flight + unsent */
    uint32_t sbuf_max;
    uint16_t mss; /* data bytes per segment, options excluded */
    uint16_t peer_mss;
    uint32_t recover, high_rxt; /* RFC 6582, RFC 6675 HighRxt */
    /* Lost retransmissions (in the spirit of RFC 8985): the lowest hole
     * sent again, and SND.MAX then; data from rxt_after on left after
     * it, so its being SACKed while rxt_seq is not means it was lost. */
    uint32_t rxt_seq, rxt_after;
    uint64_t rxt_ts;    /* when rxt_seq went out again */
    uint64_t sack_seen; /* when SACKs first showed a hole, out of recovery */
    struct tcp_range sb[TCP_SB_MAX];
    struct tcp_ring snd;
    struct tcp_cc cc;
    /* Undoing a loss episode that was none (RFC 2883 DSACK, in the manner
     * of RFC 3708 and Linux): the congestion state before its reduction,
     * SND.UNA when it began, and its retransmissions not yet reported as
     * duplicates by the peer. All reported: every one was spurious (the
     * "lost" segments were only late), and the reduction is taken back. */
    struct tcp_cc undo_cc;
    uint32_t undo_marker;
    int32_t undo_retrans;
    struct tcp_rtt rtt;

    /* Receive sequence space. rcv_adv: the right edge advertised. */
    uint32_t irs, rcv_nxt, rcv_adv;
    uint32_t rlen; /* unread bytes in rcv, or at dv (TCP_F_DIRECT) */
    uint32_t rbuf_max;
    /* With TCP_F_DIRECT: the unread bytes, still in the frame being
     * read; rcv has room reserved for them (see tcp_conn_done()). The
     * next frame cannot come first: frames are read only by the event
     * loop, which a callback cannot run (ev_run() is not re-entrant). */
    const uint8_t *dv;
    uint32_t acks_owed; /* full segments received since our last ACK */
    struct tcp_range ooo[TCP_OOO_MAX];
    struct tcp_range dsack; /* a duplicate received (TCP_F_DSACK) */
    struct tcp_ring rcv;

    /* Timestamps (RFC 7323): the peer's last TSval in window, our
     * clock's offset. */
    uint32_t ts_recent, ts_off;
    /* Receive buffer autotuning (tcp_rcvbuf_grow()): the round trip as
     * the peer's timestamp echoes show it, in ms; in-order bytes since
     * rcv_space_seq, counted from time rcv_space_t. */
    uint32_t rcv_rtt_ms, rcv_space_seq;
    uint64_t rcv_space_t;
    uint32_t last_ack_sent;

    /* Timers: one event timer for the earliest of these (0: off). */
    struct ev_timer timer;
    uint64_t t_rtx; /* retransmission, or persist when the window is 0 */
    uint64_t t_delack;
    uint64_t t_keep;     /* keepalive */
    uint64_t t_end;      /* TIME_WAIT, orphan FIN_WAIT_2 */
    uint64_t t_tlp;      /* tail loss probe (RFC 8985 7) */
    uint64_t t_rack;     /* recheck a retransmission (tcp_lost_rxt) */
    uint8_t tlp_out;     /* a probe is out, unanswered */
    uint64_t t_progress; /* SND.UNA last moved (or the flight began) */
    uint64_t last_rx;
    uint64_t persist_ns; /* the persist timer's current backoff */
    uint64_t user_timeout;
    uint64_t keep_idle, keep_intvl;
    uint32_t keep_cnt;
};

/* The TCP state of one interface (net->tcp). */
struct tcp_stack {
    struct tcp_siphash_key key; /* table hash, ISNs, SYN cookies */
    struct tcp_limits lim;
    struct tcp_listener *listeners;
    struct tcp_conn *tw_head, *tw_tail;
    struct tcp_conn *outq; /* connections to send for after this burst */
    int flushing;
    int depth; /* engine entries in progress (input, timers, flush) */
    uint16_t next_port;
    uint64_t conns, established, time_wait, mem;
    struct tcp_conn *hash[1u << TCP_HASH_BITS];
};

/* Starts (n)'s TCP state when it has none: PITH_OK or PITH_ENOMEM. */
int tcp_stack_get(struct net *n);

/* The IPv4 input of protocol 6 (registered by tcp_attach()). */
void tcp_input(struct net *n, struct ip4_pkt *p);

/* The connection table. */
struct tcp_conn *tcp_conn_find(struct tcp_stack *ts, const struct tcp_tuple *t);
void tcp_conn_hash(struct tcp_stack *ts, struct tcp_conn *c);

/* Allocates a connection on (t) in (state) (counted); NULL when a limit
 * or memory refuses it (counted in conn_refused). */
struct tcp_conn *tcp_conn_new(struct net *n, const struct tcp_tuple *t);

/* Sends what the windows and the state allow, and the ACK owed. */
void tcp_output(struct tcp_conn *c);

/*
 * Queues (c) for tcp_output() once the frames read in this turn are all
 * in (tcp_flush(), from net_kick()): the segments of one burst from a
 * peer get one ACK, not one each.
 */
void tcp_output_later(struct tcp_conn *c);

/* Runs the queued tcp_output()s of (n). */
void tcp_flush(struct net *n);

/*
 * On the way out of an app's call or a timer: when no engine call is in
 * progress (the app called from outside any TCP callback), flushes the
 * queue and lets the stack arm its timer (net_kick()); inside one, the
 * outermost call does it.
 */
void tcp_kick(struct net *n);

/* Sends a SYN (active open) or SYN-ACK (passive). */
void tcp_send_syn(struct tcp_conn *c);

/* Answers the segment (*h) with (len) data bytes on (*t) by a reset
 * (RFC 9293 3.10.7.1), unless it carries RST. */
void tcp_send_reset(struct net *n, const struct tcp_tuple *t,
                    const struct tcp_hdr *h, uint32_t len);

/* Tells the app the pending events and frees the connection when it is
 * dead and no call is using it. Call on the way out of the engine. */
void tcp_conn_done(struct tcp_conn *c);

/* Ends (c) with error (err): tells the app TCP_EV_CLOSED (unless it
 * closed already) at tcp_conn_done(), then frees it. */
void tcp_conn_drop(struct tcp_conn *c, int err);

/* Moves (c) to TIME_WAIT: buffers released, 2 MSL timer, bounded list. */
void tcp_conn_time_wait(struct tcp_conn *c);

/* Prepares (c)'s event timer. */
void tcp_timer_init(struct tcp_conn *c);

/* Whether the window opened enough since the last advertisement to be
 * worth an ACK of its own (after the app consumed data). */
int tcp_window_update_due(const struct tcp_conn *c);

/* Arms the tail loss probe of (c) at (now) when data is out and no
 * recovery runs (RFC 8985 7.2): two smoothed round trips, more when a
 * lone segment may wait for a delayed ACK; never past the RTO. */
void tcp_arm_tlp(struct tcp_conn *c, uint64_t now);

/* t_rack is due (input.c): a hole SACKs showed is now deemed lost, or in
 * recovery, the lowest hole's retransmission. */
void tcp_rack_fire(struct tcp_conn *c);

/* A loss episode begins (fast recovery or a timeout; input.c): keeps
 * the congestion state to restore should the peer report every
 * retransmission of it as a duplicate. A timeout in recovery continues
 * the recovery's episode; anything else starts a new one. */
void tcp_undo_begin(struct tcp_conn *c);

/* Bytes of [lo, hi) the peer has SACKed. */
uint32_t tcp_sacked(const struct tcp_conn *c, uint32_t lo, uint32_t hi);

/* Re-arms (c)'s event timer for the earliest of its deadlines. */
void tcp_conn_timer(struct tcp_conn *c);

/* Our timestamp clock (RFC 7323 5.4): ms, offset per connection. */
uint32_t tcp_ts_now(const struct tcp_conn *c);

/* The window to advertise, as the 16-bit field (RFC 7323 2.3); moves
 * rcv_adv, never left (RFC 9293 3.8.6.2.2, no shrinking). */
uint16_t tcp_rcv_window(struct tcp_conn *c);

#endif
