/*
 * tlsecho: a TLS echo server on TCP port 4433 (svc/tls, <tls/tls.h>):
 * what a client sends inside TLS comes back to it inside TLS. For
 * tests/e2e/tls.sh, and as the smallest example of putting svc/tls
 * between TCP and an application.
 *
 *     pith run tlsecho.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *
 * Its certificates are the files of certs/ baked into the image, by
 * tls_server_add_dir()'s convention (NAMES.crt and NAMES.key). No key is
 * committed: the test makes a throwaway PKI (tests/tools/tlscerts.sh)
 * in a copy of this folder before it builds.
 *
 * Options after the network's: --default=NAME names the certificate for
 * clients that name none served (else the first); --cache=SESSIONS sizes
 * the session cache (1024); --handshake-timeout=SECONDS gives up a
 * connection whose handshake has not completed (10); --quiet drops the
 * line per connection; --stats prints the TCP and TLS counters every
 * 10 s, or every --stats-every=SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/tcp.h>
#include <tls/tls.h>

#define PORT 4433

static struct net net;
static struct tcp_listener listener;
static struct tls_server tls;
static uint64_t hs_timeout_ns = 10 * NET_SEC_NS;
static int quiet;
static uint64_t stats_every_ns = 10 * NET_SEC_NS;

/* One connection: TCP's, TLS's, and TLS's buffer. */
struct echo {
    struct tcp_conn *tcp;
    struct ev_timer timer; /* the handshake's deadline */
    char peer[NET_IP4_STRLEN];
    uint8_t eof;       /* TCP brought the peer's FIN */
    uint8_t announced; /* the handshake line was printed */
    struct tls_conn tls;
    unsigned char buf[TLS_CONN_BUFSIZE];
};

static void announce(struct echo *e)
{
    struct tls_conn_info in;

    e->announced = 1;
    ev_timer_cancel(&e->timer);
    if (quiet)
        return;
    tls_conn_info(&e->tls, &in);
    printf("tlsecho: %s: %s name=%s cert=%d %s %s\n", e->peer,
           in.resumed ? "resumed" : "handshake",
           in.server_name[0] ? in.server_name : "-", in.cert,
           tls_suite_name(in.suite),
           in.resumed ? "-" : tls_curve_name(in.curve));
}

/* The end: says how, frees (e); TCP is closed by the caller or gone. */
static void finish(struct echo *e, const char *how)
{
    int err = tls_conn_error(&e->tls);

    if (!quiet)
        printf("tlsecho: %s: closed%s%s%s\n", e->peer, how, err ? ": " : "",
               err ? tls_strerror(err) : "");
    ev_timer_cancel(&e->timer);
    tls_conn_release(&e->tls);
    free(e);
}

/*
 * Moves bytes until nothing moves: records to TCP, TCP to records, and
 * the echo itself, plaintext in to plaintext out (as far as the records
 * drain: a client that does not read stops being read).
 */
static void pump(struct echo *e)
{
    struct tcp_conn *c = e->tcp;
    struct bv v;
    size_t n;
    int more = 1;

    while (more) {
        more = 0;
        while ((n = tls_conn_out(&e->tls, &v)) > 0) {
            long w = tcp_write(c, bv_ptr(&v, 0, n), n);
            if (w <= 0)
                break; /* TCP_EV_WRITABLE comes */
            tls_conn_out_ack(&e->tls, (size_t)w);
            more = 1;
        }
        while ((n = tcp_peek(c, &v)) > 0) {
            n = tls_conn_feed(&e->tls, bv_ptr(&v, 0, n), n);
            if (!n)
                break;
            tcp_consume(c, n);
            more = 1;
        }
        while ((n = tls_conn_peek(&e->tls, &v)) > 0) {
            long w = tls_conn_write(&e->tls, bv_ptr(&v, 0, n), n);
            if (w <= 0)
                break;
            tls_conn_consume(&e->tls, (size_t)w);
            more = 1;
        }
        tls_conn_flush(&e->tls);
    }
    if (!e->announced && tls_conn_ready(&e->tls))
        announce(e);
    if (e->eof && !tcp_readable(c))
        tls_conn_eof(&e->tls);
    if (tls_conn_done(&e->tls)) {
        tcp_set_cb(c, NULL, NULL);
        tcp_close(c); /* what TLS sent last still goes out, then FIN */
        finish(e, "");
    }
}

static void on_event(struct tcp_conn *c, int ev, void *arg)
{
    struct echo *e = arg;

    (void)c;
    if (ev == TCP_EV_CLOSED) {
        finish(e, " by TCP");
        return;
    }
    if (ev == TCP_EV_EOF)
        e->eof = 1;
    pump(e);
}

static void on_timeout(struct ev_timer *t, void *arg)
{
    struct echo *e = arg;

    (void)t;
    tcp_set_cb(e->tcp, NULL, NULL);
    tcp_abort(e->tcp);
    finish(e, ": handshake timeout");
}

static void on_accept(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    struct echo *e = malloc(sizeof *e);
    uint32_t raddr;
    uint16_t lport, rport;
    uint32_t laddr;
    int rc;

    (void)l;
    (void)arg;
    if (!e) {
        tcp_abort(c);
        return;
    }
    e->tcp = c;
    e->eof = 0;
    e->announced = 0;
    tcp_endpoints(c, &laddr, &lport, &raddr, &rport);
    net_ip4_format(raddr, e->peer);
    rc = tls_conn_init(&e->tls, &tls, e->buf, sizeof e->buf);
    if (rc < 0) {
        printf("tlsecho: %s: %s\n", e->peer, pith_strerror(rc));
        free(e);
        tcp_abort(c);
        return;
    }
    ev_timer_init(&e->timer, on_timeout, e);
    ev_timer_arm(&e->timer, ev_now() + hs_timeout_ns);
    tcp_nodelay(c, 1);
    tcp_set_cb(c, on_event, e);
}

static struct ev_timer stats_timer;

static void print_stats(struct ev_timer *t, void *arg)
{
    struct tls_stats st;
    struct net_stats ns;

    (void)arg;
    net_stats(&net, &ns);
    printf("tlsecho: tcp conns=%llu rx=%llu tx=%llu retransmits=%llu "
           "timeouts=%llu rx_unacceptable=%llu rx_paws=%llu "
           "rx_mem_drops=%llu\n",
           (unsigned long long)ns.tcp.conns, (unsigned long long)ns.tcp.rx,
           (unsigned long long)ns.tcp.tx,
           (unsigned long long)ns.tcp.retransmits,
           (unsigned long long)ns.tcp.timeouts,
           (unsigned long long)ns.tcp.rx_unacceptable,
           (unsigned long long)ns.tcp.rx_paws,
           (unsigned long long)ns.tcp.rx_mem_drops);
    tls_server_stats(&tls, &st);
    printf("tlsecho: tls handshakes=%llu resumed=%llu failed=%llu errors=%llu "
           "sni_unknown=%llu resume_other=%llu resume_refused=%llu\n",
           (unsigned long long)st.handshakes, (unsigned long long)st.resumed,
           (unsigned long long)st.failed, (unsigned long long)st.errors,
           (unsigned long long)st.sni_unknown,
           (unsigned long long)st.resume_other,
           (unsigned long long)st.resume_refused);
    ev_timer_arm(t, ev_now() + stats_every_ns);
}

/* Our options; returns 0, or prints why not and returns -1. */
static int parse_opts(int argc, char **argv, const char **dflt,
                      unsigned long *cache, int *stats)
{
    char *end;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--default=", 10) == 0) {
            *dflt = a + 10;
        } else if (strncmp(a, "--cache=", 8) == 0) {
            *cache = strtoul(a + 8, &end, 10);
            if (*end || a[8] == '\0' || *cache > 1000000) {
                printf("tlsecho: %s: expected sessions, 0..1000000\n", a);
                return -1;
            }
        } else if (strncmp(a, "--handshake-timeout=", 20) == 0) {
            unsigned long s = strtoul(a + 20, &end, 10);
            if (*end || !s || s > 3600) {
                printf("tlsecho: %s: expected seconds, 1..3600\n", a);
                return -1;
            }
            hs_timeout_ns = (uint64_t)s * NET_SEC_NS;
        } else if (strncmp(a, "--stats-every=", 14) == 0) {
            unsigned long s = strtoul(a + 14, &end, 10);
            if (*end || !s || s > 86400) {
                printf("tlsecho: %s: expected seconds, 1..86400\n", a);
                return -1;
            }
            stats_every_ns = (uint64_t)s * NET_SEC_NS;
            *stats = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--stats") == 0) {
            *stats = 1;
        }
    }
    return 0;
}

int app_main(int argc, char **argv)
{
    struct net_config c;
    struct tls_impl im;
    struct tls_cert_info ci;
    char err[256], addr[NET_IP4_STRLEN];
    const char *dflt = NULL;
    unsigned long cache = 1024;
    unsigned i;
    int rc, stats = 0;

    if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
        printf("tlsecho: %s\n", err);
        return 2;
    }
    if (parse_opts(argc, argv, &dflt, &cache, &stats) < 0)
        return 2;
    if (!c.addr) {
        printf("tlsecho: expected --ipv4=ADDR/PREFIX\n");
        return 2;
    }
    rc = tls_server_init(&tls, cache);
    if (rc < 0) {
        printf("tlsecho: cannot set up TLS: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = tls_server_add_dir(&tls, "certs", dflt, err, sizeof err);
    if (rc <= 0) {
        printf("tlsecho: %s\n", rc < 0 ? err : "no certificate in certs/");
        return 1;
    }
    tls_server_impl(&tls, &im);
    printf("tlsecho: aes-gcm %s+%s, chacha20-poly1305 %s+%s\n", im.aes,
           im.ghash, im.chacha20, im.poly1305);
    for (i = 0; tls_server_cert(&tls, i, &ci) == PITH_OK; i++)
        printf("tlsecho: certificate %u: %s (%s %u, chain of %zu)%s\n", i,
               ci.names, ci.key_type == BR_KEYTYPE_EC ? "ecdsa" : "rsa",
               ci.key_bits, ci.chain_len, ci.is_default ? " default" : "");
    rc = net_init(&net, "service", &c);
    if (rc < 0) {
        printf("tlsecho: cannot start the network: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = tcp_listen(&listener, &net, PORT, on_accept, NULL);
    if (rc < 0) {
        printf("tlsecho: cannot listen: %s\n", pith_strerror(rc));
        return 1;
    }
    if (stats) {
        ev_timer_init(&stats_timer, print_stats, NULL);
        ev_timer_arm(&stats_timer, ev_now() + stats_every_ns);
    }
    printf("tlsecho: listening on %s port %d\n", net_ip4_format(c.addr, addr),
           PORT);
    return ev_run();
}
