/*
 * UDP sockets (RFC 768) on a stack of <pith/net.h>.
 *
 * A socket is a caller-owned struct udp_sock bound to a local port of one
 * interface; datagrams to that port (to our address or a broadcast) are
 * handed to its callback as borrowed views, valid only while the callback
 * runs. Sending copies the data once, into the stack's send buffer, and
 * builds the headers in front of it. Checksums are verified on receipt (a
 * zero checksum, "none computed", is accepted) and always computed on
 * send. A datagram to a port nobody has bound is answered with ICMP port
 * unreachable (rate limited), unless it was sent to a broadcast address.
 *
 *     static void echo(struct udp_sock *s, struct udp_dgram *d, void *arg)
 *     {
 *         size_t len = bv_len(&d->data);
 *         udp_sendto(s, d->src, d->sport, bv_ptr(&d->data, 0, len), len);
 *     }
 *     ...
 *     static struct udp_sock sock;
 *     udp_bind(&sock, &net, 7, echo, NULL);
 */
#ifndef PITH_UDP_H
#define PITH_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

/* Largest payload of one datagram: 65535 - 20 (IPv4) - 8 (UDP). */
#define UDP_DATA_MAX 65507

/* Ephemeral ports (RFC 6335 section 6), for udp_bind() with port 0. */
#define UDP_EPHEMERAL_LO 49152
#define UDP_EPHEMERAL_HI 65535

/* A received datagram, borrowed for the duration of the callback. */
struct udp_dgram {
    uint32_t src, dst; /* dst is our address or a broadcast address */
    uint16_t sport, dport;
    struct bv data; /* the payload */
};

struct udp_sock;
typedef void (*udp_recv_fn)(struct udp_sock *s, struct udp_dgram *d, void *arg);

/* A socket. Every field is private. */
struct udp_sock {
    struct net *net;
    struct udp_sock *next; /* in net->udp_bucket[] */
    udp_recv_fn fn;
    void *arg;
    uint16_t port;
    uint8_t bound;
};

/*
 * Binds (s) to local (port) of (n) (0: any free ephemeral port) and makes
 * it call (fn)(s, d, arg) for each datagram to that port. (s) MUST be
 * zeroed (as a static is) or closed, and MUST stay at the same address
 * until udp_close(). Returns PITH_OK; PITH_EBUSY when the
 * port is bound already or (s) is; PITH_ELIMIT when no ephemeral port is
 * free; PITH_EINVAL when (fn) is NULL.
 */
int udp_bind(struct udp_sock *s, struct net *n, uint16_t port, udp_recv_fn fn,
             void *arg);

/* The local port of bound (s); 0 when it is not bound. */
uint16_t udp_port(const struct udp_sock *s);

/*
 * Sends the (len) bytes at (buf) from (s)'s port to (dst):(dport),
 * fragmenting above the interface's MTU. (buf) is not kept: it may be the
 * view of a datagram being received. Returns PITH_OK when the datagram
 * was sent or queued for address resolution; PITH_EINVAL when (s) is not
 * bound or (dport) is 0; PITH_ERANGE when (len) exceeds UDP_DATA_MAX;
 * PITH_ENOENT when (dst) is off-link and there is no gateway, or its
 * address did not resolve lately; PITH_ELIMIT when a queue bound dropped
 * it; PITH_EAGAIN or PITH_EIO when the device refused a frame. Every
 * failure is counted in net_stats().
 */
int udp_sendto(struct udp_sock *s, uint32_t dst, uint16_t dport,
               const void *buf, size_t len);

/* Unbinds (s); harmless when it is not bound. (s) may then be reused. */
void udp_close(struct udp_sock *s);

#endif
