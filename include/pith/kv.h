/*
 * kv: one read-only store of files, whatever holds them: the files baked
 * into the image at build time (<pith/files.h>), or a tar archive on a
 * block device (<pith/tar.h>) that the operator binds at run time. A
 * service that serves files (zones, a web site, certificates) reads them
 * through this interface and lets the operator choose where they come
 * from:
 *
 *     static struct kv kv;
 *     char err[TAR_MSG_MAX + 64];
 *     int rc = kv_open_tar(&kv, "site", err, sizeof err);
 *     if (rc == PITH_ENOENT)            (the device is not bound)
 *         rc = kv_open_files(&kv);
 *     if (rc < 0) ...fail, printing err...;
 *     struct kv_entry e;
 *     if (kv_get(&kv, "index.html", &e) == PITH_OK)
 *         n = kv_read(&kv, &e, 0, buf, sizeof buf);
 *
 * Paths are '/'-separated and relative, as the source names them: for
 * baked files, from the app folder ("zones/example.zone"); for an
 * archive, as tar stored them, without leading "./". Entries are listed
 * in strcmp() order of their paths (kv_count, kv_at) and found by path
 * in O(log n) comparisons (kv_get). Only regular files are entries:
 * folders are not. When an archive holds a path twice, the later member
 * is the entry, as tar would extract it.
 *
 * Memory. A store over baked files allocates nothing: entries point at
 * the image's read-only data. A store over an archive reads the
 * archive's headers once, in kv_open_tar(), and keeps an index: per
 * file its path, size and place on the device (sizeof(struct kv_entry)
 * plus the path's length and NUL), at most KV_FILES_MAX files, and one
 * buffer of one sector (at most KV_SECTOR_MAX bytes); the data stays on
 * the device and is read on each kv_read(), in whole sectors through
 * plat_block_read(). So an archive of KV_FILES_MAX files of paths of 255
 * bytes costs at most about 4.5 MiB; zones in a dozen files, a few KiB.
 *
 * The store is caller-owned and its fields private. One thread, as
 * everything in an image: kv_read() uses the store's sector buffer.
 */
#ifndef PITH_KV_H
#define PITH_KV_H

#include <stddef.h>
#include <stdint.h>
#include <pith/plat.h>

#define KV_FILES_MAX  16384 /* files of an archive that are indexed */
#define KV_SECTOR_MAX 65536 /* largest sector size of a device we read */

/* One file. Filled in by kv_get() and kv_at(); the caller's copy. */
struct kv_entry {
    const char *path; /* NUL-terminated; the store's, valid until
                         kv_close() */
    uint64_t size;    /* bytes */
    /* The bytes themselves when the store holds them in memory (baked
     * files: read-only, followed by a NUL byte not counted in (size));
     * NULL when they must be read with kv_read(). */
    const uint8_t *data;
    uint64_t mtime;  /* modification time, seconds since the epoch: the
                        archive's; 0 (unknown) for baked files */
    uint64_t offset; /* private: where the data starts on the device */
};

/* A store. Every field is private. */
struct kv {
    int kind; /* none, baked files, archive */
    plat_handle_t dev;
    uint32_t sector;      /* the device's sector size */
    size_t n;             /* entries */
    struct kv_entry *ent; /* archive: the index, sorted by path */
    char *paths;          /* archive: the paths, one after another */
    uint8_t *buf;         /* archive: one sector */
    uint64_t buf_at;      /* the device offset of the sector in (buf),
                             or UINT64_MAX */
};

/*
 * Opens (kv) over the files baked into the image. Returns PITH_OK, or
 * PITH_ENOENT when the image has none (its manifest has no `files`
 * line, so lib/files is not linked; then kv is empty but usable).
 */
int kv_open_files(struct kv *kv);

/*
 * Opens (kv) over the tar archive on the block device the manifest
 * declares as (device): acquires it, reads every header from offset 0
 * (see <pith/tar.h> for what is read and what refused) and builds the
 * index. Returns:
 *  - PITH_OK;
 *  - PITH_ENOENT when there is no such device (an optional device the
 *    operator did not bind, or none declared): kv is left closed;
 *  - PITH_EPROTO when the archive is malformed: one line in (err) such
 *    as "member 'zones/a.zone' at byte 1024: bad header checksum";
 *  - PITH_ELIMIT with more than KV_FILES_MAX files, PITH_EINVAL when
 *    the sector size is not a multiple of TAR_BLOCK up to
 *    KV_SECTOR_MAX, PITH_EIO when the device fails, PITH_ENOMEM: each
 *    with one line in (err) too.
 * (err) of (errlen) bytes is always NUL-terminated when (errlen) > 0.
 * On an error nothing stays allocated.
 */
int kv_open_tar(struct kv *kv, const char *device, char *err, size_t errlen);

/* Frees what (kv) holds; it may then be opened again. */
void kv_close(struct kv *kv);

/* The number of files. */
size_t kv_count(const struct kv *kv);

/* Stores the (i)th file in path order in (*e). Returns PITH_OK, or
 * PITH_ENOENT when (i) is kv_count() or more. */
int kv_at(const struct kv *kv, size_t i, struct kv_entry *e);

/*
 * Finds the file at (path) (byte for byte, as listed) and stores it in
 * (*e). Returns PITH_OK, PITH_ENOENT when there is none, PITH_EINVAL
 * when (path) is NULL.
 */
int kv_get(const struct kv *kv, const char *path, struct kv_entry *e);

/*
 * Reads up to (len) bytes of the file (e), which kv_get() or kv_at() of
 * this store gave, from byte (off) into (buf). Returns the number of
 * bytes read: (len), or fewer when the file ends first (0 at or past its
 * end); or PITH_EIO when the device fails. Never reads outside the
 * file.
 */
long kv_read(struct kv *kv, const struct kv_entry *e, uint64_t off, void *buf,
             size_t len);

#endif
