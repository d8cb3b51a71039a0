/*
 * echo: the echo service (RFC 862) over UDP on port 7: every datagram goes
 * back to its sender as it came. The stack answers ARP and ping by itself.
 * TCP echo and discard come with TCP. Without --ipv4 it takes its address
 * from DHCP and says so once it has a lease.
 *
 *     pith run echo.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *     pith run echo.spt --net:service=tap0
 */
#include <stdio.h>
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/udp.h>

#define ECHO_PORT 7

static struct net net;
static struct udp_sock sock;

static void echo(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);

    (void)arg;
    /* Sent from our address even when it came to a broadcast. */
    udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len);
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

int app_main(int argc, char **argv)
{
    struct net_config c;
    char err[128], addr[NET_IP4_STRLEN];
    int rc;

    if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) {
        printf("echo: %s\n", err);
        return 2;
    }
    rc = net_init(&net, "service", &c);
    if (rc < 0) {
        printf("echo: cannot start the network: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = udp_bind(&sock, &net, ECHO_PORT, echo, NULL);
    if (rc < 0) {
        printf("echo: cannot bind UDP port %d: %s\n", ECHO_PORT,
               pith_strerror(rc));
        return 1;
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
