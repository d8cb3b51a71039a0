/*
 * dns-primary: an authoritative DNS server. Serves the zones baked into
 * the image from its folder's zones/ (ORIGIN.zone each) on UDP and TCP
 * port 53 (RFC 1035 4.2, RFC 7766: several queries per connection, each
 * with its two-byte length, answered in order; idle connections closed
 * after DNS_TCP_IDLE_NS).
 *
 *     pith run dns-primary.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *     dig @10.0.0.2 example.com
 *
 * --stats prints the heap once the zones are loaded, then the heap and
 * the counters every 10 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/alloc.h>
#include <pith/ev.h>
#include <pith/files.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/tcp.h>
#include <pith/udp.h>

#include <dns/auth.h>

#define DNS_PORT        53
#define DNS_TCP_IDLE_NS (30 * NET_SEC_NS)

static struct net net;
static struct udp_sock udp;
static struct tcp_listener tcp_l;
static struct dns_auth auth;
static struct dns_zone zones[DNS_AUTH_ZONES_MAX];
/* Answers are built here, with room for TCP's length in front. */
static uint8_t resp[2 + DNS_MSG_MAX];

static void on_udp(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len;

    (void)arg;
    if (d->dst != net_addr(&net))
        return; /* no answers to broadcasts */
    len = dns_auth_answer(&auth, &d->data, 0, resp + 2, sizeof resp - 2);
    if (len)
        udp_sendto(s, d->src, d->sport, resp + 2, len);
}

/* A TCP client: the message being received (its length first). */
struct client {
    struct tcp_conn *c;
    struct ev_timer idle;
    uint16_t want; /* the current message's length, once known */
    uint8_t have_len;
    uint8_t done; /* the peer finished: close once answered */
    uint32_t got;
    uint8_t msg[DNS_MSG_MAX];
};

static void client_free(struct client *cl)
{
    ev_timer_cancel(&cl->idle);
    free(cl);
}

static void client_idle(struct ev_timer *t, void *arg)
{
    struct client *cl = arg;

    (void)t;
    tcp_close(cl->c); /* RFC 7766 6.2.3: the server may close idle ones */
    client_free(cl);
}

/* Answers the complete messages buffered, as far as the send buffer has
 * room for their answers (the rest waits for TCP_EV_WRITABLE). */
static void client_serve(struct client *cl)
{
    struct bv v;
    size_t n;

    for (;;) {
        if (!cl->have_len) {
            uint8_t b[2];
            if (tcp_readable(cl->c) < 2)
                break;
            tcp_read(cl->c, b, 2);
            cl->want = (uint16_t)(b[0] << 8 | b[1]);
            cl->have_len = 1;
            cl->got = 0;
        }
        while (cl->got < cl->want && (n = tcp_peek(cl->c, &v)) > 0) {
            if (n > cl->want - cl->got)
                n = cl->want - cl->got;
            memcpy(cl->msg + cl->got, bv_ptr(&v, 0, n), n);
            cl->got += (uint32_t)n;
            tcp_consume(cl->c, n);
        }
        if (cl->got < cl->want)
            break;
        /* The longest answer must fit before we take the query. */
        if (tcp_write_room(cl->c) < sizeof resp)
            break;
        v = bv_make(cl->msg, cl->want);
        n = dns_auth_answer(&auth, &v, 1, resp + 2, sizeof resp - 2);
        cl->have_len = 0;
        if (n) {
            resp[0] = (uint8_t)(n >> 8);
            resp[1] = (uint8_t)n;
            tcp_write(cl->c, resp, n + 2);
        }
        ev_timer_arm(&cl->idle, ev_now() + DNS_TCP_IDLE_NS);
    }
    if (cl->done && !cl->have_len && !tcp_readable(cl->c)) {
        tcp_close(cl->c);
        client_free(cl);
    }
}

static void on_tcp(struct tcp_conn *c, int ev, void *arg)
{
    struct client *cl = arg;

    (void)c;
    switch (ev) {
    case TCP_EV_READABLE:
    case TCP_EV_WRITABLE:
        client_serve(cl);
        break;
    case TCP_EV_EOF:
        cl->done = 1;
        client_serve(cl);
        break;
    case TCP_EV_CLOSED:
        client_free(cl);
        break;
    }
}

static void on_accept(struct tcp_listener *l, struct tcp_conn *c, void *arg)
{
    struct client *cl = malloc(sizeof *cl);

    (void)l;
    (void)arg;
    if (!cl) {
        tcp_abort(c);
        return;
    }
    cl->c = c;
    cl->want = 0;
    cl->have_len = 0;
    cl->done = 0;
    cl->got = 0;
    ev_timer_init(&cl->idle, client_idle, cl);
    ev_timer_arm(&cl->idle, ev_now() + DNS_TCP_IDLE_NS);
    tcp_nodelay(c, 1);
    tcp_set_cb(c, on_tcp, cl);
}

/* Loads every zones/ORIGIN.zone baked into the image. Returns the number
 * of zones, or -1 after printing why. */
static int load_zones(void)
{
    static const char dir[] = "zones/", ext[] = ".zone";
    size_t i, nfiles = files_count();
    int nz = 0;

    for (i = 0; i < nfiles; i++) {
        const struct pith_file *f = files_at(i);
        size_t plen = strlen(f->path);
        struct dns_name origin;
        char err[256];
        const char *base;
        int rc;

        if (plen <= sizeof dir - 1 + sizeof ext - 1 ||
            strncmp(f->path, dir, sizeof dir - 1) != 0 ||
            strcmp(f->path + plen - (sizeof ext - 1), ext) != 0)
            continue;
        base = f->path + sizeof dir - 1;
        {
            /* The file name without ".zone" is the origin, absolute. */
            char o[DNS_NAME_TEXT_MAX];
            size_t olen = plen - (sizeof dir - 1) - (sizeof ext - 1);
            if (olen + 2 > sizeof o) {
                printf("dns-primary: %s: name too long\n", f->path);
                return -1;
            }
            memcpy(o, base, olen);
            o[olen++] = '.';
            if (dns_name_from_text(&origin, o, olen, NULL) < 0) {
                printf("dns-primary: %s: the file name is no domain name\n",
                       f->path);
                return -1;
            }
        }
        if (nz == DNS_AUTH_ZONES_MAX) {
            printf("dns-primary: more than %d zones\n", DNS_AUTH_ZONES_MAX);
            return -1;
        }
        rc = dns_zone_parse(&zones[nz], (const char *)f->data, f->size, f->path,
                            &origin, err, sizeof err);
        if (rc < 0) {
            printf("dns-primary: %s\n",
                   rc == PITH_ENOMEM ? "out of memory loading zones" : err);
            return -1;
        }
        if (dns_auth_add_zone(&auth, &zones[nz]) < 0) {
            printf("dns-primary: %s: zone served twice\n", f->path);
            return -1;
        }
        nz++;
    }
    return nz;
}

static struct ev_timer stats_timer;

/* The heap as the allocator sees it: what the app asked for (in use, and
 * its high-water mark) and what that took of the region (footprint).
 * Freestanding images only: on unix, malloc is glibc's. */
static void print_heap(void)
{
#ifdef PITH_FREESTANDING
    struct alloc_stats a;

    alloc_stats(&a);
    printf("dns-primary: heap in_use=%zu high_water=%zu footprint=%zu "
           "footprint_high_water=%zu size=%zu\n",
           a.in_use, a.high_water, a.footprint, a.footprint_high_water,
           a.heap_size);
#endif
}

static void stats_tick(struct ev_timer *t, void *arg)
{
    const struct dns_auth_stats *s = &auth.st;

    (void)arg;
    print_heap();
    printf("dns-primary: queries=%llu dropped=%llu noerror=%llu "
           "formerr=%llu nxdomain=%llu notimp=%llu refused=%llu "
           "truncated=%llu\n",
           (unsigned long long)s->queries, (unsigned long long)s->dropped,
           (unsigned long long)s->rcode[0], (unsigned long long)s->rcode[1],
           (unsigned long long)s->rcode[3], (unsigned long long)s->rcode[4],
           (unsigned long long)s->rcode[5], (unsigned long long)s->truncated);
    ev_timer_arm(t, ev_now() + 10 * NET_SEC_NS);
}

int app_main(int argc, char **argv)
{
    struct net_config c;
    char err[128], addr[NET_IP4_STRLEN];
    int i, rc, nz;

    if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
        printf("dns-primary: %s\n", err);
        return 2;
    }
    dns_auth_init(&auth);
    nz = load_zones();
    if (nz < 0)
        return 1;
    if (nz == 0) {
        printf("dns-primary: no zones (zones/ORIGIN.zone in the app folder)\n");
        return 1;
    }
    rc = net_init(&net, "service", &c);
    if (rc == PITH_OK)
        rc = udp_bind(&udp, &net, DNS_PORT, on_udp, NULL);
    if (rc == PITH_OK)
        rc = tcp_listen(&tcp_l, &net, DNS_PORT, on_accept, NULL);
    if (rc < 0) {
        printf("dns-primary: cannot start: %s\n", pith_strerror(rc));
        return 1;
    }
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--stats") == 0) {
            print_heap(); /* the zones loaded, nothing served yet */
            ev_timer_init(&stats_timer, stats_tick, NULL);
            ev_timer_arm(&stats_timer, ev_now() + 10 * NET_SEC_NS);
        }
    printf("dns-primary: serving %d zone%s on %s\n", nz, nz == 1 ? "" : "s",
           c.addr ? net_ip4_format(c.addr, addr) : "DHCP");
    rc = ev_run();
    if (net_error(&net) < 0) {
        printf("dns-primary: network device failed: %s\n",
               pith_strerror(net_error(&net)));
        return 1;
    }
    return rc;
}
