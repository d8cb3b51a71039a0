/*
 * virtio-blk (virtio 1.2, 5.2): the block half of the platform contract.
 * Synchronous: a call splits its range into requests the device takes
 * (at most size_max bytes each, as many at once as the queue holds),
 * notifies, and polls the used ring until every one is back, so the
 * caller's buffer serves the device directly and is never touched after
 * the call returns. No interrupts are asked for.
 */
#include <string.h>

#include "vdev.h"

#define VIRTIO_BLK_F_SIZE_MAX (1ull << 1)
#define VIRTIO_BLK_F_RO       (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)

#define BLK_CFG_CAPACITY 0
#define BLK_CFG_SIZE_MAX 8
#define BLK_CFG_BLK_SIZE 20

#define BLK_T_IN  0
#define BLK_T_OUT 1
#define BLK_S_OK  0

#define BLK_QUEUE     128
#define BLK_CHUNK_MAX (1u << 20) /* bytes per request */
#define BLK_SECTOR    512        /* the unit of the request's sector field */

/* struct virtio_blk_req's header and status, one per descriptor. */
struct blk_req {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
    uint8_t status;
    uint8_t pad[7];
};

struct vblk {
    struct vdev *dev;
    struct virtq q;
    struct blk_req *req; /* by head */
    struct plat_block_info info;
    uint32_t chunk; /* bytes per request, a multiple of the sector size */
    int ro;
    int broken; /* the device stalled or broke the queue: EIO from now on */
    uint64_t errors;
};

static struct vblk vblks[PITH_MFT_DEV_MAX];
static struct vblk *blk_of[PITH_MFT_DEV_MAX]; /* by handle */

int blk_attach(struct vdev *d, uint32_t handle)
{
    struct vblk *b;
    uint64_t sectors;
    uint32_t ss = BLK_SECTOR, max = BLK_CHUNK_MAX;
    int ok = 1;

    if (handle >= PITH_MFT_DEV_MAX)
        return -1;
    b = &vblks[handle];
    memset(b, 0, sizeof *b);
    b->dev = d;
    if (vdev_negotiate(d, VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_RO |
                              VIRTIO_BLK_F_BLK_SIZE) < 0)
        return -1;
    sectors = vdev_cfg(d, BLK_CFG_CAPACITY, 8, &ok);
    if (d->features & VIRTIO_BLK_F_BLK_SIZE) {
        uint32_t v = (uint32_t)vdev_cfg(d, BLK_CFG_BLK_SIZE, 4, &ok);
        /* A power of 2 from 512 to 64 KiB, or the 512 of old. */
        if (v >= 512 && v <= 65536 && (v & (v - 1)) == 0)
            ss = v;
    }
    if (d->features & VIRTIO_BLK_F_SIZE_MAX) {
        uint32_t v = (uint32_t)vdev_cfg(d, BLK_CFG_SIZE_MAX, 4, &ok);
        if (v && v < max)
            max = v;
    }
    if (!ok || sectors > UINT64_MAX / BLK_SECTOR) {
        kern_printf("virtio: %s: unreadable configuration\n", d->where);
        goto fail;
    }
    b->info.sector_size = ss;
    b->info.capacity = sectors * BLK_SECTOR / ss * ss;
    b->chunk = max / ss * ss;
    if (b->chunk == 0)
        b->chunk = ss; /* a size_max below one sector cannot be met */
    b->ro = (d->features & VIRTIO_BLK_F_RO) != 0;
    if (vdev_queue(d, 0, &b->q, BLK_QUEUE, BLK_QUEUE) < 0)
        goto fail;
    b->req = kern_alloc_pages((size_t)b->q.nfree * sizeof *b->req);
    virtq_irq_off(&b->q);
    vdev_ready(d, 1); /* the handler only acknowledges (a shared line) */
    blk_of[handle] = b;
    kern_printf("virtio: block %s %llu bytes, sector %u%s (%s)\n",
                pith_mft.dev[handle].name, (unsigned long long)b->info.capacity,
                ss, b->ro ? ", read-only" : "", d->where);
    return 0;
fail:
    vdev_reset(d);
    return -1;
}

int plat_block_acquire(const char *name, plat_handle_t *h,
                       struct plat_block_info *info)
{
    int i = vdev_mft_find(name, strlen(name), PITH_MFT_BLOCK);

    if (i < 0 || !blk_of[i])
        return PITH_ENOENT;
    *h = (plat_handle_t)i;
    *info = blk_of[i]->info;
    return PITH_OK;
}

/* The device stopped answering or broke its queue: stop it for good, so
 * it no longer reaches into the caller's buffers. */
static int blk_break(struct vblk *b)
{
    b->broken = 1;
    vdev_reset(b->dev);
    kern_printf("virtio: %s: the block device stopped answering: reset\n",
                b->dev->where);
    return PITH_EIO;
}

static int blk_io(plat_handle_t h, uint64_t off, uint8_t *buf, size_t size,
                  int write)
{
    struct vblk *b = h < PITH_MFT_DEV_MAX ? blk_of[h] : NULL;
    uint64_t deadline;
    size_t sent = 0;
    unsigned inflight = 0;
    int rc = PITH_OK;

    if (!b || off % b->info.sector_size || size % b->info.sector_size ||
        off > b->info.capacity || size > b->info.capacity - off)
        return PITH_EINVAL;
    if (b->broken || (write && b->ro))
        return PITH_EIO;
    deadline = plat_clock_monotonic() + VDEV_POLL_NS;
    while (sent < size || inflight) {
        uint32_t got;
        int head, added = 0;

        while (sent < size && b->q.nfree >= 3) {
            size_t n = size - sent < b->chunk ? size - sent : b->chunk;
            struct blk_req *r = &b->req[virtq_next_head(&b->q)];
            struct virtq_seg s[3] = {
                {(uintptr_t)r, 16},
                {(uintptr_t)(buf + sent), (uint32_t)n},
                {(uintptr_t)&r->status, 1},
            };
            r->type = write ? BLK_T_OUT : BLK_T_IN;
            r->reserved = 0;
            r->sector = (off + sent) / BLK_SECTOR;
            r->status = 0xff; /* not written by the device: a failure */
            virtq_add(&b->q, s, write ? 2 : 1, write ? 1 : 2);
            sent += n;
            inflight++;
            added = 1;
        }
        if (added)
            vdev_kick(b->dev, 0, &b->q);
        head = virtq_get(&b->q, &got);
        if (head < 0) {
            if (b->q.broken || plat_clock_monotonic() > deadline)
                return blk_break(b);
            __asm__ volatile("pause");
            continue;
        }
        inflight--;
        deadline = plat_clock_monotonic() + VDEV_POLL_NS;
        if (b->req[head].status != BLK_S_OK) {
            b->errors++;
            rc = PITH_EIO;
        }
    }
    return rc;
}

int plat_block_write(plat_handle_t h, uint64_t offset, const uint8_t *buf,
                     size_t size)
{
    /* The device only reads (buf): the chain marks it so. */
    return blk_io(h, offset, (uint8_t *)(uintptr_t)buf, size, 1);
}

int plat_block_read(plat_handle_t h, uint64_t offset, uint8_t *buf, size_t size)
{
    return blk_io(h, offset, buf, size, 0);
}
