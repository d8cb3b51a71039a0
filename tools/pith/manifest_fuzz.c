/*
 * Fuzz target for the manifest parser: any bytes as a manifest file. What
 * it accepts must pass the image-side check and be writable as a note.
 */
#include "manifest.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[64 * 1024];
    struct pith_mft m;
    const char *why;
    char err[512];
    FILE *f;

    if (manifest_parse("fuzz", (const char *)data, size, PITH_TARGET_SPT, NULL,
                       &m, err, sizeof err) != 0)
        return 0;
    if (pith_mft_check(&m, &why) != 0)
        __builtin_trap();
    f = fmemopen(out, sizeof out, "w");
    if (!f || manifest_write_asm(&m, f) != 0)
        __builtin_trap();
    fclose(f);
    return 0;
}
