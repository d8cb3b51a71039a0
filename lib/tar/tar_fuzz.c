/*
 * Fuzz target for the tar reader: any bytes, as an archive. Whatever it
 * accepts must be sound: each file's data block-aligned, inside the
 * archive, after the header that named it and the data before it; each
 * path relative, shorter than TAR_PATH_MAX, without empty, "." or ".."
 * parts; the reader done within one step per block. Whatever it refuses
 * it says why in one line.
 */
#include <stdint.h>
#include <string.h>

#include <pith/err.h>
#include <pith/tar.h>

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
    size_t n = strlen(p), i, start = 0;

    CHECK(n > 0 && n < TAR_PATH_MAX && p[0] != '/');
    for (i = 0; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        CHECK(i > start);
        CHECK(!(i - start == 1 && p[start] == '.'));
        CHECK(!(i - start == 2 && p[start] == '.' && p[start + 1] == '.'));
        start = i + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tar_reader r;
    struct tar_entry e;
    uint64_t last_end = 0, steps = 0;
    int rc;

    tar_init(&r, size);
    do {
        uint64_t at = tar_want(&r);
        struct bv b;

        CHECK(at % TAR_BLOCK == 0 && at >= last_end);
        b = bv_make(data + (at < size ? at : 0), TAR_BLOCK);
        rc = tar_next(&r, at <= size && size - at >= TAR_BLOCK ? &b : NULL, &e);
        if (rc == TAR_FILE) {
            CHECK(e.offset % TAR_BLOCK == 0 && e.offset >= last_end + 512);
            CHECK(e.offset <= size && e.size <= size - e.offset);
            check_path(e.path);
            last_end = e.offset + e.size;
        }
        CHECK(++steps <= size / TAR_BLOCK + 2);
    } while (rc == TAR_MORE || rc == TAR_FILE);
    if (rc < 0) {
        CHECK(rc == PITH_EPROTO && r.err == rc);
        CHECK(memchr(r.msg, '\0', sizeof r.msg) != NULL);
        CHECK(r.msg[0] && strchr(r.msg, '\n') == NULL);
    } else {
        CHECK(rc == TAR_END);
    }
    return 0;
}
