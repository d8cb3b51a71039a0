/*
 * auth: an authoritative answerer (RFC 1034 4.3.2, RFC 2308, RFC 4592,
 * RFC 6672, RFC 6891) over the zones of <dns.h>, behaving as NSD does:
 * the same rcodes, flags and sections for the same query. It only
 * computes answers: the app carries them over UDP and TCP (RFC 7766).
 *
 *     static struct dns_auth a;
 *     dns_auth_init(&a);
 *     dns_auth_add_zone(&a, &zone);
 *     len = dns_auth_answer(&a, &query_view, 0, out, sizeof out);
 *     if (len) send(out, len);
 */
#ifndef PITH_SVC_DNS_AUTH_H
#define PITH_SVC_DNS_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>

#include "dns.h"

#define DNS_AUTH_ZONES_MAX 64
/* The UDP payload size we offer and answer within (RFC 9715's advice,
 * NSD's default since 4.3: no fragmentation on common paths). */
#define DNS_AUTH_EDNS_SIZE 1232
/* Names followed along CNAME and DNAME chains for one answer; a name
 * seen twice (a loop) ends the chain sooner, as in NSD. */
#define DNS_AUTH_CHAIN_MAX 64

struct dns_auth_stats {
    uint64_t queries;  /* messages handed in */
    uint64_t dropped;  /* not answered: too short, or a response */
    uint64_t rcode[6]; /* answers by rcode: NOERROR .. REFUSED */
    uint64_t badvers;
    uint64_t truncated; /* answered with TC */
    uint64_t nodata, referrals, wildcards;
};

/* Private: a hash index of a zone's nodes, for exact lookups in O(1)
 * (the zone's own binary search compares names label by label). */
struct dns_auth_index {
    uint32_t mask; /* slots - 1 */
    int32_t *slot; /* node numbers, -1 for empty */
};

struct dns_auth {
    size_t nzones;
    const struct dns_zone *zones[DNS_AUTH_ZONES_MAX];
    struct dns_auth_index index[DNS_AUTH_ZONES_MAX];
    struct dns_auth_stats st;
};

/* Clears (*a): no zones. */
void dns_auth_init(struct dns_auth *a);

/* Frees what (a) allocated (its indexes); the zones stay the caller's. */
void dns_auth_free(struct dns_auth *a);

/*
 * Serves (z) from now on; (z) MUST stay valid and unchanged while (a)
 * uses it. Builds a hash index of its names (malloc: 8 bytes per name,
 * rounded up). Returns PITH_OK; PITH_EBUSY when a zone of that origin is
 * served already; PITH_ELIMIT past DNS_AUTH_ZONES_MAX; PITH_ENOMEM.
 */
int dns_auth_add_zone(struct dns_auth *a, const struct dns_zone *z);

/*
 * Answers the query (msg), received over TCP when (tcp) (answers may then
 * be up to 65535 bytes) or UDP (within 512 bytes, or the requester's EDNS
 * size capped to DNS_AUTH_EDNS_SIZE; TC set when the answer or authority
 * does not fit), into (out) of (cap) bytes. Returns the length of the
 * response, or 0 when nothing must be sent (a message too short to have
 * a header, or a response). Never fails otherwise: malformed queries get
 * FORMERR, other opcodes NOTIMP, names outside our zones REFUSED.
 */
size_t dns_auth_answer(struct dns_auth *a, struct bv *msg, int tcp,
                       uint8_t *out, size_t cap);

#endif
