/*
 * tcp: the wire and packet faces of TCP (RFC 9293): segment layout, the
 * options of RFC 9293 (MSS), RFC 7323 (window scale, timestamps) and RFC
 * 2018 (SACK), parsing a segment through a view, writing one into a write
 * view with its checksum. The connection engine (the logic face) stands on
 * this, on tcp_seq.h (sequence numbers), tcp_rtt.h (the retransmission
 * timer) and tcp_cookie.h (SYN cookies). Private to the stack (net/).
 *
 * Wire (20 bytes, then options up to 60): source port (2), destination
 * port (2), sequence number (4), acknowledgment number (4), data offset in
 * 32-bit words (high 4 bits) and 4 reserved bits (1), control bits (1),
 * window (2), checksum over the IPv4 pseudo-header, header and data (2),
 * urgent pointer (2); then options, then data.
 *
 * Options are kind (1), length (1, counting kind and length), value; EOL
 * (0) and NOP (1) are a single byte.
 */
#ifndef PITH_NET_TCP_WIRE_H
#define PITH_NET_TCP_WIRE_H

#include <stdint.h>
#include <pith/bv.h>

/* ---- Wire ---- */
#define TCP_HLEN      20
#define TCP_HLEN_MAX  60
#define TCP_OPT_MAX   40 /* TCP_HLEN_MAX - TCP_HLEN */
#define TCP_OFF_SPORT 0
#define TCP_OFF_DPORT 2
#define TCP_OFF_SEQ   4
#define TCP_OFF_ACK   8
#define TCP_OFF_DOFF  12 /* data offset << 4 | reserved */
#define TCP_OFF_FLAGS 13
#define TCP_OFF_WIN   14
#define TCP_OFF_CSUM  16
#define TCP_OFF_URG   18

/* Control bits (RFC 9293 section 3.1; CWR and ECE from RFC 3168). */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* Option kinds and their fixed lengths. */
#define TCP_OPT_EOL       0
#define TCP_OPT_NOP       1
#define TCP_OPT_MSS       2 /* RFC 9293 3.7.1 */
#define TCP_OPT_WSCALE    3 /* RFC 7323 2 */
#define TCP_OPT_SACK_PERM 4 /* RFC 2018 2 */
#define TCP_OPT_SACK      5 /* RFC 2018 3 */
#define TCP_OPT_TS        8 /* RFC 7323 3 */

#define TCP_OLEN_MSS       4
#define TCP_OLEN_WSCALE    3
#define TCP_OLEN_SACK_PERM 2
#define TCP_OLEN_TS        10

#define TCP_WSCALE_MAX  14  /* RFC 7323 2.3: larger shifts are used as 14 */
#define TCP_SACK_MAX    4   /* blocks that fit in 40 bytes of options */
#define TCP_MSS_DEFAULT 536 /* RFC 9293 3.7.1: when a SYN carries no MSS */

/* ---- Packet ---- */

/* Which options a segment carries: bits of tcp_opts.has. */
#define TCP_HAS_MSS       0x01
#define TCP_HAS_WSCALE    0x02
#define TCP_HAS_SACK_PERM 0x04
#define TCP_HAS_TS        0x08
#define TCP_HAS_SACK      0x10

/* A SACK block: the bytes [left, right) were received (RFC 2018 3). */
struct tcp_sack {
    uint32_t left, right;
};

/*
 * The options pith understands. Fields are valid only when their bit is
 * in (has). Unknown options are skipped on parse and never written. When
 * an option appears twice the later one counts.
 */
struct tcp_opts {
    uint8_t has;    /* TCP_HAS_* */
    uint8_t wscale; /* shift count, at most TCP_WSCALE_MAX */
    uint8_t nsack;  /* blocks in sack[], 1..TCP_SACK_MAX with TCP_HAS_SACK */
    uint16_t mss;
    uint32_t ts_val, ts_ecr;
    struct tcp_sack sack[TCP_SACK_MAX];
};

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hlen;  /* header bytes, options included (data offset * 4) */
    uint8_t flags; /* TCP_FIN .. TCP_CWR; the reserved bits are dropped */
    uint16_t win;  /* as on the wire: not scaled */
    uint16_t csum;
    uint16_t urg;
    struct tcp_opts opt;
};

/*
 * Parses the TCP segment (v) (the whole IPv4 payload) into (*h) and the
 * view (*data) of its payload, borrowed from (v). Returns:
 *  - PITH_OK;
 *  - PITH_ERANGE when (v) is shorter than 20 bytes or than the data
 *    offset says; (*data) is then an empty view;
 *  - PITH_EPROTO when the data offset is below 5, or an option is
 *    malformed: a length of 0 or 1, a length byte missing or reaching past
 *    the header, a fixed-length option with another length, a SACK option
 *    whose length is not 2 + 8n with n in 1..4. Option parsing stops at
 *    the bad option (h->opt holds those before it) and the segment MUST
 *    be dropped and counted as bad; (*h) and (*data) are filled as far as
 *    they could be, for logging.
 * A window scale above 14 is stored as 14 (RFC 7323 2.3). Options are
 * recorded whichever the flags (MSS and window scale belong on a SYN):
 * the engine decides what to use. Does not verify the checksum: see
 * tcp_csum_ok().
 */
int tcp_parse(struct bv *v, struct tcp_hdr *h, struct bv *data);

/*
 * Parses the options in (v) (the header bytes after the first 20) into
 * (*o); as for tcp_parse(): PITH_OK, or PITH_EPROTO at a malformed one.
 */
int tcp_parse_opts(struct bv *v, struct tcp_opts *o);

/*
 * Whether the checksum of the segment (v) (header and data: the whole
 * IPv4 payload) from (src) to (dst) verifies, over the IPv4 pseudo-header
 * (RFC 9293 3.1). A view in error never verifies.
 */
int tcp_csum_ok(struct bv *v, uint32_t src, uint32_t dst);

/*
 * Whether (a) and (b) carry the same options with the same values (fields
 * of options absent from both are not compared).
 */
int tcp_opts_equal(const struct tcp_opts *a, const struct tcp_opts *b);

/*
 * The bytes the options of (o) take when written by tcp_push(), padded to
 * a multiple of 4; may exceed TCP_OPT_MAX (then tcp_push() refuses).
 */
unsigned tcp_opts_len(const struct tcp_opts *o);

/*
 * Prepends to the data of (w) a header holding (*h)'s fields and options
 * (h->hlen and h->csum are ignored: the data offset is computed, the
 * reserved bits are 0), with the checksum for (src) to (dst). Options are
 * laid out as Linux does, each aligned on its natural boundary with NOPs:
 * MSS; SACK-permitted with timestamps, or NOP NOP timestamps; NOP window
 * scale; NOP NOP SACK blocks; NOP NOP SACK-permitted alone. Returns
 * PITH_OK; PITH_ERANGE when the options exceed 40 bytes, h->opt.nsack is
 * out of 1..4 with TCP_HAS_SACK, or the segment would exceed 65535 bytes;
 * PITH_ENOMEM with w's error set when the headroom is short or (w) was
 * in error already. (w) is otherwise unchanged on an error.
 */
int tcp_push(struct bw *w, const struct tcp_hdr *h, uint32_t src, uint32_t dst);

/*
 * As tcp_push(); with (partial) set, leaves the checksum partial for the
 * device to complete (PLAT_NET_F_NEEDS_CSUM): the field holds the
 * pseudo-header's sum only, for a segment whose data is (w)'s and (tail)
 * bytes more that go out behind them (struct net_out's tail). (tail) MUST
 * be 0 without (partial).
 */
int tcp_push_csum(struct bw *w, const struct tcp_hdr *h, uint32_t src,
                  uint32_t dst, int partial, uint32_t tail);

/*
 * The sequence space (h) takes with (datalen) bytes of data: the data,
 * and one each for SYN and FIN (RFC 9293 3.4, SEG.LEN).
 */
static inline uint32_t tcp_seg_len(const struct tcp_hdr *h, uint32_t datalen)
{
    return datalen + !!(h->flags & TCP_SYN) + !!(h->flags & TCP_FIN);
}

#endif
