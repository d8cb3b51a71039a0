/*
 * dns: record data read from a message into uncompressed wire form
 * (dns.h, "Resource data").
 *
 * Which data hold names that a sender may have compressed: those of RFC
 * 1035 (NS, CNAME, SOA, PTR, MX, MB, MG, MR, MINFO); those RFC 3597 4
 * says receivers should decompress as well (RP, AFSDB, RT, PX, SRV,
 * NAPTR; SIG and NXT are obsolete); and KX and DNAME, whose RFCs (2230,
 * 6672) forbid compression only to senders. Reading a pointer that a
 * broken sender wrote, as NSD does, loses nothing: the data are kept
 * uncompressed either way. Every other type is opaque (RFC 3597 4).
 */
#include <stddef.h>
#include <stdint.h>

#include <pith/bv.h>
#include <pith/err.h>

#include "dns.h"

/* RFC 1035 3.3 and later types with names inside, not in dns.h. */
#define T_MB    7
#define T_MG    8
#define T_MR    9
#define T_MINFO 14
#define T_RP    17
#define T_AFSDB 18
#define T_RT    21
#define T_PX    26
#define T_KX    36

/* A walk over record data: from (pos) to (end) in (msg), written out to
 * (out); (bad) once the data do not have their type's layout. */
struct rd {
    struct bv *msg;
    size_t pos, end;
    struct bw out;
    int bad;
};

/* Copies the next (n) bytes. */
static void rd_bytes(struct rd *r, size_t n)
{
    const uint8_t *p;

    if (r->bad || n > r->end - r->pos) {
        r->bad = 1;
        return;
    }
    p = bv_ptr(r->msg, r->pos, n);
    if (p == NULL) {
        r->bad = 1;
        return;
    }
    bw_append(&r->out, p, n);
    r->pos += n;
}

/* Copies a name, decompressed; it must end (where it stands in the
 * data: up to its first pointer) within the data. */
static void rd_name(struct rd *r)
{
    struct dns_name n;

    if (r->bad || dns_name_parse(r->msg, &r->pos, &n) != PITH_OK ||
        r->pos > r->end) {
        r->bad = 1;
        return;
    }
    bw_append(&r->out, n.b, n.len);
}

/* Copies a <character-string> (RFC 1035 3.3): a length octet and as many
 * bytes. */
static void rd_string(struct rd *r)
{
    if (r->bad || r->pos == r->end) {
        r->bad = 1;
        return;
    }
    rd_bytes(r, 1u + bv_u8(r->msg, r->pos));
}

int dns_rdata_parse(struct bv *msg, size_t off, uint16_t rdlen, uint16_t type,
                    uint8_t *out, size_t cap, size_t *outlen)
{
    struct rd r = {msg, off, off + rdlen, bw_make(out, cap, 0), 0};

    (void)bv_sub(msg, off, rdlen); /* within the message, or msg->err */
    if (!bv_ok(msg))
        return PITH_EPROTO;
    switch (type) {
    case DNS_T_A:
        rd_bytes(&r, 4);
        break;
    case DNS_T_AAAA:
        rd_bytes(&r, 16);
        break;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
    case DNS_T_DNAME:
    case T_MB:
    case T_MG:
    case T_MR:
        rd_name(&r);
        break;
    case DNS_T_SOA:
        rd_name(&r);
        rd_name(&r);
        rd_bytes(&r, 20); /* serial, refresh, retry, expire, minimum */
        break;
    case T_MINFO:
    case T_RP:
        rd_name(&r);
        rd_name(&r);
        break;
    case DNS_T_MX:
    case T_AFSDB:
    case T_RT:
    case T_KX:
        rd_bytes(&r, 2);
        rd_name(&r);
        break;
    case T_PX:
        rd_bytes(&r, 2);
        rd_name(&r);
        rd_name(&r);
        break;
    case DNS_T_SRV:
        rd_bytes(&r, 6); /* priority, weight, port */
        rd_name(&r);
        break;
    case DNS_T_NAPTR:
        rd_bytes(&r, 4); /* order, preference */
        rd_string(&r);   /* flags */
        rd_string(&r);   /* services */
        rd_string(&r);   /* regexp */
        rd_name(&r);     /* replacement */
        break;
    case DNS_T_HINFO:
        rd_string(&r); /* cpu */
        rd_string(&r); /* os */
        break;
    case DNS_T_TXT:
        do
            rd_string(&r);
        while (!r.bad && r.pos < r.end);
        break;
    case DNS_T_CAA:
        /* RFC 8659 4.1: flags, a tag of at least one octet, the value
         * up to the end. */
        rd_bytes(&r, 1);
        if (!r.bad && (r.pos == r.end || bv_u8(msg, r.pos) == 0))
            r.bad = 1;
        rd_string(&r);
        rd_bytes(&r, r.end - r.pos);
        break;
    default:
        rd_bytes(&r, rdlen);
    }
    if (r.bad || r.pos != r.end)
        return PITH_EPROTO;
    if (!bw_ok(&r.out))
        return PITH_ERANGE;
    *outlen = r.out.len;
    return PITH_OK;
}

int dns_type_compresses(uint16_t type)
{
    switch (type) {
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_SOA:
    case DNS_T_PTR:
    case DNS_T_MX:
    case T_MB:
    case T_MG:
    case T_MR:
    case T_MINFO:
        return 1;
    default:
        return 0;
    }
}
