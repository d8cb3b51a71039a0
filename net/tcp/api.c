/*
 * tcp: the interface's TCP state, the connection table, connection life
 * (creation, events to the app, TIME_WAIT, freeing) and the calls of
 * <pith/tcp.h>.
 */
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>
#include <pith/mft.h>
#include <pith/plat.h>

#include "../stack/stack.h"
#include "tcp_conn.h"
#include "tcp_seq.h"

/* The image's manifest, for the `tcp` line; absent in host tests. */
extern const struct pith_mft pith_mft __attribute__((weak));

/* A manifest value, when it is set and sane (the note comes from an
 * image file: `pith build` checks it, but nothing here trusts it). */
static uint32_t tcp_mft_value(uint32_t v, uint32_t lo, uint32_t hi,
                              uint32_t def)
{
    return v >= lo && v <= hi ? v : def;
}

static void tcp_default_limits(struct tcp_limits *l)
{
    static const struct pith_mft_tcp none;
    const struct pith_mft_tcp *m = &pith_mft ? &pith_mft.tcp : &none;

    l->conns = tcp_mft_value(m->conns, 1, 1000000, TCP_DEFAULT_CONNS);
    l->sndbuf =
        tcp_mft_value(m->sndbuf, TCP_BUF_MIN, TCP_BUF_MAX, TCP_DEFAULT_SNDBUF);
    l->rcvbuf =
        tcp_mft_value(m->rcvbuf, TCP_BUF_MIN, TCP_BUF_MAX, TCP_DEFAULT_RCVBUF);
    l->mem = tcp_mft_value(m->mem, 64 * 1024, UINT32_MAX, TCP_DEFAULT_MEM);
    l->backlog = tcp_mft_value(m->backlog, 1, 1000000, TCP_DEFAULT_BACKLOG);
    l->time_wait =
        tcp_mft_value(m->time_wait, 1, 1000000, TCP_DEFAULT_TIME_WAIT);
}

int tcp_stack_get(struct net *n)
{
    struct tcp_stack *ts;
    uint8_t k[16];

    if (n->tcp)
        return PITH_OK;
    ts = calloc(1, sizeof *ts);
    if (!ts)
        return PITH_ENOMEM;
    if (plat_entropy(k, sizeof k) < 0) {
        uint64_t t = plat_clock_monotonic();
        memset(k, 0x5a, sizeof k);
        memcpy(k, &t, sizeof t);
    }
    memcpy(&ts->key.k0, k, 8);
    memcpy(&ts->key.k1, k + 8, 8);
    ts->next_port = (uint16_t)(k[0] << 8 | k[1]);
    tcp_default_limits(&ts->lim);
    n->tcp = ts;
    return PITH_OK;
}

/* Called by the stack at net_init() (a weak reference in stack.c). */
void tcp_attach(struct net *n)
{
    ip4_register(n, IP4_PROTO_TCP, tcp_input);
}

static void tcp_conn_free(struct tcp_conn *c);

/* Called by net_close(): every connection goes, without a word. */
void tcp_detach(struct net *n)
{
    struct tcp_stack *ts = n->tcp;
    struct tcp_listener *l;
    unsigned i;

    if (!ts)
        return;
    while (ts->outq) {
        struct tcp_conn *c = ts->outq;
        ts->outq = c->out_next;
        c->fl &= ~(uint32_t)TCP_F_OUTQ;
        if (!(c->fl & TCP_F_HASHED)) /* dead, waiting for the queue */
            tcp_conn_free(c);
    }
    for (i = 0; i < (1u << TCP_HASH_BITS); i++)
        while (ts->hash[i]) {
            ts->hash[i]->fl |= TCP_F_APP_GONE;
            ts->hash[i]->busy = 0;
            tcp_conn_free(ts->hash[i]);
        }
    for (l = ts->listeners; l; l = l->next)
        l->open = 0;
    free(ts);
    n->tcp = NULL;
}

static unsigned tcp_bucket(const struct tcp_stack *ts,
                           const struct tcp_tuple *t)
{
    uint8_t b[12];

    memcpy(b, &t->laddr, 4);
    memcpy(b + 4, &t->raddr, 4);
    memcpy(b + 8, &t->lport, 2);
    memcpy(b + 10, &t->rport, 2);
    return (unsigned)(tcp_siphash(&ts->key, b, sizeof b) &
                      ((1u << TCP_HASH_BITS) - 1));
}

struct tcp_conn *tcp_conn_find(struct tcp_stack *ts, const struct tcp_tuple *t)
{
    struct tcp_conn *c;

    for (c = ts->hash[tcp_bucket(ts, t)]; c; c = c->hnext)
        if (c->t.lport == t->lport && c->t.rport == t->rport &&
            c->t.raddr == t->raddr && c->t.laddr == t->laddr)
            return c;
    return NULL;
}

void tcp_conn_hash(struct tcp_stack *ts, struct tcp_conn *c)
{
    unsigned b = tcp_bucket(ts, &c->t);

    c->hnext = ts->hash[b];
    ts->hash[b] = c;
    c->fl |= TCP_F_HASHED;
}

static void tcp_conn_unhash(struct tcp_stack *ts, struct tcp_conn *c)
{
    struct tcp_conn **pp = &ts->hash[tcp_bucket(ts, &c->t)];

    if (!(c->fl & TCP_F_HASHED))
        return;
    while (*pp && *pp != c)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = c->hnext;
    c->fl &= ~(uint32_t)TCP_F_HASHED;
}

static void tcp_tw_unlink(struct tcp_stack *ts, struct tcp_conn *c)
{
    if (!(c->fl & TCP_F_TW_LIST))
        return;
    if (c->tw_prev)
        c->tw_prev->tw_next = c->tw_next;
    else
        ts->tw_head = c->tw_next;
    if (c->tw_next)
        c->tw_next->tw_prev = c->tw_prev;
    else
        ts->tw_tail = c->tw_prev;
    c->fl &= ~(uint32_t)TCP_F_TW_LIST;
    ts->time_wait--;
}

static void tcp_conn_free(struct tcp_conn *c)
{
    struct tcp_stack *ts = c->net->tcp;

    tcp_conn_unhash(ts, c);
    tcp_tw_unlink(ts, c);
    if (c->state == TCP_SYN_RECEIVED && c->lis)
        c->lis->half_open--;
    ev_timer_cancel(&c->timer);
    if (c->snd.buf)
        tcp_ring_release(&c->snd, &ts->mem);
    if (c->rcv.buf)
        tcp_ring_release(&c->rcv, &ts->mem);
    ts->mem -= sizeof *c;
    ts->conns--;
    free(c);
}

/* Frees dead (c) unless a call is using it or it waits in the output
 * queue: then whoever finishes with it frees it (tcp_conn_done()). */
static void tcp_conn_release(struct tcp_conn *c)
{
    if (!c->busy && !(c->fl & TCP_F_OUTQ))
        tcp_conn_free(c);
}

struct tcp_conn *tcp_conn_new(struct net *n, const struct tcp_tuple *t)
{
    struct tcp_stack *ts = n->tcp;
    struct tcp_conn *c;
    uint8_t b[16];
    uint64_t h;

    if (ts->conns >= ts->lim.conns && ts->tw_head) {
        struct tcp_conn *old = ts->tw_head;
        n->st.tcp.time_wait_reclaimed++;
        tcp_tw_unlink(ts, old);
        tcp_conn_drop(old, PITH_OK);
        tcp_conn_release(old);
    }
    if (ts->conns >= ts->lim.conns || ts->mem + sizeof *c > ts->lim.mem) {
        n->st.tcp.conn_refused++;
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        n->st.tcp.conn_refused++;
        return NULL;
    }
    ts->conns++;
    ts->mem += sizeof *c;
    c->net = n;
    c->t = *t;
    c->sbuf_max =
        ts->lim.sndbuf < TCP_SNDBUF_START ? ts->lim.sndbuf : TCP_SNDBUF_START;
    c->rbuf_max =
        ts->lim.rcvbuf < TCP_RCVBUF_START ? ts->lim.rcvbuf : TCP_RCVBUF_START;
    /* The window scale allows for the most the buffer may grow to. */
    while ((ts->lim.rcvbuf >> c->rcv_ws) > 0xffff && c->rcv_ws < TCP_WSCALE_MAX)
        c->rcv_ws++;
    c->user_timeout = TCP_USER_TIMEOUT_NS;
    c->mss = TCP_MSS_DEFAULT;
    c->peer_mss = TCP_MSS_DEFAULT;
    tcp_cc_init(&c->cc, c->mss);
    tcp_rtt_init(&c->rtt);
    tcp_timer_init(c);
    /* ISN (RFC 6528): a keyed hash of the tuple plus a 4 us clock; the
     * timestamp offset likewise (RFC 7323 5.4, 7.1). */
    memcpy(b, &t->laddr, 4);
    memcpy(b + 4, &t->raddr, 4);
    memcpy(b + 8, &t->lport, 2);
    memcpy(b + 10, &t->rport, 2);
    memcpy(b + 12, "isn", 4);
    h = tcp_siphash(&ts->key, b, sizeof b);
    c->iss = (uint32_t)h + (uint32_t)(ev_now() / 4000);
    c->ts_off = (uint32_t)(h >> 32);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->recover = c->iss;
    c->high_rxt = c->iss;
    return c;
}

void tcp_conn_drop(struct tcp_conn *c, int err)
{
    if (c->fl & TCP_F_DEAD)
        return;
    c->fl |= TCP_F_DEAD;
    if (!c->err)
        c->err = err;
    tcp_conn_unhash(c->net->tcp, c);
    if (c->state == TCP_SYN_RECEIVED && c->lis) {
        c->lis->half_open--;
        c->lis = NULL;
    }
    c->state = TCP_CLOSED;
    c->t_rtx = c->t_delack = c->t_keep = c->t_end = c->t_tlp = 0;
    if (!(c->fl & TCP_F_APP_GONE) && !(c->ev & TCP_EVB_ACCEPT) && c->fn)
        c->ev |= TCP_EVB_CLOSED;
}

void tcp_conn_time_wait(struct tcp_conn *c)
{
    struct tcp_stack *ts = c->net->tcp;

    c->state = TCP_TIME_WAIT;
    c->t_rtx = c->t_keep = c->t_tlp = 0;
    c->t_end = ev_now() + 2 * TCP_MSL_NS;
    c->fl &= ~(uint32_t)TCP_F_RECOVERY;
    if (c->snd.buf)
        tcp_ring_release(&c->snd, &ts->mem);
    c->slen = 0;
    c->tw_prev = ts->tw_tail;
    c->tw_next = NULL;
    if (ts->tw_tail)
        ts->tw_tail->tw_next = c;
    else
        ts->tw_head = c;
    ts->tw_tail = c;
    c->fl |= TCP_F_TW_LIST;
    ts->time_wait++;
    /* The bound: the oldest goes (it is past use, only a guard). */
    while (ts->time_wait > ts->lim.time_wait && ts->tw_head != c) {
        struct tcp_conn *old = ts->tw_head;
        c->net->st.tcp.time_wait_reclaimed++;
        tcp_tw_unlink(ts, old);
        tcp_conn_drop(old, PITH_OK);
        tcp_conn_release(old);
    }
}

void tcp_conn_done(struct tcp_conn *c)
{
    if (c->busy)
        return;
    c->busy++;
    while (c->ev) {
        uint8_t ev;
        if (c->fl & TCP_F_APP_GONE) {
            c->ev = 0;
            break;
        }
        if (c->ev & TCP_EVB_ACCEPT) {
            struct tcp_listener *l = c->lis;
            c->ev &= (uint8_t)~TCP_EVB_ACCEPT;
            c->lis = NULL;
            if (l && l->open && !(c->fl & TCP_F_DEAD))
                l->fn(l, c, l->arg);
            if (!c->fn && !(c->fl & TCP_F_APP_GONE))
                tcp_abort(c); /* nobody took it */
            continue;
        }
        ev = c->ev & TCP_EVB_CONNECTED  ? TCP_EVB_CONNECTED
             : c->ev & TCP_EVB_READABLE ? TCP_EVB_READABLE
             : c->ev & TCP_EVB_WRITABLE ? TCP_EVB_WRITABLE
             : c->ev & TCP_EVB_EOF      ? TCP_EVB_EOF
                                        : TCP_EVB_CLOSED;
        c->ev &= (uint8_t)~ev;
        if (!c->fn)
            continue;
        if (ev == TCP_EVB_READABLE && !c->rlen)
            continue;
        c->fn(c,
              ev == TCP_EVB_CONNECTED  ? TCP_EV_CONNECTED
              : ev == TCP_EVB_READABLE ? TCP_EV_READABLE
              : ev == TCP_EVB_WRITABLE ? TCP_EV_WRITABLE
              : ev == TCP_EVB_EOF      ? TCP_EV_EOF
                                       : TCP_EV_CLOSED,
              c->arg);
        if (ev == TCP_EVB_CLOSED)
            c->fl |= TCP_F_APP_GONE;
    }
    if (c->fl & TCP_F_DIRECT) {
        /* The frame is about to go: what the app left of it moves into
         * the receive ring, which tcp_data() made room in. */
        c->fl &= ~(uint32_t)TCP_F_DIRECT;
        if (c->rlen && c->rcv.buf && c->rlen <= c->rcv.cap)
            tcp_ring_put(&c->rcv, 0, c->dv, c->rlen);
    }
    c->busy--;
    if ((c->fl & TCP_F_DEAD) && !c->busy && !(c->fl & TCP_F_OUTQ))
        tcp_conn_free(c);
}

void tcp_output_later(struct tcp_conn *c)
{
    struct tcp_stack *ts = c->net->tcp;

    if (c->fl & TCP_F_OUTQ)
        return;
    c->fl |= TCP_F_OUTQ;
    c->out_next = ts->outq;
    ts->outq = c;
    c->net->kick = 1;
}

void tcp_flush(struct net *n)
{
    struct tcp_stack *ts = n->tcp;
    struct tcp_conn *c;

    if (!ts || ts->flushing)
        return;
    ts->flushing = 1;
    ts->depth++;
    while ((c = ts->outq) != NULL) {
        ts->outq = c->out_next;
        c->fl &= ~(uint32_t)TCP_F_OUTQ;
        c->busy++;
        if (!(c->fl & TCP_F_DEAD))
            tcp_output(c);
        c->busy--;
        tcp_conn_done(c);
    }
    ts->depth--;
    ts->flushing = 0;
}

void tcp_kick(struct net *n)
{
    if (n->tcp && n->tcp->depth == 0)
        net_kick(n);
}

/* ---- The app's calls ---- */

int tcp_listen(struct tcp_listener *l, struct net *n, uint16_t port,
               tcp_accept_fn fn, void *arg)
{
    struct tcp_listener *o;

    if (!port || !fn)
        return PITH_EINVAL;
    if (l->open)
        return PITH_EBUSY;
    if (tcp_stack_get(n) < 0)
        return PITH_ENOMEM;
    for (o = n->tcp->listeners; o; o = o->next)
        if (o->port == port)
            return PITH_EBUSY;
    memset(l, 0, sizeof *l);
    l->net = n;
    l->fn = fn;
    l->arg = arg;
    l->port = port;
    l->open = 1;
    l->next = n->tcp->listeners;
    n->tcp->listeners = l;
    return PITH_OK;
}

void tcp_unlisten(struct tcp_listener *l)
{
    struct tcp_stack *ts;
    struct tcp_listener **pp;
    unsigned i;

    if (!l->open)
        return;
    l->open = 0;
    ts = l->net->tcp;
    if (!ts)
        return;
    for (pp = &ts->listeners; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    /* Half-open connections and those not yet accepted go. */
    for (i = 0; i < (1u << TCP_HASH_BITS); i++) {
        struct tcp_conn *c = ts->hash[i], *next;
        for (; c; c = next) {
            next = c->hnext;
            if (c->lis == l)
                tcp_abort(c);
        }
    }
}

int tcp_connect(struct net *n, uint32_t dst, uint16_t dport, tcp_event_fn fn,
                void *arg, struct tcp_conn **out)
{
    struct tcp_stack *ts;
    struct tcp_tuple t;
    struct tcp_conn *c;
    uint32_t hop, i, range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;

    if (!dport || !fn || !dst || !n->addr)
        return PITH_EINVAL;
    if (ip4_route(n, dst, &hop) < 0 || hop == IP4_BROADCAST)
        return PITH_ENOENT;
    if (tcp_stack_get(n) < 0)
        return PITH_ENOMEM;
    ts = n->tcp;
    t.laddr = n->addr;
    t.raddr = dst;
    t.rport = dport;
    for (i = 0; i < range; i++) {
        t.lport = (uint16_t)(TCP_EPHEMERAL_LO + (ts->next_port++ % range));
        if (!tcp_conn_find(ts, &t))
            break;
    }
    if (i == range)
        return PITH_ELIMIT;
    c = tcp_conn_new(n, &t);
    if (!c)
        return ts->conns >= ts->lim.conns ? PITH_ELIMIT : PITH_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    c->state = TCP_SYN_SENT;
    c->mss = (uint16_t)(n->mtu - 40 - 12);
    n->st.tcp.active_opens++;
    tcp_conn_hash(ts, c);
    *out = c;
    c->busy++;
    tcp_send_syn(c);
    tcp_conn_timer(c);
    c->busy--;
    tcp_kick(n);
    return PITH_OK;
}

void tcp_set_cb(struct tcp_conn *c, tcp_event_fn fn, void *arg)
{
    c->fn = fn;
    c->arg = arg;
}

size_t tcp_write_room(const struct tcp_conn *c)
{
    if (c->err || (c->fl & (TCP_F_SHUT_WR | TCP_F_DEAD)))
        return 0;
    return c->sbuf_max - c->slen;
}

long tcp_write(struct tcp_conn *c, const void *buf, size_t len)
{
    struct net *n = c->net;
    struct tcp_stack *ts = n->tcp;
    uint32_t take;

    if (c->err)
        return c->err;
    if (c->fl & (TCP_F_SHUT_WR | TCP_F_DEAD | TCP_F_APP_GONE) ||
        c->state == TCP_CLOSED || c->state == TCP_TIME_WAIT)
        return PITH_EINVAL;
    take = c->sbuf_max - c->slen;
    if (len < take)
        take = (uint32_t)len;
    if (take && tcp_ring_reserve(&c->snd, c->slen + take, c->slen, &ts->mem,
                                 ts->lim.mem) < 0) {
        /* Short of memory: take what fits the ring as it is. */
        take = c->snd.cap > c->slen ? c->snd.cap - c->slen : 0;
        if (take > len)
            take = (uint32_t)len;
    }
    if (!take) {
        c->fl |= TCP_F_WANT_W;
        return 0;
    }
    tcp_ring_put(&c->snd, c->slen, buf, take);
    c->slen += take;
    /* A short write, or a full buffer (tcp_write_room() 0), promises
     * TCP_EV_WRITABLE. */
    if (take < len || c->slen == c->sbuf_max)
        c->fl |= TCP_F_WANT_W;
    if (ts->depth > 0 && (n->offload & PLAT_NET_CAP_TSO4) &&
        c->snd_nxt != c->snd_una && c->state != TCP_SYN_SENT &&
        c->state != TCP_SYN_RECEIVED) {
        /* From a callback of the engine, which flushes when it is done,
         * with data in flight (an ACK will come anyway): with the device
         * cutting segments, the writes of this turn go out together, as
         * segments of up to 64 KiB, rather than one write's worth at a
         * time (Linux's autocorking). With nothing in flight, as in a
         * request and its answer, at once: the flush comes only after
         * the device has been read to the end. */
        tcp_output_later(c);
    } else if (c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED) {
        c->busy++;
        tcp_output(c);
        c->busy--;
        tcp_conn_done(c);
        tcp_kick(n);
    }
    return (long)take;
}

size_t tcp_peek(struct tcp_conn *c, struct bv *v)
{
    const uint8_t *p;
    uint32_t n;

    if (c->fl & TCP_F_DIRECT) {
        *v = bv_make(c->dv, c->rlen);
        return c->rlen;
    }
    n = tcp_ring_run(&c->rcv, 0, c->rlen, &p);
    *v = bv_make(p, n);
    return n;
}

void tcp_consume(struct tcp_conn *c, size_t n)
{
    struct net *net = c->net;
    struct tcp_stack *ts = net->tcp;

    if (n > c->rlen)
        n = c->rlen;
    if (c->fl & TCP_F_DIRECT)
        c->dv += n;
    else
        tcp_ring_advance(&c->rcv, (uint32_t)n);
    c->rlen -= (uint32_t)n;
    if (!c->rlen)
        c->fl &= ~(uint32_t)TCP_F_DIRECT;
    if (!c->rlen && !c->nooo && c->rcv.buf)
        tcp_ring_release(&c->rcv, &ts->mem);
    if (n && tcp_window_update_due(c) && !(c->fl & TCP_F_DEAD)) {
        c->busy++;
        tcp_output(c);
        c->busy--;
        tcp_conn_done(c);
        tcp_kick(net);
    }
}

size_t tcp_read(struct tcp_conn *c, void *buf, size_t len)
{
    uint32_t n = c->rlen < len ? c->rlen : (uint32_t)len;

    if (c->fl & TCP_F_DIRECT)
        memcpy(buf, c->dv, n);
    else
        tcp_ring_get(&c->rcv, 0, buf, n);
    tcp_consume(c, n);
    return n;
}

size_t tcp_readable(const struct tcp_conn *c)
{
    return c->rlen;
}

void tcp_shutdown(struct tcp_conn *c)
{
    struct net *n = c->net;

    if (c->fl & (TCP_F_SHUT_WR | TCP_F_DEAD))
        return;
    c->fl |= TCP_F_SHUT_WR;
    switch (c->state) {
    case TCP_SYN_SENT:
        tcp_conn_drop(c, PITH_OK); /* RFC 9293 3.10.4: nothing to close */
        break;
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        c->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        c->state = TCP_LAST_ACK;
        break;
    default:
        break;
    }
    c->busy++;
    if (!(c->fl & TCP_F_DEAD))
        tcp_output(c);
    c->busy--;
    tcp_conn_done(c);
    tcp_kick(n);
}

static void tcp_reset_conn(struct tcp_conn *c)
{
    struct tcp_hdr h;

    if (c->state == TCP_CLOSED || c->state == TCP_SYN_SENT ||
        c->state == TCP_TIME_WAIT)
        return;
    memset(&h, 0, sizeof h);
    h.flags = TCP_ACK;
    h.ack = c->snd_nxt;
    tcp_send_reset(c->net, &c->t, &h, 0);
}

void tcp_abort(struct tcp_conn *c)
{
    struct net *n = c->net;

    if (c->fl & TCP_F_DEAD) {
        c->fl |= TCP_F_APP_GONE;
        return;
    }
    tcp_reset_conn(c);
    c->fl |= TCP_F_APP_GONE;
    tcp_conn_drop(c, PITH_EIO);
    tcp_conn_done(c);
    tcp_kick(n);
}

void tcp_close(struct tcp_conn *c)
{
    if (c->fl & TCP_F_DEAD) {
        c->fl |= TCP_F_APP_GONE;
        tcp_conn_done(c);
        return;
    }
    if (c->rlen || c->nooo) {
        /* Unread data: RFC 9293 3.10.4 allows, RFC 1122 4.2.2.13 asks,
         * a reset, so the peer knows it was not all taken. */
        tcp_abort(c);
        return;
    }
    c->fl |= TCP_F_APP_GONE;
    c->ev = 0;
    if (c->rcv.buf)
        tcp_ring_release(&c->rcv, &c->net->tcp->mem);
    if (c->state == TCP_FIN_WAIT_2 && !c->t_end)
        c->t_end = ev_now() + TCP_FIN_WAIT2_NS;
    c->busy++;
    tcp_shutdown(c);
    c->busy--;
    tcp_conn_done(c);
}

void tcp_nodelay(struct tcp_conn *c, int on)
{
    if (on)
        c->fl |= TCP_F_NODELAY;
    else
        c->fl &= ~(uint32_t)TCP_F_NODELAY;
}

void tcp_keepalive(struct tcp_conn *c, uint64_t idle, uint64_t interval,
                   unsigned count)
{
    c->keep_idle = idle;
    c->keep_intvl = interval ? interval : idle;
    c->keep_cnt = count;
    c->keep_sent = 0;
    c->t_keep = idle && c->state == TCP_ESTABLISHED ? c->last_rx + idle : 0;
    if (c->t_keep)
        tcp_conn_timer(c);
}

void tcp_user_timeout(struct tcp_conn *c, uint64_t ns)
{
    c->user_timeout = ns ? ns : TCP_USER_TIMEOUT_NS;
}

int tcp_error(const struct tcp_conn *c)
{
    return c->err;
}

void tcp_endpoints(const struct tcp_conn *c, uint32_t *laddr, uint16_t *lport,
                   uint32_t *raddr, uint16_t *rport)
{
    *laddr = c->t.laddr;
    *lport = c->t.lport;
    *raddr = c->t.raddr;
    *rport = c->t.rport;
}

int tcp_set_limits(struct net *n, const struct tcp_limits *lim)
{
    if (lim->sndbuf < TCP_BUF_MIN || lim->sndbuf > TCP_BUF_MAX ||
        lim->rcvbuf < TCP_BUF_MIN || lim->rcvbuf > TCP_BUF_MAX || !lim->conns ||
        !lim->mem || !lim->backlog || !lim->time_wait)
        return PITH_EINVAL;
    if (tcp_stack_get(n) < 0)
        return PITH_ENOMEM;
    n->tcp->lim = *lim;
    return PITH_OK;
}

void tcp_get_limits(struct net *n, struct tcp_limits *lim)
{
    if (n->tcp)
        *lim = n->tcp->lim;
    else
        tcp_default_limits(lim);
}

/* Called by net_stats() (a weak reference in stack.c): the gauges. */
void tcp_gauges(const struct net *n, struct net_stats *st)
{
    const struct tcp_stack *ts = n->tcp;
    uint64_t est = 0;
    unsigned i;

    if (!ts)
        return;
    for (i = 0; i < (1u << TCP_HASH_BITS); i++) {
        const struct tcp_conn *c;
        for (c = ts->hash[i]; c; c = c->hnext)
            est += c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
    }
    st->tcp.conns = ts->conns;
    st->tcp.established = est;
    st->tcp.time_wait = ts->time_wait;
    st->tcp.mem = ts->mem;
}
