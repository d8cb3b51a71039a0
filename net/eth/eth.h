/*
 * eth: Ethernet II framing, the bottom of the stack and its only writer
 * to the device. Private to the stack (net/); apps use <pith/net.h>.
 *
 * Wire: destination MAC (6), source MAC (6), EtherType (2), then the
 * payload. No 802.1Q tags, no FCS (the platform strips and adds it).
 */
#ifndef PITH_NET_ETH_H
#define PITH_NET_ETH_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

/* ---- Wire ---- */
#define ETH_HLEN     14
#define ETH_OFF_DST  0
#define ETH_OFF_SRC  6
#define ETH_OFF_TYPE 12
#define ETH_ALEN     6

#define ETH_TYPE_IP4 0x0800
#define ETH_TYPE_ARP 0x0806

extern const uint8_t eth_broadcast[ETH_ALEN];

/* Whether (a) is a group address (multicast or broadcast): I/G bit. */
static inline int eth_is_group(const uint8_t a[ETH_ALEN])
{
    return a[0] & 1;
}

/* ---- Packet ---- */
struct eth_hdr {
    uint8_t dst[ETH_ALEN], src[ETH_ALEN];
    uint16_t type;
};

/*
 * Parses the frame (v) into (*h) and the view (*payload) of the bytes
 * after the header (borrowed from v). Returns PITH_OK, or PITH_EPROTO when
 * (v) is shorter than a header (then *h and *payload are unset).
 */
int eth_parse(struct bv *v, struct eth_hdr *h, struct bv *payload);

/*
 * Prepends the header (*h) to the data of (w), out of its headroom.
 * Returns PITH_OK, or PITH_ENOMEM with w's error set when there is no room.
 */
int eth_push(struct bw *w, const struct eth_hdr *h);

/* ---- Logic ---- */

/* Whether a frame to (dst) is for (n): its own MAC or broadcast. */
int eth_for_us(const struct net *n, const uint8_t dst[ETH_ALEN]);

/*
 * Sends the data of (w) as one frame from (n)'s MAC to (dst) with EtherType
 * (type): prepends the header and writes the frame to the device. (w)
 * MUST have ETH_HLEN bytes of headroom and at most n->mtu bytes of data.
 * Counts the frame, or the drop. Returns PITH_OK, PITH_EAGAIN when the
 * device's queue is full, PITH_EIO or PITH_EINVAL when the device refused
 * it; in every case (w) holds the frame afterwards.
 */
int eth_output(struct net *n, struct bw *w, const uint8_t dst[ETH_ALEN],
               uint16_t type);

/*
 * How a packet leaves, beyond its bytes in a bw: the device's offloads
 * (m), whose offsets count from the start of the data handed to the layer
 * (each layer below moves them by its header), and with PLAT_NET_GSO_TCP4
 * only, a tail: up to two runs of data that follow the bw's bytes in the
 * packet and go to the device from where they lie (a TCP send buffer)
 * instead of being copied behind the headers. A packet with a tail never
 * waits for ARP (it is dropped and counted then, as any GSO packet) and
 * is never fragmented.
 */
struct net_out {
    struct plat_net_meta m;
    struct plat_net_iov tail[2];
    unsigned ntail;
};

/* The bytes in the tail of (o) (NULL: none). */
size_t net_out_tail_len(const struct net_out *o);

/*
 * As eth_output(), with the offloads and tail of (*o) (NULL: none). With
 * PLAT_NET_GSO_TCP4, the frame may be up to NET_IP4_DATA_MAX + IP4_HLEN
 * bytes after the header, tail included.
 */
int eth_output_meta(struct net *n, struct bw *w, const uint8_t dst[ETH_ALEN],
                    uint16_t type, const struct net_out *o);

#endif
