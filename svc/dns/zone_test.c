/*
 * Unit tests for the zones of svc/dns (zone.c): master files (RFC 1035 5)
 * read as NSD reads them, every presentation format against known wire
 * bytes (checked with ldns-read-zone -u when written), every error with
 * its "file:line:column: what", the rules of a zone (one SOA at the
 * origin, RFC 1034 3.6.2 for CNAME, RFC 6672 for DNAME, RFC 2181 5
 * duplicates), the lookup structure (canonical order, empty
 * non-terminals of RFC 4592 2.2.2, closest enclosers), nsd-checkzone's
 * verdicts on the same texts when it is installed, and the heap a
 * 10,000-record zone takes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pith/err.h>

#include "dns.h"
#include "unit.h"

/* ---- Helpers ------------------------------------------------------- */

static struct dns_name N(const char *s) {
    struct dns_name n;

    memset(&n, 0, sizeof n);
    if (dns_name_from_text(&n, s, strlen(s), NULL) != PITH_OK)
        fprintf(stderr, "bad name in a test: %s\n", s);
    return n;
}

static struct dns_name origin;
static char err[512];

static int parse(struct dns_zone *z, const char *text)
{
    int rc;
    origin = N("example.com.");
    rc = dns_zone_parse(z, text, strlen(text), "t.zone", &origin, err,
                        sizeof err);
    return rc;
}

/* The first five lines of most zones below: errors are on line 6. */
#define HEAD                                                                   \
    "$ORIGIN example.com.\n$TTL 1h\n@ SOA ns1 host 1 2h 1h 1w 5m\n"            \
    "@ NS ns1\nns1 A 192.0.2.1\n"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (h[0] && h[1] && n < cap) {
        unsigned v;

        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static const struct dns_rrset *rrset(const struct dns_zone *z,
                                     const char *owner, uint16_t type)
{
    struct dns_name n = N(owner);
    const struct dns_node *node = dns_zone_find(z, &n, NULL);

    return node ? dns_node_rrset(node, type) : NULL;
}

/* Whether (owner, type) holds a record (ttl, hex), at position (pos) of
 * its RRset (-1: anywhere). */
static int has(const struct dns_zone *z, const char *owner, uint16_t type,
               uint32_t ttl, const char *hex, int pos)
{
    static uint8_t want[65536];
    size_t n = unhex(hex, want, sizeof want);
    const struct dns_rrset *s = rrset(z, owner, type);
    uint32_t off = 0, t;
    const uint8_t *rd;
    uint16_t len;
    int i = 0;

    if (s == NULL)
        return 0;
    for (; dns_rrset_next(s, &off, &t, &rd, &len); i++)
        if ((pos < 0 || pos == i) && t == ttl && len == n &&
            memcmp(rd, want, n) == 0)
            return 1;
    return 0;
}

static unsigned count(const struct dns_zone *z, const char *owner,
                      uint16_t type)
{
    const struct dns_rrset *s = rrset(z, owner, type);

    return s ? s->count : 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

/* svc/dns/NAME beside this file. */
static const char *here(const char *name)
{
    static char path[4096];
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 1;

    snprintf(path, sizeof path, "%.*s/%s", dir, slash ? __FILE__ : ".", name);
    return path;
}

/*
 * The invariants every parsed zone keeps: nodes strictly in canonical
 * order, the origin first with the SOA, every node at or below the
 * origin, RRsets sorted by type, their records iterating exactly to their
 * size and count, each record's data what dns_rdata_parse() accepts from
 * a message as it is, and every node's parent present.
 */
static int invariants(const struct dns_zone *z)
{
    static uint8_t out[65536];
    uint32_t records = 0;
    size_t i;

    if (z->nnodes == 0 || !dns_name_eq(&z->nodes[0].name, &z->origin) ||
        z->soa == NULL || z->soa != dns_node_rrset(&z->nodes[0], DNS_T_SOA) ||
        z->soa->count != 1)
        return 0;
    for (i = 0; i < z->nnodes; i++) {
        const struct dns_node *n = &z->nodes[i];
        unsigned s;

        if (i > 0 && dns_name_cmp(&z->nodes[i - 1].name, &n->name) >= 0)
            return 0;
        if (!dns_name_is_sub(&n->name, &z->origin))
            return 0;
        if (i > 0) {
            struct dns_name parent;

            dns_name_strip(&n->name, 1, &parent);
            if (dns_zone_find(z, &parent, NULL) == NULL)
                return 0;
        }
        if (dns_zone_find(z, &n->name, NULL) != n)
            return 0;
        for (s = 0; s < n->nsets; s++) {
            const struct dns_rrset *set = &n->sets[s];
            uint32_t off = 0, ttl, k = 0;
            const uint8_t *rd;
            uint16_t len;

            if (s > 0 && n->sets[s - 1].type >= set->type)
                return 0;
            while (dns_rrset_next(set, &off, &ttl, &rd, &len)) {
                struct bv v = bv_make(rd, len);
                size_t outlen;

                if (dns_rdata_parse(&v, 0, len, set->type, out, sizeof out,
                                    &outlen) != PITH_OK ||
                    outlen != len || memcmp(out, rd, len) != 0)
                    return 0;
                k++;
            }
            if (off != set->size || k != set->count || k == 0)
                return 0;
            records += k;
        }
    }
    return records == z->records;
}

/* ---- The example zone ---------------------------------------------- */

static void test_example_zone(void)
{
    static const char *const order[] = {
        "example.com.",           "_tcp.example.com.",
        "_sip._tcp.example.com.", "alias.example.com.",
        "c.example.com.",         "b.c.example.com.",
        "a.b.c.example.com.",     "generic.example.com.",
        "mail.example.com.",      "ns1.example.com.",
        "old.example.com.",       "sip.example.com.",
        "sub.example.com.",       "ns.sub.example.com.",
        "txt.example.com.",       "web.example.com.",
        "_tcp.web.example.com.",  "_443._tcp.web.example.com.",
        "wild.example.com.",      "*.wild.example.com.",
        "www.example.com.",
    };
    struct dns_zone z;
    size_t len, i;
    char *text = slurp(here("testdata/example.zone"), &len);

    T_CHECK(text != NULL);
    if (text == NULL)
        return;
    origin = N("example.com.");
    T_CHECKF(dns_zone_parse(&z, text, len, "example.zone", &origin, err,
                            sizeof err) == PITH_OK,
             "%s", err);
    free(text);
    T_CHECK(invariants(&z));
    T_CHECK(z.records == 30);
    T_CHECK(z.nnodes == sizeof order / sizeof order[0]);
    for (i = 0; i < z.nnodes && i < sizeof order / sizeof order[0]; i++) {
        struct dns_name n = N(order[i]);

        T_CHECKF(dns_name_eq(&z.nodes[i].name, &n), "node %zu", i);
    }
    /* SOA: times with units; the TTL from $TTL. */
    T_CHECK(has(&z, "example.com.", DNS_T_SOA, 3600,
                "036e7331076578616d706c6503636f6d000a686f73746d6173746572"
                "076578616d706c6503636f6d0078a3f17500001c2000000708001275"
                "000000012c",
                0));
    T_CHECK(count(&z, "example.com.", DNS_T_NS) == 2);
    T_CHECK(has(&z, "example.com.", DNS_T_NS, 3600,
                "036e7331076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "example.com.", DNS_T_NS, 3600,
                "036e7332076578616d706c65036e657400", 1));
    T_CHECK(has(&z, "example.com.", DNS_T_MX, 3600,
                "000a046d61696c076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "example.com.", DNS_T_MX, 3600,
                "0014046d61696c066261636b7570076578616d706c65036e657400", 1));
    T_CHECK(has(&z, "example.com.", DNS_T_CAA, 3600,
                "8005696f6465666d61696c746f3a7365637572697479406578616d706c"
                "652e636f6d",
                1));
    /* An explicit TTL, and the class after it. */
    T_CHECK(has(&z, "mail.example.com.", DNS_T_A, 300, "c0000219", 0));
    T_CHECK(has(&z, "mail.example.com.", DNS_T_AAAA, 3600,
                "20010db8000000000000000000000019", 0));
    T_CHECK(has(&z, "web.example.com.", DNS_T_AAAA, 3600,
                "00000000000000000000ffffc0000250", 0));
    T_CHECK(count(&z, "web.example.com.", DNS_T_A) == 2);
    /* TXT: \" \\ \DDD, and ';' inside quotes is no comment. */
    T_CHECK(has(&z, "txt.example.com.", DNS_T_TXT, 3600,
                "0873617920226869220a73656d693b636f6c6f6e0a6261636b5c736c61"
                "736802ff00",
                0));
    T_CHECK(has(&z, "_sip._tcp.example.com.", DNS_T_SRV, 3600,
                "000a003c13c403736970076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "_443._tcp.web.example.com.", DNS_T_TLSA, 3600,
                "030101d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561"
                "cb106618e971",
                0));
    T_CHECK(has(&z, "*.wild.example.com.", DNS_T_TXT, 3600,
                "0877696c6463617264", 0));
    T_CHECK(has(&z, "old.example.com.", DNS_T_DNAME, 3600,
                "036e6577076578616d706c65036f726700", 0));
    T_CHECK(has(&z, "alias.example.com.", DNS_T_CNAME, 3600,
                "03777777076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "www.example.com.", DNS_T_CNAME, 3600,
                "03776562076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "sub.example.com.", DNS_T_NS, 3600,
                "026e7303737562076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "ns.sub.example.com.", DNS_T_A, 3600, "c0000235", 0));
    /* RFC 3597: a private type, and a known one in the generic form. */
    T_CHECK(has(&z, "generic.example.com.", 65280, 3600, "0a0b0c0d", 0));
    T_CHECK(has(&z, "generic.example.com.", DNS_T_A, 3600, "c0000207", 0));
    T_CHECK(z.nodes[1].nsets == 0 && z.nodes[4].nsets == 0 &&
            z.nodes[5].nsets == 0 && z.nodes[16].nsets == 0 &&
            z.nodes[18].nsets == 0);
    dns_zone_free(&z);
    T_CHECK(z.nodes == NULL && z.nnodes == 0 && z.mem == NULL);
}

/* Lookups: exact, empty non-terminals (NODATA, not NXDOMAIN), closest
 * enclosers (RFC 4592 3.3.1), names outside, case. */
static void test_find(void)
{
    static const struct {
        const char *name, *found, *closest;
    } cases[] = {
        {"example.com.", "example.com.", NULL},
        {"WWW.Example.COM.", "www.example.com.", NULL},
        {"c.example.com.", "c.example.com.", NULL},
        {"b.c.example.com.", "b.c.example.com.", NULL},
        {"_tcp.example.com.", "_tcp.example.com.", NULL},
        {"nope.example.com.", NULL, "example.com."},
        {"x.y.sub.example.com.", NULL, "sub.example.com."},
        {"q.b.c.example.com.", NULL, "b.c.example.com."},
        {"z.a.b.c.example.com.", NULL, "a.b.c.example.com."},
        {"host.wild.example.com.", NULL, "wild.example.com."},
        {"a.b.old.example.com.", NULL, "old.example.com."},
        {"aaa.example.com.", NULL, "example.com."},
        {"zzz.example.com.", NULL, "example.com."},
        {"example.org.", NULL, NULL},
        {"com.", NULL, NULL},
        {".", NULL, NULL},
    };
    struct dns_zone z;
    size_t len, i;
    char *text = slurp(here("testdata/example.zone"), &len);
    const struct dns_node *node, *closest;

    T_CHECK(text != NULL);
    if (text == NULL)
        return;
    origin = N("example.com.");
    T_CHECK(dns_zone_parse(&z, text, len, "example.zone", &origin, err,
                           sizeof err) == PITH_OK);
    free(text);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dns_name n = N(cases[i].name);

        closest = (const struct dns_node *)&z; /* must be overwritten */
        node = dns_zone_find(&z, &n, &closest);
        if (cases[i].found) {
            struct dns_name f = N(cases[i].found);

            T_CHECKF(node && dns_name_eq(&node->name, &f), "%s", cases[i].name);
        } else {
            T_CHECKF(node == NULL, "%s", cases[i].name);
            if (cases[i].closest) {
                struct dns_name c = N(cases[i].closest);

                T_CHECKF(closest && dns_name_eq(&closest->name, &c), "%s",
                         cases[i].name);
            } else {
                T_CHECKF(closest == NULL, "%s", cases[i].name);
            }
        }
        /* Without (closest), the same node. */
        T_CHECK(dns_zone_find(&z, &n, NULL) == node);
    }
    {
        struct dns_name n = N("ns1.example.com.");

        node = dns_zone_find(&z, &n, NULL);
        T_CHECK(node && node->nsets == 2);
        T_CHECK(node && dns_node_rrset(node, DNS_T_A) == &node->sets[0]);
        T_CHECK(node && dns_node_rrset(node, DNS_T_AAAA) == &node->sets[1]);
        T_CHECK(node && dns_node_rrset(node, DNS_T_MX) == NULL);
        T_CHECK(node && dns_node_rrset(node, 0) == NULL);
        T_CHECK(node && dns_node_rrset(node, 65535) == NULL);
        /* In the file's order: A, then AAAA, as sorted. */
        T_CHECK(node && dns_node_rrset_nth(&z, node, 0) == &node->sets[0] &&
                dns_node_rrset_nth(&z, node, 1) == &node->sets[1] &&
                dns_node_rrset_nth(&z, node, 2) == NULL);
        /* The origin: SOA, NS, MX, TXT, CAA in the file; *.wild: TXT
         * before MX. */
        {
            static const uint16_t want[] = {DNS_T_SOA, DNS_T_NS, DNS_T_MX,
                                            DNS_T_TXT, DNS_T_CAA};
            struct dns_name w = N("*.wild.example.com.");
            const struct dns_rrset *set;
            const struct dns_node *wild = dns_zone_find(&z, &w, NULL);
            unsigned k;
            for (k = 0; k < 5; k++) {
                set = dns_node_rrset_nth(&z, &z.nodes[0], k);
                T_CHECKF(set && set->type == want[k], "origin's RRset %u", k);
            }
            T_CHECK(dns_node_rrset_nth(&z, &z.nodes[0], 5) == NULL);
            T_CHECK(wild && wild->nsets == 2 &&
                    dns_node_rrset_nth(&z, wild, 0)->type == DNS_T_TXT &&
                    dns_node_rrset_nth(&z, wild, 1)->type == DNS_T_MX);
        }
        n = N("c.example.com.");
        node = dns_zone_find(&z, &n, NULL);
        T_CHECK(node && dns_node_rrset(node, DNS_T_A) == NULL);
    }
    T_CHECK(z.soa == dns_node_rrset(&z.nodes[0], DNS_T_SOA));
    dns_zone_free(&z);
}

/* ---- Presentation formats ------------------------------------------ */

static const struct {
    const char *line;
    uint16_t type;
    const char *hex;
} kat[] = {
    {"a1 A 192.0.2.1", 1, "c0000201"},
    {"a2 A 0.0.0.0", 1, "00000000"},
    {"a3 A 255.255.255.255", 1, "ffffffff"},
    {"aaaa1 AAAA ::", 28, "00000000000000000000000000000000"},
    {"aaaa2 AAAA ::1", 28, "00000000000000000000000000000001"},
    {"aaaa3 AAAA 2001:DB8::", 28, "20010db8000000000000000000000000"},
    {"aaaa4 AAAA 2001:db8:85a3:8d3:1319:8a2e:370:7348", 28,
     "20010db885a308d313198a2e03707348"},
    {"aaaa5 AAAA ::ffff:192.0.2.1", 28, "00000000000000000000ffffc0000201"},
    {"aaaa6 AAAA 1:2:3:4:5:6:1.2.3.4", 28, "00010002000300040005000601020304"},
    {"aaaa7 AAAA fe80::1:0:0:1", 28, "fe800000000000000001000000000001"},
    {"ns NS ns1.example.net.", 2, "036e7331076578616d706c65036e657400"},
    {"ns2 NS ns1", 2, "036e7331076578616d706c6503636f6d00"},
    {"cname CNAME target.example.net.", 5,
     "06746172676574076578616d706c65036e657400"},
    {"dname DNAME example.net.", 39, "076578616d706c65036e657400"},
    {"ptr PTR host.example.net.", 12, "04686f7374076578616d706c65036e657400"},
    {"mx MX 0 .", 15, "000000"},
    {"mx2 MX 65535 mail", 15, "ffff046d61696c076578616d706c6503636f6d00"},
    {"txt1 TXT \"\"", 16, "00"},
    {"txt2 TXT \"a\" \"b c\" d\\\"e", 16, "01610362206303642265"},
    {"txt3 TXT \"\\000\\255\\\\\\\"\" \\065", 16, "0400ff5c220141"},
    {"srv SRV 65535 0 443 .", 33, "ffff000001bb00"},
    {"caa1 CAA 0 issue \";\"", 257, "000569737375653b"},
    {"caa2 CAA 0 issuewild \"ca.example.net; account=1\"", 257,
     "0009697373756577696c6463612e6578616d706c652e6e65743b206163636f756e743d3"
     "1"},
    {"caa3 CAA 128 tbs Unquoted", 257, "8003746273556e71756f746564"},
    {"hinfo HINFO \"INTEL-386\" \"Linux 6\"", 13,
     "09494e54454c2d333836074c696e75782036"},
    {"naptr NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.", 35,
     "0064000a0153075349502b44325500045f736970045f756470076578616d706c6503636f6"
     "d00"},
    {"naptr2 NAPTR 100 50 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
     35,
     "006400320175074532552b7369701b215e2e2a24217369703a696e666f406578616d706c6"
     "52e636f6d2100"},
    {"sshfp SSHFP 4 2 ( "
     "123456789abcdef67890123456789abcdef67890123456789abcdef67890abcd )",
     44,
     "0402123456789abcdef67890123456789abcdef67890123456789abcdef67890abcd"},
    {"tlsa TLSA 3 1 1 "
     "d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971",
     52,
     "030101d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971"},
    {"ds DS 60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118", 43,
     "ec4505012bb183af5f22588179a53b0a98631fad1a292118"},
    {"ds2 DS 31589 8 2 ( 7ce8b2ee7b3a2b3f2a1b7e6b8c36a0f63d2a0b0b\n"
     "                   1c4f8c7c0d2c1e5d3a6c7b8f9e0d1c2b )",
     43,
     "7b6508027ce8b2ee7b3a2b3f2a1b7e6b8c36a0f63d2a0b0b1c4f8c7c0d2c1e5d3a6c7b8f9"
     "e0d1c2b"},
    {"dnskey DNSKEY 257 3 ECDSAP256SHA256 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d\n"
     "        xCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )",
     48,
     "0101030d99db2cc14cabdc33d6d77da63a2f15f71112584f234e8d1dc428e39e8a4a97e1a"
     "a271a555dc90701e17e2a4c4b6f120b7c32d44f4ac02bd894cf2d4be7778a19"},
    {"rrsig RRSIG A 8 2 3600 20240301000000 1706745600 12345 example.com. ( "
     "dGVzdA== )",
     46,
     "0001080200000e1065e11a8065badf003039076578616d706c6503636f6d0074657374"},
    {"rrsig2 RRSIG NSEC3PARAM 13 2 1h 99991231235959 19700101000000 65535 "
     "example.com. AAAA",
     46,
     "00330d0200000e10fff4417f00000000ffff076578616d706c6503636f6d00000000"},
    {"nsec NSEC next.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA "
     "TYPE65534",
     47,
     "046e657874076578616d706c6503636f6d00000762018008000380010140ff20000000000"
     "0000000000000000000000000000000000000000000000000000002"},
    {"nsec2 NSEC next.example.com.", 47,
     "046e657874076578616d706c6503636f6d00"},
    {"nsec3 NSEC3 1 1 0 - ( 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG )", 50,
     "01010000001417f3df17b2b2adaef615257de4d2020b80ac6c7c0006400000000002"},
    {"nsec3b NSEC3 1 0 10 aabbccdd 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA "
     "RRSIG DNSKEY NSEC3PARAM",
     50,
     "0100000a04aabbccdd14174eb2409fe28bcb4887a1836f957f0a8425e27b0007220000000"
     "00290"},
    {"n3p NSEC3PARAM 1 0 0 -", 51, "0100000000"},
    {"n3p2 NSEC3PARAM 1 1 12 aabbccdd", 51, "0101000c04aabbccdd"},
    {"rp RP mbox.example.com. txt.example.com.", 17,
     "046d626f78076578616d706c6503636f6d0003747874076578616d706c6503636f6d00"},
    {"afsdb AFSDB 1 afs.example.com.", 18,
     "000103616673076578616d706c6503636f6d00"},
    {"spf SPF \"v=spf1 -all\"", 99, "0b763d73706631202d616c6c"},
    {"cds CDS 0 0 0 00", 59, "0000000000"},
    {"cdnskey CDNSKEY 0 3 0 AA==", 60, "0000030000"},
    {"openpgpkey OPENPGPKEY dGVzdA==", 61, "74657374"},
    {"uri URI 10 1 \"https://www.example.com/\"", 256,
     "000a000168747470733a2f2f7777772e6578616d706c652e636f6d2f"},
    {"zonemd ZONEMD 2024010101 1 1 ( "
     "0123456789abcdef0123456789abcdef0123456789abcdef "
     "0123456789abcdef0123456789abcdef0123456789abcdef )",
     63,
     "78a3f17501010123456789abcdef0123456789abcdef0123456789abcdef0123456789abc"
     "def0123456789abcdef0123456789abcdef"},
    {"csync CSYNC 66 3 A NS AAAA", 62, "000000420003000460000008"},
    {"kx KX 10 kx.example.com.", 36, "000a026b78076578616d706c6503636f6d00"},
    {"gen TYPE65280 \\# 4 ( 0a0b 0c0d )", 65280, "0a0b0c0d"},
    {"gen0 TYPE65281 \\# 0", 65281, ""},
    {"gena A \\# 4 c0000201", 1, "c0000201"},
    {"genmx MX \\# 16 000a046d61696c076578616d706c6500", 15,
     "000a046d61696c076578616d706c6500"},
};

#define NKAT (sizeof kat / sizeof kat[0])

/* The text of a zone with every line of kat[] after HEAD. */
static char *kat_zone(void)
{
    size_t i, len = strlen(HEAD) + 1;
    char *text;

    for (i = 0; i < NKAT; i++)
        len += strlen(kat[i].line) + 1;
    text = malloc(len);
    if (text == NULL)
        return NULL;
    strcpy(text, HEAD);
    for (i = 0; i < NKAT; i++) {
        strcat(text, kat[i].line);
        strcat(text, "\n");
    }
    return text;
}

static void test_presentation_formats(void)
{
    struct dns_zone z;
    char *text = kat_zone();
    size_t i;

    T_CHECK(text != NULL);
    if (text == NULL)
        return;
    T_CHECKF(parse(&z, text) == PITH_OK, "%s", err);
    T_CHECK(invariants(&z));
    for (i = 0; i < NKAT; i++) {
        char owner[64];

        snprintf(owner, sizeof owner, "%.*s.example.com.",
                 (int)strcspn(kat[i].line, " "), kat[i].line);
        T_CHECKF(count(&z, owner, kat[i].type) == 1 &&
                     has(&z, owner, kat[i].type, 3600, kat[i].hex, 0),
                 "%s", kat[i].line);
    }
    dns_zone_free(&z);
    free(text);
}

/* ---- Syntax -------------------------------------------------------- */

/* Parentheses, comments, blank owners, TTL and class in either order,
 * $TTL with units, quoted owners, escaped dots, CRLF. */
static void test_syntax(void)
{
    struct dns_zone z;

    T_CHECKF(parse(&z, "; a comment\r\n"
                       "$ORIGIN example.com. ; a comment after a directive\r\n"
                       "$TTL 1h30m\r\n"
                       "\r\n"
                       "@ IN 60 SOA ( ns1 ; the server\r\n"
                       "   host ( 1 ) 2h ; parentheses nest\r\n"
                       "   1h 1w 5m )\r\n"
                       "  NS ns1\r\n"
                       "ns1 7200 IN A 192.0.2.1\r\n"
                       "    IN 100 AAAA ::1 ; a blank owner: ns1\r\n"
                       "\t A 192.0.2.2\r\n"
                       "   \r\n"
                       "\"quoted\" in a 192.0.2.3\r\n"
                       "w\\.x A 192.0.2.4\r\n"
                       "w\\046y A 192.0.2.5\r\n"
                       "sp\\ ace A 192.0.2.6\r\n"
                       "txt TXT \"a ; (b) \" c\r\n"
                       "multi TXT \"two\nlines\"\r\n"
                       "q TXT x\"y z\"\r\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(has(&z, "example.com.", DNS_T_SOA, 60,
                "036e7331076578616d706c6503636f6d0004686f7374076578616d706c"
                "6503636f6d000000000100001c2000000e1000093a800000012c",
                0));
    T_CHECK(has(&z, "example.com.", DNS_T_NS, 5400,
                "036e7331076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "ns1.example.com.", DNS_T_A, 7200, "c0000201", 0));
    T_CHECK(has(&z, "ns1.example.com.", DNS_T_A, 5400, "c0000202", 1));
    T_CHECK(has(&z, "ns1.example.com.", DNS_T_AAAA, 100,
                "00000000000000000000000000000001", 0));
    T_CHECK(has(&z, "quoted.example.com.", DNS_T_A, 5400, "c0000203", 0));
    T_CHECK(has(&z, "w\\.x.example.com.", DNS_T_A, 5400, "c0000204", 0));
    T_CHECK(has(&z, "w\\.y.example.com.", DNS_T_A, 5400, "c0000205", 0));
    T_CHECK(has(&z, "sp\\032ace.example.com.", DNS_T_A, 5400, "c0000206", 0));
    T_CHECK(has(&z, "txt.example.com.", DNS_T_TXT, 5400,
                "0861203b20286229200163", 0));
    T_CHECK(has(&z, "multi.example.com.", DNS_T_TXT, 5400,
                "0974776f0a6c696e6573", 0));
    /* A quote ends a word and starts a string, as in NSD. */
    T_CHECK(has(&z, "q.example.com.", DNS_T_TXT, 5400, "01780379207a", 0));
    dns_zone_free(&z);
}

/* $ORIGIN moves relative names; "@" follows it; names in data too. */
static void test_origin(void)
{
    struct dns_zone z;

    T_CHECKF(parse(&z, HEAD "$ORIGIN sub.example.com.\n"
                            "@ NS ns\n"
                            "ns A 192.0.2.53\n"
                            "www CNAME @\n"
                            "$ORIGIN example.com.\n"
                            "top A 192.0.2.9\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(has(&z, "sub.example.com.", DNS_T_NS, 3600,
                "026e7303737562076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "ns.sub.example.com.", DNS_T_A, 3600, "c0000235", 0));
    T_CHECK(has(&z, "www.sub.example.com.", DNS_T_CNAME, 3600,
                "03737562076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "top.example.com.", DNS_T_A, 3600, "c0000209", 0));
    dns_zone_free(&z);
}

/* Without $TTL, a record without a TTL takes the SOA's minimum (RFC 2308
 * 4), even before the SOA; a blank first owner is the origin (as NSD). */
static void test_default_ttl(void)
{
    struct dns_zone z;

    T_CHECKF(parse(&z, "  NS ns1.example.com.\n"
                       "early A 192.0.2.1\n"
                       "example.com. SOA ns1 host 1 2 3 4 600\n"
                       "late A 192.0.2.2\n"
                       "given 77 A 192.0.2.3\n"
                       "$TTL 1d\n"
                       "after A 192.0.2.4\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(has(&z, "example.com.", DNS_T_NS, 600,
                "036e7331076578616d706c6503636f6d00", 0));
    T_CHECK(has(&z, "example.com.", DNS_T_SOA, 600,
                "036e7331076578616d706c6503636f6d0004686f7374076578616d706c"
                "6503636f6d00000000010000000200000003000000040000025"
                "8",
                0));
    T_CHECK(has(&z, "early.example.com.", DNS_T_A, 600, "c0000201", 0));
    T_CHECK(has(&z, "late.example.com.", DNS_T_A, 600, "c0000202", 0));
    T_CHECK(has(&z, "given.example.com.", DNS_T_A, 77, "c0000203", 0));
    T_CHECK(has(&z, "after.example.com.", DNS_T_A, 86400, "c0000204", 0));
    dns_zone_free(&z);
}

/* RFC 2181 5: identical records are one, names inside compared without
 * case for the types of RFC 4034 6.2; the first one's TTL and spelling
 * stay. TTLs differing within an RRset are kept, as NSD keeps them (it
 * warns). Owners differing in case are one node, spelled as first seen. */
static void test_duplicates(void)
{
    struct dns_zone z;
    struct dns_name n;
    const struct dns_node *node;

    T_CHECKF(parse(&z, HEAD "dup 100 A 192.0.2.1\n"
                            "dup 200 A 192.0.2.1\n"
                            "dup A 192.0.2.2\n"
                            "dup NS A.Example.\n"
                            "dup NS a.example.\n"
                            "dup TXT \"A\"\n"
                            "dup TXT \"a\"\n"
                            "dup MX 1 A.b.\n"
                            "dup MX 1 a.B.\n"
                            "dup MX 2 a.b.\n"
                            "dup MX 65 a.b.\n"
                            "dup MX 97 a.b.\n"
                            "Case A 192.0.2.9\n"
                            "CASE A 192.0.2.9\n"
                            "case AAAA ::9\n"
                            "ns1 A 192.0.2.1\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(count(&z, "dup.example.com.", DNS_T_A) == 2);
    T_CHECK(has(&z, "dup.example.com.", DNS_T_A, 100, "c0000201", 0));
    T_CHECK(has(&z, "dup.example.com.", DNS_T_A, 3600, "c0000202", 1));
    T_CHECK(count(&z, "dup.example.com.", DNS_T_NS) == 1);
    T_CHECK(has(&z, "dup.example.com.", DNS_T_NS, 3600,
                "0141074578616d706c6500", 0));
    T_CHECK(count(&z, "dup.example.com.", DNS_T_TXT) == 2);
    T_CHECK(count(&z, "dup.example.com.", DNS_T_MX) == 4);
    T_CHECK(has(&z, "dup.example.com.", DNS_T_MX, 3600, "00010141016200", 0));
    T_CHECK(count(&z, "ns1.example.com.", DNS_T_A) == 1);
    n = N("case.example.com.");
    node = dns_zone_find(&z, &n, NULL);
    T_CHECK(node && node->nsets == 2 && memcmp(node->name.b, "\4Case", 5) == 0);
    T_CHECK(count(&z, "case.example.com.", DNS_T_A) == 1);
    T_CHECK(z.records == 3 + 2 + 1 + 2 + 4 + 2);
    dns_zone_free(&z);

    /* Mixed TTLs stay per record. */
    T_CHECK(parse(&z, HEAD "www 100 A 192.0.2.1\nwww 200 A 192.0.2.2\n") ==
            PITH_OK);
    T_CHECK(has(&z, "www.example.com.", DNS_T_A, 100, "c0000201", 0));
    T_CHECK(has(&z, "www.example.com.", DNS_T_A, 200, "c0000202", 1));
    dns_zone_free(&z);
}

/* What RFC 1034 3.6.2, RFC 4035 2.5 and RFC 6672 leave allowed. */
static void test_zone_rules_allow(void)
{
    struct dns_zone z;

    T_CHECKF(parse(&z, HEAD "www CNAME web\n"
                            "www RRSIG CNAME 8 3 3600 20240301000000 "
                            "20240201000000 1 example.com. AAAA\n"
                            "www NSEC z.example.com. CNAME RRSIG NSEC\n"
                            "www CNAME web\n" /* the same: one */
                            "dn DNAME example.net.\n"
                            "dn NS ns.example.net.\n"
                            "dn TXT \"beside a DNAME is fine\"\n"
                            "sub NS ns.sub\n"
                            "sub A 192.0.2.7\n"
                            "ns.sub A 192.0.2.53\n"
                            "deep.below.sub A 192.0.2.54\n"
                            "*.wild CNAME www\n"
                            "*.wild.deeper A 192.0.2.8\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(count(&z, "www.example.com.", DNS_T_CNAME) == 1);
    T_CHECK(count(&z, "dn.example.com.", DNS_T_DNAME) == 1);
    dns_zone_free(&z);
}

/* Empty non-terminals, many levels deep, and between siblings. */
static void test_empty_non_terminals(void)
{
    struct dns_zone z;
    struct dns_name n;
    const struct dns_node *node;

    T_CHECKF(parse(&z, HEAD "a.b.c.d.e.f A 192.0.2.1\n"
                            "x.c.d.e.f A 192.0.2.2\n"
                            "y.x.c.d.e.f A 192.0.2.3\n"
                            "e.f A 192.0.2.4\n"
                            "*.g.h A 192.0.2.5\n") == PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z));
    /* origin, ns1, f, e.f, d.e.f, c.d.e.f, b.c.d.e.f, a.b.c.d.e.f,
     * x.c.d.e.f, y.x.c.d.e.f, h, g.h, *.g.h */
    T_CHECK(z.nnodes == 13);
    n = N("d.e.f.example.com.");
    node = dns_zone_find(&z, &n, NULL);
    T_CHECK(node && node->nsets == 0);
    n = N("f.example.com.");
    node = dns_zone_find(&z, &n, NULL);
    T_CHECK(node && node->nsets == 0);
    n = N("e.f.example.com.");
    node = dns_zone_find(&z, &n, NULL);
    T_CHECK(node && node->nsets == 1);
    n = N("g.h.example.com.");
    node = dns_zone_find(&z, &n, NULL);
    T_CHECK(node && node->nsets == 0);
    dns_zone_free(&z);
}

/* Record data up to 65535 bytes; names up to 255 octets. */
static void test_limits(void)
{
    static char text[200000];
    struct dns_zone z;
    char *p;
    int i;

    /* 255 strings of 255 bytes and one of 254: 65535 bytes. */
    p = text + sprintf(text, HEAD "big TXT");
    for (i = 0; i < 256; i++) {
        *p++ = ' ';
        memset(p, 'x', i < 255 ? 255 : 254);
        p += i < 255 ? 255 : 254;
    }
    strcpy(p, "\n");
    T_CHECKF(parse(&z, text) == PITH_OK, "%s", err);
    T_CHECK(invariants(&z));
    T_CHECK(rrset(&z, "big.example.com.", DNS_T_TXT) &&
            rrset(&z, "big.example.com.", DNS_T_TXT)->size == 6 + 65535);
    dns_zone_free(&z);
    strcpy(p - 254,
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxx\n");
    T_CHECK(parse(&z, text) == PITH_EINVAL);
    T_CHECKF(strcmp(err, "t.zone:6:65289: record data over 65535 bytes") == 0,
             "%s", err);

    /* An owner of 255 octets: 3 labels of 63 octets, one of 49, then
     * example.com. (13 octets); then one of 256. */
    for (i = 0; i < 2; i++) {
        int k;

        p = text + sprintf(text, HEAD);
        for (k = 0; k < 4; k++) {
            int n = k < 3 ? 63 : 49 + i;

            memset(p, 'a' + k, (size_t)n);
            p += n;
            *p++ = '.';
        }
        strcpy(p, "example.com. A 192.0.2.1\n");
        if (i == 0) {
            T_CHECKF(parse(&z, text) == PITH_OK, "%s", err);
            /* origin, d, c.d, b.c.d (empty), a.b.c.d, ns1 */
            T_CHECK(invariants(&z) && z.nnodes == 6 &&
                    z.nodes[4].name.len == 255 && z.nodes[4].nsets == 1);
            dns_zone_free(&z);
        } else {
            T_CHECK(parse(&z, text) == PITH_EINVAL);
            T_CHECKF(strncmp(err, "t.zone:6:1: bad owner name 'aaaa", 32) == 0,
                     "%s", err);
        }
    }
}

/* At most 65535 records in an RRset: the count is 16 bits, and no
 * message could hold more. */
static void test_rrset_limit(void)
{
    size_t cap = 65536 * 16 + 256, n;
    char *text = malloc(cap);
    struct dns_zone z;
    unsigned i;

    T_CHECK(text != NULL);
    if (text == NULL)
        return;
    n = (size_t)sprintf(text, HEAD);
    for (i = 0; i < 65535; i++)
        n += (size_t)sprintf(text + n, "x TXT %u\n", i);
    T_CHECKF(parse(&z, text) == PITH_OK, "%s", err);
    T_CHECK(count(&z, "x.example.com.", DNS_T_TXT) == 65535);
    dns_zone_free(&z);
    sprintf(text + n, "x TXT more\n");
    T_CHECK(parse(&z, text) == PITH_EINVAL);
    T_CHECKF(strcmp(err, "t.zone:65541:1: over 65535 records in an RRset "
                         "at x.example.com.") == 0,
             "%s", err);
    free(text);
}

/* ---- Errors -------------------------------------------------------- */

/*
 * Bad zones, each with its message and nsd-checkzone's verdict (1: NSD
 * refuses it too; 0: NSD accepts it, and zone.c is stricter on purpose).
 * A body starting with '!' is the whole text; others follow HEAD.
 */
static const struct {
    const char *body, *msg;
    int nsd;
} errors[] = {
    {"www A 10.0.0.300", "6:7: bad IPv4 address '10.0.0.300'", 1},
    {"www A 01.2.3.4", "6:7: bad IPv4 address '01.2.3.4'", 1},
    {"www AAAA 1::2::3", "6:10: bad IPv6 address '1::2::3'", 1},
    {"www AAAA 1.2.3.4", "6:10: bad IPv6 address '1.2.3.4'", 1},
    {"www AAAA 1:2:3:4:5:6:7::8", "6:10: bad IPv6 address '1:2:3:4:5:6:7::8'",
     1},
    {"www FOO 1", "6:5: unknown type 'FOO'", 1},
    {"www CH A 1.2.3.4", "6:5: class 'CH' is not supported (only IN)", 1},
    {"www CLASS3 A 1.2.3.4", "6:5: class 'CLASS3' is not supported (only IN)",
     1},
    {"$INCLUDE other.zone",
     "6:1: $INCLUDE is not supported (a zone is one text)", 1},
    {"$FOO bar", "6:1: unknown directive '$FOO'", 1},
    {"$ORIGIN sub", "6:9: bad $ORIGIN 'sub' (it must be an absolute name)", 1},
    {"$TTL 1x", "6:6: bad TTL '1x'", 1},
    {"$TTL", "6:5: missing the value of $TTL", 1},
    {"www 1x A 1.2.3.4", "6:5: bad TTL '1x'", 1},
    {"www 30 IN 30 A 1.2.3.4", "6:11: a second TTL '30'", 1},
    {"www IN IN A 1.2.3.4", "6:8: a second class 'IN'", 1},
    {"www", "6:4: missing the type", 1},
    {"  IN", "6:5: missing the type", 1},
    {"www MX 10", "6:10: missing MX exchange", 1},
    {"www SRV 1 2 3", "6:14: missing SRV target", 1},
    {"www HINFO PC", "6:13: missing HINFO OS", 1},
    {"www DS 1 8 2", "6:13: missing DS digest", 1},
    {"www A 1.2.3.4 5.6.7.8", "6:15: unexpected '5.6.7.8' after the data", 1},
    {"www A 1.2.3.4 )", "6:15: ')' without '('", 1},
    {"www TXT \"abc", "6:9: missing closing '\"'", 1},
    {"!$ORIGIN example.com.\n@ SOA ns1 host 1 2 3 4 5\nwww TXT a\\",
     "3:10: '\\' at the end of the text", 0},
    {"www TXT aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "6:9: bad TXT string "
     "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': over "
     "255 bytes",
     1},
    {"www.example.org. A 1.2.3.4",
     "6:1: www.example.org. is outside the zone example.com.", 1},
    {"$ORIGIN example.org.\nwww A 1.2.3.4",
     "7:1: www.example.org. is outside the zone example.com.", 1},
    {"a..b A 1.2.3.4", "6:1: bad owner name 'a..b'", 1},
    {"www NS a..b", "6:8: bad NS name 'a..b'", 1},
    {"www SOA ns1 host 1 2 3 4 5",
     "6:1: the SOA record must be at the origin example.com.", 1},
    {"@ SOA ns1 host 2 2 3 4 5",
     "6:1: a second SOA record (the first is on line 3)", 1},
    {"@ SOA ns1 host 1 2h 1h 1w 5m",
     "6:1: a second SOA record (the first is on line 3)", 1},
    {"!$ORIGIN example.com.\nwww A 1.2.3.4\n",
     "3:1: no SOA record at the origin example.com.", 1},
    {"!", "1:1: no SOA record at the origin example.com.", 1},
    {"www CNAME web\nwww A 1.2.3.4",
     "7:1: CNAME and other data at www.example.com. (RFC 1034 3.6.2)", 1},
    {"www A 1.2.3.4\nwww CNAME web",
     "7:1: CNAME and other data at www.example.com. (RFC 1034 3.6.2)", 1},
    {"@ CNAME web",
     "6:1: CNAME and other data at example.com. (RFC 1034 "
     "3.6.2)",
     1},
    {"www CNAME a\nwww CNAME b", "7:1: a second CNAME at www.example.com.", 1},
    {"x DNAME y\nx DNAME z",
     "7:1: a second DNAME at x.example.com. (RFC 6672 2.4)", 1},
    {"x DNAME y\na.b.x A 1.2.3.4",
     "7:1: a.b.x.example.com. is below the DNAME at x.example.com. (RFC "
     "6672 2.3)",
     1},
    {"@ DNAME example.net.",
     "5:1: ns1.example.com. is below the DNAME at example.com. (RFC 6672 "
     "2.3)",
     1},
    {"www A \\# 5 c000020101", "6:7: bad \\# data for A", 1},
    {"www A \\# 3 c00002", "6:7: bad \\# data for A", 1},
    {"www A \\# 4 c00002", "6:7: \\# length 4 but 3 bytes of data", 1},
    {"www A \\# x", "6:10: bad \\# length 'x': not a number from 0 to 65535",
     1},
    {"www A \\# 1 c", "6:12: bad \\# data 'c': an odd number of hex digits", 1},
    {"www MX \\# 4 0001c000", "6:8: bad \\# data for MX", 0},
    {"www TXT \\# 0", "6:9: bad \\# data for TXT", 0},
    {"www TYPE0 \\# 0", "6:5: type TYPE0 cannot be in a zone", 1},
    {"www OPT \\# 0", "6:5: type OPT cannot be in a zone", 0},
    {"www TYPE251 \\# 0", "6:5: type TYPE251 cannot be in a zone", 0},
    {"www TYPE65536 \\# 0", "6:5: unknown type 'TYPE65536'", 1},
    {"www LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
     "6:5: type LOC is read only in the form \\# LENGTH HEX (RFC 3597)", 0},
    {"www DNSKEY 256 3 8 AQ=", "6:20: bad DNSKEY key 'AQ=': base64 cut short",
     1},
    {"www DNSKEY 256 3 8 AQ== AQ==", "6:25: bad DNSKEY key 'AQ==': not base64",
     1},
    {"www DNSKEY 256 3 FOO AQ==", "6:18: bad DNSKEY algorithm 'FOO'", 1},
    {"www SSHFP 1 1 123",
     "6:15: bad SSHFP fingerprint '123': an odd number of hex digits", 1},
    {"www TLSA 3 1 1 zz", "6:16: bad TLSA data 'zz': not hex", 1},
    {"www CAA 0 iss-ue \"x\"",
     "6:11: bad CAA tag 'iss-ue': letters and digits only", 1},
    {"www CAA 0 abcdefghijklmnop \"x\"",
     "6:11: bad CAA tag 'abcdefghijklmnop': over 15 characters", 1},
    {"www CAA 0 \"\" \"x\"", "6:11: bad CAA tag '': empty", 1},
    {"www MX 65536 mail",
     "6:8: bad MX preference '65536': not a number from 0 to 65535", 0},
    {"www SRV 1 2 65536 x",
     "6:13: bad SRV port '65536': not a number from 0 "
     "to 65535",
     0},
    {"www RRSIG A 8 2 3600 20240230000000 20240101000000 1 example.com. AQ==",
     "6:22: bad RRSIG expiration '20240230000000'", 0},
    {"www RRSIG FOO 8 2 3600 20240301000000 20240101000000 1 example.com. "
     "AQ==",
     "6:11: bad RRSIG type covered 'FOO'", 1},
    {"www NSEC x.example.com. A BOGUS", "6:27: bad NSEC type 'BOGUS'", 1},
    {"www NSEC3 1 1 12 aabb 2vptu5timamqttgl4luu9kg21e0aor3sx A",
     "6:23: bad NSEC3 next hashed owner "
     "'2vptu5timamqttgl4luu9kg21e0aor3sx': not base32hex",
     1},
    {"www NSEC3PARAM 1 0 12 abc",
     "6:23: bad NSEC3PARAM salt 'abc': not up to 255 bytes of hex", 1},
    {"www TXT \"a\\256\"", "6:9: bad TXT string 'a\\256': bad escape", 0},
    {"www TXT \"\\0\"", "6:9: bad TXT string '\\0': bad escape", 0},
    {"www 4294967296 A 1.2.3.4", "6:5: bad TTL '4294967296'", 0},
    {"www SOA ns1 host 1h 2 3 4 5",
     "6:18: bad SOA serial '1h': not a number from 0 to 4294967295", 1},
    {"www A ( 1.2.3.4", "6:7: '(' without ')'", 0},
};

#define NERRORS (sizeof errors / sizeof errors[0])

static void error_text(size_t i, char *buf, size_t size)
{
    if (errors[i].body[0] == '!')
        snprintf(buf, size, "%s", errors[i].body + 1);
    else
        snprintf(buf, size, "%s%s\n", HEAD, errors[i].body);
}

static void test_errors(void)
{
    static char text[4096];
    struct dns_zone z;
    size_t i;

    for (i = 0; i < NERRORS; i++) {
        char want[512];

        error_text(i, text, sizeof text);
        snprintf(want, sizeof want, "t.zone:%s", errors[i].msg);
        strcpy(err, "unchanged");
        T_CHECKF(parse(&z, text) == PITH_EINVAL, "accepted: %s",
                 errors[i].body);
        T_CHECKF(strcmp(err, want) == 0, "got \"%s\", want \"%s\"", err, want);
        T_CHECK(z.nodes == NULL && z.mem == NULL && z.nnodes == 0);
        dns_zone_free(&z);
    }
    /* A short buffer truncates; none at all is fine. */
    T_CHECK(dns_zone_parse(&z, "www A 1", 7, "t", &origin, err, 8) ==
            PITH_EINVAL);
    T_CHECK(strcmp(err, "t:1:7: ") == 0);
    T_CHECK(dns_zone_parse(&z, "www A 1", 7, "t", &origin, NULL, 0) ==
            PITH_EINVAL);
}

/* A zone may be parsed into again once freed; freeing twice is fine. */
static void test_reuse(void)
{
    struct dns_zone z;

    T_CHECK(parse(&z, HEAD) == PITH_OK);
    T_CHECK(z.records == 3 && z.nnodes == 2);
    dns_zone_free(&z);
    dns_zone_free(&z);
    T_CHECK(parse(&z, HEAD "www A 192.0.2.2\n") == PITH_OK);
    T_CHECK(z.records == 4 && z.nnodes == 3 && invariants(&z));
    dns_zone_free(&z);
    T_CHECK(parse(&z, HEAD "www A 1\n") == PITH_EINVAL);
    dns_zone_free(&z);
    /* Empty data first (found by the fuzzer: no buffer yet). */
    T_CHECKF(parse(&z, "e TYPE65281 \\# 0\n@ SOA ns1 host 1 2 3 4 5\n") ==
                 PITH_OK,
             "%s", err);
    T_CHECK(invariants(&z) && has(&z, "e.example.com.", 65281, 5, "", 0));
    dns_zone_free(&z);
}

/* ---- nsd-checkzone ------------------------------------------------- */

/* Good zones beyond the example and the known answers. */
static const char *const goods[] = {
    HEAD "www IN 30 A 192.0.2.1\nwww 30 IN AAAA ::1\n",
    HEAD "$TTL 1w2d3h4m5s\nwww A 192.0.2.1\n",
    HEAD "www ( A\n 192.0.2.1 )\n",
    HEAD "w\\ ww A 192.0.2.1\nw\\046x A 192.0.2.2\n",
    HEAD "*.w A 192.0.2.1\na.*.w A 192.0.2.1\n",
    HEAD "www A 192.0.2.1\nwww A 192.0.2.1\n",
    HEAD "www 100 A 192.0.2.1\nwww 200 A 192.0.2.2\n",
    HEAD "www CNAME a\nwww RRSIG A 8 3 300 20250101000000 20240101000000 1 "
         "example.com. AAAA\nwww NSEC x A\n",
    HEAD "www DNAME a\nwww NS b\n",
    HEAD "www NS a\nwww A 1.2.3.4\nx.www A 1.2.3.5\n",
    HEAD "$ORIGIN other.\n$ORIGIN example.com.\n",
    "  A 192.0.2.1\n$ORIGIN example.com.\n@ SOA a b 1 2 3 4 5\n",
    HEAD "www TXT a b \"c d\"\n",
    HEAD "www TXT a\"b c\"\n",
    HEAD "www TYPE1 \\# 4 c0000201\n",
    HEAD "www DNSKEY 256 3 5 AQ AQ\n",
    HEAD "@ CAA 0 issue \"\"\n",
    HEAD "www AAAA ::ffff:1.2.3.4\nwww AAAA 1:2:3:4:5:6:7::\n",
};

#define NGOODS (sizeof goods / sizeof goods[0])

static int have_nsd(void)
{
    return system("command -v nsd-checkzone >/dev/null 2>&1 || "
                  "test -x /usr/sbin/nsd-checkzone") == 0;
}

/* Whether nsd-checkzone accepts (text) as the zone example.com. */
static int nsd_accepts(const char *dir, const char *text)
{
    char path[512], cmd[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/t.zone", dir);
    f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "PATH=\"$PATH:/usr/sbin\" nsd-checkzone example.com %s "
             ">/dev/null 2>&1",
             path);
    return system(cmd) == 0;
}

static void test_nsd_checkzone(void)
{
    static char text[4096];
    char dir[] = "/tmp/zone_test.XXXXXX", path[600];
    struct dns_zone z;
    size_t i, len;
    unsigned agree = 0, differ = 0;
    char *ex;

    if (!have_nsd()) {
        printf("# skip: nsd-checkzone is not installed (Debian package "
               "nsd; scripts/deps installs it)\n");
        return;
    }
    T_CHECK(mkdtemp(dir) != NULL);
    for (i = 0; i < NGOODS; i++) {
        T_CHECKF(parse(&z, goods[i]) == PITH_OK, "we refuse %s: %s", goods[i],
                 err);
        dns_zone_free(&z);
        T_CHECKF(nsd_accepts(dir, goods[i]) == 1, "NSD refuses %s", goods[i]);
        agree++;
    }
    ex = slurp(here("testdata/example.zone"), &len);
    T_CHECK(ex && nsd_accepts(dir, ex) == 1);
    free(ex);
    ex = kat_zone();
    T_CHECK(ex && nsd_accepts(dir, ex) == 1);
    free(ex);
    agree += 2;
    for (i = 0; i < NERRORS; i++) {
        int nsd;

        error_text(i, text, sizeof text);
        nsd = nsd_accepts(dir, text);
        if (errors[i].nsd) {
            T_CHECKF(nsd == 0, "NSD accepts %s", errors[i].body);
            agree++;
        } else {
            if (nsd == 1)
                differ++;
            else
                agree++;
        }
    }
    snprintf(path, sizeof path, "%s/t.zone", dir);
    unlink(path);
    rmdir(dir);
    printf("# nsd-checkzone agrees on %u zones; %u more it accepts are "
           "refused here on purpose\n",
           agree, differ);
}

/* ---- Size ---------------------------------------------------------- */

/* The heap zone.c takes, through the sanitizer's allocation hooks. */
extern int __sanitizer_install_malloc_and_free_hooks(
    void (*)(const volatile void *, size_t), void (*)(const volatile void *))
    __attribute__((weak));
extern size_t __sanitizer_get_allocated_size(const volatile void *)
    __attribute__((weak));

static int mem_on;
static size_t mem_now, mem_peak;

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    if (mem_on) {
        mem_now += n;
        if (mem_now > mem_peak)
            mem_peak = mem_now;
    }
}

static void on_free(const volatile void *p)
{
    if (mem_on && p != NULL)
        mem_now -= __sanitizer_get_allocated_size(p);
}

/* A zone of (records) records: when (flat), an A record per name;
 * else hosts with A, AAAA, MX and TXT, in 40 departments. */
static char *gen_zone(unsigned records, int flat, size_t *len)
{
    size_t cap = (size_t)records * 80 + 1024, n;
    char *t = malloc(cap);
    unsigned i = 0;

    if (t == NULL)
        return NULL;
    n = (size_t)sprintf(t, "$ORIGIN example.com.\n$TTL 3600\n"
                           "@ SOA ns1 hostmaster 2024010101 2h 1h 2w 300\n"
                           "  NS ns1\n  NS ns2\n  MX 10 mail\n");
    records -= 4;
    for (i = 0; records > 0; i++) {
        if (flat) {
            n += (size_t)sprintf(t + n, "host%u A 10.%u.%u.%u\n", i,
                                 i >> 16 & 255, i >> 8 & 255, i & 255);
            records--;
            continue;
        }
        n += (size_t)sprintf(t + n,
                             "h%u.dept%u A 10.%u.%u.%u\n"
                             "  AAAA 2001:db8::%x\n"
                             "  MX 10 mail\n"
                             "  TXT \"host %u\"\n",
                             i, i % 40, i >> 16 & 255, i >> 8 & 255, i & 255, i,
                             i);
        records -= records >= 4 ? 4 : records;
    }
    *len = n;
    return t;
}

static void test_size_10000(void)
{
    static const char *const what[] = {"hosts with A, AAAA, MX, TXT",
                                       "one A record per name"};
    int flat;

    for (flat = 0; flat < 2; flat++) {
        struct dns_zone z;
        size_t len, kept;
        char *text = gen_zone(10000, flat, &len);
        struct timespec t0, t1;
        int rc;

        T_CHECK(text != NULL);
        if (text == NULL)
            return;
        origin = N("example.com.");
        mem_now = mem_peak = 0;
        if (__sanitizer_install_malloc_and_free_hooks &&
            __sanitizer_get_allocated_size) {
            static int installed; /* each call adds the hooks once more */

            if (!installed)
                installed = __sanitizer_install_malloc_and_free_hooks(on_malloc,
                                                                      on_free);
            mem_on = installed;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc =
            dns_zone_parse(&z, text, len, "gen.zone", &origin, err, sizeof err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        kept = mem_now;
        mem_on = 0;
        T_CHECKF(rc == PITH_OK, "%s", err);
        T_CHECK(z.records == 10000);
        T_CHECK(invariants(&z));
        if (kept == 0) /* no hooks: what the structure holds */
            kept = z.nnodes * sizeof(struct dns_node) + (size_t)z.records * 10;
        printf("# 10000 records (%s): %zu nodes, %.2f MiB kept, %.2f MiB "
               "peak while loading, %.1f ms\n",
               what[flat], z.nnodes, kept / 1048576.0, mem_peak / 1048576.0,
               (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                   (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        T_CHECK(kept < 4u << 20);
        T_CHECK(mem_peak < 4u << 20);
        mem_on = 1;
        dns_zone_free(&z);
        mem_on = 0;
        T_CHECK(mem_now == 0 || !__sanitizer_get_allocated_size);
        free(text);
    }
}

int main(void)
{
    T_RUN(test_example_zone);
    T_RUN(test_find);
    T_RUN(test_presentation_formats);
    T_RUN(test_syntax);
    T_RUN(test_origin);
    T_RUN(test_default_ttl);
    T_RUN(test_duplicates);
    T_RUN(test_zone_rules_allow);
    T_RUN(test_empty_non_terminals);
    T_RUN(test_limits);
    T_RUN(test_rrset_limit);
    T_RUN(test_errors);
    T_RUN(test_reuse);
    T_RUN(test_nsd_checkzone);
    T_RUN(test_size_10000);
    return t_done();
}
