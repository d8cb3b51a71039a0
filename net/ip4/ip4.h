/*
 * ip4: IPv4 (RFC 791, with the host requirements of RFC 1122): header
 * checks, delivery by protocol number, routing (on-link or the default
 * gateway), fragmentation on send and reassembly on receipt, and the
 * Internet checksum (RFC 1071). Private to the stack (net/); apps use
 * <pith/net.h>.
 *
 * Wire (20 bytes, then options up to 60): version and header length in
 * 32-bit words (1), TOS (1), total length (2), identification (2), flags
 * and fragment offset in 8-byte units (2), TTL (1), protocol (1), header
 * checksum (2), source (4), destination (4).
 */
#ifndef PITH_NET_IP4_H
#define PITH_NET_IP4_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

struct net_out; /* eth.h */

/* ---- Wire ---- */
#define IP4_HLEN      20
#define IP4_HLEN_MAX  60
#define IP4_OFF_VIHL  0
#define IP4_OFF_TOS   1
#define IP4_OFF_LEN   2
#define IP4_OFF_ID    4
#define IP4_OFF_FRAG  6
#define IP4_OFF_TTL   8
#define IP4_OFF_PROTO 9
#define IP4_OFF_CSUM  10
#define IP4_OFF_SRC   12
#define IP4_OFF_DST   16

#define IP4_DF       0x4000 /* don't fragment */
#define IP4_MF       0x2000 /* more fragments */
#define IP4_OFF_MASK 0x1fff /* fragment offset, 8-byte units */
#define IP4_OPT_EOL  0      /* End of Option List (RFC 791 3.1) */
#define IP4_OPT_NOP  1      /* No Operation */

#define IP4_PROTO_ICMP 1
#define IP4_PROTO_TCP  6
#define IP4_PROTO_UDP  17

#define IP4_TTL       64 /* RFC 1700's recommended default */
#define IP4_BROADCAST 0xffffffffu

/* ---- The Internet checksum (RFC 1071) ---- */

/*
 * Adds the bytes of (v), as big-endian 16-bit words, to the ones'
 * complement sum (sum) and returns the new sum, folded to 16 bits. Only
 * the last piece of a checksummed run may have an odd length. An empty
 * view or one in error adds nothing.
 */
uint32_t ip4_csum_add(uint32_t sum, struct bv *v);

/* The ones' complement sum of the pseudo-header of TCP and UDP. */
uint32_t ip4_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
                         uint32_t len);

/*
 * Completes a partial checksum in the data of (w), as a device does for
 * PLAT_NET_F_NEEDS_CSUM: sums the bytes from (start) to the end, the
 * field at (start + offset) holding the pseudo-header's sum, and stores
 * the result in that field. Sets w's error when the field is outside.
 */
void ip4_csum_complete(struct bw *w, size_t start, size_t offset);

/* The checksum field for (sum): its complement. 0 means "verifies" when
 * the sum ran over a field holding a checksum. */
static inline uint16_t ip4_csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- Packet ---- */
struct ip4_hdr {
    uint8_t hlen; /* header bytes, options included */
    uint8_t tos;
    uint16_t len; /* total length */
    uint16_t id;
    uint16_t frag; /* flags and offset, as on the wire */
    uint8_t ttl, proto;
    uint16_t csum;
    uint32_t src, dst;
};

/*
 * Parses the packet (v) into (*h), the view (*hdr) of its header (options
 * included) and (*data) of its payload, both borrowed from (v) and ending
 * at the total length (bytes after it, such as Ethernet padding, are not
 * in them). Returns PITH_OK; PITH_EPROTO when the version is not 4, the
 * header length below 20, or an option's length is below 2 or runs past
 * the header (RFC 791 3.1; options are not interpreted, only walked);
 * PITH_ERANGE when the header or the total length does not fit in (v) or
 * the total length is below the header length. Does not verify the
 * checksum.
 */
int ip4_parse(struct bv *v, struct ip4_hdr *h, struct bv *hdr, struct bv *data);

/*
 * Prepends a 20-byte header (no options; h->hlen and h->csum are ignored)
 * holding (*h)'s fields to (w), with the checksum computed. Returns PITH_OK,
 * or PITH_ENOMEM with w's error set when there is no headroom.
 */
int ip4_push(struct bw *w, const struct ip4_hdr *h);

/*
 * Whether the device vouched for the transport checksum of the frame
 * being received (n->rx_meta), an unfragmented packet whose IPv4 header
 * is (ihl) bytes: verified by the host (DATA_VALID), or left partial by
 * a sender on the host (NEEDS_CSUM, then starting right after that
 * header), which Linux never puts on the wire, so nothing was damaged.
 */
int ip4_csum_vouched(const struct net *n, size_t ihl);

/* ---- Logic ---- */

/* A datagram for us, as handed to a transport protocol. Borrowed: the
 * views hold for the duration of the call. */
struct ip4_pkt {
    uint32_t src, dst;
    uint8_t proto, ttl;
    uint8_t bcast;   /* to a broadcast address, IP or link: no replies */
    uint8_t csum_ok; /* the device vouched for the transport checksum
                        (PLAT_NET_CAP_RX_CSUM): not verified again */
    struct bv hdr;   /* the header as received, options included */
    struct bv data;  /* the payload (reassembled, if it came in pieces) */
};

/*
 * Makes (fn) the input of transport (proto) in (n) (again: harmless).
 * Returns PITH_OK, or PITH_ELIMIT when NET_IP4_PROTOS protocols are
 * registered already.
 */
int ip4_register(struct net *n, uint8_t proto, net_ip4_input_fn fn);

/* Makes (fn) the input of every protocol nobody registered (the ICMP
 * protocol-unreachable answer). */
void ip4_set_unknown(struct net *n, net_ip4_input_fn fn);

/*
 * Handles the IPv4 packet (v) of a frame for us; (l2bcast) says the frame
 * was sent to the Ethernet broadcast address. Checks the header, drops
 * (and counts) what is not for us, reassembles fragments and delivers the
 * datagram to its protocol.
 */
void ip4_input(struct net *n, struct bv *v, int l2bcast);

/* Whether (a) is a broadcast address for (n): limited or its prefix's. */
int ip4_is_bcast(const struct net *n, uint32_t a);

/*
 * The next hop toward (dst): (dst) itself on-link, IP4_BROADCAST for a
 * broadcast, else the gateway. Returns PITH_OK, or PITH_ENOENT when there
 * is no route (no gateway, no address, or (dst) is ours, 0 or multicast).
 */
int ip4_route(const struct net *n, uint32_t dst, uint32_t *nexthop);

/*
 * Sends the data of (w), a payload of protocol (proto), from our address
 * to (dst), in fragments when it does not fit the MTU. (w) MUST have
 * ETH_HLEN + IP4_HLEN bytes of headroom; it is consumed: its bytes are
 * overwritten. Returns PITH_OK when sent or queued for ARP; PITH_ERANGE
 * when (w) holds more than NET_IP4_DATA_MAX bytes; PITH_ENOENT when there
 * is no route; else as arp_output() for the first fragment that failed
 * (the rest are then not sent). Counted in every case.
 */
int ip4_output(struct net *n, struct bw *w, uint32_t dst, uint8_t proto);

/*
 * As ip4_output(), with the offloads and tail of (*o) (NULL: none; see
 * struct net_out), whose offsets count from the payload's start. A
 * payload with PLAT_NET_GSO_TCP4 goes as one packet of up to
 * NET_IP4_DATA_MAX bytes, tail included, which the device cuts; without
 * it, one that does not fit the MTU returns PITH_EINVAL (offloads are not
 * fragmented), as does a tail without it.
 */
int ip4_output_meta(struct net *n, struct bw *w, uint32_t dst, uint8_t proto,
                    const struct net_out *o);

/*
 * Does the timed work due at (now) (reassemblies out of time) and returns
 * the time of the next, or UINT64_MAX.
 */
uint64_t ip4_tick(struct net *n, uint64_t now);

/* ---- Reassembly (RFC 791 section 3.2, RFC 815) ---- */

/*
 * Adds the fragment with header (*h), header bytes (hdr) and payload
 * (data) to its datagram. A datagram is identified by (source,
 * destination, protocol, identification). A fragment whose geometry no
 * sender produces (empty, past 65515 bytes, or not ending on an 8-byte
 * boundary while more follow) is dropped. Bytes received twice must agree
 * and the end must not move: otherwise the whole datagram is dropped
 * (RFC 5722 reasoning; an identical retransmission is fine). Returns the
 * completed datagram (payload in r->data[0, r->total), header in
 * r->hdr[0, r->hlen)), which the caller MUST give back with
 * ip4_reasm_free() before the next call; NULL otherwise.
 */
struct net_reasm *ip4_reasm_add(struct net *n, const struct ip4_hdr *h,
                                struct bv *hdr, struct bv *data, uint64_t now);

void ip4_reasm_free(struct net *n, struct net_reasm *r);

/* Drops reassemblies out of time at (now); returns the next deadline. */
uint64_t ip4_reasm_tick(struct net *n, uint64_t now);

/* Datagrams being reassembled now. */
uint64_t ip4_reasm_active(const struct net *n);

#endif
