/*
 * Fuzz target for svc/http. The input is a connection's bytes: parsed
 * whole, then again in pieces whose sizes come from the input's first
 * byte; both runs must see the same requests, bodies and final status,
 * every view must lie inside the parser, and an error must be one of the
 * statuses the header promises. The input is also handed to each helper:
 * a date that parses must print and parse back the same, a range must lie
 * inside the representation, a path must hold no "..", NUL or control
 * character, and a response head built from it must fit or fail cleanly.
 */
#include <stdint.h>
#include <string.h>
#include <pith/bv.h>

#include "http.h"

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

struct run {
    int status, heads, ends;
    uint64_t body, sum;
};

static void check_views(const struct http_parser *p)
{
    unsigned i;
    struct bv m = http_req_method(p), t = http_req_target(p);

    CHECK(bv_ok(&m) && bv_ok(&t) && bv_len(&m) > 0 && bv_len(&t) > 0);
    CHECK(p->req.nfields <= HTTP_FIELDS_MAX);
    for (i = 0; i < p->req.nfields; i++) {
        struct bv n = http_field_name(p, i), v = http_field_value(p, i);
        CHECK(bv_ok(&n) && bv_ok(&v) && bv_len(&n) > 0);
    }
}

static void run(const uint8_t *d, size_t len, size_t step, struct run *r)
{
    static struct http_parser p;
    size_t off = 0;

    memset(r, 0, sizeof *r);
    http_parser_init(&p, 4096);
    while (off < len) {
        size_t n = step && len - off > step ? step : len - off;
        struct bv in = bv_make(d + off, n), body;
        int ev;
        do {
            size_t before = bv_len(&in);
            ev = http_parse(&p, &in, &body);
            CHECK(bv_len(&in) <= before);
            if (ev == HTTP_EV_HEAD) {
                r->heads++;
                check_views(&p);
                CHECK(p.req.minor <= 1);
                CHECK(!(p.req.chunked && p.req.has_length));
            } else if (ev == HTTP_EV_BODY) {
                size_t i;
                CHECK(bv_len(&body) > 0);
                r->body += bv_len(&body);
                for (i = 0; i < bv_len(&body); i++)
                    r->sum = r->sum * 31 + bv_u8(&body, i);
                CHECK(bv_ok(&body));
            } else if (ev == HTTP_EV_END) {
                r->ends++;
            }
        } while (ev != HTTP_EV_AGAIN && ev != HTTP_EV_ERROR);
        off += n - bv_len(&in);
        if (ev == HTTP_EV_ERROR)
            break;
        CHECK(bv_len(&in) == 0);
    }
    r->status = http_error(&p);
    CHECK(r->status == 0 || r->status == 400 || r->status == 413 ||
          r->status == 414 || r->status == 431 || r->status == 501 ||
          r->status == 505);
    CHECK(r->body <= 4096 * (uint64_t)(r->heads + 1));
}

static void helpers(const uint8_t *d, size_t len)
{
    struct bv v = bv_make(d, len);
    uint64_t s, back, a, b;
    char date[HTTP_DATE_LEN + 1], path[256];
    static uint8_t head[512];
    long n;
    int rc;

    if (http_date_parse(v, &s) == 0) {
        http_date_format(s, date);
        CHECK(strlen(date) == HTTP_DATE_LEN);
        CHECK(http_date_parse(bv_make(date, HTTP_DATE_LEN), &back) == 0);
        CHECK(back == s);
    }
    rc = http_range(v, len, &a, &b);
    if (rc == HTTP_RANGE_OK)
        CHECK(a <= b && b < len);
    else
        CHECK(rc == HTTP_RANGE_NONE || rc == HTTP_RANGE_UNSAT);
    (void)http_accepts(v, "gzip");
    (void)http_etag_match(v, "\"abc\"");
    (void)http_mime_type((const char *)d, len);
    n = http_path(v, path, sizeof path);
    if (n >= 0) {
        long i;
        CHECK((size_t)n < sizeof path && path[n] == 0 &&
              strlen(path) == (size_t)n);
        for (i = 0; i < n; i++)
            CHECK((uint8_t)path[i] >= 0x20 && path[i] != 0x7f &&
                  path[i] != '\\');
        CHECK(strcmp(path, "..") != 0 && strncmp(path, "../", 3) != 0 &&
              !strstr(path, "/../") &&
              !(n >= 3 && strcmp(path + n - 3, "/..") == 0));
        CHECK(path[0] != '/' && !strstr(path, "//"));
    } else {
        CHECK(n == -400 || n == -414);
    }
    {
        struct http_resp r = {0};
        struct bw w = bw_make(head, sizeof head, 0);
        char et[64];
        size_t k = len < 60 ? len : 60;
        memcpy(et, d, k);
        et[k] = 0;
        r.status = 200;
        r.etag = et;
        r.content_type = et;
        r.date = len * 1000003ull;
        r.length = len;
        rc = http_resp_head(&w, &r);
        CHECK(rc == 0 ? bw_ok(&w) : !bw_ok(&w));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
    struct run whole, pieces;
    size_t step;

    if (len == 0)
        return 0;
    step = (size_t)(d[0] % 17) + 1;
    run(d + 1, len - 1, 0, &whole);
    run(d + 1, len - 1, step, &pieces);
    CHECK(whole.status == pieces.status && whole.heads == pieces.heads &&
          whole.ends == pieces.ends && whole.body == pieces.body &&
          whole.sum == pieces.sum);
    helpers(d + 1, len - 1);
    return 0;
}
