/*
 * The request parser (RFC 9112): the head is copied into the parser a
 * byte at a time while its line endings are checked, then read whole
 * through a view; bodies are decoded in place. See http.h.
 */
#include <string.h>
#include <pith/bv.h>
#include <pith/err.h>

#include "http.h"
#include "http_int.h"

enum {
    S_START = 0, /* before a request: empty lines are skipped (2.2) */
    S_HEAD,      /* in the head */
    S_NOBODY,    /* head given, no body */
    S_BODY,      /* Content-Length body: (left) bytes to go */
    S_CSIZE,     /* a chunk-size line (sub: where in it) */
    S_CDATA,     /* chunk data: (left) bytes to go */
    S_CCRLF,     /* the CRLF after chunk data (sub 0: CR, 1: LF) */
    S_TRAILER,   /* the trailer section, to its empty line */
    S_DONE,      /* complete: HTTP_EV_END given */
    S_ERROR,
};

/* Where in a chunk-size line (7.1: chunk-size [ chunk-ext ] CRLF, with
 * chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )). */
enum {
    C_FIRST = 0, /* the first hex digit */
    C_SIZE,      /* more hex digits */
    C_BWS,       /* whitespace after the size: a ';' must follow */
    C_NAME0,     /* after ';': whitespace, then a name */
    C_NAME,      /* in a name */
    C_ANAME,     /* after a name: whitespace, '=', ';' or CR */
    C_AVAL,      /* after a value: whitespace, ';' or CR */
    C_VAL0,      /* after '=': whitespace, then a value */
    C_TOKEN,     /* in a token value */
    C_QUOTED,    /* in a quoted value */
    C_ESCAPE,    /* after a backslash in one */
    C_LF,        /* after the CR */
};

/* RFC 9110 5.6.2: tchar. */
static const uint8_t tchar_tab[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
    ['`'] = 1, ['|'] = 1, ['~'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
    ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
    ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1,
    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1,
    ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

int http_tchar(uint8_t c)
{
    return tchar_tab[c];
}

/* field-vchar or the whitespace inside a field value (5.5): VCHAR,
 * obs-text, SP, HTAB; not NUL, the other controls or DEL. */
static int field_char(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

int http_hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int http_eq_nocase(struct bv *v, const char *s)
{
    size_t i, n = strlen(s);

    if (bv_len(v) != n)
        return 0;
    for (i = 0; i < n; i++) {
        uint8_t c = bv_u8(v, i), d = (uint8_t)s[i];
        if (c >= 'A' && c <= 'Z')
            c |= 0x20;
        if (d >= 'A' && d <= 'Z')
            d |= 0x20;
        if (c != d)
            return 0;
    }
    return 1;
}

static int fail(struct http_parser *p, int status)
{
    p->err = status;
    p->state = S_ERROR;
    return HTTP_EV_ERROR;
}

void http_parser_init(struct http_parser *p, uint64_t body_max)
{
    p->err = 0;
    p->state = S_START;
    p->sub = 0;
    p->cr = 0;
    p->len = 0;
    p->line = 0;
    p->lines = 0;
    /* Bounded so that chunk sizes cannot overflow as they are read. */
    p->body_max = body_max > (1ull << 40) ? 1ull << 40 : body_max;
    p->body = 0;
    p->left = 0;
    p->req.nfields = 0;
}

int http_error(const struct http_parser *p)
{
    return p->err;
}

int http_busy(const struct http_parser *p)
{
    return !(p->state == S_DONE || (p->state == S_START && !p->cr));
}

int http_have_head(const struct http_parser *p)
{
    return p->state != S_START && p->state != S_HEAD && p->state != S_ERROR;
}

static struct bv sub_view(const struct http_parser *p, uint16_t off,
                          uint16_t len)
{
    struct bv v = bv_make(p->buf, p->len);
    return bv_sub(&v, off, len);
}

struct bv http_req_method(const struct http_parser *p)
{
    return sub_view(p, p->req.method_off, p->req.method_len);
}

struct bv http_req_target(const struct http_parser *p)
{
    return sub_view(p, p->req.target_off, p->req.target_len);
}

struct bv http_field_name(const struct http_parser *p, unsigned i)
{
    if (i >= p->req.nfields)
        return bv_make(NULL, 0);
    return sub_view(p, p->req.fields[i].name, p->req.fields[i].name_len);
}

struct bv http_field_value(const struct http_parser *p, unsigned i)
{
    if (i >= p->req.nfields)
        return bv_make(NULL, 0);
    return sub_view(p, p->req.fields[i].value, p->req.fields[i].value_len);
}

int http_req_field(const struct http_parser *p, const char *name, struct bv *v)
{
    unsigned i;

    for (i = 0; i < p->req.nfields; i++) {
        struct bv n = http_field_name(p, i);
        if (http_eq_nocase(&n, name)) {
            *v = http_field_value(p, i);
            return 1;
        }
    }
    *v = bv_make(NULL, 0);
    return 0;
}

static const struct {
    const char *name;
    uint8_t m;
} methods[] = {
    {"GET", HTTP_M_GET},       {"HEAD", HTTP_M_HEAD},
    {"POST", HTTP_M_POST},     {"PUT", HTTP_M_PUT},
    {"DELETE", HTTP_M_DELETE}, {"OPTIONS", HTTP_M_OPTIONS},
    {"TRACE", HTTP_M_TRACE},   {"CONNECT", HTTP_M_CONNECT},
    {"PATCH", HTTP_M_PATCH},
};

/* Methods are case-sensitive (RFC 9110 9.1). */
static uint8_t method_of(struct bv *v)
{
    size_t i;

    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (bv_len(v) == strlen(methods[i].name) &&
            bv_eq(v, 0, methods[i].name, bv_len(v)))
            return methods[i].m;
    return HTTP_M_OTHER;
}

/*
 * Steps through the comma-separated list (5.6.1) in (*v): the next
 * non-empty element, without surrounding whitespace, in (*elem).
 * Returns 0 at the end of the list.
 */
int http_list_next(struct bv *v, struct bv *elem)
{
    for (;;) {
        size_t i = 0, n, start, end;
        int quoted = 0;
        if (!bv_len(v) || !bv_ok(v))
            return 0;
        n = bv_len(v);
        /* To the next comma outside a quoted string. */
        while (i < n) {
            uint8_t c = bv_u8(v, i);
            if (c == '"')
                quoted = !quoted;
            else if (c == '\\' && quoted && i + 1 < n)
                i++;
            else if (c == ',' && !quoted)
                break;
            i++;
        }
        start = 0;
        end = i;
        while (start < end &&
               (bv_u8(v, start) == ' ' || bv_u8(v, start) == '\t'))
            start++;
        while (end > start &&
               (bv_u8(v, end - 1) == ' ' || bv_u8(v, end - 1) == '\t'))
            end--;
        *elem = bv_sub(v, start, end - start);
        bv_shift(v, i < n ? i + 1 : n);
        if (end > start)
            return 1;
    }
}

/* Content-Length (RFC 9112 6.3, RFC 9110 8.6): 1*DIGIT. Sets the length
 * or fails the parser (-1). */
static int content_length(struct http_parser *p, struct bv *v)
{
    size_t i, n = bv_len(v);
    uint64_t x = 0;

    if (p->req.has_length) /* twice, even with the same value */
        return fail(p, 400), -1;
    if (n == 0)
        return fail(p, 400), -1;
    for (i = 0; i < n; i++) {
        uint8_t c = bv_u8(v, i);
        if (c < '0' || c > '9')
            return fail(p, 400), -1;
        if (x <= p->body_max) /* past it, the value only has to be digits */
            x = x * 10 + (uint64_t)(c - '0');
    }
    p->req.has_length = 1;
    p->req.length = x;
    return 0;
}

/* Transfer-Encoding (RFC 9112 6.1): only "chunked", once, for us. A
 * coding we do not know: 501 (6.1's SHOULD); anything malformed: 400. */
static int transfer_encoding(struct http_parser *p, struct bv *v, int *seen)
{
    struct bv list = *v, e;
    size_t i;

    while (http_list_next(&list, &e)) {
        for (i = 0; i < bv_len(&e); i++)
            if (!tchar_tab[bv_u8(&e, i)])
                return fail(p, 400), -1; /* parameters, quotes, spaces */
        if (!http_eq_nocase(&e, "chunked"))
            return fail(p, 501), -1;
        if (*seen) /* chunked twice */
            return fail(p, 400), -1;
        *seen = 1;
    }
    if (!bv_ok(&list))
        return fail(p, 400), -1;
    return 0;
}

/* Host (RFC 9110 7.2: uri-host [ ":" port ]): the characters a host and
 * port may hold. */
static int host_ok(struct bv *v)
{
    size_t i;

    for (i = 0; i < bv_len(v); i++) {
        uint8_t c = bv_u8(v, i);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:[]%", c)))
            return 0;
    }
    return 1;
}

/* Reads the head in buf: the request line and the fields. Returns
 * HTTP_EV_HEAD or HTTP_EV_ERROR. */
static int parse_head(struct http_parser *p)
{
    struct bv h = bv_make(p->buf, p->len), v;
    struct http_req *r = &p->req;
    size_t i, n;
    unsigned hosts = 0;
    int chunked = 0, close = 0, keep = 0;
    long sp;

    memset(r, 0, sizeof *r);
    /* request-line = method SP request-target SP HTTP-version CRLF */
    sp = bv_find(&h, 0, ' ');
    if (sp <= 0)
        return fail(p, 400);
    for (i = 0; i < (size_t)sp; i++)
        if (!tchar_tab[bv_u8(&h, i)])
            return fail(p, 400);
    r->method_off = 0;
    r->method_len = (uint16_t)sp;
    v = bv_sub(&h, 0, (size_t)sp);
    r->method = method_of(&v);
    i = (size_t)sp + 1;
    r->target_off = (uint16_t)i;
    while (i < bv_len(&h) && bv_u8(&h, i) > 0x20 && bv_u8(&h, i) < 0x7f)
        i++;
    r->target_len = (uint16_t)(i - r->target_off);
    if (r->target_len == 0 || bv_u8(&h, i) != ' ')
        return fail(p, 400);
    i++;
    /* HTTP-version = "HTTP" "/" DIGIT "." DIGIT (2.3), case-sensitive */
    if (!bv_eq(&h, i, "HTTP/", 5) || bv_u8(&h, i + 6) != '.' ||
        bv_u8(&h, i + 5) < '0' || bv_u8(&h, i + 5) > '9' ||
        bv_u8(&h, i + 7) < '0' || bv_u8(&h, i + 7) > '9' ||
        !bv_eq(&h, i + 8, "\r\n", 2))
        return fail(p, 400);
    if (bv_u8(&h, i + 5) != '1')
        return fail(p, 505);
    r->minor = bv_u8(&h, i + 7) == '0' ? 0 : 1;
    i += 10;

    /* field-line = field-name ":" OWS field-value OWS, CRLF each, then an
     * empty line (which the reader found: the head ends in CRLF CRLF). */
    n = bv_len(&h);
    while (bv_ok(&h) && i + 2 < n) {
        struct http_field *f;
        size_t name = i, colon, vs, ve;
        while (i < n && tchar_tab[bv_u8(&h, i)])
            i++;
        /* Empty name, obs-fold (a line starting with whitespace), or
         * whitespace (or anything) between the name and its colon. */
        if (i == name || bv_u8(&h, i) != ':')
            return fail(p, 400);
        colon = i++;
        while (bv_u8(&h, i) == ' ' || bv_u8(&h, i) == '\t')
            i++;
        vs = i;
        while (i < n && bv_u8(&h, i) != '\r') {
            if (!field_char(bv_u8(&h, i)))
                return fail(p, 400);
            i++;
        }
        ve = i;
        while (ve > vs &&
               (bv_u8(&h, ve - 1) == ' ' || bv_u8(&h, ve - 1) == '\t'))
            ve--;
        i += 2; /* the CRLF, checked by the reader */
        if (r->nfields == HTTP_FIELDS_MAX)
            return fail(p, 431);
        f = &r->fields[r->nfields++];
        f->name = (uint16_t)name;
        f->name_len = (uint16_t)(colon - name);
        f->value = (uint16_t)vs;
        f->value_len = (uint16_t)(ve - vs);
    }
    if (!bv_ok(&h))
        return fail(p, 400);

    for (i = 0; i < r->nfields; i++) {
        struct bv name = http_field_name(p, (unsigned)i);
        struct bv val = http_field_value(p, (unsigned)i), list, e;
        if (http_eq_nocase(&name, "content-length")) {
            if (content_length(p, &val) < 0)
                return HTTP_EV_ERROR;
        } else if (http_eq_nocase(&name, "transfer-encoding")) {
            /* In HTTP/1.0 the framing is faulty (6.1). */
            if (r->minor == 0)
                return fail(p, 400);
            if (transfer_encoding(p, &val, &chunked) < 0)
                return HTTP_EV_ERROR;
            if (!chunked) /* an empty Transfer-Encoding */
                return fail(p, 400);
        } else if (http_eq_nocase(&name, "host")) {
            hosts++;
            if (!host_ok(&val))
                return fail(p, 400);
        } else if (http_eq_nocase(&name, "connection")) {
            list = val;
            while (http_list_next(&list, &e)) {
                if (http_eq_nocase(&e, "close"))
                    close = 1;
                else if (http_eq_nocase(&e, "keep-alive"))
                    keep = 1;
            }
        }
    }
    /* 3.2: exactly one Host in HTTP/1.1, at most one in 1.0. */
    if (hosts > 1 || (r->minor == 1 && hosts == 0))
        return fail(p, 400);
    /* 6.3: both framings at once is how requests are smuggled. */
    if (chunked && r->has_length)
        return fail(p, 400);
    if (r->has_length && r->length > p->body_max)
        return fail(p, 413);
    r->chunked = (uint8_t)chunked;
    r->keep_alive = (uint8_t)(r->minor ? !close : keep && !close);
    p->body = 0;
    if (chunked) {
        p->state = S_CSIZE;
        p->sub = C_FIRST;
        p->line = 0;
    } else if (r->has_length && r->length) {
        p->state = S_BODY;
        p->left = r->length;
    } else {
        p->state = S_NOBODY;
    }
    return HTTP_EV_HEAD;
}

/* Reads head bytes from (in) into buf; returns an event, or -1 to go on
 * (the head is complete and parsed). */
static int read_head(struct http_parser *p, struct bv *in)
{
    size_t i, n = bv_len(in);
    const uint8_t *b = bv_ptr(in, 0, n);

    for (i = 0; i < n; i++) {
        uint8_t c = b[i];
        if (p->cr) {
            if (c != '\n') /* a bare CR (2.2) */
                return bv_shift(in, i), fail(p, 400);
            p->cr = 0;
            p->buf[p->len++] = c;
            if (p->line == 0 && p->lines > 0) {
                bv_shift(in, i + 1);
                return parse_head(p);
            }
            p->lines++;
            p->line = 0;
            continue;
        }
        if (p->len >= HTTP_HEAD_MAX - 1) /* room for this and a LF */
            return bv_shift(in, i), fail(p, p->lines ? 431 : 414);
        if (c == '\r') {
            p->cr = 1;
        } else if (c == '\n') { /* a bare LF */
            return bv_shift(in, i), fail(p, 400);
        } else {
            p->line++;
            if (p->lines == 0 && p->line > HTTP_LINE_MAX)
                return bv_shift(in, i), fail(p, 414);
        }
        p->buf[p->len++] = c;
    }
    bv_shift(in, n);
    return -1;
}

/* One byte of a chunk-size line; returns 0, 1 at its end, or fails. */
static int chunk_line(struct http_parser *p, uint8_t c)
{
    int h;

    if (++p->line > HTTP_CHUNK_LINE_MAX)
        return fail(p, 400), -1;
    switch (p->sub) {
    case C_FIRST:
    case C_SIZE:
        h = http_hexval(c);
        if (h >= 0) {
            /* left <= body_max - body <= 2^40 before this digit: no
             * overflow. */
            p->left = p->left * 16 + (uint64_t)h;
            if (p->left > p->body_max - p->body)
                return fail(p, 413), -1;
            p->sub = C_SIZE;
            return 0;
        }
        if (p->sub == C_FIRST)
            return fail(p, 400), -1;
        if (c == '\r')
            p->sub = C_LF;
        else if (c == ';')
            p->sub = C_NAME0;
        else if (c == ' ' || c == '\t')
            p->sub = C_BWS;
        else
            return fail(p, 400), -1;
        return 0;
    case C_BWS:
        if (c == ';')
            p->sub = C_NAME0;
        else if (c != ' ' && c != '\t')
            return fail(p, 400), -1;
        return 0;
    case C_NAME0:
        if (c == ' ' || c == '\t')
            return 0;
        if (!tchar_tab[c])
            return fail(p, 400), -1;
        p->sub = C_NAME;
        return 0;
    case C_NAME:
    case C_TOKEN:
        if (tchar_tab[c])
            return 0;
        p->sub = p->sub == C_NAME ? C_ANAME : C_AVAL;
        /* fall through */
    case C_ANAME:
    case C_AVAL:
        if (c == ' ' || c == '\t')
            return 0;
        if (c == ';')
            p->sub = C_NAME0;
        else if (c == '=' && p->sub == C_ANAME)
            p->sub = C_VAL0;
        else if (c == '\r')
            p->sub = C_LF;
        else
            return fail(p, 400), -1;
        return 0;
    case C_VAL0:
        if (c == ' ' || c == '\t')
            return 0;
        if (c == '"')
            p->sub = C_QUOTED;
        else if (tchar_tab[c])
            p->sub = C_TOKEN;
        else
            return fail(p, 400), -1;
        return 0;
    case C_QUOTED:
        /* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
        if (c == '"')
            p->sub = C_AVAL;
        else if (c == '\\') {
            p->sub = C_ESCAPE;
        } else if (!field_char(c)) {
            return fail(p, 400), -1;
        }
        return 0;
    case C_ESCAPE:
        if (!field_char(c))
            return fail(p, 400), -1;
        p->sub = C_QUOTED;
        return 0;
    case C_LF:
        if (c != '\n')
            return fail(p, 400), -1;
        return 1;
    }
    return fail(p, 400), -1;
}

/* One byte of the trailer section (7.1.2): field lines as in a head,
 * checked and dropped. Returns 0, 1 after its empty line, or fails. */
static int trailer_byte(struct http_parser *p, uint8_t c)
{
    if (++p->trailer > HTTP_HEAD_MAX)
        return fail(p, 431), -1;
    if (p->cr) {
        if (c != '\n')
            return fail(p, 400), -1;
        p->cr = 0;
        if (p->line == 0)
            return 1;
        if (!p->colon || ++p->lines > HTTP_FIELDS_MAX)
            return fail(p, p->colon ? 431 : 400), -1;
        p->line = 0;
        p->colon = 0;
        return 0;
    }
    if (c == '\r') {
        p->cr = 1;
        return 0;
    }
    if (!p->colon) {
        if (c == ':' && p->line > 0)
            p->colon = 1;
        else if (!tchar_tab[c]) /* LF, fold, space before the colon */
            return fail(p, 400), -1;
    } else if (!field_char(c)) {
        return fail(p, 400), -1;
    }
    p->line++;
    return 0;
}

int http_parse(struct http_parser *p, struct bv *in, struct bv *body)
{
    size_t i, n;
    const uint8_t *b;
    int rc;

    *body = bv_make(NULL, 0);
    if (p->state == S_ERROR)
        return HTTP_EV_ERROR;
    if (!bv_ok(in))
        return fail(p, 400);
    for (;;) {
        switch (p->state) {
        case S_DONE:
            p->state = S_START;
            p->len = 0;
            p->line = 0;
            p->lines = 0;
            p->cr = 0;
            p->req.nfields = 0;
            /* fall through */
        case S_START:
            /* 2.2: empty lines before a request-line are ignored. */
            while (bv_len(in)) {
                uint8_t c = bv_u8(in, 0);
                if (p->cr) {
                    if (c != '\n')
                        return fail(p, 400);
                    p->cr = 0;
                } else if (c == '\r') {
                    p->cr = 1;
                } else if (c == '\n') {
                    return fail(p, 400);
                } else {
                    p->state = S_HEAD;
                    break;
                }
                bv_shift(in, 1);
            }
            if (p->state == S_START)
                return HTTP_EV_AGAIN;
            break;
        case S_HEAD:
            rc = read_head(p, in);
            if (rc >= 0)
                return rc;
            return HTTP_EV_AGAIN;
        case S_NOBODY:
            p->state = S_DONE;
            return HTTP_EV_END;
        case S_BODY:
        case S_CDATA:
            if (p->left == 0) {
                if (p->state == S_BODY) {
                    p->state = S_DONE;
                    return HTTP_EV_END;
                }
                p->state = S_CCRLF;
                p->sub = 0;
                break;
            }
            n = bv_len(in);
            if (!n)
                return HTTP_EV_AGAIN;
            if (n > p->left)
                n = (size_t)p->left;
            *body = bv_sub(in, 0, n);
            bv_shift(in, n);
            p->left -= n;
            p->body += n;
            return HTTP_EV_BODY;
        case S_CCRLF:
            while (bv_len(in)) {
                uint8_t c = bv_u8(in, 0);
                bv_shift(in, 1);
                if (c != (p->sub ? '\n' : '\r'))
                    return fail(p, 400);
                if (p->sub++) {
                    p->state = S_CSIZE;
                    p->sub = C_FIRST;
                    p->line = 0;
                    p->left = 0;
                    break;
                }
            }
            if (p->state == S_CCRLF)
                return HTTP_EV_AGAIN;
            break;
        case S_CSIZE:
            n = bv_len(in);
            b = bv_ptr(in, 0, n);
            for (i = 0; i < n; i++) {
                rc = chunk_line(p, b[i]);
                if (rc < 0)
                    return bv_shift(in, i), HTTP_EV_ERROR;
                if (rc == 1)
                    break;
            }
            if (i == n) {
                bv_shift(in, n);
                return HTTP_EV_AGAIN;
            }
            bv_shift(in, i + 1);
            if (p->left) {
                p->state = S_CDATA;
            } else { /* last-chunk */
                p->state = S_TRAILER;
                p->line = 0;
                p->lines = 0;
                p->cr = 0;
                p->colon = 0;
                p->trailer = 0;
            }
            break;
        case S_TRAILER:
            n = bv_len(in);
            b = bv_ptr(in, 0, n);
            for (i = 0; i < n; i++) {
                rc = trailer_byte(p, b[i]);
                if (rc < 0)
                    return bv_shift(in, i), HTTP_EV_ERROR;
                if (rc == 1)
                    break;
            }
            if (i == n) {
                bv_shift(in, n);
                return HTTP_EV_AGAIN;
            }
            bv_shift(in, i + 1);
            p->state = S_DONE;
            return HTTP_EV_END;
        default:
            return fail(p, 400);
        }
    }
}
