/*
 * udp: the wire and packet faces of UDP (RFC 768) and its input, for the
 * stack and the tests. The socket API is <pith/udp.h>.
 *
 * Wire (8 bytes): source port (2), destination port (2), length of header
 * and data (2), checksum over a pseudo-header (source, destination, zero,
 * protocol, UDP length), the header and the data (2); 0 means "none".
 */
#ifndef PITH_NET_UDP_WIRE_H
#define PITH_NET_UDP_WIRE_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>
#include <pith/udp.h>

#include "../ip4/ip4.h"

/* ---- Wire ---- */
#define UDP_HLEN      8
#define UDP_OFF_SPORT 0
#define UDP_OFF_DPORT 2
#define UDP_OFF_LEN   4
#define UDP_OFF_CSUM  6

/* ---- Packet ---- */
struct udp_hdr {
    uint16_t sport, dport, len, csum;
};

/*
 * Parses the UDP datagram at the start of (v) into (*h) and the view
 * (*data) of its payload, which ends where the length field says (bytes
 * of (v) after it are ignored). Returns PITH_OK, or PITH_ERANGE when (v)
 * is shorter than a header or than the length field, or the length field
 * is below 8. Does not verify the checksum: see udp_csum_ok().
 */
int udp_parse(struct bv *v, struct udp_hdr *h, struct bv *data);

/*
 * Whether the checksum of the datagram (v) (header and data, exactly
 * h->len bytes) from (src) to (dst) verifies; a zero checksum field always
 * does (RFC 768: the sender computed none).
 */
int udp_csum_ok(struct bv *v, uint32_t src, uint32_t dst);

/*
 * Prepends the header for ports (sport) to (dport) to the data of (w),
 * with the length and the checksum for (src) to (dst) (a computed 0 is
 * sent as 0xffff). Returns PITH_OK, or PITH_ENOMEM with w's error set
 * when there is no headroom, PITH_ERANGE when the data exceeds
 * UDP_DATA_MAX.
 */
int udp_push(struct bw *w, uint16_t sport, uint16_t dport, uint32_t src,
             uint32_t dst);

/* ---- Logic ---- */

/* Registers UDP with (n)'s IPv4 layer. net_init() calls it when the app
 * links the udp module. */
void udp_attach(struct net *n);

/* Handles the UDP datagram of (p): to its socket, or port unreachable. */
void udp_input(struct net *n, struct ip4_pkt *p);

#endif
