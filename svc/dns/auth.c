/* auth: authoritative answers. See auth.h. */
#include <string.h>
#include <pith/err.h>

#include "auth.h"

#define DNS_RCODE_YXDOMAIN 6

/* An answer being built. */
struct ans {
    struct dns_auth *a;
    const struct dns_query *q;
    struct dns_writer w;
    uint16_t an, ns, ar;
    uint16_t rcode;
    int aa, tc;
    const struct dns_zone *zone; /* of the first name: the authority */
    /* Names whose addresses go in the additional section. */
    unsigned nadd;
    struct dns_name add[16];
};

void dns_auth_init(struct dns_auth *a)
{
    memset(a, 0, sizeof *a);
}

int dns_auth_add_zone(struct dns_auth *a, const struct dns_zone *z)
{
    size_t i;

    for (i = 0; i < a->nzones; i++)
        if (dns_name_eq(&a->zones[i]->origin, &z->origin))
            return PITH_EBUSY;
    if (a->nzones == DNS_AUTH_ZONES_MAX)
        return PITH_ELIMIT;
    a->zones[a->nzones++] = z;
    return PITH_OK;
}

/* The zone with the longest origin at or above (n), or NULL. */
static const struct dns_zone *auth_zone(const struct dns_auth *a,
                                        const struct dns_name *n)
{
    const struct dns_zone *best = NULL;
    size_t i;

    for (i = 0; i < a->nzones; i++)
        if (dns_name_is_sub(n, &a->zones[i]->origin) &&
            (!best || a->zones[i]->origin.labels > best->origin.labels))
            best = a->zones[i];
    return best;
}

/* Writes every record of (set) with owner (owner) and counts them in
 * (*count); the whole RRset or nothing (RFC 2181 9). Returns 0, or -1
 * when it does not fit. */
static int put_rrset(struct ans *s, const struct dns_name *owner,
                     const struct dns_rrset *set, uint16_t *count)
{
    size_t len0 = s->w.len;
    unsigned ncomp0 = s->w.ncomp;
    const uint8_t *rd;
    uint32_t off = 0, ttl;
    uint16_t rdlen;

    while (dns_rrset_next(set, &off, &ttl, &rd, &rdlen)) {
        if (dns_write_rr(&s->w, owner, set->type, DNS_CLASS_IN, ttl, rd,
                         rdlen) < 0) {
            s->w.len = len0;
            s->w.ncomp = ncomp0;
            return -1;
        }
    }
    *count = (uint16_t)(*count + set->count);
    return 0;
}

/* Answer and authority must be whole: a part that does not fit sets TC
 * and ends the message there. */
static void put_needed(struct ans *s, const struct dns_name *owner,
                       const struct dns_rrset *set, uint16_t *count)
{
    if (s->tc)
        return;
    if (put_rrset(s, owner, set, count) < 0)
        s->tc = 1;
}

/* Reads the name at (off) of the record data (rd, len) into (*n). */
static int rdata_name(const uint8_t *rd, uint16_t len, size_t off,
                      struct dns_name *n)
{
    struct bv v = bv_make(rd, len);

    return dns_name_parse(&v, &off, n);
}

/* Remembers the name in the data of each record of (set) (NS, MX, SRV)
 * for the additional section. */
static void note_targets(struct ans *s, const struct dns_rrset *set)
{
    size_t at = set->type == DNS_T_MX ? 2 : set->type == DNS_T_SRV ? 6 : 0;
    const uint8_t *rd;
    uint32_t off = 0, ttl;
    uint16_t rdlen;

    if (set->type != DNS_T_NS && set->type != DNS_T_MX &&
        set->type != DNS_T_SRV)
        return;
    while (dns_rrset_next(set, &off, &ttl, &rd, &rdlen) &&
           s->nadd < sizeof s->add / sizeof s->add[0])
        if (rdata_name(rd, rdlen, at, &s->add[s->nadd]) == PITH_OK)
            s->nadd++;
}

/* The SOA of (z) in the authority section, its TTL the lesser of its
 * own and its MINIMUM field (RFC 2308 3). */
static void put_soa(struct ans *s, const struct dns_zone *z)
{
    const uint8_t *rd;
    uint32_t off = 0, ttl, min;
    uint16_t rdlen;

    if (s->tc || !dns_rrset_next(z->soa, &off, &ttl, &rd, &rdlen) || rdlen < 4)
        return;
    min = (uint32_t)rd[rdlen - 4] << 24 | (uint32_t)rd[rdlen - 3] << 16 |
          (uint32_t)rd[rdlen - 2] << 8 | rd[rdlen - 1];
    if (dns_write_rr(&s->w, &z->origin, DNS_T_SOA, DNS_CLASS_IN,
                     min < ttl ? min : ttl, rd, rdlen) < 0)
        s->tc = 1;
    else
        s->ns++;
}

/* A referral (RFC 1034 4.3.2 step 3b): the cut's NS in authority, glue
 * in additional; not authoritative. */
static void referral(struct ans *s, const struct dns_node *cut)
{
    const struct dns_rrset *ns = dns_node_rrset(cut, DNS_T_NS);
    const struct dns_rrset *ds = dns_node_rrset(cut, DNS_T_DS);

    s->aa = 0;
    s->a->st.referrals++;
    put_needed(s, &cut->name, ns, &s->ns);
    if (ds && s->q->edns_do)
        put_needed(s, &cut->name, ds, &s->ns);
    note_targets(s, ns);
}

static void answer_name(struct ans *s, const struct dns_name *qname,
                        unsigned depth);

/* The records of (node) for the question, with owner (owner): the name
 * asked, or the node's own when it is no wildcard. */
static void answer_node(struct ans *s, const struct dns_zone *z,
                        const struct dns_node *node,
                        const struct dns_name *owner, unsigned depth)
{
    uint16_t qtype = s->q->qtype;
    const struct dns_rrset *set;
    unsigned i;

    if (qtype == DNS_T_ANY) {
        for (i = 0; i < node->nsets; i++) {
            put_needed(s, owner, &node->sets[i], &s->an);
            note_targets(s, &node->sets[i]);
        }
        if (!node->nsets) {
            s->a->st.nodata++;
            put_soa(s, z);
        }
        return;
    }
    set = dns_node_rrset(node, qtype);
    if (set) {
        put_needed(s, owner, set, &s->an);
        note_targets(s, set);
        return;
    }
    set = dns_node_rrset(node, DNS_T_CNAME);
    if (set) {
        struct dns_name target;
        const uint8_t *rd;
        uint32_t off = 0, ttl;
        uint16_t rdlen;
        put_needed(s, owner, set, &s->an);
        if (dns_rrset_next(set, &off, &ttl, &rd, &rdlen) &&
            rdata_name(rd, rdlen, 0, &target) == PITH_OK)
            answer_name(s, &target, depth + 1);
        return;
    }
    s->a->st.nodata++;
    put_soa(s, z);
}

/* A DNAME at (node) above the name asked (RFC 6672 3.1): the DNAME, a
 * CNAME made from it, and the answer for the new name. */
static void answer_dname(struct ans *s, const struct dns_node *node,
                         const struct dns_rrset *dname,
                         const struct dns_name *qname, unsigned depth)
{
    struct dns_name target;
    const uint8_t *rd;
    uint32_t off = 0, ttl;
    uint16_t rdlen;

    put_needed(s, &node->name, dname, &s->an);
    if (!dns_rrset_next(dname, &off, &ttl, &rd, &rdlen) ||
        rdata_name(rd, rdlen, 0, &target) != PITH_OK)
        return;
    if (dns_name_subst(qname, &node->name, &target, &target) < 0) {
        s->rcode = DNS_RCODE_YXDOMAIN;
        return;
    }
    if (!s->tc) {
        if (dns_write_rr(&s->w, qname, DNS_T_CNAME, DNS_CLASS_IN, ttl, target.b,
                         target.len) < 0)
            s->tc = 1;
        else
            s->an++;
    }
    answer_name(s, &target, depth + 1);
}

/* RFC 1034 4.3.2 step 3 for (qname), the first name asked or one a
 * CNAME or DNAME led to (depth > 0). */
static void answer_name(struct ans *s, const struct dns_name *qname,
                        unsigned depth)
{
    const struct dns_zone *z = auth_zone(s->a, qname);
    const struct dns_node *node, *closest = NULL, *n;
    struct dns_name anc;
    unsigned i;

    if (depth > DNS_AUTH_CHAIN_MAX || s->tc)
        return;
    if (!z) {
        if (!depth) {
            s->rcode = DNS_RCODE_REFUSED;
            s->aa = 0;
        }
        return; /* a chain that leaves our zones ends here */
    }
    if (!depth)
        s->zone = z;
    node = dns_zone_find(z, qname, &closest);
    /* Down from the origin: a zone cut (step 3b) or a DNAME above the
     * name ends the search. DS belongs to the parent side of a cut. */
    for (i = z->origin.labels; i <= qname->labels; i++) {
        const struct dns_rrset *set;
        dns_name_strip(qname, qname->labels - i, &anc);
        n = i == qname->labels ? node : dns_zone_find(z, &anc, NULL);
        if (!n)
            break;
        if (i > z->origin.labels && dns_node_rrset(n, DNS_T_NS) &&
            !(i == qname->labels && s->q->qtype == DNS_T_DS)) {
            referral(s, n);
            return;
        }
        set = dns_node_rrset(n, DNS_T_DNAME);
        if (set && i < qname->labels) {
            answer_dname(s, n, set, qname, depth);
            return;
        }
    }
    if (node) {
        answer_node(s, z, node, &node->name, depth);
        return;
    }
    /* Step 3c: a wildcard at the closest encloser (RFC 4592 3.3.1). */
    if (closest && dns_name_wild(&closest->name, &anc) == PITH_OK) {
        n = dns_zone_find(z, &anc, NULL);
        if (n) {
            s->a->st.wildcards++;
            answer_node(s, z, n, qname, depth);
            return;
        }
    }
    s->rcode = DNS_RCODE_NXDOMAIN;
    put_soa(s, z);
}

/* The additional section: addresses of the names noted, from our zones
 * (glue included), as far as they fit; never TC for them. */
static void additional(struct ans *s)
{
    static const uint16_t types[2] = {DNS_T_A, DNS_T_AAAA};
    unsigned i, t;

    for (i = 0; i < s->nadd; i++) {
        const struct dns_zone *z = auth_zone(s->a, &s->add[i]);
        const struct dns_node *n =
            z ? dns_zone_find(z, &s->add[i], NULL) : NULL;
        if (!n)
            continue;
        for (t = 0; t < 2; t++) {
            const struct dns_rrset *set = dns_node_rrset(n, types[t]);
            if (set)
                put_rrset(s, &n->name, set, &s->ar);
        }
    }
}

/* A response carrying only the header: FORMERR as NSD sends it (the RD
 * bit and the opcode kept, no question). */
static size_t answer_formerr(struct dns_auth *a, const struct dns_query *q,
                             uint8_t *out, size_t cap)
{
    struct dns_writer w;
    struct dns_hdr h;

    a->st.rcode[DNS_RCODE_FORMERR]++;
    dns_writer_init(&w, out, cap, cap);
    memset(&h, 0, sizeof h);
    h.id = q->h.id;
    h.flags = (uint16_t)(DNS_QR | (q->h.flags & (DNS_OPCODE_MASK | DNS_RD)) |
                         DNS_RCODE_FORMERR);
    dns_write_hdr(&w, &h);
    return w.err ? 0 : w.len;
}

size_t dns_auth_answer(struct dns_auth *a, struct bv *msg, int tcp,
                       uint8_t *out, size_t cap)
{
    struct dns_query q;
    struct dns_hdr h;
    struct ans s;
    size_t limit;
    int rc;

    a->st.queries++;
    memset(&q, 0, sizeof q);
    rc = dns_query_parse(msg, &q);
    if (rc == PITH_ERANGE) {
        a->st.dropped++;
        return 0;
    }
    if (rc < 0)
        return answer_formerr(a, &q, out, cap);

    limit = tcp      ? DNS_MSG_MAX
            : q.edns ? (q.edns_udp < DNS_AUTH_EDNS_SIZE ? q.edns_udp
                                                        : DNS_AUTH_EDNS_SIZE)
                     : DNS_UDP_MIN;
    if (limit > cap)
        limit = cap;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.q = &q;
    s.aa = 1;
    /* Room for our OPT record (11 bytes) is kept back from the start. */
    dns_writer_init(&s.w, out, cap, q.edns ? limit - 11 : limit);
    dns_write_question(&s.w, &q.qname, q.qtype, q.qclass);

    if (q.edns && q.edns_version > 0) {
        s.rcode = DNS_RCODE_BADVERS;
        s.aa = 0;
        a->st.badvers++;
    } else if (q.opcode != DNS_OPCODE_QUERY) {
        s.rcode = DNS_RCODE_NOTIMP;
        s.aa = 0;
    } else if (q.qclass != DNS_CLASS_IN || q.qtype == DNS_T_AXFR ||
               q.qtype == DNS_T_IXFR || q.qtype == DNS_T_OPT) {
        /* Zone transfers are not offered (yet): NSD's answer without a
         * provide-xfr rule. Other classes we do not serve. */
        s.rcode = DNS_RCODE_REFUSED;
        s.aa = 0;
    } else {
        answer_name(&s, &q.qname, 0);
        if (!s.tc && s.rcode != DNS_RCODE_REFUSED)
            additional(&s);
    }

    if (q.edns) {
        s.w.limit = limit;
        if (dns_write_opt(&s.w, DNS_AUTH_EDNS_SIZE, (uint8_t)(s.rcode >> 4),
                          q.edns_do) == PITH_OK)
            s.ar++;
    }
    memset(&h, 0, sizeof h);
    h.id = q.h.id;
    h.flags =
        (uint16_t)(DNS_QR | (q.h.flags & (DNS_OPCODE_MASK | DNS_RD | DNS_CD)) |
                   (s.aa ? DNS_AA : 0) | (s.tc ? DNS_TC : 0) |
                   (s.rcode & DNS_RCODE_MASK));
    h.qdcount = 1;
    h.ancount = s.an;
    h.nscount = s.ns;
    h.arcount = s.ar;
    dns_write_hdr(&s.w, &h);
    if (s.tc)
        a->st.truncated++;
    if (s.rcode < 6)
        a->st.rcode[s.rcode]++;
    return s.w.len;
}
