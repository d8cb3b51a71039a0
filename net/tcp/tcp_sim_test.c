/*
 * Two pith stacks talking TCP over an in-memory link, on a fake clock:
 * each test builds stacks "a" (10.0.0.1) and "b" (10.0.0.2), runs the real
 * event loop, and checks what arrived and what the counters say. The link
 * is a seeded impairment: loss, duplication, reordering and delay, and it
 * can be cut. Deterministic: a failure replays exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/plat.h>
#include <pith/tcp.h>

#include "../stack/nettest_iov.h"
#include "../stack/stack.h"
#include "tcp_conn.h"
#include "tcp_seq.h"
#include "unit.h"

/* ---- The link and the fake platform ---- */

#define SIM_QMAX  8192
#define SIM_FRAME 1600

struct sim_frame {
    uint64_t due, order;
    uint32_t len;
    uint8_t data[SIM_FRAME];
};

static struct {
    uint64_t now, order, rng;
    uint32_t loss, dup, reorder;    /* per ten thousand */
    uint64_t delay;                 /* one way, ns */
    uint64_t hold, hold_span;       /* a reordered frame's extra delay */
    int cut[2];                     /* drop everything sent by a (0) or b (1) */
    int cut_tcp[2];                 /* the same for TCP segments only */
    uint8_t last_cut[2][SIM_FRAME]; /* the last cut by cut_tcp */
    size_t max_frame[2];            /* drop longer frames sent (0: none) */
    int tso[2];                     /* the device offers checksum and TSO */
    uint32_t offload[2];            /* what the stack turned on */
    uint64_t gso[2], gso_segs[2];   /* large frames cut, segments made */
    uint64_t bad_meta[2];           /* frames whose metadata lied */
    struct sim_frame *q[2];         /* frames to be read by a (0), b (1) */
    unsigned nq[2];
    uint64_t sent[2], dropped[2];
} sim;

static uint64_t sim_rand(void)
{
    uint64_t x = sim.rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    sim.rng = x;
    return x;
}

static void sim_reset(uint64_t seed)
{
    free(sim.q[0]);
    free(sim.q[1]);
    memset(&sim, 0, sizeof sim);
    sim.now = 1000 * NET_SEC_NS;
    sim.rng = seed * 0x9e3779b97f4a7c15ull + 1;
    sim.delay = 500000; /* 0.5 ms */
    sim.hold = 200000;
    sim.hold_span = 2000000; /* held 0.2 to 2.2 ms */
    sim.q[0] = calloc(SIM_QMAX, sizeof(struct sim_frame));
    sim.q[1] = calloc(SIM_QMAX, sizeof(struct sim_frame));
}

static void sim_enqueue(int to, const uint8_t *buf, size_t len, uint64_t due)
{
    struct sim_frame *f;

    if (sim.nq[to] == SIM_QMAX || len > SIM_FRAME) {
        sim.dropped[!to]++;
        return;
    }
    f = &sim.q[to][sim.nq[to]++];
    f->due = due;
    f->order = sim.order++;
    f->len = (uint32_t)len;
    memcpy(f->data, buf, len);
}

void plat_console_write(const char *buf, size_t len)
{
    fwrite(buf, 1, len, stdout);
}

uint64_t plat_clock_monotonic(void)
{
    return sim.now;
}

uint64_t plat_clock_wall(void)
{
    return sim.now;
}

int plat_net_acquire(const char *name, plat_handle_t *h,
                     struct plat_net_info *info)
{
    static const uint8_t macs[2][6] = {{2, 0, 0, 0, 0, 0xa},
                                       {2, 0, 0, 0, 0, 0xb}};
    int i = strcmp(name, "a") == 0 ? 0 : strcmp(name, "b") == 0 ? 1 : -1;

    if (i < 0)
        return PITH_ENOENT;
    *h = (plat_handle_t)i;
    memcpy(info->mac, macs[i], 6);
    info->mtu = 1500;
    info->caps = sim.tso[i] ? PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 : 0;
    return PITH_OK;
}

int plat_net_offload(plat_handle_t h, uint32_t caps)
{
    uint32_t offered = sim.tso[h] ? PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 : 0;

    if (h > 1 || (caps & ~offered))
        return PITH_EINVAL;
    sim.offload[h] = caps;
    return PITH_OK;
}

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    int from = (int)h;
    uint64_t due = sim.now + sim.delay;

    sim.sent[from]++;
    if (sim.cut_tcp[from] && len > 14 + 20 && buf[12] == 8 && buf[13] == 0 &&
        buf[14 + 9] == IP4_PROTO_TCP) {
        memcpy(sim.last_cut[from], buf, len <= SIM_FRAME ? len : SIM_FRAME);
        sim.dropped[from]++;
        return PITH_OK;
    }
    if (sim.cut[from] || sim_rand() % 10000 < sim.loss ||
        (sim.max_frame[from] && len > sim.max_frame[from])) {
        sim.dropped[from]++;
        return PITH_OK;
    }
    if (sim_rand() % 10000 < sim.reorder) {
        due += sim.hold + sim_rand() % sim.hold_span;
    }
    sim_enqueue(!from, buf, len, due);
    if (sim_rand() % 10000 < sim.dup)
        sim_enqueue(!from, buf, len, due + 10000);
    return PITH_OK;
}

static uint16_t sim_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void sim_put16(uint8_t *p, uint32_t x)
{
    p[0] = (uint8_t)(x >> 8);
    p[1] = (uint8_t)x;
}

/* The Internet checksum of (len) bytes at (p) added to (sum), the slow
 * way, independent of the stack's. */
static uint16_t sim_csum(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += sim_be16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * The device's side of the offloads, as Linux's tap does them: a partial
 * checksum completed, a GSO frame cut into segments of gso_size bytes,
 * each with the headers copied, the IPv4 length, identification and
 * checksum and the TCP sequence number moved, FIN and PSH on the last
 * only, and its checksum computed from the pseudo-header sum the sender
 * left (which must be right: the receiving stack verifies each one).
 */
int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len)
{
    static uint8_t f[65536 + 14];
    uint32_t off, seq, dlen, ip_id, hl, cs, co;
    uint16_t pseudo;
    int from = (int)h;

    if (!m || (!m->flags && !m->gso))
        return plat_net_write(h, buf, len);
    cs = m->csum_start;
    co = m->csum_offset;
    if (!(m->flags & PLAT_NET_F_NEEDS_CSUM) ||
        !(sim.offload[from] & PLAT_NET_CAP_CSUM) || cs + co + 2 > len ||
        len > sizeof f) {
        sim.bad_meta[from]++;
        return PITH_EINVAL;
    }
    if (m->gso == PLAT_NET_GSO_NONE) {
        if (len > 1514) {
            sim.bad_meta[from]++;
            return PITH_EINVAL;
        }
        memcpy(f, buf, len);
        /* The run includes the field, which holds the pseudo sum. */
        sim_put16(f + cs + co, sim_csum(0, f + cs, len - cs));
        return plat_net_write(h, f, len);
    }
    hl = m->hdr_len;
    if (m->gso != PLAT_NET_GSO_TCP4 ||
        !(sim.offload[from] & PLAT_NET_CAP_TSO4) || !m->gso_size || hl > len ||
        cs != 34 || co != 16 || hl + m->gso_size > 1514 || hl < 54) {
        sim.bad_meta[from]++;
        return PITH_EINVAL;
    }
    /* The sender's pseudo-header sum, for the whole TCP length: checked
     * against one computed here. */
    {
        uint32_t s = sim_be16(buf + 26) + sim_be16(buf + 28) +
                     sim_be16(buf + 30) + sim_be16(buf + 32) + 6 +
                     (uint32_t)(len - 34);
        while (s >> 16)
            s = (s & 0xffff) + (s >> 16);
        pseudo = sim_be16(buf + cs + co);
        if (pseudo != s) {
            sim.bad_meta[from]++;
            return PITH_EINVAL;
        }
    }
    sim.gso[from]++;
    ip_id = sim_be16(buf + 18);
    seq = (uint32_t)buf[38] << 24 | (uint32_t)buf[39] << 16 |
          (uint32_t)buf[40] << 8 | buf[41];
    for (off = 0; hl + off < len; off += dlen) {
        uint32_t s, tl;
        dlen = (uint32_t)(len - hl - off) < m->gso_size
                   ? (uint32_t)(len - hl - off)
                   : m->gso_size;
        memcpy(f, buf, hl);
        memcpy(f + hl, buf + hl + off, dlen);
        tl = hl - 14 + dlen;
        sim_put16(f + 16, tl);
        sim_put16(f + 18, ip_id++);
        sim_put16(f + 24, 0);
        sim_put16(f + 24, sim_csum(0, f + 14, 20));
        f[38] = (uint8_t)((seq + off) >> 24);
        f[39] = (uint8_t)((seq + off) >> 16);
        f[40] = (uint8_t)((seq + off) >> 8);
        f[41] = (uint8_t)(seq + off);
        if (hl + off + dlen < len)
            f[47] &= (uint8_t)~0x09; /* FIN, PSH: the last only */
        s = sim_be16(f + 26) + sim_be16(f + 28) + sim_be16(f + 30) +
            sim_be16(f + 32) + 6 + (tl - 20);
        sim_put16(f + 50, 0);
        sim_put16(f + 50, sim_csum(s, f + 34, tl - 20));
        sim.gso_segs[from]++;
        plat_net_write(h, f, hl + dlen);
    }
    return PITH_OK;
}

int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m)
{
    *m = (struct plat_net_meta){0};
    return plat_net_read(h, buf, size, len);
}

/* The earliest frame due for (to), or -1. */
static int sim_first(int to, uint64_t *due)
{
    int best = -1;
    unsigned i;

    for (i = 0; i < sim.nq[to]; i++) {
        struct sim_frame *f = &sim.q[to][i];
        if (best < 0 || f->due < sim.q[to][best].due ||
            (f->due == sim.q[to][best].due && f->order < sim.q[to][best].order))
            best = (int)i;
    }
    if (best >= 0)
        *due = sim.q[to][best].due;
    return best;
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    int to = (int)h, i;
    uint64_t due;

    i = sim_first(to, &due);
    if (i < 0 || due > sim.now)
        return PITH_EAGAIN;
    *len = sim.q[to][i].len < size ? sim.q[to][i].len : size;
    memcpy(buf, sim.q[to][i].data, *len);
    sim.q[to][i] = sim.q[to][--sim.nq[to]];
    return PITH_OK;
}

void plat_yield(uint64_t deadline, plat_handle_set_t *ready)
{
    uint64_t d0 = UINT64_MAX, d1 = UINT64_MAX, next;

    sim_first(0, &d0);
    sim_first(1, &d1);
    next = d0 < d1 ? d0 : d1;
    if (deadline < next)
        next = deadline;
    if (next > sim.now)
        sim.now = next;
    *ready = (plat_handle_set_t)((d0 <= sim.now ? 1u : 0u) |
                                 (d1 <= sim.now ? 2u : 0u));
}

int plat_entropy(uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)sim_rand();
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

/* ---- Stacks and peers ---- */

static struct net na, nb;

static void stacks_up(uint64_t seed)
{
    struct net_config ca = {0x0a000001, 24, 0, 0}, cb = {0x0a000002, 24, 0, 0};

    sim_reset(seed);
    T_CHECK(net_init(&na, "a", &ca) == PITH_OK);
    T_CHECK(net_init(&nb, "b", &cb) == PITH_OK);
}

static void stacks_down(void)
{
    net_close(&na);
    net_close(&nb);
}

/* Byte (i) of the stream named (seed). */
static uint8_t pat(uint32_t seed, uint64_t i)
{
    uint64_t x = (i / 257 + seed) * 0x9e3779b97f4a7c15ull;
    return (uint8_t)((x >> 40) + i);
}

/* One end of a test connection: writes (out) bytes of pattern (oseed),
 * then shuts down; checks what it reads against pattern (iseed); closes
 * once both directions are done. */
struct peer {
    struct tcp_conn *c;
    uint64_t out, sent, in;
    uint32_t oseed, iseed;
    int eof, closed, err, bad, done, paused, nodelay, connected;
    uint64_t keep_idle;
    uint32_t room_first, room_peak; /* buffer room at the first write, most */
    uint32_t rbuf_peak;             /* the receive buffer's largest limit */
};

static struct peer pa[64], pb[64];
static unsigned npa, npb, ndone_goal, ndone;
static struct tcp_listener lis;
static uint64_t pb_out;
static uint32_t pb_seed_base;
static int pb_pause; /* b's peers start paused (not reading) */
static int manual;   /* peers neither write nor close by themselves */

/* With SIMDEBUG set, the state of (c) on stdout, as a comment line. */
static void dump(const char *who, const struct tcp_conn *c)
{
    if (!getenv("SIMDEBUG"))
        return;
    if (!c) {
        printf("# %s: none\n", who);
        return;
    }
    printf("# %s: state %d una %u nxt %u max %u slen %u wnd %u cwnd %u "
           "ssth %u rlen %u rnxt %u radv %u rtx %lld fl %#x nsb %u nooo %u "
           "retries %u now %llu\n",
           who, c->state, c->snd_una - c->iss, c->snd_nxt - c->iss,
           c->snd_max - c->iss, c->slen, c->snd_wnd, c->cc.cwnd, c->cc.ssthresh,
           c->rlen, c->rcv_nxt - c->irs, c->rcv_adv - c->irs,
           c->t_rtx ? (long long)(c->t_rtx - sim.now) : -1LL, c->fl, c->nsb,
           c->nooo, c->retries, (unsigned long long)sim.now);
}

static void peer_fill(struct peer *p)
{
    uint8_t buf[3000];

    if (manual)
        return;
    while (p->c && p->sent < p->out) {
        size_t i, len = sizeof buf;
        long n;
        if (len > p->out - p->sent)
            len = (size_t)(p->out - p->sent);
        for (i = 0; i < len; i++)
            buf[i] = pat(p->oseed, p->sent + i);
        if (!p->room_first)
            p->room_first = (uint32_t)tcp_write_room(p->c);
        n = tcp_write(p->c, buf, len);
        if (p->c->slen + tcp_write_room(p->c) > p->room_peak)
            p->room_peak = p->c->slen + (uint32_t)tcp_write_room(p->c);
        if (n <= 0)
            return;
        p->sent += (uint64_t)n;
    }
    if (p->c && p->sent == p->out)
        tcp_shutdown(p->c);
}

static void peer_drain(struct peer *p)
{
    struct bv v;
    size_t n, i;

    if (p->c && p->c->rbuf_max > p->rbuf_peak)
        p->rbuf_peak = p->c->rbuf_max;
    while (p->c && (n = tcp_peek(p->c, &v)) > 0) {
        const uint8_t *b = bv_ptr(&v, 0, n);
        for (i = 0; i < n; i++)
            if (b[i] != pat(p->iseed, p->in + i))
                p->bad++;
        p->in += n;
        tcp_consume(p->c, n);
    }
}

static void peer_check_done(struct peer *p)
{
    if (!manual && !p->done && p->c && p->eof && p->sent == p->out &&
        !p->paused) {
        p->done = 1;
        tcp_close(p->c);
        p->c = NULL;
        if (++ndone == ndone_goal)
            ev_stop(0);
    }
}

static void peer_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct peer *p = arg;

    (void)c;
    switch (ev) {
    case TCP_EV_CONNECTED:
        p->connected = 1;
        peer_fill(p);
        break;
    case TCP_EV_WRITABLE:
        peer_fill(p);
        break;
    case TCP_EV_READABLE:
        if (!p->paused)
            peer_drain(p);
        break;
    case TCP_EV_EOF:
        p->eof = 1;
        break;
    case TCP_EV_CLOSED:
        p->closed = 1;
        p->err = tcp_error(c);
        if (p->err && getenv("SIMDEBUG")) {
            unsigned i;
            dump("closing", c);
            for (i = 0; i < npa; i++)
                dump("a", pa[i].c);
            for (i = 0; i < npb; i++)
                dump("b", pb[i].c);
        }
        p->c = NULL;
        if (++ndone == ndone_goal)
            ev_stop(0);
        return;
    }
    peer_check_done(p);
}

static void accept_fn(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    struct peer *p = &pb[npb];
    uint32_t la, ra;
    uint16_t lp, rp;
    unsigned i, k = 0;

    (void)l;
    (void)arg;
    /* Which of a's connections this is: by its port. */
    tcp_endpoints(c, &la, &lp, &ra, &rp);
    for (i = 0; i < npa; i++)
        if (pa[i].c && pa[i].c->t.lport == rp)
            k = i;
    memset(p, 0, sizeof *p);
    p->c = c;
    p->out = pb_out;
    p->oseed = pb_seed_base + k;
    p->iseed = 1000 + k;
    p->paused = pb_pause;
    p->connected = 1;
    npb++;
    if (p->keep_idle)
        tcp_keepalive(c, p->keep_idle, NET_SEC_NS, 3);
    tcp_set_cb(c, peer_ev, p);
    peer_fill(p);
}

static struct ev_timer guard;

static void guard_fn(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_stop(-1);
}

/* Runs the loop until ev_stop() or (ns) of fake time: returns 0 when
 * stopped by the test, -1 at the time limit. */
static int run_ns(uint64_t ns)
{
    int rc;

    ev_timer_init(&guard, guard_fn, NULL);
    ev_timer_arm(&guard, sim.now + ns);
    rc = ev_run();
    ev_timer_cancel(&guard);
    return rc;
}

static int run_for(uint64_t secs)
{
    return run_ns(secs * NET_SEC_NS);
}

/* Starts (n) connections a -> b:7 each sending (aout) bytes, b answering
 * with (bout) bytes each. */
static void start_conns(unsigned n, uint64_t aout, uint64_t bout)
{
    unsigned i;

    npa = npb = ndone = 0;
    ndone_goal = 2 * n;
    pb_out = bout;
    pb_seed_base = 2000;
    memset(&lis, 0, sizeof lis);
    T_CHECK(tcp_listen(&lis, &nb, 7, accept_fn, NULL) == PITH_OK);
    for (i = 0; i < n; i++) {
        struct peer *p = &pa[npa++];
        memset(p, 0, sizeof *p);
        p->out = aout;
        p->oseed = 1000 + i;
        p->iseed = 2000 + i;
        T_CHECK(tcp_connect(&na, 0x0a000002, 7, peer_ev, p, &p->c) == PITH_OK);
    }
}

static void stats(struct net *n, struct net_stats *st)
{
    net_stats(n, st);
}

/* Every byte arrived intact both ways on every connection. */
static void check_intact(unsigned n, uint64_t aout, uint64_t bout)
{
    unsigned i;

    T_CHECKF(npb == n, "accepted %u of %u", npb, n);
    for (i = 0; i < npa; i++) {
        T_CHECKF(pa[i].done && pa[i].in == bout && !pa[i].bad,
                 "a%u: done %d in %llu/%llu bad %d err %d", i, pa[i].done,
                 (unsigned long long)pa[i].in, (unsigned long long)bout,
                 pa[i].bad, pa[i].err);
    }
    for (i = 0; i < npb; i++) {
        T_CHECKF(pb[i].done && pb[i].in == aout && !pb[i].bad,
                 "b%u: done %d in %llu/%llu bad %d err %d", i, pb[i].done,
                 (unsigned long long)pb[i].in, (unsigned long long)aout,
                 pb[i].bad, pb[i].err);
    }
}

/* After the closes and 2 MSL, nothing is left on either side. */
static void check_nothing_left(void)
{
    struct net_stats sa, sb;

    run_for(3 * TCP_MSL_NS / NET_SEC_NS + 130);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECKF(sa.tcp.conns == 0 && sa.tcp.mem == 0, "a: conns %llu mem %llu",
             (unsigned long long)sa.tcp.conns, (unsigned long long)sa.tcp.mem);
    T_CHECKF(sb.tcp.conns == 0 && sb.tcp.mem == 0, "b: conns %llu mem %llu",
             (unsigned long long)sb.tcp.conns, (unsigned long long)sb.tcp.mem);
}

/* ---- Tests ---- */

/* RFC 9293: handshake, 1 MiB each way, FIN both ways, TIME_WAIT, gone. */
static void test_transfer_clean(void)
{
    struct net_stats sa, sb;

    stacks_up(1);
    start_conns(1, 1 << 20, 1 << 20);
    T_CHECK(run_for(60) == 0);
    check_intact(1, 1 << 20, 1 << 20);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECKF(sa.tcp.retransmits == 0 && sb.tcp.retransmits == 0,
             "retransmits %llu %llu (timeouts %llu %llu, recoveries %llu "
             "%llu, drops %llu %llu)",
             (unsigned long long)sa.tcp.retransmits,
             (unsigned long long)sb.tcp.retransmits,
             (unsigned long long)sa.tcp.timeouts,
             (unsigned long long)sb.tcp.timeouts,
             (unsigned long long)sa.tcp.fast_recoveries,
             (unsigned long long)sb.tcp.fast_recoveries,
             (unsigned long long)sim.dropped[0],
             (unsigned long long)sim.dropped[1]);
    T_CHECK(sa.tcp.active_opens == 1 && sb.tcp.passive_opens == 1);
    /* Who closed first waits in TIME_WAIT. */
    T_CHECK(sa.tcp.time_wait + sb.tcp.time_wait >= 1);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* 5% loss, 5% reordering, 1% duplication: every byte arrives, by fast
 * recovery (RFC 5681, RFC 6582, SACK) and timeouts. Several seeds. */
static void test_transfer_lossy(void)
{
    uint64_t seed, rtx = 0, fr = 0, to = 0, lost = 0;

    for (seed = 1; seed <= 4; seed++) {
        struct net_stats sa, sb;
        stacks_up(seed);
        sim.loss = 500;
        sim.reorder = 500;
        sim.dup = 100;
        start_conns(2, 512 * 1024, 512 * 1024);
        T_CHECKF(run_for(600) == 0, "seed %llu: not done in time",
                 (unsigned long long)seed);
        check_intact(2, 512 * 1024, 512 * 1024);
        stats(&na, &sa);
        stats(&nb, &sb);
        rtx += sa.tcp.retransmits + sb.tcp.retransmits;
        /* SACK blocks never push a segment past the MTU (RFC 6691). */
        T_CHECKF(sa.ip4.tx_fragments == 0 && sb.ip4.tx_fragments == 0,
                 "fragments sent %llu %llu",
                 (unsigned long long)sa.ip4.tx_fragments,
                 (unsigned long long)sb.ip4.tx_fragments);
        fr += sa.tcp.fast_recoveries + sb.tcp.fast_recoveries;
        to += sa.tcp.timeouts + sb.tcp.timeouts;
        lost += sa.tcp.lost_retransmits + sb.tcp.lost_retransmits;
        check_nothing_left();
        tcp_unlisten(&lis);
        stacks_down();
    }
    T_CHECKF(rtx > 0 && fr > 0, "retransmits %llu fast recoveries %llu",
             (unsigned long long)rtx, (unsigned long long)fr);
    /* Lost retransmissions are found without the timer (RFC 8985's
     * rule), and a timeout is the exception, not one per loss. */
    fprintf(stderr,
            "lossy: recoveries %llu, lost retransmissions %llu, "
            "timeouts %llu\n",
            (unsigned long long)fr, (unsigned long long)lost,
            (unsigned long long)to);
    T_CHECKF(lost > 0 && to * 4 < fr,
             "lost retransmissions %llu, timeouts %llu, recoveries %llu",
             (unsigned long long)lost, (unsigned long long)to,
             (unsigned long long)fr);
}

/*
 * One way, as through tests/tools/impair on a tap: a short path (0.05 ms
 * each way) where a reordered frame is held 1 to 3 ms, many round trips.
 * 5% loss and 5% reordering each way. Loss is found by SACK, the
 * lost-retransmission rule, tail loss probes (new data when there is
 * some) and the recovery probe; the 200 ms timer is for when all of them
 * and their ACKs are lost. (Before those, 16 MiB took 13 to 20 timeouts.)
 * Reordered segments look lost at first; the DSACKs for them undo the
 * congestion window's reductions (16 MiB: 2.2 s of fake time before, 1.4
 * s after).
 */
static void test_bulk_lossy_short_path(void)
{
    uint64_t seed, to = 0, tlp = 0, fr = 0, ns = 0, dsacks = 0, undos = 0;

    for (seed = 1; seed <= 4; seed++) {
        struct net_stats sa;
        uint64_t t0;
        stacks_up(seed);
        sim.loss = 500;
        sim.reorder = 500;
        sim.delay = 50000;
        sim.hold = 1000000;
        sim.hold_span = 2000000;
        t0 = sim.now;
        start_conns(1, 4u << 20, 0);
        T_CHECKF(run_for(600) == 0, "seed %llu: not done in time",
                 (unsigned long long)seed);
        ns += sim.now - t0;
        check_intact(1, 4u << 20, 0);
        stats(&na, &sa);
        to += sa.tcp.timeouts;
        tlp += sa.tcp.tail_probes;
        fr += sa.tcp.fast_recoveries;
        dsacks += sa.tcp.dsacks;
        undos += sa.tcp.undos;
        check_nothing_left();
        tcp_unlisten(&lis);
        stacks_down();
    }
    fprintf(stderr,
            "short path: 16 MiB in %.2f s of fake time, recoveries %llu "
            "(%llu undone on %llu DSACKs), tail probes %llu, timeouts %llu\n",
            (double)ns / 1e9, (unsigned long long)fr, (unsigned long long)undos,
            (unsigned long long)dsacks, (unsigned long long)tlp,
            (unsigned long long)to);
    T_CHECKF(tlp > 0 && to <= 8, "tail probes %llu, timeouts %llu",
             (unsigned long long)tlp, (unsigned long long)to);
    /* Reordering is told from loss: b reports the late originals as
     * duplicates, and a takes back the reductions they caused. */
    T_CHECKF(dsacks > 0 && undos > 0, "DSACKs %llu, undos %llu",
             (unsigned long long)dsacks, (unsigned long long)undos);
}

/*
 * With the devices' checksum and TSO offloads (PLAT_NET_CAP_TSO4): each
 * stack hands segments of up to 64 KiB with partial checksums to its
 * device, which cuts them as Linux's tap does; the other stack verifies
 * every checksum. 1 MiB each way arrives intact, without a retransmission
 * on a clean link, in far fewer writes than segments; on a short lossy,
 * reordering path, recovery (in bytes: one write, many segments lost or
 * SACKed apart) still gets every byte through.
 */
static void test_tso(void)
{
    uint64_t seed;
    struct net_stats sa, sb;

    sim_reset(1);
    stacks_up(1);
    T_CHECK(na.offload == 0); /* offered nothing: nothing on */
    stacks_down();
    sim_reset(1);
    sim.tso[0] = sim.tso[1] = 1;
    {
        struct net_config ca = {0x0a000001, 24, 0, 0},
                          cb = {0x0a000002, 24, 0, 0};
        T_CHECK(net_init(&na, "a", &ca) == PITH_OK);
        T_CHECK(net_init(&nb, "b", &cb) == PITH_OK);
    }
    T_CHECK(na.offload == (PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4));
    start_conns(1, 1 << 20, 1 << 20);
    T_CHECK(run_for(60) == 0);
    check_intact(1, 1 << 20, 1 << 20);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECKF(sa.tcp.retransmits == 0 && sb.tcp.retransmits == 0 &&
                 sa.tcp.rx_checksum == 0 && sb.tcp.rx_checksum == 0,
             "retransmits %llu %llu, bad checksums %llu %llu",
             (unsigned long long)sa.tcp.retransmits,
             (unsigned long long)sb.tcp.retransmits,
             (unsigned long long)sa.tcp.rx_checksum,
             (unsigned long long)sb.tcp.rx_checksum);
    T_CHECKF(
        sim.bad_meta[0] == 0 && sim.bad_meta[1] == 0 && sim.gso[0] > 0 &&
            sim.gso_segs[0] >= 2 * sim.gso[0] && sa.tcp.tx_gso == sim.gso[0] &&
            sa.tcp.tx_gso_segs == sim.gso_segs[0],
        "bad metadata %llu %llu, large frames %llu (%llu counted) cut "
        "into %llu (%llu)",
        (unsigned long long)sim.bad_meta[0],
        (unsigned long long)sim.bad_meta[1], (unsigned long long)sim.gso[0],
        (unsigned long long)sa.tcp.tx_gso, (unsigned long long)sim.gso_segs[0],
        (unsigned long long)sa.tcp.tx_gso_segs);
    T_CHECK(sa.ip4.tx_fragments == 0 && sb.ip4.tx_fragments == 0);
    fprintf(stderr, "tso: 1 MiB in %llu writes of a, %llu frames on the wire\n",
            (unsigned long long)sim.sent[0] - sim.gso_segs[0] + sim.gso[0],
            (unsigned long long)sim.sent[0]);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();

    for (seed = 1; seed <= 3; seed++) {
        struct net_config ca = {0x0a000001, 24, 0, 0},
                          cb = {0x0a000002, 24, 0, 0};
        sim_reset(seed);
        sim.tso[0] = sim.tso[1] = 1;
        sim.loss = 300;
        sim.reorder = 300;
        sim.dup = 100;
        sim.delay = 50000;
        sim.hold = 1000000;
        T_CHECK(net_init(&na, "a", &ca) == PITH_OK);
        T_CHECK(net_init(&nb, "b", &cb) == PITH_OK);
        start_conns(2, 2u << 20, 256 * 1024);
        T_CHECKF(run_for(600) == 0, "seed %llu: not done in time",
                 (unsigned long long)seed);
        check_intact(2, 2u << 20, 256 * 1024);
        stats(&na, &sa);
        T_CHECKF(sim.bad_meta[0] == 0 && sim.bad_meta[1] == 0 &&
                     sim.gso[0] > 0 && sa.tcp.fast_recoveries > 0,
                 "seed %llu: bad metadata %llu %llu, large frames %llu, "
                 "recoveries %llu",
                 (unsigned long long)seed, (unsigned long long)sim.bad_meta[0],
                 (unsigned long long)sim.bad_meta[1],
                 (unsigned long long)sim.gso[0],
                 (unsigned long long)sa.tcp.fast_recoveries);
        check_nothing_left();
        tcp_unlisten(&lis);
        stacks_down();
    }
}

/* 20% loss each way: slow, but intact. */
static void test_transfer_heavy_loss(void)
{
    stacks_up(7);
    sim.loss = 2000;
    start_conns(1, 128 * 1024, 128 * 1024);
    T_CHECK(run_for(3000) == 0);
    check_intact(1, 128 * 1024, 128 * 1024);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* A SYN to a closed port is answered by RST (RFC 9293 3.10.7.1): the
 * connect ends with PITH_EIO at once. */
static void test_refused(void)
{
    struct peer *p = &pa[0];
    struct net_stats sb;

    stacks_up(2);
    npa = npb = ndone = 0;
    ndone_goal = 1;
    memset(p, 0, sizeof *p);
    T_CHECK(tcp_connect(&na, 0x0a000002, 9999, peer_ev, p, &p->c) == PITH_OK);
    T_CHECK(run_for(5) == 0);
    T_CHECK(p->closed && p->err == PITH_EIO);
    stats(&nb, &sb);
    T_CHECK(sb.tcp.rx_no_conn == 1 && sb.tcp.tx_rst == 1);
    check_nothing_left();
    stacks_down();
}

/* No answer at all: the SYN is sent 1 + TCP_SYN_RETRIES times with the
 * timeout doubling (RFC 6298 5.5), then PITH_EAGAIN. */
static void test_syn_timeout(void)
{
    struct peer *p = &pa[0];
    struct net_stats sa;
    uint64_t t0;

    stacks_up(3);
    sim.cut[1] = 1;
    npa = npb = ndone = 0;
    ndone_goal = 1;
    memset(p, 0, sizeof *p);
    t0 = sim.now;
    T_CHECK(tcp_connect(&na, 0x0a000002, 7, peer_ev, p, &p->c) == PITH_OK);
    T_CHECK(run_for(600) == 0);
    T_CHECK(p->closed && p->err == PITH_EAGAIN);
    /* 1 + 2 + ... + 32 s, then 60 s (TCP_RTO_MAX) */
    T_CHECKF(sim.now - t0 >= 123 * NET_SEC_NS &&
                 sim.now - t0 < 124 * NET_SEC_NS,
             "gave up after %llu ms",
             (unsigned long long)((sim.now - t0) / 1000000));
    stats(&na, &sa);
    T_CHECK(sa.tcp.conn_timeouts == 1 && sa.tcp.conns == 0);
    stacks_down();
}

static void set_timeouts(uint64_t ns)
{
    unsigned i;

    for (i = 0; i < npa; i++)
        if (pa[i].c)
            tcp_user_timeout(pa[i].c, ns);
    for (i = 0; i < npb; i++)
        if (pb[i].c)
            tcp_user_timeout(pb[i].c, ns);
}

/* The link dies mid-transfer: both ends give up after the user timeout
 * and keep nothing (no connection, no buffer). */
static void test_vanish(void)
{
    struct net_stats sa, sb;
    uint64_t t0;

    stacks_up(4);
    start_conns(4, 8 << 20, 8 << 20);
    /* Run until data flows, then cut the link both ways. */
    while (pa[0].in < 200000 && sim.now < 2000 * NET_SEC_NS)
        run_ns(1000000);
    set_timeouts(5 * NET_SEC_NS);
    sim.cut[0] = sim.cut[1] = 1;
    t0 = sim.now;
    T_CHECK(run_for(120) == 0);
    T_CHECKF(sim.now - t0 <= 7 * NET_SEC_NS, "gave up after %llu ms",
             (unsigned long long)((sim.now - t0) / 1000000));
    T_CHECK(pa[0].closed && pa[0].err == PITH_EAGAIN);
    T_CHECK(pb[0].closed && pb[0].err == PITH_EAGAIN);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECK(sa.tcp.conns == 0 && sa.tcp.mem == 0);
    T_CHECK(sb.tcp.conns == 0 && sb.tcp.mem == 0);
    T_CHECK(sa.tcp.conn_timeouts == 4 && sb.tcp.conn_timeouts == 4);
    tcp_unlisten(&lis);
    stacks_down();
}

/* A reader that stops: the window closes, the sender probes it (RFC
 * 9293 3.8.6.1) for as long as the reader answers, and the transfer
 * completes when it reads again. */
static void test_zero_window(void)
{
    struct net_stats sa;

    stacks_up(5);
    pb_pause = 1;
    start_conns(1, 1 << 20, 0);
    run_for(300); /* 5 minutes, more than the user timeout (2 min) */
    if (getenv("SIMDEBUG"))
        printf("# a closed %d err %d done %d; b closed %d err %d done %d in "
               "%llu\n",
               pa[0].closed, pa[0].err, pa[0].done, pb[0].closed, pb[0].err,
               pb[0].done, (unsigned long long)pb[0].in);
    dump("a", pa[0].c);
    dump("b", pb[0].c);
    stats(&na, &sa);
    T_CHECKF(sa.tcp.zero_window_probes >= 5, "%llu probes",
             (unsigned long long)sa.tcp.zero_window_probes);
    T_CHECK(pa[0].c && !pa[0].closed && pb[0].c);
    if (!pb[0].c)
        return;
    /* The reader lagged from the start: its buffer never grew, and it
     * is full but for less than a segment (the window moves in units of
     * 2^7 bytes, the scale that allows for 4 MiB). */
    T_CHECKF(pb[0].c->rbuf_max == TCP_RCVBUF_START &&
                 tcp_readable(pb[0].c) > TCP_RCVBUF_START - 1448,
             "readable %zu of %u", tcp_readable(pb[0].c), pb[0].c->rbuf_max);
    pb[0].paused = pb_pause = 0;
    peer_drain(&pb[0]);
    peer_check_done(&pb[0]);
    T_CHECK(run_for(120) == 0);
    check_intact(1, 1 << 20, 0);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* Half-close: a sends a little and shuts down; b keeps sending a lot,
 * and a keeps reading it (RFC 9293 3.6). */
static void test_half_close(void)
{
    stacks_up(6);
    start_conns(1, 1000, 3 << 20);
    T_CHECK(run_for(120) == 0);
    check_intact(1, 1000, 3 << 20);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* A full SYN backlog: SYN cookies (RFC 4987 3.6) complete the others. */
static void test_syn_cookies(void)
{
    struct tcp_limits l;
    struct net_stats sb;

    stacks_up(8);
    tcp_get_limits(&nb, &l);
    l.backlog = 1;
    T_CHECK(tcp_set_limits(&nb, &l) == PITH_OK);
    start_conns(8, 20000, 20000);
    T_CHECK(run_for(60) == 0);
    check_intact(8, 20000, 20000);
    stats(&nb, &sb);
    T_CHECKF(sb.tcp.syn_cookies_sent >= 1 &&
                 sb.tcp.syn_cookies_ok == sb.tcp.syn_cookies_sent,
             "cookies sent %llu ok %llu",
             (unsigned long long)sb.tcp.syn_cookies_sent,
             (unsigned long long)sb.tcp.syn_cookies_ok);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* The connection limit: new connections are refused by RST and counted;
 * those admitted work. */
static void test_conn_limit(void)
{
    struct tcp_limits l;
    struct net_stats sb;
    unsigned i, refused = 0, ok = 0;

    stacks_up(9);
    tcp_get_limits(&nb, &l);
    l.conns = 3;
    T_CHECK(tcp_set_limits(&nb, &l) == PITH_OK);
    start_conns(6, 5000, 5000);
    ndone_goal = 3 + 6; /* 3 refused, 3 pairs */
    T_CHECK(run_for(60) == 0);
    for (i = 0; i < npa; i++) {
        refused += pa[i].closed && pa[i].err == PITH_EIO;
        ok += pa[i].done && pa[i].in == 5000 && !pa[i].bad;
    }
    T_CHECKF(refused == 3 && ok == 3, "refused %u ok %u", refused, ok);
    stats(&nb, &sb);
    T_CHECK(sb.tcp.conn_refused == 3);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* TIME_WAIT is bounded: past the limit the oldest goes, counted. */
static void test_time_wait_bound(void)
{
    struct tcp_limits l;
    struct net_stats sa, sb;

    stacks_up(10);
    tcp_get_limits(&na, &l);
    l.time_wait = 3;
    T_CHECK(tcp_set_limits(&na, &l) == PITH_OK);
    T_CHECK(tcp_set_limits(&nb, &l) == PITH_OK);
    start_conns(12, 3000, 3000);
    T_CHECK(run_for(60) == 0);
    check_intact(12, 3000, 3000);
    run_for(1);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECK(sa.tcp.time_wait <= 3 && sb.tcp.time_wait <= 3);
    T_CHECK(sa.tcp.time_wait_reclaimed + sb.tcp.time_wait_reclaimed >= 9);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* Sends a forged segment on connection (c): to b as if from a (to 1:
 * (c) is a's), or to a as if from b (to 0: (c) is a's, seen reversed):
 * (flags), sequence (seq), acknowledgment (ack), with a timestamp (tsval)
 * when nonzero, and (data). */
static void forge_to(int to, struct tcp_conn *c, uint8_t flags, uint32_t seq,
                     uint32_t ack, uint32_t tsval, const char *data)
{
    static uint8_t buf[NET_HEADROOM + 2048];
    static const uint8_t eth[2][14] = {
        {2, 0, 0, 0, 0, 0xa, 2, 0, 0, 0, 0, 0xb, 8, 0},
        {2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 8, 0}};
    uint32_t src = to ? c->t.laddr : c->t.raddr;
    uint32_t dst = to ? c->t.raddr : c->t.laddr;
    struct tcp_hdr h;
    struct ip4_hdr ih;
    struct bw w = bw_make(buf, sizeof buf, NET_HEADROOM);
    struct bv v;
    uint8_t *e;

    memset(&h, 0, sizeof h);
    h.sport = to ? c->t.lport : c->t.rport;
    h.dport = to ? c->t.rport : c->t.lport;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.win = 1000;
    if (tsval) {
        h.opt.has = TCP_HAS_TS;
        h.opt.ts_val = tsval;
    }
    if (data)
        bw_append(&w, data, strlen(data));
    T_CHECK(tcp_push(&w, &h, src, dst) == PITH_OK);
    memset(&ih, 0, sizeof ih);
    ih.len = (uint16_t)(w.len + 20);
    ih.ttl = 64;
    ih.proto = IP4_PROTO_TCP;
    ih.src = src;
    ih.dst = dst;
    T_CHECK(ip4_push(&w, &ih) == PITH_OK);
    e = bw_push(&w, 14);
    T_CHECK(e != NULL);
    memcpy(e, eth[to], 14);
    v = bw_view(&w);
    sim_enqueue(to, bv_ptr(&v, 0, bv_len(&v)), bv_len(&v), sim.now);
}

static void forge(struct tcp_conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
                  uint32_t tsval, const char *data)
{
    forge_to(1, c, flags, seq, ack, tsval, data);
}

/* RFC 5961: a RST or SYN in the window but not at RCV.NXT draws a
 * challenge ACK and changes nothing; a RST at RCV.NXT resets. Also PAWS
 * (RFC 7323 5): an old timestamp is dropped. */
static void test_rfc5961_and_paws(void)
{
    struct net_stats sb;
    struct tcp_conn *ca, *cb;

    stacks_up(11);
    start_conns(1, 1ull << 40, 0);
    /* In steps of 1 ms: with the receive buffer grown, 1 GiB takes
     * less than a second of the fake clock. */
    while (npb < 1 || pb[0].in < 100000)
        run_ns(NET_SEC_NS / 1000);
    T_CHECK(npb == 1);
    ca = pa[0].c;
    cb = pb[0].c;
    T_CHECK(ca && cb && (cb->fl & TCP_F_TS));
    forge(ca, TCP_RST, cb->rcv_nxt + 1000, 0, 0, NULL);
    forge(ca, TCP_SYN, cb->rcv_nxt + 1000, 0, 0, NULL);
    run_for(1);
    stats(&nb, &sb);
    T_CHECKF(sb.tcp.challenge_acks == 2, "challenge ACKs %llu",
             (unsigned long long)sb.tcp.challenge_acks);
    T_CHECK(pb[0].c && !pb[0].closed);
    forge(ca, TCP_ACK, cb->rcv_nxt, cb->snd_una, cb->ts_recent - 100000,
          "stale");
    run_for(1);
    stats(&nb, &sb);
    T_CHECK(sb.tcp.rx_paws == 1);
    T_CHECK(pb[0].c && !pb[0].closed);
    ndone_goal = ndone + 1;
    forge(ca, TCP_RST, cb->rcv_nxt, 0, 0, NULL);
    T_CHECK(run_for(5) == 0);
    T_CHECK(pb[0].closed && pb[0].err == PITH_EIO);
    stats(&nb, &sb);
    T_CHECK(sb.tcp.conn_resets == 1);
    tcp_abort(pa[0].c);
    pa[0].c = NULL;
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* An ACK whose sequence number is the right edge of the window (the
 * peer filled it and some of its data is still out) acknowledges all the
 * same: RFC 9293's test would refuse it, as pith did, and the sender sat
 * until its retransmission timer (Linux's tcp_sequence() takes it). */
static void test_ack_at_window_edge(void)
{
    struct net_stats sb0, sb1;
    struct tcp_conn *ca, *cb;
    uint32_t edge, ack;

    stacks_up(12);
    start_conns(1, 1ull << 40, 1ull << 40);
    while (pa[0].sent < 100000)
        run_for(1);
    ca = pa[0].c;
    cb = pb[0].c;
    T_CHECK(ca && cb && (cb->fl & TCP_F_TS));
    sim.cut_tcp[0] = 1; /* a's own segments no longer reach b */
    run_ns(1000000);
    T_CHECKF(cb->snd_max != cb->snd_una, "b has nothing out");
    edge = cb->rcv_nxt + (cb->rcv_adv - cb->rcv_nxt);
    ack = cb->snd_max;
    stats(&nb, &sb0);
    forge(ca, TCP_ACK, edge, ack, cb->ts_recent, NULL);
    run_ns(100000);
    stats(&nb, &sb1);
    T_CHECKF(cb->snd_una == ack,
             "b's SND.UNA %u, the ACK %u (unacceptable %llu)", cb->snd_una, ack,
             (unsigned long long)(sb1.tcp.rx_unacceptable -
                                  sb0.tcp.rx_unacceptable));
    tcp_abort(pa[0].c);
    pa[0].c = NULL;
    tcp_abort(pb[0].c);
    pb[0].c = NULL;
    sim.cut_tcp[0] = 0;
    run_for(1);
    tcp_unlisten(&lis);
    stacks_down();
}

/* Data that arrives right behind the ACK completing a passive open,
 * before b has sent anything but its SYN-ACK (as Linux's connect() then
 * write() does), lies in the window the SYN-ACK offered: it is taken at
 * once, not refused until a retransmission. The peer is forged; b's
 * TCP segments are cut so that nothing of b's answers it. */
static size_t hs_got;

static void hs_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bv v;
    size_t n;

    (void)arg;
    if (ev != TCP_EV_READABLE)
        return;
    while ((n = tcp_peek(c, &v)) > 0) {
        hs_got += n;
        tcp_consume(c, n);
    }
}

static void hs_accept(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    (void)l;
    (void)arg;
    pb[0].c = c;
    tcp_set_cb(c, hs_ev, NULL);
}

static void test_data_behind_handshake(void)
{
    struct tcp_conn fake;
    struct net_stats sb;
    uint32_t iss;

    stacks_up(12);
    memset(&lis, 0, sizeof lis);
    memset(pb, 0, sizeof pb);
    T_CHECK(tcp_listen(&lis, &nb, 7, hs_accept, NULL) == PITH_OK);
    memset(&fake, 0, sizeof fake);
    fake.t.laddr = 0x0a000001;
    fake.t.raddr = 0x0a000002;
    fake.t.lport = 40000;
    fake.t.rport = 7;
    sim.cut_tcp[1] = 1;
    hs_got = 0;
    forge(&fake, TCP_SYN, 1000, 0, 0, NULL);
    run_ns(NET_SEC_NS / 1000);
    /* b's SYN-ACK: Ethernet, a 20-byte IPv4 header, then TCP. */
    T_CHECK(sim.last_cut[1][14 + 20 + 13] == (TCP_SYN | TCP_ACK));
    iss = (uint32_t)sim.last_cut[1][38] << 24 |
          (uint32_t)sim.last_cut[1][39] << 16 |
          (uint32_t)sim.last_cut[1][40] << 8 | sim.last_cut[1][41];
    forge(&fake, TCP_ACK, 1001, iss + 1, 0, NULL);
    forge(&fake, TCP_ACK | TCP_PSH, 1001, iss + 1, 0, "hello, world");
    run_ns(NET_SEC_NS / 1000);
    stats(&nb, &sb);
    T_CHECK(pb[0].c != NULL);
    T_CHECKF(hs_got == 12 && sb.tcp.rx_unacceptable == 0,
             "got %zu bytes, %llu segments refused", hs_got,
             (unsigned long long)sb.tcp.rx_unacceptable);
    if (pb[0].c)
        tcp_abort(pb[0].c);
    pb[0].c = NULL;
    tcp_unlisten(&lis);
    stacks_down();
}

/* Sends a an ICMP fragmentation needed (RFC
 * 1191) from b's address with next-hop MTU (mtu), quoting a segment of
 * connection (c) with sequence number (seq). */
static void icmp_needfrag(struct tcp_conn *c, uint32_t seq, uint16_t mtu)
{
    static uint8_t buf[NET_HEADROOM + 256];
    struct bw w = bw_make(buf, sizeof buf, NET_HEADROOM);
    struct ip4_hdr ih;
    struct bv v;
    uint8_t *q, *e;
    uint16_t sum;

    /* The quote: a's IPv4 header, then TCP ports and sequence number. */
    memset(&ih, 0, sizeof ih);
    ih.len = 1500;
    ih.ttl = 64;
    ih.frag = 0x4000;
    ih.proto = IP4_PROTO_TCP;
    ih.src = c->t.laddr;
    ih.dst = c->t.raddr;
    q = bw_put(&w, 8);
    memset(q, 0, 8);
    bw_set_be16(&w, 0, c->t.lport);
    bw_set_be16(&w, 2, c->t.rport);
    bw_set_be32(&w, 4, seq);
    T_CHECK(ip4_push(&w, &ih) == PITH_OK);
    q = bw_push(&w, 8);
    T_CHECK(q != NULL);
    bw_set_u8(&w, 0, 3);
    bw_set_u8(&w, 1, 4);
    bw_set_be16(&w, 2, 0);
    bw_set_be16(&w, 4, 0);
    bw_set_be16(&w, 6, mtu);
    v = bw_view(&w);
    sum = ip4_csum_finish(ip4_csum_add(0, &v));
    bw_set_be16(&w, 2, sum);
    memset(&ih, 0, sizeof ih);
    ih.len = (uint16_t)(w.len + 20);
    ih.ttl = 64;
    ih.proto = IP4_PROTO_ICMP;
    ih.src = c->t.raddr;
    ih.dst = c->t.laddr;
    T_CHECK(ip4_push(&w, &ih) == PITH_OK);
    e = bw_push(&w, 14);
    T_CHECK(e != NULL);
    memcpy(e, (const uint8_t[]){2, 0, 0, 0, 0, 0xa, 2, 0, 0, 0, 0, 0xb, 8, 0},
           14);
    v = bw_view(&w);
    sim_enqueue(0, bv_ptr(&v, 0, bv_len(&v)), bv_len(&v), sim.now);
}

/* Path MTU discovery (RFC 1191): a's segments are too big for the path
 * (the link drops frames over 1000 bytes after the router "says" so);
 * fragmentation needed lowers its MSS and the transfer completes. An
 * ICMP quoting a sequence number not in flight changes nothing (RFC
 * 5927). */
static void test_pmtu(void)
{
    struct net_stats sa;
    struct tcp_conn *c;

    stacks_up(15);
    start_conns(1, 2 << 20, 1000);
    while (!pa[0].c || pa[0].c->state != TCP_ESTABLISHED ||
           pa[0].c->snd_max == pa[0].c->snd_una)
        run_ns(100000);
    c = pa[0].c;
    sim.max_frame[0] = 14 + 1000;
    icmp_needfrag(c, c->snd_una - 5000, 1000); /* not in flight */
    run_ns(100000);
    T_CHECK(c->mss == 1448);
    icmp_needfrag(c, c->snd_una, 1000);
    run_ns(100000);
    T_CHECKF(c->mss == 1000 - 40 - 12, "mss %u", c->mss);
    T_CHECK(run_for(60) == 0);
    check_intact(1, 2 << 20, 1000);
    stats(&na, &sa);
    T_CHECK(sa.tcp.pmtu_updates == 1 && sa.tcp.icmp_ignored == 1);
    T_CHECK(sa.icmp.rx_unreach == 2);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* Simultaneous open (RFC 9293 3.5 figure 8): a's SYN crosses a SYN from
 * the peer; a answers SYN-ACK, and the peer's ACK connects it. */
static void test_simultaneous_open(void)
{
    struct peer *p = &pa[0];
    struct tcp_conn *c;

    stacks_up(16);
    manual = 1;
    npa = npb = ndone = 0;
    ndone_goal = 1;
    memset(p, 0, sizeof *p);
    sim.cut[0] = 1; /* a's SYN is lost on the way */
    T_CHECK(tcp_connect(&na, 0x0a000002, 7000, peer_ev, p, &p->c) == PITH_OK);
    run_ns(1000000);
    c = p->c;
    T_CHECK(c && c->state == TCP_SYN_SENT);
    forge_to(0, c, TCP_SYN, 5000, 0, 0, NULL);
    run_ns(1000000);
    T_CHECK(c->state == TCP_SYN_RECEIVED && !p->connected);
    forge_to(0, c, TCP_ACK, 5001, c->iss + 1, 0, NULL);
    run_ns(1000000);
    T_CHECK(c->state == TCP_ESTABLISHED && p->connected);
    T_CHECK(c->rcv_nxt == 5001 && c->snd_una == c->iss + 1);
    tcp_abort(c);
    p->c = NULL;
    manual = 0;
    stacks_down();
}

/* Simultaneous close (RFC 9293 3.6, figure 13): both FINs cross;
 * each side goes through CLOSING to TIME_WAIT, then all is gone. */
static void test_simultaneous_close(void)
{
    struct tcp_conn *ca, *cb;
    struct net_stats sa, sb;

    stacks_up(17);
    manual = 1;
    start_conns(1, 0, 0);
    while (!pa[0].connected || !npb)
        run_ns(1000000);
    run_ns(1000000);
    ca = pa[0].c;
    cb = pb[0].c;
    T_CHECK(ca->state == TCP_ESTABLISHED && cb->state == TCP_ESTABLISHED);
    tcp_shutdown(ca);
    tcp_shutdown(cb); /* before a's FIN arrives: they cross */
    T_CHECK(ca->state == TCP_FIN_WAIT_1 && cb->state == TCP_FIN_WAIT_1);
    run_ns(700000); /* the FINs arrive: CLOSING */
    T_CHECKF(ca->state == TCP_CLOSING || ca->state == TCP_TIME_WAIT,
             "a in state %d", ca->state);
    run_ns(2000000); /* and their ACKs: TIME_WAIT on both sides */
    T_CHECK(ca->state == TCP_TIME_WAIT && cb->state == TCP_TIME_WAIT);
    stats(&na, &sa);
    stats(&nb, &sb);
    T_CHECK(sa.tcp.time_wait == 1 && sb.tcp.time_wait == 1);
    tcp_close(ca);
    tcp_close(cb);
    pa[0].c = pb[0].c = NULL;
    manual = 0;
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* Nagle (RFC 1122 4.2.3.4): small writes while data is unacknowledged
 * wait and coalesce; with tcp_nodelay() each goes at once. */
static void test_nagle(void)
{
    uint64_t segs[2];
    int nd;

    for (nd = 0; nd < 2; nd++) {
        struct net_stats s0, s1;
        int i;
        stacks_up(12);
        manual = 1;
        start_conns(1, 0, 0);
        while (!pa[0].connected)
            run_for(1);
        run_for(1);
        tcp_nodelay(pa[0].c, nd);
        net_stats(&na, &s0);
        for (i = 0; i < 100; i++)
            T_CHECK(tcp_write(pa[0].c, "0123456789", 10) == 10);
        net_stats(&na, &s1);
        segs[nd] = s1.tcp.tx - s0.tcp.tx;
        tcp_abort(pa[0].c);
        pa[0].c = NULL;
        manual = 0;
        run_for(200);
        tcp_unlisten(&lis);
        stacks_down();
    }
    T_CHECKF(segs[0] == 1 && segs[1] == 100, "nagle %llu nodelay %llu",
             (unsigned long long)segs[0], (unsigned long long)segs[1]);
}

/* Keepalive (RFC 1122 4.2.3.6): an idle connection whose peer is gone
 * is closed after the probes go unanswered. */
static void test_keepalive(void)
{
    struct net_stats sa;
    uint64_t t0;

    stacks_up(13);
    manual = 1;
    start_conns(1, 0, 0);
    while (!pa[0].connected || !npb)
        run_for(1);
    tcp_keepalive(pa[0].c, 10 * NET_SEC_NS, 1 * NET_SEC_NS, 3);
    run_for(60); /* the peer answers: alive */
    T_CHECK(pa[0].c && !pa[0].closed);
    sim.cut[1] = 1;
    t0 = sim.now;
    ndone_goal = ndone + 1;
    T_CHECK(run_for(60) == 0);
    T_CHECK(pa[0].closed && pa[0].err == PITH_EAGAIN);
    T_CHECKF(sim.now - t0 <= 15 * NET_SEC_NS, "after %llu ms",
             (unsigned long long)((sim.now - t0) / 1000000));
    stats(&na, &sa);
    T_CHECK(sa.tcp.keepalive_probes >= 3 + 5);
    tcp_abort(pb[0].c);
    pb[0].c = NULL;
    manual = 0;
    tcp_unlisten(&lis);
    stacks_down();
}

/* The memory limit: a connection whose buffer cannot grow drops data
 * (counted) and the transfer still completes as the reader drains. */
static void test_mem_limit(void)
{
    struct tcp_limits l;
    struct net_stats sb;

    stacks_up(14);
    tcp_get_limits(&nb, &l);
    l.mem = 64 * 1024;
    T_CHECK(tcp_set_limits(&nb, &l) == PITH_OK);
    start_conns(3, 300000, 0);
    T_CHECK(run_for(600) == 0);
    check_intact(3, 300000, 0);
    stats(&nb, &sb);
    T_CHECK(sb.tcp.mem <= 64 * 1024);
    check_nothing_left();
    tcp_unlisten(&lis);
    stacks_down();
}

/* The send buffer starts at TCP_SNDBUF_START and grows with the
 * congestion window, up to the limit; the receive buffer starts at
 * TCP_RCVBUF_START and grows while the sender fills it each round trip
 * and its reader keeps up (test_zero_window has one that lags); a
 * smaller limit holds from the start. */
static void test_buf_autotune(void)
{
    static const uint32_t caps[] = {TCP_DEFAULT_SNDBUF, 512 * 1024, 64 * 1024};
    struct tcp_limits l;
    unsigned i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        stacks_up(15);
        tcp_get_limits(&na, &l);
        l.sndbuf = caps[i];
        T_CHECK(tcp_set_limits(&na, &l) == PITH_OK);
        tcp_get_limits(&nb, &l);
        l.rcvbuf = caps[i];
        T_CHECK(tcp_set_limits(&nb, &l) == PITH_OK);
        start_conns(1, 32 << 20, 0);
        T_CHECK(run_for(120) == 0);
        T_CHECK(pa[0].room_first ==
                (caps[i] < TCP_SNDBUF_START ? caps[i] : TCP_SNDBUF_START));
        check_intact(1, 32 << 20, 0);
        if (caps[i] > TCP_SNDBUF_START)
            T_CHECKF(pa[0].room_peak > TCP_SNDBUF_START &&
                         pa[0].room_peak <= caps[i],
                     "limit %u: peak %u", caps[i], pa[0].room_peak);
        else
            T_CHECK(pa[0].room_peak == caps[i]);
        if (caps[i] > TCP_RCVBUF_START)
            T_CHECKF(pb[0].rbuf_peak > TCP_RCVBUF_START &&
                         pb[0].rbuf_peak <= caps[i],
                     "limit %u: receive buffer %u", caps[i], pb[0].rbuf_peak);
        else
            T_CHECK(pb[0].rbuf_peak == caps[i]);
        check_nothing_left();
        tcp_unlisten(&lis);
        stacks_down();
    }
}

/* CUBIC's integer cube root. */
static void test_cbrt(void)
{
    uint64_t x;

    T_CHECK(tcp_cbrt(0) == 0 && tcp_cbrt(1) == 1 && tcp_cbrt(7) == 1 &&
            tcp_cbrt(8) == 2 && tcp_cbrt(26) == 2 && tcp_cbrt(27) == 3);
    T_CHECK(tcp_cbrt(UINT64_MAX) == 2642245);
    for (x = 1; x <= 2642245; x += 977) {
        uint64_t c = tcp_cbrt(x * x * x), d = tcp_cbrt(x * x * x - 1);
        T_CHECKF(c == x && d == x - 1, "cbrt(%llu^3) = %llu",
                 (unsigned long long)x, (unsigned long long)c);
    }
}

int main(void)
{
    T_RUN(test_cbrt);
    T_RUN(test_transfer_clean);
    T_RUN(test_transfer_lossy);
    T_RUN(test_bulk_lossy_short_path);
    T_RUN(test_transfer_heavy_loss);
    T_RUN(test_tso);
    T_RUN(test_refused);
    T_RUN(test_syn_timeout);
    T_RUN(test_vanish);
    T_RUN(test_zero_window);
    T_RUN(test_half_close);
    T_RUN(test_syn_cookies);
    T_RUN(test_conn_limit);
    T_RUN(test_time_wait_bound);
    T_RUN(test_rfc5961_and_paws);
    T_RUN(test_data_behind_handshake);
    T_RUN(test_ack_at_window_edge);
    T_RUN(test_pmtu);
    T_RUN(test_simultaneous_open);
    T_RUN(test_simultaneous_close);
    T_RUN(test_nagle);
    T_RUN(test_keepalive);
    T_RUN(test_mem_limit);
    T_RUN(test_buf_autotune);
    free(sim.q[0]);
    free(sim.q[1]);
    return t_done();
}
