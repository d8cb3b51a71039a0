/*
 * auth: an authoritative answerer (RFC 1034 4.3.2, RFC 2308, RFC 4592,
 * RFC 6672, RFC 6891) over the zones of <dns.h>, behaving as NSD does:
 * the same rcodes, flags and sections for the same query. It only
 * computes answers: the app carries them over UDP and TCP (RFC 7766).
 *
 *     static struct dns_auth a;
 *     dns_auth_init(&a);
 *     dns_auth_add_zone(&a, &zone);
 *     len = dns_auth_answer(&a, &query_view, DNS_AUTH_UDP, NULL, out,
 *                           sizeof out);
 *     if (len) send(out, len);
 *
 * Zone transfers (RFC 5936 AXFR; RFC 1995 IXFR, answered as NSD does
 * without stored differences: the SOA alone to a requester as new as
 * we are, else the whole zone) go to requesters the caller allows (it
 * knows their addresses): over TCP a transfer is a series of messages,
 * the first from dns_auth_answer(), the others from dns_auth_xfr_next().
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

/* Messages of a zone transfer are at most this long, as NSD's: a
 * compression pointer (14 bits) reaches every byte of one. */
#define DNS_AUTH_XFR_MSG_MAX 16383

struct dns_auth_stats {
    uint64_t queries;  /* messages handed in */
    uint64_t dropped;  /* not answered: too short, or a response */
    uint64_t rcode[6]; /* answers by rcode: NOERROR .. REFUSED */
    uint64_t badvers;
    uint64_t truncated; /* answered with TC */
    uint64_t nodata, referrals, wildcards;
    uint64_t notauth;     /* transfers of zones we do not serve */
    uint64_t xfr;         /* transfers begun: the whole zone */
    uint64_t xfr_soa;     /* IXFRs answered with the SOA alone */
    uint64_t xfr_refused; /* transfers asked by requesters not allowed */
    uint64_t xfr_msgs;    /* messages of transfers sent */
};

/*
 * A zone transfer under way on one TCP connection (RFC 5936 2.2:
 * the SOA, every other record, the SOA again, in as many messages as it
 * takes). Caller-owned; dns_auth_answer() starts it, dns_auth_xfr_next()
 * continues it. Its fields are private but (zone), which is NULL when no
 * transfer is under way.
 */
struct dns_xfr {
    const struct dns_zone *zone;
    uint16_t id;    /* the query's */
    uint16_t flags; /* the query's opcode and RD bits */
    uint8_t phase;  /* the first SOA, the records, the last SOA, done */
    uint16_t set;   /* the node's RRset, in file order */
    size_t node;    /* the node */
    uint32_t off;   /* the record in the RRset, as dns_rrset_next() */
};

/* Where a query came from (dns_auth_answer's (how), bits). */
#define DNS_AUTH_UDP 0
#define DNS_AUTH_TCP 1 /* over TCP: answers of up to 65535 bytes */
#define DNS_AUTH_XFR 2 /* from a requester allowed to transfer zones */

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
    /* Private: the names of the transfer message being written, as NSD
     * remembers them all for compression (RFC 1035 4.1.4). */
    struct dns_comp_index xfr_names;
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
 * Answers the query (msg), received over TCP when (how) has DNS_AUTH_TCP
 * (answers may then be up to 65535 bytes) or UDP (within 512 bytes, or
 * the requester's EDNS size capped to DNS_AUTH_EDNS_SIZE; TC set when
 * the answer or authority does not fit), into (out) of (cap) bytes.
 * Returns the length of the response, or 0 when nothing must be sent (a
 * message too short to have a header, or a response). Never fails
 * otherwise: malformed queries get FORMERR, other opcodes NOTIMP, names
 * outside our zones REFUSED.
 *
 * Transfers, as NSD answers them with "provide-xfr: ADDR NOKEY": AXFR
 * over UDP gets NOTIMP; an AXFR or IXFR of a name that is no zone's
 * origin, NOTAUTH; from a requester without DNS_AUTH_XFR in (how),
 * REFUSED (with EDE 18, Prohibited, under EDNS); an IXFR without an SOA
 * in its authority section, FORMERR; an IXFR whose SOA serial is ours or
 * newer (RFC 1982), our SOA alone. Otherwise the zone: over TCP, the
 * first message of the transfer (at most DNS_AUTH_XFR_MSG_MAX bytes),
 * with (x) set up for the others (x->zone not NULL) when there are any;
 * over UDP (an IXFR), as much of it as fits one message, and no more.
 * (x) may be NULL for UDP; with TCP it MUST NOT be, and x->zone is NULL
 * after the call unless a transfer goes on. (cap) SHOULD be at least
 * DNS_MSG_MAX.
 */
size_t dns_auth_answer(struct dns_auth *a, struct bv *msg, unsigned how,
                       struct dns_xfr *x, uint8_t *out, size_t cap);

/*
 * Writes the next message of the transfer (x) into (out) of (cap) bytes
 * (at least DNS_AUTH_XFR_MSG_MAX; a record longer than that goes alone in
 * a message as long as it needs, up to (cap)) and returns its length:
 * no question (QDCOUNT 0), no OPT, AA set, as many records as fit.
 * Returns 0, with x->zone NULL, when the transfer is over (or none was
 * under way). The zone MUST still be served, unchanged.
 */
size_t dns_auth_xfr_next(struct dns_auth *a, struct dns_xfr *x, uint8_t *out,
                         size_t cap);

#endif
