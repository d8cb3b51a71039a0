/*
 * tcpclient: opens a TCP connection (the active open, RFC 9293 3.5) to
 * --to=ADDR:PORT, writes --send=BYTES of the pattern byte i = (i * 7 +
 * i / 251) mod 256, shuts its side down, reads until the peer's FIN, and
 * prints one line:
 *
 *     tcpclient: sent N received M fnv1a HEX
 *
 * (a 64-bit FNV-1a of what came back) and exits 0; on failure
 * "tcpclient: ERROR" and exits 1. Against an echo server the received
 * bytes are the sent ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/tcp.h>

static struct net net;
static uint64_t to_send, sent, received, hash = 0xcbf29ce484222325ull;

static void fill(struct tcp_conn *c)
{
    uint8_t buf[2048];
    long n;

    while (sent < to_send) {
        size_t i, len = sizeof buf;
        if (len > to_send - sent)
            len = (size_t)(to_send - sent);
        for (i = 0; i < len; i++) {
            uint64_t k = sent + i;
            buf[i] = (uint8_t)(k * 7 + k / 251);
        }
        n = tcp_write(c, buf, len);
        if (n <= 0)
            return;
        sent += (uint64_t)n;
    }
    tcp_shutdown(c);
}

static void on_ev(struct tcp_conn *c, int ev, void *arg)
{
    struct bv v;
    size_t n, i;

    (void)arg;
    switch (ev) {
    case TCP_EV_CONNECTED:
    case TCP_EV_WRITABLE:
        fill(c);
        break;
    case TCP_EV_READABLE:
        while ((n = tcp_peek(c, &v)) > 0) {
            const uint8_t *p = bv_ptr(&v, 0, n);
            for (i = 0; i < n; i++)
                hash = (hash ^ p[i]) * 0x100000001b3ull;
            received += n;
            tcp_consume(c, n);
        }
        break;
    case TCP_EV_EOF:
        printf("tcpclient: sent %llu received %llu fnv1a %016llx\n",
               (unsigned long long)sent, (unsigned long long)received,
               (unsigned long long)hash);
        tcp_close(c);
        ev_stop(0);
        break;
    case TCP_EV_CLOSED:
        printf("tcpclient: %s\n", pith_strerror(tcp_error(c)));
        ev_stop(1);
        break;
    }
}

int app_main(int argc, char **argv)
{
    struct net_config cfg;
    struct tcp_conn *c;
    char err[128], *colon;
    uint32_t dst = 0;
    unsigned long port = 0;
    int i, rc;

    if (net_config_parse(argc, argv, &cfg, err, sizeof err) < 0) {
        printf("tcpclient: %s\n", err);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--to=", 5) == 0) {
            colon = strchr(argv[i] + 5, ':');
            if (!colon)
                break;
            *colon = '\0';
            if (net_ip4_parse(argv[i] + 5, &dst) < 0)
                break;
            port = strtoul(colon + 1, NULL, 10);
        } else if (strncmp(argv[i], "--send=", 7) == 0) {
            to_send = strtoull(argv[i] + 7, NULL, 10);
        }
    }
    if (!dst || !port || port > 65535) {
        printf("tcpclient: expected --to=ADDR:PORT\n");
        return 2;
    }
    rc = net_init(&net, "service", &cfg);
    if (rc == PITH_OK)
        rc = tcp_connect(&net, dst, (uint16_t)port, on_ev, NULL, &c);
    if (rc < 0) {
        printf("tcpclient: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = ev_run();
    net_close(&net); /* not from a callback: it frees the connections */
    return rc;
}
