/* auth: authoritative answers. See auth.h. */
#include <stddef.h>
#include <stdlib.h>
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
    const struct dns_zone *last; /* of the name that was answered */
    int positive;                /* the question's records were found */
    int ede;                     /* an Extended DNS Error to add, or -1 */
    int apex_ns;                 /* the answer holds last's apex NS */
    unsigned nadd, nput, nseen;
    /* Names whose addresses go in the additional section, each with
     * the zone it may come from (NSD looks in that zone only). From
     * here on, arrays: not cleared for each query (the counts above
     * say what is valid). */
    struct dns_name add[16];
    const struct dns_zone *addz[16];
    /* RRsets written in the answer section, so that the additional one
     * does not repeat them (as NSD). */
    const struct dns_rrset *put[32];
    /* Names visited along a CNAME or DNAME chain: a repeat ends it. */
    struct dns_name seen[DNS_AUTH_CHAIN_MAX + 1];
};

/*
 * NSD keeps the names of its zones in lower case: names from zone data
 * (owners, and the names inside the data of the types whose names it
 * compresses) are sent lowercased; only where compression points at the
 * question do they take the question's spelling. So do we.
 */
static void lower_labels(uint8_t *p, size_t len, size_t off)
{
    while (off < len && p[off]) {
        size_t l = p[off++], i;
        for (i = 0; i < l && off + i < len; i++)
            if (p[off + i] >= 'A' && p[off + i] <= 'Z')
                p[off + i] = (uint8_t)(p[off + i] + 32);
        off += l;
    }
}

static void lower_name(const struct dns_name *n, struct dns_name *out)
{
    *out = *n;
    lower_labels(out->b, out->len, 0);
}

/* A lowercased copy of record data (rd, len) of (type) into (buf). */
static const uint8_t *lower_rdata(uint16_t type, const uint8_t *rd,
                                  uint16_t len, uint8_t *buf)
{
    size_t off;

    switch (type) {
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
    case DNS_T_DNAME:
    case DNS_T_MX:
    case DNS_T_SOA:
        break;
    default:
        return rd;
    }
    memcpy(buf, rd, len);
    off = type == DNS_T_MX ? 2 : 0;
    lower_labels(buf, len, off);
    if (type == DNS_T_SOA) {
        /* the second name follows the first */
        while (off < len && buf[off])
            off += (size_t)buf[off] + 1;
        lower_labels(buf, len, off + 1);
    }
    return buf;
}

void dns_auth_init(struct dns_auth *a)
{
    memset(a, 0, sizeof *a);
}

void dns_auth_free(struct dns_auth *a)
{
    size_t i;

    for (i = 0; i < a->nzones; i++)
        free(a->index[i].slot);
    memset(a, 0, sizeof *a);
}

/* FNV-1a of (n), its letters lowercased: equal names hash alike. */
static uint32_t name_hash(const struct dns_name *n)
{
    uint32_t h = 2166136261u;
    unsigned i;

    for (i = 0; i < n->len; i++) {
        uint8_t c = n->b[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
    }
    return h;
}

int dns_auth_add_zone(struct dns_auth *a, const struct dns_zone *z)
{
    struct dns_auth_index *ix;
    size_t i, slots = 16;

    for (i = 0; i < a->nzones; i++)
        if (dns_name_eq(&a->zones[i]->origin, &z->origin))
            return PITH_EBUSY;
    if (a->nzones == DNS_AUTH_ZONES_MAX)
        return PITH_ELIMIT;
    while (slots < 2 * z->nnodes)
        slots *= 2;
    ix = &a->index[a->nzones];
    ix->slot = malloc(slots * sizeof ix->slot[0]);
    if (!ix->slot)
        return PITH_ENOMEM;
    ix->mask = (uint32_t)slots - 1;
    memset(ix->slot, 0xff, slots * sizeof ix->slot[0]);
    for (i = 0; i < z->nnodes; i++) {
        uint32_t h = name_hash(&z->nodes[i].name) & ix->mask;
        while (ix->slot[h] >= 0)
            h = (h + 1) & ix->mask;
        ix->slot[h] = (int32_t)i;
    }
    a->zones[a->nzones++] = z;
    return PITH_OK;
}

/* The node named (n) in (z), which (a) serves, or NULL: a hash lookup. */
static const struct dns_node *zfind(const struct dns_auth *a,
                                    const struct dns_zone *z,
                                    const struct dns_name *n)
{
    const struct dns_auth_index *ix = NULL;
    uint32_t h;
    size_t i;

    for (i = 0; i < a->nzones; i++)
        if (a->zones[i] == z)
            ix = &a->index[i];
    if (!ix)
        return dns_zone_find(z, n, NULL);
    for (h = name_hash(n) & ix->mask; ix->slot[h] >= 0;
         h = (h + 1) & ix->mask) {
        const struct dns_node *node = &z->nodes[ix->slot[h]];
        if (node->name.len == n->len && dns_name_eq(&node->name, n))
            return node;
    }
    return NULL;
}

/* The node named (n), or NULL and in (*closest) the node of its longest
 * existing ancestor (the closest encloser) when (n) is in (z). */
static const struct dns_node *zfind_closest(const struct dns_auth *a,
                                            const struct dns_zone *z,
                                            const struct dns_name *n,
                                            const struct dns_node **closest)
{
    const struct dns_node *node = zfind(a, z, n);
    struct dns_name anc;
    unsigned drop;

    *closest = NULL;
    if (node)
        return node;
    for (drop = 1; drop <= n->labels; drop++) {
        dns_name_strip(n, drop, &anc);
        if (anc.labels < z->origin.labels)
            break;
        *closest = zfind(a, z, &anc);
        if (*closest)
            break;
    }
    return NULL;
}

/* The zone with the longest origin at or above (n), or NULL. */
static const struct dns_zone *auth_zone(const struct dns_auth *a,
                                        const struct dns_name *n, uint16_t type)
{
    const struct dns_zone *best = NULL;
    size_t i;

    for (i = 0; i < a->nzones; i++) {
        const struct dns_zone *z = a->zones[i];
        /* DS lives on the parent side of a cut (RFC 4035 3.1.4.1): at a
         * zone's apex, a parent zone we serve answers it. */
        if (type == DNS_T_DS && n->labels > 0 && dns_name_eq(n, &z->origin))
            continue;
        if (dns_name_is_sub(n, &z->origin) &&
            (!best || z->origin.labels > best->origin.labels))
            best = z;
    }
    if (!best && type == DNS_T_DS)
        return auth_zone(a, n, 0); /* no parent here: the apex answers */
    return best;
}

/* Writes every record of (set) with owner (owner) and counts them in
 * (*count); the whole RRset or nothing (RFC 2181 9). Returns 0, or -1
 * when it does not fit. */
static int put_rrset(struct ans *s, const struct dns_name *owner,
                     const struct dns_rrset *set, uint16_t *count)
{
    static uint8_t low[DNS_RDATA_MAX];
    size_t len0 = s->w.len;
    unsigned ncomp0 = s->w.ncomp;
    struct dns_name lo;
    const uint8_t *rd;
    uint32_t off = 0, ttl;
    uint16_t rdlen;

    lower_name(owner, &lo);
    while (dns_rrset_next(set, &off, &ttl, &rd, &rdlen)) {
        if (dns_write_rr(&s->w, &lo, set->type, DNS_CLASS_IN, ttl,
                         lower_rdata(set->type, rd, rdlen, low), rdlen) < 0) {
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
    else if (count == &s->an && s->nput < sizeof s->put / sizeof s->put[0])
        s->put[s->nput++] = set;
}

static int already_put(const struct ans *s, const struct dns_rrset *set)
{
    unsigned i;

    for (i = 0; i < s->nput; i++)
        if (s->put[i] == set)
            return 1;
    return 0;
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
static void note_targets(struct ans *s, const struct dns_zone *z,
                         const struct dns_rrset *set)
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
            s->addz[s->nadd++] = z;
}

/* The SOA of (z) in the authority section, its TTL the lesser of its
 * own and its MINIMUM field (RFC 2308 3). */
static void put_soa(struct ans *s, const struct dns_zone *z)
{
    static uint8_t low[DNS_RDATA_MAX];
    struct dns_name lo;
    const uint8_t *rd;
    uint32_t off = 0, ttl, min;
    uint16_t rdlen;

    if (s->tc || !dns_rrset_next(z->soa, &off, &ttl, &rd, &rdlen) || rdlen < 4)
        return;
    lower_name(&z->origin, &lo);
    min = (uint32_t)rd[rdlen - 4] << 24 | (uint32_t)rd[rdlen - 3] << 16 |
          (uint32_t)rd[rdlen - 2] << 8 | rd[rdlen - 1];
    if (dns_write_rr(&s->w, &lo, DNS_T_SOA, DNS_CLASS_IN, min < ttl ? min : ttl,
                     lower_rdata(DNS_T_SOA, rd, rdlen, low), rdlen) < 0)
        s->tc = 1;
    else
        s->ns++;
}

/* A referral (RFC 1034 4.3.2 step 3b): the cut's NS in authority, glue
 * in additional; not authoritative. */
static void referral(struct ans *s, const struct dns_zone *z,
                     const struct dns_node *cut)
{
    const struct dns_rrset *ns = dns_node_rrset(cut, DNS_T_NS);

    s->a->st.referrals++;
    put_needed(s, &cut->name, ns, &s->ns);
    note_targets(s, z, ns);
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

    s->last = z;
    if (qtype == DNS_T_ANY) {
        /* RFC 8482 4.1: one RRset answers ANY. NSD's choice: the SOA,
         * else the A set, else the set of the highest type. */
        set = dns_node_rrset(node, DNS_T_SOA);
        if (!set)
            set = dns_node_rrset(node, DNS_T_A);
        if (!set && node->nsets)
            set = &node->sets[node->nsets - 1];
        if (!set) {
            s->a->st.nodata++;
            put_soa(s, z);
            return;
        }
        put_needed(s, owner, set, &s->an);
        note_targets(s, z, set);
        s->positive = 1;
        return;
    }
    set = dns_node_rrset(node, qtype);
    if (set) {
        put_needed(s, owner, set, &s->an);
        note_targets(s, z, set);
        s->positive = 1;
        s->apex_ns = qtype == DNS_T_NS && node == &z->nodes[0];
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
    lower_name(&target, &target); /* as NSD synthesizes it */
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
    const struct dns_zone *z = auth_zone(s->a, qname, s->q->qtype);
    const struct dns_node *node, *closest = NULL, *n;
    struct dns_name anc;
    unsigned i;

    unsigned k, mark;

    if (s->tc || s->nseen > DNS_AUTH_CHAIN_MAX)
        return;
    for (k = 0; k < s->nseen; k++)
        if (dns_name_eq(&s->seen[k], qname))
            return; /* a loop: what was found so far is the answer */
    mark = s->nseen;
    s->seen[s->nseen++] = *qname;
    s->positive = 0;
    if (!z) {
        if (!depth) {
            s->rcode = DNS_RCODE_REFUSED;
            s->ede = DNS_EDE_NOT_AUTHORITATIVE;
            s->aa = 0;
        }
        return; /* a chain that leaves our zones ends here */
    }
    if (!depth)
        s->zone = z;
    node = zfind_closest(s->a, z, qname, &closest);
    /* Down from the origin: a zone cut (step 3b) or a DNAME above the
     * name ends the search. DS belongs to the parent side of a cut. */
    for (i = z->origin.labels; i <= qname->labels; i++) {
        const struct dns_rrset *set;
        dns_name_strip(qname, qname->labels - i, &anc);
        n = i == qname->labels ? node : zfind(s->a, z, &anc);
        if (!n)
            break;
        if (i > z->origin.labels && dns_node_rrset(n, DNS_T_NS) &&
            !(i == qname->labels && s->q->qtype == DNS_T_DS)) {
            if (!depth)
                s->aa = 0; /* a referral; after a CNAME, AA stays */
            referral(s, z, n);
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
        n = zfind(s->a, z, &anc);
        if (n) {
            /* NSD remembers the wildcard the first time a chain passes
             * it, and the name it made the next: a CNAME loop through
             * a wildcard shows its record twice, as there. */
            for (k = 0; k < mark; k++)
                if (dns_name_eq(&s->seen[k], &anc))
                    break;
            if (k == mark)
                s->seen[mark] = anc;
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

    /* Every A first, then every AAAA: what fits of a full section is
     * then what NSD sends. */
    for (t = 0; t < 2; t++) {
        for (i = 0; i < s->nadd; i++) {
            const struct dns_node *n = zfind(s->a, s->addz[i], &s->add[i]);
            const struct dns_rrset *set =
                n ? dns_node_rrset(n, types[t]) : NULL;
            if (set && !already_put(s, set)) {
                put_rrset(s, &n->name, set, &s->ar);
                if (s->nput < sizeof s->put / sizeof s->put[0])
                    s->put[s->nput++] = set; /* and not twice here */
            }
        }
    }
}

/* NSD's positive answers carry the zone's NS set in the authority
 * section (and their addresses in the additional one), unless the
 * answer holds it already. */
static void authority_ns(struct ans *s)
{
    const struct dns_zone *z = s->last;
    const struct dns_rrset *ns;

    if (!z || s->apex_ns || s->tc)
        return;
    ns = dns_node_rrset(&z->nodes[0], DNS_T_NS);
    if (!ns)
        return;
    if (put_rrset(s, &z->origin, ns, &s->ns) == 0)
        note_targets(s, z, ns);
}

/* ---- Zone transfers (RFC 5936, RFC 1995) ---- */

#define XP_FIRST   0 /* the SOA that opens the transfer */
#define XP_RECORDS 1 /* every other record, node by node */
#define XP_LAST    2 /* the SOA that closes it */
#define XP_DONE    3

/* Serial numbers compared as RFC 1982 3.2 says (and NSD, the undefined
 * case counting as newer): <0 when (a) is older than (b). */
static int serial_cmp(uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    if ((a < b && b - a < 0x80000000u) || (a > b && a - b > 0x80000000u))
        return -1;
    return 1;
}

/* The serial of the first SOA in the authority section of the IXFR
 * query (q) in (msg), which dns_query_parse() found well-formed (RFC
 * 1995 3: the requester's version). Returns 0, or -1 when there is
 * none. */
static int ixfr_serial(const struct bv *msg, const struct dns_query *q,
                       uint32_t *serial)
{
    struct bv v = *msg;
    struct dns_name n;
    size_t off = q->qend, o;
    unsigned i;

    for (i = 0; i < q->h.nscount; i++) {
        uint16_t type, rdlen;

        if (dns_name_parse(&v, &off, &n) != PITH_OK)
            return -1;
        type = bv_be16(&v, off);
        rdlen = bv_be16(&v, off + 8);
        off += 10;
        if (type == DNS_T_SOA) {
            o = off;
            if (dns_name_parse(&v, &o, &n) != PITH_OK ||
                dns_name_parse(&v, &o, &n) != PITH_OK)
                return -1;
            *serial = bv_be32(&v, o);
            return bv_ok(&v) ? 0 : -1;
        }
        off += rdlen;
    }
    return -1;
}

/* The zone whose origin is (n), or NULL. */
static const struct dns_zone *zone_at(const struct dns_auth *a,
                                      const struct dns_name *n)
{
    size_t i;

    for (i = 0; i < a->nzones; i++)
        if (dns_name_eq(&a->zones[i]->origin, n))
            return a->zones[i];
    return NULL;
}

/* The next record of the transfer (x): its owner, RRset and place in
 * it, without moving on. Returns 0 when there is none left. */
static int xfr_peek(struct dns_xfr *x, const struct dns_name **owner,
                    const struct dns_rrset **set, uint32_t *off)
{
    const struct dns_zone *z = x->zone;

    while (x->phase == XP_RECORDS) {
        const struct dns_node *node;
        const struct dns_rrset *r;
        const uint8_t *rd;
        uint32_t o = x->off, ttl;
        uint16_t rdlen;

        if (x->node >= z->nnodes) {
            x->phase = XP_LAST;
            break;
        }
        node = &z->nodes[x->node];
        r = dns_node_rrset_nth(z, node, x->set);
        if (!r) {
            x->node++;
            x->set = 0;
            x->off = 0;
            continue;
        }
        if (r == z->soa || !dns_rrset_next(r, &o, &ttl, &rd, &rdlen)) {
            x->set++;
            x->off = 0;
            continue;
        }
        *owner = &node->name;
        *set = r;
        *off = x->off;
        return 1;
    }
    if (x->phase == XP_DONE)
        return 0;
    *owner = &z->origin;
    *set = z->soa;
    *off = 0;
    return 1;
}

/* Writes records of the transfer (x) into (w), from where it stands, as
 * many as fit, counting them in (*an), in NSD's order: the SOA, then the
 * nodes in canonical order, each node's RRsets in the order of the zone
 * file (the SOA left out), records as in their RRset; the SOA again. A
 * record too long for a message of its own at (w)'s limit goes alone in
 * one up to (w)'s room. Lowercased, as NSD keeps names. */
static void xfr_fill(struct dns_xfr *x, struct dns_writer *w, uint16_t *an)
{
    static uint8_t low[DNS_RDATA_MAX];
    const struct dns_name *owner;
    const struct dns_rrset *set;
    struct dns_name lo;
    uint32_t off, ttl;
    const uint8_t *rd;
    uint16_t rdlen;

    while (xfr_peek(x, &owner, &set, &off)) {
        uint32_t next = off;
        size_t limit = w->limit;
        int rc;

        dns_rrset_next(set, &next, &ttl, &rd, &rdlen);
        lower_name(owner, &lo);
        rc = dns_write_rr(w, &lo, set->type, DNS_CLASS_IN, ttl,
                          lower_rdata(set->type, rd, rdlen, low), rdlen);
        if (rc < 0 && *an == 0) {
            w->limit = w->cap < DNS_MSG_MAX ? w->cap : DNS_MSG_MAX;
            rc = dns_write_rr(w, &lo, set->type, DNS_CLASS_IN, ttl,
                              lower_rdata(set->type, rd, rdlen, low), rdlen);
            w->limit = limit;
            if (rc < 0 && x->phase == XP_RECORDS) {
                x->off = next; /* no message can hold it: left out */
                continue;
            }
        }
        if (rc < 0)
            return;
        (*an)++;
        if (x->phase == XP_RECORDS)
            x->off = next;
        else
            x->phase++; /* the first SOA written, or the last */
    }
}

/* The header of a transfer's message. */
static void xfr_hdr(struct dns_writer *w, uint16_t id, uint16_t flags,
                    uint16_t rcode, int aa, uint16_t qd, uint16_t an,
                    uint16_t ar)
{
    struct dns_hdr h;

    memset(&h, 0, sizeof h);
    h.id = id;
    h.flags = (uint16_t)(DNS_QR | flags | (aa ? DNS_AA : 0) | rcode);
    h.qdcount = qd;
    h.ancount = an;
    h.arcount = ar;
    dns_write_hdr(w, &h);
}

/*
 * An AXFR or IXFR query (q) of class IN or ANY, as NSD answers it with
 * "provide-xfr" (its axfr.c and ixfr.c): the zone must be one we serve,
 * by its origin, the requester allowed, an IXFR must say which version
 * it has; then the whole zone, unless the requester's version is ours
 * or newer.
 */
static size_t answer_xfr(struct dns_auth *a, const struct bv *msg,
                         const struct dns_query *q, unsigned how,
                         struct dns_xfr *x, uint8_t *out, size_t cap,
                         size_t limit)
{
    uint16_t flags = (uint16_t)(q->h.flags & (DNS_OPCODE_MASK | DNS_RD));
    const struct dns_zone *z = zone_at(a, &q->qname);
    struct dns_xfr cur;
    struct dns_writer w;
    uint16_t rcode = DNS_RCODE_NOERROR, an = 0, ar = 0;
    uint32_t serial;
    int ede = -1, aa = 0;

    dns_writer_init(&w, out, cap, q->edns ? limit - 11 : limit);
    dns_writer_use_index(&w, &a->xfr_names);
    dns_write_question(&w, &q->qname, q->qtype, q->qclass);
    memset(&cur, 0, sizeof cur);
    if (!z) {
        rcode = DNS_RCODE_NOTAUTH;
        a->st.notauth++;
    } else if (!(how & DNS_AUTH_XFR)) {
        rcode = DNS_RCODE_REFUSED;
        ede = DNS_EDE_PROHIBITED;
        a->st.xfr_refused++;
    } else if (q->qtype == DNS_T_IXFR && ixfr_serial(msg, q, &serial) < 0) {
        /* NSD cuts the message after the question, and before it when
         * the authority section is empty, leaving QDCOUNT 1. */
        a->st.rcode[DNS_RCODE_FORMERR]++;
        if (!q->h.nscount)
            w.len = DNS_HLEN;
        xfr_hdr(&w, q->h.id, flags, DNS_RCODE_FORMERR, 0, 1, 0, 0);
        return w.err ? 0 : w.len;
    } else {
        const uint8_t *rd;
        uint32_t off = 0, ttl;
        uint16_t rdlen;

        aa = 1;
        cur.zone = z;
        cur.id = q->h.id;
        cur.flags = flags;
        if (q->qtype == DNS_T_IXFR &&
            dns_rrset_next(z->soa, &off, &ttl, &rd, &rdlen) && rdlen >= 20 &&
            serial_cmp(serial, (uint32_t)rd[rdlen - 20] << 24 |
                                   (uint32_t)rd[rdlen - 19] << 16 |
                                   (uint32_t)rd[rdlen - 18] << 8 |
                                   rd[rdlen - 17]) >= 0) {
            cur.phase = XP_LAST; /* up to date: the SOA alone */
            a->st.xfr_soa++;
        } else {
            a->st.xfr++;
        }
        xfr_fill(&cur, &w, &an);
        a->st.xfr_msgs++;
    }
    if (q->edns) {
        w.limit = limit;
        if (dns_write_opt_ede(&w, DNS_AUTH_EDNS_SIZE, 0, q->edns_do, ede) ==
            PITH_OK)
            ar = 1;
    }
    if (rcode < 6)
        a->st.rcode[rcode]++;
    xfr_hdr(&w, q->h.id, flags, rcode, aa, 1, an, ar);
    /* Over UDP, one message is all there is (NSD). */
    if (x) {
        memset(x, 0, sizeof *x);
        if ((how & DNS_AUTH_TCP) && cur.zone && cur.phase != XP_DONE)
            *x = cur;
    }
    return w.len;
}

size_t dns_auth_xfr_next(struct dns_auth *a, struct dns_xfr *x, uint8_t *out,
                         size_t cap)
{
    struct dns_writer w;
    uint16_t an = 0;

    if (!x->zone)
        return 0;
    if (x->phase == XP_DONE) {
        x->zone = NULL;
        return 0;
    }
    dns_writer_init(&w, out, cap,
                    cap < DNS_AUTH_XFR_MSG_MAX ? cap : DNS_AUTH_XFR_MSG_MAX);
    dns_writer_use_index(&w, &a->xfr_names);
    xfr_fill(x, &w, &an);
    xfr_hdr(&w, x->id, x->flags, DNS_RCODE_NOERROR, 1, 0, an, 0);
    a->st.xfr_msgs++;
    if (x->phase == XP_DONE)
        x->zone = NULL;
    return w.len;
}

/* Whether (q) asks for a name NSD answers in class CHAOS: TXT or ANY of
 * id.server, hostname.bind, version.server or version.bind, spelled in
 * lower case (NSD compares the octets). */
static int chaos_known(const struct dns_query *q)
{
    static const char *const names[] = {
        "\002id\006server", "\010hostname\004bind", "\007version\006server",
        "\007version\004bind"};
    size_t i;

    if (q->qtype != DNS_T_TXT && q->qtype != DNS_T_ANY)
        return 0;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (q->qname.len == strlen(names[i]) + 1 &&
            memcmp(q->qname.b, names[i], q->qname.len) == 0)
            return 1;
    return 0;
}

/* A response carrying only the header, as NSD sends FORMERR and NOTIMP:
 * the RD bit and the opcode kept, no question. */
static size_t answer_bare(struct dns_auth *a, const struct dns_query *q,
                          uint16_t rcode, uint16_t aa, uint8_t *out, size_t cap)
{
    struct dns_writer w;
    struct dns_hdr h;

    a->st.rcode[rcode]++;
    dns_writer_init(&w, out, cap, cap);
    memset(&h, 0, sizeof h);
    h.id = q->h.id;
    h.flags = (uint16_t)(DNS_QR | (q->h.flags & (DNS_OPCODE_MASK | DNS_RD)) |
                         aa | rcode);
    dns_write_hdr(&w, &h);
    return w.err ? 0 : w.len;
}

size_t dns_auth_answer(struct dns_auth *a, struct bv *msg, unsigned how,
                       struct dns_xfr *x, uint8_t *out, size_t cap)
{
    int tcp = (how & DNS_AUTH_TCP) != 0;
    struct dns_query q;
    struct dns_hdr h;
    struct ans s;
    size_t limit;
    int rc;

    if (x)
        memset(x, 0, sizeof *x);
    a->st.queries++;
    memset(&q, 0, sizeof q);
    rc = dns_query_parse(msg, &q);
    if (rc == PITH_ERANGE) {
        a->st.dropped++;
        return 0;
    }
    /* NSD's strictness, which we share: a query has no answer or
     * authority records, no additional ones but OPT, no rcode, and an
     * uncompressed question name. */
    if (rc < 0 || q.h.ancount || (q.h.nscount && q.qtype != DNS_T_IXFR) ||
        q.h.nscount > 64 || q.h.arcount > (q.edns ? 1 : 0) ||
        (q.h.flags & DNS_RCODE_MASK) ||
        q.qend != (size_t)DNS_HLEN + q.qname.len + 4)
        return answer_bare(a, &q, DNS_RCODE_FORMERR, 0, out, cap);
    if (q.opcode == DNS_OPCODE_NOTIFY) /* NSD keeps a NOTIFY's AA bit */
        return answer_bare(a, &q, DNS_RCODE_REFUSED,
                           (uint16_t)(q.h.flags & DNS_AA), out, cap);
    if (q.opcode != DNS_OPCODE_QUERY)
        return answer_bare(a, &q, DNS_RCODE_NOTIMP, 0, out, cap);
    /* Classes we know nothing of: refused without even the question. */
    if (q.qclass != DNS_CLASS_IN && q.qclass != DNS_CLASS_ANY &&
        q.qclass != DNS_CLASS_CH)
        return answer_bare(a, &q, DNS_RCODE_REFUSED, 0, out, cap);

    limit = tcp      ? DNS_MSG_MAX
            : q.edns ? (q.edns_udp < DNS_AUTH_EDNS_SIZE ? q.edns_udp
                                                        : DNS_AUTH_EDNS_SIZE)
                     : DNS_UDP_MIN;
    if (limit > cap)
        limit = cap;
    /* Zone transfers have answers of their own; BADVERS, CHAOS and AXFR
     * over UDP are as for any query. */
    if ((q.qtype == DNS_T_IXFR || (q.qtype == DNS_T_AXFR && tcp)) &&
        q.qclass != DNS_CLASS_CH && !(q.edns && q.edns_version > 0))
        return answer_xfr(a, msg, &q, how, x, out, cap,
                          limit < DNS_AUTH_XFR_MSG_MAX ? limit
                                                       : DNS_AUTH_XFR_MSG_MAX);
    memset(&s, 0, offsetof(struct ans, add));
    s.a = a;
    s.q = &q;
    s.aa = 1;
    s.ede = -1;
    /* Room for our OPT record (11 bytes) is kept back from the start. */
    dns_writer_init(&s.w, out, cap, q.edns ? limit - 11 : limit);
    dns_write_question(&s.w, &q.qname, q.qtype, q.qclass);

    if (q.edns && q.edns_version > 0) {
        s.rcode = DNS_RCODE_BADVERS;
        s.aa = 0;
        a->st.badvers++;
    } else if (q.qclass == DNS_CLASS_CH) {
        /* CHAOS: the server's names and versions hidden, as NSD's with
         * hide-identity and hide-version; anything else not supported. */
        s.rcode = DNS_RCODE_REFUSED;
        s.aa = 0;
        s.ede = chaos_known(&q) ? DNS_EDE_PROHIBITED : DNS_EDE_NOT_SUPPORTED;
    } else if (q.qtype == DNS_T_AXFR) {
        s.rcode = DNS_RCODE_NOTIMP; /* over UDP: transfers need TCP (NSD) */
        s.aa = 0;
    } else {
        answer_name(&s, &q.qname, 0);
        if (q.qclass == DNS_CLASS_ANY)
            s.aa = 0; /* data of class IN, not an authoritative ANY */
        /* NSD leaves the NS set out of ANY and DNSSEC key answers. */
        if (s.positive && s.aa && s.rcode == DNS_RCODE_NOERROR &&
            q.qtype != DNS_T_ANY && q.qtype != DNS_T_DS &&
            q.qtype != DNS_T_DNSKEY)
            authority_ns(&s);
        if (!s.tc && s.rcode != DNS_RCODE_REFUSED)
            additional(&s);
    }

    if (q.edns) {
        s.w.limit = limit;
        /* BADVERS answers carry no DO bit (NSD); refusals say why
         * (RFC 8914), as NSD does. */
        if (dns_write_opt_ede(&s.w, DNS_AUTH_EDNS_SIZE, (uint8_t)(s.rcode >> 4),
                              s.rcode == DNS_RCODE_BADVERS ? 0 : q.edns_do,
                              s.ede) == PITH_OK)
            s.ar++;
    }
    memset(&h, 0, sizeof h);
    h.id = q.h.id;
    h.flags = (uint16_t)(DNS_QR | (q.h.flags & (DNS_OPCODE_MASK | DNS_RD)) |
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
