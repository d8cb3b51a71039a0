/*
 * What a server needs to answer (RFC 9110): reason phrases, dates, media
 * types, validators, ranges, content codings, the target as a path, and
 * the response head. See http.h.
 */
#include <stdio.h>
#include <string.h>
#include <pith/bv.h>
#include <pith/err.h>

#include "http.h"
#include "http_int.h"

const char *http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 416:
        return "Range Not Satisfiable";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "";
    }
}

/* ---- Dates (RFC 9110 5.6.7) ---- */

static const char wdays[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
static const char *const wdays_long[7] = {"Sunday",    "Monday",   "Tuesday",
                                          "Wednesday", "Thursday", "Friday",
                                          "Saturday"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms), for years from 1970. */
static uint64_t days_from_civil(uint64_t y, unsigned m, unsigned d)
{
    uint64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(uint64_t z, uint64_t *y, unsigned *m, unsigned *d)
{
    uint64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void http_date_format(uint64_t secs, char out[HTTP_DATE_LEN + 1])
{
    uint64_t days = secs / 86400, y, s = secs % 86400;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        y = 9999;
    snprintf(out, HTTP_DATE_LEN + 1, "%s, %02u %s %04u %02u:%02u:%02u GMT",
             wdays[(days + 4) % 7], d, months[m - 1], (unsigned)y,
             (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
}

/* (n) decimal digits at (off) of (v), or -1. */
static long digits(struct bv *v, size_t off, size_t n)
{
    long x = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = bv_u8(v, off + i);
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    return x;
}

/* The month named by the 3 bytes at (off), 1..12, or 0. */
static unsigned month_at(struct bv *v, size_t off)
{
    unsigned i;

    for (i = 0; i < 12; i++)
        if (bv_eq(v, off, months[i], 3))
            return i + 1;
    return 0;
}

/* "HH:MM:SS" at (off): seconds into the day, or -1. */
static long time_at(struct bv *v, size_t off)
{
    long h = digits(v, off, 2), m = digits(v, off + 3, 2),
         s = digits(v, off + 6, 2);

    if (h < 0 || m < 0 || s < 0 || bv_u8(v, off + 2) != ':' ||
        bv_u8(v, off + 5) != ':' || h > 23 || m > 59 || s > 60)
        return -1;
    return h * 3600 + m * 60 + (s == 60 ? 59 : s);
}

static int date_of(long y, unsigned m, long d, long t, uint64_t *secs)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};

    if (y < 1970 || !m || d < 1 || d > mdays[m - 1] || t < 0)
        return -1;
    *secs = days_from_civil((uint64_t)y, m, (unsigned)d) * 86400 + (uint64_t)t;
    return 0;
}

int http_date_parse(struct bv v, uint64_t *secs)
{
    size_t n = bv_len(&v), i;
    long y, d, t;
    unsigned m;

    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
    if (n == 29 && bv_u8(&v, 3) == ',') {
        for (i = 0; i < 7; i++)
            if (bv_eq(&v, 0, wdays[i], 3))
                break;
        if (i == 7 || !bv_eq(&v, 3, ", ", 2) || bv_u8(&v, 7) != ' ' ||
            bv_u8(&v, 11) != ' ' || bv_u8(&v, 16) != ' ' ||
            !bv_eq(&v, 25, " GMT", 4))
            return -1;
        d = digits(&v, 5, 2);
        m = month_at(&v, 8);
        y = digits(&v, 12, 4);
        t = time_at(&v, 17);
        return date_of(y, m, d, t, secs);
    }
    /* asctime: "Sun Nov  6 08:49:37 1994" */
    if (n == 24 && bv_u8(&v, 3) == ' ') {
        for (i = 0; i < 7; i++)
            if (bv_eq(&v, 0, wdays[i], 3))
                break;
        if (i == 7 || bv_u8(&v, 7) != ' ' || bv_u8(&v, 10) != ' ' ||
            bv_u8(&v, 19) != ' ')
            return -1;
        m = month_at(&v, 4);
        d = bv_u8(&v, 8) == ' ' ? digits(&v, 9, 1) : digits(&v, 8, 2);
        t = time_at(&v, 11);
        y = digits(&v, 20, 4);
        return date_of(y, m, d, t, secs);
    }
    /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
    for (i = 0; i < 7; i++) {
        size_t l = strlen(wdays_long[i]);
        if (n == l + 24 && bv_eq(&v, 0, wdays_long[i], l)) {
            if (!bv_eq(&v, l, ", ", 2) || bv_u8(&v, l + 4) != '-' ||
                bv_u8(&v, l + 8) != '-' || bv_u8(&v, l + 11) != ' ' ||
                !bv_eq(&v, l + 20, " GMT", 4))
                return -1;
            d = digits(&v, l + 2, 2);
            m = month_at(&v, l + 5);
            y = digits(&v, l + 9, 2);
            t = time_at(&v, l + 12);
            if (y < 0)
                return -1;
            /* Two digits: 1970 to 2069. */
            y += y < 70 ? 2000 : 1900;
            return date_of(y, m, d, t, secs);
        }
    }
    return -1;
}

/* ---- Media types ---- */

static const struct {
    const char *ext;
    const char *type;
} mime[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
};

const char *http_mime_type(const char *path, size_t len)
{
    size_t i = len, k, j;

    while (i > 0 && path[i - 1] != '.' && path[i - 1] != '/')
        i--;
    if (i == 0 || path[i - 1] != '.')
        return "application/octet-stream";
    for (k = 0; k < sizeof mime / sizeof mime[0]; k++) {
        const char *e = mime[k].ext;
        for (j = 0; i + j < len && e[j]; j++) {
            char c = path[i + j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c | 0x20);
            if (c != e[j])
                break;
        }
        if (i + j == len && !e[j])
            return mime[k].type;
    }
    return "application/octet-stream";
}

/* ---- Validators (RFC 9110 8.8, 13) ---- */

/* The opaque-tag of the entity-tag (v) ("\"x\"" of "W/\"x\""), and
 * whether it is weak; 0 when (v) is no entity-tag. */
static int etag_parse(struct bv v, struct bv *opaque, int *weak)
{
    size_t i, n;

    *weak = 0;
    if (bv_len(&v) >= 2 && bv_eq(&v, 0, "W/", 2)) {
        *weak = 1;
        bv_shift(&v, 2);
    }
    n = bv_len(&v);
    if (n < 2 || bv_u8(&v, 0) != '"' || bv_u8(&v, n - 1) != '"')
        return 0;
    /* etagc = %x21 / %x23-7E / obs-text */
    for (i = 1; i + 1 < n; i++) {
        uint8_t c = bv_u8(&v, i);
        if (c == '"' || c <= 0x20 || c == 0x7f)
            return 0;
    }
    *opaque = v;
    return bv_ok(&v);
}

int http_etag_match(struct bv v, const char *etag)
{
    struct bv mine, theirs, e, list = v;
    int weak, myweak;

    if (!etag || !etag_parse(bv_make(etag, strlen(etag)), &mine, &myweak))
        return 0;
    if (bv_len(&v) == 1 && bv_u8(&v, 0) == '*')
        return 1;
    while (http_list_next(&list, &e))
        if (etag_parse(e, &theirs, &weak) && bv_len(&theirs) == bv_len(&mine) &&
            bv_eq(&theirs, 0, bv_ptr(&mine, 0, bv_len(&mine)), bv_len(&mine)))
            return 1;
    return 0;
}

int http_not_modified(const struct http_parser *p, const char *etag,
                      uint64_t mtime)
{
    struct bv v;
    uint64_t since;

    if (http_req_field(p, "if-none-match", &v))
        return http_etag_match(v, etag) ? 304 : 0;
    if (mtime && http_req_field(p, "if-modified-since", &v) &&
        http_date_parse(v, &since) == 0 && mtime <= since)
        return 304;
    return 0;
}

int http_if_range(const struct http_parser *p, const char *etag, uint64_t mtime)
{
    struct bv v, theirs, mine;
    uint64_t when;
    int weak, myweak;

    if (!http_req_field(p, "if-range", &v))
        return 1;
    if (etag_parse(v, &theirs, &weak)) {
        /* The strong comparison: neither tag weak. */
        return etag && !weak &&
               etag_parse(bv_make(etag, strlen(etag)), &mine, &myweak) &&
               !myweak && bv_len(&theirs) == bv_len(&mine) &&
               bv_eq(&theirs, 0, bv_ptr(&mine, 0, bv_len(&mine)),
                     bv_len(&mine));
    }
    return mtime && http_date_parse(v, &when) == 0 && when == mtime;
}

/* ---- Ranges (RFC 9110 14) ---- */

/* A run of digits from (*i) in (v), saturating; -1 (UINT64_MAX) without
 * one: sets (*ok) 0. */
static uint64_t number(struct bv *v, size_t *i, int *ok)
{
    uint64_t x = 0;
    size_t start = *i;

    while (*i < bv_len(v) && bv_u8(v, *i) >= '0' && bv_u8(v, *i) <= '9') {
        uint64_t dgt = (uint64_t)(bv_u8(v, *i) - '0');
        x = x > (UINT64_MAX - dgt) / 10 ? UINT64_MAX : x * 10 + dgt;
        (*i)++;
    }
    if (*i == start)
        *ok = 0;
    return x;
}

int http_range(struct bv v, uint64_t size, uint64_t *first, uint64_t *last)
{
    struct bv list, e, one;
    size_t i = 0;
    unsigned n = 0;
    uint64_t a, b;
    int ok = 1;

    /* range-unit "=" range-set; the unit is case-insensitive. */
    if (bv_len(&v) < 6)
        return HTTP_RANGE_NONE;
    list = bv_sub(&v, 0, 6);
    if (!http_eq_nocase(&list, "bytes="))
        return HTTP_RANGE_NONE;
    list = bv_from(&v, 6);
    while (http_list_next(&list, &e))
        if (n++ == 0)
            one = e;
    if (n != 1) /* several (or none): answered whole */
        return HTTP_RANGE_NONE;
    if (bv_u8(&one, 0) == '-') { /* suffix-range: the last N bytes */
        i = 1;
        b = number(&one, &i, &ok);
        if (!ok || i != bv_len(&one))
            return HTTP_RANGE_NONE;
        if (b == 0 || size == 0)
            return HTTP_RANGE_UNSAT;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return HTTP_RANGE_OK;
    }
    a = number(&one, &i, &ok);
    if (!ok || bv_u8(&one, i) != '-')
        return HTTP_RANGE_NONE;
    i++;
    if (i == bv_len(&one)) {
        b = UINT64_MAX;
    } else {
        b = number(&one, &i, &ok);
        if (!ok || i != bv_len(&one) || b < a)
            return HTTP_RANGE_NONE;
    }
    if (!bv_ok(&one))
        return HTTP_RANGE_NONE;
    if (a >= size)
        return HTTP_RANGE_UNSAT;
    *first = a;
    *last = b >= size ? size - 1 : b;
    return HTTP_RANGE_OK;
}

/* ---- Content codings (RFC 9110 12.5.3) ---- */

/* The weight of an element's parameters (";q=0.5"): 0 to 1000; -1 when
 * they are malformed. */
static int weight(struct bv *p)
{
    size_t i = 0, n = bv_len(p);
    int q, k;

    while (i < n) {
        while (i < n && (bv_u8(p, i) == ' ' || bv_u8(p, i) == '\t'))
            i++;
        if (bv_u8(p, i) != ';')
            return -1;
        i++;
        while (i < n && (bv_u8(p, i) == ' ' || bv_u8(p, i) == '\t'))
            i++;
        if (i + 2 <= n && (bv_u8(p, i) | 0x20) == 'q' &&
            bv_u8(p, i + 1) == '=') {
            /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
            i += 2;
            if (bv_u8(p, i) != '0' && bv_u8(p, i) != '1')
                return -1;
            q = (bv_u8(p, i++) - '0') * 1000;
            if (i < n && bv_u8(p, i) == '.') {
                int scale = 100;
                i++;
                for (k = 0;
                     k < 3 && i < n && bv_u8(p, i) >= '0' && bv_u8(p, i) <= '9';
                     k++, i++, scale /= 10)
                    q += (bv_u8(p, i) - '0') * scale;
            }
            if (q > 1000)
                return -1;
            while (i < n && (bv_u8(p, i) == ' ' || bv_u8(p, i) == '\t'))
                i++;
            if (i != n)
                return -1;
            return q;
        }
        /* Another parameter: skip it. */
        while (i < n && bv_u8(p, i) != ';')
            i++;
    }
    return 1000;
}

int http_accepts(struct bv v, const char *coding)
{
    struct bv list = v, e, name, params;
    int named = -1, star = -1, gzip = strcmp(coding, "gzip") == 0;
    size_t i;

    while (http_list_next(&list, &e)) {
        int w;
        for (i = 0; i < bv_len(&e) && http_tchar(bv_u8(&e, i)); i++)
            ;
        name = bv_sub(&e, 0, i);
        params = bv_from(&e, i);
        w = weight(&params);
        if (w < 0 || !i)
            continue;
        if (http_eq_nocase(&name, coding) ||
            (gzip && http_eq_nocase(&name, "x-gzip")))
            named = w > named ? w : named;
        else if (bv_len(&name) == 1 && bv_u8(&name, 0) == '*')
            star = w;
    }
    if (named >= 0)
        return named > 0;
    return star > 0;
}

/* ---- The target as a path ---- */

long http_path(struct bv v, char *out, size_t cap)
{
    size_t i = 0, n = bv_len(&v), o = 0, seg = 0;

    if (!cap)
        return -414;
    if (bv_u8(&v, 0) != '/') {
        /* absolute-form (RFC 9112 3.2.2): scheme "://" authority path */
        size_t s;
        if (n >= 7 && bv_eq(&v, 0, "http://", 7))
            s = 7;
        else if (n >= 8 && bv_eq(&v, 0, "https://", 8))
            s = 8;
        else
            return -400; /* asterisk or authority form: not a file */
        i = s;
        while (i < n && bv_u8(&v, i) != '/' && bv_u8(&v, i) != '?')
            i++;
    }
    for (; i <= n; i++) {
        int c = i < n ? bv_u8(&v, i) : -1;
        if (c == '?' || c == '#')
            c = -1;
        if (c == '%') {
            int h = http_hexval(bv_u8(&v, i + 1)), l;
            l = http_hexval(bv_u8(&v, i + 2));
            if (i + 2 >= n || h < 0 || l < 0)
                return -400;
            c = h * 16 + l;
            i += 2;
            if (c == 0)
                return -400;
        }
        if (c == '/' || c < 0) {
            /* The end of a segment: ".." climbs, "." and "" vanish. */
            size_t len = o - seg;
            if (len == 2 && out[seg] == '.' && out[seg + 1] == '.')
                return -400;
            if (len == 0 || (len == 1 && out[seg] == '.')) {
                o = seg;
            } else if (c == '/') {
                if (o + 1 >= cap)
                    return -414;
                out[o++] = '/';
                seg = o;
            }
            if (c < 0)
                break;
            continue;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            return -400;
        if (o + 1 >= cap)
            return -414;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return (long)o;
}

/* ---- The response head ---- */

static void put(struct bw *w, const char *s)
{
    bw_append(w, s, strlen(s));
}

static void put_field(struct bw *w, const char *name, const char *value)
{
    put(w, name);
    put(w, ": ");
    put(w, value);
    put(w, "\r\n");
}

static void put_u64(struct bw *w, uint64_t x)
{
    char d[24];
    size_t i = sizeof d;

    do {
        d[--i] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    bw_append(w, d + i, sizeof d - i);
}

int http_resp_head(struct bw *w, const struct http_resp *r)
{
    char date[HTTP_DATE_LEN + 1];

    put(w, "HTTP/1.1 ");
    put_u64(w, (uint64_t)r->status);
    put(w, " ");
    put(w, http_reason(r->status));
    put(w, "\r\n");
    if (r->server)
        put_field(w, "Server", r->server);
    if (r->date) {
        http_date_format(r->date, date);
        put_field(w, "Date", date);
    }
    if (r->content_type)
        put_field(w, "Content-Type", r->content_type);
    if (!r->no_length) {
        put(w, "Content-Length: ");
        put_u64(w, r->length);
        put(w, "\r\n");
    }
    if (r->last_modified) {
        http_date_format(r->last_modified, date);
        put_field(w, "Last-Modified", date);
    }
    if (r->close)
        put(w, "Connection: close\r\n");
    else if (r->minor == 0)
        put(w, "Connection: keep-alive\r\n");
    if (r->etag)
        put_field(w, "ETag", r->etag);
    if (r->encoding)
        put_field(w, "Content-Encoding", r->encoding);
    if (r->vary)
        put_field(w, "Vary", r->vary);
    if (r->accept_ranges)
        put(w, "Accept-Ranges: bytes\r\n");
    if (r->range || r->unsat) {
        put(w, "Content-Range: bytes ");
        if (r->unsat) {
            put(w, "*");
        } else {
            put_u64(w, r->first);
            put(w, "-");
            put_u64(w, r->last);
        }
        put(w, "/");
        put_u64(w, r->total);
        put(w, "\r\n");
    }
    if (r->allow)
        put_field(w, "Allow", r->allow);
    if (r->location)
        put_field(w, "Location", r->location);
    put(w, "\r\n");
    return bw_ok(w) ? 0 : PITH_ENOMEM;
}
