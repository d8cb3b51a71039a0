/*
 * nettest: the harness of the net/ unit tests and fuzz targets (never
 * linked into an image). It implements the platform contract with fakes:
 * a clock the test sets (nt_now), one network device "service" (handle 0,
 * MAC nt_mac, MTU nt_mtu) whose writes are captured in nt_out[] and
 * checked against the contract, and whose reads come from a queue the
 * test fills. It also builds the frames a peer on the link would send:
 * the peer is 10.0.0.1 (nt_peer_mac), the stack under test 10.0.0.2/24
 * with the peer as its gateway.
 */
#ifndef PITH_NET_NETTEST_H
#define PITH_NET_NETTEST_H

#include <stddef.h>
#include <stdint.h>
#include <pith/net.h>

#include "../arp/arp.h"
#include "../eth/eth.h"
#include "../icmp/icmp.h"
#include "../ip4/ip4.h"
#include "../udp/udp_wire.h"
#include "stack.h"

#define NT_ADDR  0x0a000002u /* 10.0.0.2, the stack under test */
#define NT_PEER  0x0a000001u /* 10.0.0.1, its neighbour and gateway */
#define NT_OTHER 0x0a000003u /* 10.0.0.3, a silent neighbour */
#define NT_FAR   0x08080808u /* 8.8.8.8, off-link */

#define NT_MS 1000000ull

extern const uint8_t nt_mac[6], nt_peer_mac[6];

/* Frames the stack wrote since nt_clear(): nt_nout of them, the first
 * NT_OUT_MAX kept. */
#define NT_OUT_MAX 128
struct nt_frame {
    size_t len; /* a longer frame (offloads) keeps its first bytes in b */
    struct plat_net_meta meta; /* plat_net_write_meta()'s; zero: none */
    uint8_t b[NET_RX_FRAME_MAX];
};
extern struct nt_frame nt_out[NT_OUT_MAX];
extern size_t nt_nout;
/* Writes that broke the contract (length below 14 or above MTU + 14). */
extern size_t nt_bad_writes;

extern uint64_t nt_now; /* the monotonic clock, ns */
extern uint32_t nt_mtu; /* the device MTU net_init() will see */
extern int nt_write_rc; /* what plat_net_write() returns */
extern int nt_read_rc;  /* what plat_net_read() returns with no frame */
extern int nt_entropy_rc;
/* The offloads the device offers (PLAT_NET_CAP_*; none after nt_reset())
 * and those the stack turned on. */
extern uint32_t nt_caps, nt_offload;

/* Resets the fakes: clock at 1 s, MTU 1500, no frames either way. */
/* The Internet checksum of (len) bytes at (p), computed the slow way
 * (RFC 1071: 16-bit big-endian words, carries folded): the reference the
 * stack's fast sum is checked against. */
uint16_t nt_ref_csum(const uint8_t *p, size_t len);
/* The same, starting from (sum): e.g. a pseudo-header's sum. */
uint16_t nt_ref_csum_from(const uint8_t *p, size_t len, uint32_t sum);

void nt_reset(void);
/* Forgets the frames written so far. */
void nt_clear(void);

/*
 * nt_reset(), then net_init() of (n) as 10.0.0.2/24 via 10.0.0.1 on
 * "service" (net_close() first when (n) was up), then nt_clear(). Returns
 * net_init()'s result.
 */
int nt_up(struct net *n);

/* nt_up() on a device that offers the offloads (caps); with (no_offload),
 * as the option --no-offload. */
int nt_up_caps(struct net *n, uint32_t caps, int no_offload);

/* Queues the frame (f, len) for plat_net_read(). At most 320 wait. */
void nt_rx_push(const void *f, size_t len);

/* Hands the frame (f, len) to net_input(). */
void nt_input(struct net *n, const void *f, size_t len);

/* The same, as come from the device with the metadata (*m). */
void nt_input_meta(struct net *n, const void *f, size_t len,
                   const struct plat_net_meta *m);

/* Makes (n) learn the peer's MAC (the peer asks for us), then
 * nt_clear(). */
void nt_learn_peer(struct net *n);

/* ---- Frames from the peer: each builder writes into (f), which has room
 * for NET_RX_FRAME_MAX bytes, and returns the frame's length. ---- */

size_t nt_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t spa,
              const uint8_t tha[6], uint32_t tpa, const uint8_t dst[6]);

/* IPv4 from (src) to (dst), to our MAC, TTL 64, checksummed, no options. */
size_t nt_ip4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
              uint16_t id, uint16_t frag, const void *data, size_t len);

/* A UDP datagram, checksummed, unfragmented. */
size_t nt_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst,
              uint16_t dport, const void *data, size_t len);

/* The ICMP echo request message (not a frame) into (m); its length. */
size_t nt_echo_msg(uint8_t *m, uint16_t id, uint16_t seq, const void *data,
                   size_t len);

/* ---- Frames from the stack ---- */

/* Parses nt_out[i] as IPv4: 0 with (*h) and its payload (*data) when it
 * is an IPv4 frame to a unicast MAC with a good header checksum. */
int nt_out_ip4(size_t i, struct ip4_hdr *h, struct bv *data);

/* Parses nt_out[i] as ARP: 0 with (*eh) and (*a). */
int nt_out_arp(size_t i, struct eth_hdr *eh, struct arp_pkt *a);

/*
 * Reassembles the IPv4 fragments nt_out[first..first+count) (in order, as
 * the stack sends them) into (buf) of (size) bytes; returns the payload
 * length, or -1 when they are not one well-formed fragment train.
 */
long nt_out_reassemble(size_t first, size_t count, uint8_t *buf, size_t size);

/* ---- Fuzzing ---- */

/* How nt_fuzz() wraps each frame chunk of its input. */
#define NT_WRAP_NONE 0 /* the chunk is the whole frame */
#define NT_WRAP_ETH  1 /* chunk[0] picks type and MAC; the rest is payload */
#define NT_WRAP_IP4  2 /* IPv4 payload of a frame to us */
#define NT_WRAP_ICMP 3 /* ICMP message in IPv4 from the peer */
#define NT_WRAP_UDP  4 /* UDP datagram in IPv4 from the peer */

/*
 * Runs the program (data, size) against a fresh stack, its device's
 * offloads on, with a UDP echo socket on port 7: a sequence of chunks,
 * each an opcode byte, a 16-bit big-endian length and that many bytes
 * (fewer at the end). Opcode % 4: 0 delivers the bytes as a frame,
 * wrapped per (wrap), with checksum metadata from the opcode's high bits; 1
 * moves the clock by length * 10 ms and runs due timers; 2 sends a UDP datagram
 * of (length) bytes to a neighbour, the gateway or far away; 3 re-learns the
 * peer. After every step it checks the stack's invariants (bounds, queue
 * accounting, frames within the MTU) and traps when one fails.
 */
void nt_fuzz(const uint8_t *data, size_t size, int wrap);

#endif
