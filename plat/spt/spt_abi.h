/*
 * The spt boot ABI: what the pith-spt tender hands to the image's entry
 * point, _start(struct spt_boot_info *), on a stack of its own with %fs
 * pointing at a thread block whose stack-protector canary is at 0x28.
 *
 * Shared by plat/spt (the image side) and tender/spt (the host side).
 */
#ifndef PITH_SPT_ABI_H
#define PITH_SPT_ABI_H

#include <stdint.h>
#include <pith/plat.h>
#include <pith/mft.h>

#define SPT_BOOT_MAGIC 0x7069746873707431ull /* "pithspt1" */

/* Where images are linked and the tender maps guest memory. */
#define SPT_BASE       0x100000ull
#define SPT_PAGE       4096ull
#define SPT_STACK_SIZE (256ull * 1024)

struct spt_boot_dev {
    int32_t fd; /* host fd the seccomp filter allows for this device;
                   -1: an optional device left unbound (absent) */
    uint32_t kind;
    struct plat_net_info net;
    struct plat_block_info block;
};

struct spt_boot_info {
    uint64_t magic;
    const char *cmdline;
    uint64_t heap_start;
    uint64_t heap_size;
    uint32_t ndev; /* equals the image's manifest ndev */
    uint32_t reserved;
    struct spt_boot_dev dev[PITH_MFT_DEV_MAX]; /* manifest order */
};

#endif
