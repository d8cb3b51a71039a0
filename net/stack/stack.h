/*
 * stack: the glue of the network stack (see <pith/net.h> for the API):
 * the device watcher, the Ethernet type dispatch and the one timer that
 * runs every layer's timed work. What is declared here is for the layers
 * and the tests; apps use <pith/net.h>.
 */
#ifndef PITH_NET_STACK_H
#define PITH_NET_STACK_H

#include <pith/bv.h>
#include <pith/net.h>

/*
 * Handles one received frame (v), borrowed: counts it, drops it unless it
 * is to our MAC or broadcast, and hands ARP and IPv4 to their layers.
 */
void net_input(struct net *n, struct bv *v);

/*
 * Runs the timed work of every layer that is due at ev_now() and arms
 * (n)'s timer for the next. The timer calls it; tests call it after moving
 * a fake clock.
 */
void net_tick(struct net *n);

/*
 * Called after a layer may have made timed work (it then sets n->kick),
 * outside the watcher and the timer, which check by themselves: arms the
 * timer when needed.
 */
void net_kick(struct net *n);

/*
 * Sets (n)'s address, mask and gateway (all 0: none), as the DHCP client
 * does: on a change of address or mask forgets the ARP cache (and the
 * packets waiting in it), announces a new address by a gratuitous ARP and
 * calls the app's net_on_addr() callback when the address changed.
 */
void net_set_addr(struct net *n, uint32_t addr, uint32_t mask,
                  uint32_t gateway);

#endif
