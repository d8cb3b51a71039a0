/*
 * virtio-net (virtio 1.2, 5.1): the network half of the platform contract.
 * One receive and one transmit queue per NIC, and the control queue when
 * the device has one; an MTU of 1500.
 *
 * Offloads (5.1.6.2 to 5.1.6.5), each only when the device offers it:
 * checksums both ways (CSUM, GUEST_CSUM), TCP/IPv4 segments cut by the
 * device (HOST_TSO4) and handed over whole or merged (GUEST_TSO4). The
 * device starts with every negotiated receive offload on; the contract
 * wants them off until plat_net_offload(), so the control queue
 * (CTRL_GUEST_OFFLOADS) turns them off at start and on when asked.
 * GUEST_TSO4 is taken only with that control and with MRG_RXBUF; a frame
 * that comes before the device obeys, or any frame from a device with
 * GUEST_CSUM and no control, is made to fit the contract here: a partial
 * checksum completed in software, a frame beyond the MTU dropped.
 *
 * Receive buffers of NET_RX_BUF bytes stay posted; a frame fills one, or
 * num_buffers of them with MRG_RXBUF (a 64 KiB frame takes 33). It is
 * copied out to the caller and its buffers go straight back, published
 * in batches. Frames to send are copied into buffers of our own: one of
 * NET_TX_BUF bytes per descriptor, or for a frame the device is to cut,
 * as many bytes as it needs of a ring of 1 MiB (HOST_TSO4 only: 15
 * frames of 64 KiB, or more smaller ones), given back in the order
 * taken. Descriptors and ring bytes come back lazily, when either runs
 * short, so transmit completions never interrupt. Event indexes keep
 * notifications and interrupts to about one per batch.
 *
 * Memory per NIC: 256 receive buffers (512 KiB), 256 transmit buffers
 * (384 KiB), and with HOST_TSO4 the ring (1 MiB).
 *
 * Everything in a device's header is checked: a used length shorter than
 * the header, a num_buffers of 0, beyond a 64 KiB frame or beyond the
 * buffers returned, a partial checksum outside the frame, a frame beyond
 * what the offloads on allow: each is counted and dropped.
 */
#include <string.h>

#include "vdev.h"
#include "../net_meta.h"

#define VIRTIO_NET_F_CSUM                (1ull << 0)
#define VIRTIO_NET_F_GUEST_CSUM          (1ull << 1)
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS (1ull << 2)
#define VIRTIO_NET_F_MAC                 (1ull << 5)
#define VIRTIO_NET_F_GUEST_TSO4          (1ull << 7)
#define VIRTIO_NET_F_HOST_TSO4           (1ull << 11)
#define VIRTIO_NET_F_MRG_RXBUF           (1ull << 15)
#define VIRTIO_NET_F_CTRL_VQ             (1ull << 17)

/* struct virtio_net_hdr (5.1.6): flags, gso_type, then little-endian
 * hdr_len, gso_size, csum_start, csum_offset and (1.x, MRG_RXBUF)
 * num_buffers. */
#define VNET_HDR_F_NEEDS_CSUM 1
#define VNET_HDR_F_DATA_VALID 2
#define VNET_HDR_GSO_TCPV4    1
#define VNET_HDR_GSO_ECN      0x80
#define VNET_HDR_MAX          12

/* The control queue's one command here (5.1.6.5.6). */
#define VNET_CTRL_GUEST_OFFLOADS     5
#define VNET_CTRL_GUEST_OFFLOADS_SET 0
#define VNET_CTRL_OK                 0
/* Tries before a control command counts as unanswered: the clock may not
 * run yet (kern_devices_init()); seconds under TCG, less under KVM. */
#define NET_CTRL_TRIES 50000000ul

#define NET_RXQ      0
#define NET_TXQ      1
#define NET_CTRLQ    2 /* without VIRTIO_NET_F_MQ */
#define NET_MTU      1500
#define NET_FRAME    (NET_MTU + 14)
#define NET_RX_BUF   2048 /* a header and a frame, or part of a merged one */
#define NET_TX_BUF   1536 /* a header and a frame */
#define NET_RX_BUFS  256
#define NET_TX_BUFS  256
#define NET_RX_BATCH 32 /* receive buffers given back per publish */
/* Buffers a merged frame of PLAT_NET_GSO_FRAME_MAX bytes fills. */
#define NET_RX_MERGE_MAX                                                       \
    ((VNET_HDR_MAX + PLAT_NET_GSO_FRAME_MAX + NET_RX_BUF - 1) / NET_RX_BUF)
#define NET_TX_RING   (1u << 20) /* bytes for frames the device cuts */
#define NET_TX_ALIGN  64         /* where each starts in the ring */
#define NET_TX_RING_Q 1024       /* takings at most (each > NET_TX_BUF) */

/* A taking of the transmit ring. */
struct net_take {
    uint32_t end; /* ring_in after it */
    uint8_t done; /* its chain is back */
};

struct vnet {
    struct vdev *dev;
    struct virtq rx, tx, ctrl;
    uint8_t *rxbuf; /* NET_RX_BUF bytes per descriptor */
    uint8_t *txbuf; /* NET_TX_BUF bytes per descriptor */
    /* Frames the device cuts: a ring of NET_TX_RING bytes (HOST_TSO4
     * only, else NULL), taken at (ring_in) and given back at (ring_out),
     * byte counts that wrap. Each taking is queued (ring_q, (ring_qn) of
     * them from (ring_q0)) with where it ends; its bytes go back once
     * its chain and all those taken before are back. */
    uint8_t *ring;
    uint32_t ring_in, ring_out;
    struct net_take *ring_q; /* NET_TX_RING_Q of them, with (ring) */
    unsigned ring_q0, ring_qn;
    uint16_t ring_slot[2 * NET_TX_BUFS]; /* per head in flight: 1 + its
                                            taking in ring_q, or 0 */
    unsigned hdr;      /* struct virtio_net_hdr: 10 bytes, or 12 */
    int split;         /* header in a descriptor of its own */
    int mrg;           /* MRG_RXBUF: frames span num_buffers buffers */
    int ctrl_ok;       /* the control queue takes GUEST_OFFLOADS_SET */
    uint64_t guest;    /* GUEST_* offloads the device has on */
    uint32_t offload;  /* PLAT_NET_CAP_* the image turned on */
    unsigned rx_unpub; /* buffers given back, not yet published */
    struct plat_net_info info;
    /* A control command: class and command, the argument (le64), the
     * device's answer. */
    uint8_t ctrl_cmd[16];
    /* Counters. */
    uint64_t rx_short;    /* frames shorter than a header and an Ethernet one */
    uint64_t rx_bad_nbuf; /* num_buffers 0, too many, or not all returned */
    uint64_t rx_long;     /* beyond the MTU, or 64 KiB with RX_TSO4 on */
    uint64_t rx_bad_csum; /* a partial checksum outside the frame */
    uint64_t rx_csum_sw;  /* partial checksums completed here */
    uint64_t rx_trunc;    /* frames cut to the caller's buffer */
    uint64_t tx_full;     /* writes refused for want of buffers */
    uint64_t ctrl_fail;   /* control commands refused or unanswered */
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

static uint16_t net_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/*
 * The offload features to ask of a device offering (o), with what each
 * needs (5.1.3.1): GUEST_TSO4 only when merged buffers can hold its
 * frames and the control queue can turn it off; merged buffers only with
 * a header that shares their first descriptor (1.x or ANY_LAYOUT).
 */
static uint64_t net_offload_features(uint64_t o)
{
    const uint64_t ctrl =
        VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_GUEST_OFFLOADS;
    const uint64_t big = VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_MRG_RXBUF;
    uint64_t w = 0;

    if (o & VIRTIO_NET_F_CSUM)
        w |= o & (VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4);
    if (o & VIRTIO_NET_F_GUEST_CSUM) {
        w |= VIRTIO_NET_F_GUEST_CSUM;
        if ((o & ctrl) == ctrl)
            w |= ctrl;
        if ((o & ctrl) == ctrl && (o & big) == big &&
            (o & (VIRTIO_F_VERSION_1 | VIRTIO_F_ANY_LAYOUT)))
            w |= big;
    }
    return w;
}

/* The GUEST_* features that give the receive offloads in (caps). */
static uint64_t net_guest_features(uint32_t caps)
{
    return ((caps & PLAT_NET_CAP_RX_CSUM) ? VIRTIO_NET_F_GUEST_CSUM : 0) |
           ((caps & PLAT_NET_CAP_RX_TSO4) ? VIRTIO_NET_F_GUEST_TSO4 : 0);
}

/*
 * Sets the device's receive offloads to (guest) through the control
 * queue and waits for its answer. Returns 0, or -1 when it refuses or
 * does not answer (then the queue is given up: the command may still be
 * in the device's hands).
 */
static int net_ctrl_offloads(struct vnet *n, uint64_t guest)
{
    uint8_t *c = n->ctrl_cmd;
    struct virtq_seg s[3] = {
        {(uintptr_t)c, 2},
        {(uintptr_t)c + 2, 8},
        {(uintptr_t)c + 10, 1},
    };
    unsigned long tries;
    uint32_t got;
    unsigned i;
    int head = VIRTQ_EMPTY;

    if (!n->ctrl_ok)
        return -1;
    c[0] = VNET_CTRL_GUEST_OFFLOADS;
    c[1] = VNET_CTRL_GUEST_OFFLOADS_SET;
    for (i = 0; i < 8; i++)
        c[2 + i] = (uint8_t)(guest >> (8 * i));
    c[10] = 0xff; /* not written by the device: a refusal */
    if (virtq_add(&n->ctrl, s, 2, 1) < 0) {
        n->ctrl_fail++;
        return -1;
    }
    virtq_publish(&n->ctrl);
    n->dev->ops->notify(n->dev, NET_CTRLQ);
    for (tries = 0; tries < NET_CTRL_TRIES && head < 0; tries++) {
        head = virtq_get(&n->ctrl, &got);
        if (head < 0)
            __asm__ volatile("pause");
    }
    if (head < 0) {
        n->ctrl_ok = 0;
        n->ctrl_fail++;
        kern_printf("virtio: %s: no answer on the control queue\n",
                    n->dev->where);
        return -1;
    }
    kern_rmb(); /* the answer after the used entry that shows it */
    if (*(volatile uint8_t *)(c + 10) != VNET_CTRL_OK) {
        n->ctrl_fail++;
        return -1;
    }
    return 0;
}

/* Posts the free receive descriptor (head) with its buffer. */
static void net_rx_post(struct vnet *n)
{
    int head = virtq_next_head(&n->rx);
    struct virtq_seg s[2];
    uint8_t *b;

    if (head < 0)
        return;
    b = n->rxbuf + (size_t)head * NET_RX_BUF;
    if (n->split) {
        s[0] = (struct virtq_seg){(uintptr_t)b, n->hdr};
        s[1] = (struct virtq_seg){(uintptr_t)b + n->hdr, NET_RX_BUF - n->hdr};
        virtq_add(&n->rx, s, 0, 2);
    } else {
        s[0] = (struct virtq_seg){(uintptr_t)b, NET_RX_BUF};
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

/* Takes back the transmit chains the device is done with, and the ring
 * bytes of those returned in order. */
static void net_tx_reclaim(struct vnet *n)
{
    uint32_t got;
    int head;

    while ((head = virtq_get(&n->tx, &got)) >= 0)
        if (n->ring_slot[head]) {
            n->ring_q[n->ring_slot[head] - 1].done = 1;
            n->ring_slot[head] = 0;
        }
    while (n->ring_qn && n->ring_q[n->ring_q0].done) {
        n->ring_out = n->ring_q[n->ring_q0].end;
        n->ring_q0 = (n->ring_q0 + 1) % NET_TX_RING_Q;
        n->ring_qn--;
    }
}

static uint32_t net_ring_round(uint32_t bytes)
{
    return (bytes + NET_TX_ALIGN - 1) & ~(uint32_t)(NET_TX_ALIGN - 1);
}

/* The ring bytes (bytes) take from where it is: a frame never wraps, so
 * the end of the ring is skipped when too short for it. */
static uint32_t net_ring_need(const struct vnet *n, uint32_t bytes)
{
    uint32_t at = n->ring_in % NET_TX_RING, r = net_ring_round(bytes);

    return at + r > NET_TX_RING ? NET_TX_RING - at + r : r;
}

/* Whether the ring has room for (bytes) now. */
static int net_ring_room(const struct vnet *n, uint32_t bytes)
{
    return n->ring_qn < NET_TX_RING_Q &&
           net_ring_need(n, bytes) <= NET_TX_RING - (n->ring_in - n->ring_out);
}

/* Takes (bytes) of the ring, which has room for them (net_ring_room()),
 * for the chain to be added at (head); returns where they start. */
static uint8_t *net_ring_take(struct vnet *n, int head, uint32_t bytes)
{
    uint32_t at = n->ring_in % NET_TX_RING, need = net_ring_need(n, bytes);
    unsigned q;

    if (at + net_ring_round(bytes) > NET_TX_RING)
        at = 0; /* the end skipped */
    n->ring_in += need;
    q = (n->ring_q0 + n->ring_qn++) % NET_TX_RING_Q;
    n->ring_q[q].end = n->ring_in;
    n->ring_q[q].done = 0;
    n->ring_slot[head] = (uint16_t)(q + 1);
    return n->ring + at;
}

int net_attach(struct vdev *d, uint32_t handle)
{
    struct vnet *n;
    const uint8_t *m;
    uint64_t f;
    unsigned per;

    if (handle >= PITH_MFT_DEV_MAX)
        return -1;
    n = &vnets[handle];
    memset(n, 0, sizeof *n);
    n->dev = d;
    if (vdev_negotiate(d, VIRTIO_NET_F_MAC | VIRTIO_F_EVENT_IDX |
                              VIRTIO_F_ANY_LAYOUT |
                              net_offload_features(d->offered)) < 0)
        return -1;
    f = d->features;
    /* 1.x always has num_buffers; legacy has it only with MRG_RXBUF. */
    n->mrg = (f & VIRTIO_NET_F_MRG_RXBUF) != 0;
    n->hdr = f & (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MRG_RXBUF) ? 12 : 10;
    n->split = !(f & (VIRTIO_F_VERSION_1 | VIRTIO_F_ANY_LAYOUT));
    per = n->split ? 2 : 1;
    if (!(f & VIRTIO_NET_F_MAC) || net_probe_mac(d, n->info.mac) < 0) {
        /* Without a MAC of its own, a random locally administered one. */
        if (plat_entropy(n->info.mac, 6) < 0)
            memcpy(n->info.mac, "\x02\x00\x00\x00\x00", 5);
        n->info.mac[0] = (uint8_t)((n->info.mac[0] & 0xfe) | 0x02);
    }
    n->info.mtu = NET_MTU;
    if (vdev_queue(d, NET_RXQ, &n->rx, NET_RX_BUFS, NET_RX_BUFS * per) < 0 ||
        vdev_queue(d, NET_TXQ, &n->tx, NET_TX_BUFS, NET_TX_BUFS * per) < 0)
        goto fail;
    if ((f & VIRTIO_NET_F_CTRL_VQ) &&
        vdev_queue(d, NET_CTRLQ, &n->ctrl, 4, 3) < 0)
        goto fail;
    n->rxbuf = kern_alloc_pages((size_t)n->rx.nfree * NET_RX_BUF);
    n->txbuf = kern_alloc_pages((size_t)n->tx.nfree * NET_TX_BUF);
    if (f & VIRTIO_NET_F_HOST_TSO4) {
        n->ring = kern_alloc_pages(NET_TX_RING);
        n->ring_q = kern_alloc_pages(NET_TX_RING_Q * sizeof *n->ring_q);
    }
    while (n->rx.nfree >= per)
        net_rx_post(n);
    virtq_irq_off(&n->tx);
    virtq_irq_arm(&n->rx);
    if (f & VIRTIO_NET_F_CTRL_VQ)
        virtq_irq_off(&n->ctrl);
    vdev_ready(d, 1);
    net_rx_flush(n);
    /* Receive offloads start on as negotiated (5.1.6.5.6.1): off, as
     * the contract has them, until the image asks. */
    n->guest = f & (VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GUEST_TSO4);
    if (f & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) {
        n->ctrl_ok = 1;
        if (n->guest && net_ctrl_offloads(n, 0) == 0)
            n->guest = 0;
    }
    if (f & VIRTIO_NET_F_CSUM)
        n->info.caps |= PLAT_NET_CAP_CSUM;
    if ((f & VIRTIO_NET_F_HOST_TSO4) && n->ring && n->ring_q)
        n->info.caps |= PLAT_NET_CAP_TSO4;
    if (f & VIRTIO_NET_F_GUEST_CSUM)
        n->info.caps |= PLAT_NET_CAP_RX_CSUM;
    if (f & VIRTIO_NET_F_GUEST_TSO4)
        n->info.caps |= PLAT_NET_CAP_RX_TSO4;
    net_of[handle] = n;
    m = n->info.mac;
    kern_printf("virtio: net %s %02x:%02x:%02x:%02x:%02x:%02x (%s)%s%s%s%s\n",
                pith_mft.dev[handle].name, m[0], m[1], m[2], m[3], m[4], m[5],
                d->where, n->info.caps & PLAT_NET_CAP_CSUM ? " csum" : "",
                n->info.caps & PLAT_NET_CAP_TSO4 ? " tso4" : "",
                n->info.caps & PLAT_NET_CAP_RX_CSUM ? " rx_csum" : "",
                n->info.caps & PLAT_NET_CAP_RX_TSO4 ? " rx_tso4" : "");
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

int plat_net_offload(plat_handle_t h, uint32_t caps)
{
    struct vnet *n = net_get(h);
    uint64_t guest;

    if (!n || (caps & ~n->info.caps) ||
        ((caps & PLAT_NET_CAP_TSO4) && !(caps & PLAT_NET_CAP_CSUM)) ||
        ((caps & PLAT_NET_CAP_RX_TSO4) && !(caps & PLAT_NET_CAP_RX_CSUM)))
        return PITH_EINVAL;
    /* Without the control queue the device keeps GUEST_CSUM on, and
     * read completes what the image did not turn on. */
    guest = net_guest_features(caps);
    if ((n->dev->features & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) &&
        guest != n->guest) {
        if (net_ctrl_offloads(n, guest) < 0)
            return PITH_EIO;
        n->guest = guest;
    }
    n->offload = caps;
    return PITH_OK;
}

/*
 * Takes the next frame from the receive queue: its header into (vh), up
 * to (size) of its bytes into (buf); gives its buffers back. Returns its
 * whole length; -1 when none is waiting, -2 when one was dropped.
 */
static long net_rx_take(struct vnet *n, uint8_t *buf, size_t size,
                        uint8_t vh[VNET_HDR_MAX])
{
    const uint8_t *b;
    size_t total, k;
    uint32_t got;
    unsigned nb = 1, i;
    int head, bad = 0;

    head = virtq_get(&n->rx, &got);
    if (head < 0)
        return -1;
    b = n->rxbuf + (size_t)head * NET_RX_BUF;
    /* virtq_get() bounds (got) by the buffer; 0 means a lie. */
    if (got < n->hdr) {
        n->rx_short++;
        net_rx_post(n);
        return -2;
    }
    memset(vh, 0, VNET_HDR_MAX);
    memcpy(vh, b, n->hdr);
    if (n->mrg) {
        /* The device returns a frame's buffers together (5.1.6.4.2). */
        nb = net_le16(vh + 10);
        if (nb == 0 || nb > NET_RX_MERGE_MAX ||
            nb - 1 > virtq_used_count(&n->rx)) {
            n->rx_bad_nbuf++;
            net_rx_post(n);
            return -2;
        }
    }
    total = got - n->hdr;
    k = total < size ? total : size;
    memcpy(buf, b + n->hdr, k);
    net_rx_post(n);
    for (i = 1; i < nb; i++) {
        head = virtq_get(&n->rx, &got);
        if (head < 0) {
            n->rx_bad_nbuf++; /* fewer than counted: bad ids skipped */
            return -2;
        }
        b = n->rxbuf + (size_t)head * NET_RX_BUF;
        if (got == 0)
            bad = 1;
        if (total < size) {
            k = size - total < got ? size - total : got;
            memcpy(buf + total, b, k);
        }
        total += got;
        net_rx_post(n);
    }
    if (bad) {
        n->rx_bad_nbuf++;
        return -2;
    }
    return (long)total;
}

/* Completes the partial checksum the device left in (f), (len) bytes:
 * the sum of [start, len) into the field at (start + off), which holds
 * the pseudo-header's sum (RFC 1071; 0 goes out as 0xffff, as UDP
 * needs). */
static void net_csum_complete(uint8_t *f, size_t len, size_t start, size_t off)
{
    uint32_t sum = 0;
    size_t i;

    for (i = start; i + 1 < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    if (i < len)
        sum += (uint32_t)f[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    sum = ~sum & 0xffff;
    if (sum == 0)
        sum = 0xffff;
    f[start + off] = (uint8_t)(sum >> 8);
    f[start + off + 1] = (uint8_t)sum;
}

int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m)
{
    struct vnet *n = net_get(h);
    uint8_t vh[VNET_HDR_MAX];
    long got;

    if (!n)
        return PITH_EINVAL;
    for (;;) {
        int rx_csum = (n->offload & PLAT_NET_CAP_RX_CSUM) != 0;
        size_t flen, cs, co;

        if (n->rx_unpub >= NET_RX_BATCH)
            net_rx_flush(n);
        got = net_rx_take(n, buf, size, vh);
        if (got == -1)
            break;
        if (got == -2)
            continue;
        flen = (size_t)got;
        if (flen < 14) {
            n->rx_short++;
            continue;
        }
        /* Beyond the MTU only with RX_TSO4 on, and never beyond 64 KiB:
         * a device that merges while told not to is refused. */
        if (flen > ((n->offload & PLAT_NET_CAP_RX_TSO4) ? PLAT_NET_GSO_FRAME_MAX
                                                        : NET_FRAME)) {
            n->rx_long++;
            continue;
        }
        *m = (struct plat_net_meta){0};
        if (flen > size) {
            n->rx_trunc++; /* without its metadata, as the contract says */
            *len = size;
            return PITH_OK;
        }
        *len = flen;
        if (vh[0] & VNET_HDR_F_NEEDS_CSUM) {
            cs = net_le16(vh + 6);
            co = net_le16(vh + 8);
            if (cs + co + 2 > flen) {
                n->rx_bad_csum++;
                continue;
            }
            if (rx_csum) {
                m->flags = PLAT_NET_F_NEEDS_CSUM;
                m->csum_start = (uint16_t)cs;
                m->csum_offset = (uint16_t)co;
            } else {
                /* Not turned on (yet): the image gets it whole. */
                net_csum_complete(buf, flen, cs, co);
                if (n->rx_csum_sw++ == 0)
                    kern_printf("virtio: %s: partial checksums received, "
                                "completed in software\n",
                                n->dev->where);
            }
        } else if ((vh[0] & VNET_HDR_F_DATA_VALID) && rx_csum) {
            m->flags = PLAT_NET_F_DATA_VALID;
        }
        if ((n->offload & PLAT_NET_CAP_RX_TSO4) &&
            (vh[1] & ~VNET_HDR_GSO_ECN) == VNET_HDR_GSO_TCPV4) {
            m->gso = PLAT_NET_GSO_TCP4;
            m->hdr_len = net_le16(vh + 2);
            m->gso_size = net_le16(vh + 4);
        }
        return PITH_OK;
    }
    net_rx_flush(n);
    return PITH_EAGAIN;
}

int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len)
{
    struct plat_net_meta m;
    return plat_net_read_meta(h, buf, size, len, &m);
}

/* Writes the struct virtio_net_hdr of (m) at (b), (hdr) bytes. */
static void net_hdr_put(uint8_t *b, const struct plat_net_meta *m, unsigned hdr)
{
    memset(b, 0, hdr); /* num_buffers 0 when sending (5.1.6.2) */
    if (m->flags & PLAT_NET_F_NEEDS_CSUM) {
        b[0] = VNET_HDR_F_NEEDS_CSUM;
        net_put16(b + 6, m->csum_start);
        net_put16(b + 8, m->csum_offset);
    }
    if (m->gso == PLAT_NET_GSO_TCP4) {
        b[1] = VNET_HDR_GSO_TCPV4;
        net_put16(b + 2, m->hdr_len);
        net_put16(b + 4, m->gso_size);
    }
}

/* The pieces are gathered straight into the buffer the device reads. */
int plat_net_write_iov(plat_handle_t h, const struct plat_net_meta *m,
                       const struct plat_net_iov *iov, unsigned niov)
{
    static const struct plat_net_meta none;
    struct vnet *n = net_get(h);
    struct virtq_seg s[2];
    size_t len = 0, off;
    unsigned per, i;
    uint8_t *b;
    int head, ring;

    if (!m)
        m = &none;
    if (niov < 1 || niov > PLAT_NET_IOV_MAX)
        return PITH_EINVAL;
    for (i = 0; i < niov; i++)
        len += iov[i].len;
    if (!n || len < 14 || !plat_net_meta_ok(m, n->offload, len, NET_FRAME))
        return PITH_EINVAL;
    per = n->split ? 2 : 1;
    /* Only a frame the device cuts is longer (TSO4, so n->ring). */
    ring = n->hdr + len > NET_TX_BUF;
    if (n->tx.nfree < per || (ring && !net_ring_room(n, n->hdr + len)))
        net_tx_reclaim(n);
    /* No reclaim from here on: (head) is the one virtq_add() takes. */
    head = virtq_next_head(&n->tx);
    if (head < 0 || n->tx.nfree < per ||
        (ring && !net_ring_room(n, n->hdr + len))) {
        n->tx_full++;
        return PITH_EAGAIN;
    }
    if (ring)
        b = net_ring_take(n, head, (uint32_t)(n->hdr + len));
    else
        b = n->txbuf + (size_t)head * NET_TX_BUF;
    net_hdr_put(b, m, n->hdr);
    for (i = 0, off = n->hdr; i < niov; off += iov[i++].len)
        memcpy(b + off, iov[i].base, iov[i].len);
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

int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len)
{
    struct plat_net_iov v = {buf, len};
    return plat_net_write_iov(h, m, &v, 1);
}

int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len)
{
    return plat_net_write_meta(h, NULL, buf, len);
}

plat_handle_set_t kern_net_ready(void)
{
    plat_handle_set_t ready = 0;
    unsigned h;

    for (h = 0; h < PITH_MFT_DEV_MAX; h++) {
        struct vnet *n = net_of[h];
        if (!n)
            continue;
        net_rx_flush(n);
        /* Frames still queued for sending before the wait: notify the
         * device whatever its event index says. Under QEMU's TCG a
         * suppressed notification sometimes left the queue unserved for
         * good (the connection timed out with frames in the ring); one
         * notification more per wait costs little, and none is sent
         * once the device has returned every frame. */
        net_tx_reclaim(n);
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
