/*
 * The pith platform contract: everything an image may ask of its host.
 *
 * One header, one implementation per target (plat/<target>/). Nothing above
 * this line knows which target it runs on, and nothing below it knows what
 * the image does. It is modelled on Solo5's solo5.h.
 *
 * Execution model: one thread, no interrupts, no signals visible to the
 * image. The platform calls plat_main() once; the image runs to completion,
 * waiting for input only through plat_yield().
 *
 * Errors: functions return PITH_OK (0) or a negative PITH_E* value from
 * <pith/err.h>. PITH_EAGAIN means "nothing now, yield and retry".
 *
 * Devices are declared at build time in the app's manifest. The platform
 * attaches exactly those, each bound by the operator to a host resource (a
 * tap interface, a file); the image cannot reach anything else.
 */
#ifndef PITH_PLAT_H
#define PITH_PLAT_H

#include <stddef.h>
#include <stdint.h>
#include <pith/err.h>

/* ---- Start ---------------------------------------------------------- */

/*
 * What the platform hands to the image at start. The platform owns the
 * structure and the command line; both stay valid until exit.
 */
struct plat_start_info {
    /* NUL-terminated arguments given after "--" at run time, separated by
     * single spaces; "" when there are none. */
    const char *cmdline;
    /* Memory the image may use as it likes: page-aligned, zero-filled,
     * readable and writable, never executable. */
    uintptr_t heap_start;
    size_t heap_size;
};

/*
 * Implemented ABOVE the contract (by lib/rt), called once by the platform
 * after its own set-up. Its return value is the image's exit status, as if
 * passed to plat_exit().
 */
int plat_main(const struct plat_start_info *si);

/* ---- Console -------------------------------------------------------- */

/*
 * Writes (len) bytes from (buf) to the console. Never fails from the
 * image's point of view; bytes the host cannot take are dropped. (buf) is
 * the caller's and is not kept.
 */
void plat_console_write(const char *buf, size_t len);

/* ---- Clocks --------------------------------------------------------- */

/* Nanoseconds since an arbitrary origin fixed at start; never decreases. */
uint64_t plat_clock_monotonic(void);

/* Nanoseconds since 1970-01-01T00:00:00Z as the host knows it; may jump. */
uint64_t plat_clock_wall(void);

/* ---- Waiting -------------------------------------------------------- */

/*
 * A device handle is a small integer below PLAT_HANDLE_MAX, so a set of
 * handles is a bit mask: handle h is in set s when (s & (1ULL << h)).
 */
typedef uint64_t plat_handle_t;
typedef uint64_t plat_handle_set_t;
#define PLAT_HANDLE_MAX 64

/*
 * Sleeps until a network device has input or the monotonic clock reaches
 * (deadline), whichever comes first, and stores in (*ready) the set of
 * network devices that have input (0 on a timeout). A (deadline) in the
 * past polls without sleeping. Spurious wake-ups are allowed: a handle in
 * (*ready) may still answer PITH_EAGAIN.
 */
void plat_yield(uint64_t deadline, plat_handle_set_t *ready);

/* ---- Network devices ------------------------------------------------ */

/*
 * Offloads a network device may offer, in (struct plat_net_info).caps:
 * the host does work on the image's behalf, as a virtio-net device does
 * for its driver (virtio 1.2, 5.1.6). None is on until the image turns it
 * on with plat_net_offload(); an image that never does sees frames of at
 * most mtu + 14 bytes with complete checksums, both ways.
 *
 *   PLAT_NET_CAP_CSUM     sending: a frame may leave its TCP or UDP
 *                         checksum partial (PLAT_NET_F_NEEDS_CSUM) and
 *                         the host completes it
 *   PLAT_NET_CAP_TSO4     sending: a TCP/IPv4 frame of up to 65535 + 14
 *                         bytes, with a partial checksum, is cut by the
 *                         host into segments of gso_size data bytes
 *                         (PLAT_NET_GSO_TCP4); needs PLAT_NET_CAP_CSUM
 *   PLAT_NET_CAP_RX_CSUM  receiving: a frame may come with its checksum
 *                         verified by the host (PLAT_NET_F_DATA_VALID) or
 *                         partial (PLAT_NET_F_NEEDS_CSUM, from the host
 *                         itself: the data is sound, the field holds
 *                         only the pseudo-header's sum)
 *   PLAT_NET_CAP_RX_TSO4  receiving: TCP/IPv4 frames of up to 65535 + 14
 *                         bytes, segments the host has not cut or has
 *                         merged (PLAT_NET_GSO_TCP4 in their metadata);
 *                         needs PLAT_NET_CAP_RX_CSUM
 */
#define PLAT_NET_CAP_NONE    0u
#define PLAT_NET_CAP_CSUM    (1u << 0)
#define PLAT_NET_CAP_TSO4    (1u << 1)
#define PLAT_NET_CAP_RX_CSUM (1u << 2)
#define PLAT_NET_CAP_RX_TSO4 (1u << 3)

/* The largest frame with PLAT_NET_CAP_TSO4 or PLAT_NET_CAP_RX_TSO4 on: an
 * IPv4 packet of 65535 bytes and its Ethernet header. */
#define PLAT_NET_GSO_FRAME_MAX (65535 + 14)

struct plat_net_info {
    uint8_t mac[6]; /* the image's MAC address on this device */
    uint32_t mtu;   /* largest payload after the Ethernet header */
    uint32_t caps;  /* PLAT_NET_CAP_* offered */
};

/*
 * What travels with one frame when offloads are on: the fields of struct
 * virtio_net_hdr (virtio 1.2, 5.1.6), in host byte order. Offsets count
 * from the first byte of the Ethernet header.
 */
struct plat_net_meta {
    uint8_t flags;        /* PLAT_NET_F_* */
    uint8_t gso;          /* PLAT_NET_GSO_* */
    uint16_t hdr_len;     /* GSO: bytes of headers, Ethernet to TCP */
    uint16_t gso_size;    /* GSO: data bytes in each segment but the last */
    uint16_t csum_start;  /* NEEDS_CSUM: where the checksummed run starts */
    uint16_t csum_offset; /* NEEDS_CSUM: where, from csum_start, the
                             checksum field is */
};
#define PLAT_NET_F_NEEDS_CSUM 1 /* sum [csum_start, end) into the field */
#define PLAT_NET_F_DATA_VALID 2 /* received: the host verified it */
#define PLAT_NET_GSO_NONE     0
#define PLAT_NET_GSO_TCP4     1

/*
 * Acquires the network device the manifest declares as (name). On success
 * stores its handle in (*h) and its properties in (*info), and returns
 * PITH_OK. Returns PITH_ENOENT when the manifest declares no such network
 * device, or declares it optional and the operator left it unbound.
 * Acquiring the same name twice returns the same handle.
 */
int plat_net_acquire(const char *name, plat_handle_t *h,
                     struct plat_net_info *info);

/*
 * Turns on the offloads (caps) of device (h), a subset of those it offers,
 * and turns the others off. Call it before the first read or write on
 * (h): frames the host queued before may still come as the old setting
 * had them. Returns PITH_OK; PITH_EINVAL for a bad handle or a capability
 * not offered (or one without the one it needs), PITH_EIO when the host
 * refuses; nothing changes then. Receive buffers MUST have room for
 * PLAT_NET_GSO_FRAME_MAX bytes while PLAT_NET_CAP_RX_TSO4 is on.
 */
int plat_net_offload(plat_handle_t h, uint32_t caps);

/*
 * Sends one whole Ethernet frame of (len) bytes from (buf), without FCS.
 * (len) must be at least 14 and at most mtu + 14. Returns PITH_OK when the
 * frame was handed to the host, PITH_EAGAIN when the host queue is full
 * (the frame was not sent), PITH_EINVAL for a bad handle or length.
 */
int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len);

/*
 * As plat_net_write(), with the offloads (*m) asks for, which MUST be on:
 * a partial checksum (PLAT_NET_F_NEEDS_CSUM, its field inside the frame)
 * and, for PLAT_NET_GSO_TCP4, a frame of up to PLAT_NET_GSO_FRAME_MAX
 * bytes whose headers are (m->hdr_len) bytes. (m) NULL, or all zero, is
 * plat_net_write(). Returns PITH_EINVAL for metadata the device was not
 * allowed to take; the host may still drop a frame whose headers lie.
 */
int plat_net_write_meta(plat_handle_t h, const struct plat_net_meta *m,
                        const uint8_t *buf, size_t len);

/* A piece of a frame to send: (len) bytes at (base). */
struct plat_net_iov {
    const uint8_t *base;
    size_t len;
};

#define PLAT_NET_IOV_MAX 4

/*
 * As plat_net_write_meta(), for a frame given in (n) pieces, 1 to
 * PLAT_NET_IOV_MAX, whose bytes in order are the frame: a host that takes
 * pieces gets them as they lie (a tap: one writev), which saves gathering
 * a large frame into one buffer first. The pieces are read before the
 * call returns. PITH_EINVAL also for (n) out of range.
 */
int plat_net_write_iov(plat_handle_t h, const struct plat_net_meta *m,
                       const struct plat_net_iov *iov, unsigned n);

/*
 * Receives one whole frame into (buf), which has room for (size) bytes,
 * and stores its length in (*len). (size) should be at least mtu + 14; a
 * longer frame is truncated to (size) bytes. Returns PITH_EAGAIN when no
 * frame is waiting. Never blocks.
 */
int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len);

/*
 * As plat_net_read(), and stores the frame's metadata in (*m): all zero
 * unless receive offloads are on. The metadata comes from the host and
 * is only as good as the host; a frame truncated to (size) has its
 * metadata cleared.
 */
int plat_net_read_meta(plat_handle_t h, uint8_t *buf, size_t size, size_t *len,
                       struct plat_net_meta *m);

/* ---- Block devices -------------------------------------------------- */

struct plat_block_info {
    uint64_t capacity;    /* bytes */
    uint32_t sector_size; /* bytes; offsets and sizes are multiples of it */
};

/*
 * Acquires the block device the manifest declares as (name); otherwise as
 * plat_net_acquire().
 */
int plat_block_acquire(const char *name, plat_handle_t *h,
                       struct plat_block_info *info);

/*
 * Writes (size) bytes from (buf) at byte (offset). Both must be multiples
 * of the sector size and the range must lie within the capacity, or the
 * call returns PITH_EINVAL and writes nothing. Returns PITH_EIO when the
 * host fails. Synchronous: when it returns PITH_OK the host has the data.
 */
int plat_block_write(plat_handle_t h, uint64_t offset, const uint8_t *buf,
                     size_t size);

/* Reads (size) bytes at (offset) into (buf); otherwise as the write. */
int plat_block_read(plat_handle_t h, uint64_t offset, uint8_t *buf,
                    size_t size);

/* ---- Entropy -------------------------------------------------------- */

/*
 * Fills (len) bytes at (buf) from the best source of randomness the target
 * has. Returns PITH_OK, or PITH_EIO when the host has none to give.
 */
int plat_entropy(uint8_t *buf, size_t len);

/* ---- Ending --------------------------------------------------------- */

/* Ends the image with (status) & 0xff as its exit status. */
void plat_exit(int status) __attribute__((noreturn));

/*
 * Ends the image at once after a broken invariant. Its exit status is 134,
 * as for a host process killed by SIGABRT.
 */
void plat_abort(void) __attribute__((noreturn));

#endif
