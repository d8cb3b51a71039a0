/*
 * Unit tests for net/stack: the command-line configuration (good values,
 * and each bad one with its exact one-line message), dotted quads,
 * net_init()'s refusals and MTU cap, and the device watcher in the real
 * event loop over the fake platform: frames read until EAGAIN within a
 * per-turn budget, and a failing device as a sticky error.
 */
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>

#include "nettest.h"
#include "unit.h"

static struct net n;
static uint8_t f[NET_RX_FRAME_MAX];

static struct net_stats stats(void)
{
    struct net_stats st;
    net_stats(&n, &st);
    return st;
}

/* Parses the words of (line) (at most 8) after a program name. */
static int parse(const char *line, struct net_config *c, char *err,
                 size_t errlen)
{
    static char buf[256], name[] = "app";
    char *argv[10] = {name}, *p;
    int argc = 1;

    snprintf(buf, sizeof buf, "%s", line);
    for (p = strtok(buf, " "); p && argc < 9; p = strtok(NULL, " "))
        argv[argc++] = p;
    return net_config_parse(argc, argv, c, err, errlen);
}

static void test_config_good(void)
{
    struct net_config c;
    char err[128];

    T_CHECK(parse("--ipv4=10.0.0.2/24", &c, err, sizeof err) == PITH_OK);
    T_CHECK(c.addr == NT_ADDR && c.prefix == 24 && c.gateway == 0);
    T_CHECK(err[0] == '\0');
    T_CHECK(parse("-v --ipv4 192.168.1.7/16 x --ipv4-gateway=192.168.0.1 "
                  "--ipv4x=1 --ipv4-gatewayz",
                  &c, err, sizeof err) == PITH_OK);
    T_CHECK(c.addr == 0xc0a80107 && c.prefix == 16 && c.gateway == 0xc0a80001);
    T_CHECK(parse("--ipv4=1.1.1.1/8 --ipv4=10.0.0.2/32", &c, err, sizeof err) ==
            PITH_OK); /* the last counts */
    T_CHECK(c.addr == NT_ADDR && c.prefix == 32);
    T_CHECK(parse("--ipv4=10.0.0.0/31", &c, err, sizeof err) == PITH_OK);
    T_CHECK(parse("", &c, err, sizeof err) == PITH_OK && c.addr == 0);
}

static void test_config_bad(void)
{
    static const char *const cases[][2] = {
        {"--ipv4=10.0.0.300/24", "--ipv4=10.0.0.300/24: bad address"},
        {"--ipv4=10.0.0/24", "--ipv4=10.0.0/24: bad address"},
        {"--ipv4=10.0.0.1.2/24", "--ipv4=10.0.0.1.2/24: bad address"},
        {"--ipv4=010.0.0.1/24", "--ipv4=010.0.0.1/24: bad address"},
        {"--ipv4=/24", "--ipv4=/24: bad address"},
        {"--ipv4=10.0.0.3", "--ipv4=10.0.0.3: expected ADDR/PREFIX"},
        {"--ipv4=10.0.0.3/33", "--ipv4=10.0.0.3/33: bad prefix length"},
        {"--ipv4=10.0.0.3/", "--ipv4=10.0.0.3/: bad prefix length"},
        {"--ipv4=10.0.0.3/024", "--ipv4=10.0.0.3/024: bad prefix length"},
        {"--ipv4=10.0.0.3/2x", "--ipv4=10.0.0.3/2x: bad prefix length"},
        {"--ipv4 10.0.0.3/-1", "--ipv4=10.0.0.3/-1: bad prefix length"},
        {"--ipv4=10.0.0.0/24",
         "--ipv4=10.0.0.0/24: not a host address in its prefix"},
        {"--ipv4=10.0.0.255/24",
         "--ipv4=10.0.0.255/24: not a host address in its prefix"},
        {"--ipv4=127.0.0.1/8", "--ipv4=127.0.0.1/8: not a host address"},
        {"--ipv4=224.0.0.1/4", "--ipv4=224.0.0.1/4: not a host address"},
        {"--ipv4=0.0.0.0/0", "--ipv4=0.0.0.0/0: not a host address"},
        {"--ipv4", "--ipv4: missing value"},
        {"--ipv4=10.0.0.2/24 --ipv4-gateway", "--ipv4-gateway: missing value"},
        {"--ipv4-gateway=10.0.0.1",
         "--ipv4-gateway=10.0.0.1: needs --ipv4=ADDR/PREFIX"},
        {"--ipv4=10.0.0.2/24 --ipv4-gateway=10.1.0.1",
         "--ipv4-gateway=10.1.0.1: not another host on 10.0.0.0/24"},
        {"--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.2",
         "--ipv4-gateway=10.0.0.2: not another host on 10.0.0.0/24"},
        {"--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1x",
         "--ipv4-gateway=10.0.0.1x: bad address"},
    };
    struct net_config c;
    char err[128];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        T_CHECKF(parse(cases[i][0], &c, err, sizeof err) == PITH_EINVAL,
                 "accepted '%s'", cases[i][0]);
        T_CHECKF(strcmp(err, cases[i][1]) == 0, "'%s' gave '%s'", cases[i][0],
                 err);
    }
    /* The value is shown on one line, and not at any length. */
    {
        char nl[] = "--ipv4=1.2.3.4\n/24", name[] = "app";
        char *argv[] = {name, nl};
        T_CHECK(net_config_parse(2, argv, &c, err, sizeof err) == PITH_EINVAL);
        T_CHECK(strcmp(err, "--ipv4=1.2.3.4?/24: bad address") == 0);
    }
    T_CHECK(parse("--ipv4=1111111111222222222233333333334444444444555555/24",
                  &c, err, sizeof err) == PITH_EINVAL);
    T_CHECK(strcmp(err, "--ipv4=11111111112222222222333333333344444444445555"
                        "...: bad address") == 0);
    /* A short buffer gets a cut, terminated message; none, nothing. */
    T_CHECK(parse("--ipv4=10.0.0.300/24", &c, err, 8) == PITH_EINVAL);
    T_CHECK(strcmp(err, "--ipv4=") == 0);
    err[0] = 'x';
    T_CHECK(parse("--ipv4=10.0.0.300/24", &c, err, 0) == PITH_EINVAL);
    T_CHECK(err[0] == 'x');
}

static void test_dotted_quads(void)
{
    static const char *const bad[] = {
        "",          "1.2.3",    "1.2.3.4 ", " 1.2.3.4",
        "256.1.1.1", "1..2.3",   "-1.2.3.4", "1.2.3.4a",
        "0x1.2.3.4", "1.2.3.04", "1.2.3.4.", "1.2.3.1000",
    };
    char buf[NET_IP4_STRLEN];
    uint32_t a = 7;
    size_t i;

    T_CHECK(net_ip4_parse("0.0.0.0", &a) == 0 && a == 0);
    T_CHECK(net_ip4_parse("255.255.255.255", &a) == 0 && a == 0xffffffff);
    T_CHECK(net_ip4_parse("10.77.0.2", &a) == 0 && a == 0x0a4d0002);
    T_CHECK(strcmp(net_ip4_format(a, buf), "10.77.0.2") == 0);
    T_CHECK(strcmp(net_ip4_format(0xffffffff, buf), "255.255.255.255") == 0);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 7;
        T_CHECKF(net_ip4_parse(bad[i], &a) == PITH_EINVAL && a == 7, "'%s'",
                 bad[i]);
    }
}

static void test_init(void)
{
    struct net_config c = {0, 24, 0, 0};
    uint8_t mac[6];

    nt_reset();
    net_close(&n);
    /* No address: the DHCP client (linked into the tests) takes over. */
    T_CHECK(net_init(&n, "service", &c) == PITH_OK && net_addr(&n) == 0);
    net_close(&n);
    c.addr = NT_ADDR;
    c.prefix = 33;
    T_CHECK(net_init(&n, "service", &c) == PITH_EINVAL);
    c.prefix = 24;
    T_CHECK(net_init(&n, "storage", &c) == PITH_ENOENT);
    nt_mtu = 60; /* below IPv4's 68 */
    T_CHECK(net_init(&n, "service", &c) == PITH_EINVAL);
    T_CHECK(nt_nout == 0);
    /* A jumbo device: the stack sends at most NET_MTU_MAX. */
    nt_mtu = 9000;
    nt_entropy_rc = PITH_EIO; /* and no entropy: still starts */
    T_CHECK(net_init(&n, "service", &c) == PITH_OK);
    T_CHECK(net_addr(&n) == NT_ADDR && net_error(&n) == PITH_OK);
    net_mac(&n, mac);
    T_CHECK(memcmp(mac, nt_mac, 6) == 0);
    nt_learn_peer(&n);
    {
        static uint8_t big[8000];
        struct bw w = bw_make(n.tx, sizeof n.tx, NET_HEADROOM);
        size_t i;
        bw_append(&w, big, sizeof big);
        T_CHECK(ip4_output(&n, &w, NT_PEER, 253) == PITH_OK);
        for (i = 0; i < nt_nout; i++)
            T_CHECK(nt_out[i].len <= NET_MTU_MAX + 14);
        T_CHECK(nt_nout == 6);
    }
    net_close(&n);
}

static void stop(struct ev_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    ev_stop(0);
}

static void test_watcher_reads_until_eagain(void)
{
    static const uint8_t zero[6];
    struct ev_timer t;
    size_t len;
    int i;

    T_CHECK(nt_up(&n) == PITH_OK);
    len = nt_arp(f, ARP_OP_REQUEST, nt_peer_mac, NT_PEER, zero, NT_ADDR,
                 eth_broadcast);
    nt_rx_push(f, len);
    len = nt_echo_msg(f + 100, 1, 1, "ping", 4);
    memcpy(f + 200, f + 100, len);
    len = nt_ip4(f, NT_PEER, NT_ADDR, IP4_PROTO_ICMP, 1, 0, f + 200, len);
    for (i = 0; i < 3; i++)
        nt_rx_push(f, len);
    ev_timer_init(&t, stop, NULL);
    ev_timer_arm(&t, nt_now + 1000 * NT_MS);
    T_CHECK(ev_run() == 0);
    T_CHECK(stats().eth.rx_frames == 4);
    T_CHECK(stats().arp.tx_replies == 1 && stats().icmp.echo_replies == 3);
    T_CHECK(nt_nout == 4);

    /* More than a turn's budget: the rest waits for the next turn. */
    for (i = 0; i < NET_RX_BUDGET + 20; i++)
        nt_rx_push(f, len);
    ev_timer_arm(&t, 0); /* fires in the first turn, after the watcher */
    T_CHECK(ev_run() == 0);
    T_CHECK(stats().eth.rx_frames == 4 + NET_RX_BUDGET);
    ev_timer_arm(&t, nt_now + NT_MS);
    T_CHECK(ev_run() == 0);
    T_CHECK(stats().eth.rx_frames == 4 + NET_RX_BUDGET + 20);
}

static void test_device_failure_is_sticky(void)
{
    T_CHECK(nt_up(&n) == PITH_OK);
    nt_read_rc = PITH_EIO;
    nt_rx_push(f, 14); /* something to read, then the failure */
    /* Nothing else is watched or armed: the loop ends by itself. */
    T_CHECK(ev_run() == 0);
    T_CHECK(net_error(&n) == PITH_EIO);
    T_CHECK(stats().eth.rx_frames == 1);
    nt_read_rc = PITH_EAGAIN;
    net_close(&n);
    T_CHECK(ev_run() == 0);
}

int main(void)
{
    T_RUN(test_config_good);
    T_RUN(test_config_bad);
    T_RUN(test_dotted_quads);
    T_RUN(test_init);
    T_RUN(test_watcher_reads_until_eagain);
    T_RUN(test_device_failure_is_sticky);
    return t_done();
}
