/*
 * Fuzz target for the store over a tar archive (lib/kv with lib/tar):
 * any bytes, as the contents of a block device of 512-byte sectors, or
 * 4096-byte ones when the input has (size / 512) % 3 == 1 blocks. An
 * archive it opens must list sorted, unique paths that kv_get() finds,
 * and read every file back exactly as the bytes at its place, at any
 * offset; one it refuses says why in one line and keeps nothing
 * (LeakSanitizer checks).
 */
#include <stdint.h>
#include <string.h>

#include <pith/err.h>
#include <pith/kv.h>
#include <pith/plat.h>

#define CHECK(c) ((c) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *dev;
static uint64_t cap;
static uint32_t sec;

int plat_block_acquire(const char *name, plat_handle_t *h,
                       struct plat_block_info *info)
{
    if (strcmp(name, "fuzz") != 0)
        return PITH_ENOENT;
    *h = 0;
    info->capacity = cap;
    info->sector_size = sec;
    return PITH_OK;
}

int plat_block_read(plat_handle_t h, uint64_t offset, uint8_t *buf, size_t size)
{
    CHECK(h == 0 && offset % sec == 0 && size % sec == 0 && offset <= cap &&
          size <= cap - offset);
    memcpy(buf, dev + offset, size);
    return PITH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[1 << 16];
    struct kv kv;
    struct kv_entry e, prev;
    char err[256];
    size_t i;
    int rc;

    dev = data;
    sec = (size / 512) % 3 == 1 ? 4096 : 512;
    cap = size / sec * sec;
    rc = kv_open_tar(&kv, "fuzz", err, sizeof err);
    if (rc < 0) {
        CHECK(rc == PITH_EPROTO || rc == PITH_ELIMIT);
        CHECK(err[0] && memchr(err, '\n', strlen(err)) == NULL);
        return 0;
    }
    for (i = 0; i < kv_count(&kv); i++) {
        uint64_t off;
        CHECK(kv_at(&kv, i, &e) == PITH_OK);
        CHECK(i == 0 || strcmp(prev.path, e.path) < 0);
        CHECK(kv_get(&kv, e.path, &prev) == PITH_OK &&
              prev.offset == e.offset && prev.size == e.size);
        CHECK(e.offset <= cap && e.size <= cap - e.offset);
        for (off = 0; off < e.size; off += sizeof buf - 7) {
            long n = kv_read(&kv, &e, off + (off ? 3 : 0), buf, sizeof buf);
            uint64_t at = off + (off ? 3 : 0);
            uint64_t want = e.size - at < sizeof buf ? e.size - at : sizeof buf;
            CHECK(n == (long)want);
            CHECK(memcmp(buf, data + e.offset + at, (size_t)n) == 0);
        }
        CHECK(kv_read(&kv, &e, e.size, buf, 1) == 0);
        prev = e;
    }
    CHECK(kv_at(&kv, kv_count(&kv), &e) == PITH_ENOENT);
    kv_close(&kv);
    return 0;
}
