/*
 * Unit tests of svc/http: the request parser against RFC 9112 (framing,
 * limits, the request-smuggling corpus), fed whole and a byte at a time,
 * and the helpers against RFC 9110 (dates, validators, ranges, codings,
 * paths, the response head).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pith/err.h>

#include "unit.h"
#include "http.h"

/* What parsing one buffer gave. */
struct got {
    int status;  /* http_error() at the end, 0 when none */
    int heads;   /* HTTP_EV_HEAD events */
    int ends;    /* HTTP_EV_END events */
    size_t body; /* body bytes */
    char bodies[4096];
    char targets[512]; /* targets of the heads, space-separated */
    int keep[8];       /* keep_alive of each head */
    int minor[8];
    size_t left; /* input bytes not used at the end */
};

/* Feeds (len) bytes of (s) to a fresh parser in pieces of (step) bytes
 * (0: all at once), through every event, into (*g). */
static void feed(const char *s, size_t len, size_t step, uint64_t body_max,
                 struct got *g)
{
    static struct http_parser p;
    size_t off = 0;

    memset(g, 0, sizeof *g);
    http_parser_init(&p, body_max);
    while (off < len || !step) {
        size_t n = step && len - off > step ? step : len - off;
        struct bv in = bv_make(s + off, n), body;
        int ev;
        do {
            ev = http_parse(&p, &in, &body);
            if (ev == HTTP_EV_HEAD) {
                struct bv t = http_req_target(&p);
                size_t tl = strlen(g->targets);
                if (g->heads < 8) {
                    g->keep[g->heads] = p.req.keep_alive;
                    g->minor[g->heads] = p.req.minor;
                }
                g->heads++;
                if (tl + bv_len(&t) + 2 < sizeof g->targets) {
                    if (tl)
                        g->targets[tl++] = ' ';
                    memcpy(g->targets + tl, bv_ptr(&t, 0, bv_len(&t)),
                           bv_len(&t));
                    g->targets[tl + bv_len(&t)] = 0;
                }
            } else if (ev == HTTP_EV_BODY) {
                if (g->body + bv_len(&body) < sizeof g->bodies)
                    memcpy(g->bodies + g->body, bv_ptr(&body, 0, bv_len(&body)),
                           bv_len(&body));
                g->body += bv_len(&body);
            } else if (ev == HTTP_EV_END) {
                g->ends++;
            }
        } while (ev != HTTP_EV_AGAIN && ev != HTTP_EV_ERROR);
        off += n - bv_len(&in);
        if (ev == HTTP_EV_ERROR) {
            g->left = len - off;
            break;
        }
        if (!step)
            break;
    }
    g->status = http_error(&p);
}

/* The status a request gets, fed whole; the same fed a byte at a time
 * and in 7-byte pieces, or -1 when they differ. */
static int status_of(const char *s)
{
    struct got a, b, c;
    size_t len = strlen(s);

    feed(s, len, 0, 1 << 20, &a);
    feed(s, len, 1, 1 << 20, &b);
    feed(s, len, 7, 1 << 20, &c);
    if (a.status != b.status || a.status != c.status || a.ends != b.ends ||
        a.ends != c.ends || a.body != b.body || a.body != c.body)
        return -1;
    return a.status;
}

#define H "Host: example.com\r\n"

static void test_simple_get(void)
{
    static struct http_parser p;
    const char *s = "GET /index.html?x=1 HTTP/1.1\r\n" H
                    "User-Agent: t\r\nAccept:  */*  \r\n\r\n";
    struct bv in = bv_make(s, strlen(s)), body, v;

    http_parser_init(&p, 1024);
    T_CHECK(!http_busy(&p));
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_HEAD);
    T_CHECK(bv_len(&in) == 0);
    T_CHECK(p.req.method == HTTP_M_GET);
    v = http_req_method(&p);
    T_CHECK(bv_len(&v) == 3 && bv_eq(&v, 0, "GET", 3));
    v = http_req_target(&p);
    T_CHECK(bv_len(&v) == 15 && bv_eq(&v, 0, "/index.html?x=1", 15));
    T_CHECK(p.req.minor == 1 && p.req.keep_alive && !p.req.chunked);
    T_CHECK(p.req.nfields == 3);
    T_CHECK(http_req_field(&p, "accept", &v) && bv_len(&v) == 3 &&
            bv_eq(&v, 0, "*/*", 3));
    T_CHECK(http_req_field(&p, "HOST", &v) && bv_len(&v) == 11);
    T_CHECK(!http_req_field(&p, "cookie", &v) && bv_len(&v) == 0);
    T_CHECK(http_have_head(&p) && http_busy(&p));
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_END);
    T_CHECK(!http_busy(&p));
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_AGAIN);
    T_CHECK(!http_busy(&p) && !http_have_head(&p));
}

static void test_methods(void)
{
    static const struct {
        const char *m;
        int want;
    } t[] = {
        {"GET", HTTP_M_GET},        {"HEAD", HTTP_M_HEAD},
        {"POST", HTTP_M_POST},      {"PUT", HTTP_M_PUT},
        {"DELETE", HTTP_M_DELETE},  {"OPTIONS", HTTP_M_OPTIONS},
        {"TRACE", HTTP_M_TRACE},    {"PATCH", HTTP_M_PATCH},
        {"get", HTTP_M_OTHER},      {"PROPFIND", HTTP_M_OTHER},
        {"M-SEARCH", HTTP_M_OTHER},
    };
    static struct http_parser p;
    char buf[128];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct bv in, body;
        snprintf(buf, sizeof buf, "%s / HTTP/1.1\r\n" H "\r\n", t[i].m);
        in = bv_make(buf, strlen(buf));
        http_parser_init(&p, 0);
        T_CHECKF(http_parse(&p, &in, &body) == HTTP_EV_HEAD &&
                     p.req.method == t[i].want,
                 "%s", t[i].m);
    }
}

static void test_keep_alive(void)
{
    struct got g;
    const char *s;

    s = "GET / HTTP/1.0\r\n\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.minor[0] == 0 && !g.keep[0]);
    s = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.ends == 1 && g.keep[0]);
    s = "GET / HTTP/1.1\r\n" H "Connection: close\r\n\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.ends == 1 && !g.keep[0]);
    s = "GET / HTTP/1.1\r\n" H "Connection: te, CLOSE\r\n\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.ends == 1 && !g.keep[0]);
    s = "GET / HTTP/1.1\r\n" H "\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.ends == 1 && g.keep[0] && g.minor[0] == 1);
    /* 1.2 is read as 1.1 (RFC 9110 2.5). */
    s = "GET / HTTP/1.2\r\n" H "\r\n";
    feed(s, strlen(s), 0, 0, &g);
    T_CHECK(g.status == 0 && g.minor[0] == 1 && g.keep[0]);
}

static void test_pipelining(void)
{
    const char *s = "GET /a HTTP/1.1\r\n" H "\r\n"
                    "POST /b HTTP/1.1\r\n" H "Content-Length: 5\r\n\r\nhello"
                    "\r\n" /* an empty line between requests (2.2) */
                    "GET /c HTTP/1.1\r\n" H "\r\n";
    size_t steps[] = {0, 1, 2, 3, 5, 16, 100};
    size_t i;
    struct got g;

    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        feed(s, strlen(s), steps[i], 100, &g);
        T_CHECKF(g.status == 0 && g.heads == 3 && g.ends == 3 && g.body == 5 &&
                     memcmp(g.bodies, "hello", 5) == 0 &&
                     strcmp(g.targets, "/a /b /c") == 0,
                 "step %zu: status %d heads %d ends %d body %zu targets %s",
                 steps[i], g.status, g.heads, g.ends, g.body, g.targets);
    }
}

static void test_bodies(void)
{
    struct got g;
    const char *s;

    s = "POST / HTTP/1.1\r\n" H "Content-Length: 11\r\n\r\nhello world";
    feed(s, strlen(s), 1, 100, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.body == 11 &&
            memcmp(g.bodies, "hello world", 11) == 0);
    /* Leading zeros are digits. */
    s = "POST / HTTP/1.1\r\n" H "Content-Length: 0003\r\n\r\nabc";
    feed(s, strlen(s), 0, 100, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.body == 3);
    s = "POST / HTTP/1.1\r\n" H "Content-Length: 0\r\n\r\n";
    feed(s, strlen(s), 0, 100, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.body == 0);
    /* Chunked, with extensions, upper-case hex and a trailer. */
    s = "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n"
        "1;name=value\r\n \r\n"
        "A ; a = \"q\\\"s\" ;b\r\n0123456789\r\n"
        "0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n";
    feed(s, strlen(s), 0, 100, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.body == 16 &&
            memcmp(g.bodies, "hello 0123456789", 16) == 0);
    T_CHECK(status_of(s) == 0);
    /* Case-insensitive coding name, tab as whitespace. */
    s = "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\tChunked \r\n\r\n"
        "3\r\nabc\r\n0\r\n\r\n";
    feed(s, strlen(s), 1, 100, &g);
    T_CHECK(g.status == 0 && g.ends == 1 && g.body == 3);
    /* The body may be larger than any one input piece. */
    {
        static char big[2048];
        size_t hl;
        snprintf(big, sizeof big,
                 "PUT /x HTTP/1.1\r\n" H "Content-Length: 1000\r\n\r\n");
        hl = strlen(big);
        memset(big + hl, 'z', 1000);
        feed(big, hl + 1000, 0, 1000, &g);
        T_CHECK(g.status == 0 && g.ends == 1 && g.body == 1000);
        feed(big, hl + 1000, 0, 999, &g);
        T_CHECK(g.status == 413 && g.ends == 0);
    }
}

/* The request-smuggling corpus: each is refused with its status, however
 * it is cut into pieces. */
static void test_smuggling(void)
{
    static const struct {
        const char *why;
        const char *req;
        int want;
    } t[] = {
        {"CL.TE",
         "POST / HTTP/1.1\r\n" H "Content-Length: 13\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED",
         400},
        {"TE.CL",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
         "Content-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
         400},
        {"CL twice, same",
         "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\n"
         "Content-Length: 5\r\n\r\nhello",
         400},
        {"CL twice, differing",
         "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\n"
         "Content-Length: 6\r\n\r\nhello!",
         400},
        {"CL list", "POST / HTTP/1.1\r\n" H "Content-Length: 5, 5\r\n\r\nhello",
         400},
        {"CL sign", "POST / HTTP/1.1\r\n" H "Content-Length: +5\r\n\r\nhello",
         400},
        {"CL negative", "POST / HTTP/1.1\r\n" H "Content-Length: -1\r\n\r\n",
         400},
        {"CL hex", "POST / HTTP/1.1\r\n" H "Content-Length: 0x5\r\n\r\n", 400},
        {"CL space inside",
         "POST / HTTP/1.1\r\n" H "Content-Length: 1 2\r\n\r\n", 400},
        {"CL empty", "POST / HTTP/1.1\r\n" H "Content-Length:\r\n\r\n", 400},
        {"CL space before colon",
         "POST / HTTP/1.1\r\n" H "Content-Length : 5\r\n\r\nhello", 400},
        {"CL huge",
         "POST / HTTP/1.1\r\n" H
         "Content-Length: 99999999999999999999999999\r\n\r\n",
         413},
        {"TE xchunked",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: xchunked\r\n\r\n", 501},
        {"TE space before colon",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding : chunked\r\n\r\n", 400},
        {"TE tab before colon",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding\t: chunked\r\n\r\n", 400},
        {"TE no colon",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding chunked\r\n\r\n", 400},
        {"TE vertical tab",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\x0b"
         "chunked\r\n\r\n",
         400},
        {"TE form feed",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\x0c\r\n\r\n", 400},
        {"TE obs-fold",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\r\n"
         " chunked\r\n\r\n",
         400},
        {"TE behind obs-fold",
         "POST / HTTP/1.1\r\n" H "X: y\r\n"
         " Transfer-Encoding: chunked\r\n\r\n",
         400},
        {"TE first line folded",
         "POST / HTTP/1.1\r\n"
         " Transfer-Encoding: chunked\r\n" H "\r\n",
         400},
        {"TE chunked, identity",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, identity\r\n\r\n",
         501},
        {"TE identity, chunked",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: identity, chunked\r\n\r\n",
         501},
        {"TE gzip then chunked in two fields",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         501},
        {"TE chunked twice",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         400},
        {"TE chunked, chunked",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked, chunked\r\n\r\n",
         400},
        {"TE quoted",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: \"chunked\"\r\n\r\n", 400},
        {"TE parameter",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked;q=1\r\n\r\n", 400},
        {"TE empty", "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\r\n\r\n", 400},
        {"TE in HTTP/1.0",
         "POST / HTTP/1.0\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         400},
        {"TE with CL 0",
         "POST / HTTP/1.1\r\n" H "Content-Length: 0\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         400},
        {"chunk size overflow",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "10000000000000000000005\r\nhello\r\n0\r\n\r\n",
         413},
        {"chunk size 2^64+1",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "ffffffffffffffffff1\r\nx\r\n0\r\n\r\n",
         413},
        {"chunk size negative",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "-1\r\nx\r\n0\r\n\r\n",
         400},
        {"chunk size 0x",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "0x5\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk size empty",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk size then space",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5 \r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk size bare LF",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext bare LF",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;a\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext bare CR",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;a\rx\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext empty",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext space in name",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;a b\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext open quote",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;a=\"x\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext control",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;a=\x01\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk ext too long",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
         "hello\r\n0\r\n\r\n",
         400},
        {"chunk longer than its size",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "3\r\nhello\r\n0\r\n\r\n",
         400},
        {"chunk data without CRLF",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\n0\r\n\r\n",
         400},
        {"trailer space before colon",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "0\r\nX : y\r\n\r\n",
         400},
        {"trailer folded",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "0\r\nX: y\r\n z\r\n\r\n",
         400},
        {"trailer without colon",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "0\r\nXy\r\n\r\n",
         400},
        {"trailer bare LF",
         "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n"
         "0\r\nX: y\n\r\n",
         400},
        {"bare CR in the head", "GET / HTTP/1.1\r" H "\r\n", 400},
        {"bare CR in a value", "GET / HTTP/1.1\r\n" H "X: a\rb\r\n\r\n", 400},
        {"bare LF ends a line", "GET / HTTP/1.1\n" H "\r\n", 400},
        {"bare LF only", "GET / HTTP/1.1\nHost: a\n\n", 400},
        {"bare LF before the request", "\nGET / HTTP/1.1\r\n" H "\r\n", 400},
        {"DEL in a value", "GET / HTTP/1.1\r\n" H "X: a\x7f\r\n\r\n", 400},
        {"space in the target", "GET /a b HTTP/1.1\r\n" H "\r\n", 400},
        {"8-bit byte in the target", "GET /\xe9 HTTP/1.1\r\n" H "\r\n", 400},
        {"bad method token", "G@T / HTTP/1.1\r\n" H "\r\n", 400},
        {"no method", " / HTTP/1.1\r\n" H "\r\n", 400},
        {"two spaces", "GET  / HTTP/1.1\r\n" H "\r\n", 400},
        {"no version", "GET /\r\n\r\n", 400},
        {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505},
        {"HTTP/2.0", "GET / HTTP/2.0\r\n" H "\r\n", 505},
        {"HTTP/3.1", "GET / HTTP/3.1\r\n" H "\r\n", 505},
        {"lower-case version", "GET / http/1.1\r\n" H "\r\n", 400},
        {"version 1.10", "GET / HTTP/1.10\r\n" H "\r\n", 400},
        {"space after the version", "GET / HTTP/1.1 \r\n" H "\r\n", 400},
        {"space in a field name", "GET / HTTP/1.1\r\n" H "X Y: z\r\n\r\n", 400},
        {"empty field name", "GET / HTTP/1.1\r\n" H ": z\r\n\r\n", 400},
        {"bad field name token", "GET / HTTP/1.1\r\n" H "X(y): z\r\n\r\n", 400},
        {"no Host in 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
        {"Host twice", "GET / HTTP/1.1\r\n" H H "\r\n", 400},
        {"bad Host", "GET / HTTP/1.1\r\nHost: a b@c\r\n\r\n", 400},
        {"Host twice in 1.0", "GET / HTTP/1.0\r\n" H H "\r\n", 400},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        int got = status_of(t[i].req);
        T_CHECKF(got == t[i].want, "%s: got %d, wanted %d", t[i].why, got,
                 t[i].want);
    }
    /* The ones with a NUL inside, fed in full. */
    {
        static const char nul[] = "GET / HTTP/1.1\r\n" H "X: a\0b\r\n\r\n";
        static const char te[] =
            "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chu\0nked\r\n\r\n";
        static const char tgt[] = "GET /a\0b HTTP/1.1\r\n" H "\r\n";
        struct got g;
        feed(nul, sizeof nul - 1, 0, 100, &g);
        T_CHECK(g.status == 400 && g.ends == 0);
        feed(te, sizeof te - 1, 1, 100, &g);
        T_CHECK(g.status == 400 && g.ends == 0);
        feed(tgt, sizeof tgt - 1, 3, 100, &g);
        T_CHECK(g.status == 400 && g.ends == 0);
    }
}

/* Accepted on purpose: what RFC 9112 allows that looks odd. */
static void test_lenient_where_allowed(void)
{
    static const char *const ok[] = {
        /* Empty lines before a request (2.2). */
        "\r\n\r\nGET / HTTP/1.1\r\n" H "\r\n",
        /* OWS around values; empty values; an empty Host in 1.1. */
        "GET / HTTP/1.1\r\nHost:\r\nX:\t a \t\r\n\r\n",
        /* HTTP/1.0 needs no Host. */
        "GET / HTTP/1.0\r\n\r\n",
        /* Unknown fields with odd but valid names; obs-text in values. */
        "GET / HTTP/1.1\r\n" H "Transfer_Encoding: chunked\r\n"
        "X-!#$%&'*+-.^_`|~: \xe9t\xe9\r\n\r\n",
        /* absolute-form and asterisk-form targets parse (the app decides). */
        "GET http://example.com/a HTTP/1.1\r\n" H "\r\n",
        "OPTIONS * HTTP/1.1\r\n" H "\r\n",
        /* Content-Length: 0 with a chunk-looking body is two requests'
         * worth of bytes only if they parse: here, nothing follows. */
        "POST / HTTP/1.1\r\n" H "Content-Length: 0\r\n\r\n",
    };
    size_t i;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
        T_CHECKF(status_of(ok[i]) == 0, "case %zu", i);
}

static void test_limits(void)
{
    static char buf[HTTP_HEAD_MAX * 2];
    struct got g;
    size_t i, n;

    /* A request line of exactly HTTP_LINE_MAX bytes, then one more. */
    n = (size_t)snprintf(buf, sizeof buf, "GET /");
    while (n < HTTP_LINE_MAX - 9)
        buf[n++] = 'a';
    n += (size_t)snprintf(buf + n, sizeof buf - n, " HTTP/1.1\r\n" H "\r\n");
    feed(buf, n, 0, 0, &g);
    T_CHECK(g.status == 0 && g.ends == 1);
    n = (size_t)snprintf(buf, sizeof buf, "GET /");
    while (n < HTTP_LINE_MAX - 8)
        buf[n++] = 'a';
    n += (size_t)snprintf(buf + n, sizeof buf - n, " HTTP/1.1\r\n" H "\r\n");
    feed(buf, n, 0, 0, &g);
    T_CHECK(g.status == 414);
    feed(buf, n, 1, 0, &g);
    T_CHECK(g.status == 414);
    /* A head past HTTP_HEAD_MAX: 431, before all of it is read. */
    n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n" H);
    while (n < HTTP_HEAD_MAX + 100)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X-Pad: %0100d\r\n", 0);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\n");
    feed(buf, n, 0, 0, &g);
    T_CHECK(g.status == 431 && g.left > 0);
    /* One field too many: 431. */
    n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n" H);
    for (i = 1; i < HTTP_FIELDS_MAX; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X%zu: y\r\n", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\n");
    feed(buf, n, 0, 0, &g);
    T_CHECK(g.status == 0 && g.ends == 1);
    n -= 2;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "One-More: y\r\n\r\n");
    feed(buf, n, 0, 0, &g);
    T_CHECK(g.status == 431);
    /* Bodies past the limit: 413, by length or by chunks. */
    n = (size_t)snprintf(buf, sizeof buf,
                         "POST / HTTP/1.1\r\n" H "Content-Length: 11\r\n\r\n");
    feed(buf, n, 0, 10, &g);
    T_CHECK(g.status == 413);
    n = (size_t)snprintf(buf, sizeof buf,
                         "POST / HTTP/1.1\r\n" H
                         "Transfer-Encoding: chunked\r\n\r\n"
                         "6\r\nhello \r\n6\r\nworld!\r\n0\r\n\r\n");
    feed(buf, n, 0, 12, &g);
    T_CHECK(g.status == 0 && g.body == 12);
    feed(buf, n, 0, 11, &g);
    T_CHECK(g.status == 413 && g.body == 6);
    /* A trailer past HTTP_HEAD_MAX. */
    n = (size_t)snprintf(buf, sizeof buf,
                         "POST / HTTP/1.1\r\n" H
                         "Transfer-Encoding: chunked\r\n\r\n0\r\n");
    while (n < HTTP_HEAD_MAX + 200)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X-Pad: %0100d\r\n", 0);
    feed(buf, n, 0, 10, &g);
    T_CHECK(g.status == 431);
}

static void test_sticky_error(void)
{
    static struct http_parser p;
    const char *bad = "GET / HTTP/1.1\nHost: a\r\n\r\n";
    const char *good = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    struct bv in = bv_make(bad, strlen(bad)), body;

    http_parser_init(&p, 0);
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_ERROR);
    T_CHECK(http_error(&p) == 400);
    in = bv_make(good, strlen(good));
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_ERROR);
    T_CHECK(bv_len(&in) == strlen(good) && http_error(&p) == 400);
    /* A view in error is a bad request. */
    http_parser_init(&p, 0);
    in = bv_make(NULL, 5);
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_ERROR);
    /* init is the way out. */
    http_parser_init(&p, 0);
    in = bv_make(good, strlen(good));
    T_CHECK(http_parse(&p, &in, &body) == HTTP_EV_HEAD && !http_error(&p));
}

static void test_dates(void)
{
    char out[HTTP_DATE_LEN + 1];
    uint64_t s;
    static const struct {
        const char *text;
        int ok;
        uint64_t secs;
    } t[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 1, 784111777},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 1, 784111777},
        {"Sun Nov  6 08:49:37 1994", 1, 784111777},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 1, 0},
        {"Tue, 29 Feb 2028 23:59:59 GMT", 1, 1835481599},
        {"Sun, 22 Nov 2026 08:55:53 GMT", 1, 1795337753},
        {"Tuesday, 01-Jan-30 00:00:00 GMT", 1, 1893456000},
        {"Sun, 06 Nov 1994 08:49:37 UTC", 0, 0},
        {"Sun, 06 Nov 1994 08:49:37 GMT ", 0, 0},
        {"Sun, 31 Nov 1994 08:49:37 GMT", 0, 0},
        {"Sun, 06 Foo 1994 08:49:37 GMT", 0, 0},
        {"Sun, 06 Nov 1994 24:49:37 GMT", 0, 0},
        {"Sun, 06 Nov 1969 08:49:37 GMT", 0, 0},
        {"Xyz, 06 Nov 1994 08:49:37 GMT", 0, 0},
        {"Sun, 6 Nov 1994 08:49:37 GMT", 0, 0},
        {"", 0, 0},
        {"yesterday", 0, 0},
    };
    size_t i;

    http_date_format(784111777, out);
    T_CHECK(strcmp(out, "Sun, 06 Nov 1994 08:49:37 GMT") == 0);
    http_date_format(0, out);
    T_CHECK(strcmp(out, "Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    http_date_format(1835481599, out);
    T_CHECK(strcmp(out, "Tue, 29 Feb 2028 23:59:59 GMT") == 0);
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = http_date_parse(bv_make(t[i].text, strlen(t[i].text)), &s);
        T_CHECKF(t[i].ok ? rc == 0 && s == t[i].secs : rc == -1,
                 "'%s': rc %d, %llu", t[i].text, rc, (unsigned long long)s);
    }
    /* Every day of 400 years round-trips. */
    for (s = 0; s < 146097ull * 86400; s += 86400 + 3601) {
        uint64_t back;
        http_date_format(s, out);
        if (http_date_parse(bv_make(out, strlen(out)), &back) != 0 ||
            back != s) {
            T_CHECKF(0, "%llu: %s", (unsigned long long)s, out);
            break;
        }
    }
}

static void test_mime(void)
{
    static const struct {
        const char *path, *type;
    } t[] = {
        {"site/index.html", "text/html; charset=utf-8"},
        {"a.HTM", "text/html; charset=utf-8"},
        {"style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"d.json", "application/json"},
        {"i.svg", "image/svg+xml"},
        {"i.png", "image/png"},
        {"i.jpg", "image/jpeg"},
        {"i.JPEG", "image/jpeg"},
        {"i.gif", "image/gif"},
        {"i.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"robots.txt", "text/plain; charset=utf-8"},
        {"feed.xml", "application/xml"},
        {"m.wasm", "application/wasm"},
        {"doc.pdf", "application/pdf"},
        {"f.woff2", "font/woff2"},
        {"f.woff", "font/woff"},
        {"a.tar.gz", "application/octet-stream"},
        {"Makefile", "application/octet-stream"},
        {"dir.html/file", "application/octet-stream"},
        {"trailing.", "application/octet-stream"},
        {".html", "text/html; charset=utf-8"},
        {"x.htmlx", "application/octet-stream"},
        {"x.ht", "application/octet-stream"},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        T_CHECKF(strcmp(http_mime_type(t[i].path, strlen(t[i].path)),
                        t[i].type) == 0,
                 "%s", t[i].path);
}

#define BV(s) bv_make(s, strlen(s))

static void test_etags(void)
{
    T_CHECK(http_etag_match(BV("\"abc\""), "\"abc\""));
    T_CHECK(http_etag_match(BV("W/\"abc\""), "\"abc\""));
    T_CHECK(http_etag_match(BV("\"abc\""), "W/\"abc\""));
    T_CHECK(http_etag_match(BV("\"x\", \"abc\""), "\"abc\""));
    T_CHECK(http_etag_match(BV("\"x\",,  W/\"abc\" "), "\"abc\""));
    T_CHECK(http_etag_match(BV("*"), "\"abc\""));
    T_CHECK(!http_etag_match(BV("\"abcd\""), "\"abc\""));
    T_CHECK(!http_etag_match(BV("abc"), "\"abc\""));
    T_CHECK(!http_etag_match(BV("\"ab\"c\""), "\"abc\""));
    T_CHECK(!http_etag_match(BV(""), "\"abc\""));
    T_CHECK(!http_etag_match(BV("*"), NULL));
    T_CHECK(!http_etag_match(BV("w/\"abc\""), "\"abc\""));
}

/* A parser holding the head of (req), for the conditional helpers. */
static struct http_parser *head_of(const char *req)
{
    static struct http_parser p;
    struct bv in = bv_make(req, strlen(req)), body;

    http_parser_init(&p, 0);
    if (http_parse(&p, &in, &body) != HTTP_EV_HEAD)
        abort();
    return &p;
}

static void test_conditionals(void)
{
    const char *et = "\"1a-2b\"";
    uint64_t mt = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

    T_CHECK(http_not_modified(head_of("GET / HTTP/1.1\r\n" H "\r\n"), et, mt) ==
            0);
    T_CHECK(http_not_modified(head_of("GET / HTTP/1.1\r\n" H
                                      "If-None-Match: \"1a-2b\"\r\n\r\n"),
                              et, mt) == 304);
    T_CHECK(http_not_modified(head_of("GET / HTTP/1.1\r\n" H
                                      "If-None-Match: \"other\"\r\n\r\n"),
                              et, mt) == 0);
    T_CHECK(
        http_not_modified(head_of("GET / HTTP/1.1\r\n" H "If-Modified-Since: "
                                  "Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
                          et, mt) == 304);
    T_CHECK(
        http_not_modified(head_of("GET / HTTP/1.1\r\n" H "If-Modified-Since: "
                                  "Sun, 06 Nov 1994 08:49:36 GMT\r\n\r\n"),
                          et, mt) == 0);
    T_CHECK(http_not_modified(head_of("GET / HTTP/1.1\r\n" H
                                      "If-Modified-Since: garbage\r\n\r\n"),
                              et, mt) == 0);
    /* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
    T_CHECK(http_not_modified(head_of("GET / HTTP/1.1\r\n" H
                                      "If-None-Match: \"no\"\r\n"
                                      "If-Modified-Since: "
                                      "Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
                              et, mt) == 0);
    /* If-Range: a strong match, an exact date; weak tags never. */
    T_CHECK(http_if_range(head_of("GET / HTTP/1.1\r\n" H "\r\n"), et, mt));
    T_CHECK(http_if_range(
        head_of("GET / HTTP/1.1\r\n" H "If-Range: \"1a-2b\"\r\n\r\n"), et, mt));
    T_CHECK(!http_if_range(
        head_of("GET / HTTP/1.1\r\n" H "If-Range: W/\"1a-2b\"\r\n\r\n"), et,
        mt));
    T_CHECK(!http_if_range(
        head_of("GET / HTTP/1.1\r\n" H "If-Range: \"old\"\r\n\r\n"), et, mt));
    T_CHECK(http_if_range(head_of("GET / HTTP/1.1\r\n" H "If-Range: "
                                  "Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
                          et, mt));
    T_CHECK(!http_if_range(head_of("GET / HTTP/1.1\r\n" H "If-Range: "
                                   "Sun, 06 Nov 1994 08:49:38 GMT\r\n\r\n"),
                           et, mt));
}

static void test_ranges(void)
{
    static const struct {
        const char *v;
        uint64_t size;
        int want;
        uint64_t first, last;
    } t[] = {
        {"bytes=0-99", 1000, HTTP_RANGE_OK, 0, 99},
        {"bytes=0-0", 1000, HTTP_RANGE_OK, 0, 0},
        {"bytes=500-", 1000, HTTP_RANGE_OK, 500, 999},
        {"bytes=-100", 1000, HTTP_RANGE_OK, 900, 999},
        {"bytes=-5000", 1000, HTTP_RANGE_OK, 0, 999},
        {"bytes=990-5000", 1000, HTTP_RANGE_OK, 990, 999},
        {"Bytes=1-2", 1000, HTTP_RANGE_OK, 1, 2},
        {"bytes= 1-2 ", 1000, HTTP_RANGE_OK, 1, 2},
        {"bytes=999-999", 1000, HTTP_RANGE_OK, 999, 999},
        {"bytes=0-99999999999999999999999", 1000, HTTP_RANGE_OK, 0, 999},
        {"bytes=1000-", 1000, HTTP_RANGE_UNSAT, 0, 0},
        {"bytes=1000-2000", 1000, HTTP_RANGE_UNSAT, 0, 0},
        {"bytes=-0", 1000, HTTP_RANGE_UNSAT, 0, 0},
        {"bytes=0-", 0, HTTP_RANGE_UNSAT, 0, 0},
        {"bytes=-1", 0, HTTP_RANGE_UNSAT, 0, 0},
        {"bytes=0-1,5-6", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=5-1", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=a-b", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=1", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=-", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes=1-2-3", 1000, HTTP_RANGE_NONE, 0, 0},
        {"items=0-1", 1000, HTTP_RANGE_NONE, 0, 0},
        {"bytes 0-1", 1000, HTTP_RANGE_NONE, 0, 0},
        {"", 1000, HTTP_RANGE_NONE, 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint64_t a = 0, b = 0;
        int got = http_range(BV(t[i].v), t[i].size, &a, &b);
        T_CHECKF(got == t[i].want && (got != HTTP_RANGE_OK ||
                                      (a == t[i].first && b == t[i].last)),
                 "'%s': %d %llu-%llu", t[i].v, got, (unsigned long long)a,
                 (unsigned long long)b);
    }
}

static void test_accepts(void)
{
    static const struct {
        const char *v;
        int gzip;
    } t[] = {
        {"gzip", 1},          {"gzip, deflate, br", 1},
        {"deflate, GZIP", 1}, {"x-gzip", 1},
        {"gzip;q=0", 0},      {"gzip; q=0.000", 0},
        {"gzip;q=0.001", 1},  {"gzip;q=1.0", 1},
        {"gzip;q=1.5", 0},    {"*", 1},
        {"*;q=0", 0},         {"*, gzip;q=0", 0},
        {"gzip;q=0, *", 0},   {"identity", 0},
        {"br, deflate", 0},   {"", 0},
        {"gzipx", 0},         {" , gzip ,", 1},
    };
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        T_CHECKF(http_accepts(BV(t[i].v), "gzip") == t[i].gzip, "'%s'", t[i].v);
}

static void test_paths(void)
{
    static const struct {
        const char *target;
        long want;
        const char *path;
    } t[] = {
        {"/", 0, ""},
        {"/index.html", 10, "index.html"},
        {"/a/b.css?v=3", 7, "a/b.css"},
        {"/a//b", 3, "a/b"},
        {"/a/./b", 3, "a/b"},
        {"/a/", 2, "a/"},
        {"/a/.", 2, "a/"},
        {"/%69ndex.html", 10, "index.html"},
        {"/a%20b", 3, "a b"},
        {"/caf%C3%A9", 5, "caf\xc3\xa9"},
        {"/a%2Fb", 3, "a/b"},
        {"/.hidden", 7, ".hidden"},
        {"/a..b", 4, "a..b"},
        {"/...", 3, "..."},
        {"http://example.com/x/y?z", 3, "x/y"},
        {"http://example.com", 0, ""},
        {"HTTPS://example.com/x", -400, ""},
        {"/..", -400, ""},
        {"/../etc/passwd", -400, ""},
        {"/a/../../b", -400, ""},
        {"/a/..", -400, ""},
        {"/%2e%2e/x", -400, ""},
        {"/%2E./x", -400, ""},
        {"/a%2F..%2Fb", -400, ""},
        {"/a%00b", -400, ""},
        {"/a%0ab", -400, ""},
        {"/a%", -400, ""},
        {"/a%4", -400, ""},
        {"/a%zz", -400, ""},
        {"/a\\b", -400, ""},
        {"/a%5Cb", -400, ""},
        {"*", -400, ""},
        {"example.com:80", -400, ""},
        {"", -400, ""},
    };
    char out[64];
    size_t i;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        long got = http_path(BV(t[i].target), out, sizeof out);
        T_CHECKF(got == t[i].want && (got < 0 || strcmp(out, t[i].path) == 0),
                 "'%s': %ld '%s'", t[i].target, got, got >= 0 ? out : "");
    }
    /* Too long for the buffer. */
    T_CHECK(http_path(BV("/0123456789"), out, 8) == -414);
    T_CHECK(http_path(BV("/0123456"), out, 8) == 7);
    T_CHECK(http_path(BV("/"), out, 0) == -414);
}

static void test_resp_head(void)
{
    static uint8_t buf[1024];
    struct bw w = bw_make(buf, sizeof buf, 0);
    struct http_resp r = {0};
    struct bv v;
    const char *want;

    r.status = 206;
    r.minor = 1;
    r.server = "pith";
    r.date = 784111777;
    r.content_type = "text/html; charset=utf-8";
    r.length = 10;
    r.last_modified = 784111777;
    r.etag = "\"x\"";
    r.encoding = "gzip";
    r.vary = "Accept-Encoding";
    r.accept_ranges = 1;
    r.range = 1;
    r.first = 5;
    r.last = 14;
    r.total = 100;
    T_CHECK(http_resp_head(&w, &r) == 0);
    want = "HTTP/1.1 206 Partial Content\r\n"
           "Server: pith\r\n"
           "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
           "Content-Type: text/html; charset=utf-8\r\n"
           "Content-Length: 10\r\n"
           "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
           "ETag: \"x\"\r\n"
           "Content-Encoding: gzip\r\n"
           "Vary: Accept-Encoding\r\n"
           "Accept-Ranges: bytes\r\n"
           "Content-Range: bytes 5-14/100\r\n"
           "\r\n";
    v = bw_view(&w);
    T_CHECKF(bv_len(&v) == strlen(want) && bv_eq(&v, 0, want, strlen(want)),
             "%.*s", (int)bv_len(&v), (const char *)bv_ptr(&v, 0, bv_len(&v)));

    memset(&r, 0, sizeof r);
    r.status = 416;
    r.unsat = 1;
    r.total = 7;
    r.close = 1;
    w = bw_make(buf, sizeof buf, 0);
    T_CHECK(http_resp_head(&w, &r) == 0);
    want = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n"
           "Connection: close\r\nContent-Range: bytes */7\r\n\r\n";
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == strlen(want) && bv_eq(&v, 0, want, strlen(want)));

    /* HTTP/1.0 keep-alive is said; 405 carries Allow; 304 no length. */
    memset(&r, 0, sizeof r);
    r.status = 405;
    r.allow = "GET, HEAD";
    w = bw_make(buf, sizeof buf, 0);
    T_CHECK(http_resp_head(&w, &r) == 0);
    want = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
           "Connection: keep-alive\r\nAllow: GET, HEAD\r\n\r\n";
    v = bw_view(&w);
    T_CHECK(bv_len(&v) == strlen(want) && bv_eq(&v, 0, want, strlen(want)));

    /* No room: an error, not a partial head reported as whole. */
    w = bw_make(buf, 20, 0);
    T_CHECK(http_resp_head(&w, &r) == PITH_ENOMEM && !bw_ok(&w));
    T_CHECK(strcmp(http_reason(404), "Not Found") == 0);
    T_CHECK(strcmp(http_reason(999), "") == 0);
}

int main(void)
{
    T_RUN(test_simple_get);
    T_RUN(test_methods);
    T_RUN(test_keep_alive);
    T_RUN(test_pipelining);
    T_RUN(test_bodies);
    T_RUN(test_smuggling);
    T_RUN(test_lenient_where_allowed);
    T_RUN(test_limits);
    T_RUN(test_sticky_error);
    T_RUN(test_dates);
    T_RUN(test_mime);
    T_RUN(test_etags);
    T_RUN(test_conditionals);
    T_RUN(test_ranges);
    T_RUN(test_accepts);
    T_RUN(test_paths);
    T_RUN(test_resp_head);
    return t_done();
}
