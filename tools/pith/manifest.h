/*
 * The app manifest file: parsing it into the struct pith_mft that
 * `pith build` records in the image. The format is in docs/MANIFEST.md.
 */
#ifndef PITH_TOOL_MANIFEST_H
#define PITH_TOOL_MANIFEST_H

#include <stdio.h>
#include <pith/mft.h>

/*
 * Parses the manifest text (text, len) named (file) into (*m), for
 * (target). Module names are checked with (module_ok) when it is not NULL.
 * On an error writes "FILE:LINE: what was expected" into (err) and
 * returns -1; returns 0 on success.
 */
int manifest_parse(const char *file, const char *text, size_t len,
                   uint32_t target, int (*module_ok)(const char *name),
                   struct pith_mft *m, char *err, size_t errlen);

/* Writes (m) as an assembler file defining the note and pith_mft. */
int manifest_write_asm(const struct pith_mft *m, FILE *out);

#endif
