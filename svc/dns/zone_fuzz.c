/*
 * Fuzz target for the zones of svc/dns (zone.c). The input is a master
 * file for example.com., or, after a first '.' or '~', for the root or a
 * deep name. A zone that loads must keep the invariants of dns.h: nodes
 * strictly in canonical order, the origin first with its one SOA, every
 * node at or below the origin with its parent present (the empty
 * non-terminals), RRsets sorted by type whose records iterate exactly to
 * their size and count, each record's data as dns_rdata_parse() reads
 * them from a message, and lookups that find every node and give the
 * node itself as the closest encloser of a name below it. A zone that
 * does not load leaves one line "FILE:LINE:COL: what" and nothing
 * allocated (LeakSanitizer checks the rest).
 */
#include <stdint.h>
#include <string.h>

#include <pith/err.h>

#include "dns.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

static void check_rrset(const struct dns_rrset *set)
{
    static uint8_t out[DNS_RDATA_MAX];
    uint32_t off = 0, ttl, k = 0;
    const uint8_t *rd;
    uint16_t len;

    while (dns_rrset_next(set, &off, &ttl, &rd, &len)) {
        struct bv v = bv_make(rd, len);
        size_t outlen = 0;

        CHECK(dns_rdata_parse(&v, 0, len, set->type, out, sizeof out,
                              &outlen) == PITH_OK);
        CHECK(outlen == len && memcmp(out, rd, len) == 0);
        k++;
    }
    CHECK(off == set->size && k == set->count && k > 0);
}

static void check_zone(const struct dns_zone *z)
{
    uint32_t records = 0;
    size_t i;

    CHECK(z->nnodes > 0 && dns_name_eq(&z->nodes[0].name, &z->origin));
    CHECK(z->soa != NULL && z->soa->count == 1 &&
          z->soa == dns_node_rrset(&z->nodes[0], DNS_T_SOA));
    for (i = 0; i < z->nnodes; i++) {
        const struct dns_node *n = &z->nodes[i], *closest = NULL;
        struct dns_name below;
        unsigned s;

        CHECK(dns_name_is_sub(&n->name, &z->origin));
        if (i > 0) {
            struct dns_name parent;

            CHECK(dns_name_cmp(&z->nodes[i - 1].name, &n->name) < 0);
            dns_name_strip(&n->name, 1, &parent);
            CHECK(dns_zone_find(z, &parent, NULL) != NULL);
        }
        CHECK(dns_zone_find(z, &n->name, &closest) == n);
        /* A name below it that is not in the zone: the node encloses. */
        if (n->name.len + 3 <= DNS_NAME_MAX) {
            below.b[0] = 2;
            below.b[1] = 0xff;
            below.b[2] = 0x00;
            memcpy(&below.b[3], n->name.b, n->name.len);
            below.len = (uint8_t)(n->name.len + 3);
            below.labels = (uint8_t)(n->name.labels + 1);
            if (dns_zone_find(z, &below, &closest) == NULL)
                CHECK(closest == n);
        }
        /* The file order is an order of the same RRsets. */
        for (s = 0; s < n->nsets; s++) {
            const struct dns_rrset *a = dns_node_rrset_nth(z, n, s);
            unsigned t;
            CHECK(a >= n->sets && a < n->sets + n->nsets);
            for (t = 0; t < s; t++)
                CHECK(dns_node_rrset_nth(z, n, t) != a);
        }
        CHECK(dns_node_rrset_nth(z, n, n->nsets) == NULL);
        for (s = 0; s < n->nsets; s++) {
            CHECK(s == 0 || n->sets[s - 1].type < n->sets[s].type);
            CHECK(dns_node_rrset(n, n->sets[s].type) == &n->sets[s]);
            check_rrset(&n->sets[s]);
            records += n->sets[s].count;
        }
    }
    CHECK(records == z->records);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const origins[] = {"example.com.", ".",
                                          "a.b.c.d.e.f.g.h.example."};
    struct dns_name origin;
    struct dns_zone z;
    char err[256];
    const char *o;
    size_t skip;
    int rc;

    if (size == 0)
        return 0;
    /* A first '.' or '~' picks the root or a deep origin and is not
     * text: the seeds stay plain zone files. */
    skip = data[0] == '.' || data[0] == '~';
    o = origins[data[0] == '.' ? 1 : data[0] == '~' ? 2 : 0];
    CHECK(dns_name_from_text(&origin, o, strlen(o), NULL) == PITH_OK);
    memset(err, 'x', sizeof err);
    rc = dns_zone_parse(&z, (const char *)data + skip, size - skip, "f",
                        &origin, err, sizeof err);
    if (rc == PITH_OK) {
        CHECK(err[0] == '\0');
        check_zone(&z);
    } else {
        CHECK(rc == PITH_EINVAL || rc == PITH_ENOMEM);
        CHECK(strncmp(err, "f:", 2) == 0 && memchr(err, '\0', sizeof err) &&
              strchr(err, '\n') == NULL);
        CHECK(z.nodes == NULL && z.mem == NULL);
    }
    dns_zone_free(&z);
    return 0;
}
