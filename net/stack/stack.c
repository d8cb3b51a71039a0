/* stack: start-up, the device watcher, dispatch, timers, statistics. */
#include <string.h>
#include <pith/err.h>
#include <pith/ev.h>
#include <pith/plat.h>

#include "../arp/arp.h"
#include "../eth/eth.h"
#include "../icmp/icmp.h"
#include "../ip4/ip4.h"
#include "stack.h"

/*
 * Transports linked only when the app names them: a weak reference keeps
 * the udp module out of images that do not list it (as lib/rt does for
 * the allocator), and lets the stack attach it when it is there.
 */
extern void udp_attach(struct net *n) __attribute__((weak));
extern void tcp_attach(struct net *n) __attribute__((weak));
extern void tcp_detach(struct net *n) __attribute__((weak));
extern void tcp_flush(struct net *n) __attribute__((weak));
extern void tcp_gauges(const struct net *n, struct net_stats *st)
    __attribute__((weak));
/* Likewise the DHCP client (net/dhcp/dhcp.h), which the stack calls only
 * once dhcp_start() has run (n->dhcp.state is then nonzero). */
extern int dhcp_start(struct net *n) __attribute__((weak));
extern int dhcp_input(struct net *n, struct bv *pkt) __attribute__((weak));
extern uint64_t dhcp_tick(struct net *n, uint64_t now) __attribute__((weak));

void net_input(struct net *n, struct bv *v)
{
    struct eth_hdr h;
    struct bv payload;

    n->st.eth.rx_frames++;
    n->st.eth.rx_bytes += bv_len(v);
    if (eth_parse(v, &h, &payload) < 0) {
        n->st.eth.rx_short++;
        return;
    }
    if (!eth_for_us(n, h.dst)) {
        n->st.eth.rx_not_us++;
        return;
    }
    switch (h.type) {
    case ETH_TYPE_ARP:
        arp_input(n, &payload);
        break;
    case ETH_TYPE_IP4:
        if (n->dhcp.state) {
            if (dhcp_input(n, &payload))
                break;
            if (!n->addr) {
                n->st.dhcp.rx_unbound++; /* no address: DHCP only */
                break;
            }
        }
        ip4_input(n, &payload, eth_is_group(h.dst));
        break;
    default:
        n->st.eth.rx_ethertype++;
    }
}

void net_tick(struct net *n)
{
    uint64_t now = ev_now(), a, b;

    n->kick = 0;
    a = arp_tick(n, now);
    b = ip4_tick(n, now);
    if (b < a)
        a = b;
    if (n->dhcp.state) {
        b = dhcp_tick(n, now);
        if (b < a)
            a = b;
    }
    if (a == UINT64_MAX)
        ev_timer_cancel(&n->timer);
    else if (!ev_timer_armed(&n->timer) || n->timer.deadline != a)
        ev_timer_arm(&n->timer, a);
}

void net_kick(struct net *n)
{
    if (tcp_flush)
        tcp_flush(n);
    if (n->kick)
        net_tick(n);
}

static void net_timer(struct ev_timer *t, void *arg)
{
    (void)t;
    net_tick(arg);
}

/* Reads frames until the device has no more, or this turn's budget is
 * spent (the device stays ready, so the loop comes back at once). */
static void net_watch(plat_handle_t h, void *arg)
{
    struct net *n = arg;
    struct bv v;
    size_t len;
    int i, rc;

    for (i = 0; i < NET_RX_BUDGET; i++) {
        rc = plat_net_read_meta(h, n->rx,
                                (n->offload & PLAT_NET_CAP_RX_TSO4)
                                    ? sizeof n->rx
                                    : NET_RX_FRAME_MAX,
                                &len, &n->rx_meta);
        if (rc == PITH_EAGAIN)
            break;
        if (rc < 0) {
            n->err = rc;
            ev_watch(h, NULL, NULL);
            break;
        }
        v = bv_make(n->rx, len);
        if (n->rx_meta.gso)
            n->st.eth.rx_gso++;
        net_input(n, &v);
        n->rx_meta = (struct plat_net_meta){0};
    }
    net_kick(n);
}

int net_init(struct net *n, const char *dev, const struct net_config *c)
{
    struct plat_net_info info;
    uint8_t rnd[4] = {0};
    int rc;

    memset(n, 0, sizeof *n);
    if ((!c->addr && !dhcp_start) || c->prefix > 32)
        return PITH_EINVAL;
    rc = plat_net_acquire(dev, &n->dev, &info);
    if (rc < 0)
        return rc;
    if (info.mtu < 68) /* RFC 791: every host must take 68 */
        return PITH_EINVAL;
    memcpy(n->mac, info.mac, 6);
    n->mtu = info.mtu < NET_MTU_MAX ? info.mtu : NET_MTU_MAX;
    /* Every offload the stack knows, when the device has it: checksums
     * both ways, TCP/IPv4 segments cut and merged by the host. */
    if (!c->no_offload) {
        uint32_t want =
            info.caps & (PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 |
                         PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4);
        if (!(want & PLAT_NET_CAP_CSUM))
            want &= ~PLAT_NET_CAP_TSO4;
        if (!(want & PLAT_NET_CAP_RX_CSUM))
            want &= ~PLAT_NET_CAP_RX_TSO4;
        if (want && plat_net_offload(n->dev, want) == PITH_OK)
            n->offload = want;
    }
    n->addr = c->addr;
    n->mask = c->prefix ? 0xffffffffu << (32 - c->prefix) : 0;
    n->gateway = c->gateway;
    /* Identification and ephemeral ports start at unpredictable values
     * (RFC 6056 spirit); without entropy, at the clock's. */
    if (plat_entropy(rnd, sizeof rnd) < 0) {
        uint64_t t = plat_clock_monotonic();
        memcpy(rnd, &t, sizeof rnd);
    }
    n->ip_id = (uint16_t)(rnd[0] << 8 | rnd[1]);
    n->udp_next_port = (uint16_t)(rnd[2] << 8 | rnd[3]);
    arp_init(n);
    icmp_attach(n);
    if (udp_attach)
        udp_attach(n);
    if (tcp_attach)
        tcp_attach(n);
    ev_timer_init(&n->timer, net_timer, n);
    rc = ev_watch(n->dev, net_watch, n);
    if (rc < 0)
        return rc;
    if (!n->addr) {
        rc = dhcp_start(n);
        net_kick(n);
        return rc;
    }
    arp_announce(n);
    return PITH_OK;
}

void net_set_addr(struct net *n, uint32_t addr, uint32_t mask, uint32_t gateway)
{
    uint32_t old = n->addr;

    if (addr != old || mask != n->mask)
        arp_init(n); /* what was learnt belonged to the old address */
    n->addr = addr;
    n->mask = mask;
    n->gateway = gateway;
    if (addr)
        arp_announce(n);
    if (addr != old && n->addr_fn)
        n->addr_fn(n, n->addr_arg);
}

void net_on_addr(struct net *n, net_addr_fn fn, void *arg)
{
    n->addr_fn = fn;
    n->addr_arg = arg;
}

void net_close(struct net *n)
{
    if (tcp_detach)
        tcp_detach(n);
    ev_watch(n->dev, NULL, NULL);
    ev_timer_cancel(&n->timer);
}

int net_error(const struct net *n)
{
    return n->err;
}

uint32_t net_addr(const struct net *n)
{
    return n->addr;
}

void net_mac(const struct net *n, uint8_t mac[6])
{
    memcpy(mac, n->mac, 6);
}

void net_stats(const struct net *n, struct net_stats *st)
{
    *st = n->st;
    arp_gauges(n, &st->arp.entries, &st->arp.pending);
    st->ip4.reasm_active = ip4_reasm_active(n);
    if (tcp_gauges)
        tcp_gauges(n, st);
}
