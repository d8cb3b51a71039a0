/*
 * A virtio device as the virtio target's drivers see it, whatever carries
 * it: PCI (modern capabilities or the legacy I/O BAR) or MMIO (version 2,
 * or legacy version 1). Private to plat/virtio: pci.c and mmio.c find
 * devices and fill in transports; vdev.c binds them to the manifest and
 * runs the common start-up (virtio 1.2, 3.1); net.c, blk.c and rng.c
 * drive them.
 *
 * Values a device gives (features, configuration, queue sizes, offsets)
 * are checked before use: the device is not trusted.
 */
#ifndef PITH_VIRTIO_VDEV_H
#define PITH_VIRTIO_VDEV_H

#include <pith/mft.h>
#include <stddef.h>
#include <stdint.h>

#include "kern.h"
#include "virtq.h"

/* Device types (5) and the feature bits used here (6, 5.1.3, 5.2.3). */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_ENTROPY 4

#define VIRTIO_F_ANY_LAYOUT      (1ull << 27)
#define VIRTIO_F_EVENT_IDX       (1ull << 29)
#define VIRTIO_F_VERSION_1       (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)

/* Device status bits (2.1). */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER      2
#define VIRTIO_S_DRIVER_OK   4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_FAILED      128

#define VDEV_QUEUES_MAX 3 /* queues any driver here uses */
#define VDEV_MAX        32

struct vdev;

/* What a transport does; each returns as the comment says. */
struct vdev_ops {
    /* The 64 feature bits the device offers (legacy: the low 32). */
    uint64_t (*features)(struct vdev *d);
    void (*set_features)(struct vdev *d, uint64_t f);
    uint8_t (*status)(struct vdev *d);
    void (*set_status)(struct vdev *d, uint8_t s);
    /* Copies (len) bytes of device configuration at (off) to (buf);
     * returns -1 when the range is not there. */
    int (*config)(struct vdev *d, unsigned off, void *buf, unsigned len);
    /* Largest size of queue (q), 0 when absent; on legacy PCI the only
     * size there is. */
    unsigned (*queue_max)(struct vdev *d, unsigned q);
    /* Whether (queue_max) may be lowered. */
    int (*queue_resizable)(struct vdev *d);
    /* Hands (vq) to the device as queue (q); returns 0 or -1. */
    int (*queue_setup)(struct vdev *d, unsigned q, struct virtq *vq);
    void (*notify)(struct vdev *d, unsigned q);
    /* Reads and acknowledges the interrupt status: nonzero when the
     * device asked for this interrupt. */
    unsigned (*isr)(struct vdev *d);
};

struct vdev {
    const struct vdev_ops *ops;
    unsigned type;     /* VIRTIO_ID_* */
    uint64_t offered;  /* features the device offers */
    uint64_t features; /* features negotiated */
    unsigned gsi;      /* I/O APIC input, or ~0u for none */
    int level;         /* level-triggered */
    int modern;        /* VIRTIO_F_VERSION_1 is required/possible */
    char where[32];    /* "pci 00:03.0", "mmio 0xfeb02e00" */
    /* Transport state (pci.c, mmio.c). */
    uintptr_t base;     /* MMIO registers, common cfg, or legacy I/O port */
    uintptr_t isr_addr; /* modern PCI */
    uintptr_t cfg_addr; /* modern PCI device configuration */
    uint32_t cfg_len;
    uintptr_t notify_addr; /* modern PCI notify region */
    uint32_t notify_len, notify_mult;
    uintptr_t qnotify[VDEV_QUEUES_MAX]; /* modern PCI, per queue */
    unsigned mmio_version;
    uint32_t mmio_size;
};

/*
 * Registers a device a transport found, in discovery order; returns it to
 * be filled in, or NULL when the table is full (then it is left alone).
 */
struct vdev *vdev_new(void);

/* Reads (len) bytes of memory-mapped device configuration at (a), with
 * accesses as wide as the field (virtio 1.2, 4.1.3.1 and 4.2.2.2). */
void vdev_cfg_copy(uintptr_t a, uint8_t *buf, unsigned len);

/* Transports: find devices and vdev_new() them. */
void pci_scan(void);
void mmio_scan(const char *cmdline);

/*
 * Start-up (3.1.1) up to the queues: resets (d), acknowledges it,
 * negotiates (want) among the features it offers (VIRTIO_F_VERSION_1 and
 * VIRTIO_F_ACCESS_PLATFORM are added when offered) and stores the result
 * in d->features. Returns 0, or -1 (device left failed) when the device
 * refuses.
 */
int vdev_negotiate(struct vdev *d, uint64_t want);

/*
 * Sets up queue (q) of (d) with at most (want) entries (a power of 2),
 * of which (ndesc) descriptors at most are used, in fresh pages. Returns
 * 0, or -1 when the queue is missing or unusable or no memory is left
 * for it.
 */
int vdev_queue(struct vdev *d, unsigned q, struct virtq *vq, unsigned want,
               unsigned ndesc);

/* Ends start-up: DRIVER_OK, and the interrupt attached when (irq). */
int vdev_ready(struct vdev *d, int irq);

/* Resets (d): it stops using memory it was given. */
void vdev_reset(struct vdev *d);

/* Reads configuration fields, little-endian (as virtio's are, and as x86
 * legacy devices' native ones are); 0 on failure, with *ok cleared. */
uint64_t vdev_cfg(struct vdev *d, unsigned off, unsigned len, int *ok);

/* Tells the device queue (q) has new chains when (publish) says so. */
static inline void vdev_kick(struct vdev *d, unsigned q, struct virtq *vq)
{
    if (virtq_publish(vq))
        d->ops->notify(d, q);
}

/* How long a polling driver waits for a device that makes no progress
 * before it gives up on it (nanoseconds). */
#define VDEV_POLL_NS 30000000000ull

/*
 * Called by plat_entropy() the first time: when the boot looked for no
 * device (the manifest declares none), looks for them now and starts the
 * first entropy device (rng_attach()).
 */
void vdev_entropy_late(void);

/* Drivers, called by vdev.c with the devices bound to the manifest. */
int net_attach(struct vdev *d, uint32_t handle);
int blk_attach(struct vdev *d, uint32_t handle);
int rng_attach(struct vdev *d);
/* The MAC a virtio-net device offers, for binding; -1 when none. */
int net_probe_mac(struct vdev *d, uint8_t mac[6]);

/* Command-line words: stores the next word after (p) in (*w), (*n) bytes
 * long, and returns where it ends; NULL when there is none. */
const char *vdev_word(const char *p, const char **w, size_t *n);

/* Parses "xx:xx:xx:xx:xx:xx", (n) bytes at (s); returns 0 or -1. */
int vdev_parse_mac(const char *s, size_t n, uint8_t mac[6]);

/* The manifest index of the device of (kind) named by (n) bytes at (name),
 * or -1. */
int vdev_mft_find(const char *name, size_t n, uint32_t kind);

#endif
