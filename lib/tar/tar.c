/*
 * tar: archive headers. See <pith/tar.h>.
 *
 * The header block (POSIX.1-2017 XCU pax, "ustar Interchange Format"),
 * offsets in bytes:
 *   0 name[100]  124 size[12]  148 chksum[8]  156 typeflag  257 magic[6]
 *   263 version[2]  345 prefix[155] (ustar only: GNU tar keeps times and
 *   sparse maps there)
 * Numbers are octal ASCII ended by a space or NUL. GNU's base-256 numbers
 * (a first byte with its top bit set) only appear for sizes of 8 GiB and
 * more, which no archive we serve holds: they are refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <pith/err.h>
#include <pith/tar.h>

#define OFF_NAME    0
#define LEN_NAME    100
#define OFF_SIZE    124
#define LEN_SIZE    12
#define OFF_MTIME   136
#define LEN_MTIME   12
#define OFF_CHKSUM  148
#define LEN_CHKSUM  8
#define OFF_TYPE    156
#define OFF_MAGIC   257
#define OFF_VERSION 263
#define OFF_PREFIX  345
#define LEN_PREFIX  155

/* What the blocks after the header hold (r->state). */
#define ST_HEADER 0
#define ST_LONG   1 /* a GNU long name ('L') */
#define ST_PAX    2 /* a pax extended header ('x') */

/* Where a pax record ("LEN KEY=VALUE\n") stopped (r->pax_state). */
#define PX_LEN 0
#define PX_KEY 1
#define PX_VAL 2

static uint64_t round_up(uint64_t n)
{
    return (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

/* Copies (n) bytes of the name (s) into (out) for a message: printable
 * ASCII only, at most 80 characters. */
static void shown(char *out, size_t cap, const char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n && s[i] && k + 4 < cap; i++) {
        if (i == 80) {
            memcpy(out + k, "...", 3);
            k += 3;
            break;
        }
        out[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    }
    out[k] = '\0';
}

/* Fails with "member 'NAME' at byte HDR: what"; NAME is (name, n). */
static int fail(struct tar_reader *r, const char *name, size_t n,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct tar_reader *r, const char *name, size_t n,
                const char *fmt, ...)
{
    char who[96];
    va_list ap;
    int k;

    shown(who, sizeof who, name, n);
    k = snprintf(r->msg, sizeof r->msg, "member '%s' at byte %llu: ", who,
                 (unsigned long long)r->hdr);
    if (k > 0 && (size_t)k < sizeof r->msg) {
        va_start(ap, fmt);
        vsnprintf(r->msg + k, sizeof r->msg - (size_t)k, fmt, ap);
        va_end(ap);
    }
    r->err = PITH_EPROTO;
    return PITH_EPROTO;
}

/* An extended header with no member after it (the archive ends, or a
 * block of zeros comes). */
static int fail_end(struct tar_reader *r)
{
    snprintf(r->msg, sizeof r->msg,
             "the extended header at byte %llu has no member after it",
             (unsigned long long)(r->ext - 1));
    r->err = PITH_EPROTO;
    return PITH_EPROTO;
}

void tar_init(struct tar_reader *r, uint64_t size)
{
    memset(r, 0, sizeof *r);
    r->size = size;
}

uint64_t tar_want(const struct tar_reader *r)
{
    return r->pos;
}

/*
 * Reads the octal field of (len) bytes at (off) of the header (h) into
 * (*v): leading spaces, one digit or more, then spaces or NULs to the
 * end of the field, at least one of them (POSIX: "terminated by one or
 * more space or null characters"). Returns 0, or -1 when it is not such
 * a field.
 */
static int octal(struct bv *h, size_t off, size_t len, uint64_t *v)
{
    size_t i = 0;
    uint64_t n = 0;
    int digits = 0;

    while (i < len && bv_u8(h, off + i) == ' ')
        i++;
    for (; i < len; i++) {
        uint8_t c = bv_u8(h, off + i);
        if (c < '0' || c > '7')
            break;
        if (n >> 60)
            return -1; /* more than 64 bits: no field is that long */
        n = n << 3 | (uint64_t)(c - '0');
        digits++;
    }
    if (!digits || i == len)
        return -1;
    for (; i < len; i++) {
        uint8_t c = bv_u8(h, off + i);
        if (c != ' ' && c != '\0')
            return -1;
    }
    *v = n;
    return 0;
}

/* The length of the NUL-terminated or full field of (len) bytes at
 * (off) of (h). */
static size_t field_len(struct bv *h, size_t off, size_t len)
{
    long nul = bv_find(h, off, 0);

    if (nul < 0 || (size_t)nul >= off + len)
        return len;
    return (size_t)nul - off;
}

/* Whether every byte of (h) is zero. */
static int all_zero(struct bv *h)
{
    size_t i;

    for (i = 0; i < TAR_BLOCK; i++)
        if (bv_u8(h, i))
            return 0;
    return 1;
}

/* Whether the header's checksum holds: the sum of its bytes with the
 * checksum field read as spaces, unsigned as POSIX has it, or signed as
 * some old tars computed it. */
static int checksum_ok(struct bv *h, uint64_t want)
{
    uint64_t sum_u = 0;
    int64_t sum_s = 0;
    size_t i;

    for (i = 0; i < TAR_BLOCK; i++) {
        uint8_t c =
            i >= OFF_CHKSUM && i < OFF_CHKSUM + LEN_CHKSUM ? ' ' : bv_u8(h, i);
        sum_u += c;
        sum_s += (int8_t)c;
    }
    return sum_u == want || (sum_s >= 0 && (uint64_t)sum_s == want);
}

/*
 * Sets (path) to the member's path: (name, n) without leading "./" (and
 * lone "." parts at the front). Returns 0, or -1 when a regular file's
 * path would be unsafe: empty, absolute, with an empty, "." or ".."
 * part, ending in '/', or too long.
 */
static int make_path(char path[TAR_PATH_MAX], const char *name, size_t n)
{
    size_t i, start;

    while (n >= 2 && name[0] == '.' && name[1] == '/') {
        name += 2;
        n -= 2;
        while (n && name[0] == '/') {
            name++;
            n--;
        }
    }
    if (n == 0 || n >= TAR_PATH_MAX || name[0] == '/')
        return -1;
    for (start = 0, i = 0; i <= n; i++) {
        size_t k = i - start;
        if (i < n && name[i] != '/') {
            if (name[i] == '\0')
                return -1;
            continue;
        }
        if (k == 0 || (k == 1 && name[start] == '.') ||
            (k == 2 && name[start] == '.' && name[start + 1] == '.'))
            return -1;
        start = i + 1;
    }
    memcpy(path, name, n);
    path[n] = '\0';
    return 0;
}

/* Whether the key of the pax record being read is (k), of 4 bytes. */
static int key_is(const struct tar_reader *r, const char *k)
{
    return r->key_len == 4 && memcmp(r->key, k, 4) == 0;
}

/* Reads the next (n) bytes (p) of a pax extended header's data: records
 * "LEN KEY=VALUE\n", LEN counting the whole record (POSIX.1-2017 XCU
 * pax, "pax Extended Header"), of which "path" and "size" are kept. */
static int pax_feed(struct tar_reader *r, const uint8_t *p, size_t n)
{
    static const char what[] = "pax extended header";
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = p[i];

        r->rec_read++;
        if (r->pax_state == PX_LEN) {
            if (c >= '0' && c <= '9' && r->rec_len < (1ull << 40)) {
                r->rec_len = r->rec_len * 10 + (uint64_t)(c - '0');
                continue;
            }
            /* The space, and room for at least "K=\n" after it. */
            if (c != ' ' || r->rec_read == 1 || r->rec_len < r->rec_read + 3)
                return fail(r, r->pax_path, r->pax_len, "%s: bad record length",
                            what);
            r->pax_state = PX_KEY;
            r->key_len = 0;
            continue;
        }
        if (r->rec_read == r->rec_len) {
            if (c != '\n')
                return fail(r, r->pax_path, r->pax_len,
                            "%s: a record not ended by a newline", what);
            if (r->pax_state != PX_VAL)
                return fail(r, r->pax_path, r->pax_len,
                            "%s: a record without '='", what);
            if (key_is(r, "size") && r->pax_size_set == 2)
                return fail(r, r->pax_path, r->pax_len, "%s: bad size", what);
            r->pax_state = PX_LEN;
            r->rec_len = r->rec_read = 0;
            continue;
        }
        if (r->pax_state == PX_KEY) {
            if (c != '=') {
                if (r->key_len < sizeof r->key)
                    r->key[r->key_len] = (char)c;
                if (r->key_len < UINT8_MAX)
                    r->key_len++;
                continue;
            }
            if (r->key_len == 0)
                return fail(r, r->pax_path, r->pax_len,
                            "%s: a record without a key", what);
            r->pax_state = PX_VAL;
            if (key_is(r, "path")) {
                r->pax_len = 0;
            } else if (key_is(r, "size")) {
                r->pax_size = 0;
                r->pax_size_set = 2;
            }
            continue;
        }
        /* A byte of the value. */
        if (key_is(r, "path")) {
            if (c == '\0' || r->pax_len + 1 >= TAR_PATH_MAX)
                return fail(r, r->pax_path, r->pax_len, "%s: path %s", what,
                            c ? "of 256 bytes or more" : "holding a NUL");
            r->pax_path[r->pax_len++] = (char)c;
        } else if (key_is(r, "size")) {
            if (c < '0' || c > '9' || r->pax_size > (1ull << 56))
                return fail(r, r->pax_path, r->pax_len, "%s: bad size", what);
            r->pax_size = r->pax_size * 10 + (uint64_t)(c - '0');
            r->pax_size_set = 1;
        }
    }
    return 0;
}

/* Reads the next (n) bytes (p) of a GNU long name: the name, its NUL,
 * and whatever follows the NUL (ignored). */
static int long_feed(struct tar_reader *r, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n && !r->long_done; i++) {
        if (p[i] == '\0') {
            r->long_done = 1;
        } else {
            if (r->long_len + 1 >= TAR_PATH_MAX)
                return fail(r, r->long_name, r->long_len,
                            "GNU long name of 256 bytes or more");
            r->long_name[r->long_len++] = (char)p[i];
        }
    }
    return 0;
}

/* Reads a block of extension data (a GNU long name, a pax header). */
static int ext_block(struct tar_reader *r, struct bv *b)
{
    size_t n = r->left < TAR_BLOCK ? (size_t)r->left : TAR_BLOCK;
    const uint8_t *p = bv_ptr(b, 0, n);
    int rc;

    rc = r->state == ST_LONG ? long_feed(r, p, n) : pax_feed(r, p, n);
    if (rc < 0)
        return rc;
    r->left -= n;
    r->pos += TAR_BLOCK;
    if (r->left)
        return TAR_MORE;
    if (r->state == ST_LONG) {
        if (!r->long_done || r->long_len == 0)
            return fail(r, r->long_name, r->long_len, "GNU long name %s",
                        r->long_done ? "empty" : "not ended by a NUL");
        r->long_name[r->long_len] = '\0';
    } else {
        if (r->pax_state != PX_LEN || r->rec_read)
            return fail(r, r->pax_path, r->pax_len,
                        "pax extended header: its last record is cut");
        r->pax_path[r->pax_len] = '\0';
    }
    r->state = ST_HEADER;
    return TAR_MORE;
}

/* Reads a header block. */
static int header_block(struct tar_reader *r, struct bv *h, struct tar_entry *e)
{
    char name[LEN_PREFIX + 1 + LEN_NAME + 1];
    const char *full = name;
    size_t nlen, plen, flen;
    uint64_t sum, size, data, end;
    uint8_t type;
    int posix;

    r->hdr = r->pos;
    if (all_zero(h)) {
        if (r->ext)
            return fail_end(r);
        r->done = 1;
        return TAR_END;
    }
    /* The name first, for messages: as the header has it. */
    nlen = field_len(h, OFF_NAME, LEN_NAME);
    bv_copy(h, OFF_NAME, name, nlen);
    name[nlen] = '\0';
    posix = bv_eq(h, OFF_MAGIC,
                  "ustar\0"
                  "00",
                  8);
    if (!posix && !bv_eq(h, OFF_MAGIC, "ustar  \0", 8))
        return fail(r, name, nlen, "not a ustar or GNU tar header (magic)");
    if (octal(h, OFF_CHKSUM, LEN_CHKSUM, &sum) < 0)
        return fail(r, name, nlen, "bad header checksum field");
    if (!checksum_ok(h, sum))
        return fail(r, name, nlen, "bad header checksum");
    plen = posix ? field_len(h, OFF_PREFIX, LEN_PREFIX) : 0;
    if (plen) {
        bv_copy(h, OFF_PREFIX, name, plen);
        name[plen] = '/';
        bv_copy(h, OFF_NAME, name + plen + 1, nlen);
        nlen += plen + 1;
        name[nlen] = '\0';
    }
    flen = nlen;
    if (r->pax_len) {
        full = r->pax_path;
        flen = r->pax_len;
    } else if (r->long_len) {
        full = r->long_name;
        flen = r->long_len;
    }
    type = bv_u8(h, OFF_TYPE);
    if (bv_u8(h, OFF_SIZE) & 0x80)
        return fail(r, full, flen, "size in base-256 (8 GiB or more)");
    if (octal(h, OFF_SIZE, LEN_SIZE, &size) < 0)
        return fail(r, full, flen, "bad size field");
    if (r->pax_size_set && type != 'x' && type != 'L')
        size = r->pax_size;
    /* Links, devices, directories and FIFOs have no data, whatever
     * their size field says (POSIX). */
    if (type >= '1' && type <= '6')
        size = 0;
    data = r->pos + TAR_BLOCK;
    if (size > r->size - data || round_up(size) > r->size - data)
        return fail(r, full, flen,
                    "its %llu bytes run past the end of the archive "
                    "(%llu bytes)",
                    (unsigned long long)size, (unsigned long long)r->size);
    end = data + round_up(size);

    switch (type) {
    case 'x': /* pax: attributes of the next member */
        if (!r->ext)
            r->ext = r->pos + 1;
        r->pax_state = PX_LEN;
        r->rec_len = r->rec_read = 0;
        r->pax_len = 0;
        r->pax_size_set = 0;
        r->state = ST_PAX;
        r->left = size;
        r->pos = data;
        if (size == 0)
            r->state = ST_HEADER;
        return TAR_MORE;
    case 'L': /* GNU: the name of the next member */
        if (r->long_len)
            return fail(r, full, flen, "two GNU long names in a row");
        if (!r->ext)
            r->ext = r->pos + 1;
        r->long_done = 0;
        r->state = ST_LONG;
        r->left = size;
        r->pos = data;
        if (size == 0)
            return fail(r, full, flen, "GNU long name empty");
        return TAR_MORE;
    case 'K': /* GNU: a long link name */
    case 'g': /* pax: global attributes */
    case 'D': /* GNU: an incremental dump's directory */
    case 'V': /* GNU: a volume label */
        r->pos = end;
        return TAR_MORE;
    case 'S':
        return fail(r, full, flen, "a GNU sparse file: not supported");
    case 'M':
        return fail(r, full, flen,
                    "a GNU multi-volume continuation: not supported");
    case '0':
    case '\0':
    case '7': /* contiguous: a regular file to all but its maker */
        break;
    default:
        if (type >= '1' && type <= '6')
            break;
        return fail(r, full, flen, "unknown member type '%c'",
                    type >= 0x20 && type < 0x7f ? type : '?');
    }

    /* A member proper: the pending extensions were for it. */
    r->long_len = r->pax_len = 0;
    r->pax_size_set = 0;
    r->ext = 0;
    r->pos = end;
    if (type != '0' && type != '\0' && type != '7')
        return TAR_MORE;
    /* Old tars marked directories as regular files ending in '/'. */
    if (flen && full[flen - 1] == '/' && size == 0)
        return TAR_MORE;
    if (make_path(e->path, full, flen) < 0)
        return fail(r, full, flen,
                    "a file's path must be relative, under %d bytes, "
                    "without empty, . or .. parts",
                    TAR_PATH_MAX);
    e->offset = data;
    e->size = size;
    /* The modification time only informs (HTTP's validators): one that
     * is not plain octal (GNU's base-256 for times before 1970) is 0. */
    if (octal(h, OFF_MTIME, LEN_MTIME, &e->mtime) < 0)
        e->mtime = 0;
    return TAR_FILE;
}

int tar_next(struct tar_reader *r, struct bv *b, struct tar_entry *e)
{
    if (r->err)
        return r->err;
    if (r->done)
        return TAR_END;
    if (b == NULL || r->pos > r->size || r->size - r->pos < TAR_BLOCK) {
        /* No block here: an archive without its blocks of zeros, which
         * tar accepts, unless a member is not whole. */
        if (r->state != ST_HEADER || r->ext)
            return fail_end(r);
        r->done = 1;
        return TAR_END;
    }
    if (bv_len(b) != TAR_BLOCK || !bv_ok(b))
        return PITH_EINVAL;
    if (r->state != ST_HEADER)
        return ext_block(r, b);
    return header_block(r, b, e);
}
