/*
 * twonic: the IPv4 stack on two NICs at once (test only). `--ipv4=` sets
 * the address of "service", `--ipv4-second=` that of "second"; each
 * answers ping and echoes UDP on port 7, from the address it was sent to.
 */
#include <pith/ev.h>
#include <pith/net.h>
#include <pith/rt.h>
#include <pith/udp.h>
#include <stdio.h>
#include <string.h>

static struct net nets[2];
static struct udp_sock socks[2];

static void echo(struct udp_sock *s, struct udp_dgram *d, void *arg)
{
    size_t len = bv_len(&d->data);
    (void)arg;
    udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len);
}

/* Parses "--ipv4-second=X" as net_config_parse parses "--ipv4=X". */
static int second_config(int argc, char **argv, struct net_config *c, char *err,
                         size_t n)
{
    static char opt[128];
    char *args[2] = {argv[0], opt};
    int i;

    for (i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--ipv4-second=", 14))
            break;
    if (i == argc) {
        snprintf(err, n, "twonic: --ipv4-second=ADDR/PREFIX is needed");
        return -1;
    }
    snprintf(opt, sizeof opt, "--ipv4=%s", argv[i] + 14);
    return net_config_parse(2, args, c, err, n);
}

int app_main(int argc, char **argv)
{
    static const char *const names[2] = {"service", "second"};
    char err[160], a[2][NET_IP4_STRLEN], *args[RT_ARGS_MAX];
    struct net_config c[2];
    int i, n = 0;

    /* The first NIC's parser must not see the second's option. */
    for (i = 0; i < argc && n < RT_ARGS_MAX; i++)
        if (strncmp(argv[i], "--ipv4-second=", 14))
            args[n++] = argv[i];
    if (net_config_parse(n, args, &c[0], err, sizeof err) < 0 ||
        second_config(argc, argv, &c[1], err, sizeof err) < 0) {
        printf("%s\n", err);
        return 2;
    }
    for (i = 0; i < 2; i++) {
        int rc = net_init(&nets[i], names[i], &c[i]);
        if (rc == PITH_OK)
            rc = udp_bind(&socks[i], &nets[i], 7, echo, NULL);
        if (rc != PITH_OK) {
            printf("twonic: %s: %s\n", names[i], pith_strerror(rc));
            return 1;
        }
    }
    printf("twonic: listening on %s and %s\n", net_ip4_format(c[0].addr, a[0]),
           net_ip4_format(c[1].addr, a[1]));
    return ev_run() < 0;
}
