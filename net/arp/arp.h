/*
 * arp: the Address Resolution Protocol for IPv4 over Ethernet (RFC 826),
 * with a bounded cache. Private to the stack (net/); apps use
 * <pith/net.h>.
 *
 * What it learns, and from whom (the cache is the target of spoofing, as
 * OSEC-2026-02 showed for OCaml's arp): an entry is created only for an
 * on-link sender of a request for our address (we are about to talk to
 * it), or when we ask for an address ourselves; it is updated only by
 * such a request or by a reply to a request of ours. Gratuitous ARP and
 * replies nobody asked for change nothing. A full cache evicts the entry
 * least recently used by the layers above (entries nobody used first), so
 * a flood of spoofed requests churns only its own entries.
 *
 * Wire (28 bytes after the Ethernet header): hardware type (2), protocol
 * type (2), hardware length (1), protocol length (1), operation (2),
 * sender MAC (6), sender IPv4 (4), target MAC (6), target IPv4 (4).
 */
#ifndef PITH_NET_ARP_H
#define PITH_NET_ARP_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

#include "../eth/eth.h"

/* ---- Wire ---- */
#define ARP_LEN       28
#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN  4
#define ARP_OFF_PLEN  5
#define ARP_OFF_OP    6
#define ARP_OFF_SHA   8
#define ARP_OFF_SPA   14
#define ARP_OFF_THA   18
#define ARP_OFF_TPA   24

#define ARP_HTYPE_ETH  1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

/* ---- Packet ---- */
struct arp_pkt {
    uint16_t op;
    uint8_t sha[ETH_ALEN];
    uint32_t spa;
    uint8_t tha[ETH_ALEN];
    uint32_t tpa;
};

/*
 * Parses the ARP packet at the start of (v) (trailing bytes, such as
 * Ethernet padding, are ignored) into (*a). Returns PITH_OK, or
 * PITH_EPROTO when (v) is short or is not an Ethernet/IPv4 request or
 * reply.
 */
int arp_parse(struct bv *v, struct arp_pkt *a);

/* Appends the 28 bytes of (*a) to (w). Returns PITH_OK or PITH_ENOMEM. */
int arp_write(struct bw *w, const struct arp_pkt *a);

/* ---- Logic ---- */

/* Cache entry states (struct net_arp_entry.state). */
#define ARP_FREE       0
#define ARP_INCOMPLETE 1 /* asked; packets may be waiting */
#define ARP_REACHABLE  2
#define ARP_FAILED     3 /* did not answer; held for NET_ARP_HOLD_NS */

/* Prepares the empty cache and queues of (n). */
void arp_init(struct net *n);

/* Handles the ARP packet (payload) of a frame for us. */
void arp_input(struct net *n, struct bv *payload);

/*
 * Sends the IPv4 packet in (w) to the on-link (nexthop), resolving its
 * MAC: at once when the cache knows it, else by queueing a copy and asking
 * (broadcast). (w) MUST have ETH_HLEN bytes of headroom and at most
 * n->mtu bytes of data; it may be overwritten. Returns PITH_OK when sent
 * or queued; PITH_ELIMIT when the queues are full; PITH_ENOENT when
 * (nexthop) failed to answer lately; else as eth_output(). Drops are
 * counted.
 */
int arp_output(struct net *n, struct bw *w, uint32_t nexthop);

/* Whether arp_output() would send to (nexthop) at once: its MAC is known. */
int arp_ready(struct net *n, uint32_t nexthop);

/*
 * As arp_output(), with the offloads and tail of (*o) (NULL: none;
 * offsets from the IPv4 header's start; see struct net_out), which MUST
 * be given only when arp_ready(): a packet that waits, waits without them
 * (a packet with them is dropped then, counted in pending_drops).
 */
int arp_output_meta(struct net *n, struct bw *w, uint32_t nexthop,
                    const struct net_out *o);

/* Announces our address: a gratuitous request (RFC 5227 section 2.3). */
void arp_announce(struct net *n);

/*
 * Does the timed work due at (now): requests again for incomplete entries,
 * gives up on those asked NET_ARP_TRIES times (dropping their packets),
 * frees failed entries whose hold is over. Returns the time of the next
 * work, or UINT64_MAX when there is none.
 */
uint64_t arp_tick(struct net *n, uint64_t now);

/*
 * Whether (ip) is resolved (reachable and not expired at (now)); its MAC
 * goes to (mac) when it is not NULL. Does not count as a use.
 */
int arp_lookup(const struct net *n, uint32_t ip, uint64_t now,
               uint8_t mac[ETH_ALEN]);

/* Entries in use and packets waiting, for the statistics. */
void arp_gauges(const struct net *n, uint64_t *entries, uint64_t *pending);

#endif
