/*
 * Fuzz target for the authoritative answerer (auth.c): the first byte
 * of the input says how the query came (bit 0: over TCP, bit 1: from a
 * requester allowed to transfer zones), the rest is the query, answered
 * from two zones: a small one of many types and one of 400 TXT records,
 * whose transfer takes several messages. Every answer must be a response
 * to the query (its id, QR set) that fits the buffer; a transfer must
 * run to its end within a bounded number of messages, each at most
 * DNS_AUTH_XFR_MSG_MAX bytes and every record in it well-formed, and
 * hold the zone's SOA first and last and each of its records once
 * (RFC 5936 2.2).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pith/err.h>

#include "auth.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char small[] =
    "$TTL 300\n"
    "@ IN SOA ns1 hostmaster 2026112201 7200 3600 1209600 300\n"
    "  NS ns1\n  NS ns2.example.net.\n  MX 10 mail\n  A 192.0.2.1\n"
    "  TXT \"v=spf1 -all\"\n"
    "ns1 A 192.0.2.53\nmail A 192.0.2.25\n  AAAA 2001:db8::25\n"
    "www CNAME @\n*.w A 192.0.2.80\nsub NS ns.sub\nns.sub A 192.0.2.54\n"
    "dn DNAME example.net.\n_x._tcp SRV 0 1 80 www\n";

static struct dns_auth auth;
static struct dns_zone zones[2];
static uint8_t out[DNS_MSG_MAX];

static void setup(void)
{
    static char big[64 * 1024];
    struct dns_name o1, o2;
    char err[256];
    size_t n;
    int i;

    CHECK(dns_name_from_text(&o1, "example.com.", 12, NULL) == PITH_OK);
    CHECK(dns_name_from_text(&o2, "big.test.", 9, NULL) == PITH_OK);
    n = (size_t)snprintf(big, sizeof big,
                         "@ 60 IN SOA ns1.example.com. h.example.com. 7 1 1 "
                         "1 1\n  NS ns1.example.com.\n");
    for (i = 0; i < 400; i++)
        n += (size_t)snprintf(big + n, sizeof big - n,
                              "r%d TXT \"record %d of the big zone, long "
                              "enough to fill messages\"\n",
                              i % 150, i);
    CHECK(dns_zone_parse(&zones[0], small, sizeof small - 1, "small", &o1, err,
                         sizeof err) == PITH_OK);
    CHECK(dns_zone_parse(&zones[1], big, n, "big", &o2, err, sizeof err) ==
          PITH_OK);
    dns_auth_init(&auth);
    CHECK(dns_auth_add_zone(&auth, &zones[0]) == PITH_OK);
    CHECK(dns_auth_add_zone(&auth, &zones[1]) == PITH_OK);
}

/* Checks the records of the message (m, len) and counts in (*soa) those
 * of type SOA, in (*records) all; (*first_soa) whether the first was
 * one; (*last_soa) whether the last was. */
static void walk(const uint8_t *m, size_t len, unsigned *soa, unsigned *records,
                 int *first_soa, int *last_soa)
{
    static uint8_t rdbuf[DNS_RDATA_MAX];
    struct bv v = bv_make(m, len);
    struct dns_name n;
    size_t off = DNS_HLEN;
    unsigned qd = bv_be16(&v, 4), an = bv_be16(&v, 6), i;

    for (i = 0; i < qd; i++) {
        CHECK(dns_name_parse(&v, &off, &n) == PITH_OK);
        off += 4;
    }
    for (i = 0; i < an; i++) {
        uint16_t type, rdlen;
        size_t rdout;

        CHECK(dns_name_parse(&v, &off, &n) == PITH_OK);
        type = bv_be16(&v, off);
        rdlen = bv_be16(&v, off + 8);
        CHECK(bv_ok(&v));
        CHECK(dns_rdata_parse(&v, off + 10, rdlen, type, rdbuf, sizeof rdbuf,
                              &rdout) == PITH_OK);
        if (*records == 0)
            *first_soa = type == DNS_T_SOA;
        *last_soa = type == DNS_T_SOA;
        *soa += type == DNS_T_SOA;
        (*records)++;
        off += 10u + rdlen;
    }
    CHECK(off <= len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct dns_xfr x;
    struct bv v;
    unsigned how, soa = 0, records = 0, msgs = 0;
    int first_soa = 0, last_soa = 0;
    size_t len;

    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0)
        return 0;
    how = (data[0] & 1 ? DNS_AUTH_TCP : 0) | (data[0] & 2 ? DNS_AUTH_XFR : 0);
    v = bv_make(data + 1, size - 1);
    len = dns_auth_answer(&auth, &v, how, &x, out, sizeof out);
    CHECK(len <= sizeof out);
    if (len == 0) {
        CHECK(x.zone == NULL);
        return 0;
    }
    CHECK(len >= DNS_HLEN && size >= 1 + DNS_HLEN);
    CHECK(out[0] == data[1] && out[1] == data[2] && (out[2] & 0x80));
    CHECK((how & DNS_AUTH_TCP) || len <= DNS_EDNS_MAX);
    if ((out[3] & 0xf) == 0 && (out[2] & 0x04) && size >= 1 + DNS_HLEN + 5) {
        /* A positive answer: its records must read. */
        walk(out, len, &soa, &records, &first_soa, &last_soa);
    }
    if (!x.zone)
        return 0;
    /* A transfer: its first message, then the others to the end. */
    CHECK((how & DNS_AUTH_TCP) && (how & DNS_AUTH_XFR));
    CHECK(len <= DNS_AUTH_XFR_MSG_MAX && first_soa && soa == 1);
    {
        const struct dns_zone *z = x.zone;
        while ((len = dns_auth_xfr_next(&auth, &x, out, sizeof out)) > 0) {
            CHECK(len <= DNS_AUTH_XFR_MSG_MAX);
            CHECK(out[0] == data[1] && out[1] == data[2]);
            CHECK(out[2] & 0x04);              /* AA */
            CHECK(out[4] == 0 && out[5] == 0); /* no question */
            CHECK(out[6] != 0 || out[7] != 0); /* records */
            walk(out, len, &soa, &records, &first_soa, &last_soa);
            CHECK(++msgs < 1000);
        }
        CHECK(x.zone == NULL);
        CHECK(soa == 2 && last_soa && records == z->records + 1);
        CHECK(dns_auth_xfr_next(&auth, &x, out, sizeof out) == 0);
    }
    return 0;
}
