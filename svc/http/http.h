/*
 * http: an HTTP/1.1 server engine (RFC 9110 semantics, RFC 9112 framing).
 * It parses requests and writes response heads; it does no I/O and never
 * allocates. The app feeds it the bytes a connection (TCP, later TLS)
 * received and gets events back, BearSSL style:
 *
 *     static struct http_parser p;          // one per connection
 *     http_parser_init(&p, HTTP_BODY_MAX);
 *     ...
 *     struct bv in = <received bytes>, body;
 *     size_t before = bv_len(&in);
 *     int ev = http_parse(&p, &in, &body);  // steps (in) past what it used
 *     consume(before - bv_len(&in));
 *     switch (ev) {
 *     case HTTP_EV_AGAIN: wait for more bytes;
 *     case HTTP_EV_HEAD:  p.req is the request head;
 *     case HTTP_EV_BODY:  (body) is a piece of the decoded body;
 *     case HTTP_EV_END:   the request is complete: answer it, then parse on
 *                         (the next request of a pipeline follows);
 *     case HTTP_EV_ERROR: answer http_error(&p) (400, 413, 414, 431, 501,
 *                         505) with Connection: close, then close.
 *     }
 *
 * Strict where RFC 9112 says so, so that no request is framed differently
 * here than by a proxy in front (request smuggling): lines end in CRLF
 * only (a bare CR or LF is an error, 2.2); no whitespace between a field
 * name and its colon, no obs-fold (5.1, 5.2); tokens and field values
 * checked character by character (RFC 9110 5.5, 5.6.2); Content-Length
 * one run of digits, once (6.3); Transfer-Encoding only "chunked", once,
 * never with Content-Length and never in HTTP/1.0 (6.1, 6.3); chunk sizes
 * hexadecimal within the body limit, chunk extensions well-formed (7.1);
 * HTTP/1.1 requests carry exactly one Host (3.2). After an error the
 * parser is stuck (sticky) until http_parser_init(): the connection's
 * framing is lost, so it must close.
 *
 * The rest of the header: what a static file server needs to answer
 * (RFC 9110): the response head (status line, Date, Server,
 * Content-Type, Content-Length, validators, ranges, encoding,
 * Connection), IMF-fixdate dates, media types by file extension,
 * If-None-Match and If-Modified-Since (13.1, 13.2.2), If-Range and single
 * byte ranges (14), Accept-Encoding (12.5.3), and the request target as a
 * safe file path.
 */
#ifndef PITH_SVC_HTTP_H
#define PITH_SVC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>

/* ---- Limits (build time) -------------------------------------------- */

/* Longest request line: past it, 414 (RFC 9112 3). */
#define HTTP_LINE_MAX 4096
/* Longest head (request line, fields, the empty line): past it, 431
 * (RFC 6585 5). The parser holds the head in its own buffer. */
#define HTTP_HEAD_MAX 8192
/* Most header fields in a head, or in a chunked body's trailer: past it,
 * 431. */
#define HTTP_FIELDS_MAX 64
/* Longest chunk-size line with its extensions: past it, 400. */
#define HTTP_CHUNK_LINE_MAX 256
/* A default body limit for http_parser_init(): past it, 413. */
#define HTTP_BODY_MAX (1024 * 1024)

/* ---- Parsing requests ------------------------------------------------ */

/* Events, from http_parse(). */
enum http_event {
    HTTP_EV_AGAIN = 0, /* all of the input is used: give more */
    HTTP_EV_HEAD,      /* a request head: read (p->req) */
    HTTP_EV_BODY,      /* a piece of the request body (decoded) */
    HTTP_EV_END,       /* the request is complete */
    HTTP_EV_ERROR,     /* bad request: http_error() says which status */
};

/* Methods the engine knows by name; others are HTTP_M_OTHER (the name
 * is still in http_req_method()). */
enum http_method {
    HTTP_M_OTHER = 0,
    HTTP_M_GET,
    HTTP_M_HEAD,
    HTTP_M_POST,
    HTTP_M_PUT,
    HTTP_M_DELETE,
    HTTP_M_OPTIONS,
    HTTP_M_TRACE,
    HTTP_M_CONNECT,
    HTTP_M_PATCH,
};

/* One header field: offsets and lengths into the parser's head buffer;
 * the value without its leading and trailing whitespace. */
struct http_field {
    uint16_t name, name_len;
    uint16_t value, value_len;
};

/* A request head, valid from HTTP_EV_HEAD until http_parse() is called
 * after HTTP_EV_END (or the parser is reset). */
struct http_req {
    uint8_t method;     /* enum http_method */
    uint8_t minor;      /* HTTP/1.(minor): 0 or 1 (1.2 and up count as 1) */
    uint8_t keep_alive; /* whether the connection may persist after the
                           answer (RFC 9112 9.3): 1.1 without "close",
                           1.0 with "keep-alive" */
    uint8_t chunked;    /* Transfer-Encoding: chunked */
    uint8_t has_length; /* Content-Length given */
    uint64_t length;    /* Content-Length, when given */
    uint16_t method_off, method_len;
    uint16_t target_off, target_len;
    uint16_t nfields;
    struct http_field fields[HTTP_FIELDS_MAX];
};

/*
 * A request parser. Caller-owned: about 9 KiB (the head is kept in (buf)),
 * every field private but (req), read after HTTP_EV_HEAD.
 */
struct http_parser {
    int err;           /* sticky: the status to answer (0: none) */
    uint8_t state;     /* private, as all below but req */
    uint8_t sub;       /* the state of the line being read */
    uint8_t cr;        /* the last byte was a CR */
    uint8_t colon;     /* trailer line: a colon seen */
    uint16_t len;      /* bytes in buf */
    uint16_t line;     /* bytes in the current line */
    uint16_t lines;    /* lines (fields) of a trailer */
    uint32_t trailer;  /* bytes of a trailer */
    uint64_t body_max; /* body bytes allowed */
    uint64_t body;     /* body bytes so far */
    uint64_t left;     /* bytes left of the body or chunk */
    struct http_req req;
    uint8_t buf[HTTP_HEAD_MAX];
};

/*
 * Prepares (p) for a connection's first request: no error, nothing
 * buffered. Request bodies longer than (body_max) bytes are refused with
 * 413. Also the way out of an error, for a new connection.
 */
void http_parser_init(struct http_parser *p, uint64_t body_max);

/*
 * Parses the bytes of (in), a connection's received data in order, and
 * returns the next event (enum http_event), having stepped (in) past the
 * bytes it used (bv_shift); bytes left in (in) belong to later events.
 * HTTP_EV_BODY points (body) at body data inside (in)'s bytes (borrowed
 * like them); the other events leave (body) empty. A request without a
 * body gives HTTP_EV_HEAD, then HTTP_EV_END without using input. The
 * head is copied into (p), so the input may arrive a byte at a time.
 * After HTTP_EV_END, the next call starts the next request (and (p->req)
 * is gone); after HTTP_EV_ERROR, every call returns HTTP_EV_ERROR and
 * uses nothing. (in) in error counts as a bad request.
 */
int http_parse(struct http_parser *p, struct bv *in, struct bv *body);

/* The status code for the error that stopped (p): 400, 413, 414, 431,
 * 501 or 505; 0 while there is none. */
int http_error(const struct http_parser *p);

/* Whether (p) is inside a request: some of its bytes arrived, and it is
 * not complete yet (for a timer: idle between requests or not). */
int http_busy(const struct http_parser *p);

/* Whether (p) has the whole head of its current request (HTTP_EV_HEAD
 * given), e.g. to tell a slow head from a slow body. */
int http_have_head(const struct http_parser *p);

/* Views of the current request's method name, request target and the
 * value of the field (i) (0 <= i < p->req.nfields) and its name. Borrowed
 * from (p), valid as (p->req). */
struct bv http_req_method(const struct http_parser *p);
struct bv http_req_target(const struct http_parser *p);
struct bv http_field_name(const struct http_parser *p, unsigned i);
struct bv http_field_value(const struct http_parser *p, unsigned i);

/*
 * The value of the first field named (name) (compared without regard to
 * case) in (*v), returning 1; 0 and an empty (*v) when there is none.
 */
int http_req_field(const struct http_parser *p, const char *name, struct bv *v);

/* ---- Answering -------------------------------------------------------- */

/* The reason phrase for (status) ("Not Found"), "" for an unknown one. */
const char *http_reason(int status);

/* An IMF-fixdate (RFC 9110 5.6.7) is this long: "Sun, 06 Nov 1994
 * 08:49:37 GMT". */
#define HTTP_DATE_LEN 29

/* Writes (secs) since the epoch as an IMF-fixdate and a NUL into (out). */
void http_date_format(uint64_t secs, char out[HTTP_DATE_LEN + 1]);

/*
 * Reads an HTTP-date (RFC 9110 5.6.7: IMF-fixdate, or the obsolete
 * RFC 850 and asctime forms, which a recipient MUST accept) from (v) into
 * (*secs) since the epoch. Returns 0, or -1 when (v) is no such date.
 */
int http_date_parse(struct bv v, uint64_t *secs);

/* The media type for a file (path) of (len) bytes by its extension
 * (html, css, js, json, svg, png, jpg, gif, webp, ico, txt, xml, wasm,
 * pdf, woff2, ...), application/octet-stream for others. Text types carry
 * "; charset=utf-8". */
const char *http_mime_type(const char *path, size_t len);

/*
 * Whether If-None-Match's value (v) matches the entity tag (etag), quoted
 * as sent ("\"abc\"" or "W/\"abc\""), by the weak comparison (RFC 9110
 * 8.8.3.2, 13.1.2): "*" or any tag of the list whose opaque part is the
 * same. A malformed list matches nothing.
 */
int http_etag_match(struct bv v, const char *etag);

/*
 * The precondition of a GET or HEAD of a representation with (etag) (may
 * be NULL) last modified at (mtime) seconds (0: unknown), RFC 9110
 * 13.2.2: If-None-Match when present, else If-Modified-Since. Returns 304
 * when the client's copy is current, 0 when the full answer is due.
 */
int http_not_modified(const struct http_parser *p, const char *etag,
                      uint64_t mtime);

/*
 * Whether the request's Range applies to this representation: no
 * If-Range, or one that matches (etag) strongly or equals (mtime) exactly
 * (RFC 9110 13.1.5).
 */
int http_if_range(const struct http_parser *p, const char *etag,
                  uint64_t mtime);

/* Results of http_range(). */
enum http_range_result {
    HTTP_RANGE_NONE = 0, /* no range or one to ignore: answer 200 whole */
    HTTP_RANGE_OK,       /* one satisfiable range: 206 [first, last] */
    HTTP_RANGE_UNSAT,    /* none satisfiable: 416 */
};

/*
 * Reads a Range value (v) ("bytes=0-99", "bytes=100-", "bytes=-50") for
 * a representation of (size) bytes (RFC 9110 14.1.2, 14.2). One
 * satisfiable range: HTTP_RANGE_OK with its first and last byte (a last
 * past the end is cut to it). A syntax error, another unit or several
 * ranges (which a server MAY answer whole): HTTP_RANGE_NONE. Well-formed
 * but past the end (or any range of an empty representation):
 * HTTP_RANGE_UNSAT.
 */
int http_range(struct bv v, uint64_t size, uint64_t *first, uint64_t *last);

/*
 * Whether Accept-Encoding's value (v) accepts the content coding (coding)
 * ("gzip"): named with a q above 0, or "*" with a q above 0 and not named
 * with q=0 (RFC 9110 12.5.3). "x-gzip" counts as "gzip".
 */
int http_accepts(struct bv v, const char *coding);

/*
 * Turns a request target (v) into a file path in (out) of (cap) bytes,
 * NUL-terminated, without the leading '/': origin form ("/a/b?q") or
 * absolute form ("http://host/a/b"); the query dropped, %XX decoded,
 * empty and "." segments dropped, a trailing '/' kept. Returns the length
 * of the path, or a negative status: -400 for a target that is not a path
 * (another form, a bad %-escape, a NUL or a control character decoded, a
 * ".." segment: nothing may climb out of the root), -414 when the path
 * does not fit (out).
 */
long http_path(struct bv v, char *out, size_t cap);

/* A response head for http_resp_head(); unset fields (0, NULL) are left
 * out. */
struct http_resp {
    int status;
    uint8_t minor;          /* the request's HTTP/1.(minor) */
    uint8_t close;          /* Connection: close (else, for 1.0,
                               Connection: keep-alive) */
    uint8_t accept_ranges;  /* Accept-Ranges: bytes */
    uint8_t range;          /* Content-Range: bytes FIRST-LAST/TOTAL */
    uint8_t unsat;          /* Content-Range: bytes * / TOTAL (416) */
    uint8_t no_length;      /* no Content-Length (304) */
    uint64_t date;          /* Date, seconds since the epoch */
    uint64_t last_modified; /* Last-Modified, seconds */
    uint64_t length;        /* Content-Length */
    uint64_t first, last, total;
    const char *server;
    const char *content_type;
    const char *etag;     /* as sent, quoted */
    const char *encoding; /* Content-Encoding */
    const char *vary;
    const char *allow;
    const char *location;
};

/*
 * Appends the head of (r) to (w): the status line (HTTP/1.1), its fields
 * in a fixed order, and the empty line. Returns 0, or PITH_ENOMEM when
 * (w) had no room (it is then in error).
 */
int http_resp_head(struct bw *w, const struct http_resp *r);

#endif
