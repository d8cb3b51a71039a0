/*
 * twoblk: an image with two block devices (test only). Prints each one's
 * capacity and writes its manifest name into its first sector, so the
 * host can see that "first" and "second" reached the files bound to them.
 */
#include <pith/plat.h>
#include <pith/rt.h>
#include <stdio.h>
#include <string.h>

static uint8_t sector[4096];

int app_main(int argc, char **argv)
{
    static const char *const names[2] = {"first", "second"};
    unsigned i;

    (void)argc;
    (void)argv;
    for (i = 0; i < 2; i++) {
        struct plat_block_info bi;
        plat_handle_t h;
        int rc = plat_block_acquire(names[i], &h, &bi);
        if (rc != PITH_OK) {
            printf("twoblk: %s: %s\n", names[i], pith_strerror(rc));
            return 1;
        }
        memset(sector, 0, bi.sector_size);
        snprintf((char *)sector, bi.sector_size, "pith disk %s", names[i]);
        rc = plat_block_write(h, 0, sector, bi.sector_size);
        if (rc != PITH_OK) {
            printf("twoblk: %s: write: %s\n", names[i], pith_strerror(rc));
            return 1;
        }
        printf("twoblk: %s %llu bytes\n", names[i],
               (unsigned long long)bi.capacity);
    }
    return 0;
}
