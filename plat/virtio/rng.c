/*
 * plat_entropy(): the host's virtio-rng device (virtio 1.2, 5.4) when
 * there is one; otherwise the CPU's RDSEED, then RDRAND, each with a
 * bounded number of retries (Intel's DRNG guide: RDRAND fails only
 * transiently, 10 tries; RDSEED may run dry under load, so more); else
 * PITH_EIO.
 */
#include <string.h>

#include "vdev.h"

#define RNG_CHUNK     4096
#define RNG_EMPTY_MAX 16 /* zero-length answers in a row before giving up */
#define RNG_WAIT_NS   5000000000ull
#define RDRAND_TRIES  10
#define RDSEED_TRIES  100

static struct {
    struct vdev *dev;
    struct virtq q;
    int broken;
} rng;

int rng_attach(struct vdev *d)
{
    if (vdev_negotiate(d, 0) < 0)
        return -1;
    if (vdev_queue(d, 0, &rng.q, 8, 1) < 0) {
        vdev_reset(d);
        return -1;
    }
    virtq_irq_off(&rng.q);
    vdev_ready(d, 1); /* the handler only acknowledges (a shared line) */
    rng.dev = d;
    kern_printf("virtio: entropy (%s)\n", d->where);
    return 0;
}

/* Fills (buf) from the device, a request at a time; -1 on failure. */
static int rng_virtio(uint8_t *buf, size_t len)
{
    unsigned empty = 0;

    while (len > 0) {
        struct virtq_seg s = {(uintptr_t)buf,
                              len < RNG_CHUNK ? (uint32_t)len : RNG_CHUNK};
        uint64_t deadline = plat_clock_monotonic() + RNG_WAIT_NS;
        uint32_t got;

        if (virtq_add(&rng.q, &s, 0, 1) < 0)
            return -1;
        vdev_kick(rng.dev, 0, &rng.q);
        while (virtq_get(&rng.q, &got) < 0) {
            if (rng.q.broken || plat_clock_monotonic() > deadline) {
                /* Stop it: it must not write into (buf) later. */
                vdev_reset(rng.dev);
                rng.broken = 1;
                kern_printf("virtio: %s: the entropy device stopped "
                            "answering: reset\n",
                            rng.dev->where);
                return -1;
            }
            __asm__ volatile("pause");
        }
        if (got == 0 && ++empty > RNG_EMPTY_MAX)
            return -1;
        if (got)
            empty = 0;
        buf += got; /* at most what was asked: virtq_get() checks */
        len -= got;
    }
    return 0;
}

static int cpu_rdseed(uint64_t *v)
{
    unsigned i;
    for (i = 0; i < RDSEED_TRIES; i++) {
        uint8_t ok;
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 1;
        __asm__ volatile("pause");
    }
    return 0;
}

static int cpu_rdrand(uint64_t *v)
{
    unsigned i;
    for (i = 0; i < RDRAND_TRIES; i++) {
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 1;
    }
    return 0;
}

static int cpu_entropy(uint8_t *buf, size_t len)
{
    uint32_t r[4];
    int seed = 0, rand;

    kern_cpuid(0, 0, r);
    if (r[0] >= 7) {
        kern_cpuid(7, 0, r);
        seed = (r[1] >> 18) & 1;
    }
    kern_cpuid(1, 0, r);
    rand = (r[2] >> 30) & 1;
    if (!seed && !rand)
        return PITH_EIO;
    while (len > 0) {
        uint64_t v;
        size_t n = len < 8 ? len : 8;
        if (!(seed && cpu_rdseed(&v)) && !(rand && cpu_rdrand(&v)))
            return PITH_EIO;
        memcpy(buf, &v, n);
        buf += n;
        len -= n;
    }
    return PITH_OK;
}

int plat_entropy(uint8_t *buf, size_t len)
{
    static int looked;

    if (!looked) {
        looked = 1;
        vdev_entropy_late();
    }
    if (rng.dev && !rng.broken && rng_virtio(buf, len) == 0)
        return PITH_OK;
    return cpu_entropy(buf, len);
}
