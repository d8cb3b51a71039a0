/*
 * Fuzz target for the DNS codec (name.c, rdata.c, msg.c). The input is
 * parsed as a query; every name read from it (the question's, and any
 * name found at an offset of the input) must be valid and survive a round
 * trip through presentation form; the data at each offset are read as
 * typed record data, whose uncompressed form must read back unchanged.
 * When the query parses, a response is written
 * echoing the question, with records whose owner and data hold names
 * from the message, and read back: the names must come back equal, and
 * the response, with QR cleared, must parse as a query itself. The input
 * is also read as the presentation form of a name and of a type, which
 * must print and read back the same.
 */
#include <stdint.h>
#include <string.h>

#include <pith/err.h>

#include "dns.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

/* The invariants of a struct dns_name, and the text round trip; when
 * (deep), the functions that derive names from it too. */
static void check_name(const struct dns_name *n, int deep)
{
    static char text[DNS_NAME_TEXT_MAX];
    struct dns_name back, s;
    unsigned i = 0, labels = 0;
    long len;

    CHECK(n->len >= 1);
    while (n->b[i] != 0) {
        CHECK(n->b[i] <= DNS_LABEL_MAX);
        i += 1u + n->b[i];
        labels++;
        CHECK(i < n->len);
    }
    CHECK(i + 1 == n->len && labels == n->labels);

    len = dns_name_to_text(n, text, sizeof text);
    CHECK(len > 0 && (size_t)len < sizeof text && text[len - 1] == '.');
    CHECK(dns_name_from_text(&back, text, (size_t)len, NULL) == PITH_OK);
    CHECK(back.len == n->len && back.labels == n->labels);
    CHECK(memcmp(back.b, n->b, n->len) == 0);
    CHECK(dns_name_eq(&back, n) && dns_name_cmp(&back, n) == 0);
    if (!deep)
        return;

    /* Ancestors: the name itself, its parent, a middle one, the root. */
    for (i = 0; i < 4; i++) {
        unsigned drop = i < 2 ? i : i == 2 ? n->labels / 2u : n->labels;

        dns_name_strip(n, drop, &s);
        CHECK(s.labels == n->labels - (drop < n->labels ? drop : n->labels));
        CHECK(dns_name_is_sub(n, &s));
        CHECK(dns_name_cmp(&s, n) < 0 || (drop == 0 || n->labels == 0));
    }
    if (dns_name_wild(n, &s) == PITH_OK)
        CHECK(dns_name_is_wild(&s) && s.len == n->len + 2);
    else
        CHECK(n->len + 2 > DNS_NAME_MAX);
}

/* Types whose data are read with a layout, and one that is not. */
static const uint16_t types[] = {
    DNS_T_A,     DNS_T_NS,    DNS_T_CNAME, DNS_T_SOA,  DNS_T_PTR,
    DNS_T_HINFO, DNS_T_MX,    DNS_T_TXT,   DNS_T_AAAA, DNS_T_SRV,
    DNS_T_NAPTR, DNS_T_DNAME, DNS_T_CAA,   14,         17,
    18,          26,          36,          65280,
};

#define NTYPES (sizeof types / sizeof types[0])

/* Reads names and data at each offset of (data): at most 256 offsets. */
static void scan(const uint8_t *data, size_t size)
{
    static uint8_t out[DNS_RDATA_MAX], again[DNS_RDATA_MAX];
    struct dns_name n;
    size_t i, outlen;

    for (i = 0; i < size && i < 256; i++) {
        struct bv v = bv_make(data, size);
        size_t off = i;
        uint16_t rdlen = (uint16_t)(size - i > 300 ? 300 : size - i);
        uint16_t type = types[data[i] % NTYPES];
        int rc;

        if (dns_name_parse(&v, &off, &n) == PITH_OK) {
            CHECK(off > i && off <= size);
            check_name(&n, 0);
        }
        v = bv_make(data, size);
        rc = dns_rdata_parse(&v, i, rdlen, type, out, sizeof out, &outlen);
        CHECK(rc == PITH_OK || rc == PITH_EPROTO);
        if (rc == PITH_OK) {
            /* Uncompressed data read again are themselves. */
            struct bv u = bv_make(out, outlen);
            size_t againlen;

            CHECK(outlen <= sizeof again);
            CHECK(dns_rdata_parse(&u, 0, (uint16_t)outlen, type, again,
                                  sizeof again, &againlen) == PITH_OK);
            CHECK(againlen == outlen && memcmp(again, out, outlen) == 0);
        }
        v = bv_make(data, size);
        rc = dns_rdata_parse(&v, i, rdlen, type, out, 8, &outlen);
        CHECK(rc == PITH_OK || rc == PITH_EPROTO || rc == PITH_ERANGE);
        CHECK(rc != PITH_OK || outlen <= 8);
    }
}

/* Writes into (buf) a response to (q) with names (a) and (b) in owners
 * and data, remembering names in (ix) when it is not NULL: the response,
 * whose first record's result goes in (*first) and counts in (*an),
 * (*ar). */
static void write_response(struct dns_writer *w, uint8_t *buf, size_t cap,
                           const struct dns_query *q, const struct dns_name *a,
                           const struct dns_name *b, struct dns_comp_index *ix,
                           int *first, uint16_t *an, uint16_t *ar)
{
    static uint8_t rd[6 + DNS_NAME_MAX];
    size_t limit = q->edns_udp < DNS_EDNS_MAX ? q->edns_udp : DNS_EDNS_MAX;

    *an = *ar = 0;
    dns_writer_init(w, buf, cap, limit);
    CHECK(w->err == 0 && w->len == DNS_HLEN);
    if (ix)
        dns_writer_use_index(w, ix);
    dns_write_question(w, &q->qname, q->qtype, DNS_CLASS_IN);
    CHECK(w->err == 0);
    /* NS at the qname, pointing at (a); MX at (a), pointing at (b);
     * SRV (never compressed) at (b), pointing at (a). */
    *first =
        dns_write_rr(w, &q->qname, DNS_T_NS, DNS_CLASS_IN, 60, a->b, a->len);
    *an += *first == PITH_OK;
    rd[0] = 0;
    rd[1] = 10;
    memcpy(&rd[2], b->b, b->len);
    *an += dns_write_rr(w, a, DNS_T_MX, DNS_CLASS_IN, 60, rd,
                        (uint16_t)(2 + b->len)) == PITH_OK;
    memcpy(rd, "\0\1\0\2\0\3", 6);
    memcpy(&rd[6], a->b, a->len);
    *an += dns_write_rr(w, b, DNS_T_SRV, DNS_CLASS_IN, 60, rd,
                        (uint16_t)(6 + a->len)) == PITH_OK;
    if (q->edns)
        *ar += dns_write_opt(w, 1232, 0, q->edns_do) == PITH_OK;
    dns_write_hdr(w,
                  &(struct dns_hdr){q->h.id, DNS_QR | DNS_AA, 1, *an, 0, *ar});
    CHECK(w->len <= limit);
}

/* Writes a response to (q) with names (a) and (b) in owners and data;
 * checks that they read back the same, and that the writer with an index
 * of names writes the same bytes. */
static void respond(const struct dns_query *q, const struct dns_name *a,
                    const struct dns_name *b)
{
    static uint8_t buf[DNS_EDNS_MAX], buf2[DNS_EDNS_MAX];
    static struct dns_comp_index ix;
    struct dns_writer w, w2;
    struct dns_query back;
    struct dns_name n;
    size_t off, len;
    struct bv v;
    uint16_t an, ar, an2, ar2;
    int first, first2;

    write_response(&w2, buf2, sizeof buf2, q, a, b, &ix, &first2, &an2, &ar2);
    write_response(&w, buf, sizeof buf, q, a, b, NULL, &first, &an, &ar);
    CHECK(w.len == w2.len && an == an2 && ar == ar2 && first == first2);
    CHECK(memcmp(buf, buf2, w.len) == 0);
    CHECK(w.ncomp <= DNS_COMP_MAX && w2.ncomp <= DNS_COMP_INDEX_MAX);
    CHECK((w.err == 0) == (an == 3 && ar == q->edns));

    /* Back: the question, and the first record's owner and data. */
    v = bv_make(buf, w.len);
    off = DNS_HLEN;
    CHECK(dns_name_parse(&v, &off, &n) == PITH_OK);
    CHECK(n.len == q->qname.len && memcmp(n.b, q->qname.b, n.len) == 0);
    off += 4;
    if (first == PITH_OK) {
        uint8_t out[DNS_NAME_MAX];

        CHECK(dns_name_parse(&v, &off, &n) == PITH_OK);
        CHECK(dns_name_eq(&n, &q->qname));
        CHECK(bv_be16(&v, off) == DNS_T_NS);
        CHECK(dns_rdata_parse(&v, off + 10, bv_be16(&v, off + 8), DNS_T_NS, out,
                              sizeof out, &len) == PITH_OK);
        CHECK(len == a->len && memcmp(out, a->b, len) == 0);
    }
    /* Our own response, read as a query. */
    buf[2] &= (uint8_t) ~(DNS_QR >> 8);
    v = bv_make(buf, w.len);
    CHECK(dns_query_parse(&v, &back) == PITH_OK);
    CHECK(dns_name_eq(&back.qname, &q->qname) && back.qtype == q->qtype);
    CHECK(back.edns == ar && (!ar || back.edns_do == q->edns_do));
}

/* The input as presentation text: a name or a type that parses must
 * print and parse back to itself. */
static void text(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct dns_name n, root = {1, 0, {0}};
    uint16_t t, back;
    char buf[16];

    if (dns_name_from_text(&n, s, size, &root) == PITH_OK)
        check_name(&n, 1);
    if (dns_type_parse(s, size, &t) == PITH_OK) {
        dns_type_name(t, buf);
        CHECK(dns_type_parse(buf, strlen(buf), &back) == PITH_OK);
        CHECK(back == t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bv v = bv_make(data, size);
    struct dns_query q;
    struct dns_name second;
    size_t off;
    int rc = dns_query_parse(&v, &q);

    CHECK(rc == PITH_OK || rc == PITH_ERANGE || rc == PITH_EPROTO);
    if (rc == PITH_ERANGE)
        CHECK(size < DNS_HLEN || (data[2] & 0x80));
    if (q.qend != 0) {
        CHECK(q.qend <= size && q.qend >= DNS_HLEN + 5);
        check_name(&q.qname, 1);
    }
    if (rc == PITH_OK) {
        CHECK(q.qend != 0 && q.h.qdcount == 1 && q.edns_udp >= 512);
        /* A second name: the first one found after the question. */
        second = q.qname;
        for (off = q.qend; off < size; off++) {
            struct bv w = bv_make(data, size);
            size_t o = off;

            if (dns_name_parse(&w, &o, &second) == PITH_OK)
                break;
            second = q.qname;
        }
        check_name(&second, 1);
        respond(&q, &second, &q.qname);
        respond(&q, &q.qname, &second);
    }
    scan(data, size);
    text(data, size);
    return 0;
}
