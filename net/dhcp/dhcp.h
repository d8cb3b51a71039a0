/*
 * dhcp: the DHCP client (RFC 2131, options of RFC 2132) that gives a stack
 * its address when none is configured. Private to the stack (net/); apps
 * use <pith/net.h> (net_init() without an address, net_on_addr()).
 *
 * Wire (RFC 2131 section 2, figure 1; 236 bytes, then the options): op
 * (1: 1 request, 2 reply), htype (1), hlen (1), hops (1), xid (4), secs
 * (2), flags (2: the top bit asks for broadcast replies), ciaddr (4),
 * yiaddr (4), siaddr (4), giaddr (4), chaddr (16), sname (64), file (128),
 * then the magic cookie 99.130.83.99 and options: code (1), length (1),
 * data, except Pad (0) and End (255), which are one byte. Option Overload
 * (52) puts more options in file and sname. Client port 68, server 67.
 */
#ifndef PITH_NET_DHCP_H
#define PITH_NET_DHCP_H

#include <stdint.h>
#include <pith/bv.h>
#include <pith/net.h>

/* ---- Wire ---- */
#define DHCP_OFF_OP     0
#define DHCP_OFF_HTYPE  1
#define DHCP_OFF_HLEN   2
#define DHCP_OFF_XID    4
#define DHCP_OFF_SECS   8
#define DHCP_OFF_FLAGS  10
#define DHCP_OFF_CIADDR 12
#define DHCP_OFF_YIADDR 16
#define DHCP_OFF_SIADDR 20
#define DHCP_OFF_CHADDR 28
#define DHCP_OFF_SNAME  44
#define DHCP_OFF_FILE   108
#define DHCP_OFF_COOKIE 236
#define DHCP_OFF_OPTS   240
#define DHCP_SNAME_LEN  64
#define DHCP_FILE_LEN   128
#define DHCP_COOKIE     0x63825363u
#define DHCP_MIN_LEN    300 /* RFC 1542 section 2.1: BOOTP's minimum */

#define DHCP_OP_REQUEST 1
#define DHCP_OP_REPLY   2
#define DHCP_HTYPE_ETH  1
#define DHCP_FLAG_BCAST 0x8000

#define DHCP_PORT_SERVER 67
#define DHCP_PORT_CLIENT 68

/* Options (RFC 2132). */
#define DHCP_OPT_PAD      0
#define DHCP_OPT_MASK     1
#define DHCP_OPT_ROUTER   3
#define DHCP_OPT_REQ_ADDR 50
#define DHCP_OPT_LEASE    51
#define DHCP_OPT_OVERLOAD 52
#define DHCP_OPT_TYPE     53
#define DHCP_OPT_SERVER   54
#define DHCP_OPT_PARAMS   55
#define DHCP_OPT_T1       58
#define DHCP_OPT_T2       59
#define DHCP_OPT_END      255

/* Message types (option 53). */
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_DECLINE  4
#define DHCP_ACK      5
#define DHCP_NAK      6
#define DHCP_RELEASE  7

/* ---- Packet ---- */

/* Which options a message carried (struct dhcp_msg.has). */
#define DHCP_HAS_MASK   0x01
#define DHCP_HAS_ROUTER 0x02
#define DHCP_HAS_LEASE  0x04
#define DHCP_HAS_SERVER 0x08
#define DHCP_HAS_T1     0x10
#define DHCP_HAS_T2     0x20

struct dhcp_msg {
    uint8_t op, htype, hlen;
    uint8_t type; /* option 53; 0 when absent (BOOTP) */
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr;
    uint8_t chaddr[6]; /* the first six bytes of the field */
    unsigned has;      /* DHCP_HAS_* */
    uint32_t mask;     /* option 1 */
    uint32_t router;   /* option 3: the first router */
    uint32_t lease;    /* option 51, seconds; 0xffffffff: infinite */
    uint32_t server;   /* option 54 */
    uint32_t t1, t2;   /* options 58 and 59, seconds */
};

/*
 * Parses the DHCP message (v) (a UDP payload) into (*m), reading the
 * options of the options field and, when Option Overload says so, of the
 * file and sname fields (RFC 2132 section 9.3). Options it does not know
 * are skipped; an option may end the field without End. Returns PITH_OK;
 * PITH_ERANGE when (v) is shorter than the fixed part and cookie;
 * PITH_EPROTO when the cookie is wrong, an option runs past its field, or
 * a known option has a bad length (type and overload 1 byte; mask, lease,
 * server, T1 and T2 4 bytes; routers a nonzero multiple of 4).
 */
int dhcp_parse(struct bv *v, struct dhcp_msg *m);

/*
 * Appends to (w) a client message of (type) (DHCP_DISCOVER, _REQUEST,
 * _DECLINE, _RELEASE) with transaction (xid), (secs), (flags), (ciaddr)
 * and hardware address (mac); (reqaddr) and (server), when not 0, go in
 * options 50 and 54. It asks for options 1, 3, 51, 54, 58 and 59, and is
 * padded to DHCP_MIN_LEN bytes. Returns PITH_OK or PITH_ENOMEM (w's
 * error set).
 */
int dhcp_write(struct bw *w, uint8_t type, uint32_t xid, uint16_t secs,
               uint16_t flags, uint32_t ciaddr, const uint8_t mac[6],
               uint32_t reqaddr, uint32_t server);

/* ---- Logic (RFC 2131 section 4.4, figure 5) ---- */

/* States (struct net_dhcp.state); 0 is "not running". */
#define DHCP_OFF        0
#define DHCP_INIT       1 /* about to send a DISCOVER */
#define DHCP_SELECTING  2 /* DISCOVER sent, waiting for an OFFER */
#define DHCP_REQUESTING 3 /* REQUEST for an offer sent, waiting for ACK */
#define DHCP_BOUND      4
#define DHCP_RENEWING   5 /* past T1: REQUESTs to the server */
#define DHCP_REBINDING  6 /* past T2: REQUESTs to any server */

/*
 * Starts the client on (n), which has no address: the first DISCOVER goes
 * out at the next tick, within 256 ms (a little spread, RFC 2131 section
 * 4.4.1, without the 1 to 10 s it suggests: a unikernel boots alone).
 * Sets n->kick. Returns PITH_OK. net_init() calls it.
 */
int dhcp_start(struct net *n);

/*
 * Looks at the IPv4 packet (pkt) of a frame for us: when it is an
 * unfragmented UDP datagram to port 68, it is DHCP's: checks it, counts
 * it, runs the state machine and returns 1. Otherwise returns 0 and
 * touches nothing (the IPv4 layer gets it).
 */
int dhcp_input(struct net *n, struct bv *pkt);

/*
 * Does the timed work due at (now): retransmissions, T1, T2, the end of
 * the lease. Returns the time of the next, or UINT64_MAX.
 */
uint64_t dhcp_tick(struct net *n, uint64_t now);

#endif
