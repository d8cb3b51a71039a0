/*
 * virtio-net (virtio 1.2, 5.1): the network half of the platform contract.
 * One receive and one transmit queue per NIC, no offloads, an MTU of
 * 1500. Receive buffers stay posted; a frame is copied out to the caller
 * and its buffer goes straight back, published in batches. Frames to send
 * are copied into buffers of our own; their descriptors come back lazily,
 * when the ring runs short, so transmit completions never interrupt.
 * Event indexes keep notifications and interrupts to about one per batch.
 */
#include <string.h>

#include "vdev.h"

#define VIRTIO_NET_F_MAC (1ull << 5)

#define NET_RXQ      0
#define NET_TXQ      1
#define NET_MTU      1500
#define NET_FRAME    (NET_MTU + 14)
#define NET_BUF      1536 /* a header (10 or 12 bytes) and a frame */
#define NET_RX_BUFS  256
#define NET_TX_BUFS  256
#define NET_RX_BATCH 32 /* receive buffers given back per publish */

struct vnet {
    struct vdev *dev;
    struct virtq rx, tx;
    uint8_t *rxbuf, *txbuf; /* NET_BUF bytes per descriptor */
    unsigned hdr;           /* struct virtio_net_hdr: 10 bytes, 12 in 1.x */
    int split;              /* header in a descriptor of its own */
    unsigned rx_unpub;      /* buffers given back, not yet published */
    struct plat_net_info info;
    /* Counters. */
    uint64_t rx_short; /* frames shorter than a header and an Ethernet one */
    uint64_t rx_trunc; /* frames cut to the caller's buffer */
    uint64_t tx_full;  /* writes refused for want of descriptors */
};

static struct vnet vnets[PITH_MFT_DEV_MAX];
static struct vnet *net_of[PITH_MFT_DEV_MAX]; /* by handle */

int net_probe_mac(struct vdev *d, uint8_t mac[6])
{
    int ok = 1;
    unsigned i;

    if (!(d->offered & VIRTIO_NET_F_MAC))
        return -1;
    for (i = 0; i < 6; i++)
        mac[i] = (uint8_t)vdev_cfg(d, i, 1, &ok);
    return ok ? 0 : -1;
}

/* Posts the free receive descriptor (head) with its buffer. */
static void net_rx_post(struct vnet *n)
{
    int head = virtq_next_head(&n->rx);
    struct virtq_seg s[2];
    uint8_t *b;

    if (head < 0)
        return;
    b = n->rxbuf + (size_t)head * NET_BUF;
    if (n->split) {
        s[0] = (struct virtq_seg){(uintptr_t)b, n->hdr};
        s[1] = (struct virtq_seg){(uintptr_t)b + n->hdr, NET_BUF - n->hdr};
        virtq_add(&n->rx, s, 0, 2);
    } else {
        s[0] = (struct virtq_seg){(uintptr_t)b, NET_BUF};
        virtq_add(&n->rx, s, 0, 1);
    }
    n->rx_unpub++;
}

static void net_rx_flush(struct vnet *n)
{
    if (n->rx_unpub) {
        n->rx_unpub = 0;
        vdev_kick(n->dev, NET_RXQ, &n->rx);
    }
}

int net_attach(struct vdev *d, uint32_t handle)
{
    struct vnet *n;
    const uint8_t *m;
    unsigned per;

    if (handle >= PITH_MFT_DEV_MAX)
        return -1;
    n = &vnets[handle];
    memset(n, 0, sizeof *n);
    n->dev = d;
    if (vdev_negotiate(d, VIRTIO_NET_F_MAC | VIRTIO_F_EVENT_IDX |
                              VIRTIO_F_ANY_LAYOUT) < 0)
        return -1;
    /* 1.x always has num_buffers; legacy has it only with MRG_RXBUF. */
    n->hdr = d->features & VIRTIO_F_VERSION_1 ? 12 : 10;
    n->split = !(d->features & (VIRTIO_F_VERSION_1 | VIRTIO_F_ANY_LAYOUT));
    per = n->split ? 2 : 1;
    if (!(d->features & VIRTIO_NET_F_MAC) ||
        net_probe_mac(d, n->info.mac) < 0) {
        /* Without a MAC of its own, a random locally administered one. */
        if (plat_entropy(n->info.mac, 6) < 0)
            memcpy(n->info.mac, "\x02\x00\x00\x00\x00", 5);
        n->info.mac[0] = (uint8_t)((n->info.mac[0] & 0xfe) | 0x02);
    }
    n->info.mtu = NET_MTU;
    n->info.caps = PLAT_NET_CAP_NONE;
    if (vdev_queue(d, NET_RXQ, &n->rx, NET_RX_BUFS, NET_RX_BUFS * per) < 0 ||
        vdev_queue(d, NET_TXQ, &n->tx, NET_TX_BUFS, NET_TX_BUFS * per) < 0)
        goto fail;
    n->rxbuf = kern_alloc_pages((size_t)n->rx.nfree * NET_BUF);
    n->txbuf = kern_alloc_pages((size_t)n->tx.nfree * NET_BUF);
    while (n->rx.nfree >= per)
        net_rx_post(n);
    virtq_irq_off(&n->tx);
    virtq_irq_arm(&n->rx);
    vdev_ready(d, 1);
    net_rx_flush(n);
    net_of[handle] = n;
    m = n->info.mac;
    kern_printf("virtio: net %s %02x:%02x:%02x:%02x:%02x:%02x (%s)\n",
                pith_mft.dev[handle].name, m[0], m[1], m[2], m[3], m[4], m[5],
                d->where);
    return 0;
fail:
    vdev_reset(d);
    return -1;
}

static struct vnet *net_get(plat_handle_t h)
{
    return h < PITH_MFT_DEV_MAX ? net_of[h] : NULL;
}

int plat_net_acquire(const char *name, plat_handle_t *h,
                     struct plat_net_info *info)
{
    int i = vdev_mft_find(name, strlen(name), PITH_MFT_NET);

    if (i < 0 || !net_of[i])
        return PITH_ENOENT;
    *h = (plat_handle_t)i;
    *info = net_of[i]->info;
    return PITH_OK;
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    struct vnet *n = net_get(h);
    uint32_t got;
    int head;

    if (!n)
        return PITH_EINVAL;
    while ((head = virtq_get(&n->rx, &got)) >= 0) {
        const uint8_t *b = n->rxbuf + (size_t)head * NET_BUF;
        size_t flen;

        /* virtq_get() bounds (got) by the buffer; 0 means a lie. */
        if (got < n->hdr + 14) {
            n->rx_short++;
            net_rx_post(n);
            continue;
        }
        flen = got - n->hdr;
        if (flen > size) {
            n->rx_trunc++;
            flen = size;
        }
        memcpy(buf, b + n->hdr, flen);
        *len = flen;
        net_rx_post(n);
        if (n->rx_unpub >= NET_RX_BATCH)
            net_rx_flush(n);
        return PITH_OK;
    }
    net_rx_flush(n);
    return PITH_EAGAIN;
}

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    struct vnet *n = net_get(h);
    struct virtq_seg s[2];
    unsigned per;
    uint32_t got;
    uint8_t *b;
    int head;

    if (!n || len < 14 || len > NET_FRAME)
        return PITH_EINVAL;
    per = n->split ? 2 : 1;
    if (n->tx.nfree < per)
        while (virtq_get(&n->tx, &got) >= 0)
            ;
    head = virtq_next_head(&n->tx);
    if (head < 0 || n->tx.nfree < per) {
        n->tx_full++;
        return PITH_EAGAIN;
    }
    b = n->txbuf + (size_t)head * NET_BUF;
    memset(b, 0, n->hdr); /* no offloads: flags 0, GSO_NONE */
    memcpy(b + n->hdr, buf, len);
    if (n->split) {
        s[0] = (struct virtq_seg){(uintptr_t)b, n->hdr};
        s[1] = (struct virtq_seg){(uintptr_t)b + n->hdr, (uint32_t)len};
        virtq_add(&n->tx, s, 2, 0);
    } else {
        s[0] = (struct virtq_seg){(uintptr_t)b, (uint32_t)(n->hdr + len)};
        virtq_add(&n->tx, s, 1, 0);
    }
    vdev_kick(n->dev, NET_TXQ, &n->tx);
    return PITH_OK;
}

/* No offloads yet: the device is driven without them (info.caps 0). */
int plat_net_offload(plat_handle_t h, uint32_t caps)
{
    return net_get(h) && caps == 0 ? PITH_OK : PITH_EINVAL;
}

int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len)
{
    if (m && (m->flags || m->gso))
        return PITH_EINVAL;
    return plat_net_write(h, buf, len);
}

/* No offloads, so every frame fits one buffer: the pieces are gathered
 * and sent as one. */
int plat_net_write_iov(plat_handle_t h, const struct plat_net_meta *m,
                       const struct plat_net_iov *iov, unsigned n)
{
    static uint8_t f[NET_FRAME];
    size_t len = 0;
    unsigned i;

    if (n < 1 || n > PLAT_NET_IOV_MAX)
        return PITH_EINVAL;
    if (n == 1)
        return plat_net_write_meta(h, m, iov[0].base, iov[0].len);
    for (i = 0; i < n; len += iov[i++].len) {
        if (iov[i].len > sizeof f - len)
            return PITH_EINVAL;
        memcpy(f + len, iov[i].base, iov[i].len);
    }
    return plat_net_write_meta(h, m, f, len);
}

int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m)
{
    *m = (struct plat_net_meta){0};
    return plat_net_read(h, buf, size, len);
}

plat_handle_set_t kern_net_ready(void)
{
    plat_handle_set_t ready = 0;
    unsigned h;

    for (h = 0; h < PITH_MFT_DEV_MAX; h++) {
        struct vnet *n = net_of[h];
        uint32_t got;
        if (!n)
            continue;
        net_rx_flush(n);
        /* Frames still queued for sending before the wait: notify the
         * device whatever its event index says. Under QEMU's TCG a
         * suppressed notification sometimes left the queue unserved for
         * good (the connection timed out with frames in the ring); one
         * notification more per wait costs little, and none is sent
         * once the device has returned every frame. */
        while (virtq_get(&n->tx, &got) >= 0)
            ;
        if (n->tx.inflight)
            n->dev->ops->notify(n->dev, NET_TXQ);
        if (virtq_irq_arm(&n->rx))
            ready |= 1ull << h;
        else
            /* Nothing received: about to wait for it. The device is
             * told again that buffers are there, as for sending above
             * (an RX queue left unserved after a flood of frames was
             * seen once under TCG). */
            n->dev->ops->notify(n->dev, NET_RXQ);
    }
    return ready;
}
