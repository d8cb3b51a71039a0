/*
 * virtio over PCI (virtio 1.2, 4.1): the bus scan through configuration
 * mechanism #1 (ports 0xCF8/0xCFC), and two transports: the modern one,
 * whose registers the vendor capabilities place in memory BARs, and the
 * legacy one in I/O BAR0 (4.1.4.10), for transitional devices without
 * the former (QEMU's disable-modern=on). Interrupts are INTx, on the I/O
 * APIC input the firmware wrote into the Interrupt Line register.
 */
#include <stdio.h>
#include <string.h>

#include "vdev.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

#define PCI_VENDOR      0x00
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_HEADER      0x0e
#define PCI_BAR0        0x10
#define PCI_SECONDARY   0x19 /* type 1 headers (bridges) */
#define PCI_SUBSYSTEM   0x2e
#define PCI_CAPS        0x34
#define PCI_INTR_LINE   0x3c
#define PCI_INTR_PIN    0x3d
#define PCI_CMD_IO      0x1
#define PCI_CMD_MEM     0x2
#define PCI_CMD_MASTER  0x4
#define PCI_CMD_NO_INTX 0x400
#define PCI_STATUS_CAPS 0x10
#define PCI_CAP_VENDOR  0x09

#define VIRTIO_PCI_VENDOR 0x1af4

/* Vendor capability types (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR    3
#define VIRTIO_PCI_CAP_DEVICE 4

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define CC_DFSELECT          0x00
#define CC_DF                0x04
#define CC_GFSELECT          0x08
#define CC_GF                0x0c
#define CC_MSIX              0x10
#define CC_STATUS            0x14
#define CC_GENERATION        0x15
#define CC_Q_SELECT          0x16
#define CC_Q_SIZE            0x18
#define CC_Q_MSIX            0x1a
#define CC_Q_ENABLE          0x1c
#define CC_Q_NOTIFYOFF       0x1e
#define CC_Q_DESC            0x20
#define CC_Q_DRIVER          0x28
#define CC_Q_DEVICE          0x30
#define CC_LEN               0x38
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* The legacy I/O BAR layout, without MSI-X (4.1.4.10). */
#define LEG_HOST_FEATURES  0
#define LEG_GUEST_FEATURES 4
#define LEG_QUEUE_PFN      8
#define LEG_QUEUE_SIZE     12
#define LEG_QUEUE_SELECT   14
#define LEG_QUEUE_NOTIFY   16
#define LEG_STATUS         18
#define LEG_ISR            19
#define LEG_CONFIG         20

/* What cpu.c maps: devices must sit below this. */
#define PCI_MAPPED_END (1ull << 32)

/* ---- Configuration space -------------------------------------------- */

struct pci_fn {
    unsigned bus, dev, fn;
};

static void pci_select(const struct pci_fn *f, unsigned off)
{
    kern_outl(PCI_ADDR, 0x80000000u | f->bus << 16 | f->dev << 11 | f->fn << 8 |
                            (off & 0xfc));
}
static uint32_t pci_rd32(const struct pci_fn *f, unsigned off)
{
    pci_select(f, off);
    return kern_inl(PCI_DATA);
}
static uint16_t pci_rd16(const struct pci_fn *f, unsigned off)
{
    pci_select(f, off);
    return kern_inw((uint16_t)(PCI_DATA + (off & 2)));
}
static uint8_t pci_rd8(const struct pci_fn *f, unsigned off)
{
    pci_select(f, off);
    return kern_inb((uint16_t)(PCI_DATA + (off & 3)));
}
static void pci_wr32(const struct pci_fn *f, unsigned off, uint32_t v)
{
    pci_select(f, off);
    kern_outl(PCI_DATA, v);
}
static void pci_wr16(const struct pci_fn *f, unsigned off, uint16_t v)
{
    pci_select(f, off);
    kern_outw((uint16_t)(PCI_DATA + (off & 2)), v);
}

struct pci_bar {
    uint64_t addr, len;
    int io;
};

/* Reads BAR (i): where the firmware put it and how large it is. */
static void pci_bar(const struct pci_fn *f, unsigned i, struct pci_bar *b)
{
    unsigned off = PCI_BAR0 + 4 * i;
    uint16_t cmd = pci_rd16(f, PCI_COMMAND);
    uint32_t v = pci_rd32(f, off), m;

    memset(b, 0, sizeof *b);
    pci_wr16(f, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
    pci_wr32(f, off, ~0u);
    m = pci_rd32(f, off);
    pci_wr32(f, off, v);
    if (v & 1) {
        b->io = 1;
        b->addr = v & ~3u;
        b->len = (uint16_t)(~(m & ~3u) + 1);
    } else if ((v & 6) == 4 && i < 5) { /* 64-bit: the next BAR is high */
        uint32_t hv = pci_rd32(f, off + 4), hm;
        uint64_t mask;
        pci_wr32(f, off + 4, ~0u);
        hm = pci_rd32(f, off + 4);
        pci_wr32(f, off + 4, hv);
        b->addr = (uint64_t)hv << 32 | (v & ~0xfu);
        mask = (uint64_t)hm << 32 | (m & ~0xfu);
        b->len = mask ? ~mask + 1 : 0;
    } else {
        b->addr = v & ~0xfu;
        b->len = (m & ~0xfu) ? (uint32_t)(~(m & ~0xfu) + 1) : 0;
    }
    pci_wr16(f, PCI_COMMAND, cmd);
}

/* ---- The modern transport -------------------------------------------- */

static uint64_t pcim_features(struct vdev *d)
{
    uint64_t lo, hi;
    kern_wr32(d->base + CC_DFSELECT, 0);
    lo = kern_rd32(d->base + CC_DF);
    kern_wr32(d->base + CC_DFSELECT, 1);
    hi = kern_rd32(d->base + CC_DF);
    return hi << 32 | lo;
}

static void pcim_set_features(struct vdev *d, uint64_t f)
{
    kern_wr32(d->base + CC_GFSELECT, 0);
    kern_wr32(d->base + CC_GF, (uint32_t)f);
    kern_wr32(d->base + CC_GFSELECT, 1);
    kern_wr32(d->base + CC_GF, (uint32_t)(f >> 32));
}

static uint8_t pcim_status(struct vdev *d)
{
    return kern_rd8(d->base + CC_STATUS);
}

static void pcim_set_status(struct vdev *d, uint8_t s)
{
    kern_wr8(d->base + CC_STATUS, s);
}

static int pcim_config(struct vdev *d, unsigned off, void *buf, unsigned len)
{
    unsigned tries;
    uint8_t gen;

    if ((uint64_t)off + len > d->cfg_len)
        return -1;
    /* A field read while the device changes it is read again (4.1.4.3). */
    for (tries = 0; tries < 100; tries++) {
        gen = kern_rd8(d->base + CC_GENERATION);
        vdev_cfg_copy(d->cfg_addr + off, buf, len);
        if (kern_rd8(d->base + CC_GENERATION) == gen)
            return 0;
    }
    return -1;
}

static unsigned pcim_queue_max(struct vdev *d, unsigned q)
{
    kern_wr16(d->base + CC_Q_SELECT, (uint16_t)q);
    return kern_rd16(d->base + CC_Q_SIZE);
}

static int pcim_resizable(struct vdev *d)
{
    (void)d;
    return 1;
}

static void pcim_wr64(uintptr_t a, uint64_t v)
{
    kern_wr32(a, (uint32_t)v);
    kern_wr32(a + 4, (uint32_t)(v >> 32));
}

static int pcim_queue_setup(struct vdev *d, unsigned q, struct virtq *vq)
{
    uint64_t off;

    kern_wr16(d->base + CC_Q_SELECT, (uint16_t)q);
    off = (uint64_t)kern_rd16(d->base + CC_Q_NOTIFYOFF) * d->notify_mult;
    if (off + 2 > d->notify_len)
        return -1;
    d->qnotify[q] = d->notify_addr + (uintptr_t)off;
    kern_wr16(d->base + CC_Q_SIZE, vq->size);
    kern_wr16(d->base + CC_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
    pcim_wr64(d->base + CC_Q_DESC, virtq_desc_addr(vq));
    pcim_wr64(d->base + CC_Q_DRIVER, virtq_avail_addr(vq));
    pcim_wr64(d->base + CC_Q_DEVICE, virtq_used_addr(vq));
    kern_wr16(d->base + CC_Q_ENABLE, 1);
    return 0;
}

static void pcim_notify(struct vdev *d, unsigned q)
{
    kern_wr16(d->qnotify[q], (uint16_t)q);
}

static unsigned pcim_isr(struct vdev *d)
{
    return kern_rd8(d->isr_addr); /* reading clears it */
}

static const struct vdev_ops pcim_ops = {
    pcim_features, pcim_set_features, pcim_status,    pcim_set_status,
    pcim_config,   pcim_queue_max,    pcim_resizable, pcim_queue_setup,
    pcim_notify,   pcim_isr,
};

/* ---- The legacy transport --------------------------------------------- */

static uint16_t pcil_port(const struct vdev *d, unsigned reg)
{
    return (uint16_t)(d->base + reg);
}

static uint64_t pcil_features(struct vdev *d)
{
    return kern_inl(pcil_port(d, LEG_HOST_FEATURES));
}

static void pcil_set_features(struct vdev *d, uint64_t f)
{
    kern_outl(pcil_port(d, LEG_GUEST_FEATURES), (uint32_t)f);
}

static uint8_t pcil_status(struct vdev *d)
{
    return kern_inb(pcil_port(d, LEG_STATUS));
}

static void pcil_set_status(struct vdev *d, uint8_t s)
{
    kern_outb(pcil_port(d, LEG_STATUS), s);
}

static int pcil_config(struct vdev *d, unsigned off, void *buf, unsigned len)
{
    uint8_t *b = buf;
    uint32_t v;
    uint16_t w;
    unsigned i;

    if ((uint64_t)off + len > d->cfg_len)
        return -1;
    switch (len) {
    case 2:
        w = kern_inw(pcil_port(d, LEG_CONFIG + off));
        memcpy(b, &w, 2);
        break;
    case 4:
    case 8:
        for (i = 0; i < len; i += 4) {
            v = kern_inl(pcil_port(d, LEG_CONFIG + off + i));
            memcpy(b + i, &v, 4);
        }
        break;
    default:
        for (i = 0; i < len; i++)
            b[i] = kern_inb(pcil_port(d, LEG_CONFIG + off + i));
    }
    return 0;
}

static unsigned pcil_queue_max(struct vdev *d, unsigned q)
{
    kern_outw(pcil_port(d, LEG_QUEUE_SELECT), (uint16_t)q);
    return kern_inw(pcil_port(d, LEG_QUEUE_SIZE));
}

static int pcil_resizable(struct vdev *d)
{
    (void)d;
    return 0;
}

static int pcil_queue_setup(struct vdev *d, unsigned q, struct virtq *vq)
{
    uint64_t pfn = virtq_desc_addr(vq) >> 12;

    if (pfn > 0xffffffffu)
        return -1;
    kern_outw(pcil_port(d, LEG_QUEUE_SELECT), (uint16_t)q);
    kern_outl(pcil_port(d, LEG_QUEUE_PFN), (uint32_t)pfn);
    return 0;
}

static void pcil_notify(struct vdev *d, unsigned q)
{
    kern_outw(pcil_port(d, LEG_QUEUE_NOTIFY), (uint16_t)q);
}

static unsigned pcil_isr(struct vdev *d)
{
    return kern_inb(pcil_port(d, LEG_ISR));
}

static const struct vdev_ops pcil_ops = {
    pcil_features, pcil_set_features, pcil_status,    pcil_set_status,
    pcil_config,   pcil_queue_max,    pcil_resizable, pcil_queue_setup,
    pcil_notify,   pcil_isr,
};

/* ---- Finding devices ---------------------------------------------------- */

/* A region a capability names: [off, off + len) of a memory BAR. */
struct pci_region {
    uintptr_t addr;
    uint32_t len;
    int found;
};

/* Checks a capability's region against its BAR; fills (r) when sound. */
static void pci_region(const struct pci_fn *f, struct pci_bar bars[6],
                       uint8_t sized[6], unsigned bar, uint32_t off,
                       uint32_t len, uint32_t need, struct pci_region *r)
{
    struct pci_bar *b;

    if (r->found || bar > 5)
        return; /* the first sound one of each type is used (4.1.4) */
    if (!sized[bar]) {
        pci_bar(f, bar, &bars[bar]);
        sized[bar] = 1;
    }
    b = &bars[bar];
    if (b->io || b->addr == 0 || len < need || (uint64_t)off + len > b->len ||
        b->addr + b->len > PCI_MAPPED_END)
        return;
    r->addr = (uintptr_t)(b->addr + off);
    r->len = len;
    r->found = 1;
}

/* Finds the modern registers of (f) in its vendor capabilities. */
static int pci_modern(const struct pci_fn *f, struct vdev *d)
{
    struct pci_bar bars[6];
    uint8_t sized[6] = {0};
    struct pci_region common = {0}, notify = {0}, isr = {0}, dcfg = {0};
    uint32_t mult = 0;
    unsigned pos, n;

    if (!(pci_rd16(f, PCI_STATUS) & PCI_STATUS_CAPS))
        return -1;
    pos = pci_rd8(f, PCI_CAPS) & 0xfc;
    for (n = 0; pos >= 0x40 && n < 48; n++) {
        uint8_t id = pci_rd8(f, pos), next = pci_rd8(f, pos + 1);
        if (id == PCI_CAP_VENDOR && pci_rd8(f, pos + 2) >= 16) {
            uint8_t type = pci_rd8(f, pos + 3), bar = pci_rd8(f, pos + 4);
            uint32_t off = pci_rd32(f, pos + 8), len = pci_rd32(f, pos + 12);
            switch (type) {
            case VIRTIO_PCI_CAP_COMMON:
                pci_region(f, bars, sized, bar, off, len, CC_LEN, &common);
                break;
            case VIRTIO_PCI_CAP_NOTIFY:
                if (pci_rd8(f, pos + 2) >= 20 && !notify.found) {
                    pci_region(f, bars, sized, bar, off, len, 2, &notify);
                    mult = pci_rd32(f, pos + 16);
                }
                break;
            case VIRTIO_PCI_CAP_ISR:
                pci_region(f, bars, sized, bar, off, len, 1, &isr);
                break;
            case VIRTIO_PCI_CAP_DEVICE:
                pci_region(f, bars, sized, bar, off, len, 0, &dcfg);
                break;
            }
        }
        pos = next & 0xfc;
    }
    if (!common.found || !notify.found || !isr.found)
        return -1;
    d->ops = &pcim_ops;
    d->modern = 1;
    d->base = common.addr;
    d->notify_addr = notify.addr;
    d->notify_len = notify.len;
    d->notify_mult = mult;
    d->isr_addr = isr.addr;
    d->cfg_addr = dcfg.addr;
    d->cfg_len = dcfg.found ? dcfg.len : 0;
    return 0;
}

static int pci_legacy(const struct pci_fn *f, struct vdev *d)
{
    struct pci_bar b;

    pci_bar(f, 0, &b);
    if (!b.io || b.addr == 0 || b.len < LEG_CONFIG)
        return -1;
    d->ops = &pcil_ops;
    d->modern = 0;
    d->base = (uintptr_t)b.addr;
    d->cfg_len = (uint32_t)(b.len - LEG_CONFIG);
    return 0;
}

static void pci_virtio(const struct pci_fn *f, uint16_t devid)
{
    struct vdev *d, tmp = {0};
    unsigned type, pin, line;
    uint16_t cmd;

    if (devid >= 0x1040 && devid <= 0x107f)
        type = devid - 0x1040u; /* modern only */
    else if (devid >= 0x1000 && devid <= 0x103f)
        type = pci_rd16(f, PCI_SUBSYSTEM); /* transitional */
    else
        return;
    snprintf(tmp.where, sizeof tmp.where, "pci %02x:%02x.%x", f->bus, f->dev,
             f->fn);
    if (pci_modern(f, &tmp) < 0 &&
        (devid >= 0x1040 || pci_legacy(f, &tmp) < 0)) {
        kern_printf("virtio: %s: no usable registers (unassigned BARs, or "
                    "above 4 GiB): skipped\n",
                    tmp.where);
        return;
    }
    d = vdev_new();
    if (!d)
        return;
    *d = tmp;
    d->type = type;
    pin = pci_rd8(f, PCI_INTR_PIN);
    line = pci_rd8(f, PCI_INTR_LINE);
    d->gsi = pin != 0 && line != 0 && line != 0xff ? line : ~0u;
    d->level = 1;
    cmd = pci_rd16(f, PCI_COMMAND);
    cmd |= PCI_CMD_MASTER | (d->ops == &pcim_ops ? PCI_CMD_MEM : PCI_CMD_IO);
    pci_wr16(f, PCI_COMMAND, (uint16_t)(cmd & ~PCI_CMD_NO_INTX));
}

static uint8_t pci_seen[256 / 8];

static void pci_scan_bus(unsigned bus, unsigned depth)
{
    struct pci_fn f = {bus, 0, 0};

    if (pci_seen[bus / 8] & (1u << bus % 8))
        return;
    pci_seen[bus / 8] |= (uint8_t)(1u << bus % 8);
    for (f.dev = 0; f.dev < 32; f.dev++) {
        unsigned nfn;
        f.fn = 0;
        if (pci_rd16(&f, PCI_VENDOR) == 0xffff)
            continue;
        nfn = pci_rd8(&f, PCI_HEADER) & 0x80 ? 8 : 1;
        for (f.fn = 0; f.fn < nfn; f.fn++) {
            uint32_t id = pci_rd32(&f, PCI_VENDOR);
            uint8_t hdr;
            if ((id & 0xffff) == 0xffff)
                continue;
            hdr = pci_rd8(&f, PCI_HEADER) & 0x7f;
            if (hdr == 1 && depth < 8) {
                unsigned sec = pci_rd8(&f, PCI_SECONDARY);
                if (sec > bus) /* the firmware numbered it */
                    pci_scan_bus(sec, depth + 1);
            } else if (hdr == 0 && (id & 0xffff) == VIRTIO_PCI_VENDOR) {
                pci_virtio(&f, (uint16_t)(id >> 16));
            }
        }
    }
}

void pci_scan(void)
{
    struct pci_fn host = {0, 0, 0};

    /* Mechanism #1 answers at 0xCF8; without it (microvm) nothing does. */
    kern_outl(PCI_ADDR, 0x80000000u);
    if (kern_inl(PCI_ADDR) != 0x80000000u)
        return;
    if (pci_rd16(&host, PCI_VENDOR) == 0xffff)
        return;
    pci_scan_bus(0, 0);
}
