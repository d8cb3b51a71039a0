/*
 * The IPv4 network stack: one interface with its configuration, its
 * statistics and the state of every layer.
 *
 * An app declares a network device in its manifest (normally "service"),
 * reads its configuration from the command line (net_config_parse), and
 * starts the stack on the device (net_init). From then on the event loop
 * (<pith/ev.h>) drives it: ev_run() reads frames, answers ARP and ping,
 * reassembles fragments and hands UDP datagrams to the sockets of
 * <pith/udp.h>.
 *
 *     static struct net net;
 *     struct net_config c;
 *     char err[128];
 *     if (net_config_parse(argc, argv, &c, err, sizeof err) < 0) ...
 *     if (net_init(&net, "service", &c) < 0) ...
 *     ev_run();
 *
 * Layers, each a module under net/: eth (Ethernet II), arp (RFC 826), ip4
 * (RFC 791, RFC 1122), icmp (RFC 792), udp (RFC 768), and stack (this
 * header: configuration, start-up, the device watcher, timers and
 * statistics), and dhcp (RFC 2131, RFC 2132: the address when none is
 * configured). The manifest line `modules udp` links the layers up to UDP;
 * `modules stack` a stack that answers ARP and ping only; `modules dhcp`
 * adds the DHCP client; `modules tcp` adds TCP (<pith/tcp.h>).
 *
 * Memory: a struct net is owned by the caller and holds every table and
 * buffer the stack uses, sized by the NET_* constants below (about 450
 * KiB; make it static). Nothing is allocated. When a bound is reached the
 * stack drops what does not fit, counts it in struct net_stats, and goes
 * on.
 *
 * Addresses are uint32_t in host byte order: 10.0.0.1 is 0x0a000001.
 * Everything here runs in the event loop's thread; received data is
 * borrowed for the duration of a callback.
 */
#ifndef PITH_NET_H
#define PITH_NET_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>
#include <pith/ev.h>
#include <pith/plat.h>

/* ---- Bounds (build time) -------------------------------------------- */

#define NET_SEC_NS 1000000000ull

/* Largest IPv4 packet the stack sends: a device's MTU is capped to it. */
#define NET_MTU_MAX 1500
/* Largest frame received whole (longer ones arrive truncated and fail
 * the length checks). Jumbo frames from the host are accepted; with the
 * device's receive offloads on, TCP segments of up to 64 KiB
 * (PLAT_NET_GSO_FRAME_MAX). */
#define NET_RX_FRAME_MAX (9216 + 14)
/* Room in front of transport data for the headers below it: Ethernet 14
 * + IPv4 20 + TCP 60 (94 at most; IP options are never sent). */
#define NET_HEADROOM 128
/* Largest IPv4 payload: 65535 less a 20-byte header. */
#define NET_IP4_DATA_MAX 65515

/* ARP (RFC 826). The cache holds NET_ARP_ENTRIES addresses; a full
 * cache evicts its least recently used entry. A resolved entry lives
 * NET_ARP_TTL_NS and is re-checked by a unicast request in its last
 * NET_ARP_REFRESH_NS while in use. An unresolved address is asked for
 * every NET_ARP_RETRY_NS, NET_ARP_TRIES times, then marked failed for
 * NET_ARP_HOLD_NS (packets to it are dropped at once). Packets waiting for
 * an address take one of NET_ARP_PENDING buffers, at most
 * NET_ARP_PENDING_PER per address. */
#define NET_ARP_ENTRIES     64
#define NET_ARP_TTL_NS      (60 * NET_SEC_NS)
#define NET_ARP_REFRESH_NS  (10 * NET_SEC_NS)
#define NET_ARP_RETRY_NS    (1 * NET_SEC_NS)
#define NET_ARP_TRIES       3
#define NET_ARP_HOLD_NS     (3 * NET_SEC_NS)
#define NET_ARP_PENDING     32
#define NET_ARP_PENDING_PER 16

/* IPv4 reassembly (RFC 791, RFC 815 style bookkeeping): at most
 * NET_REASM_SLOTS datagrams at once, each up to NET_IP4_DATA_MAX bytes
 * (so at most NET_REASM_SLOTS * 64 KiB in flight), each given
 * NET_REASM_TIMEOUT_NS from its first fragment. A new datagram when all
 * slots are busy evicts the oldest. */
#define NET_REASM_SLOTS      4
#define NET_REASM_TIMEOUT_NS (30 * NET_SEC_NS)
#define NET_REASM_BLOCKS     ((NET_IP4_DATA_MAX + 7) / 8)

/* ICMP errors (port and protocol unreachable): a token bucket of
 * NET_ICMP_BURST, refilled at NET_ICMP_RATE per second. */
#define NET_ICMP_RATE  100
#define NET_ICMP_BURST 50

/* Transport protocols the IPv4 layer can dispatch to (ICMP, UDP, TCP). */
#define NET_IP4_PROTOS 4
/* Hash buckets for bound UDP ports. */
#define NET_UDP_BUCKETS 16
/* Frames read per turn of the event loop before others get a turn. */
#define NET_RX_BUDGET 256

/* DHCP (RFC 2131 section 4.1): a request unanswered is sent again after
 * NET_DHCP_RETRY_NS, doubled each time up to NET_DHCP_RETRY_MAX_NS, each
 * wait moved by up to a second at random; a REQUEST after an OFFER is
 * sent NET_DHCP_REQUEST_TRIES times before starting over. While renewing
 * or rebinding, a request is repeated after half the time left until T2
 * or the end of the lease, but not sooner than NET_DHCP_RENEW_MIN_NS
 * (section 4.4.5). */
#define NET_DHCP_RETRY_NS      (4 * NET_SEC_NS)
#define NET_DHCP_RETRY_MAX_NS  (64 * NET_SEC_NS)
#define NET_DHCP_REQUEST_TRIES 4
#define NET_DHCP_RENEW_MIN_NS  (60 * NET_SEC_NS)

/* ---- Addresses ------------------------------------------------------ */

/* Room for a dotted quad and its NUL. */
#define NET_IP4_STRLEN 16

/*
 * Parses the dotted quad (s), four decimal numbers 0..255 without leading
 * zeros, into (*a). Returns PITH_OK, or PITH_EINVAL (leaving *a alone).
 */
int net_ip4_parse(const char *s, uint32_t *a);

/* Writes (a) as a dotted quad into (buf) and returns (buf). */
char *net_ip4_format(uint32_t a, char buf[NET_IP4_STRLEN]);

/* ---- Configuration -------------------------------------------------- */

struct net_config {
    uint32_t addr;    /* our address; 0 when none was given: DHCP */
    unsigned prefix;  /* its prefix length, 0..32 */
    uint32_t gateway; /* the default route's gateway; 0: none */
    int no_offload;   /* leave the device's offloads off */
};

/*
 * Reads the stack's options from (argv[1..argc-1]), MirageOS style, into
 * (*c), which it clears first:
 *     --ipv4=ADDR/PREFIX     our address and the on-link prefix
 *     --ipv4-gateway=ADDR    the default gateway (must be on-link)
 *     --no-offload           leave the device's offloads off (checksums
 *                            and TCP segmentation by the host): one frame
 *                            of at most the MTU per write and read
 * Each may also be given as two words ("--ipv4 ADDR/PREFIX"); the last of
 * a repeated option counts. Without --ipv4 (c->addr 0) the stack takes its
 * address from DHCP. Arguments it does not know are ignored, so an
 * app may parse its own from the same argv. Returns PITH_OK, or
 * PITH_EINVAL with a one-line message without newline in (err) (always
 * NUL-terminated when (errlen) > 0), such as
 * "--ipv4=10.0.0.300/24: bad address".
 */
int net_config_parse(int argc, char **argv, struct net_config *c, char *err,
                     size_t errlen);

/* ---- The interface -------------------------------------------------- */

/*
 * Counters, per layer. "drop" counters say why a packet was refused. All
 * count since net_init() except the gauges marked "now".
 */
struct net_stats {
    struct {
        uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
        uint64_t rx_short;     /* shorter than an Ethernet header */
        uint64_t rx_not_us;    /* to another MAC, or multicast */
        uint64_t rx_ethertype; /* neither ARP nor IPv4 */
        uint64_t tx_drop;      /* refused by the device (queue full) */
        uint64_t rx_gso;       /* frames the device merged (RX_TSO4) */
    } eth;
    struct {
        uint64_t rx;
        uint64_t rx_bad;     /* malformed, or not Ethernet/IPv4 */
        uint64_t rx_ignored; /* not for us, or a reply we did not ask for */
        uint64_t conflicts;  /* someone else claims our address */
        uint64_t tx_requests, tx_replies;
        uint64_t entries;       /* now: addresses in the cache */
        uint64_t evictions;     /* entries pushed out by a full cache */
        uint64_t failed;        /* addresses that did not answer */
        uint64_t pending;       /* now: packets waiting for an address */
        uint64_t pending_drops; /* packets dropped unresolved */
    } arp;
    struct {
        uint64_t rx, tx;
        uint64_t rx_bad_header;   /* version, header length, TTL 0 */
        uint64_t rx_bad_length;   /* total length against the frame */
        uint64_t rx_bad_checksum; /* header checksum */
        uint64_t rx_bad_src;      /* broadcast, multicast or our own */
        uint64_t rx_not_us;       /* to another address or multicast */
        uint64_t rx_proto;        /* no such transport protocol */
        uint64_t tx_no_route;     /* off-link and no gateway */
        uint64_t tx_fragments;    /* fragments sent (RFC 791 3.2) */
        uint64_t rx_fragments;    /* fragments received */
        uint64_t reasm_ok;        /* datagrams reassembled */
        uint64_t reasm_active;    /* now: datagrams being reassembled */
        uint64_t reasm_timeouts;  /* given up after the time bound */
        uint64_t reasm_evictions; /* pushed out by a newer datagram */
        uint64_t reasm_overlaps;  /* dropped: fragments disagree */
        uint64_t reasm_bad;       /* dropped: bad fragment geometry */
    } ip4;
    struct {
        uint64_t rx;
        uint64_t rx_bad; /* short or bad checksum */
        uint64_t echo_requests, echo_replies;
        uint64_t rx_ignored;      /* other types, echo to broadcast */
        uint64_t tx_unreach;      /* port/protocol unreachable sent */
        uint64_t rx_unreach;      /* destination unreachable received */
        uint64_t unreach_limited; /* held back by the rate limit */
    } icmp;
    struct {
        uint64_t rx, tx;
        uint64_t rx_bad;      /* short, or length against IP's */
        uint64_t rx_checksum; /* bad checksum */
        uint64_t rx_no_port;  /* no socket bound to the port */
    } udp;
    struct {
        uint64_t tx_discovers, tx_requests;
        uint64_t rx;         /* replies to the client's port */
        uint64_t rx_bad;     /* malformed, bad checksum, not from port 67 */
        uint64_t rx_ignored; /* another xid or MAC, unexpected in the state */
        uint64_t offers, acks, naks;
        uint64_t leases;     /* ACKs taken: bound, renewed or rebound */
        uint64_t renewing;   /* T1 reached: unicast REQUESTs to the server */
        uint64_t rebinding;  /* T2 reached: broadcast REQUESTs */
        uint64_t expired;    /* leases that ran out: address dropped */
        uint64_t rx_unbound; /* IPv4 dropped while without an address */
    } dhcp;
    struct {
        uint64_t rx, tx;           /* segments */
        uint64_t tx_gso;           /* of tx: longer ones the device cut */
        uint64_t tx_gso_segs;      /* the segments it cut them into */
        uint64_t rx_bad;           /* short, malformed options, bad ports */
        uint64_t rx_checksum;      /* bad checksum */
        uint64_t rx_no_conn;       /* to a port or connection we do not have */
        uint64_t rx_unacceptable;  /* outside the window: answered by ACK */
        uint64_t rx_paws;          /* old timestamp (RFC 7323 5) */
        uint64_t rx_ooo;           /* data held out of order */
        uint64_t rx_ooo_drops;     /* out of order, no room to hold it */
        uint64_t rx_mem_drops;     /* data dropped: no buffer memory */
        uint64_t rx_rst;           /* resets taken */
        uint64_t tx_rst;           /* resets sent */
        uint64_t challenge_acks;   /* RFC 5961 */
        uint64_t retransmits;      /* segments sent again */
        uint64_t fast_recoveries;  /* entered on duplicate ACKs or SACK */
        uint64_t lost_retransmits; /* found lost by later data SACKed */
        uint64_t tail_probes;      /* tail loss probes (RFC 8985 7) */
        uint64_t dsacks;           /* duplicates the peer reported (RFC 2883) */
        uint64_t undos;            /* loss episodes found spurious, undone */
        uint64_t timeouts;         /* retransmission timer expiries */
        uint64_t zero_window_probes;
        uint64_t keepalive_probes;
        uint64_t active_opens, passive_opens;
        uint64_t syn_cookies_sent, syn_cookies_ok, syn_cookies_bad;
        uint64_t conn_refused;  /* SYN refused: connection or memory limit */
        uint64_t conn_timeouts; /* given up: no answer (user timeout,
                                   keepalive, SYN retries) */
        uint64_t conn_resets;   /* closed by a peer's RST */
        uint64_t time_wait_reclaimed; /* pushed out by the bound */
        uint64_t pmtu_updates;        /* MSS lowered by ICMP (RFC 1191) */
        uint64_t icmp_ignored;        /* ICMP errors that matched nothing */
        uint64_t conns;               /* now: connections in any state */
        uint64_t established;         /* now: ESTABLISHED or CLOSE_WAIT */
        uint64_t time_wait;           /* now: in TIME_WAIT */
        uint64_t mem;                 /* now: bytes of buffers held */
    } tcp;
};

struct net;
struct ip4_pkt;
struct udp_sock;
struct tcp_stack;
/* A transport protocol's input function (private to the stack). */
typedef void (*net_ip4_input_fn)(struct net *n, struct ip4_pkt *p);

/* Called when (n)'s address changes (net_on_addr()). */
typedef void (*net_addr_fn)(struct net *n, void *arg);

/* Private: the DHCP client's state (state 0: not running). */
struct net_dhcp {
    uint8_t state;            /* DHCP_* of net/dhcp/dhcp.h */
    uint8_t tries;            /* transmissions of the current message */
    uint32_t xid;             /* transaction id of the current exchange */
    uint32_t offered;         /* the address offered (selecting, requesting) */
    uint32_t server;          /* the server chosen, or leasing */
    uint64_t started;         /* when the exchange began: the lease's base */
    uint64_t next;            /* the next transmission or change of state */
    uint64_t t1, t2, expires; /* bound: renew, rebind, end (UINT64_MAX:
                                 never) */
};

/* Private: one ARP cache entry. */
struct net_arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state;   /* ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE, ARP_FAILED */
    uint8_t tries;   /* requests sent while incomplete */
    uint8_t probing; /* reachable, a refresh request is out */
    uint8_t npend;   /* packets queued */
    int16_t pend_head, pend_tail; /* queue: indices into arp_pend */
    uint64_t expires;             /* reachable: until; incomplete: next request;
                                     failed: until freed */
    uint64_t asked;               /* when the last request went out */
    uint64_t used;                /* last use by an upper layer; 0: never */
    uint64_t born;                /* when created (tie-break for eviction) */
};

/* Private: a packet waiting for ARP, with room for its Ethernet header. */
struct net_arp_pend {
    int16_t next; /* next in its entry's queue, or in the free list */
    uint16_t len;
    uint8_t buf[14 + NET_MTU_MAX];
};

/* Private: one datagram being reassembled. */
struct net_reasm {
    uint8_t used;
    uint8_t proto;
    uint16_t id;
    uint32_t src, dst;
    uint32_t total;   /* payload length; 0 until the last fragment */
    uint32_t max_end; /* highest fragment end seen */
    uint32_t blocks;  /* 8-byte blocks received */
    uint16_t hlen;    /* bytes of hdr (the first fragment's header) */
    uint64_t expires;
    uint8_t hdr[60];
    uint8_t map[(NET_REASM_BLOCKS + 7) / 8]; /* blocks received */
    uint8_t data[NET_REASM_BLOCKS * 8];
};

/*
 * One interface and its stack. Owned by the caller, who MUST keep it at
 * the same address from net_init() on. Every field is private: read it
 * through the functions below.
 */
struct net {
    int err; /* sticky: the device failed */
    plat_handle_t dev;
    uint8_t mac[6];
    uint32_t mtu;     /* IP MTU in use: the device's, capped to NET_MTU_MAX */
    uint32_t offload; /* PLAT_NET_CAP_* turned on at net_init() */
    struct plat_net_meta rx_meta; /* of the frame being received */
    uint32_t addr, mask, gateway;
    uint16_t ip_id; /* next IPv4 identification */
    uint16_t udp_next_port;
    int kick; /* a layer made timed work: re-arm the timer */
    struct ev_timer timer;
    struct net_stats st;

    /* arp */
    struct net_arp_entry arp[NET_ARP_ENTRIES];
    int16_t arp_last;      /* entry of the last lookup hit, or -1 */
    int16_t arp_pend_free; /* free list of arp_pend */
    struct net_arp_pend arp_pend[NET_ARP_PENDING];

    /* ip4 */
    struct {
        uint8_t proto;
        net_ip4_input_fn fn;
    } ip4_protos[NET_IP4_PROTOS];
    net_ip4_input_fn ip4_unknown;
    struct net_reasm reasm[NET_REASM_SLOTS];

    /* icmp: the error token bucket, in tokens scaled by NET_SEC_NS */
    uint64_t icmp_tokens, icmp_last;

    /* udp */
    struct udp_sock *udp_bucket[NET_UDP_BUCKETS];

    /* tcp: its state, allocated when first used (net/tcp) */
    struct tcp_stack *tcp;

    /* dhcp, and who hears of a new address */
    struct net_dhcp dhcp;
    net_addr_fn addr_fn;
    void *addr_arg;

    /* Buffers: a datagram being sent, a frame being received. */
    uint8_t tx[NET_HEADROOM + NET_IP4_DATA_MAX];
    uint8_t rx[PLAT_NET_GSO_FRAME_MAX];
};

/*
 * Starts a stack in (*n) on the network device the manifest declares as
 * (dev), with the address and routes of (*c): clears (*n), acquires the
 * device, watches it in the event loop and announces the address by a
 * gratuitous ARP (RFC 5227 section 2.3). When (c) has no address and the
 * app links the dhcp module, starts the DHCP client instead: the
 * interface has no address (it drops IPv4 other than DHCP replies, and
 * sends nothing but DHCP) until a server leases one, and loses it when
 * the lease runs out; net_on_addr() tells when. Returns PITH_OK;
 * PITH_EINVAL when (c) has no address and there is no DHCP client;
 * PITH_ENOENT when the manifest declares no such device; PITH_EIO when
 * the device fails. (*n) MUST NOT be running already (net_close() it
 * first), and MUST then stay at the same address until net_close().
 */
int net_init(struct net *n, const char *dev, const struct net_config *c);

/*
 * Stops (n): the device is no longer watched and its timer is cancelled,
 * so that ev_run() may return. UDP sockets bound to (n) MUST be closed
 * first; TCP connections still there are freed without a word (their
 * pointers die), so net_close() MUST NOT be called from a TCP callback.
 */
void net_close(struct net *n);

/*
 * The sticky error of (n): PITH_OK, or the error (such as PITH_EIO) that
 * stopped it reading its device.
 */
int net_error(const struct net *n);

/* Our address (0: none yet) and the device's MAC address (6 bytes into
 * (mac)). */
uint32_t net_addr(const struct net *n);
void net_mac(const struct net *n, uint8_t mac[6]);

/*
 * Makes (n) call (fn)(n, arg) after each change of its address (a lease
 * taken, moved or lost: read net_addr()); (fn) NULL stops it. Set it after
 * net_init(), which forgets it; the first lease comes from ev_run().
 */
void net_on_addr(struct net *n, net_addr_fn fn, void *arg);

/* Stores (n)'s counters in (*st). */
void net_stats(const struct net *n, struct net_stats *st);

#endif
