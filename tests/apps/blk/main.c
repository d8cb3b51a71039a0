/*
 * blk: checks the block device contract against the file bound as
 * "storage": capacity, multi-sector writes and reads at offsets, and
 * refusal of misaligned or out-of-range requests. Leaves the sector at
 * offset 1024 holding "pith block ok" for the test to read on the host.
 * Then says whether the optional devices "spare" (block) and "uplink"
 * (net) are there: absent, a handle that would be theirs (manifest
 * order: storage 0, spare 1, uplink 2) is refused too.
 */
#include <stdio.h>
#include <string.h>
#include <pith/plat.h>
#include <pith/rt.h>

static uint8_t wbuf[8192], rbuf[8192];

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("blk: FAIL: %s (line %d)\n", #c, __LINE__);                 \
            return 1;                                                          \
        }                                                                      \
    } while (0)

int app_main(int argc, char **argv)
{
    struct plat_block_info bi;
    plat_handle_t h, other;
    uint64_t last;
    unsigned i;

    (void)argc;
    (void)argv;
    CHECK(plat_block_acquire("storage", &h, &bi) == PITH_OK);
    CHECK(plat_block_acquire("nosuch", &other, &bi) == PITH_ENOENT);
    CHECK(plat_net_write(h, wbuf, 64) == PITH_EINVAL); /* not a net dev */
    printf("blk: capacity %llu bytes, sector %u\n",
           (unsigned long long)bi.capacity, bi.sector_size);
    CHECK(bi.sector_size == 512 && bi.capacity >= 64 * 1024);

    for (i = 0; i < sizeof wbuf; i++)
        wbuf[i] = (uint8_t)(i * 7 + 3);
    CHECK(plat_block_write(h, 4096, wbuf, sizeof wbuf) == PITH_OK);
    CHECK(plat_block_read(h, 4096, rbuf, sizeof rbuf) == PITH_OK);
    CHECK(memcmp(wbuf, rbuf, sizeof wbuf) == 0);
    /* A read of part of what was written, at another offset. */
    CHECK(plat_block_read(h, 4096 + 1024, rbuf, 512) == PITH_OK);
    CHECK(memcmp(wbuf + 1024, rbuf, 512) == 0);

    last = bi.capacity - 512;
    CHECK(plat_block_write(h, last, wbuf, 512) == PITH_OK);
    CHECK(plat_block_write(h, last, wbuf, 1024) == PITH_EINVAL);
    CHECK(plat_block_write(h, bi.capacity, wbuf, 512) == PITH_EINVAL);
    CHECK(plat_block_read(h, 100, rbuf, 512) == PITH_EINVAL);
    CHECK(plat_block_read(h, 0, rbuf, 100) == PITH_EINVAL);
    CHECK(plat_block_read(h, ~0ull - 511, rbuf, 512) == PITH_EINVAL);

    memset(wbuf, 0, 512);
    memcpy(wbuf, "pith block ok", 13);
    CHECK(plat_block_write(h, 1024, wbuf, 512) == PITH_OK);

    if (plat_block_acquire("spare", &other, &bi) == PITH_OK) {
        CHECK(other == 1);
        CHECK(plat_block_read(other, 0, rbuf, 512) == PITH_OK);
        rbuf[16] = 0;
        printf("blk: spare bound, %llu bytes, begins '%s'\n",
               (unsigned long long)bi.capacity, (char *)rbuf);
    } else {
        CHECK(plat_block_acquire("spare", &other, &bi) == PITH_ENOENT);
        CHECK(plat_block_read(1, 0, rbuf, 512) == PITH_EINVAL);
        CHECK(plat_block_write(1, 0, wbuf, 512) == PITH_EINVAL);
        printf("blk: spare absent\n");
    }
    {
        struct plat_net_info ni;
        size_t len;
        if (plat_net_acquire("uplink", &other, &ni) == PITH_OK) {
            CHECK(other == 2);
            printf("blk: uplink bound, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
                   ni.mac[0], ni.mac[1], ni.mac[2], ni.mac[3], ni.mac[4],
                   ni.mac[5]);
        } else {
            CHECK(plat_net_read(2, rbuf, sizeof rbuf, &len) == PITH_EINVAL);
            CHECK(plat_net_write(2, wbuf, 64) == PITH_EINVAL);
            printf("blk: uplink absent\n");
        }
    }
    printf("blk: ok\n");
    return 0;
}
