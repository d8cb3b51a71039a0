/*
 * The files of the manifest's `files` lines: walking their folders into a
 * list sorted by path, and writing that list as the assembler file that
 * bakes them into the image, the table of include/pith/files.h.
 */
#ifndef PITH_TOOL_EMBED_H
#define PITH_TOOL_EMBED_H

#include "manifest.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct embed_file {
    char *path; /* relative to the app folder: "zones/example.zone" */
    uint64_t size;
    struct timespec mtime;
};

/* The files found; embed_collect() fills it, embed_free() empties it. */
struct embed {
    struct embed_file *file; /* sorted by path, in strcmp() order */
    size_t n, cap;
    uint64_t bytes; /* of all files */
};

/*
 * Walks each folder of (files) inside the app folder (appdir), whose
 * manifest is named (mfile) in messages, into (*e): every regular file,
 * recursively, except those and the folders whose names start with '.'.
 * Refuses a symbolic link anywhere (on the way to a folder, too), other
 * kinds of file, and more than PITH_FILES_MAX_BYTES in all. On an error
 * writes "MFILE:LINE: files: 'PATH': why" into (err), leaves (*e) empty
 * and returns -1; returns 0 on success. Call embed_free() after either.
 */
int embed_collect(const char *appdir, const char *mfile,
                  const struct manifest_files *files, struct embed *e,
                  char *err, size_t errlen);

/*
 * Writes (e) as assembler for (target) to (out): each file's data, read
 * by the assembler from (appdir)/PATH (appdir absolute), then the table
 * pith_files and the count pith_nfiles. The text carries each file's size
 * and modification time, so it changes whenever a file does; a file that
 * changes size before the assembler reads it fails the build. Returns 0,
 * or -1 on a write error.
 */
int embed_write_asm(const struct embed *e, const char *appdir, uint32_t target,
                    FILE *out);

void embed_free(struct embed *e);

#endif
