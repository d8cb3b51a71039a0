/*
 * net.c on the host, against a simulated virtio-net device (virtio 1.2,
 * 5.1) on the queues the driver sets up: the offloads it negotiates and
 * turns on and off over the control queue, merged receive frames, the
 * headers it writes, the transmit ring; then a device that lies in its
 * headers (num_buffers, lengths, checksum offsets), whose frames must be
 * counted and dropped, never trusted.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "vdev.h"

/* ---- What net.c needs from the rest of the target ------------------- */

const struct pith_mft pith_mft = {
    .version = PITH_MFT_VERSION,
    .ndev = 1,
    .dev = {{"service", PITH_MFT_NET, 0}},
};

/* Never freed, as in the image; kept reachable for the leak checker. */
static void *pages[64];
static unsigned npages;

void *kern_alloc_pages(size_t bytes)
{
    size_t n = (bytes + 4095) & ~(size_t)4095;
    void *p = aligned_alloc(4096, n);
    memset(p, 0, n);
    if (npages < 64)
        pages[npages++] = p;
    return p;
}

void kern_printf(const char *fmt, ...)
{
    (void)fmt; /* quiet */
}

int plat_entropy(uint8_t *buf, size_t len)
{
    memset(buf, 0x42, len);
    return PITH_OK;
}

int vdev_mft_find(const char *name, size_t n, uint32_t kind)
{
    return kind == PITH_MFT_NET && n == 7 && !memcmp(name, "service", 7) ? 0
                                                                         : -1;
}

uint64_t vdev_cfg(struct vdev *d, unsigned off, unsigned len, int *ok)
{
    (void)d;
    (void)len;
    (void)ok;
    return 0x10 + off; /* MAC 10:11:12:13:14:15 */
}

/* ---- The device -------------------------------------------------------- */

#define F_CSUM       (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_CTRL_OFF   (1ull << 2)
#define F_MAC        (1ull << 5)
#define F_GUEST_TSO4 (1ull << 7)
#define F_HOST_TSO4  (1ull << 11)
#define F_MRG_RXBUF  (1ull << 15)
#define F_CTRL_VQ    (1ull << 17)
#define F_ALL_OFFLOAD                                                          \
    (F_CSUM | F_GUEST_CSUM | F_CTRL_OFF | F_GUEST_TSO4 | F_HOST_TSO4 |         \
     F_MRG_RXBUF | F_CTRL_VQ)

static struct {
    struct vdev d;
    struct virtq *q[3];
    uint16_t last_avail[3], used_idx[3];
    uint64_t guest; /* the last GUEST_OFFLOADS_SET */
    unsigned ctrl_cmds;
    uint8_t ctrl_answer; /* what the device answers */
} dev;

/* Takes the next published chain of queue (q): its head, or -1. */
static int dev_take(unsigned q)
{
    struct virtq *v = dev.q[q];
    if (v->avail[1] == dev.last_avail[q])
        return -1;
    return v->avail[2 + (dev.last_avail[q]++ & (v->size - 1))];
}

/* Shows (n) returned chains of queue (q) at once. */
static void dev_used_put(unsigned q, uint32_t id, uint32_t len)
{
    struct virtq *v = dev.q[q];
    v->used_ring[dev.used_idx[q] & (v->size - 1)].id = id;
    v->used_ring[dev.used_idx[q] & (v->size - 1)].len = len;
    dev.used_idx[q]++;
}
static void dev_used_show(unsigned q)
{
    dev.q[q]->used[1] = dev.used_idx[q];
}

static uint8_t *desc_buf(unsigned q, int head, unsigned k)
{
    struct virtq *v = dev.q[q];
    uint16_t i = (uint16_t)head;
    while (k--)
        i = v->desc[i].next;
    return (uint8_t *)(uintptr_t)v->desc[i].addr;
}

static uint64_t ops_features(struct vdev *d)
{
    return d->offered;
}
static void ops_set_features(struct vdev *d, uint64_t f)
{
    (void)d;
    (void)f;
}
static uint8_t ops_status(struct vdev *d)
{
    (void)d;
    return 0;
}
static void ops_set_status(struct vdev *d, uint8_t s)
{
    (void)d;
    (void)s;
}
static void ops_notify(struct vdev *d, unsigned q)
{
    int head;
    (void)d;
    if (q != 2)
        return;
    /* The control queue answers at once: class, command | argument |
     * ack. */
    while ((head = dev_take(2)) >= 0) {
        uint8_t *c = desc_buf(2, head, 0), *arg = desc_buf(2, head, 1);
        uint64_t v = 0;
        int i;
        for (i = 7; i >= 0; i--)
            v = v << 8 | arg[i];
        if (c[0] == 5 && c[1] == 0) {
            dev.ctrl_cmds++;
            if (dev.ctrl_answer == 0)
                dev.guest = v;
        }
        *desc_buf(2, head, 2) = dev.ctrl_answer;
        dev_used_put(2, (uint32_t)head, 1);
        dev_used_show(2);
    }
}
static const struct vdev_ops ops = {
    .features = ops_features,
    .set_features = ops_set_features,
    .status = ops_status,
    .set_status = ops_set_status,
    .notify = ops_notify,
};

int vdev_negotiate(struct vdev *d, uint64_t want)
{
    d->features = d->offered & (want | VIRTIO_F_VERSION_1);
    return 0;
}

int vdev_queue(struct vdev *d, unsigned q, struct virtq *vq, unsigned want,
               unsigned ndesc)
{
    unsigned size = want < 256 ? want : 256;
    (void)d;
    if (ndesc > size)
        ndesc = size;
    T_CHECK(virtq_init(vq, size, ndesc, kern_alloc_pages(virtq_bytes(size)),
                       0) == 0);
    dev.q[q] = vq;
    dev.last_avail[q] = dev.used_idx[q] = 0;
    return 0;
}

int vdev_ready(struct vdev *d, int irq)
{
    (void)d;
    (void)irq;
    return 0;
}

void vdev_reset(struct vdev *d)
{
    (void)d;
}

/* A fresh device offering (f) (VERSION_1 and MAC added), attached. */
static void dev_new(uint64_t f)
{
    memset(&dev, 0, sizeof dev);
    dev.d.ops = &ops;
    dev.d.offered = f | VIRTIO_F_VERSION_1 | F_MAC;
    dev.d.modern = 1;
    dev.guest = f & (F_GUEST_CSUM | F_GUEST_TSO4); /* on, as negotiated */
    T_CHECK(net_attach(&dev.d, 0) == 0);
}

/* The device receives a frame of (len) bytes from (f), with header
 * fields (flags, gso, gso_size, cs, co), over as many buffers as it
 * takes; (nb) is the num_buffers it writes, or 0 for the true count. */
static void dev_rx(const uint8_t *f, size_t len, uint8_t flags, uint8_t gso,
                   uint16_t cs, uint16_t co, unsigned nb)
{
    uint8_t hdr[12] = {flags,       gso,
                       54,          0,
                       0x5a,        0x05,
                       (uint8_t)cs, (uint8_t)(cs >> 8),
                       (uint8_t)co, (uint8_t)(co >> 8)};
    size_t off = 0, k;
    unsigned used = 0;
    int first = 1;

    while (first || off < len) {
        int head = dev_take(0);
        uint8_t *b;
        size_t room;
        T_CHECK(head >= 0);
        if (head < 0)
            return;
        b = desc_buf(0, head, 0);
        room = dev.q[0]->desc[head].len;
        k = 0;
        if (first) {
            memcpy(b, hdr, 12);
            k = 12;
        }
        if (len - off < room - k) {
            memcpy(b + k, f + off, len - off);
            k += len - off;
            off = len;
        } else {
            memcpy(b + k, f + off, room - k);
            off += room - k;
            k = room;
        }
        dev_used_put(0, (uint32_t)head, (uint32_t)k);
        used++;
        first = 0;
    }
    /* num_buffers, in the first buffer's header, before showing them. */
    {
        struct virtq *v = dev.q[0];
        uint32_t id = v->used_ring[(dev.used_idx[0] - used) & (v->size - 1)].id;
        uint8_t *b = (uint8_t *)(uintptr_t)v->desc[id].addr;
        unsigned n = nb ? nb : used;
        b[10] = (uint8_t)n;
        b[11] = (uint8_t)(n >> 8);
    }
    dev_used_show(0);
}

/* A TCP/IPv4 frame of (len) bytes: Ethernet, IPv4 (20), TCP (20), data. */
static void frame(uint8_t *f, size_t len)
{
    size_t i;
    memset(f, 0, len);
    f[12] = 0x08;
    f[14] = 0x45;
    f[16] = (uint8_t)((len - 14) >> 8);
    f[17] = (uint8_t)(len - 14);
    f[23] = 6;
    for (i = 54; i < len; i++)
        f[i] = (uint8_t)(i * 7);
}

/* RFC 1071 over [start, len) with (seed), folded, not inverted. */
static uint16_t sum16(const uint8_t *f, size_t start, size_t len, uint32_t seed)
{
    uint32_t s = seed;
    size_t i;
    for (i = start; i + 1 < len; i += 2)
        s += (uint32_t)(f[i] << 8 | f[i + 1]);
    if (i < len)
        s += (uint32_t)f[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint8_t rx[PLAT_NET_GSO_FRAME_MAX], f[PLAT_NET_GSO_FRAME_MAX];

/* ---- Tests --------------------------------------------------------------- */

/* All four offloads when offered; the receive ones off at start, on and
 * off again over the control queue. */
static void test_negotiation(void)
{
    struct plat_net_info info;
    plat_handle_t h;

    dev_new(F_ALL_OFFLOAD);
    T_CHECK(plat_net_acquire("service", &h, &info) == PITH_OK && h == 0);
    T_CHECK(info.caps == (PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4 |
                          PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4));
    T_CHECK(info.mtu == 1500 && info.mac[0] == 0x10 && info.mac[5] == 0x15);
    T_CHECK(dev.ctrl_cmds == 1 && dev.guest == 0);
    T_CHECK(plat_net_offload(h, PLAT_NET_CAP_TSO4) == PITH_EINVAL);
    T_CHECK(plat_net_offload(h, PLAT_NET_CAP_RX_TSO4) == PITH_EINVAL);
    T_CHECK(plat_net_offload(h, 0xffu) == PITH_EINVAL);
    T_CHECK(plat_net_offload(h, info.caps) == PITH_OK);
    T_CHECK(dev.ctrl_cmds == 2 && dev.guest == (F_GUEST_CSUM | F_GUEST_TSO4));
    T_CHECK(plat_net_offload(h, info.caps) == PITH_OK && dev.ctrl_cmds == 2);
    dev.ctrl_answer = 1; /* VIRTIO_NET_ERR */
    T_CHECK(plat_net_offload(h, 0) == PITH_EIO);
    dev.ctrl_answer = 0;
    T_CHECK(plat_net_offload(h, 0) == PITH_OK && dev.guest == 0);

    /* What each offload needs (5.1.3.1): TSO4 without its checksum, or
     * GUEST_TSO4 without merged buffers or the control, is not taken. */
    dev_new(F_HOST_TSO4 | F_GUEST_TSO4 | F_MRG_RXBUF | F_CTRL_VQ | F_CTRL_OFF);
    plat_net_acquire("service", &h, &info);
    T_CHECK(info.caps == 0 && dev.d.features == (VIRTIO_F_VERSION_1 | F_MAC));
    dev_new(F_CSUM | F_GUEST_CSUM | F_GUEST_TSO4 | F_MRG_RXBUF);
    plat_net_acquire("service", &h, &info);
    T_CHECK(info.caps == (PLAT_NET_CAP_CSUM | PLAT_NET_CAP_RX_CSUM));
    T_CHECK(!(dev.d.features & (F_GUEST_TSO4 | F_MRG_RXBUF)));
    dev_new(0);
    plat_net_acquire("service", &h, &info);
    T_CHECK(info.caps == 0 && dev.ctrl_cmds == 0);
}

/* A merged 64 KiB frame, whole, with its metadata; and a frame the
 * device merged while told not to (RX_TSO4 off): dropped. */
static void test_rx_merged(void)
{
    struct plat_net_meta m;
    plat_handle_t h = 0;
    size_t len;

    dev_new(F_ALL_OFFLOAD);
    T_CHECK(plat_net_offload(h, PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4) ==
            PITH_OK);
    frame(f, PLAT_NET_GSO_FRAME_MAX);
    dev_rx(f, PLAT_NET_GSO_FRAME_MAX, 1, 1, 34, 16, 0);
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_OK);
    T_CHECK(len == PLAT_NET_GSO_FRAME_MAX && !memcmp(rx, f, len));
    T_CHECK(m.flags == PLAT_NET_F_NEEDS_CSUM && m.csum_start == 34 &&
            m.csum_offset == 16 && m.gso == PLAT_NET_GSO_TCP4 &&
            m.gso_size == 0x55a && m.hdr_len == 54);
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_EAGAIN);
    /* Cut to the caller's buffer: no metadata. */
    dev_rx(f, 5000, 1, 1, 34, 16, 0);
    T_CHECK(plat_net_read_meta(h, rx, 1514, &len, &m) == PITH_OK);
    T_CHECK(len == 1514 && !memcmp(rx, f, len) && m.flags == 0 && m.gso == 0);
    /* Receive offloads off: a 3000-byte frame is beyond the MTU. */
    T_CHECK(plat_net_offload(h, 0) == PITH_OK);
    dev_rx(f, 3000, 0, 1, 0, 0, 0);
    frame(f, 1514);
    dev_rx(f, 1514, 2, 0, 0, 0, 0);
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_OK);
    T_CHECK(len == 1514 && !memcmp(rx, f, len) && m.flags == 0 && m.gso == 0);
    T_CHECK(plat_net_read(h, rx, sizeof rx, &len) == PITH_EAGAIN);
}

/* A partial checksum while RX_CSUM is off is completed here, as a host
 * would (the field held the pseudo-header's sum). */
static void test_rx_csum_completed(void)
{
    struct plat_net_meta m;
    plat_handle_t h = 0;
    size_t len;
    uint16_t want, seed = 0x1234;
    unsigned n;

    dev_new(F_ALL_OFFLOAD);
    for (n = 0; n < 2; n++) {
        size_t flen = n ? 1001 : 1514; /* odd lengths too */
        frame(f, flen);
        f[50] = (uint8_t)(seed >> 8);
        f[51] = (uint8_t)seed;
        want = (uint16_t)~sum16(f, 34, flen, 0);
        dev_rx(f, flen, 1, 0, 34, 16, 0);
        T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_OK);
        T_CHECK(len == flen && m.flags == 0);
        T_CHECK((rx[50] << 8 | rx[51]) == want);
        /* Verifies: the run with the field, and the pseudo-header. */
        T_CHECK(sum16(rx, 34, flen, seed) == 0xffff);
    }
}

/* A device that lies: each frame counted and dropped, the good one
 * behind them intact. */
static void test_rx_hostile(void)
{
    struct plat_net_meta m;
    plat_handle_t h = 0;
    size_t len;
    int head;

    dev_new(F_ALL_OFFLOAD);
    T_CHECK(plat_net_offload(h, PLAT_NET_CAP_RX_CSUM | PLAT_NET_CAP_RX_TSO4) ==
            PITH_OK);
    frame(f, 4000);
    /* num_buffers beyond the buffers returned, or a 64 KiB frame. */
    dev_rx(f, 1514, 0, 0, 0, 0, 20);
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_EAGAIN);
    dev_rx(f, 1514, 0, 0, 0, 0, 34);
    dev_rx(f, 1514, 0, 0, 0, 0, 0xffff);
    dev_rx(f, 60, 1, 0, 50, 20, 0); /* checksum field beyond the frame */
    dev_rx(f, 10, 0, 0, 0, 0, 0);   /* shorter than an Ethernet header */
    /* num_buffers 0 */
    dev_rx(f, 100, 0, 0, 0, 0, 0);
    {
        struct virtq *v = dev.q[0];
        uint32_t id = v->used_ring[(dev.used_idx[0] - 1) & (v->size - 1)].id;
        uint8_t *b = (uint8_t *)(uintptr_t)v->desc[id].addr;
        b[10] = b[11] = 0;
    }
    /* A used length shorter than the header. */
    head = dev_take(0);
    dev_used_put(0, (uint32_t)head, 5);
    dev_used_show(0);
    /* A length beyond the buffer (virtq_get() makes it 0). */
    head = dev_take(0);
    dev_used_put(0, (uint32_t)head, 100000);
    dev_used_show(0);
    dev_rx(f, 4000, 0, 0, 0, 0, 0); /* a good one */
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_OK);
    T_CHECK(len == 4000 && !memcmp(rx, f, len));
    T_CHECK(plat_net_read_meta(h, rx, sizeof rx, &len, &m) == PITH_EAGAIN);
    /* Every buffer went back: a whole ring's worth still arrives. */
    {
        unsigned i;
        for (i = 0; i < 300; i++) {
            dev_rx(f, 1514, 0, 0, 0, 0, 0);
            T_CHECK(plat_net_read(h, rx, sizeof rx, &len) == PITH_OK &&
                    len == 1514);
        }
    }
}

/* Headers written from the metadata; what is not on is refused; frames
 * the device cuts take ring bytes until it returns them. */
static void test_tx(void)
{
    struct plat_net_meta m = {
        PLAT_NET_F_NEEDS_CSUM, PLAT_NET_GSO_TCP4, 54, 1448, 34, 16};
    plat_handle_t h = 0;
    uint8_t *b;
    int head, i, sent = 0;

    dev_new(F_ALL_OFFLOAD);
    frame(f, PLAT_NET_GSO_FRAME_MAX);
    T_CHECK(plat_net_write_meta(h, &m, f, 20000) == PITH_EINVAL); /* off */
    T_CHECK(plat_net_write(h, f, 1515) == PITH_EINVAL);
    T_CHECK(plat_net_offload(h, PLAT_NET_CAP_CSUM | PLAT_NET_CAP_TSO4) ==
            PITH_OK);
    T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX + 1) ==
            PITH_EINVAL);
    m.csum_start = 20000;
    T_CHECK(plat_net_write_meta(h, &m, f, 20000) == PITH_EINVAL);
    m.csum_start = 34;
    T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) == PITH_OK);
    head = dev_take(1);
    T_CHECK(head >= 0);
    b = desc_buf(1, head, 0);
    T_CHECK(dev.q[1]->desc[head].len == 12 + PLAT_NET_GSO_FRAME_MAX);
    T_CHECK(b[0] == 1 && b[1] == 1 && b[2] == 54 && b[3] == 0 &&
            (b[4] | b[5] << 8) == 1448 && b[6] == 34 && b[8] == 16 &&
            b[10] == 0 && b[11] == 0);
    T_CHECK(!memcmp(b + 12, f, PLAT_NET_GSO_FRAME_MAX));
    dev_used_put(1, (uint32_t)head, 0);
    dev_used_show(1);
    /* Without a completion, 1 MiB holds 15 whole frames. */
    for (i = 0; i < 20; i++)
        if (plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) == PITH_OK)
            sent++;
    T_CHECK(sent == 15);
    /* Small frames still go, from their own buffers. */
    T_CHECK(plat_net_write(h, f, 1514) == PITH_OK);
    /* Returned out of order: the bytes come back only in order. */
    {
        int heads[16], k;
        for (k = 0; k < 16; k++)
            heads[k] = dev_take(1);
        T_CHECK(dev_take(1) == -1);
        dev_used_put(1, (uint32_t)heads[1], 0);
        dev_used_show(1);
        T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) ==
                PITH_EAGAIN);
        dev_used_put(1, (uint32_t)heads[0], 0);
        dev_used_show(1);
        T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) ==
                PITH_OK);
        T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) ==
                PITH_OK);
        T_CHECK(plat_net_write_meta(h, &m, f, PLAT_NET_GSO_FRAME_MAX) ==
                PITH_EAGAIN);
        for (k = 2; k < 16; k++)
            dev_used_put(1, (uint32_t)heads[k], 0);
        dev_used_show(1);
    }
    /* Many smaller ones, with the ring wrapping, every other one in
     * three pieces (plat_net_write_iov): each frame intact. */
    {
        struct plat_net_iov v[PLAT_NET_IOV_MAX + 1] = {{f, 54}};
        T_CHECK(plat_net_write_iov(h, &m, v, 0) == PITH_EINVAL);
        T_CHECK(plat_net_write_iov(h, &m, v, PLAT_NET_IOV_MAX + 1) ==
                PITH_EINVAL);
    }
    for (i = 0; i < 2000; i++) {
        size_t len = 1600 + (size_t)(i * 977) % 60000;
        struct plat_net_iov v[3] = {
            {f, 54}, {f + 54, len / 3}, {f + 54 + len / 3, len - 54 - len / 3}};
        int hd;
        f[60] = (uint8_t)i;
        if (i & 1)
            T_CHECK(plat_net_write_iov(h, &m, v, 3) == PITH_OK);
        else
            T_CHECK(plat_net_write_meta(h, &m, f, len) == PITH_OK);
        while ((hd = dev_take(1)) >= 0) {
            b = desc_buf(1, hd, 0);
            if (dev.q[1]->desc[hd].len == 12 + len)
                T_CHECK(b[12 + 60] == (uint8_t)i &&
                        !memcmp(b + 12 + 61, f + 61, len - 61));
            dev_used_put(1, (uint32_t)hd, 0);
        }
        dev_used_show(1);
    }
}

int main(void)
{
    T_RUN(test_negotiation);
    T_RUN(test_rx_merged);
    T_RUN(test_rx_csum_completed);
    T_RUN(test_rx_hostile);
    T_RUN(test_tx);
    return t_done();
}
