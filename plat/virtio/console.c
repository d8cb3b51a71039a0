/*
 * The virtio target's console (the first serial port, COM1) and its end:
 * an exit status through QEMU's isa-debug-exit device, or a reset where
 * there is none. QEMU exits with (value << 1) | 1 in 8 bits, so 7 bits
 * carry: the image writes min(status & 127, 126) + 1, keeping QEMU's own
 * failure (1) and a reset (0) apart from any status. `pith run` turns it
 * back into the status: 0 to 126 as given, a fault 11 (139 & 127, for
 * SIGSEGV) and an abort 6 (134 & 127, SIGABRT).
 */
#include <pith/plat.h>
#include <stdio.h>

#include "kern.h"
#include "virtio_plat.h"

#define COM1 0x3f8

/* The I/O ports `pith run` puts isa-debug-exit at, and QEMU's default. */
#define DEBUG_EXIT_PORT     0xf4
#define DEBUG_EXIT_PORT_OLD 0x501

void console_init(void)
{
    kern_outb(COM1 + 1, 0x00); /* no interrupts */
    kern_outb(COM1 + 3, 0x80); /* divisor latch */
    kern_outb(COM1 + 0, 0x01); /* 115200 baud */
    kern_outb(COM1 + 1, 0x00);
    kern_outb(COM1 + 3, 0x03); /* 8N1 */
    kern_outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
    kern_outb(COM1 + 4, 0x03); /* DTR, RTS */
}

/*
 * Each port access is an exit to the VMM, so the transmitter's state is
 * read once per 16 bytes: when it is empty, its FIFO (16550A, enabled in
 * console_init) takes 16.
 */
void plat_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        unsigned spin = 100000, n;
        /* Wait for room, but never forever: a stuck port drops bytes. */
        while (!(kern_inb(COM1 + 5) & 0x20) && --spin)
            ;
        for (n = 0; n < 16 && len > 0; n++, len--)
            kern_outb(COM1, (uint8_t)*buf++);
    }
}

void kern_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    plat_console_write(buf,
                       (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void kern_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kern_printf("pith: %s\n", n < 0 ? fmt : buf);
    virtio_halt(1);
}

void virtio_halt(int status)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) none = {0, 0};

    uint32_t v = (uint32_t)status & 127;

    v = (v > 126 ? 126 : v) + 1;
    __asm__ volatile("cli");
    kern_outl(DEBUG_EXIT_PORT, v);
    kern_outw(DEBUG_EXIT_PORT_OLD, (uint16_t)v);
    /* No isa-debug-exit (Firecracker, clouds): reset through the
     * keyboard controller, and failing that a triple fault. The VMM
     * then ends or restarts the VM (QEMU: -no-reboot ends it). */
    kern_outb(0x64, 0xfe);
    __asm__ volatile("lidt %0; int3" : : "m"(none));
    for (;;)
        __asm__ volatile("hlt");
}

void plat_exit(int status)
{
    virtio_halt(status & 0xff);
}

void plat_abort(void)
{
    virtio_halt(134); /* as a host process killed by SIGABRT */
}
