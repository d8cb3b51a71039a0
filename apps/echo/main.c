/*
 * echo: the echo service (RFC 862) over UDP and TCP on port 7, the
 * discard service (RFC 863) over TCP on port 9, and a bulk sender over
 * TCP on port 19 (in the spirit of chargen, RFC 864): each connection
 * gets --bulk bytes of a fixed pattern, then FIN. The stack answers ARP
 * and ping by itself. Without --ipv4 it takes its address from DHCP and
 * says so once it has a lease.
 *
 *     pith run echo.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *     pith run echo.spt --net:service=tap0
 *
 * Options after the network's: --tcp-timeout=SECONDS gives up a
 * connection whose data stays unacknowledged, or whose peer stays silent
 * (keepalive), that long (default 120); --bulk=BYTES (default 1 GiB);
 * --nodelay turns Nagle off; --stats prints the TCP counters and the
 * drop counters of every layer ("echo: tcp ..." and "echo: drops ...")
 * every 10 s, or every --stats-every=SECONDS or --stats-every-ms=MS.
 *
 * The bulk pattern: byte i of a connection is (i + i / 65521) mod 256,
 * so that a peer can check what it got without a copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/tcp.h>
#include <pith/udp.h>

#define ECHO_PORT    7
#define DISCARD_PORT 9
#define BULK_PORT    19

static struct net net;
static struct udp_sock sock;
static struct tcp_listener echo_l, discard_l, bulk_l;
static uint64_t timeout_ns = TCP_USER_TIMEOUT_NS;
static uint64_t bulk_bytes = 1ull << 30;
static int nodelay;
static uint64_t stats_every_ns = 10 * NET_SEC_NS;

static void echo(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);

    (void)arg;
    /* Sent from our address even when it came to a broadcast. */
    udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len);
}

/* TCP echo: what comes in goes out, as far as the send buffer takes it;
 * the rest waits (and so does the peer: its window closes). */
static void tcp_echo_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bv v;
    long n;

    if (ev == TCP_EV_EOF)
        tcp_set_cb(c, tcp_echo_ev, arg = (void *)1); /* (arg): EOF seen */
    if (ev == TCP_EV_CLOSED)
        return;
    while (tcp_peek(c, &v) > 0) {
        n = tcp_write(c, bv_ptr(&v, 0, bv_len(&v)), bv_len(&v));
        if (n <= 0)
            break;
        tcp_consume(c, (size_t)n);
    }
    /* The peer finished and all it sent went back: finish too. */
    if (arg && !tcp_readable(c))
        tcp_close(c);
}

static void tcp_discard_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bv v;
    size_t n;

    (void)arg;
    if (ev == TCP_EV_READABLE)
        while ((n = tcp_peek(c, &v)) > 0)
            tcp_consume(c, n);
    else if (ev == TCP_EV_EOF)
        tcp_close(c);
}

/* The bulk sender: one of these per connection, freed with it. */
struct bulk {
    uint64_t sent;
};

/* The pattern's period of shifts, and pat[i] = i mod 256: any run of
 * the pattern within one period is a slice of it (as the Linux peer of
 * bench/tcp writes it, so that neither spends its time making bytes).
 * Written 4 KiB at a time, as the bytes were computed before: 64 KiB
 * writes, each sent at once while nothing is in flight and in bursts of
 * 45 frames on virtio, made a virtio transmit stall under TCG (frames the
 * driver took never reached the tap) show in 5 of 20 runs of tcp.sh's
 * bulk check, against 0 of 20 with 4 KiB (1 of 24 before the offloads,
 * when each byte was computed). */
#define BULK_BLOCK 65521
#define BULK_CHUNK 4096
static uint8_t bulk_pat[BULK_CHUNK + 256];

static void bulk_fill(struct tcp_conn *c, struct bulk *b)
{
    long n;

    if (!bulk_pat[1]) {
        size_t i;
        for (i = 0; i < sizeof bulk_pat; i++)
            bulk_pat[i] = (uint8_t)i;
    }
    /* Until tcp_write() takes less than offered: only a short write
     * promises TCP_EV_WRITABLE, so stopping when tcp_write_room() is
     * exactly 0 would wait for an event that never comes. */
    while (b->sent < bulk_bytes) {
        uint64_t in_block = BULK_BLOCK - b->sent % BULK_BLOCK;
        size_t start = (size_t)((b->sent + b->sent / BULK_BLOCK) & 255);
        size_t len = BULK_CHUNK;
        if (len > in_block)
            len = (size_t)in_block;
        if (len > bulk_bytes - b->sent)
            len = (size_t)(bulk_bytes - b->sent);
        n = tcp_write(c, bulk_pat + start, len);
        if (n > 0)
            b->sent += (uint64_t)n;
        if (n < (long)len)
            return;
    }
    if (b->sent == bulk_bytes)
        tcp_shutdown(c);
}

static void tcp_bulk_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bulk *b = arg;
    struct bv v;
    size_t n;

    switch (ev) {
    case TCP_EV_WRITABLE:
        bulk_fill(c, b);
        break;
    case TCP_EV_READABLE:
        while ((n = tcp_peek(c, &v)) > 0)
            tcp_consume(c, n);
        break;
    case TCP_EV_EOF:
        free(b);
        tcp_set_cb(c, NULL, NULL);
        tcp_close(c);
        break;
    case TCP_EV_CLOSED:
        free(b);
        break;
    default:
        break;
    }
}

static void setup(struct tcp_conn *c)
{
    tcp_user_timeout(c, timeout_ns);
    tcp_keepalive(c, timeout_ns / 2, timeout_ns / 8, 4);
    tcp_nodelay(c, nodelay);
}

static void accept_echo(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    (void)l;
    (void)arg;
    setup(c);
    tcp_set_cb(c, tcp_echo_ev, NULL);
}

static void accept_discard(struct tcp_listener *l, struct tcp_conn *c,
                           void *arg)
{
    (void)l;
    (void)arg;
    setup(c);
    tcp_set_cb(c, tcp_discard_ev, NULL);
}

static void accept_bulk(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    struct bulk *b = calloc(1, sizeof *b);

    (void)l;
    (void)arg;
    if (!b) {
        tcp_abort(c);
        return;
    }
    setup(c);
    tcp_set_cb(c, tcp_bulk_ev, b);
    bulk_fill(c, b);
}

/* DHCP: the address came, changed or went. */
static void addr_changed(struct net *n, void *arg)
{
    char addr[NET_IP4_STRLEN];

    (void)arg;
    if (net_addr(n))
        printf("echo: listening on %s\n", net_ip4_format(net_addr(n), addr));
    else
        printf("echo: lease lost, asking DHCP again\n");
}

static struct ev_timer stats_timer;

static void print_stats(void)
{
    struct net_stats st;

    net_stats(&net, &st);
    printf("echo: tcp conns=%llu established=%llu time_wait=%llu mem=%llu "
           "rx=%llu tx=%llu retransmits=%llu timeouts=%llu "
           "fast_recoveries=%llu lost_retransmits=%llu tail_probes=%llu "
           "dsacks=%llu undos=%llu "
           "conn_timeouts=%llu "
           "resets=%llu "
           "refused=%llu cookies=%llu/%llu "
           "gso=%llu/%llu rx_gso=%llu\n",
           (unsigned long long)st.tcp.conns,
           (unsigned long long)st.tcp.established,
           (unsigned long long)st.tcp.time_wait, (unsigned long long)st.tcp.mem,
           (unsigned long long)st.tcp.rx, (unsigned long long)st.tcp.tx,
           (unsigned long long)st.tcp.retransmits,
           (unsigned long long)st.tcp.timeouts,
           (unsigned long long)st.tcp.fast_recoveries,
           (unsigned long long)st.tcp.lost_retransmits,
           (unsigned long long)st.tcp.tail_probes,
           (unsigned long long)st.tcp.dsacks, (unsigned long long)st.tcp.undos,
           (unsigned long long)st.tcp.conn_timeouts,
           (unsigned long long)st.tcp.conn_resets,
           (unsigned long long)st.tcp.conn_refused,
           (unsigned long long)st.tcp.syn_cookies_ok,
           (unsigned long long)st.tcp.syn_cookies_sent,
           (unsigned long long)st.tcp.tx_gso,
           (unsigned long long)st.tcp.tx_gso_segs,
           (unsigned long long)st.eth.rx_gso);
    /* Frames through the device, and those it refused (queue full). */
    printf("echo: eth rx=%llu tx=%llu tx_drop=%llu\n",
           (unsigned long long)st.eth.rx_frames,
           (unsigned long long)st.eth.tx_frames,
           (unsigned long long)st.eth.tx_drop);
    /* Why input was refused, layer by layer (struct net_stats): what a
     * test of malformed frames reads back. */
    printf("echo: drops eth_short=%llu eth_ethertype=%llu arp_bad=%llu "
           "ip_bad_header=%llu ip_bad_length=%llu ip_bad_checksum=%llu "
           "ip_bad_src=%llu ip_proto=%llu ip_fragments=%llu reasm_ok=%llu "
           "reasm_overlaps=%llu reasm_bad=%llu icmp_bad=%llu "
           "icmp_echo_requests=%llu udp_bad=%llu udp_checksum=%llu "
           "tcp_bad=%llu tcp_checksum=%llu tcp_no_conn=%llu "
           "tcp_unacceptable=%llu tcp_challenge_acks=%llu tcp_rx_rst=%llu\n",
           (unsigned long long)st.eth.rx_short,
           (unsigned long long)st.eth.rx_ethertype,
           (unsigned long long)st.arp.rx_bad,
           (unsigned long long)st.ip4.rx_bad_header,
           (unsigned long long)st.ip4.rx_bad_length,
           (unsigned long long)st.ip4.rx_bad_checksum,
           (unsigned long long)st.ip4.rx_bad_src,
           (unsigned long long)st.ip4.rx_proto,
           (unsigned long long)st.ip4.rx_fragments,
           (unsigned long long)st.ip4.reasm_ok,
           (unsigned long long)st.ip4.reasm_overlaps,
           (unsigned long long)st.ip4.reasm_bad,
           (unsigned long long)st.icmp.rx_bad,
           (unsigned long long)st.icmp.echo_requests,
           (unsigned long long)st.udp.rx_bad,
           (unsigned long long)st.udp.rx_checksum,
           (unsigned long long)st.tcp.rx_bad,
           (unsigned long long)st.tcp.rx_checksum,
           (unsigned long long)st.tcp.rx_no_conn,
           (unsigned long long)st.tcp.rx_unacceptable,
           (unsigned long long)st.tcp.challenge_acks,
           (unsigned long long)st.tcp.rx_rst);
}

static void stats_tick(struct ev_timer *t, void *arg)
{
    (void)arg;
    print_stats();
    ev_timer_arm(t, ev_now() + stats_every_ns);
}

/* Our own options: returns 0, or prints why not and returns -1. */
static int parse_opts(int argc, char **argv, int *stats)
{
    int i;
    char *end;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--tcp-timeout=", 14) == 0) {
            unsigned long s = strtoul(a + 14, &end, 10);
            if (*end || !s || s > 86400) {
                printf("echo: %s: expected seconds, 1..86400\n", a);
                return -1;
            }
            timeout_ns = (uint64_t)s * NET_SEC_NS;
        } else if (strncmp(a, "--bulk=", 7) == 0) {
            unsigned long long b = strtoull(a + 7, &end, 10);
            if (*end || a[7] == '\0') {
                printf("echo: %s: expected a number of bytes\n", a);
                return -1;
            }
            bulk_bytes = b;
        } else if (strncmp(a, "--stats-every-ms=", 17) == 0) {
            unsigned long ms = strtoul(a + 17, &end, 10);
            if (*end || !ms || ms > 86400000) {
                printf("echo: %s: expected milliseconds, 1..86400000\n", a);
                return -1;
            }
            stats_every_ns = (uint64_t)ms * (NET_SEC_NS / 1000);
        } else if (strncmp(a, "--stats-every=", 14) == 0) {
            unsigned long s = strtoul(a + 14, &end, 10);
            if (*end || !s || s > 86400) {
                printf("echo: %s: expected seconds, 1..86400\n", a);
                return -1;
            }
            stats_every_ns = (uint64_t)s * NET_SEC_NS;
        } else if (strcmp(a, "--nodelay") == 0) {
            nodelay = 1;
        } else if (strcmp(a, "--stats") == 0) {
            *stats = 1;
        }
    }
    return 0;
}

int app_main(int argc, char **argv)
{
    struct net_config c;
    char err[128], addr[NET_IP4_STRLEN];
    int rc, stats = 0;

    if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
        printf("echo: %s\n", err);
        return 2;
    }
    if (parse_opts(argc, argv, &stats) < 0)
        return 2;
    rc = net_init(&net, "service", &c);
    if (rc < 0) {
        printf("echo: cannot start the network: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = udp_bind(&sock, &net, ECHO_PORT, echo, NULL);
    if (rc == PITH_OK)
        rc = tcp_listen(&echo_l, &net, ECHO_PORT, accept_echo, NULL);
    if (rc == PITH_OK)
        rc = tcp_listen(&discard_l, &net, DISCARD_PORT, accept_discard, NULL);
    if (rc == PITH_OK)
        rc = tcp_listen(&bulk_l, &net, BULK_PORT, accept_bulk, NULL);
    if (rc < 0) {
        printf("echo: cannot listen: %s\n", pith_strerror(rc));
        return 1;
    }
    if (stats) {
        ev_timer_init(&stats_timer, stats_tick, NULL);
        ev_timer_arm(&stats_timer, ev_now() + stats_every_ns);
    }
    if (c.addr)
        printf("echo: listening on %s\n", net_ip4_format(c.addr, addr));
    else
        net_on_addr(&net, addr_changed, NULL);
    rc = ev_run();
    if (net_error(&net) < 0) {
        printf("echo: network device failed: %s\n",
               pith_strerror(net_error(&net)));
        return 1;
    }
    return rc;
}
