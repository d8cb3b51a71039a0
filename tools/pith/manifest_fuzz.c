/*
 * Fuzz target for the manifest parser: any bytes as a manifest file. What
 * it accepts must pass the image-side check and be writable as a note,
 * its tcp limits, written as `pith inspect` shows them, must parse back
 * to the same values, and its files folders must be relative paths
 * inside the app folder, none inside another, with the module they bring.
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[64 * 1024];
    static struct manifest_files files;
    struct pith_mft m, back;
    const char *why;
    char err[512], tcp[160], text[200];
    FILE *f;
    unsigned i, j;
    int n;

    if (manifest_parse("fuzz", (const char *)data, size, PITH_TARGET_SPT, NULL,
                       &m, &files, err, sizeof err) != 0)
        return 0;
    if (pith_mft_check(&m, &why) != 0)
        __builtin_trap();
    if (files.n && !strstr(m.modules, "files"))
        __builtin_trap();
    for (i = 0; i < files.n; i++) {
        const char *p = files.dir[i].path;
        size_t len = strlen(p);
        if (!len || p[0] == '/' || p[len - 1] == '/' || strstr(p, "//") ||
            !strcmp(p, ".") || !strcmp(p, "..") || !strncmp(p, "./", 2) ||
            !strncmp(p, "../", 3) || strstr(p, "/./") || strstr(p, "/../") ||
            (len >= 2 && !strcmp(p + len - 2, "/.")) ||
            (len >= 3 && !strcmp(p + len - 3, "/..")))
            __builtin_trap();
        for (j = 0; j < i; j++) {
            const char *o = files.dir[j].path;
            size_t ol = strlen(o);
            if (!strcmp(o, p) ||
                (ol < len && !strncmp(o, p, ol) && p[ol] == '/') ||
                (len < ol && !strncmp(o, p, len) && o[len] == '/'))
                __builtin_trap();
        }
    }
    f = fmemopen(out, sizeof out, "w");
    if (!f || manifest_write_asm(&m, f) != 0)
        __builtin_trap();
    fclose(f);
    n = manifest_tcp_str(&m.tcp, tcp, sizeof tcp);
    if (n < 0)
        __builtin_trap();
    snprintf(text, sizeof text, "name a\n%s%s\n", n ? "tcp " : "", tcp);
    if (manifest_parse("back", text, strlen(text), PITH_TARGET_SPT, NULL, &back,
                       NULL, err, sizeof err) != 0 ||
        memcmp(&back.tcp, &m.tcp, sizeof m.tcp) != 0)
        __builtin_trap();
    return 0;
}
