/*
 * The virtio target's kernel layer, private to plat/virtio: what the boot
 * code (boot.S, cpu.c, intr.c, time.c, mem.c, console.c) gives the device
 * drivers (pci.c, mmio.c, virtq.c, net.c, blk.c, rng.c).
 *
 * The machine model: one CPU in long mode, identity-mapped memory (a
 * physical address is its virtual address), interrupts off except while
 * plat_yield() halts. Everything here is called from that one thread,
 * except the interrupt handlers registered with kern_irq_attach(), which
 * run with interrupts off on their own stack.
 */
#ifndef PITH_VIRTIO_KERN_H
#define PITH_VIRTIO_KERN_H

#include <pith/plat.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Port I/O and memory-mapped I/O ---------------------------------- */

static inline void kern_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void kern_outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void kern_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t kern_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
static inline uint16_t kern_inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
static inline uint32_t kern_inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}

#define KERN_MMIO(bits)                                                        \
    static inline uint##bits##_t kern_rd##bits(uintptr_t a)                    \
    {                                                                          \
        return *(volatile uint##bits##_t *)a;                                  \
    }                                                                          \
    static inline void kern_wr##bits(uintptr_t a, uint##bits##_t v)            \
    {                                                                          \
        *(volatile uint##bits##_t *)a = v;                                     \
    }
KERN_MMIO(8)
KERN_MMIO(16)
KERN_MMIO(32)
KERN_MMIO(64)
#undef KERN_MMIO

/* Orders memory for a device: all earlier loads and stores before later. */
static inline void kern_mb(void)
{
    __asm__ volatile("mfence" : : : "memory");
}
/* x86 keeps stores in order and loads in order: the compiler must too. */
static inline void kern_wmb(void)
{
    __asm__ volatile("" : : : "memory");
}
static inline void kern_rmb(void)
{
    __asm__ volatile("" : : : "memory");
}

/* ---- Memory ----------------------------------------------------------- */

/*
 * Returns (bytes) rounded up to whole 4 KiB pages of zeroed, physically
 * contiguous, identity-mapped, non-executable memory, for virtqueues and
 * device buffers. Never freed. Before plat_main() starts (from
 * kern_devices_init()) it panics when memory runs out; what is left then
 * becomes the heap, but for a few pages kept for devices started on
 * first use, from which it serves later calls and returns NULL when they
 * do not suffice.
 */
void *kern_alloc_pages(size_t bytes);

/* ---- Interrupts ------------------------------------------------------- */

/*
 * Routes I/O APIC input (gsi) to a vector of its own and calls (fn)(arg)
 * each time it fires, with interrupts off, on the interrupt stack, after
 * the vector's state is saved (general and SSE registers). (fn) must make
 * the device drop its request (read or acknowledge its interrupt status)
 * and do nothing else of note; the waiting code rechecks the queues after
 * any interrupt. (level) is 1 for level-triggered active-high inputs (PCI
 * INTx, virtio-mmio on QEMU), 0 for edge-triggered. Several devices may
 * share one gsi (each (fn) is called). Without a local APIC the 8259s
 * route instead, and (gsi) is an ISA IRQ (0 to 15 but 2, the number PCI
 * firmware puts in a device's interrupt line). Returns 0, or -1 when
 * (gsi) is out of range (of the I/O APIC, or of the 8259s), no vector is
 * left or no interrupt controller answers: the driver then polls.
 */
int kern_irq_attach(unsigned gsi, int level, void (*fn)(void *), void *arg);

/* ---- Console and failure ---------------------------------------------- */

/* printf to the serial console (lib/libc's vsnprintf formats). */
void kern_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "pith: " (fmt) and a newline, then ends the VM with status 1. */
void kern_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* ---- Boot information ------------------------------------------------- */

/*
 * The whole command line the VMM gave, NUL-terminated, "" when none. It
 * holds the VMM's tokens (virtio_mmio.device=SIZE@BASE:IRQ from QEMU
 * microvm and Firecracker, pith.* ones from `pith run`) and the app's
 * arguments; plat_main() gets only the latter.
 */
const char *kern_cmdline(void);

/*
 * The first word of the command line that is (name), or (name) followed
 * by '=': returns what follows the '=' ("" for the bare word) and its
 * length in (*len); NULL when there is no such word.
 */
const char *kern_cmdline_arg(const char *name, size_t *len);

/*
 * Adds to the command line the device tokens the VMM left elsewhere
 * (QEMU microvm's virtio_mmio.device= ones, in fw_cfg on its multiboot
 * path). Called before the devices are looked for; does its work once.
 */
void kern_cmdline_devices(void);

/* CPUID leaf (leaf, subleaf) into r[0..3] = eax, ebx, ecx, edx. */
static inline void kern_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* ---- What the drivers provide (pci.c, mmio.c, net.c, blk.c, rng.c) --- */

/*
 * Finds the virtio devices (PCI bus 0 and up through configuration
 * mechanism #1; MMIO transports from the command line's
 * virtio_mmio.device= tokens), binds them to the manifest's devices and
 * sets them up, with the entropy device. Called once at boot, before
 * plat_main(). A declared device with nothing to bind is left out (its
 * acquire fails with PITH_ENOENT), as on the other targets. When the
 * manifest declares no device it looks for nothing: the entropy device
 * is then found and started by the first plat_entropy(). The clock is
 * not running yet (the TSC is being measured across the boot): bound any
 * wait by a count of tries, not by time.
 */
void kern_devices_init(void);

/*
 * Returns the set of network handles with a received frame waiting, and
 * re-arms their interrupts (virtio used_event) so that a frame arriving
 * after this call wakes a halted CPU. Called with interrupts off by
 * plat_yield() before each halt and after each wake-up.
 */
plat_handle_set_t kern_net_ready(void);

#endif
