/*
 * dns: zones read from master files (RFC 1035 5, as NSD reads them) into
 * the lookup structure of dns.h ("Zones").
 *
 * Loading has three steps. The lexer and the record parser turn the text
 * into records held in growable buffers (owner names and data in byte
 * buffers, one small struct per record). The records are then sorted by
 * owner (RFC 4034 6.1), type and data, so that duplicates sit side by
 * side and are dropped (RFC 2181 5), the rules of a zone are checked (RFC
 * 1034 3.6.2, RFC 6672 2.4), and the records are sorted again into file
 * order within each RRset. Last the zone is laid out in two allocations:
 * the RRsets with their records, then the nodes, the empty non-terminals
 * among them (RFC 4592 2.2.2). The temporaries are freed before the nodes
 * are allocated, which keeps the peak near the size of the zone.
 *
 * What NSD accepts, this accepts, but where NSD is laxer than the RFCs:
 * numbers out of range (NSD wraps them), impossible dates, escapes \D,
 * \DD and \DDD above 255, a '(' still open at the end, \# data that do
 * not have their type's layout (compression pointers, TXT without a
 * string: as dns_rdata_parse() reads them), and the types of queries and
 * meta types (RFC 6895 3.1) are refused. Without a $TTL, a record without
 * a TTL takes the SOA's minimum (RFC 2308 4) where NSD takes 3600. Types
 * without a format below (LOC, SVCB, HTTPS, CERT, APL...) are read in the
 * generic form of RFC 3597 only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pith/bv.h>
#include <pith/err.h>

#include "dns.h"

/* ---- Types and their presentation ---------------------------------- */

/*
 * The fields of the data of a type, one letter each:
 *   1 2 4  a decimal number of so many octets
 *   T      a period: a number, or numbers with units s m h d w (1h30m)
 *   A      a DNSSEC algorithm: a number or a mnemonic (RFC 4034 A.1)
 *   Y      a type mnemonic (RRSIG's type covered)
 *   E      a time: YYYYMMDDHHmmSS or seconds (RFC 4034 3.2)
 *   a 6    an IPv4 address, an IPv6 address (RFC 4291 2.2)
 *   n      a domain name
 *   s      a <character-string> (RFC 1035 5.1)
 *   t      a CAA tag (RFC 8659 4.1)
 *   v      one string, without a length octet, to the end (CAA, URI)
 *   H      hex with a length octet, "-" when empty (NSEC3 salt)
 *   Z      base32hex with a length octet (NSEC3 next hashed owner)
 * and, last, to the end of the record:
 *   M      one or more <character-string>s
 *   X      hex, in as many pieces as wanted
 *   B      base64, in as many pieces as wanted
 *   W      a type bitmap (RFC 4034 4.1.2)
 * (labels) names each field for messages, separated by '|'.
 */
struct zfmt {
    uint16_t type;
    const char *fields;
    const char *labels;
};

#define T_MD         3
#define T_MF         4
#define T_MB         7
#define T_MG         8
#define T_MR         9
#define T_MINFO      14
#define T_RP         17
#define T_AFSDB      18
#define T_RT         21
#define T_PX         26
#define T_KX         36
#define T_SMIMEA     53
#define T_CDS        59
#define T_CDNSKEY    60
#define T_OPENPGPKEY 61
#define T_CSYNC      62
#define T_ZONEMD     63
#define T_SPF        99
#define T_URI        256

static const struct zfmt fmts[] = {
    {DNS_T_A, "a", "IPv4 address"},
    {DNS_T_NS, "n", "NS name"},
    {T_MD, "n", "MD name"},
    {T_MF, "n", "MF name"},
    {DNS_T_CNAME, "n", "CNAME target"},
    {DNS_T_SOA, "nn4TTTT",
     "SOA name server|SOA mailbox|SOA serial|SOA refresh|SOA retry|"
     "SOA expire|SOA minimum"},
    {T_MB, "n", "MB name"},
    {T_MG, "n", "MG name"},
    {T_MR, "n", "MR name"},
    {DNS_T_PTR, "n", "PTR name"},
    {DNS_T_HINFO, "ss", "HINFO CPU|HINFO OS"},
    {T_MINFO, "nn", "MINFO mailbox|MINFO error mailbox"},
    {DNS_T_MX, "2n", "MX preference|MX exchange"},
    {DNS_T_TXT, "M", "TXT string"},
    {T_RP, "nn", "RP mailbox|RP TXT name"},
    {T_AFSDB, "2n", "AFSDB subtype|AFSDB host"},
    {T_RT, "2n", "RT preference|RT host"},
    {T_PX, "2nn", "PX preference|PX MAP822|PX MAPX400"},
    {DNS_T_AAAA, "6", "IPv6 address"},
    {DNS_T_SRV, "222n", "SRV priority|SRV weight|SRV port|SRV target"},
    {DNS_T_NAPTR, "22sssn",
     "NAPTR order|NAPTR preference|NAPTR flags|NAPTR services|"
     "NAPTR regexp|NAPTR replacement"},
    {T_KX, "2n", "KX preference|KX exchanger"},
    {DNS_T_DNAME, "n", "DNAME target"},
    {DNS_T_DS, "2A1X", "DS key tag|DS algorithm|DS digest type|DS digest"},
    {DNS_T_SSHFP, "11X", "SSHFP algorithm|SSHFP type|SSHFP fingerprint"},
    {DNS_T_RRSIG, "YA1TEE2nB",
     "RRSIG type covered|RRSIG algorithm|RRSIG labels|RRSIG original TTL|"
     "RRSIG expiration|RRSIG inception|RRSIG key tag|RRSIG signer|"
     "RRSIG signature"},
    {DNS_T_NSEC, "nW", "NSEC next name|NSEC type"},
    {DNS_T_DNSKEY, "21AB",
     "DNSKEY flags|DNSKEY protocol|DNSKEY algorithm|DNSKEY key"},
    {DNS_T_NSEC3, "112HZW",
     "NSEC3 algorithm|NSEC3 flags|NSEC3 iterations|NSEC3 salt|"
     "NSEC3 next hashed owner|NSEC3 type"},
    {DNS_T_NSEC3PARAM, "112H",
     "NSEC3PARAM algorithm|NSEC3PARAM flags|NSEC3PARAM iterations|"
     "NSEC3PARAM salt"},
    {DNS_T_TLSA, "111X",
     "TLSA usage|TLSA selector|TLSA matching type|TLSA data"},
    {T_SMIMEA, "111X",
     "SMIMEA usage|SMIMEA selector|SMIMEA matching type|SMIMEA data"},
    {T_CDS, "2A1X", "CDS key tag|CDS algorithm|CDS digest type|CDS digest"},
    {T_CDNSKEY, "21AB",
     "CDNSKEY flags|CDNSKEY protocol|CDNSKEY algorithm|CDNSKEY key"},
    {T_OPENPGPKEY, "B", "OPENPGPKEY key"},
    {T_CSYNC, "42W", "CSYNC serial|CSYNC flags|CSYNC type"},
    {T_ZONEMD, "411X",
     "ZONEMD serial|ZONEMD scheme|ZONEMD hash algorithm|ZONEMD digest"},
    {T_SPF, "M", "SPF string"},
    {T_URI, "22v", "URI priority|URI weight|URI target"},
    {DNS_T_CAA, "1tv", "CAA flags|CAA tag|CAA value"},
};

#define NFMTS (sizeof fmts / sizeof fmts[0])

static const struct zfmt *fmt_of(uint16_t type)
{
    size_t i;

    for (i = 0; i < NFMTS; i++)
        if (fmts[i].type == type)
            return &fmts[i];
    return NULL;
}

/*
 * Mnemonics zone files use that dns_type_parse() does not know; the types
 * without a format above are accepted in the form of RFC 3597 only.
 */
static const struct {
    uint16_t type;
    char name[11];
} more_types[] = {
    {T_MD, "MD"},
    {T_MF, "MF"},
    {T_MB, "MB"},
    {T_MG, "MG"},
    {T_MR, "MR"},
    {10, "NULL"},
    {11, "WKS"},
    {T_MINFO, "MINFO"},
    {T_RP, "RP"},
    {T_AFSDB, "AFSDB"},
    {19, "X25"},
    {20, "ISDN"},
    {T_RT, "RT"},
    {22, "NSAP"},
    {T_PX, "PX"},
    {29, "LOC"},
    {T_KX, "KX"},
    {37, "CERT"},
    {42, "APL"},
    {45, "IPSECKEY"},
    {49, "DHCID"},
    {T_SMIMEA, "SMIMEA"},
    {55, "HIP"},
    {T_CDS, "CDS"},
    {T_CDNSKEY, "CDNSKEY"},
    {T_OPENPGPKEY, "OPENPGPKEY"},
    {T_CSYNC, "CSYNC"},
    {T_ZONEMD, "ZONEMD"},
    {T_SPF, "SPF"},
    {108, "EUI48"},
    {109, "EUI64"},
    {T_URI, "URI"},
};

/* The DNSSEC algorithm mnemonics (RFC 4034 A.1, RFC 5155, RFC 5702,
 * RFC 6605, RFC 8080). */
static const struct {
    uint8_t num;
    char name[19];
} algs[] = {
    {1, "RSAMD5"},
    {2, "DH"},
    {3, "DSA"},
    {5, "RSASHA1"},
    {6, "DSA-NSEC3-SHA1"},
    {7, "RSASHA1-NSEC3-SHA1"},
    {8, "RSASHA256"},
    {10, "RSASHA512"},
    {12, "ECC-GOST"},
    {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"},
    {15, "ED25519"},
    {16, "ED448"},
    {252, "INDIRECT"},
    {253, "PRIVATEDNS"},
    {254, "PRIVATEOID"},
};

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Whether (s, n) is (word), ASCII letters without case. */
static int ieq(const char *s, size_t n, const char *word)
{
    size_t i;

    if (n != strlen(word))
        return 0;
    for (i = 0; i < n; i++)
        if (lower((uint8_t)s[i]) != lower((uint8_t)word[i]))
            return 0;
    return 1;
}

static int type_parse(const char *s, size_t n, uint16_t *type)
{
    size_t i;

    if (dns_type_parse(s, n, type) == PITH_OK)
        return PITH_OK;
    for (i = 0; i < sizeof more_types / sizeof more_types[0]; i++) {
        if (ieq(s, n, more_types[i].name)) {
            *type = more_types[i].type;
            return PITH_OK;
        }
    }
    return PITH_EINVAL;
}

/* Whether records of (type) may be in a zone: not 0, OPT, nor the
 * range of query and meta types (RFC 6895 3.1). */
static int type_is_data(uint16_t type)
{
    return type != 0 && type != DNS_T_OPT && (type < 128 || type > 255);
}

/*
 * Whether identical records of (type) compare their names without case:
 * the types whose names RFC 4034 6.2 lowercases, less NSEC (RFC 6840
 * 5.1).
 */
static int type_folds(uint16_t type)
{
    switch (type) {
    case DNS_T_NS:
    case T_MD:
    case T_MF:
    case DNS_T_CNAME:
    case DNS_T_SOA:
    case T_MB:
    case T_MG:
    case T_MR:
    case DNS_T_PTR:
    case T_MINFO:
    case DNS_T_MX:
    case T_RP:
    case T_AFSDB:
    case T_RT:
    case T_PX:
    case DNS_T_NAPTR:
    case T_KX:
    case DNS_T_SRV:
    case DNS_T_DNAME:
    case DNS_T_RRSIG:
        return 1;
    default:
        return 0;
    }
}

/* ---- The parser's state -------------------------------------------- */

#define ZR_DEFTTL 1 /* no TTL and no $TTL: the SOA's minimum, at the end */
#define ZR_DUP    2 /* the same as an earlier record (RFC 2181 5) */

/* A record read, before the zone is laid out. */
struct zrec {
    uint32_t owner; /* offset in (names); after the first sort, the rank
                       of the owner among the owners */
    uint32_t data;  /* offset in (rdata) */
    uint32_t ttl;
    uint32_t line, col; /* of the record's first token */
    uint16_t type, rdlen;
    uint8_t flags;
};

/* An owner name, in canonical order, during the layout. */
struct zown {
    uint32_t name;      /* offset in (names) */
    uint32_t first_set; /* index of its first RRset */
    uint32_t min_seq;   /* its first record in the file */
    uint8_t ents;       /* empty non-terminals to put before it */
    uint8_t dname;      /* it has a DNAME */
};

struct zbuf {
    uint8_t *p;
    size_t len, cap;
};

/* A token: its text in the file, quotes excluded. */
struct ztok {
    size_t off, len;
    uint32_t line, col;
    uint8_t quoted;
};

/* Room for reading one record, freed once the text is read. */
struct zscratch {
    uint8_t rd[DNS_RDATA_MAX];    /* the record being read */
    uint8_t check[DNS_RDATA_MAX]; /* unescaped strings; dns_rdata_parse()'s
                                     copy of \# data */
    uint8_t bitmap[8192];         /* a type bitmap being read */
};

struct zp {
    struct bv text;
    size_t pos, line_start;
    uint32_t line;
    unsigned depth;             /* open parentheses */
    uint32_t pline, pcol;       /* of the outermost '(' */
    uint32_t end_line, end_col; /* after the last token */
    int eoe;                    /* the entry has ended */
    int pushed;
    struct ztok push;
    const char *file;
    char *err;
    size_t errlen;

    struct dns_name apex;   /* the zone's origin */
    struct dns_name origin; /* $ORIGIN */
    struct dns_name owner;  /* the previous owner */
    uint32_t owner_off;     /* its offset in (names), when stored */
    int owner_stored;
    uint32_t ttl; /* $TTL */
    int have_ttl;
    int soa_seen;
    uint32_t soa_line, soa_min;

    struct zbuf names; /* owner names: length, labels, wire form */
    struct zbuf rdata;
    struct zbuf recs; /* struct zrec */
    uint32_t nrecs;
    uint32_t *idx, *tmp; /* record indices, while sorting */
    struct zown *own;

    struct zscratch *s; /* while reading the text */
};

static int zb_grow(struct zbuf *b, size_t need)
{
    size_t cap;
    uint8_t *q;

    if (b->p != NULL && need <= b->cap - b->len)
        return PITH_OK; /* (allocated even for 0 bytes: &p[len] is valid) */
    /* Offsets into the buffers are 32 bits. */
    if (need > UINT32_MAX - b->len)
        return PITH_ENOMEM;
    cap = b->cap ? b->cap : 1024;
    while (cap - b->len < need)
        cap *= 2;
    q = realloc(b->p, cap);
    if (q == NULL)
        return PITH_ENOMEM;
    b->p = q;
    b->cap = cap;
    return PITH_OK;
}

static void zb_free(struct zbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static struct zrec *rec(const struct zp *p, uint32_t i)
{
    return (struct zrec *)(void *)p->recs.p + i;
}

/* The owner name stored at (off) of (names). */
static void name_at(const struct zp *p, uint32_t off, struct dns_name *n)
{
    n->len = p->names.p[off];
    n->labels = p->names.p[off + 1];
    memcpy(n->b, &p->names.p[off + 2], n->len);
}

/* ---- Messages ------------------------------------------------------ */

/* Writes "FILE:LINE:COL: what" to the caller's buffer. */
static int zerr(struct zp *p, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int zerr(struct zp *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->err == NULL || p->errlen == 0)
        return PITH_EINVAL;
    n = snprintf(p->err, p->errlen, "%s:%u:%u: ", p->file, (unsigned)line,
                 (unsigned)col);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return PITH_EINVAL;
}

static int zerr_mem(struct zp *p)
{
    zerr(p, p->line, (uint32_t)(p->pos - p->line_start + 1), "out of memory");
    return PITH_ENOMEM;
}

static const char *tok_text(struct zp *p, const struct ztok *t)
{
    return (const char *)bv_ptr(&p->text, t->off, t->len);
}

/* The token (t) for a message: printable, at most 60 characters. */
static const char *tok_show(struct zp *p, const struct ztok *t, char buf[64])
{
    const char *s = tok_text(p, t);
    size_t i, n = t->len < 60 ? t->len : 56;

    for (i = 0; i < n; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (n < t->len) {
        memcpy(&buf[n], "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* The (k)th label of (f), for "%.*s". */
static const char *label(const struct zfmt *f, unsigned k, int *len)
{
    const char *s = f->labels;
    int n;

    for (;;) {
        for (n = 0; s[n] != '\0' && s[n] != '|'; n++)
            ;
        if (k-- == 0 || s[n] == '\0')
            break;
        s += n + 1;
    }
    *len = n;
    return s;
}

/* "bad LABEL 'TOKEN'" and an explanation. */
static int bad(struct zp *p, const struct ztok *t, const struct zfmt *f,
               unsigned k, const char *why)
{
    char b[64];
    int n;
    const char *l = label(f, k, &n);

    return zerr(p, t->line, t->col, "bad %.*s '%s'%s%s", n, l,
                tok_show(p, t, b), why ? ": " : "", why ? why : "");
}

/* ---- Lexer (RFC 1035 5.1) ------------------------------------------ */

static uint8_t at(struct zp *p, size_t i)
{
    return bv_u8(&p->text, i);
}

static uint32_t col(const struct zp *p)
{
    return (uint32_t)(p->pos - p->line_start + 1);
}

static void newline_at(struct zp *p, size_t nl)
{
    p->line++;
    p->line_start = nl + 1;
}

static int is_delim(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' ||
           c == ')' || c == ';' || c == '"';
}

/* A quoted string: may span lines, as in NSD and BIND. */
static int lex_quoted(struct zp *p, struct ztok *t)
{
    size_t len = bv_len(&p->text);

    t->quoted = 1;
    t->off = ++p->pos;
    for (;;) {
        uint8_t c;

        if (p->pos >= len)
            return zerr(p, t->line, t->col, "missing closing '\"'");
        c = at(p, p->pos);
        if (c == '"')
            break;
        if (c == '\\') {
            if (p->pos + 1 >= len)
                return zerr(p, t->line, t->col, "missing closing '\"'");
            c = at(p, ++p->pos);
        }
        if (c == '\n')
            newline_at(p, p->pos);
        p->pos++;
    }
    t->len = p->pos - t->off;
    p->pos++;
    return 1;
}

static int lex_word(struct zp *p, struct ztok *t)
{
    size_t len = bv_len(&p->text);

    t->quoted = 0;
    t->off = p->pos;
    while (p->pos < len) {
        uint8_t c = at(p, p->pos);

        if (is_delim(c))
            break;
        if (c == '\\') {
            if (p->pos + 1 >= len)
                return zerr(p, p->line, col(p), "'\\' at the end of the text");
            if (at(p, ++p->pos) == '\n')
                newline_at(p, p->pos);
        }
        p->pos++;
    }
    t->len = p->pos - t->off;
    return 1;
}

/*
 * The next token of the entry: 1 with (*t), 0 at the end of the entry (a
 * newline outside parentheses, or the end of the text), or an error.
 */
static int lex_next(struct zp *p, struct ztok *t)
{
    size_t len = bv_len(&p->text);
    int rc;

    if (p->pushed) {
        *t = p->push;
        p->pushed = 0;
        return 1;
    }
    if (p->eoe)
        return 0;
    for (;;) {
        uint8_t c;

        if (p->pos >= len) {
            if (p->depth > 0)
                return zerr(p, p->pline, p->pcol, "'(' without ')'");
            p->eoe = 1;
            return 0;
        }
        c = at(p, p->pos);
        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '\n') {
            newline_at(p, p->pos++);
            if (p->depth == 0) {
                p->eoe = 1;
                return 0;
            }
        } else if (c == ';') {
            while (p->pos < len && at(p, p->pos) != '\n')
                p->pos++;
        } else if (c == '(') {
            if (p->depth++ == 0) {
                p->pline = p->line;
                p->pcol = col(p);
            }
            p->pos++;
        } else if (c == ')') {
            if (p->depth == 0)
                return zerr(p, p->line, col(p), "')' without '('");
            p->depth--;
            p->pos++;
        } else {
            t->line = p->line;
            t->col = col(p);
            rc = c == '"' ? lex_quoted(p, t) : lex_word(p, t);
            p->end_line = p->line;
            p->end_col = col(p);
            return rc;
        }
    }
}

static void lex_push(struct zp *p, const struct ztok *t)
{
    p->push = *t;
    p->pushed = 1;
}

/* ---- Fields -------------------------------------------------------- */

/* A decimal number of at most (max). */
static int num(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    if (n == 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (!is_digit((uint8_t)s[i]))
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
        if (x > max)
            return -1;
    }
    *v = x;
    return 0;
}

/* A period as BIND and NSD read it: numbers, each with a unit or none
 * (seconds), added up (1h30m, 1w2d). */
static int period(const char *s, size_t n, uint32_t *v)
{
    uint64_t total = 0;
    size_t i = 0;

    if (n == 0)
        return -1;
    while (i < n) {
        uint64_t x = 0, unit = 1;

        if (!is_digit((uint8_t)s[i]))
            return -1;
        while (i < n && is_digit((uint8_t)s[i])) {
            x = x * 10 + (uint64_t)(s[i++] - '0');
            if (x > UINT32_MAX)
                return -1;
        }
        if (i < n) {
            switch (lower((uint8_t)s[i++])) {
            case 's':
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            case 'w':
                unit = 604800;
                break;
            default:
                return -1;
            }
        }
        total += x * unit;
        if (total > UINT32_MAX)
            return -1;
    }
    *v = (uint32_t)total;
    return 0;
}

/* YYYYMMDDHHmmSS (UTC) as seconds since 1970 modulo 2^32 (RFC 4034
 * 3.2), or a number of seconds. */
static int sigtime(const char *s, size_t n, uint32_t *v)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    uint64_t x, y, m, d, hh, mm, ss, days;
    int leap;

    if (n != 14) {
        if (num(s, n, UINT32_MAX, &x) != 0)
            return -1;
        *v = (uint32_t)x;
        return 0;
    }
    if (num(s, 4, 9999, &y) || num(s + 4, 2, 12, &m) || num(s + 6, 2, 31, &d) ||
        num(s + 8, 2, 23, &hh) || num(s + 10, 2, 59, &mm) ||
        num(s + 12, 2, 59, &ss))
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || m == 0 || d == 0 || d > mdays[m - 1] ||
        (m == 2 && d == 29 && !leap))
        return -1;
    /* Days from the civil date (H. Hinnant's algorithm), y >= 1970. */
    y -= m <= 2;
    days = (y / 400) * 146097 + (y % 400) * 365 + (y % 400) / 4 -
           (y % 400) / 100 + (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1 -
           719468;
    *v = (uint32_t)(days * 86400 + hh * 3600 + mm * 60 + ss);
    return 0;
}

/* A dotted quad, each part 0 to 255 without leading zeros, as
 * inet_pton() reads it. */
static int ip4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    unsigned k;

    for (k = 0; k < 4; k++) {
        unsigned v = 0, digits = 0;

        if (k > 0) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
        while (i < n && is_digit((uint8_t)s[i])) {
            if (digits > 0 && v == 0)
                return -1; /* a leading zero */
            v = v * 10 + (unsigned)(s[i++] - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        if (digits == 0)
            return -1;
        out[k] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The forms of RFC 4291 2.2: eight groups, "::" once for one or more
 * groups of zeros, and a dotted quad for the last two groups. */
static int ip6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t w[8];
    unsigned nw = 0, k;
    int gap = -1;
    size_t i = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < n) {
        size_t e = i;
        unsigned v = 0;
        int dot = 0;

        while (e < n && s[e] != ':') {
            if (s[e] == '.')
                dot = 1;
            e++;
        }
        if (dot) {
            uint8_t q[4];

            if (e != n || nw > 6 || ip4(&s[i], e - i, q) != 0)
                return -1;
            w[nw++] = (uint16_t)(q[0] << 8 | q[1]);
            w[nw++] = (uint16_t)(q[2] << 8 | q[3]);
            break;
        }
        if (e == i || e - i > 4 || nw == 8)
            return -1;
        for (; i < e; i++) {
            int h = hexval((uint8_t)s[i]);

            if (h < 0)
                return -1;
            v = v << 4 | (unsigned)h;
        }
        w[nw++] = (uint16_t)v;
        if (e == n)
            break;
        i = e + 1; /* past ':' */
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = (int)nw;
            i++;
        } else if (i == n) {
            return -1; /* a single trailing ':' */
        }
    }
    if (gap < 0 ? nw != 8 : nw > 7)
        return -1;
    memset(out, 0, 16);
    for (k = 0; k < nw; k++) {
        unsigned pos = gap >= 0 && k >= (unsigned)gap ? k + 8 - nw : k;

        out[2 * pos] = (uint8_t)(w[k] >> 8);
        out[2 * pos + 1] = (uint8_t)w[k];
    }
    return 0;
}

/* Unescapes (s, n) (RFC 1035 5.1: \X and \DDD) into (out), at most (cap)
 * bytes: their number, -1 for a bad escape, -2 when over (cap). */
static long unescape(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned c = (uint8_t)s[i++];

        if (c == '\\') {
            if (i == n)
                return -1; /* the lexer keeps none last: never */
            c = (uint8_t)s[i++];
            if (is_digit((uint8_t)c)) {
                if (n - i < 2 || !is_digit((uint8_t)s[i]) ||
                    !is_digit((uint8_t)s[i + 1]))
                    return -1;
                c = (c - '0') * 100 + (unsigned)(s[i] - '0') * 10 +
                    (unsigned)(s[i + 1] - '0');
                i += 2;
                if (c > 255)
                    return -1;
            }
        }
        if (o == cap)
            return -2;
        out[o++] = (uint8_t)c;
    }
    return (long)o;
}

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Base64 (RFC 4648 4) across tokens: groups of four, '=' only to pad
 * the last. */
struct b64 {
    uint32_t acc;
    unsigned n, pad;
    int done;
};

static int b64_feed(struct b64 *b, const char *s, size_t n, struct bw *w)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        int v = b64val(c);

        if (b->done)
            return -1;
        if (c == '=') {
            if (b->n < 2)
                return -1;
            b->pad++;
            v = 0;
        } else if (v < 0 || b->pad > 0) {
            return -1;
        }
        b->acc = b->acc << 6 | (uint32_t)v;
        if (++b->n == 4) {
            uint8_t q[3] = {(uint8_t)(b->acc >> 16), (uint8_t)(b->acc >> 8),
                            (uint8_t)b->acc};

            bw_append(w, q, 3 - b->pad);
            b->done = b->pad > 0;
            b->n = 0;
            b->acc = 0;
        }
    }
    return 0;
}

/* Base32 with the extended hex alphabet (RFC 4648 7), no padding, as
 * NSEC3 writes hashes (RFC 5155 3.3). */
static int b32hex(const char *s, size_t n, struct bw *w)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t i;

    if (n == 0 || n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
        return -1;
    for (i = 0; i < n; i++) {
        uint8_t c = lower((uint8_t)s[i]);
        unsigned v;

        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'v')
            v = c - 'a' + 10u;
        else
            return -1;
        acc = acc << 5 | v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            bw_append(w, &(uint8_t){(uint8_t)(acc >> bits)}, 1);
            acc &= (1u << bits) - 1;
        }
    }
    return 0;
}

static void put8(struct bw *w, uint8_t x)
{
    bw_append(w, &x, 1);
}

static void put16(struct bw *w, uint16_t x)
{
    uint8_t b[2] = {(uint8_t)(x >> 8), (uint8_t)x};

    bw_append(w, b, 2);
}

static void put32(struct bw *w, uint32_t x)
{
    uint8_t b[4] = {(uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8),
                    (uint8_t)x};

    bw_append(w, b, 4);
}

/* ---- Records ------------------------------------------------------- */

static int too_long(struct zp *p, const struct ztok *t)
{
    return zerr(p, t->line, t->col, "record data over %u bytes",
                (unsigned)DNS_RDATA_MAX);
}

/* The fields of the rest of the record, up to its end (M X B W). */
static int field_rest(struct zp *p, const struct zfmt *f, unsigned k, char kind,
                      struct bw *w)
{
    struct ztok t, first = {0, 0, p->end_line, p->end_col, 0};
    struct b64 b = {0, 0, 0, 0};
    unsigned ntok = 0, nibbles = 0, nib = 0;
    uint8_t acc = 0;
    int rc, win, lo = 0x10000, hi = -1;

    if (kind == 'W')
        memset(p->s->bitmap, 0, sizeof p->s->bitmap);
    while ((rc = lex_next(p, &t)) == 1) {
        const char *s = tok_text(p, &t);
        size_t i;

        if (ntok++ == 0)
            first = t;
        if (kind == 'M') {
            long n = unescape(s, t.len, p->s->check, 255);

            if (n < 0)
                return bad(p, &t, f, k,
                           n == -1 ? "bad escape" : "over 255 bytes");
            put8(w, (uint8_t)n);
            bw_append(w, p->s->check, (size_t)n);
        } else if (kind == 'X') {
            for (i = 0; i < t.len; i++) {
                int h = hexval((uint8_t)s[i]);

                if (h < 0)
                    return bad(p, &t, f, k, "not hex");
                acc = (uint8_t)(acc << 4 | h);
                if (++nib % 2 == 0)
                    put8(w, acc);
            }
            nibbles += (unsigned)t.len;
        } else if (kind == 'B') {
            if (b64_feed(&b, s, t.len, w) != 0)
                return bad(p, &t, f, k, "not base64");
        } else {
            uint16_t type;

            if (type_parse(s, t.len, &type) != PITH_OK)
                return bad(p, &t, f, k, NULL);
            p->s->bitmap[type >> 3] |= (uint8_t)(0x80 >> (type & 7));
            lo = type < lo ? type : lo;
            hi = type > hi ? type : hi;
        }
        if (!bw_ok(w))
            return too_long(p, &t);
    }
    if (rc < 0)
        return rc;
    if (ntok == 0 && kind != 'W') {
        int n;
        const char *l = label(f, k, &n);

        return zerr(p, first.line, first.col, "missing %.*s", n, l);
    }
    if (kind == 'X' && nibbles % 2 != 0)
        return bad(p, &first, f, k, "an odd number of hex digits");
    if (kind == 'B' && b.n != 0)
        return bad(p, &first, f, k, "base64 cut short");
    if (kind == 'W') {
        /* RFC 4034 4.1.2: windows in order, each cut after its last
         * non-zero octet. */
        for (win = lo >> 8; hi >= 0 && win <= hi >> 8; win++) {
            const uint8_t *m = &p->s->bitmap[win * 32];
            int len = 32;

            while (len > 0 && m[len - 1] == 0)
                len--;
            if (len == 0)
                continue;
            put8(w, (uint8_t)win);
            put8(w, (uint8_t)len);
            bw_append(w, m, (size_t)len);
        }
        if (!bw_ok(w))
            return too_long(p, &first);
    }
    return PITH_OK;
}

static int field_alg(const char *s, size_t n, uint8_t *v)
{
    uint64_t x;
    size_t i;

    if (num(s, n, 255, &x) == 0) {
        *v = (uint8_t)x;
        return 0;
    }
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (ieq(s, n, algs[i].name)) {
            *v = algs[i].num;
            return 0;
        }
    }
    return -1;
}

/* One field (kind) from the token (t). */
static int field_one(struct zp *p, const struct zfmt *f, unsigned k, char kind,
                     const struct ztok *t, struct bw *w)
{
    const char *s = tok_text(p, t);
    uint64_t x;
    uint32_t v;
    long n;
    size_t i;

    switch (kind) {
    case '1':
    case '2':
    case '4': {
        static const char *const why[] = {"not a number from 0 to 255",
                                          "not a number from 0 to 65535",
                                          "not a number from 0 to 4294967295"};
        unsigned sz = kind == '1' ? 0 : kind == '2' ? 1 : 2;

        if (num(s, t->len,
                sz == 0   ? 0xff
                : sz == 1 ? 0xffff
                          : UINT32_MAX,
                &x) != 0)
            return bad(p, t, f, k, why[sz]);
        if (sz == 0)
            put8(w, (uint8_t)x);
        else if (sz == 1)
            put16(w, (uint16_t)x);
        else
            put32(w, (uint32_t)x);
        break;
    }
    case 'T':
        if (period(s, t->len, &v) != 0)
            return bad(p, t, f, k, NULL);
        put32(w, v);
        break;
    case 'E':
        if (sigtime(s, t->len, &v) != 0)
            return bad(p, t, f, k, NULL);
        put32(w, v);
        break;
    case 'A': {
        uint8_t a;

        if (field_alg(s, t->len, &a) != 0)
            return bad(p, t, f, k, NULL);
        put8(w, a);
        break;
    }
    case 'Y': {
        uint16_t type;

        if (type_parse(s, t->len, &type) != PITH_OK)
            return bad(p, t, f, k, NULL);
        put16(w, type);
        break;
    }
    case 'a': {
        uint8_t a[4];

        if (ip4(s, t->len, a) != 0)
            return bad(p, t, f, k, NULL);
        bw_append(w, a, 4);
        break;
    }
    case '6': {
        uint8_t a[16];

        if (ip6(s, t->len, a) != 0)
            return bad(p, t, f, k, NULL);
        bw_append(w, a, 16);
        break;
    }
    case 'n': {
        struct dns_name nm;

        if (dns_name_from_text(&nm, s, t->len, &p->origin) != PITH_OK)
            return bad(p, t, f, k, NULL);
        bw_append(w, nm.b, nm.len);
        break;
    }
    case 's':
    case 't':
        n = unescape(s, t->len, p->s->check, kind == 's' ? 255 : 15);
        if (n == -1)
            return bad(p, t, f, k, "bad escape");
        if (n < 0)
            return bad(p, t, f, k,
                       kind == 's' ? "over 255 bytes" : "over 15 characters");
        if (kind == 't') {
            /* RFC 8659 4.1: letters and digits, at least one. */
            if (n == 0)
                return bad(p, t, f, k, "empty");
            for (i = 0; i < (size_t)n; i++)
                if (!is_digit(p->s->check[i]) &&
                    !(lower(p->s->check[i]) >= 'a' &&
                      lower(p->s->check[i]) <= 'z'))
                    return bad(p, t, f, k, "letters and digits only");
        }
        put8(w, (uint8_t)n);
        bw_append(w, p->s->check, (size_t)n);
        break;
    case 'v':
        n = unescape(s, t->len, p->s->check, DNS_RDATA_MAX);
        if (n < 0)
            return bad(p, t, f, k, "bad escape");
        bw_append(w, p->s->check, (size_t)n);
        break;
    case 'H':
        if (t->len == 1 && s[0] == '-') {
            put8(w, 0);
            break;
        }
        if (t->len % 2 != 0 || t->len > 510)
            return bad(p, t, f, k, "not up to 255 bytes of hex");
        put8(w, (uint8_t)(t->len / 2));
        for (i = 0; i < t->len; i += 2) {
            int h = hexval((uint8_t)s[i]), l = hexval((uint8_t)s[i + 1]);

            if (h < 0 || l < 0)
                return bad(p, t, f, k, "not hex");
            put8(w, (uint8_t)(h << 4 | l));
        }
        break;
    case 'Z': {
        size_t at0 = w->len;

        put8(w, 0);
        if (!bw_ok(w))
            break;
        if (b32hex(s, t->len, w) != 0 || w->len - at0 - 1 > 255)
            return bad(p, t, f, k, "not base32hex");
        bw_set_u8(w, at0, (uint8_t)(w->len - at0 - 1));
        break;
    }
    }
    if (!bw_ok(w))
        return too_long(p, t);
    return PITH_OK;
}

/* The data of (type) in presentation form (f) into (w). */
static int rdata_text(struct zp *p, const struct zfmt *f, struct bw *w)
{
    unsigned k;
    int rc;

    for (k = 0; f->fields[k] != '\0'; k++) {
        char kind = f->fields[k];
        struct ztok t;

        if (kind == 'M' || kind == 'X' || kind == 'B' || kind == 'W')
            return field_rest(p, f, k, kind, w);
        rc = lex_next(p, &t);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            int n;
            const char *l = label(f, k, &n);

            return zerr(p, p->end_line, p->end_col, "missing %.*s", n, l);
        }
        rc = field_one(p, f, k, kind, &t, w);
        if (rc != PITH_OK)
            return rc;
    }
    return PITH_OK;
}

/*
 * The data in the generic form of RFC 3597 5: "\# LENGTH HEX...", which
 * must be what dns_rdata_parse() accepts of a message for (type), so that
 * the zone holds nothing a secondary would refuse.
 */
static int rdata_generic(struct zp *p, const struct ztok *hash, uint16_t type,
                         const char *tname, struct bw *w)
{
    static const struct zfmt gen = {0, "2X", "\\# length|\\# data"};
    struct ztok t;
    uint64_t n;
    size_t outlen;
    struct bv v;
    int rc = lex_next(p, &t);

    if (rc < 0)
        return rc;
    if (rc == 0)
        return zerr(p, p->end_line, p->end_col, "missing \\# length");
    if (num(tok_text(p, &t), t.len, DNS_RDATA_MAX, &n) != 0)
        return bad(p, &t, &gen, 0, "not a number from 0 to 65535");
    rc = lex_next(p, &t);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        lex_push(p, &t);
        rc = field_rest(p, &gen, 1, 'X', w);
        if (rc != PITH_OK)
            return rc;
    }
    if (w->len != n)
        return zerr(p, hash->line, hash->col,
                    "\\# length %u but %u bytes of data", (unsigned)n,
                    (unsigned)w->len);
    v = bv_make(p->s->rd, w->len);
    if (dns_rdata_parse(&v, 0, (uint16_t)w->len, type, p->s->check,
                        sizeof p->s->check, &outlen) != PITH_OK ||
        outlen != w->len || memcmp(p->s->check, p->s->rd, outlen) != 0)
        return zerr(p, hash->line, hash->col, "bad \\# data for %s", tname);
    return PITH_OK;
}

/* Whether (t) names a class: 1 with its number (CLASSnnn of RFC 3597 5
 * too; above 65535 as 0x10000), or 0. */
static int class_tok(struct zp *p, const struct ztok *t, uint32_t *cls)
{
    static const struct {
        uint16_t num;
        char name[5];
    } classes[] = {{1, "IN"}, {2, "CS"},     {3, "CH"},
                   {4, "HS"}, {254, "NONE"}, {255, "ANY"}};
    const char *s = tok_text(p, t);
    uint64_t x;
    size_t i;

    if (t->quoted)
        return 0;
    for (i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (ieq(s, t->len, classes[i].name)) {
            *cls = classes[i].num;
            return 1;
        }
    }
    if (t->len > 5 && ieq(s, 5, "CLASS") && is_digit((uint8_t)s[5])) {
        *cls = num(s + 5, t->len - 5, 0xffff, &x) == 0 ? (uint32_t)x : 0x10000;
        return 1;
    }
    return 0;
}

static int store_owner(struct zp *p)
{
    uint8_t *q;

    if (p->owner_stored)
        return PITH_OK;
    if (zb_grow(&p->names, 2u + p->owner.len) != PITH_OK)
        return zerr_mem(p);
    q = &p->names.p[p->names.len];
    q[0] = p->owner.len;
    q[1] = p->owner.labels;
    memcpy(&q[2], p->owner.b, p->owner.len);
    p->owner_off = (uint32_t)p->names.len;
    p->names.len += 2u + p->owner.len;
    p->owner_stored = 1;
    return PITH_OK;
}

/* A record entry from its first token (t); (blank) when the line began
 * with a blank (the previous owner). */
static int zp_record(struct zp *p, struct ztok t, int blank)
{
    struct zrec r;
    struct ztok first = t, tt;
    struct bw w = bw_make(p->s->rd, sizeof p->s->rd, 0);
    const struct zfmt *f;
    int rc, have_ttl = 0, have_class = 0;
    uint32_t ttl = 0, cls;
    uint16_t type;
    char b[64], tname[64];

    if (!blank) {
        struct dns_name o;

        if (dns_name_from_text(&o, tok_text(p, &t), t.len, &p->origin) !=
            PITH_OK)
            return zerr(p, t.line, t.col, "bad owner name '%s'",
                        tok_show(p, &t, b));
        if (!dns_name_is_sub(&o, &p->apex)) {
            char on[DNS_NAME_TEXT_MAX], an[DNS_NAME_TEXT_MAX];

            dns_name_to_text(&o, on, sizeof on);
            dns_name_to_text(&p->apex, an, sizeof an);
            return zerr(p, t.line, t.col, "%s is outside the zone %s", on, an);
        }
        if (!p->owner_stored || o.len != p->owner.len ||
            memcmp(o.b, p->owner.b, o.len) != 0) {
            p->owner = o;
            p->owner_stored = 0;
        }
        rc = lex_next(p, &t);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return zerr(p, p->end_line, p->end_col, "missing the type");
    }
    /* [TTL] [class] or [class] [TTL] (RFC 1035 5.1). */
    for (;;) {
        const char *s = tok_text(p, &t);

        if (!t.quoted && is_digit((uint8_t)s[0])) {
            if (have_ttl)
                return zerr(p, t.line, t.col, "a second TTL '%s'",
                            tok_show(p, &t, b));
            if (period(s, t.len, &ttl) != 0)
                return zerr(p, t.line, t.col, "bad TTL '%s'",
                            tok_show(p, &t, b));
            have_ttl = 1;
        } else if (class_tok(p, &t, &cls)) {
            if (have_class)
                return zerr(p, t.line, t.col, "a second class '%s'",
                            tok_show(p, &t, b));
            if (cls != DNS_CLASS_IN)
                return zerr(p, t.line, t.col,
                            "class '%s' is not supported (only IN)",
                            tok_show(p, &t, b));
            have_class = 1;
        } else {
            break;
        }
        rc = lex_next(p, &t);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return zerr(p, p->end_line, p->end_col, "missing the type");
    }
    tok_show(p, &t, tname);
    if (t.quoted || type_parse(tok_text(p, &t), t.len, &type) != PITH_OK)
        return zerr(p, t.line, t.col, "unknown type '%s'", tname);
    if (!type_is_data(type))
        return zerr(p, t.line, t.col, "type %s cannot be in a zone", tname);

    rc = lex_next(p, &tt);
    if (rc < 0)
        return rc;
    if (rc == 1 && !tt.quoted && tt.len == 2 &&
        memcmp(tok_text(p, &tt), "\\#", 2) == 0) {
        rc = rdata_generic(p, &tt, type, tname, &w);
    } else {
        if (rc == 1)
            lex_push(p, &tt);
        f = fmt_of(type);
        if (f == NULL)
            return zerr(p, t.line, t.col,
                        "type %s is read only in the form \\# LENGTH HEX "
                        "(RFC 3597)",
                        tname);
        rc = rdata_text(p, f, &w);
    }
    if (rc != PITH_OK)
        return rc;
    rc = lex_next(p, &tt);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return zerr(p, tt.line, tt.col, "unexpected '%s' after the data",
                    tok_show(p, &tt, b));

    if (type == DNS_T_SOA) {
        if (!dns_name_eq(&p->owner, &p->apex)) {
            char an[DNS_NAME_TEXT_MAX];

            dns_name_to_text(&p->apex, an, sizeof an);
            return zerr(p, first.line, first.col,
                        "the SOA record must be at the origin %s", an);
        }
        if (p->soa_seen)
            return zerr(p, first.line, first.col,
                        "a second SOA record (the first is on line %u)",
                        (unsigned)p->soa_line);
        p->soa_seen = 1;
        p->soa_line = first.line;
        p->soa_min = (uint32_t)p->s->rd[w.len - 4] << 24 |
                     (uint32_t)p->s->rd[w.len - 3] << 16 |
                     (uint32_t)p->s->rd[w.len - 2] << 8 | p->s->rd[w.len - 1];
    }

    rc = store_owner(p);
    if (rc != PITH_OK)
        return rc;
    if (zb_grow(&p->rdata, w.len) != PITH_OK ||
        zb_grow(&p->recs, sizeof r) != PITH_OK || p->nrecs == UINT32_MAX)
        return zerr_mem(p);
    memset(&r, 0, sizeof r);
    r.owner = p->owner_off;
    r.data = (uint32_t)p->rdata.len;
    r.ttl = have_ttl ? ttl : p->ttl;
    r.flags = have_ttl || p->have_ttl ? 0 : ZR_DEFTTL;
    r.line = first.line;
    r.col = first.col;
    r.type = type;
    r.rdlen = (uint16_t)w.len;
    memcpy(&p->rdata.p[p->rdata.len], p->s->rd, w.len);
    p->rdata.len += w.len;
    memcpy(&p->recs.p[p->recs.len], &r, sizeof r);
    p->recs.len += sizeof r;
    p->nrecs++;
    return PITH_OK;
}

/* $ORIGIN, $TTL; $INCLUDE is refused: an image has no files. */
static int zp_directive(struct zp *p, const struct ztok *d)
{
    const char *s = tok_text(p, d);
    struct ztok t;
    char b[64];
    int rc, origin = ieq(s, d->len, "$ORIGIN"), ttl = ieq(s, d->len, "$TTL");

    if (ieq(s, d->len, "$INCLUDE"))
        return zerr(p, d->line, d->col,
                    "$INCLUDE is not supported (a zone is one text)");
    if (!origin && !ttl)
        return zerr(p, d->line, d->col, "unknown directive '%s'",
                    tok_show(p, d, b));
    rc = lex_next(p, &t);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zerr(p, p->end_line, p->end_col, "missing the value of %s",
                    origin ? "$ORIGIN" : "$TTL");
    s = tok_text(p, &t);
    if (origin) {
        if (dns_name_from_text(&p->origin, s, t.len, NULL) != PITH_OK)
            return zerr(p, t.line, t.col,
                        "bad $ORIGIN '%s' (it must be an absolute name)",
                        tok_show(p, &t, b));
    } else {
        if (period(s, t.len, &p->ttl) != 0)
            return zerr(p, t.line, t.col, "bad TTL '%s'", tok_show(p, &t, b));
        p->have_ttl = 1;
    }
    rc = lex_next(p, &t);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return zerr(p, t.line, t.col, "unexpected '%s' after %s",
                    tok_show(p, &t, b), origin ? "$ORIGIN" : "$TTL");
    return PITH_OK;
}

static int zp_parse(struct zp *p)
{
    size_t len = bv_len(&p->text);

    while (p->pos < len) {
        struct ztok t;
        uint8_t c = at(p, p->pos);
        int blank = c == ' ' || c == '\t', rc;

        p->eoe = 0;
        rc = lex_next(p, &t);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue; /* a blank line, or a comment */
        if (!blank && !t.quoted && tok_text(p, &t)[0] == '$')
            rc = zp_directive(p, &t);
        else
            rc = zp_record(p, t, blank);
        if (rc != PITH_OK)
            return rc;
    }
    return PITH_OK;
}

/* ---- Sorting ------------------------------------------------------- */

/*
 * The name fields of record data of a type of type_folds(), located
 * through its format: up to two spans [start, end) into (sp). None when
 * the data do not follow the format (\# data are checked against it only
 * for the types dns_rdata_parse() knows): then they compare exactly.
 */
static unsigned name_spans(uint16_t type, const uint8_t *d, size_t n,
                           size_t sp[4])
{
    const struct zfmt *f = fmt_of(type);
    const char *k;
    size_t pos = 0;
    unsigned ns = 0;

    if (f == NULL || !type_folds(type))
        return 0;
    for (k = f->fields; *k != '\0' && ns < 2; k++) {
        switch (*k) {
        case '1':
        case 'A':
            pos += 1;
            break;
        case '2':
        case 'Y':
            pos += 2;
            break;
        case '4':
        case 'T':
        case 'E':
            pos += 4;
            break;
        case 's':
            if (pos >= n)
                return 0;
            pos += 1u + d[pos];
            break;
        case 'n':
            sp[2 * ns] = pos;
            for (;;) {
                if (pos >= n || d[pos] > DNS_LABEL_MAX)
                    return 0;
                if (d[pos] == 0)
                    break;
                pos += 1u + d[pos];
            }
            sp[2 * ns + 1] = ++pos;
            ns++;
            break;
        default:
            return ns;
        }
    }
    return ns;
}

/* Record data in an order where data that are the same record (RFC 2181
 * 5: names compared without case) are equal. */
static int rd_cmp(uint16_t type, const uint8_t *a, size_t an, const uint8_t *b,
                  size_t bn)
{
    size_t sa[4], sb[4], i;
    unsigned na = name_spans(type, a, an, sa), nb = name_spans(type, b, bn, sb);

    for (i = 0; i < an && i < bn; i++) {
        uint8_t x = a[i], y = b[i];

        if ((na > 0 && i >= sa[0] && i < sa[1]) ||
            (na > 1 && i >= sa[2] && i < sa[3]))
            x = lower(x);
        if ((nb > 0 && i >= sb[0] && i < sb[1]) ||
            (nb > 1 && i >= sb[2] && i < sb[3]))
            y = lower(y);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static int owner_cmp(const struct zp *p, uint32_t a, uint32_t b)
{
    struct dns_name x, y;

    if (a == b)
        return 0;
    name_at(p, a, &x);
    name_at(p, b, &y);
    return dns_name_cmp(&x, &y);
}

/* Owner, type, data, then file order. */
static int cmp_data(const struct zp *p, uint32_t a, uint32_t b)
{
    const struct zrec *x = rec(p, a), *y = rec(p, b);
    int c = owner_cmp(p, x->owner, y->owner);

    if (c != 0)
        return c;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    c = rd_cmp(x->type, &p->rdata.p[x->data], x->rdlen, &p->rdata.p[y->data],
               y->rdlen);
    if (c != 0)
        return c;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Owner (as ranked), type, then file order. */
static int cmp_rank(const struct zp *p, uint32_t a, uint32_t b)
{
    const struct zrec *x = rec(p, a), *y = rec(p, b);

    if (x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* A bottom-up merge sort of (p->idx), with (p->tmp) beside it. */
static void msort(struct zp *p, uint32_t n,
                  int (*cmp)(const struct zp *, uint32_t, uint32_t))
{
    uint32_t *src = p->idx, *dst = p->tmp, *s;
    size_t w, i;

    for (w = 1; w < n; w *= 2) {
        for (i = 0; i < n; i += 2 * w) {
            size_t lo = i, mid = i + w < n ? i + w : n;
            size_t hi = i + 2 * w < n ? i + 2 * w : n, a = lo, b = mid, o = lo;

            while (a < mid && b < hi)
                dst[o++] = cmp(p, src[a], src[b]) <= 0 ? src[a++] : src[b++];
            while (a < mid)
                dst[o++] = src[a++];
            while (b < hi)
                dst[o++] = src[b++];
        }
        s = src;
        src = dst;
        dst = s;
    }
    if (src != p->idx)
        memcpy(p->idx, src, (size_t)n * sizeof *src);
}

/* ---- Layout -------------------------------------------------------- */

/* The empty non-terminals between (n) and the previous node (prev), both
 * below the apex: the ancestors of (n) that are not ancestors of (prev).
 * In canonical order they come right before (n), highest first. */
static unsigned ents_before(const struct dns_name *n,
                            const struct dns_name *prev)
{
    struct dns_name a;
    unsigned d;

    for (d = 1; d < n->labels; d++) {
        dns_name_strip(n, d, &a);
        if (dns_name_is_sub(prev, &a))
            break;
    }
    return d - 1;
}

/* A zone-level error, kept when it is the earliest in the file so far. */
enum {
    E_NONE,
    E_CNAME_OTHER,
    E_CNAME_TWO,
    E_DNAME_TWO,
    E_DNAME_BELOW,
    E_SET_BIG
};
struct zcheck {
    int kind;
    uint32_t seq, node, aux;
};

static void check(struct zcheck *c, int kind, uint32_t seq, uint32_t node,
                  uint32_t aux)
{
    if (c->kind == E_NONE || seq < c->seq) {
        c->kind = kind;
        c->seq = seq;
        c->node = node;
        c->aux = aux;
    }
}

static int check_report(struct zp *p, const struct zcheck *c)
{
    const struct zrec *r = rec(p, c->seq);
    struct dns_name n, a;
    char nt[DNS_NAME_TEXT_MAX], at_[DNS_NAME_TEXT_MAX];

    name_at(p, p->own[c->node].name, &n);
    dns_name_to_text(&n, nt, sizeof nt);
    switch (c->kind) {
    case E_CNAME_OTHER:
        return zerr(p, r->line, r->col,
                    "CNAME and other data at %s (RFC 1034 3.6.2)", nt);
    case E_CNAME_TWO:
        return zerr(p, r->line, r->col, "a second CNAME at %s", nt);
    case E_DNAME_TWO:
        return zerr(p, r->line, r->col, "a second DNAME at %s (RFC 6672 2.4)",
                    nt);
    case E_DNAME_BELOW:
        name_at(p, p->own[c->aux].name, &a);
        dns_name_to_text(&a, at_, sizeof at_);
        return zerr(p, r->line, r->col,
                    "%s is below the DNAME at %s (RFC 6672 2.3)", nt, at_);
    default:
        return zerr(p, r->line, r->col, "over 65535 records in an RRset at %s",
                    nt);
    }
}

#define NONE UINT32_MAX

/* Sorts, drops duplicates and checks; fills (p->own). Returns the number
 * of owners in (*nown). */
static int zp_sort(struct zp *p, uint32_t *nown)
{
    uint32_t n = p->nrecs, k, no = 0, prev_off = 0, best = 0;
    struct zcheck c = {E_NONE, 0, 0, 0};

    p->idx = malloc((size_t)n * sizeof *p->idx);
    p->tmp = malloc((size_t)n * sizeof *p->tmp);
    p->own = malloc((size_t)n * sizeof *p->own);
    if (p->idx == NULL || p->tmp == NULL || p->own == NULL)
        return zerr_mem(p);
    for (k = 0; k < n; k++)
        p->idx[k] = k;
    msort(p, n, cmp_data);

    /* Rank the owners; mark the duplicates. */
    for (k = 0; k < n; k++) {
        uint32_t i = p->idx[k];
        struct zrec *r = rec(p, i);

        if (k == 0 || owner_cmp(p, prev_off, r->owner) != 0) {
            p->own[no].name = r->owner;
            p->own[no].min_seq = i;
            p->own[no].dname = 0;
            best = i;
            no++;
        } else {
            const struct zrec *q = rec(p, p->idx[k - 1]);

            if (q->type == r->type &&
                rd_cmp(r->type, &p->rdata.p[q->data], q->rdlen,
                       &p->rdata.p[r->data], r->rdlen) == 0)
                r->flags |= ZR_DUP;
            if (i < best) {
                /* The node takes the owner's spelling of its first
                 * record. */
                best = i;
                p->own[no - 1].name = r->owner;
                p->own[no - 1].min_seq = i;
            }
        }
        prev_off = r->owner;
        r->owner = no - 1;
    }
    msort(p, n, cmp_rank);
    free(p->tmp);
    p->tmp = NULL;

    /* Per node: CNAME alone (but for RRSIG and NSEC, RFC 2181 10.1, RFC
     * 4035 2.5), one CNAME, one DNAME; RRsets of at most 65535. */
    for (k = 0; k < n;) {
        uint32_t g = rec(p, p->idx[k])->owner, cname = NONE, other = NONE;
        uint32_t run = 0, ptype = 0x10000;

        for (; k < n && rec(p, p->idx[k])->owner == g; k++) {
            uint32_t i = p->idx[k];
            const struct zrec *r = rec(p, i);

            if (r->flags & ZR_DUP)
                continue;
            run = r->type == ptype ? run + 1 : 1;
            ptype = r->type;
            if (run == 65536)
                check(&c, E_SET_BIG, i, g, 0);
            if (r->type == DNS_T_CNAME) {
                if (run == 1)
                    cname = i;
                else if (run == 2)
                    check(&c, E_CNAME_TWO, i, g, 0);
            } else if (r->type == DNS_T_DNAME) {
                p->own[g].dname = 1;
                if (run == 2)
                    check(&c, E_DNAME_TWO, i, g, 0);
            }
            if (r->type != DNS_T_CNAME && r->type != DNS_T_RRSIG &&
                r->type != DNS_T_NSEC && (other == NONE || i < other))
                other = i;
        }
        if (cname != NONE && other != NONE)
            check(&c, E_CNAME_OTHER, cname > other ? cname : other, g, 0);
    }
    /* Nothing below a DNAME (RFC 6672 2.3; NSD refuses it too). Names
     * below one follow it in canonical order. */
    for (k = 0; k < no; k++) {
        struct dns_name d, x;
        uint32_t j;

        if (!p->own[k].dname)
            continue;
        name_at(p, p->own[k].name, &d);
        for (j = k + 1; j < no; j++) {
            name_at(p, p->own[j].name, &x);
            if (!dns_name_is_sub(&x, &d))
                break;
            check(&c, E_DNAME_BELOW, p->own[j].min_seq, j, k);
        }
    }
    if (c.kind != E_NONE)
        return check_report(p, &c);
    *nown = no;
    return PITH_OK;
}

/* Lays the zone out into (z): the RRsets and their records in one
 * allocation (z->mem), then the nodes (z->nodes). */
static int zp_layout(struct zp *p, uint32_t nown, struct dns_zone *z)
{
    uint32_t n = p->nrecs, k, nsets = 0, s = 0, g, *first;
    size_t data = 0, nnodes = 0, off;
    struct dns_rrset *sets;
    struct dns_node *nodes;
    uint8_t *d, *shrunk;
    uint16_t *order;
    struct zown *o;
    struct bw w;

    for (k = 0; k < n; k++) {
        const struct zrec *r = rec(p, p->idx[k]), *q;

        if (r->flags & ZR_DUP)
            continue;
        data += 6u + r->rdlen;
        q = k > 0 ? rec(p, p->idx[k - 1]) : NULL;
        /* A duplicate is never first of its RRset: it sorted after the
         * record it repeats. */
        if (q == NULL || q->owner != r->owner || q->type != r->type)
            nsets++;
    }
    /* The RRsets, their order in the file (z->order), the records. */
    z->mem = malloc((size_t)nsets * (sizeof *sets + sizeof *order) + data);
    first = malloc((size_t)nsets * sizeof *first + 1);
    if (z->mem == NULL || first == NULL) {
        free(first);
        return zerr_mem(p);
    }
    sets = z->mem;
    order = (uint16_t *)(void *)(sets + nsets);
    z->order = order;
    d = (uint8_t *)(order + nsets);
    w = bw_make(d, data, 0);
    for (k = 0; k < n; k++) {
        const struct zrec *r = rec(p, p->idx[k]);
        struct dns_rrset *set;

        if (r->flags & ZR_DUP)
            continue;
        if (s == 0 || sets[s - 1].type != r->type ||
            rec(p, p->idx[k - 1])->owner != r->owner) {
            if (s == 0 || rec(p, p->idx[k - 1])->owner != r->owner)
                p->own[r->owner].first_set = s;
            /* Its first record in the sort is its first in the file. */
            first[s] = p->idx[k];
            set = &sets[s++];
            set->type = r->type;
            set->count = 0;
            set->size = 0;
            set->data = d + w.len;
        }
        set = &sets[s - 1];
        off = w.len;
        if (bw_put(&w, 6u + r->rdlen) == NULL)
            break; /* cannot be: (data) was counted above */
        bw_set_be32(&w, off, (r->flags & ZR_DEFTTL) != 0 ? p->soa_min : r->ttl);
        bw_set_be16(&w, off + 4, r->rdlen);
        bw_write(&w, off + 6, &p->rdata.p[r->data], r->rdlen);
        set->count++;
        set->size += 6u + r->rdlen;
        z->records++;
    }

    /* Each owner's RRsets in the order the file first gave them: few
     * per owner, so an insertion sort. */
    for (g = 0; g < nown; g++) {
        uint32_t lo = p->own[g].first_set;
        uint32_t hi = g + 1 < nown ? p->own[g + 1].first_set : nsets, i, j;

        for (i = 0; i < hi - lo; i++) {
            uint16_t x = (uint16_t)i;
            for (j = i; j > 0 && first[lo + order[lo + j - 1]] > first[lo + x];
                 j--)
                order[lo + j] = order[lo + j - 1];
            order[lo + j] = x;
        }
    }
    free(first);

    /* The records are in place: what remains is names. */
    free(p->idx);
    p->idx = NULL;
    zb_free(&p->recs);
    zb_free(&p->rdata);

    /* Give back the slack of what remains before the largest
     * allocation. */
    shrunk = realloc(p->names.p, p->names.len);
    if (shrunk != NULL) {
        p->names.p = shrunk;
        p->names.cap = p->names.len;
    }
    o = realloc(p->own, (size_t)nown * sizeof *p->own);
    if (o != NULL)
        p->own = o;

    for (g = 0; g < nown; g++) {
        struct dns_name x, y;

        p->own[g].ents = 0;
        if (g > 0) {
            name_at(p, p->own[g].name, &x);
            name_at(p, p->own[g - 1].name, &y);
            p->own[g].ents = (uint8_t)ents_before(&x, &y);
        }
        nnodes += 1u + p->own[g].ents;
    }
    nodes = malloc(nnodes * sizeof *nodes);
    if (nodes == NULL)
        return zerr_mem(p);
    z->nodes = nodes;
    z->nnodes = nnodes;
    for (g = 0, k = 0; g < nown; g++) {
        uint32_t end = g + 1 < nown ? p->own[g + 1].first_set : nsets;
        unsigned e;
        struct dns_name x;

        name_at(p, p->own[g].name, &x);
        for (e = p->own[g].ents; e > 0; e--) {
            dns_name_strip(&x, e, &nodes[k].name);
            nodes[k].nsets = 0;
            nodes[k].sets = NULL;
            k++;
        }
        nodes[k].name = x;
        nodes[k].nsets = (uint16_t)(end - p->own[g].first_set);
        nodes[k].sets = &sets[p->own[g].first_set];
        k++;
    }
    z->soa = dns_node_rrset(&nodes[0], DNS_T_SOA);
    return PITH_OK;
}

/* ---- The contract -------------------------------------------------- */

static void zp_free(struct zp *p)
{
    zb_free(&p->names);
    zb_free(&p->rdata);
    zb_free(&p->recs);
    free(p->idx);
    free(p->tmp);
    free(p->own);
}

int dns_zone_parse(struct dns_zone *z, const char *text, size_t len,
                   const char *file, const struct dns_name *origin, char *err,
                   size_t errlen)
{
    struct zp zp, *p = &zp;
    uint32_t nown = 0;
    int rc;

    memset(z, 0, sizeof *z);
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (origin == NULL || (text == NULL && len > 0))
        return PITH_EINVAL;
    memset(p, 0, sizeof *p);
    p->text = bv_make(text, len);
    p->line = 1;
    p->file = file != NULL ? file : "zone";
    p->err = err;
    p->errlen = errlen;
    p->apex = *origin;
    p->origin = *origin;
    p->owner = *origin; /* NSD's owner for a blank first line */
    z->origin = *origin;

    p->s = malloc(sizeof *p->s);
    rc = p->s != NULL ? zp_parse(p) : zerr_mem(p);
    free(p->s);
    p->s = NULL;
    if (rc == PITH_OK && !p->soa_seen) {
        char an[DNS_NAME_TEXT_MAX];

        dns_name_to_text(&p->apex, an, sizeof an);
        rc = zerr(p, p->line, col(p), "no SOA record at the origin %s", an);
    }
    if (rc == PITH_OK)
        rc = zp_sort(p, &nown);
    if (rc == PITH_OK)
        rc = zp_layout(p, nown, z);
    zp_free(p);
    if (rc != PITH_OK)
        dns_zone_free(z);
    return rc;
}

void dns_zone_free(struct dns_zone *z)
{
    free(z->nodes);
    free(z->mem);
    memset(z, 0, sizeof *z);
}

static const struct dns_node *zone_search(const struct dns_zone *z,
                                          const struct dns_name *n)
{
    size_t lo = 0, hi = z->nnodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = dns_name_cmp(n, &z->nodes[mid].name);

        if (c == 0)
            return &z->nodes[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct dns_node *dns_zone_find(const struct dns_zone *z,
                                     const struct dns_name *n,
                                     const struct dns_node **closest)
{
    const struct dns_node *node = zone_search(z, n);
    unsigned d;

    if (node != NULL || closest == NULL)
        return node;
    *closest = NULL;
    if (!dns_name_is_sub(n, &z->origin))
        return NULL;
    for (d = 1; d <= (unsigned)(n->labels - z->origin.labels); d++) {
        struct dns_name a;

        dns_name_strip(n, d, &a);
        *closest = zone_search(z, &a);
        if (*closest != NULL)
            break;
    }
    return NULL;
}

const struct dns_rrset *dns_node_rrset_nth(const struct dns_zone *z,
                                           const struct dns_node *node,
                                           unsigned i)
{
    const struct dns_rrset *all = z->mem;

    if (i >= node->nsets)
        return NULL;
    return &node->sets[z->order[node->sets - all + i]];
}

const struct dns_rrset *dns_node_rrset(const struct dns_node *node,
                                       uint16_t type)
{
    size_t lo = 0, hi = node->nsets;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (node->sets[mid].type == type)
            return &node->sets[mid];
        if (node->sets[mid].type < type)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
