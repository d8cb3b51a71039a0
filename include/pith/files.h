/*
 * Files baked into the image at build time, read-only: the folders an
 * app's manifest names on `files` lines (docs/MANIFEST.md), for zones,
 * web sites, certificates and the like.
 *
 * `pith build` walks those folders and emits every regular file into the
 * image's read-only data, with a table sorted by path. A file's path is
 * relative to the app folder, '/'-separated: the line `files zones`
 * gives paths such as "zones/example.zone". The data lives as long as
 * the image and never changes; on spt it is mapped read-only, so a
 * write through a cast faults.
 */
#ifndef PITH_FILES_H
#define PITH_FILES_H

#include <stddef.h>
#include <stdint.h>

/*
 * One file. (data) is aligned to PITH_FILES_ALIGN bytes and followed by
 * a NUL byte not counted in (size), so a text file may be read as a C
 * string; an empty file has size 0 and (data) pointing at that NUL.
 */
struct pith_file {
    const char *path;
    const uint8_t *data;
    size_t size;
};

#define PITH_FILES_ALIGN     16
#define PITH_FILES_MAX_BYTES (64u << 20) /* all files together, at most */

/*
 * The table `pith build` generates: (pith_nfiles) files sorted by path in
 * strcmp() order, no path twice. Read it through the functions below.
 */
extern const struct pith_file pith_files[];
extern const unsigned pith_nfiles;

/*
 * Looks up the file at (path), a NUL-terminated path as in the table
 * ("zones/example.zone": no leading '/', no "." or ".." parts; matched
 * byte for byte). On success stores its data and size in (*data) and
 * (*size), either of which MAY be NULL, and returns PITH_OK; returns
 * PITH_ENOENT when there is no such file (a folder is not a file), and
 * PITH_EINVAL when (path) is NULL. O(log n) comparisons.
 */
int files_get(const char *path, const uint8_t **data, size_t *size);

/* Returns the number of files in the image. */
size_t files_count(void);

/*
 * Returns the (i)th file in path order, for listing, or NULL when (i) is
 * files_count() or more. The entry is the image's: never freed.
 */
const struct pith_file *files_at(size_t i);

#endif
