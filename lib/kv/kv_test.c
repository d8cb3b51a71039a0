/*
 * Unit tests for lib/kv over both sources: a table of baked files of its
 * own (as `pith build` generates it, read through lib/files), and tar
 * archives on a fake block device (this file's plat_block_acquire and
 * plat_block_read, over memory, with sectors of 512 and 4096 bytes and
 * failures on demand). Every byte of every file is read back at every
 * offset and length that crosses a sector edge, and compared. Built
 * with -DKV_TEST_NO_FILES, without lib/files: the store over baked files
 * then says there are none.
 */
#include <pith/err.h>
#include <pith/files.h>
#include <pith/kv.h>
#include <pith/plat.h>
#include <pith/tar.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#ifndef KV_TEST_NO_FILES
static const uint8_t d_a[] = "alpha", d_b[] = "", d_z[] = "zone data\n";
const struct pith_file pith_files[] = {
    {"site/a.html", d_a, 5},
    {"site/empty", d_b, 0},
    {"zones/example.zone", d_z, 10},
};
const unsigned pith_nfiles = 3;
#endif

/* ---- The fake device ---- */

static uint8_t disk[16 << 20];
static uint64_t disk_len;
static uint32_t sector = 512;
static int bound = 1;
static int fail_after = -1; /* reads that succeed before one fails */
static unsigned reads;

int plat_block_acquire(const char *name, plat_handle_t *h,
                       struct plat_block_info *info)
{
    if (!bound || strcmp(name, "archive") != 0)
        return PITH_ENOENT;
    *h = 3;
    info->capacity = disk_len;
    info->sector_size = sector;
    return PITH_OK;
}

int plat_block_read(plat_handle_t h, uint64_t offset, uint8_t *buf, size_t size)
{
    if (h != 3 || offset % sector || size % sector || offset > disk_len ||
        size > disk_len - offset)
        return PITH_EINVAL;
    if (fail_after == 0)
        return PITH_EIO;
    if (fail_after > 0)
        fail_after--;
    reads++;
    memcpy(buf, disk + offset, size);
    return PITH_OK;
}

/* ---- Archives, written as GNU tar --format=ustar would ---- */

static void put(const char *name, char type, const void *data, size_t size)
{
    uint8_t *h = disk + disk_len;
    unsigned sum = 0, i;

    memset(h, 0, TAR_BLOCK);
    memcpy(h, name, strnlen(name, 100));
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    h[156] = (uint8_t)type;
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    memset(h + 148, ' ', 8);
    for (i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    disk_len += TAR_BLOCK;
    memset(disk + disk_len, 0, (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK);
    if (size)
        memcpy(disk + disk_len, data, size);
    disk_len += (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

/* Ends the archive and pads the device to whole sectors. */
static void finish(void)
{
    memset(disk + disk_len, 0, 2 * TAR_BLOCK + sector);
    disk_len += 2 * TAR_BLOCK;
    disk_len = (disk_len + sector - 1) / sector * sector;
}

static uint8_t big[70000];

/* Three files, one a path twice, a folder, and one larger than a few
 * sectors of any size. */
static void archive(void)
{
    size_t i;

    for (i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31 + i / 251);
    disk_len = 0;
    put("zones/", '5', NULL, 0);
    put("zones/b.zone", '0', "old", 3);
    put("zones/a.zone", '0', "a-zone\n", 7);
    put("big.bin", '0', big, sizeof big);
    put("zones/b.zone", '0', "new b", 5);
    finish();
}

static void test_files(void)
{
    struct kv kv;
    struct kv_entry e;
    char buf[16];

#ifdef KV_TEST_NO_FILES
    T_CHECK(kv_open_files(&kv) == PITH_ENOENT);
    T_CHECK(kv_count(&kv) == 0 && kv_at(&kv, 0, &e) == PITH_ENOENT);
    T_CHECK(kv_get(&kv, "site/a.html", &e) == PITH_ENOENT);
    kv_close(&kv);
    (void)buf;
#else
    T_CHECK(kv_open_files(&kv) == PITH_OK);
    T_CHECK(kv_count(&kv) == 3);
    T_CHECK(kv_at(&kv, 2, &e) == PITH_OK &&
            strcmp(e.path, "zones/example.zone") == 0 && e.size == 10 &&
            e.data == d_z);
    T_CHECK(kv_at(&kv, 3, &e) == PITH_ENOENT);
    T_CHECK(kv_get(&kv, "site/a.html", &e) == PITH_OK && e.data == d_a &&
            e.path == pith_files[0].path);
    T_CHECK(kv_read(&kv, &e, 1, buf, sizeof buf) == 4 &&
            memcmp(buf, "lpha", 4) == 0);
    T_CHECK(kv_read(&kv, &e, 5, buf, sizeof buf) == 0);
    T_CHECK(kv_read(&kv, &e, 99, buf, sizeof buf) == 0);
    T_CHECK(kv_get(&kv, "site", &e) == PITH_ENOENT);
    T_CHECK(kv_get(&kv, "site/empty", &e) == PITH_OK && e.size == 0);
    T_CHECK(kv_get(&kv, NULL, &e) == PITH_EINVAL);
    kv_close(&kv);
#endif
}

/* Every read of (e) that starts and ends near a sector edge. */
static void read_all_ways(struct kv *kv, const struct kv_entry *e,
                          const uint8_t *want)
{
    static uint8_t buf[sizeof big + 16];
    uint64_t offs[] = {0,    1,    511,  512,         513,    4095,
                       4096, 4097, 8191, e->size - 1, e->size};
    size_t lens[] = {0,    1,    2,    511,   512,       513,
                     1024, 4096, 8192, 10000, sizeof buf};
    size_t i, j;

    for (i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        for (j = 0; j < sizeof lens / sizeof lens[0]; j++) {
            uint64_t off = offs[i] > e->size ? e->size : offs[i];
            size_t n =
                lens[j] < e->size - off ? lens[j] : (size_t)(e->size - off);
            memset(buf, 0xee, sizeof buf);
            T_CHECKF(kv_read(kv, e, off, buf, lens[j]) == (long)n,
                     "%s at %llu len %zu", e->path, (unsigned long long)off,
                     lens[j]);
            T_CHECKF(memcmp(buf, want + off, n) == 0 && buf[n] == 0xee,
                     "%s at %llu len %zu: bytes", e->path,
                     (unsigned long long)off, lens[j]);
        }
    }
}

static void tar_with_sector(uint32_t s)
{
    struct kv kv;
    struct kv_entry e;
    char err[256];
    unsigned before;

    sector = s;
    archive();
    T_CHECKF(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_OK, "%s",
             err);
    T_CHECK(kv_count(&kv) == 3);
    T_CHECK(kv_at(&kv, 0, &e) == PITH_OK && strcmp(e.path, "big.bin") == 0 &&
            e.size == sizeof big && e.data == NULL);
    read_all_ways(&kv, &e, big);
    /* A read of many whole sectors goes to the device once, straight
     * into the caller's buffer, with one more for each end. */
    before = reads;
    {
        static uint8_t buf[sizeof big];
        T_CHECK(kv_read(&kv, &e, 1, buf, sizeof buf) == sizeof big - 1);
        T_CHECK(memcmp(buf, big + 1, sizeof big - 1) == 0);
    }
    T_CHECKF(reads - before <= 3, "%u reads", reads - before);
    T_CHECK(kv_at(&kv, 1, &e) == PITH_OK &&
            strcmp(e.path, "zones/a.zone") == 0);
    read_all_ways(&kv, &e, (const uint8_t *)"a-zone\n");
    /* The later of two members of one path. */
    T_CHECK(kv_get(&kv, "zones/b.zone", &e) == PITH_OK && e.size == 5);
    read_all_ways(&kv, &e, (const uint8_t *)"new b");
    T_CHECK(kv_get(&kv, "zones", &e) == PITH_ENOENT);
    T_CHECK(kv_get(&kv, "zones/", &e) == PITH_ENOENT);
    T_CHECK(kv_get(&kv, "zones/c.zone", &e) == PITH_ENOENT);
    kv_close(&kv);
    sector = 512;
}

static void test_tar_512(void)
{
    tar_with_sector(512);
}

static void test_tar_4096(void)
{
    tar_with_sector(4096);
}

static void test_tar_refused(void)
{
    struct kv kv;
    struct kv_entry e;
    char err[256], small[8];
    uint8_t buf[600];

    archive();
    bound = 0;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_ENOENT);
    T_CHECK(strcmp(err, "no block device 'archive'") == 0);
    bound = 1;
    T_CHECK(kv_open_tar(&kv, "other", err, sizeof err) == PITH_ENOENT);

    /* A broken header: the reader's message. */
    disk[512 + 3] ^= 1;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_EPROTO);
    T_CHECKF(strcmp(err, "member 'zonds/b.zone' at byte 512: bad header "
                         "checksum") == 0,
             "%s", err);
    T_CHECK(kv_open_tar(&kv, "archive", small, sizeof small) == PITH_EPROTO &&
            strlen(small) == 7);
    T_CHECK(kv_open_tar(&kv, "archive", NULL, 0) == PITH_EPROTO);
    T_CHECK(kv_count(&kv) == 0);
    disk[512 + 3] ^= 1;

    /* The device fails while the index is read, and while a file is. */
    fail_after = 1;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_EIO);
    T_CHECKF(strcmp(err, "cannot read the device at byte 512") == 0, "%s", err);
    fail_after = -1;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_OK);
    T_CHECK(kv_at(&kv, 0, &e) == PITH_OK);
    fail_after = 0;
    T_CHECK(kv_read(&kv, &e, 0, buf, sizeof buf) == PITH_EIO);
    T_CHECK(kv_read(&kv, &e, 3, buf, 10) == PITH_EIO);
    fail_after = -1;
    T_CHECK(kv_read(&kv, &e, 3, buf, 10) == 10 &&
            memcmp(buf, big + 3, 10) == 0);
    kv_close(&kv);

    /* Sector sizes we cannot read tar blocks from. */
    sector = 520;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_EINVAL);
    T_CHECK(strcmp(err, "sector size 520: not a multiple of 512 up to "
                        "65536") == 0);
    sector = 131072;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_EINVAL);
    sector = 512;

    /* An empty device is an empty archive. */
    disk_len = 0;
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_OK &&
            kv_count(&kv) == 0);
    kv_close(&kv);
}

static void test_tar_limit(void)
{
    struct kv kv;
    char err[256], name[32];
    unsigned i;

    disk_len = 0;
    for (i = 0; i <= KV_FILES_MAX; i++) {
        snprintf(name, sizeof name, "f%05u", i);
        put(name, '0', NULL, 0);
    }
    finish();
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_ELIMIT);
    T_CHECKF(strcmp(err, "more than 16384 files in the archive") == 0, "%s",
             err);
    /* One fewer is fine, and sorted. */
    disk_len -= 2 * TAR_BLOCK;
    disk_len -= TAR_BLOCK;
    finish();
    T_CHECK(kv_open_tar(&kv, "archive", err, sizeof err) == PITH_OK);
    T_CHECK(kv_count(&kv) == KV_FILES_MAX);
    {
        struct kv_entry e;
        T_CHECK(kv_at(&kv, 0, &e) == PITH_OK && strcmp(e.path, "f00000") == 0);
        T_CHECK(kv_get(&kv, "f16383", &e) == PITH_OK);
        T_CHECK(kv_get(&kv, "f16384", &e) == PITH_ENOENT);
    }
    kv_close(&kv);
}

int main(void)
{
    T_RUN(test_files);
    T_RUN(test_tar_512);
    T_RUN(test_tar_4096);
    T_RUN(test_tar_refused);
    T_RUN(test_tar_limit);
    return t_done();
}
