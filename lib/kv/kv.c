/* kv: a read-only store of files. See <pith/kv.h>. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pith/err.h>
#include <pith/files.h>
#include <pith/kv.h>
#include <pith/tar.h>

#define KV_NONE  0
#define KV_FILES 1
#define KV_TAR   2

/*
 * lib/files is linked only into images whose manifest has a `files`
 * line. Reaching it through weak references lets a store over an archive
 * alone link without it; without it these are NULL.
 */
extern size_t files_count(void) __attribute__((weak));
extern const struct pith_file *files_at(size_t i) __attribute__((weak));

static int kv_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int kv_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int kv_open_files(struct kv *kv)
{
    memset(kv, 0, sizeof *kv);
    kv->kind = KV_FILES;
    if (!files_count || !files_at)
        return PITH_ENOENT;
    kv->n = files_count();
    return PITH_OK;
}

void kv_close(struct kv *kv)
{
    free(kv->ent);
    free(kv->paths);
    free(kv->buf);
    memset(kv, 0, sizeof *kv);
}

/* Makes the sector at (at) of the device the one in kv->buf. */
static int kv_sector(struct kv *kv, uint64_t at)
{
    if (kv->buf_at == at)
        return PITH_OK;
    kv->buf_at = UINT64_MAX;
    if (plat_block_read(kv->dev, at, kv->buf, kv->sector) < 0)
        return PITH_EIO;
    kv->buf_at = at;
    return PITH_OK;
}

/* Path order, and for one path the order in the archive. */
static int kv_cmp(const void *a, const void *b)
{
    const struct kv_entry *x = a, *y = b;
    int c = strcmp(x->path, y->path);

    if (c)
        return c;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Adds the file (t) to the index being built; until it is complete,
 * each entry's (path) holds the offset of its path in kv->paths, which
 * may move as it grows. */
static int kv_add(struct kv *kv, const struct tar_entry *t, size_t *cap,
                  size_t *plen, size_t *pcap)
{
    size_t len = strlen(t->path) + 1;
    struct kv_entry *e;

    if (kv->n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        e = realloc(kv->ent, c * sizeof *e);
        if (!e)
            return PITH_ENOMEM;
        kv->ent = e;
        *cap = c;
    }
    if (*pcap - *plen < len) {
        size_t c = *pcap ? *pcap * 2 : 1024;
        char *p;
        while (c - *plen < len)
            c *= 2;
        p = realloc(kv->paths, c);
        if (!p)
            return PITH_ENOMEM;
        kv->paths = p;
        *pcap = c;
    }
    memcpy(kv->paths + *plen, t->path, len);
    e = &kv->ent[kv->n++];
    e->path = (const char *)(uintptr_t)*plen;
    e->size = t->size;
    e->mtime = t->mtime;
    e->data = NULL;
    e->offset = t->offset;
    *plen += len;
    return PITH_OK;
}

/* Reads the archive's headers into the index. */
static int kv_index(struct kv *kv, uint64_t capacity, char *err, size_t errlen)
{
    struct tar_reader *r = malloc(sizeof *r);
    struct tar_entry *t = malloc(sizeof *t);
    size_t cap = 0, plen = 0, pcap = 0, i, k;
    int rc = PITH_OK;

    if (!r || !t) {
        rc = kv_fail(err, errlen, PITH_ENOMEM, "out of memory");
        goto out;
    }
    tar_init(r, capacity);
    for (;;) {
        uint64_t at = tar_want(r);
        struct bv b, *bp = NULL;

        if (at <= capacity && capacity - at >= TAR_BLOCK) {
            uint64_t sec = at / kv->sector * kv->sector;
            if (kv_sector(kv, sec) < 0) {
                rc = kv_fail(err, errlen, PITH_EIO,
                             "cannot read the device at byte %llu",
                             (unsigned long long)sec);
                goto out;
            }
            b = bv_make(kv->buf + (at - sec), TAR_BLOCK);
            bp = &b;
        }
        rc = tar_next(r, bp, t);
        if (rc == TAR_END)
            break;
        if (rc < 0) {
            rc = kv_fail(err, errlen, rc, "%s", r->msg);
            goto out;
        }
        if (rc != TAR_FILE)
            continue;
        if (kv->n == KV_FILES_MAX) {
            rc = kv_fail(err, errlen, PITH_ELIMIT,
                         "more than %d files in the archive", KV_FILES_MAX);
            goto out;
        }
        if (kv_add(kv, t, &cap, &plen, &pcap) < 0) {
            rc = kv_fail(err, errlen, PITH_ENOMEM,
                         "out of memory for the index of the archive");
            goto out;
        }
    }
    rc = PITH_OK;
    for (i = 0; i < kv->n; i++)
        kv->ent[i].path = kv->paths + (uintptr_t)kv->ent[i].path;
    if (kv->n)
        qsort(kv->ent, kv->n, sizeof *kv->ent, kv_cmp);
    /* Of a path given twice, the later member stays. */
    for (i = 0, k = 0; i < kv->n; i++) {
        if (i + 1 < kv->n && strcmp(kv->ent[i].path, kv->ent[i + 1].path) == 0)
            continue;
        kv->ent[k++] = kv->ent[i];
    }
    kv->n = k;
out:
    free(r);
    free(t);
    return rc;
}

int kv_open_tar(struct kv *kv, const char *device, char *err, size_t errlen)
{
    struct plat_block_info info;
    int rc;

    memset(kv, 0, sizeof *kv);
    if (err && errlen)
        err[0] = '\0';
    if (!device || plat_block_acquire(device, &kv->dev, &info) < 0)
        return kv_fail(err, errlen, PITH_ENOENT, "no block device '%s'",
                       device ? device : "(null)");
    if (info.sector_size == 0 || info.sector_size % TAR_BLOCK ||
        info.sector_size > KV_SECTOR_MAX)
        return kv_fail(err, errlen, PITH_EINVAL,
                       "sector size %u: not a multiple of %d up to %d",
                       (unsigned)info.sector_size, TAR_BLOCK, KV_SECTOR_MAX);
    kv->kind = KV_TAR;
    kv->sector = info.sector_size;
    kv->buf_at = UINT64_MAX;
    kv->buf = malloc(kv->sector);
    if (!kv->buf)
        rc = kv_fail(err, errlen, PITH_ENOMEM, "out of memory");
    else
        rc = kv_index(kv, info.capacity, err, errlen);
    if (rc < 0) {
        kv_close(kv);
        return rc;
    }
    /* Give back the slack of the growing. */
    if (kv->n) {
        struct kv_entry *e = realloc(kv->ent, kv->n * sizeof *e);
        if (e)
            kv->ent = e;
    }
    return PITH_OK;
}

size_t kv_count(const struct kv *kv)
{
    return kv->n;
}

/* The (i)th entry of a store over baked files. */
static void kv_file(size_t i, struct kv_entry *e)
{
    const struct pith_file *f = files_at(i);

    e->path = f->path;
    e->size = f->size;
    e->data = f->data;
    e->mtime = 0;
    e->offset = 0;
}

int kv_at(const struct kv *kv, size_t i, struct kv_entry *e)
{
    if (i >= kv->n)
        return PITH_ENOENT;
    if (kv->kind == KV_FILES)
        kv_file(i, e);
    else
        *e = kv->ent[i];
    return PITH_OK;
}

int kv_get(const struct kv *kv, const char *path, struct kv_entry *e)
{
    size_t lo = 0, hi = kv->n;

    if (!path)
        return PITH_EINVAL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p =
            kv->kind == KV_FILES ? files_at(mid)->path : kv->ent[mid].path;
        int c = strcmp(path, p);
        if (c == 0)
            return kv_at(kv, mid, e);
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return PITH_ENOENT;
}

long kv_read(struct kv *kv, const struct kv_entry *e, uint64_t off, void *buf,
             size_t len)
{
    uint8_t *out = buf;
    uint64_t at;
    size_t done = 0;

    if (off >= e->size)
        return 0;
    if (len > e->size - off)
        len = (size_t)(e->size - off);
    if (len > (size_t)LONG_MAX)
        len = (size_t)LONG_MAX;
    if (e->data) {
        memcpy(out, e->data + off, len);
        return (long)len;
    }
    if (kv->kind != KV_TAR)
        return PITH_EIO;
    at = e->offset + off;
    while (done < len) {
        uint64_t sec = at / kv->sector * kv->sector;
        size_t in = (size_t)(at - sec), k;

        if (in == 0 && len - done >= kv->sector) {
            /* Whole sectors go straight to the caller. */
            k = (len - done) / kv->sector * kv->sector;
            if (plat_block_read(kv->dev, at, out + done, k) < 0)
                return PITH_EIO;
        } else {
            if (kv_sector(kv, sec) < 0)
                return PITH_EIO;
            k = kv->sector - in;
            if (k > len - done)
                k = len - done;
            memcpy(out + done, kv->buf + in, k);
        }
        done += k;
        at += k;
    }
    return (long)done;
}
