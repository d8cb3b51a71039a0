/*
 * Fuzz target for the manifest parser: any bytes as a manifest file. What
 * it accepts must pass the image-side check and be writable as a note,
 * and its tcp limits, written as `pith inspect` shows them, must parse
 * back to the same values.
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[64 * 1024];
    struct pith_mft m, back;
    const char *why;
    char err[512], tcp[160], text[200];
    FILE *f;
    int n;

    if (manifest_parse("fuzz", (const char *)data, size, PITH_TARGET_SPT, NULL,
                       &m, err, sizeof err) != 0)
        return 0;
    if (pith_mft_check(&m, &why) != 0)
        __builtin_trap();
    f = fmemopen(out, sizeof out, "w");
    if (!f || manifest_write_asm(&m, f) != 0)
        __builtin_trap();
    fclose(f);
    n = manifest_tcp_str(&m.tcp, tcp, sizeof tcp);
    if (n < 0)
        __builtin_trap();
    snprintf(text, sizeof text, "name a\n%s%s\n", n ? "tcp " : "", tcp);
    if (manifest_parse("back", text, strlen(text), PITH_TARGET_SPT, NULL, &back,
                       err, sizeof err) != 0 ||
        memcmp(&back.tcp, &m.tcp, sizeof m.tcp) != 0)
        __builtin_trap();
    return 0;
}
