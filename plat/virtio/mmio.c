/*
 * virtio over MMIO (virtio 1.2, 4.2): version 2, and the legacy version 1
 * (4.2.4) that QEMU's virtio-mmio still defaults to. Devices are where the
 * command line's virtio_mmio.device=SIZE@BASE:IRQ[:ID] tokens say, in the
 * tokens' order: QEMU microvm writes them in the order of its -device
 * options (highest address first), Firecracker in the order it attached
 * devices (lowest first).
 */
#include <stdio.h>
#include <string.h>

#include "vdev.h"

#define MMIO_MAGIC         0x000
#define MMIO_VERSION       0x004
#define MMIO_DEVICE_ID     0x008
#define MMIO_DEV_FEATURES  0x010
#define MMIO_DEV_FEAT_SEL  0x014
#define MMIO_DRV_FEATURES  0x020
#define MMIO_DRV_FEAT_SEL  0x024
#define MMIO_GUEST_PAGE    0x028 /* version 1 */
#define MMIO_QUEUE_SEL     0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM     0x038
#define MMIO_QUEUE_ALIGN   0x03c /* version 1 */
#define MMIO_QUEUE_PFN     0x040 /* version 1 */
#define MMIO_QUEUE_READY   0x044
#define MMIO_QUEUE_NOTIFY  0x050
#define MMIO_INTR_STATUS   0x060
#define MMIO_INTR_ACK      0x064
#define MMIO_STATUS        0x070
#define MMIO_QUEUE_DESC    0x080
#define MMIO_QUEUE_DRIVER  0x090
#define MMIO_QUEUE_DEVICE  0x0a0
#define MMIO_CONFIG_GEN    0x0fc
#define MMIO_CONFIG        0x100
#define MMIO_MAGIC_VALUE   0x74726976u /* "virt" */

/* What cpu.c maps: transports must sit below this. */
#define MMIO_MAPPED_END (1ull << 32)

static uint32_t mmio_rd(const struct vdev *d, unsigned reg)
{
    return kern_rd32(d->base + reg);
}

static void mmio_wr(const struct vdev *d, unsigned reg, uint32_t v)
{
    kern_wr32(d->base + reg, v);
}

static uint64_t mmio_features(struct vdev *d)
{
    uint64_t lo, hi;
    mmio_wr(d, MMIO_DEV_FEAT_SEL, 0);
    lo = mmio_rd(d, MMIO_DEV_FEATURES);
    mmio_wr(d, MMIO_DEV_FEAT_SEL, 1);
    hi = mmio_rd(d, MMIO_DEV_FEATURES);
    return hi << 32 | lo;
}

static void mmio_set_features(struct vdev *d, uint64_t f)
{
    mmio_wr(d, MMIO_DRV_FEAT_SEL, 0);
    mmio_wr(d, MMIO_DRV_FEATURES, (uint32_t)f);
    mmio_wr(d, MMIO_DRV_FEAT_SEL, 1);
    mmio_wr(d, MMIO_DRV_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t mmio_status(struct vdev *d)
{
    return (uint8_t)mmio_rd(d, MMIO_STATUS);
}

static void mmio_set_status(struct vdev *d, uint8_t s)
{
    mmio_wr(d, MMIO_STATUS, s);
}

static int mmio_config(struct vdev *d, unsigned off, void *buf, unsigned len)
{
    unsigned tries;
    uint32_t gen;

    if ((uint64_t)off + len > d->cfg_len)
        return -1;
    if (d->mmio_version == 1) {
        vdev_cfg_copy(d->base + MMIO_CONFIG + off, buf, len);
        return 0;
    }
    for (tries = 0; tries < 100; tries++) {
        gen = mmio_rd(d, MMIO_CONFIG_GEN);
        vdev_cfg_copy(d->base + MMIO_CONFIG + off, buf, len);
        if (mmio_rd(d, MMIO_CONFIG_GEN) == gen)
            return 0;
    }
    return -1;
}

static unsigned mmio_queue_max(struct vdev *d, unsigned q)
{
    uint32_t max;
    mmio_wr(d, MMIO_QUEUE_SEL, q);
    if (d->mmio_version == 2 && mmio_rd(d, MMIO_QUEUE_READY))
        return 0; /* in use after a reset: not ours to take */
    if (d->mmio_version == 1 && mmio_rd(d, MMIO_QUEUE_PFN))
        return 0;
    max = mmio_rd(d, MMIO_QUEUE_NUM_MAX);
    return max > 0xffff ? 0xffff : max;
}

static int mmio_resizable(struct vdev *d)
{
    (void)d;
    return 1;
}

static void mmio_wr64(const struct vdev *d, unsigned reg, uint64_t v)
{
    mmio_wr(d, reg, (uint32_t)v);
    mmio_wr(d, reg + 4, (uint32_t)(v >> 32));
}

static int mmio_queue_setup(struct vdev *d, unsigned q, struct virtq *vq)
{
    mmio_wr(d, MMIO_QUEUE_SEL, q);
    mmio_wr(d, MMIO_QUEUE_NUM, vq->size);
    if (d->mmio_version == 1) {
        uint64_t pfn = virtq_desc_addr(vq) >> 12;
        if (pfn > 0xffffffffu)
            return -1;
        mmio_wr(d, MMIO_GUEST_PAGE, 4096);
        mmio_wr(d, MMIO_QUEUE_ALIGN, 4096);
        mmio_wr(d, MMIO_QUEUE_PFN, (uint32_t)pfn);
        return 0;
    }
    mmio_wr64(d, MMIO_QUEUE_DESC, virtq_desc_addr(vq));
    mmio_wr64(d, MMIO_QUEUE_DRIVER, virtq_avail_addr(vq));
    mmio_wr64(d, MMIO_QUEUE_DEVICE, virtq_used_addr(vq));
    mmio_wr(d, MMIO_QUEUE_READY, 1);
    return 0;
}

static void mmio_notify(struct vdev *d, unsigned q)
{
    mmio_wr(d, MMIO_QUEUE_NOTIFY, q);
}

static unsigned mmio_isr(struct vdev *d)
{
    uint32_t s = mmio_rd(d, MMIO_INTR_STATUS);
    if (s)
        mmio_wr(d, MMIO_INTR_ACK, s);
    return s;
}

static const struct vdev_ops mmio_ops = {
    mmio_features, mmio_set_features, mmio_status,    mmio_set_status,
    mmio_config,   mmio_queue_max,    mmio_resizable, mmio_queue_setup,
    mmio_notify,   mmio_isr,
};

/*
 * Parses an unsigned number at (*p), before (end): 0x-prefixed hex or
 * decimal; with (suffix), an optional K, M or G. Returns -1 on junk or
 * overflow.
 */
static int mmio_num(const char **p, const char *end, int suffix, uint64_t *v)
{
    const char *s = *p;
    unsigned base = 10, digits = 0;
    uint64_t x = 0;

    if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; s < end; s++, digits++) {
        unsigned dv;
        if (*s >= '0' && *s <= '9')
            dv = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            dv = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            dv = (unsigned)(*s - 'A' + 10);
        else
            break;
        if (x > (UINT64_MAX - dv) / base)
            return -1;
        x = x * base + dv;
    }
    if (!digits)
        return -1;
    if (suffix && s < end) {
        unsigned shift = *s == 'K' || *s == 'k'   ? 10
                         : *s == 'M' || *s == 'm' ? 20
                         : *s == 'G' || *s == 'g' ? 30
                                                  : 0;
        if (shift) {
            if (x > UINT64_MAX >> shift)
                return -1;
            x <<= shift;
            s++;
        }
    }
    *p = s;
    *v = x;
    return 0;
}

/* One token's value: SIZE@BASE:IRQ[:ID], (n) bytes at (s). */
static void mmio_token(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    uint64_t size, base, irq;
    struct vdev *d, tmp = {0};
    uint32_t magic, version, id;
    static uint64_t bases[VDEV_MAX];
    static unsigned nbases;
    unsigned i;

    if (mmio_num(&p, end, 1, &size) < 0 || p == end || *p++ != '@' ||
        mmio_num(&p, end, 0, &base) < 0 || p == end || *p++ != ':' ||
        mmio_num(&p, end, 0, &irq) < 0 || (p != end && *p != ':')) {
        kern_printf("virtio: virtio_mmio.device=%.*s: want SIZE@BASE:IRQ\n",
                    (int)n, s);
        return;
    }
    if (size < MMIO_CONFIG || size > 0x100000 || base == 0 || base % 256 ||
        base > MMIO_MAPPED_END - size || irq > 255) {
        kern_printf("virtio: virtio_mmio.device=%.*s: out of range\n", (int)n,
                    s);
        return;
    }
    for (i = 0; i < nbases; i++)
        if (bases[i] == base)
            return; /* named twice */
    if (nbases < VDEV_MAX)
        bases[nbases++] = base;
    tmp.base = (uintptr_t)base;
    tmp.ops = &mmio_ops;
    magic = mmio_rd(&tmp, MMIO_MAGIC);
    version = mmio_rd(&tmp, MMIO_VERSION);
    id = mmio_rd(&tmp, MMIO_DEVICE_ID);
    if (magic != MMIO_MAGIC_VALUE || (version != 1 && version != 2)) {
        kern_printf("virtio: mmio %#llx: no virtio-mmio transport there "
                    "(magic %#x, version %u)\n",
                    (unsigned long long)base, magic, version);
        return;
    }
    if (id == 0)
        return; /* a transport with no device behind it */
    d = vdev_new();
    if (!d)
        return;
    *d = tmp;
    d->type = id;
    d->mmio_version = version;
    d->modern = version == 2;
    d->mmio_size = (uint32_t)size;
    d->cfg_len = (uint32_t)(size - MMIO_CONFIG);
    d->gsi = (unsigned)irq;
    d->level = 1;
    snprintf(d->where, sizeof d->where, "mmio %#llx", (unsigned long long)base);
}

void mmio_scan(const char *cmdline)
{
    static const char key[] = "virtio_mmio.device=";
    const char *p = cmdline, *w;
    size_t n;

    while ((p = vdev_word(p, &w, &n)))
        if (n > sizeof key - 1 && !memcmp(w, key, sizeof key - 1))
            mmio_token(w + sizeof key - 1, n - (sizeof key - 1));
}
