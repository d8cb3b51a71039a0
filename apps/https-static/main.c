/*
 * https-static: a static web site over HTTPS. Serves the files of a site
 * with HTTP/1.1 (svc/http) inside TLS 1.2 (svc/tls) on TCP port 443, and
 * on port 80 redirects to HTTPS; with no certificate at all it serves
 * plain HTTP on port 80 instead.
 *
 *     pith build -t spt apps/https-static
 *     pith run https-static.spt --net:service=tap0 -- --ipv4=10.0.0.2/24
 *     curl -k https://10.0.0.2/
 *
 * The site is the tar archive on the block device "site" when the
 * operator binds it (its paths as stored), else the folder site/ baked
 * into the image; "/" and every folder answer with their index.html.
 * Certificates are the baked files of certs/ (NAMES.crt: the chain,
 * NAMES.key: its key; tls_server_add_dir()'s convention), or those of
 * the tar archive on the block device "certs" when it is bound.
 *
 * What a request gets (RFC 9110, 9112): GET and HEAD (others: 405);
 * Content-Type by extension; a strong ETag (a hash of a baked file's
 * bytes; an archive member's mtime and size, with Last-Modified) and
 * 304 for If-None-Match / If-Modified-Since; one byte range (206, 416,
 * If-Range); FILE.gz in place of FILE, with Content-Encoding, for
 * clients that accept gzip; a folder without its '/' redirected (301);
 * keep-alive and pipelining (answered in order, one at a time: the next
 * request is not read before the answer is out, so a client that does
 * not read is not read either); requests the parser refuses answered
 * with its status (400, 413, 414, 431, 501, 505) and the connection
 * closed. One access log line per request on the console, in nginx's
 * "combined" format.
 *
 * Timeouts: a TLS handshake must finish in --handshake-timeout (10 s); a
 * request's head must arrive whole within --header-timeout of its first
 * byte (10 s; slow heads get 408 and the end: slowloris); an idle
 * keep-alive connection closes after --keepalive-timeout (30 s); one
 * that takes nothing for --send-timeout (60 s) while an answer is due is
 * aborted.
 *
 * Options after the network's: --http-port=N (80), --https-port=N (443),
 * --http-serve (serve the files on the HTTP port too, instead of
 * redirecting), --default-cert=NAME (the certificate for clients naming
 * no name served), --cache=SESSIONS (1024), --quiet (no access log),
 * --stats (the counters every 10 s, or every --stats-every=SECONDS).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/ev.h>
#include <pith/kv.h>
#include <pith/net.h>
#include <pith/plat.h>
#include <pith/rt.h>
#include <pith/tar.h>
#include <pith/tcp.h>

#include <http/http.h>
#include <tls/tls.h>

#define APP "https-static"

/* Bytes read from the archive at a time, per connection sending one. */
#define CHUNK (32 * 1024)
/* Room for a response head and a short body of an error or redirect. */
#define HEAD_MAX 2048
/* Longest request line kept for the access log. */
#define LOGLINE_MAX 256

static struct {
    unsigned long http_port, https_port, cache, stats_every;
    int http_serve, quiet, stats;
    const char *default_cert;
    uint64_t handshake_ns, header_ns, keepalive_ns, send_ns;
} opt = {
    .http_port = 80,
    .https_port = 443,
    .cache = 1024,
    .stats_every = 10,
    .handshake_ns = 10 * NET_SEC_NS,
    .header_ns = 10 * NET_SEC_NS,
    .keepalive_ns = 30 * NET_SEC_NS,
    .send_ns = 60 * NET_SEC_NS,
};

static struct net net;
static struct tcp_listener l_http, l_https;
static struct tls_server tls;
static int have_tls;
static struct kv kv;

/* ---- The site ---------------------------------------------------------- */

/* One file of the site: its store entry, its path under the site's root,
 * its entity tag (made when first asked for) and its .gz variant. */
struct file {
    struct kv_entry e;
    const char *path;
    long gz; /* index of PATH.gz in files[], or -1 */
    char etag[40];
};

static struct file *files;
static size_t nfiles;

static int path_cmp(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    int c = memcmp(a, b, alen < blen ? alen : blen);

    return c ? c : (alen > blen) - (alen < blen);
}

/* The file at (path) of (len) bytes, or NULL. Binary search: files[] is
 * in the store's order, strcmp() order of the paths. */
static struct file *file_find(const char *path, size_t len)
{
    size_t lo = 0, hi = nfiles;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = path_cmp(path, len, files[mid].path);
        if (c == 0)
            return &files[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/*
 * Lists the store's files under (root) ("site/" for the baked ones, ""
 * for an archive) into files[], and pairs each FILE with FILE.gz.
 * Returns the number of files, or -1 out of memory.
 */
static long site_load(const char *root)
{
    size_t rl = strlen(root), n = kv_count(&kv), i;
    struct kv_entry e;

    files = calloc(n ? n : 1, sizeof *files);
    if (!files)
        return -1;
    for (i = 0; i < n; i++) {
        if (kv_at(&kv, i, &e) < 0 || strncmp(e.path, root, rl) != 0)
            continue;
        files[nfiles].e = e;
        files[nfiles].path = e.path + rl;
        files[nfiles].gz = -1;
        nfiles++;
    }
    for (i = 0; i < nfiles; i++) {
        size_t len = strlen(files[i].path);
        struct file *f;
        if (len > 3 && memcmp(files[i].path + len - 3, ".gz", 3) == 0 &&
            (f = file_find(files[i].path, len - 3)) != NULL)
            f->gz = (long)i;
    }
    return (long)nfiles;
}

/*
 * A 64-bit hash of (n) bytes, eight at a time (not cryptographic: it
 * tells versions of a file apart for ETag).
 */
static uint64_t hash64(const uint8_t *p, uint64_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, p, (size_t)n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

/* The entity tag of (f), quoted: a baked file's bytes hashed; an
 * archive member's mtime and size, as nginx makes them. */
static const char *file_etag(struct file *f)
{
    if (!f->etag[0]) {
        if (f->e.data)
            snprintf(f->etag, sizeof f->etag, "\"%016llx\"",
                     (unsigned long long)hash64(f->e.data, f->e.size));
        else
            snprintf(f->etag, sizeof f->etag, "\"%llx-%llx\"",
                     (unsigned long long)f->e.mtime,
                     (unsigned long long)f->e.size);
    }
    return f->etag;
}

/* ---- Connections --------------------------------------------------------- */

enum { C_READ, C_SEND, C_CLOSE };

/* TLS's part of a connection on the HTTPS port. */
struct tls_side {
    struct tls_conn c;
    unsigned char buf[TLS_CONN_BUFSIZE];
};

struct conn {
    struct tcp_conn *tcp;
    struct tls_side *tls; /* NULL: plain HTTP */
    struct ev_timer timer;
    char peer[NET_IP4_STRLEN];
    uint8_t state;     /* C_READ: reading a request; C_SEND: answering;
                          C_CLOSE: answered, closing once it is out */
    uint8_t eof;       /* TCP brought the peer's FIN */
    uint8_t closed;    /* TCP closed or TLS closing begun */
    uint8_t timed_out; /* the timer fired once already */
    uint8_t pending;   /* an answer is being sent (not yet logged) */
    uint64_t since;    /* when the current wait began (head, idle) */
    uint64_t moved;    /* when bytes last moved */
    /* The answer: its head (and short body), then a file's bytes
     * [pos, end), read from the archive through (chunk) when the file
     * is not in memory. */
    uint8_t head[HEAD_MAX];
    size_t head_len, head_off;
    struct file *file;
    uint64_t pos, end;
    uint8_t *chunk;
    uint64_t chunk_at;
    size_t chunk_len;
    /* For the access log. */
    int status;
    uint64_t sent;
    char line[LOGLINE_MAX];
    char referer[LOGLINE_MAX / 2], agent[LOGLINE_MAX];
    struct http_parser p;
};

/* Plaintext in: a view of what arrived, and marking it read. */
static size_t in_peek(struct conn *c, struct bv *v)
{
    return c->tls ? tls_conn_peek(&c->tls->c, v) : tcp_peek(c->tcp, v);
}

static void in_consume(struct conn *c, size_t n)
{
    if (c->tls)
        tls_conn_consume(&c->tls->c, n);
    else
        tcp_consume(c->tcp, n);
}

/* Plaintext out: how many of (n) bytes were taken, 0 for none now, or
 * an error. */
static long out_write(struct conn *c, const void *p, size_t n)
{
    return c->tls ? tls_conn_write(&c->tls->c, p, n) : tcp_write(c->tcp, p, n);
}

/* Copies what a header field holds into (out) for the log, '"' and
 * control characters as '?' and "-" for none. */
static void log_field(const struct conn *c, const char *name, char *out,
                      size_t cap)
{
    struct bv v;
    size_t i, n;

    if (!http_req_field(&c->p, name, &v) || bv_len(&v) == 0) {
        snprintf(out, cap, "-");
        return;
    }
    n = bv_len(&v) < cap - 1 ? bv_len(&v) : cap - 1;
    for (i = 0; i < n; i++) {
        uint8_t ch = bv_u8(&v, i);
        out[i] =
            ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f ? '?' : (char)ch;
    }
    out[n] = '\0';
}

/* The request line for the log: METHOD TARGET HTTP/1.x. */
static void log_request(struct conn *c)
{
    struct bv m = http_req_method(&c->p), t = http_req_target(&c->p);
    size_t ml = bv_len(&m), tl = bv_len(&t);

    if (ml > 32)
        ml = 32;
    if (tl > LOGLINE_MAX - 48)
        tl = LOGLINE_MAX - 48;
    snprintf(c->line, sizeof c->line, "%.*s %.*s HTTP/1.%d", (int)ml,
             (const char *)bv_ptr(&m, 0, ml), (int)tl,
             (const char *)bv_ptr(&t, 0, tl), c->p.req.minor);
    log_field(c, "referer", c->referer, sizeof c->referer);
    log_field(c, "user-agent", c->agent, sizeof c->agent);
}

/* One line per answer, as nginx's "combined" format. */
static void log_answer(struct conn *c)
{
    char d[HTTP_DATE_LEN + 1];

    if (opt.quiet)
        return;
    /* "Sun, 06 Nov 1994 08:49:37 GMT" -> "06/Nov/1994:08:49:37 +0000" */
    http_date_format(plat_clock_wall() / NET_SEC_NS, d);
    printf("%s - - [%.2s/%.3s/%.4s:%.8s +0000] \"%s\" %d %llu \"%s\" \"%s\"\n",
           c->peer, d + 5, d + 8, d + 12, d + 17, c->line[0] ? c->line : "-",
           c->status, (unsigned long long)c->sent, c->referer, c->agent);
}

/* Starts the answer (r) with (body) of (blen) bytes after its head, or
 * the bytes [first, last] of (f). */
static void answer(struct conn *c, struct http_resp *r, const char *body,
                   size_t blen, struct file *f, uint64_t first, uint64_t end)
{
    struct bw w = bw_make(c->head, sizeof c->head, 0);
    int head_only = c->p.req.method == HTTP_M_HEAD;

    r->date = plat_clock_wall() / NET_SEC_NS;
    r->server = "pith";
    r->minor = c->p.req.minor;
    if (c->state == C_CLOSE || !c->p.req.keep_alive)
        r->close = 1;
    if (body && !f)
        r->length = blen;
    if (http_resp_head(&w, r) < 0) {
        /* No head this long is made here; close rather than lie. */
        c->head_len = c->head_off = 0;
        c->pos = c->end = 0;
        c->state = C_CLOSE;
        return;
    }
    if (body && !head_only)
        bw_append(&w, body, blen);
    c->head_len = bw_ok(&w) ? w.len : 0;
    c->head_off = 0;
    c->file = head_only ? NULL : f;
    c->chunk_len = 0; /* what it holds is another file's */
    c->pos = first;
    c->end = f && !head_only ? end : first;
    c->status = r->status;
    c->sent = body && !head_only ? blen : 0; /* the log's body bytes */
    /* A small file goes out with its head, in one segment (or record). */
    if (c->file && c->end - c->pos <= sizeof c->head - c->head_len) {
        long k = kv_read(&kv, &c->file->e, c->pos, c->head + c->head_len,
                         (size_t)(c->end - c->pos));
        if (k == (long)(c->end - c->pos)) {
            c->head_len += (size_t)k;
            c->sent += (uint64_t)k;
            c->pos = c->end;
        }
    }
    c->state = r->close ? C_CLOSE : C_SEND;
    c->pending = 1;
    c->moved = ev_now();
    /* C_CLOSE sends too: it closes once all is out. */
}

/* A short answer with a text body: errors, redirects. */
static void answer_short(struct conn *c, int status, const char *location,
                         const char *allow, int close)
{
    struct http_resp r = {0};
    char body[128];
    int n;

    r.status = status;
    r.location = location;
    r.allow = allow;
    r.content_type = "text/plain; charset=utf-8";
    n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
    if (close)
        c->state = C_CLOSE;
    answer(c, &r, body, (size_t)n, NULL, 0, 0);
}

/* Whether (v) is a plain host[:port] to redirect to. */
static int host_ok(struct bv *v)
{
    size_t i, n = bv_len(v);

    if (n == 0 || n > 255)
        return 0;
    for (i = 0; i < n; i++) {
        uint8_t ch = bv_u8(v, i);
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' ||
              ch == '[' || ch == ']' || ch == '_'))
            return 0;
    }
    return 1;
}

/* HTTP on the HTTP port while HTTPS is up: to the same target there. */
static void answer_redirect(struct conn *c)
{
    char loc[512], addr[NET_IP4_STRLEN];
    struct bv host, t = http_req_target(&c->p);
    size_t tl = bv_len(&t);
    int n;

    if (!http_req_field(&c->p, "host", &host) || !host_ok(&host)) {
        net_ip4_format(net_addr(&net), addr);
        host = bv_make(addr, strlen(addr));
    } else {
        /* The HTTP port is not HTTPS's: drop it. */
        long colon = bv_find(&host, 0, ':');
        if (colon > 0 && bv_u8(&host, 0) != '[')
            host = bv_sub(&host, 0, (size_t)colon);
    }
    if (tl == 0 || bv_u8(&t, 0) != '/' || tl > 400)
        t = bv_make("/", 1), tl = 1;
    if (opt.https_port == 443)
        n = snprintf(loc, sizeof loc, "https://%.*s%.*s", (int)bv_len(&host),
                     (const char *)bv_ptr(&host, 0, bv_len(&host)), (int)tl,
                     (const char *)bv_ptr(&t, 0, tl));
    else
        n = snprintf(loc, sizeof loc, "https://%.*s:%lu%.*s",
                     (int)bv_len(&host),
                     (const char *)bv_ptr(&host, 0, bv_len(&host)),
                     opt.https_port, (int)tl, (const char *)bv_ptr(&t, 0, tl));
    if (n < 0 || (size_t)n >= sizeof loc) {
        answer_short(c, 414, NULL, NULL, 1);
        return;
    }
    answer_short(c, 301, loc, NULL, 0);
}

/* A complete request: chooses and starts its answer. */
static void respond(struct conn *c)
{
    struct http_resp r = {0};
    char path[1024], loc[1100];
    struct file *f, *sel;
    struct bv v;
    uint64_t first = 0, last = 0, size;
    long len;
    int m = c->p.req.method;

    if (!c->tls && have_tls && !opt.http_serve) {
        answer_redirect(c);
        return;
    }
    if (m != HTTP_M_GET && m != HTTP_M_HEAD) {
        answer_short(c, 405, NULL, "GET, HEAD", 0);
        return;
    }
    len = http_path(http_req_target(&c->p), path, sizeof path - 16);
    if (len < 0) {
        answer_short(c, (int)-len, NULL, NULL, 0);
        return;
    }
    if (len == 0 || path[len - 1] == '/') {
        memcpy(path + len, "index.html", 11);
        len += 10;
    }
    f = file_find(path, (size_t)len);
    if (!f) {
        /* A folder named without its '/': send the client into it. */
        memcpy(path + len, "/index.html", 12);
        if (file_find(path, (size_t)len + 11)) {
            snprintf(loc, sizeof loc, "/%.*s/", (int)len, path);
            answer_short(c, 301, loc, NULL, 0);
        } else {
            answer_short(c, 404, NULL, NULL, 0);
        }
        return;
    }
    sel = f;
    if (f->gz >= 0) {
        r.vary = "Accept-Encoding";
        if (http_req_field(&c->p, "accept-encoding", &v) &&
            http_accepts(v, "gzip")) {
            sel = &files[f->gz];
            r.encoding = "gzip";
        }
    }
    r.content_type = http_mime_type(path, (size_t)len);
    r.etag = file_etag(sel);
    r.last_modified = sel->e.mtime;
    r.accept_ranges = 1;
    size = sel->e.size;
    if (http_not_modified(&c->p, r.etag, r.last_modified) == 304) {
        r.status = 304;
        r.no_length = 1;
        answer(c, &r, NULL, 0, NULL, 0, 0);
        return;
    }
    r.status = 200;
    r.length = size;
    if (http_req_field(&c->p, "range", &v) &&
        http_if_range(&c->p, r.etag, r.last_modified)) {
        switch (http_range(v, size, &first, &last)) {
        case HTTP_RANGE_OK:
            r.status = 206;
            r.range = 1;
            r.first = first;
            r.last = last;
            r.total = size;
            r.length = last - first + 1;
            answer(c, &r, NULL, 0, sel, first, last + 1);
            return;
        case HTTP_RANGE_UNSAT:
            r.status = 416;
            r.unsat = 1;
            r.total = size;
            r.length = 0;
            answer(c, &r, NULL, 0, NULL, 0, 0);
            return;
        }
    }
    answer(c, &r, NULL, 0, sel, 0, size);
}

/*
 * Sends what it can of the answer: the head, then the file. Returns
 * whether any byte went; leaves the state C_READ (or C_CLOSE, with
 * nothing left) when all went.
 */
static int send_some(struct conn *c)
{
    int moved = 0;
    long w;

    while (c->head_off < c->head_len) {
        w = out_write(c, c->head + c->head_off, c->head_len - c->head_off);
        if (w <= 0)
            return moved;
        c->head_off += (size_t)w;
        moved = 1;
    }
    while (c->pos < c->end) {
        const uint8_t *p;
        size_t n;

        if (c->file->e.data) {
            p = c->file->e.data + c->pos;
            n = c->end - c->pos > CHUNK ? CHUNK : (size_t)(c->end - c->pos);
        } else {
            if (c->pos < c->chunk_at || c->pos >= c->chunk_at + c->chunk_len) {
                long k;
                if (!c->chunk && !(c->chunk = malloc(CHUNK))) {
                    c->state = C_CLOSE, c->end = c->pos;
                    return moved;
                }
                n = c->end - c->pos > CHUNK ? CHUNK : (size_t)(c->end - c->pos);
                k = kv_read(&kv, &c->file->e, c->pos, c->chunk, n);
                if (k <= 0) {
                    /* The device failed mid-answer: the length sent
                     * cannot be kept, so the connection must end. */
                    printf(APP ": %s: reading '%s': %s\n", c->peer,
                           c->file->path,
                           pith_strerror(k < 0 ? (int)k : PITH_EIO));
                    c->state = C_CLOSE, c->end = c->pos;
                    return moved;
                }
                c->chunk_at = c->pos;
                c->chunk_len = (size_t)k;
            }
            p = c->chunk + (c->pos - c->chunk_at);
            n = (size_t)(c->chunk_at + c->chunk_len - c->pos);
        }
        w = out_write(c, p, n);
        if (w <= 0)
            return moved;
        c->pos += (uint64_t)w;
        c->sent += (uint64_t)w;
        moved = 1;
    }
    /* All out. */
    c->pending = 0;
    log_answer(c);
    c->file = NULL;
    c->line[0] = '\0';
    if (c->state == C_SEND) {
        c->state = C_READ;
        c->since = ev_now();
    }
    return 1;
}

/* The HTTP part: requests in, answers out, as far as both can go.
 * Returns whether anything moved. */
static int serve(struct conn *c)
{
    int moved = 0;

    for (;;) {
        struct bv in, body;
        size_t n, before;
        int ev;

        if (c->state != C_READ) {
            if (c->pending)
                moved |= send_some(c);
            if (c->state != C_READ)
                return moved; /* blocked, or closing */
            continue;
        }
        n = in_peek(c, &in);
        if (n == 0)
            in = bv_make(NULL, 0);
        before = bv_len(&in);
        if (!http_busy(&c->p) && before)
            c->since = ev_now(); /* a head's first byte */
        ev = http_parse(&c->p, &in, &body);
        if (before - bv_len(&in)) {
            in_consume(c, before - bv_len(&in));
            moved = 1;
        }
        switch (ev) {
        case HTTP_EV_AGAIN:
            return moved;
        case HTTP_EV_HEAD:
            log_request(c);
            moved = 1;
            break;
        case HTTP_EV_BODY:
            break; /* a static site takes no bodies: dropped */
        case HTTP_EV_END:
            respond(c);
            moved = 1;
            break;
        case HTTP_EV_ERROR:
            if (!c->line[0])
                snprintf(c->line, sizeof c->line, "-");
            snprintf(c->referer, sizeof c->referer, "-");
            snprintf(c->agent, sizeof c->agent, "-");
            answer_short(c, http_error(&c->p), NULL, NULL, 1);
            moved = 1;
            break;
        }
    }
}

static void conn_free(struct conn *c)
{
    ev_timer_cancel(&c->timer);
    if (c->tls) {
        tls_conn_release(&c->tls->c);
        free(c->tls);
    }
    free(c->chunk);
    free(c);
}

/* Ends (c) now: TCP aborted (RST), everything freed. */
static void conn_abort(struct conn *c)
{
    tcp_set_cb(c->tcp, NULL, NULL);
    tcp_abort(c->tcp);
    conn_free(c);
}

/* When the timer should fire next, for the state (c) is in. */
static void rearm(struct conn *c)
{
    uint64_t at;

    if (c->tls && !tls_conn_ready(&c->tls->c) && !c->closed)
        at = c->since + opt.handshake_ns;
    else if (c->state != C_READ || c->closed)
        at = c->moved + opt.send_ns;
    else if (http_busy(&c->p) && !http_have_head(&c->p))
        at = c->since + opt.header_ns;
    else if (http_busy(&c->p))
        at = c->moved + opt.header_ns;
    else
        at = c->since + opt.keepalive_ns;
    ev_timer_arm(&c->timer, at);
}

/* Moves bytes until nothing moves (TCP, TLS records, HTTP), then closes
 * what is finished. */
static void pump(struct conn *c)
{
    struct tcp_conn *t = c->tcp;
    struct bv v;
    size_t n;
    int more = 1;

    while (more) {
        more = 0;
        if (c->tls) {
            struct tls_conn *s = &c->tls->c;
            while ((n = tls_conn_out(s, &v)) > 0) {
                long w = tcp_write(t, bv_ptr(&v, 0, n), n);
                if (w <= 0)
                    break;
                tls_conn_out_ack(s, (size_t)w);
                c->moved = ev_now();
                more = 1;
            }
            while ((n = tcp_peek(t, &v)) > 0) {
                n = tls_conn_feed(s, bv_ptr(&v, 0, n), n);
                if (!n)
                    break;
                tcp_consume(t, n);
                more = 1;
            }
        }
        if (!c->closed && (!c->tls || tls_conn_ready(&c->tls->c))) {
            if (serve(c)) {
                c->moved = ev_now();
                more = 1;
            }
        }
        if (c->tls)
            tls_conn_flush(&c->tls->c);
        /* Answered with a close, and all of it out: the end. */
        if (!c->closed && c->state == C_CLOSE && !c->pending) {
            c->closed = 1;
            if (c->tls) {
                tls_conn_close(&c->tls->c);
                more = 1;
            }
        }
    }
    if (c->tls) {
        if (c->eof && !tcp_readable(t))
            tls_conn_eof(&c->tls->c);
        if (tls_conn_done(&c->tls->c)) {
            tcp_set_cb(t, NULL, NULL);
            tcp_close(t);
            conn_free(c);
            return;
        }
    } else if (c->closed ||
               (c->eof && c->state == C_READ && !tcp_readable(t))) {
        /* Closing, or the client closed and asked for nothing more. */
        tcp_set_cb(t, NULL, NULL);
        tcp_close(t);
        conn_free(c);
        return;
    }
    rearm(c);
}

static void on_event(struct tcp_conn *t, int ev, void *arg)
{
    struct conn *c = arg;

    (void)t;
    if (ev == TCP_EV_CLOSED) {
        conn_free(c);
        return;
    }
    if (ev == TCP_EV_EOF)
        c->eof = 1;
    pump(c);
}

static void on_timeout(struct ev_timer *tm, void *arg)
{
    struct conn *c = arg;

    (void)tm;
    if (c->timed_out || c->closed || c->state != C_READ ||
        (c->tls && !tls_conn_ready(&c->tls->c))) {
        conn_abort(c); /* no handshake, nothing taken, or a second time */
        return;
    }
    c->timed_out = 1;
    if (http_busy(&c->p)) {
        snprintf(c->line, sizeof c->line, "-");
        snprintf(c->referer, sizeof c->referer, "-");
        snprintf(c->agent, sizeof c->agent, "-");
        c->p.req.minor = 1;
        c->p.req.method = HTTP_M_GET;
        answer_short(c, 408, NULL, NULL, 1);
    } else {
        c->state = C_CLOSE; /* idle: a quiet close */
    }
    pump(c);
}

static void accept_conn(struct tcp_conn *t, int https)
{
    struct conn *c = malloc(sizeof *c);
    uint32_t laddr, raddr;
    uint16_t lport, rport;

    if (!c) {
        tcp_abort(t);
        return;
    }
    memset(c, 0, offsetof(struct conn, p));
    c->tcp = t;
    tcp_endpoints(t, &laddr, &lport, &raddr, &rport);
    net_ip4_format(raddr, c->peer);
    http_parser_init(&c->p, 64 * 1024);
    if (https) {
        int rc;
        c->tls = malloc(sizeof *c->tls);
        rc = c->tls ? tls_conn_init(&c->tls->c, &tls, c->tls->buf,
                                    sizeof c->tls->buf)
                    : PITH_ENOMEM;
        if (rc < 0) {
            printf(APP ": %s: %s\n", c->peer, pith_strerror(rc));
            free(c->tls);
            free(c);
            tcp_abort(t);
            return;
        }
    }
    c->since = c->moved = ev_now();
    ev_timer_init(&c->timer, on_timeout, c);
    tcp_nodelay(t, 1);
    tcp_set_cb(t, on_event, c);
    rearm(c);
}

static void on_accept_http(struct tcp_listener *l, struct tcp_conn *t, void *a)
{
    (void)l;
    (void)a;
    accept_conn(t, 0);
}

static void on_accept_https(struct tcp_listener *l, struct tcp_conn *t, void *a)
{
    (void)l;
    (void)a;
    accept_conn(t, 1);
}

/* ---- Start -------------------------------------------------------------- */

static struct ev_timer stats_timer;

static void print_stats(struct ev_timer *t, void *arg)
{
    struct net_stats ns;
    struct tls_stats st;

    (void)arg;
    net_stats(&net, &ns);
    printf(APP ": tcp conns=%llu retransmits=%llu timeouts=%llu\n",
           (unsigned long long)ns.tcp.conns,
           (unsigned long long)ns.tcp.retransmits,
           (unsigned long long)ns.tcp.timeouts);
    if (have_tls) {
        tls_server_stats(&tls, &st);
        printf(APP ": tls handshakes=%llu resumed=%llu failed=%llu "
                   "errors=%llu\n",
               (unsigned long long)st.handshakes,
               (unsigned long long)st.resumed, (unsigned long long)st.failed,
               (unsigned long long)st.errors);
    }
    ev_timer_arm(t, ev_now() + opt.stats_every * NET_SEC_NS);
}

/* Reads "--NAME=N" into (*v) within [lo, hi]; returns 1 when (a) is that
 * option, 0 when not, -1 (having said why) when its value is bad. */
static int num_opt(const char *a, const char *name, unsigned long lo,
                   unsigned long hi, unsigned long *v)
{
    size_t n = strlen(name);
    char *end;

    if (strncmp(a, name, n) != 0 || a[n] != '=')
        return 0;
    *v = strtoul(a + n + 1, &end, 10);
    if (*end || a[n + 1] < '0' || a[n + 1] > '9' || *v < lo || *v > hi) {
        printf(APP ": %s: expected a number from %lu to %lu\n", a, lo, hi);
        return -1;
    }
    return 1;
}

static int parse_opts(int argc, char **argv)
{
    static const struct {
        const char *name;
        uint64_t *ns;
    } secs[] = {
        {"--handshake-timeout", &opt.handshake_ns},
        {"--header-timeout", &opt.header_ns},
        {"--keepalive-timeout", &opt.keepalive_ns},
        {"--send-timeout", &opt.send_ns},
    };
    unsigned long v;
    int i, rc;
    size_t k;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--ipv4", 6) || !strncmp(a, "--dhcp", 6))
            continue; /* the network's: net_config_parse() read them */
        if ((rc = num_opt(a, "--http-port", 1, 65535, &opt.http_port)) ||
            (rc = num_opt(a, "--https-port", 1, 65535, &opt.https_port)) ||
            (rc = num_opt(a, "--cache", 0, 1000000, &opt.cache)) ||
            (rc = num_opt(a, "--stats-every", 1, 86400, &opt.stats_every))) {
            opt.stats |= !strncmp(a, "--stats-every=", 14);
            if (rc < 0)
                return -1;
            continue;
        }
        for (k = 0; k < sizeof secs / sizeof secs[0]; k++) {
            rc = num_opt(a, secs[k].name, 1, 3600, &v);
            if (rc < 0)
                return -1;
            if (rc) {
                *secs[k].ns = (uint64_t)v * NET_SEC_NS;
                break;
            }
        }
        if (k < sizeof secs / sizeof secs[0])
            continue;
        if (!strncmp(a, "--default-cert=", 15))
            opt.default_cert = a + 15;
        else if (!strcmp(a, "--http-serve"))
            opt.http_serve = 1;
        else if (!strcmp(a, "--quiet"))
            opt.quiet = 1;
        else if (!strcmp(a, "--stats"))
            opt.stats = 1;
        else {
            printf(APP ": %s: unknown option\n", a);
            return -1;
        }
    }
    if (opt.http_port == opt.https_port) {
        printf(APP ": --http-port and --https-port must differ\n");
        return -1;
    }
    return 0;
}

int app_main(int argc, char **argv)
{
    struct net_config nc;
    struct tls_cert_info ci;
    struct tls_impl im;
    char err[TAR_MSG_MAX + 256], addr[NET_IP4_STRLEN];
    struct kv certs;
    const char *from;
    long n;
    int rc;
    unsigned i;

    if (net_config_parse(argc, argv, &nc, err, sizeof err) < 0) {
        printf(APP ": %s\n", err);
        return 2;
    }
    if (parse_opts(argc, argv) < 0)
        return 2;

    /* The site: the archive when bound, else the baked folder. */
    rc = kv_open_tar(&kv, "site", err, sizeof err);
    if (rc == PITH_OK) {
        n = site_load("");
        from = "block site";
    } else if (rc == PITH_ENOENT) {
        kv_open_files(&kv);
        n = site_load("site/");
        from = "site/";
    } else {
        printf(APP ": block site: %s\n", err);
        return 1;
    }
    if (n < 0) {
        printf(APP ": out of memory for the site's index\n");
        return 1;
    }
    printf(APP ": %ld files from %s\n", n, from);

    rc = tls_server_init(&tls, opt.cache);
    if (rc < 0) {
        printf(APP ": cannot set up TLS: %s\n", pith_strerror(rc));
        return 1;
    }
    /* The certificates: the archive on "certs" when bound, else the
     * baked folder certs/. */
    rc = kv_open_tar(&certs, "certs", err, sizeof err);
    if (rc == PITH_OK) {
        rc = tls_server_add_kv(&tls, &certs, "", opt.default_cert, err,
                               sizeof err);
        kv_close(&certs);
        from = "block certs";
    } else if (rc == PITH_ENOENT) {
        rc = tls_server_add_dir(&tls, "certs", opt.default_cert, err,
                                sizeof err);
        from = "certs/";
    } else {
        printf(APP ": block certs: %s\n", err);
        return 1;
    }
    if (rc < 0) {
        printf(APP ": %s: %s\n", from, err);
        return 1;
    }
    have_tls = rc > 0;
    if (have_tls) {
        tls_server_impl(&tls, &im);
        printf(APP ": aes-gcm %s+%s, chacha20-poly1305 %s+%s\n", im.aes,
               im.ghash, im.chacha20, im.poly1305);
        for (i = 0; tls_server_cert(&tls, i, &ci) == PITH_OK; i++)
            printf(APP ": certificate %u: %s (%s %u, chain of %zu)%s\n", i,
                   ci.names, ci.key_type == BR_KEYTYPE_EC ? "ecdsa" : "rsa",
                   ci.key_bits, ci.chain_len, ci.is_default ? " default" : "");
    } else {
        printf(APP ": no certificate in %s: serving HTTP only\n", from);
    }

    rc = net_init(&net, "service", &nc);
    if (rc < 0) {
        printf(APP ": cannot start the network: %s\n", pith_strerror(rc));
        return 1;
    }
    rc = tcp_listen(&l_http, &net, (uint16_t)opt.http_port, on_accept_http,
                    NULL);
    if (rc == PITH_OK && have_tls)
        rc = tcp_listen(&l_https, &net, (uint16_t)opt.https_port,
                        on_accept_https, NULL);
    if (rc < 0) {
        printf(APP ": cannot listen: %s\n", pith_strerror(rc));
        return 1;
    }
    if (opt.stats) {
        ev_timer_init(&stats_timer, print_stats, NULL);
        ev_timer_arm(&stats_timer, ev_now() + opt.stats_every * NET_SEC_NS);
    }
    net_ip4_format(net_addr(&net), addr);
    if (have_tls)
        printf(APP ": https on %s port %lu, http on port %lu (%s)\n", addr,
               opt.https_port, opt.http_port,
               opt.http_serve ? "serving" : "redirecting");
    else
        printf(APP ": http on %s port %lu\n", addr, opt.http_port);
    return ev_run();
}
