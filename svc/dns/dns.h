/*
 * dns: the Domain Name System (RFC 1034, RFC 1035) for pith services:
 * names, resource records and messages on the wire (through bounds-checked
 * views), presentation format, zones read from master files, and an
 * authoritative answerer. Used by apps/dns-primary.
 *
 * Faces, as in net/: the wire (constants below), the packet (names,
 * records, messages: name.c, rdata.c, msg.c), the zone (zone.c: master
 * files, RFC 1035 section 5; zonedb.c: the lookup structure), the logic
 * (auth.c: answers, RFC 1034 4.3.2, RFC 2308, RFC 4592, RFC 6672, RFC
 * 6891).
 *
 * Memory: names are fixed 256-byte values on the stack or in caller
 * structs; zones are allocated (malloc) once when loaded and never change
 * afterwards; answering allocates nothing.
 */
#ifndef PITH_SVC_DNS_H
#define PITH_SVC_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>

/* ---- Wire ---------------------------------------------------------- */

#define DNS_HLEN        12
#define DNS_OFF_ID      0
#define DNS_OFF_FLAGS   2
#define DNS_OFF_QDCOUNT 4
#define DNS_OFF_ANCOUNT 6
#define DNS_OFF_NSCOUNT 8
#define DNS_OFF_ARCOUNT 10

/* Flags (the 16 bits after the id). */
#define DNS_QR           0x8000
#define DNS_OPCODE_MASK  0x7800
#define DNS_OPCODE_SHIFT 11
#define DNS_AA           0x0400
#define DNS_TC           0x0200
#define DNS_RD           0x0100
#define DNS_RA           0x0080
#define DNS_Z            0x0040
#define DNS_AD           0x0020
#define DNS_CD           0x0010
#define DNS_RCODE_MASK   0x000f

#define DNS_OPCODE_QUERY  0
#define DNS_OPCODE_NOTIFY 4

#define DNS_RCODE_NOERROR  0
#define DNS_RCODE_FORMERR  1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP   4
#define DNS_RCODE_REFUSED  5
#define DNS_RCODE_NOTAUTH  9
#define DNS_RCODE_BADVERS  16 /* extended: needs OPT (RFC 6891 9) */

#define DNS_CLASS_IN   1
#define DNS_CLASS_CH   3
#define DNS_CLASS_NONE 254
#define DNS_CLASS_ANY  255

#define DNS_T_A          1
#define DNS_T_NS         2
#define DNS_T_CNAME      5
#define DNS_T_SOA        6
#define DNS_T_PTR        12
#define DNS_T_HINFO      13
#define DNS_T_MX         15
#define DNS_T_TXT        16
#define DNS_T_AAAA       28
#define DNS_T_SRV        33
#define DNS_T_NAPTR      35
#define DNS_T_DNAME      39
#define DNS_T_OPT        41
#define DNS_T_DS         43
#define DNS_T_SSHFP      44
#define DNS_T_RRSIG      46
#define DNS_T_NSEC       47
#define DNS_T_DNSKEY     48
#define DNS_T_NSEC3      50
#define DNS_T_NSEC3PARAM 51
#define DNS_T_TLSA       52
#define DNS_T_SVCB       64
#define DNS_T_HTTPS      65
#define DNS_T_IXFR       251
#define DNS_T_AXFR       252
#define DNS_T_ANY        255
#define DNS_T_CAA        257

/* RFC 1035 2.3.4, RFC 6891 */
#define DNS_NAME_MAX  255 /* octets of a name in wire form, root included */
#define DNS_LABEL_MAX 63
#define DNS_UDP_MIN   512   /* payload without EDNS */
#define DNS_EDNS_MAX  4096  /* largest UDP payload we send */
#define DNS_MSG_MAX   65535 /* over TCP, after the length prefix */
#define DNS_RDATA_MAX 65535
/* Compression pointers followed while reading one name: more is a loop
 * (RFC 9267 2). */
#define DNS_PTR_HOPS 126

/* ---- Names --------------------------------------------------------- */

/*
 * A domain name in uncompressed wire form, case preserved: labels, each a
 * length octet and up to 63 octets, ending with the root's 0. (len) counts
 * every octet, the root's included (1 for the root name itself, at most
 * 255); (labels) counts the labels, the root not included.
 */
struct dns_name {
    uint8_t len;
    uint8_t labels;
    uint8_t b[DNS_NAME_MAX];
};

/*
 * Reads the name at offset (*off) of the message (msg), following
 * compression pointers (RFC 1035 4.1.4) only backward: to an offset below
 * the first octet of the run of labels that the pointer ends (so below
 * the pointer itself; a pointer into the name being read is refused), at
 * most DNS_PTR_HOPS of them, into (*n), and moves (*off) past the name as
 * it stands at (*off) (after its first pointer, or its root). Returns
 * PITH_OK; PITH_EPROTO for a label type other than 0 or 0xC0 (RFC 6891
 * retired 0x40; 0x80 is reserved), a pointer forward, to itself or into
 * its own name, too many pointers, a name over 255 octets, or a read past
 * the message (which also sets msg->err). (*n) is undefined on error.
 */
int dns_name_parse(struct bv *msg, size_t *off, struct dns_name *n);

/*
 * Reads the presentation form (s, len) (RFC 1035 5.1: labels separated by
 * dots, \X and \DDD escapes; "@" alone is the origin) into (*n). A name
 * without a trailing dot is relative: (origin) is appended when it is not
 * NULL, else PITH_EINVAL. Returns PITH_OK; PITH_EINVAL for an empty label
 * (two dots, or a leading dot other than the root "."), a label over 63
 * or a name over 255 octets, a bad escape (\DDD above 255).
 */
int dns_name_from_text(struct dns_name *n, const char *s, size_t len,
                       const struct dns_name *origin);

/*
 * Writes (n) in presentation form with a trailing dot, escaping "." "\\"
 * "\"" "(" ")" ";" "@" "$" as \X and bytes outside 0x21..0x7e as \DDD,
 * NUL-terminated into (buf) of (size) bytes (DNS_NAME_TEXT_MAX always
 * fits). Returns the length without the NUL, or PITH_ERANGE when (size)
 * is short (then buf holds an empty string if size > 0).
 */
#define DNS_NAME_TEXT_MAX (4 * DNS_NAME_MAX + 2)
long dns_name_to_text(const struct dns_name *n, char *buf, size_t size);

/* Whether (a) and (b) are the same name, ASCII letters compared without
 * case (RFC 4343). */
int dns_name_eq(const struct dns_name *a, const struct dns_name *b);

/* The canonical order of RFC 4034 6.1 (labels compared from the root,
 * each as lowercased octets): <0, 0, >0. */
int dns_name_cmp(const struct dns_name *a, const struct dns_name *b);

/* Whether (n) is (parent) or below it. */
int dns_name_is_sub(const struct dns_name *n, const struct dns_name *parent);

/* (*out) = (n) without its first (drop) labels; the root when (drop) is
 * n->labels or more. (out) may be (n). */
void dns_name_strip(const struct dns_name *n, unsigned drop,
                    struct dns_name *out);

/* Whether the first label of (n) is "*" (a wildcard owner, RFC 4592). */
int dns_name_is_wild(const struct dns_name *n);

/*
 * (*out) = the label "*" followed by (n): the wildcard that would cover
 * names below (n). PITH_ERANGE when it would be over 255 octets.
 */
int dns_name_wild(const struct dns_name *n, struct dns_name *out);

/*
 * (*out) = (n) with its suffix (from) replaced by (to) (DNAME
 * substitution, RFC 6672 2.2). (n) MUST be below (from) (else
 * PITH_EINVAL). PITH_ERANGE when the result would be over 255 octets
 * (YXDOMAIN). (out) may be (n).
 */
int dns_name_subst(const struct dns_name *n, const struct dns_name *from,
                   const struct dns_name *to, struct dns_name *out);

/* ---- Resource data ------------------------------------------------- */

/*
 * Record data are kept in uncompressed wire form. The types of RFC 1035
 * whose data hold names (NS, CNAME, SOA, PTR, MX, MINFO, MB, MG, MR),
 * those RFC 3597 section 4 says receivers should decompress too (RP,
 * AFSDB, RT, PX, SRV, NAPTR), and KX and DNAME are read with their names
 * decompressed; on write, the names of RFC 1035's types may be
 * compressed, others never.
 */

/*
 * Reads the (rdlen) bytes of record data of (type) at offset (off) of
 * (msg) into (out) (room (cap)) in uncompressed form, setting (*outlen).
 * Checks the layout of the typed records, which must fill (rdlen)
 * exactly: A is 4 bytes, AAAA 16; NS, CNAME, PTR, DNAME, MB, MG, MR a
 * name; SOA two names and 20 bytes; MINFO, RP two names; MX, AFSDB, RT,
 * KX 2 bytes and a name; PX 2 bytes and two names; SRV 6 bytes and a
 * name; NAPTR 4 bytes, three strings and a name; HINFO two strings; TXT
 * one string or more; CAA flags, a tag of 1..255 octets and a value. A
 * name inside, up to its first pointer, never runs past (rdlen); its
 * pointers may lead anywhere before it in (msg). Others are copied as
 * they are (RFC 3597). Returns PITH_OK, PITH_EPROTO when malformed (or
 * not inside (msg)), else PITH_ERANGE when (cap) is short: with (out)
 * NULL and (cap) 0 it only checks the data.
 */
int dns_rdata_parse(struct bv *msg, size_t off, uint16_t rdlen, uint16_t type,
                    uint8_t *out, size_t cap, size_t *outlen);

/* Whether the data of (type) holds a name that may be compressed on
 * write (RFC 3597 4: NS, CNAME, SOA, PTR, MX, MINFO, MB, MG, MR). */
int dns_type_compresses(uint16_t type);

/* The mnemonic of (type) ("A", "TYPE65534" for unknown ones, RFC 3597 5)
 * into (buf) (16 bytes do); returns (buf). And back, without case, any
 * type also as TYPEnnn: PITH_OK or PITH_EINVAL. Known: every DNS_T_*
 * above (OPT, IXFR, AXFR and ANY included: a zone reader must refuse
 * those itself). */
char *dns_type_name(uint16_t type, char buf[16]);
int dns_type_parse(const char *s, size_t len, uint16_t *type);

/* ---- Messages ------------------------------------------------------ */

struct dns_hdr {
    uint16_t id, flags;
    uint16_t qdcount, ancount, nscount, arcount;
};

/* A query, as the answerer needs it. */
struct dns_query {
    struct dns_hdr h;
    uint8_t opcode;
    struct dns_name qname;
    uint16_t qtype, qclass;
    size_t qend;  /* offset after the question */
    uint8_t edns; /* an OPT record was present */
    uint8_t edns_version;
    uint8_t edns_do;   /* the DO bit (RFC 3225) */
    uint16_t edns_udp; /* the requester's UDP payload size (at least 512) */
};

/*
 * Parses the query (msg): header, exactly one question, and from the
 * additional section an OPT record (RFC 6891 6.1.1: at most one, owner
 * the root, options well-formed; an OPT in another section is
 * malformed); other records in the answer, authority and additional
 * sections are skipped, checked as dns_rdata_parse() does, except that
 * empty data pass (RFC 2136 deletions). Bytes after the last record are
 * ignored. Returns:
 *  - PITH_OK;
 *  - PITH_ERANGE when (msg) is shorter than a header: no answer is
 *    possible (drop it);
 *  - PITH_EPROTO when the header was read but the rest is malformed, or
 *    qdcount is not 1, or there are two OPT records: answer FORMERR
 *    (q->h and q->opcode are set; q->qname is valid when q->qend != 0).
 * A message with QR set is refused the same way (PITH_ERANGE: never
 * answer a response).
 */
int dns_query_parse(struct bv *msg, struct dns_query *q);

/*
 * The writer of a message, with name compression (RFC 1035 4.1.4): owner
 * names and the names in the data of compressing types point back to
 * the longest suffix written before, matched without case as NSD does
 * (the earlier spelling then stands for both). Only the first
 * DNS_COMP_MAX label offsets below 0x4000 are remembered, unless the
 * writer is given an index (dns_writer_use_index()). A write that
 * does not fit writes nothing and sets (err); later writes may still
 * fit. Caller-owned, on the stack.
 */
#define DNS_COMP_MAX 128
struct dns_comp_index;
struct dns_writer {
    uint8_t *buf; /* the message */
    size_t cap;   /* room in (buf) */
    size_t len;   /* bytes written */
    size_t limit; /* the size the message must fit (UDP payload size);
                     at most cap */
    int err;      /* sticky: PITH_ERANGE once something did not fit */
    unsigned ncomp;
    uint16_t comp[DNS_COMP_MAX];  /* offsets of names (suffixes) written */
    struct dns_comp_index *index; /* instead of (comp), when not NULL */
};

/* Starts a message in (buf) of (cap) bytes that must fit (limit) bytes
 * (capped at (cap) and DNS_MSG_MAX): reserves the 12-byte header, zeroed.
 * A (limit) below 12 sets (err) and leaves no room at all. */
void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap,
                     size_t limit);

/*
 * A larger memory of the names written, for messages of many names (a
 * zone transfer: NSD remembers every name below offset 0x4000 it wrote):
 * up to DNS_COMP_INDEX_MAX label offsets, found through a hash of the
 * name that starts there rather than by a scan. Caller-owned, about 44
 * KiB, its fields private.
 */
#define DNS_COMP_INDEX_MAX   6144
#define DNS_COMP_INDEX_SLOTS 8192 /* a power of two */
struct dns_comp_index {
    uint16_t off[DNS_COMP_INDEX_SLOTS]; /* 0: an empty slot */
    uint16_t tag[DNS_COMP_INDEX_SLOTS]; /* more bits of the hash */
    uint16_t log[DNS_COMP_INDEX_MAX];   /* the slots, in the order filled */
};

/* Makes (w), just started, remember names in (ix) instead of its own
 * DNS_COMP_MAX offsets, for the rest of its message; clears (ix). */
void dns_writer_use_index(struct dns_writer *w, struct dns_comp_index *ix);

/* Writes (n) at the end, compressed against earlier names when
 * (compress), and records its suffixes for later ones. */
void dns_write_name(struct dns_writer *w, const struct dns_name *n,
                    int compress);

/* Writes a question. */
void dns_write_question(struct dns_writer *w, const struct dns_name *n,
                        uint16_t type, uint16_t cls);

/*
 * Writes a resource record: owner (name), (type), (cls), (ttl), and the
 * uncompressed data (rdata, rdlen) of (type), compressing names inside
 * it when dns_type_compresses(type). Returns PITH_OK, or PITH_ERANGE when
 * it does not fit (limit): the writer is then rolled back to before this
 * record (names it recorded for compression forgotten) and (err) is set,
 * but later, smaller records may still be written; the caller decides
 * (TC for the answer section, silence for the additional section).
 */
int dns_write_rr(struct dns_writer *w, const struct dns_name *name,
                 uint16_t type, uint16_t cls, uint32_t ttl,
                 const uint8_t *rdata, uint16_t rdlen);

/* Writes an OPT record (RFC 6891 6.1.2): our UDP payload size (udp),
 * the extended rcode's upper 8 bits (ercode), version 0, the DO bit; no
 * options. Returns as dns_write_rr(). */
int dns_write_opt(struct dns_writer *w, uint16_t udp, uint8_t ercode,
                  int do_bit);

/* The same with an Extended DNS Error option (RFC 8914) carrying
 * INFO-CODE (ede) and no text, unless (ede) is negative. */
#define DNS_EDNS_EDE              15
#define DNS_EDE_PROHIBITED        18
#define DNS_EDE_NOT_SUPPORTED     21
#define DNS_EDE_NOT_AUTHORITATIVE 20
int dns_write_opt_ede(struct dns_writer *w, uint16_t udp, uint8_t ercode,
                      int do_bit, int ede);

/* Sets the header of the message in (w); the counts are the caller's. */
void dns_write_hdr(struct dns_writer *w, const struct dns_hdr *h);

/* ---- Zones --------------------------------------------------------- */

/*
 * An RRset: the records of one owner, class IN and one type, packed in
 * (data) one after another as TTL (4 bytes, big-endian), data length (2),
 * data (uncompressed wire form), in the order of the zone file, without
 * duplicates (RFC 2181 5: identical records are one).
 */
struct dns_rrset {
    uint16_t type;
    uint16_t count;
    uint32_t size; /* bytes in data */
    const uint8_t *data;
};

/* Iterates over the records of (s): start with (*off) = 0; returns 1
 * with the record's TTL, data and length, or 0 at the end. */
int dns_rrset_next(const struct dns_rrset *s, uint32_t *off, uint32_t *ttl,
                   const uint8_t **rdata, uint16_t *rdlen);

/* The names of a zone that own records, and the empty non-terminals
 * between them (RFC 4592 2.2.2: they exist, with no RRsets). */
struct dns_node {
    struct dns_name name;
    uint16_t nsets;
    const struct dns_rrset *sets; /* sorted by type */
};

/*
 * A zone: its origin and its nodes in the canonical order of RFC 4034
 * 6.1 (so that lookups are binary searches), the origin first. Built by
 * dns_zone_parse(), read-only afterwards.
 */
struct dns_zone {
    struct dns_name origin;
    size_t nnodes;
    struct dns_node *nodes;
    const struct dns_rrset *soa; /* at the origin; always present */
    uint32_t records;            /* records loaded */
    void *mem;                   /* private: what dns_zone_free() frees */
    const uint16_t *order;       /* private: see dns_node_rrset_nth() */
};

/*
 * Reads the master file (text, len) (RFC 1035 5, as NSD and BIND read
 * it: $ORIGIN, $TTL, $INCLUDE refused, @, relative names, blank owners
 * repeating the previous one, parentheses across lines, comments, quoted
 * strings, \X and \DDD escapes, TTL and class in either order, class IN
 * only, the types dns_type_parse() knows in their presentation form,
 * any type as TYPEnnn with RFC 3597 "\# len hex" data) into (*z). The
 * origin is (origin) until a $ORIGIN line; the default TTL is the last
 * $TTL, else the SOA's minimum (RFC 2308 4). The zone MUST have exactly
 * one SOA, at its origin, and every name MUST be at or below the origin.
 * (file) names the text in messages. Returns PITH_OK, or PITH_EINVAL
 * with one line in (err) such as "example.zone:12:9: bad IPv4 address
 * '10.0.0.300'" (file:line:column: what), or PITH_ENOMEM.
 */
int dns_zone_parse(struct dns_zone *z, const char *text, size_t len,
                   const char *file, const struct dns_name *origin, char *err,
                   size_t errlen);

/* Frees what (z) holds; (z) may then be parsed into again. */
void dns_zone_free(struct dns_zone *z);

/*
 * The node named (n) in (z), or NULL. When NULL and (closest) is not
 * NULL, sets (*closest) to the node of the longest existing ancestor of
 * (n) in (z) (the closest encloser of RFC 4592 3.3.1; the origin at
 * worst), for names below the origin.
 */
const struct dns_node *dns_zone_find(const struct dns_zone *z,
                                     const struct dns_name *n,
                                     const struct dns_node **closest);

/* The RRset of (type) at (node), or NULL. */
const struct dns_rrset *dns_node_rrset(const struct dns_node *node,
                                       uint16_t type);

/*
 * The (i)th RRset of (node), a node of (z), in the order in which the
 * zone file first gave a record of each (NSD's order in a zone
 * transfer), or NULL when (i) is node->nsets or more.
 */
const struct dns_rrset *dns_node_rrset_nth(const struct dns_zone *z,
                                           const struct dns_node *node,
                                           unsigned i);

#endif
