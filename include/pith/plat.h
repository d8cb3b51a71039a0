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
 * Capabilities a network device may offer. None is on unless the image
 * asks for it; none is required. Reserved for offloads (virtio-net header:
 * checksum, TSO/GSO) and batch I/O, which later targets add.
 */
#define PLAT_NET_CAP_NONE 0u

struct plat_net_info {
    uint8_t mac[6]; /* the image's MAC address on this device */
    uint32_t mtu;   /* largest payload after the Ethernet header */
    uint32_t caps;  /* PLAT_NET_CAP_* offered */
};

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
 * Sends one whole Ethernet frame of (len) bytes from (buf), without FCS.
 * (len) must be at least 14 and at most mtu + 14. Returns PITH_OK when the
 * frame was handed to the host, PITH_EAGAIN when the host queue is full
 * (the frame was not sent), PITH_EINVAL for a bad handle or length.
 */
int plat_net_write(plat_handle_t h, const uint8_t *buf, size_t len);

/*
 * Receives one whole frame into (buf), which has room for (size) bytes,
 * and stores its length in (*len). (size) should be at least mtu + 14; a
 * longer frame is truncated to (size) bytes. Returns PITH_EAGAIN when no
 * frame is waiting. Never blocks.
 */
int plat_net_read(plat_handle_t h, uint8_t *buf, size_t size, size_t *len);

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
