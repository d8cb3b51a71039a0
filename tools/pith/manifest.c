/* The app manifest file. See manifest.h and docs/MANIFEST.md. */
#include "manifest.h"

#include <stdarg.h>
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

int manifest_parse(const char *file, const char *text, size_t len,
                   uint32_t target, int (*module_ok)(const char *name),
                   struct pith_mft *m, char *err, size_t errlen)
{
    char line[512];
    size_t pos = 0;
    unsigned lineno = 0;
    int have_name = 0;

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
            if (nw != 2)
                return fail(err, errlen, file, lineno, "expected '%s NAME'",
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
        } else if (strcmp(w[0], "modules") == 0) {
            if (nw < 2)
                return fail(err, errlen, file, lineno,
                            "expected 'modules NAME...'");
            for (i = 1; i < nw; i++) {
                size_t have = strlen(m->modules), wl = strlen(w[i]);
                if (!pith_mft_name_ok(w[i], PITH_MFT_NAME_MAX) ||
                    (module_ok && !module_ok(w[i])))
                    return fail(err, errlen, file, lineno,
                                "unknown module '%s'", w[i]);
                if (have + 1 + wl + 1 > sizeof m->modules)
                    return fail(err, errlen, file, lineno,
                                "module list longer than %zu characters",
                                sizeof m->modules - 1);
                if (have)
                    m->modules[have++] = ' ';
                memcpy(m->modules + have, w[i], wl + 1);
            }
        } else {
            return fail(err, errlen, file, lineno,
                        "unknown keyword '%s': expected name, net, block or "
                        "modules",
                        w[0]);
        }
    }
    if (!have_name)
        return fail(err, errlen, file, 0, "no 'name NAME' line");
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
        fprintf(out, "    .long %u, 0\n", i < m->ndev ? m->dev[i].kind : 0);
    }
    fprintf(out,
            "    .size pith_mft, %zu\n"
            "    .section .note.GNU-stack, \"\", @progbits\n",
            sizeof *m);
    return ferror(out) ? -1 : 0;
}
