/*
 * icmp: the Internet Control Message Protocol for IPv4 (RFC 792, with RFC
 * 1122 section 3.2.2): answers echo requests, sends destination
 * unreachable for closed ports and unknown protocols (rate limited), and
 * counts and ignores everything else. Private to the stack (net/); apps
 * use <pith/net.h>.
 *
 * TODO: fragmentation needed (type 3 code 4) for path MTU discovery (RFC
 * 1191). The stack sends no DF datagrams yet, so nothing depends on it.
 *
 * Wire: type (1), code (1), checksum over the whole message (2), four
 * bytes whose meaning depends on the type (echo: identifier and sequence
 * number; errors: unused or next-hop MTU), then the body.
 */
#ifndef PITH_NET_ICMP_H
#define PITH_NET_ICMP_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

#include "../ip4/ip4.h"

/* ---- Wire ---- */
#define ICMP_HLEN     8
#define ICMP_OFF_TYPE 0
#define ICMP_OFF_CODE 1
#define ICMP_OFF_CSUM 2
#define ICMP_OFF_REST 4

#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH    3
#define ICMP_ECHO       8

#define ICMP_UNREACH_PROTO    2
#define ICMP_UNREACH_PORT     3
#define ICMP_UNREACH_NEEDFRAG 4

/* How much of the offending datagram an error quotes: all that fits in
 * 576 bytes (RFC 1812 section 4.3.2.3; RFC 792 asks for 8 data bytes at
 * least). */
#define ICMP_QUOTE_MAX (576 - IP4_HLEN - ICMP_HLEN)

/* ---- Packet ---- */
struct icmp_hdr {
    uint8_t type, code;
    uint16_t csum;
    uint32_t rest;
};

/*
 * Parses the ICMP message (v) into (*h) and the view (*body) of what
 * follows the 8-byte header. Returns PITH_OK, or PITH_EPROTO when (v) is
 * shorter than a header. Does not verify the checksum.
 */
int icmp_parse(struct bv *v, struct icmp_hdr *h, struct bv *body);

/*
 * Prepends an 8-byte header with (*h)'s type, code and rest to (w) and
 * sets the checksum over it and the data of (w). Returns PITH_OK, or
 * PITH_ENOMEM with w's error set when there is no headroom.
 */
int icmp_push(struct bw *w, const struct icmp_hdr *h);

/* ---- Logic ---- */

/* Registers ICMP with (n)'s IPv4 layer, also as the answer to unknown
 * protocols, and fills its rate limit bucket. */
void icmp_attach(struct net *n);

/* Handles the ICMP message of datagram (p). */
void icmp_input(struct net *n, struct ip4_pkt *p);

/*
 * Tells the sender of (p) that it is unreachable with (code), quoting it,
 * unless RFC 1122 section 3.2.2 forbids it (p to a broadcast, from an
 * address that is not a unicast host, or an ICMP error itself) or the
 * rate limit holds it back (counted).
 */
void icmp_unreach(struct net *n, const struct ip4_pkt *p, uint8_t code);

#endif
