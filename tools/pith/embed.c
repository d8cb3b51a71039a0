/* The files of the manifest's `files` lines. See embed.h. */
#include "embed.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pith/files.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Where an error is reported: the manifest line that named the folder. */
struct walk {
    const char *appdir, *mfile;
    unsigned line;
    struct embed *e;
    char *err;
    size_t errlen;
};

static int fail(struct walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct walk *w, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(w->err, w->errlen, "%s:%u: files: ", w->mfile, w->line);
    if (n >= 0 && (size_t)n < w->errlen) {
        va_start(ap, fmt);
        vsnprintf(w->err + n, w->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* lstat()s (rel) inside the app folder. */
static int lstat_rel(struct walk *w, const char *rel, struct stat *st)
{
    char abs[PATH_MAX];
    int n = snprintf(abs, sizeof abs, "%s/%s", w->appdir, rel);

    if (n < 0 || (size_t)n >= sizeof abs)
        return fail(w, "'%s': path too long", rel);
    if (lstat(abs, st) < 0)
        return errno == ENOENT || errno == ENOTDIR
                   ? fail(w, "'%s': no such directory", rel)
                   : fail(w, "'%s': %s", rel, strerror(errno));
    return 0;
}

static int add_file(struct walk *w, const char *rel, const struct stat *st)
{
    struct embed *e = w->e;
    struct embed_file *f;

    if (e->bytes + (uint64_t)st->st_size > PITH_FILES_MAX_BYTES)
        return fail(w, "'%s': more than %uM of files in all", rel,
                    PITH_FILES_MAX_BYTES >> 20);
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        struct embed_file *more = realloc(e->file, cap * sizeof *more);
        if (!more)
            return fail(w, "out of memory");
        e->file = more;
        e->cap = cap;
    }
    f = &e->file[e->n];
    if (!(f->path = strdup(rel)))
        return fail(w, "out of memory");
    f->size = (uint64_t)st->st_size;
    f->mtime = st->st_mtim;
    e->n++;
    e->bytes += f->size;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks the folder (rel), already checked to be one, in name order so
 * that the first error met is the same on every run. */
static int walk_dir(struct walk *w, const char *rel)
{
    char abs[PATH_MAX], sub[PATH_MAX], **names = NULL;
    size_t n = 0, cap = 0, i;
    struct dirent *de;
    int rc = 0;
    DIR *d;

    snprintf(abs, sizeof abs, "%s/%s", w->appdir, rel); /* checked */
    if (!(d = opendir(abs)))
        return fail(w, "'%s': %s", rel, strerror(errno));
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue; /* hidden, and . and .. */
        if (n == cap) {
            char **more;
            cap = cap ? 2 * cap : 32;
            if (!(more = realloc(names, cap * sizeof *names))) {
                rc = fail(w, "out of memory");
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = fail(w, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n && rc == 0; i++) {
        struct stat st;
        int len = snprintf(sub, sizeof sub, "%s/%s", rel, names[i]);
        if (len < 0 || (size_t)len >= sizeof sub)
            rc = fail(w, "'%s/%s': path too long", rel, names[i]);
        else if ((rc = lstat_rel(w, sub, &st)) < 0)
            ;
        else if (S_ISLNK(st.st_mode))
            rc = fail(w, "'%s': a symbolic link (not followed)", sub);
        else if (S_ISDIR(st.st_mode))
            rc = walk_dir(w, sub);
        else if (S_ISREG(st.st_mode))
            rc = add_file(w, sub, &st);
        else
            rc = fail(w, "'%s': not a regular file", sub);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Checks each step of the way to the folder (dir), then walks it. */
static int walk_top(struct walk *w, const char *dir)
{
    char rel[PATH_MAX];
    struct stat st;
    size_t i, len = strlen(dir);

    if (len >= sizeof rel)
        return fail(w, "'%s': path too long", dir);
    for (i = 1; i <= len; i++) {
        if (i < len && dir[i] != '/')
            continue;
        memcpy(rel, dir, i);
        rel[i] = '\0';
        if (lstat_rel(w, rel, &st) < 0)
            return -1;
        if (S_ISLNK(st.st_mode))
            return fail(w, "'%s': a symbolic link (not followed)", rel);
        if (!S_ISDIR(st.st_mode))
            return fail(w, "'%s': not a directory", rel);
    }
    return walk_dir(w, dir);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct embed_file *)a)->path,
                  ((const struct embed_file *)b)->path);
}

int embed_collect(const char *appdir, const char *mfile,
                  const struct manifest_files *files, struct embed *e,
                  char *err, size_t errlen)
{
    struct walk w = {appdir, mfile, 0, e, err, errlen};
    unsigned i;

    memset(e, 0, sizeof *e);
    for (i = 0; i < files->n; i++) {
        w.line = files->dir[i].line;
        if (walk_top(&w, files->dir[i].path) < 0) {
            embed_free(e);
            return -1;
        }
    }
    /* No path twice: the manifest's folders do not overlap. */
    qsort(e->file, e->n, sizeof *e->file, by_path);
    return 0;
}

void embed_free(struct embed *e)
{
    size_t i;
    for (i = 0; i < e->n; i++)
        free(e->file[i].path);
    free(e->file);
    memset(e, 0, sizeof *e);
}

/* Writes (s) for inside an assembler string: printable ASCII as it is,
 * the rest (and the quote and the backslash) as octal escapes. */
static void asm_chars(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            fprintf(out, "\\%03o", c);
        else
            fputc(c, out);
    }
}

/* The table holds pointers: read-only data in the static spt image; in
 * the position-independent unix one, relocated once, then read-only. */
_Static_assert(sizeof(struct pith_file) == 24 &&
                   offsetof(struct pith_file, data) == 8 &&
                   offsetof(struct pith_file, size) == 16,
               "pith_file layout: .quad path, data, size");

int embed_write_asm(const struct embed *e, const char *appdir, uint32_t target,
                    FILE *out)
{
    size_t i;

    fprintf(out,
            "# Generated by pith build from the files lines of the app "
            "manifest:\n# %zu files, %llu bytes. Sizes and modification "
            "times are recorded\n# so that this text changes whenever a "
            "file does.\n"
            "    .section .rodata.pith_files, \"a\", @progbits\n",
            e->n, (unsigned long long)e->bytes);
    for (i = 0; i < e->n; i++) {
        const struct embed_file *f = &e->file[i];
        fprintf(out,
                "# %llu bytes, modified %lld.%09ld\n"
                "    .balign %d\n"
                ".Ld%zu:\n"
                "    .incbin ",
                (unsigned long long)f->size, (long long)f->mtime.tv_sec,
                f->mtime.tv_nsec, PITH_FILES_ALIGN, i);
        fputc('"', out);
        asm_chars(out, appdir);
        fputc('/', out);
        asm_chars(out, f->path);
        fprintf(out,
                "\"\n.Le%zu:\n"
                "    .byte 0\n"
                "    .if .Le%zu - .Ld%zu != %llu\n"
                "    .error \"",
                i, i, i, (unsigned long long)f->size);
        asm_chars(out, f->path);
        fprintf(out, ": changed while pith build ran; build again\"\n"
                     "    .endif\n");
    }
    fprintf(out, "    .section .rodata.pith_files_paths, \"a\", @progbits\n");
    for (i = 0; i < e->n; i++) {
        fprintf(out, ".Lp%zu:\n    .asciz \"", i);
        asm_chars(out, e->file[i].path);
        fprintf(out, "\"\n");
    }
    fprintf(out,
            "    .section %s\n"
            "    .balign 8\n"
            "    .globl pith_files\n"
            "    .type pith_files, @object\n"
            "pith_files:\n",
            target != PITH_TARGET_UNIX
                ? ".rodata.pith_files_table, \"a\", @progbits"
                : ".data.rel.ro.pith_files_table, \"aw\", @progbits");
    for (i = 0; i < e->n; i++)
        fprintf(out, "    .quad .Lp%zu, .Ld%zu, %llu\n", i, i,
                (unsigned long long)e->file[i].size);
    fprintf(out,
            "    .size pith_files, %zu\n"
            "    .section .rodata.pith_nfiles, \"a\", @progbits\n"
            "    .balign 4\n"
            "    .globl pith_nfiles\n"
            "    .type pith_nfiles, @object\n"
            "pith_nfiles:\n"
            "    .long %zu\n"
            "    .size pith_nfiles, 4\n"
            "    .section .note.GNU-stack, \"\", @progbits\n",
            e->n * sizeof(struct pith_file), e->n);
    return ferror(out) ? -1 : 0;
}
