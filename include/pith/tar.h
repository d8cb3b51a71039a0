/*
 * tar: a reader of tar archive headers, for stores that serve files out
 * of an archive (lib/kv). It reads POSIX.1-1988 ustar, GNU tar's default
 * format ("gnu": long names as ././@LongLink members) and POSIX.1-2001
 * pax extended headers (the keys "path" and "size"; others are skipped),
 * and refuses everything else: other magic numbers, bad checksums, sizes
 * past the end of the archive, fields that are not terminated, sparse
 * and multi-volume members.
 *
 * It never reads file data and never allocates: the caller owns the
 * reader (about 1.5 KiB), reads the archive in TAR_BLOCK-byte blocks
 * from wherever it lies (memory, a block device) and hands each block
 * to tar_next(), which says where the next block it wants lies and, for
 * each regular file, where the file's data lies:
 *
 *     struct tar_reader r;
 *     struct tar_entry e;
 *     int rc;
 *
 *     tar_init(&r, archive_size);
 *     do {
 *         uint64_t at = tar_want(&r);
 *         struct bv b = ...the TAR_BLOCK bytes at (at), if the archive
 *                          has them...;
 *         rc = tar_next(&r, have_them ? &b : NULL, &e);
 *         if (rc == TAR_FILE)
 *             ...e.path, e.size bytes at offset e.offset...;
 *     } while (rc == TAR_MORE || rc == TAR_FILE);
 *     if (rc < 0)
 *         ...r.msg says why, in one line...;
 *
 * Members other than regular files are skipped: directories, links,
 * devices, FIFOs, GNU volume labels and dumpdirs, pax global headers.
 * A path is the member's name as stored (pax "path", else a GNU long
 * name, else the ustar prefix, '/', and name), without leading "./"; a
 * regular file's path must then be relative, with no empty, "." or ".."
 * part, and shorter than TAR_PATH_MAX bytes, or the archive is refused.
 * The reader does not look for duplicates: when a path comes twice, tar
 * extracts the later member over the earlier one.
 */
#ifndef PITH_TAR_H
#define PITH_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <pith/bv.h>

#define TAR_BLOCK    512 /* headers and data are in blocks of this size */
#define TAR_PATH_MAX 256 /* bytes of a path, its NUL included */
#define TAR_MSG_MAX  200 /* bytes of an error message, its NUL included */

/* What tar_next() returns besides errors (which are negative). */
#define TAR_MORE 1 /* nothing to report: feed the block at tar_want() */
#define TAR_FILE 2 /* a regular file, in (*e) */
#define TAR_END  3 /* the end of the archive */

/* A regular file of the archive. */
struct tar_entry {
    char path[TAR_PATH_MAX]; /* NUL-terminated, as described above */
    uint64_t offset;         /* of its data from the start of the archive: a
                                multiple of TAR_BLOCK */
    uint64_t size;  /* bytes of data; offset + size <= the archive's size */
    uint64_t mtime; /* modification time, seconds since the epoch, from
                       the header (0 when it is not a plain octal
                       number); pax "mtime" records are not read */
};

/* The reader's state. Read (err) and (msg); the rest is private. */
struct tar_reader {
    int err;               /* sticky: 0, or the error tar_next() gave */
    char msg[TAR_MSG_MAX]; /* when (err): "member 'NAME' at byte N: what" */
    uint64_t size;         /* of the archive */
    uint64_t pos;          /* the block wanted next */
    uint64_t hdr;          /* the header being read, for messages */
    uint64_t ext;          /* 1 + where a pending extended header began */
    uint64_t left;         /* bytes of extension data still to read */
    uint8_t state;         /* reading headers, or extension data */
    uint8_t done;          /* TAR_END was returned */
    uint8_t long_done;     /* the GNU long name's NUL was read */
    uint8_t pax_state;     /* where in a pax record the data stopped */
    uint8_t pax_size_set;  /* a pax size: 1 read, 2 being read */
    uint8_t key_len;       /* bytes of the record's key (capped) */
    char key[6];           /* its first bytes */
    uint64_t pax_size;     /* the pax size */
    uint64_t rec_len;      /* the pax record being read: its length */
    uint64_t rec_read;     /* and the bytes of it read */
    uint16_t long_len;     /* bytes of the GNU long name read */
    uint16_t pax_len;      /* bytes of the pax path read */
    char long_name[TAR_PATH_MAX]; /* a pending GNU long name */
    char pax_path[TAR_PATH_MAX];  /* a pending pax path */
};

/* Starts reading an archive of (size) bytes; its first block is at 0. */
void tar_init(struct tar_reader *r, uint64_t size);

/*
 * The offset of the block tar_next() wants next: a multiple of
 * TAR_BLOCK. When it is above the archive's size minus TAR_BLOCK, the
 * archive has no such block: pass NULL.
 */
uint64_t tar_want(const struct tar_reader *r);

/*
 * Reads the block (b), which MUST be the TAR_BLOCK bytes at tar_want(r)
 * (a view of another length is PITH_EINVAL), or NULL when the archive
 * has no block there. Returns:
 *  - TAR_MORE: feed the next block;
 *  - TAR_FILE: a regular file, described in (*e); feed the next block
 *    (its data is skipped: tar_want() is past it);
 *  - TAR_END: the archive ended, with a block of zeros (as tar writes
 *    two) or at a member boundary with no more blocks; from then on
 *    TAR_END again;
 *  - PITH_EPROTO: the archive is malformed or not supported, with one
 *    line in r->msg naming the member (its name as far as read, control
 *    characters shown as '?') and the offset of its header, such as
 *    "member 'zones/a.zone' at byte 1024: bad header checksum"; from
 *    then on PITH_EPROTO again.
 * (*e) is written only for TAR_FILE.
 */
int tar_next(struct tar_reader *r, struct bv *b, struct tar_entry *e);

#endif
