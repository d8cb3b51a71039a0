/* The app manifest file. See manifest.h and docs/MANIFEST.md. */
#include "manifest.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *file, unsigned line,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *file, unsigned line,
                const char *fmt, ...)
{
    va_list ap;
    int n = line ? snprintf(err, errlen, "%s:%u: ", file, line)
                 : snprintf(err, errlen, "%s: ", file);
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Splits one line into at most (max) words; returns the count or -1. */
static int words(char *line, char **w, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            *p++ = '\0';
        if (!*p)
            return n;
        if (n == max)
            return -1;
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
    }
}

#define MAX_WORDS 32

#define KIB 1024u
#define MIB (1024u * 1024u)

/* The keys of the `tcp` line: where each goes, its bounds, and whether
 * it is a size in bytes (K and M suffixes) or a count. */
struct tcp_key {
    const char *name;
    size_t off; /* in struct pith_mft_tcp */
    uint32_t lo, hi;
    int size;
};

static const struct tcp_key tcp_keys[] = {
    {"conns", offsetof(struct pith_mft_tcp, conns), 1, 1000000, 0},
    {"sndbuf", offsetof(struct pith_mft_tcp, sndbuf), 4 * KIB, 16 * MIB, 1},
    {"rcvbuf", offsetof(struct pith_mft_tcp, rcvbuf), 4 * KIB, 16 * MIB, 1},
    {"mem", offsetof(struct pith_mft_tcp, mem), 64 * KIB, 4095 * MIB, 1},
    {"backlog", offsetof(struct pith_mft_tcp, backlog), 1, 1000000, 0},
    {"time-wait", offsetof(struct pith_mft_tcp, time_wait), 1, 1000000, 0},
};

/*
 * Reads the decimal number (s), with a K or M suffix (powers of 1024)
 * when (size) is set, into (*v); a value past 2^32 - 1 reads as 2^32,
 * beyond every bound. Returns 0, or -1 when (s) is no such number.
 */
static int tcp_number(const char *s, int size, uint64_t *v)
{
    uint64_t n = 0;

    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        n = n * 10 + (uint64_t)(*s - '0');
        if (n > UINT32_MAX)
            n = (uint64_t)UINT32_MAX + 1;
    }
    if (size && (*s == 'K' || *s == 'M'))
        n *= *s++ == 'K' ? KIB : MIB;
    if (*s)
        return -1;
    *v = n;
    return 0;
}

/* Writes the value (v) of (k) as the manifest would: 64K, 16M, bytes or a
 * count. Returns (buf). */
static const char *tcp_value(const struct tcp_key *k, uint32_t v, char *buf,
                             size_t len)
{
    if (k->size && v && v % MIB == 0)
        snprintf(buf, len, "%uM", v / MIB);
    else if (k->size && v && v % KIB == 0)
        snprintf(buf, len, "%uK", v / KIB);
    else
        snprintf(buf, len, "%u", v);
    return buf;
}

static uint32_t tcp_get(const struct pith_mft_tcp *t, const struct tcp_key *k)
{
    uint32_t v;
    memcpy(&v, (const char *)t + k->off, sizeof v);
    return v;
}

static void tcp_put(struct pith_mft_tcp *t, const struct tcp_key *k, uint32_t v)
{
    memcpy((char *)t + k->off, &v, sizeof v);
}

int manifest_tcp_str(const struct pith_mft_tcp *t, char *buf, size_t len)
{
    size_t i, n = 0;
    char v[16];

    if (len)
        buf[0] = '\0';
    for (i = 0; i < sizeof tcp_keys / sizeof tcp_keys[0]; i++) {
        const struct tcp_key *k = &tcp_keys[i];
        uint32_t x = tcp_get(t, k);
        int w;
        if (!x)
            continue;
        w = snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", k->name,
                     tcp_value(k, x, v, sizeof v));
        if (w < 0 || (size_t)w >= len - n)
            return -1;
        n += (size_t)w;
    }
    return (int)n;
}

/* Applies the `tcp KEY=VALUE...` words (w, nw) of line (lineno) to (t). */
static int tcp_line(const char *file, unsigned lineno, char **w, int nw,
                    struct pith_mft_tcp *t, char *err, size_t errlen)
{
    int i;

    if (nw < 2)
        return fail(err, errlen, file, lineno, "expected 'tcp KEY=VALUE...'");
    for (i = 1; i < nw; i++) {
        const struct tcp_key *k = NULL;
        const char *eq = strchr(w[i], '=');
        size_t j, klen = eq ? (size_t)(eq - w[i]) : strlen(w[i]);
        char lo[16], hi[16];
        uint64_t v;

        for (j = 0; j < sizeof tcp_keys / sizeof tcp_keys[0]; j++)
            if (strlen(tcp_keys[j].name) == klen &&
                strncmp(tcp_keys[j].name, w[i], klen) == 0)
                k = &tcp_keys[j];
        if (!k)
            return fail(err, errlen, file, lineno,
                        "tcp: unknown key '%.*s': expected conns, sndbuf, "
                        "rcvbuf, mem, backlog or time-wait",
                        (int)klen, w[i]);
        if (!eq || tcp_number(eq + 1, k->size, &v) < 0)
            return fail(err, errlen, file, lineno,
                        "tcp: bad value '%s': expected %s", w[i],
                        k->size ? "a size such as 64K" : "a number");
        if (v < k->lo || v > k->hi)
            return fail(err, errlen, file, lineno,
                        "tcp: %s out of range %s..%s", w[i],
                        tcp_value(k, k->lo, lo, sizeof lo),
                        tcp_value(k, k->hi, hi, sizeof hi));
        tcp_put(t, k, (uint32_t)v);
    }
    return 0;
}

/* Appends (name) to the module list of (m); -1 when it does not fit. */
static int add_module(struct pith_mft *m, const char *name)
{
    size_t have = strlen(m->modules), len = strlen(name);

    if (have + 1 + len + 1 > sizeof m->modules)
        return -1;
    if (have)
        m->modules[have++] = ' ';
    memcpy(m->modules + have, name, len + 1);
    return 0;
}

static int has_module(const struct pith_mft *m, const char *name)
{
    size_t len = strlen(name);
    const char *p = m->modules;

    while ((p = strstr(p, name))) {
        if ((p == m->modules || p[-1] == ' ') &&
            (p[len] == ' ' || p[len] == '\0'))
            return 1;
        p += len;
    }
    return 0;
}

/*
 * Adds the folder (dir) of a `files` line (lineno) to (f), without its
 * trailing slashes: a relative path inside the app folder, not the
 * objects' _build, and not inside (or holding) a folder already listed.
 */
static int files_dir(const char *file, unsigned lineno, const char *dir,
                     struct manifest_files *f, char *err, size_t errlen)
{
    size_t len = strlen(dir), i, start;
    struct manifest_dir *d;
    unsigned j;

    while (len > 1 && dir[len - 1] == '/')
        len--;
    for (start = 0, i = 0; i <= len; i++) {
        size_t n = i - start;
        if (i < len && dir[i] != '/')
            continue;
        if (n == 0 || (n == 1 && dir[start] == '.') ||
            (n == 2 && dir[start] == '.' && dir[start + 1] == '.'))
            return fail(err, errlen, file, lineno,
                        "files: bad folder '%s': expected a path inside "
                        "the app folder, such as site or zones/primary",
                        dir);
        if (start == 0 && n == 6 && strncmp(dir, "_build", 6) == 0)
            return fail(err, errlen, file, lineno,
                        "files: bad folder '%s': _build holds what pith "
                        "build makes",
                        dir);
        start = i + 1;
    }
    for (j = 0; j < f->n; j++) {
        const char *o = f->dir[j].path;
        size_t ol = strlen(o), short_len = ol < len ? ol : len;
        if (strncmp(o, dir, short_len) != 0)
            continue;
        if (ol == len)
            return fail(err, errlen, file, lineno, "files: '%.*s' listed twice",
                        (int)len, dir);
        if ((ol < len ? dir[ol] : o[len]) == '/')
            return fail(err, errlen, file, lineno,
                        "files: '%.*s' overlaps '%s' (line %u)", (int)len, dir,
                        o, f->dir[j].line);
    }
    if (f->n == MANIFEST_FILES_MAX)
        return fail(err, errlen, file, lineno, "files: more than %d folders",
                    MANIFEST_FILES_MAX);
    d = &f->dir[f->n++];
    memcpy(d->path, dir, len); /* len < sizeof line <= sizeof d->path */
    d->path[len] = '\0';
    d->line = lineno;
    return 0;
}

int manifest_parse(const char *file, const char *text, size_t len,
                   uint32_t target, int (*module_ok)(const char *name),
                   struct pith_mft *m, struct manifest_files *files, char *err,
                   size_t errlen)
{
    struct manifest_files scratch;
    char line[512];
    size_t pos = 0;
    unsigned lineno = 0, files_line = 0;
    int have_name = 0;

    _Static_assert(sizeof line <= sizeof files->dir[0].path,
                   "a files folder fits its slot");
    if (!files)
        files = &scratch;
    files->n = 0;
    memset(m, 0, sizeof *m);
    m->version = PITH_MFT_VERSION;
    m->target = target;
    while (pos < len) {
        char *w[MAX_WORDS], *hash;
        size_t n = 0;
        int nw, i;

        lineno++;
        while (pos < len && text[pos] != '\n') {
            if (text[pos] == '\0')
                return fail(err, errlen, file, lineno, "NUL byte in text");
            if (n + 1 >= sizeof line)
                return fail(err, errlen, file, lineno,
                            "line longer than %zu characters", sizeof line - 2);
            line[n++] = text[pos++];
        }
        pos++;
        line[n] = '\0';
        if ((hash = strchr(line, '#')))
            *hash = '\0';
        nw = words(line, w, MAX_WORDS);
        if (nw < 0)
            return fail(err, errlen, file, lineno, "more than %d words",
                        MAX_WORDS);
        if (nw == 0)
            continue;
        if (strcmp(w[0], "name") == 0) {
            if (nw != 2)
                return fail(err, errlen, file, lineno, "expected 'name NAME'");
            if (have_name)
                return fail(err, errlen, file, lineno, "'name' given twice");
            if (!pith_mft_name_ok(w[1], PITH_MFT_NAME_MAX))
                return fail(err, errlen, file, lineno,
                            "bad app name '%s': expected 1 to %d of "
                            "[A-Za-z0-9_-]",
                            w[1], PITH_MFT_NAME_MAX - 1);
            strcpy(m->app, w[1]);
            have_name = 1;
        } else if (strcmp(w[0], "net") == 0 || strcmp(w[0], "block") == 0) {
            struct pith_mft_dev *d;
            uint32_t j;
            if (nw < 2 || nw > 3 || (nw == 3 && strcmp(w[2], "optional")))
                return fail(err, errlen, file, lineno,
                            "expected '%s NAME' or '%s NAME optional'", w[0],
                            w[0]);
            if (!pith_mft_name_ok(w[1], PITH_MFT_NAME_MAX))
                return fail(err, errlen, file, lineno,
                            "bad device name '%s': expected 1 to %d of "
                            "[A-Za-z0-9_-]",
                            w[1], PITH_MFT_NAME_MAX - 1);
            for (j = 0; j < m->ndev; j++)
                if (strcmp(m->dev[j].name, w[1]) == 0)
                    return fail(err, errlen, file, lineno,
                                "device '%s' declared twice", w[1]);
            if (m->ndev == PITH_MFT_DEV_MAX)
                return fail(err, errlen, file, lineno, "more than %d devices",
                            PITH_MFT_DEV_MAX);
            d = &m->dev[m->ndev++];
            strcpy(d->name, w[1]);
            d->kind = w[0][0] == 'n' ? PITH_MFT_NET : PITH_MFT_BLOCK;
            d->flags = nw == 3 ? PITH_MFT_DEV_OPTIONAL : 0;
        } else if (strcmp(w[0], "modules") == 0) {
            if (nw < 2)
                return fail(err, errlen, file, lineno,
                            "expected 'modules NAME...'");
            for (i = 1; i < nw; i++) {
                if (!pith_mft_name_ok(w[i], PITH_MFT_NAME_MAX) ||
                    (module_ok && !module_ok(w[i])))
                    return fail(err, errlen, file, lineno,
                                "unknown module '%s'", w[i]);
                if (add_module(m, w[i]) < 0)
                    return fail(err, errlen, file, lineno,
                                "module list longer than %zu characters",
                                sizeof m->modules - 1);
            }
        } else if (strcmp(w[0], "tcp") == 0) {
            if (tcp_line(file, lineno, w, nw, &m->tcp, err, errlen) < 0)
                return -1;
        } else if (strcmp(w[0], "files") == 0) {
            if (nw < 2)
                return fail(err, errlen, file, lineno,
                            "expected 'files DIR...'");
            for (i = 1; i < nw; i++)
                if (files_dir(file, lineno, w[i], files, err, errlen) < 0)
                    return -1;
            files_line = lineno;
        } else {
            return fail(err, errlen, file, lineno,
                        "unknown keyword '%s': expected name, net, block, "
                        "modules, tcp or files",
                        w[0]);
        }
    }
    if (!have_name)
        return fail(err, errlen, file, 0, "no 'name NAME' line");
    /* The files line brings the module that reads the table. */
    if (files_line && !has_module(m, "files") &&
        ((module_ok && !module_ok("files")) || add_module(m, "files") < 0))
        return fail(err, errlen, file, files_line,
                    "files: cannot add the module 'files'");
    return 0;
}

/* Emits (n) bytes of (s), NUL-padded, as assembler data. */
static void bytes(FILE *out, const char *s, size_t n)
{
    size_t i, l = strnlen(s, n);
    fprintf(out, "    .byte ");
    for (i = 0; i < n; i++)
        fprintf(out, "%s%u", i ? "," : "", i < l ? (unsigned char)s[i] : 0);
    fprintf(out, "\n");
}

/* manifest_write_asm emits every field, in order, with no padding. */
_Static_assert(sizeof(struct pith_mft) ==
                   8 + PITH_MFT_NAME_MAX + PITH_MFT_MODULES_MAX + 8 +
                       PITH_MFT_DEV_MAX * (PITH_MFT_NAME_MAX + 8) + 6 * 4 +
                       2 * 4,
               "manifest note layout");

int manifest_write_asm(const struct pith_mft *m, FILE *out)
{
    uint32_t i;

    fprintf(out,
            "/* Generated by pith build from the app manifest. */\n"
            "    .section .note.pith, \"a\", @note\n"
            "    .balign 4\n"
            "    .long 5\n"
            "    .long %zu\n"
            "    .long %#x\n"
            "    .asciz \"%s\"\n"
            "    .balign 4\n"
            "    .globl pith_mft\n"
            "    .type pith_mft, @object\n"
            "pith_mft:\n"
            "    .long %u, %u\n",
            sizeof *m, PITH_MFT_TYPE, PITH_MFT_NOTE_NAME, m->version,
            m->target);
    bytes(out, m->app, sizeof m->app);
    bytes(out, m->modules, sizeof m->modules);
    fprintf(out, "    .long %u, 0\n", m->ndev);
    for (i = 0; i < PITH_MFT_DEV_MAX; i++) {
        bytes(out, i < m->ndev ? m->dev[i].name : "", sizeof m->dev[i].name);
        fprintf(out, "    .long %u, %u\n", i < m->ndev ? m->dev[i].kind : 0,
                i < m->ndev ? m->dev[i].flags : 0);
    }
    fprintf(out, "    .long %u, %u, %u, %u, %u, %u, %u, %u\n", m->tcp.conns,
            m->tcp.sndbuf, m->tcp.rcvbuf, m->tcp.mem, m->tcp.backlog,
            m->tcp.time_wait, m->nfiles, m->files_bytes);
    fprintf(out,
            "    .size pith_mft, %zu\n"
            "    .section .note.GNU-stack, \"\", @progbits\n",
            sizeof *m);
    return ferror(out) ? -1 : 0;
}
