/*
 * dns: domain names on the wire and in presentation form, and the
 * mnemonics of types (dns.h, "Names").
 *
 * Every function here that makes a struct dns_name checks what RFC 1035
 * 2.3.4 requires (labels of at most 63 octets, at most 255 octets in all,
 * the root's included) and sets (len) and (labels) to match; those that
 * take one rely on that and walk its labels without checking again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pith/bv.h>
#include <pith/err.h>

#include "dns.h"

/* The two top bits of a length octet (RFC 1035 4.1.4, RFC 6891 5). */
#define LABEL_TYPE 0xc0
#define LABEL_PTR  0xc0

/* ASCII-only folding (RFC 4343 3): octets above 0x7f are not letters. */
static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* ---- Wire ---------------------------------------------------------- */

/*
 * A pointer must lead strictly below the first octet of the run of labels
 * it ends, not merely below itself: every hop then lowers the lowest
 * offset read, so no cycle can exist at all, and pointers into the middle
 * of the current name (which only a forger writes) are refused. What every
 * encoder writes (a pointer to a name written before this one) passes.
 * DNS_PTR_HOPS still bounds chains of pointers to pointers, each legal on
 * its own (RFC 9267 2).
 */
int dns_name_parse(struct bv *msg, size_t *off, struct dns_name *n)
{
    size_t pos = *off, run = *off, after = 0;
    unsigned hops = 0, len = 0, labels = 0;

    for (;;) {
        uint8_t c = bv_u8(msg, pos);

        if (!bv_ok(msg))
            return PITH_EPROTO;
        if ((c & LABEL_TYPE) == LABEL_PTR) {
            size_t to = (size_t)(c & 0x3f) << 8 | bv_u8(msg, pos + 1);

            if (!bv_ok(msg) || to >= run || ++hops > DNS_PTR_HOPS)
                return PITH_EPROTO;
            if (after == 0)
                after = pos + 2;
            pos = run = to;
            continue;
        }
        if ((c & LABEL_TYPE) != 0)
            return PITH_EPROTO; /* 0x40 (RFC 6891 5) or 0x80 */
        if (c == 0)
            break;
        /* The label, and the root after it, must fit in 255 octets. */
        if (len + 1 + c + 1 > DNS_NAME_MAX)
            return PITH_EPROTO;
        n->b[len] = c;
        if (bv_copy(msg, pos + 1, &n->b[len + 1], c) != 0)
            return PITH_EPROTO;
        len += 1 + c;
        labels++;
        pos += 1 + (size_t)c;
    }
    n->b[len++] = 0;
    n->len = (uint8_t)len;
    n->labels = (uint8_t)labels;
    *off = after != 0 ? after : pos + 1;
    return PITH_OK;
}

/* ---- Presentation form --------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Appends (src) (a name's labels, root included) to (*n), which holds
 * (n->len) octets of labels without a root yet. */
static int name_append(struct dns_name *n, const struct dns_name *src)
{
    if ((unsigned)n->len + src->len > DNS_NAME_MAX)
        return PITH_EINVAL;
    memcpy(&n->b[n->len], src->b, src->len);
    n->len = (uint8_t)(n->len + src->len);
    n->labels = (uint8_t)(n->labels + src->labels);
    return PITH_OK;
}

/*
 * Labels are gathered in place: (lab) is the offset of the current
 * label's length octet, filled in when its end is seen, and (o) the next
 * free octet. An octet is stored only while (o) is below 254, so that
 * the root still fits and every store stays in b[].
 */
int dns_name_from_text(struct dns_name *n, const char *s, size_t len,
                       const struct dns_name *origin)
{
    size_t i = 0, lab = 0, o = 1;

    if (len == 1 && s[0] == '@') {
        if (origin == NULL)
            return PITH_EINVAL;
        *n = *origin;
        return PITH_OK;
    }
    if (len == 1 && s[0] == '.') {
        n->len = 1;
        n->labels = 0;
        n->b[0] = 0;
        return PITH_OK;
    }
    if (len == 0)
        return PITH_EINVAL;
    n->labels = 0;
    while (i < len) {
        unsigned c = (uint8_t)s[i++];

        if (c == '.') {
            if (o == lab + 1)
                return PITH_EINVAL; /* empty label */
            n->b[lab] = (uint8_t)(o - lab - 1);
            n->labels++;
            lab = o++;
            continue;
        }
        if (c == '\\') {
            if (i == len)
                return PITH_EINVAL;
            c = (uint8_t)s[i++];
            if (is_digit((char)c)) {
                /* \DDD: exactly three digits, at most 255 (RFC 1035 5.1). */
                if (len - i < 2 || !is_digit(s[i]) || !is_digit(s[i + 1]))
                    return PITH_EINVAL;
                c = (c - '0') * 100 + (unsigned)(s[i] - '0') * 10 +
                    (unsigned)(s[i + 1] - '0');
                i += 2;
                if (c > 255)
                    return PITH_EINVAL;
            }
        }
        if (o - lab - 1 == DNS_LABEL_MAX || o + 1 >= DNS_NAME_MAX)
            return PITH_EINVAL; /* label over 63, or no room for a root */
        n->b[o++] = (uint8_t)c;
    }
    if (o == lab + 1) {
        /* A trailing dot: absolute. */
        n->b[lab] = 0;
        n->len = (uint8_t)o;
        return PITH_OK;
    }
    n->b[lab] = (uint8_t)(o - lab - 1);
    n->labels++;
    n->len = (uint8_t)o;
    if (origin == NULL)
        return PITH_EINVAL;
    return name_append(n, origin);
}

/* Whether (c) is written \c (RFC 1035 5.1 and what zone files treat
 * specially). */
static int is_special(uint8_t c)
{
    return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' ||
           c == ';' || c == '@' || c == '$';
}

long dns_name_to_text(const struct dns_name *n, char *buf, size_t size)
{
    size_t o = 0, i = 0;

    if (n->len <= 1) {
        if (size < 2)
            goto short_buf;
        buf[0] = '.';
        buf[1] = '\0';
        return 1;
    }
    while (i < n->len && n->b[i] != 0) {
        size_t end = i + 1 + n->b[i];

        for (i++; i < end; i++) {
            uint8_t c = n->b[i];
            size_t w = is_special(c) ? 2 : c < 0x21 || c > 0x7e ? 4 : 1;

            if (size - o < w + 1) /* and the NUL */
                goto short_buf;
            if (w == 2) {
                buf[o++] = '\\';
                buf[o++] = (char)c;
            } else if (w == 4) {
                buf[o++] = '\\';
                buf[o++] = (char)('0' + c / 100);
                buf[o++] = (char)('0' + c / 10 % 10);
                buf[o++] = (char)('0' + c % 10);
            } else {
                buf[o++] = (char)c;
            }
        }
        if (size - o < 2)
            goto short_buf;
        buf[o++] = '.';
    }
    buf[o] = '\0';
    return (long)o;
short_buf:
    if (size > 0)
        buf[0] = '\0';
    return PITH_ERANGE;
}

/* ---- Comparison and surgery ---------------------------------------- */

/*
 * Length octets are at most 63, below 'A', so folding every octet of the
 * two names alike compares them label by label.
 */
static int eq_fold(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

int dns_name_eq(const struct dns_name *a, const struct dns_name *b)
{
    return a->len == b->len && eq_fold(a->b, b->b, a->len);
}

/* The offsets of the labels of (n), first to last, into (at); returns
 * their number. */
static unsigned label_offsets(const struct dns_name *n,
                              uint8_t at[DNS_NAME_MAX / 2 + 1])
{
    unsigned k = 0, i = 0;

    while (i < n->len && n->b[i] != 0 && k < DNS_NAME_MAX / 2 + 1) {
        at[k++] = (uint8_t)i;
        i += 1u + n->b[i];
    }
    return k;
}

/* The offset of (n)'s suffix without its first (drop) labels. */
static unsigned skip_labels(const struct dns_name *n, unsigned drop)
{
    unsigned i = 0;

    while (drop-- > 0 && i < n->len && n->b[i] != 0)
        i += 1u + n->b[i];
    return i;
}

int dns_name_cmp(const struct dns_name *a, const struct dns_name *b)
{
    uint8_t at[DNS_NAME_MAX / 2 + 1], bt[DNS_NAME_MAX / 2 + 1];
    unsigned na = label_offsets(a, at), nb = label_offsets(b, bt);

    /* From the root down; within a label, octet by octet, the shorter
     * label first when one is a prefix of the other (RFC 4034 6.1). */
    while (na > 0 && nb > 0) {
        const uint8_t *la = &a->b[at[--na]], *lb = &b->b[bt[--nb]];
        unsigned i, m = la[0] < lb[0] ? la[0] : lb[0];

        for (i = 1; i <= m; i++)
            if (lower(la[i]) != lower(lb[i]))
                return lower(la[i]) < lower(lb[i]) ? -1 : 1;
        if (la[0] != lb[0])
            return la[0] < lb[0] ? -1 : 1;
    }
    return na > 0 ? 1 : nb > 0 ? -1 : 0;
}

int dns_name_is_sub(const struct dns_name *n, const struct dns_name *parent)
{
    unsigned i;

    if (n->labels < parent->labels)
        return 0;
    i = skip_labels(n, (unsigned)n->labels - parent->labels);
    return n->len - i == parent->len &&
           eq_fold(&n->b[i], parent->b, parent->len);
}

void dns_name_strip(const struct dns_name *n, unsigned drop,
                    struct dns_name *out)
{
    unsigned i;

    if (drop > n->labels)
        drop = n->labels;
    i = skip_labels(n, drop);
    out->len = (uint8_t)(n->len - i);
    out->labels = (uint8_t)(n->labels - drop);
    memmove(out->b, &n->b[i], out->len);
}

int dns_name_is_wild(const struct dns_name *n)
{
    return n->len >= 3 && n->b[0] == 1 && n->b[1] == '*';
}

int dns_name_wild(const struct dns_name *n, struct dns_name *out)
{
    struct dns_name w;

    if (n->len + 2 > DNS_NAME_MAX)
        return PITH_ERANGE;
    w.b[0] = 1;
    w.b[1] = '*';
    memcpy(&w.b[2], n->b, n->len);
    w.len = (uint8_t)(n->len + 2);
    w.labels = (uint8_t)(n->labels + 1);
    *out = w;
    return PITH_OK;
}

int dns_name_subst(const struct dns_name *n, const struct dns_name *from,
                   const struct dns_name *to, struct dns_name *out)
{
    struct dns_name r;
    unsigned keep;

    if (!dns_name_is_sub(n, from))
        return PITH_EINVAL;
    keep = (unsigned)n->len - from->len; /* the labels above (from) */
    if (keep + to->len > DNS_NAME_MAX)
        return PITH_ERANGE;
    memcpy(r.b, n->b, keep);
    memcpy(&r.b[keep], to->b, to->len);
    r.len = (uint8_t)(keep + to->len);
    r.labels = (uint8_t)(n->labels - from->labels + to->labels);
    *out = r;
    return PITH_OK;
}

/* ---- Types --------------------------------------------------------- */

static const struct {
    uint16_t type;
    char name[11];
} types[] = {
    {DNS_T_A, "A"},         {DNS_T_NS, "NS"},
    {DNS_T_CNAME, "CNAME"}, {DNS_T_SOA, "SOA"},
    {DNS_T_PTR, "PTR"},     {DNS_T_HINFO, "HINFO"},
    {DNS_T_MX, "MX"},       {DNS_T_TXT, "TXT"},
    {DNS_T_AAAA, "AAAA"},   {DNS_T_SRV, "SRV"},
    {DNS_T_NAPTR, "NAPTR"}, {DNS_T_DNAME, "DNAME"},
    {DNS_T_OPT, "OPT"},     {DNS_T_DS, "DS"},
    {DNS_T_SSHFP, "SSHFP"}, {DNS_T_RRSIG, "RRSIG"},
    {DNS_T_NSEC, "NSEC"},   {DNS_T_DNSKEY, "DNSKEY"},
    {DNS_T_NSEC3, "NSEC3"}, {DNS_T_NSEC3PARAM, "NSEC3PARAM"},
    {DNS_T_TLSA, "TLSA"},   {DNS_T_SVCB, "SVCB"},
    {DNS_T_HTTPS, "HTTPS"}, {DNS_T_IXFR, "IXFR"},
    {DNS_T_AXFR, "AXFR"},   {DNS_T_ANY, "ANY"},
    {DNS_T_CAA, "CAA"},
};

#define NTYPES (sizeof types / sizeof types[0])

char *dns_type_name(uint16_t type, char buf[16])
{
    char d[5];
    size_t i, k = 0;

    for (i = 0; i < NTYPES; i++) {
        if (types[i].type == type) {
            memcpy(buf, types[i].name, strlen(types[i].name) + 1);
            return buf;
        }
    }
    /* RFC 3597 5 */
    do {
        d[k++] = (char)('0' + type % 10);
        type /= 10;
    } while (type != 0);
    memcpy(buf, "TYPE", 4);
    for (i = 0; i < k; i++)
        buf[4 + i] = d[k - 1 - i];
    buf[4 + k] = '\0';
    return buf;
}

/* Whether (s, len) is (name), without case. */
static int text_eq(const char *s, size_t len, const char *name)
{
    size_t i;

    if (len != strlen(name))
        return 0;
    for (i = 0; i < len; i++)
        if (lower((uint8_t)s[i]) != lower((uint8_t)name[i]))
            return 0;
    return 1;
}

int dns_type_parse(const char *s, size_t len, uint16_t *type)
{
    uint32_t v = 0;
    size_t i;

    for (i = 0; i < NTYPES; i++) {
        if (text_eq(s, len, types[i].name)) {
            *type = types[i].type;
            return PITH_OK;
        }
    }
    if (len < 5 || !text_eq(s, 4, "TYPE"))
        return PITH_EINVAL;
    for (i = 4; i < len; i++) {
        if (!is_digit(s[i]))
            return PITH_EINVAL;
        v = v * 10 + (uint32_t)(s[i] - '0');
        if (v > 0xffff)
            return PITH_EINVAL;
    }
    *type = (uint16_t)v;
    return PITH_OK;
}
