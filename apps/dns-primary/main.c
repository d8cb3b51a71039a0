/*
 * dns-primary: an authoritative DNS server. Serves zones (ORIGIN.zone
 * each) on UDP and TCP port 53 (RFC 1035 4.2, RFC 7766: several queries
 * per connection, each with its two-byte length, answered in order; idle
 * connections closed after DNS_TCP_IDLE_NS). The zones come from the tar
 * archive on the block device "zones" when the operator binds it (every
 * member named *.zone, in any folder), else from the image's zones/
 * folder, baked in at build time:
 *
 *     pith run dns-primary.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *     tar -cf zones.tar *.zone
 *     pith run dns-primary.spt --net:service=tap0 --block:zones=zones.tar \
 *         -- --ipv4=10.0.0.2/24 --axfr=10.0.0.0/24
 *     dig @10.0.0.2 example.com
 *
 * --axfr=ADDR[/PREFIX] (repeatable) lets requesters from those addresses
 * transfer the zones (AXFR over TCP, RFC 5936; IXFR as NSD answers it
 * without stored differences); everyone else is refused, as NSD does.
 * --stats prints the heap once the zones are loaded, then the heap and
 * the counters every 10 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/alloc.h>
#include <pith/ev.h>
#include <pith/kv.h>
#include <pith/tar.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/tcp.h>
#include <pith/udp.h>

#include <dns/auth.h>

#define DNS_PORT        53
#define DNS_TCP_IDLE_NS (30 * NET_SEC_NS)
#define AXFR_ACL_MAX    16 /* --axfr options */

static struct net net;
static struct udp_sock udp;
static struct tcp_listener tcp_l;
static struct dns_auth auth;
static struct dns_zone zones[DNS_AUTH_ZONES_MAX];
/* Answers are built here, with room for TCP's length in front. */
static uint8_t resp[2 + DNS_MSG_MAX];

/* Who may transfer zones: networks from --axfr. */
static struct {
    uint32_t addr, mask;
} acl[AXFR_ACL_MAX];
static unsigned nacl;

static unsigned xfr_ok(uint32_t src)
{
    unsigned i;

    for (i = 0; i < nacl; i++)
        if ((src & acl[i].mask) == acl[i].addr)
            return DNS_AUTH_XFR;
    return 0;
}

static void on_udp(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len;

    (void)arg;
    if (d->dst != net_addr(&net))
        return; /* no answers to broadcasts */
    len = dns_auth_answer(&auth, &d->data, DNS_AUTH_UDP | xfr_ok(d->src), NULL,
                          resp + 2, sizeof resp - 2);
    if (len)
        udp_sendto(s, d->src, d->sport, resp + 2, len);
}

/* A TCP client: the message being received (its length first), or the
 * end of an answer the send buffer had no room for, and a transfer. */
struct client {
    struct tcp_conn *c;
    struct ev_timer idle;
    uint16_t want; /* the current message's length, once known */
    uint8_t have_len;
    uint8_t done; /* the peer finished: close once answered */
    uint32_t got;
    uint32_t pend, pend_off; /* bytes of (msg) still to send, from */
    unsigned xfr_ok;         /* DNS_AUTH_XFR when the peer may transfer */
    struct dns_xfr xfr;      /* a zone transfer under way */
    uint8_t msg[2 + DNS_MSG_MAX];
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

/* Sends the (n) bytes of (resp), its length in front; what the send
 * buffer does not take waits in cl->msg (TCP_EV_WRITABLE follows). */
static void client_send(struct client *cl, size_t n)
{
    long k;

    resp[0] = (uint8_t)(n >> 8);
    resp[1] = (uint8_t)n;
    k = tcp_write(cl->c, resp, n + 2);
    if (k < 0)
        k = (long)n + 2; /* the connection failed: CLOSED follows */
    if ((size_t)k < n + 2) {
        cl->pend = (uint32_t)(n + 2 - (size_t)k);
        cl->pend_off = 0;
        memcpy(cl->msg, resp + k, cl->pend);
    }
    ev_timer_arm(&cl->idle, ev_now() + DNS_TCP_IDLE_NS);
}

/* Sends what waits: the rest of an answer, then the messages of a
 * transfer, as the send buffer takes them; then answers the complete
 * queries buffered, one after another. Returns when the send buffer is
 * full (TCP_EV_WRITABLE brings it back) or nothing is left to answer. */
static void client_serve(struct client *cl)
{
    struct bv v;
    size_t n;
    long k;

    for (;;) {
        if (cl->pend) {
            k = tcp_write(cl->c, cl->msg + cl->pend_off, cl->pend);
            if (k < 0)
                return; /* CLOSED follows */
            cl->pend -= (uint32_t)k;
            cl->pend_off += (uint32_t)k;
            if (cl->pend)
                return;
        }
        if (cl->xfr.zone) {
            n = dns_auth_xfr_next(&auth, &cl->xfr, resp + 2, sizeof resp - 2);
            if (n)
                client_send(cl, n);
            continue;
        }
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
        v = bv_make(cl->msg, cl->want);
        n = dns_auth_answer(&auth, &v, DNS_AUTH_TCP | cl->xfr_ok, &cl->xfr,
                            resp + 2, sizeof resp - 2);
        cl->have_len = 0;
        if (n)
            client_send(cl, n);
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
    cl->pend = cl->pend_off = 0;
    memset(&cl->xfr, 0, sizeof cl->xfr);
    {
        uint32_t laddr, raddr;
        uint16_t lport, rport;
        tcp_endpoints(c, &laddr, &lport, &raddr, &rport);
        cl->xfr_ok = xfr_ok(raddr);
    }
    ev_timer_init(&cl->idle, client_idle, cl);
    ev_timer_arm(&cl->idle, ev_now() + DNS_TCP_IDLE_NS);
    tcp_nodelay(c, 1);
    tcp_set_cb(c, on_tcp, cl);
}

/*
 * Loads every ORIGIN.zone of (kv), under (dir) ("" for any folder): the
 * file's name without ".zone" is the zone's origin. (where) prefixes
 * messages. Returns the number of zones, or -1 after printing why.
 */
static int load_zones(struct kv *kv, const char *dir, const char *where)
{
    static const char ext[] = ".zone";
    size_t i, n = kv_count(kv), dlen = strlen(dir);
    int nz = 0;

    for (i = 0; i < n; i++) {
        struct kv_entry e;
        struct dns_name origin;
        char err[256], o[DNS_NAME_TEXT_MAX];
        const char *base, *text;
        char *copy = NULL;
        size_t plen, olen;
        int rc;

        if (kv_at(kv, i, &e) < 0)
            break;
        plen = strlen(e.path);
        if (strncmp(e.path, dir, dlen) != 0 || plen < dlen + sizeof ext - 1 ||
            strcmp(e.path + plen - (sizeof ext - 1), ext) != 0)
            continue;
        base = strrchr(e.path, '/');
        base = base ? base + 1 : e.path;
        olen = (size_t)(e.path + plen - (sizeof ext - 1) - base);
        if (olen == 0)
            continue; /* ".zone" itself: a hidden file, not a zone */
        if (olen + 2 > sizeof o) {
            printf("dns-primary: %s%s: name too long\n", where, e.path);
            return -1;
        }
        /* The file name without ".zone" is the origin, absolute. */
        memcpy(o, base, olen);
        o[olen++] = '.';
        if (dns_name_from_text(&origin, o, olen, NULL) < 0) {
            printf("dns-primary: %s%s: the file name is no domain name\n",
                   where, e.path);
            return -1;
        }
        if (nz == DNS_AUTH_ZONES_MAX) {
            printf("dns-primary: %smore than %d zones\n", where,
                   DNS_AUTH_ZONES_MAX);
            return -1;
        }
        text = (const char *)e.data;
        if (!text) {
            /* On a device: read it whole, for the parser; freed after. */
            copy = e.size < (size_t)-1 ? malloc((size_t)e.size + 1) : NULL;
            if (!copy) {
                printf("dns-primary: %s%s: out of memory reading it\n", where,
                       e.path);
                return -1;
            }
            if (kv_read(kv, &e, 0, copy, (size_t)e.size) != (long)e.size) {
                printf("dns-primary: %s%s: cannot read it from the device\n",
                       where, e.path);
                free(copy);
                return -1;
            }
            text = copy;
        }
        rc = dns_zone_parse(&zones[nz], text, (size_t)e.size, e.path, &origin,
                            err, sizeof err);
        free(copy);
        if (rc < 0) {
            printf("dns-primary: %s%s\n", where,
                   rc == PITH_ENOMEM ? "out of memory loading zones" : err);
            return -1;
        }
        if (dns_auth_add_zone(&auth, &zones[nz]) < 0) {
            printf("dns-primary: %s%s: zone served twice\n", where, e.path);
            return -1;
        }
        nz++;
    }
    return nz;
}

/* Reads --axfr=ADDR[/PREFIX] options into (acl). Returns 0, or -1 after
 * printing why. */
static int parse_axfr(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        char a[NET_IP4_STRLEN], *slash, *end;
        const char *v = argv[i] + 7;
        unsigned long prefix = 32;
        uint32_t addr;

        if (strncmp(argv[i], "--axfr=", 7) != 0)
            continue;
        slash = strchr(v, '/');
        if ((slash ? (size_t)(slash - v) : strlen(v)) >= sizeof a)
            goto bad;
        memcpy(a, v, slash ? (size_t)(slash - v) : strlen(v) + 1);
        if (slash) {
            a[slash - v] = '\0';
            if (slash[1] < '0' || slash[1] > '9')
                goto bad;
            prefix = strtoul(slash + 1, &end, 10);
            if (*end || prefix > 32 || (slash[1] == '0' && slash[2]))
                goto bad;
        }
        if (net_ip4_parse(a, &addr) < 0)
            goto bad;
        if (nacl == AXFR_ACL_MAX) {
            printf("dns-primary: %s: more than %d --axfr options\n", argv[i],
                   AXFR_ACL_MAX);
            return -1;
        }
        acl[nacl].mask = prefix ? ~0u << (32 - prefix) : 0;
        acl[nacl].addr = addr & acl[nacl].mask;
        nacl++;
        continue;
    bad:
        printf("dns-primary: %s: expected --axfr=ADDR or --axfr=ADDR/PREFIX, "
               "such as 192.0.2.1 or 10.0.0.0/8\n",
               argv[i]);
        return -1;
    }
    return 0;
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
           "truncated=%llu notauth=%llu xfr=%llu xfr_soa=%llu "
           "xfr_refused=%llu xfr_msgs=%llu\n",
           (unsigned long long)s->queries, (unsigned long long)s->dropped,
           (unsigned long long)s->rcode[0], (unsigned long long)s->rcode[1],
           (unsigned long long)s->rcode[3], (unsigned long long)s->rcode[4],
           (unsigned long long)s->rcode[5], (unsigned long long)s->truncated,
           (unsigned long long)s->notauth, (unsigned long long)s->xfr,
           (unsigned long long)s->xfr_soa, (unsigned long long)s->xfr_refused,
           (unsigned long long)s->xfr_msgs);
    ev_timer_arm(t, ev_now() + 10 * NET_SEC_NS);
}

int app_main(int argc, char **argv)
{
    static struct kv kv;
    struct net_config c;
    char err[TAR_MSG_MAX + 64], addr[NET_IP4_STRLEN];
    int i, rc, nz;

    if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
        printf("dns-primary: %s\n", err);
        return 2;
    }
    if (parse_axfr(argc, argv) < 0)
        return 2;
    dns_auth_init(&auth);
    /* The archive on the block device "zones" when it is bound, else the
     * zones baked in. */
    rc = kv_open_tar(&kv, "zones", err, sizeof err);
    if (rc == PITH_OK) {
        nz = load_zones(&kv, "", "block zones: ");
        kv_close(&kv); /* the zones are copied out: the index can go */
        if (nz == 0)
            printf("dns-primary: block zones: no zones (ORIGIN.zone files) "
                   "in the archive\n");
    } else if (rc != PITH_ENOENT) {
        printf("dns-primary: block zones: %s\n", err);
        return 1;
    } else {
        kv_open_files(&kv);
        nz = load_zones(&kv, "zones/", "");
        if (nz == 0)
            printf("dns-primary: no zones (zones/ORIGIN.zone in the app "
                   "folder)\n");
    }
    if (nz <= 0)
        return 1;
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
