/*
 * Unit tests for lib/tar over archives written here, header by header,
 * as GNU tar writes them (--format=ustar, gnu, pax): paths from the
 * name and prefix fields, GNU long names, pax paths and sizes, members
 * skipped, the end with and without blocks of zeros; and refusals, each
 * with its message: bad magic, checksums, sizes, fields without their
 * terminator, sizes past the end, unsafe paths, broken extensions. Then
 * archives GNU tar writes at test time (ustar, gnu, pax) of a tree with
 * a 100-byte name and a 162-byte one, directories and a link, each
 * file's path, size and bytes checked; and those archives broken.
 */
#include <pith/err.h>
#include <pith/tar.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define GNU   0
#define USTAR 1

static uint8_t ar[64 * TAR_BLOCK];
static size_t ar_len;

/* Appends a header for (name) of (type) and (size) ((sizefield) instead
 * when not NULL), (prefix) for ustar; the checksum made right. */
static uint8_t *hdr(int fmt, const char *name, const char *prefix, char type,
                    uint64_t size, const char *sizefield)
{
    uint8_t *h = ar + ar_len;
    unsigned sum = 0, i;

    memset(h, 0, TAR_BLOCK);
    memcpy(h, name, strnlen(name, 100));
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0001750", 8);
    memcpy(h + 116, "0001750", 8);
    if (sizefield)
        memcpy(h + 124, sizefield, 12);
    else
        snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(h + 136, "15100000000", 12);
    h[156] = (uint8_t)type;
    if (fmt == USTAR) {
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        if (prefix)
            memcpy(h + 345, prefix, strnlen(prefix, 155));
    } else {
        memcpy(h + 257, "ustar  \0", 8);
    }
    memcpy(h + 265, "user", 4);
    memset(h + 148, ' ', 8);
    for (i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    ar_len += TAR_BLOCK;
    return h;
}

/* Re-sums the header (h) after a change. */
static void resum(uint8_t *h)
{
    unsigned sum = 0, i;

    memset(h + 148, ' ', 8);
    for (i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Appends (n) bytes of (data), padded to a block. */
static void data(const void *d, size_t n)
{
    memset(ar + ar_len, 0, (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK);
    memcpy(ar + ar_len, d, n);
    ar_len += (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

/* Appends a file. */
static void file(int fmt, const char *name, const char *text)
{
    hdr(fmt, name, NULL, '0', strlen(text), NULL);
    data(text, strlen(text));
}

static void end(void)
{
    memset(ar + ar_len, 0, 2 * TAR_BLOCK);
    ar_len += 2 * TAR_BLOCK;
}

/* A pax record "LEN KEY=VALUE\n" in (buf); returns its length. */
static size_t rec(char *buf, const char *key, const char *val)
{
    size_t n = strlen(key) + strlen(val) + 3, d = 1;

    while (n + d >= (d == 1 ? 10u : d == 2 ? 100u : 1000u))
        d++;
    return (size_t)sprintf(buf, "%zu %s=%s\n", n + d, key, val);
}

/* Reads the archive (ar, ar_len): the files as "PATH@OFFSET+SIZE "
 * into (out); returns what tar_next() ended with. */
static int walk(char *out, size_t cap, struct tar_reader *r)
{
    struct tar_entry e;
    int rc, steps = 0;

    out[0] = '\0';
    tar_init(r, ar_len);
    do {
        uint64_t at = tar_want(r);
        struct bv b = bv_make(ar + at, TAR_BLOCK);
        rc = tar_next(r, at + TAR_BLOCK <= ar_len ? &b : NULL, &e);
        if (rc == TAR_FILE) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s@%llu+%llu ", e.path,
                     (unsigned long long)e.offset, (unsigned long long)e.size);
        }
    } while ((rc == TAR_MORE || rc == TAR_FILE) && ++steps < 1000);
    return rc;
}

static char got[2048];
static struct tar_reader r;

#define WALK_IS(want)                                                          \
    do {                                                                       \
        int rc_ = walk(got, sizeof got, &r);                                   \
        T_CHECKF(rc_ == TAR_END, "ended with %d: %s", rc_, r.msg);             \
        T_CHECKF(strcmp(got, want) == 0, "got '%s'", got);                     \
    } while (0)

#define REFUSED(want)                                                          \
    do {                                                                       \
        int rc_ = walk(got, sizeof got, &r);                                   \
        T_CHECKF(rc_ == PITH_EPROTO && r.err == PITH_EPROTO, "ended with %d",  \
                 rc_);                                                         \
        T_CHECKF(strcmp(r.msg, want) == 0, "message '%s'", r.msg);             \
    } while (0)

static void test_ustar(void)
{
    ar_len = 0;
    hdr(USTAR, "zones/", NULL, '5', 0, NULL);
    file(USTAR, "zones/a.zone", "hello\n");
    file(USTAR, "zones/empty", "");
    hdr(USTAR, "b.zone", "zones/deep/er", '0', 600, NULL);
    data(ar, 600); /* any bytes */
    end();
    WALK_IS("zones/a.zone@1024+6 zones/empty@2048+0 "
            "zones/deep/er/b.zone@2560+600 ");
    /* Again: the end stays the end. */
    T_CHECK(tar_next(&r, NULL, NULL) == TAR_END);
}

static void test_gnu(void)
{
    char longname[200];

    memset(longname, 'n', sizeof longname);
    memcpy(longname, "zones/", 6);
    memcpy(longname + 190, ".zone", 6); /* 195 bytes and the NUL */
    ar_len = 0;
    hdr(GNU, "./", NULL, '5', 0, NULL);
    file(GNU, "./example.com.zone", "x");
    /* GNU's prefix area holds times, never a path. */
    memcpy(hdr(GNU, "t.zone", NULL, '0', 0, NULL) + 345, "12345670123", 11);
    resum(ar + ar_len - TAR_BLOCK);
    hdr(GNU, "././@LongLink", NULL, 'L', 196, NULL);
    data(longname, 196);
    file(GNU, "zones/nnnnnnnnnnnnnnnnnnnn", "long");
    end();
    snprintf(got, sizeof got,
             "example.com.zone@1024+1 t.zone@2048+0 %s@3584+4 ", longname);
    {
        char want[sizeof got];
        memcpy(want, got, sizeof want);
        WALK_IS(want);
    }
}

static void test_pax(void)
{
    char x[1024], longname[250];
    size_t n;

    memset(longname, 'p', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ar_len = 0;
    n = rec(x, "mtime", "1763798400.5");
    n += rec(x + n, "path", longname);
    n += rec(x + n, "SCHILY.xattr.user.k", "v");
    hdr(USTAR, "PaxHeaders/p", NULL, 'x', n, NULL);
    data(x, n);
    file(USTAR, "pppp", "pax");
    /* A pax size overrides the header's. */
    n = rec(x, "size", "700");
    hdr(USTAR, "PaxHeaders/big", NULL, 'x', n, NULL);
    data(x, n);
    hdr(USTAR, "big", NULL, '0', 0, NULL);
    data(ar, 700);
    /* Global headers are skipped. */
    n = rec(x, "path", "ignored");
    hdr(USTAR, "GlobalHead", NULL, 'g', n, NULL);
    data(x, n);
    file(USTAR, "z", "");
    end();
    snprintf(x, sizeof x, "%s@1536+3 big@3584+700 z@6144+0 ", longname);
    WALK_IS(x);
}

static void test_skipped(void)
{
    ar_len = 0;
    /* Links, devices and directories carry no data whatever their size
     * field says; GNU's volume labels and long link names are skipped. */
    hdr(USTAR, "link", NULL, '1', 4096, NULL);
    hdr(USTAR, "sym", NULL, '2', 7, NULL);
    hdr(USTAR, "dev", NULL, '3', 0, NULL);
    hdr(USTAR, "fifo", NULL, '6', 0, NULL);
    hdr(GNU, "vol", NULL, 'V', 0, NULL);
    hdr(GNU, "././@LongLink", NULL, 'K', 3, NULL);
    data("xy", 3);
    hdr(GNU, "olddir/", NULL, '0', 0, NULL);
    file(USTAR, "contig", "c");
    hdr(USTAR, "c7", NULL, '7', 1, NULL);
    data("7", 1);
    end();
    WALK_IS("contig@4608+1 c7@5632+1 ");
}

static void test_ends(void)
{
    /* No blocks of zeros at all: the end at a member boundary. */
    ar_len = 0;
    file(USTAR, "a", "1");
    WALK_IS("a@512+1 ");
    /* One block of zeros is the end, and what follows is not read. */
    ar_len = 0;
    file(USTAR, "a", "1");
    memset(ar + ar_len, 0, TAR_BLOCK);
    ar_len += TAR_BLOCK;
    memset(ar + ar_len, 'G', TAR_BLOCK);
    ar_len += TAR_BLOCK;
    WALK_IS("a@512+1 ");
    /* An empty archive, and a lone block of zeros. */
    ar_len = 0;
    WALK_IS("");
    end();
    WALK_IS("");
    /* A length that is not whole blocks: the tail is no block. */
    ar_len = 0;
    file(USTAR, "a", "1");
    ar_len += 100;
    WALK_IS("a@512+1 ");
}

static void test_checksum(void)
{
    uint8_t *h;
    unsigned sum = 0;
    int i;

    /* A name with bytes above 0x7f, summed signed as old tars did. */
    ar_len = 0;
    h = hdr(USTAR, "caf\xc3\xa9", NULL, '0', 0, NULL);
    memset(h + 148, ' ', 8);
    for (i = 0; i < TAR_BLOCK; i++)
        sum += (unsigned)(int)(int8_t)h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    end();
    WALK_IS("caf\xc3\xa9@512+0 ");

    ar_len = 0;
    file(USTAR, "zones/a.zone", "x");
    ar[0 + 3] ^= 1; /* "zones" -> "zonds" */
    end();
    REFUSED("member 'zonds/a.zone' at byte 0: bad header checksum");

    ar_len = 0;
    file(USTAR, "a", "x");
    file(USTAR, "b", "x");
    memcpy(ar + 1024 + 148, "0x1234 ", 8);
    REFUSED("member 'b' at byte 1024: bad header checksum field");
}

static void test_fields(void)
{
    /* Magic: v7 tar and other things. */
    ar_len = 0;
    file(USTAR, "a", "x");
    memset(ar + 257, 0, 8);
    resum(ar);
    REFUSED("member 'a' at byte 0: not a ustar or GNU tar header (magic)");
    ar_len = 0;
    memset(ar, 'A', TAR_BLOCK);
    ar_len = TAR_BLOCK;
    REFUSED(
        "member 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAAAA...' at byte 0: not a ustar or GNU tar "
        "header (magic)");
    /* A size of twelve digits, with no room for its terminator. */
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "000000000001");
    data("x", 1);
    REFUSED("member 'a' at byte 0: bad size field");
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "00000000001x");
    REFUSED("member 'a' at byte 0: bad size field");
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "           ");
    REFUSED("member 'a' at byte 0: bad size field");
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "\x80\0\0\0\0\0\0\0\0\0\0\x01");
    REFUSED("member 'a' at byte 0: size in base-256 (8 GiB or more)");
    /* Leading spaces and a space for a terminator are fine. */
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "         12 ");
    data("0123456789", 10);
    WALK_IS("a@512+10 ");
    /* A name of a full 100 bytes, without a NUL, is a name. */
    ar_len = 0;
    {
        char n100[101];
        memset(n100, 'q', 100);
        n100[100] = '\0';
        hdr(USTAR, n100, "pre", '0', 0, NULL);
        end();
        snprintf(got, sizeof got, "pre/%s@512+0 ", n100);
        char want[sizeof got];
        memcpy(want, got, sizeof want);
        WALK_IS(want);
    }
}

static void test_past_end(void)
{
    ar_len = 0;
    hdr(USTAR, "zones/a.zone", NULL, '0', 5000, NULL);
    data("x", 1);
    REFUSED("member 'zones/a.zone' at byte 0: its 5000 bytes run past the "
            "end of the archive (1024 bytes)");
    /* The padding of the last block must be there too. */
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 513, NULL);
    data(ar, 512);
    REFUSED("member 'a' at byte 0: its 513 bytes run past the end of the "
            "archive (1024 bytes)");
    /* The largest size the field holds. */
    ar_len = 0;
    hdr(USTAR, "a", NULL, '0', 0, "77777777777");
    REFUSED("member 'a' at byte 0: its 8589934591 bytes run past the end "
            "of the archive (512 bytes)");
    /* Skipped members too. */
    ar_len = 0;
    hdr(GNU, "vol", NULL, 'V', 1 << 20, NULL);
    end();
    REFUSED("member 'vol' at byte 0: its 1048576 bytes run past the end of "
            "the archive (1536 bytes)");
}

static void test_paths(void)
{
    static const char *const bad[] = {"/etc/passwd", "a/../b",  "..",
                                      "a//b",        "a/./b",   "/a",
                                      "a/..",        "../zone", "."};
    static const char *const ok[][2] = {
        {"./a", "a"},   {"././a/b", "a/b"}, {".//a", "a"},
        {"..a", "..a"}, {"a.", "a."},       {".a/.b", ".a/.b"},
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        ar_len = 0;
        hdr(USTAR, bad[i], NULL, '0', 0, NULL);
        end();
        snprintf(want, sizeof want,
                 "member '%s' at byte 0: a file's path must be relative, "
                 "under 256 bytes, without empty, . or .. parts",
                 bad[i]);
        REFUSED(want);
    }
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char want[256];
        ar_len = 0;
        hdr(USTAR, ok[i][0], NULL, '0', 0, NULL);
        end();
        snprintf(want, sizeof want, "%s@512+0 ", ok[i][1]);
        WALK_IS(want);
    }
    /* A directory's path is not checked: it is skipped. */
    ar_len = 0;
    hdr(USTAR, "../", NULL, '5', 0, NULL);
    end();
    WALK_IS("");
    /* Control characters are shown as '?'. */
    ar_len = 0;
    hdr(USTAR, "a\n/../b", NULL, '0', 0, NULL);
    end();
    REFUSED("member 'a?/../b' at byte 0: a file's path must be relative, "
            "under 256 bytes, without empty, . or .. parts");
}

static void test_extensions(void)
{
    char x[600];
    size_t n;

    /* A GNU long name without its NUL. */
    ar_len = 0;
    hdr(GNU, "././@LongLink", NULL, 'L', 4, NULL);
    data("abcd", 4);
    file(GNU, "abc", "x");
    REFUSED("member 'abcd' at byte 0: GNU long name not ended by a NUL");
    /* Too long. */
    ar_len = 0;
    memset(x, 'l', 300);
    x[300] = '\0';
    hdr(GNU, "././@LongLink", NULL, 'L', 301, NULL);
    data(x, 301);
    REFUSED("member 'llllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
            "llllllllllllllllllllll...' at byte 0: GNU long name of 256 "
            "bytes or more");
    /* Two in a row. */
    ar_len = 0;
    hdr(GNU, "././@LongLink", NULL, 'L', 2, NULL);
    data("a", 2);
    hdr(GNU, "././@LongLink", NULL, 'L', 2, NULL);
    data("b", 2);
    REFUSED("member 'a' at byte 1024: two GNU long names in a row");
    /* An extension and then the end. */
    ar_len = 0;
    hdr(GNU, "././@LongLink", NULL, 'L', 2, NULL);
    data("a", 2);
    REFUSED("the extended header at byte 0 has no member after it");
    ar_len = 0;
    n = rec(x, "path", "p");
    hdr(USTAR, "PaxHeaders/p", NULL, 'x', n, NULL);
    data(x, n);
    end();
    REFUSED("the extended header at byte 0 has no member after it");
    /* pax records: lengths that lie, no newline, no key, bad sizes. */
    {
        static const char *const recs[][2] = {
            {"2 a=b\n", "pax extended header: bad record length"},
            {"x a=b\n", "pax extended header: bad record length"},
            {"6 a=bX", "pax extended header: a record not ended by a newline"},
            {"6 abc\n", "pax extended header: a record without '='"},
            {"6 =ab\n", "pax extended header: a record without a key"},
            {"8 size=\n", "pax extended header: bad size"},
            {"11 size=1x\n", "pax extended header: bad size"},
            {"9 path=a\n7 a=", "pax extended header: its last record is cut"},
            {"99999999999999999999 a=b\n",
             "pax extended header: bad record length"},
            {"3 \n", "pax extended header: bad record length"},
        };
        size_t i;
        for (i = 0; i < sizeof recs / sizeof recs[0]; i++) {
            char want[256];
            ar_len = 0;
            n = strlen(recs[i][0]);
            hdr(USTAR, "PaxHeaders/q", NULL, 'x', n, NULL);
            data(recs[i][0], n);
            file(USTAR, "q", "x");
            end();
            snprintf(want, sizeof want, "member '%s' at byte 0: %s",
                     i == 7 ? "a" : "", recs[i][1]);
            REFUSED(want);
        }
    }
    /* A path with a NUL in it. */
    ar_len = 0;
    memcpy(x, "11 path=a\0b\n", 12);
    hdr(USTAR, "PaxHeaders/q", NULL, 'x', 12, NULL);
    data(x, 12);
    REFUSED("member 'a' at byte 0: pax extended header: path holding a NUL");
    /* A record that spans blocks, and an empty pax header. */
    ar_len = 0;
    {
        char big[700];
        size_t k = (size_t)sprintf(big, "600 comment=");
        memset(big + k, 'v', 600 - k - 1);
        big[599] = '\n';
        n = 600 + rec(big + 600, "path", "spans");
        hdr(USTAR, "PaxHeaders/s", NULL, 'x', n, NULL);
        data(big, n);
    }
    file(USTAR, "s", "x");
    hdr(USTAR, "PaxHeaders/e", NULL, 'x', 0, NULL);
    file(USTAR, "e", "y");
    end();
    WALK_IS("spans@2048+1 e@3584+1 ");
    /* Sparse, multi-volume, unknown types. */
    ar_len = 0;
    hdr(GNU, "sp", NULL, 'S', 0, NULL);
    REFUSED("member 'sp' at byte 0: a GNU sparse file: not supported");
    ar_len = 0;
    hdr(GNU, "mv", NULL, 'M', 0, NULL);
    REFUSED("member 'mv' at byte 0: a GNU multi-volume continuation: not "
            "supported");
    ar_len = 0;
    hdr(GNU, "q", NULL, 'Q', 0, NULL);
    REFUSED("member 'q' at byte 0: unknown member type 'Q'");
}

static void test_errors_stick(void)
{
    struct bv b;

    ar_len = 0;
    hdr(USTAR, "a", NULL, 'Q', 0, NULL);
    end();
    T_CHECK(walk(got, sizeof got, &r) == PITH_EPROTO);
    b = bv_make(ar + TAR_BLOCK, TAR_BLOCK);
    T_CHECK(tar_next(&r, &b, NULL) == PITH_EPROTO);
    T_CHECK(tar_next(&r, NULL, NULL) == PITH_EPROTO);
    /* A block of the wrong length is a broken contract. */
    tar_init(&r, ar_len);
    b = bv_make(ar, TAR_BLOCK - 1);
    T_CHECK(tar_next(&r, &b, NULL) == PITH_EINVAL && r.err == 0);
}

/* ---- Archives GNU tar writes, here at test time ---- */

/* The files put in the archives: path, size, and the byte i of each is
 * (i * 7 + seed) % 251, so that any misplaced data shows. */
struct real_file {
    const char *path;
    size_t size;
};

/* 49 and 47 bytes */
#define D49 "0123456789012345678901234567890123456789012345678"
#define D47 "01234567890123456789012345678901234567890123456"
static const struct real_file real_files[] = {
    {"a.txt", 5},
    {"big.bin", 1500},
    {"empty", 0},
    {"sub/block", 512},
    /* 100 bytes: the whole name field, no NUL. */
    {"sub/" D49 D47, 0},
    /* 160 bytes: the ustar prefix holds "sub/" D49 "/" D49 "/" D49. */
    {"sub/" D49 "/" D49 "/" D49 "/leaf.txt", 33},
};
#define N_REAL (sizeof real_files / sizeof real_files[0])

static char tmp[64];
static uint8_t *real;
static size_t real_len;

static uint8_t real_byte(size_t f, size_t i)
{
    return (uint8_t)((i * 7 + f * 13) % 251);
}

/* Runs the shell command (fmt, ...) in the test's directory. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    int k = snprintf(cmd, sizeof cmd, "cd '%s' && ", tmp);

    va_start(ap, fmt);
    vsnprintf(cmd + k, sizeof cmd - (size_t)k, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* Writes the files under tmp/src, with a directory, an empty directory
 * and a symbolic link, which the reader skips. */
static int real_setup(void)
{
    size_t f, i;

    strcpy(tmp, "/tmp/tar_test.XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    if (sh("mkdir -p src/sub/" D49 "/" D49 "/" D49 " src/emptydir && "
           "ln -s a.txt src/link"))
        return -1;
    for (f = 0; f < N_REAL; f++) {
        char p[512];
        FILE *o;

        snprintf(p, sizeof p, "%s/src/%s", tmp, real_files[f].path);
        o = fopen(p, "wb");
        if (!o)
            return -1;
        for (i = 0; i < real_files[f].size; i++)
            fputc(real_byte(f, i), o);
        fclose(o);
    }
    /* A known modification time, read back from every format. */
    if (sh("find src -type f -exec touch -d @1700000000 {} +"))
        return -1;
    return 0;
}

/* Loads tmp/NAME into (real, real_len). */
static int real_load(const char *name)
{
    char p[128];
    FILE *in;
    long n;

    free(real);
    real = NULL;
    real_len = 0;
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    in = fopen(p, "rb");
    if (!in)
        return -1;
    fseek(in, 0, SEEK_END);
    n = ftell(in);
    rewind(in);
    real = malloc((size_t)n + 1);
    if (!real || fread(real, 1, (size_t)n, in) != (size_t)n) {
        fclose(in);
        return -1;
    }
    fclose(in);
    real_len = (size_t)n;
    return 0;
}

/* Walks (real, real_len); each file must be real_files[] in order, its
 * bytes where the entry says. Returns the last code; (*nfiles) counts. */
static int real_walk(struct tar_reader *rd, size_t *nfiles)
{
    struct tar_entry e;
    int rc, steps = 0;

    *nfiles = 0;
    tar_init(rd, real_len);
    do {
        uint64_t at = tar_want(rd);
        struct bv b = bv_make(real + (at < real_len ? at : 0), TAR_BLOCK);
        rc = tar_next(rd, at + TAR_BLOCK <= real_len ? &b : NULL, &e);
        if (rc == TAR_FILE) {
            size_t f = *nfiles, i, bad = 0;

            T_CHECKF(f < N_REAL, "extra file '%s'", e.path);
            if (f >= N_REAL)
                break;
            T_CHECKF(strcmp(e.path, real_files[f].path) == 0,
                     "file %zu is '%s'", f, e.path);
            T_CHECKF(e.size == real_files[f].size, "'%s': size %llu", e.path,
                     (unsigned long long)e.size);
            T_CHECK(e.offset % TAR_BLOCK == 0);
            T_CHECK(e.offset + e.size <= real_len);
            T_CHECKF(e.mtime == 1700000000, "'%s': mtime %llu", e.path,
                     (unsigned long long)e.mtime);
            for (i = 0; i < e.size && e.offset + i < real_len; i++)
                bad += real[e.offset + i] != real_byte(f, i);
            T_CHECKF(bad == 0, "'%s': %zu bytes wrong", e.path, bad);
            (*nfiles)++;
        }
    } while ((rc == TAR_MORE || rc == TAR_FILE) && ++steps < 1000);
    return rc;
}

static int real_ready;

/* Makes tmp/NAME.tar with GNU tar in (format), and loads it. */
static int real_make(const char *format, const char *name)
{
    char list[2048] = "", file[64];
    size_t f;

    for (f = 0; f < N_REAL; f++) {
        strcat(list, " '");
        strcat(list, real_files[f].path);
        strcat(list, "'");
        if (f == 2) /* a directory, its files after it */
            strcat(list, " --no-recursion sub emptydir link");
    }
    if (sh("cd src && tar --format=%s -cf ../%s.tar%s", format, name, list))
        return -1;
    snprintf(file, sizeof file, "%s.tar", name);
    return real_load(file);
}

static void real_check(const char *format)
{
    size_t n;
    int rc;

    T_CHECK(real_ready);
    T_CHECK(strlen(real_files[4].path) == 100);
    T_CHECK(strlen(real_files[5].path) == 162);
    if (!real_ready)
        return;
    T_CHECKF(real_make(format, format) == 0, "tar --format=%s", format);
    if (!real)
        return;
    rc = real_walk(&r, &n);
    T_CHECKF(rc == TAR_END, "%s: ended with %d: %s", format, rc, r.msg);
    T_CHECKF(n == N_REAL, "%s: %zu files", format, n);
    T_CHECK(tar_next(&r, NULL, NULL) == TAR_END);
}

static void test_gnu_tar_ustar(void)
{
    real_check("ustar");
}

static void test_gnu_tar_gnu(void)
{
    real_check("gnu");
}

static void test_gnu_tar_pax(void)
{
    real_check("pax");
}

/* Walks the loaded archive, which MUST be refused with a message that
 * holds (want). */
#define REAL_REFUSED(want)                                                     \
    do {                                                                       \
        size_t n_;                                                             \
        int rc_ = real_walk(&r, &n_);                                          \
        T_CHECKF(rc_ == PITH_EPROTO, "ended with %d", rc_);                    \
        T_CHECKF(strstr(r.msg, want) != NULL, "message '%s'", r.msg);          \
    } while (0)

/* The ustar archive GNU tar wrote, its first header (a.txt) changed. */
static void real_hostile(void (*change)(uint8_t *h), int resummed)
{
    T_CHECK(real_ready && real_make("ustar", "hostile") == 0);
    if (!real || real_len < 4 * TAR_BLOCK)
        return;
    change(real);
    if (resummed)
        resum(real);
}

static void flip_name(uint8_t *h)
{
    h[0] ^= 0x20;
}

static void size_huge(uint8_t *h)
{
    memcpy(h + 124, "77777777777", 12);
}

static void size_not_octal(uint8_t *h)
{
    memcpy(h + 124, "0000000008\0", 12);
}

static void size_unterminated(uint8_t *h)
{
    memcpy(h + 124, "000000000005", 12);
}

static void test_gnu_tar_hostile(void)
{
    size_t n;
    int rc;

    real_hostile(flip_name, 0);
    REAL_REFUSED("member 'A.txt' at byte 0: bad header checksum");
    real_hostile(size_huge, 1);
    REAL_REFUSED("member 'a.txt' at byte 0: its 8589934591 bytes run past "
                 "the end of the archive");
    real_hostile(size_not_octal, 1);
    REAL_REFUSED("member 'a.txt' at byte 0: bad size field");
    real_hostile(size_unterminated, 1);
    REAL_REFUSED("member 'a.txt' at byte 0: bad size field");

    /* The checksum field filled with digits: no terminator. */
    real_hostile(flip_name, 0);
    if (real) {
        flip_name(real);
        memcpy(real + 148, "00000000", 8);
        REAL_REFUSED("bad header checksum field");
    }

    /* Cut inside big.bin's data: its size runs past the end. */
    T_CHECK(real_make("ustar", "cut") == 0);
    if (real) {
        real_len = 2 * TAR_BLOCK + TAR_BLOCK + 1000;
        REAL_REFUSED("member 'big.bin' at byte 1024: its 1500 bytes run "
                     "past the end");
    }
    /* Cut after a whole member, the blocks of zeros gone: tar takes it. */
    T_CHECK(real_make("ustar", "cut2") == 0);
    if (real) {
        real_len = 2 * TAR_BLOCK;
        rc = real_walk(&r, &n);
        T_CHECKF(rc == TAR_END && n == 1, "%d, %zu files", rc, n);
    }
    /* Cut inside a GNU long name's data. */
    T_CHECK(real_make("gnu", "cut3") == 0);
    if (real) {
        size_t off = 0;
        while (off < real_len && real[off + 156] != 'L')
            off += TAR_BLOCK;
        T_CHECK(off < real_len);
        real_len = off + 2 * TAR_BLOCK; /* its data, no member */
        REAL_REFUSED("has no member after it");
    }

    /* Paths GNU tar stores with -P: absolute, and with "..". */
    T_CHECK(sh("tar -P --format=ustar -cf abs.tar '%s/src/a.txt' "
               "2>/dev/null",
               tmp) == 0);
    T_CHECK(real_load("abs.tar") == 0);
    REAL_REFUSED("a file's path must be relative");
    T_CHECK(sh("mkdir -p up && cd up && tar -P --format=gnu "
               "-cf ../dotdot.tar ../src/a.txt") == 0);
    T_CHECK(real_load("dotdot.tar") == 0);
    REAL_REFUSED("member '../src/a.txt' at byte 0: a file's path must be "
                 "relative");
    T_CHECK(sh("cd src && tar -P --format=pax -cf ../dot.tar "
               "sub/../a.txt") == 0);
    T_CHECK(real_load("dot.tar") == 0);
    REAL_REFUSED("a file's path must be relative");
}

int main(void)
{
    real_ready = real_setup() == 0;
    T_RUN(test_ustar);
    T_RUN(test_gnu);
    T_RUN(test_pax);
    T_RUN(test_skipped);
    T_RUN(test_ends);
    T_RUN(test_checksum);
    T_RUN(test_fields);
    T_RUN(test_past_end);
    T_RUN(test_paths);
    T_RUN(test_extensions);
    T_RUN(test_errors_stick);
    T_RUN(test_gnu_tar_ustar);
    T_RUN(test_gnu_tar_gnu);
    T_RUN(test_gnu_tar_pax);
    T_RUN(test_gnu_tar_hostile);
    free(real);
    if (real_ready)
        sh("cd / && rm -rf '%s'", tmp);
    return t_done();
}
