/*
 * The virtio target's boot side, between its own files (private): what
 * main.c sequences and the other parts share. kern.h is what drivers see.
 */
#ifndef PITH_VIRTIO_PLAT_H
#define PITH_VIRTIO_PLAT_H

#include <stdint.h>

/* Boot protocols, as boot.S passes them to kern_main(). */
#define BOOT_NONE      0
#define BOOT_PVH       1
#define BOOT_MULTIBOOT 2

/* TSC at the first instruction (boot.S). */
extern uint64_t boot_tsc;

/* console.c: COM1 at 115200 8N1; the end of the VM. */
void console_init(void);
void virtio_halt(int status) __attribute__((noreturn));

/* mem.c: the boot information, the page allocator, the heap. */
void mem_init(uint32_t proto, uint32_t info);
extern uintptr_t virtio_heap_start, virtio_heap_end;
/* Closes kern_alloc_pages(): the rest of the RAM region is the heap. */
void mem_heap(uintptr_t *start, size_t *size);

/* time.c: clocks, the timer, waiting. time_start() first thing at boot,
 * time_init() when the rest is set up: the TSC is measured in between. */
void time_start(void);
void time_init(void);
/* Nanoseconds from the TSC count (tsc) on the monotonic clock's scale. */
uint64_t time_tsc_to_ns(uint64_t tsc);
/* Nanoseconds in (cycles) TSC cycles. */
uint64_t time_cycles_ns(uint64_t cycles);
/* Arms the one-shot timer to fire at monotonic time (deadline), or
 * before it when that is beyond the timer's reach (the PIT's: 54.9 ms). */
void time_arm(uint64_t deadline);

/* intr.c: the interrupt controllers. intr_init() picks the mode: the
 * local and I/O APICs when the CPU has a local APIC, else the 8259s, else
 * (no 8259 answers either) nothing can interrupt, and waiting polls. */
void intr_init(void);
#define INTR_APIC 0
#define INTR_PIC  1
#define INTR_NONE 2
extern int intr_mode;
extern uintptr_t intr_lapic; /* INTR_APIC only */
/* Calls (fn)(arg) on the PIT's interrupt (ISA IRQ 0, wherever it comes
 * in). Returns 0, or -1 when it cannot be routed. */
int intr_attach_pit(void (*fn)(void *), void *arg);
#define LAPIC_EOI      0xb0
#define LAPIC_LVT_TMR  0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0

#endif
