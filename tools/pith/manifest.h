/*
 * The app manifest file: parsing it into the struct pith_mft that
 * `pith build` records in the image. The format is in docs/MANIFEST.md.
 */
#ifndef PITH_TOOL_MANIFEST_H
#define PITH_TOOL_MANIFEST_H

#include <stdio.h>
#include <pith/mft.h>

#define MANIFEST_FILES_MAX 32 /* folders on `files` lines, in all */

/*
 * The folders of the manifest's `files` lines, which the image does not
 * record: `pith build` walks them (embed.h). Each is a relative path
 * inside the app folder without "." or ".." parts or trailing '/', none
 * inside another; (line) is where it was named.
 */
struct manifest_files {
    unsigned n;
    struct manifest_dir {
        char path[512];
        unsigned line;
    } dir[MANIFEST_FILES_MAX];
};

/*
 * Parses the manifest text (text, len) named (file) into (*m), for
 * (target), and its `files` folders into (*files) when that is not NULL
 * (the lines are checked either way); a `files` line adds the module
 * `files` to m->modules. Module names are checked with (module_ok) when
 * it is not NULL. On an error writes "FILE:LINE: what was expected" into
 * (err) and returns -1; returns 0 on success.
 */
int manifest_parse(const char *file, const char *text, size_t len,
                   uint32_t target, int (*module_ok)(const char *name),
                   struct pith_mft *m, struct manifest_files *files, char *err,
                   size_t errlen);

/*
 * Writes the nonzero limits of (t) into (buf, len) as the words of a
 * manifest `tcp` line, "conns=1000 sndbuf=64K", sizes with a K or M
 * suffix where exact. Returns the length written (0 when every limit is
 * the default, (buf) then ""), or -1 when (len) is too small.
 */
int manifest_tcp_str(const struct pith_mft_tcp *t, char *buf, size_t len);

/* Writes (m) as an assembler file defining the note and pith_mft. */
int manifest_write_asm(const struct pith_mft *m, FILE *out);

#endif
