/*
 * dns: messages (dns.h, "Messages"): queries read, responses written with
 * name compression, and the iterator over a zone's packed RRsets.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pith/bv.h>
#include <pith/err.h>

#include "dns.h"

/* RFC 1035 3.3 types whose data a writer may compress (RFC 3597 4), not
 * in dns.h. */
#define T_MB    7
#define T_MG    8
#define T_MR    9
#define T_MINFO 14

/* A compression pointer holds a 14-bit offset (RFC 1035 4.1.4). */
#define PTR_LIMIT 0x4000

/* ---- Queries ------------------------------------------------------- */

/* RFC 6891 6.1.2: the options of an OPT record must fill its data
 * exactly; each is a code, a length and that many bytes. */
static int opt_options_ok(struct bv *msg, size_t off, uint16_t rdlen)
{
    struct bv d = bv_sub(msg, off, rdlen);

    while (bv_len(&d) > 0)
        bv_shift(&d, 4u + bv_be16(&d, 2));
    return bv_ok(&d);
}

/*
 * Reads the record at (*off) and moves (*off) past it. An OPT record
 * (only in the additional section, at most one, owned by the root: RFC
 * 6891 6.1.1) fills in q's EDNS fields; any other must have its type's
 * layout, except that data may be empty, as in the prerequisites and
 * deletions of UPDATE (RFC 2136 2.4, 2.5).
 */
static int skip_rr(struct bv *msg, size_t *off, int additional,
                   struct dns_query *q)
{
    struct dns_name owner;
    uint16_t type, cls, rdlen;
    uint32_t ttl;
    size_t o = *off, n;

    if (dns_name_parse(msg, &o, &owner) != PITH_OK)
        return PITH_EPROTO;
    type = bv_be16(msg, o);
    cls = bv_be16(msg, o + 2);
    ttl = bv_be32(msg, o + 4);
    rdlen = bv_be16(msg, o + 8);
    o += 10;
    (void)bv_sub(msg, o, rdlen);
    if (!bv_ok(msg))
        return PITH_EPROTO;
    if (type == DNS_T_OPT) {
        if (!additional || q->edns || owner.len != 1 ||
            !opt_options_ok(msg, o, rdlen))
            return PITH_EPROTO;
        q->edns = 1;
        /* The TTL field: extended rcode, version, DO, Z (RFC 6891
         * 6.1.3, RFC 3225 3). */
        q->edns_version = (uint8_t)(ttl >> 16);
        q->edns_do = (uint8_t)(ttl >> 15 & 1);
        /* A payload size below 512 counts as 512 (RFC 6891 6.2.3). */
        q->edns_udp = cls < DNS_UDP_MIN ? DNS_UDP_MIN : cls;
    } else if (rdlen != 0 && dns_rdata_parse(msg, o, rdlen, type, NULL, 0,
                                             &n) == PITH_EPROTO) {
        return PITH_EPROTO;
    }
    *off = o + rdlen;
    return PITH_OK;
}

int dns_query_parse(struct bv *msg, struct dns_query *q)
{
    size_t off = DNS_HLEN;
    uint32_t i, nrr;

    memset(q, 0, sizeof *q);
    q->edns_udp = DNS_UDP_MIN;
    if (bv_len(msg) < DNS_HLEN || !bv_ok(msg))
        return PITH_ERANGE;
    q->h.id = bv_be16(msg, DNS_OFF_ID);
    q->h.flags = bv_be16(msg, DNS_OFF_FLAGS);
    q->h.qdcount = bv_be16(msg, DNS_OFF_QDCOUNT);
    q->h.ancount = bv_be16(msg, DNS_OFF_ANCOUNT);
    q->h.nscount = bv_be16(msg, DNS_OFF_NSCOUNT);
    q->h.arcount = bv_be16(msg, DNS_OFF_ARCOUNT);
    q->opcode = (uint8_t)((q->h.flags & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT);
    if (q->h.flags & DNS_QR)
        return PITH_ERANGE;
    if (q->h.qdcount != 1)
        return PITH_EPROTO;
    if (dns_name_parse(msg, &off, &q->qname) != PITH_OK)
        return PITH_EPROTO;
    q->qtype = bv_be16(msg, off);
    q->qclass = bv_be16(msg, off + 2);
    if (!bv_ok(msg))
        return PITH_EPROTO;
    off += 4;
    q->qend = off;
    /* Each record takes at least 11 bytes, so the loop ends at the end of
     * the message whatever the counts say. */
    nrr = (uint32_t)q->h.ancount + q->h.nscount + q->h.arcount;
    for (i = 0; i < nrr; i++) {
        int additional = i >= (uint32_t)q->h.ancount + q->h.nscount;

        if (skip_rr(msg, &off, additional, q) != PITH_OK)
            return PITH_EPROTO;
    }
    return PITH_OK;
}

/* ---- The writer ---------------------------------------------------- */

/*
 * Every write goes through a write view of the room after the message
 * (tail()): a record is built there whole and becomes part of the message
 * only if it all fit (commit()), so that nothing needs undoing but the
 * compression offsets it recorded.
 */
static struct bw tail(const struct dns_writer *w)
{
    return bw_make(w->buf, w->limit, w->len);
}

/* Forgets the names recorded after the first (ncomp). With an index,
 * its entries go in the reverse of the order they came, which leaves its
 * probe chains as they were. */
static void set_ncomp(struct dns_writer *w, unsigned ncomp)
{
    struct dns_comp_index *ix = w->index;

    while (ix && w->ncomp > ncomp) {
        uint16_t slot = ix->log[--w->ncomp];
        ix->off[slot] = 0;
    }
    w->ncomp = ncomp;
}

static int commit(struct dns_writer *w, const struct bw *b, unsigned ncomp)
{
    if (!bw_ok(b)) {
        set_ncomp(w, ncomp);
        w->err = PITH_ERANGE;
        return PITH_ERANGE;
    }
    w->len += b->len;
    return PITH_OK;
}

static void put16(struct bw *b, uint16_t x)
{
    uint8_t v[2] = {(uint8_t)(x >> 8), (uint8_t)x};

    bw_append(b, v, 2);
}

static void put32(struct bw *b, uint32_t x)
{
    put16(b, (uint16_t)(x >> 16));
    put16(b, (uint16_t)x);
}

/* Appends the (n) bytes at (off) of (v); out of (v), sets v->err only. */
static void put_view(struct bw *b, struct bv *v, size_t off, size_t n)
{
    const uint8_t *p = bv_ptr(v, off, n);

    if (p != NULL)
        bw_append(b, p, n);
}

void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t cap,
                     size_t limit)
{
    static const uint8_t zero[DNS_HLEN];
    struct bw b;

    w->buf = buf;
    w->cap = cap;
    w->limit = limit < cap ? limit : cap;
    if (w->limit > DNS_MSG_MAX)
        w->limit = DNS_MSG_MAX;
    w->len = 0;
    w->err = 0;
    w->ncomp = 0;
    w->index = NULL;
    if (w->limit < DNS_HLEN)
        w->limit = 0; /* so that nothing is ever written */
    b = tail(w);
    bw_append(&b, zero, DNS_HLEN);
    commit(w, &b, 0);
}

/*
 * The longest suffix of (n) already in the message (its first (here)
 * bytes) at a recorded offset: returns the number of leading labels of
 * (n) to write before a pointer to (*at), or n->labels when there is
 * none. Names are matched without case (RFC 4343), as NSD does: a
 * later name then takes the spelling of the earlier one.
 */
static unsigned find_suffix(const struct dns_writer *w, size_t here,
                            const struct dns_name *n, uint16_t *at)
{
    unsigned i, best = n->labels;

    for (i = 0; i < w->ncomp; i++) {
        struct bv msg = bv_make(w->buf, here);
        struct dns_name m, s;
        size_t o = w->comp[i];

        if (dns_name_parse(&msg, &o, &m) != PITH_OK || m.labels == 0 ||
            m.labels > n->labels || (unsigned)n->labels - m.labels >= best)
            continue;
        dns_name_strip(n, (unsigned)n->labels - m.labels, &s);
        if (dns_name_eq(&s, &m)) {
            best = (unsigned)n->labels - m.labels;
            *at = w->comp[i];
        }
    }
    return best;
}

void dns_writer_use_index(struct dns_writer *w, struct dns_comp_index *ix)
{
    memset(ix->off, 0, sizeof ix->off);
    set_ncomp(w, 0);
    w->index = ix;
}

/* The hashes of the suffixes of (n), lowercased: (h)[k] for the name
 * from its label (k) on; (pos)[k] where that label starts in n->b. */
static void suffix_hashes(const struct dns_name *n, uint32_t *h, uint8_t *pos)
{
    uint32_t x = 2166136261u;
    unsigned k, i = 0;

    for (k = 0; k < n->labels; k++) {
        pos[k] = (uint8_t)i;
        i += 1u + n->b[i];
    }
    for (k = n->labels; k-- > 0;) {
        size_t j, end = (size_t)pos[k] + 1u + n->b[pos[k]];
        for (j = pos[k]; j < end; j++) {
            uint8_t c = n->b[j];
            x = (x ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 16777619u;
        }
        h[k] = x ^ x >> 15;
    }
}

/* Whether the name at (at) of the first (here) bytes of (w)'s message
 * is (n) without its first (drop) labels. */
static int suffix_at(const struct dns_writer *w, size_t here, uint16_t at,
                     const struct dns_name *n, unsigned drop)
{
    struct bv msg = bv_make(w->buf, here);
    struct dns_name m, s;
    size_t o = at;

    if (dns_name_parse(&msg, &o, &m) != PITH_OK)
        return 0;
    dns_name_strip(n, drop, &s);
    return dns_name_eq(&s, &m);
}

/* As find_suffix(), through the index: the longest suffix first. */
static unsigned find_suffix_ix(const struct dns_writer *w, size_t here,
                               const struct dns_name *n, const uint32_t *h,
                               uint16_t *at)
{
    const struct dns_comp_index *ix = w->index;
    unsigned k;

    for (k = 0; k < n->labels; k++) {
        uint32_t slot = h[k] & (DNS_COMP_INDEX_SLOTS - 1);
        for (; ix->off[slot]; slot = (slot + 1) & (DNS_COMP_INDEX_SLOTS - 1))
            if (ix->tag[slot] == (uint16_t)(h[k] >> 16) &&
                suffix_at(w, here, ix->off[slot], n, k)) {
                *at = ix->off[slot];
                return k;
            }
    }
    return n->labels;
}

/* Records in the index that the name (h) starts at (off). */
static void index_put(struct dns_writer *w, uint32_t h, size_t off)
{
    struct dns_comp_index *ix = w->index;
    uint32_t slot = h & (DNS_COMP_INDEX_SLOTS - 1);

    if (off >= PTR_LIMIT || w->ncomp >= DNS_COMP_INDEX_MAX)
        return;
    while (ix->off[slot])
        slot = (slot + 1) & (DNS_COMP_INDEX_SLOTS - 1);
    ix->off[slot] = (uint16_t)off;
    ix->tag[slot] = (uint16_t)(h >> 16);
    ix->log[w->ncomp++] = (uint16_t)slot;
}

/*
 * Writes (n) into (b), the tail of (w): its first labels, then a pointer
 * to an earlier copy of the rest (when (compress)) or the rest. Records
 * where the labels written now start, for later names.
 */
static void put_name(struct dns_writer *w, struct bw *b,
                     const struct dns_name *n, int compress)
{
    size_t here = w->len + b->len, i = 0;
    unsigned k, keep = n->labels;
    uint16_t at = 0;

    if (w->index) {
        uint32_t h[DNS_NAME_MAX / 2];
        uint8_t pos[DNS_NAME_MAX / 2];

        suffix_hashes(n, h, pos);
        if (compress)
            keep = find_suffix_ix(w, here, n, h, &at);
        if (b->err == 0)
            for (k = 0; k < keep; k++)
                index_put(w, h[k], here + pos[k]);
        for (k = 0; k < keep; k++)
            i += 1u + n->b[i];
        bw_append(b, n->b, i);
        if (keep < n->labels)
            put16(b, (uint16_t)(0xc000 | at));
        else
            bw_append(b, &n->b[i], 1);
        return;
    }
    if (compress)
        keep = find_suffix(w, here, n, &at);
    for (k = 0; k < keep; k++) {
        if (here + i < PTR_LIMIT && w->ncomp < DNS_COMP_MAX && b->err == 0)
            w->comp[w->ncomp++] = (uint16_t)(here + i);
        i += 1u + n->b[i];
    }
    bw_append(b, n->b, i);
    if (keep < n->labels)
        put16(b, (uint16_t)(0xc000 | at));
    else
        bw_append(b, &n->b[i], 1); /* the root */
}

void dns_write_name(struct dns_writer *w, const struct dns_name *n,
                    int compress)
{
    struct bw b = tail(w);
    unsigned ncomp = w->ncomp;

    put_name(w, &b, n, compress);
    commit(w, &b, ncomp);
}

void dns_write_question(struct dns_writer *w, const struct dns_name *n,
                        uint16_t type, uint16_t cls)
{
    struct bw b = tail(w);
    unsigned ncomp = w->ncomp;

    put_name(w, &b, n, 1);
    put16(&b, type);
    put16(&b, cls);
    commit(w, &b, ncomp);
}

/*
 * Writes the data (rd) of a type that compresses, its names compressed:
 * one name (NS, CNAME, PTR, MB, MG, MR), two names (MINFO; SOA, then its
 * 20 bytes), or 2 bytes and a name (MX). Returns 0 when (rd) does not
 * have that layout.
 */
static int put_compressed(struct dns_writer *w, struct bw *b, uint16_t type,
                          struct bv *rd)
{
    struct dns_name n;
    size_t o = 0, start;
    int names = type == DNS_T_SOA || type == T_MINFO ? 2 : 1;

    if (type == DNS_T_MX) {
        put_view(b, rd, 0, 2);
        o = 2;
    }
    while (names-- > 0) {
        start = o;
        /* Zone data are uncompressed: a pointer here is garbage. */
        if (dns_name_parse(rd, &o, &n) != PITH_OK || o - start != n.len)
            return 0;
        put_name(w, b, &n, 1);
    }
    if (type == DNS_T_SOA) {
        put_view(b, rd, o, 20);
        o += 20;
    }
    return bv_ok(rd) && o == bv_len(rd);
}

int dns_write_rr(struct dns_writer *w, const struct dns_name *name,
                 uint16_t type, uint16_t cls, uint32_t ttl,
                 const uint8_t *rdata, uint16_t rdlen)
{
    struct bw b = tail(w);
    struct bv rd = bv_make(rdata, rdlen);
    unsigned ncomp = w->ncomp, rdcomp;
    size_t start;

    put_name(w, &b, name, 1);
    put16(&b, type);
    put16(&b, cls);
    put32(&b, ttl);
    put16(&b, 0); /* the data length, once known */
    start = b.len;
    rdcomp = w->ncomp;
    if (!bw_ok(&b) || !dns_type_compresses(type) ||
        !put_compressed(w, &b, type, &rd)) {
        /* Opaque, or data not of their type's layout: as they are. */
        if (bw_ok(&b))
            bw_trim(&b, start);
        set_ncomp(w, rdcomp);
        bw_append(&b, rdata, rdlen);
    }
    bw_set_be16(&b, start - 2, (uint16_t)(b.len - start));
    return commit(w, &b, ncomp);
}

int dns_write_opt(struct dns_writer *w, uint16_t udp, uint8_t ercode,
                  int do_bit)
{
    return dns_write_opt_ede(w, udp, ercode, do_bit, -1);
}

int dns_write_opt_ede(struct dns_writer *w, uint16_t udp, uint8_t ercode,
                      int do_bit, int ede)
{
    struct bw b = tail(w);
    static const uint8_t root = 0;

    bw_append(&b, &root, 1);
    put16(&b, DNS_T_OPT);
    put16(&b, udp);
    put32(&b, (uint32_t)ercode << 24 | (do_bit ? 0x8000u : 0));
    if (ede < 0) {
        put16(&b, 0);
    } else {
        put16(&b, 6);
        put16(&b, DNS_EDNS_EDE);
        put16(&b, 2);
        put16(&b, (uint16_t)ede);
    }
    return commit(w, &b, w->ncomp);
}

void dns_write_hdr(struct dns_writer *w, const struct dns_hdr *h)
{
    struct bw b = bw_make(w->buf, w->limit, 0);

    put16(&b, h->id);
    put16(&b, h->flags);
    put16(&b, h->qdcount);
    put16(&b, h->ancount);
    put16(&b, h->nscount);
    put16(&b, h->arcount);
    if (!bw_ok(&b))
        w->err = PITH_ERANGE;
}

/* ---- RRsets -------------------------------------------------------- */

int dns_rrset_next(const struct dns_rrset *s, uint32_t *off, uint32_t *ttl,
                   const uint8_t **rdata, uint16_t *rdlen)
{
    struct bv v = bv_make(s->data, s->size);
    uint32_t t = bv_be32(&v, *off);
    uint16_t n = bv_be16(&v, (size_t)*off + 4);
    const uint8_t *p = bv_ptr(&v, (size_t)*off + 6, n);

    if (!bv_ok(&v))
        return 0;
    *ttl = t;
    *rdlen = n;
    *rdata = p;
    *off += 6u + n;
    return 1;
}
