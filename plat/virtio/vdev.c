/*
 * The virtio devices found, bound to the manifest: the i-th virtio-net
 * device in discovery order to the manifest's i-th net device (unless a
 * pith.net.NAME=MAC token names the NIC), the i-th virtio-blk device to
 * the i-th block device, the first virtio-rng device to plat_entropy()
 * (at boot, or on its first call when the manifest names no device).
 * Discovery order is PCI (bus, slot, function; bridges where they sit),
 * then MMIO transports in command-line order, which is the order of the
 * VMM's -device options on QEMU pc, q35 and microvm and the order of
 * attachment on Firecracker. Whatever is left over is reset and left.
 */
#include <string.h>

#include "vdev.h"

static struct vdev devs[VDEV_MAX];
static unsigned ndevs, dropped;

struct vdev *vdev_new(void)
{
    if (ndevs == VDEV_MAX) {
        dropped++;
        return NULL;
    }
    return &devs[ndevs++];
}

/* ---- Start-up (3.1.1) ----------------------------------------------- */

void vdev_reset(struct vdev *d)
{
    unsigned i;

    d->ops->set_status(d, 0);
    /* A modern device has reset when status reads 0 again (4.1.4.3.2). */
    for (i = 0; i < 1000000 && d->ops->status(d) != 0; i++)
        __asm__ volatile("pause");
}

/* Reset, then as far as reading the features: what binding needs. */
static void vdev_probe(struct vdev *d)
{
    vdev_reset(d);
    d->ops->set_status(d, VIRTIO_S_ACKNOWLEDGE);
    d->ops->set_status(d, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
    d->offered = d->ops->features(d);
    if (!d->modern)
        d->offered &= 0xffffffffull;
}

static void vdev_fail(struct vdev *d)
{
    d->ops->set_status(d, (uint8_t)(d->ops->status(d) | VIRTIO_S_FAILED));
}

int vdev_negotiate(struct vdev *d, uint64_t want)
{
    uint8_t s = VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER;
    uint64_t f;

    vdev_probe(d);
    if (d->modern && !(d->offered & VIRTIO_F_VERSION_1)) {
        kern_printf("virtio: %s: modern transport without VERSION_1\n",
                    d->where);
        vdev_fail(d);
        return -1;
    }
    /* ACCESS_PLATFORM: addresses are physical ones here, with no IOMMU
     * in between, which is what the platform's DMA gives. */
    f = d->offered & (want | VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM);
    d->ops->set_features(d, f);
    if (d->modern) {
        s |= VIRTIO_S_FEATURES_OK;
        d->ops->set_status(d, s);
        if (!(d->ops->status(d) & VIRTIO_S_FEATURES_OK)) {
            kern_printf("virtio: %s: features %#llx refused\n", d->where,
                        (unsigned long long)f);
            vdev_fail(d);
            return -1;
        }
    }
    d->features = f;
    return 0;
}

int vdev_queue(struct vdev *d, unsigned q, struct virtq *vq, unsigned want,
               unsigned ndesc)
{
    unsigned max = d->ops->queue_max(d, q), size;
    void *mem;

    if (max == 0 || q >= VDEV_QUEUES_MAX)
        return -1;
    if (d->ops->queue_resizable(d)) {
        if (max > VIRTQ_SIZE_MAX)
            max = VIRTQ_SIZE_MAX;
        for (size = 1; size * 2 <= max && size * 2 <= want; size *= 2)
            ;
    } else {
        size = max; /* legacy PCI: take it or leave it */
    }
    if (virtq_bytes(size) == 0) {
        kern_printf("virtio: %s: queue %u has a bad size %u\n", d->where, q,
                    size);
        return -1;
    }
    if (ndesc > size)
        ndesc = size;
    mem = kern_alloc_pages(virtq_bytes(size));
    if (!mem) {
        kern_printf("virtio: %s: no memory for queue %u of %u\n", d->where, q,
                    size);
        return -1;
    }
    if (virtq_init(vq, size, ndesc, mem,
                   (d->features & VIRTIO_F_EVENT_IDX) != 0) < 0 ||
        d->ops->queue_setup(d, q, vq) < 0) {
        kern_printf("virtio: %s: queue %u refused\n", d->where, q);
        return -1;
    }
    return 0;
}

static void vdev_intr(void *arg)
{
    struct vdev *d = arg;
    d->ops->isr(d); /* drops the request; plat_yield rechecks queues */
}

int vdev_ready(struct vdev *d, int irq)
{
    if (irq && d->gsi != ~0u &&
        kern_irq_attach(d->gsi, d->level, vdev_intr, d) < 0)
        kern_printf("virtio: %s: cannot attach interrupt %u; polling\n",
                    d->where, d->gsi);
    d->ops->set_status(d, (uint8_t)(d->ops->status(d) | VIRTIO_S_DRIVER_OK));
    return 0;
}

uint64_t vdev_cfg(struct vdev *d, unsigned off, unsigned len, int *ok)
{
    uint8_t b[8];
    uint64_t v = 0;
    unsigned i;

    if (len > sizeof b || d->ops->config(d, off, b, len) < 0) {
        *ok = 0;
        return 0;
    }
    for (i = len; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

/* ---- Command-line words -------------------------------------------- */

/* Hexadecimal digit value, or -1. */
static int vdev_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vdev_parse_mac(const char *s, size_t n, uint8_t mac[6])
{
    unsigned i;

    if (n != 17)
        return -1;
    for (i = 0; i < 6; i++) {
        int hi = vdev_hex(s[3 * i]), lo = vdev_hex(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

const char *vdev_word(const char *p, const char **w, size_t *n)
{
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (!*p)
        return NULL;
    *w = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n')
        p++;
    *n = (size_t)(p - *w);
    return p;
}

int vdev_mft_find(const char *name, size_t n, uint32_t kind)
{
    uint32_t i;

    for (i = 0; i < pith_mft.ndev && i < PITH_MFT_DEV_MAX; i++)
        if (pith_mft.dev[i].kind == kind &&
            strnlen(pith_mft.dev[i].name, PITH_MFT_NAME_MAX) == n &&
            !memcmp(pith_mft.dev[i].name, name, n))
            return (int)i;
    return -1;
}

/* ---- Binding ------------------------------------------------------------ */

#define VDEV_NONE 0xff

static void vdev_print_mac(const char *pre, const uint8_t m[6],
                           const char *post)
{
    kern_printf("%s%02x:%02x:%02x:%02x:%02x:%02x%s", pre, m[0], m[1], m[2],
                m[3], m[4], m[5], post);
}

/*
 * Binds NICs: first those named by pith.net.NAME=MAC, then the rest in
 * order. (bind) maps manifest index to device index.
 */
static void vdev_bind_nets(uint8_t bind[PITH_MFT_DEV_MAX],
                           uint8_t taken[VDEV_MAX])
{
    static uint8_t macs[VDEV_MAX][6];
    uint8_t has_mac[VDEV_MAX] = {0}, pinned[PITH_MFT_DEV_MAX] = {0};
    const char *p = kern_cmdline(), *w;
    size_t n;
    unsigned i, m;

    for (i = 0; i < ndevs; i++)
        if (devs[i].type == VIRTIO_ID_NET)
            has_mac[i] = net_probe_mac(&devs[i], macs[i]) == 0;
    while ((p = vdev_word(p, &w, &n))) {
        const char *eq;
        uint8_t mac[6];
        int h;

        if (n < 10 || memcmp(w, "pith.net.", 9))
            continue;
        eq = memchr(w, '=', n);
        if (!eq || vdev_parse_mac(eq + 1, (size_t)(w + n - eq - 1), mac) < 0) {
            kern_printf("virtio: %.*s: want pith.net.NAME=xx:xx:xx:xx:xx:xx\n",
                        (int)n, w);
            continue;
        }
        h = vdev_mft_find(w + 9, (size_t)(eq - w - 9), PITH_MFT_NET);
        if (h < 0) {
            kern_printf("virtio: %.*s: the manifest has no net device %.*s\n",
                        (int)n, w, (int)(eq - w - 9), w + 9);
            continue;
        }
        pinned[h] = 1; /* no NIC by order, even when none has the MAC */
        for (i = 0; i < ndevs; i++)
            if (has_mac[i] && !taken[i] && !memcmp(macs[i], mac, 6))
                break;
        if (i == ndevs) {
            vdev_print_mac("virtio: no free NIC has MAC ", mac, "");
            kern_printf(" (%.*s)\n", (int)n, w);
            continue;
        }
        bind[h] = (uint8_t)i;
        taken[i] = 1;
    }
    i = 0;
    for (m = 0; m < pith_mft.ndev && m < PITH_MFT_DEV_MAX; m++) {
        if (pith_mft.dev[m].kind != PITH_MFT_NET || pinned[m])
            continue;
        while (i < ndevs && (devs[i].type != VIRTIO_ID_NET || taken[i]))
            i++;
        if (i == ndevs)
            break;
        bind[m] = (uint8_t)i;
        taken[i] = 1;
    }
    for (i = 0; i < ndevs; i++)
        if (devs[i].type == VIRTIO_ID_NET && !taken[i]) {
            vdev_print_mac("virtio: net ", macs[i], "");
            kern_printf(" (%s) not in the manifest: left reset\n",
                        devs[i].where);
        }
}

static void vdev_bind_blocks(uint8_t bind[PITH_MFT_DEV_MAX],
                             uint8_t taken[VDEV_MAX])
{
    unsigned i = 0, m;

    for (m = 0; m < pith_mft.ndev && m < PITH_MFT_DEV_MAX; m++) {
        if (pith_mft.dev[m].kind != PITH_MFT_BLOCK)
            continue;
        while (i < ndevs && (devs[i].type != VIRTIO_ID_BLOCK || taken[i]))
            i++;
        if (i == ndevs)
            break;
        bind[m] = (uint8_t)i;
        taken[i] = 1;
    }
    for (i = 0; i < ndevs; i++)
        if (devs[i].type == VIRTIO_ID_BLOCK && !taken[i])
            kern_printf("virtio: block (%s) not in the manifest: left reset\n",
                        devs[i].where);
}

static int scanned;

static void vdev_scan(void)
{
    scanned = 1;
    kern_cmdline_devices();
    pci_scan();
    mmio_scan(kern_cmdline());
    if (dropped)
        kern_printf("virtio: %u devices beyond the first %u ignored\n", dropped,
                    VDEV_MAX);
}

/* Starts the first entropy device that takes it; returns its index, or
 * -1 when none does. */
static int vdev_entropy(void)
{
    unsigned i;

    for (i = 0; i < ndevs; i++)
        if (devs[i].type == VIRTIO_ID_ENTROPY && rng_attach(&devs[i]) == 0)
            return (int)i;
    return -1;
}

void vdev_entropy_late(void)
{
    if (scanned)
        return; /* the boot did it */
    vdev_scan();
    vdev_entropy();
}

void kern_devices_init(void)
{
    uint8_t bind[PITH_MFT_DEV_MAX], taken[VDEV_MAX] = {0};
    unsigned i, m;
    int rng;

    /* An image without devices touches none at boot: under emulation
     * the scan and the drivers' first run cost more than the rest of
     * the boot (docs/BENCHMARKS.md, virtio). */
    if (pith_mft.ndev == 0)
        return;
    vdev_scan();
    for (i = 0; i < ndevs; i++)
        vdev_probe(&devs[i]);
    /* Entropy first: a NIC without a MAC of its own gets a random one. */
    rng = vdev_entropy();
    if (rng >= 0)
        taken[rng] = 1;
    memset(bind, VDEV_NONE, sizeof bind);
    vdev_bind_nets(bind, taken);
    vdev_bind_blocks(bind, taken);
    for (m = 0; m < pith_mft.ndev && m < PITH_MFT_DEV_MAX; m++) {
        const char *kind = pith_mft_kind_name(pith_mft.dev[m].kind);
        int rc = -1;
        if (bind[m] == VDEV_NONE) {
            kern_printf("virtio: %s %s: no device\n", kind,
                        pith_mft.dev[m].name);
            continue;
        }
        if (pith_mft.dev[m].kind == PITH_MFT_NET)
            rc = net_attach(&devs[bind[m]], m);
        else if (pith_mft.dev[m].kind == PITH_MFT_BLOCK)
            rc = blk_attach(&devs[bind[m]], m);
        if (rc < 0) {
            kern_printf("virtio: %s %s (%s) failed: left out\n", kind,
                        pith_mft.dev[m].name, devs[bind[m]].where);
            taken[bind[m]] = 0;
        }
    }
    for (i = 0; i < ndevs; i++)
        if (!taken[i])
            vdev_reset(&devs[i]);
}

/* Reads (len) bytes at (a) with accesses as wide as the field. */
void vdev_cfg_copy(uintptr_t a, uint8_t *buf, unsigned len)
{
    uint32_t v;
    uint16_t w;
    unsigned i;

    switch (len) {
    case 1:
        buf[0] = kern_rd8(a);
        break;
    case 2:
        w = kern_rd16(a);
        memcpy(buf, &w, 2);
        break;
    case 4:
    case 8:
        for (i = 0; i < len; i += 4) {
            v = kern_rd32(a + i);
            memcpy(buf + i, &v, 4);
        }
        break;
    default:
        for (i = 0; i < len; i++)
            buf[i] = kern_rd8(a + i);
    }
}
