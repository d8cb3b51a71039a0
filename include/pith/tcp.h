/*
 * TCP connections (RFC 9293) on a stack of <pith/net.h>.
 *
 * Callback-driven, as the rest of the stack: a listener (caller-owned)
 * hands each new connection to its accept callback; a connection tells
 * its app what happened through one event callback, and the app reads
 * and writes between events. Nothing blocks.
 *
 *     static void on_ev(struct tcp_conn *c, int ev, void *arg)
 *     {
 *         struct bv v;
 *         if (ev == TCP_EV_READABLE)
 *             while (tcp_peek(c, &v) > 0) {      // zero-copy view
 *                 size_t n = tcp_write(c, bv_ptr(&v, 0, bv_len(&v)),
 *                                      bv_len(&v));
 *                 tcp_consume(c, n);             // opens the window
 *                 if (n < bv_len(&v))
 *                     break;                     // TCP_EV_WRITABLE later
 *             }
 *         ...
 *     }
 *     static void on_accept(struct tcp_listener *l, struct tcp_conn *c,
 *                           void *arg) { tcp_set_cb(c, on_ev, NULL); }
 *     static struct tcp_listener l;
 *     tcp_listen(&l, &net, 7, on_accept, NULL);
 *
 * Connections and their buffers come from the heap (malloc), within the
 * bounds of struct tcp_limits: a connection costs its struct (about 500
 * bytes) plus its send and receive buffers, which are allocated when data
 * arrives or is written, grow by doubling up to their limit, and are
 * freed again when they empty, so an idle connection holds no buffer.
 * When a bound is reached the stack refuses new work and counts it in
 * net_stats(): a SYN is answered with RST (or a SYN cookie, when only the
 * listener's backlog is full), data that finds no memory is dropped
 * unacknowledged (the peer sends it again) and existing connections keep
 * working.
 *
 * Received data is held by the connection until the app consumes it; the
 * receive window is what is left of the buffer, so a slow reader slows
 * its peer. Written data is copied once into the send buffer and kept
 * there until acknowledged.
 *
 * Ownership: a connection is the stack's. The app may use the pointer
 * from the accept callback (or tcp_connect()) until it calls tcp_close()
 * or tcp_abort(), or until the callback for TCP_EV_CLOSED returns,
 * whichever comes first; then it MUST forget it.
 */
#ifndef PITH_TCP_H
#define PITH_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

/* Ephemeral ports for tcp_connect() (RFC 6335 section 6). */
#define TCP_EPHEMERAL_LO 49152
#define TCP_EPHEMERAL_HI 65535

/*
 * Limits, per interface (tcp_set_limits()). The defaults come from the
 * manifest's `tcp` line when it has one (docs/MANIFEST.md), else from
 * the TCP_DEFAULT_* values.
 */
struct tcp_limits {
    uint32_t conns;     /* connections in any state, TIME_WAIT included */
    uint32_t sndbuf;    /* bytes one connection may hold unacknowledged:
                           it starts at TCP_SNDBUF_START (or sndbuf if less)
                           and grows to twice the congestion window */
    uint32_t rcvbuf;    /* bytes one connection may hold unread: it starts
                           at TCP_RCVBUF_START (or rcvbuf if less) and
                           doubles while the peer fills it each round
                           trip and the app keeps up */
    uint32_t mem;       /* bytes of buffers all connections may hold */
    uint32_t backlog;   /* half-open connections per listener; past it,
                           SYN cookies */
    uint32_t time_wait; /* connections in TIME_WAIT; past it, the oldest
                           is reclaimed */
};

#define TCP_DEFAULT_CONNS     16384
#define TCP_DEFAULT_SNDBUF    (4 * 1024 * 1024)
#define TCP_DEFAULT_RCVBUF    (4 * 1024 * 1024)
#define TCP_DEFAULT_MEM       (48 * 1024 * 1024)
#define TCP_DEFAULT_BACKLOG   256
#define TCP_DEFAULT_TIME_WAIT 4096

/* A connection's buffer limits at its start (see tcp_limits). */
#define TCP_SNDBUF_START (128 * 1024)
#define TCP_RCVBUF_START (128 * 1024)

/* Smallest and largest buffer limits tcp_set_limits() takes. */
#define TCP_BUF_MIN 4096
#define TCP_BUF_MAX (16 * 1024 * 1024)

/* Timing (RFC 9293, RFC 1122, RFC 6298). */
#define TCP_MSL_NS          (30 * NET_SEC_NS) /* TIME_WAIT lasts 2 MSL */
#define TCP_SYN_RETRIES     6 /* SYN or SYN-ACK transmissions after the first */
#define TCP_USER_TIMEOUT_NS (120 * NET_SEC_NS) /* unacknowledged data */
#define TCP_DELACK_NS       (40 * 1000000ull)  /* delayed ACK (RFC 1122) */
#define TCP_FIN_WAIT2_NS    (60 * NET_SEC_NS)  /* orphaned FIN_WAIT_2 */

/* Events, the (ev) of the event callback. */
enum tcp_event {
    TCP_EV_CONNECTED = 1, /* tcp_connect(): the handshake completed */
    TCP_EV_READABLE,      /* new data to tcp_peek()/tcp_read() */
    TCP_EV_WRITABLE,      /* room in the send buffer again after a short
                             tcp_write() */
    TCP_EV_EOF,           /* the peer closed its side (FIN): no more data
                             after what is buffered; writing still works */
    TCP_EV_CLOSED,        /* the connection is gone: tcp_error() says
                             why; the pointer dies when the callback
                             returns */
};

struct tcp_conn;
struct tcp_listener;
typedef void (*tcp_event_fn)(struct tcp_conn *c, int ev, void *arg);
typedef void (*tcp_accept_fn)(struct tcp_listener *l, struct tcp_conn *c,
                              void *arg);

/* A listening port. Caller-owned; every field is private. */
struct tcp_listener {
    struct net *net;
    struct tcp_listener *next;
    tcp_accept_fn fn;
    void *arg;
    uint16_t port;
    uint8_t open;
    uint32_t half_open; /* SYN_RECEIVED connections of this listener */
};

/*
 * Listens on local (port) of (n) and calls (fn)(l, c, arg) with each
 * connection whose handshake completed. In (fn), the app sets the
 * connection's callback (tcp_set_cb()), or calls tcp_abort() to refuse
 * it; a connection left without a callback is aborted. (l) MUST be zeroed
 * or closed, and stay at its address until tcp_unlisten(). Returns
 * PITH_OK; PITH_EBUSY when (port) has a listener (or (l) is one);
 * PITH_EINVAL when (port) is 0 or (fn) NULL; PITH_ENOMEM when the TCP
 * layer cannot start.
 */
int tcp_listen(struct tcp_listener *l, struct net *n, uint16_t port,
               tcp_accept_fn fn, void *arg);

/* Stops listening; connections already accepted go on, half-open ones
 * are reset. Harmless on a closed listener. */
void tcp_unlisten(struct tcp_listener *l);

/*
 * Opens a connection from an ephemeral port of (n) to (dst):(dport),
 * with callback (fn)(c, ev, arg), and stores it in (*out). The handshake
 * completes later: TCP_EV_CONNECTED, or TCP_EV_CLOSED with tcp_error()
 * PITH_EIO (refused: RST) or PITH_EAGAIN (no answer after
 * TCP_SYN_RETRIES). Data written before may be queued. Returns PITH_OK;
 * PITH_EINVAL for a bad address, port or NULL (fn); PITH_ENOENT when
 * there is no route; PITH_ELIMIT when the connection limit is reached or
 * no port is free; PITH_ENOMEM when memory is short.
 */
int tcp_connect(struct net *n, uint32_t dst, uint16_t dport, tcp_event_fn fn,
                void *arg, struct tcp_conn **out);

/* Sets the callback of (c) (from the accept callback, typically). */
void tcp_set_cb(struct tcp_conn *c, tcp_event_fn fn, void *arg);

/*
 * Copies up to (len) bytes at (buf) into (c)'s send buffer and returns
 * how many it took (0 when the buffer is full). After a write that took
 * less than (len), or left the buffer full, TCP_EV_WRITABLE follows when
 * a quarter of the buffer is free again. Returns PITH_EINVAL after
 * tcp_shutdown(), or the connection's error once it has one. Data goes out as
 * the windows and Nagle's algorithm allow.
 */
long tcp_write(struct tcp_conn *c, const void *buf, size_t len);

/* Bytes tcp_write() would take now. */
size_t tcp_write_room(const struct tcp_conn *c);

/*
 * Zero-copy read: points (*v) at the oldest received bytes not yet
 * consumed, a contiguous run of them (call again after tcp_consume() for
 * the rest). Returns the length of the view; 0 when nothing is buffered.
 * The view holds until the next call into the stack.
 */
size_t tcp_peek(struct tcp_conn *c, struct bv *v);

/* Marks the first (n) buffered bytes read (n at most what is buffered),
 * which reopens the receive window. */
void tcp_consume(struct tcp_conn *c, size_t n);

/* Copies up to (len) buffered bytes into (buf), consumes them, and
 * returns how many (0: none buffered). */
size_t tcp_read(struct tcp_conn *c, void *buf, size_t len);

/* Bytes buffered for reading. */
size_t tcp_readable(const struct tcp_conn *c);

/*
 * Half-close: sends FIN once the send buffer has gone out; reading goes
 * on. Harmless when done already.
 */
void tcp_shutdown(struct tcp_conn *c);

/*
 * The app is done with (c): buffered unread data is dropped (then, per
 * RFC 9293 3.10.4 and as Linux does, the peer gets RST when any was
 * left unread), written data still goes out followed by FIN, and the
 * stack frees the connection when it is over. No more callbacks.
 */
void tcp_close(struct tcp_conn *c);

/* Resets (c) (RST) and frees it at once. No more callbacks. */
void tcp_abort(struct tcp_conn *c);

/*
 * Disables (on 1) or enables (on 0) Nagle's algorithm (RFC 1122
 * 4.2.3.4), which is on by default: with it, a segment shorter than the
 * MSS waits while data is unacknowledged.
 */
void tcp_nodelay(struct tcp_conn *c, int on);

/*
 * Keepalive (RFC 1122 4.2.3.6), off by default: after (idle) ns without
 * a segment from the peer, probes every (interval) ns, and after (count)
 * unanswered probes the connection is closed with PITH_EAGAIN. (idle) 0
 * turns it off.
 */
void tcp_keepalive(struct tcp_conn *c, uint64_t idle, uint64_t interval,
                   unsigned count);

/*
 * How long sent data may stay unacknowledged before the connection is
 * given up with PITH_EAGAIN (RFC 9293 3.8.3's R2, as RFC 5482's user
 * timeout); TCP_USER_TIMEOUT_NS by default.
 */
void tcp_user_timeout(struct tcp_conn *c, uint64_t ns);

/*
 * The sticky error of (c): PITH_OK while it works; PITH_EIO after a
 * reset by the peer, PITH_EAGAIN after a timeout, PITH_ENOMEM when the
 * stack had to drop it.
 */
int tcp_error(const struct tcp_conn *c);

/* The connection's addresses and ports. */
void tcp_endpoints(const struct tcp_conn *c, uint32_t *laddr, uint16_t *lport,
                   uint32_t *raddr, uint16_t *rport);

/*
 * Sets the limits of (n)'s TCP layer (before or after connections
 * exist; buffer limits apply to new connections). Returns PITH_OK, or
 * PITH_EINVAL when a buffer limit is outside [TCP_BUF_MIN, TCP_BUF_MAX]
 * or a count is 0.
 */
int tcp_set_limits(struct net *n, const struct tcp_limits *lim);

/* The limits in force (the defaults before any tcp_set_limits()). */
void tcp_get_limits(struct net *n, struct tcp_limits *lim);

#endif
